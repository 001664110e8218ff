//! Cluster links, with Kafka Connect's connector verbs: `GET /links` (`?expand=status`),
//! `PUT /links/{id}` (create, 201 + `Location`; or change an existing link's topics and groups,
//! 200), `GET /links/{id}` and `/links/{id}/status` (each mirror partition's copy), `PUT
//! /links/{id}/pause` and `/resume` (202), `POST /links/{id}/mirrors/{topic}/promote`
//! (`?failover=true`; 202), `PUT /links/{id}/groups/{group}/hand-over` and `/hand-back` (202)
//! and `DELETE /links/{id}` (`?deleteMirrors=true`). Each builds the
//! extension's own request (keys 30013-30017), so the API and the wire answer alike.

use adminwire_protocol::generated::describe_links_response::Link as WireLink;
use adminwire_protocol::{
    AdminResponse, AlterLinkRequest, CreateLinkRequest, DeleteLinkRequest, DescribeLinksRequest,
    PromoteMirrorRequest,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Body;
use super::error::ApiError;
use super::topics::unexpected;
use super::{Caller, Rest, check};

pub fn routes() -> Router<Rest> {
    Router::new()
        .route("/links", get(list))
        .route("/links/{id}", get(describe).put(put_link).delete(delete))
        .route("/links/{id}/status", get(status))
        .route("/links/{id}/pause", put(pause))
        .route("/links/{id}/resume", put(resume))
        .route("/links/{id}/mirrors/{topic}/promote", post(promote))
        .route("/links/{id}/mirrors/{topic}/unpromote", post(unpromote))
        .route("/links/{id}/groups/{group}/hand-over", put(hand_over))
        .route("/links/{id}/groups/{group}/hand-back", put(hand_back))
}

/// How a link logs in to its source cluster.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceLoginBody {
    /// PLAIN (the default), SCRAM-SHA-256 or SCRAM-SHA-512.
    pub mechanism: Option<String>,
    pub username: String,
    pub password: String,
}

/// What `PUT /links/{id}` takes. For an existing link, only `topics` and `groups` may change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The source cluster's bootstrap servers, `host:port`.
    pub source_bootstrap: Vec<String>,
    /// Its login; leave it out for a source that takes clients without one.
    pub source_login: Option<SourceLoginBody>,
    /// `earliest` (the default), `latest`, or a time in milliseconds since the Unix epoch.
    pub start_position: Option<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// How often groups' offsets are carried over, in milliseconds.
    pub group_sync_ms: Option<u64>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `status`: each link by id, with its mirrors and groups.
    pub expand: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PromoteQuery {
    /// `true`: at once, whatever is not copied yet (the source unreachable, or still written to).
    pub failover: Option<bool>,
    /// `true`: even though producers or consumer groups of the mirror are still on the source
    /// (otherwise 409 `not_switched`, naming them).
    pub force: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// `true`: delete the link's mirror topics that were not promoted, too (cannot be undone).
    #[serde(rename = "deleteMirrors")]
    #[param(rename = "deleteMirrors")]
    pub delete_mirrors: Option<bool>,
}

/// A cluster link: its source, state, mirrors and groups. Times are milliseconds since the Unix
/// epoch; a field not known yet is null.
#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    pub link_id: String,
    /// ACTIVE, PAUSED, SOURCE_UNAVAILABLE or FAILED; null before a sidecar took it up.
    pub state: Option<String>,
    pub error: Option<String>,
    pub source_bootstrap: Vec<String>,
    pub source_cluster_id: Option<String>,
    /// The user it logs in to the source as (never its password).
    pub source_username: Option<String>,
    /// earliest, latest, or a time in milliseconds since the Unix epoch.
    pub start_position: String,
    pub paused: bool,
    pub created_ms: Option<i64>,
    pub requested_by: Option<String>,
    pub mirrors: Vec<Mirror>,
    pub groups: Vec<Group>,
}

