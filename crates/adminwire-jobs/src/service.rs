//! Reassignments as a service, the one entry point of every front end (the sidecar's wire
//! handlers, the REST API, the CLI): estimate a request, submit it as a job, list, describe,
//! pause, resume and cancel jobs.
//!
//! Jobs are kept in a [`Store`]: a compacted topic of the cluster, so that a restarted process
//! takes its jobs up again where they were, or this process's memory.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use adminwire_kafka::client::Client;
use adminwire_kafka::connection::ConnectionError;
use tokio::sync::watch;

use crate::estimate::{self, Concurrency, Estimate};
use crate::execute::{Control, Executor, SharedJob};
use crate::job::{Job, JobState, PartitionState};
use crate::plan::{self, Options, Plan, PlanError, TopicRequest};
use crate::store::{Lease, Store, StoreError};
use crate::survey::{self, survey};
use crate::throttle::Throttles;

/// What is asked: the seed's `reassignments`, `throttle`, `is_schedule` + `execute_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub topics: Vec<TopicRequest>,
    /// Bytes a second per broker each way; none: unthrottled.
    pub throttle: Option<u64>,
    /// Milliseconds since the Unix epoch at which to start; none: now.
    pub execute_at: Option<u64>,
    pub options: Options,
    /// The principal of the client asking (`User:name`), recorded with the job.
    pub requested_by: Option<String>,
}

/// Why a request or a command was refused.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("the cluster could not be read: {0}")]
    Kafka(#[from] ConnectionError),
    #[error("no job {0}")]
    UnknownJob(String),
    #[error("job {id} has ended ({state:?})")]
    Ended { id: String, state: JobState },
    #[error("job {id} is {state:?}, not scheduled: only a scheduled job can be re-timed")]
    NotScheduled { id: String, state: JobState },
    #[error(
        "job {id} is {}{}: only an ended job can {action}; cancel it first, or wait for its end",
        state.name(),
        if *cleanup_pending { " with its throttles still to take off" } else { "" }
    )]
    NotEnded { id: String, state: JobState, cleanup_pending: bool, action: &'static str },
    #[error("a throttle of 0 bytes a second would never finish")]
    ZeroThrottle,
    #[error(
        "{} {} moved by another reassignment now: submit again once it has finished, or \
         schedule the job (a partition still moving when a job starts is skipped)",
        partitions.join(", "),
        if partitions.len() == 1 { "is being" } else { "are being" }
    )]
    Moving { partitions: Vec<String> },
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Which partitions of an ended job a restart retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Those that failed.
    Failed,
    /// Every one not done: failed, skipped, reverted or never started.
    NotDone,
}

impl Retry {
    fn includes(self, state: &PartitionState) -> bool {
        match self {
            Self::Failed => matches!(state, PartitionState::Failed(_)),
            Self::NotDone => *state != PartitionState::Done,
        }
    }
}

/// Refuses a job that has not ended (or whose throttles are still to take off) what only an
/// ended job can do.
fn ended(job: &Job, action: &'static str) -> Result<(), ServiceError> {
    if job.state.is_final() && !job.cleanup_pending {
        return Ok(());
    }
    let (state, cleanup_pending) = (job.state, job.cleanup_pending);
    Err(ServiceError::NotEnded { id: job.id.clone(), state, cleanup_pending, action })
}

/// A job this process runs, and how to tell it what it is asked.
struct Running {
    job: SharedJob,
    control: watch::Sender<Control>,
    task: tokio::task::AbortHandle,
}

/// This process as one of several sharing a store: its name in the lease, and how long a lease
/// holds without renewal.
#[derive(Debug, Clone)]
pub struct Membership {
    pub member: String,
    pub lease: Duration,
}

/// Keeps (or waits to take) the store's lease for one process.
#[derive(Debug)]
struct LeaseKeeper {
    membership: Membership,
    /// When a claim or renewal of ours was last read back.
    confirmed: Option<Instant>,
    /// When we last wrote a renewal.
    renewed: Option<Instant>,
    /// When this process took the lease over from another holder: how long it had gone
    /// unrenewed.
    took_over_after: Option<Duration>,
}

