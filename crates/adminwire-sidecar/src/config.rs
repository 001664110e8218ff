//! The sidecar's configuration: a TOML file, each setting overridable by a flag or an environment
//! variable. `adminwire-sidecar --bootstrap-server 127.0.0.1:9092` needs nothing else.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use adminwire_kafka::sasl::{Credentials, Mechanism};
use anyhow::{Context, bail};
use clap::Parser;
use serde::Deserialize;

/// Command-line flags; every one is optional and overrides the file.
#[derive(Debug, Parser)]
#[command(
    name = "adminwire-sidecar",
    version,
    about = "A Kafka proxy serving adminwire's admin extension"
)]
pub struct Flags {
    /// A TOML configuration file (see docs/operations.md).
    #[arg(long, env = "ADMINWIRE_CONFIG")]
    pub config: Option<PathBuf>,
    /// The cluster's bootstrap servers, host:port[,host:port…].
    #[arg(long, env = "ADMINWIRE_BOOTSTRAP_SERVER", value_delimiter = ',')]
    pub bootstrap_server: Option<Vec<String>>,
    /// The address the listeners bind to.
    #[arg(long, env = "ADMINWIRE_LISTEN_HOST")]
    pub listen_host: Option<String>,
    /// The host clients are told to connect to (defaults to the listen host, or 127.0.0.1 when
    /// that is a wildcard).
    #[arg(long, env = "ADMINWIRE_ADVERTISED_HOST")]
    pub advertised_host: Option<String>,
    /// The port of the bootstrap listener.
    #[arg(long, env = "ADMINWIRE_BOOTSTRAP_PORT")]
    pub bootstrap_port: Option<u16>,
    /// Broker N gets the listener on port BASE + N.
    #[arg(long, env = "ADMINWIRE_BROKER_PORT_BASE")]
    pub broker_port_base: Option<u16>,
    /// Broker N is advertised on port BASE + N (defaults to the broker port base).
    #[arg(long, env = "ADMINWIRE_ADVERTISED_PORT_BASE")]
    pub advertised_port_base: Option<u16>,
    /// Answer admin requests only on the controller's listener (1001 elsewhere).
    #[arg(long, env = "ADMINWIRE_REQUIRE_CONTROLLER")]
    pub require_controller: bool,
    /// The HTTP endpoint's address: the REST API, the console (/ui), /metrics and /health.
    #[arg(long, env = "ADMINWIRE_ADMIN_LISTEN")]
    pub admin_listen: Option<SocketAddr>,
    /// The largest request or response frame accepted, in bytes.
    #[arg(long, env = "ADMINWIRE_MAX_FRAME_BYTES")]
    pub max_frame_bytes: Option<usize>,
    /// The most requests a connection may have outstanding before the sidecar stops reading it.
    #[arg(long, env = "ADMINWIRE_MAX_IN_FLIGHT")]
    pub max_in_flight: Option<usize>,
    /// The most client connections at once.
    #[arg(long, env = "ADMINWIRE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Close a connection with nothing outstanding after this long without a request.
    #[arg(long, env = "ADMINWIRE_IDLE_TIMEOUT_MS")]
    pub idle_timeout_ms: Option<u64>,
    /// The most connections from one client address at once (0: no limit).
    #[arg(long, env = "ADMINWIRE_MAX_CONNECTIONS_PER_IP")]
    pub max_connections_per_ip: Option<usize>,
    /// Close a client that takes none of its responses' bytes for this long.
    #[arg(long, env = "ADMINWIRE_WRITE_TIMEOUT_MS")]
    pub write_timeout_ms: Option<u64>,
    /// Threads that serve connections (0: half the cores, at least one).
    #[arg(long, env = "ADMINWIRE_WORKER_THREADS")]
    pub worker_threads: Option<usize>,
    /// The SASL user reassignment jobs run as, on a cluster that requires authentication.
    #[arg(long, env = "ADMINWIRE_JOBS_USERNAME")]
    pub jobs_username: Option<String>,
    /// That user's password (better given in the environment than on the command line).
    #[arg(long, env = "ADMINWIRE_JOBS_PASSWORD", hide_env_values = true)]
    pub jobs_password: Option<String>,
    /// The SASL mechanism jobs log in with: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
    #[arg(long, env = "ADMINWIRE_JOBS_MECHANISM")]
    pub jobs_mechanism: Option<String>,
}

