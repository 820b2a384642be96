"""A soak of the public server: honest visitors drag sliders for minutes while one hostile
client attacks it, all on 127.0.0.1 and bounded (python benchmarks/soak.py, or make soak).

The server runs as docs/deploy.md has it behind a reverse proxy: the proxy's address
header names each visitor (X-Real-IP here, so that 30 visitors on one machine are 30
addresses) and one address may hold DECK_MAX_KERNELS_PER_ADDRESS kernels. No kernel is
preheated, so no pool refill runs during the measurement; visitors arrive two seconds
apart, as a class following a link does.

The honest visitors (class_run.Visitor: get a page, ask for its widgets, drag its first
slider, wait for the panel's answer to each move) first drag alone for `quiet_s`, then for
`soak_s` while the hostile client loops over what the red-team report sent
(../shared/reviews/redteam.md): v1 and legacy websocket frames declaring absurd buffer
counts, nonsense comm messages to every widget, and bursts of plain GETs of a page. It
reports the honest answers' p95 in both phases and their ratio, honest visitors that
failed, the server's memory over time, what the attacker got, and the kernels left once
every visitor has gone and the server's rules have run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle
from pathlib import Path

import class_run
import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
ADDRESS_HEADER = "X-Real-IP"
PER_ADDRESS = 3  # a visitor's share behind a proxy (docs/deploy.md)
PAGES_PER_MINUTE = 6  # pages one address may open a minute behind a proxy (docs/deploy.md)
ARRIVE_EVERY_S = 2.0
SETTLE_S = 10.0  # after the last visitor got in, before the quiet phase is counted
ATTACK_PAUSE_S = 1.0  # between two rounds of the attack: relentless, not a CPU spin
FRONTS = ("frames", "nonsense", "get_burst")
GET_BURST = 20
GET_TIMEOUT_S = 5.0
DRAG_PAUSE_S = 0.5  # between an answer and the next move: a student trying values
# Comm payloads the widgets' browser code never sends (a few of the report's).
NONSENSE = (
    {"method": "update", "state": {"value": "NaN"}, "buffer_paths": []},
    {"method": "update", "state": {"value": [1] * 10_000}, "buffer_paths": []},
    {"method": "update", "state": None},
    {"method": "custom", "content": {"type": "updateIDs", "data": None}},
    {},
    "x",
)


def kernel_processes(server: psutil.Process) -> list[psutil.Process]:
    kernels = []
    for process in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # gone, or a zombie about to be reaped
            if "ipykernel" in " ".join(process.cmdline()):
                kernels.append(process)
    return kernels


class Attacker:
    """One address attacking on three fronts at once, each in its own thread, round after
    round: malformed websocket frames, nonsense comm messages on a page of its own, and
    bursts of plain page requests."""

    def __init__(self, url: str, fronts: tuple[str, ...] = FRONTS):
        self.url = url
        self.headers = {ADDRESS_HEADER: "10.66.6.6"}
        self.stop = threading.Event()
        self.sent: Counter[str] = Counter()
        self.answers: Counter[str] = Counter()
        self.lock = threading.Lock()  # the counters are shared by the three threads
        self.threads = {
            name: threading.Thread(target=self.keep, args=(getattr(self, name),), daemon=True)
            for name in fronts
        }
        self.holding = {name: threading.Event() for name in fronts}
        self.pages_at: list[float] = []  # time.monotonic() of each page a GET burst got

    def start(self) -> None:
        """The fronts that work on pages of their own take them first (within the address's
        share); the GET bursts, which would take every free seat, come once they hold them."""
        paged = [name for name in self.threads if name != "get_burst"]
        for name in paged:
            self.threads[name].start()
        for name in paged:
            self.holding[name].wait(timeout=120)
        if "get_burst" in self.threads:
            self.threads["get_burst"].start()

    def join(self, timeout: float) -> None:
        for thread in self.threads.values():
            if thread.is_alive():
                thread.join(timeout)

    def count(self, counter: Counter[str], what: str, n: int = 1) -> None:
        with self.lock:
            counter[what] += n

    def keep(self, front) -> None:
        channel = None
        while not self.stop.is_set():
            try:
                channel = front(channel)
                self.holding[front.__name__].set()
            except RuntimeError as refused:  # a page answered 503: its share is taken
                self.count(self.answers, "pages refused" if " 503" in str(refused) else "other")
                channel = None
            except Exception as error:  # a closed socket, a timeout: counted, it goes on
                self.count(self.answers, f"connection ended: {type(error).__name__}")
                if channel is not None:
                    channel.close()
                channel = None
            self.stop.wait(ATTACK_PAUSE_S)
        if channel is not None:
            channel.close()

    def page(self, subprotocol: str | None = None):
        from deck_server.client import KernelChannel

        return KernelChannel(self.url, "demos/likelihood.ipynb", subprotocol, self.headers)

    def frames(self, channel):
        """A v1 frame declaring 2**62 buffers (froze the server for good), then a legacy
        frame declaring 10**7 (stalled it) on a second page."""
        from deck_server.websocket import V1

        if channel is None:
            v1 = self.page(V1)
            try:
                legacy = self.page()
            except Exception:
                v1.close()
                raise
            channel = _Pair((v1, legacy))
        v1, legacy = channel
        v1.ws.send_binary((2**62).to_bytes(8, "little") + b"\0" * 16)
        legacy.ws.send_binary((10**7).to_bytes(4, "big") + b"\0" * 16)
        self.count(self.sent, "malformed frames", 2)
        return channel

    def nonsense(self, channel):
        channel = channel or self.page()
        reply = channel.reply_to(channel.send("comm_info_request", {}))
        for comm_id in reply["content"]["comms"]:
            for data in NONSENSE:
                channel.send("comm_msg", {"comm_id": comm_id, "data": data})
        unknown = {"comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget", "data": {}}
        channel.send("comm_open", unknown)
        self.count(self.sent, "nonsense comm messages", len(reply["content"]["comms"]) * 6 + 1)
        channel.reply_to(channel.send("kernel_info_request", {}))
        received, channel.received = channel.received, []
        tracebacks = sum(
            m["msg_type"] == "error"
            or (m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
            for m in received
        )
        self.count(self.answers, "tracebacks received", tracebacks)
        return channel

    def get_burst(self, _channel):
        """GET_BURST plain page requests at once, each given GET_TIMEOUT_S (a page that takes
        longer is counted as slow, and the next burst goes out regardless)."""
        page = f"{self.url}/voila/render/demos/soap.ipynb"

        def one(_):
            try:
                request = urllib.request.Request(page, headers=self.headers)
                with urllib.request.urlopen(request, timeout=GET_TIMEOUT_S) as response:
                    return str(response.status)
            except urllib.error.HTTPError as error:
                return str(error.code)
            except OSError:
                return f"slower than {GET_TIMEOUT_S:.0f} s"

        with ThreadPoolExecutor(max_workers=GET_BURST) as pool:
            answers = list(pool.map(one, range(GET_BURST)))
        self.count(self.sent, "plain GETs", len(answers))
        for answer in answers:
            self.count(self.answers, f"GET answered {answer}")
        if "200" in answers:
            self.pages_at.append(time.monotonic())


class _Pair(tuple):
    """Two channels kept by one front, closed together."""

    def close(self) -> None:
        for channel in self:
            channel.close()


class ServerMemory(threading.Thread):
    """The Voila process's own resident memory (not its kernels'), sampled with the time."""

    def __init__(self, server: psutil.Process, every_s: float = 2.0):
        super().__init__(daemon=True)
        self.server, self.every_s = server, every_s
        self.samples: list[tuple[float, float, int]] = []  # (monotonic, MB, kernels)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss = self.server.memory_info().rss / 2**20
            self.samples.append((time.monotonic(), rss, len(kernel_processes(self.server))))
            self.done.wait(self.every_s)

    def between(self, start: float, end: float) -> list[float]:
        return [mb for t, mb, _ in self.samples if start <= t < end]


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def soak(
    visitors: int, quiet_s: float, soak_s: float, left_s: float, fronts: tuple[str, ...] = FRONTS
) -> dict[str, float]:
    from deck_server.launch import voila_process

    log = ROOT / "build" / "soak-voila.log"
    environment = {
        "DECK_POOL_SIZE": "0",
        "DECK_ADDRESS_HEADER": ADDRESS_HEADER,
        "DECK_MAX_KERNELS_PER_ADDRESS": str(PER_ADDRESS),
        "DECK_PAGES_PER_MINUTE_PER_ADDRESS": str(PAGES_PER_MINUTE),
        "DECK_MAX_KERNELS": str(visitors + 2 * PER_ADDRESS),
        "DECK_LEFT_S": str(left_s),
        "DECK_UNCONNECTED_S": str(left_s),
        "DECK_CHECK_S": "5",
    }
    with voila_process(ROOT, ROOT / "notebooks", log=log, **environment) as (url, process):
        server = psutil.Process(process.pid)
        memory = ServerMemory(server)
        memory.start()
        arrivals = visitors * ARRIVE_EVERY_S
        start = threading.Barrier(visitors + 1)
        pages = cycle(class_run.CLASS_PAGES)
        crowd = [
            class_run.Visitor(
                url,
                next(pages),
                start,
                drag_s=arrivals + SETTLE_S + quiet_s + soak_s + 120,  # ends when told below
                headers={ADDRESS_HEADER: f"10.0.{i // 250}.{i % 250 + 1}"},
                arrive_after_s=i * ARRIVE_EVERY_S,
                pause_s=DRAG_PAUSE_S,
            )
            for i in range(visitors)
        ]
        for visitor in crowd:
            visitor.start()
        start.wait()
        began = time.monotonic()
        print(f"  {visitors} visitors arriving {ARRIVE_EVERY_S:.0f} s apart …", flush=True)
        while any(not v.answered_at and not v.error for v in crowd):
            time.sleep(1)
        all_in = time.monotonic()
        print(f"  all in after {all_in - began:.0f} s; quiet phase {quiet_s:.0f} s", flush=True)
        quiet_from = all_in + SETTLE_S
        attack_from = quiet_from + quiet_s
        time.sleep(max(0.0, attack_from - time.monotonic()))
        attacker = Attacker(url, fronts)
        attacker.start()
        print(f"  the attacker joins for {soak_s:.0f} s", flush=True)
        time.sleep(soak_s)
        ended = time.monotonic()
        attacker.stop.set()
        for visitor in crowd:  # they leave after their next answer
            visitor.leave.set()
        for visitor in crowd:
            visitor.join(timeout=class_run.ANSWER_TIMEOUT_S)
        attacker.join(timeout=300)
        print("  everyone left; waiting for the server to shut their kernels down", flush=True)
        deadline = time.monotonic() + 2 * left_s + 60
        while kernel_processes(server) and time.monotonic() < deadline:
            time.sleep(2)
        memory.done.set()
        memory.join()
        kernels_left = len(kernel_processes(server))

    every_answer = sorted(  # (when, ms) of every honest answer
        (at, ms) for v in crowd for ms, at in zip(v.answers_ms, v.answered_at, strict=True)
    )

    def answers(start: float, end: float) -> list[float]:
        return [ms for at, ms in every_answer if start <= at < end]

    quiet, attacked = answers(quiet_from, attack_from), answers(attack_from, ended)
    if attacker.pages_at:
        print(
            "  the GET bursts got pages at "
            + ", ".join(f"{t - attack_from:.0f}" for t in attacker.pages_at)
            + " s into the attack"
        )
    failed = [v.error for v in crowd if v.error]
    for error in failed:
        print(f"  AN HONEST VISITOR FAILED: {error}")
    server_mb = memory.between(attack_from, ended)
    figures = {
        "soak.visitors": float(visitors),
        "soak.quiet_s": quiet_s,
        "soak.attack_s": soak_s,
        "soak.honest_failed": float(len(failed)),
        "soak.quiet_answers": float(len(quiet)),
        "soak.attacked_answers": float(len(attacked)),
        "soak.quiet_p95_ms": p95(quiet),
        "soak.attacked_p95_ms": p95(attacked),
        "ratio.soak_p95": p95(attacked) / p95(quiet),
        "soak.server_mb_at_attack": server_mb[0] if server_mb else float("nan"),
        "soak.server_mb_max": max(server_mb, default=float("nan")),
        "soak.server_mb_at_end": memory.samples[-1][1],
        "soak.kernels_max": float(max(k for _, _, k in memory.samples)),
        "soak.kernels_left": float(kernels_left),
    }
    # whether the server's memory levels off under attack: its RSS at each minute's end
    by_minute = [
        max(memory.between(attack_from + 60 * m, attack_from + 60 * (m + 1)), default=0.0)
        for m in range(int(soak_s // 60))
    ]
    figures.update({f"soak.server_mb_minute_{m + 1}": mb for m, mb in enumerate(by_minute)})
    # when in the attack the slow answers came: the p95 of each minute
    figures.update(
        {
            f"soak.attacked_p95_ms_minute_{m + 1}": p95(
                answers(attack_from + 60 * m, attack_from + 60 * (m + 1))
            )
            for m in range(int(soak_s // 60))
        }
    )
    figures.update({f"attack.sent.{k}": float(n) for k, n in attacker.sent.items()})
    figures.update({f"attack.answer.{k}": float(n) for k, n in attacker.answers.items()})
    # every honest answer and attacker's page, in seconds from the attack's start, to find
    # what the slow answers came after
    timeline = {
        "answers": [
            (round(at - attack_from, 3), round(ms, 2))
            for at, ms in every_answer
            if quiet_from <= at < ended
        ],
        "attacker_pages": [round(t - attack_from, 3) for t in attacker.pages_at],
    }
    (ROOT / "build" / "soak-timeline.json").write_text(json.dumps(timeline))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=30)
    parser.add_argument("--quiet-s", type=float, default=120)
    parser.add_argument("--soak-s", type=float, default=600)
    parser.add_argument(
        "--left-s", type=float, default=60, help="DECK_LEFT_S and DECK_UNCONNECTED_S"
    )
    parser.add_argument(
        "--fronts",
        default=",".join(FRONTS),
        help=f"the attacks, of {', '.join(FRONTS)}; 'none' for a control run (the second phase "
        "as quiet as the first: how far the p95 moves by itself)",
    )
    options = parser.parse_args()
    fronts = () if options.fronts == "none" else tuple(options.fronts.split(","))
    if unknown := set(fronts) - set(FRONTS):
        parser.error(f"unknown front(s) {', '.join(sorted(unknown))}; choose of {FRONTS}")
    figures = soak(options.visitors, options.quiet_s, options.soak_s, options.left_s, fronts)
    out = ROOT / "build" / "soak.json"
    out.write_text(json.dumps(figures, indent=1) + "\n")
    for name, value in figures.items():
        print(f"  {name:45s} {value:10.1f}")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
