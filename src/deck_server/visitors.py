"""Who holds which kernel, how many each may hold, and when a kernel goes.

A public page starts (or takes from the pool) a kernel for every GET, and Voila keeps a
kernel until its idle culler runs (10 minutes): ten `curl` requests held ten kernels of
125–420 MB each, and a visitor who left with a training run going kept a core busy. Here:

- at most `Limits.total` visitor kernels at once, and `Limits.per_visitor` from one address;
  above either, the page is refused with 503 and a sentence (`refusal`);
- a kernel no browser ever connected to goes after `never_connected_s`, and its seat in
  the address's share stays taken for `unused_hold_s` more, twice as long for each further
  unused page of that address within the hour: a script that asks for pages and drops
  them would otherwise start a kernel, seconds of CPU, each time one of its seats freed;
- a kernel whose last browser left goes after `left_s` (a dropped connection that comes
  back within it keeps its kernel; a page reloaded gets a new kernel anyway), busy or not;
- a kernel's pages send it messages at a pace (`Pace`): a reserve, then a rate per second.

This module is plain bookkeeping, without tornado or Voila; kernels.py and websocket.py
apply it.
"""

from __future__ import annotations

import html
import time
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass, field

# How long an address's unused pages are remembered, doubling the seat each further one
# holds; also the longest a seat is held.
UNUSED_MEMORY_S = 3600.0


@dataclass(eq=False)
class PageRequest:
    """A page being served: who asked, and the kernels handed out for it."""

    visitor: str
    kernels: list[str] = field(default_factory=list)


# The page request being served, while Voila renders it (kernels.py sets it around the
# render, so that the kernel handed out is booked to that visitor).
VISITOR: ContextVar[PageRequest | None] = ContextVar("deck_visitor", default=None)


@dataclass(frozen=True)
class Limits:
    # A class of 30 on one machine holds about 30 kernels (docs/deploy.md); room for a
    # second tab each. Behind one NAT address a whole class shares `per_visitor`.
    total: int = 60
    per_visitor: int = 30
    never_connected_s: float = 60.0  # a browser connects within seconds of the page arriving
    left_s: float = 60.0  # long enough for a dropped connection to come back
    check_every_s: float = 10.0
    # Behind a reverse proxy every request comes from the proxy: name the header in which it
    # passes the visitor's address (e.g. X-Real-IP); empty, the connection's address counts.
    address_header: str = ""
    # Pages one address may open per minute. Each starts a kernel and runs the page (seconds
    # of CPU): within its share, a client that drops its pages and asks again would
    # otherwise keep the cores busy with kernel starts (the soak, docs/deploy.md). A class
    # behind one NAT address opens about two pages each in its first minute.
    pages_per_minute: int = 60
    # Messages a page may send its kernel: a steady rate above what a student's page sends
    # (a slider dragged or the molecule turned with the mouse: 10-14 a second, at most 22 in
    # one second, measured in Chromium), and a reserve for bursts (the whole lecture's start
    # sends 116). Past them a page's messages wait, as on a slow network: nonsense sent as
    # fast as a client could kept the server's one thread and a core of kernel time busy.
    messages_per_s: float = 30.0
    message_reserve: float = 300.0
    # A page no browser connected to keeps its seat this long after its kernel went (then
    # ×2 for each further one from its address within UNUSED_MEMORY_S). A browser connects
    # within seconds, so these are a script's pages: in the soak each one it got (a kernel
    # started and a page run) made the class's slider answers of the next 15 s ×4 slower at
    # the 95th percentile. A tab closed before its page arrived costs its address a seat
    # for a minute.
    unused_hold_s: float = 60.0

    @classmethod
    def from_environment(cls, environ) -> Limits:
        """Limits, with any of these variables set overriding the defaults:
        DECK_MAX_KERNELS, DECK_MAX_KERNELS_PER_ADDRESS, DECK_UNCONNECTED_S, DECK_LEFT_S,
        DECK_CHECK_S, DECK_ADDRESS_HEADER, DECK_PAGES_PER_MINUTE_PER_ADDRESS,
        DECK_MESSAGES_PER_S, DECK_MESSAGE_RESERVE, DECK_UNUSED_HOLD_S."""
        names = {
            "total": "DECK_MAX_KERNELS",
            "per_visitor": "DECK_MAX_KERNELS_PER_ADDRESS",
            "never_connected_s": "DECK_UNCONNECTED_S",
            "left_s": "DECK_LEFT_S",
            "check_every_s": "DECK_CHECK_S",
            "address_header": "DECK_ADDRESS_HEADER",
            "pages_per_minute": "DECK_PAGES_PER_MINUTE_PER_ADDRESS",
            "messages_per_s": "DECK_MESSAGES_PER_S",
            "message_reserve": "DECK_MESSAGE_RESERVE",
            "unused_hold_s": "DECK_UNUSED_HOLD_S",
        }
        given = {}
        for field_name, variable in names.items():
            if variable in environ:
                kind = type(getattr(cls, field_name))
                try:
                    given[field_name] = kind(environ[variable])
                except ValueError:
                    raise ValueError(f"{variable}={environ[variable]!r} is not a number") from None
        return cls(**given)


