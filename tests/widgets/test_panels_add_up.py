"""Every line of the explorer's panels adds up: worked out from the numbers it shows, the
right side of each "=" is the quantity on its left, as the core computes it.

The LaTeX is read back with a tiny evaluator of numbers, "*", "+" and brackets (never
``eval``). Each shown number stands for an interval, the values that round to it, and the
intervals are carried through the arithmetic, so "equal to the shown precision" is exact:
the core's value must lie in the interval of every numeric right side.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core import numbers
from backprop_widgets.core.chain_rule import DELTA_PREFIX, LOSS_NODE, latex_name
from backprop_widgets.widgets import ChainRuleExplorer
from backprop_widgets.widgets.panels import DIGITS
from tests.widgets.shown import shown

# ------------------------------------------------------------------ reading the LaTeX
MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
ALIGNED = re.compile(r"\\begin\{aligned\}(.*)\\end\{aligned\}", re.S)
ROW_BREAK = re.compile(r"\\\\(?:\[[^\]]*\])?")
SCIENTIFIC = re.compile(r"(\d+(?:\.\d+)?)\s*\\times\s*10\^\{(-?\d+)\}")
TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?(?:e-?\d+)?|[-+*()])")
NUMERIC = re.compile(r"^[\d.e+\-*()\s]+$")
MINUS_ZERO = re.compile(r"(?<![\d.])-0(?![.\d])")


def equations(page: str) -> list[tuple[str, list[str]]]:
    """(left side, [right sides...]) for every equation of every $$ block.

    An aligned row that starts with "=" continues the previous left side; one that starts
    with "+" continues the previous row's sum (a long sum written one term per line).
    """
    found: list[tuple[str, list[str]]] = []
    for block in MATH.findall(page):
        block = html.unescape(block)  # the panels escape their LaTeX for the browser
        aligned = ALIGNED.fullmatch(block.strip())
        rows = ROW_BREAK.split(aligned.group(1)) if aligned else [block]
        for row in rows:
            row = row.replace("&", "").replace(r"\quad", "").strip()
            if row.startswith("+") and found:
                found[-1][1][-1] += " " + row
            elif row.startswith("=") and found:
                found[-1][1].extend(s.strip() for s in row[1:].split("="))
            else:
                lhs, *sides = (s.strip() for s in row.split("="))
                found.append((lhs, sides))
    return found


def as_arithmetic(side: str) -> str | None:
    """The side as plain arithmetic (numbers, *, +, brackets), or None if it has symbols."""
    text = SCIENTIFIC.sub(r"\1e\2", side)
    text = text.replace(r"\cdot", "*").replace(r"\left(", "(").replace(r"\right)", ")")
    return text if NUMERIC.match(text) else None


# ------------------------------------------------------------------ interval arithmetic
class Interval:
    def __init__(self, lo: float, hi: float):
        self.lo, self.hi = lo, hi

    def __add__(self, other):
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __mul__(self, other):
        ends = [a * b for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Interval(min(ends), max(ends))

    def __neg__(self):
        return Interval(-self.hi, -self.lo)

    def __contains__(self, x: float) -> bool:
        slack = 1e-12 + 1e-9 * abs(x)
        return self.lo - slack <= x <= self.hi + slack

    def __repr__(self):
        return f"[{self.lo:.10g}, {self.hi:.10g}]"


def shown_number(text: str) -> Interval:
    """Every value that is written as ``text`` (at DIGITS or more significant digits)."""
    v = float(text)
    mantissa, _, exponent = text.partition("e")
    decimals = len(mantissa.partition(".")[2])
    half_ulp = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
    if v == 0:  # numbers.plain writes "0" only for an exact zero
        return Interval(0.0, 0.0)
    half_digit = 0.5 * 10.0 ** (math.floor(math.log10(abs(v))) - (DIGITS - 1))
    err = min(half_ulp, half_digit)
    return Interval(v - err, v + err)


def evaluate(arithmetic: str) -> Interval:
    """sum := product ('+' product)*; product := factor ('*' factor)*;
    factor := number | '-' factor | '(' sum ')'."""
    tokens = TOKEN.findall(arithmetic)
    assert "".join(tokens) == re.sub(r"\s+", "", arithmetic), arithmetic
    pos = 0

    def take(expected=None):
        nonlocal pos
        token = tokens[pos] if pos < len(tokens) else None
        if expected is not None and token != expected:
            raise AssertionError(f"expected {expected!r} at {pos} in {arithmetic!r}")
        pos += 1
        return token

    def factor():
        token = take()
        if token == "-":
            return -factor()
        if token == "(":
            inside = total()
            take(")")
            return inside
        assert token is not None and token[0].isdigit(), arithmetic
        return shown_number(token)

    def product():
        out = factor()
        while pos < len(tokens) and tokens[pos] == "*":
            take()
            out = out * factor()
        return out

    def total():
        out = product()
        while pos < len(tokens) and tokens[pos] == "+":
            take()
            out = out + product()
        return out

    out = total()
    assert pos == len(tokens), f"left over {tokens[pos:]} in {arithmetic!r}"
    return out


# ------------------------------------------------------------------ the left side, from the core
def core_values(graph):
    """LaTeX of a left side -> its value, for every quantity the panels name."""
    pre = graph.both_levels("pre-activation")
    neuron = graph.both_levels("neuron")
    names = {latex_name(n): n for n in pre.node_names + neuron.node_names + pre.parameter_names}
    frac = re.compile(r"\\frac\{\\partial (.+?)\}\{\\partial (.+)\}")

    def value(lhs: str) -> float:
        if lhs == r"\delta_L":
            return 1.0
        if lhs.startswith(r"\delta_{"):
            inner = {latex_name(DELTA_PREFIX + n): n for n in pre.node_names}
            return pre.delta(inner[lhs])
        match = frac.fullmatch(lhs)
        assert match, f"a left side the test does not know: {lhs!r}"
        num, den = names[match.group(1)], names[match.group(2)]
        return 1.0 if num == den == LOSS_NODE else graph.derivative(num, den)

    return value


def check_adds_up(page: str, graph) -> int:
    """Assert every numeric right side of ``page`` holds the core's value; return how many."""
    value = core_values(graph)
    checked = 0
    for lhs, sides in equations(page):
        for side in sides:
            arithmetic = as_arithmetic(side)
            if arithmetic is None:
                continue
            assert not MINUS_ZERO.search(arithmetic), f"-0 shown in {lhs} = {side}"
            expected = value(lhs)
            interval = evaluate(arithmetic)
            assert expected in interval, f"{lhs} = {side}: {interval} does not hold {expected!r}"
            checked += 1
    assert not re.search(r"\b(nan|inf)\b", page), "a number that is not finite"
    return checked


