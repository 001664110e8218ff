//! The sidecar's side of talking to brokers: connecting to the broker (or bootstrap server) a
//! listener fronts, and the typed, version-negotiated call that admin commands make.
//!
//! A call goes through a [`Transport`]: on a client's own broker connection (see `connection`),
//! so the broker authorizes it as that client, or a scripted one in tests. [`Upstream`] adds what
//! every call needs on top: the broker's versions, the client id to send, and the deadline.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::ApiKey;
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::config::Config;
use crate::jobs::Jobs;
use crate::metrics::Metrics;
use crate::registry::{Registry, Target};
use adminwire_kafka::call::{self, Call, NoCommonVersion, Versions};

/// Opens connections to the upstream a listener fronts.
#[derive(Debug, Default)]
pub struct Connector {
    bootstrap_cursor: AtomicUsize,
}

impl Connector {
    /// Connects to the broker's current address (so a broker whose address changed is reached at
    /// the new one), or to the first bootstrap server that answers.
    pub async fn connect(
        &self,
        target: Target,
        config: &Config,
        registry: &Registry,
        metrics: &Metrics,
    ) -> std::io::Result<TcpStream> {
        let timeout = config.connect_timeout();
        let candidates: Vec<String> = match target {
            Target::Broker(id) => match registry.upstream_of(id) {
                Some(address) => vec![address],
                None => {
                    return Err(std::io::Error::other(format!(
                        "broker {id} is not known to the sidecar"
                    )));
                }
            },
            Target::Bootstrap => {
                let servers = &config.upstream.bootstrap_servers;
                // Start each connection at the next server, so load and failures spread.
                let start = self.bootstrap_cursor.fetch_add(1, Ordering::Relaxed);
                let mut candidates: Vec<String> = (0..servers.len())
                    .map(|i| servers[(start + i) % servers.len()].clone())
                    .collect();
                // When every configured server is down, any broker learned since can bootstrap.
                for broker in registry.upstreams() {
                    if !candidates.contains(&broker) {
                        candidates.push(broker);
                    }
                }
                candidates
            }
        };
        let mut last_error = None;
        for address in candidates {
            match tokio::time::timeout(timeout, TcpStream::connect(&address)).await {
                Ok(Ok(stream)) => return Ok(stream),
                Ok(Err(e)) => {
                    last_error = Some(std::io::Error::new(e.kind(), format!("{address}: {e}")))
                }
                Err(_) => {
                    last_error = Some(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("{address}: connect timed out"),
                    ))
                }
            }
            metrics.upstream_error("connect");
        }
        Err(last_error.unwrap_or_else(|| std::io::Error::other("no bootstrap servers")))
    }
}

/// Work on this many bytes or more (decoding a 1 MiB request, a 10,000-topic Metadata answer) is
/// done with `block_in_place`, so that its milliseconds do not hold up the other connections of
/// the runtime thread (Metadata, Produce) meanwhile. Smaller work takes microseconds and is done
/// in place.
pub const OFF_RUNTIME_BYTES: usize = 64 * 1024;

