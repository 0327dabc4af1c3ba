"""GradientExercise: type an answer (dL/dp, or any quantity a question asks), see how it was
read, get it checked, and have every attempt saved to the answers file.

The widget is a view of a question: a :class:`~backprop_widgets.exercises.GradientQuestion`
or any question with the same public surface (``check``, ``prompt``, ``prompt_latex``,
``solution``, ``expected``, ``tolerance_text``, ``accept``, ``net``, ``x``, ``t`` and
``hints()``). The question reads and judges every answer (and never raises); this module
only lays out the prompt, the question's network, an answer box with a live preview, the
feedback, progressive hints and the solution, and keeps the record of what the student did
in :mod:`backprop_widgets.exercises.answers` (``backprop_answers.json``), so that it
survives a kernel restart and reaches the grader.

One anywidget: the prompt, the diagram (static/diagram.js, drawn from :class:`DiagramState`'s
traits), the answer box, the buttons and every panel are drawn by one ES module
(static/exercise.js), so the exercise runs wherever anywidget does. Python owns the state and
writes every panel as HTML, formulas as MathML (:func:`.exercise_html.typeset`). The box's
text is synced on every input event (``answer``; Python answers with the ``preview``), and
Enter or Check sends ``{"type": "check", "value": <the box's text>}``: the text travels with
the check, because ipywidgets holds back a state update while the kernel is busy and a
custom message would overtake it (ipywidgets #2446, #4034): a fast typist's Enter is judged
on every keystroke.
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import pathlib

import anywidget
import traitlets

from ..core import validation
from ..core.errors import BackpropInputError
from ..exercises import Feedback, GradientQuestion
from ..exercises import answers as answers_file
from .deflated import DeflatedHTML
from .diagram import DiagramState, StrictWidget
from .exercise_html import (
    feedback_html,
    hints_html,
    loss_latex,
    plain_hints_html,
    preview_html,
    prompt_html,
    solution_html,
    typeset,
)
from .static_files import module, styles

HINTS = 3
# What a question needs for this widget (GradientQuestion also has .param and .chain_rule).
SURFACE = (
    "check", "prompt", "prompt_latex", "solution", "expected", "tolerance_text", "accept",
    "net", "x", "t", "hints",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One checked answer: the text exactly as typed, and what the checker said.

    ``hints_used`` and ``after_solution`` say what the student had seen when checking it.
    """

    answer: str
    feedback: Feedback
    time: datetime.datetime
    hints_used: int = 0
    after_solution: bool = False

    @property
    def correct(self) -> bool:
        return self.feedback.correct

    @property
    def problems(self) -> tuple[str, ...]:
        return self.feedback.problems


@dataclasses.dataclass(frozen=True)
class ExerciseResult:
    """How one exercise went, for a student's own record or an instructor's log.

    ``correct`` counts only a correct answer checked before the solution was shown;
    ``answer`` is that answer, or else the last one checked ("" if none).
    """

    question: str
    correct: bool
    attempts: int
    hints_used: int
    solution_shown: bool
    answer: str
    exercise: str = ""

    @property
    def gave_up(self) -> bool:
        return self.solution_shown and not self.correct

    @property
    def status(self) -> str:
        """One of "no attempts yet", "correct", "gave up" or "not yet correct"."""
        if self.correct:
            return "correct"
        if self.gave_up:
            return "gave up"
        return "not yet correct" if self.attempts else "no attempts yet"

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        name = f"{self.exercise} ({self.question})" if self.exercise else self.question
        if not self.attempts:
            return f"{name}: no attempts yet"
        tries = "1 attempt" if self.attempts == 1 else f"{self.attempts} attempts"
        return f"{name}: {self.status} after {tries}, {self.hints_used} hint(s) used"

    def _repr_pretty_(self, p, cycle) -> None:
        # A cell `ex.result()` run by Run All shows one plain line, never an answer.
        p.text(str(self))


