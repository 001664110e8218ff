//! adminwire's engine for long jobs on a Kafka cluster: reassignments now, cluster links later.
//! Every front end (the sidecar's wire handlers, the REST API, the CLI) calls this crate.
//!
//! - [`plan`]: where replicas go — pure and deterministic.

pub mod plan;
