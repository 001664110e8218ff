//! Python's two Kafka client families through the sidecar, as their users run them: kafka-python
//! (pure Python) and confluent-kafka (librdkafka). Each script (`tests/integration/python/`) runs
//! admin operations, produces 2,000 records and reads them back with a consumer group, and fails
//! if any broker address a client is handed is not one of the sidecar's.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, repo_root, run, unique_topic};

/// The scripts' own deadline: admin calls, 2,000 records each way, and a busy machine.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(240);

fn script(name: &str) -> PathBuf {
    repo_root().join("tests/integration/python").join(name)
}

/// Runs a client script against `sidecar` and returns its JSON summary.
fn run_script(sidecar: &TestSidecar, name: &str, args: &[&str]) -> serde_json::Value {
    let mut cmd = Command::new("python3");
    cmd.arg(script(name))
        .args(args)
        .arg("--bootstrap")
        .arg(sidecar.bootstrap())
        .arg("--allowed")
        .arg(sidecar.addresses().join(","));
    let started = Instant::now();
    let out = run(&mut cmd, SCRIPT_TIMEOUT).unwrap_or_else(|e| panic!("{name}: {e}"));
    let stdout = out.expect_success(name);
    let summary = stdout.lines().last().unwrap_or_default();
    eprintln!("{name} took {:.1?}: {summary}", started.elapsed());
    serde_json::from_str(summary).unwrap_or_else(|e| panic!("{name}: bad summary ({e}): {stdout}"))
}

/// How many requests of `api` the sidecar has forwarded.
fn forwarded(sidecar: &TestSidecar, api: &str) -> f64 {
    sidecar.metric(&format!("adminwire_requests_total{{api=\"{api}\"}}")).unwrap_or(0.0)
}

/// The requests each client must have sent through the sidecar (not around it).
fn assert_forwarded(sidecar: &TestSidecar, apis: &[&str]) {
    let missing: Vec<&&str> = apis.iter().filter(|api| forwarded(sidecar, api) < 1.0).collect();
    assert!(missing.is_empty(), "no {missing:?} requests went through the sidecar");
}

#[test]
fn kafka_python_admin_producer_and_consumer_group_through_the_sidecar() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let topic = unique_topic("kafka-python");
    let group = unique_topic("kafka-python-group");
    let summary = run_script(
        &sidecar,
        "kafka_python_clients.py",
        &["--topic", &topic, "--group", &group, "--records", "2000"],
    );
    assert_eq!(summary["records"], 2000, "{summary}");
    assert_forwarded(
        &sidecar,
        &[
            "CreateTopics",
            "DescribeCluster",
            "CreatePartitions",
            "DescribeConfigs",
            "IncrementalAlterConfigs",
            "DeleteTopics",
            "Produce",
            "FindCoordinator",
            "JoinGroup",
            "SyncGroup",
            "Fetch",
            "OffsetCommit",
        ],
    );
}

#[test]
fn confluent_kafka_admin_idempotent_producer_and_consumer_group_through_the_sidecar() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let topic = unique_topic("confluent");
    let group = unique_topic("confluent-group");
    let summary = run_script(
        &sidecar,
        "confluent_clients.py",
        &["roundtrip", "--topic", &topic, "--group", &group, "--records", "2000"],
    );
    assert_eq!(summary["records"], 2000, "{summary}");
    assert_forwarded(
        &sidecar,
        &[
            // librdkafka's describe_cluster asks with Metadata, not DescribeCluster.
            "CreateTopics",
            "DescribeConfigs",
            "IncrementalAlterConfigs",
            "CreatePartitions",
            "DeleteTopics",
            "InitProducerId",
            "Produce",
            "FindCoordinator",
            "JoinGroup",
            "Fetch",
            "OffsetCommit",
        ],
    );
}
