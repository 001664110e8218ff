//! Copying a link's partitions, round by round: fetch committed batches from each source leader,
//! pass each on to the target partition's leader as an idempotent producer's batch, and keep where
//! every record landed ([`OffsetMap`]).
//!
//! A round copies what one fetch per source leader brought; the caller runs rounds, saves each
//! partition's [`Progress`] between them, and decides what an error means for the link.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use adminwire_kafka::client::Client;
use adminwire_kafka::connection::ConnectionError;
use adminwire_kafka::partitions::{self, Fetched, Outgoing, Position, Wanted};
use adminwire_kafka::records::{self, Producer, Sources};
use serde::{Deserialize, Serialize};

use super::offsets::{MapError, OffsetMap};

/// A partition of a mirrored topic: the same name and number on both clusters.
pub type Key = (String, i32);

/// One partition's copy as far as it has come: what a restarted copy goes on from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The source offset the copy reads next.
    pub source_next: i64,
    /// Where every copied record landed.
    pub map: OffsetMap,
    /// The source partition's end for committed readers at the last look.
    pub source_end: i64,
    /// Records and bytes copied so far.
    pub records: u64,
    pub bytes: u64,
    /// Records the source deleted (retention, DeleteRecords) before they were copied.
    pub lost: u64,
    /// The target partition's end when the copy started: where its first copy lands.
    #[serde(default)]
    pub target_base: i64,
}

impl Progress {
    /// A copy starting at `offset` of the source, onto an empty target partition.
    pub fn from(offset: i64) -> Self {
        Self { source_next: offset, source_end: offset, ..Self::default() }
    }

    /// Where the next copy lands on the target.
    pub fn target_next(&self) -> i64 {
        self.map.target_end().unwrap_or(self.target_base)
    }

    /// Committed source records not copied yet.
    pub fn lag(&self) -> i64 {
        (self.source_end - self.source_next).max(0)
    }

    /// The bytes of the records not copied yet, estimated from the average size of the records
    /// copied so far (a client cannot learn the source's byte positions); `None` before the first
    /// record is copied.
    pub fn lag_bytes(&self) -> Option<i64> {
        if self.records == 0 {
            return None;
        }
        let estimate =
            u128::try_from(self.lag()).ok()? * u128::from(self.bytes) / u128::from(self.records);
        Some(i64::try_from(estimate).unwrap_or(i64::MAX))
    }
}

/// Why a round stopped short.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("the source cluster: {0}")]
    Source(ConnectionError),
    #[error("the target cluster: {0}")]
    Target(ConnectionError),
    /// The source refused a partition for good, or sent what cannot be read.
    #[error("{topic}-{partition} on the source: {reason}")]
    SourceRefused { topic: String, partition: i32, reason: String },
    /// The target refused a partition's records for good (Kafka error code).
    #[error("{topic}-{partition} on the target: Kafka error {code}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    TargetRefused { topic: String, partition: i32, code: i16, message: Option<String> },
    /// The target no longer knows this producer: what it last appended must be checked before
    /// copying on.
    #[error("the target dropped the link's producer (Kafka error {0})")]
    ProducerLost(i16),
    #[error("{topic}-{partition}: {error}")]
    Map { topic: String, partition: i32, error: MapError },
}

/// How a round went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub records: u64,
    pub bytes: u64,
    /// The records copied by who wrote them on the source: by topic, then producer id (-1:
    /// written without one).
    pub writers: BTreeMap<String, BTreeMap<i64, u64>>,
}

/// Kafka errors after which the same request can succeed once leaders are looked up again.
fn retriable(code: i16) -> bool {
    // UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT,
    // NOT_ENOUGH_REPLICAS(_AFTER_APPEND), KAFKA_STORAGE_ERROR, FENCED_LEADER_EPOCH,
    // UNKNOWN_LEADER_EPOCH, OFFSET_NOT_AVAILABLE.
    matches!(code, 3 | 5 | 6 | 7 | 19 | 20 | 56 | 74 | 75 | 78)
}

/// COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: a coordinator still
/// starting or moving.
fn coordinator_busy(code: i16) -> bool {
    matches!(code, 14..=16)
}

/// The sequence past which a partition's producer is renewed (half way to Kafka's wrap).
const SEQUENCE_RENEWAL: i32 = 1 << 30;

/// OFFSET_OUT_OF_RANGE.
const OUT_OF_RANGE: i16 = 1;
/// Errors that mean the target dropped the producer's state: OUT_OF_ORDER_SEQUENCE_NUMBER,
/// INVALID_PRODUCER_EPOCH, UNKNOWN_PRODUCER_ID.
fn producer_lost(code: i16) -> bool {
    matches!(code, 45 | 47 | 59)
}

/// Copies partitions from one cluster to another.
#[derive(Debug)]
pub struct Copier {
    source: Arc<Client>,
    target: Arc<Client>,
    producer: Option<Producer>,
    /// The next sequence of the producer's batches, by partition.
    sequences: BTreeMap<Key, i32>,
    source_leaders: BTreeMap<Key, i32>,
    target_leaders: BTreeMap<Key, i32>,
    /// How long a fetch waits for data, and how much it takes a partition.
    wait: Duration,
    max_bytes: i32,
    produce_timeout: Duration,
    /// Partitions whose fetch offset the source no longer (or never) had, this round.
    out_of_range: Vec<Key>,
}

impl Copier {
    pub fn new(source: Arc<Client>, target: Arc<Client>) -> Self {
        Self {
            source,
            target,
            producer: None,
            sequences: BTreeMap::new(),
            source_leaders: BTreeMap::new(),
            target_leaders: BTreeMap::new(),
            wait: Duration::from_millis(200),
            max_bytes: 1024 * 1024,
            produce_timeout: Duration::from_secs(30),
            out_of_range: Vec::new(),
        }
    }

    /// At most `bytes` a partition a fetch (1 MiB unless set).
    pub fn with_fetch_bytes(mut self, bytes: i32) -> Self {
        self.max_bytes = bytes.max(1);
        self
    }

    /// Drops the producer: the next round starts with a new one, its sequences from 0.
    pub fn reset_producer(&mut self) {
        self.producer = None;
        self.sequences.clear();
    }

    /// One round over `partitions`: what one fetch from each source leader brought, copied.
    pub async fn round(
        &mut self,
        partitions: &mut BTreeMap<Key, Progress>,
    ) -> Result<Round, CopyError> {
        // A new producer long before a sequence wraps: a batch's records then never straddle it.
        if self.sequences.values().any(|s| *s > SEQUENCE_RENEWAL) {
            self.reset_producer();
        }
        let Some(producer) = self.producer().await? else {
            // The target's coordinators are still loading (a cluster just started): later.
            tokio::time::sleep(self.wait).await;
            return Ok(Round::default());
        };
        self.find_leaders(partitions.keys()).await?;
        let mut by_leader: BTreeMap<i32, Vec<Wanted>> = BTreeMap::new();
        for ((topic, partition), progress) in partitions.iter() {
            let Some(&leader) = self.source_leaders.get(&(topic.clone(), *partition)) else {
                continue;
            };
            by_leader.entry(leader).or_default().push(Wanted {
                topic: topic.clone(),
                partition: *partition,
                offset: progress.source_next,
            });
        }
        let mut queues: BTreeMap<Key, Queued> = BTreeMap::new();
        for (leader, wanted) in by_leader {
            let fetched =
                partitions::fetch(&self.source, leader, &wanted, self.wait, self.max_bytes)
                    .await
                    .map_err(CopyError::Source)?;
            for f in fetched {
                let key = (f.topic.clone(), f.partition);
                let Some(progress) = partitions.get_mut(&key) else { continue };
                if let Some(queued) = self.take_in(f, progress, producer)? {
                    queues.insert(key, queued);
                }
            }
        }
        self.reposition(partitions).await?;
        self.send(partitions, queues).await
    }

