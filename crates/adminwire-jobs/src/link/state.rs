//! A cluster link as the store keeps it, in records that each have one writer at a time, so that
//! no write undoes another's:
//!
//! | key | record | written by |
//! |---|---|---|
//! | `link/<id>` | [`LinkConfig`]: the source, where copying starts, topics, groups, paused | any sidecar, on a request |
//! | `linkstatus/<id>` | [`LinkStatus`]: each mirror's and group's state | the sidecar running links |
//! | `linkpart/<id>/<topic>/<n>` | [`Progress`]: partition `n`'s copy and offset map | the sidecar running links |
//! | `promote/<id>/<topic>` | [`Promotion`]: a mirror asked to be promoted | any sidecar, on a request |
//! | `unpromote/<id>/<topic>` | [`Promotion`]: a promoted mirror asked to be a mirror again | any sidecar, on a request |
//! | `groupmove/<id>/<group>` | [`GroupMove`]: a group asked to be handed over now, or back to the source | any sidecar, on a request |
//! | `groupheld/<id>/<group>` | [`HeldMember`]: the last member of the group a sidecar held | the sidecar holding it |
//! | `linkclient/<id>/<topic>/<client>` | [`RoutedClient`]: a client whose writes to the mirror a sidecar routed | the sidecar routing them |
//! | `linkrouted/<id>/<member>` | [`RoutedCounts`]: how many records without a producer id a sidecar routed, by topic | that sidecar |
//! | `linkproducer/<id>/<producer id>/<epoch>` | [`RoutedProducer`]: the source's producer standing in for a target producer whose writes to mirrors are routed to the source | the first sidecar routing its writes |
//! | `linktxn/<id>/<transactional id>` | [`RoutedTransaction`]: the source's producer a transactional producer's transactions on mirrors run as, and whether one is open there | the sidecar its coordinator requests go through |

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
    /// Producers writing to its source directly (not through a sidecar), over the last window.
    #[serde(default)]
    pub source_writers: Vec<SourceWriter>,
    /// Records written to its source without a producer id over the last window, beyond those
    /// the sidecars routed: a producer without idempotence still writing there.
    #[serde(default)]
    pub unrouted_records: u64,
    /// Whether the running link has watched who writes to the source for a whole window (since
    /// it was taken up).
    #[serde(default)]
    pub writers_watched: bool,
}

impl MirrorStatus {
    /// A mirror being copied, its source having `partitions` partitions.
    pub fn active(partitions: i32) -> Self {
        Self {
            state: MirrorState::Active,
            partitions,
            error: None,
            promoted_ms: None,
            not_copied: None,
            source_writers: Vec::new(),
            unrouted_records: 0,
            writers_watched: false,
        }
    }
}

/// A producer writing to a mirror's source directly, as the link's copies show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceWriter {
    /// Its producer id on the source.
    pub producer_id: i64,
    /// The records of it copied over the window.
    pub records: u64,
    /// When the last of them was copied (ms since the Unix epoch).
    pub last_ms: u64,
}

/// A client seen writing to a mirror through a sidecar (its writes routed to the source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedClient {
    pub client_id: String,
    /// The host it connected to the sidecar from.
    pub host: String,
    pub principal: Option<String>,
    /// The client software it named in ApiVersions.
    pub software: Option<String>,
    /// When a sidecar last routed a write of it (ms since the Unix epoch).
    pub last_ms: u64,
}

/// Where a linked consumer group is in its move to the target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupPhase {
    /// Its consumers read the source: its offsets are carried over, and its members joining the
    /// target through a sidecar are held until the source group is empty.
    #[default]
    OnSource,
    /// Handed over: the source group was empty, its last offsets were carried over, and its
    /// members on the target go on from them. Offsets are no longer carried over.
    Moved,
    /// Going back to the source (a rollback): once no member is left on the target, the target's
    /// offsets are carried back to the source, and the group is on the source again.
    Returning,
}

impl GroupPhase {
    /// The phase's name as every front end shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::OnSource => "ON_SOURCE",
            Self::Moved => "MOVED",
            Self::Returning => "RETURNING",
        }
    }

    /// Whether its members joining the target through a sidecar are held.
    pub fn holds_target_members(self) -> bool {
        !matches!(self, Self::Moved)
    }
}

/// A member of a group, as its coordinator shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub client_id: String,
    /// The address the coordinator sees it connect from.
    pub host: String,
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
    #[serde(default)]
    pub phase: GroupPhase,
    /// When it was handed over to the target (its phase became MOVED).
    #[serde(default)]
    pub moved_ms: Option<u64>,
    /// Its members on the source, as last seen.
    #[serde(default)]
    pub source_members: Vec<GroupMember>,
    /// Since when the source group has had no member (the hand-over waits for a quiet time).
    #[serde(default)]
    pub source_empty_since_ms: Option<u64>,
    /// The last of its members held at a sidecar, recently: someone waits for it on the target.
    #[serde(default)]
    pub held: Option<HeldMember>,
    /// Handed back, and its consumers not seen back on the source since (no member seen there,
    /// no offset committed there): not handed over by itself until they are.
    #[serde(default)]
    pub returned: bool,
    /// The source's committed offsets, by `topic/partition`, as the hand-back left them: any
    /// commit since is the group's consumers back on the source, even ones that left again
    /// between two looks at its members.
    #[serde(default)]
    pub returned_offsets: BTreeMap<String, i64>,
}

