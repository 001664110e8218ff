//! Mirror topics are their link's to write: a client's Produce to one, through the sidecar, goes
//! to the link's source cluster (`links.route_producers`, the default; see `route`), or else is
//! refused with `MIRROR_TOPIC_READ_ONLY` (1015), its message naming the link, until the mirror is
//! promoted. What follows is about refusing.
//!
//! The table of read-only mirrors is kept from the links' store, which every sidecar in front of
//! the cluster reads, by name and (for Produce v13+, which names topics by id) by topic id. While
//! no link mirrors anything (and none promoted one lately, see `route`), a Produce costs two
//! atomic loads more. While some do, each Produce's
//! topics are walked past their records, undecoded (see `peek`), and only one that writes to a
//! mirror is decoded: one writing only to mirrors is answered here; one also writing elsewhere
//! goes on without the mirrors' partitions, and their refusals join the broker's answer, so a
//! producer's other partitions are never held up by its mistake. A Produce with `acks=0` gets no
//! answer to carry a refusal, so its connection is closed, as a broker closes it on an error; so
//! is one of versions 0-2, which the codec cannot re-encode. Produce requests are not streamed
//! while mirrors exist, so that every topic of each is seen.
//!
//! The table also says which mirrors are being promoted (their writes wait, see `route`) and
//! which topics were promoted lately (a write to one may retry a routed one, see `route`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use adminwire_jobs::link::service::Links;
use adminwire_protocol::{ErrorCode, RequestFrame};
use bytes::{BufMut, BytesMut};
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::{ApiKey, ProduceRequest, ProduceResponse, RequestHeader};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use tracing::{debug, warn};

use crate::peek::{self, ProducedTopic};

/// The refusals a split Produce's answer gets, one entry per mirror topic it wrote to.
pub type Refusals = Arc<Vec<TopicProduceResponse>>;

/// The mirror topics clients may not write to, as this sidecar last read them.
#[derive(Debug, Default)]
pub struct MirrorTopics {
    any: AtomicBool,
    /// Whether a mirror was promoted within [`RETRIES_AFTER_PROMOTION`].
    lately: AtomicBool,
    /// Whether writes to mirrors go to their link's source (`links.route_producers`) instead of
    /// being refused.
    route: AtomicBool,
    table: RwLock<Arc<Table>>,
    /// Whether the links have been read once: until then no topic can be told to be a mirror.
    known: tokio::sync::watch::Sender<bool>,
    /// Until when a Produce waits for the links to be read (set where they are read from the
    /// cluster, which takes a moment at start).
    hold_until: std::sync::OnceLock<tokio::time::Instant>,
    /// Whether Produce requests may still have to wait: one atomic load on every Produce once
    /// the hold is over (see [`Self::holding`]).
    may_hold: AtomicBool,
    /// Told of every change to the table (see [`Self::wait_while_promoting`]).
    changes: tokio::sync::watch::Sender<()>,
}

#[derive(Debug, Default, PartialEq)]
struct Table {
    /// The link of each mirror, by topic name.
    by_name: HashMap<Vec<u8>, Arc<str>>,
    /// Topic name and link of each mirror the target has made, by topic id.
    by_id: HashMap<[u8; 16], (String, Arc<str>)>,
    /// The names of the mirrors being promoted now, whose writes wait.
    promoting: HashSet<String>,
    /// The link and promotion time (ms since the epoch) of each topic promoted within
    /// [`RETRIES_AFTER_PROMOTION`] with everything copied, by name.
    promoted: HashMap<String, (Arc<str>, u64)>,
    /// The names of those topics, by topic id.
    promoted_ids: HashMap<[u8; 16], String>,
}

/// How long after a mirror's promotion a producer routed before it may still retry a write that
/// the source took: a write to the promoted topic is checked against the source's producers for
/// that long (see `route`). Kafka's Java producer gives up on a record after 2 minutes
/// (`delivery.timeout.ms`), librdkafka after 5 (`message.timeout.ms`).
pub const RETRIES_AFTER_PROMOTION: Duration = Duration::from_secs(5 * 60);

