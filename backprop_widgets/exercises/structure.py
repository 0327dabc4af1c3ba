"""Closed-form formulas judged by structure: what a marker would circle in a wrong formula.

A formula such as ``(o1 - t1) * o1*(1 - o1) * w5 * h1*(1 - h1) * i1 + ...`` is read as a
sum of products (brackets that hold sums of products are multiplied out; a bracket that is
one quantity, such as ``(1 - h1)`` or ``(o1 - t1)``, stays one factor). Each product's
factors, alone or two or three side by side, are recognised *by their values at every
draw* (the question's numbers and the random re-draws) as one of the graph's quantities:

- a local derivative of the pre-activation graph (an edge): a weight is d net / d input,
  an input or an activation is d net / d weight, a unit's slope (sigmoid's ``h1(1 - h1)``,
  ``σ'(net_h1)``, ``dh1/dnet_h1``, tanh's ``1 - h1^2``, ``sech(net_h1)^2``, relu's
  ``(net_h1 > 0)``, ... in any written form, since they are equal at every draw), the
  loss's derivative dL/do1;
- a total dL/dX (``(o1 - t1)`` is dL/dnet_o1 for softmax with cross-entropy);
- a slip the operation registry lists for a unit (the sigmoid's slope ``h1(1 - h1)`` at a
  tanh unit).

Each product is then laid against the path (or the path up to a total) it matches best,
and what differs is said as a marker would: the wrong weight and the one that belongs, the
slope of the wrong activation, a missing slope, a missing loss derivative, an extra factor;
then a path no product covers (a missing term) or one covered twice. Every identification
holds at the question's values and at every re-draw (the verified-hint rule), so nothing is
claimed that a coincidence of numbers made up. Where the formula's structure cannot be
recognised (most factors match nothing), :func:`diagnose_gradient` returns None and the
value-based diagnosis of :mod:`.hints` speaks instead.

The work is bounded: at most :data:`MAX_PRODUCTS` products of :data:`MAX_FACTORS` factors
are looked at; anything larger is left to the value-based diagnosis.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..core.chain_rule import LOSS_NODE, NET_PREFIX
from ..core.ops import ACTIVATIONS, LOSSES
from .chain_graph import Problem, path_text
from .formula import FormulaError
from .parser import Call, Compare, Name, Neg, Num, Partial, Power, Product, Sum

MAX_PRODUCTS = 32
MAX_FACTORS = 24  # in one product
MAX_GROUP = 3  # factors side by side that may make one quantity: o1 * (1 - o1)
TOL = 1e-6  # a formula is exact: its factors agree with the graph's to this at every draw
MAX_REPORTED = 3

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


class _Catalogue:
    """Every quantity a factor of a gradient formula may be, with its values at the draws."""

    def __init__(self, draws):
        self.draws = draws
        pre = draws[0].pre
        self.pre = pre
        net = draws[0].net
        self.activations = {
            unit: ACTIVATIONS[act]
            for layer, act in zip(net.node_names[1:], net.activation, strict=True)
            for unit in layer
        }
        self.loss = LOSSES[net.loss_name]
        self.n_outputs = len(net.output_names)
        items: list[tuple[Known, np.ndarray]] = []
        for num in pre.node_names:
            for den in pre.parents(num):
                values = self._vector(lambda d, n=num, p=den: d.pre.local(n, p))
                if np.all(values == 1.0):
                    continue  # a bias's dnet/db, linear's slope: 1, never written
                items.append((Known(("edge", num, den), self.edge_text(num, den)), values))
        for node in pre.node_names:
            if node != L and pre.kind(node) != "input":
                values = self._vector(lambda d, n=node: d.pre.gradient(n))
                items.append((Known(("total", node), f"dL/d{node}"), values))
        for unit, op in self.activations.items():
            if not op.elementwise:
                continue
            for slip in op.slips:
                values = self._vector(
                    lambda d, u=unit, s=slip: s.at(d.pre.value(NET_PREFIX + u), d.pre.value(u))
                )
                text = _with_output(slip.written, unit)
                items.append((Known(("slip", unit, slip.code), text), values))
        # o_k - t_k: the loss's derivative up to its constant (mse's 2/K), or dL/dnet_o_k
        for output, target in zip(net.output_names, net.target_names, strict=True):
            diff = self._vector(lambda d, o=output, t=target: d.pre.value(o) - d.targets[t])
            for known, values in list(items):
                if known.what in (("edge", L, output), ("total", NET_PREFIX + output)):
                    ratio = _constant_ratio(diff, values)
                    if ratio is not None and abs(ratio - 1.0) > TOL:
                        items.append((Known(known.what, f"{output} − {target}"), values * ratio))
        self.items = [k for k, _ in items]
        self.matrix = np.array([v for _, v in items]) if items else np.zeros((0, len(draws)))

    def _vector(self, at) -> np.ndarray:
        out = []
        for d in self.draws:
            try:
                out.append(float(at(d)))
            except (KeyError, ZeroDivisionError, ValueError):
                out.append(math.nan)
        return np.array(out)

    def match(self, values: np.ndarray) -> list[tuple[Known, float]]:
        """The quantities (and the sign they carry) equal to values at every draw."""
        if not np.all(np.isfinite(values)) or np.all(np.abs(values) < 1e-12):
            return []
        m = self.matrix
        room = TOL * np.abs(m) + 1e-12
        out = []
        for sign in (1.0, -1.0):
            hits = np.all(np.abs(m - sign * values) <= room, axis=1)
            out += [(self.items[i], sign) for i in np.flatnonzero(hits)]
        return out

    # ------------------------------------------------------------ words
    def edge_text(self, num: str, den: str) -> str:
        pre = self.pre
        if num == L:
            return _loss_text(self.loss, den, self.draws[0], self.n_outputs)
        if pre.kind(num) == "net":
            if den in pre.parameter_names:
                source = self.draws[0].net.parameter_info(den).source
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
        if (
            what[0] == "edge"
            and self.pre.kind(what[1]) == "neuron"
            and what[2].startswith(NET_PREFIX)
        ):
            return what[1]
        return None

    def is_weight(self, what: tuple) -> bool:
        return (
            what[0] == "edge"
            and self.pre.kind(what[1]) == "net"
            and what[2] not in self.pre.parameter_names
        )

    def is_source(self, what: tuple) -> bool:
        return what[0] == "edge" and what[2] in self.pre.parameter_names


def slope_words(op, unit: str) -> str:
    """A unit's slope as written with its output where the registry can (h1(1 − h1), 1)."""
    if op.slope_of_output:
        return op.slope_of_output.format(a=unit)
    return f"{op.slope_symbol}(net_{unit})"


