"""featurize.panels.question: a demo page's question and links (what each page asks: tests/test_pages.py)."""

import subprocess
import sys

from featurize.panels.question import PageQuestion


def test_the_links_are_relative_and_name_the_section():
    html = PageQuestion("coulomb-matrix").links().data
    assert '<a href="../">← All demos</a>' in html
    assert (
        '<a href="../lecture.ipynb#8.-The-Coulomb-matrix">In the lecture: The Coulomb matrix</a>'
        in html
    )


def test_a_refused_value_from_the_browser_is_explained_in_the_panel():
    question = PageQuestion("soap")
    question._guard_controls()
    # what a tampered page could send, delivered as the widget protocol does
    question.answer._handle_msg(
        {"content": {"data": {"method": "update", "state": {"index": 99}}}, "buffers": []}
    )
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
