"""The chain rule made visible: paths, factors, and the deltas backprop uses.

A :class:`ComputationGraph` is the network unrolled for one example into *stages*
of nodes. At ``level="neuron"`` the stages are the layers (``i1 -> h1 -> o1 -> L``);
at ``level="pre-activation"`` each neuron is split into its net input and its
activation (``i1 -> net_h1 -> h1 -> net_o1 -> o1 -> L``), as in the classic 2-2-2
walkthrough where ``net_h1`` is the net input and ``h1`` (``out_h1`` there) the output.

Parameters are not nodes of a stage: a weight is an independent variable that
feeds exactly one net input, so its only edge goes *into* the graph. That is why
a factor such as dw7/dh1 can never appear in a chain-rule product.

Between consecutive stages a matrix holds every local derivative
``d node_k / d node_j``; deltas (dL/d node) come from one backward sweep of those
matrices, and path counts from the same sweep over the edge pattern, so counting
paths never enumerates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from . import numbers, validation
from .errors import BackpropInputError, TooManyPathsError, unknown_name

LEVELS = ("neuron", "pre-activation")
CONVENTIONS = ("node", "net")  # delta = dL/d(node), or the Mazur/Nielsen dL/d(net input)
LOSS_NODE = "L"
NET_PREFIX = "net_"
DELTA_PREFIX = "delta_"
SHARE_PREFIX = "E_"  # E_o1: the part of a summed loss that output o1 carries


def latex_name(name: str) -> str:
    """LaTeX for a node or parameter name: h1 -> h_{1}, net_h1 -> \\mathrm{net}_{h1}.

    A delta and a loss share get their textbook forms: delta_h1 -> \\delta_{h_{1}},
    E_o1 -> E_{o_{1}}.
    """
    for prefix, command in ((DELTA_PREFIX, r"\delta"), (SHARE_PREFIX, "E")):
        if name.startswith(prefix) and len(name) > len(prefix):
            return command + "_{" + latex_name(name[len(prefix) :]) + "}"
    if name.startswith(NET_PREFIX):
        return r"\mathrm{net}_{" + name[len(NET_PREFIX) :] + "}"
    stem = name.rstrip("0123456789")
    digits = name[len(stem) :]
    stem = "".join(_LATEX_SPECIAL.get(c, c) for c in stem)
    return f"{stem}_{{{digits}}}" if digits and stem else stem or digits


# Characters a node name may hold that LaTeX reads as commands or alignment.
_LATEX_SPECIAL = {c: "\\" + c for c in "_&%#$"}


@dataclass(frozen=True)
class Factor:
    """One local derivative d num / d den on a path, with its value at this example."""

    num: str
    den: str
    value: float

    def text(self) -> str:
        return f"d{self.num}/d{self.den}"

    def latex(self) -> str:
        return rf"\frac{{\partial {latex_name(self.num)}}}{{\partial {latex_name(self.den)}}}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class DeltaEquation:
    """delta_node = dL/d node = sum over children c of (dc/d node) * delta_c."""

    node: str
    value: float
    terms: tuple[tuple[Factor, str], ...]  # (dc/d node, c); empty for L itself
    child_deltas: tuple[float, ...] = ()  # delta_c of each term's child (1 for L)

    def text(self, digits: int | None = None) -> str:
        if not self.terms:
            return f"dL/d{self.node} = 1"
        if [c for _, c in self.terms] == [LOSS_NODE]:  # an output: its delta is one edge
            value = self.terms[0][0].text() if digits is None else numbers.plain(self.value, digits)
            return f"{_delta_symbol(self.node)} = {value}"
        if digits is None:
            body = " + ".join(
                f"{f.text()} * {_delta_symbol(c)}" if c != LOSS_NODE else f.text()
                for f, c in self.terms
            )
        else:
            body = " + ".join(
                numbers.signed(f.value, digits)
                if c == LOSS_NODE
                else f"{numbers.signed(f.value, digits)} * {numbers.signed(delta, digits)}"
                for (f, c), delta in zip(self.terms, self.child_deltas, strict=True)
            )
            body += f" = {numbers.plain(self.value, digits)}"
        return f"{_delta_symbol(self.node)} = {body}"


def _delta_symbol(node: str) -> str:
    return DELTA_PREFIX + node


class ComputationGraph:
    """One example's forward pass, local derivatives and backward pass, as a graph.

    Parameters
    ----------
    net : Network
    x, t : array-like
        One input vector and its target vector.
    level : {"neuron", "pre-activation"}

    Names: the network's neurons, ``net_<neuron>`` for net inputs at the
    pre-activation level, and ``"L"`` for the loss.
    """

    def __init__(self, net, x, t, level: str = "neuron"):
        validation.one_of(level, LEVELS, "level")
        A, single = net.checked_inputs(x, "x")
        if not single and A.shape[0] != 1:
            raise BackpropInputError(
                f"x must be one example (shape ({net.sizes[0]},)) for the chain rule; got shape {A.shape}"
            )
        T = net.checked_targets(t, 1, "t")
        # A snapshot: later changes to the network do not change this graph's numbers.
        net = net.copy()
        self.level = level
        self.net = net
        self.x = A[0].copy()
        self.t = T[0].copy()
        self._other_level: ComputationGraph | None = None
        self.parameter_names = net.parameter_names
        zs, acts = net.forward_cache(A)
        self.loss = net.loss_of(zs, acts, T)
        self._build_stages(net, zs, acts, T)
        self._build_parameter_edges(net, zs, acts)
        self._backward()

    # -------------------------------------------------------------- building
    def _build_stages(self, net, zs, acts, T) -> None:
        names = net.node_names
        weights = net.weights
        stage_names = [list(names[0])]
        stage_values = [acts[0][0].copy()]
        stage_kinds = ["input"]
        matrices = [None]  # matrices[s][k, j] = d stage_s[k] / d stage_{s-1}[j]
        masks = [None]  # where an edge exists (a local derivative can be 0 and still be an edge)
        self._jacobians = []
        for layer in range(1, len(net.sizes)):
            W = weights[layer - 1]
            z, a = zs[layer - 1][0], acts[layer][0]
            act = net.layer_activation(layer)
            J = act.jacobian(z, a)
            self._jacobians.append(J)
            structure = (
                np.ones(J.shape, bool) if not act.elementwise else np.eye(len(a), dtype=bool)
            )
            if self.level == "pre-activation":
                stage_names.append([NET_PREFIX + n for n in names[layer]])
                stage_values.append(z.copy())
                stage_kinds.append("net")
                matrices.append(W.copy())
                masks.append(np.ones(W.shape, bool))
                stage_names.append(list(names[layer]))
                stage_values.append(a.copy())
                stage_kinds.append("neuron")
                matrices.append(np.where(structure, J, 0.0))
                masks.append(structure)
            else:
                stage_names.append(list(names[layer]))
                stage_values.append(a.copy())
                stage_kinds.append("neuron")
                matrices.append(J @ W)
                masks.append(np.ones(W.shape, bool))
        # dL/dy for this single example
        y = acts[-1]
        dL_dy = net.loss_function.grad_output(y, T)[0]
        stage_names.append([LOSS_NODE])
        stage_values.append(np.array([self.loss]))
        stage_kinds.append("loss")
        matrices.append(dL_dy.reshape(1, -1))
        masks.append(np.ones((1, len(dL_dy)), bool))
        self._stage_names = stage_names
        self._stage_values = stage_values
        self._stage_kinds = stage_kinds
        self._matrices = matrices
        self._masks = masks
        self._where = {
            name: (s, k) for s, stage in enumerate(stage_names) for k, name in enumerate(stage)
        }
        self.node_names = [n for stage in stage_names for n in stage]
        # The layer of the network each stage belongs to (input 0, L after the last).
        per_layer = 2 if self.level == "pre-activation" else 1
        self._stage_layer = [0] + [1 + (s - 1) // per_layer for s in range(1, len(stage_names))]

    def _build_parameter_edges(self, net, zs, acts) -> None:
        """For each parameter, the nodes it enters directly and the local derivatives."""
        per_layer = 2 if self.level == "pre-activation" else 1
        edges: dict[str, dict[tuple[int, int], float]] = {}
        n_layers = len(net.sizes) - 1
        elementwise = [net.layer_activation(layer).elementwise for layer in range(1, n_layers + 1)]
        for name, entries in zip(net.parameter_names, net.parameter_entries):
            out: dict[tuple[int, int], float] = {}
            # the parameter's contribution to each net input it enters: dz_i/dp
            for layer, i, src in entries:
                dz = 1.0 if src is None else acts[layer - 1][0][src]
                if self.level == "pre-activation":
                    s = 1 + (layer - 1) * per_layer
                    out[(s, i)] = out.get((s, i), 0.0) + dz
                else:
                    # at the neuron level the first node is the activation: da_k/dp = J[k, i] dz_i/dp
                    s = layer
                    J = self._jacobians[layer - 1]
                    ks = (i,) if elementwise[layer - 1] else range(J.shape[0])
                    for k in ks:
                        out[(s, k)] = out.get((s, k), 0.0) + float(J[k, i] * dz)
            edges[name] = out
        self._param_edges = edges

    def _backward(self) -> None:
        n = len(self._stage_names)
        deltas = [None] * n
        counts = [None] * n
        deltas[-1] = np.ones(1)
        counts[-1] = np.array([1], dtype=object)
        for s in range(n - 1, 0, -1):
            deltas[s - 1] = self._matrices[s].T @ deltas[s]
            counts[s - 1] = self._masks[s].T.astype(object).dot(counts[s])
        self._deltas = deltas
        self._counts = counts

    # -------------------------------------------------------------- lookups
    def _locate(self, name) -> tuple[int, int]:
        try:
            return self._where[name]
        except (KeyError, TypeError):
            raise unknown_name("node", name, self.node_names) from None

    def _check_param(self, name) -> None:
        if name not in self._param_edges:
            raise unknown_name("parameter", name, self.parameter_names)

    def kind(self, name: str) -> str:
        """ "input", "net", "neuron", "loss" or "parameter"."""
        if name in self._param_edges:
            return "parameter"
        return self._stage_kinds[self._locate(name)[0]]

    def value(self, name: str) -> float:
        """The value of a node at this example (or of a parameter)."""
        if name in self._param_edges:
            return float(self.net[name])
        s, k = self._locate(name)
        return float(self._stage_values[s][k])

    def delta(self, name: str, convention: str = "node") -> float:
        """The delta of a node, as backprop computes it.

        ``convention="node"`` (the package's): dL/d node. ``convention="net"`` (Mazur's,
        Nielsen's): dL/d net_node, the delta of the neuron's net input; for a net input,
        an input or L both conventions are the same number.
        """
        if convention not in CONVENTIONS:
            raise BackpropInputError(
                f"convention must be one of {', '.join(CONVENTIONS)}; got {convention!r}"
            )
        if convention == "net" and self.net_input_of(name) is not None:
            name = self.net_input_of(name)
        if name not in self._where and self.level == "neuron":
            return self.both_levels("pre-activation").delta(name)  # net inputs live there
        s, k = self._locate(name)
        return float(self._deltas[s][k])

    # -------------------------------------------------------------- both levels
    def both_levels(self, level: str) -> ComputationGraph:
        """This example's graph at ``level``: this graph, or its twin at the other level.

        Both share one snapshot of the parameters, so every number they share agrees.
        """
        if level not in LEVELS:
            raise BackpropInputError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
        if level == self.level:
            return self
        if self._other_level is None:
            other = ComputationGraph(self.net, self.x, self.t, level)
            other._other_level = self
            self._other_level = other
        return self._other_level

    def net_input_of(self, name: str) -> str | None:
        """The net input of a neuron (h1 -> net_h1); None for an input, L or a net input."""
        pre = self.both_levels("pre-activation")
        candidate = NET_PREFIX + name
        return candidate if candidate in pre._where and pre.kind(candidate) == "net" else None

    def neuron_of(self, name: str) -> str:
        """The neuron a node belongs to: net_h1 -> h1; any other node is its own."""
        pre = self.both_levels("pre-activation")
        if name in pre._where and pre.kind(name) == "net":
            return name[len(NET_PREFIX) :]
        return name

    def project(self, path) -> tuple[str, ...]:
        """A pre-activation path as neuron-level nodes: the net inputs dropped."""
        pre = self.both_levels("pre-activation")
        return tuple(n for n in path if not (n in pre._where and pre.kind(n) == "net"))

    def refine(self, path) -> list[tuple[str, ...]]:
        """The pre-activation paths a path (of either level, or mixed) stands for.

        A neuron-level edge h1 -> o1 is the sum over the net inputs between them: one route
        (h1 -> net_o1 -> o1) for an elementwise activation, one per net input of the layer
        for softmax. Pre-activation edges stay as they are.
        """
        pre = self.both_levels("pre-activation")
        out: list[tuple[str, ...]] = [(path[0],)]
        for den, num in pairwise(path):
            if pre.has_edge(num, den):
                routes = [(num,)]
            else:
                routes = [(mid, num) for mid in pre.children(den) if pre.has_edge(num, mid)]
            out = [head + route for head in out for route in routes]
        return out

    def paths_from(self, name: str, through: str | None = None) -> list[tuple[str, ...]]:
        """Every path from a node to L at this level (the node first, L last).

        ``through``: only the paths whose last node before L is this output, the share of
        a summed loss that one output carries (Mazur's E_o1).
        """
        if name == LOSS_NODE:
            return [(LOSS_NODE,)]
        s, k = self._locate(name)
        found = [(name, *names) for names, _ in self._paths_from(s, k)]
        if through is not None:
            found = [p for p in found if len(p) >= 2 and p[-2] == through]
        return found

    def local_slope(self, neuron: str) -> float:
        """d neuron / d net_neuron: the activation's slope at the net input, sigma'(net)."""
        net_name = self.net_input_of(neuron)
        if net_name is None:
            raise BackpropInputError(
                f"neuron must be a hidden or output neuron with a net input; got {neuron!r}"
            )
        return self.both_levels("pre-activation").local(neuron, net_name)

    def weight_between(self, src: str, dst: str) -> str | None:
        """The weight on the edge src -> dst (dst may be written net_dst), or None."""
        dst = self.neuron_of(dst)
        return self.net.weight_between(src, dst)

    def derivative(self, num: str, den: str) -> float:
        """d num / d den: an edge of either level, or dL/d(node or parameter), the total.

        Raises KeyError when it is neither (dh2/dw1, do1/dw1, dw7/dh1).
        """
        if num == LOSS_NODE:
            if den in self._param_edges:
                return self.gradient(den)
            pre = self.both_levels("pre-activation")
            if den in pre._where:
                return pre.delta(den)
        for graph in (self.both_levels("pre-activation"), self.both_levels("neuron")):
            if graph.has_edge(num, den):
                return graph.local(num, den)
        raise KeyError(f"d{num}/d{den} is neither an edge nor a derivative of L")

    def loss_share(self, output: str, name: str) -> float:
        """dE_output / d name: the derivative of the part of a summed loss that one output
        carries (Mazur's E_o1), the sum over the paths from name to L through that output."""
        pre = self.both_levels("pre-activation")
        total = 0.0
        for path in pre.paths_from(name, through=output):
            product = 1.0
            for den, num in pairwise(path):
                product *= pre.local(num, den)
            total += product
        return total

    def layer_of(self, name: str) -> int:
        """The network layer a node belongs to (0 for inputs; L is after the last)."""
        return self._stage_layer[self._locate(name)[0]]

    def has_edge(self, num: str, den: str) -> bool:
        """True when num depends directly on den (den a node or a parameter)."""
        if num not in self._where:
            return False
        s, k = self._where[num]
        if den in self._param_edges:
            return (s, k) in self._param_edges[den]
        if den not in self._where:
            return False
        s0, j = self._where[den]
        return s0 == s - 1 and bool(self._masks[s][k, j])

    def local(self, num: str, den: str) -> float:
        """The local partial derivative d num / d den along an edge."""
        if not self.has_edge(num, den):
            raise KeyError(f"d{num}/d{den} is not an edge: {num} does not depend directly on {den}")
        s, k = self._where[num]
        if den in self._param_edges:
            return float(self._param_edges[den][(s, k)])
        return float(self._matrices[s][k, self._where[den][1]])

    def children(self, name: str) -> list[str]:
        """Nodes that depend directly on this node or parameter."""
        if name in self._param_edges:
            return [self._stage_names[s][k] for s, k in self._param_edges[name]]
        s, j = self._locate(name)
        if s + 1 >= len(self._stage_names):
            return []
        rows = np.flatnonzero(self._masks[s + 1][:, j])
        return [self._stage_names[s + 1][k] for k in rows]

    def parents(self, name: str) -> list[str]:
        """Nodes and parameters this node depends on directly."""
        s, k = self._locate(name)
        found = []
        if s > 0:
            cols = np.flatnonzero(self._masks[s][k])
            found = [self._stage_names[s - 1][j] for j in cols]
        found += [p for p, e in self._param_edges.items() if (s, k) in e]
        return found

    def backward_order(self) -> list[str]:
        """Node names from L back to the inputs, stage by stage: the order backprop visits them."""
        return [n for stage in reversed(self._stage_names) for n in stage]

    def delta_equation(self, name: str) -> DeltaEquation:
        """How delta of a node collapses the paths below it: sum of (dc/dnode) * delta_c."""
        s, j = self._locate(name)
        terms, child_deltas = [], []
        if s + 1 < len(self._stage_names):
            for k in np.flatnonzero(self._masks[s + 1][:, j]):
                child = self._stage_names[s + 1][k]
                terms.append((Factor(child, name, float(self._matrices[s + 1][k, j])), child))
                child_deltas.append(float(self._deltas[s + 1][k]))
        return DeltaEquation(name, self.delta(name), tuple(terms), tuple(child_deltas))

    def parameter_targets(self, name: str) -> list[tuple[str, float]]:
        """The nodes a parameter enters directly, with d node / d parameter."""
        self._check_param(name)
        return [
            (self._stage_names[s][k], float(v)) for (s, k), v in self._param_edges[name].items()
        ]

    def gradient(self, name: str) -> float:
        """dL/d parameter for this example: sum over the nodes it enters of d node/dp * delta."""
        self._check_param(name)
        return float(sum(v * self._deltas[s][k] for (s, k), v in self._param_edges[name].items()))

    def path_count(self, name: str) -> int:
        """How many paths lead from a node or parameter to L (counted, not enumerated)."""
        if name in self._param_edges:
            return int(sum(self._counts[s][k] for s, k in self._param_edges[name]))
        s, k = self._locate(name)
        return int(self._counts[s][k])

    def chain_rule(self, name: str, max_paths: int = 10_000) -> ChainRule:
        self._check_param(name)
        return ChainRule(self, name, max_paths)

    # -------------------------------------------------------------- paths
    def _paths_from(self, s: int, k: int):
        """Yield (node names, factors) for every path from node (s, k) to L."""
        if s == len(self._stage_names) - 1:
            yield (), ()
            return
        here = self._stage_names[s][k]
        for c in np.flatnonzero(self._masks[s + 1][:, k]):
            child = self._stage_names[s + 1][c]
            factor = Factor(child, here, float(self._matrices[s + 1][c, k]))
            for names, factors in self._paths_from(s + 1, c):
                yield (child, *names), (factor, *factors)


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

    def __init__(self, graph: ComputationGraph, param: str, max_paths: int):
        self.graph = graph
        self.param = param
        self.level = graph.level
        self.value = graph.gradient(param)
        self.path_count = graph.path_count(param)
        self.max_paths = max_paths
        self.enumerated = self.path_count <= max_paths
        self._paths: list[tuple[str, ...]] = []
        self._terms: list[list[Factor]] = []
        if self.enumerated:
            for (s, k), v in graph._param_edges[param].items():
                first = graph._stage_names[s][k]
                head = Factor(first, param, float(v))
                for names, factors in graph._paths_from(s, k):
                    self._paths.append((param, first, *names))
                    self._terms.append([head, *factors])

    def _require_paths(self) -> None:
        if not self.enumerated:
            raise TooManyPathsError(
                f"dL/d{self.param} has {self.path_count} paths, more than max_paths="
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
        g = self.graph
        return [
            (g._stage_names[s][k], Factor(g._stage_names[s][k], self.param, float(v)))
            for (s, k), v in g._param_edges[self.param].items()
        ]

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
            if child == LOSS_NODE:
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
                if node not in seen and node != LOSS_NODE:
                    seen.add(node)
                    reachable.append(node)
                    nxt.extend(g.children(node))
            frontier = nxt
        order = {n: i for i, n in enumerate(g.backward_order())}
        return [g.delta_equation(n) for n in sorted(reachable, key=order.get)]

    def delta_text(self, digits: int | None = None) -> str:
        """dL/dp = sum dnode/dp * delta_node, then each delta in terms of the next: linear size."""
        top = " + ".join(
            f"{f.text()} * {_delta_symbol(node)}"
            if digits is None
            else f"{numbers.signed(f.value, digits)} * {numbers.signed(self.graph.delta(node), digits)}"
            for node, f in self._first_nodes()
        )
        if digits is not None:
            top += f" = {numbers.plain(self.value, digits)}"
        lines = [f"dL/d{self.param} = {top}"]
        lines += [eq.text(digits) for eq in self.delta_equations()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ChainRule dL/d{self.param} = {self.value:.6g} over {self.path_count} path(s)>"


def _product(first: str, rest: str, rest_is_sum: bool, latex: bool = False) -> str:
    sep = " " if latex else " * "
    if rest_is_sum:
        rest = (r"\left(" + rest + r"\right)") if latex else f"({rest})"
    return f"{first}{sep}{rest}"
