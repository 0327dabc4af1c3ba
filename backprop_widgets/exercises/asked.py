"""What a question asks for: every step of the worked example, one small class each.

Each quantity knows its value at a draw (the question's own numbers, or a random re-draw),
how it is written in the prompt, the slips a student may make computing it (see
:mod:`.hints`), how it may be written as the left side of ``= ...``, and how to explain it.

- :class:`Gradient` dL/dw1 (the checker's chain-rule answers are for this one);
- :class:`Forward` a net input or an activation, net_h1 or h1;
- :class:`Loss` the loss L;
- :class:`Delta` a delta, in this package's convention (dL/dh1) or Mazur's (dL/dnet_h1);
- :class:`Update` a parameter after one SGD step, w5+ = w5 - lr dL/dw5.

On any computation graph (``bw.expression``, ``bw.Graph(value)``) the same quantities are a
node's value given the leaves, the graph's end when it is a loss, d(end)/d(node) as a delta,
and a leaf after one step x+ = x - lr d(end)/dx; their slips are in :mod:`.graph_hints`.
"""

from __future__ import annotations

from ..core import numbers, validation
from ..core.chain_rule import CONVENTIONS, LOSS_NODE, latex_name
from . import graph_hints, hints

CONVENTION_WORDS = {
    "node": "this package's convention: the delta of a neuron is dL/d(its output)",
    "net": "Mazur's and Nielsen's convention: the delta of a neuron is dL/d(its net input)",
}


class Asked:
    kind = ""
    #: the kinds of answer that make sense for it (a chain-rule sum only for a gradient)
    answer_kinds: tuple[str, ...] = ("number", "formula")

    def value(self, draw) -> float:
        raise NotImplementedError

    @property
    def text(self) -> str:
        raise NotImplementedError

    @property
    def latex(self) -> str:
        raise NotImplementedError

    @property
    def key(self) -> str:
        """What identifies the quantity, for a variant's seed."""
        return self.text

    def note(self) -> str:
        """One sentence the prompt adds (a convention, a learning rate), or ''."""
        return ""

    def slips(self, draws) -> list[hints.Slip]:
        return []

    def base(self, draw) -> float:
        """What the quantity is a step from (p for an update p⁺; 0 otherwise)."""
        return 0.0

    def left_sides(self, graph) -> set[str]:
        """How the quantity may be written before '=' (name keys)."""
        return set()

    def explain(self, graph) -> list[str]:
        """Hints, from the idea to the value, plain text."""
        return []

    def use_problem(self, entry, den, graph) -> str | None:
        """Why a name (or d entry/d den) may not appear in a formula for this quantity: it is
        the quantity itself, or comes after it. None when it may."""
        return None


class Gradient(Asked):
    kind = "gradient"
    answer_kinds = ("number", "chain_rule", "formula")

    def __init__(self, param: str, end: str = LOSS_NODE):
        self.param = param
        self.end = end  # the node differentiated: a network's L, any graph's end (f, e)

    def value(self, draw) -> float:
        return draw.pre.gradient(self.param)

    @property
    def text(self) -> str:
        return f"d{self.end}/d{self.param}"

    @property
    def latex(self) -> str:
        return rf"\frac{{\partial {latex_name(self.end)}}}{{\partial {latex_name(self.param)}}}"

    def slips(self, draws) -> list[hints.Slip]:
        if draws[0].net is None:
            return hints.graph_gradient_slips(self.param, draws)
        return hints.gradient_slips(self.param, draws)


