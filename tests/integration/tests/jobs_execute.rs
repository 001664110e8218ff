//! The job engine's executor on the real cluster, with real data: a throttled job runs to its end
//! with its progress read from the brokers, a cancelled one is reverted, a paused one starts
//! nothing until resumed; after each, the replicas are where they should be and no throttle is
//! left on any broker or topic.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use adminwire_jobs::estimate::Concurrency;
use adminwire_jobs::execute::{Control, Executor, SharedJob};
use adminwire_jobs::job::{Job, JobState, PartitionState};
use adminwire_jobs::plan::{self, Options, TopicRequest};
use adminwire_jobs::service::{Reassignments, Request, Retry, ServiceError, Settings};
use adminwire_jobs::store::Store;
use adminwire_jobs::survey::survey;
use adminwire_jobs::throttle::{
    FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS, Throttles,
};
use adminwire_kafka::client::{Client, To};
use adminwire_test_support::{Cluster, unique_topic};
use kafka_protocol::messages::DescribeConfigsRequest;
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::protocol::StrBytes;
use tokio::sync::watch;
use tokio::task::JoinHandle;

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

/// A topic of two partitions on broker 1 holding `megabytes` of records.
fn topic_with_data(cluster: &Cluster, megabytes: usize) -> String {
    let topic = unique_topic("moving");
    cluster.create_topic_placed(&topic, "1,1");
    cluster.write_megabytes(&topic, megabytes);
    topic
}

/// Runs `job` on the engine's executor as `commands` say.
fn run(engine: &Engine, job: &SharedJob, commands: watch::Receiver<Control>) -> JoinHandle<()> {
    let (executor, job) = (Arc::clone(&engine.executor), Arc::clone(job));
    tokio::spawn(async move { executor.run(job, commands).await })
}

