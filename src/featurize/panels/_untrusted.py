"""Every widget state the browser sends is untrusted input, for every widget in the kernel.

On a public Voila page anyone can send any state over the widget protocol: a string for
an angle, an index past the end of a list, a dict where bytes belong. ipywidgets would
answer a value a widget refuses with a traceback sent back to the browser. Here the
refused update is dropped, the browser's copy of what it tried to change is set back to what the
kernel holds, and whoever listens for that widget (a panel, to show its message) is told.
The kernel carries on. Installed once, when featurize.panels is imported.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

# Stored on the widget itself: some widgets (plotly's figures) cannot be dictionary keys.
LISTENER = "_featurize_on_refused_state"


def on_refused_state(widget: widgets.Widget, listener: Callable[[widgets.Widget], None]) -> None:
    """Call listener(widget) whenever the browser sends this widget a state it refuses."""
    setattr(widget, LISTENER, listener)


_set_state = widgets.Widget.set_state


def set_state_from_browser(widget: widgets.Widget, sync_data: dict) -> None:
    try:
        _set_state(widget, sync_data)
    except Exception:  # whatever the browser sent, it is not the kernel's problem
        widget.send_state(key=[name for name in sync_data if name in widget.keys])
        listener = getattr(widget, LISTENER, None)
        if listener is not None:
            listener(widget)


if widgets.Widget.set_state is not set_state_from_browser:
    widgets.Widget.set_state = set_state_from_browser