def _with_output(written: str, unit: str) -> str:
    return re.sub(r"(?<![A-Za-z0-9_])a(?![A-Za-z0-9_])", unit, written)


def _loss_text(loss, output: str, draw, n_outputs: int) -> str:
    """dL/do_k as the registry writes it, in this output's names: o1 − t1, 2 (o1 − t1) / 2."""
    net = draw.net
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


def _plainly_too_big(node) -> bool:
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


def _group_text(nodes, show) -> str:
    if len(nodes) == 1:
        return plain(nodes[0], show)
    if len(nodes) == 2 and isinstance(nodes[1], Sum) and not isinstance(nodes[0], Sum):
        return plain(nodes[0], show) + _plain(nodes[1], show, True)  # h1(1 − h1)
    return "·".join(_plain(n, show, True) for n in nodes)


# ---------------------------------------------------------------- the diagnosis
def diagnose_gradient(node, param: str, draws, value_of, show, paths) -> list[Problem] | None:
    """What a marker would circle in a wrong formula for dL/d param, or None when its
    structure is not recognised.

    ``value_of(node)`` is a node's value at every draw (an array; FormulaError when it has
    none); ``show(text)`` the network's name for a typed name; ``paths`` the
    pre-activation paths from param to L (None when too many to list).
    """
    if not paths or len(paths) > MAX_PRODUCTS or _plainly_too_big(node):
        return None
    built: list[_Catalogue] = []  # made on first use: a product too long is refused first

    def catalogue_match(v):
        if not built:
            built.append(_Catalogue(draws))
        return built[0].match(v)

    cache: dict[int, np.ndarray] = {}

    def values(n) -> np.ndarray:
        key = id(n)
        if key not in cache:
            if isinstance(n, tuple):
                with np.errstate(all="ignore"):
                    cache[key] = 1.0 / value_of(n[1])
            else:
                cache[key] = value_of(n)
        return cache[key]

    try:
        found = products(node, values, catalogue_match)
        if not found:
            return None
        catalogue_match(np.zeros(len(draws)))
        catalogue = built[0]
        terms = [(c, _slots(factors, values, catalogue, show)) for c, factors in found]
    except FormulaError:
        return None
    targets = _targets(paths, catalogue)
    judged = []
    for coefficient, slots in terms:
        best = min(
            ((_align(slots, required), target) for target, required in targets),
            key=lambda pair: (pair[0][0], pair[1][0][1] is not None),
        )
        (_, missing, extra), target = best
        matched = len(slots) - len(extra)
        unknown = sum(1 for slot in slots if not slot.known)
        if matched == 0 or unknown > matched:
            return None  # most of this product is nothing of the graph: no structure
        judged.append((coefficient, slots, target, missing, extra))
    return _problems(judged, paths, catalogue, param) or None


