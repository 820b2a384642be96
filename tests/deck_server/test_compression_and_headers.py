"""deck_server.compression and deck_server.headers: tornado output transforms, driven as
tornado drives them."""

import gzip
from types import SimpleNamespace

import brotli
from tornado.httputil import HTTPHeaders

from deck_server import compression
from deck_server.headers import SecurityHeaders
from deck_server.plotly_bundle import plotly_widget_code

CODE = plotly_widget_code().read_bytes()[:200_000]  # 200 kB of real JavaScript


def request(accept: str, path: str = "/static/code.js"):
    return SimpleNamespace(headers={"Accept-Encoding": accept}, path=path)


def send(transform, chunks, etag="abc123"):
    headers = HTTPHeaders({"Content-Type": "application/javascript", "Etag": f'"{etag}"'})
    _status, headers, first = transform.transform_first_chunk(
        200, headers, chunks[0], len(chunks) == 1
    )
    body = [first] + [
        transform.transform_chunk(c, i == len(chunks) - 2) for i, c in enumerate(chunks[1:])
    ]
    return headers, b"".join(body)


def test_brotli_or_gzip_as_asked_and_the_same_bytes_after(tmp_path):
    store = compression.Store(tmp_path)
    transform = compression.transform(store)
    chunks = [CODE[:50_000], CODE[50_000:120_000], CODE[120_000:]]
    headers, body = send(transform(request("gzip, br")), chunks)
    assert headers["Content-Encoding"] == "br" and brotli.decompress(body) == CODE
    headers, body = send(transform(request("gzip")), chunks)
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == CODE
    headers, body = send(transform(request("")), chunks)
    assert "Content-Encoding" not in headers and body == CODE


def test_a_large_file_is_compressed_once_then_sent_from_the_store(tmp_path):
    store = compression.Store(tmp_path)
    store.add(("abc123", "br"), CODE)  # what the background thread does after a first send
    headers, body = send(compression.transform(store)(request("br")), [CODE])
    assert int(headers["Content-Length"]) == len(body)
    assert brotli.decompress(body) == CODE
    assert len(body) < len(brotli.compress(CODE, quality=compression.STREAM_QUALITY))
    assert compression.Store(tmp_path).get(("abc123", "br")) == body  # kept across restarts


def test_a_file_asked_for_again_while_it_is_compressed_is_compressed_once(tmp_path, monkeypatch):
    """A class opening its pages at once asks for the same file many times before the
    best-quality copy is ready: one compression, not one per request, one after another."""
    import threading

    release, best = threading.Event(), []

    class CountingBrotli:
        Compressor = brotli.Compressor

        @staticmethod
        def compress(data, quality=11):
            best.append(quality)
            release.wait(10)  # still compressing while the other pages ask
            return brotli.compress(data, quality=quality)

    monkeypatch.setattr(compression, "brotli", CountingBrotli)
    store = compression.Store(tmp_path)
    for _ in range(5):  # five visitors' pages stream the file before its copy is stored
        _headers, body = send(compression.transform(store)(request("br")), [CODE])
        assert brotli.decompress(body) == CODE
    release.set()
    store._background.shutdown(wait=True)
    assert best == [11]
    assert store.get(("abc123", "br")) is not None


def test_a_labextension_file_without_etag_is_keyed_by_path_time_and_size():
    headers = {"Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT", "Content-Length": "5"}
    key = compression.file_key("/lab/x.js", headers)
    assert key == compression.file_key("/lab/x.js", dict(headers))
    assert key != compression.file_key("/lab/y.js", headers)
    assert compression.file_key("/voila/render/x", {}) is None  # a page: never stored


def test_every_response_gets_the_security_headers_and_no_server_version():
    headers = HTTPHeaders(
        {
            "Server": "TornadoServer/6.6.1",
            "Content-Security-Policy": "frame-ancestors 'self'; report-uri /api/security/csp-report",
        }
    )
    _status, headers, _chunk = SecurityHeaders(request("")).transform_first_chunk(
        200, headers, b"", True
    )
    assert "Server" not in headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "report-uri" not in policy and headers["Referrer-Policy"] == "same-origin"