@dataclass
class Pace:
    """A token bucket: `reserve` messages at once, refilled at `per_s` a second."""

    per_s: float
    reserve: float
    tokens: float
    at: float

    @classmethod
    def full(cls, limits: Limits, now: float) -> Pace:
        return cls(limits.messages_per_s, limits.message_reserve, limits.message_reserve, now)

    def wait_s(self, cost: float, now: float) -> float:
        """0 with `cost` taken, or the seconds until it can be."""
        cost = min(cost, self.reserve)  # a message dearer than the reserve waits for it full
        self.tokens = min(self.reserve, self.tokens + (now - self.at) * self.per_s)
        self.at = now
        if self.tokens >= cost:
            self.tokens -= cost
            return 0.0
        return (cost - self.tokens) / self.per_s


@dataclass
class Visit:
    visitor: str
    handed_at: float
    page_sent: bool = False  # until then the page is still running in the kernel
    connections: int = 0
    ever_connected: bool = False
    left_at: float | None = None
    pace: Pace | None = None  # of the messages its pages send (kept across reconnections)


@dataclass
class Visitors:
    limits: Limits = field(default_factory=Limits)
    kernels: dict[str, Visit] = field(default_factory=dict)
    requests: list[PageRequest] = field(default_factory=list)  # pages being rendered
    opened: dict[str, deque[float]] = field(default_factory=dict)  # admissions, last minute
    # Pages no browser connected to, by address: (when their kernel went, seat held until).
    unused: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def forget_gone(self, live: set[str]) -> None:
        """Drop the kernels that no longer run (shut down, culled, died)."""
        for kernel_id in set(self.kernels) - live:
            del self.kernels[kernel_id]

    def admit(self, request: PageRequest, live: set[str], now: float | None = None) -> str | None:
        """Why a new page is refused, or None: then the request holds a seat until it has
        booked its kernel (so that requests arriving together cannot all slip in)."""
        now = time.monotonic() if now is None else now
        self.forget_gone(live)
        waiting = [r for r in self.requests if not r.kernels]
        if len(self.kernels) + len(waiting) >= self.limits.total:
            return (
                "The class is full: every demo this server can run at once is open. "
                "Please try again in a minute."
            )
        held = sum(visit.visitor == request.visitor for visit in self.kernels.values())
        held += sum(r.visitor == request.visitor for r in waiting)
        unused = self.unused_seats(request.visitor, now)
        if held + unused >= self.limits.per_visitor:
            if unused:
                return (
                    f"{held + unused} demo pages are open from your address, or were opened "
                    f"and never shown ({unused}). Close some of them, or try again in a few "
                    "minutes."
                )
            return (
                f"{held} demo pages are already open from your address. Close some "
                "of them, or try again in a minute."
            )
        opened = self.opened.setdefault(request.visitor, deque())
        while opened and now - opened[0] >= 60:
            opened.popleft()
        if len(opened) >= self.limits.pages_per_minute:
            return (
                f"{len(opened)} demo pages were opened from your address in the last minute. "
                "Please wait a minute, then try again."
            )
        opened.append(now)
        for visitor in [v for v, times in self.opened.items() if not times]:
            del self.opened[visitor]  # addresses seen once are not kept for ever
        self.requests.append(request)
        return None

    def unused_seats(self, visitor: str, now: float) -> int:
        """Seats of `visitor`'s share still held by its pages that no browser showed."""
        # (a seat is held at most UNUSED_MEMORY_S: what is forgotten holds none)
        kept = [
            (went, until)
            for went, until in self.unused.get(visitor, ())
            if now - went < UNUSED_MEMORY_S
        ]
        if kept:
            self.unused[visitor] = kept
        else:
            self.unused.pop(visitor, None)
        return sum(until > now for _went, until in kept)

    def shut_down(self, kernel_id: str, now: float) -> None:
        """The kernel goes (`due` named it, or it died): a page no browser ever connected
        to keeps its seat for a while (Limits.unused_hold_s)."""
        visit = self.kernels.pop(kernel_id, None)
        if visit is None or visit.ever_connected or not visit.page_sent:
            return
        self.unused_seats(visit.visitor, now)  # forgets what is older than the memory
        earlier = self.unused.setdefault(visit.visitor, [])
        hold = min(self.limits.unused_hold_s * 2 ** len(earlier), UNUSED_MEMORY_S)
        earlier.append((now, now + hold))

    def finished(self, request: PageRequest, now: float) -> None:
        """The request's page has reached its browser (or failed): the time a browser has
        to connect counts from now (a page runs for seconds, the lecture for longer)."""
        if request in self.requests:
            self.requests.remove(request)
        for kernel_id in request.kernels:
            visit = self.kernels.get(kernel_id)
            if visit and not visit.page_sent:
                visit.page_sent, visit.handed_at = True, now

    def handed(self, kernel_id: str, visitor: str, now: float) -> None:
        self.kernels[kernel_id] = Visit(visitor, handed_at=now, pace=Pace.full(self.limits, now))

    def message_wait_s(self, kernel_id: str, cost: float, now: float) -> float:
        """How long a message of `cost` to this kernel must wait (0: it goes now). Kernels
        not handed to a visitor (a hub's, a test's) are not paced."""
        visit = self.kernels.get(kernel_id)
        return visit.pace.wait_s(cost, now) if visit and visit.pace else 0.0

    def connected(self, kernel_id: str) -> None:
        visit = self.kernels.get(kernel_id)
        if visit:
            visit.connections += 1
            visit.ever_connected, visit.left_at = True, None

    def disconnected(self, kernel_id: str, now: float) -> None:
        visit = self.kernels.get(kernel_id)
        if visit:
            visit.connections = max(0, visit.connections - 1)
            if visit.connections == 0:
                visit.left_at = now

    def due(self, now: float, live: set[str]) -> list[str]:
        """The kernels to shut down now: never connected, or left, for long enough."""
        self.forget_gone(live)
        limits = self.limits
        return [
            kernel_id
            for kernel_id, visit in self.kernels.items()
            if (
                visit.page_sent
                and not visit.ever_connected
                and now - visit.handed_at >= limits.never_connected_s
            )
            or (visit.left_at is not None and now - visit.left_at >= limits.left_s)
        ]


def refusal_page(reason: str) -> str:
    """The page a refused visitor sees (scripts get its 503 status)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>The class is full</title></head>"
        '<body style="font-family: system-ui, sans-serif; max-width: 36em; margin: 4em auto;'
        ' padding: 0 1em; line-height: 1.5">'
        f"<h1>Not now, sorry</h1><p>{html.escape(reason)}</p>"
        '<p><a href="">Try again</a></p></body></html>'
    )
