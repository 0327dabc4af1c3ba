"""Chain-rule sums in Leibniz notation: expand them into paths and say what is wrong.

An answer such as ``dh1/dw1 * (do1/dh1*dL/do1 + do2/dh1*dL/do2)`` is expanded by
distributing products over sums into terms, one product of factors each. It is correct
exactly when every factor is one edge of the computation graph (d child / d parent), each
term chains from the parameter to L, and the terms are the graph's paths, each once.

Factors may be written at the neuron level (``do1/dh1``), at the pre-activation level
(``dnet_o1/dh1 * do1/dnet_o1``), or mixed; a path is compared after dropping its
``net_`` nodes, so both levels name the same paths. A question asked at one level
(``level="neuron"`` or ``"pre-activation"``) reports factors of the other as
``wrong_level``.

Problem codes, each with a plain message naming the factor, term or path:

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
``too_many_terms``         brackets that expand to more than :data:`MAX_TERMS` terms.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from ..core.chain_rule import LOSS_NODE
from .parser import Name, Partial, Product, Sum
from .vocabulary import Entry

MAX_TERMS = 256
MAX_MISSING_LISTED = 10
L = LOSS_NODE


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an answer: a machine-readable code and a plain message."""

    code: str
    message: str


class TooManyTerms(Exception):
    pass


# ---------------------------------------------------------------- expansion
def expand(node, is_factor=lambda name: False) -> list[list[Partial | Name]] | None:
    """The terms of a sum of products of Leibniz factors, brackets multiplied out.

    ``is_factor(name)`` says which names are factors of their own (deltas such as
    ``delta_h1``). None when the tree holds anything else (numbers, other names, minus,
    division): then it is not a pure chain-rule sum. Raises TooManyTerms past
    :data:`MAX_TERMS` terms.
    """
    if isinstance(node, Partial) or (isinstance(node, Name) and is_factor(node)):
        return [[node]]
    if isinstance(node, Sum):
        if any(sign != "+" for sign, _ in node.terms):
            return None
        out = []
        for _, term in node.terms:
            part = expand(term, is_factor)
            if part is None:
                return None
            out.extend(part)
            if len(out) > MAX_TERMS:
                raise TooManyTerms
        return out
    if isinstance(node, Product):
        if any(op == "/" for op, _ in node.factors):
            return None
        out = [[]]
        for _, factor in node.factors:
            part = expand(factor, is_factor)
            if part is None:
                return None
            if len(out) * len(part) > MAX_TERMS:
                raise TooManyTerms
            out = [left + right for left in out for right in part]
        return out
    return None


