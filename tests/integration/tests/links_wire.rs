//! The cluster links' wire requests (keys 30013-30017) through a sidecar in front of the plain
//! cluster, with the one-node source cluster as the link's source: a link made, described until
//! its mirror has caught up, paused and resumed, its topics changed, its mirror failed over, and
//! deleted; and the errors each refusal answers with.

use std::time::Duration;

mod links_common;

use adminwire_protocol::generated::describe_links_response::Link;
use adminwire_protocol::{
    AlterLinkRequest, CreateLinkRequest, DeleteLinkRequest, DescribeLinksRequest, ErrorCode,
    PromoteMirrorRequest,
};
use adminwire_test_support::link_data::{link_data, link_data_via, produce};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, run_with_input, unique_topic, wait_until};
use bytes::Bytes;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{ApiKey, ProduceRequest, ProduceResponse};
use kafka_protocol::protocol::StrBytes;
use links_common::Led;
use serde_json::Value;

fn describe(connection: &mut RawConnection, id: &str) -> Link {
    let request = DescribeLinksRequest {
        link_ids: Some(vec![id.to_owned()]),
        include_partitions: true,
        ..Default::default()
    };
    let mut answer = connection.call(request, 0);
    assert_eq!(answer.error_code, 0, "{answer:?}");
    answer.links.remove(0)
}

