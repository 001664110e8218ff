//! Support for integration tests that run against the real Kafka cluster of `scripts/kafka`.
//!
//! * [`Cluster::plain`] and [`Cluster::secure`] give the test run's clusters: a cluster already
//!   running in the expected dir is reused (that is how `scripts/test` hands them over), otherwise
//!   the first test to ask starts it through `scripts/kafka up`, which serialises concurrent callers
//!   with a file lock and stops a cluster it started once the `cargo test` process has exited.
//! * [`unique_topic`] gives each test names no other test (or earlier run) uses, so tests run in
//!   parallel on one cluster.
//! * [`wait_until`] polls a condition up to a deadline and fails with what it waited for and what
//!   it last saw, so tests never sleep for a guessed time.
//! * [`run`] runs a process with a deadline; [`Cluster::kafka_tool`] runs one of Kafka's own tool
//!   classes from the installed jars, and [`Cluster::kcat`] prepares a `kcat` command.

pub mod link_data;
pub mod sasl;
pub mod scripted;
pub mod sidecar;
pub mod wire;

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kafka_protocol::messages::ApiKey;

/// How long a Kafka tool or client command may run before a test calls it hung.
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(90);

/// Default dir and port base of each variant; `scripts/test` and docs/development.md use the same.
const PLAIN_DEFAULT_DIR: &str = "adminwire-kafka";
const PLAIN_DEFAULT_BASE: u16 = 19090;
const SECURE_DEFAULT_DIR: &str = "adminwire-kafka-secure";
const SECURE_DEFAULT_BASE: u16 = 19290;
const SOURCE_DEFAULT_DIR: &str = "adminwire-kafka-source";
const SOURCE_DEFAULT_BASE: u16 = 20490;
/// The source cluster's own id, so that it is never taken for the cluster a sidecar fronts.
const SOURCE_CLUSTER_ID: &str = "YWRtaW53aXJlLXNvdXJjZQ";

/// The repository root (this crate lives in `tests/support`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/support has two ancestors")
        .to_path_buf()
}

/// `scripts/kafka`, the one entry point that installs, starts and stops clusters.
pub fn kafka_script() -> PathBuf {
    repo_root().join("scripts/kafka")
}

/// Which of the two clusters a test wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// PLAINTEXT listeners, no authorizer.
    Plain,
    /// SASL/PLAIN on every listener, `StandardAuthorizer`, users admin (super user), alice (ACLs on
    /// `alice-*` topics and groups) and bob (no ACLs).
    Secure,
    /// A second plain cluster of one node, with an id of its own: a cluster link's source.
    Source,
}

impl Variant {
    /// The state dir: `ADMINWIRE_KAFKA_DIR` / `ADMINWIRE_SECURE_KAFKA_DIR`, or a default in `$TMPDIR`.
    pub fn dir(self) -> PathBuf {
        let (var, default) = match self {
            Variant::Plain => ("ADMINWIRE_KAFKA_DIR", PLAIN_DEFAULT_DIR),
            Variant::Secure => ("ADMINWIRE_SECURE_KAFKA_DIR", SECURE_DEFAULT_DIR),
            Variant::Source => ("ADMINWIRE_SOURCE_KAFKA_DIR", SOURCE_DEFAULT_DIR),
        };
        match std::env::var_os(var) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => std::env::temp_dir().join(default),
        }
    }

    /// The port base: node N listens on base+N, its controller on base+100+N.
    pub fn port_base(self) -> u16 {
        let (var, default) = match self {
            Variant::Plain => ("ADMINWIRE_KAFKA_PORT_BASE", PLAIN_DEFAULT_BASE),
            Variant::Secure => ("ADMINWIRE_SECURE_KAFKA_PORT_BASE", SECURE_DEFAULT_BASE),
            Variant::Source => ("ADMINWIRE_SOURCE_KAFKA_PORT_BASE", SOURCE_DEFAULT_BASE),
        };
        match std::env::var(var) {
            Ok(v) => v.parse().unwrap_or_else(|_| panic!("{var}={v:?} is not a port number")),
            Err(_) => default,
        }
    }
}

/// A running cluster as `scripts/kafka` recorded it in `cluster.env`.
#[derive(Debug, Clone)]
pub struct Cluster {
    variant: Variant,
    dir: PathBuf,
    bootstrap: String,
    state: HashMap<String, String>,
}

static PLAIN: OnceLock<Cluster> = OnceLock::new();
static SECURE: OnceLock<Cluster> = OnceLock::new();
static SOURCE: OnceLock<Cluster> = OnceLock::new();

