//! VerifyPreferredReplicaLeaderElection → Kafka's Metadata (v12) of the listed partitions' topics,
//! or of every topic when the request lists none. Per partition, the preferred replica is the
//! first of its replica list, and the ResultCode says:
//!
//! - 1: it leads;
//! - 0: another replica leads and it is in the ISR, so an election would move leadership to it;
//! - -1: it is out of the ISR or offline, so it cannot lead.
//!
//! Results come in request order (every partition sorted by topic and partition when none is
//! listed). A listed partition that cannot be verified — its topic unknown or not visible to the
//! client, or no such partition — fails the whole request with the broker's code (3, 29), its
//! message naming the partition.

use std::collections::HashMap;

use adminwire_protocol::generated::verify_preferred_replica_leader_election_response::ElectionResult;
use adminwire_protocol::{ErrorCode, VerifyPreferredReplicaLeaderElectionResponse};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::metadata_response::MetadataResponsePartition;
use kafka_protocol::messages::{MetadataRequest, MetadataResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use super::election::{Partitions, TopicPartition};
use crate::upstream::{Transport, Upstream};

pub async fn run(
    partitions: Partitions,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<VerifyPreferredReplicaLeaderElectionResponse, Failure> {
    let topics = match &partitions {
        Partitions::All => None,
        Partitions::Listed(listed) => {
            let mut names: Vec<&str> = listed.iter().map(|tp| tp.topic.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            Some(
                names
                    .into_iter()
                    .map(|n| {
                        MetadataRequestTopic::default()
                            .with_name(Some(TopicName(StrBytes::from_string(n.to_owned()))))
                    })
                    .collect(),
            )
        }
    };
    // Never create a topic by verifying it, whatever the cluster's auto-creation setting.
    let kafka =
        MetadataRequest::default().with_allow_auto_topic_creation(false).with_topics(topics);
    let metadata: MetadataResponse = upstream.call(kafka, deadline).await?;
    let mut topic_errors: HashMap<String, i16> = HashMap::new();
    let mut found: HashMap<TopicPartition, &MetadataResponsePartition> = HashMap::new();
    for topic in &metadata.topics {
        let Some(name) = &topic.name else { continue };
        let name = name.0.to_string();
        if topic.error_code != 0 {
            topic_errors.insert(name, topic.error_code);
            continue;
        }
        for p in &topic.partitions {
            found.insert(TopicPartition { topic: name.clone(), partition: p.partition_index }, p);
        }
    }
    let order: Vec<TopicPartition> = match partitions {
        Partitions::All => {
            let mut all: Vec<TopicPartition> = found.keys().cloned().collect();
            all.sort();
            all
        }
        Partitions::Listed(listed) => listed,
    };
    let mut results = Vec::with_capacity(order.len());
    for tp in order {
        let Some(p) = found.get(&tp) else {
            return Err(cannot_verify(&tp, topic_errors.get(&tp.topic).copied()));
        };
        let (result_code, leader, preferred_leader) = state(p);
        results.push(ElectionResult {
            topic: tp.topic,
            partition: tp.partition,
            result_code,
            // Version 0 does not carry these; its encoder leaves them out.
            leader,
            preferred_leader,
            ..Default::default()
        });
    }
    Ok(VerifyPreferredReplicaLeaderElectionResponse { results, ..Default::default() })
}

/// (ResultCode, leader, preferred leader) of one partition.
fn state(p: &MetadataResponsePartition) -> (i16, i32, i32) {
    let leader = if p.leader_id.0 >= 0 { p.leader_id.0 } else { -1 };
    let Some(preferred) = p.replica_nodes.first().map(|r| r.0) else {
        return (-1, leader, -1);
    };
    let code = if leader == preferred {
        1
    } else if p.isr_nodes.iter().any(|r| r.0 == preferred)
        && !p.offline_replicas.iter().any(|r| r.0 == preferred)
    {
        0
    } else {
        -1
    };
    (code, leader, preferred)
}

/// The failure for a listed partition Metadata did not describe.
fn cannot_verify(tp: &TopicPartition, topic_error: Option<i16>) -> Failure {
    let name = tp.name();
    let (code, why) = match topic_error.map(ErrorCode) {
        None => (
            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            format!("topic '{}' has no partition {}", tp.topic, tp.partition),
        ),
        Some(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION) => {
            (ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, format!("topic '{}' does not exist", tp.topic))
        }
        Some(ErrorCode::TOPIC_AUTHORIZATION_FAILED) => (
            ErrorCode::TOPIC_AUTHORIZATION_FAILED,
            format!("not authorized to describe topic '{}'", tp.topic),
        ),
        Some(code) => (code, format!("the broker answered {code} for topic '{}'", tp.topic)),
    };
    Failure(code, format!("cannot verify {name}: {why}"))
}

#[cfg(test)]
mod tests {
    use kafka_protocol::messages::BrokerId;

    use super::*;

    fn partition(leader: i32, replicas: &[i32], isr: &[i32], offline: &[i32]) -> (i16, i32, i32) {
        let ids = |v: &[i32]| v.iter().map(|&i| BrokerId(i)).collect::<Vec<_>>();
        state(
            &MetadataResponsePartition::default()
                .with_leader_id(BrokerId(leader))
                .with_replica_nodes(ids(replicas))
                .with_isr_nodes(ids(isr))
                .with_offline_replicas(ids(offline)),
        )
    }

    #[test]
    fn result_codes() {
        assert_eq!(partition(1, &[1, 2, 3], &[1, 2, 3], &[]), (1, 1, 1));
        assert_eq!(partition(2, &[1, 2, 3], &[2, 3, 1], &[]), (0, 2, 1));
        assert_eq!(partition(2, &[1, 2, 3], &[2, 3], &[]), (-1, 2, 1));
        assert_eq!(partition(2, &[1, 2, 3], &[2, 3], &[1]), (-1, 2, 1));
        assert_eq!(partition(-1, &[1, 2], &[], &[1, 2]), (-1, -1, 1));
    }
}
