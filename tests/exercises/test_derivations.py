"""Derivations a student writes with totals, deltas and Mazur's names, on several networks.

Every correct derivation is accepted (products and sums of local derivatives, totals dL/dX at
nodes the parameter reaches, deltas in either convention, one output's loss share E_o1), and
nothing else is (dL/d(parameter), totals at nodes the parameter does not reach).
"""

from __future__ import annotations

import pytest

from .test_answer_table import case, question

FULL = (("full_expansion", True),)
PRE = (("level", "pre-activation"),)

MAZUR_CHAIN = "∂E_total/∂out_h1 * ∂out_h1/∂net_h1 * ∂net_h1/∂w1"

CASES = [
    # ---- Mazur's own names and chain, for w1
    case("mazur", "w1", MAZUR_CHAIN, True, "chain_rule", id="mazur-own-chain"),
    case(
        "mazur",
        "w1",
        r"\frac{\partial E_{total}}{\partial out_{h1}} \frac{\partial out_{h1}}{\partial net_{h1}}"
        r" \frac{\partial net_{h1}}{\partial w_1}",
        True,
        "chain_rule",
        id="mazur-own-chain-latex",
    ),
    case(
        "mazur",
        "w1",
        "(∂E_o1/∂out_h1 + ∂E_o2/∂out_h1) * ∂out_h1/∂net_h1 * ∂net_h1/∂w1",
        True,
        "chain_rule",
        id="mazur-loss-shares",
    ),
    case(
        "mazur",
        "w1",
        "(dE_o1/dnet_o1 * dnet_o1/dout_h1 + dE_o2/dnet_o2 * dnet_o2/dout_h1)"
        " * dout_h1/dnet_h1 * dnet_h1/dw1",
        True,
        "chain_rule",
        id="mazur-shares-at-net-inputs",
    ),
    case(
        "mazur",
        "w1",
        "dE_o1/dh1 * dh1/dw1",
        False,
        "chain_rule",
        "missing_path",
        id="one-share-only",
    ),
    case("mazur", "w5", "dE_o1/do1 * do1/dw5", True, "chain_rule", id="share-of-own-output"),
    case(
        "mazur",
        "w5",
        "dE_o2/do1 * do1/dw5",
        False,
        "chain_rule",
        "unreachable_total",
        id="share-of-another-output",
    ),
    case("mazur", "w1", "dz_h1/dw1 * da_h1/dz_h1 * dL/da_h1", True, "chain_rule", id="z-and-a"),
    case(
        "mazur",
        "w5",
        "(a_o1 - target_o1) * a_o1 * (1 - a_o1) * a_h1",
        True,
        "formula",
        id="z-a-target-formula",
    ),
    # ---- totals and deltas, any order, factored or not
    case("mazur", "w1", "dh1/dw1 * dL/dh1", True, "chain_rule", id="total-at-h1"),
    case("mazur", "w1", "dL/dh1 * dh1/dw1", True, "chain_rule", id="total-first"),
    case("mazur", "w1", "dnet_h1/dw1 * dL/dnet_h1", True, "chain_rule", id="total-at-net"),
    case("mazur", "w1", "dh1/dw1 * delta_h1", True, "chain_rule", id="delta-package"),
    case("mazur", "w1", "dnet_h1/dw1 * δ_h1", True, "chain_rule", id="delta-mazur"),
    case(
        "mazur",
        "w1",
        r"\frac{\partial net_{h1}}{\partial w_1} \delta_{h_1}",
        True,
        "chain_rule",
        id="delta-latex",
    ),
    case("mazur", "w1", "dh1/dw1 * δ_{h1}", True, "chain_rule", id="delta-braces"),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * (do1/dh1 * delta_o1 + do2/dh1 * delta_o2)",
        True,
        "chain_rule",
        id="output-deltas",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1*do1/dh1*dL/do1 + dL/do2*do2/dh1*dh1/dw1",
        True,
        "chain_rule",
        id="expanded-any-order",
    ),
    case("mazur", "w1", "i1 * delta_h1", True, "formula", id="delta-formula-mazur"),
    case(
        "mazur", "w1", "i1 * sigma'(net_h1) * delta_h1", True, "formula", id="delta-formula-package"
    ),
    # ---- nothing else: totals of parameters, totals the parameter does not reach
    case("mazur", "w1", "dL/dw1 * 1", False, "formula", "total_of_parameter", id="restated"),
    case("mazur", "w1", "dL/dw1", False, "chain_rule", "total_of_parameter", id="restated-bare"),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/dh1 * dw1/dw1",
        False,
        "chain_rule",
        "not_an_edge",
        id="times-one-factor",
    ),
    case(
        "mazur",
        "w1",
        "dL/dw5 * i1 / h1",
        False,
        "formula",
        "total_of_parameter",
        id="another-gradient-in-formula",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/dh2",
        False,
        "chain_rule",
        "unreachable_total",
        id="unreachable-total",
    ),
    case(
        "mazur",
        "w1",
        "i1 * sigma'(net_h1) * dL/dh2",
        False,
        "formula",
        "unreachable_total",
        id="unreachable-total-formula",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/di1",
        False,
        "chain_rule",
        "unreachable_total",
        id="total-at-input",
    ),
    case(
        "mazur",
        "w1",
        "dnet_h1/dw1 * dL/dh1",
        False,
        "chain_rule",
        "missing_slope",
        id="forgotten-slope",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/dnet_h1",
        False,
        "chain_rule",
        "broken_chain",
        id="total-behind-the-chain",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/dh1 * do1/dh1",
        False,
        "chain_rule",
        "extra_factor",
        id="factor-after-total",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/dh1 + dh1/dw1 * do1/dh1 * dL/do1",
        False,
        "chain_rule",
        "duplicate_path",
        id="total-and-its-path",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/do1",
        False,
        "chain_rule",
        "broken_chain",
        id="total-not-where-the-chain-is",
    ),
    case("mazur", "w1", "dL/dh1", False, "chain_rule", "wrong_start", id="total-alone"),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/dh1 * dL/dnet_o1",
        False,
        "chain_rule",
        "product_not_sum",
        id="two-totals",
    ),
    # ---- the seed's answer, half fixed: the extra factor is named
    case(
        "mazur",
        "w1",
        "dh1/dw1 * do2/dw7 * dL/do2 + dh1/dw1 * do1/dw5 * dL/do1",
        False,
        "chain_rule",
        "extra_factor",
        id="seed-half-fixed",
    ),
    # ---- multiplied factors are never called added
    case(
        "mazur",
        "w1",
        "dh1/dw1 * (do1/dh1 + do2/dh1) * dL/do1 * dL/do2",
        False,
        "chain_rule",
        "product_not_sum",
        id="multiplied-not-added",
    ),
    # ---- full expansion asked for
    case(
        "mazur",
        "w1",
        "dL/dh1 * dh1/dw1",
        False,
        "chain_rule",
        "expand_further",
        FULL,
        id="full-expansion-asked",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)",
        True,
        "chain_rule",
        options=FULL,
        id="full-expansion-given",
    ),
    # ---- other networks
    case("tiny", "w1", "dh/dw1 * dL/dh", True, "chain_rule", id="seed-total"),
    case("tiny", "w1", "dh/dw1 * dy'/dh * dL/dy'", True, "chain_rule", id="seed-path"),
    case(
        "tiny",
        "b",
        "dh/db * dL/dh + dy'/db * dL/dy'",
        True,
        "chain_rule",
        id="seed-shared-bias-totals",
    ),
    case(
        "tiny",
        "b",
        "dh/db * dL/dh",
        False,
        "chain_rule",
        "missing_path",
        id="seed-shared-bias-one-use",
    ),
    case("tiny", "w1", "dL/dw1 * 1", False, "formula", "total_of_parameter", id="seed-restated"),
    case(
        "deep",
        "w1",
        "dh1/dw1 * (dj1/dh1 * dL/dj1 + dj2/dh1 * dL/dj2)",
        True,
        "chain_rule",
        id="deep-cut-at-layer-2",
    ),
    case(
        "deep",
        "w1",
        "dh1/dw1 * dj1/dh1 * dL/dj1",
        False,
        "chain_rule",
        "missing_path",
        id="deep-cut-missing",
    ),
    case(
        "deep",
        "w1",
        "dnet_h1/dw1 * dh1/dnet_h1 * (dnet_j1/dh1 * delta_j1 + dnet_j2/dh1 * delta_j2)",
        True,
        "chain_rule",
        id="deep-deltas",
    ),
    case(
        "deep",
        "w1",
        "dnet_h1/dw1 * dh1/dnet_h1 * (dnet_j1/dh1 * δ_j1 + dnet_j2/dh1 * δ_j2)",
        True,
        "chain_rule",
        id="deep-deltas-mazur-needs-net",
    ),
    case("tanh", "w1", "dh1/dw1 * dL/dh1", True, "chain_rule", id="tanh-total"),
    case("tanh", "w1", "i1 * (1 - h1^2) * dL/dh1", True, "formula", id="tanh-formula"),
    case("tanh", "w1", "dh1/dw1 * do1/dh1 * dL/do1", True, "chain_rule", id="tanh-mse-path"),
    case("relu", "w1", "dh1/dw1 * (dE_o1/dh1 + dE_o2/dh1)", True, "chain_rule", id="relu-shares"),
    case("relu", "w5", "dh3/dw5 * dL/dh3", True, "chain_rule", id="relu-dead-neuron"),
    case("softmax", "w1", "dh1/dw1 * dL/dh1", True, "chain_rule", id="softmax-total"),
    case("softmax", "w1", "dnet_h1/dw1 * delta_h1", True, "chain_rule", id="softmax-delta-mazur"),
    case(
        "softmax",
        "w1",
        "dh1/dw1 * (dE_o1/dh1 + dE_o2/dh1 + dE_o3/dh1)",
        True,
        "chain_rule",
        id="softmax-shares",
    ),
    case(
        "softmax",
        "w1",
        "dh1/dw1 * (dnet_o1/dh1 dL/dnet_o1 + dnet_o2/dh1 dL/dnet_o2 + dnet_o3/dh1 dL/dnet_o3)",
        True,
        "chain_rule",
        id="softmax-net-totals",
    ),
    case(
        "softmax",
        "w1",
        "dh1/dw1 * (do1/dh1 dL/do1 + do2/dh1 dL/do2)",
        False,
        "chain_rule",
        "missing_path",
        id="softmax-missing-output",
    ),
    # ---- pre-activation question: totals are fine at its level
    case(
        "mazur",
        "w1",
        "dnet_h1/dw1 * dh1/dnet_h1 * dL/dh1",
        True,
        "chain_rule",
        options=PRE,
        id="pre-level-total",
    ),
]


