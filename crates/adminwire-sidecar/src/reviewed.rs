//! Every Kafka API the sidecar knows, reviewed version by version for broker addresses in its
//! responses, and what the sidecar does with it: the one table that decides what is offered to
//! clients (see `api_versions`) and how each request is handled (see `policy`).
//!
//! A newer broker or crate may bring versions nobody reviewed; they are not offered until someone
//! does (a test fails on a crate upgrade that brings them).

use kafka_protocol::messages::ApiKey;

/// What the sidecar does with an API's requests and responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Forwarded as bytes both ways: the responses carry no broker address.
    Forward,
    /// Forwarded, and the responses' broker addresses rewritten (see `rewrite`).
    Rewrite,
    /// Offered only up to this version: later ones carry addresses the sidecar does not rewrite.
    UpTo(i16),
    /// Not offered: its responses carry addresses the sidecar does not rewrite.
    Withhold,
}

/// Each Kafka API, the highest version reviewed, and what the sidecar does with it.
pub const REVIEWED: &[(ApiKey, i16, Policy)] = &[
    (ApiKey::Produce, 13, Policy::Rewrite),
    (ApiKey::Fetch, 18, Policy::Rewrite),
    (ApiKey::ListOffsets, 10, Policy::Forward),
    (ApiKey::Metadata, 13, Policy::Rewrite),
    (ApiKey::OffsetCommit, 10, Policy::Forward),
    (ApiKey::OffsetFetch, 10, Policy::Forward),
    (ApiKey::FindCoordinator, 6, Policy::Rewrite),
    (ApiKey::JoinGroup, 9, Policy::Forward),
    (ApiKey::Heartbeat, 4, Policy::Forward),
    (ApiKey::LeaveGroup, 5, Policy::Forward),
    (ApiKey::SyncGroup, 5, Policy::Forward),
    (ApiKey::DescribeGroups, 6, Policy::Forward),
    (ApiKey::ListGroups, 5, Policy::Forward),
    (ApiKey::SaslHandshake, 1, Policy::Forward),
    (ApiKey::ApiVersions, 4, Policy::Forward),
    (ApiKey::CreateTopics, 7, Policy::Forward),
    (ApiKey::DeleteTopics, 6, Policy::Forward),
    (ApiKey::DeleteRecords, 2, Policy::Forward),
    (ApiKey::InitProducerId, 6, Policy::Forward),
    (ApiKey::OffsetForLeaderEpoch, 4, Policy::Forward),
    (ApiKey::AddPartitionsToTxn, 5, Policy::Forward),
    (ApiKey::AddOffsetsToTxn, 4, Policy::Forward),
    (ApiKey::EndTxn, 5, Policy::Forward),
    (ApiKey::WriteTxnMarkers, 1, Policy::Forward),
    (ApiKey::TxnOffsetCommit, 5, Policy::Forward),
    (ApiKey::DescribeAcls, 3, Policy::Forward),
    (ApiKey::CreateAcls, 3, Policy::Forward),
    (ApiKey::DeleteAcls, 3, Policy::Forward),
    (ApiKey::DescribeConfigs, 4, Policy::Forward),
    (ApiKey::AlterConfigs, 2, Policy::Forward),
    (ApiKey::AlterReplicaLogDirs, 2, Policy::Forward),
    (ApiKey::DescribeLogDirs, 4, Policy::Forward),
    (ApiKey::SaslAuthenticate, 2, Policy::Forward),
    (ApiKey::CreatePartitions, 3, Policy::Forward),
    (ApiKey::CreateDelegationToken, 3, Policy::Forward),
    (ApiKey::RenewDelegationToken, 2, Policy::Forward),
    (ApiKey::ExpireDelegationToken, 2, Policy::Forward),
    (ApiKey::DescribeDelegationToken, 3, Policy::Forward),
    (ApiKey::DeleteGroups, 2, Policy::Forward),
    (ApiKey::ElectLeaders, 2, Policy::Forward),
    (ApiKey::IncrementalAlterConfigs, 1, Policy::Forward),
    (ApiKey::AlterPartitionReassignments, 1, Policy::Forward),
    (ApiKey::ListPartitionReassignments, 0, Policy::Forward),
    (ApiKey::OffsetDelete, 0, Policy::Forward),
    (ApiKey::DescribeClientQuotas, 1, Policy::Forward),
    (ApiKey::AlterClientQuotas, 1, Policy::Forward),
    (ApiKey::DescribeUserScramCredentials, 0, Policy::Forward),
    (ApiKey::AlterUserScramCredentials, 0, Policy::Forward),
    (ApiKey::Vote, 2, Policy::Forward),
    (ApiKey::BeginQuorumEpoch, 1, Policy::Forward),
    (ApiKey::EndQuorumEpoch, 1, Policy::Forward),
    (ApiKey::DescribeQuorum, 2, Policy::UpTo(1)),
    (ApiKey::AlterPartition, 3, Policy::Forward),
    (ApiKey::UpdateFeatures, 2, Policy::Forward),
    (ApiKey::Envelope, 0, Policy::Forward),
    (ApiKey::FetchSnapshot, 1, Policy::Forward),
    (ApiKey::DescribeCluster, 2, Policy::Rewrite),
    (ApiKey::DescribeProducers, 0, Policy::Forward),
    (ApiKey::BrokerRegistration, 4, Policy::Forward),
    (ApiKey::BrokerHeartbeat, 1, Policy::Forward),
    (ApiKey::UnregisterBroker, 0, Policy::Forward),
    (ApiKey::DescribeTransactions, 0, Policy::Forward),
    (ApiKey::ListTransactions, 2, Policy::Forward),
    (ApiKey::AllocateProducerIds, 0, Policy::Forward),
    (ApiKey::ConsumerGroupHeartbeat, 1, Policy::Forward),
    (ApiKey::ConsumerGroupDescribe, 1, Policy::Forward),
    (ApiKey::ControllerRegistration, 0, Policy::Forward),
    (ApiKey::GetTelemetrySubscriptions, 0, Policy::Forward),
    (ApiKey::PushTelemetry, 0, Policy::Forward),
    (ApiKey::AssignReplicasToDirs, 0, Policy::Forward),
    (ApiKey::ListConfigResources, 1, Policy::Forward),
    (ApiKey::DescribeTopicPartitions, 0, Policy::Forward),
    (ApiKey::ShareGroupHeartbeat, 1, Policy::Forward),
    (ApiKey::ShareGroupDescribe, 1, Policy::Forward),
    (ApiKey::ShareFetch, 1, Policy::Withhold),
    (ApiKey::ShareAcknowledge, 1, Policy::Withhold),
    (ApiKey::AddRaftVoter, 0, Policy::Forward),
    (ApiKey::RemoveRaftVoter, 0, Policy::Forward),
    (ApiKey::UpdateRaftVoter, 0, Policy::Forward),
    (ApiKey::InitializeShareGroupState, 0, Policy::Forward),
    (ApiKey::ReadShareGroupState, 0, Policy::Forward),
    (ApiKey::WriteShareGroupState, 0, Policy::Forward),
    (ApiKey::DeleteShareGroupState, 0, Policy::Forward),
    (ApiKey::ReadShareGroupStateSummary, 0, Policy::Forward),
    (ApiKey::DescribeShareGroupOffsets, 0, Policy::Forward),
    (ApiKey::AlterShareGroupOffsets, 0, Policy::Forward),
    (ApiKey::DeleteShareGroupOffsets, 0, Policy::Forward),
];

