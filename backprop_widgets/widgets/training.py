"""TrainingDashboard: train a network live, watch the loss, the decision map and the weights move.

How the animation works, and why
--------------------------------
*Stepping and drawing are separate clocks.* Play runs as an asyncio task on the event loop of
the kernel thread that received the click (``asyncio.ensure_future``). Each turn of its loop
runs SGD for at most ``CHUNK_SECONDS`` (25 ms: a few hundred steps of a small network, at least
one of a big one), draws the views that are due, and ``await asyncio.sleep(0)`` hands the loop
back to the kernel, which handles waiting widget messages before the next chunk. So Pause, the
learning rate and a click on the diagram act within one chunk plus one frame, and other cells
still run. (A blocking loop in a cell would hold every click until it ended.)

*Clicks may arrive on another thread.* JupyterLab 4.6 sends widget messages on a kernel
subshell, which ipykernel 7 runs in a thread of its own; a click can therefore land in the
middle of a chunk running on another thread. Every action (Play, Pause, Step, Reset, the
learning rate, the batch size, the dataset) goes through ``_dispatch``: when another thread is
training, the action is queued and run by that thread between two chunks, and the caller waits
for it. The same queue lets Pause stop a blocking ``run()``.

*Each view is throttled on its own*, by a frame-rate cap and by the share of the last second
it spent rendering: the loss curve at most 30 fps and 13 % of the time, the decision map 6 fps
and 6 %, the diagram 4 fps and 3 %. (Redrawing the diagram's hundreds of SVG edges is the
browser's heaviest job: at 10 fps it starved the kernel of CPU on a 2-core machine.) Drawing
takes at most about a fifth of the time whatever the machine, and SGD keeps the rest: steps
per second never fall to the redraw rate. The chunk ends when the curve's next frame is due,
so frames land on time instead of beating against the chunk length.

*Frames are PNGs from matplotlib's Agg renderer in an ``ipywidgets.Image``.* Measured in
JupyterLab: every such frame reaches the browser (22-34 fps), even from a blocking loop in a
cell, whereas ipympl's ``draw_idle`` showed one frame until the cell ended. Each view keeps one
Figure for its whole life and redraws only the moving artists on a saved background
(``widgets/plots.py``): 5-6 ms per loss-curve frame including the PNG encoding, against 25-35
ms for a full matplotlib redraw, which happens only when the axes limits grow. Nothing is
cleared or re-created per frame, so nothing flickers. The diagram is made with
``auto_update=False`` and refreshed once per diagram frame, not after every SGD step.
``benchmarks/bench_training.py`` and ``tests/e2e/test_training_e2e.py`` print the numbers.

Divergence (see ``core/training.py``): a NaN/inf loss, or one above 1000 x the starting loss
(at least 1000), pauses training, puts back the parameters from before the blow-up, marks
the step on the curve and says what happened and what to try.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import html
import math
import threading
import time
from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np

from ..core import datasets as _datasets
from ..core import presets
from ..core.errors import BackpropInputError
from ..core import validation
from ..core.network import Network, check_network
from ..core.training import Trainer, TrainingHistory, check_batch_size, check_lr
from .diagram import NetworkDiagram, StrictWidget
from .plots import DecisionMap, LossCurve

CHUNK_SECONDS = 0.025
# (max frames per second, max share of wall-clock time) per view
CURVE_RATE = (30.0, 0.13)
MAP_RATE = (6.0, 0.06)
DIAGRAM_RATE = (4.0, 0.03)
LR_SLIDER_RANGE = (-4.0, 2.0)  # log10 of the slider's ends: 1e-4 .. 100
DEFAULT_MINI_BATCH = 32
BUILTIN_DATASETS = ("moons", "circles", "xor", "spiral")

_BATCH_MODES = [("full batch", "full"), ("mini-batch", "mini"), ("single sample", "single")]


class _Throttle:
    """Say when a view is due: at most ``fps`` frames per second, and at most ``share`` of the
    last second spent rendering it. A sliding window rather than an average of costs: one slow
    full redraw (new axis limits) uses up part of a second's budget instead of slowing the
    view down for many frames."""

    WINDOW = 1.0

    def __init__(self, fps: float, share: float):
        self.min_interval = 1.0 / fps
        self.share = share
        self.last = -math.inf
        self.frames = 0
        self.seconds = 0.0
        self._recent: collections.deque = collections.deque()  # (start, seconds)
        self._recent_sum = 0.0

    def due(self, now: float) -> bool:
        if now - self.last < self.min_interval:
            return False
        recent = self._recent
        while recent and recent[0][0] < now - self.WINDOW:
            self._recent_sum -= recent.popleft()[1]
        return self._recent_sum <= self.share * self.WINDOW

    def next_time(self) -> float:
        """The earliest time the next frame may be drawn (by both the rate and the budget)."""
        at = self.last + self.min_interval
        excess = self._recent_sum - self.share * self.WINDOW
        for start, spent in self._recent:  # oldest first: when enough of them leave the window
            if excess <= 0:
                break
            excess -= spent
            at = max(at, start + self.WINDOW)
        return at

    def record(self, start: float, end: float, forced: bool = False) -> None:
        spent = end - start
        if not forced:  # forced frames (the first, after Reset, a pause) are not animation
            self._recent.append((start, spent))
            self._recent_sum += spent
            self.frames += 1
            self.seconds += spent
        self.last = start

    @property
    def mean_ms(self) -> float:
        """Average render time of the animation frames so far, in milliseconds."""
        return 1000.0 * self.seconds / self.frames if self.frames else 0.0


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "–"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.{digits}g}"


class TrainingDashboard(StrictWidget, widgets.VBox):
    """Train ``net`` on ``(X, T)`` with SGD, live: Play/Pause, Step, Step xN, Reset, the learning
    rate and the batch size, a readout, the loss curve, the decision map (2-input networks) and
    the network diagram, all updating while it trains.

    Parameters
    ----------
    net : Network
        Trained in place. Reset puts back the parameters it had when the dashboard was made.
    X, T : array_like
        Training inputs ``(n, n_in)`` and targets ``(n, n_out)``. May be None when
        ``datasets`` is given (the dashboard starts on ``datasets[dataset]``).
    X_val, T_val : array_like, optional
        Validation data (given together): their loss is drawn beside the training loss.
    lr : float
        Learning rate, > 0 (slider from 1e-4 to 100; any positive value can be typed).
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

    Examples
    --------
    >>> net, X, T = bw.presets.moons()
    >>> dash = bw.TrainingDashboard(net, X, T, lr=0.5); dash      # doctest: +SKIP
    >>> dash.run(steps=500)                 # scripted: blocks, frames still update
    >>> bool(dash.history.loss[-1] < dash.history.loss[0])
    True
    >>> bw.TrainingDashboard.from_dataset("spiral", lr=0.3)      # doctest: +SKIP
    """

    _accepted = (
        "X_val",
        "T_val",
        "lr",
        "batch_size",
        "seed",
        "datasets",
        "dataset",
        "steps_per_click",
    )

    def __init__(
        self,
        net: Network,
        X=None,
        T=None,
        *,
        X_val=None,
        T_val=None,
        lr=0.1,
        batch_size=None,
        seed=0,
        datasets: Mapping | None = None,
        dataset: str | None = None,
        steps_per_click: int = 100,
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
            net,
            X,
            T,
            lr=lr,
            batch_size=batch_size,
            seed=seed,
            X_val=X_val,
            T_val=T_val,
            eval_every=None,
        )
        self._classify = net.loss_name in ("bce", "cross_entropy")
        self._gen = 0
        self._playing = False
        self._task = None
        self._runner: tuple[int, object] | None = None  # (thread, token) of the training loop
        self._inbox: collections.deque = collections.deque()  # actions queued for that thread
        self._inbox_lock = threading.Lock()
        self._local = threading.local()  # per thread: is this thread echoing a change?
        self._mark: tuple[int, float] | None = None
        self._rates: collections.deque = collections.deque(maxlen=64)
        self._last_eval_step = -1
        self._message_text = ""
        self._notice: tuple[str, float] | None = None  # (text, shown until perf_counter)
        self._last = {"loss": None, "val": None, "acc": None, "val_acc": None, "grad": None}
        self.stats = {"chunks": 0, "chunk_steps": 0, "max_chunk_steps": 0, "last_chunk_steps": 0}
        self._curve_clock = _Throttle(*CURVE_RATE)
        self._map_clock = _Throttle(*MAP_RATE)
        self._diagram_clock = _Throttle(*DIAGRAM_RATE)
        self._build(steps_per_click, dataset)
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
        n: int = 200,
        validation: float | None = 0.25,
        hidden=(16, 16),
        activation: str = "tanh",
        seed: int = 0,
        **kwargs,
    ) -> TrainingDashboard:
        """A dashboard on one of the built-in 2-D datasets, with a picker for the others.

        The network is ``presets.classifier``: ``[2, *hidden, 1]``, ``activation`` in the
        hidden layers, sigmoid output, bce. Each dataset has ``n`` points (seeded); a share
        ``validation`` of them is held out (None: no validation set). Other keyword
        arguments go to the constructor (``lr``, ``batch_size``, ...).

        >>> dash = TrainingDashboard.from_dataset("circles", lr=0.5)   # doctest: +SKIP
        """
        if name not in BUILTIN_DATASETS:
            raise BackpropInputError(
                f"name must be one of {', '.join(map(repr, BUILTIN_DATASETS))}; got {name!r}"
            )
        makers = {
            "moons": lambda: _datasets.moons(n, noise=0.15, seed=seed),
            "circles": lambda: _datasets.circles(n, noise=0.1, seed=seed),
            "xor": lambda: _datasets.xor(n, noise=0.25, seed=seed),
            "spiral": lambda: _datasets.spiral(n, k=2, noise=0.05, seed=seed),
        }
        data = {}
        for key, make in makers.items():
            X, T = make()
            if validation is None:
                data[key] = (X, T)
            else:
                data[key] = _datasets.split(X, T, fraction=validation, seed=seed)
        X0 = data[name][0]
        net, _, _ = presets.classifier(
            X0, data[name][1], hidden=hidden, activation=activation, seed=seed
        )
        return cls(net, datasets=data, dataset=name, seed=seed, **kwargs)

    def _build(self, steps_per_click: int, dataset: str | None) -> None:
        W = widgets
        button = {"width": "auto", "min_width": "72px"}
        self.play_button = W.Button(
            description="▶ Play",
            button_style="success",
            layout=button,
            tooltip="train continuously (click again to pause)",
        )
        self.step_button = W.Button(description="Step", layout=button, tooltip="one SGD step")
        self.step_n_count = W.BoundedIntText(
            value=self._check_steps(steps_per_click, "steps_per_click", at_least=1),
            min=1,
            max=10**7,
            layout={"width": "82px"},
            tooltip="N for Step ×N",
        )
        self.step_n_button = W.Button(
            description=f"Step ×{steps_per_click}", layout=button, tooltip="run N steps, animated"
        )
        self.reset_button = W.Button(
            description="⟲ Reset",
            layout=button,
            tooltip="back to the initial parameters, empty history",
        )
        lr = self.trainer.lr
        self.lr_slider = W.FloatLogSlider(
            value=self._slider_value(lr),
            base=10,
            min=LR_SLIDER_RANGE[0],
            max=LR_SLIDER_RANGE[1],
            step=0.05,
            description="learning rate",
            readout=False,
            style={"description_width": "initial"},
            layout={"width": "260px"},
        )
        self.lr_text = W.FloatText(
            value=lr, layout={"width": "96px"}, tooltip="type a learning rate, then Enter"
        )
        n = self.trainer.n_samples
        b = self.trainer.batch_size
        self.batch_mode = W.ToggleButtons(
            options=_BATCH_MODES,
            value=self._mode_of(b),
            style={"button_width": "auto"},
            tooltips=[
                "every sample in every step",
                "a few samples per step, epoch by epoch",
                "one sample per step",
            ],
        )
        self.batch_size_box = W.BoundedIntText(
            value=b if b not in (None, 1, n) else min(DEFAULT_MINI_BATCH, max(1, n - 1)),
            min=1,
            max=n,
            description="size",
            layout={"width": "130px"},
            style={"description_width": "initial"},
            disabled=self._mode_of(b) != "mini",
        )
        self.progress = W.IntProgress(
            value=0, min=0, max=1, description="run", layout={"width": "320px", "display": "none"}
        )
        self.readout = W.HTML(layout={"width": "100%"})
        self.message = W.HTML()
        self._curve = LossCurve()
        self.loss_image = W.Image(
            format="png", layout={"width": "400px", "max_width": "100%", "height": "auto"}
        )
        self._map = None
        self.map_image = None
        if self.net.sizes[0] == 2:
            t = self.trainer
            self._map = DecisionMap(self.net, t.X, t.T, t.X_val, t.T_val)
            self.map_image = W.Image(
                format="png", layout={"width": "290px", "max_width": "100%", "height": "auto"}
            )
        self.diagram = NetworkDiagram(
            self.net,
            auto_update=False,
            layout={"flex": "1 1 240px", "min_width": "220px", "max_width": "440px"},
        )
        self.dataset_picker = None
        controls2 = [
            W.Label("batch", layout={"margin": "0 6px 0 0"}),
            self.batch_mode,
            self.batch_size_box,
        ]
        if self._datasets is not None:
            self.dataset_picker = W.Dropdown(
                options=list(self._datasets),
                value=dataset or next(iter(self._datasets)),
                description="dataset",
                layout={"width": "200px"},
                style={"description_width": "initial"},
            )
            controls2.append(self.dataset_picker)
            self.dataset_picker.observe(self._on_dataset, names="value")
        controls2.append(self.progress)
        for w, cls in [
            (self.play_button, "bpw-play"),
            (self.step_button, "bpw-step"),
            (self.step_n_button, "bpw-step-n"),
            (self.step_n_count, "bpw-step-n-count"),
            (self.reset_button, "bpw-reset"),
            (self.lr_slider, "bpw-lr-slider"),
            (self.lr_text, "bpw-lr-text"),
            (self.batch_mode, "bpw-batch"),
            (self.batch_size_box, "bpw-batch-size"),
            (self.progress, "bpw-progress"),
            (self.readout, "bpw-readout"),
            (self.message, "bpw-message"),
            (self.loss_image, "bpw-loss-curve"),
            (self.dataset_picker, "bpw-dataset"),
            (self.map_image, "bpw-heatmap"),
        ]:
            if w is not None:
                w.add_class(cls)
        row = {"flex_flow": "row wrap", "align_items": "center", "margin": "2px 0"}
        views = (
            [self.loss_image]
            + ([self.map_image] if self.map_image is not None else [])
            + [self.diagram]
        )
        for v in views:
            v.layout.margin = "0 8px 4px 0"
        super().__init__(
            children=[
                W.HBox(
                    [
                        self.play_button,
                        self.step_button,
                        self.step_n_button,
                        self.step_n_count,
                        self.reset_button,
                        # slider and box wrap to the next line together
                        W.HBox([self.lr_slider, self.lr_text], layout={"margin": "0 0 0 12px"}),
                    ],
                    layout=row,
                ),
                W.HBox(controls2, layout=row),
                self.readout,
                self.message,
                W.HBox(views, layout={"flex_flow": "row wrap", "align_items": "flex-start"}),
            ]
        )
        self.add_class("bpw-training")
        self.play_button.on_click(lambda _: self._dispatch(self._toggle))
        self.step_button.on_click(lambda _: self.step())
        self.step_n_button.on_click(lambda _: self.step_n())
        self.reset_button.on_click(lambda _: self.reset())
        self.step_n_count.observe(self._on_step_n_count, names="value")
        self.lr_slider.observe(self._on_lr_slider, names="value")
        self.lr_text.observe(self._on_lr_text, names="value")
        self.batch_mode.observe(self._on_batch_widgets, names="value")
        self.batch_size_box.observe(self._on_batch_widgets, names="value")

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
        with np.errstate(all="ignore"):
            return self.trainer.full_loss()

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def diverged(self) -> bool:
        """Whether the last run stopped because the loss blew up (cleared by the next run)."""
        return self.trainer.diverged

    @property
    def lr(self) -> float:
        return self.trainer.lr

    @lr.setter
    def lr(self, value) -> None:
        self._dispatch(lambda: self._set_lr(value, source=None))

    @property
    def batch_size(self) -> int | None:
        """None (full batch) or the number of samples per step."""
        b = self.trainer.batch_size
        return None if b == self.trainer.n_samples else b

    @batch_size.setter
    def batch_size(self, value) -> None:
        self._dispatch(lambda: self._set_batch_size(value))

    def _set_batch_size(self, value) -> None:
        value = check_batch_size(value, self.trainer.n_samples)
        if value == self.trainer.n_samples:
            value = None
        with self._sync():
            mode = self._mode_of(value)
            if mode == "mini":
                self.batch_size_box.value = value
            self.batch_mode.value = mode
            self.batch_size_box.disabled = mode != "mini"
        self.trainer.batch_size = value
        self._frame(force=True)

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
    # Every action goes through _dispatch: JupyterLab 4.6 delivers widget messages on a kernel
    # subshell, a thread of its own, so a click can arrive while another thread is in the
    # middle of a chunk of steps. The action is then queued and run by the training thread
    # between two chunks (within ~25 ms), and the caller waits for it.
    def play(self) -> None:
        """Train continuously in the background (the kernel stays free); ``pause()`` stops."""
        self._dispatch(lambda: self._start(stop_at=None))

    def pause(self) -> None:
        """Stop training (Play, Step ×N or a ``run()``) after the current chunk of steps."""
        self._dispatch(self._pause)

    def step(self) -> None:
        """One SGD step, drawn."""
        self._dispatch(self._step)

    def step_n(self, n: int | None = None) -> None:
        """N steps (default: the Step ×N box), animated in the background like Play."""
        n = self.step_n_count.value if n is None else self._check_steps(n, "n", at_least=1)
        self._dispatch(lambda: self._step_n(n))

    def reset(self) -> None:
        """Back to the initial parameters, the same seed and an empty history."""
        self._dispatch(self._reset)

    def run(self, steps: int) -> TrainingHistory:
        """Train ``steps`` steps now, blocking (for scripts and cells); frames and the progress
        bar still update, and the Pause button stops it early (JupyterLab handles widget
        clicks while a cell runs). Stops early if training diverges. Returns the history."""
        steps = self._check_steps(steps, "steps")
        self.pause()
        token = object()
        with self._inbox_lock:
            self._runner = (threading.get_ident(), token)
        try:
            self._prepare_run()
            self._gen += 1
            gen = self._gen
            self._set_playing(True)
            start = self.trainer.step
            target = start + steps
            self.progress.max = max(steps, 1)
            self.progress.value = 0
            self.progress.layout.display = None
            try:
                while self.trainer.step < target:
                    self._drain(token)
                    if gen != self._gen:
                        break
                    done = self.trainer.run_for(self._chunk_seconds(), target - self.trainer.step)
                    self._note_chunk(done)
                    if done == 0 or self.trainer.diverged:
                        break
                    if self._curve_clock.due(time.perf_counter()):
                        self.progress.value = self.trainer.step - start
                    self._frame()
            finally:
                self.progress.value = self.trainer.step - start
                if gen == self._gen:
                    self._gen += 1
                    self._after_run()
        finally:
            self._release_runner(token)
        return self.history

    def close(self) -> None:
        """Stop training and close the views (also called when the widget is collected)."""
        if getattr(self, "_playing", False):
            self.pause()
        for name in ("diagram", "loss_image", "map_image"):
            w = getattr(self, name, None)
            if w is not None:
                w.close()
        super().close()

    # ------------------------------------------------------------------ threads
    def _dispatch(self, action):
        """Run ``action`` now, or, if another thread is training, on that thread between two
        chunks (waiting up to 2 s for it to be done)."""
        with self._inbox_lock:
            runner = self._runner
            queued = runner is not None and runner[0] != threading.get_ident()
            if queued:
                done = threading.Event()
                errors: list[BaseException] = []

                def job():
                    try:
                        action()
                    except BaseException as exc:  # re-raised in the caller's thread
                        errors.append(exc)
                    finally:
                        done.set()

                self._inbox.append(job)
        if not queued:
            return action()
        done.wait(timeout=2.0)
        if errors:
            raise errors[0]
        return None

    def _drain(self, token) -> None:
        """Run the actions other threads queued (called by the training thread between chunks),
        as long as this loop (``token``) is still the one training."""
        while True:
            with self._inbox_lock:
                if not self._inbox or self._runner is None or self._runner[1] is not token:
                    return
                job = self._inbox.popleft()
            job()

    def _release_runner(self, token) -> None:
        """This loop stops training: actions still queued run now, on this thread."""
        jobs = []
        with self._inbox_lock:
            if self._runner is not None and self._runner[1] is token:
                self._runner = None
                jobs = list(self._inbox)
                self._inbox.clear()
        for job in jobs:
            job()

    # ------------------------------------------------------------------ running
    def _toggle(self) -> None:
        if self._playing:
            self._pause()
        else:
            self._start(stop_at=None)

    def _pause(self) -> None:
        if not self._playing:
            return
        self._gen += 1  # the running loop sees this before its next chunk and stops
        self._after_run()

    def _step(self) -> None:
        self._pause()
        self._prepare_run()
        self._note_chunk(self.trainer.run(1))
        self._after_run()

    def _step_n(self, n: int) -> None:
        self._pause()
        if _running_loop() is None:  # a plain script: no loop to run in the background
            self.run(n)
        else:
            self._start(stop_at=self.trainer.step + n)

    def _reset(self) -> None:
        self._pause()
        self.trainer.reset()
        self._mark = None
        self._rates.clear()
        self._last_eval_step = -1
        self._curve.reset()
        self.progress.layout.display = "none"
        self._frame(force=True)

    def _prepare_run(self) -> None:
        if self.trainer.diverged:  # a new attempt, presumably with a smaller learning rate
            self.trainer.resume()
        self._rates.clear()
        self._rates.append((time.perf_counter(), self.trainer.step))

    def _set_playing(self, playing: bool) -> None:
        self._playing = playing
        with self.play_button.hold_sync():
            self.play_button.description = "⏸ Pause" if playing else "▶ Play"
            self.play_button.button_style = "warning" if playing else "success"

    def _start(self, stop_at: int | None) -> None:
        if self._playing:
            return
        if _running_loop() is None:
            raise RuntimeError(
                "play() trains in the background on a running asyncio event loop, as in "
                "Jupyter; in a plain script call dash.run(steps=...) instead"
            )
        self._prepare_run()
        self._gen += 1
        self._set_playing(True)
        self.progress.layout.display = "none"
        token = object()
        with self._inbox_lock:
            self._runner = (threading.get_ident(), token)
        self._task = asyncio.ensure_future(self._play_loop(self._gen, stop_at, token))

    async def _play_loop(self, gen: int, stop_at: int | None, token) -> None:
        trainer = self.trainer
        try:
            while True:
                self._drain(token)  # clicks that arrived on another thread act here
                if gen != self._gen:
                    break
                remaining = None if stop_at is None else stop_at - trainer.step
                if remaining is not None and remaining <= 0:
                    break
                self._note_chunk(trainer.run_for(self._chunk_seconds(), remaining))
                if trainer.diverged:
                    break
                self._frame()
                await asyncio.sleep(0)  # the kernel handles clicks and slider moves here
        except Exception as exc:  # a background task's error would otherwise vanish unseen
            self._notice = (f"Training stopped: {type(exc).__name__}: {exc}", math.inf)
            raise
        finally:
            if gen == self._gen:  # ended by itself (divergence, N steps done, cancelled)
                self._gen += 1
                self._after_run()
            self._task = None
            self._release_runner(token)

    def _chunk_seconds(self) -> float:
        """Run steps until the loss curve's next frame is due, but never longer than
        CHUNK_SECONDS: frames land on time (no beat between the chunk length and the frame
        interval) and a click never waits longer than one chunk."""
        until_frame = self._curve_clock.next_time() - time.perf_counter()
        return min(CHUNK_SECONDS, max(0.002, until_frame))

    def _after_run(self) -> None:
        self._set_playing(False)
        if self.trainer.diverged:
            h = self.history
            self._mark = (h.diverged_at, self.trainer.lr)
        self._frame(force=True)

    def _note_chunk(self, steps: int) -> None:
        s = self.stats
        s["chunks"] += 1
        s["chunk_steps"] += steps
        s["last_chunk_steps"] = steps
        s["max_chunk_steps"] = max(s["max_chunk_steps"], steps)
        self._rates.append((time.perf_counter(), self.trainer.step))

    @property
    def steps_per_second(self) -> float | None:
        """SGD steps per second over the last second or so of running (None when idle)."""
        if len(self._rates) < 2:
            return None
        now_t, now_s = self._rates[-1]
        then_t, then_s = next((t, s) for t, s in self._rates if now_t - t <= 1.5)
        return (now_s - then_s) / (now_t - then_t) if now_t > then_t else None

    # ------------------------------------------------------------------ drawing
    def _frame(self, force: bool = False) -> None:
        now = time.perf_counter()
        if force or self._curve_clock.due(now):
            start = time.perf_counter()
            self._draw_curve()
            self._curve_clock.record(start, time.perf_counter(), force)
        if self._map is not None and (force or self._map_clock.due(now)):
            start = time.perf_counter()
            self.map_image.value = self._map.render()
            self._map_clock.record(start, time.perf_counter(), force)
        if force or self._diagram_clock.due(now):
            start = time.perf_counter()
            self.diagram.refresh()
            self._diagram_clock.record(start, time.perf_counter(), force)

    def _draw_curve(self) -> None:
        t = self.trainer
        if t.step != self._last_eval_step or self._last["loss"] is None:
            loss, val = t.evaluate()
            self._last.update(loss=loss, val=val)
            if t.step == 0:  # before the first step: the full-batch gradient at the start
                with np.errstate(all="ignore"):
                    self._last["grad"] = self.net.gradients(t.X, t.T).norm()
            if self._classify:
                self._last["acc"] = self._accuracy(t.X, t.T)
                self._last["val_acc"] = (
                    self._accuracy(t.X_val, t.T_val) if t.X_val is not None else None
                )
            self._last_eval_step = t.step
        show_batch = self.batch_size is not None
        self.loss_image.value = self._curve.render(
            self.history,
            show_batch=show_batch,
            mark=self._mark,
            current=(t.step, self._last["loss"]),
        )
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
        grad = h.grad_norm[-1] if h.steps else last["grad"]
        if self._playing:
            status, color = "● training", "#1f9d55"
        elif t.diverged:
            status, color = "■ diverged", "#c0392b"
        else:
            status, color = "■ paused", "var(--jp-ui-font-color2, #666)"
        items = [("step", f"{t.step:,}", "step")]
        if self.batch_size is not None:  # with the full batch, epochs are steps
            items.append(("epoch", f"{t.epoch:.1f}", "epoch"))
        items.append(("loss", _fmt(last["loss"]), "loss"))
        if last["val"] is not None:
            items.append(("val loss", _fmt(last["val"]), "val-loss"))
        items.append(("|∇L|", _fmt(grad, 3), "grad"))
        if last["acc"] is not None:
            acc = f"{100 * last['acc']:.1f}%"
            if last["val_acc"] is not None:
                acc += f" (val {100 * last['val_acc']:.1f}%)"
            items.append(("accuracy", acc, "accuracy"))
        rate = self.steps_per_second if self._playing else None
        if rate is not None:
            items.append(("steps/s", f"{rate:,.0f}", "rate"))
        cells = "".join(
            f'<span style="white-space:nowrap">'
            f'<span style="color:var(--jp-ui-font-color2,#666)">{html.escape(label)}</span> '
            f'<b data-field="{key}">{html.escape(value)}</b></span>'
            for label, value, key in items
        )
        # a wrapping flex row: on a narrow screen (or a zoomed projector) items go to a new line
        self.readout.value = (
            f'<div style="display:flex;flex-wrap:wrap;column-gap:1.3em;font-size:15px;'
            f'line-height:1.6;font-variant-numeric:tabular-nums">'
            f'<span data-field="status" style="color:{color};white-space:nowrap">{status}</span>'
            f"{cells}</div>"
        )

    def _update_message(self) -> None:
        t, h = self.trainer, self.history
        text, kind = "", None
        if t.diverged:
            text, kind = h.message, "error"
        elif self._mark is not None and h.steps <= self._mark[0]:
            text, kind = (
                f"Training had diverged at step {self._mark[0]}; it goes on from step {t.step} "
                f"with lr = {t.lr:g}.",
                "info",
            )
        elif h.steps >= 100 and self._last["loss"] is not None:
            start, now = t.initial_loss, self._last["loss"]
            if now > 1.5 * start:
                text, kind = (
                    f"The loss is higher than where it started ({_fmt(start, 3)} → {_fmt(now, 3)}): "
                    f"the learning rate lr = {t.lr:g} is probably too large. Try lr = {t.lr / 10:g}.",
                    "warning",
                )
            elif h.steps >= 1000 and now > 0.5 * start:
                recent = h.loss[-500:]
                if abs(recent[0] - recent[-1]) < 0.01 * recent[0] and self.batch_size is None:
                    text, kind = (
                        f"The loss has barely moved in the last 500 steps ({_fmt(recent[0], 3)} → "
                        f"{_fmt(recent[-1], 3)}): the learning rate lr = {t.lr:g} may be too small. "
                        f"Try lr = {t.lr * 10:g}.",
                        "warning",
                    )
        if not text and self._notice is not None:
            if time.perf_counter() < self._notice[1]:
                text, kind = self._notice[0], "warning"
            else:
                self._notice = None
        self._message_text = text
        if not text:
            value = ""
        else:
            colors = {
                "error": ("#fdecea", "#c0392b"),
                "warning": ("#fff4e0", "#b26a00"),
                "info": ("#eaf2fb", "#2f6fb7"),
            }
            bg, fg = colors[kind]
            value = (
                f'<div data-kind="{kind}" style="background:{bg};color:{fg};border-left:4px solid {fg};'
                f'padding:6px 10px;margin:4px 0;font-size:14px;max-width:1000px">{html.escape(text)}</div>'
            )
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

    @staticmethod
    def _slider_value(lr: float) -> float:
        lo, hi = LR_SLIDER_RANGE
        return min(max(lr, 10.0**lo), 10.0**hi)

    def _set_lr(self, value, source: str | None) -> None:
        lr = check_lr(value)
        self.trainer.lr = lr
        with self._sync():
            if source != "slider":
                self.lr_slider.value = self._slider_value(lr)
            if source != "text":
                self.lr_text.value = lr
        if not self._playing:
            self._update_message()

    def _on_lr_slider(self, change) -> None:
        if self._syncing:
            return
        # The browser snaps the slider to its grid (0.5 shows as 10^-0.3 = 0.501) and sends
        # that back: a move of less than half a slider step is that echo, not a user's drag.
        shown = self._slider_value(self.trainer.lr)
        if abs(math.log10(change["new"]) - math.log10(shown)) < self.lr_slider.step / 2:
            return
        value = float(f"{change['new']:.3g}")
        self._dispatch(lambda: self._set_lr(value, source="slider"))

    def _on_lr_text(self, change) -> None:
        if self._syncing:
            return
        self._dispatch(lambda: self._typed_lr(change["new"]))

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

    @staticmethod
    def _mode_of(batch_size) -> str:
        return "full" if batch_size is None else "single" if batch_size == 1 else "mini"

    def _on_batch_widgets(self, change) -> None:
        if not self._syncing:
            self._dispatch(self._apply_batch_widgets)

    def _apply_batch_widgets(self) -> None:
        mode = self.batch_mode.value
        self.batch_size_box.disabled = mode != "mini"
        size = {"full": None, "single": 1}.get(mode, self.batch_size_box.value)
        if size is not None and size >= self.trainer.n_samples:
            size = None
        self.trainer.batch_size = size
        if not self._playing:
            self._frame(force=True)

    def _on_step_n_count(self, change) -> None:
        self.step_n_button.description = f"Step ×{change['new']}"

    def _on_dataset(self, change) -> None:
        self._dispatch(lambda: self._switch_dataset(change["new"]))

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
        self._reset()

    @staticmethod
    def _check_steps(value, name: str, at_least: int = 0) -> int:
        return validation.integer(value, name, at_least)
