//! `SubmitReassignmentResponse` (API key 30010), generated from `protocol-specs/SubmitReassignmentResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// The job's id, or the estimate with its breakdown and the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SubmitReassignmentResponse {
    /// The error code, or 0 if there was no error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error; for an invalid request it names the topic and partition at fault. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The job's id (32 hex digits), or null for an estimate or an error. (versions 0+; nullable 0+)
    #[serde(rename = "JobId")]
    pub job_id: Option<String>,
    /// For an estimate: how long the job would take, in seconds; else -1. (versions 0+)
    #[serde(rename = "ReassignmentTime")]
    pub reassignment_time: i64,
    /// For an estimate: the bytes the job copies (each partition's size once per replica it adds). (versions 0+)
    #[serde(rename = "BytesToMove")]
    pub bytes_to_move: i64,
    /// For an estimate: the rate it assumes, bytes a second per broker and direction (the throttle, or the sidecar's configured replication bandwidth). (versions 0+)
    #[serde(rename = "Rate")]
    pub rate: i64,
    /// For an estimate: how many times the executor would start moves, under its concurrency limits. (versions 0+)
    #[serde(rename = "Waves")]
    pub waves: i32,
    /// For an estimate: the broker whose copying sets the time, or -1 if nothing is copied. (versions 0+)
    #[serde(rename = "SlowestBroker")]
    pub slowest_broker: i32,
    /// For an estimate: the bytes each broker would receive and send. (versions 0+)
    #[serde(rename = "Brokers")]
    pub brokers: Vec<BrokerLoad>,
    /// For an estimate: every partition whose replicas change, with where they are and where they would go. (versions 0+)
    #[serde(rename = "Partitions")]
    pub partitions: Vec<PlannedPartition>,
    /// Topics whose replicas could not be spread over racks (not every target broker has a rack). (versions 0+)
    #[serde(rename = "RackUnawareTopics")]
    pub rack_unaware_topics: Vec<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for SubmitReassignmentResponse {
    fn default() -> Self {
        Self {
            error_code: 0,
            error_message: None,
            job_id: None,
            reassignment_time: -1,
            bytes_to_move: 0,
            rate: 0,
            waves: 0,
            slowest_broker: -1,
            brokers: Default::default(),
            partitions: Default::default(),
            rack_unaware_topics: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl SubmitReassignmentResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field("JobId", put_nullable_string(buf, self.job_id.as_deref(), flexible))?;
        put_int64(buf, self.reassignment_time);
        put_int64(buf, self.bytes_to_move);
        put_int64(buf, self.rate);
        put_int32(buf, self.waves);
        put_int32(buf, self.slowest_broker);
        encode_field(
            "Brokers",
            put_array(buf, &self.brokers, flexible, |buf, item| item.write(buf, version)),
        )?;
        encode_field(
            "Partitions",
            put_array(buf, &self.partitions, flexible, |buf, item| item.write(buf, version)),
        )?;
        encode_field(
            "RackUnawareTopics",
            put_array(buf, &self.rack_unaware_topics, flexible, |buf, item| {
                put_string(buf, item, flexible)
            }),
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
        (input, this.job_id) = in_field("JobId", (nullable_string(flexible))(input))?;
        (input, this.reassignment_time) = in_field("ReassignmentTime", int64(input))?;
        (input, this.bytes_to_move) = in_field("BytesToMove", int64(input))?;
        (input, this.rate) = in_field("Rate", int64(input))?;
        (input, this.waves) = in_field("Waves", int32(input))?;
        (input, this.slowest_broker) = in_field("SlowestBroker", int32(input))?;
        (input, this.brokers) =
            in_field("Brokers", (array(flexible, |i| BrokerLoad::read(i, version)))(input))?;
        (input, this.partitions) = in_field(
            "Partitions",
            (array(flexible, |i| PlannedPartition::read(i, version)))(input),
        )?;
        (input, this.rack_unaware_topics) =
            in_field("RackUnawareTopics", (array(flexible, string(flexible)))(input))?;
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
            proptest::option::of(crate::testing::any_string()).boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
            any::<i32>().boxed(),
            any::<i32>().boxed(),
            proptest::collection::vec(BrokerLoad::arbitrary(version), 0..4).boxed(),
            proptest::collection::vec(PlannedPartition::arbitrary(version), 0..4).boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
        )
            .prop_map(
                |(
                    error_code,
                    error_message,
                    job_id,
                    reassignment_time,
                    bytes_to_move,
                    rate,
                    waves,
                    slowest_broker,
                    brokers,
                    partitions,
                    rack_unaware_topics,
                )| Self {
                    error_code,
                    error_message,
                    job_id,
                    reassignment_time,
                    bytes_to_move,
                    rate,
                    waves,
                    slowest_broker,
                    brokers,
                    partitions,
                    rack_unaware_topics,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

/// For an estimate: the bytes each broker would receive and send.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrokerLoad {
    /// The broker's id. (versions 0+)
    #[serde(rename = "BrokerId")]
    pub broker_id: i32,
    /// Bytes copied to it. (versions 0+)
    #[serde(rename = "BytesIn")]
    pub bytes_in: i64,
    /// Bytes copied from it. (versions 0+)
    #[serde(rename = "BytesOut")]
    pub bytes_out: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl BrokerLoad {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        put_int32(buf, self.broker_id);
        put_int64(buf, self.bytes_in);
        put_int64(buf, self.bytes_out);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let mut this = Self::default();
        let mut input = input;
        (input, this.broker_id) = in_field("BrokerId", int32(input))?;
        (input, this.bytes_in) = in_field("BytesIn", int64(input))?;
        (input, this.bytes_out) = in_field("BytesOut", int64(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (any::<i32>().boxed(), any::<i64>().boxed(), any::<i64>().boxed())
            .prop_map(|(broker_id, bytes_in, bytes_out)| Self {
                broker_id,
                bytes_in,
                bytes_out,
                ..Self::default()
            })
            .boxed()
    }
}

/// For an estimate: every partition whose replicas change, with where they are and where they would go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlannedPartition {
    /// The topic's name. (versions 0+)
    #[serde(rename = "Topic")]
    pub topic: String,
    /// The partition's id. (versions 0+)
    #[serde(rename = "Partition")]
    pub partition: i32,
    /// Its replicas now, preferred leader first. (versions 0+)
    #[serde(rename = "Replicas")]
    pub replicas: Vec<i32>,
    /// Its replicas after the move, preferred leader first. (versions 0+)
    #[serde(rename = "TargetReplicas")]
    pub target_replicas: Vec<i32>,
    /// The partition's size (its largest replica's log). (versions 0+)
    #[serde(rename = "Bytes")]
    pub bytes: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl PlannedPartition {
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
        put_int64(buf, self.bytes);
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
        (input, this.bytes) = in_field("Bytes", int64(input))?;
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
            any::<i64>().boxed(),
        )
            .prop_map(|(topic, partition, replicas, target_replicas, bytes)| Self {
                topic,
                partition,
                replicas,
                target_replicas,
                bytes,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for SubmitReassignmentResponse {
    const API_KEY: i16 = 30010;
    const NAME: &'static str = "SubmitReassignmentResponse";
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
