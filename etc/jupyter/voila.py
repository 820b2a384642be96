"""Voila settings for `make serve` and `make present`, found through JUPYTER_CONFIG_PATH.

(Not in the repository's root: a voila.py there would shadow the voila package itself.)

The public web app: a landing page listing the demos, one dashboard per demo, kernels
started ahead of visitors and shut down after they leave, no CDN, no tracebacks.
"""

import importlib.util
import json
import os
import re
from pathlib import Path

c = get_config()  # noqa: F821 (traitlets provides get_config in config files)
ROOT = Path(__file__).resolve().parents[2]
DEMOS = ROOT / "notebooks" / "demos"

# Our templates (share/jupyter/voila/templates/, found through JUPYTER_PATH): Voila's
# lab look without its CDN stylesheet, and the landing page in place of the file list.
c.VoilaConfiguration.template = "deck"
c.VoilaConfiguration.show_tracebacks = False  # Voila's default, kept on purpose
# Only pictures are downloadable: never notebooks, Python files or anything else.
c.VoilaConfiguration.file_allowlist = [r".*\.(png|jpg|gif|svg)"]

# The browser loads only what these pages use: Voila's widget manager, the renderers of
# our widgets and math in Markdown. Anything installed later stays out until listed here.
c.VoilaConfiguration.extension_allowlist = [
    "@voila-dashboards/widgets-manager8",
    "@jupyter-widgets/jupyterlab-manager",
    "anywidget",
    "nglview-js-widgets",
    "@jupyterlab/mathjax3-extension",
]

# `make present` (template deck-reveal): reveal.js from the local copy fetch_assets.py made,
# slides wide enough for a panel, long slides scroll.
c.VoilaConfiguration.resources = {
    "reveal": {
        "url_prefix": "voila/templates/deck-reveal/static/vendor/reveal.js",
        "theme": "white",
        "width": 1280,
        "height": 800,
        "scroll": True,
    }
}


# plotly's widget bundle is one esbuild module holding all of plotly.js as a CommonJS
# module, a UMD wrapper from its header `(function(root,factory){typeof module=="object"…`
# to its last words `return window.Plotly=Plotly,Plotly})`. Minified names differ by release.
PLOTLY_UMD_HEAD = re.compile(
    r'\(function\((\w+),(\w+)\)\{typeof (\w+)=="object"&&\3\.exports\?\3\.exports=\2\(\)'
    r":\1\.moduleName=\2\(\)\}\)"
)
PLOTLY_UMD_TAIL = re.compile(r"return window\.Plotly=(\w+),\1\}\)")
DECK_STATIC = ROOT / "share" / "jupyter" / "voila" / "templates" / "deck" / "static"
CARTESIAN_PLOTLY = (
    DECK_STATIC / "vendor" / "plotly.js-cartesian-dist-min" / "plotly-cartesian.min.js"
)


def lean_widget_bundle(bundle: str, plotly_js: str) -> str | None:
    """plotly's widget code with the plotly.js inside it swapped for `plotly_js` (a UMD
    build, such as the cartesian one), or None if the bundle is not shaped as expected."""
    heads = list(PLOTLY_UMD_HEAD.finditer(bundle))
    if len(heads) != 1:
        return None
    tails = list(PLOTLY_UMD_TAIL.finditer(bundle, heads[0].end()))
    if len(tails) != 1:
        return None
    module = heads[0].group(3)  # the CommonJS `module` the UMD wrapper fills in
    return (
        bundle[: heads[0].start()]
        + f"(function(module){{{plotly_js}\n}})({module})"
        + bundle[tails[0].end() :]
    )


