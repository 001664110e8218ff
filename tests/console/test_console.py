"""The web console in headless Chromium against the real cluster, through the sidecar's REST API.

Each test opens a page of the console and does what an operator does there: an election from the
overview, a topic's life on the topics pages, a reassignment through the wizard to a completed
throttled job, a job paused, resumed, cancelled and deleted, a link's mirror promoted; on the
secured cluster, a user without rights is refused with the API's own error.
"""

import re
import time

from conftest import env
from playwright.sync_api import expect


def tid(page, name, **attributes):
    """The element(s) with data-testid `name` and the given data- attributes."""
    selector = f'[data-testid="{name}"]'
    for key, value in attributes.items():
        selector += f'[data-{key.replace("_", "-")}="{value}"]'
    return page.locator(selector)


def eventually(what, check, seconds=60):
    """Asks `check` again until it returns something true (a broker's metadata follows the
    controller by moments), for at most `seconds`; then fails naming what it waited for."""
    deadline = time.monotonic() + seconds
    while True:
        seen = check()
        if seen:
            return seen
        assert time.monotonic() < deadline, f"{what}: never true"
        time.sleep(0.2)


def confirm(page):
    expect(tid(page, "confirm-dialog")).to_be_visible()
    tid(page, "confirm-ok").click()
    expect(tid(page, "confirm-dialog")).to_be_hidden()


def no_error(page):
    expect(tid(page, "error")).to_be_hidden()


# --- the plain cluster ---------------------------------------------------------------------------


def test_the_overview_shows_the_brokers_and_elects_the_preferred_leaders(page, rest, shots):
    topic = env("CONSOLE_ELECT")
    served = page.goto("/ui#/overview")
    # The page may run only its own files, and talk only to its own origin.
    policy = served.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, policy
    expect(tid(page, "broker-row")).to_have_count(3)
    for broker in (1, 2, 3):
        row = tid(page, "broker-row", broker_id=broker)
        expect(row).to_contain_text("127.0.0.1")
    _, cluster = rest("GET", "/")
    expect(tid(page, "cluster-summary")).to_contain_text(cluster["kafka_cluster_id"])
    expect(tid(page, "broker-chart").locator("rect").first).to_be_visible()
    expect(tid(page, "skew")).not_to_be_empty()
    expect(tid(page, "election-row", topic=topic, partition=0)).to_be_visible()
    shots(page, "overview")

    tid(page, "elect-all").click()
    # Elect-all may ask first: a one-click action that changes leaders is confirmed.
    if tid(page, "confirm-dialog").is_visible():
        confirm(page)
    expect(tid(page, "election-result", topic=topic, partition=0)).to_have_attribute(
        "data-elected", "true"
    )
    no_error(page)
    # The refresh after it no longer lists the partition, and the broker leads it.
    expect(tid(page, "election-row", topic=topic, partition=0)).to_have_count(0)
    def led_by_preferred():
        partition = rest("GET", f"/topics/{topic}")[1]["partitions"][0]
        return partition["leader"] == partition["replicas"][0]

    eventually("the partition led by its preferred replica", led_by_preferred)
    shots(page, "overview-elected")


def test_a_topic_is_created_described_changed_and_deleted(page, rest, shots):
    topic = env("CONSOLE_PREFIX") + "-made"
    page.goto("/ui#/topics")
    tid(page, "create-name").fill(topic)
    tid(page, "create-partitions").fill("3")
    tid(page, "create-rf").fill("2")
    tid(page, "create-configs").fill("retention.ms=3600000\n")
    tid(page, "create-submit").click()
    expect(tid(page, "notice")).to_be_visible()
    no_error(page)
    status, made = rest("GET", f"/topics/{topic}")
    assert status == 200 and made["replication_factor"] == 2, made
    assert made["configs"] == {"retention.ms": "3600000"}, made

    # The list's search narrows it to the topic; its row leads to the topic's page.
    page.goto("/ui#/topics")
    tid(page, "topic-search").fill(topic)
    expect(tid(page, "topic-row")).to_have_count(1)
    expect(tid(page, "topic-row", topic=topic)).to_be_visible()
    shots(page, "topics")
    tid(page, "topic-row", topic=topic).get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"#/topics/" + re.escape(topic) + "$"))
    expect(tid(page, "partition-row")).to_have_count(3)
    expect(tid(page, "config-row", key="retention.ms")).to_contain_text("3600000")

    # A setting added, another removed, partitions added.
    tid(page, "config-key").fill("cleanup.policy")
    tid(page, "config-value").fill("compact")
    tid(page, "config-set").click()
    expect(tid(page, "config-row", key="cleanup.policy")).to_contain_text("compact")
    tid(page, "config-row", key="retention.ms").get_by_test_id("config-delete").click()
    if tid(page, "confirm-dialog").is_visible():
        confirm(page)
    expect(tid(page, "config-row", key="retention.ms")).to_have_count(0)
    tid(page, "add-partitions-input").fill("5")
    tid(page, "add-partitions-submit").click()
    expect(tid(page, "partition-row")).to_have_count(5)
    no_error(page)
    _, changed = rest("GET", f"/topics/{topic}")
    assert changed["configs"] == {"cleanup.policy": "compact"}, changed
    assert len(changed["partitions"]) == 5, changed
    shots(page, "topic")

    # Deleting asks for the name: a wrong one deletes nothing.
    tid(page, "delete-topic").click()
    expect(tid(page, "confirm-dialog")).to_be_visible()
    tid(page, "delete-confirm-name").fill(topic + "x")
    tid(page, "confirm-ok").click()
    assert rest("GET", f"/topics/{topic}")[0] == 200
    if not tid(page, "confirm-dialog").is_visible():
        tid(page, "delete-topic").click()
    tid(page, "delete-confirm-name").fill(topic)
    confirm(page)
    expect(page).to_have_url(re.compile(r"#/topics$"))
    no_error(page)
    assert rest("GET", f"/topics/{topic}")[0] == 404


