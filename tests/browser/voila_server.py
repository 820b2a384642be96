"""Start Voila the way `make serve` and `make present` do, on a free port (tests, benchmarks)."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Debian's Chromium, headless, making no requests of its own.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def voila_environment() -> dict[str, str]:
    """What the Makefile gives Voila: our templates and our settings (etc/jupyter/voila.py)."""

    def prepend(variable: str, folder: Path) -> str:
        return os.pathsep.join(filter(None, [str(folder), os.environ.get(variable, "")]))

    return {
        **os.environ,
        "JUPYTER_PATH": prepend("JUPYTER_PATH", ROOT / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": prepend("JUPYTER_CONFIG_PATH", ROOT / "etc" / "jupyter"),
    }


@contextlib.contextmanager
def start_voila(target: Path, *options: str, timeout: float = 90):
    """Voila serving a folder or one notebook; yields its base URL, stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}"]
    server = subprocess.Popen(
        [*command, "--Voila.ip=127.0.0.1", *options, str(target)],
        cwd=ROOT,
        env=voila_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                # A HEAD of the root: never renders a notebook (single-notebook mode would)
                urllib.request.urlopen(
                    urllib.request.Request(f"{url}/voila/static/voila.js", method="HEAD"), timeout=2
                )
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"Voila did not start within {timeout:.0f} s")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
