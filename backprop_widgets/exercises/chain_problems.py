"""What is wrong with one factor or one product of a chain-rule answer, in plain words.

:func:`check_factor` says why ``d num / d den`` is not an edge of the graph (a weight
differentiated as a function, an upside-down factor, a skipped node, ...); the term
messages say why a product is not one path from the parameter to L. The judge in
:mod:`.leibniz` decides which applies; this module only words it.
"""

from __future__ import annotations

from collections import Counter

from .chain_graph import (
    NODE_KINDS,
    ChainGraph,
    Closer,
    Problem,
    chain_of,
    factor_text,
    names,
    path_factors,
    product_text,
)
from .vocabulary import Entry


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
    E = cg.end
    if num.kind in ("loss", "loss_share") and den.kind != "loss":
        return total_problem(num, den, cg)
    for entry in (num, den):
        if entry.kind == "delta":
            return Problem(
                "not_an_edge",
                f"{f}: {entry.name} is a delta, a derivative of {E} itself; it stands on its own "
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
    if num.kind in ("parameter", "input") and not cg.is_network:
        return _leaf_problem(num, f, a, b, term, cg)
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
                f"{f}: {entry.name} is {what}; it is not on any path from {cg.param} to {E}.",
            )
    if den.kind == "loss":
        return Problem(
            "not_an_edge", f"{f}: nothing depends on {E}; {E} is the end of every chain."
        )
    if a in cg.descendants(b):
        # name the way through at the level the student is writing in
        net_level = level == "pre-activation" or "net" in (cg.kinds.get(a), cg.kinds.get(b))
        children = cg.children(b, cg.PRE if net_level else "neuron")
        via = [c for c in children if c == a or a in cg.descendants(c)]
        via = sorted(via, key=lambda n: cg.order.get(n, 0)) or [a]
        return Problem(
            "not_an_edge",
            f"{f} is not one step of the graph: {a} depends on {b} only through "
            f"{names(via)}. Each factor of a chain-rule product is a single edge "
            f"(d child / d parent), so go through {names(via)}, starting with "
            f"d{via[0]}/d{b}.",
        )
    return Problem(
        "not_an_edge",
        f"{f}: {a} does not depend on {b} at all (no path leads from {b} to {a}), so "
        f"{f} = 0 and it has no place in a chain from {cg.param} to {E}.",
    )


