"""ChainRuleExplorer logic without a browser."""

import json
import re
import zlib

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core import numbers
from backprop_widgets.widgets import ChainRuleExplorer
from tests.widgets.recording_comm import RecordingComm
from tests.widgets.shown import shown


def test_clicking_w1_shows_both_paths_numbers_total_and_deltas():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t)
    ex.set_state({"selected": "w1"})  # a click in the browser
    html = shown(ex.panel)
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
    assert [term["label"] for term in ex.terms] == [
        "∂h1/∂w1 · ∂o1/∂h1 · ∂L/∂o1",
        "∂h1/∂w1 · ∂o2/∂h1 · ∂L/∂o2",
    ]
    values = [float(term["value"].removeprefix("= ")) for term in ex.terms]
    assert sum(values) == pytest.approx(0.000438568, rel=1e-3)


def test_hovering_a_term_lights_only_its_path():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    ex.set_state({"active": 1})  # the pointer enters the second chip
    assert ex.highlight["edges"] == ["w1", "w7", "o2>L"]
    ex.set_state({"active": -1})  # and leaves it
    assert set(ex.highlight["edges"]) == {"w1", "w5", "w7", "o1>L", "o2>L"}
    ex.set_state({"pinned": 0, "active": 0})
    ex.selected = "w5"  # a new selection starts with every path lit and nothing pinned
    assert (ex.pinned, ex.active) == (-1, -1)
    assert set(ex.highlight["edges"]) == {"w5", "o1>L"}


def test_level_toggle_splits_neurons_into_net_input_and_activation():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w5")
    ex.level = "pre-activation"
    assert r"\frac{\partial \mathrm{net}_{o1}}{\partial w_{5}}" in shown(ex.panel)
    assert "= 0.082167$$" in shown(ex.panel)


def test_shared_bias_of_the_seed_network_has_two_paths():
    net, x, t = bw.presets.tiny()
    ex = ChainRuleExplorer(net, x, t, selected="b")
    assert "2 paths from b to L" in shown(ex.panel)
    total = f"{net.gradients(x, t)['b']:.6g}"
    assert f"= {total}$$" in shown(ex.panel)


def test_panel_follows_parameter_changes():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w5")
    net["w5"] = 1.0
    assert f"{net.gradients(x, t)['w5']:.6g}" in shown(ex.panel)


def test_many_paths_are_grouped_where_they_part_and_collapse_behind_expanders():
    net = bw.Network([4, 8, 8, 8, 2])
    ex = ChainRuleExplorer(net, np.ones(4), np.zeros(2), selected="w1")
    html = shown(ex.panel)
    cr = ex.chain
    assert "128 paths" in html and r"\delta_{h_{1}}" in html
    # one line per second-layer neuron, each a group of 16 paths, adding up to the total
    groups = cr.groups()
    assert [len(members) for _, members in groups] == [16] * 8
    assert html.count("its 16 paths</summary>") == 8  # each group's paths wait behind one
    assert "4 more groups</summary>" in html  # and groups past the first four behind another
    sums = re.findall(r"<li data-node=\"[^\"]+\">via [^:]+: \\\(.*?\\\) = ([-\d.e]+)", html)
    assert len(sums) == 8 and sum(map(float, sums)) == pytest.approx(cr.value, rel=1e-3)
    products = re.findall(r"\\\) = ([-\d.e]+)</li>", html)  # each path's own product
    assert len(products) == 128 and all(float(v) != 0 for v in products)  # never "+0.0" for a term
    assert ex.terms == []  # 128 chips would bury the diagram


def test_past_128_paths_only_the_count_and_the_delta_form():
    net = bw.Network([4, 8, 8, 8, 8, 2])
    ex = ChainRuleExplorer(net, np.ones(4), np.zeros(2), selected="w1")
    html = shown(ex.panel)
    assert "1024 paths" in html and "too many to write out" in html
    assert r"\delta_{h_{1}}" in html
    assert len(re.findall(r"\\frac", html)) < 60


def test_the_capstones_sixteen_paths_are_one_line_each_with_digits_that_are_not_zero():
    net, X, _ = bw.presets.moons(n=300, noise=0.15, seed=3)
    T = np.zeros((len(X), 1))
    ex = ChainRuleExplorer(net, X[0], T[0], selected="w1")
    html = shown(ex.panel)
    assert "16 paths" in html
    values = ex.chain.term_values()
    lines = re.findall(r"<li>\\\((.*?)\\\) = ([-\d.e]+)</li>", html)
    assert len(lines) == 16  # one product a line: a column of short lines, never one long sum
    for (_, written), value in zip(lines, values, strict=True):
        assert written == numbers.plain(value) and (float(written) != 0) == (value != 0)
    assert "12 more groups</summary>" in html


