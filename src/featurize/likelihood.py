"""Maximum likelihood by hand: a Gaussian model for a small sample."""

from __future__ import annotations

import numpy as np

from .errors import FeaturizeError
from .settings import RANDOM_SEED, SAMPLE_MEAN, SAMPLE_SIZE, SAMPLE_STD


def _normal():
    """scipy's normal distribution, imported on first use: scipy.stats adds ~35 MB to a
    kernel, and only the likelihood demo needs it."""
    from scipy import stats

    return stats.norm


def _require_width(sigma: float) -> None:
    if not sigma > 0:
        raise FeaturizeError(f"σ must be greater than 0, not {sigma!r}: a Gaussian needs a width.")


def gaussian_pdf(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """The normal density N(μ, σ²) at x; sigma must be > 0."""
    _require_width(sigma)
    return _normal().pdf(np.asarray(x, dtype=float), loc=mu, scale=sigma)


def sample_data(
    n: int = SAMPLE_SIZE,
    mean: float = SAMPLE_MEAN,
    std: float = SAMPLE_STD,
    seed: int = RANDOM_SEED,
) -> np.ndarray:
    """n samples from N(mean, std²), the same numbers for the same seed."""
    if not isinstance(n, int) or n < 1 or not std > 0:
        raise FeaturizeError(f"Need a whole number n ≥ 1 and std > 0, not n={n!r}, std={std!r}.")
    return np.random.default_rng(seed).normal(mean, std, size=n)


def gaussian_log_likelihood(x: np.ndarray, mu: float, sigma: float) -> float:
    """L(μ, σ | x) = Σ_i [−log σ − ½ log 2π − (x_i − μ)² / (2σ²)]; sigma must be > 0."""
    _require_width(sigma)
    return float(np.sum(_normal().logpdf(np.asarray(x, dtype=float), loc=mu, scale=sigma)))


def gaussian_mle(x: np.ndarray) -> tuple[float, float]:
    """The maximum-likelihood (μ, σ): the sample mean and the standard deviation with 1/n."""
    values = np.asarray(x, dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise FeaturizeError("The maximum-likelihood fit needs at least two numbers.")
    mu, sigma = _normal().fit(values)
    return float(mu), float(sigma)
