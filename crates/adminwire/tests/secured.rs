//! `adminwire` on the secured cluster, logging in to the sidecar with SASL as Kafka's tools do
//! (`--command-config FILE` with `security.protocol`, `sasl.mechanism`, `sasl.jaas.config`): the
//! sidecar passes the login to a broker, which authenticates the client and authorizes what it
//! asks. admin (a super user) may do anything; bob (no ACLs) is refused with the broker's error,
//! on the command line and in the shell; a wrong password, a missing login and a bad file are
//! clear errors.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use adminwire_client::{AdminClient, AdminClientConfig, Error, SaslMechanism};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, Output, run, unique_topic, wait_until};
use serde_json::Value;
use support::Terminal;

/// `adminwire ARGS --broker-list SIDECAR [--command-config FILE] --output json`.
fn adminwire(sidecar: &TestSidecar, config: Option<&PathBuf>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
    command.args(args).args(["--output", "json", "--broker-list", &sidecar.bootstrap()]);
    if let Some(config) = config {
        command.arg("--command-config").arg(config);
    }
    run(&mut command, Duration::from_secs(90)).expect("adminwire runs")
}

fn json(out: &Output, what: &str) -> Value {
    let stdout = out.expect_success(what);
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {stdout}"))
}

/// The JSON error a failing command printed on stderr, and its exit code.
fn failure(out: &Output, what: &str) -> (Option<i32>, Value) {
    assert!(!out.status.success(), "{what} succeeded:\n{}", out.combined());
    let error: Value = serde_json::from_str(out.stderr.trim())
        .unwrap_or_else(|e| panic!("{what}: stderr is not JSON ({e}): {}", out.combined()));
    (out.status.code(), error["error"].clone())
}

/// A Kafka client properties file for `user` with `mechanism` and `password`.
fn properties(user: &str, mechanism: &str, password: &str) -> PathBuf {
    let module =
        if mechanism == "PLAIN" { "plain.PlainLoginModule" } else { "scram.ScramLoginModule" };
    let path = std::env::temp_dir().join(format!("{}.properties", unique_topic(user)));
    // As operators write them: a comment, and the JAAS line continued over two lines.
    let text = format!(
        "# {user} with {mechanism}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism={mechanism}\n\
         sasl.jaas.config=org.apache.kafka.common.security.{module} required \\\n    \
         username=\"{user}\" password=\"{password}\";\nrequest.timeout.ms=20000\n"
    );
    std::fs::write(&path, text).expect("write the properties file");
    path
}

#[test]
fn admin_may_and_bob_is_refused_by_the_brokers_acls_with_each_mechanism() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    // Kafka's own tools' files, as scripts/kafka writes them (PLAIN).
    let admin = cluster.client_properties("admin");
    let bob = cluster.client_properties("bob");

    let topic = unique_topic("secured-cli");
    let created = adminwire(
        &sidecar,
        Some(&admin),
        &["--create-topic", "--topic", &topic, "--partitions", "2", "--replication-factor", "3"],
    );
    assert_eq!(json(&created, "admin creates")["result"], "created");

    // bob logs in (his password is right) and is refused by the brokers' ACLs: the broker's
    // error, not one the sidecar made up.
    let refused = adminwire(
        &sidecar,
        Some(&bob),
        &[
            "--create-topic",
            "--topic",
            &unique_topic("bobs"),
            "--partitions",
            "1",
            "--replication-factor",
            "1",
        ],
    );
    let (code, error) = failure(&refused, "bob creates");
    assert_eq!(code, Some(1));
    assert_eq!(error["name"], "TOPIC_AUTHORIZATION_FAILED", "{error}");
    for args in [
        vec!["--delete-topic", "--topic", topic.as_str()],
        vec!["--alter-topic", "--topic", topic.as_str(), "--partitions", "3"],
    ] {
        let (_, error) = failure(&adminwire(&sidecar, Some(&bob), &args), "bob changes");
        assert_eq!(error["name"], "TOPIC_AUTHORIZATION_FAILED", "{args:?}: {error}");
    }
    // The same, as a person sees it.
    let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
    command.args(["--create-topic", "--topic", "orders-of-bob", "--partitions", "1"]);
    command.args(["--replication-factor", "1", "--broker-list", &sidecar.bootstrap()]);
    command.arg("--command-config").arg(&bob);
    let human = run(&mut command, Duration::from_secs(90)).expect("adminwire runs");
    assert_eq!(
        (human.status.code(), human.stderr.trim()),
        (Some(1), "error: TOPIC_AUTHORIZATION_FAILED (29): Authorization failed."),
        "{}",
        human.combined()
    );
    let listed = json(&adminwire(&sidecar, Some(&bob), &["--list-topics"]), "bob lists");
    assert!(!listed.to_string().contains(&topic), "bob sees no topic he may not describe");

    // admin with SCRAM, either hash; the topic bob tried to delete is still there.
    let password = cluster.password("admin");
    for mechanism in ["SCRAM-SHA-256", "SCRAM-SHA-512"] {
        let scram = properties("admin", mechanism, password);
        let described = adminwire(&sidecar, Some(&scram), &["--describe-topic", "--topic", &topic]);
        let described = json(&described, mechanism);
        assert!(described.to_string().contains(&topic), "{mechanism}: {described}");
        let _ = std::fs::remove_file(scram);
    }
    let deleted = adminwire(&sidecar, Some(&admin), &["--delete-topic", "--topic", &topic]);
    assert_eq!(json(&deleted, "admin deletes")["result"], "deleted");
}

