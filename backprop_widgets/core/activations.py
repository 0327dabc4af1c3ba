"""Activation functions, each with its derivative beside it.

`forward(z)` maps the net input z to the activation a. `local(z, a)` gives the
elementwise derivative da/dz, used both by backprop and by the chain-rule view.
Softmax is not elementwise: its `jacobian` and `backward` say how each output
depends on every net input of its layer.
"""

from __future__ import annotations

import numpy as np


class Activation:
    name: str
    elementwise = True

    def forward(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def local(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """da/dz elementwise."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """dL/dz from dL/da (rows are samples)."""
        return grad_a * self.local(z, a)

    def jacobian(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """da_k/dz_i for one sample: matrix [k, i]."""
        return np.diag(self.local(z, a))


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, z):
        # sigma(z) = 1 / (1 + e^-z) = (1 + tanh(z/2)) / 2: the tanh form cannot overflow for
        # any z, and is one ufunc call (it matters in the per-step cost of tiny networks).
        a = np.tanh(0.5 * z)
        a += 1.0
        a *= 0.5
        return a

    def local(self, z, a):
        # sigma'(z) = sigma(z) (1 - sigma(z))
        return a * (1.0 - a)


class Tanh(Activation):
    name = "tanh"

    def forward(self, z):
        return np.tanh(z)

    def local(self, z, a):
        # tanh'(z) = 1 - tanh(z)^2
        return 1.0 - a * a


class ReLU(Activation):
    name = "relu"

    def forward(self, z):
        return np.maximum(z, 0.0)

    def local(self, z, a):
        # relu'(z) = 1 if z > 0 else 0 (we take 0 at the kink, as PyTorch does)
        return (z > 0).astype(float)


class Linear(Activation):
    name = "linear"

    def forward(self, z):
        return z

    def local(self, z, a):
        # d z / d z = 1
        return np.ones_like(z)

    def backward(self, z, a, grad_a):
        return grad_a


class Softmax(Activation):
    name = "softmax"
    elementwise = False

    def forward(self, z):
        # softmax(z)_k = e^{z_k} / sum_j e^{z_j}; shifting by max(z) keeps e^. finite.
        shifted = z - z.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=-1, keepdims=True)

    def local(self, z, a):
        # the diagonal of the Jacobian: da_k/dz_k = a_k (1 - a_k)
        return a * (1.0 - a)

    def jacobian(self, z, a):
        # da_k/dz_i = a_k (delta_ki - a_i)
        return np.diag(a) - np.outer(a, a)

    def backward(self, z, a, grad_a):
        # J^T g = a * (g - sum_k g_k a_k), without forming J
        return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    cls.name: cls() for cls in (Sigmoid, Tanh, ReLU, Linear, Softmax)
}
