//! ClusterMetadata → Kafka's Metadata (no topics) and DescribeQuorum: the brokers, as the sidecar
//! advertises them, and the controller (see `controller`).

use adminwire_protocol::ClusterMetadataResponse;
use adminwire_protocol::generated::cluster_metadata_response::Broker;
use tokio::time::Instant;

use super::Failure;
use crate::rewrite::Advertise;
use crate::upstream::{Transport, Upstream};

pub async fn run(
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<ClusterMetadataResponse, Failure> {
    let (metadata, controller) = super::controller::find(upstream, deadline).await?;
    let advertiser = upstream.registry;
    let mut brokers = Vec::with_capacity(metadata.brokers.len());
    for b in &metadata.brokers {
        let node_id = b.node_id.0;
        let (host, port) = advertiser.advertise(node_id, &b.host, b.port).ok_or_else(|| {
            Failure(
                adminwire_protocol::ErrorCode::UNKNOWN_SERVER_ERROR,
                format!("broker {node_id} cannot be fronted: no listener port for it"),
            )
        })?;
        let rack = if version >= 1 { b.rack.as_ref().map(|r| r.to_string()) } else { None };
        brokers.push(Broker { node_id, host, port, rack, ..Default::default() });
    }
    brokers.sort_by_key(|b| b.node_id);
    let controller = brokers.iter().find(|b| Some(b.node_id) == controller).cloned();
    Ok(ClusterMetadataResponse {
        brokers,
        controller,
        cluster_id: if version >= 1 { metadata.cluster_id.map(|c| c.to_string()) } else { None },
        ..Default::default()
    })
}
