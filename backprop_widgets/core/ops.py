"""The operation registry: everything the package knows about an operation, in one place.

Each operation is defined once, with its forward formula and, right beside it, its local
derivative with respect to each input (as micrograd keeps them), its plain and LaTeX
notation, the symbol drawn in an operator node, and the names a student may type for it.
Activations add their slope as students write it, when they saturate or die, and the
slips hints look for; losses add dL/dy and which output they need. The network's
vectorised passes, the computation graph, the views and the checker all read these
entries: nothing else lists activations or losses.

>>> OPERATIONS["sigmoid"].slope_plain
'σ′(z) = σ(z)(1 − σ(z))'
>>> ACTIVATIONS["gelu"].forward(np.array([1.0]))  # x Φ(x), as torch.nn.GELU()
array([0.84134475])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


class Operation:
    """One scalar operation of a computation graph.

    ``forward(*inputs, **constants)`` gives the value and ``partials(inputs, output,
    **constants)`` the local derivative d output / d input for each input, both with
    NumPy broadcasting. ``plain`` and ``latex`` are templates over the inputs' names
    (``{0}``, ``{1}``; ``{args}`` for any number of them).
    """

    name: str
    symbol: str  # drawn inside an operator node
    arity: int | None  # None: any number of inputs (add, a loss over outputs)
    plain: str
    latex: str
    typed_names: tuple[str, ...] = ()
    kind = "arithmetic"

    def forward(self, *inputs, **constants):
        raise NotImplementedError

    def partials(self, inputs, output, **constants) -> tuple:
        raise NotImplementedError

    def write(self, names, latex: bool = False, **constants) -> str:
        """The operation applied to named inputs: ``x + y``, ``σ(net_h1)``."""
        template = self.latex if latex else self.plain
        joiner = " + " if self.name == "add" else ", "
        return template.format(*names, args=joiner.join(names), **constants)

    def partial_plain(self, names, index: int, output: str, **constants) -> str:
        """d output / d names[index] as a student writes it, in the nodes' names: ``z`` for
        d(q * z)/dq, ``h(1 − h)`` for a sigmoid ``h``; ``d<output>/d<input>`` where no
        shorter form exists."""
        return f"d{output}/d{names[index]}"

    def __repr__(self) -> str:
        return f"<operation {self.name}>"


# ------------------------------------------------------------------ arithmetic
class Add(Operation):
    name, symbol, arity, plain, latex = "add", "+", None, "{args}", "{args}"

    def forward(self, *inputs):
        return sum(inputs[1:], inputs[0])

    def partials(self, inputs, output):
        return tuple(1.0 for _ in inputs)  # d(a + b)/da = 1

    def partial_plain(self, names, index, output, **constants):
        return "1"


class Subtract(Operation):
    name, symbol, arity, plain, latex = "subtract", "−", 2, "{0} - {1}", "{0} - {1}"

    def forward(self, a, b):
        return a - b

    def partials(self, inputs, output):
        return 1.0, -1.0  # d(a - b)/da = 1, d(a - b)/db = -1

    def partial_plain(self, names, index, output, **constants):
        return "1" if index == 0 else "−1"


class Multiply(Operation):
    name, symbol, arity, plain, latex = "multiply", "×", 2, "{0} * {1}", r"{0} \cdot {1}"

    def forward(self, a, b):
        return a * b

    def partials(self, inputs, output):
        a, b = inputs
        return b, a  # d(ab)/da = b, d(ab)/db = a

    def partial_plain(self, names, index, output, **constants):
        return names[1 - index]


class Divide(Operation):
    name, symbol, arity, plain, latex = "divide", "÷", 2, "{0} / {1}", r"\frac{{{0}}}{{{1}}}"

    def forward(self, a, b):
        return a / b

    def partials(self, inputs, output):
        a, b = inputs
        return 1.0 / b, -a / (b * b)  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2

    def partial_plain(self, names, index, output, **constants):
        a, b = names
        return f"1/{b}" if index == 0 else f"−{a}/{b}²"


class Power(Operation):
    """a ** n for a constant exponent n."""

    name, symbol, arity = "power", "^", 1
    plain, latex = "{0}^{exponent}", "{0}^{{{exponent}}}"

    def forward(self, a, exponent):
        return a**exponent

    def partials(self, inputs, output, exponent):
        (a,) = inputs
        return (exponent * a ** (exponent - 1),)  # d a^n / da = n a^(n-1)

    def partial_plain(self, names, index, output, exponent):
        n = float(exponent)
        if n == 2:
            return f"2·{names[0]}"
        return f"{n:g}·{names[0]}^{n - 1:g}"


class Negate(Operation):
    name, symbol, arity, plain, latex = "negate", "−", 1, "-{0}", "-{0}"

    def forward(self, a):
        return -a

    def partials(self, inputs, output):
        return (-1.0,)

    def partial_plain(self, names, index, output, **constants):
        return "−1"


class Exp(Operation):
    name, symbol, arity, plain, latex = "exp", "exp", 1, "exp({0})", r"e^{{{0}}}"
    typed_names = ("exp",)

    def forward(self, a):
        return np.exp(a)

    def partials(self, inputs, output):
        return (output,)  # d e^a / da = e^a

    def partial_plain(self, names, index, output, **constants):
        return output


class Log(Operation):
    name, symbol, arity, plain, latex = "log", "log", 1, "log({0})", r"\log {0}"
    typed_names = ("log", "ln")

    def forward(self, a):
        return np.log(a)

    def partials(self, inputs, output):
        (a,) = inputs
        return (1.0 / a,)  # d log a / da = 1/a

    def partial_plain(self, names, index, output, **constants):
        return f"1/{names[0]}"


# ------------------------------------------------------------------ activations
@dataclass(frozen=True)
class Slip:
    """A wrong slope a student may write for an activation, and its value at (z, a)."""

    code: str
    written: str  # how the student wrote it, in terms of the unit's output a
    at: Callable[[float, float], float]


class Activation(Operation):
    """An activation a = f(z) of a neuron's net input z.

    ``local(z, a)`` is da/dz elementwise (both backprop and the chain-rule view use it);
    softmax, which is not elementwise, also gives its ``jacobian`` and ``backward``.
    ``slope_plain``/``slope_latex`` are the slope as students write it; ``saturation``
    says when a unit has (nearly) stopped passing gradient back, and why.
    """

    kind = "activation"
    arity = 1
    elementwise = True
    slope_plain = ""
    slope_latex = ""
    slope_symbol = ""  # the slope's name in a formula: σ′, tanh′
    slope_symbol_latex = ""  # the same in LaTeX: \sigma'
    slope_of_output = ""  # the slope written with the unit's output {a}, where it can be
    he_init = False  # rectifier-like: start with He-normal weights, not Glorot
    output_range: tuple[float, float] | None = None  # the values a unit can take, if bounded
    slips: tuple[Slip, ...] = ()

    @property
    def target_range(self) -> tuple[float, float] | None:
        """Where a target compared with this unit's output makes sense: its output_range,
        [0, inf) for a rectifier, None for any number (a linear unit)."""
        return self.output_range

    @property
    def plain(self):
        return f"{self.name}({{0}})"

    def local(self, z, a):
        """da/dz elementwise."""
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        """dL/dz from dL/da (rows are samples)."""
        return grad_a * self.local(z, a)

    def jacobian(self, z, a):
        """da_k/dz_i for one sample: matrix [k, i]."""
        return np.diag(self.local(z, a))

    def partials(self, inputs, output):
        return (self.local(inputs[0], output),)

    def partial_plain(self, names, index, output, **constants):
        """The slope with the unit's output where the registry can (h(1 − h)), else σ′(z)."""
        if self.slope_of_output:
            return self.slope_of_output.format(a=output)
        return f"{self.slope_symbol}({names[0]})"

    def saturation(self, z: float, a: float) -> str | None:
        """Why this unit passes (almost) no gradient back at net input z, or None."""
        return None

    def poor_exercise(self, z: float, a: float) -> bool:
        """Whether (z, a) is too near saturation or a kink to make a fair exercise."""
        return self.saturation(z, a) is not None


