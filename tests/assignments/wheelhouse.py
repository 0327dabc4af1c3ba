"""The wheels the Gradescope-like test installs from, with no network at test time.

    python tests/assignments/wheelhouse.py [DIR]     # `make wheelhouse`; DIR: .venv/wheelhouse

Downloads (once, at setup) what the otter autograder zip's ``environment.yml`` has pip
install (otter-grader[grading,plugins] at the version installed here, jupyter_server, this
package's dependencies) and hatchling, this package's build backend (to build its wheel with
``pip wheel --no-index``), for the Python running this script. The test then installs from
DIR with ``pip install --no-index --find-links DIR``: if DIR is missing or was made for
other requirements, the test skips and says to run ``make wheelhouse``.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = "BACKPROP_WHEELHOUSE"
STAMP = ".complete"  # written last: the requirements the folder was made for


def default_dir() -> Path:
    return Path(os.environ.get(ENV) or ROOT / ".venv" / "wheelhouse")


def requirements() -> list[str]:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    [block] = re.findall(r"(?ms)^dependencies = \[(.*?)^\]", pyproject)
    runtime = re.findall(r'"([^"]+)"', block)
    [backend] = re.findall(r'requires = \["([^"]+)"\]', pyproject)
    otter = importlib.metadata.version("otter-grader")
    return [f"otter-grader[grading,plugins]=={otter}", "jupyter_server", *runtime, backend]


def _stamp() -> dict:
    return {"python": "{}.{}".format(*sys.version_info[:2]), "wants": requirements()}


def ready(folder: Path) -> str:
    """Why ``folder`` lacks the wheels for :func:`requirements` ("" when it holds them)."""
    stamp = folder / STAMP
    if not stamp.is_file():
        return f"no wheelhouse at {folder}: run `make wheelhouse` once (it downloads)"
    if json.loads(stamp.read_text()) != _stamp():
        return f"the wheelhouse at {folder} is for other requirements: run `make wheelhouse`"
    return ""


def main(folder: Path) -> None:
    if not ready(folder):
        print(f"{folder} is up to date")
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STAMP).unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:",
         "--dest", str(folder), *requirements()],
        check=True,
    )  # fmt: skip
    (folder / STAMP).write_text(json.dumps(_stamp()))
    print(f"{folder}: {len(list(folder.glob('*.whl')))} wheels")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default_dir())
