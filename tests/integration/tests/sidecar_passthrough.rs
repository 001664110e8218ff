//! The sidecar in front of the real cluster: clients see only its addresses, Kafka's protocol
//! passes through, and the extension's keys never reach a broker.

use std::collections::BTreeSet;
use std::time::Duration;

use adminwire_protocol::{AdminRequest, ApiKey as AdminKey, ClusterMetadataRequest, ErrorCode};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::{RawConnection, expect};
use adminwire_test_support::{Cluster, TOOL_TIMEOUT, run, run_with_input, unique_topic};
use bytes::BytesMut;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, MetadataRequest, MetadataResponse,
};
use kafka_protocol::protocol::StrBytes;

/// Every `host:port` kcat's metadata listing mentions.
fn addresses_in_kcat_listing(listing: &str) -> BTreeSet<String> {
    listing
        .split_whitespace()
        .filter(|w| {
            w.contains(':')
                && w.rsplit_once(':').is_some_and(|(_, p)| {
                    p.trim_end_matches(|c: char| !c.is_ascii_digit()).parse::<u16>().is_ok()
                })
        })
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_ascii_digit()).split('/').next().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn clients_learn_only_the_sidecars_addresses() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let out = run(
        std::process::Command::new("kcat").args(["-b", &sidecar.bootstrap(), "-L"]),
        TOOL_TIMEOUT,
    )
    .unwrap();
    let listing = out.expect_success("kcat -L through the sidecar").to_owned();
    let seen = addresses_in_kcat_listing(&listing);
    let ours: BTreeSet<String> = sidecar.addresses().into_iter().collect();
    assert!(!seen.is_empty(), "{listing}");
    assert!(seen.is_subset(&ours), "addresses outside the sidecar in:\n{listing}\nours: {ours:?}");
    for node in cluster.node_ids() {
        assert!(
            listing.contains(&format!("broker {node} at {}", sidecar.broker_address(node))),
            "{listing}"
        );
        assert!(
            !listing.contains(&cluster.node_address(node)),
            "a broker's own address leaked:\n{listing}"
        );
    }
}

#[test]
fn kcat_json_metadata_maps_every_broker_and_leader_to_its_sidecar_listener() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("kcat-json");
    cluster.create_topic(&topic, 3);
    let through = cluster.kcat_metadata(None, &sidecar.bootstrap(), &topic).unwrap();
    let brokers = through["brokers"].as_array().expect("brokers");
    assert_eq!(brokers.len(), 3, "{through}");
    for b in brokers {
        let node = i32::try_from(b["id"].as_i64().expect("broker id")).unwrap();
        assert_eq!(b["name"].as_str(), Some(sidecar.broker_address(node).as_str()), "{through}");
    }
    // The same leaders the cluster reports directly, each reached at its sidecar listener.
    let direct = cluster.kcat_metadata(None, &cluster.node_address(1), &topic).unwrap();
    let leaders = |md: &serde_json::Value| -> Vec<(i64, i64)> {
        let mut v: Vec<_> = md["topics"][0]["partitions"]
            .as_array()
            .expect("partitions")
            .iter()
            .map(|p| (p["partition"].as_i64().unwrap(), p["leader"].as_i64().unwrap()))
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(leaders(&through), leaders(&direct), "through: {through}\ndirect: {direct}");
    for (partition, leader) in leaders(&through) {
        let listener = sidecar.broker_address(i32::try_from(leader).unwrap());
        let name = brokers.iter().find(|b| b["id"] == leader).map(|b| b["name"].clone());
        assert_eq!(name, Some(listener.clone().into()), "partition {partition}: {through}");
        // Asking that listener reaches a live broker that agrees on the leader.
        let via_leader = cluster.kcat_metadata(None, &listener, &topic).unwrap();
        assert_eq!(leaders(&via_leader), leaders(&direct), "{via_leader}");
    }
    for node in cluster.node_ids() {
        assert!(!through.to_string().contains(&cluster.node_address(node)), "{through}");
    }
}

