"""When training counts as diverged: the rule, its constants and the watch that applies it.

Training stops ("diverges") when the loss blows up, however the run got there: at the
first step whose loss or gradient is NaN or infinite, or whose *recent average loss* is
more than ``DIVERGENCE_FACTOR`` (20) times the *reference*:

- the recent average is the mean batch loss of the last ``W`` steps, where ``W`` covers
  at least ``DIVERGENCE_STEPS`` (5) steps and, with mini-batches, at least
  ``DIVERGENCE_SAMPLES`` (128) samples (W = 8 steps at batch size 16, 128 at 1). Steps
  not taken yet (right after a start, a reset or a resume) count as 0, so one step whose
  loss jumps by a factor 20 W is caught at once and a sustained rise within W steps.
- the reference is the larger of the lowest recent average since the learning rate was
  last *lowered* (or since the start, a reset, a resume or a new batch size; it starts at
  the full training loss then), and the *chance loss*: the loss of always predicting the
  mean target (log 2 for two balanced classes with ``bce``, log k for k with
  ``cross_entropy``, the variance of the targets for ``mse``). Raising the learning rate
  does not move the reference, so dragging a slider up step by step is caught too.

Measured on the training presets (see ``tests/core/test_training.py``): SGD that
recovers by itself has spikes whose recent average reaches ~6x the reference (moons, batch
16, lr 2); a too-large learning rate (lr 50 after training at lr 1, lr 300 after 300
steps) goes past 50x within a few steps and stays there.

On a divergence the parameters are put back to the last restore point, from before the
rise: the parameters at the start of the last block of W steps that was healthy (its
average at most twice the reference and twice the block's before). The history is cut back
to that step and says where and why (``history.diverged``, ``diverged_at``, ``message``;
``divergences`` keeps every one), and nothing is raised: the network and the history stay
inspectable. ``Trainer.resume()`` goes on from there with a smaller learning rate.

NumPy only. ``training.Trainer`` feeds :class:`DivergenceWatch` one batch loss per step and
keeps the restore points it points out.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "DIVERGENCE_FACTOR",
    "DIVERGENCE_SAMPLES",
    "DIVERGENCE_STEPS",
    "DivergenceWatch",
    "chance_loss",
    "window_steps",
]

DIVERGENCE_FACTOR = 20.0  # recent average loss over the reference that counts as diverged
DIVERGENCE_STEPS = 5  # the recent average covers at least this many steps ...
DIVERGENCE_SAMPLES = 128  # ... and, with mini-batches, at least this many samples
HEALTHY_RISE = 2.0  # a block of W steps is healthy if its average is at most 2x the last


def window_steps(batch_size: int | None, n_samples: int) -> int:
    """How many steps the recent average covers: ``DIVERGENCE_STEPS`` with the full batch,
    else enough steps for ``DIVERGENCE_SAMPLES`` samples (and at least ``DIVERGENCE_STEPS``).

    >>> window_steps(None, 200), window_steps(16, 200), window_steps(1, 200)
    (5, 8, 128)
    """
    if batch_size is None or batch_size >= n_samples:
        return DIVERGENCE_STEPS
    return max(DIVERGENCE_STEPS, -(-DIVERGENCE_SAMPLES // batch_size))


class DivergenceWatch:
    """Applies the rule above to one batch loss per step (:meth:`see`).

    ``base`` is the lowest recent average since the last :meth:`restart` or :meth:`rebase`
    (None until :meth:`start_from` gives the full training loss to start from); ``floor``
    is the chance loss (or, when that is 0, the loss at the start).

    >>> watch = DivergenceWatch(width=5, floor=0.69)
    >>> watch.start_from(0.6)
    >>> [watch.see(loss) for loss in (0.5, 0.4, 0.3, 0.2, 0.1)]
    [1, 0, 0, 0, 2]
    >>> watch.see(0.1), watch.see(500.0) & watch.DIVERGED
    (1, 4)
    """

    START, HEALTHY_BLOCK, DIVERGED = 1, 2, 4  # flags returned by see()

    def __init__(self, width: int, floor: float):
        self.width = width
        self.floor = floor
        self.restart()

    def restart(self) -> None:
        """A fresh window (after a reset, a resume, a new batch size or new data)."""
        self._window = [0.0] * self.width
        self._pos = 0
        self._total = 0.0
        self._filled = 0
        self._block_average = math.inf
        self.base: float | None = None
        self.average = 0.0

    def rebase(self) -> None:
        """Measure the reference again from the next step (the learning rate was lowered)."""
        self.base = None

    def start_from(self, full_loss: float) -> None:
        self.base = full_loss if math.isfinite(full_loss) else math.inf

    @property
    def reference(self) -> float:
        return self.floor if self.base is None else max(self.base, self.floor)

    def see(self, loss: float) -> int:
        """Take one step's (finite) batch loss; flags: START (this step starts a block of W
        steps), HEALTHY_BLOCK (a block ended and was healthy: the parameters it started
        from are a restore point), DIVERGED."""
        window, pos, width = self._window, self._pos, self.width
        flags = self.START if pos == 0 else 0
        self._total += loss - window[pos]
        window[pos] = loss
        pos += 1
        if self._filled < width:
            self._filled += 1
        average = self._total / width  # steps not taken yet count as 0
        self.average = average
        base = self.base
        if self._filled == width and average < base:
            self.base = base = average
        ref = base if base > self.floor else self.floor
        if average > DIVERGENCE_FACTOR * ref:
            self._pos = pos % width
            return flags | self.DIVERGED
        if pos == width:  # a block of W steps is complete
            pos = 0
            self._total = total = sum(window)  # no drift from many += and -=
            average = total / width
            if average <= HEALTHY_RISE * min(ref, self._block_average):
                flags |= self.HEALTHY_BLOCK
            self._block_average = average
        self._pos = pos
        return flags


def chance_loss(loss_name: str, T) -> float:
    """The loss of always predicting the mean target, ``T.mean(axis=0)``: what a network
    that learned nothing about its inputs can reach (its loss is not 0 unless T is constant).

    ``half_sse``: 1/2 sum_k var(T_k); ``mse``: mean_k var(T_k); ``bce``: the mean binary
    entropy of the class-1 shares (log 2 = 0.693 for balanced classes); ``cross_entropy``:
    the entropy of the class shares (log k for k balanced classes). Other names: nan.

    >>> round(chance_loss("bce", [[0.0], [1.0]]), 4), round(chance_loss("cross_entropy", np.eye(4)), 4)
    (0.6931, 1.3863)
    """
    T = np.asarray(T, dtype=float)
    p = T.mean(axis=0)
    if loss_name == "half_sse":
        return float(0.5 * T.var(axis=0).sum())
    if loss_name == "mse":
        return float(T.var(axis=0).mean())

    def xlogx(q):
        return np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0)

    if loss_name == "bce":
        return float(np.mean(-(xlogx(p) + xlogx(1.0 - p))))
    if loss_name == "cross_entropy":
        return float(-xlogx(p).sum())
    return math.nan
