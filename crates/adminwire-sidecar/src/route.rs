//! Producers routed to a link's source: a Produce request's partitions of mirror topics, sent
//! through the sidecar to the target cluster, are written to the same partitions on the link's
//! source cluster instead, and the producer gets the source's answer. So producers can be moved
//! to the target first while consumers still read the source, and nothing either side writes is
//! lost or copied twice (the seed's first phase, `kafka-linking-migration.txt`).
//!
//! Who may: the client is authorized by the target's broker, as itself, on its own connection.
//! The mirrors' partitions go there too, with no records: a broker answers a partition the client
//! may not write `TOPIC_AUTHORIZATION_FAILED` and one it may `INVALID_RECORD` (a Produce from v3
//! on needs a batch), and writes nothing. Only then does the write go to the source, as the
//! principal the operator gave the link.
//!
//! Idempotent producers keep their guarantee per partition: the target gave the producer its id,
//! which the source does not know (and may have given to another producer), so each (id, epoch)
//! gets an id of the source's own, kept in the links' store before it is first used (so every
//! sidecar, and one restarted, uses the same), and the batch is rewritten to it (its sequence
//! numbers unchanged), so the source still drops a retried batch it has. A transactional
//! producer's writes to mirrors are part of its transaction on the source (see `txn`), and go as
//! the source's producer that transaction runs as.
//!
//! With `links.wait_for_copy` (the default) a write is answered only once the link has copied it
//! to the mirror, with the offset it has there, so that whatever a producer was told is written
//! can be read on the target. A transaction's writes cannot be copied before it commits: its
//! commit waits instead (see `txn`), and each write is answered with its offset on the source.
//!
//! A mirror being promoted (`PROMOTING`) takes no more writes at its source, whose growth would
//! keep the promotion waiting: they wait in the sidecar until it is promoted, then go to the
//! promoted topic on the target. So producers need not stop for the promotion.
//!
//! The writes of a connection's requests reach the sources in the order the client sent them (each
//! is sent before the connection's next request is read); only the wait for their copies runs
//! beside the next requests, whose answers follow in order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use adminwire_jobs::link::service::Links;
use adminwire_jobs::link::state::{RoutedProducer, RoutedTransaction};
use adminwire_kafka::client::{Client, To};
use adminwire_kafka::connection::ConnectionError;
use adminwire_kafka::partitions;
use adminwire_kafka::records::{self, ProducedBatch, Producer};
use adminwire_protocol::RequestFrame;
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::{
    ApiKey, ProduceRequest, ProduceResponse, RequestHeader, ResponseHeader, TopicName,
};
use kafka_protocol::protocol::{Decodable, StrBytes};
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::metrics::Metrics;
use crate::mirrors::{self, MirrorTopics};
use crate::peek::ProducedTopic;
use crate::principal::Identity;
use crate::shared::Shared;
use crate::switched::Written;
use crate::upstream::{Transport, Upstream};

/// Kafka's answer to a partition written without a batch: the client may write it.
const INVALID_RECORD: i16 = 87;
const NOT_LEADER_OR_FOLLOWER: i16 = 6;
const REQUEST_TIMED_OUT: i16 = 7;
const NETWORK_EXCEPTION: i16 = 13;
const INVALID_TXN_STATE: i16 = 48;
/// What a broker answers a retry of a batch it has but no longer remembers the offset of; clients
/// take it as written.
const DUPLICATE_SEQUENCE_NUMBER: i16 = 46;
const CORRUPT_MESSAGE: i16 = 2;
const UNKNOWN_SERVER_ERROR: i16 = -1;

/// Each link's way to its source: a client, the partitions' leaders there, and the source's
/// producer ids standing in for the target's.
#[derive(Debug, Default)]
pub struct Routes {
    sources: Mutex<HashMap<String, Arc<Source>>>,
    /// Locks that take a transactional id's requests one at a time (see `txn`), by its hash.
    transaction_locks: std::sync::OnceLock<Vec<tokio::sync::Mutex<()>>>,
    /// The producer (id, epoch) of each transactional id whose transaction the sidecar last
    /// refused for spanning a link (see `txn`), at most [`REFUSED_KEPT`].
    refused: Mutex<HashMap<String, (i64, i16)>>,
    /// When a refused transactional write last read the links' store again (ms since the epoch).
    caught_up_ms: std::sync::atomic::AtomicU64,
    /// The last sequence (and epoch) of each producer of a lately promoted mirror's partition on
    /// the source, read once after the promotion, by (link, topic, partition, promoted at).
    /// A failed read is kept as `None`, with when it was tried (ms since the epoch).
    sequences: Mutex<HashMap<PromotedPartition, SequencesRead>>,
}

const CATCH_UP_EVERY_MS: u64 = 500;

/// Each producer's epoch and last sequence on a partition, by producer id.
type LastSequences = BTreeMap<i64, (i16, i32)>;

/// A partition of a promoted mirror: link, topic, partition, when it was promoted.
type PromotedPartition = (String, String, i32, u64);

