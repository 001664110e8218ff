//! What a command found or did, printed for people (sentences like the seed's `Topic "my_topic"
//! is created.`, tables like `kafka-topics --describe`) or as one JSON document for scripts. The
//! JSON shapes are a contract: docs/cli.md lists them, and the tests parse them.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use adminwire_client::{
    ClusterMetadata, ElectionStatus, Error, JobAction, JobDescription, JobPartitionState, JobState,
    LinkDescription, PartitionResult, PartitionState, PlannedMove, Progress, ReassignmentEstimate,
    ReassignmentStatus, TopicDescription, TopicPartition,
};
use comfy_table::{Table, presets};
use serde::Serialize;
use serde_json::{Value, json};

use crate::cli::OutputFormat;
use crate::progress::duration;

/// The result of a command that ran.
#[derive(Debug)]
pub enum Report {
    TopicCreated(String),
    TopicChanged(String),
    TopicDeleted(String),
    Topics(Vec<String>),
    Topic(TopicDescription),
    Cluster(ClusterMetadata),
    Started(Started),
    ReassignmentStatus(Vec<ReassignmentStatus>),
    ElectionStatus(Vec<ElectionStatus>),
    /// `--estimate`: how long, and each broker's share.
    Estimate(ReassignmentEstimate),
    /// `--dry-run`: the same answer, shown as each partition's move.
    DryRun(ReassignmentEstimate),
    JobSubmitted(SubmittedJob),
    Jobs(Vec<JobDescription>),
    /// A job described; `waited` if `--blocking` followed it to its end.
    Job {
        description: JobDescription,
        waited: bool,
    },
    JobAltered(AlteredJob),
    /// Cluster links, without their mirrors' partitions.
    Links(Vec<LinkDescription>),
    /// One link with its mirrors' partitions.
    Link(LinkDescription),
    LinkChanged(LinkChanged),
}

/// A link made, changed, paused, resumed, promoted or deleted.
#[derive(Debug)]
pub struct LinkChanged {
    pub link_id: String,
    pub action: &'static str,
    pub detail: Option<String>,
    /// For a deletion with its mirrors: the topics deleted.
    pub deleted_topics: Vec<String>,
}

/// A reassignment job that was submitted, and, with `--blocking`, how it ended.
#[derive(Debug)]
pub struct SubmittedJob {
    pub job_id: String,
    pub finished: Option<FinishedJob>,
    /// The command that describes the job.
    pub describe_hint: String,
}

#[derive(Debug)]
pub struct FinishedJob {
    pub description: JobDescription,
    pub elapsed: Duration,
}

/// A job paused, resumed, cancelled, re-timed or restarted, and its state then.
#[derive(Debug)]
pub struct AlteredJob {
    pub job_id: String,
    pub action: JobAction,
    pub state: JobState,
    /// For a restart: how many partitions it retries.
    pub retried: Option<u32>,
}

/// A long-running command that was started, and, with `--blocking`, how it ended.
#[derive(Debug)]
pub struct Started {
    pub operation: Operation,
    /// How the server took each partition.
    pub partitions: Vec<PartitionResult>,
    /// `None` unless the command waited for it.
    pub finished: Option<Finished>,
    /// The command that says how it is going (when not waited for).
    pub verify_hint: String,
}

#[derive(Debug)]
pub struct Finished {
    pub progress: Progress,
    pub elapsed: Duration,
}

/// Which long-running command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Reassignment,
    Election,
}

impl Operation {
    /// "the reassignment", for sentences.
    pub fn noun(self) -> &'static str {
        match self {
            Operation::Reassignment => "the reassignment",
            Operation::Election => "the preferred replica leader election",
        }
    }
}

/// Why a command failed: printed on stderr with a name, a code (the server's, when it answered)
/// and a description.
#[derive(Debug)]
pub enum Failure {
    /// The client's error: the server's answer, or no (usable) answer.
    Client(Error),
    /// A JSON file named on the command line could not be read.
    File { path: PathBuf, source: std::io::Error },
    /// Some partitions of a long-running command were refused by the server.
    NotStarted { operation: Operation, refused: Vec<PartitionResult>, total: usize },
    /// Some partitions of a long-running command that was waited for did not complete.
    Partitions { operation: Operation, failed: Vec<TopicPartition>, total: usize },
    /// Ctrl-C while waiting; what was started goes on.
    Interrupted { description: String },
    /// A reassignment job that was waited for ended other than completed.
    JobNotCompleted { job_id: String, state: JobState, error: Option<String> },
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Client(error)
    }
}

