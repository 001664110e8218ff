//! The reassignment jobs' wire requests (keys 30010-30012) through a sidecar in front of the real
//! cluster: an estimate moves nothing, a throttled job can be paused, resumed and cancelled (and
//! is reverted), an unthrottled one completes with the cluster's replicas as planned, and what is
//! wrong or not allowed is refused with the documented codes. On the secured cluster, jobs run
//! only under the principal the sidecar is configured with, and only for clients the broker
//! allows to alter the cluster.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use adminwire_jobs::survey::survey;
use adminwire_kafka::client::{Client, To};
use adminwire_kafka::sasl::{Credentials, Mechanism};
use adminwire_protocol::generated::describe_reassignment_jobs_response::Job;
use adminwire_protocol::generated::submit_reassignment_request::{
    PartitionReassignEntity, TopicAssignment,
};
use adminwire_protocol::{
    AlterReassignmentJobRequest, DescribeReassignmentJobsRequest, ErrorCode,
    SubmitReassignmentRequest, SubmitReassignmentResponse,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic, wait_until};
use kafka_protocol::messages::{BrokerId, TopicName};
use kafka_protocol::protocol::StrBytes;

/// Reassignments on one cluster must not overlap: the tests here take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const PAUSE: i8 = 0;
const RESUME: i8 = 1;
const CANCEL: i8 = 2;

/// The runtime of the direct clients: one for all, as their connections belong to it.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
    })
}

/// A client of `cluster` straight to its brokers (as `admin` on the secured one), to look at
/// what the sidecar did.
fn direct(cluster: &Cluster) -> Arc<Client> {
    let credentials = cluster
        .state("SECURE")
        .filter(|s| *s == "1")
        .map(|_| Credentials::new(Mechanism::Plain, "admin", cluster.password("admin")));
    let servers = cluster.bootstrap().split(',').map(str::to_owned).collect();
    Arc::new(Client::new(servers, credentials, Duration::from_secs(30)))
}

/// A topic of two partitions on broker 1 holding about `megabytes` MB.
fn topic_with_data(cluster: &Cluster, megabytes: usize) -> String {
    let topic = unique_topic("wire-job");
    cluster.create_topic_placed(&topic, "1,1");
    // Data only on the plain cluster: the secured one's moves are checked for who may make them.
    assert!(!is_secure(cluster) || megabytes == 0);
    if megabytes > 0 {
        cluster.write_megabytes(&topic, megabytes);
    }
    topic
}

fn is_secure(cluster: &Cluster) -> bool {
    cluster.state("SECURE") == Some("1")
}

fn replicas(client: &Client, topic: &str) -> Vec<Vec<i32>> {
    let cluster = runtime().block_on(survey(client, &[topic.to_owned()])).unwrap();
    cluster.topics[topic].iter().map(|p| p.replicas.clone()).collect()
}

fn automatic(topic: &str, brokers: &[i32]) -> PartitionReassignEntity {
    PartitionReassignEntity {
        topic: topic.into(),
        brokers: brokers.to_vec(),
        replication_factor: -1,
        ..Default::default()
    }
}

fn submit(
    connection: &mut RawConnection,
    request: SubmitReassignmentRequest,
) -> SubmitReassignmentResponse {
    connection.call(request, 0)
}

fn describe(connection: &mut RawConnection, id: &str) -> Job {
    let request = DescribeReassignmentJobsRequest {
        job_ids: Some(vec![id.to_owned()]),
        include_partitions: true,
        ..Default::default()
    };
    let mut answer = connection.call(request, 0);
    assert_eq!(answer.error_code, 0, "{answer:?}");
    assert_eq!(answer.jobs.len(), 1);
    answer.jobs.remove(0)
}

fn alter(connection: &mut RawConnection, id: &str, action: i8) -> (i16, String) {
    let answer = connection.call(
        AlterReassignmentJobRequest { job_id: id.to_owned(), action, ..Default::default() },
        0,
    );
    (answer.error_code, answer.state)
}

/// Describes job `id` until `ready`, at most `within`.
fn wait_for_job(
    connection: &mut RawConnection,
    id: &str,
    within: Duration,
    what: &str,
    ready: impl Fn(&Job) -> bool,
) -> Job {
    let found = wait_until(within, what, || {
        let job = describe(connection, id);
        if ready(&job) { Ok(job) } else { Err(format!("{job:?}")) }
    });
    found.unwrap_or_else(|e| panic!("{e}"))
}

