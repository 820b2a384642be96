"""Stepping through a reveal.js page (`make present`, `make slides`), and what a step looks
like from the back row, measured in the browser (`measure`): the rendered size of its text
(computed font size × CSS zoom × reveal.js's scale), what sticks out of the slide or out of
a box that clips it, how much of the slide its demo panel takes, and how large it shows the
lecture's pictures (`shrunk_pictures`). The limits are the tests'.
"""

import json
import re
from pathlib import Path

from figure_style import SLIDE_PICTURE_BOX, shown_scale  # scripts/, on the path (conftest)

ROOT = Path(__file__).resolve().parents[2]

# The step on screen: the leaf section (a vertical stack is a section of sections).
CURRENT_SLIDE = ".reveal .slides section.present:not(.stack)"


# The address reveal.js gives the leaf slide whose heading holds `words` (#/h or #/h/v: its
# place among the top-level slides, and in its vertical stack), or every leaf's first heading
# when none does.
FIND_SLIDE_JS = """(words) => {
  const leaves = [...document.querySelectorAll('.reveal .slides section')]
    .filter((s) => !s.querySelector('section'));
  const found = leaves.find((s) => [...s.querySelectorAll('h1, h2, h3')]
    .some((h) => h.textContent.includes(words)));
  if (!found) {
    return {headings: leaves.map((s) => (s.querySelector('h1, h2, h3') || {textContent: ''}).textContent)};
  }
  const top = found.parentElement.matches('.slides') ? found : found.parentElement;
  const h = [...top.parentElement.children].filter((s) => s.tagName === 'SECTION').indexOf(top);
  const v = top === found ? 0 : [...top.children].filter((s) => s.tagName === 'SECTION').indexOf(found);
  return {hash: v ? `#/${h}/${v}` : `#/${h}`};
}"""


def go_to_slide(page, words: str) -> None:
    """Show the slide whose heading holds `words` by its address (as a link to it would), and
    wait until it is the current slide."""
    page.evaluate("document.activeElement.blur()")
    found = page.evaluate(FIND_SLIDE_JS, words)
    assert "hash" in found, f"no slide's heading holds {words!r}: {found['headings']}"
    page.evaluate("(hash) => { location.hash = hash; }", found["hash"])
    page.wait_for_function(
        f"""(words) => {{
          const slide = document.querySelector('{CURRENT_SLIDE}');
          return slide && [...slide.querySelectorAll('h1, h2, h3')]
            .some((h) => h.textContent.includes(words));
        }}""",
        arg=words,
        timeout=STEP_TIMEOUT_MS,
    )


def back_to_the_title(page) -> None:
    page.evaluate("document.activeElement.blur()")  # a slider keeps the keys it is given
    if page.evaluate("location.hash") not in ("", "#/"):
        step(page, "Home")


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


# Whether the step on screen has come to rest: the deck has fitted its pictures and panels
# (the template's window.deckLayoutPending) and reveal.js's transition is over (the slide,
# and the stack it is in, no longer moved or faded).
SETTLED_JS = """
(current) => {
  if (window.deckLayoutPending) return false;
  for (let s = document.querySelector(current); s && s.tagName === 'SECTION';
       s = s.parentElement) {
    const style = getComputedStyle(s);
    if (style.transform !== 'none' || style.opacity !== '1') return false;
  }
  return true;
}
"""


def settle(page) -> None:
    """Wait until the step on screen has come to rest (SETTLED_JS)."""
    page.wait_for_function(SETTLED_JS, arg=CURRENT_SLIDE, timeout=STEP_TIMEOUT_MS)


