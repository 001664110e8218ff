//! `DeleteTopicRequest` (API key 30003), generated from `protocol-specs/DeleteTopicRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Deletes topics. Version 0 deletes one topic, version 1 a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteTopicRequest {
    /// The topic to delete. (versions 0)
    #[serde(rename = "TopicName")]
    pub topic_name: String,
    /// The topics to delete. (versions 1+)
    #[serde(rename = "TopicNames")]
    pub topic_names: Vec<String>,
    /// How long to wait for the deletion, in milliseconds. (versions 1+)
    #[serde(rename = "TimeoutMs")]
    pub timeout_ms: i32,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for DeleteTopicRequest {
    fn default() -> Self {
        Self {
            topic_name: String::new(),
            topic_names: Default::default(),
            timeout_ms: 30000,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl DeleteTopicRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        if version == 0 {
            encode_field("TopicName", put_string(buf, &self.topic_name, flexible))?;
        } else if !self.topic_name.is_empty() {
            return Err(not_in_version("TopicName", version));
        }
        if version >= 1 {
            encode_field(
                "TopicNames",
                put_array(buf, &self.topic_names, flexible, |buf, item| {
                    put_string(buf, item, flexible)
                }),
            )?;
        } else if !self.topic_names.is_empty() {
            return Err(not_in_version("TopicNames", version));
        }
        if version >= 1 {
            put_int32(buf, self.timeout_ms);
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
        if version >= 1 {
            (input, this.topic_names) =
                in_field("TopicNames", (array(flexible, string(flexible)))(input))?;
        }
        if version >= 1 {
            (input, this.timeout_ms) = in_field("TimeoutMs", int32(input))?;
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
            (if version >= 1 {
                proptest::collection::vec(crate::testing::any_string(), 0..4).boxed()
            } else {
                Just(Self::default().topic_names).boxed()
            }),
            (if version >= 1 {
                any::<i32>().boxed()
            } else {
                Just(Self::default().timeout_ms).boxed()
            }),
        )
            .prop_map(|(topic_name, topic_names, timeout_ms)| Self {
                topic_name,
                topic_names,
                timeout_ms,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for DeleteTopicRequest {
    const API_KEY: i16 = 30003;
    const NAME: &'static str = "DeleteTopicRequest";
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
