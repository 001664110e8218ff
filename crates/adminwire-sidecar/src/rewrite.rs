//! Rewriting the broker addresses in responses, so that clients only ever learn the sidecar's.
//!
//! Only the responses that carry addresses are decoded (with the `kafka-protocol` crate, from
//! frames already capped in size and sent by the brokers, never by clients): Metadata,
//! FindCoordinator, DescribeCluster, and the KIP-951 `NodeEndpoints` of Produce (v10+) and Fetch
//! (v16+). Produce and Fetch are re-encoded only when they carry endpoints — after a leader
//! change — so their record data is otherwise forwarded as it came, undecoded and uncopied
//! (the decoder slices records out of the frame's `Bytes` without copying them).

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, DescribeClusterResponse, FetchResponse, FindCoordinatorResponse, MetadataResponse,
    ProduceResponse, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

/// Where the sidecar tells clients to find a broker. Implemented by the server, which also
/// learns the broker's real address and opens a listener for it as a side effect.
pub trait Advertise {
    /// The advertised host and port for `node_id`, whose real address is `host:port`, or `None`
    /// if the sidecar cannot front that broker.
    fn advertise(&self, node_id: i32, host: &str, port: i32) -> Option<(String, i32)>;
}

/// Why a response could not be rewritten. The connection is closed rather than let an
/// unrewritten address through.
#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    #[error("cannot decode {api:?} v{version} response: {reason}")]
    Decode { api: ApiKey, version: i16, reason: String },
    #[error("cannot encode {api:?} v{version} response: {reason}")]
    Encode { api: ApiKey, version: i16, reason: String },
    #[error("broker {0} cannot be fronted (no listener port for it)")]
    NoListener(i32),
    #[error("{api:?} v{version} is newer than this sidecar can rewrite")]
    UnsupportedVersion { api: ApiKey, version: i16 },
}

/// The APIs whose responses carry broker addresses, from the version that started carrying them.
pub const REWRITTEN: &[(ApiKey, i16)] = &[
    (ApiKey::Metadata, 0),
    (ApiKey::FindCoordinator, 0),
    (ApiKey::DescribeCluster, 0),
    (ApiKey::Produce, 10),
    (ApiKey::Fetch, 16),
];

/// Whether responses of `api` at `version` need rewriting.
pub fn needs_rewrite(api: ApiKey, version: i16) -> bool {
    REWRITTEN.iter().any(|&(a, from)| a == api && version >= from)
}

/// Rewrites the addresses in a whole response frame (size prefix included). `Ok(None)` means the
/// frame can be forwarded as it is.
pub fn rewrite_response(
    api: ApiKey,
    version: i16,
    frame: &Bytes,
    advertise: &dyn Advertise,
) -> Result<Option<BytesMut>, RewriteError> {
    if !needs_rewrite(api, version) {
        return Ok(None);
    }
    let range = api.valid_versions();
    if version > range.max {
        return Err(RewriteError::UnsupportedVersion { api, version });
    }
    match api {
        ApiKey::Metadata => rewrite(api, version, frame, |r: &mut MetadataResponse| {
            for b in &mut r.brokers {
                (b.host, b.port) = advertised(advertise, b.node_id.0, &b.host, b.port)?;
            }
            Ok(true)
        }),
        ApiKey::FindCoordinator => {
            rewrite(api, version, frame, |r: &mut FindCoordinatorResponse| {
                // Versions 0-3 name one coordinator, 4+ a list; -1 means none was found.
                if r.node_id.0 >= 0 {
                    (r.host, r.port) = advertised(advertise, r.node_id.0, &r.host, r.port)?;
                }
                for c in r.coordinators.iter_mut().filter(|c| c.node_id.0 >= 0) {
                    (c.host, c.port) = advertised(advertise, c.node_id.0, &c.host, c.port)?;
                }
                Ok(true)
            })
        }
        ApiKey::DescribeCluster => {
            rewrite(api, version, frame, |r: &mut DescribeClusterResponse| {
                for b in &mut r.brokers {
                    (b.host, b.port) = advertised(advertise, b.broker_id.0, &b.host, b.port)?;
                }
                Ok(true)
            })
        }
        ApiKey::Produce => rewrite(api, version, frame, |r: &mut ProduceResponse| {
            for e in &mut r.node_endpoints {
                (e.host, e.port) = advertised(advertise, e.node_id.0, &e.host, e.port)?;
            }
            Ok(!r.node_endpoints.is_empty())
        }),
        ApiKey::Fetch => rewrite(api, version, frame, |r: &mut FetchResponse| {
            for e in &mut r.node_endpoints {
                (e.host, e.port) = advertised(advertise, e.node_id.0, &e.host, e.port)?;
            }
            Ok(!r.node_endpoints.is_empty())
        }),
        _ => Ok(None),
    }
}

fn advertised(
    advertise: &dyn Advertise,
    node_id: i32,
    host: &StrBytes,
    port: i32,
) -> Result<(StrBytes, i32), RewriteError> {
    let (host, port) =
        advertise.advertise(node_id, host, port).ok_or(RewriteError::NoListener(node_id))?;
    Ok((StrBytes::from_string(host), port))
}

/// Decodes the frame as `R`, lets `change` edit it, and re-encodes it if `change` says it changed.
fn rewrite<R: Decodable + Encodable>(
    api: ApiKey,
    version: i16,
    frame: &Bytes,
    change: impl FnOnce(&mut R) -> Result<bool, RewriteError>,
) -> Result<Option<BytesMut>, RewriteError> {
    let decode_err =
        |e: anyhow::Error| RewriteError::Decode { api, version, reason: e.to_string() };
    let encode_err =
        |e: anyhow::Error| RewriteError::Encode { api, version, reason: e.to_string() };
    let header_version = api.response_header_version(version);
    let mut input = frame.slice(4..);
    let header = ResponseHeader::decode(&mut input, header_version).map_err(decode_err)?;
    let mut body = R::decode(&mut input, version).map_err(decode_err)?;
    if !input.is_empty() {
        return Err(RewriteError::Decode {
            api,
            version,
            reason: format!("{} trailing bytes", input.len()),
        });
    }
    if !change(&mut body)? {
        return Ok(None);
    }
    let size = header.compute_size(header_version).map_err(encode_err)?
        + body.compute_size(version).map_err(encode_err)?;
    let mut out = BytesMut::with_capacity(4 + size);
    out.put_i32(i32::try_from(size).map_err(|_| RewriteError::Encode {
        api,
        version,
        reason: "too large".into(),
    })?);
    header.encode(&mut out, header_version).map_err(encode_err)?;
    body.encode(&mut out, version).map_err(encode_err)?;
    Ok(Some(out))
}
