//! Reassignments as a service, the one entry point of every front end (the sidecar's wire
//! handlers, the REST API, the CLI): estimate a request, submit it as a job, list, describe,
//! pause, resume and cancel jobs.
//!
//! Jobs live in this process for now; keeping them in the cluster (a compacted topic), so that a
//! restarted sidecar resumes them and several sidecars share them, is the next step.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use adminwire_kafka::client::Client;
use adminwire_kafka::connection::ConnectionError;
use tokio::sync::watch;

use crate::estimate::{self, Concurrency, Estimate};
use crate::execute::{Control, Executor, SharedJob};
use crate::job::{Job, JobState};
use crate::plan::{self, Options, Plan, PlanError, TopicRequest};
use crate::survey::survey;
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
    #[error("a throttle of 0 bytes a second would never finish")]
    ZeroThrottle,
    #[error("{0}")]
    Internal(String),
}

struct Entry {
    job: SharedJob,
    control: watch::Sender<Control>,
}

/// The reassignment service of one cluster.
pub struct Reassignments {
    client: Arc<Client>,
    executor: Arc<Executor>,
    limits: Concurrency,
    /// The replication rate assumed for an unthrottled estimate, bytes a second per broker.
    bandwidth: u64,
    jobs: Mutex<BTreeMap<String, Entry>>,
    next: AtomicU64,
}

impl std::fmt::Debug for Reassignments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reassignments").field("jobs", &self.jobs().len()).finish_non_exhaustive()
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Reassignments {
    /// The service for the cluster `client` reaches (its principal runs the moves), with the
    /// executor's `limits`, looking at the cluster every `poll`; `bandwidth` is the replication
    /// rate an unthrottled estimate assumes.
    pub fn new(client: Arc<Client>, limits: Concurrency, poll: Duration, bandwidth: u64) -> Self {
        let throttles = Arc::new(Throttles::new(Arc::clone(&client)));
        let executor = Arc::new(Executor::new(Arc::clone(&client), throttles, limits, poll));
        Self {
            client,
            executor,
            limits,
            bandwidth,
            jobs: Mutex::new(BTreeMap::new()),
            next: AtomicU64::new(0),
        }
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

    /// Plans `request` and runs it as a job (at `execute_at`, if given); its id.
    pub async fn submit(&self, request: &Request) -> Result<String, ServiceError> {
        let plan = self.plan(request).await?;
        let id = self.new_id();
        let mut job = Job::new(id.clone(), plan.moves, request.throttle, now_ms());
        let start_at = request.execute_at.filter(|at| *at > now_ms());
        if start_at.is_some() {
            job.state = JobState::Scheduled;
            job.execute_at_ms = start_at;
        }
        let job = Arc::new(Mutex::new(job));
        let (control, commands) = watch::channel(Control::Run);
        self.lock().insert(id.clone(), Entry { job: Arc::clone(&job), control });
        let executor = Arc::clone(&self.executor);
        tokio::spawn(async move {
            if let Some(at) = start_at {
                let mut commands = commands.clone();
                let wait = Duration::from_millis(at.saturating_sub(now_ms()));
                let cancelled = tokio::select! {
                    _ = tokio::time::sleep(wait) => false,
                    _ = commands.wait_for(|c| *c == Control::Cancel) => true,
                };
                if cancelled {
                    let mut job = job.lock().unwrap_or_else(PoisonError::into_inner);
                    job.state = JobState::Cancelled;
                    job.finished_ms = Some(now_ms());
                    return;
                }
            }
            executor.run(job, commands).await;
        });
        Ok(id)
    }

    /// A job as it is now.
    pub fn describe(&self, id: &str) -> Result<Job, ServiceError> {
        let jobs = self.lock();
        let entry = jobs.get(id).ok_or_else(|| ServiceError::UnknownJob(id.to_owned()))?;
        Ok(entry.job.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> = self
            .lock()
            .values()
            .map(|e| e.job.lock().unwrap_or_else(PoisonError::into_inner).clone())
            .collect();
        jobs.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        jobs
    }

    pub fn pause(&self, id: &str) -> Result<(), ServiceError> {
        self.control(id, Control::Pause)
    }

    pub fn resume(&self, id: &str) -> Result<(), ServiceError> {
        self.control(id, Control::Run)
    }

    pub fn cancel(&self, id: &str) -> Result<(), ServiceError> {
        self.control(id, Control::Cancel)
    }

    fn control(&self, id: &str, to: Control) -> Result<(), ServiceError> {
        let jobs = self.lock();
        let entry = jobs.get(id).ok_or_else(|| ServiceError::UnknownJob(id.to_owned()))?;
        let state = entry.job.lock().unwrap_or_else(PoisonError::into_inner).state;
        if state.is_final() {
            return Err(ServiceError::Ended { id: id.to_owned(), state });
        }
        entry.control.send_replace(to);
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

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Entry>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
