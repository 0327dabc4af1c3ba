"""What to re-teach on Monday: the diagnoses in a folder of collected submissions.

The folder is read as the graders leave it, and nothing in it is run or extracted:

- **nbgrader**'s course directory (``submitted/<student>/<assignment>/``, with ``autograded/``
  and ``feedback/`` holding copies of the same submission, counted once; ``source/`` and
  ``release/`` are skipped), or its exchange's ``<student>+<assignment>+<time>/`` folders;
- **otter**'s submissions, each student's export zip (``<student>/<zip>`` or
  ``<student>.zip``: the notebook and ``backprop_answers.json``, read inside the zip);
- **Gradescope**'s export of an assignment's submissions (``submission_metadata.yml`` beside a
  ``submission_<id>/`` folder per submission), as a folder or as the zip downloaded: each
  submission is its submitters' (the first submitter's e-mail before the ``@``, else SID), as
  the grader says (:mod:`.identity`); a ``submission_metadata.yml`` or ``.json`` inside a
  submission's own folder is read too;
- any folder of answers files, a folder (or file name) per student.

Each student is counted once (their files merged, each attempt once). For each exercise the
report counts how many students hit each diagnosis code (``parameter_as_function``,
``missing_path``, ``forgot_slope``, ``wrong_sign``, ...), how many of them still handed it in
and how many fixed it first, one example answer for each (the one typed most often, so it
belongs to no one in particular; no file or student name appears), how many attempts the
students who got it right needed, and how many students typed their answer only in the
notebook's cell (``answer_q1 = "..."``, read from the notebook's JSON, never run): those are
graded, but the report has no attempts of theirs to diagnose, and says so.

>>> table = report("collected/")            # doctest: +SKIP
>>> table[table.exercise == "q1"]           # doctest: +SKIP
>>> report_summary(table)                   # doctest: +SKIP
>>> report_chart(table)                     # doctest: +SKIP
"""

from __future__ import annotations

import ast
import collections
import dataclasses
import io
import json
import pathlib
import re
import statistics
import textwrap
import zipfile

from ..core import validation
from . import answers as answers_file
from . import identity

EXAMPLE_CHARS = 120
NO_PROBLEM = "none"  # the code of a row for an exercise nobody got wrong
COLUMNS = (
    "exercise", "question", "code", "students", "handed_in", "fixed", "share", "attempts",
    "example",
    "class_size", "tried", "solved", "typed_only", "typed_too", "gave_up",
    "attempts_to_solve_median", "attempts_to_solve_mean",
)  # fmt: skip


NBGRADER_STEPS = ("submitted", "autograded", "feedback")  # <step>/<student>/<assignment>/
# not students: nbgrader's own notebooks, otter assign's autograder folder, editors' copies
NOT_STUDENTS = ("source", "release", "autograder", ".ipynb_checkpoints", "__MACOSX")
METADATA_FILES = ("submission_metadata.yml", identity.METADATA)  # Gradescope's export, its run
ANSWER_VARIABLE = re.compile(r"answer_(\w+)\Z")  # a notebook's cell for exercise q1: answer_q1
MAX_FILE_BYTES = answers_file.MAX_FILE_BYTES  # a file (or zip member) larger is not read
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_DEPTH = 2  # a zip in a zip (a student's upload inside Gradescope's export), no deeper
READ = (".json", ".ipynb", ".yml", ".yaml")


@dataclasses.dataclass
class Submission:
    """One student's work in the folder: their answers files merged, and what they typed in
    the notebook's answer cells (exercise id -> the text of ``answer_<id> = ...``)."""

    student: str
    answers: answers_file.Answers
    typed: dict[str, str]


@dataclasses.dataclass
class _Found:
    parts: tuple[str, ...]  # where it is under the folder (a zip's members under its name)
    answers: answers_file.Answers | None = None
    typed: dict[str, str] | None = None


def _skipped(parts) -> bool:
    return any(part in NOT_STUDENTS for part in parts[:-1])


def _entries(root: pathlib.Path):
    """(parts, bytes) of every file the report reads under ``root`` (a folder or a zip), zips'
    members included, read in memory (nothing is extracted). Unreadable ones are skipped."""
    if root.is_file():
        yield from _zip_entries(lambda: zipfile.ZipFile(root), (), 1)
        return
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        suffix = path.suffix.lower()
        if _skipped(parts) or suffix not in (*READ, ".zip") or not path.is_file():
            continue
        if suffix == ".zip":
            yield from _zip_entries(lambda p=path: zipfile.ZipFile(p), (*parts[:-1], path.stem), 1)
            continue
        try:
            if path.stat().st_size <= MAX_FILE_BYTES:
                yield parts, path.read_bytes()
        except OSError:
            continue


