"""The interactive panels of the deck: ipywidgets + plotly + nglview on the compute layer."""

from .fingerprint import FingerprintPanel
from .likelihood import LikelihoodPanel
from .structure import StructurePanel
from .title import title_slide

__all__ = ["FingerprintPanel", "LikelihoodPanel", "StructurePanel", "title_slide"]
