"""NetworkDiagram logic without a browser: what would be sent, and what a click changes."""

import json

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core import numbers
from backprop_widgets.widgets import NetworkDiagram
from tests.widgets.recording_comm import RecordingComm


def test_every_parameter_is_a_clickable_edge_and_names_match():
    net, _, _ = bw.presets.mazur()
    d = NetworkDiagram(net)
    edges = {e["id"]: e for e in d.structure["edges"]}
    assert {e["p"] for e in edges.values() if "p" in e} == set(net.parameter_names)
    assert (edges["w7"]["s"], edges["w7"]["d"]) == ("h1", "o2")
    # a per-layer bias is one node feeding both neurons of its layer
    assert [e["d"] for e in edges.values() if e.get("p") == "b1"] == ["h1", "h2"]
    assert d.values["w5"] == 0.4


def test_shared_bias_is_drawn_once_feeding_every_neuron():
    net, _, _ = bw.presets.tiny()
    d = NetworkDiagram(net)
    bias_nodes = [n for n in d.structure["nodes"] if n["kind"] == "bias"]
    assert [n["id"] for n in bias_nodes] == ["b"]
    assert sorted(e["d"] for e in d.structure["edges"] if e.get("p") == "b") == ["h", "y'"]


def test_selecting_highlights_every_path_to_the_loss():
    net, _, _ = bw.presets.mazur()
    d = NetworkDiagram(net)
    d.selected = "w1"  # as a click would
    assert set(d.highlight["edges"]) == {"w1", "w5", "w7", "o1>L", "o2>L"}
    d.set_state({"selected": "b2"})  # exactly what the browser sends
    assert set(d.highlight["edges"]) == {"b2>o1", "b2>o2", "o1>L", "o2>L"}
    d.selected = ""
    assert d.highlight == {}


def test_unknown_selection_is_refused_with_the_valid_names():
    net, _, _ = bw.presets.mazur()
    d = NetworkDiagram(net)
    with pytest.raises(KeyError, match=r"unknown parameter name 'w9'.*w1, w2.*Did you mean"):
        d.selected = "w9"
    assert d.selected == ""


def test_typo_in_keyword_fails_loudly():
    net, _, _ = bw.presets.mazur()
    with pytest.raises(TypeError, match=r"'selcted'.*accepted: selected"):
        NetworkDiagram(net, selcted="w1")
    with pytest.raises(bw.BackpropInputError, match=r"net must be a backprop_widgets.Network"):
        NetworkDiagram([2, 2, 2])


def test_diagram_follows_parameter_changes_sending_only_values():
    net, x, t = bw.presets.mazur()
    d = NetworkDiagram(net)
    changed = []
    d.observe(lambda change: changed.append(change["name"]), names=list(d.trait_names(sync=True)))
    net["w5"] = -1.25
    assert d.values["w5"] == -1.25
    assert d.value_labels["w5"] == "-1.25"  # the text the diagram prints, written in Python
    assert sorted(changed) == ["value_labels", "values"]  # the structure is not re-sent
    net.step(x, t, 0.5)
    assert d.values["w1"] == pytest.approx(net["w1"], rel=1e-5)
    assert d.value_labels["w1"] == numbers.plain(net["w1"])
    assert sorted(changed) == ["value_labels", "value_labels", "values", "values"]


def test_values_and_their_labels_reach_the_browser_in_one_message():
    net, _, _ = bw.presets.mazur()
    d = NetworkDiagram(net, auto_update=False)
    d.comm = RecordingComm()
    net["w5"] = 2.0
    d.refresh()
    assert d.comm.updates == [["value_labels", "values"]]
    d.node_values = {"h1": -1e-30, "o1": 0.75136507}
    assert d.node_labels == {"h1": "-1e-30", "o1": "0.7514"}  # numbers.plain, as every view


