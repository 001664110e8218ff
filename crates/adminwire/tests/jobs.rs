//! Reassignment jobs (API keys 30010-30012) from the `adminwire` binary and the client library,
//! through a real sidecar in front of the real cluster, with real data: estimates and dry runs
//! that move nothing, a job followed with `--blocking` to its end, listing and describing jobs,
//! pausing, resuming and cancelling a slow throttled job, Ctrl-C while `--blocking` follows one,
//! and the errors for an unknown job and a bad file.
//!
//! The tests run one at a time: a job's moves and throttles must not overlap another test's on
//! the shared cluster (the brokers limit concurrent moves, and a throttle slows every move).

mod support;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use adminwire_client::{
    AdminClient, AdminClientConfig, ErrorCode, JobPartitionState, JobSelection, JobState,
    ReassignmentRequest,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, unique_topic, wait_until};
use serde_json::{Value, json};
use support::{Terminal, adminwire, adminwire_json, json_failure};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `adminwire ARGS --broker-list SIDECAR`.
fn write_file(name: &str, content: &Value) -> String {
    let path = std::env::temp_dir().join(format!("{}.json", unique_topic(name)));
    std::fs::write(&path, content.to_string()).expect("write the JSON file");
    path.to_string_lossy().into_owned()
}

/// A topic of two partitions, both on broker 1 alone, holding `megabytes` of records.
fn topic_with_data(cluster: &Cluster, sidecar: &TestSidecar, megabytes: usize) -> String {
    let topic = unique_topic("jobs-cli");
    adminwire_json(sidecar, &["--create-topic", "--topic", &topic, "--replica-assignment", "1,1"]);
    cluster.wait_for_topic(None, &topic, 2);
    cluster.write_megabytes(&topic, megabytes);
    topic
}

/// Each partition's replicas, as the cluster describes the topic now.
fn replicas(sidecar: &TestSidecar, topic: &str) -> Vec<Vec<i64>> {
    let description = adminwire_json(sidecar, &["--describe-topic", "--topic", topic]);
    description["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .map(|p| {
            p["replicas"].as_array().expect("replicas").iter().filter_map(Value::as_i64).collect()
        })
        .collect()
}

/// Waits until every broker the sidecar may ask shows `expected` replicas for `topic` (brokers
/// learn of a finished move a moment after the controller).
fn wait_for_replicas(sidecar: &TestSidecar, topic: &str, expected: &[Vec<i64>]) {
    wait_until(Duration::from_secs(30), &format!("{topic} at {expected:?}"), || {
        let now = replicas(sidecar, topic);
        if now == expected { Ok(()) } else { Err(format!("{now:?}")) }
    })
    .unwrap();
}

/// The job's JSON description once it satisfies `ok`.
fn job_when(sidecar: &TestSidecar, job_id: &str, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    wait_until(Duration::from_secs(60), &format!("job {job_id}: {what}"), || {
        let job = adminwire_json(sidecar, &["--describe-job", "--job", job_id]);
        if ok(&job) { Ok(job) } else { Err(job.to_string()) }
    })
    .unwrap()
}

fn delete_topic(sidecar: &TestSidecar, topic: &str) {
    adminwire(sidecar, &["--delete-topic", "--topic", topic]).expect_success("delete the topic");
}

