//! Every kind of bad input ends in its own typed error, and values a version cannot carry are
//! refused at encoding rather than truncated or dropped.

use adminwire_protocol::frame::{FrameError, FrameReader};
use adminwire_protocol::generated::create_topic_request::CreatableTopic;
use adminwire_protocol::generated::describe_topic_response::DescribedTopic;
use adminwire_protocol::{
    AdminRequest, ApiKey, CreateTopicRequest, DecodeErrorKind, DeleteTopicRequest,
    DescribeTopicResponse, EncodeErrorKind, ErrorCode, ListTopicsResponse, Message,
    ReassignPartitionsRequest, decode_request,
};
use bytes::BytesMut;

fn decode_err<M: Message + std::fmt::Debug>(
    body: &[u8],
    version: i16,
) -> adminwire_protocol::DecodeError {
    M::decode(body, version).expect_err("should not decode")
}

#[test]
fn truncated_input() {
    // DeleteTopic v0: a string of 5 bytes with only 2 present.
    let e = decode_err::<DeleteTopicRequest>(&[0, 5, b'a', b'b'], 0);
    assert_eq!(e.kind, DecodeErrorKind::LengthExceedsInput { length: 5, remaining: 2 });
    assert_eq!(e.path, vec!["TopicName"]);
    let e = decode_err::<DeleteTopicRequest>(&[0], 0);
    assert_eq!(e.kind, DecodeErrorKind::Truncated { remaining: 1 });
}

#[test]
fn negative_lengths() {
    let e = decode_err::<DeleteTopicRequest>(&[0xff, 0xfe], 0);
    assert_eq!(e.kind, DecodeErrorKind::NegativeLength(-2));
    // -1 is null, which TopicName does not allow.
    let e = decode_err::<DeleteTopicRequest>(&[0xff, 0xff], 0);
    assert_eq!(e.kind, DecodeErrorKind::NullNotAllowed);
}

#[test]
fn an_oversized_array_count_is_refused_before_allocating() {
    // ListTopics v0: error code, null message, then an array claiming i32::MAX topics in 0 bytes.
    let body = [0, 0, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff];
    let e = decode_err::<ListTopicsResponse>(&body, 0);
    assert_eq!(
        e.kind,
        DecodeErrorKind::LengthExceedsInput { length: i32::MAX as u64, remaining: 0 }
    );
    assert_eq!(e.path, vec!["Topics"]);
}

#[test]
fn invalid_utf8() {
    let e = decode_err::<DeleteTopicRequest>(&[0, 2, 0xc3, 0x28], 0);
    assert_eq!(e.kind, DecodeErrorKind::InvalidUtf8);
}

#[test]
fn unknown_versions_and_keys() {
    let e = decode_err::<DeleteTopicRequest>(&[0, 1, b'a'], 2);
    assert_eq!(
        e.kind,
        DecodeErrorKind::UnsupportedVersion { name: "DeleteTopicRequest", version: 2 }
    );
    // A whole request frame of key 30018, just past the extension.
    let payload = [0x75, 0x42, 0, 0, 0, 0, 0, 1, 0xff, 0xff];
    assert_eq!(decode_request(&payload).unwrap_err().kind, DecodeErrorKind::UnknownApiKey(30018));
    // Key 30003 (DeleteTopic) in version 7.
    let payload = [0x75, 0x33, 0, 7, 0, 0, 0, 1, 0xff, 0xff];
    assert_eq!(
        decode_request(&payload).unwrap_err().kind,
        DecodeErrorKind::UnsupportedVersion { name: "DeleteTopic", version: 7 }
    );
}

#[test]
fn trailing_bytes() {
    let e = decode_err::<DeleteTopicRequest>(&[0, 1, b'a', 9, 9], 0);
    assert_eq!(e.kind, DecodeErrorKind::TrailingBytes(2));
}