impl Failure {
    pub fn name(&self) -> &'static str {
        match self {
            Failure::Client(error) => error.name(),
            Failure::File { .. } => "FileNotReadable",
            Failure::NotStarted { .. } => "PartitionsNotStarted",
            Failure::Partitions { .. } => "PartitionsFailed",
            Failure::Interrupted { .. } => "Interrupted",
            Failure::JobNotCompleted { .. } => "JobNotCompleted",
        }
    }

    /// The server's error code, when a server answered with one.
    pub fn code(&self) -> Option<i16> {
        match self {
            Failure::Client(error) => error.code().map(|c| c.0),
            _ => None,
        }
    }

    pub fn description(&self) -> String {
        match self {
            Failure::Client(error) => error.description(),
            Failure::File { path, source } => format!("cannot read {}: {source}", path.display()),
            Failure::NotStarted { operation, refused, total } => {
                let reasons: Vec<String> = refused
                    .iter()
                    .map(|p| match &p.error {
                        Some(error) => format!("{}: {error}", p.partition),
                        None => p.partition.to_string(),
                    })
                    .collect();
                format!(
                    "{} of {total} partitions of {} were not started: {}",
                    refused.len(),
                    operation.noun(),
                    reasons.join("; ")
                )
            }
            Failure::Partitions { operation, failed, total } => {
                let names: Vec<String> = failed.iter().map(ToString::to_string).collect();
                format!(
                    "{} of {total} partitions of {} failed: {}",
                    failed.len(),
                    operation.noun(),
                    names.join(", ")
                )
            }
            Failure::Interrupted { description } => description.clone(),
            Failure::JobNotCompleted { job_id, state, error } => match error {
                Some(error) => format!("reassignment job {job_id} ended {state}: {error}"),
                None => format!("reassignment job {job_id} ended {state}"),
            },
        }
    }

    /// The process's exit code: 130 for Ctrl-C (as a shell reports SIGINT), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Interrupted { .. } => 130,
            _ => 1,
        }
    }

    /// The error as printed on stderr: `error: NAME (CODE): DESCRIPTION`, or
    /// `{"error":{"code":..,"name":..,"description":..}}` for `--output json`.
    pub fn render(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Human => match self.code() {
                Some(code) => format!("error: {} ({code}): {}", self.name(), self.description()),
                None => format!("error: {}: {}", self.name(), self.description()),
            },
            OutputFormat::Json => canonical(json!({"error": {
                "code": self.code(),
                "name": self.name(),
                "description": self.description(),
            }})),
        }
    }
}

impl Report {
    /// The failure a report carries (partitions refused or failed), if any: the report is
    /// printed, then this, and the command exits non-zero.
    pub fn failure(&self) -> Option<Failure> {
        let ended = |job: &JobDescription| {
            (job.state != JobState::Completed).then(|| Failure::JobNotCompleted {
                job_id: job.job_id.clone(),
                state: job.state,
                error: job.error.clone(),
            })
        };
        match self {
            Report::JobSubmitted(SubmittedJob { finished: Some(finished), .. }) => {
                return ended(&finished.description);
            }
            Report::Job { description, waited: true } => return ended(description),
            _ => {}
        }
        let Report::Started(started) = self else { return None };
        let operation = started.operation;
        if let Some(finished) = &started.finished {
            let progress = &finished.progress;
            return (!progress.failed.is_empty()).then(|| Failure::Partitions {
                operation,
                failed: progress.failed.clone(),
                total: progress.total(),
            });
        }
        let refused: Vec<PartitionResult> =
            started.partitions.iter().filter(|p| p.error.is_some()).cloned().collect();
        (!refused.is_empty()).then_some(Failure::NotStarted {
            operation,
            refused,
            total: started.partitions.len(),
        })
    }

