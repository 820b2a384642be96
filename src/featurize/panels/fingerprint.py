"""Morgan fingerprints made visible: a molecule, its 1024 bits, and what set each bit."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from ..errors import FeaturizeError
from ..fingerprints import (
    morgan_bit_atoms,
    morgan_bit_environments,
    morgan_fingerprint,
    tanimoto,
)
from ..molecules import mol_from_smiles
from ..settings import DEMO_MOLECULES, MORGAN_BITS, MORGAN_RADIUS
from ._base import PALETTE, Panel
from ._figure import FigureWidget, trace

if TYPE_CHECKING:
    from rdkit import Chem

# RDKit is imported where a drawing or a SMILES needs it, not when featurize.panels is:
# the pages without a fingerprint panel never load it.

GRID = round(MORGAN_BITS**0.5)  # 1024 bits → a 32×32 heatmap
# Heatmap cell values: 0 off, 1 on in the molecule, 2 on only in the comparison, 3 on in both.
NO_BIT = -1  # the on-bit choice "(none)"
CELL_COLOURS = ["#EEEEEE", PALETTE["sky"], PALETTE["orange"], PALETTE["green"]]


def _discrete_colourscale(colours: list[str]) -> list[tuple[float, str]]:
    steps = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [(i / steps, colour), ((i + 1) / steps, colour)]
    return scale


def _substructure(mol: Chem.Mol, centre: int, radius: int) -> tuple[list[int], list[int]]:
    """Atoms and bonds of the circular environment around `centre` out to `radius` bonds."""
    if radius == 0:
        return [centre], []
    from rdkit import Chem

    bonds = list(Chem.FindAtomEnvironmentOfRadiusN(mol, radius, centre))
    atoms = {centre}
    for bond in bonds:
        atoms |= {
            mol.GetBondWithIdx(bond).GetBeginAtomIdx(),
            mol.GetBondWithIdx(bond).GetEndAtomIdx(),
        }
    return sorted(atoms), bonds


def molecule_svg(mol: Chem.Mol, atoms=(), bonds=(), size=(340, 260)) -> str:
    """A 2-D drawing of the molecule as SVG, with the given atoms and bonds highlighted."""
    from rdkit.Chem.Draw import rdMolDraw2D

    drawer = rdMolDraw2D.MolDraw2DSVG(*size)
    drawer.drawOptions().addAtomIndices = True
    rdMolDraw2D.PrepareAndDrawMolecule(
        drawer, mol, highlightAtoms=list(atoms), highlightBonds=list(bonds)
    )
    drawer.FinishDrawing()
    return drawer.GetDrawingText()


class FingerprintPanel(Panel):
    """Choose or type a molecule; see its drawing and its Morgan bits as a 32×32 heatmap.

    Choosing an on-bit highlights the substructures that set it (more than one kind is a
    collision, and the panel says so); a second molecule shows the bits the two share and
    their Tanimoto similarity.
    """

    def __init__(self, smiles: str = DEMO_MOLECULES["Ethanol"]) -> None:
        super().__init__()
        mol_from_smiles(smiles)  # a bad starting molecule is the caller's error: raise it now
        self._build_controls()
        self.drawing = widgets.HTML()
        self.bit_note = widgets.HTML(layout={"max_width": "24em"})
        self.summary = widgets.HTML()
        self.figure = self._build_figure()
        trace(self.figure, "bits").on_click(self._on_click)
        self.molecule_choice.observe(self._on_molecule_choice, names="value")
        self.compare_choice.observe(self._on_compare_choice, names="value")
        self.smiles.observe(self._on_smiles, names="value")
        self.compare_smiles.observe(self._on_compare_smiles, names="value")
        self.on_bit.observe(self._show_bit, names="value")
        self.mol = self.bits = self.environments = self.distinct_environments = None
        self.compare_mol = self.compare_bits = None
        self.smiles.value = smiles
        left = widgets.VBox(
            [self.molecule_choice, self.smiles, self.drawing, self.on_bit, self.bit_note]
        )
        right = widgets.VBox([self.figure, self.summary, self.compare_choice, self.compare_smiles])
        self.widget = widgets.VBox([widgets.HBox([left, right]), self.message])

    def _build_controls(self) -> None:
        """The molecule and the one to compare with (a demo molecule or a typed SMILES
        each), and the on-bit whose substructures are highlighted."""
        choices = [("(typed)", ""), *DEMO_MOLECULES.items()]
        self.molecule_choice = widgets.Dropdown(options=choices, description="molecule")
        self.smiles = widgets.Text(description="SMILES", continuous_update=False)
        self.compare_choice = widgets.Dropdown(
            options=[("(none)", ""), *DEMO_MOLECULES.items()], description="compare with"
        )
        self.compare_smiles = widgets.Text(description="SMILES", continuous_update=False)
        self.on_bit = widgets.Dropdown(description="on-bit")
        for control in (
            self.molecule_choice,
            self.smiles,
            self.compare_choice,
            self.compare_smiles,
            self.on_bit,
        ):
            control.style.description_width = "7em"

    @staticmethod
    def _build_figure() -> FigureWidget:
        """Traces: "bits" (the 32×32 heatmap) and "chosen-bit" (a square around it)."""
        cells = np.arange(MORGAN_BITS).reshape(GRID, GRID)
        return FigureWidget(
            data=[
                go.Heatmap(
                    z=np.zeros((GRID, GRID)),
                    customdata=cells,
                    hovertemplate="bit %{customdata}<extra></extra>",
                    colorscale=_discrete_colourscale(CELL_COLOURS),
                    zmin=-0.5,
                    zmax=len(CELL_COLOURS) - 0.5,
                    showscale=False,
                    xgap=1,
                    ygap=1,
                    uid="bits",
                ),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="markers",
                    marker={
                        "symbol": "square-open",
                        "size": 13,
                        "color": "black",
                        "line": {"width": 3},
                    },
                    hoverinfo="skip",
                    showlegend=False,
                    uid="chosen-bit",
                ),
            ],
            layout=go.Layout(
                width=420,
                height=420,
                margin={"l": 10, "r": 10, "t": 40, "b": 10},
                xaxis={"visible": False, "constrain": "domain"},
                yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"},
                title={"text": f"Morgan fingerprint, radius {MORGAN_RADIUS}, {MORGAN_BITS} bits"},
            ),
        )

    # -- controls ---------------------------------------------------------------------
    def _on_molecule_choice(self, change) -> None:
        if change["new"]:
            self.smiles.value = change["new"]

    def _on_compare_choice(self, change) -> None:
        self.compare_smiles.value = change["new"]

    def _on_smiles(self, change) -> None:
        try:
            mol = mol_from_smiles(change["new"])
        except FeaturizeError as error:
            self.show_message(str(error))  # the last good molecule stays on screen
            return
        self.clear_message()
        self.mol, self.bits = mol, morgan_fingerprint(mol)
        self.environments = morgan_bit_atoms(mol)
        self.distinct_environments = morgan_bit_environments(mol)
        typed = change["new"].strip()
        if typed in DEMO_MOLECULES.values():
            self.molecule_choice.value = typed
        else:
            self.molecule_choice.value = ""  # "(typed)"
        self.on_bit.options = [("(none)", NO_BIT)] + [
            (self._bit_label(bit), bit) for bit in self.environments
        ]
        self.on_bit.value = NO_BIT
        self._draw()

    def _on_compare_smiles(self, change) -> None:
        if not change["new"].strip():
            self.compare_mol = self.compare_bits = None
        else:
            try:
                self.compare_mol = mol_from_smiles(change["new"])
            except FeaturizeError as error:
                self.show_message(f"Comparison: {error}")
                return
            self.compare_bits = morgan_fingerprint(self.compare_mol)
        self.clear_message()
        self._draw()

    def _on_click(self, _trace, points, _state) -> None:
        for row, column in zip(points.ys, points.xs, strict=True):
            bit = int(row) * GRID + int(column)
            if bit in self.environments:
                self.on_bit.value = bit

    def _bit_label(self, bit: int) -> str:
        distinct = len(self.distinct_environments[bit])
        if distinct > 1:
            return f"bit {bit} ({distinct} different environments: a collision)"
        return f"bit {bit} ({len(self.environments[bit])}×)"

    def _show_bit(self, _change=None) -> None:
        bit = self.on_bit.value
        atoms, bonds = set(), set()
        note = ""
        if bit != NO_BIT:
            # every environment that set the bit, so a collision shows both substructures
            for centre, radius in self.environments[bit]:
                more_atoms, more_bonds = _substructure(self.mol, centre, radius)
                atoms |= set(more_atoms)
                bonds |= set(more_bonds)
            distinct = len(self.distinct_environments[bit])
            if distinct > 1:
                note = (
                    f"Bit {bit} was set by {distinct} different substructures, all highlighted: "
                    f"a collision. RDKit hashes each environment to one of 2³² numbers and folds "
                    f"them into {MORGAN_BITS} bits, so one bit can stand for several pieces."
                )
            elif len(self.environments[bit]) > 1:
                note = (
                    f"Bit {bit}: the same substructure, found {len(self.environments[bit])} "
                    "times (all highlighted)."
                )
        atoms, bonds = sorted(atoms), sorted(bonds)
        self.drawing.value = molecule_svg(self.mol, atoms, bonds)
        self.bit_note.value = f'<div style="color:#555">{html.escape(note)}</div>' if note else ""
        marker = trace(self.figure, "chosen-bit")
        with self.figure.batch_update():
            marker.x = [] if bit == NO_BIT else [bit % GRID]
            marker.y = [] if bit == NO_BIT else [bit // GRID]
        self.highlighted_atoms = atoms

    # -- drawing ----------------------------------------------------------------------
    def _draw(self) -> None:
        cells = self.bits.astype(int)
        if self.compare_bits is not None:
            cells = cells + 2 * self.compare_bits.astype(int)
        with self.figure.batch_update():
            trace(self.figure, "bits").z = cells.reshape(GRID, GRID)
        self._show_bit()
        self.summary.value = self._summary_html()

    def _summary_html(self) -> str:
        def swatch(i: int) -> str:
            return f'<span style="color:{CELL_COLOURS[i]};font-size:1.3em">■</span>'

        text = f"{swatch(1)} <b>{int(self.bits.sum())}</b> of {MORGAN_BITS} bits on"
        if self.compare_bits is not None:
            from rdkit import Chem

            shared = int(np.count_nonzero(self.bits & self.compare_bits))
            similarity = tanimoto(self.bits, self.compare_bits)
            text += (
                f" · {swatch(2)} comparison only · {swatch(3)} shared: <b>{shared}</b>"
                f"<br>Tanimoto similarity <b>{similarity:.3f}</b> "
                f"({html.escape(Chem.MolToSmiles(self.compare_mol))})"
            )
        return f'<div style="font-size:1.1em">{text}</div>'
