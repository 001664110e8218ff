//! How long a plan takes to carry out: the executor's own schedule played forward in time.
//!
//! Each partition that copies data becomes one copy per new replica, from the partition's leader to
//! the new replica's broker. Copies start in plan order under the executor's limits (at most
//! `per_broker` partitions moving into, and out of, each broker at once; at most `cluster` at
//! once), and refill as partitions finish. Each broker moves at most `rate` bytes a second in and
//! `rate` out — Kafka's replication throttle is exactly that, a leader and a follower rate per
//! broker — shared evenly among the copies it takes part in. The slowest broker sets the time. The
//! same play, started from what is left of a running job, gives its ETA.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::Move;

/// The executor's limits on moves at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    /// Partitions moving into, and out of, one broker at once.
    pub per_broker: usize,
    /// Partitions moving at once in the whole cluster.
    pub cluster: usize,
}

impl Default for Concurrency {
    fn default() -> Self {
        Self { per_broker: 5, cluster: 50 }
    }
}

/// One copy still to make: `bytes` from broker `from` to broker `to`, for move `of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub of: usize,
    pub from: i32,
    pub to: i32,
    pub bytes: u64,
}

/// The copies a plan makes, each from the partition's leader (`leader_of`, or the first replica
/// before the move when the leader is not known).
pub fn copies(moves: &[Move], leader_of: impl Fn(&Move) -> Option<i32>) -> Vec<Copy> {
    moves
        .iter()
        .enumerate()
        .flat_map(|(of, m)| {
            let from = leader_of(m).or_else(|| m.before.first().copied()).unwrap_or(-1);
            m.adding().map(move |to| Copy { of, from, to, bytes: m.size }).collect::<Vec<_>>()
        })
        .collect()
}

/// Bytes one broker sends and receives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrokerLoad {
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// What an estimate says, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Until every copy is made, rounded up.
    pub seconds: u64,
    pub bytes: u64,
    /// Bytes a second each broker moves in and out.
    pub rate: u64,
    pub brokers: BTreeMap<i32, BrokerLoad>,
    /// The broker with the most bytes to move one way: at `rate`, the least time any schedule
    /// could take.
    pub slowest: Option<i32>,
    /// Times at which the schedule started moves (the first wave, then each refill).
    pub waves: usize,
}

/// Plays `copies` forward at `rate` bytes a second per broker and direction under `limits`.
pub fn estimate(copies: &[Copy], rate: u64, limits: Concurrency) -> Estimate {
    let rate = rate.max(1);
    let mut brokers: BTreeMap<i32, BrokerLoad> = BTreeMap::new();
    for c in copies {
        brokers.entry(c.to).or_default().bytes_in += c.bytes;
        brokers.entry(c.from).or_default().bytes_out += c.bytes;
    }
    // Copies of empty partitions take no time: no broker sets it.
    let slowest = brokers
        .iter()
        .filter(|(_, l)| l.bytes_in.max(l.bytes_out) > 0)
        .max_by_key(|(id, l)| (l.bytes_in.max(l.bytes_out), -**id))
        .map(|(id, _)| *id);
    let (seconds, waves) = play(copies, rate as f64, limits);
    Estimate {
        seconds: seconds.ceil() as u64,
        bytes: copies.iter().map(|c| c.bytes).sum(),
        rate,
        brokers,
        slowest,
        waves,
    }
}

/// How many moves that cannot start yet (their brokers are busy) a pass looks past for ones that
/// can: moves start in plan order, and one held up lets only the next few go ahead of it. The
/// executor passes its pending moves the same way; it keeps a pass, and so the whole play, linear
/// in the plan rather than quadratic (20,000 moves out of one broker took 1 s to play before).
pub const LOOKAHEAD: usize = 200;

