//! Changing topics: `PUT /topics/{name}` (create, or bring to the state given), `PATCH
//! /topics/{name}/configs` (set keys, `null` deletes), `DELETE /topics/{name}`.

use std::collections::BTreeMap;

use adminwire_protocol::generated::alter_topic_request::{self, AlterableTopic};
use adminwire_protocol::generated::create_topic_request::{self, CreatableTopic};
use adminwire_protocol::generated::describe_topic_response::TopicDescription;
use adminwire_protocol::{
    AdminResponse, AlterTopicRequest, CreateTopicRequest, DeleteTopicRequest, ErrorCode,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::Body;
use super::error::ApiError;
use super::topics::{Topic, describe_one, unexpected};
use super::{Caller, Rest, check};

/// The topic a `PUT` asks for. Creating it needs `partitions` and `replication_factor`, or
/// `replica_assignment`. On an existing topic, `partitions` may grow (never shrink),
/// `replica_assignment` must list the current partitions as they are and may place added ones,
/// `replication_factor` must be the current one (changing it is a reassignment: `POST
/// /reassignments`), and `configs`, when given, become the topic's own settings exactly (keys not
/// listed return to their defaults).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    pub partitions: Option<i32>,
    pub replication_factor: Option<i32>,
    /// The replicas of each partition, the preferred leader first: `[[1, 2], [2, 3]]`.
    pub replica_assignment: Option<Vec<Vec<i32>>>,
    pub configs: Option<BTreeMap<String, String>>,
}

/// `PUT /topics/{name}`: 201 with `Location` when created, 200 when it existed (changed or not);
/// the body is the topic as it is then.
#[utoipa::path(put, path = "/topics/{name}", params(("name" = String, Path, description = "The topic")),
    request_body = TopicSpec,
    responses((status = 201, body = Topic, description = "Created"), (status = 200, body = Topic), super::error::Errors))]
