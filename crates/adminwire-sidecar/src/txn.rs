//! Transactions routed to a link's source: a transactional producer moved to the target whose
//! transactions write only to mirror topics of one link has them run on that link's source,
//! where its writes go (see `route`), so consumers still reading the source see each transaction
//! whole, or not at all, as before.
//!
//! The producer's coordinator stays the target's: it gives the producer its id, and the sidecar
//! takes the requests of a transaction on the way there.
//!
//! - **AddPartitionsToTxn** of mirrors' partitions: the target's broker authorizes the client
//!   (a transactional write it refuses after authorizing, as the client, as for routed writes). Then the target's coordinator is asked
//!   whether the producer is the current one and holds no transaction of its own there. The
//!   partitions are then added to a transaction of the same transactional id on the source, as a
//!   producer of the source's own (the link's principal) that stands in for it (kept in the links'
//!   store, `linktxn/`). Using the same id fences an instance of the application still producing to
//!   the source directly, as a new instance of it would.
//! - **Produce** of those partitions goes to the source as that producer (see `route`).
//! - **EndTxn** of such a transaction (the client authorized again) ends it on the source. A
//!   commit is answered once the link has copied the mirrors' partitions up to their ends on the
//!   source right after it, so that a committed write can be read on the target.
//! - **InitProducerId** of the id, once the target's coordinator has answered it, aborts a
//!   transaction the producer left open on the source, as the target's coordinator aborts its own,
//!   instead of leaving it to its timeout.
//!
//! A transactional id's requests are taken one at a time (by this sidecar), so that a producer
//! starting again cannot interleave with an older instance's transaction beginning.
//!
//! A transaction writing both mirrors and other topics (or another link's mirrors), or committing
//! a group's offsets with mirrors' writes, is refused with `TRANSACTION_SPANS_LINK` (1017): a
//! transaction cannot span two clusters.
//!
//! The transactions the sidecar runs are of version 1 (partitions added by AddPartitionsToTxn,
//! ended without an epoch bump). While mirrors exist, the sidecar offers clients transactions of
//! version 1 only (see `api_versions`); a client of version 2 connected before then adds partitions
//! by writing them, and its writes to mirrors are refused until it reconnects.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use adminwire_jobs::link::service::Links;
use adminwire_jobs::link::state::RoutedTransaction;
use adminwire_kafka::connection::ConnectionError;
use adminwire_kafka::partitions;
use adminwire_kafka::records::Producer;
use adminwire_kafka::transactions;
use adminwire_protocol::{ErrorCode, RequestFrame};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::add_partitions_to_txn_response::{
    AddPartitionsToTxnPartitionResult, AddPartitionsToTxnTopicResult,
};
use kafka_protocol::messages::describe_transactions_response::TransactionState;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, AddPartitionsToTxnRequest,
    AddPartitionsToTxnResponse, ApiKey, DescribeTransactionsRequest, EndTxnRequest, EndTxnResponse,
    InitProducerIdRequest, InitProducerIdResponse, ProduceRequest, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::metrics::Metrics;
use crate::mirrors::MirrorTopics;
use crate::peek::ProducedTopic;
use crate::route::{Routes, Source};
use crate::shared::Shared;
use crate::upstream::{Transport, Upstream};

const COORDINATOR_LOAD_IN_PROGRESS: i16 = 14;
const COORDINATOR_NOT_AVAILABLE: i16 = 15;
const NOT_COORDINATOR: i16 = 16;
const INVALID_PRODUCER_EPOCH: i16 = 47;
const INVALID_TXN_STATE: i16 = 48;
const INVALID_PRODUCER_ID_MAPPING: i16 = 49;
const CONCURRENT_TRANSACTIONS: i16 = 51;
const OPERATION_NOT_ATTEMPTED: i16 = 55;
const INVALID_RECORD: i16 = 87;
const PRODUCER_FENCED: i16 = 90;
const TRANSACTIONAL_ID_NOT_FOUND: i16 = 105;
const SPANS_LINK: i16 = ErrorCode::TRANSACTION_SPANS_LINK.0;

