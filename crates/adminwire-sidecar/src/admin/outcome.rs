//! What a command did to each topic (or partition), and how a response reports it: version 1 per
//! item, version 0 as one error code, that of the first item that failed (docs/protocol.md,
//! "Batches and how version 0 answers them").

use adminwire_protocol::ErrorCode;

/// The result for one topic or partition of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What the result is about, as the request named it (`orders`, `orders-0`).
    pub name: String,
    pub code: ErrorCode,
    pub message: Option<String>,
}

impl Outcome {
    pub fn ok(name: impl Into<String>) -> Self {
        Self { name: name.into(), code: ErrorCode::NONE, message: None }
    }

    pub fn failed(name: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { name: name.into(), code, message: Some(message.into()) }
    }
}

/// Version 0's single answer for a batch: success if every item succeeded, else the first failure
/// in request order, its message naming the item.
pub fn first_failure(outcomes: &[Outcome]) -> (i16, Option<String>) {
    match outcomes.iter().find(|o| !o.code.is_ok()) {
        None => (0, None),
        Some(o) => {
            (o.code.0, Some(format!("{}: {}", o.name, o.message.as_deref().unwrap_or("failed"))))
        }
    }
}

/// The extension's code for a Kafka error where the extension has one of its own (KIP-4's
/// 1002-1010); Kafka's code otherwise (authorization, unknown topic, timeouts…).
pub fn extension_code(kafka: i16) -> ErrorCode {
    match kafka {
        36 => ErrorCode::TOPIC_ALREADY_EXISTS,
        37 => ErrorCode::INVALID_ARGUMENT_PARTITIONS,
        38 => ErrorCode::INVALID_ARGUMENT_REPLICATION_FACTOR,
        39 => ErrorCode::INVALID_ARGUMENT_REPLICA_ASSIGNMENT,
        40 => ErrorCode::INVALID_TOPIC_CONFIG,
        60 => ErrorCode::REASSIGN_PARTITIONS_IN_PROGRESS,
        other => ErrorCode(other),
    }
}

/// An outcome from a Kafka result: its code mapped, its message kept (or the code's own text).
pub fn from_kafka(name: &str, code: i16, message: Option<&str>) -> Outcome {
    if code == 0 {
        return Outcome::ok(name);
    }
    let code = extension_code(code);
    let message = message
        .map(str::to_owned)
        .or_else(|| code.message().map(str::to_owned))
        .unwrap_or_default();
    Outcome::failed(name, code, message)
}

/// Names listed more than once in one request: each repeat fails, as Kafka fails them.
pub fn repeated<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> std::collections::HashSet<&'a str> {
    let mut seen = std::collections::HashSet::new();
    let mut repeated = std::collections::HashSet::new();
    for name in names {
        if !seen.insert(name) {
            repeated.insert(name);
        }
    }
    repeated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_0_reports_the_first_failure_in_order() {
        let outcomes = vec![
            Outcome::ok("a"),
            Outcome::failed("b", ErrorCode::TOPIC_ALREADY_EXISTS, "exists"),
            Outcome::failed("c", ErrorCode::INVALID_TOPIC_CONFIG, "bad"),
        ];
        assert_eq!(first_failure(&outcomes), (1002, Some("b: exists".into())));
        assert_eq!(first_failure(&outcomes[..1]), (0, None));
    }

    #[test]
    fn kafka_codes_map_to_the_extensions_where_it_has_one() {
        assert_eq!(extension_code(36), ErrorCode::TOPIC_ALREADY_EXISTS);
        assert_eq!(extension_code(40), ErrorCode::INVALID_TOPIC_CONFIG);
        assert_eq!(extension_code(29), ErrorCode::TOPIC_AUTHORIZATION_FAILED);
        assert_eq!(
            from_kafka("t", 3, None).message.as_deref(),
            Some("This server does not host this topic-partition.")
        );
    }
}