/// What a read of a partition's producers on the source gave (`None`: nothing usable), and when
/// (ms since the epoch).
type SequencesRead = (Option<Arc<LastSequences>>, u64);

/// How long a write waits, at most, for the source to say which writes it has (see
/// [`Routes::source_sequences`]), and how long a source that did not say is left alone.
const SOURCE_LOOK: Duration = Duration::from_secs(2);
const SOURCE_LOOK_AGAIN_MS: u64 = 30_000;

/// The most refused transactions remembered at once (more: those are forgotten, and their
/// aborts answered as the target's coordinator answers them).
const REFUSED_KEPT: usize = 10_000;

/// How many locks the transactional ids share: few enough to keep, many enough that two ids
/// rarely wait for each other.
const TRANSACTION_LOCKS: usize = 64;

#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) client: Client,
    /// Each mirrored topic's partition leaders on the source, as last read.
    leaders: Mutex<HashMap<String, BTreeMap<i32, i32>>>,
    /// The source's producer for each (target producer id, epoch), as kept in the links' store.
    producers: tokio::sync::Mutex<HashMap<(i64, i16), Producer>>,
}

impl Routes {
    pub(crate) fn source(&self, links: &Links, link: &str) -> Result<Arc<Source>, String> {
        // By the link as made: one deleted and made again (perhaps with another source) is
        // another link.
        let made = links.config(link).map_err(|e| e.to_string())?.created_ms;
        let key = format!("{link}@{made}");
        let mut sources = self.sources.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(source) = sources.get(&key) {
            return Ok(Arc::clone(source));
        }
        sources.retain(|k, _| !k.starts_with(&format!("{link}@")));
        let client = links.source(link).map_err(|e| e.to_string())?;
        let source = Arc::new(Source {
            client,
            leaders: Mutex::default(),
            producers: tokio::sync::Mutex::default(),
        });
        sources.insert(key, Arc::clone(&source));
        Ok(source)
    }

    pub(crate) fn note_refused(&self, id: &str, producer: Producer) {
        let mut refused = self.refused.lock().unwrap_or_else(PoisonError::into_inner);
        if refused.len() >= REFUSED_KEPT {
            refused.clear();
        }
        refused.insert(id.to_owned(), (producer.id, producer.epoch));
    }

    pub(crate) fn take_refused(&self, id: &str) -> Option<(i64, i16)> {
        self.refused.lock().unwrap_or_else(PoisonError::into_inner).remove(id)
    }

    /// Whether a Produce refused for a partition not added may read the links' store again now
    /// (at most every [`CATCH_UP_EVERY_MS`]: a client that keeps writing so costs no more).
    fn may_catch_up(&self) -> bool {
        let now = now_ms();
        let last = self.caught_up_ms.load(std::sync::atomic::Ordering::Relaxed);
        now.saturating_sub(last) >= CATCH_UP_EVERY_MS
            && self
                .caught_up_ms
                .compare_exchange(
                    last,
                    now,
                    std::sync::atomic::Ordering::Relaxed,
                    std::sync::atomic::Ordering::Relaxed,
                )
                .is_ok()
    }

    /// The last sequence and epoch of each producer of `topic`'s `partition` on link `link`'s
    /// source, as read once after the topic's promotion (at `promoted_ms`); `None` if the source
    /// cannot say, or holds records past what the link copied (a write that reached it after the
    /// promotion, which the target does not have: a retry of it must be written). A source that
    /// could not say within [`SOURCE_LOOK`] is not asked again for [`SOURCE_LOOK_AGAIN_MS`]: a
    /// source gone after the promotion must not slow the promoted topic's writes.
    async fn source_sequences(
        &self,
        links: &Links,
        link: &str,
        topic: &str,
        partition: i32,
        promoted_ms: u64,
    ) -> Option<Arc<LastSequences>> {
        let key = (link.to_owned(), topic.to_owned(), partition, promoted_ms);
        let cached =
            self.sequences.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
        match cached {
            Some((Some(known), _)) => return Some(known),
            Some((None, at)) if now_ms().saturating_sub(at) < SOURCE_LOOK_AGAIN_MS => return None,
            _ => {}
        }
        let read = self.read_sequences(links, link, topic, partition);
        let sequences = tokio::time::timeout(SOURCE_LOOK, read).await.ok().flatten();
        let window = u64::try_from(mirrors::RETRIES_AFTER_PROMOTION.as_millis()).unwrap_or(0);
        let mut known = self.sequences.lock().unwrap_or_else(PoisonError::into_inner);
        known.retain(|(_, _, _, at), _| at.saturating_add(window) > now_ms());
        known.insert(key, (sequences.clone(), now_ms()));
        sequences
    }

