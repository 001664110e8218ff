//! Finding the parts of a Fetch response (v16 and later) while it streams past: its structure,
//! which is small and is read; its record batches, which are nearly all of its bytes and pass
//! through unread; and its tail of tagged fields, where KIP-951 puts broker addresses
//! (`NodeEndpoints`) that must be rewritten.
//!
//! The walker is handed the bytes from where it stopped; it names the next part, or says it needs
//! more bytes to tell. It holds no bytes itself and allocates nothing, whatever the counts read off
//! the wire say: a count larger than the frame only runs the walk into the frame's end.
//!
//! A structure is parsed again from its start each time the walker is called, so a caller that
//! retried on every byte that arrived would pay a parse per byte for a large one (thousands of
//! aborted transactions trickling in): [`retry_at`] says when to call again, which keeps the walk
//! linear in the frame's size however the bytes arrive.

use std::ops::RangeInclusive;

use adminwire_protocol::wire::{PResult, int16, int32, int64, skip_tagged_fields, unsigned_varint};
use adminwire_protocol::{DecodeError, DecodeErrorKind};
use nom::bytes::complete::take;

/// The Fetch versions walked here: those with `NodeEndpoints`, up to the newest reviewed.
pub const VERSIONS: RangeInclusive<i16> = 16..=18;

/// After `next` wanted more than the `stalled` bytes it was given, call it again once there are at
/// least this many: the bytes parsed in vain then add up to no more than twice the structure.
pub const fn retry_at(stalled: usize) -> usize {
    stalled.saturating_mul(2).saturating_add(1)
}

/// The next part of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// This many bytes of structure.
    Structure(usize),
    /// This many bytes of record batches, to pass on unread.
    Records(usize),
    /// The rest of the frame: the response's own tagged fields.
    Tail,
}

/// Where a walk is: what comes next, and how many topics and partitions are left to walk,
/// counting the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// The response header and the fields before the topics.
    Start,
    /// A topic's id and its partition count.
    Topic {
        topics: u32,
    },
    /// A partition's fields up to its records' length.
    Partition {
        topics: u32,
        partitions: u32,
    },
    /// A partition's records.
    Records {
        topics: u32,
        partitions: u32,
        len: usize,
    },
    /// A partition's tagged fields.
    PartitionEnd {
        topics: u32,
        partitions: u32,
    },
    /// A topic's tagged fields.
    TopicEnd {
        topics: u32,
    },
    Tail,
}

/// A walk over one Fetch response, from its correlation id (just after the size prefix).
#[derive(Debug)]
pub struct FetchWalker {
    at: At,
}

impl Default for FetchWalker {
    fn default() -> Self {
        Self { at: At::Start }
    }
}

impl FetchWalker {
    /// The part that `input` starts with, or `None` if `input` ends before it can tell. After
    /// `Structure(n)` or `Records(n)`, the next call's input starts `n` bytes further on; once
    /// `Tail` is returned, it is returned every time.
    pub fn next(&mut self, input: &[u8]) -> Result<Option<Part>, DecodeError> {
        let stepped = match self.at {
            At::Start => step(input, start, |topics| match topics {
                0 => At::Tail,
                topics => At::Topic { topics },
            }),
            At::Topic { topics } => step(input, topic_head, |partitions| match partitions {
                0 => At::TopicEnd { topics },
                partitions => At::Partition { topics, partitions },
            }),
            At::Partition { topics, partitions } => {
                step(input, partition_head, |len| At::Records { topics, partitions, len })
            }
            At::Records { topics, partitions, len } => {
                self.at = At::PartitionEnd { topics, partitions };
                return Ok(Some(Part::Records(len)));
            }
            At::PartitionEnd { topics, partitions } => {
                step(input, skip_tagged_fields, |()| match partitions {
                    1 => At::TopicEnd { topics },
                    more => At::Partition { topics, partitions: more - 1 },
                })
            }
            At::TopicEnd { topics } => step(input, skip_tagged_fields, |()| match topics {
                1 => At::Tail,
                more => At::Topic { topics: more - 1 },
            }),
            At::Tail => return Ok(Some(Part::Tail)),
        }?;
        let Some((consumed, next)) = stepped else { return Ok(None) };
        self.at = next;
        Ok(Some(Part::Structure(consumed)))
    }
}

/// Runs `parse` on `input`: the bytes it took and where the walk goes next, or `None` if the input
/// ended early.
fn step<'a, T>(
    input: &'a [u8],
    parse: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
    then: impl FnOnce(T) -> At,
) -> Result<Option<(usize, At)>, DecodeError> {
    match parse(input) {
        Ok((rest, value)) => Ok(Some((input.len() - rest.len(), then(value)))),
        Err(nom::Err::Error(e) | nom::Err::Failure(e))
            if matches!(e.kind, DecodeErrorKind::Truncated { .. }) =>
        {
            Ok(None)
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(_)) => Ok(None),
    }
}