class Forward(Asked):
    kind = "forward"

    def __init__(self, node: str):
        self.node = node

    def value(self, draw) -> float:
        return draw.pre.value(self.node)

    @property
    def text(self) -> str:
        return self.node

    @property
    def latex(self) -> str:
        return latex_name(self.node)

    def slips(self, draws) -> list[hints.Slip]:
        if draws[0].net is None:
            return graph_hints.forward_slips(self.node, draws)
        return hints.forward_slips(self.node, draws)

    def use_problem(self, entry, den, graph) -> str | None:
        sources = "the inputs, the weights" if graph.net is not None else "the leaves"
        if den is not None or entry.kind in ("delta", "loss_share"):
            return (
                f"{self.node} is a forward quantity: compute it from {sources} "
                "and the nodes before it, without derivatives or deltas."
            )
        computed = ("net", "neuron", "loss", "operation")
        if entry.kind in computed and entry.name not in _before(graph, self.node):
            which = (
                "is the quantity asked for"
                if entry.name == self.node
                else f"comes after {self.node}"
            )
            return (
                f"{entry.name} {which}: write {self.node} from {sources} and the "
                f"nodes before it ({', '.join(_before_nodes(graph, self.node)) or 'the inputs'})."
            )
        return None

    def left_sides(self, graph) -> set[str]:
        return {self.node}

    def explain(self, graph) -> list[str]:
        node = self.node
        if graph.net is None:
            return graph_hints.explain_forward(graph, node)
        if graph.kind(node) == "net":
            neuron = graph.neuron_of(node)
            parents = [p for p in graph.parents(node)]
            terms = " + ".join(
                f"{graph.weight_between(p, neuron)}·{p}"
                for p in parents
                if graph.weight_between(p, neuron)
            )
            bias = [p for p in parents if p in graph.net.bias_names]
            return [
                f"{node} is the weighted sum of what flows into {neuron}, before its activation.",
                f"{node} = {terms}" + (f" + {bias[0]}" if bias else "") + ".",
                f"Here {node} = {numbers.plain(graph.value(node), 6)}.",
            ]
        net_input = graph.net_input_of(node)
        activation = graph.net.activation[graph.layer_of(node) - 1]
        return [
            f"{node} is the activation of its net input: {node} = {activation}({net_input}).",
            f"First compute {net_input}, the weighted sum of the inputs of {node} plus its bias.",
            f"Here {net_input} = {numbers.plain(graph.value(net_input), 6)} and "
            f"{node} = {numbers.plain(graph.value(node), 6)}.",
        ]


class Loss(Asked):
    """A network's loss L, or the end of a computation graph that is its loss (``end``)."""

    kind = "loss"

    def __init__(self, end: str | None = None):
        self.end = end  # None: a network's L

    def value(self, draw) -> float:
        return draw.pre.loss if self.end is None else draw.pre.value(self.end)

    @property
    def text(self) -> str:
        return self.end or LOSS_NODE

    @property
    def latex(self) -> str:
        return LOSS_NODE if self.end is None else latex_name(self.end)

    def slips(self, draws) -> list[hints.Slip]:
        if self.end is not None:
            return graph_hints.loss_slips(self.end, draws)
        return hints.loss_slips(draws)

    def use_problem(self, entry, den, graph) -> str | None:
        if self.end is not None:
            if den is not None or entry.kind in ("loss", "delta"):
                return (
                    f"Write the loss {self.end} from the leaves and the nodes before it (no "
                    f"derivatives, no deltas, and not {self.end} itself)."
                )
            return None
        if den is None and entry.kind == "loss_share":  # Mazur's E_total = E_o1 + E_o2
            return (
                "E_o1, E_o2, … are the shares of the loss (Mazur's E_total = E_o1 + E_o2), still "
                "to be written out: write each from its output and its target, as "
                "E_o1 = 1/2 (t1 - o1)^2, and add them."
            )
        if den is not None or entry.kind in ("loss", "loss_share", "delta"):
            return "Write the loss from the outputs and the targets (no derivatives, and not L itself)."
        return None

    def left_sides(self, graph) -> set[str]:
        return {self.end or LOSS_NODE}

    def explain(self, graph) -> list[str]:
        if self.end is not None:
            return graph_hints.explain_loss(graph, self.end)
        return [
            "Run the network forward to its outputs, then compare each output with its target.",
            f"The loss is {graph.net.loss_name} over the outputs {', '.join(graph.net.output_names)}.",
            f"Here L = {numbers.plain(graph.loss, 6)}.",
        ]


