"""Closed forms with a slope's factors apart, and on any computation graph (issue 20, point 1).

A student who writes Mazur's dL/dw1 as ``h1 * i1 * (1 - h1) * (...)`` has written the slope
h1(1 − h1) with its halves apart: the answer is accepted, and the same answer with a wrong
weight, a missing slope or another activation's slope gets the message the adjacent form
gets. On expression graphs (CS231n's circuit, colah's shared sub-expression, a neuron and a
residual block written as operations) a wrong closed form gets the factor named too.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backprop_widgets as bw
from backprop_widgets.exercises.question import MAX_MESSAGE_CHARS

from .test_formula_structure import closed_form, gradient, network
from .test_graph_questions import GRAPHS  # the same expression graphs, written once

MAZUR_APART = "h1 * i1 * (1 - h1) * ((o1 - t1)*o1*(1-o1)*w5 + (o2-t2)*o2*(1-o2)*w7)"
MAZUR_APART_2 = "h1*((o1-t1)*o1*(1-o1)*w5 + (o2-t2)*o2*(1-o2)*w7)*i1*(1-h1)"
MAZUR_SPREAD = "o1*(o1-t1)*w5*h1*i1*(1-o1)*(1-h1) + o2*(o2-t2)*w7*h1*i1*(1-o2)*(1-h1)"
SOFTMAX_W1 = "h1 * ((o1-t1)*w5 + (o2-t2)*w7 + (o3-t3)*w9) * i1 * (1-h1)"


@functools.cache
def graph_question(name: str, asked: str):
    text, values = GRAPHS[name]
    return bw.GradientQuestion(bw.expression(text, **values), asked)


def check(where: str, asked: str, answer: str):
    if where in GRAPHS:
        return graph_question(where, asked).check(answer)
    return gradient(where, asked).check(answer)


def case(where, asked, answer, problem, *named, id):
    return pytest.param(where, asked, answer, problem, named, id=id)


CASES = [
    # ---- the slope apart is still the slope: right answers accepted
    case("mazur", "w1", MAZUR_APART, None, id="mazur-slope-apart"),
    case("mazur", "w1", MAZUR_APART_2, None, id="mazur-slope-apart-around-the-bracket"),
    case("mazur", "w1", MAZUR_SPREAD, None, id="mazur-every-slope-spread"),
    case("tanh", "w1", "(1 - h1) * i1 * ((o1-t1)*o1*(1-o1)*w5 + (o2-t2)*o2*(1-o2)*w7) * (1 + h1)",
         None, id="tanh-slope-as-two-brackets-apart"),
    case("softmax", "w1", SOFTMAX_W1, None, id="softmax-hidden-slope-apart"),
    # ---- ... and judged by structure when something else is wrong
    case("mazur", "w1", MAZUR_APART_2.replace("w7", "w8"), "wrong_weight",
         "w8 joins h2 to o2; the path from h1 to o2 multiplies by w7", id="mazur-apart-wrong-weight"),
    case("mazur", "w1", MAZUR_SPREAD.replace("w7", "w8"), "wrong_weight", "w8 joins h2 to o2",
         id="mazur-spread-wrong-weight"),
    case("mazur", "w1", "h1*i1*(1-h1)*((o1-t1)*w5 + (o2-t2)*w7)", "missing_slope",
         "The slope of o1, σ′(net_o1) = o1(1 − o1), is missing", "The slope of o2",
         id="mazur-apart-missing-output-slopes"),
    case("mazur", "w1", MAZUR_APART_2.removesuffix("*(1-h1)"), "missing_slope",
         "h1 is only part of the slope of h1", "1 − h1 is missing", id="mazur-half-a-slope"),
    case("mazur", "w1", "h1*((o1-t1)*o1*w5 + (o2-t2)*o2*(1-o2)*w7)*i1*(1-h1)", "missing_slope",
         "o1 is only part of the slope of o1", "1 − o1 is missing",
         id="mazur-half-an-output-slope"),
    case("tanh", "w1", MAZUR_APART_2, "wrong_slope",
         "h1 is a tanh unit: its slope is 1 − h1², not h1(1 − h1)", id="tanh-sigmoid-slope-apart"),
    case("mazur", "w1", "(1 - h1) * i1 * ((o1-t1)*o1*(1-o1)*w5 + (o2-t2)*o2*(1-o2)*w7) * (1 + h1)",
         "wrong_slope", "h1 is a sigmoid unit: its slope is h1(1 − h1), not (1 − h1)·(1 + h1)",
         id="sigmoid-tanh-slope-apart"),
    case("relu", "w5", "i1 * ((o1-t1)*o1*w9*(1-o1) + (o2-t2)*o2*w12*(1-o2))", "missing_slope",
         "The slope of h3, relu′(net_h3)", "dead", id="relu-dead-unit-output-slopes-apart"),
    case("softmax", "w1", SOFTMAX_W1.replace("w9", "w10"), "wrong_weight",
         "w10 joins h2 to o3", "w9", id="softmax-apart-wrong-weight"),
    case("softmax", "w5", "(o1 - t1) * o1 * h1 * (1 - o1)", "extra_factor", "o1(1 − o1) is extra",
         "dL/dnet_o1", id="softmax-sigmoid-slope-apart"),
    # ---- any computation graph: the factor a marker would circle
    case("neuron", "w1", "h * x1 * (1 - h)", None, id="graph-neuron-slope-apart"),
    case("neuron", "w1", "x1 * (1 - h^2)", "wrong_slope",
         "h is a sigmoid node: its slope is h(1 − h), not 1 − h²", id="graph-neuron-tanh-slope"),
    case("neuron", "w1", "x1 * h * (1 - h) * w1", "extra_factor", "w1 is extra",
         id="graph-neuron-extra-factor"),
    case("residual", "w1", "(y - t) * h * w2 * x * (1 - h)", "wrong_slope",
         "h is a tanh node: its slope is 1 − h², not h(1 − h)", id="graph-residual-sigmoid-slope"),
    case("residual", "w1", "(y - t) * (1 - h) * w2 * x", "missing_slope",
         "1 − h is only part of the slope of h", "1 + h is missing", id="graph-residual-half-slope"),
    case("residual", "w1", "(y - t) * w2 * x", "missing_slope", "The slope of h, tanh′(a) = 1 − h²",
         id="graph-residual-missing-slope"),
    case("residual", "w1", "(y - t) * w1 * (1 - h^2) * x", "wrong_factor", "dF/dh = w2",
         id="graph-residual-wrong-weight"),
    case("both", "x", "y*v + u*(1 - v^2)*x", "wrong_factor", "du/dx = y",
         id="graph-wrong-step-of-a-shared-node"),
    case("both", "x", "y*v + u*v*(1 - v)*y", "wrong_slope", "v is a tanh node",
         id="graph-sigmoid-slope-at-tanh-node"),
    case("colah", "b", "2*(a + b)", "missing_path", "The term for the path b → c → e is missing",
         "add d", id="graph-shared-subexpression-missing-term"),
    case("colah", "b", "d*c + c", "extra_factor", "c is extra", id="graph-colah-extra-factor"),
    case("cs231n", "x", "z * y", "extra_factor", "y is extra", id="graph-cs231n-extra-factor"),
]  # fmt: skip


@pytest.mark.parametrize(("where", "asked", "answer", "problem", "named"), CASES)
def test_apart_and_graph_answers(where, asked, answer, problem, named):
    fb = check(where, asked, answer)
    if problem is None:
        assert fb.correct, fb.message
        return
    assert not fb.correct
    assert fb.problems[0] == problem, fb.message
    for text in named:
        assert text in fb.message, fb.message
    assert fb.message.count("\n") < 5 and len(fb.message) <= MAX_MESSAGE_CHARS, fb.message


SAME_AS_ADJACENT = [
    ("mazur", "h1*(1-h1)*i1*((o1-t1)*o1*(1-o1)*w5 + (o2-t2)*o2*(1-o2)*w8)",
     "h1*((o1-t1)*o1*w5*(1-o1) + (o2-t2)*o2*w8*(1-o2))*i1*(1-h1)"),
    ("mazur", "h1*(1-h1)*i1*((o1-t1)*w5 + (o2-t2)*w7)", "h1*i1*(1-h1)*((o1-t1)*w5 + (o2-t2)*w7)"),
    ("tanh", "h1*(1-h1)*i1*((o1-t1)*o1*(1-o1)*w5 + (o2-t2)*o2*(1-o2)*w7)",
     "h1*i1*((o1-t1)*(1-o1)*w5*o1 + (o2-t2)*o2*w7*(1-o2))*(1-h1)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "adjacent", "apart"), SAME_AS_ADJACENT)
def test_apart_gets_the_adjacent_forms_diagnosis(name, adjacent, apart):
    """The same mistake, the same margin note, wherever the slope's halves are written."""
    near, far = check(name, "w1", adjacent), check(name, "w1", apart)
    assert not near.correct and not far.correct
    assert far.problems == near.problems, (near.message, far.message)
    assert far.details[0].partition(". ")[2] == near.details[0].partition(". ")[2]


