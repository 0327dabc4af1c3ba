"""Write the example assignment in both graders' formats from one list of exercises.

    python assignments/build.py          # rewrites the two source notebooks below

- ``nbgrader/source/chain-rule/chain-rule.ipynb``: an nbgrader source notebook (cell
  metadata, ``### BEGIN SOLUTION`` and ``### BEGIN HIDDEN TESTS`` regions); the folder
  ``nbgrader/`` is the course directory, with its ``nbgrader_config.py``.
- ``otter/chain-rule.ipynb``: an otter-grader master notebook in otter assign's format
  (``# ASSIGNMENT CONFIG``, ``# BEGIN QUESTION``, ``# BEGIN SOLUTION``, hidden tests), and
  ``otter/requirements.txt``, which makes the autograder zip install this package from its
  own wheel (Gradescope, ``otter grade``'s containers).

    python assignments/build.py --wheel  # also builds that wheel, otter/wheels/*.whl

(``otter assign`` puts ``otter/wheels/`` in the autograder zip, and stops if it is missing.)

Both hold the same exercises. The student sets ``STUDENT_ID`` (their course login) near the
top, and every question is built with ``.variant(STUDENT_ID)``: the same question with that
student's own numbers, which the widget's prompt and diagram show. Each exercise is a widget
(typed answers are checked and saved in ``backprop_answers.json``) and a string variable the
student may fill instead; the grader's test builds its own question, rebuilds the variant
from the STUDENT_ID handed in, and checks the answer again with
``bw.exercises.grade(question, id, variable, student=STUDENT_ID)``, whatever the answers file
says the verdict was. A test (tests/assignments) checks that the stored notebooks are what
this writes.
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

HERE = pathlib.Path(__file__).resolve().parent
NAME = "chain-rule"
NBGRADER_NOTEBOOK = HERE / "nbgrader" / "source" / NAME / f"{NAME}.ipynb"
OTTER_NOTEBOOK = HERE / "otter" / f"{NAME}.ipynb"
OTTER_REQUIREMENTS = HERE / "otter" / "requirements.txt"
WHEELS = HERE / "otter" / "wheels"  # gitignored: built by --wheel, zipped by otter assign
PYPROJECT = HERE.parent / "pyproject.toml"


def version() -> str:
    """This package's version, as pyproject.toml declares it (the wheel's)."""
    [found] = re.findall(r'(?m)^version\s*=\s*"([^"]+)"', PYPROJECT.read_text(encoding="utf-8"))
    return found


def wheel_name() -> str:
    return f"backprop_widgets-{version()}-py3-none-any.whl"


SOLUTION_ID = "instructor"  # the id the source notebooks (with their solutions) run with


@dataclass(frozen=True)
class Exercise:
    id: str
    points: int
    prompt: str  # markdown
    question: str  # the Python expression that builds the question, before .variant(...)
    # A Python expression for one correct answer to this student's variant (named by the
    # exercise's id, q1, ...): a text that is right for every variant (a chain-rule sum), or
    # a number computed from the variant's own network by backprop.
    solution: str


EXERCISES = (
    Exercise(
        "q1",
        2,
        "**1.** Write $\\partial L/\\partial w_1$ as a sum over paths of products of local "
        "derivatives, with the names on the diagram (such as `dh1/dw1 * ...`). A number does "
        "not count here.",
        'bw.GradientQuestion(net, "w1", x, t, accept=("chain_rule",))',
        '"dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"  # the same for every student',
    ),
    Exercise(
        "q2",
        1,
        "**2.** Compute $\\partial L/\\partial w_5$ as a number.",
        'bw.GradientQuestion(net, "w5", x, t, accept=("number",))',
        'format(q2.net.gradients(q2.x, q2.t)["w5"], ".9g")',
    ),
    Exercise(
        "q3",
        1,
        "**3.** One step of gradient descent with learning rate 0.5: what is $w_5$ after it?",
        'bw.UpdateQuestion(net, "w5", x, t, lr=0.5)',
        'format(q3.net["w5"] - 0.5 * q3.net.gradients(q3.x, q3.t)["w5"], ".9g")',
    ),
)

INTRO = """# Assignment: the chain rule by hand

