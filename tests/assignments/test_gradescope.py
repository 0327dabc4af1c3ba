"""The otter autograder zip, run as Gradescope runs it, without Docker or a network.

Gradescope builds an image from the zip (its ``setup.sh``: conda creates the environment
``environment.yml`` lists, whose pip section holds otter-grader and, from
assignments/otter/requirements.txt, this package's wheel inside the zip), then for each
submission runs ``run_autograder`` with the zip in ``/autograder/source/``, the student's
files in ``/autograder/submission/`` (an uploaded zip is unpacked), the submitters in
``/autograder/submission_metadata.json``, and reads ``/autograder/results/results.json``.

Here: a fresh virtual environment (no access to this checkout or the test's venv) gets what
``environment.yml`` lists, from a local wheelhouse (``make wheelhouse``, filled at setup:
``pip install --no-index``); conda itself, ``nb_conda_kernels`` and playwright's browser
(PDFs are off) are what is left out. Each student's folder is laid out as Gradescope's, under
a temporary root instead of ``/``, and the zip's own ``run_otter.py`` runs with that root.
The eight students of tests/assignments/example.py must get the points they get from
nbgrader and ``otter run``; the student is taken from the metadata, not the notebook.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from .example import MARK, STUDENTS, expected_points, load_build, run, submit
from .test_graders import EXPORT, otter_scores, points

pytestmark = [pytest.mark.grading, pytest.mark.slow]

build = load_build()
NAME = build.NAME
GRADESCOPE = "/autograder"  # where Gradescope puts everything; a temporary root here


def conda_python_packages(environment: dict) -> list[str]:
    """The conda dependencies that are Python packages pip can install (not python or pip)."""
    names = [d for d in environment["dependencies"] if isinstance(d, str)]
    return [n for n in names if n.split("=")[0] not in ("python", "pip")]


def pip_requirements(environment: dict, root: Path) -> list[str]:
    [pip] = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    return [line.replace(GRADESCOPE + "/", f"{root}{GRADESCOPE}/") for line in pip]


@pytest.fixture(scope="module")
def image(otter_assigned, wheelhouse, tmp_path_factory):
    """The 'image': the zip unpacked in <root>/autograder/source, and a fresh venv holding
    what its environment.yml lists (setup.sh's `mamba env create`)."""
    yaml = pytest.importorskip("yaml")
    root = tmp_path_factory.mktemp("gradescope-image")
    source = root / "autograder" / "source"
    with zipfile.ZipFile(otter_assigned["autograder"]) as z:
        z.extractall(source)
    setup = (source / "setup.sh").read_text()
    assert "mamba env create -f /autograder/source/environment.yml" in setup
    environment = yaml.safe_load((source / "environment.yml").read_text())
    wanted = conda_python_packages(environment) + pip_requirements(environment, root)
    wheel = f"{root}/autograder/source/files/wheels/{build.wheel_name()}"
    assert wheel in wanted and Path(wheel).is_file()  # this package, from the zip itself
    started = time.monotonic()
    venv = root / "venv"
    run([sys.executable, "-m", "venv", str(venv)], root)
    python = venv / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    clean["PATH"] = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links",
         str(wheelhouse), *wanted],
        root, timeout=900, env_=clean,
    )  # fmt: skip
    print(f"[gradescope] fresh environment installed in {time.monotonic() - started:.0f} s")
    return {"root": root, "source": source, "python": python, "env": clean}


def test_the_image_runs_this_packages_wheel_not_the_checkout(image):
    where = run(
        [str(image["python"]), "-c", "import backprop_widgets, otter; print(backprop_widgets.__file__)"],
        image["root"], env_=image["env"],
    ).stdout.strip()  # fmt: skip
    assert where.startswith(str(image["root"] / "venv")), where


def gradescope_metadata(student: str, index: int) -> dict:
    """Gradescope's submission_metadata.json, trimmed to what matters (the submitters)."""
    email = f"{student.upper() if student == 'stu500' else student}@Uni.Example"
    return {
        "id": 1000 + index,
        "assignment": {"title": NAME},
        "users": [{"email": email, "id": 500 + index, "name": student.title(), "sid": f"s{index}"}],
    }


@pytest.fixture(scope="module")
def graded(image, otter_assigned, tmp_path_factory):
    """Each student's results.json, from the zip's run_otter.py in their own /autograder."""
    work = tmp_path_factory.mktemp("gradescope-students")
    folders = [work / "handed-in" / s for s in STUDENTS]
    for student, folder in zip(STUDENTS, folders):
        submit(otter_assigned["released"], folder, student)
    run([sys.executable, "-c", EXPORT, f"{NAME}.ipynb", *map(str, folders)], work)
    run_otter = (image["source"] / "run_otter.py").read_text()
    assert f'run_autograder("{GRADESCOPE}")' in run_otter

    def grade(index_student):
        index, student = index_student
        ag = work / student / "autograder"
        shutil.copytree(image["source"], ag / "source")
        [zipped] = (work / "handed-in" / student).glob("*.zip")
        with zipfile.ZipFile(zipped) as z:  # Gradescope unpacks an uploaded zip
            z.extractall(ag / "submission")
        (ag / "results").mkdir()
        (ag / "submission_metadata.json").write_text(
            json.dumps(gradescope_metadata(student, index))
        )
        started = time.monotonic()
        done = subprocess.run(
            [str(image["python"]), "-c", run_otter.replace(f'"{GRADESCOPE}"', repr(str(ag)))],
            cwd=ag, env=image["env"], capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        results = json.loads((ag / "results" / "results.json").read_text())
        return student, {"results": results, "seconds": time.monotonic() - started}

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        out = dict(pool.map(grade, enumerate(STUDENTS)))
    print(
        f"[gradescope] {len(STUDENTS)} submissions, 2 at a time, {time.monotonic() - started:.0f} s"
    )
    return out


@pytest.mark.parametrize("student", STUDENTS)
def test_gradescope_results_give_each_student_the_expected_points(graded, student):
    results = graded[student]["results"]
    assert points(otter_scores(results)) == expected_points(student)
    assert results["tests"][0]["name"] == "Public Tests"  # otter's, not an Autograder Error


def test_gradescope_takes_the_student_from_the_submission_metadata(graded):
    scores = otter_scores(graded["mallory"]["results"])
    note = "STUDENT_ID is 'bob', but mallory handed it in (Gradescope's submission metadata)"
    assert all(note in scores[q][1] for q in ("q2", "q3")), scores
    scores = otter_scores(graded["empty"]["results"])
    assert all("STUDENT_ID was empty" in output for _, output in scores.values())
    assert not MARK.exists()