# ---------------------------------------------------------------- the graph
class ChainGraph:
    """The core's computation graph of one example, asked about one parameter.

    Every fact about the graph (edges at either level, the map between the levels, paths,
    local derivatives and totals) comes from :class:`~backprop_widgets.core.chain_rule.
    ComputationGraph`; this class only adds what a judgement about ``param`` needs (which
    nodes it reaches) and caches lookups.
    """

    PRE = "pre-activation"

    def __init__(self, net, neuron_graph, pre_graph, param: str):
        self.net = net
        self.param = param
        self.core = pre_graph
        self.graphs = {g.level: g for g in (neuron_graph, pre_graph)}
        self._known = {
            level: {*g.node_names, *net.parameter_names} for level, g in self.graphs.items()
        }
        self.kinds = {name: "parameter" for name in net.parameter_names}
        self.kinds.update({n: pre_graph.kind(n) for n in pre_graph.node_names})
        self.order = {name: -1 for name in net.parameter_names}
        self.order.update({n: i for i, n in enumerate(pre_graph.node_names)})
        self._below: dict[str, frozenset[str]] = {}
        # The graph's paths from param to L at each level (None when too many to list).
        self.paths: dict[str, list[tuple[str, ...]] | None] = {}
        for level, g in self.graphs.items():
            cr = g.chain_rule(param)
            self.paths[level] = cr.paths if cr.enumerated else None

    def levels(self, num: str, den: str) -> set[str]:
        """The levels at which num depends directly on den (empty: not an edge)."""
        return {
            level
            for level, g in self.graphs.items()
            if den in self._known[level] and g.has_edge(num, den)
        }

    def has_edge(self, num: str, den: str) -> bool:
        return bool(self.levels(num, den))

    def local(self, num: str, den: str) -> float:
        """d num / d den along an edge."""
        return self.core.derivative(num, den)

    def children(self, name: str, level: str | None = None) -> list[str]:
        """Nodes that depend directly on name, at one level or at either."""
        out: list[str] = []
        for lv, g in self.graphs.items():
            if level in (None, lv) and name in self._known[lv]:
                out += [c for c in g.children(name) if c not in out]
        return out

    def descendants(self, name: str) -> frozenset[str]:
        """Every node reachable from name along edges."""
        if name not in self._below:
            seen: set[str] = set()
            stack = self.children(name)
            while stack:
                node = stack.pop()
                if node not in seen:
                    seen.add(node)
                    stack.extend(self.children(node))
            self._below[name] = frozenset(seen)
        return self._below[name]

    def reaches(self, name: str) -> bool:
        """Whether the parameter asked about reaches this node (so dL/dnode is on its way)."""
        return name in self.descendants(self.param)

    def project(self, path) -> tuple[str, ...]:
        return self.core.project(path)

    def refine(self, path) -> list[tuple[str, ...]]:
        return self.core.refine(path)

    def parameter_word(self, name: str) -> str:
        return self.net.parameter_info(name).kind


@dataclass(frozen=True)
class Closer:
    """A factor that ends a product by standing for every path below a node.

    ``dL/dh1`` (``output`` None) or ``dE_o1/dh1``, the share of a summed loss carried by
    output o1 (``output`` "o1").
    """

    node: str
    output: str | None = None

    def text(self) -> str:
        return f"d{'L' if self.output is None else 'E_' + self.output}/d{self.node}"

    def value(self, cg: ChainGraph) -> float:
        if self.output is None:
            return cg.core.derivative(L, self.node)
        return cg.core.loss_share(self.output, self.node)

    def paths(self, cg: ChainGraph) -> list[tuple[str, ...]]:
        return cg.core.paths_from(self.node, through=self.output)


def closer_of(num: Entry, den: Entry, cg: ChainGraph) -> Closer | None:
    """The factor as a total (dL/dX, dE_o1/dX), when it is one and not a plain edge."""
    if num.kind not in ("loss", "loss_share") or cg.has_edge(num.name, den.name):
        return None
    if den.kind not in ("input", "net", "neuron"):
        return None
    return Closer(den.name, num.node if num.kind == "loss_share" else None)


# ---------------------------------------------------------------- text helpers
def factor_text(factor: tuple[str, str]) -> str:
    return f"d{factor[0]}/d{factor[1]}"


def product_text(factors) -> str:
    return " * ".join(factor_text(f) for f in factors)


def path_text(path) -> str:
    return " → ".join(path)


def path_factors(path) -> list[tuple[str, str]]:
    return [(path[k + 1], path[k]) for k in range(len(path) - 1)]


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------- verdict
@dataclass(frozen=True)
class ChainVerdict:
    problems: tuple[Problem, ...]
    value: float | None  # the sum with local values, when every factor is an edge
    totals: tuple[str, ...] = ()  # the totals the answer leaves unexpanded (dL/dh1, ...)

    @property
    def correct(self) -> bool:
        return not self.problems


