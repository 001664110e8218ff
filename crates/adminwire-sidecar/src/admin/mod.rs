//! Requests of the admin extension (keys 30000-30009): answered by the sidecar, never passed to a
//! broker (which would close the connection on a key it does not know).
//!
//! Each command runs as Kafka admin requests on the client's own connection to its broker, so the
//! broker authenticates and authorizes it as that client: the sidecar holds no credentials of its
//! own. One module per command translates it.

mod alter_topic;
mod assignment;
mod cluster_metadata;
mod controller;
mod create_topic;
mod delete_topic;
mod describe_topic;
mod election;
mod limits;
mod list_topics;
mod outcome;
mod plan;
mod preferred_replica_leader_election;
mod reassign_partitions;
mod settle;
mod truncate;
mod verify_preferred_replica_leader_election;
mod verify_reassign_partitions;

use adminwire_protocol::wire::MAX_CLASSIC_STRING;
use adminwire_protocol::{
    AdminRequest, AdminResponse, ApiKey, DecodeError, EncodeErrorKind, ErrorCode, RequestFrame,
    decode_request, encode_response,
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
            CallError::NoCommonVersion(_) => Failure(ErrorCode::UNSUPPORTED_VERSION, e.to_string()),
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
    api_key: ApiKey,
    frame: &RequestFrame,
    upstream: &mut Upstream<'_>,
) -> Result<BytesMut, CloseReason> {
    let header = frame.header;
    let version = header.api_version;
    let (lo, hi) = api_key.versions();
    if !(lo..=hi).contains(&version) {
        return Err(CloseReason::NotOffered { api: api_key.name().to_owned(), version });
    }
    let limits = &upstream.shared.config.limits.admin;
    let response = if frame.payload().len() > limits.max_request_bytes {
        // Refused before decoding, so its cost is the bytes already read and no more.
        AdminResponse::error(
            api_key,
            version,
            ErrorCode::INVALID_REQUEST,
            format!(
                "the request has {} bytes; the sidecar takes at most {} in one admin request \
                 (limits.admin.max_request_bytes)",
                frame.payload().len(),
                limits.max_request_bytes
            ),
        )
    } else {
        match decode_request(frame.payload()) {
            Err(e) => malformed(api_key, version, &e),
            Ok((request_header, request)) => {
                // A null client id is sent as the empty one, as Kafka reads it; never as the sidecar's.
                upstream.client_id = Some(request_header.client_id.unwrap_or_default());
                let run = match limits::check(&request, version, limits) {
                    Ok(()) => run(request, version, upstream).await,
                    Err(failure) => Err(failure),
                };
                match run {
                    Ok(response) => response,
                    Err(Failure(code, message)) => {
                        AdminResponse::error(api_key, version, code, message)
                    }
                }
            }
        }
    };
    encode(response, version, header.correlation_id)
}

/// The response frame. Version 0's strings hold at most 32,767 bytes: an answer with a longer
/// one (an error message quoting a long input, say) has its strings cut to fit rather than fail.
fn encode(
    mut response: AdminResponse,
    version: i16,
    correlation_id: i32,
) -> Result<BytesMut, CloseReason> {
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
        .map_err(|e| CloseReason::Rewrite(format!("cannot encode an admin answer: {e}")))?;
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
