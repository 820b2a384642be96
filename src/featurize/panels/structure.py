"""One panel for every structural descriptor: rotate and re-order a molecule or a crystal,
watch the numbers."""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from ase import Atoms

from ..descriptors import coulomb_matrix, ewald_sum_matrix, sine_matrix, soap
from ..errors import FeaturizeError
from ..potential import ENERGY_ROUND_OFF_EV, MODEL_NAME, forces, potential_energy
from ..structure import atom_orders, coordinates, permute, rotate
from ._base import PALETTE, Panel
from ._figure import FigureWidget, text_px, trace
from ._first_paint import REPLACES_WIDGETS


@dataclass(frozen=True)
class ScalarReadout:
    """A number that belongs with a descriptor and should not change as the structure
    turns, shown under the heatmap: the potential's energy beside its forces."""

    symbol: str
    unit: str
    compute: Callable[[Atoms], float]
    round_off: float  # a change this small is still called round-off


@dataclass(frozen=True)
class Descriptor:
    """What the panel needs to know of a descriptor, in one place."""

    label: str
    compute: Callable[[Atoms], np.ndarray]
    # row i belongs to atom i (so rows can carry atom labels): the raw coordinates and the
    # unsorted matrices; a sorted matrix, eigenvalues or SOAP have no atom rows
    rows_are_atoms: bool = False
    columns: tuple[str, ...] | None = None  # None: one column per atom, when rows are atoms
    readout: ScalarReadout | None = None
    arrows: bool = False  # rows are vectors on the atoms, drawn as arrows in the 3-D view


COORDINATES = Descriptor(
    "Raw coordinates (Å)", coordinates, rows_are_atoms=True, columns=("x", "y", "z")
)
COULOMB = Descriptor("Coulomb matrix", coulomb_matrix, rows_are_atoms=True)
SINE = Descriptor("Sine matrix", sine_matrix, rows_are_atoms=True)
EWALD = Descriptor("Ewald sum matrix (e²/Å)", ewald_sum_matrix, rows_are_atoms=True)
SOAP = Descriptor("SOAP, structure-averaged", soap)
FORCES = Descriptor(
    f"Forces from {MODEL_NAME} (eV/Å)",
    forces,
    rows_are_atoms=True,
    columns=("Fx", "Fy", "Fz"),
    readout=ScalarReadout("E", "eV", potential_energy, ENERGY_ROUND_OFF_EV),
    arrows=True,
)
# The package's descriptor functions, as a notebook passes them, and what the panel knows
# of each; any other function of a structure is drawn without atom labels.
KNOWN = {d.compute: d for d in (COORDINATES, COULOMB, SINE, EWALD, SOAP, FORCES)}
INVARIANT_BELOW = 1e-8  # relative change the readout calls "unchanged": round-off, not physics
ARROW_LENGTH = 1.2  # Å, the longest arrow of the unrotated structure; the others to scale
ARROWS_ABOVE = 1e-3  # eV/Å: smaller forces (a crystal at rest) get no arrows


# The Coulomb matrix three ways, for a panel that switches between them: as ordered
# (changes with the atom order), rows sorted by their norm, and its eigenvalues (neither does).
COULOMB_VARIANTS: dict[str, Descriptor] = {
    "as ordered": COULOMB,
    "rows sorted by norm": Descriptor(
        "Coulomb matrix (sorted_l2)", functools.partial(coulomb_matrix, permutation="sorted_l2")
    ),
    "eigenvalues": Descriptor(
        "Coulomb matrix (eigenspectrum)",
        functools.partial(coulomb_matrix, permutation="eigenspectrum"),
    ),
}
# The same, and the two periodic variants a crystal needs (a molecule gets a message for those).
COULOMB_VARIANTS_WITH_PERIODIC: dict[str, Descriptor] = {
    **COULOMB_VARIANTS,
    "sine matrix": SINE,
    "Ewald sum matrix": EWALD,
}


