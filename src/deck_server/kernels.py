"""Voila's kernel manager and page handler, as a public server needs them.

- Pool kernels start a few at a time: when a class takes its 30 preheated kernels, Voila
  starts 30 replacements at once, and on a small server they would take every core from
  the kernels the class is dragging sliders in (30 visitors: slider p95 1.8 s → 0.19 s).
- A pool kernel that died is never handed out: the visitor would get "Error displaying
  widget: model not found" (the settings turn jupyter_client's automatic restart off: a
  kernel restarted bare has lost its page's widgets, so it is no use to anyone).
- A pool kernel handed to a page counts as active from that moment: Voila spares pool
  kernels from its idle culler only while they wait in the pool, and a kernel's idleness
  runs from its last message, which for a pool kernel was its preheat. One that waited in
  the pool longer than the idle timeout (10 minutes: a class arriving a quarter of an hour
  after the server started) was culled at the culler's next round if its browser had not
  connected yet, and the visitor's page stayed dead (seen in the class benchmark, whose
  timeout is 20 s: one visitor of five).
- Every kernel handed to a visitor is booked to the visitor's address (visitors.py), so
  that a page above the limits is refused with 503 and a sentence, and a kernel nobody
  connects to, or whose visitor left, is shut down (by `janitor`).

Standalone Voila only (its kernel manager factory and page handler; deck_server.install
applies this when standalone Voila builds its settings). Written for voila 0.5.x; it
refuses to install when what it changes has another shape.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

from jupyter_core.utils import ensure_async

from ._shape import expect
from .visitors import VISITOR, PageRequest, Visitors, refusal_page
from .websocket import PublicKernelConnection

PATCH = "deck_server.kernels"
_RUNNING: set[asyncio.Task] = set()  # background work, held until it is done


def in_background(work) -> None:
    task = asyncio.ensure_future(work)
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)


def deck_kernel_manager(manager_class: type, start_slots: int, visitors: Visitors) -> type:
    """`manager_class` (what Voila's factory made) with the behaviour above."""
    preheating = hasattr(manager_class, "_initialize")

    def book(kernel_id: str) -> None:
        """Book a kernel to the visitor whose page it serves (none for a pool kernel)."""
        request = VISITOR.get()
        if request is not None:
            visitors.handed(kernel_id, request.visitor, time.monotonic())
            request.kernels.append(kernel_id)

    class DeckKernelManager(manager_class):
        async def start_kernel(self, *args, **kwargs):
            # A page's own kernel (no pool for it, or the pool was empty)
            kernel_id = await ensure_async(super().start_kernel(*args, **kwargs))
            book(kernel_id)
            return kernel_id

    if not preheating:
        return DeckKernelManager

    expect(manager_class, "_initialize", ("notebook_path", "kernel_id"), PATCH)
    expect(manager_class, "get_rendered_notebook", ("notebook_name",), PATCH)
    slots = asyncio.Semaphore(start_slots)

    class PoolingDeckKernelManager(DeckKernelManager):
        async def _initialize(self, *args, **kwargs):
            VISITOR.set(None)  # this task's own context: a pool kernel is nobody's yet
            await slots.acquire()
            try:
                content = await super()._initialize(*args, **kwargs)
            except BaseException:
                slots.release()
                raise
            # The slot is held until the kernel has run its page.
            content["task"].add_done_callback(lambda _task: slots.release())
            return content

        async def get_rendered_notebook(self, notebook_name=None, *args, **kwargs):
            # A dead kernel is dropped and replaced: the visitor waits for the replacement.
            await self._drop_dead_pool_kernels(notebook_name)
            result = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
            kernel_id = result[2]
            # jupyter_server keeps `last_activity` on each kernel (an aware UTC time) and sets
            # it on every message
            self.get_kernel(kernel_id).last_activity = datetime.now(timezone.utc)
            book(kernel_id)
            return result

        async def _drop_dead_pool_kernels(self, notebook_name) -> None:
            pool = self._pools.get(notebook_name, [])
            while pool and pool[0].done():
                try:
                    kernel_id = pool[0].result()["kernel_id"]
                    usable = await ensure_async(self.get_kernel(kernel_id).is_alive())
                except Exception:  # it failed to start, or is gone already
                    kernel_id, usable = None, False
                if usable:
                    return
                pool.pop(0)
                self.log.warning("Not handing out the dead pool kernel %s", kernel_id)
                if kernel_id is not None:
                    in_background(self._shut_down_quietly(kernel_id))
                self.fill_if_needed(notebook_name=notebook_name)

        async def _shut_down_quietly(self, kernel_id: str) -> None:
            try:
                await ensure_async(self.shutdown_kernel(kernel_id, now=True))
            except Exception as error:  # already gone
                self.log.debug("Shutting down %s: %s", kernel_id, error)

    return PoolingDeckKernelManager


def install_kernel_manager(start_slots: int, visitors: Visitors) -> None:
    """Make Voila's kernel manager factory return deck_kernel_manager's classes."""
    import voila.app

    factory = expect(
        voila.app,
        "voila_kernel_manager_factory",
        ("base_class", "preheat_kernel", "default_pool_size"),
        PATCH,
    )

    def deck_factory(*args, **kwargs):
        return deck_kernel_manager(factory(*args, **kwargs), start_slots, visitors)

    voila.app.voila_kernel_manager_factory = deck_factory


def install_page_limits(visitors: Visitors) -> None:
    """Refuse a page above the visitor limits, and book the kernel a page gets."""
    from voila.handler import VoilaHandler

    render = expect(VoilaHandler, "get_generator", ("path",), PATCH)
    janitor_started = False

    async def get_generator(self, path=None):
        nonlocal janitor_started
        if not janitor_started:
            janitor_started = True
            in_background(janitor(self.kernel_manager, visitors))
        header = visitors.limits.address_header
        address = self.request.headers.get(header, "") if header else ""
        request = PageRequest(address.split(",")[0].strip() or self.request.remote_ip)
        reason = visitors.admit(request, set(self.kernel_manager.list_kernel_ids()))
        if reason is not None:
            self.log.warning("Refused a page to %s: %s", request.visitor, reason)
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            yield refusal_page(reason)
            return
        token = VISITOR.set(request)
        try:
            async for snippet in render(self, path):
                yield snippet
        finally:
            VISITOR.reset(token)
            visitors.finished(request, time.monotonic())

    VoilaHandler.get_generator = get_generator


async def janitor(kernel_manager, visitors: Visitors) -> None:
    """Every few seconds, shut down the visitor kernels visitors.due names, and those that
    died (no restart: their pages are told so, and offer to reload)."""
    while True:
        await asyncio.sleep(visitors.limits.check_every_s)
        live = set(kernel_manager.list_kernel_ids())
        due = visitors.due(time.monotonic(), live)
        for kernel_id in set(visitors.kernels) & live - set(due):
            try:
                if not await ensure_async(kernel_manager.get_kernel(kernel_id).is_alive()):
                    due.append(kernel_id)
            except KeyError:  # shut down meanwhile
                pass
        for kernel_id in due:
            kernel_manager.log.info("Shutting down %s: gone, left, or never visited", kernel_id)
            visitors.shut_down(kernel_id, time.monotonic())
            try:
                await ensure_async(kernel_manager.shutdown_kernel(kernel_id, now=True))
            except Exception as error:  # gone already
                kernel_manager.log.debug("Shutting down %s: %s", kernel_id, error)
            PublicKernelConnection.close_pages_of(kernel_id)
