"""GradientQuestion, Feedback and check_answer as exercise authors and autograders use them."""

from __future__ import annotations

import dataclasses
import doctest

import pytest

import backprop_widgets as bw
from backprop_widgets import exercises
from backprop_widgets.exercises import (
    Feedback,
    GradientQuestion,
    check_answer,
    formula,
    hints,
    leibniz,
    parser,
    question,
    tokens,
)
from tests.exercises.work import budget, calls

SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
SEED_CORRECTED = "dh1/dw1 * do2/dh1 * dL/do2 + dh1/dw1 * do1/dh1 * dL/do1"


@pytest.fixture(scope="module")
def mazur():
    return bw.presets.mazur()


@pytest.fixture(scope="module")
def q1(mazur):
    net, x, t = mazur
    return GradientQuestion(net, "w1", x, t)


def test_mazur_worked_example_values(mazur):
    net, x, t = mazur
    assert GradientQuestion(net, "w1", x, t).expected == pytest.approx(0.000438568, rel=1e-6)
    assert GradientQuestion(net, "w5", x, t).expected == pytest.approx(0.082167041, rel=1e-8)


def test_the_seed_mistake_is_named_first_and_the_correction_accepted(q1):
    wrong = q1.check(SEED_WRONG)
    assert not wrong.correct
    assert wrong.problems[0] == "parameter_as_function"
    assert wrong.message.startswith(
        "dw7/dh1: w7 is a weight — an independent variable you choose, not a function of h1"
    )
    assert "do2/dh1" in wrong.message  # says what to write instead
    right = q1.check(SEED_CORRECTED)
    assert right.correct and right.kind == "chain_rule"
    assert right.value == pytest.approx(0.000438568, rel=1e-6)


def test_feedback_is_a_frozen_record(q1):
    fb = q1.check("0.000438568")
    assert dataclasses.is_dataclass(fb)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fb.correct = False
    assert str(fb) == fb.message
    assert fb.interpreted == r"4.38568 \times 10^{-4}"
    assert fb.value == pytest.approx(0.000438568)
    assert fb.expected == pytest.approx(0.000438568, rel=1e-6)


def test_interpreted_latex_uses_the_networks_names(q1):
    fb = q1.check("dout_h1/dw_{1} * (do1/dout_h1 * dE/do1 + do2/dh1 * dE_total/do2)")
    assert fb.correct
    assert r"\frac{\partial h_{1}}{\partial w_{1}}" in fb.interpreted
    assert r"\frac{\partial L}{\partial o_{1}}" in fb.interpreted
    assert "out" not in fb.interpreted and "E" not in fb.interpreted


def test_syntax_errors_point_at_the_character(q1):
    fb = q1.check("dh1/dw1 * do1/dh1 * )")
    assert fb.kind == "invalid" and fb.problems == ("syntax_error",)
    assert fb.position == 20
    assert "character 21" in fb.message
    lines = fb.message.splitlines()
    assert lines[-1].index("^") - lines[-2].index("d") == 20


def test_long_answers_show_a_window_around_the_error(q1):
    text = "dh1/dw1 * " * 400 + "$" + " * dh1/dw1" * 400
    fb = q1.check(text)
    assert fb.position == 4000 and "character 4001" in fb.message
    snippet, caret = fb.message.splitlines()[-2:]
    assert len(snippet) < 80 and snippet[caret.index("^")] == "$"


def test_unknown_names_list_the_known_names_and_the_closest(q1):
    fb = q1.check("sigmod(net_h1) * i1")
    assert fb.problems == ("unknown_name",)
    assert "sigmod" in fb.message and "Did you mean sigmoid?" in fb.message
    fb = q1.check("dh3/dw1 * do1/dh3 * dL/do1")
    assert "h3" in fb.message and "neurons h1, h2, o1, o2" in fb.message
    assert "parameters w1, w2" in fb.message and "targets t1, t2" in fb.message


def test_a_lone_wrong_case_is_forgiven(q1):
    assert q1.check("dH1/dW1 * (dO1/dH1 * dl/dO1 + do2/dh1 * dL/do2)").correct