    /// Brings each partition's source end (its last stable offset) up to date without copying
    /// anything: a paused link still shows how far behind it falls.
    pub async fn look(
        &mut self,
        partitions: &mut BTreeMap<Key, Progress>,
    ) -> Result<(), CopyError> {
        self.find_leaders(partitions.keys()).await?;
        let mut by_leader: BTreeMap<i32, Vec<Key>> = BTreeMap::new();
        for key in partitions.keys() {
            if let Some(&leader) = self.source_leaders.get(key) {
                by_leader.entry(leader).or_default().push(key.clone());
            }
        }
        for (leader, keys) in by_leader {
            let ends =
                partitions::offsets(&self.source, leader, &keys, partitions::Position::Latest)
                    .await
                    .map_err(CopyError::Source)?;
            for (key, end) in ends {
                if let (Some(progress), Ok(end)) = (partitions.get_mut(&key), end) {
                    progress.source_end = end.max(progress.source_next);
                }
            }
        }
        Ok(())
    }

    /// The partitions whose offset was out of range: records the source deleted before they were
    /// copied (retention, DeleteRecords) are counted as lost and the copy goes on from the log's
    /// start; an offset past the log's end means the source lost records it had.
    async fn reposition(
        &mut self,
        partitions: &mut BTreeMap<Key, Progress>,
    ) -> Result<(), CopyError> {
        for key in std::mem::take(&mut self.out_of_range) {
            let (Some(&leader), Some(progress)) =
                (self.source_leaders.get(&key), partitions.get_mut(&key))
            else {
                continue;
            };
            let keys = std::slice::from_ref(&key);
            let start = partitions::offsets(&self.source, leader, keys, Position::Earliest);
            let start = start.await.map_err(CopyError::Source)?;
            let end = partitions::offsets(&self.source, leader, keys, Position::Latest);
            let end = end.await.map_err(CopyError::Source)?;
            let (Some(Ok(start)), Some(Ok(end))) =
                (start.get(&key).copied(), end.get(&key).copied())
            else {
                // The leader moved meanwhile: looked up again next round.
                self.source_leaders.remove(&key);
                continue;
            };
            if progress.source_next < start {
                progress.lost += u64::try_from(start - progress.source_next).unwrap_or(0);
                progress.source_next = start;
            } else if progress.source_next > end {
                return Err(CopyError::SourceRefused {
                    topic: key.0.clone(),
                    partition: key.1,
                    reason: format!(
                        "offset {} is past the partition's end {end}: the source lost records it had",
                        progress.source_next
                    ),
                });
            }
        }
        Ok(())
    }

    /// Checks each partition's target against its progress before copying on (a copy taken up
    /// after a restart, or after the target dropped the producer): records appended after the
    /// progress was last saved are found on the target, checked to be the source's next ones
    /// (key, value, headers and timestamp), and taken into the map, so that none is copied twice
    /// and none is skipped. The partitions whose target does not match, with why.
    pub async fn reconcile(
        &mut self,
        partitions: &mut BTreeMap<Key, Progress>,
    ) -> Result<Vec<(Key, String)>, CopyError> {
        self.find_leaders(partitions.keys()).await?;
        let mut mismatched = Vec::new();
        for (key, progress) in partitions.iter_mut() {
            let Some(&leader) = self.target_leaders.get(key) else { continue };
            let ends = partitions::offsets(
                &self.target,
                leader,
                std::slice::from_ref(key),
                partitions::Position::Latest,
            )
            .await
            .map_err(CopyError::Target)?;
            let Some(Ok(end)) = ends.get(key).copied() else { continue };
            let expected = progress.target_next();
            if end < expected {
                let why = format!(
                    "the target's end {end} is before {expected}, where the link's next copy lands: the target lost records"
                );
                mismatched.push((key.clone(), why));
            } else if end > expected
                && let Err(why) = self.take_over(key, progress, end).await?
            {
                mismatched.push((key.clone(), why));
            }
        }
        Ok(mismatched)
    }

