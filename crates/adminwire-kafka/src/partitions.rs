//! Any topic's partitions, read and written as a cluster link copies them: where each partition's
//! leader is, a Fetch of several partitions from one broker as a committed reader takes them
//! ([`crate::records`]), and an idempotent producer's Produce of one batch per partition.
//! One request each, no retries: the caller decides what an error means for its copy.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::describe_producers_request::TopicRequest;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    BrokerId, DescribeProducersRequest, FetchRequest, InitProducerIdRequest, ListOffsetsRequest,
    MetadataRequest, ProduceRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use crate::client::{Client, To};
use crate::connection::ConnectionError;
use crate::records::{self, Aborted, Committed, Producer};

/// Reads only what transactions committed, up to the last stable offset.
const READ_COMMITTED: i8 = 1;
const READ_UNCOMMITTED: i8 = 0;
const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;

/// A topic as the cluster's metadata has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Kafka's error for the topic (3: it does not exist), or 0.
    pub error_code: i16,
    /// Each partition's leader (-1: none now), by partition.
    pub leaders: BTreeMap<i32, i32>,
}

/// The layout of each of `topics`, by name.
pub async fn layouts(
    client: &Client,
    topics: &[String],
) -> Result<BTreeMap<String, Layout>, ConnectionError> {
    let request =
        MetadataRequest::default().with_allow_auto_topic_creation(false).with_topics(Some(
            topics
                .iter()
                .map(|t| MetadataRequestTopic::default().with_name(Some(topic_name(t))))
                .collect(),
        ));
    let metadata = client.call(To::Any, request).await?;
    Ok(metadata
        .topics
        .iter()
        .filter_map(|t| {
            let leaders = t.partitions.iter().map(|p| (p.partition_index, p.leader_id.0));
            let layout = Layout { error_code: t.error_code, leaders: leaders.collect() };
            Some((t.name.as_ref()?.to_string(), layout))
        })
        .collect())
}

/// A partition to fetch from, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// What a fetch brought for one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub topic: String,
    pub partition: i32,
    /// Kafka's error for the partition (1: the offset is out of range; 6: not the leader), or 0.
    pub error_code: i16,
    pub high_watermark: i64,
    /// The end of what committed readers may read.
    pub last_stable_offset: i64,
    pub log_start_offset: i64,
    /// The committed batches, or why the records could not be read.
    pub committed: Result<Committed, String>,
}

/// Fetches `wanted` (all led by `broker`) as a committed reader, waiting up to `wait` for data,
/// at most `max_bytes` a partition.
pub async fn fetch(
    client: &Client,
    broker: i32,
    wanted: &[Wanted],
    wait: Duration,
    max_bytes: i32,
) -> Result<Vec<Fetched>, ConnectionError> {
    let mut topics: BTreeMap<&str, Vec<FetchPartition>> = BTreeMap::new();
    for w in wanted {
        topics.entry(w.topic.as_str()).or_default().push(
            FetchPartition::default()
                .with_partition(w.partition)
                .with_fetch_offset(w.offset)
                .with_partition_max_bytes(max_bytes),
        );
    }
    let total = max_bytes.saturating_mul(i32::try_from(wanted.len()).unwrap_or(i32::MAX));
    let request = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(i32::try_from(wait.as_millis()).unwrap_or(i32::MAX))
        .with_min_bytes(1)
        .with_max_bytes(total)
        .with_isolation_level(READ_COMMITTED)
        .with_topics(
            topics
                .into_iter()
                .map(|(topic, partitions)| {
                    FetchTopic::default().with_topic(topic_name(topic)).with_partitions(partitions)
                })
                .collect(),
        );
    let answer = client.call(To::Broker(broker), request).await?;
    let mut fetched = Vec::new();
    for topic in answer.responses {
        for p in topic.partitions {
            let from = wanted
                .iter()
                .find(|w| w.topic == topic.topic.as_str() && w.partition == p.partition_index)
                .map_or(0, |w| w.offset);
            let aborted: Vec<Aborted> = (p.aborted_transactions.iter().flatten())
                .map(|a| Aborted { producer_id: a.producer_id.0, first_offset: a.first_offset })
                .collect();
            let committed = match p.error_code {
                0 => records::committed(p.records.unwrap_or_default(), from, &aborted),
                _ => Ok(Committed { batches: Vec::new(), next_offset: from }),
            };
            fetched.push(Fetched {
                topic: topic.topic.to_string(),
                partition: p.partition_index,
                error_code: p.error_code,
                high_watermark: p.high_watermark,
                last_stable_offset: p.last_stable_offset,
                log_start_offset: p.log_start_offset,
                committed,
            });
        }
    }
    Ok(fetched)
}

/// Where to look an offset up: the start, the end, or the first record at or after a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Earliest,
    Latest,
    /// Milliseconds since the Unix epoch.
    Time(i64),
}

impl Position {
    fn timestamp(self) -> i64 {
        match self {
            Self::Earliest => -2,
            Self::Latest => -1,
            Self::Time(at) => at,
        }
    }
}

/// The offset `position` comes to in each of `partitions` (all led by `broker`), as a committed
/// reader sees them: Kafka's error code for a partition that has none. A time after the last
/// record comes to the end (the last stable offset).
pub async fn offsets(
    client: &Client,
    broker: i32,
    partitions: &[(String, i32)],
    position: Position,
) -> Result<BTreeMap<(String, i32), Result<i64, i16>>, ConnectionError> {
    offsets_for(client, broker, partitions, position, READ_COMMITTED).await
}

