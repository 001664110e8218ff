//! A cluster link run by the sidecar's binary through real faults, with a producer writing to
//! the source throughout: the sidecar SIGKILLed mid-copy (a second sidecar takes the link up from
//! the state topic), then the source's broker killed (the link says `SOURCE_UNAVAILABLE`) and
//! started again (the link goes on by itself). Afterwards each mirror holds exactly its source's
//! records, in order, with no duplicate and no gap: a topic the producer writes to (offsets
//! identical) and a compacted topic whose cleaned log has gaps (offsets mapped).

mod process;
use std::collections::BTreeMap;
use std::process::Child;
use std::time::Duration;

use adminwire_protocol::generated::describe_links_response::Link;
use adminwire_protocol::{CreateLinkRequest, DeleteLinkRequest, DescribeLinksRequest};
use adminwire_test_support::link_data::{
    link_data, link_data_command, produce, record_content, records_by_partition,
};
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic, wait_until};
use process::SidecarProcess;

fn describe(sidecar: &SidecarProcess, id: &str) -> Result<Link, String> {
    let request = DescribeLinksRequest {
        link_ids: Some(vec![id.to_owned()]),
        include_partitions: true,
        ..Default::default()
    };
    let mut answer = RawConnection::connect(&sidecar.bootstrap).call(request, 0);
    match answer.links.pop() {
        Some(link) if answer.error_code == 0 && link.error_code == 0 => Ok(link),
        _ => Err(format!("{answer:?}")),
    }
}

fn link_until(
    sidecar: &SidecarProcess,
    id: &str,
    what: &str,
    within: Duration,
    ready: impl Fn(&Link) -> bool,
) -> Link {
    let found = wait_until(within, what, || {
        let link = describe(sidecar, id)?;
        if ready(&link) { Ok(link) } else { Err(format!("{link:#?}")) }
    });
    found.unwrap_or_else(|e| panic!("{e}; sidecar log {}", sidecar.log.display()))
}

/// Records the mirror of `topic` has copied, over its partitions.
fn copied(link: &Link, topic: &str) -> i64 {
    let mirror = link.mirrors.iter().find(|m| m.topic == topic);
    mirror.map_or(0, |m| m.partitions.iter().map(|p| p.records).sum())
}

/// A compacted topic on `source` whose log has been cleaned: fewer records than offsets.
fn cleaned_compacted_topic(source: &Cluster) -> String {
    let topic = unique_topic("faults-compacted");
    let configs = [
        "cleanup.policy=compact",
        "segment.ms=100",
        "min.cleanable.dirty.ratio=0.01",
        "min.compaction.lag.ms=0",
    ];
    let mut args = vec!["--create", "--topic", &topic, "--partitions", "1"];
    args.extend(["--replication-factor", "1"]);
    for config in &configs {
        args.extend(["--config", config]);
    }
    source.topic_command("admin", &args).expect_success("creating the compacted topic");
    // 50 keys over 2,000 records, stamped now; each later write (of key-0) rolls the last
    // segment (segment.ms, which goes by the records' timestamps), which makes it cleanable, and
    // the cleaner then leaves the last record of each key. The last 50 of the first 2,000 are one
    // of each key, so the log has a gap inside (not only before its start) once an earlier key-0
    // written here has been cleaned away too.
    let now =
        |count: &str| link_data(source, "produce", &topic, &["--count", count, "--current-time"]);
    now("2000");
    let cleaned = wait_until(Duration::from_secs(180), "the compacted topic cleaned", || {
        now("1");
        let records = records_by_partition(source.bootstrap(), &topic);
        let log = &records[&0];
        let offset = |r: Option<&serde_json::Value>| r.and_then(|r| r["offset"].as_i64());
        let (first, last) = (offset(log.first()).unwrap_or(0), offset(log.last()).unwrap_or(0));
        let gaps_inside = (log.len() as i64) < last - first + 1;
        if gaps_inside && first > 0 {
            Ok(())
        } else {
            Err(format!("{} records at offsets {first}..={last}", log.len()))
        }
    });
    cleaned.unwrap_or_else(|e| panic!("{e}"));
    // No cleaning from here on, on the source or on its mirror (made with the source's configs),
    // so that both hold the same records at the end.
    let properties = source.client_properties("admin");
    let properties = properties.to_str().expect("utf-8 path");
    let alter = [
        "--bootstrap-server",
        source.bootstrap(),
        "--command-config",
        properties,
        "--alter",
        "--entity-type",
        "topics",
        "--entity-name",
        &topic,
        "--add-config",
        "min.cleanable.dirty.ratio=0.99,segment.ms=604800000",
    ];
    source.kafka_tool("ConfigCommand", &alter).expect_success("stopping the cleaning");
    topic
}

