"""A panel's first paint: what its widgets will show, as plain HTML the page draws before the
kernel has connected (issue 18).

A Voila page arrives in a fraction of a second, but its widgets are drawn only once the
browser has loaded the widget code, opened the kernel's websocket and fetched every widget's
state: seconds of a spinner. What the widgets will show is known when the page is made (the
kernel has run the notebook), so each panel's display carries a copy of it under
FIRST_PAINT_MIME: HTML in the layout of the widgets (controls drawn disabled), each plotly
figure's data and layout, and the 3-D view as a picture of the molecule. The deck's page
template (share/jupyter/voila/templates/deck) draws it at once and swaps in the live panel
when that is drawn. No other front end knows the MIME type, so JupyterLab, the classic
notebook and nbconvert show the live widget as before; it is added only in kernels that Voila
started (first_paint_wanted).

A kernel Voila preheated for a demo page (_figure_pictures.preheated) also paints each slider's nearest
stops either side of its value ("frames": the panel as the kernel shows it with that slider
there and the others where they are), so that the page answers a turn of a slider before
the kernel has connected; the page hands the value chosen to the live slider when it comes.
A preheated kernel paints them before any visitor is waiting for it.
"""

from __future__ import annotations

import html
import json
import logging
import os

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import plotly.io

from ._figure_pictures import figure_pictures

FIRST_PAINT_MIME = "application/vnd.deck.first-paint+json"
# Voila sets this in every kernel it starts (voila.utils.ENV_VARIABLE); a first paint is of
# use only where Voila's page draws the outputs it renders.
VOILA_KERNEL_VARIABLE = "VOILA_BASE_URL"
# Each slider's frames: its stops this far either side of its value (a turn by key moves one
# stop; a drag further waits for the kernel)...
FRAMES_EACH_SIDE = 10
# ...painted nearest first until this much of the preheat's time is spent on a panel (the
# universal potential's slider evaluates a network at each stop; the others take < 10 ms).
FRAMES_BUDGET_S = 3.0
# ...or this many characters of JSON (before compression) are added to the page: the mixture's
# EM steps each redraw a density grid.
FRAMES_BUDGET_CHARS = 400_000
# The attribute a slider carries when its panel answers it later, in the background (the
# learning curve's training): a frame painted at once would show the state before the answer.
ANSWERED_LATER = "_deck_answered_later"
# ipywidgets 8's label width when a control's style sets none (--jp-widgets-inline-label-width)
DEFAULT_DESCRIPTION_WIDTH = "80px"
# The molecule's picture: every atom a disc of BALL_RADIUS_A (NGL's ball-and-stick: its
# radiusSize 0.15 Å times its aspectRatio 2, whatever the element), bonds where atoms are
# closer than BOND_FACTOR × the sum of their covalent radii (the rule ASE's neighbour list
# uses by default); the view is centred as NGL centres it (the middle of the bounding box)
# and spans the molecule's farthest atom from there and PICTURE_PADDING_A Å around it, as
# NGL's view of water measured on the coordinates page (its hydrogens 1.53 Å apart, 195 of
# 360 px).
BALL_RADIUS_A = 0.3
BOND_FACTOR = 1.2
PICTURE_PADDING_A = 0.6


def first_paint_wanted(environ=os.environ) -> bool:
    """Whether this kernel's displays are drawn by a Voila page (which uses the copy)."""
    return VOILA_KERNEL_VARIABLE in environ


