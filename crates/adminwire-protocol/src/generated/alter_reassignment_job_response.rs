//! `AlterReassignmentJobResponse` (API key 30012), generated from `protocol-specs/AlterReassignmentJobResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Whether the job took the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlterReassignmentJobResponse {
    /// The error code, or 0 if the job took the action (91: no such job; 85: the job has ended). (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The job's state once the action was taken (a pause or cancel shows once its moves under way have settled: describe the job). (versions 0+)
    #[serde(rename = "State")]
    pub state: String,
    /// For action 5: how many partitions the job retries (0: none was left to retry, and the job stays ended); -1 for other actions. (versions 0+; tag 0)
    #[serde(rename = "Retried")]
    pub retried: i32,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for AlterReassignmentJobResponse {
    fn default() -> Self {
        Self {
            error_code: 0,
            error_message: None,
            state: String::new(),
            retried: -1,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl AlterReassignmentJobResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field("State", put_string(buf, &self.state, flexible))?;
        let mut known = Vec::new();
        if self.retried != -1 {
            known.push(
                tagged(0, |buf| {
                    put_int32(buf, self.retried);
                    Ok(())
                })
                .map_err(|e| e.in_field("Retried"))?,
            );
        }
        put_tagged_fields(buf, known, &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        (input, this.state) = in_field("State", (string(flexible))(input))?;
        let mut known = Self::default();
        let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
            0 => {
                known.retried = in_tagged_field("Retried", tagged_value(0, value, int32))?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        this.retried = known.retried;
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
            any::<i16>().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            crate::testing::any_string().boxed(),
            any::<i32>().boxed(),
        )
            .prop_map(|(error_code, error_message, state, retried)| Self {
                error_code,
                error_message,
                state,
                retried,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for AlterReassignmentJobResponse {
    const API_KEY: i16 = 30012;
    const NAME: &'static str = "AlterReassignmentJobResponse";
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
