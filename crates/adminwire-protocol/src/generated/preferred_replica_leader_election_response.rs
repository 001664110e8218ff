//! `PreferredReplicaLeaderElectionResponse` (API key 30008), generated from `protocol-specs/PreferredReplicaLeaderElectionResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Whether the election was started. Version 1 adds a result per partition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PreferredReplicaLeaderElectionResponse {
    /// The error code, or 0 if there was no error. In version 0, the first failing partition's error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The result of each partition; a partition whose preferred replica already leads has error code 0. (versions 1+)
    #[serde(rename = "Partitions")]
    pub partitions: Vec<PartitionResult>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl PreferredReplicaLeaderElectionResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        if version >= 1 {
            encode_field(
                "Partitions",
                put_array(buf, &self.partitions, flexible, |buf, item| item.write(buf, version)),
            )?;
        } else if !self.partitions.is_empty() {
            return Err(not_in_version("Partitions", version));
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
        if version >= 1 {
            (input, this.partitions) = in_field(
                "Partitions",
                (array(flexible, |i| PartitionResult::read(i, version)))(input),
            )?;
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
            (if version >= 1 {
                proptest::collection::vec(PartitionResult::arbitrary(version), 0..4).boxed()
            } else {
                Just(Self::default().partitions).boxed()
            }),
        )
            .prop_map(|(error_code, error_message, partitions)| Self {
                error_code,
                error_message,
                partitions,
                ..Self::default()
            })
            .boxed()
    }
}

/// The result of each partition; a partition whose preferred replica already leads has error code 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartitionResult {
    /// The topic's name. (versions 1+)
    #[serde(rename = "Topic")]
    pub topic: String,
    /// The partition's id. (versions 1+)
    #[serde(rename = "Partition")]
    pub partition: i32,
    /// The partition's error code, or 0. (versions 1+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The partition's error message, or null. (versions 1+; nullable 1+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl PartitionResult {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("Topic", put_string(buf, &self.topic, flexible))?;
        put_int32(buf, self.partition);
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
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
        (input, this.topic) = in_field("Topic", (string(flexible))(input))?;
        (input, this.partition) = in_field("Partition", int32(input))?;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
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
            any::<i16>().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
        )
            .prop_map(|(topic, partition, error_code, error_message)| Self {
                topic,
                partition,
                error_code,
                error_message,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for PreferredReplicaLeaderElectionResponse {
    const API_KEY: i16 = 30008;
    const NAME: &'static str = "PreferredReplicaLeaderElectionResponse";
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