impl Table {
    /// The table `links` say now, with the topic ids in `ids` (by name).
    fn from_links(links: &Links, ids: &HashMap<String, [u8; 16]>) -> Self {
        let mut table = Table::default();
        for (topic, link) in links.read_only_mirrors() {
            let link: Arc<str> = Arc::from(link.as_str());
            if let Some(id) = ids.get(&topic) {
                table.by_id.insert(*id, (topic.clone(), Arc::clone(&link)));
            }
            table.by_name.insert(topic.into_bytes(), link);
        }
        table.promoting = links.promoting_mirrors().into_iter().collect();
        for (topic, (link, at)) in links.promoted_lately(RETRIES_AFTER_PROMOTION) {
            if let Some(id) = ids.get(&topic) {
                table.promoted_ids.insert(*id, topic.clone());
            }
            table.promoted.insert(topic, (Arc::from(link.as_str()), at));
        }
        table
    }

    /// The topic ids it knows, by name.
    fn ids(&self) -> HashMap<String, [u8; 16]> {
        let mirrors = self.by_id.iter().map(|(id, (name, _))| (name.clone(), *id));
        let promoted = self.promoted_ids.iter().map(|(id, name)| (name.clone(), *id));
        mirrors.chain(promoted).collect()
    }

    /// Whether it knows every mirror's topic id.
    fn complete(&self) -> bool {
        self.by_id.len() == self.by_name.len()
    }

    /// How long from now until the first of the topics promoted lately is no longer one (a
    /// second at least).
    fn next_expiry(&self) -> Option<Duration> {
        let window = u64::try_from(RETRIES_AFTER_PROMOTION.as_millis()).unwrap_or(u64::MAX);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let first = self.promoted.values().map(|(_, at)| at.saturating_add(window)).min()?;
        Some(Duration::from_millis(first.saturating_sub(now)).max(Duration::from_secs(1)))
    }

    /// The topic promoted lately `topic` is, as (its name, its link, when it was promoted).
    fn promoted(&self, topic: ProducedTopic<'_>) -> Option<(&str, &str, u64)> {
        let name = match topic {
            ProducedTopic::Name(name) => std::str::from_utf8(name).ok()?,
            ProducedTopic::Id(id) => self.promoted_ids.get(&id)?.as_str(),
        };
        let (name, (link, at)) = self.promoted.get_key_value(name)?;
        Some((name, link, *at))
    }

    /// The mirror `topic` is, as (its name, its link).
    fn mirror(&self, topic: ProducedTopic<'_>) -> Option<(&str, &str)> {
        match topic {
            ProducedTopic::Name(name) => {
                let (name, link) = self.by_name.get_key_value(name)?;
                Some((std::str::from_utf8(name).ok()?, link))
            }
            ProducedTopic::Id(id) => self.by_id.get(&id).map(|(n, l)| (n.as_str(), &**l)),
        }
    }
}

/// What a Produce request comes to.
#[derive(Debug)]
pub enum Guarded {
    /// It writes to no mirror: as it came.
    Clear(RequestFrame),
    /// It writes only to mirrors: this is its answer (a frame, size prefix included).
    Answer(BytesMut),
    /// It writes to mirrors and other topics: this request (a frame, size prefix included) goes
    /// to the broker instead, and these refusals join its answer.
    Split(BytesMut, Refusals),
    /// It writes to mirrors, whose partitions go to their links' sources (see `route`).
    Route(RequestFrame),
    /// It cannot be answered with a refusal: its connection closes, for this reason.
    Close(String),
}

impl MirrorTopics {
    /// Whether any topic is a read-only mirror now.
    pub fn any(&self) -> bool {
        self.any.load(Ordering::Relaxed)
    }

    /// Whether Produce requests must be looked at ([`Self::guard`]): a topic is a mirror, or was
    /// promoted lately.
    pub fn guards_produce(&self) -> bool {
        self.any() || (self.lately.load(Ordering::Relaxed) && self.routing())
    }

    /// Holds Produce requests (see [`Self::wait_until_known`]) until the links are read, or
    /// `deadline` has passed.
    pub fn hold_until(&self, deadline: tokio::time::Instant) {
        let _ = self.hold_until.set(deadline);
        self.may_hold.store(true, Ordering::Relaxed);
    }

