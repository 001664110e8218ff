//! `DescribeTopicResponse` (API key 30004), generated from `protocol-specs/DescribeTopicResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// The description of the topics asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DescribeTopicResponse {
    /// The error code, or 0 if there was no error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The topic's description, or null if there was an error. (versions 0; nullable 0)
    #[serde(rename = "TopicDescription")]
    pub topic_description: Option<TopicDescription>,
    /// The result of each topic, in request order. (versions 1+)
    #[serde(rename = "Topics")]
    pub topics: Vec<DescribedTopic>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl DescribeTopicResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        if version == 0 {
            encode_field(
                "TopicDescription",
                put_nullable_struct(buf, self.topic_description.as_ref(), |buf, v| {
                    v.write(buf, version)
                }),
            )?;
        } else if self.topic_description.is_some() {
            return Err(not_in_version("TopicDescription", version));
        }
        if version >= 1 {
            encode_field(
                "Topics",
                put_array(buf, &self.topics, flexible, |buf, item| item.write(buf, version)),
            )?;
        } else if !self.topics.is_empty() {
            return Err(not_in_version("Topics", version));
        }
        if version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = version >= 1;
        let mut this = Self::default();
        let mut input = input;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        if version == 0 {
            (input, this.topic_description) = in_field(
                "TopicDescription",
                (nullable_struct(|i| TopicDescription::read(i, version)))(input),
            )?;
        }
        if version >= 1 {
            (input, this.topics) =
                in_field("Topics", (array(flexible, |i| DescribedTopic::read(i, version)))(input))?;
        }
        if version >= 1 {
            (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        }
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
            (if version == 0 {
                proptest::option::of(TopicDescription::arbitrary(version)).boxed()
            } else {
                Just(Self::default().topic_description).boxed()
            }),
            (if version >= 1 {
                proptest::collection::vec(DescribedTopic::arbitrary(version), 0..4).boxed()
            } else {
                Just(Self::default().topics).boxed()
            }),
        )
            .prop_map(|(error_code, error_message, topic_description, topics)| Self {
                error_code,
                error_message,
                topic_description,
                topics,
                ..Self::default()
            })
            .boxed()
    }
}

/// The topic's description, or null if there was an error (shared by several fields of DescribeTopicResponse.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicDescription {
    /// The topic's name. (versions 0+)
    #[serde(rename = "TopicName")]
    pub topic_name: String,
    /// The topic's partition count, replication factor and overridden configs. (versions 0+)
    #[serde(rename = "TopicConfigDetails")]
    pub topic_config_details: TopicConfigDetails,
    /// The replication details of each partition. (versions 0+)
    #[serde(rename = "TopicPartitionDetails")]
    pub topic_partition_details: Vec<TopicPartitionDetails>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl TopicDescription {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("TopicName", put_string(buf, &self.topic_name, flexible))?;
        encode_field("TopicConfigDetails", self.topic_config_details.write(buf, version))?;
        encode_field(
            "TopicPartitionDetails",
            put_array(buf, &self.topic_partition_details, flexible, |buf, item| {
                item.write(buf, version)
            }),
        )?;
        if version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = version >= 1;
        let mut this = Self::default();
        let mut input = input;
        (input, this.topic_name) = in_field("TopicName", (string(flexible))(input))?;
        (input, this.topic_config_details) =
            in_field("TopicConfigDetails", TopicConfigDetails::read(input, version))?;
        (input, this.topic_partition_details) = in_field(
            "TopicPartitionDetails",
            (array(flexible, |i| TopicPartitionDetails::read(i, version)))(input),
        )?;
        if version >= 1 {
            (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        }
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            crate::testing::any_string().boxed(),
            TopicConfigDetails::arbitrary(version).boxed(),
            proptest::collection::vec(TopicPartitionDetails::arbitrary(version), 0..4).boxed(),
        )
            .prop_map(|(topic_name, topic_config_details, topic_partition_details)| Self {
                topic_name,
                topic_config_details,
                topic_partition_details,
                ..Self::default()
            })
            .boxed()
    }
}

/// The result of each topic, in request order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DescribedTopic {
    /// The topic's name, as asked for. (versions 1+)
    #[serde(rename = "Name")]
    pub name: String,
    /// The topic's error code, or 0. (versions 1+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The topic's error message, or null. (versions 1+; nullable 1+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The topic's description, or null if there was an error. (versions 1+; nullable 1+)
    #[serde(rename = "TopicDescription")]
    pub topic_description: Option<TopicDescription>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl DescribedTopic {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("Name", put_string(buf, &self.name, flexible))?;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field(
            "TopicDescription",
            put_nullable_struct(buf, self.topic_description.as_ref(), |buf, v| {
                v.write(buf, version)
            }),
        )?;
        if version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = version >= 1;
        let mut this = Self::default();
        let mut input = input;
        (input, this.name) = in_field("Name", (string(flexible))(input))?;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        (input, this.topic_description) = in_field(
            "TopicDescription",
            (nullable_struct(|i| TopicDescription::read(i, version)))(input),
        )?;
        if version >= 1 {
            (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        }
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            crate::testing::any_string().boxed(),
            any::<i16>().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            proptest::option::of(TopicDescription::arbitrary(version)).boxed(),
        )
            .prop_map(|(name, error_code, error_message, topic_description)| Self {
                name,
                error_code,
                error_message,
                topic_description,
                ..Self::default()
            })
            .boxed()
    }
}