#[test]
fn booleans_and_presence_bytes_are_strict() {
    // ListTopics v1 request: ExcludeInternal = 2, then the tag section.
    assert_eq!(
        decode_err::<adminwire_protocol::ListTopicsRequest>(&[2, 0], 1).kind,
        DecodeErrorKind::InvalidBool(2)
    );
    // DescribeTopic v0 response: no error, null message, then presence byte 5.
    assert_eq!(
        decode_err::<DescribeTopicResponse>(&[0, 0, 0xff, 0xff, 5], 0).kind,
        DecodeErrorKind::InvalidPresence(5)
    );
}

#[test]
fn varint_overflow_and_tag_order() {
    // DeleteTopic v1: a compact array length that never ends.
    assert_eq!(
        decode_err::<DeleteTopicRequest>(&[0xff; 6], 1).kind,
        DecodeErrorKind::VarintOverflow
    );
    // ClusterMetadata v1 request: two tagged fields, tags 3 then 1.
    let body = [2, 3, 0, 1, 0];
    assert_eq!(
        decode_err::<adminwire_protocol::ClusterMetadataRequest>(&body, 1).kind,
        DecodeErrorKind::TagOutOfOrder { tag: 1 }
    );
}

#[test]
fn unknown_tagged_fields_survive_a_round_trip() {
    // ClusterMetadata v1 request with two tags nobody knows.
    let body = [2, 5, 1, 0xaa, 9, 2, 0xbb, 0xcc];
    let request = adminwire_protocol::ClusterMetadataRequest::decode(&body, 1).unwrap();
    assert_eq!(request.unknown_tagged_fields.len(), 2);
    let mut buf = BytesMut::new();
    request.encode(&mut buf, 1).unwrap();
    assert_eq!(&buf[..], &body[..]);
}

#[test]
fn a_v0_string_over_32767_bytes_is_an_encode_error_not_a_truncation() {
    let plan = format!("{{\"partitions\":[],\"version\":1,\"pad\":\"{}\"}}", "x".repeat(40_000));
    let request =
        ReassignPartitionsRequest { manual_assignment: plan.clone(), ..Default::default() };
    let mut buf = BytesMut::from(&b"kept"[..]);
    let e = request.encode(&mut buf, 0).unwrap_err();
    assert_eq!(e.kind, EncodeErrorKind::StringTooLong { len: plan.len(), max: 32767 });
    assert_eq!(e.path, vec!["ManualAssignment"]);
    assert_eq!(&buf[..], b"kept", "a failed encode leaves the buffer as it was");
    // Version 1's compact string carries it.
    let mut buf = BytesMut::new();
    request.encode(&mut buf, 1).unwrap();
    assert_eq!(ReassignPartitionsRequest::decode(&buf, 1).unwrap(), request);
}

#[test]
fn batches_and_v1_fields_do_not_fit_v0() {
    let batch =
        DeleteTopicRequest { topic_names: vec!["a".into(), "b".into()], ..Default::default() };
    let e = batch.encode(&mut BytesMut::new(), 0).unwrap_err();
    assert_eq!((e.kind, e.path), (EncodeErrorKind::FieldNotInVersion(0), vec!["TopicNames"]));

    let validate = CreateTopicRequest {
        topics: vec![CreatableTopic {
            name: "t".into(),
            partitions: 1,
            replication_factor: 1,
            ..Default::default()
        }],
        validate_only: true,
        ..Default::default()
    };
    let e = validate.encode(&mut BytesMut::new(), 0).unwrap_err();
    assert_eq!((e.kind, e.path), (EncodeErrorKind::FieldNotInVersion(0), vec!["ValidateOnly"]));

    // TimeoutMs is ignorable: version 0 simply has no timeout.
    let timeout = CreateTopicRequest { timeout_ms: 5000, ..validate.clone() };
    let timeout = CreateTopicRequest { validate_only: false, ..timeout };
    assert!(timeout.encode(&mut BytesMut::new(), 0).is_ok());

    let per_topic =
        DescribeTopicResponse { topics: vec![DescribedTopic::default()], ..Default::default() };
    assert!(per_topic.encode(&mut BytesMut::new(), 0).is_err());
}

