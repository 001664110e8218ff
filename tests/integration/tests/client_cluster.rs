//! The admin client's routing and long-running commands through a real sidecar against the real
//! cluster: refused by a plain broker, sent on to the controller after 1001, the server's own
//! deadline, reassignments and elections awaited to completion, and a wait that outlasts its
//! deadline while a throttled reassignment crawls.

mod client_common;

use std::time::Duration;

use adminwire_client::{
    AdminClient, AdminClientConfig, ElectionScope, Error, ErrorCode, NewTopic, PartitionState,
    Progress, ReassignmentPlan, TopicAlteration, TopicPartition,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, TOOL_TIMEOUT, run_with_input, unique_topic};
use client_common::{config, connect, eventually, run, version_0_relay};

/// Creates `topic` with one partition on `replicas` and waits until it has a leader.
async fn create_placed(client: &AdminClient, topic: &str, replicas: &str) {
    client
        .create_topic(&NewTopic::with_assignment(topic, replicas.parse().unwrap()))
        .await
        .unwrap();
    replicas_of(client, topic, |_| true).await;
}

/// Partition 0's replicas once `settled` holds for them and it has a leader.
async fn replicas_of(
    client: &AdminClient,
    topic: &str,
    settled: impl Fn(&[i32]) -> bool,
) -> Vec<i32> {
    eventually(Duration::from_secs(30), &format!("{topic}-0 settled"), || async {
        let described = client.describe_topic(topic).await.map_err(|e| e.to_string())?;
        match described.partitions.first() {
            Some(p) if p.leader.is_some() && settled(&p.replicas) => Ok(p.replicas.clone()),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

#[test]
fn pointed_at_a_plain_broker_the_client_refuses_before_sending_the_extension() {
    let cluster = Cluster::plain();
    run(async {
        let broker = cluster.node_address(1);
        let error = AdminClient::connect(config(&broker)).await.unwrap_err();
        assert!(
            matches!(&error, Error::ExtensionNotOffered { address } if *address == broker),
            "{error}"
        );
        assert_eq!(
            (error.name(), error.code(), error.is_retriable()),
            ("ExtensionNotOffered", None, false)
        );
        assert!(error.to_string().contains("plain Kafka broker"), "{error}");
    });
    // With a sidecar among the bootstrap servers, the client uses it.
    let sidecar = TestSidecar::start(cluster);
    run(async {
        let servers = [cluster.node_address(1), sidecar.bootstrap()];
        let client = AdminClient::connect(AdminClientConfig::new(servers)).await.unwrap();
        client.list_topics().await.unwrap();
    });
}

#[test]
fn with_require_controller_a_refused_request_is_sent_again_to_the_controller() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start_with(cluster, |c| c.listen.require_controller = true);
    sidecar.wait_for_brokers(cluster.node_ids().len());
    let topic = unique_topic("client-redirect");
    run(async {
        // The bootstrap listener fronts no broker: every admin request there is answered 1001.
        let client = connect(&sidecar.bootstrap()).await;
        assert!(!client.list_topics().await.unwrap().is_empty(), "answered by the controller");
        let controller = client.cached_metadata().and_then(|m| m.controller).expect("learned");
        assert_eq!(controller.address(), sidecar.broker_address(controller.node_id));

        // A request that changes the cluster is sent again too: 1001 means it did not run.
        let other = cluster.node_ids().into_iter().find(|n| *n != controller.node_id).unwrap();
        let elsewhere = connect(&sidecar.broker_address(other)).await;
        elsewhere.create_topic(&NewTopic::new(&topic, 1, 3)).await.unwrap();
        elsewhere.delete_topic(&topic).await.unwrap();

        // Bounded: with no retries the 1001 is the answer.
        let config = config(&sidecar.bootstrap()).retries(0);
        let refused = AdminClient::connect(config).await.unwrap().list_topics().await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::NOT_CONTROLLER_RECEIVED_ADMIN_REQUEST));
        assert_eq!(refused.name(), "NotControllerReceivedAdminRequest");
        assert!(refused.is_retriable());
        assert!(refused.description().contains(&controller.address()), "{}", refused.description());
    });
}

#[test]
fn the_servers_own_deadline_is_a_retriable_server_error() {
    let cluster = Cluster::plain();
    // Every request the sidecar sends to the cluster is already past its deadline.
    let sidecar = TestSidecar::start_with(cluster, |c| c.upstream.request_timeout_ms = 0);
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        let error = client.list_topics().await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::REQUEST_TIMED_OUT), "{error}");
        assert!(error.is_retriable());
        assert!(matches!(error, Error::Server(_)), "an answer, not a client-side timeout");
    });
}

