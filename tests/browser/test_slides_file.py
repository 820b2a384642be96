"""`make slides`: the offline slide file opens from file:// with no network and shows its plots."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import build_slides  # noqa: E402

from featurize import potential  # noqa: E402

CURRENT_SLIDE = ".reveal .slides section.present:not(.stack)"


@pytest.fixture(scope="module")
def slide_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    build_slides.main(["--out", str(out)])
    return out / "lecture.html"


def test_the_slide_file_holds_everything_it_loads(slide_file):
    html = slide_file.read_text(encoding="utf-8")
    for cdn in ("unpkg.com", "cdnjs", "jsdelivr", "cdn."):
        assert cdn not in html
    for local in (
        "reveal.js",
        "requirejs/require.js",
        "mathjax/MathJax.js",
        "plotly/plotly.min.js",
    ):
        assert f"vendor/{local}" in html
        assert (slide_file.parent / "vendor" / local).exists()
    assert html.count("Plotly.newPlot") >= 5  # every panel's figure, drawn from its state
    assert "x rotation (°): <b>0</b>" in html  # controls shown with the values they had
    # every 3-D view shown (water, ethanol, the crystals…) as a picture of what it loaded
    pictures = re.findall(r'<div class="static-view">(<svg.*?</svg>)</div>', html)
    assert len(pictures) >= 5, len(pictures)
    assert all(picture.count("<circle") >= 2 for picture in pictures)
    assert any('fill="#ff0d0d"' in picture for picture in pictures)  # an oxygen, in Jmol red
    if not potential.potential_available():
        # the live panel shows only its install message then; so does its slide (the one
        # after the demo's prose), with no empty figure beside it
        heading = html.index("Demo: a universal potential, live")
        start = html.index("<section", heading)
        slide = html[start : html.index("<section", start + 1)]
        assert (
            "optional &#39;foundation&#39; extra" in slide or "optional 'foundation' extra" in slide
        )
        assert "Plotly.newPlot" not in slide


def test_the_slide_file_opens_offline_and_shows_its_plots(page, slide_file):
    page.goto(slide_file.as_uri())
    page.wait_for_selector(CURRENT_SLIDE, timeout=60_000)
    # Every figure of the deck is drawn from the embedded state, without a kernel.
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 5", timeout=60_000
    )
    heatmaps = page.eval_on_selector_all(
        ".js-plotly-plot", "plots => plots.map(p => p.data && p.data[0].type)"
    )
    assert "heatmap" in heatmaps
    for _ in range(60):  # step to the first demo and look at it
        if page.locator(f"{CURRENT_SLIDE} .js-plotly-plot").count():
            break
        page.keyboard.press("Space")
        page.wait_for_timeout(150)
    page.locator(f"{CURRENT_SLIDE} .js-plotly-plot .main-svg").first.wait_for(state="visible")
    page.assert_clean()
