"""The dashboard's player: runs a Trainer chunk by chunk, paced, and hands clicks to one thread.

*One chunk loop.* :meth:`Player.chunks` is the only loop that trains: each turn runs the
actions other threads queued, then SGD for at most ``CHUNK_SECONDS`` (or as many steps as the
speed allows), then lets the host draw what is due, then yields how long to wait before the
next turn. Play drives it from an asyncio task (``await asyncio.sleep(wait)``: the kernel
handles clicks and other cells in between); ``run()`` drives it in a plain loop that blocks
the cell (``time.sleep(wait)``). Both stop when the generation counter moves on (Pause, Reset,
a new run), after ``stop_at`` steps, or on divergence.

*Speed.* ``speed`` is SGD steps per second, or None for as fast as it can. A paced loop keeps
an anchor (time, step) and takes the steps that are due by now; it sleeps until both the next
step and the next frame are due, so a 50 steps/s run wakes about 30 times a second and
draws a frame each time. Changing ``speed`` re-anchors the loop at its next turn, so the new
rate acts at once, without a burst to "catch up".

*Threads.* JupyterLab 4.6 sends widget messages on a kernel subshell, which ipykernel 7 runs
in a thread of its own, so a click can land while another thread is in the middle of a chunk.
Every action goes through :meth:`Player.dispatch`: while another thread is training, the
action is queued and run by that thread between two chunks (the caller waits for it);
otherwise it runs at once under :attr:`Player.lock`. The training thread holds the same lock
during each chunk and its frame, so an action or a read under the lock never sees or writes a
half-updated network.
"""

from __future__ import annotations

import asyncio
import collections
import math
import threading
import time
from collections.abc import Callable, Iterator

from ..core import validation
from ..core.training import Trainer

CHUNK_SECONDS = 0.025
MAX_WAIT = 0.05  # a paced loop wakes at least this often: queued clicks never wait longer
MAX_LAG = 0.25  # a paced loop that fell further behind than this re-anchors instead of bursting
DISPATCH_TIMEOUT = 2.0


def check_speed(value, argname: str = "speed") -> float | None:
    """SGD steps per second while playing: a positive number, or None for as fast as it can."""
    if value is None:
        return None
    return validation.positive_number(value, argname, "SGD steps per second; None: full speed")


