"""More of the textbooks' notation (issue 20, point 2), and the loss typed for its derivative.

CS231n's dw1 as the left side of an answer; 3Blue1Brown's y, asked about where the network
has no quantity of that name; Nielsen's layer numbers typed with Unicode superscripts and
subscripts (a²₁, δ³₁, w³₁₁) while h1² stays a square; and L itself typed for dL/dw, named
only where it is L at the question's values and at every re-draw.
"""

from __future__ import annotations

import pytest

import backprop_widgets as bw


def _mazur():
    return bw.presets.mazur()  # 2-2-2 sigmoid, half the squared error, two outputs


def _deep():
    net = bw.Network([2, 3, 2, 1], activation=["tanh", "sigmoid", "sigmoid"], seed=2)
    return net, [0.5, -0.3], [0.8]  # four layers, one output


def _question(make, param):
    net, x, t = make()
    return net, bw.GradientQuestion(net, param, x, t)


# ------------------------------------------------------------------ CS231n's dw1 = ...
@pytest.mark.parametrize("make", [_mazur, _deep])
def test_cs231n_dw1_on_the_left_is_the_question_written_out(make):
    net, q = _question(make, "w1")
    hidden = net.parameter_info("w1").targets[0]
    fb = q.check(f"dw1 = d{hidden}/dw1 * d{hidden}")
    assert fb.correct, fb.message
    assert f"d{hidden} = ∂L/∂{hidden}" in fb.message
    fb = q.check(f"dW1 = {q.expected!r}")  # CS231n's capital W, then the number
    assert fb.correct, fb.message


@pytest.mark.parametrize("make", [_mazur, _deep])
def test_a_wrong_right_side_after_dw1_is_judged_on_that_side(make):
    net, q = _question(make, "w1")
    hidden = net.parameter_info("w1").targets[0]
    wrong = f"dw1 = d{hidden}/dw1 * d{hidden} * 2"
    fb = q.check(wrong)
    alone = q.check(wrong.removeprefix("dw1 = "))
    assert not fb.correct
    assert "total_of_parameter" not in fb.problems, fb.message  # dw1 is not 'restating'
    assert fb.problems == alone.problems and fb.message == alone.message


def test_dw_of_another_parameter_on_the_left_is_named():
    _, q = _question(_mazur, "w1")
    fb = q.check("dw2 = dh1/dw1 * dh1")
    assert fb.problems == ("wrong_parameter",)
    assert "dL/dw2" in fb.message and "asks for dL/dw1" in fb.message
    fb = q.check("dw1")  # on its own it is still the question itself
    assert fb.problems == ("total_of_parameter",)


# ------------------------------------------------------------------ 3Blue1Brown's y
@pytest.mark.parametrize(
    ("make", "param", "answer", "named"),
    [
        (_mazur, "w5", "(o1 - y) * o1*(1 - o1) * h1", ["t1 or t2", "o1 or o2"]),
        (_mazur, "w5", "(o1 - y_1) * o1*(1 - o1) * h1", ["here t1)", "here o1)"]),
        (_mazur, "w5", "dC0/dy * dy/dw5", ["t1 or t2"]),
        (_deep, "w1", "(o1 - y) * o1", ["target", "here t1", "output", "here o1"]),
    ],
)
def test_y_on_a_network_without_y_is_asked_about_never_guessed(make, param, answer, named):
    _, q = _question(make, param)
    fb = q.check(answer)
    assert fb.problems == ("ambiguous_name",), fb.message
    assert "Which did you mean?" in fb.message
    for text in named:
        assert text in fb.message, fb.message


def test_y_is_the_networks_own_name_where_it_has_one():
    net, x, t = bw.presets.tiny()  # its target is called y
    q = bw.GradientQuestion(net, "b", x, t)
    fb = q.check("(y' - y) * y'*(1 - y')")
    assert "ambiguous_name" not in fb.problems, fb.message


