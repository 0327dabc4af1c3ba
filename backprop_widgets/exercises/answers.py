"""The answers file: every checked attempt, saved beside the notebook, read by the grader.

An exercise widget appends each attempt (the text as typed, the verdict codes, whether it
was right, the time) to ``backprop_answers.json`` in the kernel's working directory, which
is the notebook's own folder in JupyterLab, nbgrader and otter-grader. The file survives a
kernel restart (an exercise built again reloads its attempts) and is collected with the
submission. Pure Python (json, os): the autograder reads it without any widget library.

The file, one per student, is an append-only log of JSON lines (:mod:`.answer_log`): every
attempt is one line added under a file lock, so any number of kernels checking answers for
one notebook at once keep every attempt, in the order they were checked, and a kernel
killed while saving loses nothing it said was saved::

    {"format": "backprop-widgets answers", "version": 2}
    {"exercise": "q1", "question": "dL/dw1", "attempt": {"answer": "...", "correct": false,
     "kind": "chain_rule", "problems": ["parameter_as_function"],
     "time": "2026-12-02T16:10:47+00:00", "hints_used": 0, "after_solution": false,
     "fingerprint": "3fa2c1d0"}}
    {"exercise": "q1", "question": "dL/dw1", "hints_used": 1, "solution_shown": false}

(each entry on one line). An exercise's record is its attempts in file order, the most hints
any line says were used, and whether any says the solution was shown. Version 1 (one JSON
document, rewritten on every save) is still read; the first attempt saved converts it.

Grading never trusts the stored verdict (a student can edit the file): :func:`grade`
checks the stored *text* again with the grader's own question. The verdicts are for
:func:`backprop_widgets.exercises.report`.

>>> import backprop_widgets as bw
>>> net, x, t = bw.presets.mazur()
>>> q = bw.GradientQuestion(net, "w1", x, t)
>>> fb = grade(q, "q1", typed="", path="no-such-file.json")
>>> fb.correct, "no-such-file.json" in fb.message
(False, True)
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from typing import Any

from ..core import validation
from . import answer_log, identity

FILENAME = "backprop_answers.json"
ENV_PATH = "BACKPROP_ANSWERS"  # a grader or a test may point the file elsewhere
FORMAT = "backprop-widgets answers"
VERSION = 2  # 1: one JSON document, rewritten on every save (read, and converted)
HEADER = {"format": FORMAT, "version": VERSION}
MAX_STORED = 10_000  # characters kept of one answer: the checker refuses longer ones anyway
MAX_FILE_BYTES = 20_000_000  # far above 200 attempts of 10,000 characters at 50 exercises
ENV_GRADED = "BACKPROP_GRADED"  # "1": graded mode for every exercise of the kernel

_graded: bool | None = None  # None: follow $BACKPROP_GRADED


def graded_mode(on: bool | None = None) -> bool:
    """Switch graded mode on or off for every exercise built afterwards; returns the setting.

    In graded mode an exercise offers no hints and no solution (an author may still pass
    ``allow_hints=True`` to one exercise; ``allow_solution`` stays off). Answers are still
    checked and saved. ``graded_mode()`` only reads the setting, which starts from the
    environment variable ``BACKPROP_GRADED`` ("1", "true" or "yes" turn it on), so a grader
    or a course's JupyterHub can set it for every kernel. It keeps answers out of sight; it
    is no lock: the student's kernel can always compute an answer, which is why the grade
    comes from the grader checking the saved text again.

    >>> graded_mode(True); graded_mode()
    True
    True
    >>> graded_mode(False)
    False
    """
    global _graded
    if on is not None:
        _graded = validation.flag(on, "on")
    if _graded is not None:
        return _graded
    return os.environ.get(ENV_GRADED, "").strip().lower() in ("1", "true", "yes", "on")


def default_path() -> pathlib.Path:
    """``$BACKPROP_ANSWERS`` if set, else ``backprop_answers.json`` in the working directory."""
    return pathlib.Path(os.environ.get(ENV_PATH) or FILENAME)


@dataclasses.dataclass(frozen=True)
class StoredAttempt:
    """One attempt as the file keeps it."""

    answer: str
    correct: bool
    kind: str
    problems: tuple[str, ...]
    time: str  # ISO 8601, UTC
    hints_used: int = 0
    after_solution: bool = False
    fingerprint: str = ""
    message: str = ""

    def as_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["problems"] = list(self.problems)
        return data

    @classmethod
    def from_json(cls, data: Any) -> StoredAttempt | None:
        """The attempt, or None for an entry too damaged to use (it is then skipped)."""
        if not isinstance(data, dict) or not isinstance(data.get("answer"), str):
            return None
        problems = data.get("problems", [])
        if not isinstance(problems, list):
            problems = []
        hints = data.get("hints_used", 0)
        return cls(
            answer=data["answer"][:MAX_STORED],
            correct=data.get("correct") is True,
            kind=str(data.get("kind", "")),
            problems=tuple(str(p) for p in problems),
            time=str(data.get("time", "")),
            hints_used=hints if isinstance(hints, int) and not isinstance(hints, bool) else 0,
            after_solution=data.get("after_solution") is True,
            fingerprint=str(data.get("fingerprint", "")),
            message=str(data.get("message", ""))[:2000],
        )


@dataclasses.dataclass
class ExerciseRecord:
    """Everything one student did in one exercise."""

    question: str = ""
    attempts: list[StoredAttempt] = dataclasses.field(default_factory=list)
    hints_used: int = 0
    solution_shown: bool = False

    @property
    def last_answer(self) -> str:
        return self.attempts[-1].answer if self.attempts else ""

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "attempts": [a.as_json() for a in self.attempts],
            "hints_used": self.hints_used,
            "solution_shown": self.solution_shown,
        }

    @classmethod
    def from_json(cls, data: Any) -> ExerciseRecord:
        if not isinstance(data, dict):
            return cls()
        attempts = data.get("attempts", [])
        stored = (
            [StoredAttempt.from_json(a) for a in attempts] if isinstance(attempts, list) else []
        )
        hints = data.get("hints_used", 0)
        return cls(
            question=str(data.get("question", "")),
            attempts=[a for a in stored if a is not None],
            hints_used=hints if isinstance(hints, int) and not isinstance(hints, bool) else 0,
            solution_shown=data.get("solution_shown") is True,
        )


@dataclasses.dataclass
class Answers:
    """A loaded answers file: ``exercises[id]`` is an :class:`ExerciseRecord`.

    ``problem`` is "" for a file read cleanly, else a sentence for the student or the grader
    (missing file, unreadable file and where it was kept).
    """

    path: pathlib.Path
    exercises: dict[str, ExerciseRecord] = dataclasses.field(default_factory=dict)
    problem: str = ""
    missing: bool = False
    damaged: int = 0  # lines skipped as unreadable (a save cut off by a crash, a hand edit)

    def record(self, exercise_id: str) -> ExerciseRecord:
        return self.exercises.get(exercise_id, ExerciseRecord())

    def as_json(self) -> dict:
        """Version 1's document (what a grader of an older version of this package reads)."""
        return {
            "format": FORMAT,
            "version": 1,
            "exercises": {k: v.as_json() for k, v in self.exercises.items()},
        }


