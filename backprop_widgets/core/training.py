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
    Training stops cleanly when the loss blows up, however the run got there: a NaN/inf
    loss or gradient, or a recent average loss ``DIVERGENCE_FACTOR`` (20) times its
    reference (the chance loss, or the lowest recent average since the learning rate was
    last lowered). The rule, its constants and the measurements behind them are in
    :mod:`backprop_widgets.core.divergence`. The parameters go back to the last restore
    point before the rise, the history is cut back to it and says what happened
    (``history.diverged``, ``diverged_at``, ``message``, ``divergences``); nothing is
    raised. :meth:`Trainer.resume` goes on from there with a smaller learning rate, and
    :mod:`backprop_widgets.core.advice` words the messages.

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
from .advice import (
    after_divergence_message,
    divergence_message,
    divergence_report,
    lr_advice,
    resume_lr,
    suggested_lr,
)
from .divergence import (
    DIVERGENCE_FACTOR,
    DIVERGENCE_SAMPLES,
    DIVERGENCE_STEPS,
    DivergenceWatch,
    chance_loss,
    window_steps,
)
from .errors import BackpropInputError
from .history import Divergence, TrainingHistory
from .network import Network, check_network

__all__ = [
    "DIVERGENCE_FACTOR",
    "DIVERGENCE_SAMPLES",
    "DIVERGENCE_STEPS",
    "Divergence",
    "Trainer",
    "TrainingHistory",
    "after_divergence_message",
    "chance_loss",
    "divergence_message",
    "lr_advice",
    "train",
]


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
        self._chance = chance_loss(net.loss_name, self.T)

    def set_data(self, X, T, X_val=None, T_val=None) -> None:
        """Train on other data from now on (the dashboard's dataset picker); then :meth:`reset`."""
        self._set_data(X, T, X_val, T_val)
        if self._batch_size is not None and self._batch_size > self.n_samples:
            self._batch_size = None
        self.history.has_val = self.X_val is not None
        self._new_window()

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        value = check_lr(value)
        if value < self._lr:
            self._watch.rebase()  # measured again from here (see core/divergence.py)
        self._lr = value

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
            self._new_window()

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
        """Full training loss at the start (or at the last reset)."""
        return self._reference

    @property
    def chance_loss(self) -> float:
        """The loss of always predicting the mean target (see ``divergence.chance_loss``)."""
        return self._chance

    @property
    def divergence_window(self) -> int:
        """How many steps the recent average loss covers (see ``divergence.window_steps``)."""
        return self._watch.width

    @property
    def divergence_limit(self) -> float | None:
        """The recent average loss above which training counts as diverged now (None until
        it is measured again, at the next step, after the learning rate was lowered)."""
        watch = self._watch
        return None if watch.base is None else DIVERGENCE_FACTOR * watch.reference

    def _new_window(self) -> None:
        """Start the recent average afresh; the current parameters are the restore point."""
        width = window_steps(self._batch_size, self.n_samples)
        if self._watch.width != width:
            self._watch = DivergenceWatch(width, self._watch.floor)
        self._watch.restart()
        # restore points: the parameters each block of W steps starts from ("pending"); they
        # become the restore point ("good") once the block after them was healthy
        self._good[...] = self.net.parameter_vector
        self._good_at = self._pending_at = (self.history.steps, self._samples_seen)

    def _restart(self) -> None:
        self._rng = np.random.default_rng(self._seed)
        self._cursor = self.n_samples
        self._order = np.arange(self.n_samples)
        self._samples_seen = 0
        self._good = self.net.parameter_vector
        self._pending = np.empty_like(self._good)
        with np.errstate(all="ignore"):
            self._reference = self.full_loss()
        # below this scale a rise is noise: the chance loss, else the loss at the start
        floor = next(
            (v for v in (self._chance, self._reference) if math.isfinite(v) and v > 0), 1e-12
        )
        self._watch = DivergenceWatch(window_steps(self._batch_size, self.n_samples), floor)
        self.history._clear()
        self._new_window()

    def reset(self) -> None:
        """Back to the initial parameters (those at construction), the same seed, no history."""
        self.net.parameter_vector = self._initial
        self._restart()

    def resume(self, lr=None) -> float:
        """Go on after a divergence from the restored parameters, with a smaller learning rate.

        The history is kept (``history.divergences`` still lists the divergence); the next
        step is ``trainer.step``, the one after the restored parameters.

        Parameters
        ----------
        lr : float, optional
            The learning rate to go on with. None: the last one that trained before the
            divergence, else 100x smaller than the one that diverged (see
            ``advice.suggested_lr``), unless the learning rate was already lowered below
            that since (then it stays).

        Returns
        -------
        float
            The learning rate training goes on with (for a view to show).

        Examples
        --------
        >>> X, T = datasets.moons(100)
        >>> trainer = Trainer(presets.classifier(X, T)[0], X, T, lr=300.0)
        >>> trainer.run(100) < 100, trainer.diverged
        (True, True)
        >>> trainer.resume(), trainer.diverged
        (3.0, False)
        """
        h = self.history
        lr = resume_lr(h, self._lr) if lr is None else check_lr(lr)
        if h.diverged:
            h.diverged, h.diverged_at, h.diverged_loss, h.message = False, None, None, ""
            self._lr = lr
            self._new_window()
        else:
            self.lr = lr
        return self._lr

    def after_divergence_message(self) -> str:
        """What to say when Play is pressed after a divergence (see :meth:`resume`)."""
        return after_divergence_message(self.history, self._lr)

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

    def evaluate_with_gradient(self) -> tuple[float, float | None, float]:
        """As :meth:`evaluate`, and the norm of the full-batch gradient at the same parameters
        (one forward pass for both): ``(train, val, grad_norm)``.

        ``history.grad_norm[-1]`` is the gradient the last step *used*, at the parameters
        before that step; this one is at the parameters the loss is measured at, so a view
        can show the two numbers side by side.
        """
        net = self.net
        with np.errstate(all="ignore"):
            zs, acts = net.forward_cache(self.X)
            train = net.loss_of(zs, acts, self.T)
            grad = net.backward(zs, acts, self.T)
            grad_norm = math.sqrt(float(grad @ grad))
            val = self.full_loss("val") if self.X_val is not None else None
        self.history._record_eval(self.step, train, val)
        return train, val, grad_norm

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
        net, h, watch = self.net, self.history, self._watch
        if watch.base is None:  # the reference starts at the full training loss
            with np.errstate(all="ignore"):
                watch.start_from(self.full_loss())
        full = self._batch_size is None or self._batch_size == self.n_samples
        lr, slices = self._lr, self._layer_slices
        perf_counter, sqrt, isfinite = time.perf_counter, math.sqrt, math.isfinite
        see, START, HEALTHY_BLOCK, DIVERGED = (
            watch.see,
            watch.START,
            watch.HEALTHY_BLOCK,
            watch.DIVERGED,
        )
        eval_every = self.eval_every
        done = 0
        with np.errstate(all="ignore"):  # overflow is expected when diverging; detected below
            while True:
                Xb, Tb, nb = self._next_batch()
                zs, acts = net.forward_cache(Xb)
                loss = net.loss_of(zs, acts, Tb)
                if not isfinite(loss):
                    self._diverge(loss)
                    break
                flags = see(loss)
                if flags & DIVERGED:
                    self._diverge(loss, average=watch.average)
                    break
                if flags & HEALTHY_BLOCK:  # the block after the pending parameters was fine
                    self._good, self._pending = self._pending, self._good
                    self._good_at = self._pending_at
                grad = net.backward(zs, acts, Tb)
                gnorm = sqrt(grad @ grad)
                if not isfinite(gnorm):
                    self._diverge(gnorm, what="gradient")
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
                if flags & START:  # keep the parameters a block starts from (the update saves them)
                    net.sgd_update(grad, lr, save_to=self._pending, notify=False)
                    self._pending_at = (step, self._samples_seen)
                else:
                    net.sgd_update(grad, lr, notify=False)
                self._samples_seen += nb
                done += 1
                if max_steps is not None and done >= max_steps:
                    break
                if deadline is not None and perf_counter() >= deadline:
                    break
        if done or h.diverged:
            net.notify_changed(None)  # one notification per chunk, not per step
        return done

    def _diverge(self, value: float, *, what: str = "loss", average=None) -> None:
        """Stop: put back the last restore point and say what happened."""
        h, watch = self.history, self._watch
        step = h.steps  # the step whose loss (or gradient) blew up
        kept, self._samples_seen = self._good_at
        self.net.restore_parameters(self._good, notify=False)  # _run notifies once at the end
        h._truncate(kept)
        ref = watch.reference
        if watch.base is not None and watch.base >= watch.floor:
            meaning = "the lowest recent average since the learning rate was last lowered"
        elif watch.floor == self._chance:
            meaning = "the loss of always predicting the mean target"
        else:
            meaning = "the loss at the start"
        h.diverged, h.diverged_at, h.diverged_loss = True, step, float(value)
        advice, details = divergence_report(
            what,
            value,
            step,
            kept,
            self._lr,
            self._batch_size,
            ref,
            average=average,
            limit=DIVERGENCE_FACTOR * ref,
            window=watch.width,
            reference_text=meaning,
            suggestion=suggested_lr(h.lr, h.loss, [d.lr for d in h.divergences] + [self._lr]),
        )
        h.message = f"{advice} {details}"
        h.divergences.append(Divergence(step, kept, self._lr, float(value), h.message, details))


def _fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


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
        A divergence (a NaN/inf loss, or a recent average loss ``DIVERGENCE_FACTOR`` times
        its reference: see the module docstring) stops training early and is reported in
        ``history.diverged`` and ``history.message``; it does not raise. The network keeps
        the last parameters before the loss rose.

    Examples
    --------
    >>> net, X, T = presets.moons()
    >>> h = train(net, X, T, lr=0.5, steps=300, batch_size=32, seed=1)
    >>> h.loss.shape, h.diverged
    ((300,), False)
    >>> h2 = train(presets.moons()[0], X, T, lr=1e4, steps=300)
    >>> h2.diverged, "100x smaller" in h2.message    # doctest: +SKIP
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
