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


def readout_html(
    status: str,
    *,
    step: int,
    loss: float | None,
    grad: float | None,
    epoch: float | None = None,
    val_loss: float | None = None,
    accuracy: float | None = None,
    val_accuracy: float | None = None,
    rate: float | None = None,
) -> str:
    """One wrapping row: status, step, epoch, loss, val loss, |∇L|, accuracy, steps/s.

    ``status`` is one of ``STATUS_TEXT``; None-valued optional items are left out. Every
    number is at the same parameters, those after ``step`` updates (the gradient too: not the
    one the last step used); each item's tooltip says so.

    >>> readout_html("paused", step=1200, loss=0.25, grad=None)[:60]
    '<div class="bpw-readout-row"><span class="bpw-status" data-s'
    """
    at = f"at the parameters after step {step:,}" if step else "at the initial parameters"
    items = [("step", f"{step:,}", "step", "SGD updates applied so far")]
    if epoch is not None:
        items.append(("epoch", f"{epoch:.1f}", "epoch", "passes over the training data"))
    items.append(("loss", number(loss), "loss", f"loss on all the training data, {at}"))
    if val_loss is not None:
        items.append(
            ("val loss", number(val_loss), "val-loss", f"loss on the validation data, {at}")
        )
    items.append(("|∇L|", number(grad, 3), "grad", f"size of the full-batch gradient, {at}"))
    if accuracy is not None:
        acc = f"{100 * accuracy:.1f}%"
        if val_accuracy is not None:
            acc += f" (val {100 * val_accuracy:.1f}%)"
        items.append(("accuracy", acc, "accuracy", f"share classified right, {at}"))
    if rate is not None:
        items.append(("steps/s", f"{rate:,.0f}", "rate", "SGD steps per second, measured"))
    cells = "".join(
        f'<span class="bpw-readout-item" title="{html.escape(title)}">'
        f'<span class="bpw-label">{html.escape(label)}</span> '
        f'<b data-field="{key}">{html.escape(value)}</b></span>'
        for label, value, key, title in items
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
