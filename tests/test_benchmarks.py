"""`make bench` runs and writes its figures (their values are for the benchmark, not tests)."""

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import run as bench

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
}


def test_a_quick_bench_writes_every_figure(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--out", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert set(figures) == FIGURES
    assert all(math.isfinite(value) and value > 0 for value in figures.values())
    assert "kernel_rss_mb" in capsys.readouterr().out  # the table is printed too


def test_a_panel_that_does_not_redraw_is_caught():
    class Control:
        value = 0

    with pytest.raises(RuntimeError, match="left the figure as it was"):
        bench.update_times_ms(object(), Control(), [1, 2], 2, witness=lambda panel: "same")
