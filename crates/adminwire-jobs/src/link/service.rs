//! Cluster links as a service, the one entry point of every front end: create a link (its mirror
//! topics made on the target, each partition's start found on the source), list and describe
//! links, add or remove topics and groups, pause and resume, promote a mirror, delete a link.
//! What a request changes is written to the store; the sidecar running links ([`super::run`])
//! reads it there and acts on it, wherever the request was made.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use adminwire_kafka::client::{Client, To};
use adminwire_kafka::connection::ConnectionError;
use adminwire_kafka::partitions;
use adminwire_kafka::sasl::{Credentials, Mechanism};
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{DeleteTopicsRequest, MetadataRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use super::copy::{Key, Progress};
use super::mirror::{self, MirrorError, SourceTopic};
use super::state::{
    GroupMove, GroupStatus, HeldMember, Link, LinkConfig, LinkState, LinkStatus, MirrorState,
    MirrorStatus, Promotion, RoutedClient, RoutedCounts, RoutedProducer, RoutedTransaction,
    SourceLogin, Start, keys, valid_id,
};
use crate::store::{Store, StoreError};

/// How links work the clusters.
#[derive(Debug, Clone, Copy)]
pub struct LinkSettings {
    /// How long a request waits for the source cluster to answer.
    pub source_timeout: Duration,
    /// How often a running link writes its progress.
    pub save_every: Duration,
    /// How long a mirror's source must stay unchanged, with everything copied, before a promotion
    /// completes.
    pub promote_quiet: Duration,
    /// How often groups' offsets are carried over unless a link says otherwise.
    pub group_sync: Duration,
    /// How long a linked group must have had no member on the source before it is handed over
    /// to its members waiting on the target.
    pub group_quiet: Duration,
    /// The window over which a link watches who writes to a mirror's source: a promotion needs a
    /// whole one without a producer writing there directly.
    pub writers_window: Duration,
}

impl Default for LinkSettings {
    fn default() -> Self {
        Self {
            source_timeout: Duration::from_secs(10),
            // Often enough that a producer whose routed write waits for its copy
            // (links.wait_for_copy) is answered soon; a save writes only what changed.
            save_every: Duration::from_millis(200),
            promote_quiet: Duration::from_secs(3),
            group_sync: Duration::from_secs(5),
            group_quiet: Duration::from_secs(5),
            writers_window: Duration::from_secs(30),
        }
    }
}

/// A link to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub id: String,
    pub source_bootstrap: Vec<String>,
    pub source_login: Option<SourceLogin>,
    pub start: Start,
    pub topics: Vec<String>,
    pub groups: Vec<String>,
    /// None: the settings' interval.
    pub group_sync_ms: Option<u64>,
    pub requested_by: Option<String>,
}

/// What a change to a link's topics and groups asks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkChange {
    pub add_topics: Vec<String>,
    pub remove_topics: Vec<String>,
    pub add_groups: Vec<String>,
    pub remove_groups: Vec<String>,
}

/// Why a link request was refused.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("link id {0:?}: only letters, digits, '-' and '_', 1 to 200 of them")]
    InvalidId(String),
    #[error("link {0} exists already")]
    Exists(String),
    #[error("no link {0}")]
    Unknown(String),
    #[error("the source cluster ({bootstrap}) could not be reached: {reason}")]
    SourceUnreachable { bootstrap: String, reason: String },
    #[error("the source cluster is the target cluster ({0}): a link copies between two clusters")]
    SameCluster(String),
    #[error(transparent)]
    Mirror(#[from] MirrorError),
    #[error("topic {topic} is mirrored by link {link} already")]
    AlreadyMirrored { topic: String, link: String },
    #[error("topic {topic} is not a mirror of link {link}")]
    NotMirrored { topic: String, link: String },
    #[error("group {group} is not carried over by link {link}")]
    NotLinkedGroup { group: String, link: String },
    #[error(
        "mirror {topic} of link {link} cannot be promoted yet: {why} (force it to promote anyway)"
    )]
    NotSwitched { topic: String, link: String, why: String },
    #[error(
        "mirror {topic} of link {link} was written to since its promotion ({why}): it stays \
         promoted"
    )]
    WrittenSincePromotion { topic: String, link: String, why: String },
    #[error("mirror {topic} of link {link} is not promoted")]
    NotPromoted { topic: String, link: String },
    #[error("mirror {topic} of link {link} is promoted already")]
    Promoted { topic: String, link: String },
    #[error("{0}")]
    Invalid(String),
    #[error("the target cluster: {0}")]
    Kafka(#[from] ConnectionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The cluster links of the cluster `target` reaches.
pub struct Links {
    pub(super) target: Arc<Client>,
    pub(super) store: Arc<Store>,
    pub(super) settings: LinkSettings,
    /// The links this process runs, by id.
    pub(super) running: Mutex<BTreeMap<String, tokio::task::AbortHandle>>,
}

impl std::fmt::Debug for Links {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Links").field("links", &self.ids()).finish_non_exhaustive()
    }
}

pub(super) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// A record of the store as its type; None for a key that is not there or cannot be read.
pub(super) fn read<T: DeserializeOwned>(store: &Store, key: &str) -> Option<T> {
    serde_json::from_value(store.link_value(key)?).ok()
}

pub(super) fn value<T: Serialize>(record: &T) -> Result<Value, StoreError> {
    serde_json::to_value(record).map_err(|e| StoreError::Format(e.to_string()))
}

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

