"""TrainingDashboard in a real JupyterLab: Play/Pause, the typed learning rate, live frames.

One notebook, opened once: the dashboard on the moons preset. The test plays at the default
speed (50 steps/s), moves the speed slider to full speed while it plays (the step rate must
jump), changes the learning rate from the browser, clicks the diagram, pauses, and checks in
Python what a student would see (the loss went down, the step counter stopped, the curve
changed, the new learning rate was used). It also prints, without asserting, the loss
curve's frame rate in the browser and SGD steps/s at both speeds (full speed against a
no-widget baseline in the same kernel), and the click latency on the diagram while training.
No assertion depends on how fast this machine is at the moment: frames and steps are waited
for (a busy 2-core machine drew 3 frames where an idle one draws 20), and rates are printed.

A second notebook types a huge learning rate (100) while it plays (it must be caught within a few
steps and explained, the advice first), presses Play once after the divergence (it goes on with
lr 0.5, the last learning rate that trained); and shows the digits
preset's dashboard: the digit images with their predicted labels and, in place of a diagram too
tall to draw, the per-layer view with its note. A third test switches JupyterLab to its dark
theme: the page reports its colours, and the plots redraw with light text on no panel.
"""

from __future__ import annotations

import json
import time

from playwright.sync_api import expect

from tests.e2e.jupyter import (
    ARTIFACTS_DIR,
    edge_point,
    kernel_exec,
    open_notebook,
    run_all_and_wait,
    unexpected_page_errors,
    wait_for_kernel_output,
    write_notebook,
)

SENTINEL = "BPW-TRAINING-DONE"
CELLS = [
    "import backprop_widgets as bw",
    "net, X, T = bw.presets.moons()\ndash = bw.TrainingDashboard(net, X, T, lr=0.5)\ndash",
    f"print({SENTINEL!r})",
]

# Counts the frames a picture's <canvas> paints (static/training.js numbers each in data-frame).
WATCH_FRAMES_JS = """
(selector) => {
  const canvas = document.querySelector(selector);
  const seen = {frames: new Set([canvas.dataset.frame]), times: []};
  const observer = new MutationObserver(() => {
    const f = canvas.dataset.frame;
    if (!seen.frames.has(f)) { seen.frames.add(f); seen.times.push(performance.now()); }
  });
  observer.observe(canvas, {attributes: true, attributeFilter: ['data-frame']});
  window.__bpwFrames = seen;
  window.__bpwFramesStop = () => observer.disconnect();
}
"""
READ_FRAMES_JS = "() => ({n: window.__bpwFrames.times.length, times: window.__bpwFrames.times})"
# Waits are generous: they end as soon as the condition holds, and only a broken widget (or a
# machine many times slower than any we have) reaches them.
WAIT_MS = 60_000


def report(capsys, line: str) -> None:
    with capsys.disabled():
        print(f"\n[e2e training] {line}")


def readout_step(page) -> int:
    text = page.locator(".bpw-readout [data-field=step]").text_content()
    return int(text.replace(",", ""))


def py(page, expression: str) -> str:
    return kernel_exec(page, f"print({expression})").strip()


def fps(frames: dict) -> float:
    """Frames per second between the first and the last frame the browser saw."""
    times = frames["times"]
    return (len(times) - 1) / ((times[-1] - times[0]) / 1000) if len(times) > 2 else 0.0


BASELINE = (
    "(lambda t: t.run_for(1.0))(__import__('backprop_widgets.core.training', "
    "fromlist=['Trainer']).Trainer(net.copy(), X, T, lr=0.5, eval_every=None))"
)
# The same, with the dashboard paused for it: a playing dashboard keeps training on its own
# thread while a cell runs (ipykernel 7), and the two would share one interpreter lock.
PAUSED_BASELINE = f"(dash.pause(), {BASELINE}, dash.play())[1]"
# Counts the bytes the dashboard's comm sends (the JSON of each message and its binary buffers).
COUNT_BYTES = (
    "import json as _json, time as _t\n"
    "_sent = [0]\n"
    "_send = dash.comm.send\n"
    "def _counting(data=None, metadata=None, buffers=None, **kw):\n"
    "    _sent[0] += len(_json.dumps(data, separators=(',', ':')))\n"
    "    _sent[0] += sum(memoryview(b).nbytes for b in buffers or [])\n"
    "    return _send(data=data, metadata=metadata, buffers=buffers, **kw)\n"
    "dash.comm.send = _counting"
)


