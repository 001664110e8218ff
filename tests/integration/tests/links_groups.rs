//! Consumers handed over by themselves: a linked group's member that joins the target through the
//! sidecar is held while the group still has a consumer on the source; once that one has left,
//! the group's last offsets are carried over and the held member goes on from them — nothing
//! read twice, nothing skipped. Handed back, the group's progress on the target goes back to the
//! source, and it is handed over again once its consumers have been back there (shown by their
//! commits alone). The source is the one-node source cluster, the target the plain cluster; the
//! consumers are librdkafka's (`link_data.py consume`).

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod links_common;
mod rest_common;

use links_common::{Beside, describe_link, group_status, mirror_status, promote, secured_sidecar};

use adminwire_protocol::CreateLinkRequest;
use adminwire_test_support::link_data::{command_via, link_data, link_data_via, produce};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic, wait_until};
use serde_json::Value;

/// `link_data.py consume` of `topic` in `group` against the cluster at `bootstrap`, as `client`:
/// `count` records, then (`stay`) staying in the group until its input closes.
fn consume(
    bootstrap: &str,
    topic: &str,
    group: &str,
    client: &str,
    count: usize,
    stay: bool,
) -> Command {
    let count = count.to_string();
    let mut args = vec!["--group", group, "--client-id", client, "--count", &count];
    args.extend(["--seconds", "300"]);
    if stay {
        args.push("--stay");
    }
    command_via(bootstrap, "consume", topic, &args)
}

