"""Pictures of a panel's figures in its first paint (featurize.panels._figure_pictures): drawn
by kaleido in a kernel Voila preheats, kept, used by every kernel after; without them the
page draws the figures with plotly.js. That a picture shows what the live figure draws is
measured in a browser (tests/browser/test_demo_pages.py)."""

import re
import shutil
import subprocess
import time

import plotly.graph_objects as go
import pytest

import featurize as fz
from featurize.panels import StructurePanel
from featurize.panels import _figure_pictures as pictures
from featurize.panels._first_paint import FIRST_PAINT_MIME, VOILA_KERNEL_VARIABLE, first_paint

needs_a_browser = pytest.mark.skipif(
    not any(map(shutil.which, ("chromium", "google-chrome", "chrome"))),
    reason="kaleido draws with a Chrome or Chromium on the machine",
)
PLACE = re.compile(r'<div data-deck-figure="(\d)" style="([^"]*)" class="([^"]*)">(.*?)</div>')


@pytest.fixture
def voila_kernel(monkeypatch, tmp_path):
    """A kernel Voila started, with a cache of its own (empty)."""
    monkeypatch.setenv(VOILA_KERNEL_VARIABLE, "/")
    monkeypatch.setenv("FEATURIZE_CACHE", str(tmp_path))
    monkeypatch.delenv(pictures.PREHEAT_VARIABLE, raising=False)
    return tmp_path


def panel():
    return StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=False)


def places(paint: dict) -> list[tuple]:
    return PLACE.findall(paint["html"])


@needs_a_browser
def test_a_preheated_kernel_draws_the_pictures_then_every_kernel_uses_them(
    voila_kernel, monkeypatch
):
    monkeypatch.setenv(pictures.PREHEAT_VARIABLE, "True")
    drawn = panel()._repr_mimebundle_()[FIRST_PAINT_MIME]
    [(index, size, classes, picture)] = places(drawn)
    assert classes == "deck-fp-figure deck-fp-picture"
    figure = drawn["figures"][int(index)]
    width, height = figure["layout"]["width"], figure["layout"]["height"]
    assert f"width: {width}px" in size and f"height: {height}px" in size
    # plotly's own drawing, at the figure's size, with the heatmap it shows
    assert re.match(rf'<svg class="main-svg"[^>]* width="{width}" height="{height}"', picture)
    assert 'class="hm"' in picture or "heatmaplayer" in picture, picture[:300]
    folder = voila_kernel / pictures.PICTURES_FOLDER
    assert [p.stem for p in folder.glob("*.svg")] == [pictures.picture_key(figure)]
    # its controls' frames one stop either side (3 rotation sliders; the atoms' order, at its
    # first option, one side): asked for, not waited for, drawn next for the kernels after
    # this one
    assert not any("pictures" in f for s in drawn["controls"] if s for f in s["frames"].values())
    later = folder / pictures.LATER_FOLDER
    deadline = time.monotonic() + 2 * pictures.FIGURE_TIMEOUT_S
    while any(later.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    again = panel()._repr_mimebundle_()[FIRST_PAINT_MIME]
    turned = [
        f["pictures"]
        for s in again["controls"]
        if s
        for f in s["frames"].values()
        if "pictures" in f
    ]
    assert len(turned) == 7 and all(p[0].startswith('<svg class="main-svg"') for p in turned)
    assert len(list(folder.glob("*.svg"))) == 8

    # a visitor's kernel draws nothing: it finds the picture kept
    monkeypatch.setenv(pictures.PREHEAT_VARIABLE, "False")
    monkeypatch.setattr(subprocess, "Popen", None)  # would raise if called
    assert places(panel()._repr_mimebundle_()[FIRST_PAINT_MIME]) == [
        (index, size, classes, picture)
    ]


def test_a_kernel_not_preheated_draws_nothing_and_leaves_the_figure_to_plotly_js(
    voila_kernel, monkeypatch
):
    monkeypatch.setenv(pictures.PREHEAT_VARIABLE, "False")
    monkeypatch.setattr(subprocess, "Popen", None)
    paint = panel()._repr_mimebundle_()[FIRST_PAINT_MIME]
    [(_, _, classes, content)] = places(paint)
    assert (classes, content) == ("deck-fp-figure", "")
    assert paint["figures"][0]["data"]  # what plotly.js draws in the page instead


def test_a_figure_sized_by_its_container_gets_no_picture(voila_kernel, monkeypatch):
    monkeypatch.setenv(pictures.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(subprocess, "Popen", None)
    figure = go.FigureWidget(go.Scatter(x=[0, 1], y=[1, 0]), layout={"height": 300})
    [(_, _, classes, content)] = places(first_paint(figure))
    assert (classes, content) == ("deck-fp-figure", "")


def test_when_drawing_fails_the_kernel_says_why_in_its_log_and_goes_on(
    voila_kernel, monkeypatch, capfd
):
    monkeypatch.setenv(pictures.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(pictures, "_said_why", False)
    # the child that draws cannot start its engine (as kaleido finding no browser)
    monkeypatch.setattr(pictures.sys, "executable", shutil.which("false"))
    [(_, _, classes, content)] = places(panel()._repr_mimebundle_()[FIRST_PAINT_MIME])
    assert (classes, content) == ("deck-fp-figure", "")
    assert "figures of the first paint left to plotly.js" in capfd.readouterr().err
    # the next kernels do not try again for a while: each would wait for the failure
    monkeypatch.setattr(subprocess, "Popen", None)
    [(_, _, classes, content)] = places(panel()._repr_mimebundle_()[FIRST_PAINT_MIME])
    assert (classes, content) == ("deck-fp-figure", "")
    assert not pictures._engine_may_work()


def test_a_browser_installed_after_a_failure_is_tried_at_once(voila_kernel, monkeypatch):
    # kaleido failed for want of a browser (a machine without Chromium), then one was installed
    monkeypatch.setattr(pictures, "_browser", lambda: pictures.NO_BROWSER)
    pictures._record_failure("ChromeNotFoundError: Kaleido v1 and later requires Chrome")
    assert not pictures._engine_may_work()
    monkeypatch.setattr(pictures, "_browser", lambda: "/usr/bin/chromium")
    assert pictures._engine_may_work()


def test_the_failure_names_the_browser_kaleido_would_use(voila_kernel):
    pictures._record_failure("a reason")
    browser, why = (
        (voila_kernel / pictures.PICTURES_FOLDER / pictures.FAILED_NAME)
        .read_text(encoding="utf-8")
        .split("\n")
    )
    assert why == "a reason"
    browsers = {shutil.which(name) for name in ("chromium", "google-chrome", "chrome")} - {None}
    assert browser in browsers if browsers else browser == pictures.NO_BROWSER
