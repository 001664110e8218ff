//! The REST API over HTTP (curl, as operators script it) against an in-process sidecar in front of
//! the real cluster: the root, the cluster, the brokers and topics, the errors' JSON; on the
//! secured cluster, each request runs as its HTTP Basic user, so the brokers' ACLs decide.

mod rest_common;

use std::process::Command;
use std::time::Duration;

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, run, unique_topic, wait_until};
use rest_common::{assert_error, curl};
use serde_json::Value;

#[test]
fn the_root_cluster_brokers_and_topics_are_read_over_http() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = unique_topic("rest-read");
    cluster.create_topic(&topic, 3);

    let root = curl(&sidecar, "GET", "/", None, None);
    assert_eq!(root.status, 200, "{root:?}");
    assert_eq!(root.body["version"], env!("CARGO_PKG_VERSION"));
    assert!(root.body["commit"].as_str().is_some_and(|c| !c.is_empty()), "{root:?}");
    assert_eq!(root.body["kafka_cluster_id"], cluster.state("CLUSTER_ID").expect("its id"));

    let summary = curl(&sidecar, "GET", "/cluster", None, None);
    assert_eq!(summary.status, 200, "{summary:?}");
    assert_eq!(summary.body["brokers"], 3);
    assert!(summary.body["controller"].as_i64().is_some_and(|c| (1..=3).contains(&c)));
    assert!(summary.body["partitions"].as_u64().unwrap_or(0) >= 3, "{summary:?}");

    let brokers = curl(&sidecar, "GET", "/brokers", None, None);
    assert_eq!(brokers.status, 200, "{brokers:?}");
    let brokers = brokers.body.as_array().expect("an array").clone();
    assert_eq!(brokers.iter().map(|b| b["id"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(brokers.iter().filter(|b| b["role"] == "controller").count(), 1, "{brokers:?}");
    for broker in &brokers {
        // Each broker holds a replica of each of the topic's partitions (replication factor 3),
        // and is reached through the sidecar.
        assert!(broker["partitions"].as_u64().unwrap_or(0) >= 3, "{broker}");
        let id = broker["id"].as_i64().unwrap() as i32;
        let advertised = format!("{}:{}", broker["host"].as_str().unwrap(), broker["port"]);
        assert_eq!(advertised, sidecar.broker_address(id), "{broker}");
    }

    let listed = curl(&sidecar, "GET", "/topics", None, None);
    assert_eq!(listed.status, 200);
    assert!(listed.body.as_array().is_some_and(|t| t.contains(&Value::from(topic.clone()))));
    let expanded = curl(&sidecar, "GET", "/topics?expand=info", None, None);
    assert_eq!(expanded.body[&topic]["partitions"].as_array().map(Vec::len), Some(3));
    assert_error(&curl(&sidecar, "GET", "/topics?expand=everything", None, None), 400, None);

    let described = wait_until(Duration::from_secs(30), "every partition led", || {
        let answer = curl(&sidecar, "GET", &format!("/topics/{topic}"), None, None);
        let led = answer.body["partitions"]
            .as_array()
            .is_some_and(|p| p.len() == 3 && p.iter().all(|p| p["leader"].as_i64() > Some(0)));
        if answer.status == 200 && led { Ok(answer) } else { Err(format!("{answer:?}")) }
    })
    .unwrap();
    assert_eq!(described.body["name"], topic.as_str());
    assert_eq!(described.body["replication_factor"], 3);
    let partition = &described.body["partitions"][0];
    assert_eq!(partition["replicas"].as_array().map(Vec::len), Some(3), "{described:?}");

    let missing =
        curl(&sidecar, "GET", &format!("/topics/{}", unique_topic("missing")), None, None);
    assert_error(&missing, 404, Some("UNKNOWN_TOPIC_OR_PARTITION"));
    assert_error(&curl(&sidecar, "GET", "/no-such-resource", None, None), 404, None);
}

#[test]
fn on_the_secured_cluster_each_request_runs_as_its_basic_user() {
    let cluster = Cluster::secure();
    let sidecar = TestSidecar::start(cluster);
    let admin = Some(("admin", cluster.password("admin")));
    let bob = Some(("bob", cluster.password("bob")));
    let topic = unique_topic("rest-secured");
    cluster.create_topic_placed(&topic, "1:2:3");

    // Without credentials, or with a wrong password: 401, with the Basic challenge.
    for (login, says) in [(None, "requires authentication"), (Some(("admin", "nope")), "Invalid")] {
        let refused = curl(&sidecar, "GET", "/topics", login, None);
        assert_error(&refused, 401, None);
        assert_eq!(refused.header("www-authenticate"), Some("Basic realm=\"kafka\""));
        let message = refused.body["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{refused:?}");
    }

    let listed = curl(&sidecar, "GET", "/topics", admin, None);
    assert_eq!(listed.status, 200, "{listed:?}");
    assert!(listed.body.as_array().is_some_and(|t| t.contains(&Value::from(topic.clone()))));
    assert_eq!(curl(&sidecar, "GET", &format!("/topics/{topic}"), admin, None).status, 200);

    // bob logs in, and the brokers' ACLs hide the topic from him.
    let listed = curl(&sidecar, "GET", "/topics", bob, None);
    assert_eq!(listed.status, 200, "{listed:?}");
    assert!(!listed.body.to_string().contains(&topic), "{listed:?}");
    let refused = curl(&sidecar, "GET", &format!("/topics/{topic}"), bob, None);
    assert_error(&refused, 403, Some("TOPIC_AUTHORIZATION_FAILED"));
    assert_eq!(refused.body["retriable"], false);

    // Changes too: bob may neither create nor delete; admin may.
    let spec = serde_json::json!({"partitions": 1, "replication_factor": 3});
    let fresh = format!("/topics/{}", unique_topic("rest-bobs"));
    let refused = curl(&sidecar, "PUT", &fresh, bob, Some(&spec));
    assert_error(&refused, 403, Some("TOPIC_AUTHORIZATION_FAILED"));
    let refused = curl(&sidecar, "DELETE", &format!("/topics/{topic}"), bob, None);
    assert_error(&refused, 403, Some("TOPIC_AUTHORIZATION_FAILED"));
    assert_eq!(curl(&sidecar, "PUT", &fresh, admin, Some(&spec)).status, 201);
    assert_eq!(curl(&sidecar, "DELETE", &fresh, admin, None).status, 204);

    // An operator who lets requests without credentials in names the user they run as: bob, with
    // bob's ACLs. A request with its own credentials still runs as its own user.
    let open = TestSidecar::start_with(cluster, |config| {
        config.rest.anonymous_username = Some("bob".into());
        config.rest.anonymous_password = Some(cluster.password("bob").into());
    });
    let listed = curl(&open, "GET", "/topics", None, None);
    assert_eq!(listed.status, 200, "{listed:?}");
    assert!(!listed.body.to_string().contains(&topic), "{listed:?}");
    let refused = curl(&open, "GET", &format!("/topics/{topic}"), None, None);
    assert_error(&refused, 403, Some("TOPIC_AUTHORIZATION_FAILED"));
    assert_eq!(curl(&open, "GET", &format!("/topics/{topic}"), admin, None).status, 200);
}

#[test]
fn on_the_secured_cluster_reassignments_jobs_and_elections_are_the_brokers_to_allow() {
    use serde_json::json;

    let cluster = Cluster::secure();
    let admin = Some(("admin", cluster.password("admin")));
    let bob = Some(("bob", cluster.password("bob")));
    let topic = unique_topic("rest-secured-moves");
    cluster.create_topic_placed(&topic, "1");
    let body =
        json!({"reassignments": [{"topic": topic, "brokers": [2], "replication_factor": 1}]});

    // A sidecar without a principal of its own for jobs: 501 for whoever asks, once they may.
    let unconfigured = TestSidecar::start(cluster);
    let refused = curl(&unconfigured, "POST", "/reassignments", admin, Some(&body));
    assert_error(&refused, 501, Some("ReassignmentJobsNotConfigured"));
    assert!(refused.body["message"].as_str().unwrap_or_default().contains("[jobs]"));
    drop(unconfigured);

    let sidecar = TestSidecar::start_with(cluster, |c| {
        c.jobs.username = Some("admin".into());
        c.jobs.password = Some(cluster.password("admin").into());
        c.jobs.mechanism = "SCRAM-SHA-512".into();
        c.jobs.poll_ms = 300;
    });
    // bob may not alter or describe the cluster: every one of these is the broker's 403.
    let partition = json!({"partitions": [{"topic": topic, "partition": 0}]});
    for (method, path, sent) in [
        ("POST", "/reassignments/estimate", Some(&body)),
        ("POST", "/reassignments/plan", Some(&body)),
        ("POST", "/reassignments", Some(&body)),
        ("GET", "/jobs", None),
        ("POST", "/elections", Some(&partition)),
    ] {
        let refused = curl(&sidecar, method, path, bob, sent);
        assert_error(&refused, 403, Some("CLUSTER_AUTHORIZATION_FAILED"));
        assert_eq!(refused.body["retriable"], false, "{method} {path}: {refused:?}");
    }
    // admin may: the job runs (as the sidecar's own principal) and records who asked.
    let started = curl(&sidecar, "POST", "/reassignments", admin, Some(&body));
    assert_eq!(started.status, 202, "{started:?}");
    let job = format!("/jobs/{}", started.body["job_id"].as_str().expect("a job id"));
    // bob may not look at it, nor stop it.
    let hidden = curl(&sidecar, "GET", &job, bob, None);
    assert_error(&hidden, 403, Some("CLUSTER_AUTHORIZATION_FAILED"));
    let stop = curl(&sidecar, "PUT", &format!("{job}/stop"), bob, None);
    assert_error(&stop, 403, Some("CLUSTER_AUTHORIZATION_FAILED"));
    let done = wait_until(Duration::from_secs(120), "admin's job to complete", || {
        let answer = curl(&sidecar, "GET", &format!("{job}/status"), admin, None);
        if answer.body["state"] == "COMPLETED" { Ok(answer) } else { Err(format!("{answer:?}")) }
    })
    .unwrap();
    assert_eq!(done.body["state"], "COMPLETED");
    let described = curl(&sidecar, "GET", &job, admin, None);
    assert_eq!(described.body["requested_by"], "User:admin", "{described:?}");
    let moved = curl(&sidecar, "GET", &format!("/topics/{topic}"), admin, None);
    assert_eq!(moved.body["partitions"][0]["replicas"], json!([2]), "{moved:?}");
    let elected = curl(&sidecar, "POST", "/elections", admin, Some(&partition));
    assert_eq!(elected.status, 200, "{elected:?}");
    assert_eq!(elected.body[0]["elected"], true, "{elected:?}");
    assert_eq!(curl(&sidecar, "DELETE", &format!("/topics/{topic}"), admin, None).status, 204);
}

/// A listener that takes connections and never answers: a cluster that hangs.
struct Hung {
    address: std::net::SocketAddr,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hung {
    fn start() -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("its address");
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let stopping = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => held.push(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Self { address, stop, thread: Some(thread) }
    }
}

impl Drop for Hung {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn requests_beyond_the_cap_wait_a_turn_and_a_hung_or_gone_cluster_is_504_or_503() {
    let hung = Hung::start();
    let sidecar = TestSidecar::start_with(Cluster::plain(), |config| {
        config.upstream.bootstrap_servers = vec![hung.address.to_string()];
        config.upstream.request_timeout_ms = 8_000;
        config.rest.max_concurrent_requests = 2;
    });
    // Two requests take the two turns and wait on the cluster until their timeout.
    let url = format!("{}/cluster", sidecar.http_url());
    let waiting: Vec<std::process::Child> = (0..2)
        .map(|_| {
            Command::new("curl")
                .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", &url])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("curl starts")
        })
        .collect();
    wait_until(Duration::from_secs(6), "both turns taken", || {
        let active = sidecar.metric("adminwire_rest_requests_active");
        if active == Some(2.0) { Ok(()) } else { Err(format!("{active:?} running")) }
    })
    .unwrap();
    // A third is told to come back after a second's wait for a turn, not held until the cluster
    // answers.
    let started = std::time::Instant::now();
    let answer = curl(&sidecar, "GET", "/topics", None, None);
    let refused = (answer, started.elapsed());
    assert!(
        refused.0.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("rest.max_concurrent_requests")),
        "{refused:?}"
    );
    assert_eq!(sidecar.metric("adminwire_rest_requests_refused_total"), Some(1.0));
    assert_error(&refused.0, 503, None);
    assert_eq!(refused.0.header("retry-after"), Some("1"));
    assert!(refused.1 < Duration::from_secs(4), "answered after {:?}", refused.1);
    // The operations endpoints do not wait for a turn.
    assert_eq!(sidecar.http_get("/metrics").0, 200);
    // The two end when the cluster's time is up (it took the connection and said nothing: a
    // timeout, 504), and their turns come free.
    for child in waiting {
        let out = child.wait_with_output().expect("curl ends");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "504");
    }
    assert_eq!(sidecar.metric("adminwire_rest_requests_active"), Some(0.0));
    let after = curl(&sidecar, "GET", "/topics", None, None);
    assert_error(&after, 504, None);
    assert_eq!(after.header("retry-after"), Some("1"));
    let message = after.body["message"].as_str().unwrap_or_default();
    assert!(message.contains("answered in time"), "{after:?}");
    drop(hung);

    // A cluster that cannot be reached at all (nothing listens on its port): 503.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let gone = closed.local_addr().expect("its address").to_string();
    drop(closed);
    let sidecar = TestSidecar::start_with(Cluster::plain(), |config| {
        config.upstream.bootstrap_servers = vec![gone.clone()];
    });
    let refused = curl(&sidecar, "GET", "/cluster", None, None);
    assert_error(&refused, 503, None);
    assert_eq!(refused.header("retry-after"), Some("1"));
    let message = refused.body["message"].as_str().unwrap_or_default();
    assert!(message.contains("could be reached"), "{refused:?}");
}

#[test]
fn topics_are_created_changed_and_deleted_with_put_patch_and_delete() {
    use serde_json::json;

    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = unique_topic("rest-write");
    let path = format!("/topics/{topic}");

    let spec =
        json!({"partitions": 2, "replication_factor": 3, "configs": {"retention.ms": "3600000"}});
    let created = curl(&sidecar, "PUT", &path, None, Some(&spec));
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.body["partitions"].as_array().map(Vec::len), Some(2), "{created:?}");
    assert_eq!(created.body["configs"], json!({"retention.ms": "3600000"}));

    // The same again changes nothing; then two more partitions and no settings of its own.
    let again = curl(&sidecar, "PUT", &path, None, Some(&spec));
    assert_eq!((again.status, &again.body["replication_factor"]), (200, &json!(3)), "{again:?}");
    let grown = curl(&sidecar, "PUT", &path, None, Some(&json!({"partitions": 4, "configs": {}})));
    assert_eq!(grown.status, 200, "{grown:?}");
    assert_eq!(grown.body["partitions"].as_array().map(Vec::len), Some(4), "{grown:?}");
    assert_eq!(grown.body["configs"], json!({}));

    // What a PUT may not do is a 400 naming the field, with the Kafka error where one caused it.
    let refused = curl(&sidecar, "PUT", &path, None, Some(&json!({"replication_factor": 2})));
    assert_error(&refused, 400, None);
    assert!(refused.body["message"].as_str().unwrap_or_default().contains("replication_factor"));
    let shrink = curl(&sidecar, "PUT", &path, None, Some(&json!({"partitions": 1})));
    assert_error(&shrink, 400, Some("DecreasePartitionsNotAllowed"));
    for (body, says) in [
        ("{\"partitions\": ", "request body"),
        ("{\"partitons\": 3}", "partitons"),
        ("{\"partitions\": \"three\"}", "partitions"),
    ] {
        let mut command = Command::new("curl");
        command.args(["-sS", "-X", "PUT", "-H", "Content-Type: application/json"]);
        command.args(["--data-binary", body, &format!("{}{path}", sidecar.http_url())]);
        let out = run(&mut command, Duration::from_secs(60)).expect("curl runs");
        let answer: Value = serde_json::from_str(out.expect_success("curl")).expect("JSON");
        assert_eq!(answer["error_code"], 400, "{body}: {answer}");
        assert!(answer["message"].as_str().unwrap_or_default().contains(says), "{body}: {answer}");
    }
    let no_count = curl(
        &sidecar,
        "PUT",
        &format!("/topics/{}", unique_topic("rest-bad")),
        None,
        Some(&json!({})),
    );
    assert_error(&no_count, 400, None);

    // PATCH sets and deletes settings.
    let patch = json!({"cleanup.policy": "compact", "retention.ms": "60000"});
    let patched = curl(&sidecar, "PATCH", &format!("{path}/configs"), None, Some(&patch));
    assert_eq!(patched.status, 200, "{patched:?}");
    assert_eq!(patched.body, patch);
    let patch = json!({"retention.ms": null});
    let patched = curl(&sidecar, "PATCH", &format!("{path}/configs"), None, Some(&patch));
    assert_eq!(patched.body, json!({"cleanup.policy": "compact"}), "{patched:?}");
    let missing = format!("/topics/{}/configs", unique_topic("rest-missing"));
    assert_error(
        &curl(&sidecar, "PATCH", &missing, None, Some(&patch)),
        404,
        Some("UNKNOWN_TOPIC_OR_PARTITION"),
    );

    // A topic placed by hand.
    let placed_path = format!("/topics/{}", unique_topic("rest-placed"));
    let placed = json!({"replica_assignment": [[1, 2], [2, 3], [3, 1]]});
    let answer = curl(&sidecar, "PUT", &placed_path, None, Some(&placed));
    assert_eq!(answer.status, 201, "{answer:?}");
    let replicas: Vec<Value> = answer.body["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["replicas"].clone())
        .collect();
    assert_eq!(replicas, [json!([1, 2]), json!([2, 3]), json!([3, 1])]);

    for path in [&path, &placed_path] {
        let deleted = curl(&sidecar, "DELETE", path, None, None);
        assert_eq!((deleted.status, &deleted.body), (204, &Value::Null), "{deleted:?}");
        assert_error(
            &curl(&sidecar, "DELETE", path, None, None),
            404,
            Some("UNKNOWN_TOPIC_OR_PARTITION"),
        );
    }
    assert_error(&curl(&sidecar, "POST", "/brokers", None, None), 405, None);
}

/// The seed's example request body, exactly as `reassign-rest-api-dms.txt` gives it.
const SEED_EXAMPLE: &str = r#"{
"reassignments" : [ {
"topic" : "topic-1513476102",
"brokers" : [ 0, 1, 2 ],
"replication_factor" : 3,
"assignment" : [ {
"partition" : 0,
"partition_brokers" : [ 0, 1, 2 ]
}, {
"partition" : 1,
"partition_brokers" : [ 1, 2, 0 ]
}, {
"partition" : 2,
"partition_brokers" : [ 2, 0, 1 ]
} ]
}, {
"topic" : "topic-1513558717",
"brokers" : [ 0, 1, 4 ],
"replication_factor" : 3,
"assignment" : [ {
"partition" : 0,
"partition_brokers" : [ 0, 1, 2 ]
}, {
"partition" : 1,
"partition_brokers" : [ 1, 2, 0 ]
}, {
"partition" : 2,
"partition_brokers" : [ 2, 0, 1 ]
} ]
} ],
"throttle" : 10000000,
"time_estimate" : false
}"#;

#[test]
fn reassignments_are_estimated_planned_and_run_as_jobs_over_http() {
    use serde_json::json;

    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let cluster_id = cluster.state("CLUSTER_ID").expect("its id").to_owned();
    let seed_path = format!("/v2/kafka/my-project/instances/{cluster_id}/reassign");

    // The seed's own example: read as it is written, and answered with what is wrong on this
    // cluster (its topics are not here).
    let seed: Value = serde_json::from_str(SEED_EXAMPLE).expect("the seed's JSON");
    let answer = curl(&sidecar, "POST", &seed_path, None, Some(&seed));
    assert_error(&answer, 404, Some("UNKNOWN_TOPIC_OR_PARTITION"));
    assert!(answer.body["message"].as_str().unwrap_or_default().contains("topic-1513476102"));
    let elsewhere =
        curl(&sidecar, "POST", "/v2/kafka/p/instances/another-cluster/reassign", None, Some(&seed));
    assert_error(&elsewhere, 404, None);

    let topic = unique_topic("rest-moved");
    cluster.create_topic_placed(&topic, "1,1");
    // 6 MB: Kafka's throttle lets about its rate times its 10 s window through at once, so
    // 2 MB at 200 kB/s could move in a second; the rest takes 20 s, long enough to be seen moving.
    cluster.write_megabytes(&topic, 6);
    let body = json!({"reassignments": [{"topic": topic, "brokers": [2, 3], "replication_factor": 1}],
        "throttle": 200000});

    // The seed's endpoint estimating; the native estimate and plan, which move nothing.
    let mut estimating = body.clone();
    estimating["time_estimate"] = json!(true);
    let answer = curl(&sidecar, "POST", &seed_path, None, Some(&estimating));
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.body["reassignment_time"].as_i64().is_some_and(|t| t > 0), "{answer:?}");
    assert!(answer.body.get("job_id").is_none(), "{answer:?}");
    for path in ["/reassignments/estimate", "/reassignments/plan"] {
        let answer = curl(&sidecar, "POST", path, None, Some(&body));
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        let moves = answer.body["partitions"].as_array().cloned().unwrap_or_default();
        assert_eq!(moves.len(), 2, "{path}: {answer:?}");
        assert!(moves.iter().all(|m| m["target_replicas"] != json!([1])), "{path}: {answer:?}");
        assert!(answer.body["bytes_to_move"].as_i64().unwrap_or(0) > 1_000_000, "{path}");
    }
    let unmoved = curl(&sidecar, "GET", &format!("/topics/{topic}"), None, None);
    let replicas: Vec<&Value> =
        unmoved.body["partitions"].as_array().unwrap().iter().map(|p| &p["replicas"]).collect();
    assert_eq!(replicas, [&json!([1]), &json!([1])], "nothing moved");

    // A job: 202 with its Location, paused and resumed, followed to its end.
    let started = curl(&sidecar, "POST", "/reassignments", None, Some(&body));
    assert_eq!(started.status, 202, "{started:?}");
    let id = started.body["job_id"].as_str().expect("a job id").to_owned();
    let job_path = format!("/jobs/{id}");
    assert_eq!(started.header("location"), Some(job_path.as_str()));
    // While its partitions move, another job for them now is a conflict that passes by itself,
    // as Kafka's own tool refuses one (a scheduled job would skip them instead).
    // GET /reassignments shows a partition moving and the topic's throttle, owned by the job
    // (each partition takes seconds at 200 kB/s: looked at again until both are seen at once).
    wait_until(Duration::from_secs(60), "a partition moving, its throttle the job's", || {
        let job = curl(&sidecar, "GET", &format!("{job_path}/status"), None, None);
        let tasks = job.body["tasks"].as_array().cloned().unwrap_or_default();
        let in_motion = curl(&sidecar, "GET", "/reassignments", None, None);
        let moving = in_motion.body["moving"].as_array().cloned().unwrap_or_default();
        let throttles = in_motion.body["throttles"].as_array().cloned().unwrap_or_default();
        let seen = tasks.iter().any(|t| t["state"] == "MOVING")
            && moving.iter().any(|m| m["topic"] == topic.as_str() && m["adding"] != json!([]))
            && throttles.iter().any(|t| {
                t["resource"] == "topic" && t["name"] == topic.as_str() && t["jobs"] == json!([id])
            })
            && throttles
                .iter()
                .any(|t| t["resource"] == "broker" && t["name"] == "2" && t["jobs"] == json!([id]));
        if seen { Ok(()) } else { Err(format!("{job:?} {in_motion:?}")) }
    })
    .unwrap();
    let again = curl(&sidecar, "POST", "/reassignments", None, Some(&body));
    if again.status != 202 {
        assert_error(&again, 409, Some("ReassignPartitionsInProgress"));
        assert_eq!(again.body["conflict"], "reassignment_in_progress", "{again:?}");
        assert_eq!(again.header("retry-after"), Some("10"), "{again:?}");
        let message = again.body["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("{topic}-")), "{again:?}");
    } else {
        // Only if both partitions finished between the look and the request (throttled to
        // 200 kB/s, each takes seconds): then nothing was moving, and the job is a fresh one.
        let other = again.body["job_id"].as_str().unwrap_or_default();
        let job = curl(&sidecar, "GET", &format!("/jobs/{other}"), None, None);
        assert_eq!(job.status, 200, "{job:?}");
    }
    let native_flag = json!({"reassignments": body["reassignments"], "time_estimate": false});
    for path in ["/reassignments", "/reassignments/estimate", "/reassignments/plan"] {
        let refused = curl(&sidecar, "POST", path, None, Some(&native_flag));
        assert_error(&refused, 400, None);
        assert!(refused.body["message"].as_str().is_some_and(|m| m.starts_with("time_estimate")));
    }
    let paused = curl(&sidecar, "PUT", &format!("{job_path}/pause"), None, None);
    assert_eq!((paused.status, &paused.body["action"]), (202, &json!("pause")), "{paused:?}");
    let seen = wait_until(Duration::from_secs(60), "paused or ended", || {
        let job = curl(&sidecar, "GET", &job_path, None, None);
        match job.body["state"].as_str() {
            Some("PAUSED" | "COMPLETED") => Ok(job),
            _ => Err(format!("{job:?}")),
        }
    })
    .unwrap();
    assert_eq!(seen.body["requested_by"], "User:ANONYMOUS", "{seen:?}");
    assert_eq!(curl(&sidecar, "PUT", &format!("{job_path}/resume"), None, None).status, 202);
    let listed = curl(&sidecar, "GET", "/jobs", None, None);
    assert!(listed.body.as_array().is_some_and(|ids| ids.contains(&json!(id))), "{listed:?}");
    let expanded = curl(&sidecar, "GET", "/jobs?expand=status", None, None);
    assert_eq!(expanded.body[&id]["partition_count"], 2, "{expanded:?}");
    let done = wait_until(Duration::from_secs(120), "the job to complete", || {
        let job = curl(&sidecar, "GET", &format!("{job_path}/status"), None, None);
        if job.body["state"] == "COMPLETED" && job.body["cleanup_pending"] == false {
            Ok(job)
        } else {
            Err(format!("{job:?}"))
        }
    })
    .unwrap();
    let tasks = done.body["tasks"].as_array().cloned().unwrap_or_default();
    assert_eq!(tasks.len(), 2, "{done:?}");
    assert!(tasks.iter().all(|t| t["state"] == "DONE"), "{done:?}");
    // Ended, the job left nothing moving nor throttled; a throttle set by hand is one no job
    // accounts for. (Each broker shows a change a moment after the controller took it.)
    let mentions_it = |answer: &Value| {
        answer["moving"].as_array().unwrap().iter().any(|m| m["topic"] == topic.as_str())
            || answer["throttles"].as_array().unwrap().iter().any(|t| {
                t["name"] == topic.as_str() || t["jobs"].as_array().unwrap().contains(&json!(id))
            })
    };
    wait_until(Duration::from_secs(30), "nothing moving or throttled for the job", || {
        let in_motion = curl(&sidecar, "GET", "/reassignments", None, None);
        if in_motion.status == 200 && !mentions_it(&in_motion.body) {
            Ok(())
        } else {
            Err(format!("{in_motion:?}"))
        }
    })
    .unwrap();
    let by_hand = json!({"leader.replication.throttled.replicas": "*"});
    let set = curl(&sidecar, "PATCH", &format!("/topics/{topic}/configs"), None, Some(&by_hand));
    assert_eq!(set.status, 200, "{set:?}");
    let expected = json!({"resource": "topic", "name": topic,
        "config": "leader.replication.throttled.replicas", "value": "*", "jobs": []});
    wait_until(Duration::from_secs(30), "the throttle set by hand listed, with no job", || {
        let in_motion = curl(&sidecar, "GET", "/reassignments", None, None);
        let throttles = in_motion.body["throttles"].as_array().cloned().unwrap_or_default();
        if throttles.contains(&expected) { Ok(()) } else { Err(format!("{in_motion:?}")) }
    })
    .unwrap();
    let unset = json!({"leader.replication.throttled.replicas": null});
    let unset = curl(&sidecar, "PATCH", &format!("/topics/{topic}/configs"), None, Some(&unset));
    assert_eq!(unset.status, 200, "{unset:?}");
    let ended = curl(&sidecar, "PUT", &format!("{job_path}/pause"), None, None);
    assert_error(&ended, 409, Some("NO_REASSIGNMENT_IN_PROGRESS"));
    assert_eq!(ended.body["conflict"], "job_ended");
    assert_error(
        &curl(&sidecar, "GET", "/jobs/0123456789abcdef", None, None),
        404,
        Some("RESOURCE_NOT_FOUND"),
    );
    // An ended job's record is deleted: then it is not found.
    assert_eq!(curl(&sidecar, "DELETE", &job_path, None, None).status, 204);
    assert_error(&curl(&sidecar, "GET", &job_path, None, None), 404, Some("RESOURCE_NOT_FOUND"));
    assert_error(&curl(&sidecar, "DELETE", &job_path, None, None), 404, Some("RESOURCE_NOT_FOUND"));

    // A job for later (back to broker 1), through the seed's endpoint, stopped before its time.
    let mut later = body.clone();
    later["reassignments"][0]["brokers"] = json!([1]);
    later["is_schedule"] = json!(true);
    later["execute_at"] = json!(4_070_908_800_000_i64);
    let answer = curl(&sidecar, "POST", &seed_path, None, Some(&later));
    assert_eq!(answer.status, 200, "{answer:?}");
    let later_id = answer.body["job_id"].as_str().expect("a job id").to_owned();
    let later_path = format!("/jobs/{later_id}");
    for (method, path) in
        [("DELETE", later_path.clone()), ("POST", format!("{later_path}/restart"))]
    {
        let waiting = curl(&sidecar, method, &path, None, None);
        assert_error(&waiting, 409, Some("ReassignPartitionsInProgress"));
        assert_eq!(waiting.body["conflict"], "job_running", "{method} {path}: {waiting:?}");
    }
    assert_eq!(curl(&sidecar, "PUT", &format!("{later_path}/stop"), None, None).status, 202);
    // In the state and with its throttles off, so that none is left on the brokers for the
    // tests that follow on the same cluster.
    let job_in = |state: &'static str| {
        wait_until(Duration::from_secs(120), &format!("the job {state}, throttles off"), || {
            let job = curl(&sidecar, "GET", &format!("{later_path}/status"), None, None);
            if job.body["state"] == state && job.body["cleanup_pending"] == false {
                Ok(job)
            } else {
                Err(format!("{job:?}"))
            }
        })
        .unwrap()
    };
    let cancelled = job_in("CANCELLED");
    let tasks = cancelled.body["tasks"].as_array().cloned().unwrap_or_default();
    assert!(tasks.len() == 2 && tasks.iter().all(|t| t["state"] == "PENDING"), "{cancelled:?}");

    // Restarted as Connect restarts a connector: with ?onlyFailed=true nothing (none failed); then
    // every partition not done, which runs it now.
    let restart =
        |query: &str| curl(&sidecar, "POST", &format!("{later_path}/restart{query}"), None, None);
    let none = restart("?onlyFailed=true");
    assert_eq!(none.status, 202, "{none:?}");
    assert_eq!((&none.body["retried"], &none.body["state"]), (&json!(0), &json!("CANCELLED")));
    assert_error(&restart("?onlyFailed=maybe"), 400, None);
    let again = restart("?onlyFailed=false");
    assert_eq!(again.status, 202, "{again:?}");
    assert_eq!((&again.body["retried"], &again.body["state"]), (&json!(2), &json!("RUNNING")));
    let done = job_in("COMPLETED");
    let tasks = done.body["tasks"].as_array().cloned().unwrap_or_default();
    assert!(tasks.iter().all(|t| t["state"] == "DONE"), "{done:?}");
    let moved_back = curl(&sidecar, "GET", &format!("/topics/{topic}"), None, None);
    let replicas: Vec<&Value> =
        moved_back.body["partitions"].as_array().unwrap().iter().map(|p| &p["replicas"]).collect();
    assert_eq!(replicas, [&json!([1]), &json!([1])], "{moved_back:?}");
    let unknown = curl(&sidecar, "POST", "/jobs/0123456789abcdef/restart", None, None);
    assert_error(&unknown, 404, Some("RESOURCE_NOT_FOUND"));
    assert_eq!(curl(&sidecar, "DELETE", &format!("/topics/{topic}"), None, None).status, 204);
}

