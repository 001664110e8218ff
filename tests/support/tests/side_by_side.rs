//! Two clusters at once (the migration features will need a source and a target): the plain and
//! the secured cluster of this run live in their own dirs and on their own ports, and are
//! independent clusters, not two views of one.

use std::collections::BTreeSet;

use adminwire_test_support::{Cluster, describe_cluster_with_kafka_python, unique_topic};

#[test]
fn plain_and_secure_clusters_run_side_by_side_independently() {
    let plain = Cluster::plain();
    let secure = Cluster::secure();
    assert_ne!(plain.dir(), secure.dir());

    let ports = |c: &Cluster| -> BTreeSet<u16> {
        c.node_ids().into_iter().flat_map(|n| [c.node_port(n), c.controller_port(n)]).collect()
    };
    let (p, s) = (ports(plain), ports(secure));
    assert_eq!(p.len(), 6);
    assert_eq!(s.len(), 6);
    assert!(p.is_disjoint(&s), "{p:?} {s:?}");

    // Both answer at the same time, each with its own three brokers on its own ports.
    let brokers_of = |c: &Cluster, user| -> BTreeSet<u16> {
        describe_cluster_with_kafka_python(c, user).brokers.iter().map(|b| b.port).collect()
    };
    let plain_brokers = brokers_of(plain, None);
    let secure_brokers = brokers_of(secure, Some("admin"));
    assert_eq!(plain_brokers, plain.node_ids().into_iter().map(|n| plain.node_port(n)).collect());
    assert_eq!(
        secure_brokers,
        secure.node_ids().into_iter().map(|n| secure.node_port(n)).collect()
    );

    // A topic created on one does not exist on the other.
    let topic = unique_topic("side-by-side");
    plain
        .topic_command("admin", &["--create", "--topic", &topic, "--partitions", "1"])
        .expect_success("create on the plain cluster");
    plain.wait_for_topic(None, &topic, 1);
    let listed = |c: &Cluster| -> bool {
        c.topic_command("admin", &["--list"])
            .expect_success("TopicCommand --list")
            .lines()
            .any(|l| l == topic)
    };
    assert!(listed(plain));
    assert!(!listed(secure));
}
