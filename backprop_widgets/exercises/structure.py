"""Closed-form formulas judged by structure: what a marker would circle in a wrong formula.

:mod:`.factor_match` reads a formula's products and says which factor is which quantity of
the graph and which path each product follows; this module writes what differs, as a
marker would in the margin: the wrong weight and the one that belongs, the slope of the
wrong activation, a missing slope (or half of one: ``h1`` without its ``1 − h1``), a
missing loss derivative, an extra factor; then a path no product covers (a missing term)
or one covered twice. It does so on a network and on any computation graph (the slope of
a sigmoid or tanh node, the factor of a shared sub-expression's missing term), and only
from identifications that hold at the question's values and at every re-draw (the
verified-hint rule). Where the formula's structure cannot be recognised (most factors match
nothing), :func:`diagnose_gradient` returns None and the value-based diagnosis of
:mod:`.hints` speaks instead. :func:`diagnose_forward` does the same for a formula of a net
input or an activation.
"""

from __future__ import annotations

import numpy as np

from ..core.chain_rule import NET_PREFIX
from ..core.ops import ACTIVATIONS
from .chain_graph import Problem, path_text
from .factor_catalogue import TOL, Catalogue, Slot, slope_words
from .factor_match import (
    MAX_PRODUCTS,
    align,
    covers,
    plain,
    plainly_too_big,
    products,
    slots,
    targets,
)
from .formula import FormulaError
from .parser import Call

MAX_REPORTED = 3


# ---------------------------------------------------------------- the diagnosis
def diagnose_gradient(node, param: str, draws, value_of, show, paths) -> list[Problem] | None:
    """What a marker would circle in a wrong formula for d(end)/d param, or None when its
    structure is not recognised.

    ``value_of(node)`` is a node's value at every draw (an array; FormulaError when it has
    none); ``show(text)`` the graph's name for a typed name; ``paths`` the pre-activation
    paths (any graph's paths) from param to the end (None when too many to list).
    """
    if not paths or len(paths) > MAX_PRODUCTS or plainly_too_big(node):
        return None
    built: list[Catalogue] = []  # made on first use: a product too long is refused first

    def catalogue_match(v):
        if not built:
            built.append(Catalogue(draws))
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
        terms = [(c, slots(factors, values, catalogue, show)) for c, factors in found]
    except FormulaError:
        return None
    laid = targets(paths, catalogue)
    judged = []
    for coefficient, term in terms:
        best = min(
            ((align(term, required), target) for target, required in laid),
            key=lambda pair: (pair[0][0], pair[1][0][1] is not None),
        )
        (_, missing, extra), target = best
        matched = len(term) - len(extra)
        unknown = sum(1 for slot in term if not slot.known)
        if matched == 0 or unknown > matched:
            return None  # most of this product is nothing of the graph: no structure
        judged.append((coefficient, term, target, missing, extra))
    return _problems(judged, paths, catalogue, param) or None