#[test]
fn estimates_and_dry_runs_move_nothing() {
    let _alone = alone();
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = topic_with_data(cluster, &sidecar, 2);
    let flags = ["--reassign-partitions", "--topic", &topic, "--brokers", "2,3"];

    let estimate =
        adminwire_json(&sidecar, &[&flags[..], &["--estimate", "--throttle", "1000000"]].concat());
    assert_eq!(estimate["rate"], 1_000_000, "{estimate}");
    let bytes = estimate["bytes_to_move"].as_u64().expect("bytes_to_move");
    assert!(bytes > 1_500_000, "two partitions of about 1 MB each: {estimate}");
    assert!(estimate["reassignment_time"].as_u64().expect("reassignment_time") >= 1, "{estimate}");
    assert_eq!(estimate["slowest_broker"], 1, "everything is copied out of broker 1: {estimate}");
    let loads = estimate["brokers"].as_array().expect("brokers");
    let out_of_1 = loads.iter().find(|b| b["broker_id"] == 1).expect("broker 1's load");
    assert_eq!(out_of_1["bytes_out"].as_u64(), Some(bytes), "{estimate}");
    let moves = estimate["partitions"].as_array().expect("partitions");
    assert_eq!(moves.len(), 2, "{estimate}");
    for planned in moves {
        assert_eq!(planned["replicas"], json!([1]), "{planned}");
        let target = planned["target_replicas"].as_array().expect("target_replicas");
        assert!(target.len() == 1 && target[0] != 1, "onto broker 2 or 3: {planned}");
    }

    let human = adminwire(&sidecar, &[&flags[..], &["--estimate"]].concat());
    let text = human.expect_success("--estimate");
    assert!(text.starts_with("Estimated time: "), "{text}");
    let header = text.lines().nth(1).unwrap_or_default();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["Broker", "Bytes", "in", "Bytes", "out"],
        "{text}"
    );
    assert!(text.contains("2 partitions would move; nothing was moved"), "{text}");

    let dry_run = adminwire(&sidecar, &[&flags[..], &["--dry-run"]].concat());
    let text = dry_run.expect_success("--dry-run");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Topic"), "{text}");
    assert!(lines[0].contains("Replicas  Target") && lines[0].ends_with("Bytes moved"), "{text}");
    for partition in 0..2 {
        let columns: Vec<&str> = lines
            .iter()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|c| {
                c.first() == Some(&topic.as_str()) && c.get(1) == Some(&&*partition.to_string())
            })
            .unwrap_or_else(|| panic!("a row for partition {partition}: {text}"));
        // Topic, partition, replicas, target, size and bytes moved (each a number and a unit).
        assert_eq!(columns.len(), 8, "{columns:?}");
        assert_eq!(columns[2], "1", "{columns:?}");
        assert!(["2", "3"].contains(&columns[3]), "{columns:?}");
        assert_eq!(
            columns[4..6],
            columns[6..8],
            "one new replica copies the size once: {columns:?}"
        );
    }
    assert!(text.contains("nothing was moved (dry run)"), "{text}");
    let dry_json = adminwire_json(&sidecar, &[&flags[..], &["--dry-run"]].concat());
    assert_eq!(dry_json["bytes_to_move"].as_u64(), Some(bytes), "{dry_json}");
    let moved: u64 = dry_json["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .map(|p| p["bytes_moved"].as_u64().expect("bytes_moved"))
        .sum();
    assert_eq!(moved, bytes, "{dry_json}");

    // Both file forms estimate too: Kafka's plan with --estimate, the seed's body by its own flag.
    let plan = write_file(
        "kafka-plan",
        &json!({"version": 1, "partitions": [{"topic": topic, "partition": 0, "replicas": [3]}]}),
    );
    let from_plan = adminwire_json(
        &sidecar,
        &["--reassign-partitions", "--reassignment-json-file", &plan, "--estimate"],
    );
    assert_eq!(from_plan["partitions"][0]["target_replicas"], json!([3]), "{from_plan}");
    let body = write_file(
        "seed-body",
        &json!({"reassignments": [{"topic": topic, "brokers": [1, 2], "replication_factor": 2}],
                "time_estimate": true}),
    );
    let from_body =
        adminwire_json(&sidecar, &["--reassign-partitions", "--reassignment-json-file", &body]);
    assert_eq!(from_body["partitions"].as_array().map(Vec::len), Some(2), "{from_body}");
    for planned in from_body["partitions"].as_array().into_iter().flatten() {
        assert_eq!(planned["target_replicas"].as_array().map(Vec::len), Some(2), "{planned}");
    }

    assert_eq!(replicas(&sidecar, &topic), [vec![1], vec![1]], "nothing moved");
    assert!(
        adminwire_json(&sidecar, &["--list-jobs"])["jobs"].as_array().is_some_and(Vec::is_empty),
        "no job was made"
    );
    delete_topic(&sidecar, &topic);
    for file in [plan, body] {
        let _ = std::fs::remove_file(file);
    }
}