def _zip_entries(opened, prefix: tuple[str, ...], depth: int):
    try:
        with opened() as zipped:
            infos = zipped.infolist()[:MAX_ZIP_MEMBERS]
            for info in infos:
                parts = prefix + tuple(p for p in info.filename.split("/") if p not in ("", "."))
                suffix = pathlib.PurePosixPath(info.filename).suffix.lower()
                if (
                    info.is_dir() or ".." in parts or _skipped(parts)
                    or info.file_size > MAX_FILE_BYTES or suffix not in (*READ, ".zip")
                ):  # fmt: skip
                    continue
                with zipped.open(info) as member:
                    data = member.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    continue
                if suffix != ".zip":
                    yield parts, data
                elif depth < MAX_ZIP_DEPTH:
                    inner = (*parts[:-1], pathlib.PurePosixPath(parts[-1]).stem)
                    yield from _zip_entries(
                        lambda d=data: zipfile.ZipFile(io.BytesIO(d)), inner, depth + 1
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError):  # fmt: skip
        return  # not a zip, a damaged or encrypted one: nothing of it is read


def typed_answers(notebook) -> dict[str, str]:
    """What a notebook's answer cells hold: exercise id -> the text assigned to
    ``answer_<id>`` (the last assignment, as Run All leaves it), blank ones left out.

    ``notebook`` is the notebook's JSON (text, bytes or the parsed dict). The cells' code is
    parsed, never run: an expression (``answer_q2 = str(0.08)``) counts as typed, as its
    source. Never raises; an unreadable notebook has none.

    >>> nb = {"cells": [{"cell_type": "code", "source": 'answer_q1 = "dh1/dw1 * dL/dh1"'}]}
    >>> typed_answers(nb)
    {'q1': 'dh1/dw1 * dL/dh1'}
    """
    try:
        nb = json.loads(notebook) if isinstance(notebook, (str, bytes)) else notebook
    except (ValueError, RecursionError):
        return {}
    if not isinstance(nb, dict):
        return {}
    cells = nb.get("cells")
    if cells is None and isinstance(nb.get("worksheets"), list) and nb["worksheets"]:
        cells = nb["worksheets"][0].get("cells") if isinstance(nb["worksheets"][0], dict) else []
    typed: dict[str, str] = {}
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if isinstance(source, str):
            typed.update(_assigned(source))
    return {k: v for k, v in typed.items() if v.strip()}


def _assigned(source: str) -> dict[str, str]:
    # IPython's %magic and !shell lines are not Python: blanked, so the rest still parses
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    code = "\n".join(lines)
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        match = isinstance(target, ast.Name) and ANSWER_VARIABLE.match(target.id)
        if not match:
            continue
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found[match.group(1)] = value.value
        else:
            found[match.group(1)] = ast.get_source_segment(code, value) or "?"
    return found


