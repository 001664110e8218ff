//! One client connection: its own upstream connection to the broker its listener fronts, and the
//! frames between them.
//!
//! A [`Connection`] runs three parts side by side on the connection's task:
//! - [`ClientSide`] splits the client's bytes into frames, peeking only at each header, and gives
//!   each request its plan (see `policy`). A frame for the broker is forwarded as it is (several
//!   at once when they arrive together); each request that expects an answer gets a *slot* in the
//!   client's response order and, if it went upstream, a *route* saying where its response goes
//!   and what it needs on the way.
//! - [`BrokerSide`] takes the broker's responses, which come in request order, pairs each with its
//!   route (checking the correlation id), rewrites broker addresses where the route says so, and
//!   fills the slot.
//! - [`ClientWriter`]'s loop (`write_responses`) writes slots back in request order.
//!
//! A large response that can pass as it arrives (see `stream`) is not gathered: its slot is filled
//! at once with a request for the client's writer, which the writing loop lends to the broker side
//! when that response's turn comes, and gets back once the response is through.
//!
//! When the broker connection breaks, the broker side fails every response still owed and says
//! so: an admin command waiting on the broker answers its client with an error, the client side
//! stops taking requests, and the writer writes what is ready before the connection closes.
//!
//! What one connection may hold is bounded: the slot queue (a client with that many requests
//! outstanding is not read from until it catches up), the bytes of responses held for it (past
//! the budget, its broker is not read from), and the time it may take no bytes of its responses
//! (then it is closed).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use adminwire_protocol::{FrameError, RequestFrame, RequestHeaderPeek, SIZE_PREFIX_LEN};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::ApiKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, debug_span, info, warn};

use crate::admin::{self, Unanswerable};
use crate::handover;
use crate::metrics::QueuedResponse;
use crate::mirrors::Guarded;
use crate::policy::{self, NotOffered, RequestPlan, ResponsePlan};
use crate::principal;
use crate::principal::Identity;
use crate::registry::Target;
use crate::shared::{IpSlot, Shared};
use crate::stall::{ClientWriter, StallGuard};
use crate::stream::Shape;
use crate::upstream::{BrokerVersions, CallError, Transport, Upstream};
use crate::{api_versions, rewrite, route, splice};

/// Why a connection was closed early.
#[derive(Debug, thiserror::Error)]
pub enum CloseReason {
    #[error("cannot reach the broker: {0}")]
    Connect(std::io::Error),
    #[error("client sent a bad frame: {0}")]
    BadFrame(#[from] FrameError),
    #[error("client sent {api} v{version}, which the sidecar does not offer")]
    NotOffered { api: String, version: i16 },
    #[error("client i/o: {0}")]
    Client(std::io::Error),
    #[error("broker i/o: {0}")]
    Upstream(std::io::Error),
    #[error("broker sent a bad frame: {0}")]
    UpstreamFrame(FrameError),
    #[error("broker closed the connection")]
    UpstreamClosed,
    /// The broker connection broke with requests outstanding; each of them gets this.
    #[error("{0}")]
    UpstreamLost(String),
    #[error("broker answered correlation id {got}, expected {expected}")]
    OutOfOrder { expected: i32, got: i32 },
    #[error("broker sent a response to no request")]
    Unsolicited,
    #[error("{0}")]
    Rewrite(String),
    /// A write to a mirror topic that no answer can refuse (see `mirrors`).
    #[error("{0}")]
    MirrorWrite(String),
}

/// What a command leaves to answer.
enum Done {
    /// This answer, now.
    Now(BytesMut),
    /// The answer this gives, later (its place kept among the connection's answers).
    Later(route::Answer),
    /// Nothing: the request takes no answer (a Produce with `acks=0`).
    Nothing,
}

/// What a command run on the client's connection does (see `ClientSide::command`).
enum Work {
    /// Answers an admin request.
    Admin(adminwire_protocol::ApiKey, RequestFrame),
    /// Carries out a Produce that writes to mirror topics (see `route`), for this client.
    Route(RequestFrame, Identity),
    /// Holds a member of a linked group joining (see `handover`), once the broker allows it.
    Hold(handover::Held, Identity),
    /// Answers a transaction's coordinator request, which may run on a link's source (see `txn`).
    Transaction(RequestFrame),
}

/// Serves one client connection until either side closes it, it idles out, or the sidecar stops.
pub async fn serve(
    client: TcpStream,
    peer: SocketAddr,
    target: Target,
    shared: Arc<Shared>,
    // The connection's places under the limits, held until it ends.
    _places: (OwnedSemaphorePermit, IpSlot),
) {
    let span = tracing::info_span!("connection", %peer, listener = %target);
    async move {
        let _open = shared.metrics.connection_opened();
        debug!("accepted");
        let served = match Connection::open(client, peer, target, &shared).await {
            Ok(connection) => connection.run().await,
            Err(reason) => Err(reason),
        };
        match served {
            Ok(()) => debug!("closed"),
            Err(reason @ (CloseReason::BadFrame(_) | CloseReason::NotOffered { .. })) => {
                warn!(%reason, "closing connection")
            }
            Err(reason) => info!(%reason, "connection closed"),
        }
    }
    .instrument(span)
    .await
}

/// A client connection and its broker connection, in their three parts.
struct Connection<'a> {
    client: ClientSide<'a>,
    broker: BrokerSide<'a>,
    writer: ResponseWriter<'a>,
    from_broker: OwnedReadHalf,
    /// The broker connection's write half. It stays here, not in the client side: a broker that
    /// saw it close would drop the responses still owed when the client stops sending (or the
    /// sidecar stops reading).
    to_broker: OwnedWriteHalf,
}

