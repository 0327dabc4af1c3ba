"""The example assignment, graded end to end by the real nbgrader and the real otter-grader.

No Docker and no network: nbgrader's own commands (generate_assignment, then autograde of
each student's submission, two at a time, by assignments/grade_all.py) and otter's (assign,
then one ``otter run -o <student's folder>`` per submission, two at a time, by the same
script). One course and one assign for all students. Every student sets STUDENT_ID and gets
their own numbers; the grader takes the student from where it put the submission (nbgrader's
folder; for ``otter run``, $BACKPROP_STUDENT, which grade_all.py sets from the folder).
Eight submissions go through each grader (tests/assignments/example.py):

- alice: her own answers, q1 in the widget (the answers file holds a wrong then a right
  attempt), q2 and q3 typed into their cells: full marks;
- bob: his own answers, all typed: full marks;
- carol: bob's answers copied under her own id: the chain-rule sum (the same for everyone)
  scores, the numbers (bob's) do not;
- wrong: the seed's answer to q1 in its cell: 0, and the feedback names dw7/dh1;
- empty: the released notebook untouched (STUDENT_ID empty), no answers file: 0, every
  test says no student id was given, and the setup cell's message says what to do;
- hostile: code, deep brackets and a 10,000-character answer, a corrupt answers file and
  an odd id: 0, nothing run, and the grader finishes;
- mallory: bob's id and bob's answers: graded with mallory's numbers (as her own answers
  would be), so only the chain-rule sum scores, and the feedback says whose numbers;
- stu500: typed " STU500 ": the same student as the folder stu500, full marks.

nbgrader also grades dan, whose hidden-test cell for q3 was deleted: put back and graded
(full marks), with one log line naming him and no checksum warning for anyone.

Deselect with ``-m "not grading"``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from .example import (
    MARK,
    ROOT,
    STUDENTS,
    expected_points,
    load_build,
    question_for,
    run,
    submit,
)

pytestmark = pytest.mark.grading

build = load_build()  # assignments/build.py: the one list of the assignment's exercises

NAME = build.NAME
POINTS = sum(ex.points for ex in build.EXERCISES)
NUMERIC = [ex.id for ex in build.EXERCISES if ex.id != "q1"]  # q1: a chain-rule sum
GRADE_ALL = ROOT / "assignments" / "grade_all.py"
DELETED = "dan"  # nbgrader only: his q3 test cell deleted


def delete_cell(notebook: Path, grade_id: str) -> None:
    nb = json.loads(notebook.read_text())
    kept = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != grade_id]
    assert len(kept) == len(nb["cells"]) - 1
    notebook.write_text(json.dumps(nb | {"cells": kept}))


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
    submit(released, course / "submitted" / DELETED / NAME, "bob")
    delete_cell(course / "submitted" / DELETED / NAME / f"{NAME}.ipynb", "test_q3")
    # dan's answers are his own: bob's cells, with dan's id and numbers
    notebook = course / "submitted" / DELETED / NAME / f"{NAME}.ipynb"
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if source.startswith("STUDENT_ID = "):
            cell["source"] = f"STUDENT_ID = {DELETED!r}\n"
        for ex in build.EXERCISES:
            if source.startswith(f"answer_{ex.id} = "):
                cell["source"] = f"answer_{ex.id} = {own(ex, DELETED)!r}\n"
    notebook.write_text(json.dumps(nb))
    done = run(
        [sys.executable, str(GRADE_ALL), "nbgrader", str(course), NAME, "--jobs", "2"], course
    )
    graded = time.monotonic()
    print(
        f"nbgrader: generate_assignment {generated - started:.1f} s, "
        f"autograde of {len(STUDENTS) + 1} submissions, 2 at a time, {graded - generated:.1f} s"
    )
    return {"dir": course, "log": done.stdout + done.stderr, "seconds": graded - generated}


def own(exercise, student: str) -> str:
    from .example import solution_for

    return solution_for(exercise, student)


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
    from backprop_widgets.widgets.exercise_html import typeset

    submit(nbgrader_course["dir"] / "release" / NAME / f"{NAME}.ipynb", tmp_path, "empty")
    nb = nbformat.read(tmp_path / f"{NAME}.ipynb", as_version=4)
    [cell] = [c for c in nb.cells if c.source.startswith("STUDENT_ID = ")]
    cell.source = 'STUDENT_ID = "alice"'
    NotebookClient(
        nb, timeout=120, kernel_name="python3", store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()  # fmt: skip
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    # every text a widget holds: the exercise (one anywidget) holds its prompt in the trait
    # `prompt`, typeset (MathML, with each formula's LaTeX in its alttext)
    shown = {v for m in states.values() for v in m["state"].values() if isinstance(v, str)}
    for ex in build.EXERCISES:
        alice, bob = question_for(ex, "alice"), question_for(ex, "bob")
        mine, hers = typeset(prompt_html(alice)), typeset(prompt_html(bob))
        assert mine in shown, ex.id
        assert hers not in shown and mine != hers
        assert f"{alice.net['w5']:.2f}" in mine


def nbgrader_points(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(NAME, NAME, student)
        assert not notebook.needs_manual_grade, student
        return {g.name.removeprefix("test_"): g.auto_score for g in notebook.grades}


@pytest.mark.parametrize("student", STUDENTS)
def test_nbgrader_gives_each_student_the_expected_points(nbgrader_course, student):
    assert nbgrader_points(nbgrader_course["dir"], student) == expected_points(student)


@pytest.mark.parametrize("student", ["alice", "bob", "stu500", DELETED])
def test_nbgrader_each_student_with_their_own_answers_scores_full_marks(nbgrader_course, student):
    course = nbgrader_course["dir"]
    assert nbgrader_errors(course, student) == {}
    assert nbgrader_score(course, student) == POINTS


def test_nbgrader_a_deleted_test_cell_is_put_back_and_said_once(nbgrader_course):
    course, log = nbgrader_course["dir"], nbgrader_course["log"]
    assert nbgrader_points(course, DELETED) == expected_points("bob")  # graded, not manual
    said = [line for line in log.splitlines() if "deleted" in line]
    assert len(said) == 1 and f"{DELETED}: the test cell test_q3 had been deleted" in said[0]
    assert "checksum" not in log  # nbgrader's warning on every hidden-test cell, dropped
    assert "WARNING" not in log.replace(said[0], "")


@pytest.mark.parametrize("student", ["carol", "mallory"])
def test_nbgrader_a_classmates_numbers_copied_score_nothing(nbgrader_course, student):
    """carol: bob's answers under her id; mallory: bob's answers under bob's id. Both are
    graded with their own numbers (the folder's), so only the chain-rule sum scores."""
    course = nbgrader_course["dir"]
    assert nbgrader_score(course, student) == POINTS - sum(
        ex.points for ex in build.EXERCISES if ex.id in NUMERIC
    )
    errors = nbgrader_errors(course, student)
    assert set(errors) == {f"test_{q}" for q in NUMERIC}
    assert all(e.startswith("AssertionError: Not quite: ") for e in errors.values()), errors
    if student == "mallory":
        assert all(
            "STUDENT_ID is 'bob', but mallory handed it in (nbgrader's folder for mallory)" in e
            for e in errors.values()
        ), errors


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
        e.startswith("AssertionError: No answer was given.")
        and "STUDENT_ID was empty in the notebook handed in (got '')" in e
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


def report_numbers(folder) -> dict[str, tuple[int, int, int, int]]:
    """exercise -> (class size, tried in the widget, solved there, typed only in cells)."""
    from backprop_widgets.exercises.report import rows

    return {
        r["exercise"]: (r["class_size"], r["tried"], r["solved"], r["typed_only"])
        for r in rows(folder)
    }


def test_report_on_nbgraders_course_counts_each_student_once_and_the_cells(nbgrader_course):
    """The course directory as nbgrader leaves it (submitted/ and autograded/ copies, source/
    and release/): 9 students; only alice checked q1 in the widget (a wrong answer, then
    the right one), everyone else who answered typed in the cells."""
    from backprop_widgets.exercises import report_summary
    from backprop_widgets.exercises.report import rows

    course = nbgrader_course["dir"]
    assert report_numbers(course) == {  # typed: all but alice (q1), wrong (q2, q3), empty
        "q1": (9, 1, 1, 7), "q2": (9, 0, 0, 7), "q3": (9, 0, 0, 7),
    }  # fmt: skip
    [alice] = [r for r in rows(course) if r["exercise"] == "q1"]
    assert (alice["students"], alice["fixed"], alice["handed_in"]) == (1, 1, 0)
    assert report_summary(course)[0].endswith(
        ": 1 of 9 students solved it in the widget; 7 more typed answers only in cells "
        "(graded, not in this report's diagnoses)"
    )


# ----------------------------------------------------------------------------- otter
# Each student's folder is exported as the notebook's export cell does (grader.export, one
# process for all), then grade_all.py runs one `otter run -o <results>/<student>` per zip,
# two at a time, with $BACKPROP_STUDENT set to the folder's name.
EXPORT = """
import os, sys
import otter
name, *folders = sys.argv[1:]
for folder in folders:
    os.chdir(folder)
    files = [f for f in ["backprop_answers.json"] if os.path.exists(f)]
    otter.Notebook(name).export(pdf=False, files=files, display_link=False)
"""


def export(folders: list[Path], cwd: Path) -> dict[str, Path]:
    """Each folder's export zip (what the student hands in), by student."""
    run([sys.executable, "-c", EXPORT, f"{NAME}.ipynb", *map(str, folders)], cwd)
    zips = {}
    for folder in folders:
        [zipped] = folder.glob("*.zip")
        zips[folder.name] = zipped
    return zips


@pytest.fixture(scope="module")
def otter_runs(otter_assigned, tmp_path_factory):
    work = tmp_path_factory.mktemp("otter")
    folders = [work / "submissions" / student for student in STUDENTS]
    for student, folder in zip(STUDENTS, folders):
        submit(otter_assigned["released"], folder, student)
    export(folders, work)
    started = time.monotonic()
    results = work / "results"
    done = run(
        [sys.executable, str(GRADE_ALL), "otter", str(otter_assigned["autograder"]),
         str(work / "submissions"), str(results), "--jobs", "2"],
        work,
    )  # fmt: skip
    seconds = time.monotonic() - started
    print(f"otter: {len(STUDENTS)} submissions, 2 at a time, {seconds:.1f} s")
    runs = {s: json.loads((results / s / "results.json").read_text()) for s in STUDENTS}
    return {
        "runs": runs, "results": results, "log": done.stdout, "seconds": seconds,
        "zips": {s: next((work / "submissions" / s).glob("*.zip")) for s in STUDENTS},
    }  # fmt: skip


def otter_scores(results: dict) -> dict[str, tuple[float, str]]:
    tests = results["tests"]
    return {t["name"]: (t.get("score"), t.get("output", "")) for t in tests if "max_score" in t}


def points(scores) -> dict[str, float]:
    return {q: s for q, (s, _) in scores.items()}


def test_otter_student_notebook_hides_solutions_and_tests(otter_assigned):
    released = otter_assigned["released"].read_text()
    hidden_from_students(released)
    assert "BEGIN" not in released


@pytest.mark.parametrize("student", STUDENTS)
def test_otter_gives_each_student_the_expected_points(otter_runs, student):
    assert points(otter_scores(otter_runs["runs"][student])) == expected_points(student)


def test_otter_run_writes_one_results_file_per_student_and_a_table(otter_runs):
    """`otter run` without -o writes results.json in the working directory: a loop would
    keep only the last student's. grade_all.py gives each student a folder."""
    results = otter_runs["results"]
    assert sorted(p.parent.name for p in results.glob("*/results.json")) == sorted(STUDENTS)
    table = (results / "scores.csv").read_text().splitlines()
    assert table[0] == "student,score,possible" and len(table) == len(STUDENTS) + 1
    assert f"alice,{POINTS},{POINTS}" in table and f"mallory,2,{POINTS}" in table
    assert f"graded {len(STUDENTS)} submissions with otter" in otter_runs["log"]


def test_otter_a_classmates_id_and_answers_are_graded_as_the_submitters(otter_runs):
    scores = otter_scores(otter_runs["runs"]["mallory"])
    assert all(
        "STUDENT_ID is 'bob', but mallory handed it in ($BACKPROP_STUDENT)" in scores[q][1]
        for q in NUMERIC
    ), scores
    scores = otter_scores(otter_runs["runs"]["carol"])
    assert all("AssertionError: Not quite: " in scores[q][1] for q in NUMERIC)


def test_otter_seed_answer_scores_zero_and_names_the_impossible_factor(otter_runs):
    scores = otter_scores(otter_runs["runs"]["wrong"])
    assert "AssertionError: dw7/dh1: w7 is a weight" in scores["q1"][1]
    assert "No answer was given" in scores["q2"][1]


def test_otter_empty_submission_scores_zero_and_says_to_set_student_id(otter_runs):
    scores = otter_scores(otter_runs["runs"]["empty"])
    assert all(
        "STUDENT_ID was empty in the notebook handed in (got '')" in output
        for _, output in scores.values()
    )


def test_otter_hostile_submission_runs_nothing_and_scores_zero(otter_runs, capsys):
    assert not MARK.exists()
    with capsys.disabled():  # printed, not asserted: a busy machine must not fail the test
        print(f"\n[otter] {len(STUDENTS)} submissions graded in {otter_runs['seconds']:.1f} s")


# ----------------------------------------------------------------------------- the report
# otter's export zips, as students hand them in, and Gradescope's export of them
OTTER_REPORT = {"q1": (8, 1, 1, 6), "q2": (8, 0, 0, 6), "q3": (8, 0, 0, 6)}


def test_report_reads_otters_zips_without_extracting_them(otter_runs, tmp_path):
    """Each student's export zip (the notebook and backprop_answers.json, as the notebook's
    export cell wrote it), collected as <student>.zip and as <student>/<zip>."""
    from backprop_widgets.exercises.report import submissions

    for i, (student, zipped) in enumerate(otter_runs["zips"].items()):
        into = tmp_path / f"{student}.zip" if i % 2 else tmp_path / student / zipped.name
        into.parent.mkdir(exist_ok=True)
        shutil.copy(zipped, into)
    before = sorted(tmp_path.rglob("*"))
    assert [s.student for s in submissions(tmp_path)] == sorted(STUDENTS)
    assert report_numbers(tmp_path) == OTTER_REPORT
    assert sorted(tmp_path.rglob("*")) == before  # read inside the zips, nothing extracted


GRADESCOPE_USER = """\
submission_{id}:
  :submitters:
  - :name: {name}
    :sid: '{id}'
    :email: {name}@uni.example
  :created_at: 2026-12-02 16:{minute:02d}:00.000000000 -08:00
  :score: 0.0
  :status: processed
  :history: []
"""


def test_report_reads_gradescopes_export_as_it_is(otter_runs, tmp_path):
    """Gradescope's export of an assignment's submissions, written as documented: an
    assignment_<id>_export/ folder (or its zip) with submission_metadata.yml and a
    submission_<id>/ folder per submission holding the files handed in (here the export
    zip's files, or the zip itself as uploaded); each is its submitter's, by the metadata."""
    import zipfile

    from backprop_widgets.exercises.report import submissions

    export = tmp_path / "assignment_77_export"
    metadata = []
    for i, (student, zipped) in enumerate(otter_runs["zips"].items()):
        folder = export / f"submission_{9000 + i}"
        folder.mkdir(parents=True)
        if i % 2:
            shutil.copy(zipped, folder / zipped.name)
        else:
            with zipfile.ZipFile(zipped) as z:
                z.extractall(folder)
        metadata.append(GRADESCOPE_USER.format(id=9000 + i, name=student, minute=i))
    (export / "submission_metadata.yml").write_text("".join(metadata))
    assert [s.student for s in submissions(export)] == sorted(STUDENTS)  # not submission_9000
    assert report_numbers(export) == OTTER_REPORT
    downloaded = shutil.make_archive(str(tmp_path / "download"), "zip", tmp_path, export.name)
    assert report_numbers(downloaded) == OTTER_REPORT
