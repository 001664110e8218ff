"""Playwright, pointed at Debian's Chromium, for the web console's tests.

The Rust test (tests/integration/tests/console.rs) starts the cluster's sidecar and prepares the
data; it passes what it made through the environment:

- CONSOLE_URL: the sidecar's HTTP listener (http://127.0.0.1:PORT).
- CONSOLE_SCREENSHOTS: if set, where to save a screenshot of each page (docs/console holds the
  ones shown).
- CONSOLE_CHROMIUM: the browser (default /usr/bin/chromium).
- the scenario's names, read by each test (see test_console.py).
"""

import base64
import json
import os
import pathlib
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect, sync_playwright

# Every wait on the page is a bounded wait for a condition: a minute covers a loaded machine.
expect.set_options(timeout=60_000)


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through tests/integration/tests/console.rs")
    return value


@pytest.fixture(scope="session")
def base_url():
    return env("CONSOLE_URL").rstrip("/")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        # A browser of its own (Playwright gives it a fresh profile): no sandbox (tests may run
        # as root), nothing fetched from the network but the sidecar, no GPU on a headless machine.
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh page (its own sessionStorage), failing the test on any script error or CSP
    violation the console causes."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def on_console(message):
        # A refused request is logged by the browser as "Failed to load resource": the console
        # shows those itself, and some tests cause them on purpose.
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(f"console error: {message.text}")

    page.on("console", on_console)
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture(scope="session")
def shots():
    """Saves a full-page screenshot under CONSOLE_SCREENSHOTS, when it is set."""
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)

    def shoot(page, name):
        if folder:
            page.screenshot(path=str(pathlib.Path(folder) / f"{name}.png"), full_page=True)

    return shoot


class Rest:
    """The REST API as a script calls it, to prepare and check what the browser did."""

    def __init__(self, base, user=None, password=None):
        self.base = base
        self.auth = None
        if user:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.auth = f"Basic {token}"

    def __call__(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                text = answer.read().decode()
                return answer.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, json.loads(text) if text else None


@pytest.fixture(scope="session")
def rest(base_url):
    return Rest(base_url, os.environ.get("CONSOLE_USER"), os.environ.get("CONSOLE_PASSWORD"))
