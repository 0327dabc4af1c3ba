"""Published figures and hand formulas: numbers checked against sources independent of our code."""

import numpy as np
import pytest

import backprop_widgets as bw


def sig8(value: float) -> str:
    """A number to 8 significant digits, as the published tables give them."""
    return f"{value:.8g}"


# Matt Mazur, "A Step by Step Backpropagation Example" (2015),
# https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/
# Forward pass, total error, and every weight after one update at learning rate 0.5
# (biases are not updated there, so they are frozen here).
MAZUR_FORWARD = {"h1": 0.593269992, "h2": 0.596884378, "o1": 0.75136507, "o2": 0.772928465}
MAZUR_TOTAL_ERROR = 0.298371109
MAZUR_UPDATED = {
    "w1": 0.149780716,
    "w2": 0.19956143,
    "w3": 0.24975114,
    "w4": 0.29950229,
    "w5": 0.35891648,
    "w6": 0.408666186,
    "w7": 0.511301270,
    "w8": 0.561370121,
}
MAZUR_GRADIENTS = {"w5": 0.082167041, "w1": 0.000438568}


def test_mazur_forward_pass_and_total_error():
    net, x, t = bw.presets.mazur()
    graph = net.graph(x, t)
    for node, published in MAZUR_FORWARD.items():
        assert sig8(graph.value(node)) == sig8(published), node
    assert sig8(net.loss(x, t)) == sig8(MAZUR_TOTAL_ERROR)


def test_mazur_every_weight_after_one_step():
    net, x, t = bw.presets.mazur()
    net.freeze("b1", "b2")
    loss_before = net.step(x, t, 0.5)
    assert sig8(loss_before) == sig8(MAZUR_TOTAL_ERROR)
    for name, published in MAZUR_UPDATED.items():
        assert sig8(net[name]) == sig8(published), name
    assert net["b1"] == 0.35 and net["b2"] == 0.60


def test_mazur_gradients_and_chain_rule_of_w1():
    net, x, t = bw.presets.mazur()
    g = net.gradients(x, t)
    for name, published in MAZUR_GRADIENTS.items():
        assert f"{g[name]:.6g}" == f"{published:.6g}", name
    cr = net.chain_rule("w1", x, t)
    assert cr.paths == [("w1", "h1", "o1", "L"), ("w1", "h1", "o2", "L")]
    assert cr.text() == "dh1/dw1 * do1/dh1 * dL/do1 + dh1/dw1 * do2/dh1 * dL/do2"
    assert cr.value == pytest.approx(g["w1"], rel=1e-12)
    # Mazur's intermediate figures for dE/dw1: dE/dout_h1 = 0.036350306, dout_h1/dnet_h1 = 0.241300709
    assert f"{cr.graph.delta('h1'):.8g}" == "0.036350306"
    pre = net.chain_rule("w1", x, t, level="pre-activation")
    assert f"{pre.graph.local('h1', 'net_h1'):.8g}" == "0.24130071"
    assert pre.graph.local("net_h1", "w1") == pytest.approx(0.05)


def test_seed_network_dL_dw1_matches_the_hand_formula():
    """The seed question: h = s(x w1 + b), y' = s(h w2 + b), L = 1/2 (y - y')^2.

    By hand: dL/dw1 = dh/dw1 * dy'/dh * dL/dy' = [h(1-h) x] [y'(1-y') w2] [(y' - y)].
    """
    net, x, t = bw.presets.tiny()
    w1, w2, b, xv, y = net["w1"], net["w2"], net["b"], x[0], t[0]
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = s(xv * w1 + b)
    yp = s(h * w2 + b)
    by_hand = (h * (1 - h) * xv) * (yp * (1 - yp) * w2) * (yp - y)
    cr = net.chain_rule("w1", x, t)
    assert cr.paths == [("w1", "h", "y'", "L")]
    assert cr.text() == "dh/dw1 * dy'/dh * dL/dy'"
    assert cr.value == pytest.approx(by_hand, rel=1e-12)
    assert [f.value for f in cr.terms[0]] == pytest.approx(
        [h * (1 - h) * xv, yp * (1 - yp) * w2, yp - y], rel=1e-12
    )


def test_seed_network_shared_bias_has_one_path_per_use():
    net, x, t = bw.presets.tiny()
    b, xv, y = net["b"], x[0], t[0]
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = s(xv * net["w1"] + b)
    yp = s(h * net["w2"] + b)
    through_h = h * (1 - h) * yp * (1 - yp) * net["w2"] * (yp - y)
    direct = yp * (1 - yp) * (yp - y)
    cr = net.chain_rule("b", x, t)
    assert cr.paths == [("b", "h", "y'", "L"), ("b", "y'", "L")]
    assert cr.term_values() == pytest.approx([through_h, direct], rel=1e-12)
    assert cr.value == pytest.approx(net.gradients(x, t)["b"], rel=1e-12)
