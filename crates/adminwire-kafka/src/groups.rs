//! Consumer groups as a cluster link carries their progress over: a group's coordinator, its
//! committed offsets, whether anyone is in it, and offsets committed for it as an admin does
//! (no generation, no member), which a broker takes only while the group has no members.

use std::collections::BTreeMap;

use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup;
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, DescribeGroupsRequest, FindCoordinatorRequest, GroupId,
    OffsetCommitRequest, OffsetFetchRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use crate::client::{Client, To};
use crate::connection::ConnectionError;

/// FindCoordinator's key type for a consumer group.
const GROUP: i8 = 0;
/// GROUP_ID_NOT_FOUND: a group the coordinator has never heard of.
const GROUP_ID_NOT_FOUND: i16 = 69;

/// A partition's committed offset, by topic and partition.
pub type Offsets = BTreeMap<(String, i32), i64>;

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

/// The broker coordinating `group`, or Kafka's error code (15: not available yet).
pub async fn coordinator(
    client: &Client,
    group: &str,
) -> Result<Result<i32, i16>, ConnectionError> {
    find_coordinator(client, GROUP, group).await
}

/// The broker coordinating `key` of `key_type` (0: a group, 1: a transactional id), or Kafka's
/// error code.
pub(crate) async fn find_coordinator(
    client: &Client,
    key_type: i8,
    key: &str,
) -> Result<Result<i32, i16>, ConnectionError> {
    let request = FindCoordinatorRequest::default()
        .with_key_type(key_type)
        .with_key(text(key))
        .with_coordinator_keys(vec![text(key)]);
    let answer = client.call(To::Any, request).await?;
    // Version 4 and later answer per key; earlier ones at the top.
    let (code, node) = match answer.coordinators.first() {
        Some(c) => (c.error_code, c.node_id.0),
        None => (answer.error_code, answer.node_id.0),
    };
    if code != 0 {
        return Ok(Err(code));
    }
    // The coordinator's address comes with the cluster's metadata.
    client.brokers().await?;
    Ok(Ok(node))
}

/// The offsets `group` has committed (through `coordinator`), or Kafka's error code.
pub async fn committed(
    client: &Client,
    coordinator: i32,
    group: &str,
) -> Result<Result<Offsets, i16>, ConnectionError> {
    let request = OffsetFetchRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_topics(None)
        .with_groups(vec![
            OffsetFetchRequestGroup::default()
                .with_group_id(GroupId(text(group)))
                .with_topics(None),
        ]);
    let answer = client.call(To::Broker(coordinator), request).await?;
    let mut offsets = Offsets::new();
    // Version 8 and later answer per group; earlier ones at the top.
    if let Some(g) = answer.groups.first() {
        if g.error_code != 0 {
            return Ok(Err(g.error_code));
        }
        for t in &g.topics {
            for p in t.partitions.iter().filter(|p| p.error_code == 0 && p.committed_offset >= 0) {
                offsets.insert((t.name.to_string(), p.partition_index), p.committed_offset);
            }
        }
    } else {
        if answer.error_code != 0 {
            return Ok(Err(answer.error_code));
        }
        for t in &answer.topics {
            for p in t.partitions.iter().filter(|p| p.error_code == 0 && p.committed_offset >= 0) {
                offsets.insert((t.name.to_string(), p.partition_index), p.committed_offset);
            }
        }
    }
    Ok(Ok(offsets))
}

/// A member of a group, as its coordinator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub client_id: String,
    /// The address the coordinator sees it connect from.
    pub host: String,
}

/// The members `group` has now (none for a group that does not exist), or Kafka's error code.
/// A group of KIP-848's consumer protocol is not a classic group: DescribeGroups answers it as
/// not found, so ConsumerGroupDescribe is asked then (where the broker offers it).
pub async fn members(
    client: &Client,
    coordinator: i32,
    group: &str,
) -> Result<Result<Vec<Member>, i16>, ConnectionError> {
    let request = DescribeGroupsRequest::default().with_groups(vec![GroupId(text(group))]);
    let answer = client.call(To::Broker(coordinator), request).await?;
    match answer.groups.first() {
        Some(g) if g.error_code == GROUP_ID_NOT_FOUND || g.group_state.as_str() == "Dead" => {}
        Some(g) if g.error_code == 0 => {
            return Ok(Ok(g
                .members
                .iter()
                .map(|m| Member {
                    client_id: m.client_id.to_string(),
                    host: m.client_host.to_string(),
                })
                .collect()));
        }
        Some(g) => return Ok(Err(g.error_code)),
        None => return Ok(Ok(Vec::new())),
    }
    consumer_group_members(client, coordinator, group).await
}

/// The members of `group` if it is a group of KIP-848's consumer protocol (none if it is not, or
/// if the broker predates that protocol), or Kafka's error code.
async fn consumer_group_members(
    client: &Client,
    coordinator: i32,
    group: &str,
) -> Result<Result<Vec<Member>, i16>, ConnectionError> {
    let request =
        ConsumerGroupDescribeRequest::default().with_group_ids(vec![GroupId(text(group))]);
    let answer = match client.call(To::Broker(coordinator), request).await {
        Ok(answer) => answer,
        Err(ConnectionError::Version(_)) => return Ok(Ok(Vec::new())),
        Err(e) => return Err(e),
    };
    Ok(match answer.groups.first() {
        Some(g) if g.error_code == 0 => Ok(g
            .members
            .iter()
            .map(|m| Member { client_id: m.client_id.to_string(), host: m.client_host.to_string() })
            .collect()),
        Some(g) if g.error_code == GROUP_ID_NOT_FOUND => Ok(Vec::new()),
        Some(g) => Err(g.error_code),
        None => Ok(Vec::new()),
    })
}

/// Commits `offsets` for `group` as an admin does; Kafka's error code for each partition
/// (25 UNKNOWN_MEMBER_ID or 22 ILLEGAL_GENERATION: the group has members now).
pub async fn commit(
    client: &Client,
    coordinator: i32,
    group: &str,
    offsets: &Offsets,
) -> Result<BTreeMap<(String, i32), i16>, ConnectionError> {
    let mut topics: BTreeMap<&str, Vec<OffsetCommitRequestPartition>> = BTreeMap::new();
    for ((topic, partition), offset) in offsets {
        topics.entry(topic.as_str()).or_default().push(
            OffsetCommitRequestPartition::default()
                .with_partition_index(*partition)
                .with_committed_offset(*offset)
                .with_committed_leader_epoch(-1),
        );
    }
    let request = OffsetCommitRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_generation_id_or_member_epoch(-1)
        .with_member_id(StrBytes::default())
        .with_retention_time_ms(-1)
        .with_topics(
            topics
                .into_iter()
                .map(|(t, p)| {
                    OffsetCommitRequestTopic::default()
                        .with_name(TopicName(text(t)))
                        .with_partitions(p)
                })
                .collect(),
        );
    let answer = client.call(To::Broker(coordinator), request).await?;
    Ok(answer
        .topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(move |p| ((t.name.to_string(), p.partition_index), p.error_code))
        })
        .collect())
}
