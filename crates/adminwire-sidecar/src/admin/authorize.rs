//! Whether a client may do what it asks of the reassignment service, asked of the broker on the
//! client's own connection, so that the broker authorizes the client as itself. Each check is a
//! Kafka request that needs the same authority as the work it stands for and changes nothing: the
//! job's moves then run on the service's own connections, as the operator's configured principal.

use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse,
    IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
    ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, MetadataRequest,
    MetadataResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use super::outcome;
use crate::upstream::{Transport, Upstream};

/// Kafka's error code for a topic the client may not describe.
const TOPIC_AUTHORIZATION_FAILED: i16 = 29;
/// IncrementalAlterConfigs' resource types and operations.
const TOPIC: i8 = 2;
const BROKER: i8 = 4;
const DELETE: i8 = 1;

/// ALTER on the cluster, which moving partitions needs: an AlterPartitionReassignments that
/// names no partition (Kafka authorizes before it looks at the partitions, and has none to move).
pub async fn may_alter_cluster(
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<(), Failure> {
    let request = AlterPartitionReassignmentsRequest::default().with_timeout_ms(5_000);
    let answer: AlterPartitionReassignmentsResponse = upstream.call(request, deadline).await?;
    let need = "reassignment jobs need ALTER on the cluster";
    refused("", answer.error_code, answer.error_message.as_deref(), need)
}

/// DESCRIBE on the cluster, which seeing reassignments needs: a ListPartitionReassignments of no
/// topics.
pub async fn may_describe_cluster(
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<(), Failure> {
    let request = ListPartitionReassignmentsRequest::default()
        .with_timeout_ms(5_000)
        .with_topics(Some(Vec::new()));
    let answer: ListPartitionReassignmentsResponse = upstream.call(request, deadline).await?;
    let need = "seeing reassignment jobs needs DESCRIBE on the cluster";
    refused("", answer.error_code, answer.error_message.as_deref(), need)
}

/// DESCRIBE on each topic: a Metadata request for them, which creates none. A topic that does
/// not exist passes here (the plan names it).
pub async fn may_describe_topics(
    topics: &[&str],
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<(), Failure> {
    let request =
        MetadataRequest::default().with_allow_auto_topic_creation(false).with_topics(Some(
            topics
                .iter()
                .map(|t| MetadataRequestTopic::default().with_name(Some(topic_name(t))))
                .collect(),
        ));
    let answer: MetadataResponse = upstream.call(request, deadline).await?;
    match answer.topics.iter().find(|t| t.error_code == TOPIC_AUTHORIZATION_FAILED) {
        Some(t) => {
            let name = t.name.as_ref().map_or("", |n| n.0.as_str());
            refused(name, t.error_code, None, "planning a topic needs DESCRIBE on it")
        }
        None => Ok(()),
    }
}

/// ALTER_CONFIGS on the cluster and on each topic, which setting and restoring replication
/// throttles needs: a validate-only IncrementalAlterConfigs deleting the throttle settings of the
/// topics and of the brokers' cluster-wide default.
pub async fn may_throttle(
    topics: &[&str],
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<(), Failure> {
    let delete = |name: &str| {
        AlterableConfig::default()
            .with_name(StrBytes::from_string(name.to_owned()))
            .with_config_operation(DELETE)
    };
    let mut resources = vec![
        AlterConfigsResource::default()
            .with_resource_type(BROKER)
            .with_resource_name(StrBytes::from_static_str(""))
            .with_configs(vec![delete("leader.replication.throttled.rate")]),
    ];
    resources.extend(topics.iter().map(|t| {
        AlterConfigsResource::default()
            .with_resource_type(TOPIC)
            .with_resource_name(StrBytes::from_string((*t).to_owned()))
            .with_configs(vec![delete("leader.replication.throttled.replicas")])
    }));
    let request = IncrementalAlterConfigsRequest::default()
        .with_validate_only(true)
        .with_resources(resources);
    let answer: IncrementalAlterConfigsResponse = upstream.call(request, deadline).await?;
    for r in &answer.responses {
        // Only a refusal counts: a topic that does not exist is the plan's to name.
        if matches!(r.error_code, 29 | 31) {
            let need = "a throttled job needs ALTER_CONFIGS on the cluster and on its topics";
            refused(&r.resource_name, r.error_code, r.error_message.as_deref(), need)?;
        }
    }
    Ok(())
}

/// `Ok` for code 0, else the broker's refusal, naming the resource and saying what was needed.
fn refused(name: &str, code: i16, message: Option<&str>, need: &str) -> Result<(), Failure> {
    if code == 0 {
        return Ok(());
    }
    let failed = outcome::from_kafka(name, code, message);
    let said = failed.message.unwrap_or_default();
    let message = if name.is_empty() {
        format!("{said} ({need})")
    } else {
        format!("{name}: {said} ({need})")
    };
    Err(Failure(failed.code, message))
}

fn topic_name(name: &str) -> TopicName {
    TopicName(StrBytes::from_string(name.to_owned()))
}
