//! What each of the sidecar's fuzz targets under `fuzz/` runs, in one place, so that the
//! cargo-fuzz targets (with the `fuzzing` feature) and the stable corpus-replay test below run the
//! same checks. The parsers stay private: these are the only way in.
//!
//! Every function takes arbitrary bytes and panics only when an invariant breaks: a parser
//! panicking on its own, a walk that does not end or depends on how the bytes arrive, a rewrite
//! that changes more than the addresses, or a parse that accepts what it promises to refuse.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

use adminwire_protocol::wire::{tagged_fields, unsigned_varint};
use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::fetch_response::NodeEndpoint;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsResponse, DescribeClusterResponse, FetchResponse, FindCoordinatorResponse,
    MetadataResponse, ProduceRequest, ProduceResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

use crate::admin::{assignment, election, plan};
use crate::fetch_walk::{FetchWalker, Part, retry_at};
use crate::rewrite::{Advertise, RewriteError, TailOutcome};
use crate::{api_versions, peek, rewrite};

/// How many bytes the calling thread has asked the allocator for so far, as a fuzz target's
/// counting global allocator tells it; the replay test, which has none, passes [`no_count`].
pub type AllocatedBytes = fn() -> usize;

/// An [`AllocatedBytes`] that counts nothing (the checks on allocation then pass trivially).
pub fn no_count() -> usize {
    0
}

// ---- sidecar_peek ----

/// `data[0]` is the Produce version `produce_acks` is asked to read in (its own header's, when
/// 0xff), the rest a request payload (a frame without its size prefix). Checks `produce_acks`
/// against the `kafka-protocol` decoder, against a prefix of the payload, and the header peek the
/// proxy runs first against the payload's first bytes; and `produce_topics` against the decoder.
pub fn sidecar_peek(data: &[u8]) {
    let [version, payload @ ..] = data else { return };
    let header = adminwire_protocol::peek_request_header(payload);
    assert_eq!(header.is_ok(), payload.len() >= 8);
    let version = match (*version, header) {
        (0xff, Ok(h)) => h.api_version,
        (0xff, Err(_)) => 9,
        (v, _) => i16::from(v % 16),
    };
    let acks = peek::produce_acks(payload, version);
    if let Some(acks) = acks {
        // Whatever follows the field cannot change it, and a shorter prefix either holds it or
        // ends early.
        let mut longer = payload.to_vec();
        longer.extend_from_slice(&[0xff; 3]);
        assert_eq!(peek::produce_acks(&longer, version), Some(acks));
        for cut in [payload.len() / 2, payload.len().saturating_sub(1)] {
            let short = peek::produce_acks(&payload[..cut], version);
            assert!(short.is_none() || short == Some(acks), "a prefix read {short:?}, not {acks}");
        }
    }
    // A payload that Kafka's own decoder reads as a Produce request of this version: the peek
    // must find the same acks. `kafka-protocol` also takes a varint whose fifth byte has its high
    // bit set, which Kafka's brokers refuse (as the peek does); such a varint needs five bytes in
    // a row with the high bit set, so payloads without that are a fair test.
    let lenient_varint = payload.windows(5).any(|w| w.iter().all(|b| b & 0x80 != 0));
    if (3..=ApiKey::Produce.valid_versions().max).contains(&version) && !lenient_varint {
        let mut input = Bytes::copy_from_slice(payload);
        let header_version = ApiKey::Produce.request_header_version(version);
        if let Ok(h) = RequestHeader::decode(&mut input, header_version)
            && let Ok(request) = ProduceRequest::decode(&mut input, version)
        {
            assert_eq!(h.correlation_id, i32::from_be_bytes(payload[4..8].try_into().unwrap()));
            assert_eq!(acks, Some(request.acks), "produce_acks disagrees with the decoder");
            // The topics' walk (mirror topics' guard) sees the decoder's topics, in order.
            let mut seen = Vec::new();
            if peek::produce_topics(payload, version, |t| seen.push(topic_key(t))).is_some() {
                let decoded: Vec<Vec<u8>> = request
                    .topic_data
                    .iter()
                    .map(|t| match version {
                        13.. => t.topic_id.as_bytes().to_vec(),
                        _ => t.name.as_bytes().to_vec(),
                    })
                    .collect();
                assert_eq!(seen, decoded, "produce_topics disagrees with the decoder");
            }
        }
    }
    // The walk never panics, and stops at a prefix no later than at the whole.
    let mut count = 0;
    let _ = peek::produce_topics(payload, version, |_| count += 1);
    let _ = peek::client_software(payload);
    // Nor does reading a group join's member, as JoinGroup or as ConsumerGroupHeartbeat.
    for heartbeat in [false, true] {
        if let Some(join) = peek::group_join(payload, version, heartbeat) {
            assert!(join.group.len() <= payload.len() && join.client_id.len() <= payload.len());
        }
    }
}

fn topic_key(topic: peek::ProducedTopic<'_>) -> Vec<u8> {
    match topic {
        peek::ProducedTopic::Name(name) => name.to_vec(),
        peek::ProducedTopic::Id(id) => id.to_vec(),
    }
}

// ---- fetch_walk ----

/// What one walk saw: the parts in order, and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Walk {
    parts: Vec<Part>,
    end: WalkEnd,
}

#[derive(Debug, PartialEq, Eq)]
enum WalkEnd {
    /// The tail starts at this offset of the frame's payload.
    Tail(usize),
    /// The walker wanted more bytes than the frame holds.
    EndsInside,
    /// Records run past the frame's end.
    RecordsPastEnd,
    Error(String),
}

