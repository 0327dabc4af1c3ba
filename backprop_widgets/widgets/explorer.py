"""ChainRuleExplorer: the diagram beside dL/dw written as the chain rule's sum over paths.

Click a weight (or a bias) and the panel shows the sum over every path from it to L,
the same sum with each factor's value, the total, and backprop's factored form with
deltas. A step-through replays the backward pass node by node.
"""

from __future__ import annotations

import contextlib

import ipywidgets as widgets
import numpy as np

from ..core import numbers, validation
from ..core.chain_rule import LEVELS, ComputationGraph
from ..core.network import Network
from .diagram import NetworkDiagram, StrictWidget
from .panels import FLAT_PATHS, MAX_TERMS_SHOWN, OPEN_ROWS, panel_html, step_html
from .terms import PathTerms
from .throttle import TrailingRedraw

LEVEL_LABELS = {"neuron": "neurons", "pre-activation": "net input + activation"}

# Side by side when both columns fit at their basis (460 px for the diagram, 400 px for
# the formula's lines: a 1366 px screen's output area), one above the other otherwise;
# min_width 0 lets a column shrink below its basis in a narrow output instead of
# overflowing it.
EXPLORER_LAYOUT = {"flex_flow": "row wrap", "align_items": "flex-start", "width": "100%"}
FIGURE_LAYOUT = {
    "flex": "1 1 460px",
    "max_width": "640px",
    "min_width": "0",
    "margin": "0 16px 0 0",
}
FORMULA_LAYOUT = {"flex": "1 1 400px", "min_width": "0"}
# A tall diagram (16 neurons a layer) is drawn at most this share of the window high, so
# that the formula below it or the Step controls under it stay on the same screen.
DIAGRAM_MAX_HEIGHT = "45vh"


