"""Where a demo page's bytes and time to interactive go: the tool behind bench.py's tti_s and page_mb.

    python benchmarks/page_trace.py [PAGE] [--loads N]      (PAGE: coordinates by default)

Starts Voila as `make serve` does, waits for the preheated kernels, opens the page in
headless Chromium N times (a fresh browser context each: nothing cached) and prints, for
the last load: every response over 20 kB (compressed size, start and end in ms), the main
thread's long tasks, when the kernel's websocket opened, and JavaScript time by script
(a CPU profile, which itself slows the page a little). It found, in order: plotly's widget
code asked for only after 2 s, tornado gzipping 15 MB at level 6 on every request,
4.9 MB of plotly.js where 1.4 MB draw every trace, nglview's 0.8 s of script.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Before the page's own scripts: record long tasks and the kernel websocket's opening.
WATCH_JS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) __longTasks.push([Math.round(e.startTime), Math.round(e.duration)]);
}).observe({type: 'longtask', buffered: true});
window.__socket = {};
const PageSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new PageSocket(...args);
  __socket.created = Math.round(performance.now());
  socket.addEventListener('open', () => { __socket.opened = Math.round(performance.now()); });
  return socket;
};
window.WebSocket.prototype = PageSocket.prototype;
Object.assign(window.WebSocket, PageSocket);
"""
RESOURCES_JS = """() => performance.getEntriesByType('resource').map((r) => [
  r.name, Math.round(r.startTime), Math.round(r.responseEnd), r.encodedBodySize])"""


def script_times(profile: dict) -> collections.Counter:
    """Milliseconds of CPU profile samples by script file (or by V8's own categories)."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    times: collections.Counter = collections.Counter()
    for sample, delta_us in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = nodes[sample]["callFrame"]
        name = frame["url"].rsplit("/", 1)[-1].split("?")[0] or f"({frame['functionName']})"
        times[name] += delta_us / 1000
    return times


def trace(page_name: str, loads: int) -> None:
    import bench
    import class_run
    from playwright.sync_api import sync_playwright

    from deck_server.launch import CHROMIUM_FLAGS, voila_process

    log = ROOT / "build" / "page-trace-voila.log"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )
        with voila_process(ROOT, ROOT / "notebooks", log=log) as (url, server):
            for load in range(loads):
                class_run.wait_until_ready(log, server.pid, bench.DEMO_PAGES)
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.add_init_script(WATCH_JS)
                profiling = load == loads - 1
                if profiling:
                    cdp = context.new_cdp_session(page)
                    cdp.send("Profiler.enable")
                    cdp.send("Profiler.start")
                start = time.perf_counter()
                page.goto(f"{url}/voila/render/demos/{page_name}.ipynb", wait_until="commit")
                page.wait_for_function(bench.LIVE_PLOT_JS, timeout=180_000)
                shown = time.perf_counter() - start
                answered = None
                if page.query_selector(".widget-slider:has-text('z rotation')"):
                    page.evaluate(bench.REDRAW_JS, 1)  # a structure page: turn it once
                    answered = time.perf_counter() - start
                print(
                    f"load {load + 1}: plot shown {shown:.2f} s"
                    + (f", first slider move answered {answered:.2f} s" if answered else "")
                )
                if profiling:
                    times = script_times(cdp.send("Profiler.stop")["profile"])
                    resources = page.evaluate(RESOURCES_JS)
                    total = sum(size for *_, size in resources)
                    print(
                        f"\n{len(resources)} responses, {total / 1e6:.2f} MB compressed; over 20 kB:"
                    )
                    for name, begin, end, size in sorted(resources, key=lambda r: r[1]):
                        if size > 20_000:
                            print(f"  {size / 1e3:8.1f} kB  {begin:5d}–{end:5d} ms  {name[-70:]}")
                    print("\nlong tasks (start ms, duration ms):", page.evaluate("__longTasks"))
                    print("kernel websocket (ms):", page.evaluate("__socket"))
                    print("\nJavaScript time by script (ms, sampled):")
                    for name, ms in times.most_common(12):
                        print(f"  {ms:7.0f}  {name[:60]}")
                context.close()
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", nargs="?", default="coordinates", help="a page in notebooks/demos")
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args(argv)
    if not (ROOT / "notebooks" / "demos" / f"{args.page}.ipynb").is_file():
        parser.error(f"no demo page {args.page!r}; try one of notebooks/demos/*.ipynb")
    trace(args.page, args.loads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
