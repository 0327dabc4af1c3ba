"""How long does checking a typed answer take at its worst? And the live preview per keystroke?

Run ``python benchmarks/bench_checker.py``. Each row is one crafted input, up to the
10,000-character limit the checker reads; it prints the slowest of a few runs of
``GradientQuestion.check`` and of ``GradientQuestion.read`` (the live preview's path, one
parse), and each as a ratio to checking the plain number ``0.000438568`` in the same process,
then the slowest rows again. Times are the process's CPU time (``time.process_time``), not
the wall clock, so another job on the machine does not inflate them; the ratios to the
baseline run in the same process compare across machines.

The shapes (:func:`worst_inputs`): products of bracketed sums followed by long products
(the shape that once took 3-10 s: 256 terms of 1,400 factors once multiplied out), right at
the expansion limits, long products, long formulas, deep nesting, repeated sides and
factors, and 10,000 characters of any one symbol.

The budgets the issue sets, printed beside the figures and never asserted: a check ends in
well under 200 ms, a preview keystroke in under 50 ms.

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
CHECK_BUDGET_MS = 200
PREVIEW_BUDGET_MS = 50
# 10,000 characters of one symbol: every printable ASCII character, and the Unicode ones the
# reader knows (Greek letters it reads as names, ∂, the times and minus signs, superscripts
# and subscripts, primes, Σ), and marks it removes (zero-width, direction).
SYMBOLS = (
    "".join(chr(c) for c in range(33, 127))
    + " ∂×·⋅−–⁻⁺⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉σδπφΣ∑′≤≥÷４\u200b\u200f\ufeff"
)
# Two-character units repeated to the limit: each makes a factor of a few tokens (x² is
# x ^ ( 2 )), the densest products the reader can be given.
PAIRS = ("x²", "d²", "h²", "x⁻", "δ²", "σ²", "1²", "x'", "d/", "∂h", "-1", "1-", "1/", "h(", "(h")


def fill(head: str, unit: str, sep: str = " * ") -> str:
    """head, then sep unit as often as fits in the length limit."""
    count = max(0, (MAX_LENGTH - len(head)) // (len(sep) + len(unit)))
    return head + (sep + unit) * count


CLOSED = (
    "(o1 - t1) * o1*(1 - o1) * w5 * h1*(1 - h1) * i1 + (o2 - t2) * o2*(1-o2) * w7 * h1*(1-h1)*i1"
)


def worst_inputs() -> dict[str, str]:
    """Answers built to be slow: sums of products of sums, deep brackets, long products."""
    path = "dh1/dw1 * do1/dh1 * dL/do1"
    pair = "(do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"
    sums8 = " * ".join([pair] * 8)  # 256 terms once multiplied out
    inputs = {
        "the right sum": "dh1/dw1 * " + pair,
        "8 sums then 1,000 edges": fill(sums8, "dh1/dw1"),
        "8 sums then 1,000 totals": fill(sums8, "dL/do1"),
        "8 sums then mixed factors": fill(sums8, "dh1/dw1 * do1/dh1"),
        "8 sums then numbers": fill(sums8, "2"),
        "8 sums then deltas": fill(" * ".join(["(delta_o1 + delta_o2)"] * 8), "delta_h1"),
        "256 x 16 (at the limit)": sums8,
        "16 x 256 (at the limit)": " * ".join([pair] * 4) + " * dh1/dw1" * 248,
        "product of sums": fill(pair, pair),
        "sum of products of sums": fill(pair, pair, " + "),
        "product of 3-term sums": fill("(dL/do1 + dL/do2 + dL/dh1)", "(dL/do1 + dL/do2 + dL/dh1)"),
        "8 formula sums then factors": fill(" * ".join(["(o1 - t1 + o2 - t2)"] * 8), "w5"),
        "product of formula sums": fill("(w1+w2+w3+w4)", "(w1+w2+w3+w4)"),
        "many copies of one path": fill(path, path, " + "),
        "brackets that multiply out": "dh1/dw1 * " + " * ".join([pair] * 9),
        "a very long product": fill("dh1/dw1", "dh1/dw1"),
        "a long implicit product": fill("h1", "h1", " "),
        "distinct factors": fill("dh1/dw1", "do1/dh1 dL/do1 dh2/dw1 dh1/dw2 do2/dh2", " "),
        "deltas and totals": " + ".join(["dh1/dw1 * delta_h1", "dh1/dw1 * dL/dh1"] * 200),
        "a long formula": " + ".join(["i1 * sigma'(net_h1) * w5 * (o1 - t1)"] * 250),
        "a long wrong formula": fill("i1*sigma'(net_h1)", "w5*sigma'(net_o1)"),
        "relu of sums": fill("(relu(net_h1)+1)", "(relu(net_h1)+1)"),
        # closed forms read by structure (issue 20, point 1): every factor matched to the graph
        "a wrong closed form": CLOSED.replace("* w7", "* w8"),
        "32 wrong closed-form terms": " + ".join([CLOSED.replace("* w7", "* w8")] * 16),
        "closed form times a long product": fill(
            f"({CLOSED.replace('* w7', '* w8')})", "h1*(1-h1)"
        ),
        "closed-form brackets multiplied": fill("(o1 - t1) * o1*(1 - o1)", "(w5 * h1 + w7 * h2)"),
        # a slope's halves apart: every group of 2-3 factors of a product is weighed
        "slopes apart, a wrong weight": "h1*((o1-t1)*o1*w5*(1-o1) + (o2-t2)*o2*w8*(1-o2))*i1*(1-h1)",
        "24 lone slope halves": " * ".join(["(1 - h1)", "(1 - o1)", "(1 + h2)"] * 8),
        "32 x 24 distinct unknowns": " + ".join(
            " * ".join(f"(h1 + {24 * j + k + 1})" for k in range(24)) for j in range(32)
        ),
        "24 halves in 16 terms": " + ".join(
            ["o1*(o1-t1)*w5*h1*i1*(1-o1)*(1-h1)*" + "*".join(["(1-o2)"] * 17)] * 16
        ),
        "divisions": fill("h1", "h1", "/"),
        "differences": fill("1", "1", "-"),
        "fractions": fill(r"\frac{1}{2}", r"\frac{1}{2}", ""),
        "a long number": "0." + "4" * (MAX_LENGTH - 2),
        "scientific numbers": fill("4.386x10^-4", "4.386 × 10⁻⁴", " + "),
        "nested brackets": "(" * 55 + "dh1/dw1" + ")" * 55 + " * dL/dh1",
        "too deeply nested": "(" * (MAX_LENGTH // 2) + ")" * (MAX_LENGTH // 2),
        "nested sigmas": "sigma(" * 50 + "h1" + ")" * 50 + " * h1" * 1000,
        "a side repeated": fill("dL/dw1", "dh1/dw1 * dL/dh1", " = "),
        "sums over k": fill("Σ_k dL/do_k do_k/dh1 dh1/dw1", "Σ_k dL/do_k do_k/dh1 dh1/dw1", " + "),
        "nested sums over indices": "".join(f"Σ_{c} " for c in "abcdefghijklmnopqrstuvwxyz")
        + " ".join(f"dL/do_{c}" for c in "abcdefghijklmnopqrstuvwxyz"),
        "a long formula in Σ": "Σ_k " + fill("(o_k - t_k)", "o_k"),
        "a long typo": "dh1/dw1 * " * 900 + "?",
        "unknown names": " + ".join(f"dq{k}/dw1" for k in range(1200)),
    }
    inputs |= {
        "5,000 x h1²": "h1²" * MAX_LENGTH,
        "3,333 x x⁻¹": "x⁻¹" * MAX_LENGTH,
        "2,000 x 'x^-1 '": "x^-1 " * MAX_LENGTH,
        "1,428 x 'x^(-1) '": fill("x^(-1)", "x^(-1)", " "),
        "10⁻⁴ repeated": fill("10⁻⁴", "10⁻⁴"),
        "δ_h1 repeated": fill("δ_h1", "δ_h1", " "),
        # layer-numbered names (Nielsen, 3Blue1Brown) and CS231n's d-names, each read with the net
        "Nielsen's names repeated": fill("δ^3_1 a^2_1", "w^{3}_{1,1} a_1^2", " + "),
        "Nielsen's BP2 sums": fill(
            "Σ_k δ^3_k w^3_{k1} σ'(z^2_1) a^1_1", "Σ_k δ^3_k w^3_{k1} σ'(z^2_1) a^1_1", " + "
        ),
        "nested Σ over Nielsen's weights": "".join(f"Σ_{c} " for c in "abcdefghijklmnopqrstuvwxyz")
        + " ".join(f"w^3_{{{c}1}}" for c in "abcdefghijklmnopqrstuvwxyz"),
        "3Blue1Brown's names repeated": fill("a^(L-1)_0", "σ'(z^{(L)}_0) (a^{(L)}_0 - t1)"),
        "CS231n's upstream gradients": fill("dh1/dw1 * dh1", "dh1/dw1 * dh1", " + "),
        "ambiguous 3Blue1Brown names": fill("a^(L)_1", "a^(L-1)_1"),
        "10,000 x 'a^2_1'": "a^2_1" * MAX_LENGTH,
    }
    for symbol in SYMBOLS:
        inputs[f"10,000 x {symbol!r}"] = symbol * MAX_LENGTH
    for pair in PAIRS:
        inputs[f"5,000 x {pair!r}"] = pair * MAX_LENGTH
    return {name: text[:MAX_LENGTH] for name, text in inputs.items()}


def slowest(fn, text: str) -> float:
    """The most CPU time (seconds) of REPEATS runs of fn(text): what the checker itself
    spends, whatever else the machine is doing."""
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        fn(text)
        times.append(time.process_time() - start)
    return max(times)


def main() -> None:
    net, x, t = bw.presets.mazur()
    q = GradientQuestion(net, "w1", x, t)
    q.check("0.000438568")  # warm: the first check fills caches the others reuse
    baseline = slowest(q.check, "0.000438568")
    print(f"baseline: check('0.000438568') takes {baseline * 1e3:.3f} ms of CPU time\n")
    print(f"{'input':30} {'chars':>6} {'check ms':>9} {'x base':>8} {'read ms':>8} {'x base':>8}")
    rows = []
    for name, text in worst_inputs().items():
        check = slowest(q.check, text)
        read = slowest(q.read, text)
        rows.append((check, read, name))
        fb = q.check(text)
        verdict = fb.problems[:1] or ("correct",)
        lines = fb.message.count("\n") + 1
        print(
            f"{name:30} {len(text):6d} {check * 1e3:9.1f} {check / baseline:8.0f} "
            f"{read * 1e3:8.1f} {read / baseline:8.0f}   {verdict[0]} "
            f"({len(fb.message)} chars, {lines} lines)"
        )
    # A wrong value's hints test every subset of paths: the most a question allows (10 paths).
    wide = bw.Network([2, 2, 10], seed=1)
    q10 = GradientQuestion(wide, "w1", [0.1, 0.2], [0.5] * 10)
    closed10 = " + ".join(
        f"(o{k} - t{k}) * o{k}*(1 - o{k}) * w{3 + 2 * k} * h1*(1 - h1) * i1" for k in range(1, 11)
    )  # a wrong weight in every term: the structure is read, term by term
    cases = {
        "wrong number, 10 paths": "0.123",
        "wrong formula, 10 paths": "i1*h1*w5",
        "wrong closed form, 10 paths": closed10,
    }
    for name, text in cases.items():
        check = slowest(q10.check, text)
        rows.append((check, 0.0, name))
        print(f"{name:30} {len(text):6d} {check * 1e3:9.1f} {check / baseline:8.0f}")
    # any computation graph: the structure read through the operation registry
    graph = bw.expression(
        "a = w1 * x; h = tanh(a); F = w2 * h; y = x + F; L = 0.5 * (y - t)^2",
        x=0.5, w1=0.8, w2=-1.2, t=0.2,
    )  # fmt: skip
    qg = GradientQuestion(graph, "w1")
    graph_cases = {
        "graph: wrong slope apart": "(y-t)*h*w2*x*(1-h)",
        "graph: 24 lone factors": " * ".join(["(1 - h)", "(1 + h)", "(y - t)"] * 8),
    }
    for name, text in graph_cases.items():
        check = slowest(qg.check, text)
        rows.append((check, 0.0, name))
        print(f"{name:30} {len(text):6d} {check * 1e3:9.1f} {check / baseline:8.0f}")
    print("\nslowest checks:")
    for check, _, name in sorted(rows, reverse=True)[:5]:
        print(f"  {name:30} {check * 1e3:8.1f} ms  {check / baseline:8.0f} x base")
    print("slowest previews:")
    for _, read, name in sorted(rows, key=lambda r: -r[1])[:5]:
        print(f"  {name:30} {read * 1e3:8.1f} ms  {read / baseline:8.0f} x base")
    worst_check = max(r[0] for r in rows)
    worst_read = max(r[1] for r in rows)
    print(
        f"\nslowest check: {worst_check * 1e3:.0f} ms of CPU time, {worst_check / baseline:.0f} x base "
        f"(budget {CHECK_BUDGET_MS} ms)"
    )
    print(
        f"slowest preview keystroke: {worst_read * 1e3:.0f} ms of CPU time, "
        f"{worst_read / baseline:.0f} x base (budget {PREVIEW_BUDGET_MS} ms)"
    )


if __name__ == "__main__":
    main()