def first_paint(root: widgets.Widget, with_frames: bool = False, history: object = None) -> dict:
    """The widget tree under `root` as {"html": …, "figures": [{data, layout, config}]}; the
    HTML marks the place of figure i with data-deck-figure="i", which holds the figure's
    picture where one was drawn (featurize.panels._figure_pictures) and is empty otherwise
    (the page draws the figure with plotly.js), and slider i with data-deck-slider="i".
    with_frames adds "sliders": the frames of each slider (slider_frames, which puts back the
    attributes of `history` its FRAME_HISTORY names between frames)."""
    figures: list[dict] = []
    sliders: list[widgets.Widget] = []
    body = _paint(root, figures, sliders)
    frames = slider_frames(root, sliders, history) if with_frames else []
    # a slider's first turn by a key shows its frame's pictures (plotly.js is still loading)
    pictured = [
        (frame, index, _changed_figure(figures[index], change))
        for each in frames
        if each is not None
        for stop in (each["start"] - 1, each["start"] + 1)
        if (frame := each["frames"].get(stop)) is not None
        for index, change in enumerate(frame["figures"])
        if change is not None
    ]
    for index, picture in enumerate(figure_pictures(figures)):
        place = _FIGURE_PLACE.format(index)
        if picture is not None:
            body = body.replace(place, f' deck-fp-picture">{picture}', 1)
        body = body.replace(place, '">', 1)
    # drawn for the kernels after this one, if not yet: this one's page is not kept waiting
    frame_pictures = figure_pictures([figure for _, _, figure in pictured], wait=False)
    for (frame, index, _), picture in zip(pictured, frame_pictures, strict=True):
        if picture is not None:
            frame.setdefault("pictures", {})[index] = picture
    paint = {"html": _panel_html(body), "figures": figures}
    if with_frames:
        paint["sliders"] = frames
    return paint


def _changed_figure(first: dict, change: dict) -> dict:
    """A first-paint figure with a frame's change to it (_figure_change) made."""
    data = change["data"]
    if isinstance(data, dict):
        data = [data.get(i, trace) for i, trace in enumerate(first["data"])]
    layout = change["layout"] if change["layout"] is not None else first["layout"]
    return {"data": data, "layout": layout, "config": first["config"]}


def _panel_html(body: str) -> str:
    return f'<div class="deck-fp-panel">{body}</div>'


def _plain_paint(root: widgets.Widget) -> tuple[str, list[dict]]:
    """The panel's HTML and figures as they are now, every figure's place left empty."""
    figures: list[dict] = []
    body = _paint(root, figures, [])
    for index in range(len(figures)):
        body = body.replace(_FIGURE_PLACE.format(index), '">', 1)
    return _panel_html(body), figures


def slider_frames(
    root: widgets.Widget, sliders: list[widgets.Widget], history: object = None
) -> list[dict | None]:
    """For slider i (data-deck-slider="i"), None if it has no frames, else {"model_id",
    "name" (the model's attribute a turn sets: value, or a selection slider's index),
    "values" (that attribute at each stop), "start" (the stop it is at), "frames": {stop:
    {"html", "figures"}}}: the panel painted with the slider at that stop, the others where
    they are, as the kernel shows it when the slider is turned there from where it is.
    A frame's figure i is None where it is the first paint's own, else {"data": the changed
    traces by index (a list: all of them), "layout": None where unchanged}. first_paint adds
    to the frames one stop either side "pictures": {figure index: SVG}, where drawn.

    Stops nearest to the value first, FRAMES_EACH_SIDE either side, until FRAMES_BUDGET_S or
    FRAMES_BUDGET_CHARS is spent. Before each, the attributes `history` names in its
    FRAME_HISTORY (what a turn changes beyond the controls: a colour range that only widens)
    are put back as they were; after, every slider. A slider whose panel does not then paint
    as before gets no frames."""
    from copy import deepcopy
    from time import monotonic

    deadline = monotonic() + FRAMES_BUDGET_S
    chars_left = FRAMES_BUDGET_CHARS
    remembered = {
        name: deepcopy(getattr(history, name))
        for name in getattr(history, "FRAME_HISTORY", ())
        if hasattr(history, name)  # a structure panel whose descriptor failed has no range
    }

    def forget_turns() -> None:
        for name, value in remembered.items():
            setattr(history, name, deepcopy(value))

    base_html, base_figures = _plain_paint(root)
    result: list[dict | None] = []
    for slider in sliders:
        values = _stop_values(slider)
        if values is None or slider.disabled or getattr(slider, ANSWERED_LATER, False):
            result.append(None)
            continue
        name = "index" if isinstance(slider, widgets.SelectionSlider) else "value"
        start_value = getattr(slider, name)
        start = int(np.argmin([abs(value - start_value) for value in values]))
        frames: dict[int, dict] = {}
        try:
            for distance in range(1, FRAMES_EACH_SIDE + 1):
                for stop in (start + distance, start - distance):
                    if not 0 <= stop < len(values) or monotonic() > deadline or chars_left <= 0:
                        continue
                    forget_turns()
                    setattr(slider, name, values[stop])
                    html_now, figures_now = _plain_paint(root)
                    frame = {
                        "html": html_now,
                        "figures": [
                            _figure_change(base, now)
                            for base, now in zip(base_figures, figures_now, strict=True)
                        ],
                    }
                    frames[stop] = frame
                    chars_left -= len(json.dumps(frame))
        except Exception:  # the panel's own fault, which its live slider will meet: not here
            logging.getLogger(__name__).exception(
                "No first-paint frames for the slider %r", getattr(slider, "description", "")
            )
            frames = {}
        finally:
            forget_turns()
            setattr(slider, name, start_value)
        if not frames or _plain_paint(root) != (base_html, base_figures):
            result.append(None)
            continue
        result.append(
            {
                "model_id": slider.model_id,
                "name": name,
                "values": values,
                "start": start,
                "frames": frames,
            }
        )
    return result


