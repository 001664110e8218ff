//! Transactional producers moved to the target before their consumers: a transaction through the
//! sidecar that writes mirror topics runs on the link's source, under the same transactional id,
//! so consumers still on the source see each one whole or not at all; a commit is answered once
//! the link has copied it. A transaction writing mirrors and other topics is refused. The source is
//! the one-node source cluster, the target the plain cluster (the secured one for who may).

use std::time::Duration;

mod links_common;

use adminwire_sidecar::config::Config;
use adminwire_test_support::link_data::{
    command_via, link_data, link_data_via, produce, record_content, records_by_partition,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, run, unique_topic, wait_until};
use kafka_protocol::messages::add_partitions_to_txn_request::AddPartitionsToTxnTopic;
use kafka_protocol::messages::{
    AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, ApiKey, ProducerId, TopicName,
    TransactionalId,
};
use kafka_protocol::protocol::StrBytes;
use links_common::{Beside, make_link, secured_sidecar, wait_caught_up};
use serde_json::Value;

/// The records of every partition, each as the link must keep it (offset left out).
fn contents(cluster: &Cluster, topic: &str) -> Vec<Vec<(Value, Value, Value, Value)>> {
    let by_partition = records_by_partition(cluster.bootstrap(), topic);
    by_partition.values().map(|records| records.iter().map(record_content).collect()).collect()
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The values of the topic's committed records on `cluster`, hex-decoded where they are text.
fn values(cluster: &Cluster, topic: &str) -> Vec<String> {
    records_by_partition(cluster.bootstrap(), topic)
        .values()
        .flatten()
        .filter_map(|r| r["value"].as_str().map(str::to_owned))
        .collect()
}

/// Waits (bounded) until the source's committed readers see `count` records of `topic`: a
/// transaction's markers are written after its commit is answered. Its values.
fn committed(cluster: &Cluster, topic: &str, count: usize) -> Vec<String> {
    wait_until(Duration::from_secs(60), &format!("{count} committed records"), || {
        let read = values(cluster, topic);
        if read.len() == count { Ok(read) } else { Err(format!("{} read", read.len())) }
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Waits (bounded) until the mirror holds what the source holds.
fn mirrored(source: &Cluster, target: &Cluster, topic: &str) {
    wait_until(Duration::from_secs(60), "the mirror holding the source's records", || {
        let (on_target, on_source) = (contents(target, topic), contents(source, topic));
        if on_target == on_source { Ok(()) } else { Err(format!("{on_target:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Makes a link mirroring `topic` of the source from its earliest record, and waits until the
/// mirror holds the `records` the source holds; the link's id.
fn linked(connection: &mut RawConnection, source: &Cluster, topic: &str, records: i64) -> String {
    let id = make_link(connection, "txn", source, topic);
    wait_caught_up(connection, &id, records);
    id
}

#[test]
fn transactions_writing_mirrors_run_on_the_source() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let sidecar = TestSidecar::start(target);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("txn");
    source.create_topic(&topic, 2);
    produce(source, &topic, 50);
    linked(&mut connection, source, &topic, 50);

    // librdkafka: six transactions through the sidecar, the second and fifth aborted. The
    // source's committed readers see the four committed ones whole and nothing of the others;
    // each commit was answered once copied, so the mirror holds the same the moment it is done.
    let done = link_data_via(&sidecar.bootstrap(), "transactions", &topic, &["--count", "6"]);
    assert_eq!((done[0]["committed"].as_i64(), done[0]["aborted"].as_i64()), (Some(20), Some(10)));
    let on_source = committed(source, &topic, 70);
    for t in 0..6 {
        let written = (0..5).filter(|i| on_source.contains(&hex(&format!("txn-{t}-{i}")))).count();
        assert_eq!(written, if t % 3 == 1 { 0 } else { 5 }, "transaction {t}: {on_source:?}");
    }
    mirrored(source, target, &topic);

    // Kafka's Java producer (ProducerPerformance, 2000 records a second for a second, a
    // transaction every 200 ms) through the
    // sidecar, offered transactions of version 1 there though the cluster runs version 2.
    let mut perf = target.java_tool_command("org.apache.kafka.tools.ProducerPerformance");
    perf.args([
        "--topic",
        &topic,
        "--num-records",
        "2000",
        "--record-size",
        "100",
        "--throughput",
        "2000",
        "--transactional-id",
        &format!("perf-{topic}"),
        "--transaction-duration-ms",
        "200",
        "--producer-props",
        &format!("bootstrap.servers={}", sidecar.bootstrap()),
    ]);
    let out = run(&mut perf, Duration::from_secs(180)).expect("ProducerPerformance runs");
    assert!(out.status.success(), "{}", out.combined());
    committed(source, &topic, 2070);
    mirrored(source, target, &topic);

    // One transaction writing the mirror and a topic of the target is refused, and writes
    // nothing anywhere.
    let other = unique_topic("txn-other");
    target.create_topic(&other, 1);
    let args = ["--count", "3", "--also", other.as_str()];
    let tried = link_data_via(&sidecar.bootstrap(), "try-transaction", &topic, &args);
    assert_eq!(tried[0]["committed"], false, "{tried:?}");
    assert_eq!(tried[0]["aborted"], true, "{tried:?}");
    eprintln!("the mixed transaction: {tried:?}");
    assert_eq!(values(source, &topic).len(), 2070);
    assert!(values(target, &other).is_empty());
    let counted = |result: &str| {
        sidecar.metric(&format!("adminwire_link_transactions_total{{result=\"{result}\"}}"))
    };
    // Four committed by librdkafka and several by Java.
    assert!(counted("committed").is_some_and(|n| n >= 7.0), "{:?}", counted("committed"));
    // Two by librdkafka's producer, and the refused one's if the mirror was added first.
    assert!(counted("aborted").is_some_and(|n| n >= 2.0), "{:?}", counted("aborted"));
    let refused = "adminwire_link_transactions_total{result=\"TransactionSpansLink\"}";
    assert!(sidecar.metric(refused).is_some_and(|n| n >= 1.0), "{refused}");

    // A transactional id used on the source directly goes on through the sidecar: its
    // transactions there run as a new producer of the id on the source.
    let id = format!("fenced-{topic}");
    let direct =
        link_data(source, "transactions", &topic, &["--count", "1", "--transactional-id", &id]);
    assert_eq!(direct[0]["committed"], 5);
    let moved = link_data_via(
        &sidecar.bootstrap(),
        "transactions",
        &topic,
        &["--count", "1", "--transactional-id", &id],
    );
    assert_eq!(moved[0]["committed"], 5);
    committed(source, &topic, 2080);
}

#[test]
fn a_transaction_open_on_the_source_ends_there_though_the_sidecar_restarted() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let links_topic = unique_topic("txn-links");
    let store = move |c: &mut Config| {
        c.jobs.store = "topic".into();
        c.jobs.topic = links_topic.clone();
        c.jobs.lease_ms = 2_000;
    };
    let first = TestSidecar::start_with(target, &store);
    let topic = unique_topic("txn-restart");
    source.create_topic(&topic, 1);
    produce(source, &topic, 5);
    let mut connection = RawConnection::connect(&first.bootstrap());
    linked(&mut connection, source, &topic, 5);
    drop(connection);

    let steps = ["--count", "10", "--transactional-id", &format!("steps-{topic}")];
    let mut producer = Beside::start(command_via(&first.bootstrap(), "txn-steps", &topic, &steps));
    producer.wait_for_line("ready", Duration::from_secs(120));
    producer.send("write");
    let written = producer.wait_for_line("written", Duration::from_secs(120));
    assert_eq!(written["written"], 10, "{written:?}");
    assert_eq!(values(source, &topic).len(), 5, "not committed yet");

    // The sidecar restarts on the same addresses, between the transaction's writes and its
    // commit: the commit still ends it on the source.
    let second = first.restart(target, &store);
    producer.send("commit");
    let ended = producer.wait_for_line("ended", Duration::from_secs(120));
    assert_eq!(ended["ended"], "commit", "{:?}", producer.take());
    committed(source, &topic, 15);
    mirrored(source, target, &topic);

    // The next transaction, through the restarted sidecar, aborted: nothing of it is read.
    producer.send("write");
    wait_until(Duration::from_secs(120), "a second write", || {
        let lines = producer.take();
        let writes = lines.iter().filter(|l| l.get("written").is_some()).count();
        if writes == 2 { Ok(()) } else { Err(format!("{lines:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    producer.send("abort");
    wait_until(Duration::from_secs(120), "the abort", || {
        let lines = producer.take();
        let ends: Vec<&Value> = lines.iter().filter_map(|l| l.get("ended")).collect();
        if ends.len() == 2 { Ok(ends[1].clone()) } else { Err(format!("{lines:?}")) }
    })
    .map(|ended| assert_eq!(ended, "abort"))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(values(source, &topic).len(), 15);
    let lines = producer.finish(Duration::from_secs(60));
    assert!(lines.iter().all(|l| l.get("error").is_none()), "{lines:?}");

    // An application that stops with a transaction open on the source, started again: its
    // InitProducerId aborts that transaction at once (not at its one-minute timeout), so the
    // source's committed readers see what was written after it within seconds.
    let mut producer = Beside::start(command_via(&second.bootstrap(), "txn-steps", &topic, &steps));
    producer.wait_for_line("ready", Duration::from_secs(120));
    producer.send("write");
    producer.wait_for_line("written", Duration::from_secs(120));
    drop(producer);
    let mut again = Beside::start(command_via(&second.bootstrap(), "txn-steps", &topic, &steps));
    again.wait_for_line("ready", Duration::from_secs(120));
    produce(source, &topic, 1);
    wait_until(Duration::from_secs(20), "the open transaction aborted", || {
        let read = values(source, &topic).len();
        if read == 16 { Ok(()) } else { Err(format!("{read} read")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    drop(again);
    drop(second);
}

#[test]
fn a_client_the_broker_refuses_the_transactional_id_is_refused() {
    let (source, target) = (Cluster::source(), Cluster::secure());
    let sidecar = secured_sidecar(target);
    let mut admin = RawConnection::connect_as(&sidecar.bootstrap(), target, "admin");
    // alice may write topics named alice-*, but use no transactional id; bob may do neither.
    let topic = unique_topic("alice-txn");
    source.create_topic(&topic, 1);
    linked(&mut admin, source, &topic, 0);
    let add = |user: &str| {
        let mut connection = RawConnection::connect_as(&sidecar.bootstrap(), target, user);
        let body = AddPartitionsToTxnRequest::default()
            .with_v3_and_below_transactional_id(TransactionalId(StrBytes::from_string(format!(
                "{user}-{topic}"
            ))))
            .with_v3_and_below_producer_id(ProducerId(1))
            .with_v3_and_below_producer_epoch(0)
            .with_v3_and_below_topics(vec![
                AddPartitionsToTxnTopic::default()
                    .with_name(TopicName(StrBytes::from_string(topic.clone())))
                    .with_partitions(vec![0]),
            ]);
        connection.send(ApiKey::AddPartitionsToTxn, 3, 1, &body);
        let (_, answer): (i32, AddPartitionsToTxnResponse) =
            connection.receive(ApiKey::AddPartitionsToTxn, 3);
        answer.results_by_topic_v3_and_below[0].results_by_partition[0].partition_error_code
    };
    assert_eq!(add("bob"), 53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as the broker answers");
    assert_eq!(add("alice"), 53);
    let begun = "adminwire_link_transactions_total{result=\"begun\"}";
    assert_eq!(sidecar.metric(begun), None, "nothing begun on the source");
}
