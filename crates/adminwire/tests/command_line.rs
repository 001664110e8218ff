//! The `adminwire` binary in command-line mode, against a real sidecar in front of the real
//! cluster: every command, human and JSON output (parsed and checked), exit codes, and errors on
//! stderr with their name, code and description.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use adminwire_test_support::sidecar::{TestSidecar, free_port};
use adminwire_test_support::{Cluster, Output, run, unique_topic, wait_until};
use serde_json::{Value, json};

/// `adminwire ARGS --broker-list SIDECAR`.
fn adminwire(sidecar: &TestSidecar, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
    command.args(args).arg("--broker-list").arg(sidecar.bootstrap());
    run(&mut command, Duration::from_secs(90)).expect("adminwire runs")
}

/// `adminwire ARGS --output json`, which must succeed with one JSON document on stdout.
fn adminwire_json(sidecar: &TestSidecar, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    let out = adminwire(sidecar, &all);
    let stdout = out.expect_success(&format!("adminwire {args:?}"));
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// The exit code and the JSON error on stderr of a failing `--output json` command.
fn json_failure(sidecar: &TestSidecar, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    json_error(&adminwire(sidecar, &all))
}

/// The exit code and the JSON error on stderr of a failed `--output json` command.
fn json_error(out: &Output) -> (Option<i32>, Value) {
    assert!(out.stdout.is_empty(), "{}", out.combined());
    let error = serde_json::from_str(out.stderr.trim())
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", out.combined()));
    (out.status.code(), error)
}

fn write_file(name: &str, content: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("{}.json", unique_topic(name)));
    std::fs::write(&path, content).expect("write the JSON file");
    path
}

