//! Reading a few fields of a Kafka request without decoding it: Produce's `acks`, which says
//! whether a response will come at all, and the topics it writes to, walked past their records.

/// The `acks` of a Produce request payload (header and body, no size prefix), or `None` if the
/// bytes end early or a broker would refuse them. Produce v9+ is flexible (request header v2,
/// compact strings); v0-2 have no transactional id before `acks`.
///
/// The fields before `acks` are read exactly as Kafka's brokers read them, which is more leniently
/// than the codec's strict reader (`adminwire_protocol::wire`): a request the broker accepts with
/// `acks` 0 gets no response, and the proxy must know that, or it waits for a response that never
/// comes and takes the client's next one for it.
pub fn produce_acks(payload: &[u8], version: i16) -> Option<i16> {
    let acks = produce_from_acks(payload, version)?.get(..2)?;
    Some(i16::from_be_bytes([acks[0], acks[1]]))
}

/// A Produce request's body from its `acks` on.
fn produce_from_acks(payload: &[u8], version: i16) -> Option<&[u8]> {
    let flexible = version >= 9;
    // api_key, api_version, correlation_id, then client_id: always a classic nullable string.
    let rest = skip_classic_string(payload.get(8..)?)?;
    let rest = if flexible { skip_tagged_fields(rest)? } else { rest };
    match version {
        ..=2 => Some(rest),
        3..=8 => skip_classic_string(rest),
        _ => skip_compact_string(rest),
    }
}

/// A topic a Produce request writes to, as the request names it: by name, or by id (v13+).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProducedTopic<'a> {
    Name(&'a [u8]),
    Id([u8; 16]),
}

impl<'a> ProducedTopic<'a> {
    /// `topic` of a decoded Produce request of `version`, as that version names it.
    pub fn of(
        topic: &'a kafka_protocol::messages::produce_request::TopicProduceData,
        version: i16,
    ) -> Self {
        match version {
            13.. => Self::Id(topic.topic_id.into_bytes()),
            _ => Self::Name(topic.name.as_bytes()),
        }
    }
}

/// Calls `visit` with each topic of a Produce request payload (header and body, no size prefix),
/// skipping over the records; `None` if the bytes end early or are malformed (the broker then
/// answers for them). The walk is linear in the payload: every topic and partition takes bytes.
pub fn produce_topics(
    payload: &[u8],
    version: i16,
    mut visit: impl FnMut(ProducedTopic<'_>),
) -> Option<()> {
    let flexible = version >= 9;
    // acks, timeout_ms
    let rest = produce_from_acks(payload, version)?.get(6..)?;
    let (mut rest, topics) = array_len(rest, flexible)?;
    for _ in 0..topics {
        let topic;
        (rest, topic) = match version {
            13.. => {
                let id = rest.get(..16)?.try_into().ok()?;
                (&rest[16..], ProducedTopic::Id(id))
            }
            9..=12 => read_compact_string(rest).map(|(r, name)| (r, ProducedTopic::Name(name)))?,
            _ => read_classic_string(rest).map(|(r, name)| (r, ProducedTopic::Name(name)))?,
        };
        visit(topic);
        let partitions;
        (rest, partitions) = array_len(rest, flexible)?;
        for _ in 0..partitions {
            // index, then the records: nullable bytes
            rest = rest.get(4..)?;
            rest = if flexible {
                let (after, len_plus_one) = kafka_varint(rest)?;
                let len = usize::try_from(len_plus_one.wrapping_sub(1)).unwrap_or(0);
                skip_tagged_fields(after.get(len..)?)?
            } else {
                let len = i32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
                rest[4..].get(usize::try_from(len).unwrap_or(0)..)?
            };
        }
        if flexible {
            rest = skip_tagged_fields(rest)?;
        }
    }
    Some(())
}

/// An array's length: compact (length + 1 as a varint) or classic (an `i32`); null reads as
/// empty.
/// What a JoinGroup or ConsumerGroupHeartbeat request says of its member, read without decoding
/// it (a decoder would size its arrays from counts the client sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupJoin<'a> {
    pub client_id: &'a [u8],
    pub group: &'a [u8],
    /// ConsumerGroupHeartbeat's member epoch (0: joining; more: a member already in the group;
    /// negative: leaving); None for JoinGroup.
    pub member_epoch: Option<i32>,
}

/// The client id, group and (KIP-848) member epoch of a JoinGroup (`heartbeat` false: v6+ is
/// flexible) or ConsumerGroupHeartbeat (always flexible) payload; `None` if the bytes end early.
pub fn group_join(payload: &[u8], version: i16, heartbeat: bool) -> Option<GroupJoin<'_>> {
    let flexible = heartbeat || version >= 6;
    let (rest, client_id) = read_classic_string(payload.get(8..)?)?;
    let rest = if flexible { skip_tagged_fields(rest)? } else { rest };
    let (rest, group) =
        if flexible { read_compact_string(rest)? } else { read_classic_string(rest)? };
    let member_epoch = if heartbeat {
        let rest = skip_compact_string(rest)?; // member id
        Some(i32::from_be_bytes(rest.get(..4)?.try_into().ok()?))
    } else {
        None
    };
    Some(GroupJoin { client_id, group, member_epoch })
}

