//! Reassignment jobs (API keys 30010–30012): a reassignment the sidecar plans and runs itself,
//! with a throttle, a start time and pause, resume and cancel, instead of handing Kafka a plan.
//!
//! [`ReassignmentRequest`] says what to move; [`AdminClient::submit_reassignment`] starts it and
//! returns a [`ReassignmentJob`] handle, [`AdminClient::estimate_reassignment`] only plans it and
//! returns a [`ReassignmentEstimate`]. A job is described by a [`JobDescription`]; the handle
//! polls it until the job ends, reporting [`JobProgress`] on the way.
//!
//! [`AdminClient::submit_reassignment`]: crate::AdminClient::submit_reassignment
//! [`AdminClient::estimate_reassignment`]: crate::AdminClient::estimate_reassignment

use std::fmt;
use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::client::AdminClient;
use crate::error::{Error, Result, ServerError};
use crate::types::BrokerId;

/// The first wait between two looks at a job; it doubles up to the wait's poll interval.
const POLL_FIRST: Duration = Duration::from_millis(100);
/// The poll interval of [`ReassignmentJob::wait`]: a job that ended is noticed within seconds.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// What to do with one topic of a [`ReassignmentRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicReassignment {
    /// Place the topic's replicas on `brokers`, moving only what balance requires; with a
    /// replication factor, change it too.
    Automatic {
        /// The topic.
        topic: String,
        /// The brokers to place it on.
        brokers: Vec<BrokerId>,
        /// The replication factor after the move; `None` keeps the current one.
        replication_factor: Option<u16>,
    },
    /// Move the listed partitions to the listed replicas; other partitions stay.
    Manual {
        /// The topic.
        topic: String,
        /// Each listed partition's replicas, preferred leader first.
        assignment: Vec<PartitionAssignment>,
    },
}

impl TopicReassignment {
    /// The topic it is about.
    pub fn topic(&self) -> &str {
        match self {
            TopicReassignment::Automatic { topic, .. }
            | TopicReassignment::Manual { topic, .. } => topic,
        }
    }
}

/// One partition of a manual [`TopicReassignment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionAssignment {
    /// The partition's id.
    pub partition: i32,
    /// Its replicas after the move, preferred leader first.
    pub replicas: Vec<BrokerId>,
}

/// A reassignment to run as a job (or to estimate): the topics, and how to run it.
///
/// Only the shape is checked here. Whether the topics and brokers exist, or a partition is listed
/// twice, is for the server to judge: it answers 3, 1005 or 1006 naming the topic and partition.
///
/// ```
/// use adminwire_client::ReassignmentRequest;
///
/// let request = ReassignmentRequest::new()
///     .automatic("orders", [1, 2, 3], Some(2))
///     .manual("audit", 0, [3, 1])
///     .manual("audit", 1, [1, 2])
///     .throttle(10_000_000)
///     .weigh_by_size(true);
/// assert_eq!(request.topics.len(), 2, "audit's partitions are one manual topic");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReassignmentRequest {
    /// The topics, each automatic or manual.
    pub topics: Vec<TopicReassignment>,
    /// The replication throttle while the job moves data, in bytes a second per broker and
    /// direction; `None` for none.
    pub throttle: Option<u64>,
    /// When to start, in milliseconds since the Unix epoch; `None` (or a time passed) for now.
    pub execute_at: Option<u64>,
    /// Balance the bytes each broker holds as well as its replica count (automatic topics).
    pub weigh_by_size: bool,
}

impl ReassignmentRequest {
    /// A request with no topics, no throttle, starting now.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a topic to place on `brokers` (with a new replication factor, or `None` to keep it).
    pub fn automatic(
        mut self,
        topic: impl Into<String>,
        brokers: impl IntoIterator<Item = BrokerId>,
        replication_factor: Option<u16>,
    ) -> Self {
        self.topics.push(TopicReassignment::Automatic {
            topic: topic.into(),
            brokers: brokers.into_iter().collect(),
            replication_factor,
        });
        self
    }

