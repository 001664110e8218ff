//! `--reassignment-json-file` for a reassignment job. The file is one of two documents, told apart
//! by their keys:
//!
//! - Kafka's plan, as `kafka-reassign-partitions` writes it:
//!   `{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}`. Each listed
//!   partition becomes a manual assignment of its topic.
//! - The job request of the seed's reassignment service: `{"reassignments":[{"topic":"t",
//!   "brokers":[1,2,3],"replication_factor":2,"assignment":[{"partition":0,
//!   "partition_brokers":[1,2]}]}],"throttle":N,"is_schedule":true,"execute_at":MS,
//!   "time_estimate":true}`. A topic with an `assignment` is manual, else automatic.
//!
//! Only the shape is checked; what the values mean is for the server to judge.

use adminwire_client::{Error, ReassignmentPlan, ReassignmentRequest, TopicReassignment};
use serde::Deserialize;
use serde_json::Value;

/// A reassignment file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReassignmentFile {
    /// Kafka's plan: run by KIP-4's ReassignPartitions unless a job option is given.
    KafkaPlan(ReassignmentPlan),
    /// A job request.
    Job(JobFile),
}

/// A job request from a file, and whether it asks for an estimate only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFile {
    pub request: ReassignmentRequest,
    pub time_estimate: bool,
}

