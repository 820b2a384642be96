"""Build the offline slide file: `python scripts/build_slides.py [--out DIR]`.

Runs notebooks/lecture.ipynb, then writes it as a reveal.js page (DIR/lecture.html,
default build/slides/) in which every panel is drawn from the widget state the run left:
its figures as plotly charts, its readouts as text, its controls as their values. Every
file the page loads sits next to it (vendor/, img/): it opens from file:// with no network,
e.g. from a USB stick on a lecture-hall PC. Without a kernel nothing can be recomputed, so
the controls are not offered; the live deck is `make present`.

Why not embed the widgets themselves: the static widget manager (@jupyter-widgets/
html-manager 1.0) fails on plotly's anywidget figures ("Cannot read properties of null
(reading 'trace_data')"), and each figure would carry plotly's 4.8 MB of code again.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import shutil
import sys
import time
from pathlib import Path

import ase.io
import fetch_assets  # beside this script
import nbformat
import numpy as np
import plotly
import plotly.io
from nbclient import NotebookClient
from nbconvert import SlidesExporter

ROOT = Path(__file__).resolve().parents[1]
LECTURE = ROOT / "notebooks" / "lecture.ipynb"
TEMPLATES = ROOT / "share" / "jupyter" / "nbconvert" / "templates"
CELL_TIMEOUT_S = 600
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# What the page needs from fetch_assets' folder (not the live widget manager).
VENDOR_KEPT = ["reveal.js", "requirejs", "jquery", "mathjax"]
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def execute(notebook: nbformat.NotebookNode) -> None:
    """Run the lecture in a fresh kernel, printing progress (it takes a minute or so)."""
    code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    done = 0
    start = time.monotonic()

    def report(cell, **_):
        nonlocal done
        if cell.cell_type == "code":
            done += 1
            print(f"\r  ran cell {done}/{code_cells} ({time.monotonic() - start:.0f} s)", end="")

    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(LECTURE.parent)}},
        store_widget_state=True,
        on_cell_executed=report,
    )
    client.execute()
    print()


def with_buffers(model: dict) -> dict:
    """A widget's state with its binary buffers put back where they came from."""
    state = model["state"]
    for buffer in model.get("buffers", []):
        *parents, last = buffer["path"]
        target = state
        try:
            for key in parents:
                target = target[key]
            target[last] = base64.b64decode(buffer["data"])
        except (KeyError, IndexError, TypeError):
            continue  # a one-off message (e.g. _py2js_addTraces) already cleared
    return state


def plain(value):
    """plotly's typed-array encoding ({dtype, shape, buffer}) back to nested lists."""
    if isinstance(value, dict):
        if {"dtype", "shape"} <= value.keys() and isinstance(value.get("buffer"), bytes):
            array = np.frombuffer(value["buffer"], dtype=value["dtype"])
            return array.reshape(value["shape"]).tolist()
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def static_panel(model_id: str, states: dict) -> str:
    """HTML for one widget and its children, as the run left them."""
    model = states[model_id]
    name, state = model["model_name"], with_buffers(model)
    layout = states.get(str(state.get("layout", "")).removeprefix("IPY_MODEL_"), {})
    if layout.get("state", {}).get("display") == "none":
        return ""  # hidden in the live panel too (a panel shows only its message on an error)

    def children() -> str:
        refs = state.get("children", [])
        return "".join(static_panel(ref.removeprefix("IPY_MODEL_"), states) for ref in refs)

    if name == "VBoxModel":
        return f'<div class="static-column">{children()}</div>'
    if name == "HBoxModel":
        return f'<div class="static-row">{children()}</div>'
    if name == "HTMLModel":
        return f"<div>{state['value']}</div>"
    if name == "AnyModel" and "_widget_data" in state:
        figure = {"data": plain(state["_widget_data"]), "layout": plain(state["_widget_layout"])}
        config = {"displayModeBar": False}
        return plotly.io.to_html(figure, include_plotlyjs=False, full_html=False, config=config)
    label = html.escape(state.get("description", ""))
    if "_options_labels" in state and state.get("index") is not None:
        value = state["_options_labels"][state["index"]]
    elif name in ("IntSliderModel", "FloatSliderModel", "TextModel"):
        value = state["value"]
    elif name == "NGLModel":
        return molecule_view(state)
    else:
        return ""  # buttons, links, timers: nothing to show without a kernel
    if not label:
        return f'<div class="static-control">{html.escape(str(value))}</div>'
    return f'<div class="static-control">{label}: <b>{html.escape(str(value))}</b></div>'


def molecule_view(state: dict) -> str:
    """The 3-D view as it first showed: the structure it loaded (the PDB text of its
    `loadFile` call), pictured as a demo page's first paint pictures it."""
    from featurize.panels._first_paint import molecule_svg
    from featurize.panels._view import facing_rotation

    note = '<div class="static-note">3-D view: turn it live with <code>make present</code></div>'
    loaded = [m for m in state.get("_ngl_msg_archive", []) if m.get("methodName") == "loadFile"]
    if not loaded:
        return note
    atoms = ase.io.read(io.StringIO(loaded[-1]["args"][0]["data"]), format="proteindatabank")
    positions = atoms.get_positions()
    picture = molecule_svg(atoms.get_chemical_symbols(), positions, facing_rotation(positions))
    return f'<div class="static-column"><div class="static-view">{picture}</div>{note}</div>'


def freeze_widgets(notebook: nbformat.NotebookNode) -> int:
    """Replace every widget output by its static drawing; returns how many were replaced."""
    states = notebook.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    frozen = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and view["model_id"] in states:
                output["data"] = {"text/html": static_panel(view["model_id"], states)}
                frozen += 1
    return frozen


def export(notebook: nbformat.NotebookNode) -> str:
    exporter = SlidesExporter(
        template_name="deck-slides",
        extra_template_basedirs=[str(TEMPLATES)],
        require_js_url="vendor/requirejs/require.js",
        jquery_url="vendor/jquery/dist/jquery.min.js",
        mathjax_url="vendor/mathjax/MathJax.js?config=TeX-AMS_SVG-full,Safe",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        reveal_url_prefix="vendor/reveal.js",
        reveal_theme="white",
        reveal_width="1280",
        reveal_height="800",
        reveal_scroll=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    return body


def copy_assets(out: Path) -> None:
    """vendor/ (reveal.js, require.js, jQuery, MathJax, plotly.js) and img/."""
    fetch_assets.main([])
    shutil.rmtree(out / "vendor", ignore_errors=True)
    for name in VENDOR_KEPT:
        shutil.copytree(fetch_assets.OUT["present"] / name, out / "vendor" / name)
    (out / "vendor" / "plotly").mkdir()
    shutil.copy(PLOTLY_JS, out / "vendor" / "plotly" / "plotly.min.js")
    shutil.rmtree(out / "img", ignore_errors=True)
    shutil.copytree(LECTURE.parent / "img", out / "img")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Running {LECTURE.relative_to(ROOT)}")
    notebook = nbformat.read(LECTURE, as_version=4)
    execute(notebook)
    print(f"Drawing {freeze_widgets(notebook)} panels from their widget state")
    copy_assets(args.out)
    page = args.out / "lecture.html"
    page.write_text(export(notebook), encoding="utf-8")
    print(f"Done: {page} ({page.stat().st_size / 1e6:.1f} MB); open it in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
