"""Slow work off the kernel's main loop, so that one demo's seconds of training do not
freeze the others (issue 16).

A kernel answers widget messages one at a time on its main thread: a slider whose handler
trains for six seconds (the learning curve at 1,500 molecules) held every other panel of
the page, or of the whole lecture on the presenter's page, until it was done. A panel hands
such work to a `LatestInBackground` instead: the handler returns at once and the work runs in
a thread of its own, one job at a time. A job asked for while one runs waits, and a newer
one replaces it (a slider dragged across five stops trains at the last). The work sends its
widget updates from that thread, which ipykernel allows (its messages to the page go
through one I/O thread); the numerical libraries release the interpreter's lock while
they compute, so the other panels answer meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Job = Callable[[], None]


class LatestInBackground:
    """Runs the jobs given to `submit`, one at a time, in a thread of its own; of the jobs
    submitted while one runs only the latest is run. A job that raises is handed to
    `on_error` (a panel shows it as its message)."""

    def __init__(self, on_error: Callable[[Exception], None], name: str = "panel work") -> None:
        self._on_error = on_error
        self._name = name
        self._lock = threading.Lock()
        self._waiting: Job | None = None
        self._running = False
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, job: Job) -> None:
        """Run `job` soon, off the calling thread (replacing a job still waiting)."""
        with self._lock:
            self._waiting = job
            self._idle.clear()
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._run, name=self._name, daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job submitted has run (True) or `timeout` seconds (False)."""
        return self._idle.wait(timeout)

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def _run(self) -> None:
        while True:
            with self._lock:
                job, self._waiting = self._waiting, None
                if job is None:
                    self._running = False
                    self._idle.set()
                    return
            try:
                job()
            except Exception as error:  # shown in the panel, not lost in a thread
                self._on_error(error)
