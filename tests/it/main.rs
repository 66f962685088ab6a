//! The integration tests, one binary: each module proves one part of the contract (its module doc
//! says which), with the helpers they share in `common`. A test of something new goes in the
//! module whose doc names it; a new module is for a new part of the contract.

mod bad_input;
mod blended;
mod browser;
mod calendar;
mod cases;
mod centers;
mod charts;
mod check;
mod cli;
mod common;
mod demand;
mod deploy;
mod docs;
mod experiments;
mod fit;
mod golden;
mod lifecycle;
mod limits;
mod matching;
mod offers_and_pick;
mod output_safety;
mod overload;
mod presence;
mod properties;
mod report;
mod routing;
mod schedule;
mod schema;
mod shards;
mod staff;
mod staffing;
mod terminal;
mod theory;
mod waiting;