    async fn read_sequences(
        &self,
        links: &Links,
        link: &str,
        topic: &str,
        partition: i32,
    ) -> Option<Arc<LastSequences>> {
        let source = self.source(links, link).ok()?;
        if source.leader(topic, partition).is_none() {
            let _ = source.learn(&[topic.to_owned()]).await;
        }
        let leader = source.leader(topic, partition)?;
        let copied = links.progress(link, topic, partition)?.source_next;
        let key_of = [(topic.to_owned(), partition)];
        let ends = partitions::high_watermarks(&source.client, leader, &key_of).await;
        let end = ends.ok().and_then(|mut e| e.remove(&key_of[0])).and_then(Result::ok)?;
        if end > copied {
            warn!(link, topic, partition, end, copied, "the source grew past the promotion's copy");
            return None;
        }
        let read = partitions::last_sequences(&source.client, leader, topic, partition).await;
        match read {
            Ok(Ok(sequences)) => Some(Arc::new(sequences)),
            Ok(Err(code)) => {
                warn!(link, topic, partition, code, "reading the source's producers failed");
                None
            }
            Err(e) => {
                warn!(link, topic, partition, "reading the source's producers failed: {e}");
                source.forget(topic);
                None
            }
        }
    }

    /// Takes transactional id `id`'s lock (its requests run one at a time), waiting until
    /// `deadline` at most.
    pub(crate) async fn lock(
        &self,
        id: &str,
        deadline: Instant,
    ) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let locks = self
            .transaction_locks
            .get_or_init(|| (0..TRANSACTION_LOCKS).map(|_| tokio::sync::Mutex::new(())).collect());
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(id);
        let lock = locks[(hash % TRANSACTION_LOCKS as u64) as usize].lock();
        tokio::time::timeout_at(deadline, lock).await.ok()
    }
}

impl Source {
    pub(crate) fn leader(&self, topic: &str, partition: i32) -> Option<i32> {
        let leaders = self.leaders.lock().unwrap_or_else(PoisonError::into_inner);
        leaders.get(topic)?.get(&partition).copied().filter(|l| *l >= 0)
    }

    /// The leaders of `topics` on the source, read again.
    pub(crate) async fn learn(&self, topics: &[String]) -> Result<(), ConnectionError> {
        let layouts = partitions::layouts(&self.client, topics).await?;
        let mut leaders = self.leaders.lock().unwrap_or_else(PoisonError::into_inner);
        for (topic, layout) in layouts {
            leaders.insert(topic, layout.leaders);
        }
        Ok(())
    }

    fn forget(&self, topic: &str) {
        self.leaders.lock().unwrap_or_else(PoisonError::into_inner).remove(topic);
    }

    /// The source's producer standing in for the target's `producer` on link `link`: the one the
    /// links' store keeps (so every sidecar, and one restarted, writes its batches as the same
    /// source producer), or a new one from the source, kept there before it is used.
    async fn producer(
        &self,
        links: &Links,
        link: &str,
        producer: Producer,
    ) -> Result<Producer, i16> {
        // The store's first: another sidecar's write may have replaced the one this sidecar
        // made (the last written is every sidecar's), and a read of it costs no call.
        if let Some(kept) = links.routed_producer(link, producer.id, producer.epoch) {
            touch(links, link, producer, kept).await;
            return Ok(Producer { id: kept.id, epoch: kept.epoch });
        }
        let mut producers = self.producers.lock().await;
        if let Some(ours) = producers.get(&(producer.id, producer.epoch)) {
            // Kept here, but no longer in the store (forgotten as unused): kept there again,
            // so that other sidecars write as the same source producer and it counts as routed.
            let since_ms = now_ms();
            let kept =
                RoutedProducer { id: ours.id, epoch: ours.epoch, since_ms, used_ms: since_ms };
            if let Err(e) =
                links.keep_routed_producer(link, producer.id, producer.epoch, kept).await
            {
                debug!(link, "keeping a routed producer again failed: {e}");
            }
            return Ok(*ours);
        }
        let ours = match links.routed_producer(link, producer.id, producer.epoch) {
            Some(kept) => Producer { id: kept.id, epoch: kept.epoch },
            None => {
                let new = match partitions::init_producer(&self.client).await {
                    Ok(Ok(new)) => new,
                    Ok(Err(code)) => return Err(code),
                    Err(_) => return Err(NETWORK_EXCEPTION),
                };
                let since_ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64);
                let kept = RoutedProducer { id: new.id, epoch: new.epoch, since_ms, used_ms: 0 };
                let kept = links
                    .keep_routed_producer(link, producer.id, producer.epoch, kept)
                    .await
                    .map_err(|e| {
                        warn!(link, "keeping a routed producer's id failed: {e}");
                        NETWORK_EXCEPTION
                    })?;
                Producer { id: kept.id, epoch: kept.epoch }
            }
        };
        debug!(
            target_id = producer.id,
            epoch = producer.epoch,
            source_id = ours.id,
            "producer mapped to the source's"
        );
        producers.insert((producer.id, producer.epoch), ours);
        Ok(ours)
    }
}

/// How often, at most, a routed producer in use is noted so in the links' store (one not noted
/// for an hour is forgotten; see `Links::forget_stale_clients`).
const PRODUCER_USED_EVERY_MS: u64 = 10 * 60 * 1000;

