//! SubmitReassignment → the reassignment service: plan the request on the cluster as it is, then
//! either answer the estimate (with its breakdown and the plan; nothing moves) or start the job
//! (now, or at its `ExecuteAt`) and answer its id.
//!
//! The client is authorized by the broker first, as itself: DESCRIBE on each topic, and for a job
//! ALTER on the cluster (and ALTER_CONFIGS, when it is throttled), for an estimate DESCRIBE on the
//! cluster. Only then does the service read the cluster and run the job, as its own principal.

use adminwire_jobs::estimate::Estimate;
use adminwire_jobs::plan::{Options, Plan, TopicRequest};
use adminwire_jobs::service::Request;
use adminwire_protocol::generated::submit_reassignment_response::{BrokerLoad, PlannedPartition};
use adminwire_protocol::{ErrorCode, SubmitReassignmentRequest, SubmitReassignmentResponse};
use tokio::time::Instant;

use super::{Failure, authorize, service, within};
use crate::upstream::{Transport, Upstream};

pub async fn run(
    request: SubmitReassignmentRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<SubmitReassignmentResponse, Failure> {
    let service = service(upstream)?;
    let mut asked = read(&request)?;
    asked.requested_by = upstream.client_principal.clone();
    let topics: Vec<&str> = asked.topics.iter().map(TopicRequest::topic).collect();
    if request.time_estimate {
        authorize::may_describe_cluster(upstream, deadline).await?;
        authorize::may_describe_topics(&topics, upstream, deadline).await?;
        let (plan, estimate) = within(deadline, service.estimate(&asked)).await?;
        return Ok(estimated(plan, &estimate));
    }
    authorize::may_alter_cluster(upstream, deadline).await?;
    authorize::may_describe_topics(&topics, upstream, deadline).await?;
    if asked.throttle.is_some() {
        authorize::may_throttle(&topics, upstream, deadline).await?;
    }
    let job_id = within(deadline, service.submit(&asked)).await?;
    Ok(SubmitReassignmentResponse { job_id: Some(job_id), ..Default::default() })
}

/// The service's request from the wire's: a topic with an `Assignment` is manual, else automatic.
fn read(request: &SubmitReassignmentRequest) -> Result<Request, Failure> {
    let invalid = |message: String| Failure(ErrorCode::INVALID_REQUEST, message);
    if request.reassignments.is_empty() {
        return Err(invalid("the request names no topic to reassign".into()));
    }
    let throttle = match request.throttle {
        -1 => None,
        rate if rate > 0 => Some(rate as u64),
        rate => {
            return Err(invalid(format!(
                "throttle {rate} is not a rate in bytes a second (more than 0, or -1 for none)"
            )));
        }
    };
    let execute_at = match (request.is_schedule, request.execute_at) {
        (false, _) => None,
        (true, at) if at >= 0 => Some(at as u64),
        (true, at) => {
            return Err(invalid(format!(
                "a scheduled job needs ExecuteAt, in milliseconds since the Unix epoch (got {at})"
            )));
        }
    };
    let topics = request
        .reassignments
        .iter()
        .map(|r| {
            let replication_factor = (r.replication_factor != -1).then_some(r.replication_factor);
            if r.assignment.is_empty() {
                TopicRequest::Automatic {
                    topic: r.topic.clone(),
                    brokers: r.brokers.clone(),
                    replication_factor,
                }
            } else {
                TopicRequest::Manual {
                    topic: r.topic.clone(),
                    assignment: r
                        .assignment
                        .iter()
                        .map(|a| (a.partition, a.partition_brokers.clone()))
                        .collect(),
                    replication_factor,
                }
            }
        })
        .collect();
    Ok(Request {
        topics,
        throttle,
        execute_at,
        options: Options { weigh_by_size: request.weigh_by_size },
        requested_by: None,
    })
}

fn estimated(plan: Plan, estimate: &Estimate) -> SubmitReassignmentResponse {
    let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    SubmitReassignmentResponse {
        reassignment_time: to_i64(estimate.seconds),
        bytes_to_move: to_i64(estimate.bytes),
        rate: to_i64(estimate.rate),
        waves: i32::try_from(estimate.waves).unwrap_or(i32::MAX),
        slowest_broker: estimate.slowest.unwrap_or(-1),
        brokers: estimate
            .brokers
            .iter()
            .map(|(id, load)| BrokerLoad {
                broker_id: *id,
                bytes_in: to_i64(load.bytes_in),
                bytes_out: to_i64(load.bytes_out),
                ..Default::default()
            })
            .collect(),
        partitions: plan
            .moves
            .into_iter()
            .map(|m| PlannedPartition {
                topic: m.topic,
                partition: m.partition,
                replicas: m.before,
                target_replicas: m.after,
                bytes: to_i64(m.size),
                ..Default::default()
            })
            .collect(),
        rack_unaware_topics: plan.rack_unaware,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use adminwire_protocol::generated::submit_reassignment_request::{
        PartitionReassignEntity, TopicAssignment,
    };

    use super::*;

    fn entity(
        topic: &str,
        brokers: &[i32],
        assignment: &[(i32, &[i32])],
    ) -> PartitionReassignEntity {
        PartitionReassignEntity {
            topic: topic.into(),
            brokers: brokers.to_vec(),
            replication_factor: -1,
            assignment: assignment
                .iter()
                .map(|(p, b)| TopicAssignment {
                    partition: *p,
                    partition_brokers: b.to_vec(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_topic_with_an_assignment_is_manual_and_one_without_is_automatic() {
        let request = SubmitReassignmentRequest {
            reassignments: vec![entity("a", &[1, 2], &[(0, &[2, 1])]), entity("b", &[1, 2], &[])],
            throttle: 1000,
            is_schedule: true,
            execute_at: 5,
            ..Default::default()
        };
        let asked = read(&request).unwrap();
        assert!(
            matches!(&asked.topics[0], TopicRequest::Manual { assignment, .. } if assignment == &[(0, vec![2, 1])])
        );
        assert!(
            matches!(&asked.topics[1], TopicRequest::Automatic { brokers, replication_factor: None, .. } if brokers == &[1, 2])
        );
        assert_eq!((asked.throttle, asked.execute_at), (Some(1000), Some(5)));
    }

    #[test]
    fn bad_throttles_schedules_and_empty_requests_are_invalid_requests() {
        let one = vec![entity("a", &[1], &[])];
        for request in [
            SubmitReassignmentRequest::default(),
            SubmitReassignmentRequest {
                reassignments: one.clone(),
                throttle: 0,
                ..Default::default()
            },
            SubmitReassignmentRequest {
                reassignments: one.clone(),
                throttle: -5,
                ..Default::default()
            },
            SubmitReassignmentRequest {
                reassignments: one.clone(),
                is_schedule: true,
                execute_at: -1,
                ..Default::default()
            },
        ] {
            let Err(Failure(code, message)) = read(&request) else { panic!("{request:?}") };
            assert_eq!(code, ErrorCode::INVALID_REQUEST, "{message}");
        }
        // Unscheduled, ExecuteAt is ignored, as the seed says.
        let request = SubmitReassignmentRequest {
            reassignments: one,
            throttle: -1,
            execute_at: 42,
            ..Default::default()
        };
        assert_eq!(read(&request).unwrap().execute_at, None);
    }
}
