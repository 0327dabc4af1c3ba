"""One table of typed answers and what the checker must say about each.

Networks: the 2-2-2 worked example (dE/dw1 = 0.000438568, dE/dw5 = 0.082167041), the seed
question's x -> h -> y' with its shared bias b, and a 2-3-2-1 network (hidden h1..h3, j1, j2).
"""

from __future__ import annotations

import functools

import pytest

import backprop_widgets as bw
from backprop_widgets.exercises import Feedback, GradientQuestion

SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
SEED_WRONG_LATEX = (
    r"\frac{\partial L}{\partial w_{1}}=\frac{\partial h_{1}}{\partial w_{1}} "
    r"\frac{\partial w_{7}}{\partial h_{1}} \frac{\partial o_{2}}{\partial w_{7}} "
    r"\frac{\partial L}{\partial o_{2}}+\frac{\partial h_{1}}{\partial w_{1}} "
    r"\frac{\partial w_{5}}{\partial h_{1}} \frac{\partial o_{1}}{\partial w_{5}} "
    r"\frac{\partial L}{\partial o_{1}}"
)
SEED_CORRECTED = (
    r"\frac{\partial L}{\partial w_{1}}=\frac{\partial h_{1}}{\partial w_{1}} "
    r"\frac{\partial o_{2}}{\partial h_{1}} \frac{\partial L}{\partial o_{2}}+"
    r"\frac{\partial h_{1}}{\partial w_{1}} \frac{\partial o_{1}}{\partial h_{1}} "
    r"\frac{\partial L}{\partial o_{1}}"
)
W1 = "dh1/dw1 * do1/dh1 * dL/do1 + dh1/dw1 * do2/dh1 * dL/do2"
PRE_W1 = (
    "dnet_h1/dw1 * dh1/dnet_h1 * (dnet_o1/dh1 * do1/dnet_o1 * dL/do1"
    " + dnet_o2/dh1 * do2/dnet_o2 * dL/do2)"
)
FORMULA_W1 = (
    "i1 * sigma'(net_h1) * (w5 * sigma'(net_o1) * (o1 - t1) + w7 * sigma'(net_o2) * (o2 - t2))"
)


GELU_W1 = "i1 * {slope} * (w5 * o1*(1 - o1) * (o1 - t1) + w7 * o2*(1 - o2) * (o2 - t2))"


@functools.cache
def network(name: str):
    if name == "mazur":
        return bw.presets.mazur()
    if name == "tiny":
        return bw.presets.tiny()
    if name == "softmax":
        net = bw.Network([2, 2, 3], activation=["sigmoid", "softmax"], loss="cross_entropy", seed=3)
        return net, [0.2, 0.9], [0.0, 1.0, 0.0]
    if name == "tanh":
        net = bw.Network([2, 2, 1], activation=["tanh", "linear"], loss="mse", seed=4)
        return net, [0.6, -0.3], [0.25]
    if name == "relu":
        net = bw.Network([2, 3, 2], activation=["relu", "sigmoid"], loss="mse", seed=7)
        net.set_parameters({"w1": 0.8, "w2": 0.3, "w3": 0.5, "w4": -0.2, "w5": -0.6, "w6": 0.4})
        return net, [0.9, 0.4], [0.2, 0.7]
    if name == "gelu":
        net = bw.Network([2, 2, 2], activation=["gelu", "sigmoid"], seed=1)
        return net, [0.05, 0.1], [0.01, 0.99]
    if name == "gelu_tanh":
        net = bw.Network([2, 2, 2], activation=["gelu_tanh", "sigmoid"], seed=1)
        return net, [0.05, 0.1], [0.01, 0.99]
    net = bw.Network([2, 3, 2, 1], activation="sigmoid", loss="half_sse", seed=1)
    return net, [0.3, -0.7], [0.4]


@functools.cache
def question(name: str, param: str, options: tuple = ()) -> GradientQuestion:
    net, x, t = network(name)
    return GradientQuestion(net, param, x, t, **dict(options))


def case(net, param, answer, correct, kind, problem=None, options=(), id=None):
    return pytest.param(net, param, answer, correct, kind, problem, options, id=id)


NEURON = (("level", "neuron"),)
PRE = (("level", "pre-activation"),)
CHAIN_ONLY = (("accept", ("chain_rule",)),)

