//! Preferred leader elections: `GET /elections/needed` (partitions not led by their preferred
//! replica, the first of their replicas) and `POST /elections` (elect the preferred replica of the
//! partitions given, or of every partition; a result per partition).

use adminwire_protocol::{AdminResponse, ErrorCode, PreferredReplicaLeaderElectionRequest};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::error::ApiError;
use super::topics::{describe_all, names, unexpected};
use super::{Rest, check};

pub fn routes() -> Router<Rest> {
    Router::new().route("/elections", post(elect)).route("/elections/needed", get(needed))
}

/// A partition.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

/// A partition led by another replica than its preferred one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unbalanced {
    pub topic: String,
    pub partition: i32,
    /// The leader now, or -1 when it has none.
    pub leader: i32,
    pub preferred_leader: i32,
}

/// What `POST /elections` takes: the partitions, or none (or no body field) for every
/// partition of the cluster.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElectionRequest {
    pub partitions: Option<Vec<TopicPartition>>,
}

/// One partition's result: `elected` (or already led by its preferred replica), or the error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ElectionResult {
    pub topic: String,
    pub partition: i32,
    pub elected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<super::error::KafkaError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `GET /elections/needed`: the partitions (of those the caller may describe) whose leader is not
/// their preferred replica.
#[utoipa::path(get, path = "/elections/needed", responses((status = 200, body = [Unbalanced]), super::error::Errors))]
pub async fn needed(
    State(rest): State<Rest>,
    headers: HeaderMap,
) -> Result<Json<Vec<Unbalanced>>, ApiError> {
    rest.run(&headers, |mut caller| async move {
        let names = names(&mut caller).await?;
        let topics = describe_all(&mut caller, &names).await?;
        let mut unbalanced = Vec::new();
        for topic in &topics {
            for p in &topic.topic_partition_details {
                let Some(preferred) = p.replicas.first().copied() else { continue };
                if p.leader != preferred {
                    unbalanced.push(Unbalanced {
                        topic: topic.topic_name.clone(),
                        partition: p.partition_id,
                        leader: p.leader,
                        preferred_leader: preferred,
                    });
                }
            }
        }
        Ok(Json(unbalanced))
    })
    .await
}

/// `POST /elections`: elects each partition's preferred replica; the result of each. When every
/// partition failed with the same error, the answer is that error (404 for an unknown topic, 403
/// without the right to alter the cluster), not a 200.
#[utoipa::path(post, path = "/elections", request_body = ElectionRequest,
    responses((status = 200, body = [ElectionResult]), super::error::Errors))]
pub async fn elect(
    State(rest): State<Rest>,
    headers: HeaderMap,
    Body(request): Body<ElectionRequest>,
) -> Result<Json<Vec<ElectionResult>>, ApiError> {
    let serialized = match &request.partitions {
        None => String::new(),
        Some(partitions) if partitions.is_empty() => {
            return Err(ApiError::bad_request(
                "partitions: list at least one, or leave it out for every partition",
            ));
        }
        Some(partitions) => serde_json::json!({ "partitions": partitions }).to_string(),
    };
    rest.run(&headers, move |mut caller| async move {
        let timeout_ms = caller.server_timeout();
        let request = PreferredReplicaLeaderElectionRequest {
            partitions_serialized: serialized,
            timeout_ms,
            ..Default::default()
        };
        let answer = match caller.execute(request).await {
            AdminResponse::PreferredReplicaLeaderElection(r) => r,
            other => return Err(unexpected(&other)),
        };
        check(answer.error_code, answer.error_message.as_deref())?;
        // Never a 200 with nothing but errors inside: when every partition failed alike (an
        // unknown topic, no right to alter it), the request failed, with that error's status.
        let codes: std::collections::BTreeSet<i16> =
            answer.partitions.iter().map(|p| p.error_code).collect();
        if let (Some(&code), 1) = (codes.first(), codes.len())
            && code != 0
        {
            let named: Vec<String> =
                answer.partitions.iter().map(|p| format!("{}-{}", p.topic, p.partition)).collect();
            let why = answer.partitions.iter().find_map(|p| p.error_message.clone());
            let message = format!(
                "no partition elected ({}){}",
                named.join(", "),
                why.map(|w| format!(": {w}")).unwrap_or_default()
            );
            return Err(ApiError::kafka(ErrorCode(code), Some(message)));
        }
        let results = answer
            .partitions
            .into_iter()
            .map(|p| {
                let failed = (p.error_code != 0).then(|| {
                    let code = ErrorCode(p.error_code);
                    super::error::KafkaError {
                        name: code.name().unwrap_or("UNKNOWN").to_owned(),
                        code: p.error_code,
                    }
                });
                ElectionResult {
                    topic: p.topic,
                    partition: p.partition,
                    elected: failed.is_none(),
                    error: failed,
                    message: p.error_message,
                }
            })
            .collect();
        Ok(Json(results))
    })
    .await
}