impl<'a> Connection<'a> {
    async fn open(
        client: TcpStream,
        peer: SocketAddr,
        target: Target,
        shared: &'a Arc<Shared>,
    ) -> Result<Connection<'a>, CloseReason> {
        let upstream = shared
            .connector
            .connect(target, &shared.config, &shared.registry, &shared.metrics)
            .await
            .map_err(CloseReason::Connect)?;
        // Kafka requests are small and latency-bound; don't let Nagle hold them back.
        let _ = client.set_nodelay(true);
        let _ = upstream.set_nodelay(true);
        let (client_read, client_write) = client.into_split();
        let (upstream_read, to_broker) = upstream.into_split();
        let (slots, slots_rx) = mpsc::channel(shared.config.limits.max_in_flight_per_connection);
        let (routes, routes_rx) = mpsc::unbounded_channel();
        let upstream_lost = CancellationToken::new();
        let versions = BrokerVersions::default();
        Ok(Connection {
            client: ClientSide {
                reader: client_read,
                buf: BytesMut::with_capacity(64 * 1024),
                streaming: false,
                outgoing: BytesMut::new(),
                own_correlation_id: 0,
                logged_in: false,
                principal: None,
                peer,
                software: None,
                pipe: None,
                slots,
                routes,
                target,
                shared,
                upstream_lost: upstream_lost.clone(),
                versions: Arc::clone(&versions),
            },
            broker: BrokerSide {
                routes: routes_rx,
                pending: VecDeque::new(),
                shared,
                upstream_lost,
                versions,
                queued: QueuedBytes::new(shared.config.limits.max_queued_response_bytes),
            },
            writer: ResponseWriter { slots: slots_rx, shared, client: client_write },
            from_broker: upstream_read,
            to_broker,
        })
    }

    async fn run(self) -> Result<(), CloseReason> {
        let Connection { client, broker, writer, from_broker, mut to_broker } = self;
        tokio::try_join!(client.run(&mut to_broker), broker.run(from_broker), writer.run())?;
        Ok(())
    }
}

/// A response the client is owed, in request order.
#[derive(Debug)]
struct Slot {
    response: oneshot::Receiver<Result<Response, CloseReason>>,
    api_key: i16,
    started: Instant,
}

/// Where a broker response goes.
#[derive(Debug)]
struct Route {
    correlation_id: i32,
    to: Destination,
}

/// Who a broker response is for.
#[derive(Debug)]
enum Destination {
    /// The client whose request it answers, and what its response needs on the way.
    Client(ToClient, ResponsePlan),
    /// The sidecar, for a request it sent itself on the client's connection (an admin command's):
    /// the response goes back to the command as it came, for no client ever reads it.
    Sidecar(oneshot::Sender<Result<Bytes, CloseReason>>),
}

impl Route {
    /// Tells whoever waits for the response that it will not come.
    fn fail(self, reason: CloseReason) {
        // A receiver that is gone no longer waits.
        match self.to {
            Destination::Client(to, _) => drop(to.send(Err(reason))),
            Destination::Sidecar(to) => drop(to.send(Err(reason))),
        }
    }

    /// How the response can be streamed to its client, if it can; the sidecar's own requests'
    /// responses never are.
    fn stream_shape(&self) -> Option<Shape> {
        match &self.to {
            Destination::Client(_, plan) => plan.stream_shape(),
            Destination::Sidecar(_) => None,
        }
    }
}

/// A response on its way to whoever is owed it.
#[derive(Debug)]
enum Response {
    /// The whole response, and its share of the connection's queued-bytes budget if it came
    /// from the broker (the budget returns once it is written).
    Whole(Bytes, Option<Held>),
    /// A large response the broker is still sending, passed through as it arrives: when its
    /// turn comes, the client's writer is lent to the broker side, which gives it back once the
    /// response is through (or an error, after which the client's connection is unusable).
    Streamed {
        lend: oneshot::Sender<ClientWriter>,
        give_back: oneshot::Receiver<Result<ClientWriter, CloseReason>>,
    },
}

/// Where a client's response goes: to the writer, through the response's slot.
type ToClient = oneshot::Sender<Result<Response, CloseReason>>;

/// The bytes of broker responses held for one client and not yet written to it: capped, so a
/// client that reads slowly (or not at all, until the write timeout) holds a bounded amount.
#[derive(Debug)]
struct QueuedBytes {
    semaphore: Arc<Semaphore>,
    /// The budget in bytes; a response larger than all of it waits for all of it.
    budget: usize,
}

impl QueuedBytes {
    fn new(budget: usize) -> Self {
        // Permits are taken a response at a time, as a u32.
        let budget = budget.clamp(1, u32::MAX as usize);
        Self { semaphore: Arc::new(Semaphore::new(budget)), budget }
    }
}

/// A response's share of its connection's budget, and of the queued-bytes gauge, while held.
#[derive(Debug)]
struct Held {
    _budget: OwnedSemaphorePermit,
    _counted: QueuedResponse,
}

/// Responses this large, or larger, whose bytes pass through untouched are streamed rather than
/// gathered first: the client starts receiving sooner, and the bytes skip user space.
const STREAM_FROM: usize = 64 * 1024;

