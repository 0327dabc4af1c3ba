"""The example assignment's stored notebooks are what assignments/build.py writes, and the
student-facing material prints no correct answer when run top to bottom."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

import backprop_widgets as bw

from .example import ROOT, load_build, question_for, solution_for

build = load_build()  # assignments/build.py: the one list of the assignment's exercises


@pytest.mark.parametrize(
    ("path", "make"),
    [
        (build.NBGRADER_NOTEBOOK, build.nbgrader_notebook),
        (build.OTTER_NOTEBOOK, build.otter_notebook),
    ],
    ids=["nbgrader", "otter"],
)
def test_stored_assignment_notebooks_are_up_to_date(path, make):
    assert path.read_text(encoding="utf-8") == build.text(make()), (
        f"{path.name} is stale: run `python assignments/build.py`"
    )


STUDENTS = (build.SOLUTION_ID, "alice", "bob", "jdoe42", "Zoë O'Brien", "x" * 300)


@pytest.mark.parametrize("student", STUDENTS, ids=range(len(STUDENTS)))
def test_every_exercise_solution_is_right_for_each_students_own_question(student):
    for ex in build.EXERCISES:
        question = question_for(ex, student)
        answer = solution_for(ex, student)
        assert question.check(answer).correct, (ex.id, student, answer)


def test_numeric_solutions_differ_between_students_and_from_mazurs():
    """A classmate's number, or the published worked example's, is no answer of yours."""
    net, x, t = bw.presets.mazur()
    for ex in build.EXERCISES:
        base = eval(ex.question, {"bw": bw, "net": net, "x": x, "t": t})
        alice, bob = (solution_for(ex, s) for s in ("alice", "bob"))
        if ex.id == "q1":  # a chain-rule sum: the same text for every variant
            assert alice == bob and base.check(alice).correct
            continue
        assert not question_for(ex, "alice").check(bob).correct, ex.id
        assert not question_for(ex, "alice").check(repr(base.expected)).correct, ex.id


def correct_answers(question) -> list[str]:
    """What would give an answer away: the value and the typed solution."""
    value = question.expected
    return [f"{value:.9g}", f"{value:.6g}", question.solution().split(" = ")[1]]


@pytest.mark.grading
def test_notebook_06_run_all_prints_no_correct_answer(tmp_path):
    """Run All (as a student does first) shows 'no attempts yet', never an answer."""
    path = ROOT / "notebooks" / "06-exercises.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    shown = json.dumps([cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"])
    net, x, t = bw.presets.mazur()
    tiny, tx, tt = bw.presets.tiny()
    questions = [bw.GradientQuestion(net, p, x, t) for p in ("w1", "w4", "b1", "w5")]
    questions += [bw.GradientQuestion(tiny, p, tx, tt) for p in ("w1", "w2", "b")]
    for q in questions:
        for answer in correct_answers(q):
            assert answer not in shown, (q.prompt, answer)
    assert "no attempts yet" in shown
    assert not (
        tmp_path / bw.exercises.answers.FILENAME
    ).exists()  # nothing checked, nothing written
