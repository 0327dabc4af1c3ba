"""How long does checking a typed answer take at its worst? And the live preview per keystroke?

Run ``python benchmarks/bench_checker.py``. Each row is one crafted input, up to the
10,000-character limit the checker reads; it prints the slowest of a few runs of
``GradientQuestion.check`` and of ``GradientQuestion.read`` (the live preview's path, one
parse), and each as a ratio to checking the plain number ``0.000438568`` in the same process.

The budgets the issue sets, printed beside the figures and never asserted: a check ends in
under 1 s, a preview keystroke in about 100 ms.

Nothing here asserts on time: it is a measurement, not a test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import backprop_widgets as bw
from backprop_widgets.exercises import GradientQuestion
from backprop_widgets.exercises.question import MAX_LENGTH

REPEATS = 3


def worst_inputs() -> dict[str, str]:
    """Answers built to be slow: wide sums, deep brackets, many factors, long numbers."""
    path = "dh1/dw1 * do1/dh1 * dL/do1"
    pair = "(do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"
    inputs = {
        "the right sum": "dh1/dw1 * " + pair,
        "many copies of one path": " + ".join([path] * (MAX_LENGTH // (len(path) + 3))),
        "brackets that multiply out": "dh1/dw1 * " + " * ".join([pair] * 9),
        "a very long product": " * ".join(["dh1/dw1"] * (MAX_LENGTH // 10)),
        "deltas and totals": " + ".join(["dh1/dw1 * delta_h1", "dh1/dw1 * dL/dh1"] * 200),
        "a long formula": " + ".join(["i1 * sigma'(net_h1) * w5 * (o1 - t1)"] * 250),
        "a long number": "0." + "4" * (MAX_LENGTH - 2),
        "nested brackets": "(" * 55 + "dh1/dw1" + ")" * 55 + " * dL/dh1",
        "a long typo": "dh1/dw1 * " * 900 + "?",
        "unknown names": " + ".join(f"dq{k}/dw1" for k in range(1200)),
    }
    return {name: text[:MAX_LENGTH] for name, text in inputs.items()}


def slowest(fn, text: str) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return max(times)


def main() -> None:
    net, x, t = bw.presets.mazur()
    q = GradientQuestion(net, "w1", x, t)
    baseline = slowest(q.check, "0.000438568")
    print(f"baseline: check('0.000438568') takes {baseline * 1e3:.3f} ms\n")
    print(f"{'input':30} {'chars':>6} {'check ms':>9} {'x base':>8} {'read ms':>8} {'x base':>8}")
    worst_check = worst_read = 0.0
    for name, text in worst_inputs().items():
        check = slowest(q.check, text)
        read = slowest(q.read, text)
        worst_check, worst_read = max(worst_check, check), max(worst_read, read)
        verdict = q.check(text).problems[:1] or ("correct",)
        print(
            f"{name:30} {len(text):6d} {check * 1e3:9.1f} {check / baseline:8.0f} "
            f"{read * 1e3:8.1f} {read / baseline:8.0f}   {verdict[0]}"
        )
    # A wrong value's hints test every subset of paths: the most a question allows (10 paths).
    wide = bw.Network([2, 2, 10], seed=1)
    q10 = GradientQuestion(wide, "w1", [0.1, 0.2], [0.5] * 10)
    for name, text in {"wrong number, 10 paths": "0.123", "wrong formula, 10 paths": "i1*h1*w5"}.items():
        check = slowest(q10.check, text)
        worst_check = max(worst_check, check)
        print(f"{name:30} {len(text):6d} {check * 1e3:9.1f} {check / baseline:8.0f}")
    print(f"\nslowest check: {worst_check * 1e3:.0f} ms (budget 1000 ms)")
    print(f"slowest preview keystroke: {worst_read * 1e3:.0f} ms (budget about 100 ms)")


if __name__ == "__main__":
    main()
