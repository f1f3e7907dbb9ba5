"""Browser tests of ``qantar dashboard``: a real server (the CLI, in a subprocess) and
Debian's headless Chromium driven by Playwright.

Without Chromium or Playwright the tests skip, saying how to get them; with ``CI`` set they
fail instead (``.ci/run`` installs Chromium). Screenshots go to a temporary folder, or to
``$QANTAR_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOW_TO_GET = "the browser tests need Debian's Chromium and Playwright: apt-get install -y chromium; " \
             "pip install -e '.[test]'"


def missing(what: str):
    """Fail under CI, skip elsewhere, saying how to get ``what``."""
    message = f"{what} not found; {HOW_TO_GET}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str:
    """Debian's Chromium, or a skip (a failure under CI)."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    return path or missing("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def runs_root(tmp_path_factory) -> Path:
    """The folder the test server shows on its Runs page."""
    return tmp_path_factory.mktemp("dashboard-runs")


@pytest.fixture(scope="session")
def dashboard_url(runs_root):
    """A ``qantar dashboard`` server for the whole session; its URL."""
    port = free_port()
    log = runs_root.parent / "dashboard-server.log"
    with open(log, "w") as out:  # a file, not a pipe: a full pipe would stall the server
        proc = subprocess.Popen([sys.executable, "-m", "qantar.cli", "dashboard", "--no-browser", "--port", str(port),
                                 "--runs", str(runs_root)], stdout=out, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300  # the first start may compile the engine
    url = None
    while time.monotonic() < deadline and proc.poll() is None and not url:
        if m := re.search(r"qantar dashboard at (\S+)", log.read_text()):
            url = m.group(1)
        time.sleep(0.2)
    if not url:
        proc.kill()
        pytest.fail("the dashboard did not start:\n" + log.read_text())
    yield url
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's) through Playwright."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright (the Python package)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the tests save their screenshots."""
    folder = os.environ.get("QANTAR_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("dashboard-screenshots")


class Page:
    """A browser tab on the dashboard that keeps the console's errors."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.tab = self.context.new_page()
        self.tab.set_default_timeout(60000)  # two cores shared with the rest of the suite
        self.errors: list[str] = []
        self.tab.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.tab.on("pageerror", lambda e: self.errors.append(str(e)))
        self.tab.goto(url)

    def open_tab(self, name: str) -> None:
        """Show the dashboard page ``name`` (a tab)."""
        self.tab.get_by_text(name, exact=True).first.click()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def dashboard(browser, dashboard_url):
    """A fresh session (its own browser context)."""
    page = Page(browser, dashboard_url)
    yield page
    page.close()


@pytest.fixture
def open_session(browser, dashboard_url):
    """Open more sessions: ``open_session()`` returns a new ``Page``; all closed at the end."""
    pages = []

    def make() -> Page:
        pages.append(Page(browser, dashboard_url))
        return pages[-1]

    yield make
    for page in pages:
        page.close()
