"""Every picture the deck shows is drawn by scripts/make_figures.py, and drawn the same way twice."""

import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "notebooks" / "img"
IMAGE_REFERENCE = re.compile(r"""(?:\]\(|src=["'])img/([^)"'\s]+)""")


def load_script():
    # The script's modules import one another as a script's siblings do.
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(
        "make_figures", ROOT / "scripts" / "make_figures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIGURES = load_script().FIGURES
from figure_style import shown_scale  # noqa: E402  (the scripts' folder, on the path now)


def referenced_images() -> set[str]:
    names = set()
    for notebook in ROOT.glob("notebooks/**/*.ipynb"):
        if ".ipynb_checkpoints" in notebook.parts:
            continue
        for cell in json.loads(notebook.read_text())["cells"]:
            names |= set(IMAGE_REFERENCE.findall("".join(cell["source"])))
    return names


def test_every_referenced_image_exists_and_the_script_draws_it():
    referenced = referenced_images()
    assert referenced, "the lecture shows no generated figure"
    assert referenced <= set(FIGURES)
    for name in referenced:
        assert (IMG / name).is_file(), name


def landing_thumbnails() -> set[str]:
    """The web app's landing page shows thumb-NAME.png for each notebooks/demos/NAME.ipynb."""
    return {f"thumb-{page.stem}.png" for page in ROOT.glob("notebooks/demos/*.ipynb")}


def test_every_image_in_img_comes_from_the_script_and_is_shown():
    on_disk = {path.name for path in IMG.iterdir() if not path.name.startswith(".")}
    assert on_disk == set(FIGURES)
    assert set(FIGURES) <= referenced_images() | landing_thumbnails(), "a figure nobody shows"


def test_every_demo_page_has_a_thumbnail():
    assert landing_thumbnails() <= set(FIGURES)


# Every figure a change of the lecture's content redrew, and a few others: the ones drawn
# from QM9 read it (and the learning curve) into the tests' own cache, never ~/.cache.
REDRAWN = [
    "under-overfitting.png",
    "decision-tree.png",
    "evolution-2.png",
    "featurization-pipeline.png",
    "ml-landscape.png",
    "ml-workflow.png",
    "message-passing.png",
    "artificial-neuron.png",
    "neuron-analogy.png",
    "materials-map-teaser.png",
    "thumb-learning-curve.png",
]


@pytest.mark.usefixtures("cache")  # tests/conftest.py
@pytest.mark.parametrize("name", REDRAWN)
def test_the_script_redraws_the_committed_figure(tmp_path, name):
    script = load_script()
    script.main(["--out", str(tmp_path / "a"), name])
    script.main(["--out", str(tmp_path / "b"), name])
    first, second = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
    assert first == second, "not deterministic"
    # pixels, not bytes, against the committed file: PNG encoders may differ between zlib builds
    drawn = np.asarray(Image.open(tmp_path / "a" / name).convert("RGB"), dtype=int)
    committed = np.asarray(Image.open(IMG / name).convert("RGB"), dtype=int)
    assert drawn.shape == committed.shape
    assert np.abs(drawn - committed).mean() < 1.0


def test_unknown_figure_name_is_refused(capsys):
    with pytest.raises(SystemExit):
        load_script().main(["no-such-figure.png"])
    assert "unknown figure" in capsys.readouterr().err


# A picture's smallest label, at the size a slide shows it (figure_style.SLIDE_PICTURE_BOX):
# two thirds of the prose's 28 px (a demo panel's labels: 12 px).
FIGURE_TEXT_MIN_PX = 19
LECTURE_FIGURES = sorted(
    name for name in referenced_images() if name in FIGURES and name.endswith(".png")
)


@pytest.mark.usefixtures("cache")
@pytest.mark.parametrize("name", LECTURE_FIGURES)
def test_every_label_of_a_lecture_figure_is_readable_on_the_projector(tmp_path, name):
    """Every piece of text the figure's file holds, at the size the slide shows it."""
    from matplotlib.backends.backend_agg import RendererAgg

    drawn = []  # (size in px in the file, the text)

    def recording(draw):
        def draw_and_record(self, gc, x, y, s, prop, *args, **kwargs):
            drawn.append((prop.get_size_in_points() * self.dpi / 72, s))
            return draw(self, gc, x, y, s, prop, *args, **kwargs)

        return draw_and_record

    with pytest.MonkeyPatch.context() as patch:
        for method in ("draw_text", "draw_mathtext"):  # plain text and formulas
            patch.setattr(RendererAgg, method, recording(getattr(RendererAgg, method)))
        load_script().main(["--out", str(tmp_path), name])
    width, height = Image.open(tmp_path / name).size
    scale = shown_scale(width, height)
    small = sorted({(round(px * scale, 1), text) for px, text in drawn if text.strip()})
    assert small, "no text drawn"
    assert small[0][0] >= FIGURE_TEXT_MIN_PX, f"small on the slide (px, text): {small[:5]}"
