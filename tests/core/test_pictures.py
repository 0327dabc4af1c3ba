"""Neuron grids: each neuron's activation over the input plane, from one forward pass."""

from __future__ import annotations

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core.pictures import extent_of, neuron_grids


def test_each_cell_is_the_neuron_at_that_point():
    net = bw.Network([2, 3, 2], activation=["tanh", "sigmoid"], seed=4)
    extent = ((-2.0, 1.0), (-0.5, 3.0))
    grids = neuron_grids(net, extent, resolution=5)
    assert sorted(grids) == ["h1", "h2", "h3", "o1", "o2"]
    # top-left cell: the smallest x1 and the largest x2, as an image is drawn
    g = net.graph([-2.0, 3.0], [0.5, 0.5])
    assert grids["h2"][0, 0] == pytest.approx(g.value("h2"))
    g = net.graph([1.0, -0.5], [0.5, 0.5])
    assert grids["o1"][-1, -1] == pytest.approx(g.value("o1"))


def test_the_extent_wraps_the_data_with_a_margin():
    X = np.array([[0.0, -1.0], [2.0, 1.0]])
    (x_lo, x_hi), (y_lo, y_hi) = extent_of(X)
    assert x_lo < 0 < 2 < x_hi and y_lo < -1 < 1 < y_hi
    assert x_hi - 2 == pytest.approx(0.3) and y_hi - 1 == pytest.approx(0.3)


def test_only_two_input_networks_have_pictures():
    with pytest.raises(bw.BackpropInputError, match="2 inputs"):
        neuron_grids(bw.Network([3, 2, 1]), ((0, 1), (0, 1)))
    with pytest.raises(bw.BackpropInputError, match="resolution"):
        neuron_grids(bw.Network([2, 2, 1]), ((0, 1), (0, 1)), resolution=1)
    with pytest.raises(bw.BackpropInputError, match="shape"):
        extent_of(np.zeros((4, 3)))
