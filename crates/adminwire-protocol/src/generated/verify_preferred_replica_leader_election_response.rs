//! `VerifyPreferredReplicaLeaderElectionResponse` (API key 30009), generated from `protocol-specs/VerifyPreferredReplicaLeaderElectionResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// The election state of each partition. The results come before the error code, like VerifyReassignPartitionsResponse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyPreferredReplicaLeaderElectionResponse {
    /// The state of each partition, in request order. (versions 0+)
    #[serde(rename = "Results")]
    pub results: Vec<ElectionResult>,
    /// The error code, or 0 if there was no error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl VerifyPreferredReplicaLeaderElectionResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field(
            "Results",
            put_array(buf, &self.results, flexible, |buf, item| item.write(buf, version)),
        )?;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
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
        (input, this.results) =
            in_field("Results", (array(flexible, |i| ElectionResult::read(i, version)))(input))?;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
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
            proptest::collection::vec(ElectionResult::arbitrary(version), 0..4).boxed(),
            any::<i16>().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
        )
            .prop_map(|(results, error_code, error_message)| Self {
                results,
                error_code,
                error_message,
                ..Self::default()
            })
            .boxed()
    }
}

/// The state of each partition, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElectionResult {
    /// The topic's name. (versions 0+)
    #[serde(rename = "Topic")]
    pub topic: String,
    /// The partition's id. (versions 0+)
    #[serde(rename = "Partition")]
    pub partition: i32,
    /// 1: the preferred replica leads, 0: not yet, -1: failed (the preferred replica is offline or out of sync, so it cannot lead). (versions 0+)
    #[serde(rename = "ResultCode")]
    pub result_code: i16,
    /// The current leader, or -1 if none. (versions 1+)
    #[serde(rename = "Leader")]
    pub leader: i32,
    /// The preferred replica, the first of the replica list. (versions 1+)
    #[serde(rename = "PreferredLeader")]
    pub preferred_leader: i32,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for ElectionResult {
    fn default() -> Self {
        Self {
            topic: String::new(),
            partition: 0,
            result_code: 0,
            leader: -1,
            preferred_leader: -1,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl ElectionResult {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field("Topic", put_string(buf, &self.topic, flexible))?;
        put_int32(buf, self.partition);
        put_int16(buf, self.result_code);
        if version >= 1 {
            put_int32(buf, self.leader);
        }
        if version >= 1 {
            put_int32(buf, self.preferred_leader);
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
        (input, this.topic) = in_field("Topic", (string(flexible))(input))?;
        (input, this.partition) = in_field("Partition", int32(input))?;
        (input, this.result_code) = in_field("ResultCode", int16(input))?;
        if version >= 1 {
            (input, this.leader) = in_field("Leader", int32(input))?;
        }
        if version >= 1 {
            (input, this.preferred_leader) = in_field("PreferredLeader", int32(input))?;
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
            any::<i32>().boxed(),
            any::<i16>().boxed(),
            (if version >= 1 {
                any::<i32>().boxed()
            } else {
                Just(Self::default().leader).boxed()
            }),
            (if version >= 1 {
                any::<i32>().boxed()
            } else {
                Just(Self::default().preferred_leader).boxed()
            }),
        )
            .prop_map(|(topic, partition, result_code, leader, preferred_leader)| Self {
                topic,
                partition,
                result_code,
                leader,
                preferred_leader,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for VerifyPreferredReplicaLeaderElectionResponse {
    const API_KEY: i16 = 30009;
    const NAME: &'static str = "VerifyPreferredReplicaLeaderElectionResponse";
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