#[test]
fn a_partition_not_led_by_its_preferred_replica_is_listed_and_elected_over_http() {
    use serde_json::json;

    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let topic = unique_topic("rest-elected");
    cluster.create_topic_placed(&topic, "1:2");
    let led_by = |leader: i64| {
        wait_until(Duration::from_secs(60), &format!("{topic} led by {leader}"), || {
            let answer = curl(&sidecar, "GET", &format!("/topics/{topic}"), None, None);
            let now = answer.body["partitions"][0]["leader"].as_i64();
            if now == Some(leader) { Ok(()) } else { Err(format!("{answer:?}")) }
        })
        .unwrap()
    };
    led_by(1);

    // The replicas reordered: broker 2 is preferred now, broker 1 still leads.
    let reorder = json!({"reassignments": [{"topic": topic, "assignment":
        [{"partition": 0, "partition_brokers": [2, 1]}]}]});
    let started = curl(&sidecar, "POST", "/reassignments", None, Some(&reorder));
    assert_eq!(started.status, 202, "{started:?}");
    let job = format!("/jobs/{}", started.body["job_id"].as_str().unwrap());
    wait_until(Duration::from_secs(60), "the reorder to complete", || {
        let answer = curl(&sidecar, "GET", &job, None, None);
        if answer.body["state"] == "COMPLETED" { Ok(()) } else { Err(format!("{answer:?}")) }
    })
    .unwrap();
    let needed = wait_until(Duration::from_secs(60), "the partition listed as needing one", || {
        let answer = curl(&sidecar, "GET", "/elections/needed", None, None);
        let listed = answer
            .body
            .as_array()
            .and_then(|all| all.iter().find(|p| p["topic"] == topic.as_str()).cloned());
        listed.ok_or_else(|| format!("{answer:?}"))
    })
    .unwrap();
    assert_eq!(
        (&needed["leader"], &needed["preferred_leader"]),
        (&json!(1), &json!(2)),
        "{needed}"
    );

    let body = json!({"partitions": [{"topic": topic, "partition": 0}]});
    let elected = curl(&sidecar, "POST", "/elections", None, Some(&body));
    assert_eq!(elected.status, 200, "{elected:?}");
    assert_eq!(elected.body, json!([{"topic": topic, "partition": 0, "elected": true}]));
    led_by(2);

    // Every partition failing alike is the request failing: an unknown topic alone is a 404.
    let missing = unique_topic("rest-none");
    let unknown = json!({"partitions": [{"topic": missing, "partition": 0}]});
    let answer = curl(&sidecar, "POST", "/elections", None, Some(&unknown));
    assert_error(&answer, 404, Some("UNKNOWN_TOPIC_OR_PARTITION"));
    assert!(answer.body["message"].as_str().unwrap_or_default().contains(&missing), "{answer:?}");
    // Beside a partition that is elected (or needs none), it is one result of several.
    let mixed = json!({"partitions": [{"topic": missing, "partition": 0},
        {"topic": topic, "partition": 0}]});
    let answer = curl(&sidecar, "POST", "/elections", None, Some(&mixed));
    assert_eq!(answer.status, 200, "{answer:?}");
    let results = answer.body.as_array().cloned().unwrap_or_default();
    let of = |name: &str| results.iter().find(|r| r["topic"] == name).cloned();
    let failed = of(&missing).unwrap_or_else(|| panic!("{answer:?}"));
    assert_eq!(failed["elected"], false, "{answer:?}");
    assert_eq!(failed["error"]["name"], "UNKNOWN_TOPIC_OR_PARTITION", "{answer:?}");
    assert_eq!(of(&topic).map(|r| r["elected"].clone()), Some(json!(true)), "{answer:?}");
    assert_error(
        &curl(&sidecar, "POST", "/elections", None, Some(&json!({"partitions": []}))),
        400,
        None,
    );
    assert_eq!(curl(&sidecar, "DELETE", &format!("/topics/{topic}"), None, None).status, 204);
}

