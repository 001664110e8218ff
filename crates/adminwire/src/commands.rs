//! Runs the admin commands through the client library: one place for both modes, so that the
//! shell does exactly what the command line does.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use adminwire_client::{
    AdminClient, AdminClientConfig, ElectionScope, Error, JobAction, LinkChange, NewLink, NewTopic,
    PartitionResult, Progress, ReassignmentJob, ReassignmentPlan, ReassignmentRequest,
    TopicAlteration,
};

use crate::cli::{AdminCommand, AlterTopicArgs, CreateTopicArgs, GroupMoveArgs, ReassignArgs};
use crate::progress::{self, Bar, JobBar};
use crate::report::{
    AlteredJob, Failure, Finished, FinishedJob, LinkChanged, Operation, Report, Started,
    SubmittedJob,
};
use crate::request_file::{JobFile, ReassignmentFile};

/// How long `--blocking` waits at most. A reassignment of much data takes hours; a day is past
/// any sensible wait, and Ctrl-C ends it sooner.
const BLOCKING_DEADLINE: Duration = Duration::from_secs(24 * 60 * 60);

/// How often `--blocking` looks at a job at most: often enough for a live bar, rarely enough
/// to cost the sidecar nothing.
const JOB_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Where a command was typed, for the hints that name another command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `adminwire --... --broker-list LIST [--command-config FILE]`: hints are full command
    /// lines, ending with the options that connected this one.
    CommandLine { connection_options: String },
    /// The shell: hints are shell commands.
    Shell,
}

/// A connected client and where its commands come from.
#[derive(Debug, Clone)]
pub struct Session {
    pub client: AdminClient,
    pub mode: Mode,
}

