"""Voila settings for `make serve` and `make present`, found through JUPYTER_CONFIG_PATH.

(Not in the repository's root: a voila.py there would shadow the voila package itself.)

The public web app: a landing page listing the demos, one dashboard per demo, kernels
started ahead of visitors and shut down after they leave, no CDN, no tracebacks.
"""

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

c = get_config()  # noqa: F821 (traitlets provides get_config in config files)
ROOT = Path(__file__).resolve().parents[2]
DEMOS = ROOT / "notebooks" / "demos"

# Our templates (share/jupyter/voila/templates/, found through JUPYTER_PATH): Voila's
# lab look without its CDN stylesheet, and the landing page in place of the file list.
c.VoilaConfiguration.template = "deck"
c.VoilaConfiguration.show_tracebacks = False  # Voila's default, kept on purpose
# Only pictures are downloadable: never notebooks, Python files or anything else.
c.VoilaConfiguration.file_allowlist = [r".*\.(png|jpg|gif|svg)"]

# The browser loads only what these pages use: Voila's widget manager, the renderers of
# our widgets and math in Markdown. Anything installed later stays out until listed here.
c.VoilaConfiguration.extension_allowlist = [
    "@voila-dashboards/widgets-manager8",
    "@jupyter-widgets/jupyterlab-manager",
    "anywidget",
    "nglview-js-widgets",
    "@jupyterlab/mathjax3-extension",
]

# `make present` (template deck-reveal): reveal.js from the local copy fetch_assets.py made,
# slides wide enough for a panel, long slides scroll.
c.VoilaConfiguration.resources = {
    "reveal": {
        "url_prefix": "voila/templates/deck-reveal/static/vendor/reveal.js",
        "theme": "white",
        "width": 1280,
        "height": 800,
        "scroll": True,
    }
}


def publish_plotly_bundle() -> None:
    """Serve plotly's widget code as one cacheable file (see featurize/panels/_figure.py)."""
    plotly = Path(importlib.util.find_spec("plotly").submodule_search_locations[0])
    source = plotly / "package_data" / "widgetbundle.js"
    target = ROOT / "share" / "jupyter" / "voila" / "templates" / "deck" / "static"
    target = target / "plotly-widget.js"
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        shutil.copyfile(source, partial)
        partial.replace(target)  # kernels see the old file or the new one, never half


publish_plotly_bundle()


def hide_cell_sources_from_every_client() -> None:
    """Make Voila's execute_input filter safe for both kernel websocket protocols.

    Voila drops execute_input messages (they carry the notebook's code) on their way to
    the browser, but reads each message as if the client spoke the v1 websocket protocol.
    A client that asks for none gets the legacy protocol, and then (a) text messages pass
    unread, code included, and (b) the first binary message (any widget update carrying
    a buffer) is misread: its 4-byte part count plus the next 4 bytes, taken as one 8-byte
    count, make Voila build a list of billions of offsets; the server stops answering
    and grows by tens of MB a second. (Seen with voila 0.5; tests/browser/test_security.py.)
    """
    import voila.tornado.kernel_websocket_handler as voila_websocket
    from jupyter_server.services.kernels.connection.base import (
        deserialize_binary_message,
        deserialize_msg_from_ws_v1,
    )

    def msg_type(handler, message) -> str | None:
        try:
            if isinstance(message, dict):
                return message["header"]["msg_type"]
            if isinstance(message, str):
                return json.loads(message)["header"]["msg_type"]
            if handler.selected_subprotocol == "v1.kernel.websocket.jupyter.org":
                _channel, parts = deserialize_msg_from_ws_v1(message)
                return json.loads(parts[0])["msg_type"]  # parts[0]: the header
            return deserialize_binary_message(message)["header"]["msg_type"]
        except Exception:  # not a kernel message we can read: nothing to hide in it
            return None

    handler_class = voila_websocket.VoilaKernelWebsocketHandler
    websocket_write = handler_class.__mro__[1].write_message

    def write_message(self, message, binary=False):
        if msg_type(self, message) == "execute_input":
            return None
        return websocket_write(self, message, binary)

    handler_class.write_message = write_message


hide_cell_sources_from_every_client()


def compress_responses() -> None:
    """gzip what Voila sends (a demo page is ~15 MB of JavaScript, mostly text).

    tornado reads compress_response when the application is built, before Voila applies
    its tornado_settings trait, so the setting goes into the settings Voila builds it with.
    """
    from voila.app import Voila

    voila_settings = Voila.init_settings

    def init_settings(self):
        return {**voila_settings(self), "compress_response": True}

    Voila.init_settings = init_settings


compress_responses()


def pool_sizes(setting: str) -> dict[str, int]:
    """Kernels to keep ready per demo page, from DECK_POOL_SIZE (`make serve POOL=…`).

    "" → 1 per page; "6" → 6 per page; "soap=6,coordinates=6" → those pages 6, others 1.
    """
    sizes = {page.stem: 1 for page in DEMOS.glob("*.ipynb")}
    if setting.strip().isdigit():
        return dict.fromkeys(sizes, int(setting))
    for item in filter(None, (part.strip() for part in setting.split(","))):
        name, _, size = item.partition("=")
        if name not in sizes or not size.strip().isdigit():
            raise ValueError(
                f"DECK_POOL_SIZE: {item!r} is not PAGE=NUMBER with PAGE one of {sorted(sizes)}"
            )
        sizes[name] = int(size)
    return sizes


# Kernels started ahead of visitors, each having run its page already (docs/deploy.md).
c.VoilaConfiguration.preheat_kernel = True
c.VoilaConfiguration.default_pool_size = 0
c.VoilaKernelManager.kernel_pools_config = {
    "default": {"pool_size": 0},
    **{
        f"demos/{name}.ipynb": {"pool_size": size}
        for name, size in pool_sizes(os.environ.get("DECK_POOL_SIZE", "")).items()
    },
}

# Closed tabs do not always shut their kernel down (voila-dashboards/voila#1458): a kernel
# with no browser connected and nothing to do for 10 minutes is shut down.
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False


SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def describe(notebook: Path, root: Path) -> dict:
    """Title and first sentence of a demo page, from its opening Markdown cell."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = "".join(cells[0]["source"]).strip().splitlines()
    title = lines[0].lstrip("# ").strip()
    text = " ".join(line.strip() for line in lines[1:] if line.strip())
    thumbnail = notebook.parents[1] / "img" / f"thumb-{notebook.stem}.png"
    return {
        "path": notebook.relative_to(root).as_posix(),
        "title": title,
        "summary": SENTENCE_END.split(text, maxsplit=1)[0],
        "thumbnail": thumbnail.relative_to(root).as_posix(),
    }


def list_demos(page_config, base_url, settings, log, voila_configuration, notebook_path):
    """Give the landing page (the tree of the folder holding demos/) its list of demos.

    That folder is the served root under `make serve`, and notebooks/ on Binder, where
    Voila runs inside Jupyter's server with the repository as its root.
    """
    root = Path(settings["contents_manager"].root_dir)
    demos = root / notebook_path.strip("/") / "demos"
    if demos.is_dir() and demos.parent.resolve() == DEMOS.parent.resolve():
        pages = sorted(demos.glob("*.ipynb"))
        page_config["deckDemos"] = [describe(page, root) for page in pages]
    return page_config


c.VoilaConfiguration.page_config_hook = list_demos
