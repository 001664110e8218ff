//! The extension's messages, generated from `protocol-specs/`: do not edit.

pub mod alter_link_request;
pub mod alter_link_response;
pub mod alter_reassignment_job_request;
pub mod alter_reassignment_job_response;
pub mod alter_topic_request;
pub mod alter_topic_response;
pub mod cluster_metadata_request;
pub mod cluster_metadata_response;
pub mod create_link_request;
pub mod create_link_response;
pub mod create_topic_request;
pub mod create_topic_response;
pub mod delete_link_request;
pub mod delete_link_response;
pub mod delete_topic_request;
pub mod delete_topic_response;
pub mod describe_links_request;
pub mod describe_links_response;
pub mod describe_reassignment_jobs_request;
pub mod describe_reassignment_jobs_response;
pub mod describe_topic_request;
pub mod describe_topic_response;
pub mod error_code;
pub mod list_topics_request;
pub mod list_topics_response;
pub mod preferred_replica_leader_election_request;
pub mod preferred_replica_leader_election_response;
pub mod promote_mirror_request;
pub mod promote_mirror_response;
pub mod reassign_partitions_request;
pub mod reassign_partitions_response;
pub mod submit_reassignment_request;
pub mod submit_reassignment_response;
pub mod verify_preferred_replica_leader_election_request;
pub mod verify_preferred_replica_leader_election_response;
pub mod verify_reassign_partitions_request;
pub mod verify_reassign_partitions_response;

pub use alter_link_request::AlterLinkRequest;
pub use alter_link_response::AlterLinkResponse;
pub use alter_reassignment_job_request::AlterReassignmentJobRequest;
pub use alter_reassignment_job_response::AlterReassignmentJobResponse;
pub use alter_topic_request::AlterTopicRequest;
pub use alter_topic_response::AlterTopicResponse;
pub use cluster_metadata_request::ClusterMetadataRequest;
pub use cluster_metadata_response::ClusterMetadataResponse;
pub use create_link_request::CreateLinkRequest;
pub use create_link_response::CreateLinkResponse;
pub use create_topic_request::CreateTopicRequest;
pub use create_topic_response::CreateTopicResponse;
pub use delete_link_request::DeleteLinkRequest;
pub use delete_link_response::DeleteLinkResponse;
pub use delete_topic_request::DeleteTopicRequest;
pub use delete_topic_response::DeleteTopicResponse;
pub use describe_links_request::DescribeLinksRequest;
pub use describe_links_response::DescribeLinksResponse;
pub use describe_reassignment_jobs_request::DescribeReassignmentJobsRequest;
pub use describe_reassignment_jobs_response::DescribeReassignmentJobsResponse;
pub use describe_topic_request::DescribeTopicRequest;
pub use describe_topic_response::DescribeTopicResponse;
pub use list_topics_request::ListTopicsRequest;
pub use list_topics_response::ListTopicsResponse;
pub use preferred_replica_leader_election_request::PreferredReplicaLeaderElectionRequest;
pub use preferred_replica_leader_election_response::PreferredReplicaLeaderElectionResponse;
pub use promote_mirror_request::PromoteMirrorRequest;
pub use promote_mirror_response::PromoteMirrorResponse;
pub use reassign_partitions_request::ReassignPartitionsRequest;
pub use reassign_partitions_response::ReassignPartitionsResponse;
pub use submit_reassignment_request::SubmitReassignmentRequest;
pub use submit_reassignment_response::SubmitReassignmentResponse;
pub use verify_preferred_replica_leader_election_request::VerifyPreferredReplicaLeaderElectionRequest;
pub use verify_preferred_replica_leader_election_response::VerifyPreferredReplicaLeaderElectionResponse;
pub use verify_reassign_partitions_request::VerifyReassignPartitionsRequest;
pub use verify_reassign_partitions_response::VerifyReassignPartitionsResponse;

use bytes::BytesMut;

use crate::Message;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// The extension's API keys, one per admin request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i16)]
pub enum ApiKey {
    /// Asks for the brokers of the cluster and the one serving as controller. The seed's ClusterMetadataRequest: no arguments.
    ClusterMetadata = 30000,
    /// Creates topics, each from a partition count and replication factor or from a manual replica assignment.
    CreateTopic = 30001,
    /// Adds partitions to topics (optionally placing the new ones) and sets or deletes topic-level configs. Version 0 alters one topic, version 1 a batch.
    AlterTopic = 30002,
    /// Deletes topics. Version 0 deletes one topic, version 1 a batch.
    DeleteTopic = 30003,
    /// Asks for the replication details and overridden configs of topics. Version 0 describes one topic, version 1 a batch.
    DescribeTopic = 30004,
    /// Asks for the names of the cluster's topics.
    ListTopics = 30005,
    /// Starts moving partitions to new replicas and returns at once; VerifyReassignPartitions tells when they are done.
    ReassignPartitions = 30006,
    /// Asks how far the reassignment of a plan has come.
    VerifyReassignPartitions = 30007,
    /// Starts electing each listed partition's preferred replica (the first in its replica list) as leader, and returns at once.
    PreferredReplicaLeaderElection = 30008,
    /// Asks whether each listed partition is led by its preferred replica. Not given a schema by the seed; designed like VerifyReassignPartitions.
    VerifyPreferredReplicaLeaderElection = 30009,
    /// Plans a reassignment and runs it as a job (now, or at ExecuteAt), or only estimates how long it would take. The fields are the reassignment service's request: reassignments, throttle, is_schedule, execute_at, time_estimate.
    SubmitReassignment = 30010,
    /// Describes reassignment jobs: the ones named, or every job the sidecar knows.
    DescribeReassignmentJobs = 30011,
    /// Pauses, resumes, cancels, re-times, deletes or restarts a reassignment job.
    AlterReassignmentJob = 30012,
    /// Creates a cluster link: mirror topics on this cluster fed from the source cluster's topics, and consumer groups' offsets carried over. The mirrors are made at once (with the source's partition count and topic configs); the sidecar running links copies from there.
    CreateLink = 30013,
    /// Describes cluster links: the ones named, or every link.
    DescribeLinks = 30014,
    /// Pauses or resumes a cluster link, changes its topics and groups, or moves its groups between the clusters.
    AlterLink = 30015,
    /// Promotes a mirror topic to an ordinary, writable one: once everything is copied and the source has stopped growing (a promotion), or at once (a failover, which reports what was not copied).
    PromoteMirror = 30016,
    /// Deletes a cluster link: it stops, and its records go.
    DeleteLink = 30017,
}

