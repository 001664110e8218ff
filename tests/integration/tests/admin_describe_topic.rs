//! DescribeTopic (key 30004), run by the sidecar against the real cluster (issue 5): what it
//! reports is compared with what Kafka's own `TopicCommand --describe` reports for the same topic.

use std::collections::BTreeMap;
use std::time::Duration;

use adminwire_protocol::generated::describe_topic_response::{
    ConfigEntry, TopicDescription, TopicPartitionDetails,
};
use adminwire_protocol::{DescribeTopicRequest, DescribeTopicResponse, ErrorCode};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, Variant, unique_topic, wait_until};

/// DescribeTopic v0 for one topic.
fn describe_v0(connection: &mut RawConnection, topic: &str) -> DescribeTopicResponse {
    let request = DescribeTopicRequest { topic_name: topic.to_owned(), ..Default::default() };
    connection.call(request, 0)
}

/// DescribeTopic v1 for a batch.
fn describe_v1(connection: &mut RawConnection, topics: &[&str]) -> DescribeTopicResponse {
    let request = DescribeTopicRequest {
        topic_names: topics.iter().map(|t| (*t).to_owned()).collect(),
        ..Default::default()
    };
    connection.call(request, 1)
}

/// A topic's partitions as Kafka's `TopicCommand --describe` prints them.
#[derive(Debug, PartialEq, Eq)]
struct KafkaView {
    partitions: i32,
    replication_factor: i32,
    /// Partition id → (leader, replicas, isr), as printed.
    partition_details: Vec<(i32, i32, Vec<i32>, Vec<i32>)>,
}

