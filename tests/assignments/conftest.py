"""The otter assignment, assigned once per session: this package's wheel is built with no
network (pip wheel --no-index, hatchling from the wheelhouse `make wheelhouse` fills), and
`otter assign` zips it into the autograder as assignments/build.py says."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from . import wheelhouse as wh
from .example import load_build, run

build = load_build()


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    folder = wh.default_dir()
    why = wh.ready(folder)
    if why:
        pytest.skip(why)
    return folder


@pytest.fixture(scope="session")
def otter_assigned(wheelhouse, tmp_path_factory) -> dict:
    """otter assign's output for the stored notebook, with this package's wheel in the zip."""
    pytest.importorskip("otter")
    work = tmp_path_factory.mktemp("otter-assign")
    for path in (build.OTTER_NOTEBOOK, build.OTTER_REQUIREMENTS):
        shutil.copy(path, work / path.name)
    started = time.monotonic()
    wheel = build.build_wheel(work / "wheels", "--no-index", "--find-links", str(wheelhouse))
    built = time.monotonic()
    # --no-run-tests: the graders' tests check that the solutions pass
    run([sys.executable, "-m", "otter", "assign", "--no-run-tests", f"{build.NAME}.ipynb",
         "dist"], work)  # fmt: skip
    print(f"wheel {built - started:.1f} s, otter assign {time.monotonic() - built:.1f} s")
    [autograder] = (work / "dist" / "autograder").glob("*.zip")
    released = work / "dist" / "student" / f"{build.NAME}.ipynb"
    return {"dir": work, "autograder": autograder, "released": released, "wheel": wheel}
