//! Producers moved to the target before their consumers: a Produce through the sidecar to a
//! mirror topic is written on the link's source (`links.route_producers`), and answered only once
//! the link has copied it to the mirror (`links.wait_for_copy`), with its offset there. The source
//! is the one-node source cluster, the target the plain cluster.

use std::time::Duration;

mod links_common;

use adminwire_protocol::PromoteMirrorRequest;
use adminwire_test_support::link_data::{
    link_data_via, produce, record_content, records_by_partition,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, run_with_input, unique_topic, wait_until};
use bytes::Bytes;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{ApiKey, ProduceRequest, ProduceResponse};
use kafka_protocol::protocol::StrBytes;
use links_common::{Led, make_link, mirror_status, wait_caught_up};
use serde_json::Value;

/// One record batch of one record, `value`, stamped now.
fn batch(value: &'static [u8]) -> Bytes {
    let record = (Bytes::new(), Some(Bytes::from_static(value)));
    adminwire_kafka::log::encode(&[record]).expect("a batch of one record encodes")
}

fn partition_zero(name: &str, id: uuid::Uuid, value: &'static [u8]) -> TopicProduceData {
    TopicProduceData::default()
        .with_name(StrBytes::from_string(name.to_owned()).into())
        .with_topic_id(id)
        .with_partition_data(vec![
            PartitionProduceData::default().with_index(0).with_records(Some(batch(value))),
        ])
}

/// The records of both partitions, each as the link must keep it (offset left out).
fn contents(bootstrap: &str, topic: &str) -> Vec<Vec<(Value, Value, Value, Value)>> {
    let by_partition = records_by_partition(bootstrap, topic);
    by_partition.values().map(|records| records.iter().map(record_content).collect()).collect()
}

#[test]
fn writes_to_a_mirror_go_to_the_source_and_are_answered_once_copied() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let sidecar = TestSidecar::start(target);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("routed");
    source.create_topic(&topic, 2);
    produce(source, &topic, 200);
    let id = make_link(&mut connection, "route", source, &topic);
    wait_caught_up(&mut connection, &id, 200);

    // librdkafka's idempotent producer, through the sidecar: every record is delivered, and
    // (answered only once copied) readable on the target the moment the producer is done.
    let produced = link_data_via(&sidecar.bootstrap(), "produce", &topic, &["--count", "300"]);
    assert_eq!(produced[0]["produced"], 300, "{produced:?}");
    let on_target = contents(target.bootstrap(), &topic);
    let on_source = contents(source.bootstrap(), &topic);
    assert_eq!(on_target.iter().map(Vec::len).sum::<usize>(), 500);
    assert_eq!(on_target, on_source, "the mirror holds what the source holds, in order");

    // Kafka's own console producer (idempotent by default) writes through the sidecar too.
    let mut console = target.java_tool_command("ConsoleProducer");
    console.args(["--bootstrap-server", &sidecar.bootstrap(), "--topic", &topic]);
    let out = run_with_input(&mut console, b"from-java-1\nfrom-java-2\n", Duration::from_secs(120))
        .expect("the console producer runs");
    assert!(out.status.success(), "{}", out.combined());
    let on_source = records_by_partition(source.bootstrap(), &topic);
    let java: Vec<&Value> = on_source
        .values()
        .flatten()
        .filter(|r| r["value"] == hex(b"from-java-1") || r["value"] == hex(b"from-java-2"))
        .collect();
    assert_eq!(java.len(), 2, "{on_source:?}");
    assert_eq!(contents(target.bootstrap(), &topic), contents(source.bootstrap(), &topic));

    raw_requests(&sidecar, source, target, &topic);
    // Every partition routed is counted by result (label order: link, topic, result).
    let series = |result: &str| {
        format!(
            "adminwire_link_routed_writes_total{{link=\"{id}\",topic=\"{topic}\",result=\"{result}\"}}"
        )
    };
    assert!(sidecar.metric(&series("written")).is_some_and(|n| n >= 4.0), "written");
    assert_eq!(sidecar.metric(&series("InvalidTxnState")), Some(1.0));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Raw Produce requests at the mirror's leader, through the sidecar: one by name that also writes
