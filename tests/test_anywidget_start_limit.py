"""The deck lengthens anywidget's start limit in the browser
(share/jupyter/voila/templates/deck/static/anywidget-start-limit.js): the installed
anywidget still arms that limit, in the code JupyterLab and Voila load and in the classic
notebook's (`make rise`). When this fails, anywidget has changed: see whether the file is
still needed (docs/upstream/anywidget-init-timeout.md) and delete or rewrite it."""

import re
from pathlib import Path

import anywidget

ROOT = Path(__file__).resolve().parents[1]
PATCH = ROOT / "share/jupyter/voila/templates/deck/static/anywidget-start-limit.js"
PACKAGE = Path(anywidget.__file__).parent

# A timeout of 2 s whose expiry fails the model, as anywidget 0.11's Runtime arms it (its
# bundles write the number as 2000 or 2e3).
START_LIMIT = re.compile(
    r"AbortSignal\.timeout\((?P<ms>2000|2e3)\)\.addEventListener\(\s*\"abort\"[^;]{0,80}"
    r"reject\(new Error\(\"\[anywidget\] Failed to initialize model\.\"\)"
)


def limits_armed(paths) -> list[float]:
    return [float(m["ms"]) for path in paths for m in START_LIMIT.finditer(path.read_text())]


def test_anywidget_still_arms_the_limit_the_deck_lengthens():
    patched_ms = float(re.search(r"ANYWIDGET_START_LIMIT_MS = (\d+);", PATCH.read_text())[1])
    lab = sorted((PACKAGE / "labextension" / "static").glob("*.js"))
    classic = [PACKAGE / "nbextension" / "index.js"]
    assert lab and classic[0].exists(), f"anywidget {anywidget.__version__} has moved its code"
    for where, paths in (("JupyterLab/Voila", lab), ("classic notebook", classic)):
        armed = limits_armed(paths)
        assert armed, f"anywidget {anywidget.__version__}'s {where} code no longer arms its limit"
        assert set(armed) == {patched_ms}, (where, armed, patched_ms)


def test_the_pattern_finds_the_limit_as_anywidget_0_11_writes_it():
    written = (
        'AbortSignal.timeout(2e3).addEventListener("abort", () => {\n'
        '      resolvers.reject(new Error("[anywidget] Failed to initialize model."));'
    )
    assert [m["ms"] for m in START_LIMIT.finditer(written)] == ["2e3"]
    assert not START_LIMIT.search(written.replace("2e3", "5000"))