/// After a streamed request, the next read takes at most this much: enough for the next
/// request's head, so that if it is large too, its body goes socket to socket rather than through
/// the buffer (copying a buffer's worth of each large request cost a fifth of the sidecar's CPU
/// while producing).
const HEAD_READ: u64 = 1024;

/// The client's requests, read, planned and sent on.
struct ClientSide<'a> {
    reader: OwnedReadHalf,
    buf: BytesMut,
    /// Whether the last request was streamed.
    streaming: bool,
    /// Frames for the broker not yet written; consecutive frames of `buf` rejoin without copying.
    outgoing: BytesMut,
    /// The next correlation id of the requests admin commands send on this connection.
    own_correlation_id: i32,
    /// Whether the client logged in with SASL (sent a SaslHandshake) on this connection.
    logged_in: bool,
    /// Whom it logged in as, where its token says (see `principal`).
    principal: Option<String>,
    /// The client's address.
    peer: SocketAddr,
    /// The client software it named in ApiVersions (v3+), as `name/version`.
    software: Option<String>,
    /// Made on the first streamed request.
    pipe: Option<splice::Pipe>,
    slots: mpsc::Sender<Slot>,
    routes: mpsc::UnboundedSender<Route>,
    target: Target,
    shared: &'a Arc<Shared>,
    upstream_lost: CancellationToken,
    versions: BrokerVersions,
}

