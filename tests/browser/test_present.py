"""`make present`: the lecture as reveal.js slides with live demos, in a real browser."""

from panel_checks import assert_turning_changes_coordinates
from slide_metrics import AT_END_JS, CURRENT_SLIDE, back_to_the_title, step


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
