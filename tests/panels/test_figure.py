"""featurize.panels._figure: the panels' figures."""

import re
from pathlib import Path

import featurize.panels
from featurize.panels._figure import LEAN_PLOTLY_TRACES


def test_no_panel_adds_a_trace_outside_the_lean_plotly_build():
    """Also the panels that need data sets (the map, the learning curve): read their code."""
    named = set()
    for source in Path(featurize.panels.__file__).parent.glob("*.py"):
        text = source.read_text()
        # add_class is ipywidgets' (a CSS class on a widget), not a trace
        named |= set(re.findall(r"\badd_([a-z0-9]+)\(", text)) - {
            "annotation",
            "hline",
            "shape",
            "class",
        }
        named |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][a-z0-9]+)\(", text)}
    named -= {"figurewidget", "layout", "figure", "label"}
    assert named and named <= LEAN_PLOTLY_TRACES, named - LEAN_PLOTLY_TRACES
