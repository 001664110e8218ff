//! Rewriting the broker addresses in responses, so that clients only ever learn the sidecar's.
//!
//! Only the responses that carry addresses are decoded (with the `kafka-protocol` crate, from
//! frames already capped in size and sent by the brokers, never by clients): Metadata,
//! FindCoordinator, DescribeCluster, and the KIP-951 `NodeEndpoints` of Produce (v10+) and Fetch
//! (v16+). Produce and Fetch are re-encoded only when they carry endpoints — after a leader
//! change — so their record data is otherwise forwarded as it came, undecoded and uncopied
//! (the decoder slices records out of the frame's `Bytes` without copying them). A large Fetch
//! response is streamed instead (see `stream`), and only its tail, where `NodeEndpoints` sits,
//! is decoded and rewritten, in place and to the same length ([`rewrite_fetch_tail`]).

use adminwire_protocol::wire::put_unsigned_varint;
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::fetch_response::NodeEndpoint;
use kafka_protocol::messages::produce_response::TopicProduceResponse;
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
                if version < 4 && r.node_id.0 >= 0 {
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

/// The broker's answer to a Produce the sidecar took mirror topics out of (see `mirrors`), with
/// their refusals added, and its addresses rewritten as any Produce response's.
pub fn merge_produce_response(
    version: i16,
    frame: &Bytes,
    refused: &[TopicProduceResponse],
    advertise: &dyn Advertise,
) -> Result<BytesMut, RewriteError> {
    let merged = rewrite(ApiKey::Produce, version, frame, |r: &mut ProduceResponse| {
        r.responses.extend(refused.iter().cloned());
        for e in &mut r.node_endpoints {
            (e.host, e.port) = advertised(advertise, e.node_id.0, &e.host, e.port)?;
        }
        Ok(true)
    })?;
    merged.ok_or(RewriteError::Encode {
        api: ApiKey::Produce,
        version,
        reason: "nothing merged".into(),
    })
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
    adminwire_kafka::frame::response(&header, header_version, &body, version)
        .map(Some)
        .map_err(encode_err)
}

/// What became of the `NodeEndpoints` in a streamed Fetch response's tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailOutcome {
    /// There were none.
    Untouched,
    /// Rewritten to the sidecar's addresses.
    Rewritten,
    /// The rewritten endpoints would not fit in the bytes the broker's took, so they were
    /// replaced by padding; the client finds the new leader through Metadata, as before KIP-951.
    Dropped,
}

/// The tag of the padding that keeps a rewritten tail as long as the broker's (and 126 where it
/// takes two fields). Fetch v16-18 define only tag 0 among the response's tagged fields, and
/// clients skip tags they do not know; 127 is the highest tag that fits in one byte, so padding
/// needs as few bytes as possible.
const PADDING_TAG: u32 = 127;

