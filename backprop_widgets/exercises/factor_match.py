"""Which factor of a closed-form formula is which quantity of the graph.

A formula such as ``(o1 - t1) * o1*(1 - o1) * w5 * h1*(1 - h1) * i1 + ...`` is read as a
sum of products (brackets that hold sums of products are multiplied out; a bracket that is
one quantity, such as ``(1 - h1)`` or ``(o1 - t1)``, stays one factor). The factors of a
product, alone or two or three together, *anywhere in the product* (``h1 * i1 * (1 - h1)``
holds the slope h1(1 − h1) with its two halves apart), are recognised by their values at
every draw (the question's numbers and the random re-draws) as one of the graph's quantities
(a :class:`Catalogue`):

- a local derivative (an edge). In a network's pre-activation graph a weight is
  d net / d input, an input or an activation is d net / d weight, a unit's slope is
  ``h1(1 - h1)``, ``σ'(net_h1)``, ``dh1/dnet_h1``, tanh's ``1 - h1^2`` or
  ``(1 - h1)(1 + h1)``, relu's ``(net_h1 > 0)``, ... in any written form, since they are
  equal at every draw; the loss's derivative is dL/do1. In any other computation graph an
  edge is whatever the operation registry says d node / d input is (``z`` for q * z, the
  slope of a sigmoid or tanh node), up to a constant factor;
- a total d end / dX (``(o1 - t1)`` is dL/dnet_o1 for softmax with cross-entropy);
- a slip the operation registry lists for a unit (the sigmoid's slope ``h1(1 - h1)`` at a
  tanh unit).

Each product is then laid against the path (or the path up to a total) it matches best
(:func:`align`); :mod:`.structure` says what differs. Every identification holds at the
question's values and at every re-draw (the verified-hint rule), so nothing is claimed that
a coincidence of numbers made up.

The work is bounded: at most :data:`MAX_PRODUCTS` products of :data:`MAX_FACTORS` factors
are looked at, at most :data:`MAX_WEIGHED` groups of factors are compared with the graph
in one formula (past it, factors are read alone), and at most :data:`MAX_READINGS`
groupings of one product are weighed.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..core.chain_rule import LOSS_NODE, NET_PREFIX
from ..core.ops import ACTIVATIONS, LOSSES, Activation
from .parser import Call, Compare, Name, Neg, Num, Partial, Power, Product, Sum

MAX_PRODUCTS = 32
MAX_FACTORS = 24  # in one product
MAX_GROUP = 3  # factors that may make one quantity together: o1 * (1 - o1), apart or not
MAX_READINGS = 4_000  # groupings of one product weighed before the best found so far is taken
MAX_WEIGHED = 3_000  # groups of factors compared with the graph in one formula, all products
TOL = 1e-6  # a formula is exact: its factors agree with the graph's to this at every draw

L = LOSS_NODE


# ---------------------------------------------------------------- what a factor may be
@dataclass(frozen=True)
class Known:
    """One quantity of the graph a group of factors may be.

    ``what`` is ("edge", num, den), ("total", node) or ("slip", unit, code).
    """

    what: tuple
    text: str  # how it is written for a student: w5, h1, h1(1 − h1), o1 − t1, dL/dh1


@dataclass
class Slot:
    """A group of typed factors and the quantities it is (empty: none)."""

    written: str
    values: np.ndarray
    known: list[tuple[Known, float]] = field(default_factory=list)  # (quantity, scale)
    nodes: tuple = ()  # the typed factors

    def is_(self, what: tuple) -> float | None:
        for k, scale in self.known:
            if k.what == what:
                return scale
        return None


class Catalogue:
    """Every quantity a factor of a gradient formula may be, with its values at the draws.

    A network's draws give its pre-activation graph, its units' activations and its loss;
    any other computation graph's draws give its operation nodes, whose activations (a
    sigmoid or tanh node) are its units.
    """

    def __init__(self, draws):
        self.draws = draws
        pre = draws[0].pre
        self.pre = pre
        self.end = pre.end
        self.network = draws[0].net
        self.unit_word = "unit" if self.network is not None else "node"
        # a graph's edges are matched up to a constant factor: (y - t) is d(y - t)²/d(y - t)
        self.scaled = self.network is None
        self.activations, self.slope_input = self._units()
        self.loss = LOSSES[self.network.loss_name] if self.network is not None else None
        items = self._edges() + self._totals() + self._slips()
        if self.network is not None:
            items += self._loss_differences(items)
        self._seen: dict[bytes, list[tuple[Known, float]]] = {}
        self.weighed = MAX_WEIGHED  # what is left of the formula's budget of groups
        self.items = [k for k, _ in items]
        self.matrix = np.array([v for _, v in items]) if items else np.zeros((0, len(draws)))
        self._output = {
            unit: self._vector(lambda d, u=unit: d.pre.value(u)) for unit in self.activations
        }

    def _units(self) -> tuple[dict[str, Activation], dict[str, str]]:
        """Each unit's activation and the node its slope is taken at (net_h1, or z)."""
        if self.network is not None:
            net = self.network
            ops = {
                unit: ACTIVATIONS[act]
                for layer, act in zip(net.node_names[1:], net.activation, strict=True)
                for unit in layer
            }
            return ops, {unit: NET_PREFIX + unit for unit in ops}
        ops, inputs = {}, {}
        for node in self.pre.node_names:
            op = self.pre.operation(node)
            if isinstance(op, Activation) and op.elementwise:
                ops[node], inputs[node] = op, self.pre.parents(node)[0]
        return ops, inputs

    def _edges(self) -> list[tuple[Known, np.ndarray]]:
        out = []
        pre = self.pre
        for num in pre.node_names:
            for den in pre.parents(num):
                values = self._vector(lambda d, n=num, p=den: d.pre.local(n, p))
                if np.all(values == 1.0) or (self.scaled and _constant(values)):
                    continue  # a bias's dnet/db, linear's slope, a graph's 0.5: never written
                out.append((Known(("edge", num, den), self.edge_text(num, den)), values))
        return out

    def _totals(self) -> list[tuple[Known, np.ndarray]]:
        out = []
        for node in self.pre.node_names:
            if node != self.end and self.pre.kind(node) not in ("input", "constant"):
                values = self._vector(lambda d, n=node: d.pre.gradient(n))
                out.append((Known(("total", node), f"d{self.end}/d{node}"), values))
        return out

    def _slips(self) -> list[tuple[Known, np.ndarray]]:
        out = []
        for unit, op in self.activations.items():
            if not op.elementwise:
                continue
            z = self.slope_input[unit]
            for slip in op.slips:
                values = self._vector(
                    lambda d, u=unit, s=slip, z=z: s.at(d.pre.value(z), d.pre.value(u))
                )
                text = _with_output(slip.written, unit)
                out.append((Known(("slip", unit, slip.code), text), values))
        return out

    def _loss_differences(self, items) -> list[tuple[Known, np.ndarray]]:
        """o_k - t_k: the loss's derivative up to its constant (mse's 2/K), or dL/dnet_o_k."""
        out = []
        net = self.network
        for output, target in zip(net.output_names, net.target_names, strict=True):
            diff = self._vector(lambda d, o=output, t=target: d.pre.value(o) - d.targets[t])
            for known, values in items:
                if known.what in (("edge", L, output), ("total", NET_PREFIX + output)):
                    ratio = _constant_ratio(diff, values)
                    if ratio is not None and abs(ratio - 1.0) > TOL:
                        out.append((Known(known.what, f"{output} − {target}"), values * ratio))
        return out

    def _vector(self, at) -> np.ndarray:
        out = []
        for d in self.draws:
            try:
                out.append(float(at(d)))
            except (KeyError, ZeroDivisionError, ValueError):
                out.append(math.nan)
        return np.array(out)

    def match(self, values: np.ndarray) -> list[tuple[Known, float]]:
        """The quantities (and the scale they carry: the sign, or a graph's constant) equal
        to values at every draw."""
        return self.match_many(values[None, :])[0]

    def match_many(self, rows: np.ndarray) -> list[list[tuple[Known, float]]]:
        """:meth:`match` for every row of a (groups, draws) array, in one comparison; a row
        seen before (the same factor in another product) is not compared again."""
        keys = [row.tobytes() for row in rows]
        fresh = [k for k, key in enumerate(keys) if key not in self._seen]
        if fresh:
            for k, found in zip(fresh, self._compare(rows[fresh]), strict=True):
                self._seen[keys[k]] = found
        return [self._seen[key] for key in keys]

    def _compare(self, rows: np.ndarray) -> list[list[tuple[Known, float]]]:
        m = self.matrix[None, :, :]
        v = rows[:, None, :]
        usable = np.all(np.isfinite(rows), axis=1) & ~np.all(np.abs(rows) < 1e-12, axis=1)
        out: list[list[tuple[Known, float]]] = [[] for _ in range(len(rows))]
        if self.scaled:
            with np.errstate(all="ignore"):
                ratio = v / m
            first = ratio[:, :, :1]
            hits = np.all(np.abs(ratio - first) <= TOL * np.abs(first) + 1e-12, axis=2)
            hits &= np.all(np.abs(m) > 1e-12, axis=2) & (np.abs(first[:, :, 0]) > 1e-12)
            for g, i in zip(*np.nonzero(hits), strict=True):
                if usable[g]:
                    out[g].append((self.items[i], float(ratio[g, i, 0])))
            return out
        room = TOL * np.abs(m) + 1e-12
        for sign in (1.0, -1.0):
            hits = np.all(np.abs(m - sign * v) <= room, axis=2)
            for g, i in zip(*np.nonzero(hits), strict=True):
                if usable[g]:
                    out[g].append((self.items[i], sign))
        return out

    def part_of_slope(self, values: np.ndarray) -> tuple[str, str] | None:
        """(unit, the rest) when these values are one part of a unit's slope (h1 of
        h1(1 − h1): the rest is 1 − h1; 1 − h1 of tanh's (1 − h1)(1 + h1)), or None. Both
        parts are checked at every draw."""
        for unit, a in self._output.items():
            slope = self._slope_values(unit)
            if slope is None:
                continue
            parts = {unit: a, f"1 − {unit}": 1.0 - a, f"1 + {unit}": 1.0 + a}
            if not any(_same(values, p) for p in parts.values()):
                continue
            rest = next((t for t, p in parts.items() if _same(values * p, slope)), None)
            if rest is not None:
                return unit, rest
        return None

    def _slope_values(self, unit: str) -> np.ndarray | None:
        what = ("edge", unit, self.slope_input[unit])
        for k, row in zip(self.items, self.matrix, strict=True):
            if k.what == what:
                return row
        return None

    # ------------------------------------------------------------ words
    def edge_text(self, num: str, den: str) -> str:
        pre = self.pre
        if self.network is None:
            return pre.local_text(num, den)
        if num == L:
            return _loss_text(self.loss, den, self.network, len(self.network.output_names))
        if pre.kind(num) == "net":
            if den in pre.parameter_names:
                source = self.network.parameter_info(den).source
                return source or "1"
            return pre.weight_between(den, num) or f"d{num}/d{den}"
        unit = num
        op = self.activations.get(unit)
        if op is None:
            return f"d{num}/d{den}"
        if not op.elementwise:
            other = den.removeprefix(NET_PREFIX)
            return f"{unit}(1 − {unit})" if other == unit else f"−{unit}·{other}"
        return slope_words(op, unit)

    def unit_of(self, what: tuple) -> str | None:
        """The unit whose slope a quantity is, or None."""
        if what[0] == "slip":
            return what[1]
        if what[0] == "edge" and self.slope_input.get(what[1]) == what[2]:
            return what[1]
        return None

    def is_weight(self, what: tuple) -> bool:
        return (
            self.network is not None
            and what[0] == "edge"
            and self.pre.kind(what[1]) == "net"
            and what[2] not in self.pre.parameter_names
        )

    def is_source(self, what: tuple) -> bool:
        return (
            self.network is not None and what[0] == "edge" and what[2] in self.pre.parameter_names
        )

    def is_loss_edge(self, what: tuple) -> bool:
        return self.network is not None and what[0] == "edge" and what[1] == L

    def shown(self, path) -> tuple[str, ...]:
        """A path as a student draws it: a network's net inputs left out."""
        if self.network is None:
            return tuple(path)
        return tuple(n for n in path if not n.startswith(NET_PREFIX))

    def slope_at(self, unit: str) -> str:
        """σ′(net_h1), tanh′(z): the slope's symbol at the node it is taken at."""
        return f"{self.activations[unit].slope_symbol}({self.slope_input[unit]})"

    def known(self, what: tuple) -> Known | None:
        return next((k for k in self.items if k.what == what), None)


