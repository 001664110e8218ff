//! Where jobs live: a compacted topic of the cluster itself (`jobs.topic`), as Kafka Connect keeps
//! its configs and statuses, so that a restarted sidecar finds its jobs and several sidecars share
//! them. Or, for tests and tools that need no durability, this process's memory alone.
//!
//! The topic is a keyed log; the latest value of each key is what holds:
//!
//! | key | value |
//! |---|---|
//! | `job/<id>` | a job without its partitions, and how many chunks they take |
//! | `job/<id>/<n>` | chunk `n` of the job's partitions, [`CHUNK`] to a record |
//! | `control/<id>` | what the job was last asked: run, pause or cancel |
//! | `throttles` | what the throttle keeper found on brokers and topics, and what it holds |
//! | `runner` | the lease: which process runs the jobs, and its epoch (see [`Lease`]) |
//! | `link/<id>`, `linkstatus/<id>`, `linkpart/<id>/<topic>/<n>`, `promote/<id>/<topic>`, `linkproducer/<id>/<producer>/<epoch>`, `linktxn/<id>/<transactional id>` | a cluster link's records ([`crate::link::state`]), kept as JSON values |
//!
//! Every value is JSON with a format number (`"v": 1`). A job is written as one batch (its header
//! and the chunks that changed), which Kafka appends whole or not at all; a write returns once
//! this store has read it back, so what a sidecar wrote it also shows.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use adminwire_kafka::client::Client;
use adminwire_kafka::log::{self, Entry, LogError};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;
use tracing::warn;

use crate::execute::Control;
use crate::job::{Job, PartitionProgress};

/// The format of the values written.
pub const FORMAT: u32 = 1;

/// Partitions per record: about 100 bytes each, so a record stays well under Kafka's 1 MB.
pub const CHUNK: usize = 1_000;

/// The kinds of key cluster links keep their records under.
const LINK_KINDS: [&str; 11] = [
    "link",
    "linkstatus",
    "linkpart",
    "promote",
    "unpromote",
    "groupmove",
    "groupheld",
    "linkclient",
    "linkrouted",
    "linkproducer",
    "linktxn",
];

/// How long a read of the topic waits for new records.
const TAIL_WAIT: Duration = Duration::from_millis(500);

/// Why the store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the jobs topic: {0}")]
    Log(#[from] LogError),
    #[error("the jobs topic: {0}")]
    Format(String),
    #[error("the jobs topic was not read back within {0:?} of a write")]
    NotReadBack(Duration),
}

