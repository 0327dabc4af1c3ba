"""NetworkDiagram: the network drawn as SVG; click a weight or bias to select it.

Python owns everything the picture shows. ``structure`` (node positions, edges,
bias nodes) is sent once; ``values`` (each parameter's value, for line widths and
colours) is sent again only when parameters change, with ``value_labels``, the same
values as text written by :mod:`backprop_widgets.core.numbers`; ``node_values`` and
``node_labels`` do the same for the neurons. ``selected`` is synced both ways;
``highlight`` and ``emphasis`` say which edges and nodes to light up. The JavaScript in
``static/diagram.js`` draws those, prints the labels as given, and reports clicks by
setting ``selected``.
"""

from __future__ import annotations

import contextlib
import pathlib

import anywidget
import traitlets

from ..core import numbers, validation
from ..core.chain_rule import ComputationGraph
from ..core.errors import BackpropInputError, unknown_name
from ..core.graph import NETWORK_LEVELS, Graph, Value
from ..core.network import Network
from ..core.pictures import neuron_grids
from ..projector import follow as follow_projector
from .graph_layout import graph_path_edges, graph_structure, path_edge_keys
from .layout import diagram_structure, downstream_edges, own_edges, path_edges, static_svg
from .pictures import neuron_pictures
from .static_files import styles
from .throttle import TrailingRedraw

PICTURE_RESOLUTION = 20  # cells per side: smooth once the browser scales it to the circle

STATIC = pathlib.Path(__file__).parent.parent / "static"


class StrictWidget:
    """Refuse unknown keyword arguments: traitlets only warns, and a typo should fail loudly."""

    _accepted: tuple[str, ...] = ()

    def _repr_mimebundle_(self, **kwargs):
        # Where no widget manager runs (GitHub, nbviewer, a plain export), a viewer shows the
        # text or the HTML instead of "ChainRuleExplorer(children=(HBox(...": make them useful.
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle  # (data, metadata) or data
        if data is not None:
            text, page = self._fallback()
            data["text/plain"] = text
            if page:
                data["text/html"] = page
        return bundle

    def _fallback(self) -> tuple[str, str]:
        """(one line of text, an HTML picture) standing in for the widget."""
        return type(self).__name__, ""

    @classmethod
    def _check_kwargs(cls, kwargs: dict) -> None:
        unknown = sorted(set(kwargs) - set(cls._accepted))
        if unknown:
            raise TypeError(
                f"{cls.__name__}() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
                f"accepted: {', '.join(cls._accepted) or 'none'}"
            )


def _widget_traits() -> set[str]:
    """The public traits NetworkDiagram inherits from ipywidgets (layout, tooltip, tabbable)."""
    own = set(DiagramState.class_own_traits())
    names = set(NetworkDiagram.class_trait_names()) - own
    return {n for n in names if not n.startswith("_")} - {"comm", "keys", "log"}


def as_source(source, argname: str = "net"):
    """A Network or a Graph (a Value's graph for a Value): what a diagram or explorer draws."""
    if isinstance(source, Value):
        return Graph(source)
    if isinstance(source, (Network, Graph)):
        return source
    raise BackpropInputError(
        f"{argname} must be a backprop_widgets.Network, a Graph (bw.Graph(f), bw.trace, "
        f"bw.expression, net.graph(x, t)) or a Value; got {type(source).__name__}"
    )