/// Every record of `topic`, read through `bootstrap` with kcat to the end of the log, sorted.
fn kcat_read_all(bootstrap: &str, topic: &str) -> Vec<String> {
    let out = run(
        std::process::Command::new("kcat")
            .args(["-b", bootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%s\n"]),
        TOOL_TIMEOUT,
    )
    .unwrap();
    let mut records: Vec<String> =
        out.expect_success("kcat -C through the sidecar").lines().map(str::to_owned).collect();
    records.sort_unstable();
    records
}

#[test]
fn records_go_through_and_come_back() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("passthrough");
    cluster.create_topic(&topic, 3);
    let records: String = (0..1000).map(|i| format!("record-{i}\n")).collect();
    let out = run_with_input(
        std::process::Command::new("kcat").args([
            "-b",
            &sidecar.bootstrap(),
            "-P",
            "-t",
            &topic,
            "-X",
            "acks=all",
        ]),
        records.as_bytes(),
        TOOL_TIMEOUT,
    )
    .unwrap();
    out.expect_success("kcat -P through the sidecar");
    let mut want: Vec<String> = (0..1000).map(|i| format!("record-{i}")).collect();
    want.sort_unstable();
    assert_eq!(kcat_read_all(&sidecar.bootstrap(), &topic), want);
    assert!(sidecar.metric("adminwire_requests_total{api=\"Produce\"}").unwrap_or(0.0) >= 1.0);
    assert!(sidecar.metric("adminwire_requests_total{api=\"Fetch\"}").unwrap_or(0.0) >= 1.0);
}

/// Large Produce requests and Fetch responses are streamed through rather than gathered (Fetch
/// v16+ walked for its `NodeEndpoints`): whatever the client, every record comes back byte for
/// byte.
#[test]
fn large_fetch_responses_stream_through_intact() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("streamed");
    cluster.create_topic(&topic, 3);
    // About 10 MB: every fetch response holds hundreds of KiB of records.
    let record = |i: usize| format!("record-{i:05}-{}", "0123456789abcdef".repeat(i % 64 * 8 + 64));
    let records: String = (0..2000).map(|i| record(i) + "\n").collect();
    // Produced through the sidecar too: kcat's requests of up to 1 MB stream to the broker.
    run_with_input(
        std::process::Command::new("kcat").args(["-b", &sidecar.bootstrap(), "-P", "-t", &topic]),
        records.as_bytes(),
        TOOL_TIMEOUT,
    )
    .unwrap()
    .expect_success("kcat -P through the sidecar");
    let streamed = |direction| {
        sidecar
            .metric(&format!("adminwire_streamed_total{{direction=\"{direction}\"}}"))
            .unwrap_or(0.0)
    };
    let requests = streamed("client_to_broker");
    assert!(requests >= 1.0, "{requests} requests streamed");
    let mut want: Vec<String> = (0..2000).map(record).collect();
    want.sort_unstable();

    // Kafka's Java consumer fetches with v17, whose responses are walked for their tail.
    let out = cluster.kafka_tool(
        "ConsoleConsumer",
        &[
            "--bootstrap-server",
            &sidecar.bootstrap(),
            "--topic",
            &topic,
            "--from-beginning",
            "--max-messages",
            "2000",
            "--timeout-ms",
            "60000",
        ],
    );
    let mut got: Vec<&str> =
        out.expect_success("ConsoleConsumer through the sidecar").lines().collect();
    got.sort_unstable();
    assert!(got == want, "the Java consumer got {} records, not the 2000 sent", got.len());

    let got = kcat_read_all(&sidecar.bootstrap(), &topic);
    assert!(got == want, "kcat got {} records, not the 2000 sent", got.len());

    let responses = streamed("broker_to_client");
    assert!(responses >= 2.0, "{responses} responses streamed");
}

fn api_versions(connection: &mut RawConnection, version: i16) -> (i32, ApiVersionsResponse) {
    let request = ApiVersionsRequest::default()
        .with_client_software_name(StrBytes::from_static_str("adminwire-test"))
        .with_client_software_version(StrBytes::from_static_str("1"));
    connection.send(ApiKey::ApiVersions, version, 11, &request);
    connection.receive(ApiKey::ApiVersions, version)
}

