//! The estimate benchmark (`scripts/bench/estimate` runs it): a throttled move of real data on a
//! local cluster, its estimate made before it starts against the time it takes, and the ETA a
//! quarter of the way in against the time that was then left.
//!
//! Arguments: the cluster's bootstrap servers and a topic already holding the data, all of it on
//! broker 1; the throttle in bytes a second. Moves every partition from broker 1 to brokers 2 and
//! 3 (alternately) and prints the figures.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use adminwire_jobs::estimate::{self, Concurrency};
use adminwire_jobs::execute::{Control, Executor};
use adminwire_jobs::job::Job;
use adminwire_jobs::plan::{self, Options, TopicRequest};
use adminwire_jobs::store::Store;
use adminwire_jobs::survey::survey;
use adminwire_jobs::throttle::Throttles;
use adminwire_kafka::client::Client;
use tokio::sync::watch;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bootstrap, topic, throttle] = args.as_slice() else {
        eprintln!("usage: estimate_bench BOOTSTRAP TOPIC BYTES_PER_SECOND");
        std::process::exit(2);
    };
    let throttle: u64 = throttle.parse().expect("a rate in bytes a second");
    let client = Arc::new(Client::new(
        bootstrap.split(',').map(str::to_owned).collect(),
        None,
        Duration::from_secs(30),
    ));
    let cluster = survey(&client, std::slice::from_ref(topic)).await.expect("the cluster answers");
    let partitions = &cluster.topics[topic];
    let assignment = partitions.iter().map(|p| (p.partition, vec![2 + p.partition % 2])).collect();
    let request =
        TopicRequest::Manual { topic: topic.clone(), assignment, replication_factor: None };
    let plan = plan::plan(&cluster, &[request], Options::default()).expect("a plan");
    let limits = Concurrency::default();
    let copies = estimate::copies(&plan.moves, |_| None);
    let estimate = estimate::estimate(&copies, throttle, limits);
    println!(
        "moving {} partitions, {:.1} MB, throttled at {:.1} MB/s per broker",
        plan.moves.len(),
        plan.bytes_moved() as f64 / 1e6,
        throttle as f64 / 1e6
    );
    println!(
        "estimate before starting: {} s (slowest broker {:?}: {:.1} MB out; {} waves)",
        estimate.seconds,
        estimate.slowest,
        estimate
            .slowest
            .map_or(0, |b| estimate.brokers[&b].bytes_out.max(estimate.brokers[&b].bytes_in))
            as f64
            / 1e6,
        estimate.waves
    );

    let store = Store::memory();
    let throttles = Arc::new(Throttles::new(Arc::clone(&client), Arc::clone(&store)));
    let executor =
        Executor::new(Arc::clone(&client), throttles, limits, Duration::from_millis(500), store);
    let job =
        Arc::new(Mutex::new(Job::new("estimate-bench".into(), plan.moves, Some(throttle), 0)));
    let (_control, commands) = watch::channel(Control::Run);
    let started = Instant::now();
    let watcher = {
        let job = Arc::clone(&job);
        tokio::spawn(async move {
            // The ETA once a quarter of the bytes are copied, and when.
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let job = job.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
                if job.bytes_copied() * 4 >= job.bytes_total() {
                    return (started.elapsed(), job.eta_seconds);
                }
            }
        })
    };
    executor.run(Arc::clone(&job), commands).await;
    let took = started.elapsed();
    let (quarter_at, eta) = watcher.await.expect("the watcher ends");
    let state = job.lock().unwrap_or_else(std::sync::PoisonError::into_inner).state;
    println!("job ended {state:?} after {:.1} s", took.as_secs_f64());
    let error = |estimated: f64, actual: f64| (estimated - actual) / actual * 100.0;
    println!(
        "estimate vs actual: {} s vs {:.1} s ({:+.1}%)",
        estimate.seconds,
        took.as_secs_f64(),
        error(estimate.seconds as f64, took.as_secs_f64())
    );
    if let Some(eta) = eta {
        let left = (took - quarter_at).as_secs_f64();
        println!(
            "ETA at a quarter ({:.1} s in): {eta} s vs {left:.1} s left ({:+.1}%)",
            quarter_at.as_secs_f64(),
            error(eta as f64, left)
        );
    }
}