#[test]
fn the_seed_markers_are_the_defaults() {
    let topic = CreatableTopic::default();
    assert_eq!(
        (topic.partitions, topic.replication_factor, topic.replica_assignment.as_str()),
        (-1, -1, "")
    );
    let alter = adminwire_protocol::AlterTopicRequest::default();
    assert_eq!((alter.partitions, alter.replica_assignment), (-1, None));
}

#[test]
fn frames_over_the_cap_are_refused_before_they_arrive() {
    let reader = FrameReader::new(1024);
    // Only the prefix has arrived; the reader must refuse without waiting for (or reserving) 1025 bytes.
    let mut buf = BytesMut::from(&1025i32.to_be_bytes()[..]);
    assert_eq!(reader.next_request(&mut buf), Err(FrameError::TooLarge { size: 1025, max: 1024 }));
    let mut buf = BytesMut::from(&(-3i32).to_be_bytes()[..]);
    assert_eq!(reader.next_frame(&mut buf), Err(FrameError::NegativeSize(-3)));
}

#[test]
fn a_tls_client_hello_is_recognised() {
    let hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];
    let mut buf = BytesMut::from(&hello[..]);
    assert_eq!(FrameReader::default().next_request(&mut buf), Err(FrameError::TlsHandshake));
}

#[test]
fn frames_arrive_in_pieces() {
    let mut whole = BytesMut::new();
    adminwire_protocol::encode_request(
        &AdminRequest::from(DeleteTopicRequest { topic_name: "t".into(), ..Default::default() }),
        0,
        5,
        None,
        &mut whole,
    )
    .unwrap();
    let reader = FrameReader::default();
    let mut buf = BytesMut::new();
    for (i, byte) in whole.iter().enumerate() {
        assert_eq!(
            reader.next_request(&mut buf).unwrap(),
            None,
            "frame complete after only {i} bytes"
        );
        buf.extend_from_slice(&[*byte]);
    }
    let frame = reader.next_request(&mut buf).unwrap().unwrap();
    assert_eq!(
        (frame.header.api_key, frame.header.api_version, frame.header.correlation_id),
        (30003, 0, 5)
    );
    assert_eq!(frame.bytes, whole);
    // A frame too short to hold a request header is an error, not a panic.
    let mut short = BytesMut::from(&[0, 0, 0, 3, 1, 2, 3][..]);
    assert_eq!(reader.next_request(&mut short), Err(FrameError::TooShort { size: 3, needed: 8 }));
}

#[test]
fn error_codes_have_names_and_text() {
    assert_eq!(ErrorCode::TOPIC_ALREADY_EXISTS.0, 1002);
    assert_eq!(
        ErrorCode(1002).to_string(),
        "TopicAlreadyExists (1002): Topic with this name already exists."
    );
    assert!(ErrorCode::NOT_CONTROLLER_RECEIVED_ADMIN_REQUEST.is_retriable());
    assert!(!ErrorCode::DECREASE_PARTITIONS_NOT_ALLOWED.is_retriable());
    assert_eq!(ErrorCode::TOPIC_AUTHORIZATION_FAILED.name(), Some("TOPIC_AUTHORIZATION_FAILED"));
    assert_eq!(ErrorCode(4242).to_string(), "error code 4242");
    for code in 1001..=1017 {
        let code = ErrorCode(code);
        assert!(
            code.is_extension() && code.name().is_some() && !code.requests().is_empty(),
            "{code}"
        );
    }
    assert_eq!(ErrorCode::ALL.iter().filter(|c| c.is_extension()).count(), 17);
}

#[test]
fn api_keys_are_the_fixed_block() {
    let keys: Vec<i16> = ApiKey::ALL.iter().map(|k| *k as i16).collect();
    assert_eq!(keys, (30000..=30017).collect::<Vec<_>>());
    // KIP-4's ten: the draft's classic version 0 and a flexible version 1.
    assert!(
        ApiKey::ALL[..10]
            .iter()
            .all(|k| k.versions() == (0, 1) && !k.is_flexible(0) && k.is_flexible(1))
    );
    // The reassignment jobs' three and the cluster links' five are new: flexible from version 0.
    assert!(ApiKey::ALL[10..].iter().all(|k| k.versions() == (0, 0) && k.is_flexible(0)));
}
