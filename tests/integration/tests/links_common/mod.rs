//! What the cluster link tests share: a client of a cluster, and `link_data.py` (confluent-kafka)
//! as the independent witness that writes and reads the clusters' records.
#![allow(dead_code)]

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use adminwire_kafka::client::Client;
use adminwire_test_support::{Cluster, repo_root, run};
use serde_json::Value;

/// A client of `cluster`, as the link engine has one.
pub fn client(cluster: &Cluster) -> Arc<Client> {
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    Arc::new(Client::new(bootstrap, None, Duration::from_secs(30)))
}

/// `link_data.py command` against `cluster`, not started yet (for a process that runs beside
/// the test).
pub fn link_data_command(cluster: &Cluster, command: &str, topic: &str, args: &[&str]) -> Command {
    command_via(cluster.bootstrap(), command, topic, args)
}

fn command_via(bootstrap: &str, command: &str, topic: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg(repo_root().join("tests/integration/python/link_data.py"))
        .arg(command)
        .args(["--bootstrap", bootstrap, "--topic", topic])
        .args(args);
    cmd
}

/// Runs `link_data.py command` against the cluster at `bootstrap` (a sidecar's, say): its JSON
/// lines.
pub fn link_data_via(bootstrap: &str, command: &str, topic: &str, args: &[&str]) -> Vec<Value> {
    let out = run(&mut command_via(bootstrap, command, topic, args), Duration::from_secs(240))
        .expect("link_data.py runs");
    let text = out.expect_success(&format!("link_data.py {command}"));
    text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

/// Runs `link_data.py command` against `cluster`: its JSON lines.
pub fn link_data(cluster: &Cluster, command: &str, topic: &str, args: &[&str]) -> Vec<Value> {
    link_data_via(cluster.bootstrap(), command, topic, args)
}

/// Writes `count` keyed records with headers to `topic` of `cluster`.
pub fn produce(cluster: &Cluster, topic: &str, count: usize) {
    link_data(cluster, "produce", topic, &["--count", &count.to_string()]);
}
