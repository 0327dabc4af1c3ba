"""The Network API of DESIGN.md, as a notebook author and a NumPy/PyTorch user would use it."""

import json
import warnings

import numpy as np
import pytest

import backprop_widgets as bw


def test_names_follow_the_design_numbering():
    net = bw.Network([2, 2, 2], bias="per_layer")
    assert net.parameter_names == ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"]
    expected = {
        "w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
        "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2"),
    }  # fmt: skip
    for name, (src, dst) in expected.items():
        info = net.parameter_info(name)
        assert (info.source, info.targets) == (src, (dst,))
    assert net.parameter_info("b1").targets == ("h1", "h2")
    assert bw.Network([2, 3, 1], bias="per_neuron").bias_names == ["b1", "b2", "b3", "b4"]
    assert bw.Network([1, 1, 1], bias="shared").bias_names == ["b"]
    assert bw.Network([1, 1, 1], bias="none").bias_names == []


def test_default_node_names_are_short_and_unique():
    assert bw.Network([2, 2, 2]).node_names == [["i1", "i2"], ["h1", "h2"], ["o1", "o2"]]
    deep = bw.Network([2, 3, 3, 3, 1]).node_names
    assert deep[1][0] == "h1" and deep[2][0] == "j1" and deep[3][0] == "k1"
    flat = [n for layer in bw.Network([3] * 15).node_names for n in layer]
    assert len(set(flat)) == len(flat)


def test_names_and_arrays_are_the_same_numbers():
    net, _, _ = bw.presets.mazur()
    assert net.weights[1][1, 0] == net["w7"] == 0.5  # w7: h1 -> o2, row o2, column h1
    net["w7"] = 0.9
    assert net.weights[1][1, 0] == 0.9
    net.weights = [np.zeros((2, 2)), np.ones((2, 2))]
    assert net["w1"] == 0.0 and net["w8"] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        net.weights[0][0, 0] = 3.0  # silently diverging copies are impossible
    assert net.biases[0].tolist() == [0.35, 0.35]


def test_forward_shapes_follow_numpy_conventions():
    net = bw.Network([3, 4, 2], seed=1)
    assert net.forward(np.zeros(3)).shape == (2,)
    assert net.forward(np.zeros((5, 3))).shape == (5, 2)
    assert net.forward([[0.0, 0.0, 0.0]]).shape == (1, 2)
    single = bw.Network([2, 3, 1], loss="bce")
    X = np.ones((4, 2))
    assert single.loss(X, np.array([0, 1, 1, 0])) == single.loss(X, np.array([[0], [1], [1], [0]]))


def test_loss_is_averaged_over_samples():
    net, x, t = bw.presets.mazur()
    X, T = np.stack([x, x, x]), np.stack([t, t, t])
    assert net.loss(X, T) == pytest.approx(net.loss(x, t))
    assert net.gradients(X, T)["w1"] == pytest.approx(net.gradients(x, t)["w1"])


def test_seeded_initialisation_is_reproducible():
    a, b, c = (bw.Network([2, 5, 1], seed=s) for s in (3, 3, 4))
    assert a.parameters() == b.parameters() != c.parameters()


def test_freeze_keeps_parameters_and_unfreeze_releases_them():
    net, x, t = bw.presets.mazur()
    net.freeze("w1", "b1")
    net.step(x, t, 1.0)
    assert net["w1"] == 0.15 and net["b1"] == 0.35 and net["w2"] != 0.20
    assert net.frozen == ["w1", "b1"]
    net.unfreeze()
    net.step(x, t, 1.0)
    assert net["w1"] != 0.15


def test_copy_is_independent():
    net, x, t = bw.presets.mazur()
    other = net.copy()
    other["w1"] = 2.0
    other.step(x, t, 0.5)
    assert net["w1"] == 0.15 and net.loss(x, t) == pytest.approx(0.298371109, rel=1e-8)


def test_json_round_trip_is_exact():
    net = bw.Network([3, 4, 2], activation=["tanh", "softmax"], loss="cross_entropy", seed=7)
    net.freeze("w2")
    text = net.to_json()
    back = bw.Network.from_json(text)
    assert back.parameters() == net.parameters()  # bit-for-bit
    assert (back.sizes, back.activation, back.loss_name, back.frozen) == (
        [3, 4, 2],
        ["tanh", "softmax"],
        "cross_entropy",
        ["w2"],
    )
    assert json.loads(text)["parameters"]["w1"] == net["w1"]
    tiny, _, _ = bw.presets.tiny()
    assert bw.Network.from_json(tiny.to_json()).node_names == [["x"], ["h"], ["y'"]]


def test_extreme_inputs_do_not_overflow():
    net = bw.Network([1, 2], activation="softmax", loss="cross_entropy")
    net.weights = [np.array([[1.0], [-1.0]])]
    bce = bw.Network([1, 1], activation="sigmoid", loss="bce")
    bce["w1"] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for z in (-1000.0, 1000.0):
            assert np.isfinite(net.loss([z], [1.0, 0.0]))
            assert np.isfinite(bce.loss([z], [0.0]))
            assert np.all(np.isfinite(bce.gradients([z], [1.0]).vector))
            assert np.all(np.isfinite(net.gradients([z], [0.0, 1.0]).vector))
    assert bce.loss([1000.0], [0.0]) == pytest.approx(1000.0)


def test_gradient_check_reports_the_worst_parameter():
    net = bw.Network([2, 3, 2], activation=["tanh", "sigmoid"], seed=2)
    X, T = np.random.default_rng(0).normal(size=(4, 2)), np.random.default_rng(1).random((4, 2))
    check = net.gradient_check(X, T)
    assert set(check) == set(net.parameter_names)
    assert check.max_error < 1e-6
    assert check.worst in net.parameter_names


def test_observers_hear_every_change():
    net, x, t = bw.presets.mazur()
    heard = []
    net.observe(lambda n, names: heard.append(names))
    net["w5"] = 0.1
    net.step(x, t, 0.1)
    assert heard == [{"w5"}, None]


def test_gradients_layer_norms_show_vanishing_gradients():
    deep = bw.Network([2, 8, 8, 8, 8, 1], activation="sigmoid", seed=0)
    X = np.random.default_rng(0).normal(size=(16, 2))
    norms = deep.gradients(X, np.zeros(16)).layer_norms()
    assert norms[0] < norms[-1] / 10  # sigmoid shrinks the gradient layer by layer