@pytest.mark.parametrize(("net", "param", "answer", "correct", "kind", "problem", "options"), CASES)
def test_derivation(net, param, answer, correct, kind, problem, options):
    fb = question(net, param, options).check(answer)
    assert fb.correct is correct, fb.message
    assert fb.kind == kind, fb
    if correct:
        assert fb.problems == ()
        assert fb.message.startswith("Correct")
        assert abs(fb.value - fb.expected) <= 1e-9 * max(1.0, abs(fb.expected))
    else:
        assert fb.problems[0] == problem, fb


def test_the_delta_convention_is_stated_and_a_disagreement_is_named():
    q = question("mazur", "w1")
    package = q.check("dh1/dw1 * delta_h1")
    mazur = q.check("dnet_h1/dw1 * delta_h1")
    assert "dL/dh1" in package.message and "this package's convention" in package.message
    assert "dL/dnet_h1" in mazur.message and "Mazur" in mazur.message
    # Read the package's way, the Mazur answer misses sigma': the message says they disagree.
    assert "disagree" in mazur.message
    assert "0.0363503" in mazur.message and "0.00877135" in mazur.message


def test_a_restated_question_is_refused_in_every_form():
    q = question("mazur", "w1")
    for answer in ("dL/dw1 * 1", "dL/dw1", "1 * dL/dw1 + 0", "dL/dw1 * dh1/dh1",
                   "(dL/dw1)^1", "dh1/dw1 * dL/dh1 * dL/dw1 / dL/dw1"):  # fmt: skip
        fb = q.check(answer)
        assert not fb.correct, answer
        assert "total_of_parameter" in fb.problems or "not_an_edge" in fb.problems, fb


def test_the_expansion_hint_names_the_total_to_expand():
    fb = question("mazur", "w1", FULL).check("dL/dh1 * dh1/dw1")
    assert fb.message.startswith("Right so far")
    assert "dL/dh1" in fb.message
    assert abs(fb.value - fb.expected) < 1e-12


def test_the_half_fixed_seed_answer_names_the_extra_factor_and_its_replacement():
    fb = question("mazur", "w1").check("dh1/dw1 * do2/dw7 * dL/do2 + dh1/dw1 * do1/dw5 * dL/do1")
    assert "do2/dw7" in fb.details[0] and "extra factor" in fb.details[0]
    assert "do2/dh1" in fb.details[0]
