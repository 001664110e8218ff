//! The response a server sends when a request fails as a whole, for any API.

use crate::generated::*;
use crate::{AdminResponse, ErrorCode};

impl AdminResponse {
    /// A response to an `api_key` request of `version` that carries only an error: `code` and,
    /// where the version has the field, `message`.
    pub fn error(
        api_key: ApiKey,
        version: i16,
        code: ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        let error_code = code.0;
        let error_message = Some(message.into());
        match api_key {
            ApiKey::ClusterMetadata => ClusterMetadataResponse {
                error_code,
                // Version 0 has no message field.
                error_message: if version >= 1 { error_message } else { None },
                ..Default::default()
            }
            .into(),
            ApiKey::CreateTopic => {
                CreateTopicResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::AlterTopic => {
                AlterTopicResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::DeleteTopic => {
                DeleteTopicResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::DescribeTopic => {
                DescribeTopicResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::ListTopics => {
                ListTopicsResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::ReassignPartitions => {
                ReassignPartitionsResponse { error_code, error_message, ..Default::default() }
                    .into()
            }
            ApiKey::VerifyReassignPartitions => {
                VerifyReassignPartitionsResponse { error_code, error_message, ..Default::default() }
                    .into()
            }
            ApiKey::PreferredReplicaLeaderElection => PreferredReplicaLeaderElectionResponse {
                error_code,
                error_message,
                ..Default::default()
            }
            .into(),
            ApiKey::VerifyPreferredReplicaLeaderElection => {
                VerifyPreferredReplicaLeaderElectionResponse {
                    error_code,
                    error_message,
                    ..Default::default()
                }
                .into()
            }
            ApiKey::SubmitReassignment => {
                SubmitReassignmentResponse { error_code, error_message, ..Default::default() }
                    .into()
            }
            ApiKey::DescribeReassignmentJobs => {
                DescribeReassignmentJobsResponse { error_code, error_message, ..Default::default() }
                    .into()
            }
            ApiKey::AlterReassignmentJob => {
                AlterReassignmentJobResponse { error_code, error_message, ..Default::default() }
                    .into()
            }
            ApiKey::CreateLink => {
                CreateLinkResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::DescribeLinks => {
                DescribeLinksResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::AlterLink => {
                AlterLinkResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::PromoteMirror => {
                PromoteMirrorResponse { error_code, error_message, ..Default::default() }.into()
            }
            ApiKey::DeleteLink => {
                DeleteLinkResponse { error_code, error_message, ..Default::default() }.into()
            }
        }
    }

    /// The response's top-level error code.
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode(match self {
            AdminResponse::ClusterMetadata(r) => r.error_code,
            AdminResponse::CreateTopic(r) => r.error_code,
            AdminResponse::AlterTopic(r) => r.error_code,
            AdminResponse::DeleteTopic(r) => r.error_code,
            AdminResponse::DescribeTopic(r) => r.error_code,
            AdminResponse::ListTopics(r) => r.error_code,
            AdminResponse::ReassignPartitions(r) => r.error_code,
            AdminResponse::VerifyReassignPartitions(r) => r.error_code,
            AdminResponse::PreferredReplicaLeaderElection(r) => r.error_code,
            AdminResponse::VerifyPreferredReplicaLeaderElection(r) => r.error_code,
            AdminResponse::SubmitReassignment(r) => r.error_code,
            AdminResponse::DescribeReassignmentJobs(r) => r.error_code,
            AdminResponse::AlterReassignmentJob(r) => r.error_code,
            AdminResponse::CreateLink(r) => r.error_code,
            AdminResponse::DescribeLinks(r) => r.error_code,
            AdminResponse::AlterLink(r) => r.error_code,
            AdminResponse::PromoteMirror(r) => r.error_code,
            AdminResponse::DeleteLink(r) => r.error_code,
        })
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;

    use super::*;

    #[test]
    fn an_error_response_encodes_in_every_version_of_every_api() {
        for &key in ApiKey::ALL {
            let (lo, hi) = key.versions();
            for version in lo..=hi {
                let response =
                    AdminResponse::error(key, version, ErrorCode::INVALID_REQUEST, "bad");
                assert_eq!(response.api_key(), key);
                assert_eq!(response.error_code(), ErrorCode::INVALID_REQUEST);
                response.encode(&mut BytesMut::new(), version).unwrap();
            }
        }
    }
}
