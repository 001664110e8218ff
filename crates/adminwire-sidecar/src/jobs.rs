//! The reassignment service (adminwire-jobs) of the cluster this sidecar fronts, as its wire
//! handlers and metrics reach it.
//!
//! Jobs are kept in a compacted topic of the cluster (`jobs.topic`), shared by every sidecar in
//! front of it: any of them accepts, lists and steers jobs, and the one holding the topic's lease
//! runs them; if it stops, another takes them up where they were. The store is opened in the
//! background, so that the sidecar passes clients' traffic even while the cluster cannot be read;
//! job requests meanwhile are answered as retriable.
//!
//! A job's moves run on the service's own connections, long after the client that asked has
//! gone, so they run as the principal the operator configured in `[jobs]`, never as a borrowed
//! client login. A client is authorized by the broker, as itself, before a job is touched (see
//! `admin::authorize`). On a cluster whose clients log in, a sidecar with no principal configured
//! refuses jobs rather than try to run them unauthenticated.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use adminwire_jobs::estimate::Concurrency;
use adminwire_jobs::link::service::{LinkSettings, Links};
use adminwire_jobs::service::{Membership, Reassignments, Settings};
use adminwire_jobs::store::Store;
use adminwire_kafka::client::Client;
use tokio::runtime::Handle;
use tracing::{info, warn};

use crate::config::Config;
use crate::handover::HeldGroups;
use crate::mirrors::MirrorTopics;
use crate::route::Routes;
use crate::switched::Switched;

/// How long, at most, a Produce waits at the sidecar's start for the links to be read from the
/// cluster (a second or so, normally); after that writes pass as before, and one that reaches a
/// mirror behind its link's back stops that partition's copy (its mirror FAILED, saying so).
const MIRRORS_HOLD: Duration = Duration::from_secs(10);

/// The reassignment service and who it runs as.
#[derive(Debug)]
pub struct Jobs {
    service: Arc<OnceLock<Arc<Reassignments>>>,
    /// Cluster links, kept in the same store and run by the same process as the jobs.
    links: Arc<OnceLock<Arc<Links>>>,
    /// The mirror topics clients may not write to, kept from the links.
    pub(crate) mirrors: Arc<MirrorTopics>,
    /// The linked groups whose members joining here are held, kept from the links.
    pub(crate) groups: Arc<HeldGroups>,
    /// The links' sources, for the writes to mirrors routed there.
    pub(crate) routes: Routes,
    /// The clients whose writes to mirrors this sidecar routed.
    pub(crate) switched: Arc<Switched>,
    /// Why the store is not open yet, while it is not.
    opening: Arc<Mutex<String>>,
    /// Whether a principal is configured (`[jobs]` username and password).
    logs_in: bool,
}

/// Why a client's job request cannot be served by this sidecar.
#[derive(Debug, thiserror::Error)]
pub enum Unavailable {
    #[error(
        "this sidecar runs no reassignment jobs for a cluster that requires authentication: it \
         has no principal of its own to run them as (set [jobs] username and password, or \
         --jobs-username/ADMINWIRE_JOBS_PASSWORD, to a user allowed to alter the cluster)"
    )]
    NoPrincipal,
    #[error("the sidecar is still reading its jobs from the cluster ({0}); try again shortly")]
    Loading(String),
}

