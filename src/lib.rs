//! ccsim: a discrete-event simulator for contact-center capacity planning.
//!
//! The layers, each a module, with data flowing one way down this list (nothing imports a module
//! above it):
//! - [`scenario`]: parse, check and resolve a scenario file into the model the engine runs;
//! - [`engine`]: one replication of the contact center, event by event;
//! - [`metrics`]: what the engine observes, per interval and scope, and the statistics across
//!   replications;
//! - [`report`]: CSV files, charts, terminal tables, and writing files whole;
//! - [`experiment`]: replications in parallel, compare, sweep, check, staff, output folders.
//!
//! [`fit`] reads a history of conversations and fits demand to it; it stands beside
//! [`metrics`] (statistics of observed data), and [`report`] writes its files.
//!
//! The command line (`src/main.rs`) sits on top. The guide for planners is in `docs/`; how the
//! code is laid out and how to change it, in `CONTRIBUTING.md`.
//!
//! [`time`] and [`erlang`] stand beside them: simulated time, and the analytic formulas that the
//! simulation is checked against.

pub mod engine;
pub mod erlang;
pub mod experiment;
pub mod fit;
pub mod metrics;
pub mod report;
pub mod scenario;
pub mod time;
