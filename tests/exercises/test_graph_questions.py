"""The checker on any computation graph (issue 19, points 4 and 7).

``GradientQuestion(graph, "x")`` judges typed answers against the graph's own local
derivatives, as it does for a network: a derivation table on CS231n's circuit, colah's
merging paths, a neuron written as an expression, a residual block and a weight used twice;
property tests on random expression graphs (every correct cut accepted, any factor replaced
by an impossible one refused and named); variants drawn again for graphs.
"""

import math

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import backprop_widgets as bw
from backprop_widgets.core import Graph, Value
from backprop_widgets.core.errors import BackpropInputError

GRAPHS = {
    "cs231n": ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}),
    "colah": ("c = a + b; d = b + 1; e = c * d", {"a": 2, "b": 1}),
    "neuron": (
        "p1 = w1 * x1; p2 = w2 * x2; s = p1 + p2; z = s + b; h = sigma(z)",
        {"x1": 0.5, "x2": -1.0, "w1": 0.3, "w2": 0.8, "b": 0.1},
    ),
    "residual": (
        "a = w1 * x; h = tanh(a); F = w2 * h; y = x + F; L = 0.5 * (y - t)^2",
        {"x": 0.5, "w1": 0.8, "w2": -1.2, "t": 0.2},
    ),
    "both": ("u = x * y; v = tanh(u); f = u * v", {"x": 0.5, "y": 0.8}),
    "twice": (
        "a = w * x; h = tanh(a); y = w * h; L = 0.5*(y - t)^2",
        {"x": 0.7, "w": 0.6, "t": 0.1},
    ),
}

_QUESTIONS = {}


def question(name, asked):
    if (name, asked) not in _QUESTIONS:
        text, values = GRAPHS[name]
        _QUESTIONS[name, asked] = bw.GradientQuestion(bw.expression(text, **values), asked)
    return _QUESTIONS[name, asked]


