"""The explorer's text: HTML with LaTeX for MathJax, built from a ChainRule.

Pure functions of core objects, so they can be tested without a browser. Every number is
written by :mod:`backprop_widgets.core.numbers`, and every line with numbers adds up: its
right side, worked out from the numbers shown, is the quantity on its left.
"""

from __future__ import annotations

import html

from ..core import numbers
from ..core.chain_rule import LOSS_NODE, ChainRule, ComputationGraph, latex_name

# More products than this are not written out: the panel shows the count and the
# delta form, which is what backprop computes anyway.
MAX_TERMS_SHOWN = 16
# A delta that is a sum of more terms than this is written symbolically, with its value.
MAX_DELTA_TERMS = 6
DIGITS = numbers.DIGITS  # each factor
TOTAL_DIGITS = 6  # a gradient's total: enough to compare with a published worked example

ACT_LATEX = {
    "sigmoid": r"\sigma'",
    "tanh": r"\tanh'",
    "relu": r"\mathrm{relu}'",
    "linear": r"\mathrm{id}'",
}


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
    """Display math for HTML: escaped, so a node named "<i>h" is text that MathJax typesets
    (the browser turns &lt; and &amp; back into the < and & MathJax reads)."""
    return "$$" + html.escape(latex, quote=False) + "$$"


def aligned(rows: list[str], gap: str = "") -> str:
    """Rows of an aligned environment, as display math."""
    return display(r"\begin{aligned}" + (r" \\" + gap + " ").join(rows) + r"\end{aligned}")


def _lines(lhs: str, terms: list[str]) -> str:
    """lhs = t1 + t2 + ...; one term per line when there are several, for narrow screens."""
    if len(terms) <= 2:
        return display(f"{lhs} = {' + '.join(terms)}")
    return aligned([f"{lhs} &= {terms[0]}", *(rf"&\quad + {t}" for t in terms[1:])])


