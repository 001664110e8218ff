//! The client's one error type, [`Error`], and [`ServerError`], an error code a server answered
//! with (for the whole request, or for one topic or partition of a batch).
//!
//! Every error has a [`code`](Error::code) (the server's, or `None` when no server answered), a
//! [`name`](Error::name), a [`description`](Error::description) and says whether trying again
//! may succeed ([`is_retriable`](Error::is_retriable)).

use std::fmt;
use std::time::Duration;

use adminwire_protocol::ErrorCode;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// The result of the client's calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error code a server answered with, and its message.
///
/// The code is one of the extension's (1001–1010), a standard Kafka code, or one this client does
/// not know (a newer sidecar); unknown codes are named `UNKNOWN` and are not retriable.
///
/// ```
/// use adminwire_client::{ErrorCode, ServerError};
///
/// let error = ServerError::new(ErrorCode(1002), Some("Topic 'orders' already exists.".into()));
/// assert_eq!(error.code(), ErrorCode::TOPIC_ALREADY_EXISTS);
/// assert_eq!(error.name(), "TopicAlreadyExists");
/// assert_eq!(error.description(), "Topic 'orders' already exists.");
/// assert!(!error.is_retriable());
/// assert_eq!(error.to_string(), "TopicAlreadyExists (1002): Topic 'orders' already exists.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    code: ErrorCode,
    message: Option<String>,
}

impl ServerError {
    /// An error with `code` and the server's `message` (if it sent one).
    pub fn new(code: ErrorCode, message: Option<String>) -> Self {
        Self { code, message }
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The code's name (`TopicAlreadyExists`, `UNKNOWN_TOPIC_OR_PARTITION`), or `UNKNOWN`.
    pub fn name(&self) -> &'static str {
        self.code.name().unwrap_or("UNKNOWN")
    }

    /// The server's message, or the code's standard meaning when the server sent none.
    pub fn description(&self) -> String {
        match (&self.message, self.code.message()) {
            (Some(message), _) if !message.is_empty() => message.clone(),
            (_, Some(meaning)) => meaning.to_owned(),
            _ => format!("error code {} (unknown to this client)", self.code.0),
        }
    }

    /// The message exactly as the server sent it.
    pub fn server_message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Whether sending the same request again may succeed.
    pub fn is_retriable(&self) -> bool {
        self.code.is_retriable()
    }

    /// `Some` error for a non-zero code, `None` for success.
    pub(crate) fn check(code: i16, message: Option<String>) -> Option<Self> {
        (code != 0).then(|| Self::new(ErrorCode(code), message))
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.name(), self.code.0, self.description())
    }
}

impl std::error::Error for ServerError {}

impl Serialize for ServerError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ServerError", 4)?;
        s.serialize_field("code", &self.code.0)?;
        s.serialize_field("name", self.name())?;
        s.serialize_field("description", &self.description())?;
        s.serialize_field("retriable", &self.is_retriable())?;
        s.end()
    }
}

/// Everything that can go wrong in a call.
///
/// [`Error::Server`] is an answer from the server; every other variant means no (usable) answer
/// arrived. A client never panics on what a server sends: a response it cannot decode is
/// [`Error::Protocol`].
///
/// ```
/// use adminwire_client::{Error, ErrorCode, ServerError};
///
/// let error = Error::from(ServerError::new(ErrorCode(1001), None));
/// assert_eq!(error.code(), Some(ErrorCode::NOT_CONTROLLER_RECEIVED_ADMIN_REQUEST));
/// assert_eq!(error.name(), "NotControllerReceivedAdminRequest");
/// assert!(error.is_retriable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered the request with an error code.
    #[error("{0}")]
    Server(#[from] ServerError),
    /// A connection could not be made, or broke.
    #[error("connection to {address} failed: {source}")]
    Connection {
        /// The `host:port` connected to.
        address: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// No answer within the time allowed.
    #[error("{what} timed out after {after:?}")]
    Timeout {
        /// What was being waited for (`ListTopics at 127.0.0.1:9092`, `the reassignment`).
        what: String,
        /// How long was waited.
        after: Duration,
    },
    /// The server's answer could not be understood: truncated, malformed, too large, or not the
    /// answer to the request sent.
    #[error("bad response from {address}: {detail}")]
    Protocol {
        /// The `host:port` that sent it.
        address: String,
        /// What was wrong with it.
        detail: String,
    },
    /// The server does not offer the admin extension at all: a plain Kafka broker, not an
    /// adminwire sidecar. Nothing of the extension was sent to it.
    #[error(
        "{address} does not offer the adminwire admin extension (API keys 30000-30009): is it a plain Kafka broker rather than an adminwire sidecar?"
    )]
    ExtensionNotOffered {
        /// The `host:port` asked.
        address: String,
    },
    /// The server does not offer what the call needs: the API, or a feature of it that only
    /// version 1 has (validate-only, excluding internal topics, batches, plans over 32 KiB).
    #[error("{address} does not support {what}")]
    Unsupported {
        /// The `host:port` asked.
        address: String,
        /// What is missing.
        what: String,
    },
    /// The server refused the client's SASL login: a wrong user or password, or a mechanism it
    /// does not offer. Another try with the same login would be refused too.
    #[error("authentication as {username:?} at {address} failed: {detail}")]
    Authentication {
        /// The `host:port` logged in to.
        address: String,
        /// The user that tried.
        username: String,
        /// What the server said.
        detail: String,
    },
    /// An argument the client refuses before sending anything.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A setting of [`AdminClientConfig`](crate::AdminClientConfig) is invalid or not supported.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The client was closed with [`AdminClient::close`](crate::AdminClient::close).
    #[error("the admin client is closed")]
    Closed,
}

