"""The dashboard's controls as the page draws them: which ones, their ranges and their values.

No behaviour lives here: :func:`controls_state` is the ``controls`` trait the ES module
(``static/training.js``) draws the buttons, sliders, boxes and picker from, with their
``bpw-*`` classes (the hooks tests and the e2e suite use); the helpers turn a slider's
position into a learning rate or a speed and back. ``TrainingDashboard`` wires what the page
reports (``training_controls.py``) to the player. The arrangement (a column of five short rows
beside the loss curve, the readout and message above) is ``static/training.css``'s.

Why beside the curve: measured in JupyterLab 4.6 at 1366 px with the file browser open (an
output area 934 px wide), the controls in rows above the views took 3 rows and the curve's
bottom was 406 px below the output's top. A 1366x768 laptop's browser leaves a viewport of
about 1366x650, a notebook panel of about 530 px: the cell's code, the controls and the curve
were not on screen together. Beside the curve (a 420 px column) the controls cost no height; on
a narrow screen or a zoomed projector the row wraps: the controls, then the curve under them.
"""

from __future__ import annotations

import math

from .layout import MAX_WEIGHTS
from .training_html import speed_label

LR_SLIDER_RANGE = (-4.0, 2.0)  # log10 of the slider's ends: 1e-4 .. 100
LR_SLIDER_STEP = 0.05
SPEED_SLIDER_RANGE = (0.0, 4.0)  # log10: 1 step/s .. the right end, which means full speed
SPEED_SLIDER_STEP = 0.1
DEFAULT_MINI_BATCH = 32
DIAGRAM_MAX_LAYER = 32  # a taller layer makes the diagram taller than a screen: bars instead
BATCH_MODES = [
    ("full batch", "full", "every sample in every step"),
    ("mini-batch", "mini", "a few samples per step, epoch by epoch"),
    ("single sample", "single", "one sample per step"),
]
TOOLTIPS = {
    "play": "train continuously (click again to pause)",
    "step": "one SGD step",
    "step_n": "run N steps, animated",
    "step_n_count": "N for Step ×N",
    "reset": "back to the initial parameters, empty history",
    "lr_text": "type a learning rate, then Enter",
    "speed": "SGD steps per second while playing; right end: as fast as it can",
}


def log_slider_value(value: float, lo: float, hi: float) -> float:
    """``value`` clamped to a log slider's ends ``10**lo .. 10**hi``."""
    return min(max(value, 10.0**lo), 10.0**hi)


def speed_slider_value(speed: float | None) -> float:
    """Where the speed slider shows ``speed``: None (full speed) is the right end."""
    if speed is None:
        return 10.0 ** SPEED_SLIDER_RANGE[1]
    return log_slider_value(speed, *SPEED_SLIDER_RANGE)


def slider_speed(value: float, step: float) -> float | None:
    """The speed a slider position means: None at the right end, else a round number."""
    if math.log10(value) >= SPEED_SLIDER_RANGE[1] - step / 2:
        return None
    return float(f"{value:.2g}")  # 50, 63, 200 steps/s


def is_echo(step: float, sent: float, shown: float) -> bool:
    """A log slider snaps to its grid (0.5 shows as 10^-0.3 = 0.501): a position less than
    half a slider ``step`` from the one shown is that snap, not a user's drag."""
    return abs(math.log10(sent) - math.log10(shown)) < step / 2


def why_no_diagram(net) -> str | None:
    """Why the dashboard shows per-layer bars instead of the diagram (None: it draws it).

    >>> why_no_diagram(Network([64, 16, 10]))                   # doctest: +SKIP
    'a layer of 64 neurons: more than the 32 a diagram shows at a readable size'
    """
    weights, widest = len(net.weight_names), max(net.sizes)
    if weights > MAX_WEIGHTS:
        return f"{weights:,} weights: more than the {MAX_WEIGHTS:,} a diagram shows as lines"
    if widest > DIAGRAM_MAX_LAYER:
        return (
            f"a layer of {widest} neurons: more than the {DIAGRAM_MAX_LAYER} a diagram "
            "shows at a readable size"
        )
    return None


def mode_of(batch_size) -> str:
    return "full" if batch_size is None else "single" if batch_size == 1 else "mini"


def controls_state(
    *,
    steps_per_click: int,
    lr: float,
    speed: float | None,
    n: int,
    batch_size,
    datasets,
    dataset,
    mini_size: int | None = None,
) -> dict:
    """The controls as the page draws them (the ``controls`` trait): labels, ranges, values.
    Slider positions are log10 of the value (the sliders are logarithmic)."""
    b = batch_size
    if mini_size is None:
        mini_size = b if b not in (None, 1, n) else min(DEFAULT_MINI_BATCH, max(1, n - 1))
    return {
        "steps_per_click": steps_per_click,
        "lr_text": f"{lr:g}",
        "lr_slider": math.log10(log_slider_value(lr, *LR_SLIDER_RANGE)),
        "lr_range": [*LR_SLIDER_RANGE, LR_SLIDER_STEP],
        "speed_slider": math.log10(speed_slider_value(speed)),
        "speed_range": [*SPEED_SLIDER_RANGE, SPEED_SLIDER_STEP],
        "speed_label": speed_label(speed),
        "batch_modes": [list(m) for m in BATCH_MODES],
        "batch_mode": mode_of(b),
        "batch_size": mini_size,
        "batch_size_max": n,
        "datasets": [] if datasets is None else list(datasets),
        "dataset": "" if datasets is None else (dataset or next(iter(datasets))),
        "tooltips": TOOLTIPS,
    }