MEASURE_JS = """
(current) => {
  const slide = document.querySelector(current);
  const slides = document.querySelector('.reveal .slides');
  // reveal.js scales .slides with a CSS transform: on-screen width over layout width.
  const scale = slides.getBoundingClientRect().width / slides.offsetWidth;
  const frame = slides.getBoundingClientRect();
  // The part of the screen an element can be seen in: the slide, cut by every ancestor
  // that clips its overflow (a scrolling slide, a panel's box).
  const visibleBox = (element) => {
    let box = {left: frame.left, top: frame.top, right: frame.right, bottom: frame.bottom};
    for (let e = element.parentElement; e && e !== slides; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const r = e.getBoundingClientRect();
      box = {left: Math.max(box.left, r.left), top: Math.max(box.top, r.top),
             right: Math.min(box.right, r.right), bottom: Math.min(box.bottom, r.bottom)};
    }
    return box;
  };
  const TOLERANCE_PX = 2;  // sub-pixel rounding of scaled boxes
  // A line of text draws its glyphs' full height, a little beyond its line box: as much as
  // this share of the font size may stick out before a line counts as cut.
  const GLYPH_OVERHANG = 0.3;
  const sticksOut = (rect, box, slack = TOLERANCE_PX) =>
    rect.bottom > box.bottom + slack || rect.right > box.right + slack ||
    rect.top < box.top - slack || rect.left < box.left - slack;
  const shown = (element) =>
    element.checkVisibility({opacityProperty: true, visibilityProperty: true}) &&
    !element.closest('.fragment:not(.visible), aside.notes, .MJX_Assistive_MathML');
  const kindOf = (element) => {
    if (element.closest('.jupyter-widgets, .js-plotly-plot, .static-panel')) return 'panel';
    if (element.closest('h1, h2, h3')) return 'heading';
    return 'text';
  };
  const label = (text) => text.trim().replace(/\\s+/g, ' ').slice(0, 60);
  const small = [], cut = [];
  const seen = new Set();
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || !shown(element)) continue;
    // A formula's characters, when MathJax draws some as SVG text (a font it is still
    // loading), are sized by the formula's own scaling: the formula is measured below.
    if (element.closest('.MathJax_SVG, .MathJax_SVG_Display, .MathJax_Preview, .MathJax_PHTML')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const px = parseFloat(getComputedStyle(element).fontSize) * element.currentCSSZoom * scale;
    const kind = kindOf(element);
    if (!seen.has(element)) {
      seen.add(element);
      small.push({kind, px: Math.round(px * 10) / 10, text: label(node.textContent)});
    }
    const slack = Math.max(TOLERANCE_PX, GLYPH_OVERHANG * px);
    if (sticksOut(rect, visibleBox(element), slack)) cut.push(label(node.textContent));
  }
  // Formulas: MathJax draws them as SVG paths, sized by the font size around them.
  for (const math of slide.querySelectorAll('.MathJax_SVG')) {
    if (!shown(math)) continue;
    const px = parseFloat(getComputedStyle(math).fontSize) * math.currentCSSZoom * scale;
    small.push({kind: math.closest('.jupyter-widgets') ? 'panel' : 'math',
                px: Math.round(px * 10) / 10, text: 'formula'});
    if (sticksOut(math.getBoundingClientRect(), visibleBox(math))) cut.push('a formula');
  }
  // Pictures, plots and 3-D views must be whole on the slide, too.
  for (const element of slide.querySelectorAll('img, canvas, svg.main-svg, input, select')) {
    const rect = element.getBoundingClientRect();
    if (!shown(element) || rect.width === 0 || rect.height === 0) continue;
    if (sticksOut(rect, visibleBox(element))) {
      cut.push(element.tagName + ' ' + (element.getAttribute('alt') || element.className.baseVal
                                        || element.className || '').toString().slice(0, 40));
    }
  }
  // The pictures, at the size shown.
  const pictures = [...slide.querySelectorAll('img')]
    .filter((img) => shown(img) && img.naturalWidth)
    .map((img) => ({alt: img.getAttribute('alt') || '', natural: [img.naturalWidth, img.naturalHeight],
                    shown: [img.getBoundingClientRect().width, img.getBoundingClientRect().height]}));
  // A demo panel: the outermost widget (or its static drawing) of the slide's output.
  const panels = [...slide.querySelectorAll('.jupyter-widgets, .static-panel')]
    .filter((e) => !e.parentElement.closest('.jupyter-widgets, .static-panel') && shown(e));
  let panelArea = 0;
  for (const panel of panels) {
    const r = panel.getBoundingClientRect();
    const width = Math.min(r.right, frame.right) - Math.max(r.left, frame.left);
    const height = Math.min(r.bottom, frame.bottom) - Math.max(r.top, frame.top);
    panelArea += Math.max(width, 0) * Math.max(height, 0);
  }
  return {
    scale: Math.round(scale * 1000) / 1000,
    texts: small,
    cut: [...new Set(cut)],
    pictures,
    panels: panels.length,
    panel_fraction: Math.round(panelArea / (frame.width * frame.height) * 1000) / 1000,
  };
}
"""


def measure(page) -> dict:
    """MEASURE_JS on the step on screen."""
    return page.evaluate(MEASURE_JS, CURRENT_SLIDE)


def lecture_pictures() -> dict[str, str]:
    """The lecture's drawn pictures (scripts/make_figures.py) by their alt text."""
    cells = json.loads((ROOT / "notebooks" / "lecture.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return dict(re.findall(r"!\[([^\]]*)\]\(img/([^)\s]+\.png)\)", text))


LECTURE_PICTURES = lecture_pictures()
# A slide whose title is a section's (##, larger than ###) shows its picture 6 px less high:
# 1 % of the labels' size.
SHRINK_TOLERANCE = 0.015


def shrunk_pictures(metrics: dict) -> list[str]:
    """The lecture's pictures on the step shown smaller than figure_style.SLIDE_PICTURE_BOX,
    for which tests/test_figures.py sizes their labels (a slide with too much else on it)."""
    found = []
    for picture in metrics["pictures"]:
        name = LECTURE_PICTURES.get(picture["alt"])
        if name is None:
            continue  # an animation's frames, not drawn for the box
        width, height = picture["natural"]
        wanted = shown_scale(width, height) * height
        if picture["shown"][1] < wanted * (1 - SHRINK_TOLERANCE):
            found.append(
                f"{name} shown {picture['shown'][1]:.0f} px high, not {wanted:.0f} "
                f"(at most {SLIDE_PICTURE_BOX[1]}): its labels too small to read"
            )
    return found
