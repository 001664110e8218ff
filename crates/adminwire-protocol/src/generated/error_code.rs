//! Error codes, generated from `protocol-specs/errors.json`: do not edit.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Error codes of the adminwire extension (1001-1010 from KIP-4's draft, 1011-1017 adminwire's own) and the standard Apache Kafka codes its responses reuse. A code not listed here may still arrive from a newer sidecar: treat it as a non-retriable error and show its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i16);

impl ErrorCode {
    /// NotControllerReceivedAdminRequest (1001): Target broker is not serving a controller's role.
    pub const NOT_CONTROLLER_RECEIVED_ADMIN_REQUEST: ErrorCode = ErrorCode(1001);
    /// TopicAlreadyExists (1002): Topic with this name already exists.
    pub const TOPIC_ALREADY_EXISTS: ErrorCode = ErrorCode(1002);
    /// InvalidArgumentPartitions (1003): Either partition field is invalid (e.g. negative), or not defined when needed.
    pub const INVALID_ARGUMENT_PARTITIONS: ErrorCode = ErrorCode(1003);
    /// DecreasePartitionsNotAllowed (1004): Invalid partitions argument: decrease partitions is prohibited.
    pub const DECREASE_PARTITIONS_NOT_ALLOWED: ErrorCode = ErrorCode(1004);
    /// InvalidArgumentReplicationFactor (1005): Either replication-factor field is invalid (e.g. negative), or not defined when needed.
    pub const INVALID_ARGUMENT_REPLICATION_FACTOR: ErrorCode = ErrorCode(1005);
    /// InvalidArgumentReplicaAssignment (1006): Either replica assignment is invalid (e.g. contains duplicates or unknown brokers), or not defined when needed.
    pub const INVALID_ARGUMENT_REPLICA_ASSIGNMENT: ErrorCode = ErrorCode(1006);
    /// InvalidTopicConfig (1007): Either topic-level config setting or value is incorrect.
    pub const INVALID_TOPIC_CONFIG: ErrorCode = ErrorCode(1007);
    /// PreferredReplicaLeaderElectionInProgress (1008): Preferred replica leader election procedure has been already started.
    pub const PREFERRED_REPLICA_LEADER_ELECTION_IN_PROGRESS: ErrorCode = ErrorCode(1008);
    /// InvalidArgumentPreferredReplicaElectionData (1009): Preferred replica leader election data is invalid (bad json, duplicates etc).
    pub const INVALID_ARGUMENT_PREFERRED_REPLICA_ELECTION_DATA: ErrorCode = ErrorCode(1009);
    /// ReassignPartitionsInProgress (1010): Reassign partitions procedure has been already started.
    pub const REASSIGN_PARTITIONS_IN_PROGRESS: ErrorCode = ErrorCode(1010);
    /// ReassignmentJobsNotConfigured (1011): The sidecar runs no reassignment jobs or cluster links on this cluster: it needs a principal of its own (\[jobs\] in its configuration).
    pub const REASSIGNMENT_JOBS_NOT_CONFIGURED: ErrorCode = ErrorCode(1011);
    /// LinkAlreadyExists (1012): A cluster link with this id exists already.
    pub const LINK_ALREADY_EXISTS: ErrorCode = ErrorCode(1012);
    /// LinkSourceUnavailable (1013): The link's source cluster could not be reached, or refused the link's login.
    pub const LINK_SOURCE_UNAVAILABLE: ErrorCode = ErrorCode(1013);
    /// MirrorPromoted (1014): The mirror topic has been promoted already: it is an ordinary topic now.
    pub const MIRROR_PROMOTED: ErrorCode = ErrorCode(1014);
    /// MirrorTopicReadOnly (1015): The topic is a mirror of a cluster link: its records come from the source cluster until it is promoted.
    pub const MIRROR_TOPIC_READ_ONLY: ErrorCode = ErrorCode(1015);
    /// MirrorNotSwitched (1016): Producers or consumer groups of the mirror are still on the link's source (the message names them): promote once they have switched, or with Force.
    pub const MIRROR_NOT_SWITCHED: ErrorCode = ErrorCode(1016);
    /// TransactionSpansLink (1017): A transaction cannot write both mirror topics of a cluster link, whose writes run in a transaction on the link's source, and other topics or group offsets, which stay on this cluster.
    pub const TRANSACTION_SPANS_LINK: ErrorCode = ErrorCode(1017);
    /// NONE (0): No error.
    pub const NONE: ErrorCode = ErrorCode(0);
    /// UNKNOWN_SERVER_ERROR (-1): The server experienced an unexpected error when processing the request.
    pub const UNKNOWN_SERVER_ERROR: ErrorCode = ErrorCode(-1);
    /// UNKNOWN_TOPIC_OR_PARTITION (3): This server does not host this topic-partition.
    pub const UNKNOWN_TOPIC_OR_PARTITION: ErrorCode = ErrorCode(3);
    /// LEADER_NOT_AVAILABLE (5): There is no leader for this topic-partition as we are in the middle of a leadership election.
    pub const LEADER_NOT_AVAILABLE: ErrorCode = ErrorCode(5);
    /// REQUEST_TIMED_OUT (7): The request timed out.
    pub const REQUEST_TIMED_OUT: ErrorCode = ErrorCode(7);
    /// BROKER_NOT_AVAILABLE (8): The broker is not available.
    pub const BROKER_NOT_AVAILABLE: ErrorCode = ErrorCode(8);
    /// COORDINATOR_LOAD_IN_PROGRESS (14): The coordinator is loading and hence can't process requests.
    pub const COORDINATOR_LOAD_IN_PROGRESS: ErrorCode = ErrorCode(14);
    /// INVALID_TOPIC_EXCEPTION (17): The request attempted to perform an operation on an invalid topic.
    pub const INVALID_TOPIC_EXCEPTION: ErrorCode = ErrorCode(17);
    /// TOPIC_AUTHORIZATION_FAILED (29): Topic authorization failed.
    pub const TOPIC_AUTHORIZATION_FAILED: ErrorCode = ErrorCode(29);
    /// CLUSTER_AUTHORIZATION_FAILED (31): Cluster authorization failed.
    pub const CLUSTER_AUTHORIZATION_FAILED: ErrorCode = ErrorCode(31);
    /// UNSUPPORTED_VERSION (35): The version of API is not supported.
    pub const UNSUPPORTED_VERSION: ErrorCode = ErrorCode(35);
    /// NOT_CONTROLLER (41): This is not the correct controller for this cluster.
    pub const NOT_CONTROLLER: ErrorCode = ErrorCode(41);
    /// INVALID_REQUEST (42): This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.
    pub const INVALID_REQUEST: ErrorCode = ErrorCode(42);
    /// POLICY_VIOLATION (44): Request parameters do not satisfy the configured policy.
    pub const POLICY_VIOLATION: ErrorCode = ErrorCode(44);
    /// SASL_AUTHENTICATION_FAILED (58): SASL Authentication failed.
    pub const SASL_AUTHENTICATION_FAILED: ErrorCode = ErrorCode(58);
    /// GROUP_ID_NOT_FOUND (69): The group id does not exist.
    pub const GROUP_ID_NOT_FOUND: ErrorCode = ErrorCode(69);
    /// TOPIC_DELETION_DISABLED (73): Topic deletion is disabled.
    pub const TOPIC_DELETION_DISABLED: ErrorCode = ErrorCode(73);
    /// ELIGIBLE_LEADERS_NOT_AVAILABLE (83): Eligible topic partition leaders are not available.
    pub const ELIGIBLE_LEADERS_NOT_AVAILABLE: ErrorCode = ErrorCode(83);
    /// NO_REASSIGNMENT_IN_PROGRESS (85): No partition reassignment is in progress.
    pub const NO_REASSIGNMENT_IN_PROGRESS: ErrorCode = ErrorCode(85);
    /// RESOURCE_NOT_FOUND (91): A request illegally referred to a resource that does not exist.
    pub const RESOURCE_NOT_FOUND: ErrorCode = ErrorCode(91);

