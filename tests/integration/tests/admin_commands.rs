//! The extension's admin commands, run by the sidecar against the real cluster (issue 5; the
//! commands not yet executed answer UNKNOWN_SERVER_ERROR and are not tested here).

use std::collections::BTreeSet;
use std::time::Duration;

use adminwire_protocol::generated::cluster_metadata_response::Broker;
use adminwire_protocol::{ClusterMetadataRequest, ListTopicsRequest};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic, wait_until};
use kafka_protocol::messages::{ApiKey, FindCoordinatorRequest, FindCoordinatorResponse};
use kafka_protocol::protocol::StrBytes;

fn list_topics(
    connection: &mut RawConnection,
    version: i16,
    exclude_internal: bool,
) -> Vec<String> {
    let request = ListTopicsRequest { exclude_internal, ..Default::default() };
    let response = connection.call(request, version);
    assert_eq!(response.error_code, 0, "{:?}", response.error_message);
    response.topics.expect("a list")
}

#[test]
fn cluster_metadata_lists_the_sidecars_brokers_and_the_controller() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    for version in 0..=1 {
        let mut connection = RawConnection::connect(&sidecar.bootstrap());
        let response = connection.call(ClusterMetadataRequest::default(), version);
        assert_eq!(response.error_code, 0);
        let addresses: Vec<(i32, String)> = response
            .brokers
            .iter()
            .map(|b| (b.node_id, format!("{}:{}", b.host, b.port)))
            .collect();
        let expected: Vec<(i32, String)> =
            cluster.node_ids().into_iter().map(|n| (n, sidecar.broker_address(n))).collect();
        assert_eq!(addresses, expected, "v{version}: brokers at the sidecar's listeners");
        let controller: &Broker = response.controller.as_ref().expect("a controller");
        assert!(response.brokers.contains(controller), "the controller is one of the brokers");
        if version >= 1 {
            let racks: Vec<Option<String>> =
                response.brokers.iter().map(|b| b.rack.clone()).collect();
            let expected: Vec<Option<String>> = cluster
                .node_ids()
                .into_iter()
                .map(|n| Some(cluster.node_rack(n).to_owned()))
                .collect();
            assert_eq!(racks, expected);
            assert_eq!(response.cluster_id.as_deref(), cluster.state("CLUSTER_ID"));
        } else {
            assert!(response.brokers.iter().all(|b| b.rack.is_none()), "v0 has no racks");
        }
    }
}

#[test]
fn list_topics_lists_what_the_cluster_has_and_can_leave_out_internal_topics() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("listed");
    cluster.create_topic(&topic, 1);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    // Asking for a group's coordinator makes the cluster create __consumer_offsets.
    connection.send(
        ApiKey::FindCoordinator,
        4,
        1,
        &FindCoordinatorRequest::default()
            .with_coordinator_keys(vec![StrBytes::from_static_str("admin-commands")]),
    );
    let _: (i32, FindCoordinatorResponse) = connection.receive(ApiKey::FindCoordinator, 4);
    wait_until(Duration::from_secs(60), "__consumer_offsets listed", || {
        let all = list_topics(&mut connection, 0, false);
        if all.iter().any(|t| t == "__consumer_offsets") { Ok(()) } else { Err(format!("{all:?}")) }
    })
    .unwrap();
    for version in 0..=1 {
        let all = list_topics(&mut connection, version, false);
        assert!(all.contains(&topic), "v{version}: {all:?}");
        assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted and distinct: {all:?}");
    }
    let without_internal = list_topics(&mut connection, 1, true);
    assert!(without_internal.contains(&topic));
    assert!(!without_internal.iter().any(|t| t == "__consumer_offsets"), "{without_internal:?}");
}

