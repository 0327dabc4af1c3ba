"""Goodfellow's J, ∇ and h^(k); CS231n's dW and a graph's dx = ...; a₁² subscript first;
the loss without its ½ typed for its derivative (issue 20, point 2).

Each form is checked on Mazur's 2-2-2 and on a 2-3-2-1 network: the right numbers are
accepted, a wrong index is refused with a message naming what it was read as, and a name
that could be two things is asked about, never guessed.
"""

from __future__ import annotations

import pytest

import backprop_widgets as bw


def _mazur():
    return bw.presets.mazur()  # 2-2-2 sigmoid, half the squared error, two outputs


def _deep():
    net = bw.Network([2, 3, 2, 1], activation=["tanh", "sigmoid", "sigmoid"], seed=2)
    return net, [0.5, -0.3], [0.8]  # four layers, one output, one bias per neuron


NETWORKS = {"mazur": _mazur, "deep": _deep}


def _question(make, param):
    net, x, t = make()
    return net, bw.GradientQuestion(net, param, x, t)


def _squares(net, half=""):
    return " + ".join(f"{half}({o} - {t})^2" for o, t in zip(net.output_names, net.target_names))


# ------------------------------------------------------------------ the loss without its ½
@pytest.mark.parametrize("which", list(NETWORKS))
def test_twice_or_half_the_loss_is_named_for_what_it_is(which):
    net, q = _question(NETWORKS[which], "w1")
    fb = q.check(_squares(net))  # Σ (y - t)²: the ½ dropped
    assert fb.problems == ("end_value",), fb.message
    assert "This is 2·L (the loss without its ½), not its derivative dL/dw1" in fb.message
    fb = q.check(_squares(net, "0.25*"))  # the ½ twice
    assert fb.problems == ("end_value",), fb.message
    assert "½·L (the loss with its ½ twice)" in fb.message
    net_, x, t = NETWORKS[which]()
    fb = q.check(f"{2 * net_.loss(x, t):.9g}")  # the number
    assert "2·L" in fb.message, fb.message


def test_twice_the_loss_is_named_only_where_it_holds_at_every_draw():
    net, x, t = _mazur()
    q = bw.GradientQuestion(net, "w5", x, t)
    w5 = net.parameters()["w5"]
    fb = q.check(f"{2 * net.loss(x, t):.12g} * w5 / {w5}")  # 2L here, not at the re-draws
    assert not fb.correct
    assert "2·L" not in fb.message, fb.message
    fb = q.check("(o1 - t1)^2")  # one output's square: neither L nor 2L
    assert "2·L" not in fb.message and "L itself" not in fb.message


# ------------------------------------------------------------------ a₁², w₁₁³, δ₁³
@pytest.mark.parametrize(
    "answer", ["δ₁³ a₁²", "dC/dw₁₁³ = δ₁³·a₁²", "(a₁³ - t1) * a₁³ * (1 - a₁³) * a₁²"]
)
def test_unicode_subscript_first_is_read_as_nielsens(answer):
    _, q = _question(_mazur, "w5")
    fb = q.check(answer)
    assert fb.correct, fb.message
    assert "Nielsen" in fb.message


def test_unicode_subscript_first_names_the_unit_it_read():
    _, q = _question(_mazur, "w5")
    fb = q.check("δ₁³ a₂²")  # h2, not h1: dL/dw6
    assert fb.problems == ("wrong_parameter",)
    assert "a_2^2 = h2" in fb.message and "dL/dw6" in fb.message
    _, q = _question(_deep, "w1")
    assert q.check("δ₁² a₁¹").correct  # first hidden layer's delta times the first input
    fb = q.check("δ₁² a₂¹")
    assert not fb.correct and "a_2^1 = i2" in fb.message


def test_unicode_subscript_first_squares_stay_squares():
    _, q = _question(_mazur, "w5")
    fb = q.check("(o1 - t1) * o1*(1 - o1) * h₁² / h1")  # h1 is a node: h₁² is h1 squared
    assert fb.correct, fb.message
    assert "Nielsen" not in fb.message
    assert q.read("w₁²").interpreted == "w_{1}^{2}"  # one index: a weight squared
    _, q = _question(_deep, "w1")  # b1 is a parameter here: b₁² could be b1 squared
    fb = q.check("b₁²")
    assert fb.problems == ("ambiguous_name",) and "b1 to the power 2" in fb.message