impl Session {
    pub async fn execute(&self, command: AdminCommand) -> Result<Report, Failure> {
        let client = &self.client;
        match command {
            AdminCommand::CreateTopic(args) => {
                let topic = new_topic(args)?;
                client.create_topic(&topic).await?;
                Ok(Report::TopicCreated(topic.name))
            }
            AdminCommand::AlterTopic(args) => {
                let alteration = alteration(args)?;
                client.alter_topic(&alteration).await?;
                Ok(Report::TopicChanged(alteration.name))
            }
            AdminCommand::DeleteTopic(args) => {
                let topic = required_topic(args.topic)?;
                client.delete_topic(&topic).await?;
                Ok(Report::TopicDeleted(topic))
            }
            AdminCommand::ListTopics(args) => {
                let topics = if args.exclude_internal {
                    client.list_topics_excluding_internal().await?
                } else {
                    client.list_topics().await?
                };
                Ok(Report::Topics(topics))
            }
            AdminCommand::DescribeTopic(args) => {
                let topic = required_topic(args.topic)?;
                Ok(Report::Topic(client.describe_topic(&topic).await?))
            }
            AdminCommand::ClusterMetadata => Ok(Report::Cluster(client.cluster_metadata().await?)),
            AdminCommand::ReassignPartitions(args) => {
                let file = match &args.reassignment_json_file {
                    Some(path) => Some((ReassignmentFile::parse(&read(path)?)?, path.clone())),
                    None => None,
                };
                match file {
                    Some((ReassignmentFile::KafkaPlan(plan), path)) if !args.wants_job() => {
                        self.reassign_partitions(&plan, &path, args.blocking).await
                    }
                    file => self.reassignment_job(args, file.map(|(file, _)| file)).await,
                }
            }
            AdminCommand::VerifyReassignPartitions(args) => {
                let plan = ReassignmentPlan::from_json(&read(&args.reassignment_json_file)?)?;
                Ok(Report::ReassignmentStatus(client.verify_reassign_partitions(&plan).await?))
            }
            AdminCommand::PreferredReplicaLeaderElection(args) => {
                let file = args.file.preferred_replica_leader_election_json_file;
                let scope = election_scope(file.as_deref())?;
                let hint = match &file {
                    Some(file) => self.hint(
                        "verify-preferred-replica-leader-election",
                        "--preferred-replica-leader-election-json-file",
                        file,
                    ),
                    None => self.command_hint("verify-preferred-replica-leader-election"),
                };
                let election = client.preferred_replica_leader_election(&scope).await?;
                let started = election.started().to_vec();
                let finished = if args.blocking && any_accepted(&started) {
                    let wait = |bar: Bar| {
                        election.wait_with_progress(BLOCKING_DEADLINE, move |p| bar.update(p))
                    };
                    Some(follow(Operation::Election, "Electing", wait, &hint).await?)
                } else {
                    None
                };
                Ok(started_report(Operation::Election, started, finished, hint))
            }
            AdminCommand::VerifyPreferredReplicaLeaderElection(args) => {
                let scope =
                    election_scope(args.preferred_replica_leader_election_json_file.as_deref())?;
                let statuses = client.verify_preferred_replica_leader_election(&scope).await?;
                Ok(Report::ElectionStatus(statuses))
            }
            AdminCommand::ListJobs => Ok(Report::Jobs(client.list_reassignment_jobs().await?)),
            AdminCommand::CreateLink(args) => {
                let mut link = NewLink::new(args.link.link.clone(), args.source_bootstrap)
                    .start(args.start_position)
                    .topics(args.topics)
                    .groups(args.groups);
                if let Some(file) = &args.source_command_config {
                    let properties = adminwire_client::read_properties_file(file)?;
                    let mut properties = properties;
                    properties.retain(|(k, _)| k != "bootstrap.servers");
                    properties.push(("bootstrap.servers".into(), link.source_bootstrap.join(",")));
                    link.source_login = AdminClientConfig::from_properties(properties)?.sasl;
                }
                let source_cluster_id = client.create_link(&link).await?;
                Ok(Report::LinkChanged(LinkChanged {
                    link_id: link.id,
                    action: "create",
                    detail: source_cluster_id.map(|id| format!("source cluster {id}")),
                    deleted_topics: Vec::new(),
                }))
            }
            AdminCommand::ListLinks => {
                let links = client.describe_links(None, false).await?;
                Ok(Report::Links(links.into_iter().filter_map(Result::ok).collect()))
            }
            AdminCommand::DescribeLink(args) => {
                Ok(Report::Link(client.describe_link(&args.link, true).await?))
            }
            AdminCommand::AlterLink(args) => {
                let change = LinkChange::Change {
                    add_topics: args.add_topics,
                    remove_topics: args.remove_topics,
                    add_groups: args.add_groups,
                    remove_groups: args.remove_groups,
                };
                client.alter_link(&args.link.link, &change).await?;
                Ok(link_changed(args.link.link, "alter"))
            }
            AdminCommand::PauseLink(args) => {
                client.alter_link(&args.link, &LinkChange::Pause).await?;
                Ok(link_changed(args.link, "pause"))
            }
            AdminCommand::ResumeLink(args) => {
                client.alter_link(&args.link, &LinkChange::Resume).await?;
                Ok(link_changed(args.link, "resume"))
            }
            AdminCommand::Promote(args) => {
                let action = if args.undo {
                    client.unpromote_mirror(&args.link.link, &args.topic).await?;
                    "undo the promotion of"
                } else {
                    client
                        .promote_mirror(&args.link.link, &args.topic, args.failover, args.force)
                        .await?;
                    if args.failover { "failover" } else { "promote" }
                };
                let mut report = link_changed(args.link.link, action);
                if let Report::LinkChanged(changed) = &mut report {
                    changed.detail = Some(format!("mirror {}", args.topic));
                }
                Ok(report)
            }
            AdminCommand::HandOver(args) => {
                let change = LinkChange::HandOver(vec![args.group.clone()]);
                move_group(client, args, change, "hand-over").await
            }
            AdminCommand::HandBack(args) => {
                let change = LinkChange::HandBack(vec![args.group.clone()]);
                move_group(client, args, change, "hand-back").await
            }
            AdminCommand::DeleteLink(args) => {
                let deleted = client.delete_link(&args.link.link, args.delete_mirrors).await?;
                Ok(Report::LinkChanged(LinkChanged {
                    link_id: args.link.link,
                    action: "delete",
                    detail: None,
                    deleted_topics: deleted,
                }))
            }
            AdminCommand::DescribeJob(args) => {
                let job = client.reassignment_job(args.job.job);
                if args.blocking {
                    let finished = self.follow_job(&job).await?;
                    Ok(Report::Job { description: finished.description, waited: true })
                } else {
                    Ok(Report::Job { description: job.describe().await?, waited: false })
                }
            }
            AdminCommand::PauseJob(args) => self.alter_job(args.job, JobAction::Pause).await,
            AdminCommand::ResumeJob(args) => self.alter_job(args.job, JobAction::Resume).await,
            AdminCommand::CancelJob(args) => self.alter_job(args.job, JobAction::Cancel).await,
            AdminCommand::RescheduleJob(args) => {
                self.alter_job(args.job.job, JobAction::Reschedule(args.execute_at)).await
            }
            AdminCommand::RestartJob(args) => {
                let action = JobAction::Restart { only_failed: args.only_failed };
                self.alter_job(args.job.job, action).await
            }
        }
    }