/// an ordinary topic (v9), one by topic id (v13), and one in a transaction (refused: 48).
fn raw_requests(sidecar: &TestSidecar, source: &Cluster, target: &Cluster, mirror: &str) {
    let ordinary = unique_topic("route-ordinary");
    target.create_topic(&ordinary, 1);
    let led = Led::wait(&sidecar.bootstrap(), &[mirror, &ordinary]);
    let mirror_topic = led.topic(mirror);
    let mut to_leader = led.leader_of(&ordinary);
    let request = |topics| {
        ProduceRequest::default().with_acks(-1).with_timeout_ms(10_000).with_topic_data(topics)
    };

    let mixed = request(vec![
        partition_zero(mirror, uuid::Uuid::nil(), b"raw-mixed"),
        partition_zero(&ordinary, uuid::Uuid::nil(), b"raw-ordinary"),
    ]);
    to_leader.send(ApiKey::Produce, 9, 3, &mixed);
    let (correlation_id, answer): (i32, ProduceResponse) = to_leader.receive(ApiKey::Produce, 9);
    assert_eq!(correlation_id, 3);
    let result = |answer: &ProduceResponse, name: &str| {
        let t = answer.responses.iter().find(|t| t.name.as_str() == name).expect(name);
        (t.partition_responses[0].error_code, t.partition_responses[0].base_offset)
    };
    assert_eq!(result(&answer, &ordinary), (0, 0), "{answer:?}");
    let (code, offset) = result(&answer, mirror);
    assert_eq!(code, 0, "{answer:?}");
    // The offset answered is the record's on the mirror, which already holds it.
    let on_target = records_by_partition(target.bootstrap(), mirror);
    let at = on_target[&0].iter().find(|r| r["value"] == hex(b"raw-mixed")).expect("copied");
    assert_eq!(at["offset"], offset, "{answer:?}");

    let by_id = request(vec![partition_zero("", mirror_topic.topic_id, b"raw-by-id")]);
    to_leader.send(ApiKey::Produce, 13, 4, &by_id);
    let (_, answer): (i32, ProduceResponse) = to_leader.receive(ApiKey::Produce, 13);
    let written = &answer.responses[0];
    assert_eq!(written.topic_id, mirror_topic.topic_id, "{answer:?}");
    assert_eq!(written.partition_responses[0].error_code, 0, "{answer:?}");

    let mut in_transaction = request(vec![partition_zero(mirror, uuid::Uuid::nil(), b"raw-txn")]);
    in_transaction.transactional_id = Some(StrBytes::from_static_str("route-test").into());
    to_leader.send(ApiKey::Produce, 9, 5, &in_transaction);
    let (_, answer): (i32, ProduceResponse) = to_leader.receive(ApiKey::Produce, 9);
    let refused = &answer.responses[0].partition_responses[0];
    assert_eq!(refused.error_code, 48, "{answer:?}");
    let message = refused.error_message.as_deref().unwrap_or_default();
    assert!(message.contains("transaction") && message.contains(mirror), "{message}");

    // A partition named twice is authorized (and written) once at most: the broker answers it
    // once, and the entry it did not answer stays refused.
    let twice = request(vec![
        partition_zero(mirror, uuid::Uuid::nil(), b"raw-twice"),
        partition_zero(mirror, uuid::Uuid::nil(), b"raw-twice"),
    ]);
    to_leader.send(ApiKey::Produce, 9, 6, &twice);
    let (_, answer): (i32, ProduceResponse) = to_leader.receive(ApiKey::Produce, 9);
    let codes: Vec<i16> = answer
        .responses
        .iter()
        .flat_map(|t| t.partition_responses.iter().map(|p| p.error_code))
        .collect();
    assert!(codes.iter().any(|&c| c != 0), "{answer:?}");

    let on_source = records_by_partition(source.bootstrap(), mirror);
    let twice_written = on_source[&0].iter().filter(|r| r["value"] == hex(b"raw-twice")).count();
    assert!(twice_written <= 1, "{on_source:?}");
    let values: Vec<&Value> = on_source[&0].iter().map(|r| &r["value"]).collect();
    assert!(values.contains(&&Value::from(hex(b"raw-mixed"))));
    assert!(values.contains(&&Value::from(hex(b"raw-by-id"))));
    assert!(!values.contains(&&Value::from(hex(b"raw-txn"))));
}

