//! The codec's hot spots: the header peek the sidecar does on every frame, and encoding and
//! decoding a large DescribeTopic v1 response (1,000 topics of 10 partitions each).
//!
//! `cargo bench -p adminwire-protocol --bench codec`

use std::hint::black_box;

use adminwire_protocol::frame::peek_request_header;
use adminwire_protocol::generated::describe_topic_response::{
    ConfigEntry, DescribedTopic, TopicConfigDetails, TopicDescription, TopicPartitionDetails,
};
use adminwire_protocol::{
    AdminRequest, DescribeTopicRequest, DescribeTopicResponse, FrameReader, Message, encode_request,
};
use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

const TOPICS: usize = 1_000;
const PARTITIONS: usize = 10;
const BROKERS: i32 = 6;

fn request_frame() -> BytesMut {
    let request = AdminRequest::from(DescribeTopicRequest {
        topic_names: vec!["orders".into(), "payments".into(), "shipments".into()],
        ..Default::default()
    });
    let mut buf = BytesMut::new();
    encode_request(&request, 1, 42, Some("adminwire-bench"), &mut buf).unwrap();
    buf
}

fn header_peek(c: &mut Criterion) {
    let frame = request_frame();
    let reader = FrameReader::default();
    let mut group = c.benchmark_group("header_peek");
    group.throughput(Throughput::Bytes(frame.len() as u64));
    group.bench_function("peek_request_header", |b| {
        b.iter(|| peek_request_header(black_box(&frame[4..])).unwrap())
    });
    // A buffer holding one whole frame, as a read might leave it; the clone is made outside the
    // timed part. The split promotes the fresh buffer's memory to a shared block (one small
    // allocation), which is included.
    group.bench_function("next_request", |b| {
        b.iter_batched_ref(
            || frame.clone(),
            |buf| reader.next_request(black_box(buf)).unwrap().unwrap(),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// 1,000 topics × 10 partitions, 3 replicas and 3 in sync each, two configs per topic.
fn big_describe_topic_response() -> DescribeTopicResponse {
    let topics = (0..TOPICS)
        .map(|t| {
            let partitions = (0..PARTITIONS)
                .map(|p| {
                    let first = (t + p) as i32 % BROKERS;
                    let replicas: Vec<i32> = (0..3).map(|r| (first + r) % BROKERS + 1).collect();
                    TopicPartitionDetails {
                        partition_id: p as i32,
                        leader: replicas[0],
                        isr: replicas.clone(),
                        replicas,
                        ..Default::default()
                    }
                })
                .collect();
            DescribedTopic {
                name: format!("topic-{t:04}"),
                error_code: 0,
                error_message: None,
                topic_description: Some(TopicDescription {
                    topic_name: format!("topic-{t:04}"),
                    topic_config_details: TopicConfigDetails {
                        partitions: PARTITIONS as i32,
                        replication_factor: 3,
                        configs: vec![
                            ConfigEntry {
                                key: "retention.ms".into(),
                                value: "604800000".into(),
                                ..Default::default()
                            },
                            ConfigEntry {
                                key: "cleanup.policy".into(),
                                value: "delete".into(),
                                ..Default::default()
                            },
                        ],
                        ..Default::default()
                    },
                    topic_partition_details: partitions,
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    DescribeTopicResponse { topics, ..Default::default() }
}

fn describe_topic_response_v1(c: &mut Criterion) {
    let response = big_describe_topic_response();
    let mut encoded = BytesMut::new();
    response.encode(&mut encoded, 1).unwrap();
    let encoded = encoded.freeze();
    assert_eq!(DescribeTopicResponse::decode(&encoded, 1).unwrap(), response);

    let mut group = c.benchmark_group("describe_topic_response_v1_1000x10");
    group.throughput(Throughput::Bytes(encoded.len() as u64));
    let mut buf = BytesMut::with_capacity(encoded.len());
    group.bench_function("encode", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&response).encode(&mut buf, 1).unwrap();
            black_box(buf.len())
        })
    });
    group.bench_function("decode", |b| {
        b.iter(|| DescribeTopicResponse::decode(black_box(&encoded), 1).unwrap())
    });
    group.finish();
}

criterion_group!(benches, header_peek, describe_topic_response_v1);
criterion_main!(benches);
