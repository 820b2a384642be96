"""Widgets whose comm opens when they are first shown, carrying the state they have then.

ipywidgets 8.1 opens a widget's comm in `Widget.__init__`, with the state the widget has at
that moment; plotly's FigureWidget (its figure) and nglview's NGLWidget (its player and
fullscreen button) set theirs after that and send it as updates. A view the browser makes
before those updates are applied starts from the state of the comm's opening, and neither
view catches up: plotly's draws an empty, unstyled plot for good (its handlers for a new
`_widget_data` or `_widget_layout` are empty), nglview's reads its player's reference as null
("Cannot read properties of null (reading 'replace')"). Voila's progressive rendering (voila
0.5.13) makes such views: it draws an output the moment its widget's comm opens. So these
widgets open their comm when a box holding them is made (it names its children by
`model_id`) or when they are displayed, with everything set. What they send before that is
dropped by ipywidgets (no comm; no view can exist yet). The report:
docs/upstream/plotly-view-ignores-state.md. Delete this when the comm opens after the
widget's own constructor has run (ipywidgets) or the views catch up (plotly, nglview).
"""

from __future__ import annotations

import ipywidgets

# What OpensWhenShown overrides of ipywidgets.Widget: it must still be there
_WIDGET_API = ("open", "model_id", "_repr_mimebundle_", "comm")
_missing = [name for name in _WIDGET_API if not hasattr(ipywidgets.Widget, name)]
if _missing:
    raise RuntimeError(
        f"ipywidgets {ipywidgets.__version__} has no Widget.{', '.join(_missing)}: "
        "featurize.panels._late_comm.OpensWhenShown needs rewriting"
    )


class OpensWhenShown:
    """Mixed in before an ipywidgets widget class: its comm opens on first use of `model_id`
    (a box serializing it, its display), after `_before_opening`."""

    _opens_when_shown = True  # until model_id is first asked for

    def open(self) -> None:
        if self._opens_when_shown:
            return  # ipywidgets' constructor: the widget is not built yet
        super().open()

    @property
    def model_id(self) -> str:
        if self.comm is None:
            self._opens_when_shown = False
            self._before_opening()
            super().open()
        return self.comm.comm_id

    def _before_opening(self) -> None:
        """Bring the synced state up to date with the widget (nothing by default)."""

    def _repr_mimebundle_(self, *args, **kwargs):
        self.model_id  # noqa: B018 (opens the comm: the bundle names the id it keeps after)
        return super()._repr_mimebundle_(*args, **kwargs)