    pub fn render(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Human => self.human(),
            OutputFormat::Json => canonical(self.json()),
        }
    }

    fn json(&self) -> Value {
        match self {
            Report::TopicCreated(topic) => json!({"topic": topic, "result": "created"}),
            Report::TopicChanged(topic) => json!({"topic": topic, "result": "changed"}),
            Report::TopicDeleted(topic) => json!({"topic": topic, "result": "deleted"}),
            Report::Topics(topics) => json!({"topics": topics}),
            Report::Topic(description) => to_value(description),
            Report::Cluster(metadata) => to_value(metadata),
            Report::Started(started) => json!({
                "started": to_value(&started.partitions),
                "finished": started.finished.as_ref().map(|f| json!({
                    "completed": to_value(&f.progress.completed),
                    "in_progress": to_value(&f.progress.in_progress),
                    "failed": to_value(&f.progress.failed),
                    "elapsed_ms": u64::try_from(f.elapsed.as_millis()).unwrap_or(u64::MAX),
                })),
            }),
            Report::ReassignmentStatus(statuses) => json!({"partitions": to_value(statuses)}),
            Report::ElectionStatus(statuses) => json!({"partitions": to_value(statuses)}),
            Report::Estimate(estimate) => to_value(estimate),
            Report::DryRun(estimate) => json!({
                "bytes_to_move": estimate.bytes_to_move,
                "partitions": estimate.partitions.iter().map(|p| json!({
                    "topic": p.topic,
                    "partition": p.partition,
                    "replicas": p.replicas,
                    "target_replicas": p.target_replicas,
                    "bytes": p.bytes,
                    "bytes_moved": bytes_moved(p),
                })).collect::<Vec<_>>(),
            }),
            Report::JobSubmitted(submitted) => match &submitted.finished {
                None => json!({"job_id": submitted.job_id}),
                Some(finished) => json!({
                    "job_id": submitted.job_id,
                    "job": to_value(&finished.description),
                    "elapsed_ms": u64::try_from(finished.elapsed.as_millis()).unwrap_or(u64::MAX),
                }),
            },
            Report::Jobs(jobs) => json!({"jobs": to_value(jobs)}),
            Report::Job { description, .. } => to_value(description),
            Report::Links(links) => {
                json!({"links": links.iter().map(link_json).collect::<Vec<_>>()})
            }
            Report::Link(link) => link_json(link),
            Report::LinkChanged(changed) => json!({
                "link_id": changed.link_id,
                "action": changed.action,
                "detail": changed.detail,
                "deleted_topics": changed.deleted_topics,
            }),
            Report::JobAltered(altered) => {
                let mut value = json!({
                    "job_id": altered.job_id,
                    "action": action_name(altered.action),
                    "state": altered.state.name(),
                });
                if let Some(retried) = altered.retried {
                    value["retried"] = json!(retried);
                }
                value
            }
        }
    }

    fn human(&self) -> String {
        match self {
            Report::TopicCreated(topic) => format!("Topic \"{topic}\" is created."),
            Report::TopicChanged(topic) => format!("Topic \"{topic}\" is changed."),
            Report::TopicDeleted(topic) => format!("Topic \"{topic}\" is deleted."),
            Report::Topics(topics) if topics.is_empty() => "No topics.".to_owned(),
            Report::Topics(topics) => topics.join("\n"),
            Report::Topic(description) => describe(description),
            Report::Cluster(metadata) => cluster(metadata),
            Report::Started(started) => long_running(started),
            Report::ReassignmentStatus(statuses) => {
                let mut table = table(["Topic", "Partition", "State"]);
                for s in statuses {
                    table.add_row([
                        s.partition.topic.clone(),
                        s.partition.partition.to_string(),
                        state(s.state).to_owned(),
                    ]);
                }
                let states = statuses.iter().map(|s| s.state);
                format!("{}\n{}", rendered(&table), tally(states))
            }
            Report::ElectionStatus(statuses) => {
                let mut table = table(["Topic", "Partition", "State", "Leader", "Preferred"]);
                for s in statuses {
                    table.add_row([
                        s.partition.topic.clone(),
                        s.partition.partition.to_string(),
                        state(s.state).to_owned(),
                        broker(s.leader),
                        broker(s.preferred_leader),
                    ]);
                }
                let states = statuses.iter().map(|s| s.state);
                format!("{}\n{}", rendered(&table), tally(states))
            }
            Report::Estimate(estimate) => estimated(estimate),
            Report::DryRun(estimate) => dry_run(estimate),
            Report::JobSubmitted(submitted) => submitted_job(submitted),
            Report::Jobs(jobs) => job_list(jobs),
            Report::Job { description, .. } => job(description),
            Report::Links(links) if links.is_empty() => "No cluster links.".to_owned(),
            Report::Links(links) => links.iter().map(link_text).collect::<Vec<_>>().join("\n\n"),
            Report::Link(link) => link_text(link),
            Report::LinkChanged(changed) => {
                let mut text = match changed.action {
                    "create" => format!("Created link {}", changed.link_id),
                    "delete" => format!("Deleted link {}", changed.link_id),
                    action => format!("Asked link {} to {action}", changed.link_id),
                };
                if let Some(detail) = &changed.detail {
                    let _ = write!(text, " ({detail})");
                }
                text.push('.');
                if !changed.deleted_topics.is_empty() {
                    let _ = write!(
                        text,
                        " Mirror topics deleted: {}.",
                        changed.deleted_topics.join(", ")
                    );
                }
                text
            }
            Report::JobAltered(altered) => match altered.retried {
                Some(0) => format!(
                    "Reassignment job {} has no partition to retry; it stays {}.",
                    altered.job_id, altered.state
                ),
                Some(retried) => format!(
                    "Restarted reassignment job {}: {retried} partition{} to move again; its \
                     state is now {}.",
                    altered.job_id,
                    if retried == 1 { "" } else { "s" },
                    altered.state
                ),
                None => format!(
                    "Asked reassignment job {} to {}; its state is now {}.",
                    altered.job_id,
                    action_name(altered.action),
                    altered.state
                ),
            },
        }
    }
}

fn action_name(action: JobAction) -> &'static str {
    match action {
        JobAction::Pause => "pause",
        JobAction::Resume => "resume",
        JobAction::Cancel => "cancel",
        JobAction::Reschedule(_) => "reschedule",
        JobAction::Restart { .. } => "restart",
    }
}

/// The bytes a partition's move copies: its size once per replica it gains.
fn bytes_moved(p: &PlannedMove) -> u64 {
    let added = p.target_replicas.iter().filter(|b| !p.replicas.contains(b)).count();
    p.bytes.saturating_mul(added as u64)
}

/// Bytes for people, in binary units as the progress bar shows them: `512 B`, `12.0 MiB`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn estimated(estimate: &ReassignmentEstimate) -> String {
    let mut out = format!(
        "Estimated time: {} to copy {} at {}/s per broker, in {} {}",
        duration(Duration::from_secs(estimate.reassignment_time)),
        size(estimate.bytes_to_move),
        size(estimate.rate),
        estimate.waves,
        if estimate.waves == 1 { "wave" } else { "waves" },
    );
    match estimate.slowest_broker {
        Some(broker) => {
            let _ = writeln!(out, "; slowest broker: {broker}.");
        }
        None => out.push_str(".\n"),
    }
    let mut table = table(["Broker", "Bytes in", "Bytes out"]);
    for b in &estimate.brokers {
        table.add_row([b.broker_id.to_string(), size(b.bytes_in), size(b.bytes_out)]);
    }
    if !estimate.brokers.is_empty() {
        let _ = writeln!(out, "{}", rendered(&table));
    }
    let _ = write!(
        out,
        "{} would move; nothing was moved (--dry-run shows each).",
        capitalized(&count(estimate.partitions.len()))
    );
    rack_unaware(&mut out, estimate);
    out
}

