//! One partition of a topic as a log of keyed records: where adminwire keeps its own state (jobs
//! and who runs them) in the cluster itself, in a compacted topic, as Kafka Connect keeps its
//! configs and statuses.
//!
//! Records are written with `acks=all` in uncompressed batches and read back from any offset.
//! Writes are not idempotent: a write retried after a lost answer may land twice, which a
//! compacted, keyed log takes as the same value written again.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use indexmap::IndexMap;
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    BrokerId, CreateTopicsRequest, FetchRequest, ListOffsetsRequest, MetadataRequest,
    ProduceRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

use crate::client::{Client, To};
use crate::connection::ConnectionError;

/// The partition adminwire's logs use: they have one, so that every record has one order.
pub const PARTITION: i32 = 0;

/// The most bytes one read asks for.
const MAX_READ_BYTES: i32 = 8 * 1024 * 1024;

/// How often a write or read is tried while the partition has no leader or changes leaders.
const ATTEMPTS: u32 = 10;
const BACKOFF: Duration = Duration::from_millis(200);

/// A record of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub offset: i64,
    /// When the leader appended it (the topic's timestamps are the broker's), ms since the epoch.
    pub timestamp: i64,
    pub key: Bytes,
    /// None: a tombstone, which compaction removes the key with.
    pub value: Option<Bytes>,
}

/// What a read returned: the entries from the offset asked for, and where the next read starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub entries: Vec<Entry>,
    pub next_offset: i64,
    /// The offset after the last record every in-sync replica has.
    pub high_watermark: i64,
}

/// Why the log could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Kafka(#[from] ConnectionError),
    #[error("topic {topic}: {what} failed with Kafka error {code}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Refused { topic: String, what: &'static str, code: i16, message: Option<String> },
    #[error("topic {topic}: {what}: {reason}")]
    Malformed { topic: String, what: &'static str, reason: String },
}

/// Kafka errors after which the same request, sent again once the leader is known, can succeed.
fn retriable(code: i16) -> bool {
    // UNKNOWN_TOPIC_OR_PARTITION (just created), LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER,
    // REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), KAFKA_STORAGE_ERROR,
    // FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, OFFSET_NOT_AVAILABLE.
    matches!(code, 3 | 5 | 6 | 7 | 19 | 20 | 56 | 74 | 75 | 78)
}

/// A compacted topic of one partition, replicated to min(3, brokers) brokers, its timestamps set
/// by the broker when it appends. Created if it does not exist; left as it is if it does.
pub async fn create_if_missing(client: &Client, topic: &str) -> Result<(), LogError> {
    let brokers = client.brokers().await?.len();
    let replicas = brokers.clamp(1, 3) as i16;
    let config = |name: &str, value: String| {
        CreatableTopicConfig::default()
            .with_name(StrBytes::from_string(name.to_owned()))
            .with_value(Some(StrBytes::from_string(value)))
    };
    let request = CreateTopicsRequest::default().with_timeout_ms(30_000).with_topics(vec![
        CreatableTopic::default()
            .with_name(topic_name(topic))
            .with_num_partitions(1)
            .with_replication_factor(replicas)
            .with_configs(vec![
                config("cleanup.policy", "compact".into()),
                // A write is kept once a majority of the replicas has it.
                config("min.insync.replicas", ((replicas / 2) + 1).to_string()),
                config("message.timestamp.type", "LogAppendTime".into()),
            ]),
    ]);
    let answer = client.call(To::Any, request).await?;
    for t in &answer.topics {
        // TOPIC_ALREADY_EXISTS: another sidecar made it first, or an operator did.
        if t.error_code != 0 && t.error_code != 36 {
            return Err(LogError::Refused {
                topic: topic.to_owned(),
                what: "creating the topic",
                code: t.error_code,
                message: t.error_message.as_ref().map(ToString::to_string),
            });
        }
    }
    Ok(())
}

/// Appends `records` (key, value or None for a tombstone) as one batch; the offset of the first.
pub async fn append(
    client: &Client,
    topic: &str,
    records: &[(Bytes, Option<Bytes>)],
) -> Result<i64, LogError> {
    let batch = encode(records).map_err(|reason| LogError::Malformed {
        topic: topic.to_owned(),
        what: "encoding records",
        reason,
    })?;
    let batch = &batch;
    on_leader(client, topic, "writing", |leader| async move {
        let request =
            ProduceRequest::default().with_acks(-1).with_timeout_ms(30_000).with_topic_data(vec![
                TopicProduceData::default().with_name(topic_name(topic)).with_partition_data(vec![
                    PartitionProduceData::default()
                        .with_index(PARTITION)
                        .with_records(Some(batch.clone())),
                ]),
            ]);
        let answer = match client.call(To::Broker(leader), request).await {
            Ok(answer) => answer,
            Err(e) => return broken(e),
        };
        let Some(partition) = answer.responses.iter().flat_map(|t| &t.partition_responses).next()
        else {
            return Err(malformed(topic, "writing", "the answer names no partition"));
        };
        match partition.error_code {
            0 => Ok(Step::Done(partition.base_offset)),
            code => {
                let message = partition.error_message.as_ref().map(ToString::to_string);
                refused(topic, "writing", code, message)
            }
        }
    })
    .await
}

