//! Who still writes to a mirror's source, told from what the link copies: every batch it copies
//! names its producer id. A batch written by a producer the sidecars route has one of the source
//! producer ids they stand in with (kept under `linkproducer/`); any other id is a producer still
//! writing to the source directly. Records written without a producer id (a producer without
//! idempotence) cannot be told apart that way: they are counted, and set against the count of such
//! records the sidecars routed (each sidecar keeps its running count under `linkrouted/`). All of
//! it over a recent window, so that a producer that has switched stops counting once the window
//! has passed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::state::SourceWriter;

/// How much longer than the window the routed counts are taken over: a write is routed (and
/// counted) before it is copied.
const ROUTED_SLACK_MS: u64 = 5_000;

/// The records a link copied over a window, by topic and the producer that wrote them.
#[derive(Debug)]
pub struct Writers {
    window_ms: u64,
    /// Since when this process has watched (ms since the epoch): from its start, or, for a mirror
    /// added later, from when it was first looked at.
    since_ms: u64,
    watched_since: BTreeMap<String, u64>,
    /// By topic: each copy's time, producer id (-1: none) and records.
    copied: BTreeMap<String, VecDeque<(u64, i64, u64)>>,
    /// By topic: the sidecars' running counts of records routed without a producer id, as
    /// sampled (time, total).
    routed: BTreeMap<String, VecDeque<(u64, u64)>>,
}

/// What the window shows for one mirror.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Seen {
    /// Producers writing to the source directly.
    pub direct: Vec<SourceWriter>,
    /// Records written to the source without a producer id beyond those the sidecars routed.
    pub unrouted: u64,
    /// Whether the window has been watched whole.
    pub whole: bool,
}

impl Writers {
    pub fn new(window_ms: u64, now: u64) -> Self {
        Self {
            window_ms,
            since_ms: now,
            watched_since: BTreeMap::new(),
            copied: BTreeMap::new(),
            routed: BTreeMap::new(),
        }
    }

    /// Records copied now: by topic, then producer id.
    pub fn copied(&mut self, writers: &BTreeMap<String, BTreeMap<i64, u64>>, now: u64) {
        for (topic, by_producer) in writers {
            let copies = self.copied.entry(topic.clone()).or_default();
            for (producer, records) in by_producer {
                copies.push_back((now, *producer, *records));
            }
        }
    }

    /// The sidecars' running counts of records routed without a producer id, by topic, now.
    pub fn routed(&mut self, totals: &BTreeMap<String, u64>, now: u64) {
        for (topic, total) in totals {
            let samples = self.routed.entry(topic.clone()).or_default();
            // A total that fell lost a sidecar's counts (forgotten, or started again): what the
            // others routed since is still set against the copies, from the lower base.
            if let Some(fell) = samples.back().and_then(|(_, last)| last.checked_sub(*total)) {
                samples.iter_mut().for_each(|(_, count)| *count = count.saturating_sub(fell));
            }
            if samples.back().is_none_or(|(_, last)| last != total) {
                samples.push_back((now, *total));
            }
        }
    }

    /// Forgets what is older than the window (and, for routed counts, its slack), keeping the
    /// last sample before it as the window's base. Once a look, before [`Self::seen`].
    pub fn prune(&mut self, now: u64) {
        let start = now.saturating_sub(self.window_ms);
        for copies in self.copied.values_mut() {
            while copies.front().is_some_and(|(at, _, _)| *at < start) {
                copies.pop_front();
            }
        }
        let base = start.saturating_sub(ROUTED_SLACK_MS);
        for samples in self.routed.values_mut() {
            while samples.len() > 1 && samples.get(1).is_some_and(|(at, _)| *at <= base) {
                samples.pop_front();
            }
        }
    }