def test_long_sums_break_into_short_lines():
    net = bw.Network([3, 8, 8, 2], activation="tanh", seed=0)
    ex = ChainRuleExplorer(net, [0.5, -0.5, 0.25], [1.0, 0.0], selected="w1")
    for block in re.findall(r"\$\$(.+?)\$\$", shown(ex.panel) + shown(ex.step_panel), re.S):
        for row in re.split(r"\\\\", block):
            assert row.count(r"\frac") <= 12 and row.count(r"\cdot") <= 4, row


def test_backward_step_through_reveals_nodes_from_the_loss_and_unlocks_gradients():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    assert ex.backward_order == ["L", "o1", "o2", "h1", "h2"]  # inputs feed no gradient
    ex.step()
    assert ex.emphasis["current"] == "L"
    ex.step()
    assert 'data-node="o1"' in shown(ex.step_panel)
    assert [p for p, _ in ex.known_gradients()] == ["w5", "w6"]
    ex.step()
    ex.step()
    assert "w1" in [p for p, _ in ex.known_gradients()]
    assert r"\frac{\partial L}{\partial w_{1}}" in shown(ex.step_panel)
    ex.step_back()
    assert ex.emphasis["current"] == "o2"
    ex.reset_steps()
    assert ex.emphasis == {} and not ex.can_back


def test_bad_arguments():
    net, x, t = bw.presets.mazur()
    with pytest.raises(ValueError, match="x must have 2 features"):
        ChainRuleExplorer(net, [1.0], t)
    with pytest.raises(KeyError, match="unknown parameter name 'w0'"):
        ChainRuleExplorer(net, x, t, selected="w0")
    with pytest.raises(TypeError, match="'levle'"):
        ChainRuleExplorer(net, x, t, levle="neuron")
    with pytest.raises(TypeError, match="positional"):
        ChainRuleExplorer(net, x, t, "w1")  # keyword-only: a positional "w1" is not a level
    with pytest.raises(ValueError, match="level must be one of"):
        ChainRuleExplorer(net, x, t, level="deep")


def test_hovering_a_softmax_path_lights_the_weights_it_crosses():
    net = bw.Network([2, 2, 2], activation=["sigmoid", "softmax"], loss="cross_entropy", seed=0)
    x, t = [0.5, -0.2], [1.0, 0.0]
    ex = ChainRuleExplorer(net, x, t, selected="w1", level="pre-activation")
    paths = ex.chain.paths
    index = paths.index(("w1", "net_h1", "h1", "net_o2", "o1", "L"))  # o1 depends on net_o2
    ex.set_state({"active": index})
    # w7: h1 -> o2; the activation edge net_h1 -> h1 is drawn at this level, net_o2 -> o1 is not
    assert ex.highlight["edges"] == ["w1", "net_h1>h1", "w7", "o1>L"]
    ex.level = "neuron"  # dh1 -> o1 is the sum of the routes through net_o1 and net_o2
    ex.set_state({"active": ex.chain.paths.index(("w1", "h1", "o1", "L"))})
    assert set(ex.highlight["edges"]) == {"w1", "w5", "w7", "o1>L"}
    ex.selected = "b3"  # the bias of o1, on a path to L through o2
    ex.set_state({"active": ex.chain.paths.index(("b3", "o2", "L"))})
    assert ex.highlight["edges"] == ["b3>o1", "o2>L"]


def test_stepping_the_pre_activation_pass_marks_neurons_and_unlocked_gradients():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, level="pre-activation")
    order = ex.backward_order
    for _ in range(order.index("net_o1") + 1):
        ex.step()
    assert ex.emphasis["current"] == "o1"  # net_o1 is drawn inside o1
    assert "net_o1" not in ex.emphasis["revealed"]
    assert r"\frac{\partial L}{\partial w_{5}}" in shown(ex.step_panel)  # w5 enters net_o1
    assert ex.node_labels["o1"] == numbers.plain(net.forward(x)[0])


def test_the_pre_activation_level_draws_each_net_input_as_its_own_node():
    net, x, t = bw.presets.mazur()
    ex = bw.ChainRuleExplorer(net, x, t, selected="w1")
    assert not [n for n in ex.structure["nodes"] if n["kind"] == "net"]
    ex.level = "pre-activation"
    s = ex.structure
    nets = {n["id"] for n in s["nodes"] if n["kind"] == "net"}
    assert nets == {"net_h1", "net_h2", "net_o1", "net_o2"}
    edges = {e["id"]: e for e in s["edges"]}
    assert edges["w1"]["d"] == "net_h1" and edges["net_h1>h1"]["kind"] == "activation"
    assert ex.node_labels["net_h1"] == "0.3775"  # Mazur's net_h1
    lit = ex.highlight["edges"]
    assert "net_h1>h1" in lit and "net_o1>o1" in lit and "w5" in lit
    ex.highlight_path(ex.chain.paths[0], ex._graph)
    assert ex.highlight["edges"][:3] == ["w1", "net_h1>h1", "w5"]
    ex.level = "neuron"
    assert not [n for n in ex.structure["nodes"] if n["kind"] == "net"]


