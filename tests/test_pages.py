"""Every demo page says what to try, asks a question it checks in the kernel, and links back.

A page's first cell says what to try, what to notice and what to ask yourself; its last
asks the predict-then-check question, whose answer no text above it may give away.

The links' anchors are made from the lecture's headings by one function, checked here
against the ids nbconvert (Voila's renderer) gives those headings; the questions are
driven through their widget as a reader would: choose or type, press Check, read.
"""

import json
import re
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


def section_number(heading: str) -> str:
    """The number of the lecture section ("## 11. Clustering") that holds `heading`."""
    number = None
    for line in lecture_headings():
        if match := re.match(r"## (\d+)\. ", line):
            number = match.group(1)
        if line.lstrip("#").strip() == heading:
            return number
    raise AssertionError(f"the lecture has no heading {heading!r}")


@pytest.mark.parametrize("path", DEMOS, ids=lambda path: path.stem)
def test_every_demo_page_says_what_to_try_once_and_ends_with_its_question(path):
    cells = json.loads(path.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and cells[1]["cell_type"] == "code"
    intro = "".join(cells[0]["source"])
    for part in ("- **Try:**", "- **Notice:**", "- **Ask yourself:**"):
        assert intro.count(part) == 1, part
    markdown = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
    assert markdown == [intro]  # one list of what to try, not a second one further down
    # the section the intro names is the one the page's link goes to
    named = re.search(r"lecture, sections? ([\d, and]+)\)", intro)
    assert named, "the intro should say which section of the lecture the page belongs to"
    assert section_number(pages.LECTURE_SECTIONS[path.stem]) in re.findall(r"\d+", named[1])
    question = cells[-1]
    code = "".join(question["source"])
    assert question["cell_type"] == "code"
    assert code.splitlines()[-1] == f'PageQuestion("{path.stem}")' and len(code.splitlines()) <= 3


# What each page's question asks the reader to predict, in the words the page's text used to
# give it away with (an audit found them above the question): none may come back.
GIVEAWAYS = {
    "soap": ["stays at round-off", "stays at 0", "invariant to rotation"],
    "mixture": ["never goes down", "rises at every step"],
    "potential": ["energy stays", "forces turn with", "energy stays the same"],
    "overfitting": ["turns back up", "lowest at degree", "rises again"],
    "neural-network": ["explode", "runs off to infinity", "overshoots"],
    "likelihood": ["sample mean", "standard deviation computed with 1/n", "best σ is"],
    "materials-map": ["smooth sweep", "changes smoothly"],
    "learning-curve": ["by the same fraction", "× 0.7", "straight line"],
}


@pytest.mark.parametrize("page", sorted(GIVEAWAYS))
def test_no_page_gives_away_the_answer_to_its_own_question(page):
    cells = json.loads((ROOT / "notebooks" / "demos" / f"{page}.ipynb").read_text())["cells"]
    text = " ".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    text = " ".join(text.split()).lower()
    assert [phrase for phrase in GIVEAWAYS[page] if phrase.lower() in text] == []
    # ...and the answer still comes, after the reader has committed to one
    if page == "learning-curve":
        save_curve(HANSEN_2013)  # the deck's curve, rather than minutes of training
    try:
        explanation = pages.QUESTIONS[page].explain(pages.QUESTIONS[page].answer())
    finally:
        regression.learning_curve_path().unlink(missing_ok=True)
        pages._solved.cache_clear()
    assert len(explanation) > 80


def test_an_unknown_page_is_named_with_the_pages_there_are():
    with pytest.raises(pages.FeaturizeError, match=r"No demo page is called 'soaps'.*soap"):
        PageQuestion("soaps")
    with pytest.raises(pages.FeaturizeError, match="'soaps'"):
        pages.lecture_link("soaps")


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


RUPP_2012 = (21.9, 17.5, 15.7, 14.3, 12.8)  # the deck's curves (README), kcal/mol
HANSEN_2013 = (27.3, 21.6, 15.2, 10.6, 7.4)


def save_curve(hansen, rupp=RUPP_2012):
    def curve(test_mae):
        n = len(test_mae)
        return regression.RecipeCurve(
            test_mae=tuple(test_mae),
            cv_mae=tuple(test_mae),
            gamma=(1e-6,) * n,
            alpha=(1e-9,) * n,
            g2_test_mae=51.8,
        )

    regression.save_learning_curve(
        regression.LearningCurve(
            dataset="made up",
            n_test=regression.TEST_SIZE,
            sizes=regression.LEARNING_CURVE_SIZES,
            curves={"rupp2012": curve(rupp), "hansen2013": curve(hansen)},
            g2_n_train=111,
            g2_n_test=37,
            settings=regression.learning_curve_settings(),
        )
    )
    assert regression.stored_learning_curve() is not None  # read back, not recomputed
    pages._solved.cache_clear()


@pytest.mark.parametrize(
    ("hansen", "right"),
    [
        (HANSEN_2013, 1),  # the deck's own curve: × 0.71 per doubling
        ((32.0, 16.0, 8.0, 4.0, 2.1), 0),  # halving
        ((20.0, 19.8, 19.7, 19.7, 19.6), 2),  # flat
    ],
)
def test_the_learning_curve_question_reads_the_stored_curve(hansen, right):
    save_curve(hansen)
    try:
        question = PageQuestion("learning-curve")
        assert "Hansen 2013" in question.question.prompt  # it asks about one recipe
        answer_and_check(question, right)
        assert question.correct is True, question.feedback.value
    finally:
        regression.learning_curve_path().unlink()
        pages._solved.cache_clear()


def test_the_learning_curve_answer_contrasts_the_two_recipes():
    save_curve(HANSEN_2013)
    try:
        question = PageQuestion("learning-curve")
        feedback = answer_and_check(question, 1)
        # Hansen's curve: × 0.71 per doubling; Rupp's flatter: × 0.88 (2 ** log-log slope)
        assert "about 0.71" in feedback and "× 0.88 per doubling" in feedback, feedback
        assert "QM7" in feedback  # the paper's point is another data set
    finally:
        regression.learning_curve_path().unlink()
        pages._solved.cache_clear()
