"""The chain rule made visible: d end / d node as a sum over paths of products of factors.

A :class:`ChainRule` reads a :class:`~.graph.Graph` (any computation graph, or a network's at
one of its levels) and writes the derivative in the forms a course uses: every path with
its factors, the paths grouped where they part, the factored form, and the delta form
backprop computes (linear in size where the paths are exponential).
"""

from __future__ import annotations

import numpy as np

from . import numbers
from .errors import TooManyPathsError
from .graph import CONVENTIONS, NETWORK_LEVELS, Graph
from .notation import (
    DELTA_PREFIX,
    LOSS_NODE,
    NET_PREFIX,
    SHARE_PREFIX,
    DeltaEquation,
    Factor,
    delta_symbol,
    latex_name,
)

# The levels the widgets draw and questions are judged at. A network's graph also has the
# "operation" level (NETWORK_LEVELS); the views take it once they take any graph.
LEVELS = NETWORK_LEVELS[:2]

# Today's name for the graph: one class, built from Values, a function, text or a network.
ComputationGraph = Graph

__all__ = [
    "CONVENTIONS", "DELTA_PREFIX", "LEVELS", "LOSS_NODE", "NET_PREFIX", "SHARE_PREFIX",
    "ChainRule", "ComputationGraph", "DeltaEquation", "Factor", "latex_name",
]  # fmt: skip


class ChainRule:
    """dL/dp for one parameter and one example, as a sum over paths of products of factors.

    Attributes
    ----------
    param, level : str
    value : float
        The total; equals ``net.gradients(x, t)[param]``.
    path_count : int
        Number of paths from the parameter to L (always known).
    enumerated : bool
        Whether ``paths`` and ``terms`` are listed (False above ``max_paths``).
    paths : list of tuple of str
        ``("w1", "h1", "o1", "L")`` per path (one per use for a tied parameter).
    terms : list of list of Factor
        The factors of each path, first (d h1 / d w1) to last (dL/d o1).
    """

    def __init__(self, graph: Graph, param: str, max_paths: int):
        self.graph = graph
        self.param = param
        self.end = graph.end
        self.level = graph.level
        self.value = graph.gradient(param)
        self.path_count = graph.path_count(param)
        self.max_paths = max_paths
        self.enumerated = self.path_count <= max_paths
        self._paths: list[tuple[str, ...]] = []
        self._terms: list[list[Factor]] = []
        if self.enumerated:
            for head in graph.steps_from(param):
                for names, factors in graph.paths_below(head.num):
                    self._paths.append((param, head.num, *names))
                    self._terms.append([head, *factors])

    def _require_paths(self) -> None:
        if not self.enumerated:
            raise TooManyPathsError(
                f"d{self.end}/d{self.param} has {self.path_count} paths, more than max_paths="
                f"{self.max_paths}; use .delta_text() (the factored form backprop uses) "
                f"or pass a larger max_paths"
            )

    @property
    def paths(self) -> list[tuple[str, ...]]:
        self._require_paths()
        return list(self._paths)

    @property
    def terms(self) -> list[list[Factor]]:
        self._require_paths()
        return [list(t) for t in self._terms]

    def term_values(self) -> list[float]:
        """The value of each path's product."""
        return [float(np.prod([f.value for f in term])) for term in self.terms]

    def groups(self) -> list[tuple[tuple[str, ...], list[int]]]:
        """The paths grouped where they part: ``(shared, indices)`` per group.

        ``shared`` is the start every path of the group has in common, from the parameter
        to the first node where the paths differ (w1, h1, h2_3 in a 2-16-16-1 net: one group
        per second-layer neuron); ``indices`` index ``paths``. The group's sum is the product
        of the shared factors times the delta of its last node.
        """
        paths = self.paths
        depth = next(
            (d for d in range(1, min(map(len, paths))) if len({p[d] for p in paths}) > 1),
            len(paths[0]) - 1,
        )
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, path in enumerate(paths):
            groups.setdefault(path[: depth + 1], []).append(i)
        return list(groups.items())

    # -------------------------------------------------------------- text
    def text(self, values: bool = False, digits: int = 4) -> str:
        """The sum over paths in ASCII Leibniz form, or with each factor's value."""
        if values:
            return " + ".join(
                " * ".join(numbers.signed(f.value, digits) for f in term) for term in self.terms
            )
        return " + ".join(" * ".join(f.text() for f in term) for term in self.terms)

    def latex(self, values: bool = False, digits: int = 4) -> str:
        if values:
            return " + ".join(
                r" \cdot ".join(numbers.latex(f.value, digits) for f in term) for term in self.terms
            )
        return " + ".join(" ".join(f.latex() for f in term) for term in self.terms)

    def _first_nodes(self) -> list[tuple[str, Factor]]:
        return [(f.num, f) for f in self.graph.steps_from(self.param)]

    def factored_text(self) -> str:
        """The paths regrouped by shared factors, as backprop computes them:
        ``dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)``."""
        self._require_paths()
        return " + ".join(
            _product(f.text(), *self._below_text(node, False)) for node, f in self._first_nodes()
        )

    def factored_latex(self) -> str:
        self._require_paths()
        return " + ".join(
            _product(f.latex(), *self._below_text(node, True), latex=True)
            for node, f in self._first_nodes()
        )

    def _below_text(self, node: str, latex: bool) -> tuple[str, bool]:
        """delta_node written out in full, and whether it is a sum at the top level."""
        eq = self.graph.delta_equation(node)
        parts = []
        for factor, child in eq.terms:
            own = factor.latex() if latex else factor.text()
            if child == self.end:
                parts.append(own)
            else:
                parts.append(_product(own, *self._below_text(child, latex), latex=latex))
        return " + ".join(parts), len(parts) > 1

    def delta_equations(self) -> list[DeltaEquation]:
        """Delta of every node between the parameter and L, from L backwards."""
        g = self.graph
        reachable: list[str] = []
        frontier = [node for node, _ in self._first_nodes()]
        seen = set()
        while frontier:
            nxt = []
            for node in frontier:
                if node not in seen and node != self.end:
                    seen.add(node)
                    reachable.append(node)
                    nxt.extend(g.children(node))
            frontier = nxt
        order = {n: i for i, n in enumerate(g.backward_order())}
        return [g.delta_equation(n) for n in sorted(reachable, key=order.get)]

    def delta_text(self, digits: int | None = None) -> str:
        """dL/dp = sum dnode/dp * delta_node, then each delta in terms of the next: linear size."""
        top = " + ".join(
            f"{f.text()} * {delta_symbol(node)}"
            if digits is None
            else f"{numbers.signed(f.value, digits)} * {numbers.signed(self.graph.delta(node), digits)}"
            for node, f in self._first_nodes()
        )
        if digits is not None:
            top += f" = {numbers.plain(self.value, digits)}"
        lines = [f"d{self.end}/d{self.param} = {top}"]
        lines += [eq.text(digits) for eq in self.delta_equations()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ChainRule d{self.end}/d{self.param} = {self.value:.6g} over {self.path_count} path(s)>"


def _product(first: str, rest: str, rest_is_sum: bool, latex: bool = False) -> str:
    sep = " " if latex else " * "
    if rest_is_sum:
        rest = (r"\left(" + rest + r"\right)") if latex else f"({rest})"
    return f"{first}{sep}{rest}"
