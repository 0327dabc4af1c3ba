"""The example assignment, graded end to end by the real nbgrader and the real otter-grader.

No Docker and no network: nbgrader's own commands (generate_assignment, then autograde of
the students' submissions) and otter's (assign, then ``otter run``, in one process for all
submissions so that otter is imported once). Four submissions go through each grader:

- correct: q1 answered in the widget (the answers file holds a wrong then a right attempt),
  q2 and q3 typed into their cells: full marks;
- wrong: the seed's answer to q1 in its cell: 0, and the feedback names dw7/dh1;
- empty: the released notebook untouched, no answers file: 0, and no grader error;
- hostile: code, deep brackets and a 10,000-character answer, and a corrupt answers file:
  0, nothing run, and the grader finishes.

Deselect with ``-m "not grading"``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import backprop_widgets as bw

from .example import ROOT, load_build

pytestmark = pytest.mark.grading

build = load_build()  # assignments/build.py: the one list of the assignment's exercises

NAME = build.NAME
SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
SOLUTIONS = {ex.id: ex.solution for ex in build.EXERCISES}
POINTS = sum(ex.points for ex in build.EXERCISES)
MARK = Path(tempfile.gettempdir()) / f"bpw-hacked-{os.getpid()}"  # made only if code ran
HOSTILE = {
    "q1": f"__import__('os').system('echo hi > {MARK}')",
    "q2": "(" * 5000 + "1" + ")" * 5000,
    "q3": ("dh1/dw1 * " * 1000)[:10_000],
}
STUDENTS = ("correct", "wrong", "empty", "hostile")


def env() -> dict:
    """The test's own Python first on PATH: nbgrader runs `alembic` from there."""
    bin_dir = str(Path(sys.executable).parent)
    return os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def run(args, cwd) -> subprocess.CompletedProcess:
    done = subprocess.run(
        args, cwd=cwd, env=env(), capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def submit(released: Path, folder: Path, student: str) -> None:
    """What a student hands in: the released notebook, filled in (or not), and its file."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = json.loads(released.read_text())
    typed = {
        "correct": {"q2": SOLUTIONS["q2"], "q3": SOLUTIONS["q3"]},
        "wrong": {"q1": SEED_WRONG},
        "empty": {},
        "hostile": HOSTILE,
    }[student]
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        for qid, answer in typed.items():
            if source.startswith(f"answer_{qid} = "):
                cell["source"] = f"answer_{qid} = {answer!r}\n"
    (folder / f"{NAME}.ipynb").write_text(json.dumps(nb))
    answers = folder / bw.exercises.answers.FILENAME
    if student == "correct":  # q1 answered in the widget: wrong first, then right
        net, x, t = bw.presets.mazur()
        q1 = bw.GradientQuestion(net, "w1", x, t, accept=("chain_rule",))
        exercise = bw.GradientExercise(q1, id="q1", answers=answers)
        assert not exercise.check(SEED_WRONG).correct
        assert exercise.check(SOLUTIONS["q1"]).correct
    elif student == "hostile":
        answers.write_text("{" + '"exercises": ' + "[" * 100_000)


# ----------------------------------------------------------------------------- nbgrader
@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    pytest.importorskip("nbgrader")
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    shutil.copytree(ROOT / "assignments" / "nbgrader", course)
    started = time.monotonic()
    run([sys.executable, "-m", "nbgrader", "generate_assignment", NAME, "--force"], course)
    generated = time.monotonic()
    released = course / "release" / NAME / f"{NAME}.ipynb"
    for student in STUDENTS:
        submit(released, course / "submitted" / student / NAME, student)
    done = run([sys.executable, "-m", "nbgrader", "autograde", NAME, "--create", "--force"], course)
    graded = time.monotonic()
    print(
        f"nbgrader: generate_assignment {generated - started:.1f} s, "
        f"autograde of {len(STUDENTS)} submissions {graded - generated:.1f} s"
    )
    return {"dir": course, "log": done.stdout + done.stderr, "seconds": graded - generated}


def nbgrader_score(course: Path, student: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return gb.find_submission(NAME, student).score


def nbgrader_errors(course: Path, student: str) -> dict[str, str]:
    """Each test cell's error, as the student's feedback shows it."""
    nb = json.loads((course / "autograded" / student / NAME / f"{NAME}.ipynb").read_text())
    errors = {}
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                errors[grade_id] = f"{out['ename']}: {out['evalue']}"
    return errors


def test_nbgrader_release_hides_solutions_and_hidden_tests(nbgrader_course):
    released = (nbgrader_course["dir"] / "release" / NAME / f"{NAME}.ipynb").read_text()
    for answer in SOLUTIONS.values():
        assert json.dumps(answer)[1:-1] not in released
    assert "HIDDEN TESTS" not in released and "bw.exercises.grade(" not in released
    assert "graded_mode(True)" in released


def test_nbgrader_correct_submission_scores_full_marks(nbgrader_course):
    course = nbgrader_course["dir"]
    assert nbgrader_errors(course, "correct") == {}
    assert nbgrader_score(course, "correct") == POINTS


def test_nbgrader_seed_answer_scores_zero_and_names_the_impossible_factor(nbgrader_course):
    course = nbgrader_course["dir"]
    assert nbgrader_score(course, "wrong") == 0
    errors = nbgrader_errors(course, "wrong")
    assert errors["test_q1"].startswith("AssertionError: dw7/dh1: w7 is a weight")


def test_nbgrader_empty_submission_scores_zero_without_an_error(nbgrader_course):
    course = nbgrader_course["dir"]
    assert nbgrader_score(course, "empty") == 0
    errors = nbgrader_errors(course, "empty")
    assert set(errors) == {f"test_{ex.id}" for ex in build.EXERCISES}
    assert all(e.startswith("AssertionError: No answer was given.") for e in errors.values())
    # the setup cell started an empty answers file: it holds no answer
    assert "Exercise q1 has no checked answer in backprop_answers.json" in errors["test_q1"]


def test_nbgrader_hostile_submission_runs_nothing_and_scores_zero(nbgrader_course):
    course = nbgrader_course["dir"]
    assert nbgrader_score(course, "hostile") == 0
    errors = nbgrader_errors(course, "hostile")
    assert all(e.startswith("AssertionError") for e in errors.values()), errors
    assert not MARK.exists()
    assert nbgrader_course["seconds"] < 120


# ----------------------------------------------------------------------------- otter
# One process for every submission, so otter is imported once: each student's folder is
# exported as the notebook's export cell does (grader.export), then graded by otter run.
OTTER_RUNS = """
import glob, json, os, sys, time
import otter
from otter.run import main
autograder, out, name, *folders = sys.argv[1:]
report = {}
for folder in folders:
    os.chdir(folder)
    files = [f for f in ["backprop_answers.json"] if os.path.exists(f)]
    otter.Notebook(name).export(pdf=False, files=files, display_link=False)
    [submission] = glob.glob(os.path.join(folder, "*.zip"))
    results = folder + "-results"
    os.makedirs(results)
    started = time.monotonic()
    main(submission, autograder=autograder, output_dir=results, no_logo=True)
    seconds = time.monotonic() - started
    with open(os.path.join(results, "results.json")) as f:
        report[folder] = {"seconds": seconds, "results": json.load(f)}
with open(out, "w") as f:
    json.dump(report, f)
"""


@pytest.fixture(scope="module")
def otter_runs(tmp_path_factory):
    pytest.importorskip("otter")
    work = tmp_path_factory.mktemp("otter")
    shutil.copy(build.OTTER_NOTEBOOK, work / f"{NAME}.ipynb")
    started = time.monotonic()
    # --no-run-tests: the correct submission below is the check that the solution passes
    run([sys.executable, "-m", "otter", "assign", "--no-run-tests", f"{NAME}.ipynb", "dist"], work)
    assigned = time.monotonic()
    [autograder] = (work / "dist" / "autograder").glob("*.zip")
    released = work / "dist" / "student" / f"{NAME}.ipynb"
    folders = [work / "submissions" / student for student in STUDENTS]
    for student, folder in zip(STUDENTS, folders):
        submit(released, folder, student)
    out = work / "runs.json"
    run(
        [
            sys.executable,
            "-c",
            OTTER_RUNS,
            str(autograder),
            str(out),
            f"{NAME}.ipynb",
            *map(str, folders),
        ],
        work,
    )
    ran = time.monotonic()
    print(
        f"otter: assign {assigned - started:.1f} s, run of {len(STUDENTS)} submissions "
        f"{ran - assigned:.1f} s"
    )
    by_path = json.loads(out.read_text())
    runs = {student: by_path[str(f)] for student, f in zip(STUDENTS, folders)}
    return {"dir": work, "released": released, "runs": runs}


def otter_scores(run_: dict) -> dict[str, tuple[float, str]]:
    tests = run_["results"]["tests"]
    return {t["name"]: (t.get("score"), t.get("output", "")) for t in tests if "max_score" in t}


def test_otter_student_notebook_hides_solutions_and_tests(otter_runs):
    released = otter_runs["released"].read_text()
    for answer in SOLUTIONS.values():
        assert json.dumps(answer)[1:-1] not in released
    assert "bw.exercises.grade(" not in released and "BEGIN" not in released


def test_otter_correct_submission_scores_full_marks(otter_runs):
    scores = otter_scores(otter_runs["runs"]["correct"])
    assert {q: s for q, (s, _) in scores.items()} == {ex.id: ex.points for ex in build.EXERCISES}


def test_otter_seed_answer_scores_zero_and_names_the_impossible_factor(otter_runs):
    scores = otter_scores(otter_runs["runs"]["wrong"])
    assert sum(s for s, _ in scores.values()) == 0
    assert "AssertionError: dw7/dh1: w7 is a weight" in scores["q1"][1]


def test_otter_empty_submission_scores_zero_without_an_error(otter_runs):
    scores = otter_scores(otter_runs["runs"]["empty"])
    assert sum(s for s, _ in scores.values()) == 0
    assert all("No answer was given" in output for _, output in scores.values())


def test_otter_hostile_submission_runs_nothing_and_scores_zero(otter_runs):
    runs = otter_runs["runs"]
    scores = otter_scores(runs["hostile"])
    assert sum(s for s, _ in scores.values()) == 0
    assert not MARK.exists()
    # one run is a kernel start and the notebook; a hostile one costs no more than that
    assert runs["hostile"]["seconds"] < runs["correct"]["seconds"] + 5