# ------------------------------------------------------------------ a²₁, δ³₁, w³₁₁
@pytest.mark.parametrize(
    "answer",
    [
        "δ³₁ a²₁",  # BP4: ∂C/∂w^3_{11} = δ^3_1 a^2_1
        "dC/dw³₁₁ = δ³₁·a²₁",  # with the question written out
        "(a³₁ - t1) * a³₁ * (1 - a³₁) * a²₁",
        "\\delta³₁ \\cdot a²₁",
        "∂C/∂z³₁ * ∂z³₁/∂w³₁₁",
    ],
)
def test_unicode_layer_numbers_are_read_as_nielsens(answer):
    _, q = _question(_mazur, "w5")
    fb = q.check(answer)
    assert fb.correct, fb.message
    assert "Nielsen" in fb.message


def test_unicode_layer_numbers_name_the_unit_they_read():
    _, q = _question(_mazur, "w5")
    fb = q.check("δ³₁ a²₂")  # h2, not h1: this is dL/dw6
    assert fb.problems == ("wrong_parameter",)
    assert "a^2_2 = h2" in fb.message and "dL/dw6" in fb.message
    fb = q.check("δ⁴₁ a²₁")  # Mazur's network has three layers
    assert fb.problems == ("layer_index",)
    assert "layers 1 to 3" in fb.message


def test_unicode_layer_numbers_on_a_deeper_network():
    _, q = _question(_deep, "w1")
    # dC/dw^2_{11} = δ^2_1 a^1_1: the first hidden layer's delta times the first input
    fb = q.check("δ²₁ a¹₁")
    assert fb.correct, fb.message
    fb = q.check("δ²₁ a¹₂")  # the other input: another weight's gradient
    assert not fb.correct


def test_squares_stay_squares():
    _, q = _question(_mazur, "w5")
    fb = q.check("(o1 - t1) * o1*(1 - o1) * h1 * h1²/h1^2")
    assert fb.correct, fb.message
    assert "Nielsen" not in fb.message
    net = bw.Network([1, 1, 1], activation="tanh", seed=0)
    q = bw.GradientQuestion(net, "w2", [0.4], [0.1])
    assert q.check("(o1 - t1) * (1 - o1²) * h1").correct
    g = bw.expression("f = x * x * y", x=3, y=2)
    assert bw.GradientQuestion(g, "y").check("x²").correct


# ------------------------------------------------------------------ L for dL/dw
LOSS_TYPED = ["0.5*(o1-t1)^2 + 0.5*(o2-t2)^2", "(o1-t1)^2/2 + (o2-t2)^2/2", "E_total", "C0"]


@pytest.mark.parametrize("answer", LOSS_TYPED)
def test_the_loss_typed_for_its_derivative_is_named(answer):
    _, q = _question(_mazur, "w5")
    fb = q.check(answer)
    assert fb.problems == ("end_value",), fb.message
    assert "L itself (the value of the loss), not its derivative dL/dw5" in fb.message


def test_the_loss_as_a_number_and_on_other_questions():
    net, x, t = _mazur()
    q = bw.GradientQuestion(net, "w1", x, t)
    fb = q.check(f"{net.loss(x, t):.9g}")
    assert fb.problems == ("end_value",) and "dL/dw1" in fb.message
    fb = bw.DeltaQuestion(net, "o1", x, t).check("L")
    assert fb.problems == ("end_value",) and "L itself" in fb.message
    net, x, t = _deep()
    fb = bw.GradientQuestion(net, "w3", x, t).check("0.5*(o1 - t1)^2")
    assert fb.problems == ("end_value",), fb.message


def test_the_loss_is_named_only_where_it_is_the_loss_at_every_draw():
    net, x, t = _mazur()
    q = bw.GradientQuestion(net, "w5", x, t)
    w5 = net.parameters()["w5"]
    # equal to L at these weights, not at the re-draws
    fb = q.check(f"{net.loss(x, t):.12g} * w5 / {w5}")
    assert not fb.correct
    assert "L itself" not in fb.message, fb.message


def test_a_superscript_then_a_digit_is_a_product_and_spaced_digits_are_still_refused():
    _, q = _question(_mazur, "w1")
    assert q.check(f"{q.expected!r} * 2²1 / 4").correct  # 2² · 1 / 4 = 1
    fb = q.check("0.000 438 568")
    assert fb.problems == ("syntax_error",) and "side by side" in fb.message
