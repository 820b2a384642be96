"""The interactive panels of the deck: ipywidgets + plotly + nglview on the compute layer."""

from . import _patches  # noqa: F401  (first: patches before plotly, nglview or any widget)
from ._figure import for_slides
from .classification import ClassificationPanel
from .clustering import ClusteringPanel, MixturePanel
from .fingerprint import FingerprintPanel
from .fitting import ComplexityPanel, NetworkPanel
from .learning_curve import LearningCurvePanel
from .likelihood import LikelihoodPanel
from .materials_map import MaterialsMapPanel
from .structure import COULOMB_VARIANTS, COULOMB_VARIANTS_WITH_PERIODIC, StructurePanel

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
    "for_slides",
]
