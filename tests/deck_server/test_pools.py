"""deck_server.pools: kernels kept ready per demo page."""

from pathlib import Path

import pytest

from deck_server.pools import kernel_pools_config, pool_sizes

DEMOS = Path(__file__).resolve().parents[2] / "notebooks" / "demos"


def test_pool_sizes_read_from_the_setting():
    assert pool_sizes("", DEMOS)["soap"] == 1
    assert pool_sizes("6", DEMOS)["likelihood"] == 6
    assert pool_sizes("soap=3", DEMOS)["soap"] == 3
    assert pool_sizes("soap=3", DEMOS)["likelihood"] == 1
    assert pool_sizes("0,soap=2", DEMOS) == {**dict.fromkeys(pool_sizes("", DEMOS), 0), "soap": 2}


def test_a_typo_is_refused_with_the_pages_one_may_name():
    with pytest.raises(ValueError, match="'sopa=3' is not PAGE=NUMBER with PAGE one of"):
        pool_sizes("sopa=3", DEMOS)


def test_only_the_demo_pages_have_pools():
    config = kernel_pools_config("2", DEMOS)
    assert config["default"] == {"pool_size": 0}
    assert config["demos/soap.ipynb"] == {"pool_size": 2}
