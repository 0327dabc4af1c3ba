"""Which factor of a closed-form formula is which quantity of the graph.

A formula such as ``(o1 - t1) * o1*(1 - o1) * w5 * h1*(1 - h1) * i1 + ...`` is read as a
sum of products (brackets that hold sums of products are multiplied out; a bracket that is
one quantity, such as ``(1 - h1)`` or ``(o1 - t1)``, stays one factor). The factors of a
product, alone or two or three together, *anywhere in the product* (``h1 * i1 * (1 - h1)``
holds the slope h1(1 − h1) with its two halves apart), are recognised by their values at
every draw (the question's numbers and the random re-draws) as one of the graph's quantities
(a :class:`~.factor_catalogue.Catalogue`):

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
are looked at, at most :data:`~.factor_catalogue.MAX_WEIGHED` groups of factors are
compared with the graph in one formula (past it, factors are read alone), and at most
:data:`MAX_READINGS` groupings of one product are weighed.
"""

from __future__ import annotations

import itertools

import numpy as np

from .factor_catalogue import Catalogue, Slot
from .parser import Call, Compare, Name, Neg, Num, Partial, Power, Product, Sum

MAX_PRODUCTS = 32
MAX_FACTORS = 24  # in one product
MAX_GROUP = 3  # factors that may make one quantity together: o1 * (1 - o1), apart or not
MAX_READINGS = 4_000  # groupings of one product weighed before the best found so far is taken


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
