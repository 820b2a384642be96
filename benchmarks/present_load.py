"""The presenter's page (`make present`) opened again and again: how soon the title slide
shows, and how soon every demo of the lecture is drawn (issue 16).

    python benchmarks/present_load.py [--loads N] [--variants present,reference] [--at /27]
                                      [--reload]

Each variant is a Voila server on notebooks/lecture.ipynb with the deck-reveal template:

  present     as `make present` serves it
  reference   Voila's rendering without progressive rendering: every cell runs before the
              page is sent (how `make present` worked before issue 16)

Loads alternate between the variants (so that both see the same machine), each in a fresh
browser context at a projector's 1280 × 720, from the title slide, or with --at from the
slide at that reveal.js address (a reload in the middle of the lecture: `--at /27` is the
network demo's slide), and with --reload a reload (F5) of a page that has run the lecture
(its code cached, its old kernel idle). Per load, from the navigation's start:

  title_s     the slide is shown (reveal.js ready, the current slide's heading visible)
  here_s      the demo on the slide opened is drawn (its figures and 3-D views; None if it
              has none)
  demos_s     every demo is drawn: the number of drawn plotly figures (with their SVG) and
              NGL canvases first reaches what most loads of the run ended with (a load that
              never does, within LOAD_TIMEOUT_S or by STABLE_S after its last cell and last
              change, lost a demo and counts as failed)
  plots, views  how many plotly figures and 3-D views that load drew in the end
  demo_slack  per demo slide: reached_s, when a presenter keeping to the minutes its speaker
              notes plan reaches it; drawn_s, when its figures and 3-D views were all drawn;
              share = drawn_s / reached_s (under 1: the demo was there first)

and the 1-minute load average when the load started (the machine is shared: compare the
variants of one run, not numbers of different runs). Prints medians per variant and writes
every load to build/present_load.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import time
from pathlib import Path

from deck_server.launch import PRESENT_OPTIONS

ROOT = Path(__file__).resolve().parents[1]
LECTURE = ROOT / "notebooks" / "lecture.ipynb"
VARIANT_OPTIONS = {
    "present": PRESENT_OPTIONS,
    "reference": (
        "--template=deck-reveal",
        "--VoilaConfiguration.progressive_rendering=False",
        "--VoilaConfiguration.preheat_kernel=True",
    ),
}
PROJECTOR = {"width": 1280, "height": 720}
# Nothing drawn or changed for this long after the last cell ran: the load is over. A figure
# draws within a second of its widget's model arriving on a quiet machine, but with a load
# average of 10 on two cores the last panels' models came up to 20 s after their cells.
STABLE_S = 25.0
# A load that has not settled in this long is recorded as failed (the slowest load seen
# before issue 16 took 209 s on a busy machine).
LOAD_TIMEOUT_S = 300.0
POLL_S = 0.25
# The kernels of closed pages are shut down soon (deck_server.visitors), so that the loads
# of a run do not pile up kernels of ~400 MB each (Voila 0.5.13's own shutdown request, sent
# as the page unloads, is refused for want of an _xsrf token).
KERNEL_LEFT_S = "5"
KERNEL_CHECK_S = "2"

# Installed before the page's own scripts: every POLL_MS, the time (performance.now(), ms
# from the navigation) the title slide is first seen, whether every cell has run, and each
# change in the number of drawn demos.
RECORDER_JS = r"""
(() => {
  const POLL_MS = 50;
  const record = {title: null, here: null, ran: null, changes: []};
  window.__presentLoad = record;
  let last = '';
  let leaves = null;  // the leaf slides, in order
  setInterval(() => {
    const now = performance.now();
    const reveal = document.querySelector('.reveal.ready');
    const current = document.querySelector('.reveal .slides section.present:not(.stack)');
    const heading = current && current.querySelector('h1, h2, h3');
    const loading = document.getElementById('loading');
    const covered = loading && loading.checkVisibility();
    if (record.title === null && reveal && heading && !covered && heading.checkVisibility()
        && heading.innerText.trim()) {
      record.title = now;
    }
    if (record.here === null && reveal && current && !covered) {
      const figures = [...current.querySelectorAll('.js-plotly-plot')];
      const canvases = [...current.querySelectorAll('.jp-OutputArea-output canvas')];
      if (figures.length + canvases.length && figures.every((p) => p.querySelector('.main-svg'))
          && canvases.every((c) => c.width > 0 && c.height > 0)) record.here = now;
    }
    const plots = [...document.querySelectorAll('.js-plotly-plot')]
      .filter((p) => p.querySelector('.main-svg')).length;
    const views = [...document.querySelectorAll('.jp-OutputArea-output canvas')]
      .filter((c) => c.width > 0 && c.height > 0).length;
    const key = plots + ',' + views;
    if (key !== last) { last = key; record.changes.push([now, plots, views]); }
    // Every cell has run (the deck-reveal template's window.deckRun).
    const done = window.deckRun && window.deckRun.done;
    if (record.ran === null && done && document.readyState === 'complete') record.ran = now;
    // Each slide's planned minutes (its speaker notes start "**1.5 min.**") and, for a slide
    // with a demo, when its figures and 3-D views were first all drawn.
    if (!leaves) {
      const found = [...document.querySelectorAll('.reveal .slides section')]
        .filter((s) => !s.querySelector('section'));
      if (!found.length || !reveal) return;
      leaves = found;
      record.slides = leaves.map((s) => ({
        minutes: [...s.querySelectorAll('aside.notes')]
          .map((n) => parseFloat((n.innerText.match(/^\s*([\d.]+)\s*min/) || [0, 0])[1]))
          .reduce((a, b) => a + b, 0),
        demo: null,
      }));
    }
    leaves.forEach((slide, index) => {
      const entry = record.slides[index];
      if (entry.demo !== null || !slide.querySelector('.jp-OutputArea-output .jupyter-widgets')) return;
      const figures = [...slide.querySelectorAll('.js-plotly-plot')];
      const canvases = [...slide.querySelectorAll('.jp-OutputArea-output canvas')];
      const drawn = figures.every((p) => p.querySelector('.main-svg'))
        && canvases.every((c) => c.width > 0 && c.height > 0);
      if (figures.length + canvases.length && drawn) entry.demo = now;
    });
  }, POLL_MS);
})();
"""


def load(browser, url: str, reload: bool = False) -> dict:
    """One load of the page in a fresh context: the figures above (None: never happened).
    With `reload`, the page is opened and left to run the whole lecture first, then reloaded
    (F5 in the middle of the lecture: the browser has the code, the old kernel is idle), and
    the reload is measured."""
    context = browser.new_context(viewport=PROJECTOR)
    context.add_init_script(RECORDER_JS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        if reload:
            page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_S * 1000)
            page.wait_for_function(
                "window.deckRun && window.deckRun.done", timeout=LOAD_TIMEOUT_S * 1000
            )
            page.wait_for_timeout(STABLE_S * 1000)
        load_average = os.getloadavg()[0]
        if reload:
            page.reload(wait_until="commit", timeout=LOAD_TIMEOUT_S * 1000)
        else:
            page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_S * 1000)
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        settled = False
        while time.monotonic() < deadline:
            page.wait_for_timeout(POLL_S * 1000)
            record = page.evaluate("window.__presentLoad")
            if record["ran"] is None or record["title"] is None:
                continue
            now = page.evaluate("performance.now()")
            last_change = record["changes"][-1][0] if record["changes"] else 0
            if now - max(last_change, record["ran"]) > STABLE_S * 1000:
                settled = True
                break
        record = page.evaluate("window.__presentLoad")
    finally:
        context.close()  # its kernel goes KERNEL_LEFT_S later
    final = record["changes"][-1] if record["changes"] else [None, 0, 0]
    return {
        "title_s": record["title"] / 1000 if record["title"] is not None else None,
        "here_s": record["here"] / 1000 if record["here"] is not None else None,
        "changes": [[at / 1000, plots, views] for at, plots, views in record["changes"]],
        "settled": settled,
        "plots": final[1],
        "views": final[2],
        "demo_slack": demo_slack(record.get("slides") or []),
        "load_average": round(load_average, 2),
        "errors": errors,
    }


def demo_slack(slides: list[dict]) -> list[dict]:
    """For each demo slide: when a presenter keeping to the speaker notes' minutes reaches it
    (the sum of the minutes of the slides before it), when its demo was drawn (None: never),
    and the share of that time it took: under 1, the demo was there first; a presenter
    going that share of the planned pace or slower never waits for a demo."""
    out, before = [], 0.0
    for index, slide in enumerate(slides):
        if slide["demo"] is not None:
            reached_s = before * 60
            drawn_s = slide["demo"] / 1000
            share = drawn_s / reached_s if reached_s else None
            out.append({"slide": index, "reached_s": reached_s, "drawn_s": drawn_s, "share": share})
        before += slide["minutes"]
    return out


def every_demo_drawn(results: dict[str, list[dict]]) -> None:
    """Add demos_s to each load: when it first drew as many figures and views as most loads
    of the run ended with (None: never). Most, not the most: NGL sometimes leaves a spare
    canvas behind, and one load with an extra one would fail all the others."""
    loads = [m for measured in results.values() for m in measured]
    plots, views = statistics.mode((m["plots"], m["views"]) for m in loads)
    for m in loads:
        reached = [at for at, p, v in m["changes"] if p >= plots and v >= views]
        m["demos_s"] = reached[0] if reached and m["settled"] else None


def median(values: list) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def run(loads: int, variants: list[str], at: str = "", reload: bool = False) -> dict:
    from playwright.sync_api import sync_playwright

    from deck_server.launch import CHROMIUM_FLAGS, voila_process

    build = ROOT / "build"
    results: dict[str, list[dict]] = {name: [] for name in variants}
    environment = {"DECK_LEFT_S": KERNEL_LEFT_S, "DECK_CHECK_S": KERNEL_CHECK_S}
    with contextlib.ExitStack() as stack:
        urls = {
            name: stack.enter_context(
                voila_process(
                    ROOT,
                    LECTURE,
                    *VARIANT_OPTIONS[name],
                    log=build / f"present_load-{name}.log",
                    **environment,
                )
            )[0]
            for name in variants
        }
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )
        for index in range(loads):
            for name in variants:
                measured = load(browser, urls[name] + (f"#{at}" if at else ""), reload)
                results[name].append(measured)
                shown = {k: v for k, v in measured.items() if k != "changes"}
                print(f"  {name} {index + 1}/{loads}: {json.dumps(shown)}", flush=True)
        browser.close()
    every_demo_drawn(results)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="loads per variant")
    parser.add_argument("--variants", default="present,reference")
    parser.add_argument("--at", default="", help="open at this slide (reveal.js's #/h/v)")
    parser.add_argument(
        "--reload", action="store_true", help="measure a reload of a page that has run the lecture"
    )
    options = parser.parse_args()
    results = run(options.loads, options.variants.split(","), options.at, options.reload)
    out = ROOT / "build" / "present_load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    for name, measured in results.items():
        averages = [m["load_average"] for m in measured]
        print(
            f"{name}: title_s median {median([m['title_s'] for m in measured])}, "
            f"here_s median {median([m['here_s'] for m in measured])}, "
            f"demos_s median {median([m['demos_s'] for m in measured])}, "
            f"plots {sorted({m['plots'] for m in measured})}, "
            f"views {sorted({m['views'] for m in measured})}, "
            f"load average {min(averages)}–{max(averages)}, "
            f"failed {sum(m['demos_s'] is None for m in measured)}/{len(measured)}"
        )
        shares = [d["share"] for m in measured for d in m["demo_slack"] if d["share"]]
        if shares:
            print(
                f"  demos drawn before a presenter at the notes' pace reaches them: "
                f"{sum(s < 1 for s in shares)}/{len(shares)}; the largest share of the time "
                f"to reach a demo that its drawing took: {max(shares):.3f} "
                f"(median {statistics.median(shares):.3f})"
            )
            # a presenter stepping steadily through the slides, one every `pace` seconds from
            # the title, reaches slide i at i * pace: the quickest pace that never waits
            pace = max(d["drawn_s"] / d["slide"] for m in measured for d in m["demo_slack"])
            print(f"  a presenter stepping one slide every {pace:.2f} s or slower never waits")
            by_slide: dict[int, list[dict]] = {}
            for m in measured:
                for d in m["demo_slack"]:
                    by_slide.setdefault(d["slide"], []).append(d)
            for slide, ds in sorted(by_slide.items()):
                print(
                    f"    slide {slide}: reached at {ds[0]['reached_s']:.0f} s, drawn at "
                    f"{median([d['drawn_s'] for d in ds]):.1f} s median, "
                    f"{max(d['drawn_s'] for d in ds):.1f} s at most"
                )


if __name__ == "__main__":
    main()