pub async fn put(
    State(rest): State<Rest>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Body(spec): Body<TopicSpec>,
) -> Result<Response, ApiError> {
    let location = format!("/topics/{name}");
    let (created, topic) = rest
        .run(&headers, move |mut caller| async move {
            match describe_one(&mut caller, &name).await {
                Ok(current) => {
                    update(&mut caller, &name, &current, spec).await?;
                    Ok((false, Topic::from(describe_one(&mut caller, &name).await?)))
                }
                Err(e) if e.is_kafka(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION) => {
                    create(&mut caller, &name, spec).await?;
                    Ok((true, Topic::from(describe_one(&mut caller, &name).await?)))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    if !created {
        return Ok(Json(topic).into_response());
    }
    let mut response = (StatusCode::CREATED, Json(topic)).into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PATCH /topics/{name}/configs`: sets each key given a string, deletes each given `null`; the
/// topic's own settings after.
#[utoipa::path(patch, path = "/topics/{name}/configs",
    params(("name" = String, Path, description = "The topic")),
    request_body(content = BTreeMap<String, Option<String>>, description = "Keys to set; null deletes"),
    responses((status = 200, description = "The topic's own settings after the change"), super::error::Errors))]
pub async fn patch_configs(
    State(rest): State<Rest>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Body(changes): Body<BTreeMap<String, Option<String>>>,
) -> Result<Json<BTreeMap<String, String>>, ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let mut added = Vec::new();
        let mut deleted = Vec::new();
        for (key, value) in changes {
            match value {
                Some(value) => added.push(alter_topic_request::ConfigEntry {
                    key,
                    value,
                    ..Default::default()
                }),
                None => deleted.push(key),
            }
        }
        // Unknown topics are 404, whatever the change.
        describe_one(&mut caller, &name).await?;
        if !added.is_empty() || !deleted.is_empty() {
            let change = AlterableTopic {
                name: name.clone(),
                partitions: -1,
                added_configs: added,
                deleted_configs: deleted,
                ..Default::default()
            };
            alter(&mut caller, change).await?;
        }
        Ok(Json(Topic::from(describe_one(&mut caller, &name).await?).configs))
    })
    .await
}

/// `DELETE /topics/{name}`: 204; 404 if there is no such topic.
#[utoipa::path(delete, path = "/topics/{name}", params(("name" = String, Path, description = "The topic")),
    responses((status = 204, description = "Deleted"), super::error::Errors))]
pub async fn delete(
    State(rest): State<Rest>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    rest.run(&headers, move |mut caller| async move {
        let timeout_ms = caller.server_timeout();
        let request =
            DeleteTopicRequest { topic_names: vec![name], timeout_ms, ..Default::default() };
        let answer = match caller.execute(request).await {
            AdminResponse::DeleteTopic(r) => r,
            other => return Err(unexpected(&other)),
        };
        check(answer.error_code, answer.error_message.as_deref())?;
        for topic in answer.topics {
            check(topic.error_code, topic.error_message.as_deref())?;
        }
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

async fn create(caller: &mut Caller, name: &str, spec: TopicSpec) -> Result<(), ApiError> {
    let topic = match (&spec.replica_assignment, spec.partitions, spec.replication_factor) {
        (Some(assignment), partitions, replication_factor) => {
            check_assignment(assignment)?;
            let count = i32::try_from(assignment.len()).unwrap_or(i32::MAX);
            if partitions.is_some_and(|p| p != count) {
                return Err(ApiError::bad_request(format!(
                    "partitions is {}, but replica_assignment places {count}",
                    partitions.unwrap_or_default()
                )));
            }
            let factor = i32::try_from(assignment[0].len()).unwrap_or(i32::MAX);
            if replication_factor.is_some_and(|r| r != factor) {
                return Err(ApiError::bad_request(format!(
                    "replication_factor is {}, but replica_assignment gives {factor} replicas",
                    replication_factor.unwrap_or_default()
                )));
            }
            // The count and the factor come from the assignment; the extension takes it alone.
            CreatableTopic {
                name: name.to_owned(),
                partitions: -1,
                replication_factor: -1,
                replica_assignment: kafka_form(assignment),
                ..Default::default()
            }
        }
        (None, Some(partitions), Some(replication_factor)) => CreatableTopic {
            name: name.to_owned(),
            partitions,
            replication_factor,
            ..Default::default()
        },
        (None, None, _) => {
            return Err(ApiError::bad_request(
                "creating a topic needs partitions (or replica_assignment)",
            ));
        }
        (None, Some(_), None) => {
            return Err(ApiError::bad_request(
                "creating a topic needs replication_factor (or replica_assignment)",
            ));
        }
    };
    let configs = spec.configs.unwrap_or_default().into_iter();
    let topic = CreatableTopic {
        configs: configs
            .map(|(key, value)| create_topic_request::ConfigEntry {
                key,
                value,
                ..Default::default()
            })
            .collect(),
        ..topic
    };
    let request = CreateTopicRequest {
        topics: vec![topic],
        timeout_ms: caller.server_timeout(),
        ..Default::default()
    };
    let answer = match caller.execute(request).await {
        AdminResponse::CreateTopic(r) => r,
        other => return Err(unexpected(&other)),
    };
    check(answer.error_code, answer.error_message.as_deref())?;
    for topic in answer.topics {
        check(topic.error_code, topic.error_message.as_deref())?;
    }
    Ok(())
}

/// Brings `current` to `spec`: more partitions, and the settings given.
async fn update(
    caller: &mut Caller,
    name: &str,
    current: &TopicDescription,
    spec: TopicSpec,
) -> Result<(), ApiError> {
    let details = &current.topic_config_details;
    if let Some(factor) = spec.replication_factor.filter(|f| *f != details.replication_factor) {
        return Err(ApiError::bad_request(format!(
            "replication_factor: the topic has {}, not {factor}; changing it moves replicas, which \
             is a reassignment (POST /reassignments)",
            details.replication_factor
        )));
    }
    let have = current.topic_partition_details.len();
    let mut partitions = spec.partitions.unwrap_or(details.partitions);
    let mut placement = None;
    if let Some(assignment) = &spec.replica_assignment {
        check_assignment(assignment)?;
        let mut sorted: Vec<_> = current.topic_partition_details.iter().collect();
        sorted.sort_by_key(|p| p.partition_id);
        let moved = sorted.iter().zip(assignment).find(|(p, wanted)| p.replicas != **wanted);
        if let Some((p, wanted)) = moved {
            return Err(ApiError::bad_request(format!(
                "replica_assignment: partition {} has replicas {:?}, not {wanted:?}; moving \
                 replicas is a reassignment (POST /reassignments)",
                p.partition_id, p.replicas
            )));
        }
        let count = i32::try_from(assignment.len()).unwrap_or(i32::MAX);
        if spec.partitions.is_some_and(|p| p != count) {
            return Err(ApiError::bad_request(format!(
                "partitions is {partitions}, but replica_assignment places {count}"
            )));
        }
        partitions = count;
        if assignment.len() > have {
            placement = Some(kafka_form(&assignment[have..]));
        }
    }
    let (mut added, mut deleted) = (Vec::new(), Vec::new());
    if let Some(configs) = spec.configs {
        let own: BTreeMap<&str, &str> =
            details.configs.iter().map(|c| (c.key.as_str(), c.value.as_str())).collect();
        for (key, value) in &configs {
            if own.get(key.as_str()) != Some(&value.as_str()) {
                added.push(alter_topic_request::ConfigEntry {
                    key: key.clone(),
                    value: value.clone(),
                    ..Default::default()
                });
            }
        }
        deleted =
            own.keys().filter(|k| !configs.contains_key(**k)).map(|k| (*k).to_owned()).collect();
    }
    let grow = partitions != details.partitions;
    if !grow && added.is_empty() && deleted.is_empty() {
        return Ok(());
    }
    let change = AlterableTopic {
        name: name.to_owned(),
        partitions: if grow { partitions } else { -1 },
        replica_assignment: placement,
        added_configs: added,
        deleted_configs: deleted,
        ..Default::default()
    };
    alter(caller, change).await
}

async fn alter(caller: &mut Caller, change: AlterableTopic) -> Result<(), ApiError> {
    let request = AlterTopicRequest {
        topics: vec![change],
        timeout_ms: caller.server_timeout(),
        ..Default::default()
    };
    let answer = match caller.execute(request).await {
        AdminResponse::AlterTopic(r) => r,
        other => return Err(unexpected(&other)),
    };
    check(answer.error_code, answer.error_message.as_deref())?;
    for topic in answer.topics {
        check(topic.error_code, topic.error_message.as_deref())?;
    }
    Ok(())
}

/// A replica assignment every partition of which has the same, non-zero number of replicas.
fn check_assignment(assignment: &[Vec<i32>]) -> Result<(), ApiError> {
    let Some(first) = assignment.first() else {
        return Err(ApiError::bad_request("replica_assignment: no partition"));
    };
    if first.is_empty() || assignment.iter().any(|r| r.len() != first.len()) {
        return Err(ApiError::bad_request(
            "replica_assignment: every partition needs the same number of replicas, at least one",
        ));
    }
    Ok(())
}

/// `[[1, 2], [2, 3]]` in kafka-topics' form, `1:2,2:3`, as the extension takes it.
fn kafka_form(assignment: &[Vec<i32>]) -> String {
    assignment
        .iter()
        .map(|r| r.iter().map(i32::to_string).collect::<Vec<_>>().join(":"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_are_written_as_kafka_topics_does() {
        assert_eq!(kafka_form(&[vec![1, 2], vec![2, 3]]), "1:2,2:3");
        assert!(check_assignment(&[]).is_err());
        assert!(check_assignment(&[vec![1], vec![1, 2]]).is_err());
        assert!(check_assignment(&[vec![]]).is_err());
        assert!(check_assignment(&[vec![1, 2], vec![2, 3]]).is_ok());
    }
}
