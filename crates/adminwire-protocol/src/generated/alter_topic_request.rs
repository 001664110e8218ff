//! `AlterTopicRequest` (API key 30002), generated from `protocol-specs/AlterTopicRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Adds partitions to topics (optionally placing the new ones) and sets or deletes topic-level configs. Version 0 alters one topic, version 1 a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlterTopicRequest {
    /// The topic to alter. (versions 0)
    #[serde(rename = "TopicName")]
    pub topic_name: String,
    /// The new partition count, or -1 to leave it. (versions 0)
    #[serde(rename = "Partitions")]
    pub partitions: i32,
    /// The replicas of the added partitions in kafka-topics form (0:1:2,1:2:0), or null (or empty) to let the cluster place them. (versions 0; nullable 0)
    #[serde(rename = "ReplicaAssignment")]
    pub replica_assignment: Option<String>,
    /// Topic-level configs to set. (versions 0)
    #[serde(rename = "AddedConfigs")]
    pub added_configs: Vec<ConfigEntry>,
    /// Topic-level configs to remove, so that they return to their defaults. (versions 0)
    #[serde(rename = "DeletedConfigs")]
    pub deleted_configs: Vec<String>,
    /// The topics to alter. (versions 1+)
    #[serde(rename = "Topics")]
    pub topics: Vec<AlterableTopic>,
    /// How long to wait for the changes, in milliseconds. (versions 1+)
    #[serde(rename = "TimeoutMs")]
    pub timeout_ms: i32,
    /// If true, check the request but change nothing. (versions 1+)
    #[serde(rename = "ValidateOnly")]
    pub validate_only: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for AlterTopicRequest {
    fn default() -> Self {
        Self {
            topic_name: String::new(),
            partitions: -1,
            replica_assignment: None,
            added_configs: Default::default(),
            deleted_configs: Default::default(),
            topics: Default::default(),
            timeout_ms: 30000,
            validate_only: false,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl AlterTopicRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        if version == 0 {
            encode_field("TopicName", put_string(buf, &self.topic_name, flexible))?;
        } else if !self.topic_name.is_empty() {
            return Err(not_in_version("TopicName", version));
        }
        if version == 0 {
            put_int32(buf, self.partitions);
        } else if self.partitions != -1 {
            return Err(not_in_version("Partitions", version));
        }
        if version == 0 {
            encode_field(
                "ReplicaAssignment",
                put_nullable_string(buf, self.replica_assignment.as_deref(), flexible),
            )?;
        } else if self.replica_assignment.is_some() {
            return Err(not_in_version("ReplicaAssignment", version));
        }
        if version == 0 {
            encode_field(
                "AddedConfigs",
                put_array(buf, &self.added_configs, flexible, |buf, item| item.write(buf, version)),
            )?;
        } else if !self.added_configs.is_empty() {
            return Err(not_in_version("AddedConfigs", version));
        }
        if version == 0 {
            encode_field(
                "DeletedConfigs",
                put_array(buf, &self.deleted_configs, flexible, |buf, item| {
                    put_string(buf, item, flexible)
                }),
            )?;
        } else if !self.deleted_configs.is_empty() {
            return Err(not_in_version("DeletedConfigs", version));
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
        if version == 0 {
            (input, this.topic_name) = in_field("TopicName", (string(flexible))(input))?;
        }
        if version == 0 {
            (input, this.partitions) = in_field("Partitions", int32(input))?;
        }
        if version == 0 {
            (input, this.replica_assignment) =
                in_field("ReplicaAssignment", (nullable_string(flexible))(input))?;
        }
        if version == 0 {
            (input, this.added_configs) = in_field(
                "AddedConfigs",
                (array(flexible, |i| ConfigEntry::read(i, version)))(input),
            )?;
        }
        if version == 0 {
            (input, this.deleted_configs) =
                in_field("DeletedConfigs", (array(flexible, string(flexible)))(input))?;
        }
        if version >= 1 {
            (input, this.topics) =
                in_field("Topics", (array(flexible, |i| AlterableTopic::read(i, version)))(input))?;
        }
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
            (if version == 0 {
                crate::testing::any_string().boxed()
            } else {
                Just(Self::default().topic_name).boxed()
            }),
            (if version == 0 {
                any::<i32>().boxed()
            } else {
                Just(Self::default().partitions).boxed()
            }),
            (if version == 0 {
                proptest::option::of(crate::testing::any_string()).boxed()
            } else {
                Just(Self::default().replica_assignment).boxed()
            }),
            (if version == 0 {
                proptest::collection::vec(ConfigEntry::arbitrary(version), 0..4).boxed()
            } else {
                Just(Self::default().added_configs).boxed()
            }),
            (if version == 0 {
                proptest::collection::vec(crate::testing::any_string(), 0..4).boxed()
            } else {
                Just(Self::default().deleted_configs).boxed()
            }),
            (if version >= 1 {
                proptest::collection::vec(AlterableTopic::arbitrary(version), 0..4).boxed()
            } else {
                Just(Self::default().topics).boxed()
            }),
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
            .prop_map(
                |(
                    topic_name,
                    partitions,
                    replica_assignment,
                    added_configs,
                    deleted_configs,
                    topics,
                    timeout_ms,
                    validate_only,
                )| Self {
                    topic_name,
                    partitions,
                    replica_assignment,
                    added_configs,
                    deleted_configs,
                    topics,
                    timeout_ms,
                    validate_only,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

/// Topic-level configs to set (shared by several fields of AlterTopicRequest.)
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

/// The topics to alter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlterableTopic {
    /// The topic to alter. (versions 1+)
    #[serde(rename = "Name")]
    pub name: String,
    /// The new partition count, or -1 to leave it. (versions 1+)
    #[serde(rename = "Partitions")]
    pub partitions: i32,
    /// The replicas of the added partitions in kafka-topics form, or null (or empty) to let the cluster place them. (versions 1+; nullable 1+)
    #[serde(rename = "ReplicaAssignment")]
    pub replica_assignment: Option<String>,
    /// Topic-level configs to set. (versions 1+)
    #[serde(rename = "AddedConfigs")]
    pub added_configs: Vec<ConfigEntry>,
    /// Topic-level configs to remove. (versions 1+)
    #[serde(rename = "DeletedConfigs")]
    pub deleted_configs: Vec<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for AlterableTopic {
    fn default() -> Self {
        Self {
            name: String::new(),
            partitions: -1,
            replica_assignment: None,
            added_configs: Default::default(),
            deleted_configs: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl AlterableTopic {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("Name", put_string(buf, &self.name, flexible))?;
        put_int32(buf, self.partitions);
        encode_field(
            "ReplicaAssignment",
            put_nullable_string(buf, self.replica_assignment.as_deref(), flexible),
        )?;
        encode_field(
            "AddedConfigs",
            put_array(buf, &self.added_configs, flexible, |buf, item| item.write(buf, version)),
        )?;
        encode_field(
            "DeletedConfigs",
            put_array(buf, &self.deleted_configs, flexible, |buf, item| {
                put_string(buf, item, flexible)
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
        (input, this.partitions) = in_field("Partitions", int32(input))?;
        (input, this.replica_assignment) =
            in_field("ReplicaAssignment", (nullable_string(flexible))(input))?;
        (input, this.added_configs) =
            in_field("AddedConfigs", (array(flexible, |i| ConfigEntry::read(i, version)))(input))?;
        (input, this.deleted_configs) =
            in_field("DeletedConfigs", (array(flexible, string(flexible)))(input))?;
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
            proptest::option::of(crate::testing::any_string()).boxed(),
            proptest::collection::vec(ConfigEntry::arbitrary(version), 0..4).boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
        )
            .prop_map(|(name, partitions, replica_assignment, added_configs, deleted_configs)| {
                Self {
                    name,
                    partitions,
                    replica_assignment,
                    added_configs,
                    deleted_configs,
                    ..Self::default()
                }
            })
            .boxed()
    }
}

impl crate::Message for AlterTopicRequest {
    const API_KEY: i16 = 30002;
    const NAME: &'static str = "AlterTopicRequest";
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