def _problems(judged, paths, catalogue: Catalogue, param: str) -> list[Problem]:
    found: list[tuple[str, str, str]] = []  # (code, what is wrong, in which term)
    owner: dict[tuple, int] = {}
    end = catalogue.end
    for k, (_, term, target, missing, extra) in enumerate(judged):
        where = _where(target, catalogue)
        found += [
            (code, text, where)
            for code, text in _term_problems(term, target, missing, extra, catalogue)
        ]
        for p in covers(target, paths):
            if p in owner:
                found.append(
                    (
                        "duplicate_path",
                        f"Two terms are for the path {path_text(catalogue.shown(p))}; the "
                        "chain rule adds each path once",
                        "",
                    )
                )
            owner.setdefault(p, k)
    problems = _merged(found, len(judged))
    for p in paths:
        if p not in owner:
            factors = "·".join(
                k.text
                for k in (catalogue.known(("edge", p[i + 1], p[i])) for i in range(len(p) - 1))
                if k is not None
            )
            add = f": add {factors}" if factors else ""
            problems.append(
                Problem(
                    "missing_path",
                    f"The term for the path {path_text(catalogue.shown(p))} is missing{add}. "
                    f"d{end}/d{param} adds one term for each of the {len(paths)} paths from "
                    f"{param} to {end}.",
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


def _term_problems(term, target, missing, extra, catalogue: Catalogue) -> list[tuple[str, str]]:
    out = []
    missing = list(missing)
    extra = [term[s] for s in extra]
    for slot in list(extra):
        pair = _pair(slot, missing, catalogue)
        if pair is None:
            continue
        wanted, problem = pair
        missing.remove(wanted)
        extra.remove(slot)
        out.append(problem)
    out += [_missing(wanted, catalogue) for wanted in missing]
    out += [_extra(slot, target, term, catalogue) for slot in extra]
    return out


def _pair(slot: Slot, missing: list[tuple], catalogue: Catalogue):
    """(the missing quantity the slot stands in for, (code, message)), or None."""
    half = _half_slope(slot, missing, catalogue)
    if half is not None:
        return half
    for wanted in missing:
        right = catalogue.known(wanted)
        unit = catalogue.unit_of(wanted)
        for known, scale in slot.known:
            what = known.what
            if unit is not None and catalogue.unit_of(what) == unit and what[0] == "slip":
                return wanted, ("wrong_slope", _wrong_slope(unit, right.text, slot, catalogue))
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
            if catalogue.is_loss_edge(wanted) and catalogue.is_loss_edge(what):
                return wanted, (
                    "wrong_factor",
                    f"{slot.written} is the loss's derivative at {what[2]}; the path ends at "
                    f"{wanted[2]}, whose derivative is {right.text}",
                )
            if catalogue.network is None and wanted[0] == what[0] == "edge":
                return wanted, (
                    "wrong_factor",
                    f"{slot.written} is {_times(scale, f'd{what[1]}/d{what[2]}')}, the step "
                    f"from {what[2]} to "
                    f"{what[1]}; the path goes from {wanted[2]} to {wanted[1]}, whose step is "
                    f"d{wanted[1]}/d{wanted[2]} = {right.text}",
                )
    slope_call = [n for n in slot.nodes if isinstance(n, Call) and n.order == 1]
    if not slot.known and len(slot.nodes) == 1 and slope_call:
        for wanted in missing:
            unit = catalogue.unit_of(wanted)
            if unit is not None:  # sigmoid'(net_h1) at a tanh unit: the slope of another function
                text = catalogue.known(wanted).text
                return wanted, ("wrong_slope", _wrong_slope(unit, text, slot, catalogue))
    if not slot.known and len(missing) == 1:
        wanted = missing[0]
        right = catalogue.known(wanted)
        if right is not None:
            return wanted, (
                "wrong_factor",
                f"{slot.written} is not a step of this path; {right.text} belongs there",
            )
    return None


def _times(scale: float, text: str) -> str:
    """text times the constant a graph's factor carries (exactly what holds at every draw)."""
    if abs(scale - 1.0) <= TOL:
        return text
    if abs(scale + 1.0) <= TOL:
        return f"−{text}"
    return f"{scale:g}·{text}"


def _wrong_slope(unit: str, right: str, slot: Slot, catalogue: Catalogue) -> str:
    op = catalogue.activations[unit]
    return f"{unit} is a {op.name} {catalogue.unit_word}: its slope is {right}, not {slot.written}"


def _half_slope(slot: Slot, missing: list[tuple], catalogue: Catalogue):
    """h1 written where the slope h1(1 − h1) belongs: part of it, the rest missing."""
    part = catalogue.part_of_slope(slot.values)
    if part is None:
        return None
    unit, rest = part
    wanted = next((w for w in missing if catalogue.unit_of(w) == unit), None)
    if wanted is None:
        return None
    right = catalogue.known(wanted).text
    return wanted, (
        "missing_slope",
        f"{slot.written} is only part of the slope of {unit}, {catalogue.slope_at(unit)} = "
        f"{right}: {rest} is missing",
    )


def _missing(wanted: tuple, catalogue: Catalogue) -> tuple[str, str]:
    right = catalogue.known(wanted)
    text = right.text if right is not None else "a factor"
    unit = catalogue.unit_of(wanted)
    if unit is not None:
        op = catalogue.activations[unit]
        pre = catalogue.pre
        shown = catalogue.slope_at(unit) + (f" = {text}" if op.slope_of_output else "")
        message = f"The slope of {unit}, {shown}, is missing"
        why = op.saturation(pre.value(catalogue.slope_input[unit]), pre.value(unit))
        if why and op.name == "relu":
            message += f"; here {unit} is {why}"
        return "missing_slope", message
    if catalogue.is_loss_edge(wanted):
        return "missing_factor", f"The loss's derivative dL/d{wanted[2]} = {text} is missing"
    if wanted[0] == "total":
        return "missing_factor", f"{text} is missing"
    return "missing_factor", f"{text} (d{wanted[1]}/d{wanted[2]}) is missing"


def _extra(slot: Slot, target, term, catalogue: Catalogue) -> tuple[str, str]:
    _, total = target
    end = catalogue.end
    for known, _ in slot.known:
        unit = catalogue.unit_of(known.what)
        if known.what[0] == "slip" and unit is not None:
            op = catalogue.activations[unit]
            return "wrong_slope", _wrong_slope(unit, slope_words(op, unit), slot, catalogue)
    if total is not None:
        holder = next((s.written for s in term if s.is_(("total", total)) is not None), None)
        said = f"{holder} is d{end}/d{total}, which" if holder else f"d{end}/d{total}"
        return "extra_factor", (
            f"{slot.written} is extra: {said} already holds every step after {total}"
        )
    return "extra_factor", f"{slot.written} is extra: no step of this path multiplies by it"


def _where(target, catalogue: Catalogue) -> str:
    path, total = target
    if total is None:
        return f"the path {path_text(catalogue.shown(path))}"
    return f"{path_text((*catalogue.shown(path[:-1]), total))}, then d{catalogue.end}/d{total}"


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
