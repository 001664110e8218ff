"""Every request of keys 30000-30009, in both versions, sent by the generic codec to the sidecar in
front of the real cluster; every answer decoded by the same codec and checked against what the
docs promise and, through kafka-python talking to the cluster directly, against the cluster.

The reassignment jobs' keys (30010-30012) are in test_reassignment_jobs.py.

The tests run in file order and share a few topics (made here, deleted at the end)."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic

from wire import Connection, api_versions, wait_for

CALLS = {"count": 0}


def key(protocol, api: str) -> int:
    return protocol.by_name[f"{api}Request"].api_key


class Admin:
    """The extension over one connection to the sidecar's bootstrap listener."""

    def __init__(self, protocol, conn: Connection) -> None:
        self.protocol = protocol
        self.conn = conn

    def __call__(self, api: str, version: int, value: dict | None = None) -> dict:
        CALLS["count"] += 1
        return self.conn.call(key(self.protocol, api), version, value or {})


@pytest.fixture(scope="module")
def topics(env):
    names = {n: f"{env.prefix}-{n}" for n in ("a", "b", "c", "d", "e")}
    yield names
    # Clean up whatever a failing test left, directly on the cluster.
    direct = KafkaAdminClient(bootstrap_servers=env.cluster.split(","))
    try:
        left = [t for t in direct.list_topics() if t.startswith(env.prefix)]
        if left:
            direct.delete_topics(left)
    finally:
        direct.close()
    print(f"extension calls made: {CALLS['count']}")


@pytest.fixture(scope="module")
def admin(protocol, env):
    with Connection(protocol, env.bootstrap) as conn:
        yield Admin(protocol, conn)


@pytest.fixture(scope="module")
def direct(env):
    client = KafkaAdminClient(bootstrap_servers=env.cluster.split(","))
    yield client
    client.close()


def cluster_topic(direct, name: str) -> dict:
    """The topic as the cluster itself describes it: partition -> (leader, replicas, isr)."""
    def known():
        (described,) = direct.describe_topics([name])
        return described if described["error_code"] == 0 else None

    # The broker kafka-python asks may learn of a new topic a moment after the controller.
    described = wait_for(f"the cluster to describe {name}", known, timeout_s=30)
    return {p["partition_index"]: (p["leader_id"], p["replica_nodes"], p["isr_nodes"])
            for p in described["partitions"]}


def cluster_until(direct, name: str, check) -> dict:
    """The cluster's description of `name` once `check` holds for it: brokers' metadata trails
    the controller's for a moment after a change, on the cluster's side as on the sidecar's."""
    def settled():
        partitions = cluster_topic(direct, name)
        return partitions if check(partitions) else None

    return wait_for(f"the cluster's metadata of {name}", settled, timeout_s=30)


def cluster_configs(direct, name: str) -> dict:
    """The configs set on the topic itself (kafka-python's default filter: modified ones)."""
    described = direct.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    configs = described["topic"][name]
    out = {}
    for k, v in configs.items():
        out[k] = v["value"] if isinstance(v, dict) else getattr(v, "value", v)
    return out


def node_has_topic(address: str, name: str) -> bool:
    """Whether the broker at `address` shows `name` in its metadata (kcat asking that broker)."""
    out = subprocess.run(["kcat", "-b", address, "-L", "-J", "-m", "5", "-t", name],
                         capture_output=True, text=True, timeout=60, check=True)
    (topic,) = json.loads(out.stdout)["topics"]
    error = topic.get("error")
    assert error is None or "Unknown topic" in error, topic
    return error is None


def wait_for_metadata_fence(direct, env) -> None:
    """Waits until every broker's metadata has every change committed before this call: a fence
    topic created now is waited for on every broker (KRaft brokers apply the metadata log in
    order, so one that shows it has applied every earlier change), then deleted."""
    # Not under env.prefix: the listing tests compare what is.
    fence = f"fence-{env.prefix}-{time.monotonic_ns()}"
    direct.create_topics([NewTopic(fence, 1, 1)])
    brokers = env.cluster.split(",")
    wait_for(f"{fence} on every broker", lambda: all(node_has_topic(b, fence) for b in brokers),
             timeout_s=30)
    direct.delete_topics([fence])


