"""How a slow step reports how far it is, so that a panel can show a bar."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
"""progress(done, total): called now and then during a slow step."""
