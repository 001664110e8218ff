//! The sidecar's binary as a process of its own, for tests that kill it: in front of a cluster,
//! keeping its jobs and links in a topic of the cluster.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use adminwire_test_support::sidecar::free_port;
use adminwire_test_support::{Cluster, unique_topic, wait_until};

/// A sidecar process in front of `cluster`, keeping its jobs in `jobs_topic`; killed with
/// SIGKILL when dropped.
pub struct SidecarProcess {
    child: Child,
    pub bootstrap: String,
    admin: String,
    pub log: PathBuf,
}

impl SidecarProcess {
    pub fn start(cluster: &Cluster, jobs_topic: &str, poll_ms: u64) -> Self {
        let bootstrap_port = free_port();
        let admin = format!("127.0.0.1:{}", free_port());
        let servers: Vec<String> =
            cluster.bootstrap().split(',').map(|s| format!("{s:?}")).collect();
        let mut config = format!(
            "[upstream]\nbootstrap_servers = [{}]\n\n[listen]\nhost = \"127.0.0.1\"\n\
             bootstrap_port = {bootstrap_port}\n\n[admin]\nlisten = \"{admin}\"\n\n[jobs]\n\
             store = \"topic\"\ntopic = \"{jobs_topic}\"\nlease_ms = 3000\npoll_ms = {poll_ms}\n",
            servers.join(", ")
        );
        for node in cluster.node_ids() {
            let port = free_port();
            config.push_str(&format!(
                "\n[listen.brokers.{node}]\nbind = \"127.0.0.1:{port}\"\n\
                 advertised = \"127.0.0.1:{port}\"\n"
            ));
        }
        let dir = std::env::temp_dir();
        let name = unique_topic("killed-sidecar");
        let config_file = dir.join(format!("{name}.toml"));
        std::fs::write(&config_file, config).expect("write the sidecar's config");
        let log = dir.join(format!("{name}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_adminwire-sidecar"))
            .arg("--config")
            .arg(&config_file)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("create the sidecar's log"))
            .spawn()
            .expect("the sidecar starts");
        let sidecar = Self { child, bootstrap: format!("127.0.0.1:{bootstrap_port}"), admin, log };
        wait_until(Duration::from_secs(60), "the sidecar to run jobs", || {
            match sidecar.metric("adminwire_reassignment_runner") {
                Some(1.0) => Ok(()),
                other => Err(format!("runner metric {other:?}; log {}", sidecar.log.display())),
            }
        })
        .unwrap();
        sidecar
    }

    /// A sample of /metrics (`name` or `name{labels}`).
    pub fn metric(&self, sample: &str) -> Option<f64> {
        let mut stream = TcpStream::connect(&self.admin).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let request = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).ok()?;
        let mut body = String::new();
        stream.read_to_string(&mut body).ok()?;
        body.lines()
            .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' ')?.trim().parse().ok())
    }

    /// SIGKILL: nothing of it runs, nothing is flushed or handed over.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL the sidecar");
        let status = self.child.wait().expect("the killed sidecar is reaped");
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9));
    }
}

impl Drop for SidecarProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
