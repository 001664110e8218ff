//! DescribeTopic → Kafka's Metadata for the named topics, then DescribeConfigs for the ones the
//! broker described: per partition the leader, replicas and ISR, and only the configs set on the
//! topic itself (source `TOPIC_CONFIG`), never the broker's defaults. Version 0 names one topic and
//! answers at the top level; version 1 answers each name of its batch, in request order.
//!
//! Both requests run as the client, so a topic it may not describe is refused by the broker
//! (TOPIC_AUTHORIZATION_FAILED) and passed on, like an unknown topic (UNKNOWN_TOPIC_OR_PARTITION).

use std::collections::{HashMap, HashSet};

use adminwire_protocol::generated::describe_topic_response::{
    ConfigEntry, DescribedTopic, TopicConfigDetails, TopicDescription, TopicPartitionDetails,
};
use adminwire_protocol::{DescribeTopicRequest, DescribeTopicResponse, ErrorCode};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::metadata_response::MetadataResponseTopic;
use kafka_protocol::messages::{
    DescribeConfigsRequest, DescribeConfigsResponse, MetadataRequest, MetadataResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use crate::upstream::{Transport, Upstream};

/// DescribeConfigs' resource type of a topic.
const RESOURCE_TOPIC: i8 = 2;
/// DescribeConfigs' config source of a value set on the topic itself (`TOPIC_CONFIG`, which is
/// also how KRaft reports a dynamic topic override, e.g. one set with `kafka-topics --config`).
const SOURCE_TOPIC_CONFIG: i8 = 1;

/// One topic's answer: its description, or why there is none.
type Outcome = Result<TopicDescription, (ErrorCode, String)>;

pub async fn run(
    request: &DescribeTopicRequest,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<DescribeTopicResponse, Failure> {
    if version == 0 {
        let names = std::slice::from_ref(&request.topic_name);
        let outcome = describe(names, upstream, deadline).await?.pop().expect("one per name");
        return Ok(match outcome {
            Ok(description) => {
                DescribeTopicResponse { topic_description: Some(description), ..Default::default() }
            }
            Err((code, message)) => DescribeTopicResponse {
                error_code: code.0,
                error_message: Some(message),
                ..Default::default()
            },
        });
    }
    if request.topic_names.is_empty() {
        return Err(Failure(
            ErrorCode::INVALID_REQUEST,
            "DescribeTopic names no topic: TopicNames must list at least one".to_owned(),
        ));
    }
    let outcomes = describe(&request.topic_names, upstream, deadline).await?;
    let topics = request
        .topic_names
        .iter()
        .zip(outcomes)
        .map(|(name, outcome)| match outcome {
            Ok(description) => DescribedTopic {
                name: name.clone(),
                topic_description: Some(description),
                ..Default::default()
            },
            Err((code, message)) => DescribedTopic {
                name: name.clone(),
                error_code: code.0,
                error_message: Some(message),
                ..Default::default()
            },
        })
        .collect();
    Ok(DescribeTopicResponse { topics, ..Default::default() })
}

/// Describes each of `names` (one outcome per name, in order; a name given twice is asked once).
async fn describe(
    names: &[String],
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<Vec<Outcome>, Failure> {
    let mut asked: Vec<&str> = names.iter().map(String::as_str).filter(|n| !n.is_empty()).collect();
    asked.sort_unstable();
    asked.dedup();
    let mut found: HashMap<String, Outcome> = HashMap::new();
    if !asked.is_empty() {
        // Never create a topic by describing it, whatever the cluster's auto-creation setting.
        let request =
            MetadataRequest::default().with_allow_auto_topic_creation(false).with_topics(Some(
                asked
                    .iter()
                    .map(|n| {
                        MetadataRequestTopic::default()
                            .with_name(Some(TopicName(StrBytes::from_string((*n).to_owned()))))
                    })
                    .collect(),
            ));
        let metadata: MetadataResponse = upstream.call(request, deadline).await?;
        for topic in &metadata.topics {
            if let Some(name) = &topic.name {
                found.insert(name.0.to_string(), from_metadata(name.0.as_str(), topic));
            }
        }
        let described: Vec<&str> =
            asked.iter().copied().filter(|n| matches!(found.get(*n), Some(Ok(_)))).collect();
        if !described.is_empty() {
            add_configs(&described, &mut found, upstream, deadline).await?;
        }
    }
    Ok(names
        .iter()
        .map(|name| {
            if name.is_empty() {
                return Err((
                    ErrorCode::INVALID_TOPIC_EXCEPTION,
                    "a topic name must not be empty".to_owned(),
                ));
            }
            found.get(name.as_str()).cloned().unwrap_or_else(|| {
                Err((
                    ErrorCode::UNKNOWN_SERVER_ERROR,
                    format!("the broker's Metadata response left out topic '{name}'"),
                ))
            })
        })
        .collect())
}

/// A topic's partitions as Metadata reports them, sorted by id; configs are added later.
fn from_metadata(name: &str, topic: &MetadataResponseTopic) -> Outcome {
    if topic.error_code != 0 {
        let code = ErrorCode(topic.error_code);
        return Err((code, topic_error(code, "describe", name, None)));
    }
    let mut partitions: Vec<TopicPartitionDetails> = topic
        .partitions
        .iter()
        .map(|p| TopicPartitionDetails {
            partition_id: p.partition_index,
            leader: if p.leader_id.0 >= 0 { p.leader_id.0 } else { -1 },
            replicas: p.replica_nodes.iter().map(|r| r.0).collect(),
            isr: p.isr_nodes.iter().map(|r| r.0).collect(),
            ..Default::default()
        })
        .collect();
    partitions.sort_by_key(|p| p.partition_id);
    // As kafka-topics reports it: partition 0's replica count (the first partition's, should a
    // topic ever lack partition 0).
    let replication_factor = partitions.first().map_or(0, |p| p.replicas.len());
    Ok(TopicDescription {
        topic_name: name.to_owned(),
        topic_config_details: TopicConfigDetails {
            partitions: i32::try_from(partitions.len()).unwrap_or(i32::MAX),
            replication_factor: i32::try_from(replication_factor).unwrap_or(i32::MAX),
            ..Default::default()
        },
        topic_partition_details: partitions,
        ..Default::default()
    })
}

/// Asks DescribeConfigs for every config of the `described` topics and keeps, in each
/// description, the ones set on the topic; a topic whose configs the broker refuses gets that
/// error instead.
async fn add_configs(
    described: &[&str],
    found: &mut HashMap<String, Outcome>,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<(), Failure> {
    let request = DescribeConfigsRequest::default().with_resources(
        described
            .iter()
            .map(|n| {
                DescribeConfigsResource::default()
                    .with_resource_type(RESOURCE_TOPIC)
                    .with_resource_name(StrBytes::from_string((*n).to_owned()))
                    // `None`: every config.
                    .with_configuration_keys(None)
            })
            .collect(),
    );
    let response: DescribeConfigsResponse = upstream.call(request, deadline).await?;
    let mut answered: HashSet<&str> = HashSet::new();
    for result in &response.results {
        let name = result.resource_name.as_str();
        if result.resource_type != RESOURCE_TOPIC {
            continue;
        }
        let Some(outcome) = found.get_mut(name) else { continue };
        answered.insert(name);
        if result.error_code != 0 {
            let code = ErrorCode(result.error_code);
            let detail = result.error_message.as_ref().map(|m| m.as_str());
            *outcome = Err((code, topic_error(code, "describe the configs of", name, detail)));
            continue;
        }
        if let Ok(description) = outcome {
            let mut configs: Vec<ConfigEntry> = result
                .configs
                .iter()
                .filter(|c| c.config_source == SOURCE_TOPIC_CONFIG)
                .map(|c| ConfigEntry {
                    key: c.name.to_string(),
                    // A sensitive value is not disclosed (null); the extension's value is a
                    // string, so it is sent empty.
                    value: c.value.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                    ..Default::default()
                })
                .collect();
            configs.sort_by(|a, b| a.key.cmp(&b.key));
            description.topic_config_details.configs = configs;
        }
    }
    for name in described {
        if !answered.contains(name) {
            found.insert(
                (*name).to_owned(),
                Err((
                    ErrorCode::UNKNOWN_SERVER_ERROR,
                    format!("the broker's DescribeConfigs response left out topic '{name}'"),
                )),
            );
        }
    }
    Ok(())
}

/// The message for a topic's error: what happened, naming the topic, and the broker's own words
/// where it gave some.
fn topic_error(code: ErrorCode, action: &str, name: &str, detail: Option<&str>) -> String {
    let what = match code {
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION => format!("Topic '{name}' does not exist."),
        ErrorCode::TOPIC_AUTHORIZATION_FAILED => {
            format!("Not authorized to {action} topic '{name}'.")
        }
        _ => format!("Cannot {action} topic '{name}': {code}."),
    };
    match detail {
        Some(detail) if !detail.is_empty() => format!("{what} The broker said: {detail}"),
        _ => what,
    }
}
