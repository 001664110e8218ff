//! PreferredReplicaLeaderElection and its verify through the sidecar against the real cluster:
//! leadership is moved away from the preferred replica for real (node 1 restarted; the cluster
//! runs with `auto.leader.rebalance.enable=false`, so it stays away), verified, elected back and
//! verified again.
//!
//! This kills a node of the shared plain cluster, like `sidecar_faults.rs`: `cargo test` runs test
//! binaries one after another, and in this binary the only test on the plain cluster is the one
//! that kills the node (the other runs on the secured cluster), so no other test sees it go. The
//! node is back in every ISR before the test ends (and restarted by a guard if the test fails
//! while it is down).

use std::time::{Duration, Instant};

use adminwire_protocol::{
    ErrorCode, PreferredReplicaLeaderElectionRequest, PreferredReplicaLeaderElectionResponse,
    VerifyPreferredReplicaLeaderElectionRequest, VerifyPreferredReplicaLeaderElectionResponse,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, run, unique_topic, wait_until};

/// The node whose leadership is moved away: the preferred replica of every partition here.
const PREFERRED: i32 = 1;
/// Kafka's error when the preferred replica cannot be elected (it is down or out of sync).
const PREFERRED_LEADER_NOT_AVAILABLE: i16 = 80;

fn partitions(list: &[(&str, i32)]) -> String {
    let entries: Vec<String> =
        list.iter().map(|(t, p)| format!(r#"{{"topic":"{t}","partition":{p}}}"#)).collect();
    format!(r#"{{"partitions":[{}]}}"#, entries.join(","))
}

fn elect(
    connection: &mut RawConnection,
    version: i16,
    serialized: &str,
) -> PreferredReplicaLeaderElectionResponse {
    let request = PreferredReplicaLeaderElectionRequest {
        partitions_serialized: serialized.into(),
        timeout_ms: 30_000,
        ..Default::default()
    };
    connection.call(request, version)
}

fn verify(
    connection: &mut RawConnection,
    version: i16,
    serialized: &str,
) -> VerifyPreferredReplicaLeaderElectionResponse {
    let request = VerifyPreferredReplicaLeaderElectionRequest {
        partitions_serialized: serialized.into(),
        ..Default::default()
    };
    connection.call(request, version)
}

/// (topic, partition, result code, leader, preferred leader) of each result.
fn states(
    response: &VerifyPreferredReplicaLeaderElectionResponse,
) -> Vec<(String, i32, i16, i32, i32)> {
    response
        .results
        .iter()
        .map(|r| (r.topic.clone(), r.partition, r.result_code, r.leader, r.preferred_leader))
        .collect()
}

/// (topic, partition, leader, replicas, ISR) of every partition of the cluster, as kcat sees it.
type PartitionView = (String, i64, i64, Vec<i64>, Vec<i64>);

fn cluster_partitions(via: &str) -> Result<Vec<PartitionView>, String> {
    let mut cmd = std::process::Command::new("kcat");
    cmd.args(["-b", via, "-L", "-J", "-m", "5"]);
    let out = run(&mut cmd, Duration::from_secs(60)).map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(out.combined());
    }
    let md: serde_json::Value = serde_json::from_str(&out.stdout).map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    for t in md["topics"].as_array().ok_or("no topics")? {
        let name = t["topic"].as_str().unwrap_or_default().to_owned();
        for p in t["partitions"].as_array().ok_or("no partitions")? {
            let ids = |key: &str| {
                let mut ids: Vec<i64> = p[key]
                    .as_array()
                    .map(|a| a.iter().filter_map(|r| r["id"].as_i64()).collect())
                    .unwrap_or_default();
                ids.sort_unstable();
                ids
            };
            all.push((
                name.clone(),
                p["partition"].as_i64().unwrap_or(-1),
                p["leader"].as_i64().unwrap_or(-1),
                ids("replicas"),
                ids("isrs"),
            ));
        }
    }
    Ok(all)
}

/// Waits until every partition of the cluster has a leader and every replica in its ISR, as
/// every node sees it (the sidecar may ask any of them next).
fn wait_for_full_isrs(cluster: &Cluster, what: &str) {
    wait_until(Duration::from_secs(120), what, || {
        for node in cluster.node_ids() {
            let parts = cluster_partitions(&cluster.node_address(node))?;
            let short: Vec<_> = parts
                .iter()
                .filter(|(_, _, leader, replicas, isr)| *leader < 0 || isr != replicas)
                .collect();
            if !short.is_empty() {
                return Err(format!("node {node}: {short:?}"));
            }
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

fn create_on_1_2_3(cluster: &Cluster, topic: &str) {
    cluster
        .topic_command("admin", &["--create", "--topic", topic, "--replica-assignment", "1:2:3"])
        .expect_success(&format!("creating {topic}"));
    cluster.wait_for_topic(None, topic, 1);
}

#[test]
fn leadership_moved_away_is_verified_elected_back_and_verified() {
    let started = Instant::now();
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let a = unique_topic("election-a");
    let b = unique_topic("election-b");
    create_on_1_2_3(cluster, &a);
    create_on_1_2_3(cluster, &b);
    let only_a = partitions(&[(&a, 0)]);
    let only_b = partitions(&[(&b, 0)]);

    // Led by its preferred replica from the start: verify says done, an election is not needed.
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    assert_eq!(states(&verify(&mut connection, 1, &only_a)), vec![(a.clone(), 0, 1, 1, 1)]);
    let response = elect(&mut connection, 1, &only_a);
    assert_eq!(response.error_code, 0, "{response:?}");
    assert_eq!(
        response.partitions.iter().map(|p| (p.partition, p.error_code)).collect::<Vec<_>>(),
        vec![(0, 0)],
        "{response:?}"
    );
    drop(connection);

    {
        let _guard = cluster.restart_on_drop(PREFERRED);
        cluster.kill_node(PREFERRED);
        let down_at = Instant::now();
        let mut connection = RawConnection::connect(&sidecar.broker_address(2));
        // Once the controller fences the node, another replica leads and 1 is out of the ISR:
        // verify says failed (-1), and the election cannot elect it.
        let both = partitions(&[(&a, 0), (&b, 0)]);
        let down = wait_until(Duration::from_secs(60), "node 1 fenced", || {
            let states = states(&verify(&mut connection, 1, &both));
            if states.iter().all(|s| s.2 == -1 && s.3 != PREFERRED && s.3 >= 0) {
                Ok(states)
            } else {
                Err(format!("{states:?}"))
            }
        })
        .unwrap();
        eprintln!("node 1 fenced after {:.1?}: {down:?}", down_at.elapsed());
        let response = elect(&mut connection, 1, &only_a);
        assert_eq!(response.error_code, 0, "{response:?}");
        // Kafka's 80 PREFERRED_LEADER_NOT_AVAILABLE, passed through (the extension has no code).
        let code = response.partitions[0].error_code;
        assert_eq!(code, PREFERRED_LEADER_NOT_AVAILABLE, "{response:?}");
        assert!(response.partitions[0].error_message.is_some(), "{response:?}");
        // Version 0: the same failure as the single error code.
        let response = elect(&mut connection, 0, &only_a);
        assert_eq!(response.error_code, code, "{response:?}");
        assert!(
            response.error_message.as_deref().is_some_and(|m| m.starts_with(&format!("{a}-0: "))),
            "{response:?}"
        );

        cluster.restart_node(PREFERRED);
        eprintln!("node 1 restarted {:.1?} after the kill", down_at.elapsed());
    }
    wait_for_full_isrs(cluster, "node 1 back in every ISR");

    // Back in the ISR but not leading: verify says not yet, with the leader and preferred leader.
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let response = verify(&mut connection, 1, &partitions(&[(&b, 0), (&a, 0)]));
    assert_eq!(response.error_code, 0, "{response:?}");
    let got = states(&response);
    assert_eq!(got.len(), 2, "{response:?}");
    for (state, topic) in got.iter().zip([&b, &a]) {
        assert_eq!((&state.0, state.1, state.2, state.4), (topic, 0, 0, PREFERRED), "{got:?}");
        assert!(state.3 != PREFERRED && state.3 >= 0, "{got:?}");
    }
    // Version 0 carries the result codes only.
    let v0 = verify(&mut connection, 0, &only_a);
    assert_eq!(v0.results.len(), 1);
    assert_eq!((v0.results[0].result_code, v0.results[0].leader), (0, -1), "{v0:?}");

    // Elect A (v1): accepted, and verify sees node 1 lead.
    let response = elect(&mut connection, 1, &only_a);
    assert_eq!(response.error_code, 0, "{response:?}");
    assert_eq!(
        response
            .partitions
            .iter()
            .map(|p| (p.topic.as_str(), p.partition, p.error_code, p.error_message.as_deref()))
            .collect::<Vec<_>>(),
        vec![(a.as_str(), 0, 0, None)]
    );
    wait_until(Duration::from_secs(30), "node 1 leading A", || {
        let states = states(&verify(&mut connection, 1, &only_a));
        if states == vec![(a.clone(), 0, 1, PREFERRED, PREFERRED)] {
            Ok(())
        } else {
            Err(format!("{states:?}"))
        }
    })
    .unwrap();
    // B is still not led by its preferred replica; electing A moved nothing else.
    assert_eq!(states(&verify(&mut connection, 1, &only_b))[0].2, 0);

    // Electing A again is not needed, which is not an error (v1 and v0).
    let response = elect(&mut connection, 1, &only_a);
    assert_eq!((response.error_code, response.partitions[0].error_code), (0, 0), "{response:?}");
    assert_eq!(elect(&mut connection, 0, &only_a).error_code, 0);

    // Elect B with version 0.
    let response = elect(&mut connection, 0, &only_b);
    assert_eq!((response.error_code, response.error_message.as_deref()), (0, None));
    wait_until(Duration::from_secs(30), "node 1 leading B", || {
        let states = states(&verify(&mut connection, 1, &only_b));
        if states[0].2 == 1 && states[0].3 == PREFERRED {
            Ok(())
        } else {
            Err(format!("{states:?}"))
        }
    })
    .unwrap();

    // Every partition (the empty string): results sorted by topic and partition, A and B done.
    let response = verify(&mut connection, 1, "");
    assert_eq!(response.error_code, 0, "{response:?}");
    let all = states(&response);
    let mut sorted = all.clone();
    sorted.sort_by(|x, y| (&x.0, x.1).cmp(&(&y.0, y.1)));
    assert_eq!(all, sorted);
    for topic in [&a, &b] {
        assert!(all.contains(&(topic.clone(), 0, 1, PREFERRED, PREFERRED)), "{topic}: {all:?}");
    }
    // Electing every partition: each result is a success (none is left away from its preferred
    // replica by now, except partitions other tests left behind, which get elected too).
    let response = elect(&mut connection, 1, "");
    assert_eq!(response.error_code, 0, "{response:?}");
    assert!(response.partitions.iter().all(|p| p.error_code == 0), "{response:?}");

    // Bad election data: 1009, for both requests and versions.
    let invalid = ErrorCode::INVALID_ARGUMENT_PREFERRED_REPLICA_ELECTION_DATA.0;
    let duplicated = partitions(&[(&a, 0), (&b, 0), (&a, 0)]);
    for version in [0, 1] {
        let response = elect(&mut connection, version, "{\"partitions\":");
        assert_eq!(response.error_code, invalid, "{response:?}");
        assert!(response.error_message.as_deref().unwrap().contains("not JSON"), "{response:?}");
        let response = elect(&mut connection, version, &duplicated);
        assert_eq!(response.error_code, invalid, "{response:?}");
        assert!(
            response
                .error_message
                .as_deref()
                .unwrap()
                .contains(&format!("partition {a}-0 is listed more than once")),
            "{response:?}"
        );
        let response = elect(
            &mut connection,
            version,
            &format!(r#"{{"partitions":[{{"topic":"{a}","partition":-1}}]}}"#),
        );
        assert_eq!(response.error_code, invalid, "{response:?}");
        let response = verify(&mut connection, version, &duplicated);
        assert_eq!((response.error_code, response.results.len()), (invalid, 0), "{response:?}");
        let response = verify(&mut connection, version, r#"{"partitions":[{"topic":"t"}]}"#);
        assert_eq!(response.error_code, invalid, "{response:?}");
    }

    // An unknown topic: Kafka's 3 for that partition (v1); the known one is still answered.
    let unknown = unique_topic("election-unknown");
    let response = elect(&mut connection, 1, &partitions(&[(&unknown, 0), (&a, 0)]));
    assert_eq!(response.error_code, 0, "{response:?}");
    assert_eq!(
        response.partitions.iter().map(|p| (p.topic.as_str(), p.error_code)).collect::<Vec<_>>(),
        vec![(unknown.as_str(), ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0), (a.as_str(), 0)],
        "{response:?}"
    );
    assert_eq!(
        elect(&mut connection, 0, &partitions(&[(&a, 0), (&unknown, 0)])).error_code,
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0
    );
    // Verify cannot say anything of it: 3, naming it.
    let response = verify(&mut connection, 1, &partitions(&[(&a, 0), (&unknown, 0)]));
    assert_eq!(response.error_code, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0, "{response:?}");
    assert!(response.error_message.as_deref().unwrap().contains(&format!("{unknown}-0")));
    let response = verify(&mut connection, 1, &partitions(&[(&a, 7)]));
    assert_eq!(response.error_code, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0, "{response:?}");

    wait_for_full_isrs(cluster, "every ISR full at the end");
    eprintln!("election test took {:.1?}", started.elapsed());
}

#[test]
fn on_the_secured_cluster_the_brokers_acls_decide() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let as_user = |user: &str| RawConnection::connect_as(&sidecar.bootstrap(), cluster, user);
    let topic = unique_topic("election-secure");
    cluster
        .topic_command(
            "admin",
            &["--create", "--topic", &topic, "--partitions", "1", "--replication-factor", "3"],
        )
        .expect_success(&format!("creating {topic}"));
    cluster.wait_for_topic(Some("admin"), &topic, 1);
    let list = partitions(&[(&topic, 0)]);
    let mut bob = as_user("bob");
    for version in [0, 1] {
        let response = elect(&mut bob, version, &list);
        assert_eq!(response.error_code, ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0, "{response:?}");
        assert!(response.error_message.is_some(), "{response:?}");
        assert_eq!(
            elect(&mut bob, version, "").error_code,
            ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0
        );
    }
    let mut admin = as_user("admin");
    let response = elect(&mut admin, 1, &list);
    assert_eq!(response.error_code, 0, "{response:?}");
    assert_eq!(response.partitions.len(), 1, "{response:?}");
    assert_eq!(response.partitions[0].error_code, 0, "{response:?}");
    assert_eq!(elect(&mut admin, 0, &list).error_code, 0);
    let response = verify(&mut admin, 1, &list);
    assert_eq!((response.error_code, response.results.len()), (0, 1), "{response:?}");
    assert_eq!(response.results[0].result_code, 1, "{response:?}");
}
