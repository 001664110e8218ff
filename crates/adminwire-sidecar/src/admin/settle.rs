//! Read-your-writes for new topics, partitions and configs. The controller commits a change
//! before the brokers apply it, so a client that creates or alters a topic and at once describes
//! or uses it could be shown the old state by its broker — as the draft's own shell session
//! (alter, then describe) would. CreateTopic and AlterTopic therefore answer only once the
//! client's broker shows every change they made — a new topic with its partitions, each led; a
//! grown partition count; each config set with its new value and each config deleted no longer
//! overridden — or after a short wait if it does not: the change is made either way, so a broker
//! that is slow to show it is not an error. Configs are read back with DescribeConfigs, which a
//! broker answers from the same metadata image as Metadata.
//!
//! DeleteTopic does not wait: brokers drop a deleted topic from their metadata only after
//! stopping its replicas, which made deleting 100 topics take 1.7 times as long as Kafka's own
//! Admin (scripts/bench/admin), and a topic that lingers in a listing misleads no one into
//! using it.

use std::collections::HashMap;
use std::time::Duration;

use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_configs_response::DescribeConfigsResult;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{
    DescribeConfigsRequest, MetadataRequest, MetadataResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use crate::upstream::{Transport, Upstream};

/// How long a command waits at most for its broker to show the change (milliseconds are usual).
const SETTLE_WITHIN: Duration = Duration::from_secs(5);
const POLL_EVERY: Duration = Duration::from_millis(50);

/// Waits until the client's broker shows every topic of `expected` with its number of
/// partitions, each led, for at most [`SETTLE_WITHIN`] and never past `deadline`.
pub async fn until_visible(
    expected: &[(String, usize)],
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) {
    if expected.is_empty() {
        return;
    }
    let give_up = deadline.min(Instant::now() + SETTLE_WITHIN);
    let request =
        MetadataRequest::default().with_allow_auto_topic_creation(false).with_topics(Some(
            expected
                .iter()
                .map(|(name, _)| {
                    MetadataRequestTopic::default()
                        .with_name(Some(TopicName(StrBytes::from_string(name.clone()))))
                })
                .collect(),
        ));
    while Instant::now() < give_up {
        let Ok(metadata) = upstream.call(request.clone(), give_up).await else {
            return;
        };
        if expected.iter().all(|(name, partitions)| shows(&metadata, name, *partitions)) {
            return;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// Config changes a command made to one topic: keys set, with their values, and keys deleted.
#[derive(Debug, Clone)]
pub struct ConfigChange<'a> {
    pub topic: &'a str,
    pub set: Vec<(&'a str, &'a str)>,
    pub deleted: Vec<&'a str>,
}

/// Kafka's resource type for topics, and the config source of a topic's own override.
const RESOURCE_TOPIC: i8 = 2;
const DYNAMIC_TOPIC_CONFIG: i8 = 1;

/// Waits until the client's broker shows every change of `changes` (see [`shows_configs`]), for
/// at most [`SETTLE_WITHIN`] and never past `deadline`. Only the changed keys are asked for.
pub async fn until_configs_visible(
    changes: &[ConfigChange<'_>],
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) {
    if changes.is_empty() {
        return;
    }
    let give_up = deadline.min(Instant::now() + SETTLE_WITHIN);
    let request = DescribeConfigsRequest::default().with_resources(
        changes
            .iter()
            .map(|change| {
                let keys = change.set.iter().map(|(key, _)| key).chain(&change.deleted);
                DescribeConfigsResource::default()
                    .with_resource_type(RESOURCE_TOPIC)
                    .with_resource_name(StrBytes::from_string(change.topic.to_owned()))
                    .with_configuration_keys(Some(
                        keys.map(|k| StrBytes::from_string((*k).to_owned())).collect(),
                    ))
            })
            .collect(),
    );
    while Instant::now() < give_up {
        let Ok(described) = upstream.call(request.clone(), give_up).await else {
            return;
        };
        let results: HashMap<&str, &DescribeConfigsResult> = described
            .results
            .iter()
            .filter(|r| r.resource_type == RESOURCE_TOPIC)
            .map(|r| (r.resource_name.as_str(), r))
            .collect();
        if changes.iter().all(|c| results.get(c.topic).is_some_and(|r| shows_configs(r, c))) {
            return;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// Whether a DescribeConfigs result shows `change`: each key set as the topic's own override with
/// its new value, each key deleted no longer the topic's own override (it may still show, from the
/// broker's or the default config).
fn shows_configs(result: &DescribeConfigsResult, change: &ConfigChange<'_>) -> bool {
    if result.error_code != 0 {
        return false;
    }
    let overrides: HashMap<&str, Option<&str>> = result
        .configs
        .iter()
        .filter(|c| c.config_source == DYNAMIC_TOPIC_CONFIG)
        .map(|c| (c.name.as_str(), c.value.as_ref().map(|v| v.as_str())))
        .collect();
    change.set.iter().all(|(key, value)| overrides.get(key) == Some(&Some(*value)))
        && change.deleted.iter().all(|key| !overrides.contains_key(key))
}

fn shows(metadata: &MetadataResponse, name: &str, partitions: usize) -> bool {
    metadata.topics.iter().any(|t| {
        t.name.as_ref().is_some_and(|n| n.0.as_str() == name)
            && t.error_code == 0
            && t.partitions.len() == partitions
            && t.partitions.iter().all(|p| p.leader_id.0 >= 0)
    })
}

#[cfg(test)]
mod tests {
    use kafka_protocol::messages::BrokerId;
    use kafka_protocol::messages::metadata_response::{
        MetadataResponsePartition, MetadataResponseTopic,
    };

    use super::*;

    fn metadata(error_code: i16, leaders: &[i32]) -> MetadataResponse {
        MetadataResponse::default().with_topics(vec![
            MetadataResponseTopic::default()
                .with_name(Some(TopicName(StrBytes::from_static_str("t"))))
                .with_error_code(error_code)
                .with_partitions(
                    leaders
                        .iter()
                        .enumerate()
                        .map(|(i, &l)| {
                            MetadataResponsePartition::default()
                                .with_partition_index(i as i32)
                                .with_leader_id(BrokerId(l))
                        })
                        .collect(),
                ),
        ])
    }

    fn described(configs: &[(&str, &str, i8)]) -> DescribeConfigsResult {
        use kafka_protocol::messages::describe_configs_response::DescribeConfigsResourceResult;
        DescribeConfigsResult::default()
            .with_resource_type(RESOURCE_TOPIC)
            .with_resource_name(StrBytes::from_static_str("t"))
            .with_configs(
                configs
                    .iter()
                    .map(|(name, value, source)| {
                        DescribeConfigsResourceResult::default()
                            .with_name(StrBytes::from_string((*name).to_owned()))
                            .with_value(Some(StrBytes::from_string((*value).to_owned())))
                            .with_config_source(*source)
                    })
                    .collect(),
            )
    }

    #[test]
    fn configs_show_when_set_with_their_value_and_deleted_as_no_override() {
        const DEFAULT: i8 = 5;
        const STATIC_BROKER: i8 = 4;
        let change = ConfigChange {
            topic: "t",
            set: vec![("retention.ms", "1000"), ("cleanup.policy", "compact")],
            deleted: vec!["segment.ms"],
        };
        let new = [
            ("retention.ms", "1000", DYNAMIC_TOPIC_CONFIG),
            ("cleanup.policy", "compact", DYNAMIC_TOPIC_CONFIG),
            ("segment.ms", "604800000", DEFAULT),
        ];
        assert!(shows_configs(&described(&new), &change));
        // A deleted key still shown from the broker's config is deleted from the topic.
        let mut from_broker = new;
        from_broker[2].2 = STATIC_BROKER;
        assert!(shows_configs(&described(&from_broker), &change));
        // The old value of a set key, a set key not yet an override, a deleted key still one.
        let mut old_value = new;
        old_value[0].1 = "2000";
        assert!(!shows_configs(&described(&old_value), &change));
        let mut not_override = new;
        not_override[1].2 = DEFAULT;
        assert!(!shows_configs(&described(&not_override), &change));
        let mut still_there = new;
        still_there[2].2 = DYNAMIC_TOPIC_CONFIG;
        assert!(!shows_configs(&described(&still_there), &change));
        assert!(!shows_configs(&described(&new[..1]), &change));
        assert!(!shows_configs(&described(&new).with_error_code(3), &change));
        let nothing = ConfigChange { topic: "t", set: vec![], deleted: vec![] };
        assert!(shows_configs(&described(&[]), &nothing));
    }

    #[test]
    fn a_topic_shows_its_shape_only_with_every_partition_led() {
        assert!(shows(&metadata(0, &[1, 2, 3]), "t", 3));
        assert!(!shows(&metadata(0, &[1, 2]), "t", 3));
        assert!(!shows(&metadata(0, &[1, -1, 3]), "t", 3));
        assert!(!shows(&metadata(3, &[]), "t", 3));
        assert!(!shows(&MetadataResponse::default(), "t", 3));
    }
}
