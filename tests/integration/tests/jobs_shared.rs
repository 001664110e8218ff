//! Sidecars sharing the jobs topic on the real cluster: any of them takes, lists and steers jobs,
//! exactly one (the lease holder) runs them, and a sidecar killed dead — mid-move, or while its
//! job waits for its time — has its jobs taken up by another, or by itself started again, where
//! they were.

mod jobs_common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use adminwire_protocol::generated::describe_reassignment_jobs_response::Job;
use adminwire_protocol::generated::submit_reassignment_request::{
    PartitionReassignEntity, TopicAssignment,
};
use adminwire_protocol::{
    AlterReassignmentJobRequest, DescribeReassignmentJobsRequest, SubmitReassignmentRequest,
};
use adminwire_sidecar::Config;
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic, wait_until};

/// Reassignments on one cluster must not overlap: the tests here take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A sidecar keeping its jobs in `jobs_topic`, with a 3 s lease.
fn sidecar(cluster: &Cluster, jobs_topic: &str) -> TestSidecar {
    let topic = jobs_topic.to_owned();
    TestSidecar::start_with(cluster, move |c: &mut Config| {
        c.jobs.store = "topic".into();
        c.jobs.topic = topic.clone();
        c.jobs.lease_ms = 3_000;
        c.jobs.poll_ms = 300;
    })
}

fn runs_jobs(sidecar: &TestSidecar) -> bool {
    sidecar.metric("adminwire_reassignment_runner") == Some(1.0)
}

/// Two partitions on broker 1 holding `megabytes` MB.
fn topic_on_broker_1(cluster: &Cluster, megabytes: usize) -> String {
    let topic = unique_topic("shared-job");
    cluster.create_topic_placed(&topic, "1,1");
    if megabytes > 0 {
        cluster.write_megabytes(&topic, megabytes);
    }
    topic
}

fn job_request(topic: &str, throttle: i64) -> SubmitReassignmentRequest {
    SubmitReassignmentRequest {
        reassignments: vec![PartitionReassignEntity {
            topic: topic.into(),
            replication_factor: -1,
            assignment: vec![
                TopicAssignment { partition: 0, partition_brokers: vec![2], ..Default::default() },
                TopicAssignment { partition: 1, partition_brokers: vec![3], ..Default::default() },
            ],
            ..Default::default()
        }],
        throttle,
        ..Default::default()
    }
}