def _figure_change(base: dict, now: dict) -> dict | None:
    """What a frame's figure changes of the first paint's (slider_frames)."""
    if now == base:
        return None
    if len(now["data"]) == len(base["data"]):
        data = {
            i: trace
            for i, (old, trace) in enumerate(zip(base["data"], now["data"], strict=True))
            if trace != old
        }
    else:
        data = now["data"]
    return {"data": data, "layout": None if now["layout"] == base["layout"] else now["layout"]}


def _stop_values(slider: widgets.Widget) -> list | None:
    """The values (a selection slider: the indices) a slider's stops set, as its page's
    slider sends them; None if it has no stops to go through."""
    if isinstance(slider, widgets.SelectionSlider):
        return list(range(len(slider.options)))
    if not slider.step or slider.max <= slider.min:
        return None
    count = round((slider.max - slider.min) / slider.step) + 1
    exponents = [slider.min + k * slider.step for k in range(count)]
    if isinstance(slider, widgets.FloatLogSlider):
        return [float(f"{slider.base**e:.12g}") for e in exponents]
    if isinstance(slider, widgets.IntSlider):
        return [round(e) for e in exponents]
    return [float(f"{e:.12g}") for e in exponents]  # 3.61, not 3.6100000000000003


# Where figure i's class list ends and its content goes, until its picture is known.
_FIGURE_PLACE = "\x00figure-{}\x00"


def _paint(widget: widgets.Widget, figures: list[dict], sliders: list[widgets.Widget]) -> str:
    kind = type(widget).__name__
    if hasattr(widget, "_deck_picture"):  # the 3-D view (featurize.panels._view)
        return _view_picture(widget)
    if isinstance(widget, go.FigureWidget):
        figures.append(_figure(widget))
        size = _figure_size(widget)
        index = len(figures) - 1
        return f'<div data-deck-figure="{index}" style="{size}" class="deck-fp-figure{_FIGURE_PLACE.format(index)}</div>'
    if not isinstance(widget, widgets.DOMWidget):
        return ""
    style = _layout_css(widget.layout)
    if isinstance(widget, widgets.Box):
        # a Box lays its children out in a row, as an HBox does
        direction = "deck-fp-vbox" if isinstance(widget, widgets.VBox) else "deck-fp-hbox"
        inner = "".join(_paint(child, figures, sliders) for child in widget.children)
        return f'<div class="deck-fp-box {direction}" style="{style}">{inner}</div>'
    painter = _CONTROLS.get(kind)
    if painter is None:
        return f'<div class="deck-fp-unknown" style="{style}"></div>'
    marker = ""
    if painter is _slider:
        sliders.append(widget)
        marker = f' data-deck-slider="{len(sliders) - 1}"'
    return f'<div class="deck-fp-control deck-fp-w-{kind.lower()}"{marker} style="{style}">{_description(widget)}{painter(widget)}</div>'


