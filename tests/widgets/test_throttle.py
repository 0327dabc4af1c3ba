"""Views follow a network that trains elsewhere without redrawing on every step."""

import asyncio

import pytest

import backprop_widgets as bw
from backprop_widgets.widgets import ChainRuleExplorer, NetworkDiagram
from tests.widgets.shown import shown


def test_training_in_a_kernel_redraws_a_few_times_and_ends_on_the_latest_state():
    net, x, t = bw.presets.mazur()

    async def cell():
        # made inside a running loop, as in a notebook cell
        ex = ChainRuleExplorer(net, x, t, selected="w5")
        diagram = NetworkDiagram(net)
        panels, frames = [], []
        ex.observe(lambda change: panels.append(change["new"]), names="panel")
        diagram.observe(lambda change: frames.append(change["new"]), names="values")
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(2000):
            net.step(x, t, 0.5)
        # the kernel's loop runs the trailing redraws: wait for the last one (how long it takes
        # depends on the load), then a little longer, so that a redraw too many would show
        latest, w5 = f"{net.gradients(x, t)['w5']:.6g}", pytest.approx(net["w5"], rel=1e-5)
        deadline = asyncio.get_running_loop().time() + 60
        while latest not in shown(ex.panel) or diagram.values["w5"] != w5:
            assert asyncio.get_running_loop().time() < deadline, "the last state was never drawn"
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        return ex, diagram, panels, frames, loop.time() - started

    ex, diagram, panels, frames, seconds = asyncio.run(cell())
    # a few redraws, never one per step: at most one per interval of the time training took
    # (a busy machine makes the 2,000 steps slower, and allows more redraws)
    assert 1 <= len(panels) <= 2 + seconds / 0.25, (len(panels), seconds)
    assert 1 <= len(frames) <= 2 + seconds / 0.1, (len(frames), seconds)
    # the last redraw shows the network as training left it
    assert f"{net.gradients(x, t)['w5']:.6g}" in shown(ex.panel)
    assert diagram.values["w5"] == pytest.approx(net["w5"], rel=1e-5)


def test_without_a_running_loop_every_change_is_shown_at_once():
    net, _, _ = bw.presets.mazur()
    diagram = NetworkDiagram(net)
    net["w5"] = 1.5
    net["w5"] = 2.5
    assert diagram.values["w5"] == 2.5


def test_a_frame_budget_caps_the_rate_and_the_share_of_time_spent_drawing():
    from backprop_widgets.widgets.throttle import FrameBudget

    budget = FrameBudget(fps=10, share=0.1)
    assert budget.due(0.0)
    budget.record(0.0, 0.09)  # a 90 ms frame: most of the second's 100 ms budget
    assert not budget.due(0.05)  # too soon for 10 fps
    budget.record(0.1, 0.12)  # 20 ms more: 110 ms in the last second, over budget
    assert not budget.due(0.3)
    assert budget.next_time() == 1.0  # when the first frame leaves the window
    assert budget.due(1.01) and budget.frames == 2
    budget.set_rate(fps=40, share=0.5)  # the dashboard's speed went down: a higher cap
    budget.record(2.0, 2.001)
    assert budget.due(2.03) and not budget.due(2.02)
    budget.record(3.0, 3.5, forced=True)  # a forced frame (a pause) is not animation
    assert budget.frames == 3 and budget.mean_ms == pytest.approx(1000 * 0.111 / 3)
