//! The secured variant (`scripts/kafka up --secure`): SASL/PLAIN everywhere, StandardAuthorizer,
//! admin a super user, alice allowed on `alice-*`, bob allowed nothing.

use std::collections::BTreeSet;
use std::process::Command;
use std::thread;

use adminwire_test_support::{
    Cluster, Output, TOOL_TIMEOUT, describe_topic_with_kafka_python, run, run_with_input,
    unique_topic,
};

fn kcat_list(cluster: &Cluster, user: Option<&str>, address: &str, extra: &[&str]) -> Output {
    let mut cmd = Command::new("kcat");
    if let Some(user) = user {
        cmd.arg("-F").arg(cluster.kcat_config(user));
    }
    cmd.args(["-b", address, "-L", "-m", "5"]).args(extra);
    run(&mut cmd, TOOL_TIMEOUT).unwrap()
}

fn produce(cluster: &Cluster, user: &str, topic: &str, values: &[String]) -> Output {
    let input: String = values.iter().map(|v| format!("{v}\n")).collect();
    let mut cmd = cluster.kcat(Some(user));
    cmd.args(["-P", "-t", topic, "-X", "acks=all", "-X", "message.timeout.ms=15000"]);
    run_with_input(&mut cmd, input.as_bytes(), TOOL_TIMEOUT).unwrap()
}

fn consume(cluster: &Cluster, user: &str, topic: &str) -> Output {
    let mut cmd = cluster.kcat(Some(user));
    cmd.args(["-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"]);
    run(&mut cmd, TOOL_TIMEOUT).unwrap()
}

fn create(cluster: &Cluster, user: &str, topic: &str) -> Output {
    cluster.topic_command(
        user,
        &["--create", "--topic", topic, "--partitions", "3", "--replication-factor", "3"],
    )
}

fn assert_authorization_failed(out: &Output, what: &str) {
    assert!(!out.status.success(), "{what} should have been refused:\n{}", out.combined());
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains("TopicAuthorizationException") || text.contains("Topic authorization failed"),
        "{what}: expected a topic authorization failure:\n{}",
        out.combined()
    );
}

#[test]
fn unauthenticated_clients_are_rejected_on_every_listener() {
    let cluster = Cluster::secure();
    let mut addresses: Vec<String> = Vec::new();
    for n in cluster.node_ids() {
        addresses.push(cluster.node_address(n));
        addresses.push(format!("127.0.0.1:{}", cluster.controller_port(n)));
    }
    // Each refusal costs the metadata timeout, so ask all six listeners at once.
    let results: Vec<(String, Output, Output)> = thread::scope(|s| {
        let handles: Vec<_> = addresses
            .iter()
            .map(|addr| {
                s.spawn(move || {
                    let anonymous = kcat_list(cluster, None, addr, &[]);
                    let wrong_password = kcat_list(
                        cluster,
                        None,
                        addr,
                        &[
                            "-X",
                            "security.protocol=SASL_PLAINTEXT",
                            "-X",
                            "sasl.mechanisms=PLAIN",
                            "-X",
                            "sasl.username=bob",
                            "-X",
                            "sasl.password=not-bobs",
                        ],
                    );
                    (addr.clone(), anonymous, wrong_password)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (addr, anonymous, wrong_password) in &results {
        assert!(
            !anonymous.status.success(),
            "{addr} answered a client without SASL:\n{}",
            anonymous.combined()
        );
        assert!(!anonymous.stdout.contains("brokers:"), "{addr}: {}", anonymous.combined());
        assert!(
            !wrong_password.status.success(),
            "{addr} accepted a wrong password:\n{}",
            wrong_password.combined()
        );
        assert!(
            wrong_password.stderr.contains("Invalid username or password"),
            "{addr}: {}",
            wrong_password.combined()
        );
    }
    // The same question with valid credentials is answered, so the refusals above are about
    // authentication, not a dead cluster.
    let admin = kcat_list(cluster, Some("admin"), &cluster.node_address(1), &[]);
    assert!(
        admin.expect_success("kcat -L as admin").contains(" 3 brokers:"),
        "{}",
        admin.combined()
    );
}

#[test]
fn bob_without_acls_is_refused() {
    let cluster = Cluster::secure();
    let topic = unique_topic("admin-owned");
    create(cluster, "admin", &topic).expect_success("admin creates a topic");
    cluster.wait_for_topic(Some("admin"), &topic, 3);

    // Creating any topic, even one with his own name on it.
    assert_authorization_failed(
        &create(cluster, "bob", &unique_topic("bob")),
        "bob creating a topic",
    );
    // Describing the admin's topic: Metadata answers TOPIC_AUTHORIZATION_FAILED for it.
    let out = kcat_list(cluster, Some("bob"), cluster.bootstrap(), &["-t", &topic]);
    assert!(
        out.stdout.contains("Topic authorization failed"),
        "bob's metadata for {topic}:\n{}",
        out.combined()
    );
    // Writing to it.
    let out = produce(cluster, "bob", &topic, &["from-bob".to_string()]);
    assert!(
        out.stderr.contains("Topic authorization failed"),
        "bob producing:\n{}",
        out.combined()
    );
    // Nothing bob sent arrived.
    let out = consume(cluster, "admin", &topic);
    assert_eq!(out.expect_success("admin consumes"), "");
}

#[test]
fn alice_may_use_alice_topics_only_and_admin_may_use_anything() {
    let cluster = Cluster::secure();
    let mine = unique_topic("alice-secure");
    create(cluster, "alice", &mine).expect_success("alice creates an alice- topic");
    cluster.wait_for_topic(Some("alice"), &mine, 3);
    let values: Vec<String> = (0..50).map(|i| format!("alice-{i}")).collect();
    let out = produce(cluster, "alice", &mine, &values);
    out.expect_success("alice produces");
    assert!(!out.stderr.contains("Delivery failed"), "{}", out.combined());
    let out = consume(cluster, "alice", &mine);
    let got: BTreeSet<&str> = out.expect_success("alice consumes").lines().collect();
    assert_eq!(got, values.iter().map(String::as_str).collect());

    // Outside her prefix she is refused like bob.
    assert_authorization_failed(
        &create(cluster, "alice", &unique_topic("not-alice")),
        "alice creating a non-alice topic",
    );
    let admins = unique_topic("admin-only");
    create(cluster, "admin", &admins).expect_success("admin creates any topic");
    cluster.wait_for_topic(Some("admin"), &admins, 3);
    let out = produce(cluster, "alice", &admins, &["from-alice".to_string()]);
    assert!(
        out.stderr.contains("Topic authorization failed"),
        "alice producing to {admins}:\n{}",
        out.combined()
    );

    // The super user sees alice's topic too, through an independent client (kafka-python).
    let d = describe_topic_with_kafka_python(cluster, Some("admin"), &mine);
    assert_eq!(d.partitions.len(), 3);
    assert!(d.partitions.iter().all(|p| p.replicas.len() == 3), "{d:?}");
    let out = consume(cluster, "admin", &mine);
    assert_eq!(out.expect_success("admin consumes alice's topic").lines().count(), 50);
}