#[test]
fn commands_run_as_the_client_so_the_brokers_acls_decide() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("alice-admin");
    cluster
        .topic_command(
            "admin",
            &["--create", "--topic", &topic, "--partitions", "1", "--replication-factor", "3"],
        )
        .expect_success("create topic as admin");
    cluster.wait_for_topic(Some("admin"), &topic, 1);

    let topics_of = |user: &str| -> BTreeSet<String> {
        let mut connection = RawConnection::connect_as(&sidecar.bootstrap(), cluster, user);
        list_topics(&mut connection, 1, false).into_iter().collect()
    };
    assert!(topics_of("admin").contains(&topic), "the super user sees it");
    assert!(topics_of("alice").contains(&topic), "alice may describe alice-* topics");
    assert!(
        !topics_of("bob").contains(&topic),
        "bob has no ACL for it and must not see it through the sidecar"
    );

    // Without authenticating, the broker refuses the command's request by closing the
    // connection: the client learns only that, and its connection ends too.
    let mut anonymous = RawConnection::connect(&sidecar.bootstrap());
    let refused = anonymous.call(ListTopicsRequest::default(), 1);
    assert_eq!(refused.error_code, 8, "BROKER_NOT_AVAILABLE: {:?}", refused.error_message);
    assert_eq!(refused.topics, None, "no topic reaches an unauthenticated client");
    assert!(anonymous.is_closed_by_peer());
}

#[test]
fn with_require_controller_only_the_controllers_listener_takes_admin_requests() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start_with(cluster, |c| c.listen.require_controller = true);
    let mut bootstrap = RawConnection::connect(&sidecar.bootstrap());
    // ClusterMetadata is answered anywhere: it is how a client finds the controller.
    let metadata = bootstrap.call(ClusterMetadataRequest::default(), 1);
    let controller = metadata.controller.expect("a controller");
    let controller_address = format!("{}:{}", controller.host, controller.port);
    assert_eq!(controller_address, sidecar.broker_address(controller.node_id));

    let refused = |connection: &mut RawConnection| {
        let response = connection.call(ListTopicsRequest::default(), 1);
        (response.error_code, response.error_message.unwrap_or_default())
    };
    let (code, message) = refused(&mut bootstrap);
    assert_eq!(code, 1001, "the bootstrap listener fronts no particular broker");
    assert!(message.contains(&controller_address), "names where to go: {message}");
    for node in cluster.node_ids().into_iter().filter(|n| *n != controller.node_id) {
        let mut other = RawConnection::connect(&sidecar.broker_address(node));
        assert_eq!(refused(&mut other).0, 1001, "broker {node}'s listener");
    }
    let mut at_controller = RawConnection::connect(&controller_address);
    assert!(!list_topics(&mut at_controller, 1, false).is_empty());
}

#[test]
fn by_default_every_listener_takes_admin_requests() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    // Broker listeners open once the sidecar has learned the brokers, just after it starts.
    sidecar.wait_for_brokers(cluster.node_ids().len());
    for address in sidecar.addresses() {
        let mut connection = RawConnection::connect(&address);
        list_topics(&mut connection, 1, false);
    }
}

#[test]
fn a_command_past_its_deadline_answers_request_timed_out_and_the_connection_stays_in_step() {
    let cluster = Cluster::plain();
    // Every request a command sends is already past its deadline.
    let sidecar = TestSidecar::start_with(cluster, |c| c.upstream.request_timeout_ms = 0);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let response = connection.call(ListTopicsRequest::default(), 1);
    assert_eq!(response.error_code, 7, "REQUEST_TIMED_OUT: {:?}", response.error_message);
    assert!(response.topics.is_none());
    // The broker's late answer to the command is consumed in order and dropped: the client's own
    // next request still gets its own response.
    connection.send(
        kafka_protocol::messages::ApiKey::Metadata,
        12,
        77,
        &kafka_protocol::messages::MetadataRequest::default().with_topics(Some(vec![])),
    );
    let (correlation_id, metadata): (i32, kafka_protocol::messages::MetadataResponse) =
        connection.receive(kafka_protocol::messages::ApiKey::Metadata, 12);
    assert_eq!((correlation_id, metadata.brokers.len()), (77, 3));
}
