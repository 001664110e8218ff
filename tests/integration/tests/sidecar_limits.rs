//! The sidecar's limits and lifecycle against the real cluster: connection limit, idle timeout,
//! and a graceful stop that lets in-flight requests finish.

use std::time::{Duration, Instant};

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::{
    ApiKey, FetchRequest, FetchResponse, MetadataRequest, MetadataResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;

fn metadata(connection: &mut RawConnection, topics: Option<Vec<String>>) -> MetadataResponse {
    let topics = topics.map(|names| {
        names
            .into_iter()
            .map(|n| {
                kafka_protocol::messages::metadata_request::MetadataRequestTopic::default()
                    .with_name(Some(TopicName(StrBytes::from_string(n))))
            })
            .collect()
    });
    connection.send(ApiKey::Metadata, 12, 1, &MetadataRequest::default().with_topics(topics));
    connection.receive(ApiKey::Metadata, 12).1
}

#[test]
fn connections_beyond_the_limit_are_closed_and_counted() {
    let sidecar = TestSidecar::start_with(Cluster::plain(), |c| c.limits.max_connections = 2);
    let mut first = RawConnection::connect(&sidecar.bootstrap());
    let mut second = RawConnection::connect(&sidecar.bootstrap());
    metadata(&mut first, Some(vec![]));
    metadata(&mut second, Some(vec![]));
    let mut third = RawConnection::connect(&sidecar.bootstrap());
    assert!(third.is_closed_by_peer(), "a third connection is over the limit of 2");
    assert_eq!(sidecar.metric("adminwire_connections_refused_total"), Some(1.0));
    drop(first);
    // The slot frees once the sidecar has seen the close.
    adminwire_test_support::wait_until(Duration::from_secs(10), "a freed connection slot", || {
        let mut again = RawConnection::connect(&sidecar.bootstrap());
        again.stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        again.send(ApiKey::Metadata, 12, 1, &MetadataRequest::default().with_topics(Some(vec![])));
        again.read_frame().map(|_| ()).map_err(|e| e.to_string())
    })
    .unwrap();
    metadata(&mut second, Some(vec![]));
}

#[test]
fn an_idle_connection_is_closed() {
    let sidecar = TestSidecar::start_with(Cluster::plain(), |c| c.limits.idle_timeout_ms = 300);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    metadata(&mut connection, Some(vec![]));
    let idle_since = Instant::now();
    assert!(connection.is_closed_by_peer());
    assert!(
        idle_since.elapsed() >= Duration::from_millis(250),
        "closed after {:?}",
        idle_since.elapsed()
    );
}

#[test]
fn a_stop_lets_an_in_flight_long_poll_finish_then_refuses_new_connections() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = unique_topic("drain");
    cluster.create_topic(&topic, 1);
    let mut bootstrap = RawConnection::connect(&sidecar.bootstrap());
    let leader =
        metadata(&mut bootstrap, Some(vec![topic.clone()])).topics[0].partitions[0].leader_id.0;

    // An empty topic: the broker holds the Fetch for its whole max wait.
    let mut connection = RawConnection::connect(&sidecar.broker_address(leader));
    let fetch = FetchRequest::default()
        .with_replica_id(kafka_protocol::messages::BrokerId(-1))
        .with_max_wait_ms(3_000)
        .with_min_bytes(1)
        .with_max_bytes(1 << 20)
        .with_session_epoch(-1)
        .with_topics(vec![
            FetchTopic::default()
                .with_topic(TopicName(StrBytes::from_string(topic.clone())))
                .with_partitions(vec![
                    FetchPartition::default()
                        .with_partition(0)
                        .with_fetch_offset(0)
                        .with_partition_max_bytes(1 << 20),
                ]),
        ]);
    let sent = Instant::now();
    connection.send(ApiKey::Fetch, 12, 5, &fetch);
    std::thread::scope(|scope| {
        let stopping = scope.spawn(|| {
            // Stopped once the long poll is in: the sidecar has taken the Fetch in (and sends a
            // request on before it next reads its client, which is where a stop is noticed).
            adminwire_test_support::wait_until(
                Duration::from_secs(10),
                "the Fetch taken in",
                || match sidecar.metric("adminwire_requests_total{api=\"Fetch\"}") {
                    Some(n) if n >= 1.0 => Ok(()),
                    seen => Err(format!("{seen:?} Fetch requests")),
                },
            )
            .unwrap();
            sidecar.shutdown();
        });
        let (correlation_id, response): (i32, FetchResponse) =
            connection.receive(ApiKey::Fetch, 12);
        assert_eq!((correlation_id, response.error_code), (5, 0));
        assert!(
            sent.elapsed() >= Duration::from_millis(2_500),
            "the long poll was cut short after {:?}",
            sent.elapsed()
        );
        stopping.join().unwrap();
    });
    assert!(connection.is_closed_by_peer(), "the drained connection is closed");
    assert!(
        std::net::TcpStream::connect(sidecar.bootstrap()).is_err(),
        "no new connections after a stop"
    );
}

#[test]
fn a_new_broker_gets_a_listener_and_a_moved_one_is_re_pointed() {
    use adminwire_sidecar::rewrite::Advertise;

    let cluster = Cluster::plain();
    let base = adminwire_test_support::sidecar::free_port().saturating_sub(100);
    let sidecar = TestSidecar::start_with(cluster, |c| c.listen.broker_port_base = base);
    let shared = sidecar.running().shared.clone();
    let real = cluster.node_address(1);
    let (host, port) = real.rsplit_once(':').unwrap();

    // Node 42 appears in some response: it gets a listener at base + 42, leading to its address.
    let advertise =
        |host: &str, port: i32| sidecar.in_runtime(|| shared.registry.advertise(42, host, port));
    let advertised = advertise(host, port.parse().unwrap());
    assert_eq!(advertised, Some(("127.0.0.1".to_owned(), i32::from(base) + 42)));
    let listener = format!("127.0.0.1:{}", base + 42);
    let mut connection = RawConnection::connect(&listener);
    assert_eq!(metadata(&mut connection, Some(vec![])).brokers.len(), 3);

    // It moves to an address where nothing listens: new connections go there, and fail.
    advertise("127.0.0.1", 1);
    let mut moved = RawConnection::connect(&listener);
    assert!(moved.is_closed_by_peer(), "a connection to the moved broker's old address");
    // And back: served again.
    advertise(host, port.parse().unwrap());
    let mut back = RawConnection::connect(&listener);
    assert_eq!(metadata(&mut back, Some(vec![])).brokers.len(), 3);
}

#[test]
fn with_every_bootstrap_server_down_the_learned_brokers_bootstrap() {
    use adminwire_sidecar::rewrite::Advertise;

    let cluster = Cluster::plain();
    // The only configured bootstrap server is dead (nothing listens on port 1).
    let sidecar = TestSidecar::start_with(cluster, |c| {
        c.upstream.bootstrap_servers = vec!["127.0.0.1:1".into()]
    });
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    assert!(connection.is_closed_by_peer(), "nothing to bootstrap through yet");
    // A broker learned from a response (as a client's Metadata would teach it) is used instead.
    let shared = sidecar.running().shared.clone();
    let real = cluster.node_address(2);
    let (host, port) = real.rsplit_once(':').unwrap();
    sidecar.in_runtime(|| shared.registry.advertise(2, host, port.parse().unwrap()));
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    assert_eq!(metadata(&mut connection, Some(vec![])).brokers.len(), 3);
}
