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
"""

from __future__ import annotations

from ..core import validation
from . import structure
from .asked import Delta, Forward, Loss, Update, check_convention
from .chain_graph import Problem
from .question import Question


class ForwardQuestion(Question):
    """A net input or an activation at one example: ``net_h1``, ``h1``, ``o1``."""

    def __init__(self, net, node: str, x, t, **options):
        graph = net.graph(x, t, level="pre-activation")
        if node not in graph.node_names or graph.kind(node) not in ("net", "neuron"):
            names = [n for n in graph.node_names if graph.kind(n) in ("net", "neuron")]
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
    """The loss L at one example."""

    def __init__(self, net, x, t, **options):
        super().__init__(net, x, t, Loss(), **options)

    def _rebuilt(self, net, x, t):
        return LossQuestion(net, x, t, **self._options)


class DeltaQuestion(Question):
    """A delta, in the convention the prompt states.

    ``convention="node"`` (this package's): delta_h1 = dL/dh1; ``"net"`` (Mazur's,
    Nielsen's): delta_h1 = dL/dnet_h1.
    """

    def __init__(self, net, node: str, x, t, convention: str = "node", **options):
        neurons = [n for layer in net.node_names[1:] for n in layer]
        if node not in neurons:
            raise validation.fail(
                "node", f"a hidden or output neuron: one of {', '.join(neurons)}", node
            )
        self.convention = check_convention(convention)
        super().__init__(net, x, t, Delta(node, self.convention), **options)
        self.node = node

    def _rebuilt(self, net, x, t):
        return DeltaQuestion(net, self.node, x, t, self.convention, **self._options)


class UpdateQuestion(Question):
    """A parameter after one SGD step: ``w5+ = w5 - lr * dL/dw5``; a frozen parameter's is
    the parameter itself, as ``net.step`` leaves it (the prompt's note says so)."""

    def __init__(self, net, param: str, x, t, lr: float, **options):
        if param not in net.parameter_names:
            net.parameter_info(param)  # the core's 'unknown parameter' error
        self.lr = validation.learning_rate(lr)
        frozen = param in net.frozen
        super().__init__(net, x, t, Update(param, self.lr, frozen), **options)
        self.param = param

    def _rebuilt(self, net, x, t):
        return UpdateQuestion(net, self.param, x, t, self.lr, **self._options)


__all__ = ["DeltaQuestion", "ForwardQuestion", "LossQuestion", "UpdateQuestion"]
