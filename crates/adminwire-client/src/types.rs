//! The values the client's methods take and return: topics to create or alter, descriptions,
//! per-topic results of batches, the cluster's brokers. Results are plain structs that serialize
//! with serde, so a tool can print them as JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, ServerError};

/// A broker's node id.
pub type BrokerId = i32;

/// A broker of the cluster, at the address clients use (the sidecar's listener for it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Broker {
    /// The node id.
    pub node_id: BrokerId,
    /// The host clients connect to.
    pub host: String,
    /// The port clients connect to.
    pub port: u16,
    /// The broker's rack, if it has one (servers answering version 0 send none).
    pub rack: Option<String>,
}

impl Broker {
    /// `host:port`.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Broker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (id: {})", self.address(), self.node_id)
    }
}

/// The cluster's brokers and the one serving as controller, from ClusterMetadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterMetadata {
    /// Every broker, as the server lists them.
    pub brokers: Vec<Broker>,
    /// The controller, where admin requests go; `None` while the cluster has none it can name.
    pub controller: Option<Broker>,
    /// The cluster's id, if the server said (version 1 only).
    pub cluster_id: Option<String>,
}

/// A partition of a topic.
///
/// ```
/// use adminwire_client::TopicPartition;
///
/// assert_eq!(TopicPartition::new("orders", 3).to_string(), "orders-3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TopicPartition {
    /// The topic's name.
    pub topic: String,
    /// The partition's id.
    pub partition: i32,
}

impl TopicPartition {
    /// Partition `partition` of `topic`.
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        Self { topic: topic.into(), partition }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// Where each partition's replicas are, preferred leader first: `kafka-topics
/// --replica-assignment` as a value. Parse it from that form (`1:2:3,2:3:1`) or build it from
/// lists. Whether the brokers exist, or a broker is listed twice, is for the server to judge
/// (1006 InvalidArgumentReplicaAssignment).
///
/// ```
/// use adminwire_client::ReplicaAssignment;
///
/// let assignment: ReplicaAssignment = "1:2:3, 2:3:1".parse().unwrap();
/// assert_eq!(assignment.partitions(), &[vec![1, 2, 3], vec![2, 3, 1]]);
/// assert_eq!(assignment.to_string(), "1:2:3,2:3:1");
/// assert!("1:two".parse::<ReplicaAssignment>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReplicaAssignment(Vec<Vec<BrokerId>>);

impl ReplicaAssignment {
    /// Partition `i` on `partitions[i]`. Refuses an assignment with no partitions, or a
    /// partition with no replicas: neither can be written in the wire form.
    pub fn new(partitions: Vec<Vec<BrokerId>>) -> Result<Self, Error> {
        if partitions.is_empty() {
            return Err(Error::InvalidArgument("a replica assignment needs a partition".into()));
        }
        if let Some(i) = partitions.iter().position(Vec::is_empty) {
            return Err(Error::InvalidArgument(format!("partition {i} has no replicas")));
        }
        Ok(Self(partitions))
    }

    /// Each partition's replicas, in partition order.
    pub fn partitions(&self) -> &[Vec<BrokerId>] {
        &self.0
    }
}

impl FromStr for ReplicaAssignment {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let partitions = text
            .split(',')
            .map(|partition| {
                partition
                    .split(':')
                    .map(|id| {
                        id.trim().parse::<BrokerId>().map_err(|_| {
                            Error::InvalidArgument(format!(
                                "replica assignment {text:?}: {:?} is not a broker id",
                                id.trim()
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(partitions)
    }
}

impl fmt::Display for ReplicaAssignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, replicas) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            for (j, id) in replicas.iter().enumerate() {
                if j > 0 {
                    f.write_str(":")?;
                }
                write!(f, "{id}")?;
            }
        }
        Ok(())
    }
}

/// How a new topic's partitions are laid out: the seed's two forms of `createTopic`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicLayout {
    /// This many partitions with this many replicas each, placed by the cluster.
    Sized {
        /// The partition count.
        partitions: u32,
        /// The replicas per partition.
        replication_factor: u16,
    },
    /// Exactly these replicas; the partition count and replication factor follow from it.
    Assigned(ReplicaAssignment),
}

/// A topic to create.
///
/// ```
/// use adminwire_client::NewTopic;
///
/// let orders = NewTopic::new("orders", 6, 3).config("retention.ms", "86400000");
/// let placed = NewTopic::with_assignment("audit", "1:2,2:3".parse().unwrap());
/// # let _ = (orders, placed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTopic {
    /// The topic's name.
    pub name: String,
    /// Its partitions.
    pub layout: TopicLayout,
    /// Topic-level configs to set; empty for the cluster's defaults.
    pub configs: BTreeMap<String, String>,
}

impl NewTopic {
    /// `partitions` partitions of `replication_factor` replicas each, placed by the cluster.
    pub fn new(name: impl Into<String>, partitions: u32, replication_factor: u16) -> Self {
        Self {
            name: name.into(),
            layout: TopicLayout::Sized { partitions, replication_factor },
            configs: BTreeMap::new(),
        }
    }

