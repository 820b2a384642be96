"""Under- and overfitting, and a small neural network trained epoch by epoch.

The data: melting points of the 30 transition metals of periods 4–6 (Sc–Zn, Y–Cd,
La and Hf–Hg, from mendeleev) against their group, 3–12 — the number of s + d valence
electrons. Melting points rise to the middle of each row and fall again (Friedel's
picture: bonding d states fill first, then antibonding ones), so a parabola is the
physics and higher polynomials fit the noise. scikit-learn does all fitting; it and
mendeleev are imported on first use.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import FeaturizeError
from .settings import RANDOM_SEED

FIT_TEST_FRACTION = 0.3  # 9 of the 30 metals held out
FIT_SEED = RANDOM_SEED
DEFAULT_DEGREE = 2  # Friedel's parabola
MAX_DEGREE = 9  # ten distinct groups: degree 9 already passes through every group's mean

# The network: one hidden layer of tanh units trained by plain gradient descent on the
# standardized data (full batch, no momentum: θ ← θ − η ∇θ ℒ once per epoch), where ℒ is
# scikit-learn's loss: half the MSE plus a small L2 penalty on the weights (MLPRegressor's
# default alpha = 1e-4). A variant of the slide's rule, not exactly it.
HIDDEN_UNITS = 16
DEFAULT_LEARNING_RATE = 0.1
LEARNING_RATE_RANGE = (1e-3, 1.0)
NETWORK_EPOCHS = 1000


@dataclass(frozen=True)
class Curve1D:
    """A 1-D regression data set with its fixed train/test split."""

    x: np.ndarray
    y: np.ndarray
    names: tuple[str, ...]
    train: np.ndarray  # indices
    test: np.ndarray
    x_label: str
    y_label: str


@lru_cache(maxsize=1)
def transition_metal_melting() -> Curve1D:
    """Melting point (K) against group for the transition metals of periods 4–6."""
    from mendeleev.fetch import fetch_table
    from sklearn.model_selection import train_test_split

    elements = fetch_table("elements").set_index("atomic_number")
    # the lanthanides after La are f-block, Hg (Z 80) closes period 6's d row
    metals = elements[(elements["block"] == "d") & (elements["period"].between(4, 6))]
    metals = metals[metals.index <= 80]
    melting = fetch_table("phasetransitions").groupby("atomic_number")["melting_point"].max()
    x = metals["group_id"].to_numpy(dtype=float)
    y = melting.loc[metals.index].to_numpy(dtype=float)
    train, test = train_test_split(
        np.arange(len(x)), test_size=FIT_TEST_FRACTION, random_state=FIT_SEED
    )
    for array in (x, y):
        array.setflags(write=False)  # cached and shared
    return Curve1D(
        x=x,
        y=y,
        names=tuple(metals["symbol"]),
        train=np.sort(train),
        test=np.sort(test),
        x_label="group (s + d valence electrons)",
        y_label="melting point (K)",
    )


def rmse(y_true: np.ndarray, y_predicted: np.ndarray) -> float:
    """Root-mean-square error, in the units of y."""
    difference = np.asarray(y_true, dtype=float) - np.asarray(y_predicted, dtype=float)
    return float(np.sqrt(np.mean(difference**2)))


@dataclass(frozen=True)
class PolynomialFit:
    """A fitted polynomial and its errors (RMSE, in the units of y)."""

    degree: int
    model: Any  # the fitted scikit-learn Pipeline
    train_rmse: float
    test_rmse: float


def fit_polynomial(
    degree: int, data: Curve1D | None = None, ridge_alpha: float = 0.0
) -> PolynomialFit:
    """Least-squares polynomial of the given degree through the training points.

    x is standardized first, so high powers stay well conditioned; ridge_alpha > 0 adds
    scikit-learn's Ridge penalty (alpha · Σ coefficient²), 0 is plain LinearRegression.
    """
    from sklearn.linear_model import LinearRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    data = transition_metal_melting() if data is None else data
    if int(degree) != degree or not 0 <= degree <= MAX_DEGREE:
        raise FeaturizeError(
            f"The degree must be a whole number from 0 to {MAX_DEGREE}, not {degree!r}."
        )
    if ridge_alpha < 0:
        raise FeaturizeError(f"The ridge penalty must be ≥ 0, not {ridge_alpha!r}.")
    regression = Ridge(alpha=ridge_alpha) if ridge_alpha > 0 else LinearRegression()
    model = make_pipeline(StandardScaler(), PolynomialFeatures(int(degree)), regression)
    x = data.x[:, None]
    model.fit(x[data.train], data.y[data.train])
    return PolynomialFit(
        degree=int(degree),
        model=model,
        train_rmse=rmse(data.y[data.train], model.predict(x[data.train])),
        test_rmse=rmse(data.y[data.test], model.predict(x[data.test])),
    )


def complexity_curve(
    degrees: range = range(MAX_DEGREE + 1), data: Curve1D | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test RMSE for each degree: the under-/overfitting picture."""
    fits = [fit_polynomial(degree, data) for degree in degrees]
    return np.array([f.train_rmse for f in fits]), np.array([f.test_rmse for f in fits])


