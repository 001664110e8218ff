use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

/// `brokers` brokers (ids 1..), racks round-robin over `racks` (none if 0), and one topic `t` of
/// `partitions` partitions placed round-robin over the first `on` brokers with `factor` replicas.
fn cluster(brokers: i32, racks: i32, partitions: i32, on: i32, factor: i32) -> Cluster {
    let brokers = (1..=brokers)
        .map(|id| Broker { id, rack: (racks > 0).then(|| format!("r{}", id % racks)) })
        .collect();
    let placed = (0..partitions)
        .map(|p| Partition {
            partition: p,
            replicas: (0..factor).map(|r| 1 + (p + r) % on).collect(),
            size: 1000 + u64::try_from(p).unwrap_or(0) * 10,
        })
        .collect();
    Cluster { brokers, topics: BTreeMap::from([("t".to_owned(), placed)]) }
}

fn automatic(brokers: &[i32], factor: Option<i32>) -> Vec<TopicRequest> {
    vec![TopicRequest::Automatic {
        topic: "t".into(),
        brokers: brokers.to_vec(),
        replication_factor: factor,
    }]
}

/// The topic's replicas after `plan`.
fn after(cluster: &Cluster, plan: &Plan) -> Vec<Vec<i32>> {
    cluster.topics["t"]
        .iter()
        .map(|p| {
            plan.moves
                .iter()
                .find(|m| m.partition == p.partition)
                .map_or_else(|| p.replicas.clone(), |m| m.after.clone())
        })
        .collect()
}

fn applied(cluster: &Cluster, plan: &Plan) -> Cluster {
    let mut next = cluster.clone();
    for (p, replicas) in next.topics.get_mut("t").into_iter().flatten().zip(after(cluster, plan)) {
        p.replicas = replicas;
    }
    next
}

/// Per broker of `targets`: (replicas, preferred leaders).
fn spread(replicas: &[Vec<i32>], targets: &[i32]) -> Vec<(usize, usize)> {
    targets
        .iter()
        .map(|b| {
            (
                replicas.iter().filter(|r| r.contains(b)).count(),
                replicas.iter().filter(|r| r.first() == Some(b)).count(),
            )
        })
        .collect()
}

fn within_one(counts: impl Iterator<Item = usize> + Clone) -> bool {
    let (min, max) = (counts.clone().min().unwrap_or(0), counts.max().unwrap_or(0));
    max - min <= 1
}

#[test]
fn adding_two_brokers_moves_only_their_share() {
    let c = cluster(7, 0, 1000, 5, 3);
    let targets: Vec<i32> = (1..=7).collect();
    let plan = plan(&c, &automatic(&targets, None), Options::default()).unwrap();
    // 3000 replicas over 7 brokers: 428 each, four of them 429; the two new ones take 428 each
    // and the old ones keep the extra four.
    assert_eq!(plan.replicas_moved(), 856);
    assert_eq!(lower_bound(&c, &automatic(&targets, None)).unwrap(), 856);
    let spread = spread(&after(&c, &plan), &targets);
    assert!(within_one(spread.iter().map(|s| s.0)), "{spread:?}");
    assert!(within_one(spread.iter().map(|s| s.1)), "{spread:?}");
}

#[test]
fn removing_a_broker_moves_only_its_replicas() {
    let c = cluster(5, 0, 1000, 5, 3);
    let targets = [1, 2, 3, 4];
    let plan = plan(&c, &automatic(&targets, None), Options::default()).unwrap();
    assert_eq!(plan.replicas_moved(), 600);
    assert_eq!(lower_bound(&c, &automatic(&targets, None)).unwrap(), 600);
    let after = after(&c, &plan);
    assert!(after.iter().all(|r| !r.contains(&5)));
    let spread = spread(&after, &targets);
    assert!(within_one(spread.iter().map(|s| s.0)), "{spread:?}");
    assert!(within_one(spread.iter().map(|s| s.1)), "{spread:?}");
}

#[test]
fn raising_the_replication_factor_adds_one_replica_each() {
    let c = cluster(5, 0, 1000, 5, 2);
    let targets = [1, 2, 3, 4, 5];
    let plan = plan(&c, &automatic(&targets, Some(3)), Options::default()).unwrap();
    assert_eq!(plan.replicas_moved(), 1000);
    // No leader changes: every partition keeps its preferred leader.
    assert!(plan.moves.iter().all(|m| m.after[0] == m.before[0]));
    assert!(after(&c, &plan).iter().all(|r| r.len() == 3));
}

#[test]
fn the_smallest_partitions_are_the_ones_moved() {
    // Twenty partitions of one replica, four per broker on brokers 1-4, partition p of p GiB. A
    // fifth broker takes one from each: the smallest each has, 0 + 1 + 2 + 3 GiB.
    let mut c = cluster(5, 0, 20, 4, 1);
    for p in c.topics.get_mut("t").into_iter().flatten() {
        p.size = u64::try_from(p.partition).unwrap_or(0) << 30;
    }
    let plan = plan(&c, &automatic(&[1, 2, 3, 4, 5], None), Options::default()).unwrap();
    assert_eq!(plan.replicas_moved(), 4);
    assert_eq!(plan.bytes_moved(), 6 << 30);
}