/// Whether the sidecar takes a request of `api_key` at `version` itself while mirrors exist:
/// the coordinator requests of transactions of version 1.
pub fn is_transactional(api_key: i16, version: i16) -> bool {
    match ApiKey::try_from(api_key) {
        Ok(ApiKey::InitProducerId | ApiKey::AddOffsetsToTxn) => true,
        Ok(ApiKey::AddPartitionsToTxn) => version <= 3,
        Ok(ApiKey::EndTxn) => version <= 4,
        _ => false,
    }
}

/// Answers a transaction's coordinator request (`frame`, one [`is_transactional`] takes) for the
/// client: passed to the target's coordinator on the client's connection, or run on a link's
/// source. Or why the connection must close.
pub async fn answer(
    frame: &RequestFrame,
    upstream: &mut Upstream<'_, impl Transport>,
    shared: &Arc<Shared>,
) -> Result<BytesMut, String> {
    let (api, version) = (frame.header.api_key, frame.header.api_version);
    let api = ApiKey::try_from(api).map_err(|()| format!("API key {api}"))?;
    let mut input = Bytes::copy_from_slice(frame.payload());
    let header = RequestHeader::decode(&mut input, api.request_header_version(version))
        .map_err(|e| e.to_string())?;
    upstream.client_id = Some(header.client_id.as_deref().unwrap_or_default().to_owned());
    let deadline = Instant::now() + upstream.config.request_timeout();
    let jobs = &shared.jobs;
    let links = jobs.links().cloned();
    let txns = Transactions {
        links: links.as_deref(),
        routes: &jobs.routes,
        mirrors: &jobs.mirrors,
        metrics: &shared.metrics,
    };
    let respond = |body: &dyn Encode| body.framed(header.correlation_id, api, version);
    match api {
        ApiKey::InitProducerId => {
            let request = decode::<InitProducerIdRequest>(&mut input, version)?;
            let (id, timeout) = (request.transactional_id.clone(), request.transaction_timeout_ms);
            let Some(id) = id.map(|id| id.to_string()) else {
                let answer = upstream.call_at(request, version, deadline).await;
                return respond(&answer.map_err(|e| e.to_string())?);
            };
            let Some(_one_at_a_time) = txns.routes.lock(&id, deadline).await else {
                let busy =
                    InitProducerIdResponse::default().with_error_code(CONCURRENT_TRANSACTIONS);
                return respond(&busy);
            };
            let answer = upstream.call_at(request, version, deadline).await;
            let answer = answer.map_err(|e| e.to_string())?;
            // Only once the target's coordinator has taken it (so authorized it).
            if answer.error_code == 0 {
                txns.restarting(&id, timeout, deadline).await;
            }
            respond(&answer)
        }
        ApiKey::AddPartitionsToTxn => {
            let request = decode::<AddPartitionsToTxnRequest>(&mut input, version)?;
            let id = request.v3_and_below_transactional_id.to_string();
            let Some(_one_at_a_time) = txns.routes.lock(&id, deadline).await else {
                return respond(&every(&request, |_| CONCURRENT_TRANSACTIONS));
            };
            let answer = txns.add_partitions(request, version, upstream, deadline).await?;
            respond(&answer)
        }
        ApiKey::AddOffsetsToTxn => {
            let request = decode::<AddOffsetsToTxnRequest>(&mut input, version)?;
            let producer = Producer { id: request.producer_id.0, epoch: request.producer_epoch };
            let id = request.transactional_id.to_string();
            let Some(_one_at_a_time) = txns.routes.lock(&id, deadline).await else {
                let busy =
                    AddOffsetsToTxnResponse::default().with_error_code(CONCURRENT_TRANSACTIONS);
                return respond(&busy);
            };
            if let Some((link, _)) = txns.open_on_source(&id, producer) {
                warn!(
                    transactional_id = id,
                    link = %link,
                    group = %request.group_id.as_str(),
                    "refused a group's offsets in a transaction running on a link's source"
                );
                txns.metrics.link_transaction("", SPANS_LINK);
                txns.routes.note_refused(&id, producer);
                return respond(&AddOffsetsToTxnResponse::default().with_error_code(SPANS_LINK));
            }
            let answer = upstream.call_at(request, version, deadline).await;
            let answer = answer.map_err(|e| e.to_string())?;
            if answer.error_code == 0 {
                txns.starts_on_target(&id, producer).await;
            }
            respond(&answer)
        }
        ApiKey::EndTxn => {
            let request = decode::<EndTxnRequest>(&mut input, version)?;
            let wait = shared.config.links.wait_for_copy;
            let id = request.transactional_id.to_string();
            let Some(one_at_a_time) = txns.routes.lock(&id, deadline).await else {
                let busy = EndTxnResponse::default().with_error_code(CONCURRENT_TRANSACTIONS);
                return respond(&busy);
            };
            let producer = Producer { id: request.producer_id.0, epoch: request.producer_epoch };
            let aborting = !request.committed;
            match txns.end(&request, version, wait, upstream, deadline, one_at_a_time).await? {
                Some(code) => respond(&EndTxnResponse::default().with_error_code(code)),
                None => {
                    let refused = txns.routes.take_refused(&id);
                    let answer = upstream.call_at(request, version, deadline).await;
                    let mut answer = answer.map_err(|e| e.to_string())?;
                    // A transaction whose first partitions the sidecar refused (1017) holds
                    // nothing anywhere: its abort, which the target's coordinator finds nothing
                    // to do for, is done.
                    if answer.error_code == INVALID_TXN_STATE
                        && aborting
                        && refused == Some((producer.id, producer.epoch))
                    {
                        answer.error_code = 0;
                    }
                    respond(&answer)
                }
            }
        }
        other => Err(format!("{other:?} is not a transaction's request")),
    }
}

