//! Idempotent Java producers under stress, through the sidecar and (the control) directly: the
//! JUnit test `IdempotentProducersUnderStressTest` of `tests/java-clients` produces with four
//! idempotent producers (`acks=all`, five requests in flight, a 2 s request timeout) records small
//! and large, so that the sidecar both gathers and streams requests, while this test starves the
//! CPU and kills and restarts a broker in the middle; then the Java side reads everything back and
//! checks each acknowledged record is in the log once, in order (see the class).
//!
//! This kills a node of the shared plain cluster, like `sidecar_faults.rs`: `cargo test` runs test
//! binaries one after another, and the tests of this binary take turns, so no other test sees the
//! node go. A guard restarts it if a test fails while it is down.

mod java_common;

use std::fmt;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, run, wait_until};
use java_common::{MAVEN_TIMEOUT, build_dir, client_output, maven, totals};

/// The node frozen (SIGSTOP) for a moment, so that requests to it time out and the clients drop
/// their connections with requests on them, large ones among them half sent.
const FROZEN: i32 = 2;
/// Producers of the Java test: each has a connection to the frozen node that should time out.
const PRODUCERS: u64 = 4;
/// The node killed and restarted in the middle: with six partitions on three nodes it leads some.
const VICTIM: i32 = 3;
/// Records acknowledged before the faults start, and after leadership moved off the killed node.
const BEFORE_FAULTS: u64 = 1_500;
const WHILE_DOWN: u64 = 1_000;
/// CPU hogs stop by then even if Maven hangs; the Java side's own limits are shorter.
const HOG_LIMIT: Duration = Duration::from_secs(300);

/// The two tests kill the same node of the same cluster: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Sidecar,
    Direct,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Via::Sidecar => "sidecar",
            Via::Direct => "direct",
        })
    }
}

/// A count from the `progress` file the Java side keeps writing (`acked`, `failed`, `retries`,
/// `closes`).
fn progress(exchange: &Path, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(exchange.join("progress")).ok()?;
    let prefix = format!("{key}=");
    text.split_whitespace().find_map(|f| f.strip_prefix(prefix.as_str()))?.parse().ok()
}

/// Leaders of the topic's partitions as node `via` sees them, once each has one.
fn leaders(cluster: &Cluster, via: i32, topic: &str) -> Result<Vec<i64>, String> {
    let md = cluster.kcat_metadata(None, &cluster.node_address(via), topic)?;
    let parts = md["topics"][0]["partitions"].as_array().cloned().unwrap_or_default();
    let leaders: Vec<i64> = parts.iter().map(|p| p["leader"].as_i64().unwrap_or(-1)).collect();
    if leaders.is_empty() || leaders.contains(&-1) {
        return Err(format!("leaders {leaders:?}"));
    }
    Ok(leaders)
}

/// Resumes a frozen node when dropped, so that a failing test leaves it running.
struct ResumeOnDrop<'a>(&'a Cluster, i32);

impl Drop for ResumeOnDrop<'_> {
    fn drop(&mut self) {
        self.0.resume_node(self.1);
    }
}

/// Spins until `stop` is set or `HOG_LIMIT` has passed: a CPU a broker or client does not get.
fn hog(stop: &AtomicBool) {
    let end = Instant::now() + HOG_LIMIT;
    let mut x: u64 = 1;
    while !stop.load(Ordering::Relaxed) && Instant::now() < end {
        for _ in 0..100_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        }
        std::hint::black_box(x);
    }
}

