"""A class opening the demo pages at once: visitors on 127.0.0.1 that speak the page's protocol.

Each visitor does what a student's browser asks of the server: gets a demo page (Voila
renders it, from a preheated kernel while the pool lasts), opens the kernel's websocket,
asks for the widgets' states, then drags the page's first slider (or steps its first
dropdown), waiting for the panel's answer to each move, and leaves without saying goodbye
(closed tabs often do). The browser's own work (15 MB of JavaScript on each student's
machine) is not the server's load, and is measured per page by bench.py's tti_s instead.
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
import time
import uuid
from itertools import cycle
from pathlib import Path

import numpy as np
import psutil

# The five featurization demos: the pages a class opens in the first half of the lecture.
CLASS_PAGES = ("coordinates", "coulomb-matrix", "soap", "fingerprints", "likelihood")
DRAG_PAUSE_S = 0.1  # between a panel's answer and the next move: a hand dragging a slider
ANSWER_TIMEOUT_S = 120
# The server's 600/60 s culling, shortened for the run. Voila spares pool kernels only once
# they are ready, so the idle time must outlast a pool refill: 30 kernels restarting on 2
# cores take about a minute.
CULL_INTERVAL_S = 5


def cull_idle_s(visitors: int) -> int:
    return 20 if visitors <= 5 else 150


def culling_options(visitors: int) -> list[str]:
    return [
        f"--MappingKernelManager.cull_idle_timeout={cull_idle_s(visitors)}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
    ]


def pool_setting(visitors: int, others: int = 1) -> str:
    """DECK_POOL_SIZE that keeps a kernel ready for every visitor of CLASS_PAGES, and
    `others` for each of the other pages (1, as `make serve` has them)."""
    size = math.ceil(visitors / len(CLASS_PAGES))
    return ",".join([str(others), *(f"{page}={size}" for page in CLASS_PAGES)])


class Visitor(threading.Thread):
    def __init__(
        self,
        url: str,
        page: str,
        start: threading.Barrier,
        drag_s: float,
        headers: dict[str, str] | None = None,
        arrive_after_s: float = 0.0,
        pause_s: float = DRAG_PAUSE_S,
    ):
        super().__init__(daemon=True)
        self.url, self.page, self.start_together, self.drag_s = url, page, start, drag_s
        # for a soak: a reverse proxy's address header, and arrivals spread out
        self.headers, self.arrive_after_s, self.pause_s = headers, arrive_after_s, pause_s
        self.tti_s: float | None = None
        self.steps_s: dict[str, float] = {}  # page, states, first answer: where TTI goes
        self.kernel_id: str | None = None
        self.answers_ms: list[float] = []
        self.answered_at: list[float] = []  # time.monotonic() of each answer
        self.leave = threading.Event()  # set: the visitor leaves after the next answer
        self.error: str | None = None

    def run(self) -> None:
        from deck_server.client import KernelChannel

        self.start_together.wait()
        time.sleep(self.arrive_after_s)
        begin = time.perf_counter()
        channel = None
        try:
            channel = KernelChannel(self.url, f"demos/{self.page}.ipynb", headers=self.headers)
            self.steps_s["page"] = time.perf_counter() - begin
            self.kernel_id = channel.kernel_id
            model_id, states = self.control(channel)
            self.steps_s["states"] = time.perf_counter() - begin
            deadline = None
            for state in cycle(states):
                sent = time.perf_counter()
                self.move(channel, model_id, state)
                self.answers_ms.append((time.perf_counter() - sent) * 1000)
                self.answered_at.append(time.monotonic())
                if deadline is None:
                    self.tti_s = time.perf_counter() - begin
                    deadline = time.monotonic() + self.drag_s
                if time.monotonic() > deadline or self.leave.is_set():
                    break
                time.sleep(self.pause_s)
        except Exception as error:  # reported with the figures, not lost in a thread
            self.error = f"{self.page}: {error!r}"
        finally:
            if channel is not None:
                channel.close()

    @staticmethod
    def wait(channel, matches) -> dict:
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while time.monotonic() < deadline:
            message = channel.receive(timeout=max(deadline - time.monotonic(), 0.01))
            if message.get("msg_type") == "comm_msg" and matches(message):
                return message
        raise TimeoutError(f"no answer within {ANSWER_TIMEOUT_S} s")

    def control(self, channel) -> tuple[str, list[dict]]:
        """The page's first slider (else first dropdown) and the states a drag walks through."""
        control = uuid.uuid4().hex
        target = {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}}
        channel.send("comm_open", target, metadata={"version": "1.0.0"})  # ipywidgets' protocol
        channel.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        reply = self.wait(channel, lambda m: m["content"]["comm_id"] == control)
        models = reply["content"]["data"]["states"]
        for model_id, model in models.items():
            state = model["state"]
            if model["model_name"] in ("IntSliderModel", "FloatSliderModel"):
                values = np.arange(state["min"], state["max"] + state["step"] / 2, state["step"])
                values = [v.item() for v in values if not np.isclose(v, state["value"])]
                return model_id, [{"value": v} for v in values[: len(values) // 2]]
        for model_id, model in models.items():
            state = model["state"]
            if model["model_name"] == "DropdownModel":
                labels = state["_options_labels"]
                indexes = [i for i, label in enumerate(labels) if not label.startswith("(")]
                return model_id, [{"index": i} for i in indexes if i != state["index"]]
        raise LookupError(f"{self.page}: no slider or dropdown among {len(models)} widgets")

    def move(self, channel, model_id: str, state: dict) -> None:
        """Send one move and wait for the panel's answer: a widget other than the control
        updated by the kernel while it handled that very message."""
        data = {"method": "update", "state": state, "buffer_paths": []}
        sent = channel.send("comm_msg", {"comm_id": model_id, "data": data})
        self.wait(
            channel,
            lambda m: (
                m["parent_header"].get("msg_id") == sent and m["content"]["comm_id"] != model_id
            ),
        )


def tree_sum(process: psutil.Process, read) -> float:
    """read(p) summed over the process and its descendants (the kernels), skipping the gone."""
    total = 0.0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += read(member)
    return total


def tree_rss_mb(process: psutil.Process) -> float:
    return tree_sum(process, lambda p: p.memory_info().rss) / 2**20


def tree_cpu_s(process: psutil.Process) -> float:
    return tree_sum(process, lambda p: sum(p.cpu_times()[:2]))


class PeakMemory(threading.Thread):
    """Samples the resident memory of a process and all its descendants (the kernels)."""

    def __init__(self, pid: int, every_s: float = 0.25):
        super().__init__(daemon=True)
        self.process, self.every_s = psutil.Process(pid), every_s
        self.peak_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.process))
            self.done.wait(self.every_s)


