"""Small seeded 2-D datasets for teaching: xor, circles, moons, spiral, gaussian_clusters;
and one real one, ``digits``: the UCI 8x8 handwritten digits (64 inputs, 10 classes).

Every generator returns ``(X, T)``:

- ``X``: float64, shape ``(n, 2)``, centred on the origin and inside roughly
  ``[-1.5, 1.5]^2``, so a tanh or sigmoid network trains on it without rescaling.
- ``T``: float64 targets. Two classes give shape ``(n, 1)`` of 0.0/1.0 (for a sigmoid
  output with ``bce``); ``k > 2`` classes give one-hot rows of shape ``(n, k)`` (for a
  softmax output with ``cross_entropy``). ``labels(T)`` turns either into integer classes,
  ``one_hot(y, k)`` goes back (use ``one_hot(labels(T), 2)`` for a 2-class softmax).

``digits`` is the exception to the 2-D shape: ``X`` is ``(n, 64)`` in [0, 1] (8x8 images,
row by row) and ``T`` one-hot ``(n, 10)``.

The classes are as balanced as ``n`` allows (their sizes differ by at most one) and the
rows come shuffled, so any prefix ``X[:m]`` is a fair sample. The same ``seed`` gives
identical arrays; ``split`` makes a train/validation split for validation curves.
NumPy only, like the rest of ``backprop_widgets.core``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import validation
from .errors import BackpropInputError

__all__ = [
    "DIGITS_FILE",
    "circles",
    "digits",
    "digits_images",
    "gaussian_clusters",
    "labels",
    "moons",
    "one_hot",
    "spiral",
    "split",
    "xor",
]


# --- argument checks: the core's shared helpers (validation.py), with the function's name in
# front, e.g. "moons: n must be a positive integer; got -3".


def _check_n(func: str, n, *, at_least: int = 1, why: str = "") -> int:
    n = validation.integer(n, f"{func}: n", 1)
    if n < at_least:
        raise validation.fail(f"{func}: n", f"at least {at_least}{why}", n)
    return n


def _check_k(func: str, k) -> int:
    return validation.integer(k, f"{func}: k", 2, "the number of classes")


def _check_real(func: str, name: str, value, **bounds) -> float:
    return validation.real_number(value, f"{func}: {name}", **bounds)


def _rng(func: str, seed) -> np.random.Generator:
    return np.random.default_rng(validation.seed(seed, f"{func}: seed"))


# --- shared construction


def _balanced_classes(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """n integer labels in 0..k-1 whose counts differ by at most one, in random order."""
    return rng.permutation(np.arange(n) % k)


def _targets(y: np.ndarray, k: int) -> np.ndarray:
    if k == 2:
        return y.astype(np.float64).reshape(-1, 1)
    return one_hot(y, k)


# --- the datasets


def xor(n: int = 200, *, noise: float = 0.2, seed: int | None = 0):
    """Four Gaussian blobs at (+-1, +-1); the class is 1 where the two coordinates differ in sign.

    No straight line separates the classes: a network needs a hidden layer (the classic
    argument of Minsky and Papert). Each blob holds a quarter of the points.

    Parameters
    ----------
    n : int
        Number of points, at least 1.
    noise : float
        Standard deviation of each blob around its corner, >= 0. At 0.2 the blobs are
        clearly apart; from about 0.5 they overlap.
    seed : int or None
        Seed for ``np.random.default_rng``; the same seed gives the same arrays.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    T : ndarray, shape (n, 1), float64 of 0.0 and 1.0

    Examples
    --------
    >>> X, T = xor(8, noise=0.0)
    >>> X.shape, T.shape
    ((8, 2), (8, 1))
    >>> bool(np.all(T[:, 0] == (np.sign(X[:, 0]) != np.sign(X[:, 1]))))
    True
    """
    func = "xor"
    n = _check_n(func, n)
    noise = _check_real(func, "noise", noise, low=0.0)
    rng = _rng(func, seed)
    corner = _balanced_classes(n, 4, rng)  # 0: (+,+)  1: (-,+)  2: (-,-)  3: (+,-)
    signs = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    X = signs[corner] + noise * rng.standard_normal((n, 2))
    y = corner % 2  # the corners with differing signs are 1 and 3
    return X, _targets(y, 2)


def circles(n: int = 200, *, noise: float = 0.1, factor: float = 0.5, seed: int | None = 0):
    """A ring of radius 1 (class 0) around a ring of radius ``factor`` (class 1).

    The classes differ in distance from the origin, which no linear function of (x1, x2)
    measures; a hidden layer can build it.

    Parameters
    ----------
    n : int
        Number of points, at least 2 (one per class).
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    factor : float
        Radius of the inner ring relative to the outer one, in (0, 1).
    seed : int or None
        Seed for ``np.random.default_rng``; the same seed gives the same arrays.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    T : ndarray, shape (n, 1), float64; 1.0 on the inner ring

    Examples
    --------
    >>> X, T = circles(100, noise=0.0, factor=0.3)
    >>> r = np.hypot(X[:, 0], X[:, 1])
    >>> bool(np.allclose(r[T[:, 0] == 1], 0.3)), bool(np.allclose(r[T[:, 0] == 0], 1.0))
    (True, True)
    """
    func = "circles"
    n = _check_n(func, n, at_least=2, why=" (one point per class)")
    noise = _check_real(func, "noise", noise, low=0.0)
    factor = _check_real(func, "factor", factor, low=0.0, high=1.0, open_low=True)
    rng = _rng(func, seed)
    y = _balanced_classes(n, 2, rng)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    radius = np.where(y == 1, factor, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n, 2))
    return X, _targets(y, 2)


def moons(n: int = 200, *, noise: float = 0.1, seed: int | None = 0):
    """Two interleaving half circles (scikit-learn's ``make_moons``, shifted to centre on 0).

    Class 0 is the upper moon, class 1 the lower one. A straight line gets most points
    right but not the tips that reach into the other moon; a small network gets them all.

    Parameters
    ----------
    n : int
        Number of points, at least 2 (one per class).
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    seed : int or None
        Seed for ``np.random.default_rng``; the same seed gives the same arrays.

    Returns
    -------
    X : ndarray, shape (n, 2), float64, inside [-1.5, 1.5] x [-0.75, 0.75] before noise
    T : ndarray, shape (n, 1), float64 of 0.0 and 1.0

    Examples
    --------
    >>> X, T = moons(300, noise=0.1, seed=1)
    >>> X.shape, T.shape, float(T.mean())
    ((300, 2), (300, 1), 0.5)
    """
    func = "moons"
    n = _check_n(func, n, at_least=2, why=" (one point per class)")
    noise = _check_real(func, "noise", noise, low=0.0)
    rng = _rng(func, seed)
    y = _balanced_classes(n, 2, rng)
    angle = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    X = np.where((y == 1)[:, None], lower, upper)
    X -= np.array([0.5, 0.25])  # the pair spans [-1, 2] x [-0.5, 1]: centre it on the origin
    X += noise * rng.standard_normal((n, 2))
    return X, _targets(y, 2)


def spiral(
    n: int = 300, *, k: int = 2, noise: float = 0.05, turns: float = 1.0, seed: int | None = 0
):
    """``k`` interleaved spiral arms, one class per arm (the CS231n spiral).

    Arm ``j`` starts at the origin at angle ``2 pi j / k`` and winds ``turns`` times while its
    radius grows to 1.25. Hard for a linear model and a good test for a deeper network.

    Parameters
    ----------
    n : int
        Number of points, at least ``k`` (one per class).
    k : int
        Number of arms (classes), >= 2.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    turns : float
        How many full turns each arm makes, > 0.
    seed : int or None
        Seed for ``np.random.default_rng``; the same seed gives the same arrays.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    T : ndarray, float64; shape (n, 1) of 0.0/1.0 when k == 2, else one-hot (n, k)

    Examples
    --------
    >>> X, T = spiral(300, k=3)
    >>> X.shape, T.shape, labels(T)[:5].dtype
    ((300, 2), (300, 3), dtype('int64'))
    """
    func = "spiral"
    k = _check_k(func, k)
    n = _check_n(func, n, at_least=k, why=f" (k={k}, one point per class)")
    noise = _check_real(func, "noise", noise, low=0.0)
    turns = _check_real(func, "turns", turns, low=0.0, open_low=True)
    rng = _rng(func, seed)
    y = _balanced_classes(n, k, rng)
    s = rng.uniform(0.0, 1.0, n)  # position along the arm
    angle = 2.0 * np.pi * (y / k + turns * s)
    radius = 1.25 * s
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n, 2))
    return X, _targets(y, k)


def gaussian_clusters(n: int = 300, *, k: int = 3, noise: float = 0.25, seed: int | None = 0):
    """``k`` round Gaussian clusters with centres evenly spaced on the unit circle.

    With low noise the clusters are far apart and even a linear (softmax) classifier
    separates them; raise ``noise`` to make them overlap.

    Parameters
    ----------
    n : int
        Number of points, at least ``k`` (one per class).
    k : int
        Number of clusters (classes), >= 2.
    noise : float
        Standard deviation of each cluster, >= 0.
    seed : int or None
        Seed for ``np.random.default_rng``; the same seed gives the same arrays.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    T : ndarray, float64; shape (n, 1) of 0.0/1.0 when k == 2, else one-hot (n, k)

    Examples
    --------
    >>> X, T = gaussian_clusters(90, k=3, noise=0.1)
    >>> T.shape, np.bincount(labels(T)).tolist()
    ((90, 3), [30, 30, 30])
    """
    func = "gaussian_clusters"
    k = _check_k(func, k)
    n = _check_n(func, n, at_least=k, why=f" (k={k}, one point per class)")
    noise = _check_real(func, "noise", noise, low=0.0)
    rng = _rng(func, seed)
    y = _balanced_classes(n, k, rng)
    centre_angle = np.pi / 2 + 2.0 * np.pi * np.arange(k) / k
    centres = np.column_stack([np.cos(centre_angle), np.sin(centre_angle)])
    X = centres[y] + noise * rng.standard_normal((n, 2))
    return X, _targets(y, k)


DIGITS_FILE = Path(__file__).with_name("data") / "digits.npz"
_DIGITS_SIDE = 8


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The shipped file: uint8 ``images`` (1797, 8, 8) with values 0..16, uint8 ``labels``."""
    with np.load(DIGITS_FILE) as data:
        return data["images"], data["labels"]


def digits(n: int | None = None, *, validation: float | None = None, seed: int | None = 0):
    """The UCI 8x8 handwritten digits: 1,797 images of the digits 0-9, 64 pixels each.

    Each image is a 32x32 bitmap of a handwritten digit, cut into 4x4 blocks; a pixel counts
    the ink in its block (0..16). Here the counts are scaled to [0, 1] (divided by 16) and
    flattened row by row, so ``X[i].reshape(8, 8)`` is the picture (see :func:`digits_images`).
    A [64, 16, 10] network with relu and softmax learns them in a few seconds
    (``presets.digits``).

    Source and licence: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten
    Digits", UCI Machine Learning Repository, 1998, https://doi.org/10.24432/C50P49,
    licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). This is the
    repository's test set, as shipped by scikit-learn (``load_digits``); stored unchanged as
    uint8 in ``backprop_widgets/core/data/digits.npz`` (see ``ATTRIBUTION.md`` there).

    Parameters
    ----------
    n : int or None
        How many images, 10..1797 (None: all). The rows are shuffled with the classes
        interleaved, so any ``n`` (and any prefix) has the ten digits as evenly as the data
        allow (each class has 174 to 183 images).
    validation : float or None
        None: return ``(X, T)``. A share in (0, 1): hold that many rows out, as
        :func:`split` does, and return ``(X_train, T_train, X_val, T_val)``.
    seed : int or None
        Seed for the order of the rows (and the split); the same seed, the same arrays.

    Returns
    -------
    X : ndarray, shape (n, 64), float64 in [0, 1]
    T : ndarray, shape (n, 10), float64 one-hot (``labels(T)`` gives the digits)
    (or ``X_train, T_train, X_val, T_val`` when ``validation`` is given)

    Examples
    --------
    >>> X, T = digits()
    >>> X.shape, T.shape, float(X.min()), float(X.max())
    ((1797, 64), (1797, 10), 0.0, 1.0)
    >>> np.bincount(labels(digits(100)[1])).tolist()
    [10, 10, 10, 10, 10, 10, 10, 10, 10, 10]
    >>> [a.shape for a in digits(validation=0.2)]
    [(1438, 64), (1438, 10), (359, 64), (359, 10)]
    """
    func = "digits"
    images, y = _load_digits()
    total = len(y)
    if n is None:
        n = total
    n = _check_n(func, n, at_least=10, why=" (one image per digit)")
    if n > total:  # (`validation` is the argument here, not the module)
        raise BackpropInputError(
            f"{func}: n must be an integer from 10 to {total} (the number of images); got {n}"
        )
    rng = _rng(func, seed)
    order = rng.permutation(total)
    # interleave the classes: the k-th image of every digit (in the shuffled order) comes
    # before the (k+1)-th of any, so each prefix is balanced
    rank = np.empty(total, dtype=np.int64)
    for digit in range(10):
        mine = order[y[order] == digit]
        rank[mine] = np.arange(mine.size)
    position = np.empty(total, dtype=np.int64)
    position[order] = np.arange(total)
    chosen = np.lexsort((position, rank))[:n]  # by rank, ties in shuffled order
    X = images[chosen].reshape(n, _DIGITS_SIDE * _DIGITS_SIDE) / 16.0
    T = one_hot(y[chosen].astype(np.int64), 10)
    if validation is None:
        return X, T
    return split(X, T, fraction=validation, seed=seed)


def digits_images(X) -> np.ndarray:
    """The 8x8 pictures of :func:`digits` rows: ``(n, 64)`` -> ``(n, 8, 8)`` (one row: (8, 8)).

    >>> digits_images(digits(10)[0]).shape
    (10, 8, 8)
    """
    A = np.asarray(X, dtype=float)
    side = _DIGITS_SIDE
    if A.shape[-1:] != (side * side,) or A.ndim > 2:
        raise BackpropInputError(
            f"digits_images: X must have shape (n, 64) or (64,) (8x8 images, row by row); "
            f"got shape {A.shape}"
        )
    return A.reshape(*A.shape[:-1], side, side)


# --- helpers


def _check_targets(func: str, T) -> np.ndarray:
    T = np.asarray(T)
    if T.ndim != 2 or T.shape[0] == 0 or T.shape[1] == 0:
        raise BackpropInputError(
            f"{func}: T must be a 2-D array of shape (n, 1) with 0/1 or (n, k) one-hot; "
            f"got shape {T.shape}"
        )
    _check_finite(func, "T", T)
    return T


def _check_finite(func: str, name: str, A: np.ndarray) -> None:
    if not (np.issubdtype(A.dtype, np.number) and not np.issubdtype(A.dtype, np.complexfloating)):
        raise BackpropInputError(
            f"{func}: {name} must be an array of real numbers; got dtype {A.dtype}"
        )
    validation.check_finite(A, f"{func}: {name}")


def labels(T) -> np.ndarray:
    """Integer class labels from targets: ``(n, 1)`` of 0/1 -> 0/1; ``(n, k)`` one-hot -> argmax.

    Also works on network outputs: a sigmoid output is thresholded at 0.5, a softmax output
    gives its most probable class. So ``labels(net.forward(X)) == labels(T)`` is accuracy.

    Parameters
    ----------
    T : array_like, shape (n, 1) or (n, k)

    Returns
    -------
    ndarray of int64, shape (n,)

    Examples
    --------
    >>> labels(np.array([[0.0], [1.0], [0.7]])).tolist()
    [0, 1, 1]
    >>> labels(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])).tolist()
    [1, 0]
    """
    T = _check_targets("labels", T)
    if T.shape[1] == 1:
        return (T[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(T, axis=1).astype(np.int64)


def one_hot(y, k: int) -> np.ndarray:
    """One-hot float64 rows of shape ``(n, k)`` from integer labels in ``0..k-1``.

    Examples
    --------
    >>> one_hot([2, 0], 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    func = "one_hot"
    k = _check_k(func, k)
    y_arr = np.asarray(y)
    if (
        y_arr.ndim != 1
        or not np.issubdtype(y_arr.dtype, np.integer)
        or (y_arr.size and (y_arr.min() < 0 or y_arr.max() >= k))
    ):
        raise BackpropInputError(
            f"{func}: y must be a 1-D array of integers in 0..{k - 1}; got "
            f"{validation.shown(y) if y_arr.size <= 8 else f'shape {y_arr.shape}, dtype {y_arr.dtype}'}"
        )
    out = np.zeros((y_arr.size, k))
    out[np.arange(y_arr.size), y_arr] = 1.0
    return out


def split(X, T, fraction: float = 0.2, seed: int | None = 0):
    """Shuffle the rows and hold out ``fraction`` of them for validation.

    Parameters
    ----------
    X : array_like, shape (n, n_in)
    T : array_like, shape (n, n_out)
        Targets, row for row with ``X``.
    fraction : float
        Share of the rows that go to the validation set, in (0, 1). It is rounded to whole
        rows, and both parts keep at least one row (so ``n >= 2``).
    seed : int or None
        Seed for the shuffle; the same seed gives the same split.

    Returns
    -------
    X_train, T_train, X_val, T_val : ndarray
        New arrays (copies); the rows of ``X`` and ``T`` stay paired.

    Examples
    --------
    >>> X, T = moons(100)
    >>> X_train, T_train, X_val, T_val = split(X, T, fraction=0.25)
    >>> X_train.shape, T_train.shape, X_val.shape, T_val.shape
    ((75, 2), (75, 1), (25, 2), (25, 1))
    """
    func = "split"
    X = np.asarray(X)
    T = np.asarray(T)
    for name, A in (("X", X), ("T", T)):
        if A.ndim != 2:
            raise BackpropInputError(
                f"{func}: {name} must be a 2-D array (one row per sample); got shape {A.shape}"
            )
        _check_finite(func, name, A)
    if X.shape[0] != T.shape[0]:
        raise BackpropInputError(
            f"{func}: X and T must have the same number of rows; got X {X.shape} and T {T.shape}"
        )
    fraction = _check_real(func, "fraction", fraction, low=0.0, high=1.0, open_low=True)
    n = X.shape[0]
    if n < 2:
        raise BackpropInputError(
            f"{func}: X must have at least 2 rows (one to train on, one to validate); got {n}"
        )
    rng = _rng(func, seed)
    n_val = min(max(round(fraction * n), 1), n - 1)
    order = rng.permutation(n)
    val, train = order[:n_val], order[n_val:]
    return X[train], T[train], X[val], T[val]