impl Cluster {
    /// The plain cluster of this test run, started on first use if none runs. If
    /// `ADMINWIRE_BOOTSTRAP` is set, clients use that address instead (a cluster someone else runs);
    /// node control then still needs the state file in the plain cluster's dir.
    pub fn plain() -> &'static Cluster {
        PLAIN.get_or_init(|| Cluster::start_or_reuse(Variant::Plain))
    }

    /// The secured cluster of this test run (see [`Variant::Secure`]), started on first use.
    pub fn secure() -> &'static Cluster {
        SECURE.get_or_init(|| Cluster::start_or_reuse(Variant::Secure))
    }

    /// The source cluster of this test run's cluster links (see [`Variant::Source`]), started on
    /// first use.
    pub fn source() -> &'static Cluster {
        SOURCE.get_or_init(|| Cluster::start_or_reuse(Variant::Source))
    }

    fn start_or_reuse(variant: Variant) -> Cluster {
        print_broker_logs_on_panic();
        let dir = variant.dir();
        let external = match variant {
            Variant::Plain => std::env::var("ADMINWIRE_BOOTSTRAP").ok().filter(|b| !b.is_empty()),
            Variant::Secure | Variant::Source => None,
        };
        if external.is_none() {
            let mut up = Command::new(kafka_script());
            up.arg("up");
            if variant == Variant::Secure {
                up.arg("--secure");
            }
            // The test binary's parent is cargo (or nextest): the cluster then lives exactly as
            // long as the whole test run, across all test binaries, and is stopped after it. A
            // cluster that was already running (scripts/test's) is reused and left to its owner.
            up.arg("--until-exit-of").arg(std::os::unix::process::parent_id().to_string());
            up.env("ADMINWIRE_KAFKA_DIR", &dir)
                .env("ADMINWIRE_KAFKA_PORT_BASE", variant.port_base().to_string());
            if variant == Variant::Source {
                up.env("ADMINWIRE_KAFKA_NODES", "1")
                    .env("ADMINWIRE_KAFKA_CLUSTER_ID", SOURCE_CLUSTER_ID);
            }
            let out = run(&mut up, Duration::from_secs(600))
                .unwrap_or_else(|e| panic!("scripts/kafka up ({variant:?}) failed to run: {e}"));
            assert!(
                out.status.success(),
                "scripts/kafka up ({variant:?}, dir {}) failed:\n{}",
                dir.display(),
                out.combined()
            );
        }
        let state_path = dir.join("cluster.env");
        let state = match std::fs::read_to_string(&state_path) {
            Ok(text) => parse_state(&text),
            Err(e) if external.is_some() => {
                eprintln!("no state at {} ({e}); node control unavailable", state_path.display());
                HashMap::new()
            }
            Err(e) => panic!("cannot read {}: {e}", state_path.display()),
        };
        let bootstrap = external
            .unwrap_or_else(|| state.get("BOOTSTRAP").cloned().expect("cluster.env has BOOTSTRAP"));
        Cluster { variant, dir, bootstrap, state }
    }

    /// Which variant this is.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// `127.0.0.1:PORT,...` of all three brokers.
    pub fn bootstrap(&self) -> &str {
        &self.bootstrap
    }

    /// The cluster's state dir (`cluster.env`, `nodeN/`, `clients/`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A value from `cluster.env`.
    pub fn state(&self, key: &str) -> Option<&str> {
        self.state.get(key).map(String::as_str)
    }

    fn state_required(&self, key: &str) -> &str {
        self.state(key).unwrap_or_else(|| {
            panic!(
                "{key} is not in {}/cluster.env (is this cluster run by scripts/kafka?)",
                self.dir.display()
            )
        })
    }

    /// The node ids (1, 2, 3).
    pub fn node_ids(&self) -> Vec<i32> {
        self.state_required("NODE_IDS")
            .split_whitespace()
            .map(|n| n.parse().expect("NODE_IDS holds integers"))
            .collect()
    }

    /// The broker (client) port of a node.
    pub fn node_port(&self, node: i32) -> u16 {
        self.state_required(&format!("NODE{node}_PORT")).parse().expect("port number")
    }

    /// The controller port of a node.
    pub fn controller_port(&self, node: i32) -> u16 {
        self.state_required(&format!("NODE{node}_CONTROLLER_PORT")).parse().expect("port number")
    }

    /// `127.0.0.1:PORT` of one node's broker listener.
    pub fn node_address(&self, node: i32) -> String {
        format!("127.0.0.1:{}", self.node_port(node))
    }

    /// The rack a node was configured with (`rack-a`, ...).
    pub fn node_rack(&self, node: i32) -> &str {
        self.state_required(&format!("NODE{node}_RACK"))
    }

    /// The folder with Kafka's jars (`java -cp 'DIR/*' ...`).
    pub fn kafka_libs(&self) -> PathBuf {
        PathBuf::from(self.state_required("KAFKA_LIBS"))
    }

    /// Java client config (`--command-config`) for a user; on the plain cluster it just says
    /// PLAINTEXT, so callers can pass it either way.
    pub fn client_properties(&self, user: &str) -> PathBuf {
        self.dir.join("clients").join(format!("{user}.properties"))
    }

    /// librdkafka config (`kcat -F`) for a user.
    pub fn kcat_config(&self, user: &str) -> PathBuf {
        self.dir.join("clients").join(format!("{user}.kcat.conf"))
    }

    /// A user's password on the secure cluster.
    pub fn password(&self, user: &str) -> &str {
        self.state_required(&format!("{}_PASSWORD", user.to_uppercase()))
    }

    /// The Apache Kafka release the cluster runs (`4.1.2`; `ADMINWIRE_KAFKA_VERSION` picks it).
    pub fn kafka_version(&self) -> &str {
        self.state_required("KAFKA_VERSION")
    }

    /// The cluster's release as (major, minor), for tests whose expectations differ by release.
    pub fn kafka_release(&self) -> (u32, u32) {
        let version = self.kafka_version();
        let mut parts = version.split('.').map(|p| p.parse::<u32>());
        match (parts.next(), parts.next()) {
            (Some(Ok(major)), Some(Ok(minor))) => (major, minor),
            _ => panic!("KAFKA_VERSION {version:?} is not MAJOR.MINOR.PATCH"),
        }
    }

    /// The fully qualified class of one of Kafka's tools in the cluster's release, by its simple
    /// name (`ConfigCommand`): some moved package between releases, and `scripts/kafka install`
    /// records where each is. A name with dots is taken as it is.
    pub fn tool_class(&self, name: &str) -> String {
        if name.contains('.') {
            return name.to_string();
        }
        let index = self.state_required("KAFKA_TOOL_INDEX");
        let text = std::fs::read_to_string(index)
            .unwrap_or_else(|e| panic!("cannot read Kafka's tool index {index}: {e}"));
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_string)
            .unwrap_or_else(|| {
                panic!("Kafka {} has no tool class {name} (see {index})", self.kafka_version())
            })
    }

    /// `java` set up to run one of Kafka's tools (simple or fully qualified class name, see
    /// [`Cluster::tool_class`]) of the cluster's release quickly and quietly (warnings only, on
    /// stderr).
    pub fn java_tool_command(&self, class: &str) -> Command {
        let mut cmd = Command::new("java");
        cmd.args([
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Djava.awt.headless=true",
        ])
        // Which logging backend's property it is depends on the release (reload4j in 3.x).
        .arg(self.state_required("TOOLS_LOG_FLAG"))
        .arg("-cp")
        .arg(format!("{}/*", self.kafka_libs().display()))
        .arg(self.tool_class(class));
        cmd
    }

    /// Runs one of Kafka's tools (`TopicCommand`, or a fully qualified class) from the installed
    /// jars, with a deadline of [`TOOL_TIMEOUT`].
    pub fn kafka_tool(&self, class: &str, args: &[&str]) -> Output {
        let mut cmd = self.java_tool_command(class);
        cmd.args(args);
        run(&mut cmd, TOOL_TIMEOUT).unwrap_or_else(|e| panic!("{class} {args:?}: {e}"))
    }

    /// Kafka's own `TopicCommand` (what `kafka-topics.sh` runs) against this cluster as `user`;
    /// `args` are e.g. `["--create", "--topic", t, "--partitions", "3"]`.
    pub fn topic_command(&self, user: &str, args: &[&str]) -> Output {
        let config = self.client_properties(user);
        let config = config.to_str().expect("utf-8 path");
        let mut all = vec!["--bootstrap-server", self.bootstrap(), "--command-config", config];
        all.extend_from_slice(args);
        self.kafka_tool("TopicCommand", &all)
    }

    /// Kafka's own `TopicCommand --describe` of `topic`, run as `admin`: its summary line and a
    /// line per partition.
    pub fn describe_topic(&self, topic: &str) -> String {
        self.topic_command("admin", &["--describe", "--topic", topic])
            .expect_success("TopicCommand --describe")
            .to_owned()
    }

    /// Creates `topic` with `partitions` partitions and replication factor 3 (or the node count, if less; as `admin`, with
    /// Kafka's own `TopicCommand`), and waits until every broker knows it.
    pub fn create_topic(&self, topic: &str, partitions: usize) {
        let count = partitions.to_string();
        // Three replicas, or as many as the cluster has nodes (a link's source has one).
        let replicas = self.node_ids().len().min(3).to_string();
        self.topic_command(
            "admin",
            &[
                "--create",
                "--topic",
                topic,
                "--partitions",
                &count,
                "--replication-factor",
                &replicas,
            ],
        )
        .expect_success(&format!("creating topic {topic}"));
        let user = (self.variant() == Variant::Secure).then_some("admin");
        self.wait_for_topic(user, topic, partitions);
    }

    /// Creates `topic` with its replicas placed as Kafka's `--replica-assignment` says (`1,1`:
    /// two partitions, each on broker 1), as `admin`, and waits until every broker knows it.
    pub fn create_topic_placed(&self, topic: &str, assignment: &str) {
        self.topic_command(
            "admin",
            &["--create", "--topic", topic, "--replica-assignment", assignment],
        )
        .expect_success(&format!("creating topic {topic}"));
        let user = (self.variant() == Variant::Secure).then_some("admin");
        self.wait_for_topic(user, topic, assignment.split(',').count());
    }

    /// Writes about `megabytes` MB to `topic` (1,000-byte records, `acks=1`) with Kafka's own
    /// `ProducerPerformance`, on the plain cluster.
    pub fn write_megabytes(&self, topic: &str, megabytes: usize) {
        let records = (megabytes * 1000).to_string();
        let producer = self.kafka_tool(
            "ProducerPerformance",
            &[
                "--topic",
                topic,
                "--num-records",
                &records,
                "--record-size",
                "1000",
                "--throughput",
                "-1",
                "--producer-props",
                &format!("bootstrap.servers={}", self.bootstrap()),
                "acks=1",
            ],
        );
        producer.expect_success(&format!("writing {megabytes} MB to {topic}"));
    }

    /// Metadata for one topic as kcat sees it when it asks `via` (`-L -J`), as JSON: `brokers`
    /// and `topics[0].partitions[].{partition,leader,isrs[].id}`.
    pub fn kcat_metadata(
        &self,
        user: Option<&str>,
        via: &str,
        topic: &str,
    ) -> Result<serde_json::Value, String> {
        let mut cmd = Command::new("kcat");
        if let Some(user) = user {
            cmd.arg("-F").arg(self.kcat_config(user));
        }
        cmd.args(["-b", via, "-L", "-J", "-m", "5", "-t", topic]);
        let out = run(&mut cmd, TOOL_TIMEOUT).map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(out.combined());
        }
        serde_json::from_str(&out.stdout).map_err(|e| format!("{e}: {}", out.stdout))
    }

    /// `kcat -b BOOTSTRAP`, authenticated as `user` (`None`: no credentials at all). Add the mode
    /// (`-L`, `-P`, `-C`) and run it with [`run`] or [`run_with_input`].
    pub fn kcat(&self, user: Option<&str>) -> Command {
        let mut cmd = Command::new("kcat");
        if let Some(user) = user {
            cmd.arg("-F").arg(self.kcat_config(user));
        }
        cmd.arg("-b").arg(&self.bootstrap);
        cmd
    }

    /// Waits until every node's metadata shows `topic` with `partitions` partitions, each with a
    /// leader. Creating a topic returns once the controller has committed it; brokers learn of it
    /// a moment later, and a client that asks one of them first sees no partitions at all.
    pub fn wait_for_topic(&self, user: Option<&str>, topic: &str, partitions: usize) {
        let nodes = self.node_ids();
        wait_until(Duration::from_secs(30), &format!("{topic} known to every node"), || {
            for &n in &nodes {
                let md = self.kcat_metadata(user, &self.node_address(n), topic)?;
                let parts = md["topics"][0]["partitions"].as_array().cloned().unwrap_or_default();
                let led = parts.iter().filter(|p| p["leader"].as_i64().unwrap_or(-1) >= 0).count();
                if parts.len() != partitions || led != partitions {
                    return Err(format!("node {n}: {}", md["topics"]));
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Waits until every node's metadata has caught up with every change the cluster committed
    /// before this call, so that what a node does not show then was not done: a negative check
    /// ("the refused topic was not created") is sound only after this. KRaft brokers apply the
    /// metadata log in order, so a node that shows a topic created now has applied all that was
    /// committed earlier; the fence topic is created here, waited for on every node, and deleted.
    pub fn wait_for_metadata_fence(&self, user: Option<&str>) {
        use kafka_protocol::messages::create_topics_request::CreatableTopic;
        use kafka_protocol::messages::{
            CreateTopicsRequest, CreateTopicsResponse, DeleteTopicsRequest, DeleteTopicsResponse,
            TopicName,
        };
        use kafka_protocol::protocol::StrBytes;

        let fence = unique_topic("metadata-fence");
        let name = TopicName(StrBytes::from_string(fence.clone()));
        let node = self.node_address(self.node_ids()[0]);
        let mut connection = match self.variant {
            Variant::Plain | Variant::Source => wire::RawConnection::connect(&node),
            Variant::Secure => wire::RawConnection::connect_as(&node, self, "admin"),
        };
        let create = CreateTopicsRequest::default().with_timeout_ms(30_000).with_topics(vec![
            CreatableTopic::default()
                .with_name(name.clone())
                .with_num_partitions(1)
                .with_replication_factor(1),
        ]);
        connection.send(ApiKey::CreateTopics, 7, 1, &create);
        let (_, created): (i32, CreateTopicsResponse) = connection.receive(ApiKey::CreateTopics, 7);
        assert_eq!(created.topics.first().map(|t| t.error_code), Some(0), "{created:?}");
        self.wait_for_topic(user, &fence, 1);
        let delete =
            DeleteTopicsRequest::default().with_timeout_ms(30_000).with_topic_names(vec![name]);
        connection.send(ApiKey::DeleteTopics, 4, 2, &delete);
        let (_, deleted): (i32, DeleteTopicsResponse) = connection.receive(ApiKey::DeleteTopics, 4);
        assert_eq!(deleted.responses.first().map(|t| t.error_code), Some(0), "{deleted:?}");
    }

    /// Whether `node`'s metadata has `topic` (kcat asking that node), or what went wrong asking.
    pub fn node_has_topic(
        &self,
        user: Option<&str>,
        node: i32,
        topic: &str,
    ) -> Result<bool, String> {
        let md = self.kcat_metadata(user, &self.node_address(node), topic)?;
        let entry = &md["topics"][0];
        match entry["error"].as_str() {
            None => Ok(true),
            Some(e) if e.contains("Unknown topic") => Ok(false),
            Some(e) => Err(format!("node {node}: {e}")),
        }
    }

    /// Waits until every node shows `topic`, with any number of partitions.
    pub fn wait_for_topic_everywhere(&self, user: Option<&str>, topic: &str) {
        let nodes = self.node_ids();
        wait_until(Duration::from_secs(30), &format!("{topic} known to every node"), || {
            for &n in &nodes {
                if !self.node_has_topic(user, n, topic)? {
                    return Err(format!("node {n} does not show it yet"));
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Asserts that no node has any of `topics` once every node's metadata is current (see
    /// [`Cluster::wait_for_metadata_fence`]): for topics a refused or dry-run request must not
    /// have created.
    pub fn assert_topics_absent(&self, user: Option<&str>, topics: &[&str]) {
        self.wait_for_metadata_fence(user);
        for node in self.node_ids() {
            for topic in topics {
                let has = self.node_has_topic(user, node, topic).unwrap_or_else(|e| panic!("{e}"));
                assert!(!has, "node {node} has {topic}, which must not have been created");
            }
        }
    }

    /// Waits until `TopicCommand --describe` of `topic` (as `admin`) satisfies `ok`, and returns
    /// that description. A change the controller committed reaches the broker that describes it
    /// a moment later.
    pub fn wait_for_description(
        &self,
        topic: &str,
        what: &str,
        ok: impl Fn(&str) -> bool,
    ) -> String {
        wait_until(Duration::from_secs(30), &format!("{topic}: {what}"), || {
            let out = self.topic_command("admin", &["--describe", "--topic", topic]);
            if !out.status.success() {
                return Err(out.combined());
            }
            if ok(&out.stdout) { Ok(out.stdout) } else { Err(out.stdout) }
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Whether `scripts/kafka` sees the node's process running.
    pub fn node_running(&self, node: i32) -> bool {
        let out = self.script(&["status"]);
        out.stdout.lines().any(|l| l.starts_with(&format!("node {node}: running")))
    }

    /// SIGKILLs one node.
    pub fn kill_node(&self, node: i32) {
        let out = self.script(&["kill", &node.to_string()]);
        assert!(out.status.success(), "scripts/kafka kill {node} failed:\n{}", out.combined());
    }

    /// A guard that restarts `node` when dropped if it is not running, so that a test that fails
    /// while the node is down leaves later tests the whole cluster.
    pub fn restart_on_drop(&self, node: i32) -> RestartOnDrop<'_> {
        RestartOnDrop { cluster: self, node }
    }

    /// SIGSTOPs one node: its sockets stay open but it answers nothing, as a hung broker does.
    /// `kill_node` still ends it.
    pub fn pause_node(&self, node: i32) {
        let pid_file = self.dir.join(format!("node{node}/pid"));
        let pid = std::fs::read_to_string(&pid_file)
            .unwrap_or_else(|e| panic!("{}: {e}", pid_file.display()));
        let out = run(Command::new("kill").args(["-STOP", pid.trim()]), Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("kill -STOP {pid}: {e}"));
        assert!(out.status.success(), "kill -STOP node {node} failed:\n{}", out.combined());
    }

    /// SIGCONTs a node [`Cluster::pause_node`] stopped.
    pub fn resume_node(&self, node: i32) {
        let pid_file = self.dir.join(format!("node{node}/pid"));
        let pid = std::fs::read_to_string(&pid_file)
            .unwrap_or_else(|e| panic!("{}: {e}", pid_file.display()));
        let out = run(Command::new("kill").args(["-CONT", pid.trim()]), Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("kill -CONT {pid}: {e}"));
        assert!(out.status.success(), "kill -CONT node {node} failed:\n{}", out.combined());
    }

    /// Starts a stopped node again and waits until it answers Metadata.
    pub fn restart_node(&self, node: i32) {
        let out = self.script(&["restart", &node.to_string()]);
        assert!(out.status.success(), "scripts/kafka restart {node} failed:\n{}", out.combined());
    }

    fn script(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(kafka_script());
        cmd.args(args).env("ADMINWIRE_KAFKA_DIR", &self.dir);
        run(&mut cmd, Duration::from_secs(300))
            .unwrap_or_else(|e| panic!("scripts/kafka {args:?}: {e}"))
    }
}

/// Lines of each broker's log a failing test prints (`ADMINWIRE_TEST_LOG_LINES`, 0 for none).
fn broker_log_lines() -> usize {
    std::env::var("ADMINWIRE_TEST_LOG_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(40)
}

/// The last `lines` lines of a file, read from its end (broker logs grow large).
fn tail(path: &Path, lines: usize) -> std::io::Result<String> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(lines as u64 * 400)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    Ok(all[all.len().saturating_sub(lines)..].join("\n"))
}

/// Makes a panicking test (one that used a cluster) also print the tail of each broker's log of
/// the clusters it used, after the panic message: the test harness shows it with the failure.
fn print_broker_logs_on_panic() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            let lines = broker_log_lines();
            if lines == 0 {
                return;
            }
            for cluster in [PLAIN.get(), SECURE.get(), SOURCE.get()].into_iter().flatten() {
                let nodes = cluster.state("NODE_IDS").unwrap_or_default();
                for node in nodes.split_whitespace() {
                    let log = cluster.dir.join(format!("node{node}/kafka.log"));
                    let text = tail(&log, lines).unwrap_or_else(|e| format!("({e})"));
                    eprintln!("--- {} (last {lines} lines)\n{text}", log.display());
                }
            }
        }));
    });
}

/// See [`Cluster::restart_on_drop`].
#[derive(Debug)]
#[must_use = "the node is restarted when the guard is dropped"]
pub struct RestartOnDrop<'a> {
    cluster: &'a Cluster,
    node: i32,
}

impl Drop for RestartOnDrop<'_> {
    fn drop(&mut self) {
        if !self.cluster.node_running(self.node) {
            self.cluster.restart_node(self.node);
        }
    }
}

fn parse_state(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .collect()
}

/// A topic (or group) name that no other test, test binary or earlier run uses: the prefix, this
/// process id, a per-process counter and the clock.
pub fn unique_topic(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{prefix}-{}-{n}-{:x}", std::process::id(), nanos & 0xff_ffff)
}

/// A condition that did not become true before its deadline.
#[derive(Debug)]
pub struct WaitTimeout {
    /// What was being waited for.
    pub what: String,
    /// How long it was waited for.
    pub waited: Duration,
    /// How many times the condition was checked.
    pub attempts: u32,
    /// What the last check reported.
    pub last: String,
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timed out after {:.1?} ({} checks) waiting for {}; last seen: {}",
            self.waited, self.attempts, self.what, self.last
        )
    }
}

impl std::error::Error for WaitTimeout {}

/// Checks `check` until it returns `Ok(value)` or `timeout` has passed. `Err(text)` means "not
/// yet", and the last such text goes into the timeout error, so a failing test says what it saw.
pub fn wait_until<T>(
    timeout: Duration,
    what: &str,
    mut check: impl FnMut() -> Result<T, String>,
) -> Result<T, WaitTimeout> {
    let start = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        match check() {
            Ok(value) => return Ok(value),
            Err(last) => {
                let waited = start.elapsed();
                if waited >= timeout {
                    return Err(WaitTimeout { what: what.to_string(), waited, attempts, last });
                }
                // Polling interval, bounded by the deadline; never the thing a test waits on.
                thread::sleep(Duration::from_millis(200).min(timeout - waited));
            }
        }
    }
}

