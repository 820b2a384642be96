"""A progress bar for the compute steps that take seconds: featurizing a set, training."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import ipywidgets as widgets

Result = TypeVar("Result")


def progress_bar(description: str) -> widgets.IntProgress:
    """A bar from 0 to 100, hidden (its space kept, so nothing jumps) until it is used."""
    return widgets.IntProgress(
        min=0, max=100, description=description, layout={"visibility": "hidden"}
    )


def with_progress(
    bar: widgets.IntProgress, compute: Callable[[Callable[[int, int], None]], Result]
) -> Result:
    """compute(progress) with the bar shown and moving while it runs, hidden afterwards.

    The kernel sends each new value to the page as it is set, so the bar moves even
    though the computation holds the kernel until it is done.
    """
    bar.value = 0
    bar.layout.visibility = "visible"

    def progress(done: int, total: int) -> None:
        bar.value = round(100 * done / max(total, 1))

    try:
        return compute(progress)
    finally:
        bar.layout.visibility = "hidden"
