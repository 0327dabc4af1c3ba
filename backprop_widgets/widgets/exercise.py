"""GradientExercise: type dL/dp for one parameter, see how it was read, get it checked.

The widget is a view of a :class:`~backprop_widgets.exercises.GradientQuestion`: the
question reads and judges every answer (and never raises); this module only lays out the
prompt, the question's network, an answer box with a live preview, the feedback, three
progressive hints and the solution, and keeps the record of what the student did.

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
import re

import anywidget
import ipywidgets as widgets

from ..core import numbers, validation
from ..core.errors import BackpropInputError
from ..core.chain_rule import LOSS_NODE, latex_name
from ..exercises import Feedback, GradientQuestion
from .diagram import NetworkDiagram, StrictWidget
from .layout import downstream_edges
from .panels import d, delta_symbol, panel_html

STATIC = pathlib.Path(__file__).parent.parent / "static"

HINTS = 3
PATHS_LISTED = 8  # hint 1 lists at most this many paths, then says how many more
SHOWN_CHARS = 80  # typed text shown around a syntax error's position

_INVALID_KINDS = ("invalid", "empty")


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

    @property
    def gave_up(self) -> bool:
        return self.solution_shown and not self.correct

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class _EnterBridge(anywidget.AnyWidget):
    """Reports Enter in the exercise's answer box (and Check presses) with the typed text."""

    _esm = STATIC / "exercise.js"
    _css = STATIC / "exercise.css"


