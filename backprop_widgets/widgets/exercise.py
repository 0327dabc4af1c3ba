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

Enter in the answer box checks the answer. ipywidgets 8 deprecates ``Text.on_submit``, and
its replacement (``continuous_update=False``) also fires on blur and would give no live
preview. The Text view still sends a ``submit`` message on Enter, but that message overtakes
a value update that ipywidgets is holding back while the kernel is busy, so a fast typist's
Enter could be judged on the text minus its last keystrokes (ipywidgets #2446, #4034). So a
tiny anywidget (``static/exercise.js``, no view of its own) listens for Enter in this
exercise's box and sends the text *with* the submit message; it also sends the text when
the Check button is pressed, for the same reason. It carries ``static/exercise.css`` too.
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import pathlib

import anywidget
import ipywidgets as widgets

from ..core import validation
from ..core.errors import BackpropInputError
from ..exercises import Feedback, GradientQuestion
from ..exercises import answers as answers_file
from .diagram import NetworkDiagram, StrictWidget
from .exercise_html import (
    feedback_html,
    hints_html,
    loss_latex,
    plain_hints_html,
    preview_html,
    prompt_html,
    solution_html,
)

STATIC = pathlib.Path(__file__).parent.parent / "static"

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


class _EnterBridge(anywidget.AnyWidget):
    """Reports Enter in the exercise's answer box (and Check presses) with the typed text."""

    _esm = STATIC / "exercise.js"
    _css = STATIC / "exercise.css"


class GradientExercise(StrictWidget, widgets.VBox):
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

    Examples
    --------
    >>> net, x, t = bw.presets.mazur()
    >>> ex = bw.GradientExercise(bw.GradientQuestion(net, "w1", x, t))  # display: ex
    >>> ex.check("dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)").correct
    True
    >>> ex.result().correct, ex.result().attempts
    (True, 1)
    """

    _accepted = (
        "id", "answers", "show_diagram", "show_values", "allow_hints", "allow_solution",
    )  # fmt: skip

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
        self._typed: str | None = None  # text reported by the bridge just before a Check

        self.prompt = widgets.HTMLMath(prompt_html(question))
        self.prompt.add_class("bpw-prompt")
        children = [self.prompt]
        self.diagram = None
        if options["show_diagram"]:
            self.diagram = NetworkDiagram(
                question.net,
                selected=_selected(question),
                show_values=options["show_values"],
                highlight_paths=False,
            )
            if self._gradient:  # elsewhere a neuron's value may be the very thing asked
                self.diagram.show_example(question.chain_rule.graph)
            self.values_toggle = widgets.Checkbox(
                value=options["show_values"], description="show weight values", indent=False
            )
            self.values_toggle.add_class("bpw-show-values")
            widgets.link((self.values_toggle, "value"), (self.diagram, "show_values"))
            figure = widgets.VBox([self.diagram, self.values_toggle])
            figure.add_class("bpw-figure")
            children.append(figure)

        self.answer = widgets.Text(
            value="",
            placeholder=f"type {question.prompt} here, then press Enter",
            continuous_update=True,
        )
        self.answer.add_class("bpw-answer")
        self.check_button = widgets.Button(
            description="Check", button_style="primary", tooltip="check this answer (or Enter)"
        )
        self.check_button.add_class("bpw-check")
        self.hint_button = widgets.Button(tooltip="one more hint")
        self.hint_button.add_class("bpw-hint")
        self.solution_button = widgets.Button(
            description="Show solution",
            tooltip="show the whole chain rule; counts as giving up",
        )
        self.solution_button.add_class("bpw-solution")
        # Check sits beside the box; the help buttons sit above the help they reveal.
        row = widgets.HBox([self.answer, self.check_button])
        row.add_class("bpw-answer-row")
        helpers = [self.hint_button] if self.allow_hints and self._hints else []
        helpers += [self.solution_button] if self.allow_solution else []
        help_row = widgets.HBox(helpers)
        help_row.add_class("bpw-help-row")

        self.preview = widgets.HTMLMath(preview_html("", None))
        self.preview.add_class("bpw-preview")
        self.feedback = widgets.HTML("")
        self.feedback.add_class("bpw-feedback")
        self.hint_panel = widgets.HTMLMath("")
        self.hint_panel.add_class("bpw-hint-panel")
        self.solution_panel = widgets.HTMLMath("")
        self.solution_panel.add_class("bpw-solution-panel")
        self.status = widgets.HTML("")
        self.status.add_class("bpw-status")
        # Hidden until used, so an untouched exercise is compact.
        for panel in (self.feedback, self.hint_panel, self.solution_panel, self.status):
            panel.layout.display = "none"
        if not helpers:
            help_row.layout.display = "none"
        self._bridge = _EnterBridge()
        self._bridge.layout.display = "none"
        children += [
            row,
            self.preview,
            self.feedback,
            self.status,
            help_row,
            self.hint_panel,
            self.solution_panel,
            self._bridge,
        ]
        super().__init__(children=children)
        self.add_class("bpw-exercise")
        self._internal_errors: list[BaseException] = []
        self._update_buttons()
        self.answer.observe(self._guarded(self._on_value), names="value")
        self.check_button.on_click(self._guarded(lambda _: self._on_check_button()))
        self.hint_button.on_click(self._guarded(lambda _: self.hint()))
        self.solution_button.on_click(self._guarded(lambda _: self._toggle_solution()))
        self._bridge.on_msg(self._guarded(self._on_bridge_msg))
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
        if answer is not None:
            self.answer.value = answer if isinstance(answer, str) else str(answer)
        return self._check_text(self.answer.value)

    def _fallback(self) -> tuple[str, str]:
        # the question only: a static copy of a notebook never carries an answer or a verdict
        q = self.question
        text = f"GradientExercise {self.exercise_id}: what is {q.prompt} at this example?"
        picture = self.diagram._fallback()[1] if self.diagram is not None else ""
        return text, self.prompt.value + picture

    def hint(self) -> str | None:
        """Reveal the next hint (a gradient's: 1 the paths, 2 one path's factors, 3 the
        value; another question's: its ``hints()`` in order)."""
        if not self.allow_hints or self._hints_used >= self._hints:
            return None
        self._hints_used += 1
        self._show_hints()
        self._save()
        self._update_buttons()
        return self.hint_panel.value

    def _show_hints(self) -> None:
        if not self._gradient:
            self.hint_panel.value = plain_hints_html(_plain_hints(self.question), self._hints_used)
            self.hint_panel.layout.display = None
            return
        self.hint_panel.value = hints_html(self.question, self._hints_used)
        if self.diagram is not None and self._hints_used >= 1:
            # the first hint is "which paths exist": show them on the diagram too
            self.diagram.show_all_paths()
        self.hint_panel.layout.display = None

    def show_solution(self) -> None:
        """Show the chain rule written out for this parameter; counts as giving up."""
        if not self.allow_solution:
            return
        first = not self._solution_shown
        self._solution_shown = True
        self.solution_panel.value = solution_html(self.question)
        self.solution_panel.layout.display = None
        if first:
            self._save()
        self._update_buttons()

    def hide_solution(self) -> None:
        self.solution_panel.layout.display = "none"
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
        self.feedback.value = feedback_html(fb, text, len(self._attempts), hints_left)
        self.feedback.layout.display = None
        self.feedback.remove_class("bpw-stale")
        return fb

    def _on_value(self, change) -> None:
        text = change["new"]
        self._typed = None  # the box's value is now at least as new as the bridge's
        # read, not check: one parse per keystroke keeps the kernel free while typing
        read = getattr(self.question, "read", None)
        fb = read(text) if callable(read) and text.strip() else None
        self.preview.value = preview_html(text, fb)
        if self._checked_text is not None:
            if text == self._checked_text:
                self.feedback.remove_class("bpw-stale")
            else:
                self.feedback.add_class("bpw-stale")

    def _on_check_button(self) -> None:
        text = self._typed if self._typed is not None else self.answer.value
        self._typed = None
        self._check_text(text)

    def _on_bridge_msg(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("value"), str):
            return
        if content.get("event") == "submit":
            self._typed = None
            self._check_text(content["value"])
        elif content.get("event") == "typed":  # a Check press is on its way
            self._typed = content["value"]

    def _toggle_solution(self) -> None:
        if self._solution_shown and self.solution_panel.layout.display != "none":
            self.hide_solution()
        else:
            self.show_solution()

    def _update_buttons(self) -> None:
        left = self._hints - self._hints_used
        self.hint_button.description = f"Hint ({left} left)" if left else "No more hints"
        self.hint_button.disabled = left == 0
        shown = self._solution_shown and self.solution_panel.layout.display != "none"
        self.solution_button.description = "Hide solution" if shown else "Show solution"

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
            self.answer.value = mine[-1].answer
            self._check_text(mine[-1].answer, record=False)
            n = len(mine)
            self._say(
                f"{n} earlier attempt{'s' if n > 1 else ''} restored from {self._file.path.name}.",
                "restored",
            )
        self._update_buttons()

    def _say(self, text: str, tone: str) -> None:
        self._tone = tone
        self.status.value = (
            f'<p class="bpw-status-line" data-status="{tone}">{html.escape(text)}</p>'
        )
        self.status.layout.display = None

    def _guarded(self, handler):
        """A callback that never lets an exception reach the notebook: it is shown instead."""

        def guarded(*args):
            try:
                handler(*args)
            except Exception as exc:  # a bug here must not end the student's exercise
                self._internal_errors.append(exc)
                self.feedback.layout.display = None
                self.feedback.value = (
                    '<div class="bpw-verdict incorrect unreadable" data-verdict="error">'
                    f"<p>Sorry, something went wrong here ({html.escape(type(exc).__name__)}). "
                    "Please tell your instructor.</p></div>"
                )

        return guarded


def _selected(question) -> str:
    """The parameter to select on the diagram: the one asked about, if any."""
    param = getattr(question, "param", "")
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