impl LeaseKeeper {
    fn new(membership: Membership) -> Self {
        Self { membership, confirmed: None, renewed: None, took_over_after: None }
    }

    /// How long to wait between looks: never longer than between renewals, so that a renewal
    /// is never late.
    fn pause(&self) -> Duration {
        self.renew_every().min(Duration::from_secs(1))
    }

    /// A third of the lease: two renewals may go astray before it runs out.
    fn renew_every(&self) -> Duration {
        self.membership.lease / 3
    }

    /// Renews the lease if this process holds it, claims it if its holder let it run out;
    /// whether this process holds it now. A holder that has not had a renewal read back for half
    /// the lease stops counting itself the holder before anyone else may claim it.
    async fn keep(&mut self, store: &Store) -> bool {
        let me = &self.membership.member;
        let lease = self.membership.lease;
        let now = Instant::now();
        match store.runner() {
            Some((held, _)) if held.holder == *me => {
                if self.renewed.is_none_or(|at| now.duration_since(at) >= self.renew_every()) {
                    self.renewed = Some(now);
                    match store.save_runner(&held).await {
                        Ok(()) => self.confirmed = Some(Instant::now()),
                        Err(e) => tracing::warn!("renewing the jobs lease failed: {e}"),
                    }
                }
                self.confirmed.is_some_and(|at| at.elapsed() < lease / 2)
            }
            Some((_, seen)) if seen.elapsed() < lease => false,
            other => {
                let unrenewed = other.as_ref().map(|(_, seen)| seen.elapsed());
                let epoch = other.map_or(1, |(held, _)| held.epoch + 1);
                let claim = Lease { holder: me.clone(), epoch };
                if let Err(e) = store.save_runner(&claim).await {
                    tracing::warn!("claiming the jobs lease failed: {e}");
                    return false;
                }
                let taken = store.runner().is_some_and(|(held, _)| held == claim);
                if taken {
                    tracing::info!(member = %me, epoch, "this process runs the jobs now");
                    self.confirmed = Some(Instant::now());
                    self.renewed = Some(Instant::now());
                    self.took_over_after = unrenewed;
                }
                taken
            }
        }
    }
}

/// How the service works the cluster and keeps its jobs.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How many moves run at once, per broker and in the cluster.
    pub limits: Concurrency,
    /// How often a running job looks at the cluster.
    pub poll: Duration,
    /// The replication rate assumed for an unthrottled estimate, bytes a second per broker.
    pub bandwidth: u64,
    /// How long a job is kept after it ended (and its clean-up was done); then the runner
    /// removes it from the store.
    pub retention: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            limits: Concurrency::default(),
            poll: Duration::from_secs(1),
            bandwidth: 50_000_000,
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The reassignment service of one cluster.
pub struct Reassignments {
    client: Arc<Client>,
    store: Arc<Store>,
    throttles: Arc<Throttles>,
    executor: Arc<Executor>,
    limits: Concurrency,
    /// The replication rate assumed for an unthrottled estimate, bytes a second per broker.
    bandwidth: u64,
    retention: Duration,
    running: Mutex<BTreeMap<String, Running>>,
    /// Whether this process runs the jobs now (holds the lease).
    runs: AtomicBool,
    took_over_after: Mutex<Option<Duration>>,
    next: AtomicU64,
}

impl std::fmt::Debug for Reassignments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reassignments").field("jobs", &self.jobs().len()).finish_non_exhaustive()
    }
}

