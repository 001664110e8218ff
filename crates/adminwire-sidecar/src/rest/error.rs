//! The REST API's errors: always JSON, `{"error_code": <HTTP status>, "message": …}` as Kafka
//! Connect answers, plus `kafka_error` (the Kafka or extension error behind it: name and code) and
//! `retriable` where one caused it, and `conflict` naming which conflict a 409 is (Connect's single
//! 409 says nothing of it, KAFKA-4037). Never a 200 with an error inside.

use adminwire_protocol::ErrorCode;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    kafka: Option<ErrorCode>,
    conflict: Option<&'static str>,
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The HTTP status, repeated.
    pub error_code: u16,
    /// What went wrong, for a person.
    pub message: String,
    /// The Kafka (or adminwire extension) error that caused it, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kafka_error: Option<KafkaError>,
    /// Whether the same request may succeed later, where a Kafka error caused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retriable: Option<bool>,
    /// Which conflict a 409 is: `topic_exists`, `reassignment_in_progress`,
    /// `election_in_progress`, `job_running`, `job_ended`, `link_exists`, `mirror_promoted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<&'static str>,
}

/// The error answers any resource may give, each an [`ErrorBody`]: for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Errors {
    /// Bad input: a malformed body, a wrong field (the message names it), a request Kafka refuses
    /// as invalid.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No credentials on a cluster that needs them, or wrong ones.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The brokers' ACLs refuse the caller.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such topic, job or instance.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A conflict: `conflict` says which. One that ends by itself (`reassignment_in_progress`,
    /// `election_in_progress`, `job_running`) comes with `Retry-After`.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// A body larger than the API takes.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// A body that is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// Reassignment jobs are not set up on this sidecar (1011).
    #[response(status = 501)]
    NotConfigured(ErrorBody),
    /// The cluster does not have what the request needs (no version of a request in common).
    #[response(status = 502)]
    BadGateway(ErrorBody),
    /// The cluster cannot be reached, or is busy: try again after `Retry-After`.
    #[response(status = 503)]
    Unavailable(ErrorBody),
    /// The cluster did not answer in time.
    #[response(status = 504)]
    Timeout(ErrorBody),
}

/// A Kafka error code, by name and number.
#[derive(Debug, Serialize, ToSchema)]
pub struct KafkaError {
    pub name: String,
    pub code: i16,
}

/// How long a client is told to wait before trying a retriable failure again.
const RETRY_AFTER_SECONDS: &str = "1";
/// How long before a conflict that ends by itself (a move, an election, a running job) is worth
/// asking again about: moves take seconds to hours, so a few seconds.
const RETRY_CONFLICT_AFTER_SECONDS: &str = "10";