CASES = [
    # ---- 2-2-2, dL/dw1: correct chain-rule sums in every notation
    case("mazur", "w1", W1, True, "chain_rule", id="ascii"),
    case(
        "mazur",
        "w1",
        "dh1/dw1*do2/dh1*dL/do2+dh1/dw1*do1/dh1*dL/do1",
        True,
        "chain_rule",
        id="ascii-terms-swapped",
    ),
    case(
        "mazur",
        "w1",
        "dL/do1 * do1/dh1 * dh1/dw1 + dL/do2 do2/dh1 dh1/dw1",
        True,
        "chain_rule",
        id="factors-any-order-implicit",
    ),
    case(
        "mazur",
        "w1",
        "∂h1/∂w1 ∂o1/∂h1 ∂L/∂o1 + ∂h1/∂w1 ∂o2/∂h1 ∂L/∂o2",
        True,
        "chain_rule",
        id="unicode-implicit",
    ),
    case(
        "mazur",
        "w1",
        "∂h₁/∂w₁ · ∂o₁/∂h₁ · ∂L/∂o₁ + ∂h₁/∂w₁ × ∂o₂/∂h₁ ⋅ ∂L/∂o₂",
        True,
        "chain_rule",
        id="unicode-subscripts-dots",
    ),
    case("mazur", "w1", SEED_CORRECTED, True, "chain_rule", id="seed-corrected-latex"),
    case(
        "mazur",
        "w1",
        r"\frac{\partial h_{1}}{\partial w_{1}} \cdot \left( \frac{\partial o_{1}}{\partial h_{1}}"
        r" \times \frac{\partial L}{\partial o_{1}} + \frac{\partial o_{2}}{\partial h_{1}}"
        r" \times \frac{\partial L}{\partial o_{2}} \right)",
        True,
        "chain_rule",
        id="latex-factored-left-right",
    ),
    case(
        "mazur",
        "w1",
        r"\dfrac{\mathrm{d} h_1}{\mathrm{d} w_1} \left[\dfrac{d o_1}{d h_1}"
        r"\dfrac{dL}{do_1} + \dfrac{do_2}{dh_1}\dfrac{dL}{do_2}\right]",
        True,
        "chain_rule",
        id="latex-dfrac-mathrm-d",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * (do1/dh1*dL/do1 + do2/dh1*dL/do2)",
        True,
        "chain_rule",
        id="factored",
    ),
    case(
        "mazur",
        "w1",
        "d h1/d w1 * d o1/d h1 * d L/d o1 + d h1/d w1 * d o2/d h1 * d L/d o2",
        True,
        "chain_rule",
        id="spaced-d",
    ),
    case(
        "mazur",
        "w1",
        "dout_h1/dw1 * (dout_o1/dout_h1 * dE/dout_o1 + dout_o2/dout_h1 * dE_total/dout_o2)",
        True,
        "chain_rule",
        id="aliases-out-E",
    ),
    case("mazur", "w1", PRE_W1, True, "chain_rule", id="pre-activation"),
    case(
        "mazur",
        "w1",
        "dnet_h1/dw1 * dh1/dnet_h1 * do1/dh1 * dL/do1 + dh1/dw1*do2/dh1*dL/do2",
        True,
        "chain_rule",
        id="mixed-levels",
    ),
    case("mazur", "w1", "dL/dw1 = " + W1, True, "chain_rule", id="with-left-side"),
    case(
        "mazur",
        "w1",
        "dL/dw1 = dh1/dw1*(do1/dh1*dL/do1 + do2/dh1*dL/do2) = 0.000438568",
        True,
        "number",
        id="left-side-sum-and-value",
    ),
    case(
        "mazur",
        "w1",
        "∂h1/∂w1 * dL/do1 * do1/dh1 + \\frac{\\partial h_1}{\\partial w_1} do2/dh1 ∂L/∂o2",
        True,
        "chain_rule",
        id="mixed-notations",
    ),
    # ---- numbers
    case("mazur", "w1", "0.000438568", True, "number", id="mazur-w1-number"),
    case("mazur", "w1", "4.38568e-4", True, "number", id="e-notation"),
    case("mazur", "w1", "4.38568 × 10⁻⁴", True, "number", id="unicode-power-of-ten"),
    case("mazur", "w1", r"4.38568 \times 10^{-4}", True, "number", id="latex-power-of-ten"),
    case("mazur", "w1", "  0.00043857 \n", True, "number", id="five-digits-whitespace"),
    case("mazur", "w5", "0.082167041", True, "number", id="mazur-w5-number"),
    case("mazur", "w5", "−0.082167041", False, "number", "wrong_sign", id="unicode-minus-sign"),
    case("mazur", "w5", "0.164334082", False, "number", "constant_factor", id="factor-of-two"),
    case("mazur", "w1", "0.00044", False, "number", "imprecise", id="imprecise"),
    case("mazur", "w1", "0.000497712735", False, "number", "wrong_parameter", id="number-of-w3"),
    case("mazur", "w1", "0.000668396", False, "number", "partial_sum", id="one-path-number"),
    case("mazur", "w1", "0.0002", False, "number", "wrong_value", id="wrong-number"),
    case("mazur", "w1", "9**9**9**9", False, "number", "not_finite", id="tower-of-powers"),
    case("mazur", "w1", "1e999", False, "number", "not_finite", id="overflowing-literal"),
    case("mazur", "w1", "1/(2-2)", False, "number", "division_by_zero", id="division-by-zero"),
    case(
        "mazur",
        "w1",
        "0.000438568",
        False,
        "number",
        "kind_not_accepted",
        CHAIN_ONLY,
        id="number-not-accepted",
    ),
    # ---- formulas
    case("mazur", "w1", FORMULA_W1, True, "formula", id="formula-sigma-prime"),
    case(
        "mazur",
        "w1",
        "i1 h1 (1 - h1) (w5 o1 (1 - o1) (o1 - t1) + w7 o2 (1 - o2)(o2 - t2))",
        True,
        "formula",
        id="formula-implicit",
    ),
    case(
        "mazur",
        "w1",
        r"i_1 \sigma'(\mathrm{net}_{h1}) \left( w_5 \sigma'(net_{o1}) (o_1 - t_1)"
        r" + w_7 \sigma'(net_{o2}) (o_2 - t_2) \right)",
        True,
        "formula",
        id="formula-latex",
    ),
    case(
        "mazur",
        "w1",
        "i1 * sigmoid'(net_h1) * (w5*σ'(net_o1)*(o1-t1) + w7*σ'(net_o2)*(o2-t2))",
        True,
        "formula",
        id="formula-sigmoid-alias",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * (w5 * do1/dnet_o1 * dL/do1 + w7 * do2/dnet_o2 * dL/do2)",
        True,
        "formula",
        id="formula-with-factors",
    ),
    case("mazur", "w1", "i1 * sigma'(net_h1) * dL/dh1", True, "formula", id="formula-delta"),
    case(
        "mazur",
        "w1",
        "0.000438568 * w1 / w1",
        False,
        "formula",
        "matches_only_here",
        id="number-dressed-as-formula",
    ),
    case(
        "mazur",
        "w1",
        "i1 * sigma'(net_h1) * w5 * sigma'(net_o1) * (o1 - t1)",
        False,
        "formula",
        "partial_sum",
        id="formula-one-path",
    ),
    case("mazur", "w1", "-" + FORMULA_W1, False, "formula", "wrong_sign", id="formula-sign"),
    case("mazur", "w1", "w9 * h1", False, "formula", "unknown_name", id="unknown-name"),
    case("mazur", "w1", "log(h1 - 1)", False, "formula", "domain_error", id="log-negative"),
    case("mazur", "w1", "hello world", False, "formula", "unknown_name", id="words"),
    # ---- chain-rule diagnoses
    case(
        "mazur",
        "w1",
        SEED_WRONG,
        False,
        "chain_rule",
        "parameter_as_function",
        id="seed-wrong-ascii",
    ),
    case(
        "mazur",
        "w1",
        SEED_WRONG_LATEX,
        False,
        "chain_rule",
        "parameter_as_function",
        id="seed-wrong-latex",
    ),
    case(
        "mazur",
        "w1",
        "di1/dw1 * dh1/di1 * do1/dh1 * dL/do1",
        False,
        "chain_rule",
        "input_as_function",
        id="input-as-function",
    ),
    case(
        "mazur",
        "w1",
        "dw1/dh1 * do1/dh1 * dL/do1 + dw1/dh1 * do2/dh1 * dL/do2",
        False,
        "chain_rule",
        "upside_down",
        id="upside-down-weight",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dh1/do1 * dL/do1 + dh1/dw1 * do2/dh1 * dL/do2",
        False,
        "chain_rule",
        "upside_down",
        id="upside-down-node",
    ),
    case(
        "mazur",
        "w1",
        "do1/dw1 * dL/do1 + do2/dw1 * dL/do2",
        False,
        "chain_rule",
        "not_an_edge",
        id="skips-a-node",
    ),
    case(
        "mazur",
        "w1",
        "dh2/dw1 * do1/dh2 * dL/do1",
        False,
        "chain_rule",
        "not_an_edge",
        id="no-dependence",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * do1/dh1 * dL/do1 * dh1/dw1 * do2/dh1 * dL/do2",
        False,
        "chain_rule",
        "product_not_sum",
        id="product-not-sum",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 + do1/dh1 + dL/do1",
        False,
        "chain_rule",
        "sum_not_product",
        id="sum-not-product",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dh1/dw1 * do1/dh1 * dL/do1 + dh1/dw1 * do2/dh1 * dL/do2",
        False,
        "chain_rule",
        "repeated_factor",
        id="repeated-factor",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dL/do1 + dh1/dw1 * do2/dh1 * dL/do2",
        False,
        "chain_rule",
        "broken_chain",
        id="broken-chain",
    ),
    case(
        "mazur",
        "w1",
        "do1/dh1 * dL/do1 + do2/dh1 * dL/do2",
        False,
        "chain_rule",
        "wrong_start",
        id="wrong-start",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * do1/dh1 + dh1/dw1 * do2/dh1",
        False,
        "chain_rule",
        "stops_early",
        id="stops-early",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw2 * (do1/dh1*dL/do1 + do2/dh1*dL/do2)",
        False,
        "chain_rule",
        "wrong_parameter",
        id="wrong-parameter",
    ),
    case(
        "mazur",
        "w1",
        W1 + " + dh2/dw3 * do1/dh2 * dL/do1",
        False,
        "chain_rule",
        "extra_path",
        id="extra-path",
    ),
    case(
        "mazur",
        "w1",
        W1 + " + dL/do1 * do1/dh1 * dh1/dw1",
        False,
        "chain_rule",
        "duplicate_path",
        id="duplicate-path",
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * do1/dh1 * dL/do1",
        False,
        "chain_rule",
        "missing_path",
        id="missing-path",
    ),
    case(
        "mazur",
        "w1",
        PRE_W1,
        False,
        "chain_rule",
        "wrong_level",
        NEURON,
        id="pre-activation-in-neuron-question",
    ),
    case(
        "mazur",
        "w1",
        W1,
        False,
        "chain_rule",
        "wrong_level",
        PRE,
        id="neuron-in-pre-activation-question",
    ),
    case("mazur", "w1", PRE_W1, True, "chain_rule", None, PRE, id="pre-activation-question"),
    case("mazur", "w1", W1, True, "chain_rule", None, CHAIN_ONLY, id="chain-only-question"),
    case(
        "mazur",
        "w1",
        "dq1/dw1 * do1/dq1 * dL/do1",
        False,
        "chain_rule",
        "unknown_name",
        id="unknown-node-in-factor",
    ),
    case(
        "mazur", "w1", "dL/dw2 = " + W1, False, "invalid", "wrong_parameter", id="wrong-left-side"
    ),
    case(
        "mazur",
        "w1",
        "dh1/dw1 * dt1/dh1",
        False,
        "chain_rule",
        "not_an_edge",
        id="target-in-factor",
    ),
    case(
        "mazur",
        "w1",
        "(" * 12 + "dh1/dw1" + ")" * 12 + " * (do1/dh1*dL/do1 + do2/dh1*dL/do2)",
        True,
        "chain_rule",
        id="many-brackets",
    ),
    case(
        "mazur",
        "w1",
        "(dh1/dw1 + dh1/dw1) * (do1/dh1 + do1/dh1) * (dL/do1 + dL/do1) * "
        "(dh2/dw1 + dh2/dw1) * " * 3 + "dL/do1",
        False,
        "chain_rule",
        "too_many_terms",
        id="expansion-limit",
    ),
    # ---- bad input
    case("mazur", "w1", "", False, "empty", "empty", id="empty"),
    case("mazur", "w1", "   \n\t  ", False, "empty", "empty", id="whitespace"),
    case(
        "mazur",
        "w1",
        "__import__('os').system('id')",
        False,
        "invalid",
        "syntax_error",
        id="python-injection",
    ),
    case("mazur", "w1", "(dh1/dw1", False, "invalid", "syntax_error", id="unclosed-bracket"),
    case("mazur", "w1", "dh1/dw1)", False, "invalid", "syntax_error", id="extra-bracket"),
    case("mazur", "w1", "[dh1/dw1)", False, "invalid", "syntax_error", id="mismatched-bracket"),
    case(
        "mazur", "w1", "dh1/dw1 * * do1/dh1", False, "invalid", "syntax_error", id="double-operator"
    ),
    case("mazur", "w1", "0,000438568", False, "invalid", "syntax_error", id="decimal-comma"),
    case("mazur", "w1", r"\foo{x}", False, "invalid", "syntax_error", id="unknown-latex"),
    case("mazur", "w1", "∂h1 + 2", False, "invalid", "syntax_error", id="lone-partial"),
    case(
        "mazur", "w1", "sigma''(net_h1)", False, "invalid", "syntax_error", id="second-derivative"
    ),
    case("mazur", "w1", "x" * 20_000, False, "invalid", "too_long", id="too-long"),
    case("mazur", "w1", "0.000438568 ÷ 1", True, "number", id="division-sign"),
    # ---- the seed's x -> h -> y' with one shared bias b
    case(
        "tiny",
        "b",
        "dh/db * dy'/dh * dL/dy' + dy'/db * dL/dy'",
        True,
        "chain_rule",
        id="tiny-b-two-paths",
    ),
    case(
        "tiny",
        "b",
        "∂h/∂b ∂y′/∂h ∂L/∂y′ + ∂y′/∂b ∂L/∂y′",
        True,
        "chain_rule",
        id="tiny-b-unicode-primes",
    ),
    case(
        "tiny",
        "b",
        r"\frac{\partial y^{\prime}}{\partial b}\frac{\partial L}{\partial y^{\prime}}"
        r" + \frac{\partial h}{\partial b}\frac{\partial y'}{\partial h}"
        r"\frac{\partial L}{\partial y'}",
        True,
        "chain_rule",
        id="tiny-b-latex-prime",
    ),
    case(
        "tiny", "b", "(dh/db * dy'/dh + dy'/db) * dL/dy'", True, "chain_rule", id="tiny-b-factored"
    ),
    case(
        "tiny",
        "b",
        "dh/db * dy'/dh * dL/dy'",
        False,
        "chain_rule",
        "missing_path",
        id="tiny-b-missing-direct-path",
    ),
    case(
        "tiny",
        "b",
        "(y' - y) * sigma'(net_y') * (1 + w2 * sigma'(net_h))",
        True,
        "formula",
        id="tiny-b-formula",
    ),
    case("tiny", "b", "-0.0986354", True, "number", id="tiny-b-number"),
    case("tiny", "w1", "dh/dw1 * dy'/dh * dL/dy'", True, "chain_rule", id="tiny-w1"),
    case(
        "tiny",
        "w1",
        "dh/dw1 * dw2/dh * dy'/dw2 * dL/dy'",
        False,
        "chain_rule",
        "parameter_as_function",
        id="tiny-w1-seed-mistake",
    ),
    case("tiny", "w2", "dL/dy' * dy'/dw2", True, "chain_rule", id="tiny-w2-reversed"),
    case("tiny", "w2", "dy'/dh * dL/dy'", False, "chain_rule", "wrong_start", id="tiny-w2-start"),
    # ---- 2-3-2-1: two hidden layers (h, j)
    case(
        "deep",
        "w1",
        "dh1/dw1 * dj1/dh1 * do1/dj1 * dL/do1 + dh1/dw1 * dj2/dh1 * do1/dj2 * dL/do1",
        True,
        "chain_rule",
        id="deep-w1",
    ),
    case(
        "deep",
        "w1",
        "dh1/dw1 * (dj1/dh1 * do1/dj1 + dj2/dh1 * do1/dj2) * dL/do1",
        True,
        "chain_rule",
        id="deep-w1-factored-middle",
    ),
    case(
        "deep",
        "w1",
        "dh1/dw1*dj1/dh1*do1/dj1*dL/do1",
        False,
        "chain_rule",
        "missing_path",
        id="deep-w1-missing",
    ),
    case(
        "deep", "w1", "do1/dw1 * dL/do1", False, "chain_rule", "not_an_edge", id="deep-w1-shortcut"
    ),
    case(
        "deep",
        "w1",
        "dh1/dw1 * dw9/dh1 * dj1/dw9 * do1/dj1 * dL/do1",
        False,
        "chain_rule",
        "parameter_as_function",
        id="deep-w1-weight-as-node",
    ),
    case("deep", "w1", "-0.000625491457", True, "number", id="deep-w1-number"),
    case("deep", "b6", "do1/db6 * dL/do1", True, "chain_rule", id="deep-output-bias"),
    # ---- a bias shared by a layer (4 paths) and a softmax output (each o depends on every net_o)
    case(
        "mazur",
        "b1",
        "dh1/db1 * (do1/dh1*dL/do1 + do2/dh1*dL/do2) + dh2/db1 * (do1/dh2*dL/do1 + do2/dh2*dL/do2)",
        True,
        "chain_rule",
        id="layer-bias",
    ),
    case(
        "mazur",
        "b1",
        "dh1/db1 * (do1/dh1*dL/do1 + do2/dh1*dL/do2)",
        False,
        "chain_rule",
        "missing_path",
        id="layer-bias-one-use",
    ),
    case(
        "softmax",
        "w1",
        "dh1/dw1 * (do1/dh1 dL/do1 + do2/dh1 dL/do2 + do3/dh1 dL/do3)",
        True,
        "chain_rule",
        id="softmax-neuron",
    ),
    case(
        "softmax",
        "w1",
        "dnet_h1/dw1 dh1/dnet_h1 (dnet_o1/dh1 + dnet_o2/dh1 + dnet_o3/dh1) ... ",
        False,
        "invalid",
        "syntax_error",
        id="softmax-typo",
    ),
    case(
        "softmax",
        "w1",
        "dnet_h1/dw1 dh1/dnet_h1 (dnet_o1/dh1 (do1/dnet_o1 dL/do1 + "
        "do2/dnet_o1 dL/do2 + do3/dnet_o1 dL/do3) + dnet_o2/dh1 (do1/dnet_o2 dL/do1 + "
        "do2/dnet_o2 dL/do2 + do3/dnet_o2 dL/do3) + dnet_o3/dh1 (do1/dnet_o3 dL/do1 + "
        "do2/dnet_o3 dL/do2 + do3/dnet_o3 dL/do3))",
        True,
        "chain_rule",
        id="softmax-pre-activation-nine-paths",
    ),
    case(
        "softmax",
        "w1",
        "dh1/dw1 * (do1/dh1 dL/do1 + do2/dh1 dL/do2 + do3/dh1 dL/do3) + "
        "dnet_h1/dw1 dh1/dnet_h1 dnet_o2/dh1 do3/dnet_o2 dL/do3",
        False,
        "chain_rule",
        "duplicate_path",
        id="softmax-overlap",
    ),
    # ---- notation (issue 20): Unicode normalised, scientific notation as one number
    case("mazur", "w1", "４.３８５６８e-4", True, "number", id="full-width-digits"),
    case("mazur", "w1", "０．０００４３８５６８", True, "number", id="full-width-point"),
    case("mazur", "w1", "0.000438568\u200f", True, "number", id="pasted-rlm"),
    case("mazur", "w1", "\u202e0.000\u200b438568\u202c", True, "number", id="pasted-rlo-zwsp"),
    case("mazur", "w1", "\ufeff4.38568e-4\u200d", True, "number", id="pasted-bom-zwj"),
    case("mazur", "w1", "4.386x10^-4", True, "number", id="sci-x"),
    case("mazur", "w1", "4.386X10^(-4)", True, "number", id="sci-capital-x"),
    case("mazur", "w1", "4.386×10^-4", True, "number", id="sci-times"),
    case("mazur", "w1", "4.386 × 10⁻⁴", True, "number", id="sci-times-superscript"),
    case("mazur", "w1", "4.386·10^-4", True, "number", id="sci-middle-dot"),
    case("mazur", "w1", "4.386 \\cdot 10^{-4}", True, "number", id="sci-latex-cdot"),
    case("mazur", "w1", "4.386 \\times 10^{-4}", True, "number", id="sci-latex-times"),
    case("mazur", "w1", "4.386E-4", True, "number", id="sci-capital-e"),
    case("mazur", "w1", "1/(2.2801×10^3)", True, "number", id="sci-in-a-fraction"),
    case("mazur", "w1", "1/2.2801×10^3", True, "number", id="sci-binds-as-one-number"),
    case("mazur", "w1", "4.386x10^-3", False, "number", "wrong_value", id="sci-x-wrong-exponent"),
    case("mazur", "w1", "4.386x10^-4.5", False, "formula", "unknown_name", id="sci-fractional"),
    case("tanh", "w1", "-8.5347x10^-2", True, "number", id="tanh-sci-x"),
    case("tanh", "w1", "−８.５３４７ × 10⁻²", True, "number", id="tanh-sci-full-width-minus"),
    case("tanh", "w1", "-8.5347·10^(-2)\u200e", True, "number", id="tanh-sci-lrm"),
    # the seed's network has an input x: touching both sides, x10^ is still a number
    case("tiny", "w1", "8.0954x10^-3", True, "number", id="tiny-sci-x-touching"),
    case("tiny", "w1", "8.0954 x 10^-3", False, "invalid", "syntax_error", id="tiny-x-asks"),
    # ---- the loss as Nielsen's C and 3Blue1Brown's C0; E as a value is asked about
    case(
        "mazur",
        "w1",
        "dh1/dw1 * (do1/dh1 * dC/do1 + do2/dh1 * dC/do2)",
        True,
        "chain_rule",
        id="nielsen-C",
    ),
    case("mazur", "w1", "∂C_0/∂h_1 ∂h_1/∂w_1", True, "chain_rule", id="3b1b-C0"),
    case("mazur", "w1", "dC0/dw1 = dh1/dw1 * dC0/dh1", True, "chain_rule", id="3b1b-C0-left-side"),
    case(
        "mazur",
        "w1",
        r"\frac{\partial C}{\partial h_1} \frac{\partial h_1}{\partial w_1}",
        True,
        "chain_rule",
        id="nielsen-C-latex",
    ),
    case("mazur", "w1", "i1 * h1*(1-h1) * dC/dh1", True, "formula", id="nielsen-C-formula"),
    case(
        "mazur",
        "w1",
        "i1 * 1/(1+e^(-net_h1)) * (1 - 1/(1+e^(-net_h1))) * dL/dh1",
        True,
        "formula",
        id="euler-e",
    ),
    case(
        "mazur",
        "w1",
        "i1 * 1/(1+E^(-net_h1)) * (1 - 1/(1+E^(-net_h1))) * dL/dh1",
        False,
        "formula",
        "ambiguous_name",
        id="E-loss-or-euler",
    ),
    case("tanh", "w1", "dh1/dw1 * do1/dh1 * dC/do1", True, "chain_rule", id="tanh-nielsen-C"),
    case("tanh", "w1", "dC_0/dh_1 * dh_1/dw_1", True, "chain_rule", id="tanh-3b1b-C0"),
    case(
        "tanh",
        "w1",
        "i1 * (1 - ((E^net_h1 - E^-net_h1)/(E^net_h1 + E^-net_h1))^2) * dL/dh1",
        False,
        "formula",
        "ambiguous_name",
        id="tanh-E-loss-or-euler",
    ),
    case(
        "tanh",
        "w1",
        "i1 * (1 - ((e^net_h1 - e^-net_h1)/(e^net_h1 + e^-net_h1))^2) * dL/dh1",
        True,
        "formula",
        id="tanh-euler-e",
    ),
    # ---- relu' as Heaviside's step or an indicator; tanh' as sech²; generic f', g', σ', φ'
    case("relu", "w1", "i1 * H(net_h1) * dL/dh1", True, "formula", id="relu-heaviside"),
    case("relu", "w1", "i1 * (net_h1 > 0) * dL/dh1", True, "formula", id="relu-indicator"),
    case("relu", "w1", "i1 * 1(net_h1 > 0) * dL/dh1", True, "formula", id="relu-indicator-one"),
    case(
        "relu",
        "w1",
        r"i_1 \mathbb{1}[\mathrm{net}_{h1} > 0] \frac{\partial L}{\partial h_1}",
        True,
        "formula",
        id="relu-indicator-latex",
    ),
    case("relu", "w1", "i1 * 𝟙(z_h1 > 0) * dL/dh1", True, "formula", id="relu-indicator-unicode"),
    case(
        "relu",
        "w1",
        "i1 * (net_h1 < 0) * dL/dh1",
        False,
        "formula",
        "wrong_factor",
        id="relu-indicator-upside-down",
    ),
    case("relu", "w5", "i1 * H(net_h3) * dL/dh3", True, "formula", id="relu-dead-heaviside"),
    case("relu", "w5", "i1 * (net_h3 > 0) * dL/dh3", True, "formula", id="relu-dead-indicator"),
    case("relu", "w1", "i1 * f'(net_h1) * dL/dh1", True, "formula", id="relu-generic-f"),
    case(
        "relu",
        "w1",
        "dnet_h1/dw1 * g'(z_h1) * dL/dh1",
        True,
        "chain_rule",
        id="relu-generic-g-in-a-chain",
    ),
    case(
        "relu",
        "w1",
        "i1 * f'(w1) * dL/dh1",
        False,
        "formula",
        "generic_activation",
        id="relu-generic-f-of-a-weight",
    ),
    case("tanh", "w1", "i1 * sech²(net_h1) * dL/dh1", True, "formula", id="tanh-sech-squared"),
    case("tanh", "w1", "i1 * sech(net_h1)^2 * dL/dh1", True, "formula", id="tanh-sech-power"),
    case(
        "tanh",
        "w1",
        r"i_1 \operatorname{sech}^2(\mathrm{net}_{h1}) \frac{\partial L}{\partial h_1}",
        True,
        "formula",
        id="tanh-sech-latex",
    ),
    case("tanh", "w1", "i1 * (1 - tanh^2(net_h1)) * dL/dh1", True, "formula", id="tanh-squared"),
    case("tanh", "w1", "i1 * f'(net_h1) * dL/dh1", True, "formula", id="tanh-generic-f"),
    case("tanh", "w1", "i1 * g'(z_h1) * dL/dh1", True, "formula", id="tanh-generic-g"),
    case("tanh", "w1", "i1 * σ'(z_h1) * dL/dh1", True, "formula", id="tanh-nielsen-sigma"),
    case("tanh", "w1", "i1 * sigma'(net_h1) * dL/dh1", True, "formula", id="tanh-generic-sigma"),
    case("tanh", "w1", "i1 * φ'(net_h1) * dL/dh1", True, "formula", id="tanh-generic-phi"),
    case(
        "tanh",
        "w1",
        "i1 * sigmoid'(net_h1) * dL/dh1",
        False,
        "formula",
        "wrong_slope",
        id="tanh-sigmoid-named-is-the-sigmoid",
    ),
    case("mazur", "w1", "i1 * σ'(net_h1) * dL/dh1", True, "formula", id="mazur-sigma-prime"),
    case(
        "mazur",
        "w1",
        "i1 * f'(z_h1) * (w5 f'(z_o1) (o1 - t1) + w7 f'(z_o2) (o2 - t2))",
        True,
        "formula",
        id="mazur-generic-f",
    ),
    case(
        "mazur",
        "w1",
        "f(net_h1) * 0 + i1 * f(net_h1) * (1 - f(net_h1)) * dL/dh1",
        True,
        "formula",
        id="mazur-generic-f-value",
    ),
    case(
        "softmax",
        "w1",
        "i1 * f'(net_o1)",
        False,
        "formula",
        "generic_activation",
        id="softmax-generic-f-refused",
    ),
    # ---- Nielsen's ∂C/∂b = δ: the delta of the net input a bias enters
    case("tanh", "b1", "dL/dnet_h1", True, "chain_rule", id="tanh-bias-delta"),
    case("tanh", "b1", "∂C/∂z_h1", True, "chain_rule", id="tanh-bias-nielsen"),
    case("tanh", "b1", "δ_h1", True, "chain_rule", id="tanh-bias-delta-symbol"),
    case("tanh", "b1", "dL/dh1", False, "chain_rule", "wrong_start", id="tanh-bias-not-the-node"),
    case("tanh", "b3", "dL/dnet_o1", True, "chain_rule", id="tanh-output-bias-delta"),
    case(
        "tanh", "w1", "dL/dnet_h1", False, "chain_rule", "wrong_start", id="tanh-weight-not-delta"
    ),
    case("relu", "b3", "dL/dnet_h3", True, "chain_rule", id="relu-dead-bias-delta"),
    case("mazur", "b2", "dL/dnet_o1 + dL/dnet_o2", True, "chain_rule", id="layer-bias-deltas"),
    case("mazur", "b1", "dC/dz_h1 + dC/dz_h2", True, "chain_rule", id="layer-bias-nielsen"),
    case(
        "mazur", "b2", "dL/dnet_o1", False, "chain_rule", "missing_path", id="layer-bias-one-delta"
    ),
    # ---- Σ over an index that ranges over one layer's units, expanded over that layer
    case("mazur", "w1", "Σ_k ∂L/∂o_k ∂o_k/∂h1 ∂h1/∂w1", True, "chain_rule", id="sum-over-k"),
    case("mazur", "w1", "∑_k dL/do_k do_k/dh1 dh1/dw1", True, "chain_rule", id="sum-n-ary"),
    case(
        "mazur",
        "w1",
        r"\sum_k \frac{\partial L}{\partial o_k} \frac{\partial o_k}{\partial h_1}"
        r" \frac{\partial h_1}{\partial w_1}",
        True,
        "chain_rule",
        id="sum-latex",
    ),
    case(
        "mazur",
        "w1",
        r"\sum_{k=1}^{2} \frac{\partial C}{\partial o_{k}} \frac{\partial o_{k}}"
        r"{\partial h_1} \frac{\partial h_1}{\partial w_1}",
        True,
        "chain_rule",
        id="sum-latex-range",
    ),
    case("mazur", "w1", "dh1/dw1 * Σ_k do_k/dh1 * dL/do_k", True, "chain_rule", id="sum-factored"),
    case(
        "mazur",
        "w1",
        "Σ_k dL/do_k do_k/dnet_o_k dnet_o_k/dh1 dh1/dw1",
        True,
        "chain_rule",
        id="sum-two-names-one-layer",
    ),
    case("mazur", "b1", "Σ_j dh_j/db1 Σ_k do_k/dh_j dL/do_k", True, "chain_rule", id="sum-nested"),
    case(
        "mazur",
        "w1",
        "i1 h1 (1 - h1) Σ_k (o_k - t_k) o_k (1 - o_k) w5",
        False,
        "formula",
        "wrong_weight",
        id="sum-formula-wrong-weight",
    ),
    case(
        "mazur",
        "w1",
        "Σ_k dL/do_k do_k/dh1",
        False,
        "chain_rule",
        "wrong_start",
        id="sum-missing-first-factor",
    ),
    case(
        "mazur",
        "w1",
        "Σ_{k=1}^{3} dL/do_k do_k/dh1 dh1/dw1",
        False,
        "formula",
        "index_range",
        id="sum-range-too-long",
    ),
    case(
        "mazur",
        "w1",
        "Σ_k dL/do1 do1/dh1 dh1/dw1",
        False,
        "formula",
        "index_range",
        id="sum-index-unused",
    ),
    case(
        "relu",
        "w1",
        "Σ_k dL/do_k do_k/dh_k dh1/dw1",
        False,
        "formula",
        "index_range",
        id="relu-sum-ambiguous-range",
    ),
    case("relu", "w1", "Σ_k dL/do_k do_k/dh1 dh1/dw1", True, "chain_rule", id="relu-sum-over-k"),
    case("tanh", "w1", "Σ_k ∂C/∂o_k ∂o_k/∂h1 ∂h1/∂w1", True, "chain_rule", id="tanh-sum-one-unit"),
    case("mazur", "w1", "Σ dL/do_k", False, "invalid", "syntax_error", id="sum-without-index"),
    case("mazur", "w1", "\u200b\u200f\ufeff", False, "empty", "empty", id="only-invisible-marks"),
    # ---- GELU (issue 19): the checker and hints know it through the operation registry
    case("gelu", "w1", W1, True, "chain_rule", id="gelu-chain"),
    case("gelu", "w1", GELU_W1.format(slope="gelu'(net_h1)"), True, "formula", id="gelu-slope"),
    case("gelu", "w1", GELU_W1.format(slope="GELU'(z_h1)"), True, "formula", id="gelu-slope-caps"),
    case(
        "gelu", "w1", GELU_W1.format(slope="gelu′(net_h1)"), True, "formula", id="gelu-prime-mark"
    ),
    case("gelu", "w1", GELU_W1.format(slope="f'(net_h1)"), True, "formula", id="gelu-generic-f"),
    case(
        "gelu", "w1", GELU_W1.format(slope="σ'(net_h1)"), True, "formula", id="gelu-nielsen-sigma"
    ),
    case(
        "gelu", "w1", GELU_W1.format(slope="dh1/dnet_h1"), True, "formula", id="gelu-leibniz-slope"
    ),
    case(
        "gelu",
        "w1",
        "i1 * \\operatorname{gelu}'(net_h1) * dL/dh1",
        True,
        "formula",
        id="gelu-latex-operatorname",
    ),
    case(
        "gelu",
        "w1",
        GELU_W1.format(slope="1"),
        False,
        "formula",
        "forgot_slope",
        id="gelu-slope-missing",
    ),
    case(
        "gelu",
        "w5",
        "(o1 - t1) * o1*(1 - o1) * gelu(net_h1)",
        True,
        "formula",
        id="gelu-activation-value",
    ),
    case(
        "gelu_tanh",
        "w1",
        GELU_W1.format(slope="gelu_tanh'(net_h1)"),
        True,
        "formula",
        id="gelu-tanh-slope",
    ),
    case(
        "gelu_tanh",
        "w1",
        GELU_W1.format(slope="gelu'(net_h1)"),
        True,
        "formula",
        id="gelu-name-at-gelu-tanh-unit",
    ),
]


