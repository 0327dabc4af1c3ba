"""The dashboard's control handlers: what a slider move, a typed value or a pick does.

:class:`ControlHandlers` is the part of ``TrainingDashboard`` that listens to its own widgets
(built by ``training_layout.build_controls``). Each handler hands the change to the player
(``player.dispatch``): it acts at once, or, while another thread trains, on that thread
between two chunks, so a typed value never lands in the middle of a step. Updates the
dashboard makes to its own widgets (an echo of a change) are made under :meth:`_sync`, and
observers skip them.
"""

from __future__ import annotations

import contextlib
import time

from ..core.errors import BackpropInputError
from ..core.training import check_batch_size, check_lr
from .training_html import speed_label
from .training_layout import (
    DEFAULT_MINI_BATCH,
    LR_SLIDER_RANGE,
    is_echo,
    log_slider_value,
    mode_of,
    slider_speed,
    speed_slider_value,
)

BATCH_OF_MODE = {"full": None, "single": 1}  # "mini": the size box


class ControlHandlers:
    """Mixed into ``TrainingDashboard``: needs ``trainer``, ``player``, ``_views`` (the
    ``DashboardViews``), the control widgets and ``_local`` (a ``threading.local``)."""

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
        self._style.observe(self._on_theme, names="theme")

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

    # ------------------------------------------------------------------ learning rate
    def _set_lr(self, value, source: str | None) -> None:
        lr = check_lr(value)
        self.trainer.lr = lr
        self._show_lr(lr, source)
        if not self.player.playing:
            self._views.update_message()

    def _show_lr(self, lr: float, source: str | None = None) -> None:
        with self._sync():
            if source != "slider":
                self.lr_slider.value = log_slider_value(lr, *LR_SLIDER_RANGE)
            if source != "text":
                self.lr_text.value = lr

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
            self._views.notice = (
                f"{exc}. The learning rate stays {self.trainer.lr:g}.",
                time.perf_counter() + 8.0,
            )
            self._views.update_message()

    # ------------------------------------------------------------------ speed
    def _set_speed(self, speed: float | None, source: str | None) -> None:
        self.player.speed = speed
        self._views.apply_speed(speed)
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

    # ------------------------------------------------------------------ batch size
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
        self._schedule_validation()
        self._views.frame(force=True)

    def _on_batch_widgets(self, change) -> None:
        if not self._syncing:
            self.player.dispatch(self._apply_batch_widgets)

    def _apply_batch_widgets(self) -> None:
        mode = self.batch_mode.value
        self.batch_size_box.disabled = mode != "mini"
        size = BATCH_OF_MODE.get(mode, self.batch_size_box.value)
        if size is not None and size >= self.trainer.n_samples:
            size = None
        self.trainer.batch_size = size
        self._schedule_validation()
        if not self.player.playing:
            self._views.frame(force=True)

    def _on_step_n_count(self, change) -> None:
        self.step_n_button.description = f"Step ×{change['new']}"

    # ------------------------------------------------------------------ data and theme
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
        self.trainer.batch_size = BATCH_OF_MODE.get(mode, self.batch_size_box.value)
        self._schedule_validation()
        self._views.set_data(X, T, X_val, T_val)
        self._reset()

    def _on_theme(self, change) -> None:
        """The page reported its colours (a theme switch, or the first render)."""
        self.player.dispatch(lambda: self._views.set_theme(change["new"]))
