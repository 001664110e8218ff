//! Replication throttles that always come off, and never take anyone else's with them.
//!
//! Kafka throttles a reassignment with four configs: on each broker, the bytes a second it sends
//! as a leader (`leader.replication.throttled.rate`) and receives as a follower
//! (`follower.replication.throttled.rate`); on each topic, which replicas the rates apply to
//! (`leader.replication.throttled.replicas` for the replicas copied from,
//! `follower.replication.throttled.replicas` for those being added; entries `partition:broker`).
//!
//! [`Throttles`] is the one keeper of them for every job of a sidecar. It remembers what each
//! broker and topic held before any job touched it, and which job holds what:
//! - a broker gets the lowest rate any job moving through it asks for, and gets back what it had
//!   (or no dynamic rate at all) once no job moves through it;
//! - a topic's lists get the entries of its moving partitions added (Kafka's APPEND, so entries
//!   set by others stay), and lose an entry (SUBTRACT) only when no job holds it and it was not
//!   there before.
//!
//! Every change is idempotent, so a release that fails (a broker down) is simply tried again
//! until it succeeds; nothing is marked released before Kafka has taken it.
//!
//! A broker answers DescribeConfigs from its own copy of the cluster's metadata, which follows the
//! controller by moments: just after a release, it may still show what was taken off. A job that
//! reads a broker or topic afresh then would take the released throttle for one found there, and
//! put it back at its end. So the keeper remembers what it gave back lately, and reads again until
//! the broker shows it (see [`SETTLING`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use adminwire_kafka::client::{Client, To};
use adminwire_kafka::connection::ConnectionError;
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{DescribeConfigsRequest, IncrementalAlterConfigsRequest};
use kafka_protocol::protocol::StrBytes;

use serde::{Deserialize, Serialize};
use tracing::warn;

use crate::plan::Move;
use crate::store::Store;

pub const LEADER_RATE: &str = "leader.replication.throttled.rate";
pub const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";
pub const LEADER_REPLICAS: &str = "leader.replication.throttled.replicas";
pub const FOLLOWER_REPLICAS: &str = "follower.replication.throttled.replicas";

const TOPIC: i8 = 2;
const BROKER: i8 = 4;
const SET: i8 = 0;
const DELETE: i8 = 1;
const APPEND: i8 = 2;
const SUBTRACT: i8 = 3;
/// `DescribeConfigs` sources: a topic's own setting, and a broker's own dynamic one.
const DYNAMIC_TOPIC_CONFIG: i8 = 1;
const DYNAMIC_BROKER_CONFIG: i8 = 2;

/// How long after a release a fresh look at a broker or topic may still show what was taken off:
/// past this, what it shows is someone else's doing, and is taken as found.
const SETTLING: Duration = Duration::from_secs(15);
/// How often a broker is asked again meanwhile.
const SETTLING_LOOK: Duration = Duration::from_millis(100);

/// Why a throttle could not be set or taken off.
#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    #[error(transparent)]
    Kafka(#[from] ConnectionError),
    #[error("{resource}: {message}")]
    Refused { resource: String, message: String },
    #[error("writing the throttles down: {0}")]
    Store(String),
}

/// A broker's refusal: its error code always (a broker may send an empty message), and its
/// message when it has one.
fn refusal(code: i16, message: Option<&str>) -> String {
    match message.filter(|m| !m.trim().is_empty()) {
        Some(message) => format!("{message} (error {code})"),
        None => format!("error {code}"),
    }
}

/// A partition by topic and number.
type Partition = (String, i32);

/// One broker's rates: what it had before any job, and each job's rate with the partitions for
/// which that job moves through this broker.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BrokerRates {
    found: [Option<String>; 2],
    /// The rate last set on the broker by the keeper.
    set: Option<u64>,
    holders: BTreeMap<String, (u64, BTreeSet<Partition>)>,
}

/// One topic's lists (leader, follower): the entries found before any job, and each entry the
/// keeper added with the jobs that hold it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct TopicLists {
    /// `None` where the topic had no such setting of its own.
    found: [Option<BTreeSet<String>>; 2],
    held: [BTreeMap<String, BTreeSet<String>>; 2],
}

