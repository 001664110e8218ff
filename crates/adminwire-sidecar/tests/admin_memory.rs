//! Peak memory of preparing an admin request — decoding it, checking its caps, parsing its plan,
//! partition list or replica assignments — is at most 4 times its size plus a constant, for the
//! worst requests of each kind at the largest size the sidecar takes (limits.admin defaults:
//! 1 MiB). Measured with a counting global allocator, which is why this test is a binary of its
//! own. What the commands build for the cluster afterwards is not measured here: it is bounded by
//! the count caps, and only requests that pass every check get that far.

// The workspace denies unsafe code. The one exception is here: a `#[global_allocator]` must be an
// `unsafe impl GlobalAlloc`, and it only counts bytes before handing calls to the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;

use adminwire_protocol::generated::alter_topic_request::{self, AlterableTopic};
use adminwire_protocol::generated::create_topic_request::{self, CreatableTopic};
use adminwire_protocol::{
    AdminRequest, AlterTopicRequest, CreateTopicRequest, DeleteTopicRequest, DescribeTopicRequest,
    PreferredReplicaLeaderElectionRequest, ReassignPartitionsRequest,
    VerifyPreferredReplicaLeaderElectionRequest, VerifyReassignPartitionsRequest, encode_request,
};
use adminwire_sidecar::config::AdminLimits;
use adminwire_sidecar::prepare_for_measurement;
use bytes::BytesMut;

/// Counts the bytes live on the current thread and the most there were, so that other test
/// threads do not disturb the measurement.
struct CountingAllocator;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: the slots may already be gone while a thread is being torn down.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: forwarded as is, under the caller's guarantees for `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the new block allocated before the old one is freed, as a moving realloc
        // holds both for a moment.
        count(new_size as isize);
        count(-(layout.size() as isize));
        // SAFETY: as above; `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// The most bytes `f` had allocated at once on this thread, beyond what was live before it.
fn peak_of<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(before));
    let value = f();
    (PEAK.with(Cell::get).saturating_sub(before) as usize, value)
}

/// The constant of the bound: the decoder's slack (adminwire_sidecar's DECODE_SLACK_BYTES, 2 MiB)
/// and 256 KiB for the small allocations around it (messages, the response of a refusal).
const CONSTANT: usize = (2 << 20) + (256 << 10);
const MIB: usize = 1 << 20;

fn payload(request: AdminRequest, version: i16) -> Vec<u8> {
    let mut buf = BytesMut::new();
    encode_request(&request, version, 1, Some("memory-test"), &mut buf).unwrap();
    buf[4..].to_vec()
}

/// As many copies of `one(i)` as fit in about `bytes`, given what one costs.
fn fill<T>(bytes: usize, one_bytes: usize, one: impl Fn(usize) -> T) -> Vec<T> {
    (0..bytes / one_bytes).map(one).collect()
}

/// A JSON partition list of as many `entry(i)` as fit in 1 MiB.
fn json_list(entry: impl Fn(usize) -> String, prefix: &str) -> String {
    let mut text = format!("{{{prefix}\"partitions\":[");
    let mut i = 0;
    loop {
        let next = entry(i);
        if text.len() + next.len() + 3 > MIB - 64 {
            break;
        }
        if i > 0 {
            text.push(',');
        }
        text.push_str(&next);
        i += 1;
    }
    text.push_str("]}");
    text
}

struct Case {
    name: &'static str,
    payload: Vec<u8>,
    /// Whether the sidecar takes it (else it is refused before it runs).
    accepted: bool,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut case = |name, request: AdminRequest, version, accepted| {
        cases.push(Case { name, payload: payload(request, version), accepted });
    };

