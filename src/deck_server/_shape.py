"""What a patch checks before it changes a third-party object: that the object still has
the shape the patch was written for. A release that renamed or reshaped it makes the
server refuse to start, naming the patch, instead of serving pages that quietly lost a
protection."""

from __future__ import annotations

import inspect
from importlib.metadata import version


class PatchOutOfDate(RuntimeError):
    """A patched third-party object no longer looks as the patch expects."""


def expect(owner: object, name: str, parameters: tuple[str, ...], patch: str) -> object:
    """owner.name, after checking that it exists and that its parameters start with
    `parameters` (after self); else PatchOutOfDate naming `patch`."""
    target = getattr(owner, name, None)
    where = f"{getattr(owner, '__module__', '')}.{getattr(owner, '__qualname__', owner)}.{name}"
    if target is None or not callable(target):
        raise PatchOutOfDate(f"{patch}: {where} is gone; see the module's docstring")
    found = [
        p.name
        for p in inspect.signature(target).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if tuple(found[: len(parameters)]) != parameters:
        raise PatchOutOfDate(
            f"{patch}: {where}{tuple(found)} no longer takes {parameters}; "
            "see the module's docstring"
        )
    return target


def installed(distribution: str) -> str:
    """The installed version of a distribution, for messages."""
    return version(distribution)