/// Waits (bounded) until the sidecar has held `times` more joins of `group` than now: its
/// members have kept asking, and been kept waiting, that long.
fn held_again(sidecar: &TestSidecar, id: &str, group: &str, times: u32) {
    let sample =
        format!("adminwire_link_group_joins_held_total{{link=\"{id}\",group=\"{group}\"}}");
    let before = sidecar.metric(&sample).unwrap_or(0.0);
    wait_until(Duration::from_secs(60), &format!("{times} more joins of {group} held"), || {
        let now = sidecar.metric(&sample).unwrap_or(0.0);
        if now >= before + f64::from(times) { Ok(()) } else { Err(format!("{now} held")) }
    })
    .unwrap();
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Makes link `id` mirroring `topic` of `source` from its earliest record, carrying `groups` over
/// every half second.
fn make_link(
    connection: &mut RawConnection,
    id: &str,
    source: &Cluster,
    topic: &str,
    groups: Vec<String>,
) {
    let create = CreateLinkRequest {
        link_id: id.to_owned(),
        source_bootstrap: vec![source.bootstrap().to_owned()],
        start_position: "earliest".into(),
        topics: vec![topic.to_owned()],
        groups,
        group_sync_ms: 500,
        ..Default::default()
    };
    let made = connection.call(create, 0);
    assert_eq!(made.error_code, 0, "{made:?}");
}

/// Pauses (or resumes) link `id` and waits (bounded) until it runs that way.
fn set_paused(sidecar: &TestSidecar, connection: &mut RawConnection, id: &str, paused: bool) {
    let action = if paused { "pause" } else { "resume" };
    let answer = rest_common::curl(sidecar, "PUT", &format!("/links/{id}/{action}"), None, None);
    assert_eq!(answer.status, 202, "{answer:?}");
    wait_until(Duration::from_secs(60), &format!("the link {action}d"), || {
        let link = describe_link(connection, id).ok_or("no link")?;
        if (link.state == "PAUSED") == paused { Ok(()) } else { Err(format!("{link:?}")) }
    })
    .unwrap();
}

/// The offsets group `group` has committed on `topic` of the cluster at `bootstrap`, summed.
fn committed_sum(bootstrap: &str, topic: &str, group: &str) -> i64 {
    let lines = link_data_via(bootstrap, "committed", topic, &["--group", group]);
    let offsets = lines.first().and_then(Value::as_object).cloned().unwrap_or_default();
    offsets.values().filter_map(Value::as_i64).sum()
}

#[test]
fn a_group_is_handed_over_once_its_consumers_leave_the_source_and_can_be_handed_back() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let sidecar = TestSidecar::start_with(target, |config| config.links.group_quiet_ms = 1_000);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("handover");
    let group = unique_topic("handover-group");
    source.create_topic(&topic, 2);
    produce(source, &topic, 300);
    let all: BTreeSet<String> = link_data(source, "dump", &topic, &[])
        .iter()
        .filter_map(|l| l.get("value")?.as_str().map(str::to_owned))
        .collect();
    let all: BTreeSet<String> = all
        .into_iter()
        .map(|hex| String::from_utf8(hex_decode(&hex)).expect("a text value"))
        .collect();
    assert_eq!(all.len(), 300);

    // An application reading the source: 100 records, committed, and it stays.
    let mut on_source =
        Beside::start(consume(source.bootstrap(), &topic, &group, "app-on-source", 100, true));
    on_source.wait_for_records(100, Duration::from_secs(120));

    let id = unique_topic("handover").replace('.', "_");
    make_link(&mut connection, &id, source, &topic, vec![group.clone()]);
    wait_until(Duration::from_secs(120), "the group's offsets carried over", || {
        let g = group_status(&mut connection, &id, &group).ok_or("no group")?;
        let carried: i64 = g.offsets.iter().map(|o| o.offset).sum();
        let ready = carried == 100 && g.phase == "ON_SOURCE" && g.source_members.len() == 1;
        if ready { Ok(()) } else { Err(format!("{g:?}")) }
    })
    .unwrap();
    let g = group_status(&mut connection, &id, &group).expect("the group");
    assert_eq!(g.source_members[0].client_id, "app-on-source", "{g:?}");

    // The application started against the target, through the sidecar: held.
    let via = sidecar.bootstrap();
    let mut on_target = Beside::start(consume(&via, &topic, &group, "app-on-target", 200, false));
    let held = wait_until(Duration::from_secs(60), "the member on the target held", || {
        let g = group_status(&mut connection, &id, &group).ok_or("no group")?;
        g.held.iter().find(|h| h.client_id == "app-on-target").cloned().ok_or(format!("{g:?}"))
    })
    .unwrap();
    assert!(held.software.as_deref().is_some_and(|s| s.contains("rdkafka")), "{held:?}");
    let sample =
        format!("adminwire_link_group_joins_held_total{{link=\"{id}\",group=\"{group}\"}}");
    assert!(sidecar.metric(&sample).is_some_and(|n| n >= 1.0), "{sample}");
    // Held again and again: it reads nothing while the source consumer stays.
    held_again(&sidecar, &id, &group, 3);
    assert!(on_target.take().is_empty(), "nothing read while held: {:?}", on_target.take());
    let g = group_status(&mut connection, &id, &group).expect("the group");
    assert_eq!(g.phase, "ON_SOURCE", "{g:?}");

    // The source consumer stops: the group is handed over, and the held member reads the rest.
    let left_ms = now_ms();
    let read_on_source = Beside::values(&on_source.finish(Duration::from_secs(60)));
    let lines = on_target.finish(Duration::from_secs(120));
    let assigned_ms = lines.iter().find_map(|l| l.get("assigned_ms")?.as_i64()).expect("assigned");
    assert!(assigned_ms >= left_ms, "assigned only after the source consumer left");
    let read_on_target = Beside::values(&lines);
    let mut everything: Vec<String> = read_on_source.clone();
    everything.extend(read_on_target.iter().cloned());
    let distinct: BTreeSet<String> = everything.iter().cloned().collect();
    assert_eq!(everything.len(), 300, "each record read once: {} read", everything.len());
    assert_eq!(distinct, all, "every record read, none twice");
    let g = group_status(&mut connection, &id, &group).expect("the group");
    assert_eq!(g.phase, "MOVED", "{g:?}");
    assert!(g.moved_ms >= left_ms, "{g:?}");

    // Handed back: its progress on the target goes back to the source.
    let answer = rest_common::curl(
        &sidecar,
        "PUT",
        &format!("/links/{id}/groups/{group}/hand-back"),
        None,
        None,
    );
    assert_eq!(answer.status, 202, "{answer:?}");
    assert!(answer.header("content-type").is_some_and(|t| t.contains("json")), "{answer:?}");
    wait_until(Duration::from_secs(60), "the group back on the source", || {
        let g = group_status(&mut connection, &id, &group).ok_or("no group")?;
        if g.phase == "ON_SOURCE" { Ok(()) } else { Err(format!("{g:?}")) }
    })
    .unwrap();
    assert_eq!(committed_sum(source.bootstrap(), &topic, &group), 300, "the target's progress");
    // Its consumer comes back to the source, reads, commits and leaves while the link is paused:
    // the link never sees it as a member there, only its commits.
    set_paused(&sidecar, &mut connection, &id, true);
    link_data(source, "try-produce", &topic, &["--count", "30"]);
    let back = Beside::start(consume(source.bootstrap(), &topic, &group, "app-back", 30, false));
    let back = Beside::values(&back.finish(Duration::from_secs(120)));
    assert_eq!(back.len(), 30);
    assert!(back.iter().all(|v| !all.contains(v)), "only the records written since: {back:?}");
    set_paused(&sidecar, &mut connection, &id, false);
    let g = group_status(&mut connection, &id, &group).expect("the group");
    assert_eq!(g.phase, "ON_SOURCE", "{g:?}");
    // Started against the target again, it is handed over and goes on where it left the source
    // (where the copy of everything it read there ends).
    links_common::wait_caught_up(&mut connection, &id, 330);
    let ends: BTreeMap<i64, i64> = mirror_status(&mut connection, &id, &topic)
        .expect("the mirror")
        .partitions
        .iter()
        .map(|p| (i64::from(p.partition), p.target_next))
        .collect();
    link_data(source, "try-produce", &topic, &["--count", "20"]);
    let again = Beside::start(consume(&via, &topic, &group, "app-again", 20, false));
    let again = again.finish(Duration::from_secs(120));
    let mut firsts: BTreeMap<i64, i64> = BTreeMap::new();
    let mut read = 0;
    for line in &again {
        let (Some(partition), Some(offset)) = (line["partition"].as_i64(), line["offset"].as_i64())
        else {
            continue;
        };
        firsts.entry(partition).or_insert(offset);
        read += 1;
    }
    assert_eq!(read, 20, "{again:?}");
    for (partition, first) in &firsts {
        assert_eq!(Some(first), ends.get(partition), "partition {partition}: {again:?}");
    }
    let g = group_status(&mut connection, &id, &group).expect("the group");
    assert_eq!(g.phase, "MOVED", "{g:?}");
    let path = format!("/links/{id}/groups/nope/hand-over");
    let answer = rest_common::curl(&sidecar, "PUT", &path, None, None);
    rest_common::assert_error(&answer, 404, Some("GROUP_ID_NOT_FOUND"));
}

