"""The player: one chunk loop for Play and run(), paced steps per second, hand-over and locking.

Pacing is checked on a fake clock (the loop's ``clock`` and ``sleep`` are replaced), so the
step counts are exact and no assertion depends on how fast this machine is. Where the real
clock is needed (Play on an asyncio loop), only the bound that pacing guarantees is asserted
(never more steps than the speed allows); the rate reached is printed.
"""

import asyncio
import sys
import threading

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.core.errors import BackpropInputError
from backprop_widgets.core.training import Trainer, train
from backprop_widgets.widgets.player import MAX_WAIT, Player, check_speed


class FakeClock:
    """Time that moves only when the loop sleeps."""

    def __init__(self):
        self.now = 100.0
        self.slept = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert 0 < seconds <= MAX_WAIT
        self.slept.append(seconds)
        self.now += seconds


def moons_trainer(lr=0.5):
    net, X, T = bw.presets.moons(120)
    return Trainer(net, X, T, lr=lr, eval_every=None)


def fake_player(speed=None, **callbacks):
    fake = FakeClock()
    player = Player(moons_trainer(), speed=speed, clock=fake.clock, sleep=fake.sleep, **callbacks)
    return player, fake


def exploding_trainer():
    X, T = bw.datasets.moons(100)
    net = bw.Network([2, 8, 1], activation=["relu", "linear"], loss="mse", seed=0)
    return Trainer(net, X, T, lr=5.0, eval_every=None)


# ---------------------------------------------------------------- speed on a fake clock
@pytest.mark.parametrize("speed", [1.0, 7.0, 50.0, 400.0])
def test_a_paced_run_takes_steps_over_speed_seconds(speed):
    player, fake = fake_player()
    start = fake.now
    assert player.run(60, speed=speed) == 60
    # the first step is due at once, the 60th after 59 intervals
    assert fake.now - start == pytest.approx(59 / speed, abs=1.01 * MAX_WAIT)


def test_steps_taken_by_any_moment_never_exceed_the_speed():
    seen = []
    player, fake = fake_player(on_chunk=lambda steps: seen.append((fake.now, player.trainer.step)))
    start = fake.now
    player.run(200, speed=80.0)
    for now, step in seen:
        assert step <= 80.0 * (now - start) + 1 + 1e-6  # +1: the first step is due at once
        assert step >= 80.0 * (now - start) - 2  # and the loop keeps up on a fake clock


def test_a_change_of_speed_acts_at_the_next_chunk_without_a_burst():
    player, fake = fake_player()
    marks = {}

    def on_chunk(steps):
        if player.trainer.step >= 40 and "changed" not in marks:
            marks["changed"] = (fake.now, player.trainer.step)
            speed[0] = 200.0

    player.on_chunk = on_chunk
    speed = [20.0]
    start = fake.now
    gen, token = player._begin()
    for wait in player.chunks(gen, token, 240, lambda: speed[0]):
        if wait:
            fake.sleep(wait)
    player._finish(gen, token)
    changed_at, changed_step = marks["changed"]
    assert changed_step == 40
    assert changed_at - start == pytest.approx(39 / 20.0, abs=1.01 * MAX_WAIT)
    # 200 more steps at 200/s: about one second, no catching up on the slow part
    assert fake.now - changed_at == pytest.approx(200 / 200.0, abs=2.01 * MAX_WAIT)


def test_full_speed_never_sleeps():
    player, fake = fake_player()
    player.run(500)
    assert fake.slept == [] and player.trainer.step == 500


def test_a_paced_loop_that_fell_behind_does_not_burst():
    player, fake = fake_player()
    chunk_sizes = []

    def on_chunk(steps):
        chunk_sizes.append(steps)
        if player.trainer.step == 10:
            fake.now += 5.0  # the kernel was busy for 5 s (a long cell, a slow frame)

    player.on_chunk = on_chunk
    player.run(40, speed=20.0)
    assert max(chunk_sizes) <= 20.0 * 0.25 + 1  # not the 100 steps "owed" for those 5 s


@pytest.mark.parametrize("bad", [0, -3, float("nan"), float("inf"), "fast", True])
def test_speed_is_validated_by_the_cores_helpers(bad):
    with pytest.raises(BackpropInputError, match=r"speed must be a positive, finite number"):
        check_speed(bad)
    player, _ = fake_player()
    with pytest.raises(BackpropInputError, match=r"speed must be .*SGD steps per second"):
        player.speed = bad
    assert check_speed(None) is None and check_speed(12) == 12.0


# ---------------------------------------------------------------- one loop, two drivers
def play_until_stopped(player, stop_at=None, timeout=60.0):  # generous: a busy machine
    async def go():
        player.start(stop_at)
        for _ in range(int(timeout / 0.01)):
            if not player.playing:
                return
            await asyncio.sleep(0.01)
        player.stop()

    asyncio.run(go())


def drive(player, how: str, steps: int):
    if how == "run":
        return player.run(steps)
    start = player.trainer.step
    play_until_stopped(player, stop_at=start + steps)
    return player.trainer.step - start


