"""The deck on a real JupyterHub (127.0.0.1, free ports): students log in through the hub in
Chromium, each to their own Jupyter server with Voila inside it, as docs/deploy.md tells a
course's hub to run it. `make test-hub` installs the hub and its proxy and runs these;
`make test` skips them without the `hub` extra.
"""

import contextlib
import json
import sys
import time
from pathlib import Path

import psutil
import pytest

from deck_server.hub import DEFAULT_URL, start_hub, wait_for

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))  # the demo pages' checks
from panel_checks import LIVE_PLOT_JS, TIMEOUT_MS, eventually  # noqa: E402

pytestmark = pytest.mark.hub

PASSWORD = "a-class-password"  # DummyAuthenticator's one password for every student
STUDENTS = ("ada", "ben")  # each opens a demo
LAB_STUDENT = "cy"  # opens the lecture in JupyterLab
IDLE = "idle"  # started and left alone, for the culler
CULL_TIMEOUT_S = 10
SCREENSHOTS = ROOT / "build" / "screenshots"
DEMOS = sorted(path.stem for path in (ROOT / "notebooks" / "demos").glob("*.ipynb"))
# The likelihood page's model curve: LikelihoodPanel's trace "model".
MODEL_CURVE_JS = "el => JSON.stringify(el.data.find((t) => t.uid === 'model').y)"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    # The culler may stop only IDLE's server: with a timeout this short it would otherwise
    # stop the servers of students whose pages sit still between two checks.
    with start_hub(
        ROOT,
        tmp_path_factory.mktemp("hub"),
        password=PASSWORD,
        culled_users=[IDLE],
        cull_timeout_s=CULL_TIMEOUT_S,
    ) as hub:
        yield hub


@contextlib.contextmanager
def student(browser, hub, name: str):
    """A student's own browser (cookies of their own) logged in through the hub's login
    form; yields the tab, on the page the hub sent them to. page.errors collects JavaScript
    errors; page.offsite, requests that tried to leave this machine (aborted)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors, page.offsite = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))

    def stay_local(route):
        if route.request.url.startswith(hub.url):
            route.continue_()
        else:
            page.offsite.append(route.request.url)
            route.abort()

    context.route("**/*", stay_local)
    try:
        started = time.monotonic()
        page.goto(f"{hub.url}/hub/login", timeout=TIMEOUT_MS)
        page.fill("#username_input", name)
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        # the hub spawns the server, then sends the student on to its default_url
        page.wait_for_url(f"{hub.url}/user/{name}{DEFAULT_URL}*", timeout=TIMEOUT_MS)
        page.wait_for_selector("ul.demos a", timeout=TIMEOUT_MS)
        page.spawn_s = time.monotonic() - started
        yield page
    finally:
        context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.fixture(scope="module")
def students(browser, hub):
    """Both students logged in, their tabs on the landing page."""
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(student(browser, hub, name)) for name in STUDENTS}


def test_each_student_lands_on_the_deck_landing_page_of_their_own_server(students, hub):
    for name, page in students.items():
        assert page.url == f"{hub.url}/user/{name}{DEFAULT_URL}"
        cards = page.locator("ul.demos a")
        links = [cards.nth(i).get_attribute("href") for i in range(cards.count())]
        # the deck's landing page (its template, its settings), under the student's prefix
        assert links == [f"/user/{name}/voila/render/notebooks/demos/{d}.ipynb" for d in DEMOS]


def test_each_student_turns_a_slider_and_the_plot_changes(students):
    for name, page in students.items():
        page.click("ul.demos a[href$='/likelihood.ipynb']")
        page.wait_for_function(LIVE_PLOT_JS, timeout=TIMEOUT_MS)
        plot = page.locator(".js-plotly-plot").first
        before = plot.evaluate(MODEL_CURVE_JS)
        handle = page.locator(".widget-slider", has_text="μ (mean)").locator(".noUi-handle")
        handle.focus()
        for _ in range(10):
            handle.press("ArrowRight")
        # the kernel in the student's server computes the new curve; the page redraws it
        after = eventually(
            lambda plot=plot: plot.evaluate(MODEL_CURVE_JS),
            lambda curve, before=before: curve != before,
            f"{name}'s model curve did not change",
        )
        assert len(json.loads(after)) == len(json.loads(before)) == 300
        screenshot(page, f"hub-{name}-likelihood")
        assert page.errors == [], page.errors
        assert page.offsite == [], page.offsite


def test_a_demo_pages_code_comes_compressed(students, hub):
    # the largest file of a page (plotly's widget code, 1.5 MB), asked for as a browser
    # asks: gzipped by the student's own server (etc/jupyter/jupyter_server_config.py)
    page = students["ada"]
    answer = page.request.get(
        f"{hub.url}/user/ada/voila/templates/deck/static/plotly-widget.js",
        headers={"Accept-Encoding": "gzip, deflate, br"},
    )
    assert answer.status == 200
    assert answer.headers.get("content-encoding") == "gzip", answer.headers


def kernels(page, hub, owner: str):
    """GET /user/<owner>/api/kernels with this page's cookies; no redirect followed."""
    return page.request.get(f"{hub.url}/user/{owner}/api/kernels", max_redirects=0)