def _sigmoid_slope(z, a):
    return a * (1.0 - a)


class Sigmoid(Activation):
    name, symbol = "sigmoid", "σ"
    latex = r"\sigma({0})"
    typed_names = ("sigma", "sigmoid", "logistic", "σ")
    slope_plain = "σ′(z) = σ(z)(1 − σ(z))"
    slope_latex = r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))"
    output_range = (0.0, 1.0)
    slope_symbol = "σ′"
    slope_symbol_latex = r"\sigma'"
    slope_of_output = "{a}(1 − {a})"
    slips = (Slip("slope_of_tanh", "1 − a²", lambda z, a: 1.0 - a * a),)

    def forward(self, z):
        # sigma(z) = 1 / (1 + e^-z) = (1 + tanh(z/2)) / 2: the tanh form cannot overflow for
        # any z, and is one ufunc call (it matters in the per-step cost of tiny networks).
        a = np.tanh(0.5 * np.asarray(z, dtype=float))
        a += 1.0
        a *= 0.5
        return a

    def local(self, z, a):
        return _sigmoid_slope(z, a)  # sigma'(z) = sigma(z) (1 - sigma(z))

    def saturation(self, z, a):
        if not 0.02 <= a <= 0.98:
            return f"saturated: σ = {a:.3g}, so its slope σ(1 − σ) is only {a * (1 - a):.2g}"
        return None