@pytest.mark.parametrize(("net", "param", "answer", "correct", "kind", "problem", "options"), CASES)
def test_answer(net, param, answer, correct, kind, problem, options):
    fb = question(net, param, options).check(answer)
    assert isinstance(fb, Feedback)
    assert fb.correct is correct, fb.message
    assert fb.kind == kind, fb
    assert fb.message.strip()
    if correct:
        assert fb.problems == ()
        assert fb.message.startswith("Correct")
    else:
        assert fb.problems[0] == problem, fb
        assert len(fb.details) == len(fb.problems)


def test_the_table_is_large_and_covers_every_diagnosis():
    assert len(CASES) >= 60
    codes = {c.values[5] for c in CASES}
    for code in (
        "parameter_as_function", "input_as_function", "upside_down", "not_an_edge",
        "wrong_level", "product_not_sum", "sum_not_product", "repeated_factor", "broken_chain",
        "wrong_start", "stops_early", "wrong_parameter", "extra_path", "duplicate_path",
        "missing_path", "too_many_terms", "syntax_error", "unknown_name", "empty",
        "ambiguous_name",
    ):  # fmt: skip
        assert code in codes, code


def test_E_used_as_a_value_is_asked_about_not_judged():
    fb = question("mazur", "w1").check("i1 * 1/(1+E^(-net_h1)) * dL/dh1")
    assert fb.problems == ("ambiguous_name",)
    assert "Which did you mean?" in fb.message
    assert "Euler" in fb.message and "loss" in fb.message


