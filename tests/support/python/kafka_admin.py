#!/usr/bin/env python3
"""Asks a Kafka cluster about itself with kafka-python's admin client and prints plain JSON.

Used by the Rust smoke tests as an independent witness: a client nobody in this project wrote.
kafka-python has renamed response fields between releases, so each field is read under every name
it has had, and the output uses one stable set of names.
"""
import argparse
import json
import sys

from kafka.admin import KafkaAdminClient


def pick(d, *names, default=None):
    for name in names:
        if name in d:
            return d[name]
    return default


def client(args):
    kwargs = {"bootstrap_servers": args.bootstrap.split(","), "request_timeout_ms": 30000}
    if args.user:
        kwargs.update(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="PLAIN",
            sasl_plain_username=args.user,
            sasl_plain_password=args.password,
        )
    return KafkaAdminClient(**kwargs)


def describe_topic(admin, topic):
    [t] = admin.describe_topics([topic])
    error = pick(t, "error_code", "error", default=0)
    if error:
        sys.exit(f"describe {topic}: error code {error}")
    partitions = sorted(
        (
            {
                "partition": pick(p, "partition_index", "partition"),
                "leader": pick(p, "leader_id", "leader"),
                "replicas": pick(p, "replica_nodes", "replicas"),
                "isr": pick(p, "isr_nodes", "isr"),
            }
            for p in t["partitions"]
        ),
        key=lambda p: p["partition"],
    )
    return {"name": pick(t, "name", "topic"), "partitions": partitions}


def describe_cluster(admin):
    c = admin.describe_cluster()
    brokers = sorted(
        (
            {"node_id": pick(b, "node_id", "broker_id", "nodeId"), "host": b["host"], "port": b["port"], "rack": b.get("rack")}
            for b in c["brokers"]
        ),
        key=lambda b: b["node_id"],
    )
    return {"cluster_id": c.get("cluster_id"), "controller_id": c.get("controller_id"), "brokers": brokers}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("describe-topic").add_argument("topic")
    sub.add_parser("describe-cluster")
    args = ap.parse_args()
    admin = client(args)
    try:
        result = describe_topic(admin, args.topic) if args.cmd == "describe-topic" else describe_cluster(admin)
    finally:
        admin.close()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
