//! The producers this sidecar has seen switch to the target: each client whose writes to a mirror
//! it routed (kept in the links' store, at most every [`CLIENT_EVERY`] per client and mirror, for
//! every front end's status), and how many records it routed without a producer id, by link and
//! mirror — a running count the sidecar running the link sets against what it copies, to tell
//! whether anyone still writes to the source directly (see `adminwire_jobs::link::writers`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use adminwire_jobs::link::service::Links;
use adminwire_jobs::link::state::RoutedClient;
use tracing::debug;

use crate::principal::Identity;

/// How often, at most, a client's routed writes to a mirror are noted in the store.
const CLIENT_EVERY: Duration = Duration::from_secs(10);
/// The most clients this sidecar keeps track of at once (within [`CLIENT_EVERY`], more are not
/// noted); and the longest client id noted.
const MAX_NOTED: usize = 10_000;
const MAX_CLIENT_ID: usize = 128;
/// How often, at most, a link's running counts are written (the first change at once); the last
/// change is written within this.
const COUNTS_EVERY: Duration = Duration::from_secs(1);
/// How long the links' store keeps a sidecar's counts it has not written again.
const COUNTS_KEPT: Duration = adminwire_jobs::link::service::CLIENTS_KEPT;
/// How long after its counts were last written a sidecar starts them again from nothing: well
/// within [`COUNTS_KEPT`], so that counts the store forgot are never written whole again (clocks
/// apart by up to the difference).
const COUNTS_RESTART_AFTER: Duration = Duration::from_secs(45 * 60);
const _: () = assert!(COUNTS_RESTART_AFTER.as_secs() < COUNTS_KEPT.as_secs());

/// One routed write that the source took.
#[derive(Debug)]
pub struct Written<'a> {
    pub link: &'a str,
    pub topic: &'a str,
    /// Its records.
    pub records: u64,
    /// Whether it was written without a producer id.
    pub plain: bool,
}

#[derive(Debug, Default)]
struct Counts {
    /// Records routed without a producer id, by mirror, since this sidecar started (or since
    /// they were last written [`COUNTS_RESTART_AFTER`] before).
    plain: BTreeMap<String, u64>,
    /// When they were last written to the store.
    written: Option<Instant>,
    /// Whether they changed since last written.
    dirty: bool,
    /// Whether a task is writing them.
    writing: bool,
}

/// What this sidecar routed, by link.
#[derive(Debug)]
pub struct Switched {
    /// This sidecar's name among those sharing the links' store.
    member: String,
    counts: Mutex<HashMap<String, Counts>>,
    /// When each (link, mirror, client) was last noted.
    noted: Mutex<HashMap<(String, String, String), Instant>>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Switched {
    pub fn new(member: String) -> Self {
        Self { member, counts: Mutex::default(), noted: Mutex::default() }
    }

    /// Notes the writes of one Produce request that the source took, for client `client_id`
    /// (`who`); the store is written beside the connection.
    pub fn note(
        self: &Arc<Self>,
        links: &Arc<Links>,
        written: &[Written<'_>],
        client_id: &str,
        who: &Identity,
    ) {
        let host = who.address.rsplit_once(':').map_or(who.address.as_str(), |(host, _)| host);
        // Bounded: a client names itself, not the store's records.
        let client_id: String = client_id.chars().take(MAX_CLIENT_ID).collect();
        let client_id = client_id.as_str();
        for w in written {
            if w.plain {
                self.count(links, w);
            }
            let key = (w.link.to_owned(), w.topic.to_owned(), format!("{client_id}@{host}"));
            {
                let mut noted = self.noted.lock().unwrap_or_else(PoisonError::into_inner);
                if noted.get(&key).is_some_and(|at| at.elapsed() < CLIENT_EVERY) {
                    continue;
                }
                if noted.len() >= MAX_NOTED {
                    // Only the recent ones keep their place; a client noted again is written
                    // again, no more often than before.
                    noted.retain(|_, at| at.elapsed() < CLIENT_EVERY);
                    if noted.len() >= MAX_NOTED {
                        continue;
                    }
                }
                noted.insert(key, Instant::now());
            }
            let client = RoutedClient {
                client_id: client_id.to_owned(),
                host: host.to_owned(),
                principal: who.principal.clone(),
                software: who.software.clone(),
                last_ms: now_ms(),
            };
            let (links, link, topic) = (Arc::clone(links), w.link.to_owned(), w.topic.to_owned());
            tokio::spawn(async move {
                if let Err(e) = links.note_routed_client(&link, &topic, &client).await {
                    debug!(link, topic, "noting a routed client failed: {e}");
                }
            });
        }
    }

    /// Counts a write without a producer id, and has the link's counts written at once, or, if
    /// they were written less than [`COUNTS_EVERY`] ago, then: a count routed must be in the store
    /// before the link copies its write, or the write would look like one not routed.
    fn count(self: &Arc<Self>, links: &Arc<Links>, written: &Written<'_>) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let link = counts.entry(written.link.to_owned()).or_default();
        // Counts not written for that long are forgotten from the store (see
        // `Links::forget_stale_clients`): they start again from nothing, or the old ones would
        // count anew, as if routed now.
        if link.written.is_some_and(|at| at.elapsed() >= COUNTS_RESTART_AFTER) {
            link.plain.clear();
            link.written = None;
        }
        *link.plain.entry(written.topic.to_owned()).or_insert(0) += written.records;
        link.dirty = true;
        if link.writing {
            return;
        }
        link.writing = true;
        let (this, links, link) = (Arc::clone(self), Arc::clone(links), written.link.to_owned());
        tokio::spawn(async move {
            while let Some(counts) = this.take_dirty(&link) {
                match links.note_routed_counts(&link, &this.member, &counts).await {
                    Ok(()) => this.written(&link),
                    Err(e) => debug!(link, "writing the routed counts failed: {e}"),
                }
                tokio::time::sleep(COUNTS_EVERY).await;
            }
        });
    }

    fn written(&self, link: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = counts.get_mut(link) {
            entry.written = Some(Instant::now());
        }
    }

    /// A link's counts as they are now, if they changed since last written; None (and no write
    /// under way any more) if not.
    fn take_dirty(&self, link: &str) -> Option<BTreeMap<String, u64>> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = counts.get_mut(link)?;
        if !entry.dirty {
            entry.writing = false;
            return None;
        }
        entry.dirty = false;
        Some(entry.plain.clone())
    }
}
