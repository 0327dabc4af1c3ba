"""The teaching datasets: shapes, determinism, balance, difficulty, and every refused argument."""

from __future__ import annotations

import doctest
import math
import re

import numpy as np
import pytest

from backprop_widgets.core import datasets
from backprop_widgets.core.datasets import (
    circles,
    gaussian_clusters,
    labels,
    moons,
    one_hot,
    spiral,
    split,
    xor,
)

# (id, generator, extra keyword arguments, number of classes)
GENERATORS = [
    ("xor", xor, {}, 2),
    ("circles", circles, {}, 2),
    ("moons", moons, {}, 2),
    ("spiral", spiral, {}, 2),
    ("spiral-k3", spiral, {"k": 3}, 3),
    ("spiral-k5", spiral, {"k": 5}, 5),
    ("gaussian_clusters", gaussian_clusters, {}, 3),
    ("gaussian_clusters-k2", gaussian_clusters, {"k": 2}, 2),
    ("gaussian_clusters-k6", gaussian_clusters, {"k": 6}, 6),
]
GEN_IDS = [g[0] for g in GENERATORS]
GEN_ARGS = [g[1:] for g in GENERATORS]


def linear_accuracy(X, T, degree=1):
    """Accuracy of a least-squares classifier on polynomial features of X up to `degree`."""
    columns = [np.ones(len(X))]
    for i in range(degree + 1):
        for j in range(degree + 1 - i):
            if i + j:
                columns.append(X[:, 0] ** i * X[:, 1] ** j)
    A = np.column_stack(columns)
    W, *_ = np.linalg.lstsq(A, T, rcond=None)
    return float(np.mean(labels(A @ W) == labels(T)))


def nearest_neighbour_accuracy(X, T):
    """Leave-one-out 1-NN accuracy: high when the labels follow the geometry, not chance."""
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    y = labels(T)
    return float(np.mean(y[D.argmin(axis=1)] == y))


# --- shapes, dtypes, ranges


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
@pytest.mark.parametrize("n", [1000, 37])
def test_shapes_and_dtypes(make, kw, k, n):
    X, T = make(n, **kw)
    assert X.shape == (n, 2)
    assert T.shape == ((n, 1) if k == 2 else (n, k))
    assert X.dtype == np.float64 and T.dtype == np.float64
    assert np.all(np.isfinite(X))
    assert X.flags.c_contiguous and T.flags.c_contiguous


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_centred_in_a_range_tanh_likes(make, kw, k):
    X, _ = make(2000, **kw)
    assert np.all(np.abs(X.mean(axis=0)) < 0.15)
    # "roughly [-1.5, 1.5]^2": the noise tails may poke a little further out
    assert np.quantile(np.abs(X), 0.99) < 1.6
    assert np.abs(X).max() < 2.2
    assert np.all(X.std(axis=0) > 0.2)  # spread out, not collapsed to a point


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_default_n_works(make, kw, k):
    X, T = make(**kw)
    assert X.shape[0] == T.shape[0] >= 200


# --- determinism


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_same_seed_gives_identical_arrays(make, kw, k):
    X1, T1 = make(150, seed=7, **kw)
    X2, T2 = make(150, seed=7, **kw)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(T1, T2)


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_default_seed_is_zero(make, kw, k):
    X1, T1 = make(50, **kw)
    X2, T2 = make(50, seed=0, **kw)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(T1, T2)


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_different_seeds_differ(make, kw, k):
    X1, T1 = make(150, seed=0, **kw)
    X2, T2 = make(150, seed=1, **kw)
    assert not np.array_equal(X1, X2)
    assert not np.array_equal(T1, T2)  # the shuffled order differs too


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_numpy_integer_arguments_are_accepted(make, kw, k):
    X1, T1 = make(np.int64(40), seed=np.uint8(3), **kw)
    X2, T2 = make(40, seed=3, **kw)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(T1, T2)


def test_seed_none_gives_fresh_randomness():
    X1, _ = moons(50, seed=None)
    X2, _ = moons(50, seed=None)
    assert not np.array_equal(X1, X2)