#[test]
fn a_reassignment_is_started_awaited_with_progress_and_verified() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("client-move");
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        create_placed(&client, &topic, "1:2").await;
        let plan = ReassignmentPlan::new().partition(&topic, 0, [2, 3]);
        let before = client.verify_reassign_partitions(&plan).await.unwrap();
        assert_eq!(before[0].state, PartitionState::Failed, "not moving, not there: {before:?}");

        let reassignment = client.reassign_partitions(&plan).await.unwrap();
        assert_eq!(reassignment.started().len(), 1);
        assert_eq!(reassignment.started()[0].error, None);
        let mut reports: Vec<Progress> = Vec::new();
        let done = reassignment
            .wait_with_progress(Duration::from_secs(60), |p| reports.push(p.clone()))
            .await
            .unwrap();
        assert_eq!(done.completed, [TopicPartition::new(&topic, 0)]);
        assert!(done.is_success());
        assert_eq!(reports.last(), Some(&done));
        assert_eq!(replicas_of(&client, &topic, |r| r == [2, 3]).await, [2, 3]);
        eventually(Duration::from_secs(30), "the verify to say completed", || async {
            let after =
                client.verify_reassign_partitions(&plan).await.map_err(|e| e.to_string())?;
            if after[0].state == PartitionState::Completed {
                Ok(())
            } else {
                Err(format!("{after:?}"))
            }
        })
        .await;

        // A plan the server cannot start, and a partition it refuses.
        let empty = client.reassign_partitions(&ReassignmentPlan::new()).await.unwrap_err();
        assert_eq!(empty.code(), Some(ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT), "{empty}");
        let unknown_broker = ReassignmentPlan::new().partition(&topic, 0, [2, 99]);
        let refused = client.reassign_partitions(&unknown_broker).await.unwrap();
        let error = refused.started()[0].error.as_ref().expect("broker 99 refused");
        assert_eq!(error.code(), ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT);
        let outcome = refused.wait(Duration::from_secs(30)).await.unwrap();
        assert_eq!(outcome.failed, [TopicPartition::new(&topic, 0)], "never started, never there");

        // Version 0: the plan as a whole, then the same polling.
        let relay = version_0_relay(sidecar.bootstrap()).await;
        let old = connect(&relay).await;
        let back = ReassignmentPlan::new().partition(&topic, 0, [1, 2]);
        let moved_back = old.reassign_partitions(&back).await.unwrap();
        assert_eq!(moved_back.started()[0].partition, TopicPartition::new(&topic, 0));
        assert!(moved_back.wait(Duration::from_secs(60)).await.unwrap().is_success());
        client.delete_topic(&topic).await.unwrap();
    });
}

