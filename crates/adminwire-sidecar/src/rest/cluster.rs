//! The cluster: `GET /` (as Connect's root: version, commit, the Kafka cluster's id),
//! `GET /cluster` (controller and counts) and `GET /brokers` (each broker's address, rack, role,
//! and the partitions and leaders it holds).

use std::collections::BTreeMap;

use adminwire_protocol::generated::cluster_metadata_response::ClusterMetadataResponse;
use adminwire_protocol::{AdminResponse, ClusterMetadataRequest};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::topics::{describe_all, names, unexpected};
use super::{Caller, Rest, check};

pub fn routes() -> Router<Rest> {
    Router::new()
        .route("/", get(root))
        .route("/cluster", get(cluster))
        .route("/brokers", get(brokers))
}

/// What `GET /` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Root {
    /// adminwire's version.
    pub version: &'static str,
    /// The commit it was built from (`unknown` outside a git checkout).
    pub commit: &'static str,
    /// The id of the Kafka cluster fronted.
    pub kafka_cluster_id: Option<String>,
}

/// What `GET /cluster` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cluster {
    pub kafka_cluster_id: Option<String>,
    /// The broker serving as KIP-4's controller (docs/operations.md), if known.
    pub controller: Option<i32>,
    pub brokers: usize,
    /// Topics and partitions the caller may describe.
    pub topics: usize,
    pub partitions: usize,
    /// Partitions with fewer in-sync replicas than replicas.
    pub under_replicated_partitions: usize,
    /// Partitions without a leader.
    pub offline_partitions: usize,
}

/// One broker, as clients reach it through the sidecar.
#[derive(Debug, Serialize, ToSchema)]
pub struct Broker {
    pub id: i32,
    pub host: String,
    pub port: i32,
    pub rack: Option<String>,
    /// `controller` for KIP-4's controller, else `broker`.
    pub role: &'static str,
    /// Replicas it holds, of the partitions the caller may describe.
    pub partitions: usize,
    /// Partitions it leads, of those.
    pub leaders: usize,
}

/// `GET /`.
#[utoipa::path(get, path = "/", responses((status = 200, body = Root), super::error::Errors))]
pub async fn root(State(rest): State<Rest>, headers: HeaderMap) -> Result<Json<Root>, ApiError> {
    rest.run(&headers, |mut caller| async move {
        let metadata = metadata(&mut caller).await?;
        Ok(Json(Root {
            version: env!("CARGO_PKG_VERSION"),
            commit: env!("ADMINWIRE_COMMIT"),
            kafka_cluster_id: metadata.cluster_id,
        }))
    })
    .await
}

/// `GET /cluster`.
#[utoipa::path(get, path = "/cluster", responses((status = 200, body = Cluster), super::error::Errors))]
pub async fn cluster(
    State(rest): State<Rest>,
    headers: HeaderMap,
) -> Result<Json<Cluster>, ApiError> {
    rest.run(&headers, |mut caller| async move {
        let metadata = metadata(&mut caller).await?;
        let names = names(&mut caller).await?;
        let topics = describe_all(&mut caller, &names).await?;
        let partitions = topics.iter().flat_map(|t| &t.topic_partition_details);
        let (mut count, mut under, mut offline) = (0, 0, 0);
        for p in partitions {
            count += 1;
            under += usize::from(p.isr.len() < p.replicas.len());
            offline += usize::from(p.leader < 0);
        }
        Ok(Json(Cluster {
            kafka_cluster_id: metadata.cluster_id,
            controller: metadata.controller.map(|c| c.node_id),
            brokers: metadata.brokers.len(),
            topics: topics.len(),
            partitions: count,
            under_replicated_partitions: under,
            offline_partitions: offline,
        }))
    })
    .await
}

/// `GET /brokers`, by id.
#[utoipa::path(get, path = "/brokers", responses((status = 200, body = [Broker]), super::error::Errors))]
pub async fn brokers(
    State(rest): State<Rest>,
    headers: HeaderMap,
) -> Result<Json<Vec<Broker>>, ApiError> {
    rest.run(&headers, |mut caller| async move {
        let metadata = metadata(&mut caller).await?;
        let names = names(&mut caller).await?;
        let topics = describe_all(&mut caller, &names).await?;
        let mut held: BTreeMap<i32, (usize, usize)> = BTreeMap::new();
        for p in topics.iter().flat_map(|t| &t.topic_partition_details) {
            for replica in &p.replicas {
                held.entry(*replica).or_default().0 += 1;
            }
            if p.leader >= 0 {
                held.entry(p.leader).or_default().1 += 1;
            }
        }
        let controller = metadata.controller.as_ref().map(|c| c.node_id);
        let mut brokers: Vec<Broker> = metadata
            .brokers
            .into_iter()
            .map(|b| {
                let (partitions, leaders) = held.get(&b.node_id).copied().unwrap_or_default();
                Broker {
                    id: b.node_id,
                    role: if Some(b.node_id) == controller { "controller" } else { "broker" },
                    host: b.host,
                    port: b.port,
                    rack: b.rack,
                    partitions,
                    leaders,
                }
            })
            .collect();
        brokers.sort_by_key(|b| b.id);
        Ok(Json(brokers))
    })
    .await
}

async fn metadata(caller: &mut Caller) -> Result<ClusterMetadataResponse, ApiError> {
    match caller.execute(ClusterMetadataRequest::default()).await {
        AdminResponse::ClusterMetadata(r) => {
            check(r.error_code, r.error_message.as_deref())?;
            Ok(r)
        }
        other => Err(unexpected(&other)),
    }
}