fn link_until(
    connection: &mut RawConnection,
    id: &str,
    what: &str,
    ready: impl Fn(&Link) -> bool,
) -> Link {
    let found = wait_until(Duration::from_secs(120), what, || {
        let link = describe(connection, id);
        if ready(&link) { Ok(link) } else { Err(format!("{link:#?}")) }
    });
    found.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_link_is_made_described_changed_failed_over_and_deleted_over_the_wire() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    // Writes to the mirror are refused here, not routed to the source (links_route.rs).
    let sidecar = TestSidecar::start_with(target, |c| c.links.route_producers = false);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("wire-link");
    let later = unique_topic("wire-link-later");
    source.create_topic(&topic, 2);
    source.create_topic(&later, 1);
    produce(source, &topic, 500);
    let id = unique_topic("wire").replace('.', "_");
    let create = CreateLinkRequest {
        link_id: id.clone(),
        source_bootstrap: vec![source.bootstrap().to_owned()],
        start_position: "earliest".into(),
        topics: vec![topic.clone()],
        groups: vec!["wire-group".into()],
        ..Default::default()
    };

    // Refusals, each with its code.
    let refused = |connection: &mut RawConnection, request: CreateLinkRequest| {
        let answer = connection.call(request, 0);
        (ErrorCode(answer.error_code), answer.error_message.unwrap_or_default())
    };
    let bad_start = CreateLinkRequest { start_position: "yesterday".into(), ..create.clone() };
    assert_eq!(refused(&mut connection, bad_start).0, ErrorCode::INVALID_REQUEST);
    let bad_id = CreateLinkRequest { link_id: "a/b".into(), ..create.clone() };
    assert_eq!(refused(&mut connection, bad_id).0, ErrorCode::INVALID_REQUEST);
    let missing = CreateLinkRequest { topics: vec![unique_topic("nowhere")], ..create.clone() };
    let (code, message) = refused(&mut connection, missing);
    assert_eq!(code, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, "{message}");
    let unreachable =
        CreateLinkRequest { source_bootstrap: vec!["127.0.0.1:1".into()], ..create.clone() };
    assert_eq!(refused(&mut connection, unreachable).0, ErrorCode::LINK_SOURCE_UNAVAILABLE);

    let made = connection.call(create.clone(), 0);
    assert_eq!(made.error_code, 0, "{made:?}");
    assert_eq!(made.source_cluster_id.as_deref(), source.state("CLUSTER_ID"));
    assert_eq!(refused(&mut connection, create.clone()).0, ErrorCode::LINK_ALREADY_EXISTS);

    let link = link_until(&mut connection, &id, "the mirror caught up", |l| {
        l.state == "ACTIVE"
            && l.mirrors.first().is_some_and(|m| {
                m.partitions.len() == 2
                    && m.lag == 0
                    && m.partitions.iter().map(|p| p.records).sum::<i64>() == 500
            })
    });
    let mirror = &link.mirrors[0];
    assert_eq!((mirror.topic.as_str(), mirror.state.as_str()), (topic.as_str(), "ACTIVE"));
    assert!(mirror.partitions.iter().all(|p| p.offsets == "IDENTICAL"), "{mirror:?}");
    assert_eq!(link.groups[0].group, "wire-group");
    let sample = |name: &str| {
        format!("adminwire_link_{name}{{link=\"{id}\",topic=\"{topic}\",state=\"ACTIVE\"}}")
    };
    assert_eq!(sidecar.metric(&sample("mirror_copied_records")), Some(500.0));
    assert_eq!(sidecar.metric(&sample("mirror_lag_records")), Some(0.0));
    assert_eq!(sidecar.metric(&sample("mirror_lag_bytes")), Some(0.0));
    mirror_is_read_only(&sidecar, target, &topic, &id);

    // Paused, resumed, a topic added.
    let alter = |connection: &mut RawConnection, request: AlterLinkRequest| {
        let answer = connection.call(request, 0);
        ErrorCode(answer.error_code)
    };
    let pause = AlterLinkRequest { link_id: id.clone(), action: 0, ..Default::default() };
    assert_eq!(alter(&mut connection, pause), ErrorCode::NONE);
    link_until(&mut connection, &id, "paused", |l| l.state == "PAUSED" && l.paused);
    // Paused, it still sees its source grow: lag in records, and in bytes as estimated.
    produce(source, &topic, 100);
    let paused = link_until(&mut connection, &id, "the paused link's lag", |l| {
        l.state == "PAUSED" && l.mirrors[0].lag == 100
    });
    let mirror = &paused.mirrors[0];
    assert!(mirror.lag_bytes > 0, "{mirror:?}");
    let per_partition: i64 = mirror.partitions.iter().map(|p| p.lag_bytes).sum();
    assert_eq!(mirror.lag_bytes, per_partition, "{mirror:?}");
    let resume = AlterLinkRequest { link_id: id.clone(), action: 1, ..Default::default() };
    assert_eq!(alter(&mut connection, resume), ErrorCode::NONE);
    let add = AlterLinkRequest {
        link_id: id.clone(),
        action: 2,
        add_topics: vec![later.clone()],
        ..Default::default()
    };
    assert_eq!(alter(&mut connection, add), ErrorCode::NONE);
    let bad = AlterLinkRequest { link_id: id.clone(), action: 9, ..Default::default() };
    assert_eq!(alter(&mut connection, bad), ErrorCode::INVALID_REQUEST);
    link_until(&mut connection, &id, "both mirrors active", |l| {
        l.state == "ACTIVE"
            && l.mirrors.len() == 2
            && l.mirrors.iter().all(|m| m.state == "ACTIVE" && m.lag == 0)
    });

    // A failover, then the same again: 1014.
    let failover = PromoteMirrorRequest {
        link_id: id.clone(),
        topic: topic.clone(),
        failover: true,
        ..Default::default()
    };
    assert_eq!(connection.call(failover.clone(), 0).error_code, 0);
    let link = link_until(&mut connection, &id, "failed over", |l| {
        l.mirrors.iter().any(|m| m.topic == topic && m.state == "PROMOTED")
    });
    let promoted = link.mirrors.iter().find(|m| m.topic == topic).unwrap();
    assert_eq!(promoted.not_copied, 0, "{promoted:?}");
    assert!(promoted.promoted_ms > 0);
    // Promoted, the topic takes clients' writes.
    let tried = link_data_via(&sidecar.bootstrap(), "try-produce", &topic, &["--count", "3"]);
    assert_eq!(tried[0]["delivered"], 3, "{:?}", tried[0]);
    let again = connection.call(failover, 0);
    assert_eq!(ErrorCode(again.error_code), ErrorCode::MIRROR_PROMOTED, "{again:?}");

    // Deleted with its mirrors: the promoted topic stays, the other mirror goes.
    let delete =
        DeleteLinkRequest { link_id: id.clone(), delete_mirrors: true, ..Default::default() };
    let deleted = connection.call(delete.clone(), 0);
    assert_eq!(deleted.error_code, 0, "{deleted:?}");
    assert_eq!(deleted.deleted_topics, vec![later.clone()]);
    assert_eq!(ErrorCode(connection.call(delete, 0).error_code), ErrorCode::RESOURCE_NOT_FOUND);
    let unknown = describe(&mut connection, &id);
    assert_eq!(ErrorCode(unknown.error_code), ErrorCode::RESOURCE_NOT_FOUND);
    target.assert_topics_absent(None, &[later.as_str()]);
}