impl ApiKey {
    /// Every key, in key order.
    pub const ALL: &[ApiKey] = &[
        ApiKey::ClusterMetadata,
        ApiKey::CreateTopic,
        ApiKey::AlterTopic,
        ApiKey::DeleteTopic,
        ApiKey::DescribeTopic,
        ApiKey::ListTopics,
        ApiKey::ReassignPartitions,
        ApiKey::VerifyReassignPartitions,
        ApiKey::PreferredReplicaLeaderElection,
        ApiKey::VerifyPreferredReplicaLeaderElection,
        ApiKey::SubmitReassignment,
        ApiKey::DescribeReassignmentJobs,
        ApiKey::AlterReassignmentJob,
        ApiKey::CreateLink,
        ApiKey::DescribeLinks,
        ApiKey::AlterLink,
        ApiKey::PromoteMirror,
        ApiKey::DeleteLink,
    ];

    /// The key for `value`, if it is one of the extension's.
    pub fn from_i16(value: i16) -> Option<Self> {
        match value {
            30000 => Some(ApiKey::ClusterMetadata),
            30001 => Some(ApiKey::CreateTopic),
            30002 => Some(ApiKey::AlterTopic),
            30003 => Some(ApiKey::DeleteTopic),
            30004 => Some(ApiKey::DescribeTopic),
            30005 => Some(ApiKey::ListTopics),
            30006 => Some(ApiKey::ReassignPartitions),
            30007 => Some(ApiKey::VerifyReassignPartitions),
            30008 => Some(ApiKey::PreferredReplicaLeaderElection),
            30009 => Some(ApiKey::VerifyPreferredReplicaLeaderElection),
            30010 => Some(ApiKey::SubmitReassignment),
            30011 => Some(ApiKey::DescribeReassignmentJobs),
            30012 => Some(ApiKey::AlterReassignmentJob),
            30013 => Some(ApiKey::CreateLink),
            30014 => Some(ApiKey::DescribeLinks),
            30015 => Some(ApiKey::AlterLink),
            30016 => Some(ApiKey::PromoteMirror),
            30017 => Some(ApiKey::DeleteLink),
            _ => None,
        }
    }

    /// The API's name, as the seed spells it.
    pub fn name(self) -> &'static str {
        match self {
            ApiKey::ClusterMetadata => "ClusterMetadata",
            ApiKey::CreateTopic => "CreateTopic",
            ApiKey::AlterTopic => "AlterTopic",
            ApiKey::DeleteTopic => "DeleteTopic",
            ApiKey::DescribeTopic => "DescribeTopic",
            ApiKey::ListTopics => "ListTopics",
            ApiKey::ReassignPartitions => "ReassignPartitions",
            ApiKey::VerifyReassignPartitions => "VerifyReassignPartitions",
            ApiKey::PreferredReplicaLeaderElection => "PreferredReplicaLeaderElection",
            ApiKey::VerifyPreferredReplicaLeaderElection => "VerifyPreferredReplicaLeaderElection",
            ApiKey::SubmitReassignment => "SubmitReassignment",
            ApiKey::DescribeReassignmentJobs => "DescribeReassignmentJobs",
            ApiKey::AlterReassignmentJob => "AlterReassignmentJob",
            ApiKey::CreateLink => "CreateLink",
            ApiKey::DescribeLinks => "DescribeLinks",
            ApiKey::AlterLink => "AlterLink",
            ApiKey::PromoteMirror => "PromoteMirror",
            ApiKey::DeleteLink => "DeleteLink",
        }
    }

    /// The lowest and highest version of this API.
    pub fn versions(self) -> (i16, i16) {
        match self {
            ApiKey::ClusterMetadata => (0, 1),
            ApiKey::CreateTopic => (0, 1),
            ApiKey::AlterTopic => (0, 1),
            ApiKey::DeleteTopic => (0, 1),
            ApiKey::DescribeTopic => (0, 1),
            ApiKey::ListTopics => (0, 1),
            ApiKey::ReassignPartitions => (0, 1),
            ApiKey::VerifyReassignPartitions => (0, 1),
            ApiKey::PreferredReplicaLeaderElection => (0, 1),
            ApiKey::VerifyPreferredReplicaLeaderElection => (0, 1),
            ApiKey::SubmitReassignment => (0, 0),
            ApiKey::DescribeReassignmentJobs => (0, 0),
            ApiKey::AlterReassignmentJob => (0, 0),
            ApiKey::CreateLink => (0, 0),
            ApiKey::DescribeLinks => (0, 0),
            ApiKey::AlterLink => (0, 0),
            ApiKey::PromoteMirror => (0, 0),
            ApiKey::DeleteLink => (0, 0),
        }
    }

    /// Whether `version` of this API uses the flexible encoding (compact strings and arrays, tagged fields, request header v2 and response header v1).
    pub fn is_flexible(self, version: i16) -> bool {
        match self {
            ApiKey::ClusterMetadata => version >= 1,
            ApiKey::CreateTopic => version >= 1,
            ApiKey::AlterTopic => version >= 1,
            ApiKey::DeleteTopic => version >= 1,
            ApiKey::DescribeTopic => version >= 1,
            ApiKey::ListTopics => version >= 1,
            ApiKey::ReassignPartitions => version >= 1,
            ApiKey::VerifyReassignPartitions => version >= 1,
            ApiKey::PreferredReplicaLeaderElection => version >= 1,
            ApiKey::VerifyPreferredReplicaLeaderElection => version >= 1,
            ApiKey::SubmitReassignment => version >= 0,
            ApiKey::DescribeReassignmentJobs => version >= 0,
            ApiKey::AlterReassignmentJob => version >= 0,
            ApiKey::CreateLink => version >= 0,
            ApiKey::DescribeLinks => version >= 0,
            ApiKey::AlterLink => version >= 0,
            ApiKey::PromoteMirror => version >= 0,
            ApiKey::DeleteLink => version >= 0,
        }
    }
}

