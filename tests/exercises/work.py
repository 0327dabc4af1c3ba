"""How much work reading an answer takes, counted instead of timed.

A wall-clock limit fails whenever the machine is busy (a 1.0 s limit was missed at 1.04 s on a
loaded 2-core machine), so the tests count the Python and builtin function calls a check makes
instead: the same on any machine, under any load. The timings themselves are printed by
``benchmarks/bench_checker.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

# A check may make at most this many calls per character read, plus a fixed set-up allowance.
# Measured: at most ~22 per character on the worst crafted inputs (bench_checker's rows), so
# 100 leaves room for honest changes; a quadratic reader of a 10,000-character answer would
# need ~10,000 per character, and an exponential one never finishes.
CALLS_PER_CHAR = 100
SETUP_CALLS = 10_000


def calls(fn: Callable, *args, **kwargs) -> tuple[object, int]:
    """``fn(*args, **kwargs)`` and the number of function calls (Python and builtin) it made."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = fn(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return result, count


def budget(text: str) -> int:
    """The most calls reading ``text`` may take: linear in its length."""
    return CALLS_PER_CHAR * len(text) + SETUP_CALLS
