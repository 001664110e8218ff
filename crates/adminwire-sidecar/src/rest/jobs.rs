//! Reassignment jobs, with Kafka Connect's connector verbs: `GET /jobs` (`?expand=status`),
//! `GET /jobs/{id}`, `GET /jobs/{id}/status` (with each partition's move, as Connect shows tasks),
//! `PUT /jobs/{id}/pause`, `/resume` and `/stop` (cancel), each 202, `POST /jobs/{id}/restart`
//! (`?onlyFailed=true`; an ended job's unmoved partitions again; 202) and `DELETE /jobs/{id}` (an
//! ended job's record; 409 while it runs). Any sidecar answers: jobs are
//! shared through the cluster's jobs topic, and a change reaches the sidecar running the job
//! there.

use adminwire_protocol::generated::describe_reassignment_jobs_response::Job as WireJob;
use adminwire_protocol::{
    AdminResponse, AlterReassignmentJobRequest, DescribeReassignmentJobsRequest, ErrorCode,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;
use super::topics::unexpected;
use super::{Caller, Rest, check};

pub fn routes() -> Router<Rest> {
    Router::new()
        .route("/jobs", get(list))
        .route("/jobs/{id}", get(describe).delete(delete))
        .route("/jobs/{id}/status", get(status))
        .route("/jobs/{id}/pause", put(pause))
        .route("/jobs/{id}/resume", put(resume))
        .route("/jobs/{id}/stop", put(stop))
        .route("/jobs/{id}/restart", post(restart))
}

/// A job: its state, its progress and who asked for it. Times are milliseconds since the Unix
/// epoch; a field not known yet is null.
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    pub job_id: String,
    /// SCHEDULED, RUNNING, PAUSED, COMPLETED, FAILED or CANCELLED.
    pub state: String,
    /// Bytes a second per broker, or null when unthrottled.
    pub throttle: Option<i64>,
    pub created_ms: Option<i64>,
    pub execute_at: Option<i64>,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    /// How late a scheduled job started, when it did (no sidecar ran at its time).
    pub started_late_ms: Option<i64>,
    pub bytes_total: i64,
    pub bytes_moved: i64,
    pub eta_seconds: Option<i64>,
    pub partition_count: i32,
    pub partitions_done: i32,
    /// Ended, with throttles still to take off.
    pub cleanup_pending: bool,
    pub error: Option<String>,
    /// The principal that submitted it (`User:name`).
    pub requested_by: Option<String>,
    /// Each partition's move, with `/status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<Task>>,
}

/// One partition's move.
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<i32>,
    pub target_replicas: Vec<i32>,
    /// PENDING, MOVING, DONE, FAILED, SKIPPED or REVERTED.
    pub state: String,
    pub reason: Option<String>,
    pub bytes_total: i64,
    pub bytes_moved: i64,
}

/// What a pause, resume or stop answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub job_id: String,
    pub action: &'static str,
    /// The job's state when the change was accepted; the running sidecar applies it at its next
    /// look.
    pub state: String,
}

fn known(value: i64) -> Option<i64> {
    (value >= 0).then_some(value)
}

impl From<WireJob> for Job {
    fn from(j: WireJob) -> Self {
        let tasks = (!j.partitions.is_empty()).then(|| {
            j.partitions
                .into_iter()
                .map(|p| Task {
                    topic: p.topic,
                    partition: p.partition,
                    replicas: p.replicas,
                    target_replicas: p.target_replicas,
                    state: p.state,
                    reason: p.reason,
                    bytes_total: p.bytes_total,
                    bytes_moved: p.bytes_moved,
                })
                .collect()
        });
        Job {
            job_id: j.job_id,
            state: j.state,
            throttle: known(j.throttle),
            created_ms: known(j.created_ms),
            execute_at: known(j.execute_at),
            started_ms: known(j.started_ms),
            finished_ms: known(j.finished_ms),
            started_late_ms: known(j.started_late_ms),
            bytes_total: j.bytes_total,
            bytes_moved: j.bytes_moved,
            eta_seconds: known(j.eta_seconds),
            partition_count: j.partition_count,
            partitions_done: j.partitions_done,
            cleanup_pending: j.cleanup_pending,
            error: j.error,
            requested_by: j.requested_by,
            tasks,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `status`: each job with its state and progress, by id.
    pub expand: Option<String>,
}

/// `GET /jobs`: the jobs' ids, oldest first; with `?expand=status`, each job by id.
#[utoipa::path(get, path = "/jobs", params(ListQuery), responses((status = 200, description = "Job ids, or jobs by id with ?expand=status"), super::error::Errors))]
pub async fn list(
    State(rest): State<Rest>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let expand = super::expand(query.expand.as_deref(), "status", "jobs")?;
    rest.run(&headers, move |mut caller| async move {
        let jobs = jobs(&mut caller, None, false).await?;
        if !expand {
            return Ok(Json(serde_json::json!(
                jobs.into_iter().map(|j| j.job_id).collect::<Vec<_>>()
            )));
        }
        let by_id: serde_json::Map<String, serde_json::Value> = jobs
            .into_iter()
            .map(|j| (j.job_id.clone(), serde_json::to_value(Job::from(j)).unwrap_or_default()))
            .collect();
        Ok(Json(serde_json::Value::Object(by_id)))
    })
    .await
}

/// `GET /jobs/{id}`: the job without its partitions; 404 for an unknown id.
#[utoipa::path(get, path = "/jobs/{id}", params(("id" = String, Path, description = "The job")),
    responses((status = 200, body = Job), super::error::Errors))]
