"""The interactive panels of the deck: ipywidgets + plotly + nglview on the compute layer."""

from . import _lean_imports  # noqa: F401  (first: before anything imports plotly)
from .fingerprint import FingerprintPanel
from .likelihood import LikelihoodPanel
from .structure import COULOMB_VARIANTS, StructurePanel
from .title import title_slide

__all__ = [
    "COULOMB_VARIANTS",
    "FingerprintPanel",
    "LikelihoodPanel",
    "StructurePanel",
    "title_slide",
]
