//! The seed's migration, whole, with applications running throughout: a librdkafka
//! (confluent-kafka) and a Java (Kafka's VerifiableProducer) producer write keyed records, and a
//! librdkafka and a Java (VerifiableConsumer, KIP-848's protocol) consumer group read them, while
//!
//! 1. the producers move to the target through the sidecar, one batch after the other (their
//!    writes routed to the source), with a rollback of the first batch and a sidecar restart in
//!    between; the producer still writing to the source directly blocks promotion and is named;
//! 2. the consumers move, each group held until its consumer on the source has left, then handed
//!    over; one group is handed back to the source and moved again, and the sidecar restarts
//!    while a group is held;
//! 3. the mirror is promoted, the promotion undone (before anything was written to it), the
//!    sidecar restarted, and the mirror promoted again, the producers then writing to it.
//!
//! At the end, every record the producers were acknowledged is on the target exactly once (and
//! nothing else), in each producer's order; the source holds the same records at the same offsets
//! up to the promotion; and each consumer instance went on exactly where its group's committed
//! progress stood, so that every group read every record. The source is the one-node source
//! cluster, the target the plain cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

mod links_common;
mod rest_common;

use adminwire_protocol::{CreateLinkRequest, PromoteMirrorRequest};
use adminwire_sidecar::config::Config;
use adminwire_test_support::link_data::{command_via, records_by_partition};
use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, unique_topic, wait_until};
use links_common::{Beside, describe_link, group_status, mirror_status, promote};
use serde_json::Value;

/// How long any one condition may take to come true.
const WITHIN: Duration = Duration::from_secs(120);
/// Records a second each producer writes.
const RATE: &str = "100";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Library {
    Librdkafka,
    Java,
}

/// A properties file for one of the Java clients, in this test's scratch dir.
fn properties(name: &str, lines: &[&str]) -> PathBuf {
    let path =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("migration-{name}.properties"));
    std::fs::write(&path, lines.join("\n")).expect("the properties written");
    path
}

/// What the running instance of an application has printed so far; it must still run.
fn lines_so_far(running: &mut Option<Beside>) -> Vec<Value> {
    let running = running.as_mut().expect("an instance running");
    running.assert_running();
    running.take().to_vec()
}

