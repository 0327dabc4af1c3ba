"""The worst shapes within the length limit: the verdict is right and the message is short.

Times are measured by benchmarks/bench_checker.py, never asserted here.
"""

from __future__ import annotations

import functools

import pytest

import backprop_widgets as bw
from backprop_widgets.exercises import GradientQuestion
from backprop_widgets.exercises.chain_graph import product_text
from backprop_widgets.exercises.question import MAX_LENGTH, MAX_MESSAGE_CHARS

PAIR = "(do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"
MAX_MESSAGE_LINES = 5


@functools.cache
def question() -> GradientQuestion:
    net, x, t = bw.presets.mazur()
    return GradientQuestion(net, "w1", x, t)


def fill(head: str, unit: str, sep: str = " * ") -> str:
    """head sep unit sep unit ... up to the length limit."""
    count = (MAX_LENGTH - len(head)) // (len(sep) + len(unit))
    return head + (sep + unit) * count


def short(message: str) -> bool:
    return len(message) <= MAX_MESSAGE_CHARS and message.count("\n") < MAX_MESSAGE_LINES


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # 8 bracketed sums times ~1,000 factors: 256 products of ~1,000 factors once multiplied out
        (fill(" * ".join([PAIR] * 8), "dh1/dw1"), "too_many_terms"),
        (fill(" * ".join([PAIR] * 8), "dL/do1"), "too_many_terms"),
        (fill(PAIR, PAIR), "too_many_terms"),
        # right at the limit (256 products of 16 factors): judged, with a short message
        (" * ".join([PAIR] * 8), "product_not_sum"),
        (" * ".join([PAIR] * 4) + " * dh1/dw1" * 248, "product_not_sum"),
        (fill("dh1/dw1", "dh1/dw1", " "), "repeated_factor"),
        (fill("h1", "h1", " "), "wrong_value"),
        (fill("1", "1", "/"), "wrong_value"),
        ("(" * 59 + "dh1/dw1" + ")" * 59, "stops_early"),
        ("(" * (MAX_LENGTH // 2) + ")" * (MAX_LENGTH // 2), "syntax_error"),
        (
            "".join(f"Σ_{c} " for c in "abcdefghijklmnopqrstuvwxyz")
            + " ".join(f"dL/do_{c}" for c in "abcdefghijklmnopqrstuvwxyz"),
            "too_many_terms",
        ),
    ],
    ids=[
        "sums-then-factors", "sums-then-totals", "product-of-sums", "at-the-limit",
        "few-terms-long", "long-product", "long-formula", "divisions", "deep", "too-deep",
        "nested-index-sums",
    ],
)  # fmt: skip
def test_worst_shapes_get_a_short_verdict(text, problem):
    fb = question().check(text)
    assert fb.problems[0] == problem, fb.message
    assert short(fb.message), fb.message


@pytest.mark.parametrize(
    "symbol", ["σ", "(", "-", "1", "^", "x", "d", "∂", "\\", "_", "'", "E", "Σ", "⁻", ">", "\u200b"]
)
def test_ten_thousand_of_one_symbol(symbol):
    fb = question().check(symbol * MAX_LENGTH)
    assert not fb.correct
    assert "internal_error" not in fb.problems
    assert short(fb.message), fb.message


def test_a_long_product_is_elided_in_the_middle():
    fb = question().check(fill("dh1/dw1", "dh1/dw1", " "))
    assert "…" in fb.message
    assert "factors)" in fb.message
    assert product_text([("h1", "w1")] * 1400) == (
        "dh1/dw1 * dh1/dw1 * dh1/dw1 * … * dh1/dw1 * dh1/dw1 * dh1/dw1 (1,400 factors)"
    )


def test_a_side_repeated_many_times_is_right():
    fb = question().check(fill("dL/dw1", "dh1/dw1 * dL/dh1", " = "))
    assert fb.correct, fb.message
