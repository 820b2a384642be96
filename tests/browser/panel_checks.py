"""What the browser tests read off a structure panel, wherever it is drawn.

Each function takes `root`, a Playwright locator around one panel: the page body for a
demo page, the current slide in the presenter.
"""

import io
import time

import numpy as np
from PIL import Image

TIMEOUT_MS = 120_000
# After the kernel's last answer, nothing more for this long: the browser has sent its own
# reports of the redraw that followed (within milliseconds of drawing).
QUIET_S = 0.4
DRAW_S = 30  # for NGL to draw a molecule once its canvas is there
# Water spans at least this much of its 3-D view (molecule_extent: 0.24 with NGL's default
# camera, which backs off 10 Å from the fitted view; 0.75 with featurize.panels._view's)
MOLECULE_EXTENT = 0.45
EDGE_PX = 16  # left out of that measure: nglview's resize handle is in a corner


# The page's live panels are shown: a plot is drawn and no first paint is left in their place
# (the first paint's figures are plotly figures too, drawn before the widgets).
LIVE_PLOT_JS = """() => !document.querySelector('.deck-first-paint')
  && !!document.querySelector('.js-plotly-plot .main-svg')"""


def open_demo(page, url: str, name: str):
    """Open demo page `name` and wait for its live plot; returns the page body."""
    page.goto(f"{url}/voila/render/demos/{name}.ipynb", wait_until="commit", timeout=TIMEOUT_MS)
    page.wait_for_function(LIVE_PLOT_JS, timeout=TIMEOUT_MS)
    assert not page.locator("text=Click to show javascript error").count()
    return page.locator("body")


def heatmap_z(root, uid: str = "descriptor") -> str:
    """The first figure's heatmap, the trace `uid`, as the browser holds it: "descriptor"
    in a structure panel, "bits" in the fingerprint panel."""
    return root.locator(".js-plotly-plot").first.evaluate(
        "(el, uid) => JSON.stringify(el.data.find((t) => t.uid === uid).z)", uid
    )


def readout(root) -> str:
    """The panel's distance readout (a widget's text, not the page's prose around it)."""
    return root.locator(".widget-html-content", has_text="‖D − D₀‖").first.inner_text()


def wait_until_answered(page, quiet_s: float = QUIET_S) -> None:
    """Until the kernel has finished every request the page sent it (its `idle` status for
    each has arrived) and then nothing more has passed for `quiet_s` (the page's own
    reports of what it redrew, which the kernel answers in turn)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while page.unanswered or time.monotonic() - page.last_message < quiet_s:
        assert time.monotonic() < deadline, f"the kernel never answered {page.unanswered}"
        page.wait_for_timeout(100)  # Playwright delivers the websocket events while it waits


def pixels(element) -> np.ndarray:
    """What the element shows on screen, as an array of RGB values (height × width × 3)."""
    return np.asarray(Image.open(io.BytesIO(element.screenshot())).convert("RGB"), dtype=int)


def colours_drawn(canvas) -> int:
    return len({tuple(p) for p in pixels(canvas).reshape(-1, 3)[::7]})


def assert_molecule_drawn(root) -> None:
    """The 3-D view's canvas holds a picture, not one flat colour (NGL draws a few frames
    after the canvas appears: look until it has, or the time is up)."""
    canvas = root.locator("canvas").first
    canvas.wait_for(timeout=TIMEOUT_MS)
    deadline = time.monotonic() + DRAW_S
    while (colours := colours_drawn(canvas)) <= 20 and time.monotonic() < deadline:
        root.page.wait_for_timeout(200)
    assert colours > 20, "the 3-D view is blank"


def molecule_extent(canvas) -> float:
    """How much of the 3-D view the structure spans: the longer side of the box around the
    pixels that differ from the background (the corner's colour), over the canvas's shorter
    side."""
    shown = pixels(canvas)
    inside = shown[EDGE_PX:-EDGE_PX, EDGE_PX:-EDGE_PX]  # not the view's resize handle
    drawn = np.abs(inside - shown[0, 0]).max(axis=-1) > 30
    rows, columns = np.nonzero(drawn)
    if not len(rows):
        return 0.0
    return max(np.ptp(rows), np.ptp(columns)) / min(shown.shape[:2])


def eventually(read, until, what: str, timeout_s: float = TIMEOUT_MS / 1000):
    """Poll read() until until(value) holds; the last value, asserted with `what` (a page
    applies what its kernel sent, and redraws, in its own time)."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while not until(value) and time.monotonic() < deadline:
        time.sleep(0.25)
        value = read()
    assert until(value), f"{what}: {value!r}"
    return value


def assert_turning_changes_coordinates(root) -> None:
    """The coordinates panel: drawn in 3-D, large enough to see it turn, and turning it
    changes the heatmap."""
    assert_molecule_drawn(root)
    eventually(
        lambda: molecule_extent(root.locator("canvas").first),
        lambda extent: extent >= MOLECULE_EXTENT,
        "water is small in its 3-D view",
        timeout_s=DRAW_S,
    )
    before = heatmap_z(root)
    turn_z_slider(root)
    eventually(lambda: heatmap_z(root), lambda z: z != before, "the heatmap did not change")
    eventually(lambda: readout(root), lambda text: "(changed)" in text, "‖D − D₀‖ unchanged")


def turn_z_slider(root, steps: int = 8) -> None:
    """Turn the molecule with the keyboard, as a student tabbing to the slider would."""
    slider = root.locator(".widget-slider", has_text="z rotation")
    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(steps):
        handle.press("ArrowRight")
    assert slider.locator(".widget-readout").inner_text().strip() != "0"
    wait_until_answered(root.page)


def choose_structure(root, label: str) -> None:
    """Press the structure chooser's button `label` (a crystal, say) and wait until the
    heatmap shows the new structure's descriptor and the kernel has answered."""
    before = heatmap_z(root)
    root.locator(".widget-toggle-button", has_text=label).first.click()
    eventually(
        lambda: heatmap_z(root), lambda z: z != before, f"choosing {label!r} changed nothing"
    )
    wait_until_answered(root.page)
