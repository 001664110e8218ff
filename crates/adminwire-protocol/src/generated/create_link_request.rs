//! `CreateLinkRequest` (API key 30013), generated from `protocol-specs/CreateLinkRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Creates a cluster link: mirror topics on this cluster fed from the source cluster's topics, and consumer groups' offsets carried over. The mirrors are made at once (with the source's partition count and topic configs); the sidecar running links copies from there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateLinkRequest {
    /// The link's id: letters, digits, '-' and '_'. (versions 0+)
    #[serde(rename = "LinkId")]
    pub link_id: String,
    /// The source cluster's bootstrap servers, host:port. (versions 0+)
    #[serde(rename = "SourceBootstrap")]
    pub source_bootstrap: Vec<String>,
    /// The SASL mechanism to log in to the source with (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), or null for a source that takes clients without a login. (versions 0+; nullable 0+)
    #[serde(rename = "SourceMechanism")]
    pub source_mechanism: Option<String>,
    /// The user to log in to the source as, or null. (versions 0+; nullable 0+)
    #[serde(rename = "SourceUsername")]
    pub source_username: Option<String>,
    /// Its password, or null. (versions 0+; nullable 0+)
    #[serde(rename = "SourcePassword")]
    pub source_password: Option<String>,
    /// Where each mirror's copy starts: earliest, latest, or a time in milliseconds since the Unix epoch. (versions 0+)
    #[serde(rename = "StartPosition")]
    pub start_position: String,
    /// The source topics to mirror; none may exist on this cluster. (versions 0+)
    #[serde(rename = "Topics")]
    pub topics: Vec<String>,
    /// The consumer groups whose offsets are carried over. (versions 0+)
    #[serde(rename = "Groups")]
    pub groups: Vec<String>,
    /// How often groups' offsets are carried over, in milliseconds, or -1 for the sidecar's setting. (versions 0+)
    #[serde(rename = "GroupSyncMs")]
    pub group_sync_ms: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for CreateLinkRequest {
    fn default() -> Self {
        Self {
            link_id: String::new(),
            source_bootstrap: Default::default(),
            source_mechanism: None,
            source_username: None,
            source_password: None,
            start_position: String::new(),
            topics: Default::default(),
            groups: Default::default(),
            group_sync_ms: -1,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl CreateLinkRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("LinkId", put_string(buf, &self.link_id, flexible))?;
        encode_field(
            "SourceBootstrap",
            put_array(buf, &self.source_bootstrap, flexible, |buf, item| {
                put_string(buf, item, flexible)
            }),
        )?;
        encode_field(
            "SourceMechanism",
            put_nullable_string(buf, self.source_mechanism.as_deref(), flexible),
        )?;
        encode_field(
            "SourceUsername",
            put_nullable_string(buf, self.source_username.as_deref(), flexible),
        )?;
        encode_field(
            "SourcePassword",
            put_nullable_string(buf, self.source_password.as_deref(), flexible),
        )?;
        encode_field("StartPosition", put_string(buf, &self.start_position, flexible))?;
        encode_field(
            "Topics",
            put_array(buf, &self.topics, flexible, |buf, item| put_string(buf, item, flexible)),
        )?;
        encode_field(
            "Groups",
            put_array(buf, &self.groups, flexible, |buf, item| put_string(buf, item, flexible)),
        )?;
        put_int64(buf, self.group_sync_ms);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.link_id) = in_field("LinkId", (string(flexible))(input))?;
        (input, this.source_bootstrap) =
            in_field("SourceBootstrap", (array(flexible, string(flexible)))(input))?;
        (input, this.source_mechanism) =
            in_field("SourceMechanism", (nullable_string(flexible))(input))?;
        (input, this.source_username) =
            in_field("SourceUsername", (nullable_string(flexible))(input))?;
        (input, this.source_password) =
            in_field("SourcePassword", (nullable_string(flexible))(input))?;
        (input, this.start_position) = in_field("StartPosition", (string(flexible))(input))?;
        (input, this.topics) = in_field("Topics", (array(flexible, string(flexible)))(input))?;
        (input, this.groups) = in_field("Groups", (array(flexible, string(flexible)))(input))?;
        (input, this.group_sync_ms) = in_field("GroupSyncMs", int64(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            crate::testing::any_string().boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            crate::testing::any_string().boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
            any::<i64>().boxed(),
        )
            .prop_map(
                |(
                    link_id,
                    source_bootstrap,
                    source_mechanism,
                    source_username,
                    source_password,
                    start_position,
                    topics,
                    groups,
                    group_sync_ms,
                )| Self {
                    link_id,
                    source_bootstrap,
                    source_mechanism,
                    source_username,
                    source_password,
                    start_position,
                    topics,
                    groups,
                    group_sync_ms,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

impl crate::Message for CreateLinkRequest {
    const API_KEY: i16 = 30013;
    const NAME: &'static str = "CreateLinkRequest";
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
