//! AlterTopic through the sidecar against the real cluster: more partitions (placed by the
//! cluster or by hand), configs set and removed (and seen by the next command at once), and each
//! refusal with its code.

use adminwire_protocol::generated::alter_topic_request::{AlterableTopic, ConfigEntry};
use adminwire_protocol::generated::create_topic_request::{self, CreatableTopic};
use adminwire_protocol::{
    AlterTopicRequest, AlterTopicResponse, CreateTopicRequest, DescribeTopicRequest, ErrorCode,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic};

fn alter_v0(connection: &mut RawConnection, topic: AlterableTopic) -> AlterTopicResponse {
    let request = AlterTopicRequest {
        topic_name: topic.name,
        partitions: topic.partitions,
        replica_assignment: topic.replica_assignment,
        added_configs: topic.added_configs,
        deleted_configs: topic.deleted_configs,
        ..Default::default()
    };
    connection.call(request, 0)
}

fn alter_v1(connection: &mut RawConnection, topics: Vec<AlterableTopic>) -> AlterTopicResponse {
    connection.call(AlterTopicRequest { topics, ..Default::default() }, 1)
}

fn partitions(name: &str, count: i32) -> AlterableTopic {
    AlterableTopic { name: name.into(), partitions: count, ..Default::default() }
}

fn config(key: &str, value: &str) -> ConfigEntry {
    ConfigEntry { key: key.into(), value: value.into(), ..Default::default() }
}

#[test]
fn partitions_grow_and_never_shrink() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let name = unique_topic("grow");
    cluster.create_topic(&name, 3);
    assert_eq!(alter_v0(&mut connection, partitions(&name, 5)).error_code, 0);
    cluster.wait_for_description(&name, "5 partitions", |d| d.contains("PartitionCount: 5"));
    let shrink = alter_v0(&mut connection, partitions(&name, 2));
    assert_eq!(
        shrink.error_code,
        ErrorCode::DECREASE_PARTITIONS_NOT_ALLOWED.0,
        "{:?}",
        shrink.error_message
    );
    assert!(shrink.error_message.unwrap().contains("has 5 partitions"));
    // The same count: the cluster refuses it (37), mapped to 1003.
    assert_eq!(
        alter_v0(&mut connection, partitions(&name, 5)).error_code,
        ErrorCode::INVALID_ARGUMENT_PARTITIONS.0
    );
    // Refusals change nothing, as every node shows once its metadata is current.
    cluster.wait_for_metadata_fence(None);
    assert!(cluster.describe_topic(&name).contains("PartitionCount: 5"), "nothing changed");
}

#[test]
fn new_partitions_can_be_placed_by_hand_and_configs_set_and_removed_in_one_batch() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let (placed, configured) = (unique_topic("placed"), unique_topic("configured"));
    cluster.create_topic(&placed, 1);
    cluster.create_topic(&configured, 1);
    let set = alter_v1(
        &mut connection,
        vec![
            AlterableTopic {
                replica_assignment: Some("2:3:1,3:1:2".into()),
                ..partitions(&placed, 3)
            },
            AlterableTopic {
                name: configured.clone(),
                added_configs: vec![
                    config("cleanup.policy", "compact"),
                    config("retention.ms", "3600000"),
                ],
                ..Default::default()
            },
        ],
    );
    let codes: Vec<i16> = set.topics.iter().map(|t| t.error_code).collect();
    assert_eq!(codes, vec![0, 0], "{set:?}");
    cluster.wait_for_topic(None, &placed, 3);
    let description = cluster.describe_topic(&placed);
    for (partition, replicas) in [(1, "2,3,1"), (2, "3,1,2")] {
        let line =
            description.lines().find(|l| l.contains(&format!("Partition: {partition}\t"))).unwrap();
        assert!(line.contains(&format!("Replicas: {replicas}\t")), "{line}");
    }
    cluster.wait_for_description(&configured, "both configs set", |d| {
        d.contains("cleanup.policy=compact") && d.contains("retention.ms=3600000")
    });

    let removed = alter_v1(
        &mut connection,
        vec![AlterableTopic {
            name: configured.clone(),
            deleted_configs: vec!["cleanup.policy".into()],
            ..Default::default()
        }],
    );
    assert_eq!(removed.topics[0].error_code, 0);
    cluster.wait_for_description(&configured, "cleanup.policy removed, retention.ms kept", |d| {
        !d.contains("cleanup.policy=compact") && d.contains("retention.ms=3600000")
    });
}

