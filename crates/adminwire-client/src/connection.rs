//! One TCP connection to a server: opened with an ApiVersions exchange that settles which version
//! of each extension API to use, then one request at a time.
//!
//! One request at a time (no pipelining) keeps a connection trivially in step: a call that is
//! cancelled or times out drops its connection, and no later call can read its late answer.

use std::time::Duration;

use adminwire_protocol::{AdminRequest, AdminResponse, ApiKey, FrameReader, encode_request};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{
    ApiKey as KafkaApiKey, ApiVersionsRequest, ApiVersionsResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use adminwire_kafka::call::{Call, Versions as KafkaVersions};
use adminwire_kafka::sasl::{Credentials, Login, LoginError, Mechanism};
use adminwire_kafka::scram::Hash;

use crate::config::{AdminClientConfig, SaslCredentials, SaslMechanism};
use crate::error::Error;

/// ApiVersions v3 is the first that names the client software; every Kafka since 2.4 has it.
const API_VERSIONS_VERSION: i16 = 3;
/// Kafka's UNSUPPORTED_VERSION, answered (in a version 0 body) by a broker older than v3.
const UNSUPPORTED_VERSION: i16 = 35;
/// The extension versions this client speaks.
const CLIENT_VERSIONS: (i16, i16) = (0, 1);

/// The version of each extension API both sides speak, or `None` where the server offers none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Versions([Option<i16>; ApiKey::ALL.len()]);

impl Versions {
    /// The highest common version of each extension key, from a server's ApiVersions ranges.
    fn negotiate(offered: &[ApiVersion]) -> Self {
        let mut chosen = [None; ApiKey::ALL.len()];
        for (slot, key) in chosen.iter_mut().zip(ApiKey::ALL) {
            *slot = offered.iter().find(|v| v.api_key == *key as i16).and_then(|v| {
                let high = v.max_version.min(CLIENT_VERSIONS.1);
                (high >= v.min_version.max(CLIENT_VERSIONS.0)).then_some(high)
            });
        }
        Self(chosen)
    }

    fn offers_any(&self) -> bool {
        self.0.iter().any(Option::is_some)
    }

    /// The version to send `key` in, if the server offers it.
    pub(crate) fn get(&self, key: ApiKey) -> Option<i16> {
        self.0[ApiKey::ALL.iter().position(|k| *k == key)?]
    }
}

/// An open connection that has negotiated versions.
#[derive(Debug)]
pub(crate) struct Connection {
    address: String,
    stream: TcpStream,
    read_buf: BytesMut,
    frames: FrameReader,
    next_correlation_id: i32,
    versions: Versions,
}

impl Connection {
    /// Connects to `address` and exchanges ApiVersions, all within the connect timeout. Fails
    /// with [`Error::ExtensionNotOffered`] when the server lists none of the extension's keys —
    /// before any of them is sent, since a plain broker drops the connection for a key it does
    /// not know.
    pub(crate) async fn open(address: &str, config: &AdminClientConfig) -> Result<Self, Error> {
        let opening = async {
            let stream =
                TcpStream::connect(address).await.map_err(|e| Error::connection(address, e))?;
            stream.set_nodelay(true).map_err(|e| Error::connection(address, e))?;
            let mut connection = Connection {
                address: address.to_owned(),
                stream,
                read_buf: BytesMut::new(),
                frames: FrameReader::new(config.max_response_size),
                next_correlation_id: 0,
                versions: Versions([None; ApiKey::ALL.len()]),
            };
            let offered = connection.api_versions(&config.client_id).await?;
            if let Some(credentials) = &config.sasl {
                connection.log_in(credentials, &offered, &config.client_id).await?;
            }
            connection.versions = Versions::negotiate(&offered);
            if !connection.versions.offers_any() {
                return Err(Error::ExtensionNotOffered { address: address.to_owned() });
            }
            tracing::debug!(address, versions = ?connection.versions, "connected");
            Ok(connection)
        };
        tokio::time::timeout(config.connect_timeout, opening).await.unwrap_or_else(|_| {
            Err(Error::Timeout {
                what: format!("connecting to {address}"),
                after: config.connect_timeout,
            })
        })
    }

    /// The `host:port` this connection goes to.
    pub(crate) fn address(&self) -> &str {
        &self.address
    }

    /// The negotiated versions.
    pub(crate) fn versions(&self) -> Versions {
        self.versions
    }

    /// Whether an idle connection can take another request: the server has not closed it and
    /// has sent nothing unasked.
    pub(crate) fn is_reusable(&self) -> bool {
        let mut probe = [0u8; 1];
        matches!(self.stream.try_read(&mut probe), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }

    /// Encodes `request` in `version`; nothing is sent yet. Fails when the request cannot be
    /// carried by that version (a string over 32,767 bytes in version 0, for instance).
    pub(crate) fn encode(
        &mut self,
        request: &AdminRequest,
        version: i16,
        client_id: &str,
    ) -> Result<(BytesMut, i32), Error> {
        let correlation_id = self.take_correlation_id();
        let mut frame = BytesMut::new();
        encode_request(request, version, correlation_id, Some(client_id), &mut frame).map_err(
            |e| Error::Unsupported {
                address: self.address.clone(),
                what: format!(
                    "this {} request in version {version} ({e})",
                    request.api_key().name()
                ),
            },
        )?;
        Ok((frame, correlation_id))
    }

    /// Sends an encoded request and decodes its response.
    pub(crate) async fn exchange(
        &mut self,
        api_key: ApiKey,
        version: i16,
        frame: &[u8],
        correlation_id: i32,
    ) -> Result<AdminResponse, Error> {
        let payload = self.round_trip(frame, correlation_id).await?;
        let (_, response) = adminwire_protocol::decode_response(api_key, version, &payload)
            .map_err(|e| {
                Error::protocol(&self.address, format!("{} v{version}: {e}", api_key.name()))
            })?;
        Ok(response)
    }

    fn take_correlation_id(&mut self) -> i32 {
        let id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        id
    }

    /// The server's ApiVersions ranges.
    async fn api_versions(&mut self, client_id: &str) -> Result<Vec<ApiVersion>, Error> {
        let correlation_id = self.take_correlation_id();
        let header = RequestHeader::default()
            .with_request_api_key(KafkaApiKey::ApiVersions as i16)
            .with_request_api_version(API_VERSIONS_VERSION)
            .with_correlation_id(correlation_id)
            .with_client_id(Some(StrBytes::from_string(client_id.to_owned())));
        let body = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("adminwire-client"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let mut frame = BytesMut::new();
        frame.extend_from_slice(&[0; 4]);
        let encoded = header
            .encode(
                &mut frame,
                KafkaApiKey::ApiVersions.request_header_version(API_VERSIONS_VERSION),
            )
            .and_then(|()| body.encode(&mut frame, API_VERSIONS_VERSION));
        if let Err(e) = encoded {
            // Only a client id too long for an INT16 length can fail here.
            return Err(Error::Config(format!("cannot encode ApiVersions: {e}")));
        }
        let size = i32::try_from(frame.len() - 4).unwrap_or(i32::MAX);
        frame[..4].copy_from_slice(&size.to_be_bytes());

        let payload = self.round_trip(&frame, correlation_id).await?;
        let bad = |detail: String| Error::protocol(&self.address, format!("ApiVersions: {detail}"));
        let mut body = Bytes::from(payload);
        // ApiVersions answers with response header v0 in every version.
        ResponseHeader::decode(&mut body, 0).map_err(|e| bad(e.to_string()))?;
        let error_code = body.first_chunk::<2>().map(|b| i16::from_be_bytes(*b));
        // A broker without v3 answers UNSUPPORTED_VERSION in a version 0 body that still lists
        // its ranges, which is all this needs.
        let version =
            if error_code == Some(UNSUPPORTED_VERSION) { 0 } else { API_VERSIONS_VERSION };
        check_api_keys_count(&body, version).map_err(bad)?;
        let response =
            ApiVersionsResponse::decode(&mut body, version).map_err(|e| bad(e.to_string()))?;
        if response.error_code != 0 && response.error_code != UNSUPPORTED_VERSION {
            return Err(bad(format!("error code {}", response.error_code)));
        }
        Ok(response.api_keys)
    }

    /// Logs in with SASL (see `adminwire_kafka::sasl`): the sidecar passes the exchange to a
    /// broker, which authenticates the client. Before any extension key is sent, since a SASL
    /// listener takes nothing else until the client has logged in.
    async fn log_in(
        &mut self,
        credentials: &SaslCredentials,
        offered: &[ApiVersion],
        client_id: &str,
    ) -> Result<(), Error> {
        let kafka_versions = KafkaVersions::from_api_keys(offered);
        let mechanism = match credentials.mechanism {
            SaslMechanism::Plain => Mechanism::Plain,
            SaslMechanism::ScramSha256 => Mechanism::Scram(Hash::Sha256),
            SaslMechanism::ScramSha512 => Mechanism::Scram(Hash::Sha512),
        };
        let login = Credentials::new(mechanism, &credentials.username, &credentials.password);
        let address = self.address.clone();
        let refused = |e: LoginError| Error::Authentication {
            address: address.clone(),
            username: credentials.username.clone(),
            detail: match e {
                LoginError::Refused { message, .. } => message,
                other => other.to_string(),
            },
        };
        let (mut login, handshake) = Login::start(&login);
        let answer = self.call_kafka(handshake, &kafka_versions, client_id).await?;
        let mut token = Some(login.handshake_answered(&answer).map_err(refused)?);
        while let Some(request) = token {
            let answer = self.call_kafka(request, &kafka_versions, client_id).await?;
            token = login.authenticate_answered(&answer).map_err(refused)?;
        }
        tracing::debug!(address = self.address, user = credentials.username, "logged in");
        Ok(())
    }

    /// Sends one of Kafka's own requests at the newest version both sides know.
    async fn call_kafka<R: Call>(
        &mut self,
        request: R,
        versions: &KafkaVersions,
        client_id: &str,
    ) -> Result<R::Response, Error> {
        let api = adminwire_kafka::call::api_key::<R>();
        let version = versions.pick::<R>().map_err(|e| Error::Unsupported {
            address: self.address.clone(),
            what: e.to_string(),
        })?;
        let correlation_id = self.take_correlation_id();
        let frame =
            adminwire_kafka::call::encode(&request, version, correlation_id, Some(client_id))
                .map_err(|e| Error::Config(format!("cannot encode {api:?}: {e}")))?;
        let payload = self.round_trip(&frame, correlation_id).await?;
        adminwire_kafka::call::decode_payload::<R>(Bytes::from(payload), version)
            .map_err(|e| Error::protocol(&self.address, format!("{api:?} v{version}: {e}")))
    }

    /// Writes a whole request frame and reads the response to it: its payload (header and
    /// body), after checking the correlation id.
    async fn round_trip(&mut self, frame: &[u8], correlation_id: i32) -> Result<Vec<u8>, Error> {
        self.stream.write_all(frame).await.map_err(|e| Error::connection(&self.address, e))?;
        let response = self.read_frame().await?;
        let answered = response.first_chunk::<4>().map(|b| i32::from_be_bytes(*b));
        if answered != Some(correlation_id) {
            return Err(Error::protocol(
                &self.address,
                format!("response to correlation id {answered:?}, expected {correlation_id}"),
            ));
        }
        Ok(response)
    }

    /// Reads one response frame, without its size prefix. The size is checked against the
    /// maximum before room for the frame is reserved.
    async fn read_frame(&mut self) -> Result<Vec<u8>, Error> {
        loop {
            let frame = self
                .frames
                .next_response(&mut self.read_buf)
                .map_err(|e| Error::protocol(&self.address, e.to_string()))?;
            if let Some(frame) = frame {
                return Ok(frame.payload().to_vec());
            }
            let wanted = match self.frames.frame_size(&self.read_buf) {
                Ok(Some(size)) => size + 4 - self.read_buf.len(),
                _ => 4096,
            };
            self.read_buf.reserve(wanted);
            let read = self
                .stream
                .read_buf(&mut self.read_buf)
                .await
                .map_err(|e| Error::connection(&self.address, e))?;
            if read == 0 {
                return Err(Error::connection(
                    &self.address,
                    std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the server closed the connection before answering",
                    ),
                ));
            }
        }
    }
}

/// Refuses an ApiVersions body whose `api_keys` count is larger than the bytes after it could
/// hold, before `kafka-protocol` reserves room for that many entries.
fn check_api_keys_count(body: &[u8], version: i16) -> Result<(), String> {
    let after_error_code = body.get(2..).ok_or("truncated before api_keys")?;
    let (rest, count) = if version >= 3 {
        let (rest, n) = adminwire_protocol::wire::unsigned_varint(after_error_code)
            .map_err(|_| "bad api_keys length".to_owned())?;
        (rest, u64::from(n.saturating_sub(1)))
    } else {
        let (rest, n) = adminwire_protocol::wire::int32(after_error_code)
            .map_err(|_| "truncated api_keys length".to_owned())?;
        (rest, u64::try_from(n).unwrap_or(0))
    };
    // Each entry is at least key, min and max: six bytes.
    if count.saturating_mul(6) > rest.len() as u64 {
        return Err(format!("{count} api keys cannot fit in {} bytes", rest.len()));
    }
    Ok(())
}

/// The `TimeoutMs` sent with the requests that change the cluster, in milliseconds: a little less
/// than the client's `request_timeout`, so that the server's REQUEST_TIMED_OUT arrives before the
/// client gives up on the response.
pub(crate) fn server_timeout_ms(request_timeout: Duration) -> i32 {
    let margin = (request_timeout / 10).min(Duration::from_secs(1));
    i32::try_from((request_timeout - margin).as_millis()).unwrap_or(i32::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(key: i16, min: i16, max: i16) -> ApiVersion {
        ApiVersion::default().with_api_key(key).with_min_version(min).with_max_version(max)
    }

    #[test]
    fn the_highest_common_version_is_chosen_per_key() {
        let versions = Versions::negotiate(&[
            offered(30000, 0, 1),
            offered(30001, 0, 0),
            offered(30002, 0, 7),
            offered(30003, 2, 7),
            offered(18, 0, 4),
        ]);
        assert_eq!(versions.get(ApiKey::ClusterMetadata), Some(1));
        assert_eq!(versions.get(ApiKey::CreateTopic), Some(0));
        assert_eq!(versions.get(ApiKey::AlterTopic), Some(1));
        assert_eq!(versions.get(ApiKey::DeleteTopic), None, "only versions this client lacks");
        assert_eq!(versions.get(ApiKey::ListTopics), None);
        assert!(versions.offers_any());
        assert!(!Versions::negotiate(&[offered(18, 0, 4)]).offers_any(), "a plain broker");
    }

    #[test]
    fn an_api_keys_count_past_the_end_is_refused_before_decoding() {
        // error code 0, then an INT32 count of 2^31-1 with nothing after it.
        let body = [0, 0, 0x7f, 0xff, 0xff, 0xff];
        assert!(check_api_keys_count(&body, 0).is_err());
        // Compact: varint 1000+1, two bytes of entries.
        let body = [0, 0, 0xe9, 0x07, 0, 0];
        assert!(check_api_keys_count(&body, 3).is_err());
        assert!(check_api_keys_count(&[0, 0, 0, 0, 0, 0], 0).is_ok());
        assert!(check_api_keys_count(&[0], 3).is_err());
    }

    #[test]
    fn the_server_is_asked_to_give_up_before_the_client() {
        assert_eq!(server_timeout_ms(Duration::from_secs(30)), 29_000);
        assert_eq!(server_timeout_ms(Duration::from_secs(2)), 1_800);
        assert_eq!(server_timeout_ms(Duration::from_millis(1)), 1);
    }
}