class Tanh(Activation):
    name, symbol = "tanh", "tanh"
    latex = r"\tanh({0})"
    typed_names = ("tanh",)
    slope_plain = "tanh′(z) = 1 − tanh²(z)"
    slope_latex = r"\tanh'(z) = 1 - \tanh^2(z)"
    output_range = (-1.0, 1.0)
    slope_symbol = "tanh′"
    slope_symbol_latex = r"\tanh'"
    slope_of_output = "1 − {a}²"
    slips = (Slip("slope_of_sigmoid", "a(1 − a)", _sigmoid_slope),)

    def forward(self, z):
        return np.tanh(z)

    def local(self, z, a):
        return 1.0 - a * a  # tanh'(z) = 1 - tanh(z)^2

    def saturation(self, z, a):
        if abs(a) > 0.96:
            return f"saturated: tanh = {a:.3g}, so its slope 1 − tanh² is only {1 - a * a:.2g}"
        return None


class ReLU(Activation):
    name, symbol = "relu", "relu"
    latex = r"\operatorname{{relu}}({0})"
    typed_names = ("relu",)
    slope_plain = "relu′(z) = 1 if z > 0 else 0"
    slope_latex = r"\operatorname{relu}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}"
    slope_symbol = "relu′"
    slope_symbol_latex = r"\mathrm{relu}'"
    he_init = True
    target_range = (0.0, math.inf)  # relu(z) >= 0 (no output_range: pictures scale by size)
    slips = (Slip("slope_of_sigmoid", "a(1 − a)", _sigmoid_slope),)

    def forward(self, z):
        return np.maximum(z, 0.0)

    def local(self, z, a):
        # relu'(z) = 1 if z > 0 else 0 (0 at the kink, as PyTorch takes it)
        return (np.asarray(z) > 0).astype(float)

    def saturation(self, z, a):
        if z <= 0:
            return (
                f"dead: its net input {z:.3g} is not positive, so relu′ = 0 and no gradient passes"
            )
        return None

    def poor_exercise(self, z, a):
        return abs(z) < 0.05  # so near the kink that a rounded input could cross it


