//! CreateTopic → Kafka's CreateTopics: each topic from partitions and replication factor, or from a
//! replica assignment, with its configs. What the seed asks the server to validate is checked here
//! with the extension's codes; the rest (names, unknown brokers, config values) by the cluster,
//! whose codes are mapped to the extension's where it has one.

use std::collections::{HashMap, HashSet};

use adminwire_protocol::generated::create_topic_request::CreatableTopic;
use adminwire_protocol::generated::create_topic_response::TopicResult;
use adminwire_protocol::{CreateTopicRequest, CreateTopicResponse, ErrorCode};
use kafka_protocol::messages::create_topics_request::{
    self, CreatableReplicaAssignment, CreatableTopicConfig,
};
use kafka_protocol::messages::{BrokerId, CreateTopicsRequest, CreateTopicsResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::outcome::{self, Outcome};
use super::settle;
use super::{Failure, assignment};
use crate::upstream::{Transport, Upstream};

pub async fn run(
    request: &CreateTopicRequest,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<CreateTopicResponse, Failure> {
    if request.topics.is_empty() {
        return Err(Failure(ErrorCode::INVALID_REQUEST, "no topics to create".into()));
    }
    let repeated = outcome::repeated(request.topics.iter().map(|t| t.name.as_str()));
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(request.topics.len());
    let mut to_create = Vec::new();
    for topic in &request.topics {
        if repeated.contains(topic.name.as_str()) {
            outcomes.push(Some(Outcome::failed(
                &topic.name,
                ErrorCode::INVALID_REQUEST,
                "listed more than once",
            )));
            continue;
        }
        match kafka_topic(topic) {
            Ok(creatable) => {
                to_create.push(creatable);
                outcomes.push(None);
            }
            Err((code, message)) => {
                outcomes.push(Some(Outcome::failed(&topic.name, code, message)))
            }
        }
    }

    if !to_create.is_empty() {
        let (timeout_ms, deadline) =
            super::cluster_timeout(version, request.timeout_ms, upstream, deadline);
        let kafka = CreateTopicsRequest::default()
            .with_topics(to_create)
            .with_timeout_ms(timeout_ms)
            .with_validate_only(version >= 1 && request.validate_only);
        let validate_only = kafka.validate_only;
        let response: CreateTopicsResponse = upstream.call(kafka, deadline).await?;
        if !validate_only {
            let created: Vec<(String, usize)> = response
                .topics
                .iter()
                .filter(|r| r.error_code == 0)
                .map(|r| {
                    let partitions = usize::try_from(r.num_partitions).unwrap_or(0);
                    (r.name.0.to_string(), partitions)
                })
                .collect();
            settle::until_visible(&created, upstream, deadline).await;
        }
        // Names sent are unique: a repeated name failed above and was not sent.
        let slots: HashMap<&str, usize> =
            request.topics.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
        for result in &response.topics {
            let name = result.name.0.as_str();
            if let Some(&slot) = slots.get(name) {
                outcomes[slot] = Some(outcome::from_kafka(
                    name,
                    result.error_code,
                    result.error_message.as_deref(),
                ));
            }
        }
    }
    let outcomes: Vec<Outcome> = request
        .topics
        .iter()
        .zip(outcomes)
        .map(|(t, o)| {
            o.unwrap_or_else(|| {
                Outcome::failed(
                    &t.name,
                    ErrorCode::UNKNOWN_SERVER_ERROR,
                    "the cluster did not answer for it",
                )
            })
        })
        .collect();
    Ok(respond(&outcomes, version))
}

fn respond(outcomes: &[Outcome], version: i16) -> CreateTopicResponse {
    if version == 0 {
        let (error_code, error_message) = outcome::first_failure(outcomes);
        return CreateTopicResponse { error_code, error_message, ..Default::default() };
    }
    let topics = outcomes
        .iter()
        .map(|o| TopicResult {
            name: o.name.clone(),
            error_code: o.code.0,
            error_message: o.message.clone(),
            ..Default::default()
        })
        .collect();
    CreateTopicResponse { topics, ..Default::default() }
}

/// The Kafka form of one topic, or the extension's error for what the seed has the server check.
fn kafka_topic(
    topic: &CreatableTopic,
) -> Result<create_topics_request::CreatableTopic, (ErrorCode, String)> {
    let mut creatable = create_topics_request::CreatableTopic::default()
        .with_name(TopicName(StrBytes::from_string(topic.name.clone())));
    if topic.replica_assignment.is_empty() {
        let partitions = match topic.partitions {
            -1 if topic.replication_factor != -1 => {
                return Err((
                    ErrorCode::INVALID_ARGUMENT_PARTITIONS,
                    "a replication factor was given without partitions".into(),
                ));
            }
            -1 => {
                return Err((
                    ErrorCode::INVALID_ARGUMENT_PARTITIONS,
                    "give partitions and a replication factor, or a replica assignment".into(),
                ));
            }
            p if p < 1 => {
                return Err((
                    ErrorCode::INVALID_ARGUMENT_PARTITIONS,
                    format!("partitions must be at least 1, not {p}"),
                ));
            }
            p => p,
        };
        let replication_factor = match topic.replication_factor {
            -1 => {
                return Err((
                    ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR,
                    "partitions were given without a replication factor".into(),
                ));
            }
            r if r < 1 || r > i32::from(i16::MAX) => {
                return Err((
                    ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR,
                    format!("replication factor must be between 1 and {}, not {r}", i16::MAX),
                ));
            }
            r => r as i16,
        };
        creatable =
            creatable.with_num_partitions(partitions).with_replication_factor(replication_factor);
    } else {
        if topic.partitions != -1 {
            return Err((
                ErrorCode::INVALID_ARGUMENT_PARTITIONS,
                "give partitions or a replica assignment, not both".into(),
            ));
        }
        if topic.replication_factor != -1 {
            return Err((
                ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR,
                "give a replication factor or a replica assignment, not both".into(),
            ));
        }
        let partitions = assignment::parse(&topic.replica_assignment)
            .map_err(|e| (ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT, e))?;
        // Kafka takes -1 for both when the assignment decides them.
        creatable = creatable.with_num_partitions(-1).with_replication_factor(-1).with_assignments(
            partitions
                .partitions()
                .enumerate()
                .map(|(index, replicas)| {
                    CreatableReplicaAssignment::default()
                        .with_partition_index(index as i32)
                        .with_broker_ids(replicas.iter().copied().map(BrokerId).collect())
                })
                .collect(),
        );
    }
    let mut seen = HashSet::new();
    for config in &topic.configs {
        if !seen.insert(config.key.as_str()) {
            return Err((
                ErrorCode::INVALID_TOPIC_CONFIG,
                format!("config {} is given twice", config.key),
            ));
        }
    }
    Ok(creatable.with_configs(
        topic
            .configs
            .iter()
            .map(|c| {
                CreatableTopicConfig::default()
                    .with_name(StrBytes::from_string(c.key.clone()))
                    .with_value(Some(StrBytes::from_string(c.value.clone())))
            })
            .collect(),
    ))
}
