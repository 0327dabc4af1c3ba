"""A small fully-connected network with named scalar parameters.

All parameters live in one float64 vector; ``net.weights`` and the per-layer bias
vectors are views into it, so a value set by name (``net["w5"] = 0.4``) and the
arrays can never disagree. Forward and backward passes are vectorised over the
batch; the only Python loop is over layers.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from . import architecture, serialization, validation
from .errors import BackpropInputError, unknown_name
from .gradients import GradientCheck, Gradients
from .ops import ACTIVATIONS, LOSSES, Activation, Loss
from .parameter_layout import ParameterLayout

BIAS_MODES = ("per_neuron", "per_layer", "shared", "none")


# The chain-rule view (chain_rule.py) builds on this module, so this module must not
# import it: core/__init__.py registers ComputationGraph here, and the import goes one way.
_graph_builder: Callable | None = None


def set_graph_builder(builder: Callable) -> None:
    """Make ``Network.graph(x, t, level)`` return ``builder(net, x, t, level)``."""
    global _graph_builder
    _graph_builder = builder


@dataclass(frozen=True)
class ParameterInfo:
    """Where a parameter sits in the network.

    ``kind`` is ``"weight"`` or ``"bias"``; ``layer`` counts non-input layers from 1
    (for a shared bias, the first layer it feeds); ``source`` is the neuron a weight
    reads from (None for a bias); ``targets`` are the neurons whose net input it
    enters (one for a weight, several for a tied bias); ``layers`` is the layer of
    each target.
    """

    name: str
    kind: str
    layer: int
    source: str | None
    targets: tuple[str, ...]
    layers: tuple[int, ...]


class Network:
    """A fully-connected feed-forward network for teaching backprop.

    Parameters
    ----------
    sizes : list of int
        Neurons per layer, input first: ``[2, 2, 2]`` is the classic 2-2-2 network.
    activation : str or list of str
        One of sigmoid, tanh, relu, linear, gelu (exact, with erf) or gelu_tanh (its
        tanh approximation) for every non-input layer, or a list with one name per
        non-input layer; softmax is allowed as the last one, with ``loss="cross_entropy"``.
        Each is an entry of the operation registry (``core/ops.py``).
    loss : str
        half_sse (1/2 sum_k (t_k - y_k)^2), mse, bce (sigmoid output) or
        cross_entropy (softmax output); each averaged over the samples of a batch.
    bias : str
        per_neuron (b1, b2, ... one per non-input neuron), per_layer (one per layer,
        shared by its neurons), shared (a single b used everywhere) or none.
    seed : int or None
        Seed for the initial weights (Glorot uniform; He normal before relu and gelu).
        Biases start at 0.
    node_names : list of list of str, optional
        Neuron names per layer; ``"L"`` is reserved for the loss.
    target_names : list of str, optional
        Names of the targets, one per output (default t1, t2, ...).

    Examples
    --------
    >>> net = Network([2, 2, 2], activation="sigmoid", loss="half_sse", bias="per_layer")
    >>> net.parameter_names
    ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'b1', 'b2']
    >>> net["w5"] = 0.4
    """

    def __init__(
        self,
        sizes,
        activation="sigmoid",
        loss="half_sse",
        bias="per_neuron",
        seed: int | None = 0,
        node_names=None,
        target_names=None,
    ):
        self._sizes = architecture.check_sizes(sizes)
        self._activation_names = architecture.check_activations(activation, len(self._sizes) - 1)
        self._loss_name = architecture.check_loss(loss, self._activation_names[-1])
        self._bias_mode = validation.one_of(bias, BIAS_MODES, "bias")
        self._node_names = architecture.check_node_names(node_names, self._sizes)
        self._target_names = architecture.check_target_names(
            target_names, self._sizes[-1], self._node_names
        )
        self._activations: list[Activation] = [ACTIVATIONS[a] for a in self._activation_names]
        self._loss: Loss = LOSSES[self._loss_name]
        self._build_layout()
        self._frozen: set[str] = set()
        self._observers: list = []
        self.version = 0  # bumped on every parameter change; views may compare it
        self.initialize(seed)

    # ------------------------------------------------------------------ layout
    def _build_layout(self) -> None:
        layout = self._layout = ParameterLayout.of(self._sizes, self._bias_mode)
        self._names, self._index = layout.names, layout.index
        self._weight_slices, self._bias_uses = layout.weight_slices, layout.bias_uses
        self._n_weights, self._entries = layout.n_weights, layout.entries
        self._theta = np.zeros(len(layout.names))
        self._make_views()

    def _make_views(self) -> None:
        theta = self._theta
        sizes = self._sizes
        self._W = [
            theta[s].reshape(sizes[k + 1], sizes[k]) for k, s in enumerate(self._weight_slices)
        ]
        # Per-layer bias as a view that broadcasts over the layer's neurons: a
        # length-n slice (per neuron) or a length-1 slice (tied), so forward needs no copy.
        self._b = []
        for uses in self._bias_uses:
            if len(uses) == 0:
                self._b.append(None)
            elif self._bias_mode == "per_neuron":
                self._b.append(theta[uses[0] : uses[-1] + 1])
            else:
                self._b.append(theta[uses[0] : uses[0] + 1])

    def initialize(self, seed: int | None = 0) -> None:
        """Draw fresh initial weights (seeded) and set every bias to 0."""
        rng = np.random.default_rng(validation.seed(seed))
        for layer, W in enumerate(self._W):
            fan_out, fan_in = W.shape
            if self._activations[layer].he_init:  # relu, gelu
                W[...] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=W.shape)
            else:
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                W[...] = rng.uniform(-limit, limit, size=W.shape)
        self._theta[self._n_weights :] = 0.0
        self.notify_changed(None)

    # --------------------------------------------------------------- describing
    @property
    def sizes(self) -> list[int]:
        return list(self._sizes)

    @property
    def activation(self) -> list[str]:
        """Activation name of each non-input layer."""
        return list(self._activation_names)

    @property
    def loss_name(self) -> str:
        return self._loss_name

    @property
    def bias_mode(self) -> str:
        return self._bias_mode

    @property
    def parameter_names(self) -> list[str]:
        return list(self._names)

    @property
    def weight_names(self) -> list[str]:
        return self._names[: self._n_weights]

    @property
    def bias_names(self) -> list[str]:
        return self._names[self._n_weights :]

    @property
    def node_names(self) -> list[list[str]]:
        """Neuron names per layer, input layer first."""
        return [list(layer) for layer in self._node_names]

    @property
    def input_names(self) -> list[str]:
        return list(self._node_names[0])

    @property
    def output_names(self) -> list[str]:
        return list(self._node_names[-1])

    @property
    def target_names(self) -> list[str]:
        return list(self._target_names)

    def parameter_info(self, name: str) -> ParameterInfo:
        """Which neurons a parameter connects; see :class:`ParameterInfo`."""
        k = self._lookup(name)
        entries = self._entries[k]
        layer, _, src = entries[0]
        return ParameterInfo(
            name,
            "weight" if k < self._n_weights else "bias",
            layer,
            None if src is None else self._node_names[layer - 1][src],
            tuple(self._node_names[layer][n] for layer, n, _ in entries),
            tuple(layer for layer, _, _ in entries),
        )

    def weight_between(self, source: str, target: str) -> str | None:
        """The name of the weight on the edge source -> target, or None if there is none.

        >>> Network([2, 2, 2]).weight_between("h1", "o2")
        'w7'
        """
        for layer in range(1, len(self._sizes)):
            sources, targets = self._node_names[layer - 1], self._node_names[layer]
            if source in sources and target in targets:
                k = targets.index(target) * len(sources) + sources.index(source)
                return self._names[self._weight_slices[layer - 1].start + k]
        return None

    def __repr__(self) -> str:
        act = self._activation_names
        act_repr = repr(act[0]) if len(set(act)) == 1 else repr(act)
        return (
            f"Network({self._sizes}, activation={act_repr}, loss={self._loss_name!r}, "
            f"bias={self._bias_mode!r})"
        )

    # ------------------------------------------------------------ parameters
    def _lookup(self, name) -> int:
        try:
            return self._index[name]
        except (KeyError, TypeError):
            raise unknown_name("parameter", name, self._names) from None

    def __getitem__(self, name: str) -> float:
        return float(self._theta[self._lookup(name)])

    def __setitem__(self, name: str, value) -> None:
        k = self._lookup(name)
        self._theta[k] = validation.finite_number(value, f"net[{name!r}]")
        self.notify_changed({name})

    def __contains__(self, name) -> bool:
        return name in self._index

    def parameters(self) -> dict[str, float]:
        """A snapshot of every parameter by name."""
        return dict(zip(self._names, self._theta.tolist()))

    def set_parameters(self, values: Mapping[str, float]) -> None:
        """Set several parameters by name at once (one change notification)."""
        if not isinstance(values, Mapping):
            raise BackpropInputError(
                f"values must be a mapping of parameter name to number; got {type(values).__name__}"
            )
        updates = {
            self._lookup(n): validation.finite_number(v, f"values[{n!r}]")
            for n, v in values.items()
        }
        for k, v in updates.items():
            self._theta[k] = v
        self.notify_changed(set(values))

    @property
    def parameter_vector(self) -> np.ndarray:
        """A copy of all parameters in ``parameter_names`` order."""
        return self._theta.copy()

    @parameter_vector.setter
    def parameter_vector(self, values) -> None:
        v = validation.float_array(values, "parameter_vector")
        if v.shape != self._theta.shape:
            raise BackpropInputError(
                f"parameter_vector must have shape {self._theta.shape}; got {v.shape}"
            )
        validation.check_finite(v, "parameter_vector")
        self._theta[...] = v
        self.notify_changed(None)

    @property
    def weights(self) -> list[np.ndarray]:
        """Weight matrices, shape (n_out, n_in) per layer: read-only views of the parameters.

        Assign a whole list (``net.weights = [...]``) or set names to change them.
        """
        out = []
        for W in self._W:
            view = W.view()
            view.flags.writeable = False
            out.append(view)
        return out

    @weights.setter
    def weights(self, matrices) -> None:
        matrices = list(matrices)
        if len(matrices) != len(self._W):
            raise BackpropInputError(
                f"weights must be a list of {len(self._W)} arrays; got {len(matrices)}"
            )
        new = []
        for layer, (W, M) in enumerate(zip(self._W, matrices), start=1):
            M = validation.float_array(M, f"weights[{layer - 1}]")
            if M.shape != W.shape:
                raise BackpropInputError(
                    f"weights[{layer - 1}] must have shape {W.shape} (n_out, n_in); got {M.shape}"
                )
            validation.check_finite(M, f"weights[{layer - 1}]")
            new.append(M)
        for W, M in zip(self._W, new):
            W[...] = M
        self.notify_changed(set(self.weight_names))

    @property
    def biases(self) -> list[np.ndarray]:
        """The bias each neuron receives, per non-input layer (zeros when bias="none")."""
        out = []
        for layer, b in enumerate(self._b, start=1):
            n = self._sizes[layer]
            out.append(np.zeros(n) if b is None else np.broadcast_to(b, (n,)).copy())
        return out

    def freeze(self, *names: str) -> None:
        """Keep these parameters fixed in :meth:`step` (their gradients are still computed)."""
        for name in names:
            self._lookup(name)
        self._frozen.update(names)

    def unfreeze(self, *names: str) -> None:
        """Let these parameters (or, with no names, every parameter) train again."""
        for name in names:
            self._lookup(name)
        if names:
            self._frozen.difference_update(names)
        else:
            self._frozen.clear()

    @property
    def frozen(self) -> list[str]:
        return [n for n in self._names if n in self._frozen]

    # ------------------------------------------------------------ observers
    def observe(self, callback: Callable[[Network, set[str] | None], None]) -> None:
        """Call ``callback(net, names)`` after parameters change (names None: all may have).

        Bound methods are held weakly, so a widget that is closed does not stay alive.
        """
        ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda: callback)
        self._observers.append(ref)

    def unobserve(self, callback) -> None:
        self._observers = [r for r in self._observers if r() not in (None, callback)]

    def notify_changed(self, names: set[str] | None = None) -> None:
        """Bump ``version`` and call the observers (names None: any parameter may have changed).

        Internal API: :meth:`sgd_update` and :meth:`restore_parameters` with ``notify=False``
        leave this to the caller, so a chunk of steps is one notification.
        """
        self.version += 1
        alive = []
        for ref in self._observers:
            callback = ref()
            if callback is not None:
                alive.append(ref)
                callback(self, names)
        self._observers = alive

    # ------------------------------------------------------------ internal API
    # What the rest of the core (Trainer, ComputationGraph) uses instead of private
    # attributes. Public names, but not part of the notebook API in DESIGN.md: the data
    # must already be checked (checked_inputs / checked_targets) and nothing is re-checked.
    def checked_inputs(self, X, argname: str = "X") -> tuple[np.ndarray, bool]:
        """X as a float64 (n_samples, n_in) array, and whether it was a single 1-D sample.

        Raises an error naming ``argname``, the shape it got and the one accepted, or the
        first non-finite entry.
        """
        A = validation.float_array(X, argname)
        n_in = self._sizes[0]
        if A.ndim == 1:
            if A.shape[0] != n_in:
                raise BackpropInputError(
                    f"{argname} must have {n_in} features (shape ({n_in},) or (n_samples, {n_in})); "
                    f"got shape {A.shape}"
                )
            A, single = A.reshape(1, n_in), True
        elif A.ndim == 2:
            if A.shape[1] != n_in:
                raise BackpropInputError(
                    f"{argname} must have shape (n_samples, {n_in}); got shape {A.shape}"
                )
            single = False
        else:
            raise BackpropInputError(
                f"{argname} must be 1-D (one sample) or 2-D (n_samples, {n_in}); got shape {A.shape}"
            )
        if A.shape[0] == 0:
            raise BackpropInputError(f"{argname} has no samples (shape {A.shape})")
        validation.check_finite(A, argname)
        return A, single

    def checked_targets(self, T, n_samples: int, argname: str = "T") -> np.ndarray:
        """T as a float64 (n_samples, n_out) array, or an error naming ``argname`` and the shape."""
        B = validation.float_array(T, argname)
        n_out = self._sizes[-1]
        # (n,) targets are accepted for a single-output network, as NumPy users write them.
        if B.ndim == 1 and n_out == 1 and B.shape[0] == n_samples:
            B = B.reshape(n_samples, 1)
        elif B.ndim == 1 and n_samples == 1 and B.shape[0] == n_out:
            B = B.reshape(1, n_out)
        if B.shape != (n_samples, n_out):
            raise BackpropInputError(
                f"{argname} must have shape ({n_samples}, {n_out}) to match X and the "
                f"{n_out} output(s); got shape {B.shape}"
            )
        validation.check_finite(B, argname)
        return B

    def forward_cache(self, A: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Net inputs ``zs[l-1]`` and activations ``acts[l]`` per layer (``acts[0]`` is A).

        A must come from :meth:`checked_inputs`; the pair is what :meth:`loss_of` and
        :meth:`backward` take.
        """
        zs, acts = [], [A]
        for W, b, act in zip(self._W, self._b, self._activations):
            z = acts[-1] @ W.T
            if b is not None:
                z += b
            zs.append(z)
            acts.append(act.forward(z))
        return zs, acts

    def loss_of(self, zs, acts, T: np.ndarray) -> float:
        """The loss of a :meth:`forward_cache` against checked targets T."""
        return self._loss.value(acts[-1], T, zs[-1])

    def backward(self, zs, acts, T: np.ndarray) -> np.ndarray:
        """dL/dp for every parameter, as one vector in ``parameter_names`` order (a new array)."""
        grad = np.zeros_like(self._theta)
        grad_W = [grad[s].reshape(W.shape) for s, W in zip(self._weight_slices, self._W)]
        delta = self._output_delta(zs[-1], acts[-1], T)  # dL/dz of the last layer
        for layer in range(len(self._W) - 1, -1, -1):
            np.matmul(delta.T, acts[layer], out=grad_W[layer])
            uses = self._bias_uses[layer]
            if len(uses):
                if self._bias_mode == "per_neuron":
                    grad[uses[0] : uses[-1] + 1] = delta.sum(axis=0)
                else:  # tied: one parameter collects the deltas of all the neurons it feeds
                    grad[uses[0]] += delta.sum()
            if layer:
                grad_a = delta @ self._W[layer]
                delta = self._activations[layer - 1].backward(zs[layer - 1], acts[layer], grad_a)
        return grad

    def _output_delta(self, z, y, T) -> np.ndarray:
        if self._loss.grad_net is not None:
            return self._loss.grad_net(y, T)
        return self._activations[-1].backward(z, y, self._loss.grad_output(y, T))

    def sgd_update(self, grad: np.ndarray, lr: float, *, save_to=None, notify: bool = True) -> None:
        """p <- p - lr * grad for every parameter that is not frozen.

        ``grad`` (from :meth:`backward`) has its frozen entries set to 0 in place; ``lr``
        must already be checked. ``save_to``: an array of ``len(parameter_names)`` that
        receives the parameters before the update (for :meth:`restore_parameters`).
        ``notify=False`` leaves :meth:`notify_changed` to the caller.
        """
        if self._frozen:
            grad[[self._index[n] for n in self._frozen]] = 0.0
        if save_to is not None:
            save_to[...] = self._theta
        self._theta -= lr * grad
        if notify:
            self.notify_changed(None)

    def restore_parameters(self, saved: np.ndarray, *, notify: bool = True) -> None:
        """Put back parameters saved by :meth:`sgd_update` (``save_to``), unchecked."""
        self._theta[...] = saved
        if notify:
            self.notify_changed(None)

    @property
    def weight_slices(self) -> list[slice]:
        """Where each layer's weights sit in the parameter (and gradient) vector."""
        return list(self._weight_slices)

    @property
    def parameter_entries(self) -> tuple[tuple[tuple[int, int, int | None], ...], ...]:
        """Per parameter (``parameter_names`` order), where it enters the network:
        ``(layer, neuron, source)`` for each net input it feeds; ``source`` is None for a bias.

        Layers count non-input layers from 1; neuron and source are positions in their layer.
        """
        return self._entries

    @property
    def loss_function(self) -> Loss:
        """The loss object (``.value(y, t, z)``, ``.grad_output(y, t)`` = dL/dy)."""
        return self._loss

    def layer_activation(self, layer: int) -> Activation:
        """The activation object of non-input layer ``layer`` (1 = first hidden layer)."""
        if not 1 <= layer < len(self._sizes):
            raise BackpropInputError(
                f"layer must be a non-input layer, 1 to {len(self._sizes) - 1}; got {layer!r}"
            )
        return self._activations[layer - 1]

    # ------------------------------------------------------------ computing
    def forward(self, X) -> np.ndarray:
        """Outputs for inputs X: (n_samples, n_out), or 1-D for a 1-D x.

        >>> net.forward([0.05, 0.10])   # doctest: +SKIP
        array([0.75136507, 0.77292847])
        """
        A, single = self.checked_inputs(X)
        y = self.forward_cache(A)[1][-1]
        return y[0] if single else y

    __call__ = forward

    def loss(self, X, T) -> float:
        """The loss averaged over the samples (see ``loss`` in the constructor)."""
        A, _ = self.checked_inputs(X)
        B = self.checked_targets(T, A.shape[0])
        return self.loss_of(*self.forward_cache(A), B)

    def gradients(self, X, T) -> Gradients:
        """dL/dp for every parameter p, by backprop.

        >>> g = net.gradients(x, t)     # doctest: +SKIP
        >>> g["w1"], g.weights[0].shape
        """
        A, _ = self.checked_inputs(X)
        B = self.checked_targets(T, A.shape[0])
        zs, acts = self.forward_cache(A)
        return Gradients(self._layout, [W.shape for W in self._W], self.backward(zs, acts, B))

    def step(self, X, T, lr) -> float:
        """One SGD step, p <- p - lr * dL/dp, from gradients at the pre-update values.

        Frozen parameters are left as they are. Returns the loss before the step.
        """
        lr = validation.learning_rate(lr)
        A, _ = self.checked_inputs(X)
        B = self.checked_targets(T, A.shape[0])
        zs, acts = self.forward_cache(A)
        loss = self.loss_of(zs, acts, B)
        self.sgd_update(self.backward(zs, acts, B), lr)
        return loss

    def gradient_check(self, X, T, eps: float = 1e-6) -> GradientCheck:
        """Compare backprop with central finite differences, parameter by parameter.

        Returns a mapping name -> relative error |g_bp - g_fd| / max(|g_bp|, |g_fd|, 1e-8),
        with ``.max_error`` and ``.worst`` (the name with the largest error).
        """
        eps = validation.positive_number(eps, "eps")
        A, _ = self.checked_inputs(X)
        B = self.checked_targets(T, A.shape[0])
        analytic = self.backward(*self.forward_cache(A), B)
        saved = self._theta.copy()
        errors = {}
        try:
            for k, name in enumerate(self._names):
                self._theta[k] = saved[k] + eps
                up = self.loss_of(*self.forward_cache(A), B)
                self._theta[k] = saved[k] - eps
                down = self.loss_of(*self.forward_cache(A), B)
                self._theta[k] = saved[k]
                numeric = (up - down) / (2 * eps)
                scale = max(abs(analytic[k]), abs(numeric), 1e-8)
                errors[name] = abs(analytic[k] - numeric) / scale
        finally:
            self._theta[...] = saved
        return GradientCheck(errors)

    # ------------------------------------------------------------ chain rule
    def graph(self, x, t, level: str = "neuron"):
        """The computation graph for one example, with local derivatives and deltas.

        See :class:`backprop_widgets.core.chain_rule.ComputationGraph`.
        """
        if _graph_builder is None:  # only if this module was loaded outside the package
            raise RuntimeError("net.graph() needs backprop_widgets.core imported (it registers it)")
        return _graph_builder(self, x, t, level)

    def chain_rule(self, name: str, x, t, level: str = "neuron", max_paths: int = 10_000):
        """dL/d(name) for one example, written as the chain rule's sum over paths.

        >>> cr = net.chain_rule("w1", x, t)   # doctest: +SKIP
        >>> cr.text()
        'dh1/dw1 * do1/dh1 * dL/do1 + dh1/dw1 * do2/dh1 * dL/do2'
        """
        self._lookup(name)
        max_paths = validation.integer(max_paths, "max_paths", 0)
        return self.graph(x, t, level).chain_rule(name, max_paths=max_paths)

    # ------------------------------------------------------------ copies, JSON
    def copy(self) -> Network:
        """An independent network with the same architecture, parameters and frozen set."""
        other = Network.__new__(Network)
        other.__dict__.update(self.__dict__)
        other._theta = self._theta.copy()
        other._frozen = set(self._frozen)
        other._observers = []
        other.version = 0
        other._make_views()
        return other

    def to_json(self) -> str:
        """The architecture and every parameter, as JSON text (exact float round trip)."""
        return serialization.to_json(self)

    @classmethod
    def from_json(cls, text: str) -> Network:
        """Rebuild a network saved with :meth:`to_json`."""
        return serialization.from_json(cls, text)


def check_network(net, argname: str = "net") -> Network:
    """``net`` if it is a Network, else the one error every entry point gives."""
    if not isinstance(net, Network):
        raise BackpropInputError(
            f"{argname} must be a backprop_widgets.Network; got {type(net).__name__}"
        )
    return net
