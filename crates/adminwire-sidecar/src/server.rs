//! The sidecar as a whole: its listeners (one for bootstrapping, one per broker), what it knows of
//! the cluster's brokers, and its lifecycle from start to a graceful stop.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use adminwire_protocol::FrameReader;
use dashmap::DashMap;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, error, info, warn};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::rewrite::Advertise;
use crate::{cluster, proxy};

/// Which upstream a listener's connections go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// What every connection and listener shares.
#[derive(Debug)]
pub struct Shared {
    pub config: Config,
    pub frames: FrameReader,
    pub metrics: Metrics,
    pub brokers: DashMap<i32, Broker>,
    pub shutdown: CancellationToken,
    tracker: TaskTracker,
    connections: Arc<Semaphore>,
    /// Open connections by client address, for `limits.max_connections_per_ip`.
    per_ip: Arc<DashMap<IpAddr, usize>>,
    bootstrap_cursor: AtomicUsize,
}

/// One client address's share of `limits.max_connections_per_ip`, returned when the connection
/// ends (however its task ends).
#[derive(Debug)]
pub struct IpSlot {
    per_ip: Arc<DashMap<IpAddr, usize>>,
    ip: IpAddr,
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        // The entry goes when its last connection does, so the map holds only addresses with
        // connections open.
        self.per_ip.remove_if_mut(&self.ip, |_, open| {
            *open -= 1;
            *open == 0
        });
    }
}

impl Shared {
    /// A slot for one more connection from `ip`, unless it already has the most allowed.
    fn take_ip_slot(&self, ip: IpAddr) -> Option<IpSlot> {
        let limit = self.config.limits.max_connections_per_ip;
        let mut open = self.per_ip.entry(ip).or_insert(0);
        if limit > 0 && *open >= limit {
            return None;
        }
        *open += 1;
        Some(IpSlot { per_ip: Arc::clone(&self.per_ip), ip })
    }
}

