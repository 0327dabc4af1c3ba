"""ChainRuleExplorer: the diagram beside d(end)/d(node) written as the chain rule's sum over paths.

Click a weight (or a bias; in any computation graph, any node) and the panel shows the sum
over every path from it to the end, the same sum with each factor's value, the total, and
backprop's factored form with deltas. A step-through replays the backward pass node by node.

One anywidget: the diagram, the chips, the formula (MathML written in Python), the level
switch and the Step controls are drawn by one ES module (static/diagram.js, terms.js and
explorer.js, joined), so the explorer runs wherever anywidget does (JupyterLab, Notebook 7,
Voilà, marimo, VS Code, an exported page). Python owns every number and every layout.
"""

from __future__ import annotations

import anywidget
import numpy as np
import traitlets

from ..core import numbers, validation
from ..core.errors import BackpropInputError
from ..core.graph import NETWORK_LEVELS, Graph
from ..core.network import Network
from .deflated import DeflatedHTML
from .diagram import DiagramState, StrictWidget, as_source
from .mathml import html_with_math
from .panels import FLAT_PATHS, MAX_TERMS_SHOWN, OPEN_ROWS, panel_html, step_html
from .static_files import module, styles
from .terms import TermsState
from .throttle import TrailingRedraw

LEVEL_LABELS = {
    "neuron": "neurons",
    "pre-activation": "net input + activation",
    "operation": "every operation",
}