/// The entries from `offset` on, as many as one read brings; waits up to `wait` for one to
/// arrive when there is none yet. An offset before the log's start (compacted away) reads from
/// the start.
pub async fn read(
    client: &Client,
    topic: &str,
    offset: i64,
    wait: Duration,
) -> Result<Read, LogError> {
    // Moved on to the log's start when the offset asked for was compacted away.
    // (Shared with each attempt's future, which must be Send: an atomic, not a Cell.)
    let from = AtomicI64::new(offset);
    let from = &from;
    on_leader(client, topic, "reading", |leader| async move {
        let request = FetchRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_max_wait_ms(i32::try_from(wait.as_millis()).unwrap_or(i32::MAX))
            .with_min_bytes(1)
            .with_max_bytes(MAX_READ_BYTES)
            .with_isolation_level(0)
            .with_topics(vec![
                FetchTopic::default().with_topic(topic_name(topic)).with_partitions(vec![
                    FetchPartition::default()
                        .with_partition(PARTITION)
                        .with_fetch_offset(from.load(Ordering::Relaxed))
                        .with_partition_max_bytes(MAX_READ_BYTES),
                ]),
            ]);
        let answer = match client.call(To::Broker(leader), request).await {
            Ok(answer) => answer,
            Err(e) => return broken(e),
        };
        let Some(partition) = answer.responses.iter().flat_map(|t| &t.partitions).next() else {
            return Err(malformed(topic, "reading", "the answer names no partition"));
        };
        match partition.error_code {
            0 => {}
            // OFFSET_OUT_OF_RANGE: compacted or deleted from under the offset; start at the start.
            1 if partition.log_start_offset > from.load(Ordering::Relaxed) => {
                from.store(partition.log_start_offset, Ordering::Relaxed);
                return Ok(Step::Again(malformed(topic, "reading", "the log's start moved")));
            }
            code => return refused(topic, "reading", code, None),
        }
        let records = partition.records.clone().unwrap_or_default();
        let entries = decode(records, from.load(Ordering::Relaxed))
            .map_err(|reason| malformed(topic, "reading", &reason))?;
        let next_offset = entries.last().map_or(from.load(Ordering::Relaxed), |e| e.offset + 1);
        Ok(Step::Done(Read { entries, next_offset, high_watermark: partition.high_watermark }))
    })
    .await
}

/// The offset the next record written to the log will take (its end): everything before it has
/// been written and acknowledged.
pub async fn end_offset(client: &Client, topic: &str) -> Result<i64, LogError> {
    on_leader(client, topic, "finding its end", |leader| async move {
        let request =
            ListOffsetsRequest::default().with_replica_id(BrokerId(-1)).with_topics(vec![
                ListOffsetsTopic::default().with_name(topic_name(topic)).with_partitions(vec![
                    ListOffsetsPartition::default()
                        .with_partition_index(PARTITION)
                        .with_timestamp(-1),
                ]),
            ]);
        let answer = match client.call(To::Broker(leader), request).await {
            Ok(answer) => answer,
            Err(e) => return broken(e),
        };
        let Some(partition) = answer.topics.iter().flat_map(|t| &t.partitions).next() else {
            return Err(malformed(topic, "finding its end", "the answer names no partition"));
        };
        match partition.error_code {
            0 => Ok(Step::Done(partition.offset)),
            code => refused(topic, "finding its end", code, None),
        }
    })
    .await
}

/// What one attempt on the partition's leader came to.
enum Step<T> {
    Done(T),
    /// Worth another attempt (a retriable error, a broken connection): why, should it be the last.
    Again(LogError),
}

/// Runs `attempt` on the partition's leader, up to [`ATTEMPTS`] times [`BACKOFF`] apart, while
/// the partition has no leader (it is being created, or changes leaders) or an attempt says to try
/// again; `what` names the work in the error.
async fn on_leader<T, Fut>(
    client: &Client,
    topic: &str,
    what: &'static str,
    mut attempt: impl FnMut(i32) -> Fut,
) -> Result<T, LogError>
where
    Fut: Future<Output = Result<Step<T>, LogError>>,
{
    let mut last = None;
    for n in 0..ATTEMPTS {
        if n > 0 {
            tokio::time::sleep(BACKOFF).await;
        }
        let Some(leader) = leader(client, topic).await? else { continue };
        match attempt(leader).await? {
            Step::Done(done) => return Ok(done),
            Step::Again(why) => last = Some(why),
        }
    }
    Err(last.unwrap_or_else(|| malformed(topic, what, "the partition has no leader")))
}

/// A call that failed: a broken connection (a leader stopping) is tried again, on a new
/// connection; anything else is the answer.
fn broken<T>(e: ConnectionError) -> Result<Step<T>, LogError> {
    match e {
        ConnectionError::Io(_) | ConnectionError::Connect { .. } => {
            Ok(Step::Again(LogError::Kafka(e)))
        }
        other => Err(other.into()),
    }
}

