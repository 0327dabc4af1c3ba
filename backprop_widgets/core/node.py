"""A node of a computation graph: what every builder (Values, a network) hands the Graph."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Node:
    """One node: a leaf (no inputs) or an operation with one local derivative per input."""

    name: str
    kind: str  # input, parameter, constant; operation; a network's net, neuron, loss
    value: float
    op: str | None = None  # the registry's name of its operation (None for a leaf)
    inputs: tuple[str, ...] = ()
    locals: tuple[float, ...] = ()  # d node / d input, in the order of inputs
    constants: dict = field(default_factory=dict)  # an exponent, a softmax index, targets
    args: tuple[str, ...] = ()  # the operation's arguments as called (x * x: x, x); () = inputs


def merged_edges(inputs, partials) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """One edge per distinct input: x * x has one edge x -> node with local 2x."""
    merged: dict[str, float] = {}
    for name, local in zip(inputs, partials, strict=True):
        merged[name] = merged.get(name, 0.0) + float(local)
    return tuple(merged), tuple(merged.values())
