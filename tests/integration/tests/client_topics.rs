//! The admin client's topic commands through a real sidecar against the real cluster: one topic's
//! life from creation to deletion, placed topics, batches with per-topic results in version 1
//! and, through a relay that offers only version 0, the same as one request per topic.

mod client_common;

use std::collections::BTreeMap;
use std::time::Duration;

use adminwire_client::{
    AdminClient, BatchOptions, Error, ErrorCode, NewTopic, TopicAlteration, TopicDescription,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{
    Cluster, try_describe_topic_with_kafka_python, unique_topic, wait_until,
};
use client_common::{connect, eventually, run, version_0_relay};

/// The topic once every partition has a leader (brokers learn of new partitions a moment after
/// the controller commits them).
async fn described_with_leaders(
    client: &AdminClient,
    name: &str,
    partitions: i32,
) -> TopicDescription {
    eventually(
        Duration::from_secs(30),
        &format!("{name} with {partitions} led partitions"),
        || async {
            let described = client.describe_topic(name).await.map_err(|e| e.to_string())?;
            let led = described.partitions.iter().filter(|p| p.leader.is_some()).count();
            if described.partition_count == partitions && led == partitions as usize {
                Ok(described)
            } else {
                Err(format!("{described:?}"))
            }
        },
    )
    .await
}

/// Waits until the topic's overridden configs are `expected`: brokers apply a config change a
/// moment after the controller commits it, and a description may come from any of them.
async fn configs_become(client: &AdminClient, name: &str, expected: &[(&str, &str)]) {
    let expected: BTreeMap<String, String> =
        expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    eventually(Duration::from_secs(30), &format!("{name}'s configs {expected:?}"), || async {
        let configs = client.describe_topic(name).await.map_err(|e| e.to_string())?.configs;
        if configs == expected { Ok(()) } else { Err(format!("{configs:?}")) }
    })
    .await;
}

async fn wait_until_gone(client: &AdminClient, name: &str) {
    eventually(Duration::from_secs(30), &format!("{name} deleted"), || async {
        let topics = client.list_topics().await.map_err(|e| e.to_string())?;
        if topics.iter().any(|t| t == name) { Err("still listed".to_owned()) } else { Ok(()) }
    })
    .await;
}

fn codes<T>(results: &[adminwire_client::TopicResult<T>]) -> Vec<(String, Option<i16>)> {
    results.iter().map(|r| (r.topic.clone(), r.result.as_ref().err().map(|e| e.code().0))).collect()
}

#[test]
fn cluster_metadata_names_the_sidecars_brokers_and_the_controller() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        assert_eq!(client.cached_metadata(), None, "nothing is fetched before it is needed");
        let metadata = client.cluster_metadata().await.unwrap();
        let brokers: Vec<(i32, String, Option<String>)> =
            metadata.brokers.iter().map(|b| (b.node_id, b.address(), b.rack.clone())).collect();
        let expected: Vec<(i32, String, Option<String>)> = cluster
            .node_ids()
            .into_iter()
            .map(|n| (n, sidecar.broker_address(n), Some(cluster.node_rack(n).to_owned())))
            .collect();
        assert_eq!(brokers, expected);
        let controller = metadata.controller.clone().expect("a controller");
        assert!(metadata.brokers.contains(&controller));
        assert_eq!(metadata.cluster_id.as_deref(), cluster.state("CLUSTER_ID"));
        assert_eq!(client.cached_metadata(), Some(metadata));
        // Admin requests now go to the controller's listener.
        client.list_topics().await.unwrap();
    });
}

