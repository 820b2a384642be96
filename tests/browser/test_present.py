"""`make present`: the lecture as reveal.js slides with live demos, in a real browser."""

import contextlib
import re
from pathlib import Path

import nbformat
import psutil
from conftest import PRESENTER_LOAD_TIMEOUT_MS
from panel_checks import TIMEOUT_MS, assert_turning_changes_coordinates
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from slide_metrics import AT_END_JS, CURRENT_SLIDE, back_to_the_title, go_to_slide, step

import featurize
from deck_server import run_order
from featurize.classification import CRYSTAL_STRUCTURES

LECTURE = Path(__file__).resolve().parents[2] / "notebooks" / "lecture.ipynb"
# A demo cell ends with its panel, e.g. `StructurePanel(fz.molecule("H2O"), ...)`.
PANEL_CALL = re.compile(r"^\w+Panel\(", re.MULTILINE)
# The lecture's code cells, each drawn: its panel is there, and every plotly figure in it has
# its SVG. How many cells hold a panel, and how many figures are still blank.
DRAWN_JS = """() => {
  const cells = [...document.querySelectorAll('[cell-index]')]
    .filter((c) => c.querySelector('.jp-CodeCell'));
  const panels = cells.filter((c) => c.querySelector('.jp-OutputArea-output .jupyter-widgets'));
  const blank = [...document.querySelectorAll('.js-plotly-plot')]
    .filter((p) => !p.querySelector('.main-svg')).length;
  return {panels: panels.length, blank};
}"""


FIRST_HEADING_JS = "(s) => (s.querySelector('h1, h2, h3') || {textContent: ''}).textContent"
# Every leaf slide's first heading.
HEADINGS_JS = f"""() => [...document.querySelectorAll('.reveal .slides section')]
  .filter((s) => !s.querySelector('section')).map({FIRST_HEADING_JS}).filter(Boolean)"""


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


def test_the_title_slide_shows_while_the_lecture_still_runs(lecture):
    # the slides come before the kernel has run the lecture's cells, not after all of them
    assert lecture.at_title["title"] == featurize.DECK["title"]
    assert lecture.at_title["done"] is False
    assert lecture.at_title["plots"] == 0


def test_once_every_cell_has_run_every_demo_is_drawn(lecture):
    cells = nbformat.read(LECTURE, as_version=4).cells
    demos = sum(bool(PANEL_CALL.search(c.source)) for c in cells if c.cell_type == "code")
    assert demos >= 15  # the lecture's demos, from the fingerprint to the potential
    assert lecture.evaluate("window.deckRun.done")
    lecture.wait_for_function(
        f"() => {{ const d = ({DRAWN_JS})(); return d.panels === {demos} && d.blank === 0; }}",
        timeout=TIMEOUT_MS,
    )
    assert not lecture.locator(".voila-skeleton-container").count()
    lecture.assert_clean()


def test_a_reload_comes_back_on_its_slide_and_runs_its_demo_first(lecture, page, presenter_url):
    go_to_slide(lecture, "turn the molecule")
    where = lecture.evaluate("location.hash")
    page.goto(f"{presenter_url}/{where}", wait_until="commit")  # a reload on that slide
    shown = page.wait_for_function(
        f"""() => {{
          const ready = document.querySelector('.reveal.ready');
          const slide = ready && document.querySelector('{CURRENT_SLIDE}');
          const heading = slide && slide.querySelector('h1, h2, h3');
          return heading && heading.checkVisibility()
            && {{hash: location.hash, title: heading.innerText, done: window.deckRun.done}};
        }}""",
        timeout=TIMEOUT_MS,
    ).json_value()
    assert shown["hash"] == where and "turn the molecule" in shown["title"]
    assert shown["done"] is False  # the slide came before the kernel had run anything
    # its demo runs right after the setup cells, not after the 48 cells above it
    # (deck_server.run_order), and is drawn there
    cells = nbformat.read(LECTURE, as_version=4).cells
    setup = [index for index, cell in enumerate(cells) if run_order.is_setup(cell)]
    demo = page.eval_on_selector(
        CURRENT_SLIDE,
        "s => Number(s.querySelector('[cell-index] .jp-CodeCell').closest('[cell-index]')"
        ".getAttribute('cell-index')) - 1",
    )
    assert demo > max(setup) + 40 and PANEL_CALL.search(cells[demo].source)
    page.wait_for_function(f"window.deckRun.cells > {len(setup)}", timeout=TIMEOUT_MS)
    assert page.evaluate("window.deckRun.order")[: len(setup) + 1] == [*setup, demo]
    page.wait_for_selector(f"{CURRENT_SLIDE} .js-plotly-plot .main-svg", timeout=TIMEOUT_MS)
    page.wait_for_function(
        f"[...document.querySelectorAll('{CURRENT_SLIDE} canvas')].some((c) => c.width > 0)",
        timeout=TIMEOUT_MS,
    )
    # and the rest of the lecture still runs, every answer counted once
    page.wait_for_function("window.deckRun.done", timeout=PRESENTER_LOAD_TIMEOUT_MS)
    order = page.evaluate("window.deckRun.order")
    assert sorted(order) == list(range(len(cells)))


