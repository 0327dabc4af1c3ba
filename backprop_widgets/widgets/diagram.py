"""NetworkDiagram: the network drawn as SVG; click a weight or bias to select it.

Python owns everything the picture shows. ``structure`` (node positions, edges,
bias nodes) is sent once; ``values`` (each parameter's value) is sent again only
when parameters change; ``selected`` is synced both ways; ``highlight`` and
``emphasis`` say which edges and nodes to light up. The JavaScript in
``static/diagram.js`` draws those and reports clicks by setting ``selected``.
"""

from __future__ import annotations

import math
import pathlib

import anywidget
import traitlets

from ..core.errors import unknown_name
from ..core.network import Network
from .layout import diagram_structure, downstream_edges, own_edges, path_edges
from .throttle import Throttle

STATIC = pathlib.Path(__file__).parent.parent / "static"


class StrictWidget:
    """Refuse unknown keyword arguments: traitlets only warns, and a typo should fail loudly."""

    _accepted: tuple[str, ...] = ()

    @classmethod
    def _check_kwargs(cls, kwargs: dict) -> None:
        unknown = sorted(set(kwargs) - set(cls._accepted))
        if unknown:
            raise TypeError(
                f"{cls.__name__}() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
                f"accepted: {', '.join(cls._accepted) or 'none'}"
            )


class NetworkDiagram(StrictWidget, anywidget.AnyWidget):
    """The network as a clickable SVG diagram.

    Parameters
    ----------
    net : Network
        The network to draw. The diagram follows its parameter changes
        (``net["w5"] = 0.4``, training steps) without being re-created.
    selected : str, optional
        Name of the parameter to select first.
    show_values : bool
        Print each weight's value beside its name (otherwise shown on hover).
    highlight_paths : bool
        Light every path from the selected parameter to L (default), or only the
        parameter's own edge (as an exercise does, to keep the paths for the student).

    Attributes
    ----------
    selected : str
        The selected parameter ("" for none); set by a click or from Python.

    Examples
    --------
    >>> net, x, t = bw.presets.mazur()
    >>> d = bw.NetworkDiagram(net); d            # doctest: +SKIP
    >>> d.selected = "w1"                        # highlights w1 -> h1 -> {o1, o2} -> L
    """

    _esm = STATIC / "diagram.js"
    _css = STATIC / "diagram.css"
    _accepted = ("selected", "show_values", "auto_update", "highlight_paths", "layout")

    structure = traitlets.Dict().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    node_values = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    highlight = traitlets.Dict().tag(sync=True)
    emphasis = traitlets.Dict().tag(sync=True)
    show_values = traitlets.Bool(False).tag(sync=True)

    def __init__(self, net: Network, **kwargs):
        if not isinstance(net, Network):
            raise TypeError(f"net must be a backprop_widgets.Network; got {type(net).__name__}")
        self._check_kwargs(kwargs)
        # Training turns this off and calls refresh() once per frame, so the
        # diagram is not re-sent after every one of thousands of SGD steps.
        self.auto_update = kwargs.pop("auto_update", True)
        # An exercise marks the asked weight without giving away its paths.
        self.highlight_paths = kwargs.pop("highlight_paths", True)
        self._net = net
        super().__init__(structure=diagram_structure(net), values=self._current_values(), **kwargs)
        self.add_class("bpw-diagram-widget")
        # at most ~10 redraws a second however fast the network changes (training elsewhere)
        self._refresh_soon = Throttle(self.refresh, 0.1)
        net.observe(self._on_net_change)

    @property
    def net(self) -> Network:
        return self._net

    @traitlets.validate("selected")
    def _valid_selection(self, proposal):
        name = proposal["value"]
        if name and name not in self._net:
            raise unknown_name("parameter", name, self._net.parameter_names)
        return name

    @traitlets.observe("selected")
    def _highlight_selection(self, change) -> None:
        name = change["new"]
        if not name:
            self.highlight = {}
        elif self.highlight_paths:
            self.highlight = {"edges": downstream_edges(self._net, name)}
        else:
            self.highlight = {"edges": own_edges(self._net, name)}

    def _current_values(self) -> dict[str, float]:
        # 6 significant digits: what a label or tooltip shows, and a smaller message.
        return {k: _round(v) for k, v in self._net.parameters().items()}

    def _on_net_change(self, net, names) -> None:
        if self.auto_update:
            self._refresh_soon()

    def refresh(self) -> None:
        """Send the current parameter values (only the ``values`` trait changes)."""
        self.values = self._current_values()

    def highlight_path(self, path: tuple[str, ...] | None) -> None:
        """Light up one path (a tuple of names from the parameter to L), or all paths again."""
        if path is None:
            self._highlight_selection({"new": self.selected})
            return
        self.highlight = {"edges": path_edges(self._net, path), "path": list(path)}


def _round(value: float, digits: int = 6) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))
