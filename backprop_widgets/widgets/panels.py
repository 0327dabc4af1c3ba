"""The explorer's text: HTML with $$LaTeX$$ formulas (widgets/mathml.py typesets them as MathML), built from a ChainRule.

Pure functions of core objects, so they can be tested without a browser. Every number is
written by :mod:`backprop_widgets.core.numbers`, and every line with numbers adds up: its
right side, worked out from the numbers shown, is the quantity on its left.
"""

from __future__ import annotations

import html

from ..core import numbers
from ..core.chain_rule import ChainRule, ComputationGraph, latex_name
from ..core.ops import ACTIVATIONS

# More products than this are not written out: the panel shows the count and the
# delta form, which is what backprop computes anyway.
MAX_PATHS_WRITTEN = 128
# Up to this many paths the sum is written out twice, with symbols and with numbers; more
# are grouped where they part (ChainRule.groups), one line per group.
FLAT_PATHS = 6
# Groups (and a group's paths) past this many wait behind an expander, so a long sum never
# pushes the diagram's formula off the screen.
OPEN_ROWS = 4
# One path chip per product, up to this many paths.
MAX_TERMS_SHOWN = 16
# Terms per line of a long sum, so that every line fits a ~400 px column (symbols are
# narrower than the numbers they stand for).
SYMBOLS_PER_LINE = 3
NUMBERS_PER_LINE = 2
# Backprop's factored form is one expression that cannot break inside its brackets: it is
# written out only while it is short enough to fit the column.
FACTORED_MAX_FRACTIONS = 10
# A delta that is a sum of more terms than this is written symbolically, with its value.
MAX_DELTA_TERMS = 6
DIGITS = numbers.DIGITS  # each factor
TOTAL_DIGITS = 6  # a gradient's total: enough to compare with a published worked example


def result(number: float, digits: int = DIGITS) -> str:
    """A value standing alone after "=": the core's LaTeX, without a factor's brackets."""
    text = numbers.latex(number, digits)
    return text[1:-1] if text.startswith("(") else text


def total(number: float) -> str:
    """A gradient's total, to TOTAL_DIGITS significant digits."""
    return result(number, TOTAL_DIGITS)


def d(num: str, den: str) -> str:
    return rf"\frac{{\partial {latex_name(num)}}}{{\partial {latex_name(den)}}}"


def delta_symbol(node: str) -> str:
    return rf"\delta_{{{latex_name(node)}}}"


def display(latex: str) -> str:
    """Display math for HTML: escaped, so a node named "<i>h" stays text (mathml.py unescapes
    the formula before reading it and escapes it again in MathML)."""
    return "$$" + html.escape(latex, quote=False) + "$$"


def aligned(rows: list[str], gap: str = "") -> str:
    """Rows of an aligned environment, as display math."""
    return display(r"\begin{aligned}" + (r" \\" + gap + " ").join(rows) + r"\end{aligned}")


def _lines(lhs: str, terms: list[str]) -> str:
    """lhs = t1 + t2 + ...; one term per line when there are several, for narrow screens
    (two products of three fractions are already wider than a phone or a zoomed column)."""
    if len(terms) == 1:
        return display(f"{lhs} = {' + '.join(terms)}")
    return aligned([f"{lhs} &= {terms[0]}", *(rf"&\quad + {t}" for t in terms[1:])])


def sum_rows(start: str, terms: list[str], per_line: int, value: str | None = None) -> list[str]:
    """Rows of an aligned sum ``start t1 + t2 ... = value``, ``per_line`` terms a row.

    A sum that needs more than one row gets its value on a row of its own (``&= value``),
    so that every row reads as arithmetic: a continued sum, or what it adds up to."""
    chunks = [terms[i : i + per_line] for i in range(0, len(terms), per_line)] or [[]]
    rows = [start + " + ".join(chunks[0])]
    rows += [r"&\quad + " + " + ".join(chunk) for chunk in chunks[1:]]
    if value is not None:
        if len(rows) == 1:
            rows[0] += f" = {value}"
        else:
            rows.append(f"&= {value}")
    return rows


