//! `SubmitReassignmentRequest` (API key 30010), generated from `protocol-specs/SubmitReassignmentRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Plans a reassignment and runs it as a job (now, or at ExecuteAt), or only estimates how long it would take. The fields are the reassignment service's request: reassignments, throttle, is_schedule, execute_at, time_estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SubmitReassignmentRequest {
    /// What to do with each topic: automatic (Brokers, with ReplicationFactor) or manual (Assignment). A topic with an Assignment is manual; its Brokers are then ignored. (versions 0+)
    #[serde(rename = "Reassignments")]
    pub reassignments: Vec<PartitionReassignEntity>,
    /// The replication throttle in bytes a second, per broker and direction, while the job moves data; -1 for none. (versions 0+)
    #[serde(rename = "Throttle")]
    pub throttle: i64,
    /// True to run the job at ExecuteAt rather than now. (versions 0+)
    #[serde(rename = "IsSchedule")]
    pub is_schedule: bool,
    /// When to start the job, in milliseconds since the Unix epoch; required when IsSchedule is true, else -1. A time already passed starts the job now. (versions 0+)
    #[serde(rename = "ExecuteAt")]
    pub execute_at: i64,
    /// True to plan and estimate only: nothing moves, and the response carries ReassignmentTime, the estimate's breakdown and the plan instead of a JobId. (versions 0+)
    #[serde(rename = "TimeEstimate")]
    pub time_estimate: bool,
    /// True to balance the bytes each broker holds as well as its replica count, for automatic topics. (versions 0+)
    #[serde(rename = "WeighBySize")]
    pub weigh_by_size: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for SubmitReassignmentRequest {
    fn default() -> Self {
        Self {
            reassignments: Default::default(),
            throttle: -1,
            is_schedule: false,
            execute_at: -1,
            time_estimate: false,
            weigh_by_size: false,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl SubmitReassignmentRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field(
            "Reassignments",
            put_array(buf, &self.reassignments, flexible, |buf, item| item.write(buf, version)),
        )?;
        put_int64(buf, self.throttle);
        put_bool(buf, self.is_schedule);
        put_int64(buf, self.execute_at);
        put_bool(buf, self.time_estimate);
        put_bool(buf, self.weigh_by_size);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.reassignments) = in_field(
            "Reassignments",
            (array(flexible, |i| PartitionReassignEntity::read(i, version)))(input),
        )?;
        (input, this.throttle) = in_field("Throttle", int64(input))?;
        (input, this.is_schedule) = in_field("IsSchedule", boolean(input))?;
        (input, this.execute_at) = in_field("ExecuteAt", int64(input))?;
        (input, this.time_estimate) = in_field("TimeEstimate", boolean(input))?;
        (input, this.weigh_by_size) = in_field("WeighBySize", boolean(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            proptest::collection::vec(PartitionReassignEntity::arbitrary(version), 0..4).boxed(),
            any::<i64>().boxed(),
            any::<bool>().boxed(),
            any::<i64>().boxed(),
            any::<bool>().boxed(),
            any::<bool>().boxed(),
        )
            .prop_map(
                |(
                    reassignments,
                    throttle,
                    is_schedule,
                    execute_at,
                    time_estimate,
                    weigh_by_size,
                )| Self {
                    reassignments,
                    throttle,
                    is_schedule,
                    execute_at,
                    time_estimate,
                    weigh_by_size,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

/// What to do with each topic: automatic (Brokers, with ReplicationFactor) or manual (Assignment). A topic with an Assignment is manual; its Brokers are then ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartitionReassignEntity {
    /// The topic's name. (versions 0+)
    #[serde(rename = "Topic")]
    pub topic: String,
    /// Automatic: the brokers the topic is to be placed on. Replicas on them stay where they are as far as balance allows; only what must move moves. (versions 0+)
    #[serde(rename = "Brokers")]
    pub brokers: Vec<i32>,
    /// The topic's replication factor after the move, or -1 to keep its current one. (versions 0+)
    #[serde(rename = "ReplicationFactor")]
    pub replication_factor: i32,
    /// Manual: the replicas of each listed partition, preferred leader first; partitions not listed stay as they are. (versions 0+)
    #[serde(rename = "Assignment")]
    pub assignment: Vec<TopicAssignment>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for PartitionReassignEntity {
    fn default() -> Self {
        Self {
            topic: String::new(),
            brokers: Default::default(),
            replication_factor: -1,
            assignment: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl PartitionReassignEntity {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("Topic", put_string(buf, &self.topic, flexible))?;
        encode_field(
            "Brokers",
            put_array(buf, &self.brokers, flexible, |buf, item| {
                put_int32(buf, *item);
                Ok(())
            }),
        )?;
        put_int32(buf, self.replication_factor);
        encode_field(
            "Assignment",
            put_array(buf, &self.assignment, flexible, |buf, item| item.write(buf, version)),
        )?;
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.topic) = in_field("Topic", (string(flexible))(input))?;
        (input, this.brokers) = in_field("Brokers", (array(flexible, int32))(input))?;
        (input, this.replication_factor) = in_field("ReplicationFactor", int32(input))?;
        (input, this.assignment) = in_field(
            "Assignment",
            (array(flexible, |i| TopicAssignment::read(i, version)))(input),
        )?;
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
            proptest::collection::vec(any::<i32>(), 0..4).boxed(),
            any::<i32>().boxed(),
            proptest::collection::vec(TopicAssignment::arbitrary(version), 0..4).boxed(),
        )
            .prop_map(|(topic, brokers, replication_factor, assignment)| Self {
                topic,
                brokers,
                replication_factor,
                assignment,
                ..Self::default()
            })
            .boxed()
    }
}

/// Manual: the replicas of each listed partition, preferred leader first; partitions not listed stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicAssignment {
    /// The partition's id. (versions 0+)
    #[serde(rename = "Partition")]
    pub partition: i32,
    /// The brokers to hold the partition's replicas, preferred leader first. (versions 0+)
    #[serde(rename = "PartitionBrokers")]
    pub partition_brokers: Vec<i32>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl TopicAssignment {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        put_int32(buf, self.partition);
        encode_field(
            "PartitionBrokers",
            put_array(buf, &self.partition_brokers, flexible, |buf, item| {
                put_int32(buf, *item);
                Ok(())
            }),
        )?;
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.partition) = in_field("Partition", int32(input))?;
        (input, this.partition_brokers) =
            in_field("PartitionBrokers", (array(flexible, int32))(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (any::<i32>().boxed(), proptest::collection::vec(any::<i32>(), 0..4).boxed())
            .prop_map(|(partition, partition_brokers)| Self {
                partition,
                partition_brokers,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for SubmitReassignmentRequest {
    const API_KEY: i16 = 30010;
    const NAME: &'static str = "SubmitReassignmentRequest";
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
