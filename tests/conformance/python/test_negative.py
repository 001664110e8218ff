"""Negative conformance: malformed, truncated and wrong-version requests get exactly what
docs/protocol.md ("What a server does with a bad request") promises, and the sidecar keeps
serving: the same connection after an error response, a fresh one after a close."""

from __future__ import annotations

import json
import struct

import pytest
from kafka.admin import KafkaAdminClient, NewTopic

import kafkaspec
from conftest import VECTORS
from wire import Connection, api_versions, wait_for

INVALID_REQUEST = 42
INVALID_TOPIC = 17
EXTENSION = range(30000, 30018)
# Keys 30000-30009 have versions 0 and 1; the reassignment jobs' keys 30010-30012 and the cluster
# links' 30013-30017 version 0 only.
VERSIONS = {k: (0, 1) if k <= 30009 else (0,) for k in EXTENSION}


def request_vectors():
    """One golden request body per extension key and version: valid bytes to corrupt."""
    out = {}
    for path in sorted(VECTORS.glob("*Request.json")):
        doc = json.loads(path.read_text())
        for vector in doc["vectors"]:
            out.setdefault((doc["apiKey"], vector["version"]), bytes.fromhex(vector["bodyHex"]))
    return out


BODIES = request_vectors()
PAIRS = sorted(BODIES)


def assert_still_serving(protocol, env) -> None:
    """A fresh connection gets ApiVersions and a ClusterMetadata answer."""
    with Connection(protocol, env.bootstrap) as conn:
        assert 30000 in api_versions(conn)
        value = conn.call(30000, 1)
        assert value["ErrorCode"] == 0 and len(value["Brokers"]) == len(env.brokers), value


def assert_invalid_request(conn: Connection, api_key: int, version: int, correlation_id: int,
                           what: str) -> dict:
    """The answer is the response type of that key and version, ErrorCode 42 with a message."""
    value = conn.receive(api_key, version, correlation_id)
    assert value["ErrorCode"] == INVALID_REQUEST, (what, value)
    # Every response version has an ErrorMessage but ClusterMetadata v0 (the draft's schema).
    if "ErrorMessage" in value or (api_key, version) != (30000, 0):
        assert value["ErrorMessage"], (what, value)
    return value


def test_every_request_has_a_vector_to_corrupt(protocol):
    assert PAIRS == [(k, v) for k in EXTENSION for v in VERSIONS[k]]
    assert len(PAIRS) == 28


