//! CreateTopic and DeleteTopic through the sidecar against the real cluster, each extension code
//! they can answer provoked for real.

use std::time::Duration;

use adminwire_protocol::generated::create_topic_request::{ConfigEntry, CreatableTopic};
use adminwire_protocol::{
    CreateTopicRequest, CreateTopicResponse, DeleteTopicRequest, DeleteTopicResponse, ErrorCode,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic, wait_until};

fn topic(name: &str, partitions: i32, replication_factor: i32) -> CreatableTopic {
    CreatableTopic { name: name.into(), partitions, replication_factor, ..Default::default() }
}

fn assigned(name: &str, assignment: &str) -> CreatableTopic {
    CreatableTopic {
        name: name.into(),
        replica_assignment: assignment.into(),
        ..Default::default()
    }
}

fn create(
    connection: &mut RawConnection,
    version: i16,
    topics: Vec<CreatableTopic>,
) -> CreateTopicResponse {
    connection.call(CreateTopicRequest { topics, ..Default::default() }, version)
}

fn delete(connection: &mut RawConnection, version: i16, names: &[&str]) -> DeleteTopicResponse {
    let request = if version == 0 {
        DeleteTopicRequest { topic_name: names[0].into(), ..Default::default() }
    } else {
        DeleteTopicRequest {
            topic_names: names.iter().map(|n| (*n).to_owned()).collect(),
            ..Default::default()
        }
    };
    connection.call(request, version)
}

#[test]
fn create_from_partitions_and_replication_factor_with_configs() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let name = unique_topic("created");
    let mut t = topic(&name, 3, 3);
    t.configs = vec![ConfigEntry {
        key: "cleanup.policy".into(),
        value: "compact".into(),
        ..Default::default()
    }];
    let response = create(&mut connection, 0, vec![t]);
    assert_eq!((response.error_code, response.error_message), (0, None));
    cluster.wait_for_description(&name, "3 partitions, 3 replicas, compacted", |d| {
        d.contains("PartitionCount: 3")
            && d.contains("ReplicationFactor: 3")
            && d.contains("cleanup.policy=compact")
    });
    // Again: it exists (1002), in both versions.
    assert_eq!(
        create(&mut connection, 0, vec![topic(&name, 3, 3)]).error_code,
        ErrorCode::TOPIC_ALREADY_EXISTS.0
    );
    let again = create(&mut connection, 1, vec![topic(&name, 3, 3)]);
    assert_eq!(again.topics[0].error_code, ErrorCode::TOPIC_ALREADY_EXISTS.0);
}

#[test]
fn create_from_a_replica_assignment_places_the_replicas_as_asked() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let name = unique_topic("assigned");
    let response = create(&mut connection, 1, vec![assigned(&name, "1:2,2:3,3:1")]);
    assert_eq!(response.topics[0].error_code, 0, "{:?}", response.topics[0].error_message);
    cluster.wait_for_topic(None, &name, 3);
    let description = cluster.describe_topic(&name);
    for (partition, replicas) in [(0, "1,2"), (1, "2,3"), (2, "3,1")] {
        let line = description
            .lines()
            .find(|l| l.contains(&format!("Partition: {partition}\t")))
            .unwrap_or_else(|| panic!("partition {partition} in {description}"));
        assert!(line.contains(&format!("Replicas: {replicas}\t")), "{line}");
    }
}

#[test]
fn what_the_seed_has_the_server_validate_gets_the_extensions_codes() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let n = |s: &str| unique_topic(s);
    let mut bad_config = topic(&n("badcfg"), 1, 1);
    bad_config.configs = vec![ConfigEntry {
        key: "cleanup.policy".into(),
        value: "sometimes".into(),
        ..Default::default()
    }];
    let mut unknown_config = topic(&n("unkcfg"), 1, 1);
    unknown_config.configs =
        vec![ConfigEntry { key: "no.such.config".into(), value: "1".into(), ..Default::default() }];
    let mut repeated_config = topic(&n("repcfg"), 1, 1);
    repeated_config.configs = vec![
        ConfigEntry { key: "retention.ms".into(), value: "1000".into(), ..Default::default() },
        ConfigEntry { key: "retention.ms".into(), value: "2000".into(), ..Default::default() },
    ];
    let cases: Vec<(CreatableTopic, ErrorCode, &str)> = vec![
        (topic(&n("rf-only"), -1, 3), ErrorCode::INVALID_ARGUMENT_PARTITIONS, "without partitions"),
        (
            topic(&n("p-only"), 3, -1),
            ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR,
            "without a replication factor",
        ),
        (topic(&n("zero"), 0, 1), ErrorCode::INVALID_ARGUMENT_PARTITIONS, "at least 1"),
        (topic(&n("negrf"), 1, -5), ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR, "between 1"),
        // More replicas than brokers: the cluster refuses it (38), mapped to 1005.
        (topic(&n("toomany"), 1, 4), ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR, ""),
        (assigned(&n("dup"), "1:1"), ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT, "twice"),
        (
            assigned(&n("ragged"), "1:2,3"),
            ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
            "same number",
        ),
        // A broker the cluster does not have: the cluster refuses it (39), mapped to 1006.
        (assigned(&n("nobroker"), "1:99"), ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT, ""),
        (bad_config, ErrorCode::INVALID_TOPIC_CONFIG, ""),
        (unknown_config, ErrorCode::INVALID_TOPIC_CONFIG, ""),
        (repeated_config, ErrorCode::INVALID_TOPIC_CONFIG, "twice"),
    ];
    let mut refused = Vec::new();
    for (t, code, says) in cases {
        let name = t.name.clone();
        let response = create(&mut connection, 0, vec![t]);
        assert_eq!(response.error_code, code.0, "{name}: {:?}", response.error_message);
        let message = response.error_message.unwrap_or_default();
        assert!(message.starts_with(&format!("{name}: ")) && message.contains(says), "{message}");
        refused.push(name);
    }
    let refused: Vec<&str> = refused.iter().map(String::as_str).collect();
    cluster.assert_topics_absent(None, &refused);
}

