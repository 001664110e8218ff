//! The Kafka requests the sidecar sends itself, each tied to its response type (the
//! `kafka-protocol` crate's `Request`) and sent at the newest version that both the broker (from
//! its ApiVersions answer) and the sidecar's own code know. So the sidecar works in front of older
//! and newer clusters than the one it was written against, and a cluster with no common version
//! gets a clear error instead of a request it would refuse.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::{
    AddOffsetsToTxnRequest, AddPartitionsToTxnRequest, AlterPartitionReassignmentsRequest, ApiKey,
    ApiVersionsRequest, ApiVersionsResponse, ConsumerGroupDescribeRequest, CreatePartitionsRequest,
    CreateTopicsRequest, DeleteTopicsRequest, DescribeClusterRequest, DescribeConfigsRequest,
    DescribeGroupsRequest, DescribeLogDirsRequest, DescribeProducersRequest, DescribeQuorumRequest,
    DescribeTransactionsRequest, ElectLeadersRequest, EndTxnRequest, FetchRequest,
    FindCoordinatorRequest, IncrementalAlterConfigsRequest, InitProducerIdRequest,
    ListOffsetsRequest, ListPartitionReassignmentsRequest, MetadataRequest, OffsetCommitRequest,
    OffsetFetchRequest, ProduceRequest, ResponseHeader, SaslAuthenticateRequest,
    SaslHandshakeRequest,
};
use kafka_protocol::protocol::{Decodable, Request};

use crate::frame;

/// A request the sidecar sends, with the versions its code was written for.
pub trait Call: Request {
    /// The versions whose fields the sidecar's code sets and reads correctly: the oldest has every
    /// field it relies on, the newest is the last one reviewed.
    const SUPPORTED: RangeInclusive<i16>;

    /// Adapts a request built for the newest version to an older one, where a field moved.
    fn fit(&mut self, _version: i16) {}

    /// The newest version this very request may go at, where its content rules later ones out.
    fn newest(&self) -> i16 {
        i16::MAX
    }
}

/// What the broker said it supports, by API key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Versions(HashMap<i16, (i16, i16)>);

/// Why a request could not be sent at any version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the broker supports {api:?} v{broker_min}-v{broker_max}, the sidecar v{ours_min}-v{ours_max}: \
     no version in common"
)]
pub struct NoCommonVersion {
    pub api: ApiKey,
    pub broker_min: i16,
    pub broker_max: i16,
    pub ours_min: i16,
    pub ours_max: i16,
}

impl Versions {
    pub fn from_response(response: &ApiVersionsResponse) -> Self {
        Self::from_api_keys(&response.api_keys)
    }

    /// The ranges of an ApiVersions answer's `api_keys`.
    pub fn from_api_keys(api_keys: &[ApiVersion]) -> Self {
        Self(api_keys.iter().map(|v| (v.api_key, (v.min_version, v.max_version))).collect())
    }

    /// The newest version of `R` both sides know.
    pub fn pick<R: Call>(&self) -> Result<i16, NoCommonVersion> {
        self.pick_at_most::<R>(i16::MAX)
    }

    /// The newest version both sides know that `request` may go at.
    pub fn pick_for<R: Call>(&self, request: &R) -> Result<i16, NoCommonVersion> {
        self.pick_at_most::<R>(request.newest())
    }

    fn pick_at_most<R: Call>(&self, newest: i16) -> Result<i16, NoCommonVersion> {
        let api = api_key::<R>();
        let ours_min = (*R::SUPPORTED.start()).max(R::VERSIONS.min);
        let ours_max = (*R::SUPPORTED.end()).min(R::VERSIONS.max).min(newest);
        let (broker_min, broker_max) = self.0.get(&R::KEY).copied().unwrap_or((-1, -1));
        let (min, max) = (ours_min.max(broker_min), ours_max.min(broker_max));
        if broker_min < 0 || min > max {
            return Err(NoCommonVersion { api, broker_min, broker_max, ours_min, ours_max });
        }
        Ok(max)
    }
}

pub fn api_key<R: Request>() -> ApiKey {
    // Every `Request` of the crate has a key the crate knows.
    ApiKey::try_from(R::KEY).unwrap_or(ApiKey::ApiVersions)
}

/// The whole request frame of `request` at `version` (already fitted), for `client_id`.
pub fn encode<R: Call>(
    request: &R,
    version: i16,
    correlation_id: i32,
    client_id: Option<&str>,
) -> anyhow::Result<BytesMut> {
    frame::request(api_key::<R>(), version, correlation_id, client_id, request)
}

/// The body of a response frame (size prefix included) to `R` at `version`.
pub fn decode<R: Call>(frame: &Bytes, version: i16) -> anyhow::Result<R::Response> {
    decode_payload::<R>(frame.slice(4.min(frame.len())..), version)
}

/// The body of a response frame's payload (header and body, no size prefix) to `R` at
/// `version`.
pub fn decode_payload<R: Call>(mut payload: Bytes, version: i16) -> anyhow::Result<R::Response> {
    let api = api_key::<R>();
    ResponseHeader::decode(&mut payload, api.response_header_version(version))?;
    R::Response::decode(&mut payload, version)
}

