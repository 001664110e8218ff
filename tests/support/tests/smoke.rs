//! Proves the cluster of `scripts/kafka` is a real Kafka cluster, using only tools nobody in this
//! project wrote: Kafka's own TopicCommand, kcat (librdkafka) and kafka-python.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use adminwire_test_support::{
    Cluster, TOOL_TIMEOUT, describe_cluster_with_kafka_python, describe_topic_with_kafka_python,
    run, run_with_input, unique_topic, wait_until,
};

fn create_topic(cluster: &Cluster, topic: &str, partitions: u32) {
    let count = partitions.to_string();
    let out = cluster.topic_command(
        "admin",
        &["--create", "--topic", topic, "--partitions", &count, "--replication-factor", "3"],
    );
    let stdout = out.expect_success("TopicCommand --create");
    assert!(stdout.contains(&format!("Created topic {topic}.")), "{}", out.combined());
    cluster.wait_for_topic(None, topic, partitions as usize);
}

#[test]
fn three_brokers_on_their_own_ports_and_racks() {
    let cluster = Cluster::plain();
    let described = describe_cluster_with_kafka_python(cluster, None);
    assert_eq!(described.cluster_id, cluster.state("CLUSTER_ID").unwrap());
    let seen: Vec<_> =
        described.brokers.iter().map(|b| (b.node_id, b.port, b.rack.clone())).collect();
    let expected: Vec<_> = cluster
        .node_ids()
        .into_iter()
        .map(|n| (n, cluster.node_port(n), Some(cluster.node_rack(n).to_string())))
        .collect();
    assert_eq!(expected.len(), 3);
    assert_eq!(seen, expected);
    let racks: BTreeSet<_> = described.brokers.iter().filter_map(|b| b.rack.as_deref()).collect();
    assert_eq!(racks, BTreeSet::from(["rack-a", "rack-b", "rack-c"]));
}

#[test]
fn topic_command_creates_a_replicated_topic_that_kafka_python_reads_back() {
    let cluster = Cluster::plain();
    let topic = unique_topic("smoke-rf3");
    create_topic(cluster, &topic, 4);

    // Kafka's own tool describes it...
    let out = cluster.topic_command("admin", &["--describe", "--topic", &topic]);
    let text = out.expect_success("TopicCommand --describe");
    assert!(text.contains("PartitionCount: 4") && text.contains("ReplicationFactor: 3"), "{text}");

    // ...and an independent client sees the same: 4 partitions, each on all three nodes, all in
    // sync, with leadership spread over the nodes.
    let nodes: BTreeSet<i32> = cluster.node_ids().into_iter().collect();
    let described = wait_until(Duration::from_secs(30), "all replicas in sync", || {
        let d = describe_topic_with_kafka_python(cluster, None, &topic);
        let all_in_sync =
            d.partitions.iter().all(|p| p.isr.iter().copied().collect::<BTreeSet<_>>() == nodes);
        if all_in_sync { Ok(d) } else { Err(format!("{d:?}")) }
    })
    .unwrap();
    assert_eq!(described.name, topic);
    assert_eq!(
        described.partitions.iter().map(|p| p.partition).collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
    for p in &described.partitions {
        assert_eq!(p.replicas.len(), 3, "{p:?}");
        assert_eq!(p.replicas.iter().copied().collect::<BTreeSet<_>>(), nodes, "{p:?}");
        assert!(nodes.contains(&p.leader), "{p:?}");
    }
    let leaders: BTreeSet<i32> = described.partitions.iter().map(|p| p.leader).collect();
    assert_eq!(leaders, nodes, "leaders of 4 partitions should cover all 3 nodes");

    let out = cluster.topic_command("admin", &["--delete", "--topic", &topic]);
    out.expect_success("TopicCommand --delete");
    wait_until(Duration::from_secs(30), "topic gone from the listing", || {
        let out = cluster.topic_command("admin", &["--list"]);
        if out.status.success() && !out.stdout.lines().any(|l| l == topic) {
            Ok(())
        } else {
            Err(out.combined())
        }
    })
    .unwrap();
}

#[test]
fn kcat_produces_and_consumes_a_thousand_records() {
    let cluster = Cluster::plain();
    let topic = unique_topic("smoke-kcat");
    create_topic(cluster, &topic, 3);

    let records: BTreeMap<String, String> = (0..1000)
        .map(|i| (format!("key-{i:04}"), format!("value-{i}-{}", i * 7919 % 1000)))
        .collect();
    let input: String = records.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let mut produce = cluster.kcat(None);
    produce.args(["-P", "-t", &topic, "-K", ":", "-X", "acks=all"]);
    let out = run_with_input(&mut produce, input.as_bytes(), TOOL_TIMEOUT).unwrap();
    out.expect_success("kcat -P");
    assert!(!out.stderr.contains("Delivery failed"), "{}", out.combined());

    let mut consume = cluster.kcat(None);
    consume.args(["-C", "-t", &topic, "-o", "beginning", "-e", "-q", "-f", "%p|%o|%k|%s\n"]);
    let out = run(&mut consume, TOOL_TIMEOUT).unwrap();
    let stdout = out.expect_success("kcat -C");

    let mut got = BTreeMap::new();
    let mut offsets: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for line in stdout.lines() {
        let mut parts = line.splitn(4, '|');
        let (p, o, k, v) = (parts.next(), parts.next(), parts.next(), parts.next());
        let (Some(p), Some(o), Some(k), Some(v)) = (p, o, k, v) else {
            panic!("odd line {line:?}")
        };
        assert!(got.insert(k.to_string(), v.to_string()).is_none(), "duplicate record {line}");
        offsets.entry(p.parse().unwrap()).or_default().push(o.parse().unwrap());
    }
    assert_eq!(got.len(), 1000);
    assert_eq!(got, records);
    // Keyed records spread over all partitions, each holding an unbroken run of offsets from 0.
    assert_eq!(offsets.keys().copied().collect::<Vec<_>>(), vec![0, 1, 2]);
    for (p, offs) in &offsets {
        let expected: Vec<i64> = (0..offs.len() as i64).collect();
        assert_eq!(offs, &expected, "partition {p}");
    }
}
