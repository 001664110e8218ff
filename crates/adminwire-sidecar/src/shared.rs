//! What every connection and listener of a running sidecar shares: its configuration, metrics,
//! the brokers it fronts, and the limits on connections.

use std::net::IpAddr;
use std::sync::Arc;

use adminwire_protocol::FrameReader;
use dashmap::DashMap;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::jobs::Jobs;
use crate::metrics::Metrics;
use crate::registry::Registry;
use crate::upstream::Connector;

/// What every connection and listener shares.
#[derive(Debug)]
pub struct Shared {
    pub config: Arc<Config>,
    pub frames: FrameReader,
    pub metrics: Metrics,
    /// The brokers fronted.
    pub registry: Registry,
    pub connector: Connector,
    pub shutdown: CancellationToken,
    /// Every task of the sidecar, waited for on a stop.
    pub(crate) tracker: TaskTracker,
    /// Places under `limits.max_connections`.
    pub(crate) connections: Arc<Semaphore>,
    /// Open connections by client address, for `limits.max_connections_per_ip`.
    pub(crate) per_ip: Arc<DashMap<IpAddr, usize>>,
    /// Where admin commands run.
    pub(crate) commands: CommandRuntime,
    /// The reassignment service of the cluster fronted.
    pub jobs: Jobs,
}

/// The runtime admin commands run on: a thread of their own, so that a command's CPU (decoding,
/// checking and encoding up to a MiB, building the cluster's requests and reading its answers)
/// never holds up the workers that pass clients' bytes. With one worker for those (the default on
/// two cores), a command run on it put 127 ms at the 99th percentile on other clients' Metadata.
#[derive(Debug)]
pub struct CommandRuntime(Option<tokio::runtime::Runtime>);

impl CommandRuntime {
    pub fn new() -> std::io::Result<Self> {
        // Multi-threaded (with one worker) so that a command can leave the runtime for a large
        // decode (`upstream::off_runtime`) and the others carry on.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("adminwire-commands")
            .enable_all()
            .build()?;
        Ok(Self(Some(runtime)))
    }

    /// The runtime's handle, while it runs.
    pub fn handle(&self) -> Option<tokio::runtime::Handle> {
        self.0.as_ref().map(|runtime| runtime.handle().clone())
    }

    pub fn spawn<F>(&self, command: F) -> Option<tokio::task::JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.as_ref().map(|runtime| runtime.spawn(command))
    }
}

impl Drop for CommandRuntime {
    fn drop(&mut self) {
        // Dropping a runtime waits for its threads, which is refused inside another runtime (the
        // sidecar's own, where the last `Shared` may go).
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
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
    pub(crate) fn take_ip_slot(&self, ip: IpAddr) -> Option<IpSlot> {
        let limit = self.config.limits.max_connections_per_ip;
        let mut open = self.per_ip.entry(ip).or_insert(0);
        if limit > 0 && *open >= limit {
            return None;
        }
        *open += 1;
        Some(IpSlot { per_ip: Arc::clone(&self.per_ip), ip })
    }
}
