//! DescribeReassignmentJobs → the reassignment service's jobs: the ones named (an unknown id is
//! answered 91 in its own entry) or every one, oldest first, each with its partitions when asked.
//! Authorized as DESCRIBE on the cluster, which Kafka's ListPartitionReassignments needs too.

use adminwire_jobs::job::Job as ServiceJob;
use adminwire_protocol::generated::describe_reassignment_jobs_response::{Job, JobPartition};
use adminwire_protocol::{
    DescribeReassignmentJobsRequest, DescribeReassignmentJobsResponse, ErrorCode,
};
use tokio::time::Instant;

use super::{Failure, authorize, service};
use crate::upstream::{Transport, Upstream};

pub async fn run(
    request: &DescribeReassignmentJobsRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<DescribeReassignmentJobsResponse, Failure> {
    let service = service(upstream)?;
    authorize::may_describe_cluster(upstream, deadline).await?;
    let partitions = request.include_partitions;
    let jobs = match &request.job_ids {
        None => service.jobs().iter().map(|job| described(job, partitions)).collect(),
        Some(ids) => ids
            .iter()
            .map(|id| match service.describe(id) {
                Ok(job) => described(&job, partitions),
                Err(e) => Job {
                    job_id: id.clone(),
                    error_code: ErrorCode::RESOURCE_NOT_FOUND.0,
                    error_message: Some(e.to_string()),
                    ..Default::default()
                },
            })
            .collect(),
    };
    Ok(DescribeReassignmentJobsResponse { jobs, ..Default::default() })
}

fn described(job: &ServiceJob, with_partitions: bool) -> Job {
    let ms = |at: Option<u64>| at.map_or(-1, to_i64);
    Job {
        job_id: job.id.clone(),
        state: job.state.name().into(),
        throttle: job.throttle.map_or(-1, to_i64),
        created_ms: to_i64(job.created_ms),
        execute_at: ms(job.execute_at_ms),
        started_ms: ms(job.started_ms),
        finished_ms: ms(job.finished_ms),
        bytes_total: to_i64(job.bytes_total()),
        bytes_moved: to_i64(job.bytes_copied()),
        eta_seconds: ms(job.eta_seconds),
        partition_count: i32::try_from(job.partitions.len()).unwrap_or(i32::MAX),
        partitions_done: i32::try_from(job.count(&adminwire_jobs::job::PartitionState::Done))
            .unwrap_or(i32::MAX),
        cleanup_pending: job.cleanup_pending,
        error: job.error.clone(),
        requested_by: job.requested_by.clone(),
        started_late_ms: ms(job.started_late_ms),
        partitions: if with_partitions {
            job.partitions
                .iter()
                .map(|p| JobPartition {
                    topic: p.change.topic.clone(),
                    partition: p.change.partition,
                    replicas: p.change.before.clone(),
                    target_replicas: p.change.after.clone(),
                    state: p.state.name().into(),
                    reason: p.state.reason().map(str::to_owned),
                    bytes_total: to_i64(p.bytes_total),
                    bytes_moved: to_i64(p.bytes_copied.min(p.bytes_total)),
                    ..Default::default()
                })
                .collect()
        } else {
            Vec::new()
        },
        ..Default::default()
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
