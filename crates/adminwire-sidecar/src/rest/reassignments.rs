//! Reassignments: the seed's endpoint as it is written (`POST
//! /v2/kafka/{project_id}/instances/{instance_id}/reassign`), and the native `POST
//! /reassignments` (202, `Location: /jobs/{id}`), `POST /reassignments/estimate` and `POST
//! /reassignments/plan` (a dry run). All of them are the extension's SubmitReassignment, run by
//! the sidecar's reassignment service as the caller asked it.

use adminwire_protocol::generated::submit_reassignment_request::{
    PartitionReassignEntity, TopicAssignment,
};
use adminwire_protocol::generated::submit_reassignment_response::SubmitReassignmentResponse;
use adminwire_protocol::{AdminResponse, ClusterMetadataRequest, SubmitReassignmentRequest};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::error::ApiError;
use super::topics::unexpected;
use super::{Caller, Rest, check};

pub fn routes() -> Router<Rest> {
    Router::new()
        .route("/v2/kafka/{project_id}/instances/{instance_id}/reassign", post(seed))
        .route("/reassignments", post(submit))
        .route("/reassignments/estimate", post(estimate))
        .route("/reassignments/plan", post(plan))
}

/// The seed's request body: per topic a target broker set (with a replication factor) or a
/// manual assignment, a throttle (bytes a second), a start time, and whether only to estimate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    pub reassignments: Vec<TopicReassignment>,
    /// The replication throttle, bytes a second per broker.
    pub throttle: Option<i64>,
    pub is_schedule: Option<bool>,
    /// When to start, in milliseconds since the Unix epoch (with `is_schedule`).
    pub execute_at: Option<i64>,
    /// Only estimate the time (the seed's endpoint); the native resources say it by their path.
    pub time_estimate: Option<bool>,
    /// Move the smallest partitions where the plan has a choice, and balance by bytes.
    pub weigh_by_size: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicReassignment {
    pub topic: String,
    pub brokers: Option<Vec<i32>>,
    pub replication_factor: Option<i32>,
    pub assignment: Option<Vec<PartitionAssignment>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartitionAssignment {
    pub partition: Option<i32>,
    pub partition_brokers: Option<Vec<i32>>,
}

/// The seed's answer: the job's id, or the estimated seconds.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeedAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reassignment_time: Option<i64>,
}

/// An estimate, or a dry run's plan: the time, the bytes, the load on each broker and each
/// partition's move.
#[derive(Debug, Serialize, ToSchema)]
pub struct Estimate {
    /// Seconds.
    pub reassignment_time: i64,
    pub bytes_to_move: i64,
    /// The rate assumed, bytes a second per broker.
    pub rate: i64,
    pub waves: i32,
    pub slowest_broker: Option<i32>,
    pub brokers: Vec<BrokerLoad>,
    pub partitions: Vec<PlannedMove>,
    /// Topics placed without regard to racks, where the brokers have them.
    pub rack_unaware_topics: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrokerLoad {
    pub broker: i32,
    pub bytes_in: i64,
    pub bytes_out: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedMove {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<i32>,
    pub target_replicas: Vec<i32>,
    pub bytes: i64,
}

/// `POST /v2/kafka/{project_id}/instances/{instance_id}/reassign`: the seed's endpoint.
/// `instance_id` must be the Kafka cluster's id; `project_id` is taken as given.
#[utoipa::path(post, path = "/v2/kafka/{project_id}/instances/{instance_id}/reassign",
    params(("project_id" = String, Path, description = "Taken as given"),
        ("instance_id" = String, Path, description = "The Kafka cluster's id")),
    request_body = ReassignRequest,
    responses((status = 200, body = SeedAnswer), super::error::Errors))]
pub async fn seed(
    State(rest): State<Rest>,
    Path((_project_id, instance_id)): Path<(String, String)>,
    headers: HeaderMap,
    Body(body): Body<ReassignRequest>,
) -> Result<Json<SeedAnswer>, ApiError> {
    let estimate_only = body.time_estimate.unwrap_or(false);
    let request = submission(body, estimate_only)?;
    rest.run(&headers, move |mut caller| async move {
        let cluster_id = match caller.execute(ClusterMetadataRequest::default()).await {
            AdminResponse::ClusterMetadata(r) => {
                check(r.error_code, r.error_message.as_deref())?;
                r.cluster_id
            }
            other => return Err(unexpected(&other)),
        };
        if cluster_id.as_deref() != Some(instance_id.as_str()) {
            return Err(ApiError::not_found(format!(
                "no instance {instance_id:?}: this sidecar fronts the Kafka cluster {}",
                cluster_id.as_deref().unwrap_or("(of unknown id)")
            )));
        }
        let answer = run(&mut caller, request).await?;
        Ok(Json(if estimate_only {
            SeedAnswer { job_id: None, reassignment_time: Some(answer.reassignment_time) }
        } else {
            SeedAnswer { job_id: answer.job_id, reassignment_time: None }
        }))
    })
    .await
}

/// `POST /reassignments`: starts (or schedules) a job; 202 with `Location: /jobs/{id}`.
#[utoipa::path(post, path = "/reassignments", request_body = ReassignRequest,
    responses((status = 202, body = SeedAnswer, description = "The job was accepted"), super::error::Errors))]