def test_viewers_without_the_widget_manager_get_the_formula_and_a_picture():
    net, x, t = bw.presets.mazur()
    ex = bw.ChainRuleExplorer(net, x, t, selected="w1")
    bundle = ex._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle  # anywidget: (data, metadata)
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
    exercise = exercise[0] if isinstance(exercise, tuple) else exercise
    assert "what is dL/dw1" in exercise["text/plain"]
    assert "0.000438" not in exercise["text/html"]  # never the answer


def test_the_step_through_ends_when_every_gradient_is_known():
    net, x, t = bw.presets.mazur()
    ex = bw.ChainRuleExplorer(net, x, t, selected="w1")
    assert ex.backward_order == ["L", "o1", "o2", "h1", "h2"]
    for _ in ex.backward_order:
        ex.step()
    assert {p for p, _ in ex.known_gradients()} == set(net.parameter_names)
    assert not ex.can_step


def test_a_stale_hover_index_from_the_browser_lights_every_path_instead_of_raising():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    ex.set_state({"active": 7})  # a chip of an earlier, longer sum
    assert set(ex.highlight["edges"]) == {"w1", "w5", "w7", "o1>L", "o2>L"}
    ex.selected = "w5"
    ex.set_state({"active": 1})  # w5 has one path: index 1 is stale
    assert set(ex.highlight["edges"]) == {"w5", "o1>L"}


def test_a_pinned_term_stays_pinned_while_training_changes_only_the_numbers():
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    ex.set_state({"pinned": 1, "active": 1})
    before = [term["value"] for term in ex.terms]
    net.step(x, t, 0.5)
    ex._recompute()  # what the trailing redraw does a moment after a training step
    assert (ex.pinned, ex.active) == (1, 1)
    assert ex.highlight["edges"] == ["w1", "w7", "o2>L"]
    assert [term["value"] for term in ex.terms] != before  # the numbers followed
    ex.selected = "w2"  # other paths: nothing pinned
    assert (ex.pinned, ex.active) == (-1, -1)


def test_one_update_builds_the_graph_once_and_sends_few_small_messages(monkeypatch):
    net, x, t = bw.presets.mazur()
    built = []
    real = bw.Network.graph
    monkeypatch.setattr(
        bw.Network, "graph", lambda self, *a, **k: built.append(1) or real(self, *a, **k)
    )
    ex = ChainRuleExplorer(net, x, t, selected="w1")
    assert len(built) == 1  # today's three builds per update are one
    ex.comm = comm = RecordingComm()
    built.clear()
    ex.selected = "w2"
    assert len(built) == 1
    # the selection, its highlight, then one message with the formula, the chips and the values
    assert len(comm.updates) <= 3
    ex.set_example([0.1, 0.2], [0.0, 1.0])
    assert len(built) == 2


class WireComm(RecordingComm):
    """Counts what a message costs on the wire: its JSON and its binary buffers."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def send(self, data=None, buffers=None):
        super().send(data, buffers)
        self.sent.append((data, [bytes(b) for b in buffers or []]))

    def bytes(self) -> int:
        return sum(
            len(json.dumps(d, separators=(",", ":"))) + sum(map(len, b)) for d, b in self.sent
        )


@pytest.mark.parametrize("level", ["neuron", "pre-activation"])
@pytest.mark.parametrize("name", ["w5", "w1", "b1"])
def test_a_click_costs_at_most_5_kB_and_the_page_gets_the_same_formulas(level, name):
    """The panel of formulas travels deflated (a binary buffer): w1's 10 kB of MathML is
    under 2 kB on the wire, and inflating the bytes gives back exactly what Python shows."""
    net, x, t = bw.presets.mazur()
    ex = ChainRuleExplorer(net, x, t, level=level, selected="w8")
    ex.comm = comm = WireComm()
    ex.click(name)
    assert comm.bytes() <= 5000, comm.bytes()
    [panel] = [b for d, bs in comm.sent for p, b in zip(d["buffer_paths"], bs) if p == ["panel"]]
    assert zlib.decompress(panel).decode() == ex.panel
    assert "0.000438568" in ex.panel or name != "w1"
