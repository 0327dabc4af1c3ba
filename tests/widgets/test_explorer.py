"""ChainRuleExplorer logic without a browser."""

import re

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core import numbers
from backprop_widgets.widgets import ChainRuleExplorer


def test_clicking_w1_shows_both_paths_numbers_total_and_deltas():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t)
    ex.diagram.set_state({"selected": "w1"})  # a click in the browser
    html = ex.panel.value
    assert (
        r"\frac{\partial h_{1}}{\partial w_{1}} \frac{\partial o_{1}}{\partial h_{1}} \frac{\partial L}{\partial o_{1}}"
        in html
    )
    assert r"\frac{\partial o_{2}}{\partial h_{1}} \frac{\partial L}{\partial o_{2}}" in html
    assert "2 paths from w1 to L" in html
    assert "0.000438568" in html  # the total, = Mazur's dE/dw1
    assert r"\delta_{h_{1}}" in html and r"\left(" in html  # factored form with deltas
    assert r"\sigma'(\mathrm{net}_{o1}) \cdot w_{5}" in html  # w5 lives inside do1/dh1
    # one chip per product, with its value, the same sum as the formula
    assert [term["label"] for term in ex.path_terms.terms] == [
        "∂h1/∂w1 · ∂o1/∂h1 · ∂L/∂o1",
        "∂h1/∂w1 · ∂o2/∂h1 · ∂L/∂o2",
    ]
    values = [float(term["value"].removeprefix("= ")) for term in ex.path_terms.terms]
    assert sum(values) == pytest.approx(0.000438568, rel=1e-3)


def test_hovering_a_term_lights_only_its_path():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    ex.path_terms.set_state({"active": 1})  # the pointer enters the second chip
    assert ex.diagram.highlight["edges"] == ["w1", "w7", "o2>L"]
    ex.path_terms.set_state({"active": -1})  # and leaves it
    assert set(ex.diagram.highlight["edges"]) == {"w1", "w5", "w7", "o1>L", "o2>L"}
    ex.path_terms.set_state({"pinned": 0, "active": 0})
    ex.selected = "w5"  # a new selection starts with every path lit and nothing pinned
    assert (ex.path_terms.pinned, ex.path_terms.active) == (-1, -1)
    assert set(ex.diagram.highlight["edges"]) == {"w5", "o1>L"}


def test_level_toggle_splits_neurons_into_net_input_and_activation():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w5")
    ex.level = "pre-activation"
    assert r"\frac{\partial \mathrm{net}_{o1}}{\partial w_{5}}" in ex.panel.value
    assert "= 0.082167$$" in ex.panel.value


def test_shared_bias_of_the_seed_network_has_two_paths():
    net, x, t = bw.presets.tiny()
    ex = ChainRuleExplorer(net, x, t, selected="b")
    assert "2 paths from b to L" in ex.panel.value
    total = f"{net.gradients(x, t)['b']:.6g}"
    assert f"= {total}$$" in ex.panel.value


def test_panel_follows_parameter_changes():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w5")
    net["w5"] = 1.0
    assert f"{net.gradients(x, t)['w5']:.6g}" in ex.panel.value


def test_many_paths_show_the_count_and_the_delta_form():
    net = bw.Network([4, 8, 8, 8, 2])
    ex = ChainRuleExplorer(net, np.ones(4), np.zeros(2), selected="w1")
    html = ex.panel.value
    assert "128 paths" in html and "too many to write out" in html
    assert r"\delta_{h_{1}}" in html
    assert len(re.findall(r"\\frac", html)) < 60
    assert ex.path_terms.terms == []


def test_backward_step_through_reveals_nodes_from_the_loss_and_unlocks_gradients():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    assert ex.backward_order == ["L", "o1", "o2", "h1", "h2"]  # inputs feed no gradient
    ex.step()
    assert ex.diagram.emphasis["current"] == "L"
    ex.step()
    assert 'data-node="o1"' in ex.step_panel.value
    assert [p for p, _ in ex.known_gradients()] == ["w5", "w6"]
    ex.step()
    ex.step()
    assert "w1" in [p for p, _ in ex.known_gradients()]
    assert r"\frac{\partial L}{\partial w_{1}}" in ex.step_panel.value
    ex.step_back()
    assert ex.diagram.emphasis["current"] == "o2"
    ex.reset_steps()
    assert ex.diagram.emphasis == {} and ex.back_button.disabled


def test_bad_arguments():
    net, x, t = bw.presets.mazur()
    with pytest.raises(ValueError, match="x must have 2 features"):
        ChainRuleExplorer(net, [1.0], t)
    with pytest.raises(KeyError, match="unknown parameter name 'w0'"):
        ChainRuleExplorer(net, x, t, selected="w0")
    with pytest.raises(TypeError, match="'levle'"):
        ChainRuleExplorer(net, x, t, levle="neuron")
    with pytest.raises(ValueError, match="level must be one of"):
        ChainRuleExplorer(net, x, t, level="deep")


