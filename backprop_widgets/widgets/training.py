"""TrainingDashboard: train a network live, watch the loss, the decision map and the weights move.

The dashboard is the layout and the wiring; each job has its own module:

- ``widgets/player.py``: the :class:`~backprop_widgets.widgets.player.Player` runs the
  Trainer in chunks, paced at ``speed`` steps per second, in one loop shared by Play (an
  asyncio task on the kernel's loop, so clicks and other cells run in between) and the
  blocking ``run()``; it hands actions that arrive on another thread (JupyterLab's widget
  messages come on a kernel subshell) to the training thread, and holds a lock during each
  chunk.
- ``widgets/training_refresh.py``: the views (loss curve, decision map, digits, diagram or
  per-layer bars), their frame budgets (``widgets/throttle.py``) for paced and full-speed
  play, the readout and the message, written into this widget's traits: pictures as bytes,
  only what changed.
- ``widgets/training_controls.py``: what each message from the page (a click, a slider
  move, a typed value, a pick) does.
- ``widgets/training_data.py``: the ``datasets=`` picker's entries, the built-in datasets,
  how often the validation loss is recorded.
- ``widgets/training_html.py``: the readout's and message's words;
  ``widgets/training_layout.py``: the controls' ranges and values.

One anywidget: ``static/diagram.js`` and ``static/training.js``, joined into one ES module,
draw everything (the controls, the readout, the pictures, the diagram) from the traits and
report what the student does; ``static/training.css`` lays it out and follows the host's
theme; the page reports its colours so the matplotlib pictures (``widgets/plots.py``) are
drawn in them. It runs wherever anywidget does.

*Speed.* By default Play runs 50 SGD steps per second: on the moons preset the loss falls
from 0.69 to 0.03 in 2-4 s (lr 1 or 0.5) and keeps falling on the log scale for a minute, and
each frame of the curve (up to 30 a second) shows one or two new steps, so a class can watch
it and move the learning rate while it matters. The speed slider goes from 1 step/s to full
speed (its right end); ``dash.steps_per_second`` is the measured rate.

Divergence (see ``core/training.py``): a NaN/inf loss, or a recent average far above its
reference, pauses training, puts back the parameters from before the blow-up, marks the step
on the curve and says in one line what to try (``core/advice.py``), the numbers behind a
"details" toggle. One press of Play goes on from the restored parameters with the learning
rate that line names; Reset starts over.
"""

from __future__ import annotations

import base64
import inspect
from collections.abc import Mapping

import anywidget
import numpy as np
import traitlets

from ..core import numbers, presets, validation
from ..core.errors import BackpropInputError
from ..core.network import Network, check_network
from ..core.training import Trainer, TrainingHistory
from .diagram import DiagramState, StrictWidget
from .pictures import picture_colours
from .player import Player, check_speed, running_loop
from .static_files import module, styles
from .training_controls import ControlHandlers
from .training_data import (
    builtin_datasets,
    check_builtin_name,
    check_datasets,
    starting_data,
    validation_every,
)
from .training_html import message_html, readout_html
from .training_layout import controls_state, why_no_diagram
from .training_refresh import DashboardViews

__all__ = ["DEFAULT_SPEED", "TrainingDashboard"]

DEFAULT_SPEED = 50.0  # steps/s: a moons run takes seconds, not a blink (module docstring)


