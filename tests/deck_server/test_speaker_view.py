"""deck_server.speaker_view: the speaker view's frames get the slides, not a kernel."""

import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import tornado.web
from nbconvert import SlidesExporter

from deck_server import speaker_view

ROOT = Path(__file__).resolve().parents[2]
LECTURE = ROOT / "notebooks" / "lecture.ipynb"


def handler(template: str, query: str):
    headers = {}
    return SimpleNamespace(
        voila_configuration=SimpleNamespace(template=template),
        request=SimpleNamespace(query=query),
        base_url="/base/",
        set_header=headers.__setitem__,
        headers=headers,
    )


@pytest.mark.parametrize(
    ("query", "preview"),
    [
        # reveal.js 5's two frames, as its notes plugin writes their addresses
        ("receiver&progress=false&history=false&transition=none&postMessageEvents=true", True),
        ("receiver&progress=false&controls=false", True),
        ("Receiver", True),
        ("", False),
        ("theme=dark", False),
        ("next=receiver", False),  # the word as a value is not reveal.js's mark
    ],
)
def test_a_request_is_a_preview_when_reveal_marks_it_so(query, preview):
    assert speaker_view.is_preview_request(query) is preview


def test_other_pages_and_the_presenter_itself_are_left_to_voila():
    notebook = nbformat.read(LECTURE, as_version=4)
    assert speaker_view.prelaunch_hook(handler("deck", "receiver"), notebook, ".") is None
    assert speaker_view.prelaunch_hook(handler("deck-reveal", ""), notebook, ".") is None


def test_a_preview_request_gets_the_lectures_slides_from_this_server(monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(ROOT / "share" / "jupyter"))
    notebook = nbformat.read(LECTURE, as_version=4)
    request = handler("deck-reveal", "receiver&controls=false")
    with pytest.raises(tornado.web.Finish) as finished:
        speaker_view.prelaunch_hook(request, notebook, ".")
    page = finished.value.args[0]
    assert request.headers["Content-Type"].startswith("text/html")
    # the same slides, in the same order, as nbconvert's reveal.js page of the lecture
    plain, _ = SlidesExporter().from_notebook_node(nbformat.read(LECTURE, as_version=4))
    assert page.count("<section") == plain.count("<section") > 30
    # every script and style sheet from this server's presenter template, none from a CDN
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources and all(
        s.startswith("/base/" + speaker_view.STATIC) or s.startswith("data:") for s in sources
    ), sources
    assert "reveal.js/dist/reveal.js" in page and "plugin/notes/notes.js" in page
    # nothing a kernel would need: the page is the slides only
    assert "jupyter-config-data" not in page and "kernelId" not in page


def test_only_the_presenters_voila_gets_the_hook():
    from voila.configuration import VoilaConfiguration

    presenter = VoilaConfiguration(template="deck-reveal", preheat_kernel=False)
    speaker_view.install(presenter)
    assert presenter.prelaunch_hook is speaker_view.prelaunch_hook
    # `make serve` keeps kernels ready, which Voila refuses to start beside a prelaunch_hook
    # ("`preheat_kernel` and `prelaunch_hook` are incompatible")
    serving = VoilaConfiguration(template="deck", preheat_kernel=True)
    speaker_view.install(serving)
    assert serving.prelaunch_hook is None
    preheated_slides = VoilaConfiguration(template="deck-reveal", preheat_kernel=True)
    speaker_view.install(preheated_slides)
    assert preheated_slides.prelaunch_hook is None
