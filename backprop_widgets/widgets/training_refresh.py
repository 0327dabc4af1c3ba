"""What the dashboard shows, and when: its views, their frame budgets, the readout and message.

:class:`DashboardViews` owns the pictures of a run: the loss curve, the decision map (2-input
networks), the digit images (the digits preset), and the diagram or, for a network too big to
draw, the per-layer bars. ``frame()`` redraws the views that are due and have a new step to
show; each view has a :class:`~backprop_widgets.widgets.throttle.FrameBudget` (a cap on frames
per second and on the share of wall-clock time spent drawing it), set by the speed:

- *paced* (up to ``PACED_SPEED`` steps/s, the default 50 included): SGD needs little of the
  CPU, so the curve may take 40 % of the time and 60 fps: every step of the default speed is
  a frame (a frame costs 3-6 ms in the kernel; the page showed 45.7 fps at speed 50);
- *full speed*: every frame takes time from SGD twice, once in the kernel and once in the
  browser and the server that share the machine's cores with it (measured: 31-62 % of
  ``bw.train`` in JupyterLab with the paced budgets; a frame costs the kernel 2-3x what it
  costs headless, sending included). The curve gets 25 fps and 15 % (a frame now sends only
  the pixels that changed, and the page paints a patch, not a new image), the map 1.5 fps, the
  diagram 1 fps: the views still move every second and drawing takes a small share of the
  time. (The map is its 40 x 40 values now, 2-3 ms a frame: the page paints them.)

The readout and the message are rebuilt with the curve (the numbers they show are the ones
the curve just drew); their words come from ``training_html.py``, their colours from
``static/training.css``.

*What travels.* Every view writes traits of the one dashboard widget (its ``host``), and one
frame is one message (``hold_sync``). Pictures are bytes (comm buffers), never base64, and
only what changed: the loss curve, the digits and the per-layer bars as PNG patches of the
pixels that changed since the last frame (``plots.PictureStream``: a paced curve's new end is
a few hundred bytes); the decision map as its 40 x 40 values (1.6 kB) and the boundary's
lines, under the matplotlib axes and points sent once; the diagram's weights as float32 and
their labels as text, the neuron pictures as one byte per cell, painted by the page.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..core import datasets as _datasets
from ..core.advice import divergence_lead, lr_advice
from ..core.pictures import extent_of, neuron_grids
from .pictures import picture_levels
from .plots import DecisionMap, LossCurve, PictureStream, theme_from_page
from .throttle import FrameBudget
from .training_html import no_diagram_note, readout_state
from .training_views import DigitGrid, LayerNorms, fits_digits

PACED_SPEED = 1000.0
# (max frames per second, max share of wall-clock time) per view: (paced, full speed)
RATES = {
    # paced: 60 fps lets every step of the default 50 steps/s be a frame (a cap of 40 drew
    # every other step: 25 fps); full speed: 25 fps at most 15 % (a frame costs 3-6 ms in the
    # kernel; at 10 % the page showed 10.6-12.6 fps on a busy 2-core machine)
    "curve": ((60.0, 0.4), (25.0, 0.15)),
    "map": ((6.0, 0.06), (1.5, 0.02)),
    # with the neuron pictures: ~3 ms and ~9 kB for [2, 16, 16, 1]
    "diagram": ((3.0, 0.04), (1.0, 0.015)),
    "layers": ((4.0, 0.03), (1.5, 0.015)),  # the per-layer bars: 4-25 ms a frame
    "digits": ((5.0, 0.25), (2.0, 0.04)),  # the digit images' labels: 15-50 ms a frame
}
DIGITS_SHOWN = 16
PICTURE_RESOLUTION = 16  # cells per side of a neuron's picture in the diagram


def paced(speed: float | None) -> bool:
    return speed is not None and speed <= PACED_SPEED


class DashboardViews:
    """The views of one dashboard's ``trainer``, drawn between the ``player``'s chunks into
    the traits of ``host`` (the dashboard widget). ``diagram_reason`` is None when the host
    draws the network diagram, else why the per-layer bars stand in its place."""

    def __init__(self, host, net, trainer, player, diagram_reason: str | None):
        self.host, self.net, self.trainer, self.player = host, net, trainer, player
        self.classify = net.loss_name in ("bce", "cross_entropy")
        self.clocks = {name: FrameBudget(*rates[0]) for name, rates in RATES.items()}
        # what the message depends on besides the history
        self.mark: tuple[int, float] | None = None  # (step, lr) of the divergence drawn
        self.notice: tuple[str, float] | None = None  # (text, shown until perf_counter)
        self.message_text = ""
        self.progress_start: int | None = None  # first step of a blocking run()
        # the numbers of the step last shown, all at its parameters (the readout pairs them)
        self.last = {"step": -1, "loss": None, "val": None, "grad": None, "acc": None,
                     "val_acc": None}  # fmt: skip
        self.drawn: dict[str, int] = {}  # step each view last showed
        self.streams: dict[str, PictureStream] = {}
        self._build(diagram_reason)

    # ------------------------------------------------------------------ construction
    def _build(self, diagram_reason: str | None) -> None:
        t = self.trainer
        self.curve = LossCurve()
        self.streams["curve"] = PictureStream()
        self.views = [("curve", self._draw_curve)]
        self.map = None
        if self.net.sizes[0] == 2:
            self.map = DecisionMap(self.net, t.X, t.T, t.X_val, t.T_val)
            self.streams["map"] = PictureStream()
            self.host.map_colours = self.map.colour_map()
            self.views.append(("map", self._draw_map))
        self.digits = None
        if fits_digits(self.net):
            self.digits = DigitGrid(*self.digits_shown(), n=DIGITS_SHOWN)
            self.streams["digits"] = PictureStream()
            self.views.append(("digits", self._draw_digits))
        self.layers = None
        self.picture_extent = None
        if diagram_reason is None:
            if self.net.sizes[0] == 2:  # what each neuron computes over the input plane
                self.picture_extent = extent_of(
                    t.X if t.X_val is None else np.vstack([t.X, t.X_val])
                )
            self.views.append(("diagram", self._draw_diagram))
        else:
            self.layers = LayerNorms(self.net.sizes)
            self.streams["layers"] = PictureStream()
            self.host.layers_note = no_diagram_note(self.net.sizes, diagram_reason)
            self.views.append(("layers", self._draw_layers))
        self.figures = [f for f in (self.curve, self.map, self.digits, self.layers) if f]
        self.host.views = [name for name, _ in self.views]

    def _send(self, name: str, canvas, whole: bool = False) -> None:
        """The stream ``name``'s next frame (the changed pixels) into ``<name>_png`` and
        ``<name>_box``; nothing when no pixel changed."""
        stream = self.streams[name]
        if whole:
            stream.resend()
        frame = stream.frame(canvas)
        if frame is not None:
            setattr(self.host, f"{name}_png", frame[0])
            setattr(self.host, f"{name}_box", frame[1])

    def resend(self) -> None:
        """A page has just drawn the widget: every picture whole on the next frame."""
        for stream in self.streams.values():
            stream.resend()
        self.frame(force=True)

    def digits_shown(self):
        """The images the digits view shows: the validation set's first, else the training's."""
        t = self.trainer
        return (t.X, t.T) if t.X_val is None else (t.X_val, t.T_val)

    # ------------------------------------------------------------------ settings
    def apply_speed(self, speed: float | None) -> None:
        """The frame budgets of ``speed`` (paced or full speed), from the next frame on."""
        full_speed = not paced(speed)
        for name, rates in RATES.items():
            self.clocks[name].set_rate(*rates[full_speed])

    def set_theme(self, report) -> None:
        """The page's colours (``TrainingStyle.theme``) for every figure, drawn at once."""
        theme = theme_from_page(report)
        for figure in self.figures:
            figure.set_theme(theme)
        self._map_base_due = True
        self.frame(force=True)

    def set_data(self, X, T, X_val, T_val) -> None:
        if self.map is not None:
            self.map.set_data(X, T, X_val, T_val)
            self._map_base_due = True
        if self.digits is not None:
            self.digits.set_data(*self.digits_shown(), n=DIGITS_SHOWN)

    def reset(self) -> None:
        self.mark = None
        self.last["step"] = -1
        self.curve.reset()

    # ------------------------------------------------------------------ drawing
    def frame(self, force: bool = False) -> None:
        """Draw the views that are due (all of them when forced) and have a new step to show."""
        step = self.trainer.step
        with self.host.hold_sync():  # one message per frame, whatever views it holds
            for name, draw in self.views:
                clock = self.clocks[name]
                if force or (self.drawn.get(name) != step and clock.due(time.perf_counter())):
                    start = time.perf_counter()
                    draw()
                    clock.record(start, time.perf_counter(), force)
                    self.drawn[name] = step

    def _draw_diagram(self) -> None:
        """The weights (float32) and their labels; the neuron pictures (a byte per cell)."""
        self.host.show_weights()
        if self.picture_extent is not None:
            grids = neuron_grids(self.net, self.picture_extent, PICTURE_RESOLUTION)
            self.host.picture_names = list(grids)
            self.host.pictures_png = picture_levels(self.net, grids)

    _map_base_due = True

    def _draw_map(self) -> None:
        cells, lines = self.map.values_frame()
        if self._map_base_due or self.map._background is None:
            self.host.map_layout = self.map.layout()
            self.map.draw_overlay()
            self._send("map", self.map.canvas, whole=True)
            self._map_base_due = False
        self.host.map_cells = cells
        self.host.map_boundary = lines

    def _draw_digits(self) -> None:
        X = self.digits_shown()[0][:DIGITS_SHOWN]
        with np.errstate(all="ignore"):
            self.digits.render(self.net.forward(X), encode=False)
        self._send("digits", self.digits.canvas)

    def _draw_layers(self) -> None:
        """|W| now and |dL/dW| of the last step (before any: the full-batch gradient)."""
        h = self.trainer.history
        if h.steps:
            grads = h.layer_grad_norms[-1]
        else:
            with np.errstate(all="ignore"):
                grads = self.net.gradients(self.trainer.X, self.trainer.T).layer_norms()
        weights = [float(np.linalg.norm(W)) for W in self.net.weights]
        self.layers.render(weights, grads, encode=False)
        self._send("layers", self.layers.canvas)

    def _draw_curve(self) -> None:
        self.evaluate()
        t = self.trainer
        self.curve.render(
            t.history,
            show_batch=self.batch_size is not None,
            mark=self.mark,
            current=(t.step, self.last["loss"]),
            encode=False,
        )
        self._send("curve", self.curve.canvas)
        if self.progress_start is not None:
            self.host.progress = [t.step - self.progress_start, self.host.progress[1]]
        self.update_readout()
        self.update_message()

    # ------------------------------------------------------------------ numbers and words
    @property
    def batch_size(self) -> int | None:
        b = self.trainer.batch_size
        return None if b == self.trainer.n_samples else b

    def evaluate(self) -> None:
        """The full-data losses, gradient norm and accuracies at the current parameters (once
        per step shown). The gradient is the full-batch one at the parameters the loss is
        measured at, not ``history.grad_norm[-1]``: that is the gradient the last step used,
        at the parameters before it (after one step on moons at lr 1: 0.598 there, 0.239 at
        the parameters whose loss, 0.387, the readout shows beside it)."""
        t, last = self.trainer, self.last
        if t.step == last["step"] and last["loss"] is not None:
            return
        loss, val, grad = t.evaluate_with_gradient()
        last.update(step=t.step, loss=loss, val=val, grad=grad)
        if self.classify:
            last["acc"] = self._accuracy(t.X, t.T)
            last["val_acc"] = self._accuracy(t.X_val, t.T_val) if t.X_val is not None else None

    def _accuracy(self, X, T) -> float:
        with np.errstate(all="ignore"):
            y = self.net.forward(X)
        if not np.isfinite(y).all():
            return float("nan")
        return float(np.mean(_datasets.labels(y) == _datasets.labels(T)))

    def update_readout(self) -> None:
        t, last = self.trainer, self.last
        playing = self.player.playing
        status = "training" if playing else "diverged" if t.diverged else "paused"
        self.host.readout, self.host.readout_titles = readout_state(
            status,
            step=t.step,
            epoch=t.epoch if self.batch_size is not None else None,  # full batch: epoch = step
            loss=last["loss"],
            val_loss=last["val"],
            grad=last["grad"],
            accuracy=last["acc"],
            val_accuracy=last["val_acc"],
            rate=self.player.steps_per_second if playing else None,
        )

    def _message(self) -> tuple[str, str | None, str]:
        """The message to show now, its kind (error, warning, info) and its details (the
        numbers behind it, shown behind a toggle; "" for none)."""
        t, h = self.trainer, self.trainer.history
        if t.diverged and h.divergences:  # the advice first, in one line
            return divergence_lead(h, t.lr), "error", h.divergences[-1].details
        advice = lr_advice(h, t.lr, self.batch_size, t.initial_loss, self.last["loss"])
        if advice is not None:
            return (*advice, "")
        if self.notice is not None:
            if time.perf_counter() < self.notice[1]:
                return self.notice[0], "warning", ""
            self.notice = None
        return "", None, ""

    def update_message(self) -> None:
        text, kind, details = self._message()
        self.message_text = f"{text} {details}" if details else text
        self.host.message = {"text": text, "kind": kind or "", "details": details} if text else {}

    def stopped(self) -> None:
        """After a run ends: say why if an error stopped it, mark a divergence, draw all."""
        error = self.player.error
        if error is not None:
            self.notice = (f"Training stopped: {type(error).__name__}: {error}", math.inf)
        if self.trainer.diverged:
            self.mark = (self.trainer.history.diverged_at, self.trainer.lr)
        for stream in self.streams.values():  # the state a page opened later finds: whole
            stream.resend()
        self.frame(force=True)
