//! Cluster links as a service between two real clusters (the one-node source cluster and the
//! plain one), with producers writing while the link copies: mirror topics made with the source's
//! partitions and configs, every record copied once and in order, groups carried over, a source
//! partition added and mirrored, a pause, a restart of the process running links taken up with
//! nothing copied twice, promotion and failover, deletion; and every bad request refused clearly.

mod links_common;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use adminwire_jobs::link::service::{LinkChange, LinkError, LinkSettings, Links, NewLink};
use adminwire_jobs::link::state::{LinkState, MirrorState, Start};
use adminwire_jobs::store::Store;
use adminwire_test_support::link_data::link_data;
use adminwire_test_support::{Cluster, unique_topic};
use links_common::client;
use serde_json::Value;

/// The committed records of `topic` on `cluster`: (partition, key, value, headers, timestamp).
fn records(cluster: &Cluster, topic: &str) -> Vec<(i64, String, String, Value, i64)> {
    let lines = link_data(cluster, "dump", topic, &[]);
    let mut out: Vec<_> = lines
        .iter()
        .filter(|l| l.get("offset").is_some())
        .map(|l| {
            (
                l["partition"].as_i64().unwrap(),
                l["key"].as_str().unwrap().to_owned(),
                l["value"].as_str().unwrap().to_owned(),
                l["headers"].clone(),
                l["timestamp"].as_i64().unwrap(),
            )
        })
        .collect();
    // Per partition in offset order already; partitions one after the other.
    out.sort_by_key(|r| r.0);
    out
}

