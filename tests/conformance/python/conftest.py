"""Shared fixtures: the specs, and the sidecar and cluster addresses from the environment.

The sidecar tests need ADMINWIRE_SIDECAR_BOOTSTRAP (and ADMINWIRE_SIDECAR_BROKERS,
ADMINWIRE_CLUSTER_BOOTSTRAP); `tests/integration/tests/conformance.rs` sets them. Without them
those tests fail rather than skip, unless ADMINWIRE_CONFORMANCE_OFFLINE=1 (vectors only).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import kafkaspec  # noqa: E402

REPO = HERE.parents[2]
SPECS = REPO / "protocol-specs"
VECTORS = SPECS / "vectors"
# Kafka's own ApiVersions spec (a subset of Kafka's ApiVersions{Request,Response}.json), for
# discovery: the same generic codec reads it.
KAFKA_SPECS = HERE / "kafka-specs"


@pytest.fixture(scope="session")
def protocol() -> kafkaspec.Protocol:
    return kafkaspec.Protocol(SPECS, KAFKA_SPECS)


class Env:
    def __init__(self) -> None:
        self.bootstrap = self._need("ADMINWIRE_SIDECAR_BOOTSTRAP")
        # "1=127.0.0.1:P1,2=...": the sidecar's broker listeners, by node id.
        self.brokers = {}
        for item in self._need("ADMINWIRE_SIDECAR_BROKERS").split(","):
            node, address = item.split("=", 1)
            self.brokers[int(node)] = address
        self.cluster = self._need("ADMINWIRE_CLUSTER_BOOTSTRAP")
        self.prefix = os.environ.get("ADMINWIRE_TOPIC_PREFIX", f"conf-py-{os.getpid()}")

    @staticmethod
    def _need(name: str) -> str:
        value = os.environ.get(name, "")
        if not value:
            if os.environ.get("ADMINWIRE_CONFORMANCE_OFFLINE") == "1":
                pytest.skip(f"{name} is not set (offline run)")
            pytest.fail(f"{name} is not set: run through tests/integration/tests/conformance.rs "
                        "or see tests/conformance/README.md")
        return value


@pytest.fixture(scope="session")
def env() -> Env:
    return Env()