/// A mirror topic.
#[derive(Debug, Serialize, ToSchema)]
pub struct Mirror {
    pub topic: String,
    /// ACTIVE, PAUSED, PROMOTING, PROMOTED, FAILED or SOURCE_UNAVAILABLE.
    pub state: String,
    pub error: Option<String>,
    pub partition_count: i32,
    /// Committed source records not copied yet.
    pub lag: i64,
    /// Their bytes, estimated from the average size of the records copied so far (null before
    /// the first).
    pub lag_bytes: Option<i64>,
    pub promoted_ms: Option<i64>,
    /// For a promoted mirror: records a failover left behind (0 for a promotion).
    pub not_copied: Option<i64>,
    /// Each partition's copy, with `/status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<Vec<MirrorPartition>>,
    /// Producers writing to its source directly over the window (by producer id).
    pub source_writers: Vec<SourceWriter>,
    /// Records written to its source without a producer id over the window, beyond those routed.
    pub unrouted_records: i64,
    /// Whether a whole window has been watched.
    pub writers_watched: bool,
    /// The clients whose writes to it a sidecar routed, the most recent first.
    pub switched: Vec<SwitchedClient>,
}

/// A producer writing to a mirror's source directly.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceWriter {
    pub producer_id: i64,
    pub records: i64,
    pub last_ms: i64,
}

/// A client whose writes to a mirror a sidecar routed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SwitchedClient {
    pub client_id: String,
    pub host: String,
    pub principal: Option<String>,
    pub software: Option<String>,
    pub last_ms: i64,
}

/// One mirror partition's copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct MirrorPartition {
    pub partition: i32,
    /// IDENTICAL, SHIFTED (by `shift`) or MAPPED (exactly, in `runs` runs); EMPTY before a copy.
    pub offsets: String,
    pub shift: i64,
    pub runs: i32,
    pub source_next: i64,
    pub source_end: i64,
    pub target_next: i64,
    pub lag: i64,
    /// The bytes of the records not copied yet, estimated from the average size of those copied
    /// (null before the first).
    pub lag_bytes: Option<i64>,
    pub records: i64,
    pub bytes: i64,
    /// Records the source deleted before they were copied.
    pub lost: i64,
}

/// A consumer group carried over.
#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    pub group: String,
    pub synced_ms: Option<i64>,
    /// Why its offsets are not carried over now, or null.
    pub waiting: Option<String>,
    /// Its offsets here, by `topic/partition`.
    pub offsets: std::collections::BTreeMap<String, i64>,
    /// `ON_SOURCE` (its consumers read the source; members joining here through a sidecar are
    /// held), `MOVED` (handed over: its members here go on from the carried offsets) or
    /// `RETURNING` (going back to the source).
    pub phase: String,
    /// When it was handed over here.
    pub moved_ms: Option<i64>,
    /// Its members on the source, as last seen: those not switched yet.
    pub source_members: Vec<SourceMember>,
    /// The last of its members a sidecar held (recently): a member waiting here.
    pub held: Option<HeldMember>,
}

/// A member of a linked group on the source.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceMember {
    pub client_id: String,
    /// The address the source's coordinator sees it connect from.
    pub host: String,
}

/// A member of a linked group a sidecar held.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldMember {
    pub client_id: String,
    /// The address it connected to the sidecar from.
    pub address: String,
    pub principal: Option<String>,
    /// The client software it named in ApiVersions, `name/version`.
    pub software: Option<String>,
    pub held_ms: i64,
}

fn known(value: i64) -> Option<i64> {
    (value >= 0).then_some(value)
}

