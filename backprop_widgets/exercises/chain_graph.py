"""The computation graph as the answer checker sees it, and the words it uses for it.

:class:`ChainGraph` asks the core's :class:`~backprop_widgets.core.chain_rule.ComputationGraph`
every fact (edges at either level, paths, local derivatives, totals) and adds only what a
judgement about one parameter needs. :class:`Problem` is one thing wrong with an answer;
the text helpers write factors, products and paths the same way in every message.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.chain_rule import LOSS_NODE
from .vocabulary import Entry

L = LOSS_NODE
# the kinds of node a total d(end)/d(node) may be taken at (a network's, any graph's)
NODE_KINDS = ("input", "net", "neuron", "operation")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an answer: a machine-readable code and a plain message."""

    code: str
    message: str


# ---------------------------------------------------------------- the graph
class ChainGraph:
    """The core's computation graph of one example, asked about one node (a parameter).

    Every fact about the graph (edges at either level, the map between the levels, paths,
    local derivatives, totals, which nodes a node reaches) comes from the core's
    :class:`~backprop_widgets.core.graph.Graph`; this class only adds what a judgement about
    ``param`` needs and caches lookups.

    A network's question passes its two levels (``net`` the network); a question on any
    other graph passes ``net=None`` and the one graph as both levels, so the judge works on
    any computation graph: its end (``self.end``: ``L``, ``f``, ``e``) is where every chain
    ends, and its leaves (inputs and parameters) are where chains start.
    """

    PRE = "pre-activation"

    def __init__(self, net, neuron_graph, pre_graph, param: str):
        self.net = net
        self.param = param
        self.core = pre_graph
        self.end = pre_graph.end
        self.graphs = {"neuron": neuron_graph, self.PRE: pre_graph}
        self._known = {
            level: {*g.node_names, *g.parameter_names} for level, g in self.graphs.items()
        }
        self.kinds = {name: "parameter" for name in pre_graph.parameter_names}
        self.kinds.update({n: pre_graph.kind(n) for n in pre_graph.node_names})
        self.order = {name: -1 for name in pre_graph.parameter_names}
        self.order.update({n: i for i, n in enumerate(pre_graph.node_names)})
        # where a chain to the end may start: a network's parameters; any graph's leaves
        self.starts = ("parameter",) if net is not None else ("parameter", "input")
        self._below: dict[str, frozenset[str]] = {}
        # The graph's paths from param to the end at each level (None when too many to list).
        self.paths: dict[str, list[tuple[str, ...]] | None] = {}
        for level, g in self.graphs.items():
            if level in self.paths:
                continue
            cr = g.chain_rule(param)
            self.paths[level] = cr.paths if cr.enumerated else None
        if neuron_graph is pre_graph:
            self.paths["neuron"] = self.paths[self.PRE]

    @property
    def is_network(self) -> bool:
        return self.net is not None

    @property
    def nodes_word(self) -> str:
        """What a chain passes through: a network's neurons, any graph's nodes."""
        return "neurons" if self.is_network else "operation nodes"

    def levels(self, num: str, den: str) -> set[str]:
        """The levels at which num depends directly on den (empty: not an edge)."""
        return {
            level
            for level, g in self.graphs.items()
            if den in self._known[level] and g.has_edge(num, den)
        }

    def has_edge(self, num: str, den: str) -> bool:
        return bool(self.levels(num, den))

    def local(self, num: str, den: str) -> float:
        """d num / d den along an edge (an edge into the end is its local derivative, not
        the total: in f = u(x) * x, df/dx along the edge x -> f is u, not df/dx)."""
        for g in self.graphs.values():
            if g.has_edge(num, den):
                return g.local(num, den)
        return self.core.derivative(num, den)

    def children(self, name: str, level: str | None = None) -> list[str]:
        """Nodes that depend directly on name, at one level or at either."""
        out: list[str] = []
        for lv, g in self.graphs.items():
            if level in (None, lv) and name in self._known[lv]:
                out += [c for c in g.children(name) if c not in out]
        return out

    def descendants(self, name: str) -> frozenset[str]:
        """Every node reachable from name along edges (the core's reach; the finer level
        holds every node of the coarser one, and reaches the same ones)."""
        if name not in self._below:
            self._below[name] = (
                frozenset(self.core.reaches(name)) if name in self.core else frozenset()
            )
        return self._below[name]

    def reaches(self, name: str) -> bool:
        """Whether the parameter asked about reaches this node (so dL/dnode is on its way)."""
        return name in self.descendants(self.param)

    def project(self, path) -> tuple[str, ...]:
        return self.core.project(path)

    def refine(self, path) -> list[tuple[str, ...]]:
        return self.core.refine(path)

    def parameter_word(self, name: str) -> str:
        """weight or bias for a network's parameter; "parameter" for any graph's."""
        if self.net is None:
            return "parameter"
        return self.net.parameter_info(name).kind

    def uses(self, name: str) -> list[str]:
        """The nodes a parameter (or any node) enters directly."""
        if self.net is not None and name in self.net.parameter_names:
            return list(self.net.parameter_info(name).targets)
        return self.core.children(name)


