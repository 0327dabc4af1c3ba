"""Grading a course on one machine: nbgrader and otter-grader, N generated students, J at a time.

    python benchmarks/bench_grading.py [--students 200] [--jobs 2] [--grader nbgrader|otter|both]

Generates the example assignment's submissions (assignments/build.py) for N students: 60 %
right, 25 % with the usual mistakes (the seed's chain-rule sum, Mazur's published number,
the step's sign flipped), 10 % empty or partial, 5 % hostile; grades them with
assignments/grade_all.py (nbgrader's autograde, and otter's `otter run`, each in J worker
processes), checks every score against the expected one, and prints the time, the time a
student, and the projection for 1,000 students (linear: each submission is graded alone).
Needs a built wheel for otter assign: run `python assignments/build.py --wheel` first (or
pass --wheelhouse to build it offline). Prints; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "assignments"))
import build  # noqa: E402

import backprop_widgets as bw  # noqa: E402

GRADE_ALL = ROOT / "assignments" / "grade_all.py"
SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
HOSTILE = {"q1": "__import__('os').system('true')", "q2": "(" * 5000 + "1" + ")" * 5000,
           "q3": ("dh1/dw1 * " * 1000)[:10_000]}  # fmt: skip


SNAPSHOT = Path(tempfile.mkdtemp(prefix="bpw-graded-package-"))


def env() -> dict:
    """The graders' environment: this venv's commands, and the package as it was when the
    benchmark started. The venv's install is editable, so without the snapshot every kernel
    would import the checkout as it is at that moment: a file half-way through an edit made
    9 of 200 otter runs score 0 ("No score for q1 found") in one run."""
    return os.environ | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SNAPSHOT), os.environ.get("PYTHONPATH")])),
    }


def snapshot_package() -> None:
    shutil.copytree(ROOT / "backprop_widgets", SNAPSHOT / "backprop_widgets",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    found = subprocess.run([sys.executable, "-c", "import backprop_widgets; print(backprop_widgets.__file__)"],
                           env=env(), cwd=SNAPSHOT, check=True, capture_output=True, text=True).stdout  # fmt: skip
    assert found.startswith(str(SNAPSHOT)), f"graders would import {found}, not the snapshot"


def question(ex, student):
    net, x, t = bw.presets.mazur()
    return eval(ex.question, {"bw": bw, "net": net, "x": x, "t": t}).variant(student)


def answers_for(kind: str, student: str) -> tuple[dict[str, str], int]:
    """(what the student types, the points it must get)."""
    own = {
        ex.id: eval(ex.solution, {"bw": bw, ex.id: question(ex, student)}) for ex in build.EXERCISES
    }
    if kind == "right":
        return own, 4
    if kind == "mistakes":
        net, x, t = bw.presets.mazur()
        q3 = question(build.EXERCISES[2], student)
        flipped = q3.net["w5"] + 0.5 * q3.net.gradients(q3.x, q3.t)["w5"]
        return {"q1": SEED_WRONG, "q2": repr(net.gradients(x, t)["w5"]), "q3": f"{flipped:.9g}"}, 0
    if kind == "partial":
        return {"q1": own["q1"]}, 2
    return HOSTILE, 0


def kinds(n: int) -> list[str]:
    out = []
    for i in range(n):
        r = (i * 37) % 100  # a fixed spread, the same every run
        out.append(
            "right" if r < 60 else "mistakes" if r < 85 else "partial" if r < 95 else "hostile"
        )
    return out


def fill(released: Path, folder: Path, student: str, typed: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nb = json.loads(released.read_text())
    typed = {f"answer_{q}": a for q, a in typed.items()} | {"STUDENT_ID": student}
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        for name, value in typed.items():
            if source.startswith(f"{name} = "):
                cell["source"] = f"{name} = {value!r}\n"
    (folder / f"{build.NAME}.ipynb").write_text(json.dumps(nb))


def grade_nbgrader(work: Path, students: dict, jobs: int) -> tuple[float, int]:
    course = work / "course"
    shutil.copytree(ROOT / "assignments" / "nbgrader", course)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", build.NAME, "--force"],
                   cwd=course, env=env(), check=True, capture_output=True)  # fmt: skip
    released = course / "release" / build.NAME / f"{build.NAME}.ipynb"
    for student, (typed, _) in students.items():
        fill(released, course / "submitted" / student / build.NAME, student, typed)
    started = time.monotonic()
    subprocess.run([sys.executable, str(GRADE_ALL), "nbgrader", str(course), build.NAME,
                    "--jobs", str(jobs)], cwd=course, env=env(), check=True)  # fmt: skip
    seconds = time.monotonic() - started
    from nbgrader.api import Gradebook

    wrong = 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, (_, points) in students.items():
            wrong += gb.find_submission(build.NAME, student).score != points
    return seconds, wrong


EXPORT = """
import os, sys
import otter
for folder in sys.argv[1:]:
    os.chdir(folder)
    otter.Notebook("chain-rule.ipynb").export(pdf=False, files=[], display_link=False)