#[test]
fn a_wrong_password_a_missing_login_and_a_bad_file_are_clear_errors() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);

    for mechanism in ["PLAIN", "SCRAM-SHA-512"] {
        let wrong = properties("admin", mechanism, "not-the-password");
        let (code, error) =
            failure(&adminwire(&sidecar, Some(&wrong), &["--list-topics"]), mechanism);
        assert_eq!(code, Some(1));
        assert_eq!(error["name"], "AuthenticationError", "{mechanism}: {error}");
        let said = error["description"].as_str().unwrap_or_default();
        assert!(said.contains("\"admin\""), "{mechanism}: {said}");
        assert!(!said.contains("not-the-password"), "{mechanism}: the password is never shown");
        let _ = std::fs::remove_file(wrong);
    }

    // No login at all: the broker takes nothing before one, and the client says so rather than
    // hanging.
    let started = std::time::Instant::now();
    let out = adminwire(&sidecar, None, &["--list-topics"]);
    let (code, error) = failure(&out, "no login");
    println!("no login: {error} after {:?}", started.elapsed());
    assert_eq!(code, Some(1), "{error}");
    let said = error["description"].as_str().unwrap_or_default();
    assert!(said.contains("this client has not logged in"), "{said}");

    // Files the client cannot use are refused before anything is sent.
    let dir = std::env::temp_dir();
    let missing = dir.join(unique_topic("missing.properties"));
    let (_, error) =
        failure(&adminwire(&sidecar, Some(&missing), &["--list-topics"]), "missing file");
    assert_eq!(error["name"], "ConfigError", "{error}");
    for (text, says) in [
        ("security.protocol=SASL_SSL\n", "SASL_SSL"),
        ("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI\n", "GSSAPI"),
        ("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n", "sasl.jaas.config"),
        (
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=\
             org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\"\n",
            "does not end with ;",
        ),
        ("linger.ms=5\n", "linger.ms"),
    ] {
        let path = dir.join(unique_topic("bad.properties"));
        std::fs::write(&path, text).expect("write the file");
        let (code, error) = failure(&adminwire(&sidecar, Some(&path), &["--list-topics"]), text);
        assert_eq!((code, &error["name"]), (Some(1), &Value::from("ConfigError")), "{text}");
        let said = error["description"].as_str().unwrap_or_default();
        assert!(said.contains(says), "{text:?}: {said}");
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn the_shell_logs_in_from_the_command_config_and_shows_the_brokers_refusal() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let history = std::env::temp_dir().join(unique_topic("secured-history"));
    let bootstrap = sidecar.bootstrap();
    let bob = cluster.client_properties("bob").to_string_lossy().into_owned();

    let mut shell = Terminal::start(
        &["--shell", "--broker-list", &bootstrap, "--command-config", &bob],
        &history,
    );
    shell.expect("kafka> ");
    let topic = unique_topic("bob-shell");
    shell.command(
        &format!("create-topic --topic {topic} --partitions 1 --replication-factor 1"),
        "TOPIC_AUTHORIZATION_FAILED",
        "kafka> ",
    );
    shell.type_keys("quit\r");
    assert_eq!(shell.exit_code(), 0);

    let admin = cluster.client_properties("admin").to_string_lossy().into_owned();
    let mut shell = Terminal::start(
        &["--shell", "--broker-list", &bootstrap, "--command-config", &admin],
        &history,
    );
    shell.expect("kafka> ");
    shell.command(
        &format!("create-topic --topic {topic} --partitions 1 --replication-factor 1"),
        &format!("Topic \"{topic}\" is created."),
        "kafka> ",
    );
    shell.command(
        &format!("delete-topic --topic {topic}"),
        &format!("Topic \"{topic}\" is deleted."),
        "kafka> ",
    );
    shell.type_keys("quit\r");
    assert_eq!(shell.exit_code(), 0);
    let _ = std::fs::remove_file(history);
}