fn hex_decode(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Kafka's console consumer through the sidecar, in `group` (KIP-848's protocol with `kip_848`):
/// `count` records, then it commits and leaves.
fn java_consumer(cluster: &Cluster, via: &str, topic: &str, group: &str, kip_848: bool) -> Command {
    let mut command = cluster.java_tool_command("ConsoleConsumer");
    command.args(["--bootstrap-server", via, "--topic", topic, "--group", group]);
    // Earliest for a partition the group has not committed (as the source consumers do).
    command.args(["--from-beginning", "--max-messages", "200", "--timeout-ms", "180000"]);
    if kip_848 {
        command.args(["--consumer-property", "group.protocol=consumer"]);
    }
    command.stderr(Stdio::null());
    command
}

#[test]
fn java_consumers_of_classic_and_kip_848_groups_are_held_then_handed_over() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let sidecar = TestSidecar::start_with(target, |config| config.links.group_quiet_ms = 1_000);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("handover-java");
    source.create_topic(&topic, 2);
    produce(source, &topic, 300);
    let groups = [unique_topic("handover-classic"), unique_topic("handover-848")];
    let mut on_source: Vec<Beside> = groups
        .iter()
        .map(|g| Beside::start(consume(source.bootstrap(), &topic, g, "app-on-source", 100, true)))
        .collect();
    for consumer in &mut on_source {
        consumer.wait_for_records(100, Duration::from_secs(120));
    }
    let id = unique_topic("handover-java").replace('.', "_");
    make_link(&mut connection, &id, source, &topic, groups.to_vec());
    for group in &groups {
        wait_until(Duration::from_secs(120), "the group's offsets carried over", || {
            let g = group_status(&mut connection, &id, group).ok_or("no group")?;
            let carried: i64 = g.offsets.iter().map(|o| o.offset).sum();
            if carried == 100 && g.source_members.len() == 1 {
                Ok(())
            } else {
                Err(format!("{g:?}"))
            }
        })
        .unwrap();
    }

    let via = sidecar.bootstrap();
    let mut on_target: Vec<Beside> = groups
        .iter()
        .zip([false, true])
        .map(|(g, kip_848)| Beside::start(java_consumer(source, &via, &topic, g, kip_848)))
        .collect();
    for group in &groups {
        let held = wait_until(Duration::from_secs(90), "the Java member held", || {
            let g = group_status(&mut connection, &id, group).ok_or("no group")?;
            g.held.first().cloned().ok_or(format!("{g:?}"))
        })
        .unwrap();
        assert!(held.software.as_deref().is_some_and(|s| s.contains("java")), "{held:?}");
    }
    for group in &groups {
        held_again(&sidecar, &id, group, 3);
    }
    for consumer in &mut on_target {
        assert!(consumer.take().is_empty(), "nothing read while held: {:?}", consumer.take());
    }

    let mut read_on_source = Vec::new();
    for consumer in on_source {
        read_on_source.push(Beside::values(&consumer.finish(Duration::from_secs(60))));
    }
    for ((consumer, group), on_source) in on_target.into_iter().zip(&groups).zip(read_on_source) {
        let on_target = Beside::values(&consumer.finish(Duration::from_secs(180)));
        assert_eq!(on_target.len(), 200, "{group}: the rest, read on the target");
        let mut everything: Vec<String> = on_source;
        everything.extend(on_target);
        let distinct: BTreeSet<&String> = everything.iter().collect();
        assert_eq!(distinct.len(), 300, "{group}: every record read once");
        let g = group_status(&mut connection, &id, group).expect("the group");
        assert_eq!(g.phase, "MOVED", "{g:?}");
    }
}

