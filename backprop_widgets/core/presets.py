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