/// Each of `partitions`' end (all led by `broker`) with every record written, committed or not:
/// the high watermark.
pub async fn high_watermarks(
    client: &Client,
    broker: i32,
    partitions: &[(String, i32)],
) -> Result<BTreeMap<(String, i32), Result<i64, i16>>, ConnectionError> {
    offsets_for(client, broker, partitions, Position::Latest, READ_UNCOMMITTED).await
}

async fn offsets_for(
    client: &Client,
    broker: i32,
    partitions: &[(String, i32)],
    position: Position,
    isolation: i8,
) -> Result<BTreeMap<(String, i32), Result<i64, i16>>, ConnectionError> {
    let mut topics: BTreeMap<&str, Vec<ListOffsetsPartition>> = BTreeMap::new();
    for (topic, partition) in partitions {
        topics.entry(topic.as_str()).or_default().push(
            ListOffsetsPartition::default()
                .with_partition_index(*partition)
                .with_timestamp(position.timestamp()),
        );
    }
    let request = ListOffsetsRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_isolation_level(isolation)
        .with_topics(
            topics
                .into_iter()
                .map(|(t, p)| {
                    ListOffsetsTopic::default().with_name(topic_name(t)).with_partitions(p)
                })
                .collect(),
        );
    let answer = client.call(To::Broker(broker), request).await?;
    let mut found = BTreeMap::new();
    let mut past_the_end = Vec::new();
    for topic in &answer.topics {
        for p in &topic.partitions {
            let key = (topic.name.to_string(), p.partition_index);
            match p.error_code {
                // No record at or after the time: the end, asked for next.
                0 if p.offset < 0 => past_the_end.push(key),
                0 => {
                    found.insert(key, Ok(p.offset));
                }
                code => {
                    found.insert(key, Err(code));
                }
            }
        }
    }
    if !past_the_end.is_empty() && position != Position::Latest {
        found.extend(
            Box::pin(offsets_for(client, broker, &past_the_end, Position::Latest, isolation))
                .await?,
        );
    }
    Ok(found)
}

/// The last sequence number each idempotent producer wrote to `topic`'s `partition` (led by
/// `broker`), with its epoch, by producer id, as the leader keeps them (DescribeProducers); or
/// Kafka's error code.
pub async fn last_sequences(
    client: &Client,
    broker: i32,
    topic: &str,
    partition: i32,
) -> Result<Result<BTreeMap<i64, (i16, i32)>, i16>, ConnectionError> {
    let request = DescribeProducersRequest::default().with_topics(vec![
        TopicRequest::default()
            .with_name(topic_name(topic))
            .with_partition_indexes(vec![partition]),
    ]);
    let answer = client.call(To::Broker(broker), request).await?;
    let found =
        answer.topics.iter().flat_map(|t| &t.partitions).find(|p| p.partition_index == partition);
    Ok(match found {
        Some(p) if p.error_code == 0 => Ok(p
            .active_producers
            .iter()
            .map(|a| {
                (a.producer_id.0, (i16::try_from(a.producer_epoch).unwrap_or(-1), a.last_sequence))
            })
            .collect()),
        Some(p) => Err(p.error_code),
        None => Err(UNKNOWN_TOPIC_OR_PARTITION),
    })
}

/// A new idempotent producer's identity, from any broker; or Kafka's error code.
pub async fn init_producer(client: &Client) -> Result<Result<Producer, i16>, ConnectionError> {
    let request = InitProducerIdRequest::default()
        .with_transactional_id(None)
        .with_transaction_timeout_ms(60_000)
        .with_producer_id(kafka_protocol::messages::ProducerId(-1))
        .with_producer_epoch(-1);
    let answer = client.call(To::Any, request).await?;
    Ok(match answer.error_code {
        0 => Ok(Producer { id: answer.producer_id.0, epoch: answer.producer_epoch }),
        code => Err(code),
    })
}

/// One partition's batch to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub topic: String,
    pub partition: i32,
    pub batch: Bytes,
}

/// How the broker took one partition's batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Produced {
    pub topic: String,
    pub partition: i32,
    /// Kafka's error, or 0.
    pub error_code: i16,
    pub error_message: Option<String>,
    /// Where the batch's first record landed.
    pub base_offset: i64,
}

/// Produces `batches` (one per partition, all led by `broker`) with `acks=all`.
pub async fn produce(
    client: &Client,
    broker: i32,
    batches: Vec<Outgoing>,
    timeout: Duration,
) -> Result<Vec<Produced>, ConnectionError> {
    let mut topics: BTreeMap<String, Vec<PartitionProduceData>> = BTreeMap::new();
    for b in batches {
        topics.entry(b.topic).or_default().push(
            PartitionProduceData::default().with_index(b.partition).with_records(Some(b.batch)),
        );
    }
    let request = ProduceRequest::default()
        .with_acks(-1)
        .with_timeout_ms(i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX))
        .with_topic_data(
            topics
                .into_iter()
                .map(|(topic, partitions)| {
                    TopicProduceData::default()
                        .with_name(topic_name(&topic))
                        .with_partition_data(partitions)
                })
                .collect(),
        );
    let answer = client.call(To::Broker(broker), request).await?;
    Ok(answer
        .responses
        .iter()
        .flat_map(|t| {
            t.partition_responses.iter().map(move |p| Produced {
                topic: t.name.to_string(),
                partition: p.index,
                error_code: p.error_code,
                error_message: p.error_message.as_ref().map(ToString::to_string),
                base_offset: p.base_offset,
            })
        })
        .collect())
}

fn topic_name(name: &str) -> TopicName {
    TopicName(StrBytes::from_string(name.to_owned()))
}
