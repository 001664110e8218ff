//! `ReassignPartitionsRequest` (API key 30006), generated from `protocol-specs/ReassignPartitionsRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Starts moving partitions to new replicas and returns at once; VerifyReassignPartitions tells when they are done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReassignPartitionsRequest {
    /// The reassignment plan as kafka-reassign-partitions JSON: {"partitions":\[{"topic":"foo","partition":1,"replicas":\[1,2,3\]}\],"version":1}. Version 0 carries at most 32767 bytes; a larger plan needs version 1. (versions 0+)
    #[serde(rename = "ManualAssignment")]
    pub manual_assignment: String,
    /// How long to wait for the cluster to accept the plan, in milliseconds. (versions 1+)
    #[serde(rename = "TimeoutMs")]
    pub timeout_ms: i32,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for ReassignPartitionsRequest {
    fn default() -> Self {
        Self {
            manual_assignment: String::new(),
            timeout_ms: 30000,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl ReassignPartitionsRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("ManualAssignment", put_string(buf, &self.manual_assignment, flexible))?;
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
        (input, this.manual_assignment) = in_field("ManualAssignment", (string(flexible))(input))?;
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
            crate::testing::any_string().boxed(),
            (if version >= 1 {
                any::<i32>().boxed()
            } else {
                Just(Self::default().timeout_ms).boxed()
            }),
        )
            .prop_map(|(manual_assignment, timeout_ms)| Self {
                manual_assignment,
                timeout_ms,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for ReassignPartitionsRequest {
    const API_KEY: i16 = 30006;
    const NAME: &'static str = "ReassignPartitionsRequest";
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
