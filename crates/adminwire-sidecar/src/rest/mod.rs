//! The REST API (docs/rest.md), served beside `/metrics` and `/health` on `admin.listen`, in Kafka
//! Connect's conventions. It calls the same engine as the wire handlers: each resource builds the
//! extension's own request (version 1) and runs it with [`crate::admin::execute`], on a connection
//! of its own to the cluster logged in as the caller ([`caller`]), so that the broker's ACLs decide
//! exactly as they would for the same user on the wire. Like the wire commands, the work runs on
//! the command runtime, never on the workers that pass clients' bytes.

mod body;
mod caller;
mod cluster;
mod elections;
pub mod error;
mod jobs;
mod links;
mod openapi;
mod reassignments;
mod topic_edits;
mod topics;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use adminwire_kafka::sasl::{Credentials, Mechanism};
use adminwire_protocol::{AdminRequest, AdminResponse, ErrorCode};
use axum::Router;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use self::caller::Session;
use self::error::ApiError;
use crate::config::Config;
use crate::registry::Target;
use crate::shared::Shared;
use crate::upstream::Upstream;

/// The version of the extension's requests the API builds.
const VERSION: i16 = 1;

/// The client id the API's requests carry, as brokers log them.
const CLIENT_ID: &str = "adminwire-rest";

/// How long a request waits for a turn when `rest.max_concurrent_requests` run already: a burst
/// of a script's requests is served in turn, a flood is told to come back.
const TURN_WAIT: Duration = Duration::from_secs(1);

/// The most of an error body from outside the API's handlers (a path or query string axum could
/// not read) that is kept, as the message of a JSON error.
const FOREIGN_ERROR_BYTES: usize = 4096;

/// What every resource handler shares.
#[derive(Clone)]
pub struct Rest {
    shared: Arc<Shared>,
    /// The sidecar's configuration as the API runs commands with it: KIP-4's controller-only
    /// rule is for listeners, and the API has none.
    config: Arc<Config>,
    mechanism: Mechanism,
    /// Who a request without credentials runs as, if the operator said.
    anonymous: Option<Credentials>,
    /// One for each request that may run against the cluster at once.
    turns: Arc<Semaphore>,
}

/// The API's routes, to be merged with the operations endpoint's.
pub fn router(shared: Arc<Shared>) -> anyhow::Result<Router> {
    let mut config = (*shared.config).clone();
    config.listen.require_controller = false;
    let mechanism = config.rest.mechanism()?;
    let anonymous = config.rest.anonymous(mechanism)?;
    let turns = Arc::new(Semaphore::new(config.rest.max_concurrent_requests));
    let rest = Rest { shared, config: Arc::new(config), mechanism, anonymous, turns };
    Ok(Router::new()
        .merge(cluster::routes())
        .merge(topics::routes())
        .merge(reassignments::routes())
        .merge(jobs::routes())
        .merge(links::routes())
        .merge(elections::routes())
        .route("/openapi.json", axum::routing::get(openapi::serve))
        .fallback(no_such_resource)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(json_errors))
        .with_state(rest))
}

/// Every error as JSON, also those axum answers itself before a handler runs (a path segment or
/// query parameter it cannot read): their text becomes the message.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), FOREIGN_ERROR_BYTES).await;
    let text = body.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let message = if text.is_empty() { status.to_string() } else { text };
    ApiError::new(status, message).into_response()
}

/// Every path the API does not have: a JSON 404 like every other error.
async fn no_such_resource(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no resource {}: docs/rest.md lists them", uri.path()))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not take {method}", uri.path()),
    )
}

