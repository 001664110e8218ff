//! Kafka's 4-byte size framing, and a peek at a request's header that neither decodes nor copies
//! the body: the sidecar's hot path forwards most frames knowing only their key, version and
//! correlation id.

use bytes::BytesMut;

/// Kafka's own default for `socket.request.max.bytes`.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 100 * 1024 * 1024;

/// The bytes of the size prefix.
pub const SIZE_PREFIX_LEN: usize = 4;

/// Why the bytes on a connection are not a frame this side will accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The size prefix is negative.
    #[error("negative frame size {0}")]
    NegativeSize(i32),
    /// The size prefix exceeds the configured maximum.
    #[error("frame of {size} bytes exceeds the maximum of {max} bytes")]
    TooLarge {
        /// The declared size.
        size: usize,
        /// The maximum accepted.
        max: usize,
    },
    /// The bytes start like a TLS handshake record: a TLS client on a plaintext port.
    #[error("a TLS handshake arrived on a plaintext port")]
    TlsHandshake,
    /// The frame is too short to hold the header fields being peeked.
    #[error("frame of {size} bytes is too short for a {needed}-byte header")]
    TooShort {
        /// The frame's size.
        size: usize,
        /// The bytes the header needs.
        needed: usize,
    },
}

/// The first fields of a request header, read without decoding the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestHeaderPeek {
    /// The API key.
    pub api_key: i16,
    /// The API version.
    pub api_version: i16,
    /// The correlation id.
    pub correlation_id: i32,
}

/// A whole request frame, size prefix included, with its header peeked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFrame {
    /// The peeked header.
    pub header: RequestHeaderPeek,
    /// The frame's bytes, size prefix included, ready to forward as they are.
    pub bytes: BytesMut,
}

impl RequestFrame {
    /// The frame without its size prefix: the header and the body.
    pub fn payload(&self) -> &[u8] {
        &self.bytes[SIZE_PREFIX_LEN..]
    }
}

/// A whole response frame, size prefix included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFrame {
    /// The correlation id, the first field of every response header.
    pub correlation_id: i32,
    /// The frame's bytes, size prefix included.
    pub bytes: BytesMut,
}

impl ResponseFrame {
    /// The frame without its size prefix: the header and the body.
    pub fn payload(&self) -> &[u8] {
        &self.bytes[SIZE_PREFIX_LEN..]
    }
}

/// Splits frames off the front of a read buffer, refusing oversized ones before any room is
/// reserved for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameReader {
    max_frame_size: usize,
}

impl Default for FrameReader {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_FRAME_SIZE)
    }
}

impl FrameReader {
    /// A reader accepting frames of at most `max_frame_size` bytes (not counting the prefix).
    pub fn new(max_frame_size: usize) -> Self {
        Self { max_frame_size }
    }

    /// The largest frame accepted.
    pub fn max_frame_size(&self) -> usize {
        self.max_frame_size
    }

    /// The size of the frame at the front of `buf` (not counting the prefix), once its prefix has
    /// arrived. Checked against the maximum, so a caller may reserve that much room.
    pub fn frame_size(&self, buf: &[u8]) -> Result<Option<usize>, FrameError> {
        let Some(prefix) = buf.first_chunk::<SIZE_PREFIX_LEN>() else {
            return Ok(None);
        };
        let size = i32::from_be_bytes(*prefix);
        if size < 0 {
            return Err(FrameError::NegativeSize(size));
        }
        let size = size as usize;
        if size > self.max_frame_size {
            // A TLS record starts 0x16 0x03 0x0N: as a size, hundreds of megabytes.
            if prefix[0] == 0x16 && prefix[1] == 0x03 && prefix[2] <= 0x04 {
                return Err(FrameError::TlsHandshake);
            }
            return Err(FrameError::TooLarge { size, max: self.max_frame_size });
        }
        Ok(Some(size))
    }

    /// Takes the next whole frame off the front of `buf`, or `None` until it has all arrived.
    /// Splits without copying.
    pub fn next_frame(&self, buf: &mut BytesMut) -> Result<Option<BytesMut>, FrameError> {
        match self.frame_size(buf)? {
            Some(size) if buf.len() >= SIZE_PREFIX_LEN + size => {
                Ok(Some(buf.split_to(SIZE_PREFIX_LEN + size)))
            }
            _ => Ok(None),
        }
    }

    /// Takes the next whole request frame and peeks its header.
    pub fn next_request(&self, buf: &mut BytesMut) -> Result<Option<RequestFrame>, FrameError> {
        // Peek before splitting, so a frame too short for a header stays an error with the
        // buffer left as it was.
        if let Some(size) = self.frame_size(buf)?
            && buf.len() >= SIZE_PREFIX_LEN + size
        {
            let header = peek_request_header(&buf[SIZE_PREFIX_LEN..SIZE_PREFIX_LEN + size])?;
            return Ok(Some(RequestFrame { header, bytes: buf.split_to(SIZE_PREFIX_LEN + size) }));
        }
        Ok(None)
    }

    /// Takes the next whole response frame and peeks its correlation id.
    pub fn next_response(&self, buf: &mut BytesMut) -> Result<Option<ResponseFrame>, FrameError> {
        if let Some(size) = self.frame_size(buf)?
            && buf.len() >= SIZE_PREFIX_LEN + size
        {
            let correlation_id =
                peek_correlation_id(&buf[SIZE_PREFIX_LEN..SIZE_PREFIX_LEN + size])?;
            return Ok(Some(ResponseFrame {
                correlation_id,
                bytes: buf.split_to(SIZE_PREFIX_LEN + size),
            }));
        }
        Ok(None)
    }
}

/// Reads api key, api version and correlation id from the front of a request payload (the frame
/// without its size prefix). Every request header version starts with these eight bytes.
pub fn peek_request_header(payload: &[u8]) -> Result<RequestHeaderPeek, FrameError> {
    let Some(head) = payload.first_chunk::<8>() else {
        return Err(FrameError::TooShort { size: payload.len(), needed: 8 });
    };
    Ok(RequestHeaderPeek {
        api_key: i16::from_be_bytes([head[0], head[1]]),
        api_version: i16::from_be_bytes([head[2], head[3]]),
        correlation_id: i32::from_be_bytes([head[4], head[5], head[6], head[7]]),
    })
}

/// Reads the correlation id from the front of a response payload.
pub fn peek_correlation_id(payload: &[u8]) -> Result<i32, FrameError> {
    match payload.first_chunk::<4>() {
        Some(head) => Ok(i32::from_be_bytes(*head)),
        None => Err(FrameError::TooShort { size: payload.len(), needed: 4 }),
    }
}
