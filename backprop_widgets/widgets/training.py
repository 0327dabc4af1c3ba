"""TrainingDashboard: train a network live, watch the loss, the decision map and the weights move.

The dashboard is the layout and the wiring; each job has its own module:

- ``widgets/player.py``: the :class:`~backprop_widgets.widgets.player.Player` runs the
  Trainer in chunks, paced at ``speed`` steps per second, in one loop shared by Play (an
  asyncio task on the kernel's loop, so clicks and other cells run in between) and the
  blocking ``run()``; it hands actions that arrive on another thread (JupyterLab's widget
  messages come on a kernel subshell) to the training thread, and holds a lock during each
  chunk.
- ``widgets/throttle.py``: a :class:`~backprop_widgets.widgets.throttle.FrameBudget` per
  view says when its next frame is due: the loss curve at most 30 fps and 13 % of the time
  at full speed (40 fps and 40 % when paced at up to 1,000 steps/s: SGD then needs little),
  the decision map 6 fps and 6 %, the diagram 4 fps and 3 % (redrawing the diagram's hundreds
  of SVG edges is the browser's heaviest job). At full speed drawing takes at most about a
  fifth of the time whatever the machine, and SGD keeps the rest. A view is redrawn only when
  there is a new step to show.
- ``widgets/training_html.py`` and ``static/training.css``: the readout and the message;
  ``widgets/training_layout.py``: the controls and their rows.
- ``widgets/plots.py``: frames are PNGs from matplotlib's Agg renderer in an
  ``ipywidgets.Image`` (every frame reaches the browser, even from a blocking loop in a cell,
  unlike ipympl's ``draw_idle``); each view keeps one Figure and blits its moving artists.

*Speed.* By default Play runs 50 SGD steps per second: on the moons preset the loss falls
from 0.69 to 0.03 in 2-4 s (lr 1 or 0.5) and keeps falling on the log scale for a minute, and
each frame of the curve (up to 30 a second) shows one or two new steps, so a class can watch
it and move the learning rate while it matters. The speed slider goes from 1 step/s to full
speed (its right end); ``dash.steps_per_second`` is the measured rate.

Divergence (see ``core/training.py``): a NaN/inf loss, or one above 1000 x the starting loss
(at least 1000), pauses training, puts back the parameters from before the blow-up, marks
the step on the curve and says what happened and what to try.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import threading
import time
from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np

from ..core import datasets as _datasets
from ..core import presets, validation
from ..core.advice import after_divergence_message, lr_advice
from ..core.errors import BackpropInputError
from ..core.network import Network, check_network
from ..core.pictures import extent_of
from ..core.training import Trainer, TrainingHistory, check_batch_size, check_lr
from .diagram import NetworkDiagram, StrictWidget
from .player import Player, check_speed, running_loop
from .plots import DecisionMap, LossCurve
from .throttle import FrameBudget
from .training_html import message_html, no_diagram_note, readout_html, speed_label
from .training_layout import (
    DEFAULT_MINI_BATCH,
    LR_SLIDER_RANGE,
    TrainingStyle,
    arrange,
    build_controls,
    is_echo,
    log_slider_value,
    mode_of,
    slider_speed,
    speed_slider_value,
    why_no_diagram,
)
from .training_views import DigitGrid, LayerNorms, fits_digits

# (max frames per second, max share of wall-clock time) per view
CURVE_RATE = (30.0, 0.13)
# When playing paced at up to PACED_SPEED steps/s, SGD needs little of the CPU: the curve may
# take a larger share and a higher cap (a frame costs about 5-8 ms in the kernel; frames land
# a little after they are due, so a cap of 40 gives the page at least 30 a second). Only a
# new step is drawn: at 20 steps/s the curve shows 20 frames a second.
PACED_CURVE_RATE = (40.0, 0.4)
PACED_SPEED = 1000.0
MAP_RATE = (6.0, 0.06)
DIAGRAM_RATE = (4.0, 0.04)  # with the neuron pictures: about 3 ms a frame for [2, 16, 16, 1]
LAYERS_RATE = (4.0, 0.03)  # the per-layer bars of a network too big to draw: 4-25 ms a frame
DIGITS_RATE = (5.0, 0.06)  # the digit images' predicted labels: 15-50 ms a frame
PACED_DIGITS_RATE = (5.0, 0.25)  # paced, SGD leaves time: 4-5 label frames a second
DIGITS_SHOWN = 16
PICTURE_RESOLUTION = 16  # cells per side of a neuron's picture in the dashboard
DEFAULT_SPEED = 50.0  # steps/s: a moons run takes seconds, not a blink (module docstring)
BUILTIN_DATASETS = presets.TWO_D_DATASETS


class TrainingDashboard(StrictWidget, widgets.VBox):
    """Train ``net`` on ``(X, T)`` with SGD, live: Play/Pause, Step, Step xN, Reset, the learning
    rate, the speed and the batch size, a readout, the loss curve, the decision map (2-input
    networks) and the network diagram, all updating while it trains.

    Parameters
    ----------
    net : Network
        Trained in place. Reset puts back the parameters it had when the dashboard was made.
    X, T : array_like
        Training inputs ``(n, n_in)`` and targets ``(n, n_out)``. May be None when
        ``datasets`` is given (the dashboard starts on ``datasets[dataset]``). A network
        with 64 inputs and 10 outputs (``presets.digits``) also shows 16 of the images
        (validation images when given) with the predicted digit over each, right or wrong.
    X_val, T_val : array_like, optional
        Validation data (given together): their loss is drawn beside the training loss.
    lr : float
        Learning rate, > 0 (slider from 1e-4 to 100; any positive value can be typed).
    speed : float or None
        SGD steps per second while playing (Play, Step ×N): default 50, watchable; None runs
        as fast as it can. The speed slider and ``dash.speed`` change it while it plays.
    batch_size : int or None
        None: full batch; 1: single sample; 2..n-1: mini-batches (epochs of seeded permutations).
    seed : int or None
        Seeds the mini-batch order; Reset starts the same sequence again.
    datasets : mapping, optional
        Name -> ``(X, T)`` or ``(X, T, X_val, T_val)``: shows a dataset picker. Picking one
        trains on it from the initial parameters (the network must fit every dataset).
    dataset : str, optional
        Which entry of ``datasets`` to start on (default: the first).
    steps_per_click : int
        N of the "Step ×N" button (default 100).
    diagram : bool or None
        Whether to embed the network diagram. None (default): when it can be drawn legibly,
        at most 2,000 weights and 32 neurons per layer; otherwise a per-layer view takes its
        place (|W| and |dL/dW| of each layer, updated while training) with a note saying why.
        False: the per-layer view for any network.

    Examples
    --------
    >>> net, X, T = bw.presets.moons()
    >>> dash = bw.TrainingDashboard(net, X, T, lr=0.5); dash      # doctest: +SKIP
    >>> dash.speed = 200                    # faster while playing; None: full speed
    >>> dash.run(steps=500)                 # scripted: blocks, frames still update
    >>> bool(dash.history.loss[-1] < dash.history.loss[0])
    True
    >>> bw.TrainingDashboard.from_dataset("spiral", lr=0.3)      # doctest: +SKIP
    """

    def __init__(
        self,
        net: Network,
        X=None,
        T=None,
        *,
        X_val=None,
        T_val=None,
        lr=0.1,
        speed=DEFAULT_SPEED,
        batch_size=None,
        seed=0,
        datasets: Mapping | None = None,
        dataset: str | None = None,
        steps_per_click: int = 100,
        diagram: bool | None = None,
        **kwargs,
    ):
        self._check_kwargs(kwargs)
        check_network(net)
        self._datasets = self._check_datasets(datasets, dataset)
        if self._datasets is not None:
            name = dataset if dataset is not None else next(iter(self._datasets))
            if X is None and T is None:
                X, T, X_val, T_val = self._datasets[name]
        elif dataset is not None:
            raise BackpropInputError(
                f"dataset={dataset!r} needs datasets= (a mapping of name -> (X, T)); got none"
            )
        if X is None or T is None:
            raise BackpropInputError(
                "X and T (the training data) are required unless datasets= is given"
            )
        self.net = net
        self.trainer = Trainer(
            net, X, T, lr=lr, batch_size=batch_size, seed=seed, X_val=X_val, T_val=T_val,
            eval_every=None,
        )  # fmt: skip
        self._classify = net.loss_name in ("bce", "cross_entropy")
        self._local = threading.local()  # per thread: is this thread echoing a change?
        self._mark: tuple[int, float] | None = None
        self._explained = False  # Play pressed once after a divergence: the ways on are shown
        self._message_text = ""
        self._notice: tuple[str, float] | None = None  # (text, shown until perf_counter)
        self._last = {"step": -1, "loss": None, "val": None, "acc": None, "val_acc": None}
        self._start_grad: float | None = None
        self._curve_clock = FrameBudget(*CURVE_RATE)
        self._map_clock = FrameBudget(*MAP_RATE)
        self._diagram_clock = FrameBudget(*DIAGRAM_RATE)
        self._digits_clock = FrameBudget(*DIGITS_RATE)
        self._layers_clock = FrameBudget(*LAYERS_RATE)
        self._drawn: dict[str, int] = {}  # step each view last showed
        self._progress_start: int | None = None  # first step of a blocking run()
        self.player = Player(
            self.trainer,
            speed=speed,
            on_start=lambda: self._show_playing(True),
            on_stop=self._after_run,
            on_chunk=lambda steps: self._frame(),
            frame_due_at=self._curve_clock.next_time,
        )
        self._apply_curve_rate(self.player.speed)
        self._build(steps_per_click, dataset, diagram)
        self._frame(force=True)

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _check_datasets(datasets, dataset):
        if datasets is None:
            return None
        if not isinstance(datasets, Mapping) or not datasets:
            raise BackpropInputError(
                f"datasets must be a non-empty mapping of name -> (X, T) or (X, T, X_val, T_val); "
                f"got {type(datasets).__name__}"
            )
        out = {}
        for name, data in datasets.items():
            if not isinstance(data, (tuple, list)) or len(data) not in (2, 4):
                raise BackpropInputError(
                    f"datasets[{name!r}] must be (X, T) or (X, T, X_val, T_val); got "
                    f"{type(data).__name__}{'' if not hasattr(data, '__len__') else f' of length {len(data)}'}"
                )
            out[str(name)] = tuple(data) if len(data) == 4 else (*data, None, None)
        if dataset is not None and dataset not in out:
            raise BackpropInputError(
                f"dataset must be one of {', '.join(map(repr, out))}; got {dataset!r}"
            )
        return out

    @classmethod
    def from_dataset(
        cls,
        name: str = "moons",
        *,
        n: int | None = None,
        validation: float | None = 0.25,
        hidden=(16, 16),
        activation: str = "tanh",
        seed: int = 0,
        **kwargs,
    ) -> TrainingDashboard:
        """A dashboard on one of the built-in 2-D datasets, with a picker for the others.

        The network is ``presets.classifier``: ``[2, *hidden, 1]``, ``activation`` in the
        hidden layers, sigmoid output, bce. Each dataset is the preset's (``presets.DATASETS``:
        its size and noise), or ``n`` points (seeded); a share
        ``validation`` of them is held out (None: no validation set). Other keyword
        arguments go to the constructor (``lr``, ``speed``, ``batch_size``, ...).

        >>> dash = TrainingDashboard.from_dataset("circles", lr=0.5)   # doctest: +SKIP
        """
        if name not in BUILTIN_DATASETS:
            raise BackpropInputError(
                f"name must be one of {', '.join(map(repr, BUILTIN_DATASETS))}; got {name!r}"
            )
        data = {}
        for key in BUILTIN_DATASETS:
            X, T = presets.dataset(key, n, seed=seed)
            if validation is None:
                data[key] = (X, T)
            else:
                data[key] = _datasets.split(X, T, fraction=validation, seed=seed)
        X0 = data[name][0]
        net, _, _ = presets.classifier(
            X0, data[name][1], hidden=hidden, activation=activation, seed=seed
        )
        return cls(net, datasets=data, dataset=name, seed=seed, **kwargs)

    def _build(self, steps_per_click, dataset: str | None, diagram: bool | None) -> None:
        t = self.trainer
        controls = build_controls(
            steps_per_click=steps_per_click, lr=t.lr, speed=self.player.speed,
            n=t.n_samples, batch_size=t.batch_size, datasets=self._datasets, dataset=dataset,
        )  # fmt: skip
        for name, widget in controls.items():  # dash.play_button, dash.lr_slider, ...
            setattr(self, name, widget)
        self._style = TrainingStyle(layout={"display": "none"})
        self._curve = LossCurve()
        image = {"max_width": "100%", "height": "auto"}
        self.loss_image = widgets.Image(format="png", layout={"width": "400px", **image})
        self.loss_image.add_class("bpw-loss-curve")
        self._map = self.map_image = None
        if self.net.sizes[0] == 2:
            self._map = DecisionMap(self.net, t.X, t.T, t.X_val, t.T_val)
            self.map_image = widgets.Image(format="png", layout={"width": "290px", **image})
            self.map_image.add_class("bpw-heatmap")
        self._digits = self.digits_image = None
        if fits_digits(self.net):
            self._digits = DigitGrid(*self._digits_shown(), n=DIGITS_SHOWN)
            self.digits_image = widgets.Image(format="png", layout={"width": "432px", **image})
            self.digits_image.add_class("bpw-digits")
        self._views = [("curve", self._curve_clock, self._draw_curve)]
        if self._map is not None:
            self._views.append(("map", self._map_clock, self._draw_map))
        if self._digits is not None:
            self._views.append(("digits", self._digits_clock, self._draw_digits))
        self.diagram = self._layers = self.layers_image = self.layers_note = None
        last = self._build_network_view(diagram, image)
        views = [self.loss_image, self.map_image, self.digits_image, last]
        views = [v for v in views if v is not None]
        super().__init__(children=arrange(controls, views, self._style))
        self.add_class("bpw-training")
        self._wire()

    def _build_network_view(self, diagram: bool | None, image: dict) -> widgets.Widget:
        """The diagram when asked for or when it fits, else the per-layer bars and a note."""
        if diagram not in (None, True, False):
            raise BackpropInputError(f"diagram must be True, False or None (auto); got {diagram!r}")
        reason = why_no_diagram(self.net)
        if diagram or (diagram is None and reason is None):
            self._build_diagram()
            self._views.append(("diagram", self._diagram_clock, self._draw_diagram))
            return self.diagram
        self._layers = LayerNorms(self.net.sizes)
        self.layers_image = widgets.Image(format="png", layout={"width": "330px", **image})
        self.layers_image.add_class("bpw-layers")
        note = no_diagram_note(self.net.sizes, reason or "diagram=False")
        self.layers_note = widgets.HTML(note)
        self.layers_note.add_class("bpw-layers-note")
        self._views.append(("layers", self._layers_clock, self._draw_layers))
        return widgets.VBox([self.layers_image, self.layers_note], layout={"width": "340px"})

    def _build_diagram(self) -> None:
        t = self.trainer
        self.diagram = NetworkDiagram(
            self.net,
            auto_update=False,
            layout={"flex": "1 1 240px", "min_width": "220px", "max_width": "440px"},
        )
        # What each neuron computes over the input plane, in its circle (2-input networks)
        self._picture_extent = None
        if self.net.sizes[0] == 2:
            points = t.X if t.X_val is None else np.vstack([t.X, t.X_val])
            self._picture_extent = extent_of(points)

    def _digits_shown(self):
        """The images the digits view shows: the validation set's first, else the training's."""
        t = self.trainer
        return (t.X, t.T) if t.X_val is None else (t.X_val, t.T_val)

    def _wire(self) -> None:
        self.play_button.on_click(lambda _: self.player.dispatch(self._toggle))
        self.step_button.on_click(lambda _: self.step())
        self.step_n_button.on_click(lambda _: self.step_n())
        self.reset_button.on_click(lambda _: self.reset())
        self.step_n_count.observe(self._on_step_n_count, names="value")
        self.lr_slider.observe(self._on_lr_slider, names="value")
        self.lr_text.observe(self._on_lr_text, names="value")
        self.speed_slider.observe(self._on_speed_slider, names="value")
        self.batch_mode.observe(self._on_batch_widgets, names="value")
        self.batch_size_box.observe(self._on_batch_widgets, names="value")
        if self.dataset_picker is not None:
            self.dataset_picker.observe(self._on_dataset, names="value")

    # ------------------------------------------------------------------ public state
    @property
    def history(self) -> TrainingHistory:
        """Everything recorded since the start or the last Reset (see ``bw.train``)."""
        return self.trainer.history

    @property
    def step_count(self) -> int:
        """SGD steps applied to the current parameters since the start (or Reset)."""
        return self.trainer.step

    @property
    def loss(self) -> float:
        """The loss on the whole training set at the current parameters."""
        with self.player.lock, np.errstate(all="ignore"):  # never between two halves of a step
            return self.trainer.full_loss()

    @property
    def playing(self) -> bool:
        return self.player.playing

    @property
    def diverged(self) -> bool:
        """Whether the last run stopped because the loss blew up (cleared by the next run)."""
        return self.trainer.diverged

    @property
    def lr(self) -> float:
        return self.trainer.lr

    @lr.setter
    def lr(self, value) -> None:
        self.player.dispatch(lambda: self._set_lr(value, source=None))

    @property
    def speed(self) -> float | None:
        """SGD steps per second while playing (None: as fast as it can). Set it at any time;
        a change acts within one frame while playing. See ``steps_per_second`` for the rate
        actually measured."""
        return self.player.speed

    @speed.setter
    def speed(self, value) -> None:
        speed = check_speed(value)  # in the caller's thread: the error is the caller's
        self.player.dispatch(lambda: self._set_speed(speed, source=None))

    @property
    def steps_per_second(self) -> float | None:
        """SGD steps per second over the last second or so of running (None when idle)."""
        return self.player.steps_per_second

    @property
    def stats(self) -> dict:
        """Chunk counts of the player (steps per chunk), for benchmarks and tests."""
        return self.player.stats

    @property
    def batch_size(self) -> int | None:
        """None (full batch) or the number of samples per step."""
        b = self.trainer.batch_size
        return None if b == self.trainer.n_samples else b

    @batch_size.setter
    def batch_size(self, value) -> None:
        self.player.dispatch(lambda: self._set_batch_size(value))

    @property
    def dataset(self) -> str | None:
        return None if self.dataset_picker is None else self.dataset_picker.value

    @dataset.setter
    def dataset(self, name: str) -> None:
        if self.dataset_picker is None:
            raise BackpropInputError("this dashboard has no dataset picker (pass datasets=...)")
        if name not in self._datasets:
            raise BackpropInputError(
                f"dataset must be one of {', '.join(map(repr, self._datasets))}; got {name!r}"
            )
        self.dataset_picker.value = name

    @property
    def message_text(self) -> str:
        """The message shown under the controls, as plain text ("" when there is none)."""
        return self._message_text

    # ------------------------------------------------------------------ actions
    # Every action goes through the player's dispatch: run now under its lock, or, when
    # another thread is training, handed to that thread between two chunks.
    def play(self) -> None:
        """Train continuously in the background at ``speed`` (the kernel stays free);
        ``pause()`` stops."""
        self.player.dispatch(lambda: self._ready_to_run() and self._start(stop_at=None))

    def pause(self) -> None:
        """Stop training (Play, Step ×N or a ``run()``) after the current chunk of steps."""
        self.player.dispatch(self._pause)

    def step(self) -> None:
        """One SGD step, drawn."""
        self.player.dispatch(self._step)

    def step_n(self, n: int | None = None) -> None:
        """N steps (default: the Step ×N box), animated in the background like Play."""
        n = self.step_n_count.value if n is None else validation.integer(n, "n", 1)
        self.player.dispatch(lambda: self._step_n(n))

    def reset(self) -> None:
        """Back to the initial parameters, the same seed and an empty history."""
        self.player.dispatch(self._reset)

    def run(self, steps: int, speed=None) -> TrainingHistory:
        """Train ``steps`` steps now, blocking (for scripts and cells), at ``speed`` steps per
        second (default None: as fast as it can); frames and the progress bar still update,
        and the Pause button stops it early (JupyterLab handles widget clicks while a cell
        runs). Stops early if training diverges. Returns the history."""
        steps = validation.integer(steps, "steps")
        speed = check_speed(speed)
        self.pause()
        self._prepare_run()
        self._progress_start = self.trainer.step
        self.progress.max = max(steps, 1)
        self.progress.value = 0
        self.progress.layout.display = None
        try:
            self.player.run(steps, speed)
        finally:
            self._progress_start = None
        return self.history

    def close(self) -> None:
        """Stop training and close the views (also called when the widget is collected)."""
        player = getattr(self, "player", None)
        if player is not None and player.playing:
            self.pause()
        for name in (
            "diagram",
            "loss_image",
            "map_image",
            "digits_image",
            "layers_image",
            "layers_note",
            "_style",
        ):
            w = getattr(self, name, None)
            if w is not None:
                w.close()
        super().close()

    # ------------------------------------------------------------------ running
    def _toggle(self) -> None:
        if self.player.playing:
            self._pause()
        elif self._ready_to_run():
            self._start(stop_at=None)

    def _ready_to_run(self) -> bool:
        """Play or Step after a divergence is never silent: the first press says what the
        two ways on are (Reset, or go on from the restored parameters with a smaller lr);
        the second press takes the second way."""
        if not self.trainer.diverged:
            return True
        if not self._explained:
            self._explained = True
            self._update_message()
            return False
        return True

    def _pause(self) -> None:
        self.player.stop()

    def _step(self) -> None:
        self._pause()
        if not self._ready_to_run():
            return
        self._prepare_run()
        self.player.run(1)

    def _step_n(self, n: int) -> None:
        self._pause()
        if not self._ready_to_run():
            return
        if running_loop() is None:  # a plain script: no loop to run in the background
            self.run(n)
        else:
            self._start(stop_at=self.trainer.step + n)

    def _start(self, stop_at: int | None) -> None:
        if self.player.playing:
            return
        if running_loop() is not None:
            self._prepare_run()
            self.progress.layout.display = "none"
        self.player.start(stop_at)  # raises without a running loop

    def _reset(self) -> None:
        self._pause()
        self.trainer.reset()
        self._mark = None
        self._explained = False
        self.player.clear_rates()
        self._last["step"] = -1
        self._start_grad = None
        self._curve.reset()
        self.progress.layout.display = "none"
        self._frame(force=True)

    def _prepare_run(self) -> None:
        self._explained = False
        if self.trainer.diverged:  # go on from the restored parameters, with a smaller lr
            self.trainer.resume()
            with self._sync():  # the trainer may have lowered the learning rate itself
                self.lr_slider.value = log_slider_value(self.trainer.lr, *LR_SLIDER_RANGE)
                self.lr_text.value = self.trainer.lr

    def _show_playing(self, playing: bool) -> None:
        with self.play_button.hold_sync():
            self.play_button.description = "⏸ Pause" if playing else "▶ Play"
            self.play_button.button_style = "warning" if playing else "success"

    def _after_run(self) -> None:
        self._show_playing(False)
        error = self.player.error
        if error is not None:
            self._notice = (f"Training stopped: {type(error).__name__}: {error}", math.inf)
        if self.trainer.diverged:
            self._mark = (self.history.diverged_at, self.trainer.lr)
        self._frame(force=True)

    # ------------------------------------------------------------------ drawing
    def _frame(self, force: bool = False) -> None:
        """Draw the views that are due (all of them when forced) and have a new step to show."""
        step = self.trainer.step
        for name, clock, draw in self._views:
            if force or (self._drawn.get(name) != step and clock.due(time.perf_counter())):
                start = time.perf_counter()
                draw()
                clock.record(start, time.perf_counter(), force)
                self._drawn[name] = step

    def _draw_diagram(self) -> None:
        with self.diagram.hold_sync():  # the weights and the pictures of one step, together
            self.diagram.refresh()
            if self._picture_extent is not None:
                self.diagram.show_neuron_pictures(self._picture_extent, PICTURE_RESOLUTION)

    def _draw_map(self) -> None:
        self.map_image.value = self._map.render()

    def _draw_digits(self) -> None:
        X = self._digits_shown()[0][:DIGITS_SHOWN]
        with np.errstate(all="ignore"):
            self.digits_image.value = self._digits.render(self.net.forward(X))

    def _draw_layers(self) -> None:
        """|W| now and |dL/dW| of the last step (before any: the full-batch gradient)."""
        h = self.history
        if h.steps:
            grads = h.layer_grad_norms[-1]
        else:
            with np.errstate(all="ignore"):
                grads = self.net.gradients(self.trainer.X, self.trainer.T).layer_norms()
        weights = [float(np.linalg.norm(W)) for W in self.net.weights]
        self.layers_image.value = self._layers.render(weights, grads)

    def _evaluate(self) -> None:
        """The full-data losses and accuracies at the current step (once per step shown)."""
        t, last = self.trainer, self._last
        if t.step == last["step"] and last["loss"] is not None:
            return
        loss, val = t.evaluate()
        last.update(step=t.step, loss=loss, val=val)
        if t.step == 0 and self._start_grad is None:  # the full-batch gradient at the start
            with np.errstate(all="ignore"):
                self._start_grad = self.net.gradients(t.X, t.T).norm()
        if self._classify:
            last["acc"] = self._accuracy(t.X, t.T)
            last["val_acc"] = self._accuracy(t.X_val, t.T_val) if t.X_val is not None else None

    def _draw_curve(self) -> None:
        self._evaluate()
        t = self.trainer
        self.loss_image.value = self._curve.render(
            self.history,
            show_batch=self.batch_size is not None,
            mark=self._mark,
            current=(t.step, self._last["loss"]),
        )
        if self._progress_start is not None:
            self.progress.value = t.step - self._progress_start
        self._update_readout()
        self._update_message()

    def _accuracy(self, X, T) -> float:
        with np.errstate(all="ignore"):
            y = self.net.forward(X)
        if not np.isfinite(y).all():
            return float("nan")
        return float(np.mean(_datasets.labels(y) == _datasets.labels(T)))

    def _update_readout(self) -> None:
        t, h, last = self.trainer, self.history, self._last
        playing = self.player.playing
        status = "training" if playing else "diverged" if t.diverged else "paused"
        self.readout.value = readout_html(
            status,
            step=t.step,
            epoch=t.epoch if self.batch_size is not None else None,  # full batch: epoch = step
            loss=last["loss"],
            val_loss=last["val"],
            grad=h.grad_norm[-1] if h.steps else self._start_grad,
            accuracy=last["acc"],
            val_accuracy=last["val_acc"],
            rate=self.steps_per_second if playing else None,
        )

    def _message(self) -> tuple[str, str | None]:
        """The message to show now and its kind (error, warning, info)."""
        t, h = self.trainer, self.history
        if t.diverged and self._explained:
            return after_divergence_message(h, t.lr), "warning"
        advice = lr_advice(h, t.lr, self.batch_size, t.initial_loss, self._last["loss"])
        if advice is not None:
            return advice
        if self._notice is not None:
            if time.perf_counter() < self._notice[1]:
                return self._notice[0], "warning"
            self._notice = None
        return "", None

    def _update_message(self) -> None:
        text, kind = self._message()
        self._message_text = text
        value = message_html(text, kind)
        if self.message.value != value:
            self.message.value = value

    # ------------------------------------------------------------------ controls
    @contextlib.contextmanager
    def _sync(self):
        """Widget updates made here are echoes of a change, not a user's: observers skip them.
        Per thread, so a user's change arriving on another thread at that moment still counts."""
        self._local.syncing = True
        try:
            yield
        finally:
            self._local.syncing = False

    @property
    def _syncing(self) -> bool:
        return getattr(self._local, "syncing", False)

    def _set_lr(self, value, source: str | None) -> None:
        lr = check_lr(value)
        self.trainer.lr = lr
        with self._sync():
            if source != "slider":
                self.lr_slider.value = log_slider_value(lr, *LR_SLIDER_RANGE)
            if source != "text":
                self.lr_text.value = lr
        if not self.player.playing:
            self._update_message()

    def _on_lr_slider(self, change) -> None:
        if self._syncing:
            return
        shown = log_slider_value(self.trainer.lr, *LR_SLIDER_RANGE)
        if is_echo(self.lr_slider, change["new"], shown):
            return
        value = float(f"{change['new']:.3g}")
        self.player.dispatch(lambda: self._set_lr(value, source="slider"))

    def _on_lr_text(self, change) -> None:
        if self._syncing:
            return
        self.player.dispatch(lambda: self._typed_lr(change["new"]))

    def _typed_lr(self, value) -> None:
        try:
            self._set_lr(value, source="text")
        except BackpropInputError as exc:
            with self._sync():
                self.lr_text.value = self.trainer.lr
            self._notice = (
                f"{exc}. The learning rate stays {self.trainer.lr:g}.",
                time.perf_counter() + 8.0,
            )
            self._update_message()

    def _apply_curve_rate(self, speed: float | None) -> None:
        paced = speed is not None and speed <= PACED_SPEED
        self._curve_clock.set_rate(*(PACED_CURVE_RATE if paced else CURVE_RATE))
        self._digits_clock.set_rate(*(PACED_DIGITS_RATE if paced else DIGITS_RATE))

    def _set_speed(self, speed: float | None, source: str | None) -> None:
        self.player.speed = speed
        self._apply_curve_rate(speed)
        with self._sync():
            if source != "slider":
                self.speed_slider.value = speed_slider_value(speed)
            self.speed_text.value = speed_label(speed)

    def _on_speed_slider(self, change) -> None:
        if self._syncing:
            return
        new = change["new"]
        if is_echo(self.speed_slider, new, speed_slider_value(self.player.speed)):
            return
        speed = slider_speed(new, self.speed_slider.step)
        self.player.dispatch(lambda: self._set_speed(speed, source="slider"))

    def _set_batch_size(self, value) -> None:
        value = check_batch_size(value, self.trainer.n_samples)
        if value == self.trainer.n_samples:
            value = None
        with self._sync():
            mode = mode_of(value)
            if mode == "mini":
                self.batch_size_box.value = value
            self.batch_mode.value = mode
            self.batch_size_box.disabled = mode != "mini"
        self.trainer.batch_size = value
        self._frame(force=True)

    def _on_batch_widgets(self, change) -> None:
        if not self._syncing:
            self.player.dispatch(self._apply_batch_widgets)

    def _apply_batch_widgets(self) -> None:
        mode = self.batch_mode.value
        self.batch_size_box.disabled = mode != "mini"
        size = {"full": None, "single": 1}.get(mode, self.batch_size_box.value)
        if size is not None and size >= self.trainer.n_samples:
            size = None
        self.trainer.batch_size = size
        if not self.player.playing:
            self._frame(force=True)

    def _on_step_n_count(self, change) -> None:
        self.step_n_button.description = f"Step ×{change['new']}"

    def _on_dataset(self, change) -> None:
        self.player.dispatch(lambda: self._switch_dataset(change["new"]))

    def _switch_dataset(self, name: str) -> None:
        self._pause()
        X, T, X_val, T_val = self._datasets[name]
        self.trainer.set_data(X, T, X_val, T_val)
        n = self.trainer.n_samples
        with self._sync():
            self.batch_size_box.max = n
            if self.batch_size_box.value >= n:
                self.batch_size_box.value = min(DEFAULT_MINI_BATCH, max(1, n - 1))
        mode = self.batch_mode.value
        self.trainer.batch_size = {"full": None, "single": 1}.get(mode, self.batch_size_box.value)
        if self._map is not None:
            self._map.set_data(X, T, X_val, T_val)
        if self._digits is not None:
            self._digits.set_data(*self._digits_shown(), n=DIGITS_SHOWN)
        self._reset()


# The accepted keyword arguments are the constructor's own (a typo fails loudly).
TrainingDashboard._accepted = tuple(
    p.name
    for p in inspect.signature(TrainingDashboard.__init__).parameters.values()
    if p.kind is p.KEYWORD_ONLY
)
