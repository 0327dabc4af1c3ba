"""The training dashboard's controls and its loss curve are on screen together, in a real
JupyterLab, on a 1366x768 laptop (lecture 05).

A 1366x768 screen leaves a browser viewport of about 1366x650 (the taskbar and the browser's
own bars take the rest). With JupyterLab's file browser open (as it opens) and closed, each
dashboard cell of lecture 05 (the moons dashboard after 300 steps, the same after a divergence
with its message, the "Your turn" playground) is scrolled so that the cell's code is at the
top of the notebook: the run buttons, the learning-rate and speed sliders, the batch buttons
and the whole loss curve must be inside the visible notebook panel, and nothing may reach past
the output area. At 150 % zoom (a projector) nothing may reach past it either. Screenshots go to
test-artifacts/e2e/training-layout/.
"""

from __future__ import annotations

import pytest

from tests.e2e.jupyter import (
    ARTIFACTS_DIR,
    open_notebook,
    run_all_and_wait,
    sidebar,
    write_notebook,
)

SENTINEL = "BPW-TRAINING-LAYOUT-READY"
SHOTS = ARTIFACTS_DIR / "training-layout"
CELLS = [
    "import backprop_widgets as bw",
    "net, X, T = bw.presets.moons()\n"
    "dash = bw.TrainingDashboard(net, X, T, lr=1.0, speed=50)\n"
    "dash.run(steps=300)\n"
    'dash.add_class("tl-moons")\n'
    "dash",
    "net2, X2, T2 = bw.presets.moons()\n"
    "div = bw.TrainingDashboard(net2, X2, T2, lr=1.0)\n"
    "div.run(300); div.lr = 30.0; div.run(300)\n"
    'assert div.diverged\ndiv.add_class("tl-diverged")\ndiv',
    'playground = bw.TrainingDashboard.from_dataset("spiral", lr=0.2, batch_size=64, speed=200)\n'
    'playground.add_class("tl-playground")\nplayground',
    f"print({SENTINEL!r})",
]
DASHBOARDS = ["tl-moons", "tl-diverged", "tl-playground"]
MUST_SHOW = [".bpw-play", ".bpw-reset", ".bpw-lr-slider", ".bpw-speed-slider", ".bpw-batch",
             "canvas.bpw-loss-curve"]  # fmt: skip

BOXES_JS = """
([cls, selectors]) => {
  const w = document.querySelector('.' + cls);
  const panel = w.closest('.jp-WindowedPanel-outer') || w.closest('.jp-NotebookPanel-notebook');
  const area = w.closest('.jp-OutputArea-output');
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const p = box(panel);
  const shown = {top: Math.max(0, p.top), bottom: Math.min(innerHeight, p.bottom)};
  const found = {};
  for (const s of selectors) found[s] = box(w.querySelector(s));
  const edge = area.getBoundingClientRect().right;
  const past = [...w.querySelectorAll('*')].filter((el) => {
    const r = el.getBoundingClientRect();
    return (r.width || r.height) && r.right > edge + 1;
  }).map((el) => el.className && String(el.className).slice(0, 60));
  return {shown, found, past: past.slice(0, 6)};
}
"""


def show_cell_of(page, cls: str) -> None:
    page.locator(f".{cls}").first.evaluate(
        "el => el.closest('.jp-Cell').scrollIntoView({block: 'start'})"
    )
    page.wait_for_timeout(300)


@pytest.fixture(scope="module")
def dashboards_notebook(lab_server):
    return write_notebook(lab_server.root, "training-layout.ipynb", CELLS)


@pytest.mark.parametrize("browser_open", [True, False], ids=["file-browser-open", "closed"])
def test_on_a_1366x768_laptop_the_controls_and_the_loss_curve_are_on_screen_together(
    lab_server, browser, dashboards_notebook, browser_open
):
    context = browser.new_context(viewport={"width": 1366, "height": 650})
    page = context.new_page()
    try:
        open_notebook(page, lab_server, dashboards_notebook)
        run_all_and_wait(page, SENTINEL)
        sidebar(page, browser_open)
        SHOTS.mkdir(parents=True, exist_ok=True)
        problems = {}
        for cls in DASHBOARDS:
            show_cell_of(page, cls)
            page.screenshot(
                path=SHOTS / f"1366x650-{'open' if browser_open else 'closed'}-{cls}.png"
            )
            got = page.evaluate(BOXES_JS, [cls, MUST_SHOW])
            shown = got["shown"]
            off = {
                s: (round(b["top"]), round(b["bottom"]))
                for s, b in got["found"].items()
                if b["top"] < shown["top"] - 1 or b["bottom"] > shown["bottom"] + 1
            }
            curve = got["found"]["canvas.bpw-loss-curve"]
            print(
                f"{cls}, file browser {'open' if browser_open else 'closed'}: loss curve "
                f"{round(curve['top'])}-{round(curve['bottom'])} px in a panel showing "
                f"{round(shown['top'])}-{round(shown['bottom'])} px"
            )
            if off or got["past"]:
                problems[cls] = {"off screen": off, "past the output": got["past"]}
        assert problems == {}, problems
    finally:
        context.close()


def test_at_150_percent_zoom_nothing_reaches_past_the_output_area(
    lab_server, browser, dashboards_notebook
):
    context = browser.new_context(viewport={"width": 911, "height": 512}, device_scale_factor=1.5)
    page = context.new_page()
    try:
        open_notebook(page, lab_server, dashboards_notebook)
        run_all_and_wait(page, SENTINEL)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for browser_open in (True, False):
            sidebar(page, browser_open)
            for cls in DASHBOARDS:
                show_cell_of(page, cls)
                page.screenshot(
                    path=SHOTS / f"zoom150-{'open' if browser_open else 'closed'}-{cls}.png"
                )
                got = page.evaluate(BOXES_JS, [cls, MUST_SHOW])
                assert got["past"] == [], (cls, browser_open, got["past"])
    finally:
        context.close()