def test_the_question_keeps_its_own_copy_of_the_network(mazur):
    net, x, t = mazur
    net = net.copy()
    q = GradientQuestion(net, "w5", x, t)
    net["w5"] = 3.0
    assert q.check("0.082167041").correct
    assert q.net is not net


@pytest.mark.parametrize(
    ("answer", "kind", "problems", "correct"),
    [
        (None, "empty", ("empty",), False),
        (0.000438568, "number", (), True),
        (4, "number", ("wrong_value",), False),
        (float("nan"), "number", ("not_finite",), False),
        (float("-inf"), "number", ("not_finite",), False),
        (10**400, "number", ("not_finite",), False),
        (True, "invalid", ("not_text",), False),
        (["dh1/dw1"], "invalid", ("not_text",), False),
        (b"0.000438568", "invalid", ("not_text",), False),
    ],
)
def test_answers_that_are_not_strings(q1, answer, kind, problems, correct):
    fb = q1.check(answer)
    assert (fb.kind, fb.problems, fb.correct) == (kind, problems, correct)


def test_rtol_is_the_authors_choice(mazur):
    net, x, t = mazur
    assert not GradientQuestion(net, "w1", x, t).check("0.00044").correct
    assert GradientQuestion(net, "w1", x, t, rtol=0.01).check("0.00044").correct
    strict = GradientQuestion(net, "w1", x, t, rtol=1e-8)
    assert not strict.check("0.000438568").correct
    assert strict.check("0.000438567734474").correct


def test_accept_limits_the_kinds_of_answer(mazur):
    net, x, t = mazur
    q = GradientQuestion(net, "w1", x, t, accept="chain_rule")
    fb = q.check("0.000438568")
    assert fb.problems == ("kind_not_accepted",) and "chain-rule sum" in fb.message
    assert q.check(SEED_CORRECTED).correct


def test_formula_verdicts_are_deterministic_and_use_the_seed(mazur):
    net, x, t = mazur
    answer = "0.000438568 * w1 / w1"
    first = GradientQuestion(net, "w1", x, t).check(answer)
    again = GradientQuestion(net, "w1", x, t).check(answer)
    assert first == again and first.problems == ("matches_only_here",)
    # with no extra draws a formula is judged at the question's parameters only
    assert GradientQuestion(net, "w1", x, t, draws=0).check(answer).correct


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"param": "w9"}, KeyError, ["w9", "w1"]),
        ({"rtol": 0}, ValueError, ["rtol", "0"]),
        ({"rtol": "0.1"}, ValueError, ["rtol"]),
        ({"level": "neurons"}, ValueError, ["level", "neurons", "pre-activation"]),
        ({"accept": ("essay",)}, ValueError, ["accept", "essay", "chain_rule"]),
        ({"accept": ()}, ValueError, ["accept"]),
        ({"draws": -1}, ValueError, ["draws", "-1"]),
        ({"x": ["a", "b"]}, ValueError, ["x", "'a'"]),
        ({"x": [0.1, 0.2, 0.3]}, ValueError, ["x", "(3,)"]),
    ],
)
def test_bad_question_arguments_are_named(mazur, kwargs, error, words):
    net, x, t = mazur
    args = {"net": net, "param": "w1", "x": x, "t": t, **kwargs}
    with pytest.raises(error) as err:
        GradientQuestion(**args)
    for word in words:
        assert word in str(err.value)


def test_describing_the_question(q1):
    assert q1.prompt == "dL/dw1"
    assert q1.prompt_latex == r"\frac{\partial L}{\partial w_{1}}"
    assert q1.solution().startswith("dL/dw1 = dh1/dw1 * do1/dh1 * dL/do1 + ")
    assert q1.check(q1.solution()).correct  # the shown solution is itself accepted
    assert "dL/dw1" in repr(q1)


# ---------------------------------------------------------------- autograding
def test_autograder_pattern_from_the_package_docstring(mazur):
    net, x, t = mazur
    answer_w1 = "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"  # the student's cell
    fb = check_answer(net, "w1", x, t, answer_w1, accept=("chain_rule",))
    assert fb.correct, fb.message