/// Rewrites, in place and to the same length, the `NodeEndpoints` among the tagged fields that end
/// a Fetch response (v16 and later): when the response is streamed, its size prefix has gone to
/// the client before its tail arrives. Endpoints that come out shorter are followed by padding,
/// an unknown tagged field; endpoints that would come out longer (an advertised host longer than
/// the broker's) are replaced by padding as long as they were.
pub fn rewrite_fetch_tail(
    tail: &mut [u8],
    version: i16,
    advertise: &dyn Advertise,
) -> Result<TailOutcome, RewriteError> {
    let api = ApiKey::Fetch;
    let decode_err = |reason: String| RewriteError::Decode { api, version, reason };
    let (rest, mut fields) = adminwire_protocol::wire::tagged_fields(tail, |_, _| Ok(false))
        .map_err(|e| match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => decode_err(e.to_string()),
            nom::Err::Incomplete(_) => decode_err("the tagged fields end early".into()),
        })?;
    if !rest.is_empty() {
        return Err(decode_err(format!("{} bytes after the tagged fields", rest.len())));
    }
    let Some(value) = fields.remove(&0) else { return Ok(TailOutcome::Untouched) };
    if fields.keys().any(|&tag| tag >= PADDING_TAG - 1) {
        return Err(decode_err("a tagged field the sidecar cannot pad after".into()));
    }
    // A compact array: its length plus one, then the endpoints.
    let (after_count, count) = adminwire_protocol::wire::unsigned_varint(&value)
        .map_err(|_| decode_err("bad NodeEndpoints length".into()))?;
    let mut input = Bytes::copy_from_slice(after_count);
    let mut rewritten = BytesMut::new();
    put_unsigned_varint(&mut rewritten, count);
    for _ in 1..count {
        let mut e =
            NodeEndpoint::decode(&mut input, version).map_err(|e| decode_err(e.to_string()))?;
        (e.host, e.port) = advertised(advertise, e.node_id.0, &e.host, e.port)?;
        e.encode(&mut rewritten, version).map_err(|e| RewriteError::Encode {
            api,
            version,
            reason: e.to_string(),
        })?;
    }
    if count == 0 || !input.is_empty() {
        return Err(decode_err("NodeEndpoints is null or has bytes after it".into()));
    }

    let with_endpoints = |padding: &[usize]| tail_fields(Some(&rewritten[..]), &fields, padding);
    if let Some(new) = fitted(tail.len(), with_endpoints) {
        tail.copy_from_slice(&new);
        return Ok(TailOutcome::Rewritten);
    }
    let new = fitted(tail.len(), |padding| tail_fields(None, &fields, padding))
        .ok_or_else(|| decode_err("no padding fits the tail".into()))?;
    tail.copy_from_slice(&new);
    Ok(TailOutcome::Dropped)
}

/// The tagged fields built by `build` (given the lengths of its padding fields) that are exactly
/// `len` bytes long, if some padding makes them so.
fn fitted(len: usize, build: impl Fn(&[usize]) -> BytesMut) -> Option<BytesMut> {
    let bare = build(&[]);
    if bare.len() == len {
        return Some(bare);
    }
    // A padding field costs its tag (one byte), its size (a varint of up to five bytes) and its
    // bytes. One field reaches almost every length; the few it skips (where its size's varint
    // grows a byte, as from 129 to 131) take a second field of up to 127 bytes in front.
    let room = len.checked_sub(bare.len())?;
    let one = (room.saturating_sub(7)..room).map(|padding| vec![padding]);
    let two = (0..room.saturating_sub(2).min(128)).flat_map(|first| {
        let rest = room - 2 - first;
        (rest.saturating_sub(7)..rest).map(move |padding| vec![first, padding])
    });
    one.chain(two).map(|padding| build(&padding)).find(|candidate| candidate.len() == len)
}

