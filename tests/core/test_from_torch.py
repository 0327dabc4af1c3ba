"""Graph.from_torch: a PyTorch scalar computation read from its grad_fn chain.

Every graph is checked against PyTorch itself: its value against ``result.item()`` and its
gradients against the leaves' ``.grad`` after ``.backward()``, on published worked examples
(CS231n, colah), a sigmoid neuron with a squared loss, and random expression graphs.
"""

import math
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import backprop_widgets as bw
from backprop_widgets.core.errors import BackpropInputError

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed: from_torch is checked against it"
)
F = torch.nn.functional


def leaf(value, dtype=torch.float64):
    return torch.tensor(float(value), dtype=dtype, requires_grad=True)


def torch_gradients(result, leaves):
    result.backward()
    return {name: t.grad.item() for name, t in leaves.items()}


def assert_matches_torch(result, leaves):
    """The graph's value is result's, and its gradients are PyTorch's to 1e-10."""
    g = bw.Graph.from_torch(result, **leaves)  # before backward(), which frees what it reads
    assert g.value(g.end) == pytest.approx(result.item(), rel=1e-12, abs=1e-12)
    expected = torch_gradients(result, leaves)
    grads = g.gradients()
    for name, value in expected.items():
        assert grads[name] == pytest.approx(value, rel=1e-10, abs=1e-10), name
    return g


# ------------------------------------------------------------------ worked examples
def test_cs231n_circuit():
    # CS231n, "Backpropagation, Intuitions": f = (x + y) z at x=-2, y=5, z=-4
    x, y, z = leaf(-2), leaf(5), leaf(-4)
    q = x + y
    f = q * z
    g = bw.Graph.from_torch(f, x=x, y=y, z=z, q=q, f=f)  # intermediates may be named too
    assert g.value("q") == 3.0 and g.value("f") == -12.0
    assert g.formula("f") == "q * z"
    grads = g.gradients()
    assert (grads["x"], grads["y"], grads["z"], grads["q"]) == (-4.0, -4.0, 3.0, -4.0)
    assert g.chain_rule("x").text() == "dq/dx * df/dq"
    f.backward()
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4.0, -4.0, 3.0)


def test_colah_two_paths_merge():
    # colah, "Calculus on Computational Graphs": e = (a + b)(b + 1) at a=2, b=1
    a, b = leaf(2), leaf(1)
    c, d = a + b, b + 1
    e = c * d
    g = assert_matches_torch(e, {"a": a, "b": b})
    assert g.gradients()["a"] == 2.0 and g.gradients()["b"] == 5.0
    assert g.path_count("b") == 2
    assert g.formula(g.parents(g.end)[1]) == "b + 1"  # the 1 read off d's saved value


def test_sigmoid_neuron_with_squared_loss():
    w, x, b = leaf(0.5), leaf(1.5), leaf(-0.3)
    y = torch.sigmoid(w * x + b)
    loss = 0.5 * (y - 0.8) ** 2
    g = assert_matches_torch(loss, {"w": w, "x": x, "b": b})
    formulas = [g.formula(n) for n in g.node_names if g.kind(n) == "operation"]
    assert formulas == ["w * x", "n1 + b", "sigmoid(n2)", "n3 - 0.8", "n4^2", "n5 * 0.5"]


def test_float32_is_read_at_its_precision():
    x, y, z = (leaf(v, torch.float32) for v in (-2, 5, -4))
    g = bw.Graph.from_torch((x + y) * z + 0.1, x=x, y=y, z=z)
    assert g.gradients()["x"] == -4.0


