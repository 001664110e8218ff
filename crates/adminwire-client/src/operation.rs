//! The long-running commands: a reassignment or an election is started by one request and
//! followed by polling its verify request. [`Reassignment`] and [`Election`] are the handles the
//! client returns; they poll with backoff until no partition is in progress, within a deadline,
//! and report [`Progress`] on the way.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use crate::client::AdminClient;
use crate::error::{Error, Result};
use crate::plan::{ElectionScope, ReassignmentPlan};
use crate::types::{BrokerId, PartitionResult, TopicPartition};

/// The first wait between two polls; it doubles up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_millis(100);
/// The longest wait between two polls, so that a finished command is noticed within seconds.
const POLL_MAX: Duration = Duration::from_secs(2);

/// Where a partition of a long-running command stands (the verify requests' `ResultCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionState {
    /// Done: the replicas are the plan's, or the preferred replica leads (1).
    Completed,
    /// Still moving, or another replica still leads (0).
    InProgress,
    /// Will not complete as things are: not moving and not at the plan's replicas, or the
    /// preferred replica is offline or out of sync (-1).
    Failed,
}

impl PartitionState {
    /// The state for a verify response's `ResultCode`; `None` for a code the protocol lacks.
    pub fn from_code(code: i16) -> Option<Self> {
        match code {
            1 => Some(PartitionState::Completed),
            0 => Some(PartitionState::InProgress),
            -1 => Some(PartitionState::Failed),
            _ => None,
        }
    }
}

/// One partition of VerifyReassignPartitions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReassignmentStatus {
    /// The partition.
    #[serde(flatten)]
    pub partition: TopicPartition,
    /// Where it stands.
    pub state: PartitionState,
}

/// One partition of VerifyPreferredReplicaLeaderElection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElectionStatus {
    /// The partition.
    #[serde(flatten)]
    pub partition: TopicPartition,
    /// Where it stands.
    pub state: PartitionState,
    /// The current leader (`None` if it has none, or the server answered version 0).
    pub leader: Option<BrokerId>,
    /// The preferred replica (`None` if the server answered version 0).
    pub preferred_leader: Option<BrokerId>,
}

/// How far a long-running command has come: its partitions by state, for progress bars.
///
/// ```
/// use adminwire_client::{PartitionState, Progress, TopicPartition};
///
/// let progress = Progress::from_states([
///     (TopicPartition::new("a", 0), PartitionState::Completed),
///     (TopicPartition::new("a", 1), PartitionState::InProgress),
/// ]);
/// assert_eq!((progress.completed.len(), progress.total()), (1, 2));
/// assert!(!progress.is_done());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Progress {
    /// The partitions that are done.
    pub completed: Vec<TopicPartition>,
    /// The partitions still under way.
    pub in_progress: Vec<TopicPartition>,
    /// The partitions that will not complete.
    pub failed: Vec<TopicPartition>,
}

impl Progress {
    /// Sorts partitions into their states, keeping their order.
    pub fn from_states(states: impl IntoIterator<Item = (TopicPartition, PartitionState)>) -> Self {
        let mut progress = Progress::default();
        for (partition, state) in states {
            match state {
                PartitionState::Completed => progress.completed.push(partition),
                PartitionState::InProgress => progress.in_progress.push(partition),
                PartitionState::Failed => progress.failed.push(partition),
            }
        }
        progress
    }

    /// How many partitions there are in all.
    pub fn total(&self) -> usize {
        self.completed.len() + self.in_progress.len() + self.failed.len()
    }

    /// Whether no partition is under way any more (each completed or failed).
    pub fn is_done(&self) -> bool {
        self.in_progress.is_empty()
    }

    /// Whether every partition completed.
    pub fn is_success(&self) -> bool {
        self.in_progress.is_empty() && self.failed.is_empty()
    }
}

/// A partition reassignment that was started: follow it with [`progress`](Self::progress), or
/// wait for it with [`wait`](Self::wait).
#[derive(Debug, Clone)]
pub struct Reassignment {
    client: AdminClient,
    plan: ReassignmentPlan,
    started: Vec<PartitionResult>,
}

impl Reassignment {
    pub(crate) fn new(
        client: AdminClient,
        plan: ReassignmentPlan,
        started: Vec<PartitionResult>,
    ) -> Self {
        Self { client, plan, started }
    }

    /// The plan being carried out.
    pub fn plan(&self) -> &ReassignmentPlan {
        &self.plan
    }

    /// How the server took each partition when the reassignment was started (a version 0 server
    /// answers for the plan as a whole, so then every partition is listed as started).
    pub fn started(&self) -> &[PartitionResult] {
        &self.started
    }

    /// One VerifyReassignPartitions: where each partition stands now.
    pub async fn progress(&self) -> Result<Progress> {
        let statuses = self.client.verify_reassign_partitions(&self.plan).await?;
        Ok(Progress::from_states(statuses.into_iter().map(|s| (s.partition, s.state))))
    }

    /// Polls until no partition is in progress and returns the final [`Progress`] (check its
    /// `failed`), or [`Error::Timeout`] once `deadline` has passed. The reassignment itself
    /// goes on either way: only the waiting ends. A partition reported failed is polled once
    /// more before the wait ends with it, since brokers learn of a finished move a moment after
    /// the controller.
    pub async fn wait(&self, deadline: Duration) -> Result<Progress> {
        self.wait_with_progress(deadline, |_| {}).await
    }

