//! The reassignment plan of ReassignPartitions and VerifyReassignPartitions: the JSON of
//! `kafka-reassign-partitions`, `{"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}],
//! "version":1}`. `version`, when given, must be 1; other keys (such as `log_dirs`) are ignored.
//! Whatever is wrong with a plan is said exactly, for InvalidArgumentReplicaAssignment (1006).
//!
//! The plan is read in one streaming pass (see `json`): each entry becomes a [`Move`] as soon as
//! it is read, a partition's replicas are capped at [`MAX_REPLICAS`], and nothing is built for
//! keys the plan does not use. The moves take at most ~1.4 times the text (a `Move` is 56 bytes
//! and the shortest entry 43), the check for repeated partitions a hash set of borrowed keys
//! after that.

use std::collections::HashMap;

use super::json::{self, Entry, MAX_REPLICAS, Piece, Problem, Replicas, Shape};

/// One partition of a plan: where its replicas should be, preferred leader first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<i32>,
}

impl Move {
    /// How results and messages name the partition (`orders-0`).
    pub fn name(&self) -> String {
        format!("{}-{}", self.topic, self.partition)
    }
}

/// The shortest entry a plan can hold: `{"topic":"a","partition":0,"replicas":[1]},`.
const MIN_ENTRY_BYTES: usize = 43;

/// The plan's partitions in plan order, or why it is not a valid plan: not JSON, a missing or
/// mistyped field, no partitions, a partition listed twice, or replicas that are empty, negative,
/// list a broker twice or more than [`MAX_REPLICAS`] brokers.
///
/// The text is taken, and dropped once read: the check for repeats then runs without it.
pub fn parse(text: String) -> Result<Vec<Move>, String> {
    let shape = Shape { replicas: true, version: true, min_entry_bytes: MIN_ENTRY_BYTES };
    let moves = json::read(&text, shape, to_move).map_err(|problem| match problem {
        Problem::Syntax(e) => format!("the plan is not valid JSON: {e}"),
        Problem::NotObject => "the plan must be a JSON object".to_owned(),
        Problem::Version(v) => format!("the plan's version must be 1, not {v}"),
        Problem::NoPartitions => "the plan has no \"partitions\" list".to_owned(),
        Problem::PartitionsNotList => "the plan's \"partitions\" must be a list".to_owned(),
        Problem::EntryNotObject(index) => format!("partitions[{index}] must be a JSON object"),
        Problem::Entry(message) => message,
    })?;
    drop(text);
    if moves.is_empty() {
        return Err("the plan's \"partitions\" list is empty".into());
    }
    if let Some(index) = json::first_repeat(moves.iter().map(|m| (m.topic.as_str(), m.partition))) {
        let m = &moves[index];
        return Err(format!("partitions[{index}]: {} is listed more than once", m.name()));
    }
    Ok(moves)
}

/// One entry as a [`Move`], or what is wrong with it: its topic first, then its partition, then
/// its replicas, whatever order its keys came in.
fn to_move(index: usize, entry: Entry) -> Result<Move, String> {
    let at = || format!("partitions[{index}]");
    let topic = match entry.topic {
        None => return Err(format!("{} has no \"topic\"", at())),
        Some(Piece::Str(t)) if t.is_empty() => {
            return Err(format!("{}: \"topic\" must not be empty", at()));
        }
        Some(Piece::Str(t)) => t,
        Some(other) => return Err(format!("{}: \"topic\" must be a string, not {other}", at())),
    };
    let partition = match entry.partition {
        None => return Err(format!("{} has no \"partition\"", at())),
        Some(Piece::Int(p)) if (0..=i128::from(i32::MAX)).contains(&p) => p as i32,
        Some(other) => {
            return Err(format!("{}: \"partition\" must be a partition id, not {other}", at()));
        }
    };
    let this = || format!("{} ({topic}-{partition})", at());
    let replicas = match entry.replicas {
        None => return Err(format!("{} has no \"replicas\"", this())),
        Some(Replicas::NotList) => return Err(format!("{}: \"replicas\" must be a list", this())),
        Some(Replicas::Ids(ids)) if ids.is_empty() => {
            return Err(format!("{}: \"replicas\" is empty", this()));
        }
        Some(Replicas::Ids(ids)) => ids,
        Some(Replicas::NotBrokerId(shown)) => {
            return Err(format!("{}: {shown} is not a broker id", this()));
        }
        Some(Replicas::Twice(id)) => return Err(format!("{} lists broker {id} twice", this())),
        Some(Replicas::TooMany) => {
            return Err(format!(
                "{} lists more than {MAX_REPLICAS} replicas; a partition's replicas are distinct \
                 brokers and the sidecar takes at most {MAX_REPLICAS}",
                this()
            ));
        }
    };
    Ok(Move { topic, partition, replicas })
}