def sent_since(page, mark: tuple[int, float]) -> float:
    """kB per second the dashboard's comm sent since ``mark`` (bytes, kernel time)."""
    count, now = sent_mark(page)
    return (count - mark[0]) / 1000 / (now - mark[1])


def sent_mark(page) -> tuple[int, float]:
    """(bytes sent so far, the kernel's clock)."""
    count, now = py(page, "_sent[0], _t.monotonic()").split()
    return int(count), float(now)


# Python-side clock of the diagram click: the observer stamps time.time() when it runs.
STAMP_SELECTION = (
    "import time as _time\n"
    "selected_at = []\n"
    "dash.observe(lambda change: selected_at.append(_time.time()), names='selected')"
)


def frames_since(page, selector: str = "canvas.bpw-loss-curve") -> None:
    """Start counting the frames a <canvas> paints (stopping the previous count)."""
    page.evaluate("() => window.__bpwFramesStop && window.__bpwFramesStop()")
    page.evaluate(WATCH_FRAMES_JS, selector)


def wait_for_frames(page, n: int, what: str) -> dict:
    """Wait until the counted <canvas> has painted ``n`` new frames; return the count so far."""
    try:
        page.wait_for_function(f"() => window.__bpwFrames.times.length >= {n}", timeout=WAIT_MS)
    except Exception as exc:  # Playwright's TimeoutError: say what never came
        got = page.evaluate(READ_FRAMES_JS)["n"]
        raise AssertionError(f"{what}: {got} new frames in {WAIT_MS / 1000:.0f} s") from exc
    return page.evaluate(READ_FRAMES_JS)


def wait_for_steps_beyond(page, name: str, step: int) -> None:
    """Wait until the kernel's ``name.step_count`` has gone past ``step``."""
    wait_for_kernel_output(page, f"print({name}.step_count > {step})", "True", timeout=WAIT_MS)


def kernel_clocks(page) -> tuple[float, float]:
    """(the kernel process's CPU time, its wall clock), to tell how much of a core it had."""
    cpu, wall = py(
        page, "__import__('time').process_time(), __import__('time').monotonic()"
    ).split()
    return float(cpu), float(wall)


def rate_between(page, seconds: float) -> float:
    """SGD steps per second over ``seconds`` of wall-clock time, read from the kernel."""
    t0, s0 = time.monotonic(), int(py(page, "dash.step_count"))
    time.sleep(seconds)
    t1, s1 = time.monotonic(), int(py(page, "dash.step_count"))
    return (s1 - s0) / (t1 - t0)


def drag_speed_to_full(page) -> None:
    """Drag the speed slider's thumb past its right end (full speed), as a student would."""
    slider = page.locator("input.bpw-speed-slider")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    value = float(slider.input_value())
    low, high = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
    x = box["x"] + 8 + (box["width"] - 16) * (value - low) / (high - low)  # the thumb
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] + 30, y, steps=8)
    page.mouse.up()


