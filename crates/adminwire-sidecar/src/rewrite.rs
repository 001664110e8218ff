//! Rewriting the broker addresses in responses, so that clients only ever learn the sidecar's.
//!
//! Only the responses that carry addresses are decoded (with the `kafka-protocol` crate, from
//! frames already capped in size and sent by the brokers, never by clients): Metadata,
//! FindCoordinator, DescribeCluster, and the KIP-951 `NodeEndpoints` of Produce (v10+) and Fetch
//! (v16+). Produce and Fetch are re-encoded only when they carry endpoints — after a leader
//! change — so their record data is otherwise forwarded as it came, undecoded and uncopied
//! (the decoder slices records out of the frame's `Bytes` without copying them).

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, DescribeClusterResponse, FetchResponse, FindCoordinatorResponse, MetadataResponse,
    ProduceResponse, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

use crate::kafka_frame;

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
    kafka_frame::response(&header, header_version, &body, version).map(Some).map_err(encode_err)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

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
        kafka_frame::response(&header, api.response_header_version(version), body, version)
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
}
