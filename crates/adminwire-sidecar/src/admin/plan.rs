//! The reassignment plan of ReassignPartitions and VerifyReassignPartitions: the JSON of
//! `kafka-reassign-partitions`, `{"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}],
//! "version":1}`. `version`, when given, must be 1; other keys (such as `log_dirs`) are ignored.
//! Whatever is wrong with a plan is said exactly, for InvalidArgumentReplicaAssignment (1006).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

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

/// The plan's partitions in plan order, or why it is not a valid plan: not JSON, a missing or
/// mistyped field, no partitions, a partition listed twice, or replicas that are empty, negative
/// or list a broker twice.
pub fn parse(text: &str) -> Result<Vec<Move>, String> {
    let json: Value =
        serde_json::from_str(text).map_err(|e| format!("the plan is not valid JSON: {e}"))?;
    let plan = json.as_object().ok_or("the plan must be a JSON object")?;
    match plan.get("version") {
        None => {}
        Some(v) if v.as_i64() == Some(1) => {}
        Some(v) => return Err(format!("the plan's version must be 1, not {v}")),
    }
    let partitions = plan
        .get("partitions")
        .ok_or("the plan has no \"partitions\" list")?
        .as_array()
        .ok_or("the plan's \"partitions\" must be a list")?;
    if partitions.is_empty() {
        return Err("the plan's \"partitions\" list is empty".into());
    }
    let mut moves = Vec::with_capacity(partitions.len());
    let mut seen = HashSet::new();
    for (index, entry) in partitions.iter().enumerate() {
        let at = format!("partitions[{index}]");
        let entry = entry.as_object().ok_or_else(|| format!("{at} must be a JSON object"))?;
        let topic = match entry.get("topic") {
            None => return Err(format!("{at} has no \"topic\"")),
            Some(Value::String(t)) if t.is_empty() => {
                return Err(format!("{at}: \"topic\" must not be empty"));
            }
            Some(Value::String(t)) => t.clone(),
            Some(other) => return Err(format!("{at}: \"topic\" must be a string, not {other}")),
        };
        let partition = match entry.get("partition") {
            None => return Err(format!("{at} has no \"partition\"")),
            Some(p) => p
                .as_i64()
                .and_then(|p| i32::try_from(p).ok())
                .filter(|p| *p >= 0)
                .ok_or_else(|| format!("{at}: \"partition\" must be a partition id, not {p}"))?,
        };
        let replicas = entry
            .get("replicas")
            .ok_or_else(|| format!("{at} ({topic}-{partition}) has no \"replicas\""))?
            .as_array()
            .ok_or_else(|| format!("{at} ({topic}-{partition}): \"replicas\" must be a list"))?;
        if replicas.is_empty() {
            return Err(format!("{at} ({topic}-{partition}): \"replicas\" is empty"));
        }
        let mut ids = Vec::with_capacity(replicas.len());
        // A set, not `ids.contains`: the plan is the client's, as long as a frame allows, and a
        // linear search per id would take time quadratic in it.
        let mut listed = HashSet::with_capacity(replicas.len());
        for r in replicas {
            let id = r
                .as_i64()
                .and_then(|r| i32::try_from(r).ok())
                .filter(|r| *r >= 0)
                .ok_or_else(|| format!("{at} ({topic}-{partition}): {r} is not a broker id"))?;
            if !listed.insert(id) {
                return Err(format!("{at} ({topic}-{partition}) lists broker {id} twice"));
            }
            ids.push(id);
        }
        if !seen.insert((topic.clone(), partition)) {
            return Err(format!("{at}: {topic}-{partition} is listed more than once"));
        }
        moves.push(Move { topic, partition, replicas: ids });
    }
    Ok(moves)
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
    }

    /// A long replica list is checked for repeated brokers in time linear in its length (it took
    /// seconds for 200,000 brokers with a linear search per id; a plan may be as long as a frame).
    #[test]
    fn a_long_replica_list_is_checked_in_linear_time() {
        let ids: Vec<String> = (0..200_000).map(|id| id.to_string()).collect();
        let plan = |ids: &str| {
            format!(r#"{{"partitions":[{{"topic":"a","partition":0,"replicas":[{ids}]}}]}}"#)
        };
        let moves = parse(&plan(&ids.join(","))).unwrap();
        assert_eq!(moves[0].replicas.len(), 200_000);
        let repeated = format!("{},199999", ids.join(","));
        assert!(parse(&plan(&repeated)).unwrap_err().contains("lists broker 199999 twice"));
    }
}
