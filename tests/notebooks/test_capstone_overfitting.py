"""Notebook 07 says the validation loss "bottoms out after a few hundred steps and then creeps
up": check that claim on the numbers of the curve its own cells draw.

The cells that build and train the dashboard are executed as they are written (no kernel, no
browser: the widgets work without a front end), then the history behind the plot is read.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "07-capstone.ipynb"
TRAINING_CELLS = ("c01", "c03", "c05", "c06")  # imports, data, the dashboard, dash.run(1500)


def run_cells(ids) -> dict:
    cells = {c.get("id"): c for c in nbformat.read(NOTEBOOK, as_version=4).cells}
    namespace: dict = {}
    for cell_id in ids:
        exec(compile(cells[cell_id].source, f"07-capstone.ipynb[{cell_id}]", "exec"), namespace)
    return namespace


def test_the_validation_curve_bottoms_out_after_a_few_hundred_steps_and_then_creeps_up():
    claim = {c.get("id"): c for c in nbformat.read(NOTEBOOK, as_version=4).cells}["c-overfit"]
    assert "bottoms out after a few hundred steps" in claim.source
    history = run_cells(TRAINING_CELLS)["dash"].history
    steps, val, train = history.eval_step, history.val_loss, history.train_loss
    assert history.steps == 1500 and len(val) == len(steps)
    # drawn from enough points that the plot shows the turn, not a few straight segments
    assert len(val) >= 100 and np.diff(steps).max() <= 20
    lowest = int(np.argmin(val))
    assert 150 <= steps[lowest] <= 700, f"the minimum is at step {steps[lowest]}"
    after = val[lowest:]
    # it creeps up: clearly higher at the end, and rising steadily (not one spike)
    assert after[-1] > 1.5 * val[lowest]
    assert np.mean(np.diff(after) >= 0) > 0.9
    # ... while the training loss keeps falling
    assert train[-1] < 0.5 * train[lowest]
