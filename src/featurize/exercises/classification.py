"""Workbook 4, classification: a baseline, tree depth against test score, a confusion matrix.

The references are scikit-learn's models and metrics on the classification demo's split.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from .. import classification
from ._feedback import Mistake, array, close, exercise, fmt, number

DEPTHS = tuple(range(1, classification.MAX_DEPTH + 1))
CONFUSION_DEPTH = classification.DEFAULT_DEPTH  # 4.4: the demo's tree


def data() -> tuple[classification.ElementTable, classification.Split]:
    """The elements and the demo's fixed train/test split."""
    table = classification.element_table()
    return table, classification.stratified_split(table)


@exercise(
    "4.1",
    "baseline",
    "Find the most common structure among the training labels (np.unique with "
    "return_counts=True), then the fraction of test labels equal to it.",
)
def majority_baseline(baseline: Any) -> str:
    table, split = data()
    majority, train_accuracy, test_accuracy = classification.majority_baseline(table, split)
    mine = number(baseline, "baseline")
    if close(mine, test_accuracy):
        return (
            f"Right: always answering '{majority}' is right for {test_accuracy:.0%} of the test "
            "elements. A model is worth something only above this line."
        )
    if close(mine, train_accuracy):
        raise Mistake(
            f"{mine:.3f} is the baseline on the training elements; score it on the "
            f"{len(split.test)} test elements."
        )
    if close(mine, 100 * test_accuracy):
        raise Mistake("That is a percentage; give the accuracy as a fraction from 0 to 1.")
    test_labels = table.labels[split.test]
    values, counts = np.unique(test_labels, return_counts=True)
    if close(mine, counts.max() / counts.sum()):
        raise Mistake(
            f"You took the most common structure among the test elements ('{values[counts.argmax()]}'); "
            "a baseline may only learn from the training elements."
        )
    raise Mistake(
        f"The most common training structure is '{majority}'; it is right for "
        f"{test_accuracy:.3f} of the test elements, your baseline is {fmt(mine)}."
    )


@lru_cache(maxsize=1)
def _scores() -> tuple[np.ndarray, np.ndarray]:
    table, split = data()
    results = [classification.train_classifier("tree", d, table=table, split=split) for d in DEPTHS]
    return (
        np.array([r.train_accuracy for r in results]),
        np.array([r.test_accuracy for r in results]),
    )


@exercise(
    "4.2",
    "train_scores and test_scores",
    "For each depth: model = classification.make_classifier('tree', depth); "
    "model.fit(X[split.train], y[split.train]); then model.score on the training rows and "
    "on the test rows.",
)
def depth_sweep(train_scores: Any, test_scores: Any) -> str:
    expected_train, expected_test = _scores()
    shape = (len(DEPTHS),)
    train = array(train_scores, "train_scores", shape)
    test = array(test_scores, "test_scores", shape)
    for name, mine, expected, other in (
        ("train_scores", train, expected_train, expected_test),
        ("test_scores", test, expected_test, expected_train),
    ):
        for depth, value, want in zip(DEPTHS, mine, expected, strict=True):
            if close(value, want):
                continue
            if np.allclose(mine, other):
                raise Mistake(f"Your {name} are the other list's values: swap the two.")
            raise Mistake(
                f"{name} at depth {depth}: scikit-learn gives {want:.3f}, yours is {fmt(value)}."
            )
    return (
        f"Right. Training accuracy climbs to {expected_train.max():.0%} (depth "
        f"{DEPTHS[int(np.argmax(expected_train))]} learns every training element by heart); "
        f"test accuracy peaks at {expected_test.max():.0%} and does not follow it."
    )


def _falls_at() -> int:
    _, test = _scores()
    for i in range(1, len(test)):
        if test[i] < test[i - 1]:
            return DEPTHS[i]
    raise AssertionError("the test accuracy never falls")  # the data would have changed


@exercise(
    "4.3",
    "falls_at",
    "Compare each depth's test score with the one before it: the first depth whose score is "
    "lower is the answer.",
)
def depth_where_test_falls(falls_at: Any) -> str:
    train, test = _scores()
    expected = _falls_at()
    mine = number(falls_at, "falls_at")
    best = DEPTHS[int(np.argmax(test))]
    if mine == expected:
        i = DEPTHS.index(expected)
        return (
            f"Right: from depth {expected - 1} to {expected} the test accuracy falls, "
            f"{test[i - 1]:.0%} → {test[i]:.0%}, while training accuracy still rises, "
            f"{train[i - 1]:.0%} → {train[i]:.0%}. The tree has begun to learn its training "
            "elements rather than the pattern: overfitting."
        )
    if mine == best:
        raise Mistake(
            f"Depth {best} has the best test score ({test.max():.0%}); the question is where it "
            "falls, at the next depth that scores lower."
        )
    full = DEPTHS[int(np.argmax(train >= 1))]
    if mine == full:
        raise Mistake(
            f"Depth {full} is where the training accuracy reaches 100%; the test accuracy "
            "fell before that."
        )
    raise Mistake(
        f"The test accuracies by depth are {', '.join(f'{s:.2f}' for s in test)}; at depth "
        f"{fmt(mine)} the score does not fall for the first time."
    )


@exercise(
    "4.4",
    "confusion",
    "Start from np.zeros((3, 3), dtype=int); for each test element add 1 at "
    "[index of its true structure, index of the predicted one], indices in "
    "classification.CRYSTAL_STRUCTURES order.",
)
def confusion_by_hand(confusion: Any) -> str:
    from sklearn.metrics import confusion_matrix

    table, split = data()
    result = classification.train_classifier("tree", CONFUSION_DEPTH, table=table, split=split)
    labels = list(classification.CRYSTAL_STRUCTURES)
    expected = confusion_matrix(table.labels[split.test], result.test_predictions, labels=labels)
    mine = array(confusion, "confusion", expected.shape)
    if np.array_equal(mine, expected):
        right = int(np.trace(expected))
        return (
            f"Right: scikit-learn's confusion_matrix. The diagonal holds the {right} of "
            f"{expected.sum()} test elements the tree gets right; each off-diagonal count says "
            "which structure was taken for which."
        )
    if np.array_equal(mine, expected.T):
        raise Mistake(
            "Your matrix is transposed: rows are the true structures, columns the predicted ones."
        )
    if mine.sum() != expected.sum():
        raise Mistake(
            f"Your counts add up to {fmt(mine.sum())}; there are {expected.sum()} test elements, "
            "each counted once."
        )
    i, j = (int(v) for v in np.argwhere(mine != expected)[0])
    raise Mistake(
        f"True {labels[i]}, predicted {labels[j]}: scikit-learn counts {expected[i, j]}, you "
        f"count {fmt(mine[i, j])}."
    )
