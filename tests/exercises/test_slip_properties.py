"""Property test: every slip of every question type, typed as a number, is diagnosed as that
slip and as nothing else.

Each slip's value is computed here from the network's numbers with a forward and backward
pass written in NumPy for this test (not the package's graph, gradients or slip code), on a
few architectures with random weights, inputs and targets. A value that happens to equal
another slip's value (or the answer) within the tolerance is skipped: for such a number the
checker rightly names no single slip.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backprop_widgets as bw

LEARNING_RATES = (0.5, 0.1, 1.0, 0.05, 0.01)  # the usual rates a student might have used
ARCHITECTURES = [  # sizes, activations, loss, bias
    ([2, 2, 2], "sigmoid", "half_sse", "per_layer"),  # Mazur's shape
    ([2, 3, 1], ["tanh", "sigmoid"], "mse", "per_neuron"),
    ([2, 2, 2, 2], ["sigmoid", "tanh", "linear"], "mse", "per_neuron"),  # 4 paths from w1
    ([1, 1, 1], "sigmoid", "half_sse", "shared"),  # tiny's: one bias feeds two neurons
]
SLOPES = {
    "sigmoid": lambda a: a * (1 - a),
    "tanh": lambda a: 1 - a * a,
    "linear": lambda a: np.ones_like(a),
}
FUNCTIONS = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "linear": lambda z: z}


class ByHand:
    """The network's numbers at one example, computed from its weight matrices directly."""

    def __init__(self, net, x, t):
        self.net = net
        acts = net.activation
        self.z, self.a = [], [np.asarray(x, float)]
        for W, b, f in zip(net.weights, net.biases, acts, strict=True):
            self.z.append(W @ self.a[-1] + b)
            self.a.append(FUNCTIONS[f](self.z[-1]))
        y, t = self.a[-1], np.asarray(t, float)
        n = len(y)
        self.loss = (
            0.5 * np.sum((y - t) ** 2) if net.loss_name == "half_sse" else np.mean((y - t) ** 2)
        )
        self.dy = (y - t) if net.loss_name == "half_sse" else 2 * (y - t) / n
        self.slope = [SLOPES[f](a) for f, a in zip(acts, self.a[1:], strict=True)]
        # deltas, both conventions, layer by layer from the output
        self.d_node = [None] * len(self.z)
        self.d_net = [None] * len(self.z)
        self.d_node[-1] = self.dy
        for layer in range(len(self.z) - 1, -1, -1):
            self.d_net[layer] = self.d_node[layer] * self.slope[layer]
            if layer:
                self.d_node[layer - 1] = net.weights[layer].T @ self.d_net[layer]
        self.where = {name: (layer, k) for layer, names in enumerate(net.node_names[1:])
                      for k, name in enumerate(names)}  # fmt: skip

    def value(self, name: str) -> float:
        if name.startswith("net_"):
            layer, k = self.where[name[4:]]
            return float(self.z[layer][k])
        layer, k = self.where[name]
        return float(self.a[layer + 1][k])

    def delta(self, neuron: str, convention: str) -> float:
        layer, k = self.where[neuron]
        return float((self.d_node if convention == "node" else self.d_net)[layer][k])

    def _source(self, info) -> float:
        if info.kind == "bias":
            return 1.0
        if info.source in self.net.node_names[0]:
            return float(self.a[0][self.net.node_names[0].index(info.source)])
        return self.value(info.source)

    def gradient(self, param: str) -> float:
        info = self.net.parameter_info(param)
        return sum(self._source(info) * self.delta(j, "net") for j in info.targets)

    def path_values(self, param: str) -> list[float]:
        """dL/dparam split into its paths: one product per route from the parameter to L."""
        info = self.net.parameter_info(param)
        out = []
        for target in info.targets:
            layer, k = self.where[target]
            start = self._source(info) * self.slope[layer][k]
            routes = itertools.product(*(range(len(z)) for z in self.z[layer + 1 :]))
            for route in routes:
                value, here = start, k
                for step, nxt in enumerate(route, start=layer + 1):
                    value *= self.net.weights[step][nxt, here] * self.slope[step][nxt]
                    here = nxt
                out.append(value * self.dy[here])
        return out


def constants(net) -> list[float]:
    """The factors a student may drop or add to the loss's derivative (or the loss)."""
    n = len(net.output_names)
    if net.loss_name == "half_sse":
        return [2.0, 0.5]
    return sorted({k for k in (0.5, 2.0, float(n), 1.0 / n, 0.5 * n) if k != 1.0})


def single_slope(hand: ByHand, param: str) -> float | None:
    """σ′ of the one neuron a parameter enters (None for a tied bias or a linear neuron)."""
    info = hand.net.parameter_info(param)
    if len(info.targets) != 1 or hand.net.activation[info.layer - 1] == "linear":
        return None
    layer, k = hand.where[info.targets[0]]
    return float(hand.slope[layer][k])