impl ClientSide<'_> {
    /// Takes requests until the client or the broker side ends. Consumes the client side, so
    /// that when it ends the slot and route queues close, and the writer and the broker side
    /// wind down after what is owed.
    async fn run(mut self, to_broker: &mut OwnedWriteHalf) -> Result<(), CloseReason> {
        let shared = self.shared;
        loop {
            while let Some(frame) = shared.frames.next_request(&mut self.buf)? {
                if self.upstream_lost.is_cancelled() {
                    // No request can reach the broker now; ending here lets the answers already
                    // owed (an admin command's error among them) reach the client before it
                    // closes.
                    return Ok(());
                }
                self.take_request(frame, to_broker).await?;
            }
            if !self.upstream_lost.is_cancelled() && self.stream_request(to_broker).await? {
                continue;
            }
            // A frame too big for the buffer, and not streamed: make room for the rest of it,
            // which the reader already checked against the frame limit.
            if let Some(size) = shared.frames.frame_size(&self.buf)? {
                self.buf.reserve((SIZE_PREFIX_LEN + size).saturating_sub(self.buf.len()));
            }
            self.flush(to_broker).await?;

            let limit = if self.streaming && self.buf.is_empty() { HEAD_READ } else { u64::MAX };
            let mut reader = (&mut self.reader).take(limit);
            let read = tokio::select! {
                _ = shared.shutdown.cancelled() => return Ok(()),
                _ = self.upstream_lost.cancelled() => return Ok(()),
                read = tokio::time::timeout(
                    shared.config.idle_timeout(),
                    reader.read_buf(&mut self.buf),
                ) => read,
            };
            match read {
                Ok(Ok(0)) if self.buf.is_empty() => return Ok(()),
                Ok(Ok(0)) => {
                    return Err(CloseReason::Client(std::io::ErrorKind::UnexpectedEof.into()));
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(CloseReason::Client(e)),
                Err(_idle) if self.slots.capacity() == self.slots.max_capacity() => {
                    debug!("idle; closing");
                    return Ok(());
                }
                Err(_idle) => {}
            }
        }
    }

    /// Carries out one whole request's plan.
    async fn take_request(
        &mut self,
        frame: RequestFrame,
        to_broker: &mut OwnedWriteHalf,
    ) -> Result<(), CloseReason> {
        self.streaming = false;
        let header = frame.header;
        let span = debug_span!(
            "request",
            api_key = header.api_key,
            version = header.api_version,
            correlation_id = header.correlation_id
        );
        if header.api_key == kafka_protocol::messages::ApiKey::SaslHandshake as i16 {
            self.logged_in = true;
        }
        if header.api_key == kafka_protocol::messages::ApiKey::SaslAuthenticate as i16
            && let Some(principal) =
                principal::from_sasl_authenticate(frame.payload(), header.api_version)
        {
            self.principal = Some(principal);
        }
        if header.api_key == ApiKey::ApiVersions as i16 && header.api_version >= 3 {
            self.software = software(&frame);
        }
        if handover::is_join(header.api_key) && self.shared.jobs.mirrors.holding() {
            // At a sidecar's start, joins wait (a little) for the links to be read, as writes
            // do: a member of a group held must not slip into the target's group unseen.
            self.shared.jobs.mirrors.wait_until_known().await;
        }
        if handover::is_join(header.api_key)
            && self.shared.jobs.groups.any()
            && let Some(held) = self.shared.jobs.groups.hold(&frame)
        {
            self.shared.metrics.request(header.api_key, frame.bytes.len());
            let to = self.take_slot(header.api_key, to_broker).await?;
            // The broker is asked, as this client, whether it may use the group; the answer
            // comes later (see `handover`), keeping its place while the next requests go on.
            self.flush(to_broker).await?;
            if let Done::Later(answer) =
                self.command(Work::Hold(held, self.identity()), to_broker).await?
            {
                self.shared.commands.spawn(async move {
                    if let Some(answer) = answer.await {
                        let _ = to.send(Ok(Response::Whole(answer.freeze(), None)));
                    }
                });
            }
            return Ok(());
        }
        let plan = span.in_scope(|| {
            self.shared.metrics.request(header.api_key, frame.bytes.len());
            debug!("received");
            policy::plan(header, frame.payload())
        });
        let mut plan = plan.map_err(|e| self.not_offered(e))?;
        let mut frame = frame;
        if header.api_key == ApiKey::Produce as i16 && self.shared.jobs.mirrors.holding() {
            self.shared.jobs.mirrors.wait_until_known().await;
        }
        if header.api_key == ApiKey::Produce as i16 && self.shared.jobs.mirrors.guards_produce() {
            (frame, plan) = match self.shared.jobs.mirrors.guard(frame) {
                Guarded::Clear(frame) => (frame, plan),
                Guarded::Answer(answer) => {
                    let to = self.take_slot(header.api_key, to_broker).await?;
                    let _ = to.send(Ok(Response::Whole(answer.freeze(), None)));
                    return Ok(());
                }
                Guarded::Split(bytes, refused) => {
                    let version = header.api_version;
                    let plan = ResponsePlan::ProduceMerged { version, refused };
                    (RequestFrame { header, bytes }, RequestPlan::Forward(Some(plan)))
                }
                Guarded::Route(frame) => {
                    // acks=0 gets no answer, so takes no place in the answers' order.
                    let acks = crate::peek::produce_acks(frame.payload(), header.api_version);
                    let to = match acks {
                        Some(0) => None,
                        _ => Some(self.take_slot(header.api_key, to_broker).await?),
                    };
                    self.flush(to_broker).await?;
                    let done = self.command(Work::Route(frame, self.identity()), to_broker).await?;
                    if let (Some(to), Done::Later(answer)) = (to, done) {
                        // The copies are waited for beside the next requests; the answer keeps
                        // its place.
                        self.shared.commands.spawn(async move {
                            if let Some(answer) = answer.await {
                                let _ = to.send(Ok(Response::Whole(answer.freeze(), None)));
                            }
                        });
                    }
                    return Ok(());
                }
                Guarded::Close(reason) => return Err(CloseReason::MirrorWrite(reason)),
            };
        }
        if crate::txn::is_transactional(header.api_key, header.api_version)
            && (self.shared.jobs.mirrors.any() || self.shared.jobs.mirrors.holding())
        {
            self.shared.jobs.mirrors.wait_until_known().await;
            if self.shared.jobs.mirrors.any() {
                // A transaction's coordinator requests, which may run on a link's source.
                let to = self.take_slot(header.api_key, to_broker).await?;
                self.flush(to_broker).await?;
                if let Done::Now(answer) = self.command(Work::Transaction(frame), to_broker).await?
                {
                    let _ = to.send(Ok(Response::Whole(answer.freeze(), None)));
                }
                return Ok(());
            }
        }
        if let RequestPlan::Forward(None) = plan {
            self.outgoing.unsplit(frame.bytes);
            return Ok(());
        }
        let to = self.take_slot(header.api_key, to_broker).await?;
        match plan {
            RequestPlan::Answer(bytes) => {
                let _ = to.send(Ok(Response::Whole(bytes.freeze(), None)));
            }
            RequestPlan::Admin(api) => {
                // The command's own requests follow everything the client sent before it.
                self.flush(to_broker).await?;
                if let Done::Now(answer) = self.command(Work::Admin(api, frame), to_broker).await? {
                    let _ = to.send(Ok(Response::Whole(answer.freeze(), None)));
                }
            }
            RequestPlan::Forward(response) => {
                // The route is queued before the request leaves, so the response always finds it.
                if let Some(plan) = response {
                    let route = Route {
                        correlation_id: header.correlation_id,
                        to: Destination::Client(to, plan),
                    };
                    let _ = self.routes.send(route);
                }
                self.outgoing.unsplit(frame.bytes);
            }
        }
        Ok(())
    }

    /// Runs an admin command on the command runtime (see `shared::CommandRuntime`). The requests
    /// it sends the cluster come back here to be written on this connection's broker socket, so
    /// they keep their place among the client's own. Ends only when the command has, and every
    /// request it routed has been written, so that no route waits for a response that will not
    /// come.
    async fn command(
        &mut self,
        work: Work,
        to_broker: &mut OwnedWriteHalf,
    ) -> Result<Done, CloseReason> {
        let (frames, mut to_write) = mpsc::channel(1);
        let mut transport = Relayed {
            frames,
            routes: self.routes.clone(),
            next_correlation_id: self.own_correlation_id,
        };
        let (versions, target) = (Arc::clone(&self.versions), self.target);
        let shared = Arc::clone(self.shared);
        let logged_in = self.logged_in;
        let principal = match (&self.principal, logged_in) {
            (Some(principal), _) => Some(principal.clone()),
            (None, false) => Some(crate::principal::ANONYMOUS.to_owned()),
            (None, true) => None,
        };
        let command = async move {
            let mut upstream =
                Upstream::new(&mut transport, &versions, target, &shared.config, &shared.registry);
            upstream.jobs = Some(&shared.jobs);
            upstream.client_logged_in = logged_in;
            upstream.client_principal = principal;
            let answer = match work {
                Work::Admin(api, frame) => {
                    admin::answer(api, &frame, &mut upstream).await.map(Done::Now)
                }
                Work::Hold(held, who) => {
                    let (groups, links) = (&shared.jobs.groups, shared.jobs.links());
                    let checked = held.check(&who, &mut upstream, groups, links, &shared.metrics);
                    Ok(Done::Later(checked.await))
                }
                Work::Transaction(frame) => {
                    match crate::txn::answer(&frame, &mut upstream, &shared).await {
                        Ok(answer) => Ok(Done::Now(answer)),
                        Err(e) => Err(Unanswerable::Route(e)),
                    }
                }
                Work::Route(frame, who) => {
                    match route::produce(&frame, &who, &mut upstream, &shared).await {
                        Ok(Some(answer)) => Ok(Done::Later(answer)),
                        Ok(None) => Ok(Done::Nothing),
                        Err(e) => Err(Unanswerable::Route(e)),
                    }
                }
            };
            (answer, transport.next_correlation_id)
        }
        .instrument(tracing::Span::current());
        let Some(handle) = self.shared.commands.spawn(command) else {
            return Err(CloseReason::Client(std::io::ErrorKind::Interrupted.into()));
        };
        let mut running = AbortOnDrop(handle);
        let (answer, next_correlation_id) = loop {
            tokio::select! {
                biased;
                Some(request) = to_write.recv() => {
                    to_broker.write_all(&request).await.map_err(CloseReason::Upstream)?;
                    self.shared.metrics.bytes_to_broker(request.len());
                }
                ended = &mut running.0 => match ended {
                    Ok(ended) => break ended,
                    Err(e) => {
                        warn!("an admin command's task failed: {e}");
                        return Err(CloseReason::Client(std::io::ErrorKind::Other.into()));
                    }
                },
            }
        };
        // A request queued just before the command gave up (its deadline passed) has its route
        // queued already: it must still go.
        while let Ok(request) = to_write.try_recv() {
            to_broker.write_all(&request).await.map_err(CloseReason::Upstream)?;
            self.shared.metrics.bytes_to_broker(request.len());
        }
        self.own_correlation_id = next_correlation_id;
        answer.map_err(|e| match e {
            Unanswerable::NotOffered { api, version } => {
                CloseReason::NotOffered { api: api.to_owned(), version }
            }
            Unanswerable::Encode(e) => CloseReason::Rewrite(e),
            Unanswerable::Route(e) => CloseReason::MirrorWrite(e),
        })
    }

    /// Who the client is, as far as this connection knows.
    fn identity(&self) -> Identity {
        Identity {
            address: self.peer.to_string(),
            principal: self.principal.clone(),
            software: self.software.clone(),
        }
    }

    fn not_offered(&self, e: NotOffered) -> CloseReason {
        CloseReason::NotOffered {
            api: self.shared.metrics.api_name(e.api_key).to_owned(),
            version: e.version,
        }
    }

    /// Reserves a request's slot in the client's response order before anything of it is sent:
    /// if the client already has the most requests outstanding, first sends what is pending (its
    /// answers free slots), then waits. Returns where the response goes.
    async fn take_slot(
        &mut self,
        api_key: i16,
        to_broker: &mut OwnedWriteHalf,
    ) -> Result<ToClient, CloseReason> {
        let permit = match self.slots.try_reserve() {
            Ok(permit) => permit,
            Err(_) => {
                flush(to_broker, &mut self.outgoing, self.shared).await?;
                self.slots
                    .reserve()
                    .await
                    .map_err(|_| CloseReason::Client(std::io::ErrorKind::BrokenPipe.into()))?
            }
        };
        let (to, response) = oneshot::channel();
        permit.send(Slot { response, api_key, started: Instant::now() });
        Ok(to)
    }

    /// If `buf` starts with a large request still arriving that goes to the broker as it is,
    /// passes it on while the client is still sending it — what has arrived, then the rest
    /// socket to socket through the pipe — and returns true. A Produce request waits until its
    /// `acks` has arrived, which says whether a response will come.
    async fn stream_request(
        &mut self,
        to_broker: &mut OwnedWriteHalf,
    ) -> Result<bool, CloseReason> {
        let shared = self.shared;
        let Some(size) = shared.frames.frame_size(&self.buf)? else { return Ok(false) };
        let frame_len = SIZE_PREFIX_LEN + size;
        if frame_len - self.buf.len() < STREAM_FROM {
            return Ok(false);
        }
        let payload = &self.buf[SIZE_PREFIX_LEN..];
        let Ok(header) = adminwire_protocol::peek_request_header(payload) else {
            return Ok(false);
        };
        // A member of a group held must be seen whole (see `handover`).
        if handover::is_join(header.api_key)
            && (shared.jobs.groups.any() || shared.jobs.mirrors.holding())
        {
            return Ok(false);
        }
        // A transaction's requests are seen whole while mirrors exist (see `txn`).
        if crate::txn::is_transactional(header.api_key, header.api_version)
            && (shared.jobs.mirrors.any() || shared.jobs.mirrors.holding())
        {
            return Ok(false);
        }
        // While mirrors are read-only, every topic of a Produce must be seen (see `mirrors`).
        if header.api_key == ApiKey::Produce as i16
            && (shared.jobs.mirrors.guards_produce()
                || shared.jobs.mirrors.holding()
                || crate::peek::produce_acks(payload, header.api_version).is_none())
        {
            return Ok(false);
        }
        let response = match policy::plan(header, payload).map_err(|e| self.not_offered(e))? {
            RequestPlan::Forward(response) => response,
            RequestPlan::Answer(_) | RequestPlan::Admin(_) => return Ok(false),
        };
        if pipe_for(&mut self.pipe).is_none() {
            return Ok(false);
        }
        let to = match &response {
            Some(_) => Some(self.take_slot(header.api_key, to_broker).await?),
            None => None,
        };
        self.flush(to_broker).await?;
        if let (Some(to), Some(plan)) = (to, response) {
            let route =
                Route { correlation_id: header.correlation_id, to: Destination::Client(to, plan) };
            let _ = self.routes.send(route);
        }
        self.pass_request(header, frame_len, to_broker).await?;
        self.streaming = true;
        Ok(true)
    }

    async fn pass_request(
        &mut self,
        header: RequestHeaderPeek,
        frame_len: usize,
        to_broker: &mut OwnedWriteHalf,
    ) -> Result<(), CloseReason> {
        let shared = self.shared;
        shared.metrics.request(header.api_key, frame_len);
        shared.metrics.bytes_to_broker(frame_len);
        shared.metrics.request_streamed();
        debug!(
            api_key = header.api_key,
            version = header.api_version,
            correlation_id = header.correlation_id,
            "received; streaming it on"
        );
        splice::write_head(to_broker.as_ref(), &self.buf).await.map_err(CloseReason::Upstream)?;
        let rest = frame_len - self.buf.len();
        self.buf.clear();
        let Some(pipe) = self.pipe.as_mut() else {
            return Err(CloseReason::Client(std::io::ErrorKind::Unsupported.into()));
        };
        // A client that stalls mid-request is timed out as an idle one would be.
        let forward = pipe.forward(
            self.reader.as_ref(),
            to_broker.as_ref(),
            rest,
            shared.config.write_timeout(),
        );
        match tokio::time::timeout(shared.config.idle_timeout(), forward).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(splice::SpliceError::From(e))) => Err(CloseReason::Client(e)),
            Ok(Err(splice::SpliceError::To(e))) => Err(CloseReason::Upstream(e)),
            Err(_) => Err(CloseReason::Client(std::io::ErrorKind::TimedOut.into())),
        }
    }

    async fn flush(&mut self, to_broker: &mut OwnedWriteHalf) -> Result<(), CloseReason> {
        flush(to_broker, &mut self.outgoing, self.shared).await
    }
}