#[test]
fn a_balanced_topic_is_left_alone() {
    let c = cluster(5, 0, 100, 5, 3);
    let plan = plan(&c, &automatic(&[1, 2, 3, 4, 5], None), Options::default()).unwrap();
    assert_eq!(plan.moves, vec![]);
}

#[test]
fn replicas_spread_over_racks() {
    // Six brokers on three racks; the topic sits on brokers 1-3 (racks 1, 2, 0) and moves to 4-6
    // (the same racks).
    let c = cluster(6, 3, 60, 3, 3);
    let plan = plan(&c, &automatic(&[1, 2, 3, 4, 5, 6], None), Options::default()).unwrap();
    assert!(plan.rack_unaware.is_empty());
    for replicas in after(&c, &plan) {
        let racks: BTreeSet<i32> = replicas.iter().map(|b| b % 3).collect();
        assert_eq!(racks.len(), 3, "{replicas:?}");
    }
}

#[test]
fn racks_come_before_balance() {
    // Racks r1 (brokers 1 and 4), r2 (2), r0 (3): one replica per rack means brokers 2 and 3 hold
    // every partition and 1 and 4 share the third replica, however unbalanced that is.
    let c = cluster(4, 3, 10, 3, 3);
    let plan = plan(&c, &automatic(&[1, 2, 3, 4], None), Options::default()).unwrap();
    assert!(plan.rack_unaware.is_empty());
    for replicas in after(&c, &plan) {
        let racks: BTreeSet<i32> = replicas.iter().map(|b| b % 3).collect();
        assert_eq!(racks.len(), 3, "{replicas:?}");
    }
}

#[test]
fn a_rack_short_of_brokers_is_reported_not_refused() {
    // Rack a has broker 1, rack b brokers 2-4: four replicas over two racks need two on rack a.
    let mut c = cluster(4, 0, 10, 4, 3);
    for b in &mut c.brokers {
        b.rack = Some(if b.id == 1 { "a" } else { "b" }.into());
    }
    let plan = plan(&c, &automatic(&[1, 2, 3, 4], Some(4)), Options::default()).unwrap();
    assert_eq!(plan.rack_unaware, vec!["t".to_owned()]);
    assert!(after(&c, &plan).iter().all(|r| r.len() == 4));
}

#[test]
fn weighing_by_size_evens_out_bytes_without_more_moves() {
    let mut c = cluster(4, 0, 40, 3, 1);
    for (i, p) in c.topics.get_mut("t").into_iter().flatten().enumerate() {
        p.size = if i % 4 == 0 { 100_000 } else { 10 };
    }
    let targets = [1, 2, 3, 4];
    let by_count = plan(&c, &automatic(&targets, None), Options::default()).unwrap();
    let by_size = plan(&c, &automatic(&targets, None), Options { weigh_by_size: true }).unwrap();
    assert_eq!(by_size.replicas_moved(), by_count.replicas_moved());
    let bytes = |p: &Plan| {
        let after = after(&c, p);
        let per: Vec<u64> = targets
            .iter()
            .map(|b| {
                after
                    .iter()
                    .zip(&c.topics["t"])
                    .filter(|(r, _)| r.contains(b))
                    .map(|(_, p)| p.size)
                    .sum()
            })
            .collect();
        per.iter().max().copied().unwrap_or(0) - per.iter().min().copied().unwrap_or(0)
    };
    assert!(bytes(&by_size) <= bytes(&by_count), "{} > {}", bytes(&by_size), bytes(&by_count));
}

#[test]
fn manual_assignments_are_checked() {
    let c = cluster(3, 0, 3, 3, 2);
    let manual = |assignment: Vec<(i32, Vec<i32>)>, factor| {
        plan(
            &c,
            &[TopicRequest::Manual { topic: "t".into(), assignment, replication_factor: factor }],
            Options::default(),
        )
    };
    let moved = manual(vec![(0, vec![3, 2])], None).unwrap();
    assert_eq!(moved.moves.len(), 1);
    assert_eq!(moved.moves[0].after, vec![3, 2]);
    assert_eq!(moved.replicas_moved(), 1);
    let t = || "t".to_owned();
    assert_eq!(
        manual(vec![(7, vec![1])], None),
        Err(PlanError::UnknownPartition { topic: t(), partition: 7 })
    );
    assert_eq!(
        manual(vec![(0, vec![1, 1])], None),
        Err(PlanError::DuplicateReplica { topic: t(), partition: 0, broker: 1 })
    );
    assert_eq!(
        manual(vec![(0, vec![9])], None),
        Err(PlanError::UnknownReplica { topic: t(), partition: 0, broker: 9 })
    );
    assert_eq!(
        manual(vec![(0, vec![])], None),
        Err(PlanError::NoReplicas { topic: t(), partition: 0 })
    );
    assert_eq!(
        manual(vec![(0, vec![1]), (0, vec![2])], None),
        Err(PlanError::DuplicatePartition { topic: t(), partition: 0 })
    );
    assert_eq!(
        manual(vec![(1, vec![1, 2])], Some(3)),
        Err(PlanError::ReplicaCount { topic: t(), partition: 1, given: 2, factor: 3 })
    );
}

