"""TrainingDashboard in a real JupyterLab: Play/Pause, the typed learning rate, live frames.

One notebook, opened once: the dashboard on the moons preset. The test plays, changes the
learning rate from the browser while training runs, clicks the diagram, pauses, and checks
in Python what a student would see (the loss went down, the step counter stopped, the curve
changed, the new learning rate was used). It also prints, without asserting, the frame rate
the browser saw, SGD steps/s while animating against a no-widget baseline in the same kernel,
and the click latency on the diagram while training runs.
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

# Counts the distinct src values an <img> takes (each frame is a new blob URL).
WATCH_FRAMES_JS = """
(selector) => {
  const img = document.querySelector(selector);
  const seen = {srcs: new Set([img.src]), times: []};
  const observer = new MutationObserver(() => {
    if (!seen.srcs.has(img.src)) { seen.srcs.add(img.src); seen.times.push(performance.now()); }
  });
  observer.observe(img, {attributes: true, attributeFilter: ['src']});
  window.__bpwFrames = seen;
  window.__bpwFramesStop = () => observer.disconnect();
}
"""
READ_FRAMES_JS = "() => ({n: window.__bpwFrames.times.length, times: window.__bpwFrames.times})"


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
# Python-side clock of the diagram click: the observer stamps time.time() when it runs.
STAMP_SELECTION = (
    "import time as _time\n"
    "selected_at = []\n"
    "dash.diagram.observe(lambda change: selected_at.append(_time.time()), names='selected')"
)


def test_play_pause_learning_rate_and_live_frames(lab_server, page, page_errors, capsys):
    relpath = write_notebook(lab_server.root, "training", CELLS)
    open_notebook(page, lab_server, relpath)
    run_all_and_wait(page, SENTINEL)

    root = page.locator(".bpw-training")
    expect(root).to_be_visible()
    curve = page.locator("img.bpw-loss-curve")
    expect(curve).to_be_visible()
    expect(page.locator("img.bpw-heatmap")).to_be_visible()
    expect(page.locator('[data-edge="w1"]')).to_be_attached()
    root.scroll_into_view_if_needed()
    page.screenshot(path=_artifact("training-dashboard-start.png"))

    baseline_before = float(py(page, BASELINE))  # steps/s with no widget, same kernel
    kernel_exec(page, STAMP_SELECTION)
    loss_before = float(py(page, "dash.loss"))
    src_before = curve.get_attribute("src")
    page.evaluate(WATCH_FRAMES_JS, "img.bpw-loss-curve")

    # ---- Play
    page.locator("button.bpw-play").click()
    wait_for_kernel_output(page, "print(dash.playing)", "True")
    played_at = time.monotonic()
    time.sleep(0.3)
    t1, s1 = time.monotonic(), int(py(page, "dash.step_count"))  # another cell runs fine
    time.sleep(0.7)

    # ---- the typed learning rate, while playing
    lr_box = page.locator(".bpw-lr-text input")
    lr_box.fill("0.2")
    lr_box.press("Enter")
    wait_for_kernel_output(page, "print(dash.lr)", "0.2", timeout=5.0)

    # ---- a click on the diagram while training: Python computes the highlight and sends it
    point = edge_point(page, "w1")
    clicked_wall, clicked = time.time(), time.perf_counter()
    if point is not None:
        page.mouse.click(point["x"], point["y"])
    else:  # no uncovered pixel of w1 on screen: click the element itself
        page.locator('[data-edge="w1"]').dispatch_event("click")
    page.wait_for_function(
        "() => document.querySelector('[data-edge=\"w1\"]').classList.contains('lit')",
        polling="raf",
        timeout=5000,
    )
    round_trip_ms = 1000 * (time.perf_counter() - clicked)
    assert py(page, "dash.diagram.selected") == "w1"
    one_way_ms = 1000 * (float(py(page, "selected_at[0]")) - clicked_wall)

    time.sleep(max(0.0, 2.5 - (time.monotonic() - played_at)))
    t2, s2 = time.monotonic(), int(py(page, "dash.step_count"))
    animated_rate = (s2 - s1) / (t2 - t1)

    # ---- Pause
    page.locator("button.bpw-play").click()
    wait_for_kernel_output(page, "print(dash.playing)", "False")
    frames = page.evaluate(READ_FRAMES_JS)
    first_read = int(py(page, "dash.step_count"))
    time.sleep(0.5)
    second_read = int(py(page, "dash.step_count"))
    assert first_read == second_read, "the step counter kept going after Pause"
    assert first_read > 100
    shown = readout_step(page)
    deadline = time.monotonic() + 5.0
    while shown != first_read and time.monotonic() < deadline:
        time.sleep(0.05)
        shown = readout_step(page)
    assert shown == first_read, f"the readout shows step {shown}; Python is at step {first_read}"

    loss_after = float(py(page, "dash.loss"))
    assert loss_after < loss_before, f"loss did not go down: {loss_before} -> {loss_after}"
    assert curve.get_attribute("src") != src_before, "the loss curve image never changed"
    assert frames["n"] >= 5, f"only {frames['n']} loss-curve frames reached the browser"
    lr_used = json.loads(py(page, "sorted(set(dash.history.lr.tolist()))"))
    assert lr_used == [0.2, 0.5], f"the typed learning rate was not used: {lr_used}"

    # ---- a blocking run() in the kernel still delivers frames and shows the progress bar
    page.evaluate(WATCH_FRAMES_JS, "img.bpw-loss-curve")
    kernel_exec(page, "dash.run(steps=5000)")
    time.sleep(0.3)  # the last frames are on their way
    run_frames = page.evaluate(READ_FRAMES_JS)
    assert run_frames["n"] >= 2, "no frame reached the browser during a blocking run()"
    expect(page.locator(".bpw-progress")).to_be_visible()

    baseline_after = float(py(page, BASELINE))
    baseline = (baseline_before + baseline_after) / 2
    render = json.loads(
        py(
            page,
            "__import__('json').dumps({k: round(c.mean_ms, 1) for k, c in "
            "(('curve', dash._curve_clock), ('map', dash._map_clock), "
            "('diagram', dash._diagram_clock))})",
        )
    )
    root.scroll_into_view_if_needed()
    page.screenshot(path=_artifact("training-dashboard-trained.png"))

    report(
        capsys,
        f"loss {loss_before:.3f} -> {loss_after:.2e} in {first_read} steps; loss-curve frames "
        f"seen by the browser: {fps(frames):.1f} fps while playing, {fps(run_frames):.1f} fps "
        f"during a blocking run(5000)",
    )
    report(
        capsys,
        f"SGD steps/s while animating {animated_rate:,.0f} vs {baseline:,.0f} with no widget in "
        f"the same kernel ({animated_rate / baseline:.0%}); click on w1 while training: "
        f"-> Python observer {one_way_ms:.0f} ms, -> highlight back in the browser "
        f"{round_trip_ms:.0f} ms (Playwright click); kernel render ms/frame {render}",
    )
    assert unexpected_page_errors(page_errors) == []


def _artifact(name: str) -> str:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS_DIR / name)
