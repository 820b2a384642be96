"""deck_server.install, as the settings file calls it: what it configures at once, and what
it does only when standalone Voila starts."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import voila.app
import voila.handler
from traitlets.config import Config
from voila.app import Voila

import deck_server
from deck_server import (
    compression,
    headers,
    kernels,
    landing_page,
    run_order,
    speaker_view,
    websocket,
)

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture
def pristine(monkeypatch):
    """Voila as installed: whatever install() patches is put back afterwards."""
    monkeypatch.setattr(Voila, "init_settings", lambda self: {"compress_response": True, "x": 1})
    monkeypatch.setattr(
        voila.app, "voila_kernel_manager_factory", voila.app.voila_kernel_manager_factory
    )
    monkeypatch.setattr(
        voila.handler.VoilaHandler, "get_generator", voila.handler.VoilaHandler.get_generator
    )
    monkeypatch.setattr(websocket.PublicKernelConnection, "visitors", None)
    monkeypatch.setattr(voila.app, "ExecutionRequestHandler", voila.app.ExecutionRequestHandler)


def test_the_settings_apply_wherever_voila_runs(pristine, monkeypatch):
    monkeypatch.setenv("DECK_POOL_SIZE", "2")
    c = Config()
    deck_server.install(c, notebooks=NOTEBOOKS)
    assert c.VoilaConfiguration.page_config_hook.__qualname__.startswith(
        landing_page.page_config_hook.__name__
    )
    assert c.VoilaKernelManager.kernel_pools_config["demos/soap.ipynb"] == {"pool_size": 2}
    assert (
        c.Voila.kernel_websocket_connection_class == "deck_server.websocket.PublicKernelConnection"
    )
    # nothing standalone yet: Jupyter Server (Binder, JupyterHub) loads the same settings
    assert voila.handler.VoilaHandler.get_generator.__module__ == "voila.handler"


def test_standalone_voila_gets_the_rest_when_it_builds_its_settings(pristine, tmp_path):
    visitors = deck_server.install(Config(), notebooks=NOTEBOOKS, compressed=tmp_path)
    settings = Voila.init_settings(object())
    assert "compress_response" not in settings and settings["x"] == 1
    names = [transform.__name__ for transform in settings["transforms"]]
    assert names == ["Compress", headers.SecurityHeaders.__name__]
    assert issubclass(settings["transforms"][0], compression.tornado.web.GZipContentEncoding)
    assert voila.handler.VoilaHandler.get_generator.__module__ == kernels.__name__
    assert websocket.PublicKernelConnection.visitors is visitors
    made = voila.app.voila_kernel_manager_factory(object, False, 0)
    assert made.__qualname__.startswith(kernels.deck_kernel_manager.__name__)
    # cells run in the notebook's order on pages without progressive rendering
    assert voila.app.ExecutionRequestHandler is not run_order.SlideFirstExecution


def test_the_presenters_voila_gets_the_speaker_views_hook_as_it_starts(pristine, tmp_path):
    from voila.configuration import VoilaConfiguration

    deck_server.install(Config(), notebooks=NOTEBOOKS, compressed=tmp_path)
    presenter = SimpleNamespace(
        voila_configuration=VoilaConfiguration(
            template="deck-reveal", preheat_kernel=False, progressive_rendering=True
        )
    )
    Voila.init_settings(presenter)
    assert presenter.voila_configuration.prelaunch_hook is speaker_view.prelaunch_hook
    # and its cells run from the slide it opens on
    assert voila.app.ExecutionRequestHandler is run_order.SlideFirstExecution


def test_a_kernel_websocket_remembers_a_bounded_number_of_message_signatures(pristine):
    """jupyter_client's Session keeps the signature of each message it reads (203 bytes each)
    up to 65,536 per websocket of the older protocol: 13 MB per visitor, read from our own
    kernels. The settings file bounds it, and the bound reaches the websocket's Session."""
    from jupyter_client.session import Session
    from traitlets.config.loader import PyFileConfigLoader

    settings = PyFileConfigLoader("voila.py", path=str(NOTEBOOKS.parent / "etc" / "jupyter"))
    config = settings.load_config()
    connection = websocket.PublicKernelConnection(config=config)  # as the handler builds it
    assert connection.session.digest_history_size == 2048 < Session().digest_history_size