impl Link {
    fn from_wire(l: WireLink, with_partitions: bool) -> Self {
        Link {
            link_id: l.link_id,
            state: (!l.state.is_empty()).then_some(l.state),
            error: l.error,
            source_bootstrap: l.source_bootstrap,
            source_cluster_id: l.source_cluster_id,
            source_username: l.source_username,
            start_position: l.start_position,
            paused: l.paused,
            created_ms: known(l.created_ms),
            requested_by: l.requested_by,
            mirrors: l
                .mirrors
                .into_iter()
                .map(|m| Mirror {
                    topic: m.topic,
                    state: m.state,
                    error: m.error,
                    partition_count: m.partition_count,
                    lag: m.lag,
                    lag_bytes: known(m.lag_bytes),
                    promoted_ms: known(m.promoted_ms),
                    not_copied: known(m.not_copied),
                    partitions: with_partitions.then(|| {
                        m.partitions
                            .into_iter()
                            .map(|p| MirrorPartition {
                                partition: p.partition,
                                offsets: p.offsets,
                                shift: p.shift,
                                runs: p.runs,
                                source_next: p.source_next,
                                source_end: p.source_end,
                                target_next: p.target_next,
                                lag: p.lag,
                                lag_bytes: known(p.lag_bytes),
                                records: p.records,
                                bytes: p.bytes,
                                lost: p.lost,
                            })
                            .collect()
                    }),
                    source_writers: m
                        .source_writers
                        .into_iter()
                        .map(|w| SourceWriter {
                            producer_id: w.producer_id,
                            records: w.records,
                            last_ms: w.last_ms,
                        })
                        .collect(),
                    unrouted_records: m.unrouted_records,
                    writers_watched: m.writers_watched,
                    switched: m
                        .switched
                        .into_iter()
                        .map(|c| SwitchedClient {
                            client_id: c.client_id,
                            host: c.host,
                            principal: c.principal,
                            software: c.software,
                            last_ms: c.last_ms,
                        })
                        .collect(),
                })
                .collect(),
            groups: l
                .groups
                .into_iter()
                .map(|g| Group {
                    group: g.group,
                    synced_ms: known(g.synced_ms),
                    waiting: g.waiting,
                    offsets: g
                        .offsets
                        .into_iter()
                        .map(|o| (format!("{}/{}", o.topic, o.partition), o.offset))
                        .collect(),
                    phase: g.phase,
                    moved_ms: known(g.moved_ms),
                    source_members: g
                        .source_members
                        .into_iter()
                        .map(|m| SourceMember { client_id: m.client_id, host: m.host })
                        .collect(),
                    held: g.held.into_iter().next().map(|h| HeldMember {
                        client_id: h.client_id,
                        address: h.address,
                        principal: h.principal,
                        software: h.software,
                        held_ms: h.held_ms,
                    }),
                })
                .collect(),
        }
    }
}

/// What a change to a link answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub link_id: String,
    pub action: &'static str,
}

/// What `DELETE /links/{id}` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    pub link_id: String,
    /// The mirror topics deleted on this cluster.
    pub deleted_topics: Vec<String>,
}

/// `GET /links`: the links' ids; with `?expand=status`, each link by id.
#[utoipa::path(get, path = "/links", params(ListQuery), responses((status = 200, description = "Link ids, or links by id with ?expand=status"), super::error::Errors))]
pub async fn list(
    State(rest): State<Rest>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let expand = super::expand(query.expand.as_deref(), "status", "links")?;
    rest.run(&headers, move |mut caller| async move {
        let links = links(&mut caller, None, false).await?;
        if !expand {
            let ids: Vec<String> = links.into_iter().map(|l| l.link_id).collect();
            return Ok(Json(serde_json::json!(ids)));
        }
        let by_id: serde_json::Map<String, serde_json::Value> = links
            .into_iter()
            .map(|l| {
                let id = l.link_id.clone();
                (id, serde_json::to_value(Link::from_wire(l, false)).unwrap_or_default())
            })
            .collect();
        Ok(Json(serde_json::Value::Object(by_id)))
    })
    .await
}

/// `GET /links/{id}`: the link, its mirrors and groups, without partitions.
#[utoipa::path(get, path = "/links/{id}", params(("id" = String, Path, description = "The link")),
    responses((status = 200, body = Link), super::error::Errors))]
pub async fn describe(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Link>, ApiError> {
    one(rest, headers, id, false).await
}

/// `GET /links/{id}/status`: the link with each mirror partition's copy.
#[utoipa::path(get, path = "/links/{id}/status", params(("id" = String, Path, description = "The link")),
    responses((status = 200, body = Link), super::error::Errors))]
pub async fn status(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Link>, ApiError> {
    one(rest, headers, id, true).await
}

/// `PUT /links/{id}`: makes the link (201 + `Location`), or changes an existing link's topics and
/// groups to the body's (200); its source cannot change (400).
#[utoipa::path(put, path = "/links/{id}", params(("id" = String, Path, description = "The link")),
    request_body = LinkBody,
    responses((status = 201, body = Link, description = "Made"), (status = 200, body = Link, description = "Changed"), super::error::Errors))]