# -- a small neural network ------------------------------------------------------------
@dataclass(frozen=True)
class Epoch:
    """The network after `epoch` passes over the training data; losses are the MSE
    (1/N) Σ (y_i − ŷ_i)² on the standardized melting points (1 = the data's variance)."""

    epoch: int
    train_loss: float
    test_loss: float
    network: Any  # the scikit-learn MLPRegressor, still training: predict() via predict_curve


def _standardize(data: Curve1D) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float, float]]:
    # statistics of the training points only: the test points stay unseen
    x_mean, x_std = data.x[data.train].mean(), data.x[data.train].std()
    y_mean, y_std = data.y[data.train].mean(), data.y[data.train].std()
    return (data.x - x_mean) / x_std, (data.y - y_mean) / y_std, (x_mean, x_std, y_mean, y_std)


def train_network(
    learning_rate: float = DEFAULT_LEARNING_RATE,
    epochs: int = NETWORK_EPOCHS,
    data: Curve1D | None = None,
    seed: int = RANDOM_SEED,
) -> Iterator[Epoch]:
    """Train an MLPRegressor one epoch at a time (partial_fit), yielding after each.

    Raises FeaturizeError when the learning rate is so large that the weights run off
    to infinity; the epochs yielded before show the loss climbing.
    """
    from sklearn.neural_network import MLPRegressor

    data = transition_metal_melting() if data is None else data
    low, high = LEARNING_RATE_RANGE
    if not low <= learning_rate <= high:
        raise FeaturizeError(f"Choose a learning rate from {low} to {high}, not {learning_rate!r}.")
    if int(epochs) != epochs or epochs < 1:
        raise FeaturizeError(f"The number of epochs must be a whole number ≥ 1, not {epochs!r}.")
    x, y, _ = _standardize(data)
    x = x[:, None]
    network = MLPRegressor(
        hidden_layer_sizes=(HIDDEN_UNITS,),
        activation="tanh",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=learning_rate,
        random_state=seed,
    )
    for epoch in range(1, int(epochs) + 1):
        try:
            with warnings.catch_warnings():
                # overflow on the way to infinity: reported below, in words
                warnings.simplefilter("ignore", RuntimeWarning)
                network.partial_fit(x[data.train], y[data.train])
        except ValueError as error:
            if "non-finite" not in str(error):
                raise
            raise _diverged(learning_rate, epoch) from error
        with np.errstate(over="ignore", invalid="ignore"):
            train_loss = float(np.mean((network.predict(x[data.train]) - y[data.train]) ** 2))
            test_loss = float(np.mean((network.predict(x[data.test]) - y[data.test]) ** 2))
        if not (np.isfinite(train_loss) and np.isfinite(test_loss)):
            raise _diverged(learning_rate, epoch)
        yield Epoch(epoch=epoch, train_loss=train_loss, test_loss=test_loss, network=network)


def _diverged(learning_rate: float, epoch: int) -> FeaturizeError:
    return FeaturizeError(
        f"Learning rate {learning_rate:g} is too large: the loss ran off to infinity in epoch "
        f"{epoch}. Try a smaller one."
    )


def predict_curve(network: Any, grid: np.ndarray, data: Curve1D | None = None) -> np.ndarray:
    """The network's prediction at x = grid, in the data's own units (K)."""
    data = transition_metal_melting() if data is None else data
    _, _, (x_mean, x_std, y_mean, y_std) = _standardize(data)
    scaled = (np.asarray(grid, dtype=float)[:, None] - x_mean) / x_std
    return network.predict(scaled) * y_std + y_mean
