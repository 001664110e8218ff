//! A cluster link as the store keeps it, in records that each have one writer at a time, so that
//! no write undoes another's:
//!
//! | key | record | written by |
//! |---|---|---|
//! | `link/<id>` | [`LinkConfig`]: the source, where copying starts, topics, groups, paused | any sidecar, on a request |
//! | `linkstatus/<id>` | [`LinkStatus`]: each mirror's and group's state | the sidecar running links |
//! | `linkpart/<id>/<topic>/<n>` | [`Progress`]: partition `n`'s copy and offset map | the sidecar running links |
//! | `promote/<id>/<topic>` | [`Promotion`]: a mirror asked to be promoted | any sidecar, on a request |
//! | `linkproducer/<id>/<producer id>/<epoch>` | [`RoutedProducer`]: the source's producer standing in for a target producer whose writes to mirrors are routed to the source | the first sidecar routing its writes |

use std::collections::BTreeMap;

use adminwire_kafka::partitions::Position;
use serde::{Deserialize, Serialize};

use super::copy::Progress;

/// Where a new mirror's copy starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "at", content = "ms")]
pub enum Start {
    /// Every record the source still holds.
    Earliest,
    /// Only records written from now on.
    Latest,
    /// Records from this time on (milliseconds since the Unix epoch).
    Time(i64),
}

impl Start {
    pub fn position(self) -> Position {
        match self {
            Self::Earliest => Position::Earliest,
            Self::Latest => Position::Latest,
            Self::Time(at) => Position::Time(at),
        }
    }

    /// `earliest`, `latest`, or a time in milliseconds since the Unix epoch.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "earliest" => Some(Self::Earliest),
            "latest" => Some(Self::Latest),
            ms => ms.parse::<i64>().ok().filter(|ms| *ms >= 0).map(Self::Time),
        }
    }
}

/// How the link logs in to the source cluster.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLogin {
    /// PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
    pub mechanism: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for SourceLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password, whatever logs the link.
        f.debug_struct("SourceLogin")
            .field("mechanism", &self.mechanism)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What a link is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfig {
    pub id: String,
    /// The source cluster's bootstrap servers (`host:port`).
    pub source_bootstrap: Vec<String>,
    /// None: the source takes clients without a login (PLAINTEXT).
    pub source_login: Option<SourceLogin>,
    /// The source cluster's id, as it was when the link was made.
    pub source_cluster_id: Option<String>,
    pub start: Start,
    /// The source topics mirrored.
    pub topics: Vec<String>,
    /// The consumer groups whose offsets are carried over.
    pub groups: Vec<String>,
    /// How often groups' offsets are carried over, in milliseconds.
    pub group_sync_ms: u64,
    pub paused: bool,
    pub created_ms: u64,
    /// The principal that made it (`User:name`).
    pub requested_by: Option<String>,
}

/// Where a link is as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LinkState {
    Active,
    Paused,
    /// The source cannot be reached: the link waits for it and goes on by itself.
    SourceUnavailable,
    Failed,
}

impl LinkState {
    /// The state's name as every front end shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Paused => "PAUSED",
            Self::SourceUnavailable => "SOURCE_UNAVAILABLE",
            Self::Failed => "FAILED",
        }
    }
}

/// Where one mirror topic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MirrorState {
    Active,
    Paused,
    /// Being promoted: the last records and offsets carried over, then writable.
    Promoting,
    /// An ordinary topic now: no longer copied, writable.
    Promoted,
    Failed,
    SourceUnavailable,
}

impl MirrorState {
    /// The state's name as every front end shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Paused => "PAUSED",
            Self::Promoting => "PROMOTING",
            Self::Promoted => "PROMOTED",
            Self::Failed => "FAILED",
            Self::SourceUnavailable => "SOURCE_UNAVAILABLE",
        }
    }

    /// Read-only to clients: its records come from the source.
    pub fn is_mirroring(self) -> bool {
        !matches!(self, Self::Promoted)
    }
}

