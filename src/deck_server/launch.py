"""Start the deck's servers as the Makefile does, on a free port: for the tests, the
benchmarks and the scripts (none of which may reach into another's folder for it)."""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# Debian's Chromium as the tests and benchmarks drive it: headless, making no requests of
# its own (the machine's network is closed; Chromium's own services would be refused).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


# `make present`: the lecture as reveal.js slides, streamed (the Makefile passes the same; a
# test checks). Progressive rendering sends the slides before the kernel has run anything and
# runs the cells one by one afterwards, each demo appearing as its cell finishes, where
# Voila's default ran every cell of the lecture first (the title after 15-100 s). Voila refuses it
# together with preheated kernels, which the lecture never had (no pool: deck_server.pools).
PRESENT_OPTIONS = (
    "--template=deck-reveal",
    "--VoilaConfiguration.progressive_rendering=True",
    "--VoilaConfiguration.preheat_kernel=False",
)


class ServerDidNotStart(RuntimeError):
    pass


# Where a port is looked for: below the range the system hands out to outgoing connections
# (Linux's ip_local_port_range, 32768-60999 unless changed; macOS and Windows start higher).
# A port the system picks itself (bind to 0) comes from that range, and between our closing it
# and the server binding it, any outgoing connection may take it: a hub connecting to its
# proxy did ("Address already in use", CI of 2026-12-04).
PORTS_FROM = 10000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_ports_given: set[int] = set()


def first_ephemeral_port() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on, outside the range of outgoing connections, and
    not given before by this process (a hub asks for three at once)."""
    candidates = list(range(PORTS_FROM, first_ephemeral_port()))
    random.shuffle(candidates)
    for port in candidates:
        if port in _ports_given:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_given.add(port)
        return port
    raise ServerDidNotStart(f"no free port between {PORTS_FROM} and {first_ephemeral_port()}")


def voila_environment(root: Path) -> dict[str, str]:
    """What the Makefile gives Voila: the deck's templates and its settings file."""

    def prepend(variable: str, folder: Path) -> str:
        return os.pathsep.join(filter(None, [str(folder), os.environ.get(variable, "")]))

    return {
        **os.environ,
        "JUPYTER_PATH": prepend("JUPYTER_PATH", root / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": prepend("JUPYTER_CONFIG_PATH", root / "etc" / "jupyter"),
    }


@contextlib.contextmanager
def voila_process(
    root: Path,
    target: Path,
    *options: str,
    timeout: float = 90,
    log: Path | None = None,
    deck: bool = True,
    **environment: str,
):
    """Voila serving a folder or one notebook of the deck in `root`, with its settings;
    yields its base URL and its process, stops it afterwards. Its log goes into `log`, if
    given; `environment` adds variables. deck=False: plain Voila, without the deck's
    templates and settings (the benchmarks' anchor page)."""
    port = free_port()
    command = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}"]
    url = f"http://127.0.0.1:{port}"
    # A HEAD of a static file: never renders a notebook (single-notebook mode would)
    probe = urllib.request.Request(f"{url}/voila/static/voila.js", method="HEAD")
    with server_process(
        "Voila",
        [*command, "--Voila.ip=127.0.0.1", *options, str(target)],
        cwd=root,
        env={**(voila_environment(root) if deck else os.environ), **environment},
        probe=probe,
        timeout=timeout,
        log=log,
    ) as server:
        yield url, server


@contextlib.contextmanager
def server_process(
    name: str, command: list[str], *, cwd: Path, env: dict, probe, timeout: float, log: Path | None
):
    """Start a server, wait until `probe` (a URL or urllib Request) answers, yield its
    process, stop it afterwards; its stderr goes into `log`, if given."""
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w") if log else subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                urllib.request.urlopen(probe, timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise ServerDidNotStart(f"{name} exited with {server.returncode}") from None
                if time.monotonic() > deadline:
                    raise ServerDidNotStart(
                        f"{name} did not start within {timeout:.0f} s"
                    ) from None
                time.sleep(0.5)
        yield server
    finally:
        stop(server)


def stop(process: subprocess.Popen, grace_s: float = 20) -> None:
    """Ask a server to stop (SIGTERM); kill it if it has not within grace_s."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def start_voila(root: Path, target: Path, *options: str, timeout: float = 90):
    """voila_process, yielding the base URL only."""
    with voila_process(root, target, *options, timeout=timeout) as (url, _server):
        yield url
