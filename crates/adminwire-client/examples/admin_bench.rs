//! The extension's half of `scripts/bench/admin`: creates COUNT topics (1 partition, replication
//! factor 3) with one `create_topics`, describes them with one `describe_topics` and deletes them
//! with one `delete_topics` — each one request of version 1 — through the admin client, and
//! prints the wall-clock milliseconds of each phase as `create MS describe MS delete MS`.
//!
//!   cargo run --release -p adminwire-client --example admin_bench -- SIDECAR PREFIX COUNT
//!
//! The same as `scripts/bench/AdminBench.java` does with Kafka's Admin: one untimed warm-up cycle
//! first; between creation and description, and after deletion, an untimed wait until every
//! topic is described (with a leader) or gone, then 500 ms. Any per-topic error fails the run.

use std::time::{Duration, Instant};

use adminwire_client::{
    AdminClient, AdminClientConfig, BatchOptions, Error, ErrorCode, NewTopic, TopicResult,
};

/// Fails loudly unless every one of `expected` topics succeeded.
fn check<T>(what: &str, expected: usize, results: &[TopicResult<T>]) -> Result<(), String> {
    if results.len() != expected {
        return Err(format!("{what}: {} topic results for {expected} topics", results.len()));
    }
    match results.iter().find_map(|r| r.result.as_ref().err().map(|e| (&r.topic, e))) {
        Some((topic, error)) => Err(format!("{what} {topic}: {error}")),
        None => Ok(()),
    }
}

/// Untimed: until every topic is described with leaders (`present`) or unknown (`!present`).
async fn settle(client: &AdminClient, names: &[String], present: bool) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let described = client.describe_topics(names).await?;
        let done = described.iter().all(|t| match &t.result {
            Ok(d) if present => {
                !d.partitions.is_empty() && d.partitions.iter().all(|p| p.leader.is_some())
            }
            Err(e) => !present && e.code() == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            Ok(_) => false,
        });
        if done {
            break;
        }
        if Instant::now() > deadline {
            return Err(Error::Timeout {
                what: format!("topics settling (present: {present})"),
                after: Duration::from_secs(60),
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Creates, describes and deletes `names`; the milliseconds of each phase.
async fn cycle(
    client: &AdminClient,
    names: &[String],
) -> Result<[f64; 3], Box<dyn std::error::Error>> {
    let topics: Vec<NewTopic> = names.iter().map(|n| NewTopic::new(n, 1, 3)).collect();
    let start = Instant::now();
    let created = client.create_topics(&topics, BatchOptions::default()).await?;
    let create = ms(start);
    check("CreateTopic", names.len(), &created)?;
    settle(client, names, true).await?;

    let start = Instant::now();
    let described = client.describe_topics(names).await?;
    let describe = ms(start);
    check("DescribeTopic", names.len(), &described)?;

    let start = Instant::now();
    let deleted = client.delete_topics(names).await?;
    let delete = ms(start);
    check("DeleteTopic", names.len(), &deleted)?;
    settle(client, names, false).await?;
    Ok([create, describe, delete])
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [address, prefix, count] = args.as_slice() else {
        eprintln!("usage: admin_bench SIDECAR PREFIX COUNT");
        std::process::exit(2);
    };
    let count: usize = count.parse()?;
    let names = |prefix: &str| (0..count).map(|i| format!("{prefix}-{i}")).collect::<Vec<_>>();

    let config = AdminClientConfig::new([address.as_str()])
        .client_id("admin-bench")
        .request_timeout(Duration::from_secs(120));
    let client = AdminClient::connect(config).await?;
    cycle(&client, &names(&format!("{prefix}-warm"))).await?;
    let [create, describe, delete] = cycle(&client, &names(prefix)).await?;
    println!("create {create:.1} describe {describe:.1} delete {delete:.1}");
    client.close();
    Ok(())
}
