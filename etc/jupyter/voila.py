"""Voila settings for `make serve` and `make present`, found through JUPYTER_CONFIG_PATH.

(Not in the repository's root: a voila.py there would shadow the voila package itself.)

The public web app: a landing page listing the demos, one dashboard per demo, kernels
started ahead of visitors and shut down after they leave, no CDN, no tracebacks. The code
behind these settings is the deck_server package (src/deck_server/); its docstring says
which parts also apply when Voila runs inside Jupyter Server (Binder, JupyterHub).
"""

import os
from pathlib import Path

import deck_server

c = get_config()  # noqa: F821 (traitlets provides get_config in config files)
ROOT = Path(__file__).resolve().parents[2]

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

# `make present` (template deck-reveal): reveal.js from the local copy fetch_assets.py made.
# A slide is laid out at 1280 x 720, a projector's 16:9, and reveal.js scales it to the window
# (share/jupyter/voila/templates/deck-reveal/static/projector.css sizes its text for that).
# No scrolling: a slide that does not fit is split, since a projected slide cannot be scrolled
# by the back row.
c.VoilaConfiguration.resources = {
    "reveal": {
        "url_prefix": "voila/templates/deck-reveal/static/vendor/reveal.js",
        "theme": "white",
        "width": 1280,
        "height": 720,
        "scroll": False,
    }
}

# Kernels started ahead of visitors, each having run its page already (docs/deploy.md);
# how many per page: deck_server.pools, from DECK_POOL_SIZE (`make serve POOL=…`).
c.VoilaConfiguration.preheat_kernel = True
c.VoilaConfiguration.default_pool_size = 0

# Kernels talk to the server over Unix sockets in Voila's private runtime folder instead of
# TCP ports on 127.0.0.1: no port is picked, released and bound again later, a race that
# tens of kernels starting at once lose now and then ("ZMQError: Address already in use",
# nteract/papermill#511; 6 of 68 starts failed in one 30-visitor run), and no other local user can
# connect to a kernel. Windows has no such sockets and keeps TCP.
if os.name == "posix":
    c.KernelManager.transport = "ipc"

# A kernel that dies stays dead: restarted, it would have lost its page's widgets, so a
# page on it would show nothing. The page says "connection lost, reload" instead, and a dead
# kernel waiting in a pool is never handed out (deck_server.kernels).
c.KernelManager.autorestart = False

# jupyter_client's Session keeps the signature of every message it reads, to refuse one sent
# twice, up to 65,536 (about 13 MB) per websocket that speaks the older protocol (scripts,
# old browsers), and each was read by the server from its own kernel. 2,048 still catches a
# replay of recent messages; 30 such visitors grew the server by 9 MB a minute (the soak).
c.Session.digest_history_size = 2048

# The kernel settings below (and the transport and autorestart above) reach standalone Voila
# only: Voila inside Jupyter Server takes its own section of this file. A hub's or Binder's
# server gets its kernel culling from jupyter_server_config.py beside this file.
#
# Closed tabs do not always shut their kernel down (voila-dashboards/voila#1458): besides
# deck_server's own rule (a kernel whose visitor left goes after a minute), a kernel with no
# browser connected and nothing to do for 10 minutes is shut down.
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False

# How many kernels visitors may hold, and when one goes: deck_server.visitors (defaults, or
# DECK_MAX_KERNELS, DECK_MAX_KERNELS_PER_ADDRESS, … from the environment; docs/deploy.md).
deck_server.install(
    c,
    notebooks=ROOT / "notebooks",
    compressed=ROOT / "build" / "compressed",
    limits=deck_server.Limits.from_environment(os.environ),
)
