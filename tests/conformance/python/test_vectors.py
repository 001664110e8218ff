"""Every golden vector of protocol-specs/vectors, through the generic codec, byte for byte."""

from __future__ import annotations

import json

import pytest

import kafkaspec
from conftest import SPECS, VECTORS


def _cases():
    for path in sorted(VECTORS.glob("*.json")):
        doc = json.loads(path.read_text())
        for i, vector in enumerate(doc["vectors"]):
            yield pytest.param(doc, vector, id=f"{doc['message']}-{i}-v{vector['version']}")


CASES = list(_cases())


def test_every_spec_has_vectors_for_every_version(protocol):
    """The vectors cover each message in each of its valid versions."""
    specs = {s.name: s for s in list(protocol.requests.values()) + list(protocol.responses.values())
             if 30000 <= s.api_key <= 30017}
    assert len(specs) == 36
    assert len(CASES) == 89, "the vectors this suite was written against; update if vectors are added"
    covered = {(doc["message"], v["version"]) for doc, v in (c.values for c in CASES)}
    for name, spec in specs.items():
        for version in range(spec.valid.low, spec.valid.high + 1):
            assert (name, version) in covered, f"no vector for {name} v{version}"
    # Each spec file is one message, named after its file.
    for path in SPECS.glob("*Re*.json"):
        assert json.loads(path.read_text())["name"] == path.stem


@pytest.mark.parametrize("doc,vector", CASES)
def test_vector(protocol, doc, vector):
    version = vector["version"]
    frame_bytes = bytes.fromhex(vector["frameHex"])
    body = bytes.fromhex(vector["bodyHex"])
    if doc["type"] == "request":
        spec = protocol.requests[doc["apiKey"]]
        assert spec.name == doc["message"]
        # decode: header and value
        header, value = protocol.decode_request(frame_bytes)
        assert (header.api_key, header.api_version) == (doc["apiKey"], version)
        assert header.correlation_id == vector["correlationId"]
        assert header.client_id == vector["clientId"]
        assert header.tagged == []
        assert value == vector["value"]
        # encode: frame and body
        encoded = protocol.encode_request(doc["apiKey"], version, vector["correlationId"],
                                          vector["clientId"], vector["value"])
        assert encoded.hex() == vector["frameHex"]
    else:
        spec = protocol.responses[doc["apiKey"]]
        assert spec.name == doc["message"]
        correlation_id, value = protocol.decode_response(doc["apiKey"], version, frame_bytes)
        assert correlation_id == vector["correlationId"]
        assert value == vector["value"]
        encoded = protocol.encode_response(doc["apiKey"], version, vector["correlationId"],
                                           vector["value"])
        assert encoded.hex() == vector["frameHex"]
    assert spec.decode(body, version) == vector["value"]
    assert spec.encode(vector["value"], version).hex() == vector["bodyHex"]
    assert frame_bytes.endswith(body)


@pytest.mark.parametrize("doc,vector", CASES)
def test_every_truncation_of_a_vector_is_refused(protocol, doc, vector):
    """Bounded decoding: no strict prefix of a body decodes, nor does a body with a byte more."""
    spec = (protocol.requests if doc["type"] == "request" else protocol.responses)[doc["apiKey"]]
    body = bytes.fromhex(vector["bodyHex"])
    for cut in range(len(body)):
        with pytest.raises(kafkaspec.CodecError):
            spec.decode(body[:cut], vector["version"])
    with pytest.raises(kafkaspec.CodecError, match="trailing"):
        spec.decode(body + b"\x00", vector["version"])


def test_encoder_refuses_what_a_version_cannot_carry(protocol):
    """docs/protocol.md, Markers: an ignorable field is dropped in v0, a non-ignorable one refused;
    an over-long v0 string is refused, never truncated."""
    create = protocol.by_name["CreateTopicRequest"]
    topic = {"Name": "t", "Partitions": 1, "ReplicationFactor": 1, "ReplicaAssignment": "",
             "Configs": []}
    v0 = create.encode({"Topics": [topic], "TimeoutMs": 5000}, 0)  # ignorable: dropped
    assert v0 == create.encode({"Topics": [topic]}, 0)
    with pytest.raises(kafkaspec.CodecError, match="ValidateOnly"):
        create.encode({"Topics": [topic], "ValidateOnly": True}, 0)
    listing = protocol.by_name["ListTopicsRequest"]
    with pytest.raises(kafkaspec.CodecError, match="ExcludeInternal"):
        listing.encode({"ExcludeInternal": True}, 0)
    alter = protocol.by_name["AlterTopicRequest"]
    with pytest.raises(kafkaspec.CodecError, match="Topics"):
        alter.encode({"TopicName": "a", "Topics": [{"Name": "a"}, {"Name": "b"}]}, 0)
    reassign = protocol.by_name["ReassignPartitionsRequest"]
    big = "x" * 40000
    with pytest.raises(kafkaspec.CodecError, match="32767"):
        reassign.encode({"ManualAssignment": big}, 0)
    encoded = reassign.encode({"ManualAssignment": big}, 1)
    assert reassign.decode(encoded, 1)["ManualAssignment"] == big


def test_decoder_is_strict(protocol):
    """docs/protocol.md, Encoding: booleans 0/1 only, presence -1/1 only, UTF-8 only, tags ascending."""
    listing = protocol.by_name["ListTopicsRequest"]
    assert listing.decode(b"\x01\x00", 1) == {"ExcludeInternal": True}
    with pytest.raises(kafkaspec.CodecError, match="boolean"):
        listing.decode(b"\x02\x00", 1)
    with pytest.raises(kafkaspec.CodecError, match="ascending"):
        listing.decode(b"\x00\x02\x05\x00\x05\x00", 1)
    # an unknown tag is kept and written back
    value = listing.decode(b"\x00\x01\x07\x02ab", 1)
    assert value == {"ExcludeInternal": False, "_unknownTaggedFields": [(7, b"ab")]}
    assert listing.encode(value, 1) == b"\x00\x01\x07\x02ab"
    describe = protocol.by_name["DescribeTopicResponse"]
    with pytest.raises(kafkaspec.CodecError, match="presence"):
        describe.decode(b"\x00\x00\xff\xff\x02", 0)
    delete = protocol.by_name["DeleteTopicRequest"]
    with pytest.raises(kafkaspec.CodecError, match="UTF-8"):
        delete.decode(b"\x00\x02\xc3\x28", 0)
    with pytest.raises(kafkaspec.CodecError, match="5 bytes"):
        delete.decode(b"\xff\xff\xff\xff\xff\x01", 1)
