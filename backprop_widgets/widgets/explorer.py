"""ChainRuleExplorer: the diagram beside dL/dw written as the chain rule's sum over paths.

Click a weight (or a bias) and the panel shows the sum over every path from it to L,
the same sum with each factor's value, the total, and backprop's factored form with
deltas. A step-through replays the backward pass node by node.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..core import numbers, validation
from ..core.chain_rule import LEVELS
from ..core.network import Network
from .diagram import NetworkDiagram, StrictWidget
from .panels import MAX_TERMS_SHOWN, panel_html, step_html
from .terms import PathTerms
from .throttle import TrailingRedraw

LEVEL_LABELS = {"neuron": "neurons", "pre-activation": "net input + activation"}


class ChainRuleExplorer(StrictWidget, widgets.VBox):
    """Click any weight to see dL/dw as a sum over paths, with numbers.

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

    _accepted = ("selected", "level")

    def __init__(self, net: Network, x, t, **kwargs):
        self._check_kwargs(kwargs)
        level = kwargs.get("level", "neuron")
        validation.one_of(level, LEVELS, "level")
        self.net = net
        net.graph(x, t)  # validates x and t with the core's messages before anything is drawn
        self.x = np.asarray(x, dtype=float)
        self.t = np.asarray(t, dtype=float)
        # a student checks a hand calculation with their own numbers: weights edit in place
        self.diagram = NetworkDiagram(net, editable=True)
        self.diagram.show_level(level)
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
        self.step_panel = widgets.HTMLMath()
        self.step_panel.add_class("bpw-step-panel")
        self._revealed = 0
        self._graph = None
        self.chain = None
        super().__init__(
            children=[
                widgets.HBox([self.level_toggle, self.values_toggle]),
                self.diagram,
                self.path_terms,
                self.panel,
                widgets.HBox([self.back_button, self.step_button, self.reset_button]),
                self.step_panel,
            ]
        )
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
        self.diagram.selected = kwargs.get("selected", net.parameter_names[0])
        self._recompute()

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
        self.net.graph(x, t)
        self.x, self.t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
        self._recompute()

    # ----------------------------------------------------------- reacting
    def _on_select(self, change) -> None:
        self._recompute()

    def _on_level(self, change) -> None:
        self._revealed = 0
        self.diagram.show_level(change["new"])
        self._recompute()

    def _on_net_change(self, net, names) -> None:
        if self.diagram.auto_update:
            self._recompute_soon()

    def _on_path(self, change) -> None:
        index = change["new"]
        if index is None or index < 0 or self.chain is None or not self.chain.enumerated:
            self.diagram.highlight_path(None)
        else:
            self.diagram.highlight_path(self.chain.paths[index], self._graph)

    def _recompute(self) -> None:
        self._graph = self.net.graph(self.x, self.t, self.level)
        name = self.selected
        self.chain = self._graph.chain_rule(name) if name else None
        with self.hold_trait_notifications(), self.diagram.hold_sync():
            self.diagram.node_values = {
                n: self._graph.value(n) for n in self._graph.node_names if n != "L"
            } | {"L": self._graph.loss}
            if self.chain is None:
                self.panel.value = "<p>Click a weight or a bias on the diagram.</p>"
            else:
                self.panel.value = panel_html(self.chain)
            self.path_terms.show(self.chain, MAX_TERMS_SHOWN)
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