    /// Takes the target's records from `progress`'s next copy up to `end` into the map, each
    /// checked against the source's next committed record; why not, if one is not.
    async fn take_over(
        &mut self,
        key: &Key,
        progress: &mut Progress,
        end: i64,
    ) -> Result<Result<(), String>, CopyError> {
        let (Some(&source_leader), Some(&target_leader)) =
            (self.source_leaders.get(key), self.target_leaders.get(key))
        else {
            return Ok(Err("no leader to read from".into()));
        };
        let mut on_target: VecDeque<kafka_protocol::records::Record> = VecDeque::new();
        let mut target_next = progress.target_next();
        while target_next < end {
            if on_target.is_empty() {
                let wanted =
                    [Wanted { topic: key.0.clone(), partition: key.1, offset: target_next }];
                let read =
                    self.read(&self.target, target_leader, &wanted, CopyError::Target).await?;
                on_target
                    .extend(read.into_iter().filter(|r| r.offset >= target_next && r.offset < end));
                if on_target.is_empty() {
                    return Ok(Err(format!(
                        "the target's records from {target_next} could not be read"
                    )));
                }
            }
            let wanted =
                [Wanted { topic: key.0.clone(), partition: key.1, offset: progress.source_next }];
            let from_source =
                self.read(&self.source, source_leader, &wanted, CopyError::Source).await?;
            let from_source: Vec<_> =
                from_source.into_iter().filter(|r| r.offset >= progress.source_next).collect();
            if from_source.is_empty() {
                return Ok(Err(format!(
                    "the target holds records from {target_next} the source has none for after {}",
                    progress.source_next
                )));
            }
            for original in from_source {
                let Some(copy) = on_target.pop_front() else { break };
                let same = original.key == copy.key
                    && original.value == copy.value
                    && original.headers == copy.headers
                    && original.timestamp == copy.timestamp;
                if !same {
                    return Ok(Err(format!(
                        "the target's record at {} is not the source's at {}: the target partition holds records the link did not write",
                        copy.offset, original.offset
                    )));
                }
                progress.map.record(original.offset, copy.offset).map_err(|error| {
                    CopyError::Map { topic: key.0.clone(), partition: key.1, error }
                })?;
                progress.source_next = original.offset + 1;
                progress.records += 1;
                target_next = copy.offset + 1;
                if target_next >= end {
                    break;
                }
            }
        }
        Ok(Ok(()))
    }

    /// The committed records one fetch from `broker` brings for `wanted`.
    async fn read(
        &self,
        client: &Client,
        broker: i32,
        wanted: &[Wanted],
        side: fn(ConnectionError) -> CopyError,
    ) -> Result<Vec<kafka_protocol::records::Record>, CopyError> {
        let fetched = partitions::fetch(client, broker, wanted, self.wait, self.max_bytes)
            .await
            .map_err(side)?;
        let mut records = Vec::new();
        for f in fetched {
            let refused = |reason: String| CopyError::SourceRefused {
                topic: f.topic.clone(),
                partition: f.partition,
                reason,
            };
            if f.error_code == OUT_OF_RANGE {
                let offset = wanted
                    .iter()
                    .find(|w| w.topic == f.topic && w.partition == f.partition)
                    .map_or(-1, |w| w.offset);
                return Err(refused(format!(
                    "offset {offset} is out of range: its log start moved past it (retention or \
                     DeleteRecords) before the link could check the copies made from there"
                )));
            }
            if f.error_code != 0 {
                return Err(refused(format!("Kafka error {}", f.error_code)));
            }
            for batch in f.committed.clone().map_err(refused)?.batches {
                records.extend(batch.records().map_err(refused)?);
            }
        }
        Ok(records)
    }

    /// The link's producer on the target, asked for when there is none; none while the target
    /// cannot give one yet.
    async fn producer(&mut self) -> Result<Option<Producer>, CopyError> {
        if let Some(producer) = self.producer {
            return Ok(Some(producer));
        }
        match partitions::init_producer(&self.target).await.map_err(CopyError::Target)? {
            Ok(producer) => {
                self.producer = Some(producer);
                Ok(Some(producer))
            }
            Err(code) if retriable(code) || coordinator_busy(code) => Ok(None),
            Err(code) => Err(CopyError::TargetRefused {
                topic: String::new(),
                partition: -1,
                code,
                message: Some("asking for a producer id (InitProducerId)".into()),
            }),
        }
    }

