"""The interactive panels of the deck: ipywidgets + plotly + nglview on the compute layer."""

from . import (
    _lean_imports,  # noqa: F401  (first: before anything imports plotly)
    _nglview_version,  # noqa: F401  (before anything imports nglview)
)
from .classification import ClassificationPanel
from .clustering import ClusteringPanel, MixturePanel
from .fingerprint import FingerprintPanel
from .fitting import ComplexityPanel, NetworkPanel
from .learning_curve import LearningCurvePanel
from .likelihood import LikelihoodPanel
from .materials_map import MaterialsMapPanel
from .structure import COULOMB_VARIANTS, COULOMB_VARIANTS_WITH_PERIODIC, StructurePanel
from .title import title_slide

__all__ = [
    "COULOMB_VARIANTS",
    "COULOMB_VARIANTS_WITH_PERIODIC",
    "ClassificationPanel",
    "ClusteringPanel",
    "ComplexityPanel",
    "FingerprintPanel",
    "LearningCurvePanel",
    "LikelihoodPanel",
    "MaterialsMapPanel",
    "MixturePanel",
    "NetworkPanel",
    "StructurePanel",
    "title_slide",
]