    /// Waits, at a sidecar's start, until the links have been read (or the hold set by
    /// [`Self::hold_until`] has passed), so that a write to a mirror is not passed straight to the
    /// target's broker for want of knowing it is one.
    pub async fn wait_until_known(&self) {
        let Some(&deadline) = self.hold_until.get() else { return };
        let mut known = self.known.subscribe();
        let _ = tokio::time::timeout_at(deadline, known.wait_for(|k| *k)).await;
    }

    /// Whether Produce requests must wait for the links to be read.
    pub fn holding(&self) -> bool {
        if !self.may_hold.load(Ordering::Relaxed) {
            return false;
        }
        let held = !*self.known.borrow()
            && self.hold_until.get().is_some_and(|d| *d > tokio::time::Instant::now());
        if !held {
            self.may_hold.store(false, Ordering::Relaxed);
        }
        held
    }

    /// Takes the mirrors' names from `links` now (their ids follow, from [`Self::keep`]), and from
    /// then on knows which topics are mirrors.
    /// Also called right after a link is made or changed here, so that the next write to a new
    /// mirror through this sidecar is already seen as one.
    pub fn load(&self, links: &Links) {
        // The ids known so far are kept: looking up more is `keep`'s.
        let ids = self.table().ids();
        self.install(Table::from_links(links, &ids));
    }

    /// Makes `table` the one used from now on (if it changed); once it knows every mirror's id
    /// (Produce v13 names topics by id), which topics are mirrors is known.
    fn install(&self, table: Table) {
        let complete = table.complete();
        if *self.table() != table {
            debug!(mirrors = table.by_name.len(), "read-only mirror topics changed");
            self.set(table);
        }
        if complete {
            self.known.send_replace(true);
        }
    }

    /// Whether writes to mirrors go to their links' sources (else they are refused).
    pub fn routing(&self) -> bool {
        self.route.load(Ordering::Relaxed)
    }

    /// Sends writes to mirrors to their links' sources from now on (or refuses them).
    pub fn set_routing(&self, route: bool) {
        self.route.store(route, Ordering::Relaxed);
    }

    /// The mirror `topic` is, as (its name, its link).
    pub fn mirror_of(&self, topic: ProducedTopic<'_>) -> Option<(String, Arc<str>)> {
        let table = self.table();
        let (name, link) = table.mirror(topic)?;
        Some((name.to_owned(), Arc::from(link)))
    }

