"""Every change this package makes to a third-party package in the kernel, in one place.

Each patch is one function: what it fixes, the upstream issue, the versions it was written
for, and when to delete it. `install()` applies them all, once, when this module is
imported: featurize.panels imports it first, before anything imports plotly or nglview
or makes a widget. A patch whose target has changed shape raises PatchOutOfDate instead
of quietly doing nothing.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import os
import sys
import types
from collections.abc import Callable
from pathlib import Path


class PatchOutOfDate(RuntimeError):
    """A patched third-party object no longer looks as the patch expects."""


def expect_parameters(function: Callable, parameters: tuple[str, ...], patch: str) -> None:
    found = tuple(p for p in inspect.signature(function).parameters if p != "self")
    if found[: len(parameters)] != parameters:
        raise PatchOutOfDate(f"{patch}: {function.__qualname__}{found} is not {parameters}")


# -- plotly's import ----------------------------------------------------------------------
def skip_the_iri_grammar() -> None:
    """Spare every kernel the ~3 s plotly's import spends building a grammar it never uses.

    plotly.io imports nbformat (only to check its version before rendering), nbformat
    imports jsonschema, and jsonschema, when the optional package rfc3987-syntax is
    installed (jupyter-events asks for it), compiles three Earley parsers for RFC 3987 IRIs
    at import time: most of a demo kernel's start-up. Nothing in a kernel validates IRIs
    against a JSON schema, so the optional module is marked absent (None in sys.modules
    makes its import raise ImportError, which jsonschema expects: it then skips only the
    "iri" format check). Written for jsonschema 4.23–4.25; delete when jsonschema builds
    the grammar lazily (python-jsonschema/jsonschema#1340, open).
    """
    sys.modules.setdefault("rfc3987_syntax", None)


# -- nglview's version --------------------------------------------------------------------
NGLVIEW_EXTENSION = "nglview-js-widgets"


def installed_nglview_frontend() -> str | None:
    """The version of the nglview JupyterLab extension Jupyter and Voila will load."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        package = Path(folder, NGLVIEW_EXTENSION, "package.json")
        if package.is_file():
            return json.loads(package.read_text())["version"]
    return None


def ask_nglview_for_its_installed_frontend() -> None:
    """Make nglview's Python side ask for the browser module that is actually installed.

    nglview 4.0.1 asks the browser for "nglview-js-widgets" version 4.0, but the JupyterLab
    extension inside its wheel registers 3.1.5, so JupyterLab and Voila show "Module
    nglview-js-widgets, version 4.0 is not registered" instead of a molecule (nglview
    #1181, #1172). nglview reads the version from nglview._frontend while it imports, and
    makes widgets at import time, so the fix is in place before the first `import nglview`:
    a nglview._frontend module holding the installed extension's version. Written for
    nglview 4.0.1; delete once a release ships matching versions.
    """
    version = installed_nglview_frontend()
    if version is None or "nglview" in sys.modules:
        return  # nothing to match, or too late to change what nglview asks for
    frontend = types.ModuleType("nglview._frontend")
    frontend.__frontend_version__ = version
    sys.modules["nglview._frontend"] = frontend


# -- what the browser sends ---------------------------------------------------------------
# Set on a widget (some widgets, plotly's figures, cannot be dictionary keys): called when
# the browser sends that widget something it refuses.
REFUSED_LISTENER = "_featurize_on_refused_state"


def on_refused_state(widget, listener: Callable) -> None:
    """Call listener(widget) whenever the browser sends this widget a state it refuses."""
    setattr(widget, REFUSED_LISTENER, listener)


def non_finite(widget, sync_data: dict) -> bool:
    """Whether the update sets a float trait to NaN or ±infinity (a float slider's bounds
    compare false with NaN and let it through)."""
    from traitlets import Float

    traits = widget.traits()
    for name, value in sync_data.items():
        if isinstance(traits.get(name), Float):
            try:
                if not math.isfinite(float(value)):
                    return True
            except (TypeError, ValueError):
                pass  # not a number at all: the trait itself refuses it
    return False


def refuse(widget, sync_data) -> None:
    """Set the browser's copy back to the kernel's, and tell the widget's listener."""
    names = (
        [name for name in sync_data if name in widget.keys] if isinstance(sync_data, dict) else []
    )
    if names:
        widget.send_state(key=names)
    listener = getattr(widget, REFUSED_LISTENER, None)
    if listener is not None:
        listener(widget)


def treat_browser_messages_as_untrusted() -> None:
    """Every message the browser sends a widget is untrusted input, for every widget.

    On a public page anyone can send anything over the widget protocol: a string for an
    angle, NaN for a mean, an index past the end of a list, a dict where bytes belong, a
    message without a method, a custom message nglview cannot parse. ipywidgets (8.1)
    answers a message a widget refuses with a full traceback sent to the browser
    (`_show_traceback` → `showtraceback`), and its float sliders accept NaN. Here a refused
    update is dropped, the browser's copy set back to the kernel's, and the widget's
    listener (a panel, to show its message) told; a malformed message or a failing custom
    handler is logged in one line, for the server's log. The kernel carries on.
    Written for ipywidgets 8.1; no upstream fix is planned (tracebacks are a feature in a
    notebook), so keep it while the deck serves the public.
    """
    import ipywidgets

    widget_class = ipywidgets.Widget
    if getattr(widget_class._handle_msg, "featurize_guard", False):
        return
    expect_parameters(widget_class.set_state, ("sync_data",), "untrusted browser messages")
    expect_parameters(widget_class._handle_custom_msg, ("content", "buffers"), "untrusted browser messages")  # fmt: skip
    set_state = widget_class.set_state
    handle_custom = widget_class._handle_custom_msg
    put_buffers = ipywidgets.widgets.widget._put_buffers
    log = logging.getLogger("featurize.panels")

    def handle_msg(self, msg) -> None:
        data = msg.get("content", {}).get("data") if isinstance(msg, dict) else None
        method = data.get("method") if isinstance(data, dict) else None
        if method == "update":
            state = data.get("state")
            if not isinstance(state, dict) or non_finite(self, state):
                refuse(self, state)
                return
            try:
                paths = data.get("buffer_paths")
                if paths:
                    put_buffers(state, paths, msg.get("buffers") or [])
                set_state(self, state)
            except Exception:  # whatever the browser sent, it is not the kernel's problem
                refuse(self, state)
        elif method == "request_state":
            self.send_state()
        elif method == "custom" and "content" in data:
            try:
                handle_custom(self, data["content"], msg.get("buffers") or [])
            except Exception as error:
                log.warning("%s refused a custom message: %s", type(self).__name__, error)
        else:
            log.warning("%s ignored a message it cannot read", type(self).__name__)

    handle_msg.featurize_guard = True
    widget_class._handle_msg = handle_msg


def no_tracebacks_in_a_public_kernel() -> None:
    """In a kernel Voila started for a page (it sets VOILA_BASE_URL), an exception shows no
    traceback: the page shows its own message, and a visitor who reads the websocket sees
    no source lines or file paths. JupyterLab and nbclient keep their tracebacks."""
    if "VOILA_BASE_URL" not in os.environ:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    log = logging.getLogger("featurize.panels")

    def one_line(*args, **kwargs) -> None:
        error = sys.exc_info()[1]
        log.warning("Hidden from the page: %s", type(error).__name__ if error else "an error")

    shell.showtraceback = one_line


def install() -> None:
    skip_the_iri_grammar()
    ask_nglview_for_its_installed_frontend()
    treat_browser_messages_as_untrusted()
    no_tracebacks_in_a_public_kernel()


install()