def test_play_speed_learning_rate_and_live_frames(lab_server, page, page_errors, capsys):
    relpath = write_notebook(lab_server.root, "training", CELLS)
    open_notebook(page, lab_server, relpath)
    run_all_and_wait(page, SENTINEL)

    root = page.locator(".bpw-training")
    expect(root).to_be_visible()
    curve = page.locator("canvas.bpw-loss-curve")
    expect(curve).to_be_visible()
    expect(page.locator("canvas.bpw-heatmap")).to_be_visible()
    expect(page.locator("canvas.bpw-map-cells")).to_be_visible()
    expect(page.locator('[data-edge="w1"]')).to_be_attached()
    expect(page.locator(".bpw-speed-label")).to_have_text("50 steps/s")
    # static/training.css reached the page: the readout is its flex row, coloured by the theme
    look = page.locator(".bpw-readout-row").evaluate(
        "(el) => ({display: getComputedStyle(el).display, gap: getComputedStyle(el).columnGap})"
    )
    assert look["display"] == "flex" and look["gap"] != "normal", look
    root.scroll_into_view_if_needed()
    page.screenshot(path=_artifact("training-dashboard-start.png"))

    baseline_before = float(py(page, BASELINE))  # steps/s with no widget, same kernel
    kernel_exec(page, STAMP_SELECTION)
    kernel_exec(page, COUNT_BYTES)
    loss_before = float(py(page, "dash.loss"))
    frame_before = curve.get_attribute("data-frame")
    frames_since(page)

    # ---- Play at the default speed: watchable
    page.locator("button.bpw-play").click()
    wait_for_kernel_output(page, "print(dash.playing)", "True", timeout=WAIT_MS)
    time.sleep(0.3)
    traffic_from = sent_mark(page)
    paced_rate = rate_between(page, 2.0)  # another cell runs fine while it plays
    paced_kb_s = sent_since(page, traffic_from)
    wait_for_steps_beyond(page, "dash", 0)
    paced_measured = float(py(page, "dash.steps_per_second"))
    paced_frames = wait_for_frames(page, 1, "the loss curve at speed 50")
    expect(page.locator(".bpw-readout [data-field=rate]")).to_be_visible(timeout=WAIT_MS)
    # pacing never runs ahead of the speed (a busy machine can only make it slower)
    assert paced_rate <= 50 * 1.15 + 2, f"{paced_rate:.0f} steps/s at speed 50"

    # ---- the speed slider to full speed, while playing: the step rate jumps
    drag_speed_to_full(page)
    wait_for_kernel_output(page, "print(dash.speed)", "None", timeout=WAIT_MS)
    expect(page.locator(".bpw-speed-label")).to_have_text("full speed", timeout=WAIT_MS)
    frames_since(page)
    time.sleep(0.3)
    t_full = time.monotonic()
    # the kernel's own clock and step at the switch (STAMP_SELECTION imported time as _time)
    s_full = int(
        kernel_exec(page, "full_from = (_time.monotonic(), dash.step_count)\nprint(full_from[1])")
    )

    # ---- the typed learning rate, while playing
    lr_box = page.locator("input.bpw-lr-text")
    lr_box.fill("0.2")
    lr_box.press("Enter")
    wait_for_kernel_output(page, "print(dash.lr)", "0.2", timeout=WAIT_MS)

    # ---- a click on the diagram while training: Python computes the highlight and sends it
    point = edge_point(page, "w1")
    clicked_wall, clicked = time.time(), time.perf_counter()
    if point is not None:
        page.mouse.click(point["x"], point["y"])
    else:  # no uncovered pixel of w1 on screen: click the element itself
        page.locator('[data-edge="w1"]').dispatch_event("click")
    page.wait_for_function(
        "() => document.querySelector('[data-edge=\"w1\"]').classList.contains('lit') || document.querySelector('[data-edge=\"w1\"]').classList.contains('bpw-lit')",
        polling="raf",
        timeout=WAIT_MS,
    )
    round_trip_ms = 1000 * (time.perf_counter() - clicked)
    assert py(page, "dash.selected") == "w1"
    one_way_ms = 1000 * (float(py(page, "selected_at[0]")) - clicked_wall)

    time.sleep(max(0.0, 2.5 - (time.monotonic() - t_full)))
    full_rate = (int(py(page, "dash.step_count")) - s_full) / (time.monotonic() - t_full)
    full_frames = wait_for_frames(page, 1, "the loss curve at full speed")
    # the step rate jumps: full speed soon runs more steps than speed 50 could have (waited
    # for, since how soon depends on the load; the rates themselves are printed below)
    wait_for_kernel_output(
        page,
        "print(dash.step_count - full_from[1] > 3 * 50 * (_time.monotonic() - full_from[0]))",
        "True",
        timeout=WAIT_MS,
    )
    # Paired with the baseline: full speed with nothing else happening, the baseline (its
    # cell blocks the play loop for its second, so it meets the same load from other
    # processes on this shared machine), then full speed again.
    # Four pairs, the median ratio: on a shared 2-core machine one pair swings with whatever
    # else runs, and a pair's two halves meet nearly the same load. (An earlier version ran
    # the baseline while the dashboard played on: it measured the two sharing the kernel.)
    pairs, kernel_share = [], []
    for _ in range(4):
        frames_since(page)
        traffic_from = sent_mark(page)
        cpu_from = kernel_clocks(page)
        played = rate_between(page, 1.5)
        cpu_to = kernel_clocks(page)
        kernel_share.append((cpu_to[0] - cpu_from[0]) / (cpu_to[1] - cpu_from[1]))
        quiet_frames = page.evaluate(READ_FRAMES_JS)  # the play's window only
        full_kb_s = sent_since(page, traffic_from)
        pairs.append((played, float(py(page, PAUSED_BASELINE)), fps(quiet_frames)))
    ratios = sorted(played / alone for played, alone, _ in pairs)
    quiet_ratio = (ratios[1] + ratios[2]) / 2
    quiet_fps = sorted(f for *_, f in pairs)
    quiet_fps = (quiet_fps[1] + quiet_fps[2]) / 2

    # ---- Pause
    page.locator("button.bpw-play").click()
    wait_for_kernel_output(page, "print(dash.playing)", "False", timeout=WAIT_MS)
    first_read = int(py(page, "dash.step_count"))
    time.sleep(0.5)
    second_read = int(py(page, "dash.step_count"))
    assert first_read == second_read, "the step counter kept going after Pause"
    assert first_read > s_full, "full speed took no step"
    shown = readout_step(page)
    deadline = time.monotonic() + WAIT_MS / 1000
    while shown != first_read and time.monotonic() < deadline:
        time.sleep(0.05)
        shown = readout_step(page)
    assert shown == first_read, f"the readout shows step {shown}; Python is at step {first_read}"

    loss_after = float(py(page, "dash.loss"))
    assert loss_after < loss_before, f"loss did not go down: {loss_before} -> {loss_after}"
    assert curve.get_attribute("data-frame") != frame_before, "the loss curve never changed"
    lr_used = json.loads(py(page, "sorted(set(dash.history.lr.tolist()))"))
    assert lr_used == [0.2, 0.5], f"the typed learning rate was not used: {lr_used}"

    # ---- a blocking run() in the kernel still delivers frames and shows the progress bar
    frames_since(page)
    kernel_exec(page, "dash.run(steps=5000)")
    # one frame while it runs and the last one (on their way to the page: waited for)
    run_frames = wait_for_frames(page, 2, "the loss curve during a blocking run(5000)")
    expect(page.locator(".bpw-progress")).to_be_visible(timeout=WAIT_MS)

    baseline_after = float(py(page, BASELINE))
    baseline = (baseline_before + baseline_after) / 2
    render = json.loads(
        py(
            page,
            "__import__('json').dumps({k: round(c.mean_ms, 1) for k, c in "
            "dash._views.clocks.items() if k in ('curve', 'map', 'diagram')})",
        )
    )
    root.scroll_into_view_if_needed()
    page.screenshot(path=_artifact("training-dashboard-trained.png"))

    report(
        capsys,
        f"speed 50 (default): {paced_rate:,.0f} steps/s (dash.steps_per_second "
        f"{paced_measured:,.0f}), loss curve {fps(paced_frames):.1f} fps in the browser (target >= 30),"
        f" the widget's comm sent {paced_kb_s:.1f} kB/s (target <= 100)",
    )
    report(
        capsys,
        f"full speed (slider at its right end, while playing): {full_rate:,.0f} steps/s vs "
        f"{baseline:,.0f} with no widget in the same kernel ({full_rate / baseline:.0%}), loss "
        f"curve {fps(full_frames):.1f} fps; blocking run(5000): {fps(run_frames):.1f} fps",
    )
    report(
        capsys,
        "full speed, nothing else happening, 4 pairs of 1.5 s playing then 1 s of the same "
        f"training with no widget: median {quiet_ratio:.0%} of its steps/s (target >= 70%; pairs "
        + ", ".join(f"{a:,.0f}/{b:,.0f}" for a, b, _ in pairs)
        + f"), loss curve median {quiet_fps:.1f} fps while playing (target >= 15), "
        f"{full_kb_s:.1f} kB/s; the kernel had "
        + ", ".join(f"{share:.0%}" for share in kernel_share)
        + " of a core while playing (less: the machine's other work took the rest)",
    )
    report(
        capsys,
        f"loss {loss_before:.3f} -> {loss_after:.2e} in {first_read} steps; click on w1 while "
        f"training: -> Python observer {one_way_ms:.0f} ms, -> highlight back in the browser "
        f"{round_trip_ms:.0f} ms (Playwright click); kernel render ms/frame {render}",
    )
    assert unexpected_page_errors(page_errors) == []


