"""TrainingDashboard without a browser: what the controls change and what would be shown."""

import asyncio
import io
import threading
import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import backprop_widgets as bw
from backprop_widgets.core.errors import BackpropInputError
from backprop_widgets.core.training import train
from backprop_widgets.widgets.training import TrainingDashboard

DIVERGED_RGB = (0xC0, 0x39, 0x2B)


def dashboard(**kwargs):
    net, X, T = bw.presets.moons(120)
    return TrainingDashboard(net, X, T, **({"lr": 0.5} | kwargs))


def exploding_dashboard():
    X, T = bw.datasets.moons(100)
    net = bw.Network([2, 8, 1], activation=["relu", "linear"], loss="mse", seed=0)
    return TrainingDashboard(net, X, T, lr=5.0)


def press(dash, kind: str, **content) -> None:
    """What the page sends when a student uses a control (static/training.js)."""
    dash._on_msg(dash, {"type": kind, **content}, [])


def curve_png(dash) -> bytes:
    """The loss curve as the page shows it now (the patches sent add up to this)."""
    return dash._views.curve.png()


def readout_field(dash, key: str) -> str:
    if key == "status":
        return dash.readout["status_text"]
    return next(value for k, _, value in dash.readout["items"] if k == key)


def has_field(dash, key: str) -> bool:
    return any(k == key for k, _, _ in dash.readout["items"])


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def has_colour(png: bytes, rgb, tol: int = 40) -> bool:
    return bool((np.abs(pixels(png).astype(int) - rgb).sum(axis=2) < tol).any())


# Tests wait for what they need (some steps, a frame, a divergence), never for a fixed time:
# on a busy machine a fixed time holds fewer steps, and the test would fail for nothing.
TIMEOUT = 60.0  # seconds; far beyond what any condition takes, reached only when it never holds


