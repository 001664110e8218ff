//! Consumer groups' progress carried over from the source, and each group's hand-over to the
//! target.
//!
//! While a group is on the source, each committed offset of a mirrored partition is translated
//! exactly ([`super::offsets`]) and committed on the target — only while the group has no members
//! there, only what the copy has reached, and never backwards — and its members joining the
//! target through a sidecar are held there. Once the source group has had no member for a quiet
//! time (its consumers stopped) and a member of it is waiting at a sidecar (started against the
//! target), its last offsets are carried over and it is handed over: the held members go on from
//! those offsets, and nothing is carried over any more. A group no one waits for stays on the
//! source, so that consumers stopped there, or handed back and not started yet, are not moved.
//! Handing back (a rollback) carries the target's offsets back to the source once no member is
//! left on the target; the group is then handed over by itself only after its consumers have
//! been back on the source — a member seen there, or an offset committed there since — so that
//! members still retrying on the target do not take it over again at once.

use std::collections::BTreeMap;

use adminwire_kafka::client::Client;
use adminwire_kafka::connection::ConnectionError;
use adminwire_kafka::groups::{self, Offsets};

use super::copy::{Key, Progress};
use super::state::{GroupMember, GroupMove, GroupPhase, GroupStatus, HeldMember};

/// How recently a member must have been held at a sidecar to count as waiting on the target.
pub const HELD_RECENTLY_MS: u64 = 30_000;

/// How the key of a group's offset is written in its status: `topic/partition`.
fn status_key((topic, partition): &Key) -> String {
    format!("{topic}/{partition}")
}

/// Offsets keyed as a group's status writes them.
fn keyed(offsets: &Offsets) -> BTreeMap<String, i64> {
    offsets.iter().map(|(k, v)| (status_key(k), *v)).collect()
}

/// What a group's look is given besides the group.
#[derive(Debug)]
pub struct Look<'a> {
    pub source: &'a Client,
    pub target: &'a Client,
    /// Every mirrored partition's copy.
    pub copies: &'a BTreeMap<Key, Progress>,
    /// How long the source group must have had no member before it is handed over (ms).
    pub quiet_ms: u64,
    /// Now, in ms since the Unix epoch.
    pub now: u64,
}

impl Look<'_> {
    fn recent(&self, held: Option<&HeldMember>) -> bool {
        held.is_some_and(|h| self.now.saturating_sub(h.at_ms) <= HELD_RECENTLY_MS)
    }
}

/// One look at `group`: its offsets carried over (or back), its phase moved on as its members,
/// the last of them held at a sidecar (`held`) and `asked` (an operator's request) say. A step
/// that cannot be taken now leaves the last offsets and says why in `waiting`.
pub async fn step(
    look: &Look<'_>,
    group: &str,
    last: &GroupStatus,
    asked: Option<GroupMove>,
    held: Option<&HeldMember>,
) -> Result<GroupStatus, ConnectionError> {
    let mut status = last.clone();
    status.waiting = None;
    status.held = held.filter(|_| look.recent(held)).cloned();
    if asked == Some(GroupMove::Back) && status.phase == GroupPhase::Moved {
        status.phase = GroupPhase::Returning;
    }
    match status.phase {
        GroupPhase::Moved => {
            // Nothing carried over, and no one waits. Its members on the source are watched, to
            // say if any came back; its offsets here are its members' own commits.
            status.held = None;
            if let Ok(members) = source_members(look, group).await? {
                status.source_members = members;
            }
            if let Ok(node) = groups::coordinator(look.target, group).await?
                && let Ok(offsets) = groups::committed(look.target, node, group).await?
            {
                status.offsets = keyed(&offsets);
            }
            Ok(status)
        }
        GroupPhase::Returning => carry_back(look, group, status).await,
        GroupPhase::OnSource => {
            carry_over(look, group, status, asked == Some(GroupMove::Now)).await
        }
    }
}

/// The group's members on the source, or why they could not be read.
async fn source_members(
    look: &Look<'_>,
    group: &str,
) -> Result<Result<Vec<GroupMember>, String>, ConnectionError> {
    let node = match groups::coordinator(look.source, group).await? {
        Ok(node) => node,
        Err(code) => return Ok(Err(format!("the source's coordinator: Kafka error {code}"))),
    };
    Ok(match groups::members(look.source, node, group).await? {
        Ok(members) => Ok(members
            .into_iter()
            .map(|m| GroupMember { client_id: m.client_id, host: m.host })
            .collect()),
        Err(code) => Err(format!("describing it on the source: Kafka error {code}")),
    })
}

