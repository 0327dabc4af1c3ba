"""What happened during training, step by step: :class:`TrainingHistory`, filled by
``training.Trainer`` and read by views and advice. NumPy only."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Divergence", "TrainingHistory"]


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

    def truncate(self, n: int) -> None:
        self._n = min(self._n, max(0, n))

    def clear(self) -> None:
        self._n = 0

    def view(self) -> np.ndarray:
        out = self._data[: self._n]
        out.flags.writeable = False
        return out

    def __len__(self) -> int:
        return self._n


class Divergence(NamedTuple):
    """One divergence: the step that stopped training, the step whose parameters were kept,
    the learning rate, the loss (or gradient norm) that blew up (may be inf or nan), the
    message, and the numbers behind it (``details``: the message's part after its advice,
    see ``advice.divergence_report``)."""

    step: int
    kept: int
    lr: float
    loss: float
    message: str
    details: str = ""


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
    divergences : list of Divergence
        Every divergence of the run, also those that ``Trainer.resume`` went on from
        (``diverged`` is cleared then; this list is emptied only by a reset).

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
        self.divergences: list[Divergence] = []

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
        self.divergences = []

    def _truncate(self, steps: int) -> None:
        """Forget the steps from ``steps`` on (the parameters were put back to that step)."""
        for column in (self._loss, self._grad_norm, self._layer, self._lr):
            column.truncate(steps)
        while self._eval_step.last() is not None and self._eval_step.last() >= steps:
            self._pop_eval()  # re-recorded when training resumes from there

    def __repr__(self) -> str:
        state = f"diverged at step {self.diverged_at}" if self.diverged else "ok"
        last = f", last loss {self.loss[-1]:.4g}" if self.steps else ""
        return f"TrainingHistory(steps={self.steps}{last}, {state})"
