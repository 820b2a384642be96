"""The title slide, filled from featurize.DECK so author, course and date live in one place."""

from __future__ import annotations

import html

from IPython.display import HTML

from ..settings import DECK


def title_slide() -> HTML:
    """The deck's title, subtitle, author, course, date, credit and licence as one HTML block."""
    deck = {key: html.escape(str(value)) for key, value in DECK.items()}
    return HTML(
        '<div style="text-align:center;padding:2em 0">'
        f'<h1 style="font-size:2.4em;margin-bottom:0.2em">{deck["title"]}</h1>'
        f'<p style="font-size:1.4em;font-style:italic;margin-top:0;text-align:center">'
        f"{deck['subtitle']}</p>"
        f'<p style="font-size:1.1em;margin-top:2em;text-align:center">{deck["author"]}<br>'
        f"{deck['course']} · {deck['date']}</p>"
        f'<p style="font-size:1em;margin-top:1.5em;text-align:center">{deck["credit"]}<br>'
        f'<span style="color:#555">{deck["licence"]}</span></p></div>'
    )
