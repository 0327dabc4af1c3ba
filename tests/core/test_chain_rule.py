"""The chain-rule view: what the explorer and the exercises show a student."""

import numpy as np
import pytest

import backprop_widgets as bw


def test_weights_are_never_nodes_of_a_path():
    """The seed's mistake, dw7/dh1, cannot be produced: weights only feed into the graph."""
    net, x, t = bw.presets.mazur()
    graph = net.graph(x, t)
    for p in net.parameter_names:
        assert graph.kind(p) == "parameter"
        assert not graph.has_edge(p, "h1")
    assert not graph.has_edge("w7", "h1") and graph.has_edge("o2", "h1")
    assert graph.children("h1") == ["o1", "o2"]
    assert graph.parents("o2") == ["h1", "h2", "w7", "w8", "b2"]
    with pytest.raises(KeyError, match="not an edge"):
        graph.local("w7", "h1")


def test_factored_form_groups_the_shared_first_factor():
    net, x, t = bw.presets.mazur()
    cr = net.chain_rule("w1", x, t)
    assert cr.factored_text() == "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"
    assert cr.factored_latex().startswith(r"\frac{\partial h_{1}}{\partial w_{1}} \left(")
    eqs = cr.delta_equations()
    assert [e.node for e in eqs] == ["o1", "o2", "h1"]
    h1 = eqs[-1]
    assert h1.value == pytest.approx(sum(f.value * cr.graph.delta(c) for f, c in h1.terms))
    assert cr.value == pytest.approx(cr.graph.local("h1", "w1") * h1.value)


def test_pre_activation_level_splits_each_neuron():
    net, x, t = bw.presets.mazur()
    cr = net.chain_rule("w5", x, t, level="pre-activation")
    assert cr.paths == [("w5", "net_o1", "o1", "L")]
    assert cr.text() == "dnet_o1/dw5 * do1/dnet_o1 * dL/do1"
    assert cr.terms[0][0].value == pytest.approx(0.593269992)  # dnet_o1/dw5 = out_h1
    assert cr.value == pytest.approx(0.082167041, rel=1e-8)
    assert cr.terms[0][0].latex() == r"\frac{\partial \mathrm{net}_{o1}}{\partial w_{5}}"


def test_values_are_substituted_factor_by_factor():
    net, x, t = bw.presets.mazur()
    cr = net.chain_rule("w5", x, t)
    factors = cr.text(values=True, digits=4).split(" * ")
    assert len(factors) == 2 and factors[1] == "0.7414"  # dL/do1 = o1 - t1


def test_deep_networks_count_paths_without_listing_them():
    net = bw.Network([4, 30, 30, 30, 30, 2], seed=0)
    x, t = np.ones(4), np.zeros(2)
    cr = net.chain_rule("w1", x, t)
    # counted, not listed (not timed either: a busy machine must not fail this test)
    assert cr.path_count == 30**3 * 2 and not cr.enumerated
    assert cr.value == pytest.approx(net.gradients(x, t)["w1"])
    with pytest.raises(ValueError, match=r"54000 paths.*delta_text"):
        _ = cr.paths
    assert cr.delta_text().splitlines()[0] == "dL/dw1 = dh1/dw1 * delta_h1"


def test_relu_zero_factor_is_still_a_path():
    net = bw.Network([1, 1, 1], activation=["relu", "linear"], bias="none")
    net["w1"], net["w2"] = -1.0, 2.0
    cr = net.chain_rule("w1", [1.0], [0.0])
    assert cr.paths == [("w1", "h1", "o1", "L")]
    assert cr.terms[0][0].value == 0.0 and cr.value == 0.0


def test_softmax_output_couples_every_output():
    net = bw.Network([2, 3], activation="softmax", loss="cross_entropy", seed=0)
    cr = net.chain_rule("w1", [0.5, -0.5], [0.0, 1.0, 0.0])
    assert [p[1] for p in cr.paths] == ["o1", "o2", "o3"]
    assert cr.value == pytest.approx(net.gradients([0.5, -0.5], [0.0, 1.0, 0.0])["w1"])
