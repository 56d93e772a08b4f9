"""What every browser test uses: the whole local stack (`python -m devstack`), started once per test
module or shared by the modules marked `share_stack` (see `stack`), headless Chromium (Debian's) at phone
size, and `check` — axe-core (no serious or critical violation), no sideways scrolling at 360 px,
and with SCREENSHOT_DIR set (`make screenshots`) a PNG.
conftest.py hands the fixtures to pytest; the test modules import the functions."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_SOURCE = AXE.read_text() + "\n;window.axe = axe; true"
PHONE: ViewportSize = {"width": 360, "height": 740}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`python -m devstack` on a free port until the generator is closed: its URL, the fake
    gateway's, and the demo identities' personal codes, parsed from the banner."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "PORT": str(port), "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache"))}
    process = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    banner = ""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and "Press Ctrl-C" not in banner:
        banner += process.stdout.readline()
    assert "Press Ctrl-C" in banner, banner
    # Keep reading what the stack prints (a log line per request): a pipe nobody reads fills up
    # (64 KB) and then blocks the server's next write, and with it the request being answered.
    threading.Thread(target=process.stdout.read, name="devstack-output", daemon=True).start()

    def code(pattern: str) -> str:
        found = re.search(pattern + r".*?(\d{11})", banner)
        assert found, pattern
        return found.group(1)

    try:
        yield {"url": f"http://127.0.0.1:{port}", "gateway": re.search(r"Fake VIISP gateway: (\S+)", banner).group(1),  # type: ignore[union-attr]
               "resident": code(r"resident\s+Gabija"), "guardian": code("guardian of"), "ministry": code(r"ministry\s"),
               "representative": code("representative of Vilniaus"), "pupil": code(r"minor\s"),
               "representative_kaunas": code("representative of Kauno"),
               "representative_klaipeda": code("representative of Klaipėdos"),
               "official": code("official of Vilniaus"),
               "representative_two": code("representative of two schools"),
               "auditor": code(r"auditor \(data protection\)")}
    finally:
        # SIGTERM, which the stack handles as Ctrl-C: a shell that starts the tests in the background
        # without job control makes them ignore SIGINT (seen here: each stack then outlived the tests).
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise


@pytest.fixture(scope="package")
def shared_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The dev stack the modules marked `share_stack` share (see `stack`); stopped when the last
    browser test is done, so it does not run on beside the rest of the suite."""
    yield from start_stack(tmp_path_factory)


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The whole local stack (`python -m devstack`) seeded with the demo register: {"url", "gateway",
    and a personal code per demo identity}.

    A module gets a stack of its own (~10 s to start) unless it declares
    `pytestmark = pytest.mark.share_stack`: then it uses the one stack all such modules share
    (`shared_stack`, started by the first of them). Mark a module so only when it leaves the demo
    data as the others expect it: it undoes what it changes that another module reads (the
    `official_too` fixture removes the official it appoints again), and its own assertions hold
    whatever the other shared modules did before it. Modules run alone, together and in any order
    (under `make test` all browser modules on one worker): none may count on another having run."""
    if request.node.get_closest_marker("share_stack"):
        yield request.getfixturevalue("shared_stack")
    else:
        yield from start_stack(tmp_path_factory)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Headless Chromium for all browser modules: each test gets a fresh context of its own (`context`)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="lt-LT")
    yield context
    context.close()


def check(page: Page, name: str, screenshot: bool = True) -> None:
    """No serious or critical accessibility violation, no sideways scrolling; a screenshot if asked
    (SCREENSHOT_DIR) and the page is one of those `make screenshots` keeps."""
    # Evaluated through DevTools, which the page's strict CSP does not govern (a <script> tag would
    # be refused, as it should be).
    page.evaluate(AXE_SOURCE)
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))")
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder and screenshot:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def log_in(page: Page, stack: dict[str, str], who: str, provider: str = "auth.lt.bank") -> None:
    page.goto(stack["url"] + "/")
    page.get_by_role("link", name="Prisijungti").click()
    page.wait_for_url(re.compile(r".*/portal.*"))
    page.check(f"input[value='{stack[who]}']")
    page.check(f"input[value='{provider}']")
    page.get_by_role("button", name=re.compile("Prisijungti")).click()
    page.wait_for_url(stack["url"] + "/")
    expect(page.locator("nav")).to_be_visible()


def open_link(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """A link opened in a new tab of a logged-in browser, and the URLs that tab requests."""
    page = context.new_page()
    seen = requests_made(page)
    page.goto(url)
    return page, seen


def requests_made(page: Page) -> list[str]:
    """The URLs the page requests from now on (Playwright's request events): what reached the API."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def api_paths(seen: list[str]) -> set[str]:
    """The API paths among `seen` (the page's own files and texts left out)."""
    paths = {urlparse(url).path for url in seen}
    return {path for path in paths if path != "/" and not path.startswith(("/static/", "/texts/"))}


@pytest.fixture
def official_too(browser: Browser, stack: dict[str, str]) -> Iterator[Callable[[str], None]]:
    """`appoint(municipality)`: the demo official (of LT-57) appointed to `municipality` too, as
    `appoint_official_too`; after the test the ministry removes them from it again, since the other
    modules on the shared stack expect an official of Vilnius city alone."""
    appointed: list[str] = []

    def appoint(municipality: str) -> None:
        appoint_official_too(browser, stack, municipality)
        appointed.append(municipality)

    yield appoint
    for municipality in appointed:
        page, ministry = _officials_of(browser, stack, municipality)
        try:
            page.get_by_role("button", name="Pašalinti: Vaida Rimkienė").click()
            expect(page.locator("li.card").filter(has_text="Vaida Rimkienė")).to_have_count(0)
        finally:
            ministry.close()


def _officials_of(browser: Browser, stack: dict[str, str], municipality: str) -> tuple[Page, BrowserContext]:
    """The ministry's page of `municipality`'s officials, in a browser context of its own (to close)."""
    ministry = browser.new_context(viewport=PHONE, locale="lt-LT")
    page = ministry.new_page()
    log_in(page, stack, "ministry")
    page.get_by_role("link", name="Savivaldybių atstovai", exact=True).click()
    page.select_option("#municipality", municipality)
    page.get_by_role("button", name="Rodyti atstovus").click()
    return page, ministry


def appoint_official_too(browser: Browser, stack: dict[str, str], municipality: str) -> None:
    """The ministry appoints the demo official (of LT-57) to `municipality` too, on its page. On the
    shared stack, use the `official_too` fixture instead: it undoes the appointment."""
    from datetime import timedelta

    from chalicelib.domain.dates import vilnius_today

    page, ministry = _officials_of(browser, stack, municipality)
    try:
        today = vilnius_today()
        page.fill("#official-code", stack["official"])
        page.fill("#official-from", today.isoformat())
        page.fill("#official-to", (today + timedelta(days=30)).isoformat())
        page.get_by_role("button", name="Paskirti savivaldybės atstovą").click()
        expect(page.locator("li.card").filter(has_text="Vaida Rimkienė")).to_have_count(1)
    finally:
        ministry.close()
