"""`make present`: the lecture as reveal.js slides with live demos, in a real browser."""

import sys
from pathlib import Path

import pytest
from panel_checks import assert_turning_changes_coordinates

from deck_server.launch import start_voila

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import fetch_assets  # noqa: E402

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
        ROOT,
        ROOT / "notebooks" / "lecture.ipynb",
        "--template=deck-reveal",
        f"--VoilaConfiguration.http_keep_alive_timeout={KEEP_ALIVE_S}",
    ) as url:
        yield url


@pytest.fixture(scope="module")
def lecture(open_page, presenter_url):
    """The lecture opened once (its kernel runs every demo before the first slide shows)
    for the tests below; each starts from the title slide."""
    with open_page("presenter") as page:
        page.goto(presenter_url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".reveal .slides section", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector("#loading", state="hidden", timeout=LOAD_TIMEOUT_MS)
        yield page


def back_to_the_title(page) -> None:
    page.evaluate("document.activeElement.blur()")  # a slider keeps the keys it is given
    if page.evaluate("location.hash") not in ("", "#/"):
        step(page, "Home")


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


# Whether the deck shows its last step: the last slide, every fragment of it revealed.
AT_END_JS = f"""() => {{
    const leaves = [...document.querySelectorAll('.reveal .slides section')]
        .filter((s) => !s.querySelector('section'));
    const current = document.querySelector('{CURRENT_SLIDE}');
    return current === leaves[leaves.length - 1]
        && !current.querySelector('.fragment:not(.visible)');
}}"""
STEP_TIMEOUT_MS = 60_000  # the first seconds after a load, widgets drawing delay the keys


def step(page, key: str) -> None:
    """Press `key` and wait until the deck has moved (reveal.js writes every step, fragments
    too, into the address)."""
    before = page.evaluate("location.hash")
    page.keyboard.press(key)
    page.wait_for_function("h => location.hash !== h", arg=before, timeout=STEP_TIMEOUT_MS)


def test_the_presenter_steps_through_every_slide_without_an_error(lecture):
    page = lecture
    back_to_the_title(page)
    visited, demos = [page.evaluate("location.hash")], 0
    while True:
        counts = slide_counts(page)
        if counts["sliders"]:
            page.wait_for_selector(f"{CURRENT_SLIDE} .js-plotly-plot .main-svg")
            demos += 1
        assert not page.locator("text=Click to show javascript error").count()
        if page.evaluate(AT_END_JS):
            break
        step(page, "Space")
        visited.append(page.evaluate("location.hash"))
    assert len(visited) == len(set(visited)) > 30, visited
    assert demos >= 4  # coordinates, Coulomb matrix (twice) and SOAP, and the likelihood
    for _ in range(len(visited) - 1):  # and all the way back
        step(page, "Shift+Space")
    assert page.evaluate("location.hash") in ("", "#/")
    page.assert_clean()


def test_a_demo_slide_is_live(lecture):
    page = lecture
    back_to_the_title(page)
    while "turn the molecule" not in slide_counts(page)["title"]:
        assert not page.evaluate(AT_END_JS), "no slide titled 'turn the molecule'"
        step(page, "Space")
    slide = page.locator(CURRENT_SLIDE)
    slide.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert_turning_changes_coordinates(slide)
    page.assert_clean()
