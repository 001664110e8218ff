//! Topics: `GET /topics` (`?expand=info`), `GET /topics/{name}`.

use adminwire_protocol::generated::describe_topic_response::TopicDescription;
use adminwire_protocol::{AdminResponse, DescribeTopicRequest, ErrorCode, ListTopicsRequest};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;
use super::{Caller, Rest, check};

pub fn routes() -> Router<Rest> {
    use super::topic_edits;
    Router::new()
        .route("/topics", get(list))
        .route("/topics/{name}", get(describe).put(topic_edits::put).delete(topic_edits::delete))
        .route("/topics/{name}/configs", axum::routing::patch(topic_edits::patch_configs))
}

/// A topic as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Topic {
    pub name: String,
    pub partitions: Vec<Partition>,
    pub replication_factor: i32,
    /// The topic's own settings (not the brokers' defaults).
    pub configs: std::collections::BTreeMap<String, String>,
}

/// One partition: its leader (-1 when it has none), replicas (the preferred leader first) and
/// in-sync replicas.
#[derive(Debug, Serialize, ToSchema)]
pub struct Partition {
    pub partition: i32,
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
}

impl From<TopicDescription> for Topic {
    fn from(d: TopicDescription) -> Self {
        let partitions = d
            .topic_partition_details
            .into_iter()
            .map(|p| Partition {
                partition: p.partition_id,
                leader: p.leader,
                replicas: p.replicas,
                isr: p.isr,
            })
            .collect();
        Topic {
            name: d.topic_name,
            partitions,
            replication_factor: d.topic_config_details.replication_factor,
            configs: d.topic_config_details.configs.into_iter().map(|c| (c.key, c.value)).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `info`: each topic with its partitions and settings, as `GET /topics/{name}` shows it.
    pub expand: Option<String>,
}

/// `GET /topics`: the names of the topics the caller may describe, sorted; with `?expand=info`,
/// an object of each topic by name.
#[utoipa::path(get, path = "/topics", params(ListQuery), responses((status = 200, description = "Topic names, or topics by name with ?expand=info"), super::error::Errors))]
pub async fn list(
    State(rest): State<Rest>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let expand = super::expand(query.expand.as_deref(), "info", "topics")?;
    rest.run(&headers, move |mut caller| async move {
        let names = names(&mut caller).await?;
        if !expand {
            return Ok(Json(serde_json::json!(names)));
        }
        let described = describe_all(&mut caller, &names).await?;
        let by_name: serde_json::Map<String, serde_json::Value> = described
            .into_iter()
            .map(|t| {
                let topic = Topic::from(t);
                (topic.name.clone(), serde_json::to_value(topic).unwrap_or_default())
            })
            .collect();
        Ok(Json(serde_json::Value::Object(by_name)))
    })
    .await
}

/// `GET /topics/{name}`: its partitions, leaders, replicas, ISR and own settings; 404 if there
/// is no such topic (or the caller may not know of it).
#[utoipa::path(get, path = "/topics/{name}", params(("name" = String, Path, description = "The topic")),
    responses((status = 200, body = Topic), super::error::Errors))]
pub async fn describe(
    State(rest): State<Rest>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Topic>, ApiError> {
    rest.run(&headers, move |mut caller| async move {
        Ok(Json(Topic::from(describe_one(&mut caller, &name).await?)))
    })
    .await
}

/// Topic `name`, described; 404 if there is none.
pub async fn describe_one(caller: &mut Caller, name: &str) -> Result<TopicDescription, ApiError> {
    let mut described = describe_some(caller, &[name.to_owned()]).await?;
    described.pop().unwrap_or_else(|| Err(ApiError::not_found(format!("no topic {name:?}"))))
}

/// The names of the topics the caller may describe, sorted.
pub async fn names(caller: &mut Caller) -> Result<Vec<String>, ApiError> {
    let listed = match caller
        .execute(ListTopicsRequest { exclude_internal: false, ..Default::default() })
        .await
    {
        AdminResponse::ListTopics(r) => r,
        other => return Err(unexpected(&other)),
    };
    check(listed.error_code, listed.error_message.as_deref())?;
    let mut names = listed.topics.unwrap_or_default();
    names.sort();
    Ok(names)
}

/// Every topic of `names`, described; one that cannot be is an error.
pub async fn describe_all(
    caller: &mut Caller,
    names: &[String],
) -> Result<Vec<TopicDescription>, ApiError> {
    describe_some(caller, names).await?.into_iter().collect()
}

/// Each topic of `names`, described or its error, in as few requests as the sidecar's caps on
/// one request allow.
async fn describe_some(
    caller: &mut Caller,
    names: &[String],
) -> Result<Vec<Result<TopicDescription, ApiError>>, ApiError> {
    let per_request = caller.rest.config.limits.admin.max_topics.max(1);
    let mut out = Vec::with_capacity(names.len());
    for chunk in names.chunks(per_request) {
        let request = DescribeTopicRequest { topic_names: chunk.to_vec(), ..Default::default() };
        let described = match caller.execute(request).await {
            AdminResponse::DescribeTopic(r) => r,
            other => return Err(unexpected(&other)),
        };
        check(described.error_code, described.error_message.as_deref())?;
        out.extend(described.topics.into_iter().map(|t| {
            match (t.error_code, t.topic_description) {
                (0, Some(description)) => Ok(description),
                (code, _) => Err(ApiError::kafka(ErrorCode(code), t.error_message)),
            }
        }));
    }
    Ok(out)
}

pub fn unexpected(response: &AdminResponse) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        format!("the engine answered {:?} with a response of another kind", response.api_key()),
    )
}
