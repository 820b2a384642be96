"""Plotly figures whose widget code reaches the browser once per page, not per figure.

A plotly FigureWidget is an anywidget: its JavaScript travels inside every figure's state,
and the browser compiles it once per figure (the lecture has five; anywidget gives up on a
model that takes over 2 s to start). Under the deck's Voila server the code is also served
as one file, with plotly.js's cartesian build inside (1.5 MB of code instead of 4.9), and
the server tells its kernels so (deck_server.plotly_bundle owns that contract; `make rise`'s
server does the same): a figure then ships a two-line module importing that file instead.
Anywhere else (JupyterLab, nbconvert) figures keep plotly's own code inline.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from copy import deepcopy

import plotly
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType
from plotly.subplots import make_subplots

from deck_server.plotly_bundle import BASE_URL_VARIABLE, served_module

from ._late_comm import OpensWhenShown

# The traces plotly.js's cartesian build draws (its README): the served file carries that
# build, so a panel drawing any other trace would stay blank (tests/panels/ checks).
LEAN_PLOTLY_TRACES = frozenset(
    {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour"}
    | {"image", "pie", "scatter", "scatterternary", "violin"}
)


# What FigureWidget.batch_update reads of plotly's figure (plotly 7.1)
PLOTLY_BATCH_STATE = ("_in_batch_mode", "_batch_trace_edits", "_batch_layout_edits")

# What plotly 7.1's FigureWidget sends for an edit: each message a trait set, then set to None
PLOTLY_EDIT_MESSAGES = (
    "_py2js_addTraces",
    "_py2js_deleteTraces",
    "_py2js_moveTraces",
    "_py2js_restyle",
    "_py2js_relayout",
    "_py2js_update",
    "_py2js_animate",
    "_py2js_removeLayoutProps",
    "_py2js_removeTraceProps",
)
_missing = set(PLOTLY_EDIT_MESSAGES) - set(go.FigureWidget.class_trait_names())
if _missing:
    raise RuntimeError(
        f"plotly {plotly.__version__}'s FigureWidget has no {sorted(_missing)}: "
        "featurize.panels._figure.FigureWidget._repr_mimebundle_ needs rewriting"
    )
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# plotly's own text size (its layout.font.size when none is given), px
PLOTLY_TEXT_PX = 12
# On slides a panel is zoomed to fill its slide (by 0.8 to 1.6: the presenter's template) and
# reveal.js scales the slide by 0.96 at a projector's 1280 × 720: plotly's 12 px ticks came
# out at 9.3–11.8 px. A third larger, the smallest is 12 px there, the size the browser test
# asks of a panel's labels (tests/browser/test_projector.py).
SLIDE_TEXT_SCALE = 4 / 3
_text_scale = 1.0


def for_slides(on: bool = True) -> None:
    """Draw the text of the figures of panels made from now on a third larger, for a
    projector (the lecture calls it before its first panel); demo pages keep plotly's sizes, as
    does `for_slides(False)`."""
    global _text_scale
    _text_scale = SLIDE_TEXT_SCALE if on else 1.0


def text_px(px: float) -> int:
    """A text size given for a demo page, as the figure draws it (larger on slides)."""
    return round(px * _text_scale)


class FigureWidget(OpensWhenShown, go.FigureWidget):
    """go.FigureWidget, loading its code from the served file when there is one, with its
    text sized by `text_px` and its comm opened with the whole figure once it is shown
    (featurize.panels._late_comm: a view made earlier stayed an empty plot)."""

    # Decided once per kernel: Voila gives a page's kernel its base URL in the environment,
    # `make rise` its server's (deck_server.rise).
    _base_url = os.environ.get("VOILA_BASE_URL", os.environ.get(BASE_URL_VARIABLE))
    _shared = served_module(_base_url) if _base_url is not None else None
    if _shared:
        _esm = _shared

    # plotly gives every trace of a widget a random uid, even one given its own; the panels
    # fetch their traces by uid (`trace`), so the two ways in keep the uids given.
    def __init__(self, data=None, layout=None, **kwargs) -> None:
        traces = data if isinstance(data, (list, tuple)) else None
        super().__init__(data=None if traces else data, layout=layout, **kwargs)
        if traces:
            self.add_traces(traces)
        if self.layout.font.size is None:
            self.layout.font.size = text_px(PLOTLY_TEXT_PX)
        self._edited_since_opened = False
        self.observe(self._note_edit, names=list(PLOTLY_EDIT_MESSAGES))

    def _note_edit(self, change) -> None:
        if change["new"] is not None and self.comm is not None:
            self._edited_since_opened = True

    def _before_opening(self) -> None:
        """The figure as it is now, into the state the comm opens with (featurize.panels.
        _late_comm): plotly copies it only when the figure itself is displayed."""
        self._widget_layout = deepcopy(self._layout_obj._props)
        self._widget_data = deepcopy(self._data)

    def _repr_mimebundle_(self, include=None, exclude=None, validate=True, **kwargs):
        """plotly's, which copies the whole figure into `_widget_data` and `_widget_layout`
        (the state a view starts from), only when the figure was edited since its comm
        opened with it (`model_id`).

        Unedited, the copy sent the whole figure to the browser a second time (traitlets
        cannot tell two dicts of numpy arrays equal, so every copy is sent). An edit since
        reached the browser's model as a message, which plotly's model applies to its state;
        the copy is still made then, for the state a notebook saves (nbclient's
        store_widget_state, read by `make slides`), which keeps only `_widget_data`.
        """
        model_id = self.model_id  # opens the comm, with the whole figure
        if self._edited_since_opened:
            self._edited_since_opened = False
            return super()._repr_mimebundle_(include, exclude, validate, **kwargs)
        return {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": model_id}}

    @contextmanager
    def batch_update(self):
        """go.FigureWidget.batch_update, sending one update per set of properties edited
        (all the traces edited, when each was given the same properties).

        plotly's sends a single Plotly.update for every trace edited, each property a trace
        was not given filled with plotly's `Undefined`. A view the browser drew while such a
        message was on its way (the lecture's page, drawn as its kernel runs) took the filler
        for a value and erased that property: the confusion matrix lost its rows' names.
        Written for plotly 7.1 (its batch state: `_in_batch_mode`, `_batch_trace_edits`,
        `_batch_layout_edits`); the report: docs/upstream/plotly-batch-update-undefined.md.
        """
        if not all(hasattr(self, name) for name in PLOTLY_BATCH_STATE):
            raise RuntimeError(
                f"plotly {plotly.__version__} keeps its batch updates elsewhere than "
                f"{PLOTLY_BATCH_STATE}: featurize.panels._figure.FigureWidget.batch_update "
                "needs rewriting (or deleting, if plotly no longer fills with Undefined)"
            )
        if self._in_batch_mode:
            yield
            return
        self._in_batch_mode = True
        try:
            yield
        finally:
            self._in_batch_mode = False
            trace_edits = {i: dict(edits) for i, edits in self._batch_trace_edits.items()}
            layout_edits = dict(self._batch_layout_edits)
            self._batch_trace_edits.clear()
            self._batch_layout_edits.clear()
            # one message per set of properties edited: none of its traces lacks a value
            groups: dict[frozenset, list[int]] = {}
            for index in sorted(trace_edits):
                groups.setdefault(frozenset(trace_edits[index]), []).append(index)
            for group in groups.values():
                props = trace_edits[group[0]]
                self.plotly_update(
                    restyle_data={p: [trace_edits[i][p] for i in group] for p in props},
                    relayout_data=layout_edits,
                    trace_indexes=group,
                )
                layout_edits = {}  # sent with the first message
            if layout_edits:
                self.plotly_update(relayout_data=layout_edits)

    def add_traces(self, data, *args, **kwargs):
        """go.FigureWidget.add_traces, keeping the uids given."""
        added = list(data) if isinstance(data, (list, tuple)) else [data]
        given = [each.get("uid") if isinstance(each, dict) else each.uid for each in added]
        super().add_traces(data, *args, **kwargs)
        for each, uid in zip(self.data[len(self.data) - len(added) :], given, strict=True):
            if uid is not None:
                each.uid = uid
        return self


def trace(figure: go.Figure, uid: str) -> BaseTraceType:
    """The trace of `figure` whose uid is `uid`. The panels give every trace a uid of its
    own: plotly keeps it through the widget's sync (its browser reports name traces by
    uid), while an index shifts whenever a trace is added before it."""
    for each in figure.data:
        if each.uid == uid:
            return each
    known = ", ".join(repr(each.uid) for each in figure.data)
    raise LookupError(f"This figure has no trace {uid!r}; its traces are {known}.")


def two_plots(
    titles: tuple[str, str], widths: tuple[float, float] = (0.5, 0.5), spacing: float = 0.12
) -> FigureWidget:
    """The panels' common figure: two plots side by side, each with its title; widths are
    the plots' shares of the figure's width, spacing the gap between them (fractions)."""
    return FigureWidget(
        make_subplots(
            rows=1,
            cols=2,
            column_widths=list(widths),
            horizontal_spacing=spacing,
            subplot_titles=titles,
        )
    )