impl Rest {
    /// Runs `work` for the caller of `headers` on the command runtime: `work` gets the caller's
    /// connection to the cluster, opened within the request timeout.
    async fn run<T, F, Fut>(&self, headers: &HeaderMap, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(Caller) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, ApiError>> + Send + 'static,
    {
        let credentials = match caller::credentials(headers, self.mechanism)? {
            Some(own) => Some(own),
            None => self.anonymous.clone(),
        };
        let turn = self.turn().await?;
        let running = self.shared.metrics.rest_request();
        let rest = self.clone();
        let task = async move {
            // Held until the work ends, even if the HTTP client went away meanwhile.
            let _turn = (turn, running);
            let deadline = Instant::now() + rest.config.request_timeout();
            let session = Session::open(&rest.config, credentials.as_ref(), deadline).await?;
            work(Caller { rest, session, credentials, deadline }).await
        };
        let Some(handle) = self.shared.commands.spawn(task) else {
            return Err(ApiError::unavailable("the sidecar is stopping"));
        };
        handle.await.map_err(|e| ApiError::unavailable(format!("the request stopped: {e}")))?
    }

    /// A turn to run against the cluster, waiting up to [`TURN_WAIT`]; 503 with `Retry-After`
    /// when the sidecar is busy with `rest.max_concurrent_requests` requests for longer.
    async fn turn(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        let waiting = Arc::clone(&self.turns).acquire_owned();
        match tokio::time::timeout(TURN_WAIT, waiting).await {
            Ok(Ok(turn)) => Ok(turn),
            _ => {
                self.shared.metrics.rest_request_refused();
                Err(ApiError::unavailable(format!(
                    "the sidecar is running as many requests as it may at once \
                 (rest.max_concurrent_requests = {}); try again",
                    self.config.rest.max_concurrent_requests
                )))
            }
        }
    }
}

/// A caller's connection to the cluster, on which it runs extension requests.
pub struct Caller {
    rest: Rest,
    session: Session,
    /// The caller's own, if it sent any: for more connections as the same user.
    credentials: Option<Credentials>,
    /// When the request's time (`upstream.request_timeout_ms`) is up.
    deadline: Instant,
}

impl Caller {
    /// Runs `request` as the wire handlers run it for a client on its own connection.
    async fn execute(&mut self, request: impl Into<AdminRequest>) -> AdminResponse {
        let versions = Arc::clone(&self.session.versions);
        let mut upstream =
            upstream(&mut self.session, &versions, &self.rest, self.credentials.is_some());
        crate::admin::execute(request.into(), VERSION, &mut upstream).await
    }
}

/// The engine's way to the cluster over `session`, for the caller it is logged in as.
fn upstream<'a>(
    session: &'a mut Session,
    versions: &'a crate::upstream::BrokerVersions,
    rest: &'a Rest,
    logged_in: bool,
) -> Upstream<'a, Session> {
    let principal = session.principal.clone();
    let mut upstream =
        Upstream::new(session, versions, Target::Bootstrap, &rest.config, &rest.shared.registry);
    upstream.jobs = Some(&rest.shared.jobs);
    upstream.client_logged_in = logged_in;
    upstream.client_principal = Some(principal);
    upstream.client_id = Some(CLIENT_ID.to_owned());
    upstream
}

impl Caller {
    /// The `TimeoutMs` the extension's changing requests carry: the sidecar's request timeout,
    /// less a tenth, so that the cluster's own timeout answers first.
    fn server_timeout(&self) -> i32 {
        let timeout = self.rest.config.request_timeout();
        i32::try_from((timeout - timeout / 10).as_millis()).unwrap_or(i32::MAX).max(1)
    }
}

/// Whether a list resource's `?expand=` asks for `known` (the only expansion it has); anything
/// else is a 400 naming both.
fn expand(asked: Option<&str>, known: &str, resource: &str) -> Result<bool, ApiError> {
    match asked {
        None => Ok(false),
        Some(asked) if asked == known => Ok(true),
        Some(other) => Err(error::ApiError::bad_request(format!(
            "expand={other:?} is not known; the {resource} expand to {known:?}"
        ))),
    }
}

/// `Ok` for a response without a top-level error, else its error as an answer.
fn check(code: i16, message: Option<&str>) -> Result<(), ApiError> {
    match code {
        0 => Ok(()),
        code => Err(ApiError::kafka(ErrorCode(code), message.map(str::to_owned))),
    }
}
