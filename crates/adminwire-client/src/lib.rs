//! An async admin client for Kafka clusters served by the adminwire sidecar: KIP-4's "Admin
//! Client" (section 3 of the draft), over the admin extension of the wire protocol (API keys
//! 30000–30012, see `docs/protocol.md`).
//!
//! [`AdminClient::connect`] takes an [`AdminClientConfig`] (bootstrap servers, client id,
//! timeouts, retries, a SASL login) and checks that the server offers the extension. The client then offers
//! the seed's API method for method — create, alter, delete, list and describe topics,
//! reassign partitions, elect preferred leaders and verify both — with batch forms where
//! version 1 of the extension has them. Long-running commands return a handle
//! ([`Reassignment`], [`Election`]) that polls until done within a deadline, with [`Progress`].
//! Reassignment jobs (keys 30010–30012) are submitted or estimated from a
//! [`ReassignmentRequest`] and followed with a [`ReassignmentJob`] handle.
//!
//! ```no_run
//! use std::time::Duration;
//! use adminwire_client::{AdminClient, AdminClientConfig, NewTopic, ReassignmentPlan};
//!
//! # async fn example() -> Result<(), adminwire_client::Error> {
//! let client = AdminClient::connect(AdminClientConfig::new(["localhost:9092"])).await?;
//! if let Some(controller) = client.cluster_metadata().await?.controller {
//!     println!("Connected to Kafka Controller at {}.", controller.address());
//! }
//! client.create_topic(&NewTopic::new("orders", 3, 2)).await?;
//! let plan = ReassignmentPlan::new().partition("orders", 0, [2, 3]);
//! let progress = client.reassign_partitions(&plan).await?.wait(Duration::from_secs(300)).await?;
//! println!("{} moved, {} failed", progress.completed.len(), progress.failed.len());
//! # Ok(())
//! # }
//! ```
//!
//! Every failure is an [`Error`] with a [`code`](Error::code), [`name`](Error::name) and
//! [`description`](Error::description); per-topic and per-partition failures of batches are
//! [`ServerError`]s. Results serialize with serde. `docs/client.md` walks through it all.

#![warn(missing_docs)]

mod client;
mod config;
mod connection;
mod error;
mod jobs;
mod links;
mod operation;
mod plan;
mod pool;
mod properties;
mod topic_request;
mod types;

pub use adminwire_protocol::ErrorCode;
pub use client::AdminClient;
pub use config::{AdminClientConfig, SaslCredentials, SaslMechanism, SecurityProtocol};
pub use error::{Error, Result, ServerError};
pub use jobs::{
    BrokerLoad, DEFAULT_POLL_INTERVAL, JobAction, JobDescription, JobPartition, JobPartitionState,
    JobProgress, JobResult, JobSelection, JobState, PartitionAssignment, PlannedMove,
    ReassignmentEstimate, ReassignmentJob, ReassignmentRequest, TopicReassignment,
};
pub use links::{
    GroupOffset, LinkChange, LinkDescription, LinkGroup, MirrorDescription, MirrorPartition,
    NewLink, StartPosition,
};
pub use operation::{
    Election, ElectionStatus, PartitionState, Progress, Reassignment, ReassignmentStatus,
};
pub use plan::{ElectionScope, PartitionReassignment, ReassignmentPlan};
pub use properties::read_file as read_properties_file;
pub use types::{
    BatchOptions, Broker, BrokerId, ClusterMetadata, NewTopic, PartitionDescription,
    PartitionResult, ReplicaAssignment, TopicAlteration, TopicDescription, TopicLayout,
    TopicPartition, TopicResult,
};