    fn table(&self) -> Arc<Table> {
        Arc::clone(&self.table.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn set(&self, table: Table) {
        self.any.store(!table.by_name.is_empty(), Ordering::Relaxed);
        self.lately.store(!table.promoted.is_empty(), Ordering::Relaxed);
        *self.table.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(table);
        self.changes.send_replace(());
    }

    /// The topic promoted lately `topic` is, as (its name, its link, when it was promoted).
    pub fn promoted_of(&self, topic: ProducedTopic<'_>) -> Option<(String, Arc<str>, u64)> {
        let table = self.table();
        let (name, link, at) = table.promoted(topic)?;
        Some((name.to_owned(), Arc::from(link), at))
    }

    /// Whether `topic` (by name) is a mirror being promoted now.
    pub fn promoting(&self, topic: &str) -> bool {
        self.table().promoting.contains(topic)
    }

    /// Waits while any of `topics` (by name) is a mirror being promoted, until `until` at most;
    /// whether none is by then. A promotion waits for its source to stop growing, which it does
    /// once the writes routed there are held (see `route`).
    pub async fn wait_while_promoting(&self, topics: &[&str], until: tokio::time::Instant) -> bool {
        let mut changes = self.changes.subscribe();
        loop {
            let table = self.table();
            if !topics.iter().any(|t| table.promoting.contains(*t)) {
                return true;
            }
            drop(table);
            match tokio::time::timeout_at(until, changes.changed()).await {
                Ok(Ok(())) => {}
                _ => return false,
            }
        }
    }

    /// What the Produce request `frame` comes to (see [`Guarded`]).
    pub fn guard(&self, frame: RequestFrame) -> Guarded {
        if !self.guards_produce() {
            return Guarded::Clear(frame);
        }
        let table = self.table();
        let version = frame.header.api_version;
        let mut first = None;
        let mut promoted = false;
        let walked = peek::produce_topics(frame.payload(), version, |topic| {
            if first.is_none() {
                first = table.mirror(topic).map(|(t, l)| (t.to_owned(), l.to_owned()));
            }
            promoted = promoted || table.promoted(topic).is_some();
        });
        // A write to a topic promoted lately may be a retry of a routed one (see `route`);
        // before v3 there are no idempotent producers.
        if walked.is_some() && first.is_none() && promoted && version >= 3 && self.routing() {
            return Guarded::Route(frame);
        }
        // A request that cannot be walked is the broker's to refuse.
        let (Some(()), Some((topic, link))) = (walked, first) else {
            return Guarded::Clear(frame);
        };
        if version < 3 {
            return Guarded::Close(format!(
                "a Produce v{version} wrote to {topic}, a mirror topic of cluster link {link}"
            ));
        }
        if self.route.load(Ordering::Relaxed) {
            return Guarded::Route(frame);
        }
        if peek::produce_acks(frame.payload(), version) == Some(0) {
            return Guarded::Close(format!(
                "an acks=0 Produce wrote to {topic}, a mirror topic of cluster link {link}"
            ));
        }
        split(frame, version, &table).unwrap_or_else(|e| {
            Guarded::Close(format!("a Produce to mirror topic {topic} could not be split: {e}"))
        })
    }

    /// Keeps the table up to date with `links`, for as long as their store is read: on every
    /// change to it, and every few seconds while a mirror's topic id is not known yet.
    pub async fn keep(self: Arc<Self>, links: Arc<Links>) {
        const RETRY: Duration = Duration::from_secs(2);
        let mut changes = links.changes();
        let mut ids: HashMap<String, [u8; 16]> = HashMap::new();
        loop {
            let mirrors = links.read_only_mirrors();
            let promoted = links.promoted_lately(RETRIES_AFTER_PROMOTION);
            ids.retain(|topic, _| mirrors.contains_key(topic) || promoted.contains_key(topic));
            let unknown: Vec<&str> = mirrors
                .keys()
                .chain(promoted.keys())
                .filter(|t| !ids.contains_key(*t))
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                match links.target_topic_ids(unknown).await {
                    Ok(found) => ids.extend(found.into_iter().map(|(t, id)| (t, id.into_bytes()))),
                    Err(e) => debug!("looking up mirror topics' ids failed: {e}"),
                }
            }
            // The table is made from one look at the store, taken after that call: a mirror
            // promoted meanwhile must not be taken for one still copied.
            let table = Table::from_links(&links, &ids);
            let (complete, expiry) = (table.complete(), table.next_expiry());
            self.install(table);
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep(RETRY), if !complete => {}
                // Looked at again when the first promotion is old enough to be left alone.
                _ = tokio::time::sleep(expiry.unwrap_or_default()), if expiry.is_some() => {}
            }
        }
    }
}

/// A partition's refusal: `code`, with `message` (read from Produce v8 on), and no offsets.
pub fn refusal(partition: i32, code: i16, message: StrBytes) -> PartitionProduceResponse {
    PartitionProduceResponse::default()
        .with_index(partition)
        .with_error_code(code)
        .with_base_offset(-1)
        .with_log_append_time_ms(-1)
        .with_log_start_offset(-1)
        .with_error_message(Some(message))
}

