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


# ------------------------------------------------------------------ Goodfellow's J and ∇
def _hidden(net, param):
    return net.parameter_info(param).targets[0]


@pytest.mark.parametrize("which", list(NETWORKS))
def test_goodfellows_cost_j_is_the_loss_with_a_read_as_line(which):
    net, q = _question(NETWORKS[which], "w1")
    h = _hidden(net, "w1")
    for answer in (f"dJ/d{h} * d{h}/dw1", f"∂J/∂{h} ∂{h}/∂w1"):
        fb = q.check(answer)
        assert fb.correct, (answer, fb.message)
        assert "Read as Goodfellow writes it" in fb.message and "J = L" in fb.message
    fb = q.check("dJ/dw1")  # the question itself, as dL/dw1 alone
    assert fb.problems == ("total_of_parameter",)
    fb = q.check(f"dJ/d{h} * d{h}/dw2")  # the wrong weight
    assert not fb.correct


@pytest.mark.parametrize("which", list(NETWORKS))
@pytest.mark.parametrize(
    "form", ["∇_{h} J * d{h}/dw1", "∇_{{{h}}} J ∂{h}/∂w1", "\\nabla_{{{h}}} J \\cdot d{h}/dw1"]
)
def test_goodfellows_gradient_operator_is_read_as_a_derivative_of_j(which, form):
    net, q = _question(NETWORKS[which], "w1")
    h = _hidden(net, "w1")
    fb = q.check(form.format(h=h))
    assert fb.correct, fb.message
    assert f"∇_{h} J = ∂L/∂{h}" in fb.message


@pytest.mark.parametrize("answer", ["∇_w1 J", "∇_{w_1} J", "\\nabla_{w_1} J"])
def test_nabla_of_the_asked_weight_alone_restates_the_question(answer):
    _, q = _question(_mazur, "w1")
    fb = q.check(answer)
    assert fb.problems == ("total_of_parameter",), fb.message
    assert "∂L/∂w1" in fb.message


def test_nabla_without_its_subscript_or_its_function_says_what_to_write():
    _, q = _question(_mazur, "w1")
    for answer in ("∇J", "∇_w1"):
        fb = q.check(answer)
        assert fb.problems == ("syntax_error",)
        assert "∇_{w1} J" in fb.message


def test_a_network_node_called_j_means_that_node():
    net = bw.Network([1, 1, 1], node_names=[["x"], ["J"], ["y"]], seed=0)
    q = bw.GradientQuestion(net, "w1", [0.5], [0.1])
    fb = q.check("dL/dJ * dJ/dw1")  # J is the hidden unit here, never the cost
    assert fb.correct, fb.message
    assert "Goodfellow" not in fb.message


# ------------------------------------------------------------------ Goodfellow's h^(k), a^(k)
def _goodfellow_bp(net, weight):
    """∂J/∂w as Goodfellow's layers write it: ∂J/∂a^(k)_j · h^(k-1)_i (units from 1)."""
    info = net.parameter_info(weight)
    layers = net.node_names
    j = layers[info.layer].index(info.targets[0]) + 1
    i = layers[info.layer - 1].index(info.source) + 1
    return info.layer, j, i


@pytest.mark.parametrize("which", list(NETWORKS))
def test_goodfellows_h_and_a_read_with_the_input_as_h0(which):
    net, x, t = NETWORKS[which]()
    for weight in (net.weight_names[0], net.weight_names[-1]):
        q = bw.GradientQuestion(net, weight, x, t)
        k, j, i = _goodfellow_bp(net, weight)
        fb = q.check(f"dJ/da^({k})_{j} * h^({k - 1})_{i}")
        assert fb.correct, fb.message
        assert "the input is h^(0)" in fb.message
        assert f"a^({k})_{j} = net_{net.node_names[k][j - 1]}" in fb.message
        assert f"h^({k - 1})_{i} = {net.node_names[k - 1][i - 1]}" in fb.message


def test_goodfellows_chain_through_h_and_a_on_mazur():
    _, q = _question(_mazur, "w1")
    fb = q.check("dJ/dh^(1)_1 * dh^(1)_1/da^(1)_1 * da^(1)_1/dw1")
    assert fb.correct, fb.message
    _, q = _question(_mazur, "w5")
    fb = q.check("(h^(2)_1 - t1) * h^(2)_1 * (1 - h^(2)_1) * h^(1)_1")
    assert fb.correct, fb.message
    assert "h^(2)_1 = o1" in fb.message


