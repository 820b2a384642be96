"""A visitor's side of a page, spoken by hand: for the tests and benchmarks that play
students (or attackers) without a browser."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid

import websocket  # websocket-client, which jupyter_server itself depends on
from jupyter_server.services.kernels.connection.base import deserialize_binary_message

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
    """The websocket a Voila page opens to its kernel (legacy protocol unless `subprotocol`
    names one), driven by hand."""

    def __init__(self, base_url: str, page: str, subprotocol: str | None = None):
        status, page_html = get(f"{base_url}/voila/render/{page}")
        if status != 200:
            raise RuntimeError(f"{page} answered {status}: {page_html[:300]!r}")
        config = CONFIG_DATA.search(page_html)
        if not config:
            raise RuntimeError(f"a page without its kernel's settings: {page_html[:300]!r}")
        self.kernel_id = json.loads(config.group(1))["kernelId"]
        self.session = uuid.uuid4().hex
        ws_url = base_url.replace("http://", "ws://")
        self.ws = websocket.create_connection(
            f"{ws_url}/api/kernels/{self.kernel_id}/channels?session_id={self.session}",
            timeout=60,
            subprotocols=[subprotocol] if subprotocol else None,
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
