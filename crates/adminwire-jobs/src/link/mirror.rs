//! Mirror topics: what a source topic is (its partitions and the configs set on it), and the
//! topic on the target that mirrors it — created with the same partition count and configs, and
//! grown when the source grows.

use std::collections::BTreeMap;

use adminwire_kafka::client::{Client, To};
use adminwire_kafka::connection::ConnectionError;
use adminwire_kafka::partitions;
use kafka_protocol::messages::create_partitions_request::CreatePartitionsTopic;
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::{
    CreatePartitionsRequest, CreateTopicsRequest, DescribeConfigsRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

/// A source topic as its mirror copies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceTopic {
    pub name: String,
    pub partitions: i32,
    /// The configs set on the topic itself (not the broker's defaults), by name.
    pub configs: BTreeMap<String, String>,
}

/// Why a mirror could not be made or kept.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error("{0}")]
    Kafka(#[from] ConnectionError),
    #[error("topic {0} does not exist on the source cluster")]
    NoSuchSourceTopic(String),
    #[error("topic {0} already exists on the target cluster: its mirror cannot be created")]
    TargetExists(String),
    #[error("topic {topic}: Kafka error {code} from the {cluster} cluster{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Refused { topic: String, cluster: &'static str, code: i16, message: Option<String> },
}

/// Kafka's codes the mirror's errors name.
const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
const TOPIC_ALREADY_EXISTS: i16 = 36;
/// A config's source: set on the topic itself.
const DYNAMIC_TOPIC_CONFIG: i8 = 1;
/// DescribeConfigs' resource type for a topic.
const TOPIC_RESOURCE: i8 = 2;
/// A mirror keeps its records' own timestamps: the target must not replace them with its
/// append times, whatever the source topic says.
const TIMESTAMP_TYPE: &str = "message.timestamp.type";

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

/// `names` as the source cluster has them.
pub async fn describe(source: &Client, names: &[String]) -> Result<Vec<SourceTopic>, MirrorError> {
    let layouts = partitions::layouts(source, names).await?;
    let mut topics = Vec::new();
    for name in names {
        let layout = layouts.get(name);
        match layout.map(|l| l.error_code) {
            Some(0) => {}
            Some(UNKNOWN_TOPIC_OR_PARTITION) | None => {
                return Err(MirrorError::NoSuchSourceTopic(name.clone()));
            }
            Some(code) => {
                let topic = name.clone();
                return Err(MirrorError::Refused { topic, cluster: "source", code, message: None });
            }
        }
        let partitions = layout.map_or(0, |l| i32::try_from(l.leaders.len()).unwrap_or(i32::MAX));
        topics.push(SourceTopic { name: name.clone(), partitions, configs: BTreeMap::new() });
    }
    if topics.is_empty() {
        return Ok(topics);
    }
    let request = DescribeConfigsRequest::default().with_resources(
        topics
            .iter()
            .map(|t| {
                DescribeConfigsResource::default()
                    .with_resource_type(TOPIC_RESOURCE)
                    .with_resource_name(text(&t.name))
            })
            .collect(),
    );
    let described = source.call(To::Any, request).await?;
    for result in described.results {
        let name = result.resource_name.to_string();
        if result.error_code != 0 {
            let message = result.error_message.map(|m| m.to_string());
            let code = result.error_code;
            return Err(MirrorError::Refused { topic: name, cluster: "source", code, message });
        }
        let Some(topic) = topics.iter_mut().find(|t| t.name == name) else { continue };
        topic.configs = result
            .configs
            .into_iter()
            .filter(|c| c.config_source == DYNAMIC_TOPIC_CONFIG && !c.is_sensitive)
            .filter_map(|c| Some((c.name.to_string(), c.value?.to_string())))
            .collect();
    }
    Ok(topics)
}

/// Creates the mirror of `topic` on the target: its partition count, its configs (but the
/// records' own timestamps kept), the target's default replication.
pub async fn create(target: &Client, topic: &SourceTopic) -> Result<(), MirrorError> {
    let mut configs: Vec<CreatableTopicConfig> = topic
        .configs
        .iter()
        .filter(|(name, _)| name.as_str() != TIMESTAMP_TYPE)
        .map(|(name, value)| {
            CreatableTopicConfig::default().with_name(text(name)).with_value(Some(text(value)))
        })
        .collect();
    configs.push(
        CreatableTopicConfig::default()
            .with_name(text(TIMESTAMP_TYPE))
            .with_value(Some(text("CreateTime"))),
    );
    let request = CreateTopicsRequest::default().with_timeout_ms(30_000).with_topics(vec![
        CreatableTopic::default()
            .with_name(TopicName(text(&topic.name)))
            .with_num_partitions(topic.partitions)
            .with_replication_factor(-1)
            .with_configs(configs),
    ]);
    let answer = target.call(To::Any, request).await?;
    match answer.topics.first().map(|t| (t.error_code, t.error_message.clone())) {
        Some((0, _)) => Ok(()),
        Some((TOPIC_ALREADY_EXISTS, _)) => Err(MirrorError::TargetExists(topic.name.clone())),
        Some((code, message)) => Err(MirrorError::Refused {
            topic: topic.name.clone(),
            cluster: "target",
            code,
            message: message.map(|m| m.to_string()),
        }),
        None => Err(MirrorError::Refused {
            topic: topic.name.clone(),
            cluster: "target",
            code: -1,
            message: Some("CreateTopics answered for no topic".into()),
        }),
    }
}

/// Grows the mirror `name` on the target to `partitions`, as its source grew.
pub async fn grow(target: &Client, name: &str, partitions: i32) -> Result<(), MirrorError> {
    let request = CreatePartitionsRequest::default().with_timeout_ms(30_000).with_topics(vec![
        // No assignments: the target places the new partitions' replicas itself.
        CreatePartitionsTopic::default()
            .with_name(TopicName(text(name)))
            .with_count(partitions)
            .with_assignments(None),
    ]);
    let answer = target.call(To::Any, request).await?;
    match answer.results.first().map(|r| (r.error_code, r.error_message.clone())) {
        Some((0, _)) | None => Ok(()),
        // INVALID_PARTITIONS: it has that many already (another sidecar grew it first).
        Some((37, _)) => Ok(()),
        Some((code, message)) => Err(MirrorError::Refused {
            topic: name.to_owned(),
            cluster: "target",
            code,
            message: message.map(|m| m.to_string()),
        }),
    }
}
