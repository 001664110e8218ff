//! Requests of the admin extension (keys 30000-30009). They are answered by the sidecar and never
//! reach a broker, which would close the connection on a key it does not know.
//!
//! The handlers that run them against the cluster come with the next part of the sidecar; until
//! then every well-formed request is answered with an error saying so.

use adminwire_protocol::{
    AdminResponse, ApiKey, DecodeError, ErrorCode, RequestFrame, decode_request, encode_response,
};
use bytes::BytesMut;

use crate::proxy::CloseReason;

/// The response to an extension request frame. A version the extension does not have closes the
/// connection, as a broker does for a version it does not support.
pub fn answer(frame: &RequestFrame) -> Result<BytesMut, CloseReason> {
    let header = frame.header;
    let api_key =
        ApiKey::from_i16(header.api_key).expect("answer is only called for extension keys");
    let (lo, hi) = api_key.versions();
    if !(lo..=hi).contains(&header.api_version) {
        return Err(CloseReason::NotOffered {
            api: api_key.name().to_owned(),
            version: header.api_version,
        });
    }
    let response = match decode_request(frame.payload()) {
        Ok(_) => AdminResponse::error(
            api_key,
            header.api_version,
            ErrorCode::UNKNOWN_SERVER_ERROR,
            format!("this adminwire-sidecar does not execute {} requests yet", api_key.name()),
        ),
        Err(e) => malformed(api_key, header.api_version, &e),
    };
    let mut out = BytesMut::new();
    encode_response(&response, header.api_version, header.correlation_id, &mut out)
        .expect("error responses encode in every version");
    Ok(out)
}

fn malformed(api_key: ApiKey, version: i16, error: &DecodeError) -> AdminResponse {
    AdminResponse::error(
        api_key,
        version,
        ErrorCode::INVALID_REQUEST,
        format!("malformed {} v{version} request: {error}", api_key.name()),
    )
}