class Identity(Activation):
    name, symbol = "linear", "id"
    latex = "{0}"
    typed_names = ("linear", "identity")
    slope_plain = "linear′(z) = 1"
    slope_latex = r"\frac{d z}{d z} = 1"
    slope_symbol = "1"
    slope_symbol_latex = r"\mathrm{id}'"
    slope_of_output = "1"
    slips = (Slip("slope_of_sigmoid", "a(1 − a)", _sigmoid_slope),)

    def forward(self, z):
        return np.asarray(z, dtype=float)

    def local(self, z, a):
        return np.ones_like(np.asarray(z, dtype=float))  # dz/dz = 1

    def backward(self, z, a, grad_a):
        return grad_a


class Softmax(Activation):
    """softmax(z)_k over a layer's net inputs. As a graph operation its inputs are all the
    layer's net inputs and the constant ``index`` says which output it is."""

    name, symbol = "softmax", "softmax"
    arity = None
    latex = r"\operatorname{{softmax}}({args})_{{{index}}}"
    typed_names = ("softmax",)
    elementwise = False
    slope_plain = "∂y_k/∂z_i = y_k (δ_ki − y_i)"
    slope_latex = r"\frac{\partial y_k}{\partial z_i} = y_k\,(\delta_{ki} - y_i)"
    output_range = (0.0, 1.0)
    slope_symbol = "softmax′"
    slips = (Slip("diagonal_only", "a(1 − a) for every i", _sigmoid_slope),)

    @property
    def plain(self):
        return "softmax({args})_{index}"

    def forward(self, z, index=None):
        if index is not None:  # one output of a graph node: inputs are the scalars z_1..z_K
            z = np.array(z, dtype=float) if not np.isscalar(z) else np.array([z])
        z = np.asarray(z, dtype=float)
        # softmax(z)_k = e^{z_k} / sum_j e^{z_j}; shifting by max(z) keeps e^. finite.
        shifted = z - z.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        out = e / e.sum(axis=-1, keepdims=True)
        return out if index is None else float(out[index])

    def local(self, z, a):
        return a * (1.0 - a)  # the diagonal of the Jacobian: da_k/dz_k = a_k (1 - a_k)

    def jacobian(self, z, a):
        return np.diag(a) - np.outer(a, a)  # da_k/dz_i = a_k (delta_ki - a_i)

    def backward(self, z, a, grad_a):
        # J^T g = a * (g - sum_k g_k a_k), without forming J
        return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))

    def write(self, names, latex=False, index=0):
        template = self.latex if latex else self.plain
        return template.format(args=", ".join(names), index=index + 1)

    def partial_plain(self, names, index, output, **constants):
        return f"d{output}/d{names[index]}"  # one entry of the Jacobian: no shorter form

    def partials(self, inputs, output, index):
        a = self.forward(np.asarray(inputs, dtype=float))
        return tuple(float(a[index] * ((index == i) - a[i])) for i in range(len(a)))

    def saturation(self, z, a):
        if a > 0.98:
            return f"saturated: this output is {a:.3g}, so the slopes a(δ − a) are near 0"
        return None


_erf = np.frompyfunc(math.erf, 1, 1)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _normal_cdf(z):
    # frompyfunc gives a Python float for a 0-d input and an object array otherwise
    return 0.5 * (1.0 + np.asarray(_erf(np.asarray(z, dtype=float) / math.sqrt(2.0)), dtype=float))


def _normal_pdf(z):
    return np.exp(-0.5 * np.asarray(z, dtype=float) ** 2) / math.sqrt(2.0 * math.pi)


