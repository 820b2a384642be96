"""What holds for every panel: it takes wrong input from the browser as a message, draws
only traces the served plotly build knows, and hands the browser valid JSON."""

import json

import numpy as np
import plotly.graph_objects as go

from featurize.panels._base import _widget_tree
from featurize.panels._figure import LEAN_PLOTLY_TRACES

from . import from_the_browser


def figures(panel) -> list[go.FigureWidget]:
    return [w for w in _widget_tree(panel.widget) if isinstance(w, go.FigureWidget)]


def test_a_value_of_the_wrong_type_from_the_browser_becomes_a_message(every_panel):
    panel = every_panel
    panel._repr_mimebundle_()  # displayed: from now on the browser can talk to it
    controls = [w for w in _widget_tree(panel.widget) if "value" in w.keys and w.description]
    assert controls
    for control in controls:
        kept = control.value
        panel.clear_message()
        from_the_browser(control, value={"not": "a value"})
        assert control.value == kept
        assert "cannot take" in panel.message.value, control.description


def test_every_trace_a_panel_draws_is_in_the_lean_plotly_build(every_panel):
    for figure in figures(every_panel):
        assert {trace.type for trace in figure.data} <= LEAN_PLOTLY_TRACES


def binary(value):
    """numpy arrays travel beside the JSON, as binary buffers."""
    if isinstance(value, np.ndarray):
        return "(a binary buffer)"
    raise TypeError(f"{type(value).__name__} is neither JSON nor a binary buffer")


def test_figures_are_valid_json(every_panel):
    # NaN is not JSON: the kernel would warn in front of the class and drop the update
    panel = every_panel
    bundle = panel._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    for figure in figures(panel):
        json.dumps(figure._widget_data, allow_nan=False, default=binary)
