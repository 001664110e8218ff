"""A plain-socket connection that speaks the extension with the generic codec."""

from __future__ import annotations

import itertools
import socket
import struct
import time

import kafkaspec

READ_TIMEOUT_S = 60.0
API_VERSIONS = 18


class Closed(Exception):
    """The server closed the connection."""


class Connection:
    def __init__(self, protocol: kafkaspec.Protocol, address: str,
                 client_id: str | None = "adminwire-conformance-py") -> None:
        host, port = address.rsplit(":", 1)
        self.protocol = protocol
        self.client_id = client_id
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.settimeout(READ_TIMEOUT_S)
        self.correlation = itertools.count(1)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- bytes -----------------------------------------------------------------------------

    def send_bytes(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _read_exact(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            try:
                chunk = self.sock.recv(n - len(out))
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if not chunk:
                raise Closed(f"closed by the server after {len(out)} of {n} bytes")
            out += chunk
        return bytes(out)

    def read_frame(self) -> bytes:
        size = struct.unpack(">i", self._read_exact(4))[0]
        return self._read_exact(size)

    def closed_by_server(self, within_s: float = 30.0) -> bool:
        """True if the server closes the connection (EOF or reset) before sending anything."""
        self.sock.settimeout(within_s)
        try:
            data = self.sock.recv(1)
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(READ_TIMEOUT_S)
        return data == b""

    # -- messages --------------------------------------------------------------------------

    def next_correlation(self) -> int:
        return next(self.correlation)

    def send(self, api_key: int, version: int, value: dict) -> int:
        correlation_id = self.next_correlation()
        self.send_bytes(self.protocol.encode_request(api_key, version, correlation_id,
                                                     self.client_id, value))
        return correlation_id

    def receive(self, api_key: int, version: int, correlation_id: int) -> dict:
        payload = self.read_frame()
        got, value = self.protocol.decode_response_payload(api_key, version, payload)
        assert got == correlation_id, f"correlation id {got}, expected {correlation_id}"
        return value

    def call(self, api_key: int, version: int, value: dict | None = None) -> dict:
        correlation_id = self.send(api_key, version, value or {})
        return self.receive(api_key, version, correlation_id)

    def send_raw_request(self, api_key: int, version: int, body: bytes,
                         flexible: bool | None = None) -> int:
        """A request with a correct header and `body` as given (possibly malformed)."""
        if flexible is None:
            flexible = self.protocol.request_header_flexible(api_key, version)
        correlation_id = self.next_correlation()
        header = kafkaspec.encode_request_header(
            kafkaspec.RequestHeader(api_key, version, correlation_id, self.client_id), flexible)
        self.send_bytes(kafkaspec.frame(header + body))
        return correlation_id


def api_versions(conn: Connection) -> dict[int, tuple[int, int]]:
    value = conn.call(API_VERSIONS, 0)
    assert value["ErrorCode"] == 0, value
    return {k["ApiKey"]: (k["MinVersion"], k["MaxVersion"]) for k in value["ApiKeys"]}


def wait_for(what: str, check, timeout_s: float = 60.0, interval_s: float = 0.25):
    """Calls `check` until it returns a truthy value; fails after `timeout_s` with the last one."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}; last: {last!r}")
