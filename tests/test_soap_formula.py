# ruff: noqa: E741  (l is the angular quantum number, as on the slide)
"""DScribe's SOAP against the slide's formulas, computed here by numerical integration.

For a molecule on the z axis only m = 0 survives, and the angular integral of a
Gaussian has a closed form, so every c^Z_nl0 is a 1-D radial integral:
  ρ^Z(r) = Σ_i exp(−|r − R_i|² / 2σ²)                                (the density)
  c^Z_nlm = ∫ g_nl(r) Y_lm(θ, φ) ρ^Z(r) dV                            (the expansion)
  p^{Z1 Z2}_{n n' l} = π √(8/(2l+1)) Σ_m (c^{Z1}_nlm)* c^{Z2}_{n'lm}    (the power spectrum)
with DScribe's orthonormalised GTO radial basis g_nl(r) = r^l Σ_k β_lnk exp(−α_lk r²).
The structure average ("outer") is the mean over centres of each centre's spectrum.
"""

import numpy as np
import pytest
from ase import Atoms
from ase.data import atomic_numbers
from dscribe.descriptors import SOAP
from scipy.integrate import quad
from scipy.special import spherical_in

from featurize import SOAP_L_MAX, SOAP_N_MAX, SOAP_R_CUT, SOAP_SIGMA, soap

ETA = 1 / (2 * SOAP_SIGMA**2)
ALPHAS, BETAS = SOAP(
    species=["H"], r_cut=SOAP_R_CUT, n_max=SOAP_N_MAX, l_max=SOAP_L_MAX
).get_basis_gto(SOAP_R_CUT, SOAP_N_MAX, SOAP_L_MAX)


def radial_basis(n: int, l: int, r: float) -> float:
    return r**l * sum(BETAS[l, n, k] * np.exp(-ALPHAS[l, k] * r * r) for k in range(SOAP_N_MAX))


def coefficient(n: int, l: int, z: float) -> float:
    """c_nl0 of one Gaussian at height z above the centre.

    ∫ Y_l0 exp(2η r R cos θ) dΩ = √((2l+1)/4π) · 4π i_l(2ηrR), i_l the modified spherical
    Bessel function; a Gaussian below the centre (z < 0) picks up (−1)^l.
    """
    norm = np.sqrt((2 * l + 1) / (4 * np.pi))
    distance = abs(z)
    if distance == 0 and l > 0:  # the centre's own Gaussian is spherical: l = 0 only
        return 0.0

    def integrand(r: float) -> float:
        # i_0(x) → 1 as x → 0, which is the centre's own term
        angular = spherical_in(l, 2 * ETA * r * distance)
        return r * r * radial_basis(n, l, r) * np.exp(-ETA * (r * r + distance**2)) * angular

    sign = 1 if z >= 0 else (-1) ** l
    return sign * 4 * np.pi * norm * quad(integrand, 0, 30, limit=200)[0]


def expected_soap(symbols: list[str], heights: list[float]) -> np.ndarray:
    """The averaged power spectrum of a linear molecule, laid out as DScribe lays it out."""
    species = sorted(set(symbols), key=atomic_numbers.__getitem__)
    spectra = []
    for centre in heights:
        c = {z: np.zeros((SOAP_L_MAX + 1, SOAP_N_MAX)) for z in species}
        for symbol, height in zip(symbols, heights, strict=True):
            for l in range(SOAP_L_MAX + 1):
                for n in range(SOAP_N_MAX):
                    c[symbol][l, n] += coefficient(n, l, height - centre)
        vector = []
        for i, z1 in enumerate(species):
            for z2 in species[i:]:
                for l in range(SOAP_L_MAX + 1):
                    for n in range(SOAP_N_MAX):
                        for n2 in range(n if z1 == z2 else 0, SOAP_N_MAX):
                            vector.append(
                                np.pi * np.sqrt(8 / (2 * l + 1)) * c[z1][l, n] * c[z2][l, n2]
                            )
        spectra.append(vector)
    return np.mean(spectra, axis=0)


@pytest.mark.parametrize(
    "symbols, heights",
    [(["H", "H"], [0.0, 0.74]), (["H", "F"], [0.0, 0.92]), (["C", "O"], [0.0, 1.13])],
    ids=["H2", "HF", "CO"],
)
def test_soap_equals_the_slide_formulas(symbols, heights):
    molecule = Atoms(symbols, positions=[(0, 0, h) for h in heights])
    expected = expected_soap(symbols, heights)
    computed = soap(molecule)
    assert computed.shape == expected.shape
    np.testing.assert_allclose(computed, expected, rtol=1e-6, atol=1e-10 * np.abs(expected).max())
