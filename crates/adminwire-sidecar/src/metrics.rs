//! Prometheus metrics: connections, requests and their latency by API, bytes each way, upstream
//! errors, and the reassignment jobs (read from the service at each scrape).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use adminwire_jobs::job::{Job, JobState};
use adminwire_jobs::link::state::GroupPhase;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiLabel {
    api: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DirectionLabel {
    direction: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabel {
    job: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MirrorLabel {
    link: String,
    topic: String,
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GroupLabel {
    link: String,
    group: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GroupPhaseLabel {
    link: String,
    group: String,
    phase: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransactionLabel {
    /// `begun`, `committed` or `aborted` (on a source), or the error answered.
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RoutedLabel {
    link: String,
    topic: String,
    /// `written` (by the source; copied too, where the write waited for it), or the error of
    /// the partition's answer.
    result: String,
}

/// Every job state, so that a state with no job reads 0 rather than vanishing.
const JOB_STATES: [JobState; 6] = [
    JobState::Scheduled,
    JobState::Running,
    JobState::Paused,
    JobState::Completed,
    JobState::Failed,
    JobState::Cancelled,
];

fn new_histogram() -> Histogram {
    // 50 µs to about 13 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 19))
}

/// An open client connection, as `adminwire_connections_active` counts it.
#[derive(Debug)]
#[must_use = "the connection counts as open only while this lives"]
pub struct OpenConnection(Gauge);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Response bytes held for a client, as `adminwire_queued_response_bytes` counts them, until the
/// guard drops.
#[derive(Debug)]
pub struct QueuedResponse(Gauge, i64);

impl Drop for QueuedResponse {
    fn drop(&mut self) {
        self.0.dec_by(self.1);
    }
}

/// A REST request holding a turn, as `adminwire_rest_requests_active` counts it.
#[derive(Debug)]
#[must_use = "the request counts as running only while this lives"]
pub struct RestRequest(Gauge);

impl Drop for RestRequest {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The sidecar's metrics and their registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    connections_active: Gauge,
    connections_total: Counter,
    connections_refused: Counter,
    requests: Family<ApiLabel, Counter>,
    latency: Family<ApiLabel, Histogram, fn() -> Histogram>,
    bytes: Family<DirectionLabel, Counter>,
    upstream_errors: Family<KindLabel, Counter>,
    streamed: Family<DirectionLabel, Counter>,
    brokers: Gauge,
    queued_response_bytes: Gauge,
    jobs: Family<StateLabel, Gauge>,
    job_bytes_moved: Family<JobLabel, Gauge>,
    job_bytes_total: Family<JobLabel, Gauge>,
    job_throttle: Family<JobLabel, Gauge>,
    job_runner: Gauge,
    job_takeover_ms: Gauge,
    rest_active: Gauge,
    rest_refused: Counter,
    mirror_lag: Family<MirrorLabel, Gauge>,
    mirror_lag_bytes: Family<MirrorLabel, Gauge>,
    mirror_records: Family<MirrorLabel, Gauge>,
    routed: Family<RoutedLabel, Counter>,
    transactions: Family<TransactionLabel, Counter>,
    joins_held: Family<GroupLabel, Counter>,
    group_phase: Family<GroupPhaseLabel, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("adminwire");
        let m = Self {
            connections_active: Gauge::default(),
            connections_total: Counter::default(),
            connections_refused: Counter::default(),
            requests: Family::default(),
            latency: Family::new_with_constructor(new_histogram),
            bytes: Family::default(),
            upstream_errors: Family::default(),
            streamed: Family::default(),
            brokers: Gauge::default(),
            queued_response_bytes: Gauge::default(),
            jobs: Family::default(),
            job_bytes_moved: Family::default(),
            job_bytes_total: Family::default(),
            job_throttle: Family::default(),
            job_runner: Gauge::default(),
            job_takeover_ms: Gauge::default(),
            rest_active: Gauge::default(),
            rest_refused: Counter::default(),
            mirror_lag: Family::default(),
            mirror_lag_bytes: Family::default(),
            mirror_records: Family::default(),
            routed: Family::default(),
            transactions: Family::default(),
            joins_held: Family::default(),
            group_phase: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "connections_active",
            "Client connections open now",
            m.connections_active.clone(),
        );
        registry.register(
            "link_mirror_lag_records",
            "Committed source records a cluster link's mirror has not copied yet, by link, topic and state",
            m.mirror_lag.clone(),
        );
        registry.register(
            "link_mirror_lag_bytes",
            "Bytes of the records a cluster link's mirror has not copied yet, estimated from the average size of those it has copied, by link, topic and state",
            m.mirror_lag_bytes.clone(),
        );
        registry.register(
            "link_mirror_copied_records",
            "Records a cluster link's mirror has copied, by link, topic and state",
            m.mirror_records.clone(),
        );
        registry.register(
            "rest_requests_active",
            "REST API requests running against the cluster now",
            m.rest_active.clone(),
        );
        registry.register(
            "rest_requests_refused",
            "REST API requests answered 503 because rest.max_concurrent_requests ran already",
            m.rest_refused.clone(),
        );
        registry.register(
            "connections",
            "Client connections accepted",
            m.connections_total.clone(),
        );
        registry.register(
            "connections_refused",
            "Client connections refused at the connection limit",
            m.connections_refused.clone(),
        );
        registry.register("requests", "Requests received, by API", m.requests.clone());
        registry.register(
            "request_duration_seconds",
            "From a request's arrival to its response's write, by API",
            m.latency.clone(),
        );
        registry.register("bytes", "Bytes forwarded, by direction", m.bytes.clone());
        registry.register(
            "upstream_errors",
            "Failures talking to brokers, by kind",
            m.upstream_errors.clone(),
        );
        registry.register(
            "streamed",
            "Large frames passed on as they arrived rather than gathered first, by direction",
            m.streamed.clone(),
        );
        registry.register("brokers", "Brokers the sidecar fronts", m.brokers.clone());
        registry.register(
            "queued_response_bytes",
            "Bytes of broker responses held for clients that have not taken them yet",
            m.queued_response_bytes.clone(),
        );
        registry.register(
            "reassignment_jobs",
            "Reassignment jobs this sidecar knows, by state",
            m.jobs.clone(),
        );
        registry.register(
            "reassignment_job_bytes_moved",
            "Bytes a job not yet ended has copied to its new replicas, by job",
            m.job_bytes_moved.clone(),
        );
        registry.register(
            "reassignment_job_bytes_total",
            "Bytes a job not yet ended copies in all, by job",
            m.job_bytes_total.clone(),
        );
        registry.register(
            "reassignment_job_throttle_bytes_per_second",
            "The replication throttle in effect for a job not yet ended (0: unthrottled), by job",
            m.job_throttle.clone(),
        );
        registry.register(
            "link_group_joins_held",
            "Joins (JoinGroup, ConsumerGroupHeartbeat) of linked groups' members this sidecar held \
             while their group was on the source",
            m.joins_held.clone(),
        );
        registry.register(
            "link_group_phase",
            "1 for each linked group's phase (ON_SOURCE, MOVED, RETURNING)",
            m.group_phase.clone(),
        );
        registry.register(
            "link_routed_writes",
            "Partitions of clients' Produce requests to a mirror routed to its link's source, by \
             result",
            m.routed.clone(),
        );
        registry.register(
            "link_transactions",
            "Transactions' coordinator requests the sidecar ran on a link's source (begun, \
             committed, aborted), or refused, by result",
            m.transactions.clone(),
        );
        registry.register(
            "reassignment_runner",
            "1 while this sidecar holds the jobs lease and runs the jobs, else 0",
            m.job_runner.clone(),
        );
        registry.register(
            "reassignment_takeover_milliseconds",
            "How long the jobs lease had gone unrenewed when this sidecar last took it over",
            m.job_takeover_ms.clone(),
        );
        Self { registry, ..m }
    }

    /// Sets the job metrics: counts by state from `all` (partitions not needed), and a series
    /// per job of `active` (those not yet ended, with their partitions), so that the label set
    /// stays as small as the work under way.
    pub fn observe_jobs(&self, all: &[Job], active: &[Job]) {
        for state in JOB_STATES {
            let count = all.iter().filter(|j| j.state == state).count();
            self.jobs.get_or_create(&StateLabel { state: state.name() }).set(count as i64);
        }
        self.job_bytes_moved.clear();
        self.job_bytes_total.clear();
        self.job_throttle.clear();
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        for job in active {
            let label = JobLabel { job: job.id.clone() };
            self.job_bytes_moved.get_or_create(&label).set(gauge(job.bytes_copied()));
            self.job_bytes_total.get_or_create(&label).set(gauge(job.bytes_total()));
            self.job_throttle.get_or_create(&label).set(gauge(job.throttle.unwrap_or(0)));
        }
    }

    /// Each cluster link's mirrors: lag (records, and bytes as estimated) and records copied,
    /// labelled with the mirror's state.
    pub fn observe_links(&self, links: &[adminwire_jobs::link::state::Link]) {
        self.mirror_lag.clear();
        self.mirror_lag_bytes.clear();
        self.mirror_records.clear();
        self.group_phase.clear();
        for link in links {
            for group in &link.config.groups {
                let phase = link
                    .status
                    .as_ref()
                    .and_then(|s| s.groups.get(group))
                    .map_or(GroupPhase::OnSource, |g| g.phase)
                    .name();
                let label =
                    GroupPhaseLabel { link: link.config.id.clone(), group: group.clone(), phase };
                self.group_phase.get_or_create(&label).set(1);
            }
            for topic in &link.config.topics {
                let state = link
                    .status
                    .as_ref()
                    .and_then(|s| s.mirrors.get(topic))
                    .map_or("ACTIVE", |m| m.state.name());
                let label =
                    MirrorLabel { link: link.config.id.clone(), topic: topic.clone(), state };
                let copies =
                    link.partitions.iter().filter(|((t, _), _)| t == topic).map(|(_, p)| p);
                let (lag, lag_bytes, records) = copies.fold((0i64, 0i64, 0u64), |(l, b, r), p| {
                    let bytes = p.lag_bytes().unwrap_or(0);
                    (l + p.lag(), b.saturating_add(bytes), r + p.records)
                });
                self.mirror_lag.get_or_create(&label).set(lag);
                self.mirror_lag_bytes.get_or_create(&label).set(lag_bytes);
                self.mirror_records
                    .get_or_create(&label)
                    .set(i64::try_from(records).unwrap_or(i64::MAX));
            }
        }
    }

    /// Whether this sidecar runs the jobs, and how long the lease had gone unrenewed when it
    /// last took it over.
    pub fn observe_runner(&self, runs: bool, took_over_after: Option<Duration>) {
        self.job_runner.set(i64::from(runs));
        if let Some(after) = took_over_after {
            self.job_takeover_ms.set(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }

    /// Counts `bytes` of a response as held for its client until the guard drops.
    pub fn response_queued(&self, bytes: usize) -> QueuedResponse {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        self.queued_response_bytes.inc_by(bytes);
        QueuedResponse(self.queued_response_bytes.clone(), bytes)
    }

    /// Counts a connection as open until the guard drops — also when the connection's task
    /// ends in a panic, so the gauge never drifts.
    pub fn connection_opened(&self) -> OpenConnection {
        self.connections_total.inc();
        self.connections_active.inc();
        OpenConnection(self.connections_active.clone())
    }

    /// Counts a REST request as running until the guard drops.
    pub fn rest_request(&self) -> RestRequest {
        self.rest_active.inc();
        RestRequest(self.rest_active.clone())
    }

    /// One partition of a Produce to mirror `topic` of `link`, routed to the source: `error`
    /// is its answer's error code (0: written).
    /// A join of a member of `group` (link `link`) held (see `handover`).
    pub fn group_join_held(&self, link: &str, group: &str) {
        let label = GroupLabel { link: link.to_owned(), group: group.to_owned() };
        self.joins_held.get_or_create(&label).inc();
    }

    pub fn routed_write(&self, link: &str, topic: &str, error: i16) {
        let result = match error {
            0 => "written".to_owned(),
            code => error_name(code),
        };
        let label = RoutedLabel { link: link.to_owned(), topic: topic.to_owned(), result };
        self.routed.get_or_create(&label).inc();
    }

    /// A transaction's request run on a source (`done`: what it did), or refused with `error`.
    pub fn link_transaction(&self, done: &str, error: i16) {
        let result = match error {
            0 => done.to_owned(),
            code => error_name(code),
        };
        self.transactions.get_or_create(&TransactionLabel { result }).inc();
    }

    pub fn rest_request_refused(&self) {
        self.rest_refused.inc();
    }

    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    pub fn request(&self, api_key: i16, bytes: usize) {
        self.requests.get_or_create(&ApiLabel { api: self.api_name(api_key) }).inc();
        self.bytes
            .get_or_create(&DirectionLabel { direction: "client_to_sidecar" })
            .inc_by(bytes as u64);
    }

    pub fn response(&self, api_key: i16, elapsed: Duration) {
        self.latency
            .get_or_create(&ApiLabel { api: self.api_name(api_key) })
            .observe(elapsed.as_secs_f64());
    }

    pub fn bytes_to_broker(&self, bytes: usize) {
        self.bytes
            .get_or_create(&DirectionLabel { direction: "sidecar_to_broker" })
            .inc_by(bytes as u64);
    }

    pub fn bytes_to_client(&self, bytes: usize) {
        self.bytes
            .get_or_create(&DirectionLabel { direction: "broker_to_client" })
            .inc_by(bytes as u64);
    }

    pub fn request_streamed(&self) {
        self.streamed.get_or_create(&DirectionLabel { direction: "client_to_broker" }).inc();
    }

    pub fn response_streamed(&self) {
        self.streamed.get_or_create(&DirectionLabel { direction: "broker_to_client" }).inc();
    }

    pub fn upstream_error(&self, kind: &'static str) {
        self.upstream_errors.get_or_create(&KindLabel { kind }).inc();
    }

    /// One more broker has its listener.
    pub fn broker_listening(&self) {
        self.brokers.inc();
    }

    /// The API's name for labels and logs: Kafka's (`Metadata`), the extension's (`CreateTopic`),
    /// or `unknown`.
    pub fn api_name(&self, api_key: i16) -> &'static str {
        static NAMES: OnceLock<HashMap<i16, &'static str>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            let kafka = kafka_protocol::messages::ApiKey::iter()
                .map(|k| (k as i16, &*Box::leak(format!("{k:?}").into_boxed_str())));
            let extension = adminwire_protocol::ApiKey::ALL.iter().map(|k| (*k as i16, k.name()));
            kafka.chain(extension).collect()
        });
        names.get(&api_key).copied().unwrap_or("unknown")
    }
}

/// Kafka's own errors by the name of their Java exception's code (InvalidTxnState), the
/// extension's by theirs.
fn error_name(code: i16) -> String {
    adminwire_protocol::ErrorCode(code)
        .name()
        .filter(|_| code >= 1000)
        .map(str::to_owned)
        .or_else(|| kafka_protocol::ResponseError::try_from_code(code).map(|e| format!("{e:?}")))
        .unwrap_or_else(|| format!("error_{code}"))
}