class GELU(Activation):
    """x Φ(x), with Φ the standard normal CDF (erf): PyTorch's default ``nn.GELU()``."""

    name, symbol = "gelu", "gelu"
    latex = r"\operatorname{{GELU}}({0})"
    typed_names = ("gelu",)
    slope_plain = "gelu′(z) = Φ(z) + z φ(z)"
    slope_latex = r"\operatorname{GELU}'(z) = \Phi(z) + z\,\varphi(z)"
    slope_symbol = "gelu′"
    slope_symbol_latex = r"\mathrm{GELU}'"
    he_init = True
    target_range = (0.0, math.inf)  # gelu(z) >= -0.17: a rectifier's targets
    slips = (Slip("slope_of_sigmoid", "a(1 − a)", _sigmoid_slope),)

    def forward(self, z):
        z = np.asarray(z, dtype=float)
        return z * _normal_cdf(z)

    def local(self, z, a):
        z = np.asarray(z, dtype=float)
        return _normal_cdf(z) + z * _normal_pdf(z)  # d/dz z Φ(z) = Φ(z) + z φ(z)

    def poor_exercise(self, z, a):
        return bool(z < -3.0)

    def saturation(self, z, a):
        if z < -3.0:
            return f"nearly dead: at net input {z:.3g} GELU's slope is only {float(self.local(z, a)):.2g}"
        return None


class GELUTanh(GELU):
    """0.5 z (1 + tanh(√(2/π)(z + 0.044715 z³))): PyTorch's ``nn.GELU(approximate="tanh")``."""

    name, symbol = "gelu_tanh", "gelu"
    typed_names = ("gelu_tanh",)
    slope_plain = "gelu′(z) = ½(1 + tanh u) + ½ z (1 − tanh² u) √(2/π)(1 + 3·0.044715 z²), u = √(2/π)(z + 0.044715 z³)"
    slope_latex = (
        r"\operatorname{GELU}'(z) = \tfrac12(1 + \tanh u) + \tfrac12 z\,(1 - \tanh^2 u)"
        r"\sqrt{2/\pi}\,(1 + 0.134145 z^2)"
    )

    def forward(self, z):
        z = np.asarray(z, dtype=float)
        return 0.5 * z * (1.0 + np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z**3)))

    def local(self, z, a):
        z = np.asarray(z, dtype=float)
        th = np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z**3))
        # product rule on 0.5 z (1 + tanh u), with du/dz = sqrt(2/pi) (1 + 3 * 0.044715 z^2)
        return 0.5 * (1.0 + th) + 0.5 * z * (1.0 - th * th) * _SQRT_2_OVER_PI * (
            1.0 + 3 * 0.044715 * z * z
        )


# ------------------------------------------------------------------ losses
class Loss(Operation):
    """A loss over a sample's outputs y (the graph node's inputs), with constant targets t.

    ``value(y, t, z)`` is the loss averaged over the batch's samples; ``grad_output(y, t)``
    is dL/dy for the whole batch (the 1/n included). A loss that pairs with one output
    activation (bce with sigmoid, cross_entropy with softmax) also gives ``grad_net`` =
    dL/dz, which is simpler and does not divide by a saturated y.
    """

    kind = "loss"
    arity = None
    symbol = "L"
    requires_output: str | None = None
    grad_net = None
    derivative_plain = ""  # dL/dy_k as students write it

    def value(self, y, t, z) -> float:
        raise NotImplementedError

    def grad_output(self, y, t):
        raise NotImplementedError

    def forward(self, *outputs, targets):
        y = np.asarray(outputs, dtype=float).reshape(1, -1)
        t = np.asarray(targets, dtype=float).reshape(1, -1)
        return self.value(y, t, _logit_of(y, self.requires_output))

    def partials(self, inputs, output, targets):
        y = np.asarray(inputs, dtype=float).reshape(1, -1)
        t = np.asarray(targets, dtype=float).reshape(1, -1)
        return tuple(float(v) for v in self.grad_output(y, t)[0])

    def write(self, names, latex=False, targets=()):
        return (
            self.latex.format(args=", ".join(names))
            if latex
            else f"{self.name}({', '.join(names)})"
        )


