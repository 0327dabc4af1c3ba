"""bw.expression: a computation graph from text, read by the answer parser, never run."""

import pytest

import backprop_widgets as bw


def test_cs231n_and_colah_from_text():
    g = bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
    assert g.end == "f" and g.value("f") == -12.0
    assert {k: g.gradients()[k] for k in "xyzq"} == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0}
    g = bw.expression("c = a + b\nd = b + 1\ne = c * d", a=2, b=1)
    assert g.gradients()["b"] == 5.0 and g.path_count("b") == 2
    assert g.chain_rule("b").text() == "dc/db * de/dc + dd/db * de/dd"


def test_a_neuron_with_a_loss_matches_the_network():
    g = bw.expression(
        "net = w * x + b; h = sigma(net); L = 0.5 * (h - t)^2", w=0.5, x=1.0, b=0.1, t=1.0
    )
    h = g.value("h")
    # dL/dw = (h - t) h (1 - h) x, written out by hand
    assert g.gradients()["w"] == pytest.approx((h - 1.0) * h * (1 - h) * 1.0, rel=1e-12)
    assert g.formula("h") == "sigmoid(net)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q = x + y; q = q * 2", "redefines q: each name is defined once"),
        (
            "a = b + 1; b = a * 2",
            "uses b before it is defined (statement 2): a computation graph has no cycles",
        ),
        ("f = x + w", "unknown name 'w'; known names: x, y"),
        ("x = 2", "redefines x, which is a leaf"),
        ("f = dh1/dw1", "a derivative (d.../d...) is not an operation"),
        ("f = x +", "cannot be read"),
        ("f = x^y", "an exponent must be a number"),
        ("__import__('os')", "must read 'name = formula'"),
        ("f = __import__('os').system('true')", "statement 1"),
    ],
)
def test_bad_text_is_named_and_never_run(text, message):
    with pytest.raises(bw.BackpropInputError) as err:
        bw.expression(text, x=1.0, y=2.0)
    assert message in str(err.value)


def test_a_name_given_to_a_leaf_or_alias_keeps_both_nodes():
    g = bw.expression("f = x", x=3.0)
    assert g.parents("f") == ["x"] and g.gradients()["x"] == 1.0


@pytest.mark.parametrize("source", ["f = H(x)", "f = sech(x)", "f = g(x)", "f = cosh(x)"])
def test_functions_only_answers_know_are_refused_with_a_reason(source):
    with pytest.raises(bw.BackpropInputError, match="not an operation of the graph"):
        bw.expression(source, x=1.0)