@pytest.mark.parametrize("how", ["run", "play"])
def test_both_drivers_take_exactly_the_steps_asked_and_match_bw_train(how):
    events = []
    net, X, T = bw.presets.moons(120)
    reference = net.copy()
    player = Player(
        Trainer(net, X, T, lr=0.5, batch_size=16, seed=3, eval_every=None),
        on_start=lambda: events.append("start"),
        on_stop=lambda: events.append("stop"),
        on_chunk=lambda steps: events.append(steps),
    )
    assert drive(player, how, 300) == 300
    expected = train(reference, X, T, lr=0.5, steps=300, batch_size=16, seed=3)
    assert np.array_equal(player.trainer.history.loss, expected.loss)
    assert events[0] == "start" and events[-1] == "stop" and events.count("stop") == 1
    assert sum(e for e in events if isinstance(e, int)) == 300
    assert not player.playing


@pytest.mark.parametrize("how", ["run", "play"])
def test_both_drivers_stop_on_divergence_and_call_on_stop_once(how):
    stops = []
    player = Player(exploding_trainer(), on_stop=lambda: stops.append(player.trainer.step))
    taken = drive(player, how, 10_000)
    assert player.trainer.diverged and taken < 10_000
    assert stops == [player.trainer.step] and not player.playing


@pytest.mark.parametrize("how", ["run", "play"])
def test_an_action_from_another_thread_runs_on_the_training_thread_between_chunks(how):
    player = Player(moons_trainer())
    training_thread = threading.get_ident()
    seen = []

    def from_elsewhere():
        # the thread that calls dispatch waits until the training thread has run the action
        player.dispatch(lambda: seen.append((threading.get_ident(), player.trainer.step)))
        player.dispatch(player.stop)

    def on_chunk(steps):
        if player.trainer.step >= 50 and not helper.is_alive() and not seen:
            helper.start()

    helper = threading.Thread(target=from_elsewhere)
    player.on_chunk = on_chunk
    if how == "run":
        player.run(10**8)
    else:
        play_until_stopped(player)
    helper.join()
    assert seen and seen[0][0] == training_thread
    assert not player.playing and player.trainer.step < 10**8


def test_a_stale_play_task_stops_when_the_generation_moves_on():
    player = Player(moons_trainer())

    async def go():
        player.start()
        player.stop()  # before the task ever ran a chunk
        await asyncio.sleep(0.05)

    asyncio.run(go())
    assert player.trainer.step == 0 and not player.playing


def test_play_without_a_running_loop_says_what_to_do():
    player = Player(moons_trainer())
    with pytest.raises(RuntimeError, match=r"dash.run\(steps=...\)"):
        player.start()


# ---------------------------------------------------------------- locking
def test_reads_under_the_lock_never_see_a_half_updated_network():
    """Another thread snapshots the network as fast as it can while Play trains it on the
    loop's thread: each snapshot is exactly the parameters after its number of steps."""
    # Paced at 4,000 steps/s the loop sleeps between chunks (asyncio.sleep > 0), so the reader
    # is sure to get the lock between them; at full speed the loop re-took the lock before the
    # reader woke, on a busy 2-core CI machine, and the reader saw only steps 0 and 2000.
    STEPS = 2000
    net, X, T = bw.presets.moons(120)
    replay = Trainer(net.copy(), X, T, lr=0.5, eval_every=None)
    after = [replay.net.parameter_vector]
    for _ in range(STEPS):
        replay.run(1)
        after.append(replay.net.parameter_vector)
    player = Player(Trainer(net, X, T, lr=0.5, eval_every=None), speed=4000.0)
    snapshots, done = [], threading.Event()

    def reader():
        while not done.is_set():
            with player.lock:
                snapshots.append((player.trainer.step, net.parameter_vector))

    thread = threading.Thread(target=reader)

    async def go():
        player.start(stop_at=STEPS)
        thread.start()
        while player.playing:
            await asyncio.sleep(0.002)
        done.set()

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # the threads take turns every few bytecodes: torn reads show
    try:
        asyncio.run(go())
    finally:
        sys.setswitchinterval(switch)
    thread.join()
    steps_seen = {step for step, _ in snapshots}
    assert len(steps_seen) >= 3
    torn = [step for step, params in snapshots if not np.array_equal(params, after[step])]
    assert torn == [], f"{len(torn)} of {len(snapshots)} reads saw a half-updated network"


def test_an_action_while_idle_runs_at_once_under_the_lock():
    player = Player(moons_trainer())
    owned = []
    player.dispatch(lambda: owned.append(player.lock._is_owned()))
    assert owned == [True]


def test_real_clock_play_never_exceeds_the_speed(capsys):
    player = Player(moons_trainer(), speed=100.0)
    times = {}

    async def go():
        loop = asyncio.get_running_loop()
        player.start()
        times["start"] = loop.time()
        await asyncio.sleep(0.8)
        times["end"], times["steps"] = loop.time(), player.trainer.step
        times["measured"] = player.steps_per_second
        player.stop()

    asyncio.run(go())
    elapsed = times["end"] - times["start"]
    assert times["steps"] <= 100.0 * elapsed + 2
    with capsys.disabled():
        print(
            f"\n[player] speed 100/s on the real clock: {times['steps'] / elapsed:.0f} steps/s "
            f"over {elapsed:.2f} s (steps_per_second: {times['measured']:.0f})"
        )
