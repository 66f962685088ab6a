//! ccsim: a discrete-event simulator for contact-center capacity planning.
//!
//! The layers, each a module, with data flowing one way down this list (nothing imports a module
//! above it):
//! - [`scenario`]: parse, check and resolve a scenario file into the model the engine runs;
//! - [`engine`]: one replication of the contact center, event by event;
//! - [`metrics`]: what the engine observes, per interval and scope, and the statistics across
//!   replications;
//! - [`report`]: CSV files and the terminal summary;
//! - [`experiment`]: replications (in parallel) and the run as a whole.
//!
//! [`time`] and [`erlang`] stand beside them: simulated time, and the analytic formulas that the
//! simulation is checked against.

pub mod engine;
pub mod erlang;
pub mod experiment;
pub mod metrics;
pub mod report;
pub mod scenario;
pub mod time;
