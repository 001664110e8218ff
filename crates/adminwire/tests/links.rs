//! The CLI's cluster link commands against a sidecar in front of the plain cluster, with the
//! one-node source cluster as the link's source: made, listed, described until caught up (as
//! text and JSON), changed, paused, resumed, a mirror failed over, deleted; and the errors.

mod support;

use std::process::Command;
use std::time::Duration;

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, repo_root, run, unique_topic, wait_until};
use serde_json::json;
use support::{adminwire, adminwire_json, json_failure};

#[test]
fn links_are_made_followed_changed_failed_over_and_deleted_from_the_command_line() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let sidecar = TestSidecar::start(target);
    let topic = unique_topic("cli-link");
    source.create_topic(&topic, 2);
    let mut produce = Command::new("python3");
    produce.arg(repo_root().join("tests/integration/python/link_data.py")).args([
        "produce",
        "--bootstrap",
        source.bootstrap(),
        "--topic",
        &topic,
        "--count",
        "400",
    ]);
    run(&mut produce, Duration::from_secs(120)).unwrap().expect_success("produce");
    let id = unique_topic("cli").replace('.', "_");

    let create = ["--create-link", "--link", &id, "--source-bootstrap", source.bootstrap()];
    let made = adminwire(&sidecar, &[&create[..], &["--topic", &topic, "--group", "g1"]].concat());
    let text = made.expect_success("--create-link");
    assert!(text.starts_with(&format!("Created link {id} (source cluster ")), "{text}");
    let (code, error) = json_failure(&sidecar, &[&create[..], &["--topic", &topic]].concat());
    assert_eq!((code, &error["error"]["code"]), (Some(1), &json!(1012)), "{error}");
    let bad_start = [&create[..], &["--topic", &topic, "--start-position", "soon"]].concat();
    assert_eq!(adminwire(&sidecar, &bad_start).status.code(), Some(2), "a usage error");

    let described = wait_until(Duration::from_secs(120), "the mirror caught up", || {
        let link = adminwire_json(&sidecar, &["--describe-link", "--link", &id]);
        let mirror = &link["mirrors"][0];
        let records: i64 = mirror["partitions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["records"].as_i64())
            .sum();
        if link["state"] == "ACTIVE" && mirror["lag"] == 0 && records == 400 {
            Ok(link)
        } else {
            Err(format!("{link}"))
        }
    })
    .unwrap();
    assert_eq!(described["mirrors"][0]["partitions"][0]["offsets"], "IDENTICAL");
    let text = adminwire(&sidecar, &["--describe-link", "--link", &id]);
    let text = text.expect_success("--describe-link");
    assert!(text.contains(&format!("Link {id} from ")) && text.contains("IDENTICAL"), "{text}");
    let listed = adminwire_json(&sidecar, &["--list-links"]);
    assert!(listed["links"].as_array().unwrap().iter().any(|l| l["link_id"] == id.as_str()));

    let changed =
        adminwire_json(&sidecar, &["--alter-link", "--link", &id, "--remove-group", "g1"]);
    assert_eq!(changed["action"], "alter");
    for command in ["--pause-link", "--resume-link"] {
        adminwire_json(&sidecar, &[command, "--link", &id]);
    }
    adminwire_json(&sidecar, &["--promote", "--link", &id, "--topic", &topic, "--failover"]);
    wait_until(Duration::from_secs(60), "failed over", || {
        let link = adminwire_json(&sidecar, &["--describe-link", "--link", &id]);
        if link["mirrors"][0]["state"] == "PROMOTED" { Ok(()) } else { Err(format!("{link}")) }
    })
    .unwrap();
    let deleted = adminwire_json(&sidecar, &["--delete-link", "--link", &id, "--delete-mirrors"]);
    assert_eq!(deleted["deleted_topics"], json!([]), "a promoted mirror is kept");
    let (code, error) = json_failure(&sidecar, &["--describe-link", "--link", &id]);
    assert_eq!((code, &error["error"]["code"]), (Some(1), &json!(91)), "{error}");
}
