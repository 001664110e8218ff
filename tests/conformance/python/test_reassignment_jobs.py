"""The reassignment jobs (keys 30010-30012, version 0 only, flexible) sent by the generic codec to
the sidecar in front of the real cluster: an estimate, a real job followed to COMPLETED, the
listing, the per-job and per-request errors, each checked against protocol-specs/ and
docs/protocol.md and, through kafka-python talking to the cluster directly, against the cluster.

The tests run in file order and share two topics (made here, deleted at the end)."""

from __future__ import annotations

import re

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from wire import Connection, wait_for

SUBMIT, DESCRIBE, ALTER = 30010, 30011, 30012
INVALID_REQUEST = 42
UNKNOWN_TOPIC = 3
NO_REASSIGNMENT_IN_PROGRESS = 85
RESOURCE_NOT_FOUND = 91
INVALID_REPLICATION_FACTOR = 1005
INVALID_REPLICA_ASSIGNMENT = 1006
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
JOB_STATES = {"SCHEDULED", "RUNNING", "PAUSED", "COMPLETED", "FAILED", "CANCELLED"}
ENDED = {"COMPLETED", "FAILED", "CANCELLED"}
UNKNOWN_JOB = "0" * 32

# The estimate's topic: 3 partitions on broker 1 alone; the job's: 2 partitions on broker 1.
EST_PLACEMENT = {0: [1], 1: [1], 2: [1]}
RUN_PLACEMENT = {0: [1], 1: [1]}

STATE: dict = {}  # the job made by test_submit_runs_a_job, for the tests after it


@pytest.fixture(scope="module")
def direct(env):
    client = KafkaAdminClient(bootstrap_servers=env.cluster.split(","))
    yield client
    client.close()


@pytest.fixture(scope="module")
def conn(protocol, env):
    with Connection(protocol, env.bootstrap) as c:
        yield c


def replicas(direct, name: str) -> dict:
    """Partition -> replicas, as the cluster itself describes the topic."""
    (described,) = direct.describe_topics([name])
    assert described["error_code"] == 0, described
    return {p["partition_index"]: p["replica_nodes"] for p in described["partitions"]}


def settled(direct, name: str, expected: dict, what: str) -> None:
    """Waits (bounded) until the cluster describes `name` with `expected` replicas, every
    partition led: a broker's metadata trails the controller's a moment after a change."""
    def check():
        (d,) = direct.describe_topics([name])
        if d["error_code"] != 0:
            return None
        got = {p["partition_index"]: p["replica_nodes"] for p in d["partitions"]}
        led = all(p["leader_id"] >= 0 for p in d["partitions"])
        return got if got == expected and led else None

    wait_for(what, check, timeout_s=30)


def assert_nothing_moved(direct, name: str, placement: dict) -> None:
    """No reassignment under way on the controller, and the topic where it was."""
    moving = direct.list_partition_reassignments({name: list(placement)})
    assert not moving, f"{name} is being reassigned: {moving}"
    assert replicas(direct, name) == placement


@pytest.fixture(scope="module")
def topics(env, direct, protocol):
    names = {"est": f"{env.prefix}-jobs-est", "run": f"{env.prefix}-jobs-run"}
    direct.create_topics([NewTopic(names["est"], replica_assignments=EST_PLACEMENT),
                          NewTopic(names["run"], replica_assignments=RUN_PLACEMENT)])
    settled(direct, names["est"], EST_PLACEMENT, f"{names['est']} to be created")
    settled(direct, names["run"], RUN_PLACEMENT, f"{names['run']} to be created")
    # A little data to move (a few KB).
    producer = KafkaProducer(bootstrap_servers=env.cluster.split(","), acks="all")
    for i in range(40):
        producer.send(names["run"], value=b"x" * 100, partition=i % 2)
    producer.flush(timeout=30)
    producer.close()
    yield names
    direct.delete_topics(list(names.values()))
    # Gone from the cluster and from the sidecar's listing, so the next module's listing of
    # this prefix is not disturbed.
    wait_for("the jobs' topics to go", lambda: not set(names.values()) & set(direct.list_topics()),
             timeout_s=30)
    with Connection(protocol, env.bootstrap) as c:
        wait_for("the sidecar to list neither", lambda: not set(names.values()) & set(
            c.call(30005, 1, {"ExcludeInternal": True})["Topics"]), timeout_s=30)