    /// Moves `partition` of `topic` to `replicas`; partitions of one topic are gathered in one
    /// manual entry.
    pub fn manual(
        mut self,
        topic: impl Into<String>,
        partition: i32,
        replicas: impl IntoIterator<Item = BrokerId>,
    ) -> Self {
        let topic = topic.into();
        let assigned = PartitionAssignment { partition, replicas: replicas.into_iter().collect() };
        let existing = self.topics.iter_mut().find_map(|t| match t {
            TopicReassignment::Manual { topic: name, assignment } if *name == topic => {
                Some(assignment)
            }
            _ => None,
        });
        match existing {
            Some(assignment) => assignment.push(assigned),
            None => {
                self.topics.push(TopicReassignment::Manual { topic, assignment: vec![assigned] })
            }
        }
        self
    }

    /// Sets the replication throttle, in bytes a second.
    pub fn throttle(mut self, bytes_per_sec: u64) -> Self {
        self.throttle = Some(bytes_per_sec);
        self
    }

    /// Starts the job at `epoch_ms` (milliseconds since the Unix epoch) rather than now.
    pub fn execute_at(mut self, epoch_ms: u64) -> Self {
        self.execute_at = Some(epoch_ms);
        self
    }

    /// Whether to weigh brokers by the bytes they hold as well as their replica count.
    pub fn weigh_by_size(mut self, weigh: bool) -> Self {
        self.weigh_by_size = weigh;
        self
    }
}

/// What a reassignment would do and how long it would take; nothing moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReassignmentEstimate {
    /// How long the job would take, in seconds.
    pub reassignment_time: u64,
    /// The bytes it copies (each partition's size once per replica it adds).
    pub bytes_to_move: u64,
    /// The rate assumed, in bytes a second per broker and direction (the throttle, or the
    /// sidecar's configured replication bandwidth).
    pub rate: u64,
    /// How many times the executor would start moves, under its concurrency limits.
    pub waves: u32,
    /// The broker whose copying sets the time; `None` if nothing is copied.
    pub slowest_broker: Option<BrokerId>,
    /// The bytes each broker would receive and send.
    pub brokers: Vec<BrokerLoad>,
    /// Every partition whose replicas change.
    pub partitions: Vec<PlannedMove>,
    /// Topics whose replicas could not be spread over racks.
    pub rack_unaware_topics: Vec<String>,
}

/// One broker's share of an estimated reassignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokerLoad {
    /// The broker.
    pub broker_id: BrokerId,
    /// Bytes copied to it.
    pub bytes_in: u64,
    /// Bytes copied from it.
    pub bytes_out: u64,
}

/// One partition of an estimated reassignment: where it is and where it would go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedMove {
    /// The topic.
    pub topic: String,
    /// The partition's id.
    pub partition: i32,
    /// Its replicas now, preferred leader first.
    pub replicas: Vec<BrokerId>,
    /// Its replicas after the move.
    pub target_replicas: Vec<BrokerId>,
    /// The partition's size (its largest replica's log).
    pub bytes: u64,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for its start time.
    Scheduled,
    /// Moving partitions.
    Running,
    /// Paused: no new move starts.
    Paused,
    /// Ended: every partition done (or skipped).
    Completed,
    /// Ended: it could not go on.
    Failed,
    /// Ended: cancelled, moves under way reverted.
    Cancelled,
}

impl JobState {
    const NAMES: [(JobState, &'static str); 6] = [
        (JobState::Scheduled, "SCHEDULED"),
        (JobState::Running, "RUNNING"),
        (JobState::Paused, "PAUSED"),
        (JobState::Completed, "COMPLETED"),
        (JobState::Failed, "FAILED"),
        (JobState::Cancelled, "CANCELLED"),
    ];

    /// The state the wire names `name` (`RUNNING`), if the protocol has it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES.iter().find(|(_, n)| *n == name).map(|(state, _)| *state)
    }

