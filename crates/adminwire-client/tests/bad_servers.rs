//! The client against servers that misbehave in ways the real sidecar does not: silent, slow,
//! truncated, oversized or out-of-step answers. Each is a scripted TCP peer; the client must end
//! every such exchange with a typed error, never a panic or a hang.

use std::time::Duration;

use adminwire_client::{AdminClient, AdminClientConfig, Error};
use adminwire_protocol::generated::cluster_metadata_response::Broker;
use adminwire_protocol::{AdminResponse, ClusterMetadataResponse, encode_response};
use bytes::BytesMut;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiVersionsResponse, ResponseHeader};
use kafka_protocol::protocol::Encodable;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A server that answers ApiVersions as a sidecar would (or with `api_versions` bytes, if
/// given), then answers the next request with `answer` (nothing at all for `None`), and keeps the
/// connection open until the client closes it.
async fn scripted_server(
    api_versions: Option<Vec<u8>>,
    answer: impl Fn(i32) -> Option<Vec<u8>> + Send + Sync + 'static,
) -> String {
    let answer = std::sync::Arc::new(answer);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (api_versions, answer) = (api_versions.clone(), answer.clone());
            tokio::spawn(async move {
                let Ok(correlation_id) = read_request(&mut stream).await else { return };
                let greeting = api_versions.unwrap_or_else(|| sidecar_api_versions(correlation_id));
                if stream.write_all(&greeting).await.is_err() {
                    return;
                }
                let Ok(correlation_id) = read_request(&mut stream).await else { return };
                if let Some(bytes) = answer(correlation_id) {
                    let _ = stream.write_all(&bytes).await;
                }
                // Hold the connection until the client goes away.
                let mut rest = Vec::new();
                let _ = stream.read_to_end(&mut rest).await;
            });
        }
    });
    address
}

/// Reads one request frame; its correlation id.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<i32> {
    let size = stream.read_i32().await?;
    let mut frame = vec![0; size as usize];
    stream.read_exact(&mut frame).await?;
    Ok(i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]))
}

/// ApiVersions v3 offering Kafka's ApiVersions and the extension's keys, versions 0-1.
fn sidecar_api_versions(correlation_id: i32) -> Vec<u8> {
    let mut keys = vec![ApiVersion::default().with_api_key(18).with_max_version(4)];
    keys.extend(
        (30000..=30009).map(|key| ApiVersion::default().with_api_key(key).with_max_version(1)),
    );
    let mut body = BytesMut::new();
    ResponseHeader::default().with_correlation_id(correlation_id).encode(&mut body, 0).unwrap();
    ApiVersionsResponse::default().with_api_keys(keys).encode(&mut body, 3).unwrap();
    framed(&body)
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut frame = (payload.len() as i32).to_be_bytes().to_vec();
    frame.extend_from_slice(payload);
    frame
}

/// A valid ClusterMetadata v1 response.
fn cluster_metadata(correlation_id: i32) -> Vec<u8> {
    let broker = Broker { node_id: 1, host: "localhost".into(), port: 9092, ..Default::default() };
    let response = ClusterMetadataResponse {
        brokers: vec![broker.clone()],
        controller: Some(broker),
        cluster_id: Some("test-cluster".into()),
        ..Default::default()
    };
    let mut frame = BytesMut::new();
    encode_response(&AdminResponse::ClusterMetadata(response), 1, correlation_id, &mut frame)
        .unwrap();
    frame.to_vec()
}

fn config(address: &str) -> AdminClientConfig {
    AdminClientConfig::new([address])
        .retries(0)
        .connect_timeout(Duration::from_millis(500))
        .request_timeout(Duration::from_millis(500))
}

#[tokio::test]
async fn the_scripted_server_is_understood_when_it_answers_properly() {
    let address = scripted_server(None, |id| Some(cluster_metadata(id))).await;
    let client = AdminClient::connect(config(&address)).await.unwrap();
    let metadata = client.cluster_metadata().await.unwrap();
    assert_eq!(metadata.controller.unwrap().address(), "localhost:9092");
}

