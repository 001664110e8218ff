//! `DeleteLinkRequest` (API key 30017), generated from `protocol-specs/DeleteLinkRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Deletes a cluster link: it stops, and its records go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteLinkRequest {
    /// The link's id. (versions 0+)
    #[serde(rename = "LinkId")]
    pub link_id: String,
    /// True to delete its mirror topics here too (not promoted ones); this cannot be undone. (versions 0+)
    #[serde(rename = "DeleteMirrors")]
    pub delete_mirrors: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl DeleteLinkRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("LinkId", put_string(buf, &self.link_id, flexible))?;
        put_bool(buf, self.delete_mirrors);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.link_id) = in_field("LinkId", (string(flexible))(input))?;
        (input, this.delete_mirrors) = in_field("DeleteMirrors", boolean(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (crate::testing::any_string().boxed(), any::<bool>().boxed())
            .prop_map(|(link_id, delete_mirrors)| Self {
                link_id,
                delete_mirrors,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for DeleteLinkRequest {
    const API_KEY: i16 = 30017;
    const NAME: &'static str = "DeleteLinkRequest";
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