def panel_html(cr: ChainRule) -> str:
    """Everything the explorer says about dL/dparam for one example."""
    g = cr.graph
    p = cr.param
    lhs = d(LOSS_NODE, p)
    count = cr.path_count
    parts = [
        f'<div class="bpw-explorer-panel" data-param="{html.escape(p)}" data-level="{g.level}">',
        f"<h4>∂L/∂{html.escape(p)}: {count} path{'s' if count != 1 else ''} from {html.escape(p)} to L</h4>",
    ]
    if cr.enumerated and count <= MAX_TERMS_SHOWN:
        parts += _sum_over_paths(cr, lhs)
    else:
        parts += [
            f"<p>{count} paths are too many to write out; backprop never lists them. "
            "It gives each neuron one delta, &delta; = &part;L/&part;neuron, and each delta "
            "is a short sum over the layer after it.</p>",
            f'<div class="bpw-total">{display(f"{lhs} = {total(cr.value)}")}</div>',
        ]
    parts.append(f'<div class="bpw-deltas">{delta_form(cr)}</div>')
    parts.append(f'<div class="bpw-why">{why_no_weight_nodes(cr)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _sum_over_paths(cr: ChainRule, lhs: str) -> list[str]:
    """The sum over paths, symbolic and with numbers, its total, and backprop's grouping."""
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
    if factored == " + ".join(symbolic):
        # nothing to take out: the same equation again would only look like a second idea
        reason = "one path" if cr.path_count == 1 else "no factor shared between the paths"
        parts.append(
            f"<p>With {reason} there is nothing to take out: backprop's form is this same "
            "expression, with each neuron's delta &delta; = &part;L/&part;neuron, below.</p>"
        )
    else:
        parts += [
            "<p>Backprop's form: the shared factors are taken out, and what is left "
            "below each neuron is its delta &delta; = &part;L/&part;neuron, computed once.</p>",
            f'<div class="bpw-factored">{display(f"{lhs} = {factored}")}</div>',
        ]
    return parts


def delta_form(cr: ChainRule) -> str:
    """dL/dp = sum over first nodes of (d node/dp) delta_node, with numbers."""
    g = cr.graph
    firsts = g.parameter_targets(cr.param)
    rows = [
        rf"{d(LOSS_NODE, cr.param)} &= {_gradient_sum(g, cr.param)} \\ "
        rf"&= {_gradient_numbers(g, cr.param)} = {result(cr.value)}",
    ]
    for node, _ in firsts[:4]:
        rows.append(delta_row(g, node))
    return aligned(rows, gap="[4pt]")


def delta_row(g: ComputationGraph, node: str) -> str:
    """delta_node = sum_c (dc/dnode) delta_c = the same with numbers = value."""
    eq = g.delta_equation(node)
    lhs = delta_symbol(node)
    if not eq.terms:
        return rf"{lhs} &= 1"
    if len(eq.terms) == 1 and eq.terms[0][1] == LOSS_NODE:
        return rf"{lhs} &= {eq.terms[0][0].latex()} = {result(eq.value)}"
    symbolic = [
        factor.latex() if child == LOSS_NODE else rf"{factor.latex()} \, {delta_symbol(child)}"
        for factor, child in eq.terms
    ]
    if len(eq.terms) > MAX_DELTA_TERMS:
        shown = " + ".join(symbolic[:MAX_DELTA_TERMS])
        return rf"{lhs} &= {shown} + \dots \ ({len(eq.terms)}\text{{ terms}}) = {result(eq.value)}"
    numeric = [
        numbers.latex(factor.value)
        if child == LOSS_NODE
        else rf"{numbers.latex(factor.value)} \cdot {numbers.latex(delta)}"
        for (factor, child), delta in zip(eq.terms, eq.child_deltas, strict=True)
    ]
    return (
        rf"{lhs} &= {' + '.join(symbolic)} \\ "
        rf"&= {' + '.join(numeric)} = {result(eq.value)}"
    )


def why_no_weight_nodes(cr: ChainRule) -> str:
    """The seed question's lesson, for this parameter: other weights live inside factors."""
    g = cr.graph
    p = cr.param
    firsts = [n for n, _ in g.parameter_targets(p)]
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
            weight = g.weight_between(f.den, f.num) if f.num != LOSS_NODE else None
            if weight is None or (f.den, f.num) in seen:
                continue
            act = g.net.activation[g.layer_of(f.num) - 1]
            if act not in ACT_LATEX:  # softmax: the factor is a sum over the layer's net inputs
                continue
            seen.add((f.den, f.num))
            rows.append(
                rf"{f.latex()} &= {ACT_LATEX[act]}({latex_name(g.net_input_of(f.num))}) "
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
    if node == LOSS_NODE:
        parts.append(display(r"\delta_L = \frac{\partial L}{\partial L} = 1"))
    else:
        parts.append(aligned([delta_row(g, node)]))
    if known:
        rows = [
            rf"{d(LOSS_NODE, p)} &= {_gradient_sum(g, p)} = {_gradient_numbers(g, p)} = {result(v)}"
            for p, v in known[:6]
        ]
        more = f"<p>and {len(known) - 6} more.</p>" if len(known) > 6 else ""
        parts.append("<p>Now known:</p>" + aligned(rows) + more)
    parts.append("</div>")
    return "\n".join(parts)


def _gradient_sum(g: ComputationGraph, param: str) -> str:
    return " + ".join(rf"{d(n, param)} \, {delta_symbol(n)}" for n, _ in g.parameter_targets(param))


def _gradient_numbers(g: ComputationGraph, param: str) -> str:
    """sum over the nodes the parameter enters of (d node/d param) * delta_node, with numbers."""
    return " + ".join(
        rf"{numbers.latex(v)} \cdot {numbers.latex(g.delta(n))}"
        for n, v in g.parameter_targets(param)
    )