# ------------------------------------------------------------------ the file's two versions
def _fold(path: pathlib.Path, entries: list[dict], damaged: int = 0) -> Answers:
    """The records a log's entries add up to (entries too damaged to use are skipped)."""
    exercises: dict[str, ExerciseRecord] = {}
    for entry in entries:
        exercise_id = entry.get("exercise")
        if not isinstance(exercise_id, str):
            damaged += 1
            continue
        record = exercises.setdefault(exercise_id, ExerciseRecord())
        question = entry.get("question")
        if isinstance(question, str) and question:
            record.question = question
        if "attempt" in entry:
            attempt = StoredAttempt.from_json(entry["attempt"])
            if attempt is not None:
                record.attempts.append(attempt)
        hints = entry.get("hints_used")
        if isinstance(hints, int) and not isinstance(hints, bool):
            record.hints_used = max(record.hints_used, hints)
        if entry.get("solution_shown") is True:
            record.solution_shown = True
    return Answers(path, exercises, damaged=damaged)


def _entries(exercise_id: str, question: str, attempts=(), hints_used=0, solution_shown=False):
    """The log lines for some new attempts at one exercise, and the help seen in it."""
    lines = [
        {"exercise": exercise_id, "question": question, "attempt": a.as_json()} for a in attempts
    ]
    if hints_used or solution_shown or not lines:
        lines.append(
            {
                "exercise": exercise_id,
                "question": question,
                "hints_used": int(hints_used),
                "solution_shown": bool(solution_shown),
            }
        )
    return lines


