"""`make bench`: how fast the demos answer and what they cost, written to build/bench.json.

    python benchmarks/bench.py [--quick] [--out build/bench.json]

Figures (medians over repeats unless named otherwise; see issue 6 for the targets):
  update_ms_p95.<panel>   Python side: set a panel's control until its figure holds the new
                          data, 95th percentile over ≥ 200 changes (--quick: 20)
  overhead.<descriptor>   featurize's call time / the engine called directly, same input
  kernel_rss_mb           resident memory of a kernel that ran a demo page and was used
  tti_s.preheated/.cold   in headless Chromium against the Voila of `make serve`: from
                          asking for a demo page until its panel answers a slider
  redraw_ms_p50/_p95      in that page: from a slider's key event to the heatmap redrawn
  page_mb                 bytes the browser received for one demo page (HTTP + websocket)
  class.*                 a class at once (benchmarks/class_run.py): 30 visitors (--quick: 5)
                          open the five featurization pages, drag for a minute and leave;
                          time to interactive (p95), peak memory of server + kernels, and
                          visitors' kernels still running once culling ran (must be 0)
  first_plot_s.<page>, live_s.<page>, interactive_s.<page>, page_mb.<page>, ratio.*: every demo page
                          (--quick: likelihood) against plain Voila's anchor page, loads
                          interleaved in one run (benchmarks/instant.py, issue 18)

--quick keeps kernels ready only for the pages it opens (`make serve` keeps one for every
page), so that the run that checks the benchmark works (tests/browser/test_bench.py) costs
little.

The speed figures are measured here, never asserted in the test suite: this machine is
shared and noisy, so compare figures of one run, or ratios, not single numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import timeit
from itertools import cycle, islice
from pathlib import Path

import instant
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "update_ms_p95": 10,
    "overhead": 1.1,
    "kernel_rss_mb": 150,
    "tti_s.preheated": 1.5,
    "tti_s.cold": 4,
    "redraw_ms_p50": 100,
    "redraw_ms_p95": 100,
    "page_mb": 2,
    "class.tti_s_p95": 10,
    "class.kernels_left": 0,
    # issue 18: against plain Voila's anchor page, in the same run (benchmarks/instant.py)
    "ratio.first_plot": 0.2,
    "ratio.interactive": 0.4,
    "ratio.interactive_cached": 0.25,
}
DEMO_PAGES = sorted(page.stem for page in (ROOT / "notebooks" / "demos").glob("*.ipynb"))
MEASURED_PAGE = "coordinates"  # the browser figures' page: a 3-D view, a heatmap, sliders
DEMO_PAGE = f"voila/render/demos/{MEASURED_PAGE}.ipynb"
# In the page: turn the z-rotation slider by key events, time each until the heatmap's
# data changed and a frame was painted.
# The page's live panel is shown: a plot drawn and no first paint left in its place (a first
# paint's figures are plotly figures too, drawn before the widgets: the template's
# first-paint.js).
LIVE_PLOT_JS = """() => !document.querySelector('.deck-first-paint')
  && !!document.querySelector('.js-plotly-plot .main-svg')"""
REDRAW_JS = """async (count) => {
  const plot = document.querySelector('.js-plotly-plot');
  const slider = [...document.querySelectorAll('.widget-slider')]
    .find((s) => s.innerText.includes('z rotation'));
  const handle = slider.querySelector('.noUi-handle');
  const times = [];
  for (let i = 0; i < count; i++) {
    const before = JSON.stringify(plot.data[0].z);
    const key = i % 2 ? 'ArrowLeft' : 'ArrowRight';
    const start = performance.now();
    handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
    await new Promise((done) => {
      const check = () => JSON.stringify(plot.data[0].z) !== before
        ? requestAnimationFrame(done) : requestAnimationFrame(check);
      check();
    });
    times.push(performance.now() - start);
  }
  return times;
}"""


def p95(samples: list[float]) -> float:
    return float(np.percentile(samples, 95))


def figure_data(panel) -> str:
    return json.dumps(panel.figure.to_plotly_json()["data"], default=str)


def update_times_ms(panel, control, values, changes: int, witness=figure_data) -> list[float]:
    """Time each `control.value = v` until the panel's figure holds the new data.

    Observers run synchronously, so the assignment returns with the figure updated;
    witness(panel) (outside the timing) proves every change was redrawn.
    """
    times = []
    before = witness(panel)
    for value in islice(cycle(values), changes):
        start = time.perf_counter()
        control.value = value
        times.append((time.perf_counter() - start) * 1000)
        after = witness(panel)
        if after == before:
            raise RuntimeError(f"{type(panel).__name__}: {value!r} left the figure as it was")
        before = after
    return times


def bench_updates(changes: int) -> dict[str, float]:
    import featurize as fz
    from featurize.panels import FingerprintPanel, LikelihoodPanel, StructurePanel

    water = fz.molecule("H2O")
    results = {}
    for name, descriptor in [
        ("coordinates", fz.coordinates),
        ("coulomb_matrix", fz.coulomb_matrix),
        ("soap", fz.soap),
    ]:
        panel = StructurePanel(water, descriptor=descriptor)
        slider = panel.rotation_z
        angles = list(range(slider.min, slider.max + 1, slider.step or 1))
        angles = [a for a in angles if a != slider.value] + [slider.value]
        # Turning leaves an invariant descriptor's figure as it was (that is the lesson), so
        # the witness is the freshly computed array the panel drew, not the figure's data.
        results[name] = p95(
            update_times_ms(panel, slider, angles, changes, witness=lambda p: id(p.values))
        )
    panel = FingerprintPanel()
    smiles = [value for _, value in panel.molecule_choice.options if value]  # skip "(typed)"
    results["fingerprint"] = p95(
        update_times_ms(panel, panel.molecule_choice, smiles[1:] + smiles[:1], changes)
    )
    panel = LikelihoodPanel()
    mu = panel.mu
    means = list(np.round(np.arange(mu.min, mu.max, 0.1), 1))
    results["likelihood"] = p95(update_times_ms(panel, mu, means, changes))
    return {f"update_ms_p95.{name}": value for name, value in results.items()}


def ratio(ours, engine, repeats: int) -> float:
    """Median time of ours() over median time of engine(), interleaved to share the noise."""
    number = 300  # calls per timing: each timing lasts milliseconds, well above the clock noise
    ours_t, engine_t = [], []
    for _ in range(repeats):
        ours_t.append(timeit.timeit(ours, number=number))
        engine_t.append(timeit.timeit(engine, number=number))
    return statistics.median(ours_t) / statistics.median(engine_t)


def bench_overhead(repeats: int) -> dict[str, float]:
    from dscribe.descriptors import SOAP, CoulombMatrix
    from rdkit import Chem
    from rdkit.Chem import rdFingerprintGenerator

    import featurize as fz
    from featurize import settings

    caffeine = Chem.MolFromSmiles(settings.DEMO_MOLECULES["Caffeine"])
    generator = rdFingerprintGenerator.GetMorganGenerator(
        radius=settings.MORGAN_RADIUS, fpSize=settings.MORGAN_BITS
    )
    molecule = fz.atoms_from_smiles(settings.DEMO_MOLECULES["Caffeine"])
    coulomb = CoulombMatrix(n_atoms_max=len(molecule), permutation="none")
    species = sorted(set(molecule.get_chemical_symbols()))
    soap = SOAP(
        species=species,
        r_cut=settings.SOAP_R_CUT,
        n_max=settings.SOAP_N_MAX,
        l_max=settings.SOAP_L_MAX,
        sigma=settings.SOAP_SIGMA,
        average="outer",
    )
    fz.soap(molecule)  # warm the caches both sides keep
    return {
        "overhead.morgan": ratio(
            lambda: fz.morgan_fingerprint(caffeine),
            lambda: generator.GetFingerprintAsNumPy(caffeine),
            repeats,
        ),
        "overhead.coulomb_matrix": ratio(
            lambda: fz.coulomb_matrix(molecule), lambda: coulomb.create(molecule), repeats
        ),
        "overhead.soap": ratio(lambda: fz.soap(molecule), lambda: soap.create(molecule), repeats),
    }


def kernel_rss_mb(notebook_path: Path, extra_code: str | None = None) -> float:
    """Run a notebook in a real kernel (and extra_code after it), then read the kernel's RSS."""
    import nbformat
    import psutil
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    notebook = nbformat.read(notebook_path, as_version=4)
    if extra_code:
        notebook.cells.append(nbformat.v4.new_code_cell(extra_code))
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(notebook_path.parent))
    try:
        NotebookClient(notebook, km=manager, timeout=600).execute()  # leaves the kernel running
        rss = psutil.Process(manager.provisioner.pid).memory_info().rss
    finally:
        manager.shutdown_kernel(now=True)
    return rss / 2**20