"""


def grade_otter(work: Path, students: dict, jobs: int, wheelhouse: str | None) -> tuple[float, int]:
    assign = work / "otter"
    assign.mkdir()
    for path in (build.OTTER_NOTEBOOK, build.OTTER_REQUIREMENTS):
        shutil.copy(path, assign / path.name)
    if wheelhouse:
        build.build_wheel(assign / "wheels", "--no-index", "--find-links", wheelhouse)
    else:
        shutil.copytree(build.WHEELS, assign / "wheels")
    subprocess.run([sys.executable, "-m", "otter", "assign", "--no-run-tests",
                    f"{build.NAME}.ipynb", "dist"], cwd=assign, env=env(), check=True,
                   capture_output=True)  # fmt: skip
    [autograder] = (assign / "dist" / "autograder").glob("*.zip")
    released = assign / "dist" / "student" / f"{build.NAME}.ipynb"
    folders = []
    for student, (typed, _) in students.items():
        folders.append(work / "submissions" / student)
        fill(released, folders[-1], student, typed)
    subprocess.run([sys.executable, "-c", EXPORT, *map(str, folders)], env=env(), check=True,
                   capture_output=True)  # fmt: skip
    started = time.monotonic()
    subprocess.run([sys.executable, str(GRADE_ALL), "otter", str(autograder),
                    str(work / "submissions"), str(work / "results"), "--jobs", str(jobs)],
                   env=env(), check=True)  # fmt: skip
    seconds = time.monotonic() - started
    with open(work / "results" / "scores.csv") as f:
        scores = {row["student"]: row["score"] for row in csv.DictReader(f)}
    wrong = [s for s, (_, points) in students.items() if float(scores[s] or -1) != points]
    for s in wrong:
        print(f"  {s}: otter gave {scores[s]}, expected {students[s][1]}")
        print("  ", (work / "results" / s / "log.txt").read_text()[-1500:])
    return seconds, len(wrong)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--grader", choices=("nbgrader", "otter", "both"), default="both")
    parser.add_argument("--wheelhouse", help="build the wheel offline from this folder")
    args = parser.parse_args()
    snapshot_package()
    names = kinds(args.students)
    students = {f"s{i:04d}": answers_for(kind, f"s{i:04d}") for i, kind in enumerate(names)}
    mix = {k: names.count(k) for k in dict.fromkeys(names)}
    print(f"{args.students} students {mix}, {args.jobs} at a time, {os.cpu_count()} cores")
    for grader in ("nbgrader", "otter") if args.grader == "both" else (args.grader,):
        with tempfile.TemporaryDirectory() as tmp:
            if grader == "nbgrader":
                seconds, wrong = grade_nbgrader(Path(tmp), students, args.jobs)
            else:
                seconds, wrong = grade_otter(Path(tmp), students, args.jobs, args.wheelhouse)
        each = seconds / args.students
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{grader}: {args.students} students in {seconds:.0f} s ({each:.2f} s a student, "
            f"{args.jobs} at a time); scores not as expected: {wrong}; "
            f"1,000 students projected: {each * 1000 / 60:.0f} min (load average after: {load})"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SNAPSHOT, ignore_errors=True)
