//! CreateLink, DescribeLinks, AlterLink, PromoteMirror and DeleteLink → the cluster links service.
//! Changes are authorized as ALTER on the cluster and a listing as DESCRIBE, each asked of the
//! broker on the client's own connection; the link's work then runs as the sidecar's configured
//! principal, as reassignment jobs do.

use std::sync::Arc;

use adminwire_jobs::link::copy::Progress;
use adminwire_jobs::link::mirror::MirrorError;
use adminwire_jobs::link::offsets::Relation;
use adminwire_jobs::link::service::{LinkChange, LinkError, Links, NewLink};
use adminwire_jobs::link::state::{GroupMove, GroupPhase, Link, SourceLogin, Start};
use adminwire_protocol::generated::describe_links_response::{
    GroupOffset, HeldMember, Link as WireLink, LinkGroup, Mirror, MirrorPartition, SourceMember,
    SourceWriter, SwitchedClient,
};
use adminwire_protocol::{
    AlterLinkRequest, AlterLinkResponse, CreateLinkRequest, CreateLinkResponse, DeleteLinkRequest,
    DeleteLinkResponse, DescribeLinksRequest, DescribeLinksResponse, ErrorCode,
    PromoteMirrorRequest, PromoteMirrorResponse,
};
use tokio::time::Instant;

use super::{Failure, authorize};
use crate::jobs::Unavailable;
use crate::upstream::{Transport, Upstream};

/// AlterLink's actions.
const PAUSE: i8 = 0;
const RESUME: i8 = 1;
const CHANGE: i8 = 2;
const HAND_OVER: i8 = 3;
const HAND_BACK: i8 = 4;

impl From<LinkError> for Failure {
    fn from(e: LinkError) -> Self {
        let code = match &e {
            LinkError::InvalidId(_)
            | LinkError::SameCluster(_)
            | LinkError::Invalid(_)
            | LinkError::NotPromoted { .. } => ErrorCode::INVALID_REQUEST,
            LinkError::Exists(_) => ErrorCode::LINK_ALREADY_EXISTS,
            LinkError::Unknown(_) => ErrorCode::RESOURCE_NOT_FOUND,
            LinkError::SourceUnreachable { .. } => ErrorCode::LINK_SOURCE_UNAVAILABLE,
            LinkError::Mirror(MirrorError::NoSuchSourceTopic(_))
            | LinkError::NotMirrored { .. } => ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            LinkError::NotLinkedGroup { .. } => ErrorCode::GROUP_ID_NOT_FOUND,
            LinkError::Mirror(MirrorError::TargetExists(_)) | LinkError::AlreadyMirrored { .. } => {
                ErrorCode::TOPIC_ALREADY_EXISTS
            }
            LinkError::Mirror(MirrorError::Refused { code, .. }) => ErrorCode(*code),
            LinkError::Mirror(MirrorError::Kafka(_)) | LinkError::Kafka(_) => {
                ErrorCode::BROKER_NOT_AVAILABLE
            }
            LinkError::Promoted { .. } | LinkError::WrittenSincePromotion { .. } => {
                ErrorCode::MIRROR_PROMOTED
            }
            LinkError::NotSwitched { .. } => ErrorCode::MIRROR_NOT_SWITCHED,
            LinkError::Store(_) => ErrorCode::UNKNOWN_SERVER_ERROR,
        };
        Failure(code, e.to_string())
    }
}

/// The links service for the client of `upstream`, or why this sidecar has none for it.
fn links<'a>(upstream: &Upstream<'a, impl Transport>) -> Result<&'a Arc<Links>, Failure> {
    let jobs = upstream.jobs.ok_or_else(|| {
        Failure(ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED, "this sidecar runs no links".into())
    })?;
    jobs.links_for_client(upstream.client_logged_in).map_err(|e| match e {
        Unavailable::NoPrincipal => {
            Failure(ErrorCode::REASSIGNMENT_JOBS_NOT_CONFIGURED, e.to_string())
        }
        Unavailable::Loading(_) => Failure(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS, e.to_string()),
    })
}