async fn flush(
    to_broker: &mut OwnedWriteHalf,
    outgoing: &mut BytesMut,
    shared: &Shared,
) -> Result<(), CloseReason> {
    if outgoing.is_empty() {
        return Ok(());
    }
    to_broker.write_all(outgoing).await.map_err(CloseReason::Upstream)?;
    shared.metrics.bytes_to_broker(outgoing.len());
    outgoing.clear();
    Ok(())
}

/// The client's own broker connection as an admin command's transport: the command's requests go
/// after what the client sent before, with the client's identity (after its SASL passthrough),
/// and their responses come back to the command in order.
/// An admin command's way to the cluster: over the connection it came on (whose client side
/// writes what is sent here), with its responses routed back by the broker side.
struct Relayed {
    frames: mpsc::Sender<BytesMut>,
    routes: mpsc::UnboundedSender<Route>,
    next_correlation_id: i32,
}

impl Transport for Relayed {
    async fn exchange(
        &mut self,
        api: ApiKey,
        _version: i16,
        mut frame: BytesMut,
        deadline: tokio::time::Instant,
    ) -> Result<Bytes, CallError> {
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = correlation_id.wrapping_add(1);
        // Size prefix, api key, api version, then the correlation id.
        if let Some(id) = frame.get_mut(8..12) {
            id.copy_from_slice(&correlation_id.to_be_bytes());
        }
        let (to, response) = oneshot::channel();
        let closed = |e: CloseReason| CallError::Closed(e.to_string());
        // The route is queued before the request can be written, so the response finds it.
        let _ = self.routes.send(Route { correlation_id, to: Destination::Sidecar(to) });
        if self.frames.send(frame).await.is_err() {
            return Err(closed(CloseReason::UpstreamClosed));
        }
        // A response that comes after the deadline still arrives in order and is dropped then.
        // A deadline already past is checked here because the timer would only notice it on its
        // next tick, which a quick broker can beat.
        if tokio::time::Instant::now() >= deadline {
            return Err(CallError::Timeout { api });
        }
        match tokio::time::timeout_at(deadline, response).await {
            Err(_) => Err(CallError::Timeout { api }),
            Ok(Err(_)) => Err(closed(CloseReason::UpstreamClosed)),
            Ok(Ok(Err(reason))) => Err(closed(reason)),
            Ok(Ok(Ok(frame))) => Ok(frame),
        }
    }
}