def total_problem(num: Entry, den: Entry, cg: ChainGraph) -> Problem | None:
    """None when dL/d den (or dE_o1/d den) may stand in a derivation of dL/d param.

    A total is fine at any node the parameter reaches. dL/d(parameter) never is: of the
    question's own parameter it restates the question, of another it is off every path.
    """
    f = f"d{num.name}/d{den.name}"
    p, E = cg.param, cg.end
    if den.name == p:
        what = "gradient" if den.kind == "parameter" else "derivative"
        text = (
            f"{f} is the {what} the question asks for, so an answer that contains it "
            f"restates the question instead of deriving it (× 1 or not). Write it with "
            f"local derivatives along the paths from {p} to {E}, or with totals at the nodes "
            f"{p} feeds ({names(cg.children(p, 'neuron'))})."
        )
        return Problem("total_of_parameter", text)
    if den.kind == "parameter" and not cg.is_network:
        text = (
            f"{f} is the derivative of {E} with respect to another leaf, {den.name}; it is not "
            f"a step on the way from {p} to {E}. A chain from {p} passes through the nodes "
            f"{p} reaches, never through another leaf."
        )
        return Problem("total_of_parameter", text)
    if den.kind == "parameter":
        text = (
            f"{f} is the gradient of another parameter, {den.name}; it is not a step on "
            f"the way from {p} to L. A chain from {p} passes through neurons only, never "
            "through another parameter."
        )
        return Problem("total_of_parameter", text)
    if den.kind not in NODE_KINDS:
        return Problem("not_an_edge", f"{f}: {den.name} is not a node of the graph.")
    if not cg.reaches(den.name):
        what = "a node"
        if den.kind == "input":
            what = "an input, data given to the network" if cg.is_network else "an input"
        return Problem(
            "unreachable_total",
            f"{f}: {den.name} is {what} that {p} does not reach (no path leads from {p} to "
            f"{den.name}), so how {E} changes with {den.name} is no part of d{E}/d{p}. A total "
            f"belongs in the answer only at a node on the way from {p} to {E}.",
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


def say_once(problems: list) -> list:
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


def _leaf_problem(num: Entry, f: str, a: str, b: str, term, cg: ChainGraph) -> Problem:
    """d(leaf)/d(node) in any graph's chain: nothing flows into a leaf (the seed's dw7/dh1,
    in its general form)."""
    code = "parameter_as_function" if num.kind == "parameter" else "input_as_function"
    text = (
        f"{a} is {'a parameter' if num.kind == 'parameter' else 'an input'}: nothing flows "
        f"into it, so {f} is not a step of the graph. A chain to {cg.end} only moves forward, "
        f"from a node to a node computed from it."
    )
    after = [n.name for n, d in term if d.name == a and cg.has_edge(n.name, b)]
    if after:
        m = after[0]
        text += f" Go straight from {b} to {m} with d{m}/d{b}: {a} shows up inside it."
    elif cg.has_edge(b, a):
        pass  # upside down: said before this is reached
    return Problem(code, text)


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


def merge_levels(problems: list[Problem], level: str | None) -> list[Problem]:
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
def total_elsewhere(edges, closer: Closer, where: str, cg: ChainGraph) -> Problem:
    """The chain reaches one node and the total is taken at another."""
    end = chain_of(edges)[-1]
    node = closer.node
    core = cg.core
    E = cg.end
    chain = chain_of(edges)
    if chain is not None and node in chain[:-1]:
        after = chain[chain.index(node) :]
        extra = product_text(path_factors(after))
        return Problem(
            "extra_factor",
            f"{where} goes on past {node} with {extra}, but {closer.text()} already stands "
            f"for every path from {node} to {E}, those steps included: {extra} is counted twice. "
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
            f"d{end}/d{node} twice: take d{E if closer.output is None else 'E_' + closer.output}"
            f"/d{end} instead of {closer.text()}.",
        )
    if end == E:
        return Problem(
            "product_not_sum",
            f"{where} already reaches {E} and also multiplies {closer.text()}: a product is one "
            f"path; it ends at {E} or with one total, not both.",
        )
    return Problem(
        "broken_chain",
        f"{where} reaches {end}, but its total is {closer.text()}: a total is taken where "
        f"the chain arrived, so write d{E if closer.output is None else 'E_' + closer.output}"
        f"/d{end} (or carry the chain on to {node}).",
    )


def not_a_chain(term, where: str, cg: ChainGraph) -> Problem:
    E = cg.end
    foreign = next(
        ((num, den) for num, den in term if den != cg.param and cg.kinds.get(den) in cg.starts),
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
    ends = sum(1 for num, _ in term if num == E)
    if branch is not None or ends > 1:
        if branch is not None:
            den, nums = branch
            detail = (
                f"the factors {names([f'd{n}/d{den}' for n in nums])} all leave {den}, "
                "so they belong to different paths"
            )
        else:
            detail = f"it reaches {E} {ends} times, so it holds more than one path"
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
        if num != E and num not in dens:
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
        f"{where} does not form one chain from {cg.param} to {E}{detail}. Each factor starts "
        "where the previous one ended.",
    )


def _foreign_edge(factor, term, where: str, cg: ChainGraph) -> Problem:
    """do2/dw7 inside a product for dL/dw1: the edge from another parameter, kept by mistake."""
    num, other = factor
    word = cg.parameter_word(other) if cg.kinds.get(other) == "parameter" else "input"
    reached = [n for n, _ in term if n != num and cg.has_edge(num, n)]
    fix = (
        f" Write d{num}/d{reached[0]} in its place: {other} shows up inside that factor."
        if (reached)
        else ""
    )
    through = (
        "neurons only, never through another parameter"
        if cg.is_network
        else ("the nodes it reaches, never through another leaf")
    )
    return Problem(
        "extra_factor",
        f"{where} contains d{num}/d{other}, the edge from the {word} {other} into {num}. It "
        f"is the extra factor: a path from {cg.param} to {cg.end} passes through {through}, "
        f"so it never crosses that edge.{fix}",
    )


def sum_not_product(named, cg: ChainGraph) -> Problem | None:
    """Factors of paths added one by one: every term a piece, together the paths."""
    if len(named) < 2:
        return None
    for term in named:
        chain = chain_of(term)
        if chain is None:  # factors multiplied out of order: not an addition of pieces
            return None
        if chain[0] == cg.param and chain[-1] == cg.end:
            return None
    coarse = [cg.project(p) for p in cg.paths["pre-activation"]]
    on_paths = {(p[k], p[k + 1]) for p in coarse for k in range(len(p) - 1)}
    factors = {f for term in named for f in term}
    neuron_of = cg.core.neuron_of
    projected = {(neuron_of(den), neuron_of(num)) for num, den in factors}
    projected = {(a, b) for a, b in projected if a != b}
    if not projected <= on_paths:
        return None
    E = cg.end
    if not any(den == cg.param for _, den in factors) or not any(n == E for n, _ in factors):
        return None
    return Problem(
        "sum_not_product",
        "These factors are added, but the factors along one path are multiplied: "
        f"d{E}/d{cg.param} is a sum of products, one product for each path from {cg.param} "
        f"to {E}.",
    )
