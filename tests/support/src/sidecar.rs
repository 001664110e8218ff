//! A real adminwire sidecar, in this test process, in front of a real cluster.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use adminwire_sidecar::config::BrokerListener;
use adminwire_sidecar::{Config, Running};

use crate::{Cluster, wait_until};

/// A sidecar serving on free loopback ports; stopped (gracefully) when dropped.
#[derive(Debug)]
pub struct TestSidecar {
    // Declared before the runtime so it is dropped (shut down) first.
    running: Running,
    /// Taken when the sidecar is killed.
    runtime: Option<tokio::runtime::Runtime>,
    broker_ports: Vec<(i32, u16)>,
}

/// A port nothing listens on right now, handed out once per process. It comes from below the
/// kernel's ephemeral range (32768 and up here), where the test clusters' ports are not either:
/// a port from that range could be taken, before the test binds it, by a listener bound to port 0
/// or by any outgoing connection.
pub fn free_port() -> u16 {
    const FIRST: u16 = 20_000;
    const SPAN: u16 = 5_000;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    // Test binaries running at once start at different places.
    let start = (std::process::id() % u32::from(SPAN)) as u16;
    for _ in 0..SPAN {
        let port = FIRST + (start + NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {FIRST}..{}", FIRST + SPAN)
}

/// Logs of the sidecar go to the test's output (shown for failing tests); `RUST_LOG` filters.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .try_init();
}

impl TestSidecar {
    /// A sidecar with the default settings in front of `cluster`.
    pub fn start(cluster: &Cluster) -> Self {
        Self::start_with(cluster, |_| {})
    }

    /// A sidecar in front of `cluster`, with `tweak` applied to its configuration.
    pub fn start_with(cluster: &Cluster, tweak: impl Fn(&mut Config)) -> Self {
        init_logging();
        // As many worker threads as the sidecar's binary starts by default.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(Config::default().runtime.worker_threads())
            .enable_all()
            .thread_name("test-sidecar")
            .build()
            .expect("a tokio runtime");
        // A port found free can be taken before the sidecar binds it; then it tries other ports.
        let mut attempts = 5;
        loop {
            let (config, broker_ports) = Self::config(cluster, &tweak);
            match runtime.block_on(adminwire_sidecar::start(config)) {
                Ok(running) => return Self { running, runtime: Some(runtime), broker_ports },
                Err(e) if attempts > 1 && e.to_string().contains("Address already in use") => {
                    attempts -= 1;
                    // A restarted sidecar's own ports may take a moment to be free again.
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("the sidecar starts: {e:#}"),
            }
        }
    }

    /// A configuration for `cluster` on ports found free, with `tweak` applied, and the port of
    /// each broker's listener.
    fn config(cluster: &Cluster, tweak: &impl Fn(&mut Config)) -> (Config, Vec<(i32, u16)>) {
        let mut config = Config::default();
        config.upstream.bootstrap_servers =
            cluster.bootstrap().split(',').map(str::to_owned).collect();
        config.listen.bootstrap_port = free_port();
        for node in cluster.node_ids() {
            let port = free_port();
            config.listen.brokers.insert(
                node,
                BrokerListener {
                    bind: SocketAddr::from(([127, 0, 0, 1], port)),
                    advertised: format!("127.0.0.1:{port}"),
                },
            );
        }
        config.admin.listen = Some(SocketAddr::from(([127, 0, 0, 1], free_port())));
        config.limits.shutdown_drain_ms = 5_000;
        // Each test's jobs are its own: a sidecar shares a jobs topic only where a test says.
        config.jobs.store = "memory".into();
        tweak(&mut config);
        // What the tweak left: a restarted sidecar's listeners are its predecessor's.
        let broker_ports =
            config.listen.brokers.iter().map(|(node, l)| (*node, l.bind.port())).collect();
        (config, broker_ports)
    }

    /// Stops this sidecar the way SIGTERM does and starts another in front of `cluster` on the
    /// same addresses (bootstrap, broker listeners, HTTP), with `tweak` applied: its clients
    /// reconnect to it as to a restarted process.
    pub fn restart(self, cluster: &Cluster, tweak: impl Fn(&mut Config)) -> Self {
        let bootstrap_port = self.running.bootstrap.port();
        let admin = self.running.admin;
        let brokers = self.broker_ports.clone();
        drop(self);
        Self::start_with(cluster, |config| {
            tweak(config);
            config.listen.bootstrap_port = bootstrap_port;
            config.listen.brokers.clear();
            for (node, port) in &brokers {
                let listener = BrokerListener {
                    bind: SocketAddr::from(([127, 0, 0, 1], *port)),
                    advertised: format!("127.0.0.1:{port}"),
                };
                config.listen.brokers.insert(*node, listener);
            }
            config.admin.listen = admin;
        })
    }

    /// The bootstrap address clients use.
    pub fn bootstrap(&self) -> String {
        self.running.bootstrap.to_string()
    }

    /// Every address this sidecar serves on: bootstrap and broker listeners.
    pub fn addresses(&self) -> Vec<String> {
        let mut all = vec![self.bootstrap()];
        all.extend(self.broker_ports.iter().map(|(_, port)| format!("127.0.0.1:{port}")));
        all
    }

    /// The listener address of broker `node`.
    pub fn broker_address(&self, node: i32) -> String {
        let port = self.broker_ports.iter().find(|(n, _)| *n == node).expect("a known node").1;
        format!("127.0.0.1:{port}")
    }

    /// The sidecar's shared state, for assertions on what it learned.
    pub fn running(&self) -> &Running {
        &self.running
    }

    /// Runs `f` inside the sidecar's runtime, for calls into it that spawn tasks or bind sockets.
    pub fn in_runtime<T>(&self, f: impl FnOnce() -> T) -> T {
        let _entered = self.runtime().enter();
        f()
    }

    /// Waits until the sidecar fronts `count` brokers (learned from the cluster).
    pub fn wait_for_brokers(&self, count: usize) {
        wait_until(Duration::from_secs(30), "the sidecar to learn the brokers", || {
            let known = self.running.shared.registry.len();
            if known >= count { Ok(()) } else { Err(format!("{known} known")) }
        })
        .unwrap();
    }

    /// GETs `path` from the admin endpoint; returns status code and body.
    pub fn http_get(&self, path: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let address = self.running.admin.expect("the admin endpoint is on");
        let mut stream =
            std::net::TcpStream::connect(address).expect("connect to the admin endpoint");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read the HTTP response");
        let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    /// The base URL of the sidecar's HTTP listener (REST API, /metrics, /health).
    pub fn http_url(&self) -> String {
        format!("http://{}", self.running.admin.expect("the admin endpoint is on"))
    }

    /// The value of a Prometheus sample, e.g. `adminwire_requests_total{api="Metadata"}`.
    pub fn metric(&self, sample: &str) -> Option<f64> {
        let (_, body) = self.http_get("/metrics");
        body.lines().find_map(|line| line.strip_prefix(sample)?.trim().parse().ok())
    }

    /// Stops the sidecar the way SIGTERM does: stop accepting, drain, close.
    pub fn shutdown(&self) {
        self.runtime().block_on(self.running.shutdown());
    }

    /// Stops the sidecar dead, as `kill -9` would: no task of it runs again (its jobs stop
    /// where they are), nothing is drained or written.
    pub fn kill(mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("a sidecar not killed")
    }
}

impl Drop for TestSidecar {
    fn drop(&mut self) {
        if let Some(runtime) = &self.runtime {
            runtime.block_on(self.running.shutdown());
        }
    }
}