def test_hovering_a_softmax_path_lights_the_weights_it_crosses():
    net = bw.Network([2, 2, 2], activation=["sigmoid", "softmax"], loss="cross_entropy", seed=0)
    x, t = [0.5, -0.2], [1.0, 0.0]
    ex = ChainRuleExplorer(net, x, t, selected="w1", level="pre-activation")
    paths = ex.chain.paths
    index = paths.index(("w1", "net_h1", "h1", "net_o2", "o1", "L"))  # o1 depends on net_o2
    ex.path_terms.set_state({"active": index})
    # w7: h1 -> o2; the activation edge net_h1 -> h1 is drawn at this level, net_o2 -> o1 is not
    assert ex.diagram.highlight["edges"] == ["w1", "net_h1>h1", "w7", "o1>L"]
    ex.level = "neuron"  # dh1 -> o1 is the sum of the routes through net_o1 and net_o2
    ex.path_terms.set_state({"active": ex.chain.paths.index(("w1", "h1", "o1", "L"))})
    assert set(ex.diagram.highlight["edges"]) == {"w1", "w5", "w7", "o1>L"}
    ex.selected = "b3"  # the bias of o1, on a path to L through o2
    ex.path_terms.set_state({"active": ex.chain.paths.index(("b3", "o2", "L"))})
    assert ex.diagram.highlight["edges"] == ["b3>o1", "o2>L"]


def test_stepping_the_pre_activation_pass_marks_neurons_and_unlocked_gradients():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, level="pre-activation")
    order = ex.backward_order
    for _ in range(order.index("net_o1") + 1):
        ex.step()
    assert ex.diagram.emphasis["current"] == "o1"  # net_o1 is drawn inside o1
    assert "net_o1" not in ex.diagram.emphasis["revealed"]
    assert r"\frac{\partial L}{\partial w_{5}}" in ex.step_panel.value  # w5 enters net_o1
    assert ex.diagram.node_labels["o1"] == numbers.plain(net.forward(x)[0])


def test_the_pre_activation_level_draws_each_net_input_as_its_own_node():
    net, x, t = bw.presets.mazur()
    ex = bw.ChainRuleExplorer(net, x, t, selected="w1")
    assert not [n for n in ex.diagram.structure["nodes"] if n["kind"] == "net"]
    ex.level = "pre-activation"
    s = ex.diagram.structure
    nets = {n["id"] for n in s["nodes"] if n["kind"] == "net"}
    assert nets == {"net_h1", "net_h2", "net_o1", "net_o2"}
    edges = {e["id"]: e for e in s["edges"]}
    assert edges["w1"]["d"] == "net_h1" and edges["net_h1>h1"]["kind"] == "activation"
    assert ex.diagram.node_labels["net_h1"] == "0.3775"  # Mazur's net_h1
    lit = ex.diagram.highlight["edges"]
    assert "net_h1>h1" in lit and "net_o1>o1" in lit and "w5" in lit
    ex.diagram.highlight_path(ex.chain.paths[0], ex._graph)
    assert ex.diagram.highlight["edges"][:3] == ["w1", "net_h1>h1", "w5"]
    ex.level = "neuron"
    assert not [n for n in ex.diagram.structure["nodes"] if n["kind"] == "net"]


def test_viewers_without_the_widget_manager_get_the_formula_and_a_picture():
    net, x, t = bw.presets.mazur()
    ex = bw.ChainRuleExplorer(net, x, t, selected="w1")
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # JupyterLab still gets the widget
    assert bundle["text/plain"].startswith("ChainRuleExplorer: dL/dw1 = dh1/dw1 * do1/dh1 * dL/do1")
    assert "0.000438568" in bundle["text/plain"]
    page = bundle["text/html"]
    assert page.startswith("<svg") and page.count("<circle") >= 9 and ">w7<" in page
    assert "bpw-explorer-panel" in page  # the panel's sum over paths, typeset where MathJax runs
    diagram = bw.NetworkDiagram(net)._repr_mimebundle_()
    diagram = diagram[0] if isinstance(diagram, tuple) else diagram  # anywidget: (data, metadata)
    assert "[2, 2, 2] network" in diagram["text/plain"] and diagram["text/html"].startswith("<svg")
    q = bw.GradientQuestion(net, "w1", x, t)
    exercise = bw.GradientExercise(q)._repr_mimebundle_()
    assert "what is dL/dw1" in exercise["text/plain"]
    assert "0.000438" not in exercise["text/html"]  # never the answer


def test_the_step_through_ends_when_every_gradient_is_known():
    net, x, t = bw.presets.mazur()
    ex = bw.ChainRuleExplorer(net, x, t, selected="w1")
    assert ex.backward_order == ["L", "o1", "o2", "h1", "h2"]
    for _ in ex.backward_order:
        ex.step()
    assert {p for p, _ in ex.known_gradients()} == set(net.parameter_names)
    assert ex.step_button.disabled