/// The ApiVersions request the sidecar asks with. Version 2, not 3: versions 3+ carry a client
/// software name, and the broker would record the sidecar's in place of the client's on the
/// client's own connection. Every Kafka version answers v0-v2.
pub const API_VERSIONS_VERSION: i16 = 2;

/// The version an ApiVersions response frame (size prefix included) to a request of `asked` is
/// written in: a broker that does not take `asked` answers in version 0 with UNSUPPORTED_VERSION
/// (35), so that any client can read it and retry lower.
pub fn api_versions_answered_in(asked: i16, frame: &[u8]) -> i16 {
    let error_code = frame.get(8..10).map(|b| i16::from_be_bytes([b[0], b[1]]));
    if error_code == Some(35) { 0 } else { asked }
}

/// The ApiVersions request frame, for `client_id` (none: the sidecar's own).
pub fn encode_api_versions(client_id: Option<&str>) -> anyhow::Result<BytesMut> {
    frame::request(
        ApiKey::ApiVersions,
        API_VERSIONS_VERSION,
        0,
        client_id,
        &ApiVersionsRequest::default(),
    )
}

/// The broker's versions from its ApiVersions answer to a v2 request. A broker that does not take
/// v2 answers in v0 with UNSUPPORTED_VERSION, whose body v0 reads.
pub fn decode_api_versions(frame: &Bytes) -> anyhow::Result<Versions> {
    let version = api_versions_answered_in(API_VERSIONS_VERSION, frame);
    let mut input = frame.slice(4.min(frame.len())..);
    ResponseHeader::decode(&mut input, 0)?;
    let response = ApiVersionsResponse::decode(&mut input, version)?;
    anyhow::ensure!(
        response.error_code == 0,
        "the broker refused ApiVersions v{API_VERSIONS_VERSION} with error {}",
        response.error_code
    );
    Ok(Versions::from_response(&response))
}

// What each request the sidecar sends needs. Versions older than the floor lack a field the
// sidecar relies on; the ceiling is the newest version reviewed.

impl Call for MetadataRequest {
    /// v4 brings `allow_auto_topic_creation` (describing a topic must not create it).
    const SUPPORTED: RangeInclusive<i16> = 4..=12;
}

impl Call for DescribeQuorumRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=2;
}

impl Call for CreateTopicsRequest {
    /// v5 answers with each topic's partition count, which read-your-writes waits for.
    const SUPPORTED: RangeInclusive<i16> = 5..=7;
}

impl Call for CreatePartitionsRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=3;
}

impl Call for IncrementalAlterConfigsRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=1;
}

impl Call for DescribeConfigsRequest {
    /// v1 brings config sources, which tell a topic's own settings from defaults.
    const SUPPORTED: RangeInclusive<i16> = 1..=4;
}

impl Call for DeleteTopicsRequest {
    const SUPPORTED: RangeInclusive<i16> = 1..=6;

    /// Before v6, topics are named in `topic_names`; v6 names them in `topics` (which can also
    /// carry ids).
    fn fit(&mut self, version: i16) {
        if version < 6 {
            self.topic_names = std::mem::take(&mut self.topics)
                .into_iter()
                .filter_map(|DeleteTopicState { name, .. }| name)
                .collect();
        }
    }
}

impl Call for ElectLeadersRequest {
    /// v1 brings the election type and per-partition errors.
    const SUPPORTED: RangeInclusive<i16> = 1..=2;
}

impl Call for AlterPartitionReassignmentsRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=1;
}

impl Call for ListPartitionReassignmentsRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=0;
}

impl Call for ProduceRequest {
    /// v3 brings record batches (magic 2), the only format adminwire writes; v13 names topics by
    /// id.
    const SUPPORTED: RangeInclusive<i16> = 3..=12;

    /// A transaction's write goes at v11 at most: from v12 on, a broker of transactions version 2
    /// adds the partition to the transaction itself, and ends it bumping the epoch, which the
    /// transactions the sidecar runs (version 1: partitions added by AddPartitionsToTxn) do not.
    fn newest(&self) -> i16 {
        if self.transactional_id.is_some() { 11 } else { i16::MAX }
    }
}

impl Call for FetchRequest {
    /// v4 is the oldest Kafka 4 serves, and answers with the log start offset from v5; v13 names
    /// topics by id.
    const SUPPORTED: RangeInclusive<i16> = 5..=12;
}

impl Call for ListOffsetsRequest {
    /// v1 answers with one offset per partition (v0 with a list); Kafka 4 serves v1 and up.
    const SUPPORTED: RangeInclusive<i16> = 1..=9;
}

impl Call for InitProducerIdRequest {
    /// v3 may bump an epoch, which an idempotent producer without a transactional id never asks.
    const SUPPORTED: RangeInclusive<i16> = 0..=5;
}

impl Call for AddPartitionsToTxnRequest {
    /// v4 on batch several transactions, for brokers only; a client's go up to v3.
    const SUPPORTED: RangeInclusive<i16> = 0..=3;
}

