"""Instant pages (issue 18): how soon a demo page shows its plot and answers a slider, as
ratios of a plain Voila page's times measured side by side in the same run.

    python benchmarks/instant.py [--rounds N] [--pages likelihood,coordinates]

The anchor page (benchmarks/anchor/plain.ipynb: one plotly FigureWidget, one slider) is
served by plain Voila: preheated, none of the deck's templates or settings, and only the
browser extensions the page needs. The deck's pages
are served as `make serve` serves them, one kernel ready for each. Every load is a fresh
browser context (nothing cached), in rounds: the anchor, then each page, round after round,
each load once both servers are quiet. Figures are medians over the rounds:

  first_plot_s.<page>     from asking for the page until a plotly figure is drawn (the
                          panel's first paint, on the deck's pages: plotly's picture of the
                          figure in the page as it arrives, else first-paint.js draws it
                          with plotly.js before the widgets are)
  live_s.<page>           until the live panel is shown (no first paint left in its place)
  interactive_s.<page>    until the first control that changes a figure or the molecule's
                          picture (sliders first, then lists, toggle buttons, buttons), turned
                          as soon as it shows, has its answer drawn (nan: none changes one;
                          a slider or list that changed none is turned back before the next):
                          the live control, or on the deck's pages the first paint's where its
                          kernel painted frames (featurize.panels._first_paint)
  page_mb.<page>          bytes the browser received (HTTP and websocket)
  ratio.first_plot.<page>, ratio.interactive.<page>: the page's time ÷ the anchor's
  ratio.interactive_cached: a second deck page opened in the same browser, after another
                          (its code cached), ÷ the anchor's first page

bench.py runs this as one of its steps; targets there.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = ROOT / "benchmarks" / "anchor" / "plain.ipynb"
CACHED_PAIR = ("coordinates", "likelihood")  # a 3-D page first, then another page
PLOT = ".js-plotly-plot .main-svg"
ANCHOR_EXTENSIONS = [  # a widget manager, the widgets, plotly's FigureWidget (an anywidget)
    "@voila-dashboards/widgets-manager8",
    "@jupyter-widgets/jupyterlab-manager",
    "anywidget",
]
TURN_TIMEOUT_MS = 30_000  # a control whose turn changes no figure in this time is passed over
# ...or in this time, a first paint's control with frames: a frame is shown at once (one stop
# away: its pictures; further: plotly.js, loaded by then), so a turn that shows none changes
# no figure; one whose frame changes no figure is passed over at once.
FRAME_TIMEOUT_MS = 3_000

# The time (performance.now(), from the navigation) when a plot is first drawn.
# or plotly's picture of a figure, written into the page (featurize.panels._figure_pictures)
FIRST_PLOT_JS = f"""() => document.querySelector('{PLOT}, .deck-fp-picture > svg.main-svg')
  && performance.now()"""
# Installed before the page's scripts: the time when the live panel is shown (a plot drawn,
# no first paint left over it), looked for at every frame while the sliders are turned.
LIVE_AT_JS = f"""(() => {{
  const look = () => {{
    if (!document.querySelector('.deck-first-paint') && document.querySelector('{PLOT}')) {{
      window.benchLiveAt = performance.now();
    }} else requestAnimationFrame(look);
  }};
  requestAnimationFrame(look);
}})();"""
LIVE_JS = "() => window.benchLiveAt"
# A control that turns is shown: the live panel's (no first paint over it), or a first
# paint's with frames. Sliders' handles, lists, toggle buttons (the next one after the chosen).
HANDLES = ".widget-slider .noUi-handle, .deck-first-paint .deck-fp-turnable .deck-fp-handle"
LISTS = ".widget-dropdown select, .deck-first-paint .deck-fp-turnable select"
TOGGLES = (
    ".widget-toggle-button.mod-active + .widget-toggle-button,"
    " .deck-first-paint .deck-fp-turnable .deck-fp-chosen + .deck-fp-choice"
)
# Last, a button (the network's Train): pressed on a first paint, it is queued for the live
# panel (first-paint.js), so the answer waits for the kernel.
BUTTONS = ".widget-button, .deck-first-paint .deck-fp-button[data-deck-model]"
CONTROLS = f"{HANDLES}, {LISTS}, {TOGGLES}, {BUTTONS}"
CONTROL_JS = f"""() => [...document.querySelectorAll('{CONTROLS}')]
  .some((c) => c.checkVisibility({{visibilityProperty: true}}))"""
# Turn each visible control in turn until one changes a figure's data or the molecule's
# picture: a slider by a key, a list to its next option, a toggle button clicked. The time
# its answer was drawn, or null. The figures' data are compared by a sample of each array
# (long arrays: their length and 9 values spread over them), a picture by its SVG, read
# every frame.
TURN_JS = (
    """async ([timeoutMs, frameTimeoutMs]) => {
  const sample = (v, depth) => {
    if (depth > 3 || v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v) || Array.isArray(v)) {
      const picks = v.length <= 9 ? [...v.keys()]
        : [...Array(9).keys()].map((i) => Math.floor((i * (v.length - 1)) / 8));
      return [v.length, ...picks.map((i) => sample(v[i], depth + 1))];
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sample(x, depth + 1)]));
  };
  // a first paint's figure may be a picture (featurize.panels._figure_pictures); its 3-D
  // view is one, which a frame replaces (an answer, where a figure replaced is the live panel)
  // those shown: a live panel drawn unseen beneath its first paint is not, until it replaces it
  const figures = () => [...document.querySelectorAll('.js-plotly-plot, .deck-fp-picture')]
    .filter((p) => p.checkVisibility({visibilityProperty: true}));
  const views = () => [...document.querySelectorAll('.deck-first-paint .deck-fp-view')];
  const data = (shown) => [...shown, ...views()].map((p) => p.classList.contains('js-plotly-plot')
      ? JSON.stringify(sample(p.data || null, 0)) : p.innerHTML).join('|');
  const visible = (selector) => [...document.querySelectorAll(selector)]
    .filter((c) => c.checkVisibility({visibilityProperty: true}));
  const turnOne = (control, by = 1) => {
    if (control.tagName === 'SELECT') {
      const count = control.options.length;
      control.selectedIndex = (control.selectedIndex + by + count) % count;
      control.dispatchEvent(new Event('change', {bubbles: true}));
    } else if (control.classList.contains('deck-fp-choice')
        || control.classList.contains('deck-fp-button')) {
      control.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true}));
    } else if (control.tagName === 'BUTTON') {
      control.click();
    } else {
      const key = by > 0 ? 'ArrowRight' : 'ArrowLeft';
      control.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
    }
  };
  // A slider or a list turned back where it was, found again where a first paint's frame
  // replaced it: a control whose turn changed nothing leaves the page as it found it (the
  // network's learning rate, turned, would make its Train wait for the kernel).
  const turnBack = (control) => {
    const unit = control.closest('[data-deck-control]');
    const found = control.isConnected || !unit ? control : document.querySelector(
      `.deck-first-paint [data-deck-control="${unit.dataset.deckControl}"] ${control.tagName === 'SELECT'
        ? '.deck-fp-select' : '.deck-fp-handle'}`);
    if (found && (found.tagName === 'SELECT' || found.matches('.noUi-handle, .deck-fp-handle'))) {
      turnOne(found, -1);
    }
  };
  // looked for again before each: the live panel may have come in the first paint's place
  const controls = () => [...visible('HANDLES'), ...visible('LISTS'), ...visible('TOGGLES'),
    ...visible('BUTTONS')];
  for (let i = 0; i < controls().length; i++) {
    const control = controls()[i];
    // a press on a first paint plays its painted frames, or waits for the live panel
    // (first-paint.js queues it)
    const copy = control.closest('.deck-first-paint');
    const waitMs = copy && !control.classList.contains('deck-fp-button') ? frameTimeoutMs
      : timeoutMs;
    let shown = figures();
    let before = data(shown);
    const start = performance.now();
    turnOne(control);
    // the frame a first paint shows now (first-paint.js's), if it changes no figure: nothing
    // to wait for (the network's learning rate: it waits for Train)
    const frame = copy?.deckTurns?.frame;
    const changesNoFigure = frame && frame.figures.every((figure) => figure === null);
    const at = await new Promise((done) => {
      const check = () => {
        const now = figures();
        // the live panel shown in the first paint's place: no answer (a first paint's frame
        // may replace its own figures: one)
        if (now.some((p) => !shown.includes(p) && !p.closest('.deck-first-paint'))) {
          shown = now;
          before = data(now);
        }
        if (data(now) !== before) requestAnimationFrame(() => done(performance.now()));
        else if (changesNoFigure || performance.now() - start > waitMs) done(null);
        else requestAnimationFrame(check);
      };
      check();
    });
    if (at !== null) return at;
    turnBack(control);
  }
  return null;
}""".replace("HANDLES", HANDLES)
    .replace("LISTS", LISTS)
    .replace("TOGGLES", TOGGLES)
    .replace("BUTTONS", BUTTONS)
)


def load(context, url: str) -> dict[str, float]:
    """One page in a browser context: its first plot, its first answered turn, its bytes."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = [0]
    cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
    cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: received.append(len(e["response"]["payloadData"])),
    )
    page.add_init_script(LIVE_AT_JS)
    page.goto(url, wait_until="commit", timeout=180_000)
    first_plot_ms = page.wait_for_function(FIRST_PLOT_JS, timeout=180_000).json_value()
    # a control turns once drawn (a first paint's, else the live panel's); a page may have none
    page.wait_for_function(f"() => ({CONTROL_JS})() || window.benchLiveAt", timeout=180_000)
    try:
        page.wait_for_function(CONTROL_JS, timeout=TURN_TIMEOUT_MS)
        answered_ms = page.evaluate(TURN_JS, [TURN_TIMEOUT_MS, FRAME_TIMEOUT_MS])
    except PlaywrightTimeoutError:
        answered_ms = None
    live_ms = page.wait_for_function(LIVE_JS, timeout=180_000).json_value()
    page.wait_for_timeout(500)  # the answer's own traffic
    return {
        "first_plot_s": first_plot_ms / 1000,
        "live_s": live_ms / 1000,
        "interactive_s": math.nan if answered_ms is None else answered_ms / 1000,
        "page_mb": sum(received) / 1e6,
    }