#[test]
fn a_preferred_replica_election_is_started_awaited_and_verified() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("client-elect");
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        create_placed(&client, &topic, "1:2").await;
        // Reordering the replicas moves no data and keeps the leader: 1 leads, 2 is preferred.
        let reorder = ReassignmentPlan::new().partition(&topic, 0, [2, 1]);
        let reordered = client.reassign_partitions(&reorder).await.unwrap();
        assert!(reordered.wait(Duration::from_secs(60)).await.unwrap().is_success());
        let scope = ElectionScope::Partitions(vec![TopicPartition::new(&topic, 0)]);
        // Brokers learn the new order a moment after the controller; the verify asks one of them.
        eventually(Duration::from_secs(30), "2 preferred, 1 leading", || async {
            let before = client.verify_preferred_replica_leader_election(&scope).await;
            let before = before.map_err(|e| e.to_string())?;
            let seen = (before[0].state, before[0].leader, before[0].preferred_leader);
            let expected = (PartitionState::InProgress, Some(1), Some(2));
            if seen == expected { Ok(()) } else { Err(format!("{seen:?}")) }
        })
        .await;

        let election = client.preferred_replica_leader_election(&scope).await.unwrap();
        assert_eq!(election.started()[0].error, None);
        let done = election.wait(Duration::from_secs(60)).await.unwrap();
        assert_eq!(done.completed, [TopicPartition::new(&topic, 0)]);
        // Each broker sees the new leader once it has applied the election; another broker than
        // the one that reported it done may answer.
        eventually(Duration::from_secs(30), "2 leading, seen by the verify", || async {
            let after = client.verify_preferred_replica_leader_election(&scope).await;
            let after = after.map_err(|e| e.to_string())?;
            let seen = (after[0].state, after[0].leader);
            if seen == (PartitionState::Completed, Some(2)) {
                Ok(())
            } else {
                Err(format!("{after:?}"))
            }
        })
        .await;

        // Bad election data, and an unknown partition.
        let nothing = ElectionScope::Partitions(Vec::new());
        let refused = client.preferred_replica_leader_election(&nothing).await.unwrap_err();
        assert_eq!(
            refused.code(),
            Some(ErrorCode::INVALID_ARGUMENT_PREFERRED_REPLICA_ELECTION_DATA)
        );
        let missing = ElectionScope::Partitions(vec![TopicPartition::new(unique_topic("none"), 0)]);
        let unknown = client.preferred_replica_leader_election(&missing).await.unwrap();
        let error = unknown.started()[0].error.as_ref().expect("an unknown partition");
        assert_eq!(error.code(), ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
        let unverifiable = client.verify_preferred_replica_leader_election(&missing).await;
        assert_eq!(unverifiable.unwrap_err().code(), Some(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION));

        // Version 0, after moving the preference back to 1.
        let back = ReassignmentPlan::new().partition(&topic, 0, [1, 2]);
        let moved_back = client.reassign_partitions(&back).await.unwrap();
        assert!(moved_back.wait(Duration::from_secs(60)).await.unwrap().is_success());
        eventually(Duration::from_secs(30), "1 preferred again", || async {
            let seen = client.verify_preferred_replica_leader_election(&scope).await;
            let seen = seen.map_err(|e| e.to_string())?;
            let preferred_waits = seen[0].state == PartitionState::InProgress;
            if preferred_waits { Ok(()) } else { Err(format!("{seen:?}")) }
        })
        .await;
        let relay = version_0_relay(sidecar.bootstrap()).await;
        let old = connect(&relay).await;
        let election = old.preferred_replica_leader_election(&scope).await.unwrap();
        assert!(election.wait(Duration::from_secs(60)).await.unwrap().is_success());
        // v0 has no leader field.
        eventually(Duration::from_secs(30), "1 leading, seen by the v0 verify", || async {
            let after = old.verify_preferred_replica_leader_election(&scope).await;
            let after = after.map_err(|e| e.to_string())?;
            let seen = (after[0].state, after[0].leader);
            if seen == (PartitionState::Completed, None) {
                Ok(())
            } else {
                Err(format!("{after:?}"))
            }
        })
        .await;
        client.delete_topic(&topic).await.unwrap();
    });
}

