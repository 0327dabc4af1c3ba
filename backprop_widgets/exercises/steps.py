"""Questions on the other steps of the worked example: forward values, the loss, a delta,
and a parameter after one SGD step. Each is a :class:`~.question.Question` with the same
reader, tolerance rule, formula judge and verified hints as :class:`GradientQuestion`.

>>> import backprop_widgets as bw
>>> net, x, t = bw.presets.mazur()
>>> ForwardQuestion(net, "net_h1", x, t).check("0.3775").correct
True
>>> UpdateQuestion(net, "w5", x, t, lr=0.5).check("0.35891648").correct
True
>>> UpdateQuestion(net, "w5", x, t, lr=0.5).check("0.082167041").problems
('gradient_for_update',)

Any computation graph too (``bw.expression``, ``bw.trace``, ``bw.Graph(value)``): its leaves
have their values, so ``x`` and ``t`` are not given.

>>> g = bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
>>> ForwardQuestion(g, "q").check("x + y").correct, DeltaQuestion(g, "q").check("z").correct
(True, True)
>>> UpdateQuestion(g, "x", lr=0.1).check("x - 0.1 * df/dx").correct
True
"""

from __future__ import annotations

from ..core import validation
from ..core.chain_rule import LOSS_NODE
from ..core.errors import BackpropInputError
from . import structure
from .asked import Delta, Forward, Loss, Update, check_convention
from .chain_graph import Problem
from .question import Question, graph_of


class ForwardQuestion(Question):
    """A net input or an activation at one example: ``net_h1``, ``h1``, ``o1``; on any
    computation graph, a computed node (not a leaf) given the leaves: ``q``, ``f``."""

    def __init__(self, net, node: str, x=None, t=None, **options):
        graph, network, x, t = graph_of(net, x, t)
        if graph is not None:
            _check_node(graph, node, "a node the graph computes (not a leaf)", end=True)
        else:
            pre = network.graph(x, t, level="pre-activation")
            if node not in pre.node_names or pre.kind(node) not in ("net", "neuron"):
                names = [n for n in pre.node_names if pre.kind(n) in ("net", "neuron")]
                raise validation.fail(
                    "node", f"a net input or a neuron: one of {', '.join(names)}", node
                )
        super().__init__(net, x, t, Forward(node), **options)
        self.node = node

    def _rebuilt(self, net, x, t):
        return ForwardQuestion(net, self.node, x, t, **self._options)

    def _structure_problems(self, node, convention, lead):
        found = structure.diagnose_forward(
            node,
            self.node,
            self._draws,
            lambda n: self._values_at_draws(n, convention),
            self._shown_name,
        )
        if not found:
            return None
        first = found[0]
        return [Problem(first.code, f"{lead} {self.prompt}. {first.message}"), *found[1:]]


class LossQuestion(Question):
    """The loss L at one example; on a computation graph, its end when the end is its loss:
    named L (``L = 0.5 * (y - t)^2``), or made by one of the registry's losses (half_sse,
    mse, bce, cross_entropy)."""

    def __init__(self, net, x=None, t=None, **options):
        graph, _, x, t = graph_of(net, x, t)
        end = None
        if graph is not None:
            end = graph.end
            op = graph.operation(end)
            if end != LOSS_NODE and (op is None or op.kind != "loss"):
                raise validation.fail(
                    "net",
                    "a network, or a computation graph whose end is its loss (named L, as in "
                    "'L = 0.5 * (y - t)^2', or made by a loss operation)",
                    f"a graph ending at {end} = {graph.formula(end)}",
                )
        super().__init__(net, x, t, Loss(end), **options)

    def _rebuilt(self, net, x, t):
        return LossQuestion(net, x, t, **self._options)


class DeltaQuestion(Question):
    """A delta, in the convention the prompt states.

    ``convention="node"`` (this package's): delta_h1 = dL/dh1; ``"net"`` (Mazur's,
    Nielsen's): delta_h1 = dL/dnet_h1. On any computation graph, delta_q = df/dq for a
    computed node q other than the end f (a graph has no net inputs: one convention).
    """

    def __init__(self, net, node: str, x=None, t=None, convention: str = "node", **options):
        graph, network, x, t = graph_of(net, x, t)
        end = None
        if graph is not None:
            _check_node(graph, node, "a node the graph computes, other than its end", end=False)
            if convention != "node":
                raise validation.fail(
                    "convention",
                    f"'node' for a computation graph (it has no net inputs: delta_{node} is "
                    f"d{graph.end}/d{node})",
                    convention,
                )
            end = graph.end
        else:
            neurons = [n for layer in network.node_names[1:] for n in layer]
            if node not in neurons:
                raise validation.fail(
                    "node", f"a hidden or output neuron: one of {', '.join(neurons)}", node
                )
        self.convention = check_convention(convention)
        super().__init__(net, x, t, Delta(node, self.convention, end), **options)
        self.node = node

    def _rebuilt(self, net, x, t):
        return DeltaQuestion(net, self.node, x, t, self.convention, **self._options)


class UpdateQuestion(Question):
    """A parameter after one SGD step: ``w5+ = w5 - lr * dL/dw5``; a frozen parameter's is
    the parameter itself, as ``net.step`` leaves it (the prompt's note says so). On any
    computation graph, a leaf (an input or a parameter) after one step down its end f:
    ``x+ = x - lr * df/dx``, as ``UpdateQuestion(graph, "x", lr=0.1)``."""

    def __init__(self, net, param: str, x=None, t=None, lr: float | None = None, **options):
        graph, network, x, t = graph_of(net, x, t)
        if graph is not None:
            leaves = [n for n in (*graph.node_names, *graph.parameter_names)
                      if graph.kind(n) in ("input", "parameter")]  # fmt: skip
            if param not in leaves:
                raise validation.fail(
                    "param", f"a leaf of the graph (an input or a parameter): one of "
                    f"{', '.join(leaves)}", param,
                )  # fmt: skip
            end, frozen = graph.end, False
        else:
            if param not in network.parameter_names:
                network.parameter_info(param)  # the core's 'unknown parameter' error
            end, frozen = LOSS_NODE, param in network.frozen
        self.lr = validation.learning_rate(lr)
        super().__init__(net, x, t, Update(param, self.lr, frozen, end), **options)
        self.param = param

    def _rebuilt(self, net, x, t):
        return UpdateQuestion(net, self.param, x, t, self.lr, **self._options)


def _check_node(graph, node, accepted: str, *, end: bool) -> None:
    """node is an operation node of the graph (the end too, where ``end``), or a clear error."""
    names = [n for n in graph.node_names
             if graph.kind(n) == "operation" and (end or n != graph.end)]  # fmt: skip
    if not names:
        raise BackpropInputError(
            f"this graph has no node to ask about: {accepted} (it ends at {graph.end})"
        )
    if not isinstance(node, str) or node not in names:
        raise validation.fail("node", f"{accepted}: one of {', '.join(names)}", node)


__all__ = ["DeltaQuestion", "ForwardQuestion", "LossQuestion", "UpdateQuestion"]
