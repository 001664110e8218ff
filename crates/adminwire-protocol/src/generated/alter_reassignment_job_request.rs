//! `AlterReassignmentJobRequest` (API key 30012), generated from `protocol-specs/AlterReassignmentJobRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Pauses, resumes, cancels, re-times, deletes or restarts a reassignment job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlterReassignmentJobRequest {
    /// The job's id. (versions 0+)
    #[serde(rename = "JobId")]
    pub job_id: String,
    /// 0: pause (no new moves start; moves under way finish), 1: resume, 2: cancel (moves under way are reverted, throttles restored), 3: re-time a scheduled job to ExecuteAt, 4: delete the record of an ended job (1010 ReassignPartitionsInProgress while it has not ended), 5: restart an ended job for the partitions it did not move, each planned again from the replicas it has now (1010 while it has not ended). (versions 0+)
    #[serde(rename = "Action")]
    pub action: i8,
    /// For action 3: the job's new start, in milliseconds since the Unix epoch (a time already passed starts it now). (versions 0+; tag 0)
    #[serde(rename = "ExecuteAt")]
    pub execute_at: i64,
    /// For action 5: retry only the partitions that failed; otherwise every partition not done (failed, skipped, reverted or never started). (versions 0+; tag 1)
    #[serde(rename = "OnlyFailed")]
    pub only_failed: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for AlterReassignmentJobRequest {
    fn default() -> Self {
        Self {
            job_id: String::new(),
            action: 0,
            execute_at: -1,
            only_failed: false,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl AlterReassignmentJobRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("JobId", put_string(buf, &self.job_id, flexible))?;
        put_int8(buf, self.action);
        let mut known = Vec::new();
        if self.execute_at != -1 {
            known.push(
                tagged(0, |buf| {
                    put_int64(buf, self.execute_at);
                    Ok(())
                })
                .map_err(|e| e.in_field("ExecuteAt"))?,
            );
        }
        if self.only_failed {
            known.push(
                tagged(1, |buf| {
                    put_bool(buf, self.only_failed);
                    Ok(())
                })
                .map_err(|e| e.in_field("OnlyFailed"))?,
            );
        }
        put_tagged_fields(buf, known, &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.job_id) = in_field("JobId", (string(flexible))(input))?;
        (input, this.action) = in_field("Action", int8(input))?;
        let mut known = Self::default();
        let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
            0 => {
                known.execute_at = in_tagged_field("ExecuteAt", tagged_value(0, value, int64))?;
                Ok(true)
            }
            1 => {
                known.only_failed = in_tagged_field("OnlyFailed", tagged_value(1, value, boolean))?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        this.execute_at = known.execute_at;
        this.only_failed = known.only_failed;
        this.unknown_tagged_fields = unknown;
        input = rest;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            crate::testing::any_string().boxed(),
            any::<i8>().boxed(),
            any::<i64>().boxed(),
            any::<bool>().boxed(),
        )
            .prop_map(|(job_id, action, execute_at, only_failed)| Self {
                job_id,
                action,
                execute_at,
                only_failed,
                ..Self::default()
            })
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
