//! adminwire's own client of a cluster (`adminwire-kafka`), which the job engine moves replicas
//! and sets throttles with: against the plain cluster, and logged in on the secured one (SASL/PLAIN
//! and SCRAM-SHA-256/512).

use std::time::Duration;

use adminwire_kafka::client::{Client, To};
use adminwire_kafka::connection::ConnectionError;
use adminwire_kafka::sasl::{Credentials, LoginError, Mechanism};
use adminwire_kafka::scram::Hash;
use adminwire_test_support::Cluster;
use kafka_protocol::messages::{DescribeClusterRequest, DescribeLogDirsRequest};

fn client(cluster: &Cluster, credentials: Option<Credentials>) -> Client {
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    Client::new(bootstrap, credentials, Duration::from_secs(30))
}

fn login(user: &str, password: &str) -> Option<Credentials> {
    Some(Credentials::new(Mechanism::Plain, user, password))
}

#[tokio::test]
async fn the_brokers_and_their_log_dirs_are_read_from_each_broker() {
    let cluster = Cluster::plain();
    let client = client(cluster, None);
    let brokers = client.brokers().await.unwrap();
    let mut ids: Vec<i32> = brokers.iter().map(|b| b.id).collect();
    ids.sort();
    assert_eq!(ids, cluster.node_ids());
    assert!(brokers.iter().all(|b| b.rack.as_deref().is_some_and(|r| r.starts_with("rack-"))));
    for id in ids {
        let dirs = client.call(To::Broker(id), DescribeLogDirsRequest::default()).await.unwrap();
        assert_eq!(dirs.error_code, 0, "broker {id}");
        assert!(!dirs.results.is_empty(), "broker {id} has a log dir");
    }
    let described = client.call(To::Any, DescribeClusterRequest::default()).await.unwrap();
    assert_eq!(described.brokers.len(), brokers.len());
}

#[tokio::test]
async fn on_the_secured_cluster_the_configured_principal_logs_in() {
    let cluster = Cluster::secure();
    let brokers = client(cluster, login("admin", "admin-secret")).brokers().await.unwrap();
    assert_eq!(brokers.len(), cluster.node_ids().len());

    match client(cluster, login("admin", "not-the-password")).brokers().await {
        Err(ConnectionError::Login(LoginError::Refused { username, .. })) => {
            assert_eq!(username, "admin")
        }
        other => panic!("a wrong password was not refused as such: {other:?}"),
    }
    // Without a login the broker takes nothing but ApiVersions and the handshake: an error, not
    // a hang.
    let refused = client(cluster, None).brokers().await;
    assert!(refused.is_err(), "{refused:?}");
}

#[tokio::test]
async fn on_the_secured_cluster_scram_logs_in_with_either_hash_and_refuses_a_wrong_password() {
    let cluster = Cluster::secure();
    let password = cluster.password("admin");
    for hash in [Hash::Sha256, Hash::Sha512] {
        let scram =
            |password: &str| Some(Credentials::new(Mechanism::Scram(hash), "admin", password));
        let brokers = client(cluster, scram(password)).brokers().await;
        assert_eq!(brokers.map(|b| b.len()).ok(), Some(cluster.node_ids().len()), "{hash:?}");
        match client(cluster, scram("not-the-password")).brokers().await {
            Err(ConnectionError::Login(LoginError::Refused { username, .. })) => {
                assert_eq!(username, "admin")
            }
            other => panic!("{hash:?}: a wrong password was not refused as such: {other:?}"),
        }
    }
    // bob has no SCRAM credential: refused, not hung.
    let bob =
        Some(Credentials::new(Mechanism::Scram(Hash::Sha512), "bob", cluster.password("bob")));
    assert!(client(cluster, bob).brokers().await.is_err());
}

#[tokio::test]
async fn a_compacted_log_is_created_once_written_and_read_back_from_any_offset() {
    use adminwire_kafka::log;
    use bytes::Bytes;

    let cluster = Cluster::plain();
    let client = client(cluster, None);
    let topic = adminwire_test_support::unique_topic("log");
    log::create_if_missing(&client, &topic).await.unwrap();
    // Made already: left as it is.
    log::create_if_missing(&client, &topic).await.unwrap();
    let record = |k: &str, v: Option<&str>| {
        (Bytes::from(k.to_owned()), v.map(|v| Bytes::from(v.to_owned())))
    };
    let first = log::append(&client, &topic, &[record("a", Some("1")), record("b", Some("2"))])
        .await
        .unwrap();
    let second = log::append(&client, &topic, &[record("a", None)]).await.unwrap();
    assert_eq!((first, second), (0, 2));
    let read = log::read(&client, &topic, 0, Duration::from_millis(100)).await.unwrap();
    let got: Vec<String> =
        read.entries.iter().map(|e| format!("{} {:?}={:?}", e.offset, e.key, e.value)).collect();
    assert_eq!(got, [r#"0 b"a"=Some(b"1")"#, r#"1 b"b"=Some(b"2")"#, r#"2 b"a"=None"#]);
    assert_eq!((read.next_offset, read.high_watermark), (3, 3));
    // The broker's clock stamps them (LogAppendTime), within the test's time.
    assert!(read.entries.iter().all(|e| e.timestamp > 1_700_000_000_000));
    let later = log::read(&client, &topic, 1, Duration::from_millis(100)).await.unwrap();
    assert_eq!(later.entries.first().map(|e| e.offset), Some(1));
    // Nothing new: the read waits its time and returns none.
    let none = log::read(&client, &topic, 3, Duration::from_millis(200)).await.unwrap();
    assert!(none.entries.is_empty() && none.next_offset == 3);
}