async def until(condition, timeout: float = TIMEOUT) -> None:
    """Let the loop run (the player trains) until ``condition()`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"waited {timeout:.0f} s in vain"
        await asyncio.sleep(0.01)


def play_until(dash, condition, timeout: float = TIMEOUT) -> None:
    """Play on a plain event loop until ``condition()`` holds, then pause."""

    async def go():
        dash.play()
        await until(condition, timeout)
        dash.pause()

    asyncio.run(go())


def test_unknown_keyword_fails_loudly_with_the_accepted_names():
    net, X, T = bw.presets.moons(50)
    with pytest.raises(
        TypeError,
        match=r"unexpected keyword argument\(s\) 'learning_rate'.*accepted: X_val, T_val, lr",
    ):
        TrainingDashboard(net, X, T, learning_rate=0.1)


def test_bad_settings_name_the_argument():
    net, X, T = bw.presets.moons(50)
    with pytest.raises(BackpropInputError, match=r"lr must be a positive, finite number .*got -1"):
        TrainingDashboard(net, X, T, lr=-1)
    with pytest.raises(BackpropInputError, match=r"batch_size .* from 1 .* to 50 .*got 0"):
        TrainingDashboard(net, X, T, batch_size=0)
    with pytest.raises(BackpropInputError, match=r"X must have shape \(n_samples, 2\)"):
        TrainingDashboard(net, X[:, :1], T)
    dash = TrainingDashboard(net, X, T)
    with pytest.raises(BackpropInputError, match=r"steps must be an integer >= 0; got -5"):
        dash.run(-5)
    with pytest.raises(BackpropInputError, match=r"batch_size .*got 51"):
        dash.batch_size = 51


def test_scripted_run_matches_bw_train_for_the_same_seed_and_fills_the_progress_bar():
    net, X, T = bw.presets.moons(120)
    reference = net.copy()
    dash = TrainingDashboard(net, X, T, lr=0.5, batch_size=16, seed=3)
    history = dash.run(steps=400)
    expected = train(reference, X, T, lr=0.5, steps=400, batch_size=16, seed=3)
    assert np.array_equal(history.loss, expected.loss)
    assert np.array_equal(net.parameter_vector, reference.parameter_vector)
    assert dash.progress == [400, 400]  # shown, full
    assert readout_field(dash, "step") == "400"
    assert not dash.playing


def test_one_figure_per_view_for_the_dashboards_whole_life():
    before = plt.get_fignums()
    dash = dashboard()
    curve_fig, map_fig = dash._views.curve.figure, dash._views.map.figure
    first = curve_png(dash)
    dash.run(300)
    for _ in range(5):
        dash.step()
    assert dash._views.curve.figure is curve_fig and dash._views.map.figure is map_fig
    assert plt.get_fignums() == before  # nothing through pyplot: no figure leaks into outputs
    assert curve_png(dash) != first and dash.curve_png[:4] == b"\x89PNG"
    assert dash.map_png[:4] == b"\x89PNG" and len(dash.map_cells) == 40 * 40


def test_reset_returns_to_the_initial_parameters_and_an_empty_history():
    dash = dashboard(batch_size=10)
    initial = dash.net.parameter_vector
    first = dash.run(100).loss.copy()
    dash.reset()
    assert np.array_equal(dash.net.parameter_vector, initial)
    assert dash.step_count == 0 and dash.history.steps == 0
    assert readout_field(dash, "step") == "0"
    assert np.array_equal(dash.run(100).loss, first)  # same seed, same mini-batches


def test_step_buttons_take_one_and_n_steps():
    dash = dashboard()
    press(dash, "step")
    assert dash.step_count == 1
    press(dash, "step_n_count", n=25)
    assert dash.controls["steps_per_click"] == 25  # the button says "Step ×25"

    async def click_and_wait():
        press(dash, "step_n")  # animated on the loop, like Play
        assert dash.playing
        while dash.playing:
            await asyncio.sleep(0.01)

    asyncio.run(click_and_wait())
    assert dash.step_count == 26 and not dash.playing_now


def test_play_trains_in_the_background_and_pause_stops_the_steps():
    dash = dashboard(speed=None)
    loss0 = dash.loss

    async def go():
        press(dash, "play")
        assert dash.playing and dash.playing_now  # the button says Pause
        await until(lambda: dash.step_count > 100)
        press(dash, "play")
        stopped_at = dash.step_count
        await asyncio.sleep(0.2)
        return stopped_at

    stopped_at = asyncio.run(go())
    assert stopped_at > 100 and dash.step_count == stopped_at
    assert dash.loss < loss0
    assert not dash.playing and not dash.playing_now


def test_at_full_speed_many_steps_per_chunk_and_far_more_steps_than_frames():
    dash = dashboard(speed=None)
    play_until(dash, lambda: dash._views.clocks["curve"].frames >= 3)
    assert dash.stats["max_chunk_steps"] > 1
    frames = dash._views.clocks["curve"].frames
    assert dash.step_count > 5 * frames  # stepping does not fall to the redraw rate


def test_learning_rate_changed_while_playing_takes_effect():
    dash = dashboard()

    async def go():
        dash.play()
        await until(lambda: dash.step_count > 0)
        press(dash, "lr", source="text", text="0.02")
        changed_at = dash.step_count
        await until(lambda: dash.step_count > changed_at)
        dash.pause()

    asyncio.run(go())
    assert dash.lr == 0.02
    lrs = dash.history.lr
    assert lrs[0] == 0.5 and lrs[-1] == 0.02


def test_slider_and_typed_learning_rate_stay_in_sync():
    dash = dashboard()
    press(dash, "lr", source="slider", position=-1.5)  # a drag, as the page sends it
    assert dash.lr == 0.0316 and dash.controls["lr_text"] == "0.0316"
    press(dash, "lr", source="text", text="3e-6")  # below the slider's range: still counts
    assert dash.lr == 3e-6 and dash.controls["lr_slider"] == pytest.approx(-4)
    dash.lr = 2.0
    assert 10 ** dash.controls["lr_slider"] == pytest.approx(2.0)
    assert dash.controls["lr_text"] == "2"


def test_the_slider_snapping_to_its_grid_does_not_change_the_learning_rate():
    dash = dashboard(lr=0.5)
    press(dash, "lr", source="slider", position=-0.3)  # the slider snapped to its grid
    assert dash.lr == 0.5 and dash.controls["lr_text"] == "0.5"
    press(dash, "lr", source="slider", position=-0.25)  # one step up: a real drag
    assert dash.lr == 0.562


def test_a_typed_zero_learning_rate_is_refused_and_explained():
    dash = dashboard()
    press(dash, "lr", source="text", text="0")
    assert dash.lr == 0.5 and dash.controls["lr_text"] == "0.5"
    assert "lr must be a positive" in dash.message_text
    assert "stays 0.5" in dash.message["text"]
    press(dash, "lr", source="text", text="fast")  # not a number: refused the same way
    assert dash.lr == 0.5 and "got 'fast'" in dash.message["text"]


def test_batch_size_controls():
    dash = dashboard()
    c = dash.controls
    assert dash.batch_size is None and c["batch_mode"] == "full" and c["batch_size"] == 32
    press(dash, "batch", mode="single", size=32)
    assert dash.batch_size == 1
    press(dash, "batch", mode="mini", size=32)
    assert dash.batch_size == 32 and dash.controls["batch_mode"] == "mini"
    press(dash, "batch", mode="mini", size=12)
    assert dash.trainer.batch_size == 12
    dash.batch_size = 120  # every sample: that is the full batch
    assert dash.controls["batch_mode"] == "full" and dash.batch_size is None
    dash.batch_size = 7
    assert dash.controls["batch_mode"] == "mini" and dash.controls["batch_size"] == 7
    history = dash.run(5)
    assert history.batch_size == 7
    # mini-batch training shows the noisy batch loss under the full training loss
    assert dash._views.curve.batch_line.get_label() == "mini-batch loss"


def test_divergence_pauses_marks_the_curve_and_says_what_to_try():
    dash = exploding_dashboard()
    dash.run(500)
    h = dash.history
    assert dash.diverged and h.diverged_at is not None and not dash.playing
    assert np.isfinite(dash.net.parameter_vector).all() and np.isfinite(dash.loss)
    assert "Training diverged" in dash.message_text
    assert f"step {h.diverged_at}" in dash.message_text and "Try lr = 0.05" in dash.message_text
    assert dash.message["kind"] == "error"
    assert readout_field(dash, "status") == "■ diverged"
    assert has_colour(curve_png(dash), DIVERGED_RGB)  # the dashed red marker


def test_the_diverged_note_is_above_the_curve_not_inside_the_axes():
    net, X, T = bw.presets.moons()
    dash = TrainingDashboard(net, X, T, lr=1.0)
    dash.run(300)
    dash.lr = 30.0
    dash.run(300)
    assert dash.diverged
    curve = dash._views.curve
    renderer = curve.canvas.get_renderer()
    note = curve.diverged_text.get_window_extent(renderer)
    axes = curve.ax.get_window_extent(renderer)
    figure = curve.figure.bbox
    assert curve.diverged_text.get_visible()
    assert (
        curve.diverged_text.get_text()
        == f"- - diverged at step {dash.history.diverged_at}, lr = 30"
    )
    assert note.y0 >= axes.y1, (note, axes)  # wholly above the axes: the curve's end is clear
    assert figure.x0 <= note.x0 and note.x1 <= figure.x1 and note.y1 <= figure.y1  # on the picture
    title = curve.ax._left_title  # the view's title, "loss", at the top left
    assert title.get_text() == "loss" and title.get_window_extent(renderer).x1 < note.x0
    # and the dashed line still marks the step inside the axes
    x = curve.ax.transData.transform((dash.history.diverged_at, 1.0))[0]
    assert axes.x0 < x < axes.x1


def test_playing_into_divergence_stops_the_task_and_lower_lr_resumes():
    dash = exploding_dashboard()
    play_until(dash, lambda: not dash.playing)  # divergence stops it
    assert dash.diverged and not dash.playing and not dash.playing_now
    kept = dash.step_count
    dash.lr = 0.05
    dash.run(20)
    assert not dash.diverged and dash.step_count == kept + 20
    assert has_colour(curve_png(dash), DIVERGED_RGB)  # the mark stays until Reset
    dash.reset()
    assert not has_colour(curve_png(dash), DIVERGED_RGB)


def test_the_lr_advice_is_shown_as_a_warning(monkeypatch):
    from backprop_widgets.widgets import training_refresh

    asked = []

    def advice(history, lr, batch_size=None, initial_loss=None, current_loss=None):
        asked.append((history.steps, lr, batch_size, initial_loss, current_loss))
        return ("lr = 60 is probably too large. Try lr = 6.", "warning")

    monkeypatch.setattr(training_refresh, "lr_advice", advice)
    dash = dashboard(lr=0.5)
    dash.run(20)
    assert dash.message_text == "lr = 60 is probably too large. Try lr = 6."
    assert dash.message["kind"] == "warning"
    steps, lr, batch_size, initial, current = asked[-1]
    assert (steps, lr, batch_size, initial) == (20, 0.5, None, dash.trainer.initial_loss)
    assert current == pytest.approx(dash.loss)


def test_play_needs_a_running_event_loop():
    dash = dashboard()
    with pytest.raises(RuntimeError, match=r"in a plain script call dash.run\(steps=...\)"):
        dash.play()


def test_dataset_picker_switches_data_and_starts_again():
    dash = TrainingDashboard.from_dataset("moons", lr=0.5)
    assert dash.controls["datasets"] == ["moons", "circles", "xor", "spiral"]
    initial = dash.net.parameter_vector
    moons_map = dash.map_png
    dash.run(50)
    press(dash, "dataset", name="circles")
    assert dash.dataset == "circles" and dash.step_count == 0
    assert np.array_equal(dash.net.parameter_vector, initial)
    assert dash.trainer.n_samples == 150 and dash.trainer.X_val.shape == (50, 2)
    assert dash.map_png != moons_map and dash.controls["dataset"] == "circles"
    assert has_field(dash, "val-loss")
    dash.dataset = "xor"
    assert dash.dataset == "xor" and dash.controls["dataset"] == "xor"
    with pytest.raises(BackpropInputError, match=r"name must be one of 'moons'.*got 'mnist'"):
        TrainingDashboard.from_dataset("mnist")


def test_networks_without_two_inputs_have_no_map_and_multiclass_maps_mix_colours():
    X = np.random.default_rng(0).normal(size=(60, 3))
    T = (X.sum(axis=1, keepdims=True) > 0).astype(float)
    net = bw.Network([3, 4, 1], activation=["tanh", "sigmoid"], loss="bce")
    dash = TrainingDashboard(net, X, T)
    assert "map" not in dash.views and dash._views.map is None
    assert dash.run(10).steps == 10
    X3, T3 = bw.datasets.gaussian_clusters(90, k=3)
    net3 = bw.Network([2, 8, 3], activation=["tanh", "softmax"], loss="cross_entropy")
    dash3 = TrainingDashboard(net3, X3, T3, lr=0.5)
    dash3.run(200)
    assert has_field(dash3, "accuracy") and len(dash3.map_cells) == 40 * 40 * 3


def test_the_diagram_follows_training_once_per_frame_not_per_step():
    dash = dashboard()
    sent = []
    dash.observe(lambda change: sent.append(time.perf_counter()), names="param_values")
    dash.run(2000)
    assert 1 <= len(sent) < 100
    assert dash.weights_shown()["w1"] == pytest.approx(dash.net["w1"], rel=1e-5)
    labels = dict(zip(dash.param_names, dash.param_labels.split("\n")))
    assert labels["w1"] == bw.core.numbers.plain(dash.net["w1"])


def test_readout_shows_step_loss_gradient_and_accuracy():
    dash = dashboard()
    start_grad = dash.net.gradients(dash.trainer.X, dash.trainer.T).norm()
    assert readout_field(dash, "grad") == f"{start_grad:.3g}"  # before any step
    dash.run(200)
    for field in ("step", "loss", "grad", "accuracy"):
        assert has_field(dash, field)
    assert not has_field(dash, "epoch")  # full batch: an epoch is a step
    assert readout_field(dash, "loss") == f"{dash.loss:.4g}"
    # the gradient at the parameters the loss is measured at, not the one the last step used
    now = dash.net.gradients(dash.trainer.X, dash.trainer.T).norm()
    assert readout_field(dash, "grad") == f"{now:.3g}"
    assert dash.readout["at"] == "at the parameters after step 200"
    assert dash.readout_titles["loss"].format(at=dash.readout["at"]) == (
        "loss on all the training data, at the parameters after step 200"
    )
    dash.batch_size = 30
    dash.run(10)  # 200 full passes, then 300 samples of 120
    assert readout_field(dash, "epoch") == "202.5"


def test_after_one_step_the_loss_and_the_gradient_in_the_readout_are_at_the_same_parameters():
    # lecture 05's "Try it live": moons, lr 1, one press of Step
    net, X, T = bw.presets.moons()
    shadow = net.copy()
    dash = TrainingDashboard(net, X, T, lr=1.0, speed=50)
    press(dash, "step")
    shadow.step(X, T, 1.0)  # the same step, taken apart from the dashboard
    used = dash.history.grad_norm[-1]  # the gradient the step used, at the old parameters
    now = shadow.gradients(X, T).norm()
    assert readout_field(dash, "step") == "1"
    assert readout_field(dash, "loss") == f"{shadow.loss(X, T):.4g}" == "0.387"
    assert readout_field(dash, "grad") == f"{now:.3g}" == "0.239"
    assert f"{used:.3g}" == "0.598"  # what the readout showed beside 0.387 before


def readout_step(dash) -> int:
    return int(readout_field(dash, "step").replace(",", ""))


def test_a_click_delivered_on_another_thread_acts_between_two_chunks():
    # JupyterLab 4.6 sends widget messages on a kernel subshell: a thread of its own.
    dash = dashboard()
    main = threading.get_ident()
    chunk_threads, pause_threads = set(), []
    run_for, pause = dash.trainer.run_for, dash._pause
    dash.trainer.run_for = lambda *a: (chunk_threads.add(threading.get_ident()), run_for(*a))[1]
    dash._pause = lambda: (pause_threads.append(threading.get_ident()), pause())[1]

    async def go():
        dash.play()
        await asyncio.sleep(0.3)
        clicker = threading.Thread(target=lambda: press(dash, "play"))
        clicker.start()
        while clicker.is_alive():
            await asyncio.sleep(0.005)
        return dash.step_count

    after_click = asyncio.run(go())
    assert not dash.playing and pause_threads == [main] and chunk_threads == {main}
    assert dash.step_count == after_click == readout_step(dash)  # nothing ran past the pause


def test_pause_from_another_thread_stops_a_blocking_run():
    dash = dashboard()

    def pause_once_it_trains():
        deadline = time.monotonic() + TIMEOUT
        while dash.step_count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        dash.pause()

    stopper = threading.Thread(target=pause_once_it_trains)
    stopper.start()
    history = dash.run(10**8)
    stopper.join()
    assert 0 < history.steps < 10**8 and not dash.playing
    assert readout_step(dash) == history.steps


# ---------------------------------------------------------------- speed
def test_the_default_speed_is_watchable_and_shown_on_the_slider():
    dash = dashboard()
    assert dash.speed == 50.0
    assert 10 ** dash.controls["speed_slider"] == pytest.approx(50.0)
    assert dash.controls["speed_label"] == "50 steps/s"
    assert dash.steps_per_second is None  # measured, and nothing has run yet


def test_speed_is_validated_naming_the_argument_the_value_and_what_is_accepted():
    net, X, T = bw.presets.moons(50)
    for bad, shown in [(0, "0"), (-5, "-5"), (float("nan"), "nan"), ("fast", "'fast'")]:
        with pytest.raises(
            BackpropInputError,
            match=rf"speed must be a positive, finite number \(SGD steps per second; None: "
            rf"full speed\); got {shown}",
        ):
            TrainingDashboard(net, X, T, speed=bad)
    dash = TrainingDashboard(net, X, T)
    with pytest.raises(BackpropInputError, match=r"speed must be a positive.*got -1"):
        dash.speed = -1
    assert dash.speed == 50.0
    with pytest.raises(BackpropInputError, match=r"speed must be a positive.*got 0"):
        dash.run(10, speed=0)


def test_speed_setter_slider_and_label_stay_in_sync():
    dash = dashboard()
    dash.speed = 200
    c = dash.controls
    assert dash.speed == 200.0 and 10 ** c["speed_slider"] == pytest.approx(200.0)
    assert c["speed_label"] == "200 steps/s"
    dash.speed = None
    assert dash.speed is None and dash.controls["speed_label"] == "full speed"
    assert dash.controls["speed_slider"] == pytest.approx(4)  # the right end
    press(dash, "speed", position=1.3)  # a drag, as the page sends it
    assert dash.speed == 20.0 and dash.controls["speed_label"] == "20 steps/s"
    press(dash, "speed", position=4)  # all the way right
    assert dash.speed is None
    press(dash, "speed", position=0)
    assert dash.speed == 1.0 and dash.controls["speed_label"] == "1 steps/s"


def test_the_speed_slider_snapping_to_its_grid_does_not_change_the_speed():
    dash = dashboard(speed=150)
    press(dash, "speed", position=2.2)  # 158.5: the slider snapped to its grid
    assert dash.speed == 150.0
    press(dash, "speed", position=2.3)  # one step up: a real drag
    assert dash.speed == 200.0


def test_play_keeps_to_the_speed_and_a_change_while_playing_acts_at_once(capsys):
    dash = dashboard(speed=20)
    marks = {}

    async def go():
        loop = asyncio.get_running_loop()
        dash.play()
        t0 = loop.time()
        await asyncio.sleep(0.6)
        marks["slow"] = (dash.step_count, loop.time() - t0, dash.steps_per_second)
        press(dash, "speed", position=4)  # dragged to full speed while playing
        s1, t1 = dash.step_count, loop.time()
        # full speed runs far ahead of the old pace (waited for: how soon depends on the load)
        await until(lambda: dash.step_count - s1 > 5 * (20 * (loop.time() - t1) + 2))
        marks["fast"] = (dash.step_count - s1, loop.time() - t1)
        dash.pause()

    asyncio.run(go())
    slow_steps, slow_seconds, measured = marks["slow"]
    fast_steps, fast_seconds = marks["fast"]
    assert slow_steps <= 20 * slow_seconds + 2  # pacing never runs ahead of the speed
    with capsys.disabled():
        print(
            f"\n[dashboard] speed 20: {slow_steps / slow_seconds:.0f} steps/s "
            f"(steps_per_second {measured:.0f}); then full speed: "
            f"{fast_steps / fast_seconds:,.0f} steps/s"
        )


def test_step_n_is_animated_at_the_dashboards_speed():
    dash = dashboard(speed=40)

    async def go():
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        dash.step_n(10)
        while dash.playing:
            await asyncio.sleep(0.005)
        return loop.time() - t0

    elapsed = asyncio.run(go())
    assert dash.step_count == 10
    assert elapsed >= 9 / 40 - 0.01  # ten steps at 40/s: the first at once, the last 9/40 s later


def test_a_scripted_run_is_full_speed_unless_given_one():
    dash = dashboard()  # default speed 50: Play is paced, run() is not
    # a fake clock that moves only when the loop sleeps: pacing is seen without timing it
    fake_now = [0.0]
    dash.player.clock = lambda: fake_now[0]
    dash.player.sleep = lambda s: fake_now.__setitem__(0, fake_now[0] + s)
    dash.run(300)
    assert dash.step_count == 300 and fake_now[0] == 0.0  # never waited (6 s at 50 steps/s)
    dash.run(30, speed=10)
    assert dash.step_count == 330 and fake_now[0] == pytest.approx(2.9, abs=0.06)


# ---------------------------------------------------------------- the readout's look
def test_one_anywidget_with_one_module_and_no_child_widgets():
    import anywidget
    import ipywidgets

    dash = dashboard()
    assert isinstance(dash, anywidget.AnyWidget)
    assert not any(isinstance(v, ipywidgets.Widget) for v in vars(dash).values())
    # diagram.js and training.js joined: only the last keeps its default export
    assert dash._esm.count("export default") == 1 and "renderDiagram" in dash._esm
    css = dash._css
    for cls in ("bpw-readout-row", "bpw-readout-item", "bpw-label", "bpw-status", "bpw-msg",
                "bpw-controls", "bpw-loss-curve", "bpw-button.bpw-play"):  # fmt: skip
        assert f".bpw-training .{cls}" in css
    for variable in ("--jp-ui-font-color1", "--jp-layout-color1", "--jp-error-color1"):
        assert f"var({variable}" in css
    assert "prefers-color-scheme: dark" in css and 'data-jp-theme-light="false"' in css


def test_the_pictures_travel_as_bytes_and_a_paced_frame_sends_only_what_changed():
    from tests.widgets.recording_comm import RecordingComm

    dash = dashboard()
    dash.run(200)
    sent = []

    class Counting(RecordingComm):
        def send(self, data=None, buffers=None):
            sent.append((data, [bytes(b) for b in buffers or []]))

    dash.comm = Counting()
    whole = len(curve_png(dash))
    for _ in range(20):
        dash.trainer.run(3)
        dash._views.frame(force=True)
    assert len(sent) == 20  # one message per frame
    for data, _ in sent:
        state = data["state"]
        assert "readout" in state and "structure" not in state and "controls" not in state
        for path in data["buffer_paths"]:
            assert path[0] in {"curve_png", "map_cells", "param_values", "pictures_png"}
        assert "base64" not in str(state)
    patches = [d["state"]["curve_box"] for d, _ in sent if "curve_box" in d["state"]]
    assert len(patches) >= 10 and not any(box[5] for box in patches)  # patches, not whole pictures
    curve_bytes = [len(b) for (d, bufs) in sent for p, b in zip(d["buffer_paths"], bufs)
                   if p[0] == "curve_png"]  # fmt: skip
    assert max(curve_bytes) < whole / 3, (curve_bytes, whole)
    dash._on_msg(dash, {"type": "resend"}, [])  # a page that missed a patch
    assert sent[-1][0]["state"]["curve_box"][5] is True


def test_one_press_of_play_after_a_divergence_goes_on_as_the_message_says():
    dash = exploding_dashboard()
    play_until(dash, lambda: not dash.playing)  # divergence stops it
    assert dash.diverged and not dash.playing
    kept, diverged_lr = dash.step_count, dash.lr
    # the message names the way on that Play takes: nothing trained before, so 100x smaller
    lead = dash.message_text.split(" The loss")[0]
    assert lead == (
        f"Training diverged with lr = {diverged_lr:g}. Try lr = {diverged_lr / 100:g}, "
        "100x smaller: Play goes on with it, Reset starts over."
    )

    async def press_play_once():
        press(dash, "play")
        await until(lambda: dash.step_count > kept + 5)
        dash.pause()

    asyncio.run(press_play_once())
    assert dash.lr == pytest.approx(diverged_lr / 100) and not dash.diverged
    assert float(dash.controls["lr_text"]) == pytest.approx(diverged_lr / 100)  # controls follow
    # it went on from the restored parameters: the history up to the kept step is unchanged
    assert dash.history.steps > kept and dash.history.divergences[-1].kept == kept


def test_one_press_resumes_with_the_last_lr_that_trained_and_step_resumes_too():
    net, X, T = bw.presets.moons()
    dash = TrainingDashboard(net, X, T, lr=1.0)
    dash.run(300)
    dash.lr = 30.0
    dash.run(300)
    assert dash.diverged
    kept = dash.step_count
    assert dash.message_text.startswith(
        "Training diverged with lr = 30. Try lr = 1, the last one that trained: "
        "Play goes on with it, Reset starts over."
    )
    press(dash, "step")  # Step, like Play, goes on at once
    assert not dash.diverged and dash.lr == 1.0 and dash.step_count == kept + 1


def test_a_learning_rate_lowered_by_hand_after_a_divergence_is_the_one_named_and_used():
    dash = exploding_dashboard()
    dash.run(500)
    assert dash.diverged
    dash.lr = 0.01
    assert "Try lr = 0.01, the one you set: Play goes on with it" in dash.message_text
    dash.run(10)
    assert dash.lr == 0.01 and not dash.diverged


def test_the_divergence_message_leads_with_the_advice_and_keeps_the_numbers_behind_details():
    dash = exploding_dashboard()
    dash.run(500)
    h = dash.history
    lead, details = dash.message["text"], dash.message["details"]
    assert lead.startswith("Training diverged with lr = 5. Try lr = 0.05")
    assert "\n" not in lead and len(lead) <= 110  # one line at 1366 px
    for number in ("counts as diverged", "times", "restored", f"step {h.diverged_at}"):
        assert number not in lead  # the thresholds and steps are the details
    assert "counts as diverged" in details and "were restored" in details
    # history.message (scripts, bw.train) also puts the advice first
    assert h.message.index("Try lr = 0.05") < h.message.index("counts as diverged")
    assert h.divergences[-1].details in h.message


def test_a_huge_learning_rate_typed_mid_run_is_caught_within_a_few_steps():
    dash = dashboard(lr=0.5, speed=None)
    dash.run(300)
    dash.lr = 300.0
    before = dash.step_count
    dash.run(200)
    assert dash.diverged
    assert dash.history.diverged_at - before <= 12
    assert "Training diverged" in dash.message_text and "lr = 300" in dash.message_text
    assert "nan" not in str(dash.readout).lower()


def test_every_hidden_and_output_neuron_shows_its_picture_and_it_follows_training():
    dash = dashboard()
    neurons = [n for layer in dash.net.node_names[1:] for n in layer]
    assert sorted(dash.picture_names) == sorted(neurons)
    assert len(dash.picture_colours) == 256 * 3

    def tiles():  # one greyscale PNG, a 16 x 16 tile per neuron
        grey = np.asarray(Image.open(io.BytesIO(dash.pictures_png)).convert("RGB"))[..., 0]
        assert grey.shape == (16 * len(neurons), 16)
        return grey.reshape(len(neurons), 16, 16)

    o1 = dash.picture_names.index("o1")
    before = tiles()[o1]
    dash.run(300)
    assert not np.array_equal(tiles()[o1], before)
    net = bw.Network([3, 4, 1], seed=0)  # not a 2-D input plane: no pictures
    X = np.random.default_rng(0).normal(size=(40, 3))
    wide = TrainingDashboard(net, X, (X[:, :1] > 0).astype(float))
    assert wide.picture_names == [] and wide.shows_diagram


def hex_rgb(color: str):
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


def test_a_network_too_big_to_draw_trains_with_a_per_layer_view_that_says_why():
    from backprop_widgets.widgets.training_views import GRAD_COLOR, WEIGHT_COLOR

    X, T, X_val, T_val = bw.datasets.digits(600, validation=0.25)
    net = bw.Network([64, 64, 64, 10], activation=["relu", "relu", "softmax"],
                     loss="cross_entropy", seed=0)  # fmt: skip
    assert len(net.weight_names) == 8_832  # the diagram draws at most 2,000
    dash = TrainingDashboard(net, X, T, X_val=X_val, T_val=T_val, lr=0.3, batch_size=32)
    assert not dash.shows_diagram and dash.structure == {} and dash.param_names == []
    note = dash.layers_note
    assert "No diagram" in note and "8,832 weights" in note and "|∂L/∂W|" in note
    start = dash._views.layers.png()
    assert has_colour(start, hex_rgb(WEIGHT_COLOR)) and has_colour(start, hex_rgb(GRAD_COLOR))
    sent = []
    dash.observe(lambda change: sent.append(1), names="layers_box")
    dash.run(600)
    assert dash.history.steps == 600 and dash.loss < dash.history.loss[0]
    assert 1 <= len(sent) < 60  # within its frame budget, not once per step
    assert dash._views.layers.png() != start
    assert dash.views == ["curve", "digits", "layers"]  # beside the curve, after the digits


def test_the_diagram_can_be_swapped_for_the_per_layer_view_and_a_tall_layer_has_none():
    dash = dashboard(diagram=False)
    assert not dash.shows_diagram and dash.layers_png[:4] == b"\x89PNG"
    assert "2-16-16-1 network (diagram=False)" in dash.layers_note
    dash.run(20)
    assert dash.history.steps == 20
    X = np.random.default_rng(0).normal(size=(50, 40))
    tall = TrainingDashboard(bw.Network([40, 3, 1]), X, (X[:, :1] > 0).astype(float))
    assert not tall.shows_diagram and "a layer of 40 neurons" in tall.layers_note
    assert TrainingDashboard(bw.Network([3, 4, 1]), X[:, :3], X[:, :1]).shows_diagram


def test_the_digits_preset_shows_images_with_their_predicted_digit_right_or_wrong():
    from backprop_widgets.widgets.training_views import RIGHT_COLOR, WRONG_COLOR

    dash = TrainingDashboard(*bw.presets.digits(), lr=0.5, batch_size=32)
    shown = dash._views.digits
    assert shown.n == 16 and sorted(set(shown.truth.tolist())) == list(range(10))
    before = shown.png()
    assert has_colour(before, hex_rgb(WRONG_COLOR), tol=30)  # untrained: mostly wrong
    sent = []
    dash.observe(lambda change: sent.append(1), names="digits_box")
    dash.run(400)
    after = shown.png()
    assert 1 <= len(sent) < 60
    guesses = shown.predictions(dash.net.forward(dash.trainer.X[:16]))
    right = int((guesses == shown.truth).sum())
    assert right >= 13, f"{right} of 16 right after 400 steps"
    assert has_colour(after, hex_rgb(RIGHT_COLOR), tol=30)
    assert after != before
    X, T, X_val, T_val = bw.datasets.digits(400, validation=0.25)
    net = bw.presets.digits()[0]
    with_val = TrainingDashboard(net, X, T, X_val=X_val, T_val=T_val)
    assert (with_val._views.digits.truth == bw.datasets.labels(T_val[:16])).all()
    assert "digits" not in TrainingDashboard(*bw.presets.moons(60)).views


def test_the_diagram_keyword_is_checked_and_true_keeps_the_diagrams_own_limit():
    X, T = bw.datasets.digits(100)
    big = bw.Network([64, 64, 64, 10], activation=["relu", "relu", "softmax"],
                     loss="cross_entropy")  # fmt: skip
    with pytest.raises(BackpropInputError, match=r"diagram must be True, False or None.*'yes'"):
        TrainingDashboard(big, X, T, diagram="yes")
    with pytest.raises(BackpropInputError, match=r"8832 weights; NetworkDiagram draws .* 2000"):
        TrainingDashboard(big, X, T, diagram=True)


def test_a_click_on_a_weight_of_the_diagram_selects_it_and_lights_its_paths():
    dash = dashboard()
    press(dash, "select", name="w1")
    assert dash.selected == "w1" and dash.highlight["edges"]
    press(dash, "select", name="nonsense")  # a stale click from the page: ignored
    assert dash.selected in ("w1", "")