fn decode<R: Decodable>(input: &mut Bytes, version: i16) -> Result<R, String> {
    R::decode(input, version).map_err(|e| e.to_string())
}

/// A response body, framed for the client.
trait Encode {
    fn framed(&self, correlation_id: i32, api: ApiKey, version: i16) -> Result<BytesMut, String>;
}

impl<R: Encodable> Encode for R {
    fn framed(&self, correlation_id: i32, api: ApiKey, version: i16) -> Result<BytesMut, String> {
        let header = ResponseHeader::default().with_correlation_id(correlation_id);
        adminwire_kafka::frame::response(
            &header,
            api.response_header_version(version),
            self,
            version,
        )
        .map_err(|e| e.to_string())
    }
}

/// The links' transactions, as one request sees them.
struct Transactions<'a> {
    links: Option<&'a Links>,
    routes: &'a Routes,
    mirrors: &'a MirrorTopics,
    metrics: &'a Metrics,
}

impl Transactions<'_> {
    /// Each link's route of the transactions of `id`.
    fn routes_of(&self, id: &str) -> Vec<(String, RoutedTransaction)> {
        let Some(links) = self.links else { return Vec::new() };
        links
            .ids()
            .into_iter()
            .filter_map(|link| links.routed_transaction(&link, id).map(|route| (link, route)))
            .collect()
    }

    /// The link on whose source `producer` has a transaction of `id` open.
    fn open_on_source(&self, id: &str, producer: Producer) -> Option<(String, RoutedTransaction)> {
        self.routes_of(id)
            .into_iter()
            .find(|(_, route)| route.open && route.serves(producer.id, producer.epoch))
    }

    async fn keep(&self, link: &str, id: &str, route: Option<RoutedTransaction>) -> bool {
        let Some(links) = self.links else { return false };
        match links.keep_routed_transaction(link, id, route).await {
            Ok(()) => true,
            Err(e) => {
                warn!(link, transactional_id = id, "keeping a routed transaction failed: {e}");
                false
            }
        }
    }

    /// A transaction of `producer` starts on the target: an EndTxn of it is the target's from now
    /// on, not a retry of the last one on a source.
    async fn starts_on_target(&self, id: &str, producer: Producer) {
        for (link, route) in self.routes_of(id) {
            if route.serves(producer.id, producer.epoch) && route.ended.is_some() {
                self.keep(&link, id, Some(RoutedTransaction { ended: None, ..route })).await;
            }
        }
    }

    /// The producer of `id` started again (InitProducerId, taken by the target's coordinator):
    /// a transaction it left open on a source is aborted now, by starting the source's producer
    /// again too (with the transaction timeout it asked for); a route of none open waits for the
    /// producer's new epoch.
    async fn restarting(&self, id: &str, timeout_ms: i32, deadline: Instant) {
        let unknown = Producer { id: -1, epoch: -1 };
        for (link, route) in self.routes_of(id) {
            if !route.open {
                let waiting = started_route(unknown, source_of(&route));
                self.keep(&link, id, Some(waiting)).await;
                continue;
            }
            let started = match self.source(&link) {
                Ok(source) => source.init_transactions(id, Some(timeout_ms), deadline).await,
                Err(e) => Err(e),
            };
            let route = match started {
                Ok(ours) => Some(started_route(unknown, ours)),
                Err(e) => {
                    // Left to the source's transaction timeout, which aborts it.
                    warn!(link, transactional_id = id, "aborting a transaction on the source: {e}");
                    None
                }
            };
            self.keep(&link, id, route).await;
        }
    }

    fn source(&self, link: &str) -> Result<Arc<Source>, String> {
        let links = self.links.ok_or("the links are not read yet")?;
        self.routes.source(links, link)
    }

    /// AddPartitionsToTxn (v0-v3): mirrors' partitions go to the source's transaction, others to
    /// the target's coordinator; both at once are refused.
    async fn add_partitions(
        &self,
        request: AddPartitionsToTxnRequest,
        version: i16,
        upstream: &mut Upstream<'_, impl Transport>,
        deadline: Instant,
    ) -> Result<AddPartitionsToTxnResponse, String> {
        let id = request.v3_and_below_transactional_id.to_string();
        let producer = Producer {
            id: request.v3_and_below_producer_id.0,
            epoch: request.v3_and_below_producer_epoch,
        };
        // The mirrors' partitions by link, and whether any other topic is named.
        let mut by_link: BTreeMap<String, Vec<(String, Vec<i32>)>> = BTreeMap::new();
        let mut others = false;
        for topic in &request.v3_and_below_topics {
            match self.mirrors.mirror_of(ProducedTopic::Name(topic.name.as_bytes())) {
                Some((name, link)) => by_link
                    .entry(link.to_string())
                    .or_default()
                    .push((name, topic.partitions.clone())),
                None => others = true,
            }
        }
        let open = self.open_on_source(&id, producer);
        let spans = |why: String| {
            warn!(transactional_id = id, "refused a transaction spanning a link: {why}");
            self.metrics.link_transaction("", SPANS_LINK);
            self.routes.note_refused(&id, producer);
            Ok(every(&request, |_| SPANS_LINK))
        };
        if by_link.is_empty() || !self.mirrors.routing() {
            if let Some((link, _)) = open {
                return spans(format!(
                    "other topics added while it is open on link {link}'s source"
                ));
            }
            let answer = upstream.call_at(request, version, deadline).await;
            let answer = answer.map_err(|e| e.to_string())?;
            let results = answer.results_by_topic_v3_and_below.iter();
            let mut codes = results.flat_map(|t| t.results_by_partition.iter());
            if answer.error_code == 0 && codes.all(|p| p.partition_error_code == 0) {
                self.starts_on_target(&id, producer).await;
            }
            return Ok(answer);
        }
        if others || by_link.len() > 1 {
            return spans("mirrors and other topics (or two links' mirrors) at once".into());
        }
        let Some((link, partitions)) = by_link.into_iter().next() else {
            return Ok(every(&request, |_| OPERATION_NOT_ATTEMPTED));
        };
        if partitions.iter().all(|(_, p)| p.is_empty()) {
            // Nothing to add (and nothing to answer).
            return Ok(every(&request, |_| OPERATION_NOT_ATTEMPTED));
        }
        if let Some((other, _)) = open.as_ref().filter(|(l, _)| *l != link) {
            return spans(format!(
                "link {link}'s mirrors while it is open on link {other}'s source"
            ));
        }
        // The client may write these partitions with this transactional id (the target's
        // broker says so, as it would for the write itself).
        let refused = authorize(&id, producer, &partitions, upstream, deadline).await?;
        if !refused.is_empty() {
            return Ok(every(&request, |key| {
                refused.get(key).copied().unwrap_or(OPERATION_NOT_ATTEMPTED)
            }));
        }
        let source = match self.source(&link) {
            Ok(source) => source,
            Err(e) => {
                warn!(link, "a routed transaction's source: {e}");
                return Ok(every(&request, |_| COORDINATOR_LOAD_IN_PROGRESS));
            }
        };
        let route = match open {
            Some((_, route)) => route,
            None => {
                let began = match target_state(&id, producer, version, upstream, deadline).await? {
                    Ok(state) => self.begin(&link, &id, producer, &source, &state, deadline).await,
                    Err(code) => Err(code),
                };
                match began {
                    Ok(route) => route,
                    Err(code) => return Ok(every(&request, |_| code)),
                }
            }
        };
        let ours = source_of(&route);
        let codes = match source.add_to_transaction(&id, ours, &partitions).await {
            Ok(codes) => codes,
            Err(e) => {
                warn!(link, transactional_id = id, "adding partitions on the source: {e}");
                return Ok(every(&request, |_| COORDINATOR_LOAD_IN_PROGRESS));
            }
        };
        let codes: BTreeMap<(String, i32), i16> =
            codes.into_iter().map(|(t, p, code)| ((t, p), code)).collect();
        if codes.values().any(|c| matches!(*c, INVALID_PRODUCER_EPOCH | PRODUCER_FENCED)) {
            // Another producer of the id started on the source: this one is fenced there.
            info!(link, transactional_id = id, "the source's producer was fenced");
            self.keep(&link, &id, None).await;
            return Ok(every(&request, |_| fenced(version)));
        }
        if codes.values().all(|c| *c == 0) {
            // Its writes may go to these partitions from now on.
            let begun = !route.open;
            let mut open = match begun {
                true => RoutedTransaction {
                    open: true,
                    ended: None,
                    partitions: BTreeMap::new(),
                    since_ms: now_ms(),
                    ..route.clone()
                },
                false => route.clone(),
            };
            for (topic, added) in &partitions {
                let kept = open.partitions.entry(topic.clone()).or_default();
                for partition in added {
                    if !kept.contains(partition) {
                        kept.push(*partition);
                    }
                }
            }
            if open != route && !self.keep(&link, &id, Some(open)).await {
                return Ok(every(&request, |_| COORDINATOR_LOAD_IN_PROGRESS));
            }
            if begun {
                debug!(link, transactional_id = id, "a transaction opened on the source");
                self.metrics.link_transaction("begun", 0);
            }
        }
        Ok(every(&request, |key| codes.get(key).copied().unwrap_or(OPERATION_NOT_ATTEMPTED)))
    }

    /// Starts a transaction of `producer` on link `link`'s source, if the target's coordinator
    /// (`state`, where it is the current producer) holds nothing of its own: the source's producer
    /// kept for it (or a new one). Or the code to answer.
    async fn begin(
        &self,
        link: &str,
        id: &str,
        producer: Producer,
        source: &Source,
        state: &TransactionState,
        deadline: Instant,
    ) -> Result<RoutedTransaction, i16> {
        match state.transaction_state.as_str() {
            "Ongoing" => {
                warn!(
                    transactional_id = id,
                    link, "refused a transaction spanning a link: it holds the target's partitions"
                );
                self.metrics.link_transaction("", SPANS_LINK);
                return Err(SPANS_LINK);
            }
            "PrepareCommit" | "PrepareAbort" | "PrepareEpochFence" => {
                return Err(CONCURRENT_TRANSACTIONS);
            }
            _ => {}
        }
        let kept = self.links.and_then(|links| links.routed_transaction(link, id));
        if let Some(kept) =
            kept.filter(|k| k.serves(producer.id, producer.epoch) || k.target_id == -1)
        {
            return Ok(RoutedTransaction {
                target_id: producer.id,
                target_epoch: producer.epoch,
                ..kept
            });
        }
        let timeout = state.transaction_timeout_ms;
        match source.init_transactions(id, Some(timeout), deadline).await {
            Ok(ours) => {
                info!(
                    link,
                    transactional_id = id,
                    source_id = ours.id,
                    source_epoch = ours.epoch,
                    "a producer's transactions run on the link's source"
                );
                Ok(started_route(producer, ours))
            }
            Err(e) => {
                warn!(link, transactional_id = id, "starting the producer on the source: {e}");
                Err(COORDINATOR_LOAD_IN_PROGRESS)
            }
        }
    }

    /// EndTxn of a transaction on a source (or asked again of the last one there): its code;
    /// `None` for one of the target's.
    async fn end(
        &self,
        request: &EndTxnRequest,
        version: i16,
        wait: bool,
        upstream: &mut Upstream<'_, impl Transport>,
        deadline: Instant,
        one_at_a_time: tokio::sync::MutexGuard<'_, ()>,
    ) -> Result<Option<i16>, String> {
        let id = request.transactional_id.to_string();
        let producer = Producer { id: request.producer_id.0, epoch: request.producer_epoch };
        let committed = request.committed;
        let Some((link, route)) = self.routes_of(&id).into_iter().find(|(_, r)| {
            r.serves(producer.id, producer.epoch) && (r.open || r.ended == Some(committed))
        }) else {
            return Ok(None);
        };
        if route.partitions.is_empty() {
            return Ok(None);
        }
        // The client may end it: the target's broker says so, as for the transaction's writes.
        let partitions: Vec<(String, Vec<i32>)> =
            route.partitions.iter().map(|(t, p)| (t.clone(), p.clone())).collect();
        let refused = authorize(&id, producer, &partitions, upstream, deadline).await?;
        if let Some(code) = refused.values().next() {
            return Ok(Some(*code));
        }
        if !route.open {
            // Asked again, unless the producer's transaction now is the target's own.
            match target_state(&id, producer, version, upstream, deadline).await? {
                Ok(state) if state.transaction_state.as_str() == "Ongoing" => return Ok(None),
                Ok(_) => {}
                Err(code) => return Ok(Some(code)),
            }
        }
        let source = match self.source(&link) {
            Ok(source) => source,
            Err(e) => {
                warn!(link, "a routed transaction's source: {e}");
                return Ok(Some(COORDINATOR_LOAD_IN_PROGRESS));
            }
        };
        let code = match source.end_transaction(&id, source_of(&route), committed).await {
            Ok(code) => code,
            Err(e) => {
                warn!(link, transactional_id = id, "ending a transaction on the source: {e}");
                return Ok(Some(COORDINATOR_LOAD_IN_PROGRESS));
            }
        };
        match code {
            0 => {}
            INVALID_PRODUCER_EPOCH | PRODUCER_FENCED => {
                self.keep(&link, &id, None).await;
                return Ok(Some(fenced(version)));
            }
            code => return Ok(Some(code)),
        }
        if route.open {
            let ended = RoutedTransaction { open: false, ended: Some(committed), ..route.clone() };
            if !self.keep(&link, &id, Some(ended)).await {
                return Ok(Some(COORDINATOR_LOAD_IN_PROGRESS));
            }
            self.metrics.link_transaction(if committed { "committed" } else { "aborted" }, 0);
        }
        // Ended, and kept so: the id's next requests need not wait for the copy.
        drop(one_at_a_time);
        if committed
            && wait
            && let Some(links) = self.links
        {
            wait_for_copies(links, &link, &source, &route.partitions, deadline).await;
        }
        debug!(link, transactional_id = id, committed, "a transaction ended on the source");
        Ok(Some(0))
    }
}

