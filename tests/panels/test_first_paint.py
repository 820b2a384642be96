"""A panel's first paint (featurize.panels._first_paint): in a kernel Voila started, a panel's
display carries a copy of what its widgets show, which the page draws before the kernel has
connected. It must show exactly what the live widgets will: the figures' data as the widget
sends them, every control with its value."""

import base64
import html
import json
import re

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest

import featurize as fz
from featurize.panels import StructurePanel
from featurize.panels._base import _widget_tree
from featurize.panels._first_paint import (
    FIRST_PAINT_MIME,
    VOILA_KERNEL_VARIABLE,
    as_d3_format,
    first_paint,
)

from .conftest import EVERY_PANEL


@pytest.fixture
def in_voila(monkeypatch):
    monkeypatch.setenv(VOILA_KERNEL_VARIABLE, "/")


def decoded(value):
    """plotly's JSON with its typed-array specs ({"dtype", "bdata", "shape"}) as lists."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            array = array.reshape([int(n) for n in str(shape).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [decoded(item) for item in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def same(a, b) -> bool:
    """Equal as the browser would draw them: numbers to 1e-12 relative."""
    a, b = decoded(a), decoded(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return bool(np.isclose(a, b, rtol=1e-12, atol=0) or (np.isnan(a) and np.isnan(b)))
    return a == b


def test_only_a_kernel_voila_started_sends_a_first_paint(monkeypatch):
    monkeypatch.delenv(VOILA_KERNEL_VARIABLE, raising=False)
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=False)
    assert FIRST_PAINT_MIME not in panel._repr_mimebundle_()


@pytest.mark.parametrize("name", list(EVERY_PANEL))
def test_the_first_paint_shows_what_the_live_widgets_will(name, in_voila, cache):
    panel = EVERY_PANEL[name]()
    bundle = panel._repr_mimebundle_()
    paint = bundle[FIRST_PAINT_MIME]
    json.dumps(paint, allow_nan=False)  # it travels inside the page as JSON
    live_figures = [w for w in _widget_tree(panel.widget) if isinstance(w, go.FigureWidget)]
    assert len(paint["figures"]) == len(live_figures)
    assert paint["html"].count("data-deck-figure=") == len(live_figures)
    for painted, live in zip(paint["figures"], live_figures, strict=True):
        # the state the live figure's view starts from
        assert same(painted["data"], live._widget_data), name
        assert same(painted["layout"], live._widget_layout), name
    for control in _widget_tree(panel.widget):
        if getattr(control, "description", "") and not isinstance(control, go.FigureWidget):
            assert html.escape(control.description) in paint["html"], (name, control.description)
        if hasattr(control, "readout_format") and control.readout:
            shown = format(control.value, as_d3_format(control.readout_format))
            assert f">{shown}<" in paint["html"], (name, control.description, shown)


def test_a_slider_handle_sits_where_its_value_is(in_voila):
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=False)
    sliders = [w for w in _widget_tree(panel.widget) if "rotation" in getattr(w, "description", "")]
    sliders[0].value, sliders[1].value = sliders[0].min, sliders[1].max
    painted = panel._repr_mimebundle_()[FIRST_PAINT_MIME]["html"]
    handles = re.findall(r'deck-fp-handle" style="left: ([0-9.]+)%', painted)
    assert [float(h) for h in handles] == [0.0, 100.0, 50.0], handles


def test_the_3d_view_is_a_picture_of_the_molecule(in_voila):
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates)
    painted = panel._repr_mimebundle_()[FIRST_PAINT_MIME]["html"]
    picture = re.search(
        r'<div class="deck-fp-view" style="width: 380px; height: 360px">(.*?)</div>', painted
    )
    assert picture, painted
    assert picture.group(1).count("<circle") == 3  # O, H, H
    assert picture.group(1).count("<line") == 2  # two O–H bonds, no H–H
    assert 'fill="#ff0d0d"' in picture.group(1)  # oxygen in its Jmol red


@pytest.mark.parametrize(
    ("spec", "value", "d3_shows"),  # as d3-format 3 writes them (ipywidgets' readouts)
    [
        (".3g", 0.1, "0.100"),
        (".3g", 12.5, "12.5"),
        (".2f", 0.126, "0.13"),
        ("d", 5, "5"),
        (".3~g", 0.1, "0.1"),
    ],
)
def test_a_readout_reads_as_the_live_slider_writes_it(spec, value, d3_shows):
    assert format(value, as_d3_format(spec)) == d3_shows


def test_a_log_slider_handle_sits_where_its_exponent_is():
    slider = widgets.FloatLogSlider(value=0.01, min=-4, max=0, base=10, description="rate")
    painted = first_paint(widgets.VBox([slider]))["html"]
    assert 'deck-fp-handle" style="left: 50.00%"' in painted  # 10^-2 is halfway from 10^-4 to 1
    assert ">0.0100<" in painted  # ".3g", as d3-format writes it
