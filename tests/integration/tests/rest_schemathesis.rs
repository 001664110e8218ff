//! schemathesis (PyPI) against the live REST API: for every operation of `/openapi.json`, requests
//! generated from the schema (a bounded number each, valid and not), with no 5xx answer and no
//! answer that breaks the schema. A binary of its own: it creates and deletes topics of random
//! names and elects leaders across the cluster, which no other test must see meanwhile.

use std::process::Command;
use std::time::Duration;

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, run};

#[test]
fn schemathesis_finds_no_server_error_and_no_answer_off_the_schema() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start_with(cluster, |config| {
        // Generated counts stay small, so the cluster is not asked for a million partitions.
        config.limits.admin.max_partitions = 20;
    });
    sidecar.wait_for_brokers(3);
    let report = std::env::temp_dir().join(adminwire_test_support::unique_topic("schemathesis"));
    let mut command = Command::new("schemathesis");
    command
        .args(["run", &format!("{}/openapi.json", sidecar.http_url())])
        .args([
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance",
        ])
        .args(["--max-examples", "15", "--seed", "20261202", "--request-timeout", "60"])
        .args(["--workers", "1", "--no-color"])
        .arg("--report-dir")
        .arg(&report);
    let out = run(&mut command, Duration::from_secs(900)).expect("schemathesis runs");
    println!("{}", out.combined());
    assert!(out.status.success(), "schemathesis found problems:\n{}", out.combined());
}
