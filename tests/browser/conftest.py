"""A real Voila server and Debian's Chromium, for tests that click the demo pages."""

import contextlib
import json
import struct
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
)

from deck_server.launch import PRESENT_OPTIONS, start_voila, voila_process
from deck_server.websocket import v1_frame_problem

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import fetch_assets  # noqa: E402


@pytest.fixture(scope="session")
def voila_url():
    """The web app of `make serve`: Voila on notebooks/ with our settings."""
    with start_voila(ROOT, ROOT / "notebooks") as url:
        yield url


# The presenter's page (`make present`), for test_present.py and test_projector.py: one server
# and one loaded lecture per worker (tests/conftest.py keeps their tests on one worker).
PRESENTER_LOAD_TIMEOUT_MS = 180_000  # until every demo of the lecture has run, on a busy day
# While a page's notebook runs longer than this, Voila sends keep-alive calls into the page
# (10 s by default: a busy machine). At 1 s every load here sends them, so a page that
# cannot take them fails every time, not only on a slow day (Voila's own rendering, without
# the progressive rendering of `make present`).
KEEP_ALIVE_S = 1
# The title slide is on screen: reveal.js has laid the slides out, no spinner covers them and
# the current slide's title is visible. Then, what has run of the lecture, and how many
# figures are drawn.
AT_TITLE_JS = """() => {
  const heading = document.querySelector('.reveal.ready .slides section.present h1');
  const loading = document.getElementById('loading');
  if (!heading || !heading.checkVisibility() || (loading && loading.checkVisibility())) return null;
  return {title: heading.innerText, done: window.deckRun.done,
          plots: document.querySelectorAll('.js-plotly-plot').length};
}"""


@pytest.fixture(scope="session")
def present_assets():
    """reveal.js and MathJax, as `make present` and `make rise` fetch them: once, whichever
    worker asks first (the others wait for it); a no-op when the pinned copies are there."""
    fetch_assets.main([])


@pytest.fixture(scope="session")
def presenter_server(present_assets):
    """The presenter's Voila: its base URL and its process (whose kernels tests count)."""
    with voila_process(
        ROOT,
        ROOT / "notebooks" / "lecture.ipynb",
        *PRESENT_OPTIONS,
        f"--VoilaConfiguration.http_keep_alive_timeout={KEEP_ALIVE_S}",
    ) as (url, server):
        yield url, server


@pytest.fixture(scope="session")
def presenter_url(presenter_server):
    return presenter_server[0]


@pytest.fixture(scope="session")
def lecture(open_page, presenter_url):
    """The lecture opened once for the presenter's tests, every cell run; each test starts
    from the title slide. page.at_title: AT_TITLE_JS's answer when the title first showed."""
    with open_page("presenter") as page:
        page.goto(presenter_url, wait_until="commit", timeout=PRESENTER_LOAD_TIMEOUT_MS)
        at_title = page.wait_for_function(AT_TITLE_JS, timeout=PRESENTER_LOAD_TIMEOUT_MS)
        page.at_title = at_title.json_value()
        page.wait_for_function("window.deckRun.done", timeout=PRESENTER_LOAD_TIMEOUT_MS)
        yield page


SCREENSHOTS = ROOT / "build" / "screenshots"


def is_local(url: str) -> bool:
    host = urlsplit(url).hostname
    return host in {"127.0.0.1", "localhost"} or url.startswith(("file:", "data:", "blob:"))


@contextlib.contextmanager
def watched_page(browser, screenshot_name: str):
    """A fresh browser tab that may not leave this machine.

    Requests to any other host are aborted and recorded in page.offsite; JavaScript
    errors (uncaught, or logged as console errors) are collected in page.errors. A
    screenshot of the tab is saved as build/screenshots/<screenshot_name>.png at the end.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors, page.offsite, page.redrawn = [], [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))

    def logged(message) -> None:
        if message.type == "error":
            page.errors.append(message.text)
        elif message.type == "warning" and REDRAWN in message.text:
            page.redrawn.append(message.text)

    page.on("console", logged)

    def stay_local(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            page.offsite.append(route.request.url)
            route.abort()

    context.route("**/*", stay_local)
    page.assert_clean = lambda: assert_clean(page)
    track_kernel_messages(page)
    try:
        yield page
        if not page.is_closed():  # a test that closes its tab plays a visitor leaving
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = "".join(c if c.isalnum() or c in "-_" else "-" for c in screenshot_name)
            page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    finally:
        context.close()


@pytest.fixture(scope="session")
def open_page(browser):
    """watched_page(browser, name), for fixtures that keep one tab over several tests."""
    return lambda screenshot_name: watched_page(browser, screenshot_name)


@pytest.fixture
def page(open_page, request):
    """A fresh tab for one test (see watched_page); its screenshot is named after the test."""
    with open_page(request.node.name) as page:
        yield page


def track_kernel_messages(page) -> None:
    """page.unanswered: the shell requests the page sent its kernel that the kernel has not
    finished with (no `idle` status for them yet); page.last_message: when the page last
    sent or received a kernel message. For panel_checks.wait_until_answered."""
    page.last_message = time.monotonic()
    page.unanswered = set()

    def sent(payload) -> None:
        page.last_message = time.monotonic()
        message = kernel_message(payload)
        if message and message["channel"] == "shell":
            page.unanswered.add(message["header"].get("msg_id"))

    def received(payload) -> None:
        page.last_message = time.monotonic()
        message = kernel_message(payload)
        if (
            message
            and message["header"].get("msg_type") == "status"
            and message["content"].get("execution_state") == "idle"
        ):
            page.unanswered.discard(message["parent_header"].get("msg_id"))

    def watch(socket) -> None:
        socket.on("framesent", sent)
        socket.on("framereceived", received)

    page.on("websocket", watch)


def kernel_message(payload) -> dict | None:
    """A kernel websocket frame as {channel, header, parent_header, content}, either
    protocol; None for anything else."""
    try:
        if isinstance(payload, bytes) and v1_frame_problem(payload) is not None:
            # The legacy protocol's binary frame (the classic notebook's, for a message
            # with buffers): read as v1, its count is astronomically large, and
            # deserialize_msg_from_ws_v1 would build a list that long, holding up every test.
            return deserialize_binary_message(payload)
        if isinstance(payload, bytes):
            channel, parts = deserialize_msg_from_ws_v1(payload)
            header, parent, _metadata, content = (json.loads(part) for part in parts[:4])
            return {
                "channel": channel,
                "header": header,
                "parent_header": parent,
                "content": content,
            }
        message = json.loads(payload)
        return message if isinstance(message, dict) and "header" in message else None
    except (ValueError, TypeError, IndexError, UnicodeDecodeError, struct.error):
        return None


# What share/jupyter/voila/templates/deck/static/widget-retry.js logs when it has drawn a
# widget whose renderer gave up ("widget model not found": ipywidgets#4026).
REDRAWN = "again (ipywidgets#4026)"
MODEL_NOT_FOUND = "Error: widget model not found"


def assert_clean(page) -> None:
    """No JavaScript error and no request off this machine.

    A renderer's "widget model not found" counts as answered when the page drew that
    widget again (one redraw for each such error): the visitor then sees the widget.
    """
    errors = list(page.errors)
    for _ in page.redrawn:
        given_up = next((e for e in errors if e.startswith(MODEL_NOT_FOUND)), None)
        if given_up is not None:
            errors.remove(given_up)
    assert errors == [], errors
    assert page.offsite == [], page.offsite