def submit(conn, reassignments, **fields) -> dict:
    return conn.call(SUBMIT, 0, {"Reassignments": reassignments, **fields})


def describe(conn, job_ids, include_partitions=True) -> dict:
    return conn.call(DESCRIBE, 0, {"JobIds": job_ids, "IncludePartitions": include_partitions})


def alter(conn, job_id: str, action: int) -> dict:
    return conn.call(ALTER, 0, {"JobId": job_id, "Action": action})


def test_submit_time_estimate_moves_nothing(conn, topics, direct):
    est = topics["est"]
    value = submit(conn, [{"Topic": est, "Brokers": [1, 2, 3], "ReplicationFactor": 2}],
                   TimeEstimate=True)
    assert value["ErrorCode"] == 0 and value["ErrorMessage"] is None, value
    assert value["JobId"] is None, value
    assert value["ReassignmentTime"] >= 0, value
    assert value["Rate"] > 0, value
    # Every partition changes (replication factor 1 to 2), each from where it is now.
    planned = {p["Partition"]: p for p in value["Partitions"]}
    assert sorted(planned) == [0, 1, 2], value
    for partition, p in planned.items():
        assert p["Topic"] == est and p["Replicas"] == EST_PLACEMENT[partition], p
        target = p["TargetReplicas"]
        assert len(target) == 2 and len(set(target)) == 2 and set(target) <= {1, 2, 3}, p
        assert p["Bytes"] >= 0
    assert all(b["BrokerId"] in (1, 2, 3) for b in value["Brokers"]), value
    assert sum(b["BytesIn"] for b in value["Brokers"]) == value["BytesToMove"], value
    assert sum(b["BytesOut"] for b in value["Brokers"]) == value["BytesToMove"], value
    # Nothing moved, and no job was made for the topic.
    assert_nothing_moved(direct, est, EST_PLACEMENT)
    listing = describe(conn, None)
    assert listing["ErrorCode"] == 0, listing
    assert not [j for j in listing["Jobs"] if any(p["Topic"] == est for p in j["Partitions"])]


def test_submit_runs_a_job_to_completion(conn, topics, direct):
    run = topics["run"]
    value = submit(conn, [{"Topic": run, "Brokers": [2, 3], "ReplicationFactor": -1}])
    assert value["ErrorCode"] == 0 and value["ErrorMessage"] is None, value
    job_id = value["JobId"]
    assert job_id is not None and JOB_ID.match(job_id), value
    # Not an estimate: the estimate's fields keep their defaults.
    assert value["ReassignmentTime"] == -1 and value["Partitions"] == [], value
    STATE["job"] = job_id

    seen = []

    def ended():
        v = describe(conn, [job_id])
        assert v["ErrorCode"] == 0, v
        (job,) = v["Jobs"]
        assert job["JobId"] == job_id and job["ErrorCode"] == 0, job
        assert job["State"] in JOB_STATES, job
        seen.append(job["State"])
        # docs/protocol.md: a client waiting for a job waits until it is final and not
        # CleanupPending.
        return job if job["State"] in ENDED and not job["CleanupPending"] else None

    job = wait_for("the job to end", ended, timeout_s=60, interval_s=0.5)
    assert job["State"] == "COMPLETED", (seen, job)
    assert job["Error"] is None and job["ErrorMessage"] is None, job
    assert job["Throttle"] == -1 and job["ExecuteAt"] == -1, job
    assert 0 < job["CreatedMs"] <= job["StartedMs"] <= job["FinishedMs"], job
    assert job["PartitionCount"] == job["PartitionsDone"] == 2, job
    assert job["CleanupPending"] is False, job
    targets = {}
    for p in job["Partitions"]:
        assert p["Topic"] == run and p["State"] == "DONE", p
        assert p["Replicas"] == RUN_PLACEMENT[p["Partition"]], p
        assert len(p["TargetReplicas"]) == 1 and set(p["TargetReplicas"]) <= {2, 3}, p
        targets[p["Partition"]] = p["TargetReplicas"]
    assert sorted(targets) == [0, 1], job
    # The cluster has the described target replicas.
    settled(direct, run, targets, "the cluster to show the job's target replicas")
    assert not direct.list_partition_reassignments({run: [0, 1]})
    STATE["targets"] = targets