def publish_plotly_bundle() -> None:
    """Serve plotly's widget code as one cacheable file (see featurize/panels/_figure.py),
    with the cartesian plotly.js (1.4 MB, every trace the panels draw) in place of the full
    one (4.6 MB) once `scripts/fetch_assets.py serve` has fetched it."""
    plotly = Path(importlib.util.find_spec("plotly").submodule_search_locations[0])
    source = plotly / "package_data" / "widgetbundle.js"
    target = DECK_STATIC / "plotly-widget.js"
    # What it is built from; the kernels compare source_bytes with their own plotly. Read
    # before anything else, so that a server start with nothing new builds nothing.
    stamp = json.dumps(
        {
            "source_bytes": source.stat().st_size,
            "cartesian_bytes": CARTESIAN_PLOTLY.stat().st_size if CARTESIAN_PLOTLY.is_file() else 0,
        }
    )
    stamp_file = target.with_suffix(".json")
    if target.is_file() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    code = source.read_text(encoding="utf-8")
    if CARTESIAN_PLOTLY.is_file():
        code = lean_widget_bundle(code, CARTESIAN_PLOTLY.read_text(encoding="utf-8")) or code
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_text(code, encoding="utf-8")
    partial.replace(target)  # kernels see the old file or the new one, never half
    stamp_file.write_text(stamp)


publish_plotly_bundle()


def hide_cell_sources_from_every_client() -> None:
    """Make Voila's execute_input filter safe for both kernel websocket protocols.

    Voila drops execute_input messages (they carry the notebook's code) on their way to
    the browser, but reads each message as if the client spoke the v1 websocket protocol.
    A client that asks for none gets the legacy protocol, and then (a) text messages pass
    unread, code included, and (b) the first binary message (any widget update carrying
    a buffer) is misread: its 4-byte part count plus the next 4 bytes, taken as one 8-byte
    count, make Voila build a list of billions of offsets; the server stops answering
    and grows by tens of MB a second. (Seen with voila 0.5; tests/browser/test_security.py.)
    """
    import voila.tornado.kernel_websocket_handler as voila_websocket
    from jupyter_server.services.kernels.connection.base import (
        deserialize_binary_message,
        deserialize_msg_from_ws_v1,
    )

    def msg_type(handler, message) -> str | None:
        try:
            if isinstance(message, dict):
                return message["header"]["msg_type"]
            if isinstance(message, str):
                return json.loads(message)["header"]["msg_type"]
            if handler.selected_subprotocol == "v1.kernel.websocket.jupyter.org":
                _channel, parts = deserialize_msg_from_ws_v1(message)
                return json.loads(parts[0])["msg_type"]  # parts[0]: the header
            return deserialize_binary_message(message)["header"]["msg_type"]
        except Exception:  # not a kernel message we can read: nothing to hide in it
            return None

    handler_class = voila_websocket.VoilaKernelWebsocketHandler
    websocket_write = handler_class.__mro__[1].write_message

    def write_message(self, message, binary=False):
        if msg_type(self, message) == "execute_input":
            return None
        return websocket_write(self, message, binary)

    handler_class.write_message = write_message


hide_cell_sources_from_every_client()


# Static files compressed at the best quality, by (file_key, encoding): see
# compress_responses. Also on disk, so that a restarted server has them at once.
COMPRESSED: dict[tuple[str, str], bytes] = {}
COMPRESSED_DIR = ROOT / "build" / "compressed"
STREAM_QUALITY = 5  # brotli's quality while streaming: about gzip's cost, smaller output
MIN_STORED = 20_000  # bytes: smaller files are not worth compressing twice


def store_compressed(key: tuple[str, str], data: bytes) -> None:
    """Compress `data` at the best quality into COMPRESSED (and onto disk); slow, so it runs
    in the background thread of compress_responses."""
    import gzip

    identity, encoding = key
    path = COMPRESSED_DIR / f"{identity}.{encoding}"
    try:
        COMPRESSED[key] = path.read_bytes()
        return
    except OSError:
        pass
    if encoding == "br":
        import brotli

        COMPRESSED[key] = brotli.compress(data, quality=11)
    else:
        COMPRESSED[key] = gzip.compress(data, compresslevel=9, mtime=0)
    try:
        COMPRESSED_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(COMPRESSED[key])
        partial.replace(path)
    except OSError:  # a read-only checkout: kept in memory only
        pass