Three exercises on a 2-2-2 network shaped like the one of Matt Mazur's worked example, with
**your own numbers**: each exercise's box shows its network, input, target, weights and
biases. Type each answer in its box and press **Enter**: it is checked at once, and every
attempt is saved in `backprop_answers.json` beside this notebook. **Hand that file in with
the notebook.** (Without the widgets, type the answer between the quotes in the cell under
the box instead.)

This notebook is graded: it offers no hints and no solutions. When you hand it in, your last
checked answer to each exercise is checked again, against your own numbers."""

STUDENT = """## First: your student id

Type your **course login** between the quotes in the next cell, such as
`STUDENT_ID = "jdoe42"`, and run the notebook from the top. Your numbers are made from it
(each exercise has its own; capitals and spaces do not count). The grader makes the numbers
again from the login of whoever hands the notebook in, so type your own and keep it once you
have started: answers worked out for another id's numbers are wrong for yours, and so is a
classmate's number. While it is empty, the cell after it stops and says so."""

STUDENT_CELL = 'STUDENT_ID = ""  # your course login, between the quotes'

NO_ID = (
    "STUDENT_ID is empty: type your course login between its quotes in the cell above "
    '(such as STUDENT_ID = "jdoe42"), then run the notebook again from the top.'
)

SETUP = f"""import backprop_widgets as bw

bw.exercises.graded_mode(True)  # no hints, no solutions in this notebook
bw.exercises.answers.start()  # backprop_answers.json, beside this notebook, to hand in
net, x, t = bw.presets.mazur()  # the network's shape; every exercise has your own numbers
if not (isinstance(STUDENT_ID, str) and STUDENT_ID.strip()):
    raise ValueError({NO_ID!r})"""

OUTRO = """## Before you hand in

Your last checked answer to each exercise is the one graded (or the text between the quotes,
if you typed one). Make sure `backprop_answers.json` is in the folder you hand in."""

BUILD = "import backprop_widgets as bw\n\nnet, x, t = bw.presets.mazur()"

# otter's export cell (the last one, written by otter assign) zips the files its config lists
# and raises FileNotFoundError for a missing one: this cell, just before it, makes sure the
# answers file is there (empty when no answer was checked), also after a kernel restart.
BEFORE_EXPORT = (
    "import backprop_widgets as bw\n\n"
    "bw.exercises.answers.start()  # backprop_answers.json must exist for the export below"
)


def exercise_cell(ex: Exercise) -> str:
    return (
        f"{ex.id} = {ex.question}.variant(STUDENT_ID)  # your own numbers\n"
        f"bw.GradientExercise({ex.id}, id={ex.id!r})"
    )


def test_code(ex: Exercise) -> str:
    # The grader's own question, and the variant rebuilt from the id handed in: a student's
    # cell cannot change what is asked. A deleted STUDENT_ID cell scores 0 with a message.
    return (
        f"{BUILD}\n"
        f"question = {ex.question}\n"
        f"fb = bw.exercises.grade(question, {ex.id!r}, answer_{ex.id}, "
        'student=globals().get("STUDENT_ID"))\n'
        "assert fb.correct, fb.message"
    )


def answer_cell(ex: Exercise, begin: str, end: str) -> str:
    return (
        f'answer_{ex.id} = ""  # or type your answer between the quotes\n'
        f"{begin}\nanswer_{ex.id} = {ex.solution}\n{end}"
    )


def student_cell(begin: str, end: str) -> str:
    return f"{STUDENT_CELL}\n{begin}\nSTUDENT_ID = {SOLUTION_ID!r}\n{end}"