def test_noise_changes_points_but_not_labels():
    # the labels are drawn before the noise: more noise moves the same points further
    _, T1 = circles(100, noise=0.0, seed=3)
    _, T2 = circles(100, noise=0.3, seed=3)
    np.testing.assert_array_equal(T1, T2)


# --- classes: balance, label sets


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
@pytest.mark.parametrize("n", [300, 301, 97, 10])
def test_classes_are_balanced(make, kw, k, n):
    if n < k:
        pytest.skip("fewer points than classes")
    _, T = make(n, **kw)
    counts = np.bincount(labels(T), minlength=k)
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_label_sets(make, kw, k):
    _, T = make(200, **kw)
    assert set(np.unique(T).tolist()) == {0.0, 1.0}
    if k > 2:
        np.testing.assert_array_equal(T.sum(axis=1), np.ones(200))  # exactly one 1 per row
    assert set(labels(T).tolist()) == set(range(k))


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_rows_are_shuffled(make, kw, k):
    # a prefix is a fair sample: the first rows are not all one class
    _, T = make(400, **kw)
    assert len(set(labels(T[:40]).tolist())) == k


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_smallest_n_has_every_class(make, kw, k):
    X, T = make(k, **kw)
    assert X.shape == (k, 2)
    assert sorted(labels(T).tolist()) == list(range(k))


def test_xor_only_n_1_is_allowed():
    # xor has two classes but four corners: one point is still a valid (if dull) dataset
    X, T = xor(1)
    assert X.shape == (1, 2) and T.shape == (1, 1)


# --- geometry without noise: the documented shapes


def test_xor_geometry():
    X, T = xor(40, noise=0.0)
    assert set(map(tuple, X.tolist())) == {(1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)}
    np.testing.assert_array_equal(T[:, 0], (X[:, 0] * X[:, 1] < 0).astype(float))


def test_circles_geometry():
    X, T = circles(200, noise=0.0, factor=0.4)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[T[:, 0] == 1], 0.4)
    np.testing.assert_allclose(r[T[:, 0] == 0], 1.0)


def test_moons_geometry():
    X, T = moons(200, noise=0.0)
    X = X + np.array([0.5, 0.25])  # undo the centring: back to scikit-learn's make_moons
    upper, lower = X[T[:, 0] == 0], X[T[:, 0] == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5)


def test_spiral_geometry():
    X, T = spiral(300, k=3, noise=0.0, turns=1.0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1.25
    # on arm j the angle is 2 pi (j/k + r/1.25): recover j from each point
    s = r / 1.25
    angle = np.arctan2(X[:, 1], X[:, 0])
    arm = (angle / (2 * np.pi) - s) * 3
    arm_int = np.round(arm) % 3
    keep = r > 1e-9  # the angle of the origin is undefined
    np.testing.assert_allclose((arm - np.round(arm))[keep], 0.0, atol=1e-9)
    np.testing.assert_array_equal(arm_int[keep], labels(T)[keep])


def test_gaussian_clusters_geometry():
    X, T = gaussian_clusters(60, k=4, noise=0.0)
    y = labels(T)
    for j in range(4):
        centre = X[y == j]
        assert np.allclose(centre, centre[0])
        np.testing.assert_allclose(np.hypot(*centre[0]), 1.0)
    assert len({tuple(np.round(c, 9)) for c in X.tolist()}) == 4


# --- difficulty: what makes each one worth teaching with


@pytest.mark.parametrize(
    ("make", "kw"),
    [(xor, {}), (circles, {}), (spiral, {}), (spiral, {"k": 3})],
    ids=["xor", "circles", "spiral", "spiral-k3"],
)
def test_not_linearly_separable(make, kw):
    for seed in range(5):
        X, T = make(400, seed=seed, **kw)
        assert linear_accuracy(X, T) < 0.8, seed


def test_moons_need_a_curve():
    # a straight line gets most of the moons (about 85-90%, as with scikit-learn's make_moons)
    # but not the tips that reach into the other moon; a cubic boundary gets nearly all
    for seed in range(5):
        X, T = moons(400, seed=seed)
        linear = linear_accuracy(X, T)
        assert linear < 0.93, seed
        assert linear_accuracy(X, T, degree=3) >= 0.97, seed
        assert linear_accuracy(X, T, degree=3) - linear > 0.06, seed


@pytest.mark.parametrize(
    ("make", "kw"),
    [(xor, {}), (circles, {}), (moons, {}), (spiral, {}), (spiral, {"k": 3})],
    ids=["xor", "circles", "moons", "spiral", "spiral-k3"],
)
def test_labels_follow_the_geometry(make, kw):
    # at the default noise a nearest-neighbour rule is nearly perfect: the labels are learnable
    X, T = make(400, seed=2, **kw)
    assert nearest_neighbour_accuracy(X, T) > 0.9


@pytest.mark.parametrize("k", [2, 3, 5])
def test_gaussian_clusters_with_low_noise_are_linearly_separable(k):
    X, T = gaussian_clusters(600, k=k, noise=0.1, seed=4)
    assert linear_accuracy(X, T) >= 0.99


def test_gaussian_clusters_overlap_with_high_noise():
    X, T = gaussian_clusters(600, k=3, noise=1.0, seed=4)
    assert linear_accuracy(X, T) < 0.8


# --- labels and one_hot


def test_labels_of_binary_and_one_hot_targets():
    assert labels(np.array([[0.0], [1.0], [1.0]])).tolist() == [0, 1, 1]
    assert labels(np.eye(4)[[3, 1, 2]]).tolist() == [3, 1, 2]
    assert labels(np.array([[0.0], [1.0]])).dtype == np.int64


def test_labels_of_network_outputs():
    assert labels(np.array([[0.2], [0.5], [0.9]])).tolist() == [0, 1, 1]
    assert labels(np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])).tolist() == [1, 0]


