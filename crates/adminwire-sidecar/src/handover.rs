//! Consumers handed over by themselves: a member of a linked consumer group that joins through
//! the sidecar while its group is still on the source (its consumers there not all stopped) is
//! held — its JoinGroup (classic groups) or ConsumerGroupHeartbeat (KIP-848 groups) is answered
//! COORDINATOR_LOAD_IN_PROGRESS, a second later, which every client retries after its backoff, as
//! it does while a broker loads a group. So it reads nothing before the group's last offsets from the source are
//! on the target, and two consumers never read the same partition, one on each cluster.
//!
//! A join is held only once the broker has said the client may use the group (DescribeGroups,
//! asked as the client on its own connection): a client the broker refuses gets that refusal and
//! counts for nothing. The sidecar running the link hands the group over once the source group
//! has stayed empty and a member waits here (each sidecar notes the last member it held in the
//! links' store); the
//! groups held are kept from the store, as the mirror topics are (see `mirrors`). While no group
//! is held, a join costs one atomic load more.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use adminwire_jobs::link::service::Links;
use adminwire_jobs::link::state::HeldMember;
use adminwire_protocol::{ErrorCode, RequestFrame};
use bytes::BytesMut;
use kafka_protocol::messages::{
    ApiKey, ConsumerGroupHeartbeatResponse, DescribeGroupsRequest, GroupId, JoinGroupResponse,
    ResponseHeader,
};
use kafka_protocol::protocol::StrBytes;
use tracing::{debug, info, warn};

use crate::metrics::Metrics;
use crate::peek;
use crate::principal::Identity;
use crate::route::Answer;
use crate::upstream::{Transport, Upstream};

/// GROUP_AUTHORIZATION_FAILED: the broker would not let the client use the group.
const DENIED: i16 = 30;

/// How long a held join waits for its answer.
pub const ANSWER_AFTER: Duration = Duration::from_secs(1);

/// How often, at most, this sidecar notes in the store that it holds a group's members.
const NOTE_EVERY: Duration = Duration::from_secs(2);

/// Whether an API is one a consumer joins a group with.
pub fn is_join(api_key: i16) -> bool {
    api_key == ApiKey::JoinGroup as i16 || api_key == ApiKey::ConsumerGroupHeartbeat as i16
}

/// The linked groups whose members this sidecar holds, as it last read them.
#[derive(Debug, Default)]
pub struct HeldGroups {
    any: AtomicBool,
    /// Off (`links.hold_groups = false`): members join whatever the group's phase.
    enabled: AtomicBool,
    /// The link of each group held, by group id.
    table: RwLock<Arc<HashMap<String, Arc<str>>>>,
    /// When this sidecar last noted a held member of each group.
    noted: Mutex<HashMap<String, Instant>>,
}

/// A join of a held group: what answers it, and what to note of it.
#[derive(Debug)]
pub struct Held {
    api_key: ApiKey,
    version: i16,
    correlation_id: i32,
    pub group: String,
    pub link: Arc<str>,
    pub client_id: String,
}

impl Held {
    /// Its answer carrying `code` (a frame, size prefix included).
    pub fn answer(&self, code: ErrorCode) -> Option<BytesMut> {
        let header = ResponseHeader::default().with_correlation_id(self.correlation_id);
        let header_version = self.api_key.response_header_version(self.version);
        let answer = match self.api_key {
            ApiKey::JoinGroup => {
                let body =
                    JoinGroupResponse::default().with_error_code(code.0).with_generation_id(-1);
                adminwire_kafka::frame::response(&header, header_version, &body, self.version)
            }
            _ => {
                let message = format!(
                    "group {} is handed over from cluster link {}'s source once its consumers \
                     there have stopped; retrying",
                    self.group, self.link
                );
                let body = ConsumerGroupHeartbeatResponse::default()
                    .with_error_code(code.0)
                    .with_error_message(Some(StrBytes::from_string(message)));
                adminwire_kafka::frame::response(&header, header_version, &body, self.version)
            }
        };
        answer.map_err(|e| warn!("a held join's answer could not be encoded: {e}")).ok()
    }

