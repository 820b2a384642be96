"""What Voila's page_config_hook adds: the landing page's list of demos, and for each
page only the browser extensions it uses.

A page loads nglview's browser code (1 MB compressed) only if its notebook says it shows
a 3-D view, in its metadata: `"deck": {"needs": ["nglview-js-widgets"]}` (tests check
that this matches what the notebook's kernel imports); MathJax only if its Markdown has
formulas. Works under standalone Voila and under Jupyter Server (Binder, JupyterHub) alike.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# Browser extensions a page may leave out when it does not use them.
OPTIONAL_EXTENSIONS = frozenset({"@jupyterlab/mathjax3-extension", "nglview-js-widgets"})
MATH = re.compile(r"\$|\\\(|\\\[|\\begin\{")
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


def extensions_needed(notebook: Path) -> set[str]:
    """The optional browser extensions a notebook's page needs."""
    content = json.loads(notebook.read_text(encoding="utf-8"))
    markdown = "".join(
        "".join(cell["source"]) for cell in content["cells"] if cell["cell_type"] == "markdown"
    )
    declared = set(content.get("metadata", {}).get("deck", {}).get("needs", []))
    return (declared & OPTIONAL_EXTENSIONS) | (
        {"@jupyterlab/mathjax3-extension"} if MATH.search(markdown) else set()
    )


def page_config_hook(demos: Path):
    """Voila's page_config_hook for the deck whose demo pages are in `demos`."""

    def deck_page_config(page_config, base_url, settings, log, voila_configuration, notebook_path):
        root = Path(settings["contents_manager"].root_dir)
        folder = root / notebook_path.strip("/") / "demos"
        # The landing page is the tree of the folder holding demos/: the served root under
        # `make serve`, notebooks/ on Binder (where the repository is the root).
        if folder.is_dir() and folder.resolve() == demos.resolve():
            page_config["deckDemos"] = [
                describe(page, root) for page in sorted(folder.glob("*.ipynb"))
            ]
        # Math is typeset by @jupyterlab/mathjax3-extension, served with the page, where a
        # page has formulas. Inside Jupyter Server (a hub, Binder) Voila would also pass on
        # the server's MathJax 2 address, a CDN by default, and every page would fetch
        # MathJax from it (or log an error, offline); standalone Voila passes none, and the
        # page then loads no MathJax 2: say none here too.
        page_config["fullMathjaxUrl"] = None
        page_config["mathjaxConfig"] = None
        notebook = root / notebook_path.strip("/")
        if notebook.suffix == ".ipynb" and notebook.is_file():
            unused = OPTIONAL_EXTENSIONS - extensions_needed(notebook)
            page_config["federated_extensions"] = [
                extension
                for extension in page_config.get("federated_extensions", [])
                if extension.get("name") not in unused
            ]
        return page_config

    return deck_page_config