def test_state_for_the_largest_supported_network_is_small():
    net = bw.Network([4, 8, 8, 8, 2])
    d = NetworkDiagram(net)
    state = d.get_state()
    code = len(json.dumps(state["_esm"])) + len(json.dumps(state["_css"]))
    drawn = len(json.dumps(state)) - code
    assert drawn < 33_000, drawn  # the structure, values and labels of 138 parameters
    assert code < 36_000, code  # diagram.js and its CSS (with the theme), sent once per widget
    update = len(json.dumps({"values": d.values, "value_labels": d.value_labels}))
    assert update < 8_000, update  # 138 parameters: each value, and its text
    assert d.structure["dense"]  # labels are hidden, selection still works
    d.selected = "w100"
    assert "w100" in d.highlight["edges"]


def test_layout_fits_every_network_from_1_1_1_to_4_8_8_8_2():
    for sizes in ([1, 1, 1], [2, 2, 2], [3, 5, 1], [4, 8, 8, 8, 2], [2, 16, 16, 1]):
        s = NetworkDiagram(bw.Network(sizes)).structure
        for n in s["nodes"]:
            assert 0 <= n["x"] <= s["width"] and 0 <= n["y"] <= s["height"], (sizes, n)
        ids = [n["id"] for n in s["nodes"]]
        assert len(ids) == len(set(ids))


def test_huge_networks_are_refused_with_a_reason():
    with pytest.raises(ValueError, match=r"784.*weights|at most 2000 weights"):
        NetworkDiagram(bw.Network([784, 128, 10]))


def test_neuron_pictures_are_computed_in_python_and_sent_as_images():
    import base64
    import io

    from PIL import Image

    from backprop_widgets.core.pictures import extent_of

    net, X, _ = bw.presets.moons()
    d = NetworkDiagram(net)
    d.show_neuron_pictures(extent_of(X), resolution=12)
    hidden_and_output = [n for layer in net.node_names[1:] for n in layer]
    assert sorted(d.node_pictures) == sorted(hidden_and_output)
    url = d.node_pictures["o1"]
    assert url.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert image.size == (12, 12)

    # a tanh neuron whose zero line crosses the data: both colours, blue high and orange low
    def colours(name):
        data = base64.b64decode(d.node_pictures[name].split(",", 1)[1])
        pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), float)
        return (pixels[..., 2] > pixels[..., 0] + 40).any(), (
            pixels[..., 0] > pixels[..., 2] + 40
        ).any()

    assert any(colours(n) == (True, True) for n in net.node_names[1])
    before = dict(d.node_pictures)
    bw.train(net, X, bw.presets.moons()[2], lr=0.5, steps=200)
    d.show_neuron_pictures(extent_of(X), resolution=12)
    assert d.node_pictures["o1"] != before["o1"]  # follows training
    d.hide_neuron_pictures()
    assert d.node_pictures == {}


def test_a_weight_edited_on_the_diagram_changes_the_network_or_says_why_not():
    net, _, _ = bw.presets.mazur()
    d = NetworkDiagram(net, editable=True)
    d._on_front_end_msg(d, {"type": "edit", "param": "w5", "text": " 0.9 "}, [])
    assert net["w5"] == 0.9 and d.edit_message == ""
    assert d.values["w5"] == 0.9  # the diagram follows
    for bad in ("abc", "inf", "nan", "1,5"):
        assert not d.edit_weight("w5", bad)
        assert net["w5"] == 0.9
        assert "w5 must be a finite number" in d.edit_message and repr(bad) in d.edit_message
    assert not d.edit_weight("w99", "1")
    locked = NetworkDiagram(net)
    assert not locked.editable and not locked.edit_weight("w5", "0.1") and net["w5"] == 0.9


