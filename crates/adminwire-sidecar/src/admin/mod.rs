//! Requests of the admin extension (keys 30000-30012): answered by the sidecar, never passed to a
//! broker (which would close the connection on a key it does not know).
//!
//! Each of KIP-4's commands (30000-30009) runs as Kafka admin requests on the client's own
//! connection to its broker, so the broker authenticates and authorizes it as that client. The
//! reassignment jobs' requests (30010-30012) are authorized the same way (`authorize`), then
//! served by the sidecar's reassignment service (`crate::jobs`), which runs jobs as the principal
//! the operator configured. One module per command translates it.

mod alter_reassignment_job;
mod alter_topic;
pub(crate) mod assignment;
mod authorize;
mod cluster_metadata;
mod controller;
mod create_topic;
mod delete_topic;
mod describe_reassignment_jobs;
mod describe_topic;
pub(crate) mod election;
pub(crate) mod in_motion;
mod json;
mod limits;
mod links;
mod list_topics;
mod outcome;
pub(crate) mod plan;
mod preferred_replica_leader_election;
mod reassign_partitions;
mod settle;
mod submit_reassignment;
mod truncate;
mod verify_preferred_replica_leader_election;
mod verify_reassign_partitions;

use adminwire_jobs::plan::PlanError;
use adminwire_jobs::service::{Reassignments, ServiceError};
use adminwire_kafka::connection::ConnectionError;
use adminwire_protocol::wire::{self, MAX_CLASSIC_STRING};
use adminwire_protocol::{
    AdminRequest, AdminResponse, ApiKey, DecodeError, DecodeErrorKind, EncodeErrorKind, ErrorCode,
    RequestFrame, decode_request, encode_response,
};
use std::sync::Arc;

use bytes::BytesMut;
use tokio::time::Instant;

use crate::config::AdminLimits;
use crate::jobs::Unavailable;
use crate::upstream::{self, CallError, Transport, Upstream};

/// Why an extension request gets no answer, and its connection closes.
#[derive(Debug, thiserror::Error)]
pub enum Unanswerable {
    #[error("client sent {api} v{version}, which the sidecar does not offer")]
    NotOffered { api: &'static str, version: i16 },
    #[error("cannot encode an admin answer: {0}")]
    Encode(String),
    /// A Produce routed to a link's source could not be carried out or answered.
    #[error("a write to a mirror topic: {0}")]
    Route(String),
}

/// How a command fails: the error code and message its client is answered with.
#[derive(Debug)]
pub struct Failure(pub ErrorCode, pub String);

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Timeout { .. } => Failure(ErrorCode::REQUEST_TIMED_OUT, e.to_string()),
            CallError::NoCommonVersion(_) => Failure(ErrorCode::UNSUPPORTED_VERSION, e.to_string()),
            CallError::Encode { .. } | CallError::Decode { .. } => {
                Failure(ErrorCode::UNKNOWN_SERVER_ERROR, e.to_string())
            }
            // The client still gets an answer; the connection closes after it (see connection.rs).
            CallError::Closed(_) => Failure(
                ErrorCode::BROKER_NOT_AVAILABLE,
                format!(
                    "{e}; the command may have been partly carried out, check the cluster before \
                     retrying"
                ),
            ),
        }
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        let code = match &e {
            ServiceError::Plan(PlanError::UnknownTopic(_)) => ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            ServiceError::Plan(PlanError::ReplicationFactor { .. }) => {
                ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR
            }
            ServiceError::Plan(_) => ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
            ServiceError::Kafka(ConnectionError::Login(_)) => {
                return Failure(
                    ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED,
                    format!("the sidecar's own principal for jobs ([jobs]) could not log in: {e}"),
                );
            }
            ServiceError::Kafka(_) => ErrorCode::BROKER_NOT_AVAILABLE,
            ServiceError::UnknownJob(_) => ErrorCode::RESOURCE_NOT_FOUND,
            ServiceError::Ended { .. } => ErrorCode::NO_REASSIGNMENT_IN_PROGRESS,
            ServiceError::NotScheduled { .. } => ErrorCode::INVALID_REQUEST,
            ServiceError::NotEnded { .. } | ServiceError::Moving { .. } => {
                ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS
            }
            ServiceError::ZeroThrottle => ErrorCode::INVALID_REQUEST,
            ServiceError::Internal(_) | ServiceError::Store(_) => ErrorCode::UNKNOWN_SERVER_ERROR,
        };
        Failure(code, e.to_string())
    }
}

