//! A broker SIGKILLed and restarted while a producer runs through the sidecar: the sidecar stays
//! up and healthy, the producer (confluent-kafka, idempotent, acks=all) gets every record
//! acknowledged, everything is readable through the sidecar afterwards, and new clients still get
//! in. The node killed leads a partition of the topic being written.
//!
//! This kills a node of the shared plain cluster, like `tests/support/tests/faults.rs`: `cargo
//! test` runs test binaries one after another and this binary holds this one test, so no other
//! test sees the node go. The node is back in every ISR before the test ends (and restarted by a
//! guard if the test fails while it is down).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, repo_root, unique_topic, wait_until};

const RECORDS: u64 = 2_000;
/// How long the producer spreads its records over: long enough that the node is killed, fenced
/// and started again while it still runs (about 12 s in, measured on 2 busy cores).
const PRODUCE_SECONDS: u64 = 30;

/// Kills the producer if the test fails before it exits.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Live broker ids, and (partition, leader, ISR) of each partition, as kcat sees them via `via`.
type View = (BTreeSet<i64>, Vec<(i64, i64, BTreeSet<i64>)>);

fn view(cluster: &Cluster, via: &str, topic: &str) -> Result<View, String> {
    let md = cluster.kcat_metadata(None, via, topic)?;
    let brokers = md["brokers"]
        .as_array()
        .ok_or("no brokers")?
        .iter()
        .filter_map(|b| b["id"].as_i64())
        .collect();
    let mut partitions: Vec<_> = md["topics"][0]["partitions"]
        .as_array()
        .ok_or_else(|| format!("no partitions: {md}"))?
        .iter()
        .map(|p| {
            let isr =
                p["isrs"].as_array().map(|a| a.iter().filter_map(|r| r["id"].as_i64()).collect());
            (
                p["partition"].as_i64().unwrap_or(-1),
                p["leader"].as_i64().unwrap_or(-1),
                isr.unwrap_or_default(),
            )
        })
        .collect();
    partitions.sort_unstable();
    Ok((brokers, partitions))
}

fn python_script(sidecar: &TestSidecar, mode: &str, topic: &str) -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg(repo_root().join("tests/integration/python/confluent_clients.py"))
        .arg(mode)
        .args(["--bootstrap", &sidecar.bootstrap()])
        .args(["--allowed", &sidecar.addresses().join(",")])
        .args(["--topic", topic, "--prefix", "fault", "--records", &RECORDS.to_string()]);
    cmd
}