    /// Holds it, once the broker has said the client may use its group (DescribeGroups on the
    /// client's own connection): a client the broker would refuse gets that refusal, and is not
    /// noted as a member waiting here. The answer comes after [`ANSWER_AFTER`].
    pub async fn check(
        self,
        who: &Identity,
        upstream: &mut Upstream<'_, impl Transport>,
        groups: &HeldGroups,
        links: Option<&Arc<Links>>,
        metrics: &Metrics,
    ) -> Answer {
        let deadline = tokio::time::Instant::now() + upstream.config.request_timeout();
        let request = DescribeGroupsRequest::default()
            .with_groups(vec![GroupId(StrBytes::from_string(self.group.clone()))]);
        let refused = match upstream.call(request, deadline).await {
            Ok(answer) => answer.groups.first().map(|g| g.error_code).filter(|c| *c == DENIED),
            Err(e) => {
                debug!(group = self.group, "asking whether a held member may use its group: {e}");
                None
            }
        };
        if let Some(code) = refused {
            return Box::pin(async move { self.answer(ErrorCode(code)) });
        }
        groups.note(&self, who, links);
        metrics.group_join_held(&self.link, &self.group);
        Box::pin(async move {
            tokio::time::sleep(ANSWER_AFTER).await;
            self.answer(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS)
        })
    }
}

impl HeldGroups {
    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    /// Whether any group's members are held now.
    pub fn any(&self) -> bool {
        self.any.load(Ordering::Relaxed)
    }

    /// Takes the groups held from `links` now; also called right after a link is changed here.
    pub fn load(&self, links: &Links) {
        if !self.enabled.load(Ordering::Relaxed) {
            return;
        }
        let table: HashMap<String, Arc<str>> = links
            .held_groups()
            .into_iter()
            .map(|(group, link)| (group, Arc::from(link.as_str())))
            .collect();
        self.set(table);
    }

    fn set(&self, table: HashMap<String, Arc<str>>) {
        let mut current = self.table.write().unwrap_or_else(PoisonError::into_inner);
        if **current != table {
            debug!(groups = table.len(), "linked groups held here changed");
            self.any.store(!table.is_empty(), Ordering::Relaxed);
            *current = Arc::new(table);
        }
    }

    /// Keeps the groups held as the links' store changes, until the store is gone.
    pub async fn keep(self: Arc<Self>, links: Arc<Links>) {
        let mut changes = links.changes();
        loop {
            self.load(&links);
            if changes.changed().await.is_err() {
                return;
            }
        }
    }

    /// The answer holding the JoinGroup or ConsumerGroupHeartbeat `frame`, if its group is held:
    /// a member joining (a KIP-848 member already in the group goes on, so that it is never
    /// fenced while still reading). Read without decoding the request, whose arrays a decoder
    /// would size from counts the client sent; one that cannot be read is the broker's to refuse.
    pub fn hold(&self, frame: &RequestFrame) -> Option<Held> {
        let table = Arc::clone(&self.table.read().unwrap_or_else(PoisonError::into_inner));
        let version = frame.header.api_version;
        let api_key = ApiKey::try_from(frame.header.api_key).ok()?;
        let heartbeat = match api_key {
            ApiKey::JoinGroup => false,
            ApiKey::ConsumerGroupHeartbeat => true,
            _ => return None,
        };
        let join = peek::group_join(frame.payload(), version, heartbeat)?;
        if join.member_epoch.is_some_and(|epoch| epoch != 0) {
            return None;
        }
        let group = std::str::from_utf8(join.group).ok()?;
        // Bounded: a client names itself, not the sidecar's memory.
        let client_id: String = String::from_utf8_lossy(join.client_id).chars().take(128).collect();
        let link = table.get(group)?;
        Some(Held {
            api_key,
            version,
            correlation_id: frame.header.correlation_id,
            group: group.to_owned(),
            link: Arc::clone(link),
            client_id,
        })
    }

