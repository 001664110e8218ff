//! The four requests that name topics — CreateTopic, AlterTopic, DeleteTopic, DescribeTopic —
//! share one shape: version 0 names one topic and answers with its top-level error, version 1
//! takes a batch and answers topic by topic. [`TopicRequest`] says how each fills that shape, so
//! that the client sends any of them, alone or as a batch, in one way.

use std::collections::BTreeMap;

use adminwire_protocol::generated::alter_topic_request::AlterableTopic;
use adminwire_protocol::generated::create_topic_request::CreatableTopic;
use adminwire_protocol::generated::describe_topic_response;
use adminwire_protocol::{
    AlterTopicRequest, CreateTopicRequest, DeleteTopicRequest, DescribeTopicRequest, RequestMessage,
};

use crate::error::{Error, Result, ServerError};
use crate::types::{PartitionDescription, TopicDescription};

/// What the answer for one topic says: its name, error code and message, and what a success
/// carries.
pub(crate) type TopicAnswer<P> = (String, i16, Option<String>, P);

/// A request that names topics, one in version 0 and a batch in version 1.
pub(crate) trait TopicRequest: RequestMessage {
    /// What the request carries for one topic.
    type Item;
    /// What a topic's answer carries besides its error.
    type Payload;
    /// What a topic's success gives the caller.
    type Output;
    /// What a batch needs version 1 for, to say so when the server has only version 0.
    const NEEDS_V1: &'static str;

    /// The topic an item is about.
    fn name(item: &Self::Item) -> &str;

    /// The version 0 request, about one topic.
    fn v0(item: &Self::Item) -> Self;

    /// The version 1 request, about a batch.
    fn v1(items: &[Self::Item], timeout_ms: i32, validate_only: bool) -> Self;

    /// What a version 0 answer carries for its one topic (its error is the top-level one).
    fn v0_payload(response: Self::Response) -> Self::Payload;

    /// The per-topic answers of version 1, as the server sent them.
    fn v1_answers(response: Self::Response) -> Vec<TopicAnswer<Self::Payload>>;

    /// A successful topic's result; `address` and `name` are for the error when the payload is
    /// not what a success must carry.
    fn output(payload: Self::Payload, address: &str, name: &str) -> Result<Self::Output>;
}

impl TopicRequest for CreateTopicRequest {
    type Item = CreatableTopic;
    type Payload = ();
    type Output = ();
    const NEEDS_V1: &'static str = "validate-only and per-topic results (CreateTopic version 1)";

    fn name(item: &CreatableTopic) -> &str {
        &item.name
    }

    fn v0(item: &CreatableTopic) -> Self {
        // Version 0 has the list too, but answers it with one error code.
        CreateTopicRequest { topics: vec![item.clone()], ..Default::default() }
    }

    fn v1(items: &[CreatableTopic], timeout_ms: i32, validate_only: bool) -> Self {
        CreateTopicRequest {
            topics: items.to_vec(),
            timeout_ms,
            validate_only,
            ..Default::default()
        }
    }

    fn v0_payload(_: Self::Response) {}

    fn v1_answers(response: Self::Response) -> Vec<TopicAnswer<()>> {
        response.topics.into_iter().map(|t| (t.name, t.error_code, t.error_message, ())).collect()
    }

    fn output((): (), _: &str, _: &str) -> Result<()> {
        Ok(())
    }
}

impl TopicRequest for AlterTopicRequest {
    type Item = AlterableTopic;
    type Payload = ();
    type Output = ();
    const NEEDS_V1: &'static str = "validate-only and batches (AlterTopic version 1)";

    fn name(item: &AlterableTopic) -> &str {
        &item.name
    }

    fn v0(item: &AlterableTopic) -> Self {
        AlterTopicRequest {
            topic_name: item.name.clone(),
            partitions: item.partitions,
            replica_assignment: item.replica_assignment.clone(),
            added_configs: item.added_configs.clone(),
            deleted_configs: item.deleted_configs.clone(),
            ..Default::default()
        }
    }

    fn v1(items: &[AlterableTopic], timeout_ms: i32, validate_only: bool) -> Self {
        AlterTopicRequest {
            topics: items.to_vec(),
            timeout_ms,
            validate_only,
            ..Default::default()
        }
    }

