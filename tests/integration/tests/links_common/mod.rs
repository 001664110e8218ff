//! What the cluster link tests share beyond `adminwire_test_support::link_data`: a client of a
//! cluster, as the link engine has one, and raw connections through a sidecar to a partition's
//! leader.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use adminwire_kafka::client::Client;
use adminwire_protocol::DescribeLinksRequest;
use adminwire_protocol::generated::describe_links_response::{Link, LinkGroup, Mirror};
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, wait_until};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::metadata_response::MetadataResponseTopic;
use kafka_protocol::messages::{ApiKey, MetadataRequest, MetadataResponse};
use kafka_protocol::protocol::StrBytes;
use serde_json::Value;

/// A client of `cluster`, as the link engine has one.
pub fn client(cluster: &Cluster) -> Arc<Client> {
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    Arc::new(Client::new(bootstrap, None, Duration::from_secs(30)))
}

/// The topics `topics` as the sidecar at `bootstrap` describes them (v12), once each has a leader
/// for partition 0.
pub struct Led {
    pub metadata: MetadataResponse,
}

impl Led {
    pub fn wait(bootstrap: &str, topics: &[&str]) -> Self {
        let mut connection = RawConnection::connect(bootstrap);
        let wanted = topics.iter().map(|t| {
            MetadataRequestTopic::default()
                .with_name(Some(StrBytes::from_string((*t).into()).into()))
        });
        let request = MetadataRequest::default().with_topics(Some(wanted.collect()));
        let found = wait_until(Duration::from_secs(60), "every topic has a leader", || {
            connection.send(ApiKey::Metadata, 12, 1, &request);
            let (_, answer): (i32, MetadataResponse) = connection.receive(ApiKey::Metadata, 12);
            let led = answer.topics.iter().all(|t| {
                t.error_code == 0 && t.partitions.first().is_some_and(|p| p.leader_id.0 >= 0)
            });
            if led { Ok(answer) } else { Err(format!("{answer:?}")) }
        });
        Self { metadata: found.unwrap_or_else(|e| panic!("{e}")) }
    }

    pub fn topic(&self, name: &str) -> &MetadataResponseTopic {
        let found = self
            .metadata
            .topics
            .iter()
            .find(|t| t.name.as_ref().is_some_and(|n| n.as_str() == name));
        found.unwrap_or_else(|| panic!("{name} not described"))
    }

    /// A connection to the leader of `topic`'s partition 0, at the address the sidecar gave.
    pub fn leader_of(&self, topic: &str) -> RawConnection {
        let leader = self.topic(topic).partitions[0].leader_id;
        let broker =
            self.metadata.brokers.iter().find(|b| b.node_id == leader).expect("its leader");
        RawConnection::connect(&format!("{}:{}", broker.host, broker.port))
    }
}

/// Makes a link (its id from `prefix`) mirroring `topic` of `source` from its earliest record;
/// its id.
pub fn make_link(
    connection: &mut RawConnection,
    prefix: &str,
    source: &Cluster,
    topic: &str,
) -> String {
    let id = adminwire_test_support::unique_topic(prefix).replace('.', "_");
    let create = adminwire_protocol::CreateLinkRequest {
        link_id: id.clone(),
        source_bootstrap: vec![source.bootstrap().to_owned()],
        start_position: "earliest".into(),
        topics: vec![topic.to_owned()],
        ..Default::default()
    };
    let made = connection.call(create, 0);
    assert_eq!(made.error_code, 0, "{made:?}");
    id
}

/// A sidecar in front of the secured cluster `target`, running links as its admin.
pub fn secured_sidecar(target: &'static Cluster) -> adminwire_test_support::sidecar::TestSidecar {
    adminwire_test_support::sidecar::TestSidecar::start_with(target, |config| {
        config.jobs.username = Some("admin".into());
        config.jobs.password = Some(target.password("admin").into());
        config.jobs.mechanism = "SCRAM-SHA-512".into();
    })
}