/// Response header v1 (correlation id, tagged fields), throttle time, error code, session id and
/// the topic count.
fn start(input: &[u8]) -> PResult<'_, u32> {
    let (input, _correlation_id) = int32(input)?;
    let (input, ()) = skip_tagged_fields(input)?;
    let (input, _throttle_time_ms) = int32(input)?;
    let (input, _error_code) = int16(input)?;
    let (input, _session_id) = int32(input)?;
    array_length(input)
}

/// The topic id and the partition count.
fn topic_head(input: &[u8]) -> PResult<'_, u32> {
    let (input, _topic_id) = take(16usize)(input)?;
    array_length(input)
}

/// A partition's fields before its records, and the records' length (0 for null).
fn partition_head(input: &[u8]) -> PResult<'_, usize> {
    // partition_index, error_code, high_watermark, last_stable_offset, log_start_offset
    let (input, _) = take(4usize + 2 + 8 + 8 + 8)(input)?;
    let (mut input, aborted) = unsigned_varint(input)?;
    // A nullable array: 0 is null, N + 1 is N transactions.
    for _ in 1..aborted {
        let (rest, _producer_id) = int64(input)?;
        let (rest, _first_offset) = int64(rest)?;
        let (rest, ()) = skip_tagged_fields(rest)?;
        input = rest;
    }
    let (input, _preferred_read_replica) = int32(input)?;
    let (input, records) = unsigned_varint(input)?;
    Ok((input, records.saturating_sub(1) as usize))
}

