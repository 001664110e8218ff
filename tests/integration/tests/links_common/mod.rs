//! What the cluster link tests share beyond `adminwire_test_support::link_data`: a client of a
//! cluster, as the link engine has one.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use adminwire_kafka::client::Client;
use adminwire_test_support::Cluster;

/// A client of `cluster`, as the link engine has one.
pub fn client(cluster: &Cluster) -> Arc<Client> {
    let bootstrap = cluster.bootstrap().split(',').map(str::to_owned).collect();
    Arc::new(Client::new(bootstrap, None, Duration::from_secs(30)))
}
