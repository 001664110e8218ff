"""A generic Kafka wire-protocol codec driven by JSON message specs.

It reads message specs in Apache Kafka's JSON format (the files of `protocol-specs/`) and encodes
and decodes any message they describe, in any of its versions. Nothing here knows a particular
message: types, field versions, nullability, defaults, flexible encodings and tagged fields all
come from the spec, as `docs/protocol.md` ("Encoding", "Framing and headers") describes them.

A message value is a dict keyed by the spec's field names; structs are dicts, arrays are lists,
null is None. Unknown tagged fields read off the wire are kept under `_unknownTaggedFields` as a
list of `(tag, bytes)` and written back.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UNKNOWN_TAGS = "_unknownTaggedFields"
MAX_CLASSIC_STRING = 0x7FFF
MAX_COMPACT_STRING = 0x7FFFFFFF - 1


class CodecError(Exception):
    """A value that cannot be encoded, or bytes that cannot be decoded."""


# ---------------------------------------------------------------------------------------------
# Version ranges ("0+", "1", "0-1", "none")


@dataclass(frozen=True)
class Versions:
    low: int
    high: int  # inclusive; a large number for "N+"

    @staticmethod
    def parse(text: str | None) -> "Versions":
        if text is None or text == "none" or text == "":
            return Versions(1, 0)  # empty
        text = text.strip()
        if text.endswith("+"):
            return Versions(int(text[:-1]), 0x7FFF)
        if "-" in text:
            low, high = text.split("-", 1)
            return Versions(int(low), int(high))
        return Versions(int(text), int(text))

    def __contains__(self, version: int) -> bool:
        return self.low <= version <= self.high

    def empty(self) -> bool:
        return self.low > self.high


# ---------------------------------------------------------------------------------------------
# Types and fields

PRIMITIVES = {"bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "string",
              "bytes", "uuid", "records"}
INT_FORMATS = {"int8": ">b", "int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I",
               "int64": ">q"}


@dataclass
class FieldSpec:
    name: str
    type: str
    versions: Versions
    nullable: Versions
    tagged: Versions
    tag: int | None
    ignorable: bool
    default: str | None
    struct: "StructSpec | None" = None  # for struct and []struct fields

    @property
    def is_array(self) -> bool:
        return self.type.startswith("[]")

    @property
    def element(self) -> str:
        return self.type[2:] if self.is_array else self.type

    def is_struct(self) -> bool:
        return self.struct is not None

    def default_value(self) -> Any:
        """The field's default, as a value (Kafka's rules: 0/false/""/[] unless the spec says)."""
        d = self.default
        if d == "null":
            return None
        if self.is_array:
            if d not in (None, ""):
                raise CodecError(f"{self.name}: an array default must be null or absent")
            return []
        if self.is_struct():
            if d not in (None, ""):
                raise CodecError(f"{self.name}: a struct default must be null or absent")
            return self.struct.defaults()
        t = self.type
        if t == "bool":
            return d == "true"
        if t in INT_FORMATS:
            return int(d, 0) if d not in (None, "") else 0
        if t == "float64":
            return float(d) if d not in (None, "") else 0.0
        if t == "string":
            return d if d is not None else ""
        if t == "bytes":
            return b""
        if t == "uuid":
            return "AAAAAAAAAAAAAAAAAAAAAA"
        raise CodecError(f"{self.name}: no default for type {t}")


@dataclass
class StructSpec:
    name: str
    fields: list[FieldSpec]

    def defaults(self) -> dict:
        return {f.name: f.default_value() for f in self.fields}


class MessageSpec:
    """One request or response spec file."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.name: str = doc["name"]
        self.api_key: int = doc["apiKey"]
        self.type: str = doc["type"]
        self.valid: Versions = Versions.parse(doc["validVersions"])
        self.flexible: Versions = Versions.parse(doc.get("flexibleVersions", "none"))
        self.common = {s["name"]: s for s in doc.get("commonStructs", [])}
        self._structs: dict[str, StructSpec] = {}
        self.root = StructSpec(self.name, [self._field(f) for f in doc.get("fields", [])])

    def _field(self, f: dict) -> FieldSpec:
        spec = FieldSpec(
            name=f["name"],
            type=f["type"],
            versions=Versions.parse(f["versions"]),
            nullable=Versions.parse(f.get("nullableVersions")),
            tagged=Versions.parse(f.get("taggedVersions")),
            tag=f.get("tag"),
            ignorable=bool(f.get("ignorable", False)),
            default=f.get("default"),
        )
        element = spec.element
        if element not in PRIMITIVES:
            if "fields" in f:
                spec.struct = StructSpec(element, [self._field(x) for x in f["fields"]])
                self._structs[element] = spec.struct
            elif element in self._structs:
                spec.struct = self._structs[element]
            elif element in self.common:
                common = self.common[element]
                spec.struct = StructSpec(element, [])
                self._structs[element] = spec.struct
                spec.struct.fields = [self._field(x) for x in common["fields"]]
            else:
                raise CodecError(f"{self.name}: unknown type {spec.type} of {spec.name}")
        return spec

    def is_flexible(self, version: int) -> bool:
        return version in self.flexible

    def check_version(self, version: int) -> None:
        if version not in self.valid:
            raise CodecError(f"{self.name} has no version {version} (valid {self.doc['validVersions']})")

    # -- encoding --------------------------------------------------------------------------

    def encode(self, value: dict, version: int) -> bytes:
        self.check_version(version)
        w = Writer()
        _write_struct(w, self.root, value, version, self.is_flexible(version), self.name)
        return w.bytes()

    def decode(self, data: bytes, version: int) -> dict:
        self.check_version(version)
        r = Reader(data)
        value = _read_struct(r, self.root, version, self.is_flexible(version), self.name)
        if r.remaining():
            raise CodecError(f"{self.name} v{version}: {r.remaining()} trailing bytes")
        return value


