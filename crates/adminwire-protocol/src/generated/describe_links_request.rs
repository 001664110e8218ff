//! `DescribeLinksRequest` (API key 30014), generated from `protocol-specs/DescribeLinksRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Describes cluster links: the ones named, or every link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DescribeLinksRequest {
    /// The links to describe, or null for every link. (versions 0+; nullable 0+)
    #[serde(rename = "LinkIds")]
    pub link_ids: Option<Vec<String>>,
    /// False to leave each mirror's partitions out (a listing). (versions 0+)
    #[serde(rename = "IncludePartitions")]
    pub include_partitions: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for DescribeLinksRequest {
    fn default() -> Self {
        Self {
            link_ids: None,
            include_partitions: true,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl DescribeLinksRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field(
            "LinkIds",
            put_nullable_array(buf, self.link_ids.as_deref(), flexible, |buf, item| {
                put_string(buf, item, flexible)
            }),
        )?;
        put_bool(buf, self.include_partitions);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.link_ids) =
            in_field("LinkIds", (nullable_array(flexible, string(flexible)))(input))?;
        (input, this.include_partitions) = in_field("IncludePartitions", boolean(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            proptest::option::of(proptest::collection::vec(crate::testing::any_string(), 0..4))
                .boxed(),
            any::<bool>().boxed(),
        )
            .prop_map(|(link_ids, include_partitions)| Self {
                link_ids,
                include_partitions,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for DescribeLinksRequest {
    const API_KEY: i16 = 30014;
    const NAME: &'static str = "DescribeLinksRequest";
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