def progress(page):
    value = tid(page, "job-progress").first.get_attribute("aria-valuenow")
    return float(value) if value not in (None, "") else None


def test_the_wizard_moves_a_topic_in_a_throttled_job_followed_to_its_end(page, rest, shots):
    topic, left_behind = env("CONSOLE_MOVE"), env("CONSOLE_LEFT_THROTTLE")
    page.goto("/ui#/reassign")
    expect(tid(page, "wizard-step", step=1)).to_be_visible()
    tid(page, "wizard-topic-search").fill(topic)
    tid(page, "wizard-topic").and_(page.locator(f'[value="{topic}"]')).check()
    tid(page, "wizard-next").click()

    expect(tid(page, "wizard-step", step=2)).to_be_visible()
    for broker in (1, 2, 3):
        box = tid(page, "wizard-broker").and_(page.locator(f'[value="{broker}"]'))
        box.set_checked(broker != 1)
    tid(page, "wizard-rf").fill("1")
    tid(page, "wizard-next").click()

    # Review: every partition leaves broker 1; the bytes and the time are given; the throttle
    # left on another topic by no job is warned about.
    expect(tid(page, "wizard-step", step=3)).to_be_visible()
    placement = tid(page, "wizard-placement").locator("tbody tr")
    expect(placement).to_have_count(4)
    expect(tid(page, "wizard-bytes")).to_contain_text(re.compile(r"[1-9]"))
    expect(tid(page, "wizard-estimate")).not_to_be_empty()
    expect(tid(page, "wizard-warning").filter(has_text=left_behind)).to_have_count(1)
    no_error(page)
    shots(page, "wizard-review")
    tid(page, "wizard-next").click()

    expect(tid(page, "wizard-step", step=4)).to_be_visible()
    tid(page, "wizard-throttle").fill("0.2")
    tid(page, "wizard-when-now").check()
    throttled = tid(page, "wizard-estimate-throttled")
    expect(throttled).to_have_attribute("data-throttle", "200000")
    expect(throttled).to_contain_text("200 KB/s")
    tid(page, "wizard-next").click()

    expect(tid(page, "wizard-step", step=5)).to_be_visible()
    expect(tid(page, "wizard-step", step=5)).to_contain_text(throttled.text_content())
    shots(page, "wizard-confirm")
    tid(page, "wizard-submit").click()
    expect(page).to_have_url(re.compile(r"#/jobs/[0-9a-f]+$"))
    job = page.url.rsplit("/", 1)[1]
    _, described = rest("GET", f"/jobs/{job}")
    assert described["throttle"] == 200_000, described

    # Followed to its end: the bar advances (four partitions, one at a time at 200 kB/s) and the
    # chart of bytes moved grows.
    seen, deadline = [], time.monotonic() + 180
    while time.monotonic() < deadline:
        value = progress(page)
        if value is not None and (not seen or seen[-1] != value):
            seen.append(value)
        if tid(page, "job-state").text_content().strip() == "COMPLETED":
            break
        page.wait_for_timeout(250)
    expect(tid(page, "job-state")).to_have_text("COMPLETED")
    assert seen == sorted(seen), f"progress went back: {seen}"
    assert any(0 < v < 100 for v in seen), f"no progress between start and end: {seen}"
    expect(tid(page, "job-progress").first).to_have_attribute("aria-valuenow", "100")
    expect(tid(page, "task-row", state="DONE")).to_have_count(4)
    expect(tid(page, "job-chart").locator("polyline, path").first).to_be_visible()
    no_error(page)
    shots(page, "job")
    eventually(
        "every partition on broker 2 or 3",
        lambda: all(p["replicas"] in ([2], [3]) for p in rest("GET", f"/topics/{topic}")[1]["partitions"]),
    )

    page.goto("/ui#/jobs")
    expect(tid(page, "job-row", job_id=job)).to_have_attribute("data-state", "COMPLETED")
    shots(page, "jobs")