/// Waits (bounded) until `count` has grown by `more`.
fn wait_for_more(what: &str, more: usize, mut count: impl FnMut() -> usize) {
    let wanted = count() + more;
    wait_until(WITHIN, what, || {
        let now = count();
        if now >= wanted { Ok(()) } else { Err(format!("{now} of {wanted}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Stops the running instance of an application of `library` as such an application stops
/// (librdkafka's when its input closes, Java's on SIGTERM); every line it printed.
fn stop_instance(library: Library, running: &mut Option<Beside>) -> Vec<Value> {
    let running = running.take().expect("an instance running");
    match library {
        Library::Librdkafka => running.finish(WITHIN),
        Library::Java => running.terminate(WITHIN),
    }
}

/// One application's producer: its instances run one after another, each against the source or
/// through the sidecar, as an application is restarted with another bootstrap address.
struct Producer {
    library: Library,
    topic: String,
    running: Option<Beside>,
    instances: u32,
    /// librdkafka's: the sequence its next instance starts from.
    next: i64,
    /// Every value any of its instances was acknowledged.
    acked: BTreeSet<String>,
    /// From when (ms since the epoch) to measure pauses between acknowledgements.
    pauses_from_ms: i64,
    /// The longest time its last stopped instance went without an acknowledgement from
    /// `pauses_from_ms` on, in ms.
    longest_pause_ms: i64,
}

impl Producer {
    fn new(library: Library, topic: &str) -> Self {
        let topic = topic.to_owned();
        Self {
            library,
            topic,
            running: None,
            instances: 0,
            next: 0,
            acked: BTreeSet::new(),
            pauses_from_ms: 0,
            longest_pause_ms: 0,
        }
    }

    /// Starts its next instance against `bootstrap`.
    fn start(&mut self, bootstrap: &str) {
        assert!(self.running.is_none(), "one instance at a time");
        self.instances += 1;
        let command = match self.library {
            Library::Librdkafka => {
                let start = self.next.to_string();
                let args = [
                    "--name",
                    "rdkafka",
                    "--start",
                    &start,
                    "--rate",
                    RATE,
                    "--client-id",
                    "rdkafka-app",
                ];
                command_via(bootstrap, "app-produce", &self.topic, &args)
            }
            Library::Java => {
                let config = properties(
                    "producer",
                    &[
                        "client.id=java-app",
                        "retries=2147483647",
                        "max.in.flight.requests.per.connection=5",
                        "enable.idempotence=true",
                        "linger.ms=5",
                        "delivery.timeout.ms=180000",
                    ],
                );
                let mut java =
                    Cluster::plain().java_tool_command("org.apache.kafka.tools.VerifiableProducer");
                java.args(["--bootstrap-server", bootstrap, "--topic", &self.topic])
                    .args(["--throughput", RATE, "--repeating-keys", "10"])
                    .args(["--value-prefix", &self.instances.to_string()])
                    .arg("--producer.config")
                    .arg(config);
                java
            }
        };
        self.running = Some(Beside::start(command));
    }

    /// The value of a line reporting an acknowledged record.
    fn acked_value(&self, line: &Value) -> Option<String> {
        let value = match self.library {
            Library::Librdkafka => line.get("acked")?,
            Library::Java if line["name"] == "producer_send_success" => line.get("value")?,
            Library::Java => return None,
        };
        value.as_str().map(str::to_owned)
    }

    fn acked_by_running(&mut self) -> usize {
        let lines = lines_so_far(&mut self.running);
        lines.iter().filter(|l| self.acked_value(l).is_some()).count()
    }

    /// Waits (bounded) until its running instance has been acknowledged `more` records more.
    fn wait_acked(&mut self, more: usize) {
        let what = format!("{more} more records acknowledged to {:?}", self.library);
        wait_for_more(&what, more, || self.acked_by_running());
    }

    /// Stops its running instance as an application stops: everything sent is acknowledged
    /// first, and nothing may have failed.
    fn stop(&mut self) {
        let lines = stop_instance(self.library, &mut self.running);
        let failed: Vec<&Value> = lines
            .iter()
            .filter(|l| l.get("failed").is_some() || l["name"] == "producer_send_error")
            .collect();
        assert!(failed.is_empty(), "{:?} failed to write: {failed:?}", self.library);
        let mut times: Vec<i64> = lines
            .iter()
            .filter(|l| self.acked_value(l).is_some())
            .filter_map(|l| l.get("ms").or_else(|| l.get("timestamp"))?.as_i64())
            .filter(|ms| *ms >= self.pauses_from_ms)
            .collect();
        if self.pauses_from_ms > 0 {
            times.insert(0, self.pauses_from_ms);
        }
        self.longest_pause_ms = times.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        let acked: Vec<String> = lines.iter().filter_map(|l| self.acked_value(l)).collect();
        assert!(!acked.is_empty(), "{:?}'s instance wrote something", self.library);
        self.acked.extend(acked);
        if self.library == Library::Librdkafka {
            self.next = lines.iter().find_map(|l| l.get("next")?.as_i64()).expect("its next");
        }
    }

    /// Where `value` stands in this producer's order of writes, if it wrote it: librdkafka's
    /// sequence, or the Java instance and its count.
    fn order_of(&self, value: &str) -> Option<(i64, i64)> {
        match self.library {
            Library::Librdkafka => Some((0, value.strip_prefix("rdkafka-")?.parse().ok()?)),
            Library::Java => {
                let (instance, count) = value.split_once('.')?;
                Some((instance.parse().ok()?, count.parse().ok()?))
            }
        }
    }
}

/// One application's consumer group: its instances run one after another, each against the
/// source or through the sidecar.
struct Consumer {
    library: Library,
    topic: String,
    group: String,
    running: Option<Beside>,
    /// What each finished instance printed, in order.
    finished: Vec<Vec<Value>>,
}

impl Consumer {
    fn new(library: Library, topic: &str) -> Self {
        let group = unique_topic(&format!("migration-{library:?}").to_lowercase());
        Self { library, topic: topic.to_owned(), group, running: None, finished: Vec::new() }
    }

    fn client_id(&self) -> &'static str {
        match self.library {
            Library::Librdkafka => "rdkafka-app-consumer",
            Library::Java => "java-app-consumer",
        }
    }

    /// Starts its next instance against `bootstrap`.
    fn start(&mut self, bootstrap: &str) {
        assert!(self.running.is_none(), "one instance at a time");
        let command = match self.library {
            Library::Librdkafka => {
                let args = ["--group", &self.group, "--client-id", self.client_id()];
                command_via(bootstrap, "app-consume", &self.topic, &args)
            }
            Library::Java => {
                let config = properties("consumer", &[&format!("client.id={}", self.client_id())]);
                let mut java =
                    Cluster::plain().java_tool_command("org.apache.kafka.tools.VerifiableConsumer");
                java.args(["--bootstrap-server", bootstrap, "--topic", &self.topic])
                    .args(["--group-id", &self.group, "--group-protocol", "consumer"])
                    .args(["--verbose", "--reset-policy", "earliest", "--consumer.config"])
                    .arg(config);
                java
            }
        };
        self.running = Some(Beside::start(command));
    }

    /// The (partition, offset) of each record an instance's lines report, in the order read.
    fn reads(&self, lines: &[Value]) -> Vec<(i64, i64)> {
        let read = |l: &Value| {
            if self.library == Library::Java && l["name"] != "record_data" {
                return None;
            }
            Some((l.get("partition")?.as_i64()?, l.get("offset")?.as_i64()?))
        };
        lines.iter().filter_map(read).collect()
    }

    /// How many distinct records its instances have read so far, the running one's included.
    fn distinct_reads(&mut self) -> usize {
        let mut lines = lines_so_far(&mut self.running);
        lines.extend(self.finished.iter().flatten().cloned());
        self.reads(&lines).into_iter().collect::<BTreeSet<_>>().len()
    }

    fn read_by_running(&mut self) -> usize {
        let lines = lines_so_far(&mut self.running);
        self.reads(&lines).len()
    }

    /// Waits (bounded) until its running instance has read `more` records more.
    fn wait_read(&mut self, more: usize) {
        let what = format!("{more} more records read in {}", self.group);
        wait_for_more(&what, more, || self.read_by_running());
    }

    /// Stops its running instance as an application stops (it leaves the group).
    fn stop(&mut self) {
        let lines = stop_instance(self.library, &mut self.running);
        let errors: Vec<&Value> =
            lines.iter().filter(|l| l.get("commit_error").is_some()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        self.finished.push(lines);
    }

    /// The offsets an instance committed, by partition (the next offset to read): librdkafka's
    /// commits everything it printed; the Java one reports each commit.
    fn committed(&self, lines: &[Value]) -> BTreeMap<i64, i64> {
        let mut committed = BTreeMap::new();
        match self.library {
            Library::Librdkafka => {
                for (partition, offset) in self.reads(lines) {
                    committed.insert(partition, offset + 1);
                }
            }
            Library::Java => {
                let commits = lines
                    .iter()
                    .filter(|l| l["name"] == "offsets_committed" && l["success"] == true);
                for commit in commits {
                    for o in commit["offsets"].as_array().into_iter().flatten() {
                        let (Some(p), Some(n)) = (o["partition"].as_i64(), o["offset"].as_i64())
                        else {
                            continue;
                        };
                        committed.insert(p, n);
                    }
                }
            }
        }
        committed
    }

    /// Checks that each instance went on exactly from its group's committed progress (its first
    /// record of each partition is the one its predecessors committed last), and that the group
    /// read every record of `ends` (each partition's end offset).
    fn check(&self, ends: &BTreeMap<i64, i64>) {
        let mut progress: BTreeMap<i64, i64> = BTreeMap::new();
        let mut read: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for (instance, lines) in self.finished.iter().enumerate() {
            let reads = self.reads(lines);
            let mut first: BTreeMap<i64, i64> = BTreeMap::new();
            for &(partition, offset) in &reads {
                first.entry(partition).or_insert(offset);
                read.entry(partition).or_default().insert(offset);
            }
            for (partition, offset) in first {
                let from = progress.get(&partition).copied().unwrap_or(0);
                assert_eq!(
                    offset, from,
                    "{:?} instance {instance} began partition {partition} at {offset}, its \
                     group's committed progress was {from}",
                    self.library
                );
            }
            progress.extend(self.committed(lines));
        }
        for (partition, end) in ends {
            let got = read.get(partition).map_or(0, BTreeSet::len) as i64;
            assert_eq!(got, *end, "{:?} read {got} of partition {partition}'s {end}", self.library);
        }
    }
}

/// Waits (bounded) until the running consumer of `consumer`'s group is held by the sidecar.
fn wait_held(connection: &mut RawConnection, link: &str, consumer: &Consumer) {
    let client_id = consumer.client_id();
    wait_until(WITHIN, &format!("{client_id} held"), || {
        let g = group_status(connection, link, &consumer.group).ok_or("no group")?;
        let held = g.phase == "ON_SOURCE" && g.held.iter().any(|h| h.client_id == client_id);
        if held { Ok(()) } else { Err(format!("{g:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Waits (bounded) until `consumer`'s group is in `phase`.
fn wait_phase(connection: &mut RawConnection, link: &str, consumer: &Consumer, phase: &str) {
    wait_until(WITHIN, &format!("{} {phase}", consumer.group), || {
        let g = group_status(connection, link, &consumer.group).ok_or("no group")?;
        if g.phase == phase { Ok(()) } else { Err(format!("{g:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Moves `consumer`'s group to the target: a new instance through the sidecar, held while the
/// one on the source runs, which then stops; the held one reads on.
fn move_consumer(connection: &mut RawConnection, link: &str, consumer: &mut Consumer, via: &str) {
    let on_source = consumer.running.take();
    consumer.start(via);
    let mut on_target = consumer.running.take();
    wait_held(connection, link, consumer);
    consumer.running = on_source;
    consumer.stop();
    consumer.running = on_target.take();
    wait_phase(connection, link, consumer, "MOVED");
    consumer.wait_read(50);
}

/// Waits (bounded) until mirror `topic` of link `id` is in `state`.
fn wait_mirror(connection: &mut RawConnection, id: &str, topic: &str, state: &str) {
    wait_until(WITHIN, &format!("the mirror {state}"), || {
        let m = mirror_status(connection, id, topic).ok_or("no mirror")?;
        if m.state == state {
            return Ok(());
        }
        Err(format!("{:?}", describe_link(connection, id)))
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn applications_keep_running_through_the_three_phases_their_rollbacks_and_restarts() {
    let (source, target) = (Cluster::source(), Cluster::plain());
    let links_topic = unique_topic("migration-links");
    let settings = move |c: &mut Config| {
        c.jobs.store = "topic".into();
        c.jobs.topic = links_topic.clone();
        c.jobs.lease_ms = 2_000;
        // A short window, so that the direct writes of the phase before age out within the test.
        c.links.switch_window_ms = 4_000;
        c.links.group_quiet_ms = 1_000;
    };
    let mut sidecar = TestSidecar::start_with(target, &settings);
    let mut connection = RawConnection::connect(&sidecar.bootstrap());
    let topic = unique_topic("migration");
    source.create_topic(&topic, 3);

    // Before the migration: every application on the source.
    let mut rdkafka = Producer::new(Library::Librdkafka, &topic);
    let mut java = Producer::new(Library::Java, &topic);
    let mut rdkafka_group = Consumer::new(Library::Librdkafka, &topic);
    let mut java_group = Consumer::new(Library::Java, &topic);
    for producer in [&mut rdkafka, &mut java] {
        producer.start(source.bootstrap());
    }
    for consumer in [&mut rdkafka_group, &mut java_group] {
        consumer.start(source.bootstrap());
    }
    rdkafka.wait_acked(100);
    java.wait_acked(100);
    rdkafka_group.wait_read(100);
    java_group.wait_read(100);

    let link = unique_topic("migration").replace('.', "_");
    let create = CreateLinkRequest {
        link_id: link.clone(),
        source_bootstrap: vec![source.bootstrap().to_owned()],
        start_position: "earliest".into(),
        topics: vec![topic.clone()],
        groups: vec![rdkafka_group.group.clone(), java_group.group.clone()],
        group_sync_ms: 500,
        ..Default::default()
    };
    let made = connection.call(create, 0);
    assert_eq!(made.error_code, 0, "{made:?}");
    wait_mirror(&mut connection, &link, &topic, "ACTIVE");
    let via = sidecar.bootstrap();

    // Phase 1: the producers move, librdkafka's first. Java's, still writing to the source
    // directly, blocks the promotion and is named.
    rdkafka.stop();
    rdkafka.start(&via);
    rdkafka.wait_acked(100);
    wait_until(WITHIN, "librdkafka's producer switched, Java's not", || {
        let m = mirror_status(&mut connection, &link, &topic).ok_or("no mirror")?;
        let switched = m.switched.iter().any(|c| c.client_id == "rdkafka-app");
        let seen = switched && !m.source_writers.is_empty() && m.writers_watched;
        if seen { Ok(()) } else { Err(format!("{m:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let refused = promote(&mut connection, &link, &topic);
    assert_eq!(refused.error_code, 1016, "{refused:?}");
    let why = refused.error_message.unwrap_or_default();
    assert!(why.contains("producer id") && why.contains("record(s)"), "{why}");
    // Rolled back (librdkafka's producer to the source again), and moved again.
    rdkafka.stop();
    rdkafka.start(source.bootstrap());
    rdkafka.wait_acked(100);
    rdkafka.stop();
    rdkafka.start(&via);
    rdkafka.wait_acked(100);
    // The sidecar restarts in the middle of the phase: the routed producer rides it out.
    sidecar = sidecar.restart(target, &settings);
    connection = RawConnection::connect(&sidecar.bootstrap());
    rdkafka.wait_acked(200);
    java.stop();
    java.start(&via);
    java.wait_acked(200);
    wait_until(WITHIN, "both producers switched", || {
        let m = mirror_status(&mut connection, &link, &topic).ok_or("no mirror")?;
        let ids: BTreeSet<&str> = m.switched.iter().map(|c| c.client_id.as_str()).collect();
        let both = ids.contains("rdkafka-app") && ids.contains("java-app");
        if both { Ok(()) } else { Err(format!("{m:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));

    // Phase 2: the consumers move, librdkafka's group first; the sidecar restarts while the Java
    // group's member on the target is held.
    move_consumer(&mut connection, &link, &mut rdkafka_group, &via);
    let java_on_source = java_group.running.take();
    java_group.start(&via);
    wait_held(&mut connection, &link, &java_group);
    sidecar = sidecar.restart(target, &settings);
    connection = RawConnection::connect(&sidecar.bootstrap());
    wait_held(&mut connection, &link, &java_group);
    let java_on_target = java_group.running.take();
    java_group.running = java_on_source;
    java_group.stop();
    java_group.running = java_on_target;
    wait_phase(&mut connection, &link, &java_group, "MOVED");
    java_group.wait_read(50);
    // Rolled back: librdkafka's group handed back to the source with its progress on the target,
    // read there, then moved again.
    rdkafka_group.stop();
    let path = format!("/links/{link}/groups/{}/hand-back", rdkafka_group.group);
    let answer = rest_common::curl(&sidecar, "PUT", &path, None, None);
    assert_eq!(answer.status, 202, "{answer:?}");
    wait_phase(&mut connection, &link, &rdkafka_group, "ON_SOURCE");
    rdkafka_group.start(source.bootstrap());
    rdkafka_group.wait_read(50);
    move_consumer(&mut connection, &link, &mut rdkafka_group, &via);

    // Phase 3: promotion, once only routed writes reach the source. Undone while nothing was
    // written to it (the producers stopped for that moment: a promotion can be undone only until
    // its first write), then the sidecar restarts and the mirror is promoted again for good.
    let promoted = |connection: &mut RawConnection| {
        wait_until(WITHIN, "the promotion taken", || {
            let answer = promote(connection, &link, &topic);
            if answer.error_code == 0 { Ok(()) } else { Err(format!("{answer:?}")) }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        wait_mirror(connection, &link, &topic, "PROMOTED");
    };
    rdkafka.stop();
    java.stop();
    promoted(&mut connection);
    let undo = PromoteMirrorRequest {
        link_id: link.clone(),
        topic: topic.clone(),
        undo: true,
        ..Default::default()
    };
    let undone = connection.call(undo, 0);
    assert_eq!(undone.error_code, 0, "{undone:?}");
    wait_mirror(&mut connection, &link, &topic, "ACTIVE");
    rdkafka.start(&via);
    java.start(&via);
    rdkafka.wait_acked(100);
    sidecar = sidecar.restart(target, &settings);
    connection = RawConnection::connect(&sidecar.bootstrap());
    rdkafka.wait_acked(100);
    java.wait_acked(100);
    let asked_ms = now_ms();
    rdkafka.pauses_from_ms = asked_ms;
    java.pauses_from_ms = asked_ms;
    promoted(&mut connection);
    rdkafka.wait_acked(200);
    java.wait_acked(200);
    rdkafka.stop();
    java.stop();
    // A figure, not a bound: how long the promotion held the producers' writes.
    eprintln!(
        "longest wait for an acknowledgement from the promotion's ask on: librdkafka {} ms, \
         Java {} ms",
        rdkafka.longest_pause_ms, java.longest_pause_ms
    );

    // What the producers were acknowledged is on the target exactly once, in their order, and
    // nothing else is.
    let on_target = records_by_partition(&sidecar.bootstrap(), &topic);
    let mut values = BTreeSet::new();
    for (partition, records) in &on_target {
        let mut last: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        for record in records {
            let hex = record["value"].as_str().expect("a value");
            let value = String::from_utf8(hex_decode(hex)).expect("a text value");
            let (name, order) = [&rdkafka, &java]
                .iter()
                .find_map(|p| Some((format!("{:?}", p.library), p.order_of(&value)?)))
                .unwrap_or_else(|| panic!("{value} was written by neither producer"));
            let name = if name == "Librdkafka" { "librdkafka" } else { "java" };
            if let Some(before) = last.insert(name, order) {
                assert!(before < order, "partition {partition}: {value} after {before:?}");
            }
            assert!(values.insert(value.clone()), "{value} written twice");
        }
    }
    let acked: BTreeSet<String> = rdkafka.acked.union(&java.acked).cloned().collect();
    let lost: Vec<&String> = acked.difference(&values).collect();
    assert!(lost.is_empty(), "{} acknowledged records lost: {lost:?}", lost.len());
    let unacked: Vec<&String> = values.difference(&acked).collect();
    assert!(unacked.is_empty(), "records written but never acknowledged: {unacked:?}");

    // The source holds the same records at the same offsets, up to the promotion.
    let on_source = records_by_partition(source.bootstrap(), &topic);
    let count = |records: &BTreeMap<i64, Vec<Value>>| records.values().map(Vec::len).sum::<usize>();
    assert!(count(&on_source) < count(&on_target), "written to since the promotion");
    for (partition, records) in &on_source {
        let mirrored = &on_target[partition];
        assert!(records.len() <= mirrored.len(), "partition {partition}");
        for (a, b) in records.iter().zip(mirrored) {
            assert_eq!((&a["offset"], &a["value"]), (&b["offset"], &b["value"]));
        }
    }

    // Every group read every record, each instance going on from its group's committed progress.
    let ends: BTreeMap<i64, i64> =
        on_target.iter().map(|(p, records)| (*p, records.len() as i64)).collect();
    let total: i64 = ends.values().sum();
    for consumer in [&mut rdkafka_group, &mut java_group] {
        wait_until(WITHIN, "the group read up to the end", || {
            let read = consumer.distinct_reads();
            if read as i64 >= total { Ok(()) } else { Err(format!("{read} of {total} read")) }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        consumer.stop();
        consumer.check(&ends);
    }
    drop(connection);
    drop(sidecar);
}

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| d.as_millis() as i64)
}

fn hex_decode(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}