/// One record batch of one record, `raw-0`, stamped now.
fn raw_record() -> Bytes {
    let record = (Bytes::new(), Some(Bytes::from_static(b"raw-0")));
    adminwire_kafka::log::encode(&[record]).expect("a batch of one record encodes")
}

fn produce_to(topics: Vec<TopicProduceData>) -> ProduceRequest {
    ProduceRequest::default().with_acks(-1).with_timeout_ms(10_000).with_topic_data(topics)
}

fn partition_zero(name: &str, id: uuid::Uuid) -> TopicProduceData {
    TopicProduceData::default()
        .with_name(StrBytes::from_string(name.to_owned()).into())
        .with_topic_id(id)
        .with_partition_data(vec![
            PartitionProduceData::default().with_index(0).with_records(Some(raw_record())),
        ])
}

/// The mirror refuses clients' writes through the sidecar, naming its link: a producer's
/// (librdkafka's), a raw Produce by topic id (v13), and the mirror's part of a raw Produce that
/// also writes to an ordinary topic, whose part is written.
fn mirror_is_read_only(sidecar: &TestSidecar, target: &Cluster, mirror: &str, link: &str) {
    let tried = link_data_via(&sidecar.bootstrap(), "try-produce", mirror, &["--count", "3"]);
    let tried = &tried[0];
    assert_eq!(tried["delivered"], 0, "{tried}");
    let errors = tried["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 3, "{tried}");
    assert!(errors.iter().all(|e| e["code"] == 1015), "{tried}");
    // Kafka's own console producer shows the sidecar's message.
    let mut console = target.java_tool_command("ConsoleProducer");
    console.args(["--bootstrap-server", &sidecar.bootstrap(), "--topic", mirror]);
    let out = run_with_input(&mut console, b"hello\n", Duration::from_secs(120))
        .expect("the console producer runs");
    let refusal = format!("{mirror} is a mirror topic of cluster link {link}");
    assert!(out.combined().contains(&refusal), "{}", out.combined());

    let ordinary = unique_topic("wire-ordinary");
    target.create_topic(&ordinary, 1);
    let led = Led::wait(&sidecar.bootstrap(), &[mirror, &ordinary]);
    let mirror_topic = led.topic(mirror);
    // The ordinary partition's leader, at the address the sidecar gave for it.
    let mut to_leader = led.leader_of(&ordinary);

    let by_id = produce_to(vec![partition_zero("", mirror_topic.topic_id)]);
    to_leader.send(ApiKey::Produce, 13, 2, &by_id);
    let (_, answer): (i32, ProduceResponse) = to_leader.receive(ApiKey::Produce, 13);
    let refused = &answer.responses[0];
    assert_eq!(refused.topic_id, mirror_topic.topic_id);
    assert_eq!(refused.partition_responses[0].error_code, 1015, "{answer:?}");
    let message = refused.partition_responses[0].error_message.as_deref().unwrap_or_default();
    assert!(message.contains(link) && message.contains(mirror), "{message}");

    let mixed = produce_to(vec![
        partition_zero(mirror, uuid::Uuid::nil()),
        partition_zero(&ordinary, uuid::Uuid::nil()),
    ]);
    to_leader.send(ApiKey::Produce, 9, 3, &mixed);
    let (correlation_id, answer): (i32, ProduceResponse) = to_leader.receive(ApiKey::Produce, 9);
    assert_eq!(correlation_id, 3);
    let code = |name: &str| {
        let t = answer.responses.iter().find(|t| t.name.as_str() == name).expect(name);
        (t.partition_responses[0].error_code, t.partition_responses[0].base_offset)
    };
    assert_eq!(code(mirror), (1015, -1), "{answer:?}");
    assert_eq!(code(&ordinary), (0, 0), "{answer:?}");
    let dumped: Vec<Value> = link_data(target, "dump", &ordinary, &[]);
    let written: Vec<&Value> = dumped.iter().filter(|l| l.get("offset").is_some()).collect();
    assert_eq!(written.len(), 1, "{dumped:?}");
    assert_eq!(written[0]["value"], "7261772d30", "raw-0, in hex: {dumped:?}");
}
