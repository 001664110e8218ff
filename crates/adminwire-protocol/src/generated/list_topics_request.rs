//! `ListTopicsRequest` (API key 30005), generated from `protocol-specs/ListTopicsRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Asks for the names of the cluster's topics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListTopicsRequest {
    /// If true, leave out internal topics such as __consumer_offsets. Version 0 always includes them. (versions 1+)
    #[serde(rename = "ExcludeInternal")]
    pub exclude_internal: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl ListTopicsRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        if version >= 1 {
            put_bool(buf, self.exclude_internal);
        } else if self.exclude_internal {
            return Err(not_in_version("ExcludeInternal", version));
        }
        if version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let mut this = Self::default();
        let mut input = input;
        if version >= 1 {
            (input, this.exclude_internal) = in_field("ExcludeInternal", boolean(input))?;
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
        ((if version >= 1 {
            any::<bool>().boxed()
        } else {
            Just(Self::default().exclude_internal).boxed()
        }),)
            .prop_map(|(exclude_internal,)| Self { exclude_internal, ..Self::default() })
            .boxed()
    }
}

impl crate::Message for ListTopicsRequest {
    const API_KEY: i16 = 30005;
    const NAME: &'static str = "ListTopicsRequest";
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
