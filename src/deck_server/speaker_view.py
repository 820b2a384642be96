"""The speaker view's previews of the slides, without a kernel (`make present`, then S).

reveal.js's speaker view (its notes plugin) shows the current and the next slide by loading
the presentation's own address twice more, in frames, with `receiver` in the query. Served
by Voila, each frame started a kernel of its own and ran the whole lecture in it: three
kernels where one was needed (measured), each about 410 MB and half a minute of the cores,
beside the presenter's own lecture still running. Such a request gets instead the
lecture's slides as nbconvert writes them (nbconvert template `deck-speaker`): the same
slides in the same order, with their text, formulas and pictures, laid out by the same
projector.css; the demos' panels are live on the main screen only.

Wired in as Voila's `prelaunch_hook` (by `install`, when standalone Voila starts), which
Voila calls before it starts a page's kernel; tornado's `Finish` ends the request there with
the preview page.
"""

from __future__ import annotations

import json
from functools import lru_cache
from urllib.parse import parse_qsl

import tornado.web

PRESENTER_TEMPLATE = "deck-reveal"
# The folder Voila serves the presenter template's own files from: projector.css, and
# vendor/ with reveal.js, require.js, jQuery and MathJax (scripts/fetch_assets.py present).
STATIC = "voila/templates/deck-reveal/static/"
# reveal.js's speaker view marks its frames with this word in the query (its notes plugin,
# and `isSpeakerNotesWindow` in reveal.js 4-5, match it anywhere in the query, any case).
RECEIVER = "receiver"


def is_preview_request(query: str) -> bool:
    """Whether a page request comes from the speaker view's frames."""
    return any(RECEIVER in name.lower() for name, _ in parse_qsl(query, keep_blank_values=True))


def install(configuration) -> None:
    """Give the presenter's page (`make present`: the deck-reveal template, no kernels started
    ahead) this prelaunch_hook. Only there: Voila refuses to start with a prelaunch_hook and
    preheated kernels (`make serve`), and no other page is loaded by the speaker view."""
    if (
        configuration is not None
        and configuration.template == PRESENTER_TEMPLATE
        and not configuration.preheat_kernel
        and configuration.prelaunch_hook is None
    ):
        configuration.prelaunch_hook = prelaunch_hook


def prelaunch_hook(handler, notebook, cwd):
    """Voila's prelaunch_hook: answer the speaker view's frames on the presenter's page with
    the preview slides, before Voila starts a kernel for them; leave every other page alone."""
    if handler.voila_configuration.template != PRESENTER_TEMPLATE:
        return None
    if not is_preview_request(handler.request.query):
        return None
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    raise tornado.web.Finish(preview_page(json.dumps(notebook), handler.base_url))


@lru_cache(maxsize=4)
def preview_page(notebook_json: str, base_url: str) -> str:
    """The preview slides of a notebook (its JSON), made once per notebook and address
    (about 0.4 s; the speaker view asks for two frames at once, and again on a reload)."""
    import nbformat
    from nbconvert import SlidesExporter

    vendor = f"{base_url}{STATIC}vendor/"
    exporter = SlidesExporter(
        template_name="deck-speaker",
        require_js_url=f"{vendor}requirejs/require.js",
        jquery_url=f"{vendor}jquery/dist/jquery.min.js",
        mathjax_url=f"{vendor}mathjax/MathJax.js?config=TeX-AMS_SVG-full,Safe",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # as etc/jupyter/voila.py sets the presenter's page
        reveal_url_prefix=f"{vendor}reveal.js",
        reveal_theme="white",
        reveal_width="1280",
        reveal_height="720",
        reveal_scroll=False,
    )
    notebook = nbformat.reads(notebook_json, as_version=4)
    body, _ = exporter.from_notebook_node(notebook, resources={"deck_static": base_url + STATIC})
    return body