/// Any request of the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminRequest {
    ClusterMetadata(ClusterMetadataRequest),
    CreateTopic(CreateTopicRequest),
    AlterTopic(AlterTopicRequest),
    DeleteTopic(DeleteTopicRequest),
    DescribeTopic(DescribeTopicRequest),
    ListTopics(ListTopicsRequest),
    ReassignPartitions(ReassignPartitionsRequest),
    VerifyReassignPartitions(VerifyReassignPartitionsRequest),
    PreferredReplicaLeaderElection(PreferredReplicaLeaderElectionRequest),
    VerifyPreferredReplicaLeaderElection(VerifyPreferredReplicaLeaderElectionRequest),
    SubmitReassignment(SubmitReassignmentRequest),
    DescribeReassignmentJobs(DescribeReassignmentJobsRequest),
    AlterReassignmentJob(AlterReassignmentJobRequest),
    CreateLink(CreateLinkRequest),
    DescribeLinks(DescribeLinksRequest),
    AlterLink(AlterLinkRequest),
    PromoteMirror(PromoteMirrorRequest),
    DeleteLink(DeleteLinkRequest),
}

impl AdminRequest {
    /// The API key of this request.
    pub fn api_key(&self) -> ApiKey {
        match self {
            AdminRequest::ClusterMetadata(_) => ApiKey::ClusterMetadata,
            AdminRequest::CreateTopic(_) => ApiKey::CreateTopic,
            AdminRequest::AlterTopic(_) => ApiKey::AlterTopic,
            AdminRequest::DeleteTopic(_) => ApiKey::DeleteTopic,
            AdminRequest::DescribeTopic(_) => ApiKey::DescribeTopic,
            AdminRequest::ListTopics(_) => ApiKey::ListTopics,
            AdminRequest::ReassignPartitions(_) => ApiKey::ReassignPartitions,
            AdminRequest::VerifyReassignPartitions(_) => ApiKey::VerifyReassignPartitions,
            AdminRequest::PreferredReplicaLeaderElection(_) => {
                ApiKey::PreferredReplicaLeaderElection
            }
            AdminRequest::VerifyPreferredReplicaLeaderElection(_) => {
                ApiKey::VerifyPreferredReplicaLeaderElection
            }
            AdminRequest::SubmitReassignment(_) => ApiKey::SubmitReassignment,
            AdminRequest::DescribeReassignmentJobs(_) => ApiKey::DescribeReassignmentJobs,
            AdminRequest::AlterReassignmentJob(_) => ApiKey::AlterReassignmentJob,
            AdminRequest::CreateLink(_) => ApiKey::CreateLink,
            AdminRequest::DescribeLinks(_) => ApiKey::DescribeLinks,
            AdminRequest::AlterLink(_) => ApiKey::AlterLink,
            AdminRequest::PromoteMirror(_) => ApiKey::PromoteMirror,
            AdminRequest::DeleteLink(_) => ApiKey::DeleteLink,
        }
    }

    /// Encodes the body (no size, no header) in `version`.
    pub fn encode(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        match self {
            AdminRequest::ClusterMetadata(m) => m.encode(buf, version),
            AdminRequest::CreateTopic(m) => m.encode(buf, version),
            AdminRequest::AlterTopic(m) => m.encode(buf, version),
            AdminRequest::DeleteTopic(m) => m.encode(buf, version),
            AdminRequest::DescribeTopic(m) => m.encode(buf, version),
            AdminRequest::ListTopics(m) => m.encode(buf, version),
            AdminRequest::ReassignPartitions(m) => m.encode(buf, version),
            AdminRequest::VerifyReassignPartitions(m) => m.encode(buf, version),
            AdminRequest::PreferredReplicaLeaderElection(m) => m.encode(buf, version),
            AdminRequest::VerifyPreferredReplicaLeaderElection(m) => m.encode(buf, version),
            AdminRequest::SubmitReassignment(m) => m.encode(buf, version),
            AdminRequest::DescribeReassignmentJobs(m) => m.encode(buf, version),
            AdminRequest::AlterReassignmentJob(m) => m.encode(buf, version),
            AdminRequest::CreateLink(m) => m.encode(buf, version),
            AdminRequest::DescribeLinks(m) => m.encode(buf, version),
            AdminRequest::AlterLink(m) => m.encode(buf, version),
            AdminRequest::PromoteMirror(m) => m.encode(buf, version),
            AdminRequest::DeleteLink(m) => m.encode(buf, version),
        }
    }

    /// Decodes a whole body (no size, no header) of `api_key` in `version`.
    pub fn decode(api_key: ApiKey, body: &[u8], version: i16) -> Result<Self, DecodeError> {
        match api_key {
            ApiKey::ClusterMetadata => {
                ClusterMetadataRequest::decode(body, version).map(AdminRequest::ClusterMetadata)
            }
            ApiKey::CreateTopic => {
                CreateTopicRequest::decode(body, version).map(AdminRequest::CreateTopic)
            }
            ApiKey::AlterTopic => {
                AlterTopicRequest::decode(body, version).map(AdminRequest::AlterTopic)
            }
            ApiKey::DeleteTopic => {
                DeleteTopicRequest::decode(body, version).map(AdminRequest::DeleteTopic)
            }
            ApiKey::DescribeTopic => {
                DescribeTopicRequest::decode(body, version).map(AdminRequest::DescribeTopic)
            }
            ApiKey::ListTopics => {
                ListTopicsRequest::decode(body, version).map(AdminRequest::ListTopics)
            }
            ApiKey::ReassignPartitions => ReassignPartitionsRequest::decode(body, version)
                .map(AdminRequest::ReassignPartitions),
            ApiKey::VerifyReassignPartitions => {
                VerifyReassignPartitionsRequest::decode(body, version)
                    .map(AdminRequest::VerifyReassignPartitions)
            }
            ApiKey::PreferredReplicaLeaderElection => {
                PreferredReplicaLeaderElectionRequest::decode(body, version)
                    .map(AdminRequest::PreferredReplicaLeaderElection)
            }
            ApiKey::VerifyPreferredReplicaLeaderElection => {
                VerifyPreferredReplicaLeaderElectionRequest::decode(body, version)
                    .map(AdminRequest::VerifyPreferredReplicaLeaderElection)
            }
            ApiKey::SubmitReassignment => SubmitReassignmentRequest::decode(body, version)
                .map(AdminRequest::SubmitReassignment),
            ApiKey::DescribeReassignmentJobs => {
                DescribeReassignmentJobsRequest::decode(body, version)
                    .map(AdminRequest::DescribeReassignmentJobs)
            }
            ApiKey::AlterReassignmentJob => AlterReassignmentJobRequest::decode(body, version)
                .map(AdminRequest::AlterReassignmentJob),
            ApiKey::CreateLink => {
                CreateLinkRequest::decode(body, version).map(AdminRequest::CreateLink)
            }
            ApiKey::DescribeLinks => {
                DescribeLinksRequest::decode(body, version).map(AdminRequest::DescribeLinks)
            }
            ApiKey::AlterLink => {
                AlterLinkRequest::decode(body, version).map(AdminRequest::AlterLink)
            }
            ApiKey::PromoteMirror => {
                PromoteMirrorRequest::decode(body, version).map(AdminRequest::PromoteMirror)
            }
            ApiKey::DeleteLink => {
                DeleteLinkRequest::decode(body, version).map(AdminRequest::DeleteLink)
            }
        }
    }