/// `data[0]` says how the bytes arrive (bits 0-5: chunk sizes, 0 for all at once; bits 6-7 the
/// Fetch version, 16-18, for the cross-check), the rest is a Fetch response frame's payload
/// (correlation id onwards). Walks it whole and in chunks, as `stream` feeds the walker, and
/// checks: the walk is the same however the bytes arrive; structure is never empty and never
/// more than was given; `Tail` repeats; the walk ends within a bound of calls proportional to the
/// bytes, and the bytes parsed by calls that wanted more stay within three times the frame; the walker allocates nothing (beyond an error's few bytes); and a payload Kafka's own
/// decoder reads as a Fetch response is walked to its records and tail.
pub fn fetch_walk(data: &[u8], allocated: AllocatedBytes) {
    let [flags, payload @ ..] = data else { return };
    let whole = walk(payload, 0, allocated);
    let chunked = walk(payload, *flags & 0x3f, allocated);
    assert_eq!(whole, chunked, "the walk depends on how the bytes arrive");

    let version = 16 + i16::from(flags >> 6).min(2);
    let mut frame = BytesMut::with_capacity(4 + payload.len());
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    frame.extend_from_slice(payload);
    let Some((header, response)) = decode_response::<FetchResponse>(ApiKey::Fetch, version, &frame)
    else {
        return;
    };
    // Only a canonical encoding is a fair oracle: Kafka's decoder reads a known tagged field
    // without checking it fills its declared size, which the walker (rightly) goes by.
    let reencoded = adminwire_kafka::frame::response(&header, 1, &response, version);
    if !reencoded.is_ok_and(|r| r[..] == frame[..]) {
        return;
    }
    let WalkEnd::Tail(tail) = whole.end else {
        panic!("a Fetch v{version} response Kafka decodes was not walked: {:?}", whole.end);
    };
    // Each partition's records are where the walk said, in order.
    let mut offset = 0;
    let mut found = Vec::new();
    for part in &whole.parts {
        match part {
            Part::Structure(n) => offset += n,
            Part::Records(n) => {
                found.push(&payload[offset..offset + n]);
                offset += n;
            }
            Part::Tail => {}
        }
    }
    assert_eq!(offset, tail);
    let expected: Vec<&[u8]> = response
        .responses
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| p.records.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(found, expected, "records found where Kafka's decoder did not put them");
}

/// Walks `payload` with the bytes arriving in chunks picked by `chunking` (0: all at once).
fn walk(payload: &[u8], chunking: u8, allocated: AllocatedBytes) -> Walk {
    let mut walker = FetchWalker::default();
    let mut parts = Vec::new();
    let mut walked = 0;
    let mut available = 0;
    let mut chunk_no = 0usize;
    let mut arrive = |available: &mut usize| {
        let len = match chunking {
            0 => payload.len(),
            c => 1 + usize::from(c).wrapping_mul(chunk_no + 7) % 97,
        };
        chunk_no += 1;
        *available = (*available + len).min(payload.len());
    };
    arrive(&mut available);
    // Each call moves the walk on by a byte or more, passes records (each after a partition's
    // structure of 39 bytes or more), or waits for a chunk of a byte or more: at most three calls
    // a byte, and the last few.
    let mut calls = 0usize;
    let call_bound = 3 * payload.len() + 8;
    // Bytes handed to calls that wanted more: with the retry rule, under twice each structure's
    // size, and the frame's end once.
    let mut parsed_in_vain = 0usize;
    let vain_bound = 3 * payload.len() + 8;
    let end = loop {
        calls += 1;
        assert!(calls <= call_bound, "the walk did not end after {calls} calls");
        let input = &payload[walked..available];
        let before = allocated();
        let next = walker.next(input);
        let used = allocated() - before;
        match next {
            Ok(_) => assert_eq!(used, 0, "the walker allocated {used} bytes"),
            Err(_) => assert!(used <= 1024, "the walker allocated {used} bytes for an error"),
        }
        match next {
            Err(e) => break WalkEnd::Error(e.to_string()),
            Ok(None) if available == payload.len() => break WalkEnd::EndsInside,
            Ok(None) => {
                parsed_in_vain += input.len();
                assert!(parsed_in_vain <= vain_bound, "{parsed_in_vain} bytes parsed in vain");
                let retry = walked.saturating_add(retry_at(input.len())).min(payload.len());
                while available < retry {
                    arrive(&mut available);
                }
            }
            Ok(Some(Part::Structure(n))) => {
                assert!(n > 0 && n <= input.len(), "structure of {n} bytes from {}", input.len());
                walked += n;
                parts.push(Part::Structure(n));
            }
            Ok(Some(Part::Records(n))) => {
                if n > payload.len() - walked {
                    break WalkEnd::RecordsPastEnd;
                }
                walked += n;
                available = available.max(walked);
                parts.push(Part::Records(n));
            }
            Ok(Some(Part::Tail)) => {
                for _ in 0..2 {
                    assert_eq!(walker.next(&payload[walked..available]), Ok(Some(Part::Tail)));
                }
                break WalkEnd::Tail(walked);
            }
        }
    };
    Walk { parts, end }
}

// ---- rewrite_responses ----

/// Advertises broker N as a host picked by the fuzzer, port 10000 + N, and refuses some brokers;
/// remembers what it was asked.
#[derive(Debug)]
struct FuzzAdvertise {
    host: String,
    refuse: Option<i32>,
    asked: RefCell<Vec<(i32, String, i32)>>,
}