#[test]
fn api_versions_offers_the_extension_and_narrows_the_brokers_ranges() {
    let sidecar = TestSidecar::start(Cluster::plain());
    for version in 0..=4 {
        let mut connection = RawConnection::connect(&sidecar.bootstrap());
        let (correlation_id, response) = api_versions(&mut connection, version);
        assert_eq!((correlation_id, response.error_code), (11, 0), "v{version}");
        let find = |key: i16| {
            response
                .api_keys
                .iter()
                .find(|k| k.api_key == key)
                .map(|k| (k.min_version, k.max_version))
        };
        for key in AdminKey::ALL {
            let (lo, hi) = key.versions();
            assert_eq!(find(*key as i16), Some((lo, hi)), "v{version}: extension key {key:?}");
        }
        // KIP-4's ten in versions 0-1, the reassignment jobs' three in version 0.
        assert_eq!(find(30000), Some((0, 1)));
        assert_eq!(find(30012), Some((0, 0)));
        let metadata = find(ApiKey::Metadata as i16).expect("Metadata offered");
        assert!(metadata.1 <= ApiKey::Metadata.valid_versions().max);
        assert_eq!(
            find(ApiKey::SaslHandshake as i16).map(|r| r.0),
            Some(1),
            "SaslHandshake v0 is not proxied"
        );
        assert!(
            find(ApiKey::ShareFetch as i16).is_none(),
            "ShareFetch carries addresses the sidecar does not rewrite"
        );
    }
}

#[test]
fn a_too_new_api_versions_request_gets_the_version_0_fallback() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    // Version 9 of ApiVersions does not exist yet; the header is v2 as for every version >= 3.
    let mut request = BytesMut::new();
    let payload = [&[0u8, 18, 0, 9, 0, 0, 0, 42, 0, 0, 0][..], &[0, 0, 0]].concat();
    request.extend_from_slice(&(payload.len() as i32).to_be_bytes());
    request.extend_from_slice(&payload);
    connection.send_bytes(&request).unwrap();
    let (correlation_id, response): (i32, ApiVersionsResponse) =
        connection.receive(ApiKey::ApiVersions, 0);
    assert_eq!(correlation_id, 42);
    assert_eq!(response.error_code, 35, "UNSUPPORTED_VERSION");
    let range = response.api_keys.iter().find(|k| k.api_key == 18).expect("ApiVersions' own range");
    assert_eq!(range.max_version, 4);
    // The client retries lower on the same connection, as Kafka's clients do.
    let (_, response) = api_versions(&mut connection, 3);
    assert_eq!(response.error_code, 0);
}

#[test]
fn extension_requests_are_answered_by_the_sidecar_and_the_connection_stays_usable() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    for version in 0..=1 {
        let mut frame = BytesMut::new();
        adminwire_protocol::encode_request(
            &AdminRequest::from(ClusterMetadataRequest::default()),
            version,
            7,
            Some("t"),
            &mut frame,
        )
        .unwrap();
        connection.send_bytes(&frame).unwrap();
        let payload = connection.read_frame().unwrap();
        let (header, response) =
            adminwire_protocol::decode_response(AdminKey::ClusterMetadata, version, &payload)
                .unwrap();
        assert_eq!(header.correlation_id, 7);
        assert_eq!(response.error_code(), ErrorCode::NONE, "executed by the sidecar");
    }
    // A malformed body gets INVALID_REQUEST: DeleteTopic v0 whose topic name claims 50 bytes.
    let payload = [&[0x75u8, 0x33, 0, 0, 0, 0, 0, 8, 0xff, 0xff][..], &[0, 50, b'x']].concat();
    let mut frame = (payload.len() as i32).to_be_bytes().to_vec();
    frame.extend_from_slice(&payload);
    connection.send_bytes(&frame).unwrap();
    let payload = connection.read_frame().unwrap();
    let (header, response) =
        adminwire_protocol::decode_response(AdminKey::DeleteTopic, 0, &payload).unwrap();
    assert_eq!(header.correlation_id, 8);
    assert_eq!(response.error_code(), ErrorCode::INVALID_REQUEST);
    let response = expect::<adminwire_protocol::DeleteTopicResponse>(response);
    assert!(response.error_message.unwrap().contains("TopicName"));
    // The same connection still reaches the broker.
    connection.send(ApiKey::Metadata, 12, 9, &MetadataRequest::default().with_topics(Some(vec![])));
    let (correlation_id, metadata): (i32, MetadataResponse) =
        connection.receive(ApiKey::Metadata, 12);
    assert_eq!((correlation_id, metadata.brokers.len()), (9, 3));
}