/// Notes `kept` (standing in for the target's `producer`) as in use, if it was not lately.
async fn touch(links: &Links, link: &str, producer: Producer, kept: RoutedProducer) {
    if now_ms().saturating_sub(kept.seen_ms()) < PRODUCER_USED_EVERY_MS {
        return;
    }
    if let Err(e) = links.touch_routed_producer(link, producer.id, producer.epoch, kept).await {
        debug!(link, "noting a routed producer in use failed: {e}");
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// One partition of a mirror a Produce writes to.
struct Routed {
    /// The topic as the request named it (by name; by id from v13), for its answer.
    named: TopicProduceResponse,
    topic: String,
    link: String,
    partition: i32,
    records: Option<Bytes>,
    /// What the client is answered for it, once known.
    answer: PartitionProduceResponse,
    /// Whether the link has copied its write to the mirror.
    copied: bool,
    /// Whether the target's broker answered this entry's empty write, allowing it.
    authorized: bool,
    /// How many offsets its batch takes.
    offsets: i64,
    /// The source's producer the transaction it is part of runs as there.
    transaction: Option<Producer>,
    /// Whether it is a retry, to a mirror promoted lately, of a write the source took before
    /// the promotion (see [`retried`]).
    retried: bool,
}

impl Routed {
    /// Written to the source and not answered otherwise yet.
    fn written(&self) -> bool {
        self.answer.error_code == 0 && self.answer.base_offset >= 0
    }
}

/// What is left of a routed Produce once its writes are sent: the wait for their copies and the
/// answer, which the connection runs beside its next requests (the answers keep their order).
pub type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = Option<BytesMut>> + Send>>;

/// Carries out a Produce request (`frame`, v3 or later) that writes to mirror topics, in the
/// connection's order: its other topics go to the broker as they are, its mirrors' partitions to
/// the sources. Then the rest, to run beside the connection's next requests: the wait for the
/// copies and the client's answer (none for `acks=0`, which is answered by nothing at all). Or
/// why the connection must close.
pub async fn produce(
    frame: &RequestFrame,
    who: &Identity,
    upstream: &mut Upstream<'_, impl Transport>,
    shared: &Arc<Shared>,
) -> Result<Option<Answer>, String> {
    let jobs = &shared.jobs;
    let version = frame.header.api_version;
    let header_version = ApiKey::Produce.request_header_version(version);
    let mut input = Bytes::copy_from_slice(frame.payload());
    let header = RequestHeader::decode(&mut input, header_version).map_err(|e| e.to_string())?;
    let request = ProduceRequest::decode(&mut input, version).map_err(|e| e.to_string())?;
    let links = Arc::clone(jobs.links().ok_or("the links are not read yet")?);
    let deadline = Instant::now() + request_time(&request, upstream);
    upstream.client_id = Some(header.client_id.as_deref().unwrap_or_default().to_owned());

    // A mirror being promoted takes no more writes at its source, whose growth would keep the
    // promotion waiting: its writes wait here until it is promoted (they then go to the target's
    // topic, with the broker's part of the request) or its promotion is given up. For half the
    // client's wait at most: then the connection closes, and the client sends again, in order,
    // every write it had in flight (an answer to this one alone would let the next ones pass it).
    let promoting = promoting(&request, version, &jobs.mirrors);
    if !promoting.is_empty() {
        let names: Vec<&str> = promoting.iter().map(String::as_str).collect();
        let until = Instant::now() + request_time(&request, upstream) / 2;
        debug!(topics = ?names, "a write to mirrors being promoted waits");
        if !jobs.mirrors.wait_while_promoting(&names, until).await {
            return Err(format!("a write to {names:?} waited too long for their promotion"));
        }
    }

    let retried = retried(&request, version, &links, &jobs.mirrors, &jobs.routes, deadline).await;
    let (mut routed, broker_request) = split(&request, version, &jobs.mirrors, &retried);
    let answers = match broker_request {
        Some(broker_request) => upstream
            .call_at(broker_request, version, deadline)
            .await
            .map_err(|e| format!("the broker's part of a routed Produce: {e}"))?,
        None => ProduceResponse::default(),
    };
    // The mirrors' partitions the broker says the client may write go on to the sources.
    let mut answered = Vec::new();
    // Each partition's entries, in request order, by the name and id the request gave its topic:
    // each answer of the broker takes the first entry not answered yet, so a partition the
    // request names twice gets one answer, and its other entry stays refused.
    let mut unanswered: HashMap<(TopicName, [u8; 16], i32), VecDeque<usize>> = HashMap::new();
    for (i, r) in routed.iter().enumerate() {
        let key = (r.named.name.clone(), r.named.topic_id.into_bytes(), r.partition);
        unanswered.entry(key).or_default().push_back(i);
    }
    for topic in &answers.responses {
        for partition in &topic.partition_responses {
            let key = (topic.name.clone(), topic.topic_id.into_bytes(), partition.index);
            let at = unanswered.get_mut(&key).and_then(VecDeque::pop_front);
            match (at, partition.error_code) {
                (Some(at), INVALID_RECORD) => {
                    routed[at].authorized = true;
                    routed[at].answer =
                        PartitionProduceResponse::default().with_index(partition.index);
                }
                // Anything else (0 included: the broker took no write of it) is the answer.
                (Some(_), 0) => {}
                (Some(at), _) => routed[at].answer = partition.clone(),
                (None, _) => answered.push((topic.clone(), partition.clone())),
            }
        }
    }
    for r in routed.iter_mut().filter(|r| r.retried && r.authorized && r.answer.error_code == 0) {
        let message = format!(
            "{} was written through cluster link {} before its promotion: not written again",
            r.topic, r.link
        );
        r.answer = refused(r.partition, DUPLICATE_SEQUENCE_NUMBER, message);
    }
    // Promoted (or being promoted) meanwhile: the source takes it no more, and the link would
    // not copy it. The client sends it again, in order, to the promoted topic.
    let now_a_mirror = |r: &Routed| {
        jobs.mirrors.mirror_of(ProducedTopic::Name(r.topic.as_bytes())).is_some()
            && !jobs.mirrors.promoting(&r.topic)
    };
    if let Some(r) = routed.iter().find(|r| !r.retried && !now_a_mirror(r)) {
        return Err(format!("mirror {} was promoted while a write to it was on its way", r.topic));
    }
    if let Some(id) = &request.transactional_id {
        in_transaction(&mut routed, id.as_str(), &links, &jobs.routes).await;
    }
    send_to_sources(&mut routed, &request, &links, &jobs.routes).await;
    let written: Vec<Written<'_>> = routed
        .iter()
        .filter(|r| r.written())
        .map(|r| Written {
            link: &r.link,
            topic: &r.topic,
            records: u64::try_from(r.offsets).unwrap_or(0),
            plain: r
                .records
                .as_deref()
                .and_then(records::produced_batch)
                .is_none_or(|batch| batch.producer.is_none()),
        })
        .collect();
    let client_id = header.client_id.as_deref().unwrap_or_default();
    jobs.switched.note(&links, &written, client_id, who);
    // The answer task keeps no batch.
    routed.iter_mut().for_each(|r| r.records = None);
    if request.acks == 0 {
        count(&shared.metrics, &routed);
        return Ok(None);
    }
    let (shared, wait) = (Arc::clone(shared), shared.config.links.wait_for_copy);
    let correlation_id = header.correlation_id;
    Ok(Some(Box::pin(async move {
        if wait {
            wait_for_copy(&mut routed, &links, deadline).await;
        }
        count(&shared.metrics, &routed);
        let response = merge(answers, answered, routed);
        let header = ResponseHeader::default().with_correlation_id(correlation_id);
        let header_version = ApiKey::Produce.response_header_version(version);
        match adminwire_kafka::frame::response(&header, header_version, &response, version) {
            Ok(answer) => Some(answer),
            Err(e) => {
                warn!("a routed Produce's answer could not be encoded: {e}");
                None
            }
        }
    })))
}

/// Each authorized write of a transaction goes to the source as the producer its transaction
/// runs as there, if the transaction is open there and added its partition; else it is refused.
async fn in_transaction(routed: &mut [Routed], id: &str, links: &Links, routes: &Routes) {
    let writes_as = |r: &Routed, route: Option<RoutedTransaction>| {
        let batch = r.records.as_deref().and_then(records::produced_batch);
        let producer = batch.and_then(|b| b.producer)?;
        let route = route?;
        (route.serves(producer.id, producer.epoch) && route.added(&r.topic, r.partition))
            .then_some(Producer { id: route.source_id, epoch: route.source_epoch })
    };
    let authorized = |r: &&mut Routed| r.authorized && r.answer.error_code == 0;
    // The partition was added through another sidecar, perhaps just now: its record is read.
    let missing = routed
        .iter_mut()
        .filter(authorized)
        .any(|r| writes_as(r, links.routed_transaction(&r.link, id)).is_none());
    if missing
        && routes.may_catch_up()
        && let Err(e) = links.catch_up().await
    {
        debug!("reading the links' store: {e}");
    }
    for r in routed.iter_mut().filter(authorized) {
        match writes_as(r, links.routed_transaction(&r.link, id)) {
            Some(ours) => r.transaction = Some(ours),
            None => {
                r.answer = refused(
                    r.partition,
                    INVALID_TXN_STATE,
                    format!(
                        "transaction {id} wrote to {}, a mirror topic of cluster link {}, without \
                         adding it to the transaction first: a transaction writing mirrors runs \
                         on the link's source once AddPartitionsToTxn added them there (a \
                         producer of transactions version 2, which adds partitions by writing \
                         them, must reconnect to the sidecar first)",
                        r.topic, r.link
                    ),
                );
            }
        }
    }
}

fn count(metrics: &Metrics, routed: &[Routed]) {
    for r in routed {
        metrics.routed_write(&r.link, &r.topic, r.answer.error_code);
    }
}

/// How long the whole request may take: the broker's wait for its replicas, and the sidecar's
/// own request timeout for everything around it.
fn request_time(request: &ProduceRequest, upstream: &Upstream<'_, impl Transport>) -> Duration {
    // The client's wait for its replicas, bounded by the sidecar's request timeout (a client
    // cannot hold the sidecar's work for days), and at least a second.
    let wait = Duration::from_millis(u64::try_from(request.timeout_ms).unwrap_or(0));
    wait.clamp(
        Duration::from_secs(1),
        upstream.config.request_timeout().max(Duration::from_secs(1)),
    )
}

/// The mirror topics `request` writes to that are being promoted now, by name.
fn promoting(request: &ProduceRequest, version: i16, mirrors: &MirrorTopics) -> Vec<String> {
    let mut names: Vec<String> = request
        .topic_data
        .iter()
        .filter_map(|t| mirrors.mirror_of(ProducedTopic::of(t, version)).map(|(name, _)| name))
        .filter(|name| mirrors.promoting(name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The request's mirror partitions, and what goes to the broker: the other topics as they are,
/// and the mirrors' partitions without records (a transaction's: with two empty batches, see
/// `records::transactional_probe`), which the broker authorizes and writes nothing of.
/// With `acks=0` the broker's request asks for an answer (`acks=1`): its authorization is needed.
fn split(
    request: &ProduceRequest,
    version: i16,
    mirrors: &MirrorTopics,
    retried: &[Retry],
) -> (Vec<Routed>, Option<ProduceRequest>) {
    let mut routed = Vec::new();
    let mut to_broker = request.clone();
    to_broker.topic_data.clear();
    for (at, topic) in request.topic_data.iter().enumerate() {
        let named = ProducedTopic::of(topic, version);
        let Some((name, link)) = mirrors.mirror_of(named) else {
            let mut topic = topic.clone();
            // A retry goes to the broker without its batch, to be authorized only.
            for retry in retried.iter().filter(|r| r.at == at) {
                let Some(partition) = topic.partition_data.get_mut(retry.partition_at) else {
                    continue;
                };
                let records = partition.records.replace(Bytes::new());
                routed.push(Routed {
                    named: TopicProduceResponse::default()
                        .with_name(topic.name.clone())
                        .with_topic_id(topic.topic_id),
                    copied: false,
                    topic: retry.topic.clone(),
                    link: retry.link.clone(),
                    partition: partition.index,
                    records,
                    answer: refused(
                        partition.index,
                        UNKNOWN_SERVER_ERROR,
                        format!("the broker did not authorize the write to {}", retry.topic),
                    ),
                    authorized: false,
                    offsets: 1,
                    transaction: None,
                    retried: true,
                });
            }
            to_broker.topic_data.push(topic);
            continue;
        };
        let mut probe = topic.clone();
        let named = TopicProduceResponse::default()
            .with_name(topic.name.clone())
            .with_topic_id(topic.topic_id);
        for partition in &mut probe.partition_data {
            let records = partition.records.take();
            // A transaction's write is authorized for its transactional id too, which a broker
            // checks only of a request whose batches are transactional.
            let producer =
                records.as_deref().and_then(records::produced_batch).and_then(|b| b.producer);
            partition.records = Some(match (&request.transactional_id, producer) {
                (Some(_), Some(producer)) => records::transactional_probe(producer),
                _ => Bytes::new(),
            });
            routed.push(Routed {
                named: named.clone(),
                copied: false,
                topic: name.clone(),
                link: link.to_string(),
                partition: partition.index,
                records,
                // Refused until the broker's answer for exactly this entry allows it.
                answer: refused(
                    partition.index,
                    UNKNOWN_SERVER_ERROR,
                    format!("the broker did not authorize the write to {name}"),
                ),
                authorized: false,
                offsets: 1,
                transaction: None,
                retried: false,
            });
        }
        to_broker.topic_data.push(probe);
    }
    if request.acks == 0 {
        to_broker.acks = 1;
    }
    (routed, (!to_broker.topic_data.is_empty()).then_some(to_broker))
}

/// A partition of a Produce request that retries a write the source took before the topic's
/// promotion.
struct Retry {
    /// Its topic's place in the request, and its own in the topic's.
    at: usize,
    partition_at: usize,
    topic: String,
    link: String,
}

/// The partitions of `request` writing to a mirror promoted lately whose batch a routed producer
/// already wrote to the source before the promotion, which the link copied: the producer lost
/// the answer and retries it, now to the promoted topic, where its producer id (the target's) is
/// new, so the broker would take it again. Told by the source producer the sidecars wrote it as
/// and that producer's last sequence on the source. Transactions' writes are left alone.
async fn retried(
    request: &ProduceRequest,
    version: i16,
    links: &Links,
    mirrors: &MirrorTopics,
    routes: &Routes,
    deadline: Instant,
) -> Vec<Retry> {
    let mut found = Vec::new();
    for (at, topic) in request.topic_data.iter().enumerate() {
        let named = ProducedTopic::of(topic, version);
        let Some((name, link, promoted_ms)) = mirrors.promoted_of(named) else { continue };
        for (partition_at, partition) in topic.partition_data.iter().enumerate() {
            let batch = partition.records.as_deref().and_then(records::produced_batch);
            let usable =
                |b: &ProducedBatch| b.crc_valid && !b.transactional && b.base_sequence >= 0;
            let Some(batch) = batch.filter(usable) else { continue };
            let Some(producer) = batch.producer else { continue };
            let Some(kept) = links.routed_producer(&link, producer.id, producer.epoch) else {
                continue;
            };
            let last = i64::from(batch.base_sequence) + batch.offsets - 1;
            let read = routes.source_sequences(links, &link, &name, partition.index, promoted_ms);
            let sequences = tokio::time::timeout_at(deadline, read).await.ok().flatten();
            // At or below the source's last, and not far below it: sequences wrap at 2^31, and
            // a batch after the wrap (small) is not one the source has.
            let written =
                sequences.and_then(|s| s.get(&kept.id).copied()).is_some_and(|(epoch, seq)| {
                    let seq = i64::from(seq);
                    epoch == kept.epoch && last <= seq && seq - last < i64::from(i32::MAX / 2)
                });
            if written {
                debug!(topic = name, partition = partition.index, "a retry of a routed write");
                found.push(Retry { at, partition_at, topic: name.clone(), link: link.to_string() });
            }
        }
    }
    found
}

/// A partition's refusal, with its message (read from Produce v8 on).
fn refused(partition: i32, code: i16, message: String) -> PartitionProduceResponse {
    mirrors::refusal(partition, code, StrBytes::from_string(message))
}

/// Writes each authorized partition's batch to its source leader (as the source's producer, for
/// an idempotent one), and keeps the source's answer for each.
async fn send_to_sources(
    routed: &mut [Routed],
    request: &ProduceRequest,
    links: &Links,
    routes: &Routes,
) {
    // Each link's source, looked up once a request.
    let mut sources: BTreeMap<String, Result<Arc<Source>, String>> = BTreeMap::new();
    for r in routed.iter().filter(|r| r.authorized && r.answer.error_code == 0) {
        sources.entry(r.link.clone()).or_insert_with(|| routes.source(links, &r.link));
    }
    // Leaders not known yet are read once a request, a call per link's source.
    let mut unknown: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in routed.iter().filter(|r| r.authorized && r.answer.error_code == 0) {
        if let Some(Ok(source)) = sources.get(&r.link)
            && source.leader(&r.topic, r.partition).is_none()
        {
            unknown.entry(r.link.as_str()).or_default().push(r.topic.clone());
        }
    }
    for (link, topics) in unknown {
        if let Some(Ok(source)) = sources.get(link) {
            let _ = source.learn(&topics).await;
        }
    }
    // By (link, leader on the source): the partitions, as indexes into `routed`.
    let mut by_leader: BTreeMap<(String, i32), Vec<usize>> = BTreeMap::new();
    for (i, r) in routed.iter_mut().enumerate() {
        if !r.authorized || r.answer.error_code != 0 {
            continue;
        }
        let source = match sources.get(&r.link) {
            Some(Ok(source)) => Arc::clone(source),
            None => continue,
            Some(Err(e)) => {
                r.answer = refused(r.partition, NETWORK_EXCEPTION, format!("link {}: {e}", r.link));
                continue;
            }
        };
        let Some(leader) = source.leader(&r.topic, r.partition) else {
            r.answer = refused(
                r.partition,
                NOT_LEADER_OR_FOLLOWER,
                format!(
                    "partition {}-{} has no leader on link {}'s source now",
                    r.topic, r.partition, r.link
                ),
            );
            continue;
        };
        let batch = r.records.as_deref().and_then(records::produced_batch);
        if batch.is_some_and(|b| !b.crc_valid) {
            // The target's broker would refuse it so: its CRC is not the client's to launder.
            r.answer =
                refused(r.partition, CORRUPT_MESSAGE, "the batch's CRC does not match".into());
            continue;
        }
        r.offsets = batch.map_or(1, |b| b.offsets);
        if let Some(ours) = r.transaction {
            match r.records.as_deref().and_then(|bytes| records::as_producer(bytes, ours)) {
                Some(rewritten) => r.records = Some(rewritten),
                None => {
                    r.answer = refused(r.partition, CORRUPT_MESSAGE, "no record batch".into());
                    continue;
                }
            }
        } else if let Some(producer) = batch.and_then(|b| b.producer) {
            match source.producer(links, &r.link, producer).await.map(|ours| {
                r.records.as_deref().and_then(|bytes| records::as_producer(bytes, ours))
            }) {
                Ok(Some(rewritten)) => r.records = Some(rewritten),
                Ok(None) => {}
                Err(code) => {
                    r.answer = refused(
                        r.partition,
                        code,
                        format!("link {}'s source gave no producer id", r.link),
                    );
                    continue;
                }
            }
        }
        by_leader.entry((r.link.clone(), leader)).or_default().push(i);
    }
    let acks = if request.acks == 0 { 1 } else { request.acks };
    for ((link, leader), indexes) in by_leader {
        let Some(Ok(source)) = sources.get(&link) else { continue };
        let mut topics: BTreeMap<String, Vec<PartitionProduceData>> = BTreeMap::new();
        for &i in &indexes {
            let r = &routed[i];
            topics.entry(r.topic.clone()).or_default().push(
                PartitionProduceData::default()
                    .with_index(r.partition)
                    .with_records(r.records.clone()),
            );
        }
        let sent = ProduceRequest::default()
            .with_transactional_id(request.transactional_id.clone())
            .with_acks(acks)
            .with_timeout_ms(request.timeout_ms)
            .with_topic_data(
                topics
                    .into_iter()
                    .map(|(name, partitions)| {
                        TopicProduceData::default()
                            .with_name(TopicName(StrBytes::from_string(name)))
                            .with_partition_data(partitions)
                    })
                    .collect(),
            );
        // Not cut short from outside: the client's own deadline (the links' source timeout) ends
        // a call cleanly, where a call cut mid-way would leave half a request on its connection.
        let answer = match source.client.call(To::Broker(leader), sent).await {
            Ok(answer) => answer,
            Err(e) => {
                let code = match &e {
                    ConnectionError::Timeout { .. } => REQUEST_TIMED_OUT,
                    _ => NETWORK_EXCEPTION,
                };
                let why = e.to_string();
                for &i in &indexes {
                    let r = &mut routed[i];
                    source.forget(&r.topic);
                    r.answer = refused(
                        r.partition,
                        code,
                        format!("link {}'s source broker {leader}: {why}", r.link),
                    );
                }
                continue;
            }
        };
        for &i in &indexes {
            let r = &mut routed[i];
            r.answer = refused(
                r.partition,
                NETWORK_EXCEPTION,
                format!("link {}'s source broker {leader} did not answer for it", r.link),
            );
        }
        // Only one entry of a partition is ever authorized (see `produce`), so one per key.
        let sent: HashMap<(String, i32), usize> =
            indexes.iter().map(|&i| ((routed[i].topic.clone(), routed[i].partition), i)).collect();
        for topic in &answer.responses {
            for partition in &topic.partition_responses {
                let key = (topic.name.to_string(), partition.index);
                let Some(&i) = sent.get(&key) else { continue };
                if partition.error_code != 0 {
                    source.forget(&routed[i].topic);
                }
                routed[i].answer = partition.clone();
            }
        }
    }
}

/// Holds each written partition's answer until the link has copied the write to the mirror, and
/// answers it with the offset there; one not copied before `deadline` is answered
/// REQUEST_TIMED_OUT (the write is on the source: an idempotent producer's retry is dropped
/// there as a duplicate).
async fn wait_for_copy(routed: &mut [Routed], links: &Links, deadline: Instant) {
    let mut changes = links.changes();
    loop {
        // A transaction's writes are copied once it commits, which its commit waits for.
        for r in routed.iter_mut().filter(|r| r.written() && !r.copied && r.transaction.is_none()) {
            let last = r.answer.base_offset + r.offsets - 1;
            let progress = links.progress(&r.link, &r.topic, r.partition);
            if let Some(p) = progress.filter(|p| p.source_next > last) {
                if let Some(target) = p.map.translate(r.answer.base_offset, p.source_next) {
                    r.answer.base_offset = target;
                }
                r.copied = true;
            }
        }
        if !routed.iter().any(|r| r.written() && !r.copied && r.transaction.is_none()) {
            return;
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep_until(deadline) => break,
        }
    }
    for r in routed.iter_mut().filter(|r| r.written() && !r.copied && r.transaction.is_none()) {
        warn!(
            topic = r.topic,
            partition = r.partition,
            link = r.link,
            "a routed write was not copied to its mirror in time"
        );
        let message = format!(
            "written to link {}'s source at offset {}, but not copied to the mirror in time",
            r.link, r.answer.base_offset
        );
        r.answer = refused(r.partition, REQUEST_TIMED_OUT, message);
    }
}

/// The client's answer: the broker's for its topics, the sources' (or refusals) for the mirrors'.
fn merge(
    answers: ProduceResponse,
    answered: Vec<(TopicProduceResponse, PartitionProduceResponse)>,
    routed: Vec<Routed>,
) -> ProduceResponse {
    let mut topics: Vec<TopicProduceResponse> = Vec::new();
    // Each topic's place in `topics`, by the name and id it was given.
    let mut places: HashMap<(TopicName, [u8; 16]), usize> = HashMap::new();
    let mut add = |template: &TopicProduceResponse, partition: PartitionProduceResponse| {
        let key = (template.name.clone(), template.topic_id.into_bytes());
        let at = *places.entry(key).or_insert_with(|| {
            topics.push(template.clone().with_partition_responses(Vec::new()));
            topics.len() - 1
        });
        topics[at].partition_responses.push(partition);
    };
    for (topic, partition) in answered {
        add(&topic, partition);
    }
    for r in routed {
        add(&r.named, r.answer);
    }
    ProduceResponse::default()
        .with_responses(topics)
        .with_throttle_time_ms(answers.throttle_time_ms)
}