def test_a_job_is_paused_resumed_cancelled_retried_and_deleted(page, rest):
    topic = env("CONSOLE_PAUSE")
    status, started = rest(
        "POST",
        "/reassignments",
        {
            "reassignments": [{"topic": topic, "brokers": [2, 3], "replication_factor": 1}],
            "throttle": 50_000,
        },
    )
    assert status == 202, started
    job = started["job_id"]
    page.goto(f"/ui#/jobs/{job}")
    expect(tid(page, "job-state")).to_have_text("RUNNING")

    # Paused: the moves under way finish (20 s each at 50 kB/s), no other starts.
    tid(page, "job-pause").click()
    expect(tid(page, "job-state")).to_have_text("PAUSED", timeout=120_000)
    expect(tid(page, "task-row", state="PENDING").first).to_be_visible()
    expect(tid(page, "job-pause")).to_be_disabled()
    tid(page, "job-resume").click()
    expect(tid(page, "job-state")).to_have_text("RUNNING")

    # Cancelled after a confirmation: nothing left pending runs.
    tid(page, "job-cancel").click()
    expect(tid(page, "confirm-message")).not_to_be_empty()
    confirm(page)
    expect(tid(page, "job-state")).to_have_text("CANCELLED", timeout=120_000)
    no_error(page)

    # Retrying the failed partitions of a job with none failed leaves it as it ended.
    tid(page, "job-retry").click()
    no_error(page)
    expect(tid(page, "notice")).to_be_visible()
    expect(tid(page, "job-state")).to_have_text("CANCELLED")
    _, described = rest("GET", f"/jobs/{job}")
    assert described["state"] == "CANCELLED", described

    tid(page, "job-delete").click()
    confirm(page)
    expect(page).to_have_url(re.compile(r"#/jobs$"))
    expect(tid(page, "job-row", job_id=job)).to_have_count(0)
    assert rest("GET", f"/jobs/{job}")[0] == 404


def test_a_links_mirror_is_shown_and_promoted(page, shots):
    link, topic, group = env("CONSOLE_LINK"), env("CONSOLE_MIRROR"), env("CONSOLE_GROUP")
    page.goto("/ui#/links")
    card = tid(page, "link-card", link_id=link)
    expect(card).to_be_visible()
    shots(page, "links")
    card.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"#/links/" + re.escape(link) + "$"))
    row = tid(page, "mirror-row", topic=topic)
    expect(row).to_have_attribute("data-state", "ACTIVE")
    expect(tid(page, "group-row", group=group)).to_be_visible()
    shots(page, "link")

    # Without force, the API refuses (the clients have not been watched long enough): the
    # console shows its answer.
    row.get_by_test_id("mirror-promote").click()
    confirm(page)
    expect(tid(page, "error")).to_contain_text("not been watched")
    row.get_by_test_id("mirror-promote-force").click()
    confirm(page)
    expect(tid(page, "mirror-row", topic=topic)).to_have_attribute("data-state", "PROMOTED")


# --- the secured cluster -------------------------------------------------------------------------


def log_in(page, user, password):
    """Logs in with the header's form, which the caller has seen open."""
    expect(tid(page, "login-form")).to_be_visible()
    tid(page, "login-username").fill(user)
    tid(page, "login-password").fill(password)
    tid(page, "login-submit").click()
    expect(tid(page, "whoami")).to_have_text(user)


def test_secure_a_user_without_rights_is_refused_with_the_apis_answer(page, shots):
    topic = env("CONSOLE_SECURE_TOPIC")
    page.goto("/ui#/topics")
    # Nobody logged in: the cluster asks who.
    expect(tid(page, "error")).to_contain_text("requires authentication")
    expect(tid(page, "login-form")).to_be_visible()

    # bob may not see the topic nor create one; the broker's refusal is shown as it came.
    log_in(page, "bob", env("CONSOLE_BOB_PASSWORD"))
    page.goto("/ui#/topics")
    no_error(page)
    expect(tid(page, "topic-row", topic=topic)).to_have_count(0)
    tid(page, "create-name").fill("bob-console")
    tid(page, "create-partitions").fill("1")
    tid(page, "create-rf").fill("1")
    tid(page, "create-submit").click()
    expect(tid(page, "error")).to_contain_text("uthoriz")
    page.goto(f"/ui#/topics/{topic}")
    expect(tid(page, "error")).to_contain_text("Not authorized to describe topic")
    shots(page, "refused")

    # Logged out, the page asks again (the 401 opens the login form); admin sees the topic.
    tid(page, "logout").click()
    expect(tid(page, "whoami")).to_have_text("anonymous")
    expect(tid(page, "error")).to_contain_text("requires authentication")
    expect(tid(page, "login-form")).to_be_visible()
    log_in(page, "admin", env("CONSOLE_ADMIN_PASSWORD"))
    page.goto("/ui#/topics")
    expect(tid(page, "topic-row", topic=topic)).to_be_visible()
    no_error(page)
