//! The sidecar's answer to ApiVersions: the broker's ranges, narrowed to what the sidecar has
//! reviewed and can pass safely (see `reviewed`), plus the extension's keys.

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse, ResponseHeader};
use kafka_protocol::protocol::Decodable;

use crate::reviewed::offered;
use adminwire_kafka::call::Versions;

/// The broker's ranges narrowed to what the sidecar passes safely, plus the extension's keys.
pub fn narrow(broker: &[ApiVersion]) -> Vec<ApiVersion> {
    let mut ranges: Vec<ApiVersion> = broker
        .iter()
        .filter_map(|v| {
            let (_, min, max) = offered(v.api_key)?;
            let (min, max) = (v.min_version.max(min), v.max_version.min(max));
            (min <= max).then(|| {
                ApiVersion::default()
                    .with_api_key(v.api_key)
                    .with_min_version(min)
                    .with_max_version(max)
            })
        })
        .collect();
    for key in adminwire_protocol::ApiKey::ALL {
        let (min, max) = key.versions();
        ranges.push(
            ApiVersion::default()
                .with_api_key(*key as i16)
                .with_min_version(min)
                .with_max_version(max),
        );
    }
    ranges
}

/// The highest ApiVersions version the sidecar can read and write.
pub fn max_version() -> i16 {
    ApiKey::ApiVersions.valid_versions().max
}

/// The newest versions a client of transactions version 1 sends: from these on, a transaction's
/// partitions are added by writing them, and its end bumps the producer's epoch.
const TRANSACTIONS_V1: [(ApiKey, i16); 3] =
    [(ApiKey::Produce, 11), (ApiKey::AddPartitionsToTxn, 3), (ApiKey::EndTxn, 4)];

/// The cluster-wide feature that says which transactions its clients run.
const TRANSACTION_VERSION: &str = "transaction.version";

/// Rewrites the broker's ApiVersions response frame (size prefix included) for the client, and
/// returns the broker's own ranges beside it (what the sidecar may send that broker itself), unless
/// the broker answered with an error. With `transactions_v1`, the client is offered transactions
/// of version 1 only, whose every partition the sidecar sees added (see `txn`).
pub fn rewrite_response(
    version: i16,
    frame: &Bytes,
    transactions_v1: bool,
) -> anyhow::Result<(BytesMut, Option<Versions>)> {
    // ApiVersions responses always use response header v0.
    let version = adminwire_kafka::call::api_versions_answered_in(version, frame);
    let mut input = frame.slice(4..);
    let header = ResponseHeader::decode(&mut input, 0)?;
    let mut body = ApiVersionsResponse::decode(&mut input, version)?;
    anyhow::ensure!(input.is_empty(), "{} trailing bytes in ApiVersions response", input.len());
    let broker = (body.error_code == 0).then(|| Versions::from_response(&body));
    body.api_keys = narrow(&body.api_keys);
    if transactions_v1 {
        only_transactions_v1(&mut body);
    }
    Ok((adminwire_kafka::frame::response(&header, 0, &body, version)?, broker))
}

/// Narrows `body` to transactions of version 1: the feature's finalized level at most 1, and the
/// requests' versions of version 2 left out.
fn only_transactions_v1(body: &mut ApiVersionsResponse) {
    for range in &mut body.api_keys {
        if let Some((_, max)) = TRANSACTIONS_V1.iter().find(|(key, _)| *key as i16 == range.api_key)
        {
            range.max_version = range.max_version.min(*max);
            range.min_version = range.min_version.min(range.max_version);
        }
    }
    for feature in &mut body.finalized_features {
        if feature.name.as_str() == TRANSACTION_VERSION {
            feature.max_version_level = feature.max_version_level.min(1);
            feature.min_version_level = feature.min_version_level.min(feature.max_version_level);
        }
    }
}

/// The answer to an ApiVersions request newer than the sidecar knows: version 0 with
/// UNSUPPORTED_VERSION and the ApiVersions range, as a broker answers it, so the client retries lower.
pub fn unsupported_version_response(correlation_id: i32) -> BytesMut {
    let body = ApiVersionsResponse::default().with_error_code(35).with_api_keys(vec![
        ApiVersion::default()
            .with_api_key(ApiKey::ApiVersions as i16)
            .with_min_version(0)
            .with_max_version(max_version()),
    ]);
    let header = ResponseHeader::default().with_correlation_id(correlation_id);
    adminwire_kafka::frame::response(&header, 0, &body, 0)
        .expect("a version 0 ApiVersions response always encodes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(api: i16, min: i16, max: i16) -> ApiVersion {
        ApiVersion::default().with_api_key(api).with_min_version(min).with_max_version(max)
    }

    #[test]
    fn narrowing_caps_withholds_and_adds_the_extension() {
        let broker = vec![
            range(ApiKey::Metadata as i16, 0, 99),
            range(ApiKey::SaslHandshake as i16, 0, 1),
            range(ApiKey::DescribeQuorum as i16, 0, 2),
            range(ApiKey::ShareFetch as i16, 1, 1),
            range(4242, 0, 3),
        ];
        let offered = narrow(&broker);
        let find = |k: i16| {
            offered.iter().find(|v| v.api_key == k).map(|v| (v.min_version, v.max_version))
        };
        assert_eq!(find(ApiKey::Metadata as i16), Some((0, 13)));
        assert_eq!(find(ApiKey::SaslHandshake as i16), Some((1, 1)));
        assert_eq!(find(ApiKey::DescribeQuorum as i16), Some((0, 1)));
        assert_eq!(find(ApiKey::ShareFetch as i16), None);
        assert_eq!(find(4242), None, "an API nobody reviewed is not offered");
        for key in 30000..=30009 {
            assert_eq!(find(key), Some((0, 1)));
        }
        for key in 30010..=30012 {
            assert_eq!(find(key), Some((0, 0)), "the reassignment jobs' keys");
        }
        for key in 30013..=30017 {
            assert_eq!(find(key), Some((0, 0)), "the cluster links' keys");
        }
    }

    #[test]
    fn transactions_of_version_2_are_left_out_while_mirrors_are_routed() {
        use kafka_protocol::messages::api_versions_response::FinalizedFeatureKey;
        let feature = |name: &str, level: i16| {
            FinalizedFeatureKey::default()
                .with_name(kafka_protocol::protocol::StrBytes::from_string(name.to_owned()))
                .with_min_version_level(level)
                .with_max_version_level(level)
        };
        let mut body = ApiVersionsResponse::default()
            .with_api_keys(vec![
                range(ApiKey::Produce as i16, 3, 13),
                range(ApiKey::EndTxn as i16, 0, 5),
                range(ApiKey::AddPartitionsToTxn as i16, 0, 5),
                range(ApiKey::Fetch as i16, 4, 17),
            ])
            .with_finalized_features(vec![
                feature("transaction.version", 2),
                feature("metadata.version", 27),
            ]);
        only_transactions_v1(&mut body);
        let max = |k: ApiKey| body.api_keys.iter().find(|v| v.api_key == k as i16).unwrap();
        assert_eq!((max(ApiKey::Produce).min_version, max(ApiKey::Produce).max_version), (3, 11));
        assert_eq!(max(ApiKey::EndTxn).max_version, 4);
        assert_eq!(max(ApiKey::AddPartitionsToTxn).max_version, 3);
        assert_eq!(max(ApiKey::Fetch).max_version, 17);
        let levels: Vec<(i16, i16)> = body
            .finalized_features
            .iter()
            .map(|f| (f.min_version_level, f.max_version_level))
            .collect();
        assert_eq!(levels, vec![(1, 1), (27, 27)]);
    }
}
