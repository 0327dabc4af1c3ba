"""The other question types on any computation graph (issue 19, point 4).

``ForwardQuestion`` (a computed node given the leaves), ``DeltaQuestion`` (d end / d node),
``LossQuestion`` (a graph whose end is its loss) and ``UpdateQuestion`` (a leaf after one SGD
step down the end) take a graph as they take a network. Reference values: CS231n's circuit
f = (x + y) z at x = -2, y = 5, z = -4 (q = 3, f = -12, df/dx = df/dy = -4, df/dz = 3) and
colah's e = (a + b)(b + 1) at a = 2, b = 1 (c = 3, d = 2, e = 6, de/da = 2, de/db = 5).
"""

import math
import re

import pytest

import backprop_widgets as bw
from backprop_widgets.core.errors import BackpropInputError

CS231N = ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4})
COLAH = ("c = a + b; d = b + 1; e = c * d", {"a": 2, "b": 1})
# a neuron and its squared error, the end named L as this package names a loss
LOSS = (
    "p = w * x; z = p + b; y = sigma(z); r = y - t; s = r^2; L = 0.5 * s",
    {"x": 1.5, "w": 0.8, "b": -0.5, "t": 0.2},
)


def graph(spec):
    text, values = spec
    return bw.expression(text, **values)


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def loss_at(x, w, b, t):
    return 0.5 * (sigmoid(w * x + b) - t) ** 2


MAKERS = {
    "cs-q": lambda: bw.ForwardQuestion(graph(CS231N), "q"),
    "cs-f": lambda: bw.ForwardQuestion(graph(CS231N), "f"),
    "cs-delta-q": lambda: bw.DeltaQuestion(graph(CS231N), "q"),
    "cs-x+": lambda: bw.UpdateQuestion(graph(CS231N), "x", lr=0.1),
    "cs-z+": lambda: bw.UpdateQuestion(graph(CS231N), "z", lr=0.1),
    "colah-e": lambda: bw.ForwardQuestion(graph(COLAH), "e"),
    "colah-delta-c": lambda: bw.DeltaQuestion(graph(COLAH), "c"),
    "colah-delta-d": lambda: bw.DeltaQuestion(graph(COLAH), "d"),
    "colah-b+": lambda: bw.UpdateQuestion(graph(COLAH), "b", lr=0.1),
    "loss-L": lambda: bw.LossQuestion(graph(LOSS)),
    "loss-delta-z": lambda: bw.DeltaQuestion(graph(LOSS), "z"),
    "loss-w+": lambda: bw.UpdateQuestion(graph(LOSS), "w", lr=0.5),
}
_BUILT = {}


def question(name):
    if name not in _BUILT:
        _BUILT[name] = MAKERS[name]()
    return _BUILT[name]


L0 = loss_at(1.5, 0.8, -0.5, 0.2)
Y0 = sigmoid(0.7)
DZ0 = (Y0 - 0.2) * Y0 * (1 - Y0)  # dL/dz
EXPECTED = {
    "cs-q": 3.0, "cs-f": -12.0, "cs-delta-q": -4.0, "cs-x+": -2 - 0.1 * -4, "cs-z+": -4 - 0.1 * 3,
    "colah-e": 6.0, "colah-delta-c": 2.0, "colah-delta-d": 3.0, "colah-b+": 1 - 0.1 * 5,
    "loss-L": L0, "loss-delta-z": DZ0, "loss-w+": 0.8 - 0.5 * DZ0 * 1.5,
}  # fmt: skip


@pytest.mark.parametrize("name", list(MAKERS))
def test_the_asked_value_is_the_published_one(name):
    q = question(name)
    assert math.isclose(q.expected, EXPECTED[name], rel_tol=1e-12, abs_tol=1e-12)
    assert q.check(repr(EXPECTED[name])).correct
    assert q.hints()[-1].startswith("Here ") and q.solution().endswith(f"{q.expected:.9g}")


