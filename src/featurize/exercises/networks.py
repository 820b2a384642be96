"""Workbook 6, neural networks: a neuron, a forward pass, gradient descent, the learning rate.

The references are scikit-learn's MLPRegressor (its own forward pass) and LinearRegression
(the minimum that gradient descent should reach).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from .. import fitting
from ..errors import FeaturizeError
from ._feedback import Mistake, array, close, exercise, fmt, number

# 6.1: one neuron with three inputs.
NEURON_INPUTS = np.array(
    [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, -1.0], [0.5, -0.5, 2.0], [-1.0, 2.0, 0.3]]
)
NEURON_WEIGHTS = np.array([0.8, -0.4, 0.3])
NEURON_BIAS = 0.1
# 6.2, 6.4: the demo's network, trained this many epochs.
EPOCHS = 300
# 6.3: plain gradient descent on a straight line.
DESCENT_RATE = 0.1
DESCENT_EPOCHS = 200
# 6.4
LEARNING_RATES = (0.01, 0.1, 1.0)


def _one_neuron_network():
    """scikit-learn's MLPRegressor with one tanh unit carrying the exercise's weights and an
    output layer that passes it through unchanged."""
    from sklearn.neural_network import MLPRegressor

    network = MLPRegressor(hidden_layer_sizes=(1,), activation="tanh")
    network.partial_fit(NEURON_INPUTS, np.zeros(len(NEURON_INPUTS)))  # sets up the layers
    network.coefs_ = [NEURON_WEIGHTS[:, None].copy(), np.ones((1, 1))]
    network.intercepts_ = [np.array([NEURON_BIAS]), np.zeros(1)]
    return network


@exercise(
    "6.1",
    "neuron_output",
    "The weighted sum is NEURON_INPUTS @ NEURON_WEIGHTS + NEURON_BIAS, one number per row; "
    "the activation is np.tanh of it.",
)
def one_neuron(neuron_output: Any) -> str:
    expected = _one_neuron_network().predict(NEURON_INPUTS)
    mine = array(neuron_output, "neuron_output", expected.shape)
    if np.allclose(mine, expected, atol=1e-9):
        return (
            "Right: your outputs are those of scikit-learn's MLPRegressor holding one tanh "
            "neuron with these weights. Row 0 (all inputs 0) gives tanh(bias) = "
            f"{math.tanh(NEURON_BIAS):.3f}: the bias moves the threshold."
        )
    summed = NEURON_INPUTS @ NEURON_WEIGHTS + NEURON_BIAS
    slips = {
        "this is the weighted sum without the activation: apply np.tanh": summed,
        "you left out the bias": np.tanh(NEURON_INPUTS @ NEURON_WEIGHTS),
        "that is the logistic sigmoid; this neuron uses tanh": 1 / (1 + np.exp(-summed)),
        "that is ReLU; this neuron uses tanh": np.maximum(summed, 0),
    }
    for slip, values in slips.items():
        if np.allclose(mine, values, atol=1e-9):
            raise Mistake(f"Your outputs are {np.round(mine, 3).tolist()}: {slip}.")
    i = int(np.argmax(np.abs(mine - expected)))
    raise Mistake(f"For input row {i} the neuron gives {expected[i]:.4f}; yours is {fmt(mine[i])}.")


@lru_cache(maxsize=1)
def trained_network():
    """The demo's network after EPOCHS epochs at the default learning rate."""
    *_, last = fitting.train_network(epochs=EPOCHS)
    return last.network


def network_inputs() -> np.ndarray:
    """Standardized inputs (one column), as the network sees them: −2 … 2."""
    return np.linspace(-2, 2, 9)[:, None]


@exercise(
    "6.2",
    "my_predictions",
    "network.coefs_ and network.intercepts_ hold each layer's weights and biases. Hidden "
    "layer: h = np.tanh(x @ W1 + b1), shape (9, 16); output: h @ W2 + b2, one column.",
)
def forward_pass(my_predictions: Any) -> str:
    network = trained_network()
    x = network_inputs()
    expected = network.predict(x)
    given = np.asarray(my_predictions, dtype=float)
    mine = array(
        given.ravel() if given.shape == (len(x), 1) else given, "my_predictions", expected.shape
    )
    if np.allclose(mine, expected, atol=1e-9):
        return (
            f"Right: your forward pass is MLPRegressor.predict. Sixteen tanh units, "
            f"{network.coefs_[0].size + network.coefs_[1].size + 17} numbers in all, and that is "
            "the whole model: training only chose the numbers."
        )
    (w1, w2), (b1, b2) = network.coefs_, network.intercepts_
    hidden = np.tanh(x @ w1 + b1)
    slips = {
        "you left out the output layer's bias": (hidden @ w2).ravel(),
        "you left out the hidden layer's biases": (np.tanh(x @ w1) @ w2 + b2).ravel(),
        "you applied tanh to the output too; the output layer is linear": np.tanh(
            hidden @ w2 + b2
        ).ravel(),
        "you skipped the activation of the hidden layer": ((x @ w1 + b1) @ w2 + b2).ravel(),
    }
    for slip, values in slips.items():
        if np.allclose(mine, values, atol=1e-9):
            raise Mistake(f"Close, but {slip}.")
    i = int(np.argmax(np.abs(mine - expected)))
    raise Mistake(
        f"At x = {x[i, 0]:.1f} the network predicts {expected[i]:.4f}; yours is {fmt(mine[i])}."
    )


