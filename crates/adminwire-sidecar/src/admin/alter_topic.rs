//! AlterTopic → Kafka's CreatePartitions (more partitions, optionally placed by hand) and
//! IncrementalAlterConfigs (added configs SET, deleted configs DELETE). Kafka cannot take
//! partitions away: asking for fewer is 1004 DecreasePartitionsNotAllowed.

use std::collections::{HashMap, HashSet};

use adminwire_protocol::generated::alter_topic_request::{AlterableTopic, ConfigEntry};
use adminwire_protocol::generated::alter_topic_response::TopicResult;
use adminwire_protocol::{AlterTopicRequest, AlterTopicResponse, ErrorCode};
use kafka_protocol::messages::create_partitions_request::{
    CreatePartitionsAssignment, CreatePartitionsTopic,
};
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::metadata_response::MetadataResponseTopic;
use kafka_protocol::messages::{
    BrokerId, CreatePartitionsRequest, CreatePartitionsResponse, IncrementalAlterConfigsRequest,
    IncrementalAlterConfigsResponse, MetadataRequest, MetadataResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use super::assignment::{self, Assignment};
use super::outcome::{self, Outcome};
use super::settle;
use crate::upstream::{Transport, Upstream};

/// Kafka's resource type for topics, and its config operations.
const TOPIC: i8 = 2;
const SET: i8 = 0;
const DELETE: i8 = 1;

pub async fn run(
    request: AlterTopicRequest,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<AlterTopicResponse, Failure> {
    let AlterTopicRequest {
        topic_name,
        partitions,
        replica_assignment,
        added_configs,
        deleted_configs,
        topics,
        timeout_ms,
        validate_only,
        ..
    } = request;
    // Version 0 alters one topic with the same fields version 1 gives each topic of a batch
    // (moved, not copied: the request is this command's to take apart).
    let topics = if version == 0 {
        vec![AlterableTopic {
            name: topic_name,
            partitions,
            replica_assignment,
            added_configs,
            deleted_configs,
            ..Default::default()
        }]
    } else {
        topics
    };
    if topics.is_empty() {
        return Err(Failure(ErrorCode::INVALID_REQUEST, "no topics to alter".into()));
    }
    let (timeout_ms, deadline) = super::cluster_timeout(version, timeout_ms, upstream, deadline);
    let validate_only = version >= 1 && validate_only;

    let repeated = outcome::repeated(topics.iter().map(|t| t.name.as_str()));
    // Each topic's index by name: names that are sent are unique (a repeated one fails here), so
    // the cluster's per-topic answers are matched in one lookup each.
    let index: HashMap<&str, usize> =
        topics.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(topics.len());
    let mut assignments: Vec<Option<Assignment>> = Vec::with_capacity(topics.len());
    for t in &topics {
        if repeated.contains(t.name.as_str()) {
            outcomes.push(Some(Outcome::failed(
                &t.name,
                ErrorCode::INVALID_REQUEST,
                "listed more than once",
            )));
            assignments.push(None);
            continue;
        }
        match check(t) {
            Ok(assignment) => {
                outcomes.push(None);
                assignments.push(assignment);
            }
            Err((code, message)) => {
                outcomes.push(Some(Outcome::failed(&t.name, code, message)));
                assignments.push(None);
            }
        }
    }

    // More partitions: compare with the current count first, so a decrease is 1004.
    let growing: Vec<usize> = (0..topics.len())
        .filter(|&i| outcomes[i].is_none() && topics[i].partitions != -1)
        .collect();
    if !growing.is_empty() {
        let names = growing.iter().map(|&i| {
            MetadataRequestTopic::default()
                .with_name(Some(TopicName(StrBytes::from_string(topics[i].name.clone()))))
        });
        let metadata: MetadataResponse = upstream
            .call(MetadataRequest::default().with_topics(Some(names.collect())), deadline)
            .await?;
        let described: HashMap<&str, &MetadataResponseTopic> = metadata
            .topics
            .iter()
            .filter_map(|t| t.name.as_ref().map(|n| (n.0.as_str(), t)))
            .collect();
        let mut create = Vec::new();
        for &i in &growing {
            let topic = &topics[i];
            let Some(current) = described.get(topic.name.as_str()) else {
                outcomes[i] = Some(Outcome::failed(
                    &topic.name,
                    ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                    "the cluster did not describe it",
                ));
                continue;
            };
            if current.error_code != 0 {
                outcomes[i] = Some(outcome::from_kafka(&topic.name, current.error_code, None));
                continue;
            }
            let now = current.partitions.len() as i32;
            if topic.partitions < now {
                outcomes[i] = Some(Outcome::failed(
                    &topic.name,
                    ErrorCode::DECREASE_PARTITIONS_NOT_ALLOWED,
                    format!(
                        "it has {now} partitions; partitions cannot be taken away (asked for {})",
                        topic.partitions
                    ),
                ));
                continue;
            }
            let assignments = match &assignments[i] {
                None => None,
                Some(parsed) => {
                    let adds = i64::from(topic.partitions) - i64::from(now);
                    if parsed.len() as i64 != adds {
                        outcomes[i] = Some(Outcome::failed(
                            &topic.name,
                            ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
                            format!(
                                "the assignment places {} partitions but going from {now} to {} adds {adds}",
                                parsed.len(),
                                topic.partitions,
                            ),
                        ));
                        continue;
                    }
                    Some(
                        parsed
                            .partitions()
                            .map(|r| {
                                CreatePartitionsAssignment::default()
                                    .with_broker_ids(r.iter().copied().map(BrokerId).collect())
                            })
                            .collect(),
                    )
                }
            };
            create.push(
                CreatePartitionsTopic::default()
                    .with_name(TopicName(StrBytes::from_string(topic.name.clone())))
                    .with_count(topic.partitions)
                    .with_assignments(assignments),
            );
        }
        if !create.is_empty() {
            let kafka = CreatePartitionsRequest::default()
                .with_topics(create)
                .with_timeout_ms(timeout_ms)
                .with_validate_only(validate_only);
            let response: CreatePartitionsResponse = upstream.call(kafka, deadline).await?;
            if !validate_only {
                let grown: Vec<(String, usize)> = response
                    .results
                    .iter()
                    .filter(|r| r.error_code == 0)
                    .filter_map(|r| index.get(r.name.0.as_str()).map(|&i| &topics[i]))
                    .map(|t| {
                        let partitions = usize::try_from(t.partitions).unwrap_or(0);
                        (t.name.clone(), partitions)
                    })
                    .collect();
                settle::until_visible(&grown, upstream, deadline).await;
            }
            for result in &response.results {
                if result.error_code != 0
                    && let Some(&i) = index.get(result.name.0.as_str())
                {
                    outcomes[i] = Some(outcome::from_kafka(
                        &topics[i].name,
                        result.error_code,
                        result.error_message.as_deref(),
                    ));
                }
            }
        }
    }

    // Configs, for the topics nothing has failed for yet.
    let configuring: Vec<usize> = (0..topics.len())
        .filter(|&i| {
            outcomes[i].is_none()
                && (!topics[i].added_configs.is_empty() || !topics[i].deleted_configs.is_empty())
        })
        .collect();
    if !configuring.is_empty() {
        let resources = configuring.iter().map(|&i| {
            let topic = &topics[i];
            let set = topic.added_configs.iter().map(|c| {
                AlterableConfig::default()
                    .with_name(StrBytes::from_string(c.key.clone()))
                    .with_config_operation(SET)
                    .with_value(Some(StrBytes::from_string(c.value.clone())))
            });
            let delete = topic.deleted_configs.iter().map(|k| {
                AlterableConfig::default()
                    .with_name(StrBytes::from_string(k.clone()))
                    .with_config_operation(DELETE)
            });
            AlterConfigsResource::default()
                .with_resource_type(TOPIC)
                .with_resource_name(StrBytes::from_string(topic.name.clone()))
                .with_configs(set.chain(delete).collect())
        });
        let kafka = IncrementalAlterConfigsRequest::default()
            .with_resources(resources.collect())
            .with_validate_only(validate_only);
        let response: IncrementalAlterConfigsResponse = upstream.call(kafka, deadline).await?;
        let mut changed = Vec::new();
        for result in &response.responses {
            let Some(&i) = index.get(result.resource_name.as_str()) else { continue };
            if result.error_code != 0 {
                outcomes[i] = Some(outcome::from_kafka(
                    &topics[i].name,
                    result.error_code,
                    result.error_message.as_deref(),
                ));
            } else if !validate_only {
                let topic = &topics[i];
                changed.push(settle::ConfigChange {
                    topic: &topic.name,
                    set: topic
                        .added_configs
                        .iter()
                        .map(|c| (c.key.as_str(), c.value.as_str()))
                        .collect(),
                    deleted: topic.deleted_configs.iter().map(String::as_str).collect(),
                });
            }
        }
        // Read-your-writes: the next command of this client sees the new configs.
        settle::until_configs_visible(&changed, upstream, deadline).await;
    }

    let outcomes: Vec<Outcome> = topics
        .iter()
        .zip(outcomes)
        .map(|(t, o)| o.unwrap_or_else(|| Outcome::ok(&t.name)))
        .collect();
    if version == 0 {
        let (error_code, error_message) = outcome::first_failure(&outcomes);
        return Ok(AlterTopicResponse { error_code, error_message, ..Default::default() });
    }
    let topics = outcomes
        .into_iter()
        .map(|o| TopicResult {
            name: o.name,
            error_code: o.code.0,
            error_message: o.message,
            ..Default::default()
        })
        .collect();
    Ok(AlterTopicResponse { topics, ..Default::default() })
}

/// What the draft has the server check before anything is sent; the parsed replica assignment,
/// if the topic has one.
fn check(topic: &AlterableTopic) -> Result<Option<Assignment>, (ErrorCode, String)> {
    let assignment = topic.replica_assignment.as_deref().filter(|a| !a.is_empty());
    match topic.partitions {
        -1 if assignment.is_some() => {
            return Err((
                ErrorCode::INVALID_ARGUMENT_PARTITIONS,
                "a replica assignment places new partitions: give the new partition count too"
                    .into(),
            ));
        }
        -1 => {}
        p if p < 1 => {
            return Err((
                ErrorCode::INVALID_ARGUMENT_PARTITIONS,
                format!("partitions must be at least 1, not {p}"),
            ));
        }
        _ => {}
    }
    let assignment = match assignment {
        None => None,
        Some(text) => Some(
            assignment::parse(text)
                .map_err(|e| (ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT, e))?,
        ),
    };
    let mut added = HashSet::new();
    for ConfigEntry { key, .. } in &topic.added_configs {
        if !added.insert(key.as_str()) {
            return Err((ErrorCode::INVALID_TOPIC_CONFIG, format!("config {key} is added twice")));
        }
    }
    if let Some(both) = topic.deleted_configs.iter().find(|k| added.contains(k.as_str())) {
        return Err((
            ErrorCode::INVALID_TOPIC_CONFIG,
            format!("config {both} is both added and deleted"),
        ));
    }
    if topic.partitions == -1 && topic.added_configs.is_empty() && topic.deleted_configs.is_empty()
    {
        return Err((
            ErrorCode::INVALID_REQUEST,
            "nothing to change: give partitions or configs".into(),
        ));
    }
    Ok(assignment)
}