/// Throttles replication of every broker to a crawl (Kafka's ConfigCommand; the rates are only
/// read per broker, not from the cluster-wide default) while it lives. Only topics that list
/// throttled replicas are affected.
struct ThrottledBrokers<'a>(&'a Cluster);

const RATES: &str = "leader.replication.throttled.rate,follower.replication.throttled.rate";

impl<'a> ThrottledBrokers<'a> {
    fn start(cluster: &'a Cluster, bytes_per_second: u32) -> Self {
        let rates = format!(
            "leader.replication.throttled.rate={bytes_per_second},follower.replication.throttled.rate={bytes_per_second}"
        );
        let throttled = ThrottledBrokers(cluster);
        throttled.on_every_broker(&["--add-config", &rates]);
        throttled
    }

    fn on_every_broker(&self, change: &[&str]) {
        for node in self.0.node_ids() {
            let node = node.to_string();
            let mut args = vec![
                "--bootstrap-server",
                self.0.bootstrap(),
                "--alter",
                "--entity-type",
                "brokers",
                "--entity-name",
                &node,
            ];
            args.extend_from_slice(change);
            self.0
                .kafka_tool("ConfigCommand", &args)
                .expect_success(&format!("ConfigCommand {args:?}"));
        }
    }
}

impl Drop for ThrottledBrokers<'_> {
    fn drop(&mut self) {
        let lift = || self.on_every_broker(&["--delete-config", RATES]);
        if std::thread::panicking() {
            // Best effort; the test already failed, and a second panic would abort.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(lift));
        } else {
            lift();
        }
    }
}

#[test]
fn waiting_for_a_reassignment_ends_at_its_deadline_while_the_move_goes_on() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("client-crawl");
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        create_placed(&client, &topic, "1:2").await;
        // 2.5 MB to copy to broker 3 at 10 kB/s: minutes. (A follower's first fetch takes up to
        // 1 MiB before the throttle is noticed, so less would not crawl.)
        let records: String = (0..2500).map(|i| format!("{i:06}{}\n", "x".repeat(994))).collect();
        // kcat asks any broker for the topic: every one must know it, or librdkafka may see its
        // partition count fall to 0 and fail the records (seen on Kafka 3.9.1, whose brokers
        // learn a new topic a moment apart).
        cluster.wait_for_topic_everywhere(None, &topic);
        let mut produce = cluster.kcat(None);
        produce.args(["-P", "-t", &topic]);
        run_with_input(&mut produce, records.as_bytes(), TOOL_TIMEOUT)
            .unwrap()
            .expect_success("kcat -P");

        let throttled_replicas = TopicAlteration::new(&topic)
            .set_config("leader.replication.throttled.replicas", "*")
            .set_config("follower.replication.throttled.replicas", "*");
        client.alter_topic(&throttled_replicas).await.unwrap();
        let throttle = ThrottledBrokers::start(cluster, 10_000);
        let plan = ReassignmentPlan::new().partition(&topic, 0, [2, 3]);
        let reassignment = client.reassign_partitions(&plan).await.unwrap();
        let deadline = Duration::from_secs(3);
        let started = std::time::Instant::now();
        let error = reassignment.wait(deadline).await.unwrap_err();
        assert!(matches!(&error, Error::Timeout { after, .. } if *after == deadline), "{error}");
        assert!(started.elapsed() < deadline + Duration::from_secs(2), "{:?}", started.elapsed());
        let progress = reassignment.progress().await.unwrap();
        assert_eq!(progress.in_progress, [TopicPartition::new(&topic, 0)], "still moving");

        drop(throttle);
        let unthrottled = TopicAlteration::new(&topic)
            .delete_config("leader.replication.throttled.replicas")
            .delete_config("follower.replication.throttled.replicas");
        client.alter_topic(&unthrottled).await.unwrap();
        assert!(reassignment.wait(Duration::from_secs(120)).await.unwrap().is_success());
        client.delete_topic(&topic).await.unwrap();
    });
}
