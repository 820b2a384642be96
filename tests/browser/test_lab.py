"""The notebooks in JupyterLab, where students re-run them: a demo and a workbook, in Chromium.

One JupyterLab server for the module, on a copy of notebooks/ (running a notebook saves
outputs into it, and the repository's copies must stay clean), with a token, as `make lab`
starts it. Each test opens a notebook, runs all its cells from the Run menu, and checks
what a student would see: a plotly figure that a slider changes, a 3-D view drawn, and a
workbook check that answers a wrong and then a right answer with a sentence.
"""

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT, SCREENSHOTS
from panel_checks import (
    TIMEOUT_MS,
    assert_molecule_drawn,
    heatmap_z,
    turn_z_slider,
    wait_until_answered,
)
from playwright.sync_api import Error as PlaywrightError

from deck_server.launch import free_port, stop

START_S = 90
# Lab's settings for the test user: no question about fetching Jupyter's news, no check
# for updates (both would ask the internet, and their pop-up covers the notebook), and the
# notebook's own kernel started without the "Select Kernel" dialog that Lab 4 otherwise
# shows on opening (its "Always start the preferred kernel" box, ticked).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "autoStartDefaultKernel": True,
    },
}
# The status bar speaks of the notebook in front: its name, and its kernel connected and
# idle ("Python 3 (ipykernel) | Idle").
KERNEL_READY_JS = r"""(name) => {
  const bar = document.querySelector('#jp-main-statusbar');
  return bar !== null && bar.innerText.includes(name)
    && /\(ipykernel\) \| Idle/.test(bar.innerText);
}"""
# The panel's heatmap is drawn: plotly has its data and has painted it as an image.
HEATMAP_DRAWN_JS = """() => [...document.querySelectorAll('.jp-NotebookPanel .js-plotly-plot')]
  .some((plot) => plot.data && plot.data.length > 0 && plot.data[0].z
        && [...plot.querySelectorAll('.hm image')].some((image) => image.getBoundingClientRect().width > 20))"""
# Every code cell has run: each prompt shows its execution count, none is waiting ("[*]").
ALL_RUN_JS = """() => {
  const prompts = [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every((p) => /\\[\\d+\\]/.test(p.textContent));
}"""


@contextlib.contextmanager
def lab_server(tmp_path):
    """JupyterLab on a copy of notebooks/; yields (base URL, token)."""
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = tmp_path / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container's root, as make lab allows
        command.append("--allow-root")
    environment = {
        **os.environ,
        # the test's own Jupyter settings and workspaces, none of the machine's user's
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"),
    }
    log = tmp_path / "lab.log"
    server = subprocess.Popen(
        command, cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=log.open("w")
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start: {log.read_text()[-2000:]}"
                    ) from None
                time.sleep(0.5)
        yield url, token
    finally:
        stop(server)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with lab_server(tmp_path_factory.mktemp("lab")) as server:
        yield server


def open_and_run_all(page, lab, path: str):
    """Open notebook `path` (relative to notebooks/) in Lab, run all its cells from the Run
    menu as a student would, and wait until every cell has run and the kernel is idle."""
    url, token = lab
    # a workspace of its own, reset: Lab would otherwise reopen the notebooks of the tests
    # before, and the status bar would speak of one of them first
    workspace = path.replace("/", "-").removesuffix(".ipynb")
    page.goto(
        f"{url}/lab/workspaces/{workspace}/tree/{path}?reset&token={token}", timeout=TIMEOUT_MS
    )
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=TIMEOUT_MS)
    # The kernel connected and idle, as the status bar says: the toolbar's indicator
    # already says idle while Lab is still looking for a kernel, and a Run All pressed
    # then runs nothing.
    page.wait_for_function(KERNEL_READY_JS, arg=path.rsplit("/", 1)[-1], timeout=TIMEOUT_MS)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(ALL_RUN_JS, timeout=TIMEOUT_MS)
    wait_until_answered(page)
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")


def test_a_demo_notebook_runs_in_lab_and_its_panel_responds(page, lab):
    notebook = open_and_run_all(page, lab, "demos/coordinates.ipynb")
    plot = notebook.locator(".js-plotly-plot .main-svg").first
    plot.wait_for(timeout=TIMEOUT_MS)
    # Lab lays out only the cells in view (CSS content-visibility), and Run All scrolls to
    # the last cell: a plot scrolled away measures 0 wide. Look at it, as a student would.
    plot.scroll_into_view_if_needed()
    assert plot.bounding_box()["width"] > 200
    # plotly draws its axes first and the heatmap once the figure's data has reached it
    try:
        page.wait_for_function(HEATMAP_DRAWN_JS, timeout=TIMEOUT_MS)
    except PlaywrightError:
        raise AssertionError(f"the heatmap was never drawn; the page said {page.errors}") from None
    assert_molecule_drawn(notebook)  # nglview's 3-D view, in Lab's own widget manager
    before = heatmap_z(notebook)
    turn_z_slider(notebook)
    assert heatmap_z(notebook) != before  # the kernel recomputed, the figure redrew
    question = notebook.locator(".deck-question")
    assert "Predict, then check." in question.inner_text()
    assert notebook.locator(".deck-page-links a", has_text="In the lecture").count() == 1
    page.assert_clean()


def test_a_workbook_check_answers_wrong_then_right_in_lab(page, lab):
    notebook = open_and_run_all(page, lab, "exercises/1-descriptors.ipynb")
    # text_content, not inner_text: Lab leaves cells out of view unrendered (CSS
    # content-visibility), and the text of what is not rendered reads as ""
    feedback = notebook.locator(".exercise-feedback").first
    assert "Not answered yet" in feedback.text_content()

    answer_cell = notebook.locator(".jp-Cell").nth(3)  # 1.1's cell to fill in
    assert "similarity = None" in answer_cell.text_content()

    def answer(code: str) -> str:
        answer_cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(code)
        page.keyboard.press("Shift+Enter")  # runs the answer, moves to the check
        page.keyboard.press("Shift+Enter")  # runs the check
        wait_until_answered(page)
        return feedback.text_content()

    opening = (
        'ethanol = fz.morgan_fingerprint("CCO")\nacetic_acid = fz.morgan_fingerprint("CC(=O)O")\n'
    )
    wrong = answer(opening + "similarity = 0.5\n")
    assert "✗ Exercise 1.1" in wrong and "yours is 0.5" in wrong, wrong
    assert "Hint" in wrong
    right = answer(
        opening + "similarity = (ethanol & acetic_acid).sum() / (ethanol | acetic_acid).sum()\n"
    )
    assert "✓ Exercise 1.1: Right" in right, right
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    answer_cell.scroll_into_view_if_needed()
    notebook.locator(".jp-Cell").nth(4).screenshot(path=SCREENSHOTS / "lab-workbook-check.png")
    page.assert_clean()
