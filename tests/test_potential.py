"""The universal potential (SevenNet-0, the optional 'foundation' extra) and its panel.

Tests that need the extra carry the `foundation` mark: without the extra they skip, saying
how to install it, unless the run requires it (`make test-foundation`, which CI runs after
installing it). The model loads once per session.
"""

import functools
import os
import socket
import sys

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

import featurize as fz
from featurize import potential
from featurize.errors import PotentialUnavailableError
from featurize.panels import StructurePanel
from featurize.panels._figure import trace
from featurize.panels.structure import ARROW_LENGTH

needs_extra = pytest.mark.foundation
FORCES_EQUAL_WITHIN = 1e-5  # eV/Å: float32 round-off (measured ≈ 3e-6 for water)
ANGLES = [(30, -75, 170), (0, 0, 90), (-120, 45, 10)]


@pytest.fixture(scope="module")
def crystal():
    """Rocksalt NaCl, 8 atoms, shaken so that the forces are not zero by symmetry."""
    atoms = bulk("NaCl", "rocksalt", a=5.64, cubic=True)
    atoms.rattle(0.05, seed=7)
    return atoms


@pytest.fixture(params=["water", "crystal"])
def structure(request, crystal):
    return fz.molecule("H2O") if request.param == "water" else crystal.copy()


@pytest.fixture
def without_the_extra(monkeypatch):
    """As if the extra were not installed: importing sevenn fails."""
    for name in ("sevenn", "sevenn.calculator"):  # not torch: SciPy looks it up in sys.modules
        monkeypatch.setitem(sys.modules, name, None)
    # a fresh, empty cache in place of the loaded model, which comes back afterwards
    fresh = functools.lru_cache(maxsize=1)(potential._calculator.__wrapped__)
    monkeypatch.setattr(potential, "_calculator", fresh)


@needs_extra
def test_the_model_loads_from_the_package_quietly_and_offline(monkeypatch, capfd):
    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    potential._calculator.cache_clear()  # the session's first load, if this test runs first
    potential.energy_and_forces(fz.molecule("H2O"))
    assert capfd.readouterr() == ("", "")
    import sevenn

    assert os.path.isfile(os.path.join(os.path.dirname(sevenn.__file__), *potential.CHECKPOINT))


@needs_extra
@pytest.mark.parametrize("angles", ANGLES)
def test_energy_is_invariant_under_rotation(structure, angles):
    energy = potential.potential_energy(structure)
    turned = potential.potential_energy(fz.rotate(structure, angles))
    assert abs(turned - energy) <= potential.ENERGY_ROUND_OFF_EV  # 1e-5 eV


@needs_extra
@pytest.mark.parametrize("angles", ANGLES)
def test_forces_turn_with_the_structure(structure, angles):
    """Equivariance: F(R·x) = R·F(x), to float32 round-off."""
    rotation = fz.rotation_matrix(angles)
    forces = potential.forces(structure)
    assert np.abs(forces).max() > 1e-2  # not trivially zero
    np.testing.assert_allclose(
        potential.forces(fz.rotate(structure, angles)),
        forces @ rotation.T,
        atol=FORCES_EQUAL_WITHIN,
    )


@needs_extra
def test_forces_sum_to_zero(structure):
    """Translation invariance: the energy does not change when every atom moves alike."""
    energy, forces = potential.energy_and_forces(structure)
    assert forces.shape == (len(structure), 3)
    np.testing.assert_allclose(forces.sum(axis=0), 0.0, atol=FORCES_EQUAL_WITHIN)
    shifted = structure.copy()
    shifted.translate([0.3, -1.1, 2.0])
    assert abs(potential.potential_energy(shifted) - energy) <= potential.ENERGY_ROUND_OFF_EV


@needs_extra
def test_forces_follow_the_atom_order():
    water, order = fz.molecule("H2O"), [2, 0, 1]
    np.testing.assert_allclose(
        potential.forces(fz.permute(water, order)), potential.forces(water)[order], atol=1e-6
    )


@needs_extra
def test_forces_are_minus_the_energy_gradient():
    water, step = fz.molecule("H2O"), 1e-3  # Å
    moved = water.copy()
    moved.positions[1, 1] += step
    back = water.copy()
    back.positions[1, 1] -= step
    slope = (potential.potential_energy(moved) - potential.potential_energy(back)) / (2 * step)
    assert potential.forces(water)[1, 1] == pytest.approx(-slope, abs=2e-3)


@needs_extra
def test_an_element_the_model_never_saw_is_a_clear_error():
    with pytest.raises(fz.FeaturizeError, match="do not include Og"):
        potential.forces(Atoms("Og", positions=[[0, 0, 0]]))


def test_a_periodic_structure_without_a_cell_is_refused():
    water = fz.molecule("H2O")
    water.pbc = True
    with pytest.raises(fz.FeaturizeError, match="no full 3-D cell"):
        potential.forces(water)


# -- the panel -----------------------------------------------------------------------
def heatmap(panel):
    return np.array(trace(panel.figure, "descriptor").z, dtype=float)


