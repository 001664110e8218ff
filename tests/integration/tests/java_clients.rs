//! Kafka's own Java clients (kafka-clients from Maven Central, the cluster's version) through the
//! sidecar: the JUnit tests of `tests/java-clients`, run by Maven against a sidecar this test
//! starts. The Java side gets only the sidecar's addresses for its clients; the cluster's own
//! address is handed over for checking outcomes (and, on the secured cluster, to run the same
//! script directly and compare).

mod java_common;

use std::time::Instant;

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, run};
use java_common::{MAVEN_TIMEOUT, build_dir, client_output, maven, totals};

/// The consumer group protocols the cluster offers by default: Kafka 4 made KIP-848's `consumer`
/// protocol generally available and on; 3.9 offers only `classic` unless configured otherwise.
fn group_protocols(cluster: &Cluster) -> &'static [&'static str] {
    if cluster.kafka_release() >= (4, 0) { &["consumer", "classic"] } else { &["classic"] }
}

/// Runs the JUnit tests tagged `group` with the sidecar's and the cluster's addresses, compiled
/// against the cluster's own release of kafka-clients; asserts that exactly `expected_tests` ran
/// and all passed.
fn run_java_tests(group: &str, cluster: &Cluster, sidecar: &TestSidecar, expected_tests: u32) {
    let build_dir = build_dir(group);
    let reports = build_dir.join("surefire-reports");
    // Reports of an earlier run must not count for this one.
    let _ = std::fs::remove_dir_all(&reports);
    let brokers: Vec<String> = cluster
        .node_ids()
        .into_iter()
        .map(|node| format!("{node}={}", sidecar.broker_address(node)))
        .collect();
    let mut mvn = maven(
        group,
        &build_dir,
        &[
            ("kafka.version", cluster.kafka_version().to_owned()),
            ("adminwire.groupProtocols", group_protocols(cluster).join(",")),
            ("adminwire.bootstrap", sidecar.bootstrap()),
            ("adminwire.brokers", brokers.join(",")),
            ("adminwire.direct", cluster.bootstrap().to_owned()),
            ("adminwire.clients", cluster.dir().join("clients").display().to_string()),
        ],
    );
    let started = Instant::now();
    let out = run(&mut mvn, MAVEN_TIMEOUT).unwrap_or_else(|e| {
        panic!("mvn ({group}) did not finish: {e}\n{}", client_output(&reports, 80))
    });
    let took = started.elapsed();
    let totals = totals(&reports);
    assert!(
        out.status.success()
            && totals.tests == expected_tests
            && totals.failures + totals.errors + totals.skipped == 0,
        "Java client tests ({group}) through the sidecar failed after {took:.1?}: {totals:?}, \
         expected {expected_tests} tests\n{}\n{}",
        out.combined(),
        client_output(&reports, 120),
    );
    eprintln!("java client tests ({group}): {} passed in {took:.1?}", totals.tests);
}

#[test]
fn java_admin_producer_and_consumer_groups_through_the_sidecar() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(cluster.node_ids().len());
    // AdminThroughSidecarTest (4) and ProduceConsumeThroughSidecarTest (one per group protocol).
    let protocols = group_protocols(cluster);
    run_java_tests("plain", cluster, &sidecar, 4 + protocols.len() as u32);
    assert!(
        sidecar
            .metric("adminwire_requests_total{api=\"AlterPartitionReassignments\"}")
            .unwrap_or(0.0)
            >= 1.0
    );
    if protocols.contains(&"consumer") {
        assert!(
            sidecar
                .metric("adminwire_requests_total{api=\"ConsumerGroupHeartbeat\"}")
                .unwrap_or(0.0)
                >= 1.0
        );
    }
    assert!(sidecar.metric("adminwire_requests_total{api=\"JoinGroup\"}").unwrap_or(0.0) >= 1.0);
}

#[test]
fn java_clients_on_the_secured_cluster_get_the_brokers_answers_through_the_sidecar() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    // SecuredClusterTest: one script run directly and through the sidecar, outcomes compared.
    run_java_tests("secure", cluster, &sidecar, 1);
    assert!(
        sidecar.metric("adminwire_requests_total{api=\"SaslAuthenticate\"}").unwrap_or(0.0) >= 1.0
    );
}