/// Job `id` as `sidecar` describes it, once it is `ready` (at most `within`); a job another
/// sidecar took is described once that sidecar has read it.
fn job_when(
    sidecar: &TestSidecar,
    id: &str,
    within: Duration,
    ready: impl Fn(&Job) -> bool,
) -> Job {
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    wait_until(within, &format!("job {id}"), || {
        let request = DescribeReassignmentJobsRequest {
            job_ids: Some(vec![id.to_owned()]),
            include_partitions: true,
            ..Default::default()
        };
        let answer = connection.call(request, 0);
        match answer.jobs.first() {
            Some(job) if job.error_code == 0 && ready(job) => Ok(job.clone()),
            other => Err(format!("{answer:?} {other:?}")),
        }
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn ended(job: &Job) -> bool {
    matches!(job.state.as_str(), "COMPLETED" | "FAILED" | "CANCELLED") && !job.cleanup_pending
}

fn replicas(cluster: &Cluster, topic: &str) -> String {
    cluster.describe_topic(topic)
}

#[test]
fn of_two_sidecars_one_runs_the_jobs_and_the_other_takes_over_when_it_is_killed() {
    one_runs_the_jobs_and_another_takes_over_when_it_is_killed(2);
}

#[test]
fn of_three_sidecars_one_runs_the_jobs_and_another_takes_over_when_it_is_killed() {
    one_runs_the_jobs_and_another_takes_over_when_it_is_killed(3);
}

/// `count` sidecars share a jobs topic: exactly one runs the jobs; a job is submitted through
/// another, paused and resumed through the last; the runner is killed mid-move, and another takes
/// the job over and ends it as planned.
fn one_runs_the_jobs_and_another_takes_over_when_it_is_killed(count: usize) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::plain();
    let jobs_topic = unique_topic("jobs");
    let mut sidecars: Vec<Option<TestSidecar>> =
        (0..count).map(|_| Some(sidecar(cluster, &jobs_topic))).collect();
    let runner = wait_until(Duration::from_secs(30), "one runner", || {
        let runners: Vec<usize> =
            (0..count).filter(|&i| sidecars[i].as_ref().is_some_and(runs_jobs)).collect();
        match runners.as_slice() {
            [one] => Ok(*one),
            other => Err(format!("runners {other:?}")),
        }
    })
    .unwrap();
    let others: Vec<usize> = (1..count).map(|k| (runner + k) % count).collect();
    let (submitter, steerer) = (others[0], others[others.len() - 1]);
    let topic = topic_on_broker_1(cluster, 6);

    // Submitted through a sidecar that does not run jobs; paused through another (or the same).
    let at = |i: usize| sidecars[i].as_ref().expect("alive");
    let mut submitting = RawConnection::connect(&at(submitter).bootstrap());
    let submitted = submitting.call(job_request(&topic, 500_000), 0);
    let id = submitted.job_id.clone().unwrap_or_else(|| panic!("{submitted:?}"));
    job_when(at(steerer), &id, Duration::from_secs(60), |j| {
        j.partitions.iter().any(|p| p.state == "MOVING")
    });
    let mut steering = RawConnection::connect(&at(steerer).bootstrap());
    let pause = AlterReassignmentJobRequest { job_id: id.clone(), action: 0, ..Default::default() };
    assert_eq!(steering.call(pause, 0).error_code, 0);
    job_when(at(submitter), &id, Duration::from_secs(30), |j| j.state == "PAUSED");
    let resume =
        AlterReassignmentJobRequest { job_id: id.clone(), action: 1, ..Default::default() };
    assert_eq!(steering.call(resume, 0).error_code, 0);

    // The runner is killed mid-move: another takes the job over and ends it.
    sidecars[runner].take().expect("alive").kill();
    let at = |i: usize| sidecars[i].as_ref().expect("alive");
    let killed = Instant::now();
    let successor = wait_until(Duration::from_secs(30), "a successor", || {
        others.iter().copied().find(|&i| runs_jobs(at(i))).ok_or_else(|| "no runner yet".to_owned())
    })
    .unwrap();
    let took = killed.elapsed();
    let reported = at(successor).metric("adminwire_reassignment_takeover_milliseconds");
    println!(
        "{count} sidecars: take-over {took:?} after the kill; the lease had gone unrenewed \
         {reported:?} ms"
    );
    // The wait above bounds the take-over (ten leases); its time is measured and printed.
    let done = job_when(at(submitter), &id, Duration::from_secs(120), ended);
    assert_eq!(done.state, "COMPLETED", "{done:?}");
    let described = replicas(cluster, &topic);
    assert!(described.contains("Partition: 0\tLeader: 2\tReplicas: 2\t"), "{described}");
    assert!(described.contains("Partition: 1\tLeader: 3\tReplicas: 3\t"), "{described}");
    // The killed runner had set them; the successor took them off.
    wait_for_no_throttles(cluster, &topic);
}

/// Waits (bounded) until the brokers and `topic` have no throttle setting of their own, as the
/// brokers' metadata shows it.
fn wait_for_no_throttles(cluster: &Cluster, topic: &str) {
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    let client = adminwire_kafka::client::Client::new(bootstrap, None, Duration::from_secs(30));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    wait_until(Duration::from_secs(30), "no throttle left", || {
        let left = runtime.block_on(jobs_common::throttles_left(&client, topic));
        if left.is_empty() { Ok(()) } else { Err(format!("{left:?}")) }
    })
    .unwrap();
}

#[test]
fn a_scheduled_job_of_a_killed_sidecar_starts_when_a_sidecar_comes_up_after_its_time() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::plain();
    let jobs_topic = unique_topic("jobs");
    let topic = topic_on_broker_1(cluster, 1);
    let first = sidecar(cluster, &jobs_topic);
    wait_until(Duration::from_secs(30), "the sidecar to run jobs", || {
        if runs_jobs(&first) { Ok(()) } else { Err("not yet".into()) }
    })
    .unwrap();
    let now_ms = || {
        i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
    };
    // Far enough ahead that the job is still waiting when it is described, on a busy machine.
    let execute_at = now_ms() + 8_000;
    let mut connection = RawConnection::connect(&first.bootstrap());
    let request =
        SubmitReassignmentRequest { is_schedule: true, execute_at, ..job_request(&topic, -1) };
    let submitted = connection.call(request, 0);
    let id = submitted.job_id.clone().unwrap_or_else(|| panic!("{submitted:?}"));
    assert_eq!(job_when(&first, &id, Duration::from_secs(10), |_| true).state, "SCHEDULED");
    drop(connection);
    first.kill();
    // Its time passes with no sidecar up.
    wait_until(Duration::from_secs(20), "the job's time to pass", || {
        if now_ms() > execute_at + 1_000 { Ok(()) } else { Err("not yet".into()) }
    })
    .unwrap();
    let second = sidecar(cluster, &jobs_topic);
    let done = job_when(&second, &id, Duration::from_secs(60), ended);
    assert_eq!(done.state, "COMPLETED", "{done:?}");
    assert!(done.started_ms > execute_at, "started at {} for {execute_at}", done.started_ms);
    // It says so.
    assert!(done.started_late_ms > 1_000, "started late by {} ms", done.started_late_ms);
    let described = replicas(cluster, &topic);
    assert!(described.contains("Partition: 1\tLeader: 3\tReplicas: 3\t"), "{described}");
}
