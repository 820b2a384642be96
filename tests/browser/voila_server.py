"""Start Voila the way `make serve` and `make present` do, on a free port (tests, benchmarks)."""

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import websocket  # websocket-client, which jupyter_server itself depends on
from jupyter_server.services.kernels.connection.base import deserialize_binary_message

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
    with voila_process(target, *options, timeout=timeout) as (url, _server):
        yield url


@contextlib.contextmanager
def voila_process(
    target: Path, *options: str, timeout: float = 90, log: Path | None = None, **environment: str
):
    """start_voila, yielding the server's process too; its log into `log`, if given;
    environment adds variables."""
    port = free_port()
    command = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}"]
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [*command, "--Voila.ip=127.0.0.1", *options, str(target)],
        cwd=ROOT,
        env={**voila_environment(), **environment},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w") if log else subprocess.DEVNULL,
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
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


CONFIG_DATA = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)


def get(url: str) -> tuple[int, str]:
    """Status and body of a GET, following redirects, without raising on errors."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class KernelChannel:
    """The websocket a Voila page opens to its kernel, driven by hand."""

    def __init__(self, base_url: str, page: str):
        status, page_html = get(f"{base_url}/voila/render/{page}")
        assert status == 200
        config = CONFIG_DATA.search(page_html)
        assert config, f"a page without its kernel's settings: {page_html[:300]!r}"
        self.kernel_id = json.loads(config.group(1))["kernelId"]
        self.session = uuid.uuid4().hex
        ws_url = base_url.replace("http://", "ws://")
        self.ws = websocket.create_connection(
            f"{ws_url}/api/kernels/{self.kernel_id}/channels?session_id={self.session}",
            timeout=60,
        )
        self.received: list[dict] = []

    def send(
        self, msg_type: str, content: dict, channel: str = "shell", metadata: dict | None = None
    ) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "visitor",
            "version": "5.3",
            "date": "",
        }
        self.ws.send(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": metadata or {},
                    "content": content,
                    "channel": channel,
                    "buffers": [],
                }
            )
        )
        return msg_id

    def reply_to(self, msg_id: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.receive()
            self.received.append(message)
            if message.get("parent_header", {}).get("msg_id") == msg_id and message[
                "msg_type"
            ].endswith("_reply"):
                return message
        raise AssertionError(f"no reply to {msg_id} within {timeout} s")

    def receive(self) -> dict:
        """The next message; those carrying binary buffers come framed, the others as JSON."""
        frame = self.ws.recv()
        if isinstance(frame, bytes):
            return deserialize_binary_message(frame)
        return json.loads(frame)

    def alive(self, channel: str = "shell") -> bool:
        reply = self.reply_to(self.send("kernel_info_request", {}, channel=channel))
        return reply["content"]["status"] == "ok"

    def close(self) -> None:
        self.ws.close()
