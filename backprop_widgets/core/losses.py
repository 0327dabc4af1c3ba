"""Loss functions, each averaged over the samples of a batch, with dL/dy beside them.

`value(y, t, z)` is the loss; `grad_output(y, t)` is dL/dy for the whole batch (it
includes the 1/n of the average). Losses that pair with one output activation
(bce with sigmoid, cross_entropy with softmax) also give `grad_net(y, t)` = dL/dz,
which is simpler and does not divide by a saturated y.
"""

from __future__ import annotations

import numpy as np


class Loss:
    name: str
    requires_output: str | None = None  # the output activation this loss needs, if any

    def value(self, y: np.ndarray, t: np.ndarray, z: np.ndarray) -> float:
        raise NotImplementedError

    def grad_output(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    grad_net = None


class HalfSSE(Loss):
    name = "half_sse"

    def value(self, y, t, z):
        # L = 1/n sum_samples 1/2 sum_k (t_k - y_k)^2
        d = (y - t).ravel()
        return 0.5 * float(d @ d) / y.shape[0]

    def grad_output(self, y, t):
        # dL/dy_k = (y_k - t_k) / n
        return (y - t) / y.shape[0]


class MSE(Loss):
    name = "mse"

    def value(self, y, t, z):
        # L = mean over samples and outputs of (t - y)^2, as torch.nn.MSELoss
        d = (y - t).ravel()
        return float(d @ d) / d.size

    def grad_output(self, y, t):
        # dL/dy = 2 (y - t) / (n K)
        return 2.0 * (y - t) / y.size


class BCE(Loss):
    name = "bce"
    requires_output = "sigmoid"

    def value(self, y, t, z):
        # -[t log y + (1-t) log(1-y)] with y = sigma(z) equals softplus(z) - t z,
        # which stays finite for any z (log y would be log 0 once y rounds to 1).
        softplus = np.logaddexp(0.0, z)
        return float((softplus - t * z).sum()) / z.size

    def grad_output(self, y, t):
        # dL/dy = (y - t) / (y (1 - y)) / (n K)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (y - t) / (y * (1.0 - y)) / y.size

    def grad_net(self, y, t):
        # with y = sigma(z): dL/dz = (y - t) / (n K)
        return (y - t) / y.size


class CrossEntropy(Loss):
    name = "cross_entropy"
    requires_output = "softmax"

    def value(self, y, t, z):
        # -sum_k t_k log softmax(z)_k, with log softmax = z - logsumexp(z) (no log 0)
        zmax = z.max(axis=1, keepdims=True)
        log_y = z - zmax - np.log(np.exp(z - zmax).sum(axis=1, keepdims=True))
        return float(-(t * log_y).sum()) / z.shape[0]

    def grad_output(self, y, t):
        # dL/dy_k = -t_k / y_k / n
        with np.errstate(divide="ignore", invalid="ignore"):
            return -t / y / y.shape[0]

    def grad_net(self, y, t):
        # with y = softmax(z): dL/dz_k = (y_k sum_j t_j - t_k) / n  (= y - t for one-hot t)
        return (y * t.sum(axis=1, keepdims=True) - t) / y.shape[0]


LOSSES: dict[str, Loss] = {cls.name: cls() for cls in (HalfSSE, MSE, BCE, CrossEntropy)}