    /// Notes `held` in the store for the sidecar running its link, at most every [`NOTE_EVERY`]
    /// per group; the write runs beside the connection.
    pub fn note(&self, held: &Held, client: &Identity, links: Option<&Arc<Links>>) {
        let Some(links) = links else { return };
        {
            let mut noted = self.noted.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            if noted.get(&held.group).is_some_and(|at| now.duration_since(*at) < NOTE_EVERY) {
                return;
            }
            if !noted.contains_key(&held.group) {
                info!(group = held.group, link = %held.link, client = held.client_id, address = client.address, "holding a linked group's members: it is still on the source");
            }
            noted.insert(held.group.clone(), now);
        }
        let member = HeldMember {
            at_ms: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
            client_id: held.client_id.clone(),
            address: client.address.clone(),
            principal: client.principal.clone(),
            software: client.software.clone(),
        };
        let (links, link, group) = (Arc::clone(links), held.link.clone(), held.group.clone());
        tokio::spawn(async move {
            if let Err(e) = links.note_held(&link, &group, &member).await {
                debug!(group, "noting a held member failed: {e}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use adminwire_protocol::RequestHeaderPeek;
    use bytes::{BufMut, Bytes};
    use kafka_protocol::messages::{
        ConsumerGroupHeartbeatRequest, GroupId, JoinGroupRequest, RequestHeader,
    };
    use kafka_protocol::protocol::Decodable;
    use kafka_protocol::protocol::Encodable;

    use super::*;

    fn held(groups: &[&str]) -> HeldGroups {
        let held = HeldGroups::default();
        let link: Arc<str> = Arc::from("migrate");
        held.set(groups.iter().map(|g| (g.to_string(), Arc::clone(&link))).collect());
        held
    }

    fn frame<R: Encodable>(api_key: ApiKey, version: i16, body: &R) -> RequestFrame {
        let header = RequestHeader::default()
            .with_request_api_key(api_key as i16)
            .with_request_api_version(version)
            .with_correlation_id(7)
            .with_client_id(Some(StrBytes::from_static_str("app")));
        let mut bytes = BytesMut::new();
        bytes.put_i32(0);
        header.encode(&mut bytes, api_key.request_header_version(version)).unwrap();
        body.encode(&mut bytes, version).unwrap();
        let size = (bytes.len() - 4) as i32;
        bytes[..4].copy_from_slice(&size.to_be_bytes());
        let header =
            RequestHeaderPeek { api_key: api_key as i16, api_version: version, correlation_id: 7 };
        RequestFrame { header, bytes }
    }

    fn join(group: &str, version: i16) -> RequestFrame {
        let body = JoinGroupRequest::default()
            .with_group_id(GroupId(StrBytes::from_string(group.to_owned())))
            .with_session_timeout_ms(10_000)
            .with_protocol_type(StrBytes::from_static_str("consumer"));
        frame(ApiKey::JoinGroup, version, &body)
    }

    /// The answer's body, past its size, correlation id and (flexible) header tags.
    fn body(answer: &BytesMut, api_key: ApiKey, version: i16) -> Bytes {
        let mut bytes = Bytes::copy_from_slice(&answer[4..]);
        let header =
            ResponseHeader::decode(&mut bytes, api_key.response_header_version(version)).unwrap();
        assert_eq!(header.correlation_id, 7);
        bytes
    }

    #[test]
    fn a_held_groups_join_is_answered_retry_in_every_version() {
        let groups = held(&["billing"]);
        for version in [0, 5, 6, 9] {
            let held = groups.hold(&join("billing", version)).expect("held");
            assert_eq!((held.group.as_str(), &*held.link), ("billing", "migrate"));
            assert_eq!(held.client_id, "app");
            let answer = held.answer(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS).expect("encoded");
            let mut body = body(&answer, ApiKey::JoinGroup, version);
            let answer = JoinGroupResponse::decode(&mut body, version).unwrap();
            assert_eq!(answer.error_code, 14, "COORDINATOR_LOAD_IN_PROGRESS, v{version}");
            assert!(body.is_empty());
        }
        assert!(groups.hold(&join("payments", 9)).is_none(), "another group joins");
    }

    #[test]
    fn a_held_groups_consumer_heartbeat_is_answered_retry_with_a_message() {
        let groups = held(&["billing"]);
        let body = ConsumerGroupHeartbeatRequest::default()
            .with_group_id(GroupId(StrBytes::from_static_str("billing")))
            .with_member_epoch(0);
        let held = groups.hold(&frame(ApiKey::ConsumerGroupHeartbeat, 0, &body)).expect("held");
        let answer = held.answer(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS).expect("encoded");
        let mut bytes = super::tests::body(&answer, ApiKey::ConsumerGroupHeartbeat, 0);
        let answer = ConsumerGroupHeartbeatResponse::decode(&mut bytes, 0).unwrap();
        assert_eq!(answer.error_code, 14);
        assert!(answer.error_message.is_some_and(|m| m.contains("migrate")));
    }

    #[test]
    fn a_request_whose_group_cannot_be_read_is_the_brokers() {
        let groups = held(&["billing"]);
        let mut frame = join("billing", 9);
        // Size, header (4 + 4 + 2 + "app" + tags), then the group's length and two bytes of it.
        frame.bytes.truncate(4 + 8 + 2 + 3 + 1 + 1 + 2);
        assert!(groups.hold(&frame).is_none());
        let mut other = join("billing", 9);
        other.header.api_key = ApiKey::Heartbeat as i16;
        assert!(groups.hold(&other).is_none(), "only joins are held");
    }

    #[test]
    fn a_join_claiming_huge_arrays_is_held_without_reading_them() {
        // JoinGroup v5: header, group "billing", session and rebalance timeouts, member id,
        // instance id (null), protocol type, then a protocols count of i32::MAX and nothing more.
        let mut payload = BytesMut::new();
        payload.put_i16(ApiKey::JoinGroup as i16);
        payload.put_i16(5);
        payload.put_i32(7);
        payload.put_i16(3);
        payload.put_slice(b"app");
        payload.put_i16(7);
        payload.put_slice(b"billing");
        payload.put_i32(10_000);
        payload.put_i32(10_000);
        payload.put_i16(0);
        payload.put_i16(-1);
        payload.put_i16(8);
        payload.put_slice(b"consumer");
        payload.put_i32(i32::MAX);
        let mut bytes = BytesMut::new();
        bytes.put_i32(payload.len() as i32);
        bytes.put_slice(&payload);
        let header = RequestHeaderPeek {
            api_key: ApiKey::JoinGroup as i16,
            api_version: 5,
            correlation_id: 7,
        };
        let held = held(&["billing"]).hold(&RequestFrame { header, bytes }).expect("held");
        assert_eq!(held.client_id, "app");
    }

    #[test]
    fn a_kip_848_member_already_in_the_group_goes_on() {
        let groups = held(&["billing"]);
        for (epoch, is_held) in [(0, true), (5, false), (-1, false)] {
            let body = ConsumerGroupHeartbeatRequest::default()
                .with_group_id(GroupId(StrBytes::from_static_str("billing")))
                .with_member_id(StrBytes::from_static_str("m-1"))
                .with_member_epoch(epoch);
            let frame = frame(ApiKey::ConsumerGroupHeartbeat, 0, &body);
            assert_eq!(groups.hold(&frame).is_some(), is_held, "epoch {epoch}");
        }
    }
}
