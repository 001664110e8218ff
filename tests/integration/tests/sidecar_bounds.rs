//! What bounds the sidecar puts on a client, and what it keeps of the client's identity, against
//! the real cluster and, where the broker's side must be observed, a scripted broker: clients that
//! stop reading, too many connections from one address, answers too long for their version, old
//! or unoffered versions, and the versions and client ids of the requests sent for a client.

use std::time::{Duration, Instant};

use adminwire_protocol::generated::alter_topic_request::ConfigEntry;
use adminwire_protocol::{AlterTopicRequest, ErrorCode, ListTopicsRequest};
use adminwire_test_support::scripted::ScriptedBroker;
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, run_with_input, unique_topic, wait_until};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::{
    ApiKey, BrokerId, FetchRequest, MetadataRequest, MetadataResponse, SaslHandshakeRequest,
    TopicName,
};
use kafka_protocol::protocol::StrBytes;

fn metadata_ok(connection: &mut RawConnection) {
    connection.send(ApiKey::Metadata, 12, 1, &MetadataRequest::default().with_topics(Some(vec![])));
    let (_, response): (i32, MetadataResponse) = connection.receive(ApiKey::Metadata, 12);
    assert!(!response.brokers.is_empty());
}

#[test]
fn a_client_that_stops_reading_is_held_to_its_budget_then_closed() {
    let cluster = Cluster::plain();
    let budget = 1024 * 1024;
    let sidecar = TestSidecar::start_with(cluster, |c| {
        c.limits.write_timeout_ms = 2_000;
        c.limits.max_queued_response_bytes = budget;
        c.limits.max_in_flight_per_connection = 1_000;
    });
    sidecar.wait_for_brokers(3);
    let topic = unique_topic("unread");
    cluster.create_topic(&topic, 1);
    cluster.wait_for_topic(None, &topic, 1);
    // 4 MB of records, so that each Fetch below answers with up to 60 KB: gathered, not streamed.
    let record = vec![b'x'; 10_000];
    let mut input = Vec::new();
    for _ in 0..400 {
        input.extend_from_slice(&record);
        input.push(b'\n');
    }
    let produced = run_with_input(
        cluster.kcat(None).args(["-P", "-t", &topic, "-z", "none"]),
        &input,
        Duration::from_secs(60),
    )
    .expect("kcat runs");
    produced.expect_success("kcat -P");

    let mut bootstrap = RawConnection::connect(&sidecar.bootstrap());
    bootstrap.send(
        ApiKey::Metadata,
        12,
        1,
        &MetadataRequest::default().with_topics(Some(vec![
            kafka_protocol::messages::metadata_request::MetadataRequestTopic::default()
                .with_name(Some(TopicName(StrBytes::from_string(topic.clone())))),
        ])),
    );
    let (_, md): (i32, MetadataResponse) = bootstrap.receive(ApiKey::Metadata, 12);
    let leader = md.topics[0].partitions[0].leader_id.0;

    let fetch = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(100)
        .with_min_bytes(1)
        .with_max_bytes(60_000)
        .with_session_epoch(-1)
        .with_topics(vec![
            FetchTopic::default()
                .with_topic(TopicName(StrBytes::from_string(topic.clone())))
                .with_partitions(vec![
                    FetchPartition::default()
                        .with_partition(0)
                        .with_fetch_offset(0)
                        .with_partition_max_bytes(60_000),
                ]),
        ]);
    let mut greedy = RawConnection::connect(&sidecar.broker_address(leader));
    // About 48 MB of answers asked for, none read: far more than the socket buffers and the budget.
    for correlation_id in 0..800 {
        greedy.send(ApiKey::Fetch, 12, correlation_id, &fetch);
    }
    let started = Instant::now();
    eprintln!("produced and asked; waiting for the close");
    let mut peak = 0.0f64;
    let closed = wait_until(Duration::from_secs(180), "the unread connection closed", || {
        let held = sidecar.metric("adminwire_queued_response_bytes").unwrap_or(0.0);
        peak = peak.max(held);
        let open = sidecar.metric("adminwire_connections_active").unwrap_or(0.0);
        // The bootstrap connection stays open; the greedy one goes.
        if open <= 1.0 { Ok(started.elapsed()) } else { Err(format!("{open} open, {held} held")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("closed {closed:?} after the asking; at most {peak} bytes held");
    assert!(peak <= (budget + 60_000 + 1024) as f64, "held {peak} bytes for one client");
    assert!(closed >= Duration::from_millis(1_500), "closed after only {closed:?}");
    wait_until(Duration::from_secs(10), "nothing held once it is closed", || {
        match sidecar.metric("adminwire_queued_response_bytes") {
            Some(0.0) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    // Other clients were not held up, and the client that read is served still.
    metadata_ok(&mut bootstrap);
    let mut other = RawConnection::connect(&sidecar.broker_address(leader));
    metadata_ok(&mut other);
}

#[test]
fn connections_from_one_address_are_limited_and_other_addresses_are_not() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start_with(cluster, |c| c.limits.max_connections_per_ip = 2);
    let mut first = RawConnection::connect(&sidecar.bootstrap());
    let mut second = RawConnection::connect(&sidecar.bootstrap());
    metadata_ok(&mut first);
    metadata_ok(&mut second);
    let mut third = RawConnection::connect(&sidecar.bootstrap());
    assert!(third.is_closed_by_peer(), "a third connection from 127.0.0.1 is over the limit");
    assert_eq!(sidecar.metric("adminwire_connections_refused_total"), Some(1.0));

    // Another loopback address has its own allowance.
    let port: u16 = sidecar.bootstrap().rsplit_once(':').unwrap().1.parse().unwrap();
    let elsewhere = sidecar.in_runtime(|| {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        futures_connect(socket, port)
    });
    let mut elsewhere = RawConnection { stream: elsewhere };
    elsewhere.stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    metadata_ok(&mut elsewhere);

    drop(first);
    wait_until(Duration::from_secs(10), "a freed slot for 127.0.0.1", || {
        let mut again = RawConnection::connect(&sidecar.bootstrap());
        again.stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        again.send(ApiKey::Metadata, 12, 1, &MetadataRequest::default().with_topics(Some(vec![])));
        again.read_frame().map(|_| ()).map_err(|e| e.to_string())
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Connects `socket` (bound already) to the sidecar's port on 127.0.0.1, as a blocking stream.
fn futures_connect(socket: tokio::net::TcpSocket, port: u16) -> std::net::TcpStream {
    let handle = tokio::runtime::Handle::current();
    let stream = std::thread::scope(|scope| {
        scope
            .spawn(|| handle.block_on(socket.connect(([127, 0, 0, 1], port).into())))
            .join()
            .unwrap()
    })
    .expect("connects from 127.0.0.2");
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

#[test]
fn a_version_0_answer_too_long_for_its_strings_is_cut_and_the_connection_lives_on() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    // Its error message quotes the key, which alone nearly fills a version-0 string.
    let key = "k".repeat(32_760);
    let request = AlterTopicRequest {
        topic_name: unique_topic("long"),
        added_configs: vec![
            ConfigEntry { key: key.clone(), value: "1".into(), ..Default::default() },
            ConfigEntry { key, value: "2".into(), ..Default::default() },
        ],
        ..Default::default()
    };
    let answer = connection.call(request, 0);
    assert_eq!(ErrorCode(answer.error_code), ErrorCode::INVALID_TOPIC_CONFIG);
    let message = answer.error_message.unwrap_or_default();
    assert_eq!(message.len(), 32_767, "cut to the most version 0 carries");
    assert!(message.contains("kkkk"), "{}", &message[..60]);
    // Same connection, next request: answered.
    let listed = connection.call(ListTopicsRequest::default(), 0);
    assert_eq!(listed.error_code, 0);
    drop(connection);
    wait_until(Duration::from_secs(10), "the connection gauge back to 0", || {
        match sidecar.metric("adminwire_connections_active") {
            Some(0.0) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn sasl_handshake_v0_is_not_passed_as_it_is_not_offered() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let handshake =
        SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str("PLAIN"));
    connection.send(ApiKey::SaslHandshake, 0, 1, &handshake);
    assert!(connection.is_closed_by_peer(), "SaslHandshake v0 closes the connection");
}

#[test]
fn requests_made_for_a_client_carry_its_client_id_at_the_negotiated_versions() {
    let broker = ScriptedBroker::start(&[(ApiKey::Metadata, 0, 7)]);
    let sidecar = TestSidecar::start_with(Cluster::plain(), |c| {
        c.upstream.bootstrap_servers = vec![broker.address.clone()];
    });
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let listed = connection.call(ListTopicsRequest::default(), 1);
    assert_eq!((listed.error_code, listed.topics.as_deref()), (0, Some(&[][..])), "{listed:?}");
    let received = broker.received();
    // The client's connection is the one whose requests carry its id ("adminwire-test").
    let for_client: Vec<_> = received
        .iter()
        .filter(|r| r.client_id.as_deref() == Some("adminwire-test"))
        .map(|r| (r.api, r.version))
        .collect();
    assert_eq!(
        for_client,
        [(ApiKey::ApiVersions, 2), (ApiKey::Metadata, 7)],
        "every request: {received:?}"
    );
    let connection_of_client = received
        .iter()
        .find(|r| r.client_id.as_deref() == Some("adminwire-test"))
        .map(|r| r.connection);
    assert!(
        received
            .iter()
            .filter(|r| Some(r.connection) == connection_of_client)
            .all(|r| r.client_id.as_deref() == Some("adminwire-test")),
        "nothing on the client's connection goes as the sidecar: {received:?}"
    );
    // The sidecar looks the brokers up on its own too, at start, in a task of its own.
    wait_until(Duration::from_secs(30), "the sidecar's own broker lookup", || {
        let received = broker.received();
        match received.iter().any(|r| r.client_id.as_deref() == Some("adminwire-sidecar")) {
            true => Ok(()),
            false => Err(format!("none names the sidecar: {received:?}")),
        }
    })
    .unwrap();
}

#[test]
fn a_broker_with_no_version_in_common_gets_no_request_and_the_client_a_clear_error() {
    // Metadata v0-3 lacks `allow_auto_topic_creation`, which the sidecar relies on.
    let broker = ScriptedBroker::start(&[(ApiKey::Metadata, 0, 3)]);
    let sidecar = TestSidecar::start_with(Cluster::plain(), |c| {
        c.upstream.bootstrap_servers = vec![broker.address.clone()];
    });
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let listed = connection.call(ListTopicsRequest::default(), 1);
    assert_eq!(ErrorCode(listed.error_code), ErrorCode::UNSUPPORTED_VERSION);
    let message = listed.error_message.unwrap_or_default();
    assert!(message.contains("no version in common") && message.contains("v0-v3"), "{message}");
    assert!(
        broker.received().iter().all(|r| r.api != ApiKey::Metadata),
        "no Metadata at a version the broker does not take: {:?}",
        broker.received()
    );
}
