//! `DescribeReassignmentJobsRequest` (API key 30011), generated from `protocol-specs/DescribeReassignmentJobsRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Describes reassignment jobs: the ones named, or every job the sidecar knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DescribeReassignmentJobsRequest {
    /// The jobs to describe, or null for every job, oldest first. (versions 0+; nullable 0+)
    #[serde(rename = "JobIds")]
    pub job_ids: Option<Vec<String>>,
    /// False to leave each job's partitions out (a listing). (versions 0+)
    #[serde(rename = "IncludePartitions")]
    pub include_partitions: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for DescribeReassignmentJobsRequest {
    fn default() -> Self {
        Self {
            job_ids: None,
            include_partitions: true,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl DescribeReassignmentJobsRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field(
            "JobIds",
            put_nullable_array(buf, self.job_ids.as_deref(), flexible, |buf, item| {
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
        (input, this.job_ids) =
            in_field("JobIds", (nullable_array(flexible, string(flexible)))(input))?;
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
            .prop_map(|(job_ids, include_partitions)| Self {
                job_ids,
                include_partitions,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for DescribeReassignmentJobsRequest {
    const API_KEY: i16 = 30011;
    const NAME: &'static str = "DescribeReassignmentJobsRequest";
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
