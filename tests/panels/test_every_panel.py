"""What holds for every panel: a short constructor; traces named by uid; wrong input from
the browser becomes a message; only traces the served plotly build knows; valid JSON."""

import importlib
import inspect
import json
import pkgutil
import re

import numpy as np
import plotly.graph_objects as go
import pytest

import featurize.panels
from featurize.panels._base import Panel, _widget_tree
from featurize.panels._figure import LEAN_PLOTLY_TRACES, trace

from . import from_the_browser
from .conftest import EVERY_PANEL


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


def panel_classes() -> list[type[Panel]]:
    """Every Panel subclass in featurize.panels (each of its modules imported)."""
    for module in pkgutil.iter_modules(featurize.panels.__path__):
        importlib.import_module(f"featurize.panels.{module.name}")
    found, unseen = set(), [Panel]
    while unseen:
        for subclass in unseen.pop().__subclasses__():
            if subclass.__module__.startswith("featurize.panels."):
                found.add(subclass)
                unseen.append(subclass)
    return sorted(found, key=lambda cls: cls.__name__)


def test_the_every_panel_fixture_builds_every_panel_class():
    built = {name.split("-")[0] for name in EVERY_PANEL}
    assert built == {cls.__name__ for cls in panel_classes()}


MAX_CONSTRUCTOR_LINES = 30  # build the controls, call _build_figure(), wire, lay out


@pytest.mark.parametrize("panel_class", panel_classes(), ids=lambda cls: cls.__name__)
def test_every_panel_constructor_is_short(panel_class):
    lines, _start = inspect.getsourcelines(panel_class.__init__)
    assert len(lines) <= MAX_CONSTRUCTOR_LINES, (
        f"{panel_class.__name__}.__init__ is {len(lines)} lines long: move what it builds "
        "into methods of their own (_build_figure and the like)"
    )


RANDOM_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")  # plotly's own, for a trace given none


def test_every_trace_has_a_name_of_its_own_and_the_browser_gets_it(every_panel):
    """The panels fetch their traces by uid (_figure.trace); the browser's reports of
    redrawn traces name them by uid too, so the uids must reach its state."""
    every_panel._repr_mimebundle_()
    for figure in figures(every_panel):
        uids = [each.uid for each in figure.data]
        assert len(set(uids)) == len(uids), uids
        assert not [uid for uid in uids if RANDOM_UID.match(uid)], uids
        assert [each["uid"] for each in figure._widget_data] == uids
        for uid in uids:
            assert trace(figure, uid).uid == uid
