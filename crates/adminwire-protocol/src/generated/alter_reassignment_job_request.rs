//! `AlterReassignmentJobRequest` (API key 30012), generated from `protocol-specs/AlterReassignmentJobRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Pauses, resumes or cancels a reassignment job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlterReassignmentJobRequest {
    /// The job's id. (versions 0+)
    #[serde(rename = "JobId")]
    pub job_id: String,
    /// 0: pause (no new moves start; moves under way finish), 1: resume, 2: cancel (moves under way are reverted, throttles restored). (versions 0+)
    #[serde(rename = "Action")]
    pub action: i8,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl AlterReassignmentJobRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("JobId", put_string(buf, &self.job_id, flexible))?;
        put_int8(buf, self.action);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.job_id) = in_field("JobId", (string(flexible))(input))?;
        (input, this.action) = in_field("Action", int8(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (crate::testing::any_string().boxed(), any::<i8>().boxed())
            .prop_map(|(job_id, action)| Self { job_id, action, ..Self::default() })
            .boxed()
    }
}

impl crate::Message for AlterReassignmentJobRequest {
    const API_KEY: i16 = 30012;
    const NAME: &'static str = "AlterReassignmentJobRequest";
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
