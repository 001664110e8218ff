//! The partitions a PreferredReplicaLeaderElection or its verify names (`PartitionsSerialized`):
//! the empty string for every partition of the cluster, otherwise
//! `{"partitions":[{"topic":"t","partition":0}]}`. Anything else — JSON that does not parse, a
//! missing or mistyped field, a negative partition, a partition listed twice, an empty list — is
//! refused with 1009 InvalidArgumentPreferredReplicaElectionData and a message saying which.
//!
//! Read in one streaming pass (see `json`): each entry becomes a [`TopicPartition`] (32 bytes; the
//! shortest entry is 28) as it is read, keys the list does not use are skipped unbuilt, and the
//! check for repeats is a hash set of borrowed keys.

use adminwire_protocol::ErrorCode;

use super::Failure;
use super::json::{self, Entry, Piece, Problem, Shape};

/// One partition of the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    /// The partition's name in messages and outcomes, as Kafka writes it (`orders-0`).
    pub fn name(&self) -> String {
        format!("{}-{}", self.topic, self.partition)
    }
}

/// What the request asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partitions {
    /// The empty string: every partition of the cluster.
    All,
    /// These partitions, in request order, each once.
    Listed(Vec<TopicPartition>),
}

/// The shortest entry a list can hold: `{"topic":"a","partition":0},`.
const MIN_ENTRY_BYTES: usize = 28;

/// Parses `PartitionsSerialized`, dropping the text once read (the check for repeats runs
/// without it).
pub fn parse(serialized: String) -> Result<Partitions, Failure> {
    if serialized.is_empty() {
        return Ok(Partitions::All);
    }
    parse_listed(serialized).map(Partitions::Listed).map_err(|why| {
        Failure(
            ErrorCode::INVALID_ARGUMENT_PREFERRED_REPLICA_ELECTION_DATA,
            format!("invalid election partitions: {why}"),
        )
    })
}

fn parse_listed(serialized: String) -> Result<Vec<TopicPartition>, String> {
    let shape = Shape { replicas: false, version: false, min_entry_bytes: MIN_ENTRY_BYTES };
    let partitions = json::read(&serialized, shape, to_partition).map_err(|problem| match problem {
        Problem::Syntax(e) => format!(
            "not JSON ({e}); expected {{\"partitions\":[{{\"topic\":\"t\",\"partition\":0}}]}}, or \
             the empty string for every partition"
        ),
        Problem::NotObject | Problem::Version(_) => {
            "expected a JSON object with a \"partitions\" array".to_owned()
        }
        Problem::NoPartitions => "the \"partitions\" field is missing".to_owned(),
        Problem::PartitionsNotList => "\"partitions\" must be an array".to_owned(),
        Problem::EntryNotObject(i) => {
            format!("partitions[{i}] must be an object with \"topic\" and \"partition\"")
        }
        Problem::Entry(message) => message,
    })?;
    drop(serialized);
    if partitions.is_empty() {
        return Err(
            "\"partitions\" is empty; send the empty string to elect every partition".to_owned()
        );
    }
    let keys = partitions.iter().map(|tp| (tp.topic.as_str(), tp.partition));
    if let Some(i) = json::first_repeat(keys) {
        return Err(format!(
            "partitions[{i}]: partition {} is listed more than once",
            partitions[i].name()
        ));
    }
    Ok(partitions)
}