def _slots(factors, values, catalogue: _Catalogue, show) -> list[Slot]:
    """The factors grouped into quantities: fewest factors left unrecognised, then fewest
    groups (o1 * (1 - o1) is one slope, not o1 and a stray (1 - o1))."""
    n = len(factors)
    vectors = [values(f) for f in factors]
    best: list[tuple[int, int, list] | None] = [None] * (n + 1)
    best[0] = (0, 0, [])
    for i in range(n):
        if best[i] is None:
            continue
        unknown, groups, slots = best[i]
        product = np.ones_like(vectors[i])
        for j in range(i, min(n, i + MAX_GROUP)):
            with np.errstate(all="ignore"):
                product = product * vectors[j]
            known = catalogue.match(product)
            if not known and j > i:
                continue
            # fewest unknown factors, then the finest reading: (o1 - t1) and o1(1 - o1) are
            # dL/do1 and a slope, not one total dL/dnet_o1
            cost = (unknown + (0 if known else 1), groups - 1)
            if best[j + 1] is None or cost < best[j + 1][:2]:
                nodes = [f[1] if isinstance(f, tuple) else f for f in factors[i : j + 1]]
                written = (
                    "1/" + plain(factors[i][1], show)
                    if isinstance(factors[i], tuple) and i == j
                    else _group_text(nodes, show)
                )
                best[j + 1] = (*cost, [*slots, Slot(written, product, known, tuple(nodes))])
    return best[n][2]


def _targets(paths, catalogue: _Catalogue):
    """(target, required quantities): every path, and every path up to a total dL/dX."""
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


def _align(slots: list[Slot], required: list[tuple]):
    """(score, required quantities no slot is, slots that are none of them)."""
    owner: dict[int, int] = {}  # slot -> required index

    def place(r: int, seen: set[int]) -> bool:
        for s, slot in enumerate(slots):
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
    extra = [s for s in range(len(slots)) if s not in owner]
    return len(missing) + len(extra), missing, extra


def _covers(target, paths) -> list[tuple]:
    path, total = target
    if total is None:
        return [path]
    return [p for p in paths if p[: len(path)] == path]


