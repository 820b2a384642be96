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
from featurize.errors import FeaturizeError
from featurize.panels import (
    COULOMB_VARIANTS_WITH_PERIODIC,
    LearningCurvePanel,
    LikelihoodPanel,
    MaterialsMapPanel,
    NetworkPanel,
    StructurePanel,
)
from featurize.panels import _first_paint as first_paint_module
from featurize.panels import fitting as fitting_panels
from featurize.panels._base import Panel, _widget_tree
from featurize.panels._figure_pictures import PREHEAT_VARIABLE
from featurize.panels._first_paint import (
    FIRST_PAINT_MIME,
    PAINTED_PRESS,
    PRESS_SHOWN,
    VOILA_KERNEL_VARIABLE,
    _plain_paint,
    as_d3_format,
    first_paint,
)
from featurize.panels.fitting import PAINTED_EPOCHS
from featurize.panels.learning_curve import RUPP

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


# --- a preheated kernel's frames: each slider's nearest stops, painted in advance -----------


@pytest.fixture
def preheated(in_voila, monkeypatch):
    """A kernel Voila preheated; kaleido's pictures left out (test_figure_pictures.py)."""
    monkeypatch.setenv(PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(
        first_paint_module, "figure_pictures", lambda figures, wait=True: [None] * len(figures)
    )


def controls_of(panel) -> list:
    """The panel's sliders and choices in the first paint's order (data-deck-control="i")."""
    return [w for w in _widget_tree(panel.widget) if type(w).__name__ in _SLIDERS | _CHOICES]


_SLIDERS = {"IntSlider", "FloatSlider", "FloatLogSlider", "SelectionSlider"}
_CHOICES = {"Dropdown", "ToggleButtons", "RadioButtons"}


def shown_with(paint: dict, frame: dict) -> tuple[str, list[dict]]:
    """A frame as the page draws it: its HTML, and each figure the first paint's with the
    frame's changes (first-paint.js's figureAt)."""
    figures = []
    for first, change in zip(paint["figures"], frame["figures"], strict=True):
        if change is None:
            figures.append(first)
            continue
        data = change["data"]
        if isinstance(data, dict):
            data = [data.get(str(i), data.get(i, trace)) for i, trace in enumerate(first["data"])]
        layout = change["layout"] if change["layout"] is not None else first["layout"]
        figures.append({"data": data, "layout": layout, "config": first["config"]})
    return frame["html"], figures


def test_only_a_kernel_voila_preheated_paints_frames(in_voila, monkeypatch):
    monkeypatch.delenv(PREHEAT_VARIABLE, raising=False)
    assert "controls" not in LikelihoodPanel()._repr_mimebundle_()[FIRST_PAINT_MIME]
    monkeypatch.setenv(PREHEAT_VARIABLE, "True")
    assert "controls" in LikelihoodPanel()._repr_mimebundle_()[FIRST_PAINT_MIME]


@pytest.mark.parametrize("name", list(EVERY_PANEL))
def test_each_frame_is_what_the_kernel_shows_when_the_control_is_turned_there(
    name, preheated, cache
):
    panel = EVERY_PANEL[name]()
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    json.dumps(paint, allow_nan=False)
    assert len(paint["controls"]) == paint["html"].count("data-deck-control=")
    # the panel is left as it was painted
    assert same(_plain_paint(panel.widget), (paint_without_pictures(paint), paint["figures"]))
    controls = controls_of(panel)
    kinds = ["slider" if type(c).__name__ in _SLIDERS else "choice" for c in controls]
    if "slider" in kinds:
        assert paint["controls"][kinds.index("slider")], f"{name}'s first slider has no frames"
    for index, frames in enumerate(paint["controls"]):
        if frames is None:
            continue
        stops = sorted(frames["frames"], key=int)
        start = frames["start"]
        assert frames["model_id"] == controls[index].model_id
        assert frames["kind"] == kinds[index]
        assert start not in {int(s) for s in stops}
        # nearest first: the stops either side of the start are there
        near = {start - 1, start + 1} & set(range(len(frames["values"])))
        assert near <= {int(s) for s in stops}, (name, index, stops)
        for stop in {stops[0], stops[-1], *(s for s in stops if int(s) in near)}:
            fresh = EVERY_PANEL[name]()  # turned from its start, as a visitor's kernel is
            setattr(controls_of(fresh)[index], frames["name"], frames["values"][int(stop)])
            getattr(fresh, "settle", lambda: None)()  # its answer, where it comes from a thread
            assert same(
                without_models(shown_with(paint, frames["frames"][stop])),
                without_models(_plain_paint(fresh.widget)),
            ), (
                name,
                index,
                stop,
            )


WITH_3D_VIEWS = {  # as their demo pages show them
    "StructurePanel-coulomb-page": lambda: StructurePanel(
        fz.demo_structures(), descriptor=COULOMB_VARIANTS_WITH_PERIODIC
    ),
    "MaterialsMapPanel-with-view": MaterialsMapPanel,
}


@pytest.mark.parametrize("name", [*EVERY_PANEL, *WITH_3D_VIEWS])
def test_painting_the_frames_leaves_every_widget_the_page_will_show(name, preheated, cache):
    # a structure chosen and chosen back made a new 3-D view and closed the one displayed
    panel = {**EVERY_PANEL, **WITH_3D_VIEWS}[name]()
    shown = list(_widget_tree(panel.widget))
    panel._repr_mimebundle_()
    assert list(_widget_tree(panel.widget)) == shown
    assert all(w.comm is not None for w in shown), "a widget shown was closed"


def test_a_control_that_replaces_widgets_gets_no_frames(preheated):
    panel = StructurePanel(fz.demo_structures(), descriptor=fz.coordinates)
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    structure = controls_of(panel).index(panel.structure_choice)
    assert paint["controls"][structure] is None
    # without a 3-D view, another structure changes no widget: it is painted
    flat = StructurePanel(fz.demo_structures(), descriptor=fz.coordinates, show_3d=False)
    paint = flat._repr_mimebundle_()[FIRST_PAINT_MIME]
    assert paint["controls"][controls_of(flat).index(flat.structure_choice)] is not None


def without_models(shown: tuple[str, list[dict]]) -> tuple[str, list[dict]]:
    """A panel's HTML and figures without its buttons' models (another panel's are others)."""
    html_, figures = shown
    return re.sub(r' data-deck-model="\w+"', "", html_), figures


def paint_without_pictures(paint: dict) -> str:
    """The first paint's HTML with each figure's place empty, as a frame has it."""
    return re.sub(
        r'(<div data-deck-figure="\d+" style="[^"]*" class="deck-fp-figure) deck-fp-picture">.*?</svg>',
        r'\1">',
        paint["html"],
        flags=re.S,
    )


def test_a_slider_answered_in_the_background_is_painted_once_answered(preheated, cache):
    # the learning curve trains both recipes in a thread: each frame waits for it (settle)
    panel = LearningCurvePanel()
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    (sizes,) = paint["controls"]
    start = sizes["start"]
    assert {start - 1, start + 1} <= set(sizes["frames"])
    # painted, the panel shows its own training only: the frames' sizes are not "trained here"
    assert panel.live_mae(RUPP)[0].tolist() == [panel.n_train.value]
    # a size painted is answered at once, not in the background (each frame is what a panel
    # turned there shows: test_each_frame_is_what_the_kernel_shows_when_the_control_is_…)
    panel.n_train.index = start + 1
    assert not panel.training.busy
    shown = without_models(_plain_paint(panel.widget))
    assert same(shown, without_models(shown_with(paint, sizes["frames"][start + 1])))


class Remembering(Panel):
    """A panel whose readout depends on how it got there: the largest value seen so far."""

    def __init__(self, history: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.FRAME_HISTORY = history
        self.slider = widgets.IntSlider(value=5, min=0, max=10, description="n")
        self.readout = widgets.HTML()
        self.largest = 5
        self.slider.observe(self._on_change, names="value")
        self.widget = widgets.VBox([self.slider, self.readout, self.message])
        self._on_change()

    def _on_change(self, _change=None) -> None:
        self.largest = max(self.largest, self.slider.value)
        self.readout.value = f"at {self.slider.value}, largest so far {self.largest}"


def test_a_panel_that_remembers_its_turns_gets_frames_only_when_it_says_what_it_remembers(
    preheated,
):
    # frames painted one after another would each show the largest of all before it
    assert Remembering()._repr_mimebundle_()[FIRST_PAINT_MIME]["controls"] == [None]
    panel = Remembering(history=("largest",))
    frames = panel._repr_mimebundle_()[FIRST_PAINT_MIME]["controls"][0]
    assert "at 4, largest so far 5" in frames["frames"][4]["html"]
    assert "at 6, largest so far 6" in frames["frames"][6]["html"]
    assert "at 15" not in json.dumps(frames) and len(frames["frames"]) == 10  # 0–10 but 5
    assert panel.largest == 5 and panel.slider.value == 5


def frame_size(frame: dict) -> int:
    return len(json.dumps(frame))


def test_frames_stop_at_their_budget_nearest_first(preheated, monkeypatch):
    every = Remembering(history=("largest",))._repr_mimebundle_()[FIRST_PAINT_MIME]["controls"][0]
    six, four = (frame_size(every["frames"][stop]) for stop in (6, 4))
    monkeypatch.setattr(first_paint_module, "FRAMES_BUDGET_CHARS", six + four - 1)
    frames = Remembering(history=("largest",))._repr_mimebundle_()[FIRST_PAINT_MIME]["controls"][0]
    assert list(frames["frames"]) == [6]  # and the one that would overspend is left out


class Choosing(Panel):
    """A panel with a choice before its slider: the readout names both."""

    def __init__(self) -> None:
        super().__init__()
        self.shape = widgets.Dropdown(options=["circle", "square", "star"], description="shape")
        self.size = widgets.IntSlider(value=5, min=0, max=10, description="size")
        self.readout = widgets.HTML()
        for control in (self.shape, self.size):
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([self.shape, self.size, self.readout, self.message])
        self._on_change()

    def _on_change(self, _change=None) -> None:
        self.readout.value = f"a {self.shape.value} of size {self.size.value}"


def test_a_choices_frames_show_each_option_chosen(preheated):
    panel = Choosing()
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    choice, slider = paint["controls"]
    assert (choice["kind"], choice["name"], choice["values"], choice["start"]) == (
        "choice",
        "index",
        [0, 1, 2],
        0,
    )
    assert choice["model_id"] == panel.shape.model_id and slider["kind"] == "slider"
    assert (
        "a circle of size 5" in paint["html"]
        and "<option selected>circle</option>" in paint["html"]
    )
    for stop, shape in ((1, "square"), (2, "star")):
        frame = choice["frames"][stop]["html"]
        assert f"a {shape} of size 5" in frame and f"<option selected>{shape}</option>" in frame
    assert panel.shape.value == "circle"


def test_the_sliders_frames_come_before_the_choices_within_the_budget(preheated, monkeypatch):
    _, every = Choosing()._repr_mimebundle_()[FIRST_PAINT_MIME]["controls"]
    monkeypatch.setattr(first_paint_module, "FRAMES_BUDGET_CHARS", frame_size(every["frames"][6]))
    choice, slider = Choosing()._repr_mimebundle_()[FIRST_PAINT_MIME]["controls"]
    assert choice is None and list(slider["frames"]) == [6]


@pytest.mark.parametrize(
    ("slider", "a_stop"),
    [
        (
            widgets.FloatSlider(value=3.6, min=3.5, max=3.7, step=0.01),
            3.61,
        ),  # not 3.6100000000000003
        (widgets.FloatLogSlider(value=0.01, min=-3, max=-1, step=1), 0.1),
        (widgets.IntSlider(value=2, min=0, max=4, step=2), 4),
        (widgets.SelectionSlider(options=["a", "b", "c"], value="b"), 2),
    ],
)
def test_a_stop_is_the_value_the_pages_slider_sends(slider, a_stop):
    stops = first_paint_module._stop_values(slider)
    assert a_stop in stops
    if isinstance(slider, widgets.FloatSlider):
        assert stops[11] == 3.61


def test_a_sliders_first_turn_either_way_comes_with_pictures_of_the_figures_it_changes(
    preheated, monkeypatch
):
    asked = []

    def pictures(figures, wait=True):  # a picture naming the figure's second trace's y values
        asked.append((len(figures), wait))
        return [f"<svg>{decoded(figure['data'][1]['y'])[:3]}</svg>" for figure in figures]

    monkeypatch.setattr(first_paint_module, "figure_pictures", pictures)
    panel = LikelihoodPanel()
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    mean = paint["controls"][0]
    start = mean["start"]
    for stop, frame in mean["frames"].items():
        if abs(int(stop) - start) == 1:
            _, figures = shown_with(paint, frame)
            (index,) = [i for i, change in enumerate(frame["figures"]) if change is not None]
            expected = f"<svg>{decoded(figures[index]['data'][1]['y'])[:3]}</svg>"
            assert frame["pictures"] == {index: expected}
        else:
            assert "pictures" not in frame
    # the first paint's figures, waited for; then, each side of each slider, the one figure a
    # turn changes, not waited for (drawn for the kernels after this one)
    frames = sum(s is not None for s in paint["controls"])
    assert asked == [(len(paint["figures"]), True), (2 * frames, False)]


def test_a_panel_showing_why_it_cannot_draw_still_paints_its_first_paint(preheated):
    # the universal potential's page without its optional extra: the descriptor refuses
    def refuses(atoms):
        raise FeaturizeError("Install the extra first: make foundation.")

    panel = StructurePanel(fz.molecule("H2O"), descriptor=refuses, show_3d=False)
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    assert "Install the extra first" in paint["html"]
    assert len(paint["controls"]) == 4  # the rotations and the atoms' order


class FailsAtSeven(Remembering):
    def _on_change(self, _change=None) -> None:
        if self.slider.value == 7:
            raise RuntimeError("a bug of the panel's")
        super()._on_change()


def test_a_slider_whose_panel_fails_on_a_turn_gets_no_frames_and_is_put_back(preheated, caplog):
    panel = FailsAtSeven(history=("largest",))
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    assert paint["controls"] == [None]
    assert panel.slider.value == 5 and "at 5, largest so far 5" in paint["html"]
    assert "No first-paint frames for the control 'n'" in caplog.text


def test_a_button_carries_its_model_for_a_press_queued_before_the_kernel_connects(in_voila):
    # first-paint.js sends a press made on the copy to this model once the live panel comes
    panel = LikelihoodPanel()
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    (button,) = re.findall(r"<button [^>]*>[^<]*</button>", paint["html"])
    assert f'data-deck-model="{panel.jump_button.model_id}"' in button
    assert html.escape(panel.jump_button.description) in button


# --- a press painted: the network's training, frame by frame -----------------------------


def test_a_painted_press_shows_the_run_epoch_by_epoch_and_ends_where_training_does(preheated):
    panel = NetworkPanel()
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    (press,) = paint["presses"]
    assert press["model_id"] == panel.train_button.model_id
    epochs = [int(re.search(r"epoch (\d+)", frame["html"])[1]) for frame in press["frames"]]
    assert epochs == list(PAINTED_EPOCHS)
    # the panel is left as it was painted: Train not yet pressed
    assert same(_plain_paint(panel.widget), (paint_without_pictures(paint), paint["figures"]))
    assert "press Train" in json.dumps(paint["figures"][0]["layout"]["annotations"])
    panel.train()  # as a visitor's press trains it
    assert same(_plain_paint(panel.widget), shown_with(paint, press["frames"][-1]))
    losses = [shown_with(paint, frame)[1][0]["data"] for frame in press["frames"]]
    lengths = [len(next(t["x"] for t in data if t.get("uid") == "train-loss")) for data in losses]
    assert lengths == epochs


def press_shown(button) -> None:
    """What first-paint.js sends the live button when the copy showed its painted press."""
    button._handle_custom_msg({"event": PRESS_SHOWN}, [])


def test_the_live_panel_told_of_a_painted_press_shows_its_end_without_training(
    preheated, monkeypatch
):
    panel = NetworkPanel()
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    last = shown_with(paint, paint["presses"][0]["frames"][-1])

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(fitting_panels, "train_network", no_training)
    press_shown(panel.train_button)
    assert same(_plain_paint(panel.widget), last)


def test_a_painted_run_that_diverges_ends_with_its_message(preheated):
    panel = NetworkPanel()
    panel.learning_rate.value = 1.0  # the loss runs off to infinity
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    last = paint["presses"][0]["frames"][-1]
    assert "too large" in last["html"] and "too large" not in paint["html"]
    press_shown(panel.train_button)
    assert same(_plain_paint(panel.widget), shown_with(paint, last))


def test_told_of_a_press_painted_at_another_learning_rate_the_panel_trains(preheated):
    panel = NetworkPanel(epochs=40)
    paint = panel._repr_mimebundle_()[FIRST_PAINT_MIME]
    painted_end = shown_with(paint, paint["presses"][0]["frames"][-1])
    panel.learning_rate.value = 0.01
    press_shown(panel.train_button)
    assert "epoch 40" in panel.progress.description
    assert not same(_plain_paint(panel.widget), painted_end)  # its own run, not the painted one


class Pressing(Panel):
    """A counter a button steps through 1, 2, 3, painting each step; put back to 0 or not."""

    def __init__(self, puts_back: bool = True) -> None:
        super().__init__()
        self.button = widgets.Button(description="Count")
        self.readout = widgets.HTML("at 0")
        self.puts_back = puts_back
        setattr(self.button, PAINTED_PRESS, self._paint_count)
        self.widget = widgets.VBox([self.button, self.readout, self.message])

    def _paint_count(self, paint_now) -> None:
        for count in (1, 2, 3):
            self.readout.value = f"at {count}"
            paint_now()
        if self.puts_back:
            self.readout.value = "at 0"


def test_a_press_gets_frames_only_when_it_puts_the_panel_back_and_they_fit(preheated, monkeypatch):
    (press,) = Pressing()._repr_mimebundle_()[FIRST_PAINT_MIME]["presses"]
    assert ["at 1" in f["html"] and "at 3" not in f["html"] for f in press["frames"]] == [
        True,
        False,
        False,
    ]
    assert "at 3" in press["frames"][2]["html"]
    assert Pressing(puts_back=False)._repr_mimebundle_()[FIRST_PAINT_MIME]["presses"] == []
    # the press's frames one character over what is left of the budget (no control's frames: [])
    budget = len(json.dumps(press["frames"])) + len("[]") - 1
    monkeypatch.setattr(first_paint_module, "FRAMES_BUDGET_CHARS", budget)
    assert Pressing()._repr_mimebundle_()[FIRST_PAINT_MIME]["presses"] == []


def test_a_painted_press_starts_with_pictures_of_the_figures_it_changes(preheated, monkeypatch):
    # plotly.js may still be loading when Train is pressed: its first frame is drawn at once
    monkeypatch.setattr(
        first_paint_module,
        "figure_pictures",
        lambda figures, wait=True: [f"<svg>{len(f['data'])} traces</svg>" for f in figures],
    )
    paint = NetworkPanel()._repr_mimebundle_()[FIRST_PAINT_MIME]
    first, *later = paint["presses"][0]["frames"]
    changed = [i for i, change in enumerate(first["figures"]) if change is not None]
    assert changed and first["pictures"] == {i: "<svg>5 traces</svg>" for i in changed}
    assert all("pictures" not in frame for frame in later)