fn dry_run(estimate: &ReassignmentEstimate) -> String {
    let mut table = table(["Topic", "Partition", "Replicas", "Target", "Size", "Bytes moved"]);
    for p in &estimate.partitions {
        table.add_row([
            p.topic.clone(),
            p.partition.to_string(),
            ids(&p.replicas),
            ids(&p.target_replicas),
            size(p.bytes),
            size(bytes_moved(p)),
        ]);
    }
    let mut out = if estimate.partitions.is_empty() {
        "No partition would move.".to_owned()
    } else {
        format!(
            "{}\n{} would move, {} copied in all; nothing was moved (dry run).",
            rendered(&table),
            capitalized(&count(estimate.partitions.len())),
            size(estimate.bytes_to_move)
        )
    };
    rack_unaware(&mut out, estimate);
    out
}

fn rack_unaware(out: &mut String, estimate: &ReassignmentEstimate) {
    if !estimate.rack_unaware_topics.is_empty() {
        let _ = write!(
            out,
            "\nNot spread over racks (not every target broker has a rack): {}",
            estimate.rack_unaware_topics.join(", ")
        );
    }
}

fn submitted_job(submitted: &SubmittedJob) -> String {
    let Some(FinishedJob { description, elapsed }) = &submitted.finished else {
        return format!(
            "Submitted reassignment job {}.\nFollow it with: {}",
            submitted.job_id, submitted.describe_hint
        );
    };
    let mut out = format!(
        "Reassignment job {} ended {} in {:.1}s: {} of {} moved, {}/{} partitions done.",
        description.job_id,
        description.state,
        elapsed.as_secs_f64(),
        size(description.bytes_moved),
        size(description.bytes_total),
        description.partitions_done,
        description.partition_count
    );
    for p in &description.partitions {
        if matches!(p.state, JobPartitionState::Failed | JobPartitionState::Skipped) {
            let reason = p.reason.as_deref().unwrap_or("no reason given");
            let _ = write!(out, "\n{} {}-{}: {reason}", p.state, p.topic, p.partition);
        }
    }
    out
}

fn job_list(jobs: &[JobDescription]) -> String {
    if jobs.is_empty() {
        return "No reassignment jobs.".to_owned();
    }
    let mut table = table(["Job", "State", "Moved", "Total", "Partitions", "ETA", "Created"]);
    for j in jobs {
        table.add_row([
            j.job_id.clone(),
            j.state.to_string(),
            size(j.bytes_moved),
            size(j.bytes_total),
            format!("{}/{}", j.partitions_done, j.partition_count),
            eta(j),
            utc(j.created_ms),
        ]);
    }
    rendered(&table)
}

fn eta(job: &JobDescription) -> String {
    match job.eta_seconds {
        Some(seconds) if !job.state.is_final() => duration(Duration::from_secs(seconds)),
        _ => "-".to_owned(),
    }
}

fn job(j: &JobDescription) -> String {
    let mut out = format!("Reassignment job {}: {}\n", j.job_id, j.state);
    let mut times = vec![format!("created {}", utc(j.created_ms))];
    if let Some(at) = j.execute_at {
        times.push(format!("scheduled for {}", utc(at)));
    }
    if let Some(at) = j.started_ms {
        times.push(format!("started {}", utc(at)));
    }
    if let Some(at) = j.finished_ms {
        times.push(format!("ended {}", utc(at)));
    }
    if let Some(late) = j.started_late_ms {
        times.push(format!("{} s after its time (no sidecar ran jobs then)", late / 1000));
    }
    if let Some(who) = &j.requested_by {
        times.push(format!("submitted by {who}"));
    }
    let _ = writeln!(out, "{}", capitalized(&times.join(", ")));
    let throttle = j.throttle.map_or_else(|| "none".to_owned(), |t| format!("{}/s", size(t)));
    let _ = writeln!(
        out,
        "Moved {} of {}, {}/{} partitions done, ETA {}. Throttle: {throttle}.",
        size(j.bytes_moved),
        size(j.bytes_total),
        j.partitions_done,
        j.partition_count,
        eta(j)
    );
    if let Some(error) = &j.error {
        let _ = writeln!(out, "Error: {error}");
    }
    if j.cleanup_pending {
        out.push_str("Throttles the job set wait to be removed (a broker is down); retried until they are.\n");
    }
    let mut table =
        table(["Topic", "Partition", "Replicas", "Target", "State", "Moved", "Total", "Reason"]);
    for p in &j.partitions {
        table.add_row([
            p.topic.clone(),
            p.partition.to_string(),
            ids(&p.replicas),
            ids(&p.target_replicas),
            p.state.to_string(),
            size(p.bytes_moved),
            size(p.bytes_total),
            p.reason.clone().unwrap_or_default(),
        ]);
    }
    if !j.partitions.is_empty() {
        out.push_str(&rendered(&table));
    }
    out.trim_end().to_owned()
}

