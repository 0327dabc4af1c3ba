"""A fresh environment built only from binder/ runs every notebook, as mybinder.org would.

mybinder.org installs binder/requirements.txt, then runs binder/postBuild from the
repository root. This test does the same in a new virtual environment (slow: about a
minute, mostly pip) and executes each notebook with nbconvert from that environment.

Marked ``slow``: ``make test`` runs it, ``make test-fast`` does not. It builds the venv with
the Python running the tests, so it skips on a Python older than binder/runtime.txt's (the
pinned requirements, numpy 2.4 for one, need that Python).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"


def binder_python() -> tuple[int, int]:
    """The Python mybinder.org runs: binder/runtime.txt's ``python-3.X`` line."""
    for line in (BINDER / "runtime.txt").read_text().splitlines():
        match = re.fullmatch(r"\s*python-(\d+)\.(\d+)\s*", line)
        if match:
            return int(match[1]), int(match[2])
    raise AssertionError("binder/runtime.txt has no python-3.X line")


# On every test that builds or uses the binder venv (with @pytest.mark.slow).
needs_binder_python = pytest.mark.skipif(
    sys.version_info[:2] < binder_python(),
    reason="binder/runtime.txt asks for Python {}.{}: its pinned requirements do not install on "
    "this Python {}.{}".format(*binder_python(), *sys.version_info[:2]),
)


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (
        f"{cmd} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("binder")
    repo = base / "repo"
    # a copy of the repository as mybinder.org would check it out (no .venv, no caches)
    shutil.copytree(
        ROOT,
        repo,
        ignore=shutil.ignore_patterns(
            ".venv*",  # .venv and .venv-oldest
            "node_modules",
            ".git",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
            "test-artifacts",
        ),
    )
    venv = base / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    env = dict(
        os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", VIRTUAL_ENV=str(venv)
    )
    env.pop("PYTHONPATH", None)
    run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "-r",
            str(repo / "binder" / "requirements.txt"),
        ],
        env=env,
    )
    run(["bash", str(repo / "binder" / "postBuild")], cwd=repo, env=env)
    return repo, venv, env


def test_binder_files_pin_jupyterlab_4_and_install_the_package():
    requirements = (BINDER / "requirements.txt").read_text()
    assert "jupyterlab==4." in requirements
    assert "pip install" in (BINDER / "postBuild").read_text()


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
@pytest.mark.slow
@needs_binder_python
def test_notebook_runs_in_the_binder_environment(binder_env, name, tmp_path):
    repo, venv, env = binder_env
    # the installed package, not the source tree, must be what the kernel imports
    out = run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import backprop_widgets, sys; print(backprop_widgets.__file__)",
        ],
        cwd=tmp_path,
        env=env,
    )
    assert str(venv) in out.stdout
    result = run(
        [
            str(venv / "bin" / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=300",
            "--output-dir",
            str(tmp_path),
            str(repo / "notebooks" / name),
        ],
        cwd=repo / "notebooks",
        env=env,
    )
    assert (tmp_path / name).exists(), result.stderr


@pytest.mark.slow
@needs_binder_python
def test_binder_saves_widget_state_with_the_notebook(binder_env):
    _, venv, _ = binder_env
    overrides = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert overrides.exists()
    settings = json.loads(overrides.read_text())
    assert settings["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True
