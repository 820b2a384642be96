"""The 3-D molecule view (nglview), in one place."""

from __future__ import annotations

from collections.abc import Sequence

import nglview
import numpy as np
from ase import Atoms


def structure_view(atoms: Atoms) -> nglview.NGLWidget:
    """A ball-and-stick view of the molecule, atoms labelled with their index."""
    view = nglview.show_ase(atoms)
    view.clear_representations()
    view.add_ball_and_stick()
    view.layout.width = "380px"
    view.layout.height = "360px"
    label_atoms(view, range(len(atoms)))
    return view


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
