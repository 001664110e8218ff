//! The few requests the sidecar sends on its own behalf: asking the cluster for its brokers.
//! Admin requests of clients never go this way; they run on the client's own connection.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::MetadataRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::registry::Target;
use crate::shared::Shared;
use adminwire_kafka::call;

/// The brokers (node id, host, port) as a bootstrap server reports them.
pub async fn fetch_brokers(shared: &Arc<Shared>) -> anyhow::Result<Vec<(i32, String, i32)>> {
    let mut stream = shared
        .connector
        .connect(Target::Bootstrap, &shared.config, &shared.registry, &shared.metrics)
        .await?;
    let ask = async {
        let versions = exchange(&mut stream, call::encode_api_versions(None)?, shared).await?;
        let versions = call::decode_api_versions(&versions)?;
        let version = versions.pick::<MetadataRequest>()?;
        // No topics: only the brokers are wanted.
        let body = MetadataRequest::default().with_topics(Some(Vec::new()));
        let frame = call::encode(&body, version, 1, None)?;
        let frame = exchange(&mut stream, frame, shared).await?;
        call::decode::<MetadataRequest>(&frame, version)
    };
    let response = tokio::time::timeout(shared.config.connect_timeout() * 2, ask).await??;
    Ok(response.brokers.into_iter().map(|b| (b.node_id.0, b.host.to_string(), b.port)).collect())
}

/// Sends one request frame and reads its response frame, size prefix included.
async fn exchange(
    stream: &mut TcpStream,
    request: BytesMut,
    shared: &Shared,
) -> anyhow::Result<Bytes> {
    stream.write_all(&request).await?;
    let size = stream.read_i32().await?;
    let size = usize::try_from(size).ok().filter(|s| *s <= shared.frames.max_frame_size());
    let size = size.ok_or_else(|| anyhow::anyhow!("bad response size"))?;
    let mut frame = vec![0; 4 + size];
    frame[..4].copy_from_slice(&(size as i32).to_be_bytes());
    stream.read_exact(&mut frame[4..]).await?;
    Ok(Bytes::from(frame))
}
