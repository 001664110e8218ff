//! The few requests the sidecar sends on its own behalf: asking the cluster for its brokers.
//! Admin requests of clients never go this way; they run on the client's own connection.

use std::sync::Arc;

use kafka_protocol::messages::{ApiKey, MetadataRequest, MetadataResponse, ResponseHeader};
use kafka_protocol::protocol::Decodable;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::kafka_frame;
use crate::server::{Shared, Target};

const METADATA_VERSION: i16 = 12;

/// The brokers (node id, host, port) as a bootstrap server reports them.
pub async fn fetch_brokers(shared: &Arc<Shared>) -> anyhow::Result<Vec<(i32, String, i32)>> {
    let mut stream = shared.connect_upstream(Target::Bootstrap).await?;
    // No topics: only the brokers are wanted.
    let body = MetadataRequest::default().with_topics(Some(Vec::new()));
    let out = kafka_frame::request(ApiKey::Metadata, METADATA_VERSION, 1, &body)?;

    let exchange = async {
        stream.write_all(&out).await?;
        let size = stream.read_i32().await?;
        let size = usize::try_from(size).ok().filter(|s| *s <= shared.frames.max_frame_size());
        let size = size.ok_or_else(|| anyhow::anyhow!("bad Metadata response size"))?;
        let mut frame = vec![0; size];
        stream.read_exact(&mut frame).await?;
        anyhow::Ok(frame)
    };
    let frame = tokio::time::timeout(shared.config.connect_timeout() * 2, exchange).await??;
    let mut input = bytes::Bytes::from(frame);
    ResponseHeader::decode(&mut input, ApiKey::Metadata.response_header_version(METADATA_VERSION))?;
    let response = MetadataResponse::decode(&mut input, METADATA_VERSION)?;
    Ok(response.brokers.into_iter().map(|b| (b.node_id.0, b.host.to_string(), b.port)).collect())
}