def _problems(judged, paths, catalogue: _Catalogue, param: str) -> list[Problem]:
    found: list[tuple[str, str, str]] = []  # (code, what is wrong, in which term)
    owner: dict[tuple, int] = {}
    for k, (_, slots, target, missing, extra) in enumerate(judged):
        where = _where(target)
        found += [
            (code, text, where)
            for code, text in _term_problems(slots, target, missing, extra, catalogue)
        ]
        for p in _covers(target, paths):
            if p in owner:
                found.append(
                    (
                        "duplicate_path",
                        f"Two terms are for the path {path_text(_shown(p))}; the chain rule "
                        "adds each path once",
                        "",
                    )
                )
            owner.setdefault(p, k)
    problems = _merged(found, len(judged))
    for p in paths:
        if p not in owner:
            factors = "·".join(
                k.text
                for k in (_known(("edge", p[i + 1], p[i]), catalogue) for i in range(len(p) - 1))
                if k is not None
            )
            problems.append(
                Problem(
                    "missing_path",
                    f"The term for the path {path_text(_shown(p))} is missing: add {factors}. "
                    f"dL/d{param} adds one term for each of the {len(paths)} paths from "
                    f"{param} to L.",
                )
            )
    return problems[:MAX_REPORTED]


def _merged(found, n_terms: int) -> list[Problem]:
    """One line per mistake, naming the terms it is in ("in both terms")."""
    wheres: dict[tuple[str, str], list[str]] = {}
    for code, text, where in found:
        wheres.setdefault((code, text), [])
        if where and where not in wheres[code, text]:
            wheres[code, text].append(where)
    out = []
    for (code, text), places in wheres.items():
        if not places:
            out.append(Problem(code, text + "."))
        elif len(places) == 1:
            out.append(Problem(code, f"{text} (in the term for {places[0]})."))
        else:
            every = "both terms" if n_terms == 2 else f"{len(places)} terms"
            out.append(Problem(code, f"{text} (in {every}: {'; '.join(places)})."))
    return out


def _term_problems(slots, target, missing, extra, catalogue: _Catalogue) -> list[tuple[str, str]]:
    out = []
    missing = list(missing)
    extra = [slots[s] for s in extra]
    for slot in list(extra):
        pair = _pair(slot, missing, catalogue)
        if pair is None:
            continue
        wanted, problem = pair
        missing.remove(wanted)
        extra.remove(slot)
        out.append(problem)
    out += [_missing(wanted, catalogue) for wanted in missing]
    out += [_extra(slot, target, slots, catalogue) for slot in extra]
    return out


def _pair(slot: Slot, missing: list[tuple], catalogue: _Catalogue):
    """(the missing quantity the slot stands in for, (code, message)), or None."""
    for wanted in missing:
        right = _known(wanted, catalogue)
        unit = catalogue.unit_of(wanted)
        for known, _ in slot.known:
            what = known.what
            if unit is not None and catalogue.unit_of(what) == unit and what[0] == "slip":
                op = catalogue.activations[unit]
                return wanted, (
                    "wrong_slope",
                    f"{unit} is a {op.name} unit: its slope is {right.text}, not {slot.written}",
                )
            if unit is not None and catalogue.unit_of(what) not in (None, unit):
                other = catalogue.unit_of(what)
                return wanted, (
                    "wrong_slope",
                    f"{slot.written} is the slope of {other}, but the path goes through {unit}: "
                    f"its slope {right.text} belongs there",
                )
            if catalogue.is_weight(wanted) and catalogue.is_weight(what):
                src, dst = what[2], what[1].removeprefix(NET_PREFIX)
                w_src, w_dst = wanted[2], wanted[1].removeprefix(NET_PREFIX)
                return wanted, (
                    "wrong_weight",
                    f"{known.text} joins {src} to {dst}; the path from {w_src} to {w_dst} "
                    f"multiplies by {right.text}",
                )
            if catalogue.is_source(wanted) and catalogue.is_source(what):
                return wanted, (
                    "wrong_factor",
                    f"{slot.written} is not what {wanted[2]} multiplies: "
                    f"d{wanted[1]}/d{wanted[2]} = {right.text}",
                )
            if wanted[0] == "edge" and wanted[1] == L and what[1:2] == (L,):
                return wanted, (
                    "wrong_factor",
                    f"{slot.written} is the loss's derivative at {what[2]}; the path ends at "
                    f"{wanted[2]}, whose derivative is {right.text}",
                )
    slope_call = [n for n in slot.nodes if isinstance(n, Call) and n.order == 1]
    if not slot.known and len(slot.nodes) == 1 and slope_call:
        for wanted in missing:
            unit = catalogue.unit_of(wanted)
            if unit is not None:  # sigmoid'(net_h1) at a tanh unit: the slope of another function
                op = catalogue.activations[unit]
                return wanted, (
                    "wrong_slope",
                    f"{unit} is a {op.name} unit: its slope is {_known(wanted, catalogue).text}, "
                    f"not {slot.written}",
                )
    if not slot.known and len(missing) == 1:
        wanted = missing[0]
        right = _known(wanted, catalogue)
        if right is not None:
            return wanted, (
                "wrong_factor",
                f"{slot.written} is not a step of this path; {right.text} belongs there",
            )
    return None