# (question, answer, correct, first problem code, words the message must hold)
TABLE = [
    ("cs-q", "x + y", True, None, "other random choices of the leaves' values"),
    ("cs-q", "q = x + y", True, None, ""),
    ("cs-q", "x*y", False, "wrong_operation", "This is x × y: q = x + y adds them"),
    ("cs-q", "-10", False, "wrong_operation", "adds them"),
    ("cs-q", "-3", False, "wrong_sign", "sign is wrong"),
    ("cs-q", "q", False, "restates_the_question", "q is the quantity asked for"),
    ("cs-q", "f / z", False, "restates_the_question", "f comes after q"),
    ("cs-q", "dq/dx", False, "restates_the_question", "without derivatives"),
    ("cs-f", "q * z", True, None, ""),
    ("cs-f", "(x + y) * z", True, None, ""),
    ("cs-f", "q + z", False, "wrong_operation", "f = q * z multiplies them"),
    ("cs-f", "12", False, "wrong_sign", "sign is wrong"),
    ("cs-f", "3", False, "wrong_node", "This is q = x + y, not f"),
    ("cs-delta-q", "z", True, None, ""),
    ("cs-delta-q", "delta_q = z", True, None, ""),
    ("cs-delta-q", "4", False, "wrong_sign", "sign is wrong"),
    ("cs-delta-q", "x + y", False, "wrong_parameter", "This is df/dz, but the question asks for df/dq"),
    ("cs-delta-q", "df/dq", False, "restates_the_question", "is the delta asked for"),
    ("cs-x+", "x - 0.1 * df/dx", True, None, ""),
    ("cs-x+", "x - 0.1 * z", True, None, ""),
    ("cs-x+", "x - 0.1 * delta_q", True, None, ""),
    ("cs-x+", "-0.4", False, "step_only", "the step 0.1·df/dx alone"),
    ("cs-x+", "0.4", False, "step_only", "the change in x, alone"),
    ("cs-x+", "-2.4", False, "step_wrong_sign", "went uphill"),
    ("cs-x+", "x + 0.1 * z", False, "step_wrong_sign", "went uphill"),
    ("cs-x+", "-4", False, "gradient_for_update", "This is the gradient df/dx"),
    ("cs-x+", "-2", False, "no_step", "This is x before the step"),
    ("cs-x+", "x - z", False, "step_without_lr", "without the learning rate"),
    ("cs-x+", "x - 0.1 * q", False, "wrong_parameter", "computed with df/dz"),
    ("cs-z+", "z - 0.1 * q", True, None, ""),
    ("cs-z+", "-3.7", False, "step_wrong_sign", "went uphill"),
    ("colah-e", "c * d", True, None, ""),
    ("colah-e", "(a + b) * (b + 1)", True, None, ""),
    ("colah-e", "c + d", False, "wrong_operation", "e = c * d multiplies them"),
    ("colah-e", "3", False, "wrong_node", "This is c = a + b, not e"),
    ("colah-e", "2", False, "wrong_node", "This is d = b + 1, not e"),
    ("colah-delta-c", "d", True, None, ""),
    ("colah-delta-c", "b + 1", True, None, ""),
    ("colah-delta-c", "c", False, "wrong_parameter", "This is de/dd"),
    ("colah-delta-d", "a + b", True, None, ""),
    ("colah-b+", "b - 0.1 * (c + d)", True, None, ""),
    ("colah-b+", "b - 0.1 * (dc/db * delta_c + dd/db * delta_d)", True, None, ""),
    ("colah-b+", "1.5", False, "step_wrong_sign", "went uphill"),
    ("colah-b+", "b - 0.1 * d", False, "wrong_parameter", "computed with de/da"),
    ("loss-L", "0.5 * (y - t)^2", True, None, ""),
    ("loss-L", "1/2 (t - sigma(w*x + b))^2", True, None, ""),
    ("loss-L", "L = 0.5 * s", True, None, ""),
    ("loss-L", "E = 0.5 * (y - t)^2", True, None, ""),  # E names the loss L
    ("loss-L", "(y - t)^2", False, "loss_constant", "This is 2 × the loss"),
    ("loss-L", "s", False, "loss_constant", "This is 2 × the loss"),
    ("loss-L", "y - t", False, "wrong_node", "This is r = y - t, not L"),
    ("loss-L", "L", False, "restates_the_question", "not L itself"),
    ("loss-L", "dL/dy", False, "restates_the_question", "no derivatives"),
    ("loss-delta-z", "(y - t) * y * (1 - y)", True, None, ""),
    ("loss-delta-z", "dy/dz * delta_y", True, None, ""),
    ("loss-delta-z", "dL/dz", False, "restates_the_question", "is the delta asked for"),
    ("loss-w+", "w - 0.5 * x * (y - t) * y * (1 - y)", True, None, ""),
    ("loss-w+", "w - 0.5 * x * delta_z", True, None, ""),
    ("loss-w+", "w - 0.5 * dL/dw", True, None, ""),
    ("loss-w+", "w + 0.5 * x * delta_z", False, "step_wrong_sign", "went uphill"),
    ("loss-w+", "x * delta_z", False, "gradient_for_update", "This is the gradient dL/dw"),
]  # fmt: skip