def assert_absent_everywhere(direct, env, names) -> None:
    """No broker shows any of `names`, once every broker's metadata is current."""
    wait_for_metadata_fence(direct, env)
    for broker in env.cluster.split(","):
        for name in names:
            assert not node_has_topic(broker, name), f"{broker} has {name}"


def ok(value: dict) -> None:
    assert value["ErrorCode"] == 0 and value["ErrorMessage"] is None, value


# -- discovery and metadata ------------------------------------------------------------------


def test_api_versions_list_the_extension(protocol, admin):
    offered = api_versions(admin.conn)
    for api_key in range(30000, 30018):
        spec = protocol.requests[api_key]
        assert offered.get(api_key) == (spec.valid.low, spec.valid.high), (api_key, offered)


@pytest.mark.parametrize("version", [0, 1])
def test_cluster_metadata(admin, env, version):
    value = admin("ClusterMetadata", version)
    assert value["ErrorCode"] == 0, value
    brokers = {b["NodeId"]: f"{b['Host']}:{b['Port']}" for b in value["Brokers"]}
    # Brokers are the sidecar's listeners, never the cluster's own addresses.
    assert brokers == env.brokers, value
    controller = value["Controller"]
    assert controller is not None and controller["NodeId"] in brokers, value
    assert f"{controller['Host']}:{controller['Port']}" == brokers[controller["NodeId"]]
    if version == 1:
        assert value["ErrorMessage"] is None
        assert value["ClusterId"], value  # tag 0, sent by a server that knows it
        assert all("Rack" in b for b in value["Brokers"])


# -- topics ----------------------------------------------------------------------------------


def test_create_topic_v0(admin, topics, direct):
    value = admin("CreateTopic", 0, {"Topics": [
        {"Name": topics["a"], "Partitions": 3, "ReplicationFactor": 2, "ReplicaAssignment": "",
         "Configs": [{"Key": "cleanup.policy", "Value": "compact"}]},
        {"Name": topics["b"], "ReplicaAssignment": "1:2,2:3", "Configs": []},
    ]})
    ok(value)
    a = cluster_topic(direct, topics["a"])
    assert sorted(a) == [0, 1, 2] and all(len(r) == 2 for _, r, _ in a.values())
    b = cluster_topic(direct, topics["b"])
    assert {p: r for p, (_, r, _) in b.items()} == {0: [1, 2], 1: [2, 3]}
    assert cluster_configs(direct, topics["a"])["cleanup.policy"] == "compact"


def test_create_topic_v0_answers_the_first_failure(admin, topics, direct):
    # An existing topic first, a new one after: the batch is not atomic, the second is created.
    value = admin("CreateTopic", 0, {"Topics": [
        {"Name": topics["a"], "Partitions": 1, "ReplicationFactor": 1, "Configs": []},
        {"Name": topics["d"], "Partitions": 1, "ReplicationFactor": 3, "Configs": []},
    ]})
    assert value["ErrorCode"] == 1002, value
    assert topics["a"] in value["ErrorMessage"]
    cluster_until(direct, topics["d"], lambda p: len(p) == 1)  # attempted independently


def test_create_topic_v1_per_topic(admin, topics, direct):
    value = admin("CreateTopic", 1, {"Topics": [
        {"Name": topics["c"], "Partitions": 2, "ReplicationFactor": 3, "Configs": []},
        {"Name": topics["a"], "Partitions": 1, "ReplicationFactor": 1, "Configs": []},
        {"Name": topics["e"], "Partitions": 0, "ReplicationFactor": 1, "Configs": []},
    ], "TimeoutMs": 20000})
    assert value["ErrorCode"] == 0, value
    results = [(t["Name"], t["ErrorCode"]) for t in value["Topics"]]
    assert results == [(topics["c"], 0), (topics["a"], 1002), (topics["e"], 1003)], value
    assert value["Topics"][0]["ErrorMessage"] is None
    assert all(t["ErrorMessage"] for t in value["Topics"][1:])
    cluster_until(direct, topics["c"], lambda p: len(p) == 2)


def test_create_topic_v1_validate_only(admin, topics, direct, env):
    value = admin("CreateTopic", 1, {"Topics": [
        {"Name": topics["e"], "Partitions": 1, "ReplicationFactor": 1, "Configs": []},
    ], "ValidateOnly": True})
    assert [(t["Name"], t["ErrorCode"]) for t in value["Topics"]] == [(topics["e"], 0)], value
    assert_absent_everywhere(direct, env, [topics["e"]])


