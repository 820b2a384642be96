"""The workbook under nbgrader, as a course would run it.

The student copies in notebooks/exercises/ are exactly nbgrader's release of course/source/
(what `make assignments` writes), hold no solution and no hidden test, and nbgrader's
autograder gives the instructor's copy every point and the student's copy, unanswered,
none; a wrong answer loses its point with the check's sentence in the graded notebook.

The autograder runs each student copy top to bottom in a fresh kernel, so this module is
where they are run (tests/test_notebooks.py runs every other notebook): a student copy's
only errors are its hidden tests' "not answered yet".
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_notebooks import PROBE as NGLVIEW_PROBE

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
PARTS = sorted(path.name for path in (COURSE / "source").iterdir() if path.is_dir())
STUDENT_COPIES = ROOT / "notebooks" / "exercises"
# nbgrader's markers, which only the instructor's copy may carry
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def nbgrader(root: Path, *arguments: str) -> None:
    """Run nbgrader in the course folder `root`, as an instructor would from a terminal."""
    # nbgrader runs alembic (its database migrations) as a program: the venv's, on PATH
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *arguments, "--log-level=WARN"],
        cwd=root,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A fresh copy of course/ with every part released, as `make assignments` does."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(COURSE / "nbgrader_config.py", root)
    shutil.copytree(COURSE / "source", root / "source")
    nbgrader(root, "generate_assignment", "*", "--force")  # every part, as make assignments
    return root


def test_there_is_one_part_per_section_of_the_lecture():
    assert [part.split("-", 1)[1] for part in PARTS] == [
        "descriptors",
        "likelihood",
        "clustering",
        "classification",
        "regression",
        "networks",
    ]
    assert sorted(path.stem for path in STUDENT_COPIES.glob("*.ipynb")) == PARTS


@pytest.mark.parametrize("part", PARTS)
def test_the_student_copy_is_nbgraders_release(course, part):
    released = nbformat.read(course / "release" / part / f"{part}.ipynb", as_version=4)
    committed = nbformat.read(STUDENT_COPIES / f"{part}.ipynb", as_version=4)
    assert committed == released, f"notebooks/exercises/{part}.ipynb is stale: run make assignments"


def hidden_lines(source: str) -> set[str]:
    """The lines of a cell between nbgrader's BEGIN and END markers (not lone brackets)."""
    lines, inside = set(), False
    for line in source.splitlines():
        if "END SOLUTION" in line or "END HIDDEN TESTS" in line:
            inside = False
        elif inside and any(c.isalpha() for c in line):
            lines.add(line.strip())
        elif "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
            inside = True
    return lines


def by_grade_id(notebook) -> dict:
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in notebook.cells}


@pytest.mark.parametrize("part", PARTS)
def test_the_student_copy_holds_no_solution_and_no_hidden_test(part):
    source = by_grade_id(nbformat.read(COURSE / "source" / part / f"{part}.ipynb", as_version=4))
    student = by_grade_id(nbformat.read(STUDENT_COPIES / f"{part}.ipynb", as_version=4))
    assert sorted(student) == sorted(source)
    stripped = 0
    for grade_id, cell in source.items():
        hidden = hidden_lines(cell.source)
        given = {line.strip() for line in student[grade_id].source.splitlines()}
        assert not hidden & given, grade_id
        assert not [marker for marker in MARKERS if marker in student[grade_id].source]
        stripped += bool(hidden)
        grading = cell.metadata["nbgrader"]
        if grading["grade"]:  # an autograder test: locked, worth a point, and able to fail
            assert grading["points"] >= 1 and grading["locked"], grade_id
            assert ".require()" in cell.source and ".require()" not in student[grade_id].source
    assert stripped >= 6  # three exercises at least, each a solution and a hidden test


