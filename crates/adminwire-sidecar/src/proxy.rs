//! One client connection: its own upstream connection to the broker its listener fronts, and the
//! frames between them.
//!
//! Three loops run side by side on the connection's task:
//! - `read_client` splits the client's bytes into frames, peeking only at each header. A frame
//!   for the broker is forwarded as it is (several at once when they arrive together); each
//!   request that expects an answer gets a *slot* in the client's response order and, if it went
//!   upstream, a *route* saying where its response goes.
//! - `read_upstream` takes the broker's responses, which come in request order, pairs each with
//!   its route (checking the correlation id), rewrites broker addresses where the response
//!   carries any, and fills the slot.
//! - `write_client` writes slots back in request order.
//!
//! A large response that can pass as it arrives (see `stream`) is not gathered: its slot is filled
//! at once with a request for the client's writer, which `write_client` lends to `read_upstream`
//! when that response's turn comes, and gets back once the response is through.
//!
//! When the broker connection breaks, `read_upstream` fails every response still owed and says
//! so: an admin command waiting on the broker answers its client with an error, `read_client`
//! stops taking requests, and `write_client` writes what is ready before the connection closes.
//!
//! The slot queue is bounded: a client with that many requests outstanding — or one that stops
//! reading its responses — is not read from until it catches up, so its memory stays bounded.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use adminwire_protocol::{FrameError, RequestHeaderPeek, SIZE_PREFIX_LEN, peek_correlation_id};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::ApiKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, debug_span, info, warn};

use crate::api_versions;
use crate::kafka_call::{self, Call, NoCommonVersion, Versions};
use crate::metrics::QueuedResponse;
use crate::server::{Advertiser, IpSlot, Shared, Target};
use crate::stall::StallGuard;
use crate::stream::{self, Shape};
use crate::{admin, fetch_walk, peek, rewrite, splice};

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
    api_key: i16,
    version: i16,
    to: Destination,
}

/// Who a broker response is for.
#[derive(Debug)]
enum Destination {
    /// The client whose request it answers: rewritten where it carries addresses, or streamed.
    Client(ToClient),
    /// The sidecar, for a request it sent itself on the client's connection (an admin command's):
    /// the response goes back to the command as it came, for no client ever reads it.
    Sidecar(oneshot::Sender<Result<Bytes, CloseReason>>),
}

impl Route {
    /// The route of a client's request forwarded to the broker.
    fn to_client(header: RequestHeaderPeek, to: ToClient) -> Self {
        Self {
            correlation_id: header.correlation_id,
            api_key: header.api_key,
            version: header.api_version,
            to: Destination::Client(to),
        }
    }

    /// How the response can be streamed to its client, if it can (see `stream_shape`); the
    /// sidecar's own requests' responses never are.
    fn client_stream_shape(&self) -> Option<Shape> {
        match self.to {
            Destination::Client(_) => stream_shape(self.api_key, self.version),
            Destination::Sidecar(_) => None,
        }
    }