impl FuzzAdvertise {
    fn new(choice: u8) -> Self {
        let host = match choice & 0x7 {
            0 => String::new(),
            1 => "s".into(),
            2 => "sidecar".into(),
            3 => "sidecar.example.com".into(),
            4 => "h".repeat(130),
            5 => "é".repeat(40),
            6 => "x".repeat(usize::from(choice >> 3)),
            _ => "a-rather-long-sidecar-host-name.internal.example.com".into(),
        };
        // Bits 3-5: a broker id (0-6) refused, or none (7).
        let refuse = (choice >> 3) & 0x7;
        let refuse = (refuse < 7 && choice & 0x7 != 6).then_some(i32::from(refuse));
        Self { host, refuse, asked: RefCell::new(Vec::new()) }
    }

    fn expected(&self, node_id: i32) -> Option<(StrBytes, i32)> {
        (Some(node_id) != self.refuse)
            .then(|| (StrBytes::from_string(self.host.clone()), node_id.wrapping_add(10_000)))
    }
}

impl Advertise for FuzzAdvertise {
    fn advertise(&self, node_id: i32, host: &str, port: i32) -> Option<(String, i32)> {
        self.asked.borrow_mut().push((node_id, host.to_owned(), port));
        self.expected(node_id).map(|(h, p)| (h.to_string(), p))
    }
}

/// What [`rewrite_responses`] exercises: a rewrite of a whole response, ApiVersions' narrowing,
/// or a streamed Fetch response's tail.
#[derive(Debug, Clone, Copy)]
enum Rewritten {
    Response(ApiKey, i16),
    ApiVersions(i16),
    FetchTail(i16),
}

/// Every API and version whose response the sidecar rewrites, a version past each's newest (to
/// be refused), the versions before each starts carrying addresses (to be left alone), every
/// ApiVersions version and every Fetch tail version.
fn rewritten() -> Vec<Rewritten> {
    let mut all = Vec::new();
    for &(api, _) in rewrite::REWRITTEN {
        for version in 0..=api.valid_versions().max + 1 {
            all.push(Rewritten::Response(api, version));
        }
    }
    for version in 0..=api_versions::max_version() {
        all.push(Rewritten::ApiVersions(version));
    }
    for version in crate::fetch_walk::VERSIONS {
        all.push(Rewritten::FetchTail(version));
    }
    all
}

/// `data[0]` picks what is rewritten (an index into [`rewritten`]), `data[1]` the advertised
/// addresses, the rest is a response frame's payload (a size prefix is put in front), or for a
/// Fetch tail, the tail itself.
pub fn rewrite_responses(data: &[u8]) {
    let [which, advertise, payload @ ..] = data else { return };
    let all = rewritten();
    let advertise = FuzzAdvertise::new(*advertise);
    match all[usize::from(*which) % all.len()] {
        Rewritten::Response(api, version) => rewrite_response(api, version, payload, &advertise),
        Rewritten::ApiVersions(version) => rewrite_api_versions(version, payload),
        Rewritten::FetchTail(version) => rewrite_fetch_tail(version, payload, &advertise),
    }
}

fn framed(payload: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(4 + payload.len());
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    frame.extend_from_slice(payload);
    frame.freeze()
}

/// The header and body of a whole frame, as `kafka-protocol` decodes them, if they fill it.
fn decode_response<R: Decodable>(
    api: ApiKey,
    version: i16,
    frame: &[u8],
) -> Option<(ResponseHeader, R)> {
    let mut input = Bytes::copy_from_slice(frame.get(4..)?);
    let size = u32::from_be_bytes(frame.get(..4)?.try_into().ok()?) as usize;
    assert_eq!(size, input.len(), "the size prefix does not match the frame");
    let header = ResponseHeader::decode(&mut input, api.response_header_version(version)).ok()?;
    let body = R::decode(&mut input, version).ok()?;
    input.is_empty().then_some((header, body))
}

