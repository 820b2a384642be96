"""Workbook 2, likelihood: the Gaussian log-likelihood and its maximum, checked with SciPy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import likelihood
from ..settings import SAMPLE_MEAN, SAMPLE_STD
from ._feedback import Mistake, call, close, exercise, fmt, number

# 2.1: the (μ, σ) at which the student's log-likelihood is tried on the demo's sample.
TRIAL_PARAMETERS = ((5.0, 1.2), (4.0, 0.5), (6.5, 3.0))
# 2.3: sample sizes, each drawn with the deck's seed.
SAMPLE_SIZES = (10, 30, 100, 1000, 10000)


def _scipy_log_likelihood(x: np.ndarray, mu: float, sigma: float) -> float:
    from scipy import stats

    return float(np.sum(stats.norm.logpdf(x, loc=mu, scale=sigma)))


@exercise(
    "2.1",
    "log_likelihood",
    "Write the sum over the samples of −log σ − ½ log 2π − (x_i − μ)² / (2σ²) with numpy: "
    "np.log, np.pi and np.sum. It is the log of a product of densities, hence a sum.",
)
def log_likelihood_by_hand(log_likelihood: Any) -> str:
    x = likelihood.sample_data()
    n = len(x)
    for mu, sigma in TRIAL_PARAMETERS:
        expected = _scipy_log_likelihood(x, mu, sigma)
        mine = number(
            call(log_likelihood, "log_likelihood", x.copy(), mu, sigma),
            "log_likelihood(x, mu, sigma)",
        )
        if close(mine, expected, 1e-8):
            continue
        at = f"For μ = {mu}, σ = {sigma} on the {n} samples"
        if close(mine - expected, n * 0.5 * math.log(2 * math.pi), 1e-6):
            raise Mistake(
                f"{at} SciPy gives {expected:.2f}, yours is {mine:.2f}: the difference is "
                f"exactly {n}·½·log 2π, so the −½ log 2π term is missing."
            )
        if close(mine - expected, -n * math.log(sigma), 1e-6):
            raise Mistake(
                f"{at} SciPy gives {expected:.2f}, yours is {mine:.2f}: you wrote log σ² "
                "where the formula has log σ."
            )
        if close(mine, math.exp(expected), 1e-6, 1e-300):
            raise Mistake(
                f"{at} SciPy gives {expected:.2f}, yours is {fmt(mine)}: that is the product of "
                "the densities, the likelihood itself; take the sum of their logs instead."
            )
        raise Mistake(f"{at} SciPy's norm.logpdf summed gives {expected:.3f}; yours is {mine:.3f}.")
    return (
        f"Right: your function matches SciPy's norm.logpdf summed at {len(TRIAL_PARAMETERS)} "
        "parameter pairs. Higher means the data are more probable under that Gaussian."
    )


@exercise(
    "2.2",
    "mle",
    "Set the derivatives of the log-likelihood to zero: ∂/∂μ gives μ̂ = mean of x; ∂/∂σ gives "
    "σ̂² = (1/n) Σ (x_i − μ̂)². np.mean, and np.std with its default ddof=0.",
)
def maximum_likelihood(mle: Any) -> str:
    from scipy import stats

    for seed, size in ((42, 30), (7, 12)):
        x = likelihood.sample_data(size, seed=seed)
        expected_mu, expected_sigma = (float(v) for v in stats.norm.fit(x))
        result = call(mle, "mle", x.copy())
        if np.ndim(result) != 1 or len(result) != 2:
            raise Mistake(
                f"`mle(x)` should return two numbers (mu, sigma); it returned {result!r}."
            )
        mu, sigma = number(result[0], "mle(x)[0]"), number(result[1], "mle(x)[1]")
        if not close(mu, expected_mu, 1e-8):
            raise Mistake(
                f"For {size} samples μ̂ should be {expected_mu:.4f} (the sample mean); yours is "
                f"{mu:.4f}."
            )
        if close(sigma, float(np.std(x, ddof=1)), 1e-8):
            raise Mistake(
                f"σ̂ = {sigma:.4f} divides by n − 1 (the unbiased estimate); maximizing the "
                f"likelihood gives the 1/n version, {expected_sigma:.4f}."
            )
        if close(sigma, expected_sigma**2, 1e-8) and not close(expected_sigma, 1):
            raise Mistake(f"Your σ̂ = {sigma:.4f} is the variance; take its square root.")
        if not close(sigma, expected_sigma, 1e-8):
            raise Mistake(
                f"For {size} samples σ̂ should be {expected_sigma:.4f}; yours is {sigma:.4f}."
            )
    mu, sigma = likelihood.gaussian_mle(likelihood.sample_data())
    return (
        f"Right: μ̂ = {mu:.3f} and σ̂ = {sigma:.3f} for the demo's 30 samples, SciPy's "
        "norm.fit exactly; 'Jump to the maximum' on the likelihood panel lands on the same "
        f"point. The sample was drawn from N({SAMPLE_MEAN:g}, {SAMPLE_STD:g}²): thirty numbers "
        "pin the mean down better than the width (exercise 2.3)."
    )


@exercise(
    "2.3",
    "estimates",
    "For each n in SAMPLE_SIZES: x = fz.sample_data(n), then your mle(x). A dict comprehension "
    "{n: mle(fz.sample_data(n)) for n in check.SAMPLE_SIZES} does it in one line.",
)
def more_data(estimates: Any) -> str:
    if not hasattr(estimates, "keys"):
        raise Mistake(f"`estimates` should be a dict keyed by n; it is {type(estimates).__name__}.")
    widths = []
    for n in SAMPLE_SIZES:
        if n not in estimates:
            raise Mistake(f"`estimates` has no entry for n = {n}.")
        expected = likelihood.gaussian_mle(likelihood.sample_data(n))
        pair = estimates[n]
        if np.ndim(pair) != 1 or len(pair) != 2:
            raise Mistake(f"estimates[{n}] should be (mu, sigma); it is {pair!r}.")
        for name, mine, want in zip(("μ̂", "σ̂"), pair, expected, strict=True):
            if not close(number(mine, f"estimates[{n}]"), want, 1e-8):
                raise Mistake(
                    f"For n = {n} SciPy's fit gives {name} = {want:.4f}; yours is {fmt(float(mine))}. "
                    "Did you draw the sample with fz.sample_data(n) (the deck's seed)?"
                )
        widths.append(expected[1])
        mean_of_largest = expected[0]
    return (
        "Right. As n goes "
        + " → ".join(str(n) for n in SAMPLE_SIZES)
        + ", σ̂ goes "
        + " → ".join(f"{w:.2f}" for w in widths)
        + f" and μ̂ ends {abs(mean_of_largest - SAMPLE_MEAN):.3f} from the true {SAMPLE_MEAN:g}: "
        "the error shrinks roughly as σ/√n. More data, a narrower peak of the likelihood."
    )
