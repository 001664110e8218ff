#!/usr/bin/env python3
"""kafka-python's admin client, producer and consumer, all through one bootstrap address.

Driven by tests/integration/tests/python_clients.rs with the sidecar's bootstrap address and the
set of addresses it serves on. Every broker address the client is handed must be one of those.
Exits non-zero with a message naming the failed check; prints a one-line JSON summary on success.
"""
import argparse
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import AlterConfigOp, ConfigResource, ConfigResourceType, KafkaAdminClient


def fail(message):
    sys.exit(f"kafka-python: {message}")


def check(condition, message):
    if not condition:
        fail(message)


def pick(d, *names, default=None):
    for name in names:
        if name in d:
            return d[name]
    return default


def check_address(allowed, host, port, where):
    address = f"{host}:{port}"
    check(address in allowed, f"{where}: broker address {address} is not the sidecar's {sorted(allowed)}")


def check_known_brokers(client_cluster, allowed, where):
    """Every broker a client's metadata cache knows, i.e. every address it may connect to."""
    brokers = list(client_cluster.brokers())
    check(len(brokers) == 3, f"{where}: client knows {len(brokers)} brokers, expected 3: {brokers}")
    for b in brokers:
        check_address(allowed, b.host, b.port, where)


def wait_for(what, probe, timeout=30.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        ok, last = probe()
        if ok:
            return last
        time.sleep(0.2)
    fail(f"timed out after {timeout}s waiting for {what}; last saw {last}")


def partitions_of(admin, topic):
    [t] = admin.describe_topics([topic])
    error = pick(t, "error_code", default=0)
    return error, t.get("partitions", [])


def admin_steps(admin, allowed, topic):
    result = admin.create_topics({topic: {"num_partitions": 3, "replication_factor": 3}})
    errors = [pick(t, "error_code", default=0) for t in result["topics"]]
    check(errors == [0], f"create_topics {topic}: {result}")

    def three_led():
        error, parts = partitions_of(admin, topic)
        led = [p for p in parts if pick(p, "leader_id", "leader", default=-1) >= 0]
        return error == 0 and len(parts) == 3 and len(led) == 3, (error, parts)

    _, parts = wait_for(f"{topic} with 3 led partitions", three_led)
    for p in parts:
        replicas = pick(p, "replica_nodes", "replicas")
        check(sorted(replicas) == [1, 2, 3], f"partition {p}: replication factor is not 3")

    cluster = admin.describe_cluster()
    brokers = cluster["brokers"]
    check(len(brokers) == 3, f"describe_cluster: {len(brokers)} brokers: {cluster}")
    for b in brokers:
        check_address(allowed, b["host"], b["port"], "describe_cluster")
    check_known_brokers(admin._manager.cluster, allowed, "admin client metadata")

    admin.create_partitions({topic: 6})

    def six_led():
        error, parts = partitions_of(admin, topic)
        led = [p for p in parts if pick(p, "leader_id", "leader", default=-1) >= 0]
        return error == 0 and len(led) == 6, (error, parts)

    wait_for(f"{topic} grown to 6 partitions", six_led)

    resource = ConfigResource(
        ConfigResourceType.TOPIC,
        topic,
        configs={"retention.ms": (AlterConfigOp.SET, "3600000"), "cleanup.policy": (AlterConfigOp.SET, "compact,delete")},
    )
    def alter():
        # kafka-python checks the names against the topic's configs as one broker describes them
        # first; a broker that has not applied the new topic yet knows none of them. Setting the
        # same values again is harmless, so ask again until the check passes.
        try:
            return True, admin.alter_configs([resource])
        except ValueError as e:
            if "Unrecognized configs" not in str(e):
                raise
            return False, str(e)

    altered = wait_for("alter_configs to know the topic's configs", alter)
    outcome = altered["topic"][topic]
    check(not outcome or getattr(outcome, "errno", 0) == 0, f"alter_configs: {altered}")

    def configs_applied():
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        configs = described["topic"][topic]
        values = {k: pick(v, "value", "config_value") for k, v in configs.items()}
        ok = values.get("retention.ms") == "3600000" and values.get("cleanup.policy") == "compact,delete"
        return ok, values

    wait_for("the altered topic configs to be described", configs_applied)


def produce(bootstrap, allowed, topic, count):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap.split(","),
        acks="all",
        retries=10,
        linger_ms=5,
        request_timeout_ms=30000,
    )
    futures = [
        producer.send(topic, key=f"k{i}".encode(), value=f"kafka-python-{i}".encode())
        for i in range(count)
    ]
    producer.flush(timeout=60)
    offsets = set()
    for i, f in enumerate(futures):
        try:
            md = f.get(timeout=30)
        except Exception as e:  # noqa: BLE001 - any failure is a failed record
            fail(f"record {i} was not acknowledged: {e!r}")
        offsets.add((md.partition, md.offset))
    check(len(offsets) == count, f"{len(offsets)} distinct (partition, offset) for {count} records")
    check_known_brokers(producer._metadata, allowed, "producer metadata")
    producer.close(timeout=30)
    return len({p for p, _ in offsets})


def consume(bootstrap, allowed, topic, group, count):
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap.split(","),
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        request_timeout_ms=30000,
    )
    seen = {}
    deadline = time.monotonic() + 90
    while len(seen) < count and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            for r in records:
                seen[r.key.decode()] = r.value.decode()
    check(len(seen) == count, f"consumer group {group} read {len(seen)} of {count} records")
    for i in range(count):
        check(seen.get(f"k{i}") == f"kafka-python-{i}", f"record k{i} has value {seen.get(f'k{i}')!r}")
    consumer.commit()
    check_known_brokers(consumer._client.cluster, allowed, "consumer metadata")
    # The group coordinator the consumer found (FindCoordinator) is a sidecar address too.
    coordinator_id = consumer._coordinator.coordinator_id
    check(coordinator_id is not None, "the consumer has no group coordinator")
    coordinator = consumer._client.cluster.broker_metadata(coordinator_id)
    check_address(allowed, coordinator.host, coordinator.port, "group coordinator")
    consumer.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--allowed", required=True, help="comma-separated host:port the client may be given")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args()
    allowed = set(args.allowed.split(","))

    started = time.monotonic()
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap.split(","), request_timeout_ms=30000)
    admin_steps(admin, allowed, args.topic)
    admin_done = time.monotonic()

    partitions_used = produce(args.bootstrap, allowed, args.topic, args.records)
    consume(args.bootstrap, allowed, args.topic, args.group, args.records)
    clients_done = time.monotonic()

    result = admin.delete_topics([args.topic])
    errors = [pick(t, "error_code", default=0) for t in result["topics"]]
    check(errors == [0], f"delete_topics: {result}")
    wait_for(f"{args.topic} gone", lambda: (args.topic not in admin.list_topics(), None))
    admin.close()
    print(json.dumps({
        "client": "kafka-python",
        "records": args.records,
        "partitions_used": partitions_used,
        "admin_seconds": round(admin_done - started, 2),
        "produce_consume_seconds": round(clients_done - admin_done, 2),
    }))


if __name__ == "__main__":
    main()
