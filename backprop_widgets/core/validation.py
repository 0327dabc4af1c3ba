"""One set of argument checks for the core: the same bad value gets the same message everywhere.

Every message has one shape, ``<argname> must be <what is accepted>; got <value>``::

    >>> learning_rate(-1)
    Traceback (most recent call last):
    backprop_widgets.core.errors.BackpropInputError: lr must be a positive, finite number (the SGD step size, e.g. 0.1); got -1

``argname`` is the argument as the caller wrote it (``"lr"``, ``"net['w1']"``); a function
that wants its own name in front passes it along (``"moons: n"``). Each helper returns the
value converted (a float, an int, the option itself) so a caller checks and converts in one line.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import BackpropInputError

__all__ = [
    "check_finite",
    "fail",
    "finite_number",
    "flag",
    "float_array",
    "integer",
    "is_int",
    "is_real",
    "learning_rate",
    "one_of",
    "positive_number",
    "real_number",
    "seed",
    "shown",
]


def shown(value) -> str:
    """The value as a message shows it: 3.5 (not np.float64(3.5)), 'text', at most 60 characters."""
    if isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, (bool, np.bool_)):
        text = str(value)
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def fail(argname: str, accepted: str, value) -> BackpropInputError:
    """The error for a bad value: ``<argname> must be <accepted>; got <value>``."""
    return BackpropInputError(f"{argname} must be {accepted}; got {shown(value)}")


def is_int(value) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


def is_real(value) -> bool:
    """A real number (Python, NumPy scalar or 0-d array), not a bool; may be nan or inf."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (numbers.Real, np.integer, np.floating)) or (
        isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "fiu"
    )


# ------------------------------------------------------------------ choices
def one_of(value, options, argname: str, *, allow_none: bool = False):
    """``value`` if it is one of ``options``, else ``<argname> must be one of a, b; got 'x'``.

    ``allow_none``: None is accepted too (and named first in the message).

    >>> one_of("neuron", ("neuron", "pre-activation"), "level")
    'neuron'
    """
    if value is None and allow_none:
        return None
    try:
        ok = value in options
    except TypeError:  # an unhashable value against a set or dict
        ok = False
    if not ok:
        accepted = f"one of {', '.join(map(str, options))}"
        raise BackpropInputError(
            f"{argname} must be {'None or ' if allow_none else ''}{accepted}; got {value!r}"
        )
    return value


def flag(value, argname: str) -> bool:
    """True or False (not 0, 1 or a string): ``show_values must be True or False; got 1``."""
    if not isinstance(value, (bool, np.bool_)):
        raise fail(argname, "True or False", value)
    return bool(value)


# ------------------------------------------------------------------ numbers
def real_number(
    value,
    argname: str,
    *,
    low: float | None = None,
    high: float | None = None,
    open_low: bool = False,
    open_high: bool = True,
    what: str = "",
) -> float:
    """A finite real number, optionally in [low, high) (or the bounds as given), as a float.

    NaN, inf, bools and strings are refused. ``what`` says what the number is for, e.g.
    ``"the SGD step size, e.g. 0.1"``; it goes in brackets after what is accepted.
    """
    if low is None and high is None:
        accepted = "a finite number"
    elif high is None:
        accepted = f"a finite number {'>' if open_low else '>='} {low:g}"
    elif low is None:
        accepted = f"a finite number {'<' if open_high else '<='} {high:g}"
    else:
        lb, rb = ("(" if open_low else "["), (")" if open_high else "]")
        accepted = f"a number in {lb}{low:g}, {high:g}{rb}"
    ok = is_real(value) and math.isfinite(float(value))
    if ok:
        x = float(value)
        if low is not None:
            ok = x > low if open_low else x >= low
        if ok and high is not None:
            ok = x < high if open_high else x <= high
    if not ok:
        raise fail(argname, accepted + (f" ({what})" if what else ""), value)
    return float(value)


def finite_number(value, argname: str) -> float:
    """Any finite real number, as a float: ``net['w1'] must be a finite number; got nan``."""
    return real_number(value, argname)


def positive_number(value, argname: str, what: str = "") -> float:
    """A finite number > 0, as a float: ``eps must be a positive, finite number; got 0``."""
    ok = is_real(value) and math.isfinite(float(value)) and float(value) > 0
    if not ok:
        raise fail(argname, "a positive, finite number" + (f" ({what})" if what else ""), value)
    return float(value)


def learning_rate(lr, argname: str = "lr") -> float:
    """The SGD learning rate: a positive, finite number."""
    return positive_number(lr, argname, "the SGD step size, e.g. 0.1")


def integer(
    value,
    argname: str,
    at_least: int = 0,
    what: str = "",
    *,
    at_most: int | None = None,
    allow_none: bool = False,
):
    """An integer in ``at_least..at_most`` (bools refused), as an int; None if ``allow_none``.

    ``steps must be an integer >= 0; got -1``; with ``at_least=1``: ``a positive integer``;
    with ``at_most``: ``an integer from 1 to 15``.
    """
    if value is None and allow_none:
        return None
    if not is_int(value) or value < at_least or (at_most is not None and value > at_most):
        if at_most is not None:
            accepted = f"an integer from {at_least} to {at_most}"
        elif at_least == 1:
            accepted = "a positive integer"
        else:
            accepted = f"an integer >= {at_least}"
        accepted = ("None or " if allow_none else "") + accepted + (f" ({what})" if what else "")
        raise fail(argname, accepted, value)
    return int(value)


def seed(value, argname: str = "seed") -> int | None:
    """A seed for ``np.random.default_rng``: a non-negative integer, or None for fresh randomness."""
    if value is not None and (not is_int(value) or value < 0):
        raise fail(argname, "a non-negative integer (or None for fresh randomness)", value)
    return None if value is None else int(value)


# ------------------------------------------------------------------ arrays
def float_array(value, argname: str) -> np.ndarray:
    """``value`` as a float64 array (no copy if it already is one), or an error naming its type."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise BackpropInputError(
            f"{argname} must be an array of numbers; got {type(value).__name__} {shown(value)}"
        ) from None


def check_finite(A: np.ndarray, argname: str) -> None:
    """Raise unless every entry of A is finite, naming the first bad one and its index."""
    # One reduction in the common case (a finite sum means no nan/inf); locate the
    # culprit only when there is one. A sum of large finite numbers may overflow: no warning.
    with np.errstate(over="ignore", invalid="ignore"):
        if math.isfinite(np.add.reduce(A, axis=None)) or np.isfinite(A).all():
            return
    bad = ~np.isfinite(A)
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    count = int(bad.sum())
    more = f" ({count} non-finite values in all)" if count > 1 else ""
    raise BackpropInputError(
        f"{argname} must contain only finite numbers; got {A[where]} at index {where}{more}"
    )
