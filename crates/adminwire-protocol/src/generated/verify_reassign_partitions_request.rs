//! `VerifyReassignPartitionsRequest` (API key 30007), generated from `protocol-specs/VerifyReassignPartitionsRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Asks how far the reassignment of a plan has come.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyReassignPartitionsRequest {
    /// The same reassignment plan JSON as given to ReassignPartitions. (versions 0+)
    #[serde(rename = "ManualAssignment")]
    pub manual_assignment: String,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl VerifyReassignPartitionsRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("ManualAssignment", put_string(buf, &self.manual_assignment, flexible))?;
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
        (input, this.manual_assignment) = in_field("ManualAssignment", (string(flexible))(input))?;
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
        (crate::testing::any_string().boxed(),)
            .prop_map(|(manual_assignment,)| Self { manual_assignment, ..Self::default() })
            .boxed()
    }
}

impl crate::Message for VerifyReassignPartitionsRequest {
    const API_KEY: i16 = 30007;
    const NAME: &'static str = "VerifyReassignPartitionsRequest";
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
