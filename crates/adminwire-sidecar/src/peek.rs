//! Reading one field of a Kafka request without decoding it: Produce's `acks`, which says whether
//! a response will come at all.

/// The `acks` of a Produce request payload (header and body, no size prefix), or `None` if the
/// bytes end early or a broker would refuse them. Produce v9+ is flexible (request header v2,
/// compact strings); v0-2 have no transactional id before `acks`.
///
/// The fields before `acks` are read exactly as Kafka's brokers read them, which is more leniently
/// than the codec's strict reader (`adminwire_protocol::wire`): a request the broker accepts with
/// `acks` 0 gets no response, and the proxy must know that, or it waits for a response that never
/// comes and takes the client's next one for it.
pub fn produce_acks(payload: &[u8], version: i16) -> Option<i16> {
    let flexible = version >= 9;
    // api_key, api_version, correlation_id, then client_id: always a classic nullable string.
    let rest = skip_classic_string(payload.get(8..)?)?;
    let rest = if flexible { skip_tagged_fields(rest)? } else { rest };
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

/// An unsigned varint as Kafka reads it (`ByteUtils.readUnsignedVarint`): at most five bytes, the
/// bits of the fifth beyond 32 dropped (the codec refuses those), into a Java `int`, so that 2^31
/// and more read as negative. A fifth byte with its high bit set is refused.
fn kafka_varint(input: &[u8]) -> Option<(&[u8], i32)> {
    let mut value: u32 = 0;
    for (i, &byte) in input.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((&input[i + 1..], value as i32));
        }
    }
    None
}

/// Tagged fields as Kafka's generated readers skip them: a negative count reads none, a negative
/// size is refused.
fn skip_tagged_fields(input: &[u8]) -> Option<&[u8]> {
    let (mut rest, count) = kafka_varint(input)?;
    // Each field takes two bytes or more, so the input ends the loop whatever the count.
    for _ in 0..count.max(0) {
        let (after_tag, _tag) = kafka_varint(rest)?;
        let (after_size, size) = kafka_varint(after_tag)?;
        rest = after_size.get(usize::try_from(size).ok()?..)?;
    }
    Some(rest)
}

/// A compact nullable string as Kafka reads it: length + 1 as a Java `int`, so anything that comes
/// out negative is null; a length over 32767 is refused.
fn skip_compact_string(input: &[u8]) -> Option<&[u8]> {
    let (rest, len_plus_one) = kafka_varint(input)?;
    match len_plus_one.wrapping_sub(1) {
        len if len < 0 => Some(rest),
        len if len > 0x7fff => None,
        len => rest.get(len as usize..),
    }
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

    /// Found by the `sidecar_peek` fuzz target: Kafka reads a varint whose fifth byte has bits
    /// beyond 32 (dropping them), which the codec's strict reader refuses, so `acks` 0 went
    /// unseen and the proxy waited for a response the broker never sends. Here the header's
    /// tagged-field count, 0, is written in five bytes.
    #[test]
    fn acks_is_found_behind_varints_kafka_reads_leniently() {
        let canonical = encoded(9, 0, Some("txn-1"));
        // api key, version, correlation id, client id ("producer-1"), then the tagged-field count.
        let at = 8 + 2 + "producer-1".len();
        assert_eq!(canonical[at], 0);
        let mut lenient = canonical[..at].to_vec();
        lenient.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x10]);
        lenient.extend_from_slice(&canonical[at + 1..]);
        assert_eq!(produce_acks(&lenient, 9), Some(0));
        // A count of 2^31 or more is a negative Java int: no fields.
        lenient[at + 4] = 0x08;
        assert_eq!(produce_acks(&lenient, 9), Some(0));
        // A fifth byte with its high bit set is refused by Kafka too.
        lenient[at + 4] = 0x90;
        assert_eq!(produce_acks(&lenient, 9), None);
        // The transactional id's length + 1, written as 2^32 + 6: Kafka reads 6, a 5-byte id.
        let at = at + 1;
        assert_eq!(canonical[at], 6);
        let mut lenient = canonical[..at].to_vec();
        lenient.extend_from_slice(&[0x86, 0x80, 0x80, 0x80, 0x10]);
        lenient.extend_from_slice(&canonical[at + 1..]);
        assert_eq!(produce_acks(&lenient, 9), Some(0));
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
