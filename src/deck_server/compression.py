"""brotli (gzip for browsers without it) for what Voila sends; a large static file
compressed once, at the best quality, and then sent from a store.

A demo page fetches about 10 MB of JavaScript. tornado's own `compress_response` gzips
every response anew, at level 6, on the server's one thread. Here a static file (tornado
tags each with its content hash as Etag; Jupyter's labextension handler sends none, so
its files are keyed by path, modification time and size) is compressed once at brotli's
best (quality 11, a fifth smaller than gzip) in a background thread, kept in memory and
on disk (so that a restarted server has it at once), and later requests get the stored
bytes; until then, and for everything else, responses are compressed as they stream.

Standalone Voila only: tornado reads its transforms when the application is built, so
they go into the settings `Voila.init_settings` returns (Voila applies its own
`tornado_settings` trait too late for them). Under Jupyter Server (Binder, JupyterHub)
nothing here runs: tornado's own gzip does the job there (etc/jupyter/jupyter_server_config.py;
a hub's proxy compresses nothing, docs/deploy.md). Written for tornado 6.4–6.6
and voila 0.5.x; it refuses to install when what it patches changes shape.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tornado.web
from tornado.httputil import HTTPHeaders

from ._files import write_atomically
from ._shape import expect

STREAM_QUALITY = 5  # brotli's quality while streaming: about gzip's cost, smaller output
MIN_STORED = 20_000  # bytes: smaller files are not worth compressing twice
PATCH = "deck_server.compression"

try:
    import brotli
except ImportError:  # a dependency of the deck; without it, gzip only
    brotli = None


class Store:
    """Compressed static files by (identity, encoding), in memory and in `folder`."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.compressed: dict[tuple[str, str], bytes] = {}
        # Keys queued or being compressed: a file asked for again meanwhile (every page of a
        # class opening at once) is not queued again. Each queued copy costs seconds at
        # brotli's best quality, one after another, and a backlog of them kept the stored
        # copies from arriving for minutes.
        self.pending: set[tuple[str, str]] = set()
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compress")
        if folder is not None:
            for path in folder.glob("*.*"):
                identity, _, encoding = path.name.partition(".")
                if encoding in ("br", "gzip"):
                    self.compressed[identity, encoding] = path.read_bytes()

    def get(self, key: tuple[str, str] | None) -> bytes | None:
        return self.compressed.get(key) if key else None

    def add_later(self, key: tuple[str, str], data: bytes) -> None:
        """Compress `data` at the best quality in the background, then keep it."""
        if len(data) >= MIN_STORED and key not in self.compressed and key not in self.pending:
            self.pending.add(key)
            self._background.submit(self.add, key, data)

    def add(self, key: tuple[str, str], data: bytes) -> None:
        try:
            self._add(key, data)
        finally:
            self.pending.discard(key)

    def _add(self, key: tuple[str, str], data: bytes) -> None:
        identity, encoding = key
        if encoding == "br":
            self.compressed[key] = brotli.compress(data, quality=11)
        else:
            self.compressed[key] = gzip.compress(data, compresslevel=9, mtime=0)
        if self.folder is not None:
            with contextlib.suppress(OSError):  # a read-only checkout: kept in memory only
                write_atomically(self.folder / f"{identity}.{encoding}", self.compressed[key])


def file_key(path: str, headers) -> str | None:
    """A static file's identity: its content hash (the Etag tornado's handlers send) or,
    from handlers that send none (Jupyter's labextension files), its path, modification
    time and size; None for anything else (pages, API answers)."""
    etag = str(headers.get("Etag", "")).strip('"')
    if etag.isalnum():
        return etag
    if "Last-Modified" in headers and "Content-Length" in headers:
        identity = f"{path}|{headers['Last-Modified']}|{headers['Content-Length']}"
        return hashlib.sha256(identity.encode()).hexdigest()
    return None


expect(tornado.web.GZipContentEncoding, "transform_first_chunk", ("status_code", "headers", "chunk", "finishing"), PATCH)  # fmt: skip
expect(tornado.web.GZipContentEncoding, "transform_chunk", ("chunk", "finishing"), PATCH)
expect(tornado.web.GZipContentEncoding, "_compressible_type", ("ctype",), PATCH)


def transform(store: Store) -> type[tornado.web.OutputTransform]:
    """A tornado output transform compressing with `store`'s help."""

    class Compress(tornado.web.GZipContentEncoding):
        def __init__(self, request) -> None:
            accepted = request.headers.get("Accept-Encoding", "")
            self.encoding = (
                "br" if brotli and "br" in accepted else "gzip" if "gzip" in accepted else None
            )
            self.active = False
            self.path = request.path

        def transform_first_chunk(
            self, status_code: int, headers: HTTPHeaders, chunk: bytes, finishing: bool
        ):
            headers["Vary"] = ", ".join(filter(None, [headers.get("Vary"), "Accept-Encoding"]))
            content_type = str(headers.get("Content-Type", "")).split(";")[0]
            self.active = bool(
                self.encoding
                and status_code == 200
                and self._compressible_type(content_type)
                and (not finishing or len(chunk) >= self.MIN_LENGTH)
                and "Content-Encoding" not in headers
            )
            if not self.active:
                return status_code, headers, chunk
            headers["Content-Encoding"] = self.encoding
            identity = file_key(self.path, headers)
            self.key = (identity, self.encoding) if identity else None
            stored = store.get(self.key)
            if stored is not None:
                self.replay = True
                headers["Content-Length"] = str(len(stored))
                return status_code, headers, stored
            self.replay = False
            self.raw: list[bytes] = []
            if self.encoding == "br":
                self.stream = brotli.Compressor(quality=STREAM_QUALITY)
            else:
                self.stream = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: gzip framing
            headers.pop("Content-Length", None)
            return status_code, headers, self.transform_chunk(chunk, finishing)

        def transform_chunk(self, chunk: bytes, finishing: bool) -> bytes:
            if not self.active:
                return chunk
            if self.replay:
                return b""  # the stored bytes went out with the first chunk
            if self.key:
                self.raw.append(chunk)
            if self.encoding == "br":
                out = self.stream.process(chunk) + (
                    self.stream.finish() if finishing else self.stream.flush()
                )
            else:
                out = self.stream.compress(chunk) + self.stream.flush(
                    zlib.Z_FINISH if finishing else zlib.Z_SYNC_FLUSH
                )
            if finishing and self.key:
                store.add_later(self.key, b"".join(self.raw))
            return out

    return Compress
