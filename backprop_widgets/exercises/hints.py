"""Guess what a wrong number is: the gradient with its sign flipped, off by 2, one path only...

Each guess is a :class:`~.leibniz.Problem` with its own code:

``wrong_sign``       the value of -dL/dp.
``imprecise``        within 5 % but not within rtol: too few significant digits.
``wrong_parameter``  the gradient of another parameter.
``factor_of_two``    twice or half dL/dp (the 1/2 of half_sse, or the 2 of mse).
``partial_sum``      the sum over some of the paths only (a path left out).
``wrong_value``      none of these.
"""

from __future__ import annotations

import math
from itertools import combinations

from .formula import agrees
from .leibniz import Problem, path_text

MAX_SUBSET_PATHS = 10


def guess(
    value: float,
    expected: float,
    rtol: float,
    param: str,
    gradients: dict[str, float],
    path_values: list[tuple[tuple[str, ...], float]],
) -> Problem:
    """The most likely slip behind a wrong finite value."""
    if expected != 0 and agrees(-value, expected, rtol):
        return Problem(
            "wrong_sign",
            f"The size is right but the sign is wrong: dL/d{param} is {_sign(expected)}. "
            "Check the order in (y - t) or a minus sign you dropped.",
        )
    if expected != 0 and abs(value - expected) <= 0.05 * abs(expected):
        off = abs(value - expected) / abs(expected)
        digits = max(2, math.ceil(-math.log10(rtol)) + 1)
        return Problem(
            "imprecise",
            f"Close, but {off:.2%} away, and the answer must be within {rtol:.2g} (relative): "
            f"keep more digits (at least {digits} significant digits) and round only at the end.",
        )
    for other, g in gradients.items():
        if other != param and agrees(value, g, rtol) and not agrees(g, expected, rtol):
            return Problem(
                "wrong_parameter",
                f"This is dL/d{other}, but the question asks for dL/d{param}.",
            )
    if expected != 0 and (agrees(value, 2 * expected, rtol) or agrees(value, expected / 2, rtol)):
        return Problem(
            "factor_of_two",
            "This is off by a factor of 2: check the constant in dL/dy (for "
            "L = 1/2 (t - y)^2 it is y - t, without a 2).",
        )
    if 2 <= len(path_values) <= MAX_SUBSET_PATHS and not agrees(0.0, expected, rtol):
        for size in range(1, len(path_values)):
            for subset in combinations(path_values, size):
                if agrees(value, math.fsum(v for _, v in subset), rtol):
                    names = "; ".join(path_text(p) for p, _ in subset)
                    return Problem(
                        "partial_sum",
                        f"This is the contribution of {names} only: dL/d{param} adds "
                        f"{_all(len(path_values))} paths from {param} to L.",
                    )
    return Problem("wrong_value", f"This is not dL/d{param}.")


def _sign(value: float) -> str:
    return "positive" if value > 0 else "negative"


def _all(n: int) -> str:
    return "both" if n == 2 else f"all {n}"
