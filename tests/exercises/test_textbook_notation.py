"""Answers in Nielsen's layer numbers, 3Blue1Brown's a^(L) and CS231n's dh1 (issue 20, point 2).

Each form is checked on more than one network: the right numbers are accepted, a wrong
index is refused with a message that says what it was read as, and a name that could be
two things is asked about, never guessed.
"""

from __future__ import annotations

import pytest

import backprop_widgets as bw


def _mazur():
    return bw.presets.mazur()  # 2-2-2 sigmoid, one bias per layer


def _deep():
    net = bw.Network([2, 3, 2, 1], activation=["tanh", "sigmoid", "sigmoid"], seed=2)
    return net, [0.5, -0.3], [0.8]  # four layers, one bias per neuron


def _chain(depth=3):
    net = bw.Network([1] * depth, seed=1)
    return net, [0.7], [0.2]


NETWORKS = {"mazur": _mazur, "deep": _deep}


def _question(make, param):
    net, x, t = make()
    return net, bw.GradientQuestion(net, param, x, t)


def _nielsen(net, weight):
    """(l, j, k) of a weight as Nielsen numbers it: layers from 1 at the input."""
    info = net.parameter_info(weight)
    layers = net.node_names
    j = layers[info.layer].index(info.targets[0]) + 1
    k = layers[info.layer - 1].index(info.source) + 1
    return info.layer + 1, j, k


def _weights(make):
    net, _, _ = make()
    return [net.weight_names[0], net.weight_names[-1]]  # the first layer's and the last's


# ------------------------------------------------------------------ Nielsen
BP4_FORMS = [
    "δ^{l}_{j} a^{m}_{k}",  # plain, Unicode δ
    "\\delta^{{{l}}}_{{{j}}} a_{{{k}}}^{{{m}}}",  # LaTeX, the subscript first
    "\\delta_{j}^{l} \\cdot a^{m}_{k}",
    "∂C/∂w^{l}_{{{j}{k}}} = δ^{l}_{j} a^{m}_{k}",  # with the question written out
    "\\frac{{\\partial C}}{{\\partial w^{{{l}}}_{{{j},{k}}}}} = \\delta^{l}_{j} a^{m}_{k}",
]


@pytest.mark.parametrize("form", BP4_FORMS)
@pytest.mark.parametrize("which", list(NETWORKS))
def test_nielsen_bp4_is_accepted_for_the_first_and_last_weight(which, form):
    for weight in _weights(NETWORKS[which]):
        net, q = _question(NETWORKS[which], weight)
        layer, j, k = _nielsen(net, weight)
        answer = form.format(l=layer, j=j, k=k, m=layer - 1)
        fb = q.check(answer)
        assert fb.correct, (answer, fb.message)
        source = net.parameter_info(weight).source
        assert "Nielsen's layer numbers (the input layer is layer 1" in fb.message
        assert f"= {source}" in fb.message  # says which unit a^{l-1}_k was read as


@pytest.mark.parametrize("which", list(NETWORKS))
def test_a_wrong_unit_index_is_refused_naming_what_it_was_read_as(which):
    net, q = _question(NETWORKS[which], _weights(NETWORKS[which])[-1])
    layer, j, k = _nielsen(net, _weights(NETWORKS[which])[-1])
    other = 2 if k == 1 else 1  # a^{l-1}_2 where a^{l-1}_1 belongs
    wrong_unit = net.node_names[layer - 2][other - 1]
    fb = q.check(f"δ^{layer}_{j} a^{layer - 1}_{other}")
    assert not fb.correct
    assert f"a^{layer - 1}_{other} = {wrong_unit}" in fb.message


def test_mazur_layers_are_numbered_from_the_input_as_nielsen_does():
    _, q = _question(_mazur, "w1")
    shown = {typed: q.read(typed).interpreted for typed in (
        "a^1_1", "a^2_1", "a^3_1", "a_1^2", "a^{2}_{1}", "z^{3}_{2}", "w^3_{11}", "w^{3}_{1,1}",
        "w_{2,1}^{3}", "w^2_{12}", "a^L_2", "a^{L-1}_1",
    )}  # fmt: skip
    assert shown == {
        "a^1_1": "i_{1}", "a^2_1": "h_{1}", "a^3_1": "o_{1}", "a_1^2": "h_{1}",
        "a^{2}_{1}": "h_{1}", "z^{3}_{2}": r"\mathrm{net}_{o2}", "w^3_{11}": "w_{5}",
        "w^{3}_{1,1}": "w_{5}", "w_{2,1}^{3}": "w_{7}", "w^2_{12}": "w_{2}", "a^L_2": "o_{2}",
        "a^{L-1}_1": "h_{1}",
    }  # fmt: skip