#[test]
fn a_blocking_job_runs_to_its_end_and_is_listed_and_described() {
    let _alone = alone();
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = topic_with_data(cluster, &sidecar, 1);
    let body = write_file(
        "blocking-job",
        &json!({"reassignments": [{"topic": topic, "assignment": [
                    {"partition": 0, "partition_brokers": [2, 3]},
                    {"partition": 1, "partition_brokers": [3]}]}],
                "throttle": 50_000_000}),
    );

    let submitted = adminwire_json(
        &sidecar,
        &["--reassign-partitions", "--reassignment-json-file", &body, "--blocking"],
    );
    let job_id = submitted["job_id"].as_str().expect("a job id").to_owned();
    assert_eq!(job_id.len(), 32, "32 hex digits: {submitted}");
    let job = &submitted["job"];
    assert_eq!(job["state"], "COMPLETED", "{submitted}");
    assert_eq!(job["partitions_done"], 2, "{submitted}");
    assert_eq!(job["bytes_moved"], job["bytes_total"], "{submitted}");
    assert_eq!(job["throttle"], 50_000_000, "{submitted}");
    wait_for_replicas(&sidecar, &topic, &[vec![2, 3], vec![3]]);

    let listed = adminwire_json(&sidecar, &["--list-jobs"]);
    let ours = listed["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .find(|j| j["job_id"] == job_id.as_str())
        .unwrap_or_else(|| panic!("{job_id} listed: {listed}"));
    assert_eq!(ours["state"], "COMPLETED");
    assert_eq!(ours["partitions"], json!([]), "a listing leaves partitions out");

    let described = adminwire_json(&sidecar, &["--describe-job", "--job", &job_id]);
    let partitions = described["partitions"].as_array().expect("partitions");
    assert_eq!(partitions.len(), 2, "{described}");
    for (p, target) in partitions.iter().zip([json!([2, 3]), json!([3])]) {
        assert_eq!(
            (&p["state"], &p["replicas"], &p["target_replicas"]),
            (&json!("DONE"), &json!([1]), &target)
        );
    }
    // --blocking on a job that has ended returns at once.
    let followed = adminwire_json(&sidecar, &["--describe-job", "--job", &job_id, "--blocking"]);
    assert_eq!(followed["state"], "COMPLETED");

    let human = adminwire(&sidecar, &["--describe-job", "--job", &job_id]);
    let text = human.expect_success("--describe-job");
    assert!(text.starts_with(&format!("Reassignment job {job_id}: COMPLETED\n")), "{text}");
    assert!(text.contains("Throttle: 47.7 MiB/s."), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with(&format!("{topic}  1 ")) && l.contains("DONE")),
        "{text}"
    );
    let human_list = adminwire(&sidecar, &["--list-jobs"]);
    let text = human_list.expect_success("--list-jobs");
    assert!(text.lines().next().is_some_and(|h| h.starts_with("Job ")), "{text}");
    assert!(text.contains(&job_id), "{text}");

    delete_topic(&sidecar, &topic);
    let _ = std::fs::remove_file(body);
}