pub async fn create(
    request: CreateLinkRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<CreateLinkResponse, Failure> {
    let service = links(upstream)?;
    let start = Start::parse(&request.start_position).ok_or_else(|| {
        Failure(
            ErrorCode::INVALID_REQUEST,
            format!(
                "StartPosition {:?} is not earliest, latest or a time in milliseconds since the \
                 Unix epoch",
                request.start_position
            ),
        )
    })?;
    let source_login =
        match (request.source_mechanism, request.source_username, request.source_password) {
            (None, None, None) => None,
            (mechanism, Some(username), Some(password)) => Some(SourceLogin {
                mechanism: mechanism.unwrap_or_else(|| "PLAIN".into()).to_ascii_uppercase(),
                username,
                password,
            }),
            _ => {
                return Err(Failure(
                    ErrorCode::INVALID_REQUEST,
                    "a source login needs SourceUsername and SourcePassword".into(),
                ));
            }
        };
    authorize::may_alter_cluster(upstream, deadline).await?;
    let new = NewLink {
        id: request.link_id,
        source_bootstrap: request.source_bootstrap,
        source_login,
        start,
        topics: request.topics,
        groups: request.groups,
        group_sync_ms: u64::try_from(request.group_sync_ms).ok(),
        requested_by: upstream.client_principal.clone(),
    };
    let config = within_link(deadline, service.create(new)).await?;
    seen_as_mirrors(upstream, service);
    Ok(CreateLinkResponse { source_cluster_id: config.source_cluster_id, ..Default::default() })
}

pub async fn describe(
    request: &DescribeLinksRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<DescribeLinksResponse, Failure> {
    let service = links(upstream)?;
    authorize::may_describe_cluster(upstream, deadline).await?;
    let with_partitions = request.include_partitions;
    let links = match &request.link_ids {
        None => service.list().iter().map(|l| described(service, l, with_partitions)).collect(),
        Some(ids) => ids
            .iter()
            .map(|id| match service.describe(id) {
                Ok(link) => described(service, &link, with_partitions),
                Err(e) => WireLink {
                    link_id: id.clone(),
                    error_code: ErrorCode::RESOURCE_NOT_FOUND.0,
                    error_message: Some(e.to_string()),
                    ..Default::default()
                },
            })
            .collect(),
    };
    Ok(DescribeLinksResponse { links, ..Default::default() })
}

pub async fn alter(
    request: AlterLinkRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<AlterLinkResponse, Failure> {
    let service = links(upstream)?;
    if !matches!(request.action, PAUSE | RESUME | CHANGE | HAND_OVER | HAND_BACK) {
        return Err(Failure(
            ErrorCode::INVALID_REQUEST,
            format!(
                "action {} is not 0 (pause), 1 (resume), 2 (change), 3 (hand groups over) or 4 \
                 (hand groups back)",
                request.action
            ),
        ));
    }
    if matches!(request.action, HAND_OVER | HAND_BACK) && request.groups.is_empty() {
        return Err(Failure(
            ErrorCode::INVALID_REQUEST,
            format!("action {} moves the groups named in Groups: none are", request.action),
        ));
    }
    authorize::may_alter_cluster(upstream, deadline).await?;
    let id = request.link_id.as_str();
    match request.action {
        PAUSE | RESUME => {
            within_link(deadline, service.set_paused(id, request.action == PAUSE)).await?;
        }
        HAND_OVER | HAND_BACK => {
            let to = if request.action == HAND_OVER { GroupMove::Now } else { GroupMove::Back };
            for group in &request.groups {
                within_link(deadline, service.move_group(id, group, to)).await?;
            }
        }
        _ => {
            let change = LinkChange {
                add_topics: request.add_topics,
                remove_topics: request.remove_topics,
                add_groups: request.add_groups,
                remove_groups: request.remove_groups,
            };
            within_link(deadline, service.alter(id, change)).await?;
            seen_as_mirrors(upstream, service);
        }
    }
    Ok(AlterLinkResponse::default())
}

/// The mirrors a link made or change here has added are mirrors to this sidecar's writes at once.
fn seen_as_mirrors(upstream: &Upstream<'_, impl Transport>, service: &Links) {
    if let Some(jobs) = upstream.jobs {
        jobs.mirrors.load(service);
        jobs.groups.load(service);
    }
}

pub async fn promote(
    request: &PromoteMirrorRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<PromoteMirrorResponse, Failure> {
    let service = links(upstream)?;
    authorize::may_alter_cluster(upstream, deadline).await?;
    let who = upstream.client_principal.clone();
    if request.undo {
        within_link(deadline, service.unpromote(&request.link_id, &request.topic, who)).await?;
        seen_as_mirrors(upstream, service);
        return Ok(PromoteMirrorResponse::default());
    }
    let asked =
        service.promote(&request.link_id, &request.topic, request.failover, request.force, who);
    within_link(deadline, asked).await?;
    Ok(PromoteMirrorResponse::default())
}

pub async fn delete(
    request: &DeleteLinkRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<DeleteLinkResponse, Failure> {
    let service = links(upstream)?;
    authorize::may_alter_cluster(upstream, deadline).await?;
    let deleted =
        within_link(deadline, service.delete(&request.link_id, request.delete_mirrors)).await?;
    Ok(DeleteLinkResponse { deleted_topics: deleted, ..Default::default() })
}

/// Runs a links service call within the command's deadline.
async fn within_link<T>(
    deadline: Instant,
    work: impl Future<Output = Result<T, LinkError>>,
) -> Result<T, Failure> {
    match tokio::time::timeout_at(deadline, work).await {
        Ok(done) => done.map_err(Into::into),
        Err(_) => Err(Failure(
            ErrorCode::REQUEST_TIMED_OUT,
            "the link request did not finish within the request timeout \
             (upstream.request_timeout_ms); describe the link to see where it is"
                .into(),
        )),
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn described(service: &Links, link: &Link, with_partitions: bool) -> WireLink {
    let config = &link.config;
    let status = link.status.as_ref();
    let mut switched = service.routed_clients(&config.id);
    let mirrors = config
        .topics
        .iter()
        .map(|topic| {
            let mine: Vec<(i32, &Progress)> = link
                .partitions
                .iter()
                .filter(|((t, _), _)| t == topic)
                .map(|((_, n), p)| (*n, p))
                .collect();
            let mirror = status.and_then(|s| s.mirrors.get(topic));
            Mirror {
                topic: topic.clone(),
                state: mirror.map_or("ACTIVE", |m| m.state.name()).into(),
                error: mirror.and_then(|m| m.error.clone()),
                partition_count: mirror
                    .map_or(i32::try_from(mine.len()).unwrap_or(i32::MAX), |m| m.partitions),
                lag: mine.iter().map(|(_, p)| p.lag()).sum(),
                lag_bytes: mine
                    .iter()
                    .filter_map(|(_, p)| p.lag_bytes())
                    .reduce(i64::saturating_add)
                    .unwrap_or(-1),
                promoted_ms: mirror.and_then(|m| m.promoted_ms).map_or(-1, to_i64),
                not_copied: mirror.and_then(|m| m.not_copied).map_or(-1, to_i64),
                partitions: if with_partitions {
                    mine.iter().map(|(n, p)| partition(*n, p)).collect()
                } else {
                    Vec::new()
                },
                source_writers: mirror
                    .map(|m| {
                        m.source_writers
                            .iter()
                            .map(|w| SourceWriter {
                                producer_id: w.producer_id,
                                records: to_i64(w.records),
                                last_ms: to_i64(w.last_ms),
                                ..Default::default()
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                unrouted_records: mirror.map_or(0, |m| to_i64(m.unrouted_records)),
                writers_watched: mirror.is_some_and(|m| m.writers_watched),
                switched: switched
                    .remove(topic)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| SwitchedClient {
                        client_id: c.client_id,
                        host: c.host,
                        principal: c.principal,
                        software: c.software,
                        last_ms: to_i64(c.last_ms),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }
        })
        .collect();
    let groups = config
        .groups
        .iter()
        .map(|group| {
            let g = status.and_then(|s| s.groups.get(group));
            LinkGroup {
                group: group.clone(),
                synced_ms: g.and_then(|g| g.synced_ms).map_or(-1, to_i64),
                waiting: g.and_then(|g| g.waiting.clone()),
                offsets: g
                    .map(|g| {
                        g.offsets
                            .iter()
                            .filter_map(|(key, offset)| {
                                let (topic, partition) = key.rsplit_once('/')?;
                                Some(GroupOffset {
                                    topic: topic.to_owned(),
                                    partition: partition.parse().ok()?,
                                    offset: *offset,
                                    ..Default::default()
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                phase: g.map_or(GroupPhase::OnSource, |g| g.phase).name().into(),
                moved_ms: g.and_then(|g| g.moved_ms).map_or(-1, to_i64),
                source_members: g
                    .map(|g| {
                        g.source_members
                            .iter()
                            .map(|m| SourceMember {
                                client_id: m.client_id.clone(),
                                host: m.host.clone(),
                                ..Default::default()
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                held: g
                    .and_then(|g| g.held.as_ref())
                    .map(|h| HeldMember {
                        client_id: h.client_id.clone(),
                        address: h.address.clone(),
                        principal: h.principal.clone(),
                        software: h.software.clone(),
                        held_ms: to_i64(h.at_ms),
                        ..Default::default()
                    })
                    .into_iter()
                    .collect(),
                ..Default::default()
            }
        })
        .collect();
    WireLink {
        link_id: config.id.clone(),
        state: status.map_or("", |s| s.state.name()).into(),
        error: status.and_then(|s| s.error.clone()),
        source_bootstrap: config.source_bootstrap.clone(),
        source_cluster_id: config.source_cluster_id.clone(),
        source_username: config.source_login.as_ref().map(|l| l.username.clone()),
        start_position: match config.start {
            Start::Earliest => "earliest".into(),
            Start::Latest => "latest".into(),
            Start::Time(ms) => ms.to_string(),
        },
        paused: config.paused,
        created_ms: to_i64(config.created_ms),
        requested_by: config.requested_by.clone(),
        mirrors,
        groups,
        ..Default::default()
    }
}

fn partition(n: i32, p: &Progress) -> MirrorPartition {
    let relation = p.map.relation();
    MirrorPartition {
        partition: n,
        offsets: relation.name().into(),
        shift: match relation {
            Relation::Shifted(by) => by,
            _ => 0,
        },
        runs: i32::try_from(p.map.runs().len()).unwrap_or(i32::MAX),
        source_next: p.source_next,
        source_end: p.source_end,
        target_next: p.target_next(),
        lag: p.lag(),
        lag_bytes: p.lag_bytes().unwrap_or(-1),
        records: to_i64(p.records),
        bytes: to_i64(p.bytes),
        lost: to_i64(p.lost),
        ..Default::default()
    }
}