# ---------------------------------------------------------------------------------------------
# Byte-level reading and writing


class Writer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def raw(self, b: bytes) -> None:
        self.parts.append(b)

    def fmt(self, f: str, v: Any) -> None:
        try:
            self.parts.append(struct.pack(f, v))
        except struct.error as e:
            raise CodecError(f"{v!r} does not fit {f}: {e}") from None

    def uvarint(self, v: int) -> None:
        if v < 0 or v > 0xFFFFFFFF:
            raise CodecError(f"unsigned varint out of range: {v}")
        out = bytearray()
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
        self.parts.append(bytes(out))

    def bytes(self) -> bytes:
        return b"".join(self.parts)


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(bytes(data))
        self.pos = 0

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or n > self.remaining():
            raise CodecError(f"{what}: needs {n} bytes, {self.remaining()} left")
        b = bytes(self.data[self.pos:self.pos + n])
        self.pos += n
        return b

    def fmt(self, f: str, what: str) -> Any:
        size = struct.calcsize(f)
        return struct.unpack(f, self.take(size, what))[0]

    def uvarint(self, what: str) -> int:
        value = 0
        for i in range(5):
            b = self.take(1, what)[0]
            value |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                if value > 0xFFFFFFFF:
                    raise CodecError(f"{what}: varint overflows 32 bits")
                return value
        raise CodecError(f"{what}: varint longer than 5 bytes")


# ---------------------------------------------------------------------------------------------
# Fields


def _present(f: FieldSpec, version: int) -> bool:
    return version in f.versions


def _is_tagged(f: FieldSpec, version: int, flexible: bool) -> bool:
    return flexible and f.tag is not None and version in f.tagged