@pytest.mark.parametrize(
    "name, answer, correct, code, words",
    TABLE,
    ids=[f"{n}-{k}" for k, (n, *_rest) in enumerate(TABLE)],
)
def test_answers_are_judged_and_slips_named(name, answer, correct, code, words):
    fb = question(name).check(answer)
    assert fb.correct is correct, fb.message
    if code is not None:
        assert fb.problems[0] == code, fb.message
    assert words in fb.message, fb.message
    assert not fb.message.endswith("\n")


def test_prompts_state_what_is_asked():
    assert [question(n).prompt for n in ("cs-q", "cs-delta-q", "cs-x+", "loss-L")] == [
        "q", "delta_q", "x+", "L",
    ]  # fmt: skip
    assert question("cs-delta-q").note.startswith("δ_q (delta_q) is df/dq")
    assert "learning rate 0.1" in question("cs-x+").note
    assert "x⁺ = x − lr·df/dx" in question("cs-x+").note
    assert repr(question("cs-x+")) == "<UpdateQuestion x+ at x=-2, y=5, z=-4>"


def test_hints_hold_at_the_question_s_values():
    hints = question("cs-f").hints()
    assert hints[0] == "f = q * z: compute it from its inputs, q, z."
    assert "q = x + y = 3" in hints[1] and hints[-1] == "Here f = -12."
    delta = question("colah-delta-c").hints()
    assert "delta_c = de/dc" in delta[1] and delta[-1] == "Here delta_c = 2."
    update = question("cs-x+").hints()
    assert update[1] == "First find df/dx = -4; lr = 0.1."
    assert update[-1] == "Here x⁺ = -2 − 0.1·(-4) = -1.6."
    assert question("loss-L").hints()[-1] == f"Here L = {L0:.6g}."


def test_update_matches_finite_differences():
    g = graph(LOSS)
    h = 1e-6
    numeric = (loss_at(1.5, 0.8 + h, -0.5, 0.2) - loss_at(1.5, 0.8 - h, -0.5, 0.2)) / (2 * h)
    q = question("loss-w+")
    assert math.isclose(q.expected, g.value("w") - 0.5 * numeric, rel_tol=1e-8)


def test_a_network_s_graph_is_its_network_s_loss_question():
    net, x, t = bw.presets.mazur()
    for level in ("neuron", "operation"):
        q = bw.LossQuestion(net.graph(x, t, level=level))
        assert q.net is not None and q.check("0.298371109").correct
        assert q.check("E_total = 1/2 (t1 - o1)^2 + 1/2 (t2 - o2)^2").correct
    fwd = bw.ForwardQuestion(net.graph(x, t), "h1")
    assert fwd.check("0.593269992").correct and fwd.check("sigma(net_h1)").correct