impl Links {
    /// The links of the cluster `target` reaches (its principal makes mirror topics and commits
    /// groups' offsets), kept in `store`. Nothing runs until [`Self::run_links`].
    pub fn new(target: Arc<Client>, store: Arc<Store>, settings: LinkSettings) -> Arc<Self> {
        Arc::new(Self { target, store, settings, running: Mutex::new(BTreeMap::new()) })
    }

    /// Every link's id, in order.
    pub fn ids(&self) -> Vec<String> {
        let configs = self.store.link_values("link/");
        configs
            .into_iter()
            .filter_map(|(k, _)| k.strip_prefix("link/").map(str::to_owned))
            .collect()
    }

    /// A client of the source cluster of `config`.
    pub(super) fn source_client(
        config: &LinkConfig,
        timeout: Duration,
    ) -> Result<Client, LinkError> {
        let credentials = match &config.source_login {
            None => None,
            Some(login) => {
                let mechanism = Mechanism::from_name(&login.mechanism).ok_or_else(|| {
                    LinkError::Invalid(format!(
                        "source mechanism {:?} is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
                        login.mechanism
                    ))
                })?;
                Some(Credentials::new(mechanism, &login.username, &login.password))
            }
        };
        Ok(Client::new(config.source_bootstrap.clone(), credentials, timeout))
    }

    /// What link `id` is asked to do, without its progress.
    pub fn config(&self, id: &str) -> Result<LinkConfig, LinkError> {
        read::<LinkConfig>(&self.store, &keys::config(id))
            .ok_or_else(|| LinkError::Unknown(id.to_owned()))
    }

    /// A client of link `id`'s source cluster, logged in as the link logs in.
    pub fn source(&self, id: &str) -> Result<Client, LinkError> {
        Self::source_client(&self.config(id)?, self.settings.source_timeout)
    }

    /// Partition `partition` of mirror `topic`'s copy, as the store last had it.
    pub fn progress(&self, id: &str, topic: &str, partition: i32) -> Option<Progress> {
        read(&self.store, &keys::partition(id, topic, partition))
    }

    /// The source's producer standing in for the target's producer (`producer_id`, `epoch`) on
    /// link `id`, if one is kept.
    pub fn routed_producer(
        &self,
        id: &str,
        producer_id: i64,
        epoch: i16,
    ) -> Option<RoutedProducer> {
        read(&self.store, &keys::producer(id, producer_id, epoch))
    }

    /// Reads what other sidecars wrote to the links' store up to now.
    pub async fn catch_up(&self) -> Result<(), LinkError> {
        self.store.catch_up().await?;
        Ok(())
    }

    /// The source's producer the transactions of `transactional_id` on link `id`'s mirrors run
    /// as, if one is kept.
    pub fn routed_transaction(
        &self,
        id: &str,
        transactional_id: &str,
    ) -> Option<RoutedTransaction> {
        read(&self.store, &keys::transaction(id, transactional_id))
    }

    /// Keeps (or, with `None`, forgets) how the transactions of `transactional_id` on link `id`'s
    /// mirrors run on its source.
    pub async fn keep_routed_transaction(
        &self,
        id: &str,
        transactional_id: &str,
        route: Option<RoutedTransaction>,
    ) -> Result<(), LinkError> {
        let key = keys::transaction(id, transactional_id);
        let value = route.map(|r| value(&r)).transpose()?;
        self.store.save_link_values(&[(key, value)]).await?;
        Ok(())
    }

