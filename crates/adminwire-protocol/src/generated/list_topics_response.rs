//! `ListTopicsResponse` (API key 30005), generated from `protocol-specs/ListTopicsResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// The names of the cluster's topics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListTopicsResponse {
    /// The error code, or 0 if there was no error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The topics' names, sorted, or null if there was an error. (versions 0+; nullable 0+)
    #[serde(rename = "Topics")]
    pub topics: Option<Vec<String>>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl ListTopicsResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field(
            "Topics",
            put_nullable_array(buf, self.topics.as_deref(), flexible, |buf, item| {
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
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        (input, this.topics) =
            in_field("Topics", (nullable_array(flexible, string(flexible)))(input))?;
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
            proptest::option::of(proptest::collection::vec(crate::testing::any_string(), 0..4))
                .boxed(),
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

impl crate::Message for ListTopicsResponse {
    const API_KEY: i16 = 30005;
    const NAME: &'static str = "ListTopicsResponse";
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