def test_a_generic_slope_says_how_it_was_read():
    fb = question("tanh", "w1").check("i1 * σ'(z_h1) * dL/dh1")
    assert fb.correct
    assert "read as the slope of h1's activation (tanh′" in fb.message


def test_a_bias_as_its_delta_says_how_it_was_read():
    fb = question("tanh", "b1").check("dL/dnet_h1")
    assert fb.correct
    assert "dnet_h1/db1 = 1" in fb.message and "∂C/∂b = δ" in fb.message


def test_a_sum_over_an_index_says_what_it_ran_over_and_refuses_a_guess():
    fb = question("mazur", "w1").check("Σ_k ∂L/∂o_k ∂o_k/∂h1 ∂h1/∂w1")
    assert "Σ_k is read over k = 1, 2 (o1, o2)." in fb.message
    fb = question("relu", "w1").check("Σ_k dL/do_k do_k/dh_k dh1/dw1")
    assert "ambiguous" in fb.message and "o1, o2" in fb.message and "h1, h2, h3" in fb.message


def test_gelu_hints_name_its_slope_from_the_registry():
    fb = question("gelu", "w1").check(GELU_W1.format(slope="1"))
    assert "gelu′(net_h1)" in fb.message, fb.message
    fb = question("gelu_tanh", "w1").check(GELU_W1.format(slope="gelu'(net_h1)"))
    assert "read as the slope of h1's activation, gelu_tanh" in fb.message