    /// Every source producer that link `id`'s routed transactions run as.
    pub fn routed_transactions(&self, id: &str) -> Vec<RoutedTransaction> {
        self.store
            .link_values(&keys::transactions(id))
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_value(v).ok())
            .collect()
    }

    /// Every source producer standing in for a target's producer on link `id`.
    pub fn routed_producers(&self, id: &str) -> Vec<RoutedProducer> {
        let prefix = keys::producers(id);
        self.store
            .link_values(&prefix)
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_value(v).ok())
            .collect()
    }

    /// The sidecars' running counts of records routed without a producer id on link `id`,
    /// summed, by topic.
    pub fn routed_counts(&self, id: &str) -> BTreeMap<String, u64> {
        let mut totals = BTreeMap::new();
        for (_, value) in self.store.link_values(&keys::routeds(id)) {
            for (topic, count) in routed_counts(value).counts {
                *totals.entry(topic).or_insert(0) += count;
            }
        }
        totals
    }

    /// Keeps this sidecar's (`member`'s) running counts of records routed without a producer
    /// id on link `id`, by topic.
    pub async fn note_routed_counts(
        &self,
        id: &str,
        member: &str,
        counts: &BTreeMap<String, u64>,
    ) -> Result<(), LinkError> {
        let key = keys::routed(id, member);
        let counts = RoutedCounts { counts: counts.clone(), at_ms: now_ms() };
        self.store.save_link_values(&[(key, Some(value(&counts)?))]).await?;
        Ok(())
    }

    /// Notes that the routed producer kept for the target's (`producer_id`, `epoch`) on link
    /// `id` is still in use, so that it is not forgotten.
    pub async fn touch_routed_producer(
        &self,
        id: &str,
        producer_id: i64,
        epoch: i16,
        kept: RoutedProducer,
    ) -> Result<(), LinkError> {
        let key = keys::producer(id, producer_id, epoch);
        let touched = RoutedProducer { used_ms: now_ms(), ..kept };
        self.store.save_link_values(&[(key, Some(value(&touched)?))]).await?;
        Ok(())
    }

    /// Notes `client` as writing to mirror `topic` of link `id` through a sidecar.
    pub async fn note_routed_client(
        &self,
        id: &str,
        topic: &str,
        client: &RoutedClient,
    ) -> Result<(), LinkError> {
        let name = format!("{}@{}", client.client_id, client.host);
        let key = keys::client(id, topic, &name);
        self.store.save_link_values(&[(key, Some(value(client)?))]).await?;
        Ok(())
    }

    /// Forgets the clients of link `id` not seen for [`CLIENTS_KEPT`]: routed clients, members
    /// held, routed producers and transactions, and sidecars' routed counts, so that a link that
    /// stays long keeps a record per client (and sidecar) still around.
    pub async fn forget_stale_clients(&self, id: &str, now: u64) -> Result<(), LinkError> {
        let mut gone = Vec::new();
        for (key, value) in self.store.link_values(&keys::clients(id)) {
            let seen = serde_json::from_value::<RoutedClient>(value).map_or(0, |c| c.last_ms);
            if stale(seen, now) {
                gone.push((key, None));
            }
        }
        for (key, value) in self.store.link_values(&keys::groups_held(id)) {
            let seen = serde_json::from_value::<HeldMember>(value).map_or(0, |h| h.at_ms);
            if stale(seen, now) {
                gone.push((key, None));
            }
        }
        // Source producers of target producers not seen writing for as long (their batches'
        // retries long given up), transactions not begun for as long (the source has aborted
        // any left open: a transaction's timeout is minutes), and the counts of sidecars that
        // wrote none for as long (gone: one still running writes again within that).
        for (key, value) in self.store.link_values(&keys::producers(id)) {
            let seen = serde_json::from_value::<RoutedProducer>(value).map_or(0, |p| p.seen_ms());
            if stale(seen, now) {
                gone.push((key, None));
            }
        }
        for (key, value) in self.store.link_values(&keys::transactions(id)) {
            let Ok(route) = serde_json::from_value::<RoutedTransaction>(value) else { continue };
            // One open is kept for a day: a transaction may stay open as long as its timeout,
            // which an operator may have set beyond an hour.
            let kept_for = if route.open { OPEN_TRANSACTIONS_KEPT } else { CLIENTS_KEPT };
            if now.saturating_sub(route.since_ms) > kept_for.as_millis() as u64 {
                gone.push((key, None));
            }
        }
        for (key, value) in self.store.link_values(&keys::routeds(id)) {
            // Counts written before they had a time are left: their sidecar, if it still runs,
            // would write them whole again, as if routed now.
            let at = routed_counts(value).at_ms;
            if at > 0 && stale(at, now) {
                gone.push((key, None));
            }
        }
        if !gone.is_empty() {
            self.store.save_link_values(&gone).await?;
        }
        Ok(())
    }

    /// The clients seen writing to each mirror of link `id` through a sidecar, by topic, the
    /// most recent first.
    pub fn routed_clients(&self, id: &str) -> BTreeMap<String, Vec<RoutedClient>> {
        let prefix = keys::clients(id);
        let mut by_topic: BTreeMap<String, Vec<RoutedClient>> = BTreeMap::new();
        for (key, value) in self.store.link_values(&prefix) {
            let Some((topic, _)) = key[prefix.len()..].split_once('/') else { continue };
            if let Ok(client) = serde_json::from_value::<RoutedClient>(value) {
                by_topic.entry(topic.to_owned()).or_default().push(client);
            }
        }
        for clients in by_topic.values_mut() {
            clients.sort_by_key(|c| std::cmp::Reverse(c.last_ms));
        }
        by_topic
    }

    /// Keeps `source` as the producer standing in for the target's (`producer_id`, `epoch`) on
    /// link `id`; the one kept once the write is read back (another sidecar may have kept one
    /// first: the last written is every sidecar's from then on).
    pub async fn keep_routed_producer(
        &self,
        id: &str,
        producer_id: i64,
        epoch: i16,
        source: RoutedProducer,
    ) -> Result<RoutedProducer, LinkError> {
        let key = keys::producer(id, producer_id, epoch);
        self.store.save_link_values(&[(key, Some(value(&source)?))]).await?;
        self.store.catch_up().await?;
        Ok(self.routed_producer(id, producer_id, epoch).unwrap_or(source))
    }

    /// Makes link `request.id`: checks the source, makes each mirror topic on the target, finds
    /// where each partition's copy starts, and writes the link for the sidecar running links.
    pub async fn create(&self, request: NewLink) -> Result<LinkConfig, LinkError> {
        if !valid_id(&request.id) {
            return Err(LinkError::InvalidId(request.id));
        }
        if request.source_bootstrap.is_empty()
            || request.source_bootstrap.iter().any(|s| {
                s.rsplit_once(':').is_none_or(|(h, p)| h.is_empty() || p.parse::<u16>().is_err())
            })
        {
            return Err(LinkError::Invalid(format!(
                "the source's bootstrap servers must be host:port: {:?}",
                request.source_bootstrap
            )));
        }
        let topics = distinct(&request.topics, "topic")?;
        let groups = distinct(&request.groups, "group")?;
        self.store.catch_up().await?;
        if self.store.link_value(&keys::config(&request.id)).is_some() {
            return Err(LinkError::Exists(request.id));
        }
        let mut config = LinkConfig {
            id: request.id.clone(),
            source_bootstrap: request.source_bootstrap.clone(),
            source_login: request.source_login.clone(),
            source_cluster_id: None,
            start: request.start,
            topics: Vec::new(),
            groups,
            group_sync_ms: request
                .group_sync_ms
                .unwrap_or(self.settings.group_sync.as_millis() as u64)
                .max(100),
            paused: false,
            created_ms: now_ms(),
            requested_by: request.requested_by.clone(),
        };
        let source = Self::source_client(&config, self.settings.source_timeout)?;
        config.source_cluster_id = Some(self.check_source(&config, &source).await?);
        let mirrors = self.add_mirrors(&config, &source, &topics).await?;
        config.topics = topics;
        let status = LinkStatus {
            state: LinkState::Active,
            error: None,
            mirrors: mirrors.iter().map(|(t, (s, _))| (t.clone(), s.clone())).collect(),
            groups: config.groups.iter().map(|g| (g.clone(), GroupStatus::default())).collect(),
            updated_ms: now_ms(),
        };
        let mut records = vec![
            (keys::config(&config.id), Some(value(&config)?)),
            (keys::status(&config.id), Some(value(&status)?)),
        ];
        for (topic, (_, starts)) in &mirrors {
            for (partition, progress) in starts {
                records
                    .push((keys::partition(&config.id, topic, *partition), Some(value(progress)?)));
            }
        }
        self.store.save_link_values(&records).await?;
        // Read back, so that what this process knows of the links has the new one.
        self.store.catch_up().await?;
        tracing::info!(link = %config.id, topics = config.topics.len(), groups = config.groups.len(), "link created");
        Ok(config)
    }

    /// The source's cluster id, once it is known to answer and to be another cluster.
    async fn check_source(
        &self,
        config: &LinkConfig,
        source: &Client,
    ) -> Result<String, LinkError> {
        let unreachable = |reason: String| LinkError::SourceUnreachable {
            bootstrap: config.source_bootstrap.join(","),
            reason,
        };
        let request = MetadataRequest::default().with_topics(Some(Vec::new()));
        let answer = source.call(To::Any, request).await.map_err(|e| unreachable(e.to_string()))?;
        let id = answer.cluster_id.map(|c| c.to_string()).unwrap_or_default();
        let ours = self
            .target
            .call(To::Any, MetadataRequest::default().with_topics(Some(Vec::new())))
            .await?;
        if !id.is_empty() && ours.cluster_id.as_ref().is_some_and(|c| c.as_str() == id) {
            return Err(LinkError::SameCluster(id));
        }
        Ok(id)
    }

    /// Makes the mirrors of `topics` on the target (none of which another link mirrors, or the
    /// target has) and finds each partition's start: each mirror's status and starts. Mirrors
    /// made before a refusal are deleted again.
    async fn add_mirrors(
        &self,
        config: &LinkConfig,
        source: &Client,
        topics: &[String],
    ) -> Result<BTreeMap<String, (MirrorStatus, BTreeMap<i32, Progress>)>, LinkError> {
        for topic in topics {
            if let Some(link) = self.mirrored_by(topic) {
                return Err(LinkError::AlreadyMirrored { topic: topic.clone(), link });
            }
        }
        let described = mirror::describe(source, topics).await?;
        let starts = self.starts(source, &described, config.start).await?;
        let mut made: Vec<String> = Vec::new();
        for topic in &described {
            if let Err(e) = mirror::create(&self.target, topic).await {
                self.delete_topics(&made).await;
                return Err(e.into());
            }
            made.push(topic.name.clone());
        }
        Ok(described
            .into_iter()
            .map(|t| {
                let status = MirrorStatus::active(t.partitions);
                let starts = starts.get(&t.name).cloned().unwrap_or_default();
                (t.name, (status, starts))
            })
            .collect())
    }

    /// Where each partition of `topics` starts its copy, as `start` says.
    async fn starts(
        &self,
        source: &Client,
        topics: &[SourceTopic],
        start: Start,
    ) -> Result<BTreeMap<String, BTreeMap<i32, Progress>>, LinkError> {
        let names: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
        let unreachable = |e: ConnectionError| LinkError::SourceUnreachable {
            bootstrap: String::new(),
            reason: e.to_string(),
        };
        let layouts = partitions::layouts(source, &names).await.map_err(unreachable)?;
        let mut by_leader: BTreeMap<i32, Vec<Key>> = BTreeMap::new();
        for (topic, layout) in &layouts {
            for (partition, leader) in &layout.leaders {
                if *leader < 0 {
                    return Err(LinkError::Invalid(format!(
                        "{topic}-{partition} has no leader on the source now; try again"
                    )));
                }
                by_leader.entry(*leader).or_default().push((topic.clone(), *partition));
            }
        }
        let mut starts: BTreeMap<String, BTreeMap<i32, Progress>> = BTreeMap::new();
        for (leader, keys) in by_leader {
            let found = partitions::offsets(source, leader, &keys, start.position())
                .await
                .map_err(unreachable)?;
            for ((topic, partition), offset) in found {
                let offset = offset.map_err(|code| {
                    LinkError::Invalid(format!(
                        "{topic}-{partition}: the source could not say where to start (Kafka error {code})"
                    ))
                })?;
                starts.entry(topic).or_default().insert(partition, Progress::from(offset));
            }
        }
        Ok(starts)
    }

    /// Deletes `topics` on the target, as far as it can (undoing a half-made request).
    async fn delete_topics(&self, topics: &[String]) {
        if topics.is_empty() {
            return;
        }
        let request = DeleteTopicsRequest::default().with_timeout_ms(30_000).with_topics(
            topics
                .iter()
                .map(|t| DeleteTopicState::default().with_name(Some(TopicName(text(t)))))
                .collect(),
        );
        if let Err(e) = self.target.call(To::Any, request).await {
            tracing::warn!(?topics, "deleting mirror topics failed: {e}");
        }
    }

    /// The link mirroring `topic` (not promoted), if one does.
    pub fn mirrored_by(&self, topic: &str) -> Option<String> {
        self.read_only_mirrors().remove(topic)
    }

    /// Every mirror topic not promoted yet, with the link feeding it: the topics clients may not
    /// write to on the target.
    pub fn read_only_mirrors(&self) -> BTreeMap<String, String> {
        let mut mirrors = BTreeMap::new();
        for id in self.ids() {
            let Some(config) = read::<LinkConfig>(&self.store, &keys::config(&id)) else {
                continue;
            };
            let status = read::<LinkStatus>(&self.store, &keys::status(&id));
            for topic in &config.topics {
                let state = status.as_ref().and_then(|s| s.mirrors.get(topic)).map(|m| m.state);
                if state.is_none_or(MirrorState::is_mirroring) {
                    mirrors.insert(topic.clone(), id.clone());
                }
            }
        }
        mirrors
    }

    /// Every mirror topic being promoted now (asked to be, not a failover, and not done yet): its
    /// writes are held by the sidecars, so that its source stops growing and the mirror can be
    /// promoted with everything copied (see the sidecar's `route`).
    pub fn promoting_mirrors(&self) -> BTreeSet<String> {
        let mut promoting = BTreeSet::new();
        for id in self.ids() {
            let Some(status) = read::<LinkStatus>(&self.store, &keys::status(&id)) else {
                continue;
            };
            for (topic, mirror) in status.mirrors {
                if mirror.state == MirrorState::Promoting {
                    promoting.insert(topic);
                }
            }
        }
        promoting
    }

    /// Every mirror promoted less than `within` ago with everything copied, with its link and
    /// when: a producer routed before the promotion may still retry a write the source took (and
    /// the link copied), which the sidecar must then not write again (see its `route`).
    pub fn promoted_lately(&self, within: Duration) -> BTreeMap<String, (String, u64)> {
        let within = u64::try_from(within.as_millis()).unwrap_or(u64::MAX);
        let since = now_ms().saturating_sub(within);
        let mut promoted = BTreeMap::new();
        for id in self.ids() {
            let Some(status) = read::<LinkStatus>(&self.store, &keys::status(&id)) else {
                continue;
            };
            for (topic, mirror) in status.mirrors {
                let at = mirror.promoted_ms.filter(|at| *at >= since);
                if let (MirrorState::Promoted, Some(at), Some(0)) =
                    (mirror.state, at, mirror.not_copied)
                {
                    promoted.insert(topic, (id.clone(), at));
                }
            }
        }
        promoted
    }

    /// Every linked group whose members joining the target through a sidecar are held now (its
    /// consumers are on the source), with its link. None of a link whose mirrors are all
    /// promoted: there is nothing left to wait for.
    pub fn held_groups(&self) -> BTreeMap<String, String> {
        let mut held = BTreeMap::new();
        for id in self.ids() {
            let Some(config) = read::<LinkConfig>(&self.store, &keys::config(&id)) else {
                continue;
            };
            let status = read::<LinkStatus>(&self.store, &keys::status(&id));
            let mirroring = config.topics.iter().any(|topic| {
                let state = status.as_ref().and_then(|s| s.mirrors.get(topic)).map(|m| m.state);
                state.is_none_or(MirrorState::is_mirroring)
            });
            if !mirroring {
                continue;
            }
            for group in &config.groups {
                let phase = status.as_ref().and_then(|s| s.groups.get(group)).map(|g| g.phase);
                if phase.is_none_or(|p| p.holds_target_members()) {
                    held.insert(group.clone(), id.clone());
                }
            }
        }
        held
    }

    /// Notes that a sidecar held `member` of `group` (link `id`): the sidecar running the link
    /// sees that the group's consumers have come to the target.
    pub async fn note_held(
        &self,
        id: &str,
        group: &str,
        member: &HeldMember,
    ) -> Result<(), LinkError> {
        let key = keys::group_held(id, group);
        self.store.save_link_values(&[(key, Some(value(member)?))]).await?;
        Ok(())
    }

    /// The last member of each group of link `id` a sidecar held, by group.
    pub fn held_members(&self, id: &str) -> BTreeMap<String, HeldMember> {
        self.records_named(&keys::groups_held(id))
    }

    /// The moves asked for the groups of link `id`, by group.
    pub fn group_moves(&self, id: &str) -> BTreeMap<String, GroupMove> {
        self.records_named(&keys::group_moves(id))
    }

    /// The records under `prefix` that read as `T`, by the rest of their key.
    fn records_named<T: DeserializeOwned>(&self, prefix: &str) -> BTreeMap<String, T> {
        self.store
            .link_values(prefix)
            .into_iter()
            .filter_map(|(key, v)| {
                Some((key[prefix.len()..].to_owned(), serde_json::from_value(v).ok()?))
            })
            .collect()
    }

    /// Asks for `group` of link `id` to be handed over to the target now (without waiting for the
    /// source group to be empty), or back to the source. The sidecar running the link does it.
    pub async fn move_group(&self, id: &str, group: &str, to: GroupMove) -> Result<(), LinkError> {
        self.store.catch_up().await?;
        let config = self.config(id)?;
        if !config.groups.iter().any(|g| g == group) {
            return Err(LinkError::NotLinkedGroup { group: group.to_owned(), link: id.to_owned() });
        }
        let key = keys::group_move(id, group);
        self.store.save_link_values(&[(key, Some(value(&to)?))]).await?;
        Ok(())
    }

    /// The ids of `topics` on the target, for those it has (requests from Produce v13 on name
    /// topics by id).
    pub async fn target_topic_ids(
        &self,
        topics: impl IntoIterator<Item = &str>,
    ) -> Result<BTreeMap<String, Uuid>, LinkError> {
        let wanted: Vec<MetadataRequestTopic> = topics
            .into_iter()
            .map(|t| MetadataRequestTopic::default().with_name(Some(TopicName(text(t)))))
            .collect();
        if wanted.is_empty() {
            return Ok(BTreeMap::new());
        }
        let request = MetadataRequest::default()
            .with_topics(Some(wanted))
            .with_allow_auto_topic_creation(false);
        let answer = self.target.call(To::Any, request).await?;
        Ok(answer
            .topics
            .into_iter()
            .filter(|t| t.error_code == 0 && !t.topic_id.is_nil())
            .filter_map(|t| Some((t.name?.to_string(), t.topic_id)))
            .collect())
    }

    /// Ticks whenever the store the links are kept in changes.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<i64> {
        self.store.changes()
    }

    /// Link `id` as the store has it, with each partition's copy.
    pub fn describe(&self, id: &str) -> Result<Link, LinkError> {
        let config: LinkConfig = read(&self.store, &keys::config(id))
            .ok_or_else(|| LinkError::Unknown(id.to_owned()))?;
        let status = read(&self.store, &keys::status(id));
        let mut partitions = BTreeMap::new();
        for (key, value) in self.store.link_values(&keys::partitions(id)) {
            let rest = &key[keys::partitions(id).len()..];
            let Some((topic, n)) = rest.rsplit_once('/') else { continue };
            let (Ok(n), Ok(progress)) =
                (n.parse::<i32>(), serde_json::from_value::<Progress>(value))
            else {
                continue;
            };
            partitions.insert((topic.to_owned(), n), progress);
        }
        let mut promotions = BTreeMap::new();
        for (key, value) in self.store.link_values(&keys::promotions(id)) {
            let topic = key[keys::promotions(id).len()..].to_owned();
            if let Ok(p) = serde_json::from_value::<Promotion>(value) {
                promotions.insert(topic, p);
            }
        }
        Ok(Link { config, status, partitions, promotions })
    }

    /// Every link, in id order.
    pub fn list(&self) -> Vec<Link> {
        self.ids().iter().filter_map(|id| self.describe(id).ok()).collect()
    }

    /// Pauses link `id` (copying and carrying over stop where they are), or resumes it.
    pub async fn set_paused(&self, id: &str, paused: bool) -> Result<LinkConfig, LinkError> {
        self.store.catch_up().await?;
        let mut config = self.describe(id)?.config;
        config.paused = paused;
        self.store.save_link_values(&[(keys::config(id), Some(value(&config)?))]).await?;
        Ok(config)
    }

    /// Adds topics (their mirrors made as at creation, from the link's start position) and
    /// groups to link `id`, or removes them: a topic removed is no longer copied, and its topic on
    /// the target stays as it is, writable.
    pub async fn alter(&self, id: &str, change: LinkChange) -> Result<LinkConfig, LinkError> {
        self.store.catch_up().await?;
        let Link { mut config, .. } = self.describe(id)?;
        let add_topics = distinct(&change.add_topics, "topic")?;
        for topic in &add_topics {
            if config.topics.contains(topic) {
                return Err(LinkError::AlreadyMirrored {
                    topic: topic.clone(),
                    link: id.to_owned(),
                });
            }
        }
        for topic in &change.remove_topics {
            if !config.topics.contains(topic) {
                return Err(LinkError::NotMirrored { topic: topic.clone(), link: id.to_owned() });
            }
        }
        let mut records = Vec::new();
        if !add_topics.is_empty() {
            let source = Self::source_client(&config, self.settings.source_timeout)?;
            let mirrors = self.add_mirrors(&config, &source, &add_topics).await?;
            for (topic, (_, starts)) in &mirrors {
                for (partition, progress) in starts {
                    records.push((keys::partition(id, topic, *partition), Some(value(progress)?)));
                }
            }
            config.topics.extend(add_topics);
        }
        let removed: BTreeSet<&String> = change.remove_topics.iter().collect();
        for (key, _) in self.store.link_values(&keys::partitions(id)) {
            let rest = &key[keys::partitions(id).len()..];
            if rest.rsplit_once('/').is_some_and(|(topic, _)| removed.contains(&topic.to_owned())) {
                records.push((key, None));
            }
        }
        for topic in &change.remove_topics {
            records.push((keys::promotion(id, topic), None));
        }
        config.topics.retain(|t| !removed.contains(t));
        for group in distinct(&change.add_groups, "group")? {
            if !config.groups.contains(&group) {
                config.groups.push(group);
            }
        }
        config.groups.retain(|g| !change.remove_groups.contains(g));
        for group in &change.remove_groups {
            records.push((keys::group_move(id, group), None));
            records.push((keys::group_held(id, group), None));
        }
        records.push((keys::config(id), Some(value(&config)?)));
        self.store.save_link_values(&records).await?;
        self.store.catch_up().await?;
        Ok(config)
    }

    /// Asks for mirror `topic` of link `id` to be promoted: once everything is copied and the
    /// source has stopped growing (or at once, with `failover`), it is copied no more and is
    /// writable. The sidecar running the link does it; describe the link to see it done.
    ///
    /// Unless `force` (or `failover`), it is refused while anyone is still on the source: a
    /// producer wrote to the mirror's source directly over the last window (or the link has not
    /// watched a whole window yet), or a group of the link is not handed over.
    pub async fn promote(
        &self,
        id: &str,
        topic: &str,
        failover: bool,
        force: bool,
        requested_by: Option<String>,
    ) -> Result<(), LinkError> {
        let (link, state) = self.mirror_now(id, topic).await?;
        if state == Some(MirrorState::Promoted) {
            return Err(LinkError::Promoted { topic: topic.to_owned(), link: id.to_owned() });
        }
        if !failover && !force {
            let still = self.still_on_source(&link, topic);
            if !still.is_empty() {
                return Err(LinkError::NotSwitched {
                    topic: topic.to_owned(),
                    link: id.to_owned(),
                    why: still.join("; "),
                });
            }
        }
        let promotion = Promotion { failover, requested_ms: now_ms(), requested_by };
        self.store
            .save_link_values(&[(keys::promotion(id, topic), Some(value(&promotion)?))])
            .await?;
        Ok(())
    }

    /// Link `id` as the store has it now, and the state of its mirror `topic` (none before the
    /// link's first status); an error if the link does not mirror `topic`.
    async fn mirror_now(
        &self,
        id: &str,
        topic: &str,
    ) -> Result<(Link, Option<MirrorState>), LinkError> {
        self.store.catch_up().await?;
        let link = self.describe(id)?;
        if !link.config.topics.iter().any(|t| t == topic) {
            return Err(LinkError::NotMirrored { topic: topic.to_owned(), link: id.to_owned() });
        }
        let state = link.status.as_ref().and_then(|s| s.mirrors.get(topic)).map(|m| m.state);
        Ok((link, state))
    }

    /// Undoes the promotion of mirror `topic` of link `id`, as long as nothing has been written
    /// to it since: it is copied again, and read-only (or routed) to clients. The sidecar running
    /// the link checks again before it does so.
    pub async fn unpromote(
        &self,
        id: &str,
        topic: &str,
        requested_by: Option<String>,
    ) -> Result<(), LinkError> {
        let (link, state) = self.mirror_now(id, topic).await?;
        if state != Some(MirrorState::Promoted) {
            return Err(LinkError::NotPromoted { topic: topic.to_owned(), link: id.to_owned() });
        }
        let written = written_since_copy(&self.target, &link.partitions, topic).await?;
        if !written.is_empty() {
            return Err(LinkError::WrittenSincePromotion {
                topic: topic.to_owned(),
                link: id.to_owned(),
                why: written.join(", "),
            });
        }
        let asked = Promotion { failover: false, requested_ms: now_ms(), requested_by };
        let key = keys::unpromotion(id, topic);
        self.store.save_link_values(&[(key, Some(value(&asked)?))]).await?;
        Ok(())
    }

    /// Who is still on the source of mirror `topic` of `link`, each said in words: producers
    /// writing there directly over the last window, and groups not handed over.
    pub fn still_on_source(&self, link: &Link, topic: &str) -> Vec<String> {
        let window = self.settings.writers_window.as_secs();
        let Some(status) = &link.status else {
            return vec!["the link has not been taken up by a sidecar yet".to_owned()];
        };
        let mut still = Vec::new();
        match status.mirrors.get(topic) {
            Some(mirror) => {
                let lag: i64 = link
                    .partitions
                    .iter()
                    .filter(|((t, _), _)| t == topic)
                    .map(|(_, p)| p.lag())
                    .sum();
                if lag > 0 {
                    still.push(format!(
                        "{lag} record(s) on the source are not copied yet: who wrote them is not \
                         known yet"
                    ));
                }
                if !mirror.writers_watched {
                    still.push(format!(
                        "who writes to the source has not been watched for {window} s yet"
                    ));
                }
                for writer in &mirror.source_writers {
                    still.push(format!(
                        "producer id {} wrote {} record(s) to the source directly in the last \
                         {window} s",
                        writer.producer_id, writer.records
                    ));
                }
                if mirror.unrouted_records > 0 {
                    still.push(format!(
                        "{} record(s) without a producer id were written to the source directly \
                         in the last {window} s",
                        mirror.unrouted_records
                    ));
                }
            }
            None => still.push("the mirror has not been taken up yet".to_owned()),
        }
        for group in &link.config.groups {
            let g = status.groups.get(group);
            if g.is_some_and(|g| g.phase == super::state::GroupPhase::Moved) {
                continue;
            }
            let members: Vec<String> = g
                .map(|g| {
                    g.source_members
                        .iter()
                        .map(|m| format!("{} at {}", m.client_id, m.host))
                        .collect()
                })
                .unwrap_or_default();
            still.push(if members.is_empty() {
                format!("group {group} is not handed over")
            } else {
                format!("group {group} is still on the source ({})", members.join(", "))
            });
        }
        still
    }

    /// Deletes link `id`: it stops, and its records go. With `delete_mirrors`, its mirror topics
    /// that were not promoted are deleted on the target too (which cannot be undone).
    pub async fn delete(&self, id: &str, delete_mirrors: bool) -> Result<Vec<String>, LinkError> {
        self.store.catch_up().await?;
        let link = self.describe(id)?;
        let mut records: Vec<(String, Option<Value>)> = Vec::new();
        for (topic, partition) in link.partitions.keys() {
            records.push((keys::partition(id, topic, *partition), None));
        }
        for topic in link.promotions.keys() {
            records.push((keys::promotion(id, topic), None));
        }
        for (key, _) in self.store.link_values(&keys::unpromotions(id)) {
            records.push((key, None));
        }
        let prefixes = [
            keys::producers(id),
            keys::transactions(id),
            keys::group_moves(id),
            keys::groups_held(id),
            keys::clients(id),
            keys::routeds(id),
        ];
        for prefix in prefixes {
            for (key, _) in self.store.link_values(&prefix) {
                records.push((key, None));
            }
        }
        records.push((keys::status(id), None));
        // The config last: a reader that sees it gone has seen the rest gone too.
        records.push((keys::config(id), None));
        self.store.save_link_values(&records).await?;
        let mut deleted = Vec::new();
        if delete_mirrors {
            let status = link.status.unwrap_or(LinkStatus {
                state: LinkState::Active,
                error: None,
                mirrors: BTreeMap::new(),
                groups: BTreeMap::new(),
                updated_ms: 0,
            });
            deleted = link
                .config
                .topics
                .iter()
                .filter(|t| status.mirrors.get(*t).is_none_or(|m| m.state.is_mirroring()))
                .cloned()
                .collect();
            self.delete_topics(&deleted).await;
        }
        if let Some(task) = self.running.lock().unwrap_or_else(PoisonError::into_inner).remove(id) {
            task.abort();
        }
        tracing::info!(link = %id, deleted_mirrors = deleted.len(), "link deleted");
        Ok(deleted)
    }
}

