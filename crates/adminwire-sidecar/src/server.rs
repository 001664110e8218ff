//! The sidecar as a whole: its listeners (one for bootstrapping, one per broker), what it knows of
//! the cluster's brokers, and its lifecycle from start to a graceful stop.

use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::Duration;

use adminwire_protocol::FrameReader;
use anyhow::Context;
use dashmap::DashMap;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, error, info, warn};

use crate::config::Config;
use crate::jobs::Jobs;
use crate::metrics::Metrics;
use crate::registry::{ListenerOwner, Registry, Target};
use crate::rewrite::Advertise;
use crate::shared::{CommandRuntime, Shared};
use crate::upstream::Connector;
use crate::{cluster, connection};

/// The server as the owner of the broker listeners: binds one when the registry announces a
/// broker, and serves it until the sidecar stops.
#[derive(Debug)]
struct Listeners(Weak<Shared>);

impl ListenerOwner for Listeners {
    fn listen(&self, node_id: i32, bind: &str) -> std::io::Result<()> {
        let Some(shared) = self.0.upgrade() else {
            return Err(std::io::Error::other("the sidecar is stopping"));
        };
        match bind_listener(bind) {
            Ok(listener) => {
                info!(node_id, %bind, "listening for broker");
                let serving = Arc::clone(&shared);
                shared.tracker.spawn(accept_loop(listener, Target::Broker(node_id), serving));
                shared.metrics.broker_listening();
                Ok(())
            }
            // Still advertised: that broker is unreachable through the sidecar until the port
            // frees up (the next announcement retries), but the others keep working.
            Err(e) => {
                error!(node_id, %bind, error = %e, "cannot listen for broker");
                Err(e)
            }
        }
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
                shared.tracker.spawn(connection::serve(
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

/// This sidecar's name among those sharing the jobs topic: where clients reach it, and which
/// process it is (a restarted sidecar is another member).
fn member_name(config: &Config) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    format!(
        "{}:{}/{}/{:08x}",
        config.advertised_host(),
        config.listen.bootstrap_port,
        std::process::id(),
        hasher.finish() as u32
    )
}

/// Binds the listeners and starts serving.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let config = Arc::new(config);
    let commands = CommandRuntime::new().context("starting the admin commands' runtime")?;
    // Jobs run beside the admin commands, never on the threads that pass clients' bytes.
    let runtime = commands.handle().context("the admin commands' runtime is running")?;
    let jobs = Jobs::start(&config, &runtime, member_name(&config))?;
    let shared = Arc::new_cyclic(|weak| Shared {
        jobs,
        frames: FrameReader::new(config.limits.max_frame_bytes),
        metrics: Metrics::new(),
        registry: Registry::new(Arc::clone(&config), Box::new(Listeners(Weak::clone(weak)))),
        connector: Connector::default(),
        shutdown: CancellationToken::new(),
        tracker: TaskTracker::new(),
        connections: Arc::new(Semaphore::new(config.limits.max_connections)),
        per_ip: Arc::new(DashMap::new()),
        commands,
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
                        learner.registry.advertise(node_id, &host, port);
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
