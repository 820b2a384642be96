"""What a check says: passed, wrong (and why, in a sentence) or not answered yet."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import numpy as np

PASSED, WRONG, UNANSWERED = "passed", "wrong", "unanswered"
_SYMBOLS = {PASSED: "✓", WRONG: "✗", UNANSWERED: "…"}
_COLOURS = {PASSED: "#009E73", WRONG: "#D55E00", UNANSWERED: "#0072B2"}  # Okabe–Ito
_CODE = re.compile(r"`([^`]+)`")


class Mistake(Exception):
    """Raised inside a check to stop at the first thing wrong; its text is the feedback."""


class NotAnswered(Exception):
    """Raised inside a check when the student's function still returns None."""


@dataclass(frozen=True)
class Feedback:
    """A check's verdict on one exercise, shown as a coloured box in a notebook.

    `message` says what is right or wrong with the answer; `hint` is shown, folded, only
    while the answer is not right. `require()` is what nbgrader's hidden tests call: it
    raises AssertionError with the message unless the answer passed.
    """

    exercise: str
    status: str
    message: str
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __bool__(self) -> bool:
        return self.passed

    def require(self) -> None:
        if not self.passed:
            raise AssertionError(f"Exercise {self.exercise}: {self.message}")

    def __str__(self) -> str:
        text = f"{_SYMBOLS[self.status]} Exercise {self.exercise}: {self.message}"
        if self.hint and not self.passed:
            text += f"\nHint: {self.hint}"
        return text

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's plain-text display
        printer.text(str(self))

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.status]
        hint = ""
        if self.hint and not self.passed:
            # <details> opens on a click: the hint is there on request, not in the way
            hint = (
                '<details style="margin-top:0.4em"><summary style="cursor:pointer">'
                f"Hint</summary><div>{_markup(self.hint)}</div></details>"
            )
        return (
            f'<div class="exercise-feedback exercise-{self.status}" '
            f'style="border-left:4px solid {colour};padding:0.3em 0.8em;margin:0.2em 0">'
            f'<b style="color:{colour}">{_SYMBOLS[self.status]} Exercise {self.exercise}</b>: '
            f"{_markup(self.message)}{hint}</div>"
        )


def _markup(text: str) -> str:
    return _CODE.sub(r"<code>\1</code>", html.escape(text)).replace("\n", "<br>")


def exercise(number: str, answer_name: str, hint: str) -> Callable:
    """Turn a function that raises Mistake on the first error into a check.

    The check never raises: an answer still None (the cell not filled in) is "not
    answered yet", a Mistake is "wrong" with its text, an answer the check cannot read at
    all is "wrong" saying so, and anything else passes with the returned sentence.
    """

    def decorate(judge: Callable[..., str]) -> Callable[..., Feedback]:
        @wraps(judge)
        def check(*answers: Any) -> Feedback:
            not_yet = Feedback(
                number,
                UNANSWERED,
                f"Not answered yet: set `{answer_name}` in the cell above, run it, "
                "then run this cell again.",
                hint,
            )
            if any(_unanswered(answer) for answer in answers):
                return not_yet
            try:
                return Feedback(number, PASSED, judge(*answers))
            except NotAnswered:
                return not_yet
            except Mistake as mistake:
                return Feedback(number, WRONG, str(mistake), hint)
            except Exception as error:  # the answer broke the check: say so, no traceback
                return Feedback(
                    number,
                    WRONG,
                    f"The check could not use your `{answer_name}` ({type(error).__name__}: "
                    f"{error}). Look at what the exercise asks it to be.",
                    hint,
                )

        return check

    return decorate


def _unanswered(answer: Any) -> bool:
    """None (the cell's placeholder), ... or a dict or list still empty."""
    if answer is None or answer is Ellipsis:
        return True
    return isinstance(answer, (dict, list, tuple)) and len(answer) == 0


# -- small helpers the checks share ------------------------------------------------------
def call(function: Any, name: str, *arguments: Any) -> Any:
    """The student's function applied to `arguments`; None back means not written yet."""
    if not callable(function):
        raise Mistake(f"`{name}` should be a function; it is {_describe(function)}.")
    result = function(*arguments)
    if result is None:
        raise NotAnswered
    return result


def number(value: Any, name: str) -> float:
    """A finite float, or a Mistake saying what `name` is instead."""
    if isinstance(value, (str, bytes)):
        raise Mistake(f"`{name}` should be one number, not the text {value!r}: drop the quotes.")
    try:
        result = float(np.asarray(value).item() if np.ndim(value) == 0 else value)
    except (TypeError, ValueError):
        raise Mistake(f"`{name}` should be one number; it is {_describe(value)}.") from None
    if not np.isfinite(result):
        raise Mistake(f"`{name}` is {result}: it should be a finite number.")
    return result


def array(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A float array of this shape, or a Mistake saying what `name` is instead."""
    try:
        result = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Mistake(
            f"`{name}` should be an array of numbers; it is {_describe(value)}."
        ) from None
    if result.shape != shape:
        raise Mistake(
            f"`{name}` should have shape {shape}; yours has shape {result.shape}."
            + (" Did you flatten it?" if result.size == np.prod(shape) else "")
        )
    if not np.all(np.isfinite(result)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(result))[0])
        raise Mistake(
            f"`{name}` holds {result[where]} at {where if len(where) > 1 else where[0]}: "
            "every entry should be a finite number (a division by zero?)."
        )
    return result


def close(mine: float, reference: float, relative: float = 1e-6, absolute: float = 1e-9) -> bool:
    return bool(np.isclose(mine, reference, rtol=relative, atol=absolute))


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "…"
    return f"{type(value).__name__} {text}"


def fmt(value: float) -> str:
    """A number as a sentence shows it: 3 significant figures, more when it is large."""
    return f"{value:.4g}" if abs(value) >= 1000 else f"{value:.3g}"