/// On the source: offsets carried over; handed over once the source group has been empty for the
/// quiet time and its last offsets are on the target (or at once, `now`).
async fn carry_over(
    look: &Look<'_>,
    group: &str,
    mut status: GroupStatus,
    now: bool,
) -> Result<GroupStatus, ConnectionError> {
    let waiting = |mut status: GroupStatus, why: String| {
        status.waiting = Some(why);
        Ok(status)
    };
    let members = match source_members(look, group).await {
        Ok(members) => members,
        // Moving now is for a source that is gone: it does not wait for it.
        Err(e) if now => Err(e.to_string()),
        Err(e) => return Err(e),
    };
    match members {
        Ok(members) => {
            if !members.is_empty() {
                status.came_back();
            }
            status.source_empty_since_ms = match (members.is_empty(), status.source_empty_since_ms)
            {
                (false, _) => None,
                (true, since) => Some(since.unwrap_or(look.now)),
            };
            status.source_members = members;
        }
        Err(why) if now => status.waiting = Some(why),
        Err(why) => return waiting(status, why),
    }
    let carried = match carry(look, group, &mut status).await {
        Ok(carried) => carried,
        Err(e) if now => {
            status.waiting = Some(e.to_string());
            false
        }
        Err(e) => return Err(e),
    };
    let quiet = status
        .source_empty_since_ms
        .is_some_and(|since| look.now.saturating_sub(since) >= look.quiet_ms);
    // A member held since the source group went empty: one still waiting now, not one held
    // before the group was last handed back.
    let awaited = match (&status.held, status.source_empty_since_ms) {
        (Some(held), Some(since)) => held.at_ms >= since,
        _ => false,
    };
    // Handed back, it stays until its consumers have come back to the source: members still
    // retrying on the target must not take it over again at once.
    if now || (quiet && awaited && carried && !status.returned) {
        status.phase = GroupPhase::Moved;
        status.came_back();
        status.moved_ms = Some(look.now);
        status.source_empty_since_ms = None;
    }
    Ok(status)
}

/// Carries the source group's offsets over; whether every one of a mirrored partition is on the
/// target now (the copy has reached it and the target took it). Why not, in `status.waiting`.
async fn carry(
    look: &Look<'_>,
    group: &str,
    status: &mut GroupStatus,
) -> Result<bool, ConnectionError> {
    let on_source = match groups::coordinator(look.source, group).await? {
        Ok(node) => match groups::committed(look.source, node, group).await? {
            Ok(offsets) => offsets,
            Err(code) => {
                status.waiting = Some(format!("the source's offsets: Kafka error {code}"));
                return Ok(false);
            }
        },
        Err(code) => {
            status.waiting = Some(format!("the source's coordinator: Kafka error {code}"));
            return Ok(false);
        }
    };
    if status.returned && keyed(&on_source) != status.returned_offsets {
        status.came_back();
    }
    // Each mirrored partition's position, where the copy has reached it.
    let mut not_copied = 0;
    let mut translated = Offsets::new();
    for (key, offset) in &on_source {
        let Some(copy) = look.copies.get(key) else { continue };
        let there = match copy.map.translate(*offset, copy.source_next) {
            Some(there) => Some(there),
            // Nothing copied yet, and nothing to copy before the position: where the first copy
            // will land (a link started from the latest offset, an idle partition).
            None if copy.map.runs().is_empty() && *offset <= copy.source_next => {
                Some(copy.target_next())
            }
            None => None,
        };
        match there {
            Some(there) => {
                translated.insert(key.clone(), there);
            }
            None => not_copied += 1,
        }
    }
    let Some((node, on_target)) = target_offsets(look, group, status).await? else {
        return Ok(false);
    };
    let forward: Offsets = translated
        .into_iter()
        .filter(|(key, offset)| on_target.get(key).is_none_or(|now| offset > now))
        .collect();
    let refused = commit(look.target, node, group, &forward).await?;
    let mut offsets = on_target;
    offsets.extend(forward.into_iter().filter(|(key, _)| !refused.contains_key(key)));
    status.offsets = keyed(&offsets);
    status.synced_ms = Some(look.now);
    if !refused.is_empty() {
        status.waiting = Some(refusal(&refused));
        return Ok(false);
    }
    if not_copied > 0 {
        status.waiting =
            Some(format!("{not_copied} committed offset(s) on the source not copied here yet"));
        return Ok(false);
    }
    Ok(true)
}

