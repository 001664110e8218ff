//! Which broker is "the controller" of KIP-4's model, and, when the operator asks for that model
//! (`listen.require_controller`), admin commands only on its listener: elsewhere they answer 1001
//! NotControllerReceivedAdminRequest naming where it is. ClusterMetadata, which clients use to find
//! it, reports the same broker and is answered on every listener.
//!
//! In KRaft, Metadata's `controller_id` is a random live broker, different from one request to the
//! next, so it cannot anchor that rule. The controller here is the metadata quorum's leader (from
//! DescribeQuorum) when it is one of the brokers, as in combined mode; otherwise, or when the
//! client may not describe the quorum, the broker with the lowest id.

use adminwire_protocol::ErrorCode;
use kafka_protocol::messages::describe_quorum_request::{PartitionData, TopicData};
use kafka_protocol::messages::{
    DescribeQuorumRequest, DescribeQuorumResponse, MetadataRequest, MetadataResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::Failure;
use crate::registry::Target;
use crate::rewrite::Advertise;
use crate::upstream::{Transport, Upstream};

/// The cluster's brokers (Metadata, no topics) and the node id this module calls the controller.
pub async fn find(
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<(MetadataResponse, Option<i32>), Failure> {
    let metadata: MetadataResponse =
        upstream.call(MetadataRequest::default().with_topics(Some(Vec::new())), deadline).await?;
    let quorum = DescribeQuorumRequest::default().with_topics(vec![
        TopicData::default()
            .with_topic_name(TopicName(StrBytes::from_static_str("__cluster_metadata")))
            .with_partitions(vec![PartitionData::default().with_partition_index(0)]),
    ]);
    let described: DescribeQuorumResponse = upstream.call(quorum, deadline).await?;
    let leader = described
        .topics
        .first()
        .and_then(|t| t.partitions.first())
        .filter(|p| described.error_code == 0 && p.error_code == 0)
        .map(|p| p.leader_id.0)
        .filter(|leader| metadata.brokers.iter().any(|b| b.node_id.0 == *leader));
    let controller = leader.or_else(|| metadata.brokers.iter().map(|b| b.node_id.0).min());
    Ok((metadata, controller))
}

/// `Ok` if this connection's listener fronts the controller (or nothing is required).
pub async fn require(
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<(), Failure> {
    if !upstream.config.listen.require_controller {
        return Ok(());
    }
    let (metadata, controller) = find(upstream, deadline).await?;
    let Some(controller) = controller else {
        return Err(Failure(
            ErrorCode::NOT_CONTROLLER_RECEIVED_ADMIN_REQUEST,
            "the cluster reports no brokers".into(),
        ));
    };
    if upstream.target == Target::Broker(controller) {
        return Ok(());
    }
    let address = metadata
        .brokers
        .iter()
        .find(|b| b.node_id.0 == controller)
        .and_then(|b| upstream.registry.advertise(controller, &b.host, b.port))
        .map(|(host, port)| format!(" at {host}:{port}"))
        .unwrap_or_default();
    Err(Failure(
        ErrorCode::NOT_CONTROLLER_RECEIVED_ADMIN_REQUEST,
        format!(
            "this listener fronts {}; admin requests go to the controller, broker {controller}{address}",
            upstream.target
        ),
    ))
}
