"""deck_server.kernels on stand-ins for the classes Voila's factory makes."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import voila.app
import voila.handler
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from deck_server import kernels
from deck_server._shape import PatchOutOfDate
from deck_server.visitors import VISITOR, Limits, PageRequest, Visitors


def run(coroutine):
    """asyncio.run in a thread of its own: a browser test earlier in this process (pytest's
    worker) may have left Playwright's event loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


class Kernel:
    # what jupyter_server's idle culler reads of a kernel
    kernel_name = "python3"
    kernel_spec = SimpleNamespace(metadata={})
    execution_state = "idle"

    def __init__(self, alive: bool) -> None:
        self.alive = alive
        self.last_activity = datetime.now(timezone.utc)

    async def is_alive(self) -> bool:
        return self.alive


class Pooling:
    """Stands in for Voila's pooling kernel manager: the methods kernels.py relies on."""

    # jupyter_server's culling settings as etc/jupyter/voila.py has them
    cull_idle_timeout, cull_busy, cull_connected = 600, False, False

    def __init__(self) -> None:
        self.kernels: dict[str, Kernel] = {}
        self._kernels = self.kernels  # what jupyter_server's culler looks kernels up in
        self._kernel_connections: dict[str, int] = {}
        self._pools: dict[str, list] = {}
        self.started = self.running = self.peak = 0
        self.shut_down: list[str] = []
        self.log = __import__("logging").getLogger("test")

    async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
        self.started += 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        kernel_id = await self.start_kernel(name=f"k{self.started}")  # whatever it books
        self.kernels[kernel_id] = Kernel(alive=True)

        async def run_page():
            await asyncio.sleep(0.02)
            self.running -= 1

        return {"task": asyncio.get_running_loop().create_task(run_page()), "kernel_id": kernel_id}

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        pool = self._pools.setdefault(notebook_name, [])
        pool.append(asyncio.ensure_future(self._initialize(notebook_name)))

    async def get_rendered_notebook(self, notebook_name, **kwargs):
        content = await self._pools[notebook_name].pop(0)
        return content["task"], [], content["kernel_id"]

    def get_kernel(self, kernel_id):
        return self.kernels[kernel_id]

    async def shutdown_kernel(self, kernel_id, now=False):
        self.shut_down.append(kernel_id)

    async def start_kernel(self, name="own", **kwargs):
        return name


def test_pool_kernels_start_a_few_at_a_time():
    """Twelve pool kernels asked for at once: at most `slots` start together, each holding
    its slot until its page has run, and all twelve get there."""
    manager = kernels.deck_kernel_manager(Pooling, start_slots=2, visitors=Visitors())()

    async def class_arrives():
        contents = await asyncio.gather(*[manager._initialize("p") for _ in range(12)])
        await asyncio.gather(*[content["task"] for content in contents])

    run(class_arrives())
    assert (manager.peak, manager.started) == (2, 12)


def test_a_dead_pool_kernel_is_never_handed_out():
    visitors = Visitors()
    manager = kernels.deck_kernel_manager(Pooling, start_slots=4, visitors=visitors)()

    async def visit():
        for _ in range(3):
            manager.fill_if_needed(notebook_name="p")
        await asyncio.gather(*manager._pools["p"])
        manager.kernels["k1"].alive = False  # the OOM killer took it
        manager.kernels["k2"].alive = False  # it crashed
        VISITOR.set(PageRequest("10.0.0.7"))
        return await manager.get_rendered_notebook(notebook_name="p")

    _task, _cache, kernel_id = run(visit())
    assert kernel_id == "k3"
    assert sorted(manager.shut_down) == ["k1", "k2"]
    assert visitors.kernels["k3"].visitor == "10.0.0.7"  # booked to the visitor
    assert len(manager._pools["p"]) == 2  # the two dropped ones are being replaced


