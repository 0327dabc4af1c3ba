"""A student's variant of a graph question draws a target where the output can reach it.

``question.variant(student)`` on a computation graph draws new leaf values; a leaf compared
with an output by the loss (``L = 0.5 * (y - t)^2``, a written-out bce) is drawn inside the
range of the activation that made the output, away from its edges: t in (0, 1) for a sigmoid,
(-1, 1) for tanh, [0, inf) for relu. Every other leaf is drawn as before.
"""

import math

import pytest

import backprop_widgets as bw
from backprop_widgets.exercises.graph_variants import target_ranges

LEAVES = {"x": 1.5, "w": 0.8, "b": -0.5, "t": 0.2}
IDS = [f"student-{k:03d}" for k in range(200)]


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def relu(v):
    return max(v, 0.0)


# name: (statements, the output's activation, the loss of the leaves written independently,
# the range t must be drawn in: a tenth of a bounded range's width from either edge)
NEURONS = {
    "sigmoid": (
        "p = w * x; z = p + b; y = sigma(z); r = y - t; s = r^2; L = 0.5 * s",
        lambda x, w, b, t: 0.5 * (sigmoid(w * x + b) - t) ** 2,
        (0.1, 0.9),
    ),
    "tanh": (
        "z = w * x + b; y = tanh(z); L = 0.5 * (t - y)^2",
        lambda x, w, b, t: 0.5 * (t - math.tanh(w * x + b)) ** 2,
        (-0.8, 0.8),
    ),
    "relu": (
        "z = w * x + b; y = relu(z); r = y - t; L = r * r",
        lambda x, w, b, t: (relu(w * x + b) - t) ** 2,
        (0.1, 1.5),
    ),
    "bce": (
        "z = w * x + b; y = sigma(z); L = -(t * log(y) + (1 - t) * log(1 - y))",
        lambda x, w, b, t: -(t * math.log(sigmoid(w * x + b)) + (1 - t) * math.log(1 - sigmoid(w * x + b))),
        (0.1, 0.9),
    ),
}  # fmt: skip
_QUESTIONS = {}


def question(neuron, asked="w"):
    if (neuron, asked) not in _QUESTIONS:
        graph = bw.expression(NEURONS[neuron][0], **LEAVES)
        _QUESTIONS[neuron, asked] = bw.GradientQuestion(graph, asked)
    return _QUESTIONS[neuron, asked]


def leaves(q):
    return {n: q.graph.value(n) for n in LEAVES}


def finite_difference(loss, values, name, h=1e-6):
    up, down = dict(values), dict(values)
    up[name] += h
    down[name] -= h
    return (loss(**up) - loss(**down)) / (2 * h)


@pytest.mark.parametrize("neuron", ["sigmoid", "tanh"])
@pytest.mark.parametrize("asked", ["w", "t"])
def test_every_target_is_inside_the_output_range_and_every_answer_is_the_graphs(neuron, asked):
    _, loss, (low, high) = NEURONS[neuron]
    q = question(neuron, asked)
    for student in IDS:
        values = leaves(q.variant(student))
        t = values["t"]
        assert low <= t <= high and round(t, 2) == t, (student, values)
        v = q.variant(student)
        fd = finite_difference(loss, values, asked)
        assert math.isclose(v.expected, fd, rel_tol=1e-6, abs_tol=1e-9), (student, values)
        assert abs(v.expected) > 1e-4  # not degenerate, as every variant
        assert v.check(f"{v.expected:.6g}").correct


@pytest.mark.parametrize("neuron", ["relu", "bce"])
def test_a_relu_target_is_not_negative_and_a_bce_target_is_a_probability(neuron):
    _, loss, (low, high) = NEURONS[neuron]
    q = question(neuron)
    for student in IDS[:60]:
        v = q.variant(student)
        values = leaves(v)
        assert low <= values["t"] <= high, (student, values)
        fd = finite_difference(loss, values, "w")
        assert math.isclose(v.expected, fd, rel_tol=1e-6, abs_tol=1e-9), (student, values)


@pytest.mark.parametrize("neuron", list(NEURONS))
def test_the_same_id_gives_the_same_numbers(neuron):
    again = bw.GradientQuestion(bw.expression(NEURONS[neuron][0], **LEAVES), "w")
    for student in IDS[:20]:
        first = question(neuron).variant(student)
        second = again.variant(f"  {student.upper()} ")  # case and spaces do not count
        assert leaves(first) == leaves(second) and first.expected == second.expected


@pytest.mark.parametrize("neuron", ["sigmoid", "tanh"])
def test_the_target_and_the_other_leaves_still_vary(neuron):
    drawn = [leaves(question(neuron).variant(s)) for s in IDS]
    for name in ("x", "w", "b"):
        seen = [d[name] for d in drawn]
        assert len(set(seen)) > 60, name
        assert min(seen) < 0 < max(seen), name  # both signs, as before
        assert all(0.1 <= abs(v) <= 1.5 and round(v, 2) == v for v in seen), name
    assert len({d["t"] for d in drawn}) > 40


def test_a_graph_without_a_target_keeps_its_draws():
    # the variants of CS231n's circuit and colah's graph as they were before targets
    cs231n = bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
    expected = {"s1": (-1, -4, 2), "ada": (-1, -5, 4), "42": (3, 4, -5)}
    for student, (x, y, z) in expected.items():
        g = bw.GradientQuestion(cs231n, "x").variant(student).graph
        assert (g.value("x"), g.value("y"), g.value("z")) == (x, y, z)
    colah = bw.expression("c = a + b; d = b + 1; e = c * d", a=2, b=1)
    g = bw.DeltaQuestion(colah, "c").variant("s1").graph
    assert (g.value("a"), g.value("b")) == (-5, -5)


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("y = sigma(w * x); L = 0.5 * (y - t)^2", {"t": (0.0, 1.0)}),
        ("y = tanh(w * x); r = t - y; L = r^2", {"t": (-1.0, 1.0)}),
        ("y = relu(w * x); r = y - t; L = r * r", {"t": (0.0, math.inf)}),
        ("y = sigma(w * x); L = -(t * log(y) + (1 - t) * log(1 - y))", {"t": (0.0, 1.0)}),
        ("y = w * x; L = 0.5 * (y - t)^2", {}),  # a linear output: any target
        ("y = sigma(w * x); f = 0.5 * (y - t)^2", {}),  # the end is not a loss L
        ("y = sigma(w * x); L = 2 * (y - t)", {}),  # not squared: no comparison
        ("y = sigma(w * x); L = (y - t)^3", {}),
    ],
)
def test_which_leaves_are_targets(text, ranges):
    graph = bw.expression(text, w=0.8, x=1.5, t=0.2)
    assert target_ranges(graph) == ranges


def test_the_prompt_shows_the_target_by_name_and_value():
    from backprop_widgets.widgets.exercise_html import prompt_html

    v = question("tanh").variant("student-003")
    assert f"t = {v.graph.value('t'):g}$" in prompt_html(v)
    assert f"t={v.graph.value('t'):g}" in repr(v)