/// Waits (bounded) until `ready` holds for link `id`.
async fn link_until(
    links: &Links,
    id: &str,
    within: Duration,
    what: &str,
    ready: impl Fn(&adminwire_jobs::link::state::Link) -> bool,
) -> adminwire_jobs::link::state::Link {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let link = links.describe(id).expect("the link");
        if ready(&link) {
            return link;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: {link:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every partition of `topic` copied up to what its source holds now.
fn caught_up(link: &adminwire_jobs::link::state::Link, topic: &str, partitions: i32) -> bool {
    let mine: Vec<_> = link.partitions.iter().filter(|((t, _), _)| t == topic).collect();
    mine.len() == partitions as usize && mine.iter().all(|(_, p)| p.lag() == 0 && p.source_end > 0)
}

fn settings() -> LinkSettings {
    LinkSettings {
        source_timeout: Duration::from_secs(5),
        save_every: Duration::from_millis(200),
        promote_quiet: Duration::from_secs(1),
        group_sync: Duration::from_millis(500),
        group_quiet: Duration::from_secs(1),
        writers_window: Duration::from_secs(60),
    }
}

/// A links service on `store` running its links while `runs` is set.
fn service(target: &Cluster, store: &Arc<Store>, runs: &Arc<AtomicBool>) -> Arc<Links> {
    let links = Links::new(client(target), Arc::clone(store), settings());
    let flag = Arc::clone(runs);
    links.run_links(
        &tokio::runtime::Handle::current(),
        Arc::new(move || flag.load(Ordering::Relaxed)),
    );
    links
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_mirrors_topics_carries_groups_over_and_promotes() {
    adminwire_test_support::sidecar::init_logging();
    let (source, target) = (Cluster::source(), Cluster::plain());
    let plain = unique_topic("svc-plain");
    let transactional = unique_topic("svc-txn");
    let with_config = [
        "--create",
        "--topic",
        &plain,
        "--partitions",
        "2",
        "--replication-factor",
        "1",
        "--config",
        "retention.ms=86400000",
    ];
    source.topic_command("admin", &with_config).expect_success("creating the source topic");
    source.wait_for_topic(None, &plain, 2);
    source.create_topic(&transactional, 1);
    link_data(source, "produce", &plain, &["--count", "2000"]);
    link_data(source, "transactions", &transactional, &["--count", "9"]);
    let group = unique_topic("svc-group");

    let store = Store::memory();
    let runs = Arc::new(AtomicBool::new(true));
    let links = service(target, &store, &runs);
    let id = unique_topic("mig").replace('.', "_");
    let request = NewLink {
        id: id.clone(),
        source_bootstrap: vec![source.bootstrap().to_owned()],
        source_login: None,
        start: Start::Earliest,
        topics: vec![plain.clone(), transactional.clone()],
        groups: vec![group.clone()],
        group_sync_ms: Some(300),
        requested_by: Some("User:test".into()),
    };

    // Bad requests, each refused for what it is, before anything is made.
    let refuse = |change: &dyn Fn(&mut NewLink)| {
        let mut bad = request.clone();
        change(&mut bad);
        bad
    };
    let bad_id = links.create(refuse(&|r| r.id = "no spaces".into())).await;
    assert!(matches!(bad_id, Err(LinkError::InvalidId(_))), "{bad_id:?}");
    let missing = unique_topic("svc-missing");
    let unknown = links.create(refuse(&|r| r.topics.push(missing.clone()))).await;
    assert!(matches!(unknown, Err(LinkError::Mirror(_))), "{unknown:?}");
    assert!(unknown.unwrap_err().to_string().contains("does not exist on the source"));
    let nowhere = links.create(refuse(&|r| r.source_bootstrap = vec!["127.0.0.1:1".into()])).await;
    assert!(matches!(nowhere, Err(LinkError::SourceUnreachable { .. })), "{nowhere:?}");
    let itself = links
        .create(refuse(&|r| {
            r.source_bootstrap = vec![target.bootstrap().split(',').next().unwrap().to_owned()]
        }))
        .await;
    assert!(matches!(itself, Err(LinkError::SameCluster(_))), "{itself:?}");
    let exists = unique_topic("svc-exists");
    source.create_topic(&exists, 1);
    target.create_topic(&exists, 1);
    let clash = links.create(refuse(&|r| r.topics = vec![exists.clone()])).await;
    assert!(
        clash.as_ref().is_err_and(|e| e.to_string().contains("already exists on the target")),
        "{clash:?}"
    );
    assert!(links.ids().is_empty(), "nothing made: {:?}", links.ids());

    let config = links.create(request.clone()).await.expect("the link");
    assert_eq!(config.source_cluster_id.as_deref(), source.state("CLUSTER_ID"));
    let again = links.create(request.clone()).await;
    assert!(matches!(again, Err(LinkError::Exists(_))), "{again:?}");
    let other = NewLink { id: format!("{id}-2"), ..request.clone() };
    let twice = links.create(other).await;
    assert!(matches!(twice, Err(LinkError::AlreadyMirrored { .. })), "{twice:?}");

    // The mirrors: the source's partitions and configs; everything copied, producers writing.
    let described = target.describe_topic(&plain);
    assert!(described.contains("retention.ms=86400000"), "{described}");
    assert!(described.contains("PartitionCount: 2"), "{described}");
    link_data(source, "produce", &plain, &["--count", "1000"]);
    link_until(&links, &id, Duration::from_secs(120), "caught up", |l| {
        caught_up(l, &plain, 2) && caught_up(l, &transactional, 1)
    })
    .await;
    assert_eq!(records(source, &plain), records(target, &plain));
    assert_eq!(records(source, &transactional), records(target, &transactional));

    // A group's offsets, carried over translated.
    link_data(source, "commit", &transactional, &["--group", &group, "--offsets", "0:20"]);
    let link = link_until(&links, &id, Duration::from_secs(60), "the group carried over", |l| {
        l.status
            .as_ref()
            .is_some_and(|s| s.groups[&group].offsets.contains_key(&format!("{transactional}/0")))
    })
    .await;
    let p = &link.partitions[&(transactional.clone(), 0)];
    let expected = p.map.translate(20, p.source_next).unwrap();
    assert_eq!(
        link.status.unwrap().groups[&group].offsets[&format!("{transactional}/0")],
        expected
    );

    // A partition added on the source: the mirror grows, and copies it.
    let grow = ["--alter", "--topic", &plain, "--partitions", "3"];
    source.topic_command("admin", &grow).expect_success("adding a partition");
    link_data(source, "produce", &plain, &["--count", "300"]);
    link_until(&links, &id, Duration::from_secs(120), "the third partition mirrored", |l| {
        caught_up(l, &plain, 3)
    })
    .await;
    assert_eq!(records(source, &plain), records(target, &plain));

    // Paused, then resumed.
    links.set_paused(&id, true).await.unwrap();
    link_until(&links, &id, Duration::from_secs(30), "paused", |l| {
        l.status.as_ref().is_some_and(|s| s.state == LinkState::Paused)
    })
    .await;
    links.set_paused(&id, false).await.unwrap();

    // The process running links stops; another takes the link up from the store, writing
    // while it does: nothing copied twice, nothing missed.
    runs.store(false, Ordering::Relaxed);
    let writing = link_data(source, "produce", &plain, &["--count", "500"]);
    assert_eq!(writing[0]["produced"], 500);
    let successor = service(target, &store, &Arc::new(AtomicBool::new(true)));
    link_until(&successor, &id, Duration::from_secs(120), "taken up and caught up", |l| {
        caught_up(l, &plain, 3) && l.status.as_ref().is_some_and(|s| s.state == LinkState::Active)
    })
    .await;
    assert_eq!(records(source, &plain), records(target, &plain), "once each, in order");

    // Promotion refused while no whole window has been watched for producers still writing to
    // the source (the settings' is a minute: the successor has just taken the link up), unless
    // forced; once the source is quiet, done. Failover at once.
    let early = successor.promote(&id, &plain, false, false, None).await;
    let Err(LinkError::NotSwitched { why, .. }) = early else { panic!("{early:?}") };
    assert!(why.contains("not been watched for 60 s"), "{why}");
    successor.promote(&id, &plain, false, true, None).await.unwrap();
    successor.promote(&id, &transactional, true, false, None).await.unwrap();
    let promoted = link_until(&successor, &id, Duration::from_secs(60), "both promoted", |l| {
        l.status.as_ref().is_some_and(|s| {
            [&plain, &transactional].iter().all(|t| s.mirrors[*t].state == MirrorState::Promoted)
        })
    })
    .await;
    assert_eq!(promoted.status.unwrap().mirrors[&plain].not_copied, Some(0));
    let again = successor.promote(&id, &plain, false, true, None).await;
    assert!(matches!(again, Err(LinkError::Promoted { .. })), "{again:?}");
    assert!(successor.mirrored_by(&plain).is_none(), "writable now");

    // Topics and groups changed, then the link deleted; its (promoted) topics stay.
    let change = LinkChange { remove_groups: vec![group.clone()], ..LinkChange::default() };
    assert!(successor.alter(&id, change).await.unwrap().groups.is_empty());
    let bad = LinkChange { remove_topics: vec!["nope".into()], ..LinkChange::default() };
    assert!(matches!(successor.alter(&id, bad).await, Err(LinkError::NotMirrored { .. })));
    let deleted = successor.delete(&id, true).await.unwrap();
    assert!(deleted.is_empty(), "promoted topics are not mirrors: {deleted:?}");
    assert!(matches!(successor.describe(&id), Err(LinkError::Unknown(_))));
    assert!(target.describe_topic(&plain).contains("PartitionCount: 3"));
}

/// Writes `count` lines as records to `topic` of `cluster` with kcat (as `user`, if given).
fn kcat_produce(cluster: &Cluster, user: Option<&str>, topic: &str, count: usize) {
    let mut cmd = cluster.kcat(user);
    cmd.args(["-P", "-t", topic]).stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("kcat runs");
    let lines: String = (0..count).map(|i| format!("record {i}\n")).collect();
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), lines.as_bytes()).unwrap();
    drop(child.stdin.take());
    assert!(child.wait().expect("kcat ends").success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_logs_in_to_its_source_starts_at_latest_and_counts_what_the_source_deleted() {
    use adminwire_jobs::link::offsets::Relation;
    use adminwire_jobs::link::state::SourceLogin;

    let (secured, source, target) = (Cluster::secure(), Cluster::source(), Cluster::plain());
    let store = Store::memory();
    let links = service(target, &store, &Arc::new(AtomicBool::new(true)));

    // A source that needs a login: a wrong password is refused, the right one copies.
    let topic = unique_topic("svc-sasl");
    secured.create_topic(&topic, 1);
    kcat_produce(secured, Some("admin"), &topic, 100);
    let login = |password: &str| SourceLogin {
        mechanism: "PLAIN".into(),
        username: "admin".into(),
        password: password.into(),
    };
    let id = unique_topic("sasl").replace('.', "_");
    let request = NewLink {
        id: id.clone(),
        source_bootstrap: vec![secured.bootstrap().split(',').next().unwrap().to_owned()],
        source_login: Some(login("wrong")),
        start: Start::Earliest,
        topics: vec![topic.clone()],
        groups: Vec::new(),
        group_sync_ms: None,
        requested_by: None,
    };
    let refused = links.create(request.clone()).await;
    assert!(matches!(refused, Err(LinkError::SourceUnreachable { .. })), "{refused:?}");
    let request = NewLink { source_login: Some(login(secured.password("admin"))), ..request };
    links.create(request).await.expect("a link logged in to its source");
    let link = link_until(&links, &id, Duration::from_secs(120), "copied through a login", |l| {
        caught_up(l, &topic, 1)
    })
    .await;
    assert_eq!(link.partitions[&(topic.clone(), 0)].records, 100);
    assert!(!format!("{link:?}").contains(secured.password("admin")), "no password in Debug");

    // From the latest offset: only what is written after; offsets shifted.
    let later = unique_topic("svc-latest");
    source.create_topic(&later, 1);
    kcat_produce(source, None, &later, 200);
    let latest = unique_topic("latest").replace('.', "_");
    let request = NewLink {
        id: latest.clone(),
        source_bootstrap: vec![source.bootstrap().to_owned()],
        source_login: None,
        start: Start::Latest,
        topics: vec![later.clone()],
        groups: Vec::new(),
        group_sync_ms: None,
        requested_by: None,
    };
    links.create(request).await.expect("a link from latest");
    kcat_produce(source, None, &later, 30);
    let key = (later.clone(), 0);
    let link = link_until(&links, &latest, Duration::from_secs(120), "the new records", |l| {
        l.partitions.get(&key).is_some_and(|p| p.records == 30 && p.lag() == 0)
    })
    .await;
    assert_eq!(link.partitions[&key].map.relation(), Relation::Shifted(-200));

    // From a time: the records stamped then or later (the first at offset 60); offsets shifted.
    let timed = unique_topic("svc-time");
    source.create_topic(&timed, 1);
    link_data(source, "produce", &timed, &["--count", "100"]);
    let from = records(source, &timed)[60].4;
    let since = unique_topic("since").replace('.', "_");
    let request = NewLink {
        id: since.clone(),
        source_bootstrap: vec![source.bootstrap().to_owned()],
        source_login: None,
        start: Start::Time(from),
        topics: vec![timed.clone()],
        groups: Vec::new(),
        group_sync_ms: None,
        requested_by: None,
    };
    links.create(request).await.expect("a link from a time");
    let key_timed = (timed.clone(), 0);
    let link = link_until(&links, &since, Duration::from_secs(120), "copied since then", |l| {
        l.partitions.get(&key_timed).is_some_and(|p| p.records == 40 && p.lag() == 0)
    })
    .await;
    assert_eq!(link.partitions[&key_timed].map.relation(), Relation::Shifted(-60));
    let copied = records(target, &timed);
    assert_eq!(copied.len(), 40);
    assert!(copied.iter().all(|r| r.4 >= from), "only records stamped from {from} on");
    links.delete(&since, true).await.unwrap();

    // Records the source deletes before they are copied are counted, and the copy goes on.
    links.set_paused(&latest, true).await.unwrap();
    link_until(&links, &latest, Duration::from_secs(30), "paused", |l| {
        l.status.as_ref().is_some_and(|s| s.state == LinkState::Paused)
    })
    .await;
    kcat_produce(source, None, &later, 20);
    link_data(source, "delete-before", &later, &["--offsets", "0:240"]);
    links.set_paused(&latest, false).await.unwrap();
    let link = link_until(&links, &latest, Duration::from_secs(120), "past the deleted", |l| {
        l.partitions.get(&key).is_some_and(|p| p.lost == 10 && p.records == 40 && p.lag() == 0)
    })
    .await;
    assert_eq!(link.partitions[&key].map.relation(), Relation::Mapped);
    for id in [&id, &latest] {
        links.delete(id, true).await.unwrap();
    }
}
