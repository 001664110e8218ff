//! What the CLI's tests share: `adminwire` run against a sidecar (its text, or its JSON answer or
//! error), and run in a pseudo-terminal, driven by keystrokes.
#![allow(dead_code)]

/// `adminwire ARGS --broker-list SIDECAR`, as a script runs it.
pub fn adminwire(
    sidecar: &adminwire_test_support::sidecar::TestSidecar,
    args: &[&str],
) -> adminwire_test_support::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
    command.args(args).arg("--broker-list").arg(sidecar.bootstrap());
    adminwire_test_support::run(&mut command, Duration::from_secs(90)).expect("adminwire runs")
}

/// Its JSON answer (`--output json`), which must succeed.
pub fn adminwire_json(
    sidecar: &adminwire_test_support::sidecar::TestSidecar,
    args: &[&str],
) -> serde_json::Value {
    let out = adminwire(sidecar, &[args, &["--output", "json"]].concat());
    let stdout = out.expect_success(&format!("adminwire {args:?}"));
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// Its exit code and JSON error (on stderr), for a command that must fail.
pub fn json_failure(
    sidecar: &adminwire_test_support::sidecar::TestSidecar,
    args: &[&str],
) -> (Option<i32>, serde_json::Value) {
    let out = adminwire(sidecar, &[args, &["--output", "json"]].concat());
    assert!(out.stdout.is_empty(), "{}", out.combined());
    let error = serde_json::from_str(out.stderr.trim())
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", out.combined()));
    (out.status.code(), error)
}

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Expect, Session};

/// How long one expected text may take to appear (a command against the cluster is quick; a
/// first tab completion asks the cluster for its topics).
const EXPECT_TIMEOUT: Duration = Duration::from_secs(30);

/// `adminwire ARGS` in a pseudo-terminal, as a person at a terminal runs it (without colors, so
/// that clap's messages can be matched as text).
#[derive(Debug)]
pub struct Terminal {
    session: OsSession,
}

impl Terminal {
    /// Starts `adminwire ARGS` with its history in `history`.
    pub fn start(args: &[&str], history: &Path) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_adminwire"));
        command
            .args(args)
            .env("ADMINWIRE_HISTORY_FILE", history)
            .env("TERM", "xterm")
            .env("NO_COLOR", "1");
        let mut session = Session::spawn(command).expect("adminwire starts in a pty");
        session.get_process_mut().set_window_size(160, 40).expect("a window size");
        session.set_expect_timeout(Some(EXPECT_TIMEOUT));
        Self { session }
    }

    /// Waits for `text` and returns everything printed before it (escape sequences included).
    ///
    /// Polls rather than calling expectrl's `expect`, which spins on a core while it waits: two
    /// such tests at once would starve the tool, the sidecar and the cluster on a 2-core machine.
    pub fn expect(&mut self, text: &str) -> String {
        let started = std::time::Instant::now();
        loop {
            match self.session.check(text) {
                Ok(found) if !found.is_empty() => {
                    return String::from_utf8_lossy(found.before()).into_owned();
                }
                Ok(_) if started.elapsed() < EXPECT_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                outcome => {
                    // What the terminal showed instead, so a failure says what went wrong.
                    let shown = self
                        .session
                        .check(expectrl::Regex("(?s).+"))
                        .map(|found| String::from_utf8_lossy(&found[0]).into_owned())
                        .unwrap_or_default();
                    let why = match outcome {
                        Err(error) => error.to_string(),
                        Ok(_) => format!("not shown within {EXPECT_TIMEOUT:?}"),
                    };
                    panic!("waiting for {text:?}: {why}; the terminal showed:\n{shown}")
                }
            }
        }
    }

    /// Types `keys` (control characters included) without pressing Enter.
    pub fn type_keys(&mut self, keys: &str) {
        self.session.send(keys).expect("send keys to the pty");
    }

    /// Types `line`, presses Enter, waits for `answer` and then for the prompt `prompt`; returns
    /// what was printed between the line and the answer.
    pub fn command(&mut self, line: &str, answer: &str, prompt: &str) -> String {
        self.type_keys(&format!("{line}\r"));
        let before = self.expect(answer);
        self.expect(prompt);
        before
    }

    /// Waits for the process to exit and returns its exit code.
    pub fn exit_code(self) -> i32 {
        let process = self.session.get_process();
        for _ in 0..300 {
            match process.status() {
                Ok(WaitStatus::StillAlive) => std::thread::sleep(Duration::from_millis(100)),
                Ok(WaitStatus::Exited(_, code)) => return code,
                other => panic!("adminwire did not exit normally: {other:?}"),
            }
        }
        panic!("adminwire still runs after 30 s");
    }
}
