"""`make bench QUICK=yes` runs end to end (Voila, Chromium, a kernel) and writes every figure.

Only that it runs and what it writes is checked here; its values are for the benchmark.
Run as its own process, as `make bench` runs it (and Playwright allows one sync session
per thread: the browser tests hold theirs).
"""

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.bench  # `make test-bench`: tests/conftest.py

TIMEOUT_S = 900  # about six times what it takes on a busy 2-core machine


FIGURES = {
    "update_ms_p95.coordinates",
    "update_ms_p95.coulomb_matrix",
    "update_ms_p95.soap",
    "update_ms_p95.fingerprint",
    "update_ms_p95.likelihood",
    "overhead.morgan",
    "overhead.coulomb_matrix",
    "overhead.soap",
    "kernel_rss_mb",
    "tti_s.preheated",
    "tti_s.cold",
    "redraw_ms_p50",
    "redraw_ms_p95",
    "page_mb",
    "class.visitors",
    "class.tti_s_p95",
    "class.peak_rss_mb",
    "class.kernels_left",
    *(
        f"{figure}.{page}"
        for figure in ("first_plot_s", "live_s", "interactive_s", "page_mb")
        for page in ("anchor", "likelihood")
    ),
    "ratio.first_plot.likelihood",
    "ratio.interactive.likelihood",
}


def test_a_quick_bench_writes_every_figure(browser, tmp_path):
    del browser  # requested for its rule: without Chromium this test skips
    out = tmp_path / "bench.json"
    # In a session of its own: on a timeout its Voila servers go with it. Killed alone, it
    # left a server holding the output pipes open, and this test waited on them for ever.
    bench = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = bench.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(bench.pid, signal.SIGKILL)
        stdout, stderr = bench.communicate()
        pytest.fail(f"the quick bench took over {TIMEOUT_S} s; its output:\n{stdout[-3000:]}")
    done = subprocess.CompletedProcess(bench.args, bench.returncode, stdout, stderr)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert set(figures) == FIGURES
    # Culling is a promise, not a speed: every visitor's kernel is gone once it ran.
    assert figures.pop("class.kernels_left") == 0
    assert all(math.isfinite(value) and value > 0 for value in figures.values())
    assert "kernel_rss_mb" in done.stdout  # the table is printed too
