"""What the deck adds to Voila: one call, `install(c, notebooks=…)`, from its settings file
(etc/jupyter/voila.py). One module per job:

| module          | job                                                   | where it applies |
|-----------------|-------------------------------------------------------|------------------|
| landing_page    | the landing page's demo list; each page's extensions  | everywhere       |
| pools           | kernels kept ready per demo page (`POOL=`)            | standalone       |
| plotly_bundle   | plotly's widget code served once (a build step)       | everywhere       |
| websocket       | malformed frames dropped; no code, traceback or       | standalone       |
|                 | stderr sent to a visitor                              |                  |
| compression     | brotli/gzip, large files compressed once              | standalone       |
| headers         | Content-Security-Policy, no Server version            | standalone       |
| kernels         | pool kernels start a few at a time, dead ones never   | standalone       |
|                 | handed out; visitor limits; kernels of visitors who   |                  |
|                 | left shut down                                        |                  |
| speaker_view    | the speaker view's slide previews, with no kernel     | standalone       |
|                 | (`make present` only)                                 |                  |
| run_order       | the presenter's page runs the demo of the slide it    | standalone       |
|                 | opens on first (`make present` only)                  |                  |
| launch          | start Voila as `make serve` does (tests, benchmarks)  | —                |
| rise            | `make rise`: RISE on the classic notebook server      | —                |

"Standalone" is `voila …` (make serve, make present). Under Jupyter Server (Binder,
JupyterHub) Voila loads the same settings file, but its application, kernel manager and
websocket handler are Jupyter Server's, and those parts do nothing: docs/deploy.md says
what replaces them on a hub. Importing this package imports neither tornado nor Voila.
"""

from __future__ import annotations

import os
from pathlib import Path

from .visitors import Limits, Visitors

# Voila's own routes to the deck template's static files (Voila finds the template
# folder through JUPYTER_PATH).
DECK_TEMPLATE = "deck"


def install(c, *, notebooks: Path, compressed: Path | None = None, limits: Limits | None = None):
    """Apply the deck's server behaviour to the Voila configuration `c`.

    notebooks: the served folder, holding demos/; compressed: where compressed static
    files are kept between runs (None: memory only); limits: visitor limits."""
    from jupyter_core.paths import jupyter_path

    from . import landing_page, plotly_bundle, pools

    demos = notebooks / "demos"
    c.VoilaConfiguration.page_config_hook = landing_page.page_config_hook(demos)
    c.VoilaKernelManager.kernel_pools_config = pools.kernel_pools_config(
        os.environ.get("DECK_POOL_SIZE", ""), demos
    )
    plotly_bundle.announce(
        [Path(folder) for folder in jupyter_path("voila", "templates", DECK_TEMPLATE, "static")]
    )
    c.Voila.kernel_websocket_connection_class = "deck_server.websocket.PublicKernelConnection"
    visitors = Visitors(limits or Limits())
    _when_standalone_voila_starts(lambda app: _standalone(app, visitors, compressed))
    return visitors


def _standalone(app, visitors: Visitors, compressed: Path | None) -> list[type]:
    """Patch standalone Voila's kernel manager, page handler and websocket, and give the
    presenter's page its speaker view; the output transforms for the application `app`."""
    from . import compression, headers, kernels, speaker_view, websocket

    configuration = getattr(app, "voila_configuration", None)
    speaker_view.install(configuration)
    if configuration is not None and configuration.progressive_rendering:
        from . import run_order

        run_order.install()
    # Half the cores start pool kernels; the other half stay for the visitors.
    kernels.install_kernel_manager(max(1, (os.cpu_count() or 2) // 2), visitors)
    kernels.install_page_limits(visitors)
    websocket.PublicKernelConnection.visitors = visitors
    return [compression.transform(compression.Store(compressed)), headers.SecurityHeaders]


_START: list = []  # the function to run when standalone Voila starts


def _when_standalone_voila_starts(start) -> None:
    """Run `start` when standalone Voila builds its settings (never under Jupyter Server,
    which loads this configuration too but never builds Voila's settings), and give the
    application the output transforms it returns.

    tornado reads an application's transforms when it is built, from the settings
    `Voila.init_settings` returns: Voila's own `tornado_settings` trait comes too late for
    them. tornado's gzip (`compress_response`) makes way for compression.py's."""
    from voila.app import Voila

    from ._shape import expect

    _START[:] = [start]  # the last configuration loaded wins
    init_settings = expect(Voila, "init_settings", (), "deck_server")
    if getattr(init_settings, "deck_start", None) is not None:
        return

    def init_settings_with_the_deck(self):
        transforms = [transform for run in _START for transform in run(self)]
        settings = init_settings(self)
        settings.pop("compress_response", None)
        return {**settings, "transforms": transforms}

    init_settings_with_the_deck.deck_start = _START
    Voila.init_settings = init_settings_with_the_deck