def panel_html(cr: ChainRule) -> str:
    """Everything the explorer says about dL/dparam for one example."""
    g = cr.graph
    p = cr.param
    end = html.escape(g.end)
    lhs = d(g.end, p)
    count = cr.path_count
    parts = [
        f'<div class="bpw-explorer-panel" data-param="{html.escape(p)}" data-level="{g.level}">',
        # a title, not a heading: inside a notebook a widget cannot know the level it sits at
        f'<p class="bpw-panel-title">∂{end}/∂{html.escape(p)}: {count} path{"s" if count != 1 else ""} from {html.escape(p)} to {end}</p>',
    ]
    if cr.enumerated and count <= FLAT_PATHS:
        parts += _sum_over_paths(cr, lhs)
    elif cr.enumerated and count <= MAX_PATHS_WRITTEN:
        parts += _grouped_sum(cr, lhs)
    else:
        parts += [
            f"<p>{count} paths are too many to write out; backprop never lists them. "
            f"It gives each {_unit(g)} one delta, &delta; = &part;{end}/&part;{_unit(g)}, and each delta "
            "is a short sum over the layer after it.</p>",
            f'<div class="bpw-total">{display(f"{lhs} = {total(cr.value)}")}</div>',
        ]
    parts.append(f'<div class="bpw-deltas">{delta_form(cr)}</div>')
    parts.append(f'<div class="bpw-why">{why_no_weight_nodes(cr)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _unit(g: ComputationGraph) -> str:
    """What backprop gives a delta to: a neuron of a network drawn by neurons, else a node."""
    return "neuron" if g.net is not None and g.level != "operation" else "node"


def _sum_over_paths(cr: ChainRule, lhs: str) -> list[str]:
    """The sum over paths, symbolic and with numbers, its total, and backprop's grouping."""
    unit, end = _unit(cr.graph), html.escape(cr.graph.end)
    delta = f"&delta; = &part;{end}/&part;{unit}"
    symbolic = [" ".join(f.latex() for f in term) for term in cr.terms]
    numeric = [r" \cdot ".join(numbers.latex(f.value, DIGITS) for f in term) for term in cr.terms]
    parts = [
        "<p>The chain rule: one product of local derivatives per path, added up.</p>",
        f'<div class="bpw-general">{_lines(lhs, symbolic)}</div>',
        "<p>Every factor's value at this example:</p>",
        f'<div class="bpw-values">{_lines(lhs, numeric)}</div>',
        f'<div class="bpw-total">{display(f"{lhs} = {total(cr.value)}")}</div>',
    ]
    factored = cr.factored_latex()
    if factored.count(r"\frac") > FACTORED_MAX_FRACTIONS:
        parts.append(
            f"<p>Backprop's form takes the shared factors out: what is left below each {unit} "
            f"is its delta {delta}, computed once, as below.</p>"
        )
    elif factored == " + ".join(symbolic):
        # nothing to take out: the same equation again would only look like a second idea
        reason = "one path" if cr.path_count == 1 else "no factor shared between the paths"
        parts.append(
            f"<p>With {reason} there is nothing to take out: backprop's form is this same "
            f"expression, with each {unit}'s delta {delta}, below.</p>"
        )
    else:
        parts += [
            "<p>Backprop's form: the shared factors are taken out, and what is left "
            f"below each {unit} is its delta {delta}, computed once.</p>",
            f'<div class="bpw-factored">{display(f"{lhs} = {factored}")}</div>',
        ]
    return parts


def _grouped_sum(cr: ChainRule, lhs: str) -> list[str]:
    """Many paths: the total, then one line per group of paths that share their start
    (ChainRule.groups), each group's own paths behind an expander."""
    groups = cr.groups()
    terms, values = cr.terms, cr.term_values()
    where = html.escape(", ".join(shared[-1] for shared, _ in groups[:3]))
    rows = [_group_item(cr, shared, members, terms, values) for shared, members in groups]
    parts = [
        f"<p>The chain rule: one product of local derivatives per path, {cr.path_count} "
        f"products added up. Grouped where the paths part ({where}"
        f"{', …' if len(groups) > 3 else ''}), each group adds up to its shared factors times "
        "that node's delta &delta; = &part;L/&part;node:</p>",
        f'<div class="bpw-total">{display(f"{lhs} = {total(cr.value)}")}</div>',
        f'<ol class="bpw-groups">{"".join(rows[:OPEN_ROWS])}</ol>',
    ]
    if len(rows) > OPEN_ROWS:
        parts.append(
            f'<details class="bpw-more"><summary>{len(rows) - OPEN_ROWS} more groups</summary>'
            f'<ol class="bpw-groups" start="{OPEN_ROWS + 1}">{"".join(rows[OPEN_ROWS:])}</ol>'
            "</details>"
        )
    return parts


def _group_item(cr: ChainRule, shared, members, terms, values) -> str:
    """One group as a list item: its sum, and (behind an expander) each of its paths."""
    if len(members) == 1:  # a group of one path is that path's product
        return f"<li>{_path_line(terms[members[0]], values[members[0]])}</li>"
    node = shared[-1]
    factors = terms[members[0]][: len(shared) - 1]
    product = " ".join(f.latex() for f in factors) + rf" \, {delta_symbol(node)}"
    paths = "".join(f"<li>{_path_line(terms[i], values[i])}</li>" for i in members)
    return (
        f'<li data-node="{html.escape(node)}">via {html.escape(node)}: '
        f"{_inline(product)} = {numbers.plain(sum(values[i] for i in members))}"
        f"<details><summary>its {len(members)} paths</summary><ul>{paths}</ul></details></li>"
    )


def _path_line(term, value: float) -> str:
    return f"{_inline(' '.join(f.latex() for f in term))} = {numbers.plain(value)}"


def _inline(latex: str) -> str:
    """Inline math: the text around it wraps to the column, the formula stays whole (in
    display style: inline fractions are too small to read on a projector)."""
    return r"\(\displaystyle " + html.escape(latex, quote=False) + r"\)"


def delta_form(cr: ChainRule) -> str:
    """dL/dp = sum over first nodes of (d node/dp) delta_node, with numbers."""
    g = cr.graph
    firsts = _firsts(g, cr.param)
    rows = _gradient_rows(g, cr.param, cr.value)
    for node, _ in firsts[:4]:
        rows += delta_rows(g, node)
    return aligned(rows, gap="[4pt]")


def delta_rows(g: ComputationGraph, node: str) -> list[str]:
    """delta_node = sum_c (dc/dnode) delta_c = the same with numbers = value, as rows."""
    eq = g.delta_equation(node)
    lhs = delta_symbol(node)
    if not eq.terms:
        return [rf"{lhs} &= 1"]
    if len(eq.terms) == 1 and eq.terms[0][1] == g.end:
        return [rf"{lhs} &= {eq.terms[0][0].latex()} = {result(eq.value)}"]
    symbolic = [
        factor.latex() if child == g.end else rf"{factor.latex()} \, {delta_symbol(child)}"
        for factor, child in eq.terms
    ]
    if len(eq.terms) > MAX_DELTA_TERMS:
        shown = [*symbolic[:MAX_DELTA_TERMS], rf"\dots \ ({len(eq.terms)}\text{{ terms}})"]
        return sum_rows(f"{lhs} &= ", shown, SYMBOLS_PER_LINE, result(eq.value))
    numeric = [
        numbers.latex(factor.value)
        if child == g.end
        else rf"{numbers.latex(factor.value)} \cdot {numbers.latex(delta)}"
        for (factor, child), delta in zip(eq.terms, eq.child_deltas, strict=True)
    ]
    rows = sum_rows(f"{lhs} &= ", symbolic, SYMBOLS_PER_LINE)
    return rows + sum_rows("&= ", numeric, NUMBERS_PER_LINE, result(eq.value))


def why_no_weight_nodes(cr: ChainRule) -> str:
    """The seed question's lesson, for this parameter: other weights live inside factors."""
    g = cr.graph
    p = cr.param
    firsts = [n for n, _ in _firsts(g, p)]
    if g.net is None:  # any graph: the same lesson in the graph's own words
        users = ", ".join(html.escape(n) for n in firsts)
        if g.parents(p):
            return (
                f"<p>Every path from {html.escape(p)} to {html.escape(g.end)} starts at the nodes "
                f"that use {html.escape(p)} ({users}); what {html.escape(p)} was computed from "
                "is behind it, not on its paths.</p>"
            )
        return (
            f"<p>{html.escape(p)} is a leaf: nothing flows into it, so no factor "
            f"&part;{html.escape(p)}/&part;(another node) is a step of the graph. Every path starts "
            f"at the nodes that use it ({users}).</p>"
        )
    text = (
        f"<p>{html.escape(p)} is an independent variable: nothing depends on it except "
        f"{', '.join(html.escape(n) for n in firsts)}, so every path starts there. "
        "A factor such as &part;w/&part;h (a weight differentiated by a neuron) never appears: "
        "other weights are constants inside the factors.</p>"
    )
    examples = _weights_inside_factors(cr)
    if examples:
        text += "<p>For example:</p>" + aligned(examples)
    return text


def _weights_inside_factors(cr: ChainRule, limit: int = 2) -> list[str]:
    """Rows like do1/dh1 = sigma'(net_o1) * w5 = 0.1868 * 0.4 = 0.0747."""
    g = cr.graph
    if g.level != "neuron" or not cr.enumerated:
        return []
    rows, seen = [], set()
    for term in cr.terms:
        for f in term[1:]:
            weight = g.weight_between(f.den, f.num) if f.num != g.end else None
            if weight is None or (f.den, f.num) in seen:
                continue
            act = ACTIVATIONS[g.net.activation[g.layer_of(f.num) - 1]]
            if not act.elementwise:  # softmax: the factor is a sum over the layer's net inputs
                continue
            seen.add((f.den, f.num))
            rows.append(
                rf"{f.latex()} &= {act.slope_symbol_latex}({latex_name(g.net_input_of(f.num))}) "
                rf"\cdot {latex_name(weight)} = {numbers.latex(g.local_slope(f.num))} \cdot "
                rf"{numbers.latex(g.value(weight))} = {result(f.value)}"
            )
            if len(rows) >= limit:
                return rows
    return rows


def step_html(
    g: ComputationGraph, order: list[str], revealed: int, known: list[tuple[str, float]]
) -> str:
    """The backward pass after `revealed` nodes: the current node's delta and what it unlocked."""
    if revealed == 0:
        return (
            '<div class="bpw-step" data-step="0"><p>Backward pass: press <b>Step</b> to start at '
            "the loss and move back one node at a time.</p></div>"
        )
    node = order[revealed - 1]
    parts = [f'<div class="bpw-step" data-step="{revealed}" data-node="{html.escape(node)}">']
    parts.append(f"<p>Step {revealed} of {len(order)}: node <b>{html.escape(node)}</b></p>")
    if node == g.end:
        end = latex_name(g.end)
        parts.append(display(rf"\delta_{{{end}}} = \frac{{\partial {end}}}{{\partial {end}}} = 1"))
    else:
        parts.append(aligned(delta_rows(g, node)))
    if known:
        rows = [row for p, v in known[:6] for row in _gradient_rows(g, p, v)]
        more = f"<p>and {len(known) - 6} more.</p>" if len(known) > 6 else ""
        parts.append("<p>Now known:</p>" + aligned(rows) + more)
    parts.append("</div>")
    return "\n".join(parts)


def _gradient_rows(g: ComputationGraph, param: str, value: float) -> list[str]:
    """dL/dparam = sum over the nodes it enters of (d node/d param) delta_node, then the same
    with numbers and the value: one line unless the parameter enters many nodes (a tied bias)."""
    targets = _firsts(g, param)
    symbolic = [rf"{d(n, param)} \, {delta_symbol(n)}" for n, _ in targets]
    numeric = [rf"{numbers.latex(v)} \cdot {numbers.latex(g.delta(n))}" for n, v in targets]
    start = f"{d(g.end, param)} &= "
    if len(targets) == 1:
        return [f"{start}{symbolic[0]} = {numeric[0]} = {result(value)}"]
    rows = sum_rows(start, symbolic, SYMBOLS_PER_LINE)
    return rows + sum_rows("&= ", numeric, NUMBERS_PER_LINE, result(value))


def _firsts(g: ComputationGraph, name: str) -> list[tuple[str, float]]:
    """The nodes that use ``name`` directly (where its paths start), with d node / d name."""
    return [(f.num, f.value) for f in g.steps_from(name)]
