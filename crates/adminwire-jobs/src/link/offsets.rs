//! Where each record a link copied landed on the target, for one partition, and what a source
//! offset is on the target.
//!
//! The Produce API cannot choose offsets: the target gives the copies consecutive offsets from its
//! log end. So the target's offsets equal the source's only while the source's are consecutive
//! too, from where the copy started on a target starting where the source did. Wherever the
//! source skips offsets (compacted records, aborted transactions and their markers, a log start
//! moved by DeleteRecords) the two part, by a known amount: the map keeps one run of consecutive
//! offsets per stretch between gaps, so it is exact and stays small for a source without many
//! gaps.

use adminwire_kafka::records::Sources;
use serde::{Deserialize, Serialize};

/// Consecutive source offsets copied to consecutive target offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub source: i64,
    pub target: i64,
    pub len: i64,
}

impl Run {
    fn source_end(&self) -> i64 {
        self.source + self.len
    }

    fn target_end(&self) -> i64 {
        self.target + self.len
    }
}

/// How a partition's target offsets relate to its source's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Nothing copied yet.
    Empty,
    /// Each record has the same offset on both.
    Identical,
    /// Each record's target offset is its source offset plus this (negative: the target's are
    /// lower, as for a link started from the latest offset onto a new topic).
    Shifted(i64),
    /// The source skips offsets the target does not: translated run by run.
    Mapped,
}

impl Relation {
    /// The name every front end shows.
    pub fn name(self) -> &'static str {
        match self {
            Self::Empty => "EMPTY",
            Self::Identical => "IDENTICAL",
            Self::Shifted(_) => "SHIFTED",
            Self::Mapped => "MAPPED",
        }
    }
}

/// Why a copy could not be recorded: the copier's own bug, or a target someone else wrote to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("source offset {offset} does not follow {after}, the last one copied")]
    SourceBackwards { offset: i64, after: i64 },
    #[error("the copy of source offset {offset} landed at target offset {target}, not {expected}")]
    TargetNotNext { offset: i64, target: i64, expected: i64 },
}

/// The runs of one partition, in offset order (both source and target).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OffsetMap {
    runs: Vec<Run>,
}