#[test]
fn a_leader_killed_and_restarted_under_a_running_producer() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = unique_topic("sidecar-faults");
    cluster.create_topic(&topic, 3);
    let all: BTreeSet<i64> = cluster.node_ids().into_iter().map(i64::from).collect();
    let (_, partitions) =
        wait_until(Duration::from_secs(30), "all three nodes in every ISR", || {
            let v = view(cluster, &sidecar.bootstrap(), &topic)?;
            let ok = v.0 == all && v.1.len() == 3 && v.1.iter().all(|(_, _, isr)| *isr == all);
            if ok { Ok(v) } else { Err(format!("{v:?}")) }
        })
        .unwrap();
    // The sidecar bootstraps through any of the three nodes (round robin); the victim leads a
    // partition and, where possible, is not node 1, the first bootstrap server.
    let leaders: BTreeSet<i64> = partitions.iter().map(|(_, l, _)| *l).collect();
    let victim = leaders.iter().copied().find(|&l| l != 1).or(leaders.first().copied()).unwrap();
    let victim = i32::try_from(victim).unwrap();
    let survivor = cluster.node_ids().into_iter().find(|&n| n != victim).unwrap();
    eprintln!("leaders {partitions:?}; killing node {victim}");

    // Shared with the threads below: the health poller's stop flag, the producer's progress.
    let stop_health = AtomicBool::new(false);
    let acked = AtomicU64::new(0);
    let stdout_lines = Mutex::new(Vec::new());
    thread::scope(|scope| {
        let health = scope.spawn(|| {
            let mut checks = 0u32;
            let mut bad = Vec::new();
            while !stop_health.load(Ordering::Relaxed) {
                let (status, body) = sidecar.http_get("/health");
                checks += 1;
                if status != 200 {
                    bad.push(format!("{status}: {body}"));
                }
                thread::sleep(Duration::from_millis(100));
            }
            (checks, bad)
        });

        let started = Instant::now();
        let mut producer = python_script(&sidecar, "produce", &topic);
        producer.args(["--seconds", &PRODUCE_SECONDS.to_string()]);
        let mut producer = KillOnDrop(
            producer
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("python3 runs"),
        );
        let mut stdout = producer.0.stdout.take().unwrap();
        let mut stderr = producer.0.stderr.take().unwrap();
        let (acked_ref, lines_ref) = (&acked, &stdout_lines);
        scope.spawn(move || {
            for line in BufReader::new(&mut stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("acked ").and_then(|n| n.parse().ok()) {
                    acked_ref.store(n, Ordering::Relaxed);
                }
                lines_ref.lock().unwrap().push(line);
            }
        });
        let stderr_text = scope.spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let acked_now = || acked.load(Ordering::Relaxed);

        wait_until(Duration::from_secs(60), "the producer to get 200 records acknowledged", || {
            if acked_now() >= 200 { Ok(()) } else { Err(format!("{} acked", acked_now())) }
        })
        .unwrap();

        let _guard = cluster.restart_on_drop(victim);
        cluster.kill_node(victim);
        let killed_at = (started.elapsed(), acked_now());
        eprintln!("killed node {victim} at {:.1?} with {} acked", killed_at.0, killed_at.1);

        // Through the sidecar, clients see the node fenced and its partitions led elsewhere.
        wait_until(Duration::from_secs(30), "the victim out of the metadata", || {
            let (brokers, parts) = view(cluster, &sidecar.bootstrap(), &topic)?;
            let ok = !brokers.contains(&victim.into())
                && parts
                    .iter()
                    .all(|(_, l, isr)| *l >= 0 && *l != i64::from(victim) && isr.len() == 2);
            if ok { Ok(()) } else { Err(format!("{brokers:?} {parts:?}")) }
        })
        .unwrap();
        // And the producer goes on writing while the node is down.
        let before = acked_now();
        wait_until(
            Duration::from_secs(60),
            "200 more records acknowledged with the node down",
            || {
                if acked_now() >= before + 200 {
                    Ok(())
                } else {
                    Err(format!("{} acked", acked_now()))
                }
            },
        )
        .unwrap();
        let acked_while_down = acked_now() - killed_at.1;

        assert!(
            producer.0.try_wait().unwrap().is_none(),
            "the producer finished before the node was restarted; raise PRODUCE_SECONDS"
        );
        eprintln!("restarting node {victim} at {:.1?}", started.elapsed());
        cluster.restart_node(victim);
        eprintln!("node {victim} answers again at {:.1?}", started.elapsed());

        let deadline = Instant::now() + Duration::from_secs(180);
        let status = loop {
            if let Some(status) = producer.0.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the producer is still running after 180 s");
            thread::sleep(Duration::from_millis(100));
        };
        let stderr_text = stderr_text.join().unwrap();
        let lines = stdout_lines.lock().unwrap().clone();
        assert!(
            status.success(),
            "producer failed ({status}):\n{}\n{stderr_text}",
            lines.join("\n")
        );
        let summary: serde_json::Value =
            serde_json::from_str(lines.last().map(String::as_str).unwrap_or_default())
                .unwrap_or_else(|e| panic!("no summary ({e}): {lines:?}"));
        assert_eq!(summary["acked"], RECORDS, "{summary}");
        eprintln!(
            "producer done at {:.1?}: {summary}, {acked_while_down} acked while node {victim} was down",
            started.elapsed()
        );

        // The node catches up and rejoins every ISR; the sidecar's listener for it serves again.
        wait_until(Duration::from_secs(90), "the restarted node back in every ISR", || {
            let (brokers, parts) = view(cluster, &cluster.node_address(survivor), &topic)?;
            let ok = brokers == all && parts.iter().all(|(_, _, isr)| *isr == all);
            if ok { Ok(()) } else { Err(format!("{brokers:?} {parts:?}")) }
        })
        .unwrap();
        let (brokers, _) = wait_until(Duration::from_secs(30), "its sidecar listener", || {
            view(cluster, &sidecar.broker_address(victim), &topic)
        })
        .unwrap();
        assert_eq!(brokers, all);

        stop_health.store(true, Ordering::Relaxed);
        let (checks, bad) = health.join().unwrap();
        assert!(bad.is_empty(), "/health failed {} of {checks} times: {bad:?}", bad.len());
        assert!(checks >= 50, "only {checks} health checks");
        eprintln!("/health: {checks} checks, all 200");
    });

    // A new client, with a new group, reads everything back through the sidecar.
    let mut consumer = python_script(&sidecar, "consume", &topic);
    consumer.args(["--group", &unique_topic("sidecar-faults-group")]);
    let out = adminwire_test_support::run(&mut consumer, Duration::from_secs(180)).unwrap();
    out.expect_success("a new consumer group through the sidecar after the restart");
    assert!(
        sidecar.metric("adminwire_connections_total").unwrap_or(0.0) >= 1.0,
        "the sidecar counted no connections"
    );
}