def test_the_sources_are_committed_without_outputs():
    for part in PARTS:
        notebook = nbformat.read(COURSE / "source" / part / f"{part}.ipynb", as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, part


WRONG_COULOMB = """\
my_coulomb = None  # a 3×3 numpy array
z = water.get_atomic_numbers().astype(float)
r = water.get_all_distances() + np.eye(3)
my_coulomb = np.where(np.eye(3, dtype=bool), z**2, np.outer(z, z) / r)
"""


@pytest.fixture(scope="module")
def graded(course) -> Path:
    """Submissions autograded: the instructor's copy, the student's (nothing answered) and
    one with the Coulomb matrix of workbook 1 wrong (Z² on the diagonal)."""
    for part in PARTS:
        submitted = course / "submitted"
        for student, notebook in (
            ("instructor", course / "source" / part / f"{part}.ipynb"),
            ("student", course / "release" / part / f"{part}.ipynb"),
        ):
            (submitted / student / part).mkdir(parents=True)
            shutil.copy(notebook, submitted / student / part)
        with_probe = nbformat.read(submitted / "student" / part / f"{part}.ipynb", as_version=4)
        with_probe.cells.append(nbformat.v4.new_code_cell(NGLVIEW_PROBE))
        nbformat.write(with_probe, submitted / "student" / part / f"{part}.ipynb")
    first = PARTS[0]
    wrong = nbformat.read(course / "release" / first / f"{first}.ipynb", as_version=4)
    cell = next(
        c for c in wrong.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex1-4-answer"
    )
    cell.source = WRONG_COULOMB
    (course / "submitted" / "wrong" / first).mkdir(parents=True)
    nbformat.write(wrong, course / "submitted" / "wrong" / first / f"{first}.ipynb")
    # Every part in one run: nbgrader's start-up (seconds) is paid once, not once a part.
    nbgrader(course, "autograde", "*", "--force")
    return course


def autograded(course: Path, student: str, part: str):
    path = course / "autograded" / student / part / f"{part}.ipynb"
    return nbformat.read(path, as_version=4)


def scores(course: Path, student: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        result = {}
        for part in PARTS:
            try:
                submission = gradebook.find_submission(part, student)
            except Exception:  # MissingEntry: not submitted
                continue
            result[part] = (submission.score, submission.max_score)
    return result


def test_the_autograder_gives_the_instructors_copy_every_point(graded):
    result = scores(graded, "instructor")
    assert sorted(result) == PARTS
    for part, (score, max_score) in result.items():
        assert max_score >= 3 and score == max_score, part


def test_the_autograder_gives_the_unanswered_student_copy_no_point(graded):
    result = scores(graded, "student")
    assert sorted(result) == PARTS
    for part, (score, max_score) in result.items():
        assert max_score >= 3 and score == 0, part


@pytest.mark.parametrize("part", PARTS)
def test_the_student_copy_runs_top_to_bottom_where_only_the_hidden_tests_fail(graded, part):
    """…in the autograder's kernel; and without nglview, as its metadata says (the server
    loads nglview's browser code only for notebooks that declare it: deck_server.landing_page)."""
    notebook = autograded(graded, "student", part)
    graded_cells = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade"):
            graded_cells.add(grading["grade_id"])
            assert errors and errors[0].ename == "AssertionError", grading["grade_id"]
            assert "Not answered yet" in errors[0].evalue, errors[0].evalue
        else:
            assert not errors, (cell.source, errors)
    assert graded_cells
    probe = notebook.cells[-1]
    assert probe.source == NGLVIEW_PROBE
    declared = "nglview-js-widgets" in notebook.metadata.get("deck", {}).get("needs", [])
    assert probe.outputs[0]["text"].strip() == str(declared)


def test_a_wrong_answer_loses_its_point_and_the_graded_copy_says_why(graded):
    part = PARTS[0]
    score, _ = scores(graded, "wrong")[part]
    assert score == 0  # nothing else answered either
    notebook = autograded(graded, "wrong", part)
    check = next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex1-4-check"
    )
    errors = [o for o in check.outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "AssertionError"
    assert "Row 0 is O's: its diagonal should be 0.5·8^2.4 ≈ 73.5, yours is 64" in errors[0].evalue