def wait_until_ready(log: Path, pid: int, pages: list[str], timeout_s: float = 900) -> None:
    """Until every page's pool is filled and its kernels have run their pages.

    Voila logs "filled" once the kernels have started, before they ran their notebooks;
    then the server's processes fall quiet (under 10 % of one core over 2 s).
    """
    deadline = time.monotonic() + timeout_s
    waiting = set(pages)
    while waiting and time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        waiting = {page for page in waiting if f"{page}.ipynb is filled" not in text}
        time.sleep(1)
    process = psutil.Process(pid)
    while time.monotonic() < deadline:
        before = tree_cpu_s(process)
        time.sleep(2)
        if not waiting and tree_cpu_s(process) - before < 0.2:
            return
    raise TimeoutError(f"the server's kernels had not settled after {timeout_s:.0f} s")


def class_run(url: str, pid: int, log: Path, visitors: int, drag_s: float) -> dict[str, float]:
    """Start `visitors` at once over CLASS_PAGES; figures after they left and culling ran."""
    memory = PeakMemory(pid)
    memory.start()
    start = threading.Barrier(visitors)
    pages = cycle(CLASS_PAGES)
    crowd = [Visitor(url, next(pages), start, drag_s) for _ in range(visitors)]
    for visitor in crowd:
        visitor.start()
    for visitor in crowd:
        visitor.join()
    errors = [visitor.error for visitor in crowd if visitor.error]
    if len(errors) == visitors:
        raise RuntimeError(f"every visitor failed, the first: {errors[0]}")
    for error in errors:  # shown, and the figures below are of the visitors who got in
        print(f"  A VISITOR FAILED: {error}", flush=True)
    crowd = [visitor for visitor in crowd if not visitor.error]
    # The culler visits kernels one by one every CULL_INTERVAL_S once they have been idle
    # for the idle time (the deck's janitor may be sooner): give them both, and up to one
    # more idle time to reach them all, counting as they go.
    deadline = time.monotonic() + 2 * cull_idle_s(visitors) + CULL_INTERVAL_S + 30
    while True:
        log_text = log.read_text(errors="replace")
        shut_down = set(re.findall(r"Kernel shutdown: ([0-9a-f-]+)", log_text))
        left = sum(visitor.kernel_id not in shut_down for visitor in crowd)
        if left == 0 or time.monotonic() > deadline:
            break
        time.sleep(2)
    memory.done.set()
    memory.join()
    answers = [ms for visitor in crowd for ms in visitor.answers_ms]
    for step in ("page", "states"):
        times = [visitor.steps_s[step] for visitor in crowd]
        print(f"  {step} done after p50 {np.median(times):.1f} s, max {max(times):.1f} s")
    print(
        f"  {len(crowd)} of {visitors} visitors got in: {len(answers)} slider moves answered, "
        f"p50 {np.percentile(answers, 50):.0f} ms, p95 {np.percentile(answers, 95):.0f} ms",
        flush=True,
    )
    return {
        "class.visitors": float(visitors),
        "class.tti_s_p95": float(np.percentile([v.tti_s for v in crowd], 95)),
        "class.peak_rss_mb": memory.peak_mb,
        "class.kernels_left": float(left),
    }
