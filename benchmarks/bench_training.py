"""Does the live dashboard slow training down? SGD steps/s with and without the animation.

Run ``python benchmarks/bench_training.py`` (about 50 s) or ``--quick`` (about 15 s, noisy).
It prints, and never asserts:

- **baseline**: steps/s of ``[2, 16, 16, 1]`` tanh/sigmoid + bce on 512 ``moons`` points,
  full batch, with no widget: ``Trainer.run_for`` (the loop ``bw.train`` runs), and plain
  ``net.step`` for reference.
- **player, no views**: ``widgets.player.Player.run`` (the chunk loop Play and ``run()``
  share) with no host callbacks, as a ratio to the baseline: the loop's own overhead.
- **dashboard at full speed** (``speed=None``): the same network inside
  ``TrainingDashboard``'s play loop, headless: the dashboard's own asyncio task runs in a
  plain event loop for a few seconds (no browser, no kernel: widget messages are serialised
  and dropped, so the browser's share of the CPU is not counted here; the e2e test prints
  the in-browser numbers). Target: >= 70 % of the baseline. Also the frames each view drew
  per second and their mean render time.
- **dashboard paced** (the default 50 steps/s, and 200): steps/s reached against the speed
  asked, and the loss curve's frames per second (the target is 30).
- **render cost per frame**: loss curve (a blitted frame, and a full redraw when the axes
  limits change), decision map, diagram refresh: in ms, and as "SGD steps' worth" (render
  time / baseline step time).

Baseline and dashboard runs alternate (``--rounds``), so load from other processes hits them
alike; the numbers are medians over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import backprop_widgets as bw
from backprop_widgets.core.training import Trainer
from backprop_widgets.widgets.player import Player
from backprop_widgets.widgets.training import DEFAULT_SPEED, TrainingDashboard

TARGET_RATIO = 0.70
N_POINTS = 512
LR = 0.5


def make_case():
    return bw.presets.moons(N_POINTS)


def baseline_trainer(seconds: float) -> float:
    net, X, T = make_case()
    trainer = Trainer(net, X, T, lr=LR, eval_every=None)
    trainer.run(20)  # warm-up
    start = time.perf_counter()
    steps = trainer.run_for(seconds)
    return steps / (time.perf_counter() - start)


def baseline_net_step(seconds: float) -> float:
    net, X, T = make_case()
    for _ in range(20):
        net.step(X, T, LR)
    start = time.perf_counter()
    steps = 0
    while time.perf_counter() - start < seconds:
        net.step(X, T, LR)
        steps += 1
    return steps / (time.perf_counter() - start)


def player_only(seconds: float) -> float:
    """The shared chunk loop with no views: steps/s of ``Player.run`` for about ``seconds``."""
    net, X, T = make_case()
    player = Player(Trainer(net, X, T, lr=LR, eval_every=None))
    player.run(20)  # warm-up
    steps = max(100, int(baseline_trainer(0.2) * seconds))
    start = time.perf_counter()
    done = player.run(steps)
    return done / (time.perf_counter() - start)


def dashboard_play(seconds: float, warmup: float, speed=None) -> dict:
    """Play the dashboard for ``warmup + seconds`` in a plain event loop; measure the last part."""
    net, X, T = make_case()
    dash = TrainingDashboard(net, X, T, lr=LR, speed=speed)

    async def drive():
        dash.play()
        await asyncio.sleep(warmup)
        clocks = [dash._views.clocks[name] for name in ("curve", "map", "diagram")]
        frames0 = [c.frames for c in clocks]
        seconds0 = [c.seconds for c in clocks]
        step0, t0 = dash.step_count, time.perf_counter()
        await asyncio.sleep(seconds)
        step1, t1 = dash.step_count, time.perf_counter()
        dash.pause()
        elapsed = t1 - t0
        out = {"steps_per_s": (step1 - step0) / elapsed}
        for name, c, f0, s0 in zip(("curve", "map", "diagram"), clocks, frames0, seconds0):
            frames = c.frames - f0
            out[f"{name}_fps"] = frames / elapsed
            out[f"{name}_ms"] = 1000 * (c.seconds - s0) / frames if frames else float("nan")
        out["steps_per_chunk"] = dash.stats["chunk_steps"] / max(dash.stats["chunks"], 1)
        return out

    result = asyncio.run(drive())
    dash.close()
    return result


def render_costs(repeats: int) -> dict:
    """Per-frame render time of each view on a trained network, in ms (median)."""
    net, X, T = make_case()
    dash = TrainingDashboard(net, X, T, lr=LR)
    dash.run(3000)
    curve, history, views = dash._views.curve, dash.history, dash._views

    def timed(fn):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(1000 * (time.perf_counter() - start))
        return statistics.median(times)

    def curve_frame():
        dash.trainer.run(5)
        views._draw_curve()  # evaluate, readout, blit, PNG, send

    out = {
        "curve frame (blit + changed pixels' PNG + readout)": timed(curve_frame),
        "curve full redraw (new axis limits)": timed(
            lambda: (curve.full_draw(), curve.render(history))
        ),
        "decision map frame (40x40 values + boundary)": timed(views._draw_map),
        "diagram frame (337 weights + 33 pictures)": timed(views._draw_diagram),
    }
    dash.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (noisy numbers)")
    parser.add_argument("--rounds", type=int, default=None, help="baseline/dashboard alternations")
    args = parser.parse_args()
    seconds, warmup = (1.5, 0.5) if args.quick else (4.0, 1.0)
    rounds = args.rounds or (2 if args.quick else 3)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.2f}")
    if load > (os.cpu_count() or 1) * 0.5:
        print("warning: the machine is busy; the numbers will be noisy")
    print(f"case: [2, 16, 16, 1] tanh/sigmoid + bce, {N_POINTS} moons points, full batch, lr {LR}")
    print(
        f"{rounds} rounds of: baseline {seconds:.1f} s, dashboard play {warmup:.1f} + {seconds:.1f} s\n"
    )

    base, step_rates, players, plays = [], [], [], []
    for r in range(rounds):
        base.append(baseline_trainer(seconds))
        step_rates.append(baseline_net_step(seconds / 2))
        players.append(player_only(seconds / 2))
        plays.append(dashboard_play(seconds, warmup))
        print(
            f"  round {r + 1}: baseline {base[-1]:,.0f} steps/s, player {players[-1]:,.0f} "
            f"({players[-1] / base[-1]:.0%}), dashboard {plays[-1]['steps_per_s']:,.0f} steps/s "
            f"({plays[-1]['steps_per_s'] / base[-1]:.0%})"
        )
    med = {k: statistics.median(p[k] for p in plays) for k in plays[0]}
    baseline = statistics.median(base)
    ratios = [p["steps_per_s"] / b for p, b in zip(plays, base)]
    ratio = statistics.median(ratios)
    print("\nSGD steps per second (median)")
    print(f"  no widget, Trainer.run_for (bw.train's loop) {baseline:12,.0f}")
    print(f"  no widget, net.step in a loop                {statistics.median(step_rates):12,.0f}")
    player_ratio = statistics.median(p / b for p, b in zip(players, base))
    print(
        f"  Player.run, no views (the shared chunk loop) {statistics.median(players):12,.0f}"
        f"   = {player_ratio:.0%} of baseline"
    )
    print(
        f"  dashboard play loop, full speed, animating   {med['steps_per_s']:12,.0f}"
        f"   = {ratio:.0%} of baseline (target >= {TARGET_RATIO:.0%}: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    print(f"  steps per chunk (between two yields)         {med['steps_per_chunk']:12,.0f}")
    print("\nframes drawn while playing at full speed (median per second, mean render ms)")
    for name in ("curve", "map", "diagram"):
        print(f"  {name:8s} {med[name + '_fps']:5.1f} fps   {med[name + '_ms']:6.2f} ms/frame")

    print("\npaced play (speed asked -> steps/s reached, loss-curve fps; median over rounds)")
    for speed in (DEFAULT_SPEED, 200.0):
        paced = [dashboard_play(seconds / 2, warmup / 2, speed) for _ in range(rounds)]
        reached = statistics.median(p["steps_per_s"] for p in paced)
        curve_fps = statistics.median(p["curve_fps"] for p in paced)
        label = f"speed {speed:g}" + (" (default)" if speed == DEFAULT_SPEED else "")
        print(
            f"  {label:20s} {reached:8,.1f} steps/s = {reached / speed:.0%} of asked, "
            f"curve {curve_fps:4.1f} fps"
        )

    step_ms = 1000.0 / baseline
    print(f"\nrender cost per frame (median of repeats; one SGD step = {step_ms:.3f} ms)")
    for label, ms in render_costs(repeats=10 if args.quick else 30).items():
        print(f"  {label:40s} {ms:7.2f} ms  = {ms / step_ms:6.1f} steps' worth")


if __name__ == "__main__":
    main()
