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

The seed is a hash (SHA-256) of the student id (case and surrounding spaces do not count),
the question's kind, its quantity and the graph's formulas, so the autograder rebuilds the
same variant from the id on any machine.
"""

from __future__ import annotations

import hashlib
import unicodedata

import numpy as np

from ..core.errors import BackpropInputError
from . import variants
from .formula import finite_graph

ATTEMPTS = 400
SILENT = 1e-3  # a node's derivative below this is a silent path


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
    for _ in range(ATTEMPTS):
        values = {name: _draw_like(graph.value(name), rng) for name in leaves}
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


def poor(graph) -> bool:
    """A silent node or a saturated activation (see the module's text)."""
    for name in graph.node_names:
        if graph.path_count(name) and abs(graph.delta(name)) < SILENT:
            return True
        op = graph.operation(name)
        check = getattr(op, "poor_exercise", None)
        parents = graph.parents(name)
        if check is not None and len(parents) == 1 and check(graph.value(parents[0]), graph.value(name)):
            return True
    return False


def degenerate(question) -> bool:
    """The asked derivative (nearly) zero, or a slip within 2 % of it."""
    return variants._vanishing(question) or variants._coincidence(question)
