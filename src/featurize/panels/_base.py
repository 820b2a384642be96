"""What every panel shares: a root widget that displays itself, and a message line."""

from __future__ import annotations

import html
import re
from time import monotonic

import ipywidgets as widgets
import plotly.graph_objects as go

from ..settings import PALETTE
from ._figure_pictures import preheated
from ._first_paint import FIRST_PAINT_MIME, _widget_tree, first_paint, first_paint_wanted
from ._patches import on_refused_state

# A long run (training) blocks the kernel, and clicks that arrive meanwhile wait their turn:
# thirty queued "Train" clicks kept a core busy for minutes after their visitor left. The
# kernel handles a queued click within milliseconds of the run's end, while a person who
# saw the result and clicks again needs far longer than QUEUED_WITHIN_S.
LONG_RUN_S = 0.5
QUEUED_WITHIN_S = 0.25

# `command` in a message (messages are plain text, for exceptions too) is shown as code.
CODE_SPAN = re.compile(r"`([^`]+)`")


class Panel:
    """A demo panel: `widget` is its root, `message` the line where user errors appear."""

    widget: widgets.Widget
    # Attributes a slider's turn changes beyond what the controls set, which the first paint
    # puts back before painting each of its frames (featurize.panels._first_paint).
    FRAME_HISTORY: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.message = widgets.HTML(layout=widgets.Layout(min_height="1.6em"))

    def show_message(self, text: str) -> None:
        """Show a user's mistake in the panel, in words, instead of a traceback."""
        words = CODE_SPAN.sub(r"<code>\1</code>", html.escape(text))
        self.message.value = (
            f'<span style="color:{PALETTE["vermillion"]};font-weight:600">⚠ {words}</span>'
        )

    def clear_message(self) -> None:
        self.message.value = ""

    def one_run_at_a_time(self, button: widgets.Button, run) -> None:
        """Make run(button) the button's click handler, with the button disabled while it
        runs and the clicks that came during a long run dropped, not run one after another
        (unless the panel was changed in between: `rearm_runs`)."""
        self._last_run = {"ended": float("-inf"), "took": 0.0}
        last = self._last_run

        def on_click(_button) -> None:
            if last["took"] >= LONG_RUN_S and monotonic() - last["ended"] < QUEUED_WITHIN_S:
                return  # it arrived while the last run went on
            started = monotonic()
            button.disabled = True
            try:
                run(button)
            finally:
                button.disabled = False
                last["ended"] = monotonic()
                last["took"] = last["ended"] - started

        button.on_click(on_click)

    def rearm_runs(self) -> None:
        """The panel was changed since its last run: the next click is a new request."""
        if hasattr(self, "_last_run"):
            self._last_run["ended"] = float("-inf")

    def _guard_controls(self) -> None:
        """Explain in the panel when the browser sends one of its widgets a value it refuses."""
        for widget in _widget_tree(self.widget):
            on_refused_state(widget, self._refused)

    def _refused(self, widget: widgets.Widget) -> None:
        name = getattr(widget, "description", "") or type(widget).__name__
        self.show_message(
            f"The page sent {name} a value it cannot take; it keeps its last good value."
        )

    def _repr_mimebundle_(self, **kwargs):
        self._guard_controls()
        # A figure edited since its box was made (which opened its comm) is copied into the
        # state a saved notebook keeps when the figure itself is displayed; nested in our
        # boxes it is not, so display each here (_figure.FigureWidget._repr_mimebundle_).
        for figure in vars(self).values():
            if isinstance(figure, go.FigureWidget):
                figure._repr_mimebundle_()
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if first_paint_wanted():
            bundle[FIRST_PAINT_MIME] = first_paint(self.widget, with_frames=preheated(), panel=self)
        return bundle
