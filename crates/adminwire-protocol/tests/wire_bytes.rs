//! Exact bytes, written out by hand from the Kafka protocol guide's rules rather than produced
//! by this codec, so that an encoder and decoder that agree with each other but not with Kafka
//! would fail here. Headers are also checked against the `kafka-protocol` crate's encoding.

use adminwire_protocol::generated::cluster_metadata_response::Broker;
use adminwire_protocol::wire::{put_unsigned_varint, unsigned_varint};
use adminwire_protocol::{
    AdminRequest, AdminResponse, ApiKey, ClusterMetadataRequest, ClusterMetadataResponse,
    DeleteTopicRequest, RequestHeader, decode_request, decode_response, encode_request,
    encode_response,
};
use bytes::BytesMut;
use kafka_protocol::protocol::{Encodable, StrBytes};

fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn frame_of(
    request: &AdminRequest,
    version: i16,
    correlation_id: i32,
    client_id: Option<&str>,
) -> String {
    let mut buf = BytesMut::new();
    encode_request(request, version, correlation_id, client_id, &mut buf).unwrap();
    hex(&buf)
}

#[test]
fn cluster_metadata_request_v0_is_a_bare_header_v1() {
    let request = AdminRequest::from(ClusterMetadataRequest::default());
    // size 11 | key 30000 | version 0 | correlation 1 | client id "c" (int16 length)
    assert_eq!(
        frame_of(&request, 0, 1, Some("c")),
        "0000000b".to_owned() + "7530" + "0000" + "00000001" + "0001" + "63"
    );
}

#[test]
fn cluster_metadata_request_v1_uses_header_v2_and_an_empty_tag_section() {
    let request = AdminRequest::from(ClusterMetadataRequest::default());
    // header v2 keeps the client id a classic string, then an empty tag section; the body is
    // only its own empty tag section.
    assert_eq!(
        frame_of(&request, 1, 1, Some("c")),
        "0000000d".to_owned() + "7530" + "0001" + "00000001" + "0001" + "63" + "00" + "00"
    );
}

#[test]
fn null_client_id_is_length_minus_one() {
    let request = AdminRequest::from(ClusterMetadataRequest::default());
    assert_eq!(
        frame_of(&request, 0, 2, None),
        "0000000a".to_owned() + "7530" + "0000" + "00000002" + "ffff"
    );
}

#[test]
fn delete_topic_v0_and_v1_bodies() {
    let v0 = DeleteTopicRequest { topic_name: "t".into(), ..Default::default() };
    let mut buf = BytesMut::new();
    adminwire_protocol::Message::encode(&v0, &mut buf, 0).unwrap();
    assert_eq!(hex(&buf), "000174");

    let v1 = DeleteTopicRequest {
        topic_names: vec!["a".into(), "b".into()],
        timeout_ms: 1000,
        ..Default::default()
    };
    let mut buf = BytesMut::new();
    adminwire_protocol::Message::encode(&v1, &mut buf, 1).unwrap();
    // compact array of 2 (varint 3), compact strings (varint len+1), int32 timeout, no tags
    assert_eq!(hex(&buf), "03".to_owned() + "0261" + "0262" + "000003e8" + "00");
}

#[test]
fn cluster_metadata_response_v1_with_a_tagged_cluster_id() {
    let response = ClusterMetadataResponse {
        brokers: vec![Broker {
            node_id: 1,
            host: "h".into(),
            port: 9092,
            rack: None,
            ..Default::default()
        }],
        cluster_id: Some("x".into()),
        ..Default::default()
    };
    let expected = "00000000".to_owned() // correlation id 0 (response header v1) ...
        + "00" // ... and its empty tag section
        + "0000" // error code
        + "00" // error message: compact null
        + "02" + "00000001" + "0268" + "00002384" + "00" + "00" // one broker: id, "h", 9092, rack null, no tags
        + "ff" // controller: null struct
        + "01" + "00" + "02" + "0278"; // one tagged field: tag 0, 2 bytes, compact "x"
    let mut buf = BytesMut::new();
    encode_response(&AdminResponse::from(response.clone()), 1, 0, &mut buf).unwrap();
    assert_eq!(hex(&buf[4..]), expected);
    let (_, decoded) = decode_response(ApiKey::ClusterMetadata, 1, &buf[4..]).unwrap();
    assert_eq!(decoded, AdminResponse::from(response));
}

#[test]
fn unsigned_varints_match_the_protobuf_encoding() {
    for (value, bytes) in [
        (0u32, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "8001"),
        (300, "ac02"),
        (u32::MAX, "ffffffff0f"),
    ] {
        let mut buf = BytesMut::new();
        put_unsigned_varint(&mut buf, value);
        assert_eq!(hex(&buf), bytes, "encoding {value}");
        assert_eq!(unsigned_varint(&buf).unwrap(), (&[][..], value), "decoding {bytes}");
    }
}

#[test]
fn request_headers_match_the_kafka_protocol_crate() {
    for (header_version, client_id) in
        [(1, Some("adminwire")), (1, None), (2, Some("adminwire")), (2, None)]
    {
        let theirs = kafka_protocol::messages::RequestHeader::default()
            .with_request_api_key(30004)
            .with_request_api_version(header_version - 1)
            .with_correlation_id(-7)
            .with_client_id(client_id.map(StrBytes::from_static_str));
        let mut expected = BytesMut::new();
        theirs.encode(&mut expected, header_version).unwrap();

        let ours = RequestHeader {
            api_key: 30004,
            api_version: header_version - 1,
            correlation_id: -7,
            client_id: client_id.map(str::to_owned),
            ..Default::default()
        };
        let mut actual = BytesMut::new();
        ours.write(&mut actual, header_version).unwrap();
        assert_eq!(
            hex(&actual),
            hex(&expected),
            "header v{header_version}, client id {client_id:?}"
        );
        let (rest, decoded) = RequestHeader::read(&expected, header_version).unwrap();
        assert!(rest.is_empty());
        assert_eq!(decoded, ours);
    }
}

#[test]
fn a_decoded_request_keeps_its_header() {
    let mut buf = BytesMut::new();
    encode_request(
        &AdminRequest::from(ClusterMetadataRequest::default()),
        1,
        99,
        Some("me"),
        &mut buf,
    )
    .unwrap();
    let (header, _) = decode_request(&buf[4..]).unwrap();
    assert_eq!((header.api_key, header.api_version, header.correlation_id), (30000, 1, 99));
    assert_eq!(header.client_id.as_deref(), Some("me"));
}
