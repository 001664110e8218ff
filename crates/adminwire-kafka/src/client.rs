//! adminwire's own client of a cluster: a connection per broker, opened when first needed and again
//! after it breaks, all logged in as one principal. Calls go to a given broker, or to any.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kafka_protocol::messages::MetadataRequest;
use tokio::time::Instant;

use crate::call::Call;
use crate::connection::{Connection, ConnectionError};
use crate::sasl::{Credentials, LoginError};

/// Where a call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// Any broker: one already connected, else a bootstrap server.
    Any,
    Broker(i32),
}

/// A broker as the cluster's metadata names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub id: i32,
    pub address: String,
    pub rack: Option<String>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Connection>>>;

/// A client of one cluster.
#[derive(Debug)]
pub struct Client {
    bootstrap: Vec<String>,
    credentials: Option<Credentials>,
    timeout: Duration,
    /// Broker addresses learned from metadata.
    addresses: Mutex<BTreeMap<i32, String>>,
    /// One connection per broker id, and one for the bootstrap servers (`-1`).
    connections: Mutex<BTreeMap<i32, Slot>>,
}

const BOOTSTRAP: i32 = -1;

impl Client {
    /// A client of the cluster at `bootstrap`, logging in as `credentials` when given; each call
    /// waits at most `timeout`.
    pub fn new(
        bootstrap: Vec<String>,
        credentials: Option<Credentials>,
        timeout: Duration,
    ) -> Self {
        Self {
            bootstrap,
            credentials,
            timeout,
            addresses: Mutex::new(BTreeMap::new()),
            connections: Mutex::new(BTreeMap::new()),
        }
    }

    /// Sends `request` to `to` and waits for its response. A connection that fails is dropped,
    /// and the next call opens a new one.
    pub async fn call<R: Call>(&self, to: To, request: R) -> Result<R::Response, ConnectionError> {
        let id = match to {
            To::Any => self.any(),
            To::Broker(id) => {
                if !lock(&self.addresses).contains_key(&id) {
                    self.brokers().await?;
                }
                id
            }
        };
        self.call_at(id, request).await
    }

    async fn call_at<R: Call>(&self, id: i32, request: R) -> Result<R::Response, ConnectionError> {
        let deadline = Instant::now() + self.timeout;
        let slot = self.slot(id);
        let mut connection = slot.lock().await;
        let open = match connection.as_mut() {
            Some(open) => open,
            None => connection.insert(self.open(id, deadline).await?),
        };
        let answer = open.call(request, deadline).await;
        if answer.is_err() {
            // Whatever went wrong, a half-read answer may be on the wire: start afresh.
            *connection = None;
        }
        answer
    }

    /// The cluster's brokers, from a Metadata request; remembered for calls to them.
    pub async fn brokers(&self) -> Result<Vec<Broker>, ConnectionError> {
        let request = MetadataRequest::default().with_topics(Some(Vec::new()));
        let metadata = self.call_at(self.any(), request).await?;
        let brokers: Vec<Broker> = metadata
            .brokers
            .iter()
            .map(|b| Broker {
                id: b.node_id.0,
                address: format!("{}:{}", b.host, b.port),
                rack: b.rack.as_ref().map(ToString::to_string),
            })
            .collect();
        let mut addresses = lock(&self.addresses);
        addresses.clear();
        addresses.extend(brokers.iter().map(|b| (b.id, b.address.clone())));
        Ok(brokers)
    }

    /// A broker to send an any-broker call to: one connected already if there is one.
    fn any(&self) -> i32 {
        let connections = lock(&self.connections);
        connections
            .iter()
            .find(|(_, slot)| slot.try_lock().is_ok_and(|c| c.is_some()))
            .map_or(BOOTSTRAP, |(id, _)| *id)
    }

    fn slot(&self, id: i32) -> Slot {
        Arc::clone(lock(&self.connections).entry(id).or_default())
    }

    async fn open(&self, id: i32, deadline: Instant) -> Result<Connection, ConnectionError> {
        let credentials = self.credentials.as_ref();
        if id != BOOTSTRAP {
            let address = lock(&self.addresses).get(&id).cloned().ok_or_else(|| {
                ConnectionError::Connect {
                    address: format!("broker {id}"),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not in the cluster's metadata",
                    ),
                }
            })?;
            return Connection::open(&address, credentials, deadline).await;
        }
        let mut last = None;
        for address in &self.bootstrap {
            match Connection::open(address, credentials, deadline).await {
                Ok(connection) => return Ok(connection),
                // A refused login is the answer; another server would refuse it too.
                Err(e @ ConnectionError::Login(LoginError::Refused { .. })) => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| ConnectionError::Connect {
            address: "(no bootstrap servers)".into(),
            source: std::io::ErrorKind::NotFound.into(),
        }))
    }
}

/// A lock of a map only ever held for a lookup; a panic elsewhere cannot leave it half-changed.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