/// Runs `work` on `bytes` bytes: off the runtime's thread when large (see [`OFF_RUNTIME_BYTES`])
/// and the runtime can spare it (a multi-threaded one), else in place.
pub fn off_runtime<T>(bytes: usize, work: impl FnOnce() -> T) -> T {
    let multi_thread = tokio::runtime::Handle::try_current().is_ok_and(|runtime| {
        runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
    });
    if bytes >= OFF_RUNTIME_BYTES && multi_thread {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

/// Why a request an admin command sent got no response.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("the broker did not answer {api:?} within the deadline")]
    Timeout { api: ApiKey },
    #[error("{0}")]
    NoCommonVersion(#[from] NoCommonVersion),
    #[error("cannot encode {api:?} v{version}: {reason}")]
    Encode { api: ApiKey, version: i16, reason: String },
    #[error("cannot decode the {api:?} v{version} response: {reason}")]
    Decode { api: ApiKey, version: i16, reason: String },
    #[error("the connection to the broker ended: {0}")]
    Closed(String),
}

/// Where a call's request frame goes and its response frame comes from.
pub trait Transport: Send {
    /// Sends `frame` (a whole request of `api` at `version`; its correlation id is the
    /// transport's to set) and waits until `deadline` for the response frame, size prefix
    /// included.
    fn exchange(
        &mut self,
        api: ApiKey,
        version: i16,
        frame: BytesMut,
        deadline: Instant,
    ) -> impl Future<Output = Result<Bytes, CallError>> + Send;
}

/// The broker versions of one connection, learned once.
pub type BrokerVersions = Arc<std::sync::OnceLock<Versions>>;

/// What an admin command runs against: a transport to the cluster, and who it runs for.
#[derive(Debug)]
pub struct Upstream<'a, T> {
    transport: &'a mut T,
    /// The broker's versions, once known: from the client's own ApiVersions exchange, or asked
    /// for by the first call that needs them.
    versions: &'a BrokerVersions,
    /// The client id sent on each request (the client's own, for a client's command).
    pub client_id: Option<String>,
    /// The broker (or bootstrap servers) the client's listener fronts.
    pub target: Target,
    pub config: &'a Config,
    /// The brokers fronted, to tell clients their addresses.
    pub registry: &'a Registry,
    /// The reassignment service, where the sidecar runs one.
    pub jobs: Option<&'a Jobs>,
    /// Whether the client logged in (SASL) on its connection.
    pub client_logged_in: bool,
    /// Whom the client logged in as (`User:name`, `User:ANONYMOUS`), if known.
    pub client_principal: Option<String>,
}

impl<'a, T: Transport> Upstream<'a, T> {
    pub fn new(
        transport: &'a mut T,
        versions: &'a BrokerVersions,
        target: Target,
        config: &'a Config,
        registry: &'a Registry,
    ) -> Self {
        Self {
            transport,
            versions,
            client_id: None,
            target,
            config,
            registry,
            jobs: None,
            client_logged_in: false,
            client_principal: None,
        }
    }

    /// Sends `request` at the newest version both the broker and the sidecar know, and waits
    /// until `deadline` for its response.
    pub async fn call<R: Call + Send>(
        &mut self,
        mut request: R,
        deadline: Instant,
    ) -> Result<R::Response, CallError> {
        let version = self.versions(deadline).await?.pick_for(&request)?;
        request.fit(version);
        self.call_at(request, version, deadline).await
    }

    /// Sends `request` at exactly `version` (one the client itself sent on this connection, so
    /// the broker takes it), and waits until `deadline` for its response.
    pub async fn call_at<R: Call + Send>(
        &mut self,
        request: R,
        version: i16,
        deadline: Instant,
    ) -> Result<R::Response, CallError> {
        let api = call::api_key::<R>();
        let frame = call::encode(&request, version, 0, self.client_id.as_deref())
            .map_err(|e| CallError::Encode { api, version, reason: e.to_string() })?;
        let response = self.exchange(api, version, frame, deadline).await?;
        call::decode::<R>(&response, version).map_err(|e| CallError::Decode {
            api,
            version,
            reason: e.to_string(),
        })
    }

    /// One exchange on the transport. A broker whose listener requires SASL closes the connection
    /// of a client that sends anything but ApiVersions before logging in, which to the sidecar
    /// looks like any broken connection: the error says so when the client this command runs for
    /// has not logged in.
    async fn exchange(
        &mut self,
        api: ApiKey,
        version: i16,
        frame: BytesMut,
        deadline: Instant,
    ) -> Result<Bytes, CallError> {
        match self.transport.exchange(api, version, frame, deadline).await {
            Err(CallError::Closed(reason))
                if self.client_principal.as_deref() == Some(crate::principal::ANONYMOUS) =>
            {
                Err(CallError::Closed(format!(
                    "{reason} (this client has not logged in: if the broker's listener requires \
                     SASL, log in first, as a Kafka client does with security.protocol=\
                     SASL_PLAINTEXT, sasl.mechanism and sasl.jaas.config)"
                )))
            }
            other => other,
        }
    }

    async fn versions(&mut self, deadline: Instant) -> Result<&Versions, CallError> {
        if self.versions.get().is_none() {
            let api = ApiKey::ApiVersions;
            let version = call::API_VERSIONS_VERSION;
            let frame = call::encode_api_versions(self.client_id.as_deref())
                .map_err(|e| CallError::Encode { api, version, reason: e.to_string() })?;
            let response = self.exchange(api, version, frame, deadline).await?;
            let versions = call::decode_api_versions(&response).map_err(|e| CallError::Decode {
                api,
                version,
                reason: e.to_string(),
            })?;
            let _ = self.versions.set(versions);
        }
        self.versions.get().ok_or_else(|| CallError::Closed("no broker versions".into()))
    }
}