/// One entry, or what is wrong with it: its topic first, then its partition.
fn to_partition(i: usize, entry: Entry) -> Result<TopicPartition, String> {
    let at = || format!("partitions[{i}]");
    let topic = match entry.topic {
        None => return Err(format!("{} has no \"topic\"", at())),
        Some(Piece::Str(t)) if t.is_empty() => return Err(format!("{}.topic is empty", at())),
        Some(Piece::Str(t)) => t,
        Some(other) => return Err(format!("{}.topic must be a string, not {other}", at())),
    };
    let partition = match entry.partition {
        None => return Err(format!("{} (topic '{topic}') has no \"partition\"", at())),
        Some(Piece::Int(p)) if p < 0 => {
            return Err(format!(
                "{}: partition {p} of topic '{topic}' is negative; partition ids start at 0",
                at()
            ));
        }
        Some(Piece::Int(p)) => i32::try_from(p).map_err(|_| {
            format!("{}: partition {p} of topic '{topic}' is larger than an INT32", at())
        })?,
        Some(other) => {
            return Err(format!(
                "{}.partition of topic '{topic}' must be an integer, not {other}",
                at()
            ));
        }
    };
    Ok(TopicPartition { topic, partition })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(serialized: &str) -> Result<Partitions, Failure> {
        super::parse(serialized.to_owned())
    }

    fn tp(topic: &str, partition: i32) -> TopicPartition {
        TopicPartition { topic: topic.into(), partition }
    }

    fn refused(serialized: &str) -> String {
        match parse(serialized) {
            Err(Failure(code, message)) => {
                assert_eq!(code, ErrorCode::INVALID_ARGUMENT_PREFERRED_REPLICA_ELECTION_DATA);
                message
            }
            other => panic!("{serialized}: {other:?}"),
        }
    }

    #[test]
    fn the_empty_string_is_every_partition() {
        assert_eq!(parse("").unwrap(), Partitions::All);
    }

    #[test]
    fn a_list_keeps_request_order() {
        let parsed =
            parse(r#"{"partitions":[{"topic":"b","partition":1},{"topic":"a","partition":0},{"topic":"b","partition":0}]}"#)
                .unwrap();
        assert_eq!(parsed, Partitions::Listed(vec![tp("b", 1), tp("a", 0), tp("b", 0)]));
    }

    #[test]
    fn bad_data_is_1009_with_what_was_wrong() {
        assert!(refused("{not json").contains("not JSON"));
        assert!(refused(" ").contains("not JSON"));
        assert!(refused("[]").contains("JSON object"));
        assert!(refused("{}").contains("\"partitions\" field is missing"));
        assert!(refused(r#"{"partitions":{}}"#).contains("must be an array"));
        assert!(refused(r#"{"partitions":[]}"#).contains("empty string"));
        assert!(refused(r#"{"partitions":[1]}"#).contains("partitions[0] must be an object"));
        assert!(refused(r#"{"partitions":[{"partition":0}]}"#).contains("has no \"topic\""));
        assert!(refused(r#"{"partitions":[{"topic":"","partition":0}]}"#).contains("empty"));
        assert!(refused(r#"{"partitions":[{"topic":7,"partition":0}]}"#).contains("string"));
        let m = refused(r#"{"partitions":[{"topic":"t"}]}"#);
        assert!(m.contains("partitions[0] (topic 't') has no \"partition\""), "{m}");
        let m = refused(r#"{"partitions":[{"topic":"t","partition":-1}]}"#);
        assert!(m.contains("partition -1 of topic 't' is negative"), "{m}");
        assert!(refused(r#"{"partitions":[{"topic":"t","partition":1.5}]}"#).contains("integer"));
        assert!(refused(r#"{"partitions":[{"topic":"t","partition":"0"}]}"#).contains("integer"));
        assert!(
            refused(r#"{"partitions":[{"topic":"t","partition":4294967296}]}"#).contains("INT32")
        );
        let m = refused(
            r#"{"partitions":[{"topic":"t","partition":0},{"topic":"u","partition":0},{"topic":"t","partition":0}]}"#,
        );
        assert!(m.contains("partitions[2]: partition t-0 is listed more than once"), "{m}");
        let m = refused(r#"{"partitions":[{"partition":-1,"topic":"t"}]}"#);
        assert!(m.contains("partition -1 of topic 't' is negative"), "{m}");
    }

    fn listed(count: usize, entry: impl Fn(usize) -> String) -> String {
        let entries: Vec<String> = (0..count).map(entry).collect();
        format!(r#"{{"partitions":[{}]}}"#, entries.join(","))
    }

    #[test]
    fn a_list_of_100k_partitions_parses_and_repeats_are_found_in_one_pass() {
        let text = listed(100_000, |i| format!(r#"{{"topic":"t{}","partition":{}}}"#, i % 10, i));
        let Partitions::Listed(got) = parse(&text).unwrap() else { panic!() };
        assert_eq!(got.len(), 100_000);
        assert_eq!(got[99_999], tp("t9", 99_999));
        let text = listed(100_000, |_| r#"{"topic":"t","partition":0}"#.into());
        assert!(refused(&text).contains("partitions[1]: partition t-0 is listed more than once"));
        let text = listed(100_000, |i| format!(r#"{{"topic":"t","partition":{}}}"#, i % 99_999));
        let m = refused(&text);
        assert!(m.contains("partitions[99999]: partition t-0 is listed more than once"), "{m}");
    }
}
