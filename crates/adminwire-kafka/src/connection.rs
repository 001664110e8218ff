//! A connection of adminwire's own to one broker, for work done on nobody's connection (a job's
//! moves, its throttles, its progress): authenticated as the principal the operator configured,
//! with versions negotiated once, one request at a time.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::ApiKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use crate::call::{self, Call, NoCommonVersion, Versions};
use crate::sasl::{Credentials, Login, LoginError};

/// The largest response read: Kafka's own default for requests (`socket.request.max.bytes`).
pub const MAX_RESPONSE_BYTES: usize = 100 * 1024 * 1024;

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
    #[error(transparent)]
    Login(#[from] LoginError),
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
        let version = self.versions.pick_for(&request)?;
        let mut request = request;
        request.fit(version);
        let frame = call::encode(&request, version, 0, None)
            .map_err(|e| ConnectionError::Decode(e.to_string()))?;
        let answer = self.exchange(call::api_key::<R>(), frame, deadline).await?;
        call::decode::<R>(&answer, version).map_err(|e| ConnectionError::Decode(e.to_string()))
    }

    /// Logs in (see [`crate::sasl`]), each request at the newest version both sides know.
    async fn log_in(
        &mut self,
        credentials: &Credentials,
        deadline: Instant,
    ) -> Result<(), ConnectionError> {
        let (mut login, handshake) = Login::start(credentials);
        let answer = self.call(handshake, deadline).await?;
        let mut token = Some(login.handshake_answered(&answer)?);
        while let Some(request) = token {
            let answer = self.call(request, deadline).await?;
            token = login.authenticate_answered(&answer)?;
        }
        Ok(())
    }

    /// The versions the broker said it takes.
    pub fn versions(&self) -> &Versions {
        &self.versions
    }

    /// Writes `frame` (a whole request of `api`, encoded by the caller) with the next correlation
    /// id and reads the response frame (size prefix included), until `deadline`.
    pub async fn exchange(
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