/// An idempotent producer's batch of one record as a client writes it: `producer` id, epoch 0.
fn idempotent_batch(producer: i64, sequence: i32, value: &'static [u8]) -> Bytes {
    use kafka_protocol::records::{
        Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let record = Record {
        transactional: false,
        control: false,
        partition_leader_epoch: -1,
        producer_id: producer,
        producer_epoch: 0,
        timestamp_type: TimestampType::Creation,
        offset: 0,
        sequence,
        timestamp: now.as_millis() as i64,
        key: None,
        value: Some(Bytes::from_static(value)),
        headers: Default::default(),
        delete_horizon: false,
    };
    let mut bytes = bytes::BytesMut::new();
    let options = RecordEncodeOptions { version: 2, compression: Compression::None };
    RecordBatchEncoder::encode(&mut bytes, &[record], &options).expect("a batch encodes");
    bytes.freeze()
}

#[test]
fn a_retried_batch_is_written_once_though_the_sidecar_restarted_between() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let links_topic = unique_topic("route-links");
    let sidecar = |topic: String| {
        TestSidecar::start_with(target, move |c| {
            c.jobs.store = "topic".into();
            c.jobs.topic = topic.clone();
            c.jobs.lease_ms = 2_000;
        })
    };
    let first = sidecar(links_topic.clone());
    let topic = unique_topic("route-retried");
    source.create_topic(&topic, 1);
    let mut connection = RawConnection::connect(&first.bootstrap());
    let link = make_link(&mut connection, "retry", source, &topic);

    // The same batch (producer 4242 of the target, sequence 0), sent once through each sidecar,
    // as a producer retries a request whose answer it lost when the first sidecar went away.
    let produce = |batch: Bytes| {
        ProduceRequest::default().with_acks(-1).with_timeout_ms(20_000).with_topic_data(vec![
            TopicProduceData::default()
                .with_name(StrBytes::from_string(topic.clone()).into())
                .with_partition_data(vec![
                    PartitionProduceData::default().with_index(0).with_records(Some(batch)),
                ]),
        ])
    };
    let request = produce(idempotent_batch(4242, 0, b"exactly-once"));
    let send = |through: &TestSidecar, correlation_id: i32| {
        wait_until(Duration::from_secs(120), "the write routed and copied", || {
            let mut connection = RawConnection::connect(&through.bootstrap());
            connection.send(ApiKey::Produce, 9, correlation_id, &request);
            let (_, answer): (i32, ProduceResponse) = connection.receive(ApiKey::Produce, 9);
            let partition = &answer.responses[0].partition_responses[0];
            if partition.error_code == 0 {
                Ok(partition.base_offset)
            } else {
                Err(format!("{answer:?}"))
            }
        })
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let written_at = send(&first, 1);
    first.kill();
    let second = sidecar(links_topic);
    let again_at = send(&second, 2);
    assert_eq!(again_at, written_at, "the source answered the retry with the first write's offset");
    let on_source = records_by_partition(source.bootstrap(), &topic);
    let copies = on_source[&0].iter().filter(|r| r["value"] == hex(b"exactly-once")).count();
    assert_eq!(copies, 1, "{on_source:?}");
    let on_target = records_by_partition(target.bootstrap(), &topic);
    assert_eq!(contents(target.bootstrap(), &topic), contents(source.bootstrap(), &topic));
    assert_eq!(on_target[&0].len(), 1, "{on_target:?}");

    // Promoted (forced: no window watched yet), the topic takes the batch retried once more as
    // written already (DUPLICATE_SEQUENCE_NUMBER, which clients take as written), not again: the
    // producer's id is the target's, new to the promoted topic, whose broker would take it.
    let mut connection = RawConnection::connect(&second.bootstrap());
    let promote = PromoteMirrorRequest {
        link_id: link.clone(),
        topic: topic.clone(),
        force: true,
        ..Default::default()
    };
    assert_eq!(connection.call(promote, 0).error_code, 0);
    wait_until(Duration::from_secs(60), "the mirror promoted", || {
        let m = mirror_status(&mut connection, &link, &topic).ok_or("no mirror")?;
        if m.state == "PROMOTED" { Ok(()) } else { Err(format!("{m:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    // Now written on the target: to the partition's leader there.
    let led = Led::wait(&second.bootstrap(), &[&topic]);
    let answer = |request: &ProduceRequest, correlation_id: i32| {
        let mut connection = led.leader_of(&topic);
        connection.send(ApiKey::Produce, 9, correlation_id, request);
        let (_, answer): (i32, ProduceResponse) = connection.receive(ApiKey::Produce, 9);
        answer.responses[0].partition_responses[0].clone()
    };
    wait_until(Duration::from_secs(60), "the retry taken as written", || {
        let partition = answer(&request, 3);
        if partition.error_code == 46 { Ok(()) } else { Err(format!("{partition:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let next = answer(&produce(idempotent_batch(4242, 1, b"after-promotion")), 4);
    assert_eq!((next.error_code, next.base_offset), (0, 1), "{next:?}");
    let on_target = records_by_partition(target.bootstrap(), &topic);
    let values: Vec<&Value> = on_target[&0].iter().map(|r| &r["value"]).collect();
    assert_eq!(values, [&Value::from(hex(b"exactly-once")), &Value::from(hex(b"after-promotion"))]);
}
