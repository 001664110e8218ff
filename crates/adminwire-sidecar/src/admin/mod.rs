//! Requests of the admin extension (keys 30000-30009): answered by the sidecar, never passed to a
//! broker (which would close the connection on a key it does not know).
//!
//! Each command runs as Kafka admin requests on the client's own connection to its broker, so the
//! broker authenticates and authorizes it as that client: the sidecar holds no credentials of its
//! own. One module per command translates it.

mod alter_topic;
pub(crate) mod assignment;
mod cluster_metadata;
mod controller;
mod create_topic;
mod delete_topic;
mod describe_topic;
pub(crate) mod election;
mod list_topics;
mod outcome;
pub(crate) mod plan;
mod preferred_replica_leader_election;
mod reassign_partitions;
mod settle;
mod verify_preferred_replica_leader_election;
mod verify_reassign_partitions;

use adminwire_protocol::{
    AdminRequest, AdminResponse, ApiKey, DecodeError, ErrorCode, RequestFrame, decode_request,
    encode_response,
};
use bytes::BytesMut;
use tokio::time::Instant;

use crate::proxy::{CallError, CloseReason, Upstream};

/// How a command fails: the error code and message its client is answered with.
#[derive(Debug)]
pub struct Failure(pub ErrorCode, pub String);

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Timeout { .. } => Failure(ErrorCode::REQUEST_TIMED_OUT, e.to_string()),
            CallError::Encode { .. } | CallError::Decode { .. } => {
                Failure(ErrorCode::UNKNOWN_SERVER_ERROR, e.to_string())
            }
            // The client still gets an answer; the connection closes after it (see proxy.rs).
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

/// Runs an extension request and returns its whole response frame. A version the extension does
/// not have closes the connection, as a broker does for a version it does not support.
pub async fn answer(
    frame: &RequestFrame,
    upstream: &mut Upstream<'_>,
) -> Result<BytesMut, CloseReason> {
    let header = frame.header;
    let api_key =
        ApiKey::from_i16(header.api_key).expect("answer is only called for extension keys");
    let version = header.api_version;
    let (lo, hi) = api_key.versions();
    if !(lo..=hi).contains(&version) {
        return Err(CloseReason::NotOffered { api: api_key.name().to_owned(), version });
    }
    let response = match decode_request(frame.payload()) {
        Err(e) => malformed(api_key, version, &e),
        Ok((_, request)) => match run(request, version, upstream).await {
            Ok(response) => response,
            Err(Failure(code, message)) => AdminResponse::error(api_key, version, code, message),
        },
    };
    let mut out = BytesMut::new();
    encode_response(&response, version, header.correlation_id, &mut out)
        .expect("responses built from the version's own fields encode in it");
    Ok(out)
}

async fn run(
    request: AdminRequest,
    version: i16,
    upstream: &mut Upstream<'_>,
) -> Result<AdminResponse, Failure> {
    let deadline = Instant::now() + upstream.shared.config.request_timeout();
    if !matches!(request, AdminRequest::ClusterMetadata(_)) {
        controller::require(upstream, deadline).await?;
    }
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
            alter_topic::run(&r, version, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::ReassignPartitions(r) => {
            reassign_partitions::run(&r, version, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::VerifyReassignPartitions(r) => {
            verify_reassign_partitions::run(&r, upstream, deadline).await.map(Into::into)
        }
        AdminRequest::PreferredReplicaLeaderElection(r) => {
            preferred_replica_leader_election::run(&r, version, upstream, deadline)
                .await
                .map(Into::into)
        }
        AdminRequest::VerifyPreferredReplicaLeaderElection(r) => {
            verify_preferred_replica_leader_election::run(&r, version, upstream, deadline)
                .await
                .map(Into::into)
        }
    }
}

/// The timeout a command gives the cluster — the request's own `TimeoutMs` in version 1, the
/// sidecar's request timeout in version 0 — and a deadline that leaves the cluster that long to
/// answer.
fn cluster_timeout(
    version: i16,
    timeout_ms: i32,
    upstream: &Upstream<'_>,
    deadline: Instant,
) -> (i32, Instant) {
    let timeout_ms = if version >= 1 {
        timeout_ms
    } else {
        i32::try_from(upstream.shared.config.upstream.request_timeout_ms).unwrap_or(i32::MAX)
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