def slope_words(op, unit: str) -> str:
    """A unit's slope as written with its output where the registry can (h1(1 − h1), 1)."""
    if op.slope_of_output:
        return op.slope_of_output.format(a=unit)
    return f"{op.slope_symbol}(net_{unit})"


def _with_output(written: str, unit: str) -> str:
    return re.sub(r"(?<![A-Za-z0-9_])a(?![A-Za-z0-9_])", unit, written)


def _loss_text(loss, output: str, net, n_outputs: int) -> str:
    """dL/do_k as the registry writes it, in this output's names: o1 − t1, 2 (o1 − t1) / 2."""
    target = net.target_names[net.output_names.index(output)]
    rhs = loss.derivative_plain.partition("=")[2].strip() or f"dL/d{output}"
    rhs = re.sub(r"\by_k\b", output, rhs)
    rhs = re.sub(r"\bt_k\b", target, rhs)
    return re.sub(r"\bK\b", str(n_outputs), rhs)


def _constant_ratio(a: np.ndarray, b: np.ndarray) -> float | None:
    with np.errstate(all="ignore"):
        r = a / b
    r = r[np.isfinite(r)]
    if r.size < 2 or not np.all(np.abs(r - r[0]) <= 1e-9 * abs(r[0]) + 1e-12):
        return None
    return float(r[0])


