"""The dashboard's control handlers: what a click, a slider move, a typed value or a pick does.

The page (``static/training.js``) draws the controls from the ``controls`` trait and reports
what a student does as a message (``{"type": "lr", "text": "0.2"}``); :class:`ControlHandlers`
(part of ``TrainingDashboard``) reads it. Each handler hands the change to the player
(``player.dispatch``): it acts at once, or, while another thread trains, on that thread
between two chunks, so a typed value never lands in the middle of a step. Whatever the
message, Python decides the new state and writes the ``controls`` trait back: the page shows
what Python took (a refused learning rate goes back to the one in use).
"""

from __future__ import annotations

import contextlib
import math
import time

from ..core import validation
from ..core.errors import BackpropInputError
from ..core.training import check_batch_size, check_lr
from .training_layout import (
    DEFAULT_MINI_BATCH,
    LR_SLIDER_RANGE,
    LR_SLIDER_STEP,
    SPEED_SLIDER_STEP,
    controls_state,
    is_echo,
    log_slider_value,
    mode_of,
    slider_speed,
    speed_slider_value,
)

BATCH_OF_MODE = {"full": None, "single": 1}  # "mini": the size box


class ControlHandlers:
    """Mixed into ``TrainingDashboard``: needs ``trainer``, ``player``, ``_views`` (the
    ``DashboardViews``) and the ``controls`` trait."""

    def _on_msg(self, _widget, content, buffers) -> None:
        """A message from the page: a control used, the page's theme, a request to resend, a
        click on the diagram."""
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        handler = {
            "play": lambda: self.player.dispatch(self._toggle),
            "step": self.step,
            "step_n": lambda: self.step_n(),
            "step_n_count": lambda: self._on_step_n_count(content.get("n")),
            "reset": self.reset,
            "lr": lambda: self._on_lr(content),
            "speed": lambda: self._on_speed_slider(content.get("position")),
            "batch": lambda: self._on_batch(content),
            "dataset": lambda: self._on_dataset(content.get("name")),
            "theme": lambda: self._on_theme(content.get("theme")),
            "resend": lambda: self.player.dispatch(self._views.resend),
        }.get(kind)
        if handler is not None:
            handler()
        else:  # the diagram's own: a click on a weight ("select")
            self._on_front_end_msg(_widget, content, buffers)

    def _show_controls(self, **changes) -> None:
        """The controls as Python now has them, for the page to draw."""
        t = self.trainer
        size = changes.pop("mini_size", self.controls.get("batch_size"))
        state = controls_state(
            steps_per_click=self._steps_per_click, lr=t.lr, speed=self.player.speed,
            n=t.n_samples, batch_size=self.batch_size, datasets=self._datasets,
            dataset=self._dataset, mini_size=size,
        )  # fmt: skip
        state.update(changes)
        self.controls = state

    # ------------------------------------------------------------------ learning rate
    def _set_lr(self, value, source: str | None = None) -> None:
        lr = check_lr(value)
        self.trainer.lr = lr
        self._show_lr(lr)
        if not self.player.playing:
            self._views.update_message()

    def _show_lr(self, lr: float, source: str | None = None) -> None:
        self._show_controls()

    def _on_lr(self, content: dict) -> None:
        if content.get("source") == "slider":
            position = content.get("position")
            if not isinstance(position, (int, float)) or not math.isfinite(position):
                return
            shown = log_slider_value(self.trainer.lr, *LR_SLIDER_RANGE)
            if is_echo(LR_SLIDER_STEP, 10.0**position, shown):
                return
            value = float(f"{10.0**position:.3g}")
            self.player.dispatch(lambda: self._set_lr(value, source="slider"))
        else:
            text = content.get("text")
            self.player.dispatch(lambda: self._typed_lr(text))

    def _typed_lr(self, text) -> None:
        try:
            value = float(str(text).strip().replace("−", "-"))
        except (TypeError, ValueError):
            value = str(text)[:40]
        try:
            self._set_lr(value, source="text")
        except BackpropInputError as exc:
            self._show_controls()
            self._views.notice = (
                f"{exc}. The learning rate stays {self.trainer.lr:g}.",
                time.perf_counter() + 8.0,
            )
            self._views.update_message()

    # ------------------------------------------------------------------ speed
    def _set_speed(self, speed: float | None, source: str | None = None) -> None:
        self.player.speed = speed
        self._views.apply_speed(speed)
        self._show_controls()

    def _on_speed_slider(self, position) -> None:
        if not isinstance(position, (int, float)) or not math.isfinite(position):
            return
        new = 10.0**position
        if is_echo(SPEED_SLIDER_STEP, new, speed_slider_value(self.player.speed)):
            return
        speed = slider_speed(new, SPEED_SLIDER_STEP)
        self.player.dispatch(lambda: self._set_speed(speed, source="slider"))

    # ------------------------------------------------------------------ batch size
    def _set_batch_size(self, value) -> None:
        value = check_batch_size(value, self.trainer.n_samples)
        if value == self.trainer.n_samples:
            value = None
        self.trainer.batch_size = value
        self._schedule_validation()
        self._show_controls(**({"mini_size": value} if mode_of(value) == "mini" else {}))
        self._views.frame(force=True)

    def _on_batch(self, content: dict) -> None:
        mode = content.get("mode")
        if mode not in ("full", "mini", "single"):
            return
        size = content.get("size", self.controls.get("batch_size"))
        self.player.dispatch(lambda: self._apply_batch(mode, size))

    def _apply_batch(self, mode: str, size) -> None:
        n = self.trainer.n_samples
        try:
            size = validation.integer(size, "size", 1)
        except BackpropInputError:
            size = self.controls.get("batch_size", DEFAULT_MINI_BATCH)
        size = min(size, n)
        batch = BATCH_OF_MODE.get(mode, size)
        if batch is not None and batch >= n:
            batch = None
        self.trainer.batch_size = batch
        self._schedule_validation()
        self._show_controls(mini_size=size, batch_mode=mode)
        if not self.player.playing:
            self._views.frame(force=True)

    def _on_step_n_count(self, n) -> None:
        with contextlib.suppress(BackpropInputError):  # not a count: the box shows the old one
            self._steps_per_click = validation.integer(n, "n", 1)
        self._show_controls()

    # ------------------------------------------------------------------ data and theme
    def _on_dataset(self, name) -> None:
        if self._datasets is not None and name in self._datasets:
            self.player.dispatch(lambda: self._switch_dataset(name))

    def _switch_dataset(self, name: str) -> None:
        self._pause()
        self._dataset = name
        X, T, X_val, T_val = self._datasets[name]
        self.trainer.set_data(X, T, X_val, T_val)
        n = self.trainer.n_samples
        size = self.controls.get("batch_size", DEFAULT_MINI_BATCH)
        if size >= n:
            size = min(DEFAULT_MINI_BATCH, max(1, n - 1))
        mode = self.controls.get("batch_mode", "full")
        self.trainer.batch_size = BATCH_OF_MODE.get(mode, size)
        self._schedule_validation()
        self._show_controls(mini_size=size, batch_mode=mode)
        self._views.set_data(X, T, X_val, T_val)
        self._reset()

    def _on_theme(self, report) -> None:
        """The page reported its colours (a theme switch, or the first render)."""
        if isinstance(report, dict) and report != self.page_theme:
            self.page_theme = report
            self.player.dispatch(lambda: self._views.set_theme(report))
