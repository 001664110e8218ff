//! The extension's half of `scripts/bench/admin`: creates COUNT topics (1 partition, replication
//! factor 3) with one CreateTopic v1, describes them with one DescribeTopic v1 and deletes them
//! with one DeleteTopic v1, over a blocking connection to the sidecar, and prints the wall-clock
//! milliseconds of each phase as `create MS describe MS delete MS`.
//!
//!   cargo run --release -p adminwire-protocol --example admin_bench -- SIDECAR PREFIX COUNT
//!
//! The same as `scripts/bench/AdminBench.java` does with Kafka's Admin: one untimed warm-up cycle
//! first; between creation and description, and after deletion, an untimed wait until every
//! topic is described (with a leader) or gone, then 500 ms. Any per-topic error fails the run.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use adminwire_protocol::generated::create_topic_request::CreatableTopic;
use adminwire_protocol::{
    AdminRequest, AdminResponse, CreateTopicRequest, DeleteTopicRequest, DescribeTopicRequest,
    decode_response, encode_request,
};
use bytes::BytesMut;

const TIMEOUT_MS: i32 = 60_000;

/// One topic of a DescribeTopic response: its error and whether every partition has a leader.
struct Described {
    name: String,
    error_code: i16,
    error_message: Option<String>,
    led: bool,
}

struct Connection {
    stream: TcpStream,
    correlation_id: i32,
}

impl Connection {
    fn call(&mut self, request: AdminRequest) -> AdminResponse {
        let api_key = request.api_key();
        self.correlation_id += 1;
        let mut buf = BytesMut::new();
        encode_request(&request, 1, self.correlation_id, Some("admin-bench"), &mut buf)
            .expect("encode");
        self.stream.write_all(&buf).expect("send");
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size).expect("read the response size");
        let mut payload = vec![0; i32::from_be_bytes(size) as usize];
        self.stream.read_exact(&mut payload).expect("read the response");
        let (header, response) = decode_response(api_key, 1, &payload).expect("decode");
        assert_eq!(header.correlation_id, self.correlation_id, "correlation id");
        response
    }

    fn create(&mut self, names: &[String]) {
        let request = CreateTopicRequest {
            topics: names
                .iter()
                .map(|name| CreatableTopic {
                    name: name.clone(),
                    partitions: 1,
                    replication_factor: 3,
                    ..Default::default()
                })
                .collect(),
            timeout_ms: TIMEOUT_MS,
            ..Default::default()
        };
        let AdminResponse::CreateTopic(response) = self.call(request.into()) else {
            panic!("not a CreateTopic response")
        };
        let errors = response.topics.iter().map(|t| (&t.name, t.error_code, &t.error_message));
        check("CreateTopic", response.error_code, names.len(), errors);
    }

    /// The response's error code and its topics.
    fn describe(&mut self, names: &[String]) -> (i16, Vec<Described>) {
        let request = DescribeTopicRequest { topic_names: names.to_vec(), ..Default::default() };
        let AdminResponse::DescribeTopic(response) = self.call(request.into()) else {
            panic!("not a DescribeTopic response")
        };
        let topics = response
            .topics
            .into_iter()
            .map(|t| {
                let led = t.topic_description.as_ref().is_some_and(|d| {
                    !d.topic_partition_details.is_empty()
                        && d.topic_partition_details.iter().all(|p| p.leader >= 0)
                });
                Described {
                    name: t.name,
                    error_code: t.error_code,
                    error_message: t.error_message,
                    led,
                }
            })
            .collect();
        (response.error_code, topics)
    }

    fn delete(&mut self, names: &[String]) {
        let request = DeleteTopicRequest {
            topic_names: names.to_vec(),
            timeout_ms: TIMEOUT_MS,
            ..Default::default()
        };
        let AdminResponse::DeleteTopic(response) = self.call(request.into()) else {
            panic!("not a DeleteTopic response")
        };
        let errors = response.topics.iter().map(|t| (&t.name, t.error_code, &t.error_message));
        check("DeleteTopic", response.error_code, names.len(), errors);
    }

    /// Untimed: until every topic is described with leaders (`present`) or unknown (`!present`).
    fn settle(&mut self, names: &[String], present: bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, topics) = self.describe(names);
            let done = topics.len() == names.len()
                && topics
                    .iter()
                    .all(|t| if present { t.error_code == 0 && t.led } else { t.error_code == 3 });
            if done {
                break;
            }
            assert!(Instant::now() < deadline, "topics not settled (present: {present})");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(500));
    }

    /// Creates, describes and deletes `names`; the milliseconds of each phase.
    fn cycle(&mut self, names: &[String]) -> [f64; 3] {
        let start = Instant::now();
        self.create(names);
        let create = ms(start);
        self.settle(names, true);

        let start = Instant::now();
        let (code, topics) = self.describe(names);
        let describe = ms(start);
        let errors = topics.iter().map(|t| (&t.name, t.error_code, &t.error_message));
        check("DescribeTopic", code, names.len(), errors);

        let start = Instant::now();
        self.delete(names);
        let delete = ms(start);
        self.settle(names, false);
        [create, describe, delete]
    }
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Fails loudly unless the response and every one of its `expected` topics have error code 0.
fn check<'a>(
    what: &str,
    code: i16,
    expected: usize,
    topics: impl Iterator<Item = (&'a String, i16, &'a Option<String>)>,
) {
    assert_eq!(code, 0, "{what}: error code {code}");
    let mut count = 0;
    for (name, code, message) in topics {
        assert_eq!(code, 0, "{what} {name}: error code {code} {message:?}");
        count += 1;
    }
    assert_eq!(count, expected, "{what}: {count} topic results for {expected} topics");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [address, prefix, count] = args.as_slice() else {
        eprintln!("usage: admin_bench SIDECAR PREFIX COUNT");
        std::process::exit(2);
    };
    let count: usize = count.parse().expect("COUNT is a number");
    let names = |prefix: &str| (0..count).map(|i| format!("{prefix}-{i}")).collect::<Vec<_>>();

    let stream = TcpStream::connect(address).expect("connect to the sidecar");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    stream.set_read_timeout(Some(Duration::from_secs(120))).expect("read timeout");
    let mut connection = Connection { stream, correlation_id: 0 };

    connection.cycle(&names(&format!("{prefix}-warm")));
    let [create, describe, delete] = connection.cycle(&names(prefix));
    println!("create {create:.1} describe {describe:.1} delete {delete:.1}");
}