    /// KIP-4's ReassignPartitions of Kafka's plan, followed by its verify request.
    async fn reassign_partitions(
        &self,
        plan: &ReassignmentPlan,
        file: &Path,
        blocking: bool,
    ) -> Result<Report, Failure> {
        let hint = self.hint("verify-reassign-partitions", "--reassignment-json-file", file);
        let reassignment = self.client.reassign_partitions(plan).await?;
        let started = reassignment.started().to_vec();
        let finished = if blocking && any_accepted(&started) {
            let wait = |bar: Bar| {
                reassignment.wait_with_progress(BLOCKING_DEADLINE, move |p| bar.update(p))
            };
            Some(follow(Operation::Reassignment, "Reassigning", wait, &hint).await?)
        } else {
            None
        };
        Ok(started_report(Operation::Reassignment, started, finished, hint))
    }

    /// A reassignment job: the file's request (if any) with the topics and options of the
    /// flags, which win over the file's. Estimated, shown as a dry run, or submitted (and with
    /// `--blocking` followed to its end).
    async fn reassignment_job(
        &self,
        args: ReassignArgs,
        file: Option<ReassignmentFile>,
    ) -> Result<Report, Failure> {
        let JobFile { mut request, time_estimate } = match file {
            Some(file) => file.into_job(),
            None => JobFile { request: ReassignmentRequest::new(), time_estimate: false },
        };
        for topic in args.topics {
            request =
                request.automatic(topic, args.brokers.iter().copied(), args.replication_factor);
        }
        request.throttle = args.throttle.or(request.throttle);
        request.execute_at = args.execute_at.or(request.execute_at);
        request.weigh_by_size |= args.weigh_by_size;

        if args.dry_run {
            return Ok(Report::DryRun(self.client.estimate_reassignment(&request).await?));
        }
        if args.estimate || time_estimate {
            return Ok(Report::Estimate(self.client.estimate_reassignment(&request).await?));
        }
        let job = self.client.submit_reassignment(&request).await?;
        let finished = if args.blocking { Some(self.follow_job(&job).await?) } else { None };
        Ok(Report::JobSubmitted(SubmittedJob {
            job_id: job.id().to_owned(),
            finished,
            describe_hint: self.job_hint(job.id()),
        }))
    }

    /// Waits for a job to end with a progress bar of its bytes, until it ends or Ctrl-C (which
    /// stops the waiting, never the job).
    async fn follow_job(&self, job: &ReassignmentJob) -> Result<FinishedJob, Failure> {
        let bar = JobBar::start("Reassigning");
        let started = Instant::now();
        let waiting = job.wait_with_progress(BLOCKING_DEADLINE, JOB_POLL_INTERVAL, |p| {
            bar.update(p);
        });
        let outcome = progress::unless_interrupted(waiting).await;
        bar.clear();
        match outcome {
            Some(Ok(description)) => Ok(FinishedJob { description, elapsed: started.elapsed() }),
            Some(Err(error)) => Err(error.into()),
            None => Err(Failure::Interrupted {
                description: format!(
                    "stopped waiting after {:.1}s; reassignment job {} goes on in the cluster. \
                     Check on it with: {}",
                    started.elapsed().as_secs_f64(),
                    job.id(),
                    self.job_hint(job.id())
                ),
            }),
        }
    }

    async fn alter_job(&self, job_id: String, action: JobAction) -> Result<Report, Failure> {
        let job = self.client.reassignment_job(job_id);
        let (state, retried) = match action {
            JobAction::Pause => (job.pause().await?, None),
            JobAction::Resume => (job.resume().await?, None),
            JobAction::Cancel => (job.cancel().await?, None),
            JobAction::Reschedule(at) => (job.reschedule(at).await?, None),
            JobAction::Restart { only_failed } => {
                let (state, retried) = job.restart(only_failed).await?;
                (state, Some(retried))
            }
        };
        Ok(Report::JobAltered(AlteredJob { job_id: job.id().to_owned(), action, state, retried }))
    }

    /// The command that describes a job, e.g. `adminwire --describe-job --job ID --broker-list
    /// h:9092`.
    fn job_hint(&self, job_id: &str) -> String {
        format!("{} --job {job_id}{}", self.command_prefix("describe-job"), self.command_suffix())
    }