/// The topic's partition count, replication factor and overridden configs (shared by several fields of DescribeTopicResponse.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicConfigDetails {
    /// The number of partitions. (versions 0+)
    #[serde(rename = "Partitions")]
    pub partitions: i32,
    /// The replication factor. (versions 0+)
    #[serde(rename = "ReplicationFactor")]
    pub replication_factor: i32,
    /// The topic-level configs that override the broker's defaults. (versions 0+)
    #[serde(rename = "Configs")]
    pub configs: Vec<ConfigEntry>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl TopicConfigDetails {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        put_int32(buf, self.partitions);
        put_int32(buf, self.replication_factor);
        encode_field(
            "Configs",
            put_array(buf, &self.configs, flexible, |buf, item| item.write(buf, version)),
        )?;
        if version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = version >= 1;
        let mut this = Self::default();
        let mut input = input;
        (input, this.partitions) = in_field("Partitions", int32(input))?;
        (input, this.replication_factor) = in_field("ReplicationFactor", int32(input))?;
        (input, this.configs) =
            in_field("Configs", (array(flexible, |i| ConfigEntry::read(i, version)))(input))?;
        if version >= 1 {
            (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        }
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            any::<i32>().boxed(),
            any::<i32>().boxed(),
            proptest::collection::vec(ConfigEntry::arbitrary(version), 0..4).boxed(),
        )
            .prop_map(|(partitions, replication_factor, configs)| Self {
                partitions,
                replication_factor,
                configs,
                ..Self::default()
            })
            .boxed()
    }
}

/// The replication details of each partition (shared by several fields of DescribeTopicResponse.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicPartitionDetails {
    /// The partition's id. (versions 0+)
    #[serde(rename = "PartitionId")]
    pub partition_id: i32,
    /// The leader's broker id, or -1 if the partition has no leader. (versions 0+)
    #[serde(rename = "Leader")]
    pub leader: i32,
    /// The brokers holding a replica, preferred leader first. (versions 0+)
    #[serde(rename = "Replicas")]
    pub replicas: Vec<i32>,
    /// The replicas that are in sync. (versions 0+)
    #[serde(rename = "Isr")]
    pub isr: Vec<i32>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for TopicPartitionDetails {
    fn default() -> Self {
        Self {
            partition_id: 0,
            leader: -1,
            replicas: Default::default(),
            isr: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl TopicPartitionDetails {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        put_int32(buf, self.partition_id);
        put_int32(buf, self.leader);
        encode_field(
            "Replicas",
            put_array(buf, &self.replicas, flexible, |buf, item| {
                put_int32(buf, *item);
                Ok(())
            }),
        )?;
        encode_field(
            "Isr",
            put_array(buf, &self.isr, flexible, |buf, item| {
                put_int32(buf, *item);
                Ok(())
            }),
        )?;
        if version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = version >= 1;
        let mut this = Self::default();
        let mut input = input;
        (input, this.partition_id) = in_field("PartitionId", int32(input))?;
        (input, this.leader) = in_field("Leader", int32(input))?;
        (input, this.replicas) = in_field("Replicas", (array(flexible, int32))(input))?;
        (input, this.isr) = in_field("Isr", (array(flexible, int32))(input))?;
        if version >= 1 {
            (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        }
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            any::<i32>().boxed(),
            any::<i32>().boxed(),
            proptest::collection::vec(any::<i32>(), 0..4).boxed(),
            proptest::collection::vec(any::<i32>(), 0..4).boxed(),
        )
            .prop_map(|(partition_id, leader, replicas, isr)| Self {
                partition_id,
                leader,
                replicas,
                isr,
                ..Self::default()
            })
            .boxed()
    }
}

/// The topic-level configs that override the broker's defaults (shared by several fields of DescribeTopicResponse.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigEntry {
    /// The config's name. (versions 0+)
    #[serde(rename = "Key")]
    pub key: String,
    /// The config's value. (versions 0+)
    #[serde(rename = "Value")]
    pub value: String,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl ConfigEntry {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("Key", put_string(buf, &self.key, flexible))?;
        encode_field("Value", put_string(buf, &self.value, flexible))?;
        if version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = version >= 1;
        let mut this = Self::default();
        let mut input = input;
        (input, this.key) = in_field("Key", (string(flexible))(input))?;
        (input, this.value) = in_field("Value", (string(flexible))(input))?;
        if version >= 1 {
            (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        }
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (crate::testing::any_string().boxed(), crate::testing::any_string().boxed())
            .prop_map(|(key, value)| Self { key, value, ..Self::default() })
            .boxed()
    }
}

impl crate::Message for DescribeTopicResponse {
    const API_KEY: i16 = 30004;
    const NAME: &'static str = "DescribeTopicResponse";
    const MIN_VERSION: i16 = 0;
    const MAX_VERSION: i16 = 1;
    const FIRST_FLEXIBLE_VERSION: Option<i16> = Some(1);

    fn write_fields(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        self.write(buf, version)
    }

    fn read_fields(input: &[u8], version: i16) -> PResult<'_, Self> {
        Self::read(input, version)
    }
}
