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

A kernel Voila preheated for a demo page (_figure_pictures.preheated) also paints, for each
control with stops (a slider's values, a choice's options: a dropdown, toggle or radio
buttons), the stops nearest its value ("frames": the panel as the kernel shows it with that
control there and the others where they are), so that the page answers a turn of a slider
or a choice made before the kernel has connected; the page hands the stop chosen to the live
control when it comes. A preheated kernel paints them before any visitor is waiting for it,
and, for a button whose panel says how (PAINTED_PRESS: the network's Train), the frames of
its press, which the page plays when it is pressed before the kernel has connected.
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
# Each control's frames: its stops this far either side of its value (a turn by key moves one
# stop; a drag further waits for the kernel)...
FRAMES_EACH_SIDE = 10
# ...painted nearest first, the sliders' before the choices', until this much of the
# preheat's time would be spent on a panel (the universal potential's slider evaluates a
# network at each stop, the learning curve's trains two models: 0.1–0.6 s up to 400
# molecules, 1.9 s at 800; the others take < 10 ms; a choice may load a data set)...
FRAMES_BUDGET_S = 3.0
# ...or until the next frame would add more than this many characters of JSON (before
# compression) to the page: the mixture's EM steps each redraw a density grid, a materials
# map's choices each a scatter of hundreds of points.
FRAMES_BUDGET_CHARS = 400_000
# The attribute a control carries when a turn of it replaces widgets of the panel (another
# structure: a new 3-D view): painting its frames would close widgets the page is about to
# show ("widget model not found" in the browser, the live panel 12 s late).
REPLACES_WIDGETS = "_deck_replaces_widgets"
# The attribute a button carries when its panel can paint what a press shows, as frames
# (the network's training, epoch by epoch): a function that presses it, calling the function
# it is given at each moment to paint, and then leaves the panel as it was. The page plays
# the frames when the button is pressed before the kernel has connected, and then sends the
# live button PRESS_SHOWN, on which the panel shows the press's end without running it again.
PAINTED_PRESS = "_deck_painted_press"
PRESS_SHOWN = "deck-press-shown"
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


def first_paint(root: widgets.Widget, with_frames: bool = False, panel: object = None) -> dict:
    """The widget tree under `root` as {"html": …, "figures": [{data, layout, config}]}; the
    HTML marks the place of figure i with data-deck-figure="i", which holds the figure's
    picture where one was drawn (featurize.panels._figure_pictures) and is empty otherwise
    (the page draws the figure with plotly.js), and control i with stops (a slider or a
    choice) with data-deck-control="i". with_frames adds "controls": the frames of each
    (control_frames, which puts back the attributes of `panel` its FRAME_HISTORY names
    between frames, and waits for the panel's answers in the background: its settle()) and "presses": the frames of each button PAINTED_PRESS (press_frames)."""
    figures: list[dict] = []
    controls: list[widgets.Widget] = []
    body = _paint(root, figures, controls)
    frames = control_frames(root, controls, panel) if with_frames else []
    presses = (
        press_frames(root, FRAMES_BUDGET_CHARS - len(json.dumps(frames))) if with_frames else []
    )
    # a control's first turn by a key, and a press's first frame, show the frame's pictures
    # (plotly.js is still loading)
    first_shown = [
        frame
        for each in frames
        if each is not None
        for stop in (each["start"] - 1, each["start"] + 1)
        if (frame := each["frames"].get(stop)) is not None
    ] + [press["frames"][0] for press in presses]
    pictured = [
        (frame, index, _changed_figure(figures[index], change))
        for frame in first_shown
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
        paint["controls"] = frames
        paint["presses"] = presses
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


def control_frames(
    root: widgets.Widget, controls: list[widgets.Widget], panel: object = None
) -> list[dict | None]:
    """For control i (data-deck-control="i"), None if it has no frames, else {"model_id",
    "kind" ("slider" or "choice"), "name" (the model's attribute a turn sets: a slider's
    value, or the index of a selection slider or a choice), "values" (that attribute at each
    stop), "start" (the stop it is at), "frames": {stop: {"html", "figures"}}}: the panel
    painted with the control at that stop, the others where they are, as the kernel shows it
    when the control is turned there from where it is.
    A frame's figure i is None where it is the first paint's own, else {"data": the changed
    traces by index (a list: all of them), "layout": None where unchanged}. first_paint adds
    to the frames one stop either side "pictures": {figure index: SVG}, where drawn.

    Stops nearest to the value first, FRAMES_EACH_SIDE either side, the sliders first, until
    FRAMES_BUDGET_S or FRAMES_BUDGET_CHARS would be spent (beyond the nearest stops, judged by
    the control's longest and largest frame so far). Each turn is answered before it is painted (`panel.settle()`, where the panel has
    one: it answers in the background). Before each, the control is put back at
    its start and the attributes `panel` names in its FRAME_HISTORY (what a turn changes
    beyond the controls: a colour range that only widens) as they were; after, every
    control. A control whose panel does not then paint as before gets no frames."""
    from copy import deepcopy
    from time import monotonic

    deadline = monotonic() + FRAMES_BUDGET_S
    chars_left = FRAMES_BUDGET_CHARS
    # a panel that answers a turn in the background (the learning curve's training) waits here
    settle = getattr(panel, "settle", None) or (lambda: None)
    remembered = {
        name: deepcopy(getattr(panel, name))
        for name in getattr(panel, "FRAME_HISTORY", ())
        if hasattr(panel, name)  # a structure panel whose descriptor failed has no range
    }

    def forget_turns() -> None:
        for name, value in remembered.items():
            setattr(panel, name, deepcopy(value))

    base_html, base_figures = _plain_paint(root)
    # by identity: asking a figure for its model id would open its comm (_late_comm)
    base_widgets = list(_widget_tree(root))
    result: list[dict | None] = [None] * len(controls)
    sliders_first = sorted(range(len(controls)), key=lambda i: _is_choice(controls[i]))
    for i in sliders_first:
        control = controls[i]
        values = _stop_values(control)
        if values is None or control.disabled or getattr(control, REPLACES_WIDGETS, False):
            continue
        by_index = isinstance(control, widgets.SelectionSlider) or _is_choice(control)
        name = "index" if by_index else "value"
        start_value = getattr(control, name)
        start = int(np.argmin([abs(value - start_value) for value in values]))
        frames: dict[int, dict] = {}
        # the control's longest and largest frame so far: the next is left out if one like
        # them would pass the budget
        longest, largest = 0.0, 1
        try:
            for distance in range(1, FRAMES_EACH_SIDE + 1):
                for stop in (start + distance, start - distance):
                    # the nearest stops while there is time; the others, if one like the
                    # longest and largest so far still fits
                    ahead = (longest, largest) if distance > 1 else (0.0, 1)
                    if (
                        not 0 <= stop < len(values)
                        or monotonic() + ahead[0] > deadline
                        or chars_left < ahead[1]
                    ):
                        continue
                    started = monotonic()
                    # from where it starts, as a visitor's kernel turns it: a choice's
                    # options may leave other controls changed (the fingerprint's SMILES)
                    forget_turns()
                    setattr(control, name, start_value)
                    settle()
                    forget_turns()
                    setattr(control, name, values[stop])
                    settle()
                    frame = _frame(root, base_figures)
                    longest = max(longest, monotonic() - started)
                    if list(_widget_tree(root)) != base_widgets:  # see REPLACES_WIDGETS
                        raise RuntimeError("a turn replaced widgets of the panel")
                    size = len(json.dumps(frame))
                    if size > chars_left:  # spent: no frame after this one either
                        chars_left = 0
                        continue
                    frames[stop] = frame
                    chars_left -= size
                    largest = max(largest, size)
        except Exception:  # the panel's own fault, which its live control will meet: not here
            logging.getLogger(__name__).exception(
                "No first-paint frames for the control %r", getattr(control, "description", "")
            )
            frames = {}
        finally:
            forget_turns()
            setattr(control, name, start_value)
            settle()
        if not frames or _plain_paint(root) != (base_html, base_figures):
            continue
        result[i] = {
            "model_id": control.model_id,
            "kind": "choice" if _is_choice(control) else "slider",
            "name": name,
            "values": values,
            "start": start,
            "frames": frames,
        }
    return result


def press_frames(root: widgets.Widget, chars_left: int = FRAMES_BUDGET_CHARS) -> list[dict]:
    """[{"model_id", "frames": [{"html", "figures"}, …]}] for each button under `root` that
    carries PAINTED_PRESS: the panel painted at each moment its press paints, in order, as
    control_frames paints a frame (a figure: None, or the change to the first paint's).
    first_paint adds to the first frame "pictures", as to a control's frames one stop away.
    Left out: a press whose frames would take more than `chars_left` characters of JSON, or
    after which the panel does not paint as before."""
    base_widgets = list(_widget_tree(root))
    pressed = [
        (button, press)
        for button in base_widgets
        if (press := getattr(button, PAINTED_PRESS, None)) is not None and not button.disabled
    ]
    if not pressed:  # most panels: not painted once more for nothing
        return []
    base_html, base_figures = _plain_paint(root)
    result = []
    for button, press in pressed:
        frames: list[dict] = []
        try:
            press(lambda frames=frames: frames.append(_frame(root, base_figures)))
        except Exception:  # the panel's own fault, which its live button will meet: not here
            logging.getLogger(__name__).exception(
                "No first-paint frames for the button %r", button.description
            )
            continue
        size = len(json.dumps(frames))
        if (
            not frames
            or size > chars_left
            or list(_widget_tree(root)) != base_widgets
            or _plain_paint(root) != (base_html, base_figures)
        ):
            continue
        chars_left -= size
        result.append({"model_id": button.model_id, "frames": frames})
    return result


_CHOICES = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)


def _frame(root: widgets.Widget, base_figures: list[dict]) -> dict:
    """The panel painted now, each figure as its change to the first paint's (None: none)."""
    html_now, figures_now = _plain_paint(root)
    return {
        "html": html_now,
        "figures": [
            _figure_change(base, now) for base, now in zip(base_figures, figures_now, strict=True)
        ],
    }


def _widget_tree(root: widgets.Widget):
    """The root widget and every widget nested in its children."""
    yield root
    for child in getattr(root, "children", ()):
        yield from _widget_tree(child)


def _is_choice(control: widgets.Widget) -> bool:
    return isinstance(control, _CHOICES)


def _figure_change(base: dict, now: dict) -> dict | None:
    """What a frame's figure changes of the first paint's (control_frames)."""
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


def _stop_values(control: widgets.Widget) -> list | None:
    """The values (a selection slider or a choice: the indices) a control's stops set, as
    its page's control sends them; None if it has no stops to go through."""
    if isinstance(control, (widgets.SelectionSlider, *_CHOICES)):
        return list(range(len(control.options))) if len(control.options) > 1 else None
    if not control.step or control.max <= control.min:
        return None
    count = round((control.max - control.min) / control.step) + 1
    exponents = [control.min + k * control.step for k in range(count)]
    if isinstance(control, widgets.FloatLogSlider):
        return [float(f"{control.base**e:.12g}") for e in exponents]
    if isinstance(control, widgets.IntSlider):
        return [round(e) for e in exponents]
    return [float(f"{e:.12g}") for e in exponents]  # 3.61, not 3.6100000000000003


# Where figure i's class list ends and its content goes, until its picture is known.
_FIGURE_PLACE = "\x00figure-{}\x00"


def _paint(widget: widgets.Widget, figures: list[dict], controls: list[widgets.Widget]) -> str:
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
        inner = "".join(_paint(child, figures, controls) for child in widget.children)
        return f'<div class="deck-fp-box {direction}" style="{style}">{inner}</div>'
    painter = _CONTROLS.get(kind)
    if painter is None:
        return f'<div class="deck-fp-unknown" style="{style}"></div>'
    marker = ""
    if painter in (_slider, _dropdown, _choices):
        controls.append(widget)
        marker = f' data-deck-control="{len(controls) - 1}"'
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
    options = "".join(
        f"<option{' selected' if i == widget.index else ''}>{html.escape(str(label))}</option>"
        for i, label in enumerate(widget._options_labels)
    )
    return f'<select class="deck-fp-select" disabled>{options}</select>'


def _choices(widget) -> str:
    chosen = widget.index
    items = "".join(
        f'<span class="deck-fp-choice{" deck-fp-chosen" if i == chosen else ""}">{html.escape(str(label))}</span>'
        for i, label in enumerate(widget._options_labels)
    )
    return f'<div class="deck-fp-choices">{items}</div>'


def _button(widget) -> str:
    # its model: a press before the kernel has connected is sent to the live button then
    return (
        f'<button class="deck-fp-button deck-fp-{widget.button_style or "plain"}" disabled'
        f' data-deck-model="{widget.model_id}">{html.escape(widget.description)}</button>'
    )


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
