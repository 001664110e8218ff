//! Cluster links: topics of another cluster mirrored onto this one, record by record, with
//! consumer groups' progress carried over exactly.
//!
//! - [`offsets`]: where each copied record landed, and a source offset's target equivalent.

pub mod offsets;