    /// The wire's name.
    pub fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(s, _)| *s == self).map_or("", |(_, name)| name)
    }

    /// Whether the job has ended (completed, failed or cancelled): it will not change again.
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Completed | JobState::Failed | JobState::Cancelled)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for JobState {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Where one partition of a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobPartitionState {
    /// Not started yet.
    Pending,
    /// Being moved.
    Moving,
    /// At its target replicas.
    Done,
    /// Left alone: another reassignment was moving it.
    Skipped,
    /// Could not be moved.
    Failed,
    /// Moved back to its old replicas (the job was cancelled while it moved).
    Reverted,
}

impl JobPartitionState {
    const NAMES: [(JobPartitionState, &'static str); 6] = [
        (JobPartitionState::Pending, "PENDING"),
        (JobPartitionState::Moving, "MOVING"),
        (JobPartitionState::Done, "DONE"),
        (JobPartitionState::Skipped, "SKIPPED"),
        (JobPartitionState::Failed, "FAILED"),
        (JobPartitionState::Reverted, "REVERTED"),
    ];

    /// The state the wire names `name` (`MOVING`), if the protocol has it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES.iter().find(|(_, n)| *n == name).map(|(state, _)| *state)
    }

    /// The wire's name.
    pub fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(s, _)| *s == self).map_or("", |(_, name)| name)
    }
}

impl fmt::Display for JobPartitionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for JobPartitionState {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A job as the sidecar describes it. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobDescription {
    /// The job's id.
    pub job_id: String,
    /// Where it stands.
    pub state: JobState,
    /// Its replication throttle in bytes a second, if it has one.
    pub throttle: Option<u64>,
    /// When it was submitted.
    pub created_ms: u64,
    /// When a scheduled job starts.
    pub execute_at: Option<u64>,
    /// When it started moving.
    pub started_ms: Option<u64>,
    /// When it ended.
    pub finished_ms: Option<u64>,
    /// The bytes it copies in all.
    pub bytes_total: u64,
    /// The bytes copied so far.
    pub bytes_moved: u64,
    /// Seconds still to go, if known.
    pub eta_seconds: Option<u64>,
    /// How many partitions it moves.
    pub partition_count: u32,
    /// How many of them are done.
    pub partitions_done: u32,
    /// Whether throttles it set still wait to be taken off (a broker is down).
    pub cleanup_pending: bool,
    /// Why it failed as a whole.
    pub error: Option<String>,
    /// The principal of the client that submitted it (`User:name`), if known.
    pub requested_by: Option<String>,
    /// For a scheduled job that started after its time (no sidecar ran jobs then): how late, in
    /// milliseconds.
    pub started_late_ms: Option<u64>,
    /// Its partitions, when asked for (empty otherwise).
    pub partitions: Vec<JobPartition>,
}

impl JobDescription {
    /// The job's progress, as a progress bar shows it.
    pub fn progress(&self) -> JobProgress {
        JobProgress {
            state: self.state,
            bytes_moved: self.bytes_moved,
            bytes_total: self.bytes_total,
            eta: self.eta_seconds.map(Duration::from_secs),
            partitions_done: self.partitions_done,
            partition_count: self.partition_count,
        }
    }
}

/// One partition of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobPartition {
    /// The topic.
    pub topic: String,
    /// The partition's id.
    pub partition: i32,
    /// Its replicas before the job.
    pub replicas: Vec<BrokerId>,
    /// Its replicas after the job.
    pub target_replicas: Vec<BrokerId>,
    /// Where it stands.
    pub state: JobPartitionState,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
    /// The bytes it copies.
    pub bytes_total: u64,
    /// The bytes copied so far.
    pub bytes_moved: u64,
}

