"""Any computation graph: Values, trace, micrograd, and a network at three levels.

Every number is checked against something independent: the worked examples of CS231n and
colah, finite differences of the same expression in plain floats, PyTorch where installed,
and the network's own vectorised backprop.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import backprop_widgets as bw
from backprop_widgets.core import Graph, Value, trace
from backprop_widgets.core.errors import BackpropInputError


def test_cs231n_circuit_gradients_and_paths():
    # CS231n, "Backpropagation, Intuitions": f = (x + y) z at x=-2, y=5, z=-4
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    g = Graph((x + y).named("q") * z)
    assert g.value(g.end) == -12.0
    grads = g.gradients()
    assert (grads["x"], grads["y"], grads["z"], grads["q"]) == (-4.0, -4.0, 3.0, -4.0)
    cr = g.chain_rule("x")
    assert cr.paths == [("x", "q", "n1")]
    assert cr.text() == "dq/dx * dn1/dq"
    assert cr.value == -4.0


def test_colah_two_paths_merge_and_their_sum_is_the_derivative():
    # colah, "Calculus on Computational Graphs": e = (a + b)(b + 1) at a=2, b=1
    a, b = Value(2.0, "a"), Value(1.0, "b")
    g = Graph(((a + b).named("c") * (b + 1).named("d")).named("e"))
    assert g.value("e") == 6.0
    assert g.gradients()["a"] == 2.0 and g.gradients()["b"] == 5.0
    cr = g.chain_rule("b")
    assert cr.paths == [("b", "c", "e"), ("b", "d", "e")]
    assert cr.term_values() == [2.0, 3.0]
    assert cr.text(values=True, digits=3) == "1 * 2 + 1 * 3"
    assert g.path_count("b") == 2 and g.path_count("a") == 1
    assert g.reaches("b") == ["c", "d", "e"]
    assert g.ancestors("e") == ["a", "b", "c", "1", "d"] and g.ancestors("d") == ["b", "1"]
    assert g.ancestors("a") == []  # a leaf depends on nothing
    assert cr.delta_text(digits=3).splitlines()[0] == "de/db = 1 * 2 + 1 * 3 = 5"


def test_trace_names_the_leaves_after_the_arguments():
    g = trace(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)
    assert g.gradients()["z"] == 3.0
    assert sorted(n for n in g.node_names if g.kind(n) == "input") == ["x", "y", "z"]
    with pytest.raises(BackpropInputError, match="missing z"):
        trace(lambda x, y, z: x, x=1, y=2)
    with pytest.raises(BackpropInputError, match="must return a Value"):
        trace(lambda x: 3.0, x=1)


def test_plain_numbers_mix_in_and_a_value_used_twice_sums_its_uses():
    x = Value(3.0, "x")
    g = Graph((2 * x + x * x + 1 - x / 4).named("f"))
    # f = 2x + x^2 + 1 - x/4, f'(x) = 2 + 2x - 1/4
    assert g.gradients()["x"] == pytest.approx(2 + 2 * 3 - 0.25)
    assert g.local("n2", "x") == 6.0  # x * x: one edge whose local derivative is 2x
    assert g.path_count("x") == 3


def test_bad_graph_input_is_named():
    x = Value(1.0, "x")
    with pytest.raises(BackpropInputError, match="exponent must be a plain number"):
        x ** Value(2.0)
    with pytest.raises(BackpropInputError, match="both named 'x'"):
        Graph(x + Value(2.0, "x"))
    with pytest.raises(BackpropInputError, match="name must be a short identifier"):
        Value(1.0, "my x")
    with pytest.raises(BackpropInputError, match="data must be a finite number"):
        Value(float("nan"))
    with pytest.raises(BackpropInputError, match="no truth value"):
        bool(x > 0 if False else x)
    with pytest.raises(BackpropInputError, match="Graph needs"):
        Graph(3.0)


# ------------------------------------------------------------------ random graphs
# Each operation written once for plain floats (the independent reference) and once with
# Values. Inputs are kept where every operation is smooth and finite.
UNARY = {
    "exp": (lambda a: math.exp(math.tanh(a)), lambda a: a.tanh().exp()),
    "log": (lambda a: math.log(a * a + 1), lambda a: (a * a + 1).log()),
    "sigmoid": (lambda a: 1 / (1 + math.exp(-a)), lambda a: a.sigmoid()),
    "tanh": (math.tanh, lambda a: a.tanh()),
    "relu": (lambda a: max(a, 0.0), lambda a: a.relu()),
    "gelu": (lambda a: a * 0.5 * (1 + math.erf(a / math.sqrt(2))), lambda a: a.gelu()),
    "gelu_tanh": (
        lambda a: 0.5 * a * (1 + math.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3))),
        lambda a: a.gelu(approximate="tanh"),
    ),
    "negate": (lambda a: -a, lambda a: -a),
    "power": (lambda a: (a * a + 1) ** -1.5, lambda a: (a * a + 1) ** -1.5),
}
BINARY = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / (b * b + 1),
}


@st.composite
def programs(draw):
    n_leaves = draw(st.integers(2, 4))
    leaves = draw(st.lists(st.floats(-2, 2), min_size=n_leaves, max_size=n_leaves))
    steps, depth = [], [0] * n_leaves
    for _ in range(draw(st.integers(1, 10))):
        i = len(depth)
        if draw(st.booleans()):
            op = draw(st.sampled_from(sorted(UNARY)))
            args = (draw(st.integers(0, i - 1)),)
        else:
            op = draw(st.sampled_from(sorted(BINARY)))
            args = (draw(st.integers(0, i - 1)), draw(st.integers(0, i - 1)))
        if max(depth[a] for a in args) >= 8:
            continue
        steps.append((op, args))
        depth.append(1 + max(depth[a] for a in args))
    return leaves, steps


def run_floats(leaves, steps):
    vals = list(leaves)
    kink = math.inf
    for op, args in steps:
        if op == "relu":
            kink = min(kink, abs(vals[args[0]]))
        f = UNARY[op][0] if op in UNARY else BINARY[op]
        vals.append(f(*(vals[a] for a in args)))
    return vals, kink


def run_values(leaves, steps):
    vals = [Value(v, f"v{k}") for k, v in enumerate(leaves)]
    for op, args in steps:
        f = UNARY[op][1] if op in UNARY else BINARY[op]
        vals.append(f(*(vals[a] for a in args)).named(f"v{len(vals)}"))
    return vals


@settings(max_examples=80, deadline=None)
@given(programs())
def test_random_graphs_gradients_equal_finite_differences_and_the_sum_over_paths(program):
    leaves, steps = program
    assume(steps)
    floats, kink = run_floats(leaves, steps)
    assume(kink > 1e-3)
    values = run_values(leaves, steps)
    g = Graph(values[-1])
    end = g.end
    assert g.value(end) == pytest.approx(floats[-1], rel=1e-12, abs=1e-12)
    grads = g.gradients()
    for k in range(len(leaves)):
        if f"v{k}" not in g:
            continue  # a leaf the end does not use
        h = 1e-6
        up, _ = run_floats([v + h * (j == k) for j, v in enumerate(leaves)], steps)
        down, _ = run_floats([v - h * (j == k) for j, v in enumerate(leaves)], steps)
        numeric = (up[-1] - down[-1]) / (2 * h)
        assert grads[f"v{k}"] == pytest.approx(numeric, rel=1e-5, abs=1e-6)
    # the sum over paths is the gradient; paths are counted independently, by walking
    # the Values as the user built them (not the graph's edges)
    consumers, stack, seen = {}, [values[-1]], set()
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        for u in {id(u): u for u in v._inputs}.values():
            consumers.setdefault(id(u), []).append(v)
            stack.append(u)
    named = {v.name: v for v in values}

    def count(v):
        return 1 if v is values[-1] else sum(count(c) for c in consumers.get(id(v), []))

    for name in g.node_names:
        if name == end or g.kind(name) == "constant":
            continue
        if name in named:
            assert g.path_count(name) == count(named[name])
        if g.path_count(name) <= 2000:
            cr = g.chain_rule(name)
            assert math.fsum(cr.term_values()) == pytest.approx(grads[name], rel=1e-9, abs=1e-12)


def test_random_graph_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for _ in range(20):
        leaves = list(rng.uniform(-2, 2, 3))
        tx = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaves]
        a, b, c = (Value(v, n) for v, n in zip(leaves, "abc"))
        f = (
            (a * b + c).tanh() * a.gelu() + (b - c).sigmoid() / (a * a + 1) + (c.relu() + 1).log()
        ).exp()
        ta, tb, tc = tx
        tf = torch.exp(
            torch.tanh(ta * tb + tc) * torch.nn.functional.gelu(ta)
            + torch.sigmoid(tb - tc) / (ta * ta + 1)
            + torch.log(torch.relu(tc) + 1)
        )
        tf.backward()
        grads = Graph(f).gradients()
        for name, t in zip("abc", tx):
            assert grads[name] == pytest.approx(t.grad.item(), rel=1e-10)


# ------------------------------------------------------------------ micrograd
class MicroValue:
    """The shape of micrograd's engine.Value (data, _prev, _op, label), nothing more."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self._prev, self._op, self.label = data, set(_children), _op, label

    def __add__(self, other):
        return MicroValue(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        return MicroValue(self.data * other.data, (self, other), "*")

    def __pow__(self, k):
        return MicroValue(self.data**k, (self,), f"**{k}")

    def tanh(self):
        return MicroValue(math.tanh(self.data), (self,), "tanh")


def test_a_micrograd_graph_is_read_with_its_labels():
    # Karpathy's neuron: o = tanh(x1 w1 + x2 w2 + b)
    x1, x2 = MicroValue(2.0, label="x1"), MicroValue(0.0, label="x2")
    w1, w2 = MicroValue(-3.0, label="w1"), MicroValue(1.0, label="w2")
    b = MicroValue(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    g = Graph.from_micrograd(o)
    grads = g.gradients()
    # the values of micrograd's lecture: dw1 = 1.0, dx1 = -1.5, dx2 = 0.5, dw2 = 0.0
    assert grads["w1"] == pytest.approx(1.0, abs=1e-6)
    assert grads["x1"] == pytest.approx(-1.5, abs=1e-6)
    assert grads["x2"] == pytest.approx(0.5, abs=1e-6)
    assert grads["w2"] == pytest.approx(0.0, abs=1e-12)
    a = MicroValue(3.0, label="a")
    assert Graph.from_micrograd(a * a).gradients()["a"] == 6.0  # micrograd's _prev is a set
    with pytest.raises(BackpropInputError, match="micrograd Value"):
        Graph.from_micrograd(object())


# ------------------------------------------------------------------ networks, three levels
NETS = [
    lambda: bw.presets.mazur(),
    lambda: _net([3, 4, 2], ["tanh", "softmax"], "cross_entropy", "per_neuron"),
    lambda: _net([2, 3, 3, 1], ["gelu", "relu", "sigmoid"], "bce", "shared"),
]


def _net(sizes, act, loss, bias):
    net = bw.Network(sizes, activation=act, loss=loss, bias=bias, seed=4)
    rng = np.random.default_rng(4)
    for name in net.bias_names:
        net[name] = float(rng.normal(0, 0.3))
    x = rng.normal(size=sizes[0])
    t = np.eye(sizes[-1])[1] if loss == "cross_entropy" else rng.uniform(0.1, 0.9, sizes[-1])
    if loss == "bce":
        t = np.round(t)
    return net, x, t


@pytest.mark.parametrize("make", NETS)
def test_the_three_levels_of_a_network_give_its_gradients(make):
    net, x, t = make()
    expected = net.gradients(np.atleast_2d(x), np.atleast_2d(t))
    graphs = [net.graph(x, t, level) for level in ("neuron", "pre-activation", "operation")]
    for name in net.parameter_names:
        for g in graphs:
            assert g.gradient(name) == pytest.approx(expected[name], rel=1e-10, abs=1e-15)
            cr = g.chain_rule(name)
            assert math.fsum(cr.term_values()) == pytest.approx(expected[name], rel=1e-9, abs=1e-15)
    # the levels share their nodes' values and deltas
    op = graphs[2]
    for name in graphs[1].node_names:
        assert op.value(name) == graphs[1].value(name)
        assert op.delta(name) == pytest.approx(graphs[1].delta(name), rel=1e-12, abs=1e-15)
    assert op.both_levels("neuron") is not op and op.both_levels("operation") is op


def test_mazur_at_the_operation_level_reads_as_micrograd():
    net, x, t = bw.presets.mazur()
    g = net.graph(x, t, level="operation")
    assert g.kind("w1_i1") == "operation" and g.formula("w1_i1") == "w1 * i1"
    assert g.formula("net_h1") == "w1_i1 + w2_i2 + b1"
    assert g.formula("h1") == "sigmoid(net_h1)"
    assert g.operation("w1_i1").symbol == "×"
    cr = g.chain_rule("w1")
    assert cr.paths[0] == ("w1", "w1_i1", "net_h1", "h1", "w5_h1", "net_o1", "o1", "L")
    assert cr.value == pytest.approx(0.000438568, rel=1e-5)  # Mazur's published dE/dw1


# ---------------------------------------------------------------- with_values
def _finite_difference(graph, leaf, h=1e-6):
    v = graph.value(leaf)
    up = graph.with_values(**{leaf: v + h})
    down = graph.with_values(**{leaf: v - h})
    return (up.value(up.end) - down.value(down.end)) / (2 * h)


@pytest.mark.parametrize(
    "text, values",
    [
        ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}),
        ("c = a + b; d = b + 1; e = c * d", {"a": 2, "b": 1}),
        ("a = w * x; h = tanh(a); y = w * h; L = 0.5*(y - t)^2", {"x": 0.7, "w": 0.6, "t": 0.1}),
        ("s = x * x; g = log(s + y) / exp(-y); f = sigma(g) + relu(x - y)", {"x": 0.9, "y": 0.3}),
    ],
)
def test_with_values_rebuilds_values_and_gradients(text, values):
    g = bw.expression(text, **values)
    moved = {k: v + 0.37 for k, v in values.items()}
    other = g.with_values(**moved)
    direct = bw.expression(text, **moved)
    assert other.end == g.end and other.node_names == g.node_names
    for name in direct.node_names:
        assert other.value(name) == pytest.approx(direct.value(name), rel=1e-12)
    for leaf in values:
        assert other.gradient(leaf) == pytest.approx(direct.gradient(leaf), rel=1e-12, abs=1e-12)
        assert other.gradient(leaf) == pytest.approx(
            _finite_difference(other, leaf), rel=1e-5, abs=1e-8
        )
    assert g.value(g.end) == direct.with_values(**values).value(g.end)  # and back; g unchanged