def _write_struct(w: Writer, s: StructSpec, value: dict, version: int, flexible: bool,
                  path: str) -> None:
    if not isinstance(value, dict):
        raise CodecError(f"{path}: expected a struct, got {value!r}")
    known = {f.name for f in s.fields} | {UNKNOWN_TAGS}
    extra = set(value) - known
    if extra:
        raise CodecError(f"{path}: unknown fields {sorted(extra)}")
    tagged: list[tuple[int, bytes]] = []
    for f in s.fields:
        fpath = f"{path}.{f.name}"
        v = value[f.name] if f.name in value else f.default_value()
        if not _present(f, version):
            if not f.ignorable and v != f.default_value():
                raise CodecError(f"{fpath} is not in version {version} and is not ignorable, "
                                 f"but is set to {v!r}")
            continue
        if _is_tagged(f, version, flexible):
            if v != f.default_value():
                inner = Writer()
                _write_value(inner, f, v, version, flexible, fpath)
                tagged.append((f.tag, inner.bytes()))
            continue
        _write_value(w, f, v, version, flexible, fpath)
    if flexible:
        for tag, data in value.get(UNKNOWN_TAGS, []) or []:
            tagged.append((tag, bytes(data)))
        tagged.sort(key=lambda t: t[0])
        tags = [t for t, _ in tagged]
        if len(set(tags)) != len(tags):
            raise CodecError(f"{path}: duplicate tags {tags}")
        w.uvarint(len(tagged))
        for tag, data in tagged:
            w.uvarint(tag)
            w.uvarint(len(data))
            w.raw(data)
    elif value.get(UNKNOWN_TAGS):
        raise CodecError(f"{path}: tagged fields in a classic version")


def _nullable(f: FieldSpec, version: int) -> bool:
    return version in f.nullable


def _write_value(w: Writer, f: FieldSpec, v: Any, version: int, flexible: bool, path: str) -> None:
    if v is None and not _nullable(f, version):
        raise CodecError(f"{path} is null but not nullable in version {version}")
    if f.is_array:
        if v is None:
            w.uvarint(0) if flexible else w.fmt(">i", -1)
            return
        if not isinstance(v, list):
            raise CodecError(f"{path}: expected a list, got {v!r}")
        w.uvarint(len(v) + 1) if flexible else w.fmt(">i", len(v))
        for i, item in enumerate(v):
            _write_element(w, f, item, version, flexible, f"{path}[{i}]")
        return
    if f.is_struct() and _nullable(f, version):
        if v is None:
            w.fmt(">b", -1)
            return
        w.fmt(">b", 1)
    _write_element(w, f, v, version, flexible, path)


def _write_element(w: Writer, f: FieldSpec, v: Any, version: int, flexible: bool,
                   path: str) -> None:
    t = f.element
    if f.is_struct():
        _write_struct(w, f.struct, v, version, flexible, path)
    elif t == "bool":
        if not isinstance(v, bool):
            raise CodecError(f"{path}: expected a bool, got {v!r}")
        w.fmt(">b", 1 if v else 0)
    elif t in INT_FORMATS:
        if not isinstance(v, int) or isinstance(v, bool):
            raise CodecError(f"{path}: expected an integer, got {v!r}")
        w.fmt(INT_FORMATS[t], v)
    elif t == "float64":
        w.fmt(">d", float(v))
    elif t == "string":
        _write_string(w, v, flexible, path)
    elif t == "bytes":
        if v is None:
            w.uvarint(0) if flexible else w.fmt(">i", -1)
        else:
            data = bytes.fromhex(v) if isinstance(v, str) else bytes(v)
            w.uvarint(len(data) + 1) if flexible else w.fmt(">i", len(data))
            w.raw(data)
    else:
        raise CodecError(f"{path}: type {t} is not supported")


def _write_string(w: Writer, v: str | None, flexible: bool, path: str) -> None:
    if v is None:
        w.uvarint(0) if flexible else w.fmt(">h", -1)
        return
    if not isinstance(v, str):
        raise CodecError(f"{path}: expected a string, got {v!r}")
    data = v.encode("utf-8")
    if flexible:
        if len(data) > MAX_COMPACT_STRING:
            raise CodecError(f"{path}: {len(data)} bytes is too long for a compact string")
        w.uvarint(len(data) + 1)
    else:
        if len(data) > MAX_CLASSIC_STRING:
            raise CodecError(f"{path}: {len(data)} bytes is too long for a STRING (max 32767)")
        w.fmt(">h", len(data))
    w.raw(data)


