"""Ready-made networks with their example, for lectures and tests."""

from __future__ import annotations

import numpy as np

from .network import Network


def mazur() -> tuple[Network, np.ndarray, np.ndarray]:
    """The classic 2-2-2 worked example (Matt Mazur, "A Step by Step Backpropagation
    Example", 2015): sigmoid, half_sse, one bias per layer.

    Returns ``(net, x, t)`` with x = (0.05, 0.10), t = (0.01, 0.99); weights
    w1..w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55; b1 = 0.35, b2 = 0.60.

    >>> net, x, t = mazur()
    >>> round(net.loss(x, t), 9)
    0.298371109
    """
    net = Network(
        [2, 2, 2],
        activation="sigmoid",
        loss="half_sse",
        bias="per_layer",
        node_names=[["i1", "i2"], ["h1", "h2"], ["o1", "o2"]],
        target_names=["t1", "t2"],
    )
    net.set_parameters(
        {
            "w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30,
            "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55,
            "b1": 0.35, "b2": 0.60,
        }
    )  # fmt: skip
    return net, np.array([0.05, 0.10]), np.array([0.01, 0.99])


def tiny() -> tuple[Network, np.ndarray, np.ndarray]:
    """The seed question's first network: x -> h -> y', weights w1 and w2, one bias b
    shared by h and y' (h = sigma(x w1 + b), y' = sigma(h w2 + b)), L = 1/2 (y - y')^2.

    The target is named ``y`` as in the question. Returns ``(net, x, t)`` with
    x = 0.5, w1 = 0.8, w2 = -0.6, b = 0.1, y = 0.9.
    """
    net = Network(
        [1, 1, 1],
        activation="sigmoid",
        loss="half_sse",
        bias="shared",
        node_names=[["x"], ["h"], ["y'"]],
        target_names=["y"],
    )
    net.set_parameters({"w1": 0.8, "w2": -0.6, "b": 0.1})
    return net, np.array([0.5]), np.array([0.9])


# ------------------------------------------------------------------ classifiers to train
# One architecture for every two-class dataset in 2-D, so a dashboard can switch datasets
# without changing the network: [2, 16, 16, 1], tanh hidden layers, a sigmoid output read as
# P(class 1), and binary cross-entropy. Glorot-uniform weights from ``seed``, biases 0.

CLASSIFIER_SIZES = [2, 16, 16, 1]


def classifier(X, T, *, hidden=(16, 16), activation: str = "tanh", seed: int | None = 0):
    """A two-class classifier network for 2-D data ``(X, T)``; returns ``(net, X, T)``.

    ``hidden`` lists the hidden layer sizes; ``activation`` is used in every hidden layer
    (the output is sigmoid with ``loss="bce"``).

    >>> X, T = datasets.xor(100)
    >>> net, X, T = classifier(X, T, hidden=(8,))
    >>> net.sizes, net.activation, net.loss_name
    ([2, 8, 1], ['tanh', 'sigmoid'], 'bce')
    """
    X = np.asarray(X, dtype=float)
    T = np.asarray(T, dtype=float)
    hidden = list(hidden)
    net = Network(
        [X.shape[1] if X.ndim == 2 else 2, *hidden, 1],
        activation=[activation] * len(hidden) + ["sigmoid"],
        loss="bce",
        bias="per_neuron",
        seed=seed,
    )
    net.loss(X, T)  # the core's shape and finiteness checks, with its messages
    return net, X, T


# The datasets the training presets use, with their settings: one place, so that a
# dashboard's dataset picker (``TrainingDashboard.from_dataset``) and the presets agree.
DATASETS = {
    "moons": {"n": 200, "noise": 0.15},
    "circles": {"n": 200, "noise": 0.1},
    "xor": {"n": 200, "noise": 0.25},
    "spiral": {"n": 300, "noise": 0.05, "k": 2},
    "digits": {"n": None},
}
TWO_D_DATASETS = ("moons", "circles", "xor", "spiral")  # those the [2, 16, 16, 1] net fits


def dataset(name: str, n=None, *, seed: int | None = 0, **settings):
    """``(X, T)`` of a training preset's dataset, with the preset's settings.

    ``n`` (None: the preset's size) and other keyword arguments (``noise=...``) override
    :data:`DATASETS`; the same seed gives the same arrays as the preset.

    >>> X, T = dataset("spiral")
    >>> X.shape, T.shape
    ((300, 2), (300, 1))
    """
    from . import datasets, validation

    validation.one_of(name, tuple(DATASETS), "name")
    kwargs = {**DATASETS[name], **settings}
    if n is not None:
        kwargs["n"] = n
    size = kwargs.pop("n")
    return getattr(datasets, name)(size, seed=seed, **kwargs)


def moons(n: int = 200, *, noise: float = 0.15, seed: int | None = 0):
    """Two interleaving moons (``datasets.moons``) and a fresh [2, 16, 16, 1] tanh/sigmoid/bce
    network; returns ``(net, X, T)``. The same seed gives the same data and weights.

    >>> net, X, T = moons()
    >>> net.sizes, X.shape, T.shape, round(net.loss(X, T), 2)
    ([2, 16, 16, 1], (200, 2), (200, 1), 0.61)
    """
    return classifier(*dataset("moons", n, noise=noise, seed=seed), seed=seed)


def xor(n: int = 200, *, noise: float = 0.25, seed: int | None = 0):
    """Four blobs labelled by XOR (``datasets.xor``) and a fresh [2, 16, 16, 1] network."""
    return classifier(*dataset("xor", n, noise=noise, seed=seed), seed=seed)


def circles(n: int = 200, *, noise: float = 0.1, seed: int | None = 0):
    """A ring around a ring (``datasets.circles``) and a fresh [2, 16, 16, 1] network."""
    return classifier(*dataset("circles", n, noise=noise, seed=seed), seed=seed)


def spiral(n: int = 300, *, noise: float = 0.05, seed: int | None = 0):
    """Two interleaved spiral arms (``datasets.spiral`` with k=2) and a fresh [2, 16, 16, 1]
    network: the hardest of the four; it needs many steps."""
    return classifier(*dataset("spiral", n, noise=noise, seed=seed), seed=seed)


DIGITS_SIZES = [64, 16, 10]


def digits(n: int | None = None, *, hidden: int = 16, seed: int | None = 0):
    """The UCI 8x8 handwritten digits (``datasets.digits``: 64 pixels in [0, 1], one-hot
    targets for 0-9) and a fresh ``[64, hidden, 10]`` network: relu, then softmax with
    cross-entropy; returns ``(net, X, T)``.

    Plain full-batch SGD at lr 0.5 passes 85 % training accuracy within a few hundred steps
    (about a second); ``datasets.labels(net.forward(X))`` are the predicted digits and
    ``datasets.digits_images(X)`` the pictures. Data: Alpaydin and Kaynak, UCI Machine
    Learning Repository, CC BY 4.0 (see ``datasets.digits``).

    >>> net, X, T = digits()
    >>> net.sizes, net.activation, net.loss_name, X.shape, T.shape
    ([64, 16, 10], ['relu', 'softmax'], 'cross_entropy', (1797, 64), (1797, 10))
    """
    from . import validation

    hidden = validation.integer(hidden, "hidden", 1)
    X, T = dataset("digits", n, seed=seed)
    net = Network(
        [DIGITS_SIZES[0], hidden, DIGITS_SIZES[-1]],
        activation=["relu", "softmax"],
        loss="cross_entropy",
        bias="per_neuron",
        seed=seed,
    )
    return net, X, T