def running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Player:
    """Trains ``trainer`` for a host view, in chunks, at ``speed`` steps per second.

    The host gives four callbacks: ``on_start()`` and ``on_stop()`` when playing starts and
    stops (after a stop the host draws a final frame), ``on_chunk(steps)`` after each chunk
    (the host draws the views that are due), and ``frame_due_at()``, the ``clock()`` time of
    the host's next frame (chunks end there, so frames land on time; ``inf``: no frames).
    ``clock`` and ``sleep`` can be replaced (a test's fake clock).
    """

    def __init__(
        self,
        trainer: Trainer,
        *,
        on_start: Callable[[], None] = lambda: None,
        on_stop: Callable[[], None] = lambda: None,
        on_chunk: Callable[[int], None] = lambda steps: None,
        frame_due_at: Callable[[], float] = lambda: math.inf,
        speed: float | None = None,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.trainer = trainer
        self.on_start, self.on_stop, self.on_chunk = on_start, on_stop, on_chunk
        self.frame_due_at = frame_due_at
        self.clock, self.sleep = clock, sleep
        self._speed = check_speed(speed)
        self.lock = threading.RLock()  # held by whoever touches the network: a chunk, an action
        self.generation = 0  # moved on by every stop: a loop of an older generation ends
        self.playing = False
        self.error: BaseException | None = None  # what stopped the last background run
        self._task: asyncio.Future | None = None
        self._runner: tuple[int, object] | None = None  # (thread, token) of the training loop
        self._inbox: collections.deque = collections.deque()  # actions queued for that thread
        self._inbox_lock = threading.Lock()
        self._rates: collections.deque = collections.deque(maxlen=64)  # (time, step)
        self.stats = {"chunks": 0, "chunk_steps": 0, "max_chunk_steps": 0, "last_chunk_steps": 0}

    # ------------------------------------------------------------------ speed
    @property
    def speed(self) -> float | None:
        """Steps per second while playing (None: as fast as it can); acts at the next chunk."""
        return self._speed

    @speed.setter
    def speed(self, value) -> None:
        self._speed = check_speed(value)

    @property
    def steps_per_second(self) -> float | None:
        """SGD steps per second measured over the last second or so of running (None: idle)."""
        if len(self._rates) < 2:
            return None
        now_t, now_s = self._rates[-1]
        then_t, then_s = next((t, s) for t, s in self._rates if now_t - t <= 1.5)
        return (now_s - then_s) / (now_t - then_t) if now_t > then_t else None

    def clear_rates(self) -> None:
        self._rates.clear()
        self._rates.append((self.clock(), self.trainer.step))

    # ------------------------------------------------------------------ the chunk loop
    def chunks(
        self, gen: int, token, stop_at: int | None, speed: Callable[[], float | None]
    ) -> Iterator[float]:
        """The training loop shared by Play and ``run()``: one chunk per turn while ``gen``
        is the current generation and ``token`` the runner; yields the seconds to wait before
        the next turn. ``speed()`` is read every turn."""
        trainer, clock = self.trainer, self.clock
        pace = None  # (anchor time, anchor step, rate) of a paced loop
        while True:
            with self.lock:
                self._drain(token)  # clicks that arrived on another thread act here
                if gen != self.generation:
                    return
                remaining = None if stop_at is None else stop_at - trainer.step
                if remaining is not None and remaining <= 0:
                    return
                now, rate = clock(), speed()
                if rate is None:
                    pace, allowed = None, remaining
                else:
                    if pace is None or pace[2] != rate:
                        # a new anchor: the first step of a run is due now, after a change of
                        # speed the next one is due one new interval later
                        pace = (now - (1.0 / rate if pace is None else 0.0), trainer.step, rate)
                    # (+1e-6: a step due "now" by _wait's sum is due, whatever the rounding)
                    due = math.floor((now - pace[0]) * rate + 1e-6) - (trainer.step - pace[1])
                    if due > MAX_LAG * rate + 1:  # fell behind (a slow frame, a busy kernel)
                        pace, due = (now - 1.0 / rate, trainer.step, rate), 1
                    allowed = due if remaining is None else min(due, remaining)
                if allowed is None or allowed > 0:
                    done = trainer.run_for(self._chunk_seconds(now), allowed)
                    self._note_chunk(done)
                    if done == 0 or trainer.diverged:
                        return
                    self.on_chunk(done)
                wait = 0.0 if pace is None else self._wait(pace, clock())
            yield wait

    def _chunk_seconds(self, now: float) -> float:
        """Run steps until the host's next frame is due, but never longer than CHUNK_SECONDS:
        frames land on time (no beat between the chunk length and the frame interval) and a
        click never waits longer than one chunk."""
        return min(CHUNK_SECONDS, max(0.002, self.frame_due_at() - now))

    def _wait(self, pace: tuple[float, int, float], now: float) -> float:
        """Until the next step and the next frame are both due (at most MAX_WAIT)."""
        t0, s0, rate = pace
        at = t0 + (self.trainer.step - s0 + 1) / rate  # the next step
        frame = self.frame_due_at()
        if math.isfinite(frame):  # no host frames (inf): wake for the steps alone
            at = max(at, frame)
        return min(MAX_WAIT, max(0.0, at - now))

    def _note_chunk(self, steps: int) -> None:
        s = self.stats
        s["chunks"] += 1
        s["chunk_steps"] += steps
        s["last_chunk_steps"] = steps
        s["max_chunk_steps"] = max(s["max_chunk_steps"], steps)
        self._rates.append((self.clock(), self.trainer.step))

    # ------------------------------------------------------------------ the two drivers
    def start(self, stop_at: int | None = None) -> None:
        """Train in the background on the running asyncio loop (Play, Step xN) until stopped
        or ``stop_at`` steps; at the current ``speed``, which may change while it plays."""
        if self.playing:
            return
        if running_loop() is None:
            raise RuntimeError(
                "play() trains in the background on a running asyncio event loop, as in "
                "Jupyter; in a plain script call dash.run(steps=...) instead"
            )
        gen, token = self._begin()
        self._task = asyncio.ensure_future(self._play(gen, token, stop_at))

    async def _play(self, gen: int, token, stop_at: int | None) -> None:
        try:
            for wait in self.chunks(gen, token, stop_at, lambda: self._speed):
                await asyncio.sleep(wait)  # the kernel handles clicks and slider moves here
        except Exception as exc:  # a background task's error would otherwise vanish unseen
            self.error = exc
            raise
        finally:
            self._task = None
            self._finish(gen, token)

    def run(self, steps: int, speed: float | None = None) -> int:
        """Train ``steps`` steps now, blocking, at ``speed`` (None: as fast as it can).
        Returns the steps taken (fewer when stopped or diverged)."""
        speed = check_speed(speed)
        self.stop()
        start = self.trainer.step
        gen, token = self._begin()
        try:
            for wait in self.chunks(gen, token, start + steps, lambda: speed):
                if wait > 0:
                    self.sleep(wait)
        finally:
            self._finish(gen, token)
        return self.trainer.step - start

    def stop(self) -> None:
        """Stop the running loop (it sees the new generation before its next chunk)."""
        with self.lock:
            if not self.playing:
                return
            self.generation += 1
            self.playing = False
            self.on_stop()

    def _begin(self):
        token = object()
        with self._inbox_lock:
            self._runner = (threading.get_ident(), token)
        self.error = None
        self.generation += 1
        self.clear_rates()
        self.playing = True
        self.on_start()
        return self.generation, token

    def _finish(self, gen: int, token) -> None:
        try:
            with self.lock:
                if gen == self.generation:  # ended by itself (divergence, N steps, an error)
                    self.generation += 1
                    self.playing = False
                    self.on_stop()
        finally:
            self._release_runner(token)

    # ------------------------------------------------------------------ threads
    def dispatch(self, action: Callable[[], object]):
        """Run ``action`` now (under the lock), or, if another thread is training, on that
        thread between two chunks, waiting up to DISPATCH_TIMEOUT seconds for it to be done."""
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
            with self.lock:
                return action()
        done.wait(timeout=DISPATCH_TIMEOUT)
        if errors:
            raise errors[0]
        return None

    def _drain(self, token) -> None:
        """Run the actions other threads queued, as long as this loop (``token``) is still
        the one training. Called by the training thread between chunks, under the lock."""
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
        with self.lock:
            for job in jobs:
                job()
