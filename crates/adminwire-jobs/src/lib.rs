//! adminwire's engine for long jobs on a Kafka cluster: reassignments now, cluster links later.
//! Every front end (the sidecar's wire handlers, the REST API, the CLI) calls this crate.
//!
//! - [`survey`]: what the cluster holds now, as the planner takes it.
//! - [`plan`]: where replicas go — pure and deterministic.
//! - [`estimate`]: how long a plan takes, before it starts and while it runs.
//! - [`throttle`]: replication throttles that always come off, and never take others' with them.
//! - [`job`] and [`execute`]: a job's state, and carrying its plan out on the cluster.
//! - [`store`]: where jobs live — a compacted topic of the cluster, or this process's memory.
//! - [`service`]: all of it as the one entry point of every front end.
//! - [`link`]: cluster links — mirror topics fed from another cluster.

pub mod estimate;
pub mod execute;
pub mod job;
pub mod link;
pub mod plan;
pub mod service;
pub mod store;
pub mod survey;
pub mod throttle;
