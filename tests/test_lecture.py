"""The lecture deck covers every section of the outline, as slides a presenter can step through."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import featurize

LECTURE = Path(__file__).resolve().parents[1] / "notebooks" / "lecture.ipynb"
SECTIONS = [
    "Title and agenda",
    "Why machine learning",
    "Why it can work: universal approximation",
    'The "hypermaterial space" ansatz',
    "Representing materials",
    "Fingerprints",
    "Structure-based features",
    "A dummy descriptor: raw coordinates",
    "The Coulomb matrix",
    "SOAP",
    "Machine-learning tools",
    "Clustering",
    "Classification",
    "Regression",
    "Neural networks",
    "Where we are going: foundation models for materials",
]
DEMOS = [
    "FingerprintPanel()",
    'StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates)',
    'StructurePanel(fz.molecule("H2O"), descriptor=fz.coulomb_matrix)',
    'StructurePanel(fz.molecule("H2O"), descriptor=fz.soap)',
    "LikelihoodPanel()",
]
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


@pytest.fixture(scope="module")
def cells():
    return nbformat.read(LECTURE, as_version=4).cells


def slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type")


def test_every_cell_has_slide_metadata(cells):
    assert all(slide_type(cell) in SLIDE_TYPES for cell in cells)


def test_every_outline_section_opens_a_slide_in_order(cells):
    starts = [c.source for c in cells if c.cell_type == "markdown" and slide_type(c) == "slide"]
    positions = []
    for number, title in enumerate(SECTIONS):
        heading = re.compile(rf"^#+ {number}\. {re.escape(title)}", re.MULTILINE)
        found = [i for i, source in enumerate(starts) if heading.search(source)]
        assert found, f"no slide opens section {number}. {title}"
        positions.append(found[0])
    assert positions == sorted(positions)


def test_title_slide_comes_from_the_deck_settings(cells):
    first = cells[0]
    assert first.cell_type == "code" and "title_slide()" in first.source
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert featurize.DECK["author"] not in prose
    assert featurize.DECK["date"] not in prose


def test_rise_settings_and_footer():
    rise = nbformat.read(LECTURE, as_version=4).metadata["rise"]
    assert rise["scroll"] is True and rise["theme"] and rise["transition"]
    assert featurize.DECK["course"] in rise["footer"]


def test_formulas_of_the_slides(cells):
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for formula in [
        r"f(\Phi(M))",
        r"\sup_{x \in K}",
        r"M_{ij} = r_{ij}",
        r"M_{ii} = 0.5\, Z_i^{2.4}",
        r"\frac{Z_i Z_j}{R_{ij}}",
        r"\pi \sqrt{\frac{8}{2l+1}}",
        r"\frac{(x_i - \mu)^2}{2\sigma^2}",
        r"\theta \leftarrow \theta - \eta\, \nabla_\theta L",
    ]:
        assert formula in prose, formula


def test_demos_are_thin_and_each_has_speaker_notes(cells):
    code = [c for c in cells if c.cell_type == "code"]
    assert all(len(c.source.splitlines()) <= 15 for c in code)
    for demo in DEMOS:
        index = next(i for i, c in enumerate(cells) if c.cell_type == "code" and c.source == demo)
        following = []
        for cell in cells[index + 1 :]:
            if slide_type(cell) in {"slide", "subslide"}:
                break
            following.append(slide_type(cell))
        assert "notes" in following, f"no speaker notes after {demo}"


def test_nbconvert_makes_slides(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "slides",
            "--output-dir",
            str(tmp_path),
            str(LECTURE),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "lecture.slides.html").read_text()
    assert html.count("<section") >= 40