/// The target's coordinator's view of transactional id `id`, asked as the client, if `producer`
/// is its current producer; else the code to answer (at `version` of the client's request).
async fn target_state(
    id: &str,
    producer: Producer,
    version: i16,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<Result<TransactionState, i16>, String> {
    let request =
        DescribeTransactionsRequest::default().with_transactional_ids(vec![request_id(id)]);
    let described = upstream.call(request, deadline).await.map_err(|e| e.to_string())?;
    let Some(state) = described.transaction_states.into_iter().next() else {
        return Ok(Err(COORDINATOR_LOAD_IN_PROGRESS));
    };
    match state.error_code {
        0 => {}
        TRANSACTIONAL_ID_NOT_FOUND => return Ok(Err(INVALID_PRODUCER_ID_MAPPING)),
        code => return Ok(Err(code)),
    }
    if (state.producer_id.0, state.producer_epoch) != (producer.id, producer.epoch) {
        return Ok(Err(if state.producer_epoch > producer.epoch {
            fenced(version)
        } else {
            INVALID_PRODUCER_ID_MAPPING
        }));
    }
    Ok(Ok(state))
}

/// The partitions the client may not add to `id`'s transaction, with the target's broker's code:
/// an empty transactional write of each, as the client, which the broker authorizes (the
/// transactional id, then the topic) and writes nothing of.
async fn authorize(
    id: &str,
    producer: Producer,
    partitions: &[(String, Vec<i32>)],
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<BTreeMap<(String, i32), i16>, String> {
    let probe = adminwire_kafka::records::transactional_probe(producer);
    let topics = partitions
        .iter()
        .map(|(topic, partitions)| {
            TopicProduceData::default().with_name(topic_name(topic)).with_partition_data(
                partitions
                    .iter()
                    .map(|p| {
                        PartitionProduceData::default()
                            .with_index(*p)
                            .with_records(Some(probe.clone()))
                    })
                    .collect(),
            )
        })
        .collect();
    let probe = ProduceRequest::default()
        .with_transactional_id(Some(request_id(id)))
        .with_acks(-1)
        .with_timeout_ms(1_000)
        .with_topic_data(topics);
    let answer = upstream.call(probe, deadline).await.map_err(|e| e.to_string())?;
    let mut refused = BTreeMap::new();
    for topic in answer.responses {
        for partition in topic.partition_responses {
            if partition.error_code != INVALID_RECORD {
                refused.insert((topic.name.to_string(), partition.index), partition.error_code);
            }
        }
    }
    Ok(refused)
}

/// Waits (until `deadline`) for link `link` to have copied each of `partitions` up to its end on
/// the source now (a committed transaction's writes are below it), so that they can be read on
/// the target.
async fn wait_for_copies(
    links: &Links,
    link: &str,
    source: &Source,
    partitions: &BTreeMap<String, Vec<i32>>,
    deadline: Instant,
) {
    let ends = match source.ends(partitions).await {
        Ok(ends) => ends,
        Err(e) => {
            warn!(link, "the source's ends after a commit: {e}");
            return;
        }
    };
    let mut changes = links.changes();
    loop {
        let copied = ends.iter().all(|((topic, partition), end)| {
            links.progress(link, topic, *partition).is_some_and(|p| p.source_next >= *end)
        });
        if copied {
            return;
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep_until(deadline) => {
                warn!(link, "a committed transaction was not copied to its mirrors in time");
                return;
            }
        }
    }
}

/// The answer to `request` with each partition's code from `code`.
fn every(
    request: &AddPartitionsToTxnRequest,
    code: impl Fn(&(String, i32)) -> i16,
) -> AddPartitionsToTxnResponse {
    let topics = request
        .v3_and_below_topics
        .iter()
        .map(|topic| {
            let name = topic.name.to_string();
            AddPartitionsToTxnTopicResult::default()
                .with_name(topic.name.clone())
                .with_results_by_partition(
                    topic
                        .partitions
                        .iter()
                        .map(|p| {
                            AddPartitionsToTxnPartitionResult::default()
                                .with_partition_index(*p)
                                .with_partition_error_code(code(&(name.clone(), *p)))
                        })
                        .collect(),
                )
        })
        .collect();
    AddPartitionsToTxnResponse::default().with_results_by_topic_v3_and_below(topics)
}

/// Kafka's code for a fenced producer at `version` of AddPartitionsToTxn (PRODUCER_FENCED from
/// v2 on).
fn fenced(version: i16) -> i16 {
    if version >= 2 { PRODUCER_FENCED } else { INVALID_PRODUCER_EPOCH }
}

fn request_id(id: &str) -> kafka_protocol::messages::TransactionalId {
    kafka_protocol::messages::TransactionalId(kafka_protocol::protocol::StrBytes::from_string(
        id.to_owned(),
    ))
}

fn topic_name(topic: &str) -> kafka_protocol::messages::TopicName {
    kafka_protocol::messages::TopicName(kafka_protocol::protocol::StrBytes::from_string(
        topic.to_owned(),
    ))
}

/// The route of a producer of the target (-1: not known yet) whose transactions run as `ours`,
/// just started on the source: no transaction open there.
fn started_route(producer: Producer, ours: Producer) -> RoutedTransaction {
    RoutedTransaction {
        target_id: producer.id,
        target_epoch: producer.epoch,
        source_id: ours.id,
        source_epoch: ours.epoch,
        open: false,
        ended: None,
        partitions: BTreeMap::new(),
        since_ms: now_ms(),
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Source-side calls, each going again once to a coordinator found anew if the one asked is not
/// (or no longer) the coordinator.
impl Source {
    async fn coordinated<T, F, Fut>(&self, id: &str, mut call: F) -> Result<T, String>
    where
        F: FnMut(i32) -> Fut,
        Fut: std::future::Future<Output = Result<(T, bool), ConnectionError>>,
    {
        for _ in 0..2 {
            let coordinator = match transactions::coordinator(&self.client, id).await {
                Ok(Ok(coordinator)) => coordinator,
                Ok(Err(code)) => return Err(format!("no coordinator for it (error {code})")),
                Err(e) => return Err(e.to_string()),
            };
            let (answer, moved) = call(coordinator).await.map_err(|e| e.to_string())?;
            if !moved {
                return Ok(answer);
            }
        }
        Err("its coordinator moved twice".into())
    }

    /// The source's producer of `id` from now on (a new epoch), with the transaction timeout
    /// given, or 60 s.
    async fn init_transactions(
        &self,
        id: &str,
        timeout_ms: Option<i32>,
        deadline: Instant,
    ) -> Result<Producer, String> {
        let timeout = timeout_ms.filter(|t| *t > 0).unwrap_or(60_000);
        loop {
            let answer = self
                .coordinated(id, |c| async move {
                    let answer = transactions::init(&self.client, c, id, timeout).await?;
                    let moved = matches!(answer, Err(code) if coordinator_moved(code));
                    Ok((answer, moved))
                })
                .await?;
            // An open transaction is being aborted: asked again, as a client does.
            match answer {
                Err(CONCURRENT_TRANSACTIONS | COORDINATOR_LOAD_IN_PROGRESS)
                    if Instant::now() + RETRY_AFTER < deadline =>
                {
                    tokio::time::sleep(RETRY_AFTER).await;
                }
                answer => return answer.map_err(|code| format!("error {code}")),
            }
        }
    }

    /// Each of `partitions`' end on the source now, by topic and partition.
    async fn ends(
        &self,
        partitions: &BTreeMap<String, Vec<i32>>,
    ) -> Result<BTreeMap<(String, i32), i64>, String> {
        let topics: Vec<String> = partitions.keys().cloned().collect();
        self.learn(&topics).await.map_err(|e| e.to_string())?;
        let mut by_leader: BTreeMap<i32, Vec<(String, i32)>> = BTreeMap::new();
        for (topic, numbers) in partitions {
            for partition in numbers {
                let leader = self
                    .leader(topic, *partition)
                    .ok_or_else(|| format!("{topic}-{partition} has no leader"))?;
                by_leader.entry(leader).or_default().push((topic.clone(), *partition));
            }
        }
        let mut ends = BTreeMap::new();
        for (leader, wanted) in by_leader {
            // Every record written, committed or not: the commit's markers may not be written
            // yet, and a committed reader's end would stop below its records.
            let found = partitions::high_watermarks(&self.client, leader, &wanted)
                .await
                .map_err(|e| e.to_string())?;
            for (key, end) in found {
                ends.insert(key, end.map_err(|code| format!("error {code}"))?);
            }
        }
        Ok(ends)
    }

    async fn add_to_transaction(
        &self,
        id: &str,
        producer: Producer,
        partitions: &[(String, Vec<i32>)],
    ) -> Result<Vec<(String, i32, i16)>, String> {
        self.coordinated(id, |c| async move {
            let codes =
                transactions::add_partitions(&self.client, c, id, producer, partitions).await?;
            let moved = codes.iter().any(|(_, _, code)| coordinator_moved(*code));
            Ok((codes, moved))
        })
        .await
    }

    async fn end_transaction(
        &self,
        id: &str,
        producer: Producer,
        committed: bool,
    ) -> Result<i16, String> {
        self.coordinated(id, |c| async move {
            let code = transactions::end(&self.client, c, id, producer, committed).await?;
            Ok((code, coordinator_moved(code)))
        })
        .await
    }
}

/// How long the sidecar waits before asking a source's coordinator again.
const RETRY_AFTER: Duration = Duration::from_millis(100);

/// The source's producer a route's transactions run as.
fn source_of(route: &RoutedTransaction) -> Producer {
    Producer { id: route.source_id, epoch: route.source_epoch }
}

fn coordinator_moved(code: i16) -> bool {
    matches!(code, NOT_COORDINATOR | COORDINATOR_NOT_AVAILABLE)
}
