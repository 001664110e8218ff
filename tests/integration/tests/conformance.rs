//! Cross-language conformance (`tests/conformance`): two implementations of the extension written
//! only from `protocol-specs/` and `docs/protocol.md`, outside Rust, against an in-process sidecar
//! in front of the real plain cluster.
//!
//! - Python (pytest): a generic codec that interprets the JSON specs, checked against every golden
//!   vector, then every request in both versions, and the malformed ones, sent to the sidecar.
//! - Java (Maven, JUnit 5): the seed's `AdminClient` over plain sockets, checked against the
//!   vectors and, through Kafka's own Java `Admin` talking to the cluster directly, the cluster.
//!
//! Each suite gets the sidecar's and the cluster's addresses in environment variables (see
//! `tests/conformance/README.md`); this test asserts it passed and shows its output if not.

use std::process::Command;
use std::time::{Duration, Instant};

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, repo_root, run, unique_topic};

/// Either suite takes seconds; a loaded machine and Maven's JVM start get generous room.
const SUITE_TIMEOUT: Duration = Duration::from_secs(300);

/// The extension's APIs, as the sidecar's metrics name them.
const APIS: [&str; 10] = [
    "ClusterMetadata",
    "CreateTopic",
    "AlterTopic",
    "DeleteTopic",
    "DescribeTopic",
    "ListTopics",
    "ReassignPartitions",
    "VerifyReassignPartitions",
    "PreferredReplicaLeaderElection",
    "VerifyPreferredReplicaLeaderElection",
];

/// The variables both suites read: where the sidecar and the cluster are, and a topic prefix.
fn suite_env(cmd: &mut Command, cluster: &Cluster, sidecar: &TestSidecar, prefix: &str) {
    let brokers: Vec<String> = cluster
        .node_ids()
        .into_iter()
        .map(|node| format!("{node}={}", sidecar.broker_address(node)))
        .collect();
    cmd.env("ADMINWIRE_SIDECAR_BOOTSTRAP", sidecar.bootstrap())
        .env("ADMINWIRE_SIDECAR_BROKERS", brokers.join(","))
        .env("ADMINWIRE_CLUSTER_BOOTSTRAP", cluster.bootstrap())
        .env("ADMINWIRE_TOPIC_PREFIX", prefix)
        .env_remove("ADMINWIRE_CONFORMANCE_OFFLINE");
}

/// How many requests of `api` the sidecar has received.
fn received(sidecar: &TestSidecar, api: &str) -> f64 {
    sidecar.metric(&format!("adminwire_requests_total{{api=\"{api}\"}}")).unwrap_or(0.0)
}

/// Every extension API reached the sidecar at least `times` more times than `before` counted.
fn assert_received(sidecar: &TestSidecar, before: &[f64], times: f64, suite: &str) {
    for (api, before) in APIS.iter().zip(before) {
        let now = received(sidecar, api);
        assert!(now - before >= times, "{suite}: {api} reached the sidecar {} times", now - before);
    }
}

fn counts(sidecar: &TestSidecar) -> Vec<f64> {
    APIS.iter().map(|api| received(sidecar, api)).collect()
}

#[test]
fn python_generic_codec_against_the_vectors_and_the_sidecar() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(cluster.node_ids().len());
    let before = counts(&sidecar);
    let dir = repo_root().join("tests/conformance/python");
    let mut pytest = Command::new("python3");
    pytest
        .args(["-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEs"])
        .args(["-W", "ignore::DeprecationWarning"])
        .arg(&dir)
        .current_dir(&dir)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    suite_env(&mut pytest, cluster, &sidecar, &unique_topic("conf-py"));
    let started = Instant::now();
    let out = run(&mut pytest, SUITE_TIMEOUT).unwrap_or_else(|e| panic!("pytest: {e}"));
    let took = started.elapsed();
    let summary = out.stdout.lines().last().unwrap_or_default().to_owned();
    assert!(
        out.status.success()
            && summary.contains(" passed")
            && !summary.contains("skipped")
            && !summary.contains("failed"),
        "the Python conformance suite failed after {took:.1?}:\n{}",
        out.combined()
    );
    eprintln!("python conformance: {summary} (took {took:.1?})");
    // Both versions of every request went through this sidecar.
    assert_received(&sidecar, &before, 2.0, "python");
}