#[test]
fn promotion_waits_until_every_producer_and_group_has_switched_and_names_those_left() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    // A short window, so that writes to the source directly age out within the test.
    let sidecar = TestSidecar::start_with(target, |config| {
        config.links.switch_window_ms = 4_000;
        config.links.group_quiet_ms = 1_000;
    });
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("switch");
    let group = unique_topic("switch-group");
    source.create_topic(&topic, 1);
    produce(source, &topic, 20);
    let mut on_source =
        Beside::start(consume(source.bootstrap(), &topic, &group, "app-on-source", 20, true));
    on_source.wait_for_records(20, Duration::from_secs(120));
    let id = unique_topic("switch").replace('.', "_");
    make_link(&mut connection, &id, source, &topic, vec![group.clone()]);

    // An idempotent producer still writing to the source directly, and the group's consumer
    // still there: both named.
    produce(source, &topic, 20);
    let writer = wait_until(Duration::from_secs(120), "the direct producer seen", || {
        let m = mirror_status(&mut connection, &id, &topic).ok_or("no mirror")?;
        m.source_writers.first().cloned().ok_or(format!("{m:?}"))
    })
    .unwrap();
    assert_eq!(writer.records, 20, "{writer:?}");
    wait_until(Duration::from_secs(60), "the group's member on the source seen", || {
        let g = group_status(&mut connection, &id, &group).ok_or("no group")?;
        if g.source_members.is_empty() { Err(format!("{g:?}")) } else { Ok(()) }
    })
    .unwrap();
    let refused = promote(&mut connection, &id, &topic);
    assert_eq!(refused.error_code, 1016, "{refused:?}");
    let why = refused.error_message.unwrap_or_default();
    assert!(
        why.contains(&format!("producer id {} wrote 20 record(s)", writer.producer_id)),
        "{why}"
    );
    assert!(
        why.contains(&format!("group {group} is still on the source (app-on-source at")),
        "{why}"
    );

    // The consumer leaves and the group is handed over; producers write through the sidecar,
    // with and without idempotence: routed, and named as switched, not as writing directly.
    Beside::values(&on_source.finish(Duration::from_secs(60)));
    let hand_over = adminwire_protocol::AlterLinkRequest {
        link_id: id.clone(),
        action: 3,
        groups: vec![group.clone()],
        ..Default::default()
    };
    assert_eq!(connection.call(hand_over, 0).error_code, 0);
    let via = sidecar.bootstrap();
    link_data_via(&via, "produce", &topic, &["--count", "20"]);
    let plain = link_data_via(&via, "try-produce", &topic, &["--count", "10"]);
    assert_eq!(plain[0]["delivered"], 10, "{plain:?}");
    let m = wait_until(Duration::from_secs(120), "only routed writes in the window", || {
        let m = mirror_status(&mut connection, &id, &topic).ok_or("no mirror")?;
        let settled = m.lag == 0
            && m.writers_watched
            && m.source_writers.is_empty()
            && m.unrouted_records == 0
            && !m.switched.is_empty();
        if settled { Ok(m) } else { Err(format!("{m:?}")) }
    })
    .unwrap();
    assert_eq!(m.switched[0].client_id, "rdkafka", "{m:?}");
    assert_eq!(m.switched[0].host, "127.0.0.1", "{m:?}");
    assert!(m.switched[0].software.as_deref().is_some_and(|s| s.contains("rdkafka")), "{m:?}");

    // A producer without idempotence writing to the source directly is counted, and blocks.
    let direct = link_data(source, "try-produce", &topic, &["--count", "5"]);
    assert_eq!(direct[0]["delivered"], 5, "{direct:?}");
    wait_until(Duration::from_secs(60), "the unrouted records seen", || {
        let m = mirror_status(&mut connection, &id, &topic).ok_or("no mirror")?;
        if m.unrouted_records == 5 { Ok(()) } else { Err(format!("{m:?}")) }
    })
    .unwrap();
    let refused = promote(&mut connection, &id, &topic);
    assert_eq!(refused.error_code, 1016, "{refused:?}");
    let why = refused.error_message.unwrap_or_default();
    assert!(why.contains("5 record(s) without a producer id"), "{why}");
    assert!(!why.contains("group"), "the group is handed over: {why}");

    // Once the window has passed without a direct write, the promotion is taken.
    wait_until(Duration::from_secs(60), "the window passed", || {
        let m = mirror_status(&mut connection, &id, &topic).ok_or("no mirror")?;
        if m.unrouted_records == 0 && m.source_writers.is_empty() {
            Ok(())
        } else {
            Err(format!("{m:?}"))
        }
    })
    .unwrap();
    let taken = promote(&mut connection, &id, &topic);
    assert_eq!(taken.error_code, 0, "{taken:?}");
    let promoted = |connection: &mut RawConnection, state: &str| {
        wait_until(Duration::from_secs(60), &format!("the mirror {state}"), || {
            let m = mirror_status(connection, &id, &topic).ok_or("no mirror")?;
            if m.state == state { Ok(()) } else { Err(format!("{m:?}")) }
        })
        .unwrap();
    };
    promoted(&mut connection, "PROMOTED");

    // Undone while nothing was written to it: copied again, and writes routed again.
    let undo = |connection: &mut RawConnection| {
        let request = adminwire_protocol::PromoteMirrorRequest {
            link_id: id.clone(),
            topic: topic.clone(),
            undo: true,
            ..Default::default()
        };
        connection.call(request, 0)
    };
    assert_eq!(undo(&mut connection).error_code, 0);
    promoted(&mut connection, "ACTIVE");
    link_data_via(&via, "produce", &topic, &["--count", "5"]);
    let copied = wait_until(Duration::from_secs(60), "the routed write copied", || {
        let lines = link_data(source, "dump", &topic, &[]);
        let on_source = lines.iter().filter(|l| l.get("offset").is_some()).count();
        let m = mirror_status(&mut connection, &id, &topic).ok_or("no mirror")?;
        if m.lag == 0 && on_source == 80 {
            Ok(on_source)
        } else {
            Err(format!("{on_source} {m:?}"))
        }
    })
    .unwrap();
    assert_eq!(copied, 80, "the write went to the source again");

    // Promoted again (forced) and written to: the promotion can no longer be undone.
    let forced = adminwire_protocol::PromoteMirrorRequest {
        link_id: id.clone(),
        topic: topic.clone(),
        force: true,
        ..Default::default()
    };
    assert_eq!(connection.call(forced, 0).error_code, 0);
    promoted(&mut connection, "PROMOTED");
    link_data_via(&via, "produce", &topic, &["--count", "3"]);
    let refused = undo(&mut connection);
    assert_eq!(refused.error_code, 1014, "{refused:?}");
    let why = refused.error_message.unwrap_or_default();
    assert!(
        why.contains("was written to since its promotion (partition 0: its end is 83"),
        "{why}"
    );
}

