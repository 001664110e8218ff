//! The job engine's throttle keeper against the real cluster: two jobs' throttles set over what an
//! operator had set, merged, taken off partition by partition, and every broker and topic config
//! exactly as it was before once both jobs are done.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use adminwire_jobs::plan::Move;
use adminwire_jobs::store::Store;
use adminwire_jobs::throttle::{
    FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS, Throttles,
};
use adminwire_kafka::client::{Client, To};
use adminwire_test_support::{Cluster, unique_topic};
use kafka_protocol::messages::create_topics_request::{CreatableReplicaAssignment, CreatableTopic};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{
    BrokerId, CreateTopicsRequest, DescribeConfigsRequest, IncrementalAlterConfigsRequest,
    TopicName,
};
use kafka_protocol::protocol::StrBytes;

const TOPIC: i8 = 2;
const BROKER: i8 = 4;

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

/// A resource's own (dynamic) settings of `keys`: (key, value) for each set.
async fn own(
    client: &Client,
    resource_type: i8,
    name: &str,
    keys: &[&str],
) -> BTreeSet<(String, String)> {
    let to = match resource_type {
        BROKER => To::Broker(name.parse().unwrap()),
        _ => To::Any,
    };
    let request = DescribeConfigsRequest::default().with_resources(vec![
        DescribeConfigsResource::default()
            .with_resource_type(resource_type)
            .with_resource_name(text(name))
            .with_configuration_keys(Some(keys.iter().map(|k| text(k)).collect())),
    ]);
    let response = client.call(to, request).await.unwrap();
    response
        .results
        .iter()
        .flat_map(|r| &r.configs)
        // 1: a topic's own setting; 2: a broker's own dynamic one.
        .filter(|c| c.config_source == 1 || c.config_source == 2)
        .filter_map(|c| Some((c.name.to_string(), c.value.as_ref()?.to_string())))
        .collect()
}