def _constant(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - values[0]) <= TOL * abs(values[0]) + 1e-12))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.abs(a - b) <= TOL * np.abs(b) + 1e-12))


# ---------------------------------------------------------------- reading a formula
class _TooBig(Exception):
    pass


def products(node, value_of, matches) -> list[tuple[float, list]] | None:
    """The formula as (coefficient, factor nodes) products, brackets that hold products
    multiplied out; None when it is too big or holds what a product cannot (a division by
    a quantity is kept as one factor 1/x)."""
    try:
        return _products(node, value_of, matches)
    except _TooBig:
        return None


def _products(node, value_of, matches):
    if isinstance(node, Num):
        return [(node.value, [])]
    if isinstance(node, Neg):
        return [(-c, f) for c, f in _products(node.operand, value_of, matches)]
    if isinstance(node, Sum):
        if _holds_products(node) and not matches(value_of(node)):
            out = []
            for sign, term in node.terms:
                part = _products(term, value_of, matches)
                out += part if sign == "+" else [(-c, f) for c, f in part]
                if len(out) > MAX_PRODUCTS:
                    raise _TooBig
            return out
        return [(1.0, [node])]
    if isinstance(node, Product):
        out = [(1.0, [])]
        for op, factor in node.factors:
            if op == "/":
                if isinstance(factor, Num) and factor.value != 0:
                    out = [(c / factor.value, f) for c, f in out]
                else:
                    out = [(c, [*f, ("/", factor)]) for c, f in out]
                continue
            part = _products(factor, value_of, matches)
            out = [(c1 * c2, f1 + f2) for c1, f1 in out for c2, f2 in part]
            if len(out) > MAX_PRODUCTS or any(len(f) > MAX_FACTORS for _, f in out):
                raise _TooBig
        return out
    return [(1.0, [node])]


