//! Cutting an answer's strings to what a version's fields can carry. Version 0 of the extension
//! uses classic strings, whose int16 length holds at most 32,767 bytes; an answer quoting a long
//! input (a config key in an error message, say) would not encode. Only this rare failure path
//! pays for the generic walk.

use adminwire_protocol::AdminResponse;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Cuts every string of `response` longer than `max` bytes to at most `max`, at a character
/// boundary.
pub fn strings(response: &mut AdminResponse, max: usize) {
    match response {
        AdminResponse::ClusterMetadata(r) => fit(r, max),
        AdminResponse::CreateTopic(r) => fit(r, max),
        AdminResponse::AlterTopic(r) => fit(r, max),
        AdminResponse::DeleteTopic(r) => fit(r, max),
        AdminResponse::DescribeTopic(r) => fit(r, max),
        AdminResponse::ListTopics(r) => fit(r, max),
        AdminResponse::ReassignPartitions(r) => fit(r, max),
        AdminResponse::VerifyReassignPartitions(r) => fit(r, max),
        AdminResponse::PreferredReplicaLeaderElection(r) => fit(r, max),
        AdminResponse::VerifyPreferredReplicaLeaderElection(r) => fit(r, max),
        // Flexible in every version: compact strings carry any length.
        AdminResponse::SubmitReassignment(_)
        | AdminResponse::DescribeReassignmentJobs(_)
        | AdminResponse::AlterReassignmentJob(_)
        | AdminResponse::CreateLink(_)
        | AdminResponse::DescribeLinks(_)
        | AdminResponse::AlterLink(_)
        | AdminResponse::PromoteMirror(_)
        | AdminResponse::DeleteLink(_) => {}
    }
}

/// Round-trips a message through its serde form, cutting strings on the way. The generated
/// messages derive both directions of serde, so the round trip loses nothing but unknown tagged
/// fields, which classic versions (the only ones with a string limit) do not have.
fn fit<M: Serialize + DeserializeOwned>(message: &mut M, max: usize) {
    let Ok(mut value) = serde_json::to_value(&*message) else { return };
    cut(&mut value, max);
    if let Ok(fitted) = serde_json::from_value(value) {
        *message = fitted;
    }
}

fn cut(value: &mut Value, max: usize) {
    match value {
        Value::String(s) if s.len() > max => {
            let mut end = max;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| cut(v, max)),
        Value::Object(fields) => fields.values_mut().for_each(|v| cut(v, max)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use adminwire_protocol::generated::alter_topic_response::TopicResult;
    use adminwire_protocol::{AlterTopicResponse, ApiKey, ErrorCode};

    use super::*;

    #[test]
    fn long_strings_are_cut_at_a_character_boundary_and_the_rest_kept() {
        let long = "é".repeat(20_000); // 40,000 bytes
        let mut response: AdminResponse = AlterTopicResponse {
            error_code: 1002,
            error_message: Some(long.clone()),
            topics: vec![TopicResult {
                name: "t".into(),
                error_code: 3,
                error_message: Some(long),
                ..Default::default()
            }],
            ..Default::default()
        }
        .into();
        strings(&mut response, 32_767);
        let AdminResponse::AlterTopic(r) = &response else { panic!("same variant") };
        let message = r.error_message.as_deref().unwrap();
        assert_eq!(message.len(), 32_766, "cut before the half character at 32,767");
        assert!(message.chars().all(|c| c == 'é'));
        assert_eq!(r.topics[0].error_message.as_deref().unwrap().len(), 32_766);
        assert_eq!((r.error_code, r.topics[0].name.as_str()), (1002, "t"));
        assert_eq!(response.error_code(), ErrorCode(1002));
        assert_eq!(response.api_key(), ApiKey::AlterTopic);
    }
}
