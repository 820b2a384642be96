"""The test suite's own set-up (tests/conftest.py)."""

import pytest


def test_the_parallel_run_keeps_its_groups_together(request):
    """pytest-xdist marks a grouped test's id with its group. Without that it spreads the
    tests one by one and every worker starts its own servers and builds its own data: the
    suite still passes, twice as slowly (pytest-xdist#1386, with pytest 9.2)."""
    if not getattr(request.config.option, "loadgroup", False):  # set in xdist's workers
        pytest.skip("not a parallel run with --dist loadgroup (pytest -n 0)")
    assert request.node.nodeid.endswith("@test_suite"), (
        "pytest-xdist ignored the test groups: install the pytest of constraints.txt"
    )