    /// What the window shows for `topic`, producers the sidecars route (`routed_ids`: the source
    /// producer ids they stand in with) left out.
    pub fn seen(&mut self, topic: &str, routed_ids: &BTreeSet<i64>, now: u64) -> Seen {
        let mut direct: BTreeMap<i64, SourceWriter> = BTreeMap::new();
        let mut plain = 0;
        for (at, producer, records) in self.copied.get(topic).into_iter().flatten() {
            match producer {
                -1 => plain += records,
                id if routed_ids.contains(id) => {}
                id => {
                    let writer = direct.entry(*id).or_insert(SourceWriter {
                        producer_id: *id,
                        records: 0,
                        last_ms: *at,
                    });
                    writer.records += records;
                    writer.last_ms = writer.last_ms.max(*at);
                }
            }
        }
        let routed = match self.routed.get(topic) {
            Some(samples) => {
                let first = samples.front().map_or(0, |(_, total)| *total);
                let last = samples.back().map_or(0, |(_, total)| *total);
                last.saturating_sub(first)
            }
            None => 0,
        };
        let since = *self.watched_since.entry(topic.to_owned()).or_insert(now.max(self.since_ms));
        Seen {
            direct: direct.into_values().collect(),
            unrouted: plain.saturating_sub(routed),
            whole: now.saturating_sub(since) >= self.window_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copies(topic: &str, writers: &[(i64, u64)]) -> BTreeMap<String, BTreeMap<i64, u64>> {
        BTreeMap::from([(topic.to_owned(), writers.iter().copied().collect())])
    }

    #[test]
    fn a_producer_not_routed_is_named_until_the_window_has_passed() {
        let mut writers = Writers::new(30_000, 0);
        let routed = BTreeSet::from([7]);
        writers.copied(&copies("orders", &[(7, 100), (42, 5)]), 1_000);
        writers.copied(&copies("orders", &[(42, 3)]), 2_000);
        writers.prune(3_000);
        let seen = writers.seen("orders", &routed, 3_000);
        assert_eq!(seen.direct, [SourceWriter { producer_id: 42, records: 8, last_ms: 2_000 }]);
        assert!(!seen.whole, "watched for 3 s of 30");
        assert_eq!(writers.seen("invoices", &routed, 3_000), Seen::default());
        writers.prune(40_000);
        let later = writers.seen("orders", &routed, 40_000);
        assert!(later.direct.is_empty() && later.whole, "{later:?}");
    }

    #[test]
    fn a_sidecars_counts_forgotten_lower_the_base_not_the_records_routed() {
        let mut writers = Writers::new(10_000, 0);
        let none = BTreeSet::new();
        let totals = |n: u64| BTreeMap::from([("orders".to_owned(), n)]);
        writers.routed(&totals(500), 1_000);
        writers.copied(&copies("orders", &[(-1, 500)]), 1_000);
        // The sidecar that routed the 500 is forgotten; another routes 10, which are copied.
        writers.routed(&totals(0), 20_000);
        writers.routed(&totals(10), 21_000);
        writers.copied(&copies("orders", &[(-1, 10)]), 21_000);
        writers.prune(22_000);
        assert_eq!(writers.seen("orders", &none, 22_000).unrouted, 0, "the ten were routed");
        writers.copied(&copies("orders", &[(-1, 3)]), 23_000);
        assert_eq!(writers.seen("orders", &none, 23_000).unrouted, 3, "three written directly");
    }

    #[test]
    fn records_without_a_producer_id_count_against_those_routed() {
        let mut writers = Writers::new(30_000, 0);
        let none = BTreeSet::new();
        writers.routed(&BTreeMap::from([("orders".to_owned(), 500)]), 0);
        writers.routed(&BTreeMap::from([("orders".to_owned(), 510)]), 1_000);
        writers.copied(&copies("orders", &[(-1, 10)]), 1_500);
        assert_eq!(writers.seen("orders", &none, 2_000).unrouted, 0, "all ten routed");
        writers.copied(&copies("orders", &[(-1, 4)]), 2_500);
        assert_eq!(writers.seen("orders", &none, 3_000).unrouted, 4, "four written directly");
        // The window moves on: what was routed before it no longer counts, nor what was copied.
        writers.routed(&BTreeMap::from([("orders".to_owned(), 512)]), 50_000);
        writers.copied(&copies("orders", &[(-1, 2)]), 50_500);
        writers.prune(51_000);
        assert_eq!(writers.seen("orders", &none, 51_000).unrouted, 0);
    }
}
