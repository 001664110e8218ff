//! Reassignments: the seed's endpoint as it is written (`POST
//! /v2/kafka/{project_id}/instances/{instance_id}/reassign`), and the native `POST
//! /reassignments` (202, `Location: /jobs/{id}`), `POST /reassignments/estimate` and `POST
//! /reassignments/plan` (a dry run). All of them are the extension's SubmitReassignment, run by
//! the sidecar's reassignment service as the caller asked it. `GET /reassignments` shows what
//! moves on the cluster now and the throttles set on it, as the caller may see them.

use adminwire_protocol::generated::submit_reassignment_request::{
    PartitionReassignEntity, TopicAssignment,
};
use adminwire_protocol::generated::submit_reassignment_response::SubmitReassignmentResponse;
use adminwire_protocol::{AdminResponse, ClusterMetadataRequest, SubmitReassignmentRequest};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::caller::Session;
use super::error::ApiError;
use super::topics::unexpected;
use super::{Caller, Rest, check};
use crate::admin::Failure;
use crate::admin::in_motion::{self, On, Throttle};

pub fn routes() -> Router<Rest> {
    Router::new()
        .route("/v2/kafka/{project_id}/instances/{instance_id}/reassign", post(seed))
        .route("/reassignments", get(in_motion).post(submit))
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

/// What moves on the cluster now, and the replication throttles set on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InMotion {
    /// The partitions being reassigned now, by anyone.
    pub moving: Vec<MovingPartition>,
    pub throttles: Vec<ThrottleSetting>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovingPartition {
    pub topic: String,
    pub partition: i32,
    /// Every replica while it moves: those it keeps, gains and loses.
    pub replicas: Vec<i32>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
}

/// A replication throttle set on the cluster.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThrottleSetting {
    /// `broker` or `topic`.
    pub resource: &'static str,
    /// The broker's id (empty for the default of every broker) or the topic's name.
    pub name: String,
    pub config: &'static str,
    pub value: String,
    /// The jobs not ended, and not waiting for their time, that move through it (its topic, or
    /// its broker). Empty for a throttle that no job accounts for: one left behind by a move that
    /// ended, or set by hand.
    pub jobs: Vec<String>,
}

/// `GET /reassignments`: the partitions being reassigned now and the replication throttles set
/// on the cluster (each broker's rates, the cluster-wide default, the topics' throttled replica
/// lists), with the jobs that account for each throttle.
#[utoipa::path(get, path = "/reassignments",
    responses((status = 200, body = InMotion), super::error::Errors))]
pub async fn in_motion(
    State(rest): State<Rest>,
    headers: HeaderMap,
) -> Result<Json<InMotion>, ApiError> {
    rest.run(&headers, |mut caller| async move {
        let (moving, throttles) = survey(&mut caller).await?;
        let running: Vec<adminwire_jobs::job::Job> = caller
            .rest
            .shared
            .jobs
            .service()
            .map(|s| s.jobs())
            .unwrap_or_default()
            .into_iter()
            .filter(|j| !j.state.is_final() && j.state != adminwire_jobs::job::JobState::Scheduled)
            .collect();
        let throttles = throttles
            .into_iter()
            .map(|t| ThrottleSetting {
                resource: if t.on == On::Topic { "topic" } else { "broker" },
                jobs: running
                    .iter()
                    .filter(|job| job.partitions.iter().any(|p| moves_through(&p.change, &t)))
                    .map(|job| job.id.clone())
                    .collect(),
                name: t.name,
                config: t.config,
                value: t.value,
            })
            .collect();
        let moving = moving
            .into_iter()
            .map(|m| MovingPartition {
                topic: m.topic,
                partition: m.partition,
                replicas: m.replicas,
                adding: m.adding,
                removing: m.removing,
            })
            .collect();
        Ok(Json(InMotion { moving, throttles }))
    })
    .await
}

/// Whether a job's move goes through where `throttle` is set. Jobs set rates on brokers, never
/// the default of every broker.
fn moves_through(change: &adminwire_jobs::plan::Move, throttle: &Throttle) -> bool {
    match throttle.on {
        On::Topic => change.topic == throttle.name,
        On::Broker(Some(b)) => change.before.contains(&b) || change.after.contains(&b),
        On::Broker(None) => false,
    }
}

/// The moves under way, and every throttle: the topics' on the caller's connection, each
/// broker's on a connection of the caller's own to that broker (a broker describes only its own
/// settings), all brokers at once.
async fn survey(caller: &mut Caller) -> Result<(Vec<in_motion::Moving>, Vec<Throttle>), ApiError> {
    let topics = super::topics::names(caller).await?;
    let deadline = caller.deadline;
    let logged_in = caller.credentials.is_some();
    let versions = std::sync::Arc::clone(&caller.session.versions);
    let mut upstream = super::upstream(&mut caller.session, &versions, &caller.rest, logged_in);
    let moving = in_motion::moving(&mut upstream, deadline).await.map_err(failed)?;
    let mut throttles =
        in_motion::topic_throttles(&mut upstream, &topics, deadline).await.map_err(failed)?;
    let request =
        kafka_protocol::messages::MetadataRequest::default().with_topics(Some(Vec::new()));
    let metadata: kafka_protocol::messages::MetadataResponse =
        upstream.call(request, deadline).await.map_err(|e| failed(e.into()))?;
    let mut asking = tokio::task::JoinSet::new();
    for (i, broker) in metadata.brokers.iter().enumerate() {
        let address = format!("{}:{}", broker.host.as_str(), broker.port);
        let (id, credentials, rest) =
            (broker.node_id.0, caller.credentials.clone(), caller.rest.clone());
        asking.spawn(async move {
            let mut session = Session::open_any(&[address], credentials.as_ref(), deadline).await?;
            let versions = std::sync::Arc::clone(&session.versions);
            let mut upstream = super::upstream(&mut session, &versions, &rest, logged_in);
            // The default of every broker is the same on each: asked of the first alone.
            in_motion::broker_throttles(&mut upstream, id, i == 0, deadline).await.map_err(failed)
        });
    }
    while let Some(asked) = asking.join_next().await {
        let asked = asked.map_err(|e| ApiError::unavailable(format!("asking a broker: {e}")))?;
        throttles.extend(asked?);
    }
    let order = |t: &Throttle| match t.on {
        On::Broker(None) => (0, 0),
        On::Broker(Some(b)) => (1, b),
        On::Topic => (2, 0),
    };
    throttles.sort_by(|a, b| (order(a), &a.name, a.config).cmp(&(order(b), &b.name, b.config)));
    Ok((moving, throttles))
}

fn failed(Failure(code, message): Failure) -> ApiError {
    ApiError::kafka(code, Some(message))
}