/// How long a client not seen again is kept in a link's records.
pub const CLIENTS_KEPT: Duration = Duration::from_secs(3600);

/// How long the record of a transaction open on a source is kept without a new one beginning.
const OPEN_TRANSACTIONS_KEPT: Duration = Duration::from_secs(24 * 3600);

/// A sidecar's routed counts as kept (written before they had a time: as the counts alone, at 0).
fn routed_counts(value: Value) -> RoutedCounts {
    serde_json::from_value::<RoutedCounts>(value.clone()).unwrap_or_else(|_| RoutedCounts {
        counts: serde_json::from_value(value).unwrap_or_default(),
        at_ms: 0,
    })
}

/// Whether a client last seen at `seen` (ms since the epoch) is to be forgotten `now`.
fn stale(seen: u64, now: u64) -> bool {
    now.saturating_sub(seen) > CLIENTS_KEPT.as_millis() as u64
}

/// The partitions of mirror `topic` whose end on the target is not where the link's copy ended:
/// records written there since (or lost), each said in words.
pub(super) async fn written_since_copy(
    target: &Client,
    copies: &BTreeMap<Key, Progress>,
    topic: &str,
) -> Result<Vec<String>, LinkError> {
    let layouts = partitions::layouts(target, &[topic.to_owned()]).await?;
    let mut by_leader: BTreeMap<i32, Vec<Key>> = BTreeMap::new();
    for (name, layout) in &layouts {
        for (partition, leader) in &layout.leaders {
            by_leader.entry(*leader).or_default().push((name.clone(), *partition));
        }
    }
    let mut written = Vec::new();
    for (leader, keys) in by_leader {
        if leader < 0 {
            written.extend(keys.iter().map(|(_, p)| format!("partition {p} has no leader now")));
            continue;
        }
        let ends = partitions::offsets(target, leader, &keys, partitions::Position::Latest).await?;
        for (key, end) in ends {
            let copied = copies.get(&key).map_or(0, Progress::target_next);
            match end {
                Ok(end) if end == copied => {}
                Ok(end) => written.push(format!(
                    "partition {}: its end is {end}, the copy ended at {copied}",
                    key.1
                )),
                Err(code) => written.push(format!("partition {}: Kafka error {code}", key.1)),
            }
        }
    }
    Ok(written)
}

