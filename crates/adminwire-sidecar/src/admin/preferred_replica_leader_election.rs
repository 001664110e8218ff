//! PreferredReplicaLeaderElection → Kafka's ElectLeaders (v2, election type PREFERRED) for the
//! listed partitions, or for every partition when the request lists none (`topic_partitions`
//! null). The controller elects atomically and answers once it has: there is no election "in
//! progress" to collide with, so this never answers 1008 (docs/protocol.md, "Errors").
//!
//! A partition whose preferred replica already leads is not an error: Kafka's
//! ELECTION_NOT_NEEDED (84) becomes 0. Other per-partition errors are Kafka's own (83 when the
//! preferred replica is not in sync or down, 3 for an unknown partition); a client without ALTER
//! on the cluster gets the broker's CLUSTER_AUTHORIZATION_FAILED (31). Version 1 answers per
//! partition, version 0 with the first failure.

use std::collections::HashMap;

use adminwire_protocol::generated::preferred_replica_leader_election_response::PartitionResult;
use adminwire_protocol::{
    ErrorCode, PreferredReplicaLeaderElectionRequest, PreferredReplicaLeaderElectionResponse,
};
use kafka_protocol::messages::elect_leaders_request::TopicPartitions;
use kafka_protocol::messages::{ElectLeadersRequest, ElectLeadersResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use super::election::{Partitions, TopicPartition};
use super::outcome::{self, Outcome};
use crate::upstream::{Transport, Upstream};

/// ElectLeaders' election type that elects the preferred replica.
const PREFERRED: i8 = 0;
/// Kafka's ELECTION_NOT_NEEDED: the preferred replica already leads.
const ELECTION_NOT_NEEDED: i16 = 84;

pub async fn run(
    request: &PreferredReplicaLeaderElectionRequest,
    partitions: Partitions,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<PreferredReplicaLeaderElectionResponse, Failure> {
    let (timeout_ms, deadline) =
        super::cluster_timeout(version, request.timeout_ms, upstream, deadline);
    let topic_partitions = match &partitions {
        Partitions::All => None,
        Partitions::Listed(listed) => Some(by_topic(listed)),
    };
    let kafka = ElectLeadersRequest::default()
        .with_election_type(PREFERRED)
        .with_topic_partitions(topic_partitions)
        .with_timeout_ms(timeout_ms);
    let response: ElectLeadersResponse = upstream.call(kafka, deadline).await?;
    if response.error_code != 0 {
        let failed = outcome::from_kafka("the election", response.error_code, None);
        return Err(Failure(
            failed.code,
            format!(
                "the cluster refused the election: {}",
                failed.message.unwrap_or_else(|| failed.code.to_string())
            ),
        ));
    }
    let mut results: Vec<(TopicPartition, i16, Option<String>)> = response
        .replica_election_results
        .iter()
        .flat_map(|t| {
            t.partition_result.iter().map(|p| {
                (
                    TopicPartition { topic: t.topic.0.to_string(), partition: p.partition_id },
                    p.error_code,
                    p.error_message.as_ref().map(|m| m.to_string()),
                )
            })
        })
        .collect();
    let outcomes: Vec<(TopicPartition, Outcome)> = match partitions {
        Partitions::All => {
            // The controller leaves out the partitions whose preferred replica already leads.
            results.sort_by(|a, b| a.0.cmp(&b.0));
            results.into_iter().map(|(tp, code, message)| outcome_of(tp, code, message)).collect()
        }
        Partitions::Listed(listed) => {
            let mut answered: HashMap<TopicPartition, (i16, Option<String>)> =
                results.into_iter().map(|(tp, code, message)| (tp, (code, message))).collect();
            listed
                .into_iter()
                .map(|tp| match answered.remove(&tp) {
                    Some((code, message)) => outcome_of(tp, code, message),
                    None => {
                        let name = tp.name();
                        (
                            tp,
                            Outcome::failed(
                                name,
                                ErrorCode::UNKNOWN_SERVER_ERROR,
                                "the cluster did not answer for it",
                            ),
                        )
                    }
                })
                .collect()
        }
    };
    if version == 0 {
        let outcomes: Vec<Outcome> = outcomes.into_iter().map(|(_, o)| o).collect();
        let (error_code, error_message) = outcome::first_failure(&outcomes);
        return Ok(PreferredReplicaLeaderElectionResponse {
            error_code,
            error_message,
            ..Default::default()
        });
    }
    let partitions = outcomes
        .into_iter()
        .map(|(tp, o)| PartitionResult {
            topic: tp.topic,
            partition: tp.partition,
            error_code: o.code.0,
            error_message: o.message,
            ..Default::default()
        })
        .collect();
    Ok(PreferredReplicaLeaderElectionResponse { partitions, ..Default::default() })
}

/// ElectLeaders' request form: one entry per topic, in order of first appearance.
fn by_topic(listed: &[TopicPartition]) -> Vec<TopicPartitions> {
    let mut topics: Vec<TopicPartitions> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    for tp in listed {
        let i = *slot.entry(tp.topic.as_str()).or_insert_with(|| {
            topics.push(
                TopicPartitions::default()
                    .with_topic(TopicName(StrBytes::from_string(tp.topic.clone()))),
            );
            topics.len() - 1
        });
        topics[i].partitions.push(tp.partition);
    }
    topics
}

/// A partition's outcome; an election that was not needed succeeded.
fn outcome_of(tp: TopicPartition, code: i16, message: Option<String>) -> (TopicPartition, Outcome) {
    let name = tp.name();
    let outcome = if code == ELECTION_NOT_NEEDED {
        Outcome::ok(name)
    } else {
        outcome::from_kafka(&name, code, message.as_deref())
    };
    (tp, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_needed_is_success_and_other_codes_are_kafkas() {
        let tp = TopicPartition { topic: "t".into(), partition: 0 };
        assert_eq!(outcome_of(tp.clone(), 84, Some("not needed".into())).1, Outcome::ok("t-0"));
        let (_, o) = outcome_of(tp, 83, None);
        assert_eq!(o.code, ErrorCode::ELIGIBLE_LEADERS_NOT_AVAILABLE);
    }

    #[test]
    fn partitions_are_grouped_by_topic_in_order() {
        let listed = [("b", 1), ("a", 0), ("b", 0)]
            .map(|(t, p)| TopicPartition { topic: t.into(), partition: p });
        let topics = by_topic(&listed);
        let got: Vec<(&str, Vec<i32>)> =
            topics.iter().map(|t| (t.topic.0.as_str(), t.partitions.clone())).collect();
        assert_eq!(got, vec![("b", vec![1, 0]), ("a", vec![0])]);
    }
}