class GradientExercise(StrictWidget, widgets.VBox):
    """An exercise: type dL/dp for the question's parameter, get it read, checked, explained.

    Parameters
    ----------
    question : GradientQuestion
        What is asked and how answers are judged (tolerance, accepted kinds, level).
    show_diagram : bool
        Draw the question's network with the asked parameter selected (default True).
    show_values : bool
        Start with each weight's value printed on the diagram (default False; a checkbox
        toggles them). Neuron values are always shown under the neurons.
    allow_hints : bool
        Offer the three progressive hints (default True).
    allow_solution : bool
        Offer the "Show solution" button (default True); showing it counts as giving up.

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

    _accepted = ("show_diagram", "show_values", "allow_hints", "allow_solution")

    def __init__(self, question: GradientQuestion, **kwargs):
        if not isinstance(question, GradientQuestion):
            raise BackpropInputError(
                "GradientExercise needs a GradientQuestion, such as "
                'bw.GradientExercise(bw.GradientQuestion(net, "w1", x, t)); '
                f"got {type(question).__name__}"
            )
        self._check_kwargs(kwargs)
        options = {"show_diagram": True, "show_values": False}
        options |= {"allow_hints": True, "allow_solution": True}
        for name, value in kwargs.items():
            options[name] = validation.flag(value, name)
        self.question = question
        self.allow_hints = options["allow_hints"]
        self.allow_solution = options["allow_solution"]
        self._attempts: list[Attempt] = []
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
                selected=question.param,
                show_values=options["show_values"],
                highlight_paths=False,
            )
            graph = question.chain_rule.graph
            self.diagram.node_values = {
                n: graph.value(n) for layer in question.net.node_names for n in layer
            } | {LOSS_NODE: graph.loss}
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
        self.hint_button = widgets.Button(tooltip="one more hint, in three steps")
        self.hint_button.add_class("bpw-hint")
        self.solution_button = widgets.Button(
            description="Show solution",
            tooltip="show the whole chain rule; counts as giving up",
        )
        self.solution_button.add_class("bpw-solution")
        # Check sits beside the box; the help buttons sit above the help they reveal.
        row = widgets.HBox([self.answer, self.check_button])
        row.add_class("bpw-answer-row")
        helpers = [self.hint_button] if self.allow_hints else []
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
        # Hidden until used, so an untouched exercise is compact.
        for panel in (self.feedback, self.hint_panel, self.solution_panel):
            panel.layout.display = "none"
        if not helpers:
            help_row.layout.display = "none"
        self._bridge = _EnterBridge()
        self._bridge.layout.display = "none"
        children += [
            row,
            self.preview,
            self.feedback,
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
        )

    # ----------------------------------------------------------- actions
    def check(self, answer: str | None = None) -> Feedback:
        """Check ``answer`` (put into the box, as if typed) or else the box's text."""
        if answer is not None:
            self.answer.value = answer if isinstance(answer, str) else str(answer)
        return self._check_text(self.answer.value)

    def hint(self) -> str | None:
        """Reveal the next hint (1: the paths, 2: one path's factors, 3: the value)."""
        if not self.allow_hints or self._hints_used >= HINTS:
            return None
        self._hints_used += 1
        self.hint_panel.value = hints_html(self.question, self._hints_used)
        if self.diagram is not None and self._hints_used == 1:
            # the first hint is "which paths exist": show them on the diagram too
            self.diagram.highlight_paths = True
            self.diagram.highlight = {"edges": downstream_edges(self.question.net, self.question.param)}
        self.hint_panel.layout.display = None
        self._update_buttons()
        return self.hint_panel.value

    def show_solution(self) -> None:
        """Show the chain rule written out for this parameter; counts as giving up."""
        if not self.allow_solution:
            return
        self._solution_shown = True
        self.solution_panel.value = solution_html(self.question)
        self.solution_panel.layout.display = None
        self._update_buttons()

    def hide_solution(self) -> None:
        self.solution_panel.layout.display = "none"
        self._update_buttons()

    # ----------------------------------------------------------- reacting
    def _check_text(self, text: str) -> Feedback:
        fb = self.question.check(text)
        record = fb.kind != "empty" and not (
            self._attempts
            and self._attempts[-1].answer == text
            and self._attempts[-1].after_solution == self._solution_shown
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
        self._checked_text = text
        hints_left = HINTS - self._hints_used if self.allow_hints else 0
        self.feedback.value = feedback_html(fb, text, len(self._attempts), hints_left)
        self.feedback.layout.display = None
        self.feedback.remove_class("bpw-stale")
        return fb

    def _on_value(self, change) -> None:
        text = change["new"]
        self._typed = None  # the box's value is now at least as new as the bridge's
        # read, not check: one parse per keystroke keeps the kernel free while typing
        self.preview.value = preview_html(text, self.question.read(text) if text.strip() else None)
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
        left = HINTS - self._hints_used
        self.hint_button.description = f"Hint ({left} left)" if left else "No more hints"
        self.hint_button.disabled = left == 0
        shown = self._solution_shown and self.solution_panel.layout.display != "none"
        self.solution_button.description = "Hide solution" if shown else "Show solution"

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


# --------------------------------------------------------------------------------------------
# HTML: pure functions of the question and the feedback, testable without a browser.
# User-typed text is always HTML-escaped and put in <code>, which MathJax does not typeset,
# so a typed "$" or "\(" cannot turn into math.
# --------------------------------------------------------------------------------------------

_LOSS_LATEX = {
    "half_sse": r"\tfrac{1}{2} \sum_k (t_k - y_k)^2",
    "mse": r"\frac{1}{K} \sum_k (t_k - y_k)^2",
    "bce": r"-\frac{1}{K} \sum_k \left[t_k \log y_k + (1 - t_k) \log (1 - y_k)\right]",
    "cross_entropy": r"-\sum_k t_k \log y_k",
}


def _number(value: float) -> str:
    return numbers.latex(value, 6)


def _math(latex: str, display: bool = False) -> str:
    """LaTeX for MathJax inside HTML: escaped, since node names may hold < or &; MathJax
    reads the decoded text, so the formula is unchanged."""
    body = html.escape(latex, quote=False)
    return f"$\\displaystyle {body}$" if display else f"${body}$"


def loss_latex(net) -> str:
    """L written with the network's own output and target names where that stays short."""
    name = net.loss_name
    generic = _LOSS_LATEX.get(name, r"\mathrm{" + name + "}")
    pairs = list(zip(net.target_names, net.output_names, strict=True))
    if name != "half_sse" or len(pairs) > 3:
        return generic
    squares = [f"({latex_name(t)} - {latex_name(y)})^2" for t, y in pairs]
    if len(squares) == 1:
        return rf"\tfrac{{1}}{{2}} {squares[0]}"
    return rf"\tfrac{{1}}{{2}} \left[{' + '.join(squares)}\right]"


def _activations(net) -> str:
    acts = net.activation
    if len(set(acts)) == 1:
        return f"{acts[0].capitalize()} neurons"
    hidden = ", ".join(acts[:-1]).capitalize()
    return f"{hidden} hidden layer{'s' if len(acts) > 2 else ''}, {acts[-1]} output"


def prompt_html(question: GradientQuestion) -> str:
    """What is asked, at which example, in which network, and how to write an answer."""
    net = question.net
    inputs = r",\ ".join(
        f"{latex_name(n)} = {_number(v)}"
        for n, v in zip(net.input_names, question.x.ravel(), strict=True)
    )
    targets = r",\ ".join(
        f"{latex_name(n)} = {_number(v)}"
        for n, v in zip(net.target_names, question.t.ravel(), strict=True)
    )
    kinds = {
        "number": "a number",
        "formula": "a formula",
        "chain_rule": "a chain-rule sum such as <code>dA/dB * dB/dC + ...</code>",
    }
    forms = [kinds[k] for k in ("number", "formula", "chain_rule") if k in question.accept]
    forms_text = forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]
    p = html.escape(question.param)
    return "\n".join(
        [
            f'<div class="bpw-prompt-box" data-param="{p}">',
            f'<p class="bpw-question">What is {_math(question.prompt_latex)} at this example?</p>',
            f'<p class="bpw-example">Input {_math(inputs)}; target {_math(targets)}. '
            f"{html.escape(_activations(net))}; {_math('L = ' + loss_latex(net))}.</p>",
            f'<p class="bpw-howto">Answer with {forms_text}, using the names on the '
            "diagram; press <b>Enter</b> or <b>Check</b>."
            + (f" {html.escape(question.tolerance_text)}" if "number" in question.accept else "")
            + "</p>",
            "</div>",
        ]
    )