#[test]
fn a_slow_job_is_paused_resumed_and_cancelled() {
    let _alone = alone();
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    // 100 kB/s: a partition's 3 MB take many seconds to copy, even after Kafka lets the first
    // bytes through unthrottled (its quota is an average over eleven one-second windows).
    let topic = topic_with_data(cluster, &sidecar, 6);
    let submitted = adminwire_json(
        &sidecar,
        &["--reassign-partitions", "--topic", &topic, "--brokers", "2,3", "--throttle", "100000"],
    );
    let job_id = submitted["job_id"].as_str().expect("a job id").to_owned();
    assert_eq!(submitted, json!({"job_id": job_id}), "the seed's answer");
    job_when(&sidecar, &job_id, "copying", |j| {
        j["state"] == "RUNNING" && j["bytes_moved"].as_u64().is_some_and(|b| b > 0)
    });

    let paused = adminwire_json(&sidecar, &["--pause-job", "--job", &job_id]);
    assert_eq!((&paused["job_id"], &paused["action"]), (&json!(job_id), &json!("pause")));
    job_when(&sidecar, &job_id, "paused", |j| j["state"] == "PAUSED");
    let human = adminwire(&sidecar, &["--resume-job", "--job", &job_id]);
    let text = human.expect_success("--resume-job");
    assert!(text.starts_with(&format!("Asked reassignment job {job_id} to resume;")), "{text}");
    job_when(&sidecar, &job_id, "running again", |j| j["state"] == "RUNNING");

    adminwire_json(&sidecar, &["--cancel-job", "--job", &job_id]);
    let cancelled = job_when(&sidecar, &job_id, "cancelled", |j| {
        j["state"] == "CANCELLED" && j["cleanup_pending"] == false
    });
    // The move under way is reverted and the other never starts (or, had one finished in Kafka's
    // unthrottled start, it stays done): each partition is where its state says.
    let expected: Vec<Vec<i64>> = cancelled["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .map(|p| {
            let at = if p["state"] == "DONE" { &p["target_replicas"] } else { &p["replicas"] };
            assert!(
                ["DONE", "REVERTED", "PENDING"].contains(&p["state"].as_str().unwrap_or("")),
                "{p}"
            );
            at.as_array().expect("replicas").iter().filter_map(Value::as_i64).collect()
        })
        .collect();
    assert!(
        cancelled["partitions"].as_array().into_iter().flatten().any(|p| p["state"] == "REVERTED"),
        "{cancelled}"
    );
    wait_for_replicas(&sidecar, &topic, &expected);

    // A job that has ended takes no more actions: 85 NO_REASSIGNMENT_IN_PROGRESS.
    let (code, error) = json_failure(&sidecar, &["--resume-job", "--job", &job_id]);
    assert_eq!((code, &error["error"]["code"]), (Some(1), &json!(85)), "{error}");

    // Restarted: none failed, so --only-failed retries nothing; without it, the partitions not
    // done move again, from where they are now (then it is cancelled again, to end the test).
    let none = adminwire_json(&sidecar, &["--restart-job", "--job", &job_id, "--only-failed"]);
    assert_eq!((&none["retried"], &none["state"]), (&json!(0), &json!("CANCELLED")), "{none}");
    let not_done = expected.len()
        - cancelled["partitions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["state"] == "DONE")
            .count();
    let restarted = adminwire(&sidecar, &["--restart-job", "--job", &job_id]);
    let text = restarted.expect_success("--restart-job");
    assert!(
        text.starts_with(&format!("Restarted reassignment job {job_id}: {not_done} partition")),
        "{text}"
    );
    assert!(text.trim_end().ends_with("its state is now RUNNING."), "{text}");
    adminwire_json(&sidecar, &["--cancel-job", "--job", &job_id]);
    job_when(&sidecar, &job_id, "cancelled again", |j| {
        j["state"] == "CANCELLED" && j["cleanup_pending"] == false
    });
    delete_topic(&sidecar, &topic);
}

#[test]
fn ctrl_c_stops_waiting_for_a_job_and_the_job_goes_on() {
    let _alone = alone();
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = topic_with_data(cluster, &sidecar, 6);
    let bootstrap = sidecar.bootstrap();
    let history = std::env::temp_dir().join(unique_topic("jobs-history"));
    let mut terminal = Terminal::start(
        &[
            "--reassign-partitions",
            "--topic",
            &topic,
            "--brokers",
            "2,3",
            "--throttle",
            "100000",
            "--blocking",
            "--broker-list",
            &bootstrap,
        ],
        &history,
    );
    terminal.expect("Reassigning");
    terminal.expect("moved: RUNNING, 0/2 partitions, ETA");
    terminal.type_keys("\x03");
    terminal.expect("error: Interrupted: stopped waiting after ");
    let said =
        terminal.expect(" goes on in the cluster. Check on it with: adminwire --describe-job");
    let job_id = said
        .rsplit("reassignment job ")
        .next()
        .map(str::trim)
        .filter(|id| id.len() == 32)
        .unwrap_or_else(|| panic!("the job's id: {said}"))
        .to_owned();
    terminal.expect(&format!(" --job {job_id} --broker-list {bootstrap}"));
    assert_eq!(terminal.exit_code(), 130);

    let running = adminwire_json(&sidecar, &["--describe-job", "--job", &job_id]);
    assert_eq!(running["state"], "RUNNING", "the job goes on: {running}");
    adminwire_json(&sidecar, &["--cancel-job", "--job", &job_id]);
    job_when(&sidecar, &job_id, "cancelled", |j| {
        j["state"] == "CANCELLED" && j["cleanup_pending"] == false
    });
    delete_topic(&sidecar, &topic);
    let _ = std::fs::remove_file(history);
}

