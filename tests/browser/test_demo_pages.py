"""Each demo page in a real browser: it renders, the 3-D view draws, the controls work.

One page load per test: a cold Voila kernel takes ~15 s to import the scientific stack.
"""

from pathlib import Path

import pytest
from panel_checks import (
    assert_molecule_drawn,
    assert_turning_changes_coordinates,
    choose_structure,
    heatmap_z,
    open_demo,
    readout,
    turn_z_slider,
    wait_until_answered,
)

ROOT = Path(__file__).resolve().parents[2]

PAGE_TIMEOUT_MS = 120_000
# An image's width once it has loaded (0 if it failed): a picture may still be on its way.
LOADED_WIDTH_JS = """img => img.complete ? img.naturalWidth : new Promise((done) => {
    img.addEventListener('load', () => done(img.naturalWidth));
    img.addEventListener('error', () => done(0));
})"""


def test_coordinates_page_draws_and_changes_when_turned(page, voila_url):
    assert_turning_changes_coordinates(open_demo(page, voila_url, "coordinates"))
    page.assert_clean()


@pytest.mark.parametrize("name", ["coulomb-matrix", "soap"])
def test_invariant_descriptor_pages_stay_at_zero_when_turned(page, voila_url, name):
    panel = open_demo(page, voila_url, name)
    assert_molecule_drawn(panel)
    turn_z_slider(panel)
    assert "(unchanged)" in readout(panel)
    page.assert_clean()


@pytest.mark.parametrize("name", ["coulomb-matrix", "soap"])
def test_a_crystal_turns_with_its_cell_and_stays_at_zero(page, voila_url, name):
    panel = open_demo(page, voila_url, name)
    choose_structure(panel, "NaCl (rock salt)")  # the heatmap shows the crystal's descriptor
    assert_molecule_drawn(panel)  # the crystal's 3-D view
    turn_z_slider(panel)
    assert "(unchanged)" in readout(panel)
    page.assert_clean()


def test_fingerprint_page_explains_a_bad_smiles(page, voila_url):
    panel = open_demo(page, voila_url, "fingerprints")
    before = heatmap_z(panel, "bits")
    box = page.locator(".widget-text input").first
    box.fill("C1CC")
    box.press("Enter")
    page.wait_for_selector("text=is not a valid SMILES: unclosed ring", timeout=10_000)
    assert heatmap_z(panel, "bits") == before  # the last good molecule stays
    page.assert_clean()


def test_likelihood_page_jumps_to_the_maximum(page, voila_url):
    open_demo(page, voila_url, "likelihood")
    page.click("button:has-text('Jump to the maximum')")
    wait_until_answered(page)
    text = page.inner_text("text=L(μ, σ | x)")
    current = text.split("=")[1].split()[0]
    maximum = text.split("maximum")[1].split()[0]
    assert current == maximum
    page.assert_clean()


def test_landing_page_links_every_demo_with_a_picture(page, voila_url):
    demos = sorted(path.stem for path in (ROOT / "notebooks" / "demos").glob("*.ipynb"))
    page.goto(voila_url, timeout=PAGE_TIMEOUT_MS)
    cards = page.locator("ul.demos a")
    links = [cards.nth(i).get_attribute("href") for i in range(cards.count())]
    assert links == [f"/voila/render/demos/{name}.ipynb" for name in demos]
    for i in range(cards.count()):
        assert cards.nth(i).locator("h2").inner_text().strip()
        assert cards.nth(i).locator("p").inner_text().strip()
        image = cards.nth(i).locator("img")
        image.scroll_into_view_if_needed()
        assert image.evaluate(LOADED_WIDTH_JS) > 0, image.get_attribute("src")
    cards.first.click()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT_MS)
    page.assert_clean()
