//! A scripted cluster for the command handlers' unit tests: a [`Transport`] that answers each
//! request the way a test says, and remembers what it was sent. The handlers run exactly as in
//! front of a real cluster (the integration tests do that), without one.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, Request};
use tokio::time::Instant;

use crate::config::Config;
use crate::registry::{ListenerOwner, Registry, Target};
use crate::upstream::{BrokerVersions, CallError, Transport, Upstream};
use adminwire_kafka::call::Versions;

/// One request the script received: its API, version, client id and body bytes.
#[derive(Debug, Clone)]
pub struct Sent {
    pub api: ApiKey,
    pub version: i16,
    pub client_id: Option<String>,
    pub body: Bytes,
}

impl Sent {
    /// The body, decoded as `R`.
    pub fn decode<R: Request>(&self) -> R {
        R::decode(&mut self.body.clone(), self.version).expect("the request decodes")
    }
}

type Answer = Box<dyn FnMut(&Sent) -> Result<Bytes, CallError> + Send>;

/// Answers requests in order from a queue of answers; a request with none left fails as a
/// broker that went away.
#[derive(Default)]
pub struct Script {
    answers: VecDeque<(ApiKey, Answer)>,
    pub sent: Vec<Sent>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script").field("sent", &self.sent).finish_non_exhaustive()
    }
}

impl Script {
    /// Answers the next request, which must be an `R`, with what `answer` makes of it.
    pub fn then<R: Request + 'static>(
        mut self,
        mut answer: impl FnMut(R) -> R::Response + Send + 'static,
    ) -> Self {
        let api = ApiKey::try_from(R::KEY).expect("a known key");
        self.answers.push_back((
            api,
            Box::new(move |sent: &Sent| {
                let response = answer(sent.decode::<R>());
                let mut body = BytesMut::new();
                response.encode(&mut body, sent.version).expect("the response encodes");
                Ok(body.freeze())
            }),
        ));
        self
    }
}

impl Transport for Script {
    async fn exchange(
        &mut self,
        api: ApiKey,
        version: i16,
        frame: BytesMut,
        _deadline: Instant,
    ) -> Result<Bytes, CallError> {
        let mut payload = frame.freeze().slice(4..);
        let header = RequestHeader::decode(&mut payload, api.request_header_version(version))
            .expect("the request header decodes");
        let sent = Sent {
            api,
            version,
            client_id: header.client_id.as_ref().map(|c| c.to_string()),
            body: payload.copy_to_bytes(payload.remaining()),
        };
        self.sent.push(sent.clone());
        let Some((expected, mut answer)) = self.answers.pop_front() else {
            return Err(CallError::Closed(format!("the script has no answer for {api:?}")));
        };
        assert_eq!(expected, api, "the script expected {expected:?} next");
        let body = answer(&sent)?;
        let header = ResponseHeader::default().with_correlation_id(header.correlation_id);
        let mut out = BytesMut::from(&[0u8; 4][..]);
        header.encode(&mut out, api.response_header_version(version)).expect("header encodes");
        out.extend_from_slice(&body);
        let size = (out.len() - 4) as i32;
        out[..4].copy_from_slice(&size.to_be_bytes());
        Ok(out.freeze())
    }
}

/// A broker that supports every version the crate knows, except where `capped` says otherwise.
pub fn broker_versions(capped: &[(ApiKey, i16)]) -> BrokerVersions {
    let ranges = ApiKey::iter()
        .map(|api| {
            let range = api.valid_versions();
            let max = capped.iter().find(|(a, _)| *a == api).map_or(range.max, |(_, m)| *m);
            ApiVersion::default()
                .with_api_key(api as i16)
                .with_min_version(range.min)
                .with_max_version(max)
        })
        .collect();
    let versions = Versions::from_response(&ApiVersionsResponse::default().with_api_keys(ranges));
    let slot = BrokerVersions::default();
    let _ = slot.set(versions);
    slot
}

#[derive(Debug)]
struct NoListeners;

impl ListenerOwner for NoListeners {
    fn listen(&self, _: i32, _: &str) -> std::io::Result<()> {
        Ok(())
    }
}

/// What an `Upstream` over a script needs besides it.
pub struct Cluster {
    pub config: Config,
    pub registry: Registry,
    pub versions: BrokerVersions,
}

impl Cluster {
    pub fn new(capped: &[(ApiKey, i16)]) -> Self {
        let config = Config::default();
        let registry = Registry::new(Arc::new(config.clone()), Box::new(NoListeners));
        Self { config, registry, versions: broker_versions(capped) }
    }

    /// An upstream that sends through `script` for the client `client-7`.
    pub fn upstream<'a>(&'a self, script: &'a mut Script) -> Upstream<'a, Script> {
        let mut upstream =
            Upstream::new(script, &self.versions, Target::Bootstrap, &self.config, &self.registry);
        upstream.client_id = Some("client-7".into());
        upstream
    }
}
