"""What each neuron computes over the input plane, as TensorFlow Playground draws it.

For a network with two inputs, every hidden and output neuron is a function of the point
(x1, x2). :func:`neuron_grids` evaluates the network once on a grid of points and returns
each neuron's activation there, so a view can paint it inside the neuron's circle. One
forward pass computes every neuron at once.
"""

from __future__ import annotations

import numpy as np

from . import validation
from .errors import BackpropInputError

MARGIN = 0.15  # the grid reaches this fraction of the data's range past its edges


def extent_of(X, margin: float = MARGIN) -> tuple[tuple[float, float], tuple[float, float]]:
    """The ((x1 low, x1 high), (x2 low, x2 high)) box around two-column data, with a margin."""
    X = validation.float_array(X, "X")
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise BackpropInputError(
            f"X must be points with 2 coordinates, shape (n, 2); got {X.shape}"
        )
    validation.check_finite(X, "X")
    lows, highs = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(highs - lows, 1e-9) * margin
    return tuple((float(lo - p), float(hi + p)) for lo, hi, p in zip(lows, highs, pad, strict=True))


def neuron_grids(net, extent, resolution: int = 20) -> dict[str, np.ndarray]:
    """Each hidden and output neuron's activation on a resolution x resolution grid.

    Row 0 is the top of the picture (the largest x2), column 0 the left (the smallest x1),
    as an image is drawn.

    >>> import backprop_widgets as bw
    >>> net = bw.Network([2, 3, 1], activation="tanh", seed=0)
    >>> grids = neuron_grids(net, ((-1, 1), (-1, 1)), resolution=8)
    >>> sorted(grids), grids["h1"].shape
    (['h1', 'h2', 'h3', 'o1'], (8, 8))
    """
    if net.sizes[0] != 2:
        raise BackpropInputError(
            f"net must have 2 inputs to draw its neurons over the input plane; got sizes {net.sizes}"
        )
    resolution = validation.integer(resolution, "resolution", 2, at_most=200)
    (x_lo, x_hi), (y_lo, y_hi) = extent
    xs = np.linspace(x_lo, x_hi, resolution)
    ys = np.linspace(y_hi, y_lo, resolution)  # top row first
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    _, acts = net.forward_cache(points)
    out = {}
    for layer, names in enumerate(net.node_names[1:], start=1):
        for k, name in enumerate(names):
            out[name] = acts[layer][:, k].reshape(resolution, resolution)
    return out
