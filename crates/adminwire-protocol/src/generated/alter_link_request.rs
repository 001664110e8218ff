//! `AlterLinkRequest` (API key 30015), generated from `protocol-specs/AlterLinkRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Pauses or resumes a cluster link, changes its topics and groups, or moves its groups between the clusters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlterLinkRequest {
    /// The link's id. (versions 0+)
    #[serde(rename = "LinkId")]
    pub link_id: String,
    /// 0: pause (copying and carrying over stop where they are), 1: resume, 2: change its topics and groups as the lists say, 3: hand the groups named in Groups over to this cluster now, without waiting for their source groups to be empty, 4: hand the groups named in Groups back to the source (their offsets here carried back once no member is left here). (versions 0+)
    #[serde(rename = "Action")]
    pub action: i8,
    /// For action 2: source topics to mirror too (their mirrors made as at creation). (versions 0+)
    #[serde(rename = "AddTopics")]
    pub add_topics: Vec<String>,
    /// For action 2: topics to mirror no longer (their topics here stay, writable). (versions 0+)
    #[serde(rename = "RemoveTopics")]
    pub remove_topics: Vec<String>,
    /// For action 2: groups whose offsets to carry over too. (versions 0+)
    #[serde(rename = "AddGroups")]
    pub add_groups: Vec<String>,
    /// For action 2: groups to carry over no longer. (versions 0+)
    #[serde(rename = "RemoveGroups")]
    pub remove_groups: Vec<String>,
    /// For actions 3 and 4: the linked groups to move. (versions 0+; tag 0)
    #[serde(rename = "Groups")]
    pub groups: Vec<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl AlterLinkRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("LinkId", put_string(buf, &self.link_id, flexible))?;
        put_int8(buf, self.action);
        encode_field(
            "AddTopics",
            put_array(buf, &self.add_topics, flexible, |buf, item| put_string(buf, item, flexible)),
        )?;
        encode_field(
            "RemoveTopics",
            put_array(buf, &self.remove_topics, flexible, |buf, item| {
                put_string(buf, item, flexible)
            }),
        )?;
        encode_field(
            "AddGroups",
            put_array(buf, &self.add_groups, flexible, |buf, item| put_string(buf, item, flexible)),
        )?;
        encode_field(
            "RemoveGroups",
            put_array(buf, &self.remove_groups, flexible, |buf, item| {
                put_string(buf, item, flexible)
            }),
        )?;
        let mut known = Vec::new();
        if !self.groups.is_empty() {
            known.push(
                tagged(0, |buf| {
                    put_array(buf, &self.groups, true, |buf, item| put_string(buf, item, true))
                })
                .map_err(|e| e.in_field("Groups"))?,
            );
        }
        put_tagged_fields(buf, known, &self.unknown_tagged_fields);
        Ok(())
    }

    pub(crate) fn read(input: &[u8], _version: i16) -> PResult<'_, Self> {
        let flexible = true;
        let mut this = Self::default();
        let mut input = input;
        (input, this.link_id) = in_field("LinkId", (string(flexible))(input))?;
        (input, this.action) = in_field("Action", int8(input))?;
        (input, this.add_topics) =
            in_field("AddTopics", (array(flexible, string(flexible)))(input))?;
        (input, this.remove_topics) =
            in_field("RemoveTopics", (array(flexible, string(flexible)))(input))?;
        (input, this.add_groups) =
            in_field("AddGroups", (array(flexible, string(flexible)))(input))?;
        (input, this.remove_groups) =
            in_field("RemoveGroups", (array(flexible, string(flexible)))(input))?;
        let mut known = Self::default();
        let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
            0 => {
                known.groups =
                    in_tagged_field("Groups", tagged_value(0, value, array(true, string(true))))?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        this.groups = known.groups;
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
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
            proptest::collection::vec(crate::testing::any_string(), 0..4).boxed(),
        )
            .prop_map(
                |(
                    link_id,
                    action,
                    add_topics,
                    remove_topics,
                    add_groups,
                    remove_groups,
                    groups,
                )| Self {
                    link_id,
                    action,
                    add_topics,
                    remove_topics,
                    add_groups,
                    remove_groups,
                    groups,
                    ..Self::default()
                },
            )
            .boxed()
    }
}

impl crate::Message for AlterLinkRequest {
    const API_KEY: i16 = 30015;
    const NAME: &'static str = "AlterLinkRequest";
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
