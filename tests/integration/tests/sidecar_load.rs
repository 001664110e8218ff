//! Admin requests at the size caps do not hold up other clients: while two clients send the
//! largest admin requests the sidecar takes (1 MiB, limits.admin defaults) in a loop, a third
//! client's Metadata and ApiVersions are answered within 50 ms at the 99th percentile — beyond
//! what the same requests take straight to a broker at the same moment, which on a shared, loaded
//! machine is itself far from zero (a p99 of 125 ms was seen with no admin load at all).
//!
//! The large requests make the sidecar parse everything and the cluster do little: a 1 MiB
//! reassignment plan whose last entry repeats its first (refused once read whole), a CreateTopic
//! of one topic whose 1 MiB replica assignment lists a broker twice in its last partition, a
//! CreateTopic of 10,000 topics each refused by the sidecar's own checks, and a DescribeTopic of
//! 10,000 topics that do not exist (one Metadata request to the broker).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use adminwire_protocol::generated::create_topic_request::CreatableTopic;
use adminwire_protocol::{
    AdminRequest, AdminResponse, CreateTopicRequest, DescribeTopicRequest, ErrorCode,
    ReassignPartitionsRequest, decode_response, encode_request,
};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic};
use bytes::BytesMut;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, MetadataRequest, MetadataResponse,
};
use kafka_protocol::protocol::StrBytes;

const MIB: usize = 1 << 20;
const LOAD_FOR: Duration = Duration::from_secs(12);
/// How many rounds of load the sidecar has to meet the bound in one of.
const ROUNDS: usize = 3;
const P99_WITHIN: Duration = Duration::from_millis(50);

/// A request frame, encoded once and sent as bytes in the loop, and the error code its answer
/// must carry.
struct Heavy {
    name: &'static str,
    frame: BytesMut,
    request: AdminRequest,
}

fn frame(request: &AdminRequest) -> BytesMut {
    let mut frame = BytesMut::new();
    encode_request(request, 1, 7, Some("load-test"), &mut frame).unwrap();
    assert!(frame.len() - 4 <= MIB, "{} bytes: over the 1 MiB cap", frame.len() - 4);
    assert!(frame.len() - 4 > MIB - 64 * 1024, "{} bytes: not at the cap", frame.len() - 4);
    frame
}

fn heavy(name: &'static str, request: AdminRequest) -> Heavy {
    Heavy { name, frame: frame(&request), request }
}

