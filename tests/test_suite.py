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


def test_modules_of_one_name_in_two_folders_are_two_groups(request):
    """tests/panels/ mirrors featurize.panels, so its modules share names with the compute
    layer's (tests/test_fitting.py, tests/panels/test_fitting.py): each stays its own group."""
    groups = {}
    for item in request.session.items:
        for mark in item.iter_markers("xdist_group"):
            groups.setdefault(
                item.path.relative_to(request.config.rootpath).as_posix(), mark.args[0]
            )
    pair = ("tests/test_fitting.py", "tests/panels/test_fitting.py")
    if not all(path in groups for path in pair):
        pytest.skip("collect both modules named test_fitting.py to compare their groups")
    assert groups[pair[0]] == "test_fitting"
    assert groups[pair[1]] == "panels.test_fitting"


def test_the_benchmarks_own_run_is_left_to_make_test_bench(request):
    """`make test` skips the quick bench's end-to-end run, saying what runs it."""
    bench = [item for item in request.session.items if "bench" in item.keywords]
    if not bench:
        pytest.skip("collect tests/browser/test_bench.py to see how it is run")
    for item in bench:
        skips = [mark for mark in item.iter_markers("skip")]
        if request.config.getoption("run_bench"):
            assert not skips, item.nodeid
        else:
            assert skips and "make test-bench" in skips[0].kwargs["reason"], item.nodeid