/// What a finished process printed.
#[derive(Debug)]
pub struct Output {
    /// Exit status.
    pub status: ExitStatus,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Output {
    /// Both streams, for assertion messages.
    pub fn combined(&self) -> String {
        format!("status: {}\n--- stdout\n{}\n--- stderr\n{}", self.status, self.stdout, self.stderr)
    }

    /// Panics with both streams unless the process succeeded; returns stdout.
    pub fn expect_success(&self, what: &str) -> &str {
        assert!(self.status.success(), "{what} failed:\n{}", self.combined());
        &self.stdout
    }
}

/// Runs a command to completion, killing it if it is still running after `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration) -> std::io::Result<Output> {
    run_with_input(cmd, &[], timeout)
}

/// Like [`run`], writing `input` to the process's stdin and then closing it.
pub fn run_with_input(
    cmd: &mut Command,
    input: &[u8],
    timeout: Duration,
) -> std::io::Result<Output> {
    let described = format!("{cmd:?}");
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    // Separate threads so that a full pipe on one stream cannot block the other or the writer.
    let writer = thread::spawn(move || {
        // A process may exit without reading all its input; that is its answer, not our error.
        let _ = stdin.write_all(&input);
    });
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err_reader.join().unwrap_or_default();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "{described} still running after {timeout:?}, killed; stderr:\n{}",
                    String::from_utf8_lossy(&stderr)
                ),
            ));
        }
        thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Output {
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

/// A topic as kafka-python's admin client describes it (`tests/support/python/kafka_admin.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicDescription {
    /// Topic name.
    pub name: String,
    /// Partitions sorted by index.
    pub partitions: Vec<PartitionDescription>,
}

