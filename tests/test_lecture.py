"""The lecture deck covers every section of the outline, as slides a presenter can step through."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import featurize

LECTURE = Path(__file__).resolve().parents[1] / "notebooks" / "lecture.ipynb"
SECTIONS = [
    "Agenda",
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
    "StructurePanel(fz.demo_structures(), descriptor=fz.soap)",
    "StructurePanel(fz.demo_structures(), descriptor=COULOMB_VARIANTS_WITH_PERIODIC)",
    "StructurePanel(fz.demo_structures(rattled=True), descriptor=forces)",
    "LikelihoodPanel()",
    "LearningCurvePanel()",
]
# Every slide's notes open with its time: "**2 min.**", or "**3 min, optional.**" for a demo
# that can be skipped when the lecture runs late.
TIMING = re.compile(r"^\*\*(\d+(?:\.\d+)?) min(, optional)?\.\*\*")
LECTURE_MINUTES = 90
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


def test_title_slide_says_what_the_deck_settings_say(cells):
    # Markdown, not code: the presenter's page shows it before the kernel has run anything.
    first = cells[0]
    assert first.cell_type == "markdown" and slide_type(first) == "slide"
    assert f"# {featurize.DECK['title']}\n" in first.source
    for key in ("subtitle", "author", "course", "date", "credit", "licence"):
        assert featurize.DECK[key] in first.source, key
    # the lecture this deck follows is credited on its first slide
    for source in ("P. De Angelis", "Politecnico di Torino", "02QZSND"):
        assert source in first.source
    # author and date are said once, there
    prose = "\n".join(c.source for c in cells[1:] if c.cell_type == "markdown")
    assert featurize.DECK["author"] not in prose
    assert featurize.DECK["date"] not in prose


def test_rise_settings_and_footer():
    rise = nbformat.read(LECTURE, as_version=4).metadata["rise"]
    assert rise["scroll"] is True and rise["theme"] and rise["transition"]
    assert featurize.DECK["course"] in rise["footer"]
    # make rise's server has the same (RISE 5.7.1 may read the metadata before it loads)
    server_side = LECTURE.parents[1] / "etc" / "jupyter" / "nbconfig" / "rise.json"
    assert json.loads(server_side.read_text(encoding="utf-8")) == rise


def test_formulas_of_the_slides(cells):
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for formula in [
        r"f(\Phi(M))",
        r"\sup_{x \in K}",
        r"M_{ij} = (\mathbf{R}_i)_j",
        r"M_{ii} = 0.5\, Z_i^{2.4}",
        r"\frac{Z_i Z_j}{R_{ij}}",
        r"\pi \sqrt{\frac{8}{2l+1}}",
        r"\frac{(x_i - \mu)^2}{2\sigma^2}",
        r"\theta \leftarrow \theta - \eta\, \nabla_\theta \mathcal{L}",
    ]:
        assert formula in prose, formula


def test_the_formulas_the_demos_use_are_on_slides(cells):
    """Tanimoto, kernel ridge regression and its kernels, the MLE, MAE and RMSE, the adjusted
    Rand index, a message-passing update: each on a slide, not only in the notes."""
    slides = "\n".join(
        c.source for c in cells if c.cell_type == "markdown" and slide_type(c) != "notes"
    )
    for formula in [
        r"T(A, B) = \dfrac{|A \cap B|}{|A \cup B|}",
        r"\hat{y}(x) = \sum_{i=1}^{N} \alpha_i\, k(x, x_i)",
        r"\boldsymbol{\alpha} = (\mathbf{K} + \lambda \mathbf{I})^{-1}\, \mathbf{y}",
        r"\exp(-\gamma \lVert x - x' \rVert_2^2)",
        r"\exp(-\gamma \lVert x - x' \rVert_1)",
        r"\hat{\mu} = \frac{1}{n}\sum_i x_i",
        r"\hat{\sigma}^2 = \frac{1}{n}\sum_i (x_i - \hat{\mu})^2",
        r"\log \prod_i p(x_i \mid \mu, \sigma) = \sum_i \log p(x_i \mid \mu, \sigma)",
        r"\mathrm{MAE} = \frac{1}{N}\sum_i |y_i - \hat{y}_i|",
        r"\mathrm{RMSE} = \sqrt{\frac{1}{N}\sum_i (y_i - \hat{y}_i)^2}",
        r"\mathrm{ARI} = \dfrac{\mathrm{RI} - \mathbb{E}[\mathrm{RI}]}",
        r"\mathbf{h}_i^{(t+1)} = U\Big(",
    ]:
        assert formula in slides, formula
    for words in ["cross-validation", "validation", "**PCA**", "**t-SNE**", "confusion matrix"]:
        assert words in slides, words
    assert "distances between groups and the sizes of groups are not" in slides


def test_the_universal_approximation_theorem_is_quantified(cells):
    theorem = next(c.source for c in cells if "universal approximation" in c.source)
    assert "for every compact set $K" in theorem  # K before the network, which depends on it
    assert "not a polynomial" in theorem
    assert "Leshno" in theorem and "Cybenko" in theorem and "Hornik" in theorem
    plain = next(c.source for c in cells if c.source.startswith("**In plain words:**"))
    assert "not learnability" in plain and "enough data" not in plain


def slides_of(cells):
    """Each slide or subslide with the cells that follow it up to the next one."""
    groups = []
    for cell in cells:
        if slide_type(cell) in {"slide", "subslide"}:
            groups.append([cell])
        elif groups:
            groups[-1].append(cell)
    return groups


def test_every_slide_has_notes_with_its_time_and_the_lecture_fits_in_90_minutes(cells):
    minutes, optional = 0.0, 0.0
    groups = slides_of(cells)
    for group, following in zip(groups, [*groups[1:], []], strict=True):
        notes = [c for c in group if slide_type(c) == "notes"]
        assert len(notes) == 1, f"slide without one notes cell: {group[0].source[:60]!r}"
        timing = TIMING.match(notes[0].source)
        assert timing, f"notes without a time: {notes[0].source[:60]!r}"
        if timing[2]:
            optional += float(timing[1])
            # a demo, or the slide that sets it up (a demo's panel has a slide of its own)
            assert any(c.cell_type == "code" for c in group + following), "only demos are optional"
        else:
            minutes += float(timing[1])
    assert minutes <= LECTURE_MINUTES - 3  # a few minutes' slack for questions
    assert optional >= 8  # enough to skip when late
    agenda = next(c.source for c in cells if c.source.startswith("**1 min.** The plan"))
    assert f"about {round(minutes)} minutes" in agenda


def test_the_optional_demos_are_the_ones_the_agenda_names(cells):
    optional = [
        next(c.source for c in group if c.cell_type == "code")
        for group in slides_of(cells)
        if any(slide_type(c) == "notes" and ", optional.**" in c.source for c in group)
        and any(c.cell_type == "code" for c in group)  # not the slide that sets a demo up
    ]
    assert optional == [
        "StructurePanel(fz.demo_structures(), descriptor=COULOMB_VARIANTS_WITH_PERIODIC)",
        "MixturePanel()",
        "NetworkPanel()",
        "StructurePanel(fz.demo_structures(rattled=True), descriptor=forces)",
    ]


def test_order_descriptors_before_the_map_and_the_likelihood_before_em(cells):
    sources = [c.source for c in cells]

    def where(text):
        return next(i for i, source in enumerate(sources) if text in source)

    assert where("## 9. SOAP") < where("MaterialsMapPanel()")
    assert where("img/materials-map-teaser.png") < where("## 4. Representing materials")
    assert where("**PCA** (principal component analysis)") < where("MaterialsMapPanel()")
    assert where("MaterialsMapPanel()") < where("ClusteringPanel()")  # PCA explained first
    assert where("### Maximum likelihood by hand") < where("img/gaussian-mixture-em.gif")
    assert where("img/gaussian-mixture-em.gif") < where("MixturePanel()")


def test_claims_about_the_papers_are_honest(cells):
    text = "\n".join(c.source for c in cells).lower()
    for claim in ("reproduce", "beat the paper", "beats the paper", "better than the paper"):
        assert claim not in text, claim
    lecture = "\n".join(c.source for c in cells)
    for fact in ("QM7", "C, N, O, S", "PBE0", "C, N, O, F", "B3LYP", "U0 − ZPVE"):
        assert fact in lecture, fact
    assert "eigenvalues + Gaussian (Rupp 2012)" in lecture
    assert "sorted matrix + Laplacian (Hansen 2013)" in lecture
    assert "MACE-MP-0" in lecture and "MPtrj" in lecture and "arXiv:2401.00096" in lecture
    assert "ECFP4" in lecture and "collision" in lecture
    assert "nine atomic properties and the melting point" in lecture.lower().replace(
        "nine properties of the atom and the melting point",
        "nine atomic properties and the melting point",
    )
    assert "band gap = 1.1" not in lecture


def test_the_numbers_in_the_notes_are_the_codes(cells):
    """The notes quote numbers the tests pin elsewhere: keep them in step."""
    from test_regression import EXPECTED_G2_MAE, EXPECTED_TEST_MAE

    notes = "\n".join(c.source for c in cells if slide_type(c) == "notes")
    for key, values in EXPECTED_TEST_MAE.items():
        assert ", ".join(f"{v:.1f}" for v in values) in notes, key
    for value in EXPECTED_G2_MAE.values():
        assert f"{value:.0f}" in notes
    assert "−226.5 kcal/mol" in notes  # water's atomization energy in the pipeline figure
    assert "−0.98" in notes and "−0.91" in notes  # the map's correlations (test_maps)
    assert "11 of 16" in notes and "9 of 16" in notes and "7 of 16" in notes


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