/// A compact array's length, which must not be null.
fn array_length(input: &[u8]) -> PResult<'_, u32> {
    let (input, n) = unsigned_varint(input)?;
    match n {
        0 => Err(nom::Err::Failure(DecodeError::new(DecodeErrorKind::NullNotAllowed))),
        n => Ok((input, n - 1)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use bytes::Bytes;
    use kafka_protocol::messages::fetch_response::{
        AbortedTransaction, EpochEndOffset, FetchableTopicResponse, LeaderIdAndEpoch, NodeEndpoint,
        PartitionData,
    };
    use kafka_protocol::messages::{ApiKey, BrokerId, FetchResponse, ProducerId, ResponseHeader};
    use kafka_protocol::protocol::StrBytes;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;

    /// A partition: its records (`None` for null), whether it has aborted transactions (and how
    /// many), and whether it names a new leader and a diverging epoch (tagged fields).
    type PartitionSpec = (Option<Vec<u8>>, Option<u8>, bool);

    pub(crate) fn fetch_response(
        topics: &[Vec<PartitionSpec>],
        endpoints: &[(i32, &str)],
    ) -> FetchResponse {
        let responses = topics.iter().enumerate().map(|(t, partitions)| {
            let partitions = partitions.iter().enumerate().map(|(p, (records, aborted, moved))| {
                let aborted = aborted.map(|n| {
                    (0..n)
                        .map(|i| {
                            AbortedTransaction::default()
                                .with_producer_id(ProducerId(i64::from(i) + 1000))
                                .with_first_offset(i64::from(i) * 7)
                        })
                        .collect()
                });
                let mut partition = PartitionData::default()
                    .with_partition_index(p as i32)
                    .with_high_watermark(1 << 40)
                    .with_aborted_transactions(aborted)
                    .with_records(records.clone().map(Bytes::from));
                if *moved {
                    partition = partition
                        .with_error_code(6)
                        .with_current_leader(
                            LeaderIdAndEpoch::default()
                                .with_leader_id(BrokerId(2))
                                .with_leader_epoch(9),
                        )
                        .with_diverging_epoch(
                            EpochEndOffset::default().with_epoch(3).with_end_offset(99),
                        );
                }
                partition
            });
            FetchableTopicResponse::default()
                .with_topic_id(Uuid::from_u128(
                    0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10 + t as u128,
                ))
                .with_partitions(partitions.collect())
        });
        FetchResponse::default()
            .with_throttle_time_ms(5)
            .with_session_id(123_456)
            .with_responses(responses.collect())
            .with_node_endpoints(
                endpoints
                    .iter()
                    .map(|&(id, host)| {
                        NodeEndpoint::default()
                            .with_node_id(BrokerId(id))
                            .with_host(StrBytes::from_string(host.to_owned()))
                            .with_port(9092 + id)
                            .with_rack(Some(StrBytes::from_static_str("rack-a")))
                    })
                    .collect(),
            )
    }

    pub(crate) fn frame(version: i16, response: &FetchResponse) -> Vec<u8> {
        let header = ResponseHeader::default().with_correlation_id(41);
        let header_version = ApiKey::Fetch.response_header_version(version);
        adminwire_kafka::frame::response(&header, header_version, response, version)
            .unwrap()
            .to_vec()
    }

    /// Walks `frame` with the bytes arriving in `chunks` (sizes, repeated as needed): the
    /// records' byte ranges and where the tail starts.
    pub(crate) fn walk(
        frame: &[u8],
        chunks: &[usize],
    ) -> Result<(Vec<std::ops::Range<usize>>, usize), DecodeError> {
        let mut walker = FetchWalker::default();
        let mut walked = 4;
        let mut available = 4;
        let mut chunk = chunks.iter().cycle();
        let mut records = Vec::new();
        loop {
            match walker.next(&frame[walked..available])? {
                None => {
                    assert!(available < frame.len(), "the walk needed bytes past the frame");
                    available = (available + chunk.next().unwrap()).min(frame.len());
                }
                Some(Part::Structure(n)) => {
                    assert!(n > 0);
                    walked += n;
                }
                Some(Part::Records(n)) => {
                    records.push(walked..walked + n);
                    walked += n;
                    available = available.max(walked).min(frame.len());
                }
                Some(Part::Tail) => return Ok((records, walked)),
            }
        }
    }

    fn partition() -> impl Strategy<Value = PartitionSpec> {
        (
            prop::option::weighted(0.8, vec(any::<u8>(), 0..300)),
            prop::option::of(0u8..4),
            any::<bool>(),
        )
    }

    proptest! {
        #[test]
        fn records_and_tail_are_found_however_the_bytes_arrive(
            version in VERSIONS,
            topics in vec(vec(partition(), 0..4), 0..4),
            endpoints in 0usize..3,
            chunks in vec(1usize..200, 1..8),
        ) {
            let hosts = [(1, "kafka-1.example"), (2, "kafka-2"), (3, "k3")];
            let response = fetch_response(&topics, &hosts[..endpoints]);
            let frame = frame(version, &response);
            let (records, tail) = walk(&frame, &chunks).unwrap();

            let expected: Vec<&[u8]> = topics
                .iter()
                .flatten()
                .map(|(r, _, _)| r.as_deref().unwrap_or_default())
                .collect();
            let found: Vec<&[u8]> = records.iter().map(|r| &frame[r.clone()]).collect();
            prop_assert_eq!(found, expected);

            // The tail is exactly the response's own tagged fields: all before it is the same
            // without them.
            let without_tail = self::frame(version, &response.clone().with_node_endpoints(vec![]));
            prop_assert_eq!(&without_tail[4..tail], &frame[4..tail]);
            let expected_tail: &[u8] = if endpoints == 0 { &[0] } else { &[1, 0] };
            prop_assert_eq!(&frame[tail..tail + expected_tail.len()], expected_tail);
        }

        #[test]
        fn garbage_gives_an_error_or_a_wait_never_a_panic(
            bytes in vec(any::<u8>(), 0..400),
            chunks in vec(1usize..50, 1..4),
        ) {
            let mut walker = FetchWalker::default();
            let mut walked = 0;
            let mut available = 0;
            let mut chunk = chunks.iter().cycle();
            loop {
                match walker.next(&bytes[walked..available]) {
                    Err(_) | Ok(Some(Part::Tail)) => break,
                    Ok(None) if available == bytes.len() => break,
                    Ok(None) => available = (available + chunk.next().unwrap()).min(bytes.len()),
                    Ok(Some(Part::Structure(n))) => walked += n,
                    Ok(Some(Part::Records(n))) => {
                        if n > bytes.len() - walked { break; }
                        walked += n;
                        available = available.max(walked);
                    }
                }
            }
        }
    }

    #[test]
    fn a_structure_trickling_in_a_byte_at_a_time_is_parsed_in_linear_time() {
        // One partition with 60,000 aborted transactions: about a megabyte of structure.
        let mut response = fetch_response(&[vec![(Some(vec![7; 10]), Some(1), false)]], &[]);
        let aborted = (0..60_000)
            .map(|i| AbortedTransaction::default().with_producer_id(ProducerId(i)))
            .collect();
        response.responses[0].partitions[0].aborted_transactions = Some(aborted);
        let frame = frame(18, &response);

        let mut walker = FetchWalker::default();
        let (mut walked, mut available, mut parsed_in_vain) = (4, 4, 0);
        let records = loop {
            match walker.next(&frame[walked..available]).unwrap() {
                None => {
                    parsed_in_vain += available - walked;
                    // The bytes come one at a time; the walker is called again per the rule.
                    let retry = walked + retry_at(available - walked);
                    while available < retry.min(frame.len()) {
                        available += 1;
                    }
                }
                Some(Part::Structure(n)) => walked += n,
                Some(Part::Records(n)) => break walked..walked + n,
                Some(Part::Tail) => panic!("no records found"),
            }
        };
        assert_eq!(&frame[records], &[7; 10]);
        assert!(parsed_in_vain <= 2 * frame.len(), "{parsed_in_vain} of {}", frame.len());
    }

    #[test]
    fn a_null_topic_array_is_an_error() {
        // correlation id, no header tags, throttle, error, session, then a null array.
        let mut bytes = vec![0, 0, 0, 41, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        bytes.push(0);
        let error = FetchWalker::default().next(&bytes).unwrap_err();
        assert_eq!(error.kind, DecodeErrorKind::NullNotAllowed);
    }
}
