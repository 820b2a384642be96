"""Every number the slides show, defined once and used by notebooks, panels and tests."""

from types import MappingProxyType

# Section 5: the fingerprint demo.
DEMO_MOLECULES = MappingProxyType(
    {
        "Ethanol": "CCO",
        "Acetic acid": "CC(=O)O",
        "Benzene": "c1ccccc1",
        "Aspirin": "CC(=O)Oc1ccccc1C(=O)O",
        "Caffeine": "Cn1cnc2c1c(=O)n(C)c(=O)n2C",
    }
)
MORGAN_RADIUS = 2
MORGAN_BITS = 1024

# Section 9: SOAP settings (r_cut in Å, sigma in Å).
SOAP_R_CUT = 6.0
SOAP_N_MAX = 5
SOAP_L_MAX = 3
SOAP_SIGMA = 1.0

# Sections 8, 9 and 15: the crystals the structural demos offer besides water, built by
# ase.build.bulk as conventional cubic cells: name → (structure, lattice constant a in Å).
# Si and Cu: ASE's own reference values (ase.data.reference_states); NaCl: 5.64 Å at room
# temperature (Ashcroft & Mermin, Solid State Physics, Table 4.4).
DEMO_CRYSTALS = MappingProxyType(
    {"Si": ("diamond", 5.43), "NaCl": ("rocksalt", 5.64), "Cu": ("fcc", 3.61)}
)
# For the potential: a crystal at rest feels no force (by symmetry); shaken by ~0.05 Å, a
# fiftieth of a bond length, each atom feels a few tenths of an eV/Å.
CRYSTAL_RATTLE_STDEV = 0.05
CRYSTAL_RATTLE_SEED = 7

# Section 11: maximum likelihood by hand, 30 samples from N(5, 1.2²).
SAMPLE_SIZE = 30
SAMPLE_MEAN = 5.0
SAMPLE_STD = 1.2
RANDOM_SEED = 42

# Guards that keep a live demo responsive; a larger input gets a clear error instead.
MAX_SMILES_LENGTH = 500
MAX_EMBED_ATOMS = 200  # atoms (hydrogens included) that atoms_from_smiles will embed in 3-D
ATOM_ORDER_LIMIT = 24  # orders offered by atom_orders: all 6 for water, a sample for larger

# The title slide and the slides' footer: author, course, date, credit and licence. The
# lecture's title slide is Markdown (it shows before any code has run) and RISE's footer is
# notebook metadata: both repeat these, and tests/test_lecture.py checks that they match.
# The deck follows a lecture by P. De Angelis (Politecnico di Torino, 2025).
DECK = MappingProxyType(
    {
        "title": "Intro to Machine Learning in Materials Science",
        "subtitle": "A gentle introduction to material featurization and machine learning",
        "author": "The deck's contributors",
        "course": "Energy Materials, MSc",
        "date": "2026",
        "credit": (
            "After the lecture by P. De Angelis, Politecnico di Torino, course 02QZSND (2025)"
        ),
        "licence": "Code: BSD-3-Clause · text and figures: CC BY 4.0",
    }
)

# Okabe–Ito: distinguishable with every common form of colour blindness. The panels and
# the figure script (scripts/figure_style.py) draw with it.
PALETTE = MappingProxyType(
    {
        "blue": "#0072B2",
        "orange": "#E69F00",
        "green": "#009E73",
        "vermillion": "#D55E00",
        "sky": "#56B4E9",
        "purple": "#CC79A7",
        "yellow": "#F0E442",
        "black": "#000000",
        "grey": "#999999",
    }
)
