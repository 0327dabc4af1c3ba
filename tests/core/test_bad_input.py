"""Every public entry point names the argument, the value and what it accepts."""

import numpy as np
import pytest

import backprop_widgets as bw


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"sizes": []}, ["sizes", "[]", "at least an input and an output"]),
        ({"sizes": [2]}, ["sizes", "[2]"]),
        ({"sizes": [2, 0, 1]}, ["sizes", "[2, 0, 1]", "positive integers"]),
        ({"sizes": [2, 1.5, 1]}, ["sizes", "1.5"]),
        ({"sizes": "2-2-2"}, ["sizes", "'2-2-2'"]),
        ({"sizes": [2, 2], "activation": "sigmod"}, ["activation", "'sigmod'", "sigmoid, tanh"]),
        ({"sizes": [2, 2, 2], "activation": ["tanh"]}, ["activation", "2 names"]),
        ({"sizes": [2, 2, 2], "activation": ["softmax", "sigmoid"]}, ["softmax", "output layer"]),
        ({"sizes": [2, 2], "loss": "l2"}, ["loss", "'l2'", "half_sse, mse, bce, cross_entropy"]),
        ({"sizes": [2, 2], "loss": "cross_entropy"}, ["cross_entropy", "softmax"]),
        ({"sizes": [2, 2], "activation": "softmax"}, ["softmax", "cross_entropy"]),
        ({"sizes": [2, 2], "loss": "bce", "activation": "tanh"}, ["bce", "sigmoid", "'tanh'"]),
        ({"sizes": [2, 2], "bias": "layer"}, ["bias", "'layer'", "per_neuron, per_layer"]),
        ({"sizes": [1, 1], "node_names": [["x"], ["x"]]}, ["node_names", "unique", "x"]),
        ({"sizes": [1, 1], "node_names": [["x"], ["L"]]}, ["node_names", "'L'"]),
        ({"sizes": [1, 1], "node_names": [["x"]]}, ["node_names", "sizes [1, 1]"]),
    ],
)
def test_bad_constructor_arguments(kwargs, words):
    with pytest.raises(ValueError) as err:
        bw.Network(**kwargs)
    for word in words:
        assert word in str(err.value)


def test_unknown_parameter_lists_the_valid_names_and_suggests():
    net, x, t = bw.presets.mazur()
    for action in (lambda: net["w9"], lambda: net.chain_rule("w9", x, t), lambda: net.freeze("w9")):
        with pytest.raises(KeyError) as err:
            action()
        message = str(err.value)
        assert "'w9'" in message and "w1, w2" in message and "b2" in message
        assert "Did you mean" in message
    with pytest.raises(KeyError, match="unknown parameter name 'x'"):
        net.gradients(x, t)["x"]


@pytest.mark.parametrize(
    ("X", "words"),
    [
        (np.zeros(3), ["X", "2 features", "(3,)"]),
        (np.zeros((4, 3)), ["X", "(n_samples, 2)", "(4, 3)"]),
        (np.zeros((1, 2, 2)), ["X", "1-D", "(1, 2, 2)"]),
        (np.zeros((0, 2)), ["X", "no samples"]),
        (np.array([[0.0, np.nan]]), ["X", "finite", "nan", "(0, 1)"]),
        (np.array([[np.inf, 0.0]]), ["X", "finite", "inf"]),
        ("abc", ["X", "array of numbers"]),
    ],
)
def test_bad_inputs(X, words):
    net, _, t = bw.presets.mazur()
    with pytest.raises(ValueError) as err:
        net.loss(X, np.zeros((np.atleast_2d(np.zeros(2)).shape[0], 2)))
    with pytest.raises(ValueError) as err:
        net.gradients(X, t)
    for word in words:
        assert word in str(err.value)


def test_bad_targets_and_learning_rates():
    net, x, t = bw.presets.mazur()
    with pytest.raises(ValueError, match=r"T must have shape \(1, 2\).*got shape \(3,\)"):
        net.loss(x, np.zeros(3))
    with pytest.raises(ValueError, match="T must contain only finite numbers; got nan"):
        net.step(x, [np.nan, 0.0], 0.1)
    for lr, word in ((0, "positive"), (-1, "positive"), (np.inf, "finite"), ("0.1", "got '0.1'")):
        with pytest.raises(ValueError, match=f"lr must be a .*{word}"):
            net.step(x, t, lr)
    with pytest.raises(ValueError, match=r"net\['w1'\] must be a finite number; got nan"):
        net["w1"] = float("nan")
    with pytest.raises(ValueError, match="x must be one example"):
        net.chain_rule("w1", np.zeros((2, 2)), t)
    with pytest.raises(
        ValueError, match="level must be one of neuron, pre-activation, operation; got 'net'"
    ):
        net.chain_rule("w1", x, t, level="net")
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \(2, 2\)"):
        net.weights = [np.zeros((2, 2)), np.zeros((2, 3))]


def test_bad_json_says_what_it_expected():
    with pytest.raises(ValueError, match=r"JSON written by Network\.to_json"):
        bw.Network.from_json("{not json")
    with pytest.raises(ValueError, match="format"):
        bw.Network.from_json('{"format": "other"}')


def test_nothing_is_changed_by_a_rejected_call():
    net, x, _ = bw.presets.mazur()
    before = net.parameters()
    with pytest.raises(KeyError):
        net.set_parameters({"w1": 1.0, "w99": 2.0})
    with pytest.raises(ValueError):
        net.step(x, [np.nan, 1.0], 0.5)
    assert net.parameters() == before