    /// Looks up the leaders of partitions whose leader is not known on either side.
    async fn find_leaders<'a>(
        &mut self,
        keys: impl Iterator<Item = &'a Key>,
    ) -> Result<(), CopyError> {
        let missing: Vec<&Key> = keys
            .filter(|k| {
                !self.source_leaders.contains_key(*k) || !self.target_leaders.contains_key(*k)
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut topics: Vec<String> = missing.iter().map(|(t, _)| t.clone()).collect();
        topics.dedup();
        let source = partitions::layouts(&self.source, &topics).await.map_err(CopyError::Source)?;
        let target = partitions::layouts(&self.target, &topics).await.map_err(CopyError::Target)?;
        for (known, layouts) in
            [(&mut self.source_leaders, source), (&mut self.target_leaders, target)]
        {
            for (topic, layout) in layouts {
                for (partition, leader) in layout.leaders {
                    if leader >= 0 {
                        known.insert((topic.clone(), partition), leader);
                    }
                }
            }
        }
        Ok(())
    }

    /// What a fetch brought for one partition, as batches to send on; none when it brought
    /// nothing to send (or the leader moved: looked up again next round).
    fn take_in(
        &mut self,
        fetched: Fetched,
        progress: &mut Progress,
        producer: Producer,
    ) -> Result<Option<Queued>, CopyError> {
        let key = (fetched.topic.clone(), fetched.partition);
        let refused = |reason: String| CopyError::SourceRefused {
            topic: fetched.topic.clone(),
            partition: fetched.partition,
            reason,
        };
        match fetched.error_code {
            0 => {}
            OUT_OF_RANGE => {
                // The answer carries no offsets with the error: where the log starts and ends is
                // looked up after the fetch.
                self.out_of_range.push(key);
                return Ok(None);
            }
            code if retriable(code) => {
                self.source_leaders.remove(&key);
                return Ok(None);
            }
            code => return Err(refused(format!("Kafka error {code}"))),
        }
        progress.source_end = fetched.last_stable_offset.max(progress.source_next);
        let committed = fetched.committed.map_err(&refused)?;
        let mut batches = VecDeque::new();
        let mut sequence = self.sequences.get(&key).copied().unwrap_or(0);
        for batch in &committed.batches {
            let outgoing = records::for_producer(batch, progress.source_next, producer, sequence)
                .map_err(&refused)?;
            let Some(outgoing) = outgoing else { continue };
            let count = i32::try_from(outgoing.sources.len()).unwrap_or(i32::MAX);
            sequence = next_sequence(sequence, count);
            batches.push_back(outgoing);
        }
        Ok(Some(Queued { batches, next_offset: committed.next_offset }))
    }

    /// Sends each partition's batches in order, one a partition a Produce request, to the
    /// target's leaders.
    async fn send(
        &mut self,
        partitions: &mut BTreeMap<Key, Progress>,
        mut queues: BTreeMap<Key, Queued>,
    ) -> Result<Round, CopyError> {
        let mut round = Round::default();
        loop {
            // Partitions with nothing (left) to send have read their fetch's range.
            queues.retain(|key, queued| {
                if queued.batches.is_empty() {
                    if let Some(progress) = partitions.get_mut(key) {
                        progress.source_next = progress.source_next.max(queued.next_offset);
                    }
                    return false;
                }
                true
            });
            if queues.is_empty() {
                return Ok(round);
            }
            let mut by_leader: BTreeMap<i32, Vec<Outgoing>> = BTreeMap::new();
            let mut unled = Vec::new();
            for (key, queued) in &queues {
                let Some(batch) = queued.batches.front() else { continue };
                match self.target_leaders.get(key) {
                    Some(&leader) => by_leader.entry(leader).or_default().push(Outgoing {
                        topic: key.0.clone(),
                        partition: key.1,
                        batch: batch.bytes.clone(),
                    }),
                    None => unled.push(key.clone()),
                }
            }
            // Without a leader now: tried again next round, from where the copy is.
            for key in unled {
                queues.remove(&key);
            }
            for (leader, outgoing) in by_leader {
                let answers =
                    partitions::produce(&self.target, leader, outgoing, self.produce_timeout)
                        .await
                        .map_err(CopyError::Target)?;
                for answer in answers {
                    let key = (answer.topic.clone(), answer.partition);
                    let (Some(queued), Some(progress)) =
                        (queues.get_mut(&key), partitions.get_mut(&key))
                    else {
                        continue;
                    };
                    match answer.error_code {
                        0 => {}
                        code if retriable(code) => {
                            self.target_leaders.remove(&key);
                            queues.remove(&key);
                            continue;
                        }
                        code if producer_lost(code) => {
                            self.reset_producer();
                            return Err(CopyError::ProducerLost(code));
                        }
                        code => {
                            return Err(CopyError::TargetRefused {
                                topic: answer.topic,
                                partition: answer.partition,
                                code,
                                message: answer.error_message,
                            });
                        }
                    }
                    let Some(sent) = queued.batches.pop_front() else { continue };
                    progress.map.record_batch(&sent.sources, answer.base_offset).map_err(
                        |error| CopyError::Map { topic: key.0.clone(), partition: key.1, error },
                    )?;
                    let count = sent.sources.len() as u64;
                    let sequence = self.sequences.entry(key.clone()).or_insert(0);
                    *sequence = next_sequence(*sequence, i32::try_from(count).unwrap_or(i32::MAX));
                    progress.source_next = progress.source_next.max(last(&sent.sources) + 1);
                    progress.records += count;
                    progress.bytes += sent.bytes.len() as u64;
                    round.records += count;
                    round.bytes += sent.bytes.len() as u64;
                    let writers = round.writers.entry(key.0.clone()).or_default();
                    *writers.entry(sent.writer).or_insert(0) += count;
                }
            }
        }
    }
}

/// A partition's batches waiting to be sent, and the offset its fetch read up to.
#[derive(Debug)]
struct Queued {
    batches: VecDeque<records::Outgoing>,
    next_offset: i64,
}

/// The sequence after `count` records from `sequence`, wrapping after `i32::MAX` to 0 as Kafka's
/// do.
fn next_sequence(sequence: i32, count: i32) -> i32 {
    if sequence > i32::MAX - count { count - (i32::MAX - sequence) - 1 } else { sequence + count }
}

fn last(sources: &Sources) -> i64 {
    match sources {
        Sources::Range { last, .. } => *last,
        Sources::List(offsets) => offsets.last().copied().unwrap_or(-1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_wrap_as_kafkas() {
        assert_eq!(next_sequence(0, 5), 5);
        assert_eq!(next_sequence(i32::MAX - 2, 2), i32::MAX);
        assert_eq!(next_sequence(i32::MAX - 2, 3), 0);
        assert_eq!(next_sequence(i32::MAX, 10), 9);
    }

    #[test]
    fn lag_is_what_is_committed_and_not_copied() {
        let mut progress = Progress::from(100);
        assert_eq!(progress.lag(), 0);
        progress.source_end = 150;
        assert_eq!(progress.lag(), 50);
        progress.source_next = 160;
        assert_eq!(progress.lag(), 0);
    }

    #[test]
    fn lag_in_bytes_is_estimated_from_the_records_copied() {
        let mut progress = Progress::from(0);
        progress.source_end = 40;
        assert_eq!(progress.lag_bytes(), None, "nothing copied: no size to go by");
        (progress.source_next, progress.records, progress.bytes) = (10, 10, 2_500);
        assert_eq!(progress.lag_bytes(), Some(30 * 250));
        progress.source_next = 40;
        assert_eq!(progress.lag_bytes(), Some(0));
        (progress.source_end, progress.records, progress.bytes) = (i64::MAX, 1, u64::MAX);
        assert_eq!(progress.lag_bytes(), Some(i64::MAX), "saturates");
    }
}
