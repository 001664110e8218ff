//! A job as every front end sees it: what it moves, where each partition is, bytes moved, throttle,
//! times, and what it expects still to take.

use serde::{Deserialize, Serialize};

use crate::plan::Move;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobState {
    /// Waiting for its start time.
    Scheduled,
    Running,
    /// No new moves start; those under way finish.
    Paused,
    Completed,
    /// Some partition could not be moved (each says why), or the job could not go on.
    Failed,
    /// Stopped on request; moves under way were reverted.
    Cancelled,
}

impl JobState {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// The state's name as every front end shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Scheduled => "SCHEDULED",
            Self::Running => "RUNNING",
            Self::Paused => "PAUSED",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
            Self::Cancelled => "CANCELLED",
        }
    }
}

/// Where one partition of a job is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "state", content = "reason")]
pub enum PartitionState {
    Pending,
    Moving,
    Done,
    /// Not touched: another reassignment was moving it.
    Skipped(String),
    Failed(String),
    /// Its move was under way when the job was cancelled, and was reverted.
    Reverted,
}

impl PartitionState {
    /// The state's name as every front end shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Moving => "MOVING",
            Self::Done => "DONE",
            Self::Skipped(_) => "SKIPPED",
            Self::Failed(_) => "FAILED",
            Self::Reverted => "REVERTED",
        }
    }

    /// Why the partition was skipped or failed.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Skipped(why) | Self::Failed(why) => Some(why),
            _ => None,
        }
    }
}

/// One partition of a job and its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionProgress {
    #[serde(flatten)]
    pub change: Move,
    #[serde(flatten)]
    pub state: PartitionState,
    /// Bytes to copy: the partition's size for each replica added.
    pub bytes_total: u64,
    /// Bytes on the new replicas' brokers so far.
    pub bytes_copied: u64,
}

/// A reassignment job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub state: JobState,
    pub partitions: Vec<PartitionProgress>,
    /// Bytes a second per broker each way, if throttled.
    pub throttle: Option<u64>,
    /// Milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// When a scheduled job is to start.
    pub execute_at_ms: Option<u64>,
    pub started_ms: Option<u64>,
    pub finished_ms: Option<u64>,
    /// Seconds still to go, when known.
    pub eta_seconds: Option<u64>,
    /// Throttles the job set that could not be taken off yet (a broker down); retried until they
    /// are.
    pub cleanup_pending: bool,
    /// Why the job failed as a whole, if it did.
    pub error: Option<String>,
    /// The principal of the client that submitted it (`User:name`), when known.
    #[serde(default)]
    pub requested_by: Option<String>,
    /// For a scheduled job that started after its time (no process ran jobs then): how late.
    #[serde(default)]
    pub started_late_ms: Option<u64>,
}

impl Job {
    pub fn new(id: String, moves: Vec<Move>, throttle: Option<u64>, created_ms: u64) -> Self {
        let partitions = moves
            .into_iter()
            .map(|change| {
                let bytes_total = change.size * change.adding().count() as u64;
                PartitionProgress {
                    change,
                    state: PartitionState::Pending,
                    bytes_total,
                    bytes_copied: 0,
                }
            })
            .collect();
        Self {
            id,
            state: JobState::Running,
            partitions,
            throttle,
            created_ms,
            execute_at_ms: None,
            started_ms: None,
            finished_ms: None,
            eta_seconds: None,
            cleanup_pending: false,
            error: None,
            requested_by: None,
            started_late_ms: None,
        }
    }

    pub fn bytes_total(&self) -> u64 {
        self.partitions.iter().map(|p| p.bytes_total).sum()
    }

    pub fn bytes_copied(&self) -> u64 {
        self.partitions.iter().map(|p| p.bytes_copied.min(p.bytes_total)).sum()
    }

    pub fn count(&self, state: &PartitionState) -> usize {
        self.partitions.iter().filter(|p| &p.state == state).count()
    }
}
