"""The core's chain-rule model: a snapshot, both levels, both delta conventions, and numeric
forms whose every line adds up."""

from __future__ import annotations

import re

import numpy as np
import pytest

import backprop_widgets as bw

NETWORKS = {
    "mazur": bw.presets.mazur,
    "deep": lambda: (
        bw.Network([2, 3, 2, 2], activation=["relu", "tanh", "sigmoid"], seed=3),
        np.array([0.4, -0.9]),
        np.array([0.2, 0.8]),
    ),
    "softmax": lambda: (
        bw.Network([2, 2, 3], activation=["sigmoid", "softmax"], loss="cross_entropy", seed=1),
        np.array([0.2, 0.9]),
        np.array([0.0, 1.0, 0.0]),
    ),
}


def test_a_graph_is_a_snapshot_of_the_parameters_it_was_built_from():
    net, x, t = bw.presets.mazur()
    g = net.graph(x, t)
    before = (g.value("w5"), g.value("o1"), g.gradient("w5"))
    net["w5"] = 9.0
    assert (g.value("w5"), g.value("o1"), g.gradient("w5")) == before
    assert g.both_levels("pre-activation").value("w5") == before[0]  # the twin too


def test_both_levels_and_the_map_between_them():
    net, x, t = bw.presets.mazur()
    g = net.graph(x, t)
    pre = g.both_levels("pre-activation")
    assert pre.both_levels("neuron") is g
    assert g.net_input_of("h1") == "net_h1" and g.net_input_of("i1") is None
    assert g.neuron_of("net_o2") == "o2" and g.neuron_of("h1") == "h1"
    fine = g.refine(("w1", "h1", "o1", "L"))
    assert fine == [("w1", "net_h1", "h1", "net_o1", "o1", "L")]
    assert g.project(fine[0]) == ("w1", "h1", "o1", "L")
    assert g.weight_between("h1", "o2") == "w7" and g.weight_between("h1", "net_o2") == "w7"
    assert g.weight_between("o1", "h1") is None
    h1 = g.value("h1")
    assert g.local_slope("h1") == pytest.approx(h1 * (1 - h1))


def test_deltas_in_both_conventions():
    net, x, t = bw.presets.mazur()
    g = net.graph(x, t)
    # Mazur's walkthrough: dE/dout_h1 = 0.036350306; dE/dnet_h1 = that * out_h1 (1 - out_h1)
    assert g.delta("h1") == pytest.approx(0.036350306, abs=1e-9)
    assert g.delta("h1", "net") == pytest.approx(g.delta("h1") * g.local_slope("h1"))
    assert g.delta("net_h1") == g.delta("h1", "net")
    assert g.delta("i1", "net") == g.delta("i1")
    with pytest.raises(bw.BackpropInputError, match="convention must be one of node, net"):
        g.delta("h1", "mazur")


def test_a_loss_share_is_the_part_through_one_output():
    net, x, t = bw.presets.mazur()
    g = net.graph(x, t)
    shares = [g.loss_share(o, "h1") for o in ("o1", "o2")]
    assert sum(shares) == pytest.approx(g.delta("h1"), rel=1e-12)
    assert shares[0] == pytest.approx(g.local("o1", "h1") * g.local("L", "o1"))


def _evaluate(expression: str) -> float:
    """A sum of products of numbers, '(-0.2)' for negatives: no eval."""
    total = 0.0
    for term in expression.split(" + "):
        product = 1.0
        for factor in term.split(" * "):
            product *= float(factor.strip("()"))
        total += product
    return total


@pytest.mark.parametrize("level", ["neuron", "pre-activation", "operation"])
@pytest.mark.parametrize("name", NETWORKS)
def test_every_numeric_line_of_delta_text_adds_up(name, level):
    net, x, t = NETWORKS[name]()
    g = net.graph(x, t, level)
    for param in net.parameter_names:
        cr = g.chain_rule(param)
        for line in cr.delta_text(digits=6).splitlines():
            left, right = line.split(" = ", 1)
            *parts, shown = right.split(" = ")
            quantity = cr.value if left.startswith("dL/d") else g.delta(left[len("delta_") :])
            assert float(shown) == pytest.approx(quantity, rel=1e-5, abs=1e-12), line
            for part in parts:
                assert _evaluate(part) == pytest.approx(quantity, rel=1e-4, abs=1e-9), line
        if cr.enumerated:
            assert _evaluate(cr.text(values=True, digits=8)) == pytest.approx(
                cr.value, rel=1e-6, abs=1e-12
            )


def test_no_view_of_a_number_shows_minus_zero():
    from backprop_widgets.core import numbers

    assert numbers.plain(-1e-12, 4) != "-0" and numbers.plain(-0.0) == "0"
    assert numbers.signed(-0.5) == "(-0.5)" and numbers.latex(-1.5e-5) == r"(-1.5 \times 10^{-5})"
    net, x, t = bw.presets.mazur()
    net["w5"] = net["w7"] = 0.0
    text = net.chain_rule("w1", x, t).delta_text(digits=4)
    assert not re.search(r"(?<![\d.e])-0(?![.\d])", text), text