def descent_data() -> tuple[np.ndarray, np.ndarray]:
    """(x, y): the melting-point training data, both standardized (mean 0, variance 1)."""
    data = fitting.transition_metal_melting()
    x, y = data.x[data.train], data.y[data.train]
    return (x - x.mean()) / x.std(), (y - y.mean()) / y.std()


@exercise(
    "6.3",
    "slope, intercept and losses",
    "Start from slope = intercept = 0. Each epoch: errors = slope * x + intercept - y; "
    "loss = np.mean(errors**2); the gradient is (2 * np.mean(errors * x), 2 * np.mean(errors)); "
    "step against it: slope -= DESCENT_RATE * gradient[0], and so for the intercept.",
)
def gradient_descent(slope: Any, intercept: Any, losses: Any) -> str:
    from sklearn.linear_model import LinearRegression

    x, y = descent_data()
    best = LinearRegression().fit(x[:, None], y)
    best_loss = float(np.mean((best.predict(x[:, None]) - y) ** 2))
    history = array(losses, "losses", (DESCENT_EPOCHS,))
    if not close(history[0], float(np.mean(y**2)), 1e-6):
        raise Mistake(
            f"The first loss, with slope = intercept = 0, is the mean of y², {np.mean(y**2):.3f}; "
            f"yours is {fmt(history[0])}. Record the loss before each step."
        )
    rises = np.flatnonzero(np.diff(history) > 1e-12)
    if rises.size:
        raise Mistake(
            f"Your loss rises from epoch {rises[0]} to {rises[0] + 1} ({history[rises[0]]:.4f} → "
            f"{history[rises[0] + 1]:.4f}): with this small step it should only fall. Step "
            "against the gradient (θ ← θ − η∇L), and check the factor 2."
        )
    found = (number(slope, "slope"), number(intercept, "intercept"))
    target = (float(best.coef_[0]), float(best.intercept_))
    for name, mine, want in zip(("slope", "intercept"), found, target, strict=True):
        if not close(mine, want, 1e-4, 1e-6):
            raise Mistake(
                f"After {DESCENT_EPOCHS} epochs the {name} should have reached least squares' "
                f"{want:.4f} (LinearRegression); yours is {fmt(mine)}."
            )
    if not close(history[-1], best_loss, 1e-4):
        raise Mistake(
            f"Your slope and intercept are right, but your last loss, {history[-1]:.4f}, is not "
            f"least squares' {best_loss:.4f}: compute each loss from that epoch's parameters."
        )
    return (
        f"Right: gradient descent reached LinearRegression's line (slope {target[0]:.3f}) and "
        f"its loss {best_loss:.3f}. A straight line cannot follow melting points that rise and "
        "fall across a row: that is what the network's hidden layer is for."
    )


@lru_cache(maxsize=1)
def _final_losses() -> dict[float, float]:
    result = {}
    for rate in LEARNING_RATES:
        try:
            *_, last = fitting.train_network(learning_rate=rate, epochs=EPOCHS)
            result[rate] = last.train_loss
        except FeaturizeError:
            result[rate] = math.inf
    return result


@exercise(
    "6.4",
    "final_loss",
    "Loop over LEARNING_RATES; inside try: run fitting.train_network(learning_rate=rate, "
    "epochs=EPOCHS) to the end and keep the last epoch's train_loss; except "
    "FeaturizeError: store float('inf').",
)
def learning_rates(final_loss: Any) -> str:
    expected = _final_losses()
    if not hasattr(final_loss, "keys"):
        raise Mistake(
            f"`final_loss` should be a dict keyed by learning rate; it is {type(final_loss).__name__}."
        )
    for rate, want in expected.items():
        if rate not in final_loss:
            raise Mistake(f"`final_loss` has no entry for the learning rate {rate}.")
        try:
            mine = float(final_loss[rate])
        except (TypeError, ValueError):
            raise Mistake(
                f"final_loss[{rate}] should be a number; it is {final_loss[rate]!r}."
            ) from None
        if math.isinf(want):
            if not math.isinf(mine):
                raise Mistake(
                    f"At learning rate {rate} the training diverges (the loss runs off to "
                    f"infinity): store float('inf'), not {fmt(mine)}."
                )
            continue
        if not close(mine, want, 1e-6):
            raise Mistake(
                f"At learning rate {rate} the last training loss is {want:.4f}; yours is {fmt(mine)}."
            )
    finite = {rate: loss for rate, loss in expected.items() if math.isfinite(loss)}
    diverged = [rate for rate, loss in expected.items() if math.isinf(loss)]
    return (
        "Right: "
        + ", ".join(f"η = {rate}: loss {loss:.3f}" for rate, loss in finite.items())
        + (f"; η = {', '.join(map(str, diverged))} diverges" if diverged else "")
        + ". Too small a step crawls, too large a step overshoots the valley and climbs out."
    )
