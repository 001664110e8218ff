//! Where jobs live: the store in a compacted topic of the real cluster. What one store writes, a
//! store opened later on the same topic reads back whole (a restarted sidecar), and a store open
//! at the same time sees soon after (another sidecar).

use std::sync::Arc;
use std::time::Duration;

use adminwire_jobs::execute::Control;
use adminwire_jobs::job::{Job, JobState, PartitionState};
use adminwire_jobs::plan::Move;
use adminwire_jobs::store::{CHUNK, Store};
use adminwire_kafka::client::Client;
use adminwire_test_support::{Cluster, unique_topic};

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