fn ended(job: &Job) -> bool {
    matches!(job.state.as_str(), "COMPLETED" | "FAILED" | "CANCELLED") && !job.cleanup_pending
}

#[test]
fn an_estimate_moves_nothing_and_a_job_pauses_resumes_cancels_and_completes() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::plain();
    let client = direct(cluster);
    let sidecar = TestSidecar::start_with(cluster, |c| c.jobs.poll_ms = 300);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = topic_with_data(cluster, 12);

    // The estimate: both partitions leave broker 1, nothing moves.
    let estimate = submit(
        &mut connection,
        SubmitReassignmentRequest {
            reassignments: vec![automatic(&topic, &[2, 3])],
            throttle: 1_000_000,
            time_estimate: true,
            ..Default::default()
        },
    );
    assert_eq!((estimate.error_code, estimate.job_id.as_deref()), (0, None), "{estimate:?}");
    assert_eq!(estimate.partitions.len(), 2, "{estimate:?}");
    assert!(estimate.partitions.iter().all(|p| p.replicas == [1] && p.target_replicas.len() == 1));
    assert!(estimate.bytes_to_move > 10_000_000, "{estimate:?}");
    assert_eq!((estimate.rate, estimate.slowest_broker), (1_000_000, 1));
    // 12 MB out of broker 1 at 1 MB/s.
    assert!((9..=16).contains(&estimate.reassignment_time), "{estimate:?}");
    assert_eq!(replicas(&client, &topic), [[1], [1]]);

    // A throttled job: paused, resumed, then cancelled while it moves, and reverted.
    let slow = SubmitReassignmentRequest {
        reassignments: vec![automatic(&topic, &[2, 3])],
        throttle: 300_000,
        ..Default::default()
    };
    let submitted = submit(&mut connection, slow);
    assert_eq!(submitted.error_code, 0, "{submitted:?}");
    let id = submitted.job_id.expect("a job id");
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    let moving = wait_for_job(&mut connection, &id, Duration::from_secs(60), "no move", |j| {
        ended(j) || j.partitions.iter().any(|p| p.state == "MOVING")
    });
    assert_eq!(moving.state, "RUNNING", "{moving:?}");
    assert_eq!((moving.throttle, moving.partition_count), (300_000, 2));
    // On /metrics while it runs: its state, throttle and bytes.
    let job = format!("{{job=\"{id}\"}}");
    let metric = |name: &str| sidecar.metric(&format!("adminwire_{name}"));
    assert_eq!(metric("reassignment_jobs{state=\"RUNNING\"}"), Some(1.0));
    assert_eq!(
        metric(&format!("reassignment_job_throttle_bytes_per_second{job}")),
        Some(300_000.0)
    );
    let total = metric(&format!("reassignment_job_bytes_total{job}")).unwrap_or_default();
    assert!(total > 10e6, "{total}");
    assert!(metric(&format!("reassignment_job_bytes_moved{job}")).is_some());
    // The executor takes an action at its next look (poll_ms): the job says so when it has.
    assert_eq!(alter(&mut connection, &id, PAUSE).0, 0);
    let within = Duration::from_secs(30);
    wait_for_job(&mut connection, &id, within, "not paused", |j| j.state == "PAUSED");
    assert_eq!(alter(&mut connection, &id, RESUME).0, 0);
    wait_for_job(&mut connection, &id, within, "not resumed", |j| j.state == "RUNNING");
    assert_eq!(alter(&mut connection, &id, CANCEL).0, 0);
    let cancelled =
        wait_for_job(&mut connection, &id, Duration::from_secs(120), "not cancelled", ended);
    assert_eq!(cancelled.state, "CANCELLED", "{cancelled:?}");
    assert_eq!(replicas(&client, &topic), [[1], [1]], "the moves under way were reverted");
    // An ended job takes no more actions, and says where it ended.
    let (code, state) = alter(&mut connection, &id, RESUME);
    assert_eq!(
        (ErrorCode(code), state.as_str()),
        (ErrorCode::NO_REASSIGNMENT_IN_PROGRESS, "CANCELLED")
    );

    // Unthrottled, the job completes with the cluster's replicas as it planned them.
    let fast = SubmitReassignmentRequest {
        reassignments: vec![PartitionReassignEntity {
            assignment: vec![
                TopicAssignment {
                    partition: 0,
                    partition_brokers: vec![2, 3],
                    ..Default::default()
                },
                TopicAssignment {
                    partition: 1,
                    partition_brokers: vec![3, 1],
                    ..Default::default()
                },
            ],
            replication_factor: 2,
            ..automatic(&topic, &[])
        }],
        throttle: -1,
        ..Default::default()
    };
    let id = submit(&mut connection, fast).job_id.expect("a job id");
    let done = wait_for_job(&mut connection, &id, Duration::from_secs(120), "not done", ended);
    assert_eq!(done.state, "COMPLETED", "{done:?}");
    assert_eq!((done.partitions_done, done.bytes_moved), (2, done.bytes_total));
    assert!(done.finished_ms >= done.started_ms && done.started_ms >= done.created_ms);
    assert_eq!(replicas(&client, &topic), [vec![2, 3], vec![3, 1]]);
    // Ended jobs are counted by state and have no series of their own.
    assert_eq!(metric("reassignment_jobs{state=\"COMPLETED\"}"), Some(1.0));
    assert_eq!(metric("reassignment_jobs{state=\"CANCELLED\"}"), Some(1.0));
    assert_eq!(metric(&format!("reassignment_job_bytes_total{{job=\"{id}\"}}")), None);

    // Every job is listed; unknown ones are answered in their own entry.
    let listed = connection.call(DescribeReassignmentJobsRequest::default(), 0);
    assert!(listed.jobs.iter().any(|j| j.job_id == id && !j.partitions.is_empty()));
    let unknown = "0".repeat(32);
    let answer = connection.call(
        DescribeReassignmentJobsRequest {
            job_ids: Some(vec![id.clone(), unknown.clone()]),
            include_partitions: false,
            ..Default::default()
        },
        0,
    );
    let codes: Vec<(&str, i16, usize)> =
        answer.jobs.iter().map(|j| (j.job_id.as_str(), j.error_code, j.partitions.len())).collect();
    assert_eq!(
        codes,
        [(id.as_str(), 0, 0), (unknown.as_str(), ErrorCode::RESOURCE_NOT_FOUND.0, 0)]
    );
    assert_eq!(alter(&mut connection, &unknown, CANCEL).0, ErrorCode::RESOURCE_NOT_FOUND.0);
}

