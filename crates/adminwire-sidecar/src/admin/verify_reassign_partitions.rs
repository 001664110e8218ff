//! VerifyReassignPartitions → Kafka's ListPartitionReassignments (the plan's partitions) and
//! Metadata (the plan's topics): per partition of the plan, in plan order, 0 while the cluster
//! still reports it as being reassigned, 1 once it is not and its replicas are the plan's, in the
//! plan's order (as `kafka-reassign-partitions --verify` compares them; Kafka keeps the order it
//! was given, preferred leader first), and -1 otherwise: not moving and not where the plan puts it.
//!
//! A topic or partition the cluster does not know is -1 for its partitions, the response's
//! `ErrorCode` staying 0 (it is not where the plan puts it, and never will be). Any other refusal
//! — of the whole request (CLUSTER_AUTHORIZATION_FAILED) or of a topic's metadata
//! (TOPIC_AUTHORIZATION_FAILED) — is the response's error, since the state is then unknown.

use std::collections::HashMap;
use std::time::Duration;

use adminwire_protocol::VerifyReassignPartitionsResponse;
use adminwire_protocol::generated::verify_reassign_partitions_response::ReassignmentResult;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{MetadataRequest, MetadataResponse};
use tokio::time::Instant;

use super::plan::{self, Move};
use super::reassign_partitions::{ongoing, topic_name};
use super::{Failure, outcome};
use crate::upstream::{Transport, Upstream};

pub const COMPLETED: i16 = 1;
pub const IN_PROGRESS: i16 = 0;
pub const FAILED: i16 = -1;

pub async fn run(
    moves: Vec<Move>,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<VerifyReassignPartitionsResponse, Failure> {
    let timeout_ms = upstream.config.upstream.request_timeout_ms as i32;
    let moving = ongoing(&moves, timeout_ms, upstream, deadline).await?;

    let topics: Vec<&str> = plan::by_topic(&moves).into_iter().map(|(t, _)| t).collect();
    let mut replicas = replicas_of(&topics, upstream, deadline).await?;
    // The replicas come from the client's broker, whose metadata can trail the controller's by a
    // moment: a move the controller has just finished may still show its old replicas there. A
    // partition that looks neither moving nor moved is looked at again before it is called failed.
    for _ in 0..CONFIRM_TRIES {
        let looks_failed = moves.iter().any(|m| state(m, &moving, &replicas) == FAILED);
        if !looks_failed || Instant::now() + CONFIRM_INTERVAL >= deadline {
            break;
        }
        tokio::time::sleep(CONFIRM_INTERVAL).await;
        replicas = replicas_of(&topics, upstream, deadline).await?;
    }
    let results = moves
        .iter()
        .map(|m| ReassignmentResult {
            topic: m.topic.clone(),
            partition: m.partition,
            result_code: state(m, &moving, &replicas),
            ..Default::default()
        })
        .collect();
    Ok(VerifyReassignPartitionsResponse { results, ..Default::default() })
}

/// How often, and how far apart, a partition that looks failed is looked at again.
const CONFIRM_TRIES: usize = 5;
const CONFIRM_INTERVAL: Duration = Duration::from_millis(200);

/// The replicas of each partition of `topics` the client's broker knows; unknown topics and
/// partitions are simply absent.
async fn replicas_of(
    topics: &[&str],
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<HashMap<(String, i32), Vec<i32>>, Failure> {
    // Never create a topic by verifying it, whatever the cluster's auto-creation setting.
    let metadata =
        MetadataRequest::default().with_allow_auto_topic_creation(false).with_topics(Some(
            topics
                .iter()
                .map(|t| MetadataRequestTopic::default().with_name(Some(topic_name(t))))
                .collect(),
        ));
    let metadata: MetadataResponse = upstream.call(metadata, deadline).await?;
    let mut replicas = HashMap::new();
    for topic in &metadata.topics {
        let Some(name) = &topic.name else { continue };
        match topic.error_code {
            0 => {
                for p in &topic.partitions {
                    replicas.insert(
                        (name.0.to_string(), p.partition_index),
                        p.replica_nodes.iter().map(|r| r.0).collect(),
                    );
                }
            }
            3 => {}
            code => {
                let failed = outcome::from_kafka(name.0.as_str(), code, None);
                return Err(Failure(
                    failed.code,
                    format!("topic {}: {}", name.0.as_str(), failed.message.unwrap_or_default()),
                ));
            }
        }
    }
    Ok(replicas)
}

fn state(
    m: &Move,
    moving: &std::collections::HashSet<(String, i32)>,
    replicas: &HashMap<(String, i32), Vec<i32>>,
) -> i16 {
    let key = (m.topic.clone(), m.partition);
    if moving.contains(&key) {
        IN_PROGRESS
    } else if replicas.get(&key) == Some(&m.replicas) {
        COMPLETED
    } else {
        FAILED
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn moving_wins_then_the_replicas_must_be_the_plans_in_order() {
        let m = Move { topic: "t".into(), partition: 0, replicas: vec![2, 3] };
        let key = ("t".to_owned(), 0);
        let none = HashSet::new();
        let moving: HashSet<_> = [key.clone()].into();
        let at = |r: Vec<i32>| HashMap::from([(key.clone(), r)]);
        assert_eq!(state(&m, &moving, &at(vec![1, 2, 3])), IN_PROGRESS);
        assert_eq!(state(&m, &none, &at(vec![2, 3])), COMPLETED);
        assert_eq!(state(&m, &none, &at(vec![3, 2])), FAILED);
        assert_eq!(state(&m, &none, &at(vec![1, 2])), FAILED);
        assert_eq!(state(&m, &none, &HashMap::new()), FAILED);
    }
}
