//! What the `client_*` tests share: a runtime per test for the async client, and a relay that
//! makes the real sidecar look like a server of version 0 only.
//!
//! Each test binary uses part of this; the rest would be dead code there.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use adminwire_client::{AdminClient, AdminClientConfig};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{ApiVersionsResponse, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Runs `test` on a runtime of its own. The test sidecar runs its own runtime and blocks on it
/// when it starts and stops, so it cannot be created inside this one.
pub fn run<F: Future>(test: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(test)
}

/// Settings for a client of `bootstrap`, with a request timeout that fits tests.
pub fn config(bootstrap: &str) -> AdminClientConfig {
    AdminClientConfig::new([bootstrap])
        .client_id("adminwire-client-test")
        .request_timeout(Duration::from_secs(60))
}

/// A client of `bootstrap`.
pub async fn connect(bootstrap: &str) -> AdminClient {
    AdminClient::connect(config(bootstrap))
        .await
        .unwrap_or_else(|e| panic!("connect to {bootstrap}: {e}"))
}

/// Polls `check` every 200 ms until it returns `Ok`, for at most `timeout`.
pub async fn eventually<T, F: Future<Output = Result<T, String>>>(
    timeout: Duration,
    what: &str,
    check: impl Fn() -> F,
) -> T {
    let start = tokio::time::Instant::now();
    loop {
        match check().await {
            Ok(value) => return value,
            Err(last) if start.elapsed() >= timeout => {
                panic!("timed out after {timeout:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// A TCP relay in front of `upstream` that passes everything through but the first response on
/// each connection (the ApiVersions answer), in which it lowers the extension's keys to version
/// 0: what a server of only the seed's schemas would offer. The requests are then answered by
/// the real sidecar, in version 0. Runs on the current runtime; returns its address.
pub async fn version_0_relay(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the relay");
    let address = listener.local_addr().expect("the relay's address").to_string();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                // A connection that breaks ends the relay of that connection only.
                let _ = relay(client, &upstream).await;
            });
        }
    });
    address
}

async fn relay(mut client: TcpStream, upstream: &str) -> std::io::Result<()> {
    let mut server = TcpStream::connect(upstream).await?;
    let request = read_frame(&mut client).await?;
    write_frame(&mut server, &request).await?;
    let response = read_frame(&mut server).await?;
    // The client sends ApiVersions v3 (its request header is v2: the version is at bytes 2..4).
    let version = i16::from_be_bytes([request[2], request[3]]);
    write_frame(&mut client, &only_version_0(response, version)).await?;
    tokio::io::copy_bidirectional(&mut client, &mut server).await?;
    Ok(())
}

fn only_version_0(frame: Bytes, version: i16) -> Bytes {
    let mut body = frame;
    let header = ResponseHeader::decode(&mut body, 0).expect("an ApiVersions header");
    let mut response = ApiVersionsResponse::decode(&mut body, version).expect("ApiVersions");
    for api in &mut response.api_keys {
        if (30000..=30009).contains(&api.api_key) {
            api.max_version = 0;
        }
    }
    let mut out = BytesMut::new();
    header.encode(&mut out, 0).expect("encode the header");
    response.encode(&mut out, version).expect("encode ApiVersions");
    out.freeze()
}

async fn read_frame(stream: &mut TcpStream) -> std::io::Result<Bytes> {
    let size = stream.read_i32().await?;
    let mut frame = vec![0; usize::try_from(size).expect("a frame size")];
    stream.read_exact(&mut frame).await?;
    Ok(Bytes::from(frame))
}

async fn write_frame(stream: &mut TcpStream, frame: &[u8]) -> std::io::Result<()> {
    stream.write_i32(i32::try_from(frame.len()).expect("a frame size")).await?;
    stream.write_all(frame).await
}
