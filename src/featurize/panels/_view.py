"""The 3-D molecule view (nglview), in one place."""

from __future__ import annotations

from collections.abc import Sequence

import nglview  # after featurize.panels' version fix (_patches), as every import is
import numpy as np
from ase import Atoms

from ._late_comm import OpensWhenShown

# What StructureView reorders of nglview's constructor: it must still be there
_NGL_STEPS = ("_create_player", "_create_ibtn_fullscreen")
if not all(callable(getattr(nglview.NGLWidget, step, None)) for step in _NGL_STEPS):
    raise RuntimeError(
        f"nglview {nglview.__version__} has no NGLWidget.{' or .'.join(_NGL_STEPS)}: "
        "featurize.panels._view.StructureView needs rewriting"
    )


class StructureView(OpensWhenShown, nglview.NGLWidget):
    """nglview's view, its comm opened with its player and fullscreen button set
    (featurize.panels._late_comm): a browser's view made from a state without them read
    their references as null ("Cannot read properties of null (reading 'replace')").

    Its comm opens when nglview links its player to it (ipywidgets' jslink names the view by
    its model_id), in the middle of NGLWidget's constructor (nglview 4.0.1), which makes the
    fullscreen button only after that: here the button comes first. tests/panels check the
    state the comm opens with.
    """

    def _create_player(self) -> None:
        self._create_ibtn_fullscreen()
        super()._create_player()

    def _create_ibtn_fullscreen(self) -> None:
        if self._ibtn_fullscreen is None:
            super()._create_ibtn_fullscreen()


def structure_view(atoms: Atoms) -> nglview.NGLWidget:
    """A ball-and-stick view of the molecule, atoms labelled with their index."""
    text = molecule_pdb(atoms)
    if text is None:
        # as nglview.show_ase: ASE writes the file (a crystal's cell, extra arrays)
        view = StructureView(nglview.ASEStructure(atoms))
    else:
        view = StructureView(nglview.TextStructure(text, ext="pdb"))
    view.clear_representations()
    view.add_ball_and_stick()
    view.layout.width = "380px"
    view.layout.height = "360px"
    positions = atoms.get_positions()
    view.stage.set_parameters(clip_dist=camera_backing(positions))
    view.center()  # fitted again with it: NGL may have fitted the structure already
    # what the page draws until the view is live (featurize.panels._first_paint)
    view._deck_picture = (atoms.get_chemical_symbols(), positions, facing_rotation(positions))
    face_the_camera(view, positions)
    label_atoms(view, range(len(atoms)))
    return view


# The PDB arrays ASE's writer would use instead of its defaults; a structure with any of
# them, or with a periodic cell, is written by ASE itself.
PDB_ARRAYS = {"occupancy", "bfactor", "residuenames", "residuenumbers", "atomtypes"}


def molecule_pdb(atoms: Atoms) -> str | None:
    """A molecule's PDB text, exactly as nglview.show_ase has ASE write it; None for a crystal.

    nglview.show_ase calls atoms.write(), which imports ase.io, and ase.io imports scipy
    (~45 MB) through ase.constraints → ase.spacegroup → ase.lattice → ase.dft, only to
    write these few lines. tests/test_layers.py checks them against ASE's writer.
    """
    if atoms.pbc.any() or PDB_ARRAYS & set(atoms.arrays):
        return None
    symbols = atoms.get_chemical_symbols()
    atom_lines = [
        f"ATOM  {(i + 1) % 100000:5d} {symbol:>4s} MOL     1    "
        f"{x:8.3f}{y:8.3f}{z:8.3f}{1.0:6.2f}{0.0:6.2f}          {symbol.upper():>2s}  \n"
        for i, (symbol, (x, y, z)) in enumerate(zip(symbols, atoms.get_positions(), strict=True))
    ]
    return "MODEL     1\n" + "".join(atom_lines) + "ENDMDL\n"


# NGL's camera field of view (its default), the margin taken around the atoms' centres (its
# balls are 0.3 Å, their labels reach further), and how far the camera backs off from the
# fitted view, as a fraction of the fitted distance (camera_backing).
CAMERA_FOV_DEGREES = 40
BALL_MARGIN_A = 0.5
BACKING = 1 / 3


