"""What to re-teach on Monday: the diagnoses in a folder of collected answers files.

Every answers file found under the folder (``backprop_answers.json`` or any other ``.json``
in that format, such as nbgrader's ``submitted/<student>/<assignment>/``) is one student.
For each exercise the report counts how many students hit each diagnosis code
(``parameter_as_function``, ``missing_path``, ``forgot_slope``, ``wrong_sign``, ...), shows
one example answer for each (the one typed most often, so it belongs to no one in
particular; no file or student name appears), and how many attempts the students who got it
right needed.

>>> table = report("collected/")            # doctest: +SKIP
>>> table[table.exercise == "q1"]           # doctest: +SKIP
>>> report_chart(table)                     # doctest: +SKIP
"""

from __future__ import annotations

import collections
import pathlib
import statistics

from ..core import validation
from . import answers as answers_file
from . import identity

EXAMPLE_CHARS = 120
NO_PROBLEM = "none"  # the code of a row for an exercise nobody got wrong
COLUMNS = (
    "exercise", "question", "code", "students", "handed_in", "fixed", "share", "attempts",
    "example",
    "tried", "solved", "gave_up", "attempts_to_solve_median", "attempts_to_solve_mean",
)  # fmt: skip


NBGRADER_STEPS = ("submitted", "autograded", "feedback")  # <step>/<student>/<assignment>/
NOT_STUDENTS = ("source", "release", ".ipynb_checkpoints")  # nbgrader's own notebooks


def student_of(path: pathlib.Path, root: pathlib.Path) -> str:
    """Who a file under ``root`` belongs to, from where the grader put it.

    nbgrader's ``<step>/<student>/...`` (``submitted``, ``autograded`` and ``feedback`` hold
    copies of one submission), nbgrader's exchange ``<student>+<assignment>+<time>/``, else
    the first folder under ``root`` (a folder per student), else the file's name.
    """
    parts = path.relative_to(root).parts
    for i, part in enumerate(parts[:-2]):
        if part in NBGRADER_STEPS:
            return identity.normalise(parts[i + 1]) or parts[i + 1]
    for part in parts[:-1]:
        if part.count("+") >= 2:
            return identity.normalise(part.split("+")[0])
    return identity.normalise(parts[0] if len(parts) > 1 else path.stem)


def _merged(loaded: list[answers_file.Answers]) -> answers_file.Answers:
    """One student's files as one: each attempt once (copies of a submission, or an earlier
    and a later one), in the order checked."""
    merged = answers_file.Answers(loaded[0].path)
    for answers in loaded:
        for exercise_id, record in answers.exercises.items():
            into = merged.exercises.setdefault(exercise_id, answers_file.ExerciseRecord())
            into.question = into.question or record.question
            seen = {(a.time, a.answer, a.fingerprint) for a in into.attempts}
            into.attempts += [
                a for a in record.attempts if (a.time, a.answer, a.fingerprint) not in seen
            ]
            into.attempts.sort(key=lambda a: a.time)  # stable: one file's order is kept
            into.hints_used = max(into.hints_used, record.hints_used)
            into.solution_shown = into.solution_shown or record.solution_shown
    return merged


def collect(folder) -> list[answers_file.Answers]:
    """Every readable answers file under ``folder`` (recursively), one per student: the
    files of one student (nbgrader's submitted, autograded and feedback copies; see
    :func:`student_of`) are merged, each attempt counted once."""
    root = pathlib.Path(folder)
    if not root.is_dir():
        raise validation.fail("folder", "a folder of collected answers files", str(folder))
    by_student: dict[str, list[answers_file.Answers]] = collections.defaultdict(list)
    for path in sorted(root.rglob("*.json")):
        if any(part in NOT_STUDENTS for part in path.relative_to(root).parts[:-1]):
            continue
        loaded = answers_file.load(path)
        if not loaded.problem:
            by_student[student_of(path, root)].append(loaded)
    return [_merged(files) for _, files in sorted(by_student.items())]


