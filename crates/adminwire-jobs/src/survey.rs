//! What the cluster holds now, as the planner takes it: brokers with their racks, and the named
//! topics' partitions with their replicas and sizes (each partition's largest replica log, read
//! from every broker with DescribeLogDirs).

use std::collections::{BTreeMap, BTreeSet};

use adminwire_kafka::client::{Client, To};
use adminwire_kafka::connection::ConnectionError;
use kafka_protocol::messages::describe_log_dirs_request::DescribableLogDirTopic;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{
    DescribeLogDirsRequest, ListPartitionReassignmentsRequest, MetadataRequest, MetadataResponse,
    TopicName,
};
use kafka_protocol::protocol::StrBytes;

use crate::plan::{Broker, Cluster, Partition};

/// The cluster's metadata for `topics` (each named once).
pub async fn metadata<'a>(
    client: &Client,
    topics: impl IntoIterator<Item = &'a str>,
) -> Result<MetadataResponse, ConnectionError> {
    let names: BTreeSet<&str> = topics.into_iter().collect();
    let request = MetadataRequest::default().with_topics(Some(
        names
            .iter()
            .map(|n| {
                MetadataRequestTopic::default()
                    .with_name(Some(TopicName(StrBytes::from_string((*n).to_owned()))))
            })
            .collect(),
    ));
    client.call(To::Any, request).await
}

/// The partitions the cluster is reassigning now, by anyone, as (topic, partition).
pub async fn reassigning(client: &Client) -> Result<BTreeSet<(String, i32)>, ConnectionError> {
    let request = ListPartitionReassignmentsRequest::default().with_timeout_ms(30_000);
    let listed = client.call(To::Any, request).await?;
    Ok(listed
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(move |p| (t.name.to_string(), p.partition_index)))
        .collect())
}

/// The cluster's brokers and `topics` (those that exist; the planner names the missing ones).
pub async fn survey(client: &Client, topics: &[String]) -> Result<Cluster, ConnectionError> {
    let metadata = metadata(client, topics.iter().map(String::as_str)).await?;
    let brokers: Vec<Broker> = metadata
        .brokers
        .iter()
        .map(|b| Broker { id: b.node_id.0, rack: b.rack.as_ref().map(ToString::to_string) })
        .collect();
    let mut cluster = Cluster { brokers, topics: BTreeMap::new() };
    for topic in &metadata.topics {
        let Some(name) = &topic.name else { continue };
        if topic.error_code != 0 {
            continue;
        }
        let mut partitions: Vec<Partition> = topic
            .partitions
            .iter()
            .map(|p| Partition {
                partition: p.partition_index,
                replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
                size: 0,
            })
            .collect();
        partitions.sort_by_key(|p| p.partition);
        cluster.topics.insert(name.to_string(), partitions);
    }
    if cluster.topics.is_empty() {
        return Ok(cluster);
    }
    let ask: Vec<DescribableLogDirTopic> = cluster
        .topics
        .iter()
        .map(|(name, partitions)| {
            DescribableLogDirTopic::default()
                .with_topic(TopicName(StrBytes::from_string(name.clone())))
                .with_partitions(partitions.iter().map(|p| p.partition).collect())
        })
        .collect();
    let mut sizes: BTreeMap<(String, i32), u64> = BTreeMap::new();
    for broker in cluster.brokers.iter().map(|b| b.id).collect::<Vec<_>>() {
        let dirs = client
            .call(
                To::Broker(broker),
                DescribeLogDirsRequest::default().with_topics(Some(ask.clone())),
            )
            .await?;
        for dir in &dirs.results {
            for topic in &dir.topics {
                for p in &topic.partitions {
                    let size =
                        sizes.entry((topic.name.to_string(), p.partition_index)).or_default();
                    *size = (*size).max(u64::try_from(p.partition_size).unwrap_or(0));
                }
            }
        }
    }
    for (name, partitions) in &mut cluster.topics {
        for p in partitions {
            p.size = sizes.get(&(name.clone(), p.partition)).copied().unwrap_or(0);
        }
    }
    Ok(cluster)
}