def bench_kernel_rss() -> dict[str, float]:
    """The coordinates demo page in a real kernel, its slider turned 72 times."""
    page = ROOT / "notebooks" / "demos" / "coordinates.ipynb"
    # the page's structure panel: the latest output that has the slider (a question follows it)
    turn = (
        "panel = next(v for v in reversed(Out.values()) if hasattr(v, 'rotation_z'))\n"
        "for angle in range(0, 360, 5):\n    panel.rotation_z.value = angle"
    )
    return {"kernel_rss_mb": kernel_rss_mb(page, turn)}


def open_demo(browser, url: str):
    """Seconds until the page's panel answers a slider, MB received, its context and page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = 0

    def count(size: int) -> None:
        nonlocal received
        received += size

    cdp.on("Network.loadingFinished", lambda e: count(e["encodedDataLength"]))
    cdp.on("Network.webSocketFrameReceived", lambda e: count(len(e["response"]["payloadData"])))
    start = time.perf_counter()
    page.goto(f"{url}/{DEMO_PAGE}", wait_until="commit", timeout=180_000)
    page.wait_for_function(LIVE_PLOT_JS, timeout=180_000)
    page.evaluate(REDRAW_JS, 1)  # the first slider turn answered: the page is interactive
    tti = time.perf_counter() - start
    page.wait_for_timeout(1000)
    return tti, received / 1e6, context, page


def bench_browser(runs: int, redraws: int, only_needed: bool = False) -> dict[str, float]:
    """only_needed: keep a kernel ready for the measured page only (a quick run), not one
    for every page as `make serve` does."""
    import shutil

    import class_run
    from playwright.sync_api import sync_playwright

    from deck_server.launch import CHROMIUM_FLAGS, start_voila, voila_process

    log = ROOT / "build" / "bench-voila.log"

    figures: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )
        pooled = [MEASURED_PAGE] if only_needed else DEMO_PAGES
        pools = {"DECK_POOL_SIZE": f"0,{MEASURED_PAGE}=1"} if only_needed else {}
        with voila_process(ROOT, ROOT / "notebooks", log=log, **pools) as (url, server):
            ttis, sizes = [], []
            for run in range(runs):
                class_run.wait_until_ready(log, server.pid, pooled)  # the pools (re)fill
                tti, size, context, page = open_demo(browser, url)
                ttis.append(tti)
                sizes.append(size)
                if run == 0:
                    times = page.evaluate(REDRAW_JS, redraws)
                    figures["redraw_ms_p50"] = float(np.percentile(times, 50))
                    figures["redraw_ms_p95"] = p95(times)
                context.close()
            figures["tti_s.preheated"] = statistics.median(ttis)
            figures["page_mb"] = statistics.median(sizes)
        with start_voila(
            ROOT, ROOT / "notebooks", "--VoilaConfiguration.preheat_kernel=False"
        ) as url:
            ttis = []
            for _ in range(runs):
                tti, _size, context, _page = open_demo(browser, url)
                ttis.append(tti)
                context.close()
            figures["tti_s.cold"] = statistics.median(ttis)
        browser.close()
    return figures


def bench_class(visitors: int, drag_s: float, only_needed: bool = False) -> dict[str, float]:
    """The class run against a server with a kernel ready for every visitor (docs/deploy.md);
    only_needed: and none for the pages the class does not open (a quick run)."""
    import class_run

    from deck_server.launch import voila_process

    pool = class_run.pool_setting(visitors, others=0 if only_needed else 1)
    options = class_run.culling_options(visitors)
    log = ROOT / "build" / "bench-class-voila.log"
    with voila_process(ROOT, ROOT / "notebooks", *options, log=log, DECK_POOL_SIZE=pool) as (
        url,
        server,
    ):
        print(f"  waiting for the preheated kernels ({pool}) …", flush=True)
        pooled = class_run.CLASS_PAGES if only_needed else DEMO_PAGES
        class_run.wait_until_ready(log, server.pid, pooled)
        return class_run.class_run(url, server.pid, log, visitors, drag_s)


def target_of(key: str) -> float | None:
    """The target of a figure, or of the longest name it extends (page_mb.soap: page_mb)."""
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in TARGETS:
            return TARGETS[".".join(parts[:end])]
    return None


def table(figures: dict[str, float]) -> str:
    lines = [f"{'figure':<28} {'value':>10} {'target':>8}  ", "-" * 52]
    for key, value in figures.items():
        target = target_of(key)
        mark = "" if target is None else ("ok" if value <= target else "OVER")
        target_text = "" if target is None else f"≤ {target:g}"
        lines.append(f"{key:<28} {value:>10.3f} {target_text:>8}  {mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, to check it works")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args(argv)
    changes, repeats, runs = (20, 3, 1) if args.quick else (200, 15, 3)
    visitors, drag_s = (5, 5.0) if args.quick else (30, 60.0)
    instant_pages, instant_rounds = (["likelihood"], 1) if args.quick else (DEMO_PAGES, 3)
    figures: dict[str, float] = {}
    for title, step in [
        (f"panel updates ({changes} changes each)", lambda: bench_updates(changes)),
        (f"featurize vs engine ({repeats} repeats)", lambda: bench_overhead(repeats)),
        ("kernel memory after a demo page", bench_kernel_rss),
        (
            f"a demo page in Chromium ({runs} loads each way)",
            lambda: bench_browser(runs, changes, only_needed=args.quick),
        ),
        (
            "instant pages: the deck's against plain Voila's "
            f"({instant_rounds} interleaved rounds)",
            lambda: instant.instant(instant_pages, instant_rounds, cached=not args.quick),
        ),
        (
            f"a class: {visitors} visitors at once",
            lambda: bench_class(visitors, drag_s, only_needed=args.quick),
        ),
    ]:
        print(f"- {title} …", flush=True)
        started = time.perf_counter()
        figures.update(step())
        print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(table(figures))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