def _read_struct(r: Reader, s: StructSpec, version: int, flexible: bool, path: str) -> dict:
    value: dict = {}
    tagged_fields: dict[int, FieldSpec] = {}
    for f in s.fields:
        if not _present(f, version):
            continue
        if _is_tagged(f, version, flexible):
            tagged_fields[f.tag] = f
            value[f.name] = f.default_value()
            continue
        value[f.name] = _read_value(r, f, version, flexible, f"{path}.{f.name}")
    if flexible:
        count = r.uvarint(f"{path} tag count")
        last = -1
        unknown = []
        for _ in range(count):
            tag = r.uvarint(f"{path} tag")
            if tag <= last:
                raise CodecError(f"{path}: tags not in ascending order ({tag} after {last})")
            last = tag
            size = r.uvarint(f"{path} tag {tag} size")
            data = r.take(size, f"{path} tag {tag}")
            if tag in tagged_fields:
                f = tagged_fields[tag]
                inner = Reader(data)
                value[f.name] = _read_value(inner, f, version, flexible, f"{path}.{f.name}")
                if inner.remaining():
                    raise CodecError(f"{path}.{f.name}: {inner.remaining()} trailing bytes in tag")
            else:
                unknown.append((tag, data))
        if unknown:
            value[UNKNOWN_TAGS] = unknown
    return value


def _read_value(r: Reader, f: FieldSpec, version: int, flexible: bool, path: str) -> Any:
    nullable = _nullable(f, version)
    if f.is_array:
        if flexible:
            n = r.uvarint(f"{path} length") - 1
        else:
            n = r.fmt(">i", f"{path} length")
        if n < 0:
            if n != -1 or not nullable:
                raise CodecError(f"{path}: null array but the field is not nullable")
            return None
        # Bounded: every element takes at least one byte.
        if n > r.remaining():
            raise CodecError(f"{path}: {n} elements but {r.remaining()} bytes left")
        return [_read_element(r, f, version, flexible, f"{path}[{i}]") for i in range(n)]
    if f.is_struct() and nullable:
        presence = r.fmt(">b", f"{path} presence")
        if presence == -1:
            return None
        if presence != 1:
            raise CodecError(f"{path}: presence byte {presence}, expected -1 or 1")
    return _read_element(r, f, version, flexible, path, nullable)


def _read_element(r: Reader, f: FieldSpec, version: int, flexible: bool, path: str,
                  nullable: bool = False) -> Any:
    t = f.element
    if f.is_struct():
        return _read_struct(r, f.struct, version, flexible, path)
    if t == "bool":
        b = r.fmt(">b", path)
        if b not in (0, 1):
            raise CodecError(f"{path}: boolean byte {b}, expected 0 or 1")
        return b == 1
    if t in INT_FORMATS:
        return r.fmt(INT_FORMATS[t], path)
    if t == "float64":
        return r.fmt(">d", path)
    if t == "string":
        return read_string(r, flexible, nullable, path)
    if t == "bytes":
        n = (r.uvarint(path) - 1) if flexible else r.fmt(">i", path)
        if n < 0:
            if not nullable:
                raise CodecError(f"{path}: null bytes but not nullable")
            return None
        return r.take(n, path).hex()
    raise CodecError(f"{path}: type {t} is not supported")