#[test]
fn a_topic_is_created_described_listed_altered_and_deleted() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let name = unique_topic("client-life");
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        let topic = NewTopic::new(&name, 3, 3).config("retention.ms", "3600000");
        client.create_topic(&topic).await.unwrap();
        let described = described_with_leaders(&client, &name, 3).await;
        assert_eq!((described.name.as_str(), described.replication_factor), (name.as_str(), 3));
        configs_become(&client, &name, &[("retention.ms", "3600000")]).await;
        // As a client nobody here wrote sees it, once the broker it asks knows the topic.
        let ours: Vec<(i32, Vec<i32>)> =
            described.partitions.iter().map(|p| (p.partition, p.replicas.clone())).collect();
        wait_until(Duration::from_secs(30), "kafka-python to see the same replicas", || {
            let python = try_describe_topic_with_kafka_python(cluster, None, &name)?;
            let theirs: Vec<(i32, Vec<i32>)> =
                python.partitions.iter().map(|p| (p.partition, p.replicas.clone())).collect();
            if theirs == ours { Ok(()) } else { Err(format!("{theirs:?}, ours {ours:?}")) }
        })
        .unwrap();
        eventually(Duration::from_secs(30), &format!("{name} listed"), || async {
            let topics = client.list_topics().await.map_err(|e| e.to_string())?;
            if topics.contains(&name) { Ok(()) } else { Err(format!("{topics:?}")) }
        })
        .await;

        let again = client.create_topic(&NewTopic::new(&name, 1, 1)).await.unwrap_err();
        assert_eq!(again.code(), Some(ErrorCode::TOPIC_ALREADY_EXISTS), "{again}");
        assert_eq!(again.name(), "TopicAlreadyExists");
        assert!(again.description().contains(&name), "{}", again.description());
        assert!(!again.is_retriable());

        let alteration = TopicAlteration::new(&name)
            .partitions(5)
            .set_config("cleanup.policy", "compact")
            .delete_config("retention.ms");
        client.alter_topic(&alteration).await.unwrap();
        described_with_leaders(&client, &name, 5).await;
        configs_become(&client, &name, &[("cleanup.policy", "compact")]).await;
        let shrink = client.alter_topic(&TopicAlteration::new(&name).partitions(2)).await;
        assert_eq!(shrink.unwrap_err().code(), Some(ErrorCode::DECREASE_PARTITIONS_NOT_ALLOWED));

        client.delete_topic(&name).await.unwrap();
        wait_until_gone(&client, &name).await;
        // Another broker may answer the description, and it may not have applied the deletion.
        let gone = eventually(Duration::from_secs(30), &format!("{name} unknown"), || async {
            match client.describe_topic(&name).await {
                Ok(described) => Err(format!("{described:?}")),
                Err(e) => Ok(e),
            }
        })
        .await;
        assert_eq!(gone.code(), Some(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION), "{gone}");
        assert!(gone.is_retriable(), "Kafka calls an unknown topic retriable");
    });
}

#[test]
fn a_topic_can_be_placed_by_replica_assignment_and_bad_layouts_are_refused() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let name = unique_topic("client-placed");
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        let assignment = "1:2,2:3,3:1".parse().unwrap();
        client.create_topic(&NewTopic::with_assignment(&name, assignment)).await.unwrap();
        let described = described_with_leaders(&client, &name, 3).await;
        let replicas: Vec<Vec<i32>> =
            described.partitions.iter().map(|p| p.replicas.clone()).collect();
        assert_eq!(replicas, [vec![1, 2], vec![2, 3], vec![3, 1]]);
        assert_eq!(described.replication_factor, 2);

        let refused = |layout: NewTopic| {
            let client = client.clone();
            async move { client.create_topic(&layout).await.unwrap_err().code() }
        };
        let twice = NewTopic::with_assignment(unique_topic("client-twice"), "1:1".parse().unwrap());
        assert_eq!(refused(twice).await, Some(ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT));
        let no_partitions = NewTopic::new(unique_topic("client-none"), 0, 3);
        assert_eq!(refused(no_partitions).await, Some(ErrorCode::INVALID_ARGUMENT_PARTITIONS));
        let too_many_replicas = NewTopic::new(unique_topic("client-rf"), 1, 4);
        assert_eq!(
            refused(too_many_replicas).await,
            Some(ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR)
        );
        let bad_config = NewTopic::new(unique_topic("client-cfg"), 1, 1).config("no.such", "1");
        assert_eq!(refused(bad_config).await, Some(ErrorCode::INVALID_TOPIC_CONFIG));
        client.delete_topic(&name).await.unwrap();
    });
}