    /// Decodes a body whose API key is a raw number, as read off the wire.
    pub fn decode_raw(api_key: i16, body: &[u8], version: i16) -> Result<Self, DecodeError> {
        let key = ApiKey::from_i16(api_key)
            .ok_or_else(|| DecodeError::new(DecodeErrorKind::UnknownApiKey(api_key)))?;
        Self::decode(key, body, version)
    }

    /// Any request of `api_key` that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(api_key: ApiKey, version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::strategy::Strategy;
        match api_key {
            ApiKey::ClusterMetadata => ClusterMetadataRequest::arbitrary(version)
                .prop_map(AdminRequest::ClusterMetadata)
                .boxed(),
            ApiKey::CreateTopic => {
                CreateTopicRequest::arbitrary(version).prop_map(AdminRequest::CreateTopic).boxed()
            }
            ApiKey::AlterTopic => {
                AlterTopicRequest::arbitrary(version).prop_map(AdminRequest::AlterTopic).boxed()
            }
            ApiKey::DeleteTopic => {
                DeleteTopicRequest::arbitrary(version).prop_map(AdminRequest::DeleteTopic).boxed()
            }
            ApiKey::DescribeTopic => DescribeTopicRequest::arbitrary(version)
                .prop_map(AdminRequest::DescribeTopic)
                .boxed(),
            ApiKey::ListTopics => {
                ListTopicsRequest::arbitrary(version).prop_map(AdminRequest::ListTopics).boxed()
            }
            ApiKey::ReassignPartitions => ReassignPartitionsRequest::arbitrary(version)
                .prop_map(AdminRequest::ReassignPartitions)
                .boxed(),
            ApiKey::VerifyReassignPartitions => VerifyReassignPartitionsRequest::arbitrary(version)
                .prop_map(AdminRequest::VerifyReassignPartitions)
                .boxed(),
            ApiKey::PreferredReplicaLeaderElection => {
                PreferredReplicaLeaderElectionRequest::arbitrary(version)
                    .prop_map(AdminRequest::PreferredReplicaLeaderElection)
                    .boxed()
            }
            ApiKey::VerifyPreferredReplicaLeaderElection => {
                VerifyPreferredReplicaLeaderElectionRequest::arbitrary(version)
                    .prop_map(AdminRequest::VerifyPreferredReplicaLeaderElection)
                    .boxed()
            }
            ApiKey::SubmitReassignment => SubmitReassignmentRequest::arbitrary(version)
                .prop_map(AdminRequest::SubmitReassignment)
                .boxed(),
            ApiKey::DescribeReassignmentJobs => DescribeReassignmentJobsRequest::arbitrary(version)
                .prop_map(AdminRequest::DescribeReassignmentJobs)
                .boxed(),
            ApiKey::AlterReassignmentJob => AlterReassignmentJobRequest::arbitrary(version)
                .prop_map(AdminRequest::AlterReassignmentJob)
                .boxed(),
            ApiKey::CreateLink => {
                CreateLinkRequest::arbitrary(version).prop_map(AdminRequest::CreateLink).boxed()
            }
            ApiKey::DescribeLinks => DescribeLinksRequest::arbitrary(version)
                .prop_map(AdminRequest::DescribeLinks)
                .boxed(),
            ApiKey::AlterLink => {
                AlterLinkRequest::arbitrary(version).prop_map(AdminRequest::AlterLink).boxed()
            }
            ApiKey::PromoteMirror => PromoteMirrorRequest::arbitrary(version)
                .prop_map(AdminRequest::PromoteMirror)
                .boxed(),
            ApiKey::DeleteLink => {
                DeleteLinkRequest::arbitrary(version).prop_map(AdminRequest::DeleteLink).boxed()
            }
        }
    }
}

impl From<ClusterMetadataRequest> for AdminRequest {
    fn from(m: ClusterMetadataRequest) -> Self {
        AdminRequest::ClusterMetadata(m)
    }
}

/// Takes the ClusterMetadataRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for ClusterMetadataRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::ClusterMetadata(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<CreateTopicRequest> for AdminRequest {
    fn from(m: CreateTopicRequest) -> Self {
        AdminRequest::CreateTopic(m)
    }
}

/// Takes the CreateTopicRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for CreateTopicRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::CreateTopic(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<AlterTopicRequest> for AdminRequest {
    fn from(m: AlterTopicRequest) -> Self {
        AdminRequest::AlterTopic(m)
    }
}

/// Takes the AlterTopicRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for AlterTopicRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::AlterTopic(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DeleteTopicRequest> for AdminRequest {
    fn from(m: DeleteTopicRequest) -> Self {
        AdminRequest::DeleteTopic(m)
    }
}

/// Takes the DeleteTopicRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for DeleteTopicRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::DeleteTopic(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DescribeTopicRequest> for AdminRequest {
    fn from(m: DescribeTopicRequest) -> Self {
        AdminRequest::DescribeTopic(m)
    }
}

/// Takes the DescribeTopicRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for DescribeTopicRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::DescribeTopic(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<ListTopicsRequest> for AdminRequest {
    fn from(m: ListTopicsRequest) -> Self {
        AdminRequest::ListTopics(m)
    }
}

/// Takes the ListTopicsRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for ListTopicsRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::ListTopics(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<ReassignPartitionsRequest> for AdminRequest {
    fn from(m: ReassignPartitionsRequest) -> Self {
        AdminRequest::ReassignPartitions(m)
    }
}

/// Takes the ReassignPartitionsRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for ReassignPartitionsRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::ReassignPartitions(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<VerifyReassignPartitionsRequest> for AdminRequest {
    fn from(m: VerifyReassignPartitionsRequest) -> Self {
        AdminRequest::VerifyReassignPartitions(m)
    }
}

/// Takes the VerifyReassignPartitionsRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for VerifyReassignPartitionsRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::VerifyReassignPartitions(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<PreferredReplicaLeaderElectionRequest> for AdminRequest {
    fn from(m: PreferredReplicaLeaderElectionRequest) -> Self {
        AdminRequest::PreferredReplicaLeaderElection(m)
    }
}

/// Takes the PreferredReplicaLeaderElectionRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for PreferredReplicaLeaderElectionRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::PreferredReplicaLeaderElection(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<VerifyPreferredReplicaLeaderElectionRequest> for AdminRequest {
    fn from(m: VerifyPreferredReplicaLeaderElectionRequest) -> Self {
        AdminRequest::VerifyPreferredReplicaLeaderElection(m)
    }
}

/// Takes the VerifyPreferredReplicaLeaderElectionRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for VerifyPreferredReplicaLeaderElectionRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::VerifyPreferredReplicaLeaderElection(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<SubmitReassignmentRequest> for AdminRequest {
    fn from(m: SubmitReassignmentRequest) -> Self {
        AdminRequest::SubmitReassignment(m)
    }
}

/// Takes the SubmitReassignmentRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for SubmitReassignmentRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::SubmitReassignment(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DescribeReassignmentJobsRequest> for AdminRequest {
    fn from(m: DescribeReassignmentJobsRequest) -> Self {
        AdminRequest::DescribeReassignmentJobs(m)
    }
}

/// Takes the DescribeReassignmentJobsRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for DescribeReassignmentJobsRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::DescribeReassignmentJobs(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<AlterReassignmentJobRequest> for AdminRequest {
    fn from(m: AlterReassignmentJobRequest) -> Self {
        AdminRequest::AlterReassignmentJob(m)
    }
}

/// Takes the AlterReassignmentJobRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for AlterReassignmentJobRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::AlterReassignmentJob(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<CreateLinkRequest> for AdminRequest {
    fn from(m: CreateLinkRequest) -> Self {
        AdminRequest::CreateLink(m)
    }
}

/// Takes the CreateLinkRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for CreateLinkRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::CreateLink(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DescribeLinksRequest> for AdminRequest {
    fn from(m: DescribeLinksRequest) -> Self {
        AdminRequest::DescribeLinks(m)
    }
}

/// Takes the DescribeLinksRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for DescribeLinksRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::DescribeLinks(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<AlterLinkRequest> for AdminRequest {
    fn from(m: AlterLinkRequest) -> Self {
        AdminRequest::AlterLink(m)
    }
}

/// Takes the AlterLinkRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for AlterLinkRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::AlterLink(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<PromoteMirrorRequest> for AdminRequest {
    fn from(m: PromoteMirrorRequest) -> Self {
        AdminRequest::PromoteMirror(m)
    }
}

/// Takes the PromoteMirrorRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for PromoteMirrorRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::PromoteMirror(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DeleteLinkRequest> for AdminRequest {
    fn from(m: DeleteLinkRequest) -> Self {
        AdminRequest::DeleteLink(m)
    }
}

/// Takes the DeleteLinkRequest out of an AdminRequest, or gives the request back if it holds another message.
impl TryFrom<AdminRequest> for DeleteLinkRequest {
    type Error = AdminRequest;
    fn try_from(m: AdminRequest) -> Result<Self, AdminRequest> {
        match m {
            AdminRequest::DeleteLink(m) => Ok(m),
            other => Err(other),
        }
    }
}

/// Any response of the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminResponse {
    ClusterMetadata(ClusterMetadataResponse),
    CreateTopic(CreateTopicResponse),
    AlterTopic(AlterTopicResponse),
    DeleteTopic(DeleteTopicResponse),
    DescribeTopic(DescribeTopicResponse),
    ListTopics(ListTopicsResponse),
    ReassignPartitions(ReassignPartitionsResponse),
    VerifyReassignPartitions(VerifyReassignPartitionsResponse),
    PreferredReplicaLeaderElection(PreferredReplicaLeaderElectionResponse),
    VerifyPreferredReplicaLeaderElection(VerifyPreferredReplicaLeaderElectionResponse),
    SubmitReassignment(SubmitReassignmentResponse),
    DescribeReassignmentJobs(DescribeReassignmentJobsResponse),
    AlterReassignmentJob(AlterReassignmentJobResponse),
    CreateLink(CreateLinkResponse),
    DescribeLinks(DescribeLinksResponse),
    AlterLink(AlterLinkResponse),
    PromoteMirror(PromoteMirrorResponse),
    DeleteLink(DeleteLinkResponse),
}

impl AdminResponse {
    /// The API key of this response.
    pub fn api_key(&self) -> ApiKey {
        match self {
            AdminResponse::ClusterMetadata(_) => ApiKey::ClusterMetadata,
            AdminResponse::CreateTopic(_) => ApiKey::CreateTopic,
            AdminResponse::AlterTopic(_) => ApiKey::AlterTopic,
            AdminResponse::DeleteTopic(_) => ApiKey::DeleteTopic,
            AdminResponse::DescribeTopic(_) => ApiKey::DescribeTopic,
            AdminResponse::ListTopics(_) => ApiKey::ListTopics,
            AdminResponse::ReassignPartitions(_) => ApiKey::ReassignPartitions,
            AdminResponse::VerifyReassignPartitions(_) => ApiKey::VerifyReassignPartitions,
            AdminResponse::PreferredReplicaLeaderElection(_) => {
                ApiKey::PreferredReplicaLeaderElection
            }
            AdminResponse::VerifyPreferredReplicaLeaderElection(_) => {
                ApiKey::VerifyPreferredReplicaLeaderElection
            }
            AdminResponse::SubmitReassignment(_) => ApiKey::SubmitReassignment,
            AdminResponse::DescribeReassignmentJobs(_) => ApiKey::DescribeReassignmentJobs,
            AdminResponse::AlterReassignmentJob(_) => ApiKey::AlterReassignmentJob,
            AdminResponse::CreateLink(_) => ApiKey::CreateLink,
            AdminResponse::DescribeLinks(_) => ApiKey::DescribeLinks,
            AdminResponse::AlterLink(_) => ApiKey::AlterLink,
            AdminResponse::PromoteMirror(_) => ApiKey::PromoteMirror,
            AdminResponse::DeleteLink(_) => ApiKey::DeleteLink,
        }
    }

