//! adminwire's engine for long jobs on a Kafka cluster: reassignments now, cluster links later.
//! Every front end (the sidecar's wire handlers, the REST API, the CLI) calls this crate.
//!
//! - [`plan`]: where replicas go — pure and deterministic.
//! - [`estimate`]: how long a plan takes, before it starts and while it runs.
//! - [`throttle`]: replication throttles that always come off, and never take others' with them.

pub mod estimate;
pub mod plan;
pub mod throttle;
