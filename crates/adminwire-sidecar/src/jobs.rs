//! The reassignment service (adminwire-jobs) of the cluster this sidecar fronts, as its wire
//! handlers and metrics reach it.
//!
//! A job's moves run on the service's own connections, long after the client that asked has
//! gone, so they run as the principal the operator configured in `[jobs]`, never as a borrowed
//! client login. A client is authorized by the broker, as itself, before a job is touched (see
//! `admin::authorize`). On a cluster whose clients log in, a sidecar with no principal configured
//! refuses jobs rather than try to run them unauthenticated.

use std::sync::Arc;
use std::time::Duration;

use adminwire_jobs::estimate::Concurrency;
use adminwire_jobs::service::Reassignments;
use adminwire_jobs::store::Store;
use adminwire_kafka::client::Client;

use crate::config::Config;

/// The reassignment service and who it runs as.
#[derive(Debug)]
pub struct Jobs {
    service: Arc<Reassignments>,
    /// Whether a principal is configured (`[jobs]` username and password).
    logs_in: bool,
}

/// Why a client's job request cannot be served by this sidecar.
#[derive(Debug, thiserror::Error)]
#[error(
    "this sidecar runs no reassignment jobs for a cluster that requires authentication: it has no \
     principal of its own to run them as (set [jobs] username and password, or \
     --jobs-username/ADMINWIRE_JOBS_PASSWORD, to a user allowed to alter the cluster)"
)]
pub struct NoPrincipal;

impl Jobs {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let credentials = config.jobs.credentials()?;
        let logs_in = credentials.is_some();
        let client = Arc::new(Client::new(
            config.upstream.bootstrap_servers.clone(),
            credentials,
            config.request_timeout(),
        ));
        let limits = Concurrency {
            per_broker: config.jobs.max_moves_per_broker,
            cluster: config.jobs.max_moves,
        };
        let poll = Duration::from_millis(config.jobs.poll_ms);
        // In this process's memory for now: a restarted sidecar forgets its jobs.
        let store = Store::memory();
        let bandwidth = config.jobs.bandwidth_bytes_per_sec;
        let service = Reassignments::new(client, store, limits, poll, bandwidth);
        Ok(Self { service, logs_in })
    }

    /// The service, for a client that did or did not log in on its connection. A client that
    /// logged in is on a cluster that requires it, so without a principal of its own the sidecar
    /// cannot run jobs there.
    pub fn for_client(&self, client_logged_in: bool) -> Result<&Arc<Reassignments>, NoPrincipal> {
        if client_logged_in && !self.logs_in {
            return Err(NoPrincipal);
        }
        Ok(&self.service)
    }

    /// The service, for reading its jobs (metrics).
    pub fn service(&self) -> &Arc<Reassignments> {
        &self.service
    }
}