/// A task that is stopped if whoever waits for it goes away (a connection closing mid-command).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The broker's responses, paired with their routes and delivered.
struct BrokerSide<'a> {
    routes: mpsc::UnboundedReceiver<Route>,
    /// Routes of requests sent and not yet answered, in order.
    pending: VecDeque<Route>,
    shared: &'a Arc<Shared>,
    upstream_lost: CancellationToken,
    versions: BrokerVersions,
    queued: QueuedBytes,
}

impl BrokerSide<'_> {
    /// Delivers the broker's responses. If the broker connection breaks, every response still
    /// owed — queued or yet to be routed here — fails with the reason, and the connection winds
    /// down (see the module's documentation) instead of being torn down at once.
    async fn run(mut self, from_broker: OwnedReadHalf) -> Result<(), CloseReason> {
        let Err(reason) = self.deliver(from_broker).await else {
            return Ok(());
        };
        if let CloseReason::Client(_) = reason {
            // The client went away while a response streamed to it: nothing is owed to anyone.
            return Err(reason);
        }
        info!(%reason, owed = self.pending.len(), "broker connection lost");
        self.shared.metrics.upstream_error("lost");
        self.upstream_lost.cancel();
        self.routes.close();
        while let Ok(route) = self.routes.try_recv() {
            self.pending.push_back(route);
        }
        let reason = reason.to_string();
        for route in self.pending.drain(..) {
            route.fail(CloseReason::UpstreamLost(reason.clone()));
        }
        Ok(())
    }

    async fn deliver(&mut self, mut upstream: OwnedReadHalf) -> Result<(), CloseReason> {
        let shared = self.shared;
        let mut buf = BytesMut::with_capacity(64 * 1024);
        let mut client_done = false;
        // Made on the first streamed response; a connection that never gets one never has it.
        let mut pipe: Option<splice::Pipe> = None;
        loop {
            while let Some(frame) =
                shared.frames.next_response(&mut buf).map_err(CloseReason::UpstreamFrame)?
            {
                self.take_routes();
                let route = self.pending.pop_front().ok_or(CloseReason::Unsolicited)?;
                if frame.correlation_id != route.correlation_id {
                    return Err(CloseReason::OutOfOrder {
                        expected: route.correlation_id,
                        got: frame.correlation_id,
                    });
                }
                shared.metrics.bytes_to_client(frame.bytes.len());
                let frame = frame.bytes.freeze();
                match route.to {
                    Destination::Sidecar(to) => drop(to.send(Ok(frame))),
                    Destination::Client(to, plan) => {
                        let answer = match self.answer_for_client(plan, frame) {
                            Ok(bytes) => self.hold(bytes).await.map(|(b, h)| Response::Whole(b, h)),
                            Err(e) => Err(e),
                        };
                        drop(to.send(answer));
                    }
                }
            }
            // The start of a response that has not all arrived: stream it if it is large and can
            // be, else make room for the rest of it (the reader checked its size against the
            // limit).
            if let Some(size) =
                shared.frames.frame_size(&buf).map_err(CloseReason::UpstreamFrame)?
            {
                let frame_len = SIZE_PREFIX_LEN + size;
                self.take_routes();
                if frame_len - buf.len() >= STREAM_FROM
                    && let Ok(correlation_id) =
                        adminwire_protocol::peek_correlation_id(&buf[SIZE_PREFIX_LEN..])
                    && let Some(shape) = self.pending.front().and_then(Route::stream_shape)
                    && let Some(pipe) = pipe_for(&mut pipe)
                    // A client's route, as its shape says.
                    && let Some(Route { correlation_id: expected, to: Destination::Client(to, _) }) =
                        self.pending.pop_front()
                {
                    if correlation_id != expected {
                        return Err(CloseReason::OutOfOrder { expected, got: correlation_id });
                    }
                    shared.metrics.bytes_to_client(frame_len);
                    shared.metrics.response_streamed();
                    stream(&mut upstream, &mut buf, frame_len, to, shape, pipe, shared).await?;
                    continue;
                }
                buf.reserve(frame_len - buf.len());
            }
            if client_done && self.pending.is_empty() {
                return Ok(());
            }
            tokio::select! {
                route = self.routes.recv(), if !client_done => match route {
                    Some(route) => self.pending.push_back(route),
                    None => client_done = true,
                },
                read = upstream.read_buf(&mut buf) => match read {
                    Ok(0) if self.pending.is_empty() && client_done => return Ok(()),
                    Ok(0) => return Err(CloseReason::UpstreamClosed),
                    Ok(_) => {}
                    Err(e) => return Err(CloseReason::Upstream(e)),
                },
            }
        }
    }

    /// Routes queued since the last look, in order.
    fn take_routes(&mut self) {
        while let Ok(route) = self.routes.try_recv() {
            self.pending.push_back(route);
        }
    }

    /// The bytes the client gets for a broker response: as they came, or with addresses
    /// rewritten, as its plan says.
    fn answer_for_client(&self, plan: ResponsePlan, frame: Bytes) -> Result<Bytes, CloseReason> {
        match plan {
            // The hot path: most responses carry no broker address and go back as they came.
            ResponsePlan::Untouched => Ok(frame),
            ResponsePlan::ApiVersions { version } => {
                // While writes to mirrors are routed, a transaction's partitions must be seen
                // added (see `txn`).
                let mirrors = &self.shared.jobs.mirrors;
                let transactions_v1 = mirrors.any() && mirrors.routing();
                let (rewritten, broker) =
                    api_versions::rewrite_response(version, &frame, transactions_v1)
                        .map_err(|e| CloseReason::Rewrite(format!("ApiVersions response: {e}")))?;
                // What the client learned of its broker, the sidecar's admin commands can use too.
                if let Some(broker) = broker {
                    let _ = self.versions.set(broker);
                }
                Ok(rewritten.freeze())
            }
            ResponsePlan::ProduceMerged { version, refused } => {
                rewrite::merge_produce_response(version, &frame, &refused, &self.shared.registry)
                    .map(BytesMut::freeze)
                    .map_err(|e| {
                        self.shared.metrics.upstream_error("rewrite");
                        CloseReason::Rewrite(e.to_string())
                    })
            }
            ResponsePlan::Rewrite { api, version } => {
                match rewrite::rewrite_response(api, version, &frame, &self.shared.registry) {
                    Ok(None) => Ok(frame),
                    Ok(Some(rewritten)) => Ok(rewritten.freeze()),
                    Err(e) => {
                        self.shared.metrics.upstream_error("rewrite");
                        Err(CloseReason::Rewrite(e.to_string()))
                    }
                }
            }
        }
    }

    /// Takes `bytes`' share of the connection's budget. Past the budget, waits for the client to
    /// take what it is owed before holding more for it; the broker's responses wait in its socket
    /// meanwhile.
    async fn hold(&self, bytes: Bytes) -> Result<(Bytes, Option<Held>), CloseReason> {
        let share = bytes.len().clamp(1, self.queued.budget) as u32;
        let budget = Arc::clone(&self.queued.semaphore)
            .acquire_many_owned(share)
            .await
            .map_err(|_| CloseReason::UpstreamClosed)?;
        let counted = self.shared.metrics.response_queued(bytes.len());
        Ok((bytes, Some(Held { _budget: budget, _counted: counted })))
    }
}