/// The reassignment service for the client of `upstream`, or why this sidecar has none for it.
fn service<'a>(upstream: &Upstream<'a, impl Transport>) -> Result<&'a Arc<Reassignments>, Failure> {
    let jobs = upstream.jobs.ok_or_else(|| {
        Failure(ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED, "this sidecar runs no jobs".into())
    })?;
    jobs.for_client(upstream.client_logged_in).map_err(|e| match e {
        Unavailable::NoPrincipal => {
            Failure(ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED, e.to_string())
        }
        // Kafka's code for a coordinator still loading its state, retriable as this is.
        Unavailable::Loading(_) => Failure(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS, e.to_string()),
    })
}

/// Runs a service call that reads the cluster, within the command's deadline.
async fn within<T>(
    deadline: Instant,
    work: impl Future<Output = Result<T, ServiceError>>,
) -> Result<T, Failure> {
    match tokio::time::timeout_at(deadline, work).await {
        Ok(done) => done.map_err(Into::into),
        Err(_) => Err(Failure(
            ErrorCode::REQUEST_TIMED_OUT,
            "the reassignment service did not finish planning within the request timeout              (upstream.request_timeout_ms); nothing was started"
                .into(),
        )),
    }
}

/// Decoding an admin request may allocate at most this many bytes per byte of the request, plus
/// [`DECODE_SLACK_BYTES`] (`wire::within_memory`). Names, strings and JSON cost about one byte
/// per byte; what passes this is a request of many elements that are tiny on the wire and not in
/// memory (empty strings: 1 byte, 24 in memory). The slack lets a request at the caps of
/// limits.admin with short names through (10,000 topics of a 128-byte struct each are 1.3 MB).
pub const DECODE_BYTES_PER_BYTE: usize = 2;
pub const DECODE_SLACK_BYTES: usize = 2 << 20;

/// Runs an extension request and returns its whole response frame. A version the extension does
/// not have closes the connection, as a broker does for a version it does not support.
pub async fn answer(
    api_key: ApiKey,
    frame: &RequestFrame,
    upstream: &mut Upstream<'_, impl Transport>,
) -> Result<BytesMut, Unanswerable> {
    let header = frame.header;
    let version = header.api_version;
    let (lo, hi) = api_key.versions();
    if !(lo..=hi).contains(&version) {
        return Err(Unanswerable::NotOffered { api: api_key.name(), version });
    }
    let payload = frame.payload();
    let limits = &upstream.config.limits.admin;
    let prepared =
        upstream::off_runtime(payload.len(), || prepare(api_key, version, payload, limits));
    let response = match prepared {
        Err(refused) => *refused,
        Ok(Prepared { client_id, request, parsed }) => {
            // A null client id is sent as the empty one, as Kafka reads it; never as the sidecar's.
            upstream.client_id = Some(client_id);
            match run(request, parsed, version, upstream).await {
                Ok(response) => response,
                Err(Failure(code, message)) => {
                    AdminResponse::error(api_key, version, code, message)
                }
            }
        }
    };
    // The answer to a large request can be as large (10,000 topics, each with a message).
    upstream::off_runtime(payload.len(), || encode(response, version, header.correlation_id))
}

/// An admin request read and checked, ready to run: decoded within its memory budget, within the
/// caps of limits.admin, and its plan or partition list parsed (the JSON text itself dropped).
pub struct Prepared {
    client_id: String,
    request: AdminRequest,
    parsed: Parsed,
}

/// The JSON a request carries, parsed; its errors are answered once the command runs, after the
/// controller check, as they were when the commands parsed it themselves.
enum Parsed {
    Nothing,
    Plan(Result<Vec<plan::Move>, String>),
    Election(Result<election::Partitions, Failure>),
}