def plainly_too_big(node) -> bool:
    """A top-level sum or product already past the limits: refused in O(1)."""
    if isinstance(node, Product):
        return len(node.factors) > MAX_FACTORS
    return isinstance(node, Sum) and len(node.terms) > MAX_PRODUCTS


def _holds_products(node: Sum) -> bool:
    """A bracket of path terms ((o1-t1) w5 + (o2-t2) w7) rather than one quantity (1 - h1)."""
    for _, term in node.terms:
        while isinstance(term, Neg):
            term = term.operand
        if isinstance(term, (Partial, Sum)):
            return True
        if isinstance(term, Product) and sum(not isinstance(f, Num) for _, f in term.factors) > 1:
            return True
    return False


def plain(node, show) -> str:
    """A factor as a student would write it, short: h1(1 − h1), w5, σ′(net_o1)."""
    text = _plain(node, show)
    return text if len(text) <= 40 else text[:39] + "…"


def _plain(node, show, inside: bool = False) -> str:
    if isinstance(node, tuple):  # ("/", factor)
        return "1/" + _plain(node[1], show, True)
    if isinstance(node, Num):
        return f"{node.value:g}"
    if isinstance(node, Name):
        return show(node.text)
    if isinstance(node, Partial):
        return f"d{show(node.num.text)}/d{show(node.den.text)}"
    if isinstance(node, Neg):
        return "−" + _plain(node.operand, show, True)
    if isinstance(node, Call):
        typed = {"sigma": "σ"}.get(node.typed, node.typed or node.func)
        return f"{typed}{'′' * node.order}({_plain(node.arg, show)})"
    if isinstance(node, Power):
        exponent = _plain(node.exponent, show, True)
        return _plain(node.base, show, True) + ("²" if exponent == "2" else f"^{exponent}")
    if isinstance(node, Compare):
        return f"({_plain(node.left, show)} {node.op} {_plain(node.right, show)})"
    if isinstance(node, Sum):
        text = _plain(node.terms[0][1], show)
        for sign, term in node.terms[1:]:
            text += f" {'−' if sign == '-' else '+'} {_plain(term, show, True)}"
        return f"({text})" if inside else text
    if isinstance(node, Product):
        parts = [("/" if op == "/" else "") + _plain(f, show, True) for op, f in node.factors]
        return "·".join(parts)
    return "…"


