"""Two ways to keep redraws few while a network trains thousands of steps a second.

- :class:`TrailingRedraw`: a view that *follows* a network trained elsewhere (a diagram or an
  explorer, while ``bw.train`` runs in another cell) hears about every SGD step. It redraws at
  once when its last redraw is older than ``interval``; otherwise it schedules one trailing
  redraw on the kernel's event loop, so the view always ends on the latest state. Without a
  running loop (a plain script, a test) every call runs at once.
- :class:`FrameBudget`: a view that the *trainer itself* draws between chunks of steps (the
  dashboard's loss curve, decision map and diagram) asks whether its next frame is due: at most
  ``fps`` frames per second and at most ``share`` of the last second spent drawing it.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Callable


class TrailingRedraw:
    """Call ``callback`` at most once per ``interval`` seconds, always ending with a last call."""

    def __init__(self, callback: Callable[[], None], interval: float = 0.2):
        self._callback = callback
        self._interval = interval
        self._last = float("-inf")
        self._pending = False
        try:
            self._loop = asyncio.get_running_loop()  # the kernel's loop, when made in a cell
        except RuntimeError:
            self._loop = None

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self._last >= self._interval or self._loop is None or not self._loop.is_running():
            self._run()
        elif not self._pending:
            self._pending = True
            delay = self._interval - (now - self._last)
            # call_soon_threadsafe: the change may come from a widget callback's thread
            self._loop.call_soon_threadsafe(self._loop.call_later, delay, self._trailing)

    def _trailing(self) -> None:
        self._pending = False
        self._run()

    def _run(self) -> None:
        self._last = time.monotonic()
        self._callback()


class FrameBudget:
    """Say when a view is due: at most ``fps`` frames per second, and at most ``share`` of the
    last second spent rendering it.

    A sliding window rather than an average of costs: one slow full redraw (new axis limits)
    uses up part of a second's budget instead of slowing the view down for many frames. Times
    are whatever clock the caller passes (``time.perf_counter`` in the dashboard).

    >>> budget = FrameBudget(fps=10, share=0.5)
    >>> budget.due(0.0)
    True
    >>> budget.record(0.0, 0.01); budget.due(0.05), budget.due(0.1)
    (False, True)
    """

    WINDOW = 1.0

    def __init__(self, fps: float, share: float):
        self.min_interval = 1.0 / fps
        self.share = share
        self.last = -math.inf
        self.frames = 0
        self.seconds = 0.0
        self._recent: collections.deque = collections.deque()  # (start, seconds)
        self._recent_sum = 0.0

    def set_rate(self, fps: float, share: float) -> None:
        """A new cap and budget from the next frame on (the dashboard's speed changed)."""
        self.min_interval = 1.0 / fps
        self.share = share

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