def _clip(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= EXAMPLE_CHARS else line[: EXAMPLE_CHARS - 1] + "…"


def _solved_at(record: answers_file.ExerciseRecord) -> int | None:
    """The 1-based attempt at which this student first got it right (before any solution)."""
    for n, attempt in enumerate(record.attempts, start=1):
        if attempt.correct and not attempt.after_solution:
            return n
    return None


def rows(folder) -> list[dict]:
    """The report as plain rows (one dict per exercise and diagnosis code); see :func:`report`."""
    students = collect(folder)
    by_exercise: dict[str, list[answers_file.ExerciseRecord]] = collections.defaultdict(list)
    for student in students:
        for exercise_id, record in student.exercises.items():
            if record.attempts:
                by_exercise[exercise_id].append(record)
    table = []
    for exercise_id in sorted(by_exercise):
        records = by_exercise[exercise_id]
        solved = [n for n in map(_solved_at, records) if n is not None]
        summary = {
            "tried": len(records),
            "solved": len(solved),
            "gave_up": sum(r.solution_shown and _solved_at(r) is None for r in records),
            "attempts_to_solve_median": statistics.median(solved) if solved else None,
            "attempts_to_solve_mean": round(statistics.mean(solved), 2) if solved else None,
        }
        hit: dict[str, int] = collections.Counter()  # students per code
        kept: dict[str, int] = collections.Counter()  # ... whose last answer still has it
        uses: dict[str, int] = collections.Counter()  # attempts per code
        texts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for record in records:
            codes = set()
            for attempt in record.attempts:
                for code in dict.fromkeys(attempt.problems):
                    uses[code] += 1
                    texts[code][attempt.answer] += 1
                    codes.add(code)
            hit.update(codes)
            kept.update(set(record.attempts[-1].problems) & codes)
        question = next((r.question for r in records if r.question), "")
        ranked = sorted(hit, key=lambda c: (-hit[c], c)) or [NO_PROBLEM]
        for code in ranked:
            example = ""
            if code in texts:  # the text typed most often, then the shortest
                example = min(texts[code], key=lambda a: (-texts[code][a], len(a), a))
            table.append(
                {
                    "exercise": exercise_id,
                    "question": question,
                    "code": code,
                    "students": hit.get(code, 0),
                    "handed_in": kept.get(code, 0),
                    "fixed": hit.get(code, 0) - kept.get(code, 0),
                    "share": round(hit.get(code, 0) / len(records), 3),
                    "attempts": uses.get(code, 0),
                    "example": _clip(example),
                }
                | summary
            )
    return table


def report(folder):
    """For each exercise: how many students hit each diagnosis, an example, attempts to solve.

    Parameters
    ----------
    folder : path
        A folder of collected answers files (searched recursively; one file per student).

    Returns
    -------
    pandas.DataFrame if pandas is installed, else a list of dicts, with one row per
    exercise and diagnosis code, most frequent first. Columns: ``exercise``, ``question``,
    ``code``, ``students`` (how many hit it at least once), ``handed_in`` (of those, how
    many still had it in their last answer, the one handed in) and ``fixed`` (how many moved
    past it before submitting), ``share`` (of those who tried),
    ``attempts`` (checked answers with it), ``example`` (an anonymised answer with it), and
    per exercise ``tried``, ``solved`` (right before any solution), ``gave_up``,
    ``attempts_to_solve_median`` and ``attempts_to_solve_mean``.

    Examples
    --------
    >>> table = bw.exercises.report("collected/")       # doctest: +SKIP
    >>> table.query("code == 'parameter_as_function'")  # doctest: +SKIP
    """
    table = rows(folder)
    try:
        import pandas as pd
    except ImportError:
        return table
    return pd.DataFrame(table, columns=list(COLUMNS))


def reteach(table_or_folder, top: int = 3) -> list[dict]:
    """The ``top`` things most worth re-teaching: the diagnoses most students handed in (then
    most students hit), each with its exercise and an anonymised example answer."""
    table = _table(table_or_folder)
    found = [r for r in table if r["code"] != NO_PROBLEM and r["students"]]
    found.sort(key=lambda r: (-r["handed_in"], -r["students"], r["exercise"], r["code"]))
    keys = ("exercise", "question", "code", "handed_in", "fixed", "students", "example")
    return [{k: r[k] for k in keys} for r in found[:top]]


def _table(table_or_folder) -> list[dict]:
    if isinstance(table_or_folder, (str, pathlib.Path)):
        return rows(table_or_folder)
    if hasattr(table_or_folder, "to_dict"):
        return table_or_folder.to_dict("records")
    return list(table_or_folder)


def report_chart(table_or_folder, *, top: int = 6):
    """A bar chart per exercise: how many students hit each diagnosis (its ``top`` codes).

    ``table_or_folder``: what :func:`report` returned, or a folder to report on.
    Returns a matplotlib Figure (no pyplot: it works headless and in a notebook).
    """
    from matplotlib.figure import Figure

    if isinstance(table_or_folder, (str, pathlib.Path)):
        table = rows(table_or_folder)
    elif hasattr(table_or_folder, "to_dict"):
        table = table_or_folder.to_dict("records")
    else:
        table = list(table_or_folder)
    top = validation.integer(top, "top", 1, at_most=50)
    exercises = list(dict.fromkeys(row["exercise"] for row in table))
    fig = Figure(figsize=(6.4, 1.2 + 1.6 * max(1, len(exercises))), layout="constrained")
    axes = fig.subplots(max(1, len(exercises)), 1, squeeze=False)[:, 0]
    for ax, exercise in zip(axes, exercises):
        mine = [r for r in table if r["exercise"] == exercise and r["code"] != NO_PROBLEM][:top]
        tried = next(r["tried"] for r in table if r["exercise"] == exercise)
        solved = next(r["solved"] for r in table if r["exercise"] == exercise)
        codes = [r["code"] for r in mine][::-1]
        ax.barh(codes, [r["students"] for r in mine][::-1], color="#d9534f")
        ax.set_xlim(0, max(1, tried))
        question = next(r["question"] for r in table if r["exercise"] == exercise)
        ax.set_title(f"{exercise} ({question}): {solved} of {tried} solved", fontsize=10)
        ax.set_xlabel("students")
    if not exercises:
        axes[0].set_title("no answers files with attempts were found")
    return fig
