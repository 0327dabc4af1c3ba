"""Every notebook under notebooks/ runs top to bottom, cleanly, as a student would run it.

Notebooks are stored without outputs (so diffs stay reviewable and nothing stale is shown);
a test checks that too.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_lecture_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"cell {i} has stored output"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_errors_or_warnings(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {i} wrote to stderr: {out.text[:300]}")
            elif "Warning" in str(out.get("text", "")):
                problems.append(f"cell {i} printed a warning: {out.text[:300]}")
    assert problems == []


BINDER = "https://mybinder.org/v2/gh/backprop-widgets/backprop-widgets/HEAD?labpath=notebooks%2F"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_opens_itself_from_its_binder_badge(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "markdown"
    assert f"({BINDER}{path.name})" in first.source


def test_readme_binder_link_uses_the_same_repository():
    readme = (NOTEBOOKS[0].parents[1] / "README.md").read_text()
    assert BINDER in readme
