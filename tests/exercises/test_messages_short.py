"""Messages a student reads: a few lines whatever was typed, and the margin note a marker writes.

Every worst shape of benchmarks/bench_checker.py gets a message of at most a few lines that
still names the problem (times are the benchmark's, never asserted here); on a computation
graph, the end itself typed for its derivative, and the paths' terms multiplied where they
meet, are named only where that holds at the question's values and at every re-draw.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest

import backprop_widgets as bw
from backprop_widgets.exercises import GradientQuestion
from backprop_widgets.exercises.question import MAX_MESSAGE_CHARS

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_checker.py"
MAX_LINES = 5


def _worst_inputs() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("bench_checker", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.worst_inputs()


WORST = _worst_inputs()
GRAPHS = {
    "colah": ("c = a + b; d = b + 1; e = c * d", {"a": 2, "b": 1}),  # de/db = d + c = 5
    "colah-product": ("c = a * b; d = b + 1; e = c * d", {"a": 2, "b": 3}),  # a·d + c = 14
    "cs231n": ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}),  # df/dx = z
    "residual": (
        "a = w1 * x; h = tanh(a); F = w2 * h; y = x + F; L = 0.5 * (y - t)^2",
        {"x": 0.5, "w1": 0.8, "w2": -1.2, "t": 0.2},
    ),
}


def _mazur(param: str) -> GradientQuestion:
    net, x, t = bw.presets.mazur()
    return GradientQuestion(net, param, x, t)


QUESTIONS = {  # the benchmark's network question, and its graph question
    "mazur-w1": lambda: _mazur("w1"),
    "residual-w1": lambda: graph_question("residual", "w1"),
}


@functools.cache
def question(name: str) -> GradientQuestion:
    return QUESTIONS[name]()


@functools.cache
def graph_question(name: str, asked: str) -> GradientQuestion:
    text, values = GRAPHS[name]
    return GradientQuestion(bw.expression(text, **values), asked)


# ---------------------------------------------------------------- every worst shape is short
@pytest.mark.parametrize("where", sorted(QUESTIONS))
@pytest.mark.parametrize("shape", list(WORST))
def test_every_worst_shape_gets_a_few_lines(where, shape):
    fb = question(where).check(WORST[shape])
    assert len(fb.message) <= MAX_MESSAGE_CHARS, (len(fb.message), fb.message[:300])
    assert fb.message.count("\n") < MAX_LINES, fb.message
    if not fb.correct:  # the first problem is shown whole: the message still names it
        assert fb.message.startswith(fb.details[0]), fb.message


def test_a_total_repeated_2000_times_is_named_once():
    fb = question("mazur-w1").check(WORST["δ_h1 repeated"])
    assert fb.problems[0] == "product_not_sum"
    assert len(fb.message) <= MAX_MESSAGE_CHARS, len(fb.message)
    assert "multiplies dL/dh1 by itself (2,000 times)" in fb.message
    assert "product" in fb.message and "Add the products" in fb.message
    assert "delta_h1 is read as dL/dh1" in fb.message  # the reading is still said


@pytest.mark.parametrize("shape", ["256 x 16 (at the limit)", "16 x 256 (at the limit)"])
def test_many_problems_show_those_that_fit_and_count_the_rest(shape):
    fb = question("mazur-w1").check(WORST[shape])
    assert set(fb.problems) == {"product_not_sum"}
    assert len(fb.message) <= MAX_MESSAGE_CHARS
    shown = fb.message.count("multiplies paths together")
    assert fb.message.endswith(f"(and {len(fb.problems) - shown} more)")
    assert len(fb.details) == len(fb.problems)  # every problem is still in details


# ---------------------------------------------------------------- the end itself, paths multiplied
BOTH = "This is e itself (the value of the expression), not its derivative de/db"
MULTIPLIED = "the two paths' terms multiplied (d·c)"
ADDED = "where paths meet, their terms are added: de/db = d + c."


@pytest.mark.parametrize(
    ("where", "asked", "answer", "problem", "said", "unsaid"),
    [
        # colah: e = c·d = (a + b)(b + 1) is also the product of the paths' terms d and c
        ("colah", "b", "(a+b)*(b+1)", "end_value", [BOTH, MULTIPLIED, ADDED], ["is extra"]),
        ("colah", "b", "(b+1)*(a+b)", "end_value", [BOTH, MULTIPLIED, ADDED], ["is extra"]),
        ("colah", "b", "d*c", "end_value", [BOTH, MULTIPLIED, ADDED], ["missing"]),
        ("colah", "b", "c*d", "end_value", [BOTH, ADDED], []),
        ("colah", "b", "e", "end_value", [BOTH, ADDED], []),
        ("colah", "b", "6", "end_value", ["6 is not de/db", BOTH, ADDED], []),
        # the paths' terms a·d and c multiplied are not e here: each is named on its own
        ("colah-product", "b", "a*d*c", "paths_multiplied",
         ["The two paths' terms are multiplied ((a·d)·c)",
          "where paths meet, their terms are added: de/db = a·d + c."], ["itself"]),
        ("colah-product", "b", "a*b*(b+1)", "end_value",
         ["This is e itself (the value of the expression), not its derivative de/db."],
         ["multiplied"]),
        ("colah-product", "b", "24", "end_value", ["e itself"], ["multiplied"]),
        # one path: the end itself, nothing about paths
        ("cs231n", "x", "z*q", "end_value",
         ["This is f itself (the value of the expression), not its derivative df/dx."],
         ["paths"]),
        ("cs231n", "x", "(x+y)*z", "end_value", ["f itself"], ["paths"]),
        # a residual block: the loss itself, and the two paths through x multiplied
        ("residual", "x", "0.5*(y-t)^2", "end_value", ["This is L itself"], ["multiplied"]),
        ("residual", "x", "L", "end_value", ["This is L itself"], []),
        ("residual", "x", "(y-t)*w1*(1-h^2)*w2*(y-t)", "paths_multiplied",
         ["The two paths' terms are multiplied", "their terms are added: dL/dx ="], ["itself"]),
    ],
    ids=[
        "colah-e-typed", "colah-paths-typed", "colah-d-times-c", "colah-c-times-d", "colah-e",
        "colah-number", "product-paths-multiplied", "product-e-typed", "product-number",
        "cs231n-f", "cs231n-f-typed", "residual-loss", "residual-L", "residual-paths",
    ],
)  # fmt: skip
def test_the_end_itself_and_paths_multiplied_are_named(where, asked, answer, problem, said, unsaid):
    fb = graph_question(where, asked).check(answer)
    assert fb.problems == (problem,), fb.message
    for text in said:
        assert text in fb.message, fb.message
    for text in unsaid:
        assert text not in fb.message, fb.message
    assert len(fb.message) <= MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("where", "answer"),
    [
        ("colah", "6*b"),  # 6 here, but not e at the re-draws
        ("colah", "3*a"),
        ("colah-product", "6*b+6"),  # 24 here only
        ("cs231n", "3*z"),  # -12 = f here only
    ],
)
def test_the_end_is_not_named_where_it_holds_here_only(where, answer):
    asked = "x" if where == "cs231n" else "b"
    fb = graph_question(where, asked).check(answer)
    assert not fb.correct
    assert "end_value" not in fb.problems and "paths_multiplied" not in fb.problems, fb.message
    assert "itself" not in fb.message


@pytest.mark.parametrize(
    ("where", "asked", "answer"),
    [("colah", "b", "d + c"), ("colah", "b", "(b+1)+(a+b)"), ("colah-product", "b", "a*d + c")],
)
def test_the_sum_of_the_paths_is_right(where, asked, answer):
    assert graph_question(where, asked).check(answer).correct
