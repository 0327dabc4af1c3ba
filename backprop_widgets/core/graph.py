"""Any computation graph of scalar operations, and every query the chain rule asks of it.

A :class:`Graph` is a directed acyclic graph with named nodes: leaves (inputs and
parameters, and plain-number constants) and operation nodes, each knowing its operation
(from :mod:`.ops`), its inputs, its value and the local derivative d node / d input for
each input. One node is the *end* (a network's loss ``L``, or ``f``). One backward
sweep gives d end / d node for every node (its delta) and, over the same edges, the
number of paths from every node to the end, so counting paths never enumerates them.

Build one micrograd-style from :class:`Value` objects, by :func:`trace`-ing a Python
function, from a micrograd ``Value`` (:meth:`Graph.from_micrograd`) or a PyTorch scalar's
``grad_fn`` chain (:meth:`Graph.from_torch`), or from a network
(``net.graph(x, t, level=...)``, see :mod:`.network_graph`), whose three levels
(neurons; net inputs and activations; every multiply and add) are three graphs of the
same numbers that map onto each other.

>>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
>>> g = Graph((x + y).named("q") * z)
>>> g.gradients()["x"], g.gradients()["z"]
(-4.0, 3.0)
"""

from __future__ import annotations

import inspect
import math
from itertools import pairwise

from . import validation
from .errors import BackpropInputError, TooManyPathsError, unknown_name
from .node import Node, merged_edges
from .notation import (
    LOSS_NODE,
    NET_PREFIX,
    DeltaEquation,
    Factor,
    latex_name,
)
from .ops import OPERATIONS
from .value import Value, checked_number, from_micrograd, nodes_of_value

NETWORK_LEVELS = ("neuron", "pre-activation", "operation")
CONVENTIONS = ("node", "net")  # delta = dL/d(node), or the Mazur/Nielsen dL/d(net input)