class ChainRuleExplorer(DiagramState, TermsState, StrictWidget, anywidget.AnyWidget):
    """Click any weight (or any node of a graph) to see its derivative as a sum over paths.

    The diagram (with the step-through of the backward pass under it) and the formula sit
    side by side when the output area is wide enough, one above the other otherwise.

    Parameters
    ----------
    net : Network, Graph or Value
        A network (with the example ``x``, ``t``), or any computation graph: ``bw.Graph(f)``,
        ``bw.trace(...)``, ``bw.expression(...)``, ``net.graph(x, t, level=...)``.
    x, t : array-like
        For a network: the example (one input and its target) the derivatives are taken at.
    selected : str, optional
        Parameter (or node) selected at first (default: the first weight, or the first leaf).
    level : {"neuron", "pre-activation", "operation"}
        For a network: whether each neuron is one node, is split into net input and
        activation, or every multiply and add is its own node.

    Examples
    --------
    >>> net, x, t = bw.presets.mazur()
    >>> ex = bw.ChainRuleExplorer(net, x, t, selected="w1"); ex   # doctest: +SKIP
    >>> x, y, z = bw.Value(-2.0, "x"), bw.Value(5.0, "y"), bw.Value(-4.0, "z")
    >>> bw.ChainRuleExplorer((x + y).named("q") * z)              # doctest: +SKIP
    """

    _esm = module("deflated.js", "diagram.js", "terms.js", "explorer.js")
    _css = styles("theme.css", "diagram.css", "terms.css", "explorer.css")

    level = traitlets.Unicode("neuron").tag(sync=True)
    levels = traitlets.List().tag(sync=True)  # [[value, label], ...]; one level: no switch
    has_weights = traitlets.Bool(True).tag(sync=True)
    panel = DeflatedHTML()
    step_panel = DeflatedHTML()
    can_step = traitlets.Bool(True).tag(sync=True)
    can_back = traitlets.Bool(False).tag(sync=True)
    # the diagram is never taller than 45 % of the window: the JS needs its aspect for that
    diagram_aspect = traitlets.Float(1.0).tag(sync=True)

    def __init__(self, net, x=None, t=None, *, selected: str | None = None, level: str = "neuron"):
        source = as_source(net)
        if isinstance(source, Network):
            validation.one_of(level, NETWORK_LEVELS, "level")
            # the one graph of this example: it validates x and t with the core's messages
            # before anything is drawn, and every view below reads it
            graph = source.graph(x, t, level)
            self.x, self.t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
            levels = [[v, LEVEL_LABELS[v]] for v in NETWORK_LEVELS]
            first = source.parameter_names[0]
        else:
            if x is not None or t is not None:
                raise BackpropInputError(
                    "x and t are a network's example; a graph holds its own values: "
                    "ChainRuleExplorer(graph) takes no x or t"
                )
            graph, self.x, self.t = source, None, None
            level, levels = graph.level, []
            first = next(n for n in graph.node_names + graph.parameter_names if n != graph.end)
        start = self._start_diagram(source, auto_update=True, highlight_paths=True)
        super().__init__(
            **start,
            # a student checks a hand calculation with their own numbers: weights edit in place
            editable=isinstance(source, Network),
            has_weights=isinstance(source, Network),
            level=level,
            levels=levels,
        )
        self._graph = graph
        self._revealed = 0
        self.chain = None
        self._follow()
        self.on_msg(self._on_msg)
        if level == "operation":
            self.show_level("operation", graph)
        elif isinstance(source, Network):
            self.show_level(level)
        self._fit_diagram()
        self.selected = first if selected is None else selected
        # the panel is written again a few times a second at most while training elsewhere
        self._recompute_soon = TrailingRedraw(self._recompute, 0.25)
        self.observe(self._on_select, names="selected")
        self.observe(self._on_level, names="level")
        self.observe(self._on_path, names="active")
        self._show(graph)

    # ----------------------------------------------------------- public state
    def _fallback(self) -> tuple[str, str]:
        picture = self._diagram_fallback()[1]
        if self.chain is None:
            return "ChainRuleExplorer: click a weight or a bias on the diagram", picture
        cr = self.chain
        form = cr.text() if cr.enumerated else cr.delta_text().splitlines()[0]
        text = f"ChainRuleExplorer: d{cr.end}/d{cr.param} = {form} = {numbers.plain(cr.value, 6)}"
        return text, picture + self.panel

    @property
    def graph(self) -> Graph:
        """The graph shown: this example's, at the current level."""
        return self._graph

    @traitlets.validate("level")
    def _valid_level(self, proposal):
        value = proposal["value"]
        if self._net is None:
            if value != self._graph.level:
                raise BackpropInputError(
                    f"level: a graph has one level ({self._graph.level!r}); got {value!r}"
                )
            return value
        return validation.one_of(value, NETWORK_LEVELS, "level")

    def set_example(self, x, t) -> None:
        """Take the derivatives at another example (a network's explorer)."""
        if self._net is None:
            raise BackpropInputError("set_example(x, t) is for a network; a graph has its values")
        graph = self._net.graph(x, t, self.level)  # refuses a bad example before anything changes
        self.x, self.t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
        self._show(graph)

    # ----------------------------------------------------------- reacting
    def _on_msg(self, _widget, content, buffers) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "step":
            action = {"step": self.step, "back": self.step_back, "reset": self.reset_steps}
            action.get(content.get("action"), lambda: None)()
        else:
            self._on_front_end_msg(_widget, content, buffers)

    def _on_select(self, change) -> None:
        self._recompute()

    def _fit_diagram(self) -> None:
        s = self.structure
        self.diagram_aspect = s["width"] / s["height"]

    def _on_level(self, change) -> None:
        self._revealed = 0
        graph = self._net.graph(self.x, self.t, change["new"])
        self.show_level(change["new"], graph)
        self._fit_diagram()
        self._show(graph)

    def _on_net_change(self, net, names) -> None:
        if self.auto_update:
            self._recompute_soon()

    def _on_path(self, change) -> None:
        index = self.path_index()  # None for a stale index from the browser
        if index is None or self.chain is None or not self.chain.enumerated:
            self.highlight_path(None)
        else:
            self.highlight_path(self.chain.paths[index], self._graph)

    def _recompute(self) -> None:
        if self._net is None:
            self._show(self._graph)
        else:
            self._show(self._net.graph(self.x, self.t, self.level))

    def _show(self, graph: Graph) -> None:
        """Every view of one example's graph, sent as one message."""
        self._graph = graph
        name = self.selected
        self.chain = graph.chain_rule(name) if name else None
        with self.hold_sync():
            self.values = self._current_values()
            self.show_example(graph)
            if self.chain is None:
                self.panel = "<p>Click a weight or a bias on the diagram.</p>"
            else:
                self.panel = html_with_math(panel_html(self.chain))
            self.show_terms(self.chain, MAX_TERMS_SHOWN, FLAT_PATHS, OPEN_ROWS)
            self._show_step()

    # ----------------------------------------------------------- backward pass
    @property
    def backward_order(self) -> list[str]:
        """The nodes backprop visits, from the end back: a network's inputs (whose delta feeds
        no parameter's gradient) and a graph's constants are not stepped through."""
        g = self._graph
        skip = ("input", "constant") if self._net is not None else ("constant",)
        return [n for n in g.backward_order() if g.kind(n) not in skip]

    def step(self) -> None:
        """Reveal the next node of the backward pass (from the end towards the inputs)."""
        self._revealed = min(self._revealed + 1, len(self.backward_order))
        with self.hold_sync():
            self._show_step()

    def step_back(self) -> None:
        self._revealed = max(self._revealed - 1, 0)
        with self.hold_sync():
            self._show_step()

    def reset_steps(self) -> None:
        self._revealed = 0
        with self.hold_sync():
            self._show_step()

    def known_gradients(self) -> list[tuple[str, float]]:
        """Parameters (a graph's leaves) whose gradient the revealed deltas already give.

        A gradient is known once every node that uses the parameter has its delta.
        """
        g = self._graph
        done = set(self.backward_order[: self._revealed])
        if self._net is not None:
            names = g.parameter_names
        else:
            names = [
                n for n in g.node_names + g.parameter_names if g.kind(n) in ("input", "parameter")
            ]
        return [(p, g.gradient(p)) for p in names if all(c in done for c in g.children(p))]

    def _show_step(self) -> None:
        g = self._graph
        order = self.backward_order
        known = self.known_gradients()
        current = order[self._revealed - 1] if self._revealed else None
        # what this step unlocked: the known parameters that enter the current node
        entering = set(g.parents(current)) if current else set()
        newly = [(p, v) for p, v in known if p in entering]
        self.step_panel = html_with_math(step_html(g, order, self._revealed, newly))
        drawn_by_node = self._drawn is not None
        revealed = {n if drawn_by_node else g.neuron_of(n) for n in order[: self._revealed]}
        self.emphasis = (
            {
                "revealed": sorted(revealed),
                "current": current if drawn_by_node else g.neuron_of(current),
                "known": [p for p, _ in known],
            }
            if current
            else {}
        )
        self.can_back = self._revealed > 0
        self.can_step = self._revealed < len(order)