    /// Tells whoever waits for the response that it will not come.
    fn fail(self, reason: CloseReason) {
        // A receiver that is gone no longer waits.
        match self.to {
            Destination::Client(to) => drop(to.send(Err(reason))),
            Destination::Sidecar(to) => drop(to.send(Err(reason))),
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
    /// turn comes, the client's writer is lent to `read_upstream`, which gives it back once the
    /// response is through (or an error, after which the client's connection is unusable).
    Streamed {
        lend: oneshot::Sender<ClientWriter>,
        give_back: oneshot::Receiver<Result<ClientWriter, CloseReason>>,
    },
}

/// The client's write side: buffered, and closed on a client that stops reading (see `stall`).
pub(crate) type ClientWriter = BufWriter<StallGuard<OwnedWriteHalf>>;

/// Where a client's response goes: to `write_client`, through the response's slot.
type ToClient = oneshot::Sender<Result<Response, CloseReason>>;

/// The bytes of broker responses held for one client and not yet written to it: capped, so a
/// client that reads slowly (or not at all, until the write timeout) holds a bounded amount.
#[derive(Debug)]
struct QueuedBytes {
    semaphore: Arc<tokio::sync::Semaphore>,
    /// The budget in bytes; a response larger than all of it waits for all of it.
    budget: usize,
}

impl QueuedBytes {
    fn new(budget: usize) -> Self {
        // Permits are taken a response at a time, as a u32.
        let budget = budget.clamp(1, u32::MAX as usize);
        Self { semaphore: Arc::new(tokio::sync::Semaphore::new(budget)), budget }
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

/// Serves one client connection until either side closes it, it idles out, or the sidecar stops.
pub async fn serve(
    client: TcpStream,
    peer: SocketAddr,
    target: Target,
    shared: Arc<Shared>,
    // The connection's places under the limits, held until it ends.
    _slots: (OwnedSemaphorePermit, IpSlot),
) {
    let span = tracing::info_span!("connection", %peer, listener = %target);
    async move {
        let _open = shared.metrics.connection_opened();
        debug!("accepted");
        match proxy(client, target, &shared).await {
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

async fn proxy(client: TcpStream, target: Target, shared: &Arc<Shared>) -> Result<(), CloseReason> {
    let upstream = shared.connect_upstream(target).await.map_err(CloseReason::Connect)?;
    // Kafka requests are small and latency-bound; don't let Nagle hold them back.
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    // The write half stays here, not in `read_client`: a broker that saw it close would drop the
    // responses still owed when the client stops sending (or the sidecar stops reading).
    let (upstream_read, mut upstream_write) = upstream.into_split();
    let (slots, slots_rx) = mpsc::channel(shared.config.limits.max_in_flight_per_connection);
    let (routes, routes_rx) = mpsc::unbounded_channel();
    let upstream_lost = CancellationToken::new();
    let versions = BrokerVersions::default();
    let queued = QueuedBytes::new(shared.config.limits.max_queued_response_bytes);
    tokio::try_join!(
        read_client(
            client_read,
            &mut upstream_write,
            slots,
            routes,
            target,
            shared,
            &upstream_lost,
            &versions,
        ),
        read_upstream(upstream_read, routes_rx, shared, &upstream_lost, &versions, &queued),
        write_client(client_write, slots_rx, shared),
    )?;
    Ok(())
}

/// What to do with one request frame.
enum Handling {
    /// Forward it; `respond` is false only for Produce with acks=0, which gets no response.
    Forward { respond: bool },
    /// Answer it here with these bytes.
    Answer(BytesMut),
    /// An admin request of the extension: run it, on this connection, and answer it.
    Admin(adminwire_protocol::ApiKey),
}

/// How to handle a request with `header`, whose payload (header and body, no size prefix) starts
/// with `payload`: all of it, or, for a request still arriving, enough to hold Produce's `acks`.
fn handle(
    header: RequestHeaderPeek,
    payload: &[u8],
    shared: &Shared,
) -> Result<Handling, CloseReason> {
    if let Some(api) = adminwire_protocol::ApiKey::from_i16(header.api_key) {
        return Ok(Handling::Admin(api));
    }
    if header.api_key == ApiKey::ApiVersions as i16
        && header.api_version > api_versions::max_version()
    {
        return Ok(Handling::Answer(api_versions::unsupported_version_response(
            header.correlation_id,
        )));
    }
    let not_offered = || CloseReason::NotOffered {
        api: shared.metrics.api_name(header.api_key).to_owned(),
        version: header.api_version,
    };
    let (api, min, max) = api_versions::offered(header.api_key).ok_or_else(not_offered)?;
    if !(min..=max).contains(&header.api_version) {
        return Err(not_offered());
    }
    let respond =
        api != ApiKey::Produce || peek::produce_acks(payload, header.api_version) != Some(0);
    Ok(Handling::Forward { respond })
}

#[allow(clippy::too_many_arguments)] // the connection's parts; a connection type is to come
async fn read_client(
    mut client: OwnedReadHalf,
    upstream: &mut OwnedWriteHalf,
    slots: mpsc::Sender<Slot>,
    routes: mpsc::UnboundedSender<Route>,
    target: Target,
    shared: &Arc<Shared>,
    upstream_lost: &CancellationToken,
    versions: &BrokerVersions,
) -> Result<(), CloseReason> {
    let mut buf = BytesMut::with_capacity(64 * 1024);
    // Frames for the broker not yet written; consecutive frames of `buf` rejoin without copying.
    let mut outgoing = BytesMut::new();
    // Correlation ids of the requests admin commands send on this connection.
    let mut internal_correlation_id = 0;
    // Made on the first streamed request.
    let mut pipe: Option<splice::Pipe> = None;
    loop {
        while let Some(frame) = shared.frames.next_request(&mut buf)? {
            if upstream_lost.is_cancelled() {
                // No request can reach the broker now; ending here lets the answers already
                // owed (an admin command's error among them) reach the client before it closes.
                return Ok(());
            }
            let header = frame.header;
            let span = debug_span!(
                "request",
                api_key = header.api_key,
                version = header.api_version,
                correlation_id = header.correlation_id
            );
            let handling = span.in_scope(|| {
                shared.metrics.request(header.api_key, frame.bytes.len());
                debug!("received");
                handle(header, frame.payload(), shared)
            })?;
            if let Handling::Forward { respond: false } = handling {
                outgoing.unsplit(frame.bytes);
                continue;
            }
            let to = take_slot(&slots, header.api_key, upstream, &mut outgoing, shared).await?;
            match handling {
                Handling::Answer(bytes) => {
                    let _ = to.send(Ok(Response::Whole(bytes.freeze(), None)));
                }
                Handling::Admin(api) => {
                    // The command's own requests follow everything the client sent before it.
                    flush(upstream, &mut outgoing, shared).await?;
                    let mut connection = Upstream {
                        writer: upstream,
                        routes: &routes,
                        next_correlation_id: &mut internal_correlation_id,
                        versions,
                        client_id: None,
                        target,
                        shared,
                    };
                    let answer = admin::answer(api, &frame, &mut connection).await?;
                    let _ = to.send(Ok(Response::Whole(answer.freeze(), None)));
                }
                Handling::Forward { .. } => {
                    // The route is queued before the request leaves, so the response always finds it.
                    let _ = routes.send(Route::to_client(header, to));
                    outgoing.unsplit(frame.bytes);
                }
            }
        }
        if !upstream_lost.is_cancelled()
            && let Some((header, frame_len, respond)) = streamable_request(&buf, shared)?
            && let Some(pipe) = pipe_for(&mut pipe)
        {
            let to = if respond {
                Some(take_slot(&slots, header.api_key, upstream, &mut outgoing, shared).await?)
            } else {
                None
            };
            flush(upstream, &mut outgoing, shared).await?;
            if let Some(to) = to {
                let _ = routes.send(Route::to_client(header, to));
            }
            stream_request(header, frame_len, &mut client, upstream, &mut buf, pipe, shared)
                .await?;
            continue;
        }
        // A frame too big for the buffer, and not streamed: make room for the rest of it, which
        // the reader already checked against the frame limit.
        if let Some(size) = shared.frames.frame_size(&buf)? {
            buf.reserve((SIZE_PREFIX_LEN + size).saturating_sub(buf.len()));
        }
        flush(upstream, &mut outgoing, shared).await?;

        let read = tokio::select! {
            _ = shared.shutdown.cancelled() => return Ok(()),
            _ = upstream_lost.cancelled() => return Ok(()),
            read = tokio::time::timeout(shared.config.idle_timeout(), client.read_buf(&mut buf)) => read,
        };
        match read {
            Ok(Ok(0)) if buf.is_empty() => return Ok(()),
            Ok(Ok(0)) => return Err(CloseReason::Client(std::io::ErrorKind::UnexpectedEof.into())),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(CloseReason::Client(e)),
            Err(_idle) if slots.capacity() == slots.max_capacity() => {
                debug!("idle; closing");
                return Ok(());
            }
            Err(_idle) => {}
        }
    }
}

/// Reserves a request's slot in the client's response order before anything of it is sent: if
/// the client already has the most requests outstanding, first sends what is pending (its answers
/// free slots), then waits. Returns where the response goes.
async fn take_slot(
    slots: &mpsc::Sender<Slot>,
    api_key: i16,
    upstream: &mut OwnedWriteHalf,
    outgoing: &mut BytesMut,
    shared: &Shared,
) -> Result<ToClient, CloseReason> {
    let permit = match slots.try_reserve() {
        Ok(permit) => permit,
        Err(_) => {
            flush(upstream, outgoing, shared).await?;
            slots
                .reserve()
                .await
                .map_err(|_| CloseReason::Client(std::io::ErrorKind::BrokenPipe.into()))?
        }
    };
    let (to, response) = oneshot::channel();
    permit.send(Slot { response, api_key, started: Instant::now() });
    Ok(to)
}

/// The header and length of the request `buf` starts with, and whether it expects a response, if
/// it is a large one still arriving that goes to the broker as it is — and so can be streamed
/// there. A Produce request waits until its `acks` has arrived, which says whether a response
/// will come.
fn streamable_request(
    buf: &[u8],
    shared: &Shared,
) -> Result<Option<(RequestHeaderPeek, usize, bool)>, CloseReason> {
    let Some(size) = shared.frames.frame_size(buf)? else { return Ok(None) };
    let frame_len = SIZE_PREFIX_LEN + size;
    let payload = &buf[SIZE_PREFIX_LEN..];
    if frame_len - buf.len() < STREAM_FROM {
        return Ok(None);
    }
    let Ok(header) = adminwire_protocol::peek_request_header(payload) else { return Ok(None) };
    if header.api_key == ApiKey::Produce as i16
        && peek::produce_acks(payload, header.api_version).is_none()
    {
        return Ok(None);
    }
    match handle(header, payload, shared)? {
        Handling::Forward { respond } => Ok(Some((header, frame_len, respond))),
        Handling::Answer(_) | Handling::Admin(_) => Ok(None),
    }
}

/// Passes the large request of `frame_len` bytes that `buf` starts with on to the broker while
/// the client is still sending it: what has arrived, then the rest socket to socket through the
/// pipe.
async fn stream_request(
    header: RequestHeaderPeek,
    frame_len: usize,
    client: &mut OwnedReadHalf,
    upstream: &mut OwnedWriteHalf,
    buf: &mut BytesMut,
    pipe: &mut splice::Pipe,
    shared: &Shared,
) -> Result<(), CloseReason> {
    shared.metrics.request(header.api_key, frame_len);
    shared.metrics.bytes_to_broker(frame_len);
    shared.metrics.request_streamed();
    debug!(
        api_key = header.api_key,
        version = header.api_version,
        correlation_id = header.correlation_id,
        "received; streaming it on"
    );
    upstream.write_all(buf).await.map_err(CloseReason::Upstream)?;
    let rest = frame_len - buf.len();
    buf.clear();
    // A client that stalls mid-request is timed out as an idle one would be.
    let forward =
        pipe.forward(client.as_ref(), upstream.as_ref(), rest, shared.config.write_timeout());
    match tokio::time::timeout(shared.config.idle_timeout(), forward).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(splice::SpliceError::From(e))) => Err(CloseReason::Client(e)),
        Ok(Err(splice::SpliceError::To(e))) => Err(CloseReason::Upstream(e)),
        Err(_) => Err(CloseReason::Client(std::io::ErrorKind::TimedOut.into())),
    }
}

async fn flush(
    upstream: &mut OwnedWriteHalf,
    outgoing: &mut BytesMut,
    shared: &Shared,
) -> Result<(), CloseReason> {
    if outgoing.is_empty() {
        return Ok(());
    }
    upstream.write_all(outgoing).await.map_err(CloseReason::Upstream)?;
    shared.metrics.bytes_to_broker(outgoing.len());
    outgoing.clear();
    Ok(())
}

/// Delivers the broker's responses. If the broker connection breaks, every response still owed —
/// queued or yet to be routed here — fails with the reason, and the connection winds down (see
/// the module's documentation) instead of being torn down at once.
async fn read_upstream(
    upstream: OwnedReadHalf,
    mut routes: mpsc::UnboundedReceiver<Route>,
    shared: &Arc<Shared>,
    upstream_lost: &CancellationToken,
    versions: &BrokerVersions,
    queued: &QueuedBytes,
) -> Result<(), CloseReason> {
    let mut pending = VecDeque::new();
    let delivered =
        deliver_responses(upstream, &mut routes, &mut pending, shared, versions, queued).await;
    let Err(reason) = delivered else {
        return Ok(());
    };
    if let CloseReason::Client(_) = reason {
        // The client went away while a response streamed to it: nothing is owed to anyone.
        return Err(reason);
    }
    info!(%reason, owed = pending.len(), "broker connection lost");
    shared.metrics.upstream_error("lost");
    upstream_lost.cancel();
    routes.close();
    while let Ok(route) = routes.try_recv() {
        pending.push_back(route);
    }
    let reason = reason.to_string();
    for route in pending {
        route.fail(CloseReason::UpstreamLost(reason.clone()));
    }
    Ok(())
}

async fn deliver_responses(
    mut upstream: OwnedReadHalf,
    routes: &mut mpsc::UnboundedReceiver<Route>,
    pending: &mut VecDeque<Route>,
    shared: &Arc<Shared>,
    versions: &BrokerVersions,
    queued: &QueuedBytes,
) -> Result<(), CloseReason> {
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let mut client_done = false;
    // Made on the first streamed response; a connection that never gets one never has it.
    let mut pipe: Option<splice::Pipe> = None;
    loop {
        while let Some(frame) =
            shared.frames.next_response(&mut buf).map_err(CloseReason::UpstreamFrame)?
        {
            while let Ok(route) = routes.try_recv() {
                pending.push_back(route);
            }
            let route: Route = pending.pop_front().ok_or(CloseReason::Unsolicited)?;
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
                Destination::Client(to) => {
                    let answer =
                        answer_for_client(route.api_key, route.version, frame, shared, versions);
                    let answer = match answer {
                        Ok(bytes) => {
                            // Past the budget, wait for the client to take what it is owed
                            // before holding more for it; the broker's responses wait in its
                            // socket meanwhile.
                            let share = bytes.len().clamp(1, queued.budget) as u32;
                            let held = Arc::clone(&queued.semaphore)
                                .acquire_many_owned(share)
                                .await
                                .map_err(|_| CloseReason::UpstreamClosed)?;
                            let counted = shared.metrics.response_queued(bytes.len());
                            Ok(Response::Whole(
                                bytes,
                                Some(Held { _budget: held, _counted: counted }),
                            ))
                        }
                        Err(e) => Err(e),
                    };
                    drop(to.send(answer));
                }
            }
        }
        // The start of a response that has not all arrived: stream it if it is large and can be,
        // else make room for the rest of it (the reader checked its size against the limit).
        if let Some(size) = shared.frames.frame_size(&buf).map_err(CloseReason::UpstreamFrame)? {
            let frame_len = SIZE_PREFIX_LEN + size;
            while let Ok(route) = routes.try_recv() {
                pending.push_back(route);
            }
            if frame_len - buf.len() >= STREAM_FROM
                && let Ok(correlation_id) = peek_correlation_id(&buf[SIZE_PREFIX_LEN..])
                && let Some(shape) = pending.front().and_then(Route::client_stream_shape)
                && let Some(pipe) = pipe_for(&mut pipe)
                // A client's route, as its shape says.
                && let Some(Route { correlation_id: expected, to: Destination::Client(to), .. }) =
                    pending.pop_front()
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
        if client_done && pending.is_empty() {
            return Ok(());
        }
        tokio::select! {
            route = routes.recv(), if !client_done => match route {
                Some(route) => pending.push_back(route),
                None => client_done = true,
            },
            read = upstream.read_buf(&mut buf) => match read {
                Ok(0) if pending.is_empty() && client_done => return Ok(()),
                Ok(0) => return Err(CloseReason::UpstreamClosed),
                Ok(_) => {}
                Err(e) => return Err(CloseReason::Upstream(e)),
            },
        }
    }
}

/// How a client's response of `api_key` at `version` can be streamed, if it can: most responses
/// that carry addresses must be whole to be rewritten. (The sidecar's own requests' responses go
/// back whole to the command that sent them.)
fn stream_shape(api_key: i16, version: i16) -> Option<Shape> {
    let api = ApiKey::try_from(api_key).ok()?;
    if api == ApiKey::ApiVersions {
        None
    } else if !rewrite::needs_rewrite(api, version) {
        Some(Shape::Untouched)
    } else if api == ApiKey::Fetch && fetch_walk::VERSIONS.contains(&version) {
        Some(Shape::Fetch(version))
    } else {
        None
    }
}

/// The connection's pipe, made on first use; `None` if the kernel will not give one (out of file
/// descriptors, say), and the response is then gathered as any other.
fn pipe_for(pipe: &mut Option<splice::Pipe>) -> Option<&mut splice::Pipe> {
    if pipe.is_none() {
        match splice::Pipe::new() {
            Ok(new) => *pipe = Some(new),
            Err(e) => {
                debug!(error = %e, "no pipe; gathering the response instead");
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
    let advertiser = Advertiser(Arc::clone(shared));
    let passed =
        stream::pass_through(upstream, &mut client, pipe, buf, frame_len, shape, &advertiser).await;
    match passed {
        Ok(()) => {
            let _ = give_back.send(Ok(client));
            Ok(())
        }
        Err(e) => {
            // Part of the response may be out: the client's connection cannot carry another.
            let _ = give_back.send(Err(CloseReason::UpstreamLost(e.to_string())));
            Err(match e {
                stream::StreamError::Upstream(e) => CloseReason::Upstream(e),
                stream::StreamError::Client(e) => CloseReason::Client(e),
                other => {
                    shared.metrics.upstream_error("rewrite");
                    CloseReason::Rewrite(other.to_string())
                }
            })
        }
    }
}

/// The bytes the client gets for a broker response: as they came, or with addresses rewritten.
fn answer_for_client(
    api_key: i16,
    version: i16,
    frame: Bytes,
    shared: &Arc<Shared>,
    versions: &BrokerVersions,
) -> Result<Bytes, CloseReason> {
    let Ok(api) = ApiKey::try_from(api_key) else { return Ok(frame) };
    if !rewrite::needs_rewrite(api, version) && api != ApiKey::ApiVersions {
        // The hot path: most responses carry no broker address and go back as they came.
        return Ok(frame);
    }
    if api == ApiKey::ApiVersions {
        let (rewritten, broker) = api_versions::rewrite_response(version, &frame)
            .map_err(|e| CloseReason::Rewrite(format!("ApiVersions response: {e}")))?;
        // What the client learned of its broker, the sidecar's admin commands can use too.
        if let Some(broker) = broker {
            let _ = versions.set(broker);
        }
        return Ok(rewritten.freeze());
    }
    match rewrite::rewrite_response(api, version, &frame, &Advertiser(Arc::clone(shared))) {
        Ok(None) => Ok(frame),
        Ok(Some(rewritten)) => Ok(rewritten.freeze()),
        Err(e) => {
            shared.metrics.upstream_error("rewrite");
            Err(CloseReason::Rewrite(e.to_string()))
        }
    }
}

async fn write_client(
    client: OwnedWriteHalf,
    mut slots: mpsc::Receiver<Slot>,
    shared: &Arc<Shared>,
) -> Result<(), CloseReason> {
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

/// The client's own connection to its broker, as an admin command uses it: requests the command
/// sends go after what the client sent before, run with the client's identity (after its SASL
/// passthrough) and its client id, and their responses come back to the command in order.
#[derive(Debug)]
pub struct Upstream<'a> {
    writer: &'a mut OwnedWriteHalf,
    routes: &'a mpsc::UnboundedSender<Route>,
    next_correlation_id: &'a mut i32,
    /// The broker's versions, once known: from the client's own ApiVersions exchange, or asked
    /// for by the first command that needs them.
    versions: &'a BrokerVersions,
    /// The client id the client's admin request carried, sent on each request made for it.
    pub client_id: Option<String>,
    /// The broker (or bootstrap servers) the client's listener fronts.
    pub target: Target,
    pub shared: &'a Arc<Shared>,
}

/// The versions of the broker at the other end of one connection, learned once.
pub type BrokerVersions = Arc<std::sync::OnceLock<Versions>>;

/// Why a request an admin command sent got no response.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("the broker did not answer {api:?} within the deadline")]
    Timeout { api: ApiKey },
    #[error("{0}")]
    NoCommonVersion(#[from] NoCommonVersion),
    #[error("cannot encode {api:?} v{version}: {reason}")]
    Encode { api: ApiKey, version: i16, reason: String },
    #[error("cannot decode the {api:?} v{version} response: {reason}")]
    Decode { api: ApiKey, version: i16, reason: String },
    #[error("the connection to the broker ended: {0}")]
    Closed(CloseReason),
}

impl Upstream<'_> {
    /// Sends `request` at the newest version both the broker and the sidecar know, and waits
    /// until `deadline` for its response.
    pub async fn call<R: Call>(
        &mut self,
        mut request: R,
        deadline: tokio::time::Instant,
    ) -> Result<R::Response, CallError> {
        let api = kafka_call::api_key::<R>();
        let version = self.versions(deadline).await?.pick::<R>()?;
        request.fit(version);
        let frame = kafka_call::encode(&request, version, 0, self.client_id.as_deref())
            .map_err(|e| CallError::Encode { api, version, reason: e.to_string() })?;
        let response = self.exchange(api, version, frame, deadline).await?;
        kafka_call::decode::<R>(&response, version).map_err(|e| CallError::Decode {
            api,
            version,
            reason: e.to_string(),
        })
    }

    async fn versions(&mut self, deadline: tokio::time::Instant) -> Result<&Versions, CallError> {
        if self.versions.get().is_none() {
            let api = ApiKey::ApiVersions;
            let version = kafka_call::API_VERSIONS_VERSION;
            let frame = kafka_call::encode_api_versions(self.client_id.as_deref())
                .map_err(|e| CallError::Encode { api, version, reason: e.to_string() })?;
            let response = self.exchange(api, version, frame, deadline).await?;
            let versions = kafka_call::decode_api_versions(&response)
                .map_err(|e| CallError::Decode { api, version, reason: e.to_string() })?;
            let _ = self.versions.set(versions);
        }
        // Set above if it was not already.
        self.versions.get().ok_or(CallError::Closed(CloseReason::UpstreamClosed))
    }

    /// Sends a request frame (its correlation id patched to the connection's next own one) and
    /// returns the response frame.
    async fn exchange(
        &mut self,
        api: ApiKey,
        version: i16,
        mut frame: BytesMut,
        deadline: tokio::time::Instant,
    ) -> Result<Bytes, CallError> {
        let correlation_id = *self.next_correlation_id;
        *self.next_correlation_id = correlation_id.wrapping_add(1);
        // Size prefix, api key, api version, then the correlation id.
        if let Some(id) = frame.get_mut(8..12) {
            id.copy_from_slice(&correlation_id.to_be_bytes());
        }
        let (to, response) = oneshot::channel();
        let _ = self.routes.send(Route {
            correlation_id,
            api_key: api as i16,
            version,
            to: Destination::Sidecar(to),
        });
        self.writer
            .write_all(&frame)
            .await
            .map_err(|e| CallError::Closed(CloseReason::Upstream(e)))?;
        self.shared.metrics.bytes_to_broker(frame.len());
        // A response that comes after the deadline still arrives in order and is dropped then.
        // A deadline already past is checked here because the timer would only notice it on its
        // next tick, which a quick broker can beat.
        if tokio::time::Instant::now() >= deadline {
            return Err(CallError::Timeout { api });
        }
        match tokio::time::timeout_at(deadline, response).await {
            Err(_) => Err(CallError::Timeout { api }),
            Ok(Err(_)) => Err(CallError::Closed(CloseReason::UpstreamClosed)),
            Ok(Ok(Err(reason))) => Err(CallError::Closed(reason)),
            Ok(Ok(Ok(frame))) => Ok(frame),
        }
    }
}