/// Everything done with an admin request before it reaches the cluster, all of it bounded by the
/// request's size: the byte cap, decoding within [`DECODE_BYTES_PER_BYTE`] ×size +
/// [`DECODE_SLACK_BYTES`], the count caps, and the JSON parse (linear; about 1.4 bytes per byte of
/// plan). A refusal is the response to answer (boxed: it is large, and rare).
fn prepare(
    api_key: ApiKey,
    version: i16,
    payload: &[u8],
    limits: &AdminLimits,
) -> Result<Prepared, Box<AdminResponse>> {
    let refuse = |code, message| Box::new(AdminResponse::error(api_key, version, code, message));
    if payload.len() > limits.max_request_bytes {
        // Refused before decoding, so its cost is the bytes already read and no more.
        return Err(refuse(
            ErrorCode::INVALID_REQUEST,
            format!(
                "the request has {} bytes; the sidecar takes at most {} in one admin request \
                 (limits.admin.max_request_bytes)",
                payload.len(),
                limits.max_request_bytes
            ),
        ));
    }
    let budget =
        payload.len().saturating_mul(DECODE_BYTES_PER_BYTE).saturating_add(DECODE_SLACK_BYTES);
    let (request_header, mut request) =
        match wire::within_memory(budget, || decode_request(payload)) {
            Ok(decoded) => decoded,
            Err(e) if matches!(e.kind, DecodeErrorKind::OverMemoryBudget { .. }) => {
                return Err(refuse(
                    ErrorCode::INVALID_REQUEST,
                    format!(
                        "the request holds so many small elements ({}) that decoded it would take \
                         more than {budget} bytes of memory; the sidecar allows \
                         {DECODE_BYTES_PER_BYTE} bytes per byte of request plus {} MiB: split it",
                        e.path.join("."),
                        DECODE_SLACK_BYTES >> 20
                    ),
                ));
            }
            Err(e) => return Err(Box::new(malformed(api_key, version, &e))),
        };
    if let Err(Failure(code, message)) = limits::check(&request, version, limits) {
        return Err(refuse(code, message));
    }
    let parsed = parse_json(&mut request);
    Ok(Prepared { client_id: request_header.client_id.unwrap_or_default(), request, parsed })
}

/// Runs an extension request built in this process (by the REST API) as [`answer`] runs one read
/// from a client: the same caps, the same parse of the JSON it carries, the same command. Its
/// failure is the response's error code and message.
pub async fn execute(
    mut request: AdminRequest,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
) -> AdminResponse {
    let api_key = request.api_key();
    if let Err(Failure(code, message)) =
        limits::check(&request, version, &upstream.config.limits.admin)
    {
        return AdminResponse::error(api_key, version, code, message);
    }
    let parsed = parse_json(&mut request);
    match run(request, parsed, version, upstream).await {
        Ok(response) => response,
        Err(Failure(code, message)) => AdminResponse::error(api_key, version, code, message),
    }
}

/// Takes the JSON a request carries out of it, parsed. The text is dropped once parsed, so the
/// text and its parsed form are never held together with what the command builds from it.
fn parse_json(request: &mut AdminRequest) -> Parsed {
    match request {
        AdminRequest::ReassignPartitions(r) => {
            Parsed::Plan(plan::parse(std::mem::take(&mut r.manual_assignment)))
        }
        AdminRequest::VerifyReassignPartitions(r) => {
            Parsed::Plan(plan::parse(std::mem::take(&mut r.manual_assignment)))
        }
        AdminRequest::PreferredReplicaLeaderElection(r) => {
            Parsed::Election(election::parse(std::mem::take(&mut r.partitions_serialized)))
        }
        AdminRequest::VerifyPreferredReplicaLeaderElection(r) => {
            Parsed::Election(election::parse(std::mem::take(&mut r.partitions_serialized)))
        }
        _ => Parsed::Nothing,
    }
}