def judge(
    terms: list[list[tuple[Entry, Entry]]], cg: ChainGraph, level: str | None = None
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
        return ChainVerdict(tuple(_say_once(_merge_levels(problems, level))), None)
    split = [_split_term(term, cg) for term in terms]
    value = math.fsum(
        math.prod([cg.local(n, d) for n, d in edges] + [c.value(cg) for c in closers])
        for edges, closers in split
    )
    totals = tuple(dict.fromkeys(c.text() for _, closers in split for c in closers))
    named = [edges + [(L, c.node) for c in closers] for edges, closers in split]
    sum_problem = _sum_not_product(named, cg)
    if sum_problem is not None:
        return ChainVerdict((sum_problem,), value, totals)

    paths: list[tuple[int, list[tuple[str, ...]]]] = []
    others: list[tuple[int, tuple[str, ...]]] = []
    budget = 4 * len(cg.paths["pre-activation"]) + MAX_TERMS
    for k, (edges, closers) in enumerate(split):
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
    problems += _compare_paths(paths, cg, report_missing=not problems, level=level)
    return ChainVerdict(tuple(problems), value, totals)


_TOO_MANY_PATHS = (
    "These terms stand for many more paths than the gradient has: most paths are counted "
    "several times. The chain rule adds each path exactly once."
)


def _split_term(term, cg: ChainGraph) -> tuple[list[tuple[str, str]], list[Closer]]:
    """A term's plain edges (num, den) and its totals."""
    edges, closers = [], []
    for num, den in term:
        closer = closer_of(num, den, cg)
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
        starts = _names(sorted({path[0] for _, path in others}))
        return [
            Problem(
                "wrong_parameter",
                f"These are paths from {starts}, for dL/d{starts}, but the question asks for "
                f"dL/d{cg.param}: every term must start with a factor d?/d{cg.param}.",
            )
        ]
    return [
        Problem(
            "extra_path",
            f"{_where(k, named[k], len(named))} is the path {path_text(cg.project(path))}, "
            f"which starts at {path[0]}, not at {cg.param}: it does not belong in "
            f"dL/d{cg.param}.",
        )
        for k, path in others
    ]


def _compare_paths(paths, cg: ChainGraph, report_missing: bool, level) -> list[Problem]:
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
        problems.append(Problem("missing_path", _missing_message(shown, cg, n_paths)))
    if len(by_coarse) > MAX_MISSING_LISTED:
        problems.append(
            Problem("missing_path", f"... and {len(by_coarse) - MAX_MISSING_LISTED} more paths.")
        )
    return problems


def _where(k: int, term: list[tuple[str, str]], n_terms: int) -> str:
    if n_terms == 1:
        return f"The product {product_text(term)}"
    return f"Term {k + 1} ({product_text(term)})"


def _missing_message(paths, cg: ChainGraph, n_paths: int) -> str:
    if len(paths) == 1:
        text = (
            f"The path {path_text(paths[0])} is missing: add "
            f"{product_text(path_factors(paths[0]))}."
        )
    else:
        text = (
            f"The paths {'; '.join(path_text(p) for p in paths)} are missing: add "
            f"{' + '.join(product_text(path_factors(p)) for p in paths)}."
        )
    text += (
        f" dL/d{cg.param} adds one product for each of the {n_paths} paths from {cg.param} to L."
    )
    uses = cg.net.parameter_info(cg.param).targets
    if len(uses) > 1:
        text += (
            f" {cg.param} is used in {len(uses)} places ({_names(list(uses))}), and each use "
            "starts its own paths."
        )
    return text


# ---------------------------------------------------------------- one factor
def check_factor(
    num: Entry, den: Entry, term, cg: ChainGraph, level: str | None = None
) -> Problem | None:
    """None when d num / d den is an edge of the graph (of the question's level, if set)."""
    a, b = num.name, den.name
    f = f"d{a}/d{b}"
    if cg.has_edge(a, b):
        if level is not None and level not in cg.levels(a, b):
            return Problem("wrong_level", _level_message(f, a, b, cg, level))
        return None
    if num.kind in ("loss", "loss_share") and den.kind != "loss":
        return total_problem(num, den, cg)
    for entry in (num, den):
        if entry.kind == "delta":
            return Problem(
                "not_an_edge",
                f"{f}: {entry.name} is a delta, a derivative of L itself; it stands on its own "
                f"as a factor, as in d{cg.param}... * {entry.name}, not inside another one.",
            )
    if a == b:
        return Problem("not_an_edge", f"{f} is just 1: a factor must go from one node to the next.")
    if cg.has_edge(b, a):
        text = f"{f} is upside down: {b} depends on {a}, so the factor is d{b}/d{a}."
        if num.kind == "parameter":
            text += (
                f" {a} is a {cg.parameter_word(a)}: an independent variable, never a function "
                f"of {b}."
            )
        return Problem("upside_down", text)
    if num.kind == "parameter":
        return Problem("parameter_as_function", _parameter_message(f, a, b, term, cg))
    if num.kind == "input":
        return Problem(
            "input_as_function",
            f"{f}: {a} is an input, data given to the network, not a function of {b}; "
            f"d{a}/d{b} has no meaning. A chain to L only moves forward, away from the inputs.",
        )
    for entry in (num, den):
        if entry.kind in ("target", "constant"):
            what = "a target, data given with the example"
            if entry.kind == "constant":
                what = "a constant"
            return Problem(
                "not_an_edge",
                f"{f}: {entry.name} is {what}; it is not on any path from {cg.param} to L.",
            )
    if den.kind == "loss":
        return Problem("not_an_edge", f"{f}: nothing depends on L; L is the end of every chain.")
    if a in cg.descendants(b):
        # name the way through at the level the student is writing in
        net_level = level == "pre-activation" or "net" in (cg.kinds.get(a), cg.kinds.get(b))
        children = cg.children(b, cg.PRE if net_level else "neuron")
        via = [c for c in children if c == a or a in cg.descendants(c)]
        via = sorted(via, key=lambda n: cg.order.get(n, 0)) or [a]
        return Problem(
            "not_an_edge",
            f"{f} is not one step of the graph: {a} depends on {b} only through "
            f"{_names(via)}. Each factor of a chain-rule product is a single edge "
            f"(d child / d parent), so go through {_names(via)}, starting with "
            f"d{via[0]}/d{b}.",
        )
    return Problem(
        "not_an_edge",
        f"{f}: {a} does not depend on {b} at all (no path leads from {b} to {a}), so "
        f"{f} = 0 and it has no place in a chain from {cg.param} to L.",
    )


def total_problem(num: Entry, den: Entry, cg: ChainGraph) -> Problem | None:
    """None when dL/d den (or dE_o1/d den) may stand in a derivation of dL/d param.

    A total is fine at any node the parameter reaches. dL/d(parameter) never is: of the
    question's own parameter it restates the question, of another it is off every path.
    """
    f = f"d{num.name}/d{den.name}"
    p = cg.param
    if den.kind == "parameter":
        if den.name == p:
            text = (
                f"{f} is the gradient the question asks for, so an answer that contains it "
                f"restates the question instead of deriving it (× 1 or not). Write it with "
                f"local derivatives along the paths from {p} to L, or with totals at the nodes "
                f"{p} feeds ({_names(cg.children(p, 'neuron'))})."
            )
        else:
            text = (
                f"{f} is the gradient of another parameter, {den.name}; it is not a step on "
                f"the way from {p} to L. A chain from {p} passes through neurons only, never "
                "through another parameter."
            )
        return Problem("total_of_parameter", text)
    if den.kind not in ("input", "net", "neuron"):
        return Problem("not_an_edge", f"{f}: {den.name} is not a node of the graph.")
    if not cg.reaches(den.name):
        what = "an input, data given to the network" if den.kind == "input" else "a node"
        return Problem(
            "unreachable_total",
            f"{f}: {den.name} is {what} that {p} does not reach (no path leads from {p} to "
            f"{den.name}), so how L changes with {den.name} is no part of dL/d{p}. A total "
            f"belongs in the answer only at a node on the way from {p} to L.",
        )
    if num.kind == "loss_share" and not (
        den.name == num.node or num.node in cg.descendants(den.name)
    ):
        return Problem(
            "unreachable_total",
            f"{f}: {num.name} is the part of the loss that output {num.node} carries, and "
            f"{num.node} does not depend on {den.name}, so {f} = 0.",
        )
    return None


def _say_once(problems: list) -> list:
    """The seed's answer makes the same mistake twice (dw7/dh1, dw5/dh1): explain it in
    full once, then name the other factor briefly with its own fix."""
    out, explained = [], False
    for p in problems:
        if p.code == "parameter_as_function":
            if explained:
                head, _, fix = p.message.partition(" Go straight")
                factor, _, rest = head.partition(": ")
                name, _, _, word = rest.split(" ", 4)[:4]
                neuron = factor.split("/d", 1)[-1]
                brief = f"{factor}: the same mistake — {name} is a {word} too, not a function of {neuron}."
                p = Problem(p.code, brief + (" Go straight" + fix if fix else ""))
            explained = True
        out.append(p)
    return out


def _parameter_message(f: str, a: str, b: str, term, cg: ChainGraph) -> str:
    word = cg.parameter_word(a)
    text = (
        f"{f}: {a} is a {word} — an independent variable you choose, not a function of {b}. "
        f"Changing {b} does not change {a} (only the update step after backpropagation "
        f"does), so {f} has no meaning. A chain from {cg.param} to L passes through "
        "neurons only, never through another parameter."
    )
    after = [n.name for n, d in term if d.name == a and cg.has_edge(n.name, b)]
    if after:
        m = after[0]
        source = cg.net.parameter_info(a).source
        text += f" Go straight from {b} to {m} with d{m}/d{b}"
        if source == b:
            text += f": {a} is the {word} on that edge and shows up inside d{m}/d{b}."
        else:
            text += "."
    return text


def _level_message(f: str, a: str, b: str, cg: ChainGraph, level: str) -> str:
    """One factor of the other level: named, and for pre-activation how to split it."""
    if level == "neuron":
        return f
    mid = [n for n in cg.children(b) if cg.kinds.get(n) == "net" and cg.has_edge(a, n)]
    if not mid:
        return f
    return f"{f} (split it into d{mid[0]}/d{b} * d{a}/d{mid[0]})"


def _merge_levels(problems: list[Problem], level: str | None) -> list[Problem]:
    """All wrong_level factors as one problem, in the place of the first."""
    found = [p.message for p in problems if p.code == "wrong_level"]
    if not found:
        return problems
    if level == "neuron":
        head = "the neuron level, without net inputs; these factors use one:"
    else:
        head = "the pre-activation level, through the net inputs; these factors skip one:"
    more = f" and {len(found) - 4} more" if len(found) > 4 else ""
    merged = Problem(
        "wrong_level", f"This question asks for the chain at {head} {'; '.join(found[:4])}{more}."
    )
    first = next(i for i, p in enumerate(problems) if p.code == "wrong_level")
    rest = [p for p in problems if p.code != "wrong_level"]
    return [*rest[:first], merged, *rest[first:]]


# ---------------------------------------------------------------- one term
def chain_of(factors: list[tuple[str, str]]) -> tuple[str, ...] | None:
    """The path the factors form when they join up into one chain, else None."""
    by_den: dict[str, str] = {}
    for num, den in factors:
        if den in by_den:
            return None
        by_den[den] = num
    nums = set(by_den.values())
    if len(nums) < len(factors):
        return None
    starts = [d for d in by_den if d not in nums]
    if len(starts) != 1:
        return None
    path = [starts[0]]
    while path[-1] in by_den and len(path) <= len(factors):
        path.append(by_den[path[-1]])
    return tuple(path) if len(path) == len(factors) + 1 else None


def _judge_term(edges, closers: list[Closer], where: str, cg: ChainGraph):
    """("path", its pre-activation paths) | ("other", path) | ("problem", Problem)."""
    if len(closers) > 1:
        return "problem", Problem(
            "product_not_sum",
            f"{where} multiplies {_names([c.text() for c in closers])}: each of them already "
            "stands for every path below its node, so a product can hold at most one, at its "
            "end. Add the products of different paths instead of multiplying them.",
        )
    closer = closers[0] if closers else None
    if closer is not None and not edges:
        missing = f" (d{closer.node}/d{cg.param} is missing)" if cg.has_edge(
            closer.node, cg.param
        ) else ""
        return "problem", Problem(
            "wrong_start",
            f"{where} is {closer.text()} alone{missing}: a product must begin with a factor "
            f"d?/d{cg.param} and follow the chain to {closer.node}.",
        )
    chain = chain_of(edges)
    if chain is None:
        return "problem", _not_a_chain(edges, where, cg)
    start, end = chain[0], chain[-1]
    goal = L if closer is None else closer.node
    if start == cg.param and end == goal:
        fine = cg.refine(chain)
        if closer is not None:
            below = closer.paths(cg)
            fine = [head + tail[1:] for head in fine for tail in below]
        return "path", fine
    if cg.kinds.get(start) == "parameter" and end == goal:
        return "other", chain if closer is None else (*chain, L)
    if cg.kinds.get(start) == "parameter" and start != cg.param:
        return "problem", Problem(
            "wrong_parameter",
            f"{where} starts at {start}, but the question asks for dL/d{cg.param}: the first "
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
        return "problem", _total_elsewhere(edges, closer, where, cg)
    add = f" (add dL/d{end})" if cg.has_edge(L, end) else ""
    return "problem", Problem(
        "stops_early",
        f"{where} stops at {end}: the chain must go on until it reaches L{add}.",
    )


def _total_elsewhere(edges, closer: Closer, where: str, cg: ChainGraph) -> Problem:
    """The chain reaches one node and the total is taken at another."""
    end = chain_of(edges)[-1]
    node = closer.node
    core = cg.core
    chain = chain_of(edges)
    if chain is not None and node in chain[:-1]:
        after = chain[chain.index(node) :]
        extra = product_text(path_factors(after))
        return Problem(
            "extra_factor",
            f"{where} goes on past {node} with {extra}, but {closer.text()} already stands "
            f"for every path from {node} to L, those steps included: {extra} is counted twice. "
            f"Stop the chain at {node}.",
        )
    if core.neuron_of(end) == core.neuron_of(node) and cg.has_edge(node, end):
        return Problem(
            "missing_slope",
            f"{where} reaches {end} and then takes {closer.text()}, but {node} is one step "
            f"further: d{node}/d{end} (the activation's slope) is missing between them.",
        )
    if cg.has_edge(end, node) and core.neuron_of(end) == core.neuron_of(node):
        return Problem(
            "broken_chain",
            f"{where} has already passed {node} on its way to {end}, so it counts "
            f"d{end}/d{node} twice: take d{'L' if closer.output is None else 'E_' + closer.output}"
            f"/d{end} instead of {closer.text()}.",
        )
    if end == L:
        return Problem(
            "product_not_sum",
            f"{where} already reaches L and also multiplies {closer.text()}: a product is one "
            "path; it ends at L or with one total, not both.",
        )
    return Problem(
        "broken_chain",
        f"{where} reaches {end}, but its total is {closer.text()}: a total is taken where "
        f"the chain arrived, so write d{'L' if closer.output is None else 'E_' + closer.output}"
        f"/d{end} (or carry the chain on to {node}).",
    )


def _not_a_chain(term, where: str, cg: ChainGraph) -> Problem:
    foreign = next(
        ((num, den) for num, den in term if den != cg.param and cg.kinds.get(den) == "parameter"),
        None,
    )
    if foreign is not None and any(den == cg.param for _, den in term):
        return _foreign_edge(foreign, term, where, cg)
    by_den: dict[str, list[str]] = {}
    for num, den in term:
        by_den.setdefault(den, []).append(num)
    branch = next(
        ((den, sorted(set(nums))) for den, nums in by_den.items() if len(set(nums)) > 1), None
    )
    ends = sum(1 for num, _ in term if num == L)
    if branch is not None or ends > 1:
        if branch is not None:
            den, nums = branch
            detail = (
                f"the factors {_names([f'd{n}/d{den}' for n in nums])} all leave {den}, "
                "so they belong to different paths"
            )
        else:
            detail = f"it reaches L {ends} times, so it holds more than one path"
        return Problem(
            "product_not_sum",
            f"{where} multiplies paths together: {detail}. Multiply the factors along one "
            "path, then add the products of the different paths.",
        )
    repeated = [f for f, n in Counter(term).items() if n > 1]
    if repeated:
        return Problem(
            "repeated_factor",
            f"{where} has {factor_text(repeated[0])} more than once; along one path each "
            "edge is crossed once.",
        )
    nums = {num for num, _ in term}
    dens = {den for _, den in term}
    ordered = sorted(term, key=lambda f: cg.order.get(f[1], 0))
    for num, den in ordered:
        if num != L and num not in dens:
            nxt = [f for f in ordered if cg.order.get(f[1], 0) > cg.order.get(num, 0)]
            but = f", but the next factor is {factor_text(nxt[0])}" if nxt else ""
            return Problem(
                "broken_chain",
                f"{where} breaks after d{num}/d{den}: the next factor must start at {num} "
                f"(d?/d{num}){but}. Each factor starts where the previous one ended.",
            )
    arrivals = Counter(num for num, _ in term)
    merged = sorted((n for n in nums if arrivals[n] > 1), key=lambda n: cg.order.get(n, 0))
    detail = f": several factors arrive at {merged[0]}" if merged else ""
    return Problem(
        "broken_chain",
        f"{where} does not form one chain from {cg.param} to L{detail}. Each factor starts "
        "where the previous one ended.",
    )


def _foreign_edge(factor, term, where: str, cg: ChainGraph) -> Problem:
    """do2/dw7 inside a product for dL/dw1: the edge from another parameter, kept by mistake."""
    num, other = factor
    word = cg.parameter_word(other)
    reached = [n for n, _ in term if n != num and cg.has_edge(num, n)]
    fix = f" Write d{num}/d{reached[0]} in its place: {other} shows up inside that factor." if (
        reached
    ) else ""
    return Problem(
        "extra_factor",
        f"{where} contains d{num}/d{other}, the edge from the {word} {other} into {num}. It "
        f"is the extra factor: a path from {cg.param} to L passes through neurons only, never "
        f"through another parameter, so it never crosses that edge.{fix}",
    )


def _sum_not_product(named, cg: ChainGraph) -> Problem | None:
    """Factors of paths added one by one: every term a piece, together the paths."""
    if len(named) < 2:
        return None
    for term in named:
        chain = chain_of(term)
        if chain is None:  # factors multiplied out of order: not an addition of pieces
            return None
        if chain[0] == cg.param and chain[-1] == L:
            return None
    coarse = [cg.project(p) for p in cg.paths["pre-activation"]]
    on_paths = {(p[k], p[k + 1]) for p in coarse for k in range(len(p) - 1)}
    factors = {f for term in named for f in term}
    neuron_of = cg.core.neuron_of
    projected = {(neuron_of(den), neuron_of(num)) for num, den in factors}
    projected = {(a, b) for a, b in projected if a != b}
    if not projected <= on_paths:
        return None
    if not any(den == cg.param for _, den in factors) or not any(n == L for n, _ in factors):
        return None
    return Problem(
        "sum_not_product",
        "These factors are added, but the factors along one path are multiplied: "
        f"dL/d{cg.param} is a sum of products, one product for each path from {cg.param} "
        "to L.",
    )
