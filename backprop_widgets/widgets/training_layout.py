"""The dashboard's controls and their arrangement: which widgets, and where they sit.

No behaviour lives here: :func:`build_controls` makes the buttons, sliders and boxes with
their starting values and ``bpw-*`` classes (the hooks tests and the e2e suite use), and
:func:`arrange` lays them out: a column of controls beside the loss curve.
``TrainingDashboard`` wires them to the player.
The stylesheet ``static/training.css`` rides on :class:`TrainingStyle`, a hidden anywidget.
"""

from __future__ import annotations

import math

import anywidget
import ipywidgets as W
import traitlets

from ..core import validation
from .diagram import STATIC
from .layout import MAX_WEIGHTS
from .training_html import speed_label

LR_SLIDER_RANGE = (-4.0, 2.0)  # log10 of the slider's ends: 1e-4 .. 100
SPEED_SLIDER_RANGE = (0.0, 4.0)  # log10: 1 step/s .. the right end, which means full speed
DEFAULT_MINI_BATCH = 32
DIAGRAM_MAX_LAYER = 32  # a taller layer makes the diagram taller than a screen: bars instead
BATCH_MODES = [("full batch", "full"), ("mini-batch", "mini"), ("single sample", "single")]


class TrainingStyle(anywidget.AnyWidget):
    """Carries ``static/training.css`` into the page (it draws nothing), and ``theme``: the
    page's colours as ``static/training.js`` reads them (``{"fg": [r, g, b, a], "bg":
    [r, g, b], "dark": bool}``), so the plots follow JupyterLab's theme."""

    _esm = STATIC / "training.js"
    _css = STATIC / "training.css"
    theme = traitlets.Dict().tag(sync=True)


# ipywidgets' Button icons are FontAwesome names, and JupyterLab ships that font: the
# characters ⏸ and ⟲ rendered as empty boxes where a system font lacked them.
PLAY_LOOK = {"description": "Play", "icon": "play", "button_style": "success"}
PAUSE_LOOK = {"description": "Pause", "icon": "pause", "button_style": "warning"}


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


def is_echo(slider, sent: float, shown: float) -> bool:
    """The browser snaps a log slider to its grid (0.5 shows as 10^-0.3 = 0.501) and sends
    that back: a move of less than half a slider step is that echo, not a user's drag."""
    return abs(math.log10(sent) - math.log10(shown)) < slider.step / 2


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


def build_controls(
    *, steps_per_click, lr: float, speed: float | None, n: int, batch_size, datasets, dataset
) -> dict:
    """The controls by attribute name (``play_button``, ``lr_slider``, ...), not yet wired."""
    steps_per_click = validation.integer(steps_per_click, "steps_per_click", 1)
    button = {"width": "auto", "min_width": "72px"}
    side = {"description_width": "initial"}
    b = batch_size
    c = {
        "play_button": W.Button(**PLAY_LOOK, layout=button,
                                tooltip="train continuously (click again to pause)"),
        "step_button": W.Button(description="Step", icon="step-forward", layout=button,
                                tooltip="one SGD step"),
        "step_n_button": W.Button(description=f"Step ×{steps_per_click}", icon="forward",
                                  layout=button, tooltip="run N steps, animated"),
        "step_n_count": W.BoundedIntText(value=steps_per_click, min=1, max=10**7,
                                         layout={"width": "70px"}, tooltip="N for Step ×N"),
        "reset_button": W.Button(description="Reset", icon="undo", layout=button,
                                 tooltip="back to the initial parameters, empty history"),
        "lr_slider": W.FloatLogSlider(
            value=log_slider_value(lr, *LR_SLIDER_RANGE), base=10, min=LR_SLIDER_RANGE[0],
            max=LR_SLIDER_RANGE[1], step=0.05, description="learning rate", readout=False,
            style=side, layout={"width": "260px"}),
        "lr_text": W.FloatText(value=lr, layout={"width": "96px"},
                               tooltip="type a learning rate, then Enter"),
        "speed_slider": W.FloatLogSlider(
            value=speed_slider_value(speed), base=10, min=SPEED_SLIDER_RANGE[0],
            max=SPEED_SLIDER_RANGE[1], step=0.1, description="speed", readout=False,
            style=side, layout={"width": "220px"},
            tooltip="SGD steps per second while playing; right end: as fast as it can"),
        "speed_text": W.Label(speed_label(speed)),
        "batch_mode": W.ToggleButtons(
            options=BATCH_MODES, value=mode_of(b), style={"button_width": "auto"},
            tooltips=["every sample in every step", "a few samples per step, epoch by epoch",
                      "one sample per step"]),
        "batch_size_box": W.BoundedIntText(
            value=b if b not in (None, 1, n) else min(DEFAULT_MINI_BATCH, max(1, n - 1)),
            min=1, max=n, description="size", layout={"width": "104px"}, style=side,
            disabled=mode_of(b) != "mini"),
        "dataset_picker": None if datasets is None else W.Dropdown(
            options=list(datasets), value=dataset or next(iter(datasets)),
            description="dataset", layout={"width": "200px"}, style=side),
        "progress": W.IntProgress(value=0, min=0, max=1, description="run", style=side,
                                  layout={"width": "200px", "display": "none"}),
        "readout": W.HTML(layout={"width": "100%", "margin": "2px 0"}),  # 100% + side margins overflowed
        "message": W.HTML(),
    }  # fmt: skip
    for name, cls in CLASSES.items():
        if c.get(name) is not None:
            c[name].add_class(cls)
    return c