    // Arrays of empty strings: 1 byte each on the wire (compact), 24 in memory.
    let empty_names = vec![String::new(); MIB - 64];
    case(
        "DeleteTopic v1, 1M empty names",
        DeleteTopicRequest { topic_names: empty_names.clone(), ..Default::default() }.into(),
        1,
        false,
    );
    case(
        "DescribeTopic v1, 1M empty names",
        DescribeTopicRequest { topic_names: empty_names, ..Default::default() }.into(),
        1,
        false,
    );
    // At the topics cap with short names: taken.
    let names: Vec<String> = (0..10_000).map(|i| format!("t{i}")).collect();
    case(
        "DescribeTopic v1, 10,000 short names",
        DescribeTopicRequest { topic_names: names, ..Default::default() }.into(),
        1,
        true,
    );
    // Empty structs: ~12 bytes on the wire, ~100 in memory.
    case(
        "CreateTopic v1, 87k empty topics",
        CreateTopicRequest {
            topics: fill(MIB - 64, 12, |_| CreatableTopic::default()),
            ..Default::default()
        }
        .into(),
        1,
        false,
    );
    // One topic, configs of empty key and value: 3 bytes each, 72 in memory.
    case(
        "CreateTopic v1, one topic with 350k empty configs",
        CreateTopicRequest {
            topics: vec![CreatableTopic {
                name: "t".into(),
                configs: fill(MIB - 64, 3, |_| create_topic_request::ConfigEntry::default()),
                ..Default::default()
            }],
            ..Default::default()
        }
        .into(),
        1,
        false,
    );
    // Unknown tagged fields, each kept in a map: a few bytes on the wire, a B-tree node in memory.
    case(
        "CreateTopic v1, 60k topics with an unknown tagged field",
        CreateTopicRequest {
            topics: fill(MIB - 64, 16, |_| CreatableTopic {
                unknown_tagged_fields: BTreeMap::from([(7, Vec::new())]),
                ..Default::default()
            }),
            ..Default::default()
        }
        .into(),
        1,
        false,
    );
    // A replica assignment at the partitions cap, 2 bytes a replica: taken, parsed to 4 bytes a
    // replica.
    let assignment = vec!["1:2:3"; 100_000].join(",");
    case(
        "CreateTopic v1, 100k partitions of 3 replicas by assignment",
        CreateTopicRequest {
            topics: vec![CreatableTopic {
                name: "t".into(),
                replica_assignment: assignment.clone(),
                ..Default::default()
            }],
            ..Default::default()
        }
        .into(),
        1,
        true,
    );
    // One partition of 200k+ replicas in 1 MiB: refused at the 1001st.
    let replicas: Vec<String> = (0..200_000).map(|i| (100_000 + i).to_string()).collect();
    let long = replicas.join(":");
    let long = &long[..long[..MIB - 128].rfind(':').unwrap()];
    case(
        "AlterTopic v1, one partition of 150k replicas",
        AlterTopicRequest {
            topics: vec![AlterableTopic {
                name: "t".into(),
                partitions: 2,
                replica_assignment: Some(long.to_owned()),
                ..Default::default()
            }],
            ..Default::default()
        }
        .into(),
        1,
        false,
    );
    case(
        "AlterTopic v1, 1M empty deleted configs",
        AlterTopicRequest {
            topics: vec![AlterableTopic {
                name: "t".into(),
                deleted_configs: vec![String::new(); MIB - 64],
                ..Default::default()
            }],
            ..Default::default()
        }
        .into(),
        1,
        false,
    );
    case(
        "AlterTopic v1, 70k topics of empty added configs",
        AlterTopicRequest {
            topics: fill(MIB - 64, 17, |i| AlterableTopic {
                name: format!("{i}"),
                added_configs: vec![alter_topic_request::ConfigEntry::default()],
                ..Default::default()
            }),
            ..Default::default()
        }
        .into(),
        1,
        false,
    );