# (graph, asked node, answer, correct, first problem code, words the message must hold)
TABLE = [
    # CS231n: f = (x + y) z at x=-2, y=5, z=-4
    ("cs231n", "x", "dq/dx * df/dq", True, None, "x → q → f"),
    ("cs231n", "x", "df/dq * dq/dx", True, None, "Here it equals -4"),
    ("cs231n", "x", "dq/dx * delta_q", True, None, "covers each once"),
    ("cs231n", "x", "df/dx = dq/dx * df/dq", True, None, ""),
    ("cs231n", "x", "z", True, None, "random choices of the leaves' values"),
    ("cs231n", "x", "1 * z", True, None, ""),
    ("cs231n", "x", "-4", True, None, "within 0.1 %"),
    ("cs231n", "z", "(x + y)", True, None, ""),
    ("cs231n", "z", "q", True, None, ""),
    ("cs231n", "z", "df/dz", True, None, "z → f"),
    # one edge from q to f: its local derivative is the whole chain
    ("cs231n", "q", "df/dq", True, None, "q → f"),
    ("cs231n", "q", "z", True, None, ""),
    (
        "cs231n",
        "x",
        "dq/dx * dz/dq * df/dz",
        False,
        "input_as_function",
        "z is an input: nothing flows into it, so dz/dq is not a step of the graph",
    ),
    ("cs231n", "x", "dx/dq * df/dq", False, "upside_down", "dx/dq is upside down: q depends on x"),
    ("cs231n", "x", "df/dx", False, "total_of_parameter", "restates the question"),
    ("cs231n", "x", "dq/dx * df/dx", False, "total_of_parameter", "restates the question"),
    ("cs231n", "x", "df/dx * 1", False, "total_of_parameter", "restates the question"),
    ("cs231n", "x", "dq/dx", False, "stops_early", "until it reaches f (add df/dq)"),
    ("cs231n", "x", "df/dq", False, "wrong_start", "dq/dx is missing"),
    ("cs231n", "x", "df/dx_", False, None, ""),  # read as df/dx: restated
    ("cs231n", "x", "dq/dx*df/dq + dq/dy*df/dq", False, "extra_path", "starts at y, not at x"),
    ("cs231n", "x", "dq/dy * df/dq", False, "wrong_parameter", "for df/dy"),
    (
        "cs231n",
        "x",
        "dq/dx * dq/dy * df/dq",
        False,
        "extra_factor",
        "the edge from the input y into q",
    ),
    ("cs231n", "x", "df/dx_ + 0", False, None, ""),
    ("cs231n", "x", "-z", False, "wrong_sign", "sign is wrong"),
    ("cs231n", "x", "x + y", False, "wrong_parameter", "This is df/dz"),
    ("cs231n", "x", "dq/dx", False, "stops_early", ""),
    ("cs231n", "x", "1", False, "local_only", "first step only"),
    ("cs231n", "x", "dq/dx + df/dq", False, "sum_not_product", "sum of products"),
    ("cs231n", "x", "dq/dx * df/dq * df/dq", False, "product_not_sum", "reaches f 2 times"),
    (
        "residual",
        "w1",
        "da/dw1 * dh/da * dh/da * dF/dh * dL/dF",
        False,
        "repeated_factor",
        "more than once",
    ),
    ("cs231n", "x", "dq/dx * df/dq + dq/dx * df/dq", False, "duplicate_path", "appears 2 times"),
    ("cs231n", "x", "dw/dx * df/dq", False, "unknown_name", "This graph's names are"),
    # colah: e = (a + b)(b + 1), two paths from b merge at e
    ("colah", "b", "dc/db * de/dc + dd/db * de/dd", True, None, "each of the 2 paths"),
    ("colah", "b", "de/dd * dd/db + de/dc * dc/db", True, None, ""),
    ("colah", "b", "dc/db * delta_c + dd/db * delta_d", True, None, ""),
    ("colah", "b", "d + c", True, None, ""),
    ("colah", "b", "a + 2*b + 1", True, None, ""),
    ("colah", "b", "dc/db * d + dd/db * c", True, None, ""),
    ("colah", "b", "5", True, None, ""),
    ("colah", "b", "dc/db * de/dc", False, "missing_path", "The path b → d → e is missing"),
    ("colah", "b", "dd/db * de/dd", False, "missing_path", "The path b → c → e is missing"),
    ("colah", "b", "dc/db * dd/dc * de/dd", False, "not_an_edge", "d does not depend on c at all"),
    ("colah", "b", "de/db", False, "total_of_parameter", "restates the question"),
    ("colah", "b", "db/dc * de/dc + dd/db * de/dd", False, "upside_down", "db/dc is upside down"),
    ("colah", "b", "dc/db * de/dc * dd/db * de/dd", False, "product_not_sum", "multiplies paths"),
    ("colah", "b", "d", False, "wrong_parameter", "This is de/da"),  # = the path through c
    ("colah", "a", "dc/da * de/dc", True, None, ""),
    ("colah", "a", "dc/da * de/dc + dd/db * de/dd", False, "extra_path", "starts at b"),
    # a neuron written as an expression: h = σ(w1 x1 + w2 x2 + b)
    ("neuron", "w1", "dp1/dw1 * ds/dp1 * dz/ds * dh/dz", True, None, ""),
    ("neuron", "w1", "dp1/dw1 * ds/dp1 * delta_s", True, None, ""),
    ("neuron", "w1", "x1 * h * (1 - h)", True, None, ""),
    ("neuron", "w1", "x1 * sigma(z) * (1 - sigma(z))", True, None, ""),
    ("neuron", "w1", "x1 * sigma'(z)", True, None, ""),
    ("neuron", "w1", "dp1/dw1 * dh/dp1", True, None, "dh/dp1"),  # a total at p1
    ("neuron", "w1", "dp1/dw1 * ds/dp1 * dz/ds", False, "stops_early", "until it reaches h"),
    (
        "neuron",
        "w1",
        "dp1/dw1 * dz/dp1 * dh/dz",
        False,
        "not_an_edge",
        "z depends on p1 only through s",
    ),
    ("neuron", "w1", "dz/dw1 * dh/dz", False, "not_an_edge", "z depends on w1 only through p1"),
    ("neuron", "w1", "dp1/dw1 * dx1/dp1 * dh/dx1", False, "upside_down", "dx1/dp1 is upside down"),
    (
        "neuron",
        "w1",
        "dp1/dw1 * dx2/dp1 * dh/dx2",
        False,
        "input_as_function",
        "x2 is an input: nothing flows into it, so dx2/dp1 is not a step of the graph",
    ),
    ("neuron", "w1", "x1", False, "local_only", "first step only"),
    ("neuron", "b", "dz/db * dh/dz", True, None, ""),
    ("neuron", "b", "h * (1 - h)", True, None, ""),
    # a residual block: y = x + F(x), F = w2 tanh(w1 x)
    (
        "residual",
        "x",
        "dy/dx * dL/dy + da/dx * dh/da * dF/dh * dy/dF * dL/dy",
        True,
        None,
        "each of the 2 paths",
    ),
    ("residual", "x", "(dy/dx + da/dx * dh/da * dF/dh * dy/dF) * dL/dy", True, None, ""),
    ("residual", "x", "(1 + w1 * (1 - h^2) * w2) * (y - t)", True, None, ""),
    ("residual", "x", "dy/dx * dL/dy + da/dx * delta_a", True, None, ""),
    (
        "residual",
        "x",
        "da/dx * dh/da * dF/dh * dy/dF * dL/dy",
        False,
        "missing_path",
        "The path x → y → n1 → n2 → L is missing",
    ),
    ("residual", "x", "dy/dx * dL/dy", False, "missing_path", "x → a → h → F → y"),
    (
        "residual",
        "x",
        "(dy/dx + dF/dx) * dL/dy",
        False,
        "not_an_edge",
        "F depends on x only through a",
    ),
    ("residual", "x", "dL/dx", False, "total_of_parameter", "restates the question"),
    ("residual", "x", "y - t", False, "wrong_parameter", "This is dL/d"),
    ("residual", "w1", "da/dw1 * dh/da * dF/dh * dy/dF * dL/dy", True, None, ""),
    ("residual", "w1", "x * (1 - h^2) * w2 * (y - t)", True, None, ""),
    (
        "residual",
        "w1",
        "da/dw1 * dw2/da * dF/dw2 * dL/dF",
        False,
        "input_as_function",
        "w2 is an input: nothing flows into it, so dw2/da is not a step of the graph",
    ),
    (
        "residual",
        "w1",
        "da/dw1 * dh/da * dF/dh * dL/dF + dy/dx * dL/dy",
        False,
        "extra_path",
        "starts at x",
    ),
    # a weight used twice: y = w tanh(w x)
    (
        "twice",
        "w",
        "da/dw * dh/da * dy/dh * dL/dy + dy/dw * dL/dy",
        True,
        None,
        "each of the 2 paths",
    ),
    ("twice", "w", "(da/dw * dh/da * dy/dh + dy/dw) * dL/dy", True, None, ""),
    ("twice", "w", "(x * (1 - h^2) * w + h) * (y - t)", True, None, ""),
    ("twice", "w", "dy/dw * dL/dy", False, "missing_path", "w is used in 2 places (a and y)"),
    ("twice", "w", "da/dw * dh/da * dy/dh * dL/dy", False, "missing_path", "The path w → y"),
    ("twice", "w", "h * (y - t)", False, "partial_sum", "w → y → n1 → n2 → L only"),
    (
        "twice",
        "w",
        "dw/da * dh/da * dy/dh * dL/dy + dy/dw * dL/dy",
        False,
        "upside_down",
        "dw/da is upside down",
    ),
    (
        "twice",
        "w",
        "da/dw * dh/da * dy/dh * dL/dy + dy/dw * dL/dy + dy/dw * dL/dy",
        False,
        "duplicate_path",
        "appears 2 times",
    ),
    (
        "twice",
        "w",
        "da/dw * dh/da * dw/dh * dy/dw * dL/dy",
        False,
        "input_as_function",
        "w is an input: nothing flows into it, so dw/dh is not a step of the graph",
    ),
    # u -> f is an edge and u also reaches f through v: df/du is the edge or the total
    ("both", "x", "du/dx * df/du + du/dx * dv/du * df/dv", True, None, "each of the 2 paths"),
    ("both", "x", "du/dx * df/du", True, None, "df/du is read as the total derivative"),
    ("both", "x", "du/dx * delta_u", True, None, ""),
    ("both", "x", "du/dx * dv/du * df/dv", False, "missing_path", "The path x → u → f is missing"),
]