/// Milliseconds since the Unix epoch as an RFC 3339 time in UTC, to the second.
fn utc(epoch_ms: u64) -> String {
    let seconds = epoch_ms / 1000;
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    // The inverse of counting days in 400-year eras from 0000-03-01.
    let days = days as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// A link as the CLI's JSON shows it: snake_case, as every other answer.
fn link_json(link: &LinkDescription) -> Value {
    json!({
        "link_id": link.link_id,
        "state": link.state,
        "error": link.error,
        "source_bootstrap": link.source_bootstrap,
        "source_cluster_id": link.source_cluster_id,
        "source_username": link.source_username,
        "start_position": link.start_position,
        "paused": link.paused,
        "requested_by": link.requested_by,
        "mirrors": link.mirrors.iter().map(|m| json!({
            "topic": m.topic,
            "state": m.state,
            "error": m.error,
            "partition_count": m.partition_count,
            "lag": m.lag,
            "lag_bytes": (m.lag_bytes >= 0).then_some(m.lag_bytes),
            "not_copied": (m.not_copied >= 0).then_some(m.not_copied),
            "source_writers": m.source_writers.iter().map(|w| json!({"producer_id": w.producer_id, "records": w.records, "last_ms": w.last_ms})).collect::<Vec<_>>(),
            "unrouted_records": m.unrouted_records,
            "writers_watched": m.writers_watched,
            "switched": m.switched.iter().map(|c| json!({"client_id": c.client_id, "host": c.host, "principal": c.principal, "software": c.software, "last_ms": c.last_ms})).collect::<Vec<_>>(),
            "partitions": m.partitions.iter().map(|p| json!({
                "partition": p.partition,
                "offsets": p.offsets,
                "source_next": p.source_next,
                "source_end": p.source_end,
                "target_next": p.target_next,
                "lag": p.lag,
                "lag_bytes": (p.lag_bytes >= 0).then_some(p.lag_bytes),
                "records": p.records,
                "lost": p.lost,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "groups": link.groups.iter().map(|g| json!({
            "group": g.group,
            "synced_ms": (g.synced_ms >= 0).then_some(g.synced_ms),
            "waiting": g.waiting,
            "phase": g.phase,
            "moved_ms": (g.moved_ms >= 0).then_some(g.moved_ms),
            "source_members": g.source_members.iter().map(|m| json!({"client_id": m.client_id, "host": m.host})).collect::<Vec<_>>(),
            "held": g.held.first().map(|h| json!({"client_id": h.client_id, "address": h.address, "principal": h.principal, "software": h.software, "held_ms": h.held_ms})),
            "offsets": g.offsets.iter().map(|o| json!({"topic": o.topic, "partition": o.partition, "offset": o.offset})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// A link as the CLI shows it to a person: its header, a table of its mirrors (and of their
/// partitions, when described), and its groups.
fn link_text(link: &LinkDescription) -> String {
    let state = if link.state.is_empty() { "NOT TAKEN UP YET" } else { link.state.as_str() };
    let mut text = format!(
        "Link {} from {} ({}): {state}, starting at {}",
        link.link_id,
        link.source_bootstrap.join(","),
        link.source_cluster_id.as_deref().unwrap_or("cluster id unknown"),
        link.start_position
    );
    if let Some(error) = &link.error {
        let _ = write!(text, "\n  {error}");
    }
    let mut mirrors = Table::new();
    mirrors.load_preset(presets::NOTHING);
    mirrors.set_header(["MIRROR", "STATE", "PARTITIONS", "LAG", "OFFSETS"]);
    for m in &link.mirrors {
        let offsets: Vec<&str> = m.partitions.iter().map(|p| p.offsets.as_str()).collect();
        let offsets = if offsets.iter().all(|o| Some(o) == offsets.first()) {
            offsets.first().copied().unwrap_or("").to_owned()
        } else {
            offsets.join(",")
        };
        mirrors.add_row([
            m.topic.clone(),
            m.state.clone(),
            m.partition_count.to_string(),
            m.lag.to_string(),
            offsets,
        ]);
    }
    if !link.mirrors.is_empty() {
        let _ = write!(text, "\n{}", rendered(&mirrors));
    }
    for m in &link.mirrors {
        for c in &m.switched {
            let software = c.software.as_deref().map(|s| format!(", {s}")).unwrap_or_default();
            let principal = c.principal.as_deref().map(|p| format!(", {p}")).unwrap_or_default();
            let _ = write!(
                text,
                "\nMirror {}: {} writes here (from {}{software}{principal})",
                m.topic, c.client_id, c.host
            );
        }
        for w in &m.source_writers {
            let _ = write!(
                text,
                "\nMirror {}: producer id {} still writes to the source ({} records lately)",
                m.topic, w.producer_id, w.records
            );
        }
        if m.unrouted_records > 0 {
            let _ = write!(
                text,
                "\nMirror {}: {} records lately written to the source without a producer id, not \
                 through a sidecar",
                m.topic, m.unrouted_records
            );
        }
    }
    let partitions: Vec<_> =
        link.mirrors.iter().flat_map(|m| m.partitions.iter().map(move |p| (m, p))).collect();
    if !partitions.is_empty() {
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        table.set_header([
            "TOPIC",
            "PARTITION",
            "SOURCE NEXT",
            "SOURCE END",
            "TARGET NEXT",
            "RECORDS",
            "LOST",
        ]);
        for (m, p) in partitions {
            table.add_row([
                m.topic.clone(),
                p.partition.to_string(),
                p.source_next.to_string(),
                p.source_end.to_string(),
                p.target_next.to_string(),
                p.records.to_string(),
                p.lost.to_string(),
            ]);
        }
        let _ = write!(text, "\n{}", rendered(&table));
    }
    for g in &link.groups {
        let waiting = g.waiting.as_deref().map(|w| format!(" (waiting: {w})")).unwrap_or_default();
        let offsets: Vec<String> =
            g.offsets.iter().map(|o| format!("{}-{}={}", o.topic, o.partition, o.offset)).collect();
        let phase = if g.phase.is_empty() { "ON_SOURCE" } else { g.phase.as_str() };
        let _ = write!(
            text,
            "\nGroup {} ({phase}): {}{waiting}",
            g.group,
            if offsets.is_empty() {
                "no offsets carried over yet".to_owned()
            } else {
                offsets.join(" ")
            }
        );
        if !g.source_members.is_empty() {
            let members: Vec<String> =
                g.source_members.iter().map(|m| format!("{} at {}", m.client_id, m.host)).collect();
            let _ = write!(text, "\n  on the source: {}", members.join(", "));
        }
        if let Some(h) = g.held.first() {
            let software = h.software.as_deref().map(|s| format!(", {s}")).unwrap_or_default();
            let principal = h.principal.as_deref().map(|p| format!(", {p}")).unwrap_or_default();
            let _ = write!(
                text,
                "\n  waiting here: {} from {}{software}{principal}",
                h.client_id, h.address
            );
        }
    }
    text
}

fn to_value(value: &impl Serialize) -> Value {
    // The client's results are plain data (strings, numbers, maps with string keys).
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A table in the style of Kafka's tools: columns aligned with spaces, no borders.
fn table<const N: usize>(header: [&str; N]) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table.set_header(header);
    // Column padding of one space each side is comfy-table's default; the preset has no borders,
    // so a row starts with a space. Keep the left edge flush.
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    table
}

/// A table as text, without the padding comfy-table leaves at the end of each row.
fn rendered(table: &Table) -> String {
    table.lines().map(|line| line.trim_end().to_owned()).collect::<Vec<_>>().join("\n")
}

fn broker(id: Option<i32>) -> String {
    id.map_or_else(|| "none".to_owned(), |id| id.to_string())
}

fn ids(ids: &[i32]) -> String {
    ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

fn state(state: PartitionState) -> &'static str {
    match state {
        PartitionState::Completed => "completed",
        PartitionState::InProgress => "in progress",
        PartitionState::Failed => "failed",
    }
}

fn tally(states: impl Iterator<Item = PartitionState>) -> String {
    let (mut completed, mut in_progress, mut failed) = (0, 0, 0);
    for s in states {
        match s {
            PartitionState::Completed => completed += 1,
            PartitionState::InProgress => in_progress += 1,
            PartitionState::Failed => failed += 1,
        }
    }
    format!("{completed} completed, {in_progress} in progress, {failed} failed.")
}

fn describe(d: &TopicDescription) -> String {
    let configs = if d.configs.is_empty() {
        "none".to_owned()
    } else {
        d.configs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    };
    let mut table = table(["Partition", "Leader", "Replicas", "Isr"]);
    for p in &d.partitions {
        table.add_row([p.partition.to_string(), broker(p.leader), ids(&p.replicas), ids(&p.isr)]);
    }
    format!(
        "\"{}\" details:\nTopic: {}  Partitions: {}  Replication factor: {}  Configs: {configs}\n{}",
        d.name,
        d.name,
        d.partition_count,
        d.replication_factor,
        rendered(&table)
    )
}

fn cluster(metadata: &ClusterMetadata) -> String {
    let mut out = String::new();
    if let Some(id) = &metadata.cluster_id {
        let _ = writeln!(out, "Cluster id: {id}");
    }
    match &metadata.controller {
        Some(controller) => {
            let _ = writeln!(out, "Controller: {controller}");
        }
        None => out.push_str("Controller: none right now\n"),
    }
    let mut table = table(["Id", "Host", "Port", "Rack", "Role"]);
    for b in &metadata.brokers {
        let is_controller = metadata.controller.as_ref().is_some_and(|c| c.node_id == b.node_id);
        table.add_row([
            b.node_id.to_string(),
            b.host.clone(),
            b.port.to_string(),
            b.rack.clone().unwrap_or_else(|| "none".to_owned()),
            if is_controller { "controller" } else { "broker" }.to_owned(),
        ]);
    }
    out.push_str(&rendered(&table));
    out
}

fn long_running(started: &Started) -> String {
    let mut out = String::new();
    let refused: Vec<&PartitionResult> =
        started.partitions.iter().filter(|p| p.error.is_some()).collect();
    let accepted = started.partitions.len() - refused.len();
    match started.finished {
        None if accepted > 0 || started.partitions.is_empty() => {
            let _ = writeln!(out, "Started {} of {}.", started.operation.noun(), count(accepted));
        }
        _ => {}
    }
    for p in &refused {
        if let Some(error) = &p.error {
            let _ = writeln!(out, "Not started for {}: {error}", p.partition);
        }
    }
    match &started.finished {
        None if accepted == 0 && !started.partitions.is_empty() => {}
        None => {
            let _ = write!(out, "Check on it with: {}", started.verify_hint);
        }
        Some(Finished { progress, elapsed }) => {
            let _ = write!(
                out,
                "{} finished in {:.1}s: {} completed, {} failed.",
                capitalized(started.operation.noun()),
                elapsed.as_secs_f64(),
                progress.completed.len(),
                progress.failed.len()
            );
            for p in &progress.failed {
                let _ = write!(out, "\nFailed: {p}");
            }
        }
    }
    out.trim_end().to_owned()
}

fn count(partitions: usize) -> String {
    match partitions {
        1 => "1 partition".to_owned(),
        n => format!("{n} partitions"),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// JSON output with every object's keys in alphabetical order, so scripts see the same text
/// whatever order serde_json keeps keys in (which depends on features other crates turn on).
fn canonical(mut value: Value) -> String {
    value.sort_all_objects();
    value.to_string()
}

#[cfg(test)]
mod tests {
    use adminwire_client::{ErrorCode, PartitionDescription, ServerError};

    use super::*;

    #[test]
    fn descriptions_read_like_kafka_topics() {
        let description = TopicDescription {
            name: "orders".into(),
            partition_count: 2,
            replication_factor: 2,
            configs: [("retention.ms".to_owned(), "1000".to_owned())].into(),
            partitions: vec![
                PartitionDescription {
                    partition: 0,
                    leader: Some(1),
                    replicas: vec![1, 2],
                    isr: vec![1, 2],
                },
                PartitionDescription {
                    partition: 1,
                    leader: None,
                    replicas: vec![2, 3],
                    isr: vec![],
                },
            ],
        };
        let text = Report::Topic(description).render(OutputFormat::Human);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "\"orders\" details:",
                "Topic: orders  Partitions: 2  Replication factor: 2  Configs: retention.ms=1000",
                "Partition  Leader  Replicas  Isr",
                "0          1       1,2       1,2",
                "1          none    2,3",
            ]
        );
    }

    #[test]
    fn server_errors_print_name_code_and_description() {
        let failure = Failure::from(Error::from(ServerError::new(
            ErrorCode::TOPIC_ALREADY_EXISTS,
            Some("Topic 't' already exists.".into()),
        )));
        assert_eq!(
            failure.render(OutputFormat::Human),
            "error: TopicAlreadyExists (1002): Topic 't' already exists."
        );
        let json: Value = serde_json::from_str(&failure.render(OutputFormat::Json)).unwrap();
        assert_eq!(
            json,
            json!({"error": {"code": 1002, "name": "TopicAlreadyExists",
                "description": "Topic 't' already exists."}})
        );
    }

    #[test]
    fn failed_partitions_make_a_finished_command_fail() {
        let started = Started {
            operation: Operation::Reassignment,
            partitions: vec![],
            finished: Some(Finished {
                progress: Progress {
                    completed: vec![TopicPartition::new("a", 0)],
                    failed: vec![TopicPartition::new("a", 1)],
                    ..Default::default()
                },
                elapsed: Duration::from_millis(1500),
            }),
            verify_hint: String::new(),
        };
        let report = Report::Started(started);
        assert_eq!(
            report.render(OutputFormat::Human),
            "The reassignment finished in 1.5s: 1 completed, 1 failed.\nFailed: a-1"
        );
        let failure = report.failure().expect("a failure");
        assert_eq!(failure.description(), "1 of 2 partitions of the reassignment failed: a-1");
    }

    fn estimate() -> ReassignmentEstimate {
        use adminwire_client::BrokerLoad;
        ReassignmentEstimate {
            reassignment_time: 65,
            bytes_to_move: 3 * 1024 * 1024,
            rate: 1024 * 1024,
            waves: 2,
            slowest_broker: Some(1),
            brokers: vec![
                BrokerLoad { broker_id: 1, bytes_in: 0, bytes_out: 3 * 1024 * 1024 },
                BrokerLoad { broker_id: 2, bytes_in: 3 * 1024 * 1024, bytes_out: 0 },
            ],
            partitions: vec![
                PlannedMove {
                    topic: "t".into(),
                    partition: 0,
                    replicas: vec![1],
                    target_replicas: vec![2],
                    bytes: 1024 * 1024,
                },
                PlannedMove {
                    topic: "t".into(),
                    partition: 1,
                    replicas: vec![1],
                    target_replicas: vec![1, 2, 3],
                    bytes: 1024 * 1024,
                },
            ],
            rack_unaware_topics: vec!["t".into()],
        }
    }

    fn job_description(state: JobState) -> JobDescription {
        JobDescription {
            job_id: "abc".into(),
            state,
            throttle: Some(1024 * 1024),
            created_ms: 1_796_162_400_000,
            execute_at: None,
            started_ms: Some(1_796_162_401_000),
            finished_ms: None,
            bytes_total: 2048,
            bytes_moved: 1024,
            eta_seconds: Some(75),
            partition_count: 2,
            partitions_done: 1,
            cleanup_pending: false,
            error: None,
            requested_by: Some("User:alice".into()),
            started_late_ms: None,
            partitions: vec![adminwire_client::JobPartition {
                topic: "t".into(),
                partition: 0,
                replicas: vec![1],
                target_replicas: vec![2],
                state: JobPartitionState::Moving,
                reason: None,
                bytes_total: 2048,
                bytes_moved: 1024,
            }],
        }
    }

    #[test]
    fn an_estimate_shows_the_time_and_each_brokers_share() {
        let text = Report::Estimate(estimate()).render(OutputFormat::Human);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "Estimated time: 1m 5s to copy 3.0 MiB at 1.0 MiB/s per broker, in 2 waves; slowest broker: 1.",
                "Broker  Bytes in  Bytes out",
                "1       0 B       3.0 MiB",
                "2       3.0 MiB   0 B",
                "2 partitions would move; nothing was moved (--dry-run shows each).",
                "Not spread over racks (not every target broker has a rack): t",
            ]
        );
        let json: Value =
            serde_json::from_str(&Report::Estimate(estimate()).render(OutputFormat::Json)).unwrap();
        assert_eq!(json["reassignment_time"], 65);
        assert_eq!(
            json["brokers"][1],
            json!({"broker_id": 2, "bytes_in": 3_145_728, "bytes_out": 0})
        );
        assert_eq!(json["partitions"][0]["target_replicas"], json!([2]));
        assert_eq!(json["rack_unaware_topics"], json!(["t"]));
    }

    #[test]
    fn a_dry_run_shows_each_partition_before_and_after_with_the_bytes_it_copies() {
        let text = Report::DryRun(estimate()).render(OutputFormat::Human);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "Topic  Partition  Replicas  Target  Size     Bytes moved",
                "t      0          1         2       1.0 MiB  1.0 MiB",
                "t      1          1         1,2,3   1.0 MiB  2.0 MiB",
                "2 partitions would move, 3.0 MiB copied in all; nothing was moved (dry run).",
                "Not spread over racks (not every target broker has a rack): t",
            ]
        );
        let json: Value =
            serde_json::from_str(&Report::DryRun(estimate()).render(OutputFormat::Json)).unwrap();
        assert_eq!(json["partitions"][1]["bytes_moved"], 2 * 1024 * 1024);
        assert_eq!(json["bytes_to_move"], 3 * 1024 * 1024);
    }

    #[test]
    fn a_submitted_job_prints_its_id_and_how_to_follow_it() {
        let submitted = |finished| {
            Report::JobSubmitted(SubmittedJob {
                job_id: "abc".into(),
                finished,
                describe_hint: "adminwire --describe-job --job abc --broker-list h:1".into(),
            })
        };
        assert_eq!(submitted(None).render(OutputFormat::Json), r#"{"job_id":"abc"}"#);
        assert_eq!(
            submitted(None).render(OutputFormat::Human),
            "Submitted reassignment job abc.\nFollow it with: adminwire --describe-job --job abc --broker-list h:1"
        );
        let mut cancelled = job_description(JobState::Cancelled);
        cancelled.partitions[0].state = JobPartitionState::Failed;
        cancelled.partitions[0].reason = Some("broker 2 is gone".into());
        let report = submitted(Some(FinishedJob {
            description: cancelled,
            elapsed: Duration::from_millis(2500),
        }));
        assert_eq!(
            report.render(OutputFormat::Human),
            "Reassignment job abc ended CANCELLED in 2.5s: 1.0 KiB of 2.0 KiB moved, 1/2 partitions done.\n\
             FAILED t-0: broker 2 is gone"
        );
        let json: Value = serde_json::from_str(&report.render(OutputFormat::Json)).unwrap();
        assert_eq!((&json["job_id"], &json["job"]["state"]), (&json!("abc"), &json!("CANCELLED")));
        assert_eq!(json["elapsed_ms"], 2500);
        let failure = report.failure().expect("a job that did not complete fails the command");
        assert_eq!(failure.name(), "JobNotCompleted");
        assert_eq!(failure.description(), "reassignment job abc ended CANCELLED");
    }

    #[test]
    fn jobs_are_listed_and_described_with_their_progress() {
        let listed =
            Report::Jobs(vec![job_description(JobState::Running)]).render(OutputFormat::Human);
        assert_eq!(
            listed.lines().collect::<Vec<_>>(),
            [
                "Job  State    Moved    Total    Partitions  ETA     Created",
                "abc  RUNNING  1.0 KiB  2.0 KiB  1/2         1m 15s  2026-12-01T22:00:00Z",
            ]
        );
        assert_eq!(Report::Jobs(vec![]).render(OutputFormat::Human), "No reassignment jobs.");
        let described =
            Report::Job { description: job_description(JobState::Running), waited: false };
        assert_eq!(
            described.render(OutputFormat::Human).lines().collect::<Vec<_>>(),
            [
                "Reassignment job abc: RUNNING",
                "Created 2026-12-01T22:00:00Z, started 2026-12-01T22:00:01Z, submitted by User:alice",
                "Moved 1.0 KiB of 2.0 KiB, 1/2 partitions done, ETA 1m 15s. Throttle: 1.0 MiB/s.",
                "Topic  Partition  Replicas  Target  State   Moved    Total    Reason",
                "t      0          1         2       MOVING  1.0 KiB  2.0 KiB",
            ]
        );
        assert!(described.failure().is_none(), "describing a job is not waiting for it");
        let json: Value = serde_json::from_str(&described.render(OutputFormat::Json)).unwrap();
        assert_eq!(json["eta_seconds"], 75);
        assert_eq!(json["execute_at"], Value::Null);
        assert_eq!(json["partitions"][0]["target_replicas"], json!([2]));
        assert_eq!(json["partitions"][0]["state"], "MOVING");
    }

    #[test]
    fn an_altered_job_says_what_was_asked_and_its_state() {
        let altered = Report::JobAltered(AlteredJob {
            job_id: "abc".into(),
            action: JobAction::Pause,
            state: JobState::Paused,
            retried: None,
        });
        assert_eq!(
            altered.render(OutputFormat::Human),
            "Asked reassignment job abc to pause; its state is now PAUSED."
        );
        assert_eq!(
            altered.render(OutputFormat::Json),
            r#"{"action":"pause","job_id":"abc","state":"PAUSED"}"#
        );
        let restarted = Report::JobAltered(AlteredJob {
            job_id: "abc".into(),
            action: JobAction::Restart { only_failed: true },
            state: JobState::Running,
            retried: Some(3),
        });
        assert_eq!(
            restarted.render(OutputFormat::Human),
            "Restarted reassignment job abc: 3 partitions to move again; its state is now RUNNING."
        );
        assert_eq!(
            restarted.render(OutputFormat::Json),
            r#"{"action":"restart","job_id":"abc","retried":3,"state":"RUNNING"}"#
        );
    }

    #[test]
    fn times_print_in_utc() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_796_162_400_999), "2026-12-01T22:00:00Z");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1536), "1.5 KiB");
    }
}
