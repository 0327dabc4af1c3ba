"""Where each neuron, bias and edge of the diagram goes, and which of them a path lights.

Edges are identified by keys the JavaScript uses as element ids: a weight edge by
the weight's name (``"w5"``), a bias edge by ``"b1>h1"``, an edge into the loss by
``"o1>L"``. Nodes by their names; bias nodes by the bias parameter's name.
"""

from __future__ import annotations

import html
import itertools
import weakref

import numpy as np

from ..core.chain_rule import LOSS_NODE, NET_PREFIX, ComputationGraph
from ..core.errors import BackpropInputError
from ..core.graph import Graph
from ..core.network import Network
from .labels import place_labels

WIDTH = 640
MIN_HEIGHT = 230
# Past this many nodes in a layer or edges in all, labels would overlap: the diagram
# hides weight labels (hover and selection still show them).
DENSE_NODES = 6
DENSE_EDGES = 40
# A diagram of more weights than this is a blur of lines, and its JSON a burden.
MAX_WEIGHTS = 2000


def diagram_structure(net: Network, level: str = "neuron") -> dict:
    """Positions of every node and the list of edges, as plain JSON.

    At ``level="pre-activation"`` every neuron is drawn as two nodes, its net input (a small
    Σ) and its activation, joined by an activation edge ``net_h1>h1``; weights and biases
    then end at the net input, as in the chain rule at that level.
    """
    sizes = net.sizes
    if len(net.weight_names) > MAX_WEIGHTS:
        raise BackpropInputError(
            f"net has {len(net.weight_names)} weights; NetworkDiagram draws networks of at most "
            f"{MAX_WEIGHTS} weights (e.g. [4, 8, 8, 8, 2]); use a smaller network to look at"
        )
    layers = net.node_names
    widest = max(sizes)
    dense = widest > DENSE_NODES or len(net.weight_names) > DENSE_EDGES
    spacing = 64 if widest <= 4 else max(26, 380 // widest)
    height = max(MIN_HEIGHT, spacing * widest + 90)
    radius = min(20, int(spacing * 0.4))  # dense layers: circles large enough for a picture
    left, right = 50, WIDTH - 120
    gap = (right - left) / max(1, len(sizes) - 1)
    top = 30
    usable = height - top - 60  # leave the bottom strip for bias nodes
    nodes, edges = [], []
    kinds = ["input"] + ["hidden"] * (len(sizes) - 2) + ["output"]
    pos = {}
    for layer, names in enumerate(layers):
        x = left + gap * layer
        for j, name in enumerate(names):
            y = top + usable * (j + 0.5) / len(names)
            pos[name] = (x, y)
            nodes.append(
                {
                    "id": name,
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "layer": layer,
                    "kind": kinds[layer],
                }
            )
    pre = level == "pre-activation"
    into = {}  # where a weight or bias into a neuron ends: the neuron, or its net input
    for layer, names in enumerate(layers[1:], start=1):
        for name in names:
            into[name] = name
            if pre:
                x, y = pos[name]
                net_id = NET_PREFIX + name
                pos[net_id] = (x - min(gap * 0.28, 70), y)
                nodes.append(
                    {"id": net_id, "x": round(pos[net_id][0], 1), "y": round(y, 1),
                     "layer": layer, "kind": "net", "label": "Σ"}
                )  # fmt: skip
                edges.append(
                    {"id": f"{net_id}>{name}", "s": net_id, "d": name, "kind": "activation"}
                )
                into[name] = net_id
    loss_x, loss_y = WIDTH - 40, top + usable / 2
    nodes.append(
        {"id": LOSS_NODE, "x": loss_x, "y": round(loss_y, 1), "layer": len(sizes), "kind": "loss"}
    )
    for name in net.weight_names:
        info = net.parameter_info(name)
        target = info.targets[0]
        edge = {"id": name, "s": info.source, "d": into[target], "kind": "weight", "p": name}
        if dense:  # only the selected weight is named: a spot on its line, without a search
            edge |= _label_place(
                pos, info.source, target, into, layers[info.layer - 1 : info.layer + 1]
            )
        edges.append(edge)
    bias_y = height - 28
    for name in net.bias_names:
        info = net.parameter_info(name)
        xs = [pos[t][0] for t in info.targets]
        if net.bias_mode == "per_neuron":
            tx, ty = pos[info.targets[0]]
            bx, by = tx - gap * 0.28, ty + spacing * 0.38
        elif net.bias_mode == "per_layer":
            bx, by = (min(xs) - gap * 0.45), bias_y
        else:  # one shared bias, drawn once, feeding every neuron: the sharing is visible
            bx, by = (left + gap * 0.5), bias_y
        nodes.append(
            {"id": name, "x": round(bx, 1), "y": round(by, 1), "layer": info.layer, "kind": "bias"}
        )
        for target in info.targets:
            edges.append(
                {"id": f"{name}>{target}", "s": name, "d": into[target], "kind": "bias", "p": name}
            )
    for name in layers[-1]:
        edges.append({"id": f"{name}>{LOSS_NODE}", "s": name, "d": LOSS_NODE, "kind": "loss"})
    if dense:
        _names_beside(nodes, radius)
    return {
        "width": WIDTH,
        "height": int(height),
        "r": radius,
        "dense": dense,
        # up to which drawing scale the weights' labels fit, with values or names: labels.py
        "label_units": {"values": 0, "names": 0} if dense else place_labels(nodes, edges, radius),
        "level": level,
        "nodes": nodes,
        "edges": edges,
    }


def _names_beside(nodes: list[dict], radius: float) -> None:
    """In a dense diagram a name does not fit inside its small circle: the inputs' names go
    to their left and L's to its right, where no line runs; a neuron's name shows on hover."""
    for n in nodes:
        if n["kind"] == "input":
            n |= {"lx": round(n["x"] - radius - 8, 1), "anchor": "end"}
        elif n["kind"] == "loss":
            n |= {"lx": round(n["x"] + radius + 8, 1), "anchor": "start"}


def _label_place(pos, source: str, target: str, into, layers) -> dict:
    """Where a weight's label goes: each edge between two layers at its own fraction of the
    way (w1 at 0.3, w3 at 0.43, w2 at 0.57, w4 at 0.7 in a 2-2 layer), so no two labels share
    a column and none sits where two lines cross."""
    sources, targets = layers
    n = len(sources) * len(targets)
    k = sources.index(source) * len(targets) + targets.index(target)
    # between 0.3 and 0.7 of the way: never under the circle it starts or ends at
    t = 0.3 + 0.4 * k / (n - 1) if n > 1 else 0.35
    (sx, sy), (dx, dy) = pos[source], pos[into[target]]
    return {"lx": round(sx + (dx - sx) * t, 1), "ly": round(sy + (dy - sy) * t, 1)}


def path_edges(graph: ComputationGraph, path) -> list[str]:
    """The diagram edge keys along one chain-rule path of ``graph`` (either level), in order.

    The path is refined to net inputs by the core: a neuron-level step into a softmax output
    stands for one route per net input of the layer, and each route's weight is lit.
    """
    keys: list[str] = []
    for route in graph.refine(path):
        for den, num in itertools.pairwise(route):
            key = _edge_key(graph, den, num)
            if key is not None and key not in keys:
                keys.append(key)
    return keys


def _edge_key(graph: ComputationGraph, den: str, num: str) -> str | None:
    """The diagram edge a pre-activation step den -> num crosses, or None inside a neuron."""
    net = graph.net
    if num == LOSS_NODE:
        return f"{den}>{LOSS_NODE}"
    neuron = graph.neuron_of(num)
    if den in net.bias_names:
        return f"{den}>{neuron}"
    if den in net.weight_names:
        return den
    if neuron != num:  # into a net input: the weight from den
        return net.weight_between(den, neuron)
    if graph.level == "pre-activation" and graph.neuron_of(den) == num:
        return f"{den}>{num}"  # the activation edge drawn at this level
    return None  # inside a neuron at the neuron level, or a softmax neighbour's net input


def own_edges(net: Network, param: str) -> list[str]:
    """The diagram edges of the parameter itself: a weight's line, or a bias's lines."""
    info = net.parameter_info(param)
    return [param] if info.kind == "weight" else [f"{param}>{t}" for t in info.targets]


def downstream_edges(net: Network, param: str, level: str = "neuron") -> list[str]:
    """Every diagram edge on some path from the parameter to L (at the diagram's level).

    Which nodes the parameter reaches is the core graph's answer (``Graph.reaches``): the
    structure of a network's graph does not depend on the example, so any example will do.
    """
    graph = _structure_graph(net)
    keys = own_edges(net, param)
    reached = graph.reaches(param)
    on_path = set(reached)
    for num in reached:
        for den in graph.parents(num):
            if den in on_path:
                key = _edge_key(graph, den, num)
                activation = key is not None and ">" in key and key.startswith(NET_PREFIX)
                if (
                    key is not None
                    and key not in keys
                    and (level == "pre-activation" or not activation)
                ):
                    keys.append(key)
    return keys


def _structure_graph(net: Network) -> Graph:
    """The network's pre-activation graph at an example of zeros (only its edges are read),
    built once per network: its architecture never changes."""
    if net not in _STRUCTURES:
        x = np.zeros(net.sizes[0])
        t = np.full(net.sizes[-1], 1.0 / net.sizes[-1])  # a valid target for every loss
        _STRUCTURES[net] = Graph(net, x, t, "pre-activation")
    return _STRUCTURES[net]


_STRUCTURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def static_svg(structure: dict, node_labels: dict | None = None, lit=()) -> str:
    """The diagram as a plain SVG string, for viewers without the widget manager (GitHub,
    nbviewer, an HTML export): the same positions and names, no interaction."""
    node_labels = node_labels or {}
    lit = set(lit)
    at = {n["id"]: n for n in structure.get("nodes", [])}
    r = structure.get("r", 16)
    width, height = structure.get("width", WIDTH), structure.get("height", MIN_HEIGHT)
    # weights are named where their names fit the drawing at full size (labels.py)
    names_fit = structure.get("label_units", {}).get("names", 0) >= 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="network diagram" style="max-width:{width}px;width:100%">'
    ]
    for e in structure.get("edges", []):
        a, b = at[e["s"]], at[e["d"]]
        colour = "#7b3fb5" if e["id"] in lit else "#8aa9d6"
        dash = ' stroke-dasharray="4 3"' if e["kind"] in ("loss", "bias") else ""
        parts.append(
            f'<line x1="{a["x"]}" y1="{a["y"]}" x2="{b["x"]}" y2="{b["y"]}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        if e["kind"] == "weight" and names_fit and "lx" in e:
            parts.append(
                f'<text x="{e["lx"]}" y="{e["ly"]}" font-size="12" text-anchor="middle" '
                f'dominant-baseline="central" fill="#222">{html.escape(e["id"])}</text>'
            )
    for n in structure.get("nodes", []):
        radius = r * 0.6 if n["kind"] in ("bias", "net") else r
        parts.append(
            f'<circle cx="{n["x"]}" cy="{n["y"]}" r="{radius:.1f}" fill="#fff" stroke="#555"/>'
            f'<text x="{n["x"]}" y="{n["y"] + 4}" font-size="12" text-anchor="middle" '
            f'fill="#222">{html.escape(n.get("label", n["id"]))}</text>'
        )
        if n["id"] in node_labels:
            parts.append(
                f'<text x="{n["x"]}" y="{n["y"] + radius + 13}" font-size="11" '
                f'text-anchor="middle" fill="#555">{html.escape(node_labels[n["id"]])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