    fn v0_payload(_: Self::Response) {}

    fn v1_answers(response: Self::Response) -> Vec<TopicAnswer<()>> {
        response.topics.into_iter().map(|t| (t.name, t.error_code, t.error_message, ())).collect()
    }

    fn output((): (), _: &str, _: &str) -> Result<()> {
        Ok(())
    }
}

impl TopicRequest for DeleteTopicRequest {
    type Item = String;
    type Payload = ();
    type Output = ();
    const NEEDS_V1: &'static str = "batches (DeleteTopic version 1)";

    fn name(item: &String) -> &str {
        item
    }

    fn v0(item: &String) -> Self {
        DeleteTopicRequest { topic_name: item.clone(), ..Default::default() }
    }

    fn v1(items: &[String], timeout_ms: i32, _validate_only: bool) -> Self {
        DeleteTopicRequest { topic_names: items.to_vec(), timeout_ms, ..Default::default() }
    }

    fn v0_payload(_: Self::Response) {}

    fn v1_answers(response: Self::Response) -> Vec<TopicAnswer<()>> {
        response.topics.into_iter().map(|t| (t.name, t.error_code, t.error_message, ())).collect()
    }

    fn output((): (), _: &str, _: &str) -> Result<()> {
        Ok(())
    }
}

impl TopicRequest for DescribeTopicRequest {
    type Item = String;
    type Payload = Option<describe_topic_response::TopicDescription>;
    type Output = TopicDescription;
    const NEEDS_V1: &'static str = "batches (DescribeTopic version 1)";

    fn name(item: &String) -> &str {
        item
    }

    fn v0(item: &String) -> Self {
        DescribeTopicRequest { topic_name: item.clone(), ..Default::default() }
    }

    /// Describing changes nothing, so it has no deadline and nothing to validate.
    fn v1(items: &[String], _timeout_ms: i32, _validate_only: bool) -> Self {
        DescribeTopicRequest { topic_names: items.to_vec(), ..Default::default() }
    }

    fn v0_payload(response: Self::Response) -> Self::Payload {
        response.topic_description
    }

    fn v1_answers(response: Self::Response) -> Vec<TopicAnswer<Self::Payload>> {
        response
            .topics
            .into_iter()
            .map(|t| (t.name, t.error_code, t.error_message, t.topic_description))
            .collect()
    }

    fn output(payload: Self::Payload, address: &str, name: &str) -> Result<TopicDescription> {
        let description = payload.ok_or_else(|| {
            Error::protocol(address, format!("DescribeTopic: no description of {name}"))
        })?;
        Ok(describe(description))
    }
}

/// Version 1's per-topic answers, which must be for exactly the topics asked for, in request
/// order: each topic's server error, or what its success carries.
pub(crate) fn per_topic<R: TopicRequest>(
    address: &str,
    asked: &[&str],
    answers: Vec<TopicAnswer<R::Payload>>,
) -> Result<Vec<std::result::Result<R::Payload, ServerError>>> {
    let api = R::KEY.name();
    if answers.len() != asked.len() {
        return Err(Error::protocol(
            address,
            format!("{api}: {} topic results for {} topics", answers.len(), asked.len()),
        ));
    }
    answers
        .into_iter()
        .zip(asked)
        .map(|((name, code, message, payload), asked)| {
            if name != *asked {
                return Err(Error::protocol(
                    address,
                    format!("{api}: a result for {name}, expected {asked}"),
                ));
            }
            Ok(ServerError::check(code, message).map_or(Ok(payload), Err))
        })
        .collect()
}

fn describe(description: describe_topic_response::TopicDescription) -> TopicDescription {
    let details = description.topic_config_details;
    TopicDescription {
        name: description.topic_name,
        partition_count: details.partitions,
        replication_factor: details.replication_factor,
        configs: details.configs.into_iter().map(|c| (c.key, c.value)).collect::<BTreeMap<_, _>>(),
        partitions: description
            .topic_partition_details
            .into_iter()
            .map(|p| PartitionDescription {
                partition: p.partition_id,
                leader: (p.leader >= 0).then_some(p.leader),
                replicas: p.replicas,
                isr: p.isr,
            })
            .collect(),
    }
}
