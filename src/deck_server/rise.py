"""`make rise`: the lecture as a RISE slideshow with live demos, on the classic notebook.

RISE 5 (the `rise` package) on nbclassic, because jupyterlab-rise 0.43's slideshow app cannot
load ipywidgets 8's widget manager (README, "RISE"). The server is Jupyter Server with
nbclassic, started with the deck's settings (JUPYTER_PATH, JUPYTER_CONFIG_PATH as for Voila):

- etc/jupyter/nbconfig/notebook.d/deck_rise.json enables the deck's classic-notebook
  extension, share/jupyter/nbextensions/deck_rise/, which runs the lecture's cells once the
  kernel is ready and enters RISE on the title slide;
- etc/jupyter/nbconfig/rise.json holds the lecture's RISE settings (theme, footer, ...), as
  its metadata does: RISE 5.7.1 reads the notebook's metadata once its config has loaded,
  which can be before the notebook has (then it fell back to its `simple` theme, whose fonts
  come from Google, and no footer); the server's copy is always there in time;
- etc/jupyter/voila.py, which Voila's server extension reads here too, announces plotly's
  widget code served once (deck_server.plotly_bundle), and BASE_URL_VARIABLE tells the
  kernels where this server serves it: figures then ship two lines instead of 4.9 MB
  each (anywidget gives up on a figure whose code takes over 2 s to start).

It serves a fresh copy of notebooks/ (build/rise/), never the repository's own: a classic
notebook saves outputs into the file it shows. `python -m deck_server.rise` is `make rise`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from .launch import free_port, server_process, stop, voila_environment
from .plotly_bundle import BASE_URL_VARIABLE

LECTURE = "lecture.ipynb"
# MathJax 2 with SVG output, as `make present` has it (scripts/fetch_assets.py puts it in the
# deck-reveal template's static folder; Voila's server extension serves it here). The
# classic notebook's own MathJax lacks fonts its HTML-CSS output asks for (404s, then a
# wait of minutes per page for them) and probes for fonts at about:blank.
MATHJAX_URL = "/voila/templates/deck-reveal/static/vendor/mathjax/MathJax.js"
MATHJAX_CONFIG = "TeX-AMS_SVG-full,Safe"


def check_mathjax(root: Path) -> None:
    """Without the MathJax the server points the notebook at, every slideshow opens under a
    "Failed to retrieve MathJax" dialog that holds back its demos: say so before serving."""
    path = root / "share" / "jupyter" / MATHJAX_URL.removeprefix("/")
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run `python scripts/fetch_assets.py present` once (make rise "
            "does), which downloads reveal.js and MathJax for the slides."
        )


# The deck's style sheet for RISE's slides (projector sizes), which RISE reads as `rise.css`
# beside the notebook; relative to the repository's root.
RISE_STYLE = Path("share") / "jupyter" / "nbextensions" / "deck_rise" / "rise.css"


def prepare_copy(notebooks: Path, copy: Path, style: Path | None = None) -> Path:
    """A fresh copy of `notebooks` in `copy` (what was there before is replaced), with the
    style sheets RISE asks for beside the notebook: `rise.css` (a copy of `style`) and
    `<notebook>.css`, empty (without them every slideshow logs two failed requests)."""
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(notebooks, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for notebook in copy.glob("*.ipynb"):
        for sheet in ("rise.css", f"{notebook.stem}.css"):
            (copy / sheet).touch()
    if style is not None:
        shutil.copyfile(style, copy / "rise.css")
    return copy


def slideshow_url(base: str, token: str) -> str:
    return f"{base}/nbclassic/notebooks/{LECTURE}?token={token}"


def command(root_dir: Path, host: str, port: int, token: str) -> list[str]:
    arguments = [
        sys.executable,
        "-m",
        "nbclassic",
        "--no-browser",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        f"--NotebookApp.mathjax_url={MATHJAX_URL}",
        f"--NotebookApp.mathjax_config={MATHJAX_CONFIG}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container's root, as make lab allows
        arguments.append("--allow-root")
    return arguments


def environment(root: Path) -> dict[str, str]:
    # Voila's routes (the deck template's static files) are served by its server extension
    # inside this server, at its base URL.
    return {**voila_environment(root), BASE_URL_VARIABLE: "/"}


@contextlib.contextmanager
def rise_server(root: Path, copy: Path, *, timeout: float = 120, log: Path | None = None):
    """The `make rise` server on a free port of 127.0.0.1, serving a fresh copy of the deck's
    notebooks in `copy`; yields the slideshow's URL (with its token), stops it afterwards."""
    check_mathjax(root)
    port, token = free_port(), secrets.token_hex(16)
    prepare_copy(root / "notebooks", copy, root / RISE_STYLE)
    base = f"http://127.0.0.1:{port}"
    with server_process(
        "the RISE server",
        command(copy, "127.0.0.1", port, token),
        cwd=root,
        env=environment(root),
        probe=f"{base}/api/status?token={token}",
        timeout=timeout,
        log=log,
    ):
        yield slideshow_url(base, token)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the lecture as a RISE slideshow.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8869)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository")
    parser.add_argument("--copy", type=Path, help="where to copy notebooks/ (build/rise)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        check_mathjax(root)
    except FileNotFoundError as missing:
        raise SystemExit(str(missing)) from None
    copy = prepare_copy(root / "notebooks", args.copy or root / "build" / "rise", root / RISE_STYLE)
    token = secrets.token_hex(16)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        "The lecture as a RISE slideshow (its demos run as it opens; Space steps, T opens the"
        f" speaker notes):\n\n    {slideshow_url(f'http://{host}:{args.port}', token)}\n\n"
        f"serving a copy of notebooks/ in {copy} (Ctrl-C stops it)",
        flush=True,
    )
    server = subprocess.Popen(command(copy, args.host, args.port, token), env=environment(root))
    try:
        return server.wait()
    except KeyboardInterrupt:
        stop(server)
        return 0


if __name__ == "__main__":
    sys.exit(main())