#[test]
fn an_extension_key_in_an_unknown_version_closes_the_connection_like_a_broker_does() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let payload = [0x75u8, 0x30, 0, 5, 0, 0, 0, 1, 0xff, 0xff];
    let mut frame = (payload.len() as i32).to_be_bytes().to_vec();
    frame.extend_from_slice(&payload);
    connection.send_bytes(&frame).unwrap();
    assert!(connection.is_closed_by_peer());
}

/// A well-behaved client on its own connection, checked while others misbehave.
fn metadata_round_trip(sidecar: &TestSidecar) {
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    connection.send(ApiKey::Metadata, 12, 1, &MetadataRequest::default().with_topics(Some(vec![])));
    let (_, metadata): (i32, MetadataResponse) = connection.receive(ApiKey::Metadata, 12);
    assert_eq!(metadata.brokers.len(), 3);
}

#[test]
fn garbage_oversize_frames_and_tls_close_only_their_own_connection() {
    let sidecar =
        TestSidecar::start_with(Cluster::plain(), |c| c.limits.max_frame_bytes = 1024 * 1024);
    let mut good = RawConnection::connect(&sidecar.bootstrap());
    good.send(ApiKey::Metadata, 12, 1, &MetadataRequest::default().with_topics(Some(vec![])));
    let _: (i32, MetadataResponse) = good.receive(ApiKey::Metadata, 12);

    let tls_client_hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];
    let oversize = (64 * 1024 * 1024i32).to_be_bytes();
    let negative = (-5i32).to_be_bytes();
    let too_short_for_a_header = [0, 0, 0, 2, 0, 3];
    for bad in [
        &tls_client_hello[..],
        &oversize[..],
        &negative[..],
        &too_short_for_a_header[..],
        b"GET / HTTP/1.1\r\n\r\n",
    ] {
        let mut connection = RawConnection::connect(&sidecar.bootstrap());
        connection.send_bytes(bad).unwrap();
        assert!(connection.is_closed_by_peer(), "{bad:?} should close the connection");
        metadata_round_trip(&sidecar);
    }
    // The first connection was never disturbed.
    good.send(ApiKey::Metadata, 12, 2, &MetadataRequest::default().with_topics(Some(vec![])));
    let (correlation_id, _): (i32, MetadataResponse) = good.receive(ApiKey::Metadata, 12);
    assert_eq!(correlation_id, 2);
}

#[test]
fn a_client_that_stops_reading_is_stopped_being_read() {
    let sidecar =
        TestSidecar::start_with(Cluster::plain(), |c| c.limits.max_in_flight_per_connection = 8);
    let mut stuck = RawConnection::connect(&sidecar.bootstrap());
    stuck.stream.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    // One Metadata request for every topic, pipelined without ever reading a response. The
    // responses fill the socket buffers, the sidecar's slots fill, and then it must stop reading:
    // the writes stall instead of the sidecar buffering without end.
    let mut request = RawConnection::connect(&sidecar.bootstrap());
    request.send(ApiKey::Metadata, 12, 1, &MetadataRequest::default().with_topics(None));
    let one_frame = {
        let mut buf = BytesMut::new();
        use kafka_protocol::protocol::Encodable;
        let header = kafka_protocol::messages::RequestHeader::default()
            .with_request_api_key(3)
            .with_request_api_version(12)
            .with_correlation_id(1);
        bytes::BufMut::put_i32(&mut buf, 0);
        header.encode(&mut buf, 2).unwrap();
        MetadataRequest::default().with_topics(None).encode(&mut buf, 12).unwrap();
        let size = (buf.len() - 4) as i32;
        buf[..4].copy_from_slice(&size.to_be_bytes());
        buf
    };
    let batch: Vec<u8> = one_frame.iter().copied().cycle().take(one_frame.len() * 10_000).collect();
    let mut written = 0usize;
    let mut stalled = false;
    for _ in 0..2_000 {
        match stuck.send_bytes(&batch) {
            Ok(()) => written += batch.len(),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                stalled = true;
                break;
            }
            Err(e) => panic!("unexpected write error {e}"),
        }
    }
    assert!(stalled, "wrote {written} bytes of requests without the sidecar pushing back");
    // And it stays stopped: no more of the stuck client's requests are taken in.
    let seen = || sidecar.metric("adminwire_requests_total{api=\"Metadata\"}").unwrap_or(0.0);
    let before = seen();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(seen(), before, "the sidecar kept reading the stuck client");
    // Meanwhile others are served.
    metadata_round_trip(&sidecar);
}