fn stress(via: Via) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let cluster = Cluster::plain();
    let sidecar = (via == Via::Sidecar).then(|| TestSidecar::start(cluster));
    let bootstrap = match &sidecar {
        Some(sidecar) => {
            sidecar.wait_for_brokers(cluster.node_ids().len());
            sidecar.bootstrap()
        }
        None => cluster.bootstrap().to_owned(),
    };
    let build_dir = build_dir(&format!("stress-{via}"));
    let reports = build_dir.join("surefire-reports");
    let exchange = build_dir.join("exchange");
    // Reports and signals of an earlier run must not count for this one.
    let _ = std::fs::remove_dir_all(&reports);
    let _ = std::fs::remove_dir_all(&exchange);
    std::fs::create_dir_all(&exchange).expect("the exchange dir");
    let mut mvn = maven(
        "stress",
        &build_dir,
        &[
            ("kafka.version", cluster.kafka_version().to_owned()),
            ("adminwire.bootstrap", bootstrap),
            ("adminwire.direct", cluster.bootstrap().to_owned()),
            ("adminwire.stress.dir", exchange.display().to_string()),
            ("adminwire.stress.via", via.to_string()),
        ],
    );
    let _restart = cluster.restart_on_drop(VICTIM);
    let stop_hogs = AtomicBool::new(false);
    let started = Instant::now();
    let (out, timeline) = thread::scope(|scope| {
        let maven = scope.spawn(move || run(&mut mvn, MAVEN_TIMEOUT));
        let cores = thread::available_parallelism().map_or(2, |n| n.get());
        for _ in 0..cores {
            scope.spawn(|| hog(&stop_hogs));
        }
        let mut timeline = Vec::new();
        let at = || format!("{:.1?}", started.elapsed());
        // Each wait stops early when Maven is done (its failure is reported below, with its
        // output); a fault that did not get its effect in time is noted, and the run goes on.
        let until = |what: &str, within: u64, check: &dyn Fn() -> Result<String, String>| {
            wait_until(Duration::from_secs(within), what, || {
                if maven.is_finished() { Err("maven finished".to_owned()) } else { check() }
            })
        };
        let count = |key: &str| progress(&exchange, key).unwrap_or(0);
        let started_producing = until("records acknowledged", 240, &|| {
            let n = count("acked");
            if n >= BEFORE_FAULTS { Ok(format!("{n}")) } else { Err(format!("{n} acked")) }
        });
        match started_producing {
            Err(e) => timeline.push(e.to_string()),
            Ok(n) => {
                let closes = count("closes");
                let frozen = ResumeOnDrop(cluster, FROZEN);
                cluster.pause_node(FROZEN);
                timeline.push(format!("{}: node {FROZEN} frozen at {n} acked", at()));
                let timed_out =
                    until("clients to drop connections to the frozen node", 30, &|| {
                        let now = count("closes");
                        if now >= closes + PRODUCERS {
                            Ok(format!("{now}"))
                        } else {
                            Err(format!("{now} closes"))
                        }
                    });
                drop(frozen);
                timeline.push(format!("{}: node {FROZEN} resumed: {timed_out:?} closes", at()));

                let topic = std::fs::read_to_string(exchange.join("topic")).unwrap_or_default();
                cluster.kill_node(VICTIM);
                timeline.push(format!(
                    "{}: node {VICTIM} killed at {} acked",
                    at(),
                    count("acked")
                ));
                let moved = until("leadership to move off the killed node", 60, &|| {
                    let seen = leaders(cluster, 1, &topic)?;
                    if seen.contains(&i64::from(VICTIM)) {
                        Err(format!("leaders {seen:?}"))
                    } else {
                        Ok(format!("leaders {seen:?}"))
                    }
                });
                timeline.push(format!("{}: {moved:?}", at()));
                let n = count("acked");
                let more = until("records acknowledged without the node", 60, &|| {
                    let now = count("acked");
                    if now >= n + WHILE_DOWN { Ok(format!("{now}")) } else { Err(format!("{now}")) }
                });
                timeline.push(format!("{}: {more:?} acked while node {VICTIM} was down", at()));
                cluster.restart_node(VICTIM);
                timeline.push(format!("{}: node {VICTIM} back at {} acked", at(), count("acked")));
                std::fs::write(exchange.join("restarted"), "").expect("the restarted signal");
            }
        }
        let out = maven.join().expect("the maven thread");
        stop_hogs.store(true, Ordering::Relaxed);
        (out, timeline)
    });
    let took = started.elapsed();
    let out = out.unwrap_or_else(|e| {
        panic!("mvn (stress, {via}) did not finish: {e}\n{}", client_output(&reports, 80))
    });
    let totals = totals(&reports);
    let output = client_output(&reports, 400);
    let summary: Vec<&str> = output.lines().filter(|l| l.starts_with("STRESS")).collect();
    eprintln!("stress via {via} in {took:.1?}:\n{}\n{}", timeline.join("\n"), summary.join("\n"));
    assert!(
        out.status.success() && totals.tests == 1 && totals.failures + totals.errors == 0,
        "stress via {via} failed after {took:.1?}: {totals:?}\n{}\n{}\n{}",
        timeline.join("\n"),
        out.combined(),
        client_output(&reports, 150),
    );
}

#[test]
fn idempotent_java_producers_under_stress_through_the_sidecar() {
    stress(Via::Sidecar);
}

/// The control: the same stress without the sidecar, so that a failure through it alone points
/// at the sidecar.
#[test]
fn idempotent_java_producers_under_stress_directly() {
    stress(Via::Direct);
}
