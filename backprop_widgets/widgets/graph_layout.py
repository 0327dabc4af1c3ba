"""Where each node of any computation graph goes: layered left to right, few crossings.

A layered (Sugiyama-style) drawing, as micrograd's ``draw_dot`` and CS231n's circuits are
read: a node's column is its distance from the leaves; an input stays in the first column,
and a parameter or a constant sits one column before the first node that uses it (z beside
q in f = (x + y)·z). Inside a column, nodes are ordered by the mean row of their neighbours,
sweeping forwards and backwards a few times, which removes most crossings of small graphs.
No layout library is a run-time dependency (graphviz needs its binary), and a few dozen
nodes need nothing more.

The JSON has the shape :func:`.layout.diagram_structure` gives a network, so one drawing
module draws both: nodes (with the operation's symbol as the label of an operation node and
its name beside it), and edges keyed ``"den>num"``. Every node but the end is selectable.
"""

from __future__ import annotations

import itertools

from ..core.graph import Graph

WIDTH = 640
ROW = 58  # px between nodes of a column
MIN_HEIGHT = 200
SWEEPS = 4
DENSE_NODES = 40  # past this, names show on hover only
NAMED_ROOM = 1.7  # the height an operation (name above, value below) takes beside a leaf's


def columns_of(graph: Graph) -> dict[str, int]:
    """The column of every node: inputs first, a parameter or constant next to its use."""
    names = graph.node_names + graph.parameter_names
    depth = {n: graph.depth(n) for n in names}
    column = {}
    for name in sorted(names, key=depth.get):
        kind = graph.kind(name)
        users = graph.children(name)
        if kind in ("parameter", "constant") and users:
            column[name] = max(0, min(depth[u] for u in users) - 1)
        else:
            column[name] = depth[name]
    return column


def _order(graph: Graph, column: dict[str, int]) -> list[list[str]]:
    """Nodes per column, ordered by the barycentre of their neighbours (a few sweeps)."""
    n_columns = max(column.values()) + 1
    order = [[] for _ in range(n_columns)]
    for name in graph.node_names + graph.parameter_names:
        order[column[name]].append(name)
    # parameters were listed last: put each beside its first use to start with
    row = {n: i for col in order for i, n in enumerate(col)}
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        cols = range(1, n_columns) if forward else range(n_columns - 2, -1, -1)
        for c in cols:

            def centre(n, forward=forward):
                near = graph.parents(n) if forward else graph.children(n)
                near = [m for m in near if m in row]
                return sum(row[m] for m in near) / len(near) if near else row[n]

            order[c].sort(key=centre)
            row.update({n: i for i, n in enumerate(order[c])})
    return order


def graph_structure(graph: Graph) -> dict:
    """Positions of every node and the list of edges of ``graph``, as plain JSON."""
    column = columns_of(graph)
    order = _order(graph, column)
    tallest = max(len(c) for c in order)
    height = max(MIN_HEIGHT, ROW * tallest + 70)
    left, right = 46, WIDTH - 46
    gap = (right - left) / max(1, len(order) - 1)
    dense = len(column) > DENSE_NODES
    radius = 18 if tallest <= 5 else max(9, min(18, int(ROW * 0.3)))
    nodes, edges = [], []
    for c, names in enumerate(order):
        x = left + gap * c
        looks = [_look(graph, name) for name in names]
        # an operation has its name above and its value below; a leaf's name is inside it: in
        # a tall column (a network at the operation level) the operations get the room, so no
        # value runs into the name of the node below
        room = [NAMED_ROOM if "name" in look else 1.0 for look in looks]
        before = 0.0
        for name, look, share in zip(names, looks, room, strict=True):
            y = 40 + (height - 70) * (before + share / 2) / sum(room)
            before += share
            node = {"id": name, "x": round(x, 1), "y": round(y, 1), "layer": c}
            node |= look
            if name != graph.end:
                node["p"] = name  # selectable: the explorer writes d end / d node
            nodes.append(node)
    for name in graph.node_names:
        for den in graph.parents(name):
            edges.append({"id": f"{den}>{name}", "s": den, "d": name, "kind": "graph"})
    return {
        "width": WIDTH,
        "height": int(height),
        "r": radius,
        "dense": dense,
        "label_units": {"values": 0, "names": 0},
        "level": graph.level,
        "end": graph.end,
        "nodes": nodes,
        "edges": edges,
    }


def _look(graph: Graph, name: str) -> dict:
    """How a node is drawn: its kind (a CSS class), what is written in it and beside it."""
    kind = graph.kind(name)
    op = graph.operation(name)
    if name == graph.end:
        if kind == "loss" or op is None:
            return {"kind": "loss", "label": name}
        return {"kind": "end", "label": op.symbol, "name": name}
    if kind == "parameter":
        return {"kind": "param", "label": name}
    if kind == "constant":
        return {"kind": "constant", "label": name}
    if kind == "input":
        return {"kind": "input", "label": name}
    if op is None:
        return {"kind": "op", "label": name}
    # an operation node shows what it does (+, ×, σ); its name is written above it
    return {"kind": "op", "label": op.symbol, "name": name}


def graph_path_edges(graph: Graph, name: str) -> list[str]:
    """Every edge on some path from ``name`` to the end."""
    on_path = set(graph.reaches(name)) | {name}
    keys = []
    for num in graph.reaches(name):
        if graph.path_count(num) == 0:
            continue
        for den in graph.parents(num):
            if den in on_path:
                keys.append(f"{den}>{num}")
    return keys


def path_edge_keys(path) -> list[str]:
    """The edges of one path of a graph (names from the node to the end)."""
    return [f"{a}>{b}" for a, b in itertools.pairwise(path)]
