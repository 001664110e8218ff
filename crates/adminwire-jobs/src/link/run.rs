//! Running links: in the one process that runs long jobs (the jobs lease's holder), a task per
//! link copies its mirrors round by round, carries its groups' offsets over, grows mirrors as
//! their sources grow, carries promotions out, and writes its progress and status to the store —
//! from where a successor takes it up after a restart, with nothing copied twice.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use adminwire_kafka::partitions;
use serde_json::Value;

use super::copy::{Copier, CopyError, Key, Progress};
use super::groups;
use super::mirror;
use super::service::{Links, now_ms, read, value, written_since_copy};
use super::state::{
    GroupMove, GroupPhase, GroupStatus, LinkConfig, LinkState, LinkStatus, MirrorState,
    MirrorStatus, Promotion, keys,
};
use super::writers::Writers;

/// How long a promotion (not a failover) may wait for its mirror to have copied everything and
/// its source to stop growing, before it is given up.
const PROMOTION_GIVEN_UP_AFTER_MS: u64 = 120_000;

/// How often a link looks for partitions added on the source.
const GROWTH_EVERY: Duration = Duration::from_secs(10);
/// How often a paused link looks at its source's ends, to show how far behind it falls.
const PAUSED_LOOK_EVERY: Duration = Duration::from_secs(2);
/// The longest a link waits before looking at an unreachable source again.
const SOURCE_BACKOFF_MAX: Duration = Duration::from_secs(10);

impl Links {
    /// Runs, on `runtime`, every link of the store while `runs` says this process runs long
    /// jobs, until the service is dropped.
    pub fn run_links(
        self: &Arc<Self>,
        runtime: &tokio::runtime::Handle,
        runs: Arc<dyn Fn() -> bool + Send + Sync>,
    ) {
        let weak = Arc::downgrade(self);
        let mut changes = self.store.changes();
        let handle = runtime.clone();
        runtime.spawn(async move {
            loop {
                let Some(links) = weak.upgrade() else { return };
                if runs() {
                    links.take_up(&handle);
                } else {
                    links.stop_all();
                }
                drop(links);
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { return },
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        });
    }

    /// Starts a task for every link this process does not run yet; stops those deleted.
    fn take_up(self: &Arc<Self>, runtime: &tokio::runtime::Handle) {
        let ids = self.ids();
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running.retain(|id, task| {
            let keep = ids.contains(id) && !task.is_finished();
            if !keep {
                task.abort();
            }
            keep
        });
        for id in ids {
            if running.contains_key(&id) {
                continue;
            }
            let links = Arc::clone(self);
            let task_id = id.clone();
            let task = runtime.spawn(async move { links.run_link(&task_id).await });
            tracing::info!(link = %id, "running the link here");
            running.insert(id, task.abort_handle());
        }
    }

    fn stop_all(&self) {
        let stopped =
            std::mem::take(&mut *self.running.lock().unwrap_or_else(PoisonError::into_inner));
        for (id, task) in stopped {
            tracing::warn!(link = %id, "stopping the link here: this process no longer runs jobs");
            task.abort();
        }
    }

    /// Runs link `id` until it is deleted (or this task is stopped).
    async fn run_link(&self, id: &str) {
        let Some(mut run) = Run::start(self, id).await else {
            // Tried again when this task has ended: not every second.
            tokio::time::sleep(SOURCE_BACKOFF_MAX).await;
            return;
        };
        loop {
            let Some(config) = read::<LinkConfig>(&self.store, &keys::config(id)) else {
                return;
            };
            run.step(self, &config).await;
            if let Err(e) = run.save(self, false).await {
                tracing::warn!(link = %id, "writing the link's progress failed: {e}");
            }
        }
    }
}

/// One link as this process runs it.
struct Run {
    id: String,
    copier: Copier,
    source: Arc<adminwire_kafka::client::Client>,
    /// Every mirrored partition's copy, and those changed since the last save.
    partitions: BTreeMap<Key, Progress>,
    changed: bool,
    status: LinkStatus,
    saved: Instant,
    synced: Option<Instant>,
    grown: Option<Instant>,
    /// When a paused link last looked at its source's ends.
    looked: Option<Instant>,
    backoff: Duration,
    /// For a mirror being promoted: since when everything was copied and its source unchanged,
    /// and the source ends then.
    quiet: BTreeMap<String, (Instant, Vec<i64>)>,
    /// Who wrote what the link copied, over the settings' window.
    writers: Writers,
}

impl Run {
    /// The link's run, taken up from the store: its partitions' copies reconciled with the
    /// target. None if the link is gone or its source cannot be set up.
    async fn start(links: &Links, id: &str) -> Option<Self> {
        let link = links.describe(id).ok()?;
        let source = match Links::source_client(&link.config, links.settings.source_timeout) {
            Ok(client) => Arc::new(client),
            Err(e) => {
                tracing::warn!(link = %id, "the link cannot reach its source as configured: {e}");
                return None;
            }
        };
        let target = Arc::clone(&links.target);
        let status = link.status.unwrap_or_else(|| LinkStatus {
            state: LinkState::Active,
            error: None,
            mirrors: BTreeMap::new(),
            groups: BTreeMap::new(),
            updated_ms: now_ms(),
        });
        // Only the configured topics' partitions: records of a topic removed (or of an earlier
        // link of the same id) are not copied.
        let mut partitions = link.partitions;
        partitions.retain(|(topic, _), _| link.config.topics.contains(topic));
        let mut run = Run {
            id: id.to_owned(),
            copier: Copier::new(Arc::clone(&source), target),
            source,
            partitions,
            changed: false,
            status,
            saved: Instant::now(),
            synced: None,
            grown: None,
            looked: None,
            backoff: Duration::from_millis(200),
            quiet: BTreeMap::new(),
            writers: Writers::new(links.settings.writers_window.as_millis() as u64, now_ms()),
        };
        run.reconcile().await;
        Some(run)
    }