class TrainingDashboard(ControlHandlers, DiagramState, StrictWidget, anywidget.AnyWidget):
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
        Validation data (given together): their loss is drawn beside the training loss,
        recorded every 10 steps at full batch and once an epoch with mini-batches.
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

    _esm = module("diagram.js", "training.js")
    _css = styles("theme.css", "diagram.css", "training.css")

    # which views the page draws, in order ("curve", "map", "digits", "diagram", "layers")
    views = traitlets.List().tag(sync=True)
    controls = traitlets.Dict().tag(sync=True)  # training_layout.controls_state
    playing_now = traitlets.Bool(False).tag(sync=True)
    progress = traitlets.List().tag(sync=True)  # [done, of] during a blocking run(); [] hidden
    readout = traitlets.Dict().tag(sync=True)  # training_html.readout_state
    readout_titles = traitlets.Dict().tag(sync=True)
    message = traitlets.Dict().tag(sync=True)  # {"text", "kind", "details"}; {} for none
    # pictures: PNG patches of the pixels that changed (plots.PictureStream) and their boxes
    curve_png = traitlets.Bytes(b"").tag(sync=True)
    curve_box = traitlets.List().tag(sync=True)
    map_png = traitlets.Bytes(b"").tag(sync=True)  # the map's axes, ticks and points
    map_box = traitlets.List().tag(sync=True)
    digits_png = traitlets.Bytes(b"").tag(sync=True)
    digits_box = traitlets.List().tag(sync=True)
    layers_png = traitlets.Bytes(b"").tag(sync=True)
    layers_box = traitlets.List().tag(sync=True)
    layers_note = traitlets.Unicode("").tag(sync=True)
    # the decision map's values, a byte (or RGB) per cell, painted under the axes
    map_cells = traitlets.Bytes(b"").tag(sync=True)
    map_layout = traitlets.Dict().tag(sync=True)
    map_colours = traitlets.List().tag(sync=True)
    map_boundary = traitlets.List().tag(sync=True)  # lines of [x0, y0, x1, y1, ...] px
    # the diagram's weights per frame: float32 in the order of param_names, labels as text
    param_names = traitlets.List().tag(sync=True)
    param_values = traitlets.Bytes(b"").tag(sync=True)
    param_labels = traitlets.Unicode("").tag(sync=True)  # one per line
    # neuron pictures: one greyscale PNG, a tile per neuron (pictures.picture_levels), its
    # grey levels painted with picture_colours
    picture_names = traitlets.List().tag(sync=True)
    pictures_png = traitlets.Bytes(b"").tag(sync=True)
    picture_colours = traitlets.List().tag(sync=True)

    def __new__(cls, *args, **kwargs):
        # traitlets would only warn about an unknown keyword: fail loudly, naming the real ones
        unknown = sorted(set(kwargs) - set(_keywords(cls.__init__)))
        if unknown:
            raise TypeError(
                f"{cls.__name__}() got unexpected keyword argument(s) "
                f"{', '.join(map(repr, unknown))}; accepted: {', '.join(_keywords(cls.__init__))}"
            )
        return super().__new__(cls, *args, **kwargs)

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
    ):
        check_network(net)
        if diagram not in (None, True, False):
            raise BackpropInputError(f"diagram must be True, False or None (auto); got {diagram!r}")
        steps_per_click = validation.integer(steps_per_click, "steps_per_click", 1)
        self._datasets = check_datasets(datasets, dataset)
        self._dataset = None if datasets is None else (dataset or next(iter(self._datasets)))
        X, T, X_val, T_val = starting_data(self._datasets, dataset, X, T, X_val, T_val)
        self.trainer = Trainer(
            net, X, T, lr=lr, batch_size=batch_size, seed=seed, X_val=X_val, T_val=T_val,
            eval_every=None,
        )  # fmt: skip
        self._schedule_validation()
        self._steps_per_click = steps_per_click
        self.page_theme: dict = {}  # the page's colours, as static/training.js reports them
        self.player = Player(
            self.trainer,
            speed=speed,
            on_start=lambda: self._show_playing(True),
            on_stop=self._after_run,
            on_chunk=lambda steps: self._views.frame(),
            frame_due_at=lambda: self._views.clocks["curve"].next_time(),
        )
        reason = why_no_diagram(net)
        if diagram is True or (diagram is None and reason is None):
            start = self._start_diagram(net, auto_update=False, highlight_paths=True)
            start.pop("values")  # the weights travel as float32 (show_weights), per frame
            reason = None
        else:
            self._net, self._graph, self._drawn = net, None, None
            self.auto_update, self.highlight_paths = False, True
            start = {"structure": {}}
            reason = reason or "diagram=False"
        t = self.trainer
        super().__init__(
            **start,
            controls=controls_state(
                steps_per_click=steps_per_click, lr=t.lr, speed=self.player.speed,
                n=t.n_samples, batch_size=batch_size, datasets=self._datasets,
                dataset=self._dataset,
            ),
            param_names=list(net.parameter_names) if reason is None else [],
            picture_colours=picture_colours(),
        )  # fmt: skip
        self._views = DashboardViews(self, net, t, self.player, reason)
        self._views.apply_speed(self.player.speed)
        self.on_msg(self._on_msg)
        self._views.frame(force=True)

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
        data = builtin_datasets(n, validation, seed)
        X0, T0 = data[check_builtin_name(name)][:2]
        net, _, _ = presets.classifier(X0, T0, hidden=hidden, activation=activation, seed=seed)
        return cls(net, datasets=data, dataset=name, seed=seed, **kwargs)

    def _fallback(self) -> tuple[str, str]:
        return _fallback_of(self)

    def _schedule_validation(self) -> None:
        t = self.trainer
        t.eval_every = validation_every(t.batch_size, t.n_samples, t.X_val is not None)

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
        return self._dataset

    @dataset.setter
    def dataset(self, name: str) -> None:
        if self._datasets is None:
            raise BackpropInputError("this dashboard has no dataset picker (pass datasets=...)")
        if name not in self._datasets:
            raise BackpropInputError(
                f"dataset must be one of {', '.join(map(repr, self._datasets))}; got {name!r}"
            )
        self.player.dispatch(lambda: self._switch_dataset(name))

    @property
    def shows_diagram(self) -> bool:
        """Whether the network diagram is drawn (else the per-layer bars, with a note why)."""
        return "diagram" in self.views

    def show_weights(self) -> None:
        """Send the weights now: float32 for the lines, and their labels (written here)."""
        params = self.net.parameters()
        values = np.array([params[n] for n in self.param_names], dtype=np.float32)
        with self.hold_sync():
            self.param_values = values.tobytes()
            self.param_labels = "\n".join(numbers.plain(params[n]) for n in self.param_names)

    def weights_shown(self) -> dict[str, float]:
        """The weights the page was last sent (float32), by name."""
        values = np.frombuffer(self.param_values, dtype=np.float32)
        return dict(zip(self.param_names, values.tolist()))

    @property
    def message_text(self) -> str:
        """The message shown under the controls, as plain text ("" when there is none)."""
        return self._views.message_text

    # ------------------------------------------------------------------ actions
    # Every action goes through the player's dispatch: run now under its lock, or, when
    # another thread is training, handed to that thread between two chunks.
    def play(self) -> None:
        """Train continuously in the background at ``speed`` (the kernel stays free);
        ``pause()`` stops."""
        self.player.dispatch(lambda: self._start(stop_at=None))

    def pause(self) -> None:
        """Stop training (Play, Step ×N or a ``run()``) after the current chunk of steps."""
        self.player.dispatch(self._pause)

    def step(self) -> None:
        """One SGD step, drawn."""
        self.player.dispatch(self._step)

    def step_n(self, n: int | None = None) -> None:
        """N steps (default: the Step ×N box), animated in the background like Play."""
        n = self._steps_per_click if n is None else validation.integer(n, "n", 1)
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
        self._views.progress_start = self.trainer.step
        self.progress = [0, max(steps, 1)]
        try:
            self.player.run(steps, speed)
        finally:
            self._views.progress_start = None
        return self.history

    def close(self) -> None:
        """Stop training and close the views (also called when the widget is collected)."""
        player = getattr(self, "player", None)
        if player is not None and player.playing:
            self.pause()
        super().close()

    # ------------------------------------------------------------------ running
    def _toggle(self) -> None:
        if self.player.playing:
            self._pause()
        else:
            self._start(stop_at=None)

    def _pause(self) -> None:
        self.player.stop()

    def _step(self) -> None:
        self._pause()
        self._prepare_run()
        self.player.run(1)

    def _step_n(self, n: int) -> None:
        self._pause()
        if running_loop() is None:  # a plain script: no loop to run in the background
            self.run(n)
        else:
            self._start(stop_at=self.trainer.step + n)

    def _start(self, stop_at: int | None) -> None:
        if self.player.playing:
            return
        if running_loop() is not None:
            self._prepare_run()
            self.progress = []
        self.player.start(stop_at)  # raises without a running loop

    def _reset(self) -> None:
        self._pause()
        self.trainer.reset()
        self._views.reset()
        self.player.clear_rates()
        self.progress = []
        self._views.frame(force=True)

    def _prepare_run(self) -> None:
        """One press of Play (Step, Step ×N, a run()) after a divergence goes on from the
        restored parameters with the learning rate the message named: the last one that
        trained, else 100x smaller (or the one set by hand below the one that diverged)."""
        if self.trainer.diverged:
            self._show_lr(self.trainer.resume())  # the trainer may have lowered it itself

    def _show_playing(self, playing: bool) -> None:
        self.playing_now = playing

    def _after_run(self) -> None:
        self._show_playing(False)
        self._views.stopped()


def _fallback_of(dash: TrainingDashboard) -> tuple[str, str]:
    last = dash._views.last
    loss = "–" if last["loss"] is None else numbers.plain(last["loss"])
    text = f"TrainingDashboard: step {dash.step_count:,}, loss {loss}, lr {dash.lr:g}"
    curve = base64.b64encode(dash._views.curve.png()).decode("ascii")
    status = "diverged" if dash.diverged else "paused"
    page = (
        f"{readout_html(status, step=dash.step_count, loss=last['loss'], grad=last['grad'])}"
        f"{message_html(**_message_args(dash.message))}"
        f'<img alt="loss curve" src="data:image/png;base64,{curve}">'
    )
    return text, page


def _message_args(message: dict) -> dict:
    if not message:
        return {"text": "", "kind": None}
    return {"text": message["text"], "kind": message["kind"], "details": message["details"]}


def _keywords(init) -> list[str]:
    """The keyword-only parameter names of ``init`` (the dashboard's real signature)."""
    params = inspect.signature(init).parameters.values()
    return [p.name for p in params if p.kind is p.KEYWORD_ONLY]