#[test]
fn a_batch_answers_per_topic_in_v1_and_with_the_first_failure_in_v0() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let existing = unique_topic("exists");
    cluster.create_topic(&existing, 1);
    let (fresh_v1, fresh_v0) = (unique_topic("fresh1"), unique_topic("fresh0"));
    let (bad_v1, bad_v0) = (unique_topic("bad1"), unique_topic("bad0"));
    let batch = |fresh: &str, bad: &str| {
        vec![topic(fresh, 1, 3), topic(&existing, 1, 3), topic(bad, -1, 3)]
    };

    let v1 = create(&mut connection, 1, batch(&fresh_v1, &bad_v1));
    let codes: Vec<i16> = v1.topics.iter().map(|t| t.error_code).collect();
    assert_eq!(codes, vec![0, 1002, 1003]);
    assert_eq!(v1.topics[0].name, fresh_v1);

    let v0 = create(&mut connection, 0, batch(&fresh_v0, &bad_v0));
    assert_eq!(v0.error_code, 1002, "the first failure in request order");
    assert!(v0.error_message.unwrap().starts_with(&existing));
    // v0's batch is not atomic: the good topic was created, which the cluster's metadata shows a
    // moment after the controller committed it.
    cluster.wait_for_topic_everywhere(None, &fresh_v0);
    cluster.wait_for_topic_everywhere(None, &fresh_v1);
    // And the invalid ones were not.
    cluster.assert_topics_absent(None, &[&bad_v1, &bad_v0]);

    let twice = create(&mut connection, 1, vec![topic(&fresh_v1, 1, 3), topic(&fresh_v1, 1, 3)]);
    assert!(twice.topics.iter().all(|t| t.error_code == ErrorCode::INVALID_REQUEST.0), "{twice:?}");
}

#[test]
fn validate_only_checks_but_creates_nothing() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let name = unique_topic("dryrun");
    let request = CreateTopicRequest {
        topics: vec![topic(&name, 2, 3)],
        validate_only: true,
        ..Default::default()
    };
    let response = connection.call(request, 1);
    assert_eq!(response.topics[0].error_code, 0);
    cluster.assert_topics_absent(None, &[&name]);
}

#[test]
fn delete_removes_topics_and_reports_unknown_ones() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let (a, b, missing) = (unique_topic("del-a"), unique_topic("del-b"), unique_topic("never"));
    cluster.create_topic(&a, 1);
    cluster.create_topic(&b, 1);
    assert_eq!(delete(&mut connection, 0, &[&a]).error_code, 0);
    let v1 = delete(&mut connection, 1, &[&b, &missing]);
    let codes: Vec<i16> = v1.topics.iter().map(|t| t.error_code).collect();
    assert_eq!(codes, vec![0, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0]);
    assert_eq!(delete(&mut connection, 0, &[&missing]).error_code, 3);
    wait_until(Duration::from_secs(30), "deleted topics gone from every node", || {
        for node in cluster.node_ids() {
            for name in [&a, &b] {
                if cluster.node_has_topic(None, node, name)? {
                    return Err(format!("node {node} still has {name}"));
                }
            }
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn on_the_secured_cluster_the_brokers_acls_decide() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let as_user = |user: &str| RawConnection::connect_as(&sidecar.bootstrap(), cluster, user);
    let name = unique_topic("alice-made");
    let mut bob = as_user("bob");
    assert_eq!(
        create(&mut bob, 0, vec![topic(&name, 1, 3)]).error_code,
        ErrorCode::TOPIC_AUTHORIZATION_FAILED.0
    );
    let mut alice = as_user("alice");
    assert_eq!(create(&mut alice, 0, vec![topic(&name, 1, 3)]).error_code, 0);
    assert_eq!(delete(&mut bob, 0, &[&name]).error_code, ErrorCode::TOPIC_AUTHORIZATION_FAILED.0);
    assert_eq!(delete(&mut alice, 0, &[&name]).error_code, 0);
}

/// A new or grown topic is visible to the client's very next command on its connection: the
/// sidecar answers only once the client's broker shows it (the draft's shell session alters,
/// then describes). A deletion is not waited for.
/// Without that, a broker still applying the controller's change shows the old state now and then,
/// so the sequence runs a few times.
#[test]
fn each_change_is_visible_to_the_clients_next_command() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let partitions_now = |connection: &mut RawConnection, name: &str| -> Option<usize> {
        let request = adminwire_protocol::DescribeTopicRequest {
            topic_name: name.into(),
            ..Default::default()
        };
        let response = connection.call(request, 0);
        response.topic_description.map(|d| d.topic_partition_details.len())
    };
    for round in 0..5 {
        let name = unique_topic(&format!("read-your-writes-{round}"));
        let created = create(&mut connection, 1, vec![topic(&name, 2, 3)]);
        assert_eq!(created.topics[0].error_code, 0, "{created:?}");
        assert_eq!(partitions_now(&mut connection, &name), Some(2), "round {round}: created");

        let alter = adminwire_protocol::AlterTopicRequest {
            topic_name: name.clone(),
            partitions: 5,
            ..Default::default()
        };
        let altered = connection.call(alter, 0);
        assert_eq!(altered.error_code, 0, "{altered:?}");
        assert_eq!(partitions_now(&mut connection, &name), Some(5), "round {round}: grown");

        let deleted = delete(&mut connection, 1, &[&name]);
        assert_eq!(deleted.topics[0].error_code, 0, "{deleted:?}");
    }
}
