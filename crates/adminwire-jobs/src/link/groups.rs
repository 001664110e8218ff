//! Consumer groups' progress carried over from the source: each committed offset of a mirrored
//! partition translated exactly ([`super::offsets`]) and committed on the target — only while
//! the group has no members there (its consumers moved over commit their own), only what the
//! copy has reached, and never backwards.

use std::collections::BTreeMap;

use adminwire_kafka::client::Client;
use adminwire_kafka::connection::ConnectionError;
use adminwire_kafka::groups::{self, Offsets};

use super::copy::{Key, Progress};
use super::state::GroupStatus;

/// How the key of a group's offset is written in its status: `topic/partition`.
fn status_key((topic, partition): &Key) -> String {
    format!("{topic}/{partition}")
}

/// Carries `group`'s offsets over for the partitions `copies` mirror; its status then (`now` ms
/// since the epoch). A group that cannot be carried over now keeps its last offsets and says why.
pub async fn sync(
    source: &Client,
    target: &Client,
    group: &str,
    copies: &BTreeMap<Key, Progress>,
    last: &GroupStatus,
    now: u64,
) -> Result<GroupStatus, ConnectionError> {
    let waiting = |why: String| GroupStatus { waiting: Some(why), ..last.clone() };
    let on_source = match groups::coordinator(source, group).await? {
        Ok(node) => match groups::committed(source, node, group).await? {
            Ok(offsets) => offsets,
            Err(code) => return Ok(waiting(format!("the source's offsets: Kafka error {code}"))),
        },
        Err(code) => return Ok(waiting(format!("the source's coordinator: Kafka error {code}"))),
    };
    // Each mirrored partition's position, where the copy has reached it.
    let translated: Offsets = on_source
        .iter()
        .filter_map(|(key, offset)| {
            let copy = copies.get(key)?;
            Some((key.clone(), copy.map.translate(*offset, copy.source_next)?))
        })
        .collect();
    let node = match groups::coordinator(target, group).await? {
        Ok(node) => node,
        Err(code) => return Ok(waiting(format!("the target's coordinator: Kafka error {code}"))),
    };
    match groups::members(target, node, group).await? {
        Ok(0) => {}
        Ok(n) => {
            return Ok(waiting(format!(
                "{n} member(s) active on the target: their own commits count now"
            )));
        }
        Err(code) => {
            return Ok(waiting(format!("describing it on the target: Kafka error {code}")));
        }
    }
    let on_target = match groups::committed(target, node, group).await? {
        Ok(offsets) => offsets,
        Err(code) => return Ok(waiting(format!("the target's offsets: Kafka error {code}"))),
    };
    let forward: Offsets = translated
        .into_iter()
        .filter(|(key, offset)| on_target.get(key).is_none_or(|now| offset > now))
        .collect();
    let mut status = GroupStatus {
        synced_ms: Some(now),
        offsets: on_target.iter().map(|(k, v)| (status_key(k), *v)).collect(),
        waiting: None,
    };
    if forward.is_empty() {
        return Ok(status);
    }
    let answers = groups::commit(target, node, group, &forward).await?;
    let mut refused = Vec::new();
    for (key, offset) in &forward {
        match answers.get(key) {
            Some(0) => {
                status.offsets.insert(status_key(key), *offset);
            }
            code => {
                refused.push(format!("{}: Kafka error {}", status_key(key), code.unwrap_or(&-1)))
            }
        }
    }
    if !refused.is_empty() {
        status.waiting = Some(format!("commits refused ({})", refused.join(", ")));
    }
    Ok(status)
}