pub async fn describe(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Job>, ApiError> {
    one(rest, headers, id, false).await
}

/// `GET /jobs/{id}/status`: the job with each partition's move (`tasks`).
#[utoipa::path(get, path = "/jobs/{id}/status", params(("id" = String, Path, description = "The job")),
    responses((status = 200, body = Job), super::error::Errors))]
pub async fn status(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Job>, ApiError> {
    one(rest, headers, id, true).await
}

/// `PUT /jobs/{id}/pause`: moves under way finish, nothing new starts. 202.
#[utoipa::path(put, path = "/jobs/{id}/pause", params(("id" = String, Path, description = "The job")),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn pause(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    alter(rest, headers, id, 0, "pause").await
}

/// `PUT /jobs/{id}/resume`. 202.
#[utoipa::path(put, path = "/jobs/{id}/resume", params(("id" = String, Path, description = "The job")),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn resume(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    alter(rest, headers, id, 1, "resume").await
}

/// `PUT /jobs/{id}/stop`: cancels the job; moves under way are reverted (KIP-455). 202.
#[utoipa::path(put, path = "/jobs/{id}/stop", params(("id" = String, Path, description = "The job")),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn stop(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    alter(rest, headers, id, 2, "stop").await
}

/// What a restart answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Restarted {
    pub job_id: String,
    /// RUNNING once partitions are retried; with none to retry, the state the job ended in.
    pub state: String,
    /// How many partitions the job moves again.
    pub retried: i32,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RestartQuery {
    /// `true`: only the partitions that failed; otherwise (`false`, the default) every partition
    /// not done: failed, skipped, reverted or never started.
    #[serde(rename = "onlyFailed")]
    #[param(rename = "onlyFailed")]
    pub only_failed: Option<bool>,
}

/// `POST /jobs/{id}/restart`: runs an ended job again for the partitions it did not move, each
/// planned from the replicas it has now (one already in place is done). 202, with how many
/// partitions are retried (0: nothing to retry, the job stays as it ended); 409 (`job_running`)
/// while the job has not ended, 404 for an unknown job.
#[utoipa::path(post, path = "/jobs/{id}/restart",
    params(("id" = String, Path, description = "The job"), RestartQuery),
    responses((status = 202, body = Restarted), super::error::Errors))]
pub async fn restart(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    Query(query): Query<RestartQuery>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Restarted>), ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let request = AlterReassignmentJobRequest {
            job_id: id.clone(),
            action: 5,
            only_failed: query.only_failed.unwrap_or(false),
            ..Default::default()
        };
        let answer = match caller.execute(request).await {
            AdminResponse::AlterReassignmentJob(r) => r,
            other => return Err(unexpected(&other)),
        };
        ended(answer.error_code, answer.error_message.clone())?;
        check(answer.error_code, answer.error_message.as_deref())?;
        let retried = answer.retried.max(0);
        Ok((StatusCode::ACCEPTED, Json(Restarted { job_id: id, state: answer.state, retried })))
    })
    .await
}

/// A job that has not ended refused what only an ended job can do: 409 `job_running`.
fn ended(code: i16, message: Option<String>) -> Result<(), ApiError> {
    if code == ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS.0 {
        return Err(ApiError::conflict("job_running", message.unwrap_or_default()));
    }
    Ok(())
}

/// `DELETE /jobs/{id}`: deletes an ended job's record (204); 409 (`job_running`) while it has
/// not ended, 404 for an unknown job.
#[utoipa::path(delete, path = "/jobs/{id}", params(("id" = String, Path, description = "The job")),
    responses((status = 204, description = "Deleted"), super::error::Errors))]
pub async fn delete(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let request = AlterReassignmentJobRequest { job_id: id, action: 4, ..Default::default() };
        let answer = match caller.execute(request).await {
            AdminResponse::AlterReassignmentJob(r) => r,
            other => return Err(unexpected(&other)),
        };
        ended(answer.error_code, answer.error_message.clone())?;
        check(answer.error_code, answer.error_message.as_deref())?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

async fn one(
    rest: Rest,
    headers: HeaderMap,
    id: String,
    partitions: bool,
) -> Result<Json<Job>, ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let job = jobs(&mut caller, Some(id.clone()), partitions).await?.pop();
        let job = job.ok_or_else(|| ApiError::not_found(format!("no job {id:?}")))?;
        check(job.error_code, job.error_message.as_deref())?;
        Ok(Json(Job::from(job)))
    })
    .await
}

async fn alter(
    rest: Rest,
    headers: HeaderMap,
    id: String,
    action: i8,
    name: &'static str,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let request =
            AlterReassignmentJobRequest { job_id: id.clone(), action, ..Default::default() };
        let answer = match caller.execute(request).await {
            AdminResponse::AlterReassignmentJob(r) => r,
            other => return Err(unexpected(&other)),
        };
        check(answer.error_code, answer.error_message.as_deref())?;
        Ok((StatusCode::ACCEPTED, Json(Accepted { job_id: id, action: name, state: answer.state })))
    })
    .await
}

/// The jobs (all, or the one `id`), with their partitions if asked.
async fn jobs(
    caller: &mut Caller,
    id: Option<String>,
    partitions: bool,
) -> Result<Vec<WireJob>, ApiError> {
    let request = DescribeReassignmentJobsRequest {
        job_ids: id.map(|id| vec![id]),
        include_partitions: partitions,
        ..Default::default()
    };
    match caller.execute(request).await {
        AdminResponse::DescribeReassignmentJobs(r) => {
            check(r.error_code, r.error_message.as_deref())?;
            Ok(r.jobs)
        }
        other => Err(unexpected(&other)),
    }
}
