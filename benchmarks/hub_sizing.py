"""Sizing a hub for the deck: memory per student server and spawn time, measured on a local
JupyterHub (deck_server.hub) with N students logging in at once, for N = 1, 2, 4.

    make hub-sizing          (or: python benchmarks/hub_sizing.py [N …])

Each simulated student is a Chromium context of its own on 127.0.0.1: it logs in through
the hub's form (spawn time: from submitting the form to the deck's landing page drawn),
opens the likelihood demo and waits for its plot. Then the resident memory of each
student's server process and its children (the demo's kernel) is read. The students'
servers are stopped before the next N. Results into build/hub_sizing.json and a table;
docs/deploy.md ("Measured on a local JupyterHub") quotes them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from deck_server.hub import DEFAULT_URL, start_hub, wait_for  # noqa: E402
from deck_server.launch import CHROMIUM_FLAGS  # noqa: E402

PASSWORD = "sizing"
TIMEOUT_MS = 300_000
OUT = ROOT / "build" / "hub_sizing.json"


async def one_student(browser, hub, name: str) -> dict:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{hub.url}/hub/login", timeout=TIMEOUT_MS)
    await page.fill("#username_input", name)
    await page.fill("#password_input", PASSWORD)
    started = time.monotonic()
    await page.click("#login_submit")
    await page.wait_for_url(f"{hub.url}/user/{name}{DEFAULT_URL}*", timeout=TIMEOUT_MS)
    await page.wait_for_selector("ul.demos a", timeout=TIMEOUT_MS)
    spawn_s = time.monotonic() - started
    await page.click("ul.demos a[href$='/likelihood.ipynb']")
    await page.wait_for_selector(".js-plotly-plot .main-svg", timeout=TIMEOUT_MS)
    demo_s = time.monotonic() - started - spawn_s
    # What the student's server sends for the largest file of a page (plotly's widget
    # code), asked for compressed as a browser asks: is it compressed on a hub?
    widget = await context.request.get(
        f"{hub.url}/user/{name}/voila/templates/deck/static/plotly-widget.js",
        headers={"Accept-Encoding": "gzip, deflate, br"},
    )
    return {
        "name": name,
        "context": context,
        "spawn_s": spawn_s,
        "demo_s": demo_s,
        "widget_encoding": widget.headers.get("content-encoding", "none"),
    }


def rss_mb(pid: int) -> tuple[float, float]:
    """RSS of a server process and of its children (its kernels), MB."""
    server = psutil.Process(pid)
    children = server.children(recursive=True)
    return server.memory_info().rss / 1e6, sum(c.memory_info().rss for c in children) / 1e6


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a server and its kernels have used so far."""
    server = psutil.Process(pid)
    processes = [server, *server.children(recursive=True)]
    return sum(p.cpu_times().user + p.cpu_times().system for p in processes)


def hub_rss_mb(hub) -> dict:
    """RSS of the hub itself and of its proxy, MB."""
    process = psutil.Process(hub.process.pid)
    proxy = [
        child
        for child in process.children(recursive=True)
        if "configurable-http-proxy" in " ".join(child.cmdline())
    ]
    return {
        "hub_mb": round(process.memory_info().rss / 1e6),
        "proxy_mb": round(sum(p.memory_info().rss for p in proxy) / 1e6),
    }


async def round_of(browser, hub, n: int) -> dict:
    names = [f"s{n}-{i}" for i in range(n)]
    students = await asyncio.gather(*(one_student(browser, hub, name) for name in names))
    rows = []
    for student in students:
        pid = hub.server_pid(student["name"])
        server_mb, kernels_mb = rss_mb(pid)
        rows.append(
            {
                "spawn_s": round(student["spawn_s"], 2),
                "demo_s": round(student["demo_s"], 2),
                "widget_encoding": student["widget_encoding"],
                "server_mb": round(server_mb),
                "kernels_mb": round(kernels_mb),
                "total_mb": round(server_mb + kernels_mb),
                # starting the server, the landing page and the demo's kernel and page
                "cpu_s": round(cpu_s(pid), 1),
            }
        )
        await student["context"].close()
    hub_figures = hub_rss_mb(hub)  # with n servers running
    for name in names:  # stopped before the next round, so rounds do not add up
        hub.api("DELETE", f"/users/{name}/server")
        wait_for(lambda name=name: not hub.api("GET", f"/users/{name}")["servers"], name, 120)
    return {
        "n": n,
        "students": rows,
        "spawn_s_median": round(statistics.median(r["spawn_s"] for r in rows), 2),
        "spawn_s_max": max(r["spawn_s"] for r in rows),
        "total_mb_mean": round(statistics.mean(r["total_mb"] for r in rows)),
        "total_mb_max": max(r["total_mb"] for r in rows),
        "cpu_s_mean": round(statistics.mean(r["cpu_s"] for r in rows), 1),
        "load_average_1min": round(psutil.getloadavg()[0], 1),  # others' work on the machine
        **hub_figures,
    }


async def measure(counts: list[int]) -> list[dict]:
    from playwright.async_api import async_playwright

    with (
        tempfile.TemporaryDirectory() as workdir,
        start_hub(ROOT, Path(workdir), password=PASSWORD) as hub,
    ):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
            )
            rounds = []
            for n in counts:
                rounds.append(await round_of(browser, hub, n))
                print(json.dumps(rounds[-1]), flush=True)
            await browser.close()
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[1, 2, 4])
    args = parser.parse_args(argv)
    if any(n < 1 or n > 8 for n in args.counts):  # bounded: this is a 2-core machine
        parser.error("N between 1 and 8")
    rounds = asyncio.run(measure(args.counts))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"rounds": rounds, "cores": psutil.cpu_count()}, indent=1))
    print(
        "\n| N at once | spawn s (median, max) | server + kernel MB (mean, max) "
        "| CPU s per student | hub MB | proxy MB | load average |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rounds:
        print(
            f"| {r['n']} | {r['spawn_s_median']}, {r['spawn_s_max']} "
            f"| {r['total_mb_mean']}, {r['total_mb_max']} | {r['cpu_s_mean']} "
            f"| {r['hub_mb']} | {r['proxy_mb']} | {r['load_average_1min']} |"
        )
    print(f"written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