#[test]
fn version_1_batches_answer_per_topic() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let [existing, fresh, checked, missing] =
        ["client-existing", "client-fresh", "client-checked", "client-missing"].map(unique_topic);
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        client.create_topic(&NewTopic::new(&existing, 1, 3)).await.unwrap();

        let batch = [NewTopic::new(&existing, 1, 3), NewTopic::new(&fresh, 1, 3)];
        let created = client.create_topics(&batch, BatchOptions::default()).await.unwrap();
        assert_eq!(codes(&created), [(existing.clone(), Some(1002)), (fresh.clone(), None)]);

        let validate_only = BatchOptions { validate_only: true };
        let checked_only =
            client.create_topics(&[NewTopic::new(&checked, 1, 3)], validate_only).await.unwrap();
        assert_eq!(codes(&checked_only), [(checked.clone(), None)]);
        cluster.assert_topics_absent(None, &[&checked]);

        described_with_leaders(&client, &fresh, 1).await;
        let described = client.describe_topics(&[&fresh, &missing]).await.unwrap();
        assert_eq!(codes(&described), [(fresh.clone(), None), (missing.clone(), Some(3))]);
        assert_eq!(described[0].result.as_ref().unwrap().partition_count, 1);

        let alterations = [
            TopicAlteration::new(&fresh).partitions(2),
            TopicAlteration::new(&missing).partitions(2),
        ];
        let altered = client.alter_topics(&alterations, BatchOptions::default()).await.unwrap();
        assert_eq!(codes(&altered), [(fresh.clone(), None), (missing.clone(), Some(3))]);
        let checked_alteration = [TopicAlteration::new(&fresh).partitions(4)];
        let unchanged = client.alter_topics(&checked_alteration, validate_only).await.unwrap();
        assert_eq!(codes(&unchanged), [(fresh.clone(), None)]);
        // Still 2 once every broker's metadata is current (the alteration to 2 was waited for).
        described_with_leaders(&client, &fresh, 2).await;
        cluster.wait_for_metadata_fence(None);
        assert_eq!(client.describe_topic(&fresh).await.unwrap().partition_count, 2);

        let deleted = client.delete_topics(&[&existing, &fresh, &missing]).await.unwrap();
        assert_eq!(
            codes(&deleted),
            [(existing.clone(), None), (fresh.clone(), None), (missing.clone(), Some(3))]
        );
        assert!(client.create_topics(&[], BatchOptions::default()).await.unwrap().is_empty());
        // What a CLI prints with --output json.
        let json = serde_json::to_value(&deleted).unwrap();
        assert_eq!(json[2]["error"]["name"], "UNKNOWN_TOPIC_OR_PARTITION", "{json}");
    });
}

#[test]
fn a_version_0_server_gets_one_request_per_topic_and_no_version_1_features() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let [first, second, missing] =
        ["client-v0-a", "client-v0-b", "client-v0-missing"].map(unique_topic);
    run(async {
        let relay = version_0_relay(sidecar.bootstrap()).await;
        let client = connect(&relay).await;
        let batch = [
            NewTopic::new(&first, 1, 3),
            NewTopic::new(&second, 1, 3),
            NewTopic::new(&first, 1, 3),
        ];
        let created = client.create_topics(&batch, BatchOptions::default()).await.unwrap();
        assert_eq!(
            codes(&created),
            [(first.clone(), None), (second.clone(), None), (first.clone(), Some(1002))]
        );
        let validate_only = BatchOptions { validate_only: true };
        let unsupported = client.create_topics(&batch, validate_only).await.unwrap_err();
        assert!(matches!(unsupported, Error::Unsupported { .. }), "{unsupported}");
        let unsupported = client.list_topics_excluding_internal().await.unwrap_err();
        assert_eq!(unsupported.name(), "Unsupported", "{unsupported}");

        eventually(Duration::from_secs(30), "both listed", || async {
            let topics = client.list_topics().await.map_err(|e| e.to_string())?;
            let both = topics.contains(&first) && topics.contains(&second);
            if both { Ok(()) } else { Err(format!("{topics:?}")) }
        })
        .await;
        described_with_leaders(&client, &first, 1).await;
        let described = client.describe_topics(&[&first, &missing]).await.unwrap();
        assert_eq!(codes(&described), [(first.clone(), None), (missing.clone(), Some(3))]);

        let alteration =
            TopicAlteration::new(&first).partitions(2).set_config("retention.ms", "60000");
        client.alter_topic(&alteration).await.unwrap();
        described_with_leaders(&client, &first, 2).await;
        configs_become(&client, &first, &[("retention.ms", "60000")]).await;
        let shrink = [TopicAlteration::new(&first).partitions(1)];
        let refused = client.alter_topics(&shrink, BatchOptions::default()).await.unwrap();
        assert_eq!(codes(&refused), [(first.clone(), Some(1004))]);

        let deleted = client.delete_topics(&[&first, &second, &missing]).await.unwrap();
        assert_eq!(
            codes(&deleted),
            [(first.clone(), None), (second.clone(), None), (missing.clone(), Some(3))]
        );
        // Version 0 of ClusterMetadata has no racks and no cluster id.
        let metadata = client.cluster_metadata().await.unwrap();
        assert!(metadata.brokers.iter().all(|b| b.rack.is_none()));
        assert_eq!(metadata.cluster_id, None);
    });
}

#[test]
fn one_client_serves_many_tasks_and_closes_for_all_of_them() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    run(async {
        let client = connect(&sidecar.bootstrap()).await;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.list_topics().await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let clone = client.clone();
        client.close();
        assert!(clone.is_closed());
        let closed = clone.list_topics().await.unwrap_err();
        assert!(matches!(closed, Error::Closed), "{closed}");
    });
}
