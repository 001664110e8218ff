//! A scripted broker: a TCP server on loopback that speaks just enough Kafka (ApiVersions with
//! the ranges a test chooses, and an empty Metadata) and records every request's header. For
//! tests of what the sidecar sends upstream — its versions and its client ids — that a real
//! broker does not let a test observe.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsResponse, MetadataResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable};

/// One request the scripted broker received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Which accepted connection it came on, counting from 0.
    pub connection: usize,
    pub api: ApiKey,
    pub version: i16,
    pub client_id: Option<String>,
}

/// A running scripted broker; it stops with the test process.
#[derive(Debug)]
pub struct ScriptedBroker {
    pub address: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl ScriptedBroker {
    /// A broker that claims the API version ranges `versions` (ApiVersions itself is always
    /// offered v0-v3).
    pub fn start(versions: &[(ApiKey, i16, i16)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let address = listener.local_addr().expect("its address").to_string();
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut ranges = vec![(ApiKey::ApiVersions, 0, 3)];
        ranges.extend_from_slice(versions);
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for (connection, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let (log, ranges) = (Arc::clone(&log), ranges.clone());
                std::thread::spawn(move || serve(stream, connection, &ranges, &log));
            }
        });
        Self { address, received }
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("not poisoned").clone()
    }
}

fn serve(
    mut stream: TcpStream,
    connection: usize,
    ranges: &[(ApiKey, i16, i16)],
    log: &Mutex<Vec<Received>>,
) {
    loop {
        let mut size = [0u8; 4];
        if stream.read_exact(&mut size).is_err() {
            return;
        }
        let mut frame = vec![0; i32::from_be_bytes(size).max(0) as usize];
        if stream.read_exact(&mut frame).is_err() {
            return;
        }
        let mut frame = Bytes::from(frame);
        let Ok(api) = ApiKey::try_from(frame.clone().get_i16()) else { return };
        let version = frame.slice(2..4).get_i16();
        let Ok(header) = RequestHeader::decode(&mut frame, api.request_header_version(version))
        else {
            return;
        };
        log.lock().expect("not poisoned").push(Received {
            connection,
            api,
            version,
            client_id: header.client_id.as_ref().map(|c| c.to_string()),
        });
        let response = ResponseHeader::default().with_correlation_id(header.correlation_id);
        let mut out = BytesMut::new();
        out.put_i32(0);
        let encoded = match api {
            ApiKey::ApiVersions => {
                let keys = ranges
                    .iter()
                    .map(|(k, lo, hi)| {
                        ApiVersion::default()
                            .with_api_key(*k as i16)
                            .with_min_version(*lo)
                            .with_max_version(*hi)
                    })
                    .collect();
                // ApiVersions responses always take header v0.
                response.encode(&mut out, 0).and_then(|()| {
                    ApiVersionsResponse::default().with_api_keys(keys).encode(&mut out, version)
                })
            }
            ApiKey::Metadata => response
                .encode(&mut out, api.response_header_version(version))
                .and_then(|()| MetadataResponse::default().encode(&mut out, version)),
            // Anything else: no answer, as a broker that never got to it.
            _ => continue,
        };
        if encoded.is_err() {
            return;
        }
        let size = (out.len() - 4) as i32;
        out[..4].copy_from_slice(&size.to_be_bytes());
        if stream.write_all(&out).is_err() {
            return;
        }
    }
}