#[test]
fn unknown_jobs_and_bad_files_are_errors() {
    let _alone = alone();
    let sidecar = TestSidecar::start(Cluster::plain());
    let unknown = "0123456789abcdef0123456789abcdef";
    for command in
        ["--describe-job", "--pause-job", "--resume-job", "--cancel-job", "--restart-job"]
    {
        let (code, error) = json_failure(&sidecar, &[command, "--job", unknown]);
        assert_eq!(code, Some(1), "{command}: {error}");
        assert_eq!(
            (&error["error"]["code"], &error["error"]["name"]),
            (&json!(91), &json!("RESOURCE_NOT_FOUND")),
            "{command}: {error}"
        );
    }
    let out = adminwire(&sidecar, &["--describe-job", "--job", unknown]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.starts_with("error: RESOURCE_NOT_FOUND (91): "), "{}", out.combined());

    let not_json = std::env::temp_dir().join(format!("{}.json", unique_topic("not-json")));
    std::fs::write(&not_json, "{\"reassignments\": [").unwrap();
    let no_brokers = write_file("no-brokers", &json!({"reassignments": [{"topic": "t"}]}));
    let cases = [
        (not_json.to_string_lossy().into_owned(), "reassignment file: not JSON: "),
        (no_brokers.clone(), "reassignments[0]: topic \"t\" has neither \"brokers\""),
    ];
    for (file, expected) in &cases {
        let out = adminwire(&sidecar, &["--reassign-partitions", "--reassignment-json-file", file]);
        assert_eq!(out.status.code(), Some(1), "{}", out.combined());
        assert!(out.stderr.starts_with("error: InvalidArgument: "), "{}", out.combined());
        assert!(out.stderr.contains(expected), "{}", out.combined());
    }
    // A topic the cluster lacks is the server's 3, named.
    let missing = unique_topic("no-such-topic");
    let (code, error) = json_failure(
        &sidecar,
        &["--reassign-partitions", "--topic", &missing, "--brokers", "1", "--estimate"],
    );
    assert_eq!((code, &error["error"]["code"]), (Some(1), &json!(3)), "{error}");
    assert!(
        error["error"]["description"].as_str().is_some_and(|d| d.contains(&missing)),
        "{error}"
    );
    let _ = std::fs::remove_file(not_json);
    let _ = std::fs::remove_file(no_brokers);

    // The shell has the job commands too; an error prints and the shell goes on.
    let history = std::env::temp_dir().join(unique_topic("jobs-shell-history"));
    let mut shell = Terminal::start(&["--shell", "--broker-list", &sidecar.bootstrap()], &history);
    shell.expect("kafka> ");
    shell.command("list-jobs", "No reassignment jobs.", "kafka> ");
    shell.command(
        &format!("describe-job --job {unknown}"),
        "error: RESOURCE_NOT_FOUND (91): ",
        "kafka> ",
    );
    shell.command(
        &format!("reassign-partitions --topic {missing} --brokers 1 --dry-run"),
        "error: UNKNOWN_TOPIC_OR_PARTITION (3): ",
        "kafka> ",
    );
    shell.type_keys("exit\r");
    assert_eq!(shell.exit_code(), 0);
    let _ = std::fs::remove_file(history);
}