    // Plans: the shortest entries (43 bytes), 24k of them: taken.
    let plan = json_list(
        |i| format!(r#"{{"topic":"a","partition":{i},"replicas":[1]}}"#),
        r#""version":1,"#,
    );
    case(
        "ReassignPartitions v1, 1 MiB plan of the shortest entries",
        ReassignPartitionsRequest { manual_assignment: plan.clone(), ..Default::default() }.into(),
        1,
        true,
    );
    case(
        "VerifyReassignPartitions v1, the same plan",
        VerifyReassignPartitionsRequest { manual_assignment: plan, ..Default::default() }.into(),
        1,
        true,
    );
    // Entries of many small replica ids (2 bytes each, 4 in memory).
    let ids = (0..1000).map(|i| (i % 10 + 10 * (i / 10)).to_string()).collect::<Vec<_>>();
    let ids = ids.join(",");
    let plan = json_list(
        |i| format!(r#"{{"topic":"a","partition":{i},"replicas":[{ids}]}}"#),
        r#""version":1,"#,
    );
    case(
        "ReassignPartitions v1, 1 MiB plan of 1000-replica entries",
        ReassignPartitionsRequest { manual_assignment: plan, ..Default::default() }.into(),
        1,
        true,
    );
    // Arrays of tiny elements where the plan has no use for them: skipped, never built.
    let junk = format!("[{}]", vec!["0"; 500_000].join(","));
    case(
        "ReassignPartitions v1, 1M ignored numbers",
        ReassignPartitionsRequest {
            manual_assignment: format!(
                r#"{{"log_dirs":{junk},"partitions":[{{"topic":"a","partition":0,"replicas":[1]}}]}}"#
            ),
            ..Default::default()
        }
        .into(),
        1,
        true,
    );
    // Replicas of one entry past the cap.
    let many = (0..200_000).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let many = &many[..many[..MIB - 128].rfind(',').unwrap()];
    case(
        "ReassignPartitions v1, one entry of 150k replicas",
        ReassignPartitionsRequest {
            manual_assignment: format!(
                r#"{{"partitions":[{{"topic":"a","partition":0,"replicas":[{many}]}}]}}"#
            ),
            ..Default::default()
        }
        .into(),
        1,
        false,
    );
    // Repeated partitions: 24k copies of one entry.
    let repeated = json_list(|_| r#"{"topic":"a","partition":0,"replicas":[1]}"#.to_owned(), "");
    case(
        "ReassignPartitions v1, 1 MiB of one repeated entry",
        ReassignPartitionsRequest { manual_assignment: repeated, ..Default::default() }.into(),
        1,
        false,
    );
    // Election lists: the shortest entries (28 bytes), 37k of them: taken.
    let listed = json_list(|i| format!(r#"{{"topic":"a","partition":{i}}}"#), "");
    case(
        "PreferredReplicaLeaderElection v1, 1 MiB of the shortest entries",
        PreferredReplicaLeaderElectionRequest {
            partitions_serialized: listed.clone(),
            ..Default::default()
        }
        .into(),
        1,
        true,
    );
    case(
        "VerifyPreferredReplicaLeaderElection v1, the same list",
        VerifyPreferredReplicaLeaderElectionRequest {
            partitions_serialized: listed,
            ..Default::default()
        }
        .into(),
        1,
        true,
    );
    cases
}

#[test]
fn the_counter_sees_allocations() {
    // Otherwise the bounds below would prove nothing.
    let (peak, v) = peak_of(|| Vec::<u8>::with_capacity(1000));
    assert_eq!(peak, 1000);
    drop(v);
}

#[test]
fn preparing_any_request_peaks_at_4_times_its_size_plus_a_constant() {
    let limits = AdminLimits::default();
    assert_eq!(limits.max_request_bytes, MIB, "the cases are built for the default cap");
    let mut failures = Vec::new();
    for case in cases() {
        let size = case.payload.len();
        assert!(size <= MIB, "{}: {size} bytes", case.name);
        let (peak, outcome) = peak_of(|| prepare_for_measurement(&case.payload, &limits));
        let bound = 4 * size + CONSTANT;
        println!(
            "{:<64} {:>8} bytes  peak {:>9} ({:.2}x)  {}",
            case.name,
            size,
            peak,
            peak as f64 / size as f64,
            match &outcome {
                Ok(()) => "taken".to_owned(),
                Err((code, message)) => format!("refused {code}: {:.100}", message),
            }
        );
        if outcome.is_ok() != case.accepted {
            failures.push(format!(
                "{}: expected accepted={}, got {outcome:?}",
                case.name, case.accepted
            ));
        }
        if peak > bound {
            failures.push(format!("{}: peak {peak} > 4 x {size} + {CONSTANT}", case.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
