import pytest

import featurize as fz
from featurize.panels import (
    COULOMB_VARIANTS,
    ClassificationPanel,
    ClusteringPanel,
    ComplexityPanel,
    FingerprintPanel,
    LearningCurvePanel,
    LikelihoodPanel,
    MaterialsMapPanel,
    MixturePanel,
    NetworkPanel,
    StructurePanel,
)
from featurize.panels.question import PageQuestion

# Every panel class, built with its defaults (a structure panel needs a structure and a
# descriptor, a question its page): name → how to build it.
EVERY_PANEL = {
    "StructurePanel-soap": lambda: StructurePanel(
        fz.molecule("H2O"), descriptor=fz.soap, show_3d=False
    ),
    "StructurePanel-coulomb-variants": lambda: StructurePanel(
        fz.molecule("H2O"), descriptor=COULOMB_VARIANTS, show_3d=False
    ),
    "FingerprintPanel": FingerprintPanel,
    "LikelihoodPanel": LikelihoodPanel,
    "ClassificationPanel": ClassificationPanel,
    "ClusteringPanel": ClusteringPanel,
    "MixturePanel": MixturePanel,
    "ComplexityPanel": ComplexityPanel,
    "NetworkPanel": NetworkPanel,
    "MaterialsMapPanel": lambda: MaterialsMapPanel(show_3d=False),
    "LearningCurvePanel": LearningCurvePanel,
    "PageQuestion": lambda: PageQuestion("coulomb-matrix"),
}


# Built once per module: the map and the learning curve read QM9 into the data cache.
@pytest.fixture(scope="module", params=list(EVERY_PANEL))
def every_panel(request, cache):
    return EVERY_PANEL[request.param]()