#[test]
fn automatic_requests_are_checked() {
    let c = cluster(3, 0, 3, 3, 2);
    let t = || "t".to_owned();
    let run = |brokers: &[i32], factor| plan(&c, &automatic(brokers, factor), Options::default());
    assert_eq!(run(&[], None), Err(PlanError::NothingAsked { topic: t() }));
    assert_eq!(run(&[1, 1], None), Err(PlanError::DuplicateBroker { topic: t(), broker: 1 }));
    assert_eq!(run(&[1, 8], None), Err(PlanError::UnknownBroker { topic: t(), broker: 8 }));
    assert_eq!(
        run(&[1, 2], Some(3)),
        Err(PlanError::ReplicationFactor { topic: t(), factor: 3, brokers: 2 })
    );
    assert_eq!(
        run(&[1, 2], Some(0)),
        Err(PlanError::ReplicationFactor { topic: t(), factor: 0, brokers: 2 })
    );
    let missing = [TopicRequest::Automatic {
        topic: "nope".into(),
        brokers: vec![1],
        replication_factor: None,
    }];
    assert_eq!(plan(&c, &missing, Options::default()), Err(PlanError::UnknownTopic("nope".into())));
    let twice = [automatic(&[1, 2], None), automatic(&[1, 2], None)].concat();
    assert_eq!(plan(&c, &twice, Options::default()), Err(PlanError::DuplicateTopic(t())));
}

/// A random cluster: brokers, racks or not, a topic placed at random with a factor, and targets.
fn scenario() -> impl Strategy<Value = (Cluster, Vec<i32>, i32)> {
    (2i32..9, 0i32..4, 1usize..60, any::<bool>())
        .prop_flat_map(|(brokers, racks, partitions, weigh)| {
            let _ = weigh;
            let factor = 1..=brokers.min(4);
            (Just(brokers), Just(racks), Just(partitions), factor).prop_flat_map(
                |(brokers, racks, partitions, factor)| {
                    let placement = proptest::collection::vec(
                        proptest::sample::subsequence(
                            (1..=brokers).collect::<Vec<_>>(),
                            1..=usize::try_from(factor).unwrap_or(1),
                        )
                        .prop_shuffle(),
                        partitions,
                    );
                    let sizes = proptest::collection::vec(0u64..10_000, partitions);
                    let targets = proptest::sample::subsequence(
                        (1..=brokers).collect::<Vec<_>>(),
                        1..=usize::try_from(brokers).unwrap_or(1),
                    );
                    (Just(brokers), Just(racks), placement, sizes, targets, 1..=factor)
                },
            )
        })
        .prop_map(|(brokers, racks, placement, sizes, targets, factor)| {
            let mut c = cluster(brokers, racks, 0, 1, 1);
            let partitions = placement
                .into_iter()
                .zip(sizes)
                .enumerate()
                .map(|(i, (replicas, size))| Partition {
                    partition: i32::try_from(i).unwrap_or(0),
                    replicas,
                    size,
                })
                .collect();
            c.topics.insert("t".into(), partitions);
            let factor = factor.min(i32::try_from(targets.len()).unwrap_or(1));
            (c, targets, factor)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_plan_keeps_the_rules_and_is_stable((c, targets, factor) in scenario(), weigh in any::<bool>()) {
        let request = automatic(&targets, Some(factor));
        let options = Options { weigh_by_size: weigh };
        let plan = plan(&c, &request, options).unwrap();
        let placed = after(&c, &plan);
        let factor = usize::try_from(factor).unwrap_or(0);
        for replicas in &placed {
            let distinct: BTreeSet<_> = replicas.iter().collect();
            prop_assert_eq!(distinct.len(), factor);
            prop_assert!(replicas.iter().all(|b| targets.contains(b)));
        }
        // Balance holds wherever racks do not come first.
        if c.brokers.iter().all(|b| b.rack.is_none()) {
            let spread = spread(&placed, &targets);
            prop_assert!(within_one(spread.iter().map(|s| s.0)), "replicas {:?}", spread);
        }
        prop_assert!(plan.replicas_moved() >= lower_bound(&c, &request).unwrap());
        // What the plan leaves is a placement it would not change.
        let again = super::plan(&applied(&c, &plan), &request, options).unwrap();
        prop_assert_eq!(again.moves, vec![]);
        // And planning is deterministic.
        prop_assert_eq!(super::plan(&c, &request, options).unwrap(), plan);
    }
}
