"""One panel for every structural descriptor: rotate and re-order a molecule, watch the numbers."""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from ase import Atoms

from ..descriptors import coulomb_matrix, soap
from ..errors import FeaturizeError
from ..structure import atom_orders, coordinates, permute, rotate
from ._base import PALETTE, Panel
from ._figure import FigureWidget
from ._view import label_atoms, move_atoms, structure_view

Descriptor = Callable[[Atoms], np.ndarray]

DESCRIPTOR_NAMES: dict[Callable, str] = {
    coordinates: "Raw coordinates (Å)",
    coulomb_matrix: "Coulomb matrix",
    soap: "SOAP, structure-averaged",
}
# Columns that are not atoms; the Coulomb matrix has one column per atom.
COLUMN_LABELS: dict[Callable, list[str]] = {coordinates: ["x", "y", "z"]}
INVARIANT_BELOW = 1e-8  # relative change the readout calls "unchanged": round-off, not physics


# The Coulomb matrix three ways, for a panel that switches between them: as ordered
# (changes with the atom order), rows sorted by their norm, and its eigenvalues (neither does).
COULOMB_VARIANTS: dict[str, Descriptor] = {
    "as ordered": coulomb_matrix,
    "rows sorted by norm": functools.partial(coulomb_matrix, permutation="sorted_l2"),
    "eigenvalues": functools.partial(coulomb_matrix, permutation="eigenspectrum"),
}


def follows_atom_order(descriptor: Descriptor) -> bool:
    """Whether row i of the descriptor belongs to atom i (so rows can carry atom labels).

    True for the raw coordinates and the unsorted Coulomb matrix; a sorted matrix, an
    eigenvalue list, SOAP or an unknown function gets no atom labels rather than wrong ones.
    """
    if isinstance(descriptor, functools.partial):
        unsorted = descriptor.keywords.get("permutation", "none") == "none"
        return unsorted and follows_atom_order(descriptor.func)
    return descriptor in (coordinates, coulomb_matrix)


def descriptor_name(descriptor: Descriptor) -> str:
    """A readable name: 'Coulomb matrix', 'Coulomb matrix (sorted_l2)', …"""
    if isinstance(descriptor, functools.partial):
        options = ", ".join(str(v) for v in descriptor.keywords.values())
        return (
            f"{descriptor_name(descriptor.func)} ({options})"
            if options
            else descriptor_name(descriptor.func)
        )
    return DESCRIPTOR_NAMES.get(descriptor, getattr(descriptor, "__name__", "descriptor"))


