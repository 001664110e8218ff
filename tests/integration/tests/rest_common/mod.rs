//! curl against a sidecar's REST API, as operators script it, for the REST tests.
//!
//! Each test binary uses part of this; the rest would be dead code there.
#![allow(dead_code)]

use std::process::Command;
use std::time::Duration;

use adminwire_test_support::run;
use adminwire_test_support::sidecar::TestSidecar;
use serde_json::Value;

/// An HTTP answer: status, headers (lower-case names), and the body as JSON.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// `curl -X METHOD URL` as `user` (with their password on `cluster`), with a JSON body if given.
pub fn curl(
    sidecar: &TestSidecar,
    method: &str,
    path: &str,
    login: Option<(&str, &str)>,
    body: Option<&Value>,
) -> Answer {
    let mut command = Command::new("curl");
    command.args(["-sS", "-i", "-X", method, &format!("{}{path}", sidecar.http_url())]);
    if let Some((user, password)) = login {
        command.args(["-u", &format!("{user}:{password}")]);
    }
    if let Some(body) = body {
        command.args(["-H", "Content-Type: application/json", "--data-binary", &body.to_string()]);
    }
    let out = run(&mut command, Duration::from_secs(60)).expect("curl runs");
    let text = out.expect_success(&format!("curl {method} {path}"));
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = if body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {body}"))
    };
    Answer { status: status.unwrap_or(0), headers, body }
}

/// Checks an error answer: its status, the JSON every error has, and the Kafka error behind it.
pub fn assert_error(answer: &Answer, status: u16, kafka_error: Option<&str>) {
    assert_eq!(answer.status, status, "{answer:?}");
    assert_eq!(answer.body["error_code"], status, "{answer:?}");
    assert!(answer.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer:?}");
    match kafka_error {
        Some(name) => assert_eq!(answer.body["kafka_error"]["name"], name, "{answer:?}"),
        None => assert!(answer.body.get("kafka_error").is_none(), "{answer:?}"),
    }
}