/// For tests that measure what preparing a request costs (crates/adminwire-sidecar/tests): runs
/// [`prepare`] on a request payload (a frame without its size prefix) and, for CreateTopic and
/// AlterTopic, parses every topic's replica assignment as those commands do, holding them all as
/// AlterTopic does. `Ok` if the request would run, else the error code and message it is answered
/// with.
#[doc(hidden)]
pub fn prepare_for_measurement(payload: &[u8], limits: &AdminLimits) -> Result<(), (i16, String)> {
    let peek = adminwire_protocol::peek_request_header(payload)
        .map_err(|e| (ErrorCode::INVALID_REQUEST.0, e.to_string()))?;
    let api_key = ApiKey::from_i16(peek.api_key)
        .ok_or_else(|| (ErrorCode::INVALID_REQUEST.0, format!("api key {}", peek.api_key)))?;
    let refused =
        |response: Box<AdminResponse>| (ErrorCode::INVALID_REQUEST.0, format!("{response:?}"));
    let prepared = prepare(api_key, peek.api_version, payload, limits).map_err(refused)?;
    let failure = |Failure(code, message)| (code.0, message);
    let assignments: Vec<_> = match &prepared.request {
        AdminRequest::CreateTopic(r) => r
            .topics
            .iter()
            .filter(|t| !t.replica_assignment.is_empty())
            .map(|t| assignment::parse(&t.replica_assignment))
            .collect(),
        AdminRequest::AlterTopic(r) => r
            .topics
            .iter()
            .filter_map(|t| t.replica_assignment.as_deref().filter(|a| !a.is_empty()))
            .chain(r.replica_assignment.as_deref().filter(|a| !a.is_empty()))
            .map(assignment::parse)
            .collect(),
        _ => Vec::new(),
    };
    let parsed = match prepared.parsed {
        Parsed::Nothing => Ok(()),
        Parsed::Plan(plan) => plan
            .map(drop)
            .map_err(|e| failure(Failure(ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT, e))),
        Parsed::Election(partitions) => partitions.map(drop).map_err(failure),
    };
    parsed?;
    if let Some(Err(e)) = assignments.into_iter().find(Result::is_err) {
        return Err((ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT.0, e));
    }
    Ok(())
}

/// The response frame. Version 0's strings hold at most 32,767 bytes: an answer with a longer
/// one (an error message quoting a long input, say) has its strings cut to fit rather than fail.
fn encode(
    mut response: AdminResponse,
    version: i16,
    correlation_id: i32,
) -> Result<BytesMut, Unanswerable> {
    let mut out = BytesMut::new();
    match encode_response(&response, version, correlation_id, &mut out) {
        Err(e) if matches!(e.kind, EncodeErrorKind::StringTooLong { .. }) => {
            truncate::strings(&mut response, MAX_CLASSIC_STRING);
        }
        Err(e) => {
            // No field of a response the sidecar builds should fail to encode; if one does, the
            // client still gets an answer it can read.
            let api_key = response.api_key();
            response = AdminResponse::error(
                api_key,
                version,
                ErrorCode::UNKNOWN_SERVER_ERROR,
                format!("the sidecar could not encode its answer: {e}"),
            );
        }
        Ok(()) => return Ok(out),
    }
    encode_response(&response, version, correlation_id, &mut out)
        .map_err(|e| Unanswerable::Encode(e.to_string()))?;
    Ok(out)
}

