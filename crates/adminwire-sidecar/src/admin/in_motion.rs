//! What an operator looks at before moving partitions: the reassignments under way now (anyone's:
//! a job's, `kafka-reassign-partitions.sh`'s) and the replication throttles set on the cluster.
//! A throttle left behind by a move that ended slows every later move through its brokers.
//!
//! Each is asked as the client: Kafka's ACLs decide (DESCRIBE on the cluster for the moves,
//! DESCRIBE_CONFIGS for the throttles).

use adminwire_jobs::throttle::{FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::{
    DescribeConfigsRequest, DescribeConfigsResponse, ListPartitionReassignmentsRequest,
    ListPartitionReassignmentsResponse,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use super::outcome;
use crate::upstream::{Transport, Upstream};

/// `DescribeConfigs` resource types.
const TOPIC: i8 = 2;
const BROKER: i8 = 4;

/// `DescribeConfigs` sources of the settings that someone set: a topic's own, one broker's own,
/// and the default of every broker.
const DYNAMIC_TOPIC_CONFIG: i8 = 1;
const DYNAMIC_BROKER_CONFIG: i8 = 2;
const DYNAMIC_DEFAULT_BROKER_CONFIG: i8 = 3;

/// The most topics one DescribeConfigs names, so that a cluster of many topics is asked in
/// requests of bounded size.
const TOPICS_PER_REQUEST: usize = 500;

/// A partition being reassigned now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moving {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<i32>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
}

/// Where a throttle is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// One broker (by id), or every broker when `None` (the cluster-wide default).
    Broker(Option<i32>),
    Topic,
}

/// A replication throttle set on the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    pub on: On,
    /// The broker's id (empty for the cluster-wide default) or the topic's name.
    pub name: String,
    pub config: &'static str,
    pub value: String,
}

/// The partitions being reassigned now, by topic and partition.
pub async fn moving(
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<Vec<Moving>, Failure> {
    let request = ListPartitionReassignmentsRequest::default().with_timeout_ms(timeout(deadline));
    let answer: ListPartitionReassignmentsResponse = upstream.call(request, deadline).await?;
    refused(answer.error_code, answer.error_message.as_ref())?;
    let mut moving: Vec<Moving> = answer
        .topics
        .into_iter()
        .flat_map(|t| {
            let topic = t.name.0.to_string();
            t.partitions.into_iter().map(move |p| Moving {
                topic: topic.clone(),
                partition: p.partition_index,
                replicas: p.replicas.into_iter().map(|b| b.0).collect(),
                adding: p.adding_replicas.into_iter().map(|b| b.0).collect(),
                removing: p.removing_replicas.into_iter().map(|b| b.0).collect(),
            })
        })
        .collect();
    moving.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(moving)
}

/// The throttled-replica lists set on `topics`. Topics the client may not see configs of, or
/// that went away meanwhile, are left out, as a listing leaves them out.
pub async fn topic_throttles(
    upstream: &mut Upstream<'_, impl Transport>,
    topics: &[String],
    deadline: Instant,
) -> Result<Vec<Throttle>, Failure> {
    let mut found = Vec::new();
    for chunk in topics.chunks(TOPICS_PER_REQUEST) {
        let resources =
            chunk.iter().map(|t| resource(TOPIC, t, &[LEADER_REPLICAS, FOLLOWER_REPLICAS]));
        let answer = describe(upstream, resources.collect(), deadline).await?;
        for result in answer.results {
            if result.error_code != 0 {
                continue;
            }
            found.extend(set_by_someone(&result.configs, &[DYNAMIC_TOPIC_CONFIG]).map(
                |(config, value)| Throttle {
                    on: On::Topic,
                    name: result.resource_name.to_string(),
                    config,
                    value,
                },
            ));
        }
    }
    Ok(found)
}

/// The throttle rates set on the broker `upstream` is connected to (`broker`, its id), and the
/// cluster-wide defaults, which any broker answers. A broker only describes its own settings, so
/// each broker is asked on a connection of its own.
pub async fn broker_throttles(
    upstream: &mut Upstream<'_, impl Transport>,
    broker: i32,
    with_defaults: bool,
    deadline: Instant,
) -> Result<Vec<Throttle>, Failure> {
    let mut resources = vec![resource(BROKER, &broker.to_string(), &[LEADER_RATE, FOLLOWER_RATE])];
    if with_defaults {
        resources.push(resource(BROKER, "", &[LEADER_RATE, FOLLOWER_RATE]));
    }
    let answer = describe(upstream, resources, deadline).await?;
    let mut found = Vec::new();
    for result in answer.results {
        refused(result.error_code, result.error_message.as_ref())?;
        let default = result.resource_name.is_empty();
        let (on, sources) = if default {
            (On::Broker(None), [DYNAMIC_DEFAULT_BROKER_CONFIG])
        } else {
            (On::Broker(Some(broker)), [DYNAMIC_BROKER_CONFIG])
        };
        found.extend(set_by_someone(&result.configs, &sources).map(|(config, value)| Throttle {
            on,
            name: result.resource_name.to_string(),
            config,
            value,
        }));
    }
    Ok(found)
}

fn resource(kind: i8, name: &str, keys: &[&'static str]) -> DescribeConfigsResource {
    DescribeConfigsResource::default()
        .with_resource_type(kind)
        .with_resource_name(StrBytes::from_string(name.to_owned()))
        .with_configuration_keys(Some(keys.iter().map(|k| StrBytes::from_static_str(k)).collect()))
}

async fn describe(
    upstream: &mut Upstream<'_, impl Transport>,
    resources: Vec<DescribeConfigsResource>,
    deadline: Instant,
) -> Result<DescribeConfigsResponse, Failure> {
    let request = DescribeConfigsRequest::default().with_resources(resources);
    Ok(upstream.call(request, deadline).await?)
}

/// The throttle settings among `configs` that come from one of `sources` and say something (an
/// empty list throttles nothing).
fn set_by_someone<'a>(
    configs: &'a [kafka_protocol::messages::describe_configs_response::DescribeConfigsResourceResult],
    sources: &'a [i8],
) -> impl Iterator<Item = (&'static str, String)> + 'a {
    configs.iter().filter_map(move |c| {
        let config = [LEADER_RATE, FOLLOWER_RATE, LEADER_REPLICAS, FOLLOWER_REPLICAS]
            .into_iter()
            .find(|k| c.name.as_str() == *k)?;
        let value = c.value.as_ref()?.to_string();
        (sources.contains(&c.config_source) && !value.trim().is_empty()).then_some((config, value))
    })
}

fn refused(code: i16, message: Option<&StrBytes>) -> Result<(), Failure> {
    if code == 0 {
        return Ok(());
    }
    let failed = outcome::from_kafka("", code, message.map(|m| m.as_str()));
    Err(Failure(failed.code, failed.message.unwrap_or_default()))
}

/// The time Kafka may take, in milliseconds: what is left of the deadline.
fn timeout(deadline: Instant) -> i32 {
    let left = deadline.saturating_duration_since(Instant::now()).as_millis();
    i32::try_from(left).unwrap_or(i32::MAX).max(1)
}