@pytest.mark.parametrize("which", list(NETWORKS))
def test_delta_is_nielsens_delta_of_the_net_input(which):
    net, _, _ = NETWORKS[which]()
    last = len(net.node_names)
    bias = net.bias_names[-1]  # feeds the last layer
    _, q = _question(NETWORKS[which], bias)
    units = net.node_names[-1]
    answer = " + ".join(f"δ^{last}_{j}" for j in range(1, len(units) + 1))
    if len(net.parameter_info(bias).targets) == 1:  # one bias per neuron: its own delta
        answer = f"δ^{last}_{units.index(net.parameter_info(bias).targets[0]) + 1}"
    fb = q.check(answer)
    assert fb.correct, fb.message
    assert f"δ^{last}_1 = ∂L/∂net_{units[0]}" in fb.message or "∂L/∂net_" in fb.message
    assert "δ^l_j = ∂C/∂z^l_j" in fb.message


def test_a_bias_as_nielsen_writes_it_and_a_sum_over_a_layers_deltas():
    _, q = _question(_mazur, "b1")  # Mazur's b1 is shared by h1 and h2
    for answer in ("δ^2_1 + δ^2_2", "Σ_j δ^2_j", "\\sum_{j=1}^{2} \\delta^{2}_{j}",
                   "∂C/∂b^2_1 = δ^2_1 + δ^2_2"):  # fmt: skip
        fb = q.check(answer)
        assert fb.correct, (answer, fb.message)
    assert not q.check("δ^2_1").correct  # one of the two units the bias feeds


@pytest.mark.parametrize("which", list(NETWORKS))
def test_nielsens_bp2_sum_over_the_next_layer_with_its_weights(which):
    net, q = _question(NETWORKS[which], net_weight := _weights(NETWORKS[which])[0])
    l_, j, k = _nielsen(net, net_weight)  # the first layer's weight: l = 2
    right = f"Σ_k δ^{l_ + 1}_k w^{l_ + 1}_{{k{j}}} σ'(z^{l_}_{j}) a^{l_ - 1}_{k}"  # w^{l+1}_{kj}
    fb = q.check(right)
    assert fb.correct, fb.message
    assert "Σ_k is read over k = 1, 2" in fb.message
    swapped = f"Σ_k δ^{l_ + 1}_k w^{l_ + 1}_{{{j}k}} σ'(z^{l_}_{j}) a^{l_ - 1}_{k}"  # swapped
    fb = q.check(swapped)
    assert not fb.correct
    if len(net.node_names[l_]) == len(net.node_names[l_ - 1]):  # the swap names other weights
        assert "joins" in fb.message  # the structure judge names the wrong weight
    else:  # the swap makes k run over two layers of different sizes
        assert fb.problems == ("index_range",)
        assert f"k runs over {len(net.node_names[l_])} units in layer {l_ + 1}" in fb.message


def test_layers_or_units_that_do_not_exist_are_refused_with_the_layers_listed():
    _, q = _question(_mazur, "w1")
    fb = q.check("a^4_1 δ^2_1")
    assert fb.problems == ("layer_index",)
    assert "layers 1 to 3 (1: i1, i2; 2: h1, h2; 3: o1, o2)" in fb.message
    fb = q.check("a^1_3 δ^2_1")
    assert fb.problems == ("layer_index",) and "units 1 to 2 (i1, i2)" in fb.message
    fb = q.check("z^1_1")
    assert "input layer" in fb.message and "no net input" in fb.message
    fb = q.check("a^l_j δ^2_1")
    assert fb.problems == ("layer_index",) and "stands for any layer" in fb.message


def test_a_subscript_first_that_could_be_a_square_is_asked_about():
    _, q = _question(_deep, "w1")  # one bias per neuron: b1 is a name of this network
    fb = q.check("b_1^2")
    assert fb.problems == ("ambiguous_name",)
    assert "b1 to the power 2" in fb.message and "b^2_1" in fb.message
    _, q = _question(_mazur, "w1")  # h1^2, w_1^2 and a^2 stay powers
    assert q.read("h1^2").interpreted == "h_{1}^{2}"
    assert q.read("w_1^2").interpreted == "w_{1}^{2}"


