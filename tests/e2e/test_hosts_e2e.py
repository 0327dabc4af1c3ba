"""The exercise and the dashboard in the other hosts with a kernel (issue 21): Notebook 7 and
Voilà. In each, a typed answer gets its verdict and Play trains while the loss curve redraws.
(JupyterLab's and marimo's own tests do the same; an exported page has no kernel to train.)
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from tests.e2e.export import start_voila
from tests.e2e.jupyter import (
    isolated_env,
    open_notebook7,
    run_all_and_wait,
    write_kernelspec,
    write_notebook,
)

SENTINEL = "BPW-HOSTS-READY"
CELLS = [
    "import backprop_widgets as bw\nnet, x, t = bw.presets.mazur()",
    'ex = bw.GradientExercise(bw.GradientQuestion(net, "w1", x, t), answers=False)\nex',
    "moons, X, T = bw.presets.moons()\ndash = bw.TrainingDashboard(moons, X, T, lr=1.0, speed=50)\ndash",
    f"print({SENTINEL!r})",
]


def answer_and_play(page) -> None:
    """Type the seed's chain and a right one; press Play and see the curve redraw; pause."""
    exercise = page.locator(".bpw-exercise").first
    exercise.scroll_into_view_if_needed()
    box = exercise.locator("input.bpw-answer")
    box.fill("dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2")  # the seed's mistake
    box.press("Enter")
    expect(exercise.locator(".bpw-feedback")).to_contain_text("w7")
    box.fill("dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)")
    exercise.locator("button.bpw-check").click()
    expect(exercise.locator(".bpw-feedback .bpw-verdict")).to_have_attribute(
        "data-verdict", "correct"
    )
    dashboard = page.locator(".bpw-training").first
    dashboard.scroll_into_view_if_needed()
    curve = dashboard.locator("canvas.bpw-loss-curve")
    curve.wait_for()
    first = int(curve.get_attribute("data-frame") or 0)
    dashboard.locator("button.bpw-play").click()
    page.wait_for_function(
        "([el, first]) => Number(el.dataset.frame || 0) > first + 3",
        arg=[curve.element_handle(), first],
        timeout=60_000,
    )
    dashboard.locator("button.bpw-play").click()  # pause


def test_notebook7_checks_an_answer_and_trains(notebook_server, page, page_errors):
    path = write_notebook(notebook_server.root, "hosts-nb7.ipynb", CELLS)
    open_notebook7(page, notebook_server, path)
    run_all_and_wait(page, SENTINEL)
    answer_and_play(page)


@pytest.fixture
def voila_page(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS[:-1]])
    nbformat.write(nb, root / "hosts.ipynb")
    env = isolated_env(tmp_path / "home")
    write_kernelspec(Path(env["JUPYTER_DATA_DIR"]))
    server = start_voila(root, "hosts.ipynb", env, tmp_path / "voila.log")
    try:
        yield server
    finally:
        server.stop()


def test_voila_checks_an_answer_and_trains(voila_page, page, page_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{voila_page.url}/")
    page.locator(".bpw-exercise").first.wait_for(timeout=120_000)
    answer_and_play(page)
    assert page_errors == []