    /// Checks every copying partition's target against its progress (see
    /// [`Copier::reconcile`]); a partition that does not match fails its mirror.
    async fn reconcile(&mut self) {
        let mut copying = self.copying();
        match self.copier.reconcile(&mut copying).await {
            Ok(mismatched) => {
                for ((topic, partition), why) in mismatched {
                    self.fail(&topic, format!("partition {partition}: {why}"));
                }
            }
            Err(e) => tracing::warn!(link = %self.id, "checking the target before copying: {e}"),
        }
        self.partitions.extend(copying);
        self.changed = true;
    }

    /// The partitions of paused mirrors, taken out of `self.partitions` (put back after).
    fn paused(&mut self) -> BTreeMap<Key, Progress> {
        let paused: Vec<Key> = self
            .partitions
            .keys()
            .filter(|(topic, _)| {
                self.status.mirrors.get(topic).is_none_or(|m| m.state == MirrorState::Paused)
            })
            .cloned()
            .collect();
        paused.into_iter().filter_map(|k| self.partitions.remove_entry(&k)).collect()
    }

    /// The partitions of mirrors being copied, taken out of `self.partitions` (put back after).
    fn copying(&mut self) -> BTreeMap<Key, Progress> {
        let copying: Vec<Key> = self
            .partitions
            .keys()
            .filter(|(topic, _)| {
                self.status.mirrors.get(topic).is_none_or(|m| {
                    matches!(
                        m.state,
                        MirrorState::Active
                            | MirrorState::Promoting
                            | MirrorState::SourceUnavailable
                    )
                })
            })
            .cloned()
            .collect();
        copying.into_iter().filter_map(|k| self.partitions.remove_entry(&k)).collect()
    }

    fn mirror(&mut self, topic: &str) -> &mut MirrorStatus {
        self.status.mirrors.entry(topic.to_owned()).or_insert(MirrorStatus::active(0))
    }

    fn fail(&mut self, topic: &str, why: String) {
        tracing::warn!(link = %self.id, topic, "mirror failed: {why}");
        let mirror = self.mirror(topic);
        mirror.state = MirrorState::Failed;
        mirror.error = Some(why);
        self.changed = true;
    }