class DiagramState(traitlets.HasTraits):
    """What a drawn network or graph shows, computed in Python; the widget that holds these
    traits draws them with static/diagram.js (the diagram itself, and the explorer).

    A network is drawn compactly (neurons, or net inputs and activations) and its weights are
    selected by clicking their lines; any graph (or a network at the operation level) is
    drawn node by node, and any node but the end is selected by clicking it.
    """

    structure = traitlets.Dict().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    node_values = traitlets.Dict().tag(sync=True)
    # the text of each value, formatted in Python so every view prints the same digits
    value_labels = traitlets.Dict().tag(sync=True)
    node_labels = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    highlight = traitlets.Dict().tag(sync=True)
    emphasis = traitlets.Dict().tag(sync=True)
    show_values = traitlets.Bool(False).tag(sync=True)
    # neuron -> PNG data URL of what it computes over the input plane (2-input networks)
    node_pictures = traitlets.Dict().tag(sync=True)
    # a double-click (or Enter) on a weight opens a number field; Python checks what is typed
    editable = traitlets.Bool(False).tag(sync=True)
    edit_message = traitlets.Unicode("").tag(sync=True)
    # bw.projector(True): larger text, the explorer's diagram kept beside its formula
    projector = traitlets.Bool(False).tag(sync=True)

    def _start_diagram(self, source, *, auto_update: bool, highlight_paths: bool) -> dict:
        """Take the network or graph to draw; the traits to start with."""
        # Training turns this off and calls refresh() once per frame, so the
        # diagram is not re-sent after every one of thousands of SGD steps.
        self.auto_update = auto_update
        # An exercise marks the asked weight without giving away its paths.
        self.highlight_paths = highlight_paths
        if isinstance(source, Graph):
            self._net, self._graph, self._drawn = None, source, source
            return {"structure": graph_structure(source), "values": {}}
        self._net, self._graph, self._drawn = source, None, None
        return {"structure": diagram_structure(source), "values": self._current_values()}

    def _follow(self) -> None:
        self.projector = follow_projector(self)
        # at most ~10 redraws a second however fast the network changes (training elsewhere)
        self._refresh_soon = TrailingRedraw(self.refresh, 0.1)
        if self._net is not None:
            self._net.observe(self._on_net_change)
        else:
            self.show_example(self._graph)

    @property
    def net(self) -> Network | None:
        return self._net

    @traitlets.validate("selected")
    def _valid_selection(self, proposal):
        name = proposal["value"]
        if not name:
            return name
        if self._net is not None:
            if name not in self._net:
                raise unknown_name("parameter", name, self._net.parameter_names)
        elif name not in self._graph or name == self._graph.end:
            choices = [
                n
                for n in self._graph.node_names + self._graph.parameter_names
                if n != self._graph.end
            ]
            raise unknown_name("node", name, choices)
        return name

    @traitlets.observe("selected")
    def _highlight_selection(self, change) -> None:
        name = change["new"]
        if not name:
            self.highlight = {}
        elif self._drawn is not None:  # drawn node by node
            if self.highlight_paths:
                self.highlight = {"edges": graph_path_edges(self._drawn, name)}
            else:
                self.highlight = {"edges": [f"{name}>{c}" for c in self._drawn.children(name)]}
        elif self.highlight_paths:
            level = self.structure.get("level", "neuron")
            self.highlight = {"edges": downstream_edges(self._net, name, level)}
        else:
            self.highlight = {"edges": own_edges(self._net, name)}

    @traitlets.observe("values")
    def _label_values(self, change) -> None:
        self.value_labels = {k: numbers.plain(v) for k, v in change["new"].items()}

    @traitlets.observe("node_values")
    def _label_nodes(self, change) -> None:
        self.node_labels = {k: numbers.plain(v) for k, v in change["new"].items()}

    def _current_values(self) -> dict[str, float]:
        if self._net is None:
            return {}
        # 6 significant digits are plenty for a line's width and colour, and a smaller message
        return {k: float(numbers.plain(v, 6)) for k, v in self._net.parameters().items()}

    def _on_net_change(self, net, names) -> None:
        if self.auto_update:
            self._refresh_soon()

    def _diagram_fallback(self) -> tuple[str, str]:
        chosen = f"; {self.selected} selected" if self.selected else ""
        if self._net is None:
            g = self._graph
            text = f"NetworkDiagram: a graph ending at {g.end}, {len(g.node_names)} nodes{chosen}"
        else:
            net = self._net
            text = (
                f"NetworkDiagram: a {net.sizes} network, {', '.join(net.activation)}, "
                f"{net.loss_name}, {len(net.parameter_names)} parameters{chosen}"
            )
        lit = self.highlight.get("edges", []) if self.highlight else []
        return text, static_svg(self.structure, self.node_labels, lit)

    def _on_front_end_msg(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "edit":
            self.edit_weight(content.get("param"), content.get("text"))
        elif content.get("type") == "select":
            self.click(content.get("name"))
        elif content.get("type") == "hello":  # a drawing asks whether a kernel is behind it
            self.send({"type": "alive"})

    def click(self, name) -> None:
        """Select what a click on the drawing asked for (a name from the browser: one that is
        not a parameter or node of this drawing is ignored, as a stale click would be)."""
        with contextlib.suppress(KeyError, ValueError, traitlets.TraitError):
            self.selected = name if isinstance(name, str) else ""

    def edit_weight(self, name, text) -> bool:
        """Set a parameter from text typed on the diagram; every view of the network follows.

        A value that is not a finite number leaves the network unchanged and is explained in
        ``edit_message`` (shown beside the edge). Returns whether the value was taken.
        """
        if not self.editable or self._net is None:
            self.edit_message = "This diagram's weights cannot be edited here."
            return False
        if name not in self._net:
            self.edit_message = f"{name!r} is not a parameter of this network."
            return False
        try:
            value = validation.finite_number(float(str(text).replace("−", "-")), name)
        except (ValueError, TypeError, OverflowError):
            shown = str(text)[:40]
            self.edit_message = (
                f"{name} must be a finite number such as 0.4 or -1.5e-2; got {shown!r}"
            )
            return False
        self.edit_message = ""
        self._net[name] = value
        return True

    def show_level(self, level: str, graph: Graph | None = None) -> None:
        """Draw the network at a level: "neuron", "pre-activation" (net_h1 -> h1 as two
        nodes, as the chain rule at that level has them) or "operation" (every multiply and
        add its own node: pass the example's ``graph`` at that level)."""
        if self._net is None:
            return  # a graph has the one drawing
        validation.one_of(level, NETWORK_LEVELS, "level")
        if level == "operation":
            if graph is None or graph.level != "operation":
                raise BackpropInputError(
                    "show_level('operation', graph) needs the example's graph at that level: "
                    "net.graph(x, t, level='operation')"
                )
            drawn_before = self._drawn
            self._drawn = graph
            if drawn_before is None or self.structure.get("level") != "operation":
                with self.hold_sync():
                    self.structure = graph_structure(graph)
                    self._highlight_selection({"new": self.selected})
            return
        self._drawn = None
        if self.structure.get("level", "neuron") != level:
            with self.hold_sync():
                self.structure = diagram_structure(self._net, level)
                self._highlight_selection({"new": self.selected})

    def show_neuron_pictures(self, extent, resolution: int = PICTURE_RESOLUTION) -> None:
        """Paint every hidden and output neuron with its activation over the input plane.

        ``extent``: ((x1 low, x1 high), (x2 low, x2 high)), e.g. ``extent_of(X)`` of the
        data. Call again to follow training; the pictures are computed here, drawn by the JS.
        """
        if self._net is None:
            raise BackpropInputError("neuron pictures are drawn for a network, not a graph")
        grids = neuron_grids(self._net, extent, resolution)
        self.node_pictures = neuron_pictures(self._net, grids)

    def hide_neuron_pictures(self) -> None:
        self.node_pictures = {}

    def refresh(self) -> None:
        """Send the current parameter values and their labels, in one message."""
        with self.hold_sync():
            self.values = self._current_values()

    def highlight_path(
        self, path: tuple[str, ...] | None, graph: ComputationGraph | None = None
    ) -> None:
        """Light up one path of ``graph`` (names from the parameter to L), or all paths again.

        The graph is the one the path came from: it knows which of its nodes are net inputs.
        """
        if path is None:
            self._highlight_selection({"new": self.selected})
            return
        if graph is None:
            raise TypeError("highlight_path(path, graph): a path needs the graph it came from")
        if self._drawn is not None:
            self.highlight = {"edges": path_edge_keys(path)}
        else:
            self.highlight = {"edges": path_edges(graph, path)}

    def show_all_paths(self) -> None:
        """Light every path from the selected parameter to L, now and for later selections
        (a diagram made with ``highlight_paths=False`` lights only the parameter's own edge)."""
        self.highlight_paths = True
        self._highlight_selection({"new": self.selected})

    def show_example(self, graph: ComputationGraph) -> None:
        """Print each node's value at the example ``graph`` was built for (and L's loss).

        The graph is the core's: the diagram reads its values and computes none."""
        # the graph holds a snapshot of a network: it must be one of this shape to label it
        if self._net is not None and (graph.net is None or graph.net.sizes != self._net.sizes):
            shape = "an expression" if graph.net is None else f"a {graph.net.sizes} network"
            raise ValueError(
                f"graph must be built from a network of the diagram's sizes {self._net.sizes} "
                f"(net.graph(x, t)); got a graph of {shape}"
            )
        if self._drawn is not None and graph.level == self._drawn.level:
            self._drawn = graph
        # a constant's value is its name: written once, not again under it
        self.node_values = {
            n: graph.value(n) for n in graph.node_names if graph.kind(n) != "constant"
        }


class NetworkDiagram(DiagramState, StrictWidget, anywidget.AnyWidget):
    """The network, or any computation graph, as a clickable SVG diagram.

    Parameters
    ----------
    net : Network or Graph
        The network to draw (it follows the network's parameter changes, ``net["w5"] = 0.4``
        or training steps, without being re-created), or any computation graph
        (``bw.Graph(f)``, ``bw.trace``, ``bw.expression``, ``net.graph(x, t)``) drawn node by
        node, operations showing their symbol.
    selected : str, optional
        Name of the parameter (or, in a graph, the node) to select first.
    show_values : bool
        Print each weight's value beside its name (otherwise shown on hover).
    highlight_paths : bool
        Light every path from the selected parameter to L (default), or only the
        parameter's own edge (as an exercise does, to keep the paths for the student).
    auto_update : bool
        Follow the network's changes by itself (default), or only on ``refresh()``.
    editable : bool
        Let a double-click (or Enter) on a weight open a number field that sets it.
    **traits
        Widget traits such as ``layout``; any other name is a TypeError.

    Attributes
    ----------
    selected : str
        The selected parameter ("" for none); set by a click or from Python.

    Examples
    --------
    >>> net, x, t = bw.presets.mazur()
    >>> d = bw.NetworkDiagram(net); d            # doctest: +SKIP
    >>> d.selected = "w1"                        # highlights w1 -> h1 -> {o1, o2} -> L
    >>> d.show_example(net.graph(x, t))          # each neuron's value at this example
    """

    _esm = STATIC / "diagram.js"
    _css = styles("theme.css", "diagram.css")

    # keyword arguments NetworkDiagram takes besides its own: any trait of the widget (layout, ...)
    _OWN = ("selected", "show_values", "auto_update", "highlight_paths", "editable")

    def __init__(
        self,
        net,
        *,
        selected: str = "",
        show_values: bool = False,
        auto_update: bool = True,
        highlight_paths: bool = True,
        editable: bool = False,
        **traits,
    ):
        source = as_source(net)
        # traitlets only warns on an unknown name: a typo in a notebook should fail loudly.
        # Besides its own arguments, any widget trait it inherits (layout, tooltip) is taken;
        # the state it draws (structure, values, ...) is the diagram's to compute.
        unknown = sorted(set(traits) - _widget_traits())
        if unknown:
            raise TypeError(
                f"NetworkDiagram() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
                f"accepted: {', '.join(self._OWN)}, or a widget trait ({', '.join(sorted(_widget_traits()))})"
            )
        start = self._start_diagram(
            source, auto_update=auto_update, highlight_paths=highlight_paths
        )
        super().__init__(**start, show_values=show_values, editable=editable, **traits)
        self.add_class("bpw-diagram-widget")
        self._follow()
        self.on_msg(self._on_front_end_msg)
        if selected:
            self.selected = selected

    def _fallback(self) -> tuple[str, str]:
        return self._diagram_fallback()
