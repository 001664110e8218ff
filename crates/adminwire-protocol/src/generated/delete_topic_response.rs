//! `DeleteTopicResponse` (API key 30003), generated from `protocol-specs/DeleteTopicResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// The outcome of a DeleteTopicRequest. Version 1 adds a result per topic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteTopicResponse {
    /// The error code, or 0 if there was no error. In version 0, the first failing topic's error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The result of each topic, in request order. (versions 1+)
    #[serde(rename = "Topics")]
    pub topics: Vec<TopicResult>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl DeleteTopicResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
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
        if version >= 1 {
            (input, this.topics) =
                in_field("Topics", (array(flexible, |i| TopicResult::read(i, version)))(input))?;
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
                proptest::collection::vec(TopicResult::arbitrary(version), 0..4).boxed()
            } else {
                Just(Self::default().topics).boxed()
            }),
        )
            .prop_map(|(error_code, error_message, topics)| Self {
                error_code,
                error_message,
                topics,
                ..Self::default()
            })
            .boxed()
    }
}

/// The result of each topic, in request order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicResult {
    /// The topic's name. (versions 1+)
    #[serde(rename = "Name")]
    pub name: String,
    /// The topic's error code, or 0. (versions 1+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The topic's error message, or null. (versions 1+; nullable 1+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl TopicResult {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("Name", put_string(buf, &self.name, flexible))?;
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
        (input, this.name) = in_field("Name", (string(flexible))(input))?;
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
            any::<i16>().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
        )
            .prop_map(|(name, error_code, error_message)| Self {
                name,
                error_code,
                error_message,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for DeleteTopicResponse {
    const API_KEY: i16 = 30003;
    const NAME: &'static str = "DeleteTopicResponse";
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
