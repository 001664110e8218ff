//! The plan each request gets once, when it arrives, from the table of reviewed APIs (see
//! `reviewed`): answered here, forwarded with its response passed, rewritten or streamed, or
//! refused. Nothing downstream decides again by API key.

use adminwire_protocol::RequestHeaderPeek;
use bytes::BytesMut;
use kafka_protocol::messages::ApiKey;

use crate::reviewed::offered;
use crate::stream::Shape;
use crate::{api_versions, fetch_walk, peek, rewrite};

/// What to do with a request.
#[derive(Debug)]
pub enum RequestPlan {
    /// An admin-extension request: run the command on this connection and answer it.
    Admin(adminwire_protocol::ApiKey),
    /// Answer at once with these bytes, without the broker.
    Answer(BytesMut),
    /// Forward it as it is; `None` when no response will come (Produce with acks=0).
    Forward(Option<ResponsePlan>),
}

/// What to do with a forwarded request's response.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponsePlan {
    /// Pass it as it came (streamed when large): it carries no broker address.
    Untouched,
    /// Rewrite the broker addresses it carries; a large one is streamed only where its shape
    /// allows (see [`ResponsePlan::stream_shape`]).
    Rewrite { api: ApiKey, version: i16 },
    /// ApiVersions: narrow the broker's ranges to what the sidecar offers.
    ApiVersions { version: i16 },
    /// A Produce the sidecar took mirror topics out of: add their refusals (see `mirrors`).
    ProduceMerged { version: i16, refused: crate::mirrors::Refusals },
}

impl ResponsePlan {
    /// How a large response can pass as it arrives, if it can: most responses that carry
    /// addresses must be whole to be rewritten.
    pub fn stream_shape(&self) -> Option<Shape> {
        match self {
            ResponsePlan::Untouched => Some(Shape::Untouched),
            ResponsePlan::Rewrite { api: ApiKey::Fetch, version }
                if fetch_walk::VERSIONS.contains(version) =>
            {
                Some(Shape::Fetch(*version))
            }
            ResponsePlan::Rewrite { .. }
            | ResponsePlan::ApiVersions { .. }
            | ResponsePlan::ProduceMerged { .. } => None,
        }
    }
}

/// A request of an API, or a version, the sidecar does not offer; its connection is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotOffered {
    pub api_key: i16,
    pub version: i16,
}

/// The plan for a request with `header`, whose payload (header and body, no size prefix) starts
/// with `payload`: all of it, or, for a request still arriving, enough to hold Produce's `acks`.
pub fn plan(header: RequestHeaderPeek, payload: &[u8]) -> Result<RequestPlan, NotOffered> {
    if let Some(api) = adminwire_protocol::ApiKey::from_i16(header.api_key) {
        return Ok(RequestPlan::Admin(api));
    }
    let version = header.api_version;
    if header.api_key == ApiKey::ApiVersions as i16 && version > api_versions::max_version() {
        return Ok(RequestPlan::Answer(api_versions::unsupported_version_response(
            header.correlation_id,
        )));
    }
    let not_offered = NotOffered { api_key: header.api_key, version };
    let (api, min, max) = offered(header.api_key).ok_or(not_offered.clone())?;
    if !(min..=max).contains(&version) {
        return Err(not_offered);
    }
    if api == ApiKey::Produce && peek::produce_acks(payload, version) == Some(0) {
        return Ok(RequestPlan::Forward(None));
    }
    let response = if api == ApiKey::ApiVersions {
        ResponsePlan::ApiVersions { version }
    } else if rewrite::needs_rewrite(api, version) {
        ResponsePlan::Rewrite { api, version }
    } else {
        ResponsePlan::Untouched
    };
    Ok(RequestPlan::Forward(Some(response)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(api: ApiKey, version: i16) -> RequestHeaderPeek {
        RequestHeaderPeek { api_key: api as i16, api_version: version, correlation_id: 1 }
    }

    #[test]
    fn each_request_gets_its_plan() {
        let forward = |api, version| match plan(header(api, version), &[]) {
            Ok(RequestPlan::Forward(Some(response))) => response,
            other => panic!("{api:?} v{version}: {other:?}"),
        };
        assert_eq!(forward(ApiKey::ListOffsets, 5), ResponsePlan::Untouched);
        assert_eq!(
            forward(ApiKey::Metadata, 12),
            ResponsePlan::Rewrite { api: ApiKey::Metadata, version: 12 }
        );
        assert_eq!(forward(ApiKey::Fetch, 12), ResponsePlan::Untouched, "no addresses before v16");
        assert_eq!(forward(ApiKey::ApiVersions, 3), ResponsePlan::ApiVersions { version: 3 });
        assert!(matches!(plan(header(ApiKey::ApiVersions, 99), &[]), Ok(RequestPlan::Answer(_))));
        let admin = RequestHeaderPeek { api_key: 30004, api_version: 1, correlation_id: 1 };
        assert!(matches!(plan(admin, &[]), Ok(RequestPlan::Admin(_))));
        for (api, version) in
            [(ApiKey::SaslHandshake, 0), (ApiKey::ShareFetch, 1), (ApiKey::Metadata, 14)]
        {
            assert!(plan(header(api, version), &[]).is_err(), "{api:?} v{version}");
        }
    }

    #[test]
    fn what_can_stream() {
        assert_eq!(ResponsePlan::Untouched.stream_shape(), Some(Shape::Untouched));
        let fetch = |version| ResponsePlan::Rewrite { api: ApiKey::Fetch, version };
        assert_eq!(fetch(17).stream_shape(), Some(Shape::Fetch(17)));
        let metadata = ResponsePlan::Rewrite { api: ApiKey::Metadata, version: 12 };
        assert_eq!(metadata.stream_shape(), None);
        assert_eq!(ResponsePlan::ApiVersions { version: 3 }.stream_shape(), None);
    }
}
