"""Chain-rule sums in Leibniz notation: expand them into paths and judge them.

An answer such as ``dh1/dw1 * (do1/dh1*dL/do1 + do2/dh1*dL/do2)`` is expanded by
distributing products over sums into terms, one product of factors each. It is correct
exactly when every factor is one edge of the computation graph (d child / d parent), each
term chains from the parameter to L, and the terms are the graph's paths, each once.

Factors may be written at the neuron level (``do1/dh1``), at the pre-activation level
(``dnet_o1/dh1 * do1/dnet_o1``), or mixed; a path is compared after dropping its
``net_`` nodes, so both levels name the same paths. A question asked at one level
(``level="neuron"`` or ``"pre-activation"``) reports factors of the other as
``wrong_level``.

The same judge works on any computation graph (``GradientQuestion(graph, "x")``): there the
end is the graph's (``f``, ``e``), a factor is an edge of that graph, and a chain may start at
any leaf; messages name the end where a network's say L.

Problem codes, each with a plain message naming the factor, term or path (the messages
for one factor or one product are worded in :mod:`.chain_problems`):

``parameter_as_function``  dw7/dh1: a weight or bias differentiated as if it were a function.
``input_as_function``      di1/dh1: an input differentiated as if it were a function.
``upside_down``            dw1/dh1 or dh1/do1, where the edge goes the other way.
``not_an_edge``            do1/dw1 (o1 depends on w1 only through h1) or dh2/dw1 (not at all).
``wrong_level``            a factor of the other level, when the question fixes one.
``product_not_sum``        two paths multiplied into one product.
``sum_not_product``        factors of one path added instead of multiplied.
``repeated_factor``        the same factor twice in one product.
``broken_chain``           a product whose factors do not join up.
``wrong_start``            a product that starts at a node instead of the parameter.
``stops_early``            a product that does not reach L.
``wrong_parameter``        every term starts at another parameter (dL/dw2 for dL/dw1).
``extra_path``             a term that is not a path from this parameter.
``duplicate_path``         a path written twice.
``missing_path``           a path of the graph that the sum leaves out (named).
``too_many_terms``         brackets that expand to more than :data:`MAX_TERMS` terms, or to
                           more than :data:`MAX_FACTORS` factors in all.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

from .chain_graph import (
    ChainGraph,
    Closer,
    Problem,
    chain_of,
    closer_of,
    names,
    path_factors,
    path_text,
    product_text,
)
from .chain_problems import (
    check_factor,
    merge_levels,
    not_a_chain,
    say_once,
    sum_not_product,
    total_elsewhere,
)
from .parser import Name, Partial, Product, Sum
from .vocabulary import Entry

MAX_TERMS = 256
# Factors in all the terms together once the brackets are multiplied out. Every path of a
# question that lists its paths has a handful of factors, so 256 terms of 16 factors is far
# above any real answer; past it the expansion is refused before it is built, so that
# checking stays linear in the length (8 bracketed sums times 1,400 factors would otherwise
# build 256 copies of a 1,400-factor product).
MAX_FACTORS = 4096
MAX_MISSING_LISTED = 10
_CAP = 10**9  # sizes are counted up to here: past the limits the exact count is not needed


@dataclass(frozen=True)
class Extent:
    """How big the multiplied-out sum would be: its terms, all their factors, the longest."""

    terms: int
    factors: int
    longest: int

    @property
    def too_big(self) -> bool:
        return self.terms > MAX_TERMS or self.factors > MAX_FACTORS


class TooManyTerms(Exception):
    """The brackets multiply out past :data:`MAX_TERMS` terms or :data:`MAX_FACTORS` factors."""

    def __init__(self, extent: Extent):
        super().__init__(f"{extent.terms} terms, {extent.factors} factors")
        self.extent = extent


# ---------------------------------------------------------------- expansion
def extent(node, is_factor=lambda name: False) -> Extent | None:
    """The size of :func:`expand`'s result, counted without building it (None: not a sum
    of products of Leibniz factors). Linear in the size of the tree."""
    if isinstance(node, Partial) or (isinstance(node, Name) and is_factor(node)):
        return Extent(1, 1, 1)
    if isinstance(node, Sum):
        if any(sign != "+" for sign, _ in node.terms):
            return None
        parts = [extent(term, is_factor) for _, term in node.terms]
        if any(part is None for part in parts):
            return None
        return Extent(
            min(_CAP, sum(p.terms for p in parts)),
            min(_CAP, sum(p.factors for p in parts)),
            max(p.longest for p in parts),
        )
    if isinstance(node, Product):
        if any(op == "/" for op, _ in node.factors):
            return None
        size = Extent(1, 0, 0)
        for _, factor in node.factors:
            part = extent(factor, is_factor)
            if part is None:
                return None
            # every left term meets every right term: each left factor is copied once per
            # right term, and each right factor once per left term
            size = Extent(
                min(_CAP, size.terms * part.terms),
                min(_CAP, size.factors * part.terms + part.factors * size.terms),
                min(_CAP, size.longest + part.longest),
            )
        return size
    return None


def expand(node, is_factor=lambda name: False) -> list[list[Partial | Name]] | None:
    """The terms of a sum of products of Leibniz factors, brackets multiplied out.

    ``is_factor(name)`` says which names are factors of their own (deltas such as
    ``delta_h1``). None when the tree holds anything else (numbers, other names, minus,
    division): then it is not a pure chain-rule sum. Raises TooManyTerms, before building
    anything, past :data:`MAX_TERMS` terms or :data:`MAX_FACTORS` factors.
    """
    size = extent(node, is_factor)
    if size is None:
        return None
    if size.too_big:
        raise TooManyTerms(size)
    return _expand(node, is_factor)


def _expand(node, is_factor) -> list[list[Partial | Name]]:
    """The expansion of a tree :func:`extent` has found to be a small enough chain sum."""
    if isinstance(node, Sum):
        return [term for _, child in node.terms for term in _expand(child, is_factor)]
    if isinstance(node, Product):
        out: list[list] = [[]]
        for _, factor in node.factors:
            part = _expand(factor, is_factor)
            out = [left + right for left in out for right in part]
        return out
    return [[node]]


# ---------------------------------------------------------------- verdict
@dataclass(frozen=True)
class ChainVerdict:
    problems: tuple[Problem, ...]
    value: float | None  # the sum with local values, when every factor is an edge
    totals: tuple[str, ...] = ()  # the totals the answer leaves unexpanded (dL/dh1, ...)
    notes: tuple[str, ...] = ()  # how a textbook's shortcut was read

    @property
    def correct(self) -> bool:
        return not self.problems


def judge(
    terms: list[list[tuple[Entry, Entry]]], cg: ChainGraph, level: str | None = None
) -> ChainVerdict:
    """See :func:`_judge`. On a graph where a node X has an edge to the end and other paths
    to it as well, d end/dX is both that edge's local derivative and the total: the answer
    is read with such factors as edges first, then as totals, and counts if either reading
    is right (a network's L has no such node)."""
    verdict = _judge(terms, cg, level)
    if verdict.correct:
        return verdict
    both = frozenset(
        den.name
        for term in terms
        for num, den in term
        if num.kind == "loss"
        and cg.has_edge(num.name, den.name)
        and cg.core.path_count(den.name) > 1
    )
    if not both:
        return verdict
    as_totals = _judge(terms, cg, level, both)
    if not as_totals.correct:
        return verdict
    shown = ", ".join(f"d{cg.end}/d{n}" for n in sorted(both))
    note = (
        f"{shown} is read as the total derivative (every path to {cg.end}), not the one edge "
        f"into {cg.end}: both are written d{cg.end}/d…, and only the total makes this sum right."
    )
    return replace(as_totals, notes=(*as_totals.notes, note))


def _judge(
    terms: list[list[tuple[Entry, Entry]]],
    cg: ChainGraph,
    level: str | None = None,
    as_total=frozenset(),
) -> ChainVerdict:
    """Compare the terms (each a list of (numerator, denominator) entries) with the paths.

    Every factor must be an edge, or a total that ends its product (dL/dX or dE_o1/dX for
    a node X the parameter reaches); every term a chain from the parameter to L, or to the
    node of its total; and the terms, refined to pre-activation paths (the core's
    :meth:`~backprop_widgets.core.chain_rule.ComputationGraph.refine`, and a total to every
    path below its node), must give each of the graph's paths exactly once.
    """
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for term in terms:
        for num, den in term:
            if (num.name, den.name) in seen:
                continue
            seen.add((num.name, den.name))
            problem = check_factor(num, den, term, cg, level)
            if problem is not None:
                problems.append(problem)
    if problems:
        return ChainVerdict(tuple(say_once(merge_levels(problems, level))), None)
    split = [_split_term(term, cg, as_total) for term in terms]
    value = math.fsum(
        math.prod([cg.local(n, d) for n, d in edges] + [c.value(cg) for c in closers])
        for edges, closers in split
    )
    totals = tuple(dict.fromkeys(c.text() for _, closers in split for c in closers))
    named = [edges + [(cg.end, c.node) for c in closers] for edges, closers in split]
    sum_problem = sum_not_product(named, cg)
    if sum_problem is not None:
        return ChainVerdict((sum_problem,), value, totals)

    paths: list[tuple[int, list[tuple[str, ...]]]] = []
    others: list[tuple[int, tuple[str, ...]]] = []
    budget = 4 * len(cg.paths["pre-activation"]) + MAX_TERMS
    notes: dict[str, None] = {}
    for k, (edges, closers) in enumerate(split):
        edges, note = _bias_shortcut(edges, closers, cg)
        if note:
            notes[note] = None
        status, found = _judge_term(edges, closers, _where(k, named[k], len(named)), cg)
        if status == "path":
            budget -= len(found)
            if budget < 0:
                problems.append(Problem("duplicate_path", _TOO_MANY_PATHS))
                break
            paths.append((k, found))
        elif status == "other":
            others.append((k, found))
        else:
            problems.append(found)
    problems += _other_parameters(others, bool(paths or problems), named, cg)
    totals_at = [c.node for _, closers in split for c in closers if c.output is None]
    problems += _compare_paths(
        paths, cg, report_missing=not problems, level=level, totals_at=totals_at
    )
    return ChainVerdict(tuple(problems), value, totals, tuple(notes))


def _bias_shortcut(edges, closers: list[Closer], cg: ChainGraph):
    """Nielsen's ∂C/∂b = δ: dL/dnet_h1 alone, for a bias that enters net_h1.

    A bias adds to the net input with slope 1, so dL/db1 = dL/dnet_h1 · dnet_h1/db1 =
    dL/dnet_h1; the product is read with that factor 1 put back. (edges, the note) or the
    edges unchanged and None.
    """
    if edges or len(closers) != 1:
        return edges, None
    node = closers[0].node
    if (
        cg.kinds.get(cg.param) != "parameter"
        or cg.parameter_word(cg.param) != "bias"
        or cg.kinds.get(node) != "net"
        or not cg.has_edge(node, cg.param)
    ):
        return edges, None
    note = (
        f"{closers[0].text()} is read as {closers[0].text()} * d{node}/d{cg.param}, with "
        f"d{node}/d{cg.param} = 1: a bias adds to the net input, so dL/d(bias) is the delta "
        "of the net input it enters (Nielsen's ∂C/∂b = δ)."
    )
    return [(node, cg.param)], note


_TOO_MANY_PATHS = (
    "These terms stand for many more paths than the gradient has: most paths are counted "
    "several times. The chain rule adds each path exactly once."
)


def _split_term(
    term, cg: ChainGraph, as_total=frozenset()
) -> tuple[list[tuple[str, str]], list[Closer]]:
    """A term's plain edges (num, den) and its totals."""
    edges, closers = [], []
    for num, den in term:
        closer = closer_of(num, den, cg, as_total)
        if closer is None:
            edges.append((num.name, den.name))
        else:
            closers.append(closer)
    return edges, closers


def _other_parameters(others, anything_else: bool, named, cg: ChainGraph) -> list[Problem]:
    """Chains from L back to another parameter: the wrong question, or terms too many."""
    if not others:
        return []
    if not anything_else:
        starts = names(sorted({path[0] for _, path in others}))
        return [
            Problem(
                "wrong_parameter",
                f"These are paths from {starts}, for d{cg.end}/d{starts}, but the question asks "
                f"for d{cg.end}/d{cg.param}: every term must start with a factor d?/d{cg.param}.",
            )
        ]
    return [
        Problem(
            "extra_path",
            f"{_where(k, named[k], len(named))} is the path {path_text(cg.project(path))}, "
            f"which starts at {path[0]}, not at {cg.param}: it does not belong in "
            f"d{cg.end}/d{cg.param}.",
        )
        for k, path in others
    ]


def _compare_paths(
    paths, cg: ChainGraph, report_missing: bool, level, totals_at=()
) -> list[Problem]:
    """Each graph path exactly once: duplicates, then (if all else is right) missing ones.

    ``paths``: (term index, the pre-activation paths the term stands for), per term.
    """
    problems = []
    owner: dict[tuple[str, ...], int] = {}
    repeats: Counter = Counter()
    for k, fines in paths:
        for fine in fines:
            if fine in owner:
                repeats[cg.project(fine)] += 1
            else:
                owner[fine] = k
    for path, n in repeats.items():
        problems.append(
            Problem(
                "duplicate_path",
                f"The path {path_text(path)} appears {n + 1} times; the chain rule adds each "
                "path exactly once.",
            )
        )
    if not report_missing or problems:
        return problems
    expected = cg.paths["pre-activation"]
    per_coarse = Counter(cg.project(p) for p in expected)
    by_coarse: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for p in expected:
        if p not in owner:
            by_coarse.setdefault(cg.project(p), []).append(p)
    for coarse, fine in list(by_coarse.items())[:MAX_MISSING_LISTED]:
        coarse_level = len(fine) == per_coarse[coarse] and level != "pre-activation"
        shown = [coarse] if coarse_level else fine
        n_paths = len(cg.paths["neuron" if coarse_level else "pre-activation"])
        problems.append(Problem("missing_path", _missing_message(shown, cg, n_paths, totals_at)))
    if len(by_coarse) > MAX_MISSING_LISTED:
        problems.append(
            Problem("missing_path", f"... and {len(by_coarse) - MAX_MISSING_LISTED} more paths.")
        )
    return problems


def _where(k: int, term: list[tuple[str, str]], n_terms: int) -> str:
    if n_terms == 1:
        return f"The product {product_text(term)}"
    return f"Term {k + 1} ({product_text(term)})"


def _missing_message(paths, cg: ChainGraph, n_paths: int, totals_at=()) -> str:
    def product(path) -> str:
        """The path's product; on a graph, ended with a total the answer already uses
        (dy/dx * dL/dy rather than every step from y to the end)."""
        if not cg.is_network:
            cut = next((k for k, n in enumerate(path[1:-1], 1) if n in totals_at), None)
            if cut is not None:
                return product_text([*path_factors(path[: cut + 1]), (cg.end, path[cut])])
        return product_text(path_factors(path))

    if len(paths) == 1:
        text = f"The path {path_text(paths[0])} is missing: add {product(paths[0])}."
    else:
        text = (
            f"The paths {'; '.join(path_text(p) for p in paths)} are missing: add "
            f"{' + '.join(product(p) for p in paths)}."
        )
    text += (
        f" d{cg.end}/d{cg.param} adds one product for each of the {n_paths} paths from "
        f"{cg.param} to {cg.end}."
    )
    uses = cg.uses(cg.param)
    if len(uses) > 1:
        text += (
            f" {cg.param} is used in {len(uses)} places ({names(list(uses))}), and each use "
            "starts its own paths."
        )
    return text


# ---------------------------------------------------------------- one term
def _judge_term(edges, closers: list[Closer], where: str, cg: ChainGraph):
    """("path", its pre-activation paths) | ("other", path) | ("problem", Problem)."""
    if len(closers) > 1:
        texts = list(dict.fromkeys(c.text() for c in closers))
        which = (
            f"{texts[0]} by itself ({len(closers):,} times): it already stands"
            if len(texts) == 1
            else f"{names(texts)}: each of them already stands"
        )  # a copy per closer would quote a long answer back in full
        return "problem", Problem(
            "product_not_sum",
            f"{where} multiplies {which} for every path below its node, so a product can hold "
            "at most one, at its end. Add the products of different paths instead of "
            "multiplying them.",
        )
    closer = closers[0] if closers else None
    if closer is not None and not edges:
        missing = (
            f" (d{closer.node}/d{cg.param} is missing)"
            if cg.has_edge(closer.node, cg.param)
            else ""
        )
        return "problem", Problem(
            "wrong_start",
            f"{where} is {closer.text()} alone{missing}: a product must begin with a factor "
            f"d?/d{cg.param} and follow the chain to {closer.node}.",
        )
    chain = chain_of(edges)
    if chain is None:
        return "problem", not_a_chain(edges, where, cg)
    start, end = chain[0], chain[-1]
    goal = cg.end if closer is None else closer.node
    if start == cg.param and end == goal:
        fine = cg.refine(chain)
        if closer is not None:
            below = closer.paths(cg)
            fine = [head + tail[1:] for head in fine for tail in below]
        return "path", fine
    if cg.kinds.get(start) in cg.starts and end == goal:
        return "other", chain if closer is None else (*chain, cg.end)
    if cg.kinds.get(start) in cg.starts and start != cg.param:
        return "problem", Problem(
            "wrong_parameter",
            f"{where} starts at {start}, but the question asks for d{cg.end}/d{cg.param}: the first "
            f"factor must differentiate with respect to {cg.param}.",
        )
    if start != cg.param:
        missing = f" (d{start}/d{cg.param} is missing)" if cg.has_edge(start, cg.param) else ""
        return "problem", Problem(
            "wrong_start",
            f"{where} starts at {start}, not at {cg.param}{missing}: every product must begin "
            f"with a factor d?/d{cg.param}.",
        )
    if closer is not None:
        return "problem", total_elsewhere(edges, closer, where, cg)
    add = f" (add d{cg.end}/d{end})" if cg.has_edge(cg.end, end) else ""
    return "problem", Problem(
        "stops_early",
        f"{where} stops at {end}: the chain must go on until it reaches {cg.end}{add}.",
    )