def test_weight_labels_never_overlap_each_other_or_a_node_where_they_are_drawn():
    from backprop_widgets.widgets import labels
    from backprop_widgets.widgets.layout import diagram_structure

    for sizes in ([2, 2, 2], [3, 3, 2], [2, 4, 1], [1, 1, 1]):
        for level in ("neuron", "pre-activation"):
            s = diagram_structure(bw.Network(sizes), level)
            fits = s["label_units"]
            weights = [e for e in s["edges"] if e["kind"] == "weight"]
            # at the smallest drawing where the names are drawn, as the browser sizes them
            unit = fits["names"]
            if unit == 0:  # too crowded ([3, 3, 2] split into net inputs): only the selected
                continue
            boxes = [labels._box(e, e["lx"], e["ly"], labels._name_only, unit) for e in weights]
            nodes = [labels._node_box(n, s["r"]) for n in s["nodes"]]
            for i, box in enumerate(boxes):
                others = boxes[:i] + boxes[i + 1 :] + nodes
                assert not any(labels._overlap(box, o) for o in others), (sizes, level, i)
    mazur = diagram_structure(bw.presets.mazur()[0])["label_units"]
    # w1=0.15 and its seven neighbours fit an exercise's 560 px drawing; names fit 480 px
    assert mazur["values"] >= 640 / 560 - 0.01 and mazur["names"] >= 640 / 480 - 0.01
    split = diagram_structure(bw.presets.mazur()[0], "pre-activation")["label_units"]
    assert split["names"] >= 640 / 480 - 0.01


def test_a_dense_diagram_names_only_the_selected_weight_and_its_inputs_beside_them():
    from backprop_widgets.widgets.layout import diagram_structure

    s = diagram_structure(bw.Network([2, 16, 16, 1]))
    assert s["dense"] and s["label_units"] == {"values": 0, "names": 0}
    beside = {n["id"]: n for n in s["nodes"] if "lx" in n}
    assert set(beside) == {"i1", "i2", "L"}
    assert all(n["lx"] < n["x"] for k, n in beside.items() if k != "L")  # left of the inputs
    assert beside["L"]["lx"] > beside["L"]["x"] and beside["L"]["anchor"] == "start"


def test_show_example_prints_each_nodes_value_from_the_cores_graph():
    net, x, t = bw.presets.mazur()
    d = NetworkDiagram(net)
    graph = net.graph(x, t)
    d.show_example(graph)
    assert d.node_labels["h1"] == "0.5933" and d.node_labels["o1"] == "0.7514"  # Mazur's
    assert d.node_labels["L"] == numbers.plain(graph.loss)
    other = bw.Network([2, 3, 2])
    with pytest.raises(
        ValueError, match=r"graph must be built from a network of the diagram's sizes \[2, 2, 2\]"
    ):
        d.show_example(other.graph(x, t))


def test_show_all_paths_lights_the_paths_an_exercise_kept_back():
    net, _, _ = bw.presets.mazur()
    d = NetworkDiagram(net, selected="w1", highlight_paths=False)
    assert d.highlight == {"edges": ["w1"]}  # only the asked weight
    d.show_all_paths()
    assert set(d.highlight["edges"]) == {"w1", "w5", "w7", "o1>L", "o2>L"}
    d.selected = "w2"  # and for later selections too
    assert set(d.highlight["edges"]) == {"w2", "w5", "w7", "o1>L", "o2>L"}


def test_the_diagram_sends_only_what_its_javascript_draws():
    net, x, t = bw.presets.mazur()
    d = NetworkDiagram(net, selected="w1")
    assert "bias" not in d.structure  # the bias mode is drawn as nodes and edges, not read
    d.highlight_path(("w1", "h1", "o2", "L"), net.graph(x, t))
    assert d.highlight == {"edges": ["w1", "w7", "o2>L"]}


def test_widget_traits_are_accepted_and_arguments_are_keyword_only():
    net, _, _ = bw.presets.mazur()
    d = NetworkDiagram(net, layout={"max_width": "400px"}, tooltip="the 2-2-2 net")
    assert d.layout.max_width == "400px"
    with pytest.raises(TypeError, match=r"'values'.*accepted: selected, show_values.*layout"):
        NetworkDiagram(net, values={"w1": 3.0})  # what the diagram draws is its own to compute
    with pytest.raises(TypeError, match="positional"):
        NetworkDiagram(net, "w1")