#[test]
fn any_sidecar_sharing_the_jobs_topic_steers_a_job_another_runs() {
    use serde_json::json;

    let cluster = Cluster::plain();
    let jobs_topic = unique_topic("rest-shared-jobs");
    let start = || {
        let topic = jobs_topic.clone();
        TestSidecar::start_with(cluster, move |config| {
            config.jobs.store = "topic".into();
            config.jobs.topic = topic.clone();
            config.jobs.lease_ms = 3_000;
            config.jobs.poll_ms = 300;
        })
    };
    let sidecars = [start(), start()];
    let runner = wait_until(Duration::from_secs(60), "one sidecar running the jobs", || {
        let running: Vec<usize> = (0..2)
            .filter(|&i| sidecars[i].metric("adminwire_reassignment_runner") == Some(1.0))
            .collect();
        if running.len() == 1 { Ok(running[0]) } else { Err(format!("{running:?} run")) }
    })
    .unwrap();
    let (runs, other) = (&sidecars[runner], &sidecars[1 - runner]);
    let topic = unique_topic("rest-shared");
    cluster.create_topic_placed(&topic, "1,1");
    cluster.write_megabytes(&topic, 1);

    // Submitted to the sidecar that does not run jobs, for later; seen by the one that does.
    let body = json!({"reassignments": [{"topic": topic, "assignment": [
        {"partition": 0, "partition_brokers": [2]}, {"partition": 1, "partition_brokers": [3]}]}],
        "is_schedule": true, "execute_at": 4_070_908_800_000_i64});
    let submitted = curl(other, "POST", "/reassignments", None, Some(&body));
    assert_eq!(submitted.status, 202, "{submitted:?}");
    let job = submitted.header("location").expect("its Location").to_owned();
    let seen_by = |sidecar: &TestSidecar, state: &'static str| {
        wait_until(Duration::from_secs(120), &format!("{job} {state}"), || {
            let answer = curl(sidecar, "GET", &format!("{job}/status"), None, None);
            if answer.body["state"] == state { Ok(answer) } else { Err(format!("{answer:?}")) }
        })
        .unwrap()
    };
    seen_by(runs, "SCHEDULED");

    // Stopped, restarted and deleted through the other sidecar: each change reaches the runner
    // through the jobs topic.
    assert_eq!(curl(other, "PUT", &format!("{job}/stop"), None, None).status, 202);
    seen_by(runs, "CANCELLED");
    let restarted = curl(other, "POST", &format!("{job}/restart"), None, None);
    assert_eq!((restarted.status, &restarted.body["retried"]), (202, &json!(2)), "{restarted:?}");
    let done = seen_by(runs, "COMPLETED");
    let tasks = done.body["tasks"].as_array().cloned().unwrap_or_default();
    assert!(tasks.iter().all(|t| t["state"] == "DONE"), "{done:?}");
    let placed = curl(other, "GET", &format!("/topics/{topic}"), None, None);
    let replicas: Vec<&Value> =
        placed.body["partitions"].as_array().unwrap().iter().map(|p| &p["replicas"]).collect();
    assert_eq!(replicas, [&json!([2]), &json!([3])], "{placed:?}");
    wait_until(Duration::from_secs(60), "the job's end seen by both", || {
        let answer = curl(other, "GET", &job, None, None);
        if answer.body["cleanup_pending"] == false && answer.body["state"] == "COMPLETED" {
            Ok(())
        } else {
            Err(format!("{answer:?}"))
        }
    })
    .unwrap();
    assert_eq!(curl(other, "DELETE", &job, None, None).status, 204);
    wait_until(Duration::from_secs(60), "the deletion seen by the runner", || {
        let answer = curl(runs, "GET", &job, None, None);
        if answer.status == 404 { Ok(()) } else { Err(format!("{answer:?}")) }
    })
    .unwrap();
    assert_eq!(curl(other, "DELETE", &format!("/topics/{topic}"), None, None).status, 204);
}