pub async fn put_link(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<LinkBody>,
) -> Result<Response, ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let existing = links(&mut caller, Some(id.clone()), false).await?.pop();
        let existing = existing.filter(|l| l.error_code == 0);
        let Some(existing) = existing else {
            return create(&mut caller, id, body).await;
        };
        if existing.source_bootstrap != body.source_bootstrap {
            return Err(ApiError::bad_request(
                "source_bootstrap: a link's source cannot change; delete the link and make it anew",
            ));
        }
        let topics: Vec<String> = existing.mirrors.iter().map(|m| m.topic.clone()).collect();
        let groups: Vec<String> = existing.groups.iter().map(|g| g.group.clone()).collect();
        let request = AlterLinkRequest {
            link_id: id.clone(),
            action: 2,
            add_topics: body.topics.iter().filter(|t| !topics.contains(t)).cloned().collect(),
            remove_topics: topics.iter().filter(|t| !body.topics.contains(t)).cloned().collect(),
            add_groups: body.groups.iter().filter(|g| !groups.contains(g)).cloned().collect(),
            remove_groups: groups.iter().filter(|g| !body.groups.contains(g)).cloned().collect(),
            ..Default::default()
        };
        match caller.execute(request).await {
            AdminResponse::AlterLink(r) => check(r.error_code, r.error_message.as_deref())?,
            other => return Err(unexpected(&other)),
        }
        let changed = links(&mut caller, Some(id), false).await?.pop();
        Ok(Json(changed.map(|l| Link::from_wire(l, false))).into_response())
    })
    .await
}

