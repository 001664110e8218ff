//! Who a REST request runs as, and its connection to the cluster: the request's HTTP Basic
//! credentials log in to a broker with SASL, so that the broker authenticates the caller and its
//! ACLs decide every step exactly as they would for the same user on the wire. Without
//! credentials, a request runs as the user the operator named for it (`rest.anonymous_username`),
//! or else only on a cluster that needs no login.

use std::sync::Arc;

use adminwire_kafka::connection::{Connection, ConnectionError};
use adminwire_kafka::sasl::{Credentials, LoginError, Mechanism};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, SaslHandshakeRequest};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::error::ApiError;
use crate::config::Config;
use crate::upstream::{BrokerVersions, CallError, Transport};

/// Kafka's ILLEGAL_SASL_STATE: a SaslHandshake on a listener without SASL.
const ILLEGAL_SASL_STATE: i16 = 34;

/// The credentials of a request: from its `Authorization: Basic` header, if it has one.
pub fn credentials(
    headers: &HeaderMap,
    mechanism: Mechanism,
) -> Result<Option<Credentials>, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else { return Ok(None) };
    let bad = || ApiError::unauthorized("the Authorization header is not HTTP Basic user:password");
    let value = value.to_str().map_err(|_| bad())?;
    let (scheme, encoded) = value.split_once(' ').ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(bad());
    }
    let decoded = BASE64.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (user, password) = decoded.split_once(':').ok_or_else(bad)?;
    if user.is_empty() {
        return Err(bad());
    }
    Ok(Some(Credentials::new(mechanism, user, password)))
}

/// A connection to the cluster, logged in as the caller (or, on a cluster without
/// authentication, as nobody).
pub struct Session {
    connection: Connection,
    pub versions: BrokerVersions,
    /// `User:name`, or `User:ANONYMOUS`.
    pub principal: String,
}

impl Session {
    /// Connects to the first of the cluster's bootstrap servers that answers and logs in with
    /// `credentials`; without them, checks that the broker takes requests from a client that has
    /// not logged in, so that a secured cluster answers 401 rather than a closed connection.
    pub async fn open(
        config: &Config,
        credentials: Option<&Credentials>,
        deadline: Instant,
    ) -> Result<Self, ApiError> {
        Self::open_any(&config.upstream.bootstrap_servers, credentials, deadline).await
    }

    /// The same, to the first of `addresses` that answers: one broker's own address, for what
    /// only that broker answers (its own settings).
    pub async fn open_any(
        addresses: &[String],
        credentials: Option<&Credentials>,
        deadline: Instant,
    ) -> Result<Self, ApiError> {
        let mut last = None;
        for address in addresses {
            match Connection::open(address, credentials, deadline).await {
                Ok(connection) => return Self::ready(connection, credentials, deadline).await,
                Err(ConnectionError::Login(e)) => return Err(refused(&e)),
                Err(e) => last = Some(e),
            }
        }
        // A server that took the connection and then said nothing is a cluster too slow to
        // answer (504); one that could not be reached at all is unavailable (503).
        Err(match last {
            Some(e @ ConnectionError::Timeout { .. }) => ApiError::timeout(format!(
                "none of the cluster's bootstrap servers answered in time: {e}"
            )),
            last => ApiError::unavailable(format!(
                "none of the cluster's bootstrap servers could be reached: {}",
                last.map_or_else(|| "none given".to_owned(), |e| e.to_string())
            )),
        })
    }

    async fn ready(
        mut connection: Connection,
        credentials: Option<&Credentials>,
        deadline: Instant,
    ) -> Result<Self, ApiError> {
        let principal = match credentials {
            Some(c) => format!("User:{}", c.username),
            None => {
                // A listener with SASL answers the handshake (and then takes nothing but the
                // login); one without answers ILLEGAL_SASL_STATE and goes on serving.
                let probe = SaslHandshakeRequest::default()
                    .with_mechanism(StrBytes::from_static_str("PLAIN"));
                let answer = connection.call(probe, deadline).await.map_err(unavailable)?;
                if answer.error_code != ILLEGAL_SASL_STATE {
                    return Err(ApiError::unauthorized(
                        "the cluster requires authentication: send HTTP Basic credentials of a \
                         Kafka user",
                    ));
                }
                crate::principal::ANONYMOUS.to_owned()
            }
        };
        let versions = Arc::new(std::sync::OnceLock::new());
        let _ = versions.set(connection.versions().clone());
        Ok(Self { connection, versions, principal })
    }
}

fn refused(e: &LoginError) -> ApiError {
    match e {
        LoginError::Refused { message, .. } => ApiError::unauthorized(message.clone()),
        other => ApiError::unauthorized(other.to_string()),
    }
}

fn unavailable(e: ConnectionError) -> ApiError {
    match e {
        ConnectionError::Timeout { .. } => ApiError::timeout(e.to_string()),
        other => ApiError::unavailable(other.to_string()),
    }
}

impl Transport for Session {
    async fn exchange(
        &mut self,
        api: ApiKey,
        _version: i16,
        frame: BytesMut,
        deadline: Instant,
    ) -> Result<Bytes, CallError> {
        self.connection.exchange(api, frame, deadline).await.map_err(|e| match e {
            ConnectionError::Timeout { api, .. } => CallError::Timeout { api },
            other => CallError::Closed(other.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn basic_credentials_are_read_and_anything_else_is_refused() {
        let read = credentials(&basic("Basic YWRtaW46czNjOnJldA=="), Mechanism::Plain).unwrap();
        let read = read.unwrap();
        assert_eq!((read.username.as_str(), read.password.as_str()), ("admin", "s3c:ret"));
        assert!(credentials(&HeaderMap::new(), Mechanism::Plain).unwrap().is_none());
        for bad in ["Bearer abc", "Basic !!!", "Basic bm9jb2xvbg==", "Basic OnB3"] {
            let e = credentials(&basic(bad), Mechanism::Plain).unwrap_err();
            assert_eq!(e.status(), axum::http::StatusCode::UNAUTHORIZED, "{bad}");
        }
    }
}
