//! ReassignPartitions and VerifyReassignPartitions through the sidecar against the real cluster:
//! a partition with data moves from brokers {1,2} to {2,3} and every record survives, bad plans
//! get 1006, a running reassignment is not replaced (1010), and the broker's ACLs decide.

use std::time::{Duration, Instant};

use adminwire_protocol::generated::verify_reassign_partitions_response::ReassignmentResult;
use adminwire_protocol::{
    ErrorCode, ReassignPartitionsRequest, ReassignPartitionsResponse,
    VerifyReassignPartitionsRequest, VerifyReassignPartitionsResponse,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{
    Cluster, TOOL_TIMEOUT, Variant, run, run_with_input, unique_topic, wait_until,
};

fn plan(moves: &[(&str, i32, &[i32])]) -> String {
    let partitions: Vec<serde_json::Value> = moves
        .iter()
        .map(|(t, p, r)| serde_json::json!({"topic": t, "partition": p, "replicas": r}))
        .collect();
    serde_json::json!({"partitions": partitions, "version": 1}).to_string()
}

fn reassign(
    connection: &mut RawConnection,
    version: i16,
    plan: &str,
) -> ReassignPartitionsResponse {
    let request =
        ReassignPartitionsRequest { manual_assignment: plan.into(), ..Default::default() };
    connection.call(request, version)
}

fn verify(
    connection: &mut RawConnection,
    version: i16,
    plan: &str,
) -> VerifyReassignPartitionsResponse {
    let request =
        VerifyReassignPartitionsRequest { manual_assignment: plan.into(), ..Default::default() };
    connection.call(request, version)
}

fn codes(results: &[ReassignmentResult]) -> Vec<(String, i32, i16)> {
    results.iter().map(|r| (r.topic.clone(), r.partition, r.result_code)).collect()
}

/// Creates `topic` with one partition on `assignment` (`"1:2"`) with Kafka's TopicCommand.
fn create_placed(cluster: &Cluster, user: &str, topic: &str, assignment: &str) {
    cluster
        .topic_command(user, &["--create", "--topic", topic, "--replica-assignment", assignment])
        .expect_success(&format!("creating {topic}"));
    let secure = cluster.variant() == Variant::Secure;
    cluster.wait_for_topic(secure.then_some(user), topic, 1);
}

/// `count` records of about `size` bytes, one a line, each distinct.
fn records(count: usize, size: usize) -> Vec<String> {
    (0..count).map(|i| format!("record-{i:06}-{}", "x".repeat(size.saturating_sub(14)))).collect()
}

fn produce(sidecar: &TestSidecar, topic: &str, records: &[String]) {
    let input: String = records.iter().map(|r| format!("{r}\n")).collect();
    run_with_input(
        std::process::Command::new("kcat").args([
            "-b",
            &sidecar.bootstrap(),
            "-P",
            "-t",
            topic,
            "-X",
            "acks=all",
        ]),
        input.as_bytes(),
        TOOL_TIMEOUT,
    )
    .unwrap()
    .expect_success("kcat -P through the sidecar");
}

fn consume(sidecar: &TestSidecar, topic: &str) -> Vec<String> {
    let out = run(
        std::process::Command::new("kcat").args([
            "-b",
            &sidecar.bootstrap(),
            "-C",
            "-t",
            topic,
            "-o",
            "beginning",
            "-e",
            "-q",
        ]),
        TOOL_TIMEOUT,
    )
    .unwrap();
    out.expect_success("kcat -C through the sidecar").lines().map(str::to_owned).collect()
}

/// Partition 0's replicas as kcat sees them asking each broker directly.
fn replicas_everywhere(cluster: &Cluster, topic: &str) -> Result<Vec<Vec<i64>>, String> {
    cluster
        .node_ids()
        .into_iter()
        .map(|n| {
            let md = cluster.kcat_metadata(None, &cluster.node_address(n), topic)?;
            let p = &md["topics"][0]["partitions"][0];
            Ok(p["replicas"]
                .as_array()
                .ok_or_else(|| format!("no replicas: {md}"))?
                .iter()
                .filter_map(|r| r["id"].as_i64())
                .collect())
        })
        .collect()
}

/// Polls VerifyReassignPartitions until every partition of `plan` is completed (1). A move
/// under way is never reported failed (-1), not even at the moment it completes.
fn verify_until_completed(connection: &mut RawConnection, version: i16, plan: &str, within: u64) {
    wait_until(Duration::from_secs(within), "the reassignment to complete", || {
        let response = verify(connection, version, plan);
        if response.error_code != 0 {
            return Err(format!("{:?} {:?}", response.error_code, response.error_message));
        }
        assert!(
            response.results.iter().all(|r| r.result_code != -1),
            "a move under way reported failed: {:?}",
            codes(&response.results)
        );
        if response.results.iter().all(|r| r.result_code == 1) {
            Ok(())
        } else {
            Err(format!("{:?}", codes(&response.results)))
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Moves partition 0 of a topic with data from {1,2} to {2,3} with `version`, and checks the
/// replicas and the records afterwards.
fn move_real_data(version: i16) {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic(&format!("reassign-v{version}"));
    create_placed(cluster, "admin", &topic, "1:2");
    let sent = records(2000, 100);
    produce(&sidecar, &topic, &sent);
    assert_eq!(replicas_everywhere(cluster, &topic).unwrap(), vec![vec![1, 2]; 3]);

    let plan = plan(&[(&topic, 0, &[2, 3])]);
    let started = Instant::now();
    let response = reassign(&mut connection, version, &plan);
    assert_eq!((response.error_code, &response.error_message), (0, &None));
    if version >= 1 {
        assert_eq!(response.partitions.len(), 1);
        let p = &response.partitions[0];
        assert_eq!((p.topic.as_str(), p.partition, p.error_code), (topic.as_str(), 0, 0));
        assert_eq!(p.error_message, None);
    }
    verify_until_completed(&mut connection, version, &plan, 120);
    eprintln!(
        "v{version}: moved 2000 records from {{1,2}} to {{2,3}} in {:.1?}",
        started.elapsed()
    );
    // Every broker's metadata has the new replicas, in the plan's order.
    wait_until(Duration::from_secs(30), "metadata to show replicas 2,3", || {
        let seen = replicas_everywhere(cluster, &topic)?;
        if seen == vec![vec![2, 3]; 3] { Ok(()) } else { Err(format!("{seen:?}")) }
    })
    .unwrap();
    let described = cluster.describe_topic(&topic);
    assert!(described.contains("Replicas: 2,3\t"), "{described}");
    // Every record is still there, in order.
    assert_eq!(consume(&sidecar, &topic), sent);
    // Verifying again, and with the other version, stays completed.
    let again = verify(&mut connection, 1 - version, &plan);
    assert_eq!(codes(&again.results), vec![(topic.clone(), 0, 1)]);
    // A plan the partition is not at and not moving to is failed (-1).
    let elsewhere = verify(&mut connection, version, &super_plan(&topic, &[1, 3]));
    assert_eq!(codes(&elsewhere.results), vec![(topic.clone(), 0, -1)]);
    // Same brokers, other order: not the plan's replicas (the order is the preferred leader).
    let reordered = verify(&mut connection, version, &super_plan(&topic, &[3, 2]));
    assert_eq!(codes(&reordered.results), vec![(topic.clone(), 0, -1)]);
}

fn super_plan(topic: &str, replicas: &[i32]) -> String {
    plan(&[(topic, 0, replicas)])
}

#[test]
fn version_1_moves_a_partition_with_its_data_from_1_2_to_2_3() {
    move_real_data(1);
}

#[test]
fn version_0_moves_a_partition_with_its_data_from_1_2_to_2_3() {
    move_real_data(0);
}

#[test]
fn bad_plans_get_1006_and_say_what_is_wrong() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("reassign-bad");
    create_placed(cluster, "admin", &topic, "1:2");
    let invalid = ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT.0;
    let duplicate = format!(
        r#"{{"partitions":[{{"topic":"{topic}","partition":0,"replicas":[2,3]}},{{"topic":"{topic}","partition":0,"replicas":[3,1]}}],"version":1}}"#
    );
    for (text, says) in [
        ("{\"partitions\": [", "not valid JSON"),
        (r#"{"partitions":[],"version":1}"#, "is empty"),
        (&duplicate, "listed more than once"),
        (&plan(&[(&topic, 0, &[2, 2])]), "lists broker 2 twice"),
        (&plan(&[(&topic, 0, &[2, -3])]), "-3 is not a broker id"),
        (&plan(&[(&topic, 0, &[])]), "\"replicas\" is empty"),
        (r#"{"partitions":[{"topic":"t","partition":0}]}"#, "no \"replicas\""),
    ] {
        for version in [0, 1] {
            let response = reassign(&mut connection, version, text);
            assert_eq!(response.error_code, invalid, "{text}: {response:?}");
            let message = response.error_message.unwrap_or_default();
            assert!(message.contains(says), "{text}: {message}");
            let response = verify(&mut connection, version, text);
            assert_eq!(response.error_code, invalid, "verify {text}: {response:?}");
            assert!(response.results.is_empty());
        }
    }
    // Broker 99 does not exist: the cluster refuses it (Kafka's 39), answered as 1006.
    let unknown_broker = plan(&[(&topic, 0, &[2, 99])]);
    let v1 = reassign(&mut connection, 1, &unknown_broker);
    assert_eq!(v1.error_code, 0);
    assert_eq!(v1.partitions[0].error_code, invalid, "{v1:?}");
    assert!(v1.partitions[0].error_message.as_deref().unwrap_or("").contains("99"), "{v1:?}");
    let v0 = reassign(&mut connection, 0, &unknown_broker);
    assert_eq!(v0.error_code, invalid, "{v0:?}");
    assert!(v0.error_message.as_deref().unwrap().starts_with(&format!("{topic}-0: ")), "{v0:?}");
    // Nothing moved; verifying that plan says failed (-1), not in progress.
    cluster.wait_for_metadata_fence(None);
    assert_eq!(
        codes(&verify(&mut connection, 1, &unknown_broker).results),
        vec![(topic.clone(), 0, -1)]
    );
    assert_eq!(replicas_everywhere(cluster, &topic).unwrap(), vec![vec![1, 2]; 3]);

    // An unknown topic or partition is Kafka's 3 per partition; verify says -1 for it.
    let missing = unique_topic("reassign-missing");
    let mixed = plan(&[(&missing, 0, &[1, 2]), (&topic, 7, &[1, 2]), (&topic, 0, &[1, 2])]);
    let v1 = reassign(&mut connection, 1, &mixed);
    let per: Vec<(String, i32, i16)> =
        v1.partitions.iter().map(|p| (p.topic.clone(), p.partition, p.error_code)).collect();
    assert_eq!(per, vec![(missing.clone(), 0, 3), (topic.clone(), 7, 3), (topic.clone(), 0, 0)]);
    let verified = verify(&mut connection, 0, &mixed);
    assert_eq!(verified.error_code, 0);
    assert_eq!(
        codes(&verified.results),
        vec![(missing, 0, -1), (topic.clone(), 7, -1), (topic.clone(), 0, 1)]
    );
}

/// Slows replication of one topic to a crawl with Kafka's ConfigCommand, and undoes it on drop
/// (also when the test fails), so the shared cluster is left as it was.
struct Throttle<'a> {
    cluster: &'a Cluster,
    topic: String,
    lifted: bool,
}

const RATES: &str = "leader.replication.throttled.rate,follower.replication.throttled.rate";
const THROTTLED: &str =
    "leader.replication.throttled.replicas,follower.replication.throttled.replicas";

impl<'a> Throttle<'a> {
    fn start(cluster: &'a Cluster, topic: &str, bytes_per_second: u64) -> Self {
        let throttle = Throttle { cluster, topic: topic.to_owned(), lifted: false };
        let rate = format!(
            "leader.replication.throttled.rate={bytes_per_second},follower.replication.throttled.rate={bytes_per_second}"
        );
        for node in cluster.node_ids() {
            throttle.config(&[
                "--entity-type",
                "brokers",
                "--entity-name",
                &node.to_string(),
                "--add-config",
                &rate,
            ]);
        }
        throttle.config(&[
            "--entity-type",
            "topics",
            "--entity-name",
            topic,
            "--add-config",
            "leader.replication.throttled.replicas=*,follower.replication.throttled.replicas=*",
        ]);
        throttle
    }

    fn config(&self, args: &[&str]) {
        let properties = self.cluster.client_properties("admin");
        let mut all = vec![
            "--bootstrap-server",
            self.cluster.bootstrap(),
            "--command-config",
            properties.to_str().unwrap(),
            "--alter",
        ];
        all.extend_from_slice(args);
        self.cluster
            .kafka_tool("ConfigCommand", &all)
            .expect_success(&format!("ConfigCommand {args:?}"));
    }

    /// Lifts the throttle: the topic's throttled replicas and the brokers' rates.
    fn lift(mut self) {
        self.undo();
        self.lifted = true;
    }

    fn undo(&self) {
        self.config(&[
            "--entity-type",
            "topics",
            "--entity-name",
            &self.topic,
            "--delete-config",
            THROTTLED,
        ]);
        for node in self.cluster.node_ids() {
            self.config(&[
                "--entity-type",
                "brokers",
                "--entity-name",
                &node.to_string(),
                "--delete-config",
                RATES,
            ]);
        }
    }
}

impl Drop for Throttle<'_> {
    fn drop(&mut self) {
        if self.lifted {
            return;
        }
        if std::thread::panicking() {
            // Best effort; the test already failed.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.undo()));
        } else {
            self.undo();
        }
    }
}

#[test]
fn a_running_reassignment_is_not_replaced_1010() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("reassign-busy");
    create_placed(cluster, "admin", &topic, "1:2");
    // 2 MB at 10 kB/s: minutes of copying to broker 3 while throttled.
    let sent = records(2000, 1000);
    produce(&sidecar, &topic, &sent);
    let plan = plan(&[(&topic, 0, &[2, 3])]);
    {
        let throttle = Throttle::start(cluster, &topic, 10_000);
        let response = reassign(&mut connection, 1, &plan);
        assert_eq!(response.partitions[0].error_code, 0, "{response:?}");
        // In progress (0) while broker 3 copies.
        let verified = verify(&mut connection, 1, &plan);
        assert_eq!(codes(&verified.results), vec![(topic.clone(), 0, 0)]);
        assert_eq!(verified.error_code, 0);
        // A second plan for the same partition is refused, in both versions, and another
        // partition in the same plan is not started either.
        let other = unique_topic("reassign-bystander");
        create_placed(cluster, "admin", &other, "1:2");
        let second = super_plan(&topic, &[3, 1]);
        let v0 = reassign(&mut connection, 0, &second);
        assert_eq!(v0.error_code, ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS.0, "{v0:?}");
        assert!(v0.error_message.as_deref().unwrap().contains(&format!("{topic}-0")), "{v0:?}");
        let both = self::plan(&[(&other, 0, &[2, 3]), (&topic, 0, &[3, 1])]);
        let v1 = reassign(&mut connection, 1, &both);
        assert_eq!(v1.error_code, ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS.0, "{v1:?}");
        let per: Vec<i16> = v1.partitions.iter().map(|p| p.error_code).collect();
        assert_eq!(per, vec![1010, 1010]);
        // Nothing was replaced or started: still moving to 2,3, and the bystander is where it was.
        cluster.wait_for_metadata_fence(None);
        let verified = verify(&mut connection, 1, &both);
        assert_eq!(codes(&verified.results), vec![(other.clone(), 0, -1), (topic.clone(), 0, 0)]);
        assert_eq!(replicas_everywhere(cluster, &other).unwrap(), vec![vec![1, 2]; 3]);
        throttle.lift();
    }
    // Unthrottled, it finishes, with every record.
    verify_until_completed(&mut connection, 1, &plan, 120);
    assert_eq!(consume(&sidecar, &topic), sent);
}

#[test]
fn on_the_secured_cluster_the_brokers_acls_decide() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let as_user = |user: &str| RawConnection::connect_as(&sidecar.bootstrap(), cluster, user);
    let topic = unique_topic("alice-reassign");
    create_placed(cluster, "admin", &topic, "1:2");
    let plan = plan(&[(&topic, 0, &[2, 3])]);
    let mut bob = as_user("bob");
    for version in [0, 1] {
        let refused = reassign(&mut bob, version, &plan);
        assert_eq!(refused.error_code, ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0, "{refused:?}");
        let refused = verify(&mut bob, version, &plan);
        assert_eq!(refused.error_code, ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0, "{refused:?}");
    }
    let mut admin = as_user("admin");
    let response = reassign(&mut admin, 1, &plan);
    assert_eq!(response.partitions[0].error_code, 0, "{response:?}");
    verify_until_completed(&mut admin, 1, &plan, 120);
}
