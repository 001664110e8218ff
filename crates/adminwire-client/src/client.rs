//! [`AdminClient`]: the seed's Admin Client, method for method, over the extension.
//!
//! Requests go to the cluster's controller once it is known, and to a bootstrap server until
//! then. A server that requires admin requests on the controller's listener answers elsewhere
//! with 1001 NotControllerReceivedAdminRequest; the client then asks ClusterMetadata where the
//! controller is and sends the request there, up to `retries` times.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use adminwire_protocol::SubmitReassignmentResponse;
use adminwire_protocol::generated::alter_topic_request::{self, AlterableTopic};
use adminwire_protocol::generated::create_topic_request::{self, CreatableTopic};
use adminwire_protocol::generated::describe_reassignment_jobs_response;
use adminwire_protocol::generated::submit_reassignment_request::{
    PartitionReassignEntity, TopicAssignment,
};
use adminwire_protocol::{
    AdminRequest, AlterReassignmentJobRequest, AlterTopicRequest, ApiKey, ClusterMetadataRequest,
    CreateTopicRequest, DeleteTopicRequest, DescribeReassignmentJobsRequest, DescribeTopicRequest,
    ErrorCode, ListTopicsRequest, PreferredReplicaLeaderElectionRequest, ReassignPartitionsRequest,
    RequestMessage, ResponseMessage, SubmitReassignmentRequest,
    VerifyPreferredReplicaLeaderElectionRequest, VerifyReassignPartitionsRequest,
};

use crate::config::AdminClientConfig;
use crate::connection::{Connection, Versions, server_timeout_ms};
use crate::error::{Error, Result, ServerError};
use crate::jobs::{
    BrokerLoad, JobAction, JobDescription, JobPartition, JobPartitionState, JobResult,
    JobSelection, JobState, PlannedMove, ReassignmentEstimate, ReassignmentJob,
    ReassignmentRequest, TopicReassignment,
};
use crate::operation::{
    Election, ElectionStatus, PartitionState, Reassignment, ReassignmentStatus,
};
use crate::plan::{ElectionScope, ReassignmentPlan};
use crate::pool::Pool;
use crate::topic_request::{TopicRequest, per_topic};
use crate::types::{
    BatchOptions, Broker, ClusterMetadata, NewTopic, PartitionResult, TopicAlteration,
    TopicDescription, TopicLayout, TopicPartition, TopicResult,
};

/// A client for the admin extension, connected to one cluster through its adminwire sidecar.
///
/// Cheap to clone: clones share the connection pool and the cluster metadata cache, so one
/// client can serve many tasks. [`close`](Self::close) closes it for all of them.
///
/// ```no_run
/// use adminwire_client::{AdminClient, AdminClientConfig, NewTopic};
///
/// # async fn example() -> Result<(), adminwire_client::Error> {
/// let client = AdminClient::connect(AdminClientConfig::new(["localhost:9092"])).await?;
/// client.create_topic(&NewTopic::new("orders", 6, 3)).await?;
/// let orders = client.describe_topic("orders").await?;
/// println!("{} has {} partitions", orders.name, orders.partition_count);
/// client.close();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AdminClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: AdminClientConfig,
    pool: Pool,
    state: Mutex<State>,
}

/// What the client has learned about the cluster.
#[derive(Debug, Default)]
struct State {
    metadata: Option<ClusterMetadata>,
    /// The bootstrap server that answered last; tried first next time.
    bootstrap_index: usize,
    /// The versions the last server connected to offers (every listener of a sidecar offers
    /// the same), to choose between a batch request and one request per topic.
    versions: Option<Versions>,
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// The controller if it is known, else a bootstrap server.
    Controller,
    /// A bootstrap server: for ClusterMetadata, which every listener answers, and which must
    /// work when the cached controller is gone.
    Bootstrap,
}

/// A response, the version it was sent in and who sent it.
pub(crate) struct Answer<R> {
    pub(crate) version: i16,
    pub(crate) address: String,
    pub(crate) response: R,
}

/// A failed try, and whether the request may have reached the server (and so may have run).
struct Failed {
    error: Error,
    maybe_sent: bool,
}

impl Failed {
    /// Whether trying `R` again is safe and may help: no connection could be made (refused, or
    /// not within the connect timeout), or one broke under a request that only reads
    /// ([`RequestMessage::READ_ONLY`]). A request that changes the cluster and may have reached
    /// it is not sent twice.
    fn is_retriable<R: RequestMessage>(&self) -> bool {
        match self.error {
            Error::Connection { .. } => R::READ_ONLY || !self.maybe_sent,
            Error::Timeout { .. } => !self.maybe_sent,
            _ => false,
        }
    }
}