def _group_text(factors, show) -> str:
    """A group as one quantity: a name before a bracket (h1(1 − h1)), whatever the order."""
    if len(factors) == 1:
        f = factors[0]
        return "1/" + plain(f[1], show) if isinstance(f, tuple) else plain(f, show)
    ordered = sorted(factors, key=lambda f: isinstance(f, (Sum, tuple)))
    if len(ordered) == 2 and isinstance(ordered[1], Sum) and not isinstance(ordered[0], Sum):
        return plain(ordered[0], show) + _plain(ordered[1], show, True)  # h1(1 − h1)
    return "·".join(_plain(n, show, True) for n in ordered)


# ---------------------------------------------------------------- grouping a product
def slots(factors, values, catalogue: Catalogue, show) -> list[Slot]:
    """A product's factors grouped into quantities: fewest factors left unrecognised, then
    the finest reading ((o1 - t1) and o1(1 - o1) are dL/do1 and a slope, not one total
    dL/dnet_o1), then groups whose factors sit closest together. A group's factors may be
    anywhere in the product: ``h1 * i1 * (1 - h1)`` is i1 and the slope h1(1 − h1)."""
    n = len(factors)
    vectors = np.array([values(f) for f in factors], dtype=float).reshape(n, -1)
    alone = catalogue.match_many(vectors)
    unknown = [i for i in range(n) if not alone[i]]
    groups = _candidate_groups(n, unknown, vectors, catalogue) if catalogue.weighed >= 0 else []
    chosen = _best_reading(unknown, groups)
    used = {i for members, _ in chosen for i in members}
    out = []
    for members, known in sorted(chosen + [((i,), alone[i]) for i in range(n) if i not in used]):
        picked = [factors[i] for i in members]
        nodes = tuple(f[1] if isinstance(f, tuple) else f for f in picked)
        product = np.prod(vectors[list(members)], axis=0)
        out.append(Slot(_group_text(picked, show), product, known, nodes))
    return out