    /// Every code the extension defines or reuses.
    pub const ALL: &[ErrorCode] = &[
        ErrorCode::NOT_CONTROLLER_RECEIVED_ADMIN_REQUEST,
        ErrorCode::TOPIC_ALREADY_EXISTS,
        ErrorCode::INVALID_ARGUMENT_PARTITIONS,
        ErrorCode::DECREASE_PARTITIONS_NOT_ALLOWED,
        ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR,
        ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
        ErrorCode::INVALID_TOPIC_CONFIG,
        ErrorCode::PREFERRED_REPLICA_LEADER_ELECTION_IN_PROGRESS,
        ErrorCode::INVALID_ARGUMENT_PREFERRED_REPLICA_ELECTION_DATA,
        ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS,
        ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED,
        ErrorCode::LINK_ALREADY_EXISTS,
        ErrorCode::LINK_SOURCE_UNAVAILABLE,
        ErrorCode::MIRROR_PROMOTED,
        ErrorCode::MIRROR_TOPIC_READ_ONLY,
        ErrorCode::MIRROR_NOT_SWITCHED,
        ErrorCode::TRANSACTION_SPANS_LINK,
        ErrorCode::NONE,
        ErrorCode::UNKNOWN_SERVER_ERROR,
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode::LEADER_NOT_AVAILABLE,
        ErrorCode::REQUEST_TIMED_OUT,
        ErrorCode::BROKER_NOT_AVAILABLE,
        ErrorCode::COORDINATOR_LOAD_IN_PROGRESS,
        ErrorCode::INVALID_TOPIC_EXCEPTION,
        ErrorCode::TOPIC_AUTHORIZATION_FAILED,
        ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
        ErrorCode::UNSUPPORTED_VERSION,
        ErrorCode::NOT_CONTROLLER,
        ErrorCode::INVALID_REQUEST,
        ErrorCode::POLICY_VIOLATION,
        ErrorCode::SASL_AUTHENTICATION_FAILED,
        ErrorCode::GROUP_ID_NOT_FOUND,
        ErrorCode::TOPIC_DELETION_DISABLED,
        ErrorCode::ELIGIBLE_LEADERS_NOT_AVAILABLE,
        ErrorCode::NO_REASSIGNMENT_IN_PROGRESS,
        ErrorCode::RESOURCE_NOT_FOUND,
    ];

