"""Plain SGD on a :class:`~backprop_widgets.core.network.Network`, with a history and divergence
detection. NumPy only: usable in a script, an autograder, and under the training dashboard.

``train(net, X, T, lr, steps)`` is the one-call version; :class:`Trainer` is the same loop
cut into pieces (``run(steps)``, ``run_for(seconds)``), which is what the dashboard drives
between frames. Both give the same numbers for the same seed, however the steps are chunked.

What one step is
    One SGD update on one batch: the loss and the gradient are computed at the current
    parameters (``p <- p - lr * dL/dp``, as ``Network.step``), frozen parameters stay put.
    ``history.loss[i]`` is the loss of the batch step ``i`` used, at the parameters after
    ``i`` updates; with the full batch that is the training loss.

Batches
    ``batch_size=None`` (or the number of samples) is full-batch gradient descent. Smaller
    sizes walk through the data in epochs: each epoch draws one permutation from
    ``np.random.default_rng(seed)`` and cuts it into consecutive batches; the last batch of
    an epoch holds the remainder (every sample is seen once per epoch). ``batch_size=1``
    is single-sample SGD.

Divergence
    Training stops ("diverges") at the first step whose loss is NaN or infinite, or larger
    than ``DIVERGENCE_FACTOR`` (1000) times the full training loss at the start (taken as at
    least 1, so a well-fitted start with a tiny loss does not make ordinary noise look like
    divergence), or whose gradient is not finite. The parameters are put back to the last
    ones whose loss was finite (the step before), the history says where and why
    (``history.diverged``, ``diverged_at``, ``message``), and nothing is raised: the network
    and the history stay inspectable.

The inner loop calls the network's internal API directly (``forward_cache``, ``loss_of``,
``backward``, ``sgd_update``), skipping the per-call input checks of ``Network.step`` (the
data are checked once, up front, by ``checked_inputs`` / ``checked_targets``), and notifies
the network's observers once per chunk of steps instead of once per step.
``tests/core/test_training.py`` checks that a step here is exactly ``Network.step``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from . import validation
from .errors import BackpropInputError
from .network import Network, check_network

DIVERGENCE_FACTOR = 1000.0

__all__ = ["DIVERGENCE_FACTOR", "Trainer", "TrainingHistory", "train"]


# ------------------------------------------------------------------------- argument checks
check_lr = validation.learning_rate  # the widgets' name for it


def check_batch_size(batch_size, n_samples: int) -> int | None:
    """``None`` (full batch) or an integer in 1..n_samples; an error naming the range otherwise."""
    if batch_size is None:
        return None
    if not validation.is_int(batch_size) or not 1 <= batch_size <= n_samples:
        raise validation.fail(
            "batch_size",
            f"None (the full batch) or an integer from 1 (single sample) "
            f"to {n_samples} (the number of training samples)",
            batch_size,
        )
    return int(batch_size)


# ------------------------------------------------------------------------------- history
class _Column:
    """A growable float64 array: O(1) appends, and a view of the filled part without copying."""

    def __init__(self, width: int | None = None):
        shape = (64,) if width is None else (64, width)
        self._data = np.empty(shape)
        self._n = 0

    def append(self, value) -> None:
        if self._n == len(self._data):
            bigger = np.empty((2 * len(self._data), *self._data.shape[1:]))
            bigger[: self._n] = self._data[: self._n]
            self._data = bigger
        self._data[self._n] = value
        self._n += 1

    def last(self):
        return self._data[self._n - 1] if self._n else None

    def pop(self) -> None:
        self._n = max(0, self._n - 1)

    def clear(self) -> None:
        self._n = 0

    def view(self) -> np.ndarray:
        out = self._data[: self._n]
        out.flags.writeable = False
        return out

    def __len__(self) -> int:
        return self._n


class TrainingHistory:
    """What happened during training, step by step (returned by :func:`train`).

    Attributes
    ----------
    loss : ndarray, shape (steps,)
        Loss of the batch each step used, at the parameters before that step's update
        (with the full batch: the training loss). ``loss[0]`` is the loss at the start.
    grad_norm : ndarray, shape (steps,)
        |dL/dtheta| over all parameters at each step (``Gradients.norm()``).
    layer_grad_norms : ndarray, shape (steps, n_layers)
        |dL/dW| of each layer's weight matrix at each step (``Gradients.layer_norms()``):
        a first layer far below the last one is a vanishing gradient.
    lr : ndarray, shape (steps,)
        The learning rate each step used (it can change between steps in the dashboard).
    eval_step, train_loss, val_loss : ndarray
        Every ``eval_every`` steps, the loss on the whole training set and (when validation
        data were given, else empty) on the validation set, at the parameters after
        ``eval_step`` updates.
    diverged : bool
        Whether training stopped because the loss blew up (see the module docstring).
    diverged_at : int or None
        The step whose loss blew up; the parameters were put back to those of the step before.
    diverged_loss : float or None
        The loss that blew up (may be inf or nan).
    message : str
        One plain sentence about the run, or what went wrong and what to try.

    Examples
    --------
    >>> net, X, T = presets.moons()
    >>> h = train(net, X, T, lr=0.5, steps=200)
    >>> h.steps, bool(h.loss[-1] < h.loss[0]), h.diverged
    (200, True, False)
    """

    def __init__(self, n_layers: int, batch_size: int | None, seed, has_val: bool):
        self.batch_size = batch_size
        self.seed = seed
        self.has_val = has_val
        self._loss = _Column()
        self._grad_norm = _Column()
        self._layer = _Column(n_layers)
        self._lr = _Column()
        self._eval_step = _Column()
        self._train_loss = _Column()
        self._val_loss = _Column()
        self.diverged = False
        self.diverged_at: int | None = None
        self.diverged_loss: float | None = None
        self.final_loss: float | None = None
        self.message = ""

    @property
    def steps(self) -> int:
        """Number of steps recorded (SGD updates that were kept)."""
        return len(self._loss)

    @property
    def loss(self) -> np.ndarray:
        return self._loss.view()

    @property
    def grad_norm(self) -> np.ndarray:
        return self._grad_norm.view()

    @property
    def layer_grad_norms(self) -> np.ndarray:
        return self._layer.view()

    @property
    def lr(self) -> np.ndarray:
        return self._lr.view()

    @property
    def eval_step(self) -> np.ndarray:
        return self._eval_step.view().astype(int)

    @property
    def train_loss(self) -> np.ndarray:
        return self._train_loss.view()

    @property
    def val_loss(self) -> np.ndarray:
        return self._val_loss.view()

    def _record_eval(self, step: int, train: float, val: float | None) -> None:
        # one evaluation per step: a later one at the same step replaces the earlier
        while self._eval_step.last() is not None and self._eval_step.last() >= step:
            self._pop_eval()
        self._eval_step.append(step)
        self._train_loss.append(train)
        if val is not None:
            self._val_loss.append(val)

    def _pop_eval(self) -> None:
        if len(self._val_loss) == len(self._eval_step):
            self._val_loss.pop()
        self._eval_step.pop()
        self._train_loss.pop()

    def _clear(self) -> None:
        for column in (self._loss, self._grad_norm, self._layer, self._lr):
            column.clear()
        for column in (self._eval_step, self._train_loss, self._val_loss):
            column.clear()
        self.diverged, self.diverged_at, self.diverged_loss = False, None, None
        self.final_loss, self.message = None, ""

    def __repr__(self) -> str:
        state = f"diverged at step {self.diverged_at}" if self.diverged else "ok"
        last = f", last loss {self.loss[-1]:.4g}" if self.steps else ""
        return f"TrainingHistory(steps={self.steps}{last}, {state})"


# ------------------------------------------------------------------------------- trainer
class Trainer:
    """SGD on ``net`` over ``(X, T)``, one chunk of steps at a time; it updates ``net`` in place.

    Parameters
    ----------
    net : Network
    X, T : array_like
        Training inputs ``(n, n_in)`` and targets ``(n, n_out)``, checked as ``net.loss`` does.
    lr : float
        Learning rate, > 0. Can be changed between chunks (``trainer.lr = 0.01``).
    batch_size : int or None
        None for the full batch, else 1..n (see the module docstring).
    seed : int or None
        Seeds the mini-batch order (``np.random.default_rng(seed)``).
    X_val, T_val : array_like, optional
        Validation data, given together.
    eval_every : int or None
        Evaluate the full training and validation loss every so many steps (None: only
        when :meth:`evaluate` is called).

    Examples
    --------
    >>> net, X, T = presets.moons()
    >>> trainer = Trainer(net, X, T, lr=0.5, batch_size=32)
    >>> trainer.run(100), trainer.step
    (100, 100)
    """

    def __init__(
        self,
        net: Network,
        X,
        T,
        *,
        lr,
        batch_size=None,
        seed=0,
        X_val=None,
        T_val=None,
        eval_every: int | None = 1,
    ):
        check_network(net)
        self.net = net
        self._set_data(X, T, X_val, T_val)
        self._lr = check_lr(lr)
        self._batch_size = check_batch_size(batch_size, self.n_samples)
        self._seed = validation.seed(seed)
        self.eval_every = validation.integer(eval_every, "eval_every", 1, allow_none=True)
        self._initial = net.parameter_vector
        layer_slices = net.weight_slices
        self._layer_slices = layer_slices
        self.history = TrainingHistory(
            len(layer_slices), self._batch_size, seed, self.X_val is not None
        )
        self._restart()

    # ----------------------------------------------------------------- state
    def _set_data(self, X, T, X_val, T_val) -> None:
        net = self.net
        A, _ = net.checked_inputs(X, "X")
        B = net.checked_targets(T, A.shape[0], "T")
        if (X_val is None) != (T_val is None):
            given = "X_val" if T_val is None else "T_val"
            raise BackpropInputError(
                f"X_val and T_val must be given together (or neither); got only {given}"
            )
        self.X, self.T = np.ascontiguousarray(A), np.ascontiguousarray(B)
        self.X_val = self.T_val = None
        if X_val is not None:
            Av, _ = net.checked_inputs(X_val, "X_val")
            self.X_val, self.T_val = Av, net.checked_targets(T_val, Av.shape[0], "T_val")

    def set_data(self, X, T, X_val=None, T_val=None) -> None:
        """Train on other data from now on (the dashboard's dataset picker); then :meth:`reset`."""
        self._set_data(X, T, X_val, T_val)
        if self._batch_size is not None and self._batch_size > self.n_samples:
            self._batch_size = None
        self.history.has_val = self.X_val is not None

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = check_lr(value)

    @property
    def batch_size(self) -> int | None:
        """None for the full batch, else the number of samples per step."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value) -> None:
        value = check_batch_size(value, self.n_samples)
        if value != self._batch_size:
            self._batch_size = value
            self.history.batch_size = value
            self._cursor = self.n_samples  # the next step starts a fresh epoch

    @property
    def step(self) -> int:
        """Number of SGD updates applied to the current parameters since the start."""
        return self.history.steps

    @property
    def epoch(self) -> float:
        """Passes over the training data so far (fractional)."""
        return self._samples_seen / self.n_samples

    @property
    def diverged(self) -> bool:
        return self.history.diverged

    @property
    def initial_loss(self) -> float:
        """Full training loss at the start (what divergence is measured against)."""
        return self._reference

    def _restart(self) -> None:
        self._rng = np.random.default_rng(self._seed)
        self._cursor = self.n_samples
        self._order = np.arange(self.n_samples)
        self._samples_seen = 0
        self._prev = self.net.parameter_vector
        with np.errstate(all="ignore"):
            self._reference = self.full_loss()
        self.history._clear()

    def reset(self) -> None:
        """Back to the initial parameters (those at construction), the same seed, no history."""
        self.net.parameter_vector = self._initial
        self._restart()

    def resume(self) -> None:
        """Clear a divergence so that training can go on (after lowering the learning rate)."""
        h = self.history
        h.diverged, h.diverged_at, h.diverged_loss, h.message = False, None, None, ""

    # ------------------------------------------------------------- computing
    def full_loss(self, which: str = "train") -> float:
        """Loss on the whole training (or ``"val"``idation) set at the current parameters."""
        validation.one_of(which, ("train", "val"), "which")
        X, T = (self.X, self.T) if which == "train" else (self.X_val, self.T_val)
        if X is None:
            raise BackpropInputError("no validation data: pass X_val and T_val")
        net = self.net
        return net.loss_of(*net.forward_cache(X), T)

    def evaluate(self) -> tuple[float, float | None]:
        """Record the full training (and validation) loss at the current step; return them."""
        with np.errstate(all="ignore"):
            train = self.full_loss()
            val = self.full_loss("val") if self.X_val is not None else None
        self.history._record_eval(self.step, train, val)
        return train, val

    def _next_batch(self):
        n, b = self.n_samples, self._batch_size
        if b is None or b == n:
            return self.X, self.T, n
        if self._cursor >= n:
            self._order = self._rng.permutation(n)
            self._cursor = 0
        idx = self._order[self._cursor : self._cursor + b]
        self._cursor += b
        return self.X[idx], self.T[idx], len(idx)

    def run(self, steps: int) -> int:
        """Take up to ``steps`` SGD steps; stop early on divergence. Returns the steps taken."""
        steps = validation.integer(steps, "steps")
        return self._run(steps, None)

    def run_for(self, seconds: float, max_steps: int | None = None) -> int:
        """Take steps for about ``seconds`` (at least one step), at most ``max_steps``.

        The dashboard's chunk: many steps per frame, however fast one step is.
        """
        seconds = validation.real_number(seconds, "seconds", low=0.0)
        return self._run(max_steps, time.perf_counter() + seconds)

    def _run(self, max_steps: int | None, deadline: float | None) -> int:
        if self.history.diverged or max_steps == 0:
            return 0
        net, h = self.net, self.history
        prev = self._prev
        threshold = DIVERGENCE_FACTOR * max(self._reference, 1.0)
        full = self._batch_size is None or self._batch_size == self.n_samples
        lr, slices = self._lr, self._layer_slices
        perf_counter, sqrt = time.perf_counter, math.sqrt
        eval_every = self.eval_every
        done = 0
        with np.errstate(all="ignore"):  # overflow is expected when diverging; detected below
            while True:
                Xb, Tb, nb = self._next_batch()
                zs, acts = net.forward_cache(Xb)
                loss = net.loss_of(zs, acts, Tb)
                if not loss <= threshold:  # also catches nan
                    self._diverge(loss, restore=True)
                    break
                grad = net.backward(zs, acts, Tb)
                gnorm = sqrt(grad @ grad)
                if not math.isfinite(gnorm):
                    self._diverge(gnorm, restore=False, what="gradient")
                    break
                step = len(h._loss)
                h._loss.append(loss)
                h._grad_norm.append(gnorm)
                h._layer.append([sqrt(grad[s] @ grad[s]) for s in slices])
                h._lr.append(lr)
                if eval_every is not None and step % eval_every == 0:
                    h._record_eval(
                        step,
                        loss if full else self.full_loss(),
                        None if self.X_val is None else self.full_loss("val"),
                    )
                net.sgd_update(grad, lr, save_to=prev, notify=False)
                self._samples_seen += nb
                done += 1
                if max_steps is not None and done >= max_steps:
                    break
                if deadline is not None and perf_counter() >= deadline:
                    break
        if done or h.diverged:
            net.notify_changed(None)  # one notification per chunk, not per step
        return done

    def _diverge(self, value: float, restore: bool, what: str = "loss") -> None:
        h = self.history
        step = h.steps  # the step whose loss (or gradient) blew up
        kept = step
        if restore and step > 0:
            # the parameters whose loss was last finite; _run notifies once at the end
            self.net.restore_parameters(self._prev, notify=False)
            kept = step - 1
            for column in (h._loss, h._grad_norm, h._layer, h._lr):
                column.pop()
            while h._eval_step.last() is not None and h._eval_step.last() >= kept:
                h._pop_eval()  # re-recorded when training resumes from there
        h.diverged, h.diverged_at, h.diverged_loss = True, step, float(value)
        h.message = divergence_message(
            what, value, step, kept, self._lr, self._batch_size, self._reference
        )


def _fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def divergence_message(what, value, step, kept, lr, batch_size, reference) -> str:
    """The plain-words report of a divergence, with what to try next."""
    if not math.isfinite(value):
        happened = f"the {what} became {value} at step {step}"
    else:
        limit = DIVERGENCE_FACTOR * max(reference, 1.0)
        happened = (
            f"the loss rose to {_fmt(value)} at step {step} (it started at {_fmt(reference)}; "
            f"above {_fmt(limit)} counts as diverged)"
        )
    batch = "" if batch_size is None else f" and batch size {batch_size}"
    kept_text = (
        f"the parameters of step {kept}, the last before the blow-up, were kept"
        if kept != step
        else f"the parameters of step {kept} were kept (no update was made with that gradient)"
    )
    return (
        f"Training diverged: {happened} with lr = {lr:g}{batch}; {kept_text}. "
        f"Try a learning rate 10x smaller (lr = {lr / 10:g})."
    )


# --------------------------------------------------------------------------------- train
def train(
    net: Network,
    X,
    T,
    lr,
    steps: int,
    *,
    batch_size=None,
    seed=0,
    X_val=None,
    T_val=None,
    eval_every: int = 1,
) -> TrainingHistory:
    """Run ``steps`` steps of SGD on ``net`` (in place) and return the :class:`TrainingHistory`.

    Parameters
    ----------
    net : Network
    X, T : array_like
        Training inputs ``(n, n_in)`` and targets ``(n, n_out)``.
    lr : float
        Learning rate, > 0.
    steps : int
        Number of SGD updates, >= 0.
    batch_size : int or None
        None: full batch. 1..n: mini-batches in epochs, each epoch a fresh permutation drawn
        from ``np.random.default_rng(seed)``; 1 is single-sample SGD.
    seed : int or None
        The same seed (and the same starting parameters) gives the same history.
    X_val, T_val : array_like, optional
        Validation data; their loss is recorded every ``eval_every`` steps.
    eval_every : int
        How often to record the full training and validation loss.

    Returns
    -------
    TrainingHistory
        A divergence (NaN/inf loss, or a loss 1000x the starting one) stops training early
        and is reported in ``history.diverged`` and ``history.message``; it does not raise.
        The network keeps the last parameters whose loss was finite.

    Examples
    --------
    >>> net, X, T = presets.moons()
    >>> h = train(net, X, T, lr=0.5, steps=300, batch_size=32, seed=1)
    >>> h.loss.shape, h.diverged
    ((300,), False)
    >>> h2 = train(presets.moons()[0], X, T, lr=1e4, steps=300)
    >>> h2.diverged, "10x smaller" in h2.message    # doctest: +SKIP
    (True, True)
    """
    trainer = Trainer(
        net,
        X,
        T,
        lr=lr,
        batch_size=batch_size,
        seed=seed,
        X_val=X_val,
        T_val=T_val,
        eval_every=validation.integer(eval_every, "eval_every", 1),
    )
    steps = validation.integer(steps, "steps")
    trainer.run(steps)
    h = trainer.history
    with np.errstate(all="ignore"):
        h.final_loss = trainer.full_loss()
    if not h.diverged:
        batch = "the full batch" if h.batch_size is None else f"batch size {h.batch_size}"
        start = _fmt(h.loss[0]) if h.steps else _fmt(h.final_loss)
        h.message = (
            f"Trained {h.steps} steps with lr = {trainer.lr:g} and {batch}: "
            f"training loss {start} -> {_fmt(h.final_loss)}."
        )
    return h