/// The plan's partitions grouped by topic, topics in order of first appearance (how Kafka's
/// reassignment requests take them).
pub fn by_topic(moves: &[Move]) -> Vec<(&str, Vec<&Move>)> {
    let mut order: Vec<(&str, Vec<&Move>)> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    for m in moves {
        let i = *slot.entry(m.topic.as_str()).or_insert_with(|| {
            order.push((m.topic.as_str(), Vec::new()));
            order.len() - 1
        });
        order[i].1.push(m);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Move>, String> {
        super::parse(text.to_owned())
    }

    #[test]
    fn the_kafka_reassign_partitions_form_parses() {
        let plan = parse(
            r#"{"partitions":[{"topic":"a","partition":0,"replicas":[2,3]},
                {"topic":"b","partition":1,"replicas":[1],"log_dirs":["any"]},
                {"topic":"a","partition":1,"replicas":[3,1,2]}],"version":1}"#,
        )
        .unwrap();
        assert_eq!(
            plan,
            vec![
                Move { topic: "a".into(), partition: 0, replicas: vec![2, 3] },
                Move { topic: "b".into(), partition: 1, replicas: vec![1] },
                Move { topic: "a".into(), partition: 1, replicas: vec![3, 1, 2] },
            ]
        );
        assert_eq!(plan[0].name(), "a-0");
        let grouped = by_topic(&plan);
        assert_eq!(grouped.len(), 2);
        assert_eq!((grouped[0].0, grouped[0].1.len()), ("a", 2));
        assert_eq!((grouped[1].0, grouped[1].1.len()), ("b", 1));
        // No version: taken as 1.
        assert!(parse(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1]}]}"#).is_ok());
    }

    #[test]
    fn bad_plans_say_what_is_wrong() {
        let err = |text: &str| parse(text).unwrap_err();
        assert!(err("{not json").contains("not valid JSON"));
        assert!(err("[]").contains("must be a JSON object"));
        assert!(err(r#"{"version":1}"#).contains("no \"partitions\""));
        assert!(err(r#"{"partitions":{}}"#).contains("must be a list"));
        assert!(err(r#"{"partitions":[],"version":1}"#).contains("is empty"));
        assert!(
            err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1]}],"version":2}"#)
                .contains("version must be 1")
        );
        assert!(err(r#"{"partitions":[{"partition":0,"replicas":[1]}]}"#).contains("no \"topic\""));
        assert!(
            err(r#"{"partitions":[{"topic":"","partition":0,"replicas":[1]}]}"#)
                .contains("must not be empty")
        );
        assert!(
            err(r#"{"partitions":[{"topic":"a","replicas":[1]}]}"#).contains("no \"partition\"")
        );
        assert!(
            err(r#"{"partitions":[{"topic":"a","partition":-1,"replicas":[1]}]}"#)
                .contains("must be a partition id")
        );
        assert!(err(r#"{"partitions":[{"topic":"a","partition":0}]}"#).contains("no \"replicas\""));
        assert!(
            err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[]}]}"#)
                .contains("\"replicas\" is empty")
        );
        assert!(
            err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1,-2]}]}"#)
                .contains("-2 is not a broker id")
        );
        assert!(
            err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1,"x"]}]}"#)
                .contains("\"x\" is not a broker id")
        );
        assert!(
            err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1,2,1]}]}"#)
                .contains("lists broker 1 twice")
        );
        let twice = err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1]},
            {"topic":"a","partition":0,"replicas":[2]}]}"#);
        assert!(twice.contains("partitions[1]: a-0 is listed more than once"), "{twice}");
        // Checked topic, partition, replicas, whatever order the keys come in.
        assert_eq!(
            err(r#"{"partitions":[{"replicas":[1,1],"partition":-3,"topic":7}]}"#),
            "partitions[0]: \"topic\" must be a string, not 7"
        );
        assert_eq!(
            err(r#"{"partitions":[{"replicas":"x","partition":0,"topic":"t"}]}"#),
            "partitions[0] (t-0): \"replicas\" must be a list"
        );
        assert!(
            err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1]}]"#)
                .contains("not valid JSON")
        );
        assert!(err(r#"{"partitions":[1]}"#).contains("partitions[0] must be a JSON object"));
    }

    fn entries(count: usize, entry: impl Fn(usize) -> String) -> String {
        let entries: Vec<String> = (0..count).map(entry).collect();
        format!(r#"{{"version":1,"partitions":[{}]}}"#, entries.join(","))
    }

    #[test]
    fn a_plan_of_100k_entries_parses_in_one_pass() {
        let text = entries(100_000, |i| {
            format!(r#"{{"topic":"t{}","partition":{},"replicas":[1,2,3]}}"#, i % 100, i / 100)
        });
        let moves = parse(&text).unwrap();
        assert_eq!(moves.len(), 100_000);
        assert_eq!(
            moves[99_999],
            Move { topic: "t99".into(), partition: 999, replicas: vec![1, 2, 3] }
        );
        let grouped = by_topic(&moves);
        assert_eq!(grouped.len(), 100);
        assert!(grouped.iter().all(|(_, moves)| moves.len() == 1000));
    }

    #[test]
    fn a_plan_of_100k_repeats_of_one_partition_is_refused_at_the_first() {
        let text = entries(100_000, |_| r#"{"topic":"t","partition":0,"replicas":[1]}"#.into());
        assert_eq!(parse(&text).unwrap_err(), "partitions[1]: t-0 is listed more than once");
        // The last of 100k entries repeating the first.
        let text = entries(100_000, |i| {
            format!(r#"{{"topic":"t","partition":{},"replicas":[1]}}"#, i % 99_999)
        });
        assert_eq!(parse(&text).unwrap_err(), "partitions[99999]: t-0 is listed more than once");
    }

    #[test]
    fn replicas_are_capped_and_checked_for_repeats_in_bounded_time() {
        let ids: Vec<String> = (0..200_000).map(|i| i.to_string()).collect();
        let text = entries(1, |_| {
            format!(r#"{{"topic":"t","partition":0,"replicas":[{}]}}"#, ids.join(","))
        });
        assert!(text.len() > 1 << 20);
        let e = parse(&text).unwrap_err();
        assert!(e.contains("partitions[0] (t-0) lists more than 1000 replicas"), "{e}");
        let mut at_cap = ids[..MAX_REPLICAS].to_vec();
        at_cap[MAX_REPLICAS - 1] = "0".into();
        let text = entries(1, |_| {
            format!(r#"{{"topic":"t","partition":0,"replicas":[{}]}}"#, at_cap.join(","))
        });
        assert_eq!(parse(&text).unwrap_err(), "partitions[0] (t-0) lists broker 0 twice");
    }

    #[test]
    fn unknown_keys_of_any_size_are_skipped() {
        let junk = format!("[{}]", vec!["{}"; 200_000].join(","));
        let text = format!(
            r#"{{"junk":{junk},"partitions":[{{"topic":"a","partition":0,"replicas":[1],"log_dirs":{junk}}}]}}"#
        );
        assert_eq!(parse(&text).unwrap().len(), 1);
    }
}
