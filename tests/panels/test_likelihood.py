"""featurize.panels.likelihood: move μ and σ, read the model and its log-likelihood back."""

import numpy as np
import pytest
from scipy import stats

import featurize as fz
from featurize.panels import LikelihoodPanel
from featurize.panels._figure import trace


def test_likelihood_bar_equals_the_function():
    panel = LikelihoodPanel()
    data = fz.sample_data()
    for mu, sigma in [(4.0, 2.0), (5.5, 0.8), (3.2, 1.35)]:
        panel.mu.value, panel.sigma.value = mu, sigma
        assert panel.bar_value == pytest.approx(
            fz.gaussian_log_likelihood(data, mu, sigma), rel=1e-12
        )
        curve = np.array(trace(panel.figure, "model").y)
        np.testing.assert_allclose(curve, stats.norm.pdf(panel.grid, mu, sigma))


def test_jump_to_the_maximum():
    panel = LikelihoodPanel()
    panel.jump_button.click()
    mu, sigma = fz.gaussian_mle(fz.sample_data())
    assert (panel.mu.value, panel.sigma.value) == pytest.approx((mu, sigma), abs=1e-12)
    assert panel.log_likelihood == pytest.approx(panel.best)
    panel.mu.value += 0.5
    assert panel.log_likelihood < panel.best


def test_sigma_cannot_reach_zero():
    panel = LikelihoodPanel()
    panel.sigma.value = 0
    assert panel.sigma.value > 0 and np.isfinite(panel.log_likelihood)
