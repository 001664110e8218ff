//! DeleteTopic → Kafka's DeleteTopics. Unknown topics, missing authorization and a cluster with
//! deletion disabled come back as Kafka's own codes (3, 29, 73).

use std::collections::HashMap;

use adminwire_protocol::generated::delete_topic_response::TopicResult;
use adminwire_protocol::{DeleteTopicRequest, DeleteTopicResponse, ErrorCode};
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
use kafka_protocol::messages::{DeleteTopicsRequest, DeleteTopicsResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use super::outcome::{self, Outcome};
use crate::upstream::{Transport, Upstream};

pub async fn run(
    request: &DeleteTopicRequest,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<DeleteTopicResponse, Failure> {
    let names: Vec<&str> = if version == 0 {
        vec![request.topic_name.as_str()]
    } else {
        request.topic_names.iter().map(String::as_str).collect()
    };
    if names.is_empty() {
        return Err(Failure(ErrorCode::INVALID_REQUEST, "no topics to delete".into()));
    }
    let repeated = outcome::repeated(names.iter().copied());
    let to_delete: Vec<&str> = names.iter().copied().filter(|n| !repeated.contains(n)).collect();
    let mut results = Vec::new();
    if !to_delete.is_empty() {
        let (timeout_ms, deadline) =
            super::cluster_timeout(version, request.timeout_ms, upstream, deadline);
        let kafka = DeleteTopicsRequest::default().with_timeout_ms(timeout_ms).with_topics(
            to_delete
                .iter()
                .map(|n| {
                    DeleteTopicState::default()
                        .with_name(Some(TopicName(StrBytes::from_string((*n).to_owned()))))
                })
                .collect(),
        );
        let response: DeleteTopicsResponse = upstream.call(kafka, deadline).await?;
        results = response.responses;
    }
    let answered: HashMap<&str, &DeletableTopicResult> =
        results.iter().filter_map(|r| r.name.as_ref().map(|n| (n.0.as_str(), r))).collect();
    let outcomes: Vec<Outcome> = names
        .iter()
        .map(|name| {
            if repeated.contains(name) {
                return Outcome::failed(*name, ErrorCode::INVALID_REQUEST, "listed more than once");
            }
            match answered.get(name) {
                Some(r) => outcome::from_kafka(name, r.error_code, r.error_message.as_deref()),
                None => Outcome::failed(
                    *name,
                    ErrorCode::UNKNOWN_SERVER_ERROR,
                    "the cluster did not answer for it",
                ),
            }
        })
        .collect();
    if version == 0 {
        let (error_code, error_message) = outcome::first_failure(&outcomes);
        return Ok(DeleteTopicResponse { error_code, error_message, ..Default::default() });
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
    Ok(DeleteTopicResponse { topics, ..Default::default() })
}