async fn create(caller: &mut Caller, id: String, body: LinkBody) -> Result<Response, ApiError> {
    let (mechanism, username, password) = match body.source_login {
        Some(login) => (
            Some(login.mechanism.unwrap_or_else(|| "PLAIN".into())),
            Some(login.username),
            Some(login.password),
        ),
        None => (None, None, None),
    };
    let request = CreateLinkRequest {
        link_id: id.clone(),
        source_bootstrap: body.source_bootstrap,
        source_mechanism: mechanism,
        source_username: username,
        source_password: password,
        start_position: body.start_position.unwrap_or_else(|| "earliest".into()),
        topics: body.topics,
        groups: body.groups,
        group_sync_ms: body.group_sync_ms.and_then(|ms| i64::try_from(ms).ok()).unwrap_or(-1),
        ..Default::default()
    };
    match caller.execute(request).await {
        AdminResponse::CreateLink(r) => check(r.error_code, r.error_message.as_deref())?,
        other => return Err(unexpected(&other)),
    }
    let made = links(caller, Some(id.clone()), false).await?.pop();
    let made = made.map(|l| Link::from_wire(l, false));
    let mut response = (StatusCode::CREATED, Json(made)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/links/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PUT /links/{id}/pause`: copying and carrying over stop where they are. 202.
#[utoipa::path(put, path = "/links/{id}/pause", params(("id" = String, Path, description = "The link")),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn pause(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    alter(rest, headers, id, 0, "pause").await
}

/// `PUT /links/{id}/resume`. 202.
#[utoipa::path(put, path = "/links/{id}/resume", params(("id" = String, Path, description = "The link")),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn resume(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    alter(rest, headers, id, 1, "resume").await
}

/// `PUT /links/{id}/groups/{group}/hand-over`: the group is handed over to this cluster now,
/// without waiting for its source group to be empty (for a source that is gone). 202; 404 for a
/// group the link does not carry over.
#[utoipa::path(put, path = "/links/{id}/groups/{group}/hand-over",
    params(("id" = String, Path, description = "The link"), ("group" = String, Path, description = "The linked group")),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn hand_over(
    State(rest): State<Rest>,
    Path((id, group)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    alter_groups(rest, headers, id, 3, "hand-over", vec![group]).await
}

/// `PUT /links/{id}/groups/{group}/hand-back`: the group goes back to the source; its offsets
/// here are carried back once no member is left here. 202.
#[utoipa::path(put, path = "/links/{id}/groups/{group}/hand-back",
    params(("id" = String, Path, description = "The link"), ("group" = String, Path, description = "The linked group")),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn hand_back(
    State(rest): State<Rest>,
    Path((id, group)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    alter_groups(rest, headers, id, 4, "hand-back", vec![group]).await
}

async fn alter(
    rest: Rest,
    headers: HeaderMap,
    id: String,
    action: i8,
    name: &'static str,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    alter_groups(rest, headers, id, action, name, Vec::new()).await
}

async fn alter_groups(
    rest: Rest,
    headers: HeaderMap,
    id: String,
    action: i8,
    name: &'static str,
    groups: Vec<String>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let request =
            AlterLinkRequest { link_id: id.clone(), action, groups, ..Default::default() };
        match caller.execute(request).await {
            AdminResponse::AlterLink(r) => check(r.error_code, r.error_message.as_deref())?,
            other => return Err(unexpected(&other)),
        }
        Ok((StatusCode::ACCEPTED, Json(Accepted { link_id: id, action: name })))
    })
    .await
}

/// `POST /links/{id}/mirrors/{topic}/promote`: the mirror becomes an ordinary, writable topic once
/// everything is copied and the source has stopped growing (or at once with `?failover=true`).
/// 202; 409 `mirror_promoted` for one promoted already.
#[utoipa::path(post, path = "/links/{id}/mirrors/{topic}/promote",
    params(("id" = String, Path, description = "The link"), ("topic" = String, Path, description = "The mirror topic"), PromoteQuery),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn promote(
    State(rest): State<Rest>,
    Path((id, topic)): Path<(String, String)>,
    Query(query): Query<PromoteQuery>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let failover = query.failover.unwrap_or(false);
    let force = query.force.unwrap_or(false);
    rest.run(&headers, move |mut caller| async move {
        let request = PromoteMirrorRequest {
            link_id: id.clone(),
            topic,
            failover,
            force,
            ..Default::default()
        };
        match caller.execute(request).await {
            AdminResponse::PromoteMirror(r) => check(r.error_code, r.error_message.as_deref())?,
            other => return Err(unexpected(&other)),
        }
        let action = if failover { "failover" } else { "promote" };
        Ok((StatusCode::ACCEPTED, Json(Accepted { link_id: id, action })))
    })
    .await
}

/// `POST /links/{id}/mirrors/{topic}/unpromote`: a promoted mirror is copied again (and
/// read-only, or routed, to clients), as long as nothing has been written to it since. 202; 409
/// `mirror_promoted` for one written to; 400 for one not promoted.
#[utoipa::path(post, path = "/links/{id}/mirrors/{topic}/unpromote",
    params(("id" = String, Path, description = "The link"), ("topic" = String, Path, description = "The mirror topic")),
    responses((status = 202, body = Accepted), super::error::Errors))]
pub async fn unpromote(
    State(rest): State<Rest>,
    Path((id, topic)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let request =
            PromoteMirrorRequest { link_id: id.clone(), topic, undo: true, ..Default::default() };
        match caller.execute(request).await {
            AdminResponse::PromoteMirror(r) => check(r.error_code, r.error_message.as_deref())?,
            other => return Err(unexpected(&other)),
        }
        Ok((StatusCode::ACCEPTED, Json(Accepted { link_id: id, action: "unpromote" })))
    })
    .await
}

/// `DELETE /links/{id}`: the link stops and its records go; with `?deleteMirrors=true` its mirror
/// topics that were not promoted are deleted too. 200 with the topics deleted.
#[utoipa::path(delete, path = "/links/{id}", params(("id" = String, Path, description = "The link"), DeleteQuery),
    responses((status = 200, body = Deleted), super::error::Errors))]
pub async fn delete(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    Query(query): Query<DeleteQuery>,
    headers: HeaderMap,
) -> Result<Json<Deleted>, ApiError> {
    let delete_mirrors = query.delete_mirrors.unwrap_or(false);
    rest.run(&headers, move |mut caller| async move {
        let request =
            DeleteLinkRequest { link_id: id.clone(), delete_mirrors, ..Default::default() };
        let answer = match caller.execute(request).await {
            AdminResponse::DeleteLink(r) => r,
            other => return Err(unexpected(&other)),
        };
        check(answer.error_code, answer.error_message.as_deref())?;
        Ok(Json(Deleted { link_id: id, deleted_topics: answer.deleted_topics }))
    })
    .await
}

async fn one(
    rest: Rest,
    headers: HeaderMap,
    id: String,
    partitions: bool,
) -> Result<Json<Link>, ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let link = links(&mut caller, Some(id.clone()), partitions).await?.pop();
        let link = link.ok_or_else(|| ApiError::not_found(format!("no link {id:?}")))?;
        check(link.error_code, link.error_message.as_deref())?;
        Ok(Json(Link::from_wire(link, partitions)))
    })
    .await
}

/// The links (all, or the one `id`), with their partitions if asked.
async fn links(
    caller: &mut Caller,
    id: Option<String>,
    partitions: bool,
) -> Result<Vec<WireLink>, ApiError> {
    let request = DescribeLinksRequest {
        link_ids: id.map(|id| vec![id]),
        include_partitions: partitions,
        ..Default::default()
    };
    match caller.execute(request).await {
        AdminResponse::DescribeLinks(r) => {
            check(r.error_code, r.error_message.as_deref())?;
            Ok(r.links)
        }
        other => Err(unexpected(&other)),
    }
}