/// The client software name and version an ApiVersions request (v3+, flexible) payload names.
pub fn client_software(payload: &[u8]) -> Option<(&[u8], &[u8])> {
    let (rest, _client_id) = read_classic_string(payload.get(8..)?)?;
    let rest = skip_tagged_fields(rest)?;
    let (rest, name) = read_compact_string(rest)?;
    let (_, version) = read_compact_string(rest)?;
    Some((name, version))
}

fn array_len(input: &[u8], compact: bool) -> Option<(&[u8], usize)> {
    if compact {
        let (rest, len_plus_one) = kafka_varint(input)?;
        Some((rest, usize::try_from(len_plus_one.wrapping_sub(1)).unwrap_or(0)))
    } else {
        let len = i32::from_be_bytes(input.get(..4)?.try_into().ok()?);
        Some((&input[4..], usize::try_from(len).unwrap_or(0)))
    }
}

fn read_classic_string(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = i16::from_be_bytes([*input.first()?, *input.get(1)?]);
    let len = usize::try_from(len).unwrap_or(0);
    let name = input.get(2..2 + len)?;
    Some((&input[2 + len..], name))
}

fn read_compact_string(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let (rest, len_plus_one) = kafka_varint(input)?;
    let len = usize::try_from(len_plus_one.wrapping_sub(1)).unwrap_or(0);
    if len > 0x7fff {
        return None;
    }
    Some((rest.get(len..)?, rest.get(..len)?))
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

    /// A request writing to two topics, two partitions each, with records between them.
    fn with_topics(version: i16) -> Vec<u8> {
        use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
        let topic = |name: &'static str, id: u128| {
            let partitions = (0..2)
                .map(|index| {
                    PartitionProduceData::default().with_index(index).with_records(Some(
                        bytes::Bytes::from(vec![7u8; 300 * (index as usize + 1)]),
                    ))
                })
                .collect();
            TopicProduceData::default()
                .with_name(StrBytes::from_static_str(name).into())
                .with_topic_id(uuid::Uuid::from_u128(id))
                .with_partition_data(partitions)
        };
        let header = RequestHeader::default()
            .with_request_api_key(0)
            .with_request_api_version(version)
            .with_correlation_id(9);
        let body = ProduceRequest::default()
            .with_acks(-1)
            .with_topic_data(vec![topic("orders", 1), topic("payments", 2)]);
        let mut buf = BytesMut::new();
        header.encode(&mut buf, ApiKey::Produce.request_header_version(version)).unwrap();
        body.encode(&mut buf, version).unwrap();
        buf.to_vec()
    }

    #[test]
    fn topics_are_found_past_the_records_in_every_produce_version() {
        for version in 3..=ApiKey::Produce.valid_versions().max {
            let payload = with_topics(version);
            let mut seen = Vec::new();
            assert_eq!(
                produce_topics(&payload, version, |t| seen.push(format!("{t:?}"))),
                Some(())
            );
            let expected: Vec<String> = if version >= 13 {
                let id = |n: u128| ProducedTopic::Id(uuid::Uuid::from_u128(n).into_bytes());
                vec![format!("{:?}", id(1)), format!("{:?}", id(2))]
            } else {
                vec![
                    format!("{:?}", ProducedTopic::Name(b"orders")),
                    format!("{:?}", ProducedTopic::Name(b"payments")),
                ]
            };
            assert_eq!(seen, expected, "v{version}");
            // Cut anywhere, the walk ends without a panic; before the last topic's name it
            // cannot have seen both.
            for cut in 0..payload.len() {
                let mut count = 0;
                let walked = produce_topics(&payload[..cut], version, |_| count += 1);
                assert!(walked.is_none() || count == 2, "v{version} cut at {cut}");
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

    #[test]
    fn an_api_versions_request_names_its_software() {
        use kafka_protocol::messages::ApiVersionsRequest;
        let header = RequestHeader::default()
            .with_request_api_key(ApiKey::ApiVersions as i16)
            .with_request_api_version(3)
            .with_client_id(Some(StrBytes::from_static_str("app")));
        let body = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("apache-kafka-java"))
            .with_client_software_version(StrBytes::from_static_str("4.1.2"));
        let mut payload = BytesMut::new();
        header.encode(&mut payload, 2).unwrap();
        body.encode(&mut payload, 3).unwrap();
        let (name, version) = client_software(&payload).unwrap();
        assert_eq!((name, version), (&b"apache-kafka-java"[..], &b"4.1.2"[..]));
        assert_eq!(client_software(&payload[..payload.len() - 3]), None, "cut short");
    }
}