def gradient_slips(hand: ByHand, param: str) -> list[tuple[str, float]]:
    g, p = hand.gradient(param), hand.net[param]
    slips = [("wrong_parameter", hand.gradient(o)) for o in hand.net.parameter_names if o != param]
    slips.append(("wrong_sign", -g))
    slips += [("constant_factor", k * g) for k in constants(hand.net)]
    slope = single_slope(hand, param)
    if slope is not None:
        slips.append(("forgot_slope", g / slope))
    slips += [("updated_weight", p - lr * g) for lr in LEARNING_RATES]
    paths = hand.path_values(param)
    if 2 <= len(paths) <= 10:
        for size in range(1, len(paths)):
            for subset in itertools.combinations(paths, size):
                slips.append(("partial_sum", math.fsum(subset)))
    return slips


def update_slips(hand: ByHand, param: str, lr: float) -> list[tuple[str, float]]:
    g, p = hand.gradient(param), hand.net[param]
    slips = [
        ("step_only", lr * g),
        ("step_only", -lr * g),
        ("gradient_for_update", g),
        ("step_wrong_sign", p + lr * g),
        ("step_without_lr", p - g),
        ("no_step", p),
    ]
    slips += [
        ("wrong_parameter", p - lr * hand.gradient(o))
        for o in hand.net.parameter_names
        if o != param
    ]
    slips += [("step_with_slip", p - lr * k * g) for k in constants(hand.net)]
    slope = single_slope(hand, param)
    if slope is not None:  # issue 18: Mazur's w5 with σ′ forgotten, 0.180085
        slips.append(("step_with_slip", p - lr * g / slope))
    return slips


def forward_slips(hand: ByHand, node: str) -> list[tuple[str, float]]:
    neurons = [n for layer in hand.net.node_names[1:] for n in layer]
    if node.startswith("net_"):
        neuron = node[4:]
        slips = [("activation_applied", hand.value(neuron))]
        layer, k = hand.where[neuron]
        if hand.net.bias_mode != "none":
            slips.append(("forgot_bias", hand.value(node) - float(hand.net.biases[layer][k])))
        slips += [("wrong_node", hand.value(f"net_{o}")) for o in neurons if o != neuron]
        return slips
    slips = [("forgot_activation", hand.value(f"net_{node}"))]
    return slips + [("wrong_node", hand.value(o)) for o in neurons if o != node]


def loss_slips(hand: ByHand) -> list[tuple[str, float]]:
    n = len(hand.net.output_names)
    ks = dict.fromkeys((2.0, 0.5, float(n), 1.0 / n))
    return [("loss_constant", k * hand.loss) for k in ks if k != 1.0]


def delta_slips(hand: ByHand, neuron: str, convention: str) -> list[tuple[str, float]]:
    d = hand.delta(neuron, convention)
    other = "net" if convention == "node" else "node"
    slips = [("other_convention", hand.delta(neuron, other)), ("wrong_sign", -d)]
    return slips + [("constant_factor", k * d) for k in constants(hand.net)]


def near(a: float, b: float) -> bool:
    """Within ten times the checker's tolerance: too close to tell apart by one number."""
    return abs(a - b) <= 1e-2 * max(abs(a), abs(b)) + 1e-9


def assert_each_slip_named(
    question, expected: float, slips: list[tuple[str, float]], base: float = 0.0
) -> int:
    """Type each slip's value; return how many were distinct enough to be checked.

    ``base``: what the quantity is a step from (p for an update p⁺): a near miss is near
    the step, not near p (issue 20: half the gradient inside a step is no rounding).
    """
    assert math.isclose(question.expected, expected, rel_tol=1e-9, abs_tol=1e-12), (
        question.prompt,
        question.expected,
        expected,
    )
    # and the two codes that are no slip: a near miss, and a number far from everything
    size = abs(expected - base)
    near_miss = expected + 0.02 * (expected - base) if base else expected * 1.02
    cases = [*slips, ("imprecise", near_miss), ("wrong_value", expected * 7.3 + 0.61)]
    checked = 0
    for i, (code, value) in enumerate(cases):
        others = [v for j, (_, v) in enumerate(cases) if j != i]
        if near(value, expected) and code != "imprecise":
            continue
        if any(near(value, v) for v in others) or abs(value) < 1e-6:
            continue  # a coincidence of these numbers: no single slip can be named
        if code == "imprecise" and any(abs(value - v) <= 0.06 * abs(v) for v in others):
            continue  # within 5 % of a slip too: the slip is named, rightly
        if code == "wrong_value" and abs(value - expected) <= 0.06 * size:
            continue  # within 5 % of the answer and no slip: "imprecise", rightly
        fb = question.check(f"{value:.12g}")
        assert not fb.correct and fb.problems == (code,), (
            question.prompt, code, value, fb.problems, fb.message,
        )  # fmt: skip
        checked += 1
    return checked


