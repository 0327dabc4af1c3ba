"""Formulas as MathML written in Python: every formula the package writes is read, well formed."""

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop_widgets as bw
from backprop_widgets.exercises.latex import to_latex
from backprop_widgets.exercises.parser import parse
from backprop_widgets.exercises.tokens import AnswerSyntaxError
from backprop_widgets.widgets import panels
from backprop_widgets.widgets.mathml import html_with_math, to_mathml

NETS = {
    "mazur": bw.presets.mazur,
    "softmax": lambda: (
        bw.Network([2, 3, 3], activation=["tanh", "softmax"], loss="cross_entropy", seed=1),
        [0.3, -0.2],
        [0.0, 1.0, 0.0],
    ),
    "deep-gelu": lambda: (bw.Network([2, 3, 3, 1], activation="gelu", seed=2), [0.5, 0.1], [0.4]),
}


def maths(text: str) -> list[ET.Element]:
    found = re.findall(r"<math\b.*?</math>", text, re.S)
    return [ET.fromstring(m) for m in found]


@pytest.mark.parametrize("level", ["neuron", "pre-activation"])
@pytest.mark.parametrize("name", NETS)
def test_every_explorer_formula_becomes_well_formed_mathml(name, level):
    net, x, t = NETS[name]()
    for param in net.parameter_names:
        html = html_with_math(panels.panel_html(net.chain_rule(param, x, t, level)))
        assert "$" not in html, "a formula was left as LaTeX"
        elements = maths(html)
        assert elements, "the panel shows no formula"
        assert "<mtext>\\" not in html, "a LaTeX command the reader does not know"
        for el in elements:
            assert el.get("alttext"), "every formula carries its LaTeX as a text alternative"


def test_the_fraction_reads_as_a_fraction_and_names_stay_text():
    m = to_mathml(r"\frac{\partial L}{\partial w_{1}} = 0.5 \cdot \sigma'(\mathrm{net}_{h1})")
    root = ET.fromstring(m)
    assert root.find(".//mfrac") is not None and root.find(".//msub") is not None
    assert "·" in m and "σ" in m
    # a node called <i>h arrives escaped and stays text
    shown = html_with_math(r"$$\frac{\partial L}{\partial &lt;i&gt;h}$$")
    assert "<i>" not in shown and "&lt;i&gt;" in shown


def test_brackets_and_cases_are_kept():
    m = to_mathml(r"\left(1 - \sigma(z)\right) \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}")
    root = ET.fromstring(m)
    assert [mo.text for mo in root.iter("mo")].count(")") == 2
    assert len(root.findall(".//mtr")) == 2


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="dhwoLtnet_123+-*/^()σ' .x", max_size=40))
def test_any_typed_answer_preview_is_well_formed(answer):
    try:
        sides = parse(answer)
    except AnswerSyntaxError:
        return
    for side in sides:
        ET.fromstring(to_mathml(to_latex(side), display=True))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_latex_never_raises_and_is_well_formed(latex):
    ET.fromstring(to_mathml(latex))