/// `Key: value` pairs of one tab-separated line of `TopicCommand --describe`.
fn fields(line: &str) -> BTreeMap<&str, &str> {
    line.split('\t')
        .filter_map(|f| f.trim().split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn id_list(text: &str) -> Vec<i32> {
    text.split(',').filter(|s| !s.is_empty()).map(|s| s.parse().expect("a node id")).collect()
}

/// `TopicCommand --describe`: the partitions, and the summary line's `Configs:` (every value that
/// is not Kafka's default, which includes the brokers' own settings, not only the topic's).
fn kafka_describe(
    cluster: &Cluster,
    user: &str,
    topic: &str,
) -> (KafkaView, BTreeMap<String, String>) {
    let out = cluster.topic_command(user, &["--describe", "--topic", topic]);
    let stdout = out.expect_success(&format!("TopicCommand --describe {topic}"));
    let mut lines = stdout.lines().filter(|l| l.contains("Topic: "));
    let summary = fields(lines.next().unwrap_or_else(|| panic!("no summary line: {stdout}")));
    let configs = summary["Configs"]
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| {
            let (k, v) = c.split_once('=').expect("key=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let mut partition_details: Vec<_> = lines
        .map(fields)
        .map(|p| {
            let leader = match p["Leader"] {
                "none" => -1,
                id => id.parse().expect("a leader id"),
            };
            (p["Partition"].parse().unwrap(), leader, id_list(p["Replicas"]), id_list(p["Isr"]))
        })
        .collect();
    partition_details.sort();
    let view = KafkaView {
        partitions: summary["PartitionCount"].parse().unwrap(),
        replication_factor: summary["ReplicationFactor"].parse().unwrap(),
        partition_details,
    };
    (view, configs)
}

/// The configs set on the topic itself, as Kafka's `ConfigCommand --describe` lists them
/// (`Dynamic configs for topic T are:` then `  key=value sensitive=… synonyms={…}`).
fn kafka_topic_overrides(cluster: &Cluster, user: &str, topic: &str) -> BTreeMap<String, String> {
    let config = cluster.client_properties(user);
    let args = [
        "--bootstrap-server",
        cluster.bootstrap(),
        "--command-config",
        config.to_str().unwrap(),
        "--describe",
        "--entity-type",
        "topics",
        "--entity-name",
        topic,
    ];
    let out = cluster.kafka_tool("ConfigCommand", &args);
    let stdout = out.expect_success(&format!("ConfigCommand --describe {topic}"));
    assert!(stdout.contains(&format!("Dynamic configs for topic {topic} are:")), "{stdout}");
    stdout
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| {
            let setting = l.split_whitespace().next().expect("key=value");
            let (k, v) = setting.split_once('=').expect("key=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// The extension's description, in the shape of [`KafkaView`].
fn view_of(description: &TopicDescription) -> KafkaView {
    let details = &description.topic_config_details;
    KafkaView {
        partitions: details.partitions,
        replication_factor: details.replication_factor,
        partition_details: description
            .topic_partition_details
            .iter()
            .map(|p| (p.partition_id, p.leader, p.replicas.clone(), p.isr.clone()))
            .collect(),
    }
}

/// What holds for any healthy topic: partitions 0..n in order, each led by one of its replicas,
/// with its ISR among its replicas and no broker twice.
fn assert_consistent(description: &TopicDescription, partitions: i32, replication_factor: i32) {
    let details = &description.topic_config_details;
    assert_eq!(details.partitions, partitions, "{description:?}");
    assert_eq!(details.replication_factor, replication_factor, "{description:?}");
    let ids: Vec<i32> =
        description.topic_partition_details.iter().map(|p| p.partition_id).collect();
    assert_eq!(ids, (0..partitions).collect::<Vec<_>>(), "partitions sorted by id");
    for p in &description.topic_partition_details {
        let TopicPartitionDetails { leader, replicas, isr, .. } = p;
        assert_eq!(replicas.len(), replication_factor as usize, "{p:?}");
        let mut distinct = replicas.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), replicas.len(), "no broker twice: {p:?}");
        assert!(replicas.contains(leader), "the leader is a replica: {p:?}");
        assert!(isr.iter().all(|r| replicas.contains(r)), "ISR ⊆ replicas: {p:?}");
        assert!(isr.contains(leader), "the leader is in sync: {p:?}");
    }
}

/// Creates a topic with 3 partitions, replication factor 3 and two topic-level configs.
fn create_compacted_topic(cluster: &Cluster, user: &str, topic: &str) {
    cluster
        .topic_command(
            user,
            &[
                "--create",
                "--topic",
                topic,
                "--partitions",
                "3",
                "--replication-factor",
                "3",
                "--config",
                "cleanup.policy=compact",
                "--config",
                "retention.ms=86400000",
            ],
        )
        .expect_success(&format!("creating topic {topic}"));
    let as_user = (cluster.variant() == Variant::Secure).then_some(user);
    cluster.wait_for_topic(as_user, topic, 3);
}

fn overrides() -> Vec<ConfigEntry> {
    [("cleanup.policy", "compact"), ("retention.ms", "86400000")]
        .into_iter()
        .map(|(key, value)| ConfigEntry {
            key: key.to_owned(),
            value: value.to_owned(),
            ..Default::default()
        })
        .collect()
}

/// Describes `topic` through the sidecar (v0 and v1) and with Kafka's `TopicCommand` until the
/// three agree (leadership and ISR may move between two looks; they settle on a healthy cluster);
/// the configs must be exactly the topic's overrides as Kafka's `ConfigCommand` lists them.
fn assert_matches_kafka(
    cluster: &Cluster,
    user: &str,
    connection: &mut RawConnection,
    topic: &str,
) -> TopicDescription {
    let (description, configs) =
        wait_until(Duration::from_secs(30), "the sidecar and TopicCommand agree", || {
            let v0 = describe_v0(connection, topic);
            assert_eq!(v0.error_code, 0, "{:?}", v0.error_message);
            assert_eq!(v0.error_message, None);
            let v0 = v0.topic_description.expect("a description");
            let v1 = describe_v1(connection, &[topic]);
            assert_eq!((v1.error_code, &v1.error_message), (0, &None));
            assert_eq!(v1.topics.len(), 1);
            let entry = &v1.topics[0];
            assert_eq!((entry.name.as_str(), entry.error_code), (topic, 0), "{entry:?}");
            assert_eq!(entry.error_message, None);
            let v1 = entry.topic_description.clone().expect("a description");
            assert_eq!(v0.topic_config_details, v1.topic_config_details);
            let (kafka, non_defaults) = kafka_describe(cluster, user, topic);
            let ours: BTreeMap<String, String> = v0
                .topic_config_details
                .configs
                .iter()
                .map(|c| (c.key.clone(), c.value.clone()))
                .collect();
            assert!(
                ours.iter().all(|(k, v)| non_defaults.get(k) == Some(v)),
                "every override is among TopicCommand's non-defaults: {ours:?} vs {non_defaults:?}"
            );
            let (ours0, ours1) = (view_of(&v0), view_of(&v1));
            if ours0 == kafka && ours1 == kafka {
                Ok((v0, ours))
            } else {
                Err(format!("v0 {ours0:?}\nv1 {ours1:?}\nTopicCommand {kafka:?}"))
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(configs, kafka_topic_overrides(cluster, user, topic), "the topic's own configs");
    description
}

#[test]
fn describe_topic_reports_partitions_replicas_and_only_the_overridden_configs() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("described");
    create_compacted_topic(cluster, "admin", &topic);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());

    let description = assert_matches_kafka(cluster, "admin", &mut connection, &topic);
    assert_eq!(description.topic_name, topic);
    assert_consistent(&description, 3, 3);
    assert_eq!(
        description.topic_config_details.configs,
        overrides(),
        "exactly the two configs set on the topic, none of the defaults"
    );
    // TopicCommand's `Configs:` also shows the brokers' min.insync.replicas=2 (scripts/kafka sets
    // it): a broker setting, not the topic's, so not among the overrides.
    let (_, non_defaults) = kafka_describe(cluster, "admin", &topic);
    assert_eq!(non_defaults.get("min.insync.replicas").map(String::as_str), Some("2"));

    // Replicas in the order the cluster reports them (preferred first), as kcat sees them too.
    let kcat = cluster.kcat_metadata(None, cluster.bootstrap(), &topic).unwrap();
    let kcat_replicas: Vec<Vec<i32>> = {
        let mut parts = kcat["topics"][0]["partitions"].as_array().unwrap().clone();
        parts.sort_by_key(|p| p["partition"].as_i64());
        parts
            .iter()
            .map(|p| {
                let replicas = p["replicas"].as_array().expect("kcat lists replicas");
                replicas.iter().map(|r| r["id"].as_i64().unwrap() as i32).collect()
            })
            .collect()
    };
    let ours: Vec<Vec<i32>> =
        description.topic_partition_details.iter().map(|p| p.replicas.clone()).collect();
    assert_eq!(ours, kcat_replicas);
}

#[test]
fn a_topic_without_overrides_has_no_configs() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("plain-described");
    cluster.create_topic(&topic, 2);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let description = assert_matches_kafka(cluster, "admin", &mut connection, &topic);
    assert_consistent(&description, 2, 3);
    assert!(description.topic_config_details.configs.is_empty(), "{description:?}");
}

#[test]
fn a_batch_answers_each_topic_in_request_order() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let existing = unique_topic("batch-described");
    let unknown = unique_topic("never-created");
    create_compacted_topic(cluster, "admin", &existing);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());

    for batch in [[existing.as_str(), unknown.as_str()], [unknown.as_str(), existing.as_str()]] {
        let response = describe_v1(&mut connection, &batch);
        assert_eq!((response.error_code, &response.error_message), (0, &None), "{response:?}");
        let names: Vec<&str> = response.topics.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, batch, "one result per topic, in request order");
        for result in &response.topics {
            if result.name == existing {
                assert_eq!(result.error_code, 0, "{result:?}");
                assert_eq!(result.error_message, None);
                let description = result.topic_description.as_ref().expect("a description");
                assert_consistent(description, 3, 3);
                assert_eq!(description.topic_config_details.configs, overrides());
            } else {
                assert_eq!(result.error_code, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0);
                let message = result.error_message.as_deref().expect("a message");
                assert!(message.contains(&unknown), "names the topic: {message}");
                assert_eq!(result.topic_description, None);
            }
        }
    }

    // A name given twice is answered twice; an empty name is not a topic (the sidecar says so),
    // and neither is one with a slash (the broker says so, with the same code).
    let response = describe_v1(&mut connection, &[&existing, "", &existing, "no/such topic"]);
    let codes: Vec<i16> = response.topics.iter().map(|t| t.error_code).collect();
    let invalid = ErrorCode::INVALID_TOPIC_EXCEPTION.0;
    assert_eq!(codes, [0, invalid, 0, invalid], "{response:?}");
    assert_eq!(response.topics[0].topic_description, response.topics[2].topic_description);
    assert!(response.topics[0].topic_description.is_some());
    assert_eq!(response.topics[1].topic_description, None);
    assert_eq!(response.topics[3].topic_description, None);
    let message = response.topics[3].error_message.as_deref().unwrap_or_default();
    assert!(message.contains("no/such topic"), "names the topic: {message}");
}

#[test]
fn version_0_answers_an_unknown_topic_with_3_and_no_description() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let unknown = unique_topic("never-created");
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let response = describe_v0(&mut connection, &unknown);
    assert_eq!(response.error_code, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0, "{response:?}");
    let message = response.error_message.as_deref().expect("a message");
    assert!(message.contains(&unknown), "names the topic: {message}");
    assert_eq!(response.topic_description, None);

    // Describing it did not create it.
    cluster.assert_topics_absent(None, &[&unknown]);
}

#[test]
fn an_empty_name_or_an_empty_batch_is_refused_with_a_reason() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());

    let response = describe_v0(&mut connection, "");
    assert_eq!(response.error_code, ErrorCode::INVALID_TOPIC_EXCEPTION.0, "{response:?}");
    assert!(response.error_message.as_deref().is_some_and(|m| m.contains("empty")));
    assert_eq!(response.topic_description, None);

    let response = describe_v1(&mut connection, &[]);
    assert_eq!(response.error_code, ErrorCode::INVALID_REQUEST.0, "{response:?}");
    assert!(response.error_message.as_deref().is_some_and(|m| m.contains("TopicNames")));
    assert!(response.topics.is_empty());

    // The connection still serves.
    let response = describe_v1(&mut connection, &["__no_such_topic_here"]);
    assert_eq!(response.topics[0].error_code, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0);
}

