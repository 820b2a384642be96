"""deck_server.websocket: binary frames checked before jupyter_server parses them, and what
a visitor's browser never receives."""

import contextlib
import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
    serialize_binary_message,
    serialize_msg_to_ws_v1,
)

from deck_server.websocket import hidden, legacy_frame_problem, v1_frame_problem

PARTS = [b'{"msg_type": "comm_msg"}', b"{}", b"{}", b'{"data": {}}', b"\x00\x01buffer"]


def test_frames_as_jupyter_server_writes_them_pass():
    assert v1_frame_problem(serialize_msg_to_ws_v1(PARTS, "shell")) is None
    message = {
        "header": {"msg_type": "comm_msg"},
        "parent_header": {},
        "metadata": {},
        "content": {},
        "buffers": [b"\x00\x01", b"\x02"],
    }
    assert legacy_frame_problem(serialize_binary_message(message)) is None


def test_the_24_byte_frame_that_froze_the_server_is_refused():
    """A v1 frame whose offset count is 2**62 made jupyter_server build that many offsets
    on the server's only thread (the red-team report, 2.15); 10**7 froze it for 6 s."""
    for count in (2**62, 10**7, 2**64 - 1):
        frame = count.to_bytes(8, "little") + b"\0" * 16
        assert "declares" in v1_frame_problem(frame)


def test_a_legacy_frame_with_a_huge_or_negative_buffer_count_is_refused():
    for count in (10**7, 2**31 - 1, -5, 0):
        frame = count.to_bytes(4, "big", signed=True) + b"\0" * 16
        assert "declares" in legacy_frame_problem(frame)


def test_offsets_that_decrease_or_leave_the_frame_are_refused():
    good = bytearray(serialize_msg_to_ws_v1(PARTS, "shell"))
    past_end = bytearray(good)
    past_end[8 * 3 : 8 * 4] = (len(good) + 100).to_bytes(8, "little")
    assert "past its end" in v1_frame_problem(bytes(past_end))
    backwards = bytearray(good)
    backwards[8 * 3 : 8 * 4] = (8).to_bytes(8, "little")
    assert v1_frame_problem(bytes(backwards))


@given(st.binary(max_size=200))
def test_any_frame_that_passes_parses_at_once(frame):
    """Whatever bytes arrive: a frame the check lets through is parsed by jupyter_server
    in well under a millisecond per byte, never in a loop over a declared count."""
    if v1_frame_problem(frame) is None:
        start = time.perf_counter()
        deserialize_msg_from_ws_v1(frame)
        assert time.perf_counter() - start < 0.05
    if legacy_frame_problem(frame) is None:
        start = time.perf_counter()
        with contextlib.suppress(ValueError, KeyError, TypeError):  # not a message: refused
            deserialize_binary_message(frame)
        assert time.perf_counter() - start < 0.05


@pytest.mark.parametrize(
    ("msg_type", "content", "hide"),
    [
        ("execute_input", {"code": "secret"}, True),
        ("error", {"traceback": ["/home/…/site-packages/…"]}, True),
        ("stream", {"name": "stderr", "text": "Traceback …"}, True),
        ("stream", {"name": "stdout", "text": "3 molecules"}, False),
        ("comm_msg", {"data": {}}, False),
        ("status", {"execution_state": "idle"}, False),
    ],
)
def test_what_a_visitor_never_receives(msg_type, content, hide):
    assert hidden(msg_type, json.dumps(content).encode()) is hide