@pytest.mark.parametrize("api_key,version", PAIRS)
def test_trailing_and_truncated_bodies_answer_invalid_request(protocol, env, api_key, version):
    body = BODIES[(api_key, version)]
    cases = [("a byte too many", body + b"\x00")]
    if body:
        cases.append(("the last byte missing", body[:-1]))
    if len(body) > 2:
        cases.append(("half the body", body[: len(body) // 2]))
    with Connection(protocol, env.bootstrap) as conn:
        for what, corrupt in cases:
            correlation_id = conn.send_raw_request(api_key, version, corrupt)
            assert_invalid_request(conn, api_key, version, correlation_id, what)
        # The connection stays open and in step: a good request is answered.
        assert conn.call(30005, 1, {"ExcludeInternal": True})["ErrorCode"] == 0


@pytest.mark.parametrize("what,api_key,version,body", [
    ("a string length past the end", 30003, 0, b"\x00\x64abc"),
    ("a compact string length past the end", 30003, 1, b"\x02\x40abc\x00\x00\x00\x75\x30\x00"),
    ("invalid UTF-8", 30003, 0, b"\x00\x02\xc3\x28"),
    ("invalid UTF-8, compact", 30004, 1, b"\x02\x03\xc3\x28\x00\x00"),
    ("an array count past the end", 30004, 1, b"\xff\xff\xff\x0f\x00"),
    ("a varint of six bytes", 30004, 1, b"\xff\xff\xff\xff\xff\x01\x00"),
    ("a boolean byte of 2", 30005, 1, b"\x02\x00"),
    ("tags out of order", 30005, 1, b"\x00\x02\x05\x00\x05\x00"),
    ("a tag size past the end", 30000, 1, b"\x01\x00\x10"),
    ("a negative array count", 30001, 0, b"\xff\xff\xff\xfe"),
])
def test_malformed_bodies_answer_invalid_request(protocol, env, what, api_key, version, body):
    with Connection(protocol, env.bootstrap) as conn:
        correlation_id = conn.send_raw_request(api_key, version, body)
        assert_invalid_request(conn, api_key, version, correlation_id, what)
        assert conn.call(30000, 0)["ErrorCode"] == 0


@pytest.mark.parametrize("what,api_key,version,header_tail", [
    ("a client id past the end", 30005, 0, b"\x00\x32abc"),
    ("a client id cut short", 30000, 1, b"\x00"),
    ("header tags cut short", 30000, 1, b"\xff\xff\x01\x00"),
])
def test_undecodable_headers_answer_invalid_request(protocol, env, what, api_key, version,
                                                    header_tail):
    """The 8 bytes of key, version and correlation id are there; the rest is not decodable."""
    with Connection(protocol, env.bootstrap) as conn:
        correlation_id = 777
        payload = struct.pack(">hhi", api_key, version, correlation_id) + header_tail
        conn.send_bytes(kafkaspec.frame(payload))
        assert_invalid_request(conn, api_key, version, correlation_id, what)
        assert conn.call(30005, 0)["ErrorCode"] == 0


CLOSES = [
    ("a size over 100 MiB", struct.pack(">i", 100 * 1024 * 1024 + 1)),
    ("the largest size", struct.pack(">i", 0x7FFFFFFF)),
    ("a negative size", struct.pack(">i", -1)),
    ("an empty frame", struct.pack(">i", 0)),
    ("a frame of 4 bytes", kafkaspec.frame(struct.pack(">hh", 30005, 0))),
    ("a frame of 7 bytes", kafkaspec.frame(struct.pack(">hhhb", 30005, 0, 0, 1))),
    ("an unlisted key 30018", kafkaspec.frame(struct.pack(">hhih", 30018, 0, 1, -1))),
    ("an unlisted key 29999", kafkaspec.frame(struct.pack(">hhih", 29999, 0, 1, -1))),
    ("an unlisted key -1", kafkaspec.frame(struct.pack(">hhih", -1, 0, 1, -1))),
] + [
    (f"key {k} version {v}", kafkaspec.frame(struct.pack(">hhih", k, v, 1, -1) + b"\x00"))
    # The first version past the key's last one, and -1.
    for k in EXTENSION for v in (VERSIONS[k][-1] + 1, -1)
]


@pytest.mark.parametrize("what,data", CLOSES, ids=[c[0] for c in CLOSES])
def test_the_sidecar_closes_the_connection(protocol, env, what, data):
    with Connection(protocol, env.bootstrap) as conn:
        conn.send_bytes(data)
        assert conn.closed_by_server(), f"{what}: the connection stayed open"
    assert_still_serving(protocol, env)


@pytest.fixture(scope="module")
def one_topic(env):
    direct = KafkaAdminClient(bootstrap_servers=env.cluster.split(","))
    name = f"{env.prefix}-neg"
    direct.create_topics([NewTopic(name, 1, 1)])
    yield name
    direct.delete_topics([name])
    direct.close()


def test_describe_topic_empty_name(protocol, env, one_topic):
    with Connection(protocol, env.bootstrap) as conn:
        v0 = conn.call(30004, 0, {"TopicName": ""})
        assert v0["ErrorCode"] == INVALID_TOPIC and v0["TopicDescription"] is None, v0

        def described():
            v1 = conn.call(30004, 1, {"TopicNames": [one_topic, ""]})
            return v1 if v1["Topics"][0]["ErrorCode"] == 0 else None

        v1 = wait_for("the topic to be described", described, timeout_s=30)
        assert v1["ErrorCode"] == 0, v1
        good, empty = v1["Topics"]
        assert good["Name"] == one_topic and good["TopicDescription"]["TopicName"] == one_topic
        assert (empty["Name"], empty["ErrorCode"]) == ("", INVALID_TOPIC), v1
        assert empty["TopicDescription"] is None


def test_describe_topic_v1_empty_list(protocol, env):
    with Connection(protocol, env.bootstrap) as conn:
        value = conn.call(30004, 1, {"TopicNames": []})
        assert value["ErrorCode"] == INVALID_REQUEST and value["ErrorMessage"], value
        assert value["Topics"] == []
