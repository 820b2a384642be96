"""What a student meets on the public pages: a question checked in the kernel, links back
to the demos and to the lecture, and pages that fit a phone.

Served by the session's Voila (conftest's voila_url: deck_server.launch, as `make serve`),
clicked in Chromium through conftest's page fixture.
"""

import pytest
from conftest import ROOT, SCREENSHOTS
from panel_checks import TIMEOUT_MS, open_demo, wait_until_answered

from featurize import pages

DEMOS = sorted(path.stem for path in (ROOT / "notebooks" / "demos").glob("*.ipynb"))
PHONE = {"width": 390, "height": 844}  # an iPhone 12–15 in CSS pixels
TOUCH_PX = 44  # the smallest control a finger hits reliably (Apple's guideline, WCAG 2.5.5)
HANDLE_PX = 24  # a slider's handle, dragged rather than tapped (WCAG 2.5.8's minimum)

# Everything on a page that can be cut off at the screen's edge: text, pictures, plots
# (and their titles), controls. Each element's box must lie within the screen.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth, outside = [];
  const kinds = ['h1', 'h2', 'h3', 'p', 'li', 'img', 'canvas', '.main-svg', '.gtitle',
    '.annotation', '.widget-html-content svg', 'input', 'select', 'button', '.widget-label',
    '.widget-readout', '.widget-slider', '.noUi-handle'];
  for (const element of document.querySelectorAll(kinds.map((k) => '#rendered_cells ' + k).join(','))) {
    const box = element.getBoundingClientRect();
    if (box.width && box.height && (box.right > width + 1 || box.left < -1)) {
      const name = element.getAttribute('class') || element.tagName;
      outside.push(`${name} at ${Math.round(box.left)}–${Math.round(box.right)} px: `
                   + `"${(element.textContent || '').trim().slice(0, 40)}"`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, outside};
}"""
# Controls and their heights: a radio button is tapped through its label.
TARGETS_JS = """(limits) => {
  const [touch, handleSize] = limits;
  const small = [];
  const targets = document.querySelectorAll(
    '#rendered_cells button, #rendered_cells select, #rendered_cells input[type=text],'
    + '#rendered_cells .widget-radio-box label');
  for (const element of targets) {
    const box = element.getBoundingClientRect();
    if (box.width && box.height < touch) small.push(`${element.tagName} "${element.textContent.trim().slice(0, 30)}" ${Math.round(box.height)} px`);
  }
  for (const handle of document.querySelectorAll('#rendered_cells .noUi-handle')) {
    const box = handle.getBoundingClientRect();
    if (box.width && Math.min(box.width, box.height) < handleSize) small.push(`slider handle ${Math.round(box.width)}×${Math.round(box.height)} px`);
  }
  return small;
}"""
# A figure with something in it: plotly's data, drawn as traces (a heatmap as an image).
DRAWN_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].some((plot) =>
  plot._fullData && plot._fullData.length > 0 &&
  plot.querySelector('.main-svg').getBoundingClientRect().width > 200 &&
  [...plot.querySelectorAll('.trace, .hm image')].some((mark) => mark.getBoundingClientRect().width > 20))"""


def question_root(page):
    return page.locator(".deck-question")


def test_a_demo_pages_question_is_checked_in_the_kernel(page, voila_url):
    open_demo(page, voila_url, "coulomb-matrix")
    question = question_root(page)
    question.scroll_into_view_if_needed()
    assert "Predict, then check." in question.inner_text()
    question.locator("button", has_text="Check").click()
    page.wait_for_selector("text=Type a number first", timeout=TIMEOUT_MS)
    answer = question.locator("input[type=text]")
    answer.fill("64")
    question.locator("button", has_text="Check").click()
    verdict = page.wait_for_selector(".deck-verdict:has-text('too high')", timeout=TIMEOUT_MS)
    assert "the engines give 0.50" in verdict.inner_text()
    answer.fill("0.5")
    question.locator("button", has_text="Check").click()
    page.wait_for_selector(".deck-verdict:has-text('Right: 0.50')", timeout=TIMEOUT_MS)
    wait_until_answered(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    answer.fill("64")  # the screenshot shows the feedback a wrong answer gets
    question.locator("button", has_text="Check").click()
    page.wait_for_selector(".deck-verdict:has-text('too high')", timeout=TIMEOUT_MS)
    page.locator(".jp-OutputArea:has(.deck-question)").screenshot(
        path=SCREENSHOTS / "voila-demo-question.png"
    )
    page.assert_clean()


# What jupyterlab-manager's WidgetRenderer does to its output when get_model gave up after
# the manager was restored (ipywidgets#4026): a race a busy machine loses now and then.
RENDERER_GIVES_UP_JS = """() => {
  const output = [...document.querySelectorAll('.jp-OutputArea-output')]
    .find((node) => node.querySelector('.deck-question'));
  output.replaceChildren();
  output.textContent = 'Error displaying widget: model not found';
  output.classList.add('jupyter-widgets');
  console.error(new Error('widget model not found'));
}"""


def test_a_widget_whose_renderer_gave_up_is_drawn_again_and_answers(page, voila_url):
    open_demo(page, voila_url, "soap")
    question_root(page).wait_for(timeout=TIMEOUT_MS)
    page.evaluate(RENDERER_GIVES_UP_JS)
    question = question_root(page)
    question.wait_for(timeout=TIMEOUT_MS)  # drawn again, by widget-retry.js
    assert not page.locator("text=Error displaying widget").count()
    question.get_by_label("0, up to rounding: unchanged").check()
    question.locator("button", has_text="Check").click()
    page.wait_for_selector(".deck-verdict:has-text('Right.')", timeout=TIMEOUT_MS)
    assert len(page.redrawn) == 1, page.redrawn
    page.assert_clean()  # the renderer's error is answered by the redraw


def test_a_choice_question_is_checked_in_the_kernel(page, voila_url):
    open_demo(page, voila_url, "soap")
    question = question_root(page)
    question.scroll_into_view_if_needed()
    question.get_by_label("small, but clearly more than 0").check()
    question.locator("button", has_text="Check").click()
    page.wait_for_selector(".deck-verdict:has-text('Not this one')", timeout=TIMEOUT_MS)
    question.get_by_label("0, up to rounding: unchanged").check()
    question.locator("button", has_text="Check").click()
    page.wait_for_selector(".deck-verdict:has-text('Right.')", timeout=TIMEOUT_MS)
    page.assert_clean()


def test_a_demo_page_links_to_the_demos_and_to_its_lecture_section(page, voila_url):
    # Leaving a Voila page asks the server to shut its kernel down, and Voila 0.5 refuses
    # (403; the idle culler ends the kernel later): that refusal alone is expected here.
    refused = []
    page.on("response", lambda response: response.status == 403 and refused.append(response.url))
    open_demo(page, voila_url, "coulomb-matrix")
    page.click(".deck-page-links >> text=All demos")
    page.wait_for_selector("ul.demos a", timeout=TIMEOUT_MS)
    assert page.locator("ul.demos a").count() == len(DEMOS)
    page.go_back(wait_until="commit")
    link = page.wait_for_selector(".deck-page-links >> text=In the lecture", timeout=TIMEOUT_MS)
    # Where the link goes, resolved by the browser; that the lecture has this heading is
    # tests/test_pages.py's check. Following it would run the whole lecture in this shared
    # server's kernel (a minute of CPU), which the presenter's test does once already.
    anchor = pages.heading_anchor(pages.LECTURE_SECTIONS["coulomb-matrix"])
    assert link.evaluate("a => a.href") == f"{voila_url}/voila/render/lecture.ipynb#{anchor}"
    assert all("/voila/api/shutdown/" in url for url in refused), refused
    page.errors[:] = [error for error in page.errors if "status of 403" not in error]
    page.assert_clean()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.foundation) if name == "potential" else name
        for name in DEMOS
    ],
)
def test_every_demo_page_fits_a_phone(page, voila_url, name):
    page.set_viewport_size(PHONE)
    open_demo(page, voila_url, name)
    page.wait_for_function(DRAWN_JS, timeout=TIMEOUT_MS)
    wait_until_answered(page)
    page.locator(".deck-page-links").wait_for(timeout=TIMEOUT_MS)  # the page has run to its end
    layout = page.evaluate(OVERFLOW_JS)
    assert layout["scrollWidth"] <= layout["width"], layout
    assert layout["outside"] == [], f"{name}: cut off at the screen's edge: {layout['outside']}"
    small = page.evaluate(TARGETS_JS, [TOUCH_PX, HANDLE_PX])
    assert small == [], f"{name}: controls too small to touch: {small}"
    page.assert_clean()
