//! Whole frames of the extension: size prefix, header and body, in and out.

use bytes::{BufMut, BytesMut};

use crate::error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
use crate::frame::SIZE_PREFIX_LEN;
use crate::generated::{AdminRequest, AdminResponse, ApiKey};
use crate::header::{RequestHeader, ResponseHeader, finish};

/// The request header version for `version` of `api_key`: 2 when flexible, else 1.
pub fn request_header_version(api_key: ApiKey, version: i16) -> i16 {
    if api_key.is_flexible(version) { 2 } else { 1 }
}

/// The response header version for `version` of `api_key`: 1 when flexible, else 0.
pub fn response_header_version(api_key: ApiKey, version: i16) -> i16 {
    if api_key.is_flexible(version) { 1 } else { 0 }
}

/// Decodes a request payload (a frame without its size prefix): header, then body, nothing after.
pub fn decode_request(payload: &[u8]) -> Result<(RequestHeader, AdminRequest), DecodeError> {
    let (_, peek) = finish(crate::wire::int16(payload))?;
    let api_key = ApiKey::from_i16(peek)
        .ok_or_else(|| DecodeError::new(DecodeErrorKind::UnknownApiKey(peek)))?;
    // The version sits at a fixed offset in every header version; read it to pick the header.
    let (_, version) = finish(crate::wire::int16(payload.get(2..).unwrap_or_default()))?;
    let (lo, hi) = api_key.versions();
    if !(lo..=hi).contains(&version) {
        return Err(DecodeError::new(DecodeErrorKind::UnsupportedVersion {
            name: api_key.name(),
            version,
        }));
    }
    let (body, header) =
        finish(RequestHeader::read(payload, request_header_version(api_key, version)))?;
    let request = AdminRequest::decode(api_key, body, version)?;
    Ok((header, request))
}

/// Appends a whole request frame (size prefix, header, body) in `version` to `buf`.
pub fn encode_request(
    request: &AdminRequest,
    version: i16,
    correlation_id: i32,
    client_id: Option<&str>,
    buf: &mut BytesMut,
) -> Result<(), EncodeError> {
    let api_key = request.api_key();
    let header = RequestHeader {
        api_key: api_key as i16,
        api_version: version,
        correlation_id,
        client_id: client_id.map(str::to_owned),
        unknown_tagged_fields: Default::default(),
    };
    framed(buf, |buf| {
        header.write(buf, request_header_version(api_key, version))?;
        request.encode(buf, version)
    })
}

/// Decodes a response payload of `api_key` in `version`: header, then body, nothing after.
pub fn decode_response(
    api_key: ApiKey,
    version: i16,
    payload: &[u8],
) -> Result<(ResponseHeader, AdminResponse), DecodeError> {
    let (body, header) =
        finish(ResponseHeader::read(payload, response_header_version(api_key, version)))?;
    let response = AdminResponse::decode(api_key, body, version)?;
    Ok((header, response))
}

/// Appends a whole response frame (size prefix, header, body) in `version` to `buf`.
pub fn encode_response(
    response: &AdminResponse,
    version: i16,
    correlation_id: i32,
    buf: &mut BytesMut,
) -> Result<(), EncodeError> {
    let api_key = response.api_key();
    let header = ResponseHeader { correlation_id, unknown_tagged_fields: Default::default() };
    framed(buf, |buf| {
        header.write(buf, response_header_version(api_key, version))?;
        response.encode(buf, version)
    })
}

/// Writes a size prefix, then what `write` appends, then patches the prefix; on error `buf` is
/// left as it was.
fn framed(
    buf: &mut BytesMut,
    write: impl FnOnce(&mut BytesMut) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    let start = buf.len();
    buf.put_i32(0);
    let result = write(buf).and_then(|()| {
        let size = buf.len() - start - SIZE_PREFIX_LEN;
        let prefix = i32::try_from(size)
            .map_err(|_| EncodeError::new(EncodeErrorKind::FrameTooLarge(size)))?;
        buf[start..start + SIZE_PREFIX_LEN].copy_from_slice(&prefix.to_be_bytes());
        Ok(())
    });
    if result.is_err() {
        buf.truncate(start);
    }
    result
}