impl AdminClient {
    /// Connects to the first of the configured bootstrap servers that answers, and checks that
    /// it offers the extension: [`Error::ExtensionNotOffered`] if it is a plain Kafka broker.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use adminwire_client::{AdminClient, AdminClientConfig};
    ///
    /// # async fn example() -> Result<(), adminwire_client::Error> {
    /// let config = AdminClientConfig::new(["sidecar-1:9092", "sidecar-2:9092"])
    ///     .client_id("ops")
    ///     .request_timeout(Duration::from_secs(10));
    /// let client = AdminClient::connect(config).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(config: AdminClientConfig) -> Result<Self> {
        config.validate()?;
        let client = AdminClient {
            inner: Arc::new(Inner { config, pool: Pool::default(), state: Mutex::default() }),
        };
        let mut attempt = 0;
        loop {
            match client.bootstrap_connection().await {
                Ok(connection) => {
                    client.inner.pool.put(connection);
                    return Ok(client);
                }
                Err(e @ (Error::Connection { .. } | Error::Timeout { .. }))
                    if attempt < client.config().retries =>
                {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "no bootstrap server answered; retrying");
                    tokio::time::sleep(client.config().backoff(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The settings this client was connected with.
    pub fn config(&self) -> &AdminClientConfig {
        &self.inner.config
    }

    /// Closes every idle connection; calls made afterwards (from any clone) fail with
    /// [`Error::Closed`]. Calls under way finish, and their connections are then closed.
    pub fn close(&self) {
        self.inner.pool.close();
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.pool.is_closed()
    }

    /// Asks a bootstrap server for the cluster's brokers and controller, and keeps the answer as
    /// the metadata cache that routes admin requests.
    ///
    /// ```no_run
    /// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
    /// let metadata = client.cluster_metadata().await?;
    /// if let Some(controller) = &metadata.controller {
    ///     println!("Connected to Kafka Controller at {}.", controller.address());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cluster_metadata(&self) -> Result<ClusterMetadata> {
        let config = &self.inner.config;
        let mut attempt = 0;
        let answer = loop {
            let build = |_| Ok(ClusterMetadataRequest::default());
            match self.attempt::<ClusterMetadataRequest>(Route::Bootstrap, &build).await {
                Ok(answer) => break answer,
                Err(failed)
                    if attempt < config.retries
                        && failed.is_retriable::<ClusterMetadataRequest>() =>
                {
                    attempt += 1;
                    tokio::time::sleep(config.backoff(attempt)).await;
                }
                Err(failed) => return Err(failed.error),
            }
        };
        check(&answer.response)?;
        let response = answer.response;
        let broker = |b: adminwire_protocol::generated::cluster_metadata_response::Broker| {
            let port = u16::try_from(b.port).map_err(|_| {
                Error::protocol(
                    &answer.address,
                    format!("broker {} has port {}", b.node_id, b.port),
                )
            })?;
            Ok(Broker { node_id: b.node_id, host: b.host, port, rack: b.rack })
        };
        let metadata = ClusterMetadata {
            brokers: response.brokers.into_iter().map(broker).collect::<Result<_>>()?,
            controller: response.controller.map(broker).transpose()?,
            cluster_id: response.cluster_id,
        };
        self.state().metadata = Some(metadata.clone());
        Ok(metadata)
    }

    /// The metadata last fetched, without asking the server.
    pub fn cached_metadata(&self) -> Option<ClusterMetadata> {
        self.state().metadata.clone()
    }

    /// Creates a topic (the seed's two `createTopic` forms: see [`NewTopic`]).
    ///
    /// ```no_run
    /// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
    /// use adminwire_client::{ErrorCode, NewTopic};
    ///
    /// match client.create_topic(&NewTopic::new("orders", 6, 3)).await {
    ///     Ok(()) => println!("created"),
    ///     Err(e) if e.code() == Some(ErrorCode::TOPIC_ALREADY_EXISTS) => println!("already there"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_topic(&self, topic: &NewTopic) -> Result<()> {
        self.topic_call::<CreateTopicRequest>(&creatable(topic)?).await
    }

    /// Creates several topics, each independently, and says what became of each. Version 1
    /// sends one request; a version 0 server gets one request per topic.
    ///
    /// ```no_run
    /// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
    /// use adminwire_client::{BatchOptions, NewTopic};
    ///
    /// let topics = [NewTopic::new("a", 1, 3), NewTopic::new("b", 1, 3)];
    /// for result in client.create_topics(&topics, BatchOptions::default()).await? {
    ///     if let Err(e) = &result.result {
    ///         eprintln!("{}: {e}", result.topic);
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_topics(
        &self,
        topics: &[NewTopic],
        options: BatchOptions,
    ) -> Result<Vec<TopicResult<()>>> {
        let creatables = topics.iter().map(creatable).collect::<Result<Vec<_>>>()?;
        self.topics_call::<CreateTopicRequest>(&creatables, options.validate_only).await
    }

    /// Alters a topic: grows its partitions (optionally placed), sets and removes configs.
    ///
    /// ```no_run
    /// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
    /// use adminwire_client::TopicAlteration;
    ///
    /// client.alter_topic(&TopicAlteration::new("orders").partitions(12)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn alter_topic(&self, alteration: &TopicAlteration) -> Result<()> {
        self.topic_call::<AlterTopicRequest>(&alterable(alteration)?).await
    }

    /// Alters several topics, each independently (one request in version 1, one per topic in
    /// version 0).
    pub async fn alter_topics(
        &self,
        alterations: &[TopicAlteration],
        options: BatchOptions,
    ) -> Result<Vec<TopicResult<()>>> {
        let alterables = alterations.iter().map(alterable).collect::<Result<Vec<_>>>()?;
        self.topics_call::<AlterTopicRequest>(&alterables, options.validate_only).await
    }

    /// Deletes a topic.
    pub async fn delete_topic(&self, name: &str) -> Result<()> {
        self.topic_call::<DeleteTopicRequest>(&name.to_owned()).await
    }

    /// Deletes several topics, each independently (one request in version 1, one per topic in
    /// version 0).
    pub async fn delete_topics<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<TopicResult<()>>> {
        self.topics_call::<DeleteTopicRequest>(&owned(names), false).await
    }

    /// The names of every topic of the cluster, internal ones included, sorted.
    pub async fn list_topics(&self) -> Result<Vec<String>> {
        self.list(false).await
    }

    /// The names of the cluster's topics without internal ones such as `__consumer_offsets`,
    /// sorted (needs version 1).
    pub async fn list_topics_excluding_internal(&self) -> Result<Vec<String>> {
        self.list(true).await
    }

    async fn list(&self, exclude_internal: bool) -> Result<Vec<String>> {
        let answer = self
            .call::<ListTopicsRequest>(|version| {
                if exclude_internal {
                    needs_v1(version, "leaving out internal topics (ListTopics version 1)")?;
                }
                Ok(ListTopicsRequest { exclude_internal, ..Default::default() })
            })
            .await?;
        answer
            .response
            .topics
            .ok_or_else(|| Error::protocol(&answer.address, "ListTopics: no error and no topics"))
    }

    /// Describes a topic: partition count, replication factor, overridden configs, and each
    /// partition's leader, replicas and in-sync replicas.
    ///
    /// ```no_run
    /// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
    /// let orders = client.describe_topic("orders").await?;
    /// for p in &orders.partitions {
    ///     println!("{}: leader {:?}, replicas {:?}, isr {:?}", p.partition, p.leader, p.replicas, p.isr);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn describe_topic(&self, name: &str) -> Result<TopicDescription> {
        self.topic_call::<DescribeTopicRequest>(&name.to_owned()).await
    }