/// A plan of as many entries as fit in just under 1 MiB, the last repeating the first.
fn repeated_plan() -> String {
    let mut entries = Vec::new();
    let mut bytes = 0;
    let topic = unique_topic("load-plan");
    while bytes < MIB - 256 {
        let entry =
            format!(r#"{{"topic":"{topic}","partition":{},"replicas":[1,2,3]}}"#, entries.len());
        bytes += entry.len() + 1;
        entries.push(entry);
    }
    entries.pop();
    entries.pop();
    entries.push(entries[0].clone());
    format!(r#"{{"version":1,"partitions":[{}]}}"#, entries.join(","))
}

/// A replica assignment of just under 1 MiB whose last partition lists a broker twice.
fn bad_assignment() -> String {
    // 10 replicas a partition keeps the partitions (~50,000) under the cap of 100,000.
    let count = (MIB - 256) / 21;
    let mut partitions = vec!["1:2:3:4:5:6:7:8:9:10"; count - 1];
    partitions.push("1:2:3:4:5:6:7:8:9:1");
    partitions.join(",")
}

fn heavies() -> [Vec<Heavy>; 2] {
    let plan =
        ReassignPartitionsRequest { manual_assignment: repeated_plan(), ..Default::default() };
    let assignment = CreateTopicRequest {
        topics: vec![CreatableTopic {
            name: unique_topic("load-assigned"),
            replica_assignment: bad_assignment(),
            ..Default::default()
        }],
        ..Default::default()
    };
    // 10,000 topics (the topics cap) with names long enough to fill 1 MiB, each given neither
    // partitions nor an assignment.
    let prefix = unique_topic("load-batch");
    let name = |i: usize| format!("{prefix}-{i:05}-{}", "x".repeat(90 - prefix.len() - 7));
    let batch = CreateTopicRequest {
        topics: (0..10_000)
            .map(|i| CreatableTopic { name: name(i), ..Default::default() })
            .collect(),
        ..Default::default()
    };
    let describe = DescribeTopicRequest {
        topic_names: (0..10_000)
            .map(|i| format!("{}-{i:05}-{}", prefix, "y".repeat(98 - prefix.len() - 7)))
            .collect(),
        ..Default::default()
    };
    [
        vec![
            heavy("ReassignPartitions, 1 MiB plan", plan.into()),
            heavy("CreateTopic, 1 MiB assignment", assignment.into()),
        ],
        vec![
            heavy("CreateTopic, 10,000 topics", batch.into()),
            heavy("DescribeTopic, 10,000 topics", describe.into()),
        ],
    ]
}

/// Checks the answer to `heavy` is the refusal it is built for.
fn check_answer(heavy: &Heavy, payload: &[u8]) {
    let key = heavy.request.api_key();
    let (_, response) = decode_response(key, 1, payload).unwrap();
    match response {
        AdminResponse::ReassignPartitions(r) => {
            assert_eq!(r.error_code, ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT.0, "{r:?}");
            let message = r.error_message.unwrap_or_default();
            assert!(message.contains("is listed more than once"), "{message}");
        }
        AdminResponse::CreateTopic(r) if r.topics.len() == 1 => {
            let topic = &r.topics[0];
            assert_eq!(topic.error_code, ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT.0);
            let message = topic.error_message.clone().unwrap_or_default();
            assert!(message.contains("lists broker 1 twice"), "{message}");
        }
        AdminResponse::CreateTopic(r) => {
            assert_eq!(r.topics.len(), 10_000);
            assert!(
                r.topics.iter().all(|t| t.error_code == ErrorCode::INVALID_ARGUMENT_PARTITIONS.0),
                "{:?}",
                r.topics[0]
            );
        }
        AdminResponse::DescribeTopic(r) => {
            assert_eq!(r.topics.len(), 10_000);
            assert!(
                r.topics.iter().all(|t| t.error_code == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0),
                "{:?}",
                r.topics[0]
            );
        }
        other => panic!("{}: {other:?}", heavy.name),
    }
}

/// Sends `heavies` in turn until `stop`, checking the first answer to each; the requests sent.
fn load(address: String, heavies: Vec<Heavy>, stop: Arc<AtomicBool>) -> usize {
    let mut connection = RawConnection::connect(&address);
    let mut sent = 0;
    while !stop.load(Ordering::Relaxed) {
        let heavy = &heavies[sent % heavies.len()];
        connection.send_bytes(&heavy.frame).unwrap();
        let payload = connection.read_frame().unwrap_or_else(|e| panic!("{}: {e}", heavy.name));
        if sent < heavies.len() {
            check_answer(heavy, &payload);
        }
        sent += 1;
    }
    sent
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[test]
fn metadata_and_api_versions_stay_fast_while_two_clients_send_the_largest_admin_requests() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    // The same requests, through the sidecar and straight to a broker, one after the other: the
    // direct ones measure what the machine and the cluster cost at that moment (this machine may
    // be shared and loaded), so that the sidecar is held to its own share.
    let mut through = RawConnection::connect(&sidecar.bootstrap());
    let mut direct = RawConnection::connect(&cluster.node_address(cluster.node_ids()[0]));
    let metadata = MetadataRequest::default().with_topics(Some(Vec::new()));
    let versions = ApiVersionsRequest::default()
        .with_client_software_name(StrBytes::from_static_str("load-test"))
        .with_client_software_version(StrBytes::from_static_str("1"));
    let ask = |probe: &mut RawConnection, i: usize| {
        let started = Instant::now();
        if i.is_multiple_of(2) {
            probe.send(ApiKey::Metadata, 12, i as i32, &metadata);
            let (id, response): (i32, MetadataResponse) = probe.receive(ApiKey::Metadata, 12);
            assert_eq!((id, response.brokers.len()), (i as i32, 3));
        } else {
            probe.send(ApiKey::ApiVersions, 3, i as i32, &versions);
            let (id, response): (i32, ApiVersionsResponse) = probe.receive(ApiKey::ApiVersions, 3);
            assert_eq!((id, response.error_code), (i as i32, 0));
        }
        started.elapsed()
    };
    // Warm: connections to the brokers made, code paths run.
    for i in 0..20 {
        ask(&mut through, i);
        ask(&mut direct, i);
    }

    // A round's p99 is its few slowest requests, which a burst of another process on a shared
    // machine can take all of: the sidecar is held to the bound in the best of a few rounds, which
    // a sidecar slow by itself misses every time.
    let mut missed = Vec::new();
    for round in 1..=ROUNDS {
        let stop = Arc::new(AtomicBool::new(false));
        let loaders: Vec<_> = heavies()
            .into_iter()
            .map(|heavies| {
                let (address, stop) = (sidecar.bootstrap(), Arc::clone(&stop));
                thread::spawn(move || load(address, heavies, stop))
            })
            .collect();
        // The probes start once both loaders have a request in flight, and stop before they do.
        thread::sleep(Duration::from_millis(500));
        let (mut via_sidecar, mut to_broker) = (Vec::new(), Vec::new());
        let until = Instant::now() + LOAD_FOR;
        let mut i = 0;
        while Instant::now() < until {
            via_sidecar.push(ask(&mut through, i));
            to_broker.push(ask(&mut direct, i));
            i += 1;
            // A client polling, not a tight loop: ~100 requests a second on each connection.
            thread::sleep(Duration::from_millis(5));
        }
        stop.store(true, Ordering::Relaxed);
        let sent: Vec<usize> =
            loaders.into_iter().map(|l| l.join().expect("a loader ends cleanly")).collect();
        let summary = |latencies: &mut Vec<Duration>| {
            latencies.sort();
            let max = *latencies.last().unwrap();
            (percentile(latencies, 0.50), percentile(latencies, 0.99), max)
        };
        let (p50, p99, max) = summary(&mut via_sidecar);
        let (direct_p50, direct_p99, direct_max) = summary(&mut to_broker);
        let figures = format!(
            "round {round}: {} Metadata and ApiVersions requests each way while 1 MiB admin \
             requests were answered ({sent:?}): through the sidecar p50 {p50:?}, p99 {p99:?}, \
             max {max:?}; straight to a broker p50 {direct_p50:?}, p99 {direct_p99:?}, max \
             {direct_max:?}",
            via_sidecar.len()
        );
        println!("{figures}");
        assert!(sent.iter().all(|&n| n >= 4), "the loaders ran: {sent:?}");
        // 50 ms at the 99th percentile on top of what the same requests cost straight to a
        // broker at the same time (on an idle machine that is a millisecond or two).
        if p99 < direct_p99 + P99_WITHIN {
            return;
        }
        missed.push(figures);
    }
    panic!(
        "p99 through the sidecar beyond {P99_WITHIN:?} more than straight to a broker in every round: {missed:#?}"
    );
}