# ------------------------------------------------------------------ the networks
def mazur():
    return bw.presets.mazur()


def three_layers():
    net = bw.Network([2, 3, 2, 2], activation=["relu", "tanh", "sigmoid"], seed=3)
    return net, np.array([0.8, -0.4]), np.array([1.0, 0.0])


def softmax():
    net = bw.Network(
        [2, 3, 3], activation=["sigmoid", "softmax"], loss="cross_entropy", bias="per_layer", seed=1
    )
    return net, np.array([0.3, -0.9]), np.array([0.0, 1.0, 0.0])


def wide():  # deltas that are sums of more terms than a line shows
    net = bw.Network([3, 8, 8, 2], activation="tanh", seed=0)
    return net, np.array([0.5, -0.5, 0.25]), np.array([1.0, 0.0])


def check_explorer(net, x, t, level, params=None) -> int:
    graph = net.graph(x, t, level)
    ex = ChainRuleExplorer(net, x, t, level=level)
    checked = 0
    for p in params or net.parameter_names:
        ex.selected = p
        n = check_adds_up(shown(ex.panel), graph)
        assert n >= 2, (p, shown(ex.panel))  # at least the delta form and its first delta
        checked += n
        for chip in ex.terms:
            assert not MINUS_ZERO.search(chip["value"]), chip
    for _ in graph.backward_order():
        ex.step()
        checked += check_adds_up(shown(ex.step_panel), graph)
    return checked


@pytest.mark.parametrize("level", ["neuron", "pre-activation"])
@pytest.mark.parametrize("make", [mazur, three_layers, softmax])
def test_every_numeric_line_of_the_panels_adds_up(make, level):
    net, x, t = make()
    assert check_explorer(net, x, t, level) >= 2 * len(net.parameter_names)


def test_long_deltas_are_written_with_their_value():
    net, x, t = wide()
    check_explorer(net, x, t, "neuron", params=["w1", "b1"])
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    assert r"\dots" in shown(ex.panel) and r"(8\text{ terms})" in shown(ex.panel)


def test_the_mazur_worked_numbers_add_up_with_the_child_deltas():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    for _ in range(4):
        ex.step()
    text = html.unescape(shown(ex.step_panel))
    assert r"&= 0.07473 \cdot 0.7414 + 0.08776 \cdot (-0.2171) = 0.03635" in text
    assert r"0.01207 \cdot 0.03635 = 0.0004386" in text  # dL/dw1, now known


def test_a_single_path_is_not_written_twice_as_backprops_form():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w5")
    assert "bpw-factored" not in shown(ex.panel) and "With one path" in shown(ex.panel)
    ex.selected = "w1"  # two paths share dh1/dw1: backprop's form takes it out
    assert "bpw-factored" in shown(ex.panel)


def test_a_weight_of_exactly_zero_gives_numbers_not_nan():
    net, x, t = bw.presets.mazur()
    net["w5"] = 0.0  # do1/dh1 = sigma'(net_o1) * w5 = 0: the slope is not value / w
    net["w7"] = 0.0  # and dh1/dw1 * 0 * dL/do2 (negative) is -0.0, written "0"
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    page = shown(ex.panel)
    assert "nan" not in page.lower()
    slope = numbers.latex(net.graph(x, t).local_slope("o1"))
    assert rf"\sigma'(\mathrm{{net}}_{{o1}}) \cdot w_{{5}} = {slope} \cdot 0 = 0" in page
    assert [chip["value"] for chip in ex.terms] == ["= 0", "= 0"]
    check_explorer(net, x, t, "neuron", params=["w1", "w5", "w7"])


def test_the_evaluator_reads_only_arithmetic():
    assert as_arithmetic(r"0.1108 \cdot (-1.2 \times 10^{-5}) + 3") == "0.1108 * (-1.2e-5) + 3"
    assert as_arithmetic(r"\sigma'(\mathrm{net}_{o1}) \cdot w_{5}") is None
    assert 0.03635 in evaluate("0.07473 * 0.7414 + 0.08776 * (-0.2171)")
    assert 0.0506 not in evaluate("0.07473 * 0.7414 + 0.08776")  # a child delta left out
    with pytest.raises(AssertionError):
        evaluate("1 - 2")
