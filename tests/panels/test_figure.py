"""featurize.panels._figure: the panels' figures."""

import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import featurize.panels
from featurize.panels._figure import LEAN_PLOTLY_TRACES, FigureWidget, trace, two_plots

from . import comms_opened


def test_no_panel_adds_a_trace_outside_the_lean_plotly_build():
    """Also the panels that need data sets (the map, the learning curve): read their code."""
    named = set()
    for source in Path(featurize.panels.__file__).parent.glob("*.py"):
        text = source.read_text()
        # add_class is ipywidgets' (a CSS class on a widget), add_traces the figure's own
        # (_figure.FigureWidget), neither a trace type
        named |= set(re.findall(r"\badd_([a-z0-9]+)\(", text)) - {
            "annotation",
            "hline",
            "shape",
            "class",
            "traces",
        }
        named |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][a-z0-9]+)\(", text)}
    named -= {"figurewidget", "layout", "figure", "label"}
    assert named and named <= LEAN_PLOTLY_TRACES, named - LEAN_PLOTLY_TRACES


def test_a_trace_is_fetched_by_its_uid_and_a_wrong_uid_names_the_known_ones():
    figure = two_plots(("left", "right"))
    figure.add_scatter(x=[1, 2], y=[3, 4], name="the data", uid="data")
    figure.add_scatter(x=[], y=[], name="the fit", uid="fit", row=1, col=2)
    figure.add_bar(x=["a"], y=[1])  # no uid of its own: plotly's random one
    assert trace(figure, "fit") is figure.data[1]
    assert trace(figure, "data").name == "the data"  # the legend keeps its text
    with pytest.raises(LookupError, match=r"no trace 'fits'; its traces are 'data', 'fit', '"):
        trace(figure, "fits")


def test_a_uid_survives_the_widget_sync():
    """What the browser gets, and what it reports back, name the traces by their uids."""
    figure = FigureWidget(data=[go.Scatter(x=[0], y=[0], uid="first")])
    figure.add_traces([{"type": "bar", "uid": "second"}])
    figure.add_scatter(x=[1], y=[1], uid="third")
    figure._repr_mimebundle_()
    assert [each["uid"] for each in figure._widget_data] == ["first", "second", "third"]
    # the browser's report after a redraw finds each trace by its uid
    deltas = [{"uid": "third", "index": 2, "x": [1], "y": [1]}]
    figure.set_state(
        {
            "_js2py_traceDeltas": {
                "trace_deltas": deltas,
                "trace_edit_id": figure._last_trace_edit_id,
            }
        }
    )
    assert trace(figure, "third").uid == "third" and len(figure.data) == 3


@pytest.fixture
def slides():
    featurize.panels.for_slides()
    yield
    featurize.panels.for_slides(False)  # the module's setting: back for the other tests


def test_on_slides_a_panels_text_is_a_third_larger(slides):
    """The lecture's panels (after for_slides): plotly's 12 px → 16, a size a panel gives
    itself too (the clustering map's element symbols, 11 px on a demo page → 15)."""
    from featurize.panels import ClusteringPanel

    panel = ClusteringPanel()
    assert panel.figure.layout.font.size == 16
    assert trace(panel.figure, "points").textfont.size == 15
    featurize.panels.for_slides(False)
    on_a_demo_page = ClusteringPanel()
    assert on_a_demo_page.figure.layout.font.size == 12
    assert trace(on_a_demo_page.figure, "points").textfont.size == 11


def updates_sent(figure, monkeypatch) -> list:
    """The (restyle, relayout, trace indexes) of each Plotly.update the figure sends."""
    sent = []
    monkeypatch.setattr(
        figure,
        "_send_update_msg",
        lambda restyle_data, relayout_data, trace_indexes, **_: sent.append(
            (restyle_data, relayout_data, trace_indexes)
        ),
    )
    return sent


def test_a_batch_update_sends_each_trace_its_own_properties_only(monkeypatch):
    """plotly's one message for all traces filled the properties a trace was not given with
    `Undefined`, which a view drawn while it was on its way took for a value (the lecture's
    confusion matrix lost its rows' names): one message per trace, nothing filled."""
    from plotly.basedatatypes import Undefined

    figure = two_plots(("a", "b"))
    figure.add_bar(x=["p", "q"], y=[0, 0], uid="bars", row=1, col=1)
    figure.add_heatmap(z=[[0, 0]], x=["p", "q"], y=["r"], uid="map", row=1, col=2)
    sent = updates_sent(figure, monkeypatch)
    with figure.batch_update():
        trace(figure, "bars").y = [1, 2]
        trace(figure, "map").z = [[3, 4]]
        figure.layout.title.text = "both"
    assert sent == [
        ({"y": [[1, 2]]}, {"title.text": "both"}, [0]),
        ({"z": [[[3, 4]]]}, {}, [1]),
    ]
    assert not any(
        value is Undefined for style, _, _ in sent for v in style.values() for value in v
    )
    assert list(trace(figure, "map").y) == ["r"] and list(trace(figure, "bars").y) == [1, 2]
    assert figure.layout.title.text == "both"


def test_a_batch_update_giving_every_trace_the_same_properties_is_one_message(monkeypatch):
    figure = two_plots(("a", "b"))
    figure.add_scatter(x=[0], y=[0], uid="one", row=1, col=1)
    figure.add_scatter(x=[0], y=[0], uid="two", row=1, col=2)
    sent = updates_sent(figure, monkeypatch)
    with figure.batch_update():
        trace(figure, "one").y = [1]
        trace(figure, "two").y = [2]
    assert sent == [({"y": [[1], [2]]}, {}, [0, 1])]


def test_a_figure_opens_its_comm_with_the_whole_figure_once_it_is_shown(monkeypatch):
    """Voila's progressive rendering draws a widget's output as soon as its comm is open,
    and plotly's view never redraws for the figure sent after that (its `_widget_data`,
    `_widget_layout`): the lecture showed an empty plot now and then. The comm opens when
    a box holding the figure is made, carrying every trace and layout edit made before."""
    import ipywidgets as widgets

    opened = comms_opened(monkeypatch)
    figure = two_plots(("a", "b"))
    figure.add_bar(x=["p", "q"], y=[1, 2], uid="bars", row=1, col=2)
    figure.layout.title.text = "as built"
    assert not opened and figure.comm is None  # nothing sent while it is being built
    box = widgets.VBox([figure])
    state = opened[0]
    assert [each["uid"] for each in state["_widget_data"]] == ["bars"]
    assert list(state["_widget_data"][0]["y"]) == [1, 2]
    assert state["_widget_layout"]["title"]["text"] == "as built"
    assert state["_widget_layout"]["font"]["size"] == 12
    assert {"xaxis2", "annotations", "template"} <= set(state["_widget_layout"])
    assert box.get_state()["children"] == [f"IPY_MODEL_{figure.model_id}"]
    # edits after that travel as plotly's messages, as before
    sent = updates_sent(figure, monkeypatch)
    with figure.batch_update():
        trace(figure, "bars").y = [3, 4]
    assert sent == [({"y": [[3, 4]]}, {}, [0])]


def test_a_figure_shown_on_its_own_opens_its_comm_too(monkeypatch):
    opened = comms_opened(monkeypatch)
    figure = FigureWidget(data=[go.Scatter(x=[0, 1], y=[1, 0], uid="line")])
    bundle = figure._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == figure.model_id is not None
    assert [each["uid"] for each in opened[0]["_widget_data"]] == ["line"]


def figure_copies(figure) -> list[list[dict]]:
    """Each copy of the whole figure into the state its view starts from (`_widget_data`),
    as it is made: each one travels to the browser."""
    copies = []
    figure.observe(lambda change: copies.append(change["new"]), names="_widget_data")
    return copies


def test_a_figure_unedited_since_its_comm_opened_is_not_sent_again_when_shown(monkeypatch):
    """Its comm opened with the whole figure: plotly's copy at display sent it twice."""
    import ipywidgets as widgets

    opened = comms_opened(monkeypatch)
    # numpy arrays, as the panels' data: traitlets cannot tell two copies of them equal
    figure = FigureWidget(data=[go.Scatter(x=np.arange(2), y=np.ones(2), uid="line")])
    widgets.VBox([figure])
    copies = figure_copies(figure)
    bundle = figure._repr_mimebundle_()
    assert bundle == {
        "application/vnd.jupyter.widget-view+json": {
            "version_major": 2,
            "version_minor": 0,
            "model_id": figure.model_id,
        }
    }
    assert copies == []
    assert sum("_widget_data" in state for state in opened) == 1  # the figure's comm, once


def test_a_figure_edited_after_its_comm_opened_is_copied_when_shown_and_only_then():
    """The browser's model has the edit from plotly's message; the copy keeps the state a
    saved notebook holds (`make slides` draws from it) up to date."""
    import ipywidgets as widgets

    figure = FigureWidget(data=[go.Scatter(x=np.arange(2), y=np.ones(2), uid="line")])
    widgets.VBox([figure])
    copies = figure_copies(figure)
    trace(figure, "line").y = [5, 6]
    figure._repr_mimebundle_()
    assert [list(each[0]["y"]) for each in copies] == [[5, 6]]
    figure._repr_mimebundle_()  # nothing edited since
    assert len(copies) == 1


def test_every_panel_shown_sends_its_figures_once_unless_edited_after_its_box(monkeypatch):
    """The lecture's panels as a page shows them: each figure's comm opens with its
    figure, and at display only figures edited since are sent again."""
    from featurize.panels import ClusteringPanel, LikelihoodPanel

    for make in (LikelihoodPanel, ClusteringPanel):
        panel = make()
        figures = [f for f in vars(panel).values() if isinstance(f, go.FigureWidget)]
        copies = [figure_copies(f) for f in figures]
        edited = [f._edited_since_opened for f in figures]
        panel._repr_mimebundle_()
        assert figures and [bool(c) for c in copies] == edited, (make.__name__, edited)
