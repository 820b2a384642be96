"""The hypermaterial space made visible: every molecule a point, coloured by a property.

Choose the set, the descriptor Φ and the projection; click a point (or type a name or a
SMILES) to see that molecule in 3-D with its numbers.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
from ase import Atoms

from ..datasets import MoleculeSet, g2_set, qm9_set
from ..errors import FeaturizeError, InvalidSmilesError
from ..maps import MAP_DESCRIPTORS, PROJECTIONS, materials_map
from ..molecules import mol_from_smiles
from ..settings import MAX_SMILES_LENGTH
from ._base import PALETTE, Panel
from ._figure import FigureWidget, text_px, trace
from ._first_paint import REPLACES_WIDGETS
from ._progress import progress_bar, with_progress

Loader = Callable[[Callable[[int, int], None]], MoleculeSet]  # progress → the set
# The sets on offer: label → loader. QM9 is read from its CSVs once, then from the cache.
QM9_CHOICE, G2_CHOICE = "QM9, ≤ 7 heavy atoms (3921, DFT)", "G2 (148, experiment)"
MAP_DATASETS: dict[str, Loader] = {
    QM9_CHOICE: lambda progress: qm9_set(progress=progress),
    G2_CHOICE: lambda _progress: g2_set(),
}
# What the points can be coloured by: label → values per molecule.
MAP_COLOURS: dict[str, Callable[[MoleculeSet], np.ndarray]] = {
    "atomization energy (kcal/mol)": lambda s: s.atomization_energy,
    "atomization energy per atom (kcal/mol)": lambda s: s.atomization_energy / s.n_atoms,
    "number of atoms": lambda s: s.n_atoms,
    "heavy atoms (not H)": lambda s: s.heavy_atoms,
}
FIRST_SELECTED = ("CCO", "CH3CH2OH")  # ethanol, in QM9's and in G2's naming
AXIS_TITLES = {"PCA": "principal component {}", "t-SNE": "t-SNE axis {}"}


def _dataset_choices(
    dataset: str | MoleculeSet, descriptor: str, projection: str
) -> tuple[dict[str, Loader | MoleculeSet], str]:
    """The sets on offer (a set of one's own first) and the label of the one to show; a
    FeaturizeError for a set, descriptor or projection there is none of."""
    datasets = dict(MAP_DATASETS)
    if isinstance(dataset, MoleculeSet):
        datasets = {dataset.label: dataset, **datasets}
        dataset = dataset.label
    for value, choices, what in [
        (dataset, datasets, "dataset"),
        (descriptor, MAP_DESCRIPTORS, "descriptor"),
        (projection, PROJECTIONS, "projection"),
    ]:
        if value not in choices:
            raise FeaturizeError(
                f"Unknown {what} {value!r}; choose one of {', '.join(map(repr, choices))}."
            )
    return datasets, dataset


class MaterialsMapPanel(Panel):
    """A 2-D map of a molecule set's descriptors; a chosen point is shown in 3-D.

    dataset: a label of MAP_DATASETS, or a MoleculeSet of your own (added to the choices).
    Attributes for driving it: dataset_choice, descriptor_choice, projection_choice,
    colour_choice, search (a name or SMILES), select(index).
    """

    def __init__(
        self,
        dataset: str | MoleculeSet = QM9_CHOICE,
        descriptor: str = "coulomb_eigenvalues",
        projection: str = "PCA",
        *,
        show_3d: bool = True,
    ) -> None:
        super().__init__()
        self.datasets, dataset = _dataset_choices(dataset, descriptor, projection)
        self.show_3d = show_3d
        self._build_controls(dataset, descriptor, projection)
        self.readout = widgets.HTML(layout={"width": "380px"})
        self.view = None
        self.view_box = widgets.Box(layout={"width": "380px", "min_height": "360px"})
        self.figure = self._build_figure()
        trace(self.figure, "molecules").on_click(self._on_click)
        self._nothing_drawn_yet(dataset)
        self.dataset_choice.observe(self._on_dataset_choice, names="value")
        for control in (self.descriptor_choice, self.projection_choice):
            control.observe(self._on_map_choice, names="value")
        self.colour_choice.observe(self._recolour, names="value")
        self.search.observe(self._on_search, names="value")
        self._on_dataset_choice()
        self._lay_out()

    def _build_controls(self, dataset: str, descriptor: str, projection: str) -> None:
        """The set, descriptor, projection and colour choices, the search box and the
        progress bar of a long computation."""
        self.dataset_choice = widgets.Dropdown(
            options=list(self.datasets), value=dataset, description="molecules"
        )
        self.descriptor_choice = widgets.Dropdown(
            options=[(label, key) for key, label in MAP_DESCRIPTORS.items()],
            value=descriptor,
            description="descriptor Φ",
        )
        self.projection_choice = widgets.ToggleButtons(
            options=list(PROJECTIONS),
            value=projection,
            tooltips=["principal component analysis (linear)", "t-SNE: keeps neighbours close"],
        )
        self.colour_choice = widgets.Dropdown(options=list(MAP_COLOURS), description="colour")
        self.search = widgets.Text(
            description="find",
            placeholder="a name (CH4) or a SMILES (CCO)",
            continuous_update=False,
        )
        for control in (self.dataset_choice, self.descriptor_choice, self.colour_choice):
            control.layout.width = "27em"
            control.style.description_width = "7em"
        self.projection_choice.style.button_width = "7em"
        self.search.style.description_width = "4em"
        self.search.layout.width = "22em"
        self.progress = progress_bar("computing")

    @staticmethod
    def _build_figure() -> FigureWidget:
        """Traces: "molecules" (a point each) and "chosen" (a ring around the chosen one)."""
        figure = FigureWidget()
        figure.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker={
                "size": 6,
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"thickness": 14, "title": {"side": "right"}},
                "line": {"width": 0},
            },
            hovertemplate="%{text}<br>%{marker.color:.4g}<extra></extra>",
            name="molecules",
            uid="molecules",
        )
        figure.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker={
                "size": 18,
                "symbol": "circle-open",
                "color": PALETTE["vermillion"],
                "line": {"width": 3},
            },
            hoverinfo="skip",
            name="chosen",
            uid="chosen",
        )
        figure.update_layout(
            width=620,
            height=520,
            margin={"l": 60, "r": 10, "t": 72, "b": 50},  # a title of two lines
            showlegend=False,
            title={"font": {"size": text_px(14)}},
            plot_bgcolor="#FAFAFA",
            hovermode="closest",  # hover and click pick the point under the mouse
        )
        return figure

    def _nothing_drawn_yet(self, dataset_label: str) -> None:
        self.dataset: MoleculeSet | None = None
        self.coordinates: np.ndarray | None = None
        self.selected: int | None = None
        self.shown_atoms: Atoms | None = None  # the molecule in the 3-D view and readout
        self._dataset_label = dataset_label
        self._drawn: tuple[str, str] | None = None  # (descriptor, projection) on the map
        self._canonical: dict[str, int] | None = None

    def _lay_out(self) -> None:
        controls = widgets.HBox(
            [
                widgets.VBox([self.dataset_choice, self.descriptor_choice, self.colour_choice]),
                widgets.VBox([self.projection_choice, self.search, self.progress]),
            ]
        )
        details = widgets.VBox([self.view_box, self.readout])
        self.widget = widgets.VBox([controls, widgets.HBox([self.figure, details]), self.message])

    # -- the map --------------------------------------------------------------------------
    def _on_dataset_choice(self, _change=None) -> None:
        label = self.dataset_choice.value
        source = self.datasets[label]
        try:
            dataset = (
                source if isinstance(source, MoleculeSet) else with_progress(self.progress, source)
            )
        except FeaturizeError as error:
            if self.dataset is None and label != G2_CHOICE:
                # nothing drawn yet: fall back on G2, which ASE always carries
                self.dataset_choice.value = G2_CHOICE
            elif self.dataset is not None:
                self.dataset_choice.value = self._dataset_label  # the set still shown
            self.show_message(str(error))
            return
        self.datasets[label] = dataset  # loaded once per panel
        self.dataset, self._dataset_label = dataset, label
        self._canonical = None
        self.selected = None
        self._on_map_choice()

    def _on_map_choice(self, _change=None) -> None:
        if self.dataset is None:
            return
        try:
            coordinates = with_progress(
                self.progress,
                lambda progress: materials_map(
                    self.dataset,
                    self.descriptor_choice.value,
                    self.projection_choice.value,
                    progress=progress,
                ),
            )
        except FeaturizeError as error:
            if self._drawn is not None:  # back to the choices the map still shows
                self.descriptor_choice.value, self.projection_choice.value = self._drawn
            self.show_message(str(error))
            return
        self.clear_message()
        self._drawn = (self.descriptor_choice.value, self.projection_choice.value)
        self.coordinates = coordinates
        self._draw()
        self.select(self._first_choice() if self.selected is None else self.selected)

    def _draw(self) -> None:
        method = self.projection_choice.value
        with self.figure.batch_update():
            points = trace(self.figure, "molecules")
            points.x, points.y = self.coordinates[:, 0], self.coordinates[:, 1]
            points.text = [html.escape(d) for d in self.dataset.descriptions]
            self._recolour()
            self.figure.layout.xaxis.title.text = AXIS_TITLES[method].format(1)
            self.figure.layout.yaxis.title.text = AXIS_TITLES[method].format(2)
            self.figure.layout.title.text = (
                f"{html.escape(self.dataset.label)}:<br>"
                f"{MAP_DESCRIPTORS[self.descriptor_choice.value]}, {method}"
            )

    def _recolour(self, _change=None) -> None:
        if self.dataset is None:
            return
        label = self.colour_choice.value
        points = trace(self.figure, "molecules")
        points.marker.color = np.asarray(MAP_COLOURS[label](self.dataset), dtype=float)
        points.marker.colorbar.title.text = label

    @property
    def colour_values(self) -> np.ndarray:
        """The numbers the points are coloured by, one per molecule."""
        return np.asarray(trace(self.figure, "molecules").marker.color, dtype=float)

    # -- one molecule -------------------------------------------------------------------
    def select(self, index: int) -> None:
        """Show molecule number `index` of the set: ringed on the map, in 3-D, its numbers."""
        if self.dataset is None or self.coordinates is None:
            return
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            self.show_message(f"Choose a molecule by its number (0 to {len(self.dataset) - 1}).")
            return
        if not 0 <= index < len(self.dataset):
            self.show_message(
                f"There is no molecule number {index}: this set has {len(self.dataset)}, "
                f"numbered 0 to {len(self.dataset) - 1}."
            )
            return
        self.clear_message()
        self.selected = int(index)
        x, y = self.coordinates[self.selected]
        with self.figure.batch_update():
            chosen = trace(self.figure, "chosen")
            chosen.x, chosen.y = [float(x)], [float(y)]
        atoms = self.dataset.molecules[self.selected]
        if atoms is not self.shown_atoms:  # a new map of the same molecule keeps its view
            self._show_3d(atoms)
        self.shown_atoms = atoms
        self.readout.value = self._describe(self.selected, atoms)

    def _show_3d(self, atoms: Atoms) -> None:
        if not self.show_3d:
            return
        from ._view import structure_view  # nglview on first use: a map without 3-D needs none

        setattr(self.dataset_choice, REPLACES_WIDGETS, True)  # another set: another molecule
        old, self.view = self.view, structure_view(atoms)
        self.view_box.children = (self.view,)
        if old is not None:
            old.close()

    def _describe(self, index: int, atoms: Atoms) -> str:
        energy = float(self.dataset.atomization_energy[index])
        rows = [
            ("formula", atoms.get_chemical_formula()),
            ("atoms", f"{len(atoms)} ({int(np.count_nonzero(atoms.numbers > 1))} not H)"),
            ("atomization energy", f"{energy:.1f} kcal/mol"),
            ("per atom", f"{energy / len(atoms):.1f} kcal/mol"),
        ]
        table = "".join(
            f"<tr><td style='padding-right:1em;color:#555'>{name}</td><td><b>{html.escape(value)}"
            "</b></td></tr>"
            for name, value in rows
        )
        title = html.escape(self.dataset.descriptions[index])
        return f"<div style='font-size:1.05em'><b>{title}</b><table>{table}</table></div>"

    def _first_choice(self) -> int:
        for name in FIRST_SELECTED:
            if name in self.dataset.names:
                return self.dataset.names.index(name)
        return 0

    def _on_click(self, _trace, points, _state) -> None:
        if points.point_inds:
            self.select(int(points.point_inds[0]))

    def _on_search(self, _change=None) -> None:
        text = self.search.value.strip()
        if not text:
            return
        try:
            index = self.find(text)
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.select(index)

    def find(self, text: str) -> int:
        """The number of the molecule with this name (G2: "CH4") or SMILES (any spelling)."""
        if len(text) > MAX_SMILES_LENGTH:  # quoted in the message below: keep that short
            raise FeaturizeError(
                f"That is {len(text)} characters long; a name or SMILES here has at most "
                f"{MAX_SMILES_LENGTH}. Try a molecule's name, or click a point on the map."
            )
        names = self.dataset.names
        if text in names:
            return names.index(text)
        try:
            canonical = _canonical_smiles(mol_from_smiles(text))
        except InvalidSmilesError as error:
            canonical, reason = None, str(error).split(": ", 1)[-1]
        if canonical is not None:
            found = self._canonical_index().get(canonical)
            if found is not None:
                return found
            reason = "no molecule of the set has that structure."
        # only now ignore case: in a SMILES, lower case means aromatic
        by_upper = {name.upper(): i for i, name in enumerate(names)}
        if text.upper() in by_upper:
            return by_upper[text.upper()]
        raise FeaturizeError(
            f"{text!r} is neither a name in {self.dataset.label} nor a SMILES of one of its "
            f"molecules: {reason} Try another, or click a point on the map."
        )

    def _canonical_index(self) -> dict[str, int]:
        """RDKit's canonical SMILES of each molecule → its number (names that parse)."""
        if self._canonical is None:
            self._canonical = {}
            for i, name in enumerate(self.dataset.names):
                try:
                    self._canonical.setdefault(_canonical_smiles(mol_from_smiles(name)), i)
                except FeaturizeError:
                    continue  # a G2 name such as "CH2_s1A1d" is no SMILES
        return self._canonical


def _canonical_smiles(mol) -> str:
    from rdkit import Chem

    return Chem.MolToSmiles(mol)