/// The connection's pipe, made on first use; `None` if the kernel will not give one (out of file
/// descriptors, say), and the frame is then gathered as any other.
fn pipe_for(pipe: &mut Option<splice::Pipe>) -> Option<&mut splice::Pipe> {
    if pipe.is_none() {
        match splice::Pipe::new() {
            Ok(new) => *pipe = Some(new),
            Err(e) => {
                debug!(error = %e, "no pipe; gathering the frame instead");
                return None;
            }
        }
    }
    pipe.as_mut()
}

/// Passes a response of `frame_len` bytes, whose start is in `buf`, through to the client as the
/// broker sends it, once the client's writer is lent to it.
async fn stream(
    upstream: &mut OwnedReadHalf,
    buf: &mut BytesMut,
    frame_len: usize,
    to: ToClient,
    shape: Shape,
    pipe: &mut splice::Pipe,
    shared: &Arc<Shared>,
) -> Result<(), CloseReason> {
    let (lend, lent) = oneshot::channel();
    let (give_back, given_back) = oneshot::channel();
    let _ = to.send(Ok(Response::Streamed { lend, give_back: given_back }));
    // The writer comes when every earlier response is written; none of those waits on this side.
    let Ok(mut client) = lent.await else {
        return Err(CloseReason::Client(std::io::ErrorKind::BrokenPipe.into()));
    };
    let passed = crate::stream::pass_through(
        upstream,
        &mut client,
        pipe,
        buf,
        frame_len,
        shape,
        &shared.registry,
    )
    .await;
    match passed {
        Ok(()) => {
            let _ = give_back.send(Ok(client));
            Ok(())
        }
        Err(e) => {
            // Part of the response may be out: the client's connection cannot carry another.
            let _ = give_back.send(Err(CloseReason::UpstreamLost(e.to_string())));
            Err(match e {
                crate::stream::StreamError::Upstream(e) => CloseReason::Upstream(e),
                crate::stream::StreamError::Client(e) => CloseReason::Client(e),
                other => {
                    shared.metrics.upstream_error("rewrite");
                    CloseReason::Rewrite(other.to_string())
                }
            })
        }
    }
}