/// The whole configuration, as the file spells it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub upstream: Upstream,
    pub listen: Listen,
    pub limits: Limits,
    pub admin: Admin,
    pub runtime: Runtime,
    pub jobs: Jobs,
    pub rest: Rest,
    pub links: LinksConfig,
}

/// What the sidecar does with clients' writes to mirror topics of cluster links.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LinksConfig {
    /// Send a Produce's partitions of mirror topics to the link's source cluster (the producer is
    /// answered with the source's result), so that producers can be moved to the target while
    /// consumers still read the source. Off: such writes are refused (1015).
    pub route_producers: bool,
    /// Answer a routed write only once the link has copied it to the mirror, so that every
    /// acknowledged write is readable on the target; a write not copied within the request's
    /// timeout is answered REQUEST_TIMED_OUT.
    pub wait_for_copy: bool,
    /// Hold a linked group's members joining through the sidecar (answered
    /// COORDINATOR_LOAD_IN_PROGRESS, which clients retry) while the group is on the source, and
    /// hand it over by itself once its source group has stayed empty. Off: members join at once,
    /// and groups are handed over only when asked.
    pub hold_groups: bool,
    /// How long a linked group's source group must have had no member before it is handed over
    /// to its members waiting here.
    pub group_quiet_ms: u64,
    /// The window over which a link watches who writes to a mirror's source: a promotion (not a
    /// failover, nor forced) needs a whole one without a producer writing there directly.
    pub switch_window_ms: u64,
}

impl Default for LinksConfig {
    fn default() -> Self {
        Self {
            route_producers: true,
            wait_for_copy: true,
            hold_groups: true,
            group_quiet_ms: 5_000,
            switch_window_ms: 30_000,
        }
    }
}

/// The REST API, served on `admin.listen`.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Rest {
    /// The SASL mechanism a request's HTTP Basic credentials log in to the brokers with: PLAIN,
    /// SCRAM-SHA-256 or SCRAM-SHA-512.
    pub mechanism: String,
    /// How many requests run against the cluster at once (each has a connection of its own);
    /// one beyond waits up to a second for a turn, then is answered 503 with `Retry-After`.
    pub max_concurrent_requests: usize,
    /// The user a request without credentials runs as, logged in with `anonymous_password` like
    /// any other: the operator's explicit choice to let such requests in on a secured cluster, as
    /// that user and with that user's ACLs. Unset: such a request runs only on a cluster that
    /// needs no login.
    pub anonymous_username: Option<String>,
    pub anonymous_password: Option<String>,
}

impl Default for Rest {
    fn default() -> Self {
        Self {
            mechanism: "PLAIN".into(),
            max_concurrent_requests: 32,
            anonymous_username: None,
            anonymous_password: None,
        }
    }
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password, whatever logs the configuration.
        f.debug_struct("Rest")
            .field("mechanism", &self.mechanism)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("anonymous_username", &self.anonymous_username)
            .finish_non_exhaustive()
    }
}

impl Rest {
    /// The credentials a request without its own runs with, if the operator set them.
    pub fn anonymous(&self, mechanism: Mechanism) -> anyhow::Result<Option<Credentials>> {
        match (&self.anonymous_username, &self.anonymous_password) {
            (None, None) => Ok(None),
            (Some(user), Some(password)) if !user.is_empty() => {
                Ok(Some(Credentials::new(mechanism, user, password)))
            }
            _ => bail!(
                "rest.anonymous_username and rest.anonymous_password go together, with a user name"
            ),
        }
    }

    pub fn mechanism(&self) -> anyhow::Result<Mechanism> {
        let name = self.mechanism.to_ascii_uppercase();
        match Mechanism::from_name(&name) {
            Some(mechanism) => Ok(mechanism),
            None => {
                bail!("rest.mechanism {name:?} is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")
            }
        }
    }
}

