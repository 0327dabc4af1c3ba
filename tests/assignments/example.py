"""assignments/build.py, the one list of the example assignment's exercises, as a module,
each exercise's question and correct answer for one student id, as the notebook makes them,
and the test students every grader's test hands in (what each typed, and the points each
must get)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import backprop_widgets as bw

ROOT = Path(__file__).resolve().parents[2]


def load_build():
    name = "backprop_assignment_build"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "assignments" / "build.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def question_for(exercise, student: str):
    """The exercise's question with this student's numbers, as its notebook cell builds it."""
    net, x, t = bw.presets.mazur()
    base = eval(exercise.question, {"bw": bw, "net": net, "x": x, "t": t})
    return base.variant(student)


def solution_for(exercise, student: str) -> str:
    """The answer the exercise's solution region computes for this student."""
    return eval(exercise.solution, {"bw": bw, exercise.id: question_for(exercise, student)})


# ----------------------------------------------------------------------------- the students
# Each hands in a folder named after them (nbgrader's submitted/<student>/, otter's and
# Gradescope's submission of that student); IDS is what each typed as STUDENT_ID.
SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
MARK = Path(tempfile.gettempdir()) / f"bpw-hacked-{os.getpid()}"  # made only if code ran
HOSTILE = {
    "q1": f"__import__('os').system('echo hi > {MARK}')",
    "q2": "(" * 5000 + "1" + ")" * 5000,
    "q3": ("dh1/dw1 * " * 1000)[:10_000],
}
IDS = {  # the folder a submission is collected in -> the STUDENT_ID typed in it
    "alice": "alice",
    "bob": "bob",
    "carol": "carol",  # bob's answers under her own id
    "wrong": "dave",  # the seed's wrong answer (and an id that is not the folder's)
    "empty": "",  # the released cell left as it is
    "hostile": "eve'); import os  # \u202e" + "z" * 5000,
    "mallory": "bob",  # bob's id and bob's answers: graded with mallory's numbers
    "stu500": " STU500 ",  # case and spaces: the same student, the same numbers
}
STUDENTS = tuple(IDS)


def own_answers(student_id: str) -> dict[str, str]:
    build = load_build()
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
        "mallory": own_answers("bob"),  # copied, under bob's id
        "stu500": own_answers("stu500"),
    }[student]


def expected_points(student: str) -> dict[str, int]:
    """Each exercise's points for this student, as both graders must give them."""
    build = load_build()
    full = {ex.id: ex.points for ex in build.EXERCISES}
    if student in ("alice", "bob", "stu500"):
        return full
    if student in ("carol", "mallory"):  # the chain-rule sum is the same for everyone
        return {q: p if q == "q1" else 0 for q, p in full.items()}
    return dict.fromkeys(full, 0)


def submit(released: Path, folder: Path, student: str) -> None:
    """What a student hands in: the released notebook, filled in (or not), and its file."""
    build = load_build()
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
    (folder / f"{build.NAME}.ipynb").write_text(json.dumps(nb))
    answers = folder / bw.exercises.answers.FILENAME
    if student == "alice":  # q1 answered in the widget of her variant: wrong, then right
        [q1] = [ex for ex in build.EXERCISES if ex.id == "q1"]
        exercise = bw.GradientExercise(question_for(q1, "alice"), id="q1", answers=answers)
        assert not exercise.check(SEED_WRONG).correct
        assert exercise.check(solution_for(q1, "alice")).correct
    elif student == "hostile":
        answers.write_text("{" + '"exercises": ' + "[" * 100_000)


def env() -> dict:
    """The test's own Python first on PATH: nbgrader runs `alembic` from there."""
    bin_dir = str(Path(sys.executable).parent)
    return os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def run(args, cwd, timeout=600, env_=None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        args, cwd=cwd, env=env_ or env(), capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done
