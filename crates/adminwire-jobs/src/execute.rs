//! Carrying a plan out: moves started with AlterPartitionReassignments (KIP-455) in waves under
//! per-broker and cluster-wide limits, refilled as partitions finish, each wave throttled first;
//! progress read from the new replicas' logs; pause, resume and cancel; throttles taken off per
//! partition as it finishes and wholly at the end, retried until a broker that is down is back.
//!
//! A partition another reassignment is moving (another tool's, or another job's) is never touched:
//! it is reported skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use adminwire_kafka::client::{Client, To};
use adminwire_kafka::connection::ConnectionError;
use kafka_protocol::messages::alter_partition_reassignments_request::{
    ReassignablePartition, ReassignableTopic,
};
use kafka_protocol::messages::describe_log_dirs_request::DescribableLogDirTopic;
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, BrokerId, DescribeLogDirsRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::sync::watch;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::estimate::{self, Concurrency};
use crate::job::{Job, JobState, PartitionState};
use crate::plan::Move;
use crate::store::Store;
use crate::survey;
use crate::throttle::{ThrottleError, Throttles};

/// What a job is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Control {
    Run,
    Pause,
    Cancel,
}

/// A job, shared between the executor and whoever shows it.
pub type SharedJob = Arc<Mutex<Job>>;

/// How long a partition that left the cluster's reassignments may show other replicas in metadata
/// (a broker a moment behind the controller) before it is called failed.
const SETTLE: Duration = Duration::from_secs(30);

/// Runs jobs on a cluster.
#[derive(Debug)]
pub struct Executor {
    client: Arc<Client>,
    throttles: Arc<Throttles>,
    limits: Concurrency,
    poll: Duration,
    /// Where each job's state is written: before a wave starts, after every look, at its end.
    store: Arc<Store>,
}

/// Why a step could not be taken; the next one tries again.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Kafka(#[from] ConnectionError),
    #[error(transparent)]
    Throttle(#[from] ThrottleError),
    #[error("writing the job down: {0}")]
    Store(String),
}