@pytest.mark.parametrize("version", [0, 1])
def test_list_topics(admin, topics, direct, env, version):
    mine = {topics[n] for n in "abcd"}

    def listing():
        value = admin("ListTopics", version, {"ExcludeInternal": True} if version else {})
        ok(value)
        return value["Topics"] if mine <= set(value["Topics"]) else None

    # The sidecar lists what its broker's metadata holds, which may trail the creation a moment.
    listed = wait_for("the new topics to be listed", listing, timeout_s=30)
    assert listed == sorted(listed)
    assert topics["e"] not in listed
    # Of this suite's topics, exactly the cluster's (other tests may create topics meanwhile),
    # once the broker kafka-python asks has caught up too.
    ours = {t for t in listed if t.startswith(env.prefix)}

    def same_listing():
        cluster = set(direct.list_topics())
        return cluster if {t for t in cluster if t.startswith(env.prefix)} == ours else None

    cluster = wait_for("the cluster to list the same", same_listing, timeout_s=30)
    internal = [t for t in listed if t.startswith("__")]
    assert not internal if version else internal == [t for t in sorted(cluster) if t.startswith("__")]


def _described(description: dict) -> dict:
    return {p["PartitionId"]: (p["Leader"], p["Replicas"], p["Isr"])
            for p in description["TopicPartitionDetails"]}


def test_describe_topic_v0(admin, topics, direct):
    value = admin("DescribeTopic", 0, {"TopicName": topics["a"]})
    ok(value)
    d = value["TopicDescription"]
    assert d["TopicName"] == topics["a"]
    details = d["TopicConfigDetails"]
    assert (details["Partitions"], details["ReplicationFactor"]) == (3, 2)
    assert {c["Key"]: c["Value"] for c in details["Configs"]} == {"cleanup.policy": "compact"}
    ours = _described(d)
    cluster = cluster_topic(direct, topics["a"])
    assert {p: r for p, (_, r, _) in ours.items()} == {p: r for p, (_, r, _) in cluster.items()}
    for leader, replicas, isr in ours.values():
        assert leader in replicas and set(isr) <= set(replicas)


def test_describe_topic_v0_unknown(admin, env):
    value = admin("DescribeTopic", 0, {"TopicName": f"{env.prefix}-missing"})
    assert value["ErrorCode"] == 3 and value["ErrorMessage"], value
    assert value["TopicDescription"] is None


def test_describe_topic_v1_batch(admin, topics, direct, env):
    missing = f"{env.prefix}-missing"
    value = admin("DescribeTopic", 1, {"TopicNames": [topics["b"], missing, topics["c"]]})
    ok(value)
    got = value["Topics"]
    assert [(t["Name"], t["ErrorCode"]) for t in got] == [
        (topics["b"], 0), (missing, 3), (topics["c"], 0)], value
    assert got[1]["TopicDescription"] is None and got[1]["ErrorMessage"]
    b = got[0]["TopicDescription"]
    assert _described(b)[0][1] == [1, 2] and _described(b)[1][1] == [2, 3]
    assert b["TopicConfigDetails"]["Configs"] == []
    c = got[2]["TopicDescription"]
    assert (c["TopicConfigDetails"]["Partitions"], c["TopicConfigDetails"]["ReplicationFactor"]) \
        == (2, 3)
    cluster = cluster_topic(direct, topics["c"])
    assert {p: r for p, (_, r, _) in _described(c).items()} == \
        {p: r for p, (_, r, _) in cluster.items()}


def test_alter_topic_v0(admin, topics, direct):
    value = admin("AlterTopic", 0, {
        "TopicName": topics["a"], "Partitions": 4, "ReplicaAssignment": None,
        "AddedConfigs": [{"Key": "retention.ms", "Value": "3600000"}],
        "DeletedConfigs": ["cleanup.policy"]})
    ok(value)
    cluster_until(direct, topics["a"], lambda p: len(p) == 4)
    wait_for("the configs to change", lambda: (
        (c := cluster_configs(direct, topics["a"])).get("retention.ms") == "3600000"
        and "cleanup.policy" not in c))  # back to the default: no longer set on the topic


def test_alter_topic_v0_decrease_refused(admin, topics):
    value = admin("AlterTopic", 0, {"TopicName": topics["a"], "Partitions": 2,
                                    "AddedConfigs": [], "DeletedConfigs": []})
    assert value["ErrorCode"] == 1004 and value["ErrorMessage"], value


