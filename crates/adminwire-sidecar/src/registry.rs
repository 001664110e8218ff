//! The brokers the sidecar fronts: each one's real address, and the address clients are told.
//!
//! Brokers are learned wherever the cluster names them — a Metadata the sidecar asks for itself, a
//! response it rewrites, an admin command's answer. A broker seen for the first time is announced
//! to the listener owner (the server), which binds its listener before the address reaches any
//! client; the registry itself binds nothing.

use std::sync::Arc;

use dashmap::DashMap;
use tracing::info;

use crate::config::Config;
use crate::rewrite::Advertise;

/// Which upstream a listener's connections go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Any reachable bootstrap server.
    Bootstrap,
    /// The broker with this node id.
    Broker(i32),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Bootstrap => write!(f, "bootstrap"),
            Target::Broker(id) => write!(f, "broker-{id}"),
        }
    }
}

/// A broker the sidecar fronts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    /// The broker's own address, as the cluster advertises it.
    pub upstream: String,
    /// The address clients are told.
    pub advertised: (String, i32),
    /// Whether its listener is bound.
    pub listening: bool,
}

/// Whoever owns the listeners: told of each broker that needs one.
pub trait ListenerOwner: Send + Sync + std::fmt::Debug {
    /// Binds and serves a listener for `node_id` on `bind`; an error leaves the broker advertised
    /// but unreachable until a later announcement succeeds.
    fn listen(&self, node_id: i32, bind: &str) -> std::io::Result<()>;
}

#[derive(Debug)]
pub struct Registry {
    config: Arc<Config>,
    brokers: DashMap<i32, Broker>,
    listeners: Box<dyn ListenerOwner>,
}

impl Registry {
    pub fn new(config: Arc<Config>, listeners: Box<dyn ListenerOwner>) -> Self {
        Self { config, brokers: DashMap::new(), listeners }
    }

    /// The brokers known, by node id.
    pub fn len(&self) -> usize {
        self.brokers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.brokers.is_empty()
    }

    /// A broker's current real address.
    pub fn upstream_of(&self, node_id: i32) -> Option<String> {
        self.brokers.get(&node_id).map(|b| b.upstream.clone())
    }

    /// Every broker's real address, to bootstrap through when the configured servers are down.
    pub fn upstreams(&self) -> Vec<String> {
        self.brokers.iter().map(|b| b.upstream.clone()).collect()
    }

    /// Every broker, by node id.
    pub fn brokers(&self) -> Vec<(i32, Broker)> {
        let mut all: Vec<_> = self.brokers.iter().map(|b| (*b.key(), b.clone())).collect();
        all.sort_by_key(|(id, _)| *id);
        all
    }

    /// Records broker `node_id` at `upstream`, makes sure it has a listener, and returns what
    /// clients are told; `None` if no listener port is configured for it.
    pub fn front(&self, node_id: i32, upstream: String) -> Option<(String, i32)> {
        let (bind, host, port) = self.config.broker_listener(node_id)?;
        let advertised = (host, i32::from(port));
        let mut entry = self.brokers.entry(node_id).or_insert_with(|| Broker {
            upstream: upstream.clone(),
            advertised: advertised.clone(),
            listening: false,
        });
        if entry.upstream != upstream {
            info!(node_id, from = %entry.upstream, to = %upstream, "broker moved; new connections go to its new address");
            entry.upstream = upstream;
        }
        // Bound while the entry is held, so that two responses naming a new broker at once bind
        // it once.
        if !entry.listening && self.listeners.listen(node_id, &bind).is_ok() {
            entry.listening = true;
        }
        Some(advertised)
    }
}

impl Advertise for Registry {
    fn advertise(&self, node_id: i32, host: &str, port: i32) -> Option<(String, i32)> {
        let upstream =
            if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        self.front(node_id, upstream)
    }
}