/// The topic's JSON description once it satisfies `ok`. Each run of the command reaches the
/// cluster afresh, possibly through a broker that has not yet applied the latest change (brokers
/// learn of what the controller commits a moment later), so every look after a change waits.
fn described_when(
    sidecar: &TestSidecar,
    topic: &str,
    what: &str,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    wait_until(Duration::from_secs(30), &format!("{topic}: {what}"), || {
        let out = adminwire(sidecar, &["--describe-topic", "--topic", topic, "--output", "json"]);
        let described: Value = serde_json::from_str(&out.stdout).map_err(|_| out.combined())?;
        if out.status.success() && ok(&described) { Ok(described) } else { Err(out.combined()) }
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Whether a description has `partitions` partitions, each with a leader.
fn led(described: &Value, partitions: usize) -> bool {
    let parts = described["partitions"].as_array().cloned().unwrap_or_default();
    parts.len() == partitions && parts.iter().all(|p| p["leader"].is_i64())
}

/// The topic's description once every partition has a leader.
fn described_with_leaders(sidecar: &TestSidecar, topic: &str, partitions: usize) -> Value {
    described_when(sidecar, topic, &format!("{partitions} led partitions"), |d| led(d, partitions))
}

/// The output of `adminwire ARGS` once `ok` accepts it, for a command whose answer follows a
/// change (see [`described_when`]).
fn output_when(
    sidecar: &TestSidecar,
    args: &[&str],
    what: &str,
    ok: impl Fn(&Output) -> bool,
) -> Output {
    wait_until(Duration::from_secs(30), what, || {
        let out = adminwire(sidecar, args);
        if ok(&out) { Ok(out) } else { Err(out.combined()) }
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_topic_is_created_described_listed_altered_and_deleted() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let topic = unique_topic("cli-life");

    let out = adminwire(
        &sidecar,
        &[
            "--create-topic",
            "--topic",
            &topic,
            "--partitions",
            "3",
            "--replication-factor",
            "2",
            "--config",
            "retention.ms=86400000",
        ],
    );
    assert_eq!(out.expect_success("create"), format!("Topic \"{topic}\" is created.\n"));

    // Creating it again: exit 1, the server's error on stderr with name, code and description.
    let again = adminwire(
        &sidecar,
        &["--create-topic", "--topic", &topic, "--partitions", "1", "--replication-factor", "1"],
    );
    assert_eq!(again.status.code(), Some(1), "{}", again.combined());
    assert_eq!(again.stdout, "");
    assert_eq!(
        again.stderr,
        format!("error: TopicAlreadyExists (1002): Topic '{topic}' already exists.\n")
    );

    let retention = json!({"retention.ms": "86400000"});
    let described = described_when(&sidecar, &topic, "3 led partitions and its config", |d| {
        led(d, 3) && d["configs"] == retention
    });
    assert_eq!(described["name"], topic.as_str());
    assert_eq!(
        (&described["partition_count"], &described["replication_factor"]),
        (&json!(3), &json!(2))
    );
    assert_eq!(described["configs"], json!({"retention.ms": "86400000"}));
    for (i, p) in described["partitions"].as_array().unwrap().iter().enumerate() {
        assert_eq!(p["partition"], i);
        assert_eq!(p["replicas"].as_array().unwrap().len(), 2, "{p}");
        assert!(p["replicas"].as_array().unwrap().contains(&p["leader"]), "{p}");
    }
    // The human form: kafka-topics-like header and a row per partition (partition 0's as the JSON
    // form had it: an in-sync replica may fall behind and catch up between two looks).
    let p0 = &described["partitions"][0];
    let ids = |v: &Value| {
        v.as_array().unwrap().iter().map(|id| id.to_string()).collect::<Vec<_>>().join(",")
    };
    let p0_row = ["0".to_owned(), p0["leader"].to_string(), ids(&p0["replicas"]), ids(&p0["isr"])];
    let human = output_when(
        &sidecar,
        &["--describe-topic", "--topic", &topic],
        "the human description with partition 0 as described",
        |out| {
            let lines: Vec<&str> = out.stdout.lines().collect();
            out.status.success()
                && lines.len() == 6
                && lines[3].split_whitespace().collect::<Vec<_>>() == p0_row
        },
    );
    let human = human.expect_success("describe");
    let lines: Vec<&str> = human.lines().collect();
    assert_eq!(lines[0], format!("\"{topic}\" details:"));
    assert_eq!(
        lines[1],
        format!(
            "Topic: {topic}  Partitions: 3  Replication factor: 2  Configs: retention.ms=86400000"
        )
    );
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["Partition", "Leader", "Replicas", "Isr"]
    );
    assert_eq!(lines.len(), 6, "{human}");
    assert_eq!(lines[3].split_whitespace().collect::<Vec<_>>(), p0_row);

    let listed = wait_until(Duration::from_secs(30), "the topic in the list", || {
        let listed = adminwire_json(&sidecar, &["--list-topics"]);
        let has = listed["topics"].as_array().is_some_and(|t| t.contains(&json!(topic)));
        if has { Ok(listed) } else { Err(listed.to_string()) }
    })
    .unwrap();
    assert!(listed["topics"].as_array().unwrap().contains(&json!(topic)), "{listed}");
    let human = output_when(&sidecar, &["--list-topics"], "the topic in the human list", |out| {
        out.status.success() && out.stdout.lines().any(|l| l == topic)
    });
    assert!(human.expect_success("list").lines().any(|l| l == topic), "{}", human.stdout);

    // Alter: more partitions, a config set and one deleted; JSON output.
    let altered = adminwire_json(
        &sidecar,
        &[
            "--alter-topic",
            "--topic",
            &topic,
            "--partitions",
            "4",
            "--config",
            "cleanup.policy=compact",
            "--delete-config",
            "retention.ms",
        ],
    );
    assert_eq!(altered, json!({"topic": topic, "result": "changed"}));
    let compact = json!({"cleanup.policy": "compact"});
    let described = described_when(&sidecar, &topic, "4 led partitions and the new configs", |d| {
        led(d, 4) && d["configs"] == compact
    });
    assert_eq!(described["configs"], json!({"cleanup.policy": "compact"}));
    // Fewer partitions is the server's 1004, as a JSON error on stderr.
    let (code, error) =
        json_failure(&sidecar, &["--alter-topic", "--topic", &topic, "--partitions", "2"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        (&error["error"]["code"], &error["error"]["name"]),
        (&json!(1004), &json!("DecreasePartitionsNotAllowed")),
        "{error}"
    );
    assert!(error["error"]["description"].as_str().is_some_and(|d| !d.is_empty()), "{error}");

    let deleted = adminwire(&sidecar, &["--delete-topic", "--topic", &topic]);
    assert_eq!(deleted.expect_success("delete"), format!("Topic \"{topic}\" is deleted.\n"));
    wait_until(Duration::from_secs(30), "the topic gone from the list", || {
        let listed = adminwire_json(&sidecar, &["--list-topics"]);
        if listed["topics"].as_array().unwrap().contains(&json!(topic)) {
            Err(listed.to_string())
        } else {
            Ok(())
        }
    })
    .unwrap();
    // Gone from one broker's list, it may still be on the broker the next command reaches.
    let describe = ["--describe-topic", "--topic", &topic, "--output", "json"];
    let failed = output_when(&sidecar, &describe, "describing the deleted topic to fail", |out| {
        !out.status.success()
    });
    let (code, error) = json_error(&failed);
    assert_eq!(code, Some(1));
    assert_eq!(error["error"]["code"], 3, "{error}");
    assert_eq!(error["error"]["name"], "UNKNOWN_TOPIC_OR_PARTITION", "{error}");
    let (code, error) = json_failure(&sidecar, &["--delete-topic", "--topic", &topic]);
    assert_eq!((code, &error["error"]["code"]), (Some(1), &json!(3)), "{error}");
}

#[test]
fn a_placed_topic_is_created_with_its_replica_assignment() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let topic = unique_topic("cli-placed");
    let created = adminwire_json(
        &sidecar,
        &["--create-topic", "--topic", &topic, "--replica-assignment", "3:1,1:2"],
    );
    assert_eq!(created, json!({"topic": topic, "result": "created"}));
    let described = described_with_leaders(&sidecar, &topic, 2);
    let replicas: Vec<&Value> =
        described["partitions"].as_array().unwrap().iter().map(|p| &p["replicas"]).collect();
    assert_eq!(replicas, [&json!([3, 1]), &json!([1, 2])]);
    // A broker that does not exist: the server's 1006.
    let (code, error) = json_failure(
        &sidecar,
        &["--create-topic", "--topic", &unique_topic("cli-bad"), "--replica-assignment", "1:99"],
    );
    assert_eq!((code, &error["error"]["code"]), (Some(1), &json!(1006)), "{error}");
    adminwire(&sidecar, &["--delete-topic", "--topic", &topic]).expect_success("delete");
}

#[test]
fn cluster_metadata_names_the_sidecars_brokers_and_the_controller() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let metadata = adminwire_json(&sidecar, &["--cluster-metadata"]);
    let brokers: Vec<(i64, String)> = metadata["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["node_id"].as_i64().unwrap(),
                format!("{}:{}", b["host"].as_str().unwrap(), b["port"]),
            )
        })
        .collect();
    let expected: Vec<(i64, String)> =
        cluster.node_ids().into_iter().map(|n| (i64::from(n), sidecar.broker_address(n))).collect();
    assert_eq!(brokers, expected);
    assert_eq!(metadata["cluster_id"].as_str(), cluster.state("CLUSTER_ID"));
    let controller = metadata["controller"]["node_id"].as_i64().expect("a controller");
    let human = adminwire(&sidecar, &["--cluster-metadata"]);
    let human = human.expect_success("cluster-metadata");
    let controller_address = sidecar.broker_address(i32::try_from(controller).unwrap());
    assert!(
        human.contains(&format!("Controller: {controller_address} (id: {controller})")),
        "{human}"
    );
    assert_eq!(human.lines().filter(|l| l.ends_with("controller")).count(), 1, "{human}");
}

/// A partition on 1,2,3 is reassigned to 2,1,3: the same brokers with 2 first. Nothing moves,
/// so the reassignment completes at once, and node 1 stays leader (the cluster does not
/// rebalance leaders by itself): the preferred replica, 2, does not lead until the election.
#[test]
fn a_reassignment_and_an_election_are_followed_to_the_end() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = unique_topic("cli-reassign");
    adminwire(&sidecar, &["--create-topic", "--topic", &topic, "--replica-assignment", "1:2:3"])
        .expect_success("create");
    // Every command reaches the cluster through the next broker in turn: each must know the topic
    // before the first look at it.
    cluster.wait_for_topic(None, &topic, 1);
    described_with_leaders(&sidecar, &topic, 1);
    let plan = write_file(
        "plan",
        &json!({"version": 1, "partitions": [{"topic": topic, "partition": 0, "replicas": [2, 1, 3]}]})
            .to_string(),
    );
    let plan_path = plan.to_str().unwrap();

    // Before: not at the plan's replicas and not moving there.
    let verified = adminwire_json(
        &sidecar,
        &["--verify-reassign-partitions", "--reassignment-json-file", plan_path],
    );
    assert_eq!(
        verified,
        json!({"partitions": [{"topic": topic, "partition": 0, "state": "failed"}]})
    );

    let done = adminwire_json(
        &sidecar,
        &["--reassign-partitions", "--reassignment-json-file", plan_path, "--blocking"],
    );
    assert_eq!(done["started"], json!([{"topic": topic, "partition": 0, "error": null}]), "{done}");
    assert_eq!(done["finished"]["completed"], json!([{"topic": topic, "partition": 0}]), "{done}");
    assert_eq!(
        (&done["finished"]["in_progress"], &done["finished"]["failed"]),
        (&json!([]), &json!([]))
    );
    assert!(done["finished"]["elapsed_ms"].is_u64(), "{done}");
    // The broker the wait asked saw it complete; the next commands may reach another one.
    cluster.wait_for_metadata_fence(None);
    let verified = adminwire(
        &sidecar,
        &["--verify-reassign-partitions", "--reassignment-json-file", plan_path],
    );
    let verified = verified.expect_success("verify");
    assert!(verified.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == [topic.as_str(), "0", "completed"]), "{verified}");
    assert!(verified.ends_with("1 completed, 0 in progress, 0 failed.\n"), "{verified}");
    let described = described_when(&sidecar, &topic, "the plan's replicas", |d| {
        d["partitions"][0]["replicas"] == json!([2, 1, 3])
    });
    assert_eq!(described["partitions"][0]["replicas"], json!([2, 1, 3]), "{described}");
    assert_eq!(described["partitions"][0]["leader"], 1, "{described}");

    // The election: verify says node 2 is preferred but 1 leads; elect (not blocking) prints how
    // to check on it; it completes.
    let partitions = write_file(
        "election",
        &json!({"partitions": [{"topic": topic, "partition": 0}]}).to_string(),
    );
    let partitions_path = partitions.to_str().unwrap();
    let file_option = "--preferred-replica-leader-election-json-file";
    let verified = adminwire_json(
        &sidecar,
        &["--verify-preferred-replica-leader-election", file_option, partitions_path],
    );
    assert_eq!(
        verified,
        json!({"partitions": [{"topic": topic, "partition": 0, "state": "in_progress", "leader": 1, "preferred_leader": 2}]})
    );
    let started =
        adminwire(&sidecar, &["--preferred-replica-leader-election", file_option, partitions_path]);
    assert_eq!(
        started.expect_success("election"),
        format!(
            "Started the preferred replica leader election of 1 partition.\nCheck on it with: adminwire --verify-preferred-replica-leader-election {file_option} {partitions_path} --broker-list {}\n",
            sidecar.bootstrap()
        )
    );
    wait_until(Duration::from_secs(30), "node 2 to lead", || {
        let verified = adminwire_json(
            &sidecar,
            &["--verify-preferred-replica-leader-election", file_option, partitions_path],
        );
        if verified["partitions"][0]["state"] == "completed"
            && verified["partitions"][0]["leader"] == 2
        {
            Ok(())
        } else {
            Err(verified.to_string())
        }
    })
    .unwrap();
    // Blocking, once it is done: completed at the first poll.
    let done = adminwire_json(
        &sidecar,
        &["--preferred-replica-leader-election", file_option, partitions_path, "--blocking"],
    );
    assert_eq!(done["finished"]["completed"], json!([{"topic": topic, "partition": 0}]), "{done}");
    let human = adminwire(
        &sidecar,
        &[
            "--preferred-replica-leader-election",
            "--path-to-json-file",
            partitions_path,
            "--blocking",
        ],
    );
    let human = human.expect_success("election, blocking");
    assert!(human.starts_with("The preferred replica leader election finished in "), "{human}");
    assert!(human.ends_with("s: 1 completed, 0 failed.\n"), "{human}");

    // A plan naming a broker that does not exist is refused (1006), with exit code 1.
    let bad = write_file(
        "bad-plan",
        &json!({"version": 1, "partitions": [{"topic": topic, "partition": 0, "replicas": [1, 99]}]}).to_string(),
    );
    let out = adminwire(
        &sidecar,
        &["--reassign-partitions", "--reassignment-json-file", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", out.combined());
    assert!(out.stderr.contains("(1006)"), "{}", out.combined());
    adminwire(&sidecar, &["--delete-topic", "--topic", &topic]).expect_success("delete");
    for file in [plan, partitions, bad] {
        let _ = std::fs::remove_file(file);
    }
}

#[test]
fn files_that_cannot_be_read_or_parsed_are_errors_before_anything_is_sent() {
    let sidecar = TestSidecar::start(Cluster::plain());
    let missing = std::env::temp_dir().join(unique_topic("missing"));
    let (code, error) = json_failure(
        &sidecar,
        &["--reassign-partitions", "--reassignment-json-file", missing.to_str().unwrap()],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        (&error["error"]["name"], &error["error"]["code"]),
        (&json!("FileNotReadable"), &Value::Null)
    );
    let not_a_plan = write_file("not-a-plan", r#"{"partitions":[{"topic":"t"}]}"#);
    let out = adminwire(
        &sidecar,
        &["--verify-reassign-partitions", "--reassignment-json-file", not_a_plan.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", out.combined());
    assert!(
        out.stderr.starts_with("error: InvalidArgument: invalid argument: reassignment plan: "),
        "{}",
        out.combined()
    );
    let _ = std::fs::remove_file(not_a_plan);
}

#[test]
fn wrong_usage_exits_2_with_clap_errors_and_each_command_has_help() {
    let run_args = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
        command.args(args);
        run(&mut command, Duration::from_secs(30)).expect("adminwire runs")
    };
    let usage = |args: &[&str], expected: &str| {
        let out = run_args(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", out.combined());
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.combined());
    };
    let b = ["--broker-list", "127.0.0.1:1"];
    usage(
        &["--create-topic", "--topic", "t", "--partitions", "3", b[0], b[1]],
        "--replication-factor <R>",
    );
    usage(
        &["--create-topic", "--topic", "t", b[0], b[1]],
        "<--partitions <N>|--replica-assignment",
    );
    usage(
        &[
            "--create-topic",
            "--topic",
            "t",
            "--partitions",
            "1",
            "--replication-factor",
            "1",
            "--replica-assignment",
            "1",
            b[0],
            b[1],
        ],
        "cannot be used with",
    );
    usage(
        &["--create-topic", "--partitions", "1", "--replication-factor", "1", b[0], b[1]],
        "--topic <TOPIC>",
    );
    usage(&["--alter-topic", "--topic", "t", b[0], b[1]], "required arguments were not provided");
    usage(
        &["--alter-topic", "--topic", "t", "--replica-assignment", "1", b[0], b[1]],
        "--partitions <N>",
    );
    usage(
        &["--create-topic", "--topic", "t", "--replica-assignment", "1:x", b[0], b[1]],
        "is not a broker id",
    );
    usage(&["--alter-topic", "--topic", "t", "--config", "nokey", b[0], b[1]], "is not KEY=VALUE");
    usage(&["--reassign-partitions", b[0], b[1]], "--reassignment-json-file <FILE>");
    usage(&["--list-topics"], "--broker-list <HOST:PORT[,HOST:PORT]>");
    usage(&["--list-topics", "--output", "yaml", b[0], b[1]], "invalid value 'yaml'");
    usage(&["--no-such-command"], "unexpected argument '--no-such-command'");
    usage(&[], "Usage: adminwire");

    for command in [
        "--create-topic",
        "--alter-topic",
        "--delete-topic",
        "--list-topics",
        "--describe-topic",
        "--reassign-partitions",
        "--verify-reassign-partitions",
        "--preferred-replica-leader-election",
        "--verify-preferred-replica-leader-election",
        "--cluster-metadata",
        "--shell",
    ] {
        let out = run_args(&[command, "--help"]);
        let help = out.expect_success(&format!("{command} --help"));
        assert!(help.contains("--broker-list"), "{command}: {help}");
        assert!(
            help.contains(&format!("Usage: adminwire {{{}|{command}}}", &command[2..])),
            "{command}: {help}"
        );
    }
}

#[test]
fn a_broker_list_where_nothing_listens_is_a_connection_error() {
    let address = format!("127.0.0.1:{}", free_port());
    let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
    command.args(["--list-topics", "--broker-list", &address]);
    let out = run(&mut command, Duration::from_secs(60)).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", out.combined());
    assert!(
        out.stderr
            .starts_with(&format!("error: ConnectionError: connection to {address} failed: ")),
        "{}",
        out.combined()
    );
    // A Kafka broker without the extension is named as such.
    let cluster = Cluster::plain();
    let broker = cluster.node_address(1);
    let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
    command.args(["--list-topics", "--output", "json", "--broker-list", &broker]);
    let out = run(&mut command, Duration::from_secs(60)).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", out.combined());
    let error: Value = serde_json::from_str(out.stderr.trim()).unwrap();
    assert_eq!(error["error"]["name"], "ExtensionNotOffered", "{error}");
}