/// Waits until `job` is `ready`, at most `within`; says `what` did not happen otherwise.
async fn wait_for(
    job: &SharedJob,
    within: Duration,
    what: &str,
    ready: impl Fn(&Job) -> bool,
) -> Job {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let now = job.lock().unwrap().clone();
        if ready(&now) {
            return now;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: {now:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `job` is in a final state with its throttles off, at most `within`.
async fn ended(job: &SharedJob, within: Duration) -> Job {
    wait_for(job, within, "the job did not end", |j| j.state.is_final() && !j.cleanup_pending).await
}

/// Waits until the service's job `id` has ended with its throttles off.
async fn until_ended(service: &Reassignments, id: &str) -> Job {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let job = service.describe(id).unwrap();
        if job.state.is_final() && !job.cleanup_pending {
            return job;
        }
        assert!(tokio::time::Instant::now() < deadline, "{job:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// No throttle of any kind on brokers 1-3 or on `topic`.
async fn no_throttles(client: &Client, topic: &str) {
    let resource = |t: i8, name: &str, keys: &[&str]| {
        DescribeConfigsResource::default()
            .with_resource_type(t)
            .with_resource_name(text(name))
            .with_configuration_keys(Some(keys.iter().map(|k| text(k)).collect()))
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut own = Vec::new();
        for broker in 1..=3 {
            let request = DescribeConfigsRequest::default().with_resources(vec![resource(
                4,
                &broker.to_string(),
                &[LEADER_RATE, FOLLOWER_RATE],
            )]);
            let response = client.call(To::Broker(broker), request).await.unwrap();
            own.extend(
                response
                    .results
                    .iter()
                    .flat_map(|r| &r.configs)
                    .filter(|c| c.config_source == 2)
                    .map(|c| format!("broker {broker} {}", c.name)),
            );
        }
        let request = DescribeConfigsRequest::default().with_resources(vec![resource(
            2,
            topic,
            &[LEADER_REPLICAS, FOLLOWER_REPLICAS],
        )]);
        let response = client.call(To::Any, request).await.unwrap();
        own.extend(
            response
                .results
                .iter()
                .flat_map(|r| &r.configs)
                .filter(|c| c.config_source == 1)
                .map(|c| format!("topic {}", c.name)),
        );
        if own.is_empty() {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "throttles left: {own:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One test at a time: each checks that no throttle is left on the brokers, and a sidecar has one
/// throttle keeper for all its jobs where each test has its own.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Engine {
    client: Arc<Client>,
    executor: Arc<Executor>,
}

fn engine(cluster: &Cluster) -> Engine {
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    let client = Arc::new(Client::new(bootstrap, None, Duration::from_secs(30)));
    let store = Store::memory();
    let throttles = Arc::new(Throttles::new(Arc::clone(&client), Arc::clone(&store)));
    let limits = Concurrency { per_broker: 1, cluster: 10 };
    let poll = Duration::from_millis(300);
    let executor = Arc::new(Executor::new(Arc::clone(&client), throttles, limits, poll, store));
    Engine { client, executor }
}

/// Partition 0 to broker 2, partition 1 to broker 3.
async fn job(engine: &Engine, topic: &str, throttle: u64) -> SharedJob {
    let cluster = survey(&engine.client, &[topic.to_owned()]).await.unwrap();
    let request = TopicRequest::Manual {
        topic: topic.to_owned(),
        assignment: vec![(0, vec![2]), (1, vec![3])],
        replication_factor: None,
    };
    let plan = plan::plan(&cluster, &[request], Options::default()).unwrap();
    assert_eq!(plan.moves.len(), 2);
    assert!(plan.bytes_moved() > 1_000_000, "the partitions hold data: {plan:?}");
    Arc::new(Mutex::new(Job::new(unique_topic("job"), plan.moves, Some(throttle), 0)))
}

async fn replicas(client: &Client, topic: &str) -> Vec<Vec<i32>> {
    let cluster = survey(client, &[topic.to_owned()]).await.unwrap();
    cluster.topics[topic].iter().map(|p| p.replicas.clone()).collect()
}

#[tokio::test]
async fn a_throttled_job_runs_to_its_end_and_leaves_no_throttle() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::plain();
    let engine = engine(cluster);
    let topic = topic_with_data(cluster, 12);
    // 1 MB/s: two partitions of 6 MB, one at a time out of broker 1, take several seconds even
    // after Kafka lets the first bytes through unthrottled.
    let job = job(&engine, &topic, 1_000_000).await;
    let (_control, commands) = watch::channel(Control::Run);
    let runner = run(&engine, &job, commands);
    // While it runs: throttled, some bytes copied, an ETA.
    let seen = wait_for(&job, Duration::from_secs(60), "no progress", |j| {
        j.state.is_final()
            || (j.state == JobState::Running && j.bytes_copied() > 0 && j.eta_seconds.is_some())
    })
    .await;
    assert!(!seen.state.is_final(), "ended before any progress was seen: {seen:?}");
    let done = ended(&job, Duration::from_secs(120)).await;
    runner.await.unwrap();
    assert_eq!(done.state, JobState::Completed, "{done:?}");
    assert!(done.partitions.iter().all(|p| p.state == PartitionState::Done));
    assert_eq!(done.bytes_copied(), done.bytes_total());
    assert_eq!(replicas(&engine.client, &topic).await, vec![vec![2], vec![3]]);
    no_throttles(&engine.client, &topic).await;
}

#[tokio::test]
async fn a_cancelled_job_is_reverted_and_leaves_no_throttle() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::plain();
    let engine = engine(cluster);
    let topic = topic_with_data(cluster, 12);
    // 100 kB/s: the moves would take minutes.
    let job = job(&engine, &topic, 100_000).await;
    let (control, commands) = watch::channel(Control::Run);
    let runner = run(&engine, &job, commands);
    // One move at a time out of broker 1 (the limit): the first is under way.
    wait_for(&job, Duration::from_secs(60), "no move under way", |j| {
        j.count(&PartitionState::Moving) == 1 && j.bytes_copied() > 0
    })
    .await;
    control.send(Control::Cancel).unwrap();
    let done = ended(&job, Duration::from_secs(120)).await;
    runner.await.unwrap();
    assert_eq!(done.state, JobState::Cancelled, "{done:?}");
    // The move under way is reverted and the other never starts (or, had the first finished in
    // Kafka's unthrottled start, that one stays done): each partition is where its state says.
    assert_eq!(done.count(&PartitionState::Reverted), 1, "{done:?}");
    let expected: Vec<Vec<i32>> = done
        .partitions
        .iter()
        .map(|p| match p.state {
            PartitionState::Done => p.change.after.clone(),
            PartitionState::Reverted | PartitionState::Pending => p.change.before.clone(),
            _ => panic!("{done:?}"),
        })
        .collect();
    assert_eq!(replicas(&engine.client, &topic).await, expected);
    no_throttles(&engine.client, &topic).await;
}

#[tokio::test]
async fn a_paused_job_starts_nothing_until_resumed() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::plain();
    let engine = engine(cluster);
    let topic = topic_with_data(cluster, 2);
    let job = job(&engine, &topic, 10_000_000).await;
    let (control, commands) = watch::channel(Control::Pause);
    let runner = run(&engine, &job, commands);
    wait_for(&job, Duration::from_secs(30), "not paused", |j| j.state == JobState::Paused).await;
    // Over several of the executor's looks (every 300 ms), nothing starts.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(job.lock().unwrap().count(&PartitionState::Pending), 2);
    assert_eq!(replicas(&engine.client, &topic).await, vec![vec![1], vec![1]]);
    control.send(Control::Run).unwrap();
    let done = ended(&job, Duration::from_secs(120)).await;
    runner.await.unwrap();
    assert_eq!(done.state, JobState::Completed, "{done:?}");
    assert_eq!(replicas(&engine.client, &topic).await, vec![vec![2], vec![3]]);
    no_throttles(&engine.client, &topic).await;
}

#[tokio::test]
async fn a_destination_broker_killed_mid_move_is_waited_for() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::plain();
    let engine = engine(cluster);
    let topic = topic_with_data(cluster, 6);
    // 300 kB/s: partition 0's 3 MB take about ten seconds, even after Kafka lets the first ones
    // through unthrottled (its quota is an average over eleven one-second windows).
    let job = job(&engine, &topic, 300_000).await;
    let (_control, commands) = watch::channel(Control::Run);
    let runner = run(&engine, &job, commands);
    wait_for(&job, Duration::from_secs(60), "partition 0 is not moving", |j| {
        j.partitions[0].state == PartitionState::Moving
    })
    .await;
    // Broker 2 receives partition 0.
    let _back = cluster.restart_on_drop(2);
    cluster.kill_node(2);
    cluster.restart_node(2);
    let done = ended(&job, Duration::from_secs(180)).await;
    runner.await.unwrap();
    assert_eq!(done.state, JobState::Completed, "{done:?}");
    assert_eq!(replicas(&engine.client, &topic).await, vec![vec![2], vec![3]]);
    no_throttles(&engine.client, &topic).await;
}

#[tokio::test]
async fn the_service_estimates_runs_lists_and_refuses_what_it_should() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Cluster::plain();
    let engine = engine(cluster);
    let topic = topic_with_data(cluster, 4);
    let settings = Settings { poll: Duration::from_millis(300), ..Settings::default() };
    let store = Store::memory();
    let service = Reassignments::new(Arc::clone(&engine.client), Arc::clone(&store), settings);
    service.run_jobs(&tokio::runtime::Handle::current(), None);
    let request = Request {
        topics: vec![TopicRequest::Automatic {
            topic: topic.clone(),
            brokers: vec![2, 3],
            replication_factor: None,
        }],
        throttle: Some(2_000_000),
        execute_at: None,
        options: Options::default(),
        requested_by: None,
    };
    // Two partitions of about 2 MB, out of broker 1 at 2 MB/s: about 2 s.
    let (plan, estimate) = service.estimate(&request).await.unwrap();
    assert_eq!(plan.moves.len(), 2);
    assert_eq!(estimate.bytes, plan.bytes_moved());
    assert!((1..=4).contains(&estimate.seconds), "{estimate:?}");
    assert_eq!(estimate.slowest, Some(1));

    let id = service.submit(&request).await.unwrap();
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    assert_eq!(service.jobs().iter().map(|j| &j.id).collect::<Vec<_>>(), [&id]);
    let done = until_ended(&service, &id).await;
    assert_eq!(done.state, JobState::Completed, "{done:?}");
    let mut placed: Vec<i32> = replicas(&engine.client, &topic).await.concat();
    placed.sort();
    assert_eq!(placed, [2, 3], "one partition on each target broker");
    no_throttles(&engine.client, &topic).await;
    assert!(matches!(service.cancel(&id).await, Err(ServiceError::Ended { .. })));
    assert!(matches!(service.pause("nope").await, Err(ServiceError::UnknownJob(_))));

    // Scheduled a minute ahead, then cancelled: nothing moves.
    let later = Request {
        topics: vec![TopicRequest::Automatic {
            topic: topic.clone(),
            brokers: vec![1],
            replication_factor: None,
        }],
        execute_at: Some(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()
                as u64
                + 60_000,
        ),
        ..request.clone()
    };
    let scheduled = service.submit(&later).await.unwrap();
    assert_eq!(service.describe(&scheduled).unwrap().state, JobState::Scheduled);
    let refused = service.restart(&scheduled, Retry::NotDone).await;
    assert!(matches!(refused, Err(ServiceError::NotEnded { .. })), "{refused:?}");
    service.cancel(&scheduled).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while service.describe(&scheduled).unwrap().state != JobState::Cancelled {
        assert!(tokio::time::Instant::now() < deadline, "{:?}", service.describe(&scheduled));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut placed: Vec<i32> = replicas(&engine.client, &topic).await.concat();
    placed.sort();
    assert_eq!(placed, [2, 3]);

    // Restarted: only failed partitions, of which it has none, leaves it cancelled; every
    // partition not done (both never started) runs it now, to broker 1.
    assert_eq!(service.restart(&scheduled, Retry::Failed).await.unwrap(), 0);
    assert_eq!(service.describe(&scheduled).unwrap().state, JobState::Cancelled);
    assert_eq!(service.restart(&scheduled, Retry::NotDone).await.unwrap(), 2);
    let restarted = until_ended(&service, &scheduled).await;
    assert_eq!(restarted.state, JobState::Completed, "{restarted:?}");
    assert_eq!(replicas(&engine.client, &topic).await, [vec![1], vec![1]]);
    no_throttles(&engine.client, &topic).await;

    // A job one of whose partitions failed (as when a broker refuses a move) and another was
    // skipped: a restart of the failed ones plans partition 0 again from where it is now and
    // moves it; the skipped one stays as it was.
    let mut failed = restarted.clone();
    failed.id = unique_topic("failed-job");
    failed.state = JobState::Failed;
    for (p, to) in failed.partitions.iter_mut().zip([2, 3]) {
        p.change.before = vec![9];
        p.change.after = vec![to];
    }
    failed.partitions[0].state = PartitionState::Failed("refused by the broker".into());
    failed.partitions[1].state = PartitionState::Skipped("another reassignment".into());
    store.save_job(&failed).await.unwrap();
    assert_eq!(service.restart(&failed.id, Retry::Failed).await.unwrap(), 1);
    let retried = until_ended(&service, &failed.id).await;
    assert_eq!(retried.state, JobState::Completed, "{retried:?}");
    assert_eq!(retried.partitions[0].change.before, [1], "planned from where it was");
    assert_eq!(retried.partitions[0].state, PartitionState::Done);
    assert_eq!(retried.partitions[1].state.name(), "SKIPPED");
    assert_eq!(replicas(&engine.client, &topic).await, [vec![2], vec![1]]);
    no_throttles(&engine.client, &topic).await;

    // A bad request is refused before anything is asked of the cluster's brokers.
    let bad = Request {
        topics: vec![TopicRequest::Automatic {
            topic: topic.clone(),
            brokers: vec![2, 9],
            replication_factor: None,
        }],
        ..request.clone()
    };
    assert!(matches!(service.submit(&bad).await, Err(ServiceError::Plan(_))));
    assert!(matches!(
        service.estimate(&Request { throttle: Some(0), ..request }).await,
        Err(ServiceError::ZeroThrottle)
    ));
}
