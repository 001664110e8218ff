//! The sidecar's binary, killed with SIGKILL while its job's throttles are still on (the moves
//! done in the cluster, the clean-up not yet made): a sidecar started after it takes the job up
//! from the jobs topic, does not move anything again, takes the throttles off, and leaves every
//! broker and topic setting exactly as the operator had it before the job.
//!
//! The first sidecar looks at its job every ten minutes (`jobs.poll_ms`), so that the kill lands
//! in that phase for certain: the test sees the moves done, the throttles still on and the job
//! written as moving before it kills.

mod process;
use std::collections::BTreeSet;
use std::time::Duration;

use adminwire_kafka::client::{Client, To};
use adminwire_protocol::generated::describe_reassignment_jobs_response::Job;
use adminwire_protocol::generated::submit_reassignment_request::{
    PartitionReassignEntity, TopicAssignment,
};
use adminwire_protocol::{DescribeReassignmentJobsRequest, SubmitReassignmentRequest};
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic, wait_until};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{
    DescribeConfigsRequest, IncrementalAlterConfigsRequest, ListPartitionReassignmentsRequest,
    MetadataRequest,
};
use kafka_protocol::protocol::StrBytes;
use process::SidecarProcess;

const TOPIC: i8 = 2;
const BROKER: i8 = 4;
const SET: i8 = 0;
const DELETE: i8 = 1;
const LEADER_RATE: &str = "leader.replication.throttled.rate";
const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";
const LEADER_REPLICAS: &str = "leader.replication.throttled.replicas";
const FOLLOWER_REPLICAS: &str = "follower.replication.throttled.replicas";
/// The job's throttle, bytes a second: each partition's megabyte moves in about a second.
const THROTTLE: i64 = 1_000_000;

/// Job `id` as this sidecar describes it, with its partitions.
fn described(sidecar: &SidecarProcess, id: &str) -> Option<Job> {
    let mut connection = RawConnection::connect(&sidecar.bootstrap);
    let request = DescribeReassignmentJobsRequest {
        job_ids: Some(vec![id.to_owned()]),
        include_partitions: true,
        ..Default::default()
    };
    connection.call(request, 0).jobs.into_iter().next().filter(|j| j.error_code == 0)
}

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

/// Sets (`Some`) or deletes (`None`) one setting of a broker or topic.
async fn alter(client: &Client, resource: (i8, &str), key: &str, value: Option<&str>) {
    let (resource_type, name) = resource;
    let to = if resource_type == BROKER { To::Broker(name.parse().unwrap()) } else { To::Any };
    let request = IncrementalAlterConfigsRequest::default().with_resources(vec![
        AlterConfigsResource::default()
            .with_resource_type(resource_type)
            .with_resource_name(text(name))
            .with_configs(vec![
                AlterableConfig::default()
                    .with_name(text(key))
                    .with_config_operation(if value.is_some() { SET } else { DELETE })
                    .with_value(value.map(text)),
            ]),
    ]);
    let response = client.call(to, request).await.expect("IncrementalAlterConfigs");
    assert!(response.responses.iter().all(|r| r.error_code == 0), "{response:?}");
}

/// The throttle settings of the brokers and of `topic` that are set on them (not defaults), list
/// entries sorted: (resource, key, value).
async fn throttle_settings(client: &Client, topic: &str) -> BTreeSet<(String, String, String)> {
    let mut seen = BTreeSet::new();
    let mut resources: Vec<(i8, String)> = vec![(TOPIC, topic.to_owned())];
    resources.extend((1..=3).map(|n| (BROKER, n.to_string())));
    for (resource_type, name) in resources {
        let to = if resource_type == BROKER { To::Broker(name.parse().unwrap()) } else { To::Any };
        let keys = [LEADER_RATE, FOLLOWER_RATE, LEADER_REPLICAS, FOLLOWER_REPLICAS];
        let request = DescribeConfigsRequest::default().with_resources(vec![
            DescribeConfigsResource::default()
                .with_resource_type(resource_type)
                .with_resource_name(text(&name))
                .with_configuration_keys(Some(keys.iter().map(|k| text(k)).collect())),
        ]);
        let response = client.call(to, request).await.expect("DescribeConfigs");
        for config in response.results.iter().flat_map(|r| &r.configs) {
            // 1: a topic's own setting; 2: a broker's own dynamic one.
            let Some(value) =
                config.value.as_ref().filter(|_| matches!(config.config_source, 1 | 2))
            else {
                continue;
            };
            let entries: BTreeSet<&str> =
                value.split(',').map(str::trim).filter(|e| !e.is_empty()).collect();
            let value = entries.into_iter().collect::<Vec<_>>().join(",");
            seen.insert((name.clone(), config.name.to_string(), value));
        }
    }
    seen
}

fn settings(expected: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    expected.iter().map(|(r, k, v)| ((*r).to_owned(), (*k).to_owned(), (*v).to_owned())).collect()
}