def _missing(wanted: tuple, catalogue: _Catalogue) -> tuple[str, str]:
    right = _known(wanted, catalogue)
    text = right.text if right is not None else "a factor"
    unit = catalogue.unit_of(wanted)
    if unit is not None:
        op = catalogue.activations[unit]
        pre = catalogue.pre
        shown = f"{op.slope_symbol}(net_{unit})" + (f" = {text}" if op.slope_of_output else "")
        message = f"The slope of {unit}, {shown}, is missing"
        why = op.saturation(pre.value(NET_PREFIX + unit), pre.value(unit))
        if why and op.name == "relu":
            message += f"; here {unit} is {why}"
        return "missing_slope", message
    if wanted[0] == "edge" and wanted[1] == L:
        return "missing_factor", f"The loss's derivative dL/d{wanted[2]} = {text} is missing"
    if wanted[0] == "total":
        return "missing_factor", f"{text} is missing"
    return "missing_factor", f"{text} (d{wanted[1]}/d{wanted[2]}) is missing"


def _extra(slot: Slot, target, slots, catalogue: _Catalogue) -> tuple[str, str]:
    _, total = target
    for known, _ in slot.known:
        unit = catalogue.unit_of(known.what)
        if known.what[0] == "slip" and unit is not None:
            op = catalogue.activations[unit]
            return "wrong_slope", (
                f"{unit} is a {op.name} unit: its slope is {slope_words(op, unit)}, "
                f"not {slot.written}"
            )
    if total is not None:
        holder = next((s.written for s in slots if s.is_(("total", total)) is not None), None)
        said = f"{holder} is dL/d{total}, which" if holder else f"dL/d{total}"
        return "extra_factor", (
            f"{slot.written} is extra: {said} already holds every step after {total}"
        )
    return "extra_factor", f"{slot.written} is extra: no step of this path multiplies by it"


def _known(what: tuple, catalogue: _Catalogue) -> Known | None:
    return next((k for k in catalogue.items if k.what == what), None)


def _shown(path) -> tuple[str, ...]:
    return tuple(n for n in path if not n.startswith(NET_PREFIX))


def _where(target) -> str:
    path, total = target
    if total is None:
        return f"the path {path_text(_shown(path))}"
    return f"{path_text((*_shown(path[:-1]), total))}, then dL/d{total}"


# ---------------------------------------------------------------- forward formulas
def diagnose_forward(node, asked: str, draws, value_of, show) -> list[Problem] | None:
    """The wrong function, weight or layer in a formula for a net input or an activation,
    or None when its structure is not recognised.

    ``h1 = tanh(net_h1)`` written ``σ(net_h1)`` at a tanh unit; ``net_o1 = w5 h1 + w6 h2 + b3``
    written with w7 (a weight into another unit) or with i1 (a node of another layer).
    """
    pre = draws[0].pre
    try:
        if pre.kind(asked) == "neuron":
            return _forward_neuron(node, asked, draws, value_of, show)
        if pre.kind(asked) == "net":
            return _forward_net(node, asked, draws, value_of, show)
    except FormulaError:
        return None
    return None


