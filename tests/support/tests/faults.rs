//! `scripts/kafka kill` and `restart` on the shared plain cluster: with one node SIGKILLed the
//! cluster keeps serving acks=all writes (min ISR 2), and the restarted node rejoins every ISR.

use std::collections::BTreeSet;
use std::time::Duration;

use adminwire_test_support::{
    Cluster, TOOL_TIMEOUT, run, run_with_input, unique_topic, wait_until,
};

/// Live broker ids, and (leader, ISR) of each partition.
type View = (BTreeSet<i64>, Vec<(i64, BTreeSet<i64>)>);

/// The cluster as kcat sees it when it asks `via`.
fn view(cluster: &Cluster, via: &str, topic: &str) -> Result<View, String> {
    let md = cluster.kcat_metadata(None, via, topic)?;
    let brokers = md["brokers"]
        .as_array()
        .ok_or("no brokers")?
        .iter()
        .filter_map(|b| b["id"].as_i64())
        .collect();
    let partitions = md["topics"][0]["partitions"]
        .as_array()
        .ok_or_else(|| format!("no partitions: {md}"))?
        .iter()
        .map(|p| {
            let isr =
                p["isrs"].as_array().map(|a| a.iter().filter_map(|r| r["id"].as_i64()).collect());
            (p["leader"].as_i64().unwrap_or(-1), isr.unwrap_or_default())
        })
        .collect();
    Ok((brokers, partitions))
}

#[test]
fn killed_node_leaves_the_isr_and_rejoins_after_restart() {
    let cluster = Cluster::plain();
    let victim = 3;
    let survivor = cluster.node_address(1);
    let topic = unique_topic("faults");
    cluster
        .topic_command(
            "admin",
            &["--create", "--topic", &topic, "--partitions", "3", "--replication-factor", "3"],
        )
        .expect_success("TopicCommand --create");
    cluster.wait_for_topic(None, &topic, 3);
    let all: BTreeSet<i64> = cluster.node_ids().into_iter().map(i64::from).collect();
    wait_until(Duration::from_secs(30), "all three nodes in every ISR", || {
        let (brokers, parts) = view(cluster, &survivor, &topic)?;
        let ok = brokers == all && parts.len() == 3 && parts.iter().all(|(_, isr)| *isr == all);
        if ok { Ok(()) } else { Err(format!("{brokers:?} {parts:?}")) }
    })
    .unwrap();

    let _guard = cluster.restart_on_drop(victim);
    cluster.kill_node(victim);
    assert!(!cluster.node_running(victim));

    // The controller fences the node after its session times out and shrinks every ISR.
    wait_until(Duration::from_secs(30), "node 3 fenced and out of every ISR", || {
        let (brokers, parts) = view(cluster, &survivor, &topic)?;
        let ok = !brokers.contains(&victim.into())
            && brokers.len() == 2
            && parts.iter().all(|(leader, isr)| {
                *leader != i64::from(victim) && isr.len() == 2 && !isr.contains(&victim.into())
            });
        if ok { Ok(()) } else { Err(format!("brokers {brokers:?} partitions {parts:?}")) }
    })
    .unwrap();

    // Two in-sync replicas meet min.insync.replicas=2: acks=all writes still succeed.
    let input: String = (0..200).map(|i| format!("k{i}:while-down-{i}\n")).collect();
    let mut produce = cluster.kcat(None);
    produce.args(["-P", "-t", &topic, "-K", ":", "-X", "acks=all"]);
    let out = run_with_input(&mut produce, input.as_bytes(), TOOL_TIMEOUT).unwrap();
    out.expect_success("kcat -P with a node down");
    assert!(!out.stderr.contains("Delivery failed"), "{}", out.combined());

    cluster.restart_node(victim);
    assert!(cluster.node_running(victim));
    wait_until(Duration::from_secs(60), "node 3 back in every ISR", || {
        let (brokers, parts) = view(cluster, &cluster.node_address(victim), &topic)?;
        let ok = brokers == all && parts.iter().all(|(_, isr)| *isr == all);
        if ok { Ok(()) } else { Err(format!("brokers {brokers:?} partitions {parts:?}")) }
    })
    .unwrap();

    // Everything written while it was down is there (and node 3, back in sync, holds it too).
    let mut consume = cluster.kcat(None);
    consume.args(["-C", "-t", &topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"]);
    let out = run(&mut consume, TOOL_TIMEOUT).unwrap();
    let got: BTreeSet<&str> = out.expect_success("kcat -C").lines().collect();
    let expected: BTreeSet<String> = (0..200).map(|i| format!("while-down-{i}")).collect();
    assert_eq!(got, expected.iter().map(String::as_str).collect());
}
