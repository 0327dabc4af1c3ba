"""Each student's own numbers for a question on a computation graph (``bw.expression``, ...).

A variant keeps the graph (its operations, names and constants) and draws new values for its
input and parameter leaves, rebuilt with :meth:`~backprop_widgets.core.graph.Graph.with_values`.
A leaf given as a whole number (CS231n's x = -2) gets a whole number from -5 to 5 (never 0);
any other leaf a number of size 0.1 to 1.5 with two decimals. A draw is kept only when it is
not degenerate:

- every operation stays in its domain (no log of a negative number, no division by zero:
  every value and every derivative is finite);
- no node on the way to the end has a zero derivative (below 1e-3), so no path is silent
  (a relu at its off side, a factor of 0);
- no activation is saturated (the registry's ``poor_exercise``: a sigmoid within 0.02 of 0
  or 1, ``|tanh|`` above 0.96, a relu input near its kink);
- the asked derivative is not (nearly) zero, and no slip the hints know comes within 2 % of
  it (:mod:`.variants`, as for a network).

A target is drawn where the output it is compared with can go. In a graph whose end is named
L, a leaf t in ``y - t`` or ``t - y`` that is squared (``r^2``, ``r * r``) on the way to L, or
multiplied by ``log(y)`` (a written-out bce), is the target of y; where y is made by an
activation with a ``target_range`` in the registry (sigmoid (0, 1), tanh (-1, 1), relu and
gelu [0, inf)), t is drawn inside it, a tenth of its width from either edge (0.1 to 0.9 for a
sigmoid: a probability, as bce needs), with two decimals; on a half-open range as any other
leaf, on its side. A linear output's target, and every other leaf, is drawn as above.

The seed is a hash (SHA-256) of the student id (case and surrounding spaces do not count),
the question's kind, its quantity and the graph's formulas, so the autograder rebuilds the
same variant from the id on any machine.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata

import numpy as np

from ..core.errors import BackpropInputError
from ..core.notation import LOSS_NODE
from . import variants
from .formula import finite_graph

ATTEMPTS = 400
SILENT = 1e-3  # a node's derivative below this is a silent path
EDGE = 0.1  # a bounded target keeps this share of its range's width from either edge


def normalise(student) -> str:
    """The form an id is seeded in (as :func:`.identity.normalise`: NFKC, stripped, case folded)."""
    if not isinstance(student, str):
        return ""
    return unicodedata.normalize("NFKC", student).strip().casefold()[:200]


def leaves_of(graph) -> list[str]:
    """The leaves a variant draws again: inputs and parameters (constants stay)."""
    return [n for n in (*graph.node_names, *graph.parameter_names)
            if graph.kind(n) in ("input", "parameter")]  # fmt: skip


def seed_for(question, student: str) -> int:
    graph = question.graph
    shape = ";".join(f"{n}={graph.formula(n)}" for n in graph.node_names)
    key = "|".join([normalise(student), type(question).__name__, question.asked.key, shape])
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def graph_for(question, student: str):
    """The question's graph with this student's leaf values (deterministic from the id)."""
    if not normalise(student):
        raise BackpropInputError(f"student must be a non-empty string (an id); got {student!r}")
    graph = question.graph
    rng = np.random.default_rng(seed_for(question, student))
    leaves = leaves_of(graph)
    ranges = target_ranges(graph)
    for _ in range(ATTEMPTS):
        values = {
            name: _draw_within(ranges[name], graph.value(name), rng)
            if name in ranges
            else _draw_like(graph.value(name), rng)
            for name in leaves
        }
        other = finite_graph(graph, values)
        if other is None or poor(other):
            continue
        if not degenerate(question._rebuilt(other, None, None)):
            return other
    raise BackpropInputError(
        f"no non-degenerate values found for {question.prompt} in {ATTEMPTS} draws; "
        "use a graph where the asked derivative can be far from zero"
    )


def _draw_like(value: float, rng) -> float:
    sign = float(rng.choice((-1.0, 1.0)))
    if value == int(value) and abs(value) >= 1:
        return sign * float(rng.integers(1, 6))
    return round(sign * float(rng.uniform(0.1, 1.5)), 2)


def _draw_within(bounds: tuple[float, float], value: float, rng) -> float:
    """A target inside (low, high), away from its edges; it takes as many random numbers as
    :func:`_draw_like`, so the other leaves' draws stay those of a graph without targets."""
    low, high = bounds
    rng.choice((-1.0, 1.0))  # the sign another leaf would draw: one side of the range has none
    whole = value == int(value) and abs(value) >= 1
    if math.isinf(high) or math.isinf(low):
        size = float(rng.integers(1, 6)) if whole else round(float(rng.uniform(0.1, 1.5)), 2)
        return low + size if math.isinf(high) else high - size
    margin = EDGE * (high - low)
    return round(float(rng.uniform(low + margin, high - margin)), 2)


def target_ranges(graph) -> dict[str, tuple[float, float]]:
    """The leaves a loss compares with a node's output, each with the range it is drawn in.

    >>> from backprop_widgets.exercises.expression import expression
    >>> target_ranges(expression("y = tanh(w * x); L = 0.5 * (y - t)^2", w=0.5, x=1, t=0.3))
    {'t': (-1.0, 1.0)}
    """
    if graph.end != LOSS_NODE:
        return {}
    found: dict[str, tuple[float, float]] = {}
    for name in graph.node_names:
        if not graph.path_count(name):
            continue
        for leaf, output in _compared(graph, name):
            bounds = getattr(graph.operation(output), "target_range", None)
            if bounds is not None:
                found.setdefault(leaf, tuple(map(float, bounds)))
    return found


def _compared(graph, name: str) -> list[tuple[str, str]]:
    """(target leaf, output node) pairs at one node: ``y - t`` squared, or ``t * log(y)``."""
    op = graph.operation(name)
    parents = graph.parents(name)
    if op is None or len(parents) != 2:
        return []
    leaves = [p for p in parents if graph.kind(p) in ("input", "parameter")]
    outputs = [p for p in parents if graph.operation(p) is not None]
    if len(leaves) != 1 or len(outputs) != 1:
        return []
    (leaf,), (other,) = leaves, outputs
    if op.name == "subtract" and any(_squares(graph, c) for c in graph.children(name)):
        return [(leaf, other)]
    if op.name == "multiply" and graph.operation(other).name == "log":
        (output,) = graph.parents(other)
        if getattr(graph.operation(output), "target_range", None) == (0.0, 1.0):
            return [(leaf, output)]  # bce written out: t log y + (1 - t) log(1 - y)
    return []


def _squares(graph, name: str) -> bool:
    """r^2 (an even power) or r * r, on a path to the end."""
    op = graph.operation(name)
    if op is None or not graph.path_count(name):
        return False
    if op.name == "multiply":
        return len(graph.parents(name)) == 1  # one merged input: r * r
    exponent = graph.constants(name).get("exponent")
    return op.name == "power" and exponent is not None and exponent >= 2 and exponent % 2 == 0


def poor(graph) -> bool:
    """A silent node or a saturated activation (see the module's text)."""
    for name in graph.node_names:
        if graph.path_count(name) and abs(graph.delta(name)) < SILENT:
            return True
        op = graph.operation(name)
        check = getattr(op, "poor_exercise", None)
        parents = graph.parents(name)
        if (
            check is not None
            and len(parents) == 1
            and check(graph.value(parents[0]), graph.value(name))
        ):
            return True
    return False


def degenerate(question) -> bool:
    """The asked derivative (nearly) zero, or a slip within 2 % of it."""
    return variants._vanishing(question) or variants._coincidence(question)
