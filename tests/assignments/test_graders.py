"""The example assignment, graded end to end by the real nbgrader and the real otter-grader.

No Docker and no network: nbgrader's own commands (generate_assignment, then autograde of
the students' submissions) and otter's (assign, then ``otter run``, in one process for all
submissions so that otter is imported once). One course and one assign for all students.
Every student sets STUDENT_ID and gets their own numbers; six submissions go through each
grader:

- alice: her own answers, q1 in the widget (the answers file holds a wrong then a right
  attempt), q2 and q3 typed into their cells: full marks;
- bob: his own answers, all typed: full marks;
- carol: bob's answers copied under her own id: the chain-rule sum (the same for everyone)
  scores, the numbers (bob's) do not;
- wrong: the seed's answer to q1 in its cell: 0, and the feedback names dw7/dh1;
- empty: the released notebook untouched (STUDENT_ID empty), no answers file: 0, every
  test says no student id was given, and the setup cell's message says what to do;
- hostile: code, deep brackets and a 10,000-character answer, a corrupt answers file and
  an odd id: 0, nothing run, and the grader finishes.

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

from .example import ROOT, load_build, question_for, solution_for

pytestmark = pytest.mark.grading

build = load_build()  # assignments/build.py: the one list of the assignment's exercises

NAME = build.NAME
SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
POINTS = sum(ex.points for ex in build.EXERCISES)
NUMERIC = [ex.id for ex in build.EXERCISES if ex.id != "q1"]  # q1: a chain-rule sum
MARK = Path(tempfile.gettempdir()) / f"bpw-hacked-{os.getpid()}"  # made only if code ran
HOSTILE = {
    "q1": f"__import__('os').system('echo hi > {MARK}')",
    "q2": "(" * 5000 + "1" + ")" * 5000,
    "q3": ("dh1/dw1 * " * 1000)[:10_000],
}
IDS = {  # the folder a submission is collected in -> the STUDENT_ID typed in it
    "alice": "alice",
    "bob": "bob",
    "carol": "carol",
    "wrong": "dave",
    "empty": "",  # the released cell left as it is
    "hostile": "eve'); import os  # \u202e" + "z" * 5000,
}
STUDENTS = tuple(IDS)


def own_answers(student_id: str) -> dict[str, str]:
    return {ex.id: solution_for(ex, student_id) for ex in build.EXERCISES}


def typed_answers(student: str) -> dict[str, str]:
    """What each student types into the answer cells."""
    return {
        "alice": {q: a for q, a in own_answers("alice").items() if q != "q1"},  # q1: widget
        "bob": own_answers("bob"),
        "carol": own_answers("bob"),  # copied, handed in under carol's id
        "wrong": {"q1": SEED_WRONG},
        "empty": {},
        "hostile": HOSTILE,
    }[student]


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
    typed = {f"answer_{qid}": answer for qid, answer in typed_answers(student).items()}
    if IDS[student]:
        typed["STUDENT_ID"] = IDS[student]
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        for name, value in typed.items():
            if source.startswith(f"{name} = "):
                cell["source"] = f"{name} = {value!r}\n"
    (folder / f"{NAME}.ipynb").write_text(json.dumps(nb))
    answers = folder / bw.exercises.answers.FILENAME
    if student == "alice":  # q1 answered in the widget of her variant: wrong, then right
        [q1] = [ex for ex in build.EXERCISES if ex.id == "q1"]
        exercise = bw.GradientExercise(question_for(q1, "alice"), id="q1", answers=answers)
        assert not exercise.check(SEED_WRONG).correct
        assert exercise.check(solution_for(q1, "alice")).correct
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


def hidden_from_students(released: str) -> None:
    """No solution region, whether a fixed text or the expression computing a number."""
    for ex in build.EXERCISES:
        assert json.dumps(ex.solution)[1:-1] not in released, ex.id
    assert "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)" not in released
    assert "bw.exercises.grade(" not in released and ".gradients(" not in released
    assert repr(build.SOLUTION_ID) not in released  # the id the source notebook runs with
    assert "graded_mode(True)" in released and json.dumps('STUDENT_ID = ""')[1:-1] in released


def test_nbgrader_release_hides_solutions_and_hidden_tests(nbgrader_course):
    released = (nbgrader_course["dir"] / "release" / NAME / f"{NAME}.ipynb").read_text()
    hidden_from_students(released)
    assert "HIDDEN TESTS" not in released


def test_nbgrader_release_run_by_a_student_shows_her_own_numbers_in_every_prompt(
    nbgrader_course, tmp_path
):
    """What alice sees after Run All: each exercise's box lists her network's numbers."""
    import nbformat
    from nbclient import NotebookClient

    from backprop_widgets.widgets.exercise import prompt_html

    submit(nbgrader_course["dir"] / "release" / NAME / f"{NAME}.ipynb", tmp_path, "empty")
    nb = nbformat.read(tmp_path / f"{NAME}.ipynb", as_version=4)
    [cell] = [c for c in nb.cells if c.source.startswith("STUDENT_ID = ")]
    cell.source = 'STUDENT_ID = "alice"'
    NotebookClient(
        nb, timeout=120, kernel_name="python3", store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()  # fmt: skip
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = {m["state"].get("value") for m in states.values()}
    for ex in build.EXERCISES:
        alice, bob = question_for(ex, "alice"), question_for(ex, "bob")
        assert prompt_html(alice) in shown, ex.id
        assert prompt_html(bob) not in shown and prompt_html(alice) != prompt_html(bob)
        assert f"{alice.net['w5']:.2f}" in prompt_html(alice)


@pytest.mark.parametrize("student", ["alice", "bob"])
def test_nbgrader_each_student_with_their_own_answers_scores_full_marks(nbgrader_course, student):
    course = nbgrader_course["dir"]
    assert nbgrader_errors(course, student) == {}
    assert nbgrader_score(course, student) == POINTS


def test_nbgrader_a_classmates_numbers_copied_score_nothing(nbgrader_course):
    course = nbgrader_course["dir"]
    # the chain-rule sum is the same for every variant; bob's numbers are wrong for carol
    assert nbgrader_score(course, "carol") == POINTS - sum(
        ex.points for ex in build.EXERCISES if ex.id in NUMERIC
    )
    errors = nbgrader_errors(course, "carol")
    assert set(errors) == {f"test_{q}" for q in NUMERIC}
    assert all(e.startswith("AssertionError: Not quite: ") for e in errors.values()), errors


def test_nbgrader_seed_answer_scores_zero_and_names_the_impossible_factor(nbgrader_course):
    course = nbgrader_course["dir"]
    assert nbgrader_score(course, "wrong") == 0
    errors = nbgrader_errors(course, "wrong")
    assert errors["test_q1"].startswith("AssertionError: dw7/dh1: w7 is a weight")
    # q2 left empty: the setup cell started an empty answers file, which holds no answer
    assert errors["test_q2"].startswith("AssertionError: No answer was given.")
    assert "Exercise q2 has no checked answer in backprop_answers.json" in errors["test_q2"]


def test_nbgrader_empty_submission_scores_zero_and_says_to_set_student_id(nbgrader_course):
    course = nbgrader_course["dir"]
    assert nbgrader_score(course, "empty") == 0
    errors = nbgrader_errors(course, "empty")
    # what the student saw: Run All stops at the setup cell, with what to do
    assert errors["setup"] == f"ValueError: {build.NO_ID}"
    tests = {k: v for k, v in errors.items() if k.startswith("test_")}
    assert set(tests) == {f"test_{ex.id}" for ex in build.EXERCISES}
    assert all(
        e.startswith("AssertionError: Not graded: no student id was given (got '')")
        for e in tests.values()
    ), tests


def test_nbgrader_hostile_submission_runs_nothing_and_scores_zero(nbgrader_course, capsys):
    course = nbgrader_course["dir"]
    assert nbgrader_score(course, "hostile") == 0
    errors = nbgrader_errors(course, "hostile")
    assert set(errors) == {f"test_{ex.id}" for ex in build.EXERCISES}  # the odd id is just text
    assert all(e.startswith("AssertionError") for e in errors.values()), errors
    assert not MARK.exists()
    with capsys.disabled():  # printed, not asserted: a busy machine must not fail the test
        print(f"\n[nbgrader] the course graded in {nbgrader_course['seconds']:.0f} s")


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
    # --no-run-tests: alice's and bob's submissions below check that the solutions pass
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
    hidden_from_students(released)
    assert "BEGIN" not in released


def points(scores) -> dict[str, float]:
    return {q: s for q, (s, _) in scores.items()}


@pytest.mark.parametrize("student", ["alice", "bob"])
def test_otter_each_student_with_their_own_answers_scores_full_marks(otter_runs, student):
    scores = otter_scores(otter_runs["runs"][student])
    assert points(scores) == {ex.id: ex.points for ex in build.EXERCISES}


def test_otter_a_classmates_numbers_copied_score_nothing(otter_runs):
    scores = otter_scores(otter_runs["runs"]["carol"])
    assert points(scores) == {ex.id: 0 if ex.id in NUMERIC else ex.points for ex in build.EXERCISES}
    assert all("AssertionError: Not quite: " in scores[q][1] for q in NUMERIC)


def test_otter_seed_answer_scores_zero_and_names_the_impossible_factor(otter_runs):
    scores = otter_scores(otter_runs["runs"]["wrong"])
    assert sum(s for s, _ in scores.values()) == 0
    assert "AssertionError: dw7/dh1: w7 is a weight" in scores["q1"][1]
    assert "No answer was given" in scores["q2"][1]


def test_otter_empty_submission_scores_zero_and_says_to_set_student_id(otter_runs):
    scores = otter_scores(otter_runs["runs"]["empty"])
    assert set(scores) == {ex.id for ex in build.EXERCISES}
    assert sum(s for s, _ in scores.values()) == 0
    assert all(
        "Not graded: no student id was given (got '')" in output for _, output in scores.values()
    )


def test_otter_hostile_submission_runs_nothing_and_scores_zero(otter_runs, capsys):
    runs = otter_runs["runs"]
    scores = otter_scores(runs["hostile"])
    assert set(scores) == {ex.id for ex in build.EXERCISES}
    assert sum(s for s, _ in scores.values()) == 0
    assert not MARK.exists()
    # one run is a kernel start and the notebook; a hostile one should cost no more than that
    # (printed, not asserted: a busy machine must not fail the test)
    with capsys.disabled():
        print(
            f"\n[otter] hostile submission graded in {runs['hostile']['seconds']:.1f} s, "
            f"alice's in {runs['alice']['seconds']:.1f} s"
        )