def _layout_css(layout: widgets.Layout) -> str:
    declarations = []
    for name, value in layout.get_state().items():
        if name.startswith("_") or value is None or value == "":
            continue
        css = "gap" if name == "grid_gap" else name.replace("_", "-")
        declarations.append(f"{css}: {value}")
    return html.escape("; ".join(declarations), quote=True)


def _description(widget: widgets.Widget) -> str:
    text = getattr(widget, "description", "")
    if not text or isinstance(widget, widgets.Button):
        return ""
    width = getattr(getattr(widget, "style", None), "description_width", "") or ""
    width = width or DEFAULT_DESCRIPTION_WIDTH
    return f'<label class="deck-fp-label" style="width: {html.escape(width)}">{html.escape(text)}</label>'


def _slider(widget) -> str:
    if isinstance(widget, widgets.SelectionSlider):
        fraction = widget.index / max(len(widget.options) - 1, 1)
        readout = widget.label
    else:
        low, high, value = widget.min, widget.max, widget.value
        if isinstance(widget, widgets.FloatLogSlider):  # its min and max are exponents
            value = np.log(value) / np.log(widget.base)
        fraction = (value - low) / (high - low) if high > low else 0.0
        readout = format(widget.value, as_d3_format(widget.readout_format))
    left = f"{100 * min(max(fraction, 0.0), 1.0):.2f}%"
    readout_html = (
        f'<div class="deck-fp-readout">{html.escape(str(readout))}</div>' if widget.readout else ""
    )
    return (
        f'<div class="deck-fp-track"><div class="deck-fp-handle" style="left: {left}"></div></div>'
        f"{readout_html}"
    )


def as_d3_format(spec: str) -> str:
    """A readout format as Python writes what d3-format (ipywidgets' readouts) shows: d3's
    "g" keeps trailing zeros unless "~" is given (0.1 with ".3g" reads "0.100")."""
    if spec.endswith("g") and "~" not in spec and "#" not in spec:
        return spec.replace(".", "#.", 1) if "." in spec else "#" + spec
    return spec.replace("~", "")


def _dropdown(widget) -> str:
    label = html.escape(str(widget.label or ""))
    return f'<select class="deck-fp-select" disabled><option>{label}</option></select>'


def _choices(widget) -> str:
    chosen = widget.index
    items = "".join(
        f'<span class="deck-fp-choice{" deck-fp-chosen" if i == chosen else ""}">{html.escape(str(label))}</span>'
        for i, label in enumerate(widget._options_labels)
    )
    return f'<div class="deck-fp-choices">{items}</div>'


def _button(widget) -> str:
    return f'<button class="deck-fp-button deck-fp-{widget.button_style or "plain"}" disabled>{html.escape(widget.description)}</button>'


def _text(widget) -> str:
    return (
        f'<input class="deck-fp-input" disabled value="{html.escape(widget.value, quote=True)}"'
        f' placeholder="{html.escape(widget.placeholder, quote=True)}">'
    )


def _progress(widget) -> str:
    fraction = (
        (widget.value - widget.min) / (widget.max - widget.min) if widget.max > widget.min else 0
    )
    return f'<div class="deck-fp-progress"><div style="width: {100 * fraction:.1f}%"></div></div>'


def _html(widget) -> str:
    return f'<div class="deck-fp-html">{widget.value}</div>'  # the panel's own HTML, as the live widget shows it


def _label(widget) -> str:
    return f'<div class="deck-fp-html">{html.escape(widget.value)}</div>'