/// The rewrite of a whole response decodes to the response the broker sent with only the
/// addresses changed, each to what the sidecar advertises; it fails only for a broker that cannot
/// be fronted, a version it does not know, or bytes Kafka's decoder does not read either.
fn rewrite_response(api: ApiKey, version: i16, payload: &[u8], advertise: &FuzzAdvertise) {
    let frame = framed(payload);
    let result = rewrite::rewrite_response(api, version, &frame, advertise);
    if !rewrite::needs_rewrite(api, version) {
        assert!(matches!(result, Ok(None)), "{api:?} v{version} has no addresses: {result:?}");
        return;
    }
    if version > api.valid_versions().max {
        assert!(matches!(result, Err(RewriteError::UnsupportedVersion { .. })), "{result:?}");
        return;
    }
    let check = |out: Option<&BytesMut>| match api {
        ApiKey::Metadata => check_rewrite(api, version, &frame, out, |r: &mut MetadataResponse| {
            r.brokers.iter_mut().for_each(|b| {
                (b.host, b.port) = advertise.expected(b.node_id.0).unwrap();
            });
            true
        }),
        ApiKey::FindCoordinator => {
            check_rewrite(api, version, &frame, out, |r: &mut FindCoordinatorResponse| {
                if version < 4 && r.node_id.0 >= 0 {
                    (r.host, r.port) = advertise.expected(r.node_id.0).unwrap();
                }
                for c in r.coordinators.iter_mut().filter(|c| c.node_id.0 >= 0) {
                    (c.host, c.port) = advertise.expected(c.node_id.0).unwrap();
                }
                true
            })
        }
        ApiKey::DescribeCluster => {
            check_rewrite(api, version, &frame, out, |r: &mut DescribeClusterResponse| {
                r.brokers.iter_mut().for_each(|b| {
                    (b.host, b.port) = advertise.expected(b.broker_id.0).unwrap();
                });
                true
            })
        }
        ApiKey::Produce => check_rewrite(api, version, &frame, out, |r: &mut ProduceResponse| {
            r.node_endpoints.iter_mut().for_each(|e| {
                (e.host, e.port) = advertise.expected(e.node_id.0).unwrap();
            });
            !r.node_endpoints.is_empty()
        }),
        ApiKey::Fetch => check_rewrite(api, version, &frame, out, |r: &mut FetchResponse| {
            r.node_endpoints.iter_mut().for_each(|e| {
                (e.host, e.port) = advertise.expected(e.node_id.0).unwrap();
            });
            !r.node_endpoints.is_empty()
        }),
        other => panic!("{other:?} is not rewritten"),
    };
    match &result {
        Ok(out) => check(out.as_ref()),
        Err(RewriteError::NoListener(id)) => {
            assert_eq!(Some(*id), advertise.refuse, "broker {id} was not refused");
        }
        Err(RewriteError::Decode { .. }) => {
            assert!(!decodes(api, version, &frame), "{api:?} v{version} decodes: {result:?}");
        }
        // Only where `kafka-protocol` cannot write back what it read either.
        Err(RewriteError::Encode { .. }) => {
            assert!(!reencodes(api, version, &frame), "{api:?} v{version}: {result:?}");
        }
        Err(e) => panic!("{api:?} v{version}: {e}"),
    }
    // Every broker the sidecar was asked about is one the response names with that address.
    for (node_id, host, port) in advertise.asked.borrow().iter() {
        assert!(
            host.is_empty() || payload.windows(host.len()).any(|w| w == host.as_bytes()),
            "asked about broker {node_id} at {host}:{port}, which the response does not name"
        );
    }
}

/// Whether `kafka-protocol` writes the response it reads from `frame` back unchanged in size.
fn reencodes(api: ApiKey, version: i16, frame: &[u8]) -> bool {
    fn again<R: Decodable + Encodable>(api: ApiKey, version: i16, frame: &[u8]) -> bool {
        let Some((header, body)) = decode_response::<R>(api, version, frame) else { return false };
        let header_version = api.response_header_version(version);
        adminwire_kafka::frame::response(&header, header_version, &body, version).is_ok()
    }
    match api {
        ApiKey::Metadata => again::<MetadataResponse>(api, version, frame),
        ApiKey::FindCoordinator => again::<FindCoordinatorResponse>(api, version, frame),
        ApiKey::DescribeCluster => again::<DescribeClusterResponse>(api, version, frame),
        ApiKey::Produce => again::<ProduceResponse>(api, version, frame),
        ApiKey::Fetch => again::<FetchResponse>(api, version, frame),
        _ => false,
    }
}

fn decodes(api: ApiKey, version: i16, frame: &[u8]) -> bool {
    match api {
        ApiKey::Metadata => decode_response::<MetadataResponse>(api, version, frame).is_some(),
        ApiKey::FindCoordinator => {
            decode_response::<FindCoordinatorResponse>(api, version, frame).is_some()
        }
        ApiKey::DescribeCluster => {
            decode_response::<DescribeClusterResponse>(api, version, frame).is_some()
        }
        ApiKey::Produce => decode_response::<ProduceResponse>(api, version, frame).is_some(),
        ApiKey::Fetch => decode_response::<FetchResponse>(api, version, frame).is_some(),
        _ => false,
    }
}

/// `out` (the rewrite's frame, `None` if it left the frame as it was) against the broker's
/// `frame` with `expect` applied; `expect` says whether it changed anything.
fn check_rewrite<R: Decodable + PartialEq + std::fmt::Debug>(
    api: ApiKey,
    version: i16,
    frame: &[u8],
    out: Option<&BytesMut>,
    expect: impl FnOnce(&mut R) -> bool,
) {
    let (header, mut body) = decode_response::<R>(api, version, frame)
        .unwrap_or_else(|| panic!("{api:?} v{version} rewritten but Kafka does not decode it"));
    let changed = expect(&mut body);
    let Some(out) = out else {
        assert!(!changed, "{api:?} v{version}: addresses were left in place");
        return;
    };
    assert!(changed, "{api:?} v{version} re-encoded without an address to change");
    let (header2, body2) = decode_response::<R>(api, version, out)
        .unwrap_or_else(|| panic!("the rewritten {api:?} v{version} does not decode"));
    assert_eq!(header2, header, "{api:?} v{version}: the header changed");
    assert_eq!(body2, body, "{api:?} v{version}: more than the addresses changed");
}

/// ApiVersions: the narrowed ranges replace the broker's and nothing else changes.
fn rewrite_api_versions(version: i16, payload: &[u8]) {
    let frame = framed(payload);
    let Ok((out, _)) = api_versions::rewrite_response(version, &frame, frame.len() % 2 == 1) else {
        return;
    };
    // A broker answers UNSUPPORTED_VERSION (35) in version 0.
    let read_as = if payload.get(4..6) == Some(&[0, 35]) { 0 } else { version };
    let (header, mut body) =
        decode_response::<ApiVersionsResponse>(ApiKey::ApiVersions, read_as, &frame)
            .expect("rewritten, so it decodes");
    let (header2, body2) =
        decode_response::<ApiVersionsResponse>(ApiKey::ApiVersions, read_as, &out)
            .expect("the rewritten ApiVersions response decodes");
    body.api_keys = api_versions::narrow(&body.api_keys);
    assert_eq!(header2.correlation_id, header.correlation_id);
    assert_eq!(body2, body);
    for offered in &body2.api_keys {
        assert!(offered.min_version <= offered.max_version, "{offered:?}");
        if let Some((_, reviewed_max, _)) = crate::reviewed::reviewed(offered.api_key) {
            assert!(offered.max_version <= reviewed_max, "{offered:?} past what was reviewed");
        } else {
            assert!((30000..=30017).contains(&offered.api_key), "{offered:?} never reviewed");
        }
    }
}