    /// Describes several topics (one request in version 1, one per topic in version 0).
    pub async fn describe_topics<S: AsRef<str>>(
        &self,
        names: &[S],
    ) -> Result<Vec<TopicResult<TopicDescription>>> {
        self.topics_call::<DescribeTopicRequest>(&owned(names), false).await
    }

    /// Starts moving partitions as `plan` says and returns at once with a handle to follow the
    /// move: [`Reassignment::wait`] polls VerifyReassignPartitions until every partition is
    /// done, within a deadline.
    ///
    /// ```no_run
    /// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
    /// use std::time::Duration;
    /// use adminwire_client::ReassignmentPlan;
    ///
    /// let plan = ReassignmentPlan::from_json(&std::fs::read_to_string("plan.json").unwrap())?;
    /// let reassignment = client.reassign_partitions(&plan).await?;
    /// let done = reassignment
    ///     .wait_with_progress(Duration::from_secs(600), |p| {
    ///         println!("{}/{} partitions moved", p.completed.len(), p.total())
    ///     })
    ///     .await?;
    /// assert!(done.failed.is_empty(), "not moved: {:?}", done.failed);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn reassign_partitions(&self, plan: &ReassignmentPlan) -> Result<Reassignment> {
        let json = plan.to_json();
        let timeout_ms = self.server_timeout_ms();
        let answer = self
            .call::<ReassignPartitionsRequest>(|_| {
                Ok(ReassignPartitionsRequest {
                    manual_assignment: json.clone(),
                    timeout_ms,
                    ..Default::default()
                })
            })
            .await?;
        let started = if answer.version == 0 {
            plan.topic_partitions()
                .into_iter()
                .map(|p| PartitionResult { partition: p, error: None })
                .collect()
        } else {
            partition_results(
                answer
                    .response
                    .partitions
                    .into_iter()
                    .map(|p| (p.topic, p.partition, p.error_code, p.error_message)),
            )
        };
        Ok(Reassignment::new(self.clone(), plan.clone(), started))
    }

    /// How far the reassignment of `plan` has come, per partition, in plan order.
    pub async fn verify_reassign_partitions(
        &self,
        plan: &ReassignmentPlan,
    ) -> Result<Vec<ReassignmentStatus>> {
        let json = plan.to_json();
        let answer = self
            .call::<VerifyReassignPartitionsRequest>(|_| {
                Ok(VerifyReassignPartitionsRequest {
                    manual_assignment: json.clone(),
                    ..Default::default()
                })
            })
            .await?;
        let address = &answer.address;
        answer
            .response
            .results
            .into_iter()
            .map(|r| {
                let state = PartitionState::from_code(r.result_code).ok_or_else(|| {
                    Error::protocol(
                        address,
                        format!("VerifyReassignPartitions: result code {}", r.result_code),
                    )
                })?;
                Ok(ReassignmentStatus {
                    partition: TopicPartition::new(r.topic, r.partition),
                    state,
                })
            })
            .collect()
    }

    /// Starts electing the preferred replica (the first of each partition's replicas) as leader
    /// and returns at once with a handle: [`Election::wait`] polls
    /// VerifyPreferredReplicaLeaderElection until every partition is done, within a deadline.
    ///
    /// ```no_run
    /// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
    /// use std::time::Duration;
    /// use adminwire_client::{ElectionScope, TopicPartition};
    ///
    /// let scope = ElectionScope::Partitions(vec![TopicPartition::new("orders", 0)]);
    /// let election = client.preferred_replica_leader_election(&scope).await?;
    /// let done = election.wait(Duration::from_secs(60)).await?;
    /// println!("{} partitions led by their preferred replica", done.completed.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn preferred_replica_leader_election(
        &self,
        scope: &ElectionScope,
    ) -> Result<Election> {
        let json = scope.to_json();
        let timeout_ms = self.server_timeout_ms();
        let answer = self
            .call::<PreferredReplicaLeaderElectionRequest>(|_| {
                Ok(PreferredReplicaLeaderElectionRequest {
                    partitions_serialized: json.clone(),
                    timeout_ms,
                    ..Default::default()
                })
            })
            .await?;
        let started = match (answer.version, scope) {
            (0, ElectionScope::Partitions(partitions)) => partitions
                .iter()
                .map(|p| PartitionResult { partition: p.clone(), error: None })
                .collect(),
            // Version 0 does not say which partitions "every partition" was.
            (0, ElectionScope::AllPartitions) => Vec::new(),
            _ => partition_results(
                answer
                    .response
                    .partitions
                    .into_iter()
                    .map(|p| (p.topic, p.partition, p.error_code, p.error_message)),
            ),
        };
        Ok(Election::new(self.clone(), scope.clone(), started))
    }

    /// Whether each partition of `scope` is led by its preferred replica.
    pub async fn verify_preferred_replica_leader_election(
        &self,
        scope: &ElectionScope,
    ) -> Result<Vec<ElectionStatus>> {
        let json = scope.to_json();
        let answer = self
            .call::<VerifyPreferredReplicaLeaderElectionRequest>(|_| {
                Ok(VerifyPreferredReplicaLeaderElectionRequest {
                    partitions_serialized: json.clone(),
                    ..Default::default()
                })
            })
            .await?;
        let address = &answer.address;
        let known = |id: i32| (id >= 0).then_some(id);
        answer
            .response
            .results
            .into_iter()
            .map(|r| {
                let state = PartitionState::from_code(r.result_code).ok_or_else(|| {
                    Error::protocol(
                        address,
                        format!(
                            "VerifyPreferredReplicaLeaderElection: result code {}",
                            r.result_code
                        ),
                    )
                })?;
                Ok(ElectionStatus {
                    partition: TopicPartition::new(r.topic, r.partition),
                    state,
                    leader: known(r.leader),
                    preferred_leader: known(r.preferred_leader),
                })
            })
            .collect()
    }

    /// Plans `request` on the cluster as it is and starts it as a job (now, or at its
    /// `execute_at`); returns a handle on the job. Errors carry the server's code and message:
    /// 3 for an unknown topic, 1005 for a bad replication factor, 1006 for an assignment it
    /// refuses (naming the topic and partition), 1011 where the sidecar runs no jobs.
    ///
    /// ```no_run
    /// # async fn example(client: adminwire_client::AdminClient) -> Result<(), adminwire_client::Error> {
    /// use adminwire_client::ReassignmentRequest;
    ///
    /// let job = client
    ///     .submit_reassignment(&ReassignmentRequest::new().automatic("orders", [1, 2], None))
    ///     .await?;
    /// println!("job {}", job.id());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn submit_reassignment(
        &self,
        request: &ReassignmentRequest,
    ) -> Result<ReassignmentJob> {
        let wire = submit_request(request, false)?;
        let answer = self.call::<SubmitReassignmentRequest>(|_| Ok(wire.clone())).await?;
        let job_id = answer.response.job_id.filter(|id| !id.is_empty()).ok_or_else(|| {
            Error::protocol(&answer.address, "SubmitReassignment: no job id and no error")
        })?;
        Ok(ReassignmentJob::new(self.clone(), job_id))
    }

    /// Plans `request` and estimates how long it would take, with the bytes each broker would
    /// copy and every partition that would move. Nothing moves.
    pub async fn estimate_reassignment(
        &self,
        request: &ReassignmentRequest,
    ) -> Result<ReassignmentEstimate> {
        let wire = submit_request(request, true)?;
        let answer = self.call::<SubmitReassignmentRequest>(|_| Ok(wire.clone())).await?;
        estimate(answer.response, &answer.address)
    }

    /// Describes the jobs of `selection`, each with its own result (91 RESOURCE_NOT_FOUND for a
    /// job the sidecar does not know), with or without their partitions.
    pub async fn describe_reassignment_jobs(
        &self,
        selection: &JobSelection,
        include_partitions: bool,
    ) -> Result<Vec<JobResult>> {
        let job_ids = match selection {
            JobSelection::All => None,
            JobSelection::Ids(ids) => Some(ids.clone()),
        };
        let answer = self
            .call::<DescribeReassignmentJobsRequest>(|_| {
                Ok(DescribeReassignmentJobsRequest {
                    job_ids: job_ids.clone(),
                    include_partitions,
                    ..Default::default()
                })
            })
            .await?;
        let address = &answer.address;
        answer
            .response
            .jobs
            .into_iter()
            .map(|job| {
                let job_id = job.job_id.clone();
                let result = match ServerError::check(job.error_code, job.error_message.clone()) {
                    Some(error) => Err(error),
                    None => Ok(job_description(job, address)?),
                };
                Ok(JobResult { job_id, result })
            })
            .collect()
    }

    /// Every job the sidecar knows, oldest first, without their partitions.
    pub async fn list_reassignment_jobs(&self) -> Result<Vec<JobDescription>> {
        let results = self.describe_reassignment_jobs(&JobSelection::All, false).await?;
        results.into_iter().map(|job| job.result.map_err(Error::from)).collect()
    }

    /// One job, with its partitions; [`Error::Server`] with 91 RESOURCE_NOT_FOUND if the sidecar
    /// does not know it.
    pub async fn describe_reassignment_job(&self, job_id: &str) -> Result<JobDescription> {
        self.describe_one_job(job_id, true).await
    }

    /// One job without its partitions, for polling its progress.
    pub(crate) async fn describe_reassignment_jobs_without_partitions(
        &self,
        job_id: &str,
    ) -> Result<JobDescription> {
        self.describe_one_job(job_id, false).await
    }

    async fn describe_one_job(
        &self,
        job_id: &str,
        include_partitions: bool,
    ) -> Result<JobDescription> {
        let selection = JobSelection::Ids(vec![job_id.to_owned()]);
        let mut results = self.describe_reassignment_jobs(&selection, include_partitions).await?;
        match (results.pop(), results.is_empty()) {
            (Some(job), true) if job.job_id == job_id => Ok(job.result?),
            _ => Err(Error::Protocol {
                address: self.config().bootstrap_servers.join(","),
                detail: format!("DescribeReassignmentJobs: not one answer for job {job_id}"),
            }),
        }
    }

    /// A handle on the job `job_id`, to follow or change it (nothing is asked yet).
    pub fn reassignment_job(&self, job_id: impl Into<String>) -> ReassignmentJob {
        ReassignmentJob::new(self.clone(), job_id)
    }

    /// Pauses a job: no new move starts, moves under way finish. Returns its state then; 91 for
    /// an unknown job, 85 NO_REASSIGNMENT_IN_PROGRESS for one that has ended.
    pub async fn pause_reassignment_job(&self, job_id: &str) -> Result<JobState> {
        self.alter_reassignment_job(job_id, JobAction::Pause).await
    }

    /// Resumes a paused job. Returns its state then.
    pub async fn resume_reassignment_job(&self, job_id: &str) -> Result<JobState> {
        self.alter_reassignment_job(job_id, JobAction::Resume).await
    }

    /// Cancels a job: moves under way are reverted and throttles restored. Returns its state
    /// then (the reverting settles afterwards: describe the job to see it end).
    pub async fn cancel_reassignment_job(&self, job_id: &str) -> Result<JobState> {
        self.alter_reassignment_job(job_id, JobAction::Cancel).await
    }

    pub(crate) async fn alter_reassignment_job(
        &self,
        job_id: &str,
        action: JobAction,
    ) -> Result<JobState> {
        Ok(self.alter_reassignment_job_counted(job_id, action).await?.0)
    }

    /// Takes `action` on a job: its state then, and for a restart how many partitions it
    /// retries.
    pub(crate) async fn alter_reassignment_job_counted(
        &self,
        job_id: &str,
        action: JobAction,
    ) -> Result<(JobState, Option<u32>)> {
        let answer = self
            .call::<AlterReassignmentJobRequest>(|_| {
                Ok(AlterReassignmentJobRequest {
                    job_id: job_id.to_owned(),
                    action: action.code(),
                    execute_at: action.execute_at(),
                    only_failed: matches!(action, JobAction::Restart { only_failed: true }),
                    ..Default::default()
                })
            })
            .await?;
        let state = job_state(&answer.response.state, &answer.address)?;
        Ok((state, u32::try_from(answer.response.retried).ok()))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Every change to the state is one assignment, so a panicking holder cannot leave it
        // half-changed.
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn server_timeout_ms(&self) -> i32 {
        server_timeout_ms(self.inner.config.request_timeout)
    }

    /// Whether the server is known to speak only version 0 of `key`, whose requests name one
    /// topic (or, for CreateTopic, answer a batch with a single error code).
    fn batches_unsupported(&self, key: ApiKey) -> bool {
        self.state().versions.and_then(|v| v.get(key)) == Some(0)
    }

    /// Sends a request about one topic (the single-topic form in version 0, a batch of one in
    /// version 1); the topic's error is the call's.
    async fn topic_call<R: TopicRequest>(&self, item: &R::Item) -> Result<R::Output> {
        let timeout_ms = self.server_timeout_ms();
        let answer = self
            .call::<R>(|version| {
                Ok(if version == 0 {
                    R::v0(item)
                } else {
                    R::v1(std::slice::from_ref(item), timeout_ms, false)
                })
            })
            .await?;
        let name = R::name(item);
        let payload = if answer.version == 0 {
            R::v0_payload(answer.response)
        } else {
            let answers = R::v1_answers(answer.response);
            // `per_topic` makes sure there is exactly one.
            per_topic::<R>(&answer.address, &[name], answers)?.remove(0)?
        };
        R::output(payload, &answer.address, name)
    }

    /// Sends a request about several topics, each with its own result: one batch in version 1,
    /// or one request per topic to a server known to speak only version 0 (which cannot
    /// validate only: that is refused as unsupported).
    async fn topics_call<R: TopicRequest>(
        &self,
        items: &[R::Item],
        validate_only: bool,
    ) -> Result<Vec<TopicResult<R::Output>>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        if self.batches_unsupported(R::KEY) && !validate_only {
            let name = |item: &R::Item| R::name(item).to_owned();
            return self.one_by_one(items, |item| self.topic_call::<R>(item), name).await;
        }
        let timeout_ms = self.server_timeout_ms();
        let answer = self
            .call::<R>(|version| {
                needs_v1(version, R::NEEDS_V1)?;
                Ok(R::v1(items, timeout_ms, validate_only))
            })
            .await?;
        let names: Vec<&str> = items.iter().map(R::name).collect();
        let address = &answer.address;
        per_topic::<R>(address, &names, R::v1_answers(answer.response))?
            .into_iter()
            .zip(&names)
            .map(|(answer, name)| {
                let result = match answer {
                    Ok(payload) => Ok(R::output(payload, address, name)?),
                    Err(error) => Err(error),
                };
                Ok(TopicResult { topic: (*name).to_owned(), result })
            })
            .collect()
    }

    /// A batch as one call per item, for version 0: each item's server error is its result;
    /// any other failure ends the batch.
    async fn one_by_one<'a, I, T, F>(
        &self,
        items: &'a [I],
        call: impl Fn(&'a I) -> F,
        name: impl Fn(&I) -> String,
    ) -> Result<Vec<TopicResult<T>>>
    where
        F: Future<Output = Result<T>>,
    {
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            let result = match call(item).await {
                Ok(value) => Ok(value),
                Err(Error::Server(error)) => Err(error),
                Err(other) => return Err(other),
            };
            results.push(TopicResult { topic: name(item), result });
        }
        Ok(results)
    }

    /// Sends a request built for the negotiated version (`build` says `Err(what)` when that
    /// version cannot carry it), retrying as the config allows: on 1001 at the controller after
    /// refreshing the metadata, and on connection failures when the request cannot have run
    /// twice (it never left, or it only reads). The answer's top-level error is the call's.
    pub(crate) async fn call<R: RequestMessage>(
        &self,
        build: impl Fn(i16) -> std::result::Result<R, String>,
    ) -> Result<Answer<R::Response>> {
        let config = &self.inner.config;
        let mut attempt = 0;
        loop {
            let not_controller = match self.attempt::<R>(Route::Controller, &build).await {
                Ok(answer) => {
                    let refused = answer.response.error_code()
                        == ErrorCode::NOT_CONTROLLER_RECEIVED_ADMIN_REQUEST;
                    if !refused || attempt >= config.retries {
                        check(&answer.response)?;
                        return Ok(answer);
                    }
                    tracing::debug!(
                        address = answer.address,
                        api = R::KEY.name(),
                        "not the controller"
                    );
                    true
                }
                Err(failed) => {
                    if !failed.is_retriable::<R>() || attempt >= config.retries {
                        return Err(failed.error);
                    }
                    tracing::debug!(error = %failed.error, api = R::KEY.name(), "retrying");
                    false
                }
            };
            attempt += 1;
            self.state().metadata = None;
            if not_controller {
                let metadata = self.cluster_metadata().await?;
                // Straight to a newly named controller; wait first if it named none, or if this
                // is not the first redirect (the controller may be moving).
                if metadata.controller.is_some() && attempt == 1 {
                    continue;
                }
            }
            tokio::time::sleep(config.backoff(attempt)).await;
        }
    }

    /// One try of a request, on a connection along `route`.
    async fn attempt<R: RequestMessage>(
        &self,
        route: Route,
        build: &impl Fn(i16) -> std::result::Result<R, String>,
    ) -> std::result::Result<Answer<R::Response>, Failed> {
        let not_sent = |error| Failed { error, maybe_sent: false };
        let mut connection = self.connection(route).await.map_err(not_sent)?;
        let address = connection.address().to_owned();
        // Nothing is sent unless the request fits the version; the connection stays usable.
        let prepared = connection
            .versions()
            .get(R::KEY)
            .ok_or_else(|| Error::Unsupported {
                address: address.clone(),
                what: format!("{} in version 0 or 1", R::KEY.name()),
            })
            .and_then(|version| {
                let request: AdminRequest = build(version)
                    .map_err(|what| Error::Unsupported { address: address.clone(), what })?
                    .into();
                let (frame, correlation_id) =
                    connection.encode(&request, version, &self.inner.config.client_id)?;
                Ok((version, frame, correlation_id))
            });
        let (version, frame, correlation_id) = match prepared {
            Ok(prepared) => prepared,
            Err(error) => {
                self.inner.pool.put(connection);
                return Err(not_sent(error));
            }
        };
        let timeout = self.inner.config.request_timeout;
        let exchange = connection.exchange(R::KEY, version, &frame, correlation_id);
        let response = match tokio::time::timeout(timeout, exchange).await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return Err(Failed { error, maybe_sent: true }),
            Err(_) => {
                let what = format!("{} at {address}", R::KEY.name());
                return Err(Failed {
                    error: Error::Timeout { what, after: timeout },
                    maybe_sent: true,
                });
            }
        };
        // Only a complete exchange leaves the connection in step for the next request.
        self.inner.pool.put(connection);
        let response = R::Response::try_from(response).map_err(|_| Failed {
            error: Error::protocol(&address, format!("not a {} response", R::KEY.name())),
            maybe_sent: true,
        })?;
        Ok(Answer { version, address, response })
    }

    /// A connection to the controller if it is known (else a bootstrap server), or to a
    /// bootstrap server.
    async fn connection(&self, route: Route) -> Result<Connection> {
        let controller = match route {
            Route::Controller => self
                .state()
                .metadata
                .as_ref()
                .and_then(|m| m.controller.as_ref())
                .map(Broker::address),
            Route::Bootstrap => None,
        };
        let connection = match controller {
            Some(address) => self.inner.pool.take(&address, &self.inner.config).await?,
            None => self.bootstrap_connection().await?,
        };
        self.state().versions = Some(connection.versions());
        Ok(connection)
    }

    /// A connection to a bootstrap server, starting with the one that answered last. If none
    /// answers, the most telling error: that a server is not a sidecar, else the first failure.
    async fn bootstrap_connection(&self) -> Result<Connection> {
        let servers = &self.inner.config.bootstrap_servers;
        let start = self.state().bootstrap_index;
        let mut failure: Option<Error> = None;
        for offset in 0..servers.len() {
            let index = (start + offset) % servers.len();
            match self.inner.pool.take(&servers[index], &self.inner.config).await {
                Ok(connection) => {
                    let mut state = self.state();
                    state.bootstrap_index = index;
                    state.versions = Some(connection.versions());
                    return Ok(connection);
                }
                Err(Error::Closed) => return Err(Error::Closed),
                Err(error) => {
                    tracing::debug!(server = servers[index], %error, "bootstrap server failed");
                    let telling = matches!(
                        error,
                        Error::ExtensionNotOffered { .. } | Error::Authentication { .. }
                    );
                    if failure.is_none() || telling {
                        failure = Some(error);
                    }
                }
            }
        }
        Err(failure.unwrap_or_else(|| Error::Config("no bootstrap servers".to_owned())))
    }
}

