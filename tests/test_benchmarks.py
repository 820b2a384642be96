"""The benchmark's own checks (its figures are for `make bench`, never asserted in tests)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench


def test_a_panel_that_does_not_redraw_is_caught():
    class Control:
        value = 0

    with pytest.raises(RuntimeError, match="left the figure as it was"):
        bench.update_times_ms(object(), Control(), [1, 2], 2, witness=lambda panel: "same")