/// What became of one job of a describe: its description, or the server's error for it (91
/// RESOURCE_NOT_FOUND: no such job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobResult {
    /// The job's id, as asked for.
    pub job_id: String,
    /// Its description, or why there is none.
    pub result: std::result::Result<JobDescription, ServerError>,
}

/// Which jobs to describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobSelection {
    /// Every job the sidecar knows, oldest first.
    All,
    /// These jobs, in this order.
    Ids(Vec<String>),
}

/// What can be done to a running job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAction {
    /// Start no new moves; moves under way finish.
    Pause,
    /// Go on after a pause.
    Resume,
    /// Stop: moves under way are reverted, throttles restored.
    Cancel,
    /// Move a scheduled job's start to this time, in milliseconds since the Unix epoch.
    Reschedule(u64),
    /// Run an ended job again for the partitions it did not move, each planned from the
    /// replicas it has now.
    Restart {
        /// Only those that failed; otherwise also those skipped, reverted or never started.
        only_failed: bool,
    },
}

impl JobAction {
    /// The wire's Action value.
    pub(crate) fn code(self) -> i8 {
        match self {
            JobAction::Pause => 0,
            JobAction::Resume => 1,
            JobAction::Cancel => 2,
            JobAction::Reschedule(_) => 3,
            JobAction::Restart { .. } => 5,
        }
    }

    /// The new start a re-time carries, or the wire's "none".
    pub(crate) fn execute_at(self) -> i64 {
        match self {
            JobAction::Reschedule(at) => i64::try_from(at).unwrap_or(i64::MAX),
            _ => -1,
        }
    }
}

/// How far a job has come, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JobProgress {
    /// Where it stands.
    pub state: JobState,
    /// Bytes copied so far.
    pub bytes_moved: u64,
    /// Bytes to copy in all.
    pub bytes_total: u64,
    /// Time still to go, if known.
    pub eta: Option<Duration>,
    /// Partitions done.
    pub partitions_done: u32,
    /// Partitions in all.
    pub partition_count: u32,
}

/// A submitted job: look at it, pause, resume or cancel it, or wait until it ends.
///
/// ```no_run
/// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
/// use std::time::Duration;
/// use adminwire_client::ReassignmentRequest;
///
/// let request = ReassignmentRequest::new().automatic("orders", [1, 2, 3], None).throttle(50_000_000);
/// let job = client.submit_reassignment(&request).await?;
/// let done = job
///     .wait_with_progress(Duration::from_secs(3600), Duration::from_secs(1), |p| {
///         println!("{}: {}/{} bytes", p.state, p.bytes_moved, p.bytes_total);
///     })
///     .await?;
/// println!("job {} ended {}", done.job_id, done.state);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ReassignmentJob {
    client: AdminClient,
    id: String,
}

impl ReassignmentJob {
    /// A handle on the job `id` (one submitted earlier, or by someone else).
    pub fn new(client: AdminClient, id: impl Into<String>) -> Self {
        Self { client, id: id.into() }
    }

    /// The job's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The job as it is now, with its partitions.
    pub async fn describe(&self) -> Result<JobDescription> {
        self.client.describe_reassignment_job(&self.id).await
    }

    /// How far the job has come.
    pub async fn progress(&self) -> Result<JobProgress> {
        let description = self.client.describe_reassignment_jobs_without_partitions(&self.id);
        Ok(description.await?.progress())
    }

    /// Pauses the job; returns its state then.
    pub async fn pause(&self) -> Result<JobState> {
        self.client.alter_reassignment_job(&self.id, JobAction::Pause).await
    }

    /// Resumes the paused job; returns its state then.
    pub async fn resume(&self) -> Result<JobState> {
        self.client.alter_reassignment_job(&self.id, JobAction::Resume).await
    }

    /// Cancels the job; returns its state then (moves under way are reverted in the
    /// background: describe the job, or wait for it, to see it end).
    pub async fn cancel(&self) -> Result<JobState> {
        self.client.alter_reassignment_job(&self.id, JobAction::Cancel).await
    }

