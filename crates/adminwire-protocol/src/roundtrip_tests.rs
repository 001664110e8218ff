//! Property tests over every message and version: what is encoded decodes to the same value,
//! whole frames included, and no byte sequence makes a decoder panic.

use bytes::BytesMut;
use proptest::prelude::*;

use crate::frame::FrameReader;
use crate::{
    AdminRequest, AdminResponse, ApiKey, decode_request, decode_response, encode_request,
    encode_response,
};

fn every_key_and_version() -> impl Strategy<Value = (ApiKey, i16)> {
    proptest::sample::select(ApiKey::ALL).prop_flat_map(|key| {
        let (lo, hi) = key.versions();
        (Just(key), lo..=hi)
    })
}

fn any_request() -> impl Strategy<Value = (i16, AdminRequest)> {
    every_key_and_version()
        .prop_flat_map(|(key, version)| (Just(version), AdminRequest::arbitrary(key, version)))
}

fn any_response() -> impl Strategy<Value = (i16, AdminResponse)> {
    every_key_and_version()
        .prop_flat_map(|(key, version)| (Just(version), AdminResponse::arbitrary(key, version)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn request_bodies_round_trip((version, request) in any_request()) {
        let mut buf = BytesMut::new();
        request.encode(&mut buf, version).unwrap();
        prop_assert_eq!(AdminRequest::decode(request.api_key(), &buf, version).unwrap(), request);
    }

    #[test]
    fn response_bodies_round_trip((version, response) in any_response()) {
        let mut buf = BytesMut::new();
        response.encode(&mut buf, version).unwrap();
        prop_assert_eq!(AdminResponse::decode(response.api_key(), &buf, version).unwrap(), response);
    }

    #[test]
    fn request_frames_round_trip(
        (version, request) in any_request(),
        correlation_id in any::<i32>(),
        client_id in proptest::option::of(crate::testing::any_string()),
    ) {
        let mut buf = BytesMut::new();
        encode_request(&request, version, correlation_id, client_id.as_deref(), &mut buf).unwrap();
        let frame = FrameReader::default().next_request(&mut buf).unwrap().expect("a whole frame");
        prop_assert!(buf.is_empty());
        prop_assert_eq!(frame.header.api_key, request.api_key() as i16);
        prop_assert_eq!(frame.header.api_version, version);
        prop_assert_eq!(frame.header.correlation_id, correlation_id);
        let (header, decoded) = decode_request(frame.payload()).unwrap();
        prop_assert_eq!(header.client_id, client_id);
        prop_assert_eq!(decoded, request);
    }

    #[test]
    fn response_frames_round_trip((version, response) in any_response(), correlation_id in any::<i32>()) {
        let mut buf = BytesMut::new();
        encode_response(&response, version, correlation_id, &mut buf).unwrap();
        let frame = FrameReader::default().next_response(&mut buf).unwrap().expect("a whole frame");
        prop_assert_eq!(frame.correlation_id, correlation_id);
        let (header, decoded) = decode_response(response.api_key(), version, frame.payload()).unwrap();
        prop_assert_eq!(header.correlation_id, correlation_id);
        prop_assert_eq!(decoded, response);
    }

    /// Every prefix of a valid body is either an error or (for a body that ends in optional
    /// bytes) a value: never a panic.
    #[test]
    fn truncated_bodies_are_errors((version, response) in any_response(), cut in any::<prop::sample::Index>()) {
        let mut buf = BytesMut::new();
        response.encode(&mut buf, version).unwrap();
        if !buf.is_empty() {
            let cut = cut.index(buf.len());
            prop_assert!(AdminResponse::decode(response.api_key(), &buf[..cut], version).is_err());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic((key, version) in every_key_and_version(), bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = AdminRequest::decode(key, &bytes, version);
        let _ = AdminResponse::decode(key, &bytes, version);
        let _ = decode_request(&bytes);
        let _ = decode_response(key, version, &bytes);
        let mut buf = BytesMut::from(&bytes[..]);
        let _ = FrameReader::new(1024).next_request(&mut buf);
    }

    /// Bytes that start like a real body and then go wrong are the likeliest to reach deep code.
    #[test]
    fn mutated_bodies_never_panic((version, response) in any_response(), flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut buf = BytesMut::new();
        response.encode(&mut buf, version).unwrap();
        if !buf.is_empty() {
            for (at, byte) in flips {
                let i = at.index(buf.len());
                buf[i] = byte;
            }
            let _ = AdminResponse::decode(response.api_key(), &buf, version);
        }
    }
}