/// The schedule in time: seconds until the last copy is made, and how many times moves started.
fn play(copies: &[Copy], rate: f64, limits: Concurrency) -> (f64, usize) {
    // Moves in order, each with its copies' indexes; taken out (None) as they start.
    let mut moves: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, c) in copies.iter().enumerate() {
        moves.entry(c.of).or_default().push(i);
    }
    let mut waiting: Vec<Option<Vec<usize>>> = moves.into_values().map(Some).collect();
    let mut first_waiting = 0;
    let mut left: Vec<f64> = copies.iter().map(|c| c.bytes as f64).collect();
    let mut running: Vec<Vec<usize>> = Vec::new();
    let (mut now, mut waves) = (0.0f64, 0usize);
    let per_broker = limits.per_broker.max(1);
    let cluster = limits.cluster.max(1);
    loop {
        // Running moves into and out of each broker.
        let mut into: BTreeMap<i32, usize> = BTreeMap::new();
        let mut out_of: BTreeMap<i32, usize> = BTreeMap::new();
        let count =
            |cs: &[usize], into: &mut BTreeMap<i32, usize>, out_of: &mut BTreeMap<i32, usize>| {
                let tos: BTreeSet<i32> = cs.iter().map(|&c| copies[c].to).collect();
                let froms: BTreeSet<i32> = cs.iter().map(|&c| copies[c].from).collect();
                tos.into_iter().for_each(|b| *into.entry(b).or_default() += 1);
                froms.into_iter().for_each(|b| *out_of.entry(b).or_default() += 1);
            };
        for cs in &running {
            count(cs, &mut into, &mut out_of);
        }
        // Start what fits, in order, looking past at most LOOKAHEAD that do not.
        let (mut started, mut held_up) = (false, 0);
        let mut i = first_waiting;
        while i < waiting.len() && running.len() < cluster && held_up < LOOKAHEAD {
            if let Some(cs) = &waiting[i] {
                let fits = cs.iter().all(|&c| {
                    into.get(&copies[c].to).copied().unwrap_or(0) < per_broker
                        && out_of.get(&copies[c].from).copied().unwrap_or(0) < per_broker
                });
                if fits {
                    count(cs, &mut into, &mut out_of);
                    running.extend(waiting[i].take());
                    started = true;
                } else {
                    held_up += 1;
                }
            }
            i += 1;
        }
        while waiting.get(first_waiting).is_some_and(Option::is_none) {
            first_waiting += 1;
        }
        waves += usize::from(started);
        if running.is_empty() {
            // Nothing fits and nothing runs: only a move wider than the limits, which then runs
            // alone.
            match waiting.get_mut(first_waiting).and_then(Option::take) {
                None => return (now, waves),
                Some(cs) => {
                    running.push(cs);
                    waves += 1;
                }
            }
        }
        // Each copy's share of its brokers' rates.
        let active: Vec<usize> =
            running.iter().flat_map(|cs| cs.iter().copied()).filter(|&c| left[c] > 0.0).collect();
        let mut into: BTreeMap<i32, usize> = BTreeMap::new();
        let mut out_of: BTreeMap<i32, usize> = BTreeMap::new();
        for &c in &active {
            *into.entry(copies[c].to).or_default() += 1;
            *out_of.entry(copies[c].from).or_default() += 1;
        }
        let speed = |c: usize| rate / (into[&copies[c].to].max(out_of[&copies[c].from]) as f64);
        // Until the next copy is made.
        let step = active.iter().map(|&c| left[c] / speed(c)).fold(f64::INFINITY, f64::min);
        if step.is_finite() {
            for &c in &active {
                left[c] = (left[c] - speed(c) * step).max(0.0);
                if left[c] < 1e-6 {
                    left[c] = 0.0;
                }
            }
            now += step;
        }
        running.retain(|cs| cs.iter().any(|&c| left[c] > 0.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(of: usize, from: i32, to: i32, mb: u64) -> Copy {
        Copy { of, from, to, bytes: mb * 1_000_000 }
    }

    #[test]
    fn one_copy_takes_its_size_over_the_rate() {
        let e = estimate(&[copy(0, 1, 2, 100)], 10_000_000, Concurrency::default());
        assert_eq!(e.seconds, 10);
        assert_eq!(e.slowest, Some(1));
        assert_eq!(e.waves, 1);
    }

    #[test]
    fn copies_into_one_broker_share_its_rate() {
        // Two sources, one destination: 200 MB into broker 3 at 10 MB/s.
        let e =
            estimate(&[copy(0, 1, 3, 100), copy(1, 2, 3, 100)], 10_000_000, Concurrency::default());
        assert_eq!(e.seconds, 20);
        assert_eq!(e.brokers[&3].bytes_in, 200_000_000);
        assert_eq!(e.slowest, Some(3));
    }

    #[test]
    fn copies_of_empty_partitions_take_no_time_and_no_broker_is_the_slowest() {
        let e = estimate(&[copy(0, 1, 2, 0)], 1_000, Concurrency::default());
        assert_eq!((e.seconds, e.slowest), (0, None));
    }

    #[test]
    fn copies_between_different_brokers_run_side_by_side() {
        let e =
            estimate(&[copy(0, 1, 2, 100), copy(1, 3, 4, 100)], 10_000_000, Concurrency::default());
        assert_eq!(e.seconds, 10);
    }

    #[test]
    fn limits_make_waves() {
        // Four moves out of broker 1, at most two at once: broker 1's rate is shared either way,
        // so the time is what all its bytes take, in two waves of two.
        let copies: Vec<Copy> = (0..4).map(|i| copy(i, 1, 2 + i as i32, 50)).collect();
        let e = estimate(&copies, 10_000_000, Concurrency { per_broker: 2, cluster: 10 });
        assert_eq!(e.seconds, 20);
        assert_eq!(e.waves, 2);
    }

    #[test]
    fn a_straggler_is_not_hidden_by_the_average() {
        // One big partition and many small ones out of different leaders into broker 9, one at
        // a time: every byte still goes into 9 at 10 MB/s.
        let mut copies: Vec<Copy> = (0..10).map(|i| copy(i, i as i32, 9, 10)).collect();
        copies.push(copy(10, 20, 9, 200));
        let e = estimate(&copies, 10_000_000, Concurrency { per_broker: 1, cluster: 10 });
        assert_eq!(e.seconds, 30);
    }

    #[test]
    fn nothing_to_copy_takes_no_time() {
        let e = estimate(&[], 1, Concurrency::default());
        assert_eq!((e.seconds, e.bytes, e.waves), (0, 0, 0));
    }
}