fn lock(job: &SharedJob) -> MutexGuard<'_, Job> {
    job.lock().unwrap_or_else(PoisonError::into_inner)
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Executor {
    pub fn new(
        client: Arc<Client>,
        throttles: Arc<Throttles>,
        limits: Concurrency,
        poll: Duration,
        store: Arc<Store>,
    ) -> Self {
        Self { client, throttles, limits, poll, store }
    }

    /// Runs `job` to its end, as `control` says; its throttles are off when this returns. A job
    /// that ran before (in this process or another, which stopped) goes on from where its last
    /// written state says it was.
    pub async fn run(&self, job: SharedJob, mut control: watch::Receiver<Control>) {
        let (id, ended_before) = {
            let mut job = lock(&job);
            job.started_ms.get_or_insert_with(now_ms);
            let ended = job.state.is_final().then_some(job.state);
            if ended.is_none() {
                job.state = JobState::Running;
            }
            (job.id.clone(), ended)
        };
        // A job that had ended with its throttles still to take off only needs that done.
        let ended = match ended_before {
            Some(ended) => ended,
            None => self.carry_out(&job, &id, &mut control).await,
        };
        // The job shows its end once its throttles are off; if a broker keeps them on, it shows
        // its end with the clean-up pending, until that is done too.
        loop {
            match self.throttles.release_all(&id).await {
                Ok(()) => break,
                Err(e) => {
                    warn!(job = %id, "taking the job's throttles off failed, trying again: {e}");
                    let newly_pending = {
                        let mut job = lock(&job);
                        job.state = ended;
                        !std::mem::replace(&mut job.cleanup_pending, true)
                    };
                    // Written once, so that listings say so and a successor knows that only the
                    // clean-up is left.
                    if newly_pending {
                        self.save(&job).await;
                    }
                    tokio::time::sleep(self.poll).await;
                }
            }
        }
        // Shown here only once written: whoever sees the end here and acts on it through another
        // process (a restart, a deletion) finds it in the store too.
        let mut end = lock(&job).clone();
        end.state = ended;
        end.cleanup_pending = false;
        end.finished_ms = Some(now_ms());
        end.eta_seconds = Some(0);
        if let Err(e) = self.store.save_job(&end).await {
            warn!(job = %id, "writing the job's end failed: {e}");
        }
        info!(job = %id, state = ?end.state, "job ended");
        *lock(&job) = end;
    }

    /// Steps the job until it ends: how it ended.
    async fn carry_out(
        &self,
        job: &SharedJob,
        id: &str,
        control: &mut watch::Receiver<Control>,
    ) -> JobState {
        let mut run = Run { unsettled: BTreeMap::new(), cancelled_sent: false, last: None };
        while let Err(e) = self.resume(job).await {
            warn!(job = %id, "looking at a resumed job failed, trying again: {e}");
            tokio::time::sleep(self.poll).await;
        }
        loop {
            let asked = *control.borrow_and_update();
            let stepped = self.step(job, asked, &mut run).await;
            self.save(job).await;
            match stepped {
                Ok(Some(ended)) => return ended,
                Ok(None) => {}
                Err(e) => warn!(job = %id, "a step of the job failed, trying again: {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.poll) => {}
                changed = control.changed() => if changed.is_err() {
                    // Nobody can control the job any more: it goes on as it was asked last.
                    tokio::time::sleep(self.poll).await;
                },
            }
        }
    }

    /// Writes `job` as it is now. A failed write is logged and the job goes on: the next look
    /// writes it again, and what it acts on first (a wave) is written with [`Self::save_first`].
    async fn save(&self, job: &SharedJob) {
        let now = lock(job).clone();
        if let Err(e) = self.store.save_job(&now).await {
            warn!(job = %now.id, "writing the job's state failed: {e}");
        }
    }

    /// Writes `job` before what it says is acted on; the action waits for the next look if the
    /// write fails.
    async fn save_first(&self, job: &Job) -> Result<(), StepError> {
        self.store.save_job(job).await.map_err(|e| StepError::Store(e.to_string()))
    }

    /// A job's partitions as the cluster has them now, for a job taken up again: a partition
    /// written as moving whose move never reached the cluster (the runner stopped between
    /// writing and starting it) is pending again; one that finished meanwhile is done.
    async fn resume(&self, job: &SharedJob) -> Result<(), StepError> {
        let moving = moving(job);
        if moving.is_empty() {
            return Ok(());
        }
        let listed = self.reassigning().await?;
        let replicas = self.replicas(moving.iter().map(|m| m.topic.as_str())).await?;
        let id = lock(job).id.clone();
        let mut finished = Vec::new();
        {
            let mut job = lock(job);
            for p in job.partitions.iter_mut().filter(|p| p.state == PartitionState::Moving) {
                let key = (p.change.topic.clone(), p.change.partition);
                if listed.contains(&key) {
                    continue;
                }
                match replicas.get(&key) {
                    Some(now) if *now == p.change.after => {
                        p.state = PartitionState::Done;
                        p.bytes_copied = p.bytes_total;
                        finished.push(p.change.clone());
                    }
                    Some(now) if *now == p.change.before => p.state = PartitionState::Pending,
                    _ => {}
                }
            }
        }
        if !finished.is_empty() {
            self.throttles.release(&id, &finished).await?;
        }
        info!(job = %id, finished = finished.len(), "job taken up again");
        Ok(())
    }

    /// One look at the cluster and what follows from it; how the job ended, once it has.
    async fn step(
        &self,
        job: &SharedJob,
        asked: Control,
        run: &mut Run,
    ) -> Result<Option<JobState>, StepError> {
        let listed = self.reassigning().await?;
        self.follow_moving(job, &listed, run).await?;
        self.read_progress(job).await?;
        let id = lock(job).id.clone();
        match asked {
            Control::Cancel => {
                let moving: Vec<Move> = moving(job);
                if !moving.is_empty() && !run.cancelled_sent {
                    self.alter(&moving, true).await?;
                    run.cancelled_sent = true;
                }
                let job = lock(job);
                if job.partitions.iter().any(|p| p.state == PartitionState::Moving) {
                    return Ok(None);
                }
                return Ok(Some(JobState::Cancelled));
            }
            Control::Pause => lock(job).state = JobState::Paused,
            Control::Run => {
                lock(job).state = JobState::Running;
                self.start_moves(job, &listed, &id).await?;
            }
        }
        let mut job = lock(job);
        self.update_eta(&mut job, run);
        let open = job
            .partitions
            .iter()
            .any(|p| matches!(p.state, PartitionState::Pending | PartitionState::Moving));
        if open || asked == Control::Pause {
            return Ok(None);
        }
        let failed = job.partitions.iter().any(|p| matches!(p.state, PartitionState::Failed(_)));
        Ok(Some(if failed { JobState::Failed } else { JobState::Completed }))
    }

    /// The partitions the cluster is reassigning now, by anyone.
    async fn reassigning(&self) -> Result<BTreeSet<(String, i32)>, StepError> {
        Ok(survey::reassigning(&self.client).await?)
    }

    /// Moving partitions that left the cluster's reassignments: done (their throttles off) when the
    /// metadata shows the new replicas, reverted if the job was cancelled, failed if the replicas
    /// stay otherwise.
    async fn follow_moving(
        &self,
        job: &SharedJob,
        listed: &BTreeSet<(String, i32)>,
        run: &mut Run,
    ) -> Result<(), StepError> {
        let left: Vec<(usize, Move)> = {
            let job = lock(job);
            job.partitions
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.state == PartitionState::Moving
                        && !listed.contains(&(p.change.topic.clone(), p.change.partition))
                })
                .map(|(i, p)| (i, p.change.clone()))
                .collect()
        };
        if left.is_empty() {
            return Ok(());
        }
        let replicas = self.replicas(left.iter().map(|(_, m)| m.topic.as_str())).await?;
        let id = lock(job).id.clone();
        for (i, m) in left {
            let now = replicas.get(&(m.topic.clone(), m.partition));
            let state = if now == Some(&m.after) {
                self.throttles.release(&id, std::slice::from_ref(&m)).await?;
                Some(PartitionState::Done)
            } else if run.cancelled_sent && now.is_some_and(|r| sorted(r) == sorted(&m.before)) {
                self.throttles.release(&id, std::slice::from_ref(&m)).await?;
                Some(PartitionState::Reverted)
            } else if run.unsettled.entry(i).or_insert_with(Instant::now).elapsed() > SETTLE {
                Some(PartitionState::Failed(format!(
                    "the reassignment ended with replicas {now:?}, not {:?}",
                    m.after
                )))
            } else {
                None
            };
            if let Some(state) = state {
                run.unsettled.remove(&i);
                let mut job = lock(job);
                if state == PartitionState::Done {
                    job.partitions[i].bytes_copied = job.partitions[i].bytes_total;
                }
                job.partitions[i].state = state;
            }
        }
        Ok(())
    }

    /// Bytes on the new replicas' brokers so far, for every moving partition.
    async fn read_progress(&self, job: &SharedJob) -> Result<(), StepError> {
        let mut by_broker: BTreeMap<i32, BTreeMap<String, Vec<i32>>> = BTreeMap::new();
        for m in moving(job) {
            for to in m.adding() {
                by_broker
                    .entry(to)
                    .or_default()
                    .entry(m.topic.clone())
                    .or_default()
                    .push(m.partition);
            }
        }
        let mut sizes: BTreeMap<(String, i32, i32), u64> = BTreeMap::new();
        for (broker, topics) in by_broker {
            let request = DescribeLogDirsRequest::default().with_topics(Some(
                topics
                    .into_iter()
                    .map(|(topic, partitions)| {
                        DescribableLogDirTopic::default()
                            .with_topic(TopicName(StrBytes::from_string(topic)))
                            .with_partitions(partitions)
                    })
                    .collect(),
            ));
            let dirs = self.client.call(To::Broker(broker), request).await?;
            for dir in &dirs.results {
                for topic in &dir.topics {
                    for p in &topic.partitions {
                        let size = u64::try_from(p.partition_size).unwrap_or(0);
                        let entry = sizes
                            .entry((topic.name.to_string(), p.partition_index, broker))
                            .or_default();
                        *entry = (*entry).max(size);
                    }
                }
            }
        }
        let mut job = lock(job);
        for p in job.partitions.iter_mut().filter(|p| p.state == PartitionState::Moving) {
            let copied: u64 = p
                .change
                .adding()
                .map(|to| {
                    sizes
                        .get(&(p.change.topic.clone(), p.change.partition, to))
                        .copied()
                        .unwrap_or(0)
                })
                .sum();
            p.bytes_copied = copied.min(p.bytes_total);
        }
        Ok(())
    }

    /// Starts the pending moves that fit under the limits, after throttling them.
    async fn start_moves(
        &self,
        job: &SharedJob,
        listed: &BTreeSet<(String, i32)>,
        id: &str,
    ) -> Result<(), StepError> {
        let (wave, throttle) = {
            let mut job = lock(job);
            let mut into: BTreeMap<i32, usize> = BTreeMap::new();
            let mut out_of: BTreeMap<i32, usize> = BTreeMap::new();
            let mut running = 0;
            for p in job.partitions.iter().filter(|p| p.state == PartitionState::Moving) {
                running += 1;
                p.change.adding().for_each(|b| *into.entry(b).or_default() += 1);
                p.change.before.iter().for_each(|&b| *out_of.entry(b).or_default() += 1);
            }
            let mut wave = Vec::new();
            let mut held_up = 0;
            for (i, p) in job.partitions.iter_mut().enumerate() {
                if p.state != PartitionState::Pending {
                    continue;
                }
                if listed.contains(&(p.change.topic.clone(), p.change.partition)) {
                    p.state = PartitionState::Skipped("another reassignment is moving it".into());
                    continue;
                }
                if running >= self.limits.cluster.max(1) {
                    break;
                }
                let per = self.limits.per_broker.max(1);
                let fits = p.change.adding().all(|b| into.get(&b).copied().unwrap_or(0) < per)
                    && p.change.before.iter().all(|b| out_of.get(b).copied().unwrap_or(0) < per);
                if !fits {
                    // As the estimate plays it: a few moves may go ahead of one held up, not all.
                    held_up += 1;
                    if held_up >= estimate::LOOKAHEAD {
                        break;
                    }
                    continue;
                }
                running += 1;
                p.change.adding().for_each(|b| *into.entry(b).or_default() += 1);
                p.change.before.iter().for_each(|&b| *out_of.entry(b).or_default() += 1);
                wave.push((i, p.change.clone()));
            }
            (wave, job.throttle)
        };
        if wave.is_empty() {
            return Ok(());
        }
        // Written as moving before anything of the wave is asked of the cluster.
        let intended = {
            let mut intended = lock(job).clone();
            for (i, _) in &wave {
                intended.partitions[*i].state = PartitionState::Moving;
            }
            intended
        };
        self.save_first(&intended).await?;
        let moves: Vec<Move> = wave.iter().map(|(_, m)| m.clone()).collect();
        if let Some(rate) = throttle {
            self.throttles.apply(id, rate, &moves).await?;
        }
        let errors = self.alter(&moves, false).await?;
        let mut job = lock(job);
        for (i, m) in wave {
            job.partitions[i].state = match errors.get(&(m.topic.clone(), m.partition)) {
                Some(message) => PartitionState::Failed(message.clone()),
                None => PartitionState::Moving,
            };
        }
        Ok(())
    }

    /// Starts `moves` (or, with `cancel`, reverts them); the partitions Kafka refused, with why.
    async fn alter(
        &self,
        moves: &[Move],
        cancel: bool,
    ) -> Result<BTreeMap<(String, i32), String>, StepError> {
        let mut topics: BTreeMap<&str, Vec<ReassignablePartition>> = BTreeMap::new();
        for m in moves {
            let replicas = (!cancel).then(|| m.after.iter().map(|&b| BrokerId(b)).collect());
            topics.entry(&m.topic).or_default().push(
                ReassignablePartition::default()
                    .with_partition_index(m.partition)
                    .with_replicas(replicas),
            );
        }
        let request =
            AlterPartitionReassignmentsRequest::default().with_timeout_ms(30_000).with_topics(
                topics
                    .into_iter()
                    .map(|(name, partitions)| {
                        ReassignableTopic::default()
                            .with_name(TopicName(StrBytes::from_string(name.to_owned())))
                            .with_partitions(partitions)
                    })
                    .collect(),
            );
        let response = self.client.call(To::Any, request).await?;
        let mut refused = BTreeMap::new();
        if response.error_code != 0 {
            let message = response
                .error_message
                .map_or_else(|| format!("error {}", response.error_code), |m| m.to_string());
            for m in moves {
                refused.insert((m.topic.clone(), m.partition), message.clone());
            }
            return Ok(refused);
        }
        for topic in &response.responses {
            for p in &topic.partitions {
                // 85 NO_REASSIGNMENT_IN_PROGRESS on a cancel: it had finished already.
                if p.error_code != 0 && !(cancel && p.error_code == 85) {
                    let message = p
                        .error_message
                        .as_ref()
                        .map_or_else(|| format!("error {}", p.error_code), |m| m.to_string());
                    refused.insert((topic.name.to_string(), p.partition_index), message);
                }
            }
        }
        Ok(refused)
    }

    /// The replicas of `topics`' partitions, from metadata.
    async fn replicas<'a>(
        &self,
        topics: impl Iterator<Item = &'a str>,
    ) -> Result<BTreeMap<(String, i32), Vec<i32>>, StepError> {
        let metadata = survey::metadata(&self.client, topics).await?;
        Ok(metadata
            .topics
            .iter()
            .filter_map(|t| Some((t.name.as_ref()?.to_string(), t)))
            .flat_map(|(name, t)| {
                t.partitions.iter().map(move |p| {
                    (
                        (name.clone(), p.partition_index),
                        p.replica_nodes.iter().map(|b| b.0).collect(),
                    )
                })
            })
            .collect())
    }

    /// What is left, played forward at the throttle (or at the rate measured since the last look).
    fn update_eta(&self, job: &mut Job, run: &mut Run) {
        let copied = job.bytes_copied();
        let measured = run.last.map(|(at, bytes): (Instant, u64)| {
            let seconds = at.elapsed().as_secs_f64();
            (copied.saturating_sub(bytes) as f64 / seconds.max(0.001)) as u64
        });
        run.last = Some((Instant::now(), copied));
        let Some(rate) = job.throttle.or(measured.filter(|r| *r > 0)) else { return };
        // What is left of each partition, as a move of that many bytes per new replica.
        let left: Vec<Move> = job
            .partitions
            .iter()
            .filter(|p| matches!(p.state, PartitionState::Pending | PartitionState::Moving))
            .map(|p| {
                let adding = p.change.adding().count().max(1) as u64;
                Move {
                    size: p.bytes_total.saturating_sub(p.bytes_copied) / adding,
                    ..p.change.clone()
                }
            })
            .collect();
        let copies = estimate::copies(&left, |_| None);
        job.eta_seconds = Some(estimate::estimate(&copies, rate, self.limits).seconds);
    }
}

/// What one run of a job keeps between steps.
#[derive(Debug)]
struct Run {
    /// Partitions out of the cluster's reassignments whose metadata does not show the new
    /// replicas yet, since when.
    unsettled: BTreeMap<usize, Instant>,
    cancelled_sent: bool,
    /// When progress was last read, and the bytes copied then.
    last: Option<(Instant, u64)>,
}

fn moving(job: &SharedJob) -> Vec<Move> {
    lock(job)
        .partitions
        .iter()
        .filter(|p| p.state == PartitionState::Moving)
        .map(|p| p.change.clone())
        .collect()
}

fn sorted(replicas: &[i32]) -> Vec<i32> {
    let mut sorted = replicas.to_vec();
    sorted.sort_unstable();
    sorted
}