def test_assert_correct_fails_with_the_students_feedback(q1):
    assert q1.assert_correct(SEED_CORRECTED).correct
    with pytest.raises(AssertionError) as err:
        q1.assert_correct(SEED_WRONG)
    assert "w7 is a weight" in str(err.value)


def test_docstring_examples_run():
    for module in (exercises, question, tokens, parser, formula, leibniz, hints):
        result = doctest.testmod(module, raise_on_error=False)
        assert result.failed == 0, module.__name__


# ---------------------------------------------------------------- safety
@pytest.mark.parametrize(
    "template",
    [
        "__import__('os').system('touch {path}')",
        '__import__("os").system("touch {path}")',
        "open('{path}', 'w')",
        "exec(compile('open(\"{path}\",\"w\")', 'x', 'exec'))",
        "[c for c in ().__class__.__bases__[0].__subclasses__()] and open('{path}','w')",
        'sympify(\'open("{path}", "w")\')',
        "lambda: open('{path}','w')",
    ],
)
def test_answers_are_never_run(q1, tmp_path, template):
    path = tmp_path / "pwned"
    fb = q1.check(template.format(path=path))
    assert not path.exists()
    assert not fb.correct and fb.kind == "invalid"
    assert fb.problems[0] == "syntax_error"


ADVERSARIAL = [
    "",
    " " * 100_000,
    "x" * 100_000,
    "9**9**9**9",
    "9^9^9^9^9^9^9^9^9^9",
    "exp(exp(exp(exp(1000))))",
    "(" * 50_000,
    ")" * 50_000,
    "-" * 9_000 + "1",
    "(" * 4_000 + ")" * 4_000,
    "dh1/dw1*do1/dh1*dL/do1+" * 430 + "dh1/dw1*do2/dh1*dL/do2",
    "(dh1/dw1 + do1/dh1 + dL/do1) " * 300,
    "(dh1/dw1+dh1/dw1)" * 600,
    "∂" * 10_000,
    "\\frac{" * 2_000,
    "h_{" * 3_000,
    "sigma(" * 3_000 + "1" + ")" * 3_000,
    " ".join(f"w{k}" for k in range(1500)),
    "1e308*1e308 - 1e308*1e308",
    "log(0)",
    "0^-1",
    "(-8)^(1/3)",
    "i1 / (h1 - h1)",
    "\u202e\u0000\ud800" * 1000,
    "dq" + "1" * 9_000 + "/dw1",
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_input_is_answered_quickly(q1, text):
    fb, work = calls(q1.check, text)
    assert isinstance(fb, Feedback) and not fb.correct
    assert "internal_error" not in fb.problems, fb.message
    assert fb.message.strip()
    assert work <= budget(text), f"{work:,} calls for {len(text):,} characters"


def test_the_seed_mistake_made_twice_is_explained_once():
    net, x, t = bw.presets.mazur()
    fb = bw.check_answer(
        net,
        "w1",
        x,
        t,
        "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1",
    )
    assert fb.problems == ("parameter_as_function", "parameter_as_function")
    assert fb.message.count("independent variable") == 1
    assert "dw5/dh1: the same mistake — w5 is a weight too, not a function of h1" in fb.message
    assert "do1/dh1" in fb.message.splitlines()[1]  # and the fix for that path


def test_three_correctly_rounded_figures_count_for_every_leading_digit(mazur):
    net, x, t = mazur
    for param in net.parameter_names:
        q = GradientQuestion(net, param, x, t)
        rounded = f"{q.expected:.2e}"
        assert q.check(rounded).correct, (param, rounded, q.expected)
    q = GradientQuestion(net, "w1", x, t)
    assert "0.1 %" in q.tolerance_text and "3 significant figures" in q.tolerance_text


def test_significant_figures_when_the_author_asks(mazur):
    net, x, t = mazur
    q = GradientQuestion(net, "w5", x, t, sig_figs=4)  # dE/dw5 = 0.082167041
    assert q.check("0.08217").correct
    assert q.check("0.0821670").correct
    assert not q.check("0.0822").correct
    assert not q.check("0.08216").correct
    assert "4 significant figures" in q.tolerance_text
    with pytest.raises(bw.BackpropInputError, match="sig_figs"):
        GradientQuestion(net, "w5", x, t, sig_figs=0)
