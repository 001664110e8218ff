//! A connection of adminwire's own to one broker, for work done on nobody's connection (a job's
//! moves, its throttles, its progress): authenticated as the principal the operator configured,
//! with versions negotiated once, one request at a time.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest,
    SaslHandshakeResponse,
};
use kafka_protocol::protocol::StrBytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use crate::call::{self, Call, NoCommonVersion, Versions};
use crate::scram::{Hash, Scram, ScramError};

/// The largest response read: Kafka's own default for requests (`socket.request.max.bytes`).
pub const MAX_RESPONSE_BYTES: usize = 100 * 1024 * 1024;

/// A SASL login.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub mechanism: Mechanism,
    pub username: String,
    pub password: String,
}

/// The SASL mechanisms adminwire logs in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Plain,
    Scram(Hash),
}

impl Mechanism {
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Scram(hash) => hash.mechanism(),
        }
    }
}

impl Credentials {
    pub fn new(mechanism: Mechanism, username: &str, password: &str) -> Self {
        Self { mechanism, username: username.to_owned(), password: password.to_owned() }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password, whatever logs this.
        f.debug_struct("Credentials")
            .field("mechanism", &self.mechanism)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("connecting to {address}: {source}")]
    Connect { address: String, source: std::io::Error },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("no answer to {api:?} within {waited:?}")]
    Timeout { api: ApiKey, waited: Duration },
    #[error(transparent)]
    Version(#[from] NoCommonVersion),
    #[error("the broker's answer could not be read: {0}")]
    Decode(String),
    #[error("a response of {0} bytes is more than the {MAX_RESPONSE_BYTES} taken")]
    TooLarge(usize),
    #[error("authentication as {username:?} failed: {message}")]
    Authentication { username: String, message: String },
    #[error("the broker does not offer SASL/{wanted} (it offers {offered:?})")]
    Mechanism { wanted: &'static str, offered: Vec<String> },
    #[error("authentication as {username:?}: {source}")]
    Scram { username: String, source: ScramError },
}

/// One connection to one broker.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    versions: Versions,
    next_correlation_id: i32,
}

impl Connection {
    /// Connects to `address`, asks which versions the broker takes, and logs in with
    /// `credentials` (SASL/PLAIN) when given; all before `deadline`.
    pub async fn open(
        address: &str,
        credentials: Option<&Credentials>,
        deadline: Instant,
    ) -> Result<Self, ConnectionError> {
        let connect = timeout_at(deadline, TcpStream::connect(address)).await;
        let stream = match connect {
            Ok(Ok(stream)) => stream,
            Ok(Err(source)) => {
                return Err(ConnectionError::Connect { address: address.to_owned(), source });
            }
            Err(_) => {
                return Err(ConnectionError::Connect {
                    address: address.to_owned(),
                    source: std::io::ErrorKind::TimedOut.into(),
                });
            }
        };
        let _ = stream.set_nodelay(true);
        let mut connection = Self { stream, versions: Versions::default(), next_correlation_id: 0 };
        let frame =
            call::encode_api_versions(None).map_err(|e| ConnectionError::Decode(e.to_string()))?;
        let answer = connection.exchange(ApiKey::ApiVersions, frame, deadline).await?;
        connection.versions = call::decode_api_versions(&answer)
            .map_err(|e| ConnectionError::Decode(e.to_string()))?;
        if let Some(credentials) = credentials {
            connection.log_in(credentials, deadline).await?;
        }
        Ok(connection)
    }

    /// Sends `request` at the newest version both sides know and waits for its response until
    /// `deadline`.
    pub async fn call<R: Call>(
        &mut self,
        request: R,
        deadline: Instant,
    ) -> Result<R::Response, ConnectionError> {
        let version = self.versions.pick::<R>()?;
        let mut request = request;
        request.fit(version);
        let frame = call::encode(&request, version, 0, None)
            .map_err(|e| ConnectionError::Decode(e.to_string()))?;
        let answer = self.exchange(call::api_key::<R>(), frame, deadline).await?;
        call::decode::<R>(&answer, version).map_err(|e| ConnectionError::Decode(e.to_string()))
    }