class Graph:
    """A computation graph ending at one node, with its values, local derivatives and deltas.

    ``Graph(f)`` for a :class:`Value` ``f``; ``Graph(net, x, t, level)`` is
    ``net.graph(x, t, level)``.

    Attributes
    ----------
    end : str
        The node every derivative is of (``"L"`` for a network).
    level : str
        ``"expression"`` for a graph built from Values, else the network's level.
    node_names : list of str
        Every node but the parameters, inputs first, in an order where each node comes
        after its inputs.
    parameter_names : list of str
        The leaves of kind ``"parameter"``.
    """

    def __init__(self, end, x=None, t=None, level: str = "neuron"):
        if isinstance(end, Value):
            if x is not None or t is not None:
                raise BackpropInputError("Graph(value) takes one Value; got extra arguments")
            nodes, end_name = nodes_of_value(end)
            self._assemble(nodes, end_name, "expression")
            return
        if hasattr(end, "checked_inputs") and hasattr(end, "parameter_names"):
            from .network_graph import build  # the network builder reads this class, not v.v.

            build(self, end, x, t, level)
            return
        raise BackpropInputError(
            "Graph needs a backprop_widgets.Value (the end of an expression) or a Network "
            f"with x and t; got {type(end).__name__}"
        )

    # -------------------------------------------------------------- building
    def _assemble(self, nodes: list[Node], end: str, level: str, net=None) -> None:
        """Take nodes in an order where every node follows its inputs; sweep backwards."""
        self.level = level
        self.end = end
        self.net = net
        self._nodes = {n.name: n for n in nodes}
        self._order = [n.name for n in nodes]
        children: dict[str, list[tuple[str, float]]] = {n.name: [] for n in nodes}
        for node in nodes:
            for den, local in zip(node.inputs, node.locals, strict=True):
                children[den].append((node.name, float(local)))
        self._children = children
        self.parameter_names = [n.name for n in nodes if n.kind == "parameter"]
        self.node_names = [n.name for n in nodes if n.kind != "parameter"]
        # One sweep from the end back: the delta d end / d node and the number of paths.
        deltas = dict.fromkeys(self._order, 0.0)
        counts = dict.fromkeys(self._order, 0)
        deltas[end], counts[end] = 1.0, 1
        for name in reversed(self._order):
            if name == end:
                continue
            d, c = 0.0, 0
            for child, local in children[name]:
                if counts[child]:
                    d += local * deltas[child]
                    c += counts[child]
            deltas[name], counts[name] = d, c
        self._deltas, self._counts = deltas, counts
        self._other_levels: dict[str, Graph] = {level: self}

    def with_values(self, **leaves) -> Graph:
        """The same graph with new values for some leaves (by name); the others keep theirs.

        Each operation node is computed again, in order, by its registry operation, with its
        local derivatives; a network's graph is rebuilt through its network (parameters,
        inputs and targets by name) at the same level. This graph is not changed. Raises
        UnknownNameError (a KeyError) for a name that is no leaf, BackpropInputError where an
        operation has no real value (a negative number to the power 0.5); a value that
        overflows or a log of a negative number is left as the registry computes it (inf,
        nan), for the caller to check.

        >>> g = Graph((Value(-2.0, "x") + Value(5.0, "y")).named("q") * Value(-4.0, "z"))
        >>> g.with_values(z=2.0).gradients()["x"]
        2.0
        """
        targets = self.net.target_names if self.net is not None else ()
        for name, value in leaves.items():
            if name in targets:  # a network's targets are no nodes, but it takes them
                pass
            elif name not in self._nodes or self._nodes[name].op is not None:
                leaf_names = [n for n in self._order if self._nodes[n].op is None]
                raise unknown_name("leaf", name, leaf_names)
            checked_number(value, name)
        if self.net is not None:
            return self._network_with_values(leaves)
        values: dict[str, float] = {}
        nodes = []
        for old in (self._nodes[n] for n in self._order):
            if old.op is None:
                value = float(leaves.get(old.name, old.value))
                nodes.append(Node(old.name, old.kind, value))
                values[old.name] = value
                continue
            op = OPERATIONS[old.op]
            args = old.args or old.inputs
            inputs = [values[a] for a in args]
            try:
                out = op.forward(*inputs, **old.constants)
                partials = op.partials(inputs, out, **old.constants)
                out = float(out)  # a complex power (a negative number to 0.5) raises here
            except (ArithmeticError, ValueError, TypeError):
                raise BackpropInputError(
                    f"{old.name} = {self.formula(old.name)} has no value at these leaf values "
                    f"({', '.join(f'{a}={values[a]:g}' for a in dict.fromkeys(args))}): "
                    "the operation is outside its domain"
                ) from None
            merged, locals_ = merged_edges(args, partials)
            nodes.append(
                Node(
                    old.name, old.kind, out, old.op, merged, locals_, dict(old.constants), old.args
                )
            )
            values[old.name] = out
        graph = Graph.__new__(Graph)
        graph._assemble(nodes, self.end, self.level)
        return graph

    def _network_with_values(self, leaves: dict) -> Graph:
        net = self.net.copy()
        inputs = list(net.node_names[0])
        x, t = self.x.copy(), self.t.copy()
        targets = list(net.target_names)
        params = {}
        for name, value in leaves.items():
            if name in inputs:
                x[inputs.index(name)] = value
            elif name in targets:
                t[targets.index(name)] = value
            else:
                params[name] = float(value)
        net.set_parameters(params)
        return net.graph(x, t, level=self.level)

    # -------------------------------------------------------------- nodes
    def __contains__(self, name) -> bool:
        return isinstance(name, str) and name in self._nodes

    def _node(self, name) -> Node:
        try:
            return self._nodes[name]
        except (KeyError, TypeError):
            raise unknown_name("node", name, self._order) from None

    def kind(self, name: str) -> str:
        """input, parameter, constant, operation; in a network also net, neuron, loss."""
        return self._node(name).kind

    def operation(self, name: str):
        """The registry's entry for a node's operation (None for a leaf or a neuron)."""
        op = self._node(name).op
        return OPERATIONS.get(op) if op else None

    def constants(self, name: str) -> dict:
        """The constants of a node's operation (an exponent, a softmax index; {} for a leaf)."""
        return dict(self._node(name).constants)

    def value(self, name: str) -> float:
        """The value of a node (or of a parameter) at this example."""
        return float(self._node(name).value)

    def parents(self, name: str) -> list[str]:
        """The nodes and parameters this node depends on directly."""
        return list(self._node(name).inputs)

    def children(self, name: str) -> list[str]:
        """The nodes that depend directly on this node or parameter."""
        self._node(name)
        return [c for c, _ in self._children[name]]

    def has_edge(self, num: str, den: str) -> bool:
        """True when num depends directly on den."""
        node = self._nodes.get(num) if isinstance(num, str) else None
        return node is not None and den in node.inputs

    def local(self, num: str, den: str) -> float:
        """The local partial derivative d num / d den along an edge."""
        if not self.has_edge(num, den):
            raise KeyError(f"d{num}/d{den} is not an edge: {num} does not depend directly on {den}")
        node = self._nodes[num]
        return float(node.locals[node.inputs.index(den)])

    def local_text(self, num: str, den: str) -> str:
        """The local derivative d num / d den as a student writes it, by the registry: ``z``
        for q * z, ``h(1 − h)`` for h = sigmoid(z); ``dnum/dden`` where no shorter form
        exists (an input used twice, a network's neuron)."""
        node = self._node(num)
        op = OPERATIONS.get(node.op) if node.op else None
        args = node.args or node.inputs
        if op is None or args.count(den) != 1:
            return f"d{num}/d{den}"
        return op.partial_plain(args, args.index(den), num, **node.constants)

    def formula(self, name: str, latex: bool = False) -> str:
        """How a node is computed from its inputs: ``x + y``, ``sigmoid(net_h1)``."""
        node = self._node(name)
        op = OPERATIONS.get(node.op) if node.op else None
        if op is None:
            return latex_name(name) if latex else name
        names = node.args or node.inputs  # x * x as called, not its one merged edge
        if latex:
            names = [latex_name(n) for n in names]
        # a constant written as a student would: x^2, not x^2.0
        constants = {k: f"{v:g}" if isinstance(v, float) else v for k, v in node.constants.items()}
        return op.write(names, latex=latex, **constants)

    # -------------------------------------------------------------- the backward sweep
    def gradients(self) -> dict[str, float]:
        """d end / d node for every node and parameter, by name (0 where it does not reach)."""
        return dict(self._deltas)

    def delta(self, name: str, convention: str = "node") -> float:
        """d end / d node. ``convention="net"`` (Mazur's, Nielsen's): for a neuron, the delta
        of its net input; for any other node both conventions are the same number."""
        if convention not in CONVENTIONS:
            raise BackpropInputError(
                f"convention must be one of {', '.join(CONVENTIONS)}; got {convention!r}"
            )
        if convention == "net" and self.net_input_of(name) is not None:
            name = self.net_input_of(name)
        if name not in self._nodes and self.net is not None and self.level == "neuron":
            return self.both_levels("pre-activation").delta(name)  # net inputs live there
        self._node(name)
        return float(self._deltas[name])

    def gradient(self, name: str) -> float:
        """d end / d parameter (or any node): its delta."""
        self._node(name)
        return float(self._deltas[name])

    def path_count(self, name: str) -> int:
        """How many paths lead from a node to the end (counted in the sweep, not enumerated)."""
        self._node(name)
        return int(self._counts[name])

    def reaches(self, name: str) -> list[str]:
        """The nodes a node reaches (its descendants), in the graph's order."""
        self._node(name)
        seen, stack = set(), [name]
        while stack:
            for child, _ in self._children[stack.pop()]:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return [n for n in self._order if n in seen]

    def ancestors(self, name: str) -> list[str]:
        """The nodes and parameters a node depends on (everything that reaches it), in the
        graph's order."""
        seen, stack = set(), list(self._node(name).inputs)
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(self._nodes[n].inputs)
        return [n for n in self._order if n in seen]

    def backward_order(self) -> list[str]:
        """Every node but the parameters, from the end back, stage by stage (a stage: the
        nodes at one distance from the leaves), in graph order within a stage."""
        depth, position = self._depths, {n: i for i, n in enumerate(self._order)}
        return sorted(
            (n for n in self._order if self._nodes[n].kind != "parameter"),
            key=lambda n: (-depth[n], position[n]),
        )

    def steps_from(self, name: str) -> list[Factor]:
        """The first factor of every path from a node: d child / d node, per child."""
        return [Factor(c, name, v) for c, v in self._children[name] if self._counts[c]]

    def paths_below(self, name: str):
        """Yield (node names, factors) for every path from a node to the end (node excluded)."""
        if name == self.end:
            yield (), ()
            return
        for factor in self.steps_from(name):
            for names, factors in self.paths_below(factor.num):
                yield (factor.num, *names), (factor, *factors)

    def paths_from(self, name: str, through: str | None = None) -> list[tuple[str, ...]]:
        """Every path from a node to the end (the node first, the end last).

        ``through``: only the paths whose last node before the end is this one (the share
        of a summed loss that one output carries, Mazur's E_o1).
        """
        self._node(name)
        found = [(name, *names) for names, _ in self.paths_below(name)]
        if through is not None:
            found = [p for p in found if len(p) >= 2 and p[-2] == through]
        return found

    def delta_equation(self, name: str) -> DeltaEquation:
        """How the delta of a node collapses the paths below it: sum of (dc/dnode) * delta_c."""
        self._node(name)
        terms, child_deltas = [], []
        if name != self.end:
            for factor in self.steps_from(name):
                terms.append((factor, factor.num))
                child_deltas.append(float(self._deltas[factor.num]))
        return DeltaEquation(name, self.delta(name), tuple(terms), tuple(child_deltas), self.end)

    def derivative(self, num: str, den: str) -> float:
        """d num / d den: an edge (of either level of a network) or d end / d node, the total.

        Raises KeyError when it is neither (dh2/dw1, do1/dw1, dw7/dh1).
        """
        if num == self.end:
            if den in self._nodes:
                return self.gradient(den)
            if self.net is not None:
                pre = self.both_levels("pre-activation")
                if den in pre:
                    return pre.delta(den)
        for graph in self._levels_to_search():
            if graph.has_edge(num, den):
                return graph.local(num, den)
        raise KeyError(f"d{num}/d{den} is neither an edge nor a derivative of {self.end}")

    def chain_rule(self, name: str, max_paths: int = 10_000):
        """d end / d name as the chain rule's sum over paths: a :class:`ChainRule`."""
        from .chain_rule import ChainRule  # ChainRule reads a graph; it never builds one

        self._node(name)
        if name == self.end:
            raise BackpropInputError(
                f"name must be a node other than the end {self.end!r}; got {name!r}"
            )
        return ChainRule(self, name, validation.integer(max_paths, "max_paths", 0))

    # -------------------------------------------------------------- a network's levels
    def _levels_to_search(self) -> list[Graph]:
        if self.net is None:
            return [self]
        return [self.both_levels("pre-activation"), self.both_levels("neuron")]

    def both_levels(self, level: str) -> Graph:
        """This example's graph at another level of the same network (one snapshot of the
        parameters, so every number they share agrees); an expression graph has one level."""
        if self.net is None:
            if level in (self.level, "operation"):
                return self
            raise BackpropInputError(
                f"level {level!r} exists only for a network's graph; this graph is an {self.level}"
            )
        validation.one_of(level, NETWORK_LEVELS, "level")
        if level not in self._other_levels:
            other = Graph(self.net, self.x, self.t, level)
            other._other_levels = self._other_levels
            self._other_levels[level] = other
        return self._other_levels[level]

    def net_input_of(self, name: str) -> str | None:
        """The net input of a neuron (h1 -> net_h1); None for anything else."""
        if self.net is None:
            return None
        pre = self.both_levels("pre-activation")
        candidate = NET_PREFIX + name
        return candidate if candidate in pre and pre.kind(candidate) == "net" else None

    def neuron_of(self, name: str) -> str:
        """The neuron a node belongs to: net_h1 -> h1; any other node is its own."""
        if self.net is not None:
            pre = self.both_levels("pre-activation")
            if name in pre and pre.kind(name) == "net":
                return name[len(NET_PREFIX) :]
        return name

    def project(self, path) -> tuple[str, ...]:
        """A pre-activation path as neuron-level nodes: the net inputs dropped."""
        if self.net is None:
            return tuple(path)
        pre = self.both_levels("pre-activation")
        return tuple(n for n in path if not (n in pre and pre.kind(n) == "net"))

    def refine(self, path) -> list[tuple[str, ...]]:
        """The pre-activation paths a path (of either level, or mixed) stands for.

        A neuron-level edge h1 -> o1 is the sum over the net inputs between them: one route
        (h1 -> net_o1 -> o1) for an elementwise activation, one per net input of the layer
        for softmax. Edges of the finer level stay as they are.
        """
        pre = self.both_levels("pre-activation") if self.net is not None else self
        out: list[tuple[str, ...]] = [(path[0],)]
        for den, num in pairwise(path):
            if pre.has_edge(num, den):
                routes = [(num,)]
            else:
                routes = [(mid, num) for mid in pre.children(den) if pre.has_edge(num, mid)]
            out = [head + route for head in out for route in routes]
        return out

    def local_slope(self, neuron: str) -> float:
        """d neuron / d net_neuron: the activation's slope at the net input, sigma'(net)."""
        net_name = self.net_input_of(neuron)
        if net_name is None:
            raise BackpropInputError(
                f"neuron must be a hidden or output neuron with a net input; got {neuron!r}"
            )
        return self.both_levels("pre-activation").local(neuron, net_name)

    def weight_between(self, src: str, dst: str) -> str | None:
        """The weight on the edge src -> dst of a network (dst may be net_dst), or None."""
        if self.net is None:
            return None
        return self.net.weight_between(src, self.neuron_of(dst))

    def loss_share(self, output: str, name: str) -> float:
        """dE_output / d name: the derivative of the part of a summed loss that one output
        carries (Mazur's E_o1), the sum over the paths from name to L through that output."""
        pre = self.both_levels("pre-activation")
        return float(
            sum(
                math.prod(pre.local(b, a) for a, b in pairwise(p))
                for p in pre.paths_from(name, through=output)
            )
        )

    def depth(self, name: str) -> int:
        """The length of the longest path from a leaf to a node (0 for a leaf)."""
        return self._depths[self._node(name).name]

    def layer_of(self, name: str) -> int:
        """The network layer a node belongs to (0 for inputs; L after the last); for an
        expression, the length of the longest path from a leaf."""
        return self._layers[self._node(name).name]

    def parameter_targets(self, name: str) -> list[tuple[str, float]]:
        """The nodes a parameter enters directly, with d node / d parameter."""
        if name not in self.parameter_names:
            raise unknown_name("parameter", name, self.parameter_names)
        return [(c, v) for c, v in self._children[name]]

    @property
    def _depths(self) -> dict[str, int]:
        """The length of the longest path from a leaf to each node."""
        if not hasattr(self, "_depth_cache"):
            depths: dict[str, int] = {}
            for name in self._order:
                depths[name] = max((depths[i] + 1 for i in self._nodes[name].inputs), default=0)
            self._depth_cache = depths
        return self._depth_cache

    @property
    def _layers(self) -> dict[str, int]:
        # a network's builder sets its layers; an expression's layer is its depth
        return getattr(self, "_layer_cache", None) or self._depths

    def __repr__(self) -> str:
        return (
            f"<Graph ending at {self.end}: {len(self.node_names)} nodes, "
            f"{len(self.parameter_names)} parameters, level {self.level!r}>"
        )

    @classmethod
    def from_micrograd(cls, value) -> Graph:
        """The graph of a micrograd ``Value`` (duck-typed on ``data``, ``_prev``, ``_op``),
        named by its ``label`` where it has one. micrograd itself is not needed."""
        return cls(from_micrograd(value))

    @classmethod
    def from_torch(cls, result, **leaves) -> Graph:
        """The graph of a scalar PyTorch computation, read from ``result.grad_fn`` (duck-typed:
        PyTorch itself is not imported). Name every leaf by keyword, and any intermediate
        tensor you want named; call it before ``.backward()`` (which frees what it reads).

        >>> x, y, z = (torch.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))  # doctest: +SKIP
        >>> Graph.from_torch((x + y) * z, x=x, y=y, z=z).gradients()["x"]  # doctest: +SKIP
        -4.0
        """
        from .torch_graph import from_torch  # read only when asked for

        return cls(from_torch(result, leaves))


# ---------------------------------------------------------------------- trace
def trace(function, **values) -> Graph:
    """The graph of ``function`` called with Values, one per argument, named after them.

    >>> g = trace(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)
    >>> g.end, g.value(g.end)
    ('n2', -12.0)
    """
    if not callable(function):
        raise BackpropInputError(
            f"function must be callable, e.g. lambda x, y: x * y; got {function!r}"
        )
    try:
        params = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        params = list(values)
    missing = [p for p in params if p not in values]
    extra = [v for v in values if v not in params]
    if missing or extra:
        raise BackpropInputError(
            f"trace needs one value per argument of the function ({', '.join(params)}); "
            + (f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(extra)}")
        )
    leaves = {k: v if isinstance(v, Value) else Value(v, k) for k, v in values.items()}
    result = function(**leaves)
    if not isinstance(result, Value):
        raise BackpropInputError(
            f"the function must return a Value built from its arguments; it returned {result!r}"
        )
    return Graph(result)


__all__ = [
    "CONVENTIONS",
    "LOSS_NODE",
    "NETWORK_LEVELS",
    "Graph",
    "Node",
    "TooManyPathsError",
    "Value",
    "trace",
]
