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