    /// Encodes the body (no size, no header) in `version`.
    pub fn encode(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        match self {
            AdminResponse::ClusterMetadata(m) => m.encode(buf, version),
            AdminResponse::CreateTopic(m) => m.encode(buf, version),
            AdminResponse::AlterTopic(m) => m.encode(buf, version),
            AdminResponse::DeleteTopic(m) => m.encode(buf, version),
            AdminResponse::DescribeTopic(m) => m.encode(buf, version),
            AdminResponse::ListTopics(m) => m.encode(buf, version),
            AdminResponse::ReassignPartitions(m) => m.encode(buf, version),
            AdminResponse::VerifyReassignPartitions(m) => m.encode(buf, version),
            AdminResponse::PreferredReplicaLeaderElection(m) => m.encode(buf, version),
            AdminResponse::VerifyPreferredReplicaLeaderElection(m) => m.encode(buf, version),
            AdminResponse::SubmitReassignment(m) => m.encode(buf, version),
            AdminResponse::DescribeReassignmentJobs(m) => m.encode(buf, version),
            AdminResponse::AlterReassignmentJob(m) => m.encode(buf, version),
            AdminResponse::CreateLink(m) => m.encode(buf, version),
            AdminResponse::DescribeLinks(m) => m.encode(buf, version),
            AdminResponse::AlterLink(m) => m.encode(buf, version),
            AdminResponse::PromoteMirror(m) => m.encode(buf, version),
            AdminResponse::DeleteLink(m) => m.encode(buf, version),
        }
    }

    /// Decodes a whole body (no size, no header) of `api_key` in `version`.
    pub fn decode(api_key: ApiKey, body: &[u8], version: i16) -> Result<Self, DecodeError> {
        match api_key {
            ApiKey::ClusterMetadata => {
                ClusterMetadataResponse::decode(body, version).map(AdminResponse::ClusterMetadata)
            }
            ApiKey::CreateTopic => {
                CreateTopicResponse::decode(body, version).map(AdminResponse::CreateTopic)
            }
            ApiKey::AlterTopic => {
                AlterTopicResponse::decode(body, version).map(AdminResponse::AlterTopic)
            }
            ApiKey::DeleteTopic => {
                DeleteTopicResponse::decode(body, version).map(AdminResponse::DeleteTopic)
            }
            ApiKey::DescribeTopic => {
                DescribeTopicResponse::decode(body, version).map(AdminResponse::DescribeTopic)
            }
            ApiKey::ListTopics => {
                ListTopicsResponse::decode(body, version).map(AdminResponse::ListTopics)
            }
            ApiKey::ReassignPartitions => ReassignPartitionsResponse::decode(body, version)
                .map(AdminResponse::ReassignPartitions),
            ApiKey::VerifyReassignPartitions => {
                VerifyReassignPartitionsResponse::decode(body, version)
                    .map(AdminResponse::VerifyReassignPartitions)
            }
            ApiKey::PreferredReplicaLeaderElection => {
                PreferredReplicaLeaderElectionResponse::decode(body, version)
                    .map(AdminResponse::PreferredReplicaLeaderElection)
            }
            ApiKey::VerifyPreferredReplicaLeaderElection => {
                VerifyPreferredReplicaLeaderElectionResponse::decode(body, version)
                    .map(AdminResponse::VerifyPreferredReplicaLeaderElection)
            }
            ApiKey::SubmitReassignment => SubmitReassignmentResponse::decode(body, version)
                .map(AdminResponse::SubmitReassignment),
            ApiKey::DescribeReassignmentJobs => {
                DescribeReassignmentJobsResponse::decode(body, version)
                    .map(AdminResponse::DescribeReassignmentJobs)
            }
            ApiKey::AlterReassignmentJob => AlterReassignmentJobResponse::decode(body, version)
                .map(AdminResponse::AlterReassignmentJob),
            ApiKey::CreateLink => {
                CreateLinkResponse::decode(body, version).map(AdminResponse::CreateLink)
            }
            ApiKey::DescribeLinks => {
                DescribeLinksResponse::decode(body, version).map(AdminResponse::DescribeLinks)
            }
            ApiKey::AlterLink => {
                AlterLinkResponse::decode(body, version).map(AdminResponse::AlterLink)
            }
            ApiKey::PromoteMirror => {
                PromoteMirrorResponse::decode(body, version).map(AdminResponse::PromoteMirror)
            }
            ApiKey::DeleteLink => {
                DeleteLinkResponse::decode(body, version).map(AdminResponse::DeleteLink)
            }
        }
    }

    /// Decodes a body whose API key is a raw number, as read off the wire.
    pub fn decode_raw(api_key: i16, body: &[u8], version: i16) -> Result<Self, DecodeError> {
        let key = ApiKey::from_i16(api_key)
            .ok_or_else(|| DecodeError::new(DecodeErrorKind::UnknownApiKey(api_key)))?;
        Self::decode(key, body, version)
    }

