"""make lab's working copy: a student's work is never overwritten, and the tracked
notebooks are never what JupyterLab saves into."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "working_copy.py"


def run(source: Path, copy: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(source), str(copy)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def notebook(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)]), path)


def source_of(path: Path) -> str:
    return nbformat.read(path, as_version=4).cells[0].source


def test_the_copy_holds_every_notebook_and_picture(tmp_path):
    copy = tmp_path / "my-notebooks"
    output = run(ROOT / "notebooks", copy)
    tracked = sorted(
        p.relative_to(ROOT / "notebooks")
        for p in (ROOT / "notebooks").rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    )
    copied = sorted(
        p.relative_to(copy)
        for p in copy.rglob("*")
        if p.is_file() and p.name != ".working-copy.json"
    )
    assert copied == tracked
    assert (
        Path("exercises/1-descriptors.ipynb") in copied and Path("img/decision-tree.png") in copied
    )
    assert f"Your working copy of the notebooks is {copy}/" in output
    assert "git pull never conflicts" in output


def test_a_pull_updates_what_the_student_left_alone_and_keeps_their_work(tmp_path):
    repository, copy = tmp_path / "notebooks", tmp_path / "mine"
    notebook(repository / "lecture.ipynb", "lecture, version 1")
    notebook(repository / "exercises" / "1-descriptors.ipynb", "workbook, version 1")
    (repository / "img").mkdir()
    (repository / "img" / "figure.png").write_bytes(b"picture 1")
    run(repository, copy)

    notebook(
        copy / "exercises" / "1-descriptors.ipynb", "workbook with my answers"
    )  # the student works
    notebook(copy / "scratch.ipynb", "my own notebook")
    # the next lecture arrives with git pull
    notebook(repository / "lecture.ipynb", "lecture, version 2")
    notebook(repository / "exercises" / "1-descriptors.ipynb", "workbook, version 2")
    notebook(repository / "exercises" / "2-likelihood.ipynb", "new workbook")
    (repository / "img" / "figure.png").write_bytes(b"picture 2")
    output = run(repository, copy)

    assert source_of(copy / "lecture.ipynb") == "lecture, version 2"  # untouched: updated
    assert source_of(copy / "exercises" / "1-descriptors.ipynb") == "workbook with my answers"
    assert source_of(copy / "exercises" / "2-likelihood.ipynb") == "new workbook"
    assert source_of(copy / "scratch.ipynb") == "my own notebook"
    assert (copy / "img" / "figure.png").read_bytes() == b"picture 2"
    assert "Updated from the repository (you had not changed it): lecture.ipynb" in output
    assert "Kept your exercises/1-descriptors.ipynb; the repository has a newer version" in output
    assert "rename yours (e.g. to 1-descriptors-mine.ipynb)" in output

    # renamed, the student's work stays, and the new version comes in
    (copy / "exercises" / "1-descriptors.ipynb").rename(
        copy / "exercises" / "1-descriptors-mine.ipynb"
    )
    run(repository, copy)
    assert source_of(copy / "exercises" / "1-descriptors.ipynb") == "workbook, version 2"
    assert source_of(copy / "exercises" / "1-descriptors-mine.ipynb") == "workbook with my answers"
    record = json.loads((copy / ".working-copy.json").read_text())
    assert "scratch.ipynb" not in record and "exercises/1-descriptors-mine.ipynb" not in record


def test_make_lab_opens_the_working_copy_and_git_ignores_it():
    dry_run = subprocess.run(
        ["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "scripts/working_copy.py notebooks my-notebooks" in dry_run
    assert "--ServerApp.root_dir=my-notebooks" in dry_run
    ignored = subprocess.run(
        ["git", "check-ignore", "my-notebooks/lecture.ipynb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.returncode == 0, "my-notebooks/ must be ignored by git"