def read_string(r: Reader, flexible: bool, nullable: bool, path: str) -> str | None:
    n = (r.uvarint(f"{path} length") - 1) if flexible else r.fmt(">h", f"{path} length")
    if n < 0:
        if n != -1 or not nullable:
            raise CodecError(f"{path}: null string but the field is not nullable")
        return None
    data = r.take(n, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CodecError(f"{path}: invalid UTF-8 ({e})") from None


# ---------------------------------------------------------------------------------------------
# Headers and frames (docs/protocol.md, "Framing and headers")


@dataclass
class RequestHeader:
    api_key: int
    api_version: int
    correlation_id: int
    client_id: str | None
    tagged: list = field(default_factory=list)


def encode_request_header(h: RequestHeader, flexible: bool) -> bytes:
    w = Writer()
    w.fmt(">h", h.api_key)
    w.fmt(">h", h.api_version)
    w.fmt(">i", h.correlation_id)
    _write_string(w, h.client_id, False, "client_id")  # always classic NULLABLE_STRING
    if flexible:
        w.uvarint(len(h.tagged))
        for tag, data in h.tagged:
            w.uvarint(tag)
            w.uvarint(len(data))
            w.raw(data)
    return w.bytes()


def _read_tags(r: Reader, what: str) -> list:
    out = []
    last = -1
    for _ in range(r.uvarint(f"{what} tag count")):
        tag = r.uvarint(f"{what} tag")
        if tag <= last:
            raise CodecError(f"{what}: tags not in ascending order")
        last = tag
        out.append((tag, r.take(r.uvarint(f"{what} tag size"), f"{what} tag {tag}")))
    return out


def frame(payload: bytes) -> bytes:
    return struct.pack(">i", len(payload)) + payload


def unframe(data: bytes) -> bytes:
    r = Reader(data)
    size = r.fmt(">i", "size")
    if size != r.remaining():
        raise CodecError(f"size prefix {size} but {r.remaining()} bytes follow")
    return r.take(size, "frame")


# ---------------------------------------------------------------------------------------------
# The protocol: every spec of a directory, by API key


class Protocol:
    def __init__(self, *dirs: Path) -> None:
        self.requests: dict[int, MessageSpec] = {}
        self.responses: dict[int, MessageSpec] = {}
        self.by_name: dict[str, MessageSpec] = {}
        for d in dirs:
            for path in sorted(Path(d).glob("*.json")):
                doc = json.loads(path.read_text())
                if doc.get("type") not in ("request", "response"):
                    continue
                spec = MessageSpec(doc)
                table = self.requests if spec.type == "request" else self.responses
                table[spec.api_key] = spec
                self.by_name[spec.name] = spec

    def request_header_flexible(self, api_key: int, version: int) -> bool:
        return self.requests[api_key].is_flexible(version)

    def response_header_flexible(self, api_key: int, version: int) -> bool:
        # Kafka's one exception: ApiVersions responses always use header v0.
        if api_key == 18:
            return False
        return self.responses[api_key].is_flexible(version)

    def encode_request(self, api_key: int, version: int, correlation_id: int,
                       client_id: str | None, value: dict) -> bytes:
        spec = self.requests[api_key]
        flexible = spec.is_flexible(version)
        header = encode_request_header(
            RequestHeader(api_key, version, correlation_id, client_id), flexible)
        return frame(header + spec.encode(value, version))

    def decode_request(self, data: bytes) -> tuple[RequestHeader, dict]:
        r = Reader(unframe(data))
        api_key = r.fmt(">h", "api_key")
        version = r.fmt(">h", "api_version")
        correlation_id = r.fmt(">i", "correlation_id")
        client_id = read_string(r, False, True, "client_id")
        spec = self.requests.get(api_key)
        if spec is None:
            raise CodecError(f"unknown api key {api_key}")
        flexible = spec.is_flexible(version)
        tags = _read_tags(r, "request header") if flexible else []
        header = RequestHeader(api_key, version, correlation_id, client_id, tags)
        return header, spec.decode(r.take(r.remaining(), "body"), version)

    def encode_response(self, api_key: int, version: int, correlation_id: int,
                        value: dict) -> bytes:
        w = Writer()
        w.fmt(">i", correlation_id)
        if self.response_header_flexible(api_key, version):
            w.uvarint(0)
        return frame(w.bytes() + self.responses[api_key].encode(value, version))

    def decode_response_payload(self, api_key: int, version: int,
                                payload: bytes) -> tuple[int, dict]:
        """Decodes a response frame's payload (after the size prefix): correlation id, value."""
        r = Reader(payload)
        correlation_id = r.fmt(">i", "correlation_id")
        if self.response_header_flexible(api_key, version):
            _read_tags(r, "response header")
        value = self.responses[api_key].decode(r.take(r.remaining(), "body"), version)
        return correlation_id, value

    def decode_response(self, api_key: int, version: int, data: bytes) -> tuple[int, dict]:
        return self.decode_response_payload(api_key, version, unframe(data))


def api_name(spec: MessageSpec) -> str:
    """CreateTopicRequest -> CreateTopic."""
    return re.sub(r"(Request|Response)$", "", spec.name)