/// How long past its time a scheduled job may start before it is said to have started late:
/// about what taking a job up takes.
const LATE: u64 = 2_000;

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Reassignments {
    /// The service for the cluster `client` reaches (its principal runs the moves), its jobs kept
    /// in `store`, working as `settings` say. Nothing runs until [`Self::run_jobs`].
    pub fn new(client: Arc<Client>, store: Arc<Store>, settings: Settings) -> Arc<Self> {
        let Settings { limits, poll, bandwidth, retention } = settings;
        let throttles = Arc::new(Throttles::new(Arc::clone(&client), Arc::clone(&store)));
        let executor = Arc::new(Executor::new(
            Arc::clone(&client),
            Arc::clone(&throttles),
            limits,
            poll,
            Arc::clone(&store),
        ));
        Arc::new(Self {
            client,
            store,
            throttles,
            executor,
            limits,
            bandwidth,
            retention,
            running: Mutex::new(BTreeMap::new()),
            runs: AtomicBool::new(false),
            took_over_after: Mutex::new(None),
            next: AtomicU64::new(0),
        })
    }

    /// Runs, on `runtime`, every job of the store that has not ended — those left by a process
    /// that stopped, and those submitted from now on — until the service is dropped. With
    /// `membership`, only while this process holds the store's lease (see [`Lease`]): processes
    /// sharing a store run each job in one of them at a time, and when the holder stops, another
    /// takes its jobs up once the lease has gone unrenewed for its time.
    pub fn run_jobs(
        self: &Arc<Self>,
        runtime: &tokio::runtime::Handle,
        membership: Option<Membership>,
    ) {
        let weak = Arc::downgrade(self);
        let mut changes = self.store.changes();
        runtime.spawn(async move {
            let mut lease = membership.map(LeaseKeeper::new);
            let mut ran = false;
            loop {
                let Some(service) = weak.upgrade() else { return };
                let runs = match &mut lease {
                    None => true,
                    Some(keeper) => keeper.keep(&service.store).await,
                };
                if runs && !ran {
                    // Another process may have set and held throttles meanwhile.
                    service.throttles.take_up().await;
                }
                ran = runs;
                service.runs.store(runs, Ordering::Relaxed);
                if let Some(after) = lease.as_mut().and_then(|k| k.took_over_after.take()) {
                    *service.took_over_after.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(after);
                }
                if runs {
                    service.take_up();
                    service.forget_old_jobs().await;
                } else {
                    service.stop_all();
                }
                let pause = lease.as_ref().map_or(Duration::from_secs(1), LeaseKeeper::pause);
                drop(service);
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { return },
                    // A job's start time passing, or a lease running out, is not a change.
                    _ = tokio::time::sleep(pause) => {}
                }
            }
        });
    }

    /// Removes from the store the jobs that ended (their clean-up done) longer than the retention
    /// ago. Only the runner does, so that sidecars sharing a store do not all write it.
    async fn forget_old_jobs(&self) {
        let now = now_ms();
        let retention = u64::try_from(self.retention.as_millis()).unwrap_or(u64::MAX);
        for job in self.store.summaries() {
            let ended_at = job.finished_ms.filter(|_| job.state.is_final() && !job.cleanup_pending);
            if ended_at.is_some_and(|at| now.saturating_sub(at) > retention) {
                match self.store.forget_job(&job.id).await {
                    Ok(()) => tracing::info!(job = %job.id, "ended job removed: past retention"),
                    Err(e) => tracing::warn!(job = %job.id, "removing an old job failed: {e}"),
                }
            }
        }
    }

    /// Whether this process runs jobs now: with a lease, whether it holds it.
    pub fn is_runner(&self) -> bool {
        self.runs.load(Ordering::Relaxed)
    }

    /// How long the lease had gone unrenewed when this process last took it over from another
    /// holder: the time a stopped runner's jobs waited.
    pub fn took_over_after(&self) -> Option<Duration> {
        *self.took_over_after.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops every job this process runs, where it is: it holds the lease no more, and whoever
    /// takes it takes the jobs up from the store.
    fn stop_all(&self) {
        let stopped = std::mem::take(&mut *self.lock());
        for (id, run) in stopped {
            tracing::warn!(job = %id, "stopping the job here: this process no longer runs jobs");
            run.task.abort();
        }
    }

    /// Starts every job not ended that this process does not run yet, and tells each running job
    /// what it was last asked.
    fn take_up(self: &Arc<Self>) {
        let mut running = self.lock();
        // Headers only: a job's partitions are read when it is taken up, not at every look.
        for job in self.store.summaries() {
            if let Some(run) = running.get(&job.id) {
                let retimed = {
                    let now = run.job.lock().unwrap_or_else(PoisonError::into_inner);
                    now.state == JobState::Scheduled && now.execute_at_ms != job.execute_at_ms
                };
                if !retimed {
                    if let Some(asked) = self.store.control(&job.id) {
                        run.control.send_if_modified(|now| std::mem::replace(now, asked) != asked);
                    }
                    continue;
                }
                // Re-timed while it waited: it waits again, for its new time.
                if let Some(run) = running.remove(&job.id) {
                    run.task.abort();
                }
            }
            if job.state.is_final() && !job.cleanup_pending {
                continue;
            }
            // A job whose chunks are not all read yet is taken up at a later look.
            let Some(job) = self.store.job(&job.id) else { continue };
            let asked = self.store.control(&job.id).unwrap_or(Control::Run);
            let (control, commands) = watch::channel(asked);
            let id = job.id.clone();
            let shared = Arc::new(Mutex::new(job));
            let service = Arc::clone(self);
            let (job, finished) = (Arc::clone(&shared), id.clone());
            let task = tokio::spawn(async move {
                service.run_one(shared, commands).await;
                service.lock().remove(&finished);
            });
            running.insert(id, Running { job, control, task: task.abort_handle() });
        }
    }

    /// Runs one job: waits for its start time if it has one (a cancel ends the wait), then
    /// carries it out.
    async fn run_one(&self, job: SharedJob, mut commands: watch::Receiver<Control>) {
        let start_at = {
            let job = job.lock().unwrap_or_else(PoisonError::into_inner);
            (job.state == JobState::Scheduled).then_some(job.execute_at_ms).flatten()
        };
        if let Some(at) = start_at {
            // A job whose time passed while no process ran jobs says how late it started.
            let late = now_ms().saturating_sub(at);
            if late > LATE {
                let mut job = job.lock().unwrap_or_else(PoisonError::into_inner);
                job.started_late_ms = Some(late);
                tracing::warn!(job = %job.id, late_ms = late, "a scheduled job starts late");
            }
            let wait = Duration::from_millis(at.saturating_sub(now_ms()));
            let cancelled = tokio::select! {
                _ = tokio::time::sleep(wait) => false,
                _ = commands.wait_for(|c| *c == Control::Cancel) => true,
            };
            if cancelled {
                // Shown here only once written, as every job's end (see Executor::run).
                let mut ended = job.lock().unwrap_or_else(PoisonError::into_inner).clone();
                ended.state = JobState::Cancelled;
                ended.finished_ms = Some(now_ms());
                if let Err(e) = self.store.save_job(&ended).await {
                    tracing::warn!(job = %ended.id, "writing the job's end failed: {e}");
                }
                *job.lock().unwrap_or_else(PoisonError::into_inner) = ended;
                return;
            }
        }
        self.executor.run(job, commands).await;
    }

    /// The plan `request` comes to on the cluster as it is now.
    pub async fn plan(&self, request: &Request) -> Result<Plan, ServiceError> {
        if request.throttle == Some(0) {
            return Err(ServiceError::ZeroThrottle);
        }
        let topics: Vec<String> = request.topics.iter().map(|t| t.topic().to_owned()).collect();
        let cluster = survey(&self.client, &topics).await?;
        // Planning a large cluster takes seconds of CPU (100,000 partitions: about 16 s): off the
        // runtime, so that nothing else waits on it.
        let (topics, options) = (request.topics.clone(), request.options);
        let planned = tokio::task::spawn_blocking(move || plan::plan(&cluster, &topics, options))
            .await
            .map_err(|e| ServiceError::Internal(format!("planning stopped: {e}")))?;
        Ok(planned?)
    }

    /// How long `request` would take, with its plan; nothing moves.
    pub async fn estimate(&self, request: &Request) -> Result<(Plan, Estimate), ServiceError> {
        let plan = self.plan(request).await?;
        let copies = estimate::copies(&plan.moves, |_| None);
        let estimate =
            estimate::estimate(&copies, request.throttle.unwrap_or(self.bandwidth), self.limits);
        Ok((plan, estimate))
    }

    /// Plans `request` and keeps it as a job (to run at `execute_at`, if given); its id. The job
    /// runs wherever jobs are run ([`Self::run_jobs`]).
    pub async fn submit(&self, request: &Request) -> Result<String, ServiceError> {
        let plan = self.plan(request).await?;
        let start_at = request.execute_at.filter(|at| *at > now_ms());
        if start_at.is_none() {
            // As Kafka's own reassignment tool, a job starting now does not take over partitions
            // another reassignment is moving.
            let moving = survey::reassigning(&self.client).await?;
            let taken: Vec<String> = (plan.moves.iter())
                .filter(|m| moving.contains(&(m.topic.clone(), m.partition)))
                .map(|m| format!("{}-{}", m.topic, m.partition))
                .collect();
            if !taken.is_empty() {
                return Err(ServiceError::Moving { partitions: taken });
            }
        }
        let id = self.new_id();
        let mut job = Job::new(id.clone(), plan.moves, request.throttle, now_ms());
        job.requested_by = request.requested_by.clone();
        if start_at.is_some() {
            job.state = JobState::Scheduled;
            job.execute_at_ms = start_at;
        }
        self.store.save_job(&job).await?;
        tracing::info!(
            job = %id,
            requested_by = job.requested_by.as_deref().unwrap_or("unknown"),
            partitions = job.partitions.len(),
            execute_at = ?job.execute_at_ms,
            "job submitted"
        );
        Ok(id)
    }

    /// Moves a scheduled job's start to `at` (ms since the Unix epoch; a time passed starts it
    /// now).
    pub async fn reschedule(&self, id: &str, at: u64) -> Result<(), ServiceError> {
        self.store.catch_up().await?;
        let job = self.describe(id)?;
        if job.state.is_final() {
            return Err(ServiceError::Ended { id: id.to_owned(), state: job.state });
        }
        if job.state != JobState::Scheduled {
            return Err(ServiceError::NotScheduled { id: id.to_owned(), state: job.state });
        }
        // Whichever process runs it sees the new time and waits for that instead.
        let retimed = Job { execute_at_ms: Some(at), ..job };
        self.store.save_job(&retimed).await?;
        tracing::info!(job = %id, execute_at = at, "job re-timed");
        Ok(())
    }

    /// Deletes the record of job `id`, which must have ended with its throttles off; how it ended.
    /// Any process may: the runner reads the deletion from the store like any other change.
    pub async fn delete(&self, id: &str) -> Result<JobState, ServiceError> {
        self.store.catch_up().await?;
        let job = self.describe(id)?;
        ended(&job, "have its record deleted")?;
        self.store.forget_job(id).await?;
        tracing::info!(job = %id, state = ?job.state, "ended job deleted");
        Ok(job.state)
    }

    /// Runs an ended job again for the partitions it did not move: with [`Retry::Failed`] those
    /// that failed, with [`Retry::NotDone`] every partition not done (failed, skipped, reverted or
    /// never started). Each is planned afresh from the replicas it has now — one already where
    /// the job wanted it is done, one whose topic is gone fails again — and the job runs again
    /// wherever jobs run. How many partitions it retries; none leaves the job as it was.
    pub async fn restart(&self, id: &str, retry: Retry) -> Result<usize, ServiceError> {
        self.store.catch_up().await?;
        let job = self.describe(id)?;
        ended(&job, "be restarted")?;
        let again: Vec<usize> = (job.partitions.iter().enumerate())
            .filter(|(_, p)| retry.includes(&p.state))
            .map(|(i, _)| i)
            .collect();
        if again.is_empty() {
            return Ok(0);
        }
        let topics = again.iter().map(|&i| job.partitions[i].change.topic.as_str());
        let metadata = survey::metadata(&self.client, topics).await?;
        let replicas: BTreeMap<(&str, i32), Vec<i32>> = (metadata.topics.iter())
            .filter(|t| t.error_code == 0)
            .filter_map(|t| Some((t.name.as_ref()?.as_str(), t)))
            .flat_map(|(name, t)| {
                t.partitions.iter().map(move |p| {
                    ((name, p.partition_index), p.replica_nodes.iter().map(|b| b.0).collect())
                })
            })
            .collect();
        let mut restarted = Job {
            state: JobState::Running,
            finished_ms: None,
            eta_seconds: None,
            error: None,
            ..job.clone()
        };
        let mut retried = 0;
        for i in again {
            let p = &mut restarted.partitions[i];
            let key = (p.change.topic.as_str(), p.change.partition);
            match replicas.get(&key) {
                None => {
                    p.state = PartitionState::Failed("the partition no longer exists".into());
                }
                Some(now) if *now == p.change.after => {
                    p.state = PartitionState::Done;
                    p.bytes_copied = p.bytes_total;
                }
                Some(now) => {
                    p.change.before = now.clone();
                    p.bytes_total = p.change.size * p.change.adding().count() as u64;
                    p.bytes_copied = 0;
                    p.state = PartitionState::Pending;
                    retried += 1;
                }
            }
        }
        if retried == 0 {
            // Nothing left to move: the job ends again as its partitions now say.
            let failed =
                (restarted.partitions.iter()).any(|p| matches!(p.state, PartitionState::Failed(_)));
            restarted.state = if failed { JobState::Failed } else { JobState::Completed };
            restarted.finished_ms = Some(now_ms());
        } else {
            // A cancelled job's last word was cancel: the restarted job runs.
            self.store.save_control(id, Control::Run).await?;
        }
        self.store.save_job(&restarted).await?;
        tracing::info!(job = %id, retried, ?retry, "job restarted");
        Ok(retried)
    }

    /// A job as it is now.
    pub fn describe(&self, id: &str) -> Result<Job, ServiceError> {
        if let Some(run) = self.lock().get(id) {
            return Ok(run.job.lock().unwrap_or_else(PoisonError::into_inner).clone());
        }
        self.store.job(id).ok_or_else(|| ServiceError::UnknownJob(id.to_owned()))
    }

    /// Every job without its partitions, oldest first; those this process runs as they are now.
    pub fn summaries(&self) -> Vec<Job> {
        let running = self.lock();
        self.store
            .summaries()
            .into_iter()
            .map(|job| match running.get(&job.id) {
                Some(run) => {
                    let now = run.job.lock().unwrap_or_else(PoisonError::into_inner);
                    Job { partitions: Vec::new(), ..now.clone() }
                }
                None => job,
            })
            .collect()
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> Vec<Job> {
        let running = self.lock();
        self.store
            .jobs()
            .into_iter()
            .map(|job| match running.get(&job.id) {
                Some(run) => run.job.lock().unwrap_or_else(PoisonError::into_inner).clone(),
                None => job,
            })
            .collect()
    }

    pub async fn pause(&self, id: &str) -> Result<(), ServiceError> {
        self.control(id, Control::Pause).await
    }

    pub async fn resume(&self, id: &str) -> Result<(), ServiceError> {
        self.control(id, Control::Run).await
    }

    pub async fn cancel(&self, id: &str) -> Result<(), ServiceError> {
        self.control(id, Control::Cancel).await
    }

    /// Writes what `id` is asked, for whichever process runs it; tells it at once if this one
    /// does.
    async fn control(&self, id: &str, to: Control) -> Result<(), ServiceError> {
        self.store.catch_up().await?;
        let state = self.describe(id)?.state;
        if state.is_final() {
            return Err(ServiceError::Ended { id: id.to_owned(), state });
        }
        self.store.save_control(id, to).await?;
        if let Some(run) = self.lock().get(id) {
            run.control.send_replace(to);
        }
        Ok(())
    }

    /// 32 hex digits, as the seed's job ids: the time, then a number drawn at random for this
    /// process and this job.
    fn new_id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(n);
        format!("{:016x}{:016x}", now_ms(), hasher.finish())
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Running>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