def file_key(path: str, headers) -> str | None:
    """A static file's identity: its content hash (the Etag tornado's handlers send) or,
    from handlers that send none (Jupyter's labextension files), its path, modification
    time and size; None for anything else (pages, API answers)."""
    import hashlib

    etag = str(headers.get("Etag", "")).strip('"')
    if etag.isalnum():
        return etag
    if "Last-Modified" in headers and "Content-Length" in headers:
        identity = f"{path}|{headers['Last-Modified']}|{headers['Content-Length']}"
        return hashlib.sha256(identity.encode()).hexdigest()
    return None


def load_compressed() -> None:
    """What an earlier run stored on disk, into COMPRESSED."""
    for path in COMPRESSED_DIR.glob("*.*"):
        identity, _, encoding = path.name.partition(".")
        if encoding in ("br", "gzip"):
            COMPRESSED[identity, encoding] = path.read_bytes()


def compress_responses() -> None:
    """brotli (gzip for browsers without it) for what Voila sends; static files once.

    Pages are mostly JavaScript (a demo page fetches 10 MB of it), and tornado's own gzip
    compresses every response anew, at level 6, on the server's one thread. Here a static
    file (tornado tags each with its content hash as Etag) is compressed once at brotli's
    best (quality 11, a fifth smaller than gzip) in a background thread, and later
    requests get the stored bytes at once; until then, and for anything else, responses
    are compressed as they stream.

    tornado reads its transforms when the application is built, before Voila applies its
    tornado_settings trait, so the transform goes into the settings Voila builds it with.
    """
    import zlib
    from concurrent.futures import ThreadPoolExecutor

    import tornado.web
    from tornado.httputil import HTTPHeaders
    from voila.app import Voila

    try:
        import brotli
    except ImportError:
        brotli = None
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compress")

    class Transform(tornado.web.GZipContentEncoding):
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
            stored = COMPRESSED.get(self.key)
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
                data = b"".join(self.raw)
                if len(data) >= MIN_STORED and self.key not in COMPRESSED:
                    background.submit(store_compressed, self.key, data)
            return out

    voila_settings = Voila.init_settings

    def init_settings(self):
        settings = voila_settings(self)
        settings.pop("compress_response", None)
        return {**settings, "transforms": [Transform]}

    Voila.init_settings = init_settings


load_compressed()
compress_responses()


def pool_sizes(setting: str) -> dict[str, int]:
    """Kernels to keep ready per demo page, from DECK_POOL_SIZE (`make serve POOL=…`).

    "" → 1 per page; "6" → 6 per page; "soap=6,coordinates=6" → those pages 6, others 1;
    "0,coordinates=2" → coordinates 2, others none (a number alone sets every page).
    """
    sizes = {page.stem: 1 for page in DEMOS.glob("*.ipynb")}
    for item in filter(None, (part.strip() for part in setting.split(","))):
        if item.isdigit():
            sizes = dict.fromkeys(sizes, int(item))
            continue
        name, _, size = item.partition("=")
        if name not in sizes or not size.strip().isdigit():
            raise ValueError(
                f"DECK_POOL_SIZE: {item!r} is not PAGE=NUMBER with PAGE one of {sorted(sizes)}"
            )
        sizes[name] = int(size)
    return sizes


# Kernels started ahead of visitors, each having run its page already (docs/deploy.md).
c.VoilaConfiguration.preheat_kernel = True
c.VoilaConfiguration.default_pool_size = 0
c.VoilaKernelManager.kernel_pools_config = {
    "default": {"pool_size": 0},
    **{
        f"demos/{name}.ipynb": {"pool_size": size}
        for name, size in pool_sizes(os.environ.get("DECK_POOL_SIZE", "")).items()
    },
}


def start_pool_kernels_a_few_at_a_time(limit: int) -> None:
    """At most `limit` pool kernels start (and run their page) at once.

    When a class takes its 30 preheated kernels, Voila starts 30 replacements at once, and
    on a small server they take every core from the kernels the class is dragging sliders
    in. Here a replacement waits for a free slot; each holds its slot until its page has
    run. Kernels started for visitors outside the pools are not held back.
    """
    import asyncio

    import voila.app

    make_manager_class = voila.app.voila_kernel_manager_factory
    slots = asyncio.Semaphore(limit)

    def limited_manager_class(*args, **kwargs):
        manager_class = make_manager_class(*args, **kwargs)
        initialize = getattr(manager_class, "_initialize", None)
        if initialize is None:  # preheating off: Voila's plain kernel manager, no pools
            return manager_class

        async def _initialize(self, *args, **kwargs):
            await slots.acquire()
            try:
                content = await initialize(self, *args, **kwargs)
            except BaseException:
                slots.release()
                raise
            content["task"].add_done_callback(lambda _task: slots.release())
            return content

        manager_class._initialize = _initialize
        return manager_class

    voila.app.voila_kernel_manager_factory = limited_manager_class


