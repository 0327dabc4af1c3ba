"""What to tell a student about a run: pure functions of a :class:`TrainingHistory`.

The dashboard shows these sentences; a script or an autograder can print them. Nothing here
trains or changes a network, and no number is shown as ``nan``.

- :func:`divergence_report` / :func:`divergence_message`: training stopped because the loss
  blew up; what to try first, then the numbers behind it (the rule's thresholds, the restored
  parameters).
- :func:`divergence_lead`: the one line a view shows while stopped by a divergence: the way on
  that one press of Play takes (continue from the restored parameters with a smaller learning
  rate, see ``Trainer.resume``), or Reset.
- :func:`after_divergence_message`: the same two ways on, in full sentences.
- :func:`suggested_lr` / :func:`resume_lr`: which smaller learning rate: the last one that
  trained before the blow-up, if the run had one, else 100x smaller (``RESUME_FACTOR``: 10x
  smaller often diverges again or trains nothing, measured below).
- :func:`lr_advice`: the message for the current state of a run, ``(text, kind)`` or None:
  the divergence itself, a note after resuming, or a hint that the learning rate looks too
  large (the loss rose since it was set) or too small (the loss barely moves).

Every comparison is made against the loss when the learning rate was last changed (or at the
start, if it never was), so the advice does not depend on how the run got there.
"""

from __future__ import annotations

import math

import numpy as np

from . import numbers

__all__ = [
    "ADVICE_MIN_STEPS",
    "after_divergence_message",
    "divergence_lead",
    "divergence_message",
    "divergence_report",
    "last_good_lr",
    "lr_advice",
    "lr_change_step",
    "resume_choice",
    "resume_lr",
    "suggested_lr",
]

ADVICE_MIN_STEPS = 100  # steps at one learning rate before saying it looks too large
SLOW_STEPS = 500  # ... and the window over which "barely moved" is judged
# After a blow-up a 10x smaller learning rate often fails from the parameters it leaves:
# measured on the presets (from the start, 1,000 steps): moons at lr 300 -> 30 and 1,000 -> 100
# diverge again at once; digits at lr 20 -> 2 and 50 -> 5 never leave chance level (dead relus,
# 10 %). 100x smaller trained every case (moons 3 and 10: 100 %; digits 0.2 and 0.5: 98-99 %).
RESUME_FACTOR = 100
STUCK_GRADIENT = 1e-6  # a gradient norm this far below the run's largest: nothing to follow
GOOD_LR_STEPS = 20  # a learning rate counts as one that trained after this many steps ...
# ... and a fall of the loss over them (the mean of the first and last few batch losses)


def _fmt(value: float, digits: int = 4) -> str:
    return numbers.plain(float(value), digits)


def _lr(value: float) -> str:
    return f"{value:g}"


# ----------------------------------------------------------------------------- divergence
def divergence_report(
    what,
    value,
    step,
    kept,
    lr,
    batch_size,
    reference,
    *,
    average=None,
    limit=None,
    window=None,
    reference_text="its reference level",
    suggestion=None,
) -> tuple[str, str]:
    """A divergence in words, as ``(advice, details)``: the advice is one sentence pair, what
    happened and what to try; the details are the numbers behind it (the loss, the limit it
    went over and why that limit, which parameters were restored). A view shows the advice
    and keeps the details behind a toggle; :func:`divergence_message` joins the two.

    Parameters
    ----------
    what : str
        ``"loss"`` or ``"gradient"``: which number blew up.
    value : float
        The loss (or gradient norm) at the step that stopped training; may be inf or nan.
    step, kept : int
        The step that stopped training, and the step whose parameters were kept.
    lr : float
    batch_size : int or None
    reference : float
        The loss the rise is measured against (see ``Trainer``'s divergence rule).
    average, limit, window : float, float, int, optional
        The recent average loss, the limit it went over, and how many steps it covers.
    reference_text : str
        What ``reference`` is, in words ("its lowest since the learning rate was last set").
    suggestion : (float, str), optional
        What to try next, from :func:`suggested_lr`; default ``lr`` 100x smaller.

    Examples
    --------
    >>> advice, details = divergence_report("loss", float("inf"), 12, 9, 5.0, None, 0.7)
    >>> advice
    'Training diverged at step 12 with lr = 5. Try lr = 0.05, 100x smaller.'
    >>> details[:46]
    'The loss became inf (it overflowed) at step 12'
    """
    if not math.isfinite(value):
        why = "it overflowed" if math.isinf(value) else "not a number: the values overflowed"
        happened = (
            f"The {what} became {'inf' if math.isinf(value) else 'nan'} ({why}) at step {step}."
        )
    else:
        if limit is None:
            limit = reference
        rise = (
            ""
            if average is None or window is None
            else f", an average of {_fmt(average)} over the last {window} steps"
        )
        happened = f"The loss rose to {_fmt(value)} at step {step}{rise}."
        if reference > 0:
            happened += (
                f" Above {_fmt(limit)} counts as diverged: {_fmt(limit / reference, 3)} times "
                f"{_fmt(reference)}, {reference_text}."
            )
        else:
            happened += f" Above {_fmt(limit)} counts as diverged."
    batch = "the full batch" if batch_size is None else f"batch size {batch_size}"
    kept_text = (
        f"The parameters of step {kept}, the last before the loss rose, were restored."
        if kept != step
        else f"The parameters of step {kept} were kept (no update was made with that gradient)."
    )
    if suggestion is None:
        suggestion = (lr / RESUME_FACTOR, "smaller")
    advice = (
        f"Training diverged at step {step} with lr = {_lr(lr)}. Try {suggestion_text(*suggestion)}."
    )
    details = f"{happened} Trained with lr = {_lr(lr)} and {batch}. {kept_text}"
    return advice, details