/// Reassignment jobs: the principal they run as and how hard they may work the cluster.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Jobs {
    /// The SASL user jobs run as. Needed on a cluster that requires authentication: the moves run
    /// on the sidecar's own connections, long after the client that asked has gone, so never as
    /// a borrowed client login, and never as a super-user nobody configured.
    pub username: Option<String>,
    pub password: Option<String>,
    /// PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
    pub mechanism: String,
    /// Partitions moving into, and out of, one broker at once.
    pub max_moves_per_broker: usize,
    /// Partitions moving at once in the whole cluster.
    pub max_moves: usize,
    /// How often a running job looks at its moves' progress.
    pub poll_ms: u64,
    /// The replication rate an unthrottled estimate assumes, bytes a second per broker.
    pub bandwidth_bytes_per_sec: u64,
    /// Where jobs are kept: `topic` (in `topic` of the cluster, shared by every sidecar in
    /// front of it) or `memory` (this process's; a restart forgets them).
    pub store: String,
    /// The compacted topic jobs are kept in.
    pub topic: String,
    /// How long the sidecar running the jobs may go without renewing its lease before another
    /// takes them over.
    pub lease_ms: u64,
    /// How long a job is kept (listed, described) after it ended; then it is removed from the
    /// jobs topic, so that the topic does not grow for ever.
    pub retention_ms: u64,
}

impl Default for Jobs {
    fn default() -> Self {
        Self {
            username: None,
            password: None,
            mechanism: "PLAIN".into(),
            max_moves_per_broker: 5,
            max_moves: 50,
            poll_ms: 1_000,
            // A conservative figure for a broker's replication on a 1 Gbit/s network.
            bandwidth_bytes_per_sec: 50 * 1024 * 1024,
            store: "topic".into(),
            topic: "adminwire-jobs".into(),
            lease_ms: 10_000,
            // A week, as Kafka keeps a topic's records by default.
            retention_ms: 7 * 24 * 3600 * 1000,
        }
    }
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password, whatever logs the configuration.
        f.debug_struct("Jobs")
            .field("username", &self.username)
            .field("mechanism", &self.mechanism)
            .field("max_moves_per_broker", &self.max_moves_per_broker)
            .field("max_moves", &self.max_moves)
            .field("poll_ms", &self.poll_ms)
            .field("bandwidth_bytes_per_sec", &self.bandwidth_bytes_per_sec)
            .field("store", &self.store)
            .field("topic", &self.topic)
            .field("lease_ms", &self.lease_ms)
            .field("retention_ms", &self.retention_ms)
            .finish_non_exhaustive()
    }
}

/// How the sidecar's own work is scheduled.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Runtime {
    /// Threads that serve connections; 0 picks half the cores, at least one.
    pub worker_threads: usize,
}

