"""Property tests: every derivation built from the core's graph is accepted, and breaking one
factor of it (dL/d(parameter), or a parameter differentiated as a function) is rejected.

A derivation is generated the way a student may cut the chain rule anywhere: at each node,
either stop with a total (dL/dX, or a delta) or follow every edge out of it at the neuron or
the pre-activation level.
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backprop_widgets as bw
from backprop_widgets.core.chain_rule import LOSS_NODE
from backprop_widgets.exercises import GradientQuestion

ARCHITECTURES = [
    ([2, 2, 2], "sigmoid", "half_sse", "per_neuron"),
    ([2, 3, 1], ["tanh", "linear"], "mse", "per_layer"),
    ([1, 2, 2, 1], ["relu", "tanh", "sigmoid"], "half_sse", "shared"),
    ([2, 2, 3], ["sigmoid", "softmax"], "cross_entropy", "per_neuron"),
    ([3, 2, 2], ["tanh", "sigmoid"], "mse", "none"),
]


@functools.cache
def question(arch: int, param: str) -> GradientQuestion:
    sizes, activation, loss, bias = ARCHITECTURES[arch]
    net = bw.Network(sizes, activation=activation, loss=loss, bias=bias, seed=arch)
    x = [0.3 + 0.2 * k for k in range(sizes[0])]
    t = [0.0] * sizes[-1]
    t[0] = 1.0
    if loss != "cross_entropy":
        t = [0.2 + 0.6 * k / max(1, sizes[-1] - 1) for k in range(sizes[-1])]
    return GradientQuestion(net, param, x, t, draws=0)


@st.composite
def derivations(draw):
    """(question, terms): terms is a list of (factor text, sub-terms or None)."""
    arch = draw(st.integers(0, len(ARCHITECTURES) - 1))
    probe = question(arch, "w1")
    param = draw(st.sampled_from(probe.net.parameter_names))
    q = question(arch, param)
    neuron = q.net.graph(q.x, q.t)
    pre = neuron.both_levels("pre-activation")
    convention = draw(st.sampled_from(["node", "net"]))

    def below(node: str, depth: int):
        """Sub-terms standing for dL/dnode; None when node is L."""
        if node == LOSS_NODE:
            return None
        kind = pre.kind(node)
        choices = ["pre"]
        if kind != "net":
            choices.append("neuron")
        if kind != "input":
            choices += ["total", "total"]
            if (convention == "net") == (kind == "net"):
                choices.append("delta")
        choice = draw(st.sampled_from(choices)) if depth < 6 else "total"
        if choice == "total":
            return [(f"dL/d{node}", None)]
        if choice == "delta":
            name = pre.neuron_of(node) if convention == "net" else node
            return [(f"delta_{name}", None)]
        graph = neuron if choice == "neuron" else pre
        return [(f"d{c}/d{node}", below(c, depth + 1)) for c in graph.children(node)]

    level = draw(st.sampled_from(["neuron", "pre"]))
    graph = neuron if level == "neuron" else pre
    terms = [(f"d{c}/d{param}", below(c, 1)) for c, _ in graph.parameter_targets(param)]
    return q, terms


def render(terms) -> str:
    parts = []
    for factor, sub in terms:
        if sub is None:
            parts.append(factor)
        elif len(sub) == 1:
            parts.append(f"{factor} * {render(sub)}")
        else:
            parts.append(f"{factor} * ({render(sub)})")
    return " + ".join(parts)


def factors(terms) -> list[str]:
    out = []
    for factor, sub in terms:
        out.append(factor)
        if sub:
            out += factors(sub)
    return out


def replaced(terms, k: int, new: str):
    """The terms with the k-th factor (pre-order) replaced by new."""
    out, seen = [], 0
    for factor, sub in terms:
        if seen == k:
            factor = new
        seen += 1
        if sub:
            n = len(factors(sub))
            sub = replaced(sub, k - seen, new) if 0 <= k - seen < n else sub
            seen += n
        out.append((factor, sub))
    return out


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(derivations())
def test_every_cut_of_the_chain_rule_is_accepted(derivation):
    q, terms = derivation
    answer = render(terms)
    fb = q.check(answer)
    assert fb.correct, (q.param, answer, fb.message)
    assert abs(fb.value - q.expected) <= 1e-9 * max(1.0, abs(q.expected))


@SETTINGS
@given(derivations(), st.data())
def test_a_factor_replaced_by_the_question_or_an_impossible_factor_is_rejected(derivation, data):
    q, terms = derivation
    k = data.draw(st.integers(0, len(factors(terms)) - 1))
    nodes = [n for n in q.net.graph(q.x, q.t).node_names if n != LOSS_NODE]
    other = data.draw(st.sampled_from(q.net.parameter_names))
    node = data.draw(st.sampled_from(nodes))
    new = data.draw(st.sampled_from([f"dL/d{q.param}", f"d{other}/d{node}"]))
    answer = render(replaced(terms, k, new))
    fb = q.check(answer)
    assert not fb.correct, (answer, fb.message)
    assert fb.problems[0] in {
        "total_of_parameter", "parameter_as_function", "upside_down", "not_an_edge",
    } or (new == f"d{other}/d{node}" and fb.problems), (answer, fb.problems)  # fmt: skip