def _logit_of(y, output_activation):
    """The net input that gave y, for the losses computed from z (one sample, from a graph)."""
    with np.errstate(divide="ignore"):
        if output_activation == "sigmoid":
            return np.log(y) - np.log1p(-y)
        if output_activation == "softmax":
            return np.log(y)
    return y


class HalfSSE(Loss):
    name = "half_sse"
    latex = r"\tfrac12 \sum_k (t_k - y_k)^2"
    typed_names = ("half_sse",)
    derivative_plain = "dL/dy_k = y_k − t_k"

    def value(self, y, t, z):
        # L = 1/n sum_samples 1/2 sum_k (t_k - y_k)^2
        d = (y - t).ravel()
        return 0.5 * float(d @ d) / y.shape[0]

    def grad_output(self, y, t):
        return (y - t) / y.shape[0]  # dL/dy_k = (y_k - t_k) / n


class MSE(Loss):
    name = "mse"
    latex = r"\tfrac1K \sum_k (t_k - y_k)^2"
    typed_names = ("mse",)
    derivative_plain = "dL/dy_k = 2 (y_k − t_k) / K"

    def value(self, y, t, z):
        # L = mean over samples and outputs of (t - y)^2, as torch.nn.MSELoss
        d = (y - t).ravel()
        return float(d @ d) / d.size

    def grad_output(self, y, t):
        return 2.0 * (y - t) / y.size  # dL/dy = 2 (y - t) / (n K)


class BCE(Loss):
    name = "bce"
    latex = r"-\tfrac1K \sum_k \left[t_k \log y_k + (1 - t_k) \log(1 - y_k)\right]"
    typed_names = ("bce",)
    requires_output = "sigmoid"
    derivative_plain = "dL/dy_k = (y_k − t_k) / (y_k (1 − y_k)) / K"

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
        return (y - t) / y.size  # with y = sigma(z): dL/dz = (y - t) / (n K)


class CrossEntropy(Loss):
    name = "cross_entropy"
    latex = r"-\sum_k t_k \log y_k"
    typed_names = ("cross_entropy",)
    requires_output = "softmax"
    derivative_plain = "dL/dy_k = −t_k / y_k"

    def value(self, y, t, z):
        # -sum_k t_k log softmax(z)_k, with log softmax = z - logsumexp(z) (no log 0)
        zmax = z.max(axis=1, keepdims=True)
        log_y = z - zmax - np.log(np.exp(z - zmax).sum(axis=1, keepdims=True))
        return float(-(t * log_y).sum()) / z.shape[0]

    def grad_output(self, y, t):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -t / y / y.shape[0]  # dL/dy_k = -t_k / y_k / n

    def grad_net(self, y, t):
        # with y = softmax(z): dL/dz_k = (y_k sum_j t_j - t_k) / n  (= y - t for one-hot t)
        return (y * t.sum(axis=1, keepdims=True) - t) / y.shape[0]


# ------------------------------------------------------------------ the registry
OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Add(), Subtract(), Multiply(), Divide(), Power(), Negate(), Exp(), Log(),
        Sigmoid(), Tanh(), ReLU(), Identity(), Softmax(), GELU(), GELUTanh(),
        HalfSSE(), MSE(), BCE(), CrossEntropy(),
    )
}  # fmt: skip
ACTIVATIONS: dict[str, Activation] = {
    n: op for n, op in OPERATIONS.items() if isinstance(op, Activation)
}
LOSSES: dict[str, Loss] = {n: op for n, op in OPERATIONS.items() if isinstance(op, Loss)}
HIDDEN_ACTIVATIONS = tuple(n for n, a in ACTIVATIONS.items() if a.elementwise)


def typed_name(word: str) -> Operation | None:
    """The operation a student means by a function name (``sigma``, ``ln``), or None."""
    return _TYPED.get(word.lower())


_TYPED = {typed: op for op in OPERATIONS.values() for typed in op.typed_names}
