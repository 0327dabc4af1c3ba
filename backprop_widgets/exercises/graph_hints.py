"""Slips and hints for the forward steps of any computation graph (``bw.expression``, ...).

A node's value given the leaves (:class:`~.asked.Forward`) and the graph's loss
(:class:`~.asked.Loss`) on a graph that is no network. Each slip is a value recomputed at
every draw, as in :mod:`.hints`, so it is named only where it explains the answer:

``forgot_operation``  the input of a one-input operation (z for h = σ(z)): the operation left out.
``wrong_operation``   x·y for q = x + y, or x + y for q = x·y.
``wrong_order``       y − x for q = x − y, y / x for q = x / y.
``wrong_sign``        −value.
``wrong_node``        another computed node's value.
``loss_constant``     2 × or ½ × the loss.
"""

from __future__ import annotations

from ..core import numbers
from ..core.ops import ACTIVATIONS
from .hints import Slip, _ratio

MAX_STEPS = 6  # forward steps a hint lists before "…"

_OTHER_OPERATION = {
    "add": ("multiply", "×", "adds them", lambda a, b: a * b),
    "multiply": ("add", "+", "multiplies them", lambda a, b: a + b),
}
_ORDER = {
    "subtract": ("−", lambda a, b: b - a),
    "divide": ("/", lambda a, b: b / a if a else float("nan")),
}


def forward_slips(node: str, draws) -> list[Slip]:
    """Slips for the value of a computed node of a computation graph."""
    pre = draws[0].pre
    op = pre.operation(node)
    parents = pre.parents(node)
    formula = pre.formula(node)
    found = []
    if op is not None and len(parents) == 1 and op.arity == 1:
        (arg,) = parents
        what = "activation" if op.name in ACTIVATIONS else "operation"
        found.append(
            Slip(
                "forgot_operation",
                f"This is {arg}, the input of {node} = {formula}: the {what} {op.name} is "
                f"applied to {arg} to give {node}.",
                lambda d: d.pre.value(arg),
            )
        )
    if op is not None and len(parents) == 2:
        a, b = parents
        if op.name in _OTHER_OPERATION:
            _, symbol, does, f = _OTHER_OPERATION[op.name]
            found.append(
                Slip(
                    "wrong_operation",
                    f"This is {a} {symbol} {b}: {node} = {formula} {does}.",
                    lambda d: f(d.pre.value(a), d.pre.value(b)),
                )
            )
        elif op.name in _ORDER:  # parents are in the order the formula takes them
            symbol, f = _ORDER[op.name]
            found.append(
                Slip(
                    "wrong_order",
                    f"This is {b} {symbol} {a}, the other way round: {node} = {formula}.",
                    lambda d: f(d.pre.value(a), d.pre.value(b)),
                )
            )
    found.append(
        Slip(
            "wrong_sign",
            f"The size is right but the sign is wrong: check every minus sign on the way from "
            f"the leaves to {node}.",
            lambda d: -d.expected,
        )
    )
    found += [
        Slip(
            "wrong_node",
            f"This is {other} = {pre.formula(other)}, not {node}.",
            lambda d, o=other: d.pre.value(o),
        )
        for other in pre.node_names
        if other != node and pre.kind(other) == "operation"
    ]
    return found


def loss_slips(end: str, draws) -> list[Slip]:
    """Slips for a graph's loss: a constant factor, then a forward slip at the end."""
    formula = draws[0].pre.formula(end)
    found = [
        Slip(
            "loss_constant",
            f"This is {_ratio(k)} × the loss: check the constant in front of it "
            f"({end} = {formula}).",
            lambda d, k=k: k * d.expected,
        )
        for k in (2.0, 0.5)
    ]
    return found + forward_slips(end, draws)


# ---------------------------------------------------------------- hints, from the idea to the value
def _steps_before(graph, node: str) -> str:
    """The forward pass up to node, each computed node with its formula and value."""
    before = _computed_before(graph, node)
    shown = [f"{n} = {graph.formula(n)} = {numbers.plain(graph.value(n), 6)}" for n in before]
    if len(shown) > MAX_STEPS:
        shown = [*shown[:MAX_STEPS], "…"]
    leaves = [p for p in _leaves_before(graph, node)]
    given = ", ".join(f"{p} = {numbers.plain(graph.value(p), 6)}" for p in leaves)
    if not shown:
        return f"Its inputs are leaves, given: {given}."
    return (
        f"Work forward from the leaves ({given}), each node after its inputs: {'; '.join(shown)}."
    )


def _computed_before(graph, node: str) -> list[str]:
    seen = set(graph.ancestors(node))
    return [n for n in graph.node_names if n in seen and graph.kind(n) == "operation"]


def _leaves_before(graph, node: str) -> list[str]:
    seen = set(graph.ancestors(node))
    names = (*graph.node_names, *graph.parameter_names)
    return [n for n in names if n in seen and graph.kind(n) in ("input", "parameter")]


def explain_forward(graph, node: str) -> list[str]:
    parents = ", ".join(graph.parents(node))
    return [
        f"{node} = {graph.formula(node)}: compute it from its inputs, {parents}.",
        _steps_before(graph, node),
        f"Here {node} = {numbers.plain(graph.value(node), 6)}.",
    ]


def explain_loss(graph, end: str) -> list[str]:
    return [
        f"The loss {end} is the end of the graph: run it forward from the leaves, then "
        f"{end} = {graph.formula(end)}.",
        _steps_before(graph, end),
        f"Here {end} = {numbers.plain(graph.value(end), 6)}.",
    ]


def explain_delta(graph, node: str) -> list[str]:
    end = graph.end
    children = graph.children(node)
    terms = " + ".join(f"d{c}/d{node}" if c == end else f"d{c}/d{node}·delta_{c}" for c in children)
    last = f" ({end} is the end: its own delta is 1)" if end in children else ""
    return [
        f"delta_{node} = d{end}/d{node}: how fast {end} changes with {node}.",
        f"It collects every path from {node} to {end}; backprop gets it from the nodes "
        f"{node} feeds, each local derivative times that node's delta: "
        f"delta_{node} = {terms}{last}.",
        f"Here delta_{node} = {numbers.plain(graph.delta(node), 6)}.",
    ]