impl Error {
    /// The server's error code, for [`Error::Server`]; `None` when no server answered.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Server(e) => Some(e.code()),
            _ => None,
        }
    }

    /// The error's name: the server code's (`TopicAlreadyExists`) or the kind of failure
    /// (`ConnectionError`, `Timeout`, `ProtocolError`, `ExtensionNotOffered`, `Unsupported`,
    /// `AuthenticationError`, `InvalidArgument`, `ConfigError`, `Closed`).
    pub fn name(&self) -> &'static str {
        match self {
            Error::Server(e) => e.name(),
            Error::Connection { .. } => "ConnectionError",
            Error::Timeout { .. } => "Timeout",
            Error::Protocol { .. } => "ProtocolError",
            Error::ExtensionNotOffered { .. } => "ExtensionNotOffered",
            Error::Unsupported { .. } => "Unsupported",
            Error::Authentication { .. } => "AuthenticationError",
            Error::InvalidArgument(_) => "InvalidArgument",
            Error::Config(_) => "ConfigError",
            Error::Closed => "Closed",
        }
    }

    /// What went wrong: the server's message for [`Error::Server`], else the error's text.
    pub fn description(&self) -> String {
        match self {
            Error::Server(e) => e.description(),
            other => other.to_string(),
        }
    }

    /// Whether trying again later may succeed: a retriable server code, a broken connection or a
    /// timeout.
    pub fn is_retriable(&self) -> bool {
        match self {
            Error::Server(e) => e.is_retriable(),
            Error::Connection { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// The server's answer, if this is one.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn protocol(address: &str, detail: impl Into<String>) -> Self {
        Error::Protocol { address: address.to_owned(), detail: detail.into() }
    }

    pub(crate) fn connection(address: &str, source: std::io::Error) -> Self {
        Error::Connection { address: address.to_owned(), source }
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 4)?;
        s.serialize_field("code", &self.code().map(|c| c.0))?;
        s.serialize_field("name", self.name())?;
        s.serialize_field("description", &self.description())?;
        s.serialize_field("retriable", &self.is_retriable())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_code_is_named_unknown_shows_its_number_and_is_not_retriable() {
        let error = ServerError::new(ErrorCode(4242), None);
        assert_eq!(error.name(), "UNKNOWN");
        assert!(!error.is_retriable());
        assert!(error.to_string().contains("4242"), "{error}");
    }

    #[test]
    fn the_standard_meaning_stands_in_for_a_missing_or_empty_message() {
        for message in [None, Some(String::new())] {
            let error = ServerError::new(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, message);
            assert_eq!(error.description(), "This server does not host this topic-partition.");
        }
    }

    #[test]
    fn errors_serialize_with_code_name_description_and_retriable() {
        let server = Error::from(ServerError::new(ErrorCode(1010), Some("busy".into())));
        assert_eq!(
            serde_json::to_value(&server).unwrap(),
            serde_json::json!({"code": 1010, "name": "ReassignPartitionsInProgress",
                "description": "busy", "retriable": false})
        );
        let timeout = Error::Timeout { what: "ListTopics".into(), after: Duration::from_secs(1) };
        let json = serde_json::to_value(&timeout).unwrap();
        assert_eq!(json["code"], serde_json::Value::Null);
        assert_eq!(json["name"], "Timeout");
        assert_eq!(json["retriable"], true);
    }
}
