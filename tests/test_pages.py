"""Every demo page says what to try, asks a question it checks in the kernel, and links back.

The links' anchors are made from the lecture's headings by one function, checked here
against the ids nbconvert (Voila's renderer) gives those headings; the questions are
driven through their widget as a reader would: choose or type, press Check, read.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from featurize import pages, regression
from featurize.panels.question import PageQuestion

pytestmark = pytest.mark.usefixtures("cache")

ROOT = Path(__file__).resolve().parents[1]
DEMOS = sorted((ROOT / "notebooks" / "demos").glob("*.ipynb"))
LECTURE = ROOT / "notebooks" / "lecture.ipynb"


def lecture_headings() -> list[str]:
    notebook = nbformat.read(LECTURE, as_version=4)
    return [
        line
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]


def nbconvert_id(heading_line: str) -> str:
    html = markdown2html_mistune(heading_line)
    return html.split('id="', 1)[1].split('"', 1)[0]


def test_every_demo_page_has_a_question_and_a_lecture_section():
    names = sorted(path.stem for path in DEMOS)
    assert sorted(pages.QUESTIONS) == names
    assert sorted(pages.LECTURE_SECTIONS) == names


@pytest.mark.parametrize(
    "heading",
    [
        "## 8. The Coulomb matrix",
        '## 3. The "hypermaterial space" ansatz',
        "### Demo: fcc, bcc or hcp?",
        "## 5. *Fingerprints* and `code`",
        "### See [the paper](https://example.org) – 100 % sure",
    ],
)
def test_an_anchor_is_the_id_voila_gives_the_heading(heading):
    assert pages.heading_anchor(heading) == nbconvert_id(heading)


def test_the_anchor_of_every_lecture_heading_is_voilas():
    headings = lecture_headings()
    assert len(headings) > 20
    for heading in headings:
        assert pages.heading_anchor(heading) == nbconvert_id(heading), heading


@pytest.mark.parametrize("page", sorted(pages.LECTURE_SECTIONS))
def test_every_page_links_to_a_heading_the_lecture_has(page):
    texts = [line.lstrip("#").strip() for line in lecture_headings()]
    section = pages.LECTURE_SECTIONS[page]
    assert section in texts, (
        f"The lecture has no heading {section!r} any more: set featurize.pages.LECTURE_SECTIONS"
        f"[{page!r}] to one of {texts}"
    )
    anchors = {nbconvert_id("## " + text) for text in texts}
    link = pages.lecture_link(page)
    assert link.startswith("../lecture.ipynb#") and link.split("#", 1)[1] in anchors


@pytest.mark.parametrize("path", DEMOS, ids=lambda path: path.stem)
def test_every_demo_page_ends_with_what_to_try_and_its_question(path):
    cells = json.loads(path.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and cells[1]["cell_type"] == "code"
    try_this, question = cells[-2], cells[-1]
    text = "".join(try_this["source"])
    assert try_this["cell_type"] == "markdown" and text.startswith("### Try this")
    assert "**Notice**" in text
    assert "$" not in text  # no formula: the page would load MathJax (etc/jupyter/voila.py)
    code = "".join(question["source"])
    assert question["cell_type"] == "code"
    assert code.splitlines()[-1] == f'PageQuestion("{path.stem}")' and len(code.splitlines()) <= 3


def test_an_unknown_page_is_named_with_the_pages_there_are():
    with pytest.raises(pages.FeaturizeError, match=r"No demo page is called 'soaps'.*soap"):
        PageQuestion("soaps")
    with pytest.raises(pages.FeaturizeError, match="'soaps'"):
        pages.lecture_link("soaps")


def test_the_links_are_relative_and_name_the_section():
    html = PageQuestion("coulomb-matrix").links().data
    assert '<a href="../">← All demos</a>' in html
    assert (
        '<a href="../lecture.ipynb#8.-The-Coulomb-matrix">In the lecture: The Coulomb matrix</a>'
        in html
    )


# -- the questions, driven -------------------------------------------------------------------
def answer_and_check(question: PageQuestion, answer) -> str:
    if question.question.choices:
        question.answer.value = question.question.choices[answer]
    else:
        question.answer.value = str(answer)
    question.check_button.click()
    return question.feedback.value


NUMBER_QUESTIONS = {  # page: (right, wrong), the right one measured here with the engines
    "coordinates": (2, 6),
    "coulomb-matrix": (0.5, 73.5),
    "fingerprints": (0.18, 0.6),
    "classification": (6, 3),
}


def test_the_number_questions_are_measured_with_the_engines(water):
    import numpy as np

    import featurize as fz
    from featurize import classification

    swapped = fz.coordinates(fz.permute(water, [0, 2, 1])) - fz.coordinates(water)
    assert np.count_nonzero(np.abs(swapped) > 1e-9) == NUMBER_QUESTIONS["coordinates"][0]
    corner = fz.coulomb_matrix(fz.permute(water, [1, 0, 2]))[0, 0]
    assert corner == pytest.approx(0.5 * 1**2.4)
    similarity = fz.tanimoto(fz.morgan_fingerprint("CCO"), fz.morgan_fingerprint("CC(=O)O"))
    assert similarity == pytest.approx(2 / 11)
    depths = [classification.train_classifier("tree", d).train_accuracy for d in range(1, 9)]
    assert depths.index(1.0) + 1 == NUMBER_QUESTIONS["classification"][0]


@pytest.mark.parametrize("page", sorted(NUMBER_QUESTIONS))
def test_a_number_question_says_right_or_by_how_much_it_is_off(page):
    right, wrong = NUMBER_QUESTIONS[page]
    question = PageQuestion(page)
    assert "Type a number first" in answer_and_check(question, "")
    assert question.correct is None
    feedback = answer_and_check(question, "twelve")
    assert "&#x27;twelve&#x27; is not a number" in feedback and question.correct is None
    feedback = answer_and_check(question, wrong)
    assert question.correct is False and "✗" in feedback and "the engines give" in feedback
    assert ("too high" in feedback) == (wrong > right)
    feedback = answer_and_check(question, right)
    assert question.correct is True and "✓ </b> Right" in feedback.replace("✓</b>", "✓ </b>")


CHOICE_QUESTIONS = {  # page: the right choice's index, as the engines measure it
    "soap": 0,
    "likelihood": 1,
    "mixture": 1,
    "clustering": 1,
    "overfitting": 2,
    "neural-network": 2,
    "materials-map": 1,
    "potential": 1,
}


@pytest.mark.parametrize("page", sorted(CHOICE_QUESTIONS))
def test_a_choice_question_is_judged_and_explained(page):
    question = PageQuestion(page)
    question.check_button.click()
    assert "Choose an answer first" in question.feedback.value and question.correct is None
    right = CHOICE_QUESTIONS[page]
    wrong = (right + 1) % len(question.question.choices)
    feedback = answer_and_check(question, wrong)
    assert question.correct is False and "Not this one: the answer is" in feedback
    assert question.question.choices[right].split(":")[0] in feedback.replace("&#x27;", "'")
    answer_and_check(question, right)
    assert question.correct is True


def save_curve(test_mae):
    regression.save_learning_curve(
        regression.LearningCurve(
            dataset="made up",
            n_test=regression.TEST_SIZE,
            sizes=list(regression.LEARNING_CURVE_SIZES),
            test_mae=test_mae,
            cv_mae=test_mae,
            gamma=[1e-6] * 5,
            alpha=[1e-9] * 5,
            g2_n_train=111,
            g2_n_test=37,
            g2_test_mae=51.8,
        )
    )
    pages._solved.cache_clear()


@pytest.mark.parametrize(
    ("test_mae", "right"),
    [
        ([27.3, 21.1, 14.5, 10.5, 7.5], 1),  # the deck's own curve: × 0.72 per doubling
        ([32.0, 16.0, 8.0, 4.0, 2.1], 0),  # halving
        ([20.0, 19.8, 19.7, 19.7, 19.6], 2),  # flat
    ],
)
def test_the_learning_curve_question_reads_the_stored_curve(test_mae, right):
    save_curve(test_mae)
    try:
        question = PageQuestion("learning-curve")
        answer_and_check(question, right)
        assert question.correct is True, question.feedback.value
    finally:
        regression.learning_curve_path().unlink()
        pages._solved.cache_clear()


def test_a_refused_value_from_the_browser_is_explained_in_the_panel():
    question = PageQuestion("soap")
    question._guard_controls()
    question.answer.set_state({"index": 99})  # what a tampered page could send
    assert "cannot take" in question.message.value
    assert question.answer.index is None


def test_the_coordinates_page_question_loads_no_heavy_engine():
    """The coordinates page loads no RDKit, DScribe, SciPy or scikit-learn (test_layers):
    nor does its question, asked and answered."""
    code = (
        "import sys\n"
        "from featurize.panels.question import PageQuestion\n"
        "question = PageQuestion('coordinates')\n"
        "question.answer.value = '2'\n"
        "question.check_button.click()\n"
        "assert question.correct, question.feedback.value\n"
        "heavy = {'rdkit', 'dscribe', 'scipy', 'sklearn', 'mendeleev'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