#[test]
fn a_client_the_broker_refuses_the_group_is_refused_and_not_counted_as_waiting() {
    use kafka_protocol::messages::{ApiKey, GroupId, JoinGroupRequest, JoinGroupResponse};
    use kafka_protocol::protocol::StrBytes;

    let (source, target) = (Cluster::source(), Cluster::secure());
    let sidecar = secured_sidecar(target);
    let mut admin = RawConnection::connect_as(&sidecar.bootstrap(), target, "admin");
    // alice may use groups named alice-*, bob no group at all.
    let topic = unique_topic("alice-held");
    let group = unique_topic("alice-held-group");
    source.create_topic(&topic, 1);
    let id = unique_topic("held").replace('.', "_");
    make_link(&mut admin, &id, source, &topic, vec![group.clone()]);
    let join = |user: &str| {
        let mut connection = RawConnection::connect_as(&sidecar.bootstrap(), target, user);
        let body = JoinGroupRequest::default()
            .with_group_id(GroupId(StrBytes::from_string(group.clone())))
            .with_session_timeout_ms(10_000)
            .with_rebalance_timeout_ms(10_000)
            .with_member_id(StrBytes::default())
            .with_protocol_type(StrBytes::from_static_str("consumer"));
        connection.send(ApiKey::JoinGroup, 9, 1, &body);
        let (_, answer): (i32, JoinGroupResponse) = connection.receive(ApiKey::JoinGroup, 9);
        answer.error_code
    };
    // The link is taken up (its group known to be on the source) before anyone joins.
    wait_until(Duration::from_secs(60), "the group on the source", || {
        let g = group_status(&mut admin, &id, &group).ok_or("no group")?;
        if g.phase == "ON_SOURCE" { Ok(()) } else { Err(format!("{g:?}")) }
    })
    .unwrap();
    assert_eq!(join("bob"), 30, "GROUP_AUTHORIZATION_FAILED, as the broker would answer");
    // Counted (and noted) only once allowed, before the answer: bob never was.
    let held_joins =
        format!("adminwire_link_group_joins_held_total{{link=\"{id}\",group=\"{group}\"}}");
    assert_eq!(sidecar.metric(&held_joins), None, "bob counts for nothing");
    let g = group_status(&mut admin, &id, &group).expect("the group");
    assert!(g.held.is_empty(), "bob is not waiting: {g:?}");
    assert_eq!(join("alice"), 14, "alice is held");
    let held = wait_until(Duration::from_secs(60), "alice noted", || {
        let g = group_status(&mut admin, &id, &group).ok_or("no group")?;
        g.held.first().cloned().ok_or(format!("{g:?}"))
    })
    .unwrap();
    assert_eq!(held.principal.as_deref(), Some("User:alice"), "{held:?}");
    assert!(sidecar.metric(&held_joins).is_some_and(|n| n >= 1.0), "alice's join counted");
}
