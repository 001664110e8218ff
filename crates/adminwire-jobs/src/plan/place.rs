//! Automatic placement of one topic on a target broker set with a replication factor.
//!
//! Two minimum-cost flows from partitions to brokers. The first picks each partition's replica set:
//! a replica kept costs nothing and one added costs a unit plus its partition's size, so the
//! cheapest flow keeps the most replicas that can stay, and moves the smallest partitions where it
//! has a choice. Capacities make the rules: at most `ceil(factor / racks)` replicas of a partition
//! per rack, and per broker `floor` replicas of the topic, or `floor + 1` for as many brokers as the
//! remainder allows (an extra node `X` hands out those `+1`s). Edges that break a rule exist too, at
//! a cost above any number of moves (and breaking racks above any breach of balance), so a
//! placement always comes out and breaks the rules only where no placement keeps them. The second flow picks each partition's preferred leader among
//! its replicas the same way: the current leader costs nothing, leaders per broker within one of
//! the mean. Ties go to the brokers that hold the fewest replicas of other topics.

use std::collections::{BTreeMap, BTreeSet};

use super::flow::{EdgeId, Network};
use super::{Cluster, Options, Partition, PlanError, TopicRequest};

const KEEP: i128 = 0;
const ADD: i128 = 1;

/// The target of an automatic placement.
#[derive(Debug)]
pub(super) struct Target {
    /// Distinct, in the order given.
    brokers: Vec<i32>,
    /// Each target broker's rack, as an index, when every target broker has one.
    rack_of: Option<Vec<usize>>,
    /// Whether any broker of the cluster has a rack.
    cluster_has_racks: bool,
    factor: usize,
    /// Replicas of other topics on each target broker, for ties.
    load: Vec<u64>,
}

impl Target {
    /// Whether every target broker can hold within one of the mean number of replicas while
    /// each partition spreads over the racks (at most `ceil(factor / racks)` replicas on one
    /// rack). Each rack then holds between `partitions × max(0, factor − (racks − 1) × cap)` and
    /// `partitions × cap` replicas, which its brokers must be able to share at the mean ±1.
    fn rack_balance_possible(&self, partitions: usize) -> bool {
        let Some(rack_of) = &self.rack_of else { return true };
        let racks = rack_of.iter().copied().max().map_or(0, |r| r + 1);
        if racks == 0 {
            return true;
        }
        let cap = self.factor.div_ceil(racks);
        let least = self.factor.saturating_sub((racks - 1) * cap);
        let total = partitions * self.factor;
        let brokers = self.brokers.len();
        let (floor, ceil) = (total / brokers, total.div_ceil(brokers));
        (0..racks).all(|rack| {
            let members = rack_of.iter().filter(|r| **r == rack).count();
            partitions * least <= members * ceil && partitions * cap >= members * floor
        })
    }

    pub(super) fn new(
        topic: &str,
        cluster: &Cluster,
        brokers: &[i32],
        replication_factor: Option<i32>,
        partitions: &[Partition],
    ) -> Result<Self, PlanError> {
        let topic_owned = || topic.to_owned();
        if brokers.is_empty() {
            return Err(PlanError::NothingAsked { topic: topic_owned() });
        }
        let mut seen = BTreeSet::new();
        let mut racks = Vec::new();
        for &broker in brokers {
            if !seen.insert(broker) {
                return Err(PlanError::DuplicateBroker { topic: topic_owned(), broker });
            }
            let Some(known) = cluster.brokers.iter().find(|b| b.id == broker) else {
                return Err(PlanError::UnknownBroker { topic: topic_owned(), broker });
            };
            racks.push(known.rack.clone());
        }
        let factor = match replication_factor {
            Some(factor) => factor,
            None => current_factor(partitions),
        };
        let Some(factor) = usize::try_from(factor).ok().filter(|f| (1..=brokers.len()).contains(f))
        else {
            return Err(PlanError::ReplicationFactor {
                topic: topic_owned(),
                factor,
                brokers: brokers.len(),
            });
        };
        let rack_of = racks.iter().all(Option::is_some).then(|| {
            let names: BTreeSet<&String> = racks.iter().flatten().collect();
            racks
                .iter()
                .flatten()
                .map(|r| names.iter().position(|n| *n == r).unwrap_or(0))
                .collect()
        });
        let mut load = vec![0u64; brokers.len()];
        for (name, others) in &cluster.topics {
            if name == topic {
                continue;
            }
            for broker in others.iter().flat_map(|p| &p.replicas) {
                if let Some(i) = brokers.iter().position(|b| b == broker) {
                    load[i] += 1;
                }
            }
        }
        Ok(Self {
            brokers: brokers.to_vec(),
            rack_of,
            cluster_has_racks: cluster.brokers.iter().any(|b| b.rack.is_some()),
            factor,
            load,
        })
    }

