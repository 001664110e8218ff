//! The HTTP listener: `/metrics` (Prometheus) and `/health`, the REST API and the web console.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tracing::info;
use utoipa::ToSchema;

use crate::shared::Shared;

pub async fn start(address: SocketAddr, shared: Arc<Shared>) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| anyhow::anyhow!("binding the admin endpoint {address}: {e}"))?;
    let bound = listener.local_addr()?;
    let shutdown = shared.shutdown.clone();
    let api = crate::rest::router(Arc::clone(&shared))?;
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/health", get(health))
        .with_state(shared)
        .merge(crate::console::routes())
        .merge(api);
    info!(address = %bound, "serving the REST API, the console at /ui, /metrics and /health");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
    });
    Ok(bound)
}

async fn metrics(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    if let Some(service) = shared.jobs.service() {
        // Every job's state from its header; bytes only for the jobs not ended.
        let all = service.summaries();
        let active: Vec<_> = all
            .iter()
            .filter(|j| !j.state.is_final())
            .filter_map(|j| service.describe(&j.id).ok())
            .collect();
        shared.metrics.observe_jobs(&all, &active);
        shared.metrics.observe_runner(service.is_runner(), service.took_over_after());
    }
    if let Some(links) = shared.jobs.links() {
        shared.metrics.observe_links(&links.list());
    }
    (
        [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        shared.metrics.encode(),
    )
}

/// What `/health` says.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, `cluster_unreachable` or `stopping`.
    pub status: &'static str,
    /// The brokers this sidecar fronts.
    pub brokers: Vec<FrontedBroker>,
}

/// A broker the sidecar fronts: its node id, the address clients are given for it, and whether
/// its listener is open.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrontedBroker {
    pub node_id: i32,
    pub advertised: String,
    pub listening: bool,
}

/// `GET /health`: 200 while serving and a broker of the cluster answers (ApiVersions, which every
/// listener takes before a login); 503 once stopping or when no bootstrap server answers within
/// the connect timeout. The body says which, and lists the brokers fronted.
#[utoipa::path(get, path = "/health", responses(
    (status = 200, description = "Serving, and the cluster answers", body = Health),
    (status = 503, description = "Stopping, or no bootstrap server answers", body = Health)))]
pub(crate) async fn health(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let brokers: Vec<FrontedBroker> = shared
        .registry
        .brokers()
        .into_iter()
        .map(|(node_id, b)| FrontedBroker {
            node_id,
            advertised: format!("{}:{}", b.advertised.0, b.advertised.1),
            listening: b.listening,
        })
        .collect();
    let status = if shared.shutdown.is_cancelled() {
        "stopping"
    } else if reaches_cluster(&shared).await {
        "ok"
    } else {
        "cluster_unreachable"
    };
    let code = if status == "ok" { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(Health { status, brokers }))
}

/// Whether a bootstrap server of the cluster answers ApiVersions, each tried within the connect
/// timeout.
async fn reaches_cluster(shared: &Shared) -> bool {
    for address in &shared.config.upstream.bootstrap_servers {
        let deadline = tokio::time::Instant::now() + shared.config.connect_timeout();
        let opened = adminwire_kafka::connection::Connection::open(address, None, deadline).await;
        if opened.is_ok() {
            return true;
        }
    }
    false
}