def _upgrade(text: str) -> list[dict] | None:
    """A version-1 file's records as log entries; None for a file that is neither version."""
    try:
        old = _parse(pathlib.Path(FILENAME), text)
    except (ValueError, RecursionError):
        return None
    entries = []
    for exercise_id, record in old.exercises.items():
        entries += _entries(
            exercise_id, record.question, record.attempts, record.hints_used, record.solution_shown
        )
    return entries


def _parse(path: pathlib.Path, text: str) -> Answers:
    """Version 1: one JSON document holding every exercise's record."""
    data = json.loads(text)  # ValueError for anything that is not JSON
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("it is not a backprop-widgets answers file")
    exercises = data.get("exercises", {})
    if not isinstance(exercises, dict):
        raise ValueError("its 'exercises' entry is not a mapping")
    return Answers(path, {str(k): ExerciseRecord.from_json(v) for k, v in exercises.items()})


def load(path=None) -> Answers:
    """Read an answers file; never raises (a grader calls it on whatever was submitted).

    A missing file gives an empty :class:`Answers` with ``missing=True``; an unreadable one
    gives an empty one whose ``problem`` says why. Nothing is renamed or written: only
    :class:`AnswersFile` (the student's side) moves a corrupt file aside.

    >>> load("no-such-file.json").missing
    True
    """
    path = pathlib.Path(path) if path is not None else default_path()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return Answers(path, problem=f"The answers file {path} is too large to be read.")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Answers(path, problem=f"No answers file {path} was found.", missing=True)
    except (OSError, UnicodeDecodeError) as err:
        return Answers(path, problem=f"The answers file {path} could not be read ({err}).")
    return loads(text, path)


def loads(text: str, path=FILENAME) -> Answers:
    """An answers file's text (either version) as :class:`Answers`, as :func:`load` reads
    it; ``path`` only names it (a file inside a zip, say). Never raises."""
    path = pathlib.Path(path)
    try:
        return _fold(path, *answer_log.parse(text, HEADER))
    except answer_log.NotALog:
        pass
    try:
        return _parse(path, text)  # version 1
    except (ValueError, RecursionError) as err:
        return Answers(path, problem=f"The answers file {path} could not be read: {err}.")


class AnswersFile:
    """The student's side: appends attempts; a file it cannot read is kept aside on a write.

    Reading never changes the file: an exercise rebuilt (or the assignment's setup cell)
    while the grader runs the notebook leaves whatever was handed in for the grader to
    judge. Only saving an answer renames an unreadable file aside and starts a new one.
    """

    def __init__(self, path=None):
        self.path = pathlib.Path(path) if path is not None else default_path()

    def load(self) -> Answers:
        """The file's records; an unreadable file is left as it is, and the problem says
        what the next save will do with it."""
        answers = load(self.path)
        if answers.problem and not answers.missing:
            answers.problem = (
                f"{answers.problem.rstrip('.')}. It will be kept aside (nothing is deleted) and "
                "a new file started when your next answer is saved."
            )
        return answers

    def append(
        self, exercise_id: str, attempts=(), *, question="", hints_used=0, solution_shown=False
    ) -> Answers:
        """Add attempts (:class:`StoredAttempt`) at one exercise, and the help seen in it
        (hints used so far, whether the solution was shown); returns what the file now
        holds. Any number of processes may append at once: every attempt is kept, in order.

        Raises OSError when the file cannot be written (the caller tells the student); the
        file is then as it was.
        """
        entries = _entries(exercise_id, question, attempts, hints_used, solution_shown)
        return self._saved(answer_log.append(self.path, entries, HEADER, _upgrade))

    def save(self, exercise_id: str, record) -> Answers:
        """Make the file hold one exercise's record; returns what the file now holds.

        ``record`` is an :class:`ExerciseRecord`, or a function from the record now in the
        file to the new one (read under the file's lock, so nothing written since is lost).
        The attempts it has that the file lacks are appended; none is ever removed.
        Raises OSError when the file cannot be written (the caller tells the student).
        """

        def new_entries(existing: list[dict]) -> list[dict]:
            now = _fold(self.path, existing).record(exercise_id)
            wanted = record(now) if callable(record) else record
            missing = [a.as_json() for a in now.attempts]
            fresh = []
            for attempt in wanted.attempts:  # a multiset difference, in the record's order
                if attempt.as_json() in missing:
                    missing.remove(attempt.as_json())
                else:
                    fresh.append(attempt)
            more_help = wanted.hints_used > now.hints_used or (
                wanted.solution_shown and not now.solution_shown
            )
            if not fresh and not more_help and exercise_id in _fold(self.path, existing).exercises:
                return []
            return _entries(
                exercise_id, wanted.question, fresh, wanted.hints_used, wanted.solution_shown
            )

        return self._saved(answer_log.append(self.path, new_entries, HEADER, _upgrade))

    def _saved(self, kept: pathlib.Path | None) -> Answers:
        answers = load(self.path)
        if kept is not None:
            answers.problem = (
                f"The answers file {self.path} could not be read; it was kept as {kept.name}, "
                "and a new file is started. Your answers from now on are saved."
            )
        return answers


