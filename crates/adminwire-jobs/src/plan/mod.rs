//! Reassignment plans: where each partition's replicas go, made from what an operator asks for
//! (per topic, a target broker set and replication factor, or a replica list per partition) and
//! what the cluster holds now.
//!
//! Pure and deterministic: the same cluster and request always give the same plan. An automatic
//! plan keeps every replica that may stay and adds only what must be added, under three rules for
//! where the topic ends up: replicas spread over racks (when every target broker has one),
//! replicas per broker within one of the mean, and preferred leaders per broker within one of the
//! mean. [`place`] says how.

mod flow;
mod manual;
mod place;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

pub use place::lower_bound;

/// A broker of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub id: i32,
    pub rack: Option<String>,
}

/// The cluster as the plan starts from it: its brokers and the topics the request names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cluster {
    pub brokers: Vec<Broker>,
    pub topics: BTreeMap<String, Vec<Partition>>,
}

/// A partition now: its replicas, the preferred leader first, and its size (the largest of its
/// replicas' logs, from DescribeLogDirs) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    pub partition: i32,
    pub replicas: Vec<i32>,
    pub size: u64,
}

/// What is asked for one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicRequest {
    /// Place the topic on these brokers with this replication factor (its current one if none).
    Automatic { topic: String, brokers: Vec<i32>, replication_factor: Option<i32> },
    /// These replicas for these partitions; the others stay as they are.
    Manual { topic: String, assignment: Vec<(i32, Vec<i32>)>, replication_factor: Option<i32> },
}

impl TopicRequest {
    pub fn topic(&self) -> &str {
        match self {
            Self::Automatic { topic, .. } | Self::Manual { topic, .. } => topic,
        }
    }
}

/// How an automatic plan is made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Balance the bytes each broker holds too, not only the replica count: replicas that move
    /// anyway go where they even out the bytes.
    pub weigh_by_size: bool,
}

/// Why no plan could be made. Each names the topic, and the partition when one is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("topic {0:?} is named more than once")]
    DuplicateTopic(String),
    #[error("topic {0:?} does not exist")]
    UnknownTopic(String),
    #[error("topic {topic:?}: broker {broker} is not in the cluster")]
    UnknownBroker { topic: String, broker: i32 },
    #[error("topic {topic:?}: broker {broker} is listed more than once")]
    DuplicateBroker { topic: String, broker: i32 },
    #[error("topic {topic:?}: no target brokers and no assignment")]
    NothingAsked { topic: String },
    #[error(
        "topic {topic:?}: replication factor {factor} is not between 1 and the {brokers} target brokers"
    )]
    ReplicationFactor { topic: String, factor: i32, brokers: usize },
    #[error("topic {topic:?} has no partition {partition}")]
    UnknownPartition { topic: String, partition: i32 },
    #[error("topic {topic:?}: partition {partition} is assigned more than once")]
    DuplicatePartition { topic: String, partition: i32 },
    #[error("topic {topic:?}: partition {partition} lists broker {broker} more than once")]
    DuplicateReplica { topic: String, partition: i32, broker: i32 },
    #[error(
        "topic {topic:?}: partition {partition} lists broker {broker}, which is not in the cluster"
    )]
    UnknownReplica { topic: String, partition: i32, broker: i32 },
    #[error(
        "topic {topic:?}: partition {partition} has {given} replicas, the replication factor is {factor}"
    )]
    ReplicaCount { topic: String, partition: i32, given: usize, factor: i32 },
    #[error("topic {topic:?}: partition {partition} has no replicas")]
    NoReplicas { topic: String, partition: i32 },
}

/// One partition's move: its replicas before and after, the preferred leader first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Move {
    pub topic: String,
    pub partition: i32,
    pub before: Vec<i32>,
    pub after: Vec<i32>,
    pub size: u64,
}

impl Move {
    /// Brokers that gain a replica, in the order of `after`.
    pub fn adding(&self) -> impl Iterator<Item = i32> + '_ {
        self.after.iter().copied().filter(|b| !self.before.contains(b))
    }

    /// Brokers that lose a replica, in the order of `before`.
    pub fn removing(&self) -> impl Iterator<Item = i32> + '_ {
        self.before.iter().copied().filter(|b| !self.after.contains(b))
    }

    /// Whether any data moves (otherwise only the order, so the preferred leader, changes).
    pub fn copies_data(&self) -> bool {
        self.adding().next().is_some()
    }
}

/// A plan: the partitions whose replicas change, in topic and partition order. Partitions that
/// stay exactly as they are do not appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub moves: Vec<Move>,
    /// Topics placed without regard to racks although the cluster has racks: some target broker
    /// has none, or no placement over the racks exists.
    pub rack_unaware: Vec<String>,
}

impl Plan {
    /// Replicas added across the plan: each is a copy of its partition's data.
    pub fn replicas_moved(&self) -> usize {
        self.moves.iter().map(|m| m.adding().count()).sum()
    }

    /// Bytes copied across the plan.
    pub fn bytes_moved(&self) -> u64 {
        self.moves.iter().map(|m| m.size * m.adding().count() as u64).sum()
    }
}

/// Makes a plan for `requests` on `cluster`.
pub fn plan(
    cluster: &Cluster,
    requests: &[TopicRequest],
    options: Options,
) -> Result<Plan, PlanError> {
    let known: BTreeSet<i32> = cluster.brokers.iter().map(|b| b.id).collect();
    let mut seen = BTreeSet::new();
    let mut plan = Plan::default();
    for request in requests {
        let topic = request.topic();
        if !seen.insert(topic) {
            return Err(PlanError::DuplicateTopic(topic.to_owned()));
        }
        let partitions =
            cluster.topics.get(topic).ok_or_else(|| PlanError::UnknownTopic(topic.to_owned()))?;
        let after = match request {
            TopicRequest::Automatic { brokers, replication_factor, .. } => {
                let target =
                    place::Target::new(topic, cluster, brokers, *replication_factor, partitions)?;
                let placed = place::place(&target, partitions, options);
                if !placed.rack_aware && target.racks_known() {
                    plan.rack_unaware.push(topic.to_owned());
                }
                placed.replicas
            }
            TopicRequest::Manual { assignment, replication_factor, .. } => {
                manual::validate(topic, &known, partitions, assignment, *replication_factor)?
            }
        };
        for (now, after) in partitions.iter().zip(after) {
            if now.replicas != after {
                plan.moves.push(Move {
                    topic: topic.to_owned(),
                    partition: now.partition,
                    before: now.replicas.clone(),
                    after,
                    size: now.size,
                });
            }
        }
    }
    plan.moves.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(plan)
}