def test_one_hot_round_trip():
    y = np.array([0, 2, 1, 2])
    T = one_hot(y, 3)
    assert T.dtype == np.float64 and T.shape == (4, 3)
    np.testing.assert_array_equal(labels(T), y)
    _, T2 = moons(20)
    np.testing.assert_array_equal(labels(one_hot(labels(T2), 2)), labels(T2))
    assert one_hot(np.array([], dtype=int), 2).shape == (0, 2)


# --- split


def test_split_shapes_and_pairing():
    X, T = spiral(101, k=3)
    X_train, T_train, X_val, T_val = split(X, T, fraction=0.2)
    assert X_train.shape == (81, 2) and T_train.shape == (81, 3)
    assert X_val.shape == (20, 2) and T_val.shape == (20, 3)
    # together they are the original rows, each once, with its own target
    rows = {tuple(x) + tuple(t) for x, t in zip(X.tolist(), T.tolist(), strict=True)}
    split_rows = [
        tuple(x) + tuple(t)
        for x, t in zip(
            np.vstack([X_train, X_val]).tolist(), np.vstack([T_train, T_val]).tolist(), strict=True
        )
    ]
    assert len(split_rows) == 101 and set(split_rows) == rows


def test_split_returns_copies():
    X, T = moons(10)
    X_before = X.copy()
    X_train, _, X_val, _ = split(X, T)
    X_train[:] = 99.0
    X_val[:] = 99.0
    np.testing.assert_array_equal(X, X_before)


def test_split_is_deterministic_per_seed():
    X, T = moons(100)
    a = split(X, T, seed=5)
    b = split(X, T, seed=5)
    c = split(X, T, seed=6)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[2], c[2])


@pytest.mark.parametrize(
    ("n", "fraction", "n_val"),
    [(10, 0.2, 2), (10, 0.01, 1), (10, 0.99, 9), (2, 0.5, 1), (2, 0.01, 1), (7, 0.5, 4)],
)
def test_split_sizes_keep_both_parts(n, fraction, n_val):
    X, T = np.arange(2.0 * n).reshape(n, 2), np.zeros((n, 1))
    X_train, _, X_val, _ = split(X, T, fraction=fraction)
    assert len(X_val) == n_val and len(X_train) == n - n_val


def test_split_accepts_lists_and_any_widths():
    X = [[0.0, 1.0, 2.0]] * 5
    T = [[1.0]] * 5
    X_train, _, X_val, T_val = split(X, T, fraction=0.4)
    assert X_train.shape == (3, 3) and X_val.shape == (2, 3) and T_val.shape == (2, 1)