/// The reviewed entry for an API key, if any.
pub fn reviewed(api_key: i16) -> Option<(ApiKey, i16, Policy)> {
    let api = ApiKey::try_from(api_key).ok()?;
    REVIEWED.iter().copied().find(|(a, _, _)| *a == api)
}

/// The versions of an API the sidecar passes, whatever the broker's: `None` for an API it never
/// passes. The broker's own range narrows this further (see [`narrow`]); a request outside it
/// the broker refuses itself, as it would directly.
pub fn offered(api_key: i16) -> Option<(ApiKey, i16, i16)> {
    let (api, reviewed_max, policy) = reviewed(api_key)?;
    let max = match policy {
        Policy::Withhold => return None,
        Policy::UpTo(cap) => cap.min(reviewed_max),
        Policy::Forward | Policy::Rewrite => reviewed_max,
    };
    // SaslHandshake v0 is followed by raw, unframed SASL tokens; v1 frames them in
    // SaslAuthenticate, which a frame-by-frame proxy can pass. (Every version that needs a
    // rewrite is one the crate decodes: a test checks it.)
    let min = if api == ApiKey::SaslHandshake { 1 } else { 0 };
    Some((api, min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when a `kafka-protocol` upgrade brings an API or version nobody has reviewed for broker
    /// addresses: review it (does its response carry host/port? then rewrite it or withhold it) and
    /// update [`REVIEWED`].
    #[test]
    fn every_api_the_crate_knows_has_been_reviewed_up_to_its_latest_version() {
        let mut unreviewed = Vec::new();
        for api in ApiKey::iter() {
            let latest = api.valid_versions().max;
            match REVIEWED.iter().find(|(a, _, _)| *a == api) {
                Some((_, reviewed, _)) if *reviewed == latest => {}
                Some((_, reviewed, _)) => unreviewed
                    .push(format!("{api:?}: reviewed up to v{reviewed}, crate has v{latest}")),
                None => unreviewed.push(format!("{api:?} (key {}): never reviewed", api as i16)),
            }
        }
        assert!(
            unreviewed.is_empty(),
            "review these for broker addresses:\n{}",
            unreviewed.join("\n")
        );
        assert_eq!(REVIEWED.len(), ApiKey::iter().count());
    }

    #[test]
    fn every_rewritten_api_is_marked_rewrite() {
        for (api, from) in crate::rewrite::REWRITTEN {
            let (_, _, policy) = reviewed(*api as i16).unwrap();
            assert_eq!(policy, Policy::Rewrite, "{api:?} (from v{from})");
        }
    }

    #[test]
    fn every_version_that_needs_a_rewrite_can_be_decoded() {
        for (api, from) in crate::rewrite::REWRITTEN {
            assert!(*from >= api.valid_versions().min, "{api:?} is rewritten from v{from}");
        }
    }

    #[test]
    fn versions_outside_what_is_offered_are_not_passed() {
        assert_eq!(offered(ApiKey::SaslHandshake as i16), Some((ApiKey::SaslHandshake, 1, 1)));
        assert_eq!(offered(ApiKey::DescribeQuorum as i16), Some((ApiKey::DescribeQuorum, 0, 1)));
        assert_eq!(offered(ApiKey::ShareFetch as i16), None);
        assert_eq!(offered(4242), None);
        assert_eq!(offered(ApiKey::Produce as i16), Some((ApiKey::Produce, 0, 13)));
    }
}
