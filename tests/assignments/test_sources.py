"""The example assignment's stored notebooks are what assignments/build.py writes, and the
student-facing material prints no correct answer when run top to bottom."""

from __future__ import annotations

import json
import zipfile

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


CORRUPT = "{" + '"exercises": ' + "[" * 100_000  # the hostile student's file in test_graders


def test_a_corrupt_answers_file_is_reported_by_the_hidden_tests_not_replaced(tmp_path, monkeypatch):
    """The grader runs the whole notebook: its setup and exercise cells must leave the file
    handed in for the hidden tests to report, not start an empty one (issue 18, point 6)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(bw.exercises.answers.ENV_PATH, raising=False)
    monkeypatch.setattr(bw.exercises.answers, "_graded", None)  # the setup cell sets it
    path = tmp_path / bw.exercises.answers.FILENAME
    path.write_text(CORRUPT)
    cells = {"STUDENT_ID": "alice"}
    exec(build.SETUP, cells)
    for ex in build.EXERCISES:
        exec(build.exercise_cell(ex), cells)
        exec(f'answer_{ex.id} = ""', cells)  # nothing typed in the cells
    for ex in build.EXERCISES:
        with pytest.raises(AssertionError) as failed:
            exec(build.test_code(ex), cells)
        message = str(failed.value)
        assert message.startswith("No answer was given. The answers file"), message
        assert "could not be read" in message and "no checked answer" not in message
    assert path.read_text() == CORRUPT
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # nothing renamed or added


def test_otters_export_cell_hands_in_an_answers_file_even_when_none_was_written(
    tmp_path, monkeypatch
):
    """A student who checked nothing (or whose file went missing) can still export."""
    otter = pytest.importorskip("otter")
    yaml = pytest.importorskip("yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(bw.exercises.answers.ENV_PATH, raising=False)
    nb = build.otter_notebook()
    (tmp_path / f"{build.NAME}.ipynb").write_text(build.text(nb))
    last = nb["cells"][-1]
    assert last["cell_type"] == "code", "the cell before otter's export cell"
    exec("".join(last["source"]), {})
    files = yaml.safe_load(build.OTTER_CONFIG)["export_cell"]["files"]
    # what otter assign's export cell runs: grader.export(pdf=False, files=[...])
    otter.Notebook(f"{build.NAME}.ipynb").export(pdf=False, files=files, display_link=False)
    [zipped] = tmp_path.glob("*.zip")
    with zipfile.ZipFile(zipped) as z:
        assert bw.exercises.answers.FILENAME in z.namelist()
        handed_in = z.read(bw.exercises.answers.FILENAME).decode()
    assert bw.exercises.answers.load(tmp_path / bw.exercises.answers.FILENAME).problem == ""
    assert handed_in.startswith('{"format": "backprop-widgets answers"')


@pytest.mark.parametrize("readme", ["README.md", "assignments/README.md"])
def test_the_readmes_grading_commands_name_paths_that_exist(readme):
    """Follow each bash block's `cd`s from the repository's root: every folder it enters and
    every file a command names (python scripts, otter assign's notebook) exists there
    (issue 18: `cd assignments/nbgrader` then `otter assign otter/...` did not)."""
    import re
    import shlex

    text = (ROOT / readme).read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```bash\n(.*?)```", text, re.S) if "grade_all.py" in b]
    assert blocks, "the grading commands"
    for block in blocks:
        cwd = ROOT
        for line in block.splitlines():
            words = shlex.split(line.split("#")[0])
            if not words:
                continue
            if words[0] == "cd":
                cwd = (cwd / words[1]).resolve()
                assert cwd.is_dir(), line
            elif words[0] == "python":
                assert (cwd / words[1]).is_file(), line
            elif words[:2] == ["otter", "assign"]:
                assert (cwd / words[2]).is_file(), line


def test_otter_requirements_name_this_versions_wheel_in_the_zip():
    """The autograder zip installs this package from its own wheel (Gradescope, otter grade)."""
    stored = build.OTTER_REQUIREMENTS.read_text(encoding="utf-8")
    assert stored == build.otter_requirements(), "stale: run `python assignments/build.py`"
    assert f"/autograder/source/files/wheels/{build.wheel_name()}" in stored.splitlines()
    assert "requirements: requirements.txt" in build.OTTER_CONFIG
    assert "autograder_files:\n  - wheels" in build.OTTER_CONFIG