def _candidate_groups(n, unknown, vectors, catalogue: Catalogue):
    """Every group of 2..MAX_GROUP factors holding a factor unknown alone whose product is a
    quantity: (members, matches). Merging factors that are each known never reads more.

    Factors with the same values are interchangeable: each combination of values is weighed
    once, and its groups take those factors in order (17 copies of (1 - o2) cost one)."""
    if not unknown:
        return []
    classes: dict[bytes, list[int]] = {}
    for i in range(n):
        classes.setdefault(np.round(vectors[i], 12).tobytes(), []).append(i)
    members_of = list(classes.values())
    class_of = {i: c for c, members in enumerate(members_of) for i in members}
    combos = sorted(
        {
            combo
            for size in range(2, MAX_GROUP + 1)
            for first in {class_of[i] for i in unknown}
            for rest in itertools.combinations_with_replacement(range(len(members_of)), size - 1)
            for combo in [tuple(sorted((first, *rest)))]
            if all(combo.count(c) <= len(members_of[c]) for c in combo)
        }
    )
    catalogue.weighed -= len(combos)
    if not combos or catalogue.weighed < 0:
        return []  # past the budget: this product's factors are read alone
    first = [[members_of[c][0] for c in k] for k in combos]
    rows = np.ones((len(combos), vectors.shape[1]))
    with np.errstate(all="ignore"):
        for j in range(MAX_GROUP):
            at = [k for k, m in enumerate(first) if len(m) > j]
            rows[at] *= vectors[[first[k][j] for k in at]]
    out = []
    for combo, known in zip(combos, catalogue.match_many(rows), strict=True):
        if not known:
            continue
        need = {c: combo.count(c) for c in combo}
        for k in range(min(len(members_of[c]) // m for c, m in need.items())):
            group = [members_of[c][k * m + j] for c, m in need.items() for j in range(m)]
            out.append((tuple(sorted(group)), known))
    return out


def _best_reading(unknown, groups):
    """The disjoint groups that leave fewest factors unknown, then merge fewest factors,
    then sit closest together. A search over the unknown factors, cut at MAX_READINGS."""
    if not groups:
        return []
    by_factor = {i: [g for g in groups if i in g[0]] for i in unknown}
    best: list = [None, []]  # cost, groups
    budget = [MAX_READINGS]

    def cost(chosen, left):
        merged = sum(len(m) - 1 for m, _ in chosen)
        spread = sum(m[-1] - m[0] for m, _ in chosen)
        return (left, merged, spread)

    def search(k, taken, chosen, left):
        budget[0] -= 1
        if k == len(unknown) or budget[0] <= 0:
            c = cost(chosen, left + len(unknown) - k)
            if best[0] is None or c < best[0]:
                best[0], best[1] = c, list(chosen)
            return
        i = unknown[k]
        if i not in taken:
            for group in by_factor[i]:
                if taken.isdisjoint(group[0]):
                    search(k + 1, taken | set(group[0]), [*chosen, group], left)
        search(k + 1, taken, chosen, left + (i not in taken))

    search(0, frozenset(), [], 0)
    return best[1]


# ---------------------------------------------------------------- laying products on paths
def targets(paths, catalogue: Catalogue):
    """(target, required quantities): every path, and every path up to a total d end/dX."""
    out = []
    seen = set()
    present = {k.what for k in catalogue.items}
    for path in paths:
        edges = [("edge", path[k + 1], path[k]) for k in range(len(path) - 1)]
        required = [e for e in edges if e in present]
        out.append(((path, None), required))
        for k in range(1, len(path) - 1):
            prefix = path[: k + 1]
            if prefix in seen:
                continue
            seen.add(prefix)
            head = [e for e in edges[:k] if e in present] + [("total", path[k])]
            out.append(((prefix, path[k]), head))
    return out


def align(slots_: list[Slot], required: list[tuple]):
    """(score, required quantities no slot is, slots that are none of them)."""
    owner: dict[int, int] = {}  # slot -> required index

    def place(r: int, seen: set[int]) -> bool:
        for s, slot in enumerate(slots_):
            if s in seen or slot.is_(required[r]) is None:
                continue
            seen.add(s)
            if s not in owner or place(owner[s], seen):
                owner[s] = r
                return True
        return False

    for r in range(len(required)):
        place(r, set())
    placed = set(owner.values())
    missing = [required[r] for r in range(len(required)) if r not in placed]
    extra = [s for s in range(len(slots_)) if s not in owner]
    return len(missing) + len(extra), missing, extra


def covers(target, paths) -> list[tuple]:
    path, total = target
    if total is None:
        return [path]
    return [p for p in paths if p[: len(path)] == path]
