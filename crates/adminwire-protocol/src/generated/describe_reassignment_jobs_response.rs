//! `DescribeReassignmentJobsResponse` (API key 30011), generated from `protocol-specs/DescribeReassignmentJobsResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Each job asked for: its state, bytes, times and, when asked for, its partitions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DescribeReassignmentJobsResponse {
    /// The error code, or 0 if there was no error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The jobs, in request order (or oldest first). (versions 0+)
    #[serde(rename = "Jobs")]
    pub jobs: Vec<Job>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl DescribeReassignmentJobsResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field(
            "Jobs",
            put_array(buf, &self.jobs, flexible, |buf, item| item.write(buf, version)),
        )?;
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        (input, this.jobs) = in_field("Jobs", (array(flexible, |i| Job::read(i, version)))(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            any::<i16>().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            proptest::collection::vec(Job::arbitrary(version), 0..4).boxed(),
        )
            .prop_map(|(error_code, error_message, jobs)| Self {
                error_code,
                error_message,
                jobs,
                ..Self::default()
            })
            .boxed()
    }
}

/// The jobs, in request order (or oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Job {
    /// The job's id. (versions 0+)
    #[serde(rename = "JobId")]
    pub job_id: String,
    /// 0, or why this job could not be described (91: no such job). (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// Why this job could not be described, or null. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// SCHEDULED, RUNNING, PAUSED, COMPLETED, FAILED or CANCELLED; empty if ErrorCode is not 0. (versions 0+)
    #[serde(rename = "State")]
    pub state: String,
    /// The replication throttle in bytes a second, or -1 for none. (versions 0+)
    #[serde(rename = "Throttle")]
    pub throttle: i64,
    /// When the job was submitted, in milliseconds since the Unix epoch. (versions 0+)
    #[serde(rename = "CreatedMs")]
    pub created_ms: i64,
    /// When a scheduled job starts, in milliseconds since the Unix epoch, or -1. (versions 0+)
    #[serde(rename = "ExecuteAt")]
    pub execute_at: i64,
    /// When it started moving, or -1. (versions 0+)
    #[serde(rename = "StartedMs")]
    pub started_ms: i64,
    /// When it ended, or -1. (versions 0+)
    #[serde(rename = "FinishedMs")]
    pub finished_ms: i64,
    /// The bytes it copies in all. (versions 0+)
    #[serde(rename = "BytesTotal")]
    pub bytes_total: i64,
    /// The bytes copied so far (on the new replicas' brokers). (versions 0+)
    #[serde(rename = "BytesMoved")]
    pub bytes_moved: i64,
    /// Seconds still to go, from the bytes left and the recent rate, or -1 if not known. (versions 0+)
    #[serde(rename = "EtaSeconds")]
    pub eta_seconds: i64,
    /// How many partitions the job moves. (versions 0+)
    #[serde(rename = "PartitionCount")]
    pub partition_count: i32,
    /// How many of them are done. (versions 0+)
    #[serde(rename = "PartitionsDone")]
    pub partitions_done: i32,
    /// True while throttles the job set wait to be taken off (a broker is down); retried until they are. (versions 0+)
    #[serde(rename = "CleanupPending")]
    pub cleanup_pending: bool,
    /// Why the job failed as a whole, or null. (versions 0+; nullable 0+)
    #[serde(rename = "Error")]
    pub error: Option<String>,
    /// The principal of the client that submitted the job (User:name, User:ANONYMOUS without a login), or null if not known. (versions 0+; nullable 0+; tag 0)
    #[serde(rename = "RequestedBy")]
    pub requested_by: Option<String>,
    /// For a scheduled job that started later than its time (no sidecar ran then): by how many milliseconds; else -1. (versions 0+; tag 1)
    #[serde(rename = "StartedLateMs")]
    pub started_late_ms: i64,
    /// Each partition of the job, if asked for. (versions 0+)
    #[serde(rename = "Partitions")]
    pub partitions: Vec<JobPartition>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for Job {
    fn default() -> Self {
        Self {
            job_id: String::new(),
            error_code: 0,
            error_message: None,
            state: String::new(),
            throttle: -1,
            created_ms: -1,
            execute_at: -1,
            started_ms: -1,
            finished_ms: -1,
            bytes_total: 0,
            bytes_moved: 0,
            eta_seconds: -1,
            partition_count: 0,
            partitions_done: 0,
            cleanup_pending: false,
            error: None,
            requested_by: None,
            started_late_ms: -1,
            partitions: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl Job {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("JobId", put_string(buf, &self.job_id, flexible))?;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field("State", put_string(buf, &self.state, flexible))?;
        put_int64(buf, self.throttle);
        put_int64(buf, self.created_ms);
        put_int64(buf, self.execute_at);
        put_int64(buf, self.started_ms);
        put_int64(buf, self.finished_ms);
        put_int64(buf, self.bytes_total);
        put_int64(buf, self.bytes_moved);
        put_int64(buf, self.eta_seconds);
        put_int32(buf, self.partition_count);
        put_int32(buf, self.partitions_done);
        put_bool(buf, self.cleanup_pending);
        encode_field("Error", put_nullable_string(buf, self.error.as_deref(), flexible))?;
        encode_field(
            "Partitions",
            put_array(buf, &self.partitions, flexible, |buf, item| item.write(buf, version)),
        )?;
        let mut known = Vec::new();
        if self.requested_by.is_some() {
            known.push(
                tagged(0, |buf| put_nullable_string(buf, self.requested_by.as_deref(), true))
                    .map_err(|e| e.in_field("RequestedBy"))?,
            );
        }
        if self.started_late_ms != -1 {
            known.push(
                tagged(1, |buf| {
                    put_int64(buf, self.started_late_ms);
                    Ok(())
                })
                .map_err(|e| e.in_field("StartedLateMs"))?,
            );
        }
        put_tagged_fields(buf, known, &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.job_id) = in_field("JobId", (string(flexible))(input))?;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        (input, this.state) = in_field("State", (string(flexible))(input))?;
        (input, this.throttle) = in_field("Throttle", int64(input))?;
        (input, this.created_ms) = in_field("CreatedMs", int64(input))?;
        (input, this.execute_at) = in_field("ExecuteAt", int64(input))?;
        (input, this.started_ms) = in_field("StartedMs", int64(input))?;
        (input, this.finished_ms) = in_field("FinishedMs", int64(input))?;
        (input, this.bytes_total) = in_field("BytesTotal", int64(input))?;
        (input, this.bytes_moved) = in_field("BytesMoved", int64(input))?;
        (input, this.eta_seconds) = in_field("EtaSeconds", int64(input))?;
        (input, this.partition_count) = in_field("PartitionCount", int32(input))?;
        (input, this.partitions_done) = in_field("PartitionsDone", int32(input))?;
        (input, this.cleanup_pending) = in_field("CleanupPending", boolean(input))?;
        (input, this.error) = in_field("Error", (nullable_string(flexible))(input))?;
        (input, this.partitions) =
            in_field("Partitions", (array(flexible, |i| JobPartition::read(i, version)))(input))?;
        let mut known = Self::default();
        let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
            0 => {
                known.requested_by =
                    in_tagged_field("RequestedBy", tagged_value(0, value, nullable_string(true)))?;
                Ok(true)
            }
            1 => {
                known.started_late_ms =
                    in_tagged_field("StartedLateMs", tagged_value(1, value, int64))?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        this.requested_by = known.requested_by;
        this.started_late_ms = known.started_late_ms;
        this.unknown_tagged_fields = unknown;
        input = rest;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            (
                crate::testing::any_string().boxed(),
                any::<i16>().boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
                crate::testing::any_string().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
            ),
            (
                any::<i32>().boxed(),
                any::<i32>().boxed(),
                any::<bool>().boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
                any::<i64>().boxed(),
                proptest::collection::vec(JobPartition::arbitrary(version), 0..4).boxed(),
            ),
        )
            .prop_map(
                |(
                    (
                        job_id,
                        error_code,
                        error_message,
                        state,
                        throttle,
                        created_ms,
                        execute_at,
                        started_ms,
                        finished_ms,
                        bytes_total,
                        bytes_moved,
                        eta_seconds,
                    ),
                    (
                        partition_count,
                        partitions_done,
                        cleanup_pending,
                        error,
                        requested_by,
                        started_late_ms,
                        partitions,
                    ),
                )| Self {
                    job_id,
                    error_code,
                    error_message,
                    state,
                    throttle,
                    created_ms,
                    execute_at,
                    started_ms,
                    finished_ms,
                    bytes_total,
                    bytes_moved,
                    eta_seconds,
                    partition_count,
                    partitions_done,
                    cleanup_pending,
                    error,
                    requested_by,
                    started_late_ms,
                    partitions,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

/// Each partition of the job, if asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobPartition {
    /// The topic's name. (versions 0+)
    #[serde(rename = "Topic")]
    pub topic: String,
    /// The partition's id. (versions 0+)
    #[serde(rename = "Partition")]
    pub partition: i32,
    /// Its replicas before the job. (versions 0+)
    #[serde(rename = "Replicas")]
    pub replicas: Vec<i32>,
    /// Its replicas after the job. (versions 0+)
    #[serde(rename = "TargetReplicas")]
    pub target_replicas: Vec<i32>,
    /// PENDING, MOVING, DONE, SKIPPED (another reassignment was moving it), FAILED or REVERTED (cancelled while moving). (versions 0+)
    #[serde(rename = "State")]
    pub state: String,
    /// Why it was skipped or failed, or null. (versions 0+; nullable 0+)
    #[serde(rename = "Reason")]
    pub reason: Option<String>,
    /// The bytes it copies. (versions 0+)
    #[serde(rename = "BytesTotal")]
    pub bytes_total: i64,
    /// The bytes copied so far. (versions 0+)
    #[serde(rename = "BytesMoved")]
    pub bytes_moved: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl JobPartition {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("Topic", put_string(buf, &self.topic, flexible))?;
        put_int32(buf, self.partition);
        encode_field(
            "Replicas",
            put_array(buf, &self.replicas, flexible, |buf, item| {
                put_int32(buf, *item);
                Ok(())
            }),
        )?;
        encode_field(
            "TargetReplicas",
            put_array(buf, &self.target_replicas, flexible, |buf, item| {
                put_int32(buf, *item);
                Ok(())
            }),
        )?;
        encode_field("State", put_string(buf, &self.state, flexible))?;
        encode_field("Reason", put_nullable_string(buf, self.reason.as_deref(), flexible))?;
        put_int64(buf, self.bytes_total);
        put_int64(buf, self.bytes_moved);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.topic) = in_field("Topic", (string(flexible))(input))?;
        (input, this.partition) = in_field("Partition", int32(input))?;
        (input, this.replicas) = in_field("Replicas", (array(flexible, int32))(input))?;
        (input, this.target_replicas) =
            in_field("TargetReplicas", (array(flexible, int32))(input))?;
        (input, this.state) = in_field("State", (string(flexible))(input))?;
        (input, this.reason) = in_field("Reason", (nullable_string(flexible))(input))?;
        (input, this.bytes_total) = in_field("BytesTotal", int64(input))?;
        (input, this.bytes_moved) = in_field("BytesMoved", int64(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            crate::testing::any_string().boxed(),
            any::<i32>().boxed(),
            proptest::collection::vec(any::<i32>(), 0..4).boxed(),
            proptest::collection::vec(any::<i32>(), 0..4).boxed(),
            crate::testing::any_string().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
        )
            .prop_map(
                |(
                    topic,
                    partition,
                    replicas,
                    target_replicas,
                    state,
                    reason,
                    bytes_total,
                    bytes_moved,
                )| Self {
                    topic,
                    partition,
                    replicas,
                    target_replicas,
                    state,
                    reason,
                    bytes_total,
                    bytes_moved,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

impl crate::Message for DescribeReassignmentJobsResponse {
    const API_KEY: i16 = 30011;
    const NAME: &'static str = "DescribeReassignmentJobsResponse";
    const MIN_VERSION: i16 = 0;
    const MAX_VERSION: i16 = 0;
    const FIRST_FLEXIBLE_VERSION: Option<i16> = Some(0);

    fn write_fields(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        self.write(buf, version)
    }

    fn read_fields(input: &[u8], version: i16) -> PResult<'_, Self> {
        Self::read(input, version)
    }
}
