//! The planner benchmark (`scripts/bench/plan` runs it): synthetic clusters, each changed the way
//! operators change them, planned by adminwire and by the placer Kafka's own
//! `kafka-reassign-partitions --generate` uses (run from Kafka's jars through
//! `scripts/bench/KafkaGenerate.java`), against the lower bound of what must move.
//!
//! Arguments: the path of `KafkaGenerate.java` and Kafka's `libs` directory. Prints one table.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use adminwire_jobs::plan::{self, Broker, Cluster, Options, Partition, TopicRequest};

/// A cluster to start from and the change asked of it.
struct Scenario {
    name: &'static str,
    cluster: Cluster,
    targets: Vec<i32>,
    factor: Option<i32>,
}

/// `topics` topics of `partitions` partitions each, placed the way Kafka places new topics
/// (round-robin from a per-topic start, replicas striped) on `brokers`, with sizes that vary.
fn cluster(brokers: &[Broker], topics: usize, partitions: usize, factor: usize) -> Cluster {
    let ids: Vec<i32> = brokers.iter().map(|b| b.id).collect();
    let mut map = BTreeMap::new();
    for t in 0..topics {
        let placed = (0..partitions)
            .map(|p| {
                let first = (t * 7 + p) % ids.len();
                let shift = 1 + (p / ids.len()) % (ids.len() - 1).max(1);
                let replicas = (0..factor).map(|r| ids[(first + r * shift) % ids.len()]).collect();
                // 10 MB to 1 GB, uneven as real partitions are.
                let size = 10_000_000 + ((t * 31 + p * 17) % 100) as u64 * 10_000_000;
                Partition { partition: p as i32, replicas, size }
            })
            .collect();
        map.insert(format!("topic-{t:02}"), placed);
    }
    Cluster { brokers: brokers.to_vec(), topics: map }
}

fn brokers(ids: std::ops::RangeInclusive<i32>, racks: Option<i32>) -> Vec<Broker> {
    ids.map(|id| Broker { id, rack: racks.map(|r| format!("rack-{}", id % r)) }).collect()
}

fn scenarios() -> Vec<Scenario> {
    let five = brokers(1..=5, None);
    let seven = brokers(1..=7, None);
    let nine_racked = brokers(1..=9, Some(3));
    vec![
        Scenario {
            name: "add two brokers (5 -> 7)",
            cluster: Cluster { brokers: seven.clone(), ..cluster(&five, 10, 100, 3) },
            targets: (1..=7).collect(),
            factor: None,
        },
        Scenario {
            name: "remove one broker (5 -> 4)",
            cluster: cluster(&five, 10, 100, 3),
            targets: (1..=4).collect(),
            factor: None,
        },
        Scenario {
            name: "replication factor 2 -> 3",
            cluster: cluster(&five, 10, 100, 2),
            targets: (1..=5).collect(),
            factor: Some(3),
        },
        Scenario {
            name: "racks: add 3 brokers (6 -> 9)",
            cluster: Cluster {
                brokers: nine_racked.clone(),
                ..cluster(&nine_racked[..6], 10, 100, 3)
            },
            targets: (1..=9).collect(),
            factor: None,
        },
    ]
}

/// What a placement comes to, against where the cluster started.
#[derive(Debug, Default)]
struct Outcome {
    replicas_moved: usize,
    bytes_moved: u64,
    /// Largest minus smallest, over the target brokers, per topic; the worst topic.
    replica_spread: usize,
    leader_spread: usize,
    /// Partitions with two replicas on one rack where the racks allowed otherwise.
    rack_breaches: usize,
}

fn outcome(
    cluster: &Cluster,
    targets: &[i32],
    after: &BTreeMap<(String, i32), Vec<i32>>,
) -> Outcome {
    let mut o = Outcome::default();
    let rack_of: BTreeMap<i32, Option<&String>> =
        cluster.brokers.iter().map(|b| (b.id, b.rack.as_ref())).collect();
    let racks: std::collections::BTreeSet<&String> =
        targets.iter().filter_map(|b| rack_of.get(b).copied().flatten()).collect();
    for (topic, partitions) in &cluster.topics {
        let mut replicas = vec![0usize; targets.len()];
        let mut leaders = vec![0usize; targets.len()];
        for p in partitions {
            let new = &after[&(topic.clone(), p.partition)];
            let added = new.iter().filter(|b| !p.replicas.contains(b)).count();
            o.replicas_moved += added;
            o.bytes_moved += added as u64 * p.size;
            for (i, b) in targets.iter().enumerate() {
                replicas[i] += usize::from(new.contains(b));
                leaders[i] += usize::from(new.first() == Some(b));
            }
            if !racks.is_empty() {
                let limit = new.len().div_ceil(racks.len());
                let mut per_rack: BTreeMap<&String, usize> = BTreeMap::new();
                for b in new {
                    if let Some(r) = rack_of.get(b).copied().flatten() {
                        *per_rack.entry(r).or_default() += 1;
                    }
                }
                o.rack_breaches += usize::from(per_rack.values().any(|n| *n > limit));
            }
        }
        let spread = |v: &[usize]| v.iter().max().unwrap_or(&0) - v.iter().min().unwrap_or(&0);
        o.replica_spread = o.replica_spread.max(spread(&replicas));
        o.leader_spread = o.leader_spread.max(spread(&leaders));
    }
    o
}

