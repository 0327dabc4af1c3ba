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
``imprecise``        (numbers only) within 5 %, not within the tolerance, and no other slip.
``wrong_value``      none of these.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

from .formula import Draw, agrees
from .leibniz import Problem, path_text

MAX_SUBSET_PATHS = 10
LEARNING_RATES = (0.5, 0.1, 1.0, 0.05, 0.01)  # Mazur's 0.5 first
EXACT = 1e-6  # at the re-draws a slip is a formula: it must agree exactly, not within rtol

_SLOPES = {  # how each activation's slope is written, in terms of its output a
    "sigmoid": "σ′(net) = {a}(1 − {a})",
    "tanh": "tanh′(net) = 1 − {a}²",
}


@dataclass(frozen=True)
class Slip:
    code: str
    message: str
    at: Callable[[Draw], float]  # the slip's value at one draw


def slips(param: str, draws: list[Draw]) -> list[Slip]:
    """Every slip worth testing for dL/d param on this network, most specific first."""
    net = draws[0].net
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
            lambda d: -d.expected,
        )
    )
    found += _constant_slips(net)
    found += _slope_slips(param, draws[0])
    found += [
        Slip(
            "updated_weight",
            f"This is the updated {net.parameter_info(param).kind}, {param} − {lr:g}·dL/d{param}: "
            f"the gradient-descent step that comes after backprop. The question asks for the "
            f"gradient dL/d{param} itself.",
            lambda d, lr=lr: d.parameters[param] - lr * d.expected,
        )
        for lr in LEARNING_RATES
    ]
    found += _partial_sums(param, draws[0])
    return found


def _constant_slips(net) -> list[Slip]:
    """k·dL/dp for the constants of this loss that are easy to drop or add."""
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
            lambda d, k=k: k * d.expected,
        )
        for k in factors
        if k != 1.0
    ]


def _slope_slips(param: str, draw: Draw) -> list[Slip]:
    """dL/dp without σ′ of the neuron the parameter enters (a weight's one target)."""
    info = draw.net.parameter_info(param)
    if len(info.targets) != 1:
        return []
    neuron = info.targets[0]
    activation = draw.net.activation[info.layer - 1]
    if activation not in _SLOPES:
        return []  # relu's slope is 0 or 1, linear's 1: leaving it out changes nothing here
    slope = _SLOPES[activation].format(a=neuron)
    return [
        Slip(
            "forgot_slope",
            f"This is the gradient without the slope of {neuron}'s activation, {slope}: "
            f"dL/d{param} passes through net_{neuron} → {neuron}, and that step multiplies "
            f"by {neuron}'s slope.",
            lambda d: _divide(d.expected, d.pre.local_slope(neuron)),
        )
    ]


def _partial_sums(param: str, draw: Draw) -> list[Slip]:
    paths = draw.pre.both_levels("neuron").chain_rule(param)
    if not (2 <= paths.path_count <= MAX_SUBSET_PATHS):
        return []
    values: dict[int, list[float]] = {}  # each draw's path values, computed once per diagnosis

    def subset_value(d: Draw, subset) -> float:
        if id(d) not in values:
            values[id(d)] = d.pre.both_levels("neuron").chain_rule(param).term_values()
        return math.fsum(values[id(d)][k] for k in subset)

    found = []
    names = paths.paths
    every = "both" if len(names) == 2 else f"all {len(names)}"
    for size in range(1, len(names)):
        for subset in combinations(range(len(names)), size):
            shown = "; ".join(path_text(names[k]) for k in subset)
            found.append(
                Slip(
                    "partial_sum",
                    f"This is the contribution of {shown} only: dL/d{param} adds {every} "
                    f"paths from {param} to L.",
                    lambda d, s=subset: subset_value(d, s),
                )
            )
    return found


def _divide(a: float, b: float) -> float:
    return a / b if b != 0 else math.nan


def _ratio(k: float) -> str:
    return f"{k:g}" if k >= 1 else f"1/{1 / k:g}"


def diagnose(values: list[float], draws: list[Draw], param: str, rtol: float) -> Problem:
    """The slip behind a wrong answer whose value at draw k is values[k].

    ``values`` holds one value for a number, one per draw for a formula.
    """
    value, expected = values[0], draws[0].expected
    candidates = slips(param, draws)
    here = [s for s in candidates if _holds(s, values, draws, rtol)]
    # A slip that is the gradient itself at every draw (relu's slope of 1) explains nothing.
    here = [s for s in here if not _same(s.at, lambda d: d.expected, draws)]
    if len(values) == 1 and here:
        # One number: the slips that explain it must be one quantity, not a coincidence.
        first = here[0]
        if any(not _same(first.at, other.at, draws) for other in here[1:]):
            return Problem(
                "wrong_value",
                f"This is not dL/d{param}. For these numbers it happens to equal more than "
                f"one common slip ({_kinds(here)}), so recompute it step by step.",
            )
    if here:
        return Problem(here[0].code, here[0].message)
    if len(values) == 1 and expected != 0 and abs(value - expected) <= 0.05 * abs(expected):
        off = abs(value - expected) / abs(expected)
        digits = max(3, math.ceil(-math.log10(rtol)))
        return Problem(
            "imprecise",
            f"Close, but {off:.2%} away, and the answer must be within {rtol:.2g} (relative): "
            f"keep more digits (at least {digits} significant figures) and round only at the end.",
        )
    return Problem("wrong_value", f"This is not dL/d{param}.")


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
}


def _kinds(found: list[Slip]) -> str:
    words = list(dict.fromkeys(_WORDS[s.code] for s in found))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
