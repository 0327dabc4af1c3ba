"""The tokenizer and parser on their own: notations, precedence, errors, limits."""

from __future__ import annotations

import pytest

from backprop_widgets.exercises.formula import evaluate
from backprop_widgets.exercises.latex import to_latex
from backprop_widgets.exercises.parser import (
    MAX_DEPTH,
    Call,
    Name,
    Neg,
    Num,
    Partial,
    Product,
    Sum,
    parse,
)
from backprop_widgets.exercises.question import MAX_LENGTH
from backprop_widgets.exercises.tokens import AnswerSyntaxError, name_key, tokenize
from tests.exercises.work import budget, calls


def value(text: str) -> float:
    (tree,) = parse(text)
    return evaluate(tree, lambda n: pytest.fail(f"unexpected name {n}"), lambda p: 1.0)


def factors(text: str) -> list[tuple[str, str]]:
    (tree,) = parse(text)
    items = [tree] if isinstance(tree, Partial) else [f for _, f in tree.factors]
    return [(name_key(p.num.text), name_key(p.den.text)) for p in items]


@pytest.mark.parametrize(
    "text",
    [
        "dh1/dw1 * do1/dh1",
        "dh1/dw1 do1/dh1",
        "∂h1/∂w1 ∂o1/∂h1",
        "∂h₁/∂w₁·∂o₁/∂h₁",
        "d h1 / d w1 × d o1 / d h1",
        r"\frac{\partial h_1}{\partial w_1}\frac{\partial o_1}{\partial h_1}",
        r"\frac{\partial h_{1}}{\partial w_{1}} \cdot \frac{\partial o_{1}}{\partial h_{1}}",
        r"\dfrac{dh_1}{dw_1} \times \dfrac{d o_1}{d h_1}",
        r"\frac{\mathrm{d}h_1}{\mathrm{d}w_1}\frac{\mathrm{d} o_1}{\mathrm{d} h_1}",
        "∂(h1)/∂(w1) ∂{o_1}/∂{h_1}",
        "𝜕h1/𝜕w1 𝜕o1/𝜕h1",
    ],
)
def test_leibniz_factors_are_atoms_in_every_notation(text):
    assert factors(text) == [("h1", "w1"), ("o1", "h1")]


def test_names_with_subscripts_primes_and_wrappers_share_one_key():
    keys = {t.key for t in tokenize(r"h1 h_1 h_{1} h₁") if t.text}
    assert keys == {"h1"}
    (tok,) = tokenize(r"\mathrm{net}_{h_1}")[:-1]
    assert tok.key == "neth1"
    primes = [t.text for t in tokenize(r"y' y′ y’ y^{\prime} y^\prime")][:-1]
    assert primes == ["y'"] * 5
    assert tokenize(r"E_{\text{total}}")[0].key == "Etotal"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2^3^2", 512.0),
        ("2**3**2", 512.0),
        ("-2^2", -4.0),
        ("2*3+4", 10.0),
        ("1/2 * 4", 2.0),
        ("8.095 x 10^-3", 8.095e-3),
        ("8.095 × 10⁻³", 8.095e-3),
        ("2 \\times 3 \\cdot 4", 24.0),
        ("2(3)(4)", 24.0),
        ("6 ÷ 3 × 2", 4.0),
        ("2 · 3 − 1", 5.0),
        ("10⁻²", 0.01),
        ("3²", 9.0),
        (r"\frac{1}{4}", 0.25),
        (r"\left(1 + 1\right) \cdot 2", 4.0),
        ("[1 + 1]{2}", 4.0),
        ("4.38568e-4", 4.38568e-4),
        ("4.38568E−4", 4.38568e-4),
        (".5", 0.5),
        ("2^-1", 0.5),
        ("--3", 3.0),
        ("+3", 3.0),
        ("exp(0) + sigma(0) + tanh(0) + relu(-2) + sqrt(4) + log(1) + ln(1)", 3.5),
        ("σ'(0) + tanh'(0) + relu'(1) + exp'(0) + log'(2) + sqrt'(4)", 4.0),
        (r"\sigma(0) + \exp(0)", 1.5),
        ("ReLU(3) + Sigmoid(0)", 3.5),
        ("exp 0", 1.0),
    ],
)
def test_arithmetic_and_functions(text, expected):
    assert value(text) == pytest.approx(expected)


def test_trees_are_flat_for_long_sums_and_products():
    (tree,) = parse("1 + 2 - 3 + 4")
    assert isinstance(tree, Sum) and [s for s, _ in tree.terms] == ["+", "+", "-", "+"]
    (tree,) = parse("a b * c / d")
    assert isinstance(tree, Product) and [op for op, _ in tree.factors] == ["*", "", "*", "/"]