/// Waits (bounded) until link `id`'s first mirror has no lag and holds `records` records.
pub fn wait_caught_up(connection: &mut RawConnection, id: &str, records: i64) {
    wait_until(Duration::from_secs(120), "the mirror caught up", || {
        let link = describe_link(connection, id);
        let caught_up = link.as_ref().and_then(|l| l.mirrors.first()).is_some_and(|m| {
            m.lag == 0 && m.partitions.iter().map(|p| p.records).sum::<i64>() == records
        });
        if caught_up { Ok(()) } else { Err(format!("{link:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Link `id`, as the sidecar describes it (DescribeLinks over `connection`).
pub fn describe_link(connection: &mut RawConnection, id: &str) -> Option<Link> {
    let describe =
        DescribeLinksRequest { link_ids: Some(vec![id.to_owned()]), ..Default::default() };
    connection.call(describe, 0).links.into_iter().next()
}

/// Group `group` of link `id`, as the sidecar describes it.
pub fn group_status(connection: &mut RawConnection, id: &str, group: &str) -> Option<LinkGroup> {
    describe_link(connection, id)?.groups.into_iter().find(|g| g.group == group)
}

/// Mirror `topic` of link `id`, as the sidecar describes it.
pub fn mirror_status(connection: &mut RawConnection, id: &str, topic: &str) -> Option<Mirror> {
    describe_link(connection, id)?.mirrors.into_iter().find(|m| m.topic == topic)
}

/// Asks for mirror `topic` of link `id` to be promoted, without force: the answer.
pub fn promote(
    connection: &mut RawConnection,
    id: &str,
    topic: &str,
) -> adminwire_protocol::PromoteMirrorResponse {
    let request = adminwire_protocol::PromoteMirrorRequest {
        link_id: id.to_owned(),
        topic: topic.to_owned(),
        ..Default::default()
    };
    connection.call(request, 0)
}

/// A client running beside the test (a consumer, a producer): its lines as they come, each as JSON (a line that is not,
/// as a JSON string: Kafka's console consumer prints bare values).
pub struct Beside {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
}

impl Beside {
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the consumer starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("its stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                let _ = tx.send(value);
            }
        });
        Self { child, stdin, lines, seen: Vec::new() }
    }

    /// Writes `line` to its standard input.
    pub fn send(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().expect("its standard input is open");
        writeln!(stdin, "{line}").and_then(|()| stdin.flush()).expect("it reads its input");
    }

    /// Waits (bounded) for a line with `key`, and returns it.
    pub fn wait_for_line(&mut self, key: &str, within: Duration) -> Value {
        wait_until(within, &format!("a line with {key}"), || {
            let seen = self.take();
            seen.iter().find(|l| l.get(key).is_some()).cloned().ok_or(format!("{seen:?}"))
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Panics if it has ended: a client that should still be running failed.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("the client ended ({status}); it printed {:?}", self.take());
        }
    }

    /// Takes what it has printed so far.
    pub fn take(&mut self) -> &[Value] {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }

    /// Waits (bounded) until it has printed `records` records.
    pub fn wait_for_records(&mut self, records: usize, within: Duration) {
        wait_until(within, &format!("{records} records read"), || {
            let read = self.take().iter().filter(|l| l.get("value").is_some()).count();
            if read >= records { Ok(()) } else { Err(format!("{read} read")) }
        })
        .unwrap();
    }

    /// Closes its standard input (a `--stay` consumer then leaves its group) and waits for it to
    /// end; every line it printed.
    pub fn finish(mut self, within: Duration) -> Vec<Value> {
        drop(self.stdin.take());
        let status = self.wait_for_end(within);
        assert!(status.success(), "the consumer failed: {status}");
        self.rest_of_output()
    }

    /// Stops it as a service manager does, with SIGTERM (Kafka's Java tools then close their
    /// client, flushing or leaving the group, and exit with 143), and waits for it to end; every
    /// line it printed.
    pub fn terminate(mut self, within: Duration) -> Vec<Value> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(sent.success(), "SIGTERM sent to {pid}");
        let status = self.wait_for_end(within);
        let by_term = status.code().is_some_and(|c| c == 0 || c == 143);
        assert!(by_term, "it ended on SIGTERM, cleanly: {status}");
        self.rest_of_output()
    }

    fn wait_for_end(&mut self, within: Duration) -> std::process::ExitStatus {
        wait_until(within, "the client ended", || {
            let running = format!("running, {} lines printed", self.take().len());
            self.child.try_wait().ok().flatten().ok_or(running)
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn rest_of_output(&mut self) -> Vec<Value> {
        // Its last lines may still be on their way from the reader thread, which ends with them.
        loop {
            match self.lines.recv_timeout(Duration::from_secs(10)) {
                Ok(line) => self.seen.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => panic!("its output never ended"),
            }
        }
        std::mem::take(&mut self.seen)
    }

    /// The values it read: `link_data.py`'s records, or the console consumer's lines.
    pub fn values(lines: &[Value]) -> Vec<String> {
        let value = |l: &Value| match l {
            Value::String(bare) => Some(bare.clone()),
            _ => l.get("value")?.as_str().map(str::to_owned),
        };
        lines.iter().filter_map(value).collect()
    }
}

impl Drop for Beside {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