#[test]
fn health_and_metrics_are_served() {
    let sidecar = TestSidecar::start(Cluster::plain());
    sidecar.wait_for_brokers(3);
    let (status, body) = sidecar.http_get("/health");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"status\":\"ok\"") && body.matches("\"listening\":true").count() == 3,
        "{body}"
    );
    metadata_round_trip(&sidecar);
    // A sidecar whose cluster does not answer says so.
    let nowhere = format!("127.0.0.1:{}", adminwire_test_support::sidecar::free_port());
    let stranded = TestSidecar::start_with(Cluster::plain(), |c| {
        c.upstream.bootstrap_servers = vec![nowhere.clone()];
    });
    let (status, body) = stranded.http_get("/health");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"status\":\"cluster_unreachable\""), "{body}");
    drop(stranded);
    let (status, metrics) = sidecar.http_get("/metrics");
    assert_eq!(status, 200);
    for name in [
        "adminwire_connections_total",
        "adminwire_requests_total{api=\"Metadata\"}",
        "adminwire_request_duration_seconds_count{api=\"Metadata\"}",
        "adminwire_bytes_total{direction=\"broker_to_client\"}",
        "adminwire_brokers",
    ] {
        assert!(metrics.contains(name), "{name} missing from:\n{metrics}");
    }
}

#[test]
fn acks_0_produce_expects_no_response_and_later_requests_still_match() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("acks0");
    cluster.create_topic(&topic, 1);
    // About 500 KB, in requests large enough to be streamed to the broker.
    let records: String =
        (0..500).map(|i| format!("fire-and-forget-{i}-{}\n", "x".repeat(1000))).collect();
    run_with_input(
        std::process::Command::new("kcat").args([
            "-b",
            &sidecar.bootstrap(),
            "-P",
            "-t",
            &topic,
            "-X",
            "acks=0",
        ]),
        records.as_bytes(),
        TOOL_TIMEOUT,
    )
    .unwrap()
    .expect_success("kcat -P acks=0 through the sidecar");
    // acks=0 gives no guarantee, so wait until the records are there rather than assume it.
    adminwire_test_support::wait_until(
        Duration::from_secs(30),
        "all acks=0 records readable",
        || {
            let out = run(
                std::process::Command::new("kcat").args([
                    "-b",
                    &sidecar.bootstrap(),
                    "-C",
                    "-t",
                    &topic,
                    "-e",
                    "-q",
                ]),
                TOOL_TIMEOUT,
            )
            .map_err(|e| e.to_string())?;
            let n = out.expect_success("kcat -C").lines().count();
            if n == 500 { Ok(()) } else { Err(format!("{n} of 500")) }
        },
    )
    .unwrap();
    // On one connection: an acks=0 Produce (no response will come), then a Metadata request, whose
    // response must be paired with the Metadata request and not taken for the Produce's.
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let produce =
        kafka_protocol::messages::ProduceRequest::default().with_acks(0).with_timeout_ms(1_000);
    connection.send(ApiKey::Produce, 9, 1, &produce);
    connection.send(ApiKey::Metadata, 12, 2, &MetadataRequest::default().with_topics(Some(vec![])));
    let (correlation_id, metadata): (i32, MetadataResponse) =
        connection.receive(ApiKey::Metadata, 12);
    assert_eq!((correlation_id, metadata.brokers.len()), (2, 3));
}