def start(path=None) -> Answers:
    """Make sure the answers file exists (an empty one if need be); returns what it holds.

    Call it at the top of an assignment, so that the file is there to hand in even before a
    first answer (otter's ``grader.export(files=[...])`` needs it). A file that exists is
    left as it is, even one that cannot be read: the grader runs this cell too, and must
    find what was handed in (its ``problem`` says so; the next saved answer keeps it
    aside). Never raises: a folder that cannot be written gives an :class:`Answers` whose
    ``problem`` says so.
    """
    file = AnswersFile(path)
    answers = file.load()
    if not answers.missing:
        return answers
    try:
        answer_log.append(file.path, [], HEADER, _upgrade)
    except OSError as err:
        answers.problem = f"The answers file {file.path} could not be created ({err})."
        return answers
    return load(file.path)


def answer_for(exercise_id: str, typed=None, path=None) -> str:
    """The answer to grade for one exercise: ``typed`` if it is non-blank text, else the
    last answer checked in that exercise's widget (from the answers file), else "".

    ``typed`` is the string variable a student may fill in a cell instead of the widget.
    Never raises.

    >>> answer_for("q1", typed="dh1/dw1 * dL/dh1")
    'dh1/dw1 * dL/dh1'
    """
    if isinstance(typed, str) and typed.strip():
        return typed
    return load(path).record(str(exercise_id)).last_answer


class _Base:
    """``grade``'s default ``student``: check against the question as built, no variant."""

    def __repr__(self) -> str:
        return "<the question as built>"


AS_BUILT = _Base()


class _Auto:
    """``grade``'s default ``submitter``: ask the grader running the kernel."""

    def __repr__(self) -> str:
        return "<from the grader>"


FROM_GRADER = _Auto()


def grade(question, exercise_id: str, typed=None, path=None, *, student=AS_BUILT,
          submitter=FROM_GRADER):  # fmt: skip
    """Check the answer :func:`answer_for` picks with the grader's ``question``.

    Returns the question's Feedback. When there is no answer at all, the message says
    whether the answers file was missing or unreadable, so the student's feedback explains
    the 0. Never raises. In an nbgrader hidden test or an otter test::

        fb = bw.exercises.grade(q, "q1", answer_q1, student=globals().get("STUDENT_ID"))
        assert fb.correct, fb.message

    ``student``: the id typed in the notebook (an assignment's ``STUDENT_ID``), from which
    the student's numbers were made. The answer is checked against the variant of the
    student who *handed the notebook in*, rebuilt here, so a student's cell cannot change
    the numbers: ``submitter`` (by default :func:`.identity.submitter`, which asks the
    grader: nbgrader's ``submitted/<student>/`` folder, Gradescope's submission metadata,
    ``$BACKPROP_STUDENT``; or an id, or None for none) says who. The typed id is used only
    when no grader says (a student checking their own notebook), and otherwise only to say
    in the feedback when it is not the submitter's. Both are normalised alike (case and
    surrounding spaces do not count). Without either, the answer scores nothing and the
    message says why. An answer checked in the widget for other numbers (the id changed
    after answering) is still checked against the graded numbers, and the message says so.
    """
    note = ""
    if student is not AS_BUILT:
        who = identity.submitter() if submitter is FROM_GRADER else submitter
        if isinstance(who, str):
            who = identity.Submitter((identity.normalise(who),), "the grader")
            who = who if who.name else None
        student, note = identity.resolve(student, who)
        question, refused = _variant(question, student)
        if refused is not None:
            return refused
    fb = _checked(question, exercise_id, typed, path)
    if note and dataclasses.is_dataclass(fb):
        # Said only in the message, which a test shows when the answer is wrong: printing it
        # would fail a right answer (nbgrader counts stderr as a failure, otter's tests are
        # doctests that compare stdout).
        return dataclasses.replace(fb, message=f"{fb.message}\n({note})")
    return fb