/// One partition of a [`TopicDescription`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionDescription {
    /// Partition index.
    pub partition: i32,
    /// Leader node id (-1 if none).
    pub leader: i32,
    /// Replica node ids, in assignment order.
    pub replicas: Vec<i32>,
    /// In-sync replica node ids.
    pub isr: Vec<i32>,
}

fn python_admin(cluster: &Cluster, user: Option<&str>, args: &[&str]) -> serde_json::Value {
    try_python_admin(cluster, user, args).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `kafka_admin.py`; `Err` says how it failed (e.g. the broker it asked does not know the
/// topic yet).
fn try_python_admin(
    cluster: &Cluster,
    user: Option<&str>,
    args: &[&str],
) -> Result<serde_json::Value, String> {
    let script = repo_root().join("tests/support/python/kafka_admin.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg("--bootstrap").arg(cluster.bootstrap());
    if let Some(user) = user {
        cmd.args(["--user", user, "--password", cluster.password(user)]);
    }
    cmd.args(args);
    let out = run(&mut cmd, TOOL_TIMEOUT).map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(format!("kafka-python admin script failed:\n{}", out.combined()));
    }
    serde_json::from_str(&out.stdout)
        .map_err(|e| format!("bad JSON from kafka_admin.py ({e}): {}", out.stdout))
}

fn ids(v: &serde_json::Value) -> Vec<i32> {
    v.as_array()
        .expect("array of node ids")
        .iter()
        .map(|x| i32::try_from(x.as_i64().expect("node id")).expect("node id fits i32"))
        .collect()
}

/// Describes a topic with kafka-python's `KafkaAdminClient` (a client nobody here wrote).
pub fn describe_topic_with_kafka_python(
    cluster: &Cluster,
    user: Option<&str>,
    topic: &str,
) -> TopicDescription {
    try_describe_topic_with_kafka_python(cluster, user, topic).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`describe_topic_with_kafka_python`], with a failure (the broker asked does not know the
/// topic yet, say) as `Err`, for [`wait_until`].
pub fn try_describe_topic_with_kafka_python(
    cluster: &Cluster,
    user: Option<&str>,
    topic: &str,
) -> Result<TopicDescription, String> {
    let v = try_python_admin(cluster, user, &["describe-topic", topic])?;
    let partitions = v["partitions"]
        .as_array()
        .expect("partitions array")
        .iter()
        .map(|p| PartitionDescription {
            partition: p["partition"].as_i64().expect("partition") as i32,
            leader: p["leader"].as_i64().expect("leader") as i32,
            replicas: ids(&p["replicas"]),
            isr: ids(&p["isr"]),
        })
        .collect();
    Ok(TopicDescription { name: v["name"].as_str().expect("name").to_string(), partitions })
}

/// A cluster as kafka-python's `describe_cluster` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterDescription {
    /// The cluster id the nodes were formatted with.
    pub cluster_id: String,
    /// Live brokers, sorted by node id.
    pub brokers: Vec<BrokerDescription>,
}

/// One broker of a [`ClusterDescription`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerDescription {
    /// Node id.
    pub node_id: i32,
    /// Advertised port.
    pub port: u16,
    /// `broker.rack`, if set.
    pub rack: Option<String>,
}

/// Describes the cluster with kafka-python's `KafkaAdminClient`.
pub fn describe_cluster_with_kafka_python(
    cluster: &Cluster,
    user: Option<&str>,
) -> ClusterDescription {
    let v = python_admin(cluster, user, &["describe-cluster"]);
    let brokers = v["brokers"]
        .as_array()
        .expect("brokers array")
        .iter()
        .map(|b| BrokerDescription {
            node_id: b["node_id"].as_i64().expect("node_id") as i32,
            port: b["port"].as_u64().expect("port") as u16,
            rack: b["rack"].as_str().map(str::to_string),
        })
        .collect();
    ClusterDescription {
        cluster_id: v["cluster_id"].as_str().unwrap_or_default().to_string(),
        brokers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_topics_differ_and_are_valid_kafka_names() {
        let names: Vec<String> = (0..1000).map(|_| unique_topic("smoke")).collect();
        let distinct: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        for name in &names {
            assert!(name.starts_with("smoke-"));
            assert!(name.len() <= 249, "{name}");
            assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)), "{name}");
        }
    }

    #[test]
    fn wait_until_returns_the_value_once_ready() {
        let mut calls = 0;
        let got = wait_until(Duration::from_secs(5), "third call", || {
            calls += 1;
            if calls == 3 { Ok(calls * 10) } else { Err(format!("call {calls}")) }
        })
        .unwrap();
        assert_eq!(got, 30);
    }

    #[test]
    fn wait_until_times_out_saying_what_it_last_saw() {
        let start = Instant::now();
        let err = wait_until(Duration::from_millis(300), "the impossible", || {
            Err::<(), _>("still no".to_string())
        })
        .unwrap_err();
        assert!(start.elapsed() >= Duration::from_millis(300));
        assert!(start.elapsed() < Duration::from_secs(3));
        assert!(err.attempts >= 2);
        let text = err.to_string();
        assert!(text.contains("the impossible") && text.contains("still no"), "{text}");
    }

    #[test]
    fn run_kills_a_process_past_its_deadline() {
        let start = Instant::now();
        let err = run(Command::new("sleep").arg("30"), Duration::from_millis(200)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn run_with_input_feeds_stdin_and_captures_both_streams() {
        let out = run_with_input(
            Command::new("sh").args(["-c", "tr a-z A-Z; echo oops >&2; exit 3"]),
            b"hello",
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out.stdout, "HELLO");
        assert_eq!(out.stderr, "oops\n");
        assert_eq!(out.status.code(), Some(3));
    }

    #[test]
    fn state_file_parses_keys_and_skips_comments() {
        let s =
            parse_state("# comment\nBOOTSTRAP=127.0.0.1:1,127.0.0.1:2\nEMPTY=\nNODE_IDS=1 2 3\n");
        assert_eq!(s["BOOTSTRAP"], "127.0.0.1:1,127.0.0.1:2");
        assert_eq!(s["EMPTY"], "");
        assert_eq!(s["NODE_IDS"], "1 2 3");
        assert!(!s.contains_key("# comment"));
    }
}