/// A Fetch response with no topics, ending in `tail`: the frame `stream` rewrites the tail of.
fn fetch_frame(tail: &[u8]) -> Vec<u8> {
    // correlation id, no header tags, throttle time, error code, session id, no topics.
    let mut payload = vec![0, 0, 0, 42, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0xe2, 0x40, 1];
    payload.extend_from_slice(tail);
    framed(&payload).to_vec()
}

/// A Fetch tail rewritten in place: the frame around it still holds, the tail is still tagged
/// fields filling exactly its bytes, the broker's other fields are kept, what was added is
/// padding of zeros, and the endpoints are either rewritten (with only their addresses changed)
/// or dropped. A tail the sidecar could read must not fail but for a refused broker.
fn rewrite_fetch_tail(version: i16, tail: &[u8], advertise: &FuzzAdvertise) {
    let mut frame = fetch_frame(tail);
    let mut walker = FetchWalker::default();
    let mut tail_at = 4;
    loop {
        match walker.next(&frame[tail_at..]) {
            Ok(Some(Part::Structure(n))) => tail_at += n,
            Ok(Some(Part::Tail)) => break,
            other => panic!("the fixed head walked to {other:?}"),
        }
    }
    assert_eq!(&frame[tail_at..], tail);
    let before = parse_tail(tail, version);
    let result = rewrite::rewrite_fetch_tail(&mut frame[tail_at..], version, advertise);
    let after = &frame[tail_at..];
    assert_eq!(after.len(), tail.len());
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(RewriteError::NoListener(id)) => {
            assert_eq!(Some(id), advertise.refuse, "broker {id} was not refused");
            return;
        }
        Err(e) => {
            if let Some(Tail { others, .. }) = &before {
                assert!(
                    others.keys().any(|&t| t >= 126),
                    "a tail the sidecar can read was refused: {e}"
                );
            }
            return;
        }
    };
    let before = before.expect("a tail that was rewritten was readable");
    if outcome == TailOutcome::Untouched {
        assert!(before.endpoints.is_none());
        assert_eq!(after, tail, "an untouched tail changed");
        return;
    }
    let now = parse_tail(after, version).expect("the rewritten tail is tagged fields again");
    let (padding, kept): (BTreeMap<u32, Vec<u8>>, BTreeMap<u32, Vec<u8>>) =
        now.others.into_iter().partition(|&(tag, _)| tag >= 126);
    assert_eq!(kept, before.others, "the broker's other tagged fields changed");
    assert!(padding.values().flatten().all(|&b| b == 0), "padding that is not zeros");
    let endpoints = before.endpoints.expect("endpoints were there");
    match outcome {
        TailOutcome::Rewritten => {
            let expected: Vec<NodeEndpoint> = endpoints
                .into_iter()
                .map(|mut e| {
                    (e.host, e.port) = advertise.expected(e.node_id.0).unwrap();
                    e
                })
                .collect();
            assert_eq!(now.endpoints, Some(expected));
        }
        TailOutcome::Dropped => assert_eq!(now.endpoints, None),
        TailOutcome::Untouched => unreachable!(),
    }
    // And Kafka's decoder reads the whole frame, with the endpoints the tail now holds.
    let (_, response) = decode_response::<FetchResponse>(ApiKey::Fetch, version, &frame)
        .expect("the frame with the rewritten tail decodes");
    let parsed = parse_tail(&frame[tail_at..], version).unwrap();
    assert_eq!(response.node_endpoints, parsed.endpoints.unwrap_or_default());
}

/// A Fetch tail as the sidecar reads it: its `NodeEndpoints` (tag 0), if any, and the rest.
struct Tail {
    endpoints: Option<Vec<NodeEndpoint>>,
    others: BTreeMap<u32, Vec<u8>>,
}

/// Reads a tail the way a careful client would: tagged fields in order filling the bytes, and
/// tag 0 a non-null compact array of endpoints filling its value.
fn parse_tail(tail: &[u8], version: i16) -> Option<Tail> {
    let (rest, mut others) = tagged_fields(tail, |_, _| Ok(false)).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let Some(value) = others.remove(&0) else { return Some(Tail { endpoints: None, others }) };
    let (after_count, count) = unsigned_varint(&value).ok()?;
    let mut input = Bytes::copy_from_slice(after_count);
    let mut endpoints = Vec::new();
    for _ in 1..count {
        endpoints.push(NodeEndpoint::decode(&mut input, version).ok()?);
    }
    (count > 0 && !input.has_remaining()).then_some(Tail { endpoints: Some(endpoints), others })
}

// ---- admin_parsers ----

/// `data[0]` picks the parser (0: reassignment plan, 1: replica assignment, 2: election list,
/// else all three), the rest is the text (as UTF-8, invalid bytes replaced, as the protocol's
/// strings are). Checks that what parses keeps every promise of the parser's documentation and
/// survives being written out and parsed again; what does not parse is said in a message.
pub fn admin_parsers(data: &[u8]) {
    let [which, text @ ..] = data else { return };
    let text = String::from_utf8_lossy(text);
    match which % 4 {
        0 => check_plan(&text),
        1 => check_assignment(&text),
        2 => check_election(&text),
        _ => {
            check_plan(&text);
            check_assignment(&text);
            check_election(&text);
        }
    }
}

