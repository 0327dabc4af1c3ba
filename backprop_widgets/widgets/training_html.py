"""The dashboard's readout and message as HTML: pure functions of the numbers to show.

The markup carries classes and ``data-*`` attributes only; the colours, sizes and layout
are in ``static/training.css`` (scoped under ``.bpw-training``, JupyterLab theme variables),
so a dark theme or a projector's zoom changes nothing here. Numbers are written by
:mod:`backprop_widgets.core.numbers`. Tests and the e2e suite find values by ``data-field``.
"""

from __future__ import annotations

import html

from ..core import numbers

STATUS_TEXT = {"training": "● training", "diverged": "■ diverged", "paused": "■ paused"}
MESSAGE_KINDS = ("error", "warning", "info")


def number(value: float | None, digits: int = numbers.DIGITS) -> str:
    """A readout number: ``–`` when there is none yet."""
    return "–" if value is None else numbers.plain(value, digits)


def readout_items(
    *,
    step: int,
    loss: float | None,
    grad: float | None,
    epoch: float | None = None,
    val_loss: float | None = None,
    accuracy: float | None = None,
    val_accuracy: float | None = None,
    rate: float | None = None,
) -> list[tuple[str, str, str, str]]:
    """The readout's items ``(label, value, key, title)``: step, epoch, loss, val loss, |∇L|,
    accuracy, steps/s; None-valued optional items are left out. A title's ``{at}`` is where
    the number was measured (:func:`measured_at`): every number is at the same parameters,
    those after ``step`` updates (the gradient too: not the one the last step used)."""
    items = [("step", f"{step:,}", "step", "SGD updates applied so far")]
    if epoch is not None:
        items.append(("epoch", f"{epoch:.1f}", "epoch", "passes over the training data"))
    items.append(("loss", number(loss), "loss", "loss on all the training data, {at}"))
    if val_loss is not None:
        items.append(
            ("val loss", number(val_loss), "val-loss", "loss on the validation data, {at}")
        )
    items.append(("|∇L|", number(grad, 3), "grad", "size of the full-batch gradient, {at}"))
    if accuracy is not None:
        acc = f"{100 * accuracy:.1f}%"
        if val_accuracy is not None:
            acc += f" (val {100 * val_accuracy:.1f}%)"
        items.append(("accuracy", acc, "accuracy", "share classified right, {at}"))
    if rate is not None:
        items.append(("steps/s", f"{rate:,.0f}", "rate", "SGD steps per second, measured"))
    return items


def measured_at(step: int) -> str:
    return f"at the parameters after step {step:,}" if step else "at the initial parameters"


def readout_state(status: str, **numbers_) -> tuple[dict, dict]:
    """The readout as the page draws it: ``{"status", "status_text", "at", "items": [[key,
    label, value], ...]}`` (sent with every frame of the curve), and the items' titles by key
    (``{at}`` filled in by the page; sent again only when they change)."""
    items = readout_items(**numbers_)
    state = {
        "status": status,
        "status_text": STATUS_TEXT[status],
        "at": measured_at(numbers_["step"]),
        "items": [[key, label, value] for label, value, key, _ in items],
    }
    return state, {key: title for _, _, key, title in items}


def readout_html(status: str, **numbers_) -> str:
    """One wrapping row: status, step, epoch, loss, val loss, |∇L|, accuracy, steps/s (see
    :func:`readout_items`); for a page with no widget manager (the dashboard's fallback).

    >>> readout_html("paused", step=1200, loss=0.25, grad=None)[:60]
    '<div class="bpw-readout-row"><span class="bpw-status" data-s'
    """
    at = measured_at(numbers_["step"])
    cells = "".join(
        f'<span class="bpw-readout-item" title="{html.escape(title.format(at=at))}">'
        f'<span class="bpw-label">{html.escape(label)}</span> '
        f'<b data-field="{key}">{html.escape(value)}</b></span>'
        for label, value, key, title in readout_items(**numbers_)
    )
    return (
        f'<div class="bpw-readout-row"><span class="bpw-status" data-status="{status}" '
        f'data-field="status">{STATUS_TEXT[status]}</span>{cells}</div>'
    )


def message_html(text: str, kind: str | None, details: str = "") -> str:
    """The message box (``""`` for no message); ``kind`` is error, warning or info. ``details``
    (the numbers behind the message) go behind a closed ``<details>`` toggle after it.

    >>> message_html("Try lr = 0.1.", "warning")
    '<div class="bpw-msg" data-kind="warning">Try lr = 0.1.</div>'
    """
    if not text:
        return ""
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(MESSAGE_KINDS)}; got {kind!r}")
    if not details:
        return f'<div class="bpw-msg" data-kind="{kind}">{html.escape(text)}</div>'
    return (
        f'<div class="bpw-msg" data-kind="{kind}"><div class="bpw-msg-lead">{html.escape(text)}'
        f'</div><details class="bpw-msg-details"><summary>details</summary>'
        f"<div>{html.escape(details)}</div></details></div>"
    )


def speed_label(speed: float | None) -> str:
    """What the speed slider's label says: ``50 steps/s`` or ``full speed``."""
    if speed is None:
        return "full speed"
    return f"{numbers.plain(speed, 2) if speed < 10 else f'{speed:,.0f}'} steps/s"


def no_diagram_note(sizes, reason: str) -> str:
    """Why a per-layer view stands where the diagram would be, and how to read it.

    >>> no_diagram_note([64, 64, 10], "4,736 weights")[:40]
    '<div class="bpw-note" data-field="no-dia'
    """
    shape = "-".join(str(s) for s in sizes)
    return (
        f'<div class="bpw-note" data-field="no-diagram">No diagram for this {shape} network '
        f"({html.escape(reason)}). Instead, per layer: the size of its weights |W| and of "
        "their gradient |∂L/∂W| at the last step. A first layer whose gradient is far below "
        "the last one's learns slowly (a vanishing gradient).</div>"
    )
