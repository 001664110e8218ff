//! A manual assignment, checked against the cluster: the replica lists an operator gave, with the
//! partitions not named left as they are.

use std::collections::{BTreeMap, BTreeSet};

use super::{Partition, PlanError};

/// Each partition's replicas after the assignment, in the order of `partitions`.
pub(super) fn validate(
    topic: &str,
    known: &BTreeSet<i32>,
    partitions: &[Partition],
    assignment: &[(i32, Vec<i32>)],
    replication_factor: Option<i32>,
) -> Result<Vec<Vec<i32>>, PlanError> {
    let topic_owned = || topic.to_owned();
    let mut given: BTreeMap<i32, &Vec<i32>> = BTreeMap::new();
    for (partition, replicas) in assignment {
        let partition = *partition;
        if !partitions.iter().any(|p| p.partition == partition) {
            return Err(PlanError::UnknownPartition { topic: topic_owned(), partition });
        }
        if given.insert(partition, replicas).is_some() {
            return Err(PlanError::DuplicatePartition { topic: topic_owned(), partition });
        }
        if replicas.is_empty() {
            return Err(PlanError::NoReplicas { topic: topic_owned(), partition });
        }
        let mut listed = BTreeSet::new();
        for &broker in replicas {
            if !listed.insert(broker) {
                return Err(PlanError::DuplicateReplica {
                    topic: topic_owned(),
                    partition,
                    broker,
                });
            }
            if !known.contains(&broker) {
                return Err(PlanError::UnknownReplica { topic: topic_owned(), partition, broker });
            }
        }
        if let Some(factor) = replication_factor
            && usize::try_from(factor).ok() != Some(replicas.len())
        {
            return Err(PlanError::ReplicaCount {
                topic: topic_owned(),
                partition,
                given: replicas.len(),
                factor,
            });
        }
    }
    Ok(partitions
        .iter()
        .map(|p| given.get(&p.partition).map_or_else(|| p.replicas.clone(), |r| (*r).clone()))
        .collect())
}
