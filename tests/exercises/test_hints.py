"""Hints are verified: a slip is named only when it holds here and at the random re-draws."""

from __future__ import annotations

import pytest

import backprop_widgets as bw
from backprop_widgets.exercises import GradientQuestion


@pytest.fixture(scope="module")
def mazur():
    net, x, t = bw.presets.mazur()
    return net, x, t


def test_the_updated_weight_is_recognised(mazur):
    net, x, t = mazur
    q = GradientQuestion(net, "w5", x, t)
    fb = q.check("0.35891648")  # Mazur's w5+ = w5 - 0.5 * dE/dw5
    assert fb.problems == ("updated_weight",)
    assert "0.5" in fb.message and "w5" in fb.message


def test_another_parameters_gradient_comes_before_imprecise(mazur):
    net, x, t = mazur
    q = GradientQuestion(net, "w5", x, t)
    w6 = net.gradients(x, t)["w6"]
    assert abs(w6 - q.expected) < 0.05 * abs(q.expected)  # close enough to look imprecise
    fb = q.check(repr(w6))
    assert fb.problems == ("wrong_parameter",), fb.message
    assert "dL/dw6" in fb.message
    assert "more digits" not in fb.message


def test_a_coincidence_of_two_slips_names_neither():
    # i2 = 2 i1: dL/dw2 is exactly twice dL/dw1 here, but not at other weights and inputs.
    net, _, _ = bw.presets.mazur()
    x, t = [0.1, 0.2], [0.01, 0.99]
    q = GradientQuestion(net, "w1", x, t)
    g = net.gradients(x, t)
    assert abs(g["w2"] - 2 * g["w1"]) < 1e-15
    fb = q.check(repr(g["w2"]))
    assert fb.problems == ("wrong_value",), fb.message
    assert "factor" not in fb.message.split("(")[0]
    assert "happens to equal more than one" in fb.message


def test_a_formula_is_named_only_when_the_slip_holds_at_every_draw(mazur):
    net, x, t = mazur
    q = GradientQuestion(net, "w5", x, t)
    # 2 (o1 - t1) ... is the half-SSE slip at every draw
    fb = q.check("2 * (o1 - t1) * o1 * (1 - o1) * h1")
    assert fb.problems == ("constant_factor",)
    assert "½" in fb.message
    # a formula that equals twice the gradient only here is not called a factor of two
    twice_here = 2 * q.expected
    fb = q.check(f"{twice_here / net['w5']!r} * w5")
    assert fb.problems[0] != "constant_factor"


def test_the_constant_advice_follows_the_loss():
    net = bw.Network([2, 2, 1], activation=["sigmoid", "sigmoid"], loss="mse", seed=2)
    x, t = [0.4, 0.8], [0.3]
    q = GradientQuestion(net, "w5", x, t)
    fb = q.check(repr(q.expected / 2))  # the 2 of the square dropped
    assert fb.problems == ("constant_factor",)
    assert "without a 2" not in fb.message and "2(y − t)" in fb.message


def test_a_forgotten_slope_is_named_with_the_activation():
    for activation, words in (("sigmoid", "h1(1 − h1)"), ("tanh", "1 − h1²")):
        net = bw.Network([2, 2, 1], activation=[activation, "linear"], loss="mse", seed=5)
        x, t = [0.7, -0.2], [0.1]
        q = GradientQuestion(net, "w1", x, t)
        slope = net.graph(x, t).local_slope("h1")
        fb = q.check(repr(q.expected / slope))
        assert fb.problems == ("forgot_slope",), (activation, fb.message)
        assert words in fb.message


def test_a_relu_slope_of_one_is_not_a_slip():
    net = bw.Network([2, 2, 1], activation=["relu", "linear"], loss="mse", seed=1)
    net.set_parameters({"w1": 0.9, "w2": 0.4})
    x, t = [0.5, 0.5], [0.0]
    q = GradientQuestion(net, "w1", x, t)
    assert net.graph(x, t).local_slope("h1") == 1.0
    fb = q.check(repr(q.expected * 3.7))
    assert "slope" not in fb.message


def test_a_sign_error_and_a_left_out_path(mazur):
    net, x, t = mazur
    q = GradientQuestion(net, "w1", x, t)
    assert q.check(repr(-q.expected)).problems == ("wrong_sign",)
    one_path = q.chain_rule.term_values()[0]
    fb = q.check(repr(one_path))
    assert fb.problems == ("partial_sum",)
    assert "w1 → h1 → o1 → L" in fb.message