def _typed_with_mark(text: str, pos: int) -> str:
    """The typed text (clipped around pos) as <code>, with the character at pos marked."""
    line = text.replace("\n", " ").replace("\t", " ")
    pos = max(0, min(pos, len(line)))
    start = max(0, min(pos - SHOWN_CHARS // 2, len(line) - SHOWN_CHARS))
    end = min(len(line), start + SHOWN_CHARS)
    before = ("…" if start else "") + line[start:pos]
    here = line[pos : pos + 1] if pos < len(line) else " "
    after = line[pos + 1 : end] + ("…" if end < len(line) else "")
    return (
        f'<code class="bpw-typed">{html.escape(before)}'
        f'<mark class="bpw-here">{html.escape(here)}</mark>{html.escape(after)}</code>'
    )


def _reason(detail: str) -> str:
    """'I could not read this answer: the answer ends too early ...' -> the reason only."""
    head = detail.split("\n", 1)[0]
    return re.sub(r"^I could not read this answer: ", "", head).rstrip(".")


def preview_html(text: str, fb: Feedback | None) -> str:
    """How the answer being typed is read: its LaTeX, or gently where reading stopped."""
    if not text.strip() or fb is None:
        return (
            '<div class="bpw-preview-box" data-state="empty">'
            '<span class="bpw-preview-label">read as:</span> '
            '<span class="bpw-muted">your answer, as the checker reads it, appears here</span>'
            "</div>"
        )
    if fb.interpreted is not None:
        return (
            '<div class="bpw-preview-box" data-state="read">'
            '<span class="bpw-preview-label">read as:</span> '
            f'<span class="bpw-math">{_math(fb.interpreted, display=True)}</span></div>'
        )
    if fb.position is not None:
        unfinished = fb.position >= len(text.rstrip())
        note = (
            "not finished yet…"
            if unfinished
            else f"reading stops at character {fb.position + 1}: "
            f'<code class="bpw-prose">{html.escape(_reason(fb.message))}</code>'
        )
        return (
            f'<div class="bpw-preview-box" data-state="syntax" data-position="{fb.position}">'
            f'<span class="bpw-preview-label">read as:</span> {_typed_with_mark(text, fb.position)}'
            f' <span class="bpw-muted">{note}</span></div>'
        )
    return (
        '<div class="bpw-preview-box" data-state="unreadable">'
        '<span class="bpw-preview-label">read as:</span> '
        f'<code class="bpw-prose bpw-muted">{html.escape(_reason(fb.message))}</code></div>'
    )


_CODE_PREFIX = re.compile(r"^([^\s:]{1,40}/[^\s:]{1,40}): ")


def _detail_html(detail: str, fb: Feedback, text: str, code: str) -> str:
    head, _, rest = detail.partition("\n")
    head = html.escape(head)
    head = _CODE_PREFIX.sub(lambda m: f"<code>{m.group(1)}</code>: ", head)
    if code == "syntax_error" and fb.position is not None:
        return f"{head}<br>{_typed_with_mark(text, fb.position)}"
    if rest.strip():
        return f"{head}<pre>{html.escape(rest)}</pre>"
    return head


def feedback_html(fb: Feedback, text: str, attempt: int, hints_left: int = 0) -> str:
    """The verdict in colour: green when right, red when wrong, amber when it could not be read.

    ``<div class="bpw-verdict correct|incorrect" data-verdict=...>``; several problems are
    listed one per item.
    """
    if fb.correct:
        tone, title = "correct", "✓ Correct"
    elif fb.kind in _INVALID_KINDS:
        tone, title = (
            "incorrect unreadable",
            ("Nothing to check yet" if fb.kind == "empty" else "? I could not read this answer"),
        )
    else:
        tone, title = "incorrect wrong", "✗ Not yet"
    verdict = "correct" if fb.correct else "incorrect"
    details = fb.details or (fb.message,)
    codes = fb.problems or ("",) * len(details)
    items = [_detail_html(x, fb, text, c) for x, c in zip(details, codes, strict=False)]
    if fb.correct:  # the title already says "Correct"
        message = re.sub(r"^Correct:\s*", "", fb.message)
        body = f"<p>{html.escape(message[:1].upper() + message[1:])}</p>"
    elif len(items) > 1:
        body = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    else:
        body = f"<p>{items[0]}</p>"
    nudge = ""
    if not fb.correct and fb.kind != "empty" and hints_left:
        nudge = (
            f'<p class="bpw-nudge">Stuck? <b>Hint</b> gives a little more each time '
            f"({hints_left} left).</p>"
        )
    count = f'<span class="bpw-attempt">attempt {attempt}</span>' if attempt else ""
    problems = html.escape(" ".join(fb.problems))
    return (
        f'<div class="bpw-verdict {tone}" data-verdict="{verdict}" data-kind="{fb.kind}" '
        f'data-problems="{problems}" role="status">'
        f'<div class="bpw-verdict-title">{title}{count}</div>{body}{nudge}</div>'
    )


def _path_text(path) -> str:
    return " → ".join(html.escape(n) for n in path)


def hints_html(question: GradientQuestion, used: int) -> str:
    """Hints 1..used: which paths there are; one path's factors; the value to reach."""
    cr = question.chain_rule
    p = question.param
    lhs = d(LOSS_NODE, p)
    items = []
    if used >= 1:
        count = cr.path_count
        paths = "path" if count == 1 else "paths"
        if cr.enumerated:
            listed = cr.paths[:PATHS_LISTED]
            more = f" and {count - len(listed)} more" if count > len(listed) else ""
            firsts = list(dict.fromkeys(path[1] for path in cr.paths))
            shared = (
                f" {html.escape(p)} is used by {len(firsts)} nodes "
                f"({', '.join(html.escape(n) for n in firsts)}): each use starts its own paths."
                if len(firsts) > 1
                else ""
            )
            route = "".join(f"<li><code>{_path_text(path)}</code></li>" for path in listed)
            items.append(
                f"There {'is' if count == 1 else 'are'} {count} {paths} from "
                f"{html.escape(p)} to L:<ul>{route}</ul>{more}{shared} "
                "Write one product of local derivatives per path, and add the products."
            )
        else:
            items.append(
                f"There are {count} paths from {html.escape(p)} to L, too many to write out. "
                "Backprop never lists them: it gives each neuron one delta, "
                "&delta; = &part;L/&part;neuron."
            )
    if used >= 2:
        if cr.enumerated:
            path, term = cr.paths[0], cr.terms[0]
            product = " ".join(f.latex() for f in term)
            items.append(
                f"Along <code>{_path_text(path)}</code> the product is "
                f"{_math(product, display=True)}: one factor per step, each the derivative of a "
                "node by the node (or parameter) just before it. "
                + ("The other paths work the same way." if cr.path_count > 1 else "")
            )
        else:
            firsts = cr.graph.parameter_targets(p)
            sum_ = " + ".join(rf"{d(n, p)} \, {delta_symbol(n)}" for n, _ in firsts)
            items.append(
                f"Grouped by the first node after {html.escape(p)}: "
                f"{_math(f'{lhs} = {sum_}', display=True)}"
            )
    if used >= 3:
        close = (
            f"{html.escape(question.tolerance_text)} But try to find the sum that gives it."
            if "number" in question.accept
            else "A number alone does not count here: find the sum that gives it."
        )
        value = numbers.latex(question.expected, 6)
        items.append(f"At this example {_math(f'{lhs} = {value}', display=True)}. {close}")
    if not items:
        return ""
    body = "".join(f'<li data-hint="{i + 1}">{item}</li>' for i, item in enumerate(items))
    return f'<div class="bpw-hints" data-hints="{used}"><b>Hints</b><ol>{body}</ol></div>'


def solution_html(question: GradientQuestion) -> str:
    """The explorer's full expansion of dL/dp, and the same sum as one would type it."""
    typed = html.escape(question.solution())
    return (
        '<div class="bpw-solution-box"><p class="bpw-gave-up">The solution '
        "(this exercise now counts as given up; you can still check answers).</p>"
        f"{panel_html(question.chain_rule)}"
        f'<p>As you would type it:</p><pre class="bpw-typed">{typed}</pre></div>'
    )
