"""A panel's plotly figures as pictures for its first paint (issue 18), drawn by plotly's own
static-image engine, kaleido, and kept on disk.

The first paint (featurize.panels._first_paint) can draw a figure with plotly.js in the
browser, but plotly.js takes a second or two to load and start before it draws anything. A
picture of the figure written into the page is shown as the page arrives. kaleido draws it
with plotly.js in a headless Chrome or Chromium (whichever it finds on the machine), which
takes about five seconds to start, so:

- pictures are kept in the cache directory, one SVG file per figure, named by a hash of
  what the figure draws (its data and layout) and of the plotly and kaleido that drew it;
- only a kernel Voila preheats (VOILA_PREHEAT="True": nobody is waiting for its page) has
  the pictures it lacks drawn: it asks for them (a file each) and waits, a limited time,
  for one drawing process, which holds a lock file while it runs, draws whatever is asked,
  and stops once nothing has been asked for a few seconds (at a server's first start every
  page's kernel asks within a minute: one start of the browser for them all); any other
  kernel uses the pictures already kept and leaves the rest to plotly.js in the browser;
- without kaleido or a browser for it, nothing is drawn: the page draws the figures with
  plotly.js, as before, the kernel's log says why, and kernels try again ten minutes on, or
  at once when the browser kaleido would find is another than when it failed (one installed
  since: a student who ran the tests before installing Chromium, then again).

    python -m featurize.panels._figure_pictures FOLDER    (draws the pictures asked for)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..cache import cache_directory, write_atomically

# Raised when the drawing changes (its options, what goes into the key), so that pictures
# drawn before are not used.
PICTURE_FORMAT = 1
PICTURES_FOLDER = "figure-pictures"
REQUESTS_FOLDER = "asked"  # under PICTURES_FOLDER: a figure to draw, as {key}.json
# ...and one a kernel does not wait for (a first paint's frames: for the kernels after it),
# drawn when no picture a kernel waits for is asked
LATER_FOLDER = "asked-later"
PREHEAT_VARIABLE = "VOILA_PREHEAT"  # voila.utils.ENV_VARIABLE.VOILA_PREHEAT
# kaleido's browser takes ~4 s to start on this machine, then ~0.5 s a figure. A kernel waits
# this long for its pictures; the drawing process gives up on one figure after
# FIGURE_TIMEOUT_S, stops LINGER_S after the last was asked for, and after MAX_DRAWING_S.
DRAW_TIMEOUT_S = 120
FIGURE_TIMEOUT_S = 30
LINGER_S = 10
MAX_DRAWING_S = 600
LOCK_NAME = ".drawing.lock"
LOG_NAME = "drawing.log"
# After kaleido failed to draw (the browser it would have used, then why, in this file),
# kernels leave the figures to plotly.js for this long before trying again, unless the
# browser it would find has changed (one installed meanwhile).
FAILED_NAME = "failed.txt"
RETRY_AFTER_S = 600
NO_BROWSER = "no Chrome or Chromium found"
_said_why = False


def preheated(environ=os.environ) -> bool:
    """Whether Voila preheats this kernel for a later visitor: it may have missing pictures
    drawn (and paints its sliders' frames: featurize.panels._first_paint)."""
    return environ.get(PREHEAT_VARIABLE) == "True"


def figure_pictures(figures: list[dict], wait: bool = True) -> list[str | None]:
    """The SVG picture of each first-paint figure ({"data", "layout"} in plotly's JSON, as
    featurize.panels._first_paint makes them), or None where there is none: a figure without
    a width and height of its own (its size is its container's), or one not yet drawn.
    wait=False: the missing ones are asked for after any a kernel waits for, and drawn for
    the kernels after this one."""
    keys = [picture_key(figure) for figure in figures]
    pictures = [_kept(key) for key in keys]
    missing = {
        key: figure
        for key, figure, picture in zip(keys, figures, pictures, strict=True)
        if key and picture is None
    }
    if missing and preheated() and _engine_may_work():
        asked_at = time.time()
        for key, figure in missing.items():
            write_atomically(_asked(key, later=not wait), json.dumps(figure).encode())
        if wait:
            _wait_for_drawing(list(missing), asked_at)
            pictures = [_kept(key) for key in keys]
        elif not _drawing_now():
            _start_drawing()
    return pictures


def _engine_may_work() -> bool:
    """kaleido is installed, the platform has file locks, and drawing has not failed lately
    (kaleido found no browser: on Binder) with the browser there is now."""
    if importlib.util.find_spec("kaleido") is None or importlib.util.find_spec("fcntl") is None:
        return False
    failed = _folder() / FAILED_NAME
    try:
        failed_at = failed.stat().st_mtime
        browser_then = failed.read_text(encoding="utf-8", errors="replace").partition("\n")[0]
    except OSError:
        return True
    return time.time() - failed_at > RETRY_AFTER_S or browser_then != _browser()


def _browser() -> str:
    """The browser kaleido would draw with (choreographer's search, as kaleido does it)."""
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:
        return NO_BROWSER
    return Chromium.find_browser(skip_local=False) or NO_BROWSER


def picture_key(figure: dict) -> str | None:
    layout = figure.get("layout") or {}
    if not (layout.get("width") and layout.get("height")):
        return None
    engines = _engines()
    if engines is None:
        return None
    drawn = {"data": figure["data"], "layout": layout, "engines": engines, "format": PICTURE_FORMAT}
    text = json.dumps(drawn, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@functools.cache
def _engines() -> tuple[str, str] | None:
    """The versions of plotly and kaleido, which draw the pictures (read once per kernel)."""
    try:
        return tuple(importlib.metadata.version(name) for name in ("plotly", "kaleido"))
    except importlib.metadata.PackageNotFoundError:
        return None


def _folder() -> Path:
    return cache_directory() / PICTURES_FOLDER


def _asked(key: str, later: bool = False) -> Path:
    return _folder() / (LATER_FOLDER if later else REQUESTS_FOLDER) / f"{key}.json"


def _kept(key: str | None) -> str | None:
    if key is None:
        return None
    try:
        text = (_folder() / f"{key}.svg").read_text(encoding="utf-8")
    except OSError:
        return None
    return text if text.startswith("<svg") and text.rstrip().endswith("</svg>") else None


def _drawing_now() -> bool:
    """Whether a drawing process holds the lock."""
    import fcntl

    with open(_folder() / LOCK_NAME, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def _wait_for_drawing(keys: list[str], asked_at: float) -> None:
    """Until the pictures asked for are drawn or given up (a drawing process started when
    none is running), DRAW_TIMEOUT_S at most."""
    deadline = time.monotonic() + DRAW_TIMEOUT_S
    started: subprocess.Popen | None = None
    while time.monotonic() < deadline:
        if not any(_asked(key).exists() for key in keys):
            return  # each drawn, or given up by the drawing process
        if _failed_since(asked_at):
            failed = (_folder() / FAILED_NAME).read_text(encoding="utf-8", errors="replace")
            _say_why(failed.partition("\n")[2])
            return
        if not _drawing_now():
            if started is not None and started.poll() is None:
                pass  # the one started here is starting
            elif started is not None and started.returncode != 0:
                _say_why(_record_failure(f"the drawing process stopped ({started.returncode})"))
                return
            else:  # none yet, or one that stopped before these were asked for
                started = _start_drawing()
        time.sleep(0.1)
    _say_why(_record_failure(f"no picture within {DRAW_TIMEOUT_S} s"))


def _start_drawing() -> subprocess.Popen:
    drawing = subprocess.Popen(
        [sys.executable, "-m", __name__, str(_folder())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not stopped with this kernel: it draws for others too
    )
    # reaped when it ends, whether or not this kernel still waits (no zombie process left)
    threading.Thread(target=drawing.wait, daemon=True).start()
    return drawing


def _failed_since(moment: float) -> bool:
    try:
        return (_folder() / FAILED_NAME).stat().st_mtime >= moment
    except OSError:
        return False


def _record_failure(why: str, folder: Path | None = None) -> str:
    """Keep the reason with the browser kaleido would have used (other kernels wait
    RETRY_AFTER_S before trying again with the same browser); the reason."""
    folder = _folder() if folder is None else folder
    write_atomically(folder / FAILED_NAME, f"{_browser()}\n{why}".encode())
    return why


def _say_why(why: str) -> None:
    """Say once in this kernel's log why its figures are left to plotly.js."""
    global _said_why
    if not _said_why:
        _said_why = True  # to the kernel's log (Voila's), not to a visitor's page
        print(
            f"featurize: figures of the first paint left to plotly.js: {why}", file=sys.__stderr__
        )


def _main(folder: Path) -> int:
    """Draw the pictures asked for in `folder` (those kernels wait for first) until none has
    been asked for LINGER_S, each
    request removed once answered or given up (a figure kaleido cannot draw is left to
    plotly.js). One process at a time: it holds the lock while it runs."""
    import fcntl

    with open(folder / LOCK_NAME, "a") as lock:  # held until this process ends
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another is drawing
        with open(folder / LOG_NAME, "w", buffering=1) as log:
            try:
                import asyncio

                asyncio.run(_draw_until_idle(folder, log))
            except Exception as error:  # kaleido's own errors name the missing browser
                why = f"{type(error).__name__}: {error}".replace("\n", " ")
                print(why, file=log)
                _record_failure(why, folder)
                return 1
    return 0


async def _draw_until_idle(folder: Path, log) -> None:
    import asyncio

    import kaleido

    stop_at = time.monotonic() + MAX_DRAWING_S
    async with kaleido.Kaleido(n=1, mathjax=False) as engine:  # no CDN: no MathJax
        idle_since = time.monotonic()
        while time.monotonic() < stop_at:
            requests = sorted((folder / REQUESTS_FOLDER).glob("*.json"))
            if not requests:  # one asked for later, then look again
                requests = sorted((folder / LATER_FOLDER).glob("*.json"))[:1]
            if not requests and time.monotonic() - idle_since > LINGER_S:
                return
            for request in requests:
                try:
                    figure = json.loads(request.read_text(encoding="utf-8"))
                    layout = figure["layout"]
                    size = {"width": layout["width"], "height": layout["height"]}
                    picture = await asyncio.wait_for(
                        engine.calc_fig(
                            {"data": figure["data"], "layout": layout},
                            opts={"format": "svg", **size},
                        ),
                        FIGURE_TIMEOUT_S,
                    )
                    write_atomically(folder / f"{request.stem}.svg", picture)
                    print(f"drew {request.stem}", file=log)
                except Exception as error:  # this figure only: left to plotly.js
                    print(f"{request.stem}: {type(error).__name__}: {error}", file=log)
                request.unlink(missing_ok=True)
                idle_since = time.monotonic()
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    sys.exit(_main(Path(sys.argv[1])))