@functools.cache
def network(arch: int) -> bw.Network:
    sizes, activation, loss, bias = ARCHITECTURES[arch]
    return bw.Network(sizes, activation=activation, loss=loss, bias=bias, seed=arch)


@st.composite
def examples(draw):
    """A network of one architecture with random numbers, an input and a target."""
    arch = draw(st.integers(0, len(ARCHITECTURES) - 1))
    net = network(arch).copy()
    value = st.floats(-1.5, 1.5, allow_nan=False).filter(lambda v: abs(v) > 0.05)
    net.set_parameters({p: draw(value) for p in net.parameter_names})
    x = [draw(value) for _ in net.input_names]
    t = [draw(st.floats(0.05, 0.95)) for _ in net.output_names]
    return net, np.array(x), np.array(t)


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(examples(), st.data())
def test_a_gradients_slips_are_each_named(example, data):
    net, x, t = example
    hand = ByHand(net, x, t)
    param = data.draw(st.sampled_from(net.parameter_names))
    q = bw.GradientQuestion(net, param, x, t, draws=3)
    assert_each_slip_named(q, hand.gradient(param), gradient_slips(hand, param))


@SETTINGS
@given(examples(), st.data())
def test_an_updates_slips_are_each_named(example, data):
    net, x, t = example
    hand = ByHand(net, x, t)
    param = data.draw(st.sampled_from(net.parameter_names))
    lr = data.draw(st.sampled_from([0.5, 0.3, 0.1]))
    q = bw.UpdateQuestion(net, param, x, t, lr=lr, draws=3)
    expected = net[param] - lr * hand.gradient(param)
    assert_each_slip_named(q, expected, update_slips(hand, param, lr), base=net[param])


@SETTINGS
@given(examples(), st.data())
def test_a_forward_values_slips_are_each_named(example, data):
    net, x, t = example
    hand = ByHand(net, x, t)
    neurons = [n for layer in net.node_names[1:] for n in layer]
    node = data.draw(st.sampled_from(neurons + [f"net_{n}" for n in neurons]))
    q = bw.ForwardQuestion(net, node, x, t, draws=3)
    assert_each_slip_named(q, hand.value(node), forward_slips(hand, node))


@SETTINGS
@given(examples())
def test_the_losss_slips_are_each_named(example):
    net, x, t = example
    hand = ByHand(net, x, t)
    assert_each_slip_named(bw.LossQuestion(net, x, t, draws=3), hand.loss, loss_slips(hand))


@SETTINGS
@given(examples(), st.data())
def test_a_deltas_slips_are_each_named(example, data):
    net, x, t = example
    hand = ByHand(net, x, t)
    neuron = data.draw(st.sampled_from([n for layer in net.node_names[1:] for n in layer]))
    convention = data.draw(st.sampled_from(["node", "net"]))
    q = bw.DeltaQuestion(net, neuron, x, t, convention=convention, draws=3)
    expected = hand.delta(neuron, convention)
    assert_each_slip_named(q, expected, delta_slips(hand, neuron, convention))


def test_mazurs_update_without_the_slope_is_named_as_such():
    """Issue 18: w5 - 0.5 * dL/dw5 with σ′(net_o1) left out of dL/dw5 is 0.180085."""
    net, x, t = bw.presets.mazur()
    fb = bw.UpdateQuestion(net, "w5", x, t, lr=0.5).check("0.180085")
    assert fb.problems == ("step_with_slip",)
    assert "without the slope of o1's activation" in fb.message


def test_every_question_type_had_slips_checked():
    """The skips above for coincidences leave most slips checked on Mazur's own numbers."""
    net, x, t = bw.presets.mazur()
    hand = ByHand(net, x, t)
    counts = {
        "gradient": assert_each_slip_named(
            bw.GradientQuestion(net, "w1", x, t), hand.gradient("w1"), gradient_slips(hand, "w1")
        ),
        "update": assert_each_slip_named(
            bw.UpdateQuestion(net, "w5", x, t, lr=0.5),
            net["w5"] - 0.5 * hand.gradient("w5"),
            update_slips(hand, "w5", 0.5),
        ),
        "forward": assert_each_slip_named(
            bw.ForwardQuestion(net, "net_h1", x, t),
            hand.value("net_h1"),
            forward_slips(hand, "net_h1"),
        ),
        "loss": assert_each_slip_named(bw.LossQuestion(net, x, t), hand.loss, loss_slips(hand)),
        "delta": assert_each_slip_named(
            bw.DeltaQuestion(net, "h1", x, t, convention="net"),
            hand.delta("h1", "net"),
            delta_slips(hand, "h1", "net"),
        ),
    }
    assert all(n >= 3 for n in counts.values()), counts
