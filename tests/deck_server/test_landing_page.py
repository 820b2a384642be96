"""deck_server.landing_page: the demo list and each page's browser extensions."""

import json
from pathlib import Path
from types import SimpleNamespace

from deck_server.landing_page import extensions_needed, page_config_hook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXTENSIONS = [
    {"name": name}
    for name in (
        "@jupyter-widgets/jupyterlab-manager",
        "anywidget",
        "nglview-js-widgets",
        "@jupyterlab/mathjax3-extension",
    )
]


def config_for(notebook_path: str) -> dict:
    hook = page_config_hook(NOTEBOOKS / "demos")
    settings = {"contents_manager": SimpleNamespace(root_dir=str(NOTEBOOKS))}
    page_config = {"federated_extensions": list(EXTENSIONS)}
    return hook(page_config, "/", settings, None, None, notebook_path)


def names(config: dict) -> set[str]:
    return {extension["name"] for extension in config["federated_extensions"]}


def test_a_page_with_a_3d_view_loads_nglview_and_one_without_does_not():
    assert "nglview-js-widgets" in names(config_for("demos/coordinates.ipynb"))
    assert "nglview-js-widgets" not in names(config_for("demos/likelihood.ipynb"))
    assert "anywidget" in names(config_for("demos/likelihood.ipynb"))


def test_no_page_is_sent_to_a_mathjax_cdn():
    # Jupyter Server's settings carry a CDN address for MathJax 2 (a hub, Binder)
    hook = page_config_hook(NOTEBOOKS / "demos")
    settings = {"contents_manager": SimpleNamespace(root_dir=str(NOTEBOOKS))}
    for path in ("", "demos/likelihood.ipynb", "demos/soap.ipynb"):
        page_config = {
            "federated_extensions": list(EXTENSIONS),
            "fullMathjaxUrl": "https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/es5/latest.min.js",
            "mathjaxConfig": "TeX-AMS_CHTML-full,Safe",
        }
        config = hook(page_config, "/", settings, None, None, path)
        # None, as standalone Voila sends: the page's code then starts no MathJax 2 at all
        assert config["fullMathjaxUrl"] is None and config["mathjaxConfig"] is None


def test_the_metadata_declares_and_the_markdown_decides_math(tmp_path):
    notebook = tmp_path / "page.ipynb"
    cells = [{"cell_type": "markdown", "source": ["Energy $E$"], "metadata": {}}]
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}}))
    assert extensions_needed(notebook) == {"@jupyterlab/mathjax3-extension"}
    metadata = {"deck": {"needs": ["nglview-js-widgets", "not-an-optional-one"]}}
    notebook.write_text(json.dumps({"cells": cells[:0], "metadata": metadata}))
    assert extensions_needed(notebook) == {"nglview-js-widgets"}


def test_the_landing_page_lists_every_demo_with_its_picture():
    demos = config_for("")["deckDemos"]
    assert [demo["path"] for demo in demos] == sorted(
        f"demos/{page.name}" for page in (NOTEBOOKS / "demos").glob("*.ipynb")
    )
    for demo in demos:
        assert demo["title"] and demo["summary"].endswith((".", "!", "?", ")"))
        assert (NOTEBOOKS / demo["thumbnail"]).is_file()