def camera_backing(positions: np.ndarray) -> float:
    """How far (Å) NGL's camera backs off from a structure after fitting it to the view: a
    third of the fitted distance, whatever the structure's size.

    NGL fits a structure by placing the camera 0.5 r / sin(fov / 2) from its centre, r the
    longest side of its bounding box plus the square root of the shortest
    (Stage.getZoomForBox), then adds its clipping distance, 10 Å by default: water then
    spanned 0.24 of the view's height, too small to see it turn (with no distance at all
    its atoms ran off the edges). With this, water spans 0.75 of it and NaCl's and copper's
    cells 0.6, whole as they turn (measured: tests/browser/panel_checks.molecule_extent)."""
    sides = np.ptp(np.asarray(positions, dtype=float), axis=0) + 2 * BALL_MARGIN_A
    r = sides.max() + np.sqrt(sides.min())
    return BACKING * float(0.5 * r / np.sin(np.radians(CAMERA_FOV_DEGREES / 2)))


def face_the_camera(view: nglview.NGLWidget, positions: np.ndarray) -> None:
    """Turn the camera so it looks along the molecule's thinnest direction.

    NGL looks down the z axis; a flat molecule lying in the yz plane (like ASE's water)
    would be seen edge-on as a line.
    """
    thinnest = thinnest_direction(positions)
    if thinnest is None:
        return
    axis = np.cross(thinnest, [0.0, 0.0, 1.0])
    if np.linalg.norm(axis) < 1e-9:
        return  # already facing the camera
    angle = float(np.arccos(np.clip(abs(thinnest[2]), -1.0, 1.0)))
    view.control.spin(list(axis / np.linalg.norm(axis)), angle)


def thinnest_direction(positions: np.ndarray) -> np.ndarray | None:
    """The unit direction in which the molecule spreads least; None below three atoms."""
    if len(positions) < 3:
        return None
    centred = positions - positions.mean(axis=0)
    return np.linalg.eigh(centred.T @ centred)[1][:, 0]


def facing_rotation(positions: np.ndarray) -> np.ndarray:
    """The rotation face_the_camera gives the camera, as a matrix turning the molecule: its
    thinnest direction onto z, seen from where NGL's camera then is (compared by eye with
    NGL's view of water). For the first paint's picture (featurize.panels._first_paint)."""
    thinnest = thinnest_direction(positions)
    if thinnest is None:
        return np.eye(3)
    half_turn_about_y = np.diag([-1.0, 1.0, -1.0])
    thinnest = thinnest if thinnest[2] >= 0 else -thinnest
    axis = np.cross(thinnest, [0.0, 0.0, 1.0])
    if np.linalg.norm(axis) < 1e-9:
        return half_turn_about_y
    axis /= np.linalg.norm(axis)
    angle = float(np.arccos(np.clip(thinnest[2], -1.0, 1.0)))
    # Rodrigues' rotation by `angle` about `axis` (scipy's Rotation would cost this kernel
    # scipy's import, which _view otherwise avoids: molecule_pdb)
    cross = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return half_turn_about_y @ (
        np.eye(3) + np.sin(angle) * cross + (1 - np.cos(angle)) * cross @ cross
    )


def move_atoms(view: nglview.NGLWidget, positions: np.ndarray) -> None:
    """New positions (Å) for the atoms already shown, in the order they were given."""
    view.set_coordinates({0: np.asarray(positions, dtype=np.float32)})
    if hasattr(view, "_deck_picture"):
        symbols, _, rotation = view._deck_picture
        view._deck_picture = (symbols, np.asarray(positions, dtype=float), rotation)


def label_atoms(view: nglview.NGLWidget, labels: Sequence[object]) -> None:
    """Label each atom (in the view's own order) with the given text."""
    texts = [str(label) for label in labels]
    if getattr(view, "_atom_labels", None) == texts:
        return
    view._atom_labels = texts
    view.remove_label()
    view.add_label(
        labelType="text",
        labelText=texts,
        color="black",
        attachment="middle_center",
        radius=1.6,
        zOffset=1.0,
    )


ARROW_COLOUR = [0.0, 0.447, 0.698]  # Okabe–Ito blue, as RGB fractions
ARROW_RADIUS = 0.08  # Å


def draw_arrows(view: nglview.NGLWidget, starts: np.ndarray, vectors: np.ndarray | None) -> None:
    """One arrow per atom from its position along its vector (both Å); None removes them."""
    previous = getattr(view, "_arrow_component", None)
    if previous is not None:
        view.remove_component(previous)
        view._arrow_component = None
    view._arrows = None
    if vectors is None:
        return
    starts = np.asarray(starts, dtype=float)
    ends = starts + np.asarray(vectors, dtype=float)
    view._arrows = (starts, ends)  # what is drawn, for tests
    shapes = [
        ("arrow", start.tolist(), end.tolist(), ARROW_COLOUR, ARROW_RADIUS)
        for start, end in zip(starts, ends, strict=True)
    ]
    view._arrow_component = view._add_shape(shapes, name="arrows")
