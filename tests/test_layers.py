"""The compute layer stands alone: importing it pulls in no widget or plotting library.

And a demo page pays only for what it shows: the heavy engines a coordinates page never
calls (RDKit, DScribe, scipy) stay unimported until a page needs them.
"""

import io
import subprocess
import sys

import numpy as np
import pytest

import featurize

# Imported on first use only; each costs a demo kernel tens of MB.
LAZY_ENGINES = {"rdkit", "dscribe", "scipy", "sklearn", "mendeleev"}


def modules_loaded_by(code: str) -> str:
    """Which of LAZY_ENGINES a fresh Python process has imported after running `code`."""
    check = (
        "\nimport sys\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        f"print(sorted(loaded & set({sorted(LAZY_ENGINES)!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code + check], capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_compute_layer_imports_no_widgets():
    code = (
        "import sys, featurize\n"
        "banned = {'ipywidgets', 'plotly', 'nglview', 'matplotlib'} & set(sys.modules)\n"
        "print(sorted(banned))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_panels_know_no_server_and_the_server_package_no_compute():
    """featurize.panels reads the server's plotly contract (deck_server.plotly_bundle) and
    nothing else of it; importing deck_server loads neither tornado, Voila nor featurize."""
    code = (
        "import sys, featurize.panels, deck_server\n"
        "print(sorted({'tornado', 'voila', 'jupyter_server'} & set(sys.modules)))\n"
        "del sys.modules['deck_server']\n"
    )
    server_only = (
        "import sys, deck_server, deck_server.plotly_bundle\n"
        "print(sorted({'tornado', 'voila', 'featurize'} & set(sys.modules)))\n"
    )
    for program in (code, server_only):
        result = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == "[]"


def test_importing_the_panels_leaves_the_heavy_engines_unimported():
    assert modules_loaded_by("import featurize.panels") == "[]"


def test_the_coordinates_page_leaves_the_heavy_engines_unimported():
    code = (
        "import featurize as fz\n"
        "from featurize.panels import StructurePanel\n"
        "panel = StructurePanel(fz.molecule('H2O'), descriptor=fz.coordinates)\n"
        "for angle in range(0, 360, 45):\n"
        "    panel.rotation_z.value = angle\n"
    )
    assert modules_loaded_by(code) == "[]"


def test_a_page_without_a_3d_view_never_imports_nglview():
    """Importing nglview creates its widgets, whose browser code (1 MB) the page must then
    load: etc/jupyter/voila.py leaves that code out of pages that show no 3-D view."""
    code = (
        "import sys\n"
        "import featurize as fz\n"
        "from featurize.panels import LikelihoodPanel, StructurePanel\n"
        "LikelihoodPanel()\n"
        "StructurePanel(fz.molecule('H2O'), descriptor=fz.coordinates, show_3d=False)\n"
        "print('nglview' in sys.modules)\n"
        "StructurePanel(fz.molecule('H2O'), descriptor=fz.coordinates)\n"
        "print('nglview' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_smiles_functions_still_load_rdkit_when_called():
    code = "import featurize as fz\nfz.morgan_fingerprint('CCO')\n"
    assert "rdkit" in modules_loaded_by(code)


def test_g2_molecules_are_ases_own():
    """featurize.molecule reads ASE's G2 table (no ase.build, which imports scipy)."""
    from ase.build import molecule as ase_molecule
    from ase.collections import g2

    assert sorted(featurize.MOLECULE_NAMES) == sorted(g2.names)
    for name in featurize.MOLECULE_NAMES:
        ours, ases = featurize.molecule(name), ase_molecule(name)
        assert ours.get_chemical_symbols() == ases.get_chemical_symbols(), name
        np.testing.assert_array_equal(ours.positions, ases.positions)
        np.testing.assert_array_equal(
            ours.get_initial_magnetic_moments(), ases.get_initial_magnetic_moments()
        )
        assert sorted(ours.arrays) == sorted(ases.arrays) and not ours.pbc.any(), name
    assert len(featurize.molecule("C60")) == 60  # ASE's extra molecules still come from ASE


@pytest.mark.parametrize(
    "make",
    [
        lambda: featurize.molecule("H2O"),
        lambda: featurize.molecule("C6H6"),
        lambda: featurize.molecule("H"),
        lambda: featurize.atoms_from_smiles("c1ccccc1O"),
    ],
)
def test_the_3d_view_shows_what_ase_would_write(make):
    """The 3-D view's PDB text (no ase.io, which imports scipy) is ASE's, byte for byte."""
    from ase.io import write

    from featurize.panels._view import molecule_pdb

    atoms = featurize.rotate(make(), (-123.4, 56.7, 359.9))
    ase_text = io.StringIO()
    write(ase_text, atoms, format="proteindatabank")
    assert molecule_pdb(atoms) == ase_text.getvalue()


def test_a_crystal_is_written_by_ase(copper):
    from featurize.panels._view import molecule_pdb

    assert molecule_pdb(copper) is None


def test_public_names_exist():
    for name in featurize.__all__:
        assert hasattr(featurize, name), name