/// Waits until `resource` shows exactly `expected` of `keys`.
async fn expect(
    client: &Client,
    resource_type: i8,
    name: &str,
    keys: &[&str],
    expected: &[(&str, &str)],
) {
    let expected: BTreeSet<(String, String)> =
        expected.iter().map(|(k, v)| ((*k).to_owned(), normalize(v))).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let seen: BTreeSet<(String, String)> = own(client, resource_type, name, keys)
            .await
            .into_iter()
            .map(|(k, v)| (k, normalize(&v)))
            .collect();
        if seen == expected {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{name}: {seen:?}, expected {expected:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A list's entries in a fixed order.
fn normalize(list: &str) -> String {
    let entries: BTreeSet<&str> =
        list.split(',').map(str::trim).filter(|e| !e.is_empty()).collect();
    entries.into_iter().collect::<Vec<_>>().join(",")
}

async fn alter(client: &Client, to: To, resource_type: i8, name: &str, key: &str, value: &str) {
    let request = IncrementalAlterConfigsRequest::default().with_resources(vec![
        AlterConfigsResource::default()
            .with_resource_type(resource_type)
            .with_resource_name(text(name))
            .with_configs(vec![
                AlterableConfig::default()
                    .with_name(text(key))
                    .with_config_operation(0)
                    .with_value(Some(text(value))),
            ]),
    ]);
    let response = client.call(to, request).await.unwrap();
    assert!(response.responses.iter().all(|r| r.error_code == 0), "{response:?}");
}

fn moving(topic: &str, partition: i32, before: &[i32], after: &[i32]) -> Move {
    Move { topic: topic.into(), partition, before: before.to_vec(), after: after.to_vec(), size: 0 }
}

/// One test at a time: each reads the brokers' rates, and one stops a broker.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn throttles_merge_with_the_operators_and_come_off_exactly() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::plain();
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    let client = Arc::new(Client::new(bootstrap, None, Duration::from_secs(30)));
    let topic = unique_topic("throttled");
    let create = CreateTopicsRequest::default().with_timeout_ms(30_000).with_topics(vec![
        CreatableTopic::default()
            .with_name(TopicName(text(&topic)))
            .with_num_partitions(-1)
            .with_replication_factor(-1)
            .with_assignments(
                (0..3)
                    .map(|p| {
                        CreatableReplicaAssignment::default()
                            .with_partition_index(p)
                            .with_broker_ids(vec![BrokerId(p + 1)])
                    })
                    .collect(),
            ),
    ]);
    let created = client.call(To::Any, create).await.unwrap();
    assert!(created.topics.iter().all(|t| t.error_code == 0), "{created:?}");

    // What the operator had: a leader rate on broker 1 and one follower entry of their own.
    alter(&client, To::Broker(1), BROKER, "1", LEADER_RATE, "5000000").await;
    alter(&client, To::Any, TOPIC, &topic, FOLLOWER_REPLICAS, "0:3").await;
    let rates = [LEADER_RATE, FOLLOWER_RATE];
    let lists = [LEADER_REPLICAS, FOLLOWER_REPLICAS];
    expect(&client, BROKER, "1", &rates, &[(LEADER_RATE, "5000000")]).await;
    expect(&client, TOPIC, &topic, &lists, &[(FOLLOWER_REPLICAS, "0:3")]).await;
    let before_2 = own(&client, BROKER, "2", &rates).await;
    let before_3 = own(&client, BROKER, "3", &rates).await;

    let throttles = Throttles::new(Arc::clone(&client), Store::memory());
    let job_a = [moving(&topic, 0, &[1], &[2]), moving(&topic, 1, &[2], &[3])];
    let job_b = [moving(&topic, 2, &[3], &[1])];
    throttles.apply("a", 1_000_000, &job_a).await.unwrap();
    throttles.apply("b", 400_000, &job_b).await.unwrap();
    // Brokers 1 and 3 carry job b too: the lower rate. Broker 2 only job a's.
    for (broker, rate) in [("1", "400000"), ("2", "1000000"), ("3", "400000")] {
        expect(&client, BROKER, broker, &rates, &[(LEADER_RATE, rate), (FOLLOWER_RATE, rate)])
            .await;
    }
    expect(
        &client,
        TOPIC,
        &topic,
        &lists,
        &[(LEADER_REPLICAS, "0:1,1:2,2:3"), (FOLLOWER_REPLICAS, "0:2,0:3,1:3,2:1")],
    )
    .await;

    // Partition 0 of job a finishes: its entries go, the operator's 0:3 stays; broker 1 is still
    // job b's.
    throttles.release("a", &job_a[..1]).await.unwrap();
    expect(
        &client,
        TOPIC,
        &topic,
        &lists,
        &[(LEADER_REPLICAS, "1:2,2:3"), (FOLLOWER_REPLICAS, "0:3,1:3,2:1")],
    )
    .await;
    expect(&client, BROKER, "1", &rates, &[(LEADER_RATE, "400000"), (FOLLOWER_RATE, "400000")])
        .await;

    // Job b ends: broker 3 keeps job a's rate (partition 1 moves into it), broker 1 is job a's no
    // more either, so it gets back exactly what the operator had.
    throttles.release_all("b").await.unwrap();
    expect(&client, BROKER, "3", &rates, &[(LEADER_RATE, "1000000"), (FOLLOWER_RATE, "1000000")])
        .await;
    expect(&client, BROKER, "1", &rates, &[(LEADER_RATE, "5000000")]).await;
    throttles.release_all("a").await.unwrap();
    assert!(!throttles.holds("a").await && !throttles.holds("b").await);

    expect(&client, TOPIC, &topic, &lists, &[(FOLLOWER_REPLICAS, "0:3")]).await;
    expect(&client, BROKER, "1", &rates, &[(LEADER_RATE, "5000000")]).await;
    for (broker, before) in [("2", &before_2), ("3", &before_3)] {
        let before: Vec<(&str, &str)> =
            before.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        expect(&client, BROKER, broker, &rates, &before).await;
    }

    // The operator's own settings, put back by hand.
    let remove = IncrementalAlterConfigsRequest::default().with_resources(vec![
        AlterConfigsResource::default()
            .with_resource_type(BROKER)
            .with_resource_name(text("1"))
            .with_configs(vec![
                AlterableConfig::default().with_name(text(LEADER_RATE)).with_config_operation(1),
            ]),
    ]);
    client.call(To::Broker(1), remove).await.unwrap();
}

#[tokio::test]
async fn a_broker_down_at_clean_up_keeps_its_throttle_held_until_it_is_back() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::plain();
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    let client = Arc::new(Client::new(bootstrap, None, Duration::from_secs(5)));
    let topic = unique_topic("cleanup");
    cluster.create_topic(&topic, 1);
    let throttles = Throttles::new(Arc::clone(&client), Store::memory());
    let rates = [LEADER_RATE, FOLLOWER_RATE];
    let before_3 = own(&client, BROKER, "3", &rates).await;
    throttles.apply("c", 2_000_000, &[moving(&topic, 0, &[1], &[3])]).await.unwrap();
    expect(&client, BROKER, "3", &rates, &[(LEADER_RATE, "2000000"), (FOLLOWER_RATE, "2000000")])
        .await;

    let _back = cluster.restart_on_drop(3);
    cluster.kill_node(3);
    let refused = throttles.release_all("c").await;
    assert!(refused.is_err(), "broker 3 is down: {refused:?}");
    assert!(throttles.holds("c").await, "nothing counts as released before Kafka took it");

    cluster.restart_node(3);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while let Err(e) = throttles.release_all("c").await {
        assert!(tokio::time::Instant::now() < deadline, "still refused once broker 3 is back: {e}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(!throttles.holds("c").await);
    let before: Vec<(&str, &str)> =
        before_3.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    expect(&client, BROKER, "3", &rates, &before).await;
    expect(&client, TOPIC, &topic, &[LEADER_REPLICAS, FOLLOWER_REPLICAS], &[]).await;
}

#[tokio::test]
async fn a_job_starting_as_another_ends_restores_what_was_there_before_both() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::plain();
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    let client = Arc::new(Client::new(bootstrap, None, Duration::from_secs(30)));
    let topic = unique_topic("back-to-back");
    cluster.create_topic(&topic, 2);
    let throttles = Throttles::new(Arc::clone(&client), Store::memory());
    let rates = [LEADER_RATE, FOLLOWER_RATE];
    let lists = [LEADER_REPLICAS, FOLLOWER_REPLICAS];
    let before: Vec<BTreeSet<(String, String)>> = {
        let mut all = Vec::new();
        for broker in ["1", "2", "3"] {
            all.push(own(&client, BROKER, broker, &rates).await);
        }
        all
    };

    // Each job starts the moment the one before has let go: a broker that has not yet applied
    // the release answers with the rate just taken off, which is no setting of anyone's to give
    // back at the end.
    for round in 0..4 {
        let job = format!("job-{round}");
        let rate = 1_000_000 + round;
        throttles.apply(&job, rate, &[moving(&topic, 0, &[1], &[2, 3])]).await.unwrap();
        throttles.apply(&job, rate, &[moving(&topic, 1, &[2], &[3, 1])]).await.unwrap();
        throttles.release_all(&job).await.unwrap();
    }
    for (broker, before) in ["1", "2", "3"].into_iter().zip(&before) {
        let before: Vec<(&str, &str)> =
            before.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        expect(&client, BROKER, broker, &rates, &before).await;
    }
    expect(&client, TOPIC, &topic, &lists, &[]).await;
}