/// `names`, each once, none empty (a topic's as Kafka allows them: letters, digits, `.`, `_`,
/// `-`, up to 249); `what` names them in the refusal.
fn distinct(names: &[String], what: &str) -> Result<Vec<String>, LinkError> {
    let mut seen = BTreeSet::new();
    for name in names {
        let legal_topic = name.len() <= 249
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b));
        if name.is_empty() || (what == "topic" && !legal_topic) {
            return Err(LinkError::Invalid(format!("{what} name {name:?} is not valid")));
        }
        if !seen.insert(name.clone()) {
            return Err(LinkError::Invalid(format!("{what} {name} is named twice")));
        }
    }
    Ok(names.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routed_counts_are_read_with_their_time_or_as_written_before_they_had_one() {
        let now = routed_counts(serde_json::json!({"counts": {"orders": 5}, "at_ms": 42}));
        assert_eq!(now, RoutedCounts { counts: BTreeMap::from([("orders".into(), 5)]), at_ms: 42 });
        let before = routed_counts(serde_json::json!({"orders": 7}));
        assert_eq!(
            before,
            RoutedCounts { counts: BTreeMap::from([("orders".into(), 7)]), at_ms: 0 }
        );
    }

    #[test]
    fn a_client_is_forgotten_an_hour_after_it_was_last_seen() {
        let hour = CLIENTS_KEPT.as_millis() as u64;
        assert!(!stale(1_000, 1_000 + hour), "an hour exactly: kept");
        assert!(stale(1_000, 1_001 + hour));
        assert!(!stale(5_000, 1_000), "seen after now (another sidecar's clock): kept");
    }
}