    /// The command that checks on a long-running command later, e.g. `adminwire
    /// --verify-reassign-partitions --reassignment-json-file plan.json --broker-list h:9092`.
    fn hint(&self, command: &str, file_option: &str, file: &Path) -> String {
        let file = file.to_string_lossy();
        let file = shlex::try_quote(&file).map_or_else(|_| file.to_string(), |q| q.into_owned());
        format!("{} {file_option} {file}{}", self.command_prefix(command), self.command_suffix())
    }

    fn command_hint(&self, command: &str) -> String {
        format!("{}{}", self.command_prefix(command), self.command_suffix())
    }

    fn command_prefix(&self, command: &str) -> String {
        match self.mode {
            Mode::CommandLine { .. } => format!("adminwire --{command}"),
            Mode::Shell => command.to_owned(),
        }
    }

    fn command_suffix(&self) -> String {
        match &self.mode {
            Mode::CommandLine { connection_options } => format!(" {connection_options}"),
            Mode::Shell => String::new(),
        }
    }
}

/// Waits for a long-running command with a progress bar, until it is done or Ctrl-C.
async fn follow<F>(
    operation: Operation,
    label: &str,
    wait: impl FnOnce(Bar) -> F,
    hint: &str,
) -> Result<Finished, Failure>
where
    F: Future<Output = Result<Progress, Error>>,
{
    let bar = Bar::start(label);
    let started = Instant::now();
    let outcome = progress::unless_interrupted(wait(bar.clone())).await;
    bar.clear();
    match outcome {
        Some(Ok(progress)) => Ok(Finished { progress, elapsed: started.elapsed() }),
        Some(Err(error)) => Err(error.into()),
        None => Err(Failure::Interrupted {
            description: format!(
                "stopped waiting after {:.1}s; {} goes on in the cluster. Check on it with: {hint}",
                started.elapsed().as_secs_f64(),
                operation.noun()
            ),
        }),
    }
}

fn any_accepted(started: &[PartitionResult]) -> bool {
    started.is_empty() || started.iter().any(|p| p.error.is_none())
}

fn started_report(
    operation: Operation,
    partitions: Vec<PartitionResult>,
    finished: Option<Finished>,
    verify_hint: String,
) -> Report {
    Report::Started(Started { operation, partitions, finished, verify_hint })
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|source| Failure::File { path: path.to_owned(), source })
}

fn election_scope(file: Option<&Path>) -> Result<ElectionScope, Failure> {
    match file {
        Some(file) => Ok(ElectionScope::from_json(&read(file)?)?),
        None => Ok(ElectionScope::AllPartitions),
    }
}

/// The topic, which clap (or the shell's topic context) has made sure of.
fn required_topic(topic: Option<String>) -> Result<String, Failure> {
    topic.ok_or_else(|| Error::InvalidArgument("--topic is required".to_owned()).into())
}

fn new_topic(args: CreateTopicArgs) -> Result<NewTopic, Failure> {
    let name = required_topic(args.topic)?;
    let mut topic = match (args.replica_assignment, args.partitions, args.replication_factor) {
        (Some(assignment), _, _) => NewTopic::with_assignment(name, assignment),
        (None, Some(partitions), Some(replication_factor)) => {
            NewTopic::new(name, partitions, replication_factor)
        }
        _ => {
            return Err(Error::InvalidArgument(
                "--partitions and --replication-factor, or --replica-assignment, are required"
                    .to_owned(),
            )
            .into());
        }
    };
    for (key, value) in args.configs {
        topic = topic.config(key, value);
    }
    Ok(topic)
}

fn alteration(args: AlterTopicArgs) -> Result<TopicAlteration, Failure> {
    let mut alteration = TopicAlteration::new(required_topic(args.topic)?);
    alteration.partitions = args.partitions;
    alteration.assignment = args.replica_assignment;
    for (key, value) in args.configs {
        alteration = alteration.set_config(key, value);
    }
    for key in args.delete_configs {
        alteration = alteration.delete_config(key);
    }
    Ok(alteration)
}

/// Moves a linked group between the clusters (see [`LinkChange::HandOver`]).
async fn move_group(
    client: &AdminClient,
    args: GroupMoveArgs,
    change: LinkChange,
    action: &'static str,
) -> Result<Report, Failure> {
    client.alter_link(&args.link.link, &change).await?;
    let mut report = link_changed(args.link.link, action);
    if let Report::LinkChanged(changed) = &mut report {
        changed.detail = Some(format!("group {}", args.group));
    }
    Ok(report)
}

fn link_changed(link_id: String, action: &'static str) -> Report {
    Report::LinkChanged(LinkChanged { link_id, action, detail: None, deleted_topics: Vec::new() })
}
