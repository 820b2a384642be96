"""Under-/overfitting with polynomials, and a network trained epoch by epoch."""

import numpy as np
import pytest
from mendeleev import element

from featurize.errors import FeaturizeError
from featurize.fitting import (
    DEFAULT_LEARNING_RATE,
    MAX_DEGREE,
    complexity_curve,
    fit_polynomial,
    predict_curve,
    rmse,
    train_network,
    transition_metal_melting,
)


@pytest.fixture(scope="module")
def data():
    return transition_metal_melting()


def test_the_data_are_the_transition_metals(data):
    assert len(data.x) == 30 and len(data.test) == 9
    assert data.names[:3] == ("Sc", "Ti", "V") and data.names[-1] == "Hg"
    tungsten = data.names.index("W")
    assert data.x[tungsten] == 6
    assert data.y[tungsten] == pytest.approx(element("W").melting_point)
    assert sorted(np.concatenate([data.train, data.test])) == list(range(30))


def test_polynomial_is_the_least_squares_polynomial(data):
    fit = fit_polynomial(2, data)
    # independent: numpy's least-squares polynomial on the training points
    coefficients = np.polyfit(data.x[data.train], data.y[data.train], 2)
    expected = np.polyval(coefficients, data.x)
    np.testing.assert_allclose(fit.model.predict(data.x[:, None]), expected, rtol=1e-8)
    assert fit.train_rmse == pytest.approx(rmse(data.y[data.train], expected[data.train]))
    assert fit.test_rmse == pytest.approx(
        np.sqrt(np.mean((data.y[data.test] - expected[data.test]) ** 2))
    )


def test_train_error_never_rises_with_the_degree(data):
    train, test = complexity_curve(data=data)
    assert len(train) == MAX_DEGREE + 1
    assert np.all(np.diff(train) <= 1e-9 * train[0])
    # under: a constant misses the trend; the parabola is the best held-out model
    assert np.argmin(test) in (2, 3)
    assert test[0] > 1.5 * test[2]


def test_high_degree_overfits(data):
    fit = fit_polynomial(MAX_DEGREE, data)
    assert fit.test_rmse > fit.train_rmse
    assert fit.test_rmse > fit_polynomial(2, data).test_rmse


def test_ridge_shrinks_the_fit(data):
    plain, ridge = fit_polynomial(MAX_DEGREE, data), fit_polynomial(MAX_DEGREE, data, 10.0)
    assert ridge.train_rmse > plain.train_rmse
    assert np.abs(ridge.model[-1].coef_).sum() < np.abs(plain.model[-1].coef_).sum()


def test_degree_out_of_range_is_a_user_error():
    with pytest.raises(FeaturizeError, match="degree"):
        fit_polynomial(MAX_DEGREE + 1)
    with pytest.raises(FeaturizeError, match="ridge"):
        fit_polynomial(2, ridge_alpha=-1)


def losses(learning_rate, epochs=300):
    return [e.train_loss for e in train_network(learning_rate, epochs)]


def test_network_loss_decreases_over_epochs(data):
    epochs = list(train_network(DEFAULT_LEARNING_RATE, 300))
    train = np.array([e.train_loss for e in epochs])
    assert [e.epoch for e in epochs] == list(range(1, 301))
    # plain full-batch gradient descent with a small step: every epoch lowers the loss
    assert np.all(np.diff(train) <= 1e-12)
    assert train[-1] < 0.5 * train[0]
    last = epochs[-1]
    # the loss is the MSE on the standardized targets, computed here independently
    y_mean, y_std = data.y[data.train].mean(), data.y[data.train].std()
    predicted = predict_curve(last.network, data.x[data.train], data)
    assert last.train_loss == pytest.approx(
        np.mean(((predicted - y_mean) / y_std - (data.y[data.train] - y_mean) / y_std) ** 2)
    )


def test_too_large_a_learning_rate_is_visibly_worse():
    good = losses(DEFAULT_LEARNING_RATE)
    seen = []
    with pytest.raises(FeaturizeError, match="too large"):
        for epoch in train_network(1.0, 300):
            seen.append(epoch.train_loss)
    assert max(seen) > 1e6 * good[-1]  # it climbs before it runs off to infinity


def test_too_small_a_learning_rate_is_slow():
    assert losses(1e-3)[-1] > 2 * losses(DEFAULT_LEARNING_RATE)[-1]


def test_learning_rate_out_of_range_is_a_user_error():
    with pytest.raises(FeaturizeError, match="learning rate"):
        next(train_network(10.0))
