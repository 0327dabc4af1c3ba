"""The explorer's text: HTML with LaTeX for MathJax, built from a ChainRule.

Pure functions of core objects, so they can be tested without a browser.
"""

from __future__ import annotations

import html

from ..core.chain_rule import LOSS_NODE, NET_PREFIX, ChainRule, ComputationGraph, latex_name

# More products than this are not written out: the panel shows the count and the
# delta form, which is what backprop computes anyway.
MAX_TERMS_SHOWN = 16
DIGITS = 4

ACT_LATEX = {
    "sigmoid": r"\sigma'",
    "tanh": r"\tanh'",
    "relu": r"\mathrm{relu}'",
    "linear": r"\mathrm{id}'",
}


def number(value: float, digits: int = DIGITS) -> str:
    """A value as LaTeX, in brackets when negative so products read clearly."""
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return f"({text})" if value < 0 else text


def total(value: float) -> str:
    """The total, with 6 significant digits (the digits the tests compare)."""
    return f"{value:.6g}"


def d(num: str, den: str) -> str:
    return rf"\frac{{\partial {latex_name(num)}}}{{\partial {latex_name(den)}}}"


def _lines(lhs: str, terms: list[str]) -> str:
    """lhs = t1 + t2 + ...; one term per line when there are several, for narrow screens."""
    if len(terms) <= 2:
        return f"$${lhs} = {' + '.join(terms)}$$"
    body = r" \\ &\quad + ".join(terms)
    return rf"$$\begin{{aligned}}{lhs} &= {body}\end{{aligned}}$$"


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
        symbolic = [" ".join(f.latex() for f in term) for term in cr.terms]
        numeric = [r" \cdot ".join(number(f.value) for f in term) for term in cr.terms]
        parts += [
            "<p>The chain rule: one product of local derivatives per path, added up.</p>",
            f'<div class="bpw-general">{_lines(lhs, symbolic)}</div>',
            "<p>Every factor's value at this example:</p>",
            f'<div class="bpw-values">{_lines(lhs, numeric)}</div>',
            f'<div class="bpw-total">$${lhs} = {total(cr.value)}$$</div>',
            "<p>Backprop's form: the shared factors are taken out, and what is left "
            "below each neuron is its delta &delta; = &part;L/&part;neuron, computed once.</p>",
            f'<div class="bpw-factored">$${lhs} = {cr.factored_latex()}$$</div>',
        ]
    else:
        parts += [
            f"<p>{count} paths are too many to write out; backprop never lists them. "
            "It gives each neuron one delta, &delta; = &part;L/&part;neuron, and each delta "
            "is a short sum over the layer after it.</p>",
            f'<div class="bpw-total">$${lhs} = {total(cr.value)}$$</div>',
        ]
    parts.append(f'<div class="bpw-deltas">{delta_form(cr)}</div>')
    parts.append(f'<div class="bpw-why">{why_no_weight_nodes(cr)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def delta_symbol(node: str) -> str:
    return rf"\delta_{{{latex_name(node)}}}"


def delta_form(cr: ChainRule) -> str:
    """dL/dp = sum over first nodes of (d node/dp) delta_node, with numbers."""
    g = cr.graph
    firsts = g.parameter_targets(cr.param)
    symbolic = _gradient_sum(g, cr.param)
    numeric = " + ".join(f"{number(v)} \\cdot {number(g.delta(n))}" for n, v in firsts)
    rows = [
        rf"{d(LOSS_NODE, cr.param)} &= {symbolic} \\ &= {numeric} = {total(cr.value)}",
    ]
    for node, _ in firsts[:4]:
        rows.append(delta_row(g, node))
    return r"$$\begin{aligned}" + r" \\[4pt] ".join(rows) + r"\end{aligned}$$"


def delta_row(g: ComputationGraph, node: str) -> str:
    """delta_node = sum_c (dc/dnode) delta_c = numbers = value."""
    eq = g.delta_equation(node)
    if not eq.terms:
        return rf"{delta_symbol(node)} &= 1"
    if len(eq.terms) == 1 and eq.terms[0][1] == LOSS_NODE:
        return rf"{delta_symbol(node)} &= {eq.terms[0][0].latex()} = {number(eq.value)}"
    symbolic, numeric = [], []
    for factor, child in eq.terms[:6]:
        if child == LOSS_NODE:
            symbolic.append(factor.latex())
            numeric.append(number(factor.value))
        else:
            symbolic.append(rf"{factor.latex()} \, {delta_symbol(child)}")
            numeric.append(rf"{number(factor.value)} \cdot {number(g.delta(child))}")
    more = r" + \dots" if len(eq.terms) > 6 else ""
    return (
        rf"{delta_symbol(node)} &= {' + '.join(symbolic)}{more} \\ "
        rf"&= {' + '.join(numeric)}{more} = {number(eq.value)}"
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
        text += (
            "<p>For example:</p>"
            + "$$\\begin{aligned}"
            + r" \\ ".join(examples)
            + r"\end{aligned}$$"
        )
    return text


def _weights_inside_factors(cr: ChainRule, limit: int = 2) -> list[str]:
    """Rows like do1/dh1 = sigma'(net_o1) * w5 = 0.1868 * 0.4 = 0.0747."""
    g = cr.graph
    net = g.net
    if g.level != "neuron" or not cr.enumerated:
        return []
    weight_of = {}
    for name in net.weight_names:
        info = net.parameter_info(name)
        weight_of[(info.source, info.targets[0])] = name
    rows, seen = [], set()
    for term in cr.terms:
        for f in term[1:]:
            key = (f.den, f.num)
            if f.num == LOSS_NODE or key in seen or key not in weight_of:
                continue
            layer = g.layer_of(f.num)
            act = net.activation[layer - 1]
            if act not in ACT_LATEX:
                continue
            seen.add(key)
            w = weight_of[key]
            slope = f.value / net[w] if net[w] != 0 else float("nan")
            net_in = rf"\mathrm{{net}}_{{{f.num}}}"
            rows.append(
                rf"{f.latex()} &= {ACT_LATEX[act]}({net_in}) \cdot {latex_name(w)}"
                + (
                    rf" = {number(slope)} \cdot {number(net[w])} = {number(f.value)}"
                    if net[w] != 0
                    else ""
                )
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
    shown = node[len(NET_PREFIX) :] if node.startswith(NET_PREFIX) else node
    parts = [f'<div class="bpw-step" data-step="{revealed}" data-node="{html.escape(node)}">']
    parts.append(
        f"<p>Step {revealed} of {len(order)}: node <b>{html.escape(shown if node == shown else node)}</b></p>"
    )
    if node == LOSS_NODE:
        parts.append(r"$$\delta_L = \frac{\partial L}{\partial L} = 1$$")
    else:
        parts.append(r"$$\begin{aligned}" + delta_row(g, node) + r"\end{aligned}$$")
    if known:
        rows = [rf"{d(LOSS_NODE, p)} &= {_gradient_sum(g, p)} = {total(v)}" for p, v in known[:6]]
        more = f"<p>and {len(known) - 6} more.</p>" if len(known) > 6 else ""
        parts.append(
            "<p>Now known:</p>$$\\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$$" + more
        )
    parts.append("</div>")
    return "\n".join(parts)


def _gradient_sum(g: ComputationGraph, param: str) -> str:
    return " + ".join(rf"{d(n, param)} \, {delta_symbol(n)}" for n, _ in g.parameter_targets(param))