impl Runtime {
    /// The worker threads to start. A sidecar shares its machine with a broker or with clients,
    /// so by default it takes half the cores: on two cores shared with three brokers and a
    /// producer, one worker used a fifth less CPU per GiB than two (half the context switches) and
    /// forwarded more.
    pub fn worker_threads(&self) -> usize {
        match self.worker_threads {
            0 => std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
            n => n,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Upstream {
    /// The cluster's bootstrap servers.
    pub bootstrap_servers: Vec<String>,
    pub connect_timeout_ms: u64,
    /// The deadline of each request an admin command sends to the cluster.
    pub request_timeout_ms: u64,
    /// How often the sidecar asks the cluster for its brokers itself (0: never; it still learns
    /// them from the Metadata responses clients receive through it).
    pub metadata_refresh_ms: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Listen {
    pub host: String,
    pub advertised_host: Option<String>,
    pub bootstrap_port: u16,
    pub broker_port_base: u16,
    pub advertised_port_base: Option<u16>,
    /// Explicit listeners for some brokers, by node id, instead of the port arithmetic.
    pub brokers: BTreeMap<i32, BrokerListener>,
    /// Admin requests only on the listener of the broker the cluster reports as controller; the
    /// others answer 1001 NotControllerReceivedAdminRequest (KIP-4's model). ClusterMetadata, which
    /// tells clients where the controller is, is answered everywhere.
    pub require_controller: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BrokerListener {
    /// The address to bind.
    pub bind: SocketAddr,
    /// The host:port clients are told.
    pub advertised: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub max_frame_bytes: usize,
    pub max_in_flight_per_connection: usize,
    pub max_connections: usize,
    /// The most connections from one client address at once (0: no limit). Brokers see every
    /// client as the sidecar's address, so their own per-IP limits cannot tell clients apart.
    pub max_connections_per_ip: usize,
    pub idle_timeout_ms: u64,
    /// A client that takes no bytes of its responses for this long is closed.
    pub write_timeout_ms: u64,
    /// The most response bytes held for one client at once; past it the sidecar stops reading the
    /// broker's responses for that client until it catches up.
    pub max_queued_response_bytes: usize,
    pub shutdown_drain_ms: u64,
    /// What one admin-extension request may ask for.
    pub admin: AdminLimits,
}

/// Caps on one admin-extension request (keys 30000-30017): its bytes, and the topics, partitions
/// and plan entries it names. A request past a cap is answered INVALID_REQUEST (42) naming the
/// cap, without being run. They bound the work and memory one request costs the sidecar and the
/// cluster.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AdminLimits {
    pub max_request_bytes: usize,
    pub max_topics: usize,
    pub max_partitions: usize,
    pub max_plan_entries: usize,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Admin {
    /// Where /metrics and /health are served; none if unset.
    pub listen: Option<SocketAddr>,
}

impl Default for Upstream {
    fn default() -> Self {
        Self {
            bootstrap_servers: Vec::new(),
            connect_timeout_ms: 5_000,
            request_timeout_ms: 30_000,
            metadata_refresh_ms: 30_000,
        }
    }
}

impl Default for Listen {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            advertised_host: None,
            bootstrap_port: 9092,
            broker_port_base: 9100,
            advertised_port_base: None,
            brokers: BTreeMap::new(),
            require_controller: false,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: adminwire_protocol::DEFAULT_MAX_FRAME_SIZE,
            max_in_flight_per_connection: 64,
            max_connections: 10_000,
            // Kafka brokers close idle connections after connections.max.idle.ms = 10 minutes.
            idle_timeout_ms: 600_000,
            max_connections_per_ip: 0,
            write_timeout_ms: 30_000,
            max_queued_response_bytes: 64 * 1024 * 1024,
            shutdown_drain_ms: 10_000,
            admin: AdminLimits::default(),
        }
    }
}

impl Default for AdminLimits {
    fn default() -> Self {
        Self {
            max_request_bytes: 1024 * 1024,
            max_topics: 10_000,
            max_partitions: 100_000,
            max_plan_entries: 100_000,
        }
    }
}

impl Default for Admin {
    fn default() -> Self {
        Self { listen: Some(SocketAddr::from(([127, 0, 0, 1], 9644))) }
    }
}

impl Config {
    /// The file's settings (or the defaults), then the flags over them; checked.
    pub fn load(flags: &Flags) -> anyhow::Result<Self> {
        let mut config = match &flags.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
            }
            None => Config::default(),
        };
        config.apply(flags);
        config.check()?;
        Ok(config)
    }

    fn apply(&mut self, flags: &Flags) {
        if let Some(servers) = &flags.bootstrap_server {
            self.upstream.bootstrap_servers =
                servers.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        }
        let listen = &mut self.listen;
        set(&mut listen.host, flags.listen_host.clone());
        if flags.advertised_host.is_some() {
            listen.advertised_host = flags.advertised_host.clone();
        }
        set(&mut listen.bootstrap_port, flags.bootstrap_port);
        set(&mut listen.broker_port_base, flags.broker_port_base);
        if flags.advertised_port_base.is_some() {
            listen.advertised_port_base = flags.advertised_port_base;
        }
        if flags.require_controller {
            listen.require_controller = true;
        }
        if flags.admin_listen.is_some() {
            self.admin.listen = flags.admin_listen;
        }
        let limits = &mut self.limits;
        set(&mut limits.max_frame_bytes, flags.max_frame_bytes);
        set(&mut limits.max_in_flight_per_connection, flags.max_in_flight);
        set(&mut limits.max_connections, flags.max_connections);
        set(&mut limits.max_connections_per_ip, flags.max_connections_per_ip);
        set(&mut limits.write_timeout_ms, flags.write_timeout_ms);
        set(&mut limits.idle_timeout_ms, flags.idle_timeout_ms);
        set(&mut self.runtime.worker_threads, flags.worker_threads);
        if flags.jobs_username.is_some() {
            self.jobs.username = flags.jobs_username.clone();
        }
        if flags.jobs_password.is_some() {
            self.jobs.password = flags.jobs_password.clone();
        }
        set(&mut self.jobs.mechanism, flags.jobs_mechanism.clone());
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.upstream.bootstrap_servers.is_empty() {
            bail!(
                "no bootstrap servers: give --bootstrap-server host:port or upstream.bootstrap_servers"
            );
        }
        for server in &self.upstream.bootstrap_servers {
            if server.rsplit_once(':').and_then(|(_, port)| port.parse::<u16>().ok()).is_none() {
                bail!("bootstrap server {server:?} is not host:port");
            }
        }
        if self.limits.max_in_flight_per_connection == 0 || self.limits.max_connections == 0 {
            bail!(
                "limits.max_in_flight_per_connection and limits.max_connections must be at least 1"
            );
        }
        if self.limits.write_timeout_ms == 0 || self.limits.max_queued_response_bytes == 0 {
            bail!(
                "limits.write_timeout_ms and limits.max_queued_response_bytes must be at least 1"
            );
        }
        let admin = &self.limits.admin;
        if admin.max_request_bytes == 0
            || admin.max_topics == 0
            || admin.max_partitions == 0
            || admin.max_plan_entries == 0
        {
            bail!("every limits.admin cap must be at least 1");
        }
        if self.limits.max_frame_bytes > i32::MAX as usize {
            bail!("limits.max_frame_bytes cannot exceed {}", i32::MAX);
        }
        let jobs = &self.jobs;
        if jobs.username.is_some() != jobs.password.is_some() {
            bail!("jobs.username and jobs.password go together: give both or neither");
        }
        self.jobs.mechanism()?;
        if jobs.max_moves_per_broker == 0 || jobs.max_moves == 0 || jobs.poll_ms == 0 {
            bail!("jobs.max_moves_per_broker, jobs.max_moves and jobs.poll_ms must be at least 1");
        }
        if jobs.bandwidth_bytes_per_sec == 0 {
            bail!("jobs.bandwidth_bytes_per_sec must be at least 1");
        }
        let rest = &self.rest;
        rest.anonymous(rest.mechanism()?)?;
        if rest.max_concurrent_requests == 0 {
            bail!("rest.max_concurrent_requests must be at least 1");
        }
        if !matches!(jobs.store.as_str(), "topic" | "memory") {
            bail!("jobs.store {:?} is not \"topic\" or \"memory\"", jobs.store);
        }
        if jobs.topic.is_empty() || jobs.lease_ms < 1_000 {
            bail!("jobs.topic must be named and jobs.lease_ms be at least 1000");
        }
        Ok(())
    }

    /// The host clients are told, for listeners without an explicit address.
    pub fn advertised_host(&self) -> String {
        match &self.listen.advertised_host {
            Some(host) => host.clone(),
            None if matches!(self.listen.host.as_str(), "0.0.0.0" | "::" | "[::]") => {
                "127.0.0.1".into()
            }
            None => self.listen.host.clone(),
        }
    }

    /// Where the listener of broker `node_id` binds and what it advertises, or `None` when the
    /// port arithmetic does not fit a port.
    pub fn broker_listener(&self, node_id: i32) -> Option<(String, String, u16)> {
        if let Some(explicit) = self.listen.brokers.get(&node_id) {
            let (host, port) = explicit.advertised.rsplit_once(':')?;
            return Some((explicit.bind.to_string(), host.to_owned(), port.parse().ok()?));
        }
        let bind_port =
            u16::try_from(i64::from(self.listen.broker_port_base) + i64::from(node_id)).ok()?;
        let advertised_base =
            self.listen.advertised_port_base.unwrap_or(self.listen.broker_port_base);
        let advertised_port =
            u16::try_from(i64::from(advertised_base) + i64::from(node_id)).ok()?;
        Some((
            join_host_port(&self.listen.host, bind_port),
            self.advertised_host(),
            advertised_port,
        ))
    }

    pub fn bootstrap_bind(&self) -> String {
        join_host_port(&self.listen.host, self.listen.bootstrap_port)
    }

    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream.connect_timeout_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream.request_timeout_ms)
    }

    pub fn write_timeout(&self) -> Duration {
        Duration::from_millis(self.limits.write_timeout_ms)
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.limits.idle_timeout_ms)
    }
}