    /// Like [`wait`](Self::wait), calling `on_progress` after every poll.
    pub async fn wait_with_progress(
        &self,
        deadline: Duration,
        on_progress: impl FnMut(&Progress),
    ) -> Result<Progress> {
        let what = format!("the reassignment of {} partitions", self.plan.partitions.len());
        poll_until_done(what, deadline, on_progress, || self.progress()).await
    }
}

/// A preferred replica leader election that was started: follow it with
/// [`progress`](Self::progress), or wait for it with [`wait`](Self::wait).
#[derive(Debug, Clone)]
pub struct Election {
    client: AdminClient,
    scope: ElectionScope,
    started: Vec<PartitionResult>,
}

impl Election {
    pub(crate) fn new(
        client: AdminClient,
        scope: ElectionScope,
        started: Vec<PartitionResult>,
    ) -> Self {
        Self { client, scope, started }
    }

    /// The partitions the election is about.
    pub fn scope(&self) -> &ElectionScope {
        &self.scope
    }

    /// How the server took each partition when the election was started; a partition whose
    /// preferred replica already led is listed without an error. A version 0 server answers for
    /// the request as a whole: then the listed partitions are all shown as started, and
    /// [`ElectionScope::AllPartitions`] gives an empty list.
    pub fn started(&self) -> &[PartitionResult] {
        &self.started
    }

    /// One VerifyPreferredReplicaLeaderElection: where each partition stands now.
    pub async fn progress(&self) -> Result<Progress> {
        let statuses = self.client.verify_preferred_replica_leader_election(&self.scope).await?;
        Ok(Progress::from_states(statuses.into_iter().map(|s| (s.partition, s.state))))
    }

    /// Polls until no partition is in progress and returns the final [`Progress`], or
    /// [`Error::Timeout`] once `deadline` has passed.
    pub async fn wait(&self, deadline: Duration) -> Result<Progress> {
        self.wait_with_progress(deadline, |_| {}).await
    }

    /// Like [`wait`](Self::wait), calling `on_progress` after every poll.
    pub async fn wait_with_progress(
        &self,
        deadline: Duration,
        on_progress: impl FnMut(&Progress),
    ) -> Result<Progress> {
        poll_until_done(
            "the preferred replica leader election".to_owned(),
            deadline,
            on_progress,
            || self.progress(),
        )
        .await
    }
}

/// Calls `poll` with doubling pauses until its progress is done, for at most `deadline`.
async fn poll_until_done<F>(
    what: String,
    deadline: Duration,
    mut on_progress: impl FnMut(&Progress),
    poll: impl Fn() -> F,
) -> Result<Progress>
where
    F: Future<Output = Result<Progress>>,
{
    let polling = async {
        let mut pause = POLL_FIRST;
        let mut failed_before = false;
        loop {
            let progress = poll().await?;
            on_progress(&progress);
            let failed = progress.is_done() && !progress.failed.is_empty();
            if progress.is_success() || (failed && failed_before) {
                return Ok(progress);
            }
            // A failure ends the wait only when the next poll agrees: a broker learns that a
            // reassignment finished a moment after the controller, and until then the partition
            // looks neither moving nor moved. The adminwire sidecar confirms a -1 itself; another
            // server may not.
            failed_before = failed;
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(POLL_MAX);
        }
    };
    tokio::time::timeout(deadline, polling)
        .await
        .unwrap_or(Err(Error::Timeout { what, after: deadline }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_codes_outside_the_protocol_have_no_state() {
        assert_eq!(PartitionState::from_code(1), Some(PartitionState::Completed));
        assert_eq!(PartitionState::from_code(-1), Some(PartitionState::Failed));
        assert_eq!(PartitionState::from_code(2), None);
    }

    #[test]
    fn failed_partitions_end_the_wait_but_are_not_success() {
        let progress = Progress::from_states([
            (TopicPartition::new("a", 0), PartitionState::Completed),
            (TopicPartition::new("a", 1), PartitionState::Failed),
        ]);
        assert!(progress.is_done());
        assert!(!progress.is_success());
        assert!(Progress::default().is_success(), "nothing to do is done");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_is_final_only_when_the_next_poll_agrees() {
        let a0 = || TopicPartition::new("a", 0);
        let polls = std::cell::Cell::new(0);
        let flaky = poll_until_done(
            "the test".into(),
            Duration::from_secs(5),
            |_| {},
            || async {
                polls.set(polls.get() + 1);
                Ok(match polls.get() {
                    1 => Progress { failed: vec![a0()], ..Default::default() },
                    _ => Progress { completed: vec![a0()], ..Default::default() },
                })
            },
        );
        assert!(flaky.await.unwrap().is_success());
        assert_eq!(polls.get(), 2);

        polls.set(0);
        let failing = poll_until_done(
            "the test".into(),
            Duration::from_secs(5),
            |_| {},
            || async {
                polls.set(polls.get() + 1);
                Ok(Progress { failed: vec![a0()], ..Default::default() })
            },
        );
        assert_eq!(failing.await.unwrap().failed, [a0()]);
        assert_eq!(polls.get(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn polling_stops_at_the_deadline_with_a_timeout() {
        let polls = std::cell::Cell::new(0);
        let waited = poll_until_done(
            "the test".into(),
            Duration::from_secs(5),
            |_| {},
            || async {
                polls.set(polls.get() + 1);
                Ok(Progress {
                    in_progress: vec![TopicPartition::new("a", 0)],
                    ..Default::default()
                })
            },
        )
        .await;
        assert!(
            matches!(waited, Err(Error::Timeout { after, .. }) if after == Duration::from_secs(5))
        );
        // Polls at 0, 0.1, 0.3, 0.7, 1.5 and 3.1 s; the next would be at 5.1 s.
        assert_eq!(polls.get(), 6);
    }
}