class ChainRuleExplorer(StrictWidget, widgets.Box):
    """Click any weight to see dL/dw as a sum over paths, with numbers.

    The diagram (with the step-through of the backward pass under it) and the formula sit
    side by side when the output area is wide enough, one above the other otherwise.

    Parameters
    ----------
    net : Network
    x, t : array-like
        The example (one input and its target) the derivatives are taken at.
    selected : str, optional
        Parameter selected at first (default: the first weight).
    level : {"neuron", "pre-activation"}
        Whether each neuron is one node, or split into net input and activation.

    Examples
    --------
    >>> net, x, t = bw.presets.mazur()
    >>> ex = bw.ChainRuleExplorer(net, x, t, selected="w1"); ex   # doctest: +SKIP
    """

    def __init__(self, net: Network, x, t, *, selected: str | None = None, level: str = "neuron"):
        validation.one_of(level, LEVELS, "level")
        self.net = net
        # the one graph of this example: it validates x and t with the core's messages
        # before anything is drawn, and every view below reads it
        self._graph = net.graph(x, t, level)
        self.x = np.asarray(x, dtype=float)
        self.t = np.asarray(t, dtype=float)
        # a student checks a hand calculation with their own numbers: weights edit in place
        self.diagram = NetworkDiagram(
            net, editable=True, selected=net.parameter_names[0] if selected is None else selected
        )
        self.diagram.show_level(level)
        self._fit_diagram()
        self.level_toggle = widgets.ToggleButtons(
            options=[(LEVEL_LABELS[v], v) for v in LEVELS],
            value=level,
            description="Nodes:",
            style={"button_width": "auto"},
        )
        self.level_toggle.add_class("bpw-level")
        self.values_toggle = widgets.Checkbox(
            value=False, description="show weight values", indent=False
        )
        self.values_toggle.add_class("bpw-show-values")
        widgets.link((self.values_toggle, "value"), (self.diagram, "show_values"))
        # one chip per product of the sum: hover (or focus) lights its path, a click pins it
        self.path_terms = PathTerms()
        self.path_terms.add_class("bpw-paths")
        self.panel = widgets.HTMLMath()
        self.panel.add_class("bpw-panel")
        self.step_button = widgets.Button(
            description="Step ▶", tooltip="reveal the next node of the backward pass"
        )
        self.back_button = widgets.Button(description="◀ Back")
        self.reset_button = widgets.Button(description="Reset")
        for b, cls in (
            (self.step_button, "bpw-step"),
            (self.back_button, "bpw-back"),
            (self.reset_button, "bpw-reset"),
        ):
            b.add_class(cls)
            b.layout.width = "auto"  # ipywidgets' 148 px each would not fit a zoomed window
        self.step_panel = widgets.HTMLMath()
        self.step_panel.add_class("bpw-step-panel")
        self._revealed = 0
        self.chain = None
        super().__init__(children=self._columns(), layout=EXPLORER_LAYOUT)
        self.add_class("bpw-explorer")
        self.diagram.observe(self._on_select, names="selected")
        self.level_toggle.observe(self._on_level, names="value")
        self.path_terms.observe(self._on_path, names="active")
        self.step_button.on_click(lambda _: self.step())
        self.back_button.on_click(lambda _: self.step_back())
        self.reset_button.on_click(lambda _: self.reset_steps())
        # the panel is re-typeset by MathJax: a few times a second at most while training
        self._recompute_soon = TrailingRedraw(self._recompute, 0.25)
        net.observe(self._on_net_change)
        self._show(self._graph)

    def _columns(self) -> list[widgets.Widget]:
        """The diagram with the Step controls right under it (pressing Step never moves the
        diagram: what a step adds grows below), and the formula beside or below them."""
        figure = widgets.VBox(
            [
                widgets.HBox(
                    [self.level_toggle, self.values_toggle], layout={"flex_flow": "row wrap"}
                ),
                self.diagram,
                widgets.HBox([self.back_button, self.step_button, self.reset_button]),
                self.step_panel,
            ],
            layout=FIGURE_LAYOUT,
        )
        figure.add_class("bpw-explorer-figure")
        formula = widgets.VBox([self.path_terms, self.panel], layout=FORMULA_LAYOUT)
        formula.add_class("bpw-explorer-formula")
        return [figure, formula]

    # ----------------------------------------------------------- public state
    def _fallback(self) -> tuple[str, str]:
        picture = self.diagram._fallback()[1]
        if self.chain is None:
            return "ChainRuleExplorer: click a weight or a bias on the diagram", picture
        cr = self.chain
        form = cr.text() if cr.enumerated else cr.delta_text().splitlines()[0]
        text = f"ChainRuleExplorer: dL/d{cr.param} = {form} = {numbers.plain(cr.value, 6)}"
        return text, picture + self.panel.value

    @property
    def selected(self) -> str:
        return self.diagram.selected

    @selected.setter
    def selected(self, name: str) -> None:
        self.diagram.selected = name

    @property
    def level(self) -> str:
        return self.level_toggle.value

    @level.setter
    def level(self, value: str) -> None:
        validation.one_of(value, LEVELS, "level")
        self.level_toggle.value = value

    def set_example(self, x, t) -> None:
        """Take the derivatives at another example."""
        graph = self.net.graph(x, t, self.level)  # refuses a bad example before anything changes
        self.x, self.t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
        self._show(graph)

    # ----------------------------------------------------------- reacting
    def _on_select(self, change) -> None:
        self._recompute()

    def _fit_diagram(self) -> None:
        """As wide as the column, but never taller than DIAGRAM_MAX_HEIGHT of the window."""
        s = self.diagram.structure
        aspect = s["width"] / s["height"]
        self.diagram.layout.max_width = f"min(100%, calc({DIAGRAM_MAX_HEIGHT} * {aspect:.3f}))"
        self.diagram.layout.margin = "0 auto"

    def _on_level(self, change) -> None:
        self._revealed = 0
        self.diagram.show_level(change["new"])
        self._fit_diagram()
        self._recompute()

    def _on_net_change(self, net, names) -> None:
        if self.diagram.auto_update:
            self._recompute_soon()

    def _on_path(self, change) -> None:
        index = self.path_terms.path_index()  # None for a stale index from the browser
        if index is None or self.chain is None or not self.chain.enumerated:
            self.diagram.highlight_path(None)
        else:
            self.diagram.highlight_path(self.chain.paths[index], self._graph)

    def _recompute(self) -> None:
        self._show(self.net.graph(self.x, self.t, self.level))

    def _show(self, graph: ComputationGraph) -> None:
        """Every view of one example's graph, sent as one message per widget."""
        self._graph = graph
        name = self.selected
        self.chain = graph.chain_rule(name) if name else None
        views = (self.diagram, self.path_terms, self.panel, self.step_panel,
                 self.back_button, self.step_button)  # fmt: skip
        with contextlib.ExitStack() as held:
            for view in views:
                held.enter_context(view.hold_sync())
            self.diagram.show_example(graph)
            if self.chain is None:
                self.panel.value = "<p>Click a weight or a bias on the diagram.</p>"
            else:
                self.panel.value = panel_html(self.chain)
            self.path_terms.show(self.chain, MAX_TERMS_SHOWN, FLAT_PATHS, OPEN_ROWS)
            self._show_step()

    # ----------------------------------------------------------- backward pass
    @property
    def backward_order(self) -> list[str]:
        """The nodes backprop visits, from L back to the first hidden layer: an input's delta
        feeds no parameter's gradient, so the step-through never spends a step on one."""
        g = self._graph
        return [n for n in g.backward_order() if g.kind(n) != "input"]

    def step(self) -> None:
        """Reveal the next node of the backward pass (from L towards the inputs)."""
        self._revealed = min(self._revealed + 1, len(self.backward_order))
        self._show_step()

    def step_back(self) -> None:
        self._revealed = max(self._revealed - 1, 0)
        self._show_step()

    def reset_steps(self) -> None:
        self._revealed = 0
        self._show_step()

    def known_gradients(self) -> list[tuple[str, float]]:
        """Parameters whose gradient the revealed deltas already give, with the gradient.

        A parameter's gradient is known once every node it enters has its delta.
        """
        done = set(self.backward_order[: self._revealed])
        return [
            (p, self._graph.gradient(p))
            for p in self._graph.parameter_names
            if all(node in done for node, _ in self._graph.parameter_targets(p))
        ]

    def _show_step(self) -> None:
        g = self._graph
        order = self.backward_order
        known = self.known_gradients()
        current = order[self._revealed - 1] if self._revealed else None
        # what this step unlocked: the known parameters that enter the current node
        entering = set(g.parents(current)) if current else set()
        newly = [(p, v) for p, v in known if p in entering]
        self.step_panel.value = step_html(g, order, self._revealed, newly)
        revealed = {g.neuron_of(n) for n in order[: self._revealed]}
        self.diagram.emphasis = (
            {
                "revealed": sorted(revealed),
                "current": g.neuron_of(current),
                "known": [p for p, _ in known],
            }
            if current
            else {}
        )
        self.back_button.disabled = self._revealed == 0
        self.step_button.disabled = self._revealed >= len(order)