def median(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return statistics.median(finite) if finite else math.nan


def instant(pages: list[str], rounds: int, cached: bool = True) -> dict[str, float]:
    """The figures above; cached=False leaves out ratio.interactive_cached (a quick run)."""
    import class_run
    from playwright.sync_api import sync_playwright

    from deck_server.launch import CHROMIUM_FLAGS, voila_process

    build = ROOT / "build"
    pooled = sorted({*pages, *(CACHED_PAIR if cached else ())})
    pools = "0," + ",".join(f"{page}=1" for page in pooled)
    anchor_options = (
        "--VoilaConfiguration.preheat_kernel=True",
        "--VoilaConfiguration.default_pool_size=1",
        # only the extensions the anchor page uses: the others installed here (nbgrader's,
        # RISE's, nglview's) would slow it down, and a slower anchor flatters the ratios
        f"--VoilaConfiguration.extension_allowlist={json.dumps(ANCHOR_EXTENSIONS)}",
    )
    with (
        voila_process(
            ROOT, ROOT / "notebooks", log=build / "instant-voila.log", DECK_POOL_SIZE=pools
        ) as (ours, our_server),
        voila_process(
            ROOT, ANCHOR, *anchor_options, log=build / "instant-plain-voila.log", deck=False
        ) as (plain, plain_server),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )

        def quiet() -> None:
            class_run.wait_until_ready(
                build / "instant-plain-voila.log", plain_server.pid, ["plain"]
            )
            class_run.wait_until_ready(build / "instant-voila.log", our_server.pid, pooled)

        def fresh(url: str) -> dict[str, float]:
            quiet()
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            try:
                return load(context, url)
            finally:
                context.close()

        loads: dict[str, list[dict[str, float]]] = {}
        second_page: list[float] = []
        for round_ in range(rounds):
            print(f"  round {round_ + 1}/{rounds} …", flush=True)
            loads.setdefault("anchor", []).append(fresh(plain))
            for page in pages:
                loads.setdefault(page, []).append(fresh(f"{ours}/voila/render/demos/{page}.ipynb"))
            if not cached:
                continue
            quiet()
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            first, second = CACHED_PAIR
            load(context, f"{ours}/voila/render/demos/{first}.ipynb")
            quiet()
            second_page.append(
                load(context, f"{ours}/voila/render/demos/{second}.ipynb")["interactive_s"]
            )
            context.close()
        browser.close()

    figures: dict[str, float] = {}
    for page, measured in loads.items():
        for name in ("first_plot_s", "live_s", "interactive_s", "page_mb"):
            figures[f"{name}.{page}"] = median([m[name] for m in measured])
    anchor_plot, anchor_turn = figures["first_plot_s.anchor"], figures["interactive_s.anchor"]
    for page in pages:
        figures[f"ratio.first_plot.{page}"] = figures[f"first_plot_s.{page}"] / anchor_plot
        figures[f"ratio.interactive.{page}"] = figures[f"interactive_s.{page}"] / anchor_turn
    if cached:
        figures["ratio.interactive_cached"] = median(second_page) / anchor_turn
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", default="", help="comma-separated demo pages (default: all)")
    options = parser.parse_args()
    from bench import DEMO_PAGES

    pages = options.pages.split(",") if options.pages else DEMO_PAGES
    figures = instant(pages, options.rounds)
    out = ROOT / "build" / "instant.json"
    out.write_text(json.dumps(figures, indent=1) + "\n")
    for name, value in figures.items():
        print(f"  {name:40s} {value:8.3f}")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
