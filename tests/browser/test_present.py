"""`make present`: the lecture as reveal.js slides with live demos, in a real browser."""

import sys

import pytest
from panel_checks import assert_turning_changes_coordinates
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from voila_server import ROOT, start_voila

sys.path.insert(0, str(ROOT / "scripts"))
import fetch_assets

LOAD_TIMEOUT_MS = 180_000  # the lecture runs every demo before the first slide shows
CURRENT_SLIDE = ".reveal .slides section.present:not(.stack)"


# While a page's notebook runs longer than this, Voila sends keep-alive calls into the page
# (10 s by default: a busy machine). At 1 s every load here sends them, so a page that
# cannot take them fails every time, not only on a slow day.
KEEP_ALIVE_S = 1


@pytest.fixture(scope="module")
def presenter_url():
    fetch_assets.main([])  # reveal.js & co., once; a no-op when the pinned copies are there
    with start_voila(
        ROOT / "notebooks" / "lecture.ipynb",
        "--template=deck-reveal",
        f"--VoilaConfiguration.http_keep_alive_timeout={KEEP_ALIVE_S}",
    ) as url:
        yield url


def open_lecture(page, url: str) -> None:
    page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".reveal .slides section", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector("#loading", state="hidden", timeout=LOAD_TIMEOUT_MS)


def slide_counts(page) -> dict:
    """What the current slide shows: plots, sliders (a panel may hide its own, as the
    potential demo does without its extra) and its title."""
    return page.eval_on_selector(
        CURRENT_SLIDE,
        """s => ({plots: s.querySelectorAll('.js-plotly-plot').length,
                  sliders: [...s.querySelectorAll('.widget-slider')]
                    .filter((e) => e.checkVisibility()).length,
                  title: (s.querySelector('h1, h2, h3') || {innerText: ''}).innerText})""",
    )


def step(page, key: str) -> bool:
    """Press `key`; whether the deck moved (reveal.js writes every step, fragments too,
    into the address). On the last slide Space leaves it where it is."""
    before = page.evaluate("location.hash")
    page.keyboard.press(key)
    try:
        page.wait_for_function("h => location.hash !== h", arg=before, timeout=3000)
    except PlaywrightTimeout:
        return False
    return True


def test_the_presenter_steps_through_every_slide_without_an_error(page, presenter_url):
    open_lecture(page, presenter_url)
    visited, demos = [page.evaluate("location.hash")], 0
    while True:
        counts = slide_counts(page)
        if counts["sliders"]:
            page.wait_for_selector(f"{CURRENT_SLIDE} .js-plotly-plot .main-svg")
            demos += 1
        assert not page.locator("text=Click to show javascript error").count()
        if not step(page, "Space"):
            break
        visited.append(page.evaluate("location.hash"))
    assert len(visited) == len(set(visited)) > 30, visited
    assert demos >= 4  # coordinates, Coulomb matrix (twice) and SOAP, and the likelihood
    for _ in range(len(visited) - 1):  # and all the way back
        assert step(page, "Shift+Space")
    assert page.evaluate("location.hash") in ("", "#/")
    page.assert_clean()


def test_a_demo_slide_is_live(page, presenter_url):
    open_lecture(page, presenter_url)
    while "turn the molecule" not in slide_counts(page)["title"]:
        assert step(page, "Space"), "no slide titled 'turn the molecule'"
    slide = page.locator(CURRENT_SLIDE)
    slide.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert_turning_changes_coordinates(slide)
    page.assert_clean()