/// Takes the mirrors' topics out of a Produce request, with their refusals.
fn split(frame: RequestFrame, version: i16, table: &Table) -> anyhow::Result<Guarded> {
    let header_version = ApiKey::Produce.request_header_version(version);
    let mut input = frame.bytes.freeze().slice(4..);
    let header = RequestHeader::decode(&mut input, header_version)?;
    let mut body = ProduceRequest::decode(&mut input, version)?;
    let mut refused = Vec::new();
    body.topic_data.retain(|topic| {
        let named = ProducedTopic::of(topic, version);
        let Some((name, link)) = table.mirror(named) else { return true };
        let message = StrBytes::from_string(format!(
            "{name} is a mirror topic of cluster link {link}: it takes records from the link's \
             source cluster only, until it is promoted"
        ));
        warn!(topic = name, link, client = ?header.client_id, "a Produce to a mirror topic refused");
        let partitions = topic.partition_data.iter().map(|p| {
            refusal(p.index, ErrorCode::MIRROR_TOPIC_READ_ONLY.0, message.clone())
        });
        refused.push(
            TopicProduceResponse::default()
                .with_name(topic.name.clone())
                .with_topic_id(topic.topic_id)
                .with_partition_responses(partitions.collect()),
        );
        false
    });
    if body.topic_data.is_empty() {
        let answer = ProduceResponse::default().with_responses(refused);
        let response_header = kafka_protocol::messages::ResponseHeader::default()
            .with_correlation_id(header.correlation_id);
        let header_version = ApiKey::Produce.response_header_version(version);
        let answer =
            adminwire_kafka::frame::response(&response_header, header_version, &answer, version)?;
        return Ok(Guarded::Answer(answer));
    }
    let mut request = BytesMut::new();
    request.put_i32(0);
    header.encode(&mut request, header_version)?;
    body.encode(&mut request, version)?;
    let size = i32::try_from(request.len() - 4)?;
    request[..4].copy_from_slice(&size.to_be_bytes());
    Ok(Guarded::Split(request, Arc::new(refused)))
}

#[cfg(test)]
mod tests {
    use adminwire_protocol::RequestHeaderPeek;
    use bytes::Bytes;
    use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
    use uuid::Uuid;

    use super::*;

    fn table() -> MirrorTopics {
        let mirrors = MirrorTopics::default();
        let link: Arc<str> = Arc::from("migrate");
        let mut table = Table::default();
        table.by_name.insert(b"orders".to_vec(), Arc::clone(&link));
        table.by_id.insert(Uuid::from_u128(1).into_bytes(), ("orders".into(), link));
        mirrors.set(table);
        mirrors
    }

