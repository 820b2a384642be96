"""The panels (featurize.panels) driven from Python as a student's mouse would: one module
per panel module, and test_every_panel.py for what holds for all of them."""

from featurize import datasets


def from_the_browser(widget, **state) -> None:
    """Deliver a state update the way the widget protocol does (ipywidgets' _handle_msg)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


def no_qm9(*_args, **_kwargs):
    raise datasets.DataMissingError(
        "QM9 comes with the Python package 'qm9pack', which is not installed"
    )


def comms_opened(monkeypatch) -> list[dict]:
    """The state each widget's comm opens with, in the order they open."""
    import ipywidgets.widgets.widget as widget_module

    opened, create = [], widget_module.comm.create_comm

    def recording(**args):
        opened.append(args["data"]["state"])
        return create(**args)

    monkeypatch.setattr(widget_module.comm, "create_comm", recording)
    return opened