pub async fn submit(
    State(rest): State<Rest>,
    headers: HeaderMap,
    Body(body): Body<ReassignRequest>,
) -> Result<Response, ApiError> {
    refuse_estimate_flag(&body, "/reassignments")?;
    let request = submission(body, false)?;
    let answer = rest
        .run(&headers, move |mut caller| async move { run(&mut caller, request).await })
        .await?;
    let id = answer.job_id.unwrap_or_default();
    let location = format!("/jobs/{id}");
    let mut response =
        (StatusCode::ACCEPTED, Json(SeedAnswer { job_id: Some(id), reassignment_time: None }))
            .into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `POST /reassignments/estimate`: how long it would take, and what it would move; nothing moves.
#[utoipa::path(post, path = "/reassignments/estimate", request_body = ReassignRequest,
    responses((status = 200, body = Estimate), super::error::Errors))]
pub async fn estimate(
    State(rest): State<Rest>,
    headers: HeaderMap,
    Body(body): Body<ReassignRequest>,
) -> Result<Json<Estimate>, ApiError> {
    dry(rest, headers, body, "/reassignments/estimate").await
}

/// `POST /reassignments/plan`: the plan a job would carry out (a dry run); nothing moves.
#[utoipa::path(post, path = "/reassignments/plan", request_body = ReassignRequest,
    responses((status = 200, body = Estimate), super::error::Errors))]
pub async fn plan(
    State(rest): State<Rest>,
    headers: HeaderMap,
    Body(body): Body<ReassignRequest>,
) -> Result<Json<Estimate>, ApiError> {
    dry(rest, headers, body, "/reassignments/plan").await
}

async fn dry(
    rest: Rest,
    headers: HeaderMap,
    body: ReassignRequest,
    path: &str,
) -> Result<Json<Estimate>, ApiError> {
    refuse_estimate_flag(&body, path)?;
    if body.is_schedule.is_some() || body.execute_at.is_some() {
        return Err(ApiError::bad_request(format!(
            "{path} moves nothing, so it takes no is_schedule or execute_at"
        )));
    }
    let request = submission(body, true)?;
    let answer = rest
        .run(&headers, move |mut caller| async move { run(&mut caller, request).await })
        .await?;
    Ok(Json(Estimate::from(answer)))
}

/// The native resources say by their path whether they estimate: `time_estimate` is the seed
/// endpoint's alone, and a body that gives it here (either way) is told so.
fn refuse_estimate_flag(body: &ReassignRequest, path: &str) -> Result<(), ApiError> {
    if body.time_estimate.is_some() {
        return Err(ApiError::bad_request(format!(
            "time_estimate: only the seed's endpoint takes it; POST /reassignments starts a job, \
             POST /reassignments/estimate estimates one, and {path} was asked"
        )));
    }
    Ok(())
}

/// The extension's request for `body`.
fn submission(
    body: ReassignRequest,
    estimate: bool,
) -> Result<SubmitReassignmentRequest, ApiError> {
    if body.reassignments.is_empty() {
        return Err(ApiError::bad_request("reassignments: name at least one topic"));
    }
    let scheduled = body.is_schedule.unwrap_or(false);
    if scheduled != body.execute_at.is_some() {
        return Err(ApiError::bad_request(
            "is_schedule and execute_at go together: a scheduled job needs its time",
        ));
    }
    let reassignments = body
        .reassignments
        .into_iter()
        .map(|t| PartitionReassignEntity {
            topic: t.topic,
            brokers: t.brokers.unwrap_or_default(),
            replication_factor: t.replication_factor.unwrap_or(-1),
            assignment: t
                .assignment
                .unwrap_or_default()
                .into_iter()
                .map(|a| TopicAssignment {
                    partition: a.partition.unwrap_or(-1),
                    partition_brokers: a.partition_brokers.unwrap_or_default(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    Ok(SubmitReassignmentRequest {
        reassignments,
        throttle: body.throttle.unwrap_or(-1),
        is_schedule: scheduled,
        execute_at: body.execute_at.unwrap_or(-1),
        time_estimate: estimate,
        weigh_by_size: body.weigh_by_size.unwrap_or(false),
        ..Default::default()
    })
}

async fn run(
    caller: &mut Caller,
    request: SubmitReassignmentRequest,
) -> Result<SubmitReassignmentResponse, ApiError> {
    match caller.execute(request).await {
        AdminResponse::SubmitReassignment(r) => {
            check(r.error_code, r.error_message.as_deref())?;
            Ok(r)
        }
        other => Err(unexpected(&other)),
    }
}

impl From<SubmitReassignmentResponse> for Estimate {
    fn from(r: SubmitReassignmentResponse) -> Self {
        Estimate {
            reassignment_time: r.reassignment_time,
            bytes_to_move: r.bytes_to_move,
            rate: r.rate,
            waves: r.waves,
            slowest_broker: (r.slowest_broker >= 0).then_some(r.slowest_broker),
            brokers: r
                .brokers
                .into_iter()
                .map(|b| BrokerLoad {
                    broker: b.broker_id,
                    bytes_in: b.bytes_in,
                    bytes_out: b.bytes_out,
                })
                .collect(),
            partitions: r
                .partitions
                .into_iter()
                .map(|p| PlannedMove {
                    topic: p.topic,
                    partition: p.partition,
                    replicas: p.replicas,
                    target_replicas: p.target_replicas,
                    bytes: p.bytes,
                })
                .collect(),
            rack_unaware_topics: r.rack_unaware_topics,
        }
    }
}