impl ReassignmentFile {
    /// Reads either form; an error says which form was assumed and what is wrong in it.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = |what: String| Error::InvalidArgument(format!("reassignment file: {what}"));
        let document: Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let Value::Object(fields) = &document else {
            return Err(invalid("expected a JSON object".to_owned()));
        };
        match (fields.contains_key("partitions"), fields.contains_key("reassignments")) {
            (true, false) => Ok(ReassignmentFile::KafkaPlan(ReassignmentPlan::from_json(text)?)),
            (false, true) => Ok(ReassignmentFile::Job(job_file(document)?)),
            (true, true) => Err(invalid(
                "it has both \"partitions\" (Kafka's plan) and \"reassignments\" (a job \
                 request); give one"
                    .to_owned(),
            )),
            (false, false) => Err(invalid(
                "expected Kafka's plan ({\"version\":1,\"partitions\":[...]}) or a job request \
                 ({\"reassignments\":[...]})"
                    .to_owned(),
            )),
        }
    }

    /// The job request this file asks for (Kafka's plan as manual assignments, grouped by
    /// topic).
    pub fn into_job(self) -> JobFile {
        match self {
            ReassignmentFile::Job(job) => job,
            ReassignmentFile::KafkaPlan(plan) => {
                let request =
                    plan.partitions.into_iter().fold(ReassignmentRequest::new(), |request, p| {
                        request.manual(p.topic, p.partition, p.replicas)
                    });
                JobFile { request, time_estimate: false }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobDocument {
    reassignments: Vec<Value>,
    throttle: Option<i64>,
    #[serde(default)]
    is_schedule: bool,
    execute_at: Option<i64>,
    #[serde(default)]
    time_estimate: bool,
    #[serde(default)]
    weigh_by_size: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicEntry {
    topic: String,
    #[serde(default)]
    brokers: Vec<i32>,
    replication_factor: Option<i32>,
    #[serde(default)]
    assignment: Vec<AssignmentEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignmentEntry {
    partition: i32,
    partition_brokers: Vec<i32>,
}

fn job_file(document: Value) -> Result<JobFile, Error> {
    let invalid = |what: String| Error::InvalidArgument(format!("job request file: {what}"));
    let parsed: JobDocument =
        serde_json::from_value(document).map_err(|e| invalid(e.to_string()))?;
    if parsed.reassignments.is_empty() {
        return Err(invalid("\"reassignments\" lists no topic".to_owned()));
    }
    // Each entry on its own, so that an error names the entry at fault.
    let mut topics = Vec::with_capacity(parsed.reassignments.len());
    for (index, entry) in parsed.reassignments.into_iter().enumerate() {
        let entry: TopicEntry = serde_json::from_value(entry)
            .map_err(|e| invalid(format!("reassignments[{index}]: {e}")))?;
        topics.push(
            topic_reassignment(entry)
                .map_err(|e| invalid(format!("reassignments[{index}]: {e}")))?,
        );
    }
    // The seed marks "none" with -1 (or leaves the key out).
    let throttle = match parsed.throttle {
        None | Some(-1) => None,
        Some(rate) if rate > 0 => Some(rate.unsigned_abs()),
        Some(rate) => {
            return Err(invalid(format!(
                "\"throttle\" is {rate}: bytes a second, more than 0 (or -1 for none)"
            )));
        }
    };
    let execute_at = match (parsed.is_schedule, parsed.execute_at) {
        (false, _) => None,
        (true, Some(at)) if at >= 0 => Some(at.unsigned_abs()),
        (true, _) => {
            return Err(invalid(
                "\"is_schedule\" is true but \"execute_at\" (milliseconds since the Unix epoch) \
                 is missing or negative"
                    .to_owned(),
            ));
        }
    };
    let request =
        ReassignmentRequest { topics, throttle, execute_at, weigh_by_size: parsed.weigh_by_size };
    Ok(JobFile { request, time_estimate: parsed.time_estimate })
}

fn topic_reassignment(entry: TopicEntry) -> Result<TopicReassignment, String> {
    if !entry.assignment.is_empty() {
        let assignment = entry
            .assignment
            .into_iter()
            .map(|a| adminwire_client::PartitionAssignment {
                partition: a.partition,
                replicas: a.partition_brokers,
            })
            .collect();
        return Ok(TopicReassignment::Manual { topic: entry.topic, assignment });
    }
    if entry.brokers.is_empty() {
        return Err(format!(
            "topic {:?} has neither \"brokers\" (automatic) nor \"assignment\" (manual)",
            entry.topic
        ));
    }
    let replication_factor = match entry.replication_factor {
        None | Some(-1) => None,
        Some(factor) => Some(u16::try_from(factor).map_err(|_| {
            format!(
                "topic {:?}: \"replication_factor\" {factor} is not a replica count",
                entry.topic
            )
        })?),
    };
    Ok(TopicReassignment::Automatic {
        topic: entry.topic,
        brokers: entry.brokers,
        replication_factor,
    })
}

#[cfg(test)]
mod tests {
    use adminwire_client::PartitionAssignment;

    use super::*;

    fn job(text: &str) -> JobFile {
        ReassignmentFile::parse(text).unwrap().into_job()
    }

    fn error(text: &str) -> String {
        ReassignmentFile::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn kafkas_plan_becomes_manual_assignments_grouped_by_topic() {
        let file = ReassignmentFile::parse(
            r#"{"version":1,"partitions":[
                {"topic":"a","partition":0,"replicas":[1,2]},
                {"topic":"b","partition":3,"replicas":[3]},
                {"topic":"a","partition":1,"replicas":[2,3]}]}"#,
        )
        .unwrap();
        assert!(matches!(file, ReassignmentFile::KafkaPlan(_)));
        let JobFile { request, time_estimate } = file.into_job();
        assert!(!time_estimate);
        assert_eq!(
            request.topics,
            [
                TopicReassignment::Manual {
                    topic: "a".into(),
                    assignment: vec![
                        PartitionAssignment { partition: 0, replicas: vec![1, 2] },
                        PartitionAssignment { partition: 1, replicas: vec![2, 3] },
                    ],
                },
                TopicReassignment::Manual {
                    topic: "b".into(),
                    assignment: vec![PartitionAssignment { partition: 3, replicas: vec![3] }],
                },
            ]
        );
        assert_eq!((request.throttle, request.execute_at), (None, None));
    }

    #[test]
    fn the_seeds_request_body_reads_every_field() {
        let JobFile { request, time_estimate } = job(r#"{"reassignments":[
                {"topic":"auto","brokers":[1,2,3],"replication_factor":2},
                {"topic":"kept","brokers":[1,2],"replication_factor":-1},
                {"topic":"manual","brokers":[9],"assignment":[{"partition":0,"partition_brokers":[3,1]}]}],
               "throttle":5000000,"is_schedule":true,"execute_at":1796162400000,
               "time_estimate":true,"weigh_by_size":true}"#);
        assert!(time_estimate);
        assert_eq!(request.throttle, Some(5_000_000));
        assert_eq!(request.execute_at, Some(1_796_162_400_000));
        assert!(request.weigh_by_size);
        assert_eq!(
            request.topics,
            [
                TopicReassignment::Automatic {
                    topic: "auto".into(),
                    brokers: vec![1, 2, 3],
                    replication_factor: Some(2)
                },
                TopicReassignment::Automatic {
                    topic: "kept".into(),
                    brokers: vec![1, 2],
                    replication_factor: None
                },
                TopicReassignment::Manual {
                    topic: "manual".into(),
                    assignment: vec![PartitionAssignment { partition: 0, replicas: vec![3, 1] }],
                },
            ]
        );
    }

    #[test]
    fn the_seeds_markers_for_none_are_understood() {
        let JobFile { request, time_estimate } = job(
            r#"{"reassignments":[{"topic":"t","brokers":[1]}],"throttle":-1,"is_schedule":false,"execute_at":-1}"#,
        );
        assert_eq!((request.throttle, request.execute_at, time_estimate), (None, None, false));
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let cases = [
            ("{", "not JSON"),
            ("[1]", "expected a JSON object"),
            (r#"{"topics":[]}"#, "expected Kafka's plan"),
            (r#"{"partitions":[],"reassignments":[]}"#, "give one"),
            (r#"{"version":1,"partitions":[{"topic":"t"}]}"#, "missing field `partition`"),
            (r#"{"reassignments":[]}"#, "lists no topic"),
            (r#"{"reassignments":[{"topic":"t"}]}"#, "reassignments[0]: topic \"t\" has neither"),
            (
                r#"{"reassignments":[{"topic":"t","brokers":[1]},{"brokers":[1]}]}"#,
                "reassignments[1]: missing field `topic`",
            ),
            (
                r#"{"reassignments":[{"topic":"t","brokers":["x"]}]}"#,
                "reassignments[0]: invalid type",
            ),
            (
                r#"{"reassignments":[{"topic":"t","brokers":[1],"replicas":[1]}]}"#,
                "unknown field `replicas`",
            ),
            (
                r#"{"reassignments":[{"topic":"t","brokers":[1]}],"throttle":0}"#,
                "\"throttle\" is 0",
            ),
            (
                r#"{"reassignments":[{"topic":"t","brokers":[1]}],"is_schedule":true}"#,
                "\"execute_at\"",
            ),
            (
                r#"{"reassignments":[{"topic":"t","brokers":[1],"replication_factor":-3}]}"#,
                "\"replication_factor\" -3",
            ),
        ];
        for (text, expected) in cases {
            let message = error(text);
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