    /// Partitions placed exactly as `assignment` says.
    pub fn with_assignment(name: impl Into<String>, assignment: ReplicaAssignment) -> Self {
        Self {
            name: name.into(),
            layout: TopicLayout::Assigned(assignment),
            configs: BTreeMap::new(),
        }
    }

    /// Adds a topic-level config.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.configs.insert(key.into(), value.into());
        self
    }
}

/// Changes to one topic: more partitions (optionally placed), configs set or removed. The seed's
/// `alterTopic`.
///
/// ```
/// use adminwire_client::TopicAlteration;
///
/// let change = TopicAlteration::new("orders")
///     .partitions(12)
///     .set_config("retention.ms", "3600000")
///     .delete_config("cleanup.policy");
/// assert_eq!(change.partitions, Some(12));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TopicAlteration {
    /// The topic to alter.
    pub name: String,
    /// The new partition count; `None` leaves it. It cannot shrink (1004).
    pub partitions: Option<u32>,
    /// Where the *added* partitions go; `None` lets the cluster place them.
    pub assignment: Option<ReplicaAssignment>,
    /// Topic-level configs to set.
    pub set_configs: BTreeMap<String, String>,
    /// Topic-level configs to remove, back to the cluster's defaults.
    pub delete_configs: Vec<String>,
}

impl TopicAlteration {
    /// No change yet to `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Default::default() }
    }

    /// Grows the topic to `count` partitions.
    pub fn partitions(mut self, count: u32) -> Self {
        self.partitions = Some(count);
        self
    }

    /// Places the added partitions.
    pub fn assignment(mut self, assignment: ReplicaAssignment) -> Self {
        self.assignment = Some(assignment);
        self
    }

    /// Sets a topic-level config.
    pub fn set_config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_configs.insert(key.into(), value.into());
        self
    }

    /// Removes a topic-level config.
    pub fn delete_config(mut self, key: impl Into<String>) -> Self {
        self.delete_configs.push(key.into());
        self
    }
}

/// Options of the batch forms that change the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchOptions {
    /// Check everything, change nothing (needs version 1).
    pub validate_only: bool,
}

/// A topic's description: the seed's DescribeTopicOutput.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicDescription {
    /// The topic's name.
    pub name: String,
    /// The number of partitions.
    pub partition_count: i32,
    /// The replication factor.
    pub replication_factor: i32,
    /// The topic-level configs that override the cluster's defaults.
    pub configs: BTreeMap<String, String>,
    /// Each partition, in the server's order.
    pub partitions: Vec<PartitionDescription>,
}

/// One partition of a [`TopicDescription`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionDescription {
    /// The partition's id.
    pub partition: i32,
    /// The leader, or `None` if the partition has none.
    pub leader: Option<BrokerId>,
    /// The replicas, preferred leader first.
    pub replicas: Vec<BrokerId>,
    /// The in-sync replicas.
    pub isr: Vec<BrokerId>,
}

/// What became of one topic of a batch: `Ok(value)` or the server's error for that topic.
/// Serializes as `{"topic": name, "ok": value}` or `{"topic": name, "error": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicResult<T> {
    /// The topic, as the request named it.
    pub topic: String,
    /// Its outcome.
    pub result: Result<T, ServerError>,
}

impl<T> TopicResult<T> {
    /// Whether this topic succeeded.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

impl<T: Serialize> Serialize for TopicResult<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("topic", &self.topic)?;
        match &self.result {
            Ok(value) => map.serialize_entry("ok", value)?,
            Err(error) => map.serialize_entry("error", error)?,
        }
        map.end()
    }
}

/// How the server took one partition of a reassignment or election it was asked to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionResult {
    /// The partition.
    #[serde(flatten)]
    pub partition: TopicPartition,
    /// `None` if it was started (or, for an election, not needed), else why not.
    pub error: Option<ServerError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_assignments_need_partitions_with_replicas() {
        for bad in ["", "1,,2", "1:", "a", "1:2,3:x"] {
            assert!(bad.parse::<ReplicaAssignment>().is_err(), "{bad:?}");
        }
        assert_eq!("7".parse::<ReplicaAssignment>().unwrap().partitions(), &[vec![7]]);
    }

    #[test]
    fn topic_results_serialize_as_ok_or_error() {
        let ok = TopicResult { topic: "a".into(), result: Ok(()) };
        assert_eq!(
            serde_json::to_value(&ok).unwrap(),
            serde_json::json!({"topic": "a", "ok": null})
        );
        let failed: TopicResult<()> = TopicResult {
            topic: "b".into(),
            result: Err(ServerError::new(adminwire_protocol::ErrorCode(1002), None)),
        };
        let json = serde_json::to_value(&failed).unwrap();
        assert_eq!(json["error"]["code"], 1002);
        assert_eq!(json["error"]["name"], "TopicAlreadyExists");
    }

    #[test]
    fn ipv6_brokers_are_bracketed() {
        let broker = Broker { node_id: 1, host: "::1".into(), port: 9092, rack: None };
        assert_eq!(broker.address(), "[::1]:9092");
    }
}
