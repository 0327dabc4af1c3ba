"""What a wrong value is, verified: each hint is a slip whose value is recomputed at every draw.

A *slip* is a quantity a student may have computed instead of dL/dp: the gradient of another
parameter, -dL/dp, k·dL/dp for the constant k the network's loss makes easy to get wrong, dL/dp
without the activation's slope σ′, the updated weight w − lr·dL/dp, or the sum over some paths
only. A slip is named only when it explains the answer:

- a formula is evaluated at the question's values and at every random re-draw, and a slip is
  named only when it agrees with the formula at all of them;
- a number has one value, so a slip is named only when it is the one slip that explains it:
  when two slips give the same number here but differ at the re-draws (``i2 = 2·i1`` makes
  dL/dw2 twice dL/dw1), the numbers coincide by chance and no slip is named.

Codes, in the order they are tried:

``wrong_parameter``  the gradient of another parameter.
``wrong_sign``       -dL/dp.
``constant_factor``  k·dL/dp, for the constant of the network's loss (½ of half_sse, 2/n of mse).
``forgot_slope``     dL/dp without the slope σ′(net) of the neuron the parameter feeds.
``updated_weight``   the updated parameter p − lr·dL/dp typed in place of the gradient.
``partial_sum``      the sum over some of the paths only (a path left out).
``local_only``       (any computation graph) the first local derivative d child/d node alone.
``end_value``        the end's own value: f for df/dx on any computation graph, L for dL/dp.
``paths_multiplied`` (any computation graph) the paths' terms multiplied where they are added.
``imprecise``        (numbers only) within 5 %, not within the tolerance, and no other slip.
``wrong_value``      none of these.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

from ..core.chain_rule import LOSS_NODE
from ..core.ops import ACTIVATIONS
from .chain_graph import Problem, elided, path_text
from .formula import Draw, agrees

MAX_SUBSET_PATHS = 10
LEARNING_RATES = (0.5, 0.1, 1.0, 0.05, 0.01)  # Mazur's 0.5 first
EXACT = 1e-6  # at the re-draws a slip is a formula: it must agree exactly, not within rtol


@dataclass(frozen=True)
class Slip:
    code: str
    message: str
    at: Callable[[Draw], float]  # the slip's value at one draw


def gradient_slips(param: str, draws: list[Draw], gradient=None) -> list[Slip]:
    """Every slip worth testing for dL/d param on this network, most specific first.

    ``gradient`` is dL/d param at a draw; it defaults to the draw's asked quantity, which is
    that gradient only for a gradient question: an update question passes its own, since
    its draws' ``expected`` is the updated parameter (a slip made of that is no slip).
    """
    net = draws[0].net
    g = gradient if gradient is not None else (lambda d: d.expected)
    found = [
        Slip(
            "wrong_parameter",
            f"This is dL/d{other}, but the question asks for dL/d{param}.",
            lambda d, q=other: d.pre.gradient(q),
        )
        for other in net.parameter_names
        if other != param
    ]
    found.append(
        Slip(
            "wrong_sign",
            f"The size is right but the sign is wrong. Check the order in (y − t) and every "
            f"minus sign on the way from {param} to L.",
            lambda d: -g(d),
        )
    )
    found += _constant_slips(net, g)
    found += _slope_slips(param, draws[0], g)
    found += [
        Slip(
            "updated_weight",
            f"This is the updated {net.parameter_info(param).kind}, {param} − {lr:g}·dL/d{param}: "
            f"the gradient-descent step that comes after backprop. The question asks for the "
            f"gradient dL/d{param} itself.",
            lambda d, lr=lr: d.parameters[param] - lr * g(d),
        )
        for lr in LEARNING_RATES
    ]
    found += _partial_sums(param, draws[0])
    found += loss_value_slips(f"dL/d{param}", net)
    return found


def loss_value_slips(asked: str, net) -> list[Slip]:
    """The loss typed for its derivative (Mazur's ½(o1 − t1)² + ½(o2 − t2)² for dL/dw5), and
    the loss with its constant dropped or doubled: Σ (y − t)² for half_sse is 2·L."""
    found = [
        Slip(
            "end_value",
            f"This is {LOSS_NODE} itself (the value of the loss), not its derivative {asked}.",
            lambda d: d.pre.value(LOSS_NODE),
        )
    ]
    n_out = len(net.output_names)
    if net.loss_name == "half_sse":
        multiples = {2.0: "the loss without its ½", 0.5: "the loss with its ½ twice"}
    elif net.loss_name == "mse" and n_out > 1:
        multiples = {
            float(n_out): f"the sum of squares, without the mean's 1/{n_out}",
            0.5: "the loss with a ½ the mean squared error does not have",
        }
    elif net.loss_name == "mse":
        multiples = {0.5: "the loss with a ½ the squared error does not have"}
    else:
        return found
    return found + [
        Slip(
            "end_value",
            f"This is {_ratio_text(k)}·{LOSS_NODE} ({words}), not its derivative {asked}.",
            lambda d, k=k: k * d.pre.value(LOSS_NODE),
        )
        for k, words in multiples.items()
    ]


def _ratio_text(k: float) -> str:
    return "½" if k == 0.5 else f"{k:g}"


def graph_gradient_slips(param: str, draws: list[Draw]) -> list[Slip]:
    """The slips worth testing for d end / d node on any computation graph: the derivative
    with respect to another leaf or node, the sign, one local derivative alone, and the sum
    over some of the paths only."""
    graph = draws[0].pre
    end = graph.end
    others = [n for n in (*graph.node_names, *graph.parameter_names)
              if n not in (param, end) and graph.kind(n) != "constant"]  # fmt: skip
    found = [
        Slip(
            "wrong_parameter",
            f"This is d{end}/d{other}, but the question asks for d{end}/d{param}.",
            lambda d, q=other: d.pre.gradient(q),
        )
        for other in others
    ]
    found.append(
        Slip(
            "wrong_sign",
            f"The size is right but the sign is wrong. Check every minus sign on the way from "
            f"{param} to {end}.",
            lambda d: -d.expected,
        )
    )
    found += [
        Slip(
            "local_only",
            f"This is d{child}/d{param}, the first step only: d{end}/d{param} goes on from "
            f"{child} to {end} (multiply by d{end}/d{child}).",
            lambda d, c=child: d.pre.local(c, param),
        )
        for child in graph.children(param)
        if child != end
    ]
    found += _partial_sums(param, draws[0])
    found += _end_slips(param, draws[0])
    return found


def _end_slips(param: str, draw: Draw) -> list[Slip]:
    """The end itself typed for its derivative, and the paths' terms multiplied where they
    are added (colah's e = (a + b)(b + 1): de/db = d + c, not d·c, which is e again)."""
    graph = draw.pre
    end = graph.end
    itself = (
        f"This is {end} itself (the value of the expression), not its derivative d{end}/d{param}."
    )
    paths = graph.chain_rule(param)
    if not (2 <= paths.path_count <= MAX_SUBSET_PATHS):
        return [Slip("end_value", itself, lambda d: d.pre.value(end))]
    terms = [_term_text(graph, path) for path in paths.paths]
    count = "two" if len(terms) == 2 else f"{len(terms)}"
    product = elided(map(_bracketed, terms), "·", "terms")
    added = (
        f"where paths meet, their terms are added: d{end}/d{param} = "
        f"{elided(terms, ' + ', 'terms')}."
    )
    path_values = _path_values(param)
    return [
        Slip(
            "end_value",
            f"{itself.removesuffix('.')}: it is also the {count} paths' terms multiplied "
            f"({product}); {added}",
            lambda d: d.pre.value(end) if _is_product(d, path_values) else math.nan,
        ),
        Slip(
            "paths_multiplied",
            f"The {count} paths' terms are multiplied ({product}); {added}",
            lambda d: math.prod(path_values(d)),
        ),
        Slip("end_value", itself, lambda d: d.pre.value(end)),
    ]


def _is_product(d: Draw, path_values) -> bool:
    """The end equals the product of the paths' terms at this draw (e = c·d on colah's graph)."""
    return agrees(d.pre.value(d.pre.end), math.prod(path_values(d)), EXACT)


def _bracketed(term: str) -> str:
    return f"({term})" if "·" in term else term


def _term_text(graph, path) -> str:
    """One path's product of local derivatives as a student writes it, the 1s left out."""
    texts = [graph.local_text(path[k + 1], path[k]) for k in range(len(path) - 1)]
    texts = [t for t in texts if t != "1"]
    if len(texts) > 1:  # 1 − h² is one factor of w1·(1 − h²)·w2
        texts = [f"({t})" if " + " in t or " − " in t else t for t in texts]
    return "·".join(texts) or "1"


def _path_values(param: str):
    """d -> the value of each path's product at draw d, computed once per draw."""
    values: dict[int, list[float]] = {}

    def at(d: Draw) -> list[float]:
        if id(d) not in values:
            values[id(d)] = _coarsest(d).chain_rule(param).term_values()
        return values[id(d)]

    return at


def _constant_slips(net, of) -> list[Slip]:
    """k·q for the constants of this loss that are easy to drop or add; q = of(draw), the
    gradient or the delta the slip is made from."""
    n_out = len(net.output_names)
    if net.loss_name == "half_sse":
        advice = "for L = ½ Σ (y − t)², dL/dy = y − t: the ½ cancels the 2 of the square."
        factors = (2.0, 0.5)
    elif net.loss_name == "mse":
        exact = "2(y − t)" if n_out == 1 else f"2(y − t)/{n_out}"
        advice = (
            f"for the mean squared error L = (1/{n_out}) Σ (y − t)²"
            if n_out > 1
            else "for the squared error L = (y − t)²"
        ) + f", dL/dy = {exact}: the 2 of the square stays."
        factors = tuple(dict.fromkeys((0.5, 2.0, float(n_out), 1.0 / n_out, 0.5 * n_out)))
    else:
        return []
    return [
        Slip(
            "constant_factor",
            f"This is {_ratio(k)} × the gradient: check the constant in dL/dy; {advice}",
            lambda d, k=k: k * of(d),
        )
        for k in factors
        if k != 1.0
    ]


def _slope_slips(param: str, draw: Draw, gradient) -> list[Slip]:
    """dL/dp without σ′ of the neuron the parameter enters (a weight's one target)."""
    info = draw.net.parameter_info(param)
    if len(info.targets) != 1:
        return []
    neuron = info.targets[0]
    op = ACTIVATIONS[draw.net.activation[info.layer - 1]]
    if not op.elementwise:
        return []  # a softmax unit's slope is not one factor of the gradient
    if draw.pre.local_slope(neuron) in (0.0, 1.0):
        return []  # relu's slope of 1 (linear's) changes nothing here; a dead unit's 0 hides all
    slope = slope_text(op, neuron)
    return [
        Slip(
            "forgot_slope",
            f"This is the gradient without the slope of {neuron}'s activation, {slope}: "
            f"dL/d{param} passes through net_{neuron} → {neuron}, and that step multiplies "
            f"by {neuron}'s slope.",
            lambda d: _divide(gradient(d), d.pre.local_slope(neuron)),
        )
    ]


def slope_text(op, unit: str) -> str:
    """A unit's slope as students write it, from the registry: ``σ′(net_h1) = h1(1 − h1)``,
    ``tanh′(net_h1) = 1 − h1²``, ``gelu′(net_h1)``."""
    symbol = f"{op.slope_symbol}(net_{unit})"
    if op.slope_of_output and op.slope_of_output != "1":
        return f"{symbol} = {op.slope_of_output.format(a=unit)}"
    return symbol


def _coarsest(draw: Draw):
    """The graph whose paths a student counts: a network's neuron level, any other graph."""
    return draw.pre if draw.net is None else draw.pre.both_levels("neuron")


def _partial_sums(param: str, draw: Draw) -> list[Slip]:
    paths = _coarsest(draw).chain_rule(param)
    end = draw.pre.end
    if not (2 <= paths.path_count <= MAX_SUBSET_PATHS):
        return []
    path_values = _path_values(param)  # each draw's path values, computed once per diagnosis

    def subset_value(d: Draw, subset) -> float:
        return math.fsum(path_values(d)[k] for k in subset)

    found = []
    names = paths.paths
    every = "both" if len(names) == 2 else f"all {len(names)}"
    for size in range(1, len(names)):
        for subset in combinations(range(len(names)), size):
            shown = "; ".join(path_text(names[k]) for k in subset)
            found.append(
                Slip(
                    "partial_sum",
                    f"This is the contribution of {shown} only: d{end}/d{param} adds {every} "
                    f"paths from {param} to {end}.",
                    lambda d, s=subset: subset_value(d, s),
                )
            )
    return found


def _divide(a: float, b: float) -> float:
    return a / b if b != 0 else math.nan


def _ratio(k: float) -> str:
    return f"{k:g}" if k >= 1 else f"1/{1 / k:g}"


def diagnose(
    values: list[float],
    draws: list[Draw],
    candidates: list[Slip],
    asked: str,
    rtol: float,
    base: float = 0.0,
) -> Problem:
    """The slip behind a wrong answer whose value at draw k is values[k].

    ``values`` holds one value for a number, one per draw for a formula; ``candidates`` are
    the slips of the quantity ``asked`` (its text, such as ``dL/dw1``). ``base``: what the
    quantity is a step from (p for an update p⁺), so "keep more digits" is said only of a
    number near the step, not of one near p.
    """
    value, expected = values[0], draws[0].expected
    here = [s for s in candidates if _holds(s, values, draws, rtol)]
    # A slip that is the quantity itself at every draw (relu's slope of 1) explains nothing.
    here = [s for s in here if not _same(s.at, lambda d: d.expected, draws)]
    if len(values) == 1 and here:
        # One number: the slips that explain it must be one quantity, not a coincidence.
        first = here[0]
        if any(
            family(other) != family(first) and not _same(first.at, other.at, draws)
            for other in here[1:]
        ):
            return Problem(
                "wrong_value",
                f"This is not {asked}. For these numbers it happens to equal more than "
                f"one common slip ({_kinds(here)}), so recompute it step by step.",
            )
    if here:
        return Problem(here[0].code, here[0].message)
    size = abs(expected - base)  # an update is imprecise relative to its step, not to p
    if len(values) == 1 and size != 0 and abs(value - expected) <= 0.05 * size:
        off = abs(value - expected) / abs(expected)
        digits = max(3, math.ceil(-math.log10(rtol)))
        return Problem(
            "imprecise",
            f"Close, but {off:.2%} away, and the answer must be within {rtol:.2g} (relative): "
            f"keep more digits (at least {digits} significant figures) and round only at the end.",
        )
    return Problem("wrong_value", f"This is not {asked}.")


# ---------------------------------------------------------------- the other quantities
def update_slips(param: str, lr: float, draws: list[Draw]) -> list[Slip]:
    """Slips for p after one SGD step, p+ = p - lr * dL/dp, most telling first: the step
    lr·dL/dp alone, a step of the wrong sign, the gradient alone, a factor of the gradient
    (the learning rate left out, a constant of the loss), then the rest.

    A frozen parameter does not move (``net.step`` leaves it): p+ = p, and the slip is the
    step taken anyway. On any computation graph the step goes down its end f: x+ = x - lr·df/dx,
    for any input or parameter leaf.
    """
    net, end = draws[0].net, draws[0].pre.end
    g = lambda d: d.pre.gradient(param)  # noqa: E731 - a one-line accessor
    p = lambda d: d.parameters[param] if param in d.parameters else d.pre.value(param)  # noqa: E731
    grad = f"d{end}/d{param}"
    step = f"{lr:g}·{grad}"
    rule = f"{param}⁺ = {param} − {step} (lr = {lr:g})"
    if net is not None and param in net.frozen:
        return [
            Slip(
                "frozen_moved",
                f"{param} is frozen: a step leaves it as it is (net.step skips it), so "
                f"{param}⁺ = {param}. This is {param} − {step}, the step it would take.",
                lambda d: p(d) - lr * g(d),
            ),
            Slip(
                "gradient_for_update",
                f"This is the gradient {grad}; {param} is frozen, so {param}⁺ = {param}.",
                g,
            ),
        ]
    found = [
        Slip(
            "step_only",
            f"This is the step {step} alone: the updated {param} subtracts it from {param}, "
            f"{rule}.",
            lambda d: lr * g(d),
        ),
        Slip(
            "step_only",
            f"This is −{step}, the change in {param}, alone: the updated {param} adds it to "
            f"{param}, {rule}.",
            lambda d: -lr * g(d),
        ),
        Slip(
            "step_wrong_sign",
            f"This step went uphill: {param} + {step}. Gradient descent subtracts the "
            f"gradient, {rule}.",
            lambda d: p(d) + lr * g(d),
        ),
        Slip(
            "gradient_for_update",
            f"This is the gradient {grad}, not the updated {param}: one SGD step gives {rule}.",
            g,
        ),
        Slip(
            "step_without_lr",
            f"This is {param} − {grad}, without the learning rate: the step is {step} "
            f"with lr = {lr:g}.",
            lambda d: p(d) - g(d),
        ),
    ]
    found += [
        Slip(
            "step_with_slip",
            f"The step {param} − {lr:g}·(…) is right but the gradient in it is not. {slip.message}",
            lambda d, s=slip: p(d) - lr * s.at(d),
        )
        for slip in (gradient_slips(param, draws, gradient=g) if net is not None else ())
        # a gradient of the wrong sign in the step is step_wrong_sign, above
        if slip.code in ("constant_factor", "forgot_slope")
    ]
    found.append(
        Slip(
            "no_step",
            f"This is {param} before the step: subtract {step} from it.",
            p,
        )
    )
    pre = draws[0].pre
    others = net.parameter_names if net is not None else [
        n for n in (*pre.node_names, *pre.parameter_names) if pre.kind(n) in ("input", "parameter")
    ]  # fmt: skip
    found += [
        Slip(
            "wrong_parameter",
            f"This is the step computed with d{end}/d{other}: {param}⁺ uses {param}'s own "
            "gradient.",
            lambda d, q=other: p(d) - lr * d.pre.gradient(q),
        )
        for other in others
        if other != param
    ]
    return found


def forward_slips(node: str, draws: list[Draw]) -> list[Slip]:
    """Slips for a net input or an activation."""
    pre = draws[0].pre
    found = []
    if pre.kind(node) == "net":
        neuron = pre.neuron_of(node)
        found.append(
            Slip(
                "activation_applied",
                f"This is {neuron}, the activation of {node}: the net input is the weighted sum "
                "before the activation function.",
                lambda d: d.pre.value(neuron),
            )
        )
        bias = next((p for p in pre.parents(node) if p in pre.net.bias_names), None)
        if bias is not None:
            found.append(
                Slip(
                    "forgot_bias",
                    f"This is the weighted sum without the bias {bias}: {node} adds it.",
                    lambda d: d.pre.value(node) - d.parameters[bias],
                )
            )
    elif pre.kind(node) == "neuron":
        net_input = pre.net_input_of(node)
        found.append(
            Slip(
                "forgot_activation",
                f"This is the net input {net_input}: {node} is the activation function applied "
                "to it.",
                lambda d: d.pre.value(net_input),
            )
        )
    others = [n for n in pre.node_names if n not in (node, "L") and pre.kind(n) == pre.kind(node)]
    found += [
        Slip(
            "wrong_node",
            f"This is {other}, not {node}.",
            lambda d, o=other: d.pre.value(o),
        )
        for other in others
    ]
    return found


def loss_slips(draws: list[Draw]) -> list[Slip]:
    net = draws[0].net
    n_out = len(net.output_names)
    found = []
    if net.loss_name in ("half_sse", "mse"):
        found += [
            Slip(
                "loss_constant",
                f"This is {_ratio(k)} × the loss: check the constant in front of the sum "
                f"({'½ for half_sse' if net.loss_name == 'half_sse' else f'1/{n_out}, the mean'}).",
                lambda d, k=k: k * d.expected,
            )
            for k in dict.fromkeys((2.0, 0.5, float(n_out), 1.0 / n_out))
            if k != 1.0
        ]
    return found


def delta_slips(node: str, convention: str, draws: list[Draw]) -> list[Slip]:
    pre = draws[0].pre
    found = []
    other = "net" if convention == "node" else "node"
    if pre.net_input_of(node) is not None:
        words = {"node": f"dL/d{node}", "net": f"dL/d{pre.net_input_of(node)}"}
        found.append(
            Slip(
                "other_convention",
                f"This is {words[other]}, the delta in the other convention: the question asks "
                f"for {words[convention]}.",
                lambda d: d.pre.delta(node, other),
            )
        )
    found.append(
        Slip(
            "wrong_sign",
            "The size is right but the sign is wrong: check the order in (y − t).",
            lambda d: -d.expected,
        )
    )
    found += _constant_slips(draws[0].net, lambda d: d.expected)
    asked = f"dL/d{pre.net_input_of(node) if convention == 'net' else node}"
    found += loss_value_slips(asked, draws[0].net)
    return found


def family(slip: Slip) -> str:
    """Slips whose advice is the same whichever of them it was (the updated weight at any of
    the usual learning rates) form one family; any other slip is its own."""
    return slip.code if slip.code in ("updated_weight",) else slip.message


def _holds(slip: Slip, values, draws, rtol: float) -> bool:
    for k, value in enumerate(values):
        target = slip.at(draws[k])
        if not agrees(value, target, rtol if k == 0 else EXACT):
            return False
    return True


def _same(f, g, draws) -> bool:
    return all(agrees(f(d), g(d), EXACT) for d in draws)


_WORDS = {
    "wrong_parameter": "another parameter's gradient",
    "wrong_sign": "the opposite sign",
    "constant_factor": "a constant factor",
    "forgot_slope": "a missing slope",
    "updated_weight": "the updated weight",
    "partial_sum": "some of the paths",
    "local_only": "the first step only",
    "end_value": "the value itself, not its derivative",
    "paths_multiplied": "the paths' terms multiplied",
    "gradient_for_update": "the gradient",
    "step_only": "the step alone",
    "frozen_moved": "a step of a frozen parameter",
    "step_wrong_sign": "a step uphill",
    "step_without_lr": "a step without the learning rate",
    "no_step": "the parameter before the step",
    "step_with_slip": "a step with a wrong gradient",
    "activation_applied": "the activation",
    "forgot_activation": "the net input",
    "forgot_bias": "a sum without the bias",
    "wrong_node": "another node",
    "loss_constant": "a constant factor",
    "other_convention": "the other delta convention",
    "forgot_operation": "the operation's input",
    "wrong_operation": "another operation",
    "wrong_order": "the inputs in the other order",
}


def _kinds(found: list[Slip]) -> str:
    words = list(dict.fromkeys(_WORDS.get(s.code, s.code.replace("_", " ")) for s in found))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
