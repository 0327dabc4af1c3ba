"""Hypothesis: any text gets a Feedback in linear work; a rewritten right answer stays right."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

import backprop_widgets as bw
from backprop_widgets.exercises import Feedback, GradientQuestion
from tests.exercises.work import budget, calls


@functools.cache
def questions() -> tuple[GradientQuestion, ...]:
    mazur = bw.presets.mazur()
    tiny = bw.presets.tiny()
    deep = bw.Network([2, 3, 2, 1], seed=1)
    return (
        GradientQuestion(*mazur[:1], "w1", *mazur[1:]),
        GradientQuestion(*tiny[:1], "b", *tiny[1:]),
        GradientQuestion(deep, "w1", [0.3, -0.7], [0.4], level="pre-activation"),
    )


def judged(text: str) -> list[Feedback]:
    out = []
    for q in questions():
        fb, work = calls(q.check, text)
        assert isinstance(fb, Feedback)
        assert "internal_error" not in fb.problems, (text, fb.message)
        assert fb.kind in ("number", "chain_rule", "formula", "empty", "invalid")
        assert fb.correct == (not fb.problems)
        assert isinstance(fb.message, str) and fb.message.strip()
        assert fb.position is None or 0 <= fb.position <= len(text)
        assert work <= budget(text), (text, work)
        out.append(fb)
    return out


SOUP = [
    "dh1/dw1", "do1/dh1", "dL/do1", "dL/do2", "do2/dh1", "dw7/dh1", "dh/db", "dy'/dh", "dL/dy'",
    "dj1/dh1", "do1/dj1", "dnet_h1/dw1", "dh1/dnet_h1", "∂", "∂h1", "/∂w1", "d", "h1", "w1", "b",
    "y'", "net_h1", "out_o1", "E_total", "L", "t1", "y", "x", "i1", "h_{1}", "w_{1}", "\\frac",
    "{", "}", "(", ")", "[", "]", "\\left(", "\\right)", "*", "+", "-", "/", "^", "**", "=",
    "·", "×", "÷", "−", "⁻⁴", "²", "₁", "'", "_", "\\", "\\cdot", "\\times", "\\partial",
    "\\sigma", "sigma'", "σ", "tanh", "relu'", "exp", "log", "ln", "sqrt", "pi", "e", "0", "1",
    "0.5", "1e308", "9", "4.38568e-4", ",", ".", " ", "  ", "\n", "\\mathrm{net}", "^{\\prime}",
    "__import__", "'os'", "\u202e", "\x00",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises(text):
    judged(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SOUP), max_size=40), st.sampled_from(["", " "]))
def test_token_soup_never_raises(parts, sep):
    judged(sep.join(parts))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SOUP), min_size=1, max_size=8), st.integers(1, 400))
def test_long_repetitive_soup_never_raises(parts, times):
    judged("".join(parts) * times)


def _factor(num: str, den: str, style: int) -> str:
    tex = {"y'": "y^{\\prime}"}
    if style == 0:
        return f"d{num}/d{den}"
    if style == 1:
        return f"∂{num}/∂{den}"
    if style == 2:
        return f"d {num} / d {den}"
    return rf"\frac{{\partial {tex.get(num, num)}}}{{\partial {tex.get(den, den)}}}"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_order_and_notation_of_the_right_sum_is_right(data):
    q = data.draw(st.sampled_from(questions()))
    terms = [[(f.num, f.den) for f in term] for term in q.chain_rule.terms]
    terms = data.draw(st.permutations(terms))
    written = []
    for term in terms:
        term = data.draw(st.permutations(term))
        styles = [data.draw(st.integers(0, 3)) for _ in term]
        seps = [
            data.draw(st.sampled_from([" * ", "*", " ", " · ", " \\cdot ", " × "]))
            for _ in term[1:]
        ]
        text = _factor(*term[0], styles[0])
        for sep, factor, style in zip(seps, term[1:], styles[1:], strict=True):
            text += sep + _factor(*factor, style)
        written.append(text)
    answer = " + ".join(written)
    fb = q.check(answer)
    assert fb.correct, (answer, fb.message)
    assert fb.kind == "chain_rule"


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_dropping_a_term_names_the_missing_path(data):
    q = data.draw(st.sampled_from(questions()))
    terms = q.chain_rule.terms
    if len(terms) < 2:
        return
    k = data.draw(st.integers(0, len(terms) - 1))
    kept = [t for i, t in enumerate(terms) if i != k]
    answer = " + ".join(" * ".join(f.text() for f in t) for t in kept)
    fb = q.check(answer)
    assert fb.problems == ("missing_path",)
    assert " → ".join(q.chain_rule.paths[k]) in fb.message