/// A job's record without its partitions.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    v: u32,
    #[serde(flatten)]
    job: Job,
    chunks: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Chunk {
    v: u32,
    partitions: Vec<PartitionProgress>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Versioned<T> {
    v: u32,
    #[serde(flatten)]
    value: T,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Asked {
    control: Control,
}

/// Who runs the jobs. A process claims the lease with the next epoch when the holder has not
/// renewed it for the lease's time, and renews it with the same epoch while it holds it. Every
/// store reads the same records in the same order and takes the same ones: a claim of a higher
/// epoch, or a renewal by the holder of the epoch it holds. So of two processes claiming at once,
/// the one whose claim Kafka appended first holds it, and every store agrees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub holder: String,
    pub epoch: u64,
}

/// What the store holds: the latest value of every key read.
#[derive(Debug, Default)]
struct Held {
    headers: BTreeMap<String, Header>,
    chunks: BTreeMap<(String, usize), Vec<PartitionProgress>>,
    controls: BTreeMap<String, Control>,
    throttles: Option<Value>,
    /// The lease as taken, and when this store last saw it claimed or renewed.
    runner: Option<(Lease, Instant)>,
    /// Cluster links' records, by key: their latest value (the format number taken off).
    links: BTreeMap<String, Value>,
}

/// The jobs of a cluster, and where they are kept.
#[derive(Debug)]
pub struct Store {
    log: Option<Log>,
    held: Mutex<Held>,
    /// The offset read up to, for writers waiting to see their write.
    read_to: watch::Sender<i64>,
}

#[derive(Debug)]
struct Log {
    client: Arc<Client>,
    topic: String,
}

impl Store {
    /// A store in this process's memory: jobs end with it.
    pub fn memory() -> Arc<Self> {
        Arc::new(Self {
            log: None,
            held: Mutex::new(Held::default()),
            read_to: watch::channel(0).0,
        })
    }

    /// The store kept in `topic` of the cluster `client` reaches (created on first use), with
    /// everything in it read; it goes on reading what others write until it is dropped.
    pub async fn open(client: Arc<Client>, topic: &str) -> Result<Arc<Self>, StoreError> {
        log::create_if_missing(&client, topic).await?;
        let store = Arc::new(Self {
            log: Some(Log { client, topic: topic.to_owned() }),
            held: Mutex::new(Held::default()),
            read_to: watch::channel(0).0,
        });
        // Everything written so far, before anyone is answered from it.
        let mut next = 0;
        loop {
            let (read, end) = store.read_once(next).await?;
            next = read;
            if next >= end {
                break;
            }
        }
        let weak = Arc::downgrade(&store);
        tokio::spawn(async move {
            let mut next = next;
            loop {
                let Some(store) = weak.upgrade() else { return };
                match store.read_once(next).await {
                    Ok((read, _)) => next = read,
                    Err(e) => {
                        warn!("reading the jobs topic failed, trying again: {e}");
                        drop(store);
                        tokio::time::sleep(TAIL_WAIT).await;
                    }
                }
            }
        });
        Ok(store)
    }

    /// Every job without its partitions, oldest first: what a look over all jobs needs, at the
    /// cost of their headers only.
    pub fn summaries(&self) -> Vec<Job> {
        let held = self.lock();
        let mut jobs: Vec<Job> = held.headers.values().map(|h| h.job.clone()).collect();
        jobs.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        jobs
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> Vec<Job> {
        let held = self.lock();
        let mut jobs: Vec<Job> = held.headers.keys().filter_map(|id| assemble(&held, id)).collect();
        jobs.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        jobs
    }

    pub fn job(&self, id: &str) -> Option<Job> {
        assemble(&self.lock(), id)
    }

    /// What `id` was last asked, if anything.
    pub fn control(&self, id: &str) -> Option<Control> {
        self.lock().controls.get(id).copied()
    }

    /// Ticks whenever the store takes in something new (its own writes too).
    pub fn changes(&self) -> watch::Receiver<i64> {
        self.read_to.subscribe()
    }

    /// The lease, and when it was last claimed or renewed as this store saw it.
    pub fn runner(&self) -> Option<(Lease, Instant)> {
        self.lock().runner.clone()
    }

    /// Claims or renews the lease; returns once this store has read it back (and so knows
    /// whether it was taken).
    pub async fn save_runner(&self, lease: &Lease) -> Result<(), StoreError> {
        let value = json(&Versioned { v: FORMAT, value: lease.clone() })?;
        self.write(&[(Bytes::from_static(b"runner"), Some(Bytes::from(value)))]).await?;
        if self.log.is_none() {
            let mut held = self.lock();
            take_lease(&mut held, lease.clone());
        }
        Ok(())
    }

    /// The throttle keeper's state, as it last wrote it.
    pub fn throttles(&self) -> Option<Value> {
        self.lock().throttles.clone()
    }

    /// The value of a cluster link's record.
    pub fn link_value(&self, key: &str) -> Option<Value> {
        self.lock().links.get(key).cloned()
    }

    /// Every cluster link's record whose key starts with `prefix`, in key order.
    pub fn link_values(&self, prefix: &str) -> Vec<(String, Value)> {
        let held = self.lock();
        let from = held
            .links
            .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded));
        from.take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Writes cluster link records as one batch (None: a tombstone, which deletes the key).
    pub async fn save_link_values(
        &self,
        records: &[(String, Option<Value>)],
    ) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut encoded = Vec::with_capacity(records.len());
        for (key, value) in records {
            let value = match value {
                Some(v) => Some(Bytes::from(json(&Versioned { v: FORMAT, value: v.clone() })?)),
                None => None,
            };
            encoded.push((Bytes::from(key.clone()), value));
        }
        self.write(&encoded).await?;
        if self.log.is_none() {
            let mut held = self.lock();
            for (key, value) in records {
                match value {
                    Some(v) => held.links.insert(key.clone(), v.clone()),
                    None => held.links.remove(key),
                };
            }
            drop(held);
            self.read_to.send_modify(|n| *n += 1);
        }
        Ok(())
    }

    /// Writes what changed of `job` against what the store holds (whoever wrote it): its header,
    /// and the chunks of partitions that differ. Nothing, if nothing did (a paused job's looks).
    pub async fn save_job(&self, job: &Job) -> Result<(), StoreError> {
        let chunks: Vec<&[PartitionProgress]> = job.partitions.chunks(CHUNK).collect();
        let header = Header { v: FORMAT, job: without_partitions(job), chunks: chunks.len() };
        let mut records = Vec::new();
        {
            let held = self.lock();
            for (n, chunk) in chunks.iter().enumerate() {
                let stored = held.chunks.get(&(job.id.clone(), n)).map(Vec::as_slice);
                if stored != Some(*chunk) {
                    let value = json(&Chunk { v: FORMAT, partitions: chunk.to_vec() })?;
                    records.push((chunk_key(&job.id, n), Some(Bytes::from(value))));
                }
            }
            let stored = held.headers.get(&job.id);
            if records.is_empty()
                && stored.is_some_and(|h| h.chunks == header.chunks && h.job == header.job)
            {
                return Ok(());
            }
        }
        records.push((Bytes::from(format!("job/{}", job.id)), Some(Bytes::from(json(&header)?))));
        self.write(&records).await?;
        if self.log.is_none() {
            let mut held = self.lock();
            // In memory, the write is the read.
            for (n, chunk) in chunks.iter().enumerate() {
                held.chunks.insert((job.id.clone(), n), chunk.to_vec());
            }
            held.headers.insert(job.id.clone(), header);
            drop(held);
            self.read_to.send_modify(|n| *n += 1);
        }
        Ok(())
    }

    /// Removes job `id`: tombstones for its header, its chunks and its control, which compaction
    /// then drops from the topic.
    pub async fn forget_job(&self, id: &str) -> Result<(), StoreError> {
        let chunks = self.lock().headers.get(id).map_or(0, |h| h.chunks);
        let mut records: Vec<(Bytes, Option<Bytes>)> =
            (0..chunks).map(|n| (chunk_key(id, n), None)).collect();
        records.push((Bytes::from(format!("control/{id}")), None));
        // The header last: a reader that sees it gone has seen the rest gone too.
        records.push((Bytes::from(format!("job/{id}")), None));
        self.write(&records).await?;
        if self.log.is_none() {
            let mut held = self.lock();
            held.headers.remove(id);
            held.chunks.retain(|(job, _), _| job != id);
            held.controls.remove(id);
            drop(held);
            self.read_to.send_modify(|n| *n += 1);
        }
        Ok(())
    }

    /// Records what `id` is asked to do.
    pub async fn save_control(&self, id: &str, control: Control) -> Result<(), StoreError> {
        let value = json(&Versioned { v: FORMAT, value: Asked { control } })?;
        self.write(&[(Bytes::from(format!("control/{id}")), Some(Bytes::from(value)))]).await?;
        if self.log.is_none() {
            self.lock().controls.insert(id.to_owned(), control);
            self.read_to.send_modify(|n| *n += 1);
        }
        Ok(())
    }

    /// Records the throttle keeper's state.
    pub async fn save_throttles(&self, state: Value) -> Result<(), StoreError> {
        let value = json(&Versioned { v: FORMAT, value: state.clone() })?;
        self.write(&[(Bytes::from_static(b"throttles"), Some(Bytes::from(value)))]).await?;
        if self.log.is_none() {
            self.lock().throttles = Some(state);
        }
        Ok(())
    }

    /// Reads everything written to the store so far, by any process, before returning, as Kafka
    /// Connect reads its config topic to the end before it takes a change: a command decided on
    /// this store's view then sees every change made before it was asked, wherever it was made.
    pub async fn catch_up(&self) -> Result<(), StoreError> {
        let Some(log) = &self.log else { return Ok(()) };
        let end = log::end_offset(&log.client, &log.topic).await?;
        let wait = Duration::from_secs(30);
        let mut read_to = self.read_to.subscribe();
        tokio::time::timeout(wait, read_to.wait_for(|at| *at >= end))
            .await
            .map_err(|_| StoreError::NotReadBack(wait))?
            .map_err(|_| StoreError::NotReadBack(wait))?;
        Ok(())
    }

    /// Appends `records` and waits until this store has read them back.
    async fn write(&self, records: &[(Bytes, Option<Bytes>)]) -> Result<(), StoreError> {
        let Some(log) = &self.log else { return Ok(()) };
        let first = log::append(&log.client, &log.topic, records).await?;
        let last = first + records.len() as i64 - 1;
        let wait = Duration::from_secs(30);
        let mut read_to = self.read_to.subscribe();
        tokio::time::timeout(wait, read_to.wait_for(|at| *at > last))
            .await
            .map_err(|_| StoreError::NotReadBack(wait))?
            .map_err(|_| StoreError::NotReadBack(wait))?;
        Ok(())
    }

    /// Reads what follows `from` once and takes it in; the offset to read from next, and the
    /// log's end then.
    async fn read_once(&self, from: i64) -> Result<(i64, i64), StoreError> {
        let Some(log) = &self.log else { return Ok((from, from)) };
        let read = log::read(&log.client, &log.topic, from, TAIL_WAIT).await?;
        {
            let mut held = self.lock();
            for entry in &read.entries {
                take_in(&mut held, entry);
            }
        }
        self.read_to.send_replace(read.next_offset);
        Ok((read.next_offset, read.high_watermark))
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One record read: the latest value of its key. A value that cannot be read (a newer format, or
/// damage) is logged and skipped, so that one bad record never stops the store.
fn take_in(held: &mut Held, entry: &Entry) {
    let key = String::from_utf8_lossy(&entry.key).into_owned();
    let value = entry.value.as_deref();
    let result = match key.split('/').collect::<Vec<_>>().as_slice() {
        ["job", id] => match value {
            Some(v) => parse::<Header>(v).map(|h| {
                held.headers.insert((*id).to_owned(), h);
            }),
            None => {
                held.headers.remove(*id);
                held.chunks.retain(|(job, _), _| job != id);
                Ok(())
            }
        },
        ["job", id, n] => match (n.parse::<usize>(), value) {
            (Ok(n), Some(v)) => parse::<Chunk>(v).map(|c| {
                held.chunks.insert(((*id).to_owned(), n), c.partitions);
            }),
            (Ok(n), None) => {
                held.chunks.remove(&((*id).to_owned(), n));
                Ok(())
            }
            (Err(e), _) => Err(e.to_string()),
        },
        ["control", id] => match value {
            Some(v) => parse::<Versioned<Asked>>(v).map(|a| {
                held.controls.insert((*id).to_owned(), a.value.control);
            }),
            None => {
                held.controls.remove(*id);
                Ok(())
            }
        },
        ["runner"] => match value {
            Some(v) => parse::<Versioned<Lease>>(v).map(|l| take_lease(held, l.value)),
            None => Ok(()),
        },
        ["throttles"] => match value {
            Some(v) => parse::<Versioned<Value>>(v).map(|t| held.throttles = Some(t.value)),
            None => {
                held.throttles = None;
                Ok(())
            }
        },
        [kind, ..] if LINK_KINDS.contains(kind) => match value {
            Some(v) => parse::<Versioned<Value>>(v).map(|r| {
                held.links.insert(key.clone(), r.value);
            }),
            None => {
                held.links.remove(&key);
                Ok(())
            }
        },
        // Keys of other kinds (a newer sidecar's) are left alone.
        _ => Ok(()),
    };
    if let Err(e) = result {
        warn!(key, offset = entry.offset, "skipping a record of the jobs topic: {e}");
    }
}

/// The lease rule (see [`Lease`]): a higher epoch's claim, or the holder's renewal.
fn take_lease(held: &mut Held, lease: Lease) {
    let taken = match &held.runner {
        None => true,
        Some((now, _)) => lease.epoch > now.epoch || *now == lease,
    };
    if taken {
        held.runner = Some((lease, Instant::now()));
    }
}

fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    match value.get("v").and_then(Value::as_u64) {
        Some(v) if v == u64::from(FORMAT) => {
            serde_json::from_value(value).map_err(|e| e.to_string())
        }
        other => Err(format!("format {other:?}, this sidecar reads {FORMAT}")),
    }
}

/// A job from its header and chunks, if every chunk has been read.
fn assemble(held: &Held, id: &str) -> Option<Job> {
    let header = held.headers.get(id)?;
    let mut job = header.job.clone();
    for n in 0..header.chunks {
        job.partitions.extend(held.chunks.get(&(id.to_owned(), n))?.iter().cloned());
    }
    Some(job)
}

fn without_partitions(job: &Job) -> Job {
    Job { partitions: Vec::new(), ..job.clone() }
}

fn chunk_key(id: &str, n: usize) -> Bytes {
    Bytes::from(format!("job/{id}/{n}"))
}

fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Format(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::PartitionState;
    use crate::plan::Move;

    fn job(partitions: usize) -> Job {
        let moves = (0..partitions)
            .map(|p| Move {
                topic: "orders".into(),
                partition: p as i32,
                before: vec![1, 2],
                after: vec![2, 3],
                size: 1_000,
            })
            .collect();
        let mut job = Job::new("ab".repeat(16), moves, Some(5_000), 42);
        job.partitions[0].state =
            PartitionState::Skipped("another reassignment is moving it".into());
        job
    }

    fn entry(offset: i64, key: &str, value: Option<String>) -> Entry {
        Entry {
            offset,
            timestamp: 0,
            key: Bytes::from(key.to_owned()),
            value: value.map(Bytes::from),
        }
    }

    #[test]
    fn a_job_is_written_as_a_header_and_chunks_and_read_back_whole() {
        let job = job(CHUNK + 1);
        let header = Header { v: FORMAT, job: without_partitions(&job), chunks: 2 };
        let chunk = |n: usize, from: usize, to: usize| {
            let c = Chunk { v: FORMAT, partitions: job.partitions[from..to].to_vec() };
            entry(n as i64, &format!("job/{}/{n}", job.id), Some(json(&c).unwrap()))
        };
        let mut held = Held::default();
        take_in(&mut held, &entry(5, &format!("job/{}", job.id), Some(json(&header).unwrap())));
        take_in(&mut held, &chunk(0, 0, CHUNK));
        assert_eq!(assemble(&held, &job.id), None, "a chunk is missing");
        take_in(&mut held, &chunk(1, CHUNK, CHUNK + 1));
        assert_eq!(assemble(&held, &job.id), Some(job.clone()));
        // The partition's state and reason are plain fields of its record.
        let text = json(&Chunk { v: FORMAT, partitions: job.partitions[..1].to_vec() }).unwrap();
        assert!(
            text.contains(r#""state":"SKIPPED","reason":"another reassignment is moving it""#),
            "{text}"
        );
        // A tombstone removes the job.
        take_in(&mut held, &entry(9, &format!("job/{}", job.id), None));
        assert_eq!(assemble(&held, &job.id), None);
        assert!(held.chunks.is_empty());
    }

    #[test]
    fn records_of_another_format_or_kind_are_skipped_not_fatal() {
        let mut held = Held::default();
        take_in(&mut held, &entry(0, "job/x", Some(r#"{"v":2,"id":"x"}"#.into())));
        take_in(&mut held, &entry(1, "job/x", Some("not json".into())));
        take_in(&mut held, &entry(2, "lease", Some(r#"{"v":1}"#.into())));
        take_in(&mut held, &entry(3, "control/x", Some(r#"{"v":1,"control":"PAUSE"}"#.into())));
        assert!(held.headers.is_empty());
        assert_eq!(held.controls.get("x"), Some(&Control::Pause));
    }

    #[tokio::test]
    async fn in_memory_a_saved_job_is_there_and_an_unchanged_one_is_not_written_again() {
        let store = Store::memory();
        let writes = store.changes();
        let mut job = job(3);
        store.save_job(&job).await.unwrap();
        assert_eq!(store.job(&job.id), Some(job.clone()));
        job.state = crate::job::JobState::Paused;
        store.save_job(&job).await.unwrap();
        assert_eq!(store.jobs(), [job.clone()]);
        assert_eq!(*writes.borrow(), 2);
        store.save_job(&job).await.unwrap();
        assert_eq!(*writes.borrow(), 2, "nothing changed, nothing written");
        assert_eq!(store.summaries()[0], Job { partitions: Vec::new(), ..job.clone() });
        store.save_control(&job.id, Control::Cancel).await.unwrap();
        assert_eq!(store.control(&job.id), Some(Control::Cancel));
    }
}
