//! Cross-language conformance (`tests/conformance`): two implementations of the extension written
//! only from `protocol-specs/` and `docs/protocol.md`, outside Rust, against an in-process sidecar
//! in front of the real plain cluster.
//!
//! - Python (pytest): a generic codec that interprets the JSON specs, checked against every golden
//!   vector, then every request in each of its versions, and the malformed ones, sent to the
//!   sidecar, including the reassignment jobs (keys 30010-30012, version 0) and the cluster links'
//!   malformed requests (30013-30017).
//! - Java (Maven, JUnit 5): the seed's `AdminClient` and hand-written records for the reassignment
//!   jobs' and the cluster links' messages over plain sockets, checked against the vectors and,
//!   through Kafka's own Java `Admin` talking to the cluster directly, the cluster.
//!
//! Each suite gets the sidecar's and the cluster's addresses in environment variables (see
//! `tests/conformance/README.md`); this test asserts it passed and shows its output if not.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, repo_root, run, unique_topic};

/// Either suite takes seconds; a loaded machine and Maven's JVM start get generous room.
const SUITE_TIMEOUT: Duration = Duration::from_secs(300);

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

/// The extension's APIs the suites send, by the names the sidecar's metrics give them: KIP-4's
/// and the reassignment jobs' (the cluster links' keys, 30013-30017, are sent by the links tests).
fn extension_apis() -> impl Iterator<Item = &'static str> {
    adminwire_protocol::ApiKey::ALL
        .iter()
        .filter(|key| (**key as i16) <= 30012)
        .map(|key| key.name())
}

/// How many requests of `api` the sidecar has received.
fn received(sidecar: &TestSidecar, api: &str) -> f64 {
    sidecar.metric(&format!("adminwire_requests_total{{api=\"{api}\"}}")).unwrap_or(0.0)
}

/// Every extension API reached the sidecar at least `times` more times than `before` counted.
fn assert_received(sidecar: &TestSidecar, before: &[f64], times: f64, suite: &str) {
    for (api, before) in extension_apis().zip(before) {
        let now = received(sidecar, api);
        assert!(now - before >= times, "{suite}: {api} reached the sidecar {} times", now - before);
    }
}

fn counts(sidecar: &TestSidecar) -> Vec<f64> {
    extension_apis().map(|api| received(sidecar, api)).collect()
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
    // Exit status 0 means no failure; a skipped test would mean a missing variable.
    assert!(
        out.status.success() && summary.contains(" passed") && !summary.contains("skipped"),
        "the Python conformance suite failed after {took:.1?}:\n{}",
        out.combined()
    );
    eprintln!("python conformance: {summary} (took {took:.1?})");
    // Every request (each version of it) went through this sidecar.
    assert_received(&sidecar, &before, 2.0, "python");
}

/// The Java suite's test count: the vectors (89 and 3 more), the bad requests (61), the
/// AdminClient's every call in version 0 and version 1 (2), and the reassignment jobs (6).
const JAVA_TESTS: u32 = 161;

/// Totals of the surefire reports (`TEST-*.xml`) in `reports`: tests, and failures + errors + skips.
fn surefire_totals(reports: &Path) -> (u32, u32) {
    let attribute = |tag: &str, name: &str| -> u32 {
        tag.split_once(&format!(" {name}=\""))
            .and_then(|(_, rest)| rest.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(reports)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        name.starts_with("TEST-") && name.ends_with(".xml")
    });
    let (mut tests, mut bad) = (0, 0);
    for file in files {
        let xml = std::fs::read_to_string(&file).expect("a readable surefire report");
        let start = xml.find("<testsuite ").expect("a testsuite element");
        let tag = &xml[start..start + xml[start..].find('>').expect("a closed tag")];
        tests += attribute(tag, "tests");
        bad += attribute(tag, "failures") + attribute(tag, "errors") + attribute(tag, "skipped");
    }
    (tests, bad)
}

/// The tests' own output (`*-output.txt`), for a failure message.
fn surefire_output(reports: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(reports).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.to_string_lossy().ends_with("-output.txt") {
            let content = std::fs::read_to_string(&path).unwrap_or_default();
            text.push_str(&format!("--- {}\n{content}\n", path.display()));
        }
    }
    text
}

#[test]
fn java_admin_client_against_the_vectors_the_sidecar_and_kafkas_admin() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(cluster.node_ids().len());
    let before = counts(&sidecar);
    let pom = repo_root().join("tests/conformance/java/pom.xml");
    let build_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-java");
    let reports = build_dir.join("surefire-reports");
    // Reports of an earlier run must not count for this one.
    let _ = std::fs::remove_dir_all(&reports);
    let mut mvn = Command::new("mvn");
    // Offline: scripts/setup has fetched the pom's artifacts.
    mvn.args(["-q", "-o", "-B", "-Dstyle.color=never", "-f"])
        .arg(&pom)
        .arg("test")
        .arg(format!("-Dadminwire.buildDir={}", build_dir.display()))
        .arg(format!("-Dadminwire.specs={}", repo_root().join("protocol-specs").display()));
    if std::env::var_os("MAVEN_OPTS").is_none() {
        mvn.env("MAVEN_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m");
    }
    suite_env(&mut mvn, cluster, &sidecar, &unique_topic("conf"));
    let started = Instant::now();
    let out = run(&mut mvn, SUITE_TIMEOUT)
        .unwrap_or_else(|e| panic!("mvn did not finish: {e}\n{}", surefire_output(&reports)));
    let took = started.elapsed();
    let (tests, bad) = surefire_totals(&reports);
    assert!(
        out.status.success() && tests == JAVA_TESTS && bad == 0,
        "the Java conformance suite failed after {took:.1?}: {tests} tests (expected \
         {JAVA_TESTS}), {bad} failed, errored or skipped\n{}\n{}",
        out.combined(),
        surefire_output(&reports),
    );
    eprintln!("java conformance: {tests} passed in {took:.1?}");
    assert_received(&sidecar, &before, 2.0, "java");
}
