"""The reader's shortcuts for dense products (issue 20, point 4): the same trees as the full
grammar, and linear work on 10,000 characters of one-letter factors, powers and superscripts.

Counted in function calls (tests/exercises/work.py), never timed: the times are printed by
benchmarks/bench_checker.py.
"""

from __future__ import annotations

import re

import pytest

import backprop_widgets as bw
from backprop_widgets.exercises import GradientQuestion
from backprop_widgets.exercises.parser import MAX_DEPTH, parse
from backprop_widgets.exercises.question import MAX_LENGTH
from backprop_widgets.exercises.tokens import AnswerSyntaxError
from tests.exercises.work import budget, calls

# A later factor of a product is read by the shortcut, the first one by the full grammar.
EXPONENTS = [
    "x^2", "x^(2)", "x²", "x^-1", "x^(-1)", "x⁻¹", "x^+2", "x^(+2)", "x^{2}", "x^(2)^3",
    "x^2^3", "x^-1^2", "x^(y)", "2^x", "x^y", "x^(h1)", "x^(sigma)", "x^(dh1)", "10⁻⁴",
    "x^(-y)", "x^-(1)", "x^(1)(2)", "d^2", "δ²", "π", "x^sigma(h1)", "e^-net_h1",
]  # fmt: skip


def shape(node) -> str:
    """A tree without its positions."""
    return re.sub(r"pos=\d+|end=\d+", "", repr(node))


def reading(text: str):
    try:
        return parse(text)[0]
    except AnswerSyntaxError:
        return "syntax error"


@pytest.mark.parametrize("expr", EXPONENTS)
def test_a_later_factor_reads_as_the_first(expr):
    first = reading(f"{expr} * q")
    later = reading(f"q * {expr}")
    if first == "syntax error" or later == "syntax error":
        assert first == later, (first, later)
        return
    assert shape(later.factors[1][1]) == shape(first.factors[0][1])


@pytest.mark.parametrize("expr", ["x^(-1)", "x^2", "x", "(x)", "x^(2)^3", "x^-1"])
def test_the_shortcuts_keep_the_depth_limit(expr):
    for depth in range(MAX_DEPTH - 6, MAX_DEPTH + 2):
        first = reading("(" * depth + f"{expr} * q" + ")" * depth)
        later = reading("(" * depth + f"q * {expr}" + ")" * depth)
        assert (first == "syntax error") == (later == "syntax error"), (depth, first, later)


DENSE = {
    "deltas": "δ",
    "pis": "π",
    "squares": "x²",
    "superscript inverses": "x⁻¹",
    "inverses": "x^-1 ",
    "bracketed inverses": "x^(-1) ",
    "powers of ten": "10⁻⁴ ",
    "d squared": "d²",
}


@pytest.fixture(scope="module")
def question():
    net, x, t = bw.presets.mazur()
    return GradientQuestion(net, "w1", x, t)


@pytest.mark.parametrize("unit", list(DENSE.values()), ids=list(DENSE))
def test_dense_products_take_linear_work(question, unit):
    text = (unit * MAX_LENGTH)[:MAX_LENGTH]
    for judge in (question.check, question.read):
        fb, work = calls(judge, text)
        assert work <= budget(text), (judge.__name__, work)
        assert fb.message.count("\n") <= 4
    fb = question.check(text)
    assert not fb.correct
