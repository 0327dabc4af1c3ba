"""Property-based checks over random architectures: backprop = finite differences = chain rule."""

import itertools
import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import backprop_widgets as bw

HIDDEN = ["sigmoid", "tanh", "relu", "linear"]
OUTPUT_LOSS = [
    ("sigmoid", "half_sse"),
    ("tanh", "mse"),
    ("linear", "half_sse"),
    ("relu", "mse"),
    ("sigmoid", "bce"),
    ("softmax", "cross_entropy"),
]


@st.composite
def problems(draw, max_layers=4, max_width=4, max_samples=4):
    n_layers = draw(st.integers(2, max_layers))
    sizes = [draw(st.integers(1, max_width)) for _ in range(n_layers)]
    out_act, loss = draw(st.sampled_from(OUTPUT_LOSS))
    if out_act == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in range(n_layers - 2)]
    bias = draw(st.sampled_from(["per_neuron", "per_layer", "shared", "none"]))
    seed = draw(st.integers(0, 2**16))
    net = bw.Network(sizes, activation=[*hidden, out_act], loss=loss, bias=bias, seed=seed)
    rng = np.random.default_rng(seed)
    for name in net.bias_names:  # non-zero biases so their paths matter
        net[name] = float(rng.normal(0, 0.5))
    n = draw(st.integers(1, max_samples))
    X = rng.normal(0, 1, size=(n, sizes[0]))
    if loss == "cross_entropy":
        T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    elif loss == "bce":
        T = rng.integers(0, 2, size=(n, sizes[-1])).astype(float)
    else:
        T = rng.normal(0, 1, size=(n, sizes[-1]))
    return net, X, T


def numeric_gradient(net, X, T, name, eps=1e-6):
    saved = net[name]
    net[name] = saved + eps
    up = net.loss(X, T)
    net[name] = saved - eps
    down = net.loss(X, T)
    net[name] = saved
    return (up - down) / (2 * eps)


def relu_near_kink(net, X, eps=1e-4):
    """A relu input within eps of 0 makes finite differences straddle the kink."""
    zs, _ = net.forward_cache(net.checked_inputs(X)[0])
    return any(act == "relu" and np.any(np.abs(z) < eps) for act, z in zip(net.activation, zs))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_backprop_matches_finite_differences(problem):
    net, X, T = problem
    assume(not relu_near_kink(net, X))
    g = net.gradients(X, T)
    for name in net.parameter_names:
        fd = numeric_gradient(net, X, T, name)
        assert math.isclose(g[name], fd, rel_tol=1e-5, abs_tol=1e-7), (name, g[name], fd)


def expected_path_count(net, name, level):
    """Each path crosses every later layer once: the product of their widths, per use.

    A softmax output couples its neurons: a net input there reaches all K outputs.
    At the neuron level the uses of a tied bias in that layer share their first nodes
    (the outputs), so they count K once.
    """
    sizes, info = net.sizes, net.parameter_info(name)
    last, k = len(sizes) - 1, sizes[-1]
    softmax = net.activation[-1] == "softmax"
    total, counted_softmax_layer = 0, False
    for layer in info.layers:
        if softmax and layer == last:
            if level == "pre-activation" or not counted_softmax_layer:
                total += k
            counted_softmax_layer = True
        else:
            total += math.prod(sizes[layer + 1 :]) * (
                k if softmax and level == "pre-activation" else 1
            )
    return total


@settings(max_examples=80, deadline=None)
@given(problems(max_samples=1), st.sampled_from(["neuron", "pre-activation"]))
def test_chain_rule_total_equals_gradient_and_paths_are_counted(problem, level):
    net, X, T = problem
    x, t = X[0], T[0]
    g = net.gradients(x, t)
    for name in net.parameter_names:
        cr = net.chain_rule(name, x, t, level=level)
        assert math.isclose(cr.value, g[name], rel_tol=1e-9, abs_tol=1e-12), name
        # the path sum, term by term, is the same number as the delta sweep
        assert math.isclose(sum(cr.term_values()), g[name], rel_tol=1e-9, abs_tol=1e-12)
        assert cr.path_count == len(cr.paths) == expected_path_count(net, name, level), name
        for path in cr.paths:
            assert path[0] == name and path[-1] == "L"
            for den, num in itertools.pairwise(path):
                assert cr.graph.has_edge(num, den), (num, den)


@settings(max_examples=40, deadline=None)
@given(problems(max_samples=6))
def test_step_moves_every_trainable_parameter_against_its_gradient(problem):
    net, X, T = problem
    before = net.parameter_vector
    loss_before = net.loss(X, T)
    g = net.gradients(X, T).vector
    assert net.step(X, T, 0.1) == loss_before
    np.testing.assert_allclose(net.parameter_vector, before - 0.1 * g, rtol=0, atol=1e-15)