fn check_plan(text: &str) {
    let moves = match plan::parse(text.to_owned()) {
        Ok(moves) => moves,
        Err(why) => return assert!(!why.is_empty()),
    };
    assert!(!moves.is_empty());
    let mut seen = HashSet::new();
    for m in &moves {
        assert!(!m.topic.is_empty() && m.partition >= 0 && !m.replicas.is_empty(), "{m:?}");
        assert!(m.replicas.iter().all(|&r| r >= 0), "{m:?}");
        assert_eq!(m.replicas.iter().collect::<HashSet<_>>().len(), m.replicas.len(), "{m:?}");
        assert!(seen.insert((&m.topic, m.partition)), "{} twice", m.name());
    }
    let json = serde_json::json!({
        "version": 1,
        "partitions": moves.iter().map(|m| serde_json::json!({
            "topic": m.topic, "partition": m.partition, "replicas": m.replicas,
        })).collect::<Vec<_>>(),
    });
    assert_eq!(plan::parse(json.to_string()), Ok(moves.clone()), "the plan does not round-trip");
    // Grouped by topic: every move once, topics in order of first appearance, moves in plan order.
    let grouped = plan::by_topic(&moves);
    assert_eq!(grouped.iter().map(|(_, g)| g.len()).sum::<usize>(), moves.len());
    let mut topics: Vec<&str> = moves.iter().map(|m| m.topic.as_str()).collect();
    let mut first = HashSet::new();
    topics.retain(|t| first.insert(*t));
    assert_eq!(grouped.iter().map(|(t, _)| *t).collect::<Vec<_>>(), topics);
    for (topic, group) in &grouped {
        let in_plan: Vec<&plan::Move> = moves.iter().filter(|m| m.topic == *topic).collect();
        assert_eq!(group, &in_plan);
    }
}

fn check_assignment(text: &str) {
    let partitions = match assignment::parse(text) {
        Ok(partitions) => partitions,
        Err(why) => return assert!(!why.is_empty()),
    };
    assert_eq!(partitions.len(), text.split(',').count());
    let width = partitions.partitions().next().map_or(0, <[i32]>::len);
    for replicas in partitions.partitions() {
        assert!(!replicas.is_empty() && replicas.len() == width, "{partitions:?}");
        assert!(replicas.iter().all(|&r| r >= 0));
        assert_eq!(replicas.iter().collect::<HashSet<_>>().len(), replicas.len());
    }
    let written: Vec<String> = partitions
        .partitions()
        .map(|r| r.iter().map(i32::to_string).collect::<Vec<_>>().join(":"))
        .collect();
    assert_eq!(assignment::parse(&written.join(",")), Ok(partitions));
}

fn check_election(text: &str) {
    let listed = match election::parse(text.to_owned()) {
        Ok(election::Partitions::All) => return assert!(text.is_empty()),
        Ok(election::Partitions::Listed(listed)) => listed,
        Err(crate::admin::Failure(code, why)) => {
            assert_eq!(
                code,
                adminwire_protocol::ErrorCode::INVALID_ARGUMENT_PREFERRED_REPLICA_ELECTION_DATA
            );
            return assert!(!why.is_empty());
        }
    };
    assert!(!text.is_empty() && !listed.is_empty());
    assert_eq!(listed.iter().collect::<HashSet<_>>().len(), listed.len());
    assert!(listed.iter().all(|tp| !tp.topic.is_empty() && tp.partition >= 0));
    let json = serde_json::json!({
        "partitions": listed.iter().map(|tp| serde_json::json!({
            "topic": tp.topic, "partition": tp.partition,
        })).collect::<Vec<_>>(),
    });
    match election::parse(json.to_string()) {
        Ok(election::Partitions::Listed(again)) => assert_eq!(again, listed),
        other => panic!("the election list does not round-trip: {other:?}"),
    }
}

// ---- seeds ----

/// Seed inputs for each target (target, name, bytes), built from valid encodings;
/// `examples/write_fuzz_seeds.rs` writes them into `fuzz/corpus/`.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut seeds = Vec::new();
    seeds.extend(peek_seeds());
    seeds.extend(fetch_seeds());
    seeds.extend(rewrite_seeds());
    seeds.extend(admin_seeds());
    seeds
}

fn peek_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
    use kafka_protocol::messages::{TopicName, TransactionalId};
    use kafka_protocol::protocol::Encodable;
    let mut seeds = Vec::new();
    for version in [3, 8, 9, 12, 13] {
        for (acks, txn) in [(0, None), (-1, Some("txn-1"))] {
            let header = RequestHeader::default()
                .with_request_api_key(ApiKey::Produce as i16)
                .with_request_api_version(version)
                .with_correlation_id(7)
                .with_client_id(Some(StrBytes::from_static_str("producer-1")));
            let partition =
                PartitionProduceData::default().with_records(Some(Bytes::from_static(b"batch")));
            let body = ProduceRequest::default()
                .with_acks(acks)
                .with_timeout_ms(30_000)
                .with_transactional_id(txn.map(|t| TransactionalId(StrBytes::from_static_str(t))))
                .with_topic_data(vec![
                    TopicProduceData::default()
                        .with_name(TopicName(StrBytes::from_static_str("orders")))
                        .with_partition_data(vec![partition]),
                ]);
            let mut buf = BytesMut::new();
            header.encode(&mut buf, ApiKey::Produce.request_header_version(version)).unwrap();
            body.encode(&mut buf, version).unwrap();
            let mut input = vec![0xff];
            input.extend_from_slice(&buf);
            seeds.push(("sidecar_peek", format!("produce-v{version}-acks{acks}"), input));
        }
    }
    seeds
}

