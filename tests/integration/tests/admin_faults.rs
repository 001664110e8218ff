//! A broker dying in the middle of an admin command: the client gets an error response (not a
//! hang, not a bare close), its connection then closes, and the sidecar keeps serving everyone
//! else — and the dead broker's listener again once the broker is back.
//!
//! To catch the broker mid-command for certain, the node is first frozen (SIGSTOP), so the
//! command's Metadata request reaches it and stays unanswered, and then killed (SIGKILL), which
//! closes its sockets under the waiting command.
//!
//! This kills a node of the shared plain cluster, like `sidecar_faults.rs`: `cargo test` runs test
//! binaries one after another and this binary holds this one test, so no other test sees the node
//! go. The node is restarted before the test ends (by a guard if the test fails while it is down).

use std::time::{Duration, Instant};

use adminwire_protocol::{ClusterMetadataRequest, ListTopicsRequest, encode_request};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::{RawConnection, expect};
use adminwire_test_support::{Cluster, wait_until};
use bytes::BytesMut;

fn list_topics(connection: &mut RawConnection) -> Result<Vec<String>, String> {
    let response = connection.call(ListTopicsRequest::default(), 1);
    match response.error_code {
        0 => Ok(response.topics.unwrap_or_default()),
        code => Err(format!("ListTopics failed with {code}: {:?}", response.error_message)),
    }
}

fn controller(sidecar: &TestSidecar) -> i32 {
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let response = connection.call(ClusterMetadataRequest::default(), 1);
    response.controller.expect("a controller").node_id
}

#[test]
fn a_broker_dying_mid_command_gets_its_client_an_error_response() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(cluster.node_ids().len());
    // Not the controller, so the cluster itself carries on undisturbed.
    let controller = controller(&sidecar);
    let victim = cluster.node_ids().into_iter().find(|&n| n != controller).unwrap();
    let survivor = controller;

    let mut connection = RawConnection::connect(&sidecar.broker_address(victim));
    list_topics(&mut connection).expect("the command works before the broker is touched");

    let _restart = cluster.restart_on_drop(victim);
    cluster.pause_node(victim);
    let mut request = BytesMut::new();
    encode_request(&ListTopicsRequest::default().into(), 1, 77, Some("faults"), &mut request)
        .unwrap();
    connection.send_bytes(&request).unwrap();
    let sent = Instant::now();

    // The frozen broker holds the command's Metadata request: no answer comes.
    connection.stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let early = connection.read_frame();
    assert!(early.is_err(), "an answer came from a frozen broker: {early:?}");

    cluster.kill_node(victim);
    connection.stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let payload = connection.read_frame().expect("an error response, not a bare close");
    let answered_after = sent.elapsed();
    let (header, response) =
        adminwire_protocol::decode_response(adminwire_protocol::ApiKey::ListTopics, 1, &payload)
            .unwrap();
    assert_eq!(header.correlation_id, 77);
    let response = expect::<adminwire_protocol::ListTopicsResponse>(response);
    assert_eq!(response.error_code, 8, "BROKER_NOT_AVAILABLE: {:?}", response.error_message);
    let message = response.error_message.unwrap_or_default();
    assert!(message.contains("connection to the broker"), "{message}");
    // Well inside the sidecar's 30 s request deadline: the broken connection answered it.
    assert!(answered_after < Duration::from_secs(20), "answered after {answered_after:?}");
    eprintln!("answered {answered_after:.1?} after sending: {message}");
    assert!(connection.is_closed_by_peer(), "the connection closes after the error response");

    // Everyone else is still served, through the bootstrap listener and a live broker's.
    for address in [sidecar.bootstrap(), sidecar.broker_address(survivor)] {
        let topics = list_topics(&mut RawConnection::connect(&address));
        assert!(topics.is_ok(), "{address} after the broker died: {topics:?}");
    }
    assert!(
        sidecar.metric("adminwire_upstream_errors_total{kind=\"lost\"}").unwrap_or(0.0) >= 1.0,
        "the lost broker connection is counted"
    );

    cluster.restart_node(victim);
    wait_until(Duration::from_secs(90), "the restarted broker's listener serving", || {
        let address = sidecar.broker_address(victim);
        let mut connection = std::net::TcpStream::connect(&address)
            .map(|stream| {
                stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                RawConnection { stream }
            })
            .map_err(|e| e.to_string())?;
        list_topics(&mut connection)
    })
    .unwrap();
}