def _yaml(data: bytes):
    text = data.decode("utf-8", errors="replace")
    try:
        import yaml
    except ImportError:
        return _submitters_by_line(text)

    class Loader(yaml.SafeLoader):  # Gradescope's Ruby tags read as plain values
        pass

    def plain(loader, _suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", plain)
    Loader.add_multi_constructor("tag:", plain)
    try:
        return yaml.load(text, Loader=Loader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def _submitters_by_line(text: str) -> dict:
    """Without PyYAML: each top-level key's ``:submitters:`` e-mail and SID, line by line."""
    found: dict[str, dict] = {}
    key = None
    for line in text.splitlines():
        top = re.match(r"([^\s#:][^:]*|:[^\s:]+):\s*$", line)
        if top:
            key = top.group(1).strip("'\"")
            found[key] = {":submitters": []}
            continue
        field = re.match(r"\s*-?\s*:(email|sid|name):\s*(.*)$", line)
        if key and field:
            people = found[key][":submitters"]
            if (
                field.group(1) in ("email", "name") and line.lstrip().startswith("-")
            ) or not people:
                people.append({})
            people[-1][field.group(1)] = field.group(2).strip().strip("'\"")
    return found


def _plain_keys(value):
    """Gradescope's Ruby symbols (``:submitters``, ``:sid``) as plain keys."""
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _plain_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_keys(v) for v in value]
    return value


def _submitter(users) -> str:
    """The student a submission belongs to, as the grader names them (identity's rule)."""
    for user in users if isinstance(users, list) else []:
        if isinstance(user, dict):
            email = identity.normalise(user.get("email"))
            sid = identity.normalise(str(user["sid"]) if user.get("sid") is not None else None)
            for candidate in (email.partition("@")[0], sid, email):
                if candidate:
                    return candidate  # a group's submission is one: its first submitter's
    return ""


def _owners(parts: tuple[str, ...], data: bytes) -> dict[tuple[str, ...], str]:
    """The folders a metadata file names, with their students."""
    folder = parts[:-1]
    if parts[-1] == identity.METADATA:  # the autograder's own: beside submission/
        try:
            meta = json.loads(data)
        except (ValueError, RecursionError):
            return {}
        student = _submitter(meta.get("users")) if isinstance(meta, dict) else ""
        return {folder: student} if student else {}
    meta = _plain_keys(_yaml(data))
    if not isinstance(meta, dict):
        return {}
    if "submitters" in meta:  # one submission's own metadata, in its folder
        student = _submitter(meta["submitters"])
        return {folder: student} if student else {}
    owners = {}
    for key, value in meta.items():  # the export's: submission_<id> -> its metadata
        if isinstance(value, dict):
            student = _submitter(value.get("submitters"))
            if student:
                owners[(*folder, str(key))] = student
    return owners


def student_of(path, root, owners=None) -> str:
    """Who a file under ``root`` belongs to, from where the grader put it.

    A folder a Gradescope metadata file names (``owners``: folder parts -> student), else
    nbgrader's ``<step>/<student>/...`` (``submitted``, ``autograded`` and ``feedback`` hold
    copies of one submission), nbgrader's exchange ``<student>+<assignment>+<time>/``, else
    the first folder under ``root`` (a folder, or a zip, per student), else the file's name.
    """
    parts = path if isinstance(path, tuple) else pathlib.Path(path).relative_to(root).parts
    for n in range(len(parts) - 1, 0, -1):
        if (owner := (owners or {}).get(parts[:n])) is not None:
            return owner
    for i, part in enumerate(parts[:-2]):
        if part in NBGRADER_STEPS:
            return identity.normalise(parts[i + 1]) or parts[i + 1]
    for part in parts[:-1]:
        if part.count("+") >= 2:
            return identity.normalise(part.split("+")[0])
    stem = pathlib.PurePath(parts[-1]).stem
    return identity.normalise(parts[0] if len(parts) > 1 else stem)


def _merged(loaded: list[answers_file.Answers]) -> answers_file.Answers:
    """One student's files as one: each attempt once (copies of a submission, or an earlier
    and a later one), in the order checked."""
    merged = answers_file.Answers(loaded[0].path if loaded else pathlib.Path(""))
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


def submissions(folder) -> list[Submission]:
    """Every student's work under ``folder`` (a folder, or a zip such as Gradescope's export
    downloaded), one per student; see the module's docstring for the layouts read. A
    student is anyone with a readable answers file or a notebook there."""
    root = pathlib.Path(folder)
    if not (root.is_dir() or (root.is_file() and zipfile.is_zipfile(root))):
        raise validation.fail(
            "folder", "a folder of collected submissions (or a zip of one)", str(folder)
        )
    owners: dict[tuple[str, ...], str] = {}
    found: list[_Found] = []
    for parts, data in _entries(root):
        name, suffix = parts[-1], pathlib.PurePosixPath(parts[-1]).suffix.lower()
        if name in METADATA_FILES:
            owners |= _owners(parts, data)
        elif suffix == ".ipynb":
            found.append(_Found(parts, typed=typed_answers(data)))
        elif suffix == ".json":
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            loaded = answers_file.loads(text, "/".join(parts))
            if not loaded.problem:
                found.append(_Found(parts, answers=loaded))
    by_student: dict[str, list[_Found]] = collections.defaultdict(list)
    for item in found:  # in path order: a later exchange copy's typed answers win
        by_student[student_of(item.parts, root, owners)].append(item)
    out = []
    for student, items in sorted(by_student.items()):
        typed: dict[str, str] = {}
        for item in items:
            typed |= item.typed or {}
        answers = _merged([i.answers for i in items if i.answers is not None])
        out.append(Submission(student, answers, typed))
    return out


def collect(folder) -> list[answers_file.Answers]:
    """Every student's answers under ``folder``, one merged :class:`Answers` per student
    (see :func:`submissions`, which also has what each typed in the notebook's cells)."""
    return [s.answers for s in submissions(folder)]


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
    students = submissions(folder)
    by_exercise: dict[str, list[answers_file.ExerciseRecord]] = collections.defaultdict(list)
    typed_only: dict[str, int] = collections.Counter()  # typed in the cell, never checked
    typed_too: dict[str, int] = collections.Counter()  # typed in the cell, and checked
    for student in students:
        for exercise_id, record in student.answers.exercises.items():
            if record.attempts:
                by_exercise[exercise_id].append(record)
        for exercise_id in student.typed:
            if student.answers.record(exercise_id).attempts:
                typed_too[exercise_id] += 1
            else:
                typed_only[exercise_id] += 1
    table = []
    for exercise_id in sorted(set(by_exercise) | set(typed_only)):
        records = by_exercise.get(exercise_id, [])
        solved = [n for n in map(_solved_at, records) if n is not None]
        summary = {
            "class_size": len(students),
            "tried": len(records),
            "solved": len(solved),
            "typed_only": typed_only.get(exercise_id, 0),
            "typed_too": typed_too.get(exercise_id, 0),
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
                    "share": round(hit.get(code, 0) / len(records), 3) if records else 0.0,
                    "attempts": uses.get(code, 0),
                    "example": _clip(example),
                }
                | summary
            )
    return table