fn fetch_response(endpoints: &[(i32, &str)], aborted: bool) -> FetchResponse {
    use kafka_protocol::messages::fetch_response::{
        AbortedTransaction, FetchableTopicResponse, LeaderIdAndEpoch, PartitionData,
    };
    use kafka_protocol::messages::{BrokerId, ProducerId};
    let partitions = (0..2)
        .map(|p| {
            let mut partition = PartitionData::default()
                .with_partition_index(p)
                .with_high_watermark(1 << 40)
                .with_records((p == 0).then(|| Bytes::from_static(b"record batches")));
            if aborted {
                partition = partition
                    .with_aborted_transactions(Some(vec![
                        AbortedTransaction::default()
                            .with_producer_id(ProducerId(1000))
                            .with_first_offset(3),
                    ]))
                    .with_current_leader(
                        LeaderIdAndEpoch::default()
                            .with_leader_id(BrokerId(2))
                            .with_leader_epoch(9),
                    );
            }
            partition
        })
        .collect();
    FetchResponse::default()
        .with_throttle_time_ms(5)
        .with_session_id(123_456)
        .with_responses(vec![FetchableTopicResponse::default().with_partitions(partitions)])
        .with_node_endpoints(
            endpoints
                .iter()
                .map(|&(id, host)| {
                    NodeEndpoint::default()
                        .with_node_id(kafka_protocol::messages::BrokerId(id))
                        .with_host(StrBytes::from_string(host.to_owned()))
                        .with_port(9092 + id)
                        .with_rack(Some(StrBytes::from_static_str("rack-a")))
                })
                .collect(),
        )
}

fn response_frame<R: kafka_protocol::protocol::Encodable>(
    api: ApiKey,
    version: i16,
    body: &R,
) -> Vec<u8> {
    let header = ResponseHeader::default().with_correlation_id(41);
    adminwire_kafka::frame::response(&header, api.response_header_version(version), body, version)
        .expect("a seed encodes")
        .to_vec()
}

fn fetch_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for (i, version) in crate::fetch_walk::VERSIONS.enumerate() {
        let endpoints: &[(i32, &str)] = if i == 1 { &[] } else { &[(1, "kafka-1"), (2, "k2")] };
        let frame = response_frame(ApiKey::Fetch, version, &fetch_response(endpoints, i != 0));
        for chunking in [0u8, 5] {
            let mut input = vec![(i as u8) << 6 | chunking];
            input.extend_from_slice(&frame[4..]);
            seeds.push(("fetch_walk", format!("fetch-v{version}-chunks{chunking}"), input));
        }
    }
    seeds
}

fn rewrite_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    use kafka_protocol::messages::describe_cluster_response::DescribeClusterBroker;
    use kafka_protocol::messages::find_coordinator_response::Coordinator;
    use kafka_protocol::messages::metadata_response::MetadataResponseBroker;
    use kafka_protocol::messages::{BrokerId, produce_response};
    let host = |s: &str| StrBytes::from_string(s.to_owned());
    let all = rewritten();
    let mut seeds = Vec::new();
    for (index, which) in all.iter().enumerate() {
        // Whole frames; the target takes them without their size prefix.
        let frame = match *which {
            Rewritten::Response(api, version) if version > api.valid_versions().max => continue,
            Rewritten::Response(ApiKey::Metadata, version) => response_frame(
                ApiKey::Metadata,
                version,
                &MetadataResponse::default().with_brokers(
                    (1..=2)
                        .map(|id| {
                            MetadataResponseBroker::default()
                                .with_node_id(BrokerId(id))
                                .with_host(host("kafka-1.example"))
                                .with_port(9092)
                        })
                        .collect(),
                ),
            ),
            Rewritten::Response(ApiKey::FindCoordinator, version) => {
                let mut r = FindCoordinatorResponse::default();
                if version < 4 {
                    r = r.with_node_id(BrokerId(3)).with_host(host("kafka-3")).with_port(9094);
                } else {
                    r = r.with_coordinators(vec![
                        Coordinator::default()
                            .with_key(host("group-a"))
                            .with_node_id(BrokerId(2))
                            .with_host(host("kafka-2"))
                            .with_port(9093),
                        Coordinator::default().with_key(host("group-b")).with_node_id(BrokerId(-1)),
                    ]);
                }
                response_frame(ApiKey::FindCoordinator, version, &r)
            }
            Rewritten::Response(ApiKey::DescribeCluster, version) => response_frame(
                ApiKey::DescribeCluster,
                version,
                &DescribeClusterResponse::default().with_brokers(vec![
                    DescribeClusterBroker::default()
                        .with_broker_id(BrokerId(1))
                        .with_host(host("kafka-1"))
                        .with_port(9092),
                ]),
            ),
            Rewritten::Response(ApiKey::Produce, version) if version >= 10 => response_frame(
                ApiKey::Produce,
                version,
                &ProduceResponse::default().with_node_endpoints(vec![
                    produce_response::NodeEndpoint::default()
                        .with_node_id(BrokerId(3))
                        .with_host(host("kafka-3"))
                        .with_port(9094),
                ]),
            ),
            Rewritten::Response(ApiKey::Fetch, version) if version >= 16 => response_frame(
                ApiKey::Fetch,
                version,
                &fetch_response(&[(1, "kafka-1"), (4, "kafka-4.example")], true),
            ),
            Rewritten::Response(..) => continue,
            Rewritten::ApiVersions(version) => {
                let body = ApiVersionsResponse::default().with_api_keys(
                    [
                        (ApiKey::Metadata, 0, 99),
                        (ApiKey::SaslHandshake, 0, 1),
                        (ApiKey::Fetch, 4, 18),
                    ]
                    .iter()
                    .map(|&(api, min, max)| {
                        ApiVersion::default()
                            .with_api_key(api as i16)
                            .with_min_version(min)
                            .with_max_version(max)
                    })
                    .collect(),
                );
                let header = ResponseHeader::default().with_correlation_id(41);
                adminwire_kafka::frame::response(&header, 0, &body, version).unwrap().to_vec()
            }
            Rewritten::FetchTail(version) => {
                let endpoints = [(1, "kafka-1"), (2, "broker-2.kafka.internal.example.com")];
                let frame =
                    response_frame(ApiKey::Fetch, version, &fetch_response(&endpoints, false));
                let response = fetch_response(&endpoints, false).with_node_endpoints(vec![]);
                let without = response_frame(ApiKey::Fetch, version, &response);
                // The tail starts where the two encodings part (both end in tagged fields).
                let tail_at = without.len() - 1;
                assert_eq!(frame[4..tail_at], without[4..tail_at]);
                [&[0; 4], &frame[tail_at..]].concat()
            }
        };
        for advertise in [2u8, 3 | (7 << 3)] {
            let mut input = vec![index as u8, advertise];
            input.extend_from_slice(&frame[4..]);
            let kind: String = format!("{which:?}")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == ',')
                .map(|c| if c == ',' { '-' } else { c })
                .collect();
            seeds.push(("rewrite_responses", format!("{kind}-{advertise}"), input));
        }
    }
    seeds
}

