//! `CreateLinkResponse` (API key 30013), generated from `protocol-specs/CreateLinkResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Whether the link was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateLinkResponse {
    /// The error code, or 0 if there was no error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The source cluster's id, or null. (versions 0+; nullable 0+)
    #[serde(rename = "SourceClusterId")]
    pub source_cluster_id: Option<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl CreateLinkResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field(
            "SourceClusterId",
            put_nullable_string(buf, self.source_cluster_id.as_deref(), flexible),
        )?;
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        (input, this.source_cluster_id) =
            in_field("SourceClusterId", (nullable_string(flexible))(input))?;
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
        )
            .prop_map(|(error_code, error_message, source_cluster_id)| Self {
                error_code,
                error_message,
                source_cluster_id,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for CreateLinkResponse {
    const API_KEY: i16 = 30013;
    const NAME: &'static str = "CreateLinkResponse";
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
