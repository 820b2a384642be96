"""`make present`: the lecture as reveal.js slides with live demos, in a real browser."""

import sys

import pytest
from panel_checks import assert_turning_changes_coordinates
from voila_server import ROOT, start_voila

sys.path.insert(0, str(ROOT / "scripts"))
import fetch_assets

LOAD_TIMEOUT_MS = 180_000  # the lecture runs every demo before the first slide shows
CURRENT_SLIDE = ".reveal .slides section.present:not(.stack)"


@pytest.fixture(scope="module")
def presenter_url():
    fetch_assets.main([])  # reveal.js & co., once; a no-op when the pinned copies are there
    with start_voila(ROOT / "notebooks" / "lecture.ipynb", "--template=deck-reveal") as url:
        yield url


def open_lecture(page, url: str) -> None:
    page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".reveal .slides section", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector("#loading", state="hidden", timeout=LOAD_TIMEOUT_MS)


def slide_counts(page) -> dict:
    return page.eval_on_selector(
        CURRENT_SLIDE,
        """s => ({plots: s.querySelectorAll('.js-plotly-plot').length,
                  sliders: s.querySelectorAll('.widget-slider').length,
                  title: (s.querySelector('h1, h2, h3') || {innerText: ''}).innerText})""",
    )


def test_the_presenter_steps_through_every_slide_without_an_error(page, presenter_url):
    open_lecture(page, presenter_url)
    visited, demos = [], 0
    while True:
        position = page.evaluate("location.hash")
        if position in visited:
            break  # space on the last slide stays there
        visited.append(position)
        page.wait_for_timeout(400)
        counts = slide_counts(page)
        if counts["sliders"]:
            page.wait_for_selector(f"{CURRENT_SLIDE} .js-plotly-plot .main-svg")
            demos += 1
        assert not page.locator("text=Click to show javascript error").count()
        page.keyboard.press("Space")
    assert len(visited) > 30, visited
    assert demos >= 4  # coordinates, Coulomb matrix (twice) and SOAP, and the likelihood
    for _ in range(len(visited) - 1):  # and all the way back
        page.keyboard.press("Shift+Space")
    page.wait_for_timeout(400)
    assert page.evaluate("location.hash") in ("", "#/")
    page.assert_clean()


def test_a_demo_slide_is_live(page, presenter_url):
    open_lecture(page, presenter_url)
    for _ in range(60):
        if "turn the molecule" in slide_counts(page)["title"]:
            break
        page.keyboard.press("Space")
        page.wait_for_timeout(100)
    slide = page.locator(CURRENT_SLIDE)
    slide.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert_turning_changes_coordinates(slide)
    page.assert_clean()