def _checked(question, exercise_id, typed, path):
    answers = load(path)
    record = answers.record(str(exercise_id))
    from_file = not (isinstance(typed, str) and typed.strip())
    text = record.last_answer if from_file else typed
    fb = question.check(text)
    if text.strip():
        if from_file and not fb.correct and _other_numbers(record, question):
            note = (
                "\n(This answer was checked in the widget for other numbers than the ones "
                "graded here: was the student id changed after answering?)"
            )
            return dataclasses.replace(fb, message=fb.message + note)
        return fb
    why = answers.problem or f"Exercise {exercise_id} has no checked answer in {answers.path}."
    message = f"No answer was given. {why}"
    if dataclasses.is_dataclass(fb):
        return dataclasses.replace(fb, message=message)
    return fb


def _variant(question, student):
    """(the student's variant, None), or (question, the Feedback that refuses to grade)."""
    if isinstance(student, str) and student.strip():
        try:
            return question.variant(student), None
        except Exception as err:  # grade never raises; an id always has a variant in practice
            why = f"this student's numbers could not be made ({type(err).__name__}: {err})"
    else:
        why = (
            f"no student id was given (got {student!r}), and the answer is checked against "
            "the numbers made from it. Set STUDENT_ID at the top of the notebook to your "
            "course login"
        )
    message = f"Not graded: {why}."
    fb = question.check("")
    if dataclasses.is_dataclass(fb):
        fb = dataclasses.replace(
            fb, message=message, problems=("no_student_id",), details=(message,), expected=None
        )
    return question, fb


def _other_numbers(record, question) -> bool:
    stored = record.attempts[-1].fingerprint if record.attempts else ""
    return bool(stored) and stored != fingerprint(question)


# ------------------------------------------------------------------ naming an exercise
def _digest(parts) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:8]


def _structure(question) -> list:
    net = question.net
    if net is None:  # a question on any computation graph: its nodes and what each computes
        graph = question.graph
        names = graph.node_names + graph.parameter_names
        return [type(question).__name__, question.prompt, names, [graph.formula(n) for n in names]]
    return [
        type(question).__name__,
        question.prompt,
        [list(layer) for layer in net.node_names],
        list(net.parameter_names),
        list(net.activation),
        net.loss_name,
    ]


def default_id(question) -> str:
    """An exercise id from what is asked and the network's shape, not its numbers:
    ``"dL/dw1@1a2b3c4d"``. Every student's variant of one exercise gets the same id, so a
    report groups them; two exercises that differ only in their numbers need ``id=``.
    """
    return f"{question.prompt}@{_digest(_structure(question))}"


def fingerprint(question) -> str:
    """The question's numbers too: attempts are restored only into the same question."""
    net = question.net
    if net is None:  # a graph's numbers are its leaves'
        graph = question.graph
        leaves = [n for n in graph.node_names + graph.parameter_names if not graph.parents(n)]
        return _digest([*_structure(question), [[n, graph.value(n)] for n in leaves]])
    values = [[n, float(net[n])] for n in net.parameter_names]
    x = [float(v) for v in question.x.ravel()]
    t = [float(v) for v in question.t.ravel()]
    return _digest([*_structure(question), values, x, t])
