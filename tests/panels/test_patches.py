"""featurize.panels._patches: each change to a third-party package, checked on its own."""

import math
import subprocess
import sys

import pytest

from featurize.panels import LikelihoodPanel, _patches
from featurize.panels._base import _widget_tree


def message(widget, data, buffers=()):
    """Deliver a comm message to a widget as ipykernel does."""
    widget._handle_msg({"content": {"data": data}, "buffers": list(buffers)})


@pytest.fixture
def likelihood():
    panel = LikelihoodPanel()
    panel._repr_mimebundle_()  # displayed: from now on the browser can talk to it
    return panel


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "NaN", "nan", "-inf"])
def test_a_float_slider_refuses_what_is_not_a_finite_number(likelihood, value):
    """A float slider's bounds compare false with NaN, so ipywidgets let μ = NaN through
    (the red-team report, 3.4); every float control of a panel now refuses it."""
    floats = [w for w in _widget_tree(likelihood.widget) if type(w).__name__.startswith("Float")]
    assert floats
    for control in floats:
        kept = control.value
        likelihood.clear_message()
        message(control, {"method": "update", "state": {"value": value}})
        assert control.value == kept, control.description
        assert "cannot take" in likelihood.message.value


@pytest.mark.parametrize(
    "data",
    [
        None,
        "x",
        {},
        {"method": 3},
        {"method": "update", "state": None},
        {"method": "update", "state": "x"},
        {"method": "update", "state": {"value": 1}, "buffer_paths": [["no", "such"]]},
        {"method": "custom", "content": None},
        {"method": "custom", "content": {"event": "click", "junk": [1] * 10}},
        {"method": "frobnicate"},
    ],
)
def test_a_malformed_message_is_dropped_without_a_traceback(likelihood, data, capsys):
    """ipywidgets answer these with a traceback sent to the browser (2.3–2.5 of the report)."""
    for widget in _widget_tree(likelihood.widget):
        message(widget, data)
    output = capsys.readouterr()
    assert "Traceback" not in output.out + output.err


def run_python(code: str, **environment) -> str:
    import os

    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        check=True,
    )
    return result.stdout + result.stderr


def test_a_page_kernel_shows_no_traceback_and_a_notebook_kernel_does():
    """A cell that fails, and a widget's custom-message handler that fails (nglview's, on a
    message it cannot read: 2.5 of the report), in a kernel as IPython runs it."""
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "import featurize.panels, ipywidgets\n"
        "shell.run_cell('open(\"/no/such/answers.txt\")')\n"
        "button = ipywidgets.Button()\n"
        "button.on_msg(lambda widget, content, buffers: {}['/no/such/key'])\n"
        "button._handle_msg({'content': {'data': {'method': 'custom', 'content': {}}}, 'buffers': []})\n"
    )
    kept = run_python(code)  # JupyterLab, nbclient: tracebacks kept
    assert "FileNotFoundError" in kept and "KeyError" in kept
    shown = run_python(code, VOILA_BASE_URL="/")  # a kernel Voila started for a page
    assert "Traceback" not in shown and "/no/such" not in shown


def test_plotly_imports_without_building_the_iri_grammar():
    loaded = run_python(
        "import sys, featurize.panels, plotly.io, jsonschema\n"
        "print(sorted({'lark', 'rfc3987_syntax'} & {m for m, v in sys.modules.items() if v}))"
    )
    assert loaded.strip().splitlines()[-1] == "[]"


def test_a_reshaped_widget_api_is_refused_loudly():
    def set_state(self, state):  # renamed parameter: a release that changed its API
        pass

    with pytest.raises(_patches.PatchOutOfDate, match="sync_data"):
        _patches.expect_parameters(set_state, ("sync_data",), "untrusted browser messages")