def test_each_students_kernel_runs_in_their_own_server(students, hub):
    servers = {}
    for name, page in students.items():
        answer = kernels(page, hub, name)
        assert answer.status == 200, answer.text()
        ids = {kernel["id"] for kernel in answer.json()}
        assert ids, f"{name}'s server has no kernel for the open demo"
        pid = hub.server_pid(name)
        # the kernel is a child process of that student's server, of no one else's
        children = psutil.Process(pid).children(recursive=True)
        assert any("ipykernel" in " ".join(child.cmdline()) for child in children)
        servers[name] = (pid, ids)
    (pid_a, ids_a), (pid_b, ids_b) = servers.values()
    assert pid_a != pid_b
    assert not ids_a & ids_b


def test_each_students_server_culls_the_kernels_of_closed_pages(students, hub):
    # etc/jupyter/jupyter_server_config.py, as standalone Voila's settings do (each server
    # logs this into the hub's log once its first kernel has started)
    log = hub.log.read_text()
    assert log.count("Culling kernels with idle durations > 600 seconds at 60 second") >= 2


def test_a_student_cannot_reach_another_students_server(students, hub):
    ada, ben = (students[name] for name in STUDENTS)
    answer = kernels(ada, hub, "ben")
    # ada's cookies carry no right to ben's server: refused, or sent to log in for it
    assert answer.status in {302, 403}, (answer.status, answer.text()[:300])
    if answer.status == 302:
        assert "/hub/" in answer.headers["location"]
    # and followed through the hub's login for ben's server, as a browser would: refused
    page = ada.context.new_page()
    try:
        response = page.goto(f"{hub.url}/user/ben{DEFAULT_URL}", timeout=TIMEOUT_MS)
        assert response.status == 403, response.url
        assert not page.locator("ul.demos").count()
    finally:
        page.close()
    assert kernels(ben, hub, "ben").status == 200  # ben's own cookies still work


def test_a_third_student_opens_the_lecture_in_jupyterlab(browser, hub):
    cells = len(json.loads((ROOT / "notebooks" / "lecture.ipynb").read_text())["cells"])
    with student(browser, hub, LAB_STUDENT) as page:
        page.goto(
            f"{hub.url}/user/{LAB_STUDENT}/lab/tree/notebooks/lecture.ipynb", timeout=TIMEOUT_MS
        )
        # the whole lecture open, its Markdown rendered, its kernel started and idle
        page.wait_for_selector(".jp-NotebookPanel .jp-MarkdownOutput", timeout=TIMEOUT_MS)
        page.wait_for_function(  # JupyterLab adds the cells a few at a time
            "n => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === n",
            arg=cells,
            timeout=TIMEOUT_MS,
        )
        page.wait_for_selector(
            ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
            timeout=TIMEOUT_MS,
        )
        answer = kernels(page, hub, LAB_STUDENT)
        assert answer.status == 200 and len(answer.json()) == 1, answer.text()
        screenshot(page, "hub-lab-lecture")
        assert page.errors == [], page.errors
        assert page.offsite == [], page.offsite


def test_the_idle_culler_stops_an_idle_server(hub):
    hub.api("POST", f"/users/{IDLE}")
    hub.api("POST", f"/users/{IDLE}/server")
    wait_for(
        lambda: hub.api("GET", f"/users/{IDLE}")["servers"].get("", {}).get("ready"),
        f"{IDLE}'s server started",
        timeout_s=180,
    )
    started = time.monotonic()
    # nobody uses it: the culler (a hub service, scoped to this user) stops it
    wait_for(
        lambda: not hub.api("GET", f"/users/{IDLE}")["servers"],
        f"the idle culler stopped {IDLE}'s server ({CULL_TIMEOUT_S} s timeout)",
        timeout_s=CULL_TIMEOUT_S + 60,
    )
    assert time.monotonic() - started >= CULL_TIMEOUT_S / 2  # idle, then stopped; not at once
