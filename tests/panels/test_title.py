"""featurize.panels.title: the title slide."""

import featurize as fz
from featurize.panels import title_slide


def test_title_slide_comes_from_the_deck_settings():
    html = title_slide().data
    for key in ("title", "subtitle", "author", "course", "date", "credit", "licence"):
        assert fz.DECK[key].replace("'", "&#x27;") in html
    # the lecture this deck follows is credited on its first slide
    assert "P. De Angelis" in html and "Politecnico di Torino" in html and "02QZSND" in html
