"""Coalesce bursts of parameter changes into a few redraws.

A view that follows a network hears about every SGD step: thousands per second while a
dashboard (or ``bw.train`` in another cell) trains the same network. Redrawing on each one
would flood the browser and slow training to the redraw rate. A ``Throttle`` runs its
callback at once when the last run is older than ``interval``; otherwise it schedules one
trailing run on the kernel's event loop, so the view always ends on the latest state.
Without a running loop (a plain script, a test) every call runs at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Throttle:
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