@pytest.mark.parametrize(
    "graph, asked, answer, correct, code, words",
    TABLE,
    ids=[f"{g}-{a}-{k}" for k, (g, a, *_rest) in enumerate(TABLE)],
)
def test_derivation_table(graph, asked, answer, correct, code, words):
    fb = question(graph, asked).check(answer)
    assert fb.correct is correct, fb.message
    if code is not None:
        assert fb.problems[0] == code, fb.message
    assert words in fb.message, fb.message


def test_parameters_as_leaves_get_the_seed_mistake_in_its_general_form():
    # the seed's dw7/dh1: a parameter differentiated as if something flowed into it
    x, w, v, t = (
        Value(0.5, "x"),
        Value(0.4, "w", kind="parameter"),
        Value(-0.7, "v", kind="parameter"),
        Value(0.2, "t"),
    )
    h = (w * x).named("a").tanh("h")
    y = (v * h).named("y")
    g = Graph((0.5 * (y - t) ** 2).named("L"))
    q = bw.GradientQuestion(g, "w")
    fb = q.check("da/dw * dh/da * dv/dh * dy/dv * dL/dy")
    assert not fb.correct and fb.problems[0] == "parameter_as_function"
    assert (
        "v is a parameter: nothing flows into it, so dv/dh is not a step of the graph" in fb.message
    )
    assert q.check("da/dw * dh/da * dy/dh * dL/dy").correct
    fb = q.check("da/dw * dh/da * dy/dh * dL/dy + dL/dv")
    assert not fb.correct and "another leaf, v" in fb.message