/// The partition's error `code`: tried again if it is retriable, the answer otherwise.
fn refused<T>(
    topic: &str,
    what: &'static str,
    code: i16,
    message: Option<String>,
) -> Result<Step<T>, LogError> {
    let refused = LogError::Refused { topic: topic.to_owned(), what, code, message };
    if retriable(code) { Ok(Step::Again(refused)) } else { Err(refused) }
}

/// The leader of the log's partition, if it has one now.
async fn leader(client: &Client, topic: &str) -> Result<Option<i32>, LogError> {
    let request =
        MetadataRequest::default().with_allow_auto_topic_creation(false).with_topics(Some(vec![
            MetadataRequestTopic::default().with_name(Some(topic_name(topic))),
        ]));
    let metadata = client.call(To::Any, request).await?;
    let Some(t) = metadata.topics.first() else {
        return Err(malformed(topic, "finding its leader", "no metadata for it"));
    };
    if t.error_code != 0 && !retriable(t.error_code) {
        return Err(LogError::Refused {
            topic: topic.to_owned(),
            what: "finding its leader",
            code: t.error_code,
            message: None,
        });
    }
    Ok(t.partitions
        .iter()
        .find(|p| p.partition_index == PARTITION)
        .map(|p| p.leader_id.0)
        .filter(|id| *id >= 0))
}

/// One uncompressed record batch (magic 2, no producer id) of `records` (key, value), stamped now:
/// what one Produce request carries for one partition.
pub fn encode(records: &[(Bytes, Option<Bytes>)]) -> Result<Bytes, String> {
    let records: Vec<Record> = records
        .iter()
        .enumerate()
        .map(|(i, (key, value))| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id: -1,
            producer_epoch: -1,
            timestamp_type: TimestampType::Creation,
            offset: i as i64,
            // No producer id, so the broker reads no sequence; but the encoder starts a new batch
            // where offset minus sequence changes, and a produce request takes one batch only.
            sequence: i as i32,
            timestamp: now_ms(),
            key: Some(key.clone()),
            value: value.clone(),
            headers: IndexMap::new(),
        })
        .collect();
    let mut buf = BytesMut::new();
    let options = RecordEncodeOptions { version: 2, compression: Compression::None };
    RecordBatchEncoder::encode(&mut buf, &records, &options).map_err(|e| e.to_string())?;
    Ok(buf.freeze())
}

/// The records of whole batches in `records` at or after `from`. A fetch may end in part of a
/// batch (cut at the size asked for): that part is left for the next read.
fn decode(mut records: Bytes, from: i64) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    // A batch starts with its base offset (8 bytes) and the length of the rest (4 bytes).
    while records.len() >= 12 {
        let length = i32::from_be_bytes([records[8], records[9], records[10], records[11]]);
        let Ok(length) = usize::try_from(length) else {
            return Err(format!("a batch of length {length}"));
        };
        if records.len() < 12 + length {
            break;
        }
        let mut batch = records.split_to(12 + length);
        let set = RecordBatchDecoder::decode(&mut batch).map_err(|e| e.to_string())?;
        entries.extend(
            set.records.into_iter().filter(|r| !r.control && r.offset >= from).filter_map(|r| {
                Some(Entry {
                    offset: r.offset,
                    timestamp: r.timestamp,
                    key: r.key?,
                    value: r.value,
                })
            }),
        );
    }
    Ok(entries)
}

fn malformed(topic: &str, what: &'static str, reason: &str) -> LogError {
    LogError::Malformed { topic: topic.to_owned(), what, reason: reason.to_owned() }
}

fn topic_name(name: &str) -> TopicName {
    TopicName(StrBytes::from_string(name.to_owned()))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_as_written_and_a_cut_batch_is_left_for_later() {
        let written = vec![
            (Bytes::from_static(b"job/1"), Some(Bytes::from_static(b"{\"state\":\"RUNNING\"}"))),
            (Bytes::from_static(b"job/2"), None),
        ];
        let batch = encode(&written).unwrap();
        let length = i32::from_be_bytes([batch[8], batch[9], batch[10], batch[11]]);
        assert_eq!(batch.len(), 12 + length as usize, "one batch, as a produce request takes");
        let read = decode(batch.clone(), 0).unwrap();
        let got: Vec<_> = read.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
        assert_eq!(got, written);
        assert_eq!(read.iter().map(|e| e.offset).collect::<Vec<_>>(), [0, 1]);
        // Two batches, the second cut short: only the first is read.
        let mut two = BytesMut::from(&batch[..]);
        two.extend_from_slice(&batch[..batch.len() - 3]);
        assert_eq!(decode(two.freeze(), 0).unwrap().len(), 2);
        // Offsets before the one asked for (a batch starts earlier) are left out.
        assert_eq!(decode(batch, 1).unwrap().len(), 1);
    }
}
