"""What a visitor of the public web app can and cannot do, tried against a real Voila server.

Voila's model: the notebook runs on the server and the visitor only sees its outputs and
talks to its widgets. So no code from the browser runs, no source file is handed out,
nothing outside notebooks/ is reachable and no traceback reaches the page.
"""

import json
from pathlib import Path

import pytest

from deck_server.client import KernelChannel, get
from deck_server.launch import start_voila

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def channel(voila_url):
    channel = KernelChannel(voila_url, "demos/coordinates.ipynb")
    yield channel
    channel.close()


def test_code_sent_by_a_visitor_is_not_run(channel, tmp_path):
    marker = tmp_path / "visitor-was-here"
    code = f"open({str(marker)!r}, 'w').write('ran')"
    channel.send("execute_request", {"code": code, "silent": False, "store_history": False})
    channel.send("execute_request", {"code": code, "silent": True}, channel="control")
    # The kernel answers on each channel in order: had either request reached it, it ran first.
    assert channel.alive() and channel.alive(channel="control")
    assert not marker.exists()
    assert not any(m["msg_type"] in ("execute_reply", "execute_input") for m in channel.received)


NONSENSE = [
    {"method": "update", "state": {"value": {"not": "a value"}}, "buffer_paths": []},
    {"method": "update", "state": {"index": 10**6}, "buffer_paths": []},
    {"method": "update", "state": {"value": "NaN"}, "buffer_paths": []},
    {"method": "update", "state": None},
    {},
    "x",
    {"method": "custom", "content": None},
    # what nglview's view is sent by its browser code, with content it cannot read
    {"method": "custom", "content": {"type": "removeComponent", "data": "x"}},
    {"method": "custom", "content": {"type": "repr_parameters", "data": {}}},
    {"method": "custom", "content": {"type": "request_loaded", "data": {"a": 1}}},
    {"method": "custom", "content": {"type": "updateIDs", "data": None}},
]


def test_nonsense_sent_to_the_widgets_gets_a_message_not_a_crash(channel):
    """…and no traceback: neither as an `error` nor on stderr (2.3–2.5 of the red-team
    report: ipywidgets and nglview answered these with tracebacks and file paths)."""
    reply = channel.reply_to(channel.send("comm_info_request", {}))
    comms = reply["content"]["comms"]
    assert len(comms) > 5  # sliders, dropdown, figure, 3-D view, …
    for comm_id in comms:
        for data in NONSENSE:
            channel.send("comm_msg", {"comm_id": comm_id, "data": data})
    assert channel.alive()
    updates = [
        m["content"]["data"].get("state", {})
        for m in channel.received
        if m["msg_type"] == "comm_msg"
    ]
    assert any("cannot take" in str(state.get("value", "")) for state in updates)
    assert not any(m["msg_type"] == "error" for m in channel.received)
    stderr = [
        m
        for m in channel.received
        if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"
    ]
    assert stderr == []


@pytest.mark.parametrize(
    "path",
    [
        "voila/files/demos/coordinates.ipynb",
        "voila/files/lecture.ipynb",
        "voila/files/../pyproject.toml",
        "voila/files/%2e%2e/pyproject.toml",
        "voila/files/..%2fsrc%2ffeaturize%2f__init__.py",
        "voila/render/%2e%2e/pyproject.toml",
        "voila/render/../etc/jupyter/voila.py",
        "voila/render/%2fetc%2fpasswd",
        "voila/tree/..",
        "voila/static/..%2fapp.py",
        "voila/templates/deck/static/..%2f..%2fconf.json",
        "voila/labextensions/../../voila.py",
        "files/demos/coordinates.ipynb",
        "api/contents/demos/coordinates.ipynb",
        "api/kernels",
        "lab",
    ],
)
def test_no_source_and_nothing_outside_the_served_folder(voila_url, path):
    status, body = get_raw(voila_url, path)
    assert status >= 400, f"{path} answered {status}"
    for secret in ("[project]", "import ", '"cells"', "root:", "Traceback"):
        assert secret not in body


def get_raw(base_url: str, path: str) -> tuple[int, str]:
    """A GET with the path sent exactly as written (no client-side '..' clean-up)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    for _ in range(5):  # follow redirects by hand, keeping paths raw
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.request("GET", f"/{path.lstrip('/')}")
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        connection.close()
        if response.status not in (301, 302, 303, 307, 308):
            return response.status, body
        path = urlsplit(response.getheader("Location")).path
    return response.status, body


def test_contents_api_lists_names_but_never_content(voila_url):
    status, body = get(f"{voila_url}/voila/api/contents/demos/coordinates.ipynb?content=1")
    assert status == 200
    assert json.loads(body)["content"] is None


def test_a_failing_cell_shows_no_traceback(tmp_path):
    secret = "SECRET-PATH-/home/instructor/answers"
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "fails",
                "metadata": {},
                "outputs": [],
                "source": f"raise RuntimeError({secret!r})",
            }
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "broken.ipynb").write_text(json.dumps(notebook))
    with start_voila(ROOT, tmp_path) as url:
        status, body = get(f"{url}/voila/render/broken.ipynb")
    assert status == 200
    assert "There was an error when executing cell" in body
    for leak in (secret, "RuntimeError", "Traceback", str(ROOT)):
        assert leak not in body


def one_cell_notebook(source: str) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": "only",
                    "metadata": {},
                    "outputs": [],
                    "source": source,
                }
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_a_legacy_client_receiving_widget_buffers_does_not_stall_the_server(tmp_path):
    """Binary kernel messages to a legacy-protocol client once sent Voila into a 10 GB loop."""
    import psutil

    source = "import ipywidgets\nipywidgets.Image(format='png', value=b'pixels')"
    (tmp_path / "image.ipynb").write_text(one_cell_notebook(source))
    with start_voila(ROOT, tmp_path) as url:
        channel = KernelChannel(url, "image.ipynb")
        comms = channel.reply_to(channel.send("comm_info_request", {}))["content"]["comms"]
        for comm_id in comms:  # ask each widget for its state: the image answers with a buffer
            channel.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
        assert channel.alive()
        port = url.rsplit(":", 1)[1]
        server = next(
            p
            for p in psutil.process_iter(["cmdline"])
            if f"--port={port}" in " ".join(p.info["cmdline"] or [])
        )
        assert server.memory_info().rss < 1e9
        status, _ = get(f"{url}/voila/api/contents/image.ipynb")
        assert status == 200
        channel.close()