    /// Whether racks matter to this cluster at all.
    pub(super) fn racks_known(&self) -> bool {
        self.cluster_has_racks
    }

    fn rack_count(&self) -> usize {
        self.rack_of.as_ref().map_or(0, |r| r.iter().max().map_or(0, |m| m + 1))
    }

    /// Target broker indexes, the least loaded first.
    fn by_load(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.brokers.len()).collect();
        order.sort_by_key(|&i| (self.load[i], self.brokers[i]));
        order
    }
}

/// The replication factor a topic has now: its partitions' most common replica count.
fn current_factor(partitions: &[Partition]) -> i32 {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for p in partitions {
        *counts.entry(p.replicas.len()).or_default() += 1;
    }
    let most = counts.iter().max_by_key(|&(len, n)| (*n, *len)).map_or(1, |(len, _)| *len);
    i32::try_from(most).unwrap_or(i32::MAX)
}

/// What [`place`] decided.
#[derive(Debug)]
pub(super) struct Placed {
    /// Each partition's replicas, the preferred leader first, in the order of the partitions.
    pub replicas: Vec<Vec<i32>>,
    /// Whether every partition's replicas are spread over the racks.
    pub rack_aware: bool,
}

/// `floor` and how many brokers may take `floor + 1`, for `total` spread over `brokers`.
fn shares(total: usize, brokers: usize) -> (u32, u32) {
    (clamp_u32(total / brokers), clamp_u32(total % brokers))
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Per-broker capacities towards the sink: `floor` each, `floor + 1` for `extra` of them, and
/// beyond that only at `breach` a unit. Returns nothing; edges are added in `order`.
fn broker_capacities(
    net: &mut Network,
    brokers: &[usize],
    order: &[usize],
    sink: usize,
    total: usize,
    breach: i128,
) {
    let (floor, extra) = shares(total, brokers.len());
    let spare = net.node();
    for &i in order {
        net.edge(brokers[i], sink, floor, 0);
        if extra > 0 {
            net.edge(brokers[i], spare, 1, 0);
        }
        net.edge(brokers[i], sink, clamp_u32(total), breach);
    }
    net.edge(spare, sink, extra, 0);
}

/// Places `partitions` on `target`.
pub(super) fn place(target: &Target, partitions: &[Partition], options: Options) -> Placed {
    let (mut sets, rack_aware) = replica_sets(target, partitions);
    if options.weigh_by_size {
        even_out_bytes(target, partitions, &mut sets, rack_aware);
    }
    let leaders = leaders(target, partitions, &sets);
    let replicas = partitions
        .iter()
        .zip(&sets)
        .zip(leaders)
        .map(|((p, set), leader)| order_replicas(target, p, set, leader))
        .collect();
    Placed { replicas, rack_aware }
}

/// Each partition's replicas, as target broker indexes (unordered), and whether the racks rule held.
fn replica_sets(target: &Target, partitions: &[Partition]) -> (Vec<BTreeSet<usize>>, bool) {
    let factor = target.factor;
    let total = partitions.len() * factor;
    // A replica added costs one unit, more than all the bytes any plan could copy, plus its
    // partition's size (in MiB): the fewest replicas move, and of those the smallest. Breaking
    // balance is dearer than every replica of the topic moving, and breaking the racks rule
    // dearer than breaking balance everywhere: a rack is what fails together, so spreading over
    // racks comes first, as Kafka's own placement has it. (Sizes in MiB keep the costs well
    // inside i128 at the request caps.)
    let mib = |p: &Partition| i128::from(p.size.div_ceil(1 << 20));
    let count = |n: usize| i128::try_from(n).unwrap_or(i128::MAX >> 64);
    let unit = partitions.iter().map(mib).sum::<i128>() * count(factor) + 1;
    let add_cost = |p: &Partition| unit + mib(p);
    let balance_breach = 2 * unit * count(total) + 1;
    let rack_breach = balance_breach * (count(total) + 1);
    let racks = target.rack_count();
    let limit = if racks > 0 { factor.div_ceil(racks) } else { factor };

    let mut net = Network::new();
    let (source, sink) = (net.node(), net.node());
    let brokers: Vec<usize> = target.brokers.iter().map(|_| net.node()).collect();
    let by_load = target.by_load();
    // Per partition, its edges to brokers: (broker index, edge).
    let mut chosen: Vec<Vec<(usize, EdgeId)>> = Vec::with_capacity(partitions.len());
    let mut breaches: Vec<EdgeId> = Vec::new();
    for p in partitions {
        let node = net.node();
        net.edge(source, node, clamp_u32(factor), 0);
        // Current replicas first (in their order), then the rest by load.
        let now: Vec<usize> =
            p.replicas.iter().filter_map(|b| target.brokers.iter().position(|t| t == b)).collect();
        let order = now.iter().copied().chain(by_load.iter().copied().filter(|i| !now.contains(i)));
        let added = add_cost(p);
        let cost = |i: usize| if now.contains(&i) { KEEP } else { added };
        let mut edges = Vec::with_capacity(target.brokers.len());
        match &target.rack_of {
            Some(rack_of) if racks > 0 => {
                let rack_nodes: Vec<usize> = (0..racks).map(|_| net.node()).collect();
                for &r in &rack_nodes {
                    net.edge(node, r, clamp_u32(limit), 0);
                    breaches.push(net.edge(node, r, clamp_u32(factor), rack_breach));
                }
                for i in order {
                    edges.push((i, net.edge(rack_nodes[rack_of[i]], brokers[i], 1, cost(i))));
                }
            }
            _ => {
                for i in order {
                    edges.push((i, net.edge(node, brokers[i], 1, cost(i))));
                }
            }
        }
        chosen.push(edges);
    }
    broker_capacities(&mut net, &brokers, &by_load, sink, total, balance_breach);
    net.min_cost_flow(source, sink);

    let sets = chosen
        .iter()
        .map(|edges| edges.iter().filter(|(_, e)| net.flow(*e) > 0).map(|(i, _)| *i).collect())
        .collect();
    let rack_aware = racks > 0 && breaches.iter().all(|e| net.flow(*e) == 0);
    (sets, rack_aware)
}

/// Each partition's preferred leader, as a target broker index: its current leader where that
/// keeps leaders per broker within one of the mean.
fn leaders(target: &Target, partitions: &[Partition], sets: &[BTreeSet<usize>]) -> Vec<usize> {
    let mut net = Network::new();
    let (source, sink) = (net.node(), net.node());
    let brokers: Vec<usize> = target.brokers.iter().map(|_| net.node()).collect();
    let mut chosen = Vec::with_capacity(partitions.len());
    for (p, set) in partitions.iter().zip(sets) {
        let node = net.node();
        net.edge(source, node, 1, 0);
        let leader = p.replicas.first().and_then(|b| target.brokers.iter().position(|t| t == b));
        let order = leader
            .filter(|l| set.contains(l))
            .into_iter()
            .chain(set.iter().copied().filter(|i| Some(*i) != leader));
        let edges: Vec<(usize, EdgeId)> = order
            .map(|i| (i, net.edge(node, brokers[i], 1, if Some(i) == leader { KEEP } else { ADD })))
            .collect();
        chosen.push(edges);
    }
    let breach = i128::try_from(partitions.len()).unwrap_or(i128::MAX / 4) + 1;
    broker_capacities(&mut net, &brokers, &target.by_load(), sink, partitions.len(), breach);
    net.min_cost_flow(source, sink);
    chosen
        .iter()
        .map(|edges| edges.iter().find(|(_, e)| net.flow(*e) > 0).map_or(0, |(i, _)| *i))
        .collect()
}

/// The replica list: the leader, then the replicas kept in their current order, then those added.
fn order_replicas(
    target: &Target,
    p: &Partition,
    set: &BTreeSet<usize>,
    leader: usize,
) -> Vec<i32> {
    let ids: BTreeSet<i32> = set.iter().map(|&i| target.brokers[i]).collect();
    let leader = target.brokers[leader];
    let kept = p.replicas.iter().copied().filter(|b| *b != leader && ids.contains(b));
    let added: Vec<i32> = target
        .by_load()
        .into_iter()
        .map(|i| target.brokers[i])
        .filter(|b| *b != leader && ids.contains(b) && !p.replicas.contains(b))
        .collect();
    std::iter::once(leader).chain(kept).chain(added).collect()
}

/// Moves replicas that are being added anyway from the broker with the most bytes to the one with
/// the fewest (or swaps two such replicas), while that lowers the larger of the two, keeping the
/// count balance and the racks rule.
fn even_out_bytes(
    target: &Target,
    partitions: &[Partition],
    sets: &mut [BTreeSet<usize>],
    rack_aware: bool,
) {
    let n = target.brokers.len();
    let racks = target.rack_count();
    let limit = if racks > 0 { target.factor.div_ceil(racks) } else { target.factor };
    let rack = |i: usize| target.rack_of.as_ref().map_or(0, |r| r[i]);
    let now: Vec<BTreeSet<usize>> = partitions
        .iter()
        .map(|p| {
            p.replicas.iter().filter_map(|b| target.brokers.iter().position(|t| t == b)).collect()
        })
        .collect();
    let fits = |set: &BTreeSet<usize>, out: usize, into: usize| {
        !set.contains(&into)
            && (!rack_aware
                || rack(out) == rack(into)
                || set.iter().filter(|&&i| i != out && rack(i) == rack(into)).count() < limit)
    };
    for _ in 0..partitions.len().saturating_mul(2).min(10_000) {
        let mut bytes = vec![0u64; n];
        let mut count = vec![0usize; n];
        for (p, set) in partitions.iter().zip(sets.iter()) {
            for &i in set {
                bytes[i] += p.size;
                count[i] += 1;
            }
        }
        let Some(heavy) = (0..n).max_by_key(|&i| (bytes[i], std::cmp::Reverse(i))) else { return };
        let Some(light) = (0..n).min_by_key(|&i| (bytes[i], i)) else { return };
        let gap = bytes[heavy] - bytes[light];
        // The best change: (partition moving heavy -> light, partition moving light -> heavy).
        let mut best: Option<(u64, usize, Option<usize>)> = None;
        let added_on = |i: usize| -> Vec<usize> {
            (0..partitions.len())
                .filter(|&p| sets[p].contains(&i) && !now[p].contains(&i))
                .collect()
        };
        let on_light = added_on(light);
        for p in added_on(heavy) {
            if !fits(&sets[p], heavy, light) {
                continue;
            }
            let size = partitions[p].size;
            if count[heavy] > count[light] && size < gap {
                let peak = (bytes[heavy] - size).max(bytes[light] + size);
                if best.is_none_or(|(b, _, _)| peak < b) {
                    best = Some((peak, p, None));
                }
            }
            for &q in &on_light {
                let other = partitions[q].size;
                if other >= size || size - other >= gap || !fits(&sets[q], light, heavy) {
                    continue;
                }
                let peak = (bytes[heavy] - size + other).max(bytes[light] + size - other);
                if best.is_none_or(|(b, _, _)| peak < b) {
                    best = Some((peak, p, Some(q)));
                }
            }
        }
        let Some((_, p, q)) = best else { return };
        sets[p].remove(&heavy);
        sets[p].insert(light);
        if let Some(q) = q {
            sets[q].remove(&light);
            sets[q].insert(heavy);
        }
    }
}

/// The fewest replicas `requests` must add on `cluster`, whatever the plan: each partition needs its
/// replication factor on target brokers, and each target broker needs the floor of its share of
/// the topic. Manual assignments count what they add.
pub fn lower_bound(cluster: &Cluster, requests: &[TopicRequest]) -> Result<usize, PlanError> {
    let mut bound = 0;
    for request in requests {
        let topic = request.topic();
        let partitions =
            cluster.topics.get(topic).ok_or_else(|| PlanError::UnknownTopic(topic.to_owned()))?;
        match request {
            TopicRequest::Automatic { brokers, replication_factor, .. } => {
                let target = Target::new(topic, cluster, brokers, *replication_factor, partitions)?;
                let on_targets = |p: &Partition| {
                    p.replicas.iter().filter(|b| target.brokers.contains(b)).count()
                };
                let per_partition: usize =
                    partitions.iter().map(|p| target.factor.saturating_sub(on_targets(p))).sum();
                let floor = partitions.len() * target.factor / target.brokers.len();
                let per_broker: usize = target
                    .brokers
                    .iter()
                    .map(|b| {
                        floor.saturating_sub(
                            partitions.iter().filter(|p| p.replicas.contains(b)).count(),
                        )
                    })
                    .sum();
                // Where racks make the brokers' balance impossible, no plan need reach each
                // broker's share: only the partitions' own count binds.
                let balanced = target.rack_balance_possible(partitions.len());
                bound += if balanced { per_partition.max(per_broker) } else { per_partition };
            }
            TopicRequest::Manual { assignment, .. } => {
                for (partition, replicas) in assignment {
                    let before =
                        partitions.iter().find(|p| p.partition == *partition).map(|p| &p.replicas);
                    bound +=
                        replicas.iter().filter(|b| before.is_none_or(|r| !r.contains(b))).count();
                }
            }
        }
    }
    Ok(bound)
}
