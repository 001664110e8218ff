//! A transactional producer's requests to a cluster's transaction coordinator, as transactions of
//! version 1 run them: each partition added with AddPartitionsToTxn before it is written, and the
//! transaction ended with EndTxn (up to v4, which keeps the producer's epoch). The sidecar runs
//! the transactions a producer writes to mirror topics so, on the link's source.

use kafka_protocol::messages::add_partitions_to_txn_request::AddPartitionsToTxnTopic;
use kafka_protocol::messages::{
    AddPartitionsToTxnRequest, EndTxnRequest, InitProducerIdRequest, ProducerId, TopicName,
    TransactionalId,
};
use kafka_protocol::protocol::StrBytes;

use crate::client::{Client, To};
use crate::connection::ConnectionError;
use crate::groups::find_coordinator;
use crate::records::Producer;

/// FindCoordinator's key type for a transactional id.
const TRANSACTION: i8 = 1;

fn transactional_id(id: &str) -> TransactionalId {
    TransactionalId(StrBytes::from_string(id.to_owned()))
}

/// The broker coordinating `transactional_id`'s transactions, or Kafka's error code.
pub async fn coordinator(
    client: &Client,
    transactional_id: &str,
) -> Result<Result<i32, i16>, ConnectionError> {
    find_coordinator(client, TRANSACTION, transactional_id).await
}

/// The producer of `id` from now on, at a new epoch: whatever transaction an earlier one left
/// open is aborted, and that one is fenced. Or Kafka's error code.
pub async fn init(
    client: &Client,
    coordinator: i32,
    id: &str,
    timeout_ms: i32,
) -> Result<Result<Producer, i16>, ConnectionError> {
    let request = InitProducerIdRequest::default()
        .with_transactional_id(Some(transactional_id(id)))
        .with_transaction_timeout_ms(timeout_ms)
        .with_producer_id(ProducerId(-1))
        .with_producer_epoch(-1);
    let answer = client.call(To::Broker(coordinator), request).await?;
    Ok(match answer.error_code {
        0 => Ok(Producer { id: answer.producer_id.0, epoch: answer.producer_epoch }),
        code => Err(code),
    })
}

/// Adds `partitions` (by topic) to `producer`'s open transaction of `id`; Kafka's code for each
/// partition, by topic and partition.
pub async fn add_partitions(
    client: &Client,
    coordinator: i32,
    id: &str,
    producer: Producer,
    partitions: &[(String, Vec<i32>)],
) -> Result<Vec<(String, i32, i16)>, ConnectionError> {
    let topics = partitions
        .iter()
        .map(|(topic, partitions)| {
            AddPartitionsToTxnTopic::default()
                .with_name(TopicName(StrBytes::from_string(topic.clone())))
                .with_partitions(partitions.clone())
        })
        .collect();
    let request = AddPartitionsToTxnRequest::default()
        .with_v3_and_below_transactional_id(transactional_id(id))
        .with_v3_and_below_producer_id(ProducerId(producer.id))
        .with_v3_and_below_producer_epoch(producer.epoch)
        .with_v3_and_below_topics(topics);
    let answer = client.call(To::Broker(coordinator), request).await?;
    let mut codes = Vec::new();
    for topic in answer.results_by_topic_v3_and_below {
        for partition in topic.results_by_partition {
            codes.push((
                topic.name.to_string(),
                partition.partition_index,
                partition.partition_error_code,
            ));
        }
    }
    // An error for the whole request (a newer broker's way) stands for every partition.
    if answer.error_code != 0 {
        codes = partitions
            .iter()
            .flat_map(|(t, ps)| ps.iter().map(move |p| (t.clone(), *p, answer.error_code)))
            .collect();
    }
    Ok(codes)
}

/// Ends `producer`'s transaction of `id`: committed, or aborted. Kafka's code (0: done, or done
/// already the same way).
pub async fn end(
    client: &Client,
    coordinator: i32,
    id: &str,
    producer: Producer,
    committed: bool,
) -> Result<i16, ConnectionError> {
    let request = EndTxnRequest::default()
        .with_transactional_id(transactional_id(id))
        .with_producer_id(ProducerId(producer.id))
        .with_producer_epoch(producer.epoch)
        .with_committed(committed);
    Ok(client.call(To::Broker(coordinator), request).await?.error_code)
}