@pytest.mark.parametrize(
    "build, text",
    [
        (lambda x, y: x * 3, "x * 3"),
        (lambda x, y: 3 * x, "x * 3"),  # PyTorch puts the number second
        (lambda x, y: x / 4, "x / 4"),
        (lambda x, y: torch.tensor(3.0, dtype=torch.float64) / x, "3 / x"),
        (lambda x, y: torch.tensor(3.0, dtype=torch.float64) * x, "3 * x"),
        (lambda x, y: (x - 2.5) ** 2, "x - 2.5"),
        (lambda x, y: (2.5 - x) ** 3, "2.5 - x"),
        (lambda x, y: torch.tensor(2.5, dtype=torch.float64) - x, "2.5 - x"),
        (lambda x, y: torch.tensor(2.5, dtype=torch.float64) + x, "2.5 + x"),
        (lambda x, y: torch.add(x, y, alpha=3), "x + n1"),
        (lambda x, y: torch.sub(x, y, alpha=3), "x - n1"),
        (lambda x, y: torch.rsub(x, y), "y - x"),
        (lambda x, y: torch.sub(x, 1.5, alpha=2), "x - 3"),
        (lambda x, y: torch.ops.aten.add.Scalar(x, 2, alpha=3), "x + 6"),
        (lambda x, y: torch.ops.aten.sub.Scalar(x, 2), "x - 2"),
        (lambda x, y: torch.ops.aten.mul.Scalar(x, 2.5), "x * 2.5"),
        (lambda x, y: torch.ops.aten.div.Scalar(x, 4), "x / 4"),
        (lambda x, y: torch.ops.aten.rsub.Scalar(x, 2), "2 - x"),
        (lambda x, y: 2 / x, "x^-1"),
        (lambda x, y: x.sqrt().log(), "x^0.5"),
        (lambda x, y: x ** torch.tensor(3.0, dtype=torch.float64), "x^3"),
        (lambda x, y: F.gelu(x * y, approximate="tanh"), "gelu_tanh"),
    ],
)
def test_numbers_in_an_operation_are_read_back(build, text):
    x, y = leaf(1.7), leaf(-0.6)
    result = build(x, y)
    used = {
        n: t
        for n, t in {"x": x, "y": y}.items()
        if t.grad_fn is None and _reaches(result.grad_fn, t)
    }
    g = assert_matches_torch(result, used)
    ops = [g.operation(n).name for n in g.node_names if g.operation(n)]
    formulas = [g.formula(n) for n in g.node_names] + ops
    assert text in formulas, formulas


def _reaches(fn, tensor):
    """Whether a leaf tensor is among the leaves below a grad_fn (walked here, not by the reader)."""
    stack = [fn]
    while stack:
        f = stack.pop()
        if getattr(f, "variable", None) is tensor:
            return True
        stack.extend(child for child, _ in f.next_functions if child is not None)
    return False


# ------------------------------------------------------------------ random graphs
def _unary(name):
    return {
        "neg": lambda a: -a,
        "exp": lambda a: (a * 0.25).exp(),
        "log": lambda a: (a * a + 1).log(),  # the 1 read from log's saved input
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "gelu": F.gelu,
        "gelu_tanh": lambda a: F.gelu(a, approximate="tanh"),
        "square": lambda a: a**2,
        "cube": lambda a: a**3,
        "sqrt": lambda a: (a * a + 0.5).sqrt(),
        "reciprocal": lambda a: 1 / (a * a + 1),
        "shift": lambda a: F.gelu(a - 0.75),  # the 0.75 read from gelu's saved input
        "rsub": lambda a: (1.5 - a) ** 2,
    }[name]


def _binary(name):
    return {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / (b * b + 1),
        "alpha": lambda a, b: torch.add(a, b, alpha=2),
    }[name]


UNARY = ["neg", "exp", "log", "sigmoid", "tanh", "relu", "gelu", "gelu_tanh"]
UNARY += ["square", "cube", "sqrt", "reciprocal", "shift", "rsub"]
BINARY = ["add", "sub", "mul", "div", "alpha"]

steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(UNARY), st.integers(0, 99)),
        st.tuples(st.sampled_from(BINARY), st.integers(0, 99), st.integers(0, 99)),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.floats(-2.5, 2.5), min_size=3, max_size=3), steps=steps, tail=st.booleans()
)
def test_random_graphs_match_pytorch(values, steps, tail):
    """Shared sub-expressions (an operand is any earlier node), every operation read."""
    leaves = {name: leaf(v) for name, v in zip("xyz", values, strict=True)}
    nodes = [(t, {name}) for name, t in leaves.items()]
    for op, *picks in steps:
        operands = [nodes[i % len(nodes)] for i in picks]
        fn = _unary(op) if len(picks) == 1 else _binary(op)
        nodes.append((fn(*(t for t, _ in operands)), set().union(*(u for _, u in operands))))
    result, used = nodes[-1]
    if tail:
        result = result + 0.25  # a number added at the end: read off result.item()
    assume(math.isfinite(result.item()) and abs(result.item()) < 1e12)
    assert_matches_torch(result, {n: leaves[n] for n in sorted(used)})