def test_the_presenter_steps_through_every_slide_without_an_error(lecture):
    page = lecture
    back_to_the_title(page)
    visited, demos = [page.evaluate("location.hash")], 0
    headings, seen = page.evaluate(HEADINGS_JS), set()
    while True:
        seen.add(page.eval_on_selector(CURRENT_SLIDE, FIRST_HEADING_JS))
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
    # Space reached every slide (the demo slides were once looked for and not found)
    assert not set(headings) - seen, set(headings) - seen
    assert demos >= 4  # coordinates, Coulomb matrix (twice) and SOAP, and the likelihood
    for _ in range(len(visited) - 1):  # and all the way back
        step(page, "Shift+Space")
    assert page.evaluate("location.hash") in ("", "#/")
    page.assert_clean()


def test_a_demo_slide_is_live(lecture):
    page = lecture
    go_to_slide(page, "turn the molecule")
    slide = page.locator(CURRENT_SLIDE)
    slide.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert_turning_changes_coordinates(slide)
    page.assert_clean()


def test_the_confusion_matrix_names_its_rows_and_columns(lecture):
    """On the lecture's page alone its rows read 0, 1, 2: the heatmap's y (their names)
    was erased by a batch update's filler for the properties a trace was not given
    (featurize.panels._figure.FigureWidget.batch_update)."""
    page = lecture
    go_to_slide(page, "fcc, bcc or hcp")
    step(page, "Space")  # the panel has a slide of its own, after the prose
    slide = page.locator(CURRENT_SLIDE)
    slide.locator(".js-plotly-plot .main-svg").first.wait_for()
    ticks = slide.locator(".js-plotly-plot :is(.x2tick, .y2tick) text")  # the second plot's axes
    names = set(ticks.evaluate_all("texts => texts.map((t) => t.textContent)"))
    assert {f"true {s}" for s in CRYSTAL_STRUCTURES} <= names, names
    assert {f"predicted {s}" for s in CRYSTAL_STRUCTURES} <= names, names
    page.assert_clean()


# The speaker view (S) shows the current and the next step in two frames, each a page of its
# own. The heading of the slide each frame shows, once its reveal.js is ready.
HEADING_JS = f"(s) => ({FIRST_HEADING_JS})(s).replace('¶', '').trim()"
PREVIEWS_JS = f"""() => {{
  const frames = [...document.querySelectorAll('#current-slide iframe, #upcoming-slide iframe')];
  if (frames.length !== 2) return null;
  const shown = frames.map((frame) => {{
    const doc = frame.contentDocument;
    const slide = doc && doc.querySelector('.reveal.ready') && doc.querySelector('{CURRENT_SLIDE}');
    return slide && ({HEADING_JS})(slide);
  }});
  return shown.every(Boolean) && shown;
}}"""


def kernels_of(server) -> set[int]:
    """The process ids of the server's kernels."""
    found = set()
    for child in psutil.Process(server.pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if "ipykernel" in " ".join(child.cmdline()):
                found.add(child.pid)
    return found


def test_the_speaker_view_shows_this_step_and_the_next_without_a_kernel_of_its_own(
    lecture, presenter_server
):
    page = lecture
    go_to_slide(page, "Representing materials")
    steps = [page.eval_on_selector(CURRENT_SLIDE, HEADING_JS)]
    for key in ("Space", "Space", "Shift+Space", "Shift+Space"):
        step(page, key)
        steps.append(page.eval_on_selector(CURRENT_SLIDE, HEADING_JS))
    assert steps[0] == steps[-1]
    kernels = kernels_of(presenter_server[1])
    errors = []
    with page.context.expect_page() as opened:
        page.keyboard.press("s")
    speaker = opened.value
    speaker.on("console", lambda m: m.type == "error" and errors.append(m.text))
    speaker.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for now, upcoming in ((steps[0], steps[1]), (steps[1], steps[2])):
            try:
                speaker.wait_for_function(
                    f"(want) => JSON.stringify(({PREVIEWS_JS})()) === JSON.stringify(want)",
                    arg=[now, upcoming],
                    timeout=TIMEOUT_MS,
                )
            except PlaywrightTimeout:
                shown = speaker.evaluate(PREVIEWS_JS)
                raise AssertionError(f"previews {shown}, not {[now, upcoming]}") from None
            # the notes beside them are the presenter's own, of this slide
            assert speaker.inner_text(".speaker-controls-notes .value").strip()
            step(page, "Space")
        # the previews are the lecture's slides without its demos: no kernel started for them
        # (an earlier test's kernel may have gone meanwhile)
        assert kernels_of(presenter_server[1]) <= kernels
        assert not errors, errors
    finally:
        speaker.close()
    page.assert_clean()