def test_a_pool_kernel_handed_out_is_not_culled_before_its_browser_connects():
    """jupyter_server's idle culler, run on the stand-in: a kernel that waited in the pool
    longer than the idle timeout and was just handed to a page (its browser not connected
    yet) is spared; the same kernel left idle that long afterwards is culled."""
    manager = kernels.deck_kernel_manager(Pooling, start_slots=1, visitors=Visitors())()
    cull = AsyncMappingKernelManager.cull_kernel_if_idle
    eleven_minutes_ago = datetime.now(timezone.utc) - timedelta(seconds=660)

    async def visit():
        manager.fill_if_needed(notebook_name="p")
        content = await manager._pools["p"][0]
        await content["task"]
        manager.kernels[content["kernel_id"]].last_activity = eleven_minutes_ago  # preheated
        _task, _cache, kernel_id = await manager.get_rendered_notebook(notebook_name="p")
        await cull(manager, kernel_id)  # the culler's round, before the browser connects
        spared = list(manager.shut_down)
        manager.kernels[kernel_id].last_activity = eleven_minutes_ago
        await cull(manager, kernel_id)
        return kernel_id, spared

    kernel_id, spared = run(visit())
    assert spared == []
    assert manager.shut_down == [kernel_id]


def test_a_kernel_started_for_a_page_is_booked_and_a_pool_refill_is_not():
    visitors = Visitors()
    manager = kernels.deck_kernel_manager(Pooling, start_slots=1, visitors=visitors)()

    async def visit():
        VISITOR.set(PageRequest("10.0.0.8"))
        own = await manager.start_kernel()
        # a refill the page's request set off runs in a copy of the request's context
        refill = await asyncio.ensure_future(manager._initialize("p"))
        return own, refill["kernel_id"]

    own, refill = run(visit())
    assert visitors.kernels[own].visitor == "10.0.0.8"
    assert refill not in visitors.kernels


def test_without_preheating_the_kernel_manager_is_voilas_own_plus_booking():
    made = voila.app.voila_kernel_manager_factory(AsyncMappingKernelManager, False, 0)
    deck = kernels.deck_kernel_manager(made, start_slots=1, visitors=Visitors())
    assert issubclass(deck, AsyncMappingKernelManager) and not hasattr(deck, "_initialize")


def test_a_reshaped_voila_is_refused_loudly(monkeypatch):
    class Reshaped(Pooling):
        async def _initialize(self, notebook, **kwargs):  # a parameter renamed
            return {}

    with pytest.raises(PatchOutOfDate, match=r"deck_server\.kernels"):
        kernels.deck_kernel_manager(Reshaped, start_slots=1, visitors=Visitors())
    monkeypatch.setattr(voila.app, "voila_kernel_manager_factory", lambda base: base)
    with pytest.raises(PatchOutOfDate, match="voila_kernel_manager_factory"):
        kernels.install_kernel_manager(1, Visitors())


class Handler:
    """Stands in for Voila's page handler: the request, the kernel manager, the reply."""

    def __init__(self, address: str, headers: dict) -> None:
        self.request = type("Request", (), {"remote_ip": address, "headers": headers})()
        self.kernel_manager = type("Manager", (), {"list_kernel_ids": lambda self: ["k"]})()
        self.log = __import__("logging").getLogger("test")
        self.status, self.headers = 200, {}

    def set_status(self, status):
        self.status = status

    def set_header(self, name, value):
        self.headers[name] = value


def test_a_page_above_the_limit_is_refused_and_the_address_may_come_from_a_proxy(monkeypatch):
    seen = []

    async def render(self, path=None):
        seen.append(VISITOR.get().visitor)
        yield "<html>page</html>"

    monkeypatch.setattr(voila.handler.VoilaHandler, "get_generator", render)
    monkeypatch.setattr(kernels, "janitor", lambda *args: asyncio.sleep(0))
    limits = Limits(per_visitor=1, address_header="X-Real-IP")
    visitors = Visitors(limits)
    kernels.install_page_limits(visitors)

    async def page(handler):
        return [snippet async for snippet in voila.handler.VoilaHandler.get_generator(handler)]

    proxied = Handler("10.0.0.1", {"X-Real-IP": "192.0.2.7"})
    assert run(page(proxied)) == ["<html>page</html>"] and seen == ["192.0.2.7"]
    visitors.handed("k", "192.0.2.7", now=0)  # what the kernel manager books
    refused = Handler("10.0.0.1", {"X-Real-IP": "192.0.2.7"})
    (body,) = run(page(refused))
    assert refused.status == 503 and refused.headers["Retry-After"] == "60"
    assert "already open from your address" in body
    other = Handler("10.0.0.1", {"X-Real-IP": "192.0.2.8"})  # the same proxy, someone else
    assert run(page(other)) == ["<html>page</html>"]
