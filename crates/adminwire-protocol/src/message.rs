//! What every request and response body of the extension can do, whatever its fields.

use bytes::BytesMut;

use crate::error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
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
