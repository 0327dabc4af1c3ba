"""How many bytes does a playing dashboard send to the page? Counted at its comm.

Run ``python benchmarks/bench_traffic.py`` (about 30 s) or ``--quick``. It prints, and never
asserts: the dashboard on the moons preset ([2, 16, 16, 1], 300 points, lr 0.5) playing in a
plain event loop, headless, with a stand-in comm that counts what the kernel would send: the
JSON of every message and its binary buffers (the pictures). Per second, at the default speed
(target: at most 100 kB/s, with the curve at 30 frames per second or more) and at full speed;
and per view: how many bytes each trait sent and how often.

It counts the widget's own messages (the state and the buffers), not the Jupyter protocol's
envelope around each (headers, about 0.5 kB a message on the websocket).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import backprop_widgets as bw
from backprop_widgets.widgets.training import DEFAULT_SPEED, TrainingDashboard

TARGET_KB_S = 100.0
TARGET_FPS = 30.0


class CountingComm:
    """Stands in for the kernel's comm: counts the bytes of each message, per state key."""

    kernel = True
    comm_id = "counting"

    def __init__(self):
        self.messages = 0
        self.total = 0
        self.by_key: collections.Counter = collections.Counter()
        self.count: collections.Counter = collections.Counter()

    def on_msg(self, callback):
        pass

    def send(self, data=None, buffers=None):
        buffers = [memoryview(b) for b in buffers or []]
        self.messages += 1
        self.total += len(json.dumps(data, separators=(",", ":"))) + sum(b.nbytes for b in buffers)
        state = (data or {}).get("state", {})
        for key, value in state.items():
            self.by_key[key] += len(json.dumps(value, separators=(",", ":")))
            self.count[key] += 1
        for path, b in zip((data or {}).get("buffer_paths", []), buffers):
            self.by_key[path[0]] += b.nbytes


def play(speed, seconds: float, warmup: float) -> tuple[dict, CountingComm]:
    net, X, T = bw.presets.moons()
    dash = TrainingDashboard(net, X, T, lr=0.5, speed=speed)
    comm = None

    async def drive():
        nonlocal comm
        dash.play()
        await asyncio.sleep(warmup)
        comm = CountingComm()
        dash.comm = comm  # counted from here on
        step0 = dash.step_count
        frames0 = dash.curve_box[4] if dash.curve_box else 0
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        await asyncio.sleep(seconds)
        elapsed = loop.time() - t0
        dash.pause()
        return {
            "kB_s": comm.total / 1000 / elapsed,
            "messages_s": comm.messages / elapsed,
            "steps_s": (dash.step_count - step0) / elapsed,
            "curve_fps": comm.count["curve_box"] / elapsed,
            "curve_frames": dash.curve_box[4] - frames0,
            "elapsed": elapsed,
        }

    result = asyncio.run(drive())
    dash.comm = None
    return result, comm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (noisy numbers)")
    args = parser.parse_args()
    seconds, warmup = (4.0, 1.0) if args.quick else (12.0, 3.0)
    print("case: moons preset, [2, 16, 16, 1] tanh/sigmoid + bce, 300 points, lr 0.5, headless")
    for label, speed in ((f"default speed ({DEFAULT_SPEED:g} steps/s)", DEFAULT_SPEED),
                         ("full speed", None)):  # fmt: skip
        result, comm = play(speed, seconds, warmup)
        verdict = ""
        if speed == DEFAULT_SPEED:
            met = result["kB_s"] <= TARGET_KB_S and result["curve_fps"] >= TARGET_FPS
            verdict = (
                f"  (targets <= {TARGET_KB_S:g} kB/s with the curve >= {TARGET_FPS:g} fps: "
                f"{'met' if met else 'NOT met'})"
            )
        print(
            f"\n{label}: {result['kB_s']:.1f} kB/s, {result['messages_s']:.1f} messages/s, "
            f"curve {result['curve_fps']:.1f} frames/s sent, {result['steps_s']:,.0f} steps/s"
            f"{verdict}"
        )
        elapsed = result["elapsed"]
        for key, size in comm.by_key.most_common():
            sent = comm.count[key] or comm.count.get(key.replace("_png", "_box"), 0)
            per = size / sent if sent else float("nan")
            print(
                f"  {key:16s} {size / 1000 / elapsed:7.2f} kB/s  {sent / elapsed:5.1f} /s  "
                f"{per:8.0f} B each"
            )


if __name__ == "__main__":
    main()