class Delta(Asked):
    kind = "delta"

    def __init__(self, node: str, convention: str = "node", end: str | None = None):
        self.node = node
        self.convention = convention
        self.end = end  # None: a network's, whose end is L; else a computation graph's end

    def value(self, draw) -> float:
        return draw.pre.delta(self.node, self.convention)

    @property
    def text(self) -> str:
        return f"delta_{self.node}"

    @property
    def latex(self) -> str:
        return latex_name(f"delta_{self.node}")

    @property
    def key(self) -> str:
        return f"{self.text}|{self.convention}"

    def note(self) -> str:
        if self.end is not None:
            return (
                f"δ_{self.node} (delta_{self.node}) is d{self.end}/d{self.node}: the derivative of "
                f"the end {self.end} with respect to {self.node}."
            )
        return f"δ is meant in {CONVENTION_WORDS[self.convention]}."

    def slips(self, draws) -> list[hints.Slip]:
        if self.end is not None:  # delta_q = df/dq: a gradient's slips, at a node
            return hints.graph_gradient_slips(self.node, draws)
        return hints.delta_slips(self.node, self.convention, draws)

    def use_problem(self, entry, den, graph) -> str | None:
        of = graph.net_input_of(self.node) if self.convention == "net" else self.node
        if entry.kind == "delta":
            at = entry.node
        elif den is not None and entry.kind in ("loss", "loss_share"):
            at = den.name
        else:
            return None
        if entry.kind == "delta" and entry.node == self.node:
            which = "is the delta asked for"
        elif at in _after(graph, of or self.node):
            return None
        else:
            which = "is the delta asked for" if at == of else f"is not after {of}"
        return (
            f"A total at {at} {which}: write delta_{self.node} from the local derivatives and "
            f"the deltas of the nodes after {of}."
        )

    def left_sides(self, graph) -> set[str]:
        return {f"delta{self.node}"}

    def explain(self, graph) -> list[str]:
        if self.end is not None:
            return graph_hints.explain_delta(graph, self.node)
        of = self.node if self.convention == "node" else graph.net_input_of(self.node)
        return [
            f"delta_{self.node} = dL/d{of}: how fast L changes with {of}.",
            f"It collects every path from {of} to L; backprop gets it from the deltas one "
            "layer closer to L.",
            f"Here delta_{self.node} = {numbers.plain(graph.delta(self.node, self.convention), 6)}.",
        ]


class Update(Asked):
    kind = "update"

    def __init__(self, param: str, lr: float, frozen: bool = False, end: str = LOSS_NODE):
        self.param = param
        self.lr = lr
        self.frozen = frozen
        self.end = end  # what the step goes down: a network's L, a graph's end

    def value(self, draw) -> float:
        if draw.net is not None and self.param in draw.net.frozen:
            return draw.parameters[self.param]  # net.step leaves a frozen parameter as it is
        return leaf_value(draw, self.param) - self.lr * draw.pre.gradient(self.param)

    def base(self, draw) -> float:
        return leaf_value(draw, self.param)

    @property
    def text(self) -> str:
        return f"{self.param}+"

    @property
    def latex(self) -> str:
        return latex_name(self.param) + "^{+}"

    @property
    def key(self) -> str:
        return f"{self.text}|{self.lr!r}"

    def note(self) -> str:
        text = f"{self.param}⁺ is {self.param} after one SGD step with learning rate {self.lr:g}."
        if self.end != LOSS_NODE:
            text += f" The step goes down {self.end}: {self.param}⁺ = {self.param} − lr·d{self.end}/d{self.param}."
        if self.frozen:
            text += f" {self.param} is frozen: the step leaves it as it is."
        return text

    def slips(self, draws) -> list[hints.Slip]:
        return hints.update_slips(self.param, self.lr, draws)

    def explain(self, graph) -> list[str]:
        p, lr, end = self.param, self.lr, self.end
        g = graph.gradient(p)
        if self.frozen:
            return [
                f"{p} is frozen: a step of gradient descent leaves it as it is (net.step skips "
                "it), whatever its gradient.",
                f"Here {p}⁺ = {p} = {numbers.plain(graph.value(p), 8)}.",
            ]
        return [
            f"One SGD step moves {p} against its gradient: {p}⁺ = {p} − lr·d{end}/d{p}.",
            f"First find d{end}/d{p} = {numbers.plain(g, 6)}; lr = {lr:g}.",
            f"Here {p}⁺ = {numbers.plain(graph.value(p), 6)} − {lr:g}·{_bracketed(g)} = "
            f"{numbers.plain(graph.value(p) - lr * g, 8)}.",
        ]


def _bracketed(value: float) -> str:
    """-4 as (-4), so that 0.1·(-4) reads as a product."""
    text = numbers.plain(value, 6)
    return f"({text})" if text.startswith("-") else text


def leaf_value(draw, name: str) -> float:
    """A parameter's value at a draw; on a computation graph, any leaf's (an input x too)."""
    if name in draw.parameters:
        return draw.parameters[name]
    return draw.pre.value(name)


def _before(graph, node: str) -> set[str]:
    """Every node and parameter the node depends on (strictly before it)."""
    return set(graph.ancestors(node))


def _before_nodes(graph, node: str) -> list[str]:
    before = _before(graph, node)
    return [n for n in graph.node_names if n in before]


def _after(graph, node: str) -> set[str]:
    """Every node strictly after the node, up to the end."""
    return set(graph.reaches(node))


def check_convention(convention) -> str:
    return validation.one_of(convention, CONVENTIONS, "convention")
