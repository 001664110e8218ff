//! What a command found or did, printed for people (sentences like the seed's `Topic "my_topic"
//! is created.`, tables like `kafka-topics --describe`) or as one JSON document for scripts. The
//! JSON shapes are a contract: docs/cli.md lists them, and the tests parse them.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use adminwire_client::{
    ClusterMetadata, ElectionStatus, Error, PartitionResult, PartitionState, Progress,
    ReassignmentStatus, TopicDescription, TopicPartition,
};
use comfy_table::{Table, presets};
use serde::Serialize;
use serde_json::{Value, json};

use crate::cli::OutputFormat;

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
        }
    }
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
}