/// Kafka's placement of every topic on `targets`, from its own placer.
fn kafka(java: &str, libs: &str, s: &Scenario, seed: u64) -> BTreeMap<(String, i32), Vec<i32>> {
    let mut input = String::from("brokers");
    for b in s.cluster.brokers.iter().filter(|b| s.targets.contains(&b.id)) {
        input += &format!(" {}", b.id);
        if let Some(rack) = &b.rack {
            input += &format!(":{rack}");
        }
    }
    input.push('\n');
    for (topic, partitions) in &s.cluster.topics {
        let factor = s.factor.map_or(partitions[0].replicas.len(), |f| f as usize);
        input += &format!("topic {topic} {} {factor}\n", partitions.len());
    }
    let mut child = Command::new("java")
        .args(["-cp", &format!("{libs}/*"), java, &seed.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("java runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("writing to java");
    let out = child.wait_with_output().expect("java ends");
    assert!(out.status.success(), "KafkaGenerate failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let mut words = line.split(' ');
            let topic = words.next().unwrap_or_default().to_owned();
            let partition = words.next().and_then(|p| p.parse().ok()).unwrap_or(-1);
            let replicas = words
                .next()
                .unwrap_or_default()
                .split(',')
                .filter_map(|b| b.parse().ok())
                .collect();
            ((topic, partition), replicas)
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(java), Some(libs)) = (args.next(), args.next()) else {
        eprintln!("usage: plan_bench KafkaGenerate.java KAFKA_LIBS");
        std::process::exit(2);
    };
    println!(
        "1,000 partitions per cluster (10 topics x 100), sizes 10 MB - 1 GB; Kafka's placer with 3 seeds"
    );
    println!(
        "{:<32} {:<10} {:>9} {:>9} {:>8} {:>8} {:>6}",
        "scenario", "planner", "replicas", "GB moved", "spread", "leaders", "racks"
    );
    println!(
        "(replicas: copies made; spread and leaders: most minus fewest replicas and preferred \
         leaders per target broker, worst topic; racks: partitions with more replicas on a rack \
         than the racks allow)"
    );
    for s in scenarios() {
        let requests: Vec<TopicRequest> = s
            .cluster
            .topics
            .keys()
            .map(|topic| TopicRequest::Automatic {
                topic: topic.clone(),
                brokers: s.targets.clone(),
                replication_factor: s.factor,
            })
            .collect();
        let started = std::time::Instant::now();
        let made = plan::plan(&s.cluster, &requests, Options::default()).expect("a plan");
        let took = started.elapsed();
        let mut after: BTreeMap<(String, i32), Vec<i32>> = s
            .cluster
            .topics
            .iter()
            .flat_map(|(t, ps)| {
                ps.iter().map(move |p| ((t.clone(), p.partition), p.replicas.clone()))
            })
            .collect();
        for m in &made.moves {
            after.insert((m.topic.clone(), m.partition), m.after.clone());
        }
        let bound = plan::lower_bound(&s.cluster, &requests).expect("a bound");
        let row = |who: &str, o: &Outcome| {
            println!(
                "{:<32} {:<10} {:>9} {:>9.1} {:>8} {:>8} {:>6}",
                s.name,
                who,
                o.replicas_moved,
                o.bytes_moved as f64 / 1e9,
                o.replica_spread,
                o.leader_spread,
                o.rack_breaches
            );
        };
        let ours = outcome(&s.cluster, &s.targets, &after);
        println!("{:<32} {:<10} {:>9}", s.name, "bound", bound);
        row("adminwire", &ours);
        for seed in 1..=3 {
            let theirs = outcome(&s.cluster, &s.targets, &kafka(&java, &libs, &s, seed));
            row(&format!("kafka #{seed}"), &theirs);
        }
        let excess = ours.replicas_moved as f64 / bound.max(1) as f64 - 1.0;
        println!(
            "{:<32} adminwire: {:+.1}% over the bound, planned in {} ms",
            s.name,
            excess * 100.0,
            took.as_millis()
        );
    }
    // Planning time as clusters grow, up to the sidecar's cap on partitions per plan (100,000):
    // one topic placed round-robin on all brokers but two, spread over all of them.
    println!();
    for (count, partitions) in [(10, 10_000), (20, 50_000), (30, 100_000)] {
        let all = brokers(1..=count, None);
        let s = cluster(&all[..(count as usize - 2)], 1, partitions, 3);
        let s = Cluster { brokers: all, ..s };
        let requests: Vec<TopicRequest> = s
            .topics
            .keys()
            .map(|topic| TopicRequest::Automatic {
                topic: topic.clone(),
                brokers: (1..=count).collect(),
                replication_factor: None,
            })
            .collect();
        let started = std::time::Instant::now();
        let made = plan::plan(&s, &requests, Options::default()).expect("a plan");
        println!(
            "{partitions} partitions on {count} brokers (2 new): {} replicas moved, planned in {} ms",
            made.replicas_moved(),
            started.elapsed().as_millis()
        );
    }
}
