//! Where jobs live: the store in a compacted topic of the real cluster. What one store writes, a
//! store opened later on the same topic reads back whole (a restarted sidecar), and a store open
//! at the same time sees soon after (another sidecar).

mod jobs_common;

use std::sync::Arc;
use std::time::Duration;

use adminwire_jobs::execute::Control;
use adminwire_jobs::job::{Job, JobState, PartitionState};
use adminwire_jobs::plan::Move;
use adminwire_jobs::store::{CHUNK, Store};
use adminwire_kafka::client::Client;
use adminwire_test_support::{Cluster, unique_topic};
use jobs_common::throttles_left;

/// One test at a time: each checks that no throttle is left on the brokers, and each has its
/// own jobs topic and so its own throttle keeper (one per cluster in production).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn client(cluster: &Cluster) -> Arc<Client> {
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    Arc::new(Client::new(bootstrap, None, Duration::from_secs(30)))
}

fn job(id: &str, partitions: usize) -> Job {
    let moves = (0..partitions)
        .map(|p| Move {
            topic: "orders".into(),
            partition: p as i32,
            before: vec![1],
            after: vec![2],
            size: 10,
        })
        .collect();
    Job::new(id.into(), moves, None, 1)
}

#[tokio::test]
async fn jobs_written_to_the_topic_are_read_back_by_a_later_store_and_seen_by_another() {
    let cluster = Cluster::plain();
    let topic = unique_topic("jobs-store");
    let first = Store::open(client(cluster), &topic).await.unwrap();
    let other = Store::open(client(cluster), &topic).await.unwrap();

    let mut big = job(&"1".repeat(32), 2 * CHUNK + 5);
    first.save_job(&big).await.unwrap();
    big.partitions[CHUNK + 1].state = PartitionState::Done;
    big.state = JobState::Paused;
    first.save_job(&big).await.unwrap();
    let small = job(&"2".repeat(32), 1);
    first.save_job(&small).await.unwrap();
    first.save_control(&small.id, Control::Cancel).await.unwrap();
    assert_eq!(first.jobs(), [big.clone(), small.clone()]);

    // Another store open at the same time sees it all soon after.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while other.jobs() != [big.clone(), small.clone()] || other.control(&small.id).is_none() {
        assert!(tokio::time::Instant::now() < deadline, "not seen: {:?}", other.jobs().len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A store opened later reads everything before it answers.
    let later = Store::open(client(cluster), &topic).await.unwrap();
    assert_eq!(later.jobs(), [big, small.clone()]);
    assert_eq!(later.control(&small.id), Some(Control::Cancel));
}

/// A topic of two partitions on broker 1 with `megabytes` MB.
fn topic_on_broker_1(cluster: &Cluster, megabytes: usize) -> String {
    let topic = unique_topic("taken-up");
    cluster.create_topic_placed(&topic, "1,1");
    cluster.write_megabytes(&topic, megabytes);
    topic
}

/// A service on `jobs_topic` whose jobs run on `runtime`, as `member` of those sharing the topic
/// (or alone).
fn member(
    cluster: &Cluster,
    runtime: &tokio::runtime::Runtime,
    jobs_topic: &str,
    member: Option<&str>,
) -> Arc<adminwire_jobs::service::Reassignments> {
    use adminwire_jobs::estimate::Concurrency;
    use adminwire_jobs::service::{Membership, Reassignments, Settings};

    runtime.block_on(async {
        let store = Store::open(client(cluster), jobs_topic).await.unwrap();
        let settings = Settings {
            limits: Concurrency { per_broker: 1, cluster: 10 },
            poll: Duration::from_millis(300),
            ..Settings::default()
        };
        let service = Reassignments::new(client(cluster), store, settings);
        let membership =
            member.map(|m| Membership { member: m.to_owned(), lease: Duration::from_secs(3) });
        service.run_jobs(runtime.handle(), membership);
        service
    })
}

fn service(
    cluster: &Cluster,
    runtime: &tokio::runtime::Runtime,
    jobs_topic: &str,
) -> Arc<adminwire_jobs::service::Reassignments> {
    member(cluster, runtime, jobs_topic, None)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

/// Asks `service` about job `id` until `ready`, at most `within`.
fn wait_for_job(
    runtime: &tokio::runtime::Runtime,
    service: &adminwire_jobs::service::Reassignments,
    id: &str,
    within: Duration,
    ready: impl Fn(&Job) -> bool,
) -> Job {
    runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let job = service.describe(id).unwrap();
            if ready(&job) {
                return job;
            }
            assert!(tokio::time::Instant::now() < deadline, "{job:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

fn ended(job: &Job) -> bool {
    job.state.is_final() && !job.cleanup_pending
}

/// The process running a job stops dead (its runtime dropped, nothing more written) while the
/// job moves data, and another takes it up from the topic: it completes with the replicas
/// planned and no throttle left, which the first had set.
#[test]
fn a_job_left_mid_move_is_taken_up_from_the_topic_and_ends_as_planned() {
    use adminwire_jobs::plan::{Options, TopicRequest};
    use adminwire_jobs::service::Request;

    let _alone = alone();
    let cluster = Cluster::plain();
    let jobs_topic = unique_topic("jobs");
    let first = runtime();
    let topic = topic_on_broker_1(cluster, 6);
    let service_1 = service(cluster, &first, &jobs_topic);
    let request = Request {
        topics: vec![TopicRequest::Manual {
            topic: topic.clone(),
            assignment: vec![(0, vec![2]), (1, vec![3])],
            replication_factor: None,
        }],
        throttle: Some(500_000),
        execute_at: None,
        options: Options::default(),
        requested_by: None,
    };
    let id = first.block_on(service_1.submit(&request)).unwrap();
    let seen = wait_for_job(&first, &service_1, &id, Duration::from_secs(60), |j| {
        ended(j) || j.partitions.iter().any(|p| p.state == PartitionState::Moving)
    });
    assert!(!seen.state.is_final(), "ended before it was seen moving: {seen:?}");
    // Dead: no task of its runtime runs again, nothing more is written.
    drop(service_1);
    first.shutdown_background();

    let second = runtime();
    let service_2 = service(cluster, &second, &jobs_topic);
    let done = wait_for_job(&second, &service_2, &id, Duration::from_secs(120), ended);
    assert_eq!(done.state, JobState::Completed, "{done:?}");
    let check = client(cluster);
    second.block_on(async {
        let placed =
            adminwire_jobs::survey::survey(&check, std::slice::from_ref(&topic)).await.unwrap();
        let replicas: Vec<Vec<i32>> =
            placed.topics[&topic].iter().map(|p| p.replicas.clone()).collect();
        assert_eq!(replicas, [vec![2], vec![3]]);
        assert_eq!(throttles_left(&check, &topic).await, Vec::<String>::new());
    });
}

/// Three processes share a jobs topic: one holds the lease and runs the jobs, whichever accepted
/// them; the others see them and pass their controls on. The holder stops dead mid-move: one of
/// the others takes the lease over once it has gone unrenewed for its time (3 s here) and ends
/// the job as planned, throttles off.
#[test]
fn of_three_sharing_a_topic_one_runs_the_jobs_and_another_takes_over_when_it_dies() {
    use adminwire_jobs::plan::{Options, TopicRequest};
    use adminwire_jobs::service::Request;

    let _alone = alone();
    let cluster = Cluster::plain();
    let jobs_topic = unique_topic("jobs");
    let runtimes: Vec<tokio::runtime::Runtime> = (0..3).map(|_| runtime()).collect();
    let services: Vec<_> = runtimes
        .iter()
        .enumerate()
        .map(|(i, rt)| member(cluster, rt, &jobs_topic, Some(&format!("sidecar-{i}"))))
        .collect();
    // Exactly one holds the lease.
    let runner = adminwire_test_support::wait_until(Duration::from_secs(30), "a runner", || {
        let runners: Vec<usize> = (0..3).filter(|&i| services[i].is_runner()).collect();
        match runners.as_slice() {
            [one] => Ok(*one),
            other => Err(format!("runners {other:?}")),
        }
    })
    .unwrap();
    let other = (runner + 1) % 3;
    let topic = topic_on_broker_1(cluster, 6);
    let request = Request {
        topics: vec![TopicRequest::Manual {
            topic: topic.clone(),
            assignment: vec![(0, vec![2]), (1, vec![3])],
            replication_factor: None,
        }],
        throttle: Some(500_000),
        execute_at: None,
        options: Options::default(),
        requested_by: None,
    };
    // Submitted to a process that does not run jobs: the runner takes it up.
    let id = runtimes[other].block_on(services[other].submit(&request)).unwrap();
    let seen =
        wait_for_job(&runtimes[other], &services[other], &id, Duration::from_secs(60), |j| {
            ended(j) || j.partitions.iter().any(|p| p.state == PartitionState::Moving)
        });
    assert!(!seen.state.is_final(), "ended before it was seen moving: {seen:?}");
    // A pause through a third process reaches the runner.
    let third = 3 - runner - other;
    runtimes[third].block_on(services[third].pause(&id)).unwrap();
    wait_for_job(&runtimes[third], &services[third], &id, Duration::from_secs(30), |j| {
        j.state == JobState::Paused
    });
    runtimes[third].block_on(services[third].resume(&id)).unwrap();

    // The runner dies.
    let mut runtimes: Vec<Option<tokio::runtime::Runtime>> =
        runtimes.into_iter().map(Some).collect();
    let mut services: Vec<Option<_>> = services.into_iter().map(Some).collect();
    services[runner] = None;
    if let Some(dead) = runtimes[runner].take() {
        dead.shutdown_background();
    }
    let died = std::time::Instant::now();
    let survivors: Vec<usize> = (0..3).filter(|&i| i != runner).collect();
    let successor =
        adminwire_test_support::wait_until(Duration::from_secs(30), "a successor", || {
            let runners: Vec<usize> = survivors
                .iter()
                .copied()
                .filter(|&i| services[i].as_ref().is_some_and(|s| s.is_runner()))
                .collect();
            match runners.as_slice() {
                [one] => Ok(*one),
                other => Err(format!("runners {other:?}")),
            }
        })
        .unwrap();
    let took = died.elapsed();
    let service = services[successor].as_ref().unwrap();
    let rt = runtimes[successor].as_ref().unwrap();
    println!(
        "take-over: {took:?} after the runner died (the lease unrenewed for {:?})",
        service.took_over_after()
    );
    // The wait above bounds the take-over (ten leases); its time is measured and printed.
    let done = wait_for_job(rt, service, &id, Duration::from_secs(120), ended);
    assert_eq!(done.state, JobState::Completed, "{done:?}");
    let check = client(cluster);
    rt.block_on(async {
        let placed =
            adminwire_jobs::survey::survey(&check, std::slice::from_ref(&topic)).await.unwrap();
        let replicas: Vec<Vec<i32>> =
            placed.topics[&topic].iter().map(|p| p.replicas.clone()).collect();
        assert_eq!(replicas, [vec![2], vec![3]]);
        assert_eq!(throttles_left(&check, &topic).await, Vec::<String>::new());
    });
}

/// Jobs that ended longer ago than the retention are removed from the topic by the runner
/// (tombstones, which compaction drops): neither the service nor a store opened later on the
/// topic has them, while a job still waiting for its time stays.
#[test]
fn ended_jobs_past_their_retention_are_removed_from_the_topic() {
    use adminwire_jobs::estimate::Concurrency;
    use adminwire_jobs::plan::{Options, TopicRequest};
    use adminwire_jobs::service::{Membership, Reassignments, Request, ServiceError, Settings};

    let _alone = alone();
    let cluster = Cluster::plain();
    let jobs_topic = unique_topic("jobs");
    let topic = unique_topic("retained");
    cluster.create_topic_placed(&topic, "1");
    let rt = runtime();
    let service = rt.block_on(async {
        let store = Store::open(client(cluster), &jobs_topic).await.unwrap();
        let settings = Settings {
            limits: Concurrency { per_broker: 1, cluster: 10 },
            poll: Duration::from_millis(300),
            retention: Duration::from_secs(2),
            ..Settings::default()
        };
        let service = Reassignments::new(client(cluster), store, settings);
        let lease = Duration::from_secs(3);
        service.run_jobs(rt.handle(), Some(Membership { member: "retains".into(), lease }));
        service
    });
    let request = |execute_at| Request {
        topics: vec![TopicRequest::Manual {
            topic: topic.clone(),
            assignment: vec![(0, vec![2])],
            replication_factor: None,
        }],
        throttle: None,
        execute_at,
        options: Options::default(),
        requested_by: None,
    };
    let (ran, waits) = rt.block_on(async {
        let ran = service.submit(&request(None)).await.unwrap();
        let waits = service.submit(&request(Some(4_070_908_800_000))).await.unwrap();
        (ran, waits)
    });
    rt.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            match service.describe(&ran) {
                Err(ServiceError::UnknownJob(_)) => break,
                other => assert!(tokio::time::Instant::now() < deadline, "still there: {other:?}"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let placed =
            adminwire_jobs::survey::survey(&client(cluster), std::slice::from_ref(&topic)).await;
        let replicas: Vec<Vec<i32>> =
            placed.unwrap().topics[&topic].iter().map(|p| p.replicas.clone()).collect();
        assert_eq!(replicas, [vec![2]], "the job ran before it was removed");
        assert_eq!(service.describe(&waits).unwrap().state, JobState::Scheduled);

        let later = Store::open(client(cluster), &jobs_topic).await.unwrap();
        assert!(later.job(&ran).is_none() && later.control(&ran).is_none());
        assert_eq!(later.jobs().iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), [waits]);
    });
}
