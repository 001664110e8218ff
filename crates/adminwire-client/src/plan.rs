//! The JSON documents of the long-running commands, as typed values: the reassignment plan of
//! `kafka-reassign-partitions` and the partition list of a preferred replica leader election.
//!
//! Parsing checks the shape (fields and their types); what the values mean — a partition listed
//! twice, a broker that does not exist — is for the server to judge, and it answers with 1006 or
//! 1009 saying exactly what is wrong.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::types::{BrokerId, TopicPartition};

/// One partition of a [`ReassignmentPlan`]: where its replicas should be, preferred leader first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionReassignment {
    /// The topic.
    pub topic: String,
    /// The partition's id.
    pub partition: i32,
    /// The target replicas, preferred leader first.
    pub replicas: Vec<BrokerId>,
}

/// A reassignment plan: `{"partitions":[{"topic":"foo","partition":1,"replicas":[1,2,3]}],
/// "version":1}`.
///
/// ```
/// use adminwire_client::ReassignmentPlan;
///
/// let plan = ReassignmentPlan::from_json(
///     r#"{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3]}]}"#,
/// )
/// .unwrap();
/// assert_eq!(plan.partitions[0].replicas, [2, 3]);
///
/// let built = ReassignmentPlan::new().partition("orders", 0, [2, 3]);
/// assert_eq!(built, plan);
/// assert_eq!(
///     built.to_json(),
///     r#"{"partitions":[{"topic":"orders","partition":0,"replicas":[2,3]}],"version":1}"#
/// );
/// assert!(ReassignmentPlan::from_json(r#"{"partitions":[{"topic":"orders"}]}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReassignmentPlan {
    /// The partitions to move, in plan order.
    pub partitions: Vec<PartitionReassignment>,
    /// The format's version; 1 is the only one.
    #[serde(default = "plan_version")]
    pub version: i32,
}

fn plan_version() -> i32 {
    1
}

impl Default for ReassignmentPlan {
    fn default() -> Self {
        Self::new()
    }
}

impl ReassignmentPlan {
    /// An empty plan (version 1); add partitions with [`partition`](Self::partition).
    pub fn new() -> Self {
        Self { partitions: Vec::new(), version: plan_version() }
    }

    /// Adds a partition to move to `replicas`.
    pub fn partition(
        mut self,
        topic: impl Into<String>,
        partition: i32,
        replicas: impl IntoIterator<Item = BrokerId>,
    ) -> Self {
        self.partitions.push(PartitionReassignment {
            topic: topic.into(),
            partition,
            replicas: replicas.into_iter().collect(),
        });
        self
    }

    /// Parses the plan JSON. Fields other than `topic`, `partition` and `replicas` (such as
    /// `log_dirs`) are ignored, as the server ignores them.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let plan: Self = serde_json::from_str(json)
            .map_err(|e| Error::InvalidArgument(format!("reassignment plan: {e}")))?;
        if plan.version != 1 {
            return Err(Error::InvalidArgument(format!(
                "reassignment plan: version {} (only version 1 exists)",
                plan.version
            )));
        }
        Ok(plan)
    }

    /// The plan JSON, as sent to the server.
    pub fn to_json(&self) -> String {
        // A struct of strings and integers always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The plan's partitions, in plan order.
    pub fn topic_partitions(&self) -> Vec<TopicPartition> {
        self.partitions.iter().map(|p| TopicPartition::new(p.topic.clone(), p.partition)).collect()
    }
}

/// Which partitions a preferred replica leader election is about.
///
/// ```
/// use adminwire_client::{ElectionScope, TopicPartition};
///
/// let scope = ElectionScope::from_json(
///     r#"{"partitions":[{"topic":"orders","partition":0},{"topic":"orders","partition":1}]}"#,
/// )
/// .unwrap();
/// assert_eq!(
///     scope,
///     ElectionScope::Partitions(vec![TopicPartition::new("orders", 0), TopicPartition::new("orders", 1)])
/// );
/// assert_eq!(ElectionScope::AllPartitions.to_json(), "");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectionScope {
    /// Every partition of the cluster.
    AllPartitions,
    /// These partitions.
    Partitions(Vec<TopicPartition>),
}

#[derive(Serialize, Deserialize)]
struct ElectionJson {
    partitions: Vec<TopicPartition>,
}

impl ElectionScope {
    /// Parses the election JSON, `{"partitions":[{"topic":"foo","partition":1}]}`. An empty (or
    /// all-blank) document means every partition, as `kafka-preferred-replica-election` without a
    /// file does.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        if json.trim().is_empty() {
            return Ok(ElectionScope::AllPartitions);
        }
        let parsed: ElectionJson = serde_json::from_str(json)
            .map_err(|e| Error::InvalidArgument(format!("election partitions: {e}")))?;
        Ok(ElectionScope::Partitions(parsed.partitions))
    }

    /// The wire form: the JSON, or the empty string for every partition.
    pub fn to_json(&self) -> String {
        match self {
            ElectionScope::AllPartitions => String::new(),
            ElectionScope::Partitions(partitions) => {
                serde_json::to_string(&ElectionJson { partitions: partitions.clone() })
                    .unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_from_kafka_tools_parse_with_their_log_dirs_ignored() {
        let plan = ReassignmentPlan::from_json(
            r#"{"version":1,"partitions":[{"topic":"t","partition":2,"replicas":[1,2],"log_dirs":["any","any"]}]}"#,
        )
        .unwrap();
        assert_eq!(plan, ReassignmentPlan::new().partition("t", 2, [1, 2]));
    }

    #[test]
    fn a_plan_without_version_is_version_1_and_other_versions_are_refused() {
        let plan = ReassignmentPlan::from_json(r#"{"partitions":[]}"#).unwrap();
        assert_eq!(plan.version, 1);
        assert!(ReassignmentPlan::from_json(r#"{"version":2,"partitions":[]}"#).is_err());
    }

    #[test]
    fn mistyped_documents_are_invalid_arguments() {
        for bad in ["", "[]", r#"{"partitions":[{"topic":"t","partition":"0","replicas":[1]}]}"#] {
            assert!(
                matches!(ReassignmentPlan::from_json(bad), Err(Error::InvalidArgument(_))),
                "{bad:?}"
            );
        }
        for bad in ["{}", r#"{"partitions":[{"topic":1,"partition":0}]}"#, "nope"] {
            assert!(ElectionScope::from_json(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn election_json_round_trips() {
        let scope = ElectionScope::Partitions(vec![TopicPartition::new("a", 0)]);
        assert_eq!(ElectionScope::from_json(&scope.to_json()).unwrap(), scope);
        assert_eq!(ElectionScope::from_json("  \n").unwrap(), ElectionScope::AllPartitions);
    }
}