/// The replicas of `topic`'s partitions, by partition, when no reassignment is under way.
async fn settled_replicas(client: &Client, topic: &str) -> Option<Vec<Vec<i32>>> {
    let listed = client
        .call(To::Any, ListPartitionReassignmentsRequest::default().with_timeout_ms(10_000))
        .await
        .ok()?;
    if listed.topics.iter().any(|t| t.name.as_str() == topic) {
        return None;
    }
    let request = MetadataRequest::default().with_topics(Some(vec![
        kafka_protocol::messages::metadata_request::MetadataRequestTopic::default()
            .with_name(Some(kafka_protocol::messages::TopicName(text(topic)))),
    ]));
    let metadata = client.call(To::Any, request).await.ok()?;
    let mut partitions: Vec<(i32, Vec<i32>)> = metadata
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| (p.partition_index, p.replica_nodes.iter().map(|b| b.0).collect()))
        .collect();
    partitions.sort();
    Some(partitions.into_iter().map(|(_, r)| r).collect())
}

/// Puts the operator's settings of the test back however it ends.
struct OperatorSettings<'a> {
    client: &'a Client,
    runtime: &'a tokio::runtime::Runtime,
}

impl Drop for OperatorSettings<'_> {
    fn drop(&mut self) {
        self.runtime.block_on(alter(self.client, (BROKER, "2"), FOLLOWER_RATE, None));
    }
}

#[test]
fn a_sidecar_killed_before_its_jobs_throttles_came_off_is_cleaned_up_after_by_the_next() {
    let cluster = Cluster::plain();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    let client = Client::new(bootstrap, None, Duration::from_secs(30));
    let topic = unique_topic("killed-job");
    cluster.create_topic_placed(&topic, "1,1");
    cluster.write_megabytes(&topic, 2);

    // What the operator had set before the job: a rate on broker 2 and an entry on the topic.
    let _restore = OperatorSettings { client: &client, runtime: &runtime };
    runtime.block_on(async {
        alter(&client, (BROKER, "2"), FOLLOWER_RATE, Some("7777777")).await;
        alter(&client, (TOPIC, &topic), LEADER_REPLICAS, Some("0:3")).await;
    });
    let before = settings(&[("2", FOLLOWER_RATE, "7777777"), (&topic, LEADER_REPLICAS, "0:3")]);
    wait_until(Duration::from_secs(30), "the operator's settings", || {
        let seen = runtime.block_on(throttle_settings(&client, &topic));
        if seen == before { Ok(()) } else { Err(format!("{seen:?}")) }
    })
    .unwrap();

    let jobs_topic = unique_topic("killed-jobs");
    let first = SidecarProcess::start(cluster, &jobs_topic, 600_000);
    let request = SubmitReassignmentRequest {
        reassignments: vec![PartitionReassignEntity {
            topic: topic.clone(),
            replication_factor: -1,
            assignment: vec![
                TopicAssignment { partition: 0, partition_brokers: vec![2], ..Default::default() },
                TopicAssignment { partition: 1, partition_brokers: vec![3], ..Default::default() },
            ],
            ..Default::default()
        }],
        throttle: THROTTLE,
        ..Default::default()
    };
    let submitted = RawConnection::connect(&first.bootstrap).call(request, 0);
    let id = submitted.job_id.clone().unwrap_or_else(|| panic!("{submitted:?}"));

    // The cluster finishes the moves; the sidecar has not looked since it started them.
    wait_until(Duration::from_secs(120), "the moves to finish", || {
        match runtime.block_on(settled_replicas(&client, &topic)) {
            Some(replicas) if replicas == [vec![2], vec![3]] => Ok(()),
            other => Err(format!("replicas {other:?}")),
        }
    })
    .unwrap();
    let held = runtime.block_on(throttle_settings(&client, &topic));
    let rate = THROTTLE.to_string();
    for expected in [
        ("1".to_owned(), LEADER_RATE.to_owned(), rate.clone()),
        ("2".to_owned(), FOLLOWER_RATE.to_owned(), rate.clone()),
        ("3".to_owned(), FOLLOWER_RATE.to_owned(), rate.clone()),
    ] {
        assert!(held.contains(&expected), "the job's throttle {expected:?} is on: {held:?}");
    }
    let job = described(&first, &id).unwrap_or_else(|| panic!("job {id} is described"));
    assert!(
        job.partitions.iter().all(|p| p.state == "MOVING"),
        "the job was written as moving and not looked at since: {job:?}"
    );
    first.kill();

    // The next sidecar takes the job up where the topic says it was.
    let second = SidecarProcess::start(cluster, &jobs_topic, 300);
    let done =
        wait_until(Duration::from_secs(60), "the job to end", || match described(&second, &id) {
            Some(job) if job.state == "COMPLETED" && !job.cleanup_pending => Ok(job),
            other => Err(format!("{other:?}")),
        })
        .unwrap();
    assert!(done.partitions.iter().all(|p| p.state == "DONE"), "{done:?}");
    assert_eq!(
        runtime.block_on(settled_replicas(&client, &topic)),
        Some(vec![vec![2], vec![3]]),
        "nothing moved again"
    );
    wait_until(Duration::from_secs(30), "the operator's settings back, and only them", || {
        let seen = runtime.block_on(throttle_settings(&client, &topic));
        if seen == before { Ok(()) } else { Err(format!("{seen:?}")) }
    })
    .unwrap();
    drop(second);
}