def as_heatmap(values: np.ndarray) -> np.ndarray:
    """A matrix as it is; a vector padded with NaN (drawn blank) into the smallest square."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 2:
        return values
    side = math.ceil(math.sqrt(values.size))
    square = np.full(side * side, np.nan)
    square[: values.size] = values
    return square.reshape(side, side)


class StructurePanel(Panel):
    """A 3-D view beside a heatmap of a descriptor, with rotation sliders and atom orders.

    descriptor is a function ase.Atoms → array (featurize.coordinates, coulomb_matrix,
    soap, or a functools.partial of one), or a mapping label → function to switch between.
    Beside the heatmap, ‖D − D₀‖: how far the descriptor moved from that of the
    unrotated, unpermuted molecule.
    """

    def __init__(
        self,
        atoms: Atoms,
        descriptor: Descriptor | Mapping[str, Descriptor],
        *,
        show_3d: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(atoms, Atoms) or len(atoms) == 0:
            raise FeaturizeError(
                "StructurePanel needs an ase.Atoms structure, e.g. featurize.molecule('H2O')."
            )
        self.atoms = atoms.copy()
        self.descriptors = (
            dict(descriptor)
            if isinstance(descriptor, Mapping)
            else {descriptor_name(descriptor): descriptor}
        )
        if not self.descriptors or not all(map(callable, self.descriptors.values())):
            raise FeaturizeError(
                "descriptor must be a function such as featurize.coulomb_matrix, "
                "or a mapping from labels to such functions."
            )

        slider = functools.partial(
            widgets.IntSlider, value=0, min=-180, max=180, step=5, continuous_update=True
        )
        self.rotation_x = slider(description="x rotation (°)")
        self.rotation_y = slider(description="y rotation (°)")
        self.rotation_z = slider(description="z rotation (°)")
        self.atom_order = widgets.Dropdown(
            options=[(label, tuple(order)) for label, order in atom_orders(self.atoms)],
            description="atom order",
        )
        self.descriptor_choice = widgets.ToggleButtons(options=list(self.descriptors))
        for control in (*self.sliders, self.atom_order):
            control.style.description_width = "7em"
        self.readout = widgets.HTML()
        self.figure = FigureWidget(
            data=[go.Heatmap(z=[[0.0]], colorscale="Cividis", hoverongaps=False)],
            layout=go.Layout(
                width=460,
                height=400,
                margin={"l": 50, "r": 10, "t": 40, "b": 40},
                yaxis={"autorange": "reversed", "scaleanchor": "x", "constrain": "domain"},
                xaxis={"side": "top", "constrain": "domain"},
                title={"y": 0.02, "yanchor": "bottom", "font": {"size": 13}},
            ),
        )
        self.view = structure_view(self.atoms) if show_3d else None

        self.descriptor_choice.observe(self._choose_descriptor, names="value")
        for control in (*self.sliders, self.atom_order):
            control.observe(self._on_change, names="value")
        self._choose_descriptor()

        controls = widgets.VBox([*self.sliders, self.atom_order])
        figure_column = widgets.VBox([self.figure, self.readout])
        row = [self.view, figure_column] if self.view is not None else [figure_column]
        header = [self.descriptor_choice] if len(self.descriptors) > 1 else []
        self.widget = widgets.VBox([*header, widgets.HBox(row), controls, self.message])

    @property
    def sliders(self) -> tuple[widgets.IntSlider, widgets.IntSlider, widgets.IntSlider]:
        return self.rotation_x, self.rotation_y, self.rotation_z

    @property
    def angles_deg(self) -> tuple[int, int, int]:
        return tuple(s.value for s in self.sliders)

    @property
    def current_atoms(self) -> Atoms:
        """The molecule as the controls set it: rotated, then re-ordered."""
        return permute(rotate(self.atoms, self.angles_deg), self.atom_order.value)

    def _choose_descriptor(self, _change=None) -> None:
        self.descriptor = self.descriptors[self.descriptor_choice.value]
        self.reference = np.asarray(self.descriptor(self.atoms), dtype=float)
        self._colour_range = (float(np.min(self.reference)), float(np.max(self.reference)))
        self._on_change()

    def _on_change(self, _change=None) -> None:
        moved = self.current_atoms
        try:
            values = np.asarray(self.descriptor(moved), dtype=float)
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.values = values
        self._draw(values, moved)
        self._report(values)
        if self.view is not None:
            # the view keeps the original atom order: only the rotation moves it
            move_atoms(self.view, rotate(self.atoms, self.angles_deg).positions)
            label_atoms(self.view, [self.atom_order.value.index(i) for i in range(len(moved))])

    def _draw(self, values: np.ndarray, moved: Atoms) -> None:
        labels = [f"{atom.symbol}{i}" for i, atom in enumerate(moved)]
        z = as_heatmap(values)
        low, high = self._colour_range
        low, high = min(low, float(np.nanmin(z))), max(high, float(np.nanmax(z)))
        self._colour_range = (low, high)  # widen only, so colours stay comparable
        signed = low < 0
        bound = max(abs(low), abs(high))
        atom_rows = follows_atom_order(self.descriptor) and values.ndim == 2
        rows = labels if atom_rows else None
        base = getattr(self.descriptor, "func", self.descriptor)  # see through functools.partial
        columns = COLUMN_LABELS.get(base, labels) if atom_rows else None
        with self.figure.batch_update():
            heatmap = self.figure.data[0]
            # padding as None: a gap to plotly, and valid JSON (NaN is not) on the wire
            heatmap.z = np.where(np.isnan(z), None, z).tolist()
            heatmap.x, heatmap.y = columns, rows
            heatmap.colorscale = "RdBu" if signed else "Cividis"
            heatmap.zmin, heatmap.zmax = (-bound, bound) if signed else (low, high)
            shape = "×".join(map(str, values.shape))
            title = html.escape(descriptor_name(self.descriptor))
            self.figure.layout.title.text = f"{title}: {shape}"
            self.figure.layout.xaxis.showticklabels = columns is not None
            self.figure.layout.yaxis.showticklabels = rows is not None

    def _report(self, values: np.ndarray) -> None:
        if values.shape != self.reference.shape:
            self.distance = self.relative_distance = float("nan")
        else:
            self.distance = float(np.linalg.norm(values - self.reference))
            self.relative_distance = self.distance / max(
                float(np.linalg.norm(self.reference)), 1e-300
            )
        unchanged = self.relative_distance < INVARIANT_BELOW
        colour = PALETTE["green"] if unchanged else PALETTE["vermillion"]
        verdict = "unchanged" if unchanged else "changed"
        self.readout.value = (
            f'<div style="font-size:1.25em">‖D − D₀‖ = <b>{self.distance:.2e}</b> '
            f'<span style="color:{colour};font-weight:600">({verdict})</span></div>'
            f'<div style="color:#555">relative {self.relative_distance:.1e}; '
            "D₀: the unrotated molecule in its original atom order</div>"
        )