def test_functions_apply_and_names_multiply():
    (tree,) = parse("sigma'(net_h1)")
    assert tree == Call("sigmoid", 1, Name("net_h1", 7), 0)
    (tree,) = parse("h1(1 - h1)")
    assert isinstance(tree, Product)


def test_known_names_are_not_read_as_differentials():
    (tree,) = parse("dx/dw", known={"dx", "dw"})
    assert isinstance(tree, Product) and isinstance(tree.factors[0][1], Name)
    (tree,) = parse("dx/dw")
    assert isinstance(tree, Partial)


def test_equals_splits_sides():
    sides = parse("dL/dw1 = dh1/dw1 dL/dh1 = 0.5")
    assert len(sides) == 3 and isinstance(sides[2], Num)


def test_unary_minus_is_kept():
    (tree,) = parse("-dh1/dw1")
    assert isinstance(tree, Neg) and isinstance(tree.operand, Partial)


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("dh1/dw1 * )", 10, "missing before"),
        ("(1 + 2", 0, "never closed"),
        ("[1 + 2)", 6, "closed by"),
        ("1 + 2)", 5, "no open bracket"),
        ("1 $ 2", 2, "unexpected character '$'"),
        ("1 +", 3, "ends too early"),
        ("()", 0, "empty brackets"),
        ("__import__('os')", 11, "quote"),
        ("0,5", 1, "decimals"),
        (r"\frac12", 0, "braces"),
        (r"\frac{\partial h}{2}", 5, "paired"),
        (r"\unknown", 0, "unknown LaTeX command"),
        (r"h_{1", 2, "never closed"),
        ("sigma", 0, "needs an argument"),
        ("∂/∂w1", 1, "expected a name after ∂"),
        ("∂h1/w1", 4, "differential"),
        ("1 = ", 4, "ends too early"),
        ("\\", 0, "backslash"),
        ("0.000 438 568", 0, "digits grouped with spaces"),
        ("1/2 4", 2, "two numbers side by side"),
        ("4,38568e-4", 1, "decimals"),
    ],
)
def test_syntax_errors_say_where(text, position, words):
    with pytest.raises(AnswerSyntaxError) as err:
        parse(text)
    assert err.value.position == position
    assert words in err.value.message
    assert f"character {position + 1}" in err.value.message or "end" in err.value.message


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "1" + ")" * 5000,
        "-" * 50_000 + "1",
        "2^" * 20_000 + "2",
        "exp " * 20_000 + "1",
        "{" * 5000,
        r"\frac{" * 3000,
    ],
)
def test_deep_nesting_is_a_syntax_error_not_a_crash(text):
    with pytest.raises(AnswerSyntaxError) as err:
        parse(text)
    assert f"more than {MAX_DEPTH}" in err.value.message or "closed" in err.value.message


def test_nesting_up_to_the_limit_is_fine():
    depth = MAX_DEPTH // 2
    assert value("(" * depth + "1" + ")" * depth) == 1.0


@pytest.mark.parametrize(
    "answer",
    [
        lambda n: "dh1/dw1*do1/dh1*dL/do1+" * (n // 23 + 1) + "dh1/dw1",
        lambda n: "1+" * (n // 2) + "1",
        lambda n: "x " * (n // 2),
        lambda n: "9" * n,
        lambda n: "h_{" + "1" * n + "}",
    ],
    ids=["sum", "ones", "names", "number", "subscript"],
)
def test_reading_is_linear_in_the_length(answer):
    # The longest answer check() reads (MAX_LENGTH), and twice that: twice the text takes at
    # most about twice the work. Counted in function calls, not timed, so a busy machine
    # cannot fail it (benchmarks/bench_checker.py prints the times).
    text, twice = answer(MAX_LENGTH), answer(2 * MAX_LENGTH)
    assert len(text) >= MAX_LENGTH
    _, work = calls(parse, text)
    _, work_twice = calls(parse, twice)
    assert work_twice <= 2.1 * work + 100, (work, work_twice)
    assert work <= budget(text)


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("dh1/dw1", r"\frac{\partial h_{1}}{\partial w_{1}}"),
        (
            "dh1/dw1 * do1/dh1",
            r"\frac{\partial h_{1}}{\partial w_{1}} \frac{\partial o_{1}}{\partial h_{1}}",
        ),
        ("4.38568e-4", r"4.38568 \times 10^{-4}"),
        ("a (b + c)", r"a \cdot \left(b + c\right)"),
        ("a - (b - c)", r"a - \left(b - c\right)"),
        ("(-a)^2", r"\left(-a\right)^{2}"),
        ("sigma'(net_h1)/2", r"\frac{\sigma'\left(\mathrm{net}_{h1}\right)}{2}"),
        ("relu(z) + sqrt(pi)", r"\operatorname{relu}\left(z\right) + \sqrt{\pi}"),
    ],
)
def test_latex_shows_how_the_answer_was_read(text, latex):
    (tree,) = parse(text)
    assert to_latex(tree) == latex