#[test]
fn the_brokers_acls_decide_who_may_describe_a_topic() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("alice-described");
    create_compacted_topic(cluster, "admin", &topic);

    let connect_as = |user: &str| RawConnection::connect_as(&sidecar.bootstrap(), cluster, user);

    // alice has ACLs on alice-* topics: the full description, as Kafka shows it to her.
    let mut alice = connect_as("alice");
    let description = assert_matches_kafka(cluster, "alice", &mut alice, &topic);
    assert_consistent(&description, 3, 3);
    assert_eq!(description.topic_config_details.configs, overrides());

    // bob has none: refused by the broker, in both versions, and nothing of the topic leaks.
    let mut bob = connect_as("bob");
    let response = describe_v0(&mut bob, &topic);
    assert_eq!(response.error_code, ErrorCode::TOPIC_AUTHORIZATION_FAILED.0, "{response:?}");
    let message = response.error_message.as_deref().expect("a message");
    assert!(message.contains(&topic) && message.contains("Not authorized"), "{message}");
    assert_eq!(response.topic_description, None);
    let response = describe_v1(&mut bob, &[&topic]);
    assert_eq!((response.error_code, response.topics.len()), (0, 1), "{response:?}");
    assert_eq!(response.topics[0].error_code, ErrorCode::TOPIC_AUTHORIZATION_FAILED.0);
    assert_eq!(response.topics[0].topic_description, None);

    // An alice-* topic that does not exist is, for bob, just as unauthorized (no existence leak);
    // for alice it is unknown.
    let missing = unique_topic("alice-missing");
    assert_eq!(describe_v0(&mut bob, &missing).error_code, ErrorCode::TOPIC_AUTHORIZATION_FAILED.0);
    assert_eq!(
        describe_v0(&mut alice, &missing).error_code,
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0
    );
}