#[test]
fn wrong_requests_are_refused_with_their_codes_and_move_nothing() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::plain();
    let client = direct(cluster);
    let sidecar = TestSidecar::start(cluster);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = topic_with_data(cluster, 0);
    let manual = |partition, brokers: &[i32]| PartitionReassignEntity {
        assignment: vec![TopicAssignment {
            partition,
            partition_brokers: brokers.to_vec(),
            ..Default::default()
        }],
        ..automatic(&topic, &[])
    };
    let cases: Vec<(SubmitReassignmentRequest, ErrorCode, &str)> = vec![
        (
            SubmitReassignmentRequest {
                reassignments: vec![manual(1, &[2, 999])],
                ..Default::default()
            },
            ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
            "partition 1 lists broker 999",
        ),
        (
            SubmitReassignmentRequest {
                reassignments: vec![manual(7, &[2])],
                ..Default::default()
            },
            ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
            "no partition 7",
        ),
        (
            SubmitReassignmentRequest {
                reassignments: vec![PartitionReassignEntity {
                    replication_factor: 5,
                    ..automatic(&topic, &[1, 2, 3])
                }],
                ..Default::default()
            },
            ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR,
            "replication factor 5",
        ),
        (
            SubmitReassignmentRequest {
                reassignments: vec![automatic("no-such-topic-anywhere", &[1])],
                ..Default::default()
            },
            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            "does not exist",
        ),
        (
            SubmitReassignmentRequest {
                reassignments: vec![automatic(&topic, &[2])],
                throttle: 0,
                ..Default::default()
            },
            ErrorCode::INVALID_REQUEST,
            "throttle 0",
        ),
        (
            SubmitReassignmentRequest {
                reassignments: vec![automatic(&topic, &[2])],
                is_schedule: true,
                ..Default::default()
            },
            ErrorCode::INVALID_REQUEST,
            "ExecuteAt",
        ),
        (SubmitReassignmentRequest::default(), ErrorCode::INVALID_REQUEST, "no topic"),
    ];
    for (request, code, says) in cases {
        let answer = submit(&mut connection, request.clone());
        assert_eq!(ErrorCode(answer.error_code), code, "{request:?}: {answer:?}");
        let message = answer.error_message.unwrap_or_default();
        assert!(message.contains(says), "{message:?} should say {says:?}");
        assert_eq!(answer.job_id, None);
    }
    let bad_action = connection.call(
        AlterReassignmentJobRequest { job_id: "x".into(), action: 7, ..Default::default() },
        0,
    );
    assert_eq!(ErrorCode(bad_action.error_code), ErrorCode::INVALID_REQUEST);
    assert_eq!(replicas(&client, &topic), [[1], [1]]);
    assert!(connection.call(DescribeReassignmentJobsRequest::default(), 0).jobs.is_empty());
}