    fn produce(version: i16, acks: i16, topics: &[(&'static str, u128)]) -> RequestFrame {
        let topic = |&(name, id): &(&'static str, u128)| {
            TopicProduceData::default()
                .with_name(StrBytes::from_static_str(name).into())
                .with_topic_id(Uuid::from_u128(id))
                .with_partition_data(vec![
                    PartitionProduceData::default()
                        .with_index(0)
                        .with_records(Some(Bytes::from_static(b"records"))),
                ])
        };
        let header = RequestHeader::default()
            .with_request_api_key(0)
            .with_request_api_version(version)
            .with_correlation_id(42)
            .with_client_id(Some(StrBytes::from_static_str("app")));
        let body = ProduceRequest::default()
            .with_acks(acks)
            .with_timeout_ms(1000)
            .with_topic_data(topics.iter().map(topic).collect());
        let mut bytes = BytesMut::new();
        bytes.put_i32(0);
        header.encode(&mut bytes, ApiKey::Produce.request_header_version(version)).unwrap();
        body.encode(&mut bytes, version).unwrap();
        let size = (bytes.len() - 4) as i32;
        bytes[..4].copy_from_slice(&size.to_be_bytes());
        let header = RequestHeaderPeek { api_key: 0, api_version: version, correlation_id: 42 };
        RequestFrame { header, bytes }
    }

    fn response(version: i16, frame: &[u8]) -> ProduceResponse {
        let mut input = Bytes::copy_from_slice(&frame[4..]);
        let header_version = ApiKey::Produce.response_header_version(version);
        let header =
            kafka_protocol::messages::ResponseHeader::decode(&mut input, header_version).unwrap();
        assert_eq!(header.correlation_id, 42);
        ProduceResponse::decode(&mut input, version).unwrap()
    }

    #[test]
    fn without_mirrors_a_produce_is_left_alone() {
        let frame = produce(9, 1, &[("orders", 1)]);
        assert!(matches!(MirrorTopics::default().guard(frame), Guarded::Clear(_)));
        let frame = produce(9, 1, &[("payments", 2)]);
        assert!(matches!(table().guard(frame), Guarded::Clear(_)));
    }

    #[test]
    fn a_produce_only_to_mirrors_is_answered_with_the_refusal() {
        for version in 3..=ApiKey::Produce.valid_versions().max {
            let Guarded::Answer(frame) = table().guard(produce(version, -1, &[("orders", 1)]))
            else {
                panic!("v{version}: not answered");
            };
            let answer = response(version, &frame);
            let partition = &answer.responses[0].partition_responses[0];
            assert_eq!(partition.error_code, 1015, "v{version}");
            assert_eq!(partition.base_offset, -1);
            if version >= 8 {
                let message = partition.error_message.as_deref().unwrap_or_default();
                assert!(message.contains("cluster link migrate"), "{message}");
            }
        }
    }

    #[test]
    fn a_mixed_produce_goes_on_without_the_mirror() {
        for version in 3..=ApiKey::Produce.valid_versions().max {
            let frame = produce(version, -1, &[("orders", 1), ("payments", 2)]);
            let Guarded::Split(request, refused) = table().guard(frame) else {
                panic!("v{version}: not split");
            };
            let mut input = request.freeze().slice(4..);
            let header_version = ApiKey::Produce.request_header_version(version);
            let header = RequestHeader::decode(&mut input, header_version).unwrap();
            assert_eq!(header.correlation_id, 42);
            assert_eq!(header.client_id.as_deref(), Some("app"));
            let body = ProduceRequest::decode(&mut input, version).unwrap();
            assert_eq!(body.topic_data.len(), 1);
            assert_eq!(
                body.topic_data[0].partition_data[0].records.as_deref(),
                Some(&b"records"[..])
            );
            assert_eq!(refused.len(), 1);
            assert_eq!(refused[0].partition_responses[0].error_code, 1015);
        }
    }

    #[test]
    fn with_routing_a_produce_to_a_mirror_is_routed_acks_0_included() {
        let mirrors = table();
        mirrors.set_routing(true);
        for (version, acks) in [(3, -1), (9, 1), (13, 0)] {
            let frame = produce(version, acks, &[("orders", 1), ("payments", 2)]);
            assert!(matches!(mirrors.guard(frame), Guarded::Route(_)), "v{version}");
        }
        assert!(matches!(mirrors.guard(produce(9, 1, &[("payments", 2)])), Guarded::Clear(_)));
        let found = mirrors.mirror_of(ProducedTopic::Id(Uuid::from_u128(1).into_bytes()));
        assert_eq!(
            found.map(|(t, l)| (t, l.to_string())),
            Some(("orders".into(), "migrate".into()))
        );
    }

    #[test]
    fn what_cannot_carry_a_refusal_closes_the_connection() {
        let Guarded::Close(reason) = table().guard(produce(9, 0, &[("orders", 1)])) else {
            panic!("acks=0 to a mirror not closed");
        };
        assert!(reason.contains("orders") && reason.contains("migrate"), "{reason}");
        // A request that cannot be walked goes to the broker, which refuses it.
        let mut frame = produce(9, 1, &[("orders", 1)]);
        frame.bytes.truncate(frame.bytes.len() - 3);
        assert!(matches!(table().guard(frame), Guarded::Clear(_)));
    }

    fn orders(promoting: bool) -> Table {
        let mut table = Table::default();
        table.by_name.insert(b"orders".to_vec(), Arc::from("migrate"));
        if promoting {
            table.promoting.insert("orders".into());
        }
        table
    }

    #[tokio::test]
    async fn a_write_to_a_mirror_being_promoted_waits_until_it_is_or_its_time_is_up() {
        use tokio::time::Instant;
        let mirrors = Arc::new(MirrorTopics::default());
        mirrors.set(orders(true));
        assert!(mirrors.promoting("orders"));
        let soon = Instant::now() + Duration::from_millis(50);
        assert!(!mirrors.wait_while_promoting(&["orders"], soon).await, "its time is up");
        let waiting = Arc::clone(&mirrors);
        let waiting = tokio::spawn(async move {
            let later = Instant::now() + Duration::from_secs(60);
            waiting.wait_while_promoting(&["orders"], later).await
        });
        tokio::task::yield_now().await;
        mirrors.set(orders(false));
        assert!(waiting.await.expect("the wait ends"), "promoted (or its promotion given up)");
        assert!(!mirrors.promoting("orders"));
        let soon = Instant::now() + Duration::from_millis(50);
        assert!(mirrors.wait_while_promoting(&["payments"], soon).await, "not a mirror");
    }
}