def test_alter_topic_v1_batch(admin, topics, direct):
    value = admin("AlterTopic", 1, {"Topics": [
        {"Name": topics["b"], "Partitions": 3, "ReplicaAssignment": "3:1",
         "AddedConfigs": [], "DeletedConfigs": []},
        {"Name": topics["c"], "Partitions": -1,
         "AddedConfigs": [{"Key": "max.message.bytes", "Value": "200000"}], "DeletedConfigs": []},
        {"Name": topics["d"], "Partitions": 0, "AddedConfigs": [], "DeletedConfigs": []},
    ], "TimeoutMs": 20000})
    ok(value)
    assert [(t["Name"], t["ErrorCode"]) for t in value["Topics"]] == [
        (topics["b"], 0), (topics["c"], 0), (topics["d"], 1003)], value
    cluster_until(direct, topics["b"], lambda p: len(p) == 3 and p[2][1] == [3, 1])
    wait_for("max.message.bytes", lambda: cluster_configs(direct, topics["c"]).get(
        "max.message.bytes") == "200000")


def test_alter_topic_v1_validate_only(admin, topics, direct, env):
    value = admin("AlterTopic", 1, {"Topics": [
        {"Name": topics["c"], "Partitions": 5, "AddedConfigs": [], "DeletedConfigs": []},
    ], "ValidateOnly": True})
    assert [(t["Name"], t["ErrorCode"]) for t in value["Topics"]] == [(topics["c"], 0)], value
    # Still 2 once every broker's metadata is current: nothing was changed.
    wait_for_metadata_fence(direct, env)
    assert len(cluster_topic(direct, topics["c"])) == 2


# -- reassignment and elections --------------------------------------------------------------


def _plan(moves) -> str:
    return json.dumps({"version": 1, "partitions": [
        {"topic": t, "partition": p, "replicas": r} for t, p, r in moves]})


def test_reassign_partitions_v0_and_verify(admin, topics, direct):
    plan = _plan([(topics["b"], 0, [2, 3])])
    ok(admin("ReassignPartitions", 0, {"ManualAssignment": plan}))

    def done():
        for version in (0, 1):
            v = admin("VerifyReassignPartitions", version, {"ManualAssignment": plan})
            ok(v)
            assert [(r["Topic"], r["Partition"]) for r in v["Results"]] == [(topics["b"], 0)]
            if v["Results"][0]["ResultCode"] != 1:
                return False
        return True

    wait_for("the reassignment to complete", done)
    cluster_until(direct, topics["b"], lambda p: p[0][1] == [2, 3])


def test_reassign_partitions_v1_per_partition(admin, topics, direct):
    plan = _plan([(topics["b"], 1, [3, 1]), (topics["c"], 0, [3, 2, 1])])
    value = admin("ReassignPartitions", 1, {"ManualAssignment": plan, "TimeoutMs": 20000})
    ok(value)
    assert [(p["Topic"], p["Partition"], p["ErrorCode"]) for p in value["Partitions"]] == [
        (topics["b"], 1, 0), (topics["c"], 0, 0)], value

    def done():
        v = admin("VerifyReassignPartitions", 1, {"ManualAssignment": plan})
        ok(v)
        return all(r["ResultCode"] == 1 for r in v["Results"])

    wait_for("the reassignment to complete", done)
    cluster_until(direct, topics["b"], lambda p: p[1][1] == [3, 1])
    cluster_until(direct, topics["c"], lambda p: p[0][1] == [3, 2, 1])


def test_verify_never_fails_a_completing_reassignment(admin, topics):
    """docs/protocol.md: -1 is "failed: not moving, and not at the plan's replicas", and the
    sidecar looks again before answering it, so "a -1 is the cluster's settled state". A plan the
    cluster accepted and completes must go 0... then 1, never -1 on the way (each move adds a
    replica, the case where a broker's metadata trails the controller's)."""
    codes = []
    for target in ([1, 3], [2, 1], [3, 2]):
        plan = _plan([(topics["d"], 0, target)])
        ok(admin("ReassignPartitions", 1, {"ManualAssignment": plan}))

        def settled():
            v = admin("VerifyReassignPartitions", 1, {"ManualAssignment": plan})
            codes.append(v["Results"][0]["ResultCode"])
            return codes[-1] == 1

        wait_for("the reassignment to complete", settled, interval_s=0.01)
    assert -1 not in codes, codes


