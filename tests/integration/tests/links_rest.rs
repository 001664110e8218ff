//! Cluster links over the REST API (curl), between the one-node source cluster and the plain one:
//! a link made with PUT (201 + Location), refused a second time's source change (400), its status
//! followed until the mirror caught up, a group added with PUT (200), paused and resumed (202), a
//! mirror promoted (202, then 409 `mirror_promoted`), and deleted; unknown links are 404.

mod rest_common;

use std::time::Duration;

use adminwire_test_support::link_data::produce;
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, unique_topic, wait_until};
use rest_common::{assert_error, curl};
use serde_json::json;

#[test]
fn a_link_is_made_followed_changed_promoted_and_deleted_over_http() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    // A window longer than the test: a promotion without force is refused.
    let sidecar = TestSidecar::start_with(target, |config| config.links.switch_window_ms = 600_000);
    let topic = unique_topic("rest-link");
    source.create_topic(&topic, 2);
    produce(source, &topic, 300);
    let id = unique_topic("rest-link-id").replace('.', "_");
    let path = format!("/links/{id}");
    let body = json!({"source_bootstrap": [source.bootstrap()], "start_position": "earliest",
        "topics": [topic], "groups": []});

    let made = curl(&sidecar, "PUT", &path, None, Some(&body));
    assert_eq!(made.status, 201, "{made:?}");
    assert_eq!(made.header("location"), Some(path.as_str()));
    assert_eq!(made.body["source_cluster_id"], source.state("CLUSTER_ID").unwrap());
    let listed = curl(&sidecar, "GET", "/links", None, None);
    assert!(listed.body.as_array().is_some_and(|ids| ids.contains(&json!(id))), "{listed:?}");

    let caught_up = wait_until(Duration::from_secs(120), "the mirror caught up", || {
        let status = curl(&sidecar, "GET", &format!("{path}/status"), None, None);
        let mirror = &status.body["mirrors"][0];
        let records: i64 = mirror["partitions"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["records"].as_i64()).sum())
            .unwrap_or(0);
        if status.body["state"] == "ACTIVE" && mirror["lag"] == 0 && records == 300 {
            Ok(status)
        } else {
            Err(format!("{status:?}"))
        }
    })
    .unwrap();
    assert_eq!(caught_up.body["mirrors"][0]["partitions"][0]["offsets"], "IDENTICAL");

    // Changed: a group added (200); a source change refused (400).
    let mut with_group = body.clone();
    with_group["groups"] = json!(["rest-link-group"]);
    let changed = curl(&sidecar, "PUT", &path, None, Some(&with_group));
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(changed.body["groups"][0]["group"], "rest-link-group", "{changed:?}");
    let mut moved = body.clone();
    moved["source_bootstrap"] = json!(["127.0.0.1:1"]);
    assert_error(&curl(&sidecar, "PUT", &path, None, Some(&moved)), 400, None);
    let bad = json!({"source_bootstrap": [source.bootstrap()], "topics": ["x"], "color": "red"});
    assert_error(&curl(&sidecar, "PUT", "/links/other", None, Some(&bad)), 400, None);

    for action in ["pause", "resume"] {
        let answer = curl(&sidecar, "PUT", &format!("{path}/{action}"), None, None);
        assert_eq!((answer.status, &answer.body["action"]), (202, &json!(action)), "{answer:?}");
    }

    let promote = format!("{path}/mirrors/{topic}/promote");
    let refused = curl(&sidecar, "POST", &promote, None, None);
    assert_error(&refused, 409, Some("MirrorNotSwitched"));
    assert_eq!(refused.body["conflict"], "not_switched");
    let why = refused.body["message"].as_str().unwrap_or_default();
    assert!(why.contains("has not been watched for 600 s"), "{why}");
    let asked = curl(&sidecar, "POST", &format!("{promote}?force=true"), None, None);
    assert_eq!(asked.status, 202, "{asked:?}");
    wait_until(Duration::from_secs(60), "the mirror promoted", || {
        let link = curl(&sidecar, "GET", &path, None, None);
        if link.body["mirrors"][0]["state"] == "PROMOTED" {
            Ok(())
        } else {
            Err(format!("{link:?}"))
        }
    })
    .unwrap();
    let again = curl(&sidecar, "POST", &format!("{promote}?failover=true"), None, None);
    assert_error(&again, 409, Some("MirrorPromoted"));
    assert_eq!(again.body["conflict"], "mirror_promoted");

    let deleted = curl(&sidecar, "DELETE", &format!("{path}?deleteMirrors=true"), None, None);
    assert_eq!(deleted.status, 200, "{deleted:?}");
    assert_eq!(deleted.body["deleted_topics"], json!([]), "a promoted topic is kept");
    assert_error(&curl(&sidecar, "GET", &path, None, None), 404, Some("RESOURCE_NOT_FOUND"));
    assert_error(&curl(&sidecar, "DELETE", &path, None, None), 404, Some("RESOURCE_NOT_FOUND"));
    let missing = curl(&sidecar, "POST", "/links/nope/mirrors/x/promote", None, None);
    assert_error(&missing, 404, Some("RESOURCE_NOT_FOUND"));
}