#[tokio::test]
async fn a_server_that_never_answers_api_versions_times_out_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let started = std::time::Instant::now();
    let error = AdminClient::connect(config(&address)).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
    assert!(error.is_retriable());
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(listener);
}

#[tokio::test]
async fn a_request_without_an_answer_times_out() {
    let address = scripted_server(None, |_| None).await;
    let client = AdminClient::connect(config(&address)).await.unwrap();
    let error = client.list_topics().await.unwrap_err();
    assert!(
        matches!(&error, Error::Timeout { what, .. } if what.contains("ListTopics")),
        "{error}"
    );
    assert_eq!((error.name(), error.code()), ("Timeout", None));
}

#[tokio::test]
async fn every_truncation_of_a_response_is_a_protocol_error() {
    let whole = cluster_metadata(1);
    let payload_len = whole.len() - 4;
    // Keep the correlation id (4 bytes) so that only the body is short.
    for len in 4..payload_len {
        let address =
            scripted_server(None, move |id| Some(framed(&cluster_metadata(id)[4..4 + len]))).await;
        let client = AdminClient::connect(config(&address)).await.unwrap();
        let error = client.cluster_metadata().await.unwrap_err();
        assert!(matches!(error, Error::Protocol { .. }), "cut at {len}: {error}");
    }
}

#[tokio::test]
async fn an_answer_to_another_request_is_a_protocol_error() {
    let address = scripted_server(None, |id| Some(cluster_metadata(id + 1))).await;
    let client = AdminClient::connect(config(&address)).await.unwrap();
    let error = client.cluster_metadata().await.unwrap_err();
    assert!(
        matches!(&error, Error::Protocol { detail, .. } if detail.contains("correlation")),
        "{error}"
    );
}

#[tokio::test]
async fn an_oversized_answer_is_refused_before_it_is_read() {
    // A size prefix of 2 GiB - 1 and nothing else: refused from the prefix alone.
    let address = scripted_server(None, |_| Some(i32::MAX.to_be_bytes().to_vec())).await;
    let client = AdminClient::connect(config(&address)).await.unwrap();
    let error = client.cluster_metadata().await.unwrap_err();
    assert!(
        matches!(&error, Error::Protocol { detail, .. } if detail.contains("exceeds")),
        "{error}"
    );
}

#[tokio::test]
async fn an_api_versions_answer_claiming_billions_of_keys_is_refused() {
    // Correlation id 0, error code 0, compact array of 2^31 entries, nothing after it.
    let bogus = framed(&[0, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x08]);
    let address = scripted_server(Some(bogus), |_| None).await;
    let error = AdminClient::connect(config(&address)).await.unwrap_err();
    assert!(
        matches!(&error, Error::Protocol { detail, .. } if detail.contains("ApiVersions")),
        "{error}"
    );
}

#[tokio::test]
async fn a_server_that_hangs_up_instead_of_answering_is_a_connection_error() {
    let address = scripted_server(None, |_| Some(Vec::new())).await;
    // The scripted server keeps the socket open after an empty answer; close it by answering a
    // frame whose size prefix promises more than ever comes, then the read deadline ends it.
    let client = AdminClient::connect(config(&address)).await.unwrap();
    let error = client.cluster_metadata().await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error}");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let Ok(id) = read_request(&mut stream).await else { continue };
            let _ = stream.write_all(&sidecar_api_versions(id)).await;
            let _ = read_request(&mut stream).await;
            // Dropped: the connection closes with the request unanswered.
        }
    });
    let client = AdminClient::connect(config(&address)).await.unwrap();
    let error = client.cluster_metadata().await.unwrap_err();
    assert!(matches!(error, Error::Connection { .. }), "{error}");
    assert!(error.is_retriable());
}
