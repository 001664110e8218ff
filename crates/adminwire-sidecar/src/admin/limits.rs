//! The caps on what one admin request may ask for (`limits.admin`), checked after decoding and
//! before anything runs. The request's bytes are capped before decoding (see `answer`); these
//! bound the work it makes for the sidecar and the cluster: topics named, partitions created or
//! named, plan entries.

use adminwire_protocol::{AdminRequest, ErrorCode};

use super::Failure;
use crate::config::AdminLimits;

/// `Ok` if `request` stays within every cap, else INVALID_REQUEST naming the cap it passes.
pub fn check(request: &AdminRequest, version: i16, limits: &AdminLimits) -> Result<(), Failure> {
    let (topics, partitions, plan_entries) = measure(request, version);
    over("topics", topics as u64, limits.max_topics, "max_topics")?;
    over("partitions", partitions, limits.max_partitions, "max_partitions")?;
    over("plan entries", plan_entries as u64, limits.max_plan_entries, "max_plan_entries")
}

/// Topics named, partitions created or named, and plan entries, as far as each request has them.
fn measure(request: &AdminRequest, version: i16) -> (usize, u64, usize) {
    match request {
        AdminRequest::CreateTopic(r) => {
            let partitions = r.topics.iter().map(|t| {
                if t.partitions > 0 {
                    t.partitions as u64
                } else {
                    assignment_partitions(Some(t.replica_assignment.as_str()))
                }
            });
            (r.topics.len(), partitions.sum(), 0)
        }
        AdminRequest::AlterTopic(r) if version == 0 => {
            (1, grown_to(r.partitions, r.replica_assignment.as_deref()), 0)
        }
        AdminRequest::AlterTopic(r) => {
            let partitions =
                r.topics.iter().map(|t| grown_to(t.partitions, t.replica_assignment.as_deref()));
            (r.topics.len(), partitions.sum(), 0)
        }
        AdminRequest::DeleteTopic(r) => (names(version, &r.topic_names), 0, 0),
        AdminRequest::DescribeTopic(r) => (names(version, &r.topic_names), 0, 0),
        AdminRequest::ReassignPartitions(r) => (0, 0, json_entries(&r.manual_assignment)),
        AdminRequest::VerifyReassignPartitions(r) => (0, 0, json_entries(&r.manual_assignment)),
        AdminRequest::PreferredReplicaLeaderElection(r) => {
            (0, json_entries(&r.partitions_serialized) as u64, 0)
        }
        AdminRequest::VerifyPreferredReplicaLeaderElection(r) => {
            (0, json_entries(&r.partitions_serialized) as u64, 0)
        }
        AdminRequest::SubmitReassignment(r) => {
            let entries: usize = r.reassignments.iter().map(|t| t.assignment.len()).sum();
            (r.reassignments.len(), entries as u64, entries)
        }
        AdminRequest::CreateLink(r) => (r.topics.len() + r.groups.len(), 0, 0),
        AdminRequest::AlterLink(r) => {
            let named = r.add_topics.len() + r.remove_topics.len();
            (named + r.add_groups.len() + r.remove_groups.len(), 0, 0)
        }
        // Job and link ids cost a lookup each, bounded by the request's bytes.
        AdminRequest::DescribeLinks(_)
        | AdminRequest::PromoteMirror(_)
        | AdminRequest::DeleteLink(_)
        | AdminRequest::DescribeReassignmentJobs(_)
        | AdminRequest::AlterReassignmentJob(_)
        | AdminRequest::ListTopics(_)
        | AdminRequest::ClusterMetadata(_) => (0, 0, 0),
    }
}

fn names(version: i16, topic_names: &[String]) -> usize {
    if version == 0 { 1 } else { topic_names.len() }
}

/// The partition count a topic grows to (-1: it does not), or the partitions its assignment places.
fn grown_to(partitions: i32, assignment: Option<&str>) -> u64 {
    u64::try_from(partitions).unwrap_or(0).max(assignment_partitions(assignment))
}

/// Partitions of a `1:2,2:3` assignment: one more than its commas.
fn assignment_partitions(assignment: Option<&str>) -> u64 {
    match assignment {
        Some(text) if !text.is_empty() => text.bytes().filter(|b| *b == b',').count() as u64 + 1,
        _ => 0,
    }
}

/// Entries of a plan or election list: each names a `"topic"`. Counted without parsing, so the
/// cap holds before the JSON is built in memory; a key of that name elsewhere only counts high.
fn json_entries(json: &str) -> usize {
    json.matches("\"topic\"").count()
}

fn over(what: &str, count: u64, cap: usize, setting: &str) -> Result<(), Failure> {
    if count > cap as u64 {
        return Err(Failure(
            ErrorCode::INVALID_REQUEST,
            format!(
                "the request names {count} {what}; the sidecar takes at most {cap} in one request \
                 (limits.admin.{setting}): split it"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use adminwire_protocol::generated::create_topic_request::CreatableTopic;
    use adminwire_protocol::{CreateTopicRequest, DescribeTopicRequest, ReassignPartitionsRequest};

    use super::*;

    fn limits() -> AdminLimits {
        AdminLimits {
            max_request_bytes: 1 << 20,
            max_topics: 3,
            max_partitions: 10,
            max_plan_entries: 2,
        }
    }

    fn create(topics: &[(i32, &str)]) -> AdminRequest {
        CreateTopicRequest {
            topics: topics
                .iter()
                .enumerate()
                .map(|(i, (partitions, assignment))| CreatableTopic {
                    name: format!("t{i}"),
                    partitions: *partitions,
                    replica_assignment: (*assignment).into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
        .into()
    }

    fn refusal(request: &AdminRequest, version: i16) -> Option<String> {
        check(request, version, &limits()).err().map(|Failure(code, message)| {
            assert_eq!(code, ErrorCode::INVALID_REQUEST);
            message
        })
    }

    #[test]
    fn requests_within_the_caps_pass() {
        assert_eq!(refusal(&create(&[(5, ""), (-1, "1:2,2:3,3:1")]), 1), None);
        let describe =
            DescribeTopicRequest { topic_names: vec!["a".into(); 3], ..Default::default() };
        assert_eq!(refusal(&describe.into(), 1), None);
    }

    #[test]
    fn each_cap_is_named_when_passed() {
        let m = refusal(&create(&[(1, ""); 4]), 1).unwrap();
        assert!(m.contains("4 topics") && m.contains("limits.admin.max_topics"), "{m}");
        let m = refusal(&create(&[(8, ""), (-1, "1,2,3")]), 1).unwrap();
        assert!(m.contains("11 partitions") && m.contains("max_partitions"), "{m}");
        let m = refusal(&create(&[(i32::MAX, "")]), 1).unwrap();
        assert!(m.contains("max_partitions"), "{m}");
        let plan = r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1]},
            {"topic":"a","partition":1,"replicas":[1]},{"topic":"a","partition":2,"replicas":[1]}]}"#;
        let reassign =
            ReassignPartitionsRequest { manual_assignment: plan.into(), ..Default::default() };
        let m = refusal(&reassign.into(), 1).unwrap();
        assert!(m.contains("3 plan entries") && m.contains("max_plan_entries"), "{m}");
    }

    #[test]
    fn version_0_names_one_topic_whatever_its_unused_list_holds() {
        let describe = DescribeTopicRequest {
            topic_name: "a".into(),
            topic_names: vec!["x".into(); 10],
            ..Default::default()
        };
        assert_eq!(refusal(&describe.into(), 0), None);
    }
}