class GradientExercise(DiagramState, StrictWidget, anywidget.AnyWidget):
    """An exercise: type the asked quantity, get it read, checked, explained, and saved.

    Parameters
    ----------
    question : GradientQuestion or a question with the same public surface
        What is asked and how answers are judged (tolerance, accepted kinds, level).
    id : str, optional
        The exercise's name in the answers file and for the grader (``"q1"``). Default:
        :func:`~backprop_widgets.exercises.answers.default_id` (what is asked and the
        network's shape). Give one in an assignment, so the grader's test can name it.
    answers : path, None or False
        The answers file attempts are saved to (default None:
        ``backprop_answers.json`` in the kernel's working directory, or
        ``$BACKPROP_ANSWERS``); False saves nothing. Attempts already in the file for this
        id and question are restored when the exercise is built again.
    show_diagram : bool
        Draw the question's network, with the asked parameter selected (default True).
    show_values : bool
        Start with each weight's value printed on the diagram (default False; a checkbox
        toggles them). For a gradient question neuron values are shown under the neurons.
    allow_hints : bool
        Offer the progressive hints (default True, False in graded mode).
    allow_solution : bool
        Offer the "Show solution" button (default True; always False in graded mode,
        see :func:`~backprop_widgets.exercises.graded_mode`); showing it counts as giving up.

    Attributes
    ----------
    attempts : list of Attempt
        Every checked answer, oldest first (empty answers and an unchanged re-check of the
        same text are not counted).
    hints_used : int
    solution_shown : bool
    answer : str
        The text in the answer box (synced as it is typed).
    prompt, preview, feedback, status, hint_panel, solution_panel : str
        What the widget shows, as HTML (formulas as MathML); "" for a part not shown.

    Examples
    --------
    >>> net, x, t = bw.presets.mazur()
    >>> ex = bw.GradientExercise(bw.GradientQuestion(net, "w1", x, t))  # display: ex
    >>> ex.check("dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)").correct
    True
    >>> ex.result().correct, ex.result().attempts
    (True, 1)
    """

    _esm = module("deflated.js", "diagram.js", "exercise.js")
    _css = styles("theme.css", "diagram.css", "exercise.css")

    _accepted = (
        "id", "answers", "show_diagram", "show_values", "allow_hints", "allow_solution",
    )  # fmt: skip

    prompt = traitlets.Unicode("").tag(sync=True)
    show_diagram = traitlets.Bool(True).tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)
    answer_label = traitlets.Unicode("").tag(sync=True)
    # the box's text: the browser sets it on every input event, Python on check(answer);
    # no echo of each keystroke back to the browser that typed it (half the traffic)
    answer = traitlets.Unicode("").tag(sync=True, echo_update=False)
    preview = traitlets.Unicode("").tag(sync=True)
    feedback = traitlets.Unicode("").tag(sync=True)
    stale = traitlets.Bool(False).tag(sync=True)  # the box was edited since the last check
    status = traitlets.Unicode("").tag(sync=True)
    hint_label = traitlets.Unicode("").tag(sync=True)  # "": no Hint button
    hint_disabled = traitlets.Bool(False).tag(sync=True)
    solution_label = traitlets.Unicode("").tag(sync=True)  # "": no solution button
    hint_panel = DeflatedHTML()
    solution_panel = DeflatedHTML()

    def __init__(self, question, *, id: str | None = None, answers=None, **kwargs):
        missing = [name for name in SURFACE if not hasattr(question, name)]
        if isinstance(question, GradientQuestion):
            missing = []  # its hints are built here, from its chain rule
        if missing:
            raise BackpropInputError(
                "GradientExercise needs a question, such as "
                'bw.GradientExercise(bw.GradientQuestion(net, "w1", x, t)); '
                f"got {type(question).__name__}, which has no {', '.join(missing)}"
            )
        self._check_kwargs(kwargs)
        graded = answers_file.graded_mode()
        options = {"show_diagram": True, "show_values": False}
        options |= {"allow_hints": not graded, "allow_solution": not graded}
        for name, value in kwargs.items():
            options[name] = validation.flag(value, name)
        if graded:
            options["allow_solution"] = False
        if id is not None and (not isinstance(id, str) or not id.strip() or len(id) > 200):
            raise validation.fail("id", "a non-empty name of at most 200 characters", id)
        if (
            answers is not None
            and answers is not False
            and not isinstance(answers, (str, pathlib.Path))
        ):
            raise validation.fail(
                "answers", "a file path, None (the default file) or False", answers
            )
        self.question = question
        self.exercise_id = id if id is not None else answers_file.default_id(question)
        self._fingerprint = answers_file.fingerprint(question)
        self._file = None if answers is False else answers_file.AnswersFile(answers)
        self.graded = graded
        self.allow_hints = options["allow_hints"]
        self.allow_solution = options["allow_solution"]
        self._gradient = isinstance(question, GradientQuestion)
        self._hints = HINTS if self._gradient else len(_plain_hints(question))
        self._attempts: list[Attempt] = []
        self._saved = 0  # how many of self._attempts the file holds (the rest wait for a save)
        self._seen = (0, False)  # hints and solution seen before a restart, kept in the file
        self._tone: str | None = None  # what the status line says: saved, restored, a problem
        self._hints_used = 0
        self._solution_shown = False
        self._checked_text: str | None = None  # the text the feedback is about
        self._internal_errors: list[BaseException] = []

        # the diagram is drawn by this widget from DiagramState's traits; an exercise marks
        # the asked weight and keeps its paths for the student (until the first hint)
        drawn = options["show_diagram"]
        # a network's question draws its network; a question on any graph draws the graph
        drawing = question.net if question.net is not None else question.graph
        start = self._start_diagram(drawing, auto_update=drawn, highlight_paths=False)
        if not drawn:
            start = {"structure": {}, "values": {}}
        super().__init__(
            **start,
            show_values=options["show_values"],
            show_diagram=drawn,
            prompt=typeset(prompt_html(question)),
            placeholder=f"type {question.prompt} here, then press Enter",
            answer_label=f"your answer: {question.prompt}",
            preview=typeset(preview_html("", None)),
        )
        self.add_class("bpw-exercise")
        if drawn:
            self._follow()
            self.selected = _selected(question)
            if self._gradient and question.net is not None:  # elsewhere a value may be asked
                self.show_example(question.chain_rule.graph)
        self._update_buttons()
        self.observe(self._guarded(self._on_answer), names="answer")
        self.on_msg(self._guarded(self._on_msg))
        self._guarded(self._restore)()

    # ----------------------------------------------------------- public state
    @property
    def attempts(self) -> list[Attempt]:
        return list(self._attempts)

    @property
    def hints_used(self) -> int:
        return self._hints_used

    @property
    def solution_shown(self) -> bool:
        return self._solution_shown

    def result(self) -> ExerciseResult:
        """Whether it was answered correctly (before any solution), with attempts and help used."""
        before = [a for a in self._attempts if not a.after_solution]
        right = next((a for a in before if a.correct), None)
        last = self._attempts[-1].answer if self._attempts else ""
        return ExerciseResult(
            question=self.question.prompt,
            correct=right is not None,
            attempts=len(self._attempts),
            hints_used=self._hints_used,
            solution_shown=self._solution_shown,
            answer=right.answer if right is not None else last,
            exercise=self.exercise_id,
        )

    # ----------------------------------------------------------- actions
    def check(self, answer: str | None = None) -> Feedback:
        """Check ``answer`` (put into the box, as if typed) or else the box's text."""
        with self.hold_sync():
            if answer is not None:
                self.answer = answer if isinstance(answer, str) else str(answer)
            return self._check_text(self.answer)

    def _fallback(self) -> tuple[str, str]:
        # the question only: a static copy of a notebook never carries an answer or a verdict
        q = self.question
        text = f"GradientExercise {self.exercise_id}: what is {q.prompt} at this example?"
        picture = self._diagram_fallback()[1] if self.show_diagram else ""
        return text, f'<div class="bpw-exercise">{self.prompt}</div>' + picture

    def hint(self) -> str | None:
        """Reveal the next hint (a gradient's: 1 the paths, 2 one path's factors, 3 the
        value; another question's: its ``hints()`` in order)."""
        if not self.allow_hints or self._hints_used >= self._hints:
            return None
        with self.hold_sync():
            self._hints_used += 1
            self._show_hints()
            self._save()
            self._update_buttons()
        return self.hint_panel

    def _show_hints(self) -> None:
        if not self._gradient:
            shown = plain_hints_html(_plain_hints(self.question), self._hints_used)
            self.hint_panel = typeset(shown)
            return
        self.hint_panel = typeset(hints_html(self.question, self._hints_used))
        if self.show_diagram and self._hints_used >= 1:
            # the first hint is "which paths exist": show them on the diagram too
            self.show_all_paths()

    def show_solution(self) -> None:
        """Show the chain rule written out for this parameter; counts as giving up."""
        if not self.allow_solution:
            return
        first = not self._solution_shown
        with self.hold_sync():
            self._solution_shown = True
            self.solution_panel = typeset(solution_html(self.question))
            if first:
                self._save()
            self._update_buttons()

    def hide_solution(self) -> None:
        with self.hold_sync():
            self.solution_panel = ""
            self._update_buttons()

    # ----------------------------------------------------------- reacting
    def _check_text(self, text: str, record: bool = True) -> Feedback:
        fb = self.question.check(text)
        record = (
            record
            and fb.kind != "empty"
            and not (
                self._attempts
                and self._attempts[-1].answer == text
                and self._attempts[-1].after_solution == self._solution_shown
            )
        )
        if record:
            self._attempts.append(
                Attempt(
                    text,
                    fb,
                    datetime.datetime.now(datetime.timezone.utc),
                    self._hints_used,
                    self._solution_shown,
                )
            )
            self._save()
        self._checked_text = text
        hints_left = self._hints - self._hints_used if self.allow_hints else 0
        self.feedback = feedback_html(fb, text, len(self._attempts), hints_left)
        self.stale = False
        return fb

    def _on_answer(self, change) -> None:
        text = change["new"]
        # read, not check: one parse per keystroke keeps the kernel free while typing
        read = getattr(self.question, "read", None)
        fb = read(text) if callable(read) and text.strip() else None
        with self.hold_sync():
            self.preview = typeset(preview_html(text, fb))
            self.stale = self._checked_text is not None and text != self._checked_text

    def _on_msg(self, _widget, content, buffers) -> None:
        """Check (Enter or the button, with the box's text), Hint, Show/Hide solution; and
        the diagram's own (a click selects; its weights are not editable here)."""
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "check" and isinstance(content.get("value"), str):
            # the text comes with the message: an update of `answer` still held back by the
            # front end (ipywidgets sends one at a time while the kernel is busy) would
            # arrive after it, and Enter would judge the text minus its last keystrokes
            with self.hold_sync():
                self.answer = content["value"]
                self._check_text(content["value"])
        elif kind == "hint":
            self.hint()
        elif kind == "solution":
            self._toggle_solution()
        else:
            self._on_front_end_msg(_widget, content, buffers)

    def _toggle_solution(self) -> None:
        if self._solution_shown and self.solution_panel:
            self.hide_solution()
        else:
            self.show_solution()

    def _update_buttons(self) -> None:
        left = self._hints - self._hints_used
        offered = self.allow_hints and self._hints > 0
        self.hint_label = (f"Hint ({left} left)" if left else "No more hints") if offered else ""
        self.hint_disabled = left == 0
        shown = self._solution_shown and bool(self.solution_panel)
        solution = "Hide solution" if shown else "Show solution"
        self.solution_label = solution if self.allow_solution else ""

    # ----------------------------------------------------------- the answers file
    def _unsaved(self) -> list[answers_file.StoredAttempt]:
        """The attempts not yet in the file, as it stores them (in the order checked)."""
        return [
            answers_file.StoredAttempt(
                answer=a.answer[: answers_file.MAX_STORED],
                correct=a.correct,
                kind=a.feedback.kind,
                problems=tuple(a.problems),
                time=a.time.isoformat(timespec="seconds"),
                hints_used=a.hints_used,
                after_solution=a.after_solution,
                fingerprint=self._fingerprint,
            )
            for a in self._attempts[self._saved :]
        ]

    def _save(self) -> None:
        """Append the attempts not yet saved, and the help seen; a failure is told, and the
        session keeps them for the next save. Appending (never rewriting the exercise's
        record) keeps what other kernels save for this notebook at the same time."""
        if self._file is None:
            return
        pending = len(self._attempts)
        try:
            saved = self._file.append(
                self.exercise_id,
                self._unsaved(),
                question=self.question.prompt,
                hints_used=max(self._hints_used, self._seen[0]),
                solution_shown=self._solution_shown or self._seen[1],
            )
        except OSError as err:
            self._say(
                f"Your answers could not be saved to {self._file.path} ({err.strerror or err}): "
                "they are kept in this session only. Tell your instructor.",
                "error",
            )
            return
        self._saved = pending
        if saved.problem and not saved.missing:  # a corrupt file was kept aside just now
            self._say(saved.problem, "warning")
        elif self._tone in (None, "error"):  # say where it went, once, or that it works again
            self._say(
                f"Your attempts are saved in {self._file.path.name} beside this notebook; "
                "hand it in with the notebook.",
                "saved",
            )

    def _restore(self) -> None:
        """Reload this exercise's attempts from the answers file (after a kernel restart)."""
        if self._file is None:
            return
        loaded = self._file.load()
        if loaded.problem and not loaded.missing:
            self._say(loaded.problem, "warning")
            return
        record = loaded.record(self.exercise_id)
        self._seen = (record.hints_used, record.solution_shown)
        # attempts at another version of the question stay in the file, untouched
        mine = [a for a in record.attempts if a.fingerprint == self._fingerprint]
        for a in mine:
            fb = Feedback(a.correct, a.message, kind=a.kind, problems=a.problems)
            self._attempts.append(
                Attempt(a.answer, fb, _parse_time(a.time), a.hints_used, a.after_solution)
            )
        self._saved = len(self._attempts)
        if record.attempts:
            self._hints_used = min(record.hints_used, self._hints) if self.allow_hints else 0
            self._solution_shown = record.solution_shown and self.allow_solution
        if self._hints_used:
            self._show_hints()
        if mine:
            self.answer = mine[-1].answer
            self._check_text(mine[-1].answer, record=False)
            n = len(mine)
            self._say(
                f"{n} earlier attempt{'s' if n > 1 else ''} restored from {self._file.path.name}.",
                "restored",
            )
        self._update_buttons()

    def _say(self, text: str, tone: str) -> None:
        self._tone = tone
        self.status = f'<p class="bpw-status-line" data-status="{tone}">{html.escape(text)}</p>'

    def _guarded(self, handler):
        """A callback that never lets an exception reach the notebook: it is shown instead."""

        def guarded(*args):
            try:
                handler(*args)
            except Exception as exc:  # a bug here must not end the student's exercise
                self._internal_errors.append(exc)
                self.feedback = (
                    '<div class="bpw-verdict bpw-incorrect bpw-unreadable" data-verdict="error">'
                    f"<p>Sorry, something went wrong here ({html.escape(type(exc).__name__)}). "
                    "Please tell your instructor.</p></div>"
                )

        return guarded


def _selected(question) -> str:
    """The parameter to select on the diagram: the one asked about, if any."""
    param = getattr(question, "param", "")
    if question.net is None:  # a graph: any node but the end
        graph = question.graph
        return param if isinstance(param, str) and param in graph and param != graph.end else ""
    return param if isinstance(param, str) and param in question.net.parameter_names else ""


def _parse_time(text: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.datetime.fromtimestamp(0, datetime.timezone.utc)


def _plain_hints(question) -> list[str]:
    """A non-gradient question's own hints, as text; a broken hints() gives none."""
    try:
        hints = question.hints()
    except Exception:  # the question's bug must not break the exercise
        return []
    return [str(h) for h in hints] if isinstance(hints, (list, tuple)) else []


__all__ = [
    "Attempt",
    "ExerciseResult",
    "GradientExercise",
    "feedback_html",
    "hints_html",
    "loss_latex",
    "plain_hints_html",
    "preview_html",
    "prompt_html",
    "solution_html",
]
