//! Kafka's request and response headers, as the extension uses them: request header v1 and
//! response header v0 for classic versions, request header v2 and response header v1 for
//! flexible ones.

use bytes::BytesMut;

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// A request header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestHeader {
    /// The API key.
    pub api_key: i16,
    /// The API version.
    pub api_version: i16,
    /// Chosen by the client; the response carries it back.
    pub correlation_id: i32,
    /// The client's id, for logs and quotas.
    pub client_id: Option<String>,
    /// Tagged fields of header v2 this codec does not know.
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl RequestHeader {
    /// Reads a header of `header_version` (1 or 2).
    pub fn read(input: &[u8], header_version: i16) -> PResult<'_, Self> {
        let (input, api_key) = in_field("RequestApiKey", int16(input))?;
        let (input, api_version) = in_field("RequestApiVersion", int16(input))?;
        let (input, correlation_id) = in_field("CorrelationId", int32(input))?;
        // Kafka keeps the client id a classic nullable string even in the flexible header v2.
        let (input, client_id) = in_field("ClientId", nullable_string(false)(input))?;
        let (input, unknown_tagged_fields) = if header_version >= 2 {
            tagged_fields(input, |_, _| Ok(false))?
        } else {
            (input, UnknownTaggedFields::new())
        };
        Ok((input, Self { api_key, api_version, correlation_id, client_id, unknown_tagged_fields }))
    }

    /// Writes the header in `header_version` (1 or 2).
    pub fn write(&self, buf: &mut BytesMut, header_version: i16) -> Result<(), EncodeError> {
        put_int16(buf, self.api_key);
        put_int16(buf, self.api_version);
        put_int32(buf, self.correlation_id);
        encode_field("ClientId", put_nullable_string(buf, self.client_id.as_deref(), false))?;
        if header_version >= 2 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", header_version));
        }
        Ok(())
    }
}

/// A response header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseHeader {
    /// The correlation id of the request this answers.
    pub correlation_id: i32,
    /// Tagged fields of header v1 this codec does not know.
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl ResponseHeader {
    /// Reads a header of `header_version` (0 or 1).
    pub fn read(input: &[u8], header_version: i16) -> PResult<'_, Self> {
        let (input, correlation_id) = in_field("CorrelationId", int32(input))?;
        let (input, unknown_tagged_fields) = if header_version >= 1 {
            tagged_fields(input, |_, _| Ok(false))?
        } else {
            (input, UnknownTaggedFields::new())
        };
        Ok((input, Self { correlation_id, unknown_tagged_fields }))
    }

    /// Writes the header in `header_version` (0 or 1).
    pub fn write(&self, buf: &mut BytesMut, header_version: i16) -> Result<(), EncodeError> {
        put_int32(buf, self.correlation_id);
        if header_version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", header_version));
        }
        Ok(())
    }
}

/// Turns a parser's result on a header into a plain result with the rest of the input.
pub(crate) fn finish<T>(result: PResult<'_, T>) -> Result<(&[u8], T), DecodeError> {
    match result {
        Ok(ok) => Ok(ok),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(_)) => {
            Err(DecodeError::new(crate::error::DecodeErrorKind::Truncated { remaining: 0 }))
        }
    }
}