/// Tagged fields: `endpoints` as tag 0, the `others` the broker sent, then a field of zero bytes
/// for each `padding` length, tagged up to [`PADDING_TAG`].
fn tail_fields(
    endpoints: Option<&[u8]>,
    others: &std::collections::BTreeMap<u32, Vec<u8>>,
    padding: &[usize],
) -> BytesMut {
    let zeros: Vec<Vec<u8>> = padding.iter().map(|&n| vec![0; n]).collect();
    let first_padding_tag = PADDING_TAG + 1 - padding.len() as u32;
    let fields: Vec<(u32, &[u8])> = endpoints
        .map(|e| (0, e))
        .into_iter()
        .chain(others.iter().map(|(&tag, value)| (tag, &value[..])))
        .chain((first_padding_tag..).zip(zeros.iter().map(Vec::as_slice)))
        .collect();
    let mut out = BytesMut::new();
    put_unsigned_varint(&mut out, fields.len() as u32);
    for (tag, value) in fields {
        put_unsigned_varint(&mut out, tag);
        put_unsigned_varint(&mut out, value.len() as u32);
        out.extend_from_slice(value);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use bytes::Buf;

    use kafka_protocol::messages::describe_cluster_response::DescribeClusterBroker;
    use kafka_protocol::messages::fetch_response::{
        FetchableTopicResponse, NodeEndpoint, PartitionData,
    };
    use kafka_protocol::messages::find_coordinator_response::Coordinator;
    use kafka_protocol::messages::metadata_response::MetadataResponseBroker;
    use kafka_protocol::messages::produce_response;
    use kafka_protocol::messages::{BrokerId, TopicName};

    use super::*;

    /// Advertises broker N as sidecar:9100+N and remembers what it was told.
    #[derive(Default)]
    struct Recorder(RefCell<Vec<(i32, String, i32)>>);

    impl Advertise for Recorder {
        fn advertise(&self, node_id: i32, host: &str, port: i32) -> Option<(String, i32)> {
            self.0.borrow_mut().push((node_id, host.to_owned(), port));
            Some(("sidecar".to_owned(), 9100 + node_id))
        }
    }

    fn frame<R: Encodable>(api: ApiKey, version: i16, body: &R) -> Bytes {
        let header = ResponseHeader::default().with_correlation_id(77);
        adminwire_kafka::frame::response(
            &header,
            api.response_header_version(version),
            body,
            version,
        )
        .unwrap()
        .freeze()
    }

    fn decode<R: Decodable>(api: ApiKey, version: i16, frame: &[u8]) -> R {
        let mut input = Bytes::copy_from_slice(&frame[4..]);
        let header =
            ResponseHeader::decode(&mut input, api.response_header_version(version)).unwrap();
        assert_eq!(header.correlation_id, 77, "the correlation id is kept");
        let size = i32::from_be_bytes(frame[..4].try_into().unwrap()) as usize;
        assert_eq!(size, frame.len() - 4, "the size prefix matches");
        R::decode(&mut input, version).unwrap()
    }

    fn host(s: &str) -> StrBytes {
        StrBytes::from_string(s.to_owned())
    }

    #[test]
    fn metadata_brokers_are_replaced_in_every_version() {
        for version in 0..=ApiKey::Metadata.valid_versions().max {
            let response = MetadataResponse::default().with_brokers(vec![
                MetadataResponseBroker::default()
                    .with_node_id(BrokerId(1))
                    .with_host(host("kafka-1"))
                    .with_port(9092),
                MetadataResponseBroker::default()
                    .with_node_id(BrokerId(2))
                    .with_host(host("kafka-2"))
                    .with_port(9093),
            ]);
            let recorder = Recorder::default();
            let out = rewrite_response(
                ApiKey::Metadata,
                version,
                &frame(ApiKey::Metadata, version, &response),
                &recorder,
            )
            .unwrap()
            .expect("rewritten");
            let rewritten: MetadataResponse = decode(ApiKey::Metadata, version, &out);
            let addresses: Vec<_> =
                rewritten.brokers.iter().map(|b| (b.host.to_string(), b.port)).collect();
            assert_eq!(
                addresses,
                vec![("sidecar".into(), 9101), ("sidecar".into(), 9102)],
                "v{version}"
            );
            assert_eq!(
                *recorder.0.borrow(),
                vec![(1, "kafka-1".into(), 9092), (2, "kafka-2".into(), 9093)]
            );
        }
    }

    #[test]
    fn find_coordinator_single_and_list_forms() {
        let single = FindCoordinatorResponse::default()
            .with_node_id(BrokerId(3))
            .with_host(host("kafka-3"))
            .with_port(9094);
        let out = rewrite_response(
            ApiKey::FindCoordinator,
            3,
            &frame(ApiKey::FindCoordinator, 3, &single),
            &Recorder::default(),
        )
        .unwrap()
        .unwrap();
        let r: FindCoordinatorResponse = decode(ApiKey::FindCoordinator, 3, &out);
        assert_eq!((r.host.to_string(), r.port), ("sidecar".into(), 9103));

        let list = FindCoordinatorResponse::default().with_coordinators(vec![
            Coordinator::default()
                .with_key(host("group-a"))
                .with_node_id(BrokerId(2))
                .with_host(host("kafka-2"))
                .with_port(9093),
            // Not found: -1 and no address, left alone.
            Coordinator::default()
                .with_key(host("group-b"))
                .with_node_id(BrokerId(-1))
                .with_error_code(15),
        ]);
        let out = rewrite_response(
            ApiKey::FindCoordinator,
            6,
            &frame(ApiKey::FindCoordinator, 6, &list),
            &Recorder::default(),
        )
        .unwrap()
        .unwrap();
        let r: FindCoordinatorResponse = decode(ApiKey::FindCoordinator, 6, &out);
        assert_eq!(
            (r.coordinators[0].host.to_string(), r.coordinators[0].port),
            ("sidecar".into(), 9102)
        );
        assert_eq!((r.coordinators[1].host.to_string(), r.coordinators[1].port), ("".into(), 0));
    }

    #[test]
    fn describe_cluster_brokers_are_replaced() {
        let response = DescribeClusterResponse::default().with_brokers(vec![
            DescribeClusterBroker::default()
                .with_broker_id(BrokerId(1))
                .with_host(host("kafka-1"))
                .with_port(9092),
        ]);
        let out = rewrite_response(
            ApiKey::DescribeCluster,
            1,
            &frame(ApiKey::DescribeCluster, 1, &response),
            &Recorder::default(),
        )
        .unwrap()
        .unwrap();
        let r: DescribeClusterResponse = decode(ApiKey::DescribeCluster, 1, &out);
        assert_eq!((r.brokers[0].host.to_string(), r.brokers[0].port), ("sidecar".into(), 9101));
    }

    fn fetch_response(endpoints: Vec<NodeEndpoint>) -> FetchResponse {
        let records = Bytes::from_static(b"opaque record batch bytes, never decoded");
        FetchResponse::default()
            .with_responses(vec![
                FetchableTopicResponse::default().with_topic(TopicName(host("t"))).with_partitions(
                    vec![
                        PartitionData::default()
                            .with_partition_index(0)
                            .with_records(Some(records)),
                    ],
                ),
            ])
            .with_node_endpoints(endpoints)
    }

    #[test]
    fn fetch_without_endpoints_is_forwarded_untouched_and_with_them_rewritten() {
        let version = 17;
        let plain = frame(ApiKey::Fetch, version, &fetch_response(vec![]));
        assert!(
            rewrite_response(ApiKey::Fetch, version, &plain, &Recorder::default())
                .unwrap()
                .is_none()
        );
        // Versions before 16 carry no endpoints: not even decoded.
        assert!(
            rewrite_response(
                ApiKey::Fetch,
                12,
                &Bytes::from_static(b"not decoded at all"),
                &Recorder::default()
            )
            .unwrap()
            .is_none()
        );

        let moved = fetch_response(vec![
            NodeEndpoint::default()
                .with_node_id(BrokerId(2))
                .with_host(host("kafka-2"))
                .with_port(9093),
        ]);
        let out = rewrite_response(
            ApiKey::Fetch,
            version,
            &frame(ApiKey::Fetch, version, &moved),
            &Recorder::default(),
        )
        .unwrap()
        .expect("rewritten");
        let r: FetchResponse = decode(ApiKey::Fetch, version, &out);
        assert_eq!(
            (r.node_endpoints[0].host.to_string(), r.node_endpoints[0].port),
            ("sidecar".into(), 9102)
        );
        assert_eq!(
            r.responses[0].partitions[0].records, moved.responses[0].partitions[0].records,
            "records unchanged"
        );
    }

    #[test]
    fn produce_endpoints_are_rewritten_only_when_present() {
        let version = 11;
        let without = ProduceResponse::default();
        assert!(
            rewrite_response(
                ApiKey::Produce,
                version,
                &frame(ApiKey::Produce, version, &without),
                &Recorder::default()
            )
            .unwrap()
            .is_none()
        );
        let with = ProduceResponse::default().with_node_endpoints(vec![
            produce_response::NodeEndpoint::default()
                .with_node_id(BrokerId(3))
                .with_host(host("kafka-3"))
                .with_port(9094),
        ]);
        let out = rewrite_response(
            ApiKey::Produce,
            version,
            &frame(ApiKey::Produce, version, &with),
            &Recorder::default(),
        )
        .unwrap()
        .unwrap();
        let r: ProduceResponse = decode(ApiKey::Produce, version, &out);
        assert_eq!(
            (r.node_endpoints[0].host.to_string(), r.node_endpoints[0].port),
            ("sidecar".into(), 9103)
        );
    }

    #[test]
    fn a_broker_that_cannot_be_fronted_fails_the_rewrite_rather_than_leak_its_address() {
        struct Refuse;
        impl Advertise for Refuse {
            fn advertise(&self, _: i32, _: &str, _: i32) -> Option<(String, i32)> {
                None
            }
        }
        let response = MetadataResponse::default().with_brokers(vec![
            MetadataResponseBroker::default()
                .with_node_id(BrokerId(1))
                .with_host(host("kafka-1"))
                .with_port(9092),
        ]);
        let err = rewrite_response(
            ApiKey::Metadata,
            12,
            &frame(ApiKey::Metadata, 12, &response),
            &Refuse,
        )
        .unwrap_err();
        assert!(matches!(err, RewriteError::NoListener(1)), "{err}");
    }

    #[test]
    fn a_truncated_response_is_an_error_not_a_panic() {
        let full = frame(
            ApiKey::Metadata,
            12,
            &MetadataResponse::default().with_brokers(vec![MetadataResponseBroker::default()]),
        );
        for cut in 4..full.len() {
            let _ =
                rewrite_response(ApiKey::Metadata, 12, &full.slice(..cut), &Recorder::default());
        }
        assert!(
            rewrite_response(
                ApiKey::Metadata,
                12,
                &full.slice(..full.len() - 1),
                &Recorder::default()
            )
            .is_err()
        );
    }

    /// Advertises every broker as `host`, port 9100 + its id.
    struct Fixed(String);

    impl Advertise for Fixed {
        fn advertise(&self, node_id: i32, _: &str, _: i32) -> Option<(String, i32)> {
            Some((self.0.clone(), 9100 + node_id))
        }
    }

    /// A streamed Fetch frame's tail rewritten in place: the outcome and the whole frame after.
    fn rewrite_streamed(frame: &[u8], version: i16, advertised: &str) -> (TailOutcome, Vec<u8>) {
        let (_, tail) = crate::fetch_walk::tests::walk(frame, &[1 << 20]).unwrap();
        let mut out = frame.to_vec();
        let outcome =
            rewrite_fetch_tail(&mut out[tail..], version, &Fixed(advertised.to_owned())).unwrap();
        (outcome, out)
    }

    #[test]
    fn a_streamed_fetch_tail_keeps_its_length_whatever_the_hosts() {
        let records = Some(b"record batches".to_vec());
        let topics = [vec![(records.clone(), None, true), (records, Some(1), false)]];
        let long = "h".repeat(200);
        // How often each way out was taken: exact fit, padded, dropped.
        let mut seen = [0; 3];
        for version in crate::fetch_walk::VERSIONS {
            for broker_host in ["k", "kafka-1", "broker-1.kafka.internal.example.com"] {
                for advertised in ["s", "sidecar", "kafka-1", "proxy.example.com", &long] {
                    for count in 1..=3 {
                        let endpoints: Vec<_> = (1..=count).map(|id| (id, broker_host)).collect();
                        let response =
                            crate::fetch_walk::tests::fetch_response(&topics, &endpoints);
                        let frame = crate::fetch_walk::tests::frame(version, &response);
                        let (outcome, out) = rewrite_streamed(&frame, version, advertised);
                        let case = format!("v{version} {broker_host} -> {advertised} x{count}");

                        let mut input = Bytes::from(out);
                        let size = input.get_i32() as usize;
                        assert_eq!(size, input.len(), "{case}: the size prefix still holds");
                        ResponseHeader::decode(&mut input, 1).unwrap();
                        let r = FetchResponse::decode(&mut input, version).unwrap();
                        assert_eq!(r.responses, response.responses, "{case}: topics untouched");
                        assert!(
                            r.unknown_tagged_fields
                                .keys()
                                .all(|&tag| tag as u32 >= PADDING_TAG - 1),
                            "{case}"
                        );

                        let shrink =
                            (broker_host.len() as i64 - advertised.len() as i64) * i64::from(count);
                        match outcome {
                            TailOutcome::Rewritten => {
                                for e in &r.node_endpoints {
                                    assert_eq!(e.host.as_str(), advertised, "{case}");
                                    assert_eq!(e.port, 9100 + e.node_id.0, "{case}");
                                    assert_eq!(e.rack.as_deref(), Some("rack-a"), "{case}");
                                }
                                assert_eq!(r.node_endpoints.len(), count as usize, "{case}");
                                assert!(shrink >= 0, "{case}: grew yet fitted");
                                seen[usize::from(shrink > 0)] += 1;
                            }
                            TailOutcome::Dropped => {
                                assert!(r.node_endpoints.is_empty(), "{case}");
                                assert!(shrink < 0 || shrink == 1, "{case}: would have fitted");
                                seen[2] += 1;
                            }
                            TailOutcome::Untouched => panic!("{case}: endpoints were there"),
                        }
                    }
                }
            }
        }
        assert!(seen.iter().all(|&n| n > 0), "exact, padded, dropped: {seen:?}");
    }

    #[test]
    fn a_shrink_one_padding_field_cannot_fill_takes_two() {
        // Ten hosts 13 bytes shorter: 130 bytes to fill, which one field (129 or 131 bytes with
        // its tag and size) cannot.
        let endpoints: Vec<_> = (1..=10).map(|id| (id, "kafka-broker-0001")).collect();
        let response = crate::fetch_walk::tests::fetch_response(&[], &endpoints);
        let frame = crate::fetch_walk::tests::frame(17, &response);
        let (outcome, out) = rewrite_streamed(&frame, 17, "kafk");
        assert_eq!(outcome, TailOutcome::Rewritten);
        let mut input = Bytes::from(out);
        assert_eq!(input.get_i32() as usize, input.len());
        ResponseHeader::decode(&mut input, 1).unwrap();
        let r = FetchResponse::decode(&mut input, 17).unwrap();
        assert!(r.node_endpoints.iter().all(|e| e.host.as_str() == "kafk"));
        let padding: Vec<_> = r.unknown_tagged_fields.keys().copied().collect();
        assert_eq!(padding, [126, 127]);
    }

    #[test]
    fn a_streamed_fetch_tail_without_endpoints_is_left_alone() {
        let topics = [vec![(Some(b"records".to_vec()), None, false)]];
        let response = crate::fetch_walk::tests::fetch_response(&topics, &[]);
        let frame = crate::fetch_walk::tests::frame(17, &response);
        let (outcome, out) = rewrite_streamed(&frame, 17, "sidecar");
        assert_eq!(outcome, TailOutcome::Untouched);
        assert_eq!(out, frame);
    }

    #[test]
    fn a_bad_streamed_fetch_tail_is_an_error_not_a_panic() {
        let response = crate::fetch_walk::tests::fetch_response(&[], &[(1, "kafka-1")]);
        let frame = crate::fetch_walk::tests::frame(17, &response);
        let (_, tail) = crate::fetch_walk::tests::walk(&frame, &[1 << 20]).unwrap();
        let advertise = Fixed("sidecar".into());
        for cut in tail..frame.len() {
            let mut short = frame[tail..cut].to_vec();
            assert!(rewrite_fetch_tail(&mut short, 17, &advertise).is_err(), "cut at {cut}");
        }
        let mut longer = frame[tail..].to_vec();
        longer.push(0);
        assert!(rewrite_fetch_tail(&mut longer, 17, &advertise).is_err());
    }
}