/// Each partition's records on both clusters: the same, in order; offsets the same where the
/// link says `IDENTICAL`.
fn assert_mirrored(source: &Cluster, target: &Cluster, link: &Link, topic: &str) {
    let on_source = records_by_partition(source.bootstrap(), topic);
    let on_target = records_by_partition(target.bootstrap(), topic);
    assert_eq!(on_source.len(), on_target.len(), "{topic}: partitions");
    let mirror = link.mirrors.iter().find(|m| m.topic == topic).expect("the mirror");
    let relations: BTreeMap<i64, &str> =
        mirror.partitions.iter().map(|p| (i64::from(p.partition), p.offsets.as_str())).collect();
    for (partition, records) in &on_source {
        let copies = &on_target[partition];
        let what = format!("{topic}-{partition}");
        assert_eq!(records.len(), copies.len(), "{what}: no duplicate and no gap");
        for (record, copy) in records.iter().zip(copies) {
            assert_eq!(record_content(record), record_content(copy), "{what}: equal, in order");
            if relations.get(partition) == Some(&"IDENTICAL") {
                assert_eq!(record["offset"], copy["offset"], "{what}: offsets identical");
            }
        }
    }
}

/// Waits for the producer running beside the test; it rides out the source's restart.
fn finish(mut producer: Child) {
    let ended = wait_until(Duration::from_secs(300), "the producer to finish", || {
        producer.try_wait().map_err(|e| e.to_string())?.ok_or_else(|| "running".to_owned())
    });
    let status = ended.unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "the producer failed: {status}");
}

#[test]
fn a_link_survives_its_sidecar_killed_and_its_source_restarted() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let node = source.node_ids()[0];
    let _restart = source.restart_on_drop(node);
    let written = unique_topic("faults-written");
    source.create_topic(&written, 2);
    produce(source, &written, 5_000);
    let compacted = cleaned_compacted_topic(source);
    let state_topic = unique_topic("faults-state");

    let first = SidecarProcess::start(target, &state_topic, 500);
    let id = unique_topic("faults").replace('.', "_");
    let create = CreateLinkRequest {
        link_id: id.clone(),
        source_bootstrap: vec![source.bootstrap().to_owned()],
        start_position: "earliest".into(),
        topics: vec![written.clone(), compacted.clone()],
        ..Default::default()
    };
    let made = RawConnection::connect(&first.bootstrap).call(create, 0);
    assert_eq!(made.error_code, 0, "{made:?}");
    // 60,000 records at 3,000 a second: about 20 s of writes while the link copies.
    let mut producer =
        link_data_command(source, "produce", &written, &["--count", "60000", "--rate", "3000"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the producer starts");

    // Killed mid-copy: some of the written topic copied, the producer still writing.
    let before = link_until(&first, &id, "copying under way", Duration::from_secs(120), |l| {
        copied(l, &written) > 0
    });
    assert!(
        producer.try_wait().expect("the producer's status").is_none(),
        "the producer must still be writing when the sidecar is killed"
    );
    first.kill();
    let second = SidecarProcess::start(target, &state_topic, 500);
    let after_kill = copied(&before, &written);
    link_until(&second, &id, "the next sidecar copying on", Duration::from_secs(120), |l| {
        l.state == "ACTIVE" && copied(l, &written) > after_kill
    });

    // The source down, then up again.
    source.kill_node(node);
    link_until(&second, &id, "the source missed", Duration::from_secs(120), |l| {
        l.state == "SOURCE_UNAVAILABLE" && l.mirrors.iter().all(|m| m.state == "SOURCE_UNAVAILABLE")
    });
    source.restart_node(node);
    finish(producer);

    let source_records = |topic: &str| -> usize {
        records_by_partition(source.bootstrap(), topic).values().map(Vec::len).sum()
    };
    let (written_count, compacted_count) = (source_records(&written), source_records(&compacted));
    let link = link_until(&second, &id, "everything copied", Duration::from_secs(180), |l| {
        l.state == "ACTIVE"
            && l.mirrors.iter().all(|m| m.state == "ACTIVE" && m.lag == 0)
            && copied(l, &written) == written_count as i64
            && copied(l, &compacted) == compacted_count as i64
    });
    assert_mirrored(source, target, &link, &written);
    assert_mirrored(source, target, &link, &compacted);
    let compacted_mirror = link.mirrors.iter().find(|m| m.topic == compacted).unwrap();
    assert_eq!(compacted_mirror.partitions[0].offsets, "MAPPED", "{compacted_mirror:?}");
    let written_mirror = link.mirrors.iter().find(|m| m.topic == written).unwrap();
    assert!(written_mirror.partitions.iter().all(|p| p.offsets == "IDENTICAL"), "{link:?}");

    let delete = DeleteLinkRequest { link_id: id, delete_mirrors: true, ..Default::default() };
    let deleted = RawConnection::connect(&second.bootstrap).call(delete, 0);
    assert_eq!(deleted.error_code, 0, "{deleted:?}");
}