#[test]
fn the_client_estimates_submits_follows_and_describes_a_job() {
    let _alone = alone();
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = topic_with_data(cluster, &sidecar, 1);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let config = AdminClientConfig::new([sidecar.bootstrap()]);
        let client = AdminClient::connect(config).await.expect("connected");
        let request = ReassignmentRequest::new().manual(&topic, 0, [2]).manual(&topic, 1, [3]);

        let estimate = client.estimate_reassignment(&request).await.expect("an estimate");
        assert_eq!(estimate.partitions.len(), 2, "{estimate:?}");
        assert_eq!(estimate.slowest_broker, Some(1), "{estimate:?}");
        let sizes: u64 = estimate.partitions.iter().map(|p| p.bytes).sum();
        assert_eq!(estimate.bytes_to_move, sizes, "one new replica each: {estimate:?}");

        let job = client.submit_reassignment(&request.throttle(50_000_000)).await.expect("a job");
        let mut looks = Vec::new();
        let done = job
            .wait_with_progress(Duration::from_secs(60), Duration::from_millis(500), |p| {
                looks.push(*p)
            })
            .await
            .expect("the job ends");
        assert_eq!(done.state, JobState::Completed, "{done:?}");
        assert!(done.partitions.iter().all(|p| p.state == JobPartitionState::Done), "{done:?}");
        let last = looks.last().expect("at least one look");
        assert_eq!((last.state, last.bytes_moved), (JobState::Completed, last.bytes_total));
        assert_eq!(job.progress().await.expect("progress").partitions_done, 2);

        let listed = client.list_reassignment_jobs().await.expect("the jobs");
        assert!(listed.iter().any(|j| j.job_id == job.id()), "{listed:?}");
        let selection = JobSelection::Ids(vec![job.id().to_owned(), "unknown".to_owned()]);
        let results =
            client.describe_reassignment_jobs(&selection, false).await.expect("described");
        assert_eq!(results.len(), 2);
        assert!(results[0].result.as_ref().is_ok_and(|j| j.partitions.is_empty()));
        let unknown = results[1].result.as_ref().expect_err("no such job");
        assert_eq!(unknown.code(), ErrorCode::RESOURCE_NOT_FOUND);

        let ended = job.pause().await.expect_err("an ended job is not paused");
        assert_eq!(ended.code(), Some(ErrorCode::NO_REASSIGNMENT_IN_PROGRESS), "{ended}");
        let missing = client.cancel_reassignment_job("unknown").await.expect_err("no such job");
        assert_eq!(missing.code(), Some(ErrorCode::RESOURCE_NOT_FOUND), "{missing}");
    });
    wait_for_replicas(&sidecar, &topic, &[vec![2], vec![3]]);
    delete_topic(&sidecar, &topic);
}

#[test]
fn a_job_scheduled_for_later_is_re_timed_and_runs_then_saying_who_asked() {
    let _alone = alone();
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = topic_with_data(cluster, &sidecar, 1);
    let submitted = adminwire_json(
        &sidecar,
        &[
            "--reassign-partitions",
            "--topic",
            &topic,
            "--brokers",
            "2,3",
            "--execute-at",
            "2099-01-01T00:00:00Z",
        ],
    );
    let job_id = submitted["job_id"].as_str().expect("a job id").to_owned();
    let waiting = job_when(&sidecar, &job_id, "scheduled", |j| j["state"] == "SCHEDULED");
    assert_eq!(waiting["execute_at"], 4_070_908_800_000_u64, "{waiting}");
    assert_eq!(waiting["requested_by"], "User:ANONYMOUS", "{waiting}");
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis()
        + 5_000;
    let retimed = adminwire_json(
        &sidecar,
        &["--reschedule-job", "--job", &job_id, "--execute-at", &soon.to_string()],
    );
    assert_eq!(
        (&retimed["action"], &retimed["state"]),
        (&"reschedule".into(), &"SCHEDULED".into())
    );
    let done = job_when(&sidecar, &job_id, "completed", |j| {
        j["state"] == "COMPLETED" && j["cleanup_pending"] == false
    });
    assert!(done["started_ms"].as_u64().unwrap_or(0) >= soon as u64, "{done}");
    // An ended job is not re-timed.
    let (code, error) =
        json_failure(&sidecar, &["--reschedule-job", "--job", &job_id, "--execute-at", "0"]);
    assert_eq!(code, Some(1), "{error}");
    assert!(error.to_string().contains("85"), "{error}");
    delete_topic(&sidecar, &topic);
}