# ---------------------------------------------------------------- the properties
QUESTIONS = [("mazur", "w1"), ("mazur", "w6"), ("tanh", "w1"), ("deep", "w1"), ("deep", "w6"),
             ("tanh_linear", "w1")]  # fmt: skip


def _split(text: str, what) -> list[str]:
    """A slope written as its two halves: h1*(1 - h1) -> h1, (1 - h1); tanh's 1 - h1² ->
    (1 - h1), (1 + h1); any other factor stays one."""
    if what is not None and what[0] == "slope":
        unit = what[1]
        if text == f"{unit}*(1 - {unit})":
            return [unit, f"(1 - {unit})"]
        if text == f"(1 - {unit}^2)":
            return [f"(1 - {unit})", f"(1 + {unit})"]
    return [text]


def _shuffled_formula(data, terms, replace=None) -> str:
    """Every term's factors, slopes split into halves, in an order hypothesis draws."""
    written = []
    for k, term in enumerate(terms):
        factors = []
        for j, (text, what) in enumerate(term):
            if replace is not None and (k, j) == replace[0]:
                factors.append(replace[1])
            else:
                factors += _split(text, what)
        written.append(" * ".join(data.draw(st.permutations(factors))) or "1")
    return " + ".join(written)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_correct_formula_reordered_with_its_slopes_apart_is_accepted(data):
    name, param = data.draw(st.sampled_from(QUESTIONS))
    terms, _ = closed_form(name, param)
    formula = _shuffled_formula(data, terms)
    fb = gradient(name, param).check(formula)
    assert fb.correct, (formula, fb.message)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_wrong_weight_or_slope_among_halves_is_named(data):
    name, param = data.draw(st.sampled_from(QUESTIONS))
    terms, units = closed_form(name, param)
    net, _, _ = network(name)
    spots = [
        (k, j)
        for k, term in enumerate(terms)
        for j, (_, what) in enumerate(term)
        if what[0] == "weight" or (what[0] == "slope" and units[what[1]].slips)
    ]
    k, j = data.draw(st.sampled_from(spots))
    text, what = terms[k][j]
    if what[0] == "weight":
        wrong = data.draw(
            st.sampled_from([w for w in net.parameter_names if w.startswith("w") and w != text])
        )
        must = [wrong]
    else:
        unit = what[1]
        # the other activation's slope: tanh's 1 - a² at a sigmoid unit, sigmoid's a(1 - a) else
        wrong = f"(1 - {unit}^2)" if units[unit].name == "sigmoid" else f"{unit}*(1 - {unit})"
        must = [unit, "slope"]
    formula = _shuffled_formula(data, terms, replace=((k, j), wrong))
    fb = gradient(name, param).check(formula)
    assert not fb.correct, formula
    for named in must:
        assert named in fb.message, (formula, fb.message)