impl GroupStatus {
    /// Its consumers have been back on the source since it was handed back.
    pub fn came_back(&mut self) {
        self.returned = false;
        self.returned_offsets.clear();
    }
}

/// A member of a linked group that a sidecar held (its join answered "retry") while the group was
/// on the source: the last one per group, kept so that the sidecar running the link sees that
/// the group's consumers have come to the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldMember {
    /// When it was held (ms since the Unix epoch).
    pub at_ms: u64,
    pub client_id: String,
    /// The address it connected to the sidecar from.
    pub address: String,
    /// The principal it logged in as, if it logged in.
    pub principal: Option<String>,
    /// The client software it named in ApiVersions (name and version), if it did.
    pub software: Option<String>,
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

/// A consumer group asked to change phase by an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to")]
pub enum GroupMove {
    /// Hand it over now, without waiting for its source group to be empty (its members on the
    /// source are then no longer carried over: for a source that is gone).
    Now,
    /// Back to the source: its target offsets carried back once it has no member on the target.
    Back,
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

    pub fn unpromotion(id: &str, topic: &str) -> String {
        format!("unpromote/{id}/{topic}")
    }

    pub fn unpromotions(id: &str) -> String {
        format!("unpromote/{id}/")
    }

    pub fn promotions(id: &str) -> String {
        format!("promote/{id}/")
    }

    pub fn group_move(id: &str, group: &str) -> String {
        format!("groupmove/{id}/{group}")
    }

    pub fn group_moves(id: &str) -> String {
        format!("groupmove/{id}/")
    }

    pub fn group_held(id: &str, group: &str) -> String {
        format!("groupheld/{id}/{group}")
    }

    pub fn groups_held(id: &str) -> String {
        format!("groupheld/{id}/")
    }

    pub fn client(id: &str, topic: &str, client: &str) -> String {
        format!("linkclient/{id}/{topic}/{client}")
    }

    pub fn clients(id: &str) -> String {
        format!("linkclient/{id}/")
    }

    pub fn routed(id: &str, member: &str) -> String {
        format!("linkrouted/{id}/{member}")
    }

    pub fn routeds(id: &str) -> String {
        format!("linkrouted/{id}/")
    }

    pub fn producer(id: &str, producer_id: i64, epoch: i16) -> String {
        format!("linkproducer/{id}/{producer_id}/{epoch}")
    }

    pub fn producers(id: &str) -> String {
        format!("linkproducer/{id}/")
    }

    pub fn transaction(id: &str, transactional_id: &str) -> String {
        format!("linktxn/{id}/{transactional_id}")
    }

    pub fn transactions(id: &str) -> String {
        format!("linktxn/{id}/")
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
    /// When a sidecar last noted it in use (at most every few minutes; 0: not since its first).
    #[serde(default)]
    pub used_ms: u64,
}

impl RoutedProducer {
    /// When it was last known in use.
    pub fn seen_ms(&self) -> u64 {
        self.since_ms.max(self.used_ms)
    }
}

/// A sidecar's running counts of records it routed to a link's source without a producer id,
/// by mirror, since it started (or since it last routed none for an hour), and when it wrote
/// them last.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedCounts {
    pub counts: BTreeMap<String, u64>,
    pub at_ms: u64,
}

/// A transactional producer whose transactions write to mirrors of a link: they run on the link's
/// source, under the same transactional id, as the source's producer `source_*` (so a producer of
/// that id still writing to the source directly is fenced, as a new instance of it would be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedTransaction {
    /// The producer id and epoch the target's coordinator gave the producer (-1: not known yet;
    /// the next producer to add a mirror's partition takes it over).
    pub target_id: i64,
    pub target_epoch: i16,
    /// The source's producer its transactions run as.
    pub source_id: i64,
    pub source_epoch: i16,
    /// Whether a transaction of it is open on the source.
    pub open: bool,
    /// How its last transaction on the source ended (true: committed), until one starts on the
    /// target: an EndTxn asked again (its answer lost) goes to the source again.
    pub ended: Option<bool>,
    /// The partitions its open (or last) transaction on the source added, by topic: the only
    /// ones its writes may go to.
    #[serde(default)]
    pub partitions: BTreeMap<String, Vec<i32>>,
    /// When it was last used (ms since the Unix epoch).
    pub since_ms: u64,
}

impl RoutedTransaction {
    /// Whether it runs the transactions of the target's producer (`id`, `epoch`).
    pub fn serves(&self, id: i64, epoch: i16) -> bool {
        self.target_id == id && self.target_epoch == epoch
    }

    /// Whether its open transaction added `partition` of `topic`.
    pub fn added(&self, topic: &str, partition: i32) -> bool {
        self.open && self.partitions.get(topic).is_some_and(|p| p.contains(&partition))
    }
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
    fn a_group_move_is_kept_as_a_record() {
        // The store keeps records as objects (with their version beside).
        let json = serde_json::to_string(&GroupMove::Back).unwrap();
        assert_eq!(json, r#"{"to":"back"}"#);
        assert_eq!(serde_json::from_str::<GroupMove>(r#"{"to":"now"}"#).unwrap(), GroupMove::Now);
    }

    #[test]
    fn a_group_kept_before_hand_overs_existed_is_on_the_source() {
        let old = r#"{"synced_ms":5,"offsets":{"t/0":3},"waiting":null}"#;
        let status: GroupStatus = serde_json::from_str(old).unwrap();
        assert_eq!(status.phase, GroupPhase::OnSource);
        assert!(status.held.is_none() && status.source_members.is_empty());
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