    /// The code's name (`TopicAlreadyExists`, `UNKNOWN_TOPIC_OR_PARTITION`), if it is known.
    pub fn name(self) -> Option<&'static str> {
        match self.0 {
            1001 => Some("NotControllerReceivedAdminRequest"),
            1002 => Some("TopicAlreadyExists"),
            1003 => Some("InvalidArgumentPartitions"),
            1004 => Some("DecreasePartitionsNotAllowed"),
            1005 => Some("InvalidArgumentReplicationFactor"),
            1006 => Some("InvalidArgumentReplicaAssignment"),
            1007 => Some("InvalidTopicConfig"),
            1008 => Some("PreferredReplicaLeaderElectionInProgress"),
            1009 => Some("InvalidArgumentPreferredReplicaElectionData"),
            1010 => Some("ReassignPartitionsInProgress"),
            1011 => Some("ReassignmentJobsNotConfigured"),
            1012 => Some("LinkAlreadyExists"),
            1013 => Some("LinkSourceUnavailable"),
            1014 => Some("MirrorPromoted"),
            1015 => Some("MirrorTopicReadOnly"),
            1016 => Some("MirrorNotSwitched"),
            1017 => Some("TransactionSpansLink"),
            0 => Some("NONE"),
            -1 => Some("UNKNOWN_SERVER_ERROR"),
            3 => Some("UNKNOWN_TOPIC_OR_PARTITION"),
            5 => Some("LEADER_NOT_AVAILABLE"),
            7 => Some("REQUEST_TIMED_OUT"),
            8 => Some("BROKER_NOT_AVAILABLE"),
            14 => Some("COORDINATOR_LOAD_IN_PROGRESS"),
            17 => Some("INVALID_TOPIC_EXCEPTION"),
            29 => Some("TOPIC_AUTHORIZATION_FAILED"),
            31 => Some("CLUSTER_AUTHORIZATION_FAILED"),
            35 => Some("UNSUPPORTED_VERSION"),
            41 => Some("NOT_CONTROLLER"),
            42 => Some("INVALID_REQUEST"),
            44 => Some("POLICY_VIOLATION"),
            58 => Some("SASL_AUTHENTICATION_FAILED"),
            69 => Some("GROUP_ID_NOT_FOUND"),
            73 => Some("TOPIC_DELETION_DISABLED"),
            83 => Some("ELIGIBLE_LEADERS_NOT_AVAILABLE"),
            85 => Some("NO_REASSIGNMENT_IN_PROGRESS"),
            91 => Some("RESOURCE_NOT_FOUND"),
            _ => None,
        }
    }

    /// What the code means, if it is known.
    pub fn message(self) -> Option<&'static str> {
        match self.0 {
            1001 => Some("Target broker is not serving a controller's role."),
            1002 => Some("Topic with this name already exists."),
            1003 => Some(
                "Either partition field is invalid (e.g. negative), or not defined when needed.",
            ),
            1004 => Some("Invalid partitions argument: decrease partitions is prohibited."),
            1005 => Some(
                "Either replication-factor field is invalid (e.g. negative), or not defined when needed.",
            ),
            1006 => Some(
                "Either replica assignment is invalid (e.g. contains duplicates or unknown brokers), or not defined when needed.",
            ),
            1007 => Some("Either topic-level config setting or value is incorrect."),
            1008 => Some("Preferred replica leader election procedure has been already started."),
            1009 => Some(
                "Preferred replica leader election data is invalid (bad json, duplicates etc).",
            ),
            1010 => Some("Reassign partitions procedure has been already started."),
            1011 => Some(
                "The sidecar runs no reassignment jobs or cluster links on this cluster: it needs a principal of its own ([jobs] in its configuration).",
            ),
            1012 => Some("A cluster link with this id exists already."),
            1013 => {
                Some("The link's source cluster could not be reached, or refused the link's login.")
            }
            1014 => {
                Some("The mirror topic has been promoted already: it is an ordinary topic now.")
            }
            1015 => Some(
                "The topic is a mirror of a cluster link: its records come from the source cluster until it is promoted.",
            ),
            1016 => Some(
                "Producers or consumer groups of the mirror are still on the link's source (the message names them): promote once they have switched, or with Force.",
            ),
            1017 => Some(
                "A transaction cannot write both mirror topics of a cluster link, whose writes run in a transaction on the link's source, and other topics or group offsets, which stay on this cluster.",
            ),
            0 => Some("No error."),
            -1 => Some("The server experienced an unexpected error when processing the request."),
            3 => Some("This server does not host this topic-partition."),
            5 => Some(
                "There is no leader for this topic-partition as we are in the middle of a leadership election.",
            ),
            7 => Some("The request timed out."),
            8 => Some("The broker is not available."),
            14 => Some("The coordinator is loading and hence can't process requests."),
            17 => Some("The request attempted to perform an operation on an invalid topic."),
            29 => Some("Topic authorization failed."),
            31 => Some("Cluster authorization failed."),
            35 => Some("The version of API is not supported."),
            41 => Some("This is not the correct controller for this cluster."),
            42 => Some(
                "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.",
            ),
            44 => Some("Request parameters do not satisfy the configured policy."),
            58 => Some("SASL Authentication failed."),
            69 => Some("The group id does not exist."),
            73 => Some("Topic deletion is disabled."),
            83 => Some("Eligible topic partition leaders are not available."),
            85 => Some("No partition reassignment is in progress."),
            91 => Some("A request illegally referred to a resource that does not exist."),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed. Unknown codes are not retriable.
    pub fn is_retriable(self) -> bool {
        match self.0 {
            1001 => true,
            1002 => false,
            1003 => false,
            1004 => false,
            1005 => false,
            1006 => false,
            1007 => false,
            1008 => true,
            1009 => false,
            1010 => false,
            1011 => false,
            1012 => false,
            1013 => true,
            1014 => false,
            1015 => false,
            1016 => true,
            1017 => false,
            0 => false,
            -1 => false,
            3 => true,
            5 => true,
            7 => true,
            8 => false,
            14 => true,
            17 => false,
            29 => false,
            31 => false,
            35 => false,
            41 => true,
            42 => false,
            44 => false,
            58 => false,
            69 => false,
            73 => false,
            83 => true,
            85 => false,
            91 => false,
            _ => false,
        }
    }

    /// The requests that may answer with this extension code (empty for Kafka's codes, which any request may carry).
    pub fn requests(self) -> &'static [&'static str] {
        match self.0 {
            1001 => &[
                "ClusterMetadata",
                "CreateTopic",
                "AlterTopic",
                "DeleteTopic",
                "DescribeTopic",
                "ListTopics",
                "ReassignPartitions",
                "VerifyReassignPartitions",
                "PreferredReplicaLeaderElection",
                "VerifyPreferredReplicaLeaderElection",
                "SubmitReassignment",
                "DescribeReassignmentJobs",
                "AlterReassignmentJob",
                "CreateLink",
                "DescribeLinks",
                "AlterLink",
                "PromoteMirror",
                "DeleteLink",
            ],
            1002 => &["CreateTopic", "CreateLink", "AlterLink"],
            1003 => &["CreateTopic", "AlterTopic"],
            1004 => &["AlterTopic"],
            1005 => &["CreateTopic", "SubmitReassignment"],
            1006 => &[
                "CreateTopic",
                "AlterTopic",
                "ReassignPartitions",
                "VerifyReassignPartitions",
                "SubmitReassignment",
            ],
            1007 => &["CreateTopic", "AlterTopic"],
            1008 => &["PreferredReplicaLeaderElection"],
            1009 => &["PreferredReplicaLeaderElection", "VerifyPreferredReplicaLeaderElection"],
            1010 => &["ReassignPartitions", "SubmitReassignment", "AlterReassignmentJob"],
            1011 => &[
                "SubmitReassignment",
                "DescribeReassignmentJobs",
                "AlterReassignmentJob",
                "CreateLink",
                "DescribeLinks",
                "AlterLink",
                "PromoteMirror",
                "DeleteLink",
            ],
            1012 => &["CreateLink"],
            1013 => &["CreateLink", "AlterLink"],
            1014 => &["PromoteMirror"],
            1015 => &["Produce"],
            1016 => &["PromoteMirror"],
            1017 => &["AddPartitionsToTxn", "AddOffsetsToTxn"],
            0 => &[],
            -1 => &[],
            3 => &[],
            5 => &[],
            7 => &[],
            8 => &[],
            14 => &[],
            17 => &[],
            29 => &[],
            31 => &[],
            35 => &[],
            41 => &[],
            42 => &[],
            44 => &[],
            58 => &[],
            69 => &[],
            73 => &[],
            83 => &[],
            85 => &[],
            91 => &[],
            _ => &[],
        }
    }

    /// Whether this is one of the extension's own codes (1001-1017).
    pub fn is_extension(self) -> bool {
        (1001..=1017).contains(&self.0)
    }

    /// Whether this is success.
    pub fn is_ok(self) -> bool {
        self.0 == 0
    }
}

impl From<i16> for ErrorCode {
    fn from(code: i16) -> Self {
        ErrorCode(code)
    }
}

impl From<ErrorCode> for i16 {
    fn from(code: ErrorCode) -> Self {
        code.0
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self.message()) {
            (Some(name), Some(message)) => write!(f, "{name} ({}): {message}", self.0),
            _ => write!(f, "error code {}", self.0),
        }
    }
}
