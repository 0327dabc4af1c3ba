"""How every view writes a number: one module, so the text, the LaTeX and the JS agree.

Values are shown to a number of significant digits. A value that rounds to zero is written
"0", never "-0": a student reads "-0" as a sign they must account for.
"""

from __future__ import annotations

import math

DIGITS = 4


def plain(value: float, digits: int = DIGITS) -> str:
    """``0.07473``, ``-1.2e-05``, ``0``: the value to ``digits`` significant digits."""
    if not math.isfinite(value):
        return {math.inf: "inf", -math.inf: "-inf"}.get(value, "nan")
    text = f"{value:.{digits}g}"
    if float(text) == 0:
        return "0"
    return text


def signed(value: float, digits: int = DIGITS) -> str:
    """A factor in a written product: negative values in brackets, so '*' never meets '-'."""
    text = plain(value, digits)
    return f"({text})" if text.startswith("-") else text


def latex(value: float, digits: int = DIGITS, bracket_negative: bool = True) -> str:
    """The value as LaTeX (``1.2 \\times 10^{-5}``), in brackets when negative (a factor of a
    product); ``bracket_negative=False`` for a value standing alone (``w_2 = -0.13``)."""
    text = plain(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return f"({text})" if bracket_negative and text.startswith("-") else text
