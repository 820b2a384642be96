"""Voila settings for `make serve` and `make present`, found through JUPYTER_CONFIG_PATH.

(Not in the repository's root: a voila.py there would shadow the voila package itself.)

The public web app: a landing page listing the demos, one dashboard per demo, kernels
started ahead of visitors and shut down after they leave, no CDN, no tracebacks.
"""

import json
import re
from pathlib import Path

c = get_config()  # noqa: F821 (traitlets provides get_config in config files)
DEMOS = Path(__file__).resolve().parents[2] / "notebooks" / "demos"

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

# One kernel per demo page is started and runs the page before anyone asks for it.
c.VoilaConfiguration.preheat_kernel = True
c.VoilaConfiguration.default_pool_size = 0
c.VoilaKernelManager.kernel_pools_config = {
    "default": {"pool_size": 0},
    **{f"demos/{page.name}": {"pool_size": 1} for page in DEMOS.glob("*.ipynb")},
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
    return {
        "path": notebook.relative_to(root).as_posix(),
        "title": title,
        "summary": SENTENCE_END.split(text, maxsplit=1)[0],
        "thumbnail": f"img/thumb-{notebook.stem}.png",
    }


def list_demos(page_config, base_url, settings, log, voila_configuration, notebook_path):
    """Give the landing page (the tree of the served folder's root) its list of demos."""
    root = Path(settings["contents_manager"].root_dir)
    if notebook_path == "" and (root / "demos").is_dir():
        pages = sorted((root / "demos").glob("*.ipynb"))
        page_config["deckDemos"] = [describe(page, root) for page in pages]
    return page_config


c.VoilaConfiguration.page_config_hook = list_demos