impl OffsetMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The target offset the next copy lands at, once one has been recorded.
    pub fn target_end(&self) -> Option<i64> {
        self.runs.last().map(Run::target_end)
    }

    /// The source offset after the last one copied.
    pub fn source_end(&self) -> Option<i64> {
        self.runs.last().map(Run::source_end)
    }

    /// Records that the record at `source` was copied to `target`. Copies come in order: `source`
    /// after every source offset recorded, and `target` the target's next offset.
    pub fn record(&mut self, source: i64, target: i64) -> Result<(), MapError> {
        let Some(last) = self.runs.last_mut() else {
            self.runs.push(Run { source, target, len: 1 });
            return Ok(());
        };
        if source < last.source_end() {
            let after = last.source_end() - 1;
            return Err(MapError::SourceBackwards { offset: source, after });
        }
        if target != last.target_end() {
            let expected = last.target_end();
            return Err(MapError::TargetNotNext { offset: source, target, expected });
        }
        if source == last.source_end() {
            last.len += 1;
        } else {
            self.runs.push(Run { source, target, len: 1 });
        }
        Ok(())
    }

    /// Records a batch the target took at `target_base`: its records' source offsets in order.
    pub fn record_batch(&mut self, sources: &Sources, target_base: i64) -> Result<(), MapError> {
        match sources {
            Sources::Range { first, last } => {
                // A whole run at once: no copy per record for the common, dense case.
                let len = last - first + 1;
                if len <= 0 {
                    return Ok(());
                }
                self.record(*first, target_base)?;
                if let Some(run) = self.runs.last_mut() {
                    run.len += len - 1;
                }
                Ok(())
            }
            Sources::List(offsets) => {
                for (i, source) in offsets.iter().enumerate() {
                    self.record(*source, target_base + i as i64)?;
                }
                Ok(())
            }
        }
    }

    /// How the target's offsets relate to the source's. The target's are consecutive, so a gap in
    /// the source's (a second run) always makes them mapped.
    pub fn relation(&self) -> Relation {
        match self.runs.as_slice() {
            [] => Relation::Empty,
            [run] if run.source == run.target => Relation::Identical,
            [run] => Relation::Shifted(run.target - run.source),
            _ => Relation::Mapped,
        }
    }

    /// The target offset of a consumer position `position` on the source (the offset of the next
    /// record it reads): the target offset of the first record copied at or after it. A position
    /// past everything copied translates to the target's end only if the source has nothing to
    /// copy before it (`source_next`: the source offset the copy reads next); otherwise the
    /// records it has read are not all on the target yet, and it has no translation.
    pub fn translate(&self, position: i64, source_next: i64) -> Option<i64> {
        let first = self.runs.first()?;
        if position <= first.source {
            return Some(first.target);
        }
        // The first run ending after `position`: it holds it, or starts after it (a gap).
        let index = self.runs.partition_point(|r| r.source_end() <= position);
        match self.runs.get(index) {
            Some(run) if position >= run.source => Some(run.target + (position - run.source)),
            Some(run) => Some(run.target),
            None if position <= source_next => self.target_end(),
            None => None,
        }
    }

    /// The source position of a consumer position `position` on the target: the source offset of
    /// the record copied to it, or, at or past the end of the copy, `source_next` (everything
    /// before it is copied or has nothing to copy). The way back of [`Self::translate`], for a
    /// group returning to the source.
    pub fn source_of(&self, position: i64, source_next: i64) -> i64 {
        let Some(first) = self.runs.first() else { return source_next };
        if position <= first.target {
            return first.source;
        }
        // The target's offsets are consecutive: one run holds `position`, or it is past them.
        let index = self.runs.partition_point(|r| r.target_end() <= position);
        match self.runs.get(index) {
            Some(run) => run.source + (position - run.target),
            None => source_next,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn copied(pairs: &[(i64, i64)]) -> OffsetMap {
        let mut map = OffsetMap::new();
        for &(source, target) in pairs {
            map.record(source, target).unwrap();
        }
        map
    }

    #[test]
    fn a_contiguous_copy_from_the_start_is_identical() {
        let map = copied(&[(0, 0), (1, 1), (2, 2)]);
        assert_eq!(map.relation(), Relation::Identical);
        assert_eq!(map.runs().len(), 1);
        assert_eq!(map.translate(2, 3), Some(2));
        assert_eq!(map.translate(3, 3), Some(3));
        assert_eq!(map.translate(4, 3), None, "not copied yet");
    }

    #[test]
    fn a_copy_started_at_the_latest_offset_is_shifted() {
        let map = copied(&[(1000, 0), (1001, 1)]);
        assert_eq!(map.relation(), Relation::Shifted(-1000));
        assert_eq!(map.translate(0, 1002), Some(0), "before the start: where the copy starts");
        assert_eq!(map.translate(1001, 1002), Some(1));
    }

    #[test]
    fn gaps_in_the_source_make_it_mapped_one_run_per_gap() {
        // 0-1 copied, 2-3 a transaction aborted (and its marker), 4-5 copied, 6 compacted, 7.
        let map = copied(&[(0, 0), (1, 1), (4, 2), (5, 3), (7, 4)]);
        assert_eq!(map.relation(), Relation::Mapped);
        assert_eq!(map.runs().len(), 3);
        let translated: Vec<Option<i64>> = (0..=9).map(|p| map.translate(p, 8)).collect();
        assert_eq!(
            translated,
            [Some(0), Some(1), Some(2), Some(2), Some(2), Some(3), Some(4), Some(4), Some(5), None]
        );
    }

    #[test]
    fn copies_out_of_order_are_refused() {
        let mut map = copied(&[(5, 0)]);
        assert_eq!(map.record(5, 1), Err(MapError::SourceBackwards { offset: 5, after: 5 }));
        assert_eq!(
            map.record(6, 3),
            Err(MapError::TargetNotNext { offset: 6, target: 3, expected: 1 })
        );
        assert_eq!(map, copied(&[(5, 0)]), "a refused copy changes nothing");
    }

    #[test]
    fn a_batch_is_recorded_as_a_run_or_record_by_record() {
        let mut map = OffsetMap::new();
        map.record_batch(&Sources::Range { first: 10, last: 19 }, 0).unwrap();
        map.record_batch(&Sources::Range { first: 20, last: 20 }, 10).unwrap();
        map.record_batch(&Sources::List(vec![22, 23, 25]), 11).unwrap();
        let runs: Vec<(i64, i64, i64)> =
            map.runs().iter().map(|r| (r.source, r.target, r.len)).collect();
        assert_eq!(runs, [(10, 0, 11), (22, 11, 2), (25, 13, 1)]);
        let wrong = map.record_batch(&Sources::Range { first: 26, last: 30 }, 99);
        assert!(matches!(wrong, Err(MapError::TargetNotNext { .. })));
        assert_eq!(map.target_end(), Some(14));
    }

    #[test]
    fn the_map_is_written_as_runs() {
        let map = copied(&[(0, 0), (2, 1)]);
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(json, r#"[{"source":0,"target":0,"len":1},{"source":2,"target":1,"len":1}]"#);
        assert_eq!(serde_json::from_str::<OffsetMap>(&json).unwrap(), map);
    }

    #[test]
    fn a_target_position_goes_back_to_the_source_record_copied_there() {
        // 0-1 copied, 2-3 skipped, 4-5 copied, 6 skipped, 7 copied; the copy reads 9 next.
        let map = copied(&[(0, 0), (1, 1), (4, 2), (5, 3), (7, 4)]);
        let back: Vec<i64> = (0..=6).map(|t| map.source_of(t, 9)).collect();
        assert_eq!(back, [0, 1, 4, 5, 7, 9, 9]);
        for position in 0..=9 {
            let there = map.translate(position, 9).unwrap();
            assert!(map.source_of(there, 9) >= position, "never before where it was");
        }
        assert_eq!(OffsetMap::new().source_of(3, 42), 42, "nothing copied: where the copy is");
        let shifted = copied(&[(1000, 10), (1001, 11)]);
        assert_eq!(shifted.source_of(0, 1002), 1000);
        assert_eq!(shifted.source_of(11, 1002), 1001);
    }

    proptest! {
        /// Against the plain list of (source, target) pairs: a position translates to the target
        /// offset of the first record copied at or after it.
        #[test]
        fn translation_is_exact(
            steps in prop::collection::vec(1i64..5, 0..200),
            start in 0i64..1_000,
            target_start in 0i64..50,
            extra in 0i64..5,
        ) {
            let mut pairs = Vec::new();
            let mut source = start;
            for (i, step) in steps.iter().enumerate() {
                pairs.push((source, target_start + i as i64));
                source += step;
            }
            let map = copied(&pairs);
            let source_next = pairs.last().map_or(start, |p| p.0 + 1) + extra;
            for position in 0..source_next + 3 {
                let expected = match pairs.iter().find(|(s, _)| *s >= position) {
                    Some((_, t)) => Some(*t),
                    None if position <= source_next => map.target_end(),
                    None => None,
                };
                let expected = if pairs.is_empty() { None } else { expected };
                prop_assert_eq!(map.translate(position, source_next), expected, "{}", position);
            }
            let gaps = pairs.windows(2).filter(|w| w[1].0 != w[0].0 + 1).count();
            prop_assert_eq!(map.runs().len(), if pairs.is_empty() { 0 } else { gaps + 1 });
        }
    }
}
