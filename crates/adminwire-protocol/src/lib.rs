//! The codec of adminwire's admin extension to the Kafka wire protocol: the ten message pairs of
//! KIP-4's draft (API keys 30000-30009, versions 0 and 1), their error codes, Kafka's request and
//! response headers, and 4-byte size framing.
//!
//! The message types are generated from `protocol-specs/` by `adminwire-codegen`. Decoding is done
//! with nom over byte slices and never panics: bad input ends in a [`DecodeError`]. Encoding writes
//! into a [`bytes::BytesMut`]. There is no I/O here.
//!
//! ```
//! use adminwire_protocol::{decode_request, encode_request, AdminRequest, CreateTopicRequest};
//! use adminwire_protocol::generated::create_topic_request::CreatableTopic;
//!
//! let request = AdminRequest::from(CreateTopicRequest {
//!     topics: vec![CreatableTopic {
//!         name: "my_topic".into(),
//!         partitions: 5,
//!         replication_factor: 3,
//!         ..Default::default()
//!     }],
//!     ..Default::default()
//! });
//! let mut buf = bytes::BytesMut::new();
//! encode_request(&request, 0, 7, Some("example"), &mut buf).unwrap();
//! let (header, decoded) = decode_request(&buf[4..]).unwrap();
//! assert_eq!(header.correlation_id, 7);
//! assert_eq!(decoded, request);
//! ```

mod codec;
pub mod error;
mod error_response;
pub mod frame;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod generated;
pub mod header;
mod message;
#[cfg(any(test, feature = "proptest"))]
pub mod testing;
pub mod wire;

pub use codec::{
    decode_request, decode_response, encode_request, encode_response, request_header_version,
    response_header_version,
};
pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
pub use frame::{
    DEFAULT_MAX_FRAME_SIZE, FrameError, FrameReader, RequestFrame, RequestHeaderPeek,
    ResponseFrame, SIZE_PREFIX_LEN, peek_correlation_id, peek_request_header,
};
pub use generated::error_code::ErrorCode;
pub use generated::*;
pub use header::{RequestHeader, ResponseHeader};
pub use message::{Message, RequestMessage, ResponseMessage};

#[cfg(test)]
mod roundtrip_tests;