    /// SASL (KIP-43, with KIP-152's framed tokens): a handshake naming the mechanism, then its
    /// tokens. PLAIN sends `\0user\0password`; SCRAM sends its first message, then its proof, and
    /// checks the server's signature.
    async fn log_in(
        &mut self,
        credentials: &Credentials,
        deadline: Instant,
    ) -> Result<(), ConnectionError> {
        let wanted = credentials.mechanism.name();
        let handshake =
            SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(wanted));
        let shook: SaslHandshakeResponse = self.call(handshake, deadline).await?;
        if shook.error_code != 0 {
            let offered = shook.mechanisms.iter().map(|m| m.to_string()).collect();
            return Err(ConnectionError::Mechanism { wanted, offered });
        }
        match credentials.mechanism {
            Mechanism::Plain => {
                let mut token =
                    Vec::with_capacity(2 + credentials.username.len() + credentials.password.len());
                token.push(0);
                token.extend_from_slice(credentials.username.as_bytes());
                token.push(0);
                token.extend_from_slice(credentials.password.as_bytes());
                self.authenticate(credentials, token, deadline).await?;
            }
            Mechanism::Scram(hash) => {
                let scram_error = |source| ConnectionError::Scram {
                    username: credentials.username.clone(),
                    source,
                };
                let mut scram = Scram::new(hash, &credentials.username, &credentials.password)
                    .map_err(scram_error)?;
                let first = scram.client_first().into_bytes();
                let server_first = self.authenticate(credentials, first, deadline).await?;
                let server_first = String::from_utf8_lossy(&server_first).into_owned();
                let last = scram.client_final(&server_first).map_err(scram_error)?.into_bytes();
                let server_final = self.authenticate(credentials, last, deadline).await?;
                scram
                    .check_server_final(&String::from_utf8_lossy(&server_final))
                    .map_err(scram_error)?;
            }
        }
        Ok(())
    }

    /// One SASL token out, the server's token back.
    async fn authenticate(
        &mut self,
        credentials: &Credentials,
        token: Vec<u8>,
        deadline: Instant,
    ) -> Result<Bytes, ConnectionError> {
        let request = SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(token));
        let answer: SaslAuthenticateResponse = self.call(request, deadline).await?;
        if answer.error_code != 0 {
            return Err(ConnectionError::Authentication {
                username: credentials.username.clone(),
                message: answer
                    .error_message
                    .map_or_else(|| format!("error {}", answer.error_code), |m| m.to_string()),
            });
        }
        Ok(answer.auth_bytes)
    }

    /// Writes `frame` with the next correlation id and reads the response frame (size prefix
    /// included).
    async fn exchange(
        &mut self,
        api: ApiKey,
        mut frame: BytesMut,
        deadline: Instant,
    ) -> Result<Bytes, ConnectionError> {
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = correlation_id.wrapping_add(1);
        // Size prefix, api key, api version, then the correlation id.
        if let Some(id) = frame.get_mut(8..12) {
            id.copy_from_slice(&correlation_id.to_be_bytes());
        }
        let started = Instant::now();
        let exchanged = timeout_at(deadline, async {
            self.stream.write_all(&frame).await?;
            loop {
                let response = read_frame(&mut self.stream).await?;
                // A response to an earlier request given up on (its deadline passed) is skipped.
                if response.get(4..8) == Some(&correlation_id.to_be_bytes()[..]) {
                    return Ok(response);
                }
            }
        })
        .await;
        match exchanged {
            Ok(result) => result,
            Err(_) => Err(ConnectionError::Timeout { api, waited: started.elapsed() }),
        }
    }
}

/// One response frame, size prefix included; nothing is reserved before its size is checked.
async fn read_frame(stream: &mut TcpStream) -> Result<Bytes, ConnectionError> {
    let mut size = [0u8; 4];
    stream.read_exact(&mut size).await?;
    let len = i32::from_be_bytes(size);
    let len = usize::try_from(len).map_err(|_| ConnectionError::Decode(format!("size {len}")))?;
    if len > MAX_RESPONSE_BYTES {
        return Err(ConnectionError::TooLarge(len));
    }
    let mut frame = BytesMut::with_capacity(4 + len);
    frame.extend_from_slice(&size);
    frame.resize(4 + len, 0);
    stream.read_exact(&mut frame[4..]).await?;
    Ok(frame.freeze())
}
