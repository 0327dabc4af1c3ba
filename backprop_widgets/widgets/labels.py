"""Where the diagram writes each weight's label, so that labels never overlap.

The browser draws every label at a fixed size on screen (``LABEL_PX``) whatever the size of
the drawing, so a drawing shrunk on screen makes its labels larger in the drawing's own
units: ``unit`` below is drawing units per screen pixel (1.0 when the 640-unit-wide drawing
is 640 px wide). Labels are placed as boxes estimated from their text (a glyph is at most
``GLYPH`` of the font size wide in the UI fonts), clear of the nodes, of the value printed
under each node and of each other, with no other weight's line through a label's middle
(so a label is never read as another weight's). Python places them once; for those places it works out up to
which ``unit`` the labels with their values fit, and up to which the names alone do. The
JavaScript measures its unit and draws ``w1=0.15``, ``w1``, or only the selected weight's
label, whichever fits; a hidden label shows on hover.
"""

from __future__ import annotations

LABEL_PX = 12  # a weight's label on screen (static/diagram.css: .edge-label)
VALUE_PX = 12  # a node's value under it (.node-value)
VALUE_GAP = 3  # from a node's edge to the top of its value (diagram.js: hanging baseline)
GLYPH = 0.62
VALUE_CHARS = 7  # "-0.1235": the longest value text numbers.plain usually writes
# Along its line, where a label may go: the middle first, then outwards to the ends.
SPOTS = (0.5, 0.35, 0.65, 0.25, 0.75, 0.42, 0.58, 0.3, 0.7, 0.2, 0.8, 0.15, 0.85)
# Drawing units per screen px worth checking: a 640-unit drawing at 760 px down to 320 px.
UNITS = (0.84, 1.0, 1.14, 1.33, 1.6, 2.0)
PLACE_VALUES_AT = 1.0  # first try to fit the values at full size (an explorer's diagram)
PLACE_NAMES_AT = 1.33  # else the names in a drawing shrunk to 480 px


def place_labels(nodes: list[dict], edges: list[dict], r: float) -> dict:
    """Write ``lx``/``ly`` (the label's centre) into each weight edge; say up to which unit
    the labels fit: ``{"values": 1.14, "names": 1.6}`` (0: never)."""
    at = {n["id"]: n for n in nodes}
    weights = [e for e in edges if e["kind"] == "weight"]
    best, best_key = None, None
    for chars, unit in ((_with_value, PLACE_VALUES_AT), (_name_only, PLACE_NAMES_AT)):
        spots = _place_all(weights, at, nodes, r, chars, unit)
        if spots is None:
            continue
        fits = {
            "values": _largest_unit(weights, at, nodes, r, _with_value, spots),
            "names": _largest_unit(weights, at, nodes, r, _name_only, spots),
        }
        # names readable in a 480 px drawing first, then values in as small a drawing as can be
        key = (min(fits["names"], PLACE_NAMES_AT), fits["values"], fits["names"])
        if best_key is None or key > best_key:
            best, best_key = (spots, fits), key
    if best is None:  # the middle of each line: only the selected weight is named
        best = [_point(at[e["s"]], at[e["d"]], 0.5) for e in weights], {"values": 0, "names": 0}
    for e, (x, y) in zip(weights, best[0], strict=True):
        e["lx"], e["ly"] = round(x, 1), round(y, 1)
    return best[1]


def _with_value(e: dict) -> int:
    return len(e["p"]) + 1 + VALUE_CHARS


def _name_only(e: dict) -> int:
    return len(e["p"])


def _point(a: dict, b: dict, t: float) -> tuple[float, float]:
    return a["x"] + (b["x"] - a["x"]) * t, a["y"] + (b["y"] - a["y"]) * t


def _box(e: dict, x: float, y: float, chars, unit: float) -> tuple:
    half_w = chars(e) * LABEL_PX * GLYPH * unit / 2
    half_h = LABEL_PX * 0.65 * unit  # a line of text with its halo
    return (x - half_w, y - half_h, x + half_w, y + half_h)


def _obstacles(nodes: list[dict], r: float, unit: float) -> list[tuple]:
    boxes = [_node_box(n, r) for n in nodes]
    return boxes + [_value_box(n, r, unit) for n in nodes if n["kind"] != "bias"]


def _free(box, e, taken, weights, at) -> bool:
    """Clear of every box taken, and no other weight's line runs through the label's middle
    (its halo hides a line under its ends; one through the middle makes it ambiguous)."""
    if any(_overlap(box, other) for other in taken):
        return False
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half_h = (box[3] - box[1]) / 2
    middle = (x - half_h, y - half_h, x + half_h, y + half_h)
    return not any(_crosses(middle, at[o["s"]], at[o["d"]]) for o in weights if o is not e)


def _place_all(weights, at, nodes, r, chars, unit: float) -> list | None:
    """A spot for every label, greedily in order, or None when one finds no free spot."""
    taken = _obstacles(nodes, r, unit)
    spots = []
    for e in weights:
        a, b = at[e["s"]], at[e["d"]]
        for t in SPOTS:
            x, y = _point(a, b, t)
            box = _box(e, x, y, chars, unit)
            if _free(box, e, taken, weights, at):
                taken.append(box)
                spots.append((x, y))
                break
        else:
            return None
    return spots


def _largest_unit(weights, at, nodes, r, chars, spots) -> float:
    """The largest of UNITS at which every label, at its spot, is free (0 for none)."""
    best = 0.0
    for unit in UNITS:
        taken = _obstacles(nodes, r, unit)
        for e, (x, y) in zip(weights, spots, strict=True):
            box = _box(e, x, y, chars, unit)
            if not _free(box, e, taken, weights, at):
                return best
            taken.append(box)
        best = unit
    return best


def node_radius(n: dict, r: float) -> float:
    """How large static/diagram.js draws a node of a non-dense diagram (kept in step)."""
    kind = n["kind"]
    return (
        max(8, r * 0.55)
        if kind == "bias"
        else max(7, r * 0.62)
        if kind == "net"
        else (r + 2 if kind == "loss" else r)
    )


def _node_box(n: dict, r: float) -> tuple:
    """The square around a node's circle (or bias square), with a small margin."""
    size = node_radius(n, r) + 2
    return (n["x"] - size, n["y"] - size, n["x"] + size, n["y"] + size)


def _value_box(n: dict, r: float, scale: float) -> tuple:
    """Where the node's value is printed: just under it, ``VALUE_CHARS`` wide."""
    below = n["y"] + node_radius(n, r) + VALUE_GAP
    half_w = VALUE_CHARS * VALUE_PX * GLYPH * scale / 2
    return (n["x"] - half_w, below, n["x"] + half_w, below + VALUE_PX * 1.2 * scale)


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box: tuple, a: dict, b: dict, steps: int = 24) -> bool:
    """Whether the segment a-b passes through the box (sampled: boxes are a few px big)."""
    x0, y0, x1, y1 = box
    for i in range(steps + 1):
        x, y = _point(a, b, i / steps)
        if x0 < x < x1 and y0 < y < y1:
            return True
    return False