async fn run(
    request: AdminRequest,
    parsed: Parsed,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
) -> Result<AdminResponse, Failure> {
    let deadline = Instant::now() + upstream.config.request_timeout();
    if !matches!(request, AdminRequest::ClusterMetadata(_)) {
        controller::require(upstream, deadline).await?;
    }
    let plan = |parsed: Parsed| match parsed {
        Parsed::Plan(plan) => {
            plan.map_err(|e| Failure(ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT, e))
        }
        _ => Err(Failure(ErrorCode::UNKNOWN_SERVER_ERROR, "the plan was not parsed".into())),
    };
    let election = |parsed: Parsed| match parsed {
        Parsed::Election(partitions) => partitions,
        _ => Err(Failure(ErrorCode::UNKNOWN_SERVER_ERROR, "the partitions were not parsed".into())),
    };
    match request {
        AdminRequest::ClusterMetadata(_) => {
            cluster_metadata::run(version, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::ListTopics(r) => {
            list_topics::run(&r, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::DescribeTopic(r) => {
            describe_topic::run(&r, version, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::CreateTopic(r) => {
            create_topic::run(&r, version, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::DeleteTopic(r) => {
            delete_topic::run(&r, version, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::AlterTopic(r) => {
            alter_topic::run(r, version, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::ReassignPartitions(r) => {
            reassign_partitions::run(&r, plan(parsed)?, version, upstream, deadline)
                .await
                .map(Into::into)
        }
        AdminRequest::VerifyReassignPartitions(_) => {
            verify_reassign_partitions::run(plan(parsed)?, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::PreferredReplicaLeaderElection(r) => preferred_replica_leader_election::run(
            &r,
            election(parsed)?,
            version,
            upstream,
            deadline,
        )
        .await
        .map(Into::into),
        AdminRequest::VerifyPreferredReplicaLeaderElection(_) => {
            verify_preferred_replica_leader_election::run(election(parsed)?, upstream, deadline)
                .await
                .map(Into::into)
        }
        AdminRequest::SubmitReassignment(r) => {
            submit_reassignment::run(r, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::DescribeReassignmentJobs(r) => {
            describe_reassignment_jobs::run(&r, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::AlterReassignmentJob(r) => {
            alter_reassignment_job::run(&r, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::CreateLink(r) => links::create(r, upstream, deadline).await.map(Into::into),
        AdminRequest::DescribeLinks(r) => {
            links::describe(&r, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::AlterLink(r) => links::alter(r, upstream, deadline).await.map(Into::into),
        AdminRequest::PromoteMirror(r) => {
            links::promote(&r, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::DeleteLink(r) => links::delete(&r, upstream, deadline).await.map(Into::into),
    }
}

/// The timeout a command gives the cluster — the request's own `TimeoutMs` in version 1, the
/// sidecar's request timeout in version 0 — and a deadline that leaves the cluster that long to
/// answer.
fn cluster_timeout(
    version: i16,
    timeout_ms: i32,
    upstream: &Upstream<'_, impl Transport>,
    deadline: Instant,
) -> (i32, Instant) {
    let timeout_ms = if version >= 1 {
        timeout_ms
    } else {
        i32::try_from(upstream.config.upstream.request_timeout_ms).unwrap_or(i32::MAX)
    };
    let leave = std::time::Duration::from_millis(u64::try_from(timeout_ms).unwrap_or(0) + 5_000);
    (timeout_ms, deadline.max(Instant::now() + leave))
}

fn malformed(api_key: ApiKey, version: i16, error: &DecodeError) -> AdminResponse {
    AdminResponse::error(
        api_key,
        version,
        ErrorCode::INVALID_REQUEST,
        format!("malformed {} v{version} request: {error}", api_key.name()),
    )
}

#[cfg(test)]
mod scripted;

/// The handlers against a scripted cluster: what they send, at which versions, for whom, and what
/// they make of the answers.
#[cfg(test)]
mod tests {
    use adminwire_protocol::generated::create_topic_request::CreatableTopic;
    use adminwire_protocol::generated::delete_topic_response::TopicResult as DeleteResult;
    use adminwire_protocol::{AlterTopicRequest, CreateTopicRequest, DeleteTopicRequest};
    use kafka_protocol::messages::create_topics_response::CreatableTopicResult;
    use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
    use kafka_protocol::messages::metadata_response::{
        MetadataResponsePartition, MetadataResponseTopic,
    };
    use kafka_protocol::messages::{
        ApiKey as KafkaApi, BrokerId, CreateTopicsRequest, CreateTopicsResponse,
        DeleteTopicsRequest, DeleteTopicsResponse, MetadataRequest, MetadataResponse, TopicName,
    };
    use kafka_protocol::protocol::StrBytes;

    use super::scripted::{Cluster, Script};
    use super::*;

    fn topic_metadata(name: &str, partitions: i32) -> MetadataResponse {
        MetadataResponse::default().with_topics(vec![
            MetadataResponseTopic::default()
                .with_name(Some(TopicName(StrBytes::from_string(name.to_owned()))))
                .with_partitions(
                    (0..partitions)
                        .map(|i| {
                            MetadataResponsePartition::default()
                                .with_partition_index(i)
                                .with_leader_id(BrokerId(1))
                        })
                        .collect(),
                ),
        ])
    }

    #[tokio::test]
    async fn create_topic_is_sent_at_the_brokers_version_for_the_client_and_settles() {
        let cluster = Cluster::new(&[(KafkaApi::CreateTopics, 5)]);
        let mut script = Script::default()
            .then(|request: CreateTopicsRequest| {
                let topic = &request.topics[0];
                assert_eq!(
                    (topic.name.0.as_str(), topic.num_partitions, topic.replication_factor),
                    ("orders", 3, 2)
                );
                CreateTopicsResponse::default().with_topics(vec![
                    CreatableTopicResult::default()
                        .with_name(topic.name.clone())
                        .with_num_partitions(3),
                ])
            })
            .then(|_: MetadataRequest| topic_metadata("orders", 3));
        let request = CreateTopicRequest {
            topics: vec![CreatableTopic {
                name: "orders".into(),
                partitions: 3,
                replication_factor: 2,
                ..Default::default()
            }],
            ..Default::default()
        };
        let answer =
            run(request.into(), Parsed::Nothing, 1, &mut cluster.upstream(&mut script)).await;
        let Ok(AdminResponse::CreateTopic(created)) = answer else { panic!("{answer:?}") };
        assert_eq!(created.topics[0].error_code, 0, "{created:?}");
        let sent: Vec<_> = script.sent.iter().map(|s| (s.api, s.version)).collect();
        assert_eq!(sent, [(KafkaApi::CreateTopics, 5), (KafkaApi::Metadata, 12)]);
        assert!(script.sent.iter().all(|s| s.client_id.as_deref() == Some("client-7")));
    }

    #[tokio::test]
    async fn delete_topic_names_its_topics_as_an_older_broker_reads_them() {
        let cluster = Cluster::new(&[(KafkaApi::DeleteTopics, 5)]);
        let mut script = Script::default().then(|request: DeleteTopicsRequest| {
            let names: Vec<&str> = request.topic_names.iter().map(|n| n.0.as_str()).collect();
            assert_eq!(names, ["a", "b"]);
            DeleteTopicsResponse::default().with_responses(
                request
                    .topic_names
                    .iter()
                    .map(|n| {
                        DeletableTopicResult::default()
                            .with_name(Some(n.clone()))
                            .with_error_code(if n.0.as_str() == "b" { 3 } else { 0 })
                    })
                    .collect(),
            )
        });
        let request =
            DeleteTopicRequest { topic_names: vec!["a".into(), "b".into()], ..Default::default() };
        let answer =
            run(request.into(), Parsed::Nothing, 1, &mut cluster.upstream(&mut script)).await;
        let Ok(AdminResponse::DeleteTopic(deleted)) = answer else { panic!("{answer:?}") };
        let codes: Vec<(&str, i16)> =
            deleted.topics.iter().map(|t: &DeleteResult| (t.name.as_str(), t.error_code)).collect();
        assert_eq!(codes, [("a", 0), ("b", 3)]);
        assert_eq!(script.sent[0].version, 5);
    }

    #[tokio::test]
    async fn fewer_partitions_is_refused_before_anything_changes() {
        let cluster = Cluster::new(&[]);
        let mut script = Script::default().then(|_: MetadataRequest| topic_metadata("t", 5));
        let request =
            AlterTopicRequest { topic_name: "t".into(), partitions: 3, ..Default::default() };
        let answer =
            run(request.into(), Parsed::Nothing, 0, &mut cluster.upstream(&mut script)).await;
        let Ok(AdminResponse::AlterTopic(altered)) = answer else { panic!("{answer:?}") };
        assert_eq!(ErrorCode(altered.error_code), ErrorCode::DECREASE_PARTITIONS_NOT_ALLOWED);
        assert_eq!(script.sent.len(), 1, "only the look at the current count");
    }

    #[tokio::test]
    async fn a_cluster_that_goes_away_mid_command_is_broker_not_available() {
        let cluster = Cluster::new(&[]);
        let mut script = Script::default();
        let request = DeleteTopicRequest { topic_name: "t".into(), ..Default::default() };
        let answer =
            run(request.into(), Parsed::Nothing, 0, &mut cluster.upstream(&mut script)).await;
        let Err(Failure(code, message)) = answer else { panic!("{answer:?}") };
        assert_eq!(code, ErrorCode::BROKER_NOT_AVAILABLE);
        assert!(message.contains("partly carried out"), "{message}");
    }
}