# ---------------------------------------------------------------- variants
VARIANT_CHECKS = {
    # question: (the leaves, its value from the variant's leaves, a formula right for everyone)
    "cs-q": (("x", "y", "z"), lambda v: v["x"] + v["y"], "x + y"),
    "cs-delta-q": (("x", "y", "z"), lambda v: v["z"], "z"),
    "cs-x+": (("x", "y", "z"), lambda v: v["x"] - 0.1 * v["z"], "x - 0.1 * z"),
    "colah-delta-c": (("a", "b"), lambda v: v["b"] + 1, "d"),
    "colah-b+": (("a", "b"), lambda v: v["b"] - 0.1 * (v["a"] + 2 * v["b"] + 1), "b - 0.1*(c + d)"),
    "loss-L": (("x", "w", "b", "t"), lambda v: loss_at(v["x"], v["w"], v["b"], v["t"]),
               "0.5 * (y - t)^2"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(VARIANT_CHECKS))
def test_variants_draw_fresh_leaves_consistently(name):
    leaves, value_of, formula = VARIANT_CHECKS[name]
    q = question(name)
    a, a2, b = q.variant("stu1"), q.variant(" STU1 "), q.variant("stu2")
    values = {k: {n: v.graph.value(n) for n in leaves} for k, v in (("a", a), ("a2", a2), ("b", b))}
    assert values["a"] == values["a2"]  # the same id: the same numbers, for the autograder
    assert values["a"] != values["b"]
    assert values["a"] != {n: q.graph.value(n) for n in leaves}
    for v, vals in ((a, values["a"]), (b, values["b"])):
        assert type(v) is type(q) and v.prompt == q.prompt and v.note == q.note
        assert math.isclose(v.expected, value_of(vals), rel_tol=1e-12, abs_tol=1e-12)
        assert v.check(formula).correct and v.check(repr(v.expected)).correct
        assert not v.check(repr(q.expected)).correct  # the question's own number is not theirs
        assert v.hints()[-1].startswith("Here ")


def test_a_variant_of_the_sgd_question_keeps_its_learning_rate():
    v = question("cs-x+").variant("stu3")
    assert v.lr == 0.1 and "learning rate 0.1" in v.note
    assert v.check("x - 0.1 * df/dx").correct


# ---------------------------------------------------------------- bad input
BAD = [
    (lambda g: bw.ForwardQuestion(g, "x"), r"node must be a node the graph computes \(not a leaf\): "
     r"one of q, f; got 'x'"),
    (lambda g: bw.ForwardQuestion(g, "w"), "one of q, f; got 'w'"),
    (lambda g: bw.ForwardQuestion(g, 3), "got 3"),
    (lambda g: bw.DeltaQuestion(g, "f"), r"node must be a node the graph computes, other than its "
     r"end: one of q; got 'f'"),
    (lambda g: bw.DeltaQuestion(g, "x"), "one of q; got 'x'"),
    (lambda g: bw.DeltaQuestion(g, "q", convention="net"),
     r"convention must be 'node' for a computation graph \(it has no net inputs: delta_q is "
     r"df/dq\); got 'net'"),
    (lambda g: bw.UpdateQuestion(g, "q", lr=0.1),
     r"param must be a leaf of the graph \(an input or a parameter\): one of x, y, z; got 'q'"),
    (lambda g: bw.UpdateQuestion(g, "x"), "lr must be a positive, finite number .*; got None"),
    (lambda g: bw.UpdateQuestion(g, "x", lr=-0.1), "lr must be .*; got -0.1"),
    (lambda g: bw.UpdateQuestion(g, "x", lr=float("nan")), "lr must be"),
    (lambda g: bw.LossQuestion(g), r"net must be a network, or a computation graph whose end is "
     r"its loss .*; got 'a graph ending at f = q \* z'"),
    (lambda g: bw.ForwardQuestion(g, "q", [1.0], [0.0]), "x and t must be None for a computation graph"),
    (lambda g: bw.UpdateQuestion(g, "x", [1.0], None, 0.1), "x and t must be None"),
]  # fmt: skip


@pytest.mark.parametrize("make, message", BAD, ids=[str(k) for k in range(len(BAD))])
def test_bad_arguments_are_refused_with_the_reason(make, message):
    with pytest.raises(BackpropInputError, match=message):
        make(graph(CS231N))


def test_a_network_question_still_needs_its_example():
    net, _, _ = bw.presets.mazur()
    with pytest.raises(BackpropInputError, match="x"):
        bw.ForwardQuestion(net, "h1")


@pytest.mark.parametrize(
    "answer",
    ["", None, "   ", "x +", "__import__('os').system('echo hi')", "q.__class__", "1e400",
     float("inf"), "x" * 20_000, "((((((((((x", "dq/d", "∂q/∂x", "\\frac{1}{0}", "1/0", True],
)  # fmt: skip
def test_typed_answers_never_raise(answer):
    for name in ("cs-q", "cs-delta-q", "cs-x+", "loss-L"):
        fb = question(name).check(answer)
        assert fb.correct is False and fb.problems and fb.message
        assert "internal_error" not in fb.problems, fb.message


# ---------------------------------------------------------------- the exercise widget
def test_the_exercise_widget_states_the_learning_rate_and_checks():
    ex = bw.GradientExercise(question("cs-x+"), answers=False)
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", ex.prompt))
    assert "learning rate 0.1" in text and "q = x + y" in text
    assert ex.check("x - 0.1 * z").correct
    fb = ex.check("-2.4")
    assert not fb.correct and fb.problems == ("step_wrong_sign",)
    assert 'data-verdict="correct"' not in ex.feedback