def test_describe_lists_the_job_and_answers_an_unknown_one(conn):
    job_id = STATE.get("job")
    assert job_id, "needs test_submit_runs_a_job_to_completion"
    listing = describe(conn, None, include_partitions=False)
    assert listing["ErrorCode"] == 0 and listing["ErrorMessage"] is None, listing
    ours = [j for j in listing["Jobs"] if j["JobId"] == job_id]
    assert len(ours) == 1, listing
    assert ours[0]["State"] == "COMPLETED" and ours[0]["PartitionCount"] == 2, ours
    assert ours[0]["Partitions"] == [], ours  # left out when not asked for
    assert all(j["ErrorCode"] == 0 and j["State"] in JOB_STATES for j in listing["Jobs"]), listing
    created = [j["CreatedMs"] for j in listing["Jobs"]]
    assert created == sorted(created), listing  # oldest first

    value = describe(conn, [UNKNOWN_JOB, job_id])
    assert value["ErrorCode"] == 0, value
    unknown, known = value["Jobs"]  # in request order
    assert unknown["JobId"] == UNKNOWN_JOB and unknown["ErrorCode"] == RESOURCE_NOT_FOUND, value
    assert unknown["ErrorMessage"] and unknown["State"] == "", value
    assert known["JobId"] == job_id and known["ErrorCode"] == 0, value
    assert {p["Partition"]: p["TargetReplicas"] for p in known["Partitions"]} == STATE["targets"]


def test_alter_reassignment_job_errors(conn):
    job_id = STATE.get("job")
    assert job_id, "needs test_submit_runs_a_job_to_completion"
    unknown = alter(conn, UNKNOWN_JOB, 0)
    assert unknown["ErrorCode"] == RESOURCE_NOT_FOUND and unknown["ErrorMessage"], unknown
    for action in (0, 1, 2):
        ended = alter(conn, job_id, action)
        assert ended["ErrorCode"] == NO_REASSIGNMENT_IN_PROGRESS and ended["ErrorMessage"], ended
        assert ended["State"] == "COMPLETED", ended
    bad = alter(conn, job_id, 7)
    assert bad["ErrorCode"] == INVALID_REQUEST and bad["ErrorMessage"], bad
    # Still completed: none of them changed the job.
    (job,) = describe(conn, [job_id], include_partitions=False)["Jobs"]
    assert job["State"] == "COMPLETED", job


def test_invalid_submissions_move_nothing(conn, topics, direct, env):
    est = topics["est"]
    missing = f"{env.prefix}-jobs-missing"
    automatic = [{"Topic": est, "Brokers": [1, 2, 3], "ReplicationFactor": 2}]
    cases = [
        ("an unknown broker", INVALID_REPLICA_ASSIGNMENT,
         [{"Topic": est, "Brokers": [], "Assignment": [
             {"Partition": 0, "PartitionBrokers": [999]}]}], {}),
        ("a replication factor of 0", INVALID_REPLICATION_FACTOR,
         [{"Topic": est, "Brokers": [1, 2, 3], "ReplicationFactor": 0}], {}),
        ("an unknown topic", UNKNOWN_TOPIC,
         [{"Topic": missing, "Brokers": [1, 2, 3], "ReplicationFactor": -1}], {}),
        ("a throttle of 0", INVALID_REQUEST, automatic, {"Throttle": 0}),
        ("a schedule without a time", INVALID_REQUEST, automatic,
         {"IsSchedule": True, "ExecuteAt": -1}),
    ]
    for what, code, reassignments, fields in cases:
        value = submit(conn, reassignments, **fields)
        assert value["ErrorCode"] == code and value["ErrorMessage"], (what, value)
        assert value["JobId"] is None, (what, value)
        if code in (INVALID_REPLICATION_FACTOR, UNKNOWN_TOPIC):
            # "with a message naming the topic"
            assert (missing if code == UNKNOWN_TOPIC else est) in value["ErrorMessage"], (what, value)
        if code == INVALID_REPLICA_ASSIGNMENT:
            # "for an invalid request it names the topic and partition at fault"
            message = value["ErrorMessage"]
            assert est in message and re.search(r"partition\D{0,3}0\b", message), (what, value)
        assert_nothing_moved(direct, est, EST_PLACEMENT)
    # And the job's topic stayed where its job put it.
    assert replicas(direct, topics["run"]) == STATE.get("targets", replicas(direct, topics["run"]))
    assert missing not in direct.list_topics()