/// The conflicts that end by themselves, where waiting helps.
const PASSING_CONFLICTS: [&str; 3] =
    ["reassignment_in_progress", "election_in_progress", "job_running"];

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), kafka: None, conflict: None }
    }

    /// 400: the request is wrong; `message` names the field.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 503: the cluster cannot be reached.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// 504: the cluster did not answer in time.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GATEWAY_TIMEOUT, message)
    }

    /// 409, saying which conflict.
    pub fn conflict(conflict: &'static str, message: impl Into<String>) -> Self {
        Self {
            conflict: Some(conflict),
            kafka: Some(ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS),
            ..Self::new(StatusCode::CONFLICT, message)
        }
    }

    /// The answer for a Kafka or extension error code.
    pub fn kafka(code: ErrorCode, message: Option<String>) -> Self {
        let (status, conflict) = status_of(code);
        let message = message
            .filter(|m| !m.is_empty())
            .or_else(|| code.message().map(str::to_owned))
            .unwrap_or_else(|| format!("error code {}", code.0));
        Self { status, message, kafka: Some(code), conflict }
    }

    /// Whether Kafka's (or the extension's) `code` caused it.
    pub fn is_kafka(&self, code: ErrorCode) -> bool {
        self.kafka == Some(code)
    }

    #[cfg(test)]
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// The HTTP status (and conflict) of a Kafka or extension error code.
fn status_of(code: ErrorCode) -> (StatusCode, Option<&'static str>) {
    use StatusCode as S;
    match code {
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION
        | ErrorCode::RESOURCE_NOT_FOUND
        | ErrorCode::GROUP_ID_NOT_FOUND => (S::NOT_FOUND, None),
        ErrorCode::TOPIC_AUTHORIZATION_FAILED | ErrorCode::CLUSTER_AUTHORIZATION_FAILED => {
            (S::FORBIDDEN, None)
        }
        ErrorCode::SASL_AUTHENTICATION_FAILED => (S::UNAUTHORIZED, None),
        ErrorCode::TOPIC_ALREADY_EXISTS => (S::CONFLICT, Some("topic_exists")),
        ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS => {
            (S::CONFLICT, Some("reassignment_in_progress"))
        }
        ErrorCode::PREFERRED_REPLICA_LEADER_ELECTION_IN_PROGRESS => {
            (S::CONFLICT, Some("election_in_progress"))
        }
        ErrorCode::NO_REASSIGNMENT_IN_PROGRESS => (S::CONFLICT, Some("job_ended")),
        ErrorCode::LINK_ALREADY_EXISTS => (S::CONFLICT, Some("link_exists")),
        ErrorCode::MIRROR_PROMOTED => (S::CONFLICT, Some("mirror_promoted")),
        ErrorCode::MIRROR_NOT_SWITCHED => (S::CONFLICT, Some("not_switched")),
        // The source given for a link did not answer: what was asked cannot be done as asked,
        // as Connect answers a connector config it cannot validate (kafka_error says retriable).
        ErrorCode::LINK_SOURCE_UNAVAILABLE => (S::BAD_REQUEST, None),
        ErrorCode::REQUEST_TIMED_OUT => (S::GATEWAY_TIMEOUT, None),
        // Kafka calls it not retriable; for the API it is the cluster out of reach.
        ErrorCode::BROKER_NOT_AVAILABLE => (S::SERVICE_UNAVAILABLE, None),
        // The cluster lacks what the request needs.
        ErrorCode::UNSUPPORTED_VERSION => (S::BAD_GATEWAY, None),
        ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED => (S::NOT_IMPLEMENTED, None),
        ErrorCode::UNKNOWN_SERVER_ERROR => (S::INTERNAL_SERVER_ERROR, None),
        // Invalid topics, partitions, replication factors, assignments, configs and requests.
        ErrorCode(17 | 37..=40 | 42 | 44 | 73 | 1003..=1007 | 1009) => (S::BAD_REQUEST, None),
        _ if code.is_retriable() => (S::SERVICE_UNAVAILABLE, None),
        _ => (S::BAD_REQUEST, None),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retriable = self.kafka.map(ErrorCode::is_retriable);
        let body = ErrorBody {
            error_code: self.status.as_u16(),
            message: self.message,
            kafka_error: self.kafka.map(|code| KafkaError {
                name: code.name().unwrap_or("UNKNOWN").to_owned(),
                code: code.0,
            }),
            retriable,
            conflict: self.conflict,
        };
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"kafka\""),
            );
        }
        // Waiting helps where the cluster is unreachable or slow; not for a 404 whose Kafka code
        // happens to be retriable.
        if matches!(self.status, StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        if self.conflict.is_some_and(|c| PASSING_CONFLICTS.contains(&c)) {
            let after = HeaderValue::from_static(RETRY_CONFLICT_AFTER_SECONDS);
            headers.insert(header::RETRY_AFTER, after);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_codes_become_the_statuses_a_rest_client_expects() {
        let status = |code| ApiError::kafka(code, None).status();
        assert_eq!(status(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION), StatusCode::NOT_FOUND);
        assert_eq!(status(ErrorCode::TOPIC_AUTHORIZATION_FAILED), StatusCode::FORBIDDEN);
        assert_eq!(status(ErrorCode::TOPIC_ALREADY_EXISTS), StatusCode::CONFLICT);
        assert_eq!(status(ErrorCode::INVALID_ARGUMENT_PARTITIONS), StatusCode::BAD_REQUEST);
        assert_eq!(status(ErrorCode::REQUEST_TIMED_OUT), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(status(ErrorCode::BROKER_NOT_AVAILABLE), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(ErrorCode::LEADER_NOT_AVAILABLE), StatusCode::SERVICE_UNAVAILABLE);
    }
}