def test_verify_reassign_partitions_wrong_order_is_failed(admin, topics):
    v = admin("VerifyReassignPartitions", 0,
              {"ManualAssignment": _plan([(topics["b"], 0, [3, 2])])})
    ok(v)
    assert v["Results"][0]["ResultCode"] == -1, v


def test_reassign_partitions_bad_plan(admin):
    for version in (0, 1):
        v = admin("ReassignPartitions", version, {"ManualAssignment": "{not json"})
        assert v["ErrorCode"] == 1006 and v["ErrorMessage"], v


def _election(parts) -> str:
    return json.dumps({"partitions": [{"topic": t, "partition": p} for t, p in parts]})


def test_preferred_replica_leader_election_and_verify(admin, topics, direct):
    parts = [(topics["b"], 0), (topics["b"], 1), (topics["c"], 0)]
    serialized = _election(parts)
    ok(admin("PreferredReplicaLeaderElection", 0, {"PartitionsSerialized": serialized}))
    value = admin("PreferredReplicaLeaderElection", 1,
                  {"PartitionsSerialized": serialized, "TimeoutMs": 20000})
    ok(value)
    # Already elected by v0, so not needed now: 0 for each.
    assert sorted((p["Topic"], p["Partition"], p["ErrorCode"]) for p in value["Partitions"]) == \
        sorted((t, p, 0) for t, p in parts), value

    def elected():
        v0 = admin("VerifyPreferredReplicaLeaderElection", 0, {"PartitionsSerialized": serialized})
        v1 = admin("VerifyPreferredReplicaLeaderElection", 1, {"PartitionsSerialized": serialized})
        ok(v0)
        ok(v1)
        assert [(r["Topic"], r["Partition"]) for r in v1["Results"]] == parts
        return all(r["ResultCode"] == 1 for r in v0["Results"] + v1["Results"]) and v1

    v1 = wait_for("the preferred leaders", elected)
    def led(p):
        return all(leader == replicas[0] for leader, replicas, _ in p.values())

    cluster_b = cluster_until(direct, topics["b"], led)
    cluster_c = cluster_until(direct, topics["c"], led)
    for r in v1["Results"]:
        described = (cluster_b if r["Topic"] == topics["b"] else cluster_c)[r["Partition"]]
        assert r["Leader"] == r["PreferredLeader"] == described[0] == described[1][0], (r, described)


def test_verify_election_unknown_topic(admin, env):
    for version in (0, 1):
        v = admin("VerifyPreferredReplicaLeaderElection", version,
                  {"PartitionsSerialized": _election([(f"{env.prefix}-missing", 0)])})
        assert v["ErrorCode"] == 3 and v["Results"] == [], v


def test_election_bad_json(admin):
    for version in (0, 1):
        v = admin("PreferredReplicaLeaderElection", version, {"PartitionsSerialized": "[1,"})
        assert v["ErrorCode"] == 1009 and v["ErrorMessage"], v


# -- deletion --------------------------------------------------------------------------------


def test_delete_topic_v0(admin, topics, direct):
    ok(admin("DeleteTopic", 0, {"TopicName": topics["a"]}))
    wait_for("the topic to go", lambda: topics["a"] not in direct.list_topics())
    v = admin("DeleteTopic", 0, {"TopicName": topics["a"]})
    assert v["ErrorCode"] == 3, v


def test_delete_topic_v1_batch(admin, topics, direct, env):
    missing = f"{env.prefix}-missing"
    names = [topics["b"], missing, topics["c"], topics["d"]]
    value = admin("DeleteTopic", 1, {"TopicNames": names, "TimeoutMs": 20000})
    ok(value)
    assert [(t["Name"], t["ErrorCode"]) for t in value["Topics"]] == [
        (topics["b"], 0), (missing, 3), (topics["c"], 0), (topics["d"], 0)], value
    wait_for("the topics to go", lambda: not {topics[n] for n in "bcd"} & set(direct.list_topics()))
    wait_for("the sidecar to list none of them", lambda: not [
        t for t in admin("ListTopics", 1, {"ExcludeInternal": False})["Topics"]
        if t.startswith(env.prefix)], timeout_s=30)