    /// Any response of `api_key` that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(api_key: ApiKey, version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::strategy::Strategy;
        match api_key {
            ApiKey::ClusterMetadata => ClusterMetadataResponse::arbitrary(version)
                .prop_map(AdminResponse::ClusterMetadata)
                .boxed(),
            ApiKey::CreateTopic => {
                CreateTopicResponse::arbitrary(version).prop_map(AdminResponse::CreateTopic).boxed()
            }
            ApiKey::AlterTopic => {
                AlterTopicResponse::arbitrary(version).prop_map(AdminResponse::AlterTopic).boxed()
            }
            ApiKey::DeleteTopic => {
                DeleteTopicResponse::arbitrary(version).prop_map(AdminResponse::DeleteTopic).boxed()
            }
            ApiKey::DescribeTopic => DescribeTopicResponse::arbitrary(version)
                .prop_map(AdminResponse::DescribeTopic)
                .boxed(),
            ApiKey::ListTopics => {
                ListTopicsResponse::arbitrary(version).prop_map(AdminResponse::ListTopics).boxed()
            }
            ApiKey::ReassignPartitions => ReassignPartitionsResponse::arbitrary(version)
                .prop_map(AdminResponse::ReassignPartitions)
                .boxed(),
            ApiKey::VerifyReassignPartitions => {
                VerifyReassignPartitionsResponse::arbitrary(version)
                    .prop_map(AdminResponse::VerifyReassignPartitions)
                    .boxed()
            }
            ApiKey::PreferredReplicaLeaderElection => {
                PreferredReplicaLeaderElectionResponse::arbitrary(version)
                    .prop_map(AdminResponse::PreferredReplicaLeaderElection)
                    .boxed()
            }
            ApiKey::VerifyPreferredReplicaLeaderElection => {
                VerifyPreferredReplicaLeaderElectionResponse::arbitrary(version)
                    .prop_map(AdminResponse::VerifyPreferredReplicaLeaderElection)
                    .boxed()
            }
            ApiKey::SubmitReassignment => SubmitReassignmentResponse::arbitrary(version)
                .prop_map(AdminResponse::SubmitReassignment)
                .boxed(),
            ApiKey::DescribeReassignmentJobs => {
                DescribeReassignmentJobsResponse::arbitrary(version)
                    .prop_map(AdminResponse::DescribeReassignmentJobs)
                    .boxed()
            }
            ApiKey::AlterReassignmentJob => AlterReassignmentJobResponse::arbitrary(version)
                .prop_map(AdminResponse::AlterReassignmentJob)
                .boxed(),
            ApiKey::CreateLink => {
                CreateLinkResponse::arbitrary(version).prop_map(AdminResponse::CreateLink).boxed()
            }
            ApiKey::DescribeLinks => DescribeLinksResponse::arbitrary(version)
                .prop_map(AdminResponse::DescribeLinks)
                .boxed(),
            ApiKey::AlterLink => {
                AlterLinkResponse::arbitrary(version).prop_map(AdminResponse::AlterLink).boxed()
            }
            ApiKey::PromoteMirror => PromoteMirrorResponse::arbitrary(version)
                .prop_map(AdminResponse::PromoteMirror)
                .boxed(),
            ApiKey::DeleteLink => {
                DeleteLinkResponse::arbitrary(version).prop_map(AdminResponse::DeleteLink).boxed()
            }
        }
    }
}

impl From<ClusterMetadataResponse> for AdminResponse {
    fn from(m: ClusterMetadataResponse) -> Self {
        AdminResponse::ClusterMetadata(m)
    }
}

/// Takes the ClusterMetadataResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for ClusterMetadataResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::ClusterMetadata(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<CreateTopicResponse> for AdminResponse {
    fn from(m: CreateTopicResponse) -> Self {
        AdminResponse::CreateTopic(m)
    }
}

/// Takes the CreateTopicResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for CreateTopicResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::CreateTopic(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<AlterTopicResponse> for AdminResponse {
    fn from(m: AlterTopicResponse) -> Self {
        AdminResponse::AlterTopic(m)
    }
}

/// Takes the AlterTopicResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for AlterTopicResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::AlterTopic(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DeleteTopicResponse> for AdminResponse {
    fn from(m: DeleteTopicResponse) -> Self {
        AdminResponse::DeleteTopic(m)
    }
}

/// Takes the DeleteTopicResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for DeleteTopicResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::DeleteTopic(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DescribeTopicResponse> for AdminResponse {
    fn from(m: DescribeTopicResponse) -> Self {
        AdminResponse::DescribeTopic(m)
    }
}

/// Takes the DescribeTopicResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for DescribeTopicResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::DescribeTopic(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<ListTopicsResponse> for AdminResponse {
    fn from(m: ListTopicsResponse) -> Self {
        AdminResponse::ListTopics(m)
    }
}

/// Takes the ListTopicsResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for ListTopicsResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::ListTopics(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<ReassignPartitionsResponse> for AdminResponse {
    fn from(m: ReassignPartitionsResponse) -> Self {
        AdminResponse::ReassignPartitions(m)
    }
}

/// Takes the ReassignPartitionsResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for ReassignPartitionsResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::ReassignPartitions(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<VerifyReassignPartitionsResponse> for AdminResponse {
    fn from(m: VerifyReassignPartitionsResponse) -> Self {
        AdminResponse::VerifyReassignPartitions(m)
    }
}

/// Takes the VerifyReassignPartitionsResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for VerifyReassignPartitionsResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::VerifyReassignPartitions(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<PreferredReplicaLeaderElectionResponse> for AdminResponse {
    fn from(m: PreferredReplicaLeaderElectionResponse) -> Self {
        AdminResponse::PreferredReplicaLeaderElection(m)
    }
}

/// Takes the PreferredReplicaLeaderElectionResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for PreferredReplicaLeaderElectionResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::PreferredReplicaLeaderElection(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<VerifyPreferredReplicaLeaderElectionResponse> for AdminResponse {
    fn from(m: VerifyPreferredReplicaLeaderElectionResponse) -> Self {
        AdminResponse::VerifyPreferredReplicaLeaderElection(m)
    }
}

/// Takes the VerifyPreferredReplicaLeaderElectionResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for VerifyPreferredReplicaLeaderElectionResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::VerifyPreferredReplicaLeaderElection(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<SubmitReassignmentResponse> for AdminResponse {
    fn from(m: SubmitReassignmentResponse) -> Self {
        AdminResponse::SubmitReassignment(m)
    }
}

/// Takes the SubmitReassignmentResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for SubmitReassignmentResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::SubmitReassignment(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DescribeReassignmentJobsResponse> for AdminResponse {
    fn from(m: DescribeReassignmentJobsResponse) -> Self {
        AdminResponse::DescribeReassignmentJobs(m)
    }
}

/// Takes the DescribeReassignmentJobsResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for DescribeReassignmentJobsResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::DescribeReassignmentJobs(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<AlterReassignmentJobResponse> for AdminResponse {
    fn from(m: AlterReassignmentJobResponse) -> Self {
        AdminResponse::AlterReassignmentJob(m)
    }
}

/// Takes the AlterReassignmentJobResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for AlterReassignmentJobResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::AlterReassignmentJob(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<CreateLinkResponse> for AdminResponse {
    fn from(m: CreateLinkResponse) -> Self {
        AdminResponse::CreateLink(m)
    }
}

/// Takes the CreateLinkResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for CreateLinkResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::CreateLink(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DescribeLinksResponse> for AdminResponse {
    fn from(m: DescribeLinksResponse) -> Self {
        AdminResponse::DescribeLinks(m)
    }
}

/// Takes the DescribeLinksResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for DescribeLinksResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::DescribeLinks(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<AlterLinkResponse> for AdminResponse {
    fn from(m: AlterLinkResponse) -> Self {
        AdminResponse::AlterLink(m)
    }
}