def test_goodfellows_wrong_unit_or_layer_is_named():
    _, q = _question(_mazur, "w5")
    fb = q.check("dJ/da^(2)_1 * h^(1)_2")  # h2: dL/dw6
    assert fb.problems == ("wrong_parameter",)
    assert "h^(1)_2 = h2" in fb.message and "dL/dw6" in fb.message
    fb = q.check("h^(3)_1")
    assert fb.problems == ("layer_index",)
    assert "layers 0 to 2 (0: i1, i2; 1: h1, h2; 2: o1, o2)" in fb.message
    fb = q.check("dJ/da^(0)_1 * h^(0)_1")
    assert fb.problems == ("layer_index",) and "no net input" in fb.message


def test_goodfellows_wider_layer_needs_its_unit():
    _, q = _question(_deep, "w1")
    fb = q.check("dJ/da^(1)_1 * h^(0)")  # the input layer has two units
    assert fb.problems == ("ambiguous_name",)
    assert "h^(0)_1 for i1" in fb.message


@pytest.mark.parametrize("which", list(NETWORKS))
def test_a_bracketed_a_without_h_is_asked_about_never_guessed(which):
    net, q = _question(NETWORKS[which], "w1")
    fb = q.check("dJ/da^(1)_1 * a^(0)_1")  # Goodfellow's net input, or an activation?
    assert fb.problems == ("ambiguous_name",), fb.message
    assert "Which did you mean?" in fb.message
    assert f"here net_{net.node_names[1][0]}" in fb.message and "h^(1)_1" in fb.message


def test_3b1b_names_still_read_as_3b1b_without_h():
    net = bw.Network([1, 1, 1], seed=1)
    q = bw.GradientQuestion(net, net.weight_names[-1], [0.7], [0.2])
    fb = q.check("a^(L-1) σ'(z^(L)) (a^(L)-t1)")
    assert fb.correct, fb.message
    assert "3Blue1Brown" in fb.message and "Goodfellow" not in fb.message


# ------------------------------------------------------------------ CS231n's dW
@pytest.mark.parametrize("which", list(NETWORKS))
def test_dw_is_a_whole_matrix_and_the_question_asks_for_one_weight(which):
    net, x, t = NETWORKS[which]()
    for weight in (net.weight_names[0], net.weight_names[-1]):
        q = bw.GradientQuestion(net, weight, x, t)
        info = net.parameter_info(weight)
        for answer in ("dW", f"dW = d{info.targets[0]}/d{weight} * d{info.targets[0]}"):
            fb = q.check(answer)
            assert fb.problems == ("whole_matrix",), fb.message
            assert "gradient of a whole weight matrix" in fb.message
            assert f"asks for one weight, {weight}: write d{weight} or ∂L/∂{weight}" in fb.message
            assert f"one entry of W{info.layer}" in fb.message
            assert f"{weight} joins {info.source} to {info.targets[0]}" in fb.message


def test_dw_for_a_bias_question_names_the_bias():
    _, q = _question(_mazur, "b1")
    fb = q.check("dW")
    assert fb.problems == ("whole_matrix",)
    assert "one bias, b1: write db1 or ∂L/∂b1" in fb.message


# ------------------------------------------------------------------ CS231n on a graph
def _circuit():
    return bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)


@pytest.mark.parametrize("answer", ["dx = dq/dx * dq", "dq/dx * dq", "dx = z", "dx = -4"])
def test_cs231n_dx_on_a_graph_is_the_question_and_dq_the_upstream_gradient(answer):
    q = bw.GradientQuestion(_circuit(), "x")
    fb = q.check(answer)
    assert fb.correct, fb.message
    if "dq" in answer.replace("dq/", ""):
        assert "dq = ∂f/∂q" in fb.message


def test_cs231n_on_a_graph_names_the_wrong_left_side_and_upstream_gradient():
    q = bw.GradientQuestion(_circuit(), "x")
    fb = q.check("dy = dq/dx * dq")
    assert fb.problems == ("wrong_parameter",)
    assert "df/dy (CS231n's dy)" in fb.message and "asks for df/dx" in fb.message
    fb = q.check("dx = dq/dx * dz")  # the upstream gradient of the wrong node
    assert not fb.correct and "dz = ∂f/∂z" in fb.message
    q = bw.GradientQuestion(_circuit(), "q")
    assert q.check("dq = z").correct  # an intermediate node's gradient


def test_on_a_graph_with_a_node_d_dc_is_asked_about():
    g = bw.expression("c = a + b; d = b + 1; e = c * d", a=2, b=1)  # colah's
    q = bw.GradientQuestion(g, "b")
    fb = q.check("dc + d")
    assert fb.problems == ("ambiguous_name",), fb.message
    assert "d·c" in fb.message and "∂e/∂c" in fb.message
    assert q.check("d + c").correct
