"""A demo page's "predict, then check" question, and its links back to the lecture.

    from featurize.panels.question import PageQuestion
    PageQuestion("coulomb-matrix")

shows the page's question (featurize.pages.QUESTIONS) with a Check button that judges the
answer in the kernel, then a line of links: the list of demos and the page's section of
the lecture. The links are plain HTML output, not a widget, so that JupyterLab opens them
as it opens any link in a notebook, and Voila renders them with the page.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
from IPython.display import HTML, display

from ..errors import FeaturizeError
from ..pages import DEMO_LIST_PATH, LECTURE_SECTIONS, QUESTIONS, lecture_link
from ._base import PALETTE, Panel

TOUCH = {"min_height": "44px"}  # room for a finger on a phone (Apple's and WCAG's 44 px)


class PageQuestion(Panel):
    """The question of demo page `page`; `answer` takes the reader's choice or number,
    `check` judges it, `feedback` says right or wrong and why."""

    def __init__(self, page: str) -> None:
        super().__init__()
        if page not in QUESTIONS:
            raise FeaturizeError(
                f"No demo page is called {page!r}; the pages are {', '.join(sorted(QUESTIONS))}."
            )
        self.page = page
        self.question = QUESTIONS[page]
        self.correct: bool | None = None
        prompt = widgets.HTML(
            f'<b style="color:{PALETTE["blue"]}">Predict, then check.</b> '
            f"{html.escape(self.question.prompt)}"
        )
        self.answer = self._build_answer()
        self.check_button = widgets.Button(
            description="Check", button_style="primary", layout={"width": "8em", **TOUCH}
        )
        self.check_button.on_click(self.check)
        self.feedback = widgets.HTML()
        self.widget = widgets.VBox(
            [prompt, self.answer, self.check_button, self.feedback, self.message],
            layout={"max_width": "44em"},
        )
        self.widget.add_class("deck-question")

    def _build_answer(self) -> widgets.RadioButtons | widgets.Text:
        """The choices to pick from, or a box for a number."""
        if self.question.choices:
            return widgets.RadioButtons(
                options=list(self.question.choices), value=None, layout={"width": "auto"}
            )
        return widgets.Text(
            placeholder="your prediction"
            + (f" ({self.question.unit})" if self.question.unit else ""),
            description="answer",
            layout={"width": "16em", **TOUCH},
        )

    def given(self) -> int | str | None:
        """The reader's answer as the question takes it: a choice's index, or the text."""
        if self.question.choices:
            return self.answer.index
        return self.answer.value

    def check(self, _button=None) -> None:
        """Judge the answer in the kernel and say so under the question."""
        self.clear_message()
        try:
            verdict = self.question.judge(self.given())
        except FeaturizeError as error:  # the engines could not answer: say why, in words
            self.show_message(str(error))
            return
        self.correct = verdict.correct
        colour, mark = {
            True: (PALETTE["green"], "✓"),
            False: (PALETTE["vermillion"], "✗"),
            None: (PALETTE["blue"], "…"),  # nothing to judge yet
        }[verdict.correct]
        self.feedback.value = (
            f'<div class="deck-verdict" style="border-left:4px solid {colour};'
            f'padding:0.2em 0.7em"><b style="color:{colour}">{mark}</b> '
            f"{html.escape(verdict.message)}</div>"
        )

    def links(self) -> HTML:
        """The list of demos and the page's section of the lecture, as relative links."""
        section = html.escape(LECTURE_SECTIONS[self.page].lstrip("0123456789. "))
        return HTML(
            '<p class="deck-page-links">'
            f'<a href="{DEMO_LIST_PATH}">← All demos</a> · '
            f'<a href="{html.escape(lecture_link(self.page))}">In the lecture: {section}</a></p>'
        )

    def _ipython_display_(self) -> None:
        self._guard_controls()
        display(self.widget, self.links())