impl TopicLists {
    fn found(&self, side: usize, entry: &str) -> bool {
        self.found[side].as_ref().is_some_and(|f| f.contains(entry))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Held {
    brokers: BTreeMap<i32, BrokerRates>,
    topics: BTreeMap<String, TopicLists>,
}

/// What the keeper gave back lately, and when: each broker's rates as restored, each topic's
/// entries taken off. Kept for [`SETTLING`], in memory only (a restarted sidecar reads brokers
/// long after).
#[derive(Debug, Default)]
struct Released {
    brokers: BTreeMap<i32, ([Option<String>; 2], Instant)>,
    topics: BTreeMap<String, ([BTreeSet<String>; 2], Instant)>,
}

impl Released {
    fn forget_settled(&mut self) {
        self.brokers.retain(|_, (_, at)| at.elapsed() < SETTLING);
        self.topics.retain(|_, (_, at)| at.elapsed() < SETTLING);
    }
}

/// The keeper of every job's throttles.
#[derive(Debug)]
pub struct Throttles {
    client: Arc<Client>,
    held: tokio::sync::Mutex<Held>,
    /// Where what it found and holds is written down, before it changes anything.
    store: Arc<Store>,
    released: Mutex<Released>,
}

/// The entries a move throttles: leader side, the replicas it copies from; follower side, those it
/// adds.
fn entries(m: &Move) -> [Vec<String>; 2] {
    let entry = |b: i32| format!("{}:{b}", m.partition);
    [m.before.iter().map(|&b| entry(b)).collect(), m.adding().map(entry).collect()]
}

/// What a keeper last wrote to `store`, or nothing held.
fn written(store: &Store) -> Held {
    store.throttles().map_or_else(Held::default, |state| {
        serde_json::from_value(state).unwrap_or_else(|e| {
            warn!("the throttle keeper's state in the jobs topic cannot be read: {e}");
            Held::default()
        })
    })
}

/// Marks `moves` of `job` as held at `rate`, with each broker's rate to be `next`.
fn hold(held: &mut Held, job: &str, rate: u64, moves: &[Move], next: &BTreeMap<i32, u64>) {
    for m in moves {
        let partition = (m.topic.clone(), m.partition);
        for broker in brokers_of(m) {
            if let Some(rates) = held.brokers.get_mut(&broker) {
                let holding = rates.holders.entry(job.to_owned()).or_default();
                holding.0 = rate;
                holding.1.insert(partition.clone());
            }
        }
        if let Some(lists) = held.topics.get_mut(&m.topic) {
            for (side, list) in entries(m).into_iter().enumerate() {
                for entry in list {
                    lists.held[side].entry(entry).or_default().insert(job.to_owned());
                }
            }
        }
    }
    for (broker, lowest) in next {
        if let Some(rates) = held.brokers.get_mut(broker) {
            rates.set = Some(*lowest);
        }
    }
}

/// The brokers a move goes through: those it copies from and those it copies to.
fn brokers_of(m: &Move) -> BTreeSet<i32> {
    m.before.iter().copied().chain(m.adding()).collect()
}

impl Throttles {
    /// The keeper for the cluster `client` reaches, taking up what `store` says a keeper found
    /// and held before (a sidecar restarted, or another one's jobs taken over).
    pub fn new(client: Arc<Client>, store: Arc<Store>) -> Self {
        let held = written(&store);
        Self {
            client,
            held: tokio::sync::Mutex::new(held),
            store,
            released: Mutex::new(Released::default()),
        }
    }

    /// Takes up what the store says now: for a process that has just become the one running
    /// the jobs, whose keeper was idle while another's set and held throttles.
    pub async fn take_up(&self) {
        *self.held.lock().await = written(&self.store);
    }

    /// Throttles `moves` of `job` at `rate` bytes a second.
    pub async fn apply(&self, job: &str, rate: u64, moves: &[Move]) -> Result<(), ThrottleError> {
        let mut held = self.held.lock().await;
        // What was there before any job, for brokers and topics seen for the first time.
        let brokers: BTreeSet<i32> = moves.iter().flat_map(brokers_of).collect();
        for &broker in &brokers {
            if let std::collections::btree_map::Entry::Vacant(vacant) = held.brokers.entry(broker) {
                let found = self.settled_broker_rates(broker).await?;
                vacant.insert(BrokerRates { found, set: None, holders: BTreeMap::new() });
            }
        }
        let topics: BTreeSet<&String> = moves.iter().map(|m| &m.topic).collect();
        for topic in topics {
            if !held.topics.contains_key(topic) {
                let found = self.settled_topic_lists(topic).await?;
                held.topics.insert(topic.clone(), TopicLists { found, ..TopicLists::default() });
            }
        }
        // The topic entries to add: neither found nor held by another job already.
        let mut append: BTreeMap<&str, [Vec<String>; 2]> = BTreeMap::new();
        for m in moves {
            let lists = &held.topics[&m.topic];
            for (side, list) in entries(m).into_iter().enumerate() {
                let wildcard = lists.found(side, "*");
                for entry in list {
                    if !wildcard
                        && !lists.found(side, &entry)
                        && !lists.held[side].contains_key(&entry)
                    {
                        append.entry(&m.topic).or_default()[side].push(entry);
                    }
                }
            }
        }
        // The rates: each broker the lowest any job asks.
        let next: BTreeMap<i32, u64> = brokers
            .iter()
            .map(|&broker| {
                let rates = &held.brokers[&broker];
                let lowest = rates.holders.values().map(|(r, _)| *r).chain([rate]).min();
                (broker, lowest.unwrap_or(rate))
            })
            .collect();
        // Written down before Kafka is told, so that whoever runs the job next (after a crash)
        // takes off what may have been set, and restores what was found.
        let mut intended = held.clone();
        hold(&mut intended, job, rate, moves, &next);
        self.save(&intended).await?;
        self.alter_topics(&append, APPEND).await?;
        for (&broker, &lowest) in &next {
            if held.brokers[&broker].set != Some(lowest) {
                self.set_rate(broker, Some(&lowest.to_string()), Some(&lowest.to_string())).await?;
            }
        }
        // Kafka has it all: now it is held.
        *held = intended;
        Ok(())
    }

    /// Takes `job`'s throttles of `moves` (partitions that finished) off.
    pub async fn release(&self, job: &str, moves: &[Move]) -> Result<(), ThrottleError> {
        let partitions: BTreeSet<Partition> =
            moves.iter().map(|m| (m.topic.clone(), m.partition)).collect();
        let mut held = self.held.lock().await;
        self.release_held(&mut held, job, |p| partitions.contains(p)).await
    }

    /// Takes every throttle `job` holds off: at its end, on cancel, on failure.
    pub async fn release_all(&self, job: &str) -> Result<(), ThrottleError> {
        let mut held = self.held.lock().await;
        self.release_held(&mut held, job, |_| true).await
    }

    /// Whether `job` still holds any throttle.
    pub async fn holds(&self, job: &str) -> bool {
        let held = self.held.lock().await;
        held.brokers.values().any(|b| b.holders.contains_key(job))
            || held
                .topics
                .values()
                .any(|t| t.held.iter().any(|side| side.values().any(|jobs| jobs.contains(job))))
    }

    async fn release_held(
        &self,
        held: &mut Held,
        job: &str,
        releasing: impl Fn(&Partition) -> bool,
    ) -> Result<(), ThrottleError> {
        // Topic entries: `job`'s for the partitions released, taken off where nobody else holds them
        // and they were not there before.
        let mut subtract: BTreeMap<&str, [Vec<String>; 2]> = BTreeMap::new();
        let mut dropped: Vec<(String, usize, String)> = Vec::new();
        for (topic, lists) in &held.topics {
            for side in 0..2 {
                for (entry, jobs) in &lists.held[side] {
                    let partition =
                        entry.split(':').next().and_then(|p| p.parse::<i32>().ok()).unwrap_or(-1);
                    if !jobs.contains(job) || !releasing(&(topic.clone(), partition)) {
                        continue;
                    }
                    dropped.push((topic.clone(), side, entry.clone()));
                    if jobs.len() == 1 && !lists.found(side, entry) {
                        subtract.entry(topic).or_default()[side].push(entry.clone());
                    }
                }
            }
        }
        // A list the topic did not have before, left with nothing: the setting goes, rather than
        // stay as an empty list of its own — unless someone else has put entries in since.
        let mut delete: BTreeMap<&str, [bool; 2]> = BTreeMap::new();
        for (topic, [leader, follower]) in &subtract {
            let lists = &held.topics[*topic];
            let emptied = |side: usize, ours: &[String]| {
                lists.found[side].is_none()
                    && lists.held[side]
                        .iter()
                        .all(|(e, jobs)| ours.contains(e) || jobs.iter().all(|j| j == job))
            };
            let candidates = [
                emptied(0, leader) && !leader.is_empty(),
                emptied(1, follower) && !follower.is_empty(),
            ];
            if candidates.iter().any(|c| *c) {
                let now = self.topic_lists(topic).await?;
                let only_ours = |side: usize, ours: &[String]| {
                    now[side].as_ref().is_none_or(|n| n.iter().all(|e| ours.contains(e)))
                };
                delete.insert(
                    topic,
                    [
                        candidates[0] && only_ours(0, leader),
                        candidates[1] && only_ours(1, follower),
                    ],
                );
            }
        }
        let taken_off: Vec<(String, [BTreeSet<String>; 2])> = subtract
            .iter()
            .map(|(topic, sides)| {
                (topic.to_string(), sides.clone().map(|side| side.into_iter().collect()))
            })
            .collect();
        let (deleting, subtracting): (BTreeMap<_, _>, BTreeMap<_, _>) = subtract
            .into_iter()
            .map(|(topic, [leader, follower])| {
                let [d0, d1] = delete.get(topic).copied().unwrap_or_default();
                let keep = |d: bool, list: Vec<String>| if d { Vec::new() } else { list };
                ((topic, [d0, d1]), (topic, [keep(d0, leader), keep(d1, follower)]))
            })
            .unzip();
        self.alter_topics(&subtracting, SUBTRACT).await?;
        self.delete_topic_lists(&deleting).await?;
        self.remember(|released| {
            for (topic, entries) in taken_off {
                released.topics.insert(topic, (entries, Instant::now()));
            }
        });
        for (topic, side, entry) in dropped {
            if let Some(lists) = held.topics.get_mut(&topic)
                && let Some(jobs) = lists.held[side].get_mut(&entry)
            {
                jobs.remove(job);
                if jobs.is_empty() {
                    lists.held[side].remove(&entry);
                }
            }
        }
        // Brokers: `job` lets go of those it no longer moves through; each gets the lowest rate of
        // the jobs left, or what it had before.
        let ids: Vec<i32> = held.brokers.keys().copied().collect();
        for broker in ids {
            let Some(rates) = held.brokers.get(&broker) else { continue };
            let Some((_, partitions)) = rates.holders.get(job) else { continue };
            let left: BTreeSet<Partition> =
                partitions.iter().filter(|p| !releasing(p)).cloned().collect();
            let mut holders = rates.holders.clone();
            if left.is_empty() {
                holders.remove(job);
            } else if let Some(h) = holders.get_mut(job) {
                h.1 = left;
            }
            let lowest = holders.values().map(|(r, _)| *r).min();
            match lowest {
                Some(rate) if rates.set != Some(rate) => {
                    self.set_rate(broker, Some(&rate.to_string()), Some(&rate.to_string())).await?;
                }
                None => {
                    let [leader, follower] = &rates.found;
                    self.set_rate(broker, leader.as_deref(), follower.as_deref()).await?;
                    let restored = rates.found.clone();
                    self.remember(|released| {
                        released.brokers.insert(broker, (restored, Instant::now()));
                    });
                }
                Some(_) => {}
            }
            if let Some(rates) = held.brokers.get_mut(&broker) {
                rates.holders = holders;
                rates.set = lowest;
            }
        }
        // Nothing held any more on a broker or topic: forget what was found there, so that the
        // next job reads it afresh.
        held.brokers.retain(|_, rates| !rates.holders.is_empty());
        held.topics.retain(|_, lists| lists.held.iter().any(|side| !side.is_empty()));
        // Written down once Kafka has taken it: a crash before this releases it again, which
        // changes nothing.
        self.save(held).await
    }

    async fn save(&self, held: &Held) -> Result<(), ThrottleError> {
        let state = serde_json::to_value(held).map_err(|e| ThrottleError::Store(e.to_string()))?;
        self.store.save_throttles(state).await.map_err(|e| ThrottleError::Store(e.to_string()))
    }

    fn remember(&self, note: impl FnOnce(&mut Released)) {
        let mut released = self.released.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        released.forget_settled();
        note(&mut released);
    }

    /// What the keeper gave back to `broker` lately, if it did.
    fn given_back(&self, broker: i32) -> Option<([Option<String>; 2], Instant)> {
        let released = self.released.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        released.brokers.get(&broker).filter(|(_, at)| at.elapsed() < SETTLING).cloned()
    }

    /// The entries the keeper took off `topic` lately, if it did.
    fn taken_off(&self, topic: &str) -> Option<([BTreeSet<String>; 2], Instant)> {
        let released = self.released.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        released.topics.get(topic).filter(|(_, at)| at.elapsed() < SETTLING).cloned()
    }

    /// A broker's rates as found by a job seeing it afresh: once it shows what the keeper gave
    /// back lately (or after [`SETTLING`], whatever it shows).
    async fn settled_broker_rates(
        &self,
        broker: i32,
    ) -> Result<[Option<String>; 2], ThrottleError> {
        let given_back = self.given_back(broker);
        loop {
            let found = self.broker_rates(broker).await?;
            match &given_back {
                Some((rates, at)) if found != *rates && at.elapsed() < SETTLING => {
                    tokio::time::sleep(SETTLING_LOOK).await;
                }
                _ => return Ok(found),
            }
        }
    }

    /// A topic's lists as found by a job seeing it afresh: once they hold none of the entries the
    /// keeper took off lately (or after [`SETTLING`], whatever they hold).
    async fn settled_topic_lists(
        &self,
        topic: &str,
    ) -> Result<[Option<BTreeSet<String>>; 2], ThrottleError> {
        let taken_off = self.taken_off(topic);
        loop {
            let found = self.topic_lists(topic).await?;
            let still_there = |off: &[BTreeSet<String>; 2]| {
                found
                    .iter()
                    .zip(off)
                    .any(|(now, off)| now.as_ref().is_some_and(|n| !n.is_disjoint(off)))
            };
            match &taken_off {
                Some((off, at)) if still_there(off) && at.elapsed() < SETTLING => {
                    tokio::time::sleep(SETTLING_LOOK).await;
                }
                _ => return Ok(found),
            }
        }
    }

    /// A broker's own dynamic rates (leader, follower), if set.
    async fn broker_rates(&self, broker: i32) -> Result<[Option<String>; 2], ThrottleError> {
        let configs = self
            .describe(
                BROKER,
                &broker.to_string(),
                &[LEADER_RATE, FOLLOWER_RATE],
                To::Broker(broker),
            )
            .await?;
        let own = |key: &str| {
            configs
                .iter()
                .find(|(name, source, _)| name == key && *source == DYNAMIC_BROKER_CONFIG)
                .and_then(|(_, _, v)| v.clone())
        };
        Ok([own(LEADER_RATE), own(FOLLOWER_RATE)])
    }

    /// A topic's own throttled-replica lists (leader, follower), as sets of entries; `None` for
    /// one it has no setting of.
    async fn topic_lists(
        &self,
        topic: &str,
    ) -> Result<[Option<BTreeSet<String>>; 2], ThrottleError> {
        let configs =
            self.describe(TOPIC, topic, &[LEADER_REPLICAS, FOLLOWER_REPLICAS], To::Any).await?;
        let own = |key: &str| -> Option<BTreeSet<String>> {
            configs
                .iter()
                .find(|(name, source, _)| name == key && *source == DYNAMIC_TOPIC_CONFIG)
                .map(|(_, _, v)| {
                    v.as_deref()
                        .unwrap_or_default()
                        .split(',')
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
        };
        Ok([own(LEADER_REPLICAS), own(FOLLOWER_REPLICAS)])
    }

    /// `keys` of one resource: (name, source, value).
    async fn describe(
        &self,
        resource_type: i8,
        name: &str,
        keys: &[&str],
        to: To,
    ) -> Result<Vec<(String, i8, Option<String>)>, ThrottleError> {
        let request = DescribeConfigsRequest::default().with_resources(vec![
            DescribeConfigsResource::default()
                .with_resource_type(resource_type)
                .with_resource_name(StrBytes::from_string(name.to_owned()))
                .with_configuration_keys(Some(
                    keys.iter().map(|k| StrBytes::from_string((*k).to_owned())).collect(),
                )),
        ]);
        let response = self.client.call(to, request).await?;
        let mut configs = Vec::new();
        for result in response.results {
            if result.error_code != 0 {
                return Err(ThrottleError::Refused {
                    resource: name.to_owned(),
                    message: refusal(result.error_code, result.error_message.as_deref()),
                });
            }
            configs.extend(
                result
                    .configs
                    .into_iter()
                    .map(|c| (c.name.to_string(), c.config_source, c.value.map(|v| v.to_string()))),
            );
        }
        Ok(configs)
    }

    /// Sets a broker's rates, deleting its own setting where `None`.
    async fn set_rate(
        &self,
        broker: i32,
        leader: Option<&str>,
        follower: Option<&str>,
    ) -> Result<(), ThrottleError> {
        let config = |key: &str, value: Option<&str>| match value {
            Some(v) => AlterableConfig::default()
                .with_name(StrBytes::from_string(key.to_owned()))
                .with_config_operation(SET)
                .with_value(Some(StrBytes::from_string(v.to_owned()))),
            None => AlterableConfig::default()
                .with_name(StrBytes::from_string(key.to_owned()))
                .with_config_operation(DELETE),
        };
        let resource = AlterConfigsResource::default()
            .with_resource_type(BROKER)
            .with_resource_name(StrBytes::from_string(broker.to_string()))
            .with_configs(vec![config(LEADER_RATE, leader), config(FOLLOWER_RATE, follower)]);
        self.alter(vec![resource], To::Broker(broker)).await
    }

    /// Appends entries to, or subtracts them from, topics' lists.
    async fn alter_topics(
        &self,
        changes: &BTreeMap<&str, [Vec<String>; 2]>,
        operation: i8,
    ) -> Result<(), ThrottleError> {
        let resources: Vec<AlterConfigsResource> = changes
            .iter()
            .map(|(topic, [leader, follower])| {
                let list = |key: &str, entries: &[String]| {
                    (!entries.is_empty()).then(|| {
                        AlterableConfig::default()
                            .with_name(StrBytes::from_string(key.to_owned()))
                            .with_config_operation(operation)
                            .with_value(Some(StrBytes::from_string(entries.join(","))))
                    })
                };
                AlterConfigsResource::default()
                    .with_resource_type(TOPIC)
                    .with_resource_name(StrBytes::from_string((*topic).to_owned()))
                    .with_configs(
                        [list(LEADER_REPLICAS, leader), list(FOLLOWER_REPLICAS, follower)]
                            .into_iter()
                            .flatten()
                            .collect(),
                    )
            })
            .filter(|resource| !resource.configs.is_empty())
            .collect();
        if resources.is_empty() {
            return Ok(());
        }
        self.alter(resources, To::Any).await
    }

    /// Deletes topics' list settings where marked (leader, follower).
    async fn delete_topic_lists(
        &self,
        deleting: &BTreeMap<&str, [bool; 2]>,
    ) -> Result<(), ThrottleError> {
        let resources: Vec<AlterConfigsResource> = deleting
            .iter()
            .filter(|(_, sides)| sides.iter().any(|d| *d))
            .map(|(topic, sides)| {
                let configs = [LEADER_REPLICAS, FOLLOWER_REPLICAS]
                    .iter()
                    .zip(sides)
                    .filter(|(_, d)| **d)
                    .map(|(key, _)| {
                        AlterableConfig::default()
                            .with_name(StrBytes::from_string((*key).to_owned()))
                            .with_config_operation(DELETE)
                    })
                    .collect();
                AlterConfigsResource::default()
                    .with_resource_type(TOPIC)
                    .with_resource_name(StrBytes::from_string((*topic).to_owned()))
                    .with_configs(configs)
            })
            .collect();
        if resources.is_empty() {
            return Ok(());
        }
        self.alter(resources, To::Any).await
    }

    async fn alter(
        &self,
        resources: Vec<AlterConfigsResource>,
        to: To,
    ) -> Result<(), ThrottleError> {
        let response = self
            .client
            .call(to, IncrementalAlterConfigsRequest::default().with_resources(resources))
            .await?;
        for result in response.responses {
            if result.error_code != 0 {
                return Err(ThrottleError::Refused {
                    resource: result.resource_name.to_string(),
                    message: refusal(result.error_code, result.error_message.as_deref()),
                });
            }
        }
        Ok(())
    }
}
