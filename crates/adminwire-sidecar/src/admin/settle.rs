//! Read-your-writes for topic changes. The controller commits a change before the brokers apply
//! it, so a client that creates, grows or deletes a topic and at once describes it could be shown
//! the old state by its broker — as the draft's own shell session (alter, then describe) would.
//! A command that changed topics therefore answers only once the client's broker shows the
//! change, or after a short wait if it does not: the change is made either way, so a broker that
//! is slow to show it is not an error.

use std::time::Duration;

use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{ApiKey, MetadataRequest, MetadataResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use crate::proxy::Upstream;

/// How long a command waits at most for its broker to show the change (milliseconds are usual).
const SETTLE_WITHIN: Duration = Duration::from_secs(5);
const POLL_EVERY: Duration = Duration::from_millis(50);

/// What a changed topic looks like once the broker has applied the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// It exists with this many partitions, each with a leader.
    Partitions(usize),
    /// It is gone.
    Absent,
}

/// Waits until the client's broker shows every topic in `expected` in its shape, for at most
/// [`SETTLE_WITHIN`] and never past `deadline`.
pub async fn until_visible(
    expected: &[(String, Shape)],
    upstream: &mut Upstream<'_>,
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
        let Ok(metadata) =
            upstream.call::<_, MetadataResponse>(ApiKey::Metadata, 12, &request, give_up).await
        else {
            return;
        };
        if expected.iter().all(|(name, shape)| shows(&metadata, name, *shape)) {
            return;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

fn shows(metadata: &MetadataResponse, name: &str, shape: Shape) -> bool {
    let topic =
        metadata.topics.iter().find(|t| t.name.as_ref().is_some_and(|n| n.0.as_str() == name));
    match (shape, topic) {
        (Shape::Absent, None) => true,
        (Shape::Absent, Some(t)) => t.error_code == 3,
        (Shape::Partitions(_), None) => false,
        (Shape::Partitions(count), Some(t)) => {
            t.error_code == 0
                && t.partitions.len() == count
                && t.partitions.iter().all(|p| p.leader_id.0 >= 0)
        }
    }
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
        assert!(shows(&metadata(0, &[1, 2, 3]), "t", Shape::Partitions(3)));
        assert!(!shows(&metadata(0, &[1, 2]), "t", Shape::Partitions(3)));
        assert!(!shows(&metadata(0, &[1, -1, 3]), "t", Shape::Partitions(3)));
        assert!(!shows(&metadata(3, &[]), "t", Shape::Partitions(3)));
        assert!(shows(&metadata(3, &[]), "t", Shape::Absent));
        assert!(!shows(&metadata(0, &[1]), "t", Shape::Absent));
        assert!(shows(&MetadataResponse::default(), "t", Shape::Absent));
    }
}
