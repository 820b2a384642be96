"""What the server sends a demo page: brotli or gzip as the browser asks, the same bytes
either way, large files compressed once and then served from the store, lean plotly code,
and only the browser extensions the page uses."""

import gzip
import json
import os
import time
import urllib.request
from urllib.parse import urlsplit

import brotli
import psutil
import pytest

from deck_server.client import CONFIG_DATA, get

PLOTLY_CODE = "voila/templates/deck/static/plotly-widget.js"


def fetch(url: str, accept: str | None) -> tuple[dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(response.headers), response.read()


def decoded(headers: dict, body: bytes) -> bytes:
    encoding = headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding is None, encoding
    return body


@pytest.mark.parametrize("accept", ["gzip, deflate, br, zstd", "gzip, deflate", None])
def test_each_encoding_a_browser_asks_for_decodes_to_the_same_file(voila_url, accept):
    plain_headers, plain = fetch(f"{voila_url}/{PLOTLY_CODE}", None)
    assert "Content-Encoding" not in plain_headers
    headers, body = fetch(f"{voila_url}/{PLOTLY_CODE}", accept)
    expected = "br" if "br" in (accept or "") else "gzip" if accept else None
    assert headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in headers.get("Vary", "")
    assert decoded(headers, body) == plain
    if expected:
        assert len(body) < len(plain) / 2.5


def test_the_plotly_code_carries_the_cartesian_build_and_the_widget(voila_url):
    _headers, code = fetch(f"{voila_url}/{PLOTLY_CODE}", None)
    assert (
        b"plotly.js (cartesian - minified)" in code
    )  # fetch_assets.py serve, as make test runs it
    assert b"window.PlotlyConfig" in code  # plotly's widget code around it
    assert len(code) < 2_000_000  # the full build is 4.9 MB


def extension_file(voila_url: str, name: str) -> str:
    """The URL of a labextension's entry file, as a page's settings name it."""
    _status, html = get(f"{voila_url}/voila/render/demos/coordinates.ipynb")
    config = json.loads(CONFIG_DATA.search(html).group(1))
    (extension,) = [e for e in config["federated_extensions"] if e["name"] == name]
    return f"voila/labextensions/{name}/{extension['load']}"


@pytest.mark.parametrize(
    "path",
    [
        lambda url: PLOTLY_CODE,  # a template's static file: tornado sends its hash as Etag
        lambda url: extension_file(url, "anywidget"),  # Jupyter's handler sends no Etag
    ],
    ids=["template-static", "labextension"],
)
def test_a_large_file_is_compressed_once_then_served_stored(voila_url, path):
    url = f"{voila_url}/{path(voila_url)}"
    _headers, plain = fetch(url, None)
    assert len(plain) > 20_000  # large enough to be stored
    deadline = time.monotonic() + 120  # brotli's best quality on 1.5 MB takes seconds
    while time.monotonic() < deadline:
        headers, body = fetch(url, "br")
        if "Content-Length" in headers:  # the stored copy; a streamed one has no length
            break
        time.sleep(1)
    else:
        pytest.fail("the stored copy never replaced the streamed one")
    assert int(headers["Content-Length"]) == len(body)
    assert brotli.decompress(body) == plain
    assert len(body) < len(brotli.compress(plain, quality=5))  # better than streaming


@pytest.mark.parametrize(
    ("page", "needed", "left_out"),
    [
        ("coordinates", {"nglview-js-widgets"}, {"@jupyterlab/mathjax3-extension"}),
        ("likelihood", set(), {"nglview-js-widgets", "@jupyterlab/mathjax3-extension"}),
    ],
)
def test_a_page_loads_only_the_browser_extensions_it_uses(voila_url, page, needed, left_out):
    status, html = get(f"{voila_url}/voila/render/demos/{page}.ipynb")
    assert status == 200
    config = json.loads(CONFIG_DATA.search(html).group(1))
    names = {extension["name"] for extension in config["federated_extensions"]}
    assert {"@jupyter-widgets/jupyterlab-manager", "anywidget"} | needed <= names
    assert not names & left_out


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets: Windows keeps TCP")
def test_kernels_talk_to_the_server_over_unix_sockets(voila_url):
    """IPC transport: no TCP port picked and bound later (the race tens of kernels starting
    at once lose now and then), nothing other users could connect to."""
    port = urlsplit(voila_url).port
    (server,) = {
        c.pid
        for c in psutil.net_connections("tcp")
        if c.laddr.port == port and c.status == "LISTEN"
    }

    def is_a_kernel(process) -> bool:
        # a kernel's own children come and go (featurize.panels._figure_pictures's drawing)
        try:
            return "ipykernel" in " ".join(process.cmdline())
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            return False

    def channels(kernel) -> set[str]:
        return {str(c.laddr) for c in kernel.net_connections("unix") if "-ipc-" in str(c.laddr)}

    deadline = time.monotonic() + 120  # the preheated kernels are still starting
    while time.monotonic() < deadline:
        kernels = [p for p in psutil.Process(server).children(recursive=True) if is_a_kernel(p)]
        if kernels and all(len(channels(kernel)) == 5 for kernel in kernels):
            break  # shell, iopub, stdin, control, heartbeat
        time.sleep(1)
    else:
        pytest.fail(f"kernels without their five Unix sockets: {[channels(k) for k in kernels]}")