fn admin_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let texts: [(u8, &str); 6] = [
        (
            0,
            r#"{"partitions":[{"topic":"a","partition":0,"replicas":[2,3]},{"topic":"b","partition":1,"replicas":[1],"log_dirs":["any"]}],"version":1}"#,
        ),
        (0, r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1,2,1]}]}"#),
        (1, "0:1:2,1:2:0,2:0:1"),
        (1, " 1 : 2 ,3:4"),
        (2, r#"{"partitions":[{"topic":"b","partition":1},{"topic":"a","partition":0}]}"#),
        (2, ""),
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, (which, text))| {
            let mut input = vec![*which];
            input.extend_from_slice(text.as_bytes());
            ("admin_parsers", format!("admin-{i}"), input)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    type Target = fn(&[u8]);

    fn fetch_walk_uncounted(data: &[u8]) {
        fetch_walk(data, no_count);
    }

    const TARGETS: [(&str, Target); 4] = [
        ("sidecar_peek", sidecar_peek),
        ("fetch_walk", fetch_walk_uncounted),
        ("rewrite_responses", rewrite_responses),
        ("admin_parsers", admin_parsers),
    ];

    fn fuzz_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
    }

    /// The files of `dir`, sorted; none if it does not exist.
    fn files(dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("a readable corpus entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    }

    /// Every committed corpus file and regression input passes its target's checks.
    #[test]
    fn committed_fuzz_corpora_replay_cleanly() {
        for (name, target) in TARGETS {
            let mut inputs = files(&fuzz_dir().join("corpus").join(name));
            assert!(!inputs.is_empty(), "no corpus for {name}: is fuzz/ there?");
            inputs.extend(files(&fuzz_dir().join("regressions").join(name)));
            let failed: Vec<String> = inputs
                .iter()
                .filter(|file| {
                    let data = std::fs::read(file).expect("a readable corpus file");
                    std::panic::catch_unwind(|| target(&data)).is_err()
                })
                .map(|file| file.display().to_string())
                .collect();
            assert!(failed.is_empty(), "{name} failed on {failed:#?}");
        }
    }

    /// The seeds pass their targets, and reach past the first checks: the Fetch seeds walk to
    /// their tails, the rewrite seeds are rewritten, the admin seeds parse or fail as written.
    #[test]
    fn seeds_pass_their_targets() {
        for (target, name, bytes) in seeds() {
            let (_, run) = TARGETS.iter().find(|(t, _)| *t == target).unwrap();
            let ok = std::panic::catch_unwind(|| run(&bytes)).is_ok();
            assert!(ok, "{target} failed on seed {name}");
            match target {
                "fetch_walk" => {
                    let end = walk(&bytes[1..], 0, no_count).end;
                    assert!(matches!(end, WalkEnd::Tail(_)), "{name}: {end:?}");
                }
                "sidecar_peek" => {
                    let header = adminwire_protocol::peek_request_header(&bytes[1..]).unwrap();
                    assert!(peek::produce_acks(&bytes[1..], header.api_version).is_some());
                }
                _ => {}
            }
        }
    }

    #[test]
    fn every_rewritten_response_kind_has_seeds() {
        let seeds = seeds();
        let all = rewritten();
        for (index, which) in all.iter().enumerate() {
            let seeded = seeds
                .iter()
                .any(|(t, _, bytes)| *t == "rewrite_responses" && usize::from(bytes[0]) == index);
            let expected = match which {
                Rewritten::Response(api, v) => {
                    rewrite::needs_rewrite(*api, *v) && *v <= api.valid_versions().max
                }
                _ => true,
            };
            assert_eq!(seeded, expected, "{which:?}");
        }
        assert!(all.len() <= 256, "data[0] must reach every kind");
    }
}
