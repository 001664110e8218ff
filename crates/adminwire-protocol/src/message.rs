//! What every request and response body of the extension can do, whatever its fields.

use bytes::BytesMut;

use crate::error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
use crate::generated::error_code::ErrorCode;
use crate::generated::{AdminRequest, AdminResponse, ApiKey};
use crate::wire::PResult;

/// A request or response body of the extension. Implemented by the generated message types.
pub trait Message: Sized {
    /// The API key (30000-30009).
    const API_KEY: i16;
    /// The message's name, as in its spec file.
    const NAME: &'static str;
    /// The lowest version.
    const MIN_VERSION: i16;
    /// The highest version.
    const MAX_VERSION: i16;
    /// The first version that uses the flexible encoding, if any does.
    const FIRST_FLEXIBLE_VERSION: Option<i16>;

    /// Writes the fields of `version` (generated).
    fn write_fields(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError>;

    /// Reads the fields of `version` (generated).
    fn read_fields(input: &[u8], version: i16) -> PResult<'_, Self>;

    /// Whether `version` exists.
    fn supports(version: i16) -> bool {
        (Self::MIN_VERSION..=Self::MAX_VERSION).contains(&version)
    }

    /// Whether `version` uses the flexible encoding.
    fn is_flexible(version: i16) -> bool {
        Self::FIRST_FLEXIBLE_VERSION.is_some_and(|first| version >= first)
    }

    /// Appends the body in `version` to `buf`. Fails, leaving `buf` as it was, when the value
    /// cannot be carried by that version.
    fn encode(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        if !Self::supports(version) {
            return Err(EncodeError::new(EncodeErrorKind::UnsupportedVersion {
                name: Self::NAME,
                version,
            }));
        }
        let start = buf.len();
        let result = self.write_fields(buf, version);
        if result.is_err() {
            buf.truncate(start);
        }
        result
    }

    /// Decodes a whole body in `version`; bytes left over are an error.
    fn decode(body: &[u8], version: i16) -> Result<Self, DecodeError> {
        if !Self::supports(version) {
            return Err(DecodeError::new(DecodeErrorKind::UnsupportedVersion {
                name: Self::NAME,
                version,
            }));
        }
        match Self::read_fields(body, version) {
            Ok(([], value)) => Ok(value),
            Ok((rest, _)) => Err(DecodeError::new(DecodeErrorKind::TrailingBytes(rest.len()))),
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
            // Complete parsers never ask for more input; treat it as truncation all the same.
            Err(nom::Err::Incomplete(_)) => {
                Err(DecodeError::new(DecodeErrorKind::Truncated { remaining: 0 }))
            }
        }
    }
}

/// A request of the extension, tied to the response that answers it, so that code sending a
/// request gets the response's type from the request's. Implemented by the generated request
/// types.
///
/// ```
/// use adminwire_protocol::{AdminResponse, ListTopicsRequest, ListTopicsResponse, RequestMessage};
///
/// fn answer<R: RequestMessage>(response: AdminResponse) -> Option<R::Response> {
///     R::Response::try_from(response).ok()
/// }
/// let response = AdminResponse::from(ListTopicsResponse::default());
/// assert!(answer::<ListTopicsRequest>(response).is_some());
/// assert!(ListTopicsRequest::READ_ONLY);
/// ```
pub trait RequestMessage: Message + Into<AdminRequest> {
    /// The response to this request.
    type Response: ResponseMessage;
    /// The request's API key.
    const KEY: ApiKey;
    /// Whether the request only reads the cluster (its spec's `readOnly`). Sending such a
    /// request twice does no more than sending it once, so it is safe to send again when a
    /// connection broke before its answer came; a request that changes the cluster may have
    /// been carried out all the same, and is not.
    const READ_ONLY: bool;
}

/// A response of the extension. Implemented by the generated response types; every one of them
/// has a top-level error.
pub trait ResponseMessage:
    Message + Into<AdminResponse> + TryFrom<AdminResponse, Error = AdminResponse>
{
    /// The response's API key.
    const KEY: ApiKey;

    /// The top-level error code: 0 when the request as a whole succeeded.
    fn error_code(&self) -> ErrorCode;

    /// The top-level error message, if there is one.
    fn error_message(&self) -> Option<&str>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::*;

    fn read_only<R: RequestMessage>() -> (ApiKey, bool) {
        assert_eq!(R::KEY, <R::Response as ResponseMessage>::KEY);
        assert_eq!(R::KEY as i16, R::API_KEY);
        (R::KEY, R::READ_ONLY)
    }

    #[test]
    fn only_the_requests_that_change_nothing_are_read_only() {
        let all = [
            read_only::<ClusterMetadataRequest>(),
            read_only::<CreateTopicRequest>(),
            read_only::<AlterTopicRequest>(),
            read_only::<DeleteTopicRequest>(),
            read_only::<DescribeTopicRequest>(),
            read_only::<ListTopicsRequest>(),
            read_only::<ReassignPartitionsRequest>(),
            read_only::<VerifyReassignPartitionsRequest>(),
            read_only::<PreferredReplicaLeaderElectionRequest>(),
            read_only::<VerifyPreferredReplicaLeaderElectionRequest>(),
        ];
        let read_only: Vec<ApiKey> = all.iter().filter(|(_, r)| *r).map(|(k, _)| *k).collect();
        assert_eq!(
            read_only,
            [
                ApiKey::ClusterMetadata,
                ApiKey::DescribeTopic,
                ApiKey::ListTopics,
                ApiKey::VerifyReassignPartitions,
                ApiKey::VerifyPreferredReplicaLeaderElection,
            ]
        );
    }

    #[test]
    fn a_response_comes_out_of_its_variant_only() {
        let response =
            AdminResponse::error(ApiKey::ListTopics, 1, ErrorCode::INVALID_REQUEST, "bad");
        let other = DeleteTopicResponse::try_from(response).unwrap_err();
        let listed = ListTopicsResponse::try_from(other).unwrap();
        assert_eq!(listed.error_code(), ErrorCode::INVALID_REQUEST);
        assert_eq!(listed.error_message(), Some("bad"));
    }
}
