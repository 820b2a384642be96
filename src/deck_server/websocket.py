"""The kernel websocket of a public page: malformed frames dropped before they are parsed,
and nothing leaves a kernel that a visitor should not see.

Standalone Voila only (`make serve`, `make present`), through a supported setting:
`c.Voila.kernel_websocket_connection_class`. Under Jupyter Server (Binder, JupyterHub) the
kernels belong to the user who runs the server, and JupyterLab must see its tracebacks,
so none of this applies there (docs/deploy.md).

Written for jupyter_server 2.17–2.21 and voila 0.5.x. Upstream: the incoming-frame checks
are docs/upstream/jupyter-server-websocket-frames.md; Voila's outgoing filter (which this
replaces) is docs/upstream/voila-execute-input-filter.md. Delete each part when its fix
is released.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import time
from collections import deque
from typing import ClassVar

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.websocket import WebSocketHandler

from ._shape import expect

V1 = "v1.kernel.websocket.jupyter.org"
# No kernel message has more parts than this: channel, header, parent header, metadata,
# content and its buffers (a widget update carries a few).
MAX_PARTS = 1024
# Messages a visitor's browser never receives: the notebook's code (execute_input),
# tracebacks (error), and whatever a kernel writes to stderr (warnings with paths).
HIDDEN = frozenset({"execute_input", "error"})
# A message's cost in a page's message pace (deck_server.visitors.Pace): one, and one more
# per this many bytes, so that a large update counts for what it costs to parse and relay.
BYTES_PER_MESSAGE = 4096
# What may wait in a page's queue, once its pace is spent: a client sending without waiting
# for answers fills it, and its connection is closed (a browser waits for each answer).
MAX_WAITING_MESSAGES = 500
MAX_WAITING_BYTES = 16 * 2**20

PATCH = "deck_server.websocket"
expect(ZMQChannelsWebsocketConnection, "handle_incoming_message", ("incoming_msg",), PATCH)
expect(ZMQChannelsWebsocketConnection, "handle_outgoing_message", ("stream", "outgoing_msg"), PATCH)
expect(WebSocketHandler, "write_message", ("message", "binary"), PATCH)
expect(ZMQChannelsWebsocketConnection, "connect", (), PATCH)
expect(ZMQChannelsWebsocketConnection, "disconnect", (), PATCH)


def v1_frame_problem(frame: bytes) -> str | None:
    """What is wrong with a binary frame of the v1 protocol, or None.

    Layout: an 8-byte little-endian count n, n 8-byte offsets, then the parts; part i runs
    from offset i to offset i + 1 (the last to the end of the frame)."""
    if len(frame) < 8:
        return "shorter than its part count"
    count = int.from_bytes(frame[:8], "little")
    if not 2 <= count <= min(MAX_PARTS, len(frame) // 8 - 1):
        return f"declares {count} offsets in a frame of {len(frame)} bytes"
    offsets = [int.from_bytes(frame[8 * i : 8 * i + 8], "little") for i in range(1, count + 1)]
    return offsets_problem(offsets, start=8 * (count + 1), end=len(frame))


def legacy_frame_problem(frame: bytes) -> str | None:
    """The same for the legacy binary framing: a 4-byte big-endian count, 4-byte offsets."""
    if len(frame) < 4:
        return "shorter than its part count"
    count = int.from_bytes(frame[:4], "big", signed=True)
    if not 1 <= count <= min(MAX_PARTS, (len(frame) - 4) // 4):
        return f"declares {count} buffers in a frame of {len(frame)} bytes"
    offsets = [int.from_bytes(frame[4 * i : 4 * i + 4], "big") for i in range(1, count + 1)]
    return offsets_problem(offsets, start=4 * (count + 1), end=len(frame))


def offsets_problem(offsets: list[int], start: int, end: int) -> str | None:
    if offsets[0] != start:
        return f"its first part starts at {offsets[0]}, not after the offsets ({start})"
    if any(b < a for a, b in itertools.pairwise(offsets)) or offsets[-1] > end:
        return "its offsets decrease or point past its end"
    return None


def hidden(msg_type: str, content: bytes) -> bool:
    if msg_type in HIDDEN:
        return True
    if msg_type == "stream":
        try:
            return json.loads(content).get("name") == "stderr"
        except (ValueError, AttributeError):
            return True
    return False


class PublicKernelConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection, for visitors who may be anyone.

    It also tells `visitors` (deck_server.visitors, set by deck_server.install) when a
    browser connects to a kernel and when it leaves."""

    visitors = None
    _booked = False
    _waiting: deque | None = None  # messages held back by the page's pace, in order
    _waiting_bytes = 0
    _drain = None  # the IOLoop timeout that sends them on
    # The open connections of each kernel, so that a kernel shut down takes its pages'
    # websockets with it (jupyter_server leaves them open, and a page then sits silent).
    by_kernel: ClassVar[dict[str, set[PublicKernelConnection]]] = {}

    def connect(self):
        connected = super().connect()
        if self.channels:
            self.by_kernel.setdefault(self.kernel_id, set()).add(self)
        if self.visitors is not None and self.channels and not self._booked:
            self._booked = True
            self.visitors.connected(self.kernel_id)
        return connected

    def disconnect(self):
        self._stop_waiting()
        super().disconnect()
        self.by_kernel.get(self.kernel_id, set()).discard(self)
        if self._booked:
            self._booked = False
            self.visitors.disconnected(self.kernel_id, time.monotonic())

    @classmethod
    def close_pages_of(cls, kernel_id: str) -> None:
        """Close the websockets of the pages of a kernel that is gone: a page notices a
        closed connection (and says so) where it would not notice a silent one."""
        for connection in list(cls.by_kernel.pop(kernel_id, ())):
            with contextlib.suppress(Exception):  # closing already
                connection.websocket_handler.close(4004, "The kernel of this page has stopped.")

    def handle_incoming_message(self, incoming_msg) -> None:
        if isinstance(incoming_msg, bytes):
            check = v1_frame_problem if self.subprotocol == V1 else legacy_frame_problem
            problem = check(incoming_msg)
            if problem:
                # Parsing it would make the server build that many offsets on its only
                # thread (a 24-byte frame declaring 2**62 froze a server for good).
                self.log.warning("Dropped a malformed binary frame: %s", problem)
                return
        if self.visitors is None:
            super().handle_incoming_message(incoming_msg)
            return
        if self._waiting is None:
            self._waiting = deque()
        self._waiting.append(incoming_msg)
        self._waiting_bytes += len(incoming_msg)
        if len(self._waiting) > MAX_WAITING_MESSAGES or self._waiting_bytes > MAX_WAITING_BYTES:
            self.log.warning("Closed a connection that kept sending without waiting for answers")
            self._stop_waiting()
            self.websocket_handler.close(1008, "Too many messages: slow down, then reload.")
            return
        if self._drain is None:
            self._send_waiting()

    def _send_waiting(self) -> None:
        """Send the waiting messages on to the kernel as far as the page's pace allows, and
        come back when it allows the next."""
        from tornado.ioloop import IOLoop

        self._drain = None
        while self._waiting:
            message = self._waiting[0]
            cost = 1 + len(message) // BYTES_PER_MESSAGE
            wait_s = self.visitors.message_wait_s(self.kernel_id, cost, time.monotonic())
            if wait_s > 0:
                self._drain = IOLoop.current().call_later(wait_s, self._send_waiting)
                return
            self._waiting.popleft()
            self._waiting_bytes -= len(message)
            super().handle_incoming_message(message)

    def _stop_waiting(self) -> None:
        if self._drain is not None:
            from tornado.ioloop import IOLoop

            IOLoop.current().remove_timeout(self._drain)
            self._drain = None
        self._waiting, self._waiting_bytes = None, 0

    def handle_outgoing_message(self, stream, outgoing_msg) -> None:
        _identities, parts = self.session.feed_identities(outgoing_msg)
        try:  # parts: signature, header, parent header, metadata, content, buffers
            msg_type = json.loads(bytes(parts[1]))["msg_type"]
            if hidden(msg_type, bytes(parts[4])):
                return
        except (ValueError, KeyError, IndexError, TypeError):
            self.log.warning("Dropped an unreadable message from the kernel")
            return
        super().handle_outgoing_message(stream, outgoing_msg)

    @property
    def write_message(self):
        """tornado's write_message, past Voila's own execute_input filter: that filter reads
        every binary message as v1, and a legacy client's first widget buffer sent it into
        a loop of billions of offsets. The messages are filtered above instead."""
        return functools.partial(WebSocketHandler.write_message, self.websocket_handler)