#[test]
fn on_the_secured_cluster_jobs_need_a_configured_principal_and_a_client_allowed_to_alter_it() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::secure();
    let client = direct(cluster);
    let topic = topic_with_data(cluster, 0);
    let request = |time_estimate| SubmitReassignmentRequest {
        reassignments: vec![automatic(&topic, &[2, 3])],
        time_estimate,
        ..Default::default()
    };

    // No principal of its own: a logged-in client is told so, even admin.
    let unconfigured = TestSidecar::start(cluster);
    let mut admin = RawConnection::connect_as(&unconfigured.bootstrap(), cluster, "admin");
    let answer = submit(&mut admin, request(true));
    assert_eq!(ErrorCode(answer.error_code), ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED);
    assert!(answer.error_message.unwrap_or_default().contains("[jobs]"));
    drop(unconfigured);

    // A principal that cannot log in: the operator is told, in the client's answer.
    let misconfigured = TestSidecar::start_with(cluster, |c| {
        c.jobs.username = Some("admin".into());
        c.jobs.password = Some("not-the-password".into());
        c.jobs.mechanism = "SCRAM-SHA-512".into();
    });
    let mut admin = RawConnection::connect_as(&misconfigured.bootstrap(), cluster, "admin");
    let answer = submit(&mut admin, request(true));
    assert_eq!(ErrorCode(answer.error_code), ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED);
    assert!(answer.error_message.unwrap_or_default().contains("could not log in"));
    drop(misconfigured);

    // Jobs run as admin, logged in with SCRAM-SHA-512.
    let sidecar = TestSidecar::start_with(cluster, |c| {
        c.jobs.username = Some("admin".into());
        c.jobs.password = Some(cluster.password("admin").into());
        c.jobs.mechanism = "SCRAM-SHA-512".into();
        c.jobs.poll_ms = 300;
    });
    // bob may not alter the cluster, nor alice (who may do anything to her own topics only).
    for user in ["bob", "alice"] {
        let mut connection = RawConnection::connect_as(&sidecar.bootstrap(), cluster, user);
        let answer = submit(&mut connection, request(false));
        assert_eq!(
            ErrorCode(answer.error_code),
            ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
            "{user}: {answer:?}"
        );
        assert_eq!(answer.job_id, None);
        let listed = connection.call(DescribeReassignmentJobsRequest::default(), 0);
        assert_eq!(ErrorCode(listed.error_code), ErrorCode::CLUSTER_AUTHORIZATION_FAILED, "{user}");
    }
    assert_eq!(replicas(&client, &topic), [[1], [1]]);

    // admin may: the job runs as the sidecar's principal and completes.
    let mut admin = RawConnection::connect_as(&sidecar.bootstrap(), cluster, "admin");
    let estimate = submit(&mut admin, request(true));
    assert_eq!((estimate.error_code, estimate.partitions.len()), (0, 2), "{estimate:?}");
    let submitted = submit(&mut admin, request(false));
    let id = submitted.job_id.clone().unwrap_or_else(|| panic!("{submitted:?}"));
    let done = wait_for_job(&mut admin, &id, Duration::from_secs(120), "not done", ended);
    assert_eq!(done.state, "COMPLETED", "{done:?}");
    assert_eq!(done.requested_by.as_deref(), Some("User:admin"), "who asked is recorded");
    let placed = replicas(&client, &topic);
    assert!(placed.iter().all(|r| r.len() == 1 && r[0] != 1), "{placed:?}");

    // bob may not cancel admin's job either.
    let mut bob = RawConnection::connect_as(&sidecar.bootstrap(), cluster, "bob");
    assert_eq!(alter(&mut bob, &id, CANCEL).0, ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0);
}

