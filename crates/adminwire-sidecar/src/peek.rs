//! Reading one field of a Kafka request without decoding it: Produce's `acks`, which says whether
//! a response will come at all.

use adminwire_protocol::wire::{skip_tagged_fields, unsigned_varint};

/// The `acks` of a Produce request payload (header and body, no size prefix), or `None` if the
/// bytes end early. Produce v9+ is flexible (request header v2, compact strings); v0-2 have no
/// transactional id before `acks`.
pub fn produce_acks(payload: &[u8], version: i16) -> Option<i16> {
    let flexible = version >= 9;
    // api_key, api_version, correlation_id, then client_id: always a classic nullable string.
    let rest = skip_classic_string(payload.get(8..)?)?;
    let rest = if flexible { skip_tagged_fields(rest).ok()?.0 } else { rest };
    let rest = match version {
        ..=2 => rest,
        3..=8 => skip_classic_string(rest)?,
        _ => skip_compact_string(rest)?,
    };
    let acks = rest.get(..2)?;
    Some(i16::from_be_bytes([acks[0], acks[1]]))
}

fn skip_classic_string(input: &[u8]) -> Option<&[u8]> {
    let len = i16::from_be_bytes([*input.first()?, *input.get(1)?]);
    let len = if len < 0 { 0 } else { len as usize };
    input.get(2 + len..)
}

fn skip_compact_string(input: &[u8]) -> Option<&[u8]> {
    let (rest, len_plus_one) = unsigned_varint(input).ok()?;
    rest.get((len_plus_one as usize).saturating_sub(1)..)
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;
    use kafka_protocol::messages::{ApiKey, ProduceRequest, RequestHeader};
    use kafka_protocol::protocol::{Encodable, StrBytes};

    use super::*;

    fn encoded(version: i16, acks: i16, transactional_id: Option<&'static str>) -> Vec<u8> {
        let header = RequestHeader::default()
            .with_request_api_key(0)
            .with_request_api_version(version)
            .with_correlation_id(9)
            .with_client_id(Some(StrBytes::from_static_str("producer-1")));
        let body = ProduceRequest::default()
            .with_acks(acks)
            .with_timeout_ms(30_000)
            .with_transactional_id(transactional_id.map(|t| StrBytes::from_static_str(t).into()));
        let mut buf = BytesMut::new();
        header.encode(&mut buf, ApiKey::Produce.request_header_version(version)).unwrap();
        body.encode(&mut buf, version).unwrap();
        buf.to_vec()
    }

    #[test]
    fn acks_is_found_in_every_produce_version() {
        for version in 3..=ApiKey::Produce.valid_versions().max {
            for acks in [0, 1, -1] {
                for txn in [None, Some("txn-1")] {
                    assert_eq!(
                        produce_acks(&encoded(version, acks, txn), version),
                        Some(acks),
                        "v{version} acks={acks} txn={txn:?}"
                    );
                }
            }
        }
    }

    /// Versions 0-2 (which the crate no longer encodes; Kafka 3.x still takes them) have no
    /// transactional id: `acks` follows the header.
    #[test]
    fn acks_is_found_in_produce_versions_before_transactions() {
        for version in 0..=2i16 {
            for acks in [0i16, 1, -1] {
                let mut payload = Vec::new();
                payload.extend_from_slice(&0i16.to_be_bytes());
                payload.extend_from_slice(&version.to_be_bytes());
                payload.extend_from_slice(&7i32.to_be_bytes());
                payload.extend_from_slice(&3i16.to_be_bytes());
                payload.extend_from_slice(b"cli");
                payload.extend_from_slice(&acks.to_be_bytes());
                payload.extend_from_slice(&1500i32.to_be_bytes());
                payload.extend_from_slice(&0i32.to_be_bytes());
                assert_eq!(produce_acks(&payload, version), Some(acks), "v{version} acks={acks}");
            }
        }
    }

    #[test]
    fn short_payloads_give_none() {
        let full = encoded(9, 0, None);
        for cut in 0..full.len().min(40) {
            let _ = produce_acks(&full[..cut], 9);
        }
        assert_eq!(produce_acks(&full[..10], 9), None);
    }
}