/// One mirror topic's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorStatus {
    pub state: MirrorState,
    /// Its partitions on the source, as last seen.
    pub partitions: i32,
    pub error: Option<String>,
    /// When it was promoted, and what a failover left behind (records not copied).
    pub promoted_ms: Option<u64>,
    pub not_copied: Option<u64>,
}

/// One consumer group's carrying over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupStatus {
    /// When its offsets were last carried over.
    pub synced_ms: Option<u64>,
    /// The offsets committed on the target, by `topic/partition`.
    pub offsets: BTreeMap<String, i64>,
    /// Why the last carrying over did not happen (active members on the target, an error).
    pub waiting: Option<String>,
}

/// What the sidecar running a link says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkStatus {
    pub state: LinkState,
    pub error: Option<String>,
    pub mirrors: BTreeMap<String, MirrorStatus>,
    pub groups: BTreeMap<String, GroupStatus>,
    pub updated_ms: u64,
}

/// A mirror asked to be promoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    /// At once, whatever is not copied yet (the source unreachable, or still written to).
    pub failover: bool,
    pub requested_ms: u64,
    pub requested_by: Option<String>,
}

/// A link's records as read from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub config: LinkConfig,
    pub status: Option<LinkStatus>,
    /// Each mirrored partition's copy, by topic and partition.
    pub partitions: BTreeMap<(String, i32), Progress>,
    pub promotions: BTreeMap<String, Promotion>,
}

/// The store keys of link `id`'s records.
pub mod keys {
    pub fn config(id: &str) -> String {
        format!("link/{id}")
    }

    pub fn status(id: &str) -> String {
        format!("linkstatus/{id}")
    }

    pub fn partition(id: &str, topic: &str, partition: i32) -> String {
        format!("linkpart/{id}/{topic}/{partition}")
    }

    pub fn partitions(id: &str) -> String {
        format!("linkpart/{id}/")
    }

    pub fn promotion(id: &str, topic: &str) -> String {
        format!("promote/{id}/{topic}")
    }

    pub fn promotions(id: &str) -> String {
        format!("promote/{id}/")
    }

    pub fn producer(id: &str, producer_id: i64, epoch: i16) -> String {
        format!("linkproducer/{id}/{producer_id}/{epoch}")
    }

    pub fn producers(id: &str) -> String {
        format!("linkproducer/{id}/")
    }
}

/// The source's idempotent producer that writes, for a producer of the target, what it writes to
/// mirrors through a sidecar: kept, so that every sidecar (and one restarted) writes a producer's
/// retried batch as the same source producer, and the source drops it as a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedProducer {
    pub id: i64,
    pub epoch: i16,
    /// When it was first used (ms since the Unix epoch).
    pub since_ms: u64,
}

/// The seed's rule for a link id: letters, digits, `-` and `_`; and a length that fits a key.
pub fn valid_id(id: &str) -> bool {
    (1..=200).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_seeds_rule() {
        for good in ["a", "link-1", "Migration_2026", "x".repeat(200).as_str()] {
            assert!(valid_id(good), "{good}");
        }
        for bad in ["", "a b", "a/b", "link.1", "ü", "x".repeat(201).as_str()] {
            assert!(!valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn start_positions_are_read_and_written_plainly() {
        assert_eq!(Start::parse("earliest"), Some(Start::Earliest));
        assert_eq!(Start::parse("latest"), Some(Start::Latest));
        assert_eq!(Start::parse("1767225600000"), Some(Start::Time(1_767_225_600_000)));
        assert_eq!(Start::parse("-5"), None);
        assert_eq!(Start::parse("tomorrow"), None);
        let json = serde_json::to_string(&Start::Time(5)).unwrap();
        assert_eq!(json, r#"{"at":"time","ms":5}"#);
    }

    #[test]
    fn a_source_password_never_shows_in_debug_output() {
        let login = SourceLogin {
            mechanism: "PLAIN".into(),
            username: "mirror".into(),
            password: "s3cret".into(),
        };
        assert!(!format!("{login:?}").contains("s3cret"));
    }
}