@dataclass(frozen=True)
class Closer:
    """A factor that ends a product by standing for every path below a node.

    ``dL/dh1`` (``output`` None) or ``dE_o1/dh1``, the share of a summed loss carried by
    output o1 (``output`` "o1").
    """

    node: str
    output: str | None = None

    end: str = L

    def text(self) -> str:
        return f"d{self.end if self.output is None else 'E_' + self.output}/d{self.node}"

    def value(self, cg: ChainGraph) -> float:
        if self.output is None:
            return cg.core.derivative(cg.end, self.node)
        return cg.core.loss_share(self.output, self.node)

    def paths(self, cg: ChainGraph) -> list[tuple[str, ...]]:
        return cg.core.paths_from(self.node, through=self.output)


def closer_of(num: Entry, den: Entry, cg: ChainGraph, as_total=frozenset()) -> Closer | None:
    """The factor as a total (dL/dX, dE_o1/dX), when it is one and not a plain edge.

    ``as_total``: nodes X whose d end/dX is read as the total although X -> end is also an
    edge (on a graph where X reaches the end along other paths too, df/dX means either)."""
    if num.kind not in ("loss", "loss_share"):
        return None
    if cg.has_edge(num.name, den.name) and not (num.kind == "loss" and den.name in as_total):
        return None
    if den.kind not in NODE_KINDS:
        return None
    return Closer(den.name, num.node if num.kind == "loss_share" else None, cg.end)


# ---------------------------------------------------------------- text helpers
def factor_text(factor: tuple[str, str]) -> str:
    return f"d{factor[0]}/d{factor[1]}"


SHOWN_FACTORS = 6  # a longer product is shown by its ends, so that a message stays short


def elided(texts, sep: str = " * ", what: str = "factors") -> str:
    """texts joined by sep; a long list shown by its ends, with its length, so that a
    message stays a few lines whatever the student typed.

    >>> elided(["a"] * 7)
    'a * a * a * … * a * a * a (7 factors)'
    """
    texts = list(texts)
    if len(texts) <= SHOWN_FACTORS:
        return sep.join(texts)
    ends = SHOWN_FACTORS // 2
    return f"{sep.join(texts[:ends])}{sep}…{sep}{sep.join(texts[-ends:])} ({len(texts):,} {what})"


def product_text(factors) -> str:
    """``dh1/dw1 * do1/dh1``; a long product elided in the middle, with its length."""
    return elided(factor_text(f) for f in factors)


def path_text(path) -> str:
    return " → ".join(path)


def path_factors(path) -> list[tuple[str, str]]:
    return [(path[k + 1], path[k]) for k in range(len(path) - 1)]


def names(items: list[str]) -> str:
    """``a, b and c``; a long list elided in the middle, with its length."""
    if len(items) > SHOWN_FACTORS:
        return elided(items, ", ", "in all")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def chain_of(factors: list[tuple[str, str]]) -> tuple[str, ...] | None:
    """The path the factors form when they join up into one chain, else None."""
    by_den: dict[str, str] = {}
    for num, den in factors:
        if den in by_den:
            return None
        by_den[den] = num
    nums = set(by_den.values())
    if len(nums) < len(factors):
        return None
    starts = [d for d in by_den if d not in nums]
    if len(starts) != 1:
        return None
    path = [starts[0]]
    while path[-1] in by_den and len(path) <= len(factors):
        path.append(by_den[path[-1]])
    return tuple(path) if len(path) == len(factors) + 1 else None
