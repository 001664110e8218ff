//! Kafka's own messages as whole frames (size prefix, header, body), encoded with the
//! `kafka-protocol` crate: the requests the sidecar sends itself, and the responses it rewrites.

use bytes::{BufMut, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Encodable, StrBytes};

/// The client id of the requests the sidecar sends on its own behalf, as brokers log them.
pub const SIDECAR_CLIENT_ID: &str = "adminwire-sidecar";

/// A request of `api` at `version`, with the header that version takes. `client_id` is the client
/// the request is sent for — so broker quotas and audit logs see who asked — or none for the
/// sidecar's own.
pub fn request<R: Encodable>(
    api: ApiKey,
    version: i16,
    correlation_id: i32,
    client_id: Option<&str>,
    body: &R,
) -> anyhow::Result<BytesMut> {
    let client_id = client_id.unwrap_or(SIDECAR_CLIENT_ID);
    let header = RequestHeader::default()
        .with_request_api_key(api as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_string(client_id.to_owned())));
    framed(&header, api.request_header_version(version), body, version)
}

/// A response: `header` in `header_version`, then `body` in `version`.
pub fn response<R: Encodable>(
    header: &ResponseHeader,
    header_version: i16,
    body: &R,
    version: i16,
) -> anyhow::Result<BytesMut> {
    framed(header, header_version, body, version)
}

fn framed<H: Encodable, B: Encodable>(
    header: &H,
    header_version: i16,
    body: &B,
    version: i16,
) -> anyhow::Result<BytesMut> {
    let size = header.compute_size(header_version)? + body.compute_size(version)?;
    let mut out = BytesMut::with_capacity(4 + size);
    out.put_i32(i32::try_from(size)?);
    header.encode(&mut out, header_version)?;
    body.encode(&mut out, version)?;
    // `kafka-protocol` can size a message otherwise than it writes it (fuzzing found a response
    // with an unknown tagged field numbered beyond 2^31, sized 6 bytes larger than written, and
    // written so that it no longer decodes). Such a frame would break the client's connection
    // downstream: it is an error here instead.
    anyhow::ensure!(
        out.len() == 4 + size,
        "the message was sized at {size} bytes but {} were written (a tagged field it cannot \
         write back?)",
        out.len() - 4
    );
    Ok(out)
}
