//! Kafka's own Java clients (kafka-clients from Maven Central, the cluster's version) through the
//! sidecar: the JUnit tests of `tests/java-clients`, run by Maven against a sidecar this test
//! starts. The Java side gets only the sidecar's addresses for its clients; the cluster's own
//! address is handed over for checking outcomes (and, on the secured cluster, to run the same
//! script directly and compare).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, repo_root, run};

/// Maven's first run downloads the plugins and kafka-clients (`scripts/setup` fetches them ahead).
const MAVEN_TIMEOUT: Duration = Duration::from_secs(900);

/// Totals of the surefire reports of one run.
#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    tests: u32,
    failures: u32,
    errors: u32,
    skipped: u32,
}

fn attribute(tag: &str, name: &str) -> u32 {
    let key = format!(" {name}=\"");
    tag.split_once(&key)
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
}

fn report_files(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    name.starts_with(prefix) && name.ends_with(suffix)
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn totals(reports: &Path) -> Totals {
    let mut totals = Totals::default();
    for file in report_files(reports, "TEST-", ".xml") {
        let xml = std::fs::read_to_string(&file).expect("a readable surefire report");
        let start = xml.find("<testsuite ").expect("a testsuite element");
        let tag = &xml[start..start + xml[start..].find('>').expect("a closed tag")];
        totals.tests += attribute(tag, "tests");
        totals.failures += attribute(tag, "failures");
        totals.errors += attribute(tag, "errors");
        totals.skipped += attribute(tag, "skipped");
    }
    totals
}

/// The last `lines` lines of every test's captured client output, for a failure message.
fn client_output(reports: &Path, lines: usize) -> String {
    let mut text = String::new();
    for file in report_files(reports, "", "-output.txt") {
        let content = std::fs::read_to_string(&file).unwrap_or_default();
        let all: Vec<&str> = content.lines().collect();
        let tail = &all[all.len().saturating_sub(lines)..];
        text.push_str(&format!(
            "--- {} (last {} lines)\n{}\n",
            file.display(),
            tail.len(),
            tail.join("\n")
        ));
    }
    text
}

/// The consumer group protocols the cluster offers by default: Kafka 4 made KIP-848's `consumer`
/// protocol generally available and on; 3.9 offers only `classic` unless configured otherwise.
fn group_protocols(cluster: &Cluster) -> &'static [&'static str] {
    if cluster.kafka_release() >= (4, 0) { &["consumer", "classic"] } else { &["classic"] }
}

/// Runs the JUnit tests tagged `group` with the sidecar's and the cluster's addresses, compiled
/// against the cluster's own release of kafka-clients; asserts that exactly `expected_tests` ran
/// and all passed.
fn run_java_tests(group: &str, cluster: &Cluster, sidecar: &TestSidecar, expected_tests: u32) {
    let pom = repo_root().join("tests/java-clients/pom.xml");
    let build_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("java-clients").join(group);
    let reports = build_dir.join("surefire-reports");
    // Reports of an earlier run must not count for this one.
    let _ = std::fs::remove_dir_all(&reports);
    let brokers: Vec<String> = cluster
        .node_ids()
        .into_iter()
        .map(|node| format!("{node}={}", sidecar.broker_address(node)))
        .collect();
    let mut mvn = Command::new("mvn");
    mvn.args(["-q", "-B", "-Dstyle.color=never", "-f"])
        .arg(&pom)
        .arg("test")
        .arg(format!("-Dgroups={group}"))
        .arg(format!("-Dkafka.version={}", cluster.kafka_version()))
        .arg(format!("-Dadminwire.groupProtocols={}", group_protocols(cluster).join(",")))
        .arg(format!("-Dadminwire.buildDir={}", build_dir.display()))
        .arg(format!("-Dadminwire.bootstrap={}", sidecar.bootstrap()))
        .arg(format!("-Dadminwire.brokers={}", brokers.join(",")))
        .arg(format!("-Dadminwire.direct={}", cluster.bootstrap()))
        .arg(format!("-Dadminwire.clients={}", cluster.dir().join("clients").display()));
    if std::env::var_os("MAVEN_OPTS").is_none() {
        // Maven itself only compiles a few classes and forks the tests: a quick-starting JVM.
        mvn.env("MAVEN_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m");
    }
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