impl Call for EndTxnRequest {
    /// v5 on end a transaction of version 2, bumping the producer's epoch.
    const SUPPORTED: RangeInclusive<i16> = 0..=4;
}

impl Call for AddOffsetsToTxnRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=4;
}

impl Call for DescribeTransactionsRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=0;
}

impl Call for FindCoordinatorRequest {
    /// v1 brings the key type (a group or a transaction); v4 asks for several keys at once.
    const SUPPORTED: RangeInclusive<i16> = 1..=6;

    /// Built with both the single key and the list: each version keeps the one it has.
    fn fit(&mut self, version: i16) {
        if version >= 4 {
            self.key = Default::default();
        } else {
            self.coordinator_keys.clear();
        }
    }
}

impl Call for OffsetFetchRequest {
    /// v8 asks for several groups at once; v10 names topics by id.
    const SUPPORTED: RangeInclusive<i16> = 1..=9;

    /// Built with both the single group and the list: each version keeps the one it has.
    fn fit(&mut self, version: i16) {
        if version >= 8 {
            self.group_id = Default::default();
            // Before v8 "no topics" means all of them; from v8 on, the field is left empty.
            self.topics = Some(Vec::new());
        } else {
            self.groups.clear();
        }
    }
}

impl Call for DescribeGroupsRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=5;
}

impl Call for DescribeProducersRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=0;
}

impl Call for ConsumerGroupDescribeRequest {
    /// v1 only adds each member's type (KIP-1099), not read here.
    const SUPPORTED: RangeInclusive<i16> = 0..=1;
}

impl Call for OffsetCommitRequest {
    /// v2 is the oldest Kafka 4 takes; v10 names topics by id.
    const SUPPORTED: RangeInclusive<i16> = 2..=9;
}

impl Call for SaslHandshakeRequest {
    /// v1: the SASL tokens that follow are framed as SaslAuthenticate requests (KIP-152).
    const SUPPORTED: RangeInclusive<i16> = 1..=1;
}

impl Call for SaslAuthenticateRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=2;
}

impl Call for DescribeLogDirsRequest {
    /// v1 is the oldest a 3.x broker takes; v4 brings each log dir's total and usable bytes.
    const SUPPORTED: RangeInclusive<i16> = 1..=4;
}

impl Call for DescribeClusterRequest {
    const SUPPORTED: RangeInclusive<i16> = 0..=1;
}

#[cfg(test)]
mod tests {
    use kafka_protocol::messages::TopicName;
    use kafka_protocol::protocol::{Encodable, StrBytes};

    use super::*;

    fn broker(ranges: &[(ApiKey, i16, i16)]) -> Versions {
        Versions::from_response(
            &ApiVersionsResponse::default().with_api_keys(
                ranges
                    .iter()
                    .map(|(k, lo, hi)| {
                        ApiVersion::default()
                            .with_api_key(*k as i16)
                            .with_min_version(*lo)
                            .with_max_version(*hi)
                    })
                    .collect(),
            ),
        )
    }

    #[test]
    fn the_newest_common_version_is_picked() {
        let versions = broker(&[(ApiKey::Metadata, 0, 13), (ApiKey::CreateTopics, 2, 5)]);
        assert_eq!(versions.pick::<MetadataRequest>(), Ok(12), "capped by what was reviewed");
        assert_eq!(versions.pick::<CreateTopicsRequest>(), Ok(5), "capped by the broker");
    }

    #[test]
    fn no_common_version_says_both_ranges() {
        let versions = broker(&[(ApiKey::CreateTopics, 0, 4)]);
        let e = versions.pick::<CreateTopicsRequest>().unwrap_err();
        assert_eq!((e.broker_min, e.broker_max, e.ours_min, e.ours_max), (0, 4, 5, 7));
        assert!(e.to_string().contains("no version in common"), "{e}");
        let missing = versions.pick::<ElectLeadersRequest>().unwrap_err();
        assert_eq!(missing.broker_max, -1, "an API the broker does not list");
    }

    #[test]
    fn delete_topics_names_its_topics_where_each_version_wants_them() {
        let request = DeleteTopicsRequest::default().with_topics(vec![
            DeleteTopicState::default().with_name(Some(TopicName(StrBytes::from_static_str("a")))),
        ]);
        for version in 1..=6 {
            let mut fitted = request.clone();
            fitted.fit(version);
            let mut out = BytesMut::new();
            fitted.encode(&mut out, version).unwrap_or_else(|e| panic!("v{version}: {e}"));
            let decoded = DeleteTopicsRequest::decode(&mut out.freeze(), version).unwrap();
            let names: Vec<String> = if version < 6 {
                decoded.topic_names.iter().map(|n| n.0.to_string()).collect()
            } else {
                decoded
                    .topics
                    .iter()
                    .filter_map(|t| t.name.as_ref())
                    .map(|n| n.0.to_string())
                    .collect()
            };
            assert_eq!(names, ["a"], "v{version}");
        }
    }
}