impl Shared {
    /// Connects to the upstream a listener fronts: the broker's current address (so a broker whose
    /// address changed is reached at the new one), or the first bootstrap server that answers.
    pub async fn connect_upstream(&self, target: Target) -> std::io::Result<TcpStream> {
        let timeout = self.config.connect_timeout();
        let candidates: Vec<String> = match target {
            Target::Broker(id) => match self.brokers.get(&id) {
                Some(b) => vec![b.upstream.clone()],
                None => {
                    return Err(std::io::Error::other(format!(
                        "broker {id} is not known to the sidecar"
                    )));
                }
            },
            Target::Bootstrap => {
                let servers = &self.config.upstream.bootstrap_servers;
                // Start each connection at the next server, so load and failures spread.
                let start = self.bootstrap_cursor.fetch_add(1, Ordering::Relaxed);
                let mut candidates: Vec<String> = (0..servers.len())
                    .map(|i| servers[(start + i) % servers.len()].clone())
                    .collect();
                // When every configured server is down, any broker learned since can bootstrap.
                for broker in self.brokers.iter() {
                    if !candidates.contains(&broker.upstream) {
                        candidates.push(broker.upstream.clone());
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
            self.metrics.upstream_error("connect");
        }
        Err(last_error.unwrap_or_else(|| std::io::Error::other("no bootstrap servers")))
    }

    /// Records a broker and makes sure it has a listener; returns what clients are told.
    fn front_broker(self: &Arc<Self>, node_id: i32, upstream: String) -> Option<(String, i32)> {
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
        let bound_now = !entry.listening
            && match bind_listener(&bind) {
                Ok(listener) => {
                    info!(node_id, %bind, advertised = %format!("{}:{}", advertised.0, advertised.1), "listening for broker");
                    entry.listening = true;
                    let shared = Arc::clone(self);
                    self.tracker.spawn(accept_loop(listener, Target::Broker(node_id), shared));
                    true
                }
                // Still advertised: that broker is unreachable through the sidecar until the port
                // frees up (the next metadata retries), but the others keep working.
                Err(e) => {
                    error!(node_id, %bind, error = %e, "cannot listen for broker");
                    false
                }
            };
        drop(entry);
        if bound_now {
            self.metrics.set_brokers(self.brokers.len());
        }
        Some(advertised)
    }
}

/// Rewriting responses teaches the sidecar the brokers as a side effect.
#[derive(Debug, Clone)]
pub struct Advertiser(pub Arc<Shared>);

impl Advertise for Advertiser {
    fn advertise(&self, node_id: i32, host: &str, port: i32) -> Option<(String, i32)> {
        let upstream =
            if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        self.0.front_broker(node_id, upstream)
    }
}

fn bind_listener(address: &str) -> std::io::Result<TcpListener> {
    let std_listener = std::net::TcpListener::bind(address)?;
    std_listener.set_nonblocking(true)?;
    TcpListener::from_std(std_listener)
}

async fn accept_loop(listener: TcpListener, target: Target, shared: Arc<Shared>) {
    loop {
        let accepted = tokio::select! {
            _ = shared.shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((socket, peer)) => {
                let Ok(permit) = Arc::clone(&shared.connections).try_acquire_owned() else {
                    warn!(%peer, listener = %target, limit = shared.config.limits.max_connections, "connection limit reached; closing");
                    shared.metrics.connection_refused();
                    continue;
                };
                let Some(ip_slot) = shared.take_ip_slot(peer.ip()) else {
                    warn!(%peer, listener = %target, limit = shared.config.limits.max_connections_per_ip, "connection limit for this client address reached; closing");
                    shared.metrics.connection_refused();
                    continue;
                };
                let connection_shared = Arc::clone(&shared);
                shared.tracker.spawn(proxy::serve(
                    socket,
                    peer,
                    target,
                    connection_shared,
                    (permit, ip_slot),
                ));
            }
            // Out of file descriptors and the like: pause rather than spin.
            Err(e) => {
                warn!(listener = %target, error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// A started sidecar: its addresses, and a handle to stop it.
#[derive(Debug)]
pub struct Running {
    pub shared: Arc<Shared>,
    pub bootstrap: SocketAddr,
    pub admin: Option<SocketAddr>,
}

impl Running {
    /// Stops accepting, lets connections finish what they have in flight, and waits for them up to
    /// the configured drain deadline.
    pub async fn shutdown(&self) {
        self.shared.shutdown.cancel();
        self.shared.tracker.close();
        let drain = Duration::from_millis(self.shared.config.limits.shutdown_drain_ms);
        if tokio::time::timeout(drain, self.shared.tracker.wait()).await.is_err() {
            warn!(?drain, "connections still open at the drain deadline; closing them");
        }
    }
}

/// Binds the listeners and starts serving.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let shared = Arc::new(Shared {
        frames: FrameReader::new(config.limits.max_frame_bytes),
        metrics: Metrics::new(),
        brokers: DashMap::new(),
        shutdown: CancellationToken::new(),
        tracker: TaskTracker::new(),
        connections: Arc::new(Semaphore::new(config.limits.max_connections)),
        per_ip: Arc::new(DashMap::new()),
        bootstrap_cursor: AtomicUsize::new(0),
        config,
    });
    let bootstrap = bind_listener(&shared.config.bootstrap_bind()).map_err(|e| {
        anyhow::anyhow!("binding the bootstrap listener {}: {e}", shared.config.bootstrap_bind())
    })?;
    let bootstrap_addr = bootstrap.local_addr()?;
    info!(address = %bootstrap_addr, upstream = ?shared.config.upstream.bootstrap_servers, "bootstrap listener ready");
    shared.tracker.spawn(accept_loop(bootstrap, Target::Bootstrap, Arc::clone(&shared)));

    let admin = match shared.config.admin.listen {
        Some(address) => Some(crate::http::start(address, Arc::clone(&shared)).await?),
        None => None,
    };

    // Learn the brokers now where the cluster lets an unauthenticated client ask; on a SASL
    // cluster they are learned from the first Metadata response a client receives instead.
    let refresh = Duration::from_millis(shared.config.upstream.metadata_refresh_ms);
    let learner = Arc::clone(&shared);
    shared.tracker.spawn(async move {
        loop {
            match cluster::fetch_brokers(&learner).await {
                Ok(brokers) => {
                    for (node_id, host, port) in brokers {
                        Advertiser(Arc::clone(&learner)).advertise(node_id, &host, port);
                    }
                }
                Err(e) => debug!(error = %e, "could not ask the cluster for its brokers; learning them from client traffic"),
            }
            if refresh.is_zero() {
                return;
            }
            tokio::select! {
                _ = learner.shutdown.cancelled() => return,
                _ = tokio::time::sleep(refresh) => {}
            }
        }
    });
    Ok(Running { shared, bootstrap: bootstrap_addr, admin })
}