def test_a_graph_question_states_its_end_and_leaves():
    q = question("cs231n", "x")
    assert q.prompt == "df/dx" and q.expected == -4.0
    assert q.net is None and q.graph.end == "f"
    assert repr(q) == "<GradientQuestion df/dx at x=-2, y=5, z=-4>"
    assert q.solution() == "df/dx = dq/dx * df/dq = -4"
    assert q.hints()[-1] == "Here df/dx = -4."
    assert q.read("dq/dx * df/dq").interpreted


def test_a_network_graph_is_its_network_question():
    net, x, t = bw.presets.mazur()
    by_graph = bw.GradientQuestion(net.graph(x, t), "w1")
    by_net = bw.GradientQuestion(net, "w1", x, t)
    assert by_graph.expected == by_net.expected and by_graph.net is not None
    answer = "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"
    assert by_graph.check(answer).message == by_net.check(answer).message


def test_bad_graph_questions_are_refused_with_the_reason():
    g = bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
    with pytest.raises(BackpropInputError, match="other than the end"):
        bw.GradientQuestion(g, "f")
    with pytest.raises(BackpropInputError, match="node of the graph"):
        bw.GradientQuestion(g, "w")
    with pytest.raises(BackpropInputError, match="one level"):
        bw.GradientQuestion(g, "x", level="neuron")
    with pytest.raises(BackpropInputError):
        bw.GradientQuestion(g, "x", [1.0], [0.0])


# ---------------------------------------------------------------- variants
def test_variants_of_a_graph_question():
    q = question("cs231n", "x")
    a, a2, b = q.variant("stu1"), q.variant(" STU1 "), q.variant("stu2")
    leaves = ("x", "y", "z")
    assert [a.graph.value(n) for n in leaves] == [a2.graph.value(n) for n in leaves]
    assert [a.graph.value(n) for n in leaves] != [b.graph.value(n) for n in leaves]
    for v in (a, b):
        assert v.prompt == "df/dx" and v.graph.formula("f") == q.graph.formula("f")
        assert all(float(v.graph.value(n)).is_integer() and v.graph.value(n) != 0 for n in leaves)
        assert v.expected == v.graph.value("z") != 0
        assert v.check("z").correct and v.check("dq/dx * df/dq").correct
        assert v.check(repr(v.expected)).correct and not v.check(repr(q.expected + 1)).correct
    with pytest.raises(BackpropInputError):
        q.variant("  ")


def test_variants_stay_in_every_operation_s_domain():
    g = bw.expression("u = log(x); s = sqrt(y); f = u * s + tanh(x * y)", x=2.0, y=0.5)
    q = bw.GradientQuestion(g, "x")
    for student in ("a", "b", "c", "d", "e", "f"):
        v = q.variant(student)
        assert v.graph.value("x") > 0 and v.graph.value("y") > 0
        assert abs(v.expected) >= 1e-3
        assert all(
            abs(v.graph.delta(n)) >= 1e-3 for n in v.graph.node_names if v.graph.path_count(n)
        )
        assert v.check("s / x + (1 - tanh(x*y)^2) * y").correct


def test_formula_draws_of_a_graph_stay_in_the_domain():
    g = bw.expression("u = log(x); f = u * y", x=2.0, y=3.0)
    q = bw.GradientQuestion(g, "x", draws=8)
    assert all(d.pre.value("x") > 0 for d in q._draws)
    assert q.check("y / x").correct
    fb = q.check("1.5")  # the number, typed as a formula, fits only here
    assert fb.correct  # a number is a number
    fb = q.check("y / 2")
    assert not fb.correct and fb.problems[0] == "matches_only_here"
    assert "other leaves' values" in fb.message


# ---------------------------------------------------------------- random graphs
UNARY = ("tanh", "sigmoid", "exp")
BINARY = ("add", "subtract", "multiply")