    /// Moves the job's start to `execute_at_ms` (milliseconds since the Unix epoch); only a
    /// scheduled job can be re-timed.
    pub async fn reschedule(&self, execute_at_ms: u64) -> Result<JobState> {
        self.client.alter_reassignment_job(&self.id, JobAction::Reschedule(execute_at_ms)).await
    }

    /// Runs the ended job again for the partitions it did not move — with `only_failed`, only
    /// those that failed; otherwise also those skipped, reverted or never started — each planned
    /// from the replicas it has now. Returns its state then and how many partitions it retries
    /// (none: the job stays as it ended).
    pub async fn restart(&self, only_failed: bool) -> Result<(JobState, u32)> {
        let action = JobAction::Restart { only_failed };
        let (state, retried) = self.client.alter_reassignment_job_counted(&self.id, action).await?;
        Ok((state, retried.unwrap_or(0)))
    }

    /// Waits until the job ends (completed, failed or cancelled) with its throttles off (not
    /// `cleanup_pending`: a broker that was down has them taken off), looking at it at most every
    /// [`DEFAULT_POLL_INTERVAL`]; [`Error::Timeout`] once `deadline` has passed. The job goes on
    /// either way: only the waiting ends.
    pub async fn wait(&self, deadline: Duration) -> Result<JobDescription> {
        self.wait_with_progress(deadline, DEFAULT_POLL_INTERVAL, |_| {}).await
    }

    /// Like [`wait`](Self::wait), calling `on_progress` after every look. Looks start 100 ms
    /// apart and the pause doubles up to `poll_interval`, so a short job ends the wait soon and
    /// a long one is not asked about more often than that.
    pub async fn wait_with_progress(
        &self,
        deadline: Duration,
        poll_interval: Duration,
        mut on_progress: impl FnMut(&JobProgress),
    ) -> Result<JobDescription> {
        let longest_pause = poll_interval.max(POLL_FIRST);
        let polling = async {
            let mut pause = POLL_FIRST;
            loop {
                let summary = self.client.describe_reassignment_jobs_without_partitions(&self.id);
                let summary = summary.await?;
                on_progress(&summary.progress());
                if summary.state.is_final() && !summary.cleanup_pending {
                    // The final look includes the partitions, for the caller's report.
                    return self.describe().await;
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(longest_pause);
            }
        };
        tokio::time::timeout(deadline, polling).await.unwrap_or(Err(Error::Timeout {
            what: format!("reassignment job {}", self.id),
            after: deadline,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_have_the_wires_names_and_say_whether_they_are_final() {
        for (state, name) in JobState::NAMES {
            assert_eq!(JobState::from_name(name), Some(state));
            assert_eq!(state.name(), name);
            assert_eq!(serde_json::to_value(state).unwrap(), name);
        }
        let ended: Vec<JobState> =
            JobState::NAMES.iter().map(|(s, _)| *s).filter(|s| s.is_final()).collect();
        assert_eq!(ended, [JobState::Completed, JobState::Failed, JobState::Cancelled]);
        assert_eq!(JobState::from_name("running"), None, "the wire's names are upper case");
        for (state, name) in JobPartitionState::NAMES {
            assert_eq!(JobPartitionState::from_name(name), Some(state));
        }
    }

    #[test]
    fn manual_partitions_of_a_topic_are_gathered() {
        let request = ReassignmentRequest::new()
            .manual("a", 0, [1])
            .automatic("b", [1, 2], None)
            .manual("a", 1, [2]);
        assert_eq!(request.topics.len(), 2);
        let TopicReassignment::Manual { assignment, .. } = &request.topics[0] else {
            panic!("{request:?}")
        };
        assert_eq!(assignment.iter().map(|p| p.partition).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(request.topics[1].topic(), "b");
    }
}
