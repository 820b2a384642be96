"""The 3-D molecule view (nglview), in one place."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from ._nglview_version import ask_for_installed_frontend

ask_for_installed_frontend()
import nglview  # noqa: E402  (after the version fix above)


def structure_view(atoms: Atoms) -> nglview.NGLWidget:
    """A ball-and-stick view of the molecule, atoms labelled with their index."""
    view = nglview.show_ase(atoms)
    view.clear_representations()
    view.add_ball_and_stick()
    view.layout.width = "380px"
    view.layout.height = "360px"
    face_the_camera(view, atoms.get_positions())
    label_atoms(view, range(len(atoms)))
    return view


def face_the_camera(view: nglview.NGLWidget, positions: np.ndarray) -> None:
    """Turn the camera so it looks along the molecule's thinnest direction.

    NGL looks down the z axis; a flat molecule lying in the yz plane (like ASE's water)
    would be seen edge-on as a line.
    """
    if len(positions) < 3:
        return
    centred = positions - positions.mean(axis=0)
    thinnest = np.linalg.eigh(centred.T @ centred)[1][:, 0]  # smallest spread
    axis = np.cross(thinnest, [0.0, 0.0, 1.0])
    if np.linalg.norm(axis) < 1e-9:
        return  # already facing the camera
    angle = float(np.arccos(np.clip(abs(thinnest[2]), -1.0, 1.0)))
    view.control.spin(list(axis / np.linalg.norm(axis)), angle)


def move_atoms(view: nglview.NGLWidget, positions: np.ndarray) -> None:
    """New positions (Å) for the atoms already shown, in the order they were given."""
    view.set_coordinates({0: np.asarray(positions, dtype=np.float32)})


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
