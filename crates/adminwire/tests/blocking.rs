//! `--blocking` at a terminal: the progress bar, Ctrl-C that stops the waiting but not the
//! reassignment (and says how to check on it), and the bar and summary in the shell.
//!
//! A reassignment that stays in progress long enough to be interrupted is made real: the topic
//! has data and Kafka's replication throttle on its replicas (topic configs set by `adminwire
//! --create-topic --config`), and the brokers' throttled rate is low. Only this topic's replicas
//! are throttled, so other tests on the cluster are not slowed.

mod support;

use std::process::Command;
use std::time::Duration;

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{
    Cluster, TOOL_TIMEOUT, run, run_with_input, unique_topic, wait_until,
};
use serde_json::{Value, json};
use support::Terminal;

/// Bytes per second each broker may replicate for throttled replicas: the topic's 1 MB takes
/// about a minute to copy, far longer than the test waits before Ctrl-C.
const THROTTLED_RATE: &str = "20000";

fn adminwire_json(sidecar: &TestSidecar, args: &[&str]) -> Value {
    let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
    command.args(args).args(["--output", "json", "--broker-list", &sidecar.bootstrap()]);
    let out = run(&mut command, Duration::from_secs(90)).expect("adminwire runs");
    let stdout = out.expect_success(&format!("adminwire {args:?}"));
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// Sets (or, with `None`, removes) the brokers' default throttled replication rates with Kafka's
/// own ConfigCommand.
fn throttle_brokers(cluster: &Cluster, rate: Option<&str>) {
    let mut args = vec![
        "--bootstrap-server",
        cluster.bootstrap(),
        "--entity-type",
        "brokers",
        "--entity-default",
        "--alter",
    ];
    let settings;
    match rate {
        Some(rate) => {
            settings = format!(
                "leader.replication.throttled.rate={rate},follower.replication.throttled.rate={rate}"
            );
            args.extend(["--add-config", &settings]);
        }
        None => args.extend([
            "--delete-config",
            "leader.replication.throttled.rate,follower.replication.throttled.rate",
        ]),
    }
    cluster.kafka_tool("ConfigCommand", &args).expect_success("ConfigCommand");
}

/// Lifts the throttle however the test ends, so no later test inherits it.
struct Unthrottle<'a>(&'a Cluster);

impl Drop for Unthrottle<'_> {
    fn drop(&mut self) {
        throttle_brokers(self.0, None);
    }
}

#[test]
fn ctrl_c_stops_waiting_and_the_reassignment_goes_on() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let bootstrap = sidecar.bootstrap();
    let topic = unique_topic("blocking");
    adminwire_json(
        &sidecar,
        &[
            "--create-topic",
            "--topic",
            &topic,
            "--replica-assignment",
            "1:2",
            "--config",
            "leader.replication.throttled.replicas=*",
            "--config",
            "follower.replication.throttled.replicas=*",
        ],
    );
    let records: String = (0..1000).map(|i| format!("{i:04}-{}\n", "x".repeat(1000))).collect();
    let mut produce = Command::new("kcat");
    produce.args(["-b", &bootstrap, "-P", "-t", &topic, "-X", "acks=all"]);
    run_with_input(&mut produce, records.as_bytes(), TOOL_TIMEOUT)
        .unwrap()
        .expect_success("kcat -P");
    throttle_brokers(cluster, Some(THROTTLED_RATE));
    let unthrottle = Unthrottle(cluster);

    let plan = std::env::temp_dir().join(format!("{topic}.json"));
    std::fs::write(
        &plan,
        json!({"version": 1, "partitions": [{"topic": topic, "partition": 0, "replicas": [2, 3]}]})
            .to_string(),
    )
    .unwrap();
    let plan_path = plan.to_str().unwrap();
    let history = std::env::temp_dir().join(unique_topic("blocking-history"));

    let mut terminal = Terminal::start(
        &[
            "--reassign-partitions",
            "--reassignment-json-file",
            plan_path,
            "--blocking",
            "--broker-list",
            &bootstrap,
        ],
        &history,
    );
    terminal.expect("Reassigning");
    terminal.expect("0/1 partitions done: 0 completed, 1 in progress, 0 failed");
    terminal.type_keys("\x03");
    terminal.expect("error: Interrupted: stopped waiting after ");
    terminal.expect(&format!(
        "the reassignment goes on in the cluster. Check on it with: adminwire \
         --verify-reassign-partitions --reassignment-json-file {plan_path} --broker-list {bootstrap}"
    ));
    assert_eq!(terminal.exit_code(), 130);

    // It goes on: in progress (as soon as the broker this command reaches has applied the
    // reassignment; until then it sees the old replicas, not moving), then (the throttle lifted)
    // completed.
    let verify = ["--verify-reassign-partitions", "--reassignment-json-file", plan_path];
    let state = wait_until(Duration::from_secs(30), "the reassignment in progress", || {
        let verified = adminwire_json(&sidecar, &verify);
        match verified["partitions"][0]["state"].as_str() {
            Some("failed") => Err(verified.to_string()),
            _ => Ok(verified["partitions"][0]["state"].clone()),
        }
    })
    .unwrap();
    assert_eq!(state, "in_progress");
    drop(unthrottle);
    wait_until(Duration::from_secs(60), "the reassignment to complete", || {
        let verified = adminwire_json(&sidecar, &verify);
        if verified["partitions"][0]["state"] == "completed" {
            Ok(())
        } else {
            Err(verified.to_string())
        }
    })
    .unwrap();

    // In the shell: the bar while waiting, then the summary, and the shell goes on.
    let mut shell = Terminal::start(&["--shell", "--broker-list", &bootstrap], &history);
    shell.expect("kafka> ");
    let partitions = std::env::temp_dir().join(format!("{topic}-election.json"));
    std::fs::write(
        &partitions,
        json!({"partitions": [{"topic": topic, "partition": 0}]}).to_string(),
    )
    .unwrap();
    shell.type_keys(&format!(
        "preferred-replica-leader-election --preferred-replica-leader-election-json-file {} --blocking\r",
        partitions.display()
    ));
    shell.expect("Electing");
    shell.expect("The preferred replica leader election finished in ");
    shell.expect("s: 1 completed, 0 failed.");
    shell.expect("kafka> ");
    shell.command(
        &format!("verify-reassign-partitions --reassignment-json-file {plan_path}"),
        "1 completed, 0 in progress, 0 failed.",
        "kafka> ",
    );
    shell.command(&format!("delete-topic --topic {topic}"), "is deleted.", "kafka> ");
    shell.type_keys("exit\r");
    assert_eq!(shell.exit_code(), 0);
    for file in [plan, partitions, history] {
        let _ = std::fs::remove_file(file);
    }
}