impl Jobs {
    pub fn mechanism(&self) -> anyhow::Result<Mechanism> {
        let name = self.mechanism.to_ascii_uppercase();
        match Mechanism::from_name(&name) {
            Some(mechanism) => Ok(mechanism),
            None => {
                bail!("jobs.mechanism {name:?} is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")
            }
        }
    }

    /// The login jobs run with, if one is configured.
    pub fn credentials(&self) -> anyhow::Result<Option<Credentials>> {
        let (Some(username), Some(password)) = (&self.username, &self.password) else {
            return Ok(None);
        };
        Ok(Some(Credentials::new(self.mechanism()?, username, password)))
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> Flags {
        Flags::parse_from(std::iter::once("adminwire-sidecar").chain(args.iter().copied()))
    }

    #[test]
    fn a_bootstrap_server_is_enough() {
        let config = Config::load(&flags(&["--bootstrap-server", "127.0.0.1:9092"])).unwrap();
        assert_eq!(config.upstream.bootstrap_servers, vec!["127.0.0.1:9092"]);
        assert_eq!(config.bootstrap_bind(), "127.0.0.1:9092");
        assert_eq!(
            config.broker_listener(3),
            Some(("127.0.0.1:9103".into(), "127.0.0.1".into(), 9103))
        );
    }

    #[test]
    fn flags_override_the_file_and_explicit_brokers_override_arithmetic() {
        let dir = std::env::temp_dir().join(format!("adminwire-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("sidecar.toml");
        std::fs::write(
            &file,
            r#"
[upstream]
bootstrap_servers = ["10.0.0.1:9092"]
[listen]
host = "0.0.0.0"
broker_port_base = 7000
advertised_port_base = 8000
[listen.brokers.2]
bind = "0.0.0.0:7777"
advertised = "kafka-2.example:443"
[limits]
max_in_flight_per_connection = 8
"#,
        )
        .unwrap();
        let config = Config::load(&flags(&[
            "--config",
            file.to_str().unwrap(),
            "--bootstrap-server",
            "a:1,b:2",
        ]))
        .unwrap();
        assert_eq!(config.upstream.bootstrap_servers, vec!["a:1", "b:2"]);
        assert_eq!(config.limits.max_in_flight_per_connection, 8);
        assert_eq!(
            config.broker_listener(1),
            Some(("0.0.0.0:7001".into(), "127.0.0.1".into(), 8001))
        );
        assert_eq!(
            config.broker_listener(2),
            Some(("0.0.0.0:7777".into(), "kafka-2.example".into(), 443))
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        let err = Config::load(&flags(&[])).unwrap_err().to_string();
        assert!(err.contains("no bootstrap servers"), "{err}");
        let err =
            Config::load(&flags(&["--bootstrap-server", "nohostport"])).unwrap_err().to_string();
        assert!(err.contains("not host:port"), "{err}");
    }
}