def as_descriptor(given: Descriptor | Callable[[Atoms], np.ndarray]) -> Descriptor:
    """A Descriptor as it is; one of the package's functions with what the panel knows of
    it; any other function of a structure by its name, without atom labels (rather than
    wrong ones)."""
    if isinstance(given, Descriptor):
        return given
    if not callable(given):
        raise FeaturizeError(
            f"descriptor must be a function such as featurize.coulomb_matrix, not {given!r}."
        )
    return KNOWN.get(given) or Descriptor(getattr(given, "__name__", "descriptor"), given)


def as_heatmap(values: np.ndarray) -> np.ndarray:
    """A matrix as it is; a vector padded with NaN (drawn blank) into the smallest square."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 2:
        return values
    side = math.ceil(math.sqrt(values.size))
    square = np.full(side * side, np.nan)
    square[: values.size] = values
    return square.reshape(side, side)


def _structures(atoms: Atoms | Mapping[str, Atoms]) -> dict[str, Atoms]:
    """label → a copy of each structure given (one structure: "structure")."""
    structures = dict(atoms) if isinstance(atoms, Mapping) else {"structure": atoms}
    if not structures or not all(
        isinstance(each, Atoms) and len(each) for each in structures.values()
    ):
        raise FeaturizeError(
            "StructurePanel needs an ase.Atoms structure, e.g. featurize.molecule('H2O'), "
            "or a mapping of labels to structures, e.g. featurize.demo_structures()."
        )
    return {label: each.copy() for label, each in structures.items()}


def _descriptor_records(
    descriptor: Descriptor | Callable | Mapping[str, Descriptor | Callable],
) -> dict[str, Descriptor]:
    """label → Descriptor record of each descriptor given (one: by its own label)."""
    given = descriptor if isinstance(descriptor, Mapping) else {None: descriptor}
    if not given:
        raise FeaturizeError(
            "descriptor must be a function such as featurize.coulomb_matrix, "
            "or a mapping from labels to such functions."
        )
    records = {label: as_descriptor(each) for label, each in given.items()}
    return {label or d.label: d for label, d in records.items()}


class StructurePanel(Panel):
    """A 3-D view beside a heatmap of a descriptor, with rotation sliders and atom orders.

    atoms is an ase.Atoms structure (a molecule, or a crystal with its cell and pbc), or a
    mapping label → structure to switch between (featurize.demo_structures()).
    descriptor is a function ase.Atoms → array (featurize.coordinates, coulomb_matrix,
    soap, any function of a structure) or a Descriptor record, or a mapping label → either
    to switch between (COULOMB_VARIANTS).
    Beside the heatmap, ‖D − D₀‖: how far the descriptor moved from that of the
    unrotated, unpermuted structure.
    """

    # the heatmap's colour range only widens as the structure turns
    FRAME_HISTORY = ("_colour_range",)

    def __init__(
        self,
        atoms: Atoms | Mapping[str, Atoms],
        descriptor: Descriptor | Callable | Mapping[str, Descriptor | Callable],
        *,
        show_3d: bool = True,
    ) -> None:
        super().__init__()
        self.structures = _structures(atoms)
        self.descriptors = _descriptor_records(descriptor)
        # buttons as wide as their labels: at a slide's larger font "NaCl (rock salt)" was cut
        self.structure_choice = widgets.ToggleButtons(
            options=list(self.structures), description="structure", style={"button_width": "auto"}
        )
        self.atoms = self.structures[self.structure_choice.value]
        self._build_controls()
        self.readout = widgets.HTML()
        self.figure = self._build_figure()
        self.show_3d = show_3d
        self.view = self._new_view()
        # The view the last structure change took off the page, closed at the next change:
        # see _on_structure_choice.
        self._view_taken_off = None
        self._switching_structure = False
        self.structure_choice.observe(self._on_structure_choice, names="value")
        self.descriptor_choice.observe(self._on_descriptor_choice, names="value")
        for control in (*self.sliders, self.atom_order):
            control.observe(self._on_change, names="value")
        self._lay_out()
        self._on_descriptor_choice()

    def _build_controls(self) -> None:
        """The rotation sliders, the atom order and the descriptor choice."""
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
        self.descriptor_choice = widgets.ToggleButtons(
            options=list(self.descriptors), style={"button_width": "auto"}
        )
        for control in (*self.sliders, self.atom_order):
            control.style.description_width = "7em"

    @staticmethod
    def _build_figure() -> FigureWidget:
        """Trace: "descriptor", the heatmap of the descriptor's values."""
        return FigureWidget(
            data=[go.Heatmap(z=[[0.0]], colorscale="Cividis", hoverongaps=False, uid="descriptor")],
            layout=go.Layout(
                width=460,
                height=400,
                margin={"l": 50, "r": 10, "t": 40, "b": 40},
                yaxis={"autorange": "reversed", "scaleanchor": "x", "constrain": "domain"},
                xaxis={"side": "top", "constrain": "domain"},
                title={"y": 0.02, "yanchor": "bottom", "font": {"size": text_px(13)}},
            ),
        )

    def _lay_out(self) -> None:
        self.controls = widgets.VBox([*self.sliders, self.atom_order])
        self.figure_column = widgets.VBox([self.figure, self.readout])
        row = [self.figure_column, self.view] if self.view is not None else [self.figure_column]
        header = [self.structure_choice] if len(self.structures) > 1 else []
        header += [self.descriptor_choice] if len(self.descriptors) > 1 else []
        # The 3-D view comes last, drawn first (row-reverse): another structure replaces only
        # the last child, and the browser keeps the figure's view (a figure drawn anew refused
        # the updates that followed). A view wrapped in a box of its own opened zoomed out.
        self.plots = widgets.HBox(
            row, layout={"flex_flow": "row-reverse", "justify_content": "flex-end"}
        )
        self.widget = widgets.VBox([*header, self.plots, self.controls, self.message])

    def _new_view(self):
        if not self.show_3d:
            return None
        # nglview on first use: a kernel that imports it holds nglview widgets even with no
        # 3-D view, and its page must then load nglview's 1 MB of browser code.
        from ._view import structure_view

        setattr(self.structure_choice, REPLACES_WIDGETS, True)  # each structure its own view
        return structure_view(self.atoms)

    def _on_structure_choice(self, _change=None) -> None:
        """Another structure: its own atom orders, 3-D view and reference descriptor D₀."""
        self.atoms = self.structures[self.structure_choice.value]
        self._switching_structure = True  # the new orders must not redraw the old structure
        try:
            self.atom_order.options = [
                (label, tuple(order)) for label, order in atom_orders(self.atoms)
            ]
            self.atom_order.index = 0
        finally:
            self._switching_structure = False
        if self.view is not None:
            old, self.view = self.view, self._new_view()
            self.plots.children = (self.figure_column, self.view)
            # Not closed yet: the browser tears the old view down after it leaves the page,
            # and nglview's code then still reports to its model (components removed, the
            # camera); with the model's comm already closed, each report threw "Syncing
            # error: no comm channel defined" onto the page (seen in a browser test, now and
            # then). Closed at the next change, when its view is long gone.
            if self._view_taken_off is not None:
                self._view_taken_off.close()
            self._view_taken_off = old
        self._on_descriptor_choice()

    @property
    def sliders(self) -> tuple[widgets.IntSlider, widgets.IntSlider, widgets.IntSlider]:
        return self.rotation_x, self.rotation_y, self.rotation_z

    @property
    def angles_deg(self) -> tuple[int, int, int]:
        return tuple(s.value for s in self.sliders)

    @property
    def current_atoms(self) -> Atoms:
        """The structure as the controls set it: rotated (a crystal with its cell), then
        re-ordered."""
        return permute(rotate(self.atoms, self.angles_deg), self.atom_order.value)

    def _on_descriptor_choice(self, _change=None) -> None:
        self.descriptor = self.descriptors[self.descriptor_choice.value]
        try:
            self.reference = np.asarray(self.descriptor.compute(self.atoms), dtype=float)
            readout = self.descriptor.readout
            self.scalar_reference = readout.compute(self.atoms) if readout else None
        except FeaturizeError as error:
            # nothing to draw for this structure (e.g. an optional extra is missing): say why
            self.plots.layout.display = self.controls.layout.display = "none"
            self.show_message(str(error))
            return
        self.plots.layout.display = self.controls.layout.display = None
        self._colour_range = (float(np.min(self.reference)), float(np.max(self.reference)))
        self._arrow_scale = None
        if self.descriptor.arrows:
            longest = float(np.max(np.linalg.norm(self.reference, axis=1)))
            self._arrow_scale = ARROW_LENGTH / longest if longest > ARROWS_ABOVE else None
        self._on_change()

    def _on_change(self, _change=None) -> None:
        if self._switching_structure:
            return
        moved = self.current_atoms
        try:
            values = np.asarray(self.descriptor.compute(moved), dtype=float)
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.values = values
        self._draw(values, moved)
        self._report(values, moved)
        if self.view is not None:
            from ._view import draw_arrows, label_atoms, move_atoms

            # the view keeps the original atom order: only the rotation moves it
            turned = rotate(self.atoms, self.angles_deg).positions
            move_atoms(self.view, turned)
            label_atoms(self.view, [self.atom_order.value.index(i) for i in range(len(moved))])
            arrows = None
            if self._arrow_scale is not None:  # row k belongs to original atom order[k]
                arrows = values[np.argsort(self.atom_order.value)] * self._arrow_scale
            draw_arrows(self.view, turned, arrows)

    def _draw(self, values: np.ndarray, moved: Atoms) -> None:
        labels = [f"{atom.symbol}{i}" for i, atom in enumerate(moved)]
        z = as_heatmap(values)
        low, high = self._colour_range
        low, high = min(low, float(np.nanmin(z))), max(high, float(np.nanmax(z)))
        self._colour_range = (low, high)  # widen only, so colours stay comparable
        signed = low < 0
        bound = max(abs(low), abs(high))
        atom_rows = self.descriptor.rows_are_atoms and values.ndim == 2
        rows = labels if atom_rows else None
        columns = (self.descriptor.columns or labels) if atom_rows else None
        with self.figure.batch_update():
            heatmap = trace(self.figure, "descriptor")
            # padding as None: a gap to plotly, and valid JSON (NaN is not) on the wire
            heatmap.z = np.where(np.isnan(z), None, z).tolist()
            heatmap.x, heatmap.y = columns, rows
            heatmap.colorscale = "RdBu" if signed else "Cividis"
            heatmap.zmin, heatmap.zmax = (-bound, bound) if signed else (low, high)
            shape = "×".join(map(str, values.shape))
            title = html.escape(self.descriptor.label)
            self.figure.layout.title.text = f"{title}: {shape}"
            self.figure.layout.xaxis.showticklabels = columns is not None
            self.figure.layout.yaxis.showticklabels = rows is not None

    def _report(self, values: np.ndarray, moved: Atoms) -> None:
        if values.shape != self.reference.shape:
            self.distance = self.relative_distance = float("nan")
        else:
            self.distance = float(np.linalg.norm(values - self.reference))
            self.relative_distance = self.distance / max(
                float(np.linalg.norm(self.reference)), 1e-300
            )
        text = (
            f'<div style="font-size:1.25em">‖D − D₀‖ = <b>{self.distance:.2e}</b> '
            f"{verdict(self.relative_distance < INVARIANT_BELOW)}</div>"
            f'<div style="color:#555">relative {self.relative_distance:.1e}; '
            "D₀: the unrotated structure in its original atom order</div>"
        )
        self.scalar = None
        readout = self.descriptor.readout
        if readout is not None:
            symbol, unit = readout.symbol, readout.unit
            self.scalar = readout.compute(moved)
            change = self.scalar - self.scalar_reference
            text += (
                f'<div style="font-size:1.25em">{symbol} = <b>{self.scalar:.5f} {unit}</b> '
                f"{verdict(abs(change) <= readout.round_off)}</div>"
                f'<div style="color:#555">{symbol} − {symbol}₀ = {change:.1e} {unit}</div>'
            )
        self.readout.value = text


def verdict(unchanged: bool) -> str:
    """The readout's "(unchanged)" in green or "(changed)" in vermillion."""
    colour = PALETTE["green"] if unchanged else PALETTE["vermillion"]
    text = "unchanged" if unchanged else "changed"
    return f'<span style="color:{colour};font-weight:600">({text})</span>'