/// Takes the AlterLinkResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for AlterLinkResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::AlterLink(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<PromoteMirrorResponse> for AdminResponse {
    fn from(m: PromoteMirrorResponse) -> Self {
        AdminResponse::PromoteMirror(m)
    }
}

/// Takes the PromoteMirrorResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for PromoteMirrorResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::PromoteMirror(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl From<DeleteLinkResponse> for AdminResponse {
    fn from(m: DeleteLinkResponse) -> Self {
        AdminResponse::DeleteLink(m)
    }
}

/// Takes the DeleteLinkResponse out of an AdminResponse, or gives the response back if it holds another message.
impl TryFrom<AdminResponse> for DeleteLinkResponse {
    type Error = AdminResponse;
    fn try_from(m: AdminResponse) -> Result<Self, AdminResponse> {
        match m {
            AdminResponse::DeleteLink(m) => Ok(m),
            other => Err(other),
        }
    }
}

impl crate::RequestMessage for ClusterMetadataRequest {
    type Response = ClusterMetadataResponse;
    const KEY: ApiKey = ApiKey::ClusterMetadata;
    const READ_ONLY: bool = true;
}

impl crate::ResponseMessage for ClusterMetadataResponse {
    const KEY: ApiKey = ApiKey::ClusterMetadata;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for CreateTopicRequest {
    type Response = CreateTopicResponse;
    const KEY: ApiKey = ApiKey::CreateTopic;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for CreateTopicResponse {
    const KEY: ApiKey = ApiKey::CreateTopic;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for AlterTopicRequest {
    type Response = AlterTopicResponse;
    const KEY: ApiKey = ApiKey::AlterTopic;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for AlterTopicResponse {
    const KEY: ApiKey = ApiKey::AlterTopic;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for DeleteTopicRequest {
    type Response = DeleteTopicResponse;
    const KEY: ApiKey = ApiKey::DeleteTopic;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for DeleteTopicResponse {
    const KEY: ApiKey = ApiKey::DeleteTopic;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for DescribeTopicRequest {
    type Response = DescribeTopicResponse;
    const KEY: ApiKey = ApiKey::DescribeTopic;
    const READ_ONLY: bool = true;
}

impl crate::ResponseMessage for DescribeTopicResponse {
    const KEY: ApiKey = ApiKey::DescribeTopic;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for ListTopicsRequest {
    type Response = ListTopicsResponse;
    const KEY: ApiKey = ApiKey::ListTopics;
    const READ_ONLY: bool = true;
}

impl crate::ResponseMessage for ListTopicsResponse {
    const KEY: ApiKey = ApiKey::ListTopics;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for ReassignPartitionsRequest {
    type Response = ReassignPartitionsResponse;
    const KEY: ApiKey = ApiKey::ReassignPartitions;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for ReassignPartitionsResponse {
    const KEY: ApiKey = ApiKey::ReassignPartitions;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for VerifyReassignPartitionsRequest {
    type Response = VerifyReassignPartitionsResponse;
    const KEY: ApiKey = ApiKey::VerifyReassignPartitions;
    const READ_ONLY: bool = true;
}

impl crate::ResponseMessage for VerifyReassignPartitionsResponse {
    const KEY: ApiKey = ApiKey::VerifyReassignPartitions;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for PreferredReplicaLeaderElectionRequest {
    type Response = PreferredReplicaLeaderElectionResponse;
    const KEY: ApiKey = ApiKey::PreferredReplicaLeaderElection;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for PreferredReplicaLeaderElectionResponse {
    const KEY: ApiKey = ApiKey::PreferredReplicaLeaderElection;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for VerifyPreferredReplicaLeaderElectionRequest {
    type Response = VerifyPreferredReplicaLeaderElectionResponse;
    const KEY: ApiKey = ApiKey::VerifyPreferredReplicaLeaderElection;
    const READ_ONLY: bool = true;
}

impl crate::ResponseMessage for VerifyPreferredReplicaLeaderElectionResponse {
    const KEY: ApiKey = ApiKey::VerifyPreferredReplicaLeaderElection;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for SubmitReassignmentRequest {
    type Response = SubmitReassignmentResponse;
    const KEY: ApiKey = ApiKey::SubmitReassignment;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for SubmitReassignmentResponse {
    const KEY: ApiKey = ApiKey::SubmitReassignment;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for DescribeReassignmentJobsRequest {
    type Response = DescribeReassignmentJobsResponse;
    const KEY: ApiKey = ApiKey::DescribeReassignmentJobs;
    const READ_ONLY: bool = true;
}

impl crate::ResponseMessage for DescribeReassignmentJobsResponse {
    const KEY: ApiKey = ApiKey::DescribeReassignmentJobs;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for AlterReassignmentJobRequest {
    type Response = AlterReassignmentJobResponse;
    const KEY: ApiKey = ApiKey::AlterReassignmentJob;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for AlterReassignmentJobResponse {
    const KEY: ApiKey = ApiKey::AlterReassignmentJob;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for CreateLinkRequest {
    type Response = CreateLinkResponse;
    const KEY: ApiKey = ApiKey::CreateLink;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for CreateLinkResponse {
    const KEY: ApiKey = ApiKey::CreateLink;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for DescribeLinksRequest {
    type Response = DescribeLinksResponse;
    const KEY: ApiKey = ApiKey::DescribeLinks;
    const READ_ONLY: bool = true;
}

impl crate::ResponseMessage for DescribeLinksResponse {
    const KEY: ApiKey = ApiKey::DescribeLinks;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for AlterLinkRequest {
    type Response = AlterLinkResponse;
    const KEY: ApiKey = ApiKey::AlterLink;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for AlterLinkResponse {
    const KEY: ApiKey = ApiKey::AlterLink;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for PromoteMirrorRequest {
    type Response = PromoteMirrorResponse;
    const KEY: ApiKey = ApiKey::PromoteMirror;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for PromoteMirrorResponse {
    const KEY: ApiKey = ApiKey::PromoteMirror;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}

impl crate::RequestMessage for DeleteLinkRequest {
    type Response = DeleteLinkResponse;
    const KEY: ApiKey = ApiKey::DeleteLink;
    const READ_ONLY: bool = false;
}

impl crate::ResponseMessage for DeleteLinkResponse {
    const KEY: ApiKey = ApiKey::DeleteLink;
    fn error_code(&self) -> crate::ErrorCode {
        crate::ErrorCode(self.error_code)
    }
    fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }
}