impl Jobs {
    /// The service for `config`'s cluster, its jobs run on `runtime`; `member` names this
    /// sidecar among those sharing the jobs topic. With a topic store, the service is there once
    /// the topic has been read.
    pub fn start(config: &Config, runtime: &Handle, member: String) -> anyhow::Result<Self> {
        let credentials = config.jobs.credentials()?;
        let logs_in = credentials.is_some();
        let client = || {
            Arc::new(Client::new(
                config.upstream.bootstrap_servers.clone(),
                credentials.clone(),
                config.request_timeout(),
            ))
        };
        let settings = Settings {
            limits: Concurrency {
                per_broker: config.jobs.max_moves_per_broker,
                cluster: config.jobs.max_moves,
            },
            poll: Duration::from_millis(config.jobs.poll_ms),
            bandwidth: config.jobs.bandwidth_bytes_per_sec,
            retention: Duration::from_millis(config.jobs.retention_ms),
        };
        let jobs = Self {
            service: Arc::new(OnceLock::new()),
            links: Arc::new(OnceLock::new()),
            mirrors: Arc::new(MirrorTopics::default()),
            groups: Arc::new(HeldGroups::default()),
            routes: Routes::default(),
            switched: Arc::new(Switched::new(member.clone())),
            opening: Arc::new(Mutex::new("not read yet".into())),
            logs_in,
        };
        jobs.mirrors.set_routing(config.links.route_producers);
        jobs.groups.set_enabled(config.links.hold_groups);
        let link_settings = LinkSettings {
            group_quiet: Duration::from_millis(config.links.group_quiet_ms),
            writers_window: Duration::from_millis(config.links.switch_window_ms),
            ..LinkSettings::default()
        };
        if config.jobs.store == "memory" {
            let store = Store::memory();
            let service = Reassignments::new(client(), Arc::clone(&store), settings);
            service.run_jobs(runtime, None);
            let links = Links::new(client(), store, link_settings);
            links.run_links(runtime, Arc::new(|| true));
            jobs.mirrors.load(&links);
            runtime.spawn(Arc::clone(&jobs.mirrors).keep(Arc::clone(&links)));
            runtime.spawn(Arc::clone(&jobs.groups).keep(Arc::clone(&links)));
            let _ = jobs.service.set(service);
            let _ = jobs.links.set(links);
            return Ok(jobs);
        }
        // Writes and group joins wait (a little) for the links to be read, so that none reaches a
        // mirror, or a group held, unseen.
        jobs.mirrors.hold_until(tokio::time::Instant::now() + MIRRORS_HOLD);
        let links_client = client();
        let links_slot = Arc::clone(&jobs.links);
        let mirrors = Arc::clone(&jobs.mirrors);
        let groups = Arc::clone(&jobs.groups);
        // The store reads with a client of its own: its reads wait for records, and must not
        // hold up the service's calls to the same broker.
        let (store_client, service_client) = (client(), client());
        let topic = config.jobs.topic.clone();
        let membership = Membership { member, lease: Duration::from_millis(config.jobs.lease_ms) };
        let (slot, opening, on) =
            (Arc::clone(&jobs.service), Arc::clone(&jobs.opening), runtime.clone());
        runtime.spawn(async move {
            let mut pause = Duration::from_secs(1);
            let store = loop {
                match Store::open(Arc::clone(&store_client), &topic).await {
                    Ok(store) => break store,
                    Err(e) => {
                        warn!(
                            topic,
                            "opening the jobs topic failed, trying again in {pause:?}: {e}"
                        );
                        *opening.lock().unwrap_or_else(PoisonError::into_inner) = e.to_string();
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_secs(30));
                    }
                }
            };
            info!(topic, jobs = store.jobs().len(), member = %membership.member, "jobs read");
            let service = Reassignments::new(service_client, Arc::clone(&store), settings);
            service.run_jobs(&on, Some(membership));
            // Links run where jobs run: in the one process holding the jobs lease.
            let links = Links::new(links_client, store, link_settings);
            let runner = Arc::downgrade(&service);
            links.run_links(&on, Arc::new(move || runner.upgrade().is_some_and(|s| s.is_runner())));
            // The links first, so that a write routed as soon as the mirrors are known finds them.
            let _ = links_slot.set(Arc::clone(&links));
            mirrors.load(&links);
            groups.load(&links);
            on.spawn(groups.keep(Arc::clone(&links)));
            on.spawn(mirrors.keep(links));
            let _ = slot.set(service);
        });
        Ok(jobs)
    }

    /// The service, for a client that did or did not log in on its connection. A client that
    /// logged in is on a cluster that requires it, so without a principal of its own the sidecar
    /// cannot run jobs there.
    pub fn for_client(&self, client_logged_in: bool) -> Result<&Arc<Reassignments>, Unavailable> {
        if client_logged_in && !self.logs_in {
            return Err(Unavailable::NoPrincipal);
        }
        self.service.get().ok_or_else(|| {
            Unavailable::Loading(
                self.opening.lock().unwrap_or_else(PoisonError::into_inner).clone(),
            )
        })
    }

    /// The service, once its jobs have been read (metrics).
    /// The cluster links service, for a client as [`Self::for_client`] says.
    pub fn links_for_client(&self, client_logged_in: bool) -> Result<&Arc<Links>, Unavailable> {
        self.for_client(client_logged_in)?;
        self.links.get().ok_or_else(|| Unavailable::Loading("links not read yet".into()))
    }

    pub fn links(&self) -> Option<&Arc<Links>> {
        self.links.get()
    }

    pub fn service(&self) -> Option<&Arc<Reassignments>> {
        self.service.get()
    }
}
