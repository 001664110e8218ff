//! Cluster links: topics of another cluster mirrored onto this one, record by record, with
//! consumer groups' progress carried over exactly.
//!
//! - [`offsets`]: where each copied record landed, and a source offset's target equivalent.
//! - [`copy`]: copying partitions round by round, from the source's leaders to the target's.
//! - [`mirror`]: the topics on the target that mirror the source's.
//! - [`groups`]: consumer groups' offsets carried over, translated exactly, and groups handed over.
//! - [`writers`]: who still writes to a mirror's source.
//! - [`state`]: a link's records in the store.
//! - [`service`]: links as the one entry point of every front end; [`run`]: running them.

pub mod copy;
pub mod groups;
pub mod mirror;
pub mod offsets;
pub mod run;
pub mod service;
pub mod state;
pub mod writers;
