//! Cluster links: topics of another cluster mirrored onto this one, record by record, with
//! consumer groups' progress carried over exactly.
//!
//! - [`offsets`]: where each copied record landed, and a source offset's target equivalent.
//! - [`copy`]: copying partitions round by round, from the source's leaders to the target's.

pub mod copy;
pub mod offsets;
