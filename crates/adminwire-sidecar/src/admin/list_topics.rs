//! ListTopics → Kafka's Metadata for all topics. The broker lists only the topics the client may
//! describe, so a client sees through the sidecar exactly what it would see directly.

use adminwire_protocol::{ListTopicsRequest, ListTopicsResponse};
use kafka_protocol::messages::{MetadataRequest, MetadataResponse};
use tokio::time::Instant;

use super::Failure;
use crate::upstream::{Transport, Upstream};

pub async fn run(
    request: &ListTopicsRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<ListTopicsResponse, Failure> {
    // `None`: every topic (an empty list would mean none).
    let metadata: MetadataResponse =
        upstream.call(MetadataRequest::default().with_topics(None), deadline).await?;
    let mut topics: Vec<String> = metadata
        .topics
        .iter()
        .filter(|t| t.error_code == 0 && !(request.exclude_internal && t.is_internal))
        .filter_map(|t| t.name.as_ref().map(|n| n.to_string()))
        .collect();
    topics.sort();
    Ok(ListTopicsResponse { topics: Some(topics), ..Default::default() })
}
