"""The Gaussian log-likelihood against the slide's formula and scipy; the MLE maximizes it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import featurize
from featurize import FeaturizeError, gaussian_log_likelihood, gaussian_mle, sample_data


def slide_formula(x, mu, sigma):
    """L(μ, σ | x) = Σ_i [−log σ − ½ log 2π − (x_i − μ)² / (2σ²)]."""
    return sum(
        -np.log(sigma) - 0.5 * np.log(2 * np.pi) - (xi - mu) ** 2 / (2 * sigma**2) for xi in x
    )


def test_sample_is_the_slides_and_reproducible():
    x = sample_data()
    assert x.shape == (30,)
    np.testing.assert_array_equal(x, sample_data(seed=42))
    np.testing.assert_array_equal(x, np.random.default_rng(42).normal(5.0, 1.2, size=30))
    assert not np.array_equal(x, sample_data(seed=43))
    assert (featurize.SAMPLE_SIZE, featurize.SAMPLE_MEAN, featurize.SAMPLE_STD) == (30, 5.0, 1.2)
    assert featurize.RANDOM_SEED == 42


@settings(max_examples=50, deadline=None)
@given(mu=st.floats(-10, 20), sigma=st.floats(0.05, 10))
def test_log_likelihood_equals_formula_and_scipy(mu, sigma):
    x = sample_data()
    value = gaussian_log_likelihood(x, mu, sigma)
    assert value == pytest.approx(slide_formula(x, mu, sigma), rel=1e-12)
    assert value == pytest.approx(np.sum(stats.norm.logpdf(x, mu, sigma)), rel=1e-12)


def test_mle_is_mean_and_population_std():
    x = sample_data()
    mu, sigma = gaussian_mle(x)
    assert mu == pytest.approx(np.mean(x))
    assert sigma == pytest.approx(np.std(x, ddof=0))


def test_mle_maximizes_the_likelihood():
    x = sample_data()
    mu, sigma = gaussian_mle(x)
    best = gaussian_log_likelihood(x, mu, sigma)
    grid_mu, grid_sigma = np.meshgrid(np.linspace(3, 7, 81), np.linspace(0.5, 3, 81))
    grid = [
        gaussian_log_likelihood(x, m, s)
        for m, s in zip(grid_mu.ravel(), grid_sigma.ravel(), strict=True)
    ]
    assert best >= max(grid) - 1e-12
    for dmu, dsigma in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)]:
        assert gaussian_log_likelihood(x, mu + dmu, sigma + dsigma) < best


@pytest.mark.parametrize("sigma", [0, -1.0, float("nan")])
def test_nonpositive_sigma_raises(sigma):
    with pytest.raises(FeaturizeError, match="σ must be greater than 0"):
        gaussian_log_likelihood(sample_data(), 5.0, sigma)


def test_bad_sample_requests_raise():
    with pytest.raises(FeaturizeError):
        sample_data(n=0)
    with pytest.raises(FeaturizeError):
        sample_data(std=-1)
    with pytest.raises(FeaturizeError, match="at least two"):
        gaussian_mle([1.0])


def test_gaussian_pdf_is_the_normal_density_formula():
    from featurize.likelihood import gaussian_pdf

    x = np.linspace(-3, 9, 25)
    mu, sigma = 5.0, 1.2
    formula = np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(gaussian_pdf(x, mu, sigma), formula, rtol=1e-12)
    with pytest.raises(FeaturizeError, match="σ must be greater than 0"):
        gaussian_pdf(x, mu, 0.0)


def test_importing_the_panels_leaves_scipy_stats_and_dscribe_for_later():
    """Every demo kernel imports featurize.panels; only two pages need these heavy engines."""
    import subprocess
    import sys

    code = "import sys, featurize.panels; print('scipy.stats' in sys.modules, 'dscribe' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