CLASSES = {
    "play_button": "bpw-play",
    "step_button": "bpw-step",
    "step_n_button": "bpw-step-n",
    "step_n_count": "bpw-step-n-count",
    "reset_button": "bpw-reset",
    "lr_slider": "bpw-lr-slider",
    "lr_text": "bpw-lr-text",
    "speed_slider": "bpw-speed-slider",
    "speed_text": "bpw-speed-label",
    "batch_mode": "bpw-batch",
    "batch_size_box": "bpw-batch-size",
    "progress": "bpw-progress",
    "readout": "bpw-readout",
    "message": "bpw-message",
    "dataset_picker": "bpw-dataset",
}


CONTROLS_WIDTH = "420px"  # the controls' column: five rows, shorter than the loss curve


def arrange(c: dict, views: list, style: W.Widget) -> list:
    """The dashboard's rows: the readout and the message across the top, then one wrapping
    row of the controls (a column of five short rows: run buttons, learning rate, speed,
    batch, dataset and progress) beside the loss curve, and the other views.

    Measured in JupyterLab 4.6 at 1366 px with the file browser open (an output area 934 px
    wide): with the controls in rows above the views they took 3 rows, and the curve's bottom
    was 406 px below the output's top (468 with a one-line message). A 1366x768 laptop's
    browser leaves a viewport of about 1366x650, a notebook panel of about 530 px: the cell's
    code, the controls and the curve were not on screen together. Beside the curve the
    controls cost no height: 302 px (363 with the message), and with a five-line cell scrolled
    to the top of that panel the curve ends 55 px above its bottom. On a narrow screen or a
    zoomed projector the row wraps: the controls, then the curve under them."""
    row = {"flex_flow": "row wrap", "align_items": "center", "margin": "1px 0"}
    for v in views:
        v.layout.margin = "0 8px 4px 0"
    run = [c[k] for k in ("play_button", "step_button", "step_n_button", "step_n_count")]
    run += [c["reset_button"]]
    batch = [c["batch_mode"], c["batch_size_box"]]  # its buttons say "batch" themselves
    last = [c["dataset_picker"]] if c["dataset_picker"] is not None else []
    last += [c["progress"]]
    controls = W.VBox(
        [
            W.HBox(run, layout=row),
            W.HBox([c["lr_slider"], c["lr_text"]], layout=row),
            W.HBox([c["speed_slider"], c["speed_text"]], layout=row),
            W.HBox(batch, layout=row),
            W.HBox(last, layout=row),
        ],
        layout={"width": CONTROLS_WIDTH, "max_width": "100%", "margin": "0 12px 4px 0"},
    )
    controls.add_class("bpw-controls")
    return [
        c["readout"],
        c["message"],
        W.HBox([controls, *views], layout={"flex_flow": "row wrap", "align_items": "flex-start"}),
        style,
    ]
