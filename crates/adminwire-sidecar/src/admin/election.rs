//! The partitions a PreferredReplicaLeaderElection or its verify names (`PartitionsSerialized`):
//! the empty string for every partition of the cluster, otherwise
//! `{"partitions":[{"topic":"t","partition":0}]}`. Anything else — JSON that does not parse, a
//! missing or mistyped field, a negative partition, a partition listed twice, an empty list — is
//! refused with 1009 InvalidArgumentPreferredReplicaElectionData and a message saying which.

use std::collections::HashSet;

use adminwire_protocol::ErrorCode;
use serde_json::Value;

use super::Failure;

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

/// Parses `PartitionsSerialized`.
pub fn parse(serialized: &str) -> Result<Partitions, Failure> {
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

fn parse_listed(serialized: &str) -> Result<Vec<TopicPartition>, String> {
    let value: Value = serde_json::from_str(serialized).map_err(|e| {
        format!("not JSON ({e}); expected {{\"partitions\":[{{\"topic\":\"t\",\"partition\":0}}]}}, or the empty string for every partition")
    })?;
    let Some(object) = value.as_object() else {
        return Err("expected a JSON object with a \"partitions\" array".to_owned());
    };
    let entries = match object.get("partitions") {
        None => return Err("the \"partitions\" field is missing".to_owned()),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err("\"partitions\" must be an array".to_owned()),
    };
    if entries.is_empty() {
        return Err(
            "\"partitions\" is empty; send the empty string to elect every partition".to_owned()
        );
    }
    let mut seen = HashSet::new();
    let mut partitions = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("partitions[{i}]");
        let Some(entry) = entry.as_object() else {
            return Err(format!("{at} must be an object with \"topic\" and \"partition\""));
        };
        let topic = match entry.get("topic") {
            None => return Err(format!("{at} has no \"topic\"")),
            Some(Value::String(t)) if t.is_empty() => {
                return Err(format!("{at}.topic is empty"));
            }
            Some(Value::String(t)) => t.clone(),
            Some(other) => return Err(format!("{at}.topic must be a string, not {other}")),
        };
        let partition = match entry.get("partition") {
            None => return Err(format!("{at} (topic '{topic}') has no \"partition\"")),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(p) if p < 0 => {
                    return Err(format!(
                        "{at}: partition {p} of topic '{topic}' is negative; partition ids start at 0"
                    ));
                }
                Some(p) => i32::try_from(p).map_err(|_| {
                    format!("{at}: partition {p} of topic '{topic}' is larger than an INT32")
                })?,
                None => {
                    return Err(format!(
                        "{at}.partition of topic '{topic}' must be an integer, not {n}"
                    ));
                }
            },
            Some(other) => {
                return Err(format!(
                    "{at}.partition of topic '{topic}' must be an integer, not {other}"
                ));
            }
        };
        let tp = TopicPartition { topic, partition };
        if !seen.insert(tp.clone()) {
            return Err(format!("{at}: partition {} is listed more than once", tp.name()));
        }
        partitions.push(tp);
    }
    Ok(partitions)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