_CONTROLS = {
    "IntSlider": _slider,
    "FloatSlider": _slider,
    "FloatLogSlider": _slider,
    "SelectionSlider": _slider,
    "Dropdown": _dropdown,
    "ToggleButtons": _choices,
    "RadioButtons": _choices,
    "Button": _button,
    "Text": _text,
    "IntProgress": _progress,
    "FloatProgress": _progress,
    "HTML": _html,
    "HTMLMath": _html,
    "Label": _label,
}


def _figure(figure) -> dict:
    # The figure as it is now, as its view will show it (trace uids included): the panel's
    # display copies it into the state the view starts from (_figure.FigureWidget), and a
    # frame's is the state the kernel's edit messages lead the view to. In plotly's JSON:
    # numpy arrays as plotly.js's typed-array specs.
    state = {"data": figure._data, "layout": figure._layout_obj._props}
    spec = json.loads(plotly.io.json.to_json_plotly(state))
    return {"data": spec["data"], "layout": spec["layout"], "config": dict(figure._config or {})}


def _figure_size(figure) -> str:
    width, height = figure.layout.width, figure.layout.height
    parts = [f"width: {width}px" if width else "", f"height: {height or 450}px"]
    return "; ".join(part for part in parts if part)


def _view_picture(view) -> str:
    """The 3-D view's first paint: the molecule as the view first shows it."""
    symbols, positions, rotation = view._deck_picture
    state = view.layout.get_state()
    size = f"width: {state.get('width') or '380px'}; height: {state.get('height') or '360px'}"
    picture = molecule_svg(symbols, positions, rotation) if len(symbols) else ""
    return f'<div class="deck-fp-view" style="{size}">{picture}</div>'


def molecule_svg(symbols, positions, rotation) -> str:
    """An SVG picture of a molecule (positions in Å) turned by `rotation` (a 3 x 3 matrix;
    the 3-D view's is `_view.facing_rotation`): atoms as discs in their elements' colours
    (the Jmol colours NGL uses), bonds as lines, each atom labelled with its index. Styled by
    its own attributes: it draws alike in a demo page's first paint and in the offline slide
    file (scripts/build_slides.py)."""
    from ase.data import atomic_numbers, covalent_radii
    from ase.data.colors import jmol_colors

    positions = np.asarray(positions, dtype=float)
    turned = positions @ np.asarray(rotation).T
    turned -= (turned.min(axis=0) + turned.max(axis=0)) / 2
    xy, depth = turned[:, :2] * [1, -1], turned[:, 2]  # SVG's y points down
    radii = np.array([covalent_radii[atomic_numbers[s]] for s in symbols])
    reach = float(np.linalg.norm(xy, axis=1).max()) + PICTURE_PADDING_A
    bonds, atoms = [], []
    distances = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
    for i in range(len(symbols)):
        for j in range(i + 1, len(symbols)):
            if distances[i, j] < BOND_FACTOR * (radii[i] + radii[j]):
                (x1, y1), (x2, y2) = xy[i], xy[j]
                bonds.append(f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}"/>')
    for i in np.argsort(depth):  # far atoms first
        colour = "#{:02x}{:02x}{:02x}".format(
            *(int(255 * c) for c in jmol_colors[atomic_numbers[symbols[i]]])
        )
        x, y = xy[i]
        atoms.append(
            f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{BALL_RADIUS_A}" fill="{colour}"/>'
            f'<text x="{x:.2f}" y="{y:.2f}" stroke="none">{i}</text>'
        )
    return (
        f'<svg viewBox="{-reach:.2f} {-reach:.2f} {2 * reach:.2f} {2 * reach:.2f}"'
        ' preserveAspectRatio="xMidYMid meet" width="100%" height="100%">'
        f'<g stroke="#999" stroke-width="0.12">{"".join(bonds)}</g>'
        '<g stroke="#555" stroke-width="0.02" font-size="0.35" text-anchor="middle"'
        f' dominant-baseline="central">{"".join(atoms)}</g></svg>'
    )
