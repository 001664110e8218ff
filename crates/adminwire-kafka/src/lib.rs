//! Kafka's own requests as adminwire sends them, for the sidecar and the job engine alike:
//!
//! - [`frame`]: whole frames (size prefix, header, body) of Kafka's messages;
//! - [`call`]: each request tied to its response type, and sent at the newest version both the
//!   broker and adminwire's code know;
//! - [`connection`]: a connection of adminwire's own to one broker, logged in as the principal the
//!   operator configured;
//! - [`client`]: such connections to every broker of a cluster;
//! - [`log`]: a partition of a compacted topic as a log of keyed records, where adminwire keeps
//!   its own state;
//! - [`records`]: the batches of a fetch as a committed reader takes them, and as an idempotent
//!   producer sends them on;
//! - [`groups`]: consumer groups' coordinators, committed offsets and members, and offsets
//!   committed for a group as an admin does;
//! - [`partitions`]: any topic's partitions, fetched and produced to as a cluster link copies;
//! - [`sasl`]: logging in with SASL, as a sequence of requests without I/O;
//! - [`scram`]: the client side of SASL/SCRAM;
//! - [`transactions`]: a transactional producer's requests to its coordinator.

pub mod call;
pub mod client;
pub mod connection;
pub mod frame;
pub mod groups;
pub mod log;
pub mod partitions;
pub mod records;
pub mod sasl;
pub mod scram;
pub mod transactions;