def divergence_message(*args, **kwargs) -> str:
    """The plain-words report of a divergence: what to try first, then the numbers behind it
    (:func:`divergence_report`'s two parts in one string; the same arguments).

    Examples
    --------
    >>> divergence_message("loss", float("inf"), 12, 9, 5.0, None, 0.7)[:71]
    'Training diverged at step 12 with lr = 5. Try lr = 0.05, 100x smaller. '
    """
    return " ".join(divergence_report(*args, **kwargs))


def last_good_lr(lrs, losses, diverged_lrs) -> float | None:
    """The most recent learning rate of ``lrs`` (one per step, before the divergence) that ran
    at least ``GOOD_LR_STEPS`` steps with a falling loss, below every one in ``diverged_lrs``.

    >>> last_good_lr([0.5] * 30 + [300.0] * 5, [0.7 - 0.01 * i for i in range(35)], [300.0])
    0.5
    """
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    below = min(diverged_lrs)
    end = len(lrs)
    while end > 0:
        start = end - 1
        while start > 0 and lrs[start - 1] == lrs[end - 1]:
            start -= 1
        lr, seg = float(lrs[end - 1]), losses[start:end]
        if lr < below and len(seg) >= GOOD_LR_STEPS:
            k = max(1, len(seg) // 10)
            first, last = float(np.mean(seg[:k])), float(np.mean(seg[-k:]))
            if math.isfinite(first) and math.isfinite(last) and last < first:
                return lr
        end = start
    return None


def suggested_lr(lrs, losses, diverged_lrs) -> tuple[float, str]:
    """The learning rate to go on with after a divergence at ``diverged_lrs[-1]``, and why:
    the last one that trained (``"trained"``, see :func:`last_good_lr`), else one
    ``RESUME_FACTOR`` (100x) smaller than the one that diverged (``"smaller"``).

    >>> suggested_lr([300.0] * 3, [0.7, 5.0, 90.0], [300.0])
    (3.0, 'smaller')
    """
    good = last_good_lr(lrs, losses, diverged_lrs)
    if good is not None:
        return good, "trained"
    return diverged_lrs[-1] / RESUME_FACTOR, "smaller"


def suggestion_text(lr: float, why: str) -> str:
    """``suggested_lr``'s answer in words, for the messages."""
    if why == "trained":
        return f"lr = {_lr(lr)}, the last learning rate that trained"
    if why == "set":
        return f"lr = {_lr(lr)}, the learning rate you set"
    return f"lr = {_lr(lr)}, {RESUME_FACTOR}x smaller"


SHORT_WHY = {"trained": "the last one that trained", "set": "the one you set"}


def divergence_lead(history, lr: float, *, reset: str = "Reset", play: str = "Play") -> str:
    """One line for a view stopped by a divergence: what happened and the way on, which one
    press of ``play`` takes (:func:`resume_choice`'s learning rate) or ``reset``. The numbers
    behind it are in the divergence's ``details``.

    Parameters
    ----------
    history : TrainingHistory
        A history with ``history.diverged`` true ("" otherwise).
    lr : float
        The learning rate set now (it may have been lowered since the divergence).
    reset, play : str
        The names of the two buttons the line refers to.
    """
    if not history.diverged or not history.divergences:
        return ""
    d = history.divergences[-1]
    new, why = resume_choice(history, lr)
    why_text = SHORT_WHY.get(why, f"{RESUME_FACTOR}x smaller")
    return (
        f"Training diverged with lr = {_lr(d.lr)}. Try lr = {_lr(new)}, {why_text}: "
        f"{play} goes on with it, {reset} starts over."
    )


def resume_choice(history, lr: float) -> tuple[float, str]:
    """``(lr, why)`` that ``Trainer.resume()`` goes on with after the last divergence: ``lr``
    (the current one) if it was lowered by hand below the one that diverged (``"set"``), else
    :func:`suggested_lr`. Without a divergence: ``(lr, "set")``."""
    if not history.divergences:
        return lr, "set"
    diverged = [d.lr for d in history.divergences]
    if lr < diverged[-1]:
        return lr, "set"
    return suggested_lr(history.lr, history.loss, diverged)


def resume_lr(history, lr: float) -> float:
    """The learning rate ``Trainer.resume()`` goes on with (see :func:`resume_choice`): the
    last one that trained before the divergence, else 100x smaller than the one that diverged,
    unless ``lr`` was already lowered below that by hand. Without a divergence: ``lr``.

    >>> class H: divergences = []
    >>> resume_lr(H(), 0.5)
    0.5
    """
    return resume_choice(history, lr)[0]


def after_divergence_message(
    history, lr: float, *, reset: str = "Reset", play: str = "Play"
) -> str:
    """What to say while training is stopped by a divergence: where, and the two ways on
    (one press of Play continues; see :func:`divergence_lead` for the one-line form).

    Parameters
    ----------
    history : TrainingHistory
        A history with ``history.diverged`` true.
    lr : float
        The learning rate set now (it may have been lowered since the divergence).
    reset, play : str
        The names of the two buttons the message refers to.

    Returns
    -------
    str
        Where training stopped and the two ways on: start again, or continue from the
        restored parameters with the learning rate that :func:`resume_choice` picks.
    """
    if not history.divergences:
        return ""
    d = history.divergences[-1]
    how = suggestion_text(*resume_choice(history, lr))
    return (
        f"Training is stopped: the loss diverged at step {d.step} with lr = {_lr(d.lr)}, and the "
        f"network holds the parameters of step {d.kept}. Press {reset} to start again from the "
        f"initial parameters, or press {play} to continue from step {d.kept} with {how}."
    )


# ------------------------------------------------------------------------------- lr advice
def lr_change_step(history) -> int:
    """The first step of the current learning rate: 0, or the step where it last changed.

    >>> class H: lr = np.array([0.1, 0.1, 0.5, 0.5])
    >>> lr_change_step(H())
    2
    """
    lr = history.lr
    if len(lr) < 2:
        return 0
    changed = np.flatnonzero(lr[1:] != lr[:-1])
    return int(changed[-1]) + 1 if changed.size else 0


def _full_loss_at(history, step: int) -> float | None:
    """The full training loss recorded at ``step`` (an evaluation), or None."""
    steps = history.eval_step
    if steps.size == 0:
        return None
    i = int(np.searchsorted(steps, step))
    return float(history.train_loss[i]) if i < steps.size and steps[i] == step else None


def _loss_at_change(history, start: int, initial_loss) -> float:
    """The training loss when the learning rate was set at ``start``: the evaluation there,
    else (step 0) the initial loss, else the mean of the batch losses just before."""
    full = _full_loss_at(history, start)
    if full is not None:
        return full
    if start == 0:
        return float(initial_loss) if initial_loss is not None else float(history.loss[0])
    if history.batch_size is None:
        return float(history.loss[start])
    return float(np.mean(history.loss[max(0, start - 20) : start]))


def _loss_now(history, current_loss) -> float:
    if current_loss is not None:
        return float(current_loss)
    last = history.steps - 1
    full = _full_loss_at(history, last)
    if full is not None:
        return full
    return float(np.mean(history.loss[-20:]))


def lr_advice(history, lr: float, batch_size=None, initial_loss=None, current_loss=None):
    """The message for the current state of a run, or None when there is nothing to say.

    Parameters
    ----------
    history : TrainingHistory
    lr : float
        The learning rate set now.
    batch_size : int or None
        None for the full batch (the "too small" hint needs the full batch: a mini-batch
        curve is too noisy to call flat).
    initial_loss : float, optional
        The full training loss at the start (``trainer.initial_loss``), used when the learning
        rate never changed; and as the scale of "still far from trained".
    current_loss : float, optional
        The full training loss now, if the caller has it; else it is read from the history.

    Returns
    -------
    (text, kind) or None
        ``kind`` is ``"error"`` (diverged: ``history.message``), ``"info"`` (going on after a
        divergence, until the run passes the step where it diverged), or ``"warning"``:

        - the loss is more than 1.5x what it was when the learning rate was set, at least
          ``ADVICE_MIN_STEPS`` steps ago (or at the start): lr probably too large, try lr/10;
        - full batch, at least 1,000 steps at this learning rate, the loss still above half
          the initial loss and it moved by less than 1% in the last 500 steps: lr may be too
          small, try lr*10; unless the gradient is gone too (``STUCK_GRADIENT``): then the
          network is stuck (dead relus), Reset and try lr/10.

    Examples
    --------
    >>> from backprop_widgets.core import presets
    >>> from backprop_widgets.core.training import Trainer
    >>> net, X, T = presets.moons()
    >>> trainer = Trainer(net, X, T, lr=0.5)
    >>> trainer.run(200)
    200
    >>> lr_advice(trainer.history, trainer.lr, None, trainer.initial_loss) is None
    True
    """
    h = history
    if h.diverged:
        return h.message, "error"
    if h.divergences and h.steps <= h.divergences[-1].step:
        d = h.divergences[-1]
        return (
            f"Training had diverged at step {d.step} with lr = {_lr(d.lr)}; it goes on from the "
            f"parameters of step {d.kept}, now at step {h.steps} with lr = {_lr(lr)}.",
            "info",
        )
    if h.steps == 0 or lr != h.lr[-1]:
        return None  # nothing run yet at this learning rate
    start = lr_change_step(h)
    since = h.steps - start
    if since < ADVICE_MIN_STEPS:
        return None
    then, now = _loss_at_change(h, start, initial_loss), _loss_now(h, current_loss)
    if not (math.isfinite(then) and math.isfinite(now)):
        return None
    if now > 1.5 * then:
        where = (
            "where it started"
            if start == 0
            else f"when the learning rate was set to {_lr(lr)} at step {start}"
        )
        return (
            f"The loss is higher than {where} ({_fmt(then, 3)} → {_fmt(now, 3)}): the learning "
            f"rate lr = {_lr(lr)} is probably too large. Try lr = {_lr(lr / 10)}.",
            "warning",
        )
    scale = float(initial_loss) if initial_loss is not None else then
    if batch_size is None and since >= 2 * SLOW_STEPS and now > 0.5 * scale:
        recent = h.loss[-SLOW_STEPS:]
        if abs(recent[0] - recent[-1]) < 0.01 * recent[0]:
            grad = float(np.max(h.grad_norm[-SLOW_STEPS:]))
            if grad < STUCK_GRADIENT * float(np.max(h.grad_norm)):
                # Not slow but stuck: no gradient left (every relu switched off, or saturated
                # units), which a larger lr cannot fix. Measured: digits at lr 3 or 5 from the
                # start, |dL/dW| 1e-16 after 1,000 steps at chance level; lr 0.5 learns them.
                return (
                    f"The loss has stopped at {_fmt(recent[-1], 3)} and the gradient is gone "
                    f"(|∇L| = {grad:.1e}): the network is stuck, not slow. A learning rate too "
                    f"large for it (lr = {_lr(lr)}) can switch every relu off for good. Press "
                    f"Reset and try lr = {_lr(lr / 10)}.",
                    "warning",
                )
            return (
                f"The loss has barely moved in the last {SLOW_STEPS} steps ({_fmt(recent[0], 3)} → "
                f"{_fmt(recent[-1], 3)}): the learning rate lr = {_lr(lr)} may be too small. "
                f"Try lr = {_lr(lr * 10)}.",
                "warning",
            )
    return None