def test_with_values_keeps_a_repeated_argument():
    x = Value(3.0, "x")
    g = Graph((x * x).named("s") + x)  # x * x: one edge x -> s with local 2x
    other = g.with_values(x=2.0)
    assert other.local("s", "x") == 4.0 and other.gradient("x") == 5.0


def test_with_values_of_a_network_graph_rebuilds_through_its_net():
    net, x, t = bw.presets.mazur()
    g = net.graph(x, t, level="pre-activation")
    other = g.with_values(w1=0.3, i1=0.1, t2=0.5)
    net2 = net.copy()
    net2.set_parameters({"w1": 0.3})
    direct = net2.graph([0.1, x[1]], [t[0], 0.5], level="pre-activation")
    assert other.level == "pre-activation"
    assert other.gradient("w1") == pytest.approx(direct.gradient("w1"), rel=1e-12)
    assert g.value("w1") == net["w1"]  # the original graph is not changed


def test_with_values_refuses_an_operation_node_and_an_unknown_name():
    g = bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
    with pytest.raises(KeyError, match="leaf"):
        g.with_values(q=1.0)
    with pytest.raises(KeyError):
        g.with_values(w=1.0)
    with pytest.raises(BackpropInputError, match="finite"):
        g.with_values(x=float("nan"))


@settings(max_examples=40, deadline=None)
@given(programs())
def test_ancestors_are_exactly_the_nodes_that_reach_a_node(program):
    """What the hints list as 'work forward from' is everything upstream, and nothing else."""
    leaves, steps = program
    assume(steps)
    g = Graph(run_values(leaves, steps)[-1])
    for name in g.node_names:
        upstream = [n for n in g.node_names if name in g.reaches(n)]
        assert g.ancestors(name) == upstream
