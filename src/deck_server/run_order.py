"""The presenter's page runs the demo of the slide it opens on first (`make present`, issue 16).

With progressive rendering Voila sends the slides at once, then the browser asks, over the
websocket `voila/execution/<kernel>`, for the notebook's cells to run, and Voila 0.5.13
(`voila.tornado.execution_request_handler.ExecutionRequestHandler`) runs them all in the
notebook's order. A reload in the middle of the lecture (F5, a browser that crashed) came
back on its slide in about 2 s, but the demo on that slide waited for every cell before it:
10-28 s for the network demo near the end.

The deck-reveal template adds to the browser's request which cell to start from,
`payload.first_cell`: the first code cell on or after the slide shown. This handler then runs
the setup cells before it (code cells the slides skip: imports, settings), that cell and
the rest of the lecture after it, and the cells before it last. It answers with each cell's
own index, so the page puts every output in its place whatever the order; the template
counts the answers to know when the lecture has run (Voila's code closed the websocket on
the last cell's answer, which no longer comes last).

This holds for a notebook whose code cells need nothing from one another but the setup
cells, as the lecture's demo cells (each builds its own panel; a test checks the names they
use). Installed by deck_server for standalone Voila with progressive rendering. Written for
Voila 0.5.13; its route to the handler and the parts used here are checked as the server
starts (deck_server._shape). Delete it when Voila lets the page choose where to start
(docs/upstream/voila-execution-order.md).
"""

from __future__ import annotations

import copy
import json

from voila.tornado.execution_request_handler import ExecutionRequestHandler

from ._shape import PatchOutOfDate, expect

PATCH = "deck_server.run_order"
# What the deck-reveal template adds to the execute request: the index of the cell to run first.
FIRST_CELL = "first_cell"
SETUP_SLIDE_TYPE = "skip"


def is_setup(cell) -> bool:
    """A code cell the slides skip: it prepares the demos and shows nothing."""
    slide_type = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
    return cell.get("cell_type") == "code" and slide_type == SETUP_SLIDE_TYPE


def running_order(cells: list, first: int) -> list[int]:
    """The indices of `cells` in the order to run them when the cell `first` is wanted first:
    the setup cells before it, then `first` to the end, then the other cells before it."""
    if not 0 <= first < len(cells):
        raise ValueError(f"first cell {first} is not one of the notebook's {len(cells)} cells")
    setup = [index for index in range(first) if is_setup(cells[index])]
    rest = [index for index in range(first) if index not in setup]
    return setup + list(range(first, len(cells))) + rest


class SlideFirstExecution(ExecutionRequestHandler):
    """Voila's execution websocket, starting from the cell the page asks for."""

    _deck_order: list[int] | None = None

    async def on_message(self, message_str):
        message = json.loads(message_str)
        payload = message.get("payload") or {}
        first = payload.get(FIRST_CELL)
        data = self._execution_data.get(getattr(self, "_kernel_id", None))
        if message.get("action") == "execute" and isinstance(first, int) and data is not None:
            cells = data["nb"].cells
            if 0 < first < len(cells):
                order = running_order(cells, first)
                notebook = copy.copy(data["nb"])
                notebook.cells = [cells[index] for index in order]
                self._execution_data[self._kernel_id] = {**data, "nb": notebook}
                self._deck_order = order
        return await super().on_message(message_str)

    def write_message(self, message, binary=False):
        order = self._deck_order
        if order and isinstance(message, dict) and message.get("action") == "execution_result":
            payload = message["payload"]
            message = {
                **message,
                "payload": {**payload, "cell_index": order[payload["cell_index"]]},
            }
        return super().write_message(message, binary)


def install() -> None:
    """Serve the execution websocket with SlideFirstExecution (before Voila adds its routes)."""
    import voila.app

    if voila.app.ExecutionRequestHandler is SlideFirstExecution:
        return
    if voila.app.ExecutionRequestHandler is not ExecutionRequestHandler:
        raise PatchOutOfDate(f"{PATCH}: Voila's execution handler is another class now")
    expect(ExecutionRequestHandler, "on_message", ("message_str",), PATCH)
    expect(ExecutionRequestHandler, "write_message", ("message",), PATCH)
    if not isinstance(getattr(ExecutionRequestHandler, "_execution_data", None), dict):
        raise PatchOutOfDate(f"{PATCH}: {ExecutionRequestHandler.__name__}._execution_data is gone")
    voila.app.ExecutionRequestHandler = SlideFirstExecution
