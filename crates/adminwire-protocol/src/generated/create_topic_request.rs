//! `CreateTopicRequest` (API key 30001), generated from `protocol-specs/CreateTopicRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Creates topics, each from a partition count and replication factor or from a manual replica assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateTopicRequest {
    /// The topics to create. (versions 0+)
    #[serde(rename = "Topics")]
    pub topics: Vec<CreatableTopic>,
    /// How long to wait for the topics to be created, in milliseconds. (versions 1+)
    #[serde(rename = "TimeoutMs")]
    pub timeout_ms: i32,
    /// If true, check the request but create nothing. (versions 1+)
    #[serde(rename = "ValidateOnly")]
    pub validate_only: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for CreateTopicRequest {
    fn default() -> Self {
        Self {
            topics: Default::default(),
            timeout_ms: 30000,
            validate_only: false,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl CreateTopicRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field(
            "Topics",
            put_array(buf, &self.topics, flexible, |buf, item| item.write(buf, version)),
        )?;
        if version >= 1 {
            put_int32(buf, self.timeout_ms);
        }
        if version >= 1 {
            put_bool(buf, self.validate_only);
        } else if self.validate_only {
            return Err(not_in_version("ValidateOnly", version));
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
        (input, this.topics) =
            in_field("Topics", (array(flexible, |i| CreatableTopic::read(i, version)))(input))?;
        if version >= 1 {
            (input, this.timeout_ms) = in_field("TimeoutMs", int32(input))?;
        }
        if version >= 1 {
            (input, this.validate_only) = in_field("ValidateOnly", boolean(input))?;
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
            proptest::collection::vec(CreatableTopic::arbitrary(version), 0..4).boxed(),
            (if version >= 1 {
                any::<i32>().boxed()
            } else {
                Just(Self::default().timeout_ms).boxed()
            }),
            (if version >= 1 {
                any::<bool>().boxed()
            } else {
                Just(Self::default().validate_only).boxed()
            }),
        )
            .prop_map(|(topics, timeout_ms, validate_only)| Self {
                topics,
                timeout_ms,
                validate_only,
                ..Self::default()
            })
            .boxed()
    }
}

/// The topics to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreatableTopic {
    /// The topic's name. (versions 0+)
    #[serde(rename = "Name")]
    pub name: String,
    /// The number of partitions, or -1 when a replica assignment is given. (versions 0+)
    #[serde(rename = "Partitions")]
    pub partitions: i32,
    /// The replication factor (the seed's Replicas), or -1 when a replica assignment is given. (versions 0+)
    #[serde(rename = "ReplicationFactor")]
    pub replication_factor: i32,
    /// The replicas of each partition in kafka-topics form (0:1:2,1:2:0), or the empty string when partitions and replication factor are given. (versions 0+)
    #[serde(rename = "ReplicaAssignment")]
    pub replica_assignment: String,
    /// Topic-level configs to set; empty for the defaults. (versions 0+)
    #[serde(rename = "Configs")]
    pub configs: Vec<ConfigEntry>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for CreatableTopic {
    fn default() -> Self {
        Self {
            name: String::new(),
            partitions: -1,
            replication_factor: -1,
            replica_assignment: String::new(),
            configs: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl CreatableTopic {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("Name", put_string(buf, &self.name, flexible))?;
        put_int32(buf, self.partitions);
        put_int32(buf, self.replication_factor);
        encode_field("ReplicaAssignment", put_string(buf, &self.replica_assignment, flexible))?;
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
        (input, this.name) = in_field("Name", (string(flexible))(input))?;
        (input, this.partitions) = in_field("Partitions", int32(input))?;
        (input, this.replication_factor) = in_field("ReplicationFactor", int32(input))?;
        (input, this.replica_assignment) =
            in_field("ReplicaAssignment", (string(flexible))(input))?;
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
            crate::testing::any_string().boxed(),
            any::<i32>().boxed(),
            any::<i32>().boxed(),
            crate::testing::any_string().boxed(),
            proptest::collection::vec(ConfigEntry::arbitrary(version), 0..4).boxed(),
        )
            .prop_map(|(name, partitions, replication_factor, replica_assignment, configs)| Self {
                name,
                partitions,
                replication_factor,
                replica_assignment,
                configs,
                ..Self::default()
            })
            .boxed()
    }
}

/// Topic-level configs to set; empty for the defaults (shared by several fields of CreateTopicRequest.)
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

impl crate::Message for CreateTopicRequest {
    const API_KEY: i16 = 30001;
    const NAME: &'static str = "CreateTopicRequest";
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
