#!/usr/bin/env python3
"""confluent-kafka (librdkafka) clients through one bootstrap address.

Driven by the Rust integration tests (python_clients.rs, sidecar_faults.rs) with the sidecar's
bootstrap address and the set of addresses it serves on; every broker address a client is handed
must be one of those. Exits non-zero with a message naming the failed check.

  roundtrip  AdminClient create/list/describe/alter/grow/delete, an idempotent Producer of N
             records (every delivery callback successful) and a Consumer group reading them back.
  produce    An idempotent acks=all Producer spreading N records over --seconds; prints
             "acked <count>" lines as deliveries come in, then a JSON summary. Exits non-zero if
             any record is not acknowledged.
  consume    A Consumer group reading --records records from the start; prints a JSON summary
             and exits non-zero unless exactly the records "<prefix>-0".."<prefix>-(N-1)" came.
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewPartitions,
    NewTopic,
    OffsetSpec,
    ResourceType,
)

TIMEOUT = 30


def fail(message):
    sys.exit(f"confluent-kafka: {message}")


def check(condition, message):
    if not condition:
        fail(message)


def check_address(allowed, host, port, where):
    address = f"{host}:{port}"
    check(address in allowed, f"{where}: broker address {address} is not the sidecar's {sorted(allowed)}")


def wait_for(what, probe, timeout=30.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        ok, last = probe()
        if ok:
            return last
        time.sleep(0.2)
    fail(f"timed out after {timeout}s waiting for {what}; last saw {last}")


def wait_all(futures, what):
    for key, future in futures.items():
        try:
            future.result(timeout=TIMEOUT)
        except Exception as e:  # noqa: BLE001 - any failure is the check failing
            fail(f"{what} {key}: {e!r}")


def led_partitions(admin, topic):
    md = admin.list_topics(topic=topic, timeout=TIMEOUT)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        return [], md
    return [p for p in t.partitions.values() if p.leader >= 0 and p.error is None], md


def wait_for_leaders_to_serve(admin, topic, partitions=None):
    """Waits until the leader of every partition of `topic` serves it (answers ListOffsets for
    it), not only until some broker's metadata names a leader. An idempotent producer with several
    requests in flight must not produce before that: if its first request reaches a leader that
    has not applied the partition yet (NOT_LEADER_OR_FOLLOWER, retriable) and its second arrives
    just after, the broker appends the second (it has no state for the producer, so it takes any
    first sequence), and every retry of the first then fails with OUT_OF_ORDER_SEQUENCE_NUMBER
    until its delivery timeout (KAFKA-15591, fixed in Kafka 4.5; the test cluster runs 4.1).
    `partitions`, if given, is how many the topic must have (a broker may not know all yet)."""
    def served():
        md = admin.list_topics(topic=topic, timeout=TIMEOUT)
        t = md.topics.get(topic)
        if t is None or t.error is not None or not t.partitions:
            return False, f"metadata: {t.error if t is not None else 'no such topic'}"
        if partitions is not None and len(t.partitions) != partitions:
            return False, f"metadata: {len(t.partitions)} partitions, expected {partitions}"
        latest = {TopicPartition(topic, p): OffsetSpec.latest() for p in t.partitions}
        futures = admin.list_offsets(latest, request_timeout=10)
        failed = []
        for tp, future in futures.items():
            try:
                future.result(timeout=TIMEOUT)
            except Exception as e:  # noqa: BLE001 - a partition not served yet
                failed.append(f"partition {tp.partition}: {e!r}")
        return not failed, failed

    wait_for(f"every partition's leader to serve {topic}", served)


def admin_steps(admin, allowed, topic):
    wait_all(admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)]), "create_topics")

    def three_led():
        led, md = led_partitions(admin, topic)
        return len(led) == 3, md

    md = wait_for(f"{topic} with 3 led partitions", three_led)
    check(len(md.brokers) == 3, f"list_topics: {len(md.brokers)} brokers: {md.brokers}")
    for b in md.brokers.values():
        check_address(allowed, b.host, b.port, "list_topics")
    for p in md.topics[topic].partitions.values():
        check(sorted(p.replicas) == [1, 2, 3], f"partition {p.id}: replicas {p.replicas}, expected RF 3")
        check(p.leader in md.brokers, f"partition {p.id}: leader {p.leader} is not a listed broker")
    # The list of brokers the DescribeCluster API gives.
    cluster = admin.describe_cluster(request_timeout=TIMEOUT).result(timeout=TIMEOUT)
    check(len(cluster.nodes) == 3, f"describe_cluster: {cluster.nodes}")
    for node in cluster.nodes:
        check_address(allowed, node.host, node.port, "describe_cluster")

    resource = ConfigResource(
        ResourceType.TOPIC,
        topic,
        incremental_configs=[
            ConfigEntry("retention.ms", "3600000", incremental_operation=AlterConfigOpType.SET),
            ConfigEntry("max.message.bytes", "2000000", incremental_operation=AlterConfigOpType.SET),
        ],
    )
    wait_all(admin.incremental_alter_configs([resource]), "incremental_alter_configs")

    def configs_applied():
        futures = admin.describe_configs([ConfigResource(ResourceType.TOPIC, topic)])
        try:
            configs = list(futures.values())[0].result(timeout=TIMEOUT)
        except KafkaException as e:
            # The broker asked may not have applied the topic's creation yet (brokers apply
            # metadata each on their own; seen on Kafka 3.9): not yet, ask again.
            if e.args[0].code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                return False, repr(e)
            raise
        values = {k: v.value for k, v in configs.items() if k in ("retention.ms", "max.message.bytes")}
        return values == {"retention.ms": "3600000", "max.message.bytes": "2000000"}, values

    wait_for("the altered topic configs to be described", configs_applied)

    wait_all(admin.create_partitions([NewPartitions(topic, 6)]), "create_partitions")

    def six_led():
        led, _ = led_partitions(admin, topic)
        return len(led) == 6, [p.id for p in led]

    wait_for(f"{topic} grown to 6 partitions", six_led)


def make_producer(bootstrap):
    return Producer({
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        # Long enough to ride out a broker being killed, fenced and restarted.
        "message.timeout.ms": 120000,
        "retry.backoff.ms": 200,
    })


def produce_records(producer, topic, prefix, count, seconds=0.0, progress=False):
    acked = []
    failed = []

    def on_delivery(err, msg):
        if err is not None:
            failed.append((msg.key(), str(err)))
        else:
            acked.append((msg.partition(), msg.offset()))

    started = time.monotonic()
    last_report = 0
    for i in range(count):
        if seconds:
            # Spread the records evenly over the run.
            due = started + seconds * i / count
            while time.monotonic() < due:
                producer.poll(min(0.05, max(0.0, due - time.monotonic())))
        while True:
            try:
                producer.produce(topic, key=f"k{i}", value=f"{prefix}-{i}", on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
        if progress and len(acked) != last_report:
            last_report = len(acked)
            print(f"acked {last_report}", flush=True)
    while True:
        remaining = producer.flush(1.0)
        if progress and len(acked) != last_report:
            last_report = len(acked)
            print(f"acked {last_report}", flush=True)
        if remaining == 0:
            break
        check(time.monotonic() - started < seconds + 150, f"{remaining} records still unacknowledged")
    check(not failed, f"{len(failed)} deliveries failed, first: {failed[:3]}")
    check(len(acked) == count, f"{len(acked)} delivery reports for {count} records")
    check(len(set(acked)) == count, "two records were acknowledged at the same offset")
    return acked, time.monotonic() - started


def consume_records(bootstrap, topic, group, prefix, count, timeout=90):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    seen = {}
    deadline = time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            fail(f"consumer error: {msg.error()}")
        seen[msg.key().decode()] = msg.value().decode()
    check(len(seen) == count, f"consumer group {group} read {len(seen)} of {count} records")
    for i in range(count):
        check(seen.get(f"k{i}") == f"{prefix}-{i}", f"record k{i} has value {seen.get(f'k{i}')!r}")
    consumer.commit(asynchronous=False)
    consumer.close()


def roundtrip(args, allowed):
    started = time.monotonic()
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    admin_steps(admin, allowed, args.topic)
    wait_for_leaders_to_serve(admin, args.topic, partitions=6)
    admin_done = time.monotonic()

    producer = make_producer(args.bootstrap)
    acked, _ = produce_records(producer, args.topic, "confluent", args.records)
    md = producer.list_topics(timeout=TIMEOUT)
    for b in md.brokers.values():
        check_address(allowed, b.host, b.port, "producer metadata")
    consume_records(args.bootstrap, args.topic, args.group, "confluent", args.records)
    clients_done = time.monotonic()

    wait_all(admin.delete_topics([args.topic], operation_timeout=TIMEOUT), "delete_topics")
    wait_for(f"{args.topic} gone", lambda: (args.topic not in admin.list_topics(timeout=TIMEOUT).topics, None))
    print(json.dumps({
        "client": "confluent-kafka",
        "librdkafka": __import__("confluent_kafka").libversion()[0],
        "records": args.records,
        "partitions_used": len({p for p, _ in acked}),
        "admin_seconds": round(admin_done - started, 2),
        "produce_consume_seconds": round(clients_done - admin_done, 2),
    }))


def produce(args, allowed):
    wait_for_leaders_to_serve(AdminClient({"bootstrap.servers": args.bootstrap}), args.topic)
    producer = make_producer(args.bootstrap)
    acked, took = produce_records(producer, args.topic, args.prefix, args.records, args.seconds, progress=True)
    md = producer.list_topics(timeout=TIMEOUT)
    for b in md.brokers.values():
        check_address(allowed, b.host, b.port, "producer metadata")
    print(json.dumps({"acked": len(acked), "seconds": round(took, 2)}), flush=True)


def consume(args, allowed):
    started = time.monotonic()
    consume_records(args.bootstrap, args.topic, args.group, args.prefix, args.records)
    print(json.dumps({"consumed": args.records, "seconds": round(time.monotonic() - started, 2)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["roundtrip", "produce", "consume"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--allowed", required=True, help="comma-separated host:port the client may be given")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", default=None)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--prefix", default="confluent")
    parser.add_argument("--seconds", type=float, default=0.0, help="produce: spread the records over this long")
    args = parser.parse_args()
    allowed = set(args.allowed.split(","))
    if args.mode in ("roundtrip", "consume") and not args.group:
        parser.error("--group is required")
    {"roundtrip": roundtrip, "produce": produce, "consume": consume}[args.mode](args, allowed)


if __name__ == "__main__":
    main()