/// Writes the client's responses in request order.
struct ResponseWriter<'a> {
    slots: mpsc::Receiver<Slot>,
    shared: &'a Arc<Shared>,
    client: OwnedWriteHalf,
}

impl ResponseWriter<'_> {
    async fn run(self) -> Result<(), CloseReason> {
        let ResponseWriter { mut slots, shared, client } = self;
        let client = StallGuard::new(client, shared.config.write_timeout());
        let mut client = BufWriter::with_capacity(64 * 1024, client);
        while let Some(slot) = slots.recv().await {
            // A dropped route means the upstream side ended; its error is what try_join reports.
            match slot.response.await.map_err(|_| CloseReason::UpstreamClosed)?? {
                Response::Whole(bytes, held) => {
                    client.write_all(&bytes).await.map_err(CloseReason::Client)?;
                    drop(held);
                }
                Response::Streamed { lend, give_back } => {
                    client.flush().await.map_err(CloseReason::Client)?;
                    lend.send(client).map_err(|_| CloseReason::UpstreamClosed)?;
                    client = give_back.await.map_err(|_| CloseReason::UpstreamClosed)??;
                }
            }
            shared.metrics.response(slot.api_key, slot.started.elapsed());
            if slots.is_empty() {
                client.flush().await.map_err(CloseReason::Client)?;
            }
        }
        client.flush().await.map_err(CloseReason::Client)?;
        let _ = client.shutdown().await;
        Ok(())
    }
}

/// The client software an ApiVersions request (v3+) names, as `name/version`, read without
/// decoding the request.
fn software(frame: &RequestFrame) -> Option<String> {
    let (name, version) = crate::peek::client_software(frame.payload())?;
    if name.is_empty() {
        return None;
    }
    let (name, version) = (String::from_utf8_lossy(name), String::from_utf8_lossy(version));
    // Bounded: a client names itself, not the sidecar's memory.
    Some(format!("{name}/{version}").chars().take(128).collect())
}
