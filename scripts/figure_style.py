"""What every figure of the deck shares: the seed, the palette, the slide's size and
font, the register of figures by file name (FIGURES, filled by lecture_figures.py and
thumbnails.py), saving without timestamps, and the boxes and arrows of the diagrams."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from PIL import Image

from featurize.settings import PALETTE, RANDOM_SEED

SEED = RANDOM_SEED
# Below notebooks/, so "img/NAME" works from the lecture in JupyterLab (relative to the
# notebook) and in Voila (which resolves Markdown images from its root, notebooks/).
IMG = Path(__file__).resolve().parents[1] / "notebooks" / "img"
# The panels' palette (Okabe–Ito), so that a figure and the demo beside it agree.
BLUE, ORANGE, GREEN, VERMILLION = (PALETTE[c] for c in ("blue", "orange", "green", "vermillion"))
SKY, PURPLE, YELLOW = PALETTE["sky"], PALETTE["purple"], PALETTE["yellow"]
BLACK, GREY = PALETTE["black"], PALETTE["grey"]
# 16:9, 1600 × 896 px. Drawn at 8 in and not 10, so that the fonts' sizes in points give
# labels readable on a projector (tests/test_figures.py): a slide shows the picture 500 px
# high, where 13 pt is 20 px.
WIDE = (8, 4.48)
DPI = 200
# The most a slide of `make present` at 1280 × 720 shows a picture, under its slide's title
# (deck-reveal/static/fit-slides.js; measured in Chromium: a 1600 × 896 picture 893 × 500 px).
# tests/test_figures.py sizes the labels for it; tests/browser/test_projector.py checks
# that every slide shows its picture this large.
SLIDE_PICTURE_BOX = (1240, 500)

plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 14,
        "axes.titlesize": 16,
        "axes.labelsize": 14,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": "deck",
    }
)

FIGURES: dict[str, Callable[[Path], None]] = {}


def figure(name: str):
    """Register a drawing function under the file name it writes."""

    def register(draw: Callable[[Path], None]) -> Callable[[Path], None]:
        FIGURES[name] = draw
        return draw

    return register


def save(fig: plt.Figure, path: Path) -> None:
    fig.savefig(path, dpi=DPI, metadata={"Software": None}, facecolor="white")
    plt.close(fig)


def frame(fig: plt.Figure) -> Image.Image:
    """One animation frame: the figure rendered to an image, and closed."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None}, facecolor="white")
    plt.close(fig)
    return Image.open(buffer).convert("RGB")


def save_gif(images: list[Image.Image], path: Path, ms_per_frame: int = 300) -> None:
    """One looping GIF from frames, with one shared palette."""
    palette = images[-1].quantize(
        colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    frames_p = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    durations = [ms_per_frame] * (len(frames_p) - 1) + [ms_per_frame * 6]  # linger on the result
    frames_p[0].save(
        path, save_all=True, append_images=frames_p[1:], duration=durations, loop=0, optimize=False
    )


def canvas(size=WIDE) -> tuple[plt.Figure, plt.Axes]:
    """An empty drawing area with data coordinates 0…16 × 0…9."""
    fig, ax = plt.subplots(figsize=size)
    ax.set_xlim(0, 16)
    ax.set_ylim(0, 9)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    return fig, ax


def box(ax, x, y, w, h, text, colour, size=15, text_colour="white", weight="bold"):
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.1,rounding_size=0.25",
            fc=colour,
            ec="none",
        )
    )
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        color=text_colour,
        fontsize=size,
        weight=weight,
        wrap=True,
    )


def arrow(ax, start, end, colour=BLACK, style="-|>", width=2.0, head=22, **kwargs):
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle=style, mutation_scale=head, lw=width, color=colour, **kwargs
        )
    )


def shown_scale(width: int, height: int) -> float:
    """The share of a picture's pixels a slide shows (SLIDE_PICTURE_BOX)."""
    return min(1.0, SLIDE_PICTURE_BOX[0] / width, SLIDE_PICTURE_BOX[1] / height)
