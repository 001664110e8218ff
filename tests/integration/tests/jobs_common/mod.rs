//! What the `jobs_*` tests share: what a job may leave behind on the cluster.
#![allow(dead_code)]

use adminwire_kafka::client::{Client, To};
use kafka_protocol::messages::DescribeConfigsRequest;
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::protocol::StrBytes;

/// The brokers' and `topic`'s own throttle settings, as `name=value`.
pub async fn throttles_left(client: &Client, topic: &str) -> Vec<String> {
    let mut left = Vec::new();
    let resources = [(4, "1"), (4, "2"), (4, "3"), (2, topic)];
    for (kind, name) in resources {
        let request = DescribeConfigsRequest::default().with_resources(vec![
            DescribeConfigsResource::default()
                .with_resource_type(kind)
                .with_resource_name(StrBytes::from_string(name.to_owned())),
        ]);
        let to = if kind == 4 { To::Broker(name.parse().unwrap()) } else { To::Any };
        let answer = client.call(to, request).await.unwrap();
        left.extend(answer.results.iter().flat_map(|r| &r.configs).filter_map(|c| {
            // A broker's or topic's own setting (not a default).
            let own = matches!(c.config_source, 1 | 2);
            (own && c.name.contains("throttled"))
                .then(|| format!("{name} {}={:?}", c.name, c.value.as_deref()))
        }));
    }
    left
}
