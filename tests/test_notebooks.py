"""Every notebook runs top to bottom in a fresh kernel and is committed without outputs."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [nb for nb in NOTEBOOKS if ".ipynb_checkpoints" not in nb.parts]
IDS = [str(nb.relative_to(nb.parents[1])) for nb in NOTEBOOKS]
# The workbook's student copies run in nbgrader's autograder instead (tests/test_workbook.py),
# which executes each in a fresh kernel and checks the same: running them here too cost a
# kernel each.
RUN_ELSEWHERE = Path(__file__).parents[1] / "notebooks" / "exercises"
EXECUTED = [nb for nb in NOTEBOOKS if RUN_ELSEWHERE not in nb.parents]


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs; clear them"
            assert cell.execution_count is None, f"{path.name}: clear the execution counts"


# Run after a notebook's own cells: whether its kernel made nglview widgets (imported it);
# tests/test_workbook.py runs it after the student copies'.
PROBE = "import sys; print('nglview' in sys.modules)"


@pytest.mark.parametrize("path", EXECUTED, ids=[IDS[NOTEBOOKS.index(nb)] for nb in EXECUTED])
def test_runs_top_to_bottom(path):
    """…and its metadata says whether it shows a 3-D view (the server loads nglview's
    browser code for exactly those pages: deck_server.landing_page)."""
    notebook = nbformat.read(path, as_version=4)
    declared = "nglview-js-widgets" in notebook.metadata.get("deck", {}).get("needs", [])
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
    probe = notebook.cells.pop()
    assert probe.outputs[0]["text"].strip() == str(declared), (
        f"{path.name}: metadata deck.needs says nglview {declared}, the kernel disagrees"
    )
