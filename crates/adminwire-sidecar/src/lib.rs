//! adminwire's sidecar: a Kafka proxy in front of a cluster's brokers. It passes the Kafka
//! protocol through as bytes, rewriting only the broker addresses in the responses that carry
//! them so that clients only ever connect through it, and answers the admin extension's requests
//! (API keys 30000-30017) itself, the reassignment jobs' (30010-30012) and cluster links'
//! (30013-30017) from the services it runs (`jobs`).
//! Its HTTP listener serves a REST API on the same engine (`rest`), `/metrics` and `/health`.
//!
//! Each client connection gets its own connection to the broker its listener fronts, so the
//! broker authenticates and authorizes every client as if it had connected directly.

mod admin;
pub mod api_versions;
mod cluster;
pub mod config;
mod connection;
mod console;
mod fetch_walk;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod handover;
mod http;
pub mod jobs;
pub mod metrics;
pub(crate) mod mirrors;
mod peek;
mod policy;
mod principal;
pub mod registry;
mod rest;
mod reviewed;
pub mod rewrite;
mod route;
pub mod server;
pub mod shared;
mod splice;
mod stall;
mod stream;
mod switched;
mod txn;
pub mod upstream;

pub use config::{Config, Flags};

/// What preparing an admin request costs, for the tests that measure it; not an API.
#[doc(hidden)]
pub use admin::prepare_for_measurement;
pub use server::{Running, start};
