//! The web console (`/ui`) in headless Chromium, driven by Playwright (tests/console), against
//! the real clusters through an in-process sidecar: this side prepares what each page needs (a
//! partition not led by its preferred replica, topics with megabytes to move, a throttle nobody
//! owns, a cluster link), the browser does the rest and checks it. A binary of its own: it elects
//! every partition needing it, which other tests must not see meanwhile.

mod rest_common;

use std::process::Command;
use std::time::Duration;

use adminwire_test_support::link_data::produce;
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, repo_root, run, unique_topic, wait_until};
use rest_common::curl;
use serde_json::{Value, json};

/// Playwright's own waits are a minute each; the wizard's job and the paused one take a minute or
/// two on a loaded machine.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(900);

/// Runs the console's browser tests selected by `select` (pytest's `-k`) against `sidecar`,
/// with the scenario's names in `scenario`. CONSOLE_SCREENSHOTS, when set, passes through: the
/// pages' screenshots are saved there.
fn browse(sidecar: &TestSidecar, select: &str, scenario: &[(&str, String)]) {
    let mut command = Command::new("python3");
    command
        .current_dir(repo_root().join("tests/console"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", select, "test_console.py"])
        .env("CONSOLE_URL", sidecar.http_url());
    for (name, value) in scenario {
        command.env(name, value);
    }
    let out = run(&mut command, BROWSER_TIMEOUT).expect("pytest runs");
    println!("{}", out.combined());
    assert!(out.status.success(), "the console's browser tests failed:\n{}", out.combined());
}

/// `topic`'s partitions, each on broker 1 alone, with `megabytes` written across them.
fn topic_on_broker_1(cluster: &Cluster, name: &str, partitions: usize, megabytes: usize) -> String {
    let topic = unique_topic(name);
    cluster.create_topic_placed(&topic, &vec!["1"; partitions].join(","));
    cluster.write_megabytes(&topic, megabytes);
    topic
}

fn state_of(sidecar: &TestSidecar, path: &str) -> Value {
    curl(sidecar, "GET", path, None, None).body
}

#[test]
fn the_consoles_pages_work_against_the_cluster_in_a_browser() {
    let (cluster, source) = (Cluster::plain(), Cluster::source());
    let sidecar = TestSidecar::start_with(cluster, |config| {
        // One partition at a time in and out of each broker: a job moves in waves, so its
        // progress advances in steps and a pause stops it between them.
        config.jobs.max_moves_per_broker = 1;
        // A promotion without force is refused while the clients have not been watched.
        config.links.switch_window_ms = 600_000;
    });
    sidecar.wait_for_brokers(3);

    // A partition led by broker 1 whose preferred replica is broker 2.
    let elect = unique_topic("console-elect");
    cluster.create_topic_placed(&elect, "1:2");
    let reorder = json!({"reassignments": [{"topic": elect, "assignment":
        [{"partition": 0, "partition_brokers": [2, 1]}]}]});
    let started = curl(&sidecar, "POST", "/reassignments", None, Some(&reorder));
    assert_eq!(started.status, 202, "{started:?}");
    let job = format!("/jobs/{}", started.body["job_id"].as_str().unwrap());
    wait_until(Duration::from_secs(60), "the reorder to complete", || {
        let answer = state_of(&sidecar, &job);
        if answer["state"] == "COMPLETED" { Ok(()) } else { Err(format!("{answer}")) }
    })
    .unwrap();
    wait_until(Duration::from_secs(60), "the partition needing an election", || {
        let needed = state_of(&sidecar, "/elections/needed");
        let listed = needed.as_array().is_some_and(|all| all.iter().any(|p| p["topic"] == *elect));
        if listed { Ok(()) } else { Err(format!("{needed}")) }
    })
    .unwrap();
    assert_eq!(curl(&sidecar, "DELETE", &job, None, None).status, 204);

    // Four partitions of 1 MB each for the wizard, four for the job paused; a throttle set by
    // hand on a topic no job moves.
    let moved = topic_on_broker_1(cluster, "console-moved", 4, 4);
    let paused = topic_on_broker_1(cluster, "console-paused", 4, 4);
    let left_behind = unique_topic("console-throttled");
    cluster.create_topic(&left_behind, 1);
    let throttle = json!({"leader.replication.throttled.replicas": "*"});
    let set =
        curl(&sidecar, "PATCH", &format!("/topics/{left_behind}/configs"), None, Some(&throttle));
    assert_eq!(set.status, 200, "{set:?}");
    // The wizard looks once: the throttle must be seen by then.
    wait_until(Duration::from_secs(30), "the hand-set throttle listed", || {
        let in_motion = state_of(&sidecar, "/reassignments");
        let listed = in_motion["throttles"]
            .as_array()
            .is_some_and(|all| all.iter().any(|t| t["name"] == *left_behind));
        if listed { Ok(()) } else { Err(format!("{in_motion}")) }
    })
    .unwrap();

    // A link mirroring a topic of the source cluster, with a group.
    let mirror = unique_topic("console-mirror");
    source.create_topic(&mirror, 2);
    produce(source, &mirror, 100);
    let link = unique_topic("console-link").replace('.', "_");
    let group = unique_topic("console-group");
    let body = json!({"source_bootstrap": [source.bootstrap()], "start_position": "earliest",
        "topics": [mirror], "groups": [group]});
    let made = curl(&sidecar, "PUT", &format!("/links/{link}"), None, Some(&body));
    assert_eq!(made.status, 201, "{made:?}");

    browse(
        &sidecar,
        "not secure",
        &[
            ("CONSOLE_ELECT", elect.clone()),
            ("CONSOLE_PREFIX", unique_topic("console")),
            ("CONSOLE_MOVE", moved.clone()),
            ("CONSOLE_LEFT_THROTTLE", left_behind.clone()),
            ("CONSOLE_PAUSE", paused.clone()),
            ("CONSOLE_LINK", link.clone()),
            ("CONSOLE_MIRROR", mirror.clone()),
            ("CONSOLE_GROUP", group),
        ],
    );

    // Nothing left behind for the tests that follow on the same clusters: the link and its
    // promoted topic, the topics, the throttle, and every job's throttles off.
    let deleted =
        curl(&sidecar, "DELETE", &format!("/links/{link}?deleteMirrors=true"), None, None);
    assert_eq!(deleted.status, 200, "{deleted:?}");
    wait_until(Duration::from_secs(120), "every job ended, throttles off", || {
        let jobs = state_of(&sidecar, "/jobs?expand=status");
        let busy = jobs.as_object().is_some_and(|all| {
            all.values().any(|j| j["finished_ms"].is_null() || j["cleanup_pending"] == true)
        });
        if busy { Err(format!("{jobs}")) } else { Ok(()) }
    })
    .unwrap();
    // The brokers' rates given back as they were: none left at the rates of the jobs here (a
    // broker shows a change a moment after the controller took it).
    wait_until(Duration::from_secs(30), "no throttle left at the jobs' rates", || {
        let in_motion = state_of(&sidecar, "/reassignments");
        let ours = |t: &&Value| t["value"] == "200000" || t["value"] == "50000";
        let left: Vec<Value> = in_motion["throttles"]
            .as_array()
            .map(|all| all.iter().filter(ours).cloned().collect())
            .unwrap_or_default();
        if left.is_empty() { Ok(()) } else { Err(format!("throttles left behind: {left:?}")) }
    })
    .unwrap();
    for topic in [&elect, &moved, &paused, &left_behind, &mirror] {
        assert_eq!(curl(&sidecar, "DELETE", &format!("/topics/{topic}"), None, None).status, 204);
    }
}

#[test]
fn on_the_secured_cluster_a_user_without_rights_is_refused_in_the_browser() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let topic = unique_topic("console-secured");
    cluster.create_topic_placed(&topic, "1:2:3");
    browse(
        &sidecar,
        "secure",
        &[
            ("CONSOLE_SECURE_TOPIC", topic.clone()),
            ("CONSOLE_BOB_PASSWORD", cluster.password("bob").to_owned()),
            ("CONSOLE_ADMIN_PASSWORD", cluster.password("admin").to_owned()),
        ],
    );
    let admin = Some(("admin", cluster.password("admin")));
    assert_eq!(curl(&sidecar, "DELETE", &format!("/topics/{topic}"), admin, None).status, 204);
}
