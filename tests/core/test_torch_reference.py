"""PyTorch as an independent reference, where it is installed."""

import numpy as np
import pytest

import backprop_widgets as bw

torch = pytest.importorskip("torch")

CASES = [
    ([2, 2, 2], "sigmoid", "half_sse", "per_layer"),
    ([3, 5, 4, 2], ["tanh", "relu", "linear"], "mse", "per_neuron"),
    ([2, 4, 1], ["tanh", "sigmoid"], "bce", "shared"),
    ([4, 6, 3], ["sigmoid", "softmax"], "cross_entropy", "per_neuron"),
    ([3, 4, 4, 2], ["gelu", "gelu_tanh", "linear"], "mse", "per_neuron"),
]


def torch_loss(y_logits_or_out, z, T, loss):
    if loss == "half_sse":
        return 0.5 * ((y_logits_or_out - T) ** 2).sum() / T.shape[0]
    if loss == "mse":
        return torch.nn.functional.mse_loss(y_logits_or_out, T)
    if loss == "bce":
        return torch.nn.functional.binary_cross_entropy_with_logits(z, T)
    return torch.nn.functional.cross_entropy(z, T.argmax(dim=1))


@pytest.mark.parametrize(("sizes", "activation", "loss", "bias"), CASES)
def test_gradients_match_pytorch_autograd(sizes, activation, loss, bias):
    net = bw.Network(sizes, activation=activation, loss=loss, bias=bias, seed=5)
    rng = np.random.default_rng(5)
    for name in net.bias_names:
        net[name] = float(rng.normal())
    X = rng.normal(size=(7, sizes[0]))
    if loss == "cross_entropy":
        T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 7)]
    elif loss == "bce":
        T = rng.integers(0, 2, size=(7, sizes[-1])).astype(float)
    else:
        T = rng.normal(size=(7, sizes[-1]))
    theta = torch.tensor(net.parameter_vector, requires_grad=True)
    # rebuild the same network from the flat vector, with torch ops
    weights, offset = [], 0
    for W in net.weights:
        weights.append(theta[offset : offset + W.size].reshape(W.shape))
        offset += W.size
    biases = net.biases
    bias_index = {
        "per_layer": lambda layer, n: theta[offset + layer].expand(n),
        "shared": lambda layer, n: theta[offset].expand(n),
    }
    a = torch.tensor(X)
    start = offset
    for layer, (W, act) in enumerate(zip(weights, net.activation)):
        n = W.shape[0]
        if bias == "per_neuron":
            b = theta[start : start + n]
            start += n
        else:
            b = bias_index[bias](layer, n)
        z = a @ W.T + b
        a = {
            "sigmoid": torch.sigmoid,
            "tanh": torch.tanh,
            "relu": torch.relu,
            "linear": lambda v: v,
            "softmax": lambda v: torch.softmax(v, 1),
            "gelu": torch.nn.functional.gelu,
            "gelu_tanh": lambda v: torch.nn.functional.gelu(v, approximate="tanh"),
        }[act](z)
    del biases
    value = torch_loss(a, z, torch.tensor(T), loss)
    value.backward()
    assert net.loss(X, T) == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(
        net.gradients(X, T).vector, theta.grad.numpy(), rtol=1e-10, atol=1e-14
    )
