//! `VerifyPreferredReplicaLeaderElectionRequest` (API key 30009), generated from `protocol-specs/VerifyPreferredReplicaLeaderElectionRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Asks whether each listed partition is led by its preferred replica. Not given a schema by the seed; designed like VerifyReassignPartitions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyPreferredReplicaLeaderElectionRequest {
    /// The same partitions JSON as given to PreferredReplicaLeaderElection, or the empty string for every partition. (versions 0+)
    #[serde(rename = "PartitionsSerialized")]
    pub partitions_serialized: String,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl VerifyPreferredReplicaLeaderElectionRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        encode_field(
            "PartitionsSerialized",
            put_string(buf, &self.partitions_serialized, flexible),
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
        (input, this.partitions_serialized) =
            in_field("PartitionsSerialized", (string(flexible))(input))?;
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
            .prop_map(|(partitions_serialized,)| Self { partitions_serialized, ..Self::default() })
            .boxed()
    }
}

impl crate::Message for VerifyPreferredReplicaLeaderElectionRequest {
    const API_KEY: i16 = 30009;
    const NAME: &'static str = "VerifyPreferredReplicaLeaderElectionRequest";
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
