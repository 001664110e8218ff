//! `PromoteMirrorRequest` (API key 30016), generated from `protocol-specs/PromoteMirrorRequest.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// Promotes a mirror topic to an ordinary, writable one: once everything is copied and the source has stopped growing (a promotion), or at once (a failover, which reports what was not copied).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PromoteMirrorRequest {
    /// The link's id. (versions 0+)
    #[serde(rename = "LinkId")]
    pub link_id: String,
    /// The mirror topic. (versions 0+)
    #[serde(rename = "Topic")]
    pub topic: String,
    /// True to promote at once, whatever is not copied yet. (versions 0+)
    #[serde(rename = "Failover")]
    pub failover: bool,
    /// Promote even though producers or consumer groups of the mirror are still on the source (without it, such a promotion is refused with 1016, naming them). A failover is never checked. (versions 0+; tag 0)
    #[serde(rename = "Force")]
    pub force: bool,
    /// Undo the mirror's promotion instead, as long as nothing has been written to it since (1014 otherwise; 42 for a mirror not promoted): it is copied again, and read-only or routed to clients. (versions 0+; tag 1)
    #[serde(rename = "Undo")]
    pub undo: bool,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl PromoteMirrorRequest {
    pub(crate) fn write(&self, buf: &mut BytesMut, _version: i16) -> Result<(), EncodeError> {
        let flexible = true;
        encode_field("LinkId", put_string(buf, &self.link_id, flexible))?;
        encode_field("Topic", put_string(buf, &self.topic, flexible))?;
        put_bool(buf, self.failover);
        let mut known = Vec::new();
        if self.force {
            known.push(
                tagged(0, |buf| {
                    put_bool(buf, self.force);
                    Ok(())
                })
                .map_err(|e| e.in_field("Force"))?,
            );
        }
        if self.undo {
            known.push(
                tagged(1, |buf| {
                    put_bool(buf, self.undo);
                    Ok(())
                })
                .map_err(|e| e.in_field("Undo"))?,
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
        (input, this.topic) = in_field("Topic", (string(flexible))(input))?;
        (input, this.failover) = in_field("Failover", boolean(input))?;
        let mut known = Self::default();
        let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
            0 => {
                known.force = in_tagged_field("Force", tagged_value(0, value, boolean))?;
                Ok(true)
            }
            1 => {
                known.undo = in_tagged_field("Undo", tagged_value(1, value, boolean))?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        this.force = known.force;
        this.undo = known.undo;
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
            crate::testing::any_string().boxed(),
            any::<bool>().boxed(),
            any::<bool>().boxed(),
            any::<bool>().boxed(),
        )
            .prop_map(|(link_id, topic, failover, force, undo)| Self {
                link_id,
                topic,
                failover,
                force,
                undo,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for PromoteMirrorRequest {
    const API_KEY: i16 = 30016;
    const NAME: &'static str = "PromoteMirrorRequest";
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
