"""`make present` made for a projector: every step of the lecture (slide and fragment) at a
projector's 1280 × 720, measured in Chromium: text large enough for the back row, nothing
cut off, demo panels filling their slide, and the keys back with the slides after a slider."""

import pytest
from panel_checks import wait_until_answered
from slide_metrics import (
    AT_END_JS,
    CURRENT_SLIDE,
    back_to_the_title,
    go_to_slide,
    measure,
    settle,
    shrunk_pictures,
    step,
)

from featurize import potential

PROJECTOR = {"width": 1280, "height": 720}  # a lecture hall's projector, 16:9
# Rendered sizes (px on a 1280 × 720 screen) read from the back row: prose and formulas,
# then titles (issue 16; reveal.js's own theme has 42 px text on its 960 × 700 slide).
TEXT_MIN_PX = 28
HEADING_MIN_PX = 40
# A panel's labels (axis ticks, a slider's name) are glanced at, not read as prose, and its
# plots and controls share the slide's width: at least the size of a chart's labels in
# plotly's default (12 px) on a 1280 × 720 screen.
PANEL_TEXT_MIN_PX = 12
# A demo slide is there for its demo: its panel takes at least this share of the slide.
DEMO_MIN_FRACTION = 0.45
LIMITS = {"text": TEXT_MIN_PX, "math": TEXT_MIN_PX, "heading": HEADING_MIN_PX}
LIMITS["panel"] = PANEL_TEXT_MIN_PX

# Without its optional extra, the universal potential's panel is its install message.
POTENTIAL_DEMO = "Demo: a universal potential, live"
MAX_FAULTS_SHOWN = 4  # per step, in a failure's message


def faults(metrics: dict, title: str) -> list[str]:
    found = [
        f"{item['kind']} at {item['px']} px: {item['text']!r}"
        for item in metrics["texts"]
        if item["px"] < LIMITS[item["kind"]]
    ]
    found += [f"cut off: {what!r}" for what in metrics["cut"]]
    found += shrunk_pictures(metrics)
    message_only = title == POTENTIAL_DEMO and not potential.potential_available()
    if metrics["panels"] and metrics["panel_fraction"] < DEMO_MIN_FRACTION and not message_only:
        found.append(f"demo panel takes {metrics['panel_fraction']:.0%} of the slide")
    return found


def title_of(page) -> str:
    """The title of the step on screen ('' for a panel on a slide of its own)."""
    return page.eval_on_selector(
        CURRENT_SLIDE, "s => (s.querySelector('h1, h2, h3') || {innerText: ''}).innerText"
    )


@pytest.fixture
def projector(lecture):
    lecture.set_viewport_size(PROJECTOR)
    back_to_the_title(lecture)
    yield lecture
    lecture.set_viewport_size({"width": 1280, "height": 900})  # watched_page's size


def test_every_step_is_readable_and_whole_at_1280x720(projector):
    page = projector
    failing, steps, title = {}, 0, ""
    while True:
        settle(page)
        steps += 1
        # a step's own title, or the one before it for a panel on a slide of its own
        title = title_of(page) or title
        metrics = measure(page)
        found = faults(metrics, title)
        if found:
            failing.setdefault(f"{title} ({page.evaluate('location.hash')})", []).extend(found)
        if page.evaluate(AT_END_JS):
            break
        step(page, "Space")
    assert steps > 40
    assert not failing, "\n".join(
        f"{where}: {'; '.join(found[:MAX_FAULTS_SHOWN])}" for where, found in failing.items()
    )
    page.assert_clean()


def test_space_steps_the_slides_after_a_slider_was_used(projector):
    page = projector
    go_to_slide(page, "turn the molecule")
    settle(page)
    handles = page.locator(f"{CURRENT_SLIDE} .widget-slider .noUi-handle").filter(visible=True)
    handle = handles.first.element_handle()  # this slide's, after the deck has moved on too
    before = handle.get_attribute("aria-valuenow")
    handle.click()  # the presenter touches the slider ...
    wait_until_answered(page)
    step(page, "Space")  # ... and Space moves on to the next slide, not the slider
    assert handle.get_attribute("aria-valuenow") == before
    step(page, "ArrowLeft")
    assert "turn the molecule" in title_of(page)
    page.assert_clean()