# ------------------------------------------------------------------ 3Blue1Brown
@pytest.mark.parametrize("depth", [3, 4])
def test_3b1b_chain_names_need_no_subscript(depth):
    net, x, t = _chain(depth)
    last = net.weight_names[-1]
    q = bw.GradientQuestion(net, last, x, t)
    for answer in (
        "a^(L-1) σ'(z^(L)) (a^(L)-t1)",
        "a^{(L-1)} \\sigma'(z^{(L)}) (a^{(L)} - t_1)",
        "dC0/dw^(L) = dz^(L)/dw^(L) * da^(L)/dz^(L) * dC0/da^(L)",
        "\\frac{\\partial C_0}{\\partial w^{(L)}} = \\frac{\\partial z^{(L)}}{\\partial w^{(L)}}"
        " \\frac{\\partial a^{(L)}}{\\partial z^{(L)}} \\frac{\\partial C_0}{\\partial a^{(L)}}",
    ):
        fb = q.check(answer)
        assert fb.correct, (answer, fb.message)
        assert "3Blue1Brown writes them (L is the last layer" in fb.message
    fb = q.check("a^(L-2) σ'(z^(L)) (a^(L)-t1)")  # one layer too far back
    assert not fb.correct
    assert f"a^(L-2) = {net.node_names[-3][0]}" in fb.message


@pytest.mark.parametrize("which", list(NETWORKS))
def test_3b1b_on_wider_layers_counts_units_from_0_or_asks(which):
    net, q = _question(NETWORKS[which], weight := _weights(NETWORKS[which])[-1])
    _, j, k = _nielsen(net, weight)
    slope = "σ'" if net.activation[-1] == "sigmoid" else "tanh'"
    right = f"a^(L-1)_{k - 1} {slope}(z^(L)_{j - 1}) (a^(L)_{j - 1} - t{j})"
    fb = q.check(right)
    if len(net.node_names[-2]) > 1 and k - 1 == 0:  # an index 0: counted from 0
        assert fb.correct, fb.message
        assert "units count from 0" in fb.message
    plain = q.check("a^(L) (1 - a^(L))")
    if len(net.node_names[-1]) > 1:
        assert plain.problems == ("ambiguous_name",)
        assert "a^(L)_0 for " + net.node_names[-1][0] in plain.message
    one = q.check("a^(L-1)_1")  # o1 or o2? h1 or h2?
    assert one.problems == ("ambiguous_name",)
    assert "Which did you mean?" in one.message


def test_3b1b_a_layer_number_in_brackets_is_asked_about():
    _, q = _question(_mazur, "w5")
    fb = q.check("a^(2)_1 δ^3_1")
    assert fb.problems == ("ambiguous_name",)
    assert "layer 0" in fb.message and "a^(L-1)" in fb.message


# ------------------------------------------------------------------ CS231n
@pytest.mark.parametrize("make", [_mazur, _chain])
def test_cs231n_local_gradient_times_upstream_gradient(make):
    net, q = _question(make, "w1")
    hidden = net.node_names[1][0]
    fb = q.check(f"d{hidden}/dw1 * d{hidden}")
    assert fb.correct, fb.message
    assert f"d{hidden} = ∂L/∂{hidden}" in fb.message and "CS231n" in fb.message
    fb = q.check(f"d{hidden}/dw1 * dnet_{hidden} ")  # the wrong upstream gradient
    assert not fb.correct


def test_cs231n_wrong_upstream_gradient_is_named_and_dw1_restates_the_question():
    _, q = _question(_mazur, "w1")
    fb = q.check("dh1/dw1 * dh2")
    assert not fb.correct and "dh2 = ∂L/∂h2" in fb.message
    fb = q.check("dw1")
    assert fb.problems == ("total_of_parameter",) and "dw1 = ∂L/∂w1" in fb.message
    fb = q.check("(dh1)/(dw1) * dh1")  # a Leibniz factor in brackets, or a ratio of gradients?
    assert fb.problems == ("ambiguous_name",)
    assert "dh1/dw1 * dh1" in fb.message


def test_cs231n_d_names_count_only_where_they_are_no_name_of_the_network():
    net = bw.Network([1, 1, 1], node_names=[["x"], ["dh"], ["y"]], seed=0)
    q = bw.GradientQuestion(net, "w1", [0.5], [0.1])
    fb = q.check("ddh/dw1 * dL/ddh")  # dh is the network's own node, never ∂L/∂h
    assert fb.correct, fb.message
    assert "CS231n" not in fb.message


def test_nested_sums_over_nielsens_weights_are_refused_not_multiplied_out():
    _, q = _question(_mazur, "w1")
    letters = "abcdefghijklmnopqrstuvwxyz"
    answer = "".join(f"Σ_{c} " for c in letters) + " ".join(f"w^3_{{{c}1}}" for c in letters)
    fb = q.check(answer)  # 2^26 terms once expanded
    assert fb.problems == ("too_many_terms",)
    assert "one layer's units at a time" in fb.message
