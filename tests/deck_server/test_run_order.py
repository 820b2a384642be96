"""deck_server.run_order: the presenter's page runs the demo of the slide it opens on first."""

import ast
import asyncio
import builtins
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import tornado.websocket
import voila.app
from voila.tornado.execution_request_handler import ExecutionRequestHandler

from deck_server import run_order
from deck_server._shape import PatchOutOfDate

LECTURE = Path(__file__).resolve().parents[2] / "notebooks" / "lecture.ipynb"


def notebook(*kinds: str):
    """A notebook of cells: "setup" (a code cell the slides skip), "code", "text"."""
    made = {
        "setup": lambda: nbformat.v4.new_code_cell(
            "import x", metadata={"slideshow": {"slide_type": "skip"}}
        ),
        "code": lambda: nbformat.v4.new_code_cell("Panel()"),
        "text": lambda: nbformat.v4.new_markdown_cell("## A slide"),
    }
    return nbformat.v4.new_notebook(cells=[made[kind]() for kind in kinds])


def test_the_setup_cells_run_first_then_the_wanted_cell_and_the_rest_after_it():
    cells = notebook("text", "setup", "setup", "text", "code", "text", "code", "code").cells
    assert run_order.running_order(cells, 6) == [1, 2, 6, 7, 0, 3, 4, 5]
    # from the top it is the notebook's own order (Markdown cells run as nothing, anywhere)
    assert run_order.running_order(cells, 0) == list(range(8))
    assert run_order.running_order(cells, 1) == [*range(1, 8), 0]
    # a setup cell after the wanted one runs in its place, as in the notebook
    cells = notebook("setup", "code", "setup", "code").cells
    assert run_order.running_order(cells, 1) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="first cell 4 is not one of the notebook's 4 cells"):
        run_order.running_order(cells, 4)


def names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell's code reads, and those it binds."""
    read, bound = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
    return read, bound


def test_each_demo_of_the_lecture_needs_only_the_setup_cells():
    # what lets the presenter's page run any demo right after the setup cells
    cells = nbformat.read(LECTURE, as_version=4).cells
    code = [cell for cell in cells if cell.cell_type == "code"]
    setup = [cell for cell in code if run_order.is_setup(cell)]
    demos = [cell for cell in code if not run_order.is_setup(cell)]
    assert len(setup) >= 1 and len(demos) >= 15
    assert cells.index(setup[-1]) < cells.index(demos[0])
    given = set(dir(builtins)).union(*(names(cell.source)[1] for cell in setup))
    for cell in demos:
        read, bound = names(cell.source)
        assert read - bound - given == set(), cell.source


class Recorder:
    """Voila's own handler's work, recorded: the notebook it was given to run, and what it
    would have sent for each cell (its index in that notebook)."""

    def __init__(self, monkeypatch):
        self.ran, self.sent = None, []
        recorder = self

        async def run(handler, message_str):
            data = handler._execution_data.pop(handler._kernel_id)
            recorder.ran = [cell.source for cell in data["nb"].cells]
            for index, _ in enumerate(data["nb"].cells):
                handler.write_message(
                    {"action": "execution_result", "payload": {"cell_index": index}}
                )

        monkeypatch.setattr(ExecutionRequestHandler, "on_message", run)
        monkeypatch.setattr(
            tornado.websocket.WebSocketHandler,
            "write_message",
            lambda handler, message, binary=False: self.sent.append(message),
        )


def execute(monkeypatch, cells, payload: dict) -> Recorder:
    recorder = Recorder(monkeypatch)
    handler = object.__new__(run_order.SlideFirstExecution)
    handler._kernel_id = "k1"
    nb = nbformat.v4.new_notebook(cells=cells)
    monkeypatch.setitem(ExecutionRequestHandler._execution_data, "k1", {"nb": nb, "config": None})
    message = {"action": "execute", "payload": {"kernel_id": "k1", **payload}}
    # in a thread of its own: a browser test before this one on the same worker may have
    # left its event loop running in this thread (playwright's sync API)
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, handler.on_message(json.dumps(message))).result()
    return recorder


def test_the_handler_runs_from_the_cell_asked_for_and_answers_with_each_cells_own_index(
    monkeypatch,
):
    cells = notebook("text", "setup", "code", "text", "code").cells
    for index, cell in enumerate(cells):
        cell.source = f"cell {index}"
    recorder = execute(monkeypatch, cells, {run_order.FIRST_CELL: 4})
    assert recorder.ran == ["cell 1", "cell 4", "cell 0", "cell 2", "cell 3"]
    assert [m["payload"]["cell_index"] for m in recorder.sent] == [1, 4, 0, 2, 3]


@pytest.mark.parametrize("payload", [{}, {run_order.FIRST_CELL: 0}, {run_order.FIRST_CELL: 9}])
def test_without_a_cell_to_start_from_the_notebooks_order_is_kept(monkeypatch, payload):
    cells = notebook("text", "setup", "code").cells
    recorder = execute(monkeypatch, cells, payload)
    assert recorder.ran == [cell.source for cell in cells]
    assert [m["payload"]["cell_index"] for m in recorder.sent] == [0, 1, 2]


def test_install_serves_the_execution_websocket_and_refuses_a_reshaped_voila(monkeypatch):
    monkeypatch.setattr(voila.app, "ExecutionRequestHandler", ExecutionRequestHandler)
    run_order.install()
    assert voila.app.ExecutionRequestHandler is run_order.SlideFirstExecution
    run_order.install()  # twice (the settings file loaded again) is once
    assert voila.app.ExecutionRequestHandler is run_order.SlideFirstExecution

    monkeypatch.setattr(voila.app, "ExecutionRequestHandler", SimpleNamespace)
    with pytest.raises(PatchOutOfDate, match="execution handler is another class"):
        run_order.install()
    monkeypatch.setattr(voila.app, "ExecutionRequestHandler", ExecutionRequestHandler)
    monkeypatch.delattr(ExecutionRequestHandler, "_execution_data")
    with pytest.raises(PatchOutOfDate, match="_execution_data is gone"):
        run_order.install()