DIVERGE_CELLS = [
    "import backprop_widgets as bw",
    "net, X, T = bw.presets.moons()\ndash = bw.TrainingDashboard(net, X, T, lr=0.5)\ndash",
    # the step the kernel was at when the typed lr arrived (the observer runs on arrival)
    "changed_at = []\ndash.observe(lambda c: c['new']['lr_text'] != c['old'].get('lr_text') "
    "and changed_at.append(dash.step_count), names='controls')",
    "net_d, X_d, T_d = bw.presets.digits()\n"
    "digits = bw.TrainingDashboard(net_d, X_d, T_d, lr=0.5, batch_size=32)\ndigits",
    f"print({SENTINEL!r})",
]


# ms per frame of each view of the digits dashboard, drawn 5 times in a row with nothing running
STEADY_RENDER = """
import time as _t
def _ms(draw, n=5):
    t0 = _t.perf_counter()
    for _ in range(n):
        draw()
    return round(1000 * (_t.perf_counter() - t0) / n, 1)
print({name: _ms(draw) for name, draw in digits._views.views})
"""


def message_text(page, index: int = 0) -> str:
    return page.locator(".bpw-message").nth(index).inner_text()


def test_a_huge_lr_typed_while_playing_is_caught_then_one_press_of_play_resumes(
    lab_server, page, page_errors, capsys
):
    relpath = write_notebook(lab_server.root, "diverge", DIVERGE_CELLS)
    open_notebook(page, lab_server, relpath)
    run_all_and_wait(page, SENTINEL)
    dash_root = page.locator(".bpw-training").first
    expect(dash_root).to_be_visible()

    # ---- play at the default speed, then type lr 100 (200x too large) as a student would
    page.locator("button.bpw-play").first.click()
    wait_for_kernel_output(page, "print(dash.playing)", "True", timeout=WAIT_MS)
    frames_since(page)
    time.sleep(0.3)
    paced_rate = rate_between(page, 1.0)
    wait_for_steps_beyond(page, "dash", 0)  # lr 100 is typed into a run that has trained
    paced_frames = page.evaluate(READ_FRAMES_JS)
    lr_box = page.locator("input.bpw-lr-text").first
    lr_box.fill("100")
    lr_box.press("Enter")
    wait_for_kernel_output(page, "print(dash.diverged)", "True", timeout=WAIT_MS)
    changed = int(py(page, "changed_at[0]"))
    diverged_at = int(py(page, "dash.history.diverged_at"))
    assert 0 <= diverged_at - changed <= 15, (
        f"lr 100 typed at step {changed}, caught at {diverged_at}"
    )
    assert py(page, "dash.playing") == "False"
    expect(page.locator(".bpw-message").first).to_contain_text("Training diverged", timeout=WAIT_MS)
    assert "lr = 100" in message_text(page)
    assert "nan" not in page.locator(".bpw-readout").first.inner_text().lower()
    expect(page.locator(".bpw-readout [data-field=status]").first).to_have_text("■ diverged")
    page.screenshot(path=_artifact("training-diverged.png"))

    # ---- the message leads with the way on; one press of Play takes it: from the restored
    # parameters with lr 0.5, the rate that trained before lr 100 was typed (10x smaller,
    # lr 10, would blow up again at once)
    kept = int(py(page, "dash.step_count"))
    lead = page.locator(".bpw-message .bpw-msg-lead").first.inner_text()
    assert "Try lr = 0.5, the last one that trained: Play goes on with it, Reset starts over" in (
        lead
    )
    expect(page.locator(".bpw-message details").first).not_to_have_attribute("open", "")
    page.locator("button.bpw-play").first.click()
    wait_for_kernel_output(page, "print(dash.playing)", "True", timeout=WAIT_MS)
    expect(lr_box).to_have_value("0.5", timeout=WAIT_MS)
    wait_for_steps_beyond(page, "dash", kept)
    resumed = int(py(page, "dash.step_count"))
    assert float(py(page, "dash.lr")) == 0.5
    assert resumed > kept and py(page, "dash.diverged") == "False", (
        f"no healthy steps after Play (step {resumed}, kept {kept})"
    )
    if py(page, "dash.playing") == "True":
        page.locator("button.bpw-play").first.click()
    wait_for_kernel_output(page, "print(dash.playing)", "False", timeout=WAIT_MS)

    # ---- the digits preset: images with predicted digits, and the per-layer view
    digits_root = page.locator(".bpw-training").nth(1)
    digits_img = digits_root.locator("canvas.bpw-digits")
    digits_root.scroll_into_view_if_needed()
    expect(digits_img).to_be_visible()
    expect(digits_root.locator("canvas.bpw-layers")).to_be_visible()
    expect(digits_root.locator(".bpw-note")).to_contain_text("No diagram")
    assert digits_root.locator(".bpw-diagram").count() == 0
    frames_since(page, "canvas.bpw-digits")
    t0 = time.monotonic()
    kernel_exec(page, "digits.run(400, speed=200)", timeout=WAIT_MS)  # 2 s, animated
    run_seconds = time.monotonic() - t0
    # the labels change while it runs (how often depends on the load: printed below)
    digit_frames = wait_for_frames(page, 2, "the digit labels during run(400, speed=200)")
    accuracy = float(py(page, "digits._views.last['acc']"))
    assert accuracy > 0.8, f"digits: {accuracy:.0%} after 400 steps"
    render = py(
        page,
        "{name: round(digits._views.clocks[name].mean_ms, 1) for name, _ in digits._views.views}",
    )
    page.screenshot(path=_artifact("training-digits.png"))
    steady = kernel_exec(page, STEADY_RENDER).strip()
    report(
        capsys,
        f"divergence: lr 100 typed at step {changed}, caught at step {diverged_at} "
        f"({diverged_at - changed} steps later); speed 50 before it: {paced_rate:,.0f} steps/s, "
        f"loss curve {fps(paced_frames):.1f} fps; resumed at lr 0.5 to step {resumed}",
    )
    report(
        capsys,
        f"digits preset: run(400) in {run_seconds:.2f} s ({400 / run_seconds:,.0f} steps/s incl. "
        f"the round trip), digit labels {digit_frames['n']} frames ({fps(digit_frames):.1f} fps),"
        f" accuracy {accuracy:.1%}; kernel render ms/frame while running {render}, idle {steady}",
    )
    assert unexpected_page_errors(page_errors) == []