# ------------------------------------------------------------------ in the explorer
def test_the_explorer_takes_a_torch_graph():
    x, y, z = leaf(-2), leaf(5), leaf(-4)
    q = x + y
    ex = bw.ChainRuleExplorer(bw.Graph.from_torch(q * z, x=x, y=y, z=z, q=q))
    ex.click("x")
    assert ex.selected == "x"
    text = re.sub(r"<[^>]+>", "", ex.panel)
    assert "−4" in text or "-4" in text
    assert "1 path" in text


# ------------------------------------------------------------------ what a mistake is told
def test_an_unnamed_leaf_is_named_by_its_value_and_where_it_enters():
    x, y = leaf(-2), leaf(5)
    with pytest.raises(
        BackpropInputError, match=r"leaf tensor\(5\.0.*MulBackward0 has no name.*named: x"
    ):
        bw.Graph.from_torch(x * y, x=x)


def test_an_unsupported_operation_is_named_with_what_is_accepted():
    x = leaf(0.3)
    with pytest.raises(
        BackpropInputError, match=r"SinBackward0 is not an operation.*x \+ y \(AddBackward0\)"
    ):
        bw.Graph.from_torch(torch.sin(x) * 2, x=x)


def test_a_non_scalar_or_non_tensor_result_is_refused():
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(BackpropInputError, match=r"result must be a scalar tensor .*shape \(2,\)"):
        bw.Graph.from_torch(v * 2, v=v)
    with pytest.raises(BackpropInputError, match="result must be a PyTorch tensor; got float"):
        bw.Graph.from_torch(2.0)
    with pytest.raises(BackpropInputError, match=r"no grad_fn.*requires_grad=True"):
        bw.Graph.from_torch(torch.tensor(2.0) * 3)


def test_keywords_that_are_no_leaves_of_result_are_refused():
    x, y = leaf(1), leaf(2)
    with pytest.raises(BackpropInputError, match=r"y is not part of result's computation"):
        bw.Graph.from_torch(x * 3, x=x, y=y)
    with pytest.raises(BackpropInputError, match=r"c does not require grad.*requires_grad=True"):
        bw.Graph.from_torch(x * 3, x=x, c=torch.tensor(3.0))
    with pytest.raises(BackpropInputError, match="name must be a short identifier"):
        bw.Graph.from_torch(x * 3, **{"not a name": x})


def test_a_number_torch_kept_no_copy_of_says_to_make_it_a_leaf():
    x, y = leaf(1), leaf(2)
    with pytest.raises(
        BackpropInputError, match=r"AddBackward0: PyTorch keeps no copy.*requires_grad=True.*c=c"
    ):
        bw.Graph.from_torch((x + 1) + y, x=x, y=y)
    c = leaf(1)
    assert_matches_torch((x + c) + y, {"x": x, "y": y, "c": c})  # what the message says works


def test_a_tensor_exponent_is_refused_with_what_to_write():
    x, y = leaf(1.5), leaf(2)
    with pytest.raises(BackpropInputError, match=r"PowBackward1.*x \*\* 2"):
        bw.Graph.from_torch(x**y, x=x, y=y)


def test_after_backward_the_freed_graph_is_explained():
    x, y = leaf(1.5), leaf(2)
    f = x * y * 2
    f.backward()
    with pytest.raises(BackpropInputError, match=r"before \.backward\(\).*retain_graph=True"):
        bw.Graph.from_torch(f, x=x, y=y)
    g = x * y * 2
    g.backward(retain_graph=True)
    assert bw.Graph.from_torch(g, x=x, y=y).gradients()["x"] == 4.0


def test_a_graph_that_does_not_reproduce_result_says_so():
    x = leaf(2)
    f = x * 3

    class Lying:  # duck-typed: a tensor whose item() disagrees with its grad_fn
        grad_fn, dtype, shape = f.grad_fn, torch.float64, ()

        def numel(self):
            return 1

        def item(self):
            return 7.0

    with pytest.raises(BackpropInputError, match=r"computes 6\.0, but result\.item\(\) is 7\.0"):
        bw.Graph.from_torch(Lying(), x=x)