/// The group's coordinator and committed offsets on `client`, once it has no member there;
/// None (why in `status.waiting`) otherwise.
async fn empty_group_offsets(
    client: &Client,
    side: &str,
    group: &str,
    status: &mut GroupStatus,
) -> Result<Option<(i32, Offsets)>, ConnectionError> {
    let node = match groups::coordinator(client, group).await? {
        Ok(node) => node,
        Err(code) => {
            status.waiting = Some(format!("the {side}'s coordinator: Kafka error {code}"));
            return Ok(None);
        }
    };
    match groups::members(client, node, group).await? {
        Ok(members) if members.is_empty() => {}
        Ok(members) => {
            status.waiting = Some(format!(
                "{} member(s) active on the {side}: their own commits count now",
                members.len()
            ));
            return Ok(None);
        }
        Err(code) => {
            status.waiting = Some(format!("describing it on the {side}: Kafka error {code}"));
            return Ok(None);
        }
    }
    match groups::committed(client, node, group).await? {
        Ok(offsets) => Ok(Some((node, offsets))),
        Err(code) => {
            status.waiting = Some(format!("the {side}'s offsets: Kafka error {code}"));
            Ok(None)
        }
    }
}

async fn target_offsets(
    look: &Look<'_>,
    group: &str,
    status: &mut GroupStatus,
) -> Result<Option<(i32, Offsets)>, ConnectionError> {
    empty_group_offsets(look.target, "target", group, status).await
}

/// Commits `offsets` for `group` through `node`: the partitions refused, with Kafka's error
/// (-1: no answer for it).
async fn commit(
    client: &Client,
    node: i32,
    group: &str,
    offsets: &Offsets,
) -> Result<BTreeMap<Key, i16>, ConnectionError> {
    if offsets.is_empty() {
        return Ok(BTreeMap::new());
    }
    let answers = groups::commit(client, node, group, offsets).await?;
    Ok(offsets
        .keys()
        .filter_map(|key| match answers.get(key) {
            Some(0) => None,
            code => Some((key.clone(), code.copied().unwrap_or(-1))),
        })
        .collect())
}

/// Why commits were refused, in words.
fn refusal(refused: &BTreeMap<Key, i16>) -> String {
    let each: Vec<String> = refused
        .iter()
        .map(|(key, code)| format!("{}: Kafka error {code}", status_key(key)))
        .collect();
    format!("commits refused ({})", each.join(", "))
}

/// Returning: once no member is left on the target, its offsets go back to the source (each
/// target position to the source record copied there, never moving the source backwards), and
/// the group is on the source again.
async fn carry_back(
    look: &Look<'_>,
    group: &str,
    mut status: GroupStatus,
) -> Result<GroupStatus, ConnectionError> {
    let Some((_, on_target)) = target_offsets(look, group, &mut status).await? else {
        status.waiting = status.waiting.map(|w| format!("going back to the source: {w}"));
        return Ok(status);
    };
    let Some((node, on_source)) =
        empty_group_offsets(look.source, "source", group, &mut status).await?
    else {
        return Ok(status);
    };
    let back: Offsets = on_target
        .iter()
        .filter_map(|(key, offset)| {
            let copy = look.copies.get(key)?;
            Some((key.clone(), copy.map.source_of(*offset, copy.source_next)))
        })
        .filter(|(key, offset)| on_source.get(key).is_none_or(|now| offset > now))
        .collect();
    let refused = commit(look.source, node, group, &back).await?;
    if !refused.is_empty() {
        status.waiting = Some(format!("going back to the source: {}", refusal(&refused)));
        return Ok(status);
    }
    let mut left_on_source = on_source;
    left_on_source.extend(back);
    status.offsets = keyed(&on_target);
    status.phase = GroupPhase::OnSource;
    status.returned = true;
    status.returned_offsets = keyed(&left_on_source);
    status.moved_ms = None;
    status.source_empty_since_ms = None;
    status.synced_ms = Some(look.now);
    Ok(status)
}