THEME_CELLS = [
    "import backprop_widgets as bw",
    "net, X, T = bw.presets.moons()\n"
    "X_tr, T_tr, X_va, T_va = bw.datasets.split(X, T, fraction=0.25)\n"
    "dash = bw.TrainingDashboard(net, X_tr, T_tr, X_val=X_va, T_val=T_va, lr=0.5)\n"
    "dash.run(600)\ndash",
    f"print({SENTINEL!r})",
]
# the loss curve's PNG as the page shows it: alpha of the top-left pixel, and the share of
# opaque pixels that are light (text on a dark page) or dark (text on a light page)
CURVE_PIXELS = (
    "import io as _io, numpy as _np, PIL.Image as _im\n"
    "_a = _np.asarray(_im.open(_io.BytesIO(dash._views.curve.png())).convert('RGBA')).astype(int)\n"
    "_o = _a[_a[..., 3] > 200][:, :3]\n"
    "print(_a[0, 0, 3], int((_o.min(axis=1) > 190).sum()), int((_o.max(axis=1) < 70).sum()))"
)


def curve_pixels(page, redrawn) -> tuple[int, int, int]:
    """CURVE_PIXELS' (alpha, light, dark), read again until ``redrawn(*pixels)`` holds (the
    redraw for a new theme comes a frame after the kernel hears of it) or WAIT_MS passed."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        pixels = tuple(map(int, kernel_exec(page, CURVE_PIXELS).split()))
        if redrawn(*pixels) or time.monotonic() > deadline:
            return pixels
        time.sleep(0.2)


def test_the_plots_follow_jupyterlabs_dark_theme_and_the_buttons_show_their_icons(
    lab_server, page, page_errors, capsys
):
    relpath = write_notebook(lab_server.root, "theme", THEME_CELLS)
    open_notebook(page, lab_server, relpath)
    run_all_and_wait(page, SENTINEL)
    root = page.locator(".bpw-training")
    expect(root).to_be_visible()
    wait_for_kernel_output(page, "print(dash.page_theme.get('dark'))", "False", timeout=WAIT_MS)
    alpha, light_px, dark_px = curve_pixels(page, lambda alpha, light, dark: dark > 200)
    assert alpha == 0 and dark_px > 200, (alpha, light_px, dark_px)  # dark text, no panel
    # the icons are the widget's own inline SVG (no host font): drawn, with a width
    for name in ("play", "step-forward", "undo"):
        icon = root.locator(f"button svg.bpw-icon[data-icon='{name}']").first
        expect(icon).to_be_attached()
        assert icon.bounding_box()["width"] > 4, f"the {name} icon has no width"

    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', "
        "{theme: 'JupyterLab Dark'})"
    )
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=WAIT_MS)
    wait_for_kernel_output(page, "print(dash.page_theme.get('dark'))", "True", timeout=WAIT_MS)
    # the kernel knows the theme before the throttled redraw has run: wait for the curve
    alpha, light_px, dark_px = curve_pixels(page, lambda alpha, light, dark: light > 200)
    assert alpha == 0 and light_px > 200 and dark_px < light_px, (alpha, light_px, dark_px)
    theme = py(page, "dash.page_theme")
    time.sleep(0.5)  # the redrawn frames reach the page
    root.scroll_into_view_if_needed()
    page.screenshot(path=_artifact("training-dark-theme.png"))
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', "
        "{theme: 'JupyterLab Light'})"
    )
    wait_for_kernel_output(page, "print(dash.page_theme.get('dark'))", "False", timeout=WAIT_MS)
    report(capsys, f"dark theme as the page reported it: {theme}; curve light text px {light_px}")
    assert unexpected_page_errors(page_errors) == []


def _artifact(name: str) -> str:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS_DIR / name)