    /// One look: follow the config, carry promotions out, copy a round, carry groups over.
    async fn step(&mut self, links: &Links, config: &LinkConfig) {
        self.follow(config);
        self.promote(links, config).await;
        self.unpromote(links).await;
        if config.paused {
            if self.status.state != LinkState::Paused {
                self.status.state = LinkState::Paused;
                for mirror in
                    self.status.mirrors.values_mut().filter(|m| m.state == MirrorState::Active)
                {
                    mirror.state = MirrorState::Paused;
                }
                self.changed = true;
            }
            if self.looked.is_none_or(|at| at.elapsed() > PAUSED_LOOK_EVERY) {
                self.looked = Some(Instant::now());
                let mut paused = self.paused();
                let before: Vec<i64> = paused.values().map(|p| p.source_end).collect();
                let looked = self.copier.look(&mut paused).await;
                let moved = paused.values().map(|p| p.source_end).ne(before);
                self.partitions.extend(paused);
                match looked {
                    Ok(()) => self.changed |= moved,
                    Err(e) => tracing::debug!(link = %self.id, "looking at the source: {e}"),
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            return;
        }
        for mirror in self.status.mirrors.values_mut().filter(|m| m.state == MirrorState::Paused) {
            mirror.state = MirrorState::Active;
        }
        if self.grown.is_none_or(|at| at.elapsed() > GROWTH_EVERY) {
            self.grow(links, config).await;
        }
        let mut copying = self.copying();
        if copying.is_empty() {
            // Nothing to copy (every mirror promoted, or none yet): groups only, now and then.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let round = self.copier.round(&mut copying).await;
        self.partitions.extend(copying);
        match round {
            Ok(round) => {
                self.backoff = Duration::from_millis(200);
                if self.status.state != LinkState::Active {
                    self.status.state = LinkState::Active;
                    self.status.error = None;
                    self.changed = true;
                }
                for mirror in self.status.mirrors.values_mut() {
                    if mirror.state == MirrorState::SourceUnavailable {
                        mirror.state = MirrorState::Active;
                    }
                }
                if round.records > 0 {
                    self.changed = true;
                }
                self.writers.copied(&round.writers, now_ms());
            }
            Err(CopyError::Source(e)) => {
                if self.status.state != LinkState::SourceUnavailable {
                    tracing::warn!(link = %self.id, "the source cluster cannot be reached: {e}");
                }
                self.status.state = LinkState::SourceUnavailable;
                self.status.error = Some(e.to_string());
                for mirror in self.status.mirrors.values_mut() {
                    if mirror.state == MirrorState::Active {
                        mirror.state = MirrorState::SourceUnavailable;
                    }
                }
                self.changed = true;
                tokio::time::sleep(self.backoff).await;
                self.backoff = (self.backoff * 2).min(SOURCE_BACKOFF_MAX);
            }
            Err(CopyError::Target(e)) => {
                tracing::warn!(link = %self.id, "the target cluster: {e}");
                tokio::time::sleep(self.backoff).await;
                self.backoff = (self.backoff * 2).min(SOURCE_BACKOFF_MAX);
            }
            Err(CopyError::ProducerLost(code)) => {
                tracing::warn!(link = %self.id, code, "the target dropped the link's producer: checking before copying on");
                self.reconcile().await;
            }
            Err(CopyError::SourceRefused { topic, partition, reason }) => {
                self.fail(&topic, format!("partition {partition} on the source: {reason}"));
            }
            Err(CopyError::TargetRefused { topic, partition, code, message }) => {
                let message = message.map(|m| format!(": {m}")).unwrap_or_default();
                self.fail(
                    &topic,
                    format!("partition {partition} on the target: Kafka error {code}{message}"),
                );
            }
            Err(CopyError::Map { topic, partition, error }) => {
                self.fail(&topic, format!("partition {partition}: {error}"));
            }
        }
        self.watch_writers(links);
        let every = Duration::from_millis(config.group_sync_ms);
        if self.synced.is_none_or(|at| at.elapsed() >= every) {
            self.sync_groups(links, config).await;
        }
    }

    /// Says, for every mirror still copied, who wrote to its source directly over the window.
    fn watch_writers(&mut self, links: &Links) {
        let now = now_ms();
        // The source producers the sidecars write as: routed idempotent producers, and routed
        // transactions.
        let mut routed_ids: BTreeSet<i64> =
            links.routed_producers(&self.id).into_iter().map(|p| p.id).collect();
        routed_ids.extend(links.routed_transactions(&self.id).into_iter().map(|t| t.source_id));
        self.writers.routed(&links.routed_counts(&self.id), now);
        self.writers.prune(now);
        let topics: Vec<String> = self.status.mirrors.keys().cloned().collect();
        for topic in topics {
            let seen = self.writers.seen(&topic, &routed_ids, now);
            let mirror = self.mirror(&topic);
            if !mirror.state.is_mirroring() {
                continue;
            }
            let changed = mirror.source_writers != seen.direct
                || mirror.unrouted_records != seen.unrouted
                || mirror.writers_watched != seen.whole;
            if changed {
                mirror.source_writers = seen.direct;
                mirror.unrouted_records = seen.unrouted;
                mirror.writers_watched = seen.whole;
                self.changed = true;
            }
        }
    }

    /// Takes up what the config says now: topics added (their partitions' starts were written
    /// with them) or removed, groups added or removed.
    fn follow(&mut self, config: &LinkConfig) {
        for topic in &config.topics {
            if !self.status.mirrors.contains_key(topic) {
                self.mirror(topic);
                self.changed = true;
                // Its partitions' starts are in the store: taken in at once.
                self.grown = None;
            }
        }
        let removed: Vec<String> =
            self.status.mirrors.keys().filter(|t| !config.topics.contains(t)).cloned().collect();
        for topic in removed {
            self.status.mirrors.remove(&topic);
            self.partitions.retain(|(t, _), _| *t != topic);
            self.changed = true;
        }
        self.status.groups.retain(|g, _| config.groups.contains(g));
        for group in &config.groups {
            self.status.groups.entry(group.clone()).or_default();
        }
    }

    /// Partitions of newly mirrored topics, and partitions added on the source: their mirrors
    /// grown, their copies started from the beginning (they are new).
    async fn grow(&mut self, links: &Links, config: &LinkConfig) {
        self.grown = Some(Instant::now());
        if let Err(e) = links.forget_stale_clients(&self.id, now_ms()).await {
            tracing::debug!(link = %self.id, "forgetting clients not seen for long: {e}");
        }
        // Partitions written with a topic added since this run started.
        for (key, value) in links.store.link_values(&keys::partitions(&self.id)) {
            let rest = &key[keys::partitions(&self.id).len()..];
            let Some((topic, n)) = rest.rsplit_once('/') else { continue };
            let Ok(n) = n.parse::<i32>() else { continue };
            if !config.topics.iter().any(|t| t == topic) {
                continue;
            }
            let key = (topic.to_owned(), n);
            if !self.partitions.contains_key(&key)
                && let Ok(progress) = serde_json::from_value::<Progress>(value)
            {
                self.partitions.insert(key, progress);
            }
        }
        let topics: Vec<String> = config
            .topics
            .iter()
            .filter(|t| {
                self.status
                    .mirrors
                    .get(*t)
                    .is_some_and(|m| m.state.is_mirroring() && m.state != MirrorState::Failed)
            })
            .cloned()
            .collect();
        let layouts = match partitions::layouts(&self.source, &topics).await {
            Ok(layouts) => layouts,
            Err(e) => {
                tracing::warn!(link = %self.id, "looking for partitions added on the source: {e}");
                return;
            }
        };
        for topic in topics {
            let Some(layout) = layouts.get(&topic).filter(|l| l.error_code == 0) else { continue };
            let count = i32::try_from(layout.leaders.len()).unwrap_or(i32::MAX);
            let known = self.mirror(&topic).partitions;
            if count <= known {
                continue;
            }
            if let Err(e) = mirror::grow(&links.target, &topic, count).await {
                tracing::warn!(link = %self.id, topic, "growing the mirror failed: {e}");
                continue;
            }
            for partition in known.max(0)..count {
                self.partitions
                    .entry((topic.clone(), partition))
                    .or_insert_with(|| Progress::from(0));
            }
            tracing::info!(link = %self.id, topic, from = known, to = count, "mirror grown with its source");
            self.mirror(&topic).partitions = count;
            self.changed = true;
        }
    }

    /// Looks at every group of the link: offsets carried over (or back), hand-overs made, and
    /// operators' requests to move a group carried out (and then forgotten).
    async fn sync_groups(&mut self, links: &Links, config: &LinkConfig) {
        self.synced = Some(Instant::now());
        let asked = links.group_moves(&self.id);
        let held = links.held_members(&self.id);
        let look = groups::Look {
            source: &self.source,
            target: &links.target,
            copies: &self.partitions,
            quiet_ms: links.settings.group_quiet.as_millis() as u64,
            now: now_ms(),
        };
        let mut done = Vec::new();
        for group in &config.groups {
            let last = self.status.groups.get(group).cloned().unwrap_or_default();
            let move_asked = asked.get(group).copied();
            let status = match groups::step(&look, group, &last, move_asked, held.get(group)).await
            {
                Ok(status) => status,
                Err(e) => GroupStatus { waiting: Some(e.to_string()), ..last.clone() },
            };
            if status.phase != last.phase {
                tracing::info!(link = %self.id, group, phase = status.phase.name(), "group moved on");
            }
            let carried_out = match move_asked {
                Some(GroupMove::Now) => status.phase == GroupPhase::Moved,
                Some(GroupMove::Back) => status.phase != GroupPhase::Moved,
                None => false,
            };
            if carried_out {
                done.push((keys::group_move(&self.id, group), None));
            }
            if status != last {
                self.status.groups.insert(group.clone(), status);
                self.changed = true;
            }
        }
        if !done.is_empty() {
            // The new phase is written before the request is forgotten.
            if let Err(e) = self.save(links, true).await {
                tracing::warn!(link = %self.id, "writing the groups' phases failed: {e}");
                return;
            }
            if let Err(e) = links.store.save_link_values(&done).await {
                tracing::warn!(link = %self.id, "clearing a group's move request failed: {e}");
            }
        }
    }

    /// Carries out the promotions asked for: a failover at once; a promotion once its mirror has
    /// copied everything and its source has not changed for the settings' quiet time.
    async fn promote(&mut self, links: &Links, config: &LinkConfig) {
        let prefix = keys::promotions(&self.id);
        let asked: Vec<(String, Promotion)> = links
            .store
            .link_values(&prefix)
            .into_iter()
            .filter_map(|(key, v)| {
                Some((key[prefix.len()..].to_owned(), serde_json::from_value(v).ok()?))
            })
            .collect();
        for (topic, promotion) in asked {
            let state = self.mirror(&topic).state;
            if state == MirrorState::Promoted {
                self.forget_promotion(links, &topic).await;
                continue;
            }
            let mine: Vec<&Progress> =
                self.partitions.iter().filter(|((t, _), _)| *t == topic).map(|(_, p)| p).collect();
            let ends: Vec<i64> = mine.iter().map(|p| p.source_end).collect();
            let lag: u64 = mine.iter().map(|p| u64::try_from(p.lag()).unwrap_or(0)).sum();
            let done = if promotion.failover {
                true
            } else {
                self.mirror(&topic).state = MirrorState::Promoting;
                self.changed = true;
                let quiet = match self.quiet.get(&topic) {
                    Some((since, seen)) if lag == 0 && *seen == ends => {
                        since.elapsed() >= links.settings.promote_quiet
                    }
                    _ => {
                        self.quiet.insert(topic.clone(), (Instant::now(), ends.clone()));
                        false
                    }
                };
                quiet && self.status.state == LinkState::Active
            };
            if !done {
                self.give_up_if_late(links, &topic, &promotion).await;
                continue;
            }
            // Groups' last offsets before the mirror stops, while the copy is whole.
            self.sync_groups(links, config).await;
            let mirror = self.mirror(&topic);
            mirror.state = MirrorState::Promoted;
            mirror.promoted_ms = Some(now_ms());
            mirror.not_copied = Some(lag);
            mirror.error = None;
            self.quiet.remove(&topic);
            self.changed = true;
            tracing::info!(link = %self.id, topic, failover = promotion.failover, not_copied = lag, "mirror promoted");
            if let Err(e) = self.save(links, true).await {
                tracing::warn!(link = %self.id, "writing the promotion failed: {e}");
                continue;
            }
            self.forget_promotion(links, &topic).await;
        }
    }

    /// Gives a promotion up once it has waited [`PROMOTION_GIVEN_UP_AFTER_MS`]: writes to the
    /// mirror wait while it is promoted (see the sidecar's `route`), so a source that keeps
    /// growing (a producer still writing to it directly) or a link that cannot copy must not hold
    /// them for good. The mirror is copied on, and says why.
    async fn give_up_if_late(&mut self, links: &Links, topic: &str, promotion: &Promotion) {
        if now_ms().saturating_sub(promotion.requested_ms) < PROMOTION_GIVEN_UP_AFTER_MS {
            return;
        }
        let mirror = self.mirror(topic);
        mirror.state = MirrorState::Active;
        mirror.error = Some(format!(
            "the promotion was given up after {} s: the source kept growing, or the link could \
             not copy all of it",
            PROMOTION_GIVEN_UP_AFTER_MS / 1000
        ));
        self.quiet.remove(topic);
        self.changed = true;
        tracing::warn!(link = %self.id, topic, "promotion given up");
        if let Err(e) = self.save(links, true).await {
            tracing::warn!(link = %self.id, "writing a promotion given up failed: {e}");
            return;
        }
        self.forget_promotion(links, topic).await;
    }

    /// Undoes the promotions asked to be undone, of mirrors nothing was written to since: they
    /// are copied again. One written to stays promoted, and says why.
    async fn unpromote(&mut self, links: &Links) {
        let prefix = keys::unpromotions(&self.id);
        let asked: Vec<String> = links
            .store
            .link_values(&prefix)
            .into_iter()
            .map(|(key, _)| key[prefix.len()..].to_owned())
            .collect();
        for topic in asked {
            if self.mirror(&topic).state == MirrorState::Promoted {
                match written_since_copy(&links.target, &self.partitions, &topic).await {
                    Ok(written) if written.is_empty() => {
                        let mirror = self.mirror(&topic);
                        mirror.state = MirrorState::Active;
                        mirror.promoted_ms = None;
                        mirror.not_copied = None;
                        mirror.error = None;
                        tracing::info!(link = %self.id, topic, "promotion undone: copied again");
                    }
                    Ok(written) => {
                        self.mirror(&topic).error = Some(format!(
                            "the promotion was not undone: written to since ({})",
                            written.join(", ")
                        ));
                    }
                    Err(e) => {
                        tracing::warn!(link = %self.id, topic, "checking the target before undoing a promotion: {e}");
                        continue;
                    }
                }
                self.changed = true;
                if let Err(e) = self.save(links, true).await {
                    tracing::warn!(link = %self.id, "writing an undone promotion failed: {e}");
                    continue;
                }
            }
            let gone = [(keys::unpromotion(&self.id, &topic), None)];
            if let Err(e) = links.store.save_link_values(&gone).await {
                tracing::warn!(link = %self.id, "clearing an undo request failed: {e}");
            }
        }
    }

    async fn forget_promotion(&self, links: &Links, topic: &str) {
        let gone = [(keys::promotion(&self.id, topic), None)];
        if let Err(e) = links.store.save_link_values(&gone).await {
            tracing::warn!(link = %self.id, "clearing a promotion request failed: {e}");
        }
    }

    /// Writes the status and every partition's progress, if they changed, at most every
    /// `save_every` (or at once, with `now`).
    async fn save(&mut self, links: &Links, now: bool) -> Result<(), crate::store::StoreError> {
        if !self.changed || (!now && self.saved.elapsed() < links.settings.save_every) {
            return Ok(());
        }
        // A link deleted meanwhile is not written back.
        if links.store.link_value(&keys::config(&self.id)).is_none() {
            return Ok(());
        }
        self.status.updated_ms = now_ms();
        let mut records: Vec<(String, Option<Value>)> =
            vec![(keys::status(&self.id), Some(value(&self.status)?))];
        for ((topic, partition), progress) in &self.partitions {
            let key = keys::partition(&self.id, topic, *partition);
            let stored = links.store.link_value(&key);
            let now = value(progress)?;
            if stored.as_ref() != Some(&now) {
                records.push((key, Some(now)));
            }
        }
        links.store.save_link_values(&records).await?;
        self.saved = Instant::now();
        self.changed = false;
        Ok(())
    }
}