# --- bad arguments: each message names the function, the argument, the value, what is accepted

BAD_N = [
    (0, "0"),
    (-3, "-3"),
    (2.5, "2.5"),
    (3.0, "3.0"),  # a float, even a whole one, is refused: n counts points
    (math.nan, "nan"),
    (math.inf, "inf"),
    ("10", "'10'"),
    (None, "None"),
    (True, "True"),
    (np.float64(4.0), "4.0"),
]


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
@pytest.mark.parametrize(("n", "shown"), BAD_N, ids=[b[1] for b in BAD_N])
def test_bad_n(make, kw, k, n, shown):
    with pytest.raises(ValueError) as info:
        make(n, **kw)
    assert str(info.value) == f"{make.__name__}: n must be a positive integer; got {shown}"


def test_bad_n_message_matches_the_documented_example():
    with pytest.raises(ValueError, match=r"^moons: n must be a positive integer; got -3$"):
        moons(-3)


@pytest.mark.parametrize(
    ("make", "kw", "message"),
    [
        (circles, {"n": 1}, "circles: n must be at least 2 (one point per class); got 1"),
        (moons, {"n": 1}, "moons: n must be at least 2 (one point per class); got 1"),
        (
            spiral,
            {"n": 2, "k": 3},
            "spiral: n must be at least 3 (k=3, one point per class); got 2",
        ),
        (
            gaussian_clusters,
            {"n": 2},
            "gaussian_clusters: n must be at least 3 (k=3, one point per class); got 2",
        ),
    ],
    ids=["circles", "moons", "spiral", "gaussian_clusters"],
)
def test_too_few_points_for_the_classes(make, kw, message):
    with pytest.raises(ValueError) as info:
        make(**kw)
    assert str(info.value) == message


BAD_NOISE = [
    (-0.1, "-0.1"),
    (math.nan, "nan"),
    (math.inf, "inf"),
    (-math.inf, "-inf"),
    ("0.1", "'0.1'"),
    (None, "None"),
    (False, "False"),
    (np.float64(np.nan), "nan"),
]


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
@pytest.mark.parametrize(("noise", "shown"), BAD_NOISE, ids=[b[1] for b in BAD_NOISE])
def test_bad_noise(make, kw, k, noise, shown):
    with pytest.raises(ValueError) as info:
        make(100, noise=noise, **kw)
    assert str(info.value) == f"{make.__name__}: noise must be a finite number >= 0; got {shown}"


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
def test_zero_noise_and_integer_noise_are_fine(make, kw, k):
    X0, _ = make(50, noise=0, **kw)
    X1, _ = make(50, noise=1, **kw)
    assert np.all(np.isfinite(X0)) and np.all(np.isfinite(X1))


BAD_K = [
    (1, "1"),
    (0, "0"),
    (-2, "-2"),
    (2.0, "2.0"),
    (math.nan, "nan"),
    ("3", "'3'"),
    (None, "None"),
    (True, "True"),
]


@pytest.mark.parametrize("make", [spiral, gaussian_clusters])
@pytest.mark.parametrize(("k", "shown"), BAD_K, ids=[b[1] for b in BAD_K])
def test_bad_k(make, k, shown):
    with pytest.raises(ValueError) as info:
        make(100, k=k)
    assert str(info.value) == (
        f"{make.__name__}: k must be an integer >= 2 (the number of classes); got {shown}"
    )


@pytest.mark.parametrize(
    ("factor", "shown"),
    [(0, "0"), (1, "1"), (1.5, "1.5"), (-0.5, "-0.5"), (math.nan, "nan"), ("0.5", "'0.5'")],
)
def test_bad_circles_factor(factor, shown):
    with pytest.raises(ValueError) as info:
        circles(100, factor=factor)
    assert str(info.value) == f"circles: factor must be a number in (0, 1); got {shown}"


@pytest.mark.parametrize(
    ("turns", "shown"), [(0, "0"), (-1.0, "-1.0"), (math.nan, "nan"), (math.inf, "inf")]
)
def test_bad_spiral_turns(turns, shown):
    with pytest.raises(ValueError) as info:
        spiral(100, turns=turns)
    assert str(info.value) == f"spiral: turns must be a finite number > 0; got {shown}"


