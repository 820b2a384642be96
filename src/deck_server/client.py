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
from websocket import ABNF

CONFIG_DATA = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Status and body of a GET, following redirects, without raising on errors."""
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class KernelChannel:
    """The websocket a Voila page opens to its kernel (legacy protocol unless `subprotocol`
    names one), driven by hand; `headers` go with the page's request and the websocket's
    (a reverse proxy's X-Real-IP, say)."""

    def __init__(
        self,
        base_url: str,
        page: str,
        subprotocol: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        status, page_html = get(f"{base_url}/voila/render/{page}", headers)
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
            header=[f"{name}: {value}" for name, value in (headers or {}).items()],
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
            message = self.receive(timeout=max(deadline - time.monotonic(), 0.01))
            self.received.append(message)
            if message.get("parent_header", {}).get("msg_id") == msg_id and message[
                "msg_type"
            ].endswith("_reply"):
                return message
        raise AssertionError(f"no reply to {msg_id} within {timeout} s")

    def receive(self, timeout: float = 60) -> dict:
        """The next message; those carrying binary buffers come framed, the others as JSON.

        TimeoutError when none comes within `timeout` s. The server's pings (every 30 s)
        do not count: websocket-client answers them inside its own wait, so that a socket
        timeout alone never ran out on a connection to a kernel that had gone (a visitor of
        the class bench waited on one for as long as the run was let go on)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no message from kernel {self.kernel_id} within {timeout} s")
            self.ws.settimeout(remaining)
            try:
                opcode, frame = self.ws.recv_data_frame(control_frame=True)
            except websocket.WebSocketTimeoutException:
                continue  # the deadline above says so
            if opcode == ABNF.OPCODE_CLOSE:
                raise ConnectionError(
                    f"the server closed the page's connection to {self.kernel_id}"
                )
            if opcode == ABNF.OPCODE_BINARY:
                return deserialize_binary_message(frame.data)
            if opcode == ABNF.OPCODE_TEXT:
                return json.loads(frame.data)

    def alive(self, channel: str = "shell") -> bool:
        reply = self.reply_to(self.send("kernel_info_request", {}, channel=channel))
        return reply["content"]["status"] == "ok"

    def close(self) -> None:
        self.ws.close()