def _cell(kind: str, source: str, **metadata) -> dict:
    cell = {"cell_type": kind, "metadata": metadata, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


def _notebook(cells: list[dict]) -> dict:
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def nbgrader_notebook() -> dict:
    cells = [
        _cell("markdown", INTRO, **_nbgrader("intro", locked=True)),
        _cell("markdown", STUDENT, **_nbgrader("student_intro", locked=True)),
        _cell(
            "code",
            student_cell("### BEGIN SOLUTION", "### END SOLUTION"),
            **_nbgrader("student_id", solution=True),
        ),
        _cell("code", SETUP, **_nbgrader("setup", locked=True)),
    ]
    for ex in EXERCISES:
        cells += [
            _cell("markdown", ex.prompt, **_nbgrader(f"prompt_{ex.id}", locked=True)),
            _cell("code", exercise_cell(ex), **_nbgrader(f"exercise_{ex.id}", locked=True)),
            _cell(
                "code",
                answer_cell(ex, "### BEGIN SOLUTION", "### END SOLUTION"),
                **_nbgrader(f"answer_{ex.id}", solution=True),
            ),
            _cell(
                "code",
                "# Graded when you hand in: your answer is checked again.\n"
                f"### BEGIN HIDDEN TESTS\n{test_code(ex)}\n### END HIDDEN TESTS",
                **_nbgrader(f"test_{ex.id}", grade=True, locked=True, points=ex.points),
            ),
        ]
    cells.append(_cell("markdown", OUTRO, **_nbgrader("outro", locked=True)))
    return _notebook(cells)


OTTER_CONFIG = f"""# ASSIGNMENT CONFIG
name: {NAME}
init_cell: true
check_all_cell: false
export_cell:
  pdf: false
  run_tests: false
  files:
    - backprop_answers.json
generate:
  pdf: false
  filtering: false
  show_stdout: true
  show_hidden: true
files: []
requirements: requirements.txt  # this package, from its wheel in the zip
autograder_files:
  - wheels  # python assignments/build.py --wheel
strip_solutions_from_all_cells: true  # STUDENT_ID's cell is in no question
"""


def otter_requirements() -> str:
    # otter adds these lines to the pip list of the zip's environment.yml, after
    # otter-grader; Gradescope unzips the autograder into /autograder/source/ and otter puts
    # autograder_files under its files/.
    return (
        "# Installed by the autograder zip's setup.sh (Gradescope, otter grade), after\n"
        "# otter-grader: this package, the version that built the assignment, from the wheel\n"
        "# in the zip (written by `python assignments/build.py --wheel`), and its dependencies.\n"
        f"/autograder/source/files/wheels/{wheel_name()}\n"
    )


def otter_notebook() -> dict:
    cells = [
        _cell("raw", OTTER_CONFIG),
        _cell("markdown", INTRO),
        _cell("markdown", STUDENT),
        _cell("code", student_cell("# BEGIN SOLUTION NO PROMPT", "# END SOLUTION")),
        _cell("code", SETUP),
    ]
    for ex in EXERCISES:
        cells += [
            _cell("raw", f"# BEGIN QUESTION\nname: {ex.id}\npoints: {ex.points}"),
            _cell("markdown", ex.prompt),
            _cell("code", exercise_cell(ex)),
            _cell("raw", "# BEGIN SOLUTION"),
            _cell("code", answer_cell(ex, "# BEGIN SOLUTION NO PROMPT", "# END SOLUTION")),
            _cell("raw", "# END SOLUTION"),
            _cell("raw", "# BEGIN TESTS"),
            _cell(
                "code",
                '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n' + test_code(ex),
            ),
            _cell("raw", "# END TESTS"),
            _cell("raw", "# END QUESTION"),
        ]
    cells += [_cell("markdown", OUTRO), _cell("code", BEFORE_EXPORT)]
    return _notebook(cells)


def text(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def build_wheel(into: pathlib.Path = WHEELS, *pip_options: str) -> pathlib.Path:
    """This package's wheel, built from the repository into ``into`` (emptied first).

    ``pip_options`` go to ``pip wheel`` (the tests pass ``--no-index --find-links ...``, so
    that building needs no network).
    """
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *pip_options,
         "--wheel-dir", str(into), str(HERE.parent)],
        check=True,
    )  # fmt: skip
    wheel = into / wheel_name()
    if not wheel.is_file():
        raise RuntimeError(f"pip wheel did not write {wheel.name}: {sorted(into.iterdir())}")
    return wheel


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    for path, content in (
        (NBGRADER_NOTEBOOK, text(nbgrader_notebook())),
        (OTTER_NOTEBOOK, text(otter_notebook())),
        (OTTER_REQUIREMENTS, otter_requirements()),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")
    if "--wheel" in argv:
        print(f"wrote {build_wheel().relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