@needs_extra
def test_the_panel_turns_the_forces_and_keeps_the_energy():
    water = fz.molecule("H2O")
    panel = StructurePanel(water, descriptor=potential.forces)
    energy = potential.potential_energy(water)
    assert panel.scalar == pytest.approx(energy)
    assert f"E = <b>{energy:.5f} eV</b>" in panel.readout.value
    assert list(trace(panel.figure, "descriptor").x) == ["Fx", "Fy", "Fz"]
    assert list(trace(panel.figure, "descriptor").y) == ["O0", "H1", "H2"]
    np.testing.assert_allclose(heatmap(panel), potential.forces(water), atol=1e-12)

    panel.rotation_z.value = 60
    rotation = fz.rotation_matrix((0, 0, 60))
    np.testing.assert_allclose(
        heatmap(panel), potential.forces(water) @ rotation.T, atol=FORCES_EQUAL_WITHIN
    )
    assert abs(panel.scalar - energy) <= potential.ENERGY_ROUND_OFF_EV
    assert "(unchanged)</span></div><div" in panel.readout.value.split("E = ")[1]
    assert "‖D − D₀‖" in panel.readout.value and panel.relative_distance > 0.1  # forces turned

    # the arrows start on the turned atoms and point along the turned forces
    starts, ends = panel.view._arrows
    turned = fz.rotate(water, (0, 0, 60))
    np.testing.assert_allclose(starts, turned.positions)
    directions = (ends - starts) / np.linalg.norm(ends - starts, axis=1, keepdims=True)
    forces = potential.forces(turned)
    np.testing.assert_allclose(
        directions, forces / np.linalg.norm(forces, axis=1, keepdims=True), atol=1e-4
    )
    assert np.linalg.norm(ends - starts, axis=1).max() == pytest.approx(ARROW_LENGTH, rel=1e-4)


@needs_extra
def test_the_panel_arrows_follow_the_original_atoms_when_reordered():
    water = fz.molecule("H2O")
    panel = StructurePanel(water, descriptor=potential.forces)
    ends = panel.view._arrows[1]
    panel.atom_order.value = (2, 0, 1)  # the heatmap's rows change, the 3-D view does not
    np.testing.assert_allclose(heatmap(panel), potential.forces(water)[[2, 0, 1]], atol=1e-6)
    np.testing.assert_allclose(panel.view._arrows[1], ends, atol=1e-5)
    # one arrow component at a time, however often the molecule turns
    for value in range(-180, 181, 45):
        panel.rotation_x.value = value
    shapes = [m for m in panel.view._ngl_msg_archive if m["methodName"] == "addShape"]
    assert len(shapes) == 1


def test_without_the_extra_the_functions_say_how_to_install_it(without_the_extra):
    with pytest.raises(PotentialUnavailableError) as caught:
        potential.energy_and_forces(fz.molecule("H2O"))
    message = str(caught.value)
    assert 'pip install -e ".[foundation]"' in message
    assert "pip install torch==2.13.0" in message
    assert isinstance(caught.value, fz.FeaturizeError) and isinstance(caught.value, ImportError)


def test_without_the_extra_the_panel_shows_the_message(without_the_extra):
    panel = StructurePanel(fz.molecule("H2O"), descriptor=potential.forces)
    assert "<code>pip install -e &quot;.[foundation]&quot;</code>" in panel.message.value
    assert "`" not in panel.message.value  # commands set as code, not raw backticks
    assert panel.plots.layout.display == "none"  # no blank plot beside the message
    assert panel.controls.layout.display == "none"  # nor sliders that move nothing
    panel.rotation_z.value = 30  # still no traceback
    assert "foundation" in panel.message.value


def test_without_the_extra_a_panel_can_switch_to_another_descriptor(without_the_extra):
    panel = StructurePanel(
        fz.molecule("H2O"), descriptor={"forces": potential.forces, "SOAP": fz.soap}, show_3d=False
    )
    assert "foundation" in panel.message.value
    panel.descriptor_choice.value = "SOAP"
    assert panel.message.value == "" and panel.plots.layout.display is None
    assert panel.controls.layout.display is None
    assert panel.relative_distance < 1e-8


@needs_extra
def test_the_panel_turns_a_crystal_with_its_cell(crystal):
    panel = StructurePanel(crystal, descriptor=potential.forces)
    energy = panel.scalar
    for angles in [(0, 0, 45), (30, -60, 90)]:
        for slider, value in zip(panel.sliders, angles, strict=True):
            slider.value = value
        assert abs(panel.scalar - energy) <= potential.ENERGY_ROUND_OFF_EV
        np.testing.assert_allclose(
            heatmap(panel),
            potential.forces(crystal) @ fz.rotation_matrix(angles).T,
            atol=FORCES_EQUAL_WITHIN,
        )
    assert "(unchanged)" in panel.readout.value.split("E = ")[1]


@needs_extra
def test_the_demo_page_turns_each_crystal_as_well_as_water():
    """potential.ipynb: water (out of distribution: SevenNet-0 learned periodic crystals)
    and the three rattled crystals (in distribution: MPtrj holds Si, NaCl and Cu)."""
    panel = StructurePanel(fz.demo_structures(rattled=True), descriptor=potential.forces)
    for label in ("Si (diamond)", "NaCl (rock salt)", "Cu (fcc)"):
        panel.structure_choice.value = label
        crystal = fz.demo_structures(rattled=True)[label]
        energy = potential.potential_energy(crystal)
        assert panel.scalar == pytest.approx(energy)
        assert panel.view._arrows is not None  # rattled: forces worth an arrow
        panel.rotation_x.value, panel.rotation_z.value = 35, -80
        assert abs(panel.scalar - energy) <= potential.ENERGY_ROUND_OFF_EV
        np.testing.assert_allclose(
            heatmap(panel),
            potential.forces(crystal) @ fz.rotation_matrix((35, 0, -80)).T,
            atol=FORCES_EQUAL_WITHIN,
        )
        assert "(changed)" in panel.readout.value.split("E = ")[0]  # the forces turned
        panel.rotation_x.value = panel.rotation_z.value = 0
