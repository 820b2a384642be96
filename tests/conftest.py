import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk

import featurize
from deck_server import hub as deck_hub
from deck_server.launch import CHROMIUM_FLAGS
from featurize import datasets, potential
from featurize.cache import CACHE_ENVIRONMENT_VARIABLE

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# Optional extras (pyproject.toml) and how to add each to .venv. A test that needs one is
# marked with its name; without the extra it skips with the command as its reason, unless
# the run asks for the extra (`--require-extra NAME`, as `make test-foundation` does), and
# then a missing extra fails the run instead of hiding the tests.
EXTRAS = {
    "foundation": (
        potential.potential_available,
        'make foundation (torch\'s CPU build, then pip install -e ".[foundation]")',
    ),
    # JupyterHub, its idle culler and its proxy (tests/hub/)
    "hub": (lambda: deck_hub.hub_available(ROOT), deck_hub.INSTALL),
}


# The quick bench's end-to-end run (tests/browser/test_bench.py) checks a tool, not the deck,
# and takes minutes of both cores: `make test-bench` runs it (CI does, after `make test`).
BENCH_RUN = "make test-bench"


def pytest_addoption(parser):
    parser.addoption(
        "--run-bench",
        action="store_true",
        help=f"run the tests marked 'bench' ({BENCH_RUN}), which skip otherwise",
    )
    parser.addoption(
        "--require-extra",
        action="append",
        default=[],
        choices=sorted(EXTRAS),
        help="fail, rather than skip, the tests of this optional extra when it is missing",
    )


def pytest_configure(config):
    # One thread per numerical library in the processes the tests start (pytest-xdist's
    # workers, kernels, servers): side by side on two cores, libraries that spin a thread
    # for every core wait on each other (scikit-learn's t-SNE took 30 s instead of 1).
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    for name, (_available, install) in EXTRAS.items():
        config.addinivalue_line("markers", f"{name}: needs the optional '{name}' extra: {install}")
    config.addinivalue_line("markers", f"bench: the benchmark run end to end ({BENCH_RUN})")


# Modules whose tests share nothing (each runs a notebook or draws a figure of its own).
SHARE_NOTHING = {"test_notebooks", "test_figures"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    # `make test` spreads the tests over the cores (pytest-xdist, --dist loadgroup), whole
    # groups at a time: the tests of the Voila server the browser tests share go to one
    # worker (one server, one Chromium), except the students' pages, a group of their own
    # (on the other worker they start a second server: one group alone took as long as
    # all the rest); the presenter's tests (test_present, test_projector) share one lecture
    # page; every other module stays whole, so that its module-scoped data (the
    # QM9 cache, a trained model) is built once.
    for item in items:
        module = item.path.stem
        if "voila_url" in item.fixturenames and module != "test_student_pages":
            group = "voila-server"
        elif "presenter_url" in item.fixturenames:
            group = "presenter"  # one presenter's server and lecture, for two modules
        elif module in SHARE_NOTHING:
            group = item.name  # one test at a time: they fill the gaps the long groups leave
        else:  # by path: tests/panels/test_fitting.py is not tests/test_fitting.py
            group = ".".join(item.path.relative_to(TESTS).with_suffix("").parts)
        item.add_marker(pytest.mark.xdist_group(group))
    if not config.getoption("run_bench"):
        skip = pytest.mark.skip(reason=f"the benchmark's own run: {BENCH_RUN}")
        for item in items:
            if "bench" in item.keywords:
                item.add_marker(skip)
    for name, (available, install) in EXTRAS.items():
        if available():
            continue
        if name in config.getoption("require_extra"):
            raise pytest.UsageError(
                f"the tests ask for the '{name}' extra, which is missing: {install}"
            )
        skip = pytest.mark.skip(reason=f"the optional '{name}' extra is not installed: {install}")
        for item in items:
            if name in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def water():
    return featurize.molecule("H2O")


@pytest.fixture
def ethanol():
    return featurize.atoms_from_smiles("CCO")


@pytest.fixture
def copper():
    return bulk("Cu", "fcc", a=3.6)


def random_rotation_angles(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-180, 180, size=3)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One data cache for the session's data tests (QM9 read from its CSVs once), set for a
    module that asks for it: `pytestmark = pytest.mark.usefixtures("cache")`."""
    directory = tmp_path_factory.getbasetemp() / "featurize-cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENVIRONMENT_VARIABLE, str(directory))
        yield directory


@pytest.fixture(scope="module")
def qm9(cache):
    return datasets.qm9_set()


# Debian's Chromium, one per worker, for tests/browser/ and tests/hub/.
@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:  # .ci/run installs it and checks, so CI never skips these
        pytest.skip("Debian's Chromium is needed for the browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
