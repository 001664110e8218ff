//! A cluster link's copier between two real clusters (the one-node source cluster and the plain
//! one): keyed records with headers and a transactional topic with aborted transactions are copied
//! round by round, and read back on both sides by confluent-kafka (read_committed) as an
//! independent witness: every record equal and in order, at the same offset where the copy says
//! the offsets are identical, and exactly at its translated offset where they are mapped.

mod links_common;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use adminwire_jobs::link::copy::{Copier, Key, Progress};
use adminwire_jobs::link::offsets::Relation;
use adminwire_test_support::link_data::{
    link_data, link_data_command, record_content, records_by_partition,
};
use adminwire_test_support::{Cluster, unique_topic};
use links_common::client;
use serde_json::Value;

/// Rounds until every partition has copied what its source holds, at most `within`; the progress
/// after the first round that copied something.
async fn copy_all(
    copier: &mut Copier,
    progress: &mut BTreeMap<Key, Progress>,
    within: Duration,
) -> Option<BTreeMap<Key, Progress>> {
    let deadline = Instant::now() + within;
    let mut rounds = 0;
    let mut early = None;
    loop {
        let round = copier.round(progress).await.expect("a round");
        if round.records > 0 && early.is_none() {
            early = Some(progress.clone());
        }
        rounds += 1;
        // A round after the sources' ends were seen: nothing left behind.
        let caught_up = rounds > 1 && progress.values().all(|p| p.lag() == 0 && p.source_end > 0);
        if caught_up {
            return early;
        }
        assert!(Instant::now() < deadline, "not copied within {within:?}: {progress:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_copied_in_order_with_offsets_identical_or_exactly_mapped() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let plain = unique_topic("link-plain");
    let transactional = unique_topic("link-txn");
    for topic in [&plain, &transactional] {
        source.create_topic(topic, 2);
        target.create_topic(topic, 2);
    }
    link_data(source, "produce", &plain, &["--count", "3000"]);
    let written = link_data(source, "transactions", &transactional, &["--count", "30"]);
    assert_eq!(written[0]["aborted"], 50, "{written:?}");

    // Small fetches: several rounds, and progress to take up from in between.
    let mut copier = Copier::new(client(source), client(target)).with_fetch_bytes(16 * 1024);
    let mut progress: BTreeMap<Key, Progress> = [&plain, &transactional]
        .iter()
        .flat_map(|t| (0..2).map(move |p| ((t.to_string(), p), Progress::from(0))))
        .collect();
    let early = copy_all(&mut copier, &mut progress, Duration::from_secs(120)).await;

    for topic in [&plain, &transactional] {
        let on_source = records_by_partition(source.bootstrap(), topic);
        let on_target = records_by_partition(target.bootstrap(), topic);
        assert_eq!(on_source.keys().collect::<Vec<_>>(), on_target.keys().collect::<Vec<_>>());
        for (partition, records) in &on_source {
            let copies = &on_target[partition];
            let what = format!("{topic}-{partition}");
            assert_eq!(copies.len(), records.len(), "{what}: every committed record, once");
            let p = &progress[&(topic.to_string(), *partition as i32)];
            for (record, copy) in records.iter().zip(copies) {
                assert_eq!(record_content(record), record_content(copy), "{what}: equal, in order");
                let at = record["offset"].as_i64().unwrap();
                assert_eq!(
                    p.map.translate(at, p.source_next),
                    copy["offset"].as_i64(),
                    "{what}: source offset {at} translates to where it landed"
                );
            }
            let expected = if topic == &plain { Relation::Identical } else { Relation::Mapped };
            assert_eq!(p.map.relation(), expected, "{what}: {:?}", p.map);
            assert_eq!(p.records, records.len() as u64, "{what}");
        }
    }
    // The plain topic's records carry their headers; the aborted transactions' are not there.
    let target_plain = link_data(target, "dump", &plain, &[]);
    assert!(target_plain.iter().any(|r| r["headers"].as_array().is_some_and(|h| h.len() == 2)));
    let target_txn = link_data(target, "dump", &transactional, &[]);
    assert_eq!(target_txn.iter().filter(|r| r.get("offset").is_some()).count(), 100);

    // Taken up again from progress saved early on (as after a restart): the records copied since
    // are found on the target and taken into the map, none copied twice.
    let mut resumed = early.expect("a round copied something");
    assert_ne!(resumed, progress, "saved before the end");
    let mut again = Copier::new(client(source), client(target));
    let mismatched = again.reconcile(&mut resumed).await.expect("reconciled");
    assert!(mismatched.is_empty(), "{mismatched:?}");
    for (key, p) in &progress {
        assert_eq!(resumed[key].map, p.map, "{key:?}");
    }
    let round = again.round(&mut resumed).await.expect("a round");
    assert_eq!(round.records, 0, "nothing copied twice");
    for (key, p) in &progress {
        // Past the transactions' last markers too, once a round has read them.
        assert_eq!(resumed[key].source_next, p.source_next, "{key:?}");
    }
    let copies =
        link_data(target, "dump", &plain, &[]).iter().filter(|r| r.get("offset").is_some()).count();
    assert_eq!(copies, 3_000);

    // A record the link did not write, on the target: the partition is refused, not copied on.
    let mut foreign = target.kcat(None);
    foreign.args(["-P", "-t", &plain, "-p", "0", "-k", "x"]);
    let mut child = foreign.stdin(std::process::Stdio::piped()).spawn().expect("kcat");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"not from the source\n").unwrap();
    drop(child.stdin.take());
    assert!(child.wait().expect("kcat ends").success());
    link_data(source, "produce", &plain, &["--count", "10"]);
    let mut after = progress.clone();
    let mismatched =
        Copier::new(client(source), client(target)).reconcile(&mut after).await.unwrap();
    assert_eq!(mismatched.len(), 1, "{mismatched:?}");
    assert_eq!(mismatched[0].0, (plain.clone(), 0));
    assert!(mismatched[0].1.contains("did not write"), "{mismatched:?}");
}

/// `group`'s committed offsets of `topic` on `cluster`, by partition.
fn committed(cluster: &Cluster, group: &str, topic: &str) -> BTreeMap<i32, i64> {
    let lines = link_data(cluster, "committed", topic, &["--group", group]);
    let found = lines.last().and_then(Value::as_object).cloned().unwrap_or_default();
    found.iter().map(|(p, o)| (p.parse().unwrap(), o.as_i64().unwrap())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_offsets_are_carried_over_exactly_never_backwards_and_not_over_active_members() {
    use adminwire_jobs::link::groups;
    use adminwire_jobs::link::state::GroupStatus;

    let (source, target) = (Cluster::source(), Cluster::plain());
    let plain = unique_topic("link-group-plain");
    let transactional = unique_topic("link-group-txn");
    for topic in [&plain, &transactional] {
        source.create_topic(topic, 2);
        target.create_topic(topic, 2);
    }
    link_data(source, "produce", &plain, &["--count", "500"]);
    link_data(source, "transactions", &transactional, &["--count", "12"]);
    let mut copier = Copier::new(client(source), client(target));
    let mut progress: BTreeMap<Key, Progress> = [&plain, &transactional]
        .iter()
        .flat_map(|t| (0..2).map(move |p| ((t.to_string(), p), Progress::from(0))))
        .collect();
    copy_all(&mut copier, &mut progress, Duration::from_secs(120)).await;

    let group = unique_topic("link-group");
    let commit = |topic: &str, offsets: &str| {
        link_data(source, "commit", topic, &["--group", &group, "--offsets", offsets]);
    };
    commit(&plain, "0:200,1:100");
    // Late in each transactional partition, after aborted transactions and markers.
    let late: Vec<i64> =
        (0..2).map(|p| progress[&(transactional.clone(), p)].source_next - 1).collect();
    commit(&transactional, &format!("0:{},1:{}", late[0], late[1]));
    let (from, to) = (client(source), client(target));
    let sync = |last: GroupStatus| {
        let (from, to, progress, group) = (&from, &to, &progress, &group);
        async move {
            let look = groups::Look {
                source: from,
                target: to,
                copies: progress,
                quiet_ms: 1_000,
                now: 1,
            };
            groups::step(&look, group, &last, None, None).await.expect("a sync")
        }
    };
    // A cluster just started may still be loading its group coordinators: the link's runner
    // tries again at its interval, and so does this, for a bounded time.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut status = sync(GroupStatus::default()).await;
    while status.waiting.is_some() {
        assert!(Instant::now() < deadline, "never carried over: {status:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        status = sync(status).await;
    }
    assert_eq!(committed(target, &group, &plain), BTreeMap::from([(0, 200), (1, 100)]));
    let translate = |partition: i32, offset: i64| {
        let p = &progress[&(transactional.clone(), partition)];
        p.map.translate(offset, p.source_next).unwrap()
    };
    let expected = BTreeMap::from([(0, translate(0, late[0])), (1, translate(1, late[1]))]);
    assert_eq!(committed(target, &group, &transactional), expected);
    assert!(expected[&0] < late[0] && expected[&1] < late[1], "mapped: {expected:?} {late:?}");

    // Never backwards: a source moved back leaves the target where it was.
    commit(&plain, "0:50");
    let status = sync(status).await;
    assert_eq!(committed(target, &group, &plain), BTreeMap::from([(0, 200), (1, 100)]));

    // Not while the group has members on the target: they commit their own.
    commit(&plain, "0:400");
    let mut member =
        link_data_command(target, "hold", &plain, &["--group", &group, "--seconds", "40"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("a member joins");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = status;
    loop {
        last = sync(last).await;
        if last.waiting.as_deref().is_some_and(|w| w.contains("member")) {
            break;
        }
        assert!(Instant::now() < deadline, "the member never showed: {last:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(committed(target, &group, &plain)[&0], 200, "left to the member");
    let _ = member.kill();
    let _ = member.wait();
}
