//! What the cluster link tests share beyond `adminwire_test_support::link_data`: a client of a
//! cluster, as the link engine has one, and raw connections through a sidecar to a partition's
//! leader.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use adminwire_kafka::client::Client;
use adminwire_test_support::wire::RawConnection;
use adminwire_test_support::{Cluster, wait_until};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::metadata_response::MetadataResponseTopic;
use kafka_protocol::messages::{ApiKey, MetadataRequest, MetadataResponse};
use kafka_protocol::protocol::StrBytes;

/// A client of `cluster`, as the link engine has one.
pub fn client(cluster: &Cluster) -> Arc<Client> {
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    Arc::new(Client::new(bootstrap, None, Duration::from_secs(30)))
}

/// The topics `topics` as the sidecar at `bootstrap` describes them (v12), once each has a leader
/// for partition 0.
pub struct Led {
    pub metadata: MetadataResponse,
}

impl Led {
    pub fn wait(bootstrap: &str, topics: &[&str]) -> Self {
        let mut connection = RawConnection::connect(bootstrap);
        let wanted = topics.iter().map(|t| {
            MetadataRequestTopic::default()
                .with_name(Some(StrBytes::from_string((*t).into()).into()))
        });
        let request = MetadataRequest::default().with_topics(Some(wanted.collect()));
        let found = wait_until(Duration::from_secs(60), "every topic has a leader", || {
            connection.send(ApiKey::Metadata, 12, 1, &request);
            let (_, answer): (i32, MetadataResponse) = connection.receive(ApiKey::Metadata, 12);
            let led = answer.topics.iter().all(|t| {
                t.error_code == 0 && t.partitions.first().is_some_and(|p| p.leader_id.0 >= 0)
            });
            if led { Ok(answer) } else { Err(format!("{answer:?}")) }
        });
        Self { metadata: found.unwrap_or_else(|e| panic!("{e}")) }
    }

    pub fn topic(&self, name: &str) -> &MetadataResponseTopic {
        let found = self
            .metadata
            .topics
            .iter()
            .find(|t| t.name.as_ref().is_some_and(|n| n.as_str() == name));
        found.unwrap_or_else(|| panic!("{name} not described"))
    }

    /// A connection to the leader of `topic`'s partition 0, at the address the sidecar gave.
    pub fn leader_of(&self, topic: &str) -> RawConnection {
        let leader = self.topic(topic).partitions[0].leader_id;
        let broker =
            self.metadata.brokers.iter().find(|b| b.node_id == leader).expect("its leader");
        RawConnection::connect(&format!("{}:{}", broker.host, broker.port))
    }
}