/// The response's top-level error, if it has one.
fn check(response: &impl ResponseMessage) -> Result<()> {
    let message = response.error_message().map(str::to_owned);
    match ServerError::check(response.error_code().0, message) {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

fn needs_v1(version: i16, what: &str) -> std::result::Result<(), String> {
    if version >= 1 { Ok(()) } else { Err(what.to_owned()) }
}

fn partition_results(
    results: impl Iterator<Item = (String, i32, i16, Option<String>)>,
) -> Vec<PartitionResult> {
    results
        .map(|(topic, partition, code, message)| PartitionResult {
            partition: TopicPartition::new(topic, partition),
            error: ServerError::check(code, message),
        })
        .collect()
}

fn partition_count(count: u32) -> Result<i32> {
    i32::try_from(count).map_err(|_| {
        Error::InvalidArgument(format!("{count} partitions is more than Kafka allows"))
    })
}

fn creatable(topic: &NewTopic) -> Result<CreatableTopic> {
    let (partitions, replication_factor, replica_assignment) = match &topic.layout {
        TopicLayout::Sized { partitions, replication_factor } => {
            (partition_count(*partitions)?, i32::from(*replication_factor), String::new())
        }
        TopicLayout::Assigned(assignment) => (-1, -1, assignment.to_string()),
    };
    Ok(CreatableTopic {
        name: topic.name.clone(),
        partitions,
        replication_factor,
        replica_assignment,
        configs: topic
            .configs
            .iter()
            .map(|(key, value)| create_topic_request::ConfigEntry {
                key: key.clone(),
                value: value.clone(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    })
}

fn alterable(alteration: &TopicAlteration) -> Result<AlterableTopic> {
    Ok(AlterableTopic {
        name: alteration.name.clone(),
        partitions: alteration.partitions.map(partition_count).transpose()?.unwrap_or(-1),
        replica_assignment: alteration.assignment.as_ref().map(ToString::to_string),
        added_configs: alteration
            .set_configs
            .iter()
            .map(|(key, value)| alter_topic_request::ConfigEntry {
                key: key.clone(),
                value: value.clone(),
                ..Default::default()
            })
            .collect(),
        deleted_configs: alteration.delete_configs.clone(),
        ..Default::default()
    })
}

/// Topic names as the requests carry them.
fn owned<S: AsRef<str>>(names: &[S]) -> Vec<String> {
    names.iter().map(|n| n.as_ref().to_owned()).collect()
}

/// The wire's SubmitReassignment for `request`: a manual topic carries its assignment, an
/// automatic one its brokers; `None` values are the wire's -1.
fn submit_request(
    request: &ReassignmentRequest,
    time_estimate: bool,
) -> Result<SubmitReassignmentRequest> {
    let wire_i64 = |value: u64, what: &str| {
        i64::try_from(value)
            .map_err(|_| Error::InvalidArgument(format!("{what} {value} is out of range")))
    };
    let reassignments = request
        .topics
        .iter()
        .map(|topic| match topic {
            TopicReassignment::Automatic { topic, brokers, replication_factor } => {
                PartitionReassignEntity {
                    topic: topic.clone(),
                    brokers: brokers.clone(),
                    replication_factor: replication_factor.map_or(-1, i32::from),
                    ..Default::default()
                }
            }
            TopicReassignment::Manual { topic, assignment } => PartitionReassignEntity {
                topic: topic.clone(),
                replication_factor: -1,
                assignment: assignment
                    .iter()
                    .map(|p| TopicAssignment {
                        partition: p.partition,
                        partition_brokers: p.replicas.clone(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            },
        })
        .collect();
    Ok(SubmitReassignmentRequest {
        reassignments,
        throttle: request.throttle.map(|t| wire_i64(t, "throttle")).transpose()?.unwrap_or(-1),
        is_schedule: request.execute_at.is_some(),
        execute_at: request
            .execute_at
            .map(|at| wire_i64(at, "execute_at"))
            .transpose()?
            .unwrap_or(-1),
        time_estimate,
        weigh_by_size: request.weigh_by_size,
        ..Default::default()
    })
}

/// A count or size the server must send as zero or more.
fn non_negative<T: TryFrom<i64>>(value: i64, what: &str, address: &str) -> Result<T> {
    T::try_from(value).map_err(|_| Error::protocol(address, format!("{what} is {value}")))
}

/// A value the wire marks as absent with a negative number (-1).
fn present(value: i64) -> Option<u64> {
    u64::try_from(value).ok()
}

fn estimate(response: SubmitReassignmentResponse, address: &str) -> Result<ReassignmentEstimate> {
    Ok(ReassignmentEstimate {
        reassignment_time: non_negative(response.reassignment_time, "ReassignmentTime", address)?,
        bytes_to_move: non_negative(response.bytes_to_move, "BytesToMove", address)?,
        rate: non_negative(response.rate, "Rate", address)?,
        waves: non_negative(i64::from(response.waves), "Waves", address)?,
        slowest_broker: (response.slowest_broker >= 0).then_some(response.slowest_broker),
        brokers: response
            .brokers
            .into_iter()
            .map(|b| {
                Ok(BrokerLoad {
                    broker_id: b.broker_id,
                    bytes_in: non_negative(b.bytes_in, "BytesIn", address)?,
                    bytes_out: non_negative(b.bytes_out, "BytesOut", address)?,
                })
            })
            .collect::<Result<_>>()?,
        partitions: response
            .partitions
            .into_iter()
            .map(|p| {
                Ok(PlannedMove {
                    bytes: non_negative(p.bytes, "Bytes", address)?,
                    topic: p.topic,
                    partition: p.partition,
                    replicas: p.replicas,
                    target_replicas: p.target_replicas,
                })
            })
            .collect::<Result<_>>()?,
        rack_unaware_topics: response.rack_unaware_topics,
    })
}

fn job_state(name: &str, address: &str) -> Result<JobState> {
    JobState::from_name(name)
        .ok_or_else(|| Error::protocol(address, format!("unknown job state {name:?}")))
}

fn job_description(
    job: describe_reassignment_jobs_response::Job,
    address: &str,
) -> Result<JobDescription> {
    let partitions = job
        .partitions
        .into_iter()
        .map(|p| {
            let state = JobPartitionState::from_name(&p.state).ok_or_else(|| {
                Error::protocol(address, format!("unknown partition state {:?}", p.state))
            })?;
            Ok(JobPartition {
                state,
                bytes_total: non_negative(p.bytes_total, "BytesTotal", address)?,
                bytes_moved: non_negative(p.bytes_moved, "BytesMoved", address)?,
                topic: p.topic,
                partition: p.partition,
                replicas: p.replicas,
                target_replicas: p.target_replicas,
                reason: p.reason,
            })
        })
        .collect::<Result<_>>()?;
    Ok(JobDescription {
        state: job_state(&job.state, address)?,
        throttle: present(job.throttle),
        created_ms: non_negative(job.created_ms, "CreatedMs", address)?,
        execute_at: present(job.execute_at),
        started_ms: present(job.started_ms),
        finished_ms: present(job.finished_ms),
        bytes_total: non_negative(job.bytes_total, "BytesTotal", address)?,
        bytes_moved: non_negative(job.bytes_moved, "BytesMoved", address)?,
        eta_seconds: present(job.eta_seconds),
        partition_count: non_negative(i64::from(job.partition_count), "PartitionCount", address)?,
        partitions_done: non_negative(i64::from(job.partitions_done), "PartitionsDone", address)?,
        cleanup_pending: job.cleanup_pending,
        error: job.error,
        requested_by: job.requested_by,
        started_late_ms: present(job.started_late_ms),
        partitions,
        job_id: job.job_id,
    })
}

#[cfg(test)]
mod tests {
    use adminwire_protocol::generated::describe_reassignment_jobs_response::{Job, JobPartition};
    use adminwire_protocol::generated::submit_reassignment_response;

    use super::*;

    #[test]
    fn a_request_becomes_the_wires_with_minus_one_for_none() {
        let request = ReassignmentRequest::new()
            .automatic("auto", [1, 2, 3], Some(2))
            .automatic("kept", [1], None)
            .manual("manual", 0, [3, 1]);
        let wire = submit_request(&request, true).unwrap();
        assert_eq!((wire.throttle, wire.is_schedule, wire.execute_at), (-1, false, -1));
        assert!(wire.time_estimate && !wire.weigh_by_size);
        let topics: Vec<(&str, &[i32], i32, usize)> = wire
            .reassignments
            .iter()
            .map(|r| (r.topic.as_str(), &r.brokers[..], r.replication_factor, r.assignment.len()))
            .collect();
        assert_eq!(
            topics,
            [("auto", &[1, 2, 3][..], 2, 0), ("kept", &[1][..], -1, 0), ("manual", &[][..], -1, 1)]
        );
        assert_eq!(wire.reassignments[2].assignment[0].partition_brokers, [3, 1]);

        let scheduled = request.throttle(1_000).execute_at(1_796_162_400_000).weigh_by_size(true);
        let wire = submit_request(&scheduled, false).unwrap();
        assert_eq!(
            (wire.throttle, wire.is_schedule, wire.execute_at),
            (1_000, true, 1_796_162_400_000)
        );
        assert!(!wire.time_estimate && wire.weigh_by_size);
        assert!(matches!(
            submit_request(&ReassignmentRequest::new().throttle(u64::MAX), false),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn an_estimate_is_read_with_its_breakdown_and_minus_one_as_none() {
        let response = SubmitReassignmentResponse {
            reassignment_time: 12,
            bytes_to_move: 2_000,
            rate: 100,
            waves: 2,
            slowest_broker: -1,
            brokers: vec![submit_reassignment_response::BrokerLoad {
                broker_id: 1,
                bytes_in: 0,
                bytes_out: 2_000,
                ..Default::default()
            }],
            partitions: vec![submit_reassignment_response::PlannedPartition {
                topic: "t".into(),
                partition: 0,
                replicas: vec![1],
                target_replicas: vec![2],
                bytes: 2_000,
                ..Default::default()
            }],
            ..Default::default()
        };
        let read = estimate(response.clone(), "sidecar:9092").unwrap();
        assert_eq!((read.reassignment_time, read.waves, read.slowest_broker), (12, 2, None));
        assert_eq!(read.brokers[0].bytes_out, 2_000);
        assert_eq!(read.partitions[0].target_replicas, [2]);
        let negative = SubmitReassignmentResponse { bytes_to_move: -5, ..response };
        assert!(matches!(estimate(negative, "sidecar:9092"), Err(Error::Protocol { .. })));
    }

    #[test]
    fn a_job_is_read_with_its_states_and_unknown_states_are_protocol_errors() {
        let job = Job {
            job_id: "j".into(),
            state: "RUNNING".into(),
            throttle: -1,
            created_ms: 5,
            execute_at: -1,
            started_ms: 6,
            finished_ms: -1,
            bytes_total: 100,
            bytes_moved: 40,
            eta_seconds: 3,
            partition_count: 2,
            partitions_done: 1,
            partitions: vec![JobPartition {
                topic: "t".into(),
                partition: 0,
                replicas: vec![1],
                target_replicas: vec![2],
                state: "MOVING".into(),
                bytes_total: 50,
                bytes_moved: 20,
                ..Default::default()
            }],
            ..Default::default()
        };
        let read = job_description(job.clone(), "sidecar:9092").unwrap();
        assert_eq!(
            (read.state, read.throttle, read.started_ms),
            (JobState::Running, None, Some(6))
        );
        assert_eq!(read.partitions[0].state, JobPartitionState::Moving);
        let progress = read.progress();
        assert_eq!(progress.eta, Some(std::time::Duration::from_secs(3)));
        assert_eq!((progress.bytes_moved, progress.bytes_total), (40, 100));
        let odd = Job { state: "SLEEPING".into(), ..job };
        assert!(matches!(job_description(odd, "sidecar:9092"), Err(Error::Protocol { .. })));
    }
}