#[test]
fn refusals_get_the_extensions_codes() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let name = unique_topic("refused");
    cluster.create_topic(&name, 2);
    let cases: Vec<(AlterableTopic, ErrorCode, &str)> = vec![
        (partitions(&name, 0), ErrorCode::INVALID_ARGUMENT_PARTITIONS, "at least 1"),
        (
            AlterableTopic { replica_assignment: Some("1:2".into()), ..partitions(&name, -1) },
            ErrorCode::INVALID_ARGUMENT_PARTITIONS,
            "new partition count",
        ),
        (
            AlterableTopic { replica_assignment: Some("1:2".into()), ..partitions(&name, 4) },
            ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
            "adds 2",
        ),
        (
            AlterableTopic { replica_assignment: Some("1:1".into()), ..partitions(&name, 3) },
            ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
            "twice",
        ),
        (
            AlterableTopic {
                name: name.clone(),
                added_configs: vec![config("cleanup.policy", "sometimes")],
                ..Default::default()
            },
            ErrorCode::INVALID_TOPIC_CONFIG,
            "",
        ),
        (
            AlterableTopic {
                name: name.clone(),
                added_configs: vec![config("retention.ms", "1")],
                deleted_configs: vec!["retention.ms".into()],
                ..Default::default()
            },
            ErrorCode::INVALID_TOPIC_CONFIG,
            "both added and deleted",
        ),
        (partitions(&unique_topic("missing"), 3), ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, ""),
    ];
    for (topic, code, says) in cases {
        let response = alter_v0(&mut connection, topic);
        assert_eq!(response.error_code, code.0, "{:?}", response.error_message);
        assert!(
            response.error_message.as_deref().unwrap_or_default().contains(says),
            "{:?}",
            response.error_message
        );
    }
    cluster.wait_for_metadata_fence(None);
    assert!(
        cluster.describe_topic(&name).contains("PartitionCount: 2"),
        "nothing was changed by a refused request"
    );
}

#[test]
fn a_user_without_alter_on_the_topic_is_refused_and_the_admin_is_not() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let name = unique_topic("alice-altered");
    cluster
        .topic_command(
            "admin",
            &["--create", "--topic", &name, "--partitions", "1", "--replication-factor", "3"],
        )
        .expect_success("create as admin");
    cluster.wait_for_topic(Some("admin"), &name, 1);
    let as_user = |user: &str| RawConnection::connect_as(&sidecar.bootstrap(), cluster, user);
    let change = |connection: &mut RawConnection, count: i32| {
        let topic = AlterableTopic {
            added_configs: vec![config("retention.ms", "7200000")],
            ..partitions(&name, count)
        };
        alter_v0(connection, topic)
    };
    let refused = change(&mut as_user("bob"), 2);
    assert_eq!(
        refused.error_code,
        ErrorCode::TOPIC_AUTHORIZATION_FAILED.0,
        "{:?}",
        refused.error_message
    );
    assert_eq!(change(&mut as_user("admin"), 2).error_code, 0);
    cluster.wait_for_description(&name, "2 partitions, retention.ms set", |d| {
        d.contains("PartitionCount: 2") && d.contains("retention.ms=7200000")
    });
}

/// The configs DescribeTopic v1 shows for `name`, through `connection`.
fn described_configs(connection: &mut RawConnection, name: &str) -> Vec<(String, String)> {
    let request = DescribeTopicRequest { topic_names: vec![name.to_owned()], ..Default::default() };
    let response = connection.call(request, 1);
    let topic = &response.topics[0];
    assert_eq!(topic.error_code, 0, "{:?}", topic.error_message);
    let details = &topic.topic_description.as_ref().expect("a description").topic_config_details;
    details.configs.iter().map(|c| (c.key.clone(), c.value.clone())).collect()
}

fn pairs(configs: &[(&str, &str)]) -> Vec<(String, String)> {
    configs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// An answer of 0 means the client's next command sees the change: configs set at creation, set
/// and deleted by AlterTopic, each described at once on the same connection (the sidecar waits for
/// the client's broker to show them; without that wait the broker could still show the old ones).
#[test]
fn a_describe_right_after_a_config_change_shows_it() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let name = unique_topic("read-your-configs");
    let create = CreateTopicRequest {
        topics: vec![CreatableTopic {
            name: name.clone(),
            partitions: 1,
            replication_factor: 3,
            configs: vec![create_topic_request::ConfigEntry {
                key: "cleanup.policy".into(),
                value: "compact".into(),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let created = connection.call(create, 1);
    assert_eq!(created.topics[0].error_code, 0, "{created:?}");
    assert_eq!(described_configs(&mut connection, &name), pairs(&[("cleanup.policy", "compact")]));

    for round in 0..6 {
        let retention = (3_600_000 + round).to_string();
        // Alternately set two keys, and set one while deleting the other.
        let (added, deleted) = if round % 2 == 0 {
            (vec![config("retention.ms", &retention), config("cleanup.policy", "delete")], vec![])
        } else {
            (vec![config("retention.ms", &retention)], vec!["cleanup.policy".to_owned()])
        };
        let changed = alter_v1(
            &mut connection,
            vec![AlterableTopic {
                name: name.clone(),
                added_configs: added,
                deleted_configs: deleted,
                ..Default::default()
            }],
        );
        assert_eq!(changed.topics[0].error_code, 0, "round {round}: {changed:?}");
        let expected = if round % 2 == 0 {
            pairs(&[("cleanup.policy", "delete"), ("retention.ms", &retention)])
        } else {
            pairs(&[("retention.ms", &retention)])
        };
        assert_eq!(described_configs(&mut connection, &name), expected, "round {round}");
    }
}
