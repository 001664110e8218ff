//! ReassignPartitions → Kafka's AlterPartitionReassignments, from the `kafka-reassign-partitions`
//! JSON plan; it returns as soon as the cluster has accepted the plan, and the data moves in the
//! background (VerifyReassignPartitions tells when it is done).
//!
//! A plan that is not valid is refused with 1006 before anything is asked of the cluster. Then
//! ListPartitionReassignments asks whether any partition of the plan is already moving: if one is,
//! the whole plan is refused with 1010, because AlterPartitionReassignments would silently replace
//! the running reassignment. Otherwise the plan goes to the cluster, and each partition's result is
//! Kafka's, mapped to the extension's code where it has one (an unknown broker, Kafka's 39, is
//! 1006; an unknown topic or partition stays 3).

use std::collections::{HashMap, HashSet};

use adminwire_protocol::generated::reassign_partitions_response::PartitionResult;
use adminwire_protocol::{ErrorCode, ReassignPartitionsRequest, ReassignPartitionsResponse};
use kafka_protocol::messages::alter_partition_reassignments_request::{
    ReassignablePartition, ReassignableTopic,
};
use kafka_protocol::messages::alter_partition_reassignments_response::ReassignablePartitionResponse;
use kafka_protocol::messages::list_partition_reassignments_request::ListPartitionReassignmentsTopics;
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, BrokerId,
    ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use super::outcome::{self, Outcome};
use super::plan::{self, Move};
use crate::upstream::{Transport, Upstream};

pub async fn run(
    request: &ReassignPartitionsRequest,
    moves: Vec<Move>,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<ReassignPartitionsResponse, Failure> {
    let (timeout_ms, deadline) =
        super::cluster_timeout(version, request.timeout_ms, upstream, deadline);

    let moving = ongoing(&moves, timeout_ms, upstream, deadline).await?;
    if !moving.is_empty() {
        let names: Vec<String> =
            moves.iter().filter(|m| moving.contains(&key(m))).map(Move::name).collect();
        let message = format!(
            "a reassignment is already in progress for {}; the plan was not started (verify it \
             until it completes, or cancel it, then try again)",
            names.join(", ")
        );
        let outcomes: Vec<Outcome> = moves
            .iter()
            .map(|m| {
                let why = if moving.contains(&key(m)) {
                    "a reassignment of this partition is already in progress"
                } else {
                    "not started: other partitions of the plan are already being reassigned"
                };
                Outcome::failed(m.name(), ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS, why)
            })
            .collect();
        return Ok(respond(
            &moves,
            &outcomes,
            version,
            Some((ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS, message)),
        ));
    }

    let kafka =
        AlterPartitionReassignmentsRequest::default().with_timeout_ms(timeout_ms).with_topics(
            plan::by_topic(&moves)
                .into_iter()
                .map(|(topic, partitions)| {
                    ReassignableTopic::default().with_name(topic_name(topic)).with_partitions(
                        partitions
                            .into_iter()
                            .map(|m| {
                                ReassignablePartition::default()
                                    .with_partition_index(m.partition)
                                    .with_replicas(Some(
                                        m.replicas.iter().copied().map(BrokerId).collect(),
                                    ))
                            })
                            .collect(),
                    )
                })
                .collect(),
        );
    let response: AlterPartitionReassignmentsResponse = upstream.call(kafka, deadline).await?;
    if response.error_code != 0 {
        let failed =
            outcome::from_kafka("", response.error_code, response.error_message.as_deref());
        return Err(Failure(failed.code, failed.message.unwrap_or_default()));
    }
    let answered: HashMap<(&str, i32), &ReassignablePartitionResponse> = response
        .responses
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| ((t.name.0.as_str(), p.partition_index), p)))
        .collect();
    let outcomes: Vec<Outcome> = moves
        .iter()
        .map(|m| match answered.get(&(m.topic.as_str(), m.partition)) {
            Some(p) => outcome::from_kafka(&m.name(), p.error_code, p.error_message.as_deref()),
            None => Outcome::failed(
                m.name(),
                ErrorCode::UNKNOWN_SERVER_ERROR,
                "the cluster did not answer for it",
            ),
        })
        .collect();
    Ok(respond(&moves, &outcomes, version, None))
}

/// The partitions of `moves` that the cluster reports as being reassigned now, by
/// ListPartitionReassignments (which leaves out topics and partitions it does not know). A
/// refusal of the request as a whole (e.g. CLUSTER_AUTHORIZATION_FAILED) is the command's answer.
pub(super) async fn ongoing(
    moves: &[Move],
    timeout_ms: i32,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<HashSet<(String, i32)>, Failure> {
    let request =
        ListPartitionReassignmentsRequest::default().with_timeout_ms(timeout_ms).with_topics(Some(
            plan::by_topic(moves)
                .into_iter()
                .map(|(topic, partitions)| {
                    ListPartitionReassignmentsTopics::default()
                        .with_name(topic_name(topic))
                        .with_partition_indexes(partitions.iter().map(|m| m.partition).collect())
                })
                .collect(),
        ));
    let response: ListPartitionReassignmentsResponse = upstream.call(request, deadline).await?;
    if response.error_code != 0 {
        let failed =
            outcome::from_kafka("", response.error_code, response.error_message.as_deref());
        return Err(Failure(
            failed.code,
            format!(
                "listing the reassignments in progress: {}",
                failed.message.unwrap_or_default()
            ),
        ));
    }
    Ok(response
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| (t.name.0.to_string(), p.partition_index)))
        .collect())
}

fn key(m: &Move) -> (String, i32) {
    (m.topic.clone(), m.partition)
}

pub(super) fn topic_name(topic: &str) -> TopicName {
    TopicName(StrBytes::from_string(topic.to_owned()))
}

/// Version 1: one result per partition in plan order, and `refused` (if the plan as a whole was
/// refused) at the top. Version 0: `refused`, else the first failing partition's error.
fn respond(
    moves: &[Move],
    outcomes: &[Outcome],
    version: i16,
    refused: Option<(ErrorCode, String)>,
) -> ReassignPartitionsResponse {
    let (error_code, error_message) = match refused {
        Some((code, message)) => (code.0, Some(message)),
        None if version == 0 => outcome::first_failure(outcomes),
        None => (0, None),
    };
    if version == 0 {
        return ReassignPartitionsResponse { error_code, error_message, ..Default::default() };
    }
    let partitions = moves
        .iter()
        .zip(outcomes)
        .map(|(m, o)| PartitionResult {
            topic: m.topic.clone(),
            partition: m.partition,
            error_code: o.code.0,
            error_message: o.message.clone(),
            ..Default::default()
        })
        .collect();
    ReassignPartitionsResponse { error_code, error_message, partitions, ..Default::default() }
}