BAD_SEED = [(-1, "-1"), (1.5, "1.5"), (0.0, "0.0"), ("a", "'a'"), (math.nan, "nan"), (True, "True")]


@pytest.mark.parametrize(("make", "kw", "k"), GEN_ARGS, ids=GEN_IDS)
@pytest.mark.parametrize(("seed", "shown"), BAD_SEED, ids=[b[1] for b in BAD_SEED])
def test_bad_seed(make, kw, k, seed, shown):
    with pytest.raises(ValueError) as info:
        make(100, seed=seed, **kw)
    assert str(info.value) == (
        f"{make.__name__}: seed must be a non-negative integer (or None for fresh randomness); "
        f"got {shown}"
    )


def test_arguments_after_n_are_keyword_only():
    with pytest.raises(TypeError):
        moons(100, 0.1)  # noise by position would be easy to confuse with a seed


def test_bad_split_arguments():
    X, T = moons(10)
    cases = [
        ((X[:, 0], T), {}, "split: X must be a 2-D array (one row per sample); got shape (10,)"),
        ((X, T[:, 0]), {}, "split: T must be a 2-D array (one row per sample); got shape (10,)"),
        (
            (X, T[:9]),
            {},
            "split: X and T must have the same number of rows; got X (10, 2) and T (9, 1)",
        ),
        (
            (X[:1], T[:1]),
            {},
            "split: X must have at least 2 rows (one to train on, one to validate); got 1",
        ),
        ((X, T), {"fraction": 0}, "split: fraction must be a number in (0, 1); got 0"),
        ((X, T), {"fraction": 1.0}, "split: fraction must be a number in (0, 1); got 1.0"),
        ((X, T), {"fraction": math.nan}, "split: fraction must be a number in (0, 1); got nan"),
        ((X, T), {"fraction": "0.2"}, "split: fraction must be a number in (0, 1); got '0.2'"),
        (
            (X, T),
            {"seed": -2},
            "split: seed must be a non-negative integer (or None for fresh randomness); got -2",
        ),
        ((X.astype(str), T), {}, "split: X must be an array of real numbers; got dtype <U32"),
    ]
    for args, kw, message in cases:
        with pytest.raises(ValueError) as info:
            split(*args, **kw)
        assert str(info.value) == message


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_split_refuses_non_finite_data_and_says_where(bad):
    X, T = moons(10)
    X[3, 1] = bad
    with pytest.raises(
        ValueError,
        match=re.escape(f"split: X must contain only finite numbers; got {bad} at index (3, 1)"),
    ):
        split(X, T)
    X, T = moons(10)
    T[7, 0] = bad
    with pytest.raises(ValueError, match=re.escape("split: T must contain only finite numbers")):
        split(X, T)


def test_bad_labels_and_one_hot_arguments():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "labels: T must be a 2-D array of shape (n, 1)"
            " with 0/1 or (n, k) one-hot; got shape (3,)"
        ),
    ):
        labels(np.zeros(3))
    with pytest.raises(
        ValueError, match=re.escape("labels: T must contain only finite numbers; got nan")
    ):
        labels(np.array([[0.0], [np.nan]]))
    with pytest.raises(
        ValueError,
        match=re.escape("one_hot: y must be a 1-D array of integers in 0..2; got [0, 3]"),
    ):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=re.escape("one_hot: y must be a 1-D array of integers")):
        one_hot([0.0, 1.0], 2)
    with pytest.raises(ValueError, match=re.escape("one_hot: y must be a 1-D array of integers")):
        one_hot([-1, 0], 2)
    with pytest.raises(
        ValueError,
        match=re.escape("one_hot: k must be an integer >= 2 (the number of classes); got 1"),
    ):
        one_hot([0, 0], 1)


def test_errors_are_the_package_input_error():
    from backprop_widgets.core.errors import BackpropInputError

    with pytest.raises(BackpropInputError):
        moons(0)


# --- the docstring examples are correct


def test_docstring_examples():
    result = doctest.testmod(datasets, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8
    assert result.failed == 0