#[test]
fn a_partition_another_reassignment_is_moving_refuses_a_job_now_and_is_skipped_by_a_later_one() {
    use kafka_protocol::messages::alter_partition_reassignments_request::{
        ReassignablePartition, ReassignableTopic,
    };
    use kafka_protocol::messages::incremental_alter_configs_request::{
        AlterConfigsResource, AlterableConfig,
    };
    use kafka_protocol::messages::{
        AlterPartitionReassignmentsRequest, IncrementalAlterConfigsRequest,
    };

    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::plain();
    let client = direct(cluster);
    let sidecar = TestSidecar::start_with(cluster, |c| c.jobs.poll_ms = 300);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = topic_with_data(cluster, 6);
    let text = |s: &str| StrBytes::from_string(s.to_owned());
    let config = |name: &str, op: i8, value: Option<&str>| {
        AlterableConfig::default()
            .with_name(text(name))
            .with_config_operation(op)
            .with_value(value.map(text))
    };
    // SET (0) the values, or DELETE (1) them.
    let configs = |op: i8| {
        let value = |v| (op == 0).then_some(v);
        IncrementalAlterConfigsRequest::default().with_resources(vec![
            AlterConfigsResource::default()
                .with_resource_type(4)
                .with_resource_name(text("1"))
                .with_configs(vec![config(
                    "leader.replication.throttled.rate",
                    op,
                    value("100000"),
                )]),
            AlterConfigsResource::default()
                .with_resource_type(2)
                .with_resource_name(text(&topic))
                .with_configs(vec![config(
                    "leader.replication.throttled.replicas",
                    op,
                    value("0:1"),
                )]),
        ])
    };
    let move_partition_0 = |replicas: Option<Vec<BrokerId>>| {
        AlterPartitionReassignmentsRequest::default().with_timeout_ms(30_000).with_topics(vec![
            ReassignableTopic::default().with_name(TopicName(text(&topic))).with_partitions(vec![
                ReassignablePartition::default().with_partition_index(0).with_replicas(replicas),
            ]),
        ])
    };
    // An operator's own slow move of partition 0 (throttled at 100 kB/s out of broker 1).
    let set = runtime().block_on(client.call(To::Broker(1), configs(0))).unwrap();
    assert!(set.responses.iter().all(|r| r.error_code == 0), "{set:?}");
    let started = runtime()
        .block_on(client.call(To::Any, move_partition_0(Some(vec![BrokerId(2)]))))
        .unwrap();
    assert_eq!(started.error_code, 0, "{started:?}");

    let job = SubmitReassignmentRequest {
        reassignments: vec![PartitionReassignEntity {
            assignment: vec![
                TopicAssignment { partition: 0, partition_brokers: vec![3], ..Default::default() },
                TopicAssignment { partition: 1, partition_brokers: vec![3], ..Default::default() },
            ],
            ..automatic(&topic, &[])
        }],
        ..Default::default()
    };
    // A job starting now is refused, as Kafka's own tool refuses one, naming what moves.
    let refused = submit(&mut connection, job.clone());
    assert_eq!(refused.error_code, ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS.0, "{refused:?}");
    let message = refused.error_message.clone().unwrap_or_default();
    assert!(message.contains(&format!("{topic}-0 is being moved")), "{refused:?}");
    assert!(!message.contains(&format!("{topic}-1")), "{refused:?}");
    assert_eq!(refused.job_id, None);
    // A scheduled one is taken, and when its time comes it leaves the moving partition alone.
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let later = SubmitReassignmentRequest {
        is_schedule: true,
        execute_at: since.as_millis() as i64 + 2_000,
        ..job
    };
    let id = submit(&mut connection, later).job_id.expect("a job id");
    let done = wait_for_job(&mut connection, &id, Duration::from_secs(120), "not done", ended);
    let states: Vec<(&str, Option<&str>)> =
        done.partitions.iter().map(|p| (p.state.as_str(), p.reason.as_deref())).collect();
    assert_eq!(
        states,
        [("SKIPPED", Some("another reassignment is moving it")), ("DONE", None)],
        "{done:?}"
    );
    assert_eq!(done.state, "COMPLETED", "{done:?}");
    // The operator's move is still theirs: cancelled here, it goes back to broker 1.
    let cancelled = runtime().block_on(client.call(To::Any, move_partition_0(None))).unwrap();
    assert_eq!(cancelled.error_code, 0, "{cancelled:?}");
    let removed = runtime().block_on(client.call(To::Broker(1), configs(1))).unwrap();
    assert!(removed.responses.iter().all(|r| r.error_code == 0), "{removed:?}");
    let placed = wait_until(Duration::from_secs(60), "partition 0 back on broker 1", || {
        let now = replicas(&client, &topic);
        if now == [vec![1], vec![3]] { Ok(now) } else { Err(format!("{now:?}")) }
    });
    placed.unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_scheduled_job_waits_for_its_time_and_one_cancelled_before_it_never_moves() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::plain();
    let client = direct(cluster);
    let sidecar = TestSidecar::start_with(cluster, |c| c.jobs.poll_ms = 300);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = topic_with_data(cluster, 1);
    let now_ms = || {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
        i64::try_from(since.as_millis()).unwrap()
    };
    let scheduled = |partition: i32, at: i64| SubmitReassignmentRequest {
        reassignments: vec![PartitionReassignEntity {
            assignment: vec![TopicAssignment {
                partition,
                partition_brokers: vec![2],
                ..Default::default()
            }],
            ..automatic(&topic, &[])
        }],
        is_schedule: true,
        execute_at: at,
        ..Default::default()
    };

    // Cancelled while it waits: it never starts.
    let far = now_ms() + 3_600_000;
    let id = submit(&mut connection, scheduled(0, far)).job_id.expect("a job id");
    let waiting = describe(&mut connection, &id);
    assert_eq!((waiting.state.as_str(), waiting.execute_at), ("SCHEDULED", far), "{waiting:?}");
    assert_eq!(waiting.started_ms, -1);
    assert_eq!(alter(&mut connection, &id, CANCEL).0, 0);
    let cancelled = wait_for_job(&mut connection, &id, Duration::from_secs(30), "cancelled", ended);
    assert_eq!((cancelled.state.as_str(), cancelled.started_ms), ("CANCELLED", -1));

    // Due in an hour, re-timed to six seconds from now (still waiting when next described, on a
    // busy machine): scheduled until then, then it runs to its end.
    let id = submit(&mut connection, scheduled(1, far)).job_id.expect("a job id");
    assert_eq!(describe(&mut connection, &id).requested_by.as_deref(), Some("User:ANONYMOUS"));
    let at = now_ms() + 6_000;
    let retime = AlterReassignmentJobRequest {
        job_id: id.clone(),
        action: 3,
        execute_at: at,
        ..Default::default()
    };
    assert_eq!(connection.call(retime, 0).error_code, 0);
    let waiting = describe(&mut connection, &id);
    assert_eq!((waiting.state.as_str(), waiting.execute_at), ("SCHEDULED", at));
    let done = wait_for_job(&mut connection, &id, Duration::from_secs(60), "not done", ended);
    assert_eq!(done.state, "COMPLETED", "{done:?}");
    assert!(done.started_ms >= at, "started at {} before its time {at}", done.started_ms);
    assert_eq!(done.started_late_ms, -1, "on time");
    // Only a scheduled job can be re-timed.
    let late =
        AlterReassignmentJobRequest { job_id: id, action: 3, execute_at: at, ..Default::default() };
    assert_eq!(connection.call(late, 0).error_code, ErrorCode::NO_REASSIGNMENT_IN_PROGRESS.0);
    assert_eq!(replicas(&client, &topic), [vec![1], vec![2]]);
}