@st.composite
def expression_graphs(draw):
    """A random DAG of registry operations over 2-3 leaves, every node named, shared
    sub-expressions allowed (a node may be used several times)."""
    n_leaves = draw(st.integers(2, 3))
    leaf_names = ["x1", "x2", "x3"][:n_leaves]
    values = [draw(st.floats(-1.5, 1.5).filter(lambda v: abs(v) > 0.2)) for _ in leaf_names]
    pool = [Value(v, n) for n, v in zip(leaf_names, values, strict=True)]
    n_ops = draw(st.integers(2, 6))
    for k in range(n_ops):
        name = f"u{k + 1}"
        if draw(st.booleans()):
            arg = draw(st.sampled_from(pool[-3:]))
            op = draw(st.sampled_from(UNARY))
            if op == "exp" and abs(arg.data) > 20:
                reject()  # exp of a product of exps overflows: no graph a student is asked about
            node = getattr(arg, op)(name)
        else:
            a = draw(st.sampled_from(pool))
            b = draw(st.sampled_from(pool))
            op = draw(st.sampled_from(BINARY))
            node = {"add": a + b, "subtract": a - b, "multiply": a * b}[op].named(name)
        pool.append(node)
    end = pool[-1].named("f") if pool[-1].name.startswith("u") else pool[-1]
    g = Graph(end)
    asked = [n for n in g.node_names if g.kind(n) == "input" and 1 <= g.path_count(n) <= 8]
    asked = [n for n in asked if abs(g.gradient(n)) > 1e-3]
    if not asked:
        reject()
    return g, draw(st.sampled_from(asked))


def _factor(num, den):
    return f"d{num}/d{den}"


def _cuts(graph, node, depth):
    """A correct answer: the paths grouped by their first ``depth`` steps, each group one
    product of its prefix's local derivatives and the total at the prefix's last node."""
    paths = graph.chain_rule(node).paths
    groups = {}
    for path in paths:
        prefix = path[: depth + 1]
        groups.setdefault(prefix, None)
    terms = []
    for prefix in groups:
        factors = [_factor(prefix[k + 1], prefix[k]) for k in range(len(prefix) - 1)]
        if prefix[-1] != graph.end:
            factors.append(_factor(graph.end, prefix[-1]))
        terms.append(factors)
    return terms


PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@PROFILE
@given(expression_graphs(), st.integers(1, 6), st.randoms(use_true_random=False))
def test_every_correct_cut_is_accepted(case, depth, rnd):
    graph, node = case
    q = bw.GradientQuestion(graph, node, draws=2)
    terms = _cuts(graph, node, depth)
    for factors in terms:
        rnd.shuffle(factors)
    rnd.shuffle(terms)
    answer = " + ".join(" * ".join(t) for t in terms)
    fb = q.check(answer)
    assert fb.correct, (answer, fb.message)
    assert math.isclose(fb.value, graph.gradient(node), rel_tol=1e-9, abs_tol=1e-12)


@PROFILE
@given(expression_graphs(), st.data())
def test_an_impossible_factor_is_refused_and_named(case, data):
    graph, node = case
    q = bw.GradientQuestion(graph, node, draws=2)
    terms = _cuts(graph, node, 99)  # every path written out, edge by edge
    k = data.draw(st.integers(0, len(terms) - 1))
    j = data.draw(st.integers(0, len(terms[k]) - 1))
    num, den = terms[k][j][1:].split("/d")
    leaves = [n for n in graph.node_names if graph.kind(n) == "input"]
    kind = data.draw(st.sampled_from(("upside_down", "leaf", "skip")))
    if kind == "upside_down":
        bad, codes = _factor(den, num), {"upside_down"}
    elif kind == "leaf":
        leaf = data.draw(st.sampled_from(leaves))
        bad, codes = _factor(leaf, num), {"input_as_function", "upside_down"}
    else:  # an edge that skips a node, or no edge at all
        far = [n for n in graph.reaches(den) if not graph.has_edge(n, den) and n != graph.end]
        if not far:
            return
        bad, codes = _factor(data.draw(st.sampled_from(far)), den), {"not_an_edge"}
    if bad == terms[k][j] or (kind == "skip" and bad.startswith(f"d{graph.end}/")):
        return  # a total at the end's level is a legitimate closer, not an impossible factor
    terms[k][j] = bad
    answer = " + ".join(" * ".join(t) for t in terms)
    fb = q.check(answer)
    assert not fb.correct, answer
    assert fb.problems[0] in codes, (answer, fb.message)
    assert bad in fb.message, (answer, fb.message)