def _said(row: dict) -> str:
    """One exercise's line: solved in the widget, of how many, and who typed only in cells."""
    question = f" ({row['question']})" if row["question"] else ""
    line = (
        f"{row['exercise']}{question}: {row['solved']} of {row['class_size']} students solved it "
        "in the widget"
    )
    if row["typed_only"]:
        line += (
            f"; {row['typed_only']} more typed answers only in cells (graded, not in this "
            "report's diagnoses)"
        )
    return line


def report_summary(table_or_folder) -> list[str]:
    """One line per exercise, as the chart's titles say it: "q1 (dL/dw1): 110 of 200
    students solved it in the widget; 70 more typed answers only in cells (graded, not in
    this report's diagnoses)". Students out of all those whose work is in the folder."""
    table = _table(table_or_folder)
    first = {}
    for row in table:
        first.setdefault(row["exercise"], row)
    return [_said(row) for row in first.values()]


def report(folder):
    """For each exercise: how many students hit each diagnosis, an example, attempts to solve.

    Parameters
    ----------
    folder : path
        A folder of collected submissions, searched recursively: nbgrader's course directory,
        otter's submission zips, Gradescope's export (a folder, or its zip), or any folder of
        answers files (a folder or file per student); see the module's docstring.

    Returns
    -------
    pandas.DataFrame if pandas is installed, else a list of dicts, with one row per
    exercise and diagnosis code, most frequent first. Columns: ``exercise``, ``question``,
    ``code``, ``students`` (how many hit it at least once), ``handed_in`` (of those, how
    many still had it in their last answer, the one handed in) and ``fixed`` (how many moved
    past it before submitting), ``share`` (of those who tried),
    ``attempts`` (checked answers with it), ``example`` (an anonymised answer with it), and
    per exercise ``class_size`` (students whose work is in the folder), ``tried`` (checked an
    answer in the widget), ``solved`` (right in the widget before any solution),
    ``typed_only`` (typed the answer in the notebook's cell and checked none in the widget:
    graded, but with no attempts to diagnose), ``typed_too`` (typed one in the cell as well:
    the cell's is the one graded), ``gave_up``, ``attempts_to_solve_median`` and
    ``attempts_to_solve_mean``. :func:`report_summary` says it in one line per exercise.

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
    fig = Figure(figsize=(6.4, 1.2 + 1.9 * max(1, len(exercises))), layout="constrained")
    axes = fig.subplots(max(1, len(exercises)), 1, squeeze=False)[:, 0]
    for ax, exercise in zip(axes, exercises):
        mine = [r for r in table if r["exercise"] == exercise and r["code"] != NO_PROBLEM][:top]
        first = next(r for r in table if r["exercise"] == exercise)
        codes = [r["code"] for r in mine][::-1]
        ax.barh(codes, [r["students"] for r in mine][::-1], color="#d9534f")
        ax.set_xlim(0, max(1, first["tried"]))
        ax.set_title("\n".join(textwrap.wrap(_said(first), 78)), fontsize=9)
        ax.set_xlabel("students who checked an answer in the widget")
    if not exercises:
        axes[0].set_title("no answers files or notebooks with answers were found")
    return fig
