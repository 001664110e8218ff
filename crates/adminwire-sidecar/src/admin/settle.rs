//! Read-your-writes for new topics and partitions. The controller commits a change before the
//! brokers apply it, so a client that creates or grows a topic and at once describes or uses it
//! could be shown the old state by its broker — as the draft's own shell session (alter, then
//! describe) would. CreateTopic and AlterTopic therefore answer only once the client's broker
//! shows the change, or after a short wait if it does not: the change is made either way, so a
//! broker that is slow to show it is not an error.
//!
//! DeleteTopic does not wait: brokers drop a deleted topic from their metadata only after
//! stopping its replicas, which made deleting 100 topics take 1.7 times as long as Kafka's own
//! Admin (scripts/bench/admin), and a topic that lingers in a listing misleads no one into
//! using it.

use std::time::Duration;

use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{MetadataRequest, MetadataResponse, TopicName};
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

    #[test]
    fn a_topic_shows_its_shape_only_with_every_partition_led() {
        assert!(shows(&metadata(0, &[1, 2, 3]), "t", 3));
        assert!(!shows(&metadata(0, &[1, 2]), "t", 3));
        assert!(!shows(&metadata(0, &[1, -1, 3]), "t", 3));
        assert!(!shows(&metadata(3, &[]), "t", 3));
        assert!(!shows(&MetadataResponse::default(), "t", 3));
    }
}