def _forward_neuron(node, unit, draws, value_of, show):
    net = draws[0].net
    pre = draws[0].pre
    own = ACTIVATIONS[net.activation[pre.layer_of(unit) - 1]]
    net_input = NET_PREFIX + unit
    if not (isinstance(node, Call) and node.order == 0 and node.func in ACTIVATIONS):
        return None
    used = ACTIVATIONS[node.func]
    problems = []
    if used is not own and used.symbol != own.symbol:
        problems.append(
            Problem(
                "wrong_activation",
                f"{unit} is a {own.name} unit: {unit} = {own.write([net_input])}, not "
                f"{plain(node, show)}.",
            )
        )
    inner = _forward_net(node.arg, net_input, draws, value_of, show)
    return problems + (inner or []) or None


def _forward_net(node, asked, draws, value_of, show):
    pre = draws[0].pre
    unit = asked.removeprefix(NET_PREFIX)
    net = draws[0].net
    if np.all(
        np.abs(value_of(node) - np.array([d.pre.value(asked) for d in draws]))
        <= TOL * np.abs(value_of(node)) + 1e-12
    ):
        return None  # this part is right
    names = {p: np.array([d.parameters[p] for d in draws]) for p in net.parameter_names} | {
        n: np.array([d.pre.value(n) for d in draws])
        for n in pre.node_names
        if pre.kind(n) in ("input", "neuron")
    }

    def which(n) -> str | None:
        v = value_of(n)
        return next(
            (k for k, w in names.items() if np.all(np.abs(w - v) <= TOL * np.abs(w) + 1e-12)),
            None,
        )

    found = products(node, value_of, lambda v: False)
    if not found:
        return None
    expected = {
        src: pre.weight_between(src, asked)
        for src in pre.parents(asked)
        if src not in pre.parameter_names
    }
    layer = ", ".join(expected)
    problems, seen = [], set()
    for _, factors in found:
        known = [which(f) for f in factors if not isinstance(f, tuple)]
        if None in known or len(known) != 2:
            if len(known) == 1 and known[0] in net.parameter_names:
                continue  # a bias
            return None
        p, n = known if known[0] in net.parameter_names else known[::-1]
        if p not in net.parameter_names or n in net.parameter_names:
            return None
        info = net.parameter_info(p)
        if info.source is None:
            return None
        target = info.targets[0]
        seen.add(n)
        if info.source == n and target != unit and n in expected:
            problems.append(
                Problem(
                    "wrong_weight",
                    f"{p} joins {n} to {target}; {asked} takes {n} through {expected[n]}.",
                )
            )
        elif target == unit and info.source != n:
            where = (
                f"{asked} sums the layer before {unit} ({layer}), not {n}"
                if n not in expected
                else f"{n} enters {asked} through {expected[n]}"
            )
            problems.append(
                Problem(
                    "wrong_layer" if n not in expected else "wrong_factor",
                    f"{p} multiplies {info.source} (it joins {info.source} to {unit}); {where}.",
                )
            )
        elif target != unit and n in expected:
            problems.append(
                Problem(
                    "wrong_weight",
                    f"{p} joins {info.source} to {target}; {asked} takes {n} through "
                    f"{expected[n]}.",
                )
            )
        elif target != unit and n not in expected:
            problems.append(
                Problem(
                    "wrong_layer",
                    f"{p}·{n} is not a term of {asked}: {asked} sums the layer before "
                    f"{unit} ({layer}), each times the weight into {unit}.",
                )
            )
    missing = [f"{w}·{src}" for src, w in expected.items() if src not in seen]
    if missing and problems:
        pass  # the wrong terms above stand in for these
    elif missing:
        problems.append(
            Problem(
                "missing_term",
                f"{asked} lacks {' + '.join(missing)}: it sums every input of {unit}.",
            )
        )
    return problems[:MAX_REPORTED] or None
