//! `DescribeLinksResponse` (API key 30014), generated from `protocol-specs/DescribeLinksResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Each link asked for: its source, state, mirrors with their copy's progress, and groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DescribeLinksResponse {
    /// The error code, or 0 if there was no error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// The links, in id order (or request order). (versions 0+)
    #[serde(rename = "Links")]
    pub links: Vec<Link>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl DescribeLinksResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field(
            "Links",
            put_array(buf, &self.links, flexible, |buf, item| item.write(buf, version)),
        )?;
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        (input, this.links) =
            in_field("Links", (array(flexible, |i| Link::read(i, version)))(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
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
            proptest::collection::vec(Link::arbitrary(version), 0..4).boxed(),
        )
            .prop_map(|(error_code, error_message, links)| Self {
                error_code,
                error_message,
                links,
                ..Self::default()
            })
            .boxed()
    }
}

/// The links, in id order (or request order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Link {
    /// The link's id. (versions 0+)
    #[serde(rename = "LinkId")]
    pub link_id: String,
    /// 0, or why this link could not be described (91: no such link). (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// Why this link could not be described, or null. (versions 0+; nullable 0+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// ACTIVE, PAUSED, SOURCE_UNAVAILABLE or FAILED; empty before the sidecar running links took it up. (versions 0+)
    #[serde(rename = "State")]
    pub state: String,
    /// Why the link is not active, or null. (versions 0+; nullable 0+)
    #[serde(rename = "Error")]
    pub error: Option<String>,
    /// The source cluster's bootstrap servers. (versions 0+)
    #[serde(rename = "SourceBootstrap")]
    pub source_bootstrap: Vec<String>,
    /// The source cluster's id, or null. (versions 0+; nullable 0+)
    #[serde(rename = "SourceClusterId")]
    pub source_cluster_id: Option<String>,
    /// The user the link logs in to the source as, or null (never its password). (versions 0+; nullable 0+)
    #[serde(rename = "SourceUsername")]
    pub source_username: Option<String>,
    /// earliest, latest, or a time in milliseconds since the Unix epoch. (versions 0+)
    #[serde(rename = "StartPosition")]
    pub start_position: String,
    /// Whether it was asked to pause. (versions 0+)
    #[serde(rename = "Paused")]
    pub paused: bool,
    /// When it was made, in milliseconds since the Unix epoch. (versions 0+)
    #[serde(rename = "CreatedMs")]
    pub created_ms: i64,
    /// The principal that made it (User:name), or null. (versions 0+; nullable 0+)
    #[serde(rename = "RequestedBy")]
    pub requested_by: Option<String>,
    /// Its mirror topics. (versions 0+)
    #[serde(rename = "Mirrors")]
    pub mirrors: Vec<Mirror>,
    /// Its consumer groups. (versions 0+)
    #[serde(rename = "Groups")]
    pub groups: Vec<LinkGroup>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for Link {
    fn default() -> Self {
        Self {
            link_id: String::new(),
            error_code: 0,
            error_message: None,
            state: String::new(),
            error: None,
            source_bootstrap: Default::default(),
            source_cluster_id: None,
            source_username: None,
            start_position: String::new(),
            paused: false,
            created_ms: -1,
            requested_by: None,
            mirrors: Default::default(),
            groups: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl Link {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("LinkId", put_string(buf, &self.link_id, flexible))?;
        put_int16(buf, self.error_code);
        encode_field(
            "ErrorMessage",
            put_nullable_string(buf, self.error_message.as_deref(), flexible),
        )?;
        encode_field("State", put_string(buf, &self.state, flexible))?;
        encode_field("Error", put_nullable_string(buf, self.error.as_deref(), flexible))?;
        encode_field(
            "SourceBootstrap",
            put_array(buf, &self.source_bootstrap, flexible, |buf, item| {
                put_string(buf, item, flexible)
            }),
        )?;
        encode_field(
            "SourceClusterId",
            put_nullable_string(buf, self.source_cluster_id.as_deref(), flexible),
        )?;
        encode_field(
            "SourceUsername",
            put_nullable_string(buf, self.source_username.as_deref(), flexible),
        )?;
        encode_field("StartPosition", put_string(buf, &self.start_position, flexible))?;
        put_bool(buf, self.paused);
        put_int64(buf, self.created_ms);
        encode_field(
            "RequestedBy",
            put_nullable_string(buf, self.requested_by.as_deref(), flexible),
        )?;
        encode_field(
            "Mirrors",
            put_array(buf, &self.mirrors, flexible, |buf, item| item.write(buf, version)),
        )?;
        encode_field(
            "Groups",
            put_array(buf, &self.groups, flexible, |buf, item| item.write(buf, version)),
        )?;
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.link_id) = in_field("LinkId", (string(flexible))(input))?;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        (input, this.error_message) = in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        (input, this.state) = in_field("State", (string(flexible))(input))?;
        (input, this.error) = in_field("Error", (nullable_string(flexible))(input))?;
        (input, this.source_bootstrap) =
            in_field("SourceBootstrap", (array(flexible, string(flexible)))(input))?;
        (input, this.source_cluster_id) =
            in_field("SourceClusterId", (nullable_string(flexible))(input))?;
        (input, this.source_username) =
            in_field("SourceUsername", (nullable_string(flexible))(input))?;
        (input, this.start_position) = in_field("StartPosition", (string(flexible))(input))?;
        (input, this.paused) = in_field("Paused", boolean(input))?;
        (input, this.created_ms) = in_field("CreatedMs", int64(input))?;
        (input, this.requested_by) = in_field("RequestedBy", (nullable_string(flexible))(input))?;
        (input, this.mirrors) =
            in_field("Mirrors", (array(flexible, |i| Mirror::read(i, version)))(input))?;
        (input, this.groups) =
            in_field("Groups", (array(flexible, |i| LinkGroup::read(i, version)))(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            (
                crate::testing::any_string().boxed(),
                any::<i16>().boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
                crate::testing::any_string().boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
                proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
                crate::testing::any_string().boxed(),
                any::<bool>().boxed(),
                any::<i64>().boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
            ),
            (
                proptest::collection::vec(Mirror::arbitrary(version), 0..4).boxed(),
                proptest::collection::vec(LinkGroup::arbitrary(version), 0..4).boxed(),
            ),
        )
            .prop_map(
                |(
                    (
                        link_id,
                        error_code,
                        error_message,
                        state,
                        error,
                        source_bootstrap,
                        source_cluster_id,
                        source_username,
                        start_position,
                        paused,
                        created_ms,
                        requested_by,
                    ),
                    (mirrors, groups),
                )| Self {
                    link_id,
                    error_code,
                    error_message,
                    state,
                    error,
                    source_bootstrap,
                    source_cluster_id,
                    source_username,
                    start_position,
                    paused,
                    created_ms,
                    requested_by,
                    mirrors,
                    groups,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

/// Its mirror topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mirror {
    /// The topic's name, the same on both clusters. (versions 0+)
    #[serde(rename = "Topic")]
    pub topic: String,
    /// ACTIVE, PAUSED, PROMOTING, PROMOTED, FAILED or SOURCE_UNAVAILABLE. (versions 0+)
    #[serde(rename = "State")]
    pub state: String,
    /// Why it failed, or null. (versions 0+; nullable 0+)
    #[serde(rename = "Error")]
    pub error: Option<String>,
    /// Its partitions on the source, as last seen. (versions 0+)
    #[serde(rename = "PartitionCount")]
    pub partition_count: i32,
    /// Committed source records not copied yet, over its partitions. (versions 0+)
    #[serde(rename = "Lag")]
    pub lag: i64,
    /// The bytes of those records, estimated from the average size of the records copied so far, over its partitions that have copied one; -1 before any has. (versions 0+; tag 0)
    #[serde(rename = "LagBytes")]
    pub lag_bytes: i64,
    /// When it was promoted, or -1. (versions 0+)
    #[serde(rename = "PromotedMs")]
    pub promoted_ms: i64,
    /// For a promoted mirror: the records a failover left behind (0 for a promotion), or -1. (versions 0+)
    #[serde(rename = "NotCopied")]
    pub not_copied: i64,
    /// Each partition's copy (when asked for). (versions 0+)
    #[serde(rename = "Partitions")]
    pub partitions: Vec<MirrorPartition>,
    /// Producers writing to its source directly (not through a sidecar) over the server's window, by producer id, as its copies show them. (versions 0+; tag 1)
    #[serde(rename = "SourceWriters")]
    pub source_writers: Vec<SourceWriter>,
    /// Records written to its source without a producer id over the window, beyond those the sidecars routed: a producer without idempotence still writing there. (versions 0+; tag 2)
    #[serde(rename = "UnroutedRecords")]
    pub unrouted_records: i64,
    /// Whether the link has watched who writes to its source for a whole window. (versions 0+; tag 3)
    #[serde(rename = "WritersWatched")]
    pub writers_watched: bool,
    /// The clients whose writes to it a sidecar routed to the source (they write to this cluster now), the most recent first. (versions 0+; tag 4)
    #[serde(rename = "Switched")]
    pub switched: Vec<SwitchedClient>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for Mirror {
    fn default() -> Self {
        Self {
            topic: String::new(),
            state: String::new(),
            error: None,
            partition_count: 0,
            lag: 0,
            lag_bytes: -1,
            promoted_ms: -1,
            not_copied: -1,
            partitions: Default::default(),
            source_writers: Default::default(),
            unrouted_records: 0,
            writers_watched: false,
            switched: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl Mirror {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("Topic", put_string(buf, &self.topic, flexible))?;
        encode_field("State", put_string(buf, &self.state, flexible))?;
        encode_field("Error", put_nullable_string(buf, self.error.as_deref(), flexible))?;
        put_int32(buf, self.partition_count);
        put_int64(buf, self.lag);
        put_int64(buf, self.promoted_ms);
        put_int64(buf, self.not_copied);
        encode_field(
            "Partitions",
            put_array(buf, &self.partitions, flexible, |buf, item| item.write(buf, version)),
        )?;
        let mut known = Vec::new();
        if self.lag_bytes != -1 {
            known.push(
                tagged(0, |buf| {
                    put_int64(buf, self.lag_bytes);
                    Ok(())
                })
                .map_err(|e| e.in_field("LagBytes"))?,
            );
        }
        if !self.source_writers.is_empty() {
            known.push(
                tagged(1, |buf| {
                    put_array(buf, &self.source_writers, true, |buf, item| item.write(buf, version))
                })
                .map_err(|e| e.in_field("SourceWriters"))?,
            );
        }
        if self.unrouted_records != 0 {
            known.push(
                tagged(2, |buf| {
                    put_int64(buf, self.unrouted_records);
                    Ok(())
                })
                .map_err(|e| e.in_field("UnroutedRecords"))?,
            );
        }
        if self.writers_watched {
            known.push(
                tagged(3, |buf| {
                    put_bool(buf, self.writers_watched);
                    Ok(())
                })
                .map_err(|e| e.in_field("WritersWatched"))?,
            );
        }
        if !self.switched.is_empty() {
            known.push(
                tagged(4, |buf| {
                    put_array(buf, &self.switched, true, |buf, item| item.write(buf, version))
                })
                .map_err(|e| e.in_field("Switched"))?,
            );
        }
        put_tagged_fields(buf, known, &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.topic) = in_field("Topic", (string(flexible))(input))?;
        (input, this.state) = in_field("State", (string(flexible))(input))?;
        (input, this.error) = in_field("Error", (nullable_string(flexible))(input))?;
        (input, this.partition_count) = in_field("PartitionCount", int32(input))?;
        (input, this.lag) = in_field("Lag", int64(input))?;
        (input, this.promoted_ms) = in_field("PromotedMs", int64(input))?;
        (input, this.not_copied) = in_field("NotCopied", int64(input))?;
        (input, this.partitions) = in_field(
            "Partitions",
            (array(flexible, |i| MirrorPartition::read(i, version)))(input),
        )?;
        let mut known = Self::default();
        let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
            0 => {
                known.lag_bytes = in_tagged_field("LagBytes", tagged_value(0, value, int64))?;
                Ok(true)
            }
            1 => {
                known.source_writers = in_tagged_field(
                    "SourceWriters",
                    tagged_value(1, value, array(true, |i| SourceWriter::read(i, version))),
                )?;
                Ok(true)
            }
            2 => {
                known.unrouted_records =
                    in_tagged_field("UnroutedRecords", tagged_value(2, value, int64))?;
                Ok(true)
            }
            3 => {
                known.writers_watched =
                    in_tagged_field("WritersWatched", tagged_value(3, value, boolean))?;
                Ok(true)
            }
            4 => {
                known.switched = in_tagged_field(
                    "Switched",
                    tagged_value(4, value, array(true, |i| SwitchedClient::read(i, version))),
                )?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        this.lag_bytes = known.lag_bytes;
        this.source_writers = known.source_writers;
        this.unrouted_records = known.unrouted_records;
        this.writers_watched = known.writers_watched;
        this.switched = known.switched;
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
            (
                crate::testing::any_string().boxed(),
                crate::testing::any_string().boxed(),
                proptest::option::of(crate::testing::any_string()).boxed(),
                any::<i32>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                any::<i64>().boxed(),
                proptest::collection::vec(MirrorPartition::arbitrary(version), 0..4).boxed(),
                proptest::collection::vec(SourceWriter::arbitrary(version), 0..4).boxed(),
                any::<i64>().boxed(),
                any::<bool>().boxed(),
            ),
            (proptest::collection::vec(SwitchedClient::arbitrary(version), 0..4).boxed(),),
        )
            .prop_map(
                |(
                    (
                        topic,
                        state,
                        error,
                        partition_count,
                        lag,
                        lag_bytes,
                        promoted_ms,
                        not_copied,
                        partitions,
                        source_writers,
                        unrouted_records,
                        writers_watched,
                    ),
                    (switched,),
                )| Self {
                    topic,
                    state,
                    error,
                    partition_count,
                    lag,
                    lag_bytes,
                    promoted_ms,
                    not_copied,
                    partitions,
                    source_writers,
                    unrouted_records,
                    writers_watched,
                    switched,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

/// Its consumer groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkGroup {
    /// The group's id. (versions 0+)
    #[serde(rename = "Group")]
    pub group: String,
    /// When its offsets were last carried over, or -1. (versions 0+)
    #[serde(rename = "SyncedMs")]
    pub synced_ms: i64,
    /// Why they are not carried over now (members active here, an error), or null. (versions 0+; nullable 0+)
    #[serde(rename = "Waiting")]
    pub waiting: Option<String>,
    /// The group's offsets on this cluster for the mirrored partitions. (versions 0+)
    #[serde(rename = "Offsets")]
    pub offsets: Vec<GroupOffset>,
    /// ON_SOURCE (its consumers read the source: offsets carried over, members joining here through a sidecar held), MOVED (handed over: its members here go on from the carried offsets) or RETURNING (going back to the source). (versions 0+; tag 0)
    #[serde(rename = "Phase")]
    pub phase: String,
    /// When it was handed over to this cluster, or -1. (versions 0+; tag 1)
    #[serde(rename = "MovedMs")]
    pub moved_ms: i64,
    /// Its members on the source, as last seen: those not switched yet (or, once MOVED, come back). (versions 0+; tag 2)
    #[serde(rename = "SourceMembers")]
    pub source_members: Vec<SourceMember>,
    /// The last of its members a sidecar held while it was on the source, if recent (within 30 s): a member waiting here. (versions 0+; tag 3)
    #[serde(rename = "Held")]
    pub held: Vec<HeldMember>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for LinkGroup {
    fn default() -> Self {
        Self {
            group: String::new(),
            synced_ms: -1,
            waiting: None,
            offsets: Default::default(),
            phase: String::new(),
            moved_ms: -1,
            source_members: Default::default(),
            held: Default::default(),
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl LinkGroup {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("Group", put_string(buf, &self.group, flexible))?;
        put_int64(buf, self.synced_ms);
        encode_field("Waiting", put_nullable_string(buf, self.waiting.as_deref(), flexible))?;
        encode_field(
            "Offsets",
            put_array(buf, &self.offsets, flexible, |buf, item| item.write(buf, version)),
        )?;
        let mut known = Vec::new();
        if !self.phase.is_empty() {
            known.push(
                tagged(0, |buf| put_string(buf, &self.phase, true))
                    .map_err(|e| e.in_field("Phase"))?,
            );
        }
        if self.moved_ms != -1 {
            known.push(
                tagged(1, |buf| {
                    put_int64(buf, self.moved_ms);
                    Ok(())
                })
                .map_err(|e| e.in_field("MovedMs"))?,
            );
        }
        if !self.source_members.is_empty() {
            known.push(
                tagged(2, |buf| {
                    put_array(buf, &self.source_members, true, |buf, item| item.write(buf, version))
                })
                .map_err(|e| e.in_field("SourceMembers"))?,
            );
        }
        if !self.held.is_empty() {
            known.push(
                tagged(3, |buf| {
                    put_array(buf, &self.held, true, |buf, item| item.write(buf, version))
                })
                .map_err(|e| e.in_field("Held"))?,
            );
        }
        put_tagged_fields(buf, known, &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.group) = in_field("Group", (string(flexible))(input))?;
        (input, this.synced_ms) = in_field("SyncedMs", int64(input))?;
        (input, this.waiting) = in_field("Waiting", (nullable_string(flexible))(input))?;
        (input, this.offsets) =
            in_field("Offsets", (array(flexible, |i| GroupOffset::read(i, version)))(input))?;
        let mut known = Self::default();
        let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
            0 => {
                known.phase = in_tagged_field("Phase", tagged_value(0, value, string(true)))?;
                Ok(true)
            }
            1 => {
                known.moved_ms = in_tagged_field("MovedMs", tagged_value(1, value, int64))?;
                Ok(true)
            }
            2 => {
                known.source_members = in_tagged_field(
                    "SourceMembers",
                    tagged_value(2, value, array(true, |i| SourceMember::read(i, version))),
                )?;
                Ok(true)
            }
            3 => {
                known.held = in_tagged_field(
                    "Held",
                    tagged_value(3, value, array(true, |i| HeldMember::read(i, version))),
                )?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        this.phase = known.phase;
        this.moved_ms = known.moved_ms;
        this.source_members = known.source_members;
        this.held = known.held;
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
            any::<i64>().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            proptest::collection::vec(GroupOffset::arbitrary(version), 0..4).boxed(),
            crate::testing::any_string().boxed(),
            any::<i64>().boxed(),
            proptest::collection::vec(SourceMember::arbitrary(version), 0..4).boxed(),
            proptest::collection::vec(HeldMember::arbitrary(version), 0..4).boxed(),
        )
            .prop_map(
                |(group, synced_ms, waiting, offsets, phase, moved_ms, source_members, held)| {
                    Self {
                        group,
                        synced_ms,
                        waiting,
                        offsets,
                        phase,
                        moved_ms,
                        source_members,
                        held,
                        ..Self::default()
                    }
                },
            )
            .boxed()
    }
}

/// Each partition's copy (when asked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MirrorPartition {
    /// The partition. (versions 0+)
    #[serde(rename = "Partition")]
    pub partition: i32,
    /// IDENTICAL, SHIFTED or MAPPED: how its target offsets relate to the source's; EMPTY before anything is copied. (versions 0+)
    #[serde(rename = "Offsets")]
    pub offsets: String,
    /// For SHIFTED: target offset minus source offset. (versions 0+)
    #[serde(rename = "Shift")]
    pub shift: i64,
    /// For MAPPED: how many runs of consecutive offsets the exact map holds (one per gap in the source). (versions 0+)
    #[serde(rename = "Runs")]
    pub runs: i32,
    /// The source offset the copy reads next. (versions 0+)
    #[serde(rename = "SourceNext")]
    pub source_next: i64,
    /// The source partition's end for committed readers, as last seen. (versions 0+)
    #[serde(rename = "SourceEnd")]
    pub source_end: i64,
    /// Where the next copy lands on this cluster. (versions 0+)
    #[serde(rename = "TargetNext")]
    pub target_next: i64,
    /// Committed source records not copied yet. (versions 0+)
    #[serde(rename = "Lag")]
    pub lag: i64,
    /// The bytes of those records, estimated from the average size of the records copied so far (a client cannot learn the source's byte positions); -1 before the first is copied. (versions 0+; tag 0)
    #[serde(rename = "LagBytes")]
    pub lag_bytes: i64,
    /// Records copied. (versions 0+)
    #[serde(rename = "Records")]
    pub records: i64,
    /// Bytes copied. (versions 0+)
    #[serde(rename = "Bytes")]
    pub bytes: i64,
    /// Records the source deleted before they were copied. (versions 0+)
    #[serde(rename = "Lost")]
    pub lost: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Default for MirrorPartition {
    fn default() -> Self {
        Self {
            partition: 0,
            offsets: String::new(),
            shift: 0,
            runs: 0,
            source_next: 0,
            source_end: 0,
            target_next: 0,
            lag: 0,
            lag_bytes: -1,
            records: 0,
            bytes: 0,
            lost: 0,
            unknown_tagged_fields: UnknownTaggedFields::new(),
        }
    }
}

impl MirrorPartition {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        put_int32(buf, self.partition);
        encode_field("Offsets", put_string(buf, &self.offsets, flexible))?;
        put_int64(buf, self.shift);
        put_int32(buf, self.runs);
        put_int64(buf, self.source_next);
        put_int64(buf, self.source_end);
        put_int64(buf, self.target_next);
        put_int64(buf, self.lag);
        put_int64(buf, self.records);
        put_int64(buf, self.bytes);
        put_int64(buf, self.lost);
        let mut known = Vec::new();
        if self.lag_bytes != -1 {
            known.push(
                tagged(0, |buf| {
                    put_int64(buf, self.lag_bytes);
                    Ok(())
                })
                .map_err(|e| e.in_field("LagBytes"))?,
            );
        }
        put_tagged_fields(buf, known, &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.partition) = in_field("Partition", int32(input))?;
        (input, this.offsets) = in_field("Offsets", (string(flexible))(input))?;
        (input, this.shift) = in_field("Shift", int64(input))?;
        (input, this.runs) = in_field("Runs", int32(input))?;
        (input, this.source_next) = in_field("SourceNext", int64(input))?;
        (input, this.source_end) = in_field("SourceEnd", int64(input))?;
        (input, this.target_next) = in_field("TargetNext", int64(input))?;
        (input, this.lag) = in_field("Lag", int64(input))?;
        (input, this.records) = in_field("Records", int64(input))?;
        (input, this.bytes) = in_field("Bytes", int64(input))?;
        (input, this.lost) = in_field("Lost", int64(input))?;
        let mut known = Self::default();
        let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
            0 => {
                known.lag_bytes = in_tagged_field("LagBytes", tagged_value(0, value, int64))?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        this.lag_bytes = known.lag_bytes;
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
            any::<i32>().boxed(),
            crate::testing::any_string().boxed(),
            any::<i64>().boxed(),
            any::<i32>().boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
            any::<i64>().boxed(),
        )
            .prop_map(
                |(
                    partition,
                    offsets,
                    shift,
                    runs,
                    source_next,
                    source_end,
                    target_next,
                    lag,
                    lag_bytes,
                    records,
                    bytes,
                    lost,
                )| Self {
                    partition,
                    offsets,
                    shift,
                    runs,
                    source_next,
                    source_end,
                    target_next,
                    lag,
                    lag_bytes,
                    records,
                    bytes,
                    lost,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

/// Producers writing to its source directly (not through a sidecar) over the server's window, by producer id, as its copies show them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceWriter {
    /// The producer id on the source. (versions 0+)
    #[serde(rename = "ProducerId")]
    pub producer_id: i64,
    /// Its records copied over the window. (versions 0+)
    #[serde(rename = "Records")]
    pub records: i64,
    /// When the last of them was copied. (versions 0+)
    #[serde(rename = "LastMs")]
    pub last_ms: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl SourceWriter {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        put_int64(buf, self.producer_id);
        put_int64(buf, self.records);
        put_int64(buf, self.last_ms);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let mut this = Self::default();
        let mut input = input;
        (input, this.producer_id) = in_field("ProducerId", int64(input))?;
        (input, this.records) = in_field("Records", int64(input))?;
        (input, this.last_ms) = in_field("LastMs", int64(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (any::<i64>().boxed(), any::<i64>().boxed(), any::<i64>().boxed())
            .prop_map(|(producer_id, records, last_ms)| Self {
                producer_id,
                records,
                last_ms,
                ..Self::default()
            })
            .boxed()
    }
}

/// The clients whose writes to it a sidecar routed to the source (they write to this cluster now), the most recent first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SwitchedClient {
    /// The client id. (versions 0+)
    #[serde(rename = "ClientId")]
    pub client_id: String,
    /// The host it connected to the sidecar from. (versions 0+)
    #[serde(rename = "Host")]
    pub host: String,
    /// The principal it logged in as, or null. (versions 0+; nullable 0+)
    #[serde(rename = "Principal")]
    pub principal: Option<String>,
    /// The client software it named in ApiVersions, or null. (versions 0+; nullable 0+)
    #[serde(rename = "Software")]
    pub software: Option<String>,
    /// When a write of it was last routed. (versions 0+)
    #[serde(rename = "LastMs")]
    pub last_ms: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl SwitchedClient {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("ClientId", put_string(buf, &self.client_id, flexible))?;
        encode_field("Host", put_string(buf, &self.host, flexible))?;
        encode_field("Principal", put_nullable_string(buf, self.principal.as_deref(), flexible))?;
        encode_field("Software", put_nullable_string(buf, self.software.as_deref(), flexible))?;
        put_int64(buf, self.last_ms);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.client_id) = in_field("ClientId", (string(flexible))(input))?;
        (input, this.host) = in_field("Host", (string(flexible))(input))?;
        (input, this.principal) = in_field("Principal", (nullable_string(flexible))(input))?;
        (input, this.software) = in_field("Software", (nullable_string(flexible))(input))?;
        (input, this.last_ms) = in_field("LastMs", int64(input))?;
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
            crate::testing::any_string().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            any::<i64>().boxed(),
        )
            .prop_map(|(client_id, host, principal, software, last_ms)| Self {
                client_id,
                host,
                principal,
                software,
                last_ms,
                ..Self::default()
            })
            .boxed()
    }
}

/// The group's offsets on this cluster for the mirrored partitions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupOffset {
    /// The topic. (versions 0+)
    #[serde(rename = "Topic")]
    pub topic: String,
    /// The partition. (versions 0+)
    #[serde(rename = "Partition")]
    pub partition: i32,
    /// The committed offset. (versions 0+)
    #[serde(rename = "Offset")]
    pub offset: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl GroupOffset {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("Topic", put_string(buf, &self.topic, flexible))?;
        put_int32(buf, self.partition);
        put_int64(buf, self.offset);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.topic) = in_field("Topic", (string(flexible))(input))?;
        (input, this.partition) = in_field("Partition", int32(input))?;
        (input, this.offset) = in_field("Offset", int64(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (crate::testing::any_string().boxed(), any::<i32>().boxed(), any::<i64>().boxed())
            .prop_map(|(topic, partition, offset)| Self {
                topic,
                partition,
                offset,
                ..Self::default()
            })
            .boxed()
    }
}

/// Its members on the source, as last seen: those not switched yet (or, once MOVED, come back).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceMember {
    /// The member's client id. (versions 0+)
    #[serde(rename = "ClientId")]
    pub client_id: String,
    /// The address the source's coordinator sees it connect from. (versions 0+)
    #[serde(rename = "Host")]
    pub host: String,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl SourceMember {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("ClientId", put_string(buf, &self.client_id, flexible))?;
        encode_field("Host", put_string(buf, &self.host, flexible))?;
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.client_id) = in_field("ClientId", (string(flexible))(input))?;
        (input, this.host) = in_field("Host", (string(flexible))(input))?;
        (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (crate::testing::any_string().boxed(), crate::testing::any_string().boxed())
            .prop_map(|(client_id, host)| Self { client_id, host, ..Self::default() })
            .boxed()
    }
}

/// The last of its members a sidecar held while it was on the source, if recent (within 30 s): a member waiting here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeldMember {
    /// The member's client id. (versions 0+)
    #[serde(rename = "ClientId")]
    pub client_id: String,
    /// The address it connected to the sidecar from. (versions 0+)
    #[serde(rename = "Address")]
    pub address: String,
    /// The principal it logged in as, or null. (versions 0+; nullable 0+)
    #[serde(rename = "Principal")]
    pub principal: Option<String>,
    /// The client software it named in ApiVersions (name and version), or null. (versions 0+; nullable 0+)
    #[serde(rename = "Software")]
    pub software: Option<String>,
    /// When it was held. (versions 0+)
    #[serde(rename = "HeldMs")]
    pub held_ms: i64,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl HeldMember {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("ClientId", put_string(buf, &self.client_id, flexible))?;
        encode_field("Address", put_string(buf, &self.address, flexible))?;
        encode_field("Principal", put_nullable_string(buf, self.principal.as_deref(), flexible))?;
        encode_field("Software", put_nullable_string(buf, self.software.as_deref(), flexible))?;
        put_int64(buf, self.held_ms);
        put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.client_id) = in_field("ClientId", (string(flexible))(input))?;
        (input, this.address) = in_field("Address", (string(flexible))(input))?;
        (input, this.principal) = in_field("Principal", (nullable_string(flexible))(input))?;
        (input, this.software) = in_field("Software", (nullable_string(flexible))(input))?;
        (input, this.held_ms) = in_field("HeldMs", int64(input))?;
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
            crate::testing::any_string().boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            proptest::option::of(crate::testing::any_string()).boxed(),
            any::<i64>().boxed(),
        )
            .prop_map(|(client_id, address, principal, software, held_ms)| Self {
                client_id,
                address,
                principal,
                software,
                held_ms,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for DescribeLinksResponse {
    const API_KEY: i16 = 30014;
    const NAME: &'static str = "DescribeLinksResponse";
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
