//! `tests/integration/python/link_data.py` (confluent-kafka, on librdkafka): the independent
//! witness cluster link tests write and read the clusters' records with.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::{Cluster, repo_root, run};

/// `link_data.py command` against `cluster`, not started yet (for a process that runs beside
/// the test).
pub fn link_data_command(cluster: &Cluster, command: &str, topic: &str, args: &[&str]) -> Command {
    command_via(cluster.bootstrap(), command, topic, args)
}

/// `link_data.py command` against the cluster at `bootstrap` (a sidecar's, say), not started yet.
pub fn command_via(bootstrap: &str, command: &str, topic: &str, args: &[&str]) -> Command {
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

/// Every committed record of `topic` of the cluster at `bootstrap`, by partition, in offset
/// order (the dump's closing count left out).
pub fn records_by_partition(
    bootstrap: &str,
    topic: &str,
) -> std::collections::BTreeMap<i64, Vec<Value>> {
    let mut partitions = std::collections::BTreeMap::<i64, Vec<Value>>::new();
    for line in link_data_via(bootstrap, "dump", topic, &[]) {
        if let Some(partition) = line.get("partition").and_then(Value::as_i64) {
            partitions.entry(partition).or_default().push(line);
        }
    }
    partitions
}

/// A record as both ends of a link must hold it: all but its offset (key, value, headers,
/// timestamp).
pub fn record_content(record: &Value) -> (Value, Value, Value, Value) {
    (
        record["key"].clone(),
        record["value"].clone(),
        record["headers"].clone(),
        record["timestamp"].clone(),
    )
}