# Half the cores start kernels; the other half stay for the visitors.
start_pool_kernels_a_few_at_a_time(max(1, (os.cpu_count() or 2) // 2))

# Kernels talk to the server over Unix sockets in Voila's private runtime folder instead of
# TCP ports on 127.0.0.1: no port is picked, released and bound again later, a race that
# tens of kernels starting at once lose now and then ("ZMQError: Address already in use",
# nteract/papermill#511; 6 of 68 starts failed in one 30-visitor run), and no other local user can
# connect to a kernel. Windows has no such sockets and keeps TCP.
if os.name == "posix":
    c.KernelManager.transport = "ipc"

# Closed tabs do not always shut their kernel down (voila-dashboards/voila#1458): a kernel
# with no browser connected and nothing to do for 10 minutes is shut down.
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False


SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def describe(notebook: Path, root: Path) -> dict:
    """Title and first sentence of a demo page, from its opening Markdown cell."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = "".join(cells[0]["source"]).strip().splitlines()
    title = lines[0].lstrip("# ").strip()
    text = " ".join(line.strip() for line in lines[1:] if line.strip())
    thumbnail = notebook.parents[1] / "img" / f"thumb-{notebook.stem}.png"
    return {
        "path": notebook.relative_to(root).as_posix(),
        "title": title,
        "summary": SENTENCE_END.split(text, maxsplit=1)[0],
        "thumbnail": thumbnail.relative_to(root).as_posix(),
    }


def list_demos(page_config: dict, root: Path, notebook_path: str) -> None:
    """Give the landing page (the tree of the folder holding demos/) its list of demos.

    That folder is the served root under `make serve`, and notebooks/ on Binder, where
    Voila runs inside Jupyter's server with the repository as its root.
    """
    demos = root / notebook_path.strip("/") / "demos"
    if demos.is_dir() and demos.parent.resolve() == DEMOS.parent.resolve():
        pages = sorted(demos.glob("*.ipynb"))
        page_config["deckDemos"] = [describe(page, root) for page in pages]


# Browser code a page loads only when it shows what the code draws: nglview's 3-D view
# (1 MB compressed) for the panels that make one, MathJax for Markdown with formulas.
MATH = re.compile(r"\$|\\\(|\\\[|\\begin\{")
THREE_D = re.compile(r"\b(StructurePanel|MaterialsMapPanel|nglview)\b")


def extensions_needed(notebook: Path) -> set[str]:
    """The optional labextensions a notebook's page needs (see MATH and THREE_D)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    markdown = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return {
        *(["@jupyterlab/mathjax3-extension"] if MATH.search(markdown) else []),
        *(["nglview-js-widgets"] if THREE_D.search(code) else []),
    }


def leave_out_unused_extensions(page_config: dict, root: Path, notebook_path: str) -> None:
    notebook = root / notebook_path.strip("/")
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        return
    optional = {"@jupyterlab/mathjax3-extension", "nglview-js-widgets"}
    unused = optional - extensions_needed(notebook)
    page_config["federated_extensions"] = [
        extension
        for extension in page_config.get("federated_extensions", [])
        if extension.get("name") not in unused
    ]


def deck_page_config(page_config, base_url, settings, log, voila_configuration, notebook_path):
    """Voila's page_config_hook: the landing page's demo list, each page's extensions."""
    root = Path(settings["contents_manager"].root_dir)
    list_demos(page_config, root, notebook_path)
    leave_out_unused_extensions(page_config, root, notebook_path)
    return page_config


c.VoilaConfiguration.page_config_hook = deck_page_config