#[test]
fn a_job_submitted_with_a_command_config_says_who_asked_and_bob_may_not_touch_it() {
    let cluster = Cluster::secure();
    let password = cluster.password("admin").to_owned();
    let sidecar = TestSidecar::start_with(cluster, |c| {
        c.jobs.username = Some("admin".into());
        c.jobs.password = Some(password.clone());
        c.jobs.mechanism = "SCRAM-SHA-256".into();
    });
    let admin = properties("admin", "SCRAM-SHA-512", &password);
    let bob = cluster.client_properties("bob");
    let topic = unique_topic("secured-job");
    let created = adminwire(
        &sidecar,
        Some(&admin),
        &["--create-topic", "--topic", &topic, "--partitions", "2", "--replication-factor", "1"],
    );
    json(&created, "admin creates");

    // Scheduled far ahead, so nothing moves while the test looks at it.
    let args = ["--reassign-partitions", "--topic", &topic, "--brokers", "2,3"];
    let later = ["--execute-at", "2099-01-01T00:00:00Z"];
    let (_, error) =
        failure(&adminwire(&sidecar, Some(&bob), &[&args[..], &later].concat()), "bob");
    assert_eq!(error["name"], "CLUSTER_AUTHORIZATION_FAILED", "{error}");
    let submitted =
        json(&adminwire(&sidecar, Some(&admin), &[&args[..], &later].concat()), "admin");
    let job_id = submitted["job_id"].as_str().expect("a job id").to_owned();

    let listed = json(&adminwire(&sidecar, Some(&admin), &["--list-jobs"]), "admin lists");
    let job = listed["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|j| j["job_id"] == job_id.as_str()))
        .unwrap_or_else(|| panic!("{job_id} is listed: {listed}"));
    assert_eq!((&job["state"], &job["requested_by"]), (&"SCHEDULED".into(), &"User:admin".into()));

    for command in [vec!["--list-jobs"], vec!["--cancel-job", "--job", job_id.as_str()]] {
        let (_, error) = failure(&adminwire(&sidecar, Some(&bob), &command), "bob");
        assert_eq!(error["name"], "CLUSTER_AUTHORIZATION_FAILED", "{command:?}: {error}");
    }
    let cancelled =
        json(&adminwire(&sidecar, Some(&admin), &["--cancel-job", "--job", &job_id]), "cancel");
    assert_eq!(cancelled["action"], "cancel", "{cancelled}");
    // The runner applies it on its next look.
    wait_until(Duration::from_secs(30), "the job to be cancelled", || {
        let out = adminwire(&sidecar, Some(&admin), &["--describe-job", "--job", &job_id]);
        let described = json(&out, "describe");
        if described["state"] == "CANCELLED" { Ok(()) } else { Err(described.to_string()) }
    })
    .unwrap();
    json(&adminwire(&sidecar, Some(&admin), &["--delete-topic", "--topic", &topic]), "delete");
    let _ = std::fs::remove_file(admin);
}

#[test]
fn the_client_library_logs_in_with_each_mechanism() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let password = cluster.password("admin");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        for mechanism in
            [SaslMechanism::Plain, SaslMechanism::ScramSha256, SaslMechanism::ScramSha512]
        {
            let config =
                AdminClientConfig::new([sidecar.bootstrap()]).sasl(mechanism, "admin", password);
            let client =
                AdminClient::connect(config).await.unwrap_or_else(|e| panic!("{mechanism:?}: {e}"));
            let metadata = client.cluster_metadata().await.expect("the cluster's metadata");
            assert_eq!(metadata.brokers.len(), cluster.node_ids().len(), "{mechanism:?}");

            let wrong =
                AdminClientConfig::new([sidecar.bootstrap()]).sasl(mechanism, "admin", "nope");
            match AdminClient::connect(wrong).await {
                Err(Error::Authentication { username, .. }) => assert_eq!(username, "admin"),
                other => panic!("{mechanism:?}: a wrong password: {other:?}"),
            }
        }
    });
}
