"""A question about one quantity of one network, its reader and judge, and the Feedback on an answer."""

from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from numbers import Real

import numpy as np

from ..core import validation
from ..core.graph import Graph
from . import graph_variants, hints, variants
from .chain_graph import Problem
from .formula import FormulaError, agrees, evaluate, make_draws, make_graph_draws, rounds_to
from .latex import to_latex
from .layer_reader import read_layers
from .leibniz import MAX_FACTORS, MAX_TERMS, Extent, TooManyTerms, expand
from .notation import expand_index_sums, read_generic
from .parser import Name, Partial, parse, walk
from .tokens import AnswerSyntaxError, normalize
from .vocabulary import CONSTANTS, Entry, Vocabulary

KINDS = ("number", "chain_rule", "formula")
MAX_LENGTH = 10_000  # characters; far above any real answer, and checked in well under 1 s
MAX_LISTED = 12  # problems described in one Feedback
MAX_MESSAGE_CHARS = 600  # a message is a few lines: the problems after those that fit are counted

NOT_FINITE = (
    "This is not a finite number: computing it overflows to infinity (or has no value). "
    "A gradient is an ordinary finite number."
)
GRAPH_KINDS = ("parameter", "input", "net", "neuron", "loss", "operation")
_KIND_SHORT = {"number": "a number", "chain_rule": "a chain-rule sum", "formula": "a formula"}
_KIND_WORDS = {
    "number": "a number",
    "chain_rule": "a chain-rule sum of products of factors d(node)/d(node or parameter)",
    "formula": "a formula in the network's quantities",
}


@dataclass(frozen=True)
class Feedback:
    """What the checker made of one answer.

    Attributes
    ----------
    correct : bool
    message : str
        Plain words for the student: what is right or the first things that are wrong.
    interpreted : str or None
        LaTeX of how the answer was read (None when it could not be read).
    kind : {"number", "chain_rule", "formula", "empty", "invalid"}
    problems : tuple of str
        Machine-readable codes, most important first (see the package docstring).
    details : tuple of str
        One plain message per problem, in the same order.
    position : int or None
        For a syntax error, the 0-based index in the typed text where reading failed.
    value : float or None
        The answer's value at the question's parameters, when it has one.
    expected : float or None
        dL/dp at the question's parameters.
    """

    correct: bool
    message: str
    interpreted: str | None = None
    kind: str = "invalid"
    problems: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    position: int | None = None
    value: float | None = None
    expected: float | None = None

    def __str__(self) -> str:
        return self.message


class Question:
    """A question about one quantity of one network at one example, and its checker.

    The subclasses say what is asked: :class:`GradientQuestion` (dL/dw1), and in
    :mod:`.steps` the other steps of the worked example (a net input or an activation, the
    loss, a delta, a parameter after one SGD step). All share the reader, the tolerance rule,
    the formula judge and the verified hints; only a gradient takes chain-rule sums.

    Parameters
    ----------
    net : Network or Graph
        Copied: later changes to ``net`` do not change the question. Any computation graph
        (``bw.expression(...)``, ``bw.trace(...)``, ``bw.Graph(value)``) asks about that
        graph at its leaves' values (``x`` and ``t`` are then not given, :attr:`net` is
        None and :attr:`graph` is the graph); a network's graph (``net.graph(x, t)``) is
        its network's question at its example.
    x, t : array-like
        One input and its target (a network's question only).
    asked : Asked
        The quantity (see :mod:`.asked`).
    rtol, sig_figs, accept, draws, seed
        As for :class:`GradientQuestion`; ``accept`` defaults to the kinds of answer the
        quantity takes.
    """

    def __init__(
        self,
        net,
        x,
        t,
        asked,
        *,
        rtol: float = 1e-3,
        sig_figs: int | None = None,
        accept=None,
        draws: int = 5,
        seed: int = 0,
    ):
        rtol = validation.real_number(rtol, "rtol", low=0, high=1, open_low=True)
        sig_figs = validation.integer(sig_figs, "sig_figs", 1, at_most=15, allow_none=True)
        kinds = asked.answer_kinds
        accept = kinds if accept is None else accept
        accept = (accept,) if isinstance(accept, str) else tuple(accept)
        if not accept or any(kind not in kinds for kind in accept):
            raise validation.fail("accept", f"some of {', '.join(kinds)}", accept)
        draws = validation.integer(draws, "draws", 0, at_most=100)
        seed = validation.seed(seed)
        graph, net, x, t = graph_of(net, x, t)
        self.net = None if net is None else net.copy()
        self.x = None if graph is not None else _vector(x, "x")
        self.t = None if graph is not None else _vector(t, "t")
        self.asked = asked
        self.rtol = float(rtol)
        self.sig_figs = sig_figs
        self.accept = accept
        self.draws = draws
        self.seed = seed
        self._options = {"rtol": rtol, "sig_figs": sig_figs, "accept": accept, "draws": draws,
                         "seed": seed}  # fmt: skip
        if graph is not None:  # any computation graph: one level, its leaves' values
            self._neuron = self._pre = graph
            self.vocabulary = Vocabulary(None, graph)
            self._draws = make_graph_draws(graph, asked, draws, seed)
        else:
            self._neuron = self.net.graph(self.x, self.t, level="neuron")
            self._pre = self._neuron.both_levels("pre-activation")  # one snapshot, both levels
            self.vocabulary = Vocabulary(self.net, self._pre)
            # Formulas are judged at these draws, and a hint about a number is confirmed at
            # them; made once, so that checking stays fast.
            self._draws = make_draws(self.net, self.x, self.t, asked, draws, seed)
        self.graph = self._neuron  # the graph the question is about
        self.expected = self._draws[0].expected
        self._slips = asked.slips(self._draws)

    # ------------------------------------------------------------ describing
    @property
    def prompt(self) -> str:
        """The quantity asked for, as text: ``dL/dw1``, ``net_h1``, ``w5+``."""
        return self.asked.text

    @property
    def prompt_latex(self) -> str:
        return self.asked.latex

    @property
    def note(self) -> str:
        """What the prompt must add for the question to be unambiguous (a convention, an lr)."""
        return self.asked.note()

    @property
    def tolerance_text(self) -> str:
        """The one rule a number is judged by, as the prompt states it."""
        if self.sig_figs is not None:
            return (
                f"A number counts when it is correctly rounded to {self.sig_figs} significant "
                "figures (or more)."
            )
        return (
            f"A number counts when it is within {self.rtol * 100:g} % of the exact value, or "
            f"correctly rounded to {self._min_sig_figs} significant figures or more."
        )

    @property
    def _min_sig_figs(self) -> int:
        """The figures that match rtol: 3 for 0.1 %, whatever the leading digit."""
        return max(1, math.ceil(-math.log10(self.rtol) - 1e-9))

    def number_counts(self, value: float) -> bool:
        """Whether a typed number is right under :attr:`tolerance_text`."""
        if self.sig_figs is None and agrees(value, self.expected, self.rtol):
            return True
        return rounds_to(value, self.expected, self.sig_figs or self._min_sig_figs)

    def solution(self) -> str:
        """How the value is found, and the value, for an instructor or a 'show answer' button."""
        steps = self.asked.explain(self._pre)[:-1]
        return " ".join([*steps, f"{self.prompt} = {self.expected:.9g}"])

    def hints(self) -> list[str]:
        """From the idea to the value, plain text, one hint at a time."""
        return self.asked.explain(self._pre)

    def variant(self, student: str):
        """The same question with this student's own numbers (see :mod:`.variants`).

        Deterministic: the autograder rebuilds the same variant from the same id. A question
        on a computation graph gets new values for its leaves (see :mod:`.graph_variants`).
        """
        if self.net is None:
            return self._rebuilt(graph_variants.graph_for(self, student), None, None)
        net, x, t = variants.numbers_for(self, student)
        return self._rebuilt(net, x, t)

    def _rebuilt(self, net, x, t):
        raise NotImplementedError

    def __repr__(self) -> str:
        if self.net is None:
            g = self.graph
            leaves = [n for n in (*g.node_names, *g.parameter_names)
                      if g.kind(n) in ("input", "parameter")]  # fmt: skip
            at = ", ".join(f"{n}={g.value(n):g}" for n in leaves)
            return f"<{type(self).__name__} {self.prompt} at {at}>"
        return f"<{type(self).__name__} {self.prompt} at x={self.x.tolist()}, t={self.t.tolist()}>"

    # ------------------------------------------------------------ checking
    def check(self, answer) -> Feedback:
        """Read and judge one typed answer. Never raises: every input gets a Feedback."""
        try:
            with _collector_paused():
                return self._check(answer)
        except Exception as exc:  # the contract: a typed answer never raises
            return self._wrong(
                "invalid",
                "internal_error",
                f"Sorry, this answer could not be checked ({type(exc).__name__}). "
                "Please tell your instructor.",
            )

    def assert_correct(self, answer) -> Feedback:
        """For autograder tests: raise AssertionError with the feedback when wrong."""
        fb = self.check(answer)
        if not fb.correct:
            raise AssertionError(fb.message)
        return fb

    def read(self, answer) -> Feedback:
        """How an answer is read, without judging it: one parse, for a live preview.

        ``interpreted`` holds the LaTeX (or ``position`` the place reading stopped); nothing
        is evaluated, so this stays fast on every keystroke. Never raises.
        """
        try:
            with _collector_paused():
                sides = self._sides(answer)
                if isinstance(sides, Feedback):
                    return sides
                interpreted = " = ".join(to_latex(side, self._shown_name) for side in sides)
                return self._feedback("read", [], interpreted, message="")
        except Exception as exc:  # the contract: a typed answer never raises
            return self._wrong(
                "invalid", "internal_error", f"Could not read ({type(exc).__name__})."
            )

    def _check(self, answer) -> Feedback:
        sides = self._sides(answer)
        if isinstance(sides, Feedback):
            return sides
        if len(sides) > 1:
            problem = self._left_side_problem(sides[0])
            if isinstance(problem, Feedback):
                return problem
            if problem is None:  # the question written out before '='
                sides = sides[1:]
        judged: set[str] = set()
        for side in sides:  # every side of a = b = c must be right
            shown = to_latex(side) if len(sides) > 1 else ""
            if shown in judged:  # a side written again gets the same verdict: judge it once
                continue
            judged.add(shown)
            feedback = self._judge(side)
            if not feedback.correct:
                break
        return feedback

    def _sides(self, answer):
        """The parsed sides of an answer, or the Feedback for one that cannot be read."""
        if answer is None:
            answer = ""
        if isinstance(answer, bool) or not isinstance(answer, (str, Real)):
            kind = type(answer).__name__
            return self._wrong(
                "invalid", "not_text", f"An answer is text (or a number); got {kind}."
            )
        if isinstance(answer, Real):
            try:
                answer = repr(float(answer))
            except OverflowError:
                answer = "inf"
            if answer in ("inf", "-inf", "nan"):
                return self._wrong("number", "not_finite", NOT_FINITE)
        if not normalize(answer)[0].strip():  # blank, or only invisible marks
            return self._wrong(
                "empty",
                "empty",
                "Type an answer: a number, a formula, or a chain-rule sum of factors "
                "such as dA/dB.",
            )
        if len(answer) > MAX_LENGTH:
            return self._wrong(
                "invalid",
                "too_long",
                f"This answer is {len(answer)} characters long; answers may have at most "
                f"{MAX_LENGTH}.",
            )
        try:
            sides = parse(answer, self.vocabulary.keys)
        except AnswerSyntaxError as err:
            return self._wrong(
                "invalid",
                "syntax_error",
                f"I could not read this answer: {err.message}.\n{_caret(answer, err.position)}",
                position=err.position,
            )
        return sides

    def _left_side_problem(self, side):
        """None when side is the asked quantity's name (then dropped), False otherwise."""
        if isinstance(side, Name) and side.key in self.asked.left_sides(self._pre):
            return None
        entry = self.vocabulary.resolve(side.text) if isinstance(side, Name) else None
        if entry is not None and entry.name in self.asked.left_sides(self._pre):
            return None
        return False

    def _is_delta(self, name: Name) -> bool:
        entry = self.vocabulary.resolve(name.text)
        return entry is not None and entry.kind == "delta"

    def _judge(self, node) -> Feedback:
        """The verdict on one side, after the notations that need the network are read."""
        notes: list[str] = []
        # a network's notations (Σ over a layer, a generic f at a net input); no graph has them
        readers = (read_layers, expand_index_sums, read_generic) if self.net is not None else ()
        # CS231n's dq and Goodfellow's J and ∇ are read on any graph, layers on a network
        for read in readers or (read_layers,):
            if read is read_layers:
                read = partial(read_layers, param=getattr(self.asked, "param", None))
            reading = read(node, self.vocabulary, self.net)
            if reading.problem is not None:
                shown = to_latex(node, self._shown_name)
                return self._feedback("formula", [reading.problem], shown)
            node = reading.node
            notes += reading.notes
        feedback = self._judge_read(node)
        if notes:  # say how the textbook's notation was read
            feedback = replace(feedback, message="\n".join([feedback.message, *notes[:3]]))
        return feedback

    def _judge_read(self, node) -> Feedback:
        try:
            takes_sums = "chain_rule" in self.asked.answer_kinds
            terms = expand(node, self._is_delta) if takes_sums else None
        except TooManyTerms as err:
            return self._wrong("chain_rule", "too_many_terms", _too_big_message(err.extent))
        names: dict[str, None] = {}  # each name written, once, in order
        partials = []
        for n in walk(node):
            if isinstance(n, Name):
                names[n.text] = None
            elif isinstance(n, Partial):
                partials.append(n)
        written = dict.fromkeys([*names, *(p.num.text for p in partials)])
        written.update(dict.fromkeys(p.den.text for p in partials))
        resolve, two_readings = self.vocabulary.resolve, self.vocabulary.two_readings
        # a name the network lacks but that could be one of two of its quantities (y: the
        # target or the output) is asked about, not called unknown
        unresolved = [text for text in written if resolve(text) is None]
        unknown = [text for text in unresolved if not two_readings(text)]
        if terms is not None:
            kind = "chain_rule"
        elif partials or unresolved or any(resolve(text).kind != "constant" for text in names):
            kind = "formula"
        else:
            kind = "number"
        interpreted = to_latex(node, self._shown_name)
        if unknown:
            problems = [
                Problem("unknown_name", self.vocabulary.unknown_message(_clip(text)))
                for text in unknown[:3]
            ]
            return self._feedback(kind, problems, interpreted)
        # E on its own (not in dE/dw1, where it can only be the loss); y anywhere
        asked = [two_readings(t) for t in written if t in names or resolve(t) is None]
        if any(asked):  # a question, not a verdict: neither right nor wrong yet
            question = next(q for q in asked if q)
            return self._feedback(kind, [Problem("ambiguous_name", question)], interpreted)
        if kind not in self.accept:
            wanted = " or ".join(_KIND_WORDS[k] for k in self.accept)
            return self._wrong(
                kind,
                "kind_not_accepted",
                f"This question asks for {wanted}, not {_KIND_SHORT[kind]}.",
                interpreted,
            )
        if kind == "chain_rule":
            return self._judge_chain(terms, interpreted)
        if kind == "formula":
            return self._judge_formula(node, partials, interpreted)
        return self._judge_number(node, interpreted)

    # ------------------------------------------------------------ the three kinds
    def _judge_number(self, node, interpreted) -> Feedback:
        try:
            value = evaluate(node, self._constant, _no_partial)
        except FormulaError as err:
            return self._wrong(
                "number", err.code, f"This has no value: {err.message}.", interpreted
            )
        if not math.isfinite(value):
            return self._wrong("number", "not_finite", NOT_FINITE, interpreted, value=value)
        if self.number_counts(value):
            return self._right(
                "number",
                f"Correct: {self.prompt} = {self.expected:.9g}; your {value:.9g} "
                + (
                    f"is within {self.rtol * 100:g} % of it."
                    if agrees(value, self.expected, self.rtol) and self.sig_figs is None
                    else "is correctly rounded."
                ),
                interpreted,
                value,
            )
        problem = self._guess([value], f"Not quite: {value:.6g} is not")
        return self._feedback("number", [problem], interpreted, value=value)

    def _conventions(self, deltas: list[str]) -> tuple[str, ...]:
        """The delta conventions worth trying: both only where they name different numbers."""
        graph = self._pre
        nodes = [self.vocabulary.resolve(d).node for d in deltas]
        if any(graph.net_input_of(n) for n in nodes):
            return ("node", "net")
        return ("node",)

    def _convention_note(self, deltas, convention: str, verdicts) -> str:
        """How the deltas were read, and whether the other reading disagrees."""
        graph = self._pre
        nodes = [self.vocabulary.resolve(d).node for d in deltas]
        nodes = [n for n in dict.fromkeys(nodes) if graph.net_input_of(n)]
        if not nodes:
            return ""
        node = nodes[0]
        net_input = graph.net_input_of(node)
        symbol = f"delta_{node}"
        readings = {
            "node": (f"dL/d{node}", "the delta of the node, this package's convention"),
            "net": (f"dL/d{net_input}", "the delta of the net input, Mazur's and Nielsen's"),
        }
        read, words = readings[convention]
        other = "net" if convention == "node" else "node"
        other_read, other_words = readings[other]
        values = {c: graph.delta(node, c) for c in ("node", "net")}
        text = f"{symbol} is read as {read} ({words})."
        if other in verdicts and verdicts[other].correct != verdicts[convention].correct:
            text += (
                f" The conventions disagree here: as {other_read} ({other_words}) it is "
                f"{values[other]:.6g}, not {values[convention]:.6g}, and the answer would be "
                f"{'right' if verdicts[other].correct else 'wrong'}."
            )
        elif other not in verdicts:
            text += f" (As {other_read}, {other_words}, it would be {values[other]:.6g}.)"
        return text

    def _partial_problem(self, num, den):
        """None when d num / d den may stand in a formula: an edge, or a total of L."""
        if num.kind in ("loss", "loss_share") and den.kind in GRAPH_KINDS:
            return None
        try:
            self._pre.derivative(num.name, den.name)
        except KeyError:
            return Problem(
                "not_an_edge",
                f"d{num.name}/d{den.name} is not one step of the graph and not a derivative of L.",
            )
        return None

    def _use_problem(self, entry: Entry, den: Entry | None = None) -> Problem | None:
        """A name (or a derivative d entry / d den) that gives the answer away, as a Problem."""
        message = self.asked.use_problem(entry, den, self._pre)
        return None if message is None else Problem("restates_the_question", message)

    def _formula_values(self, node, convention: str):
        """The formula's value at each draw (nan where it has none), or the Feedback for
        a formula with no value at the question's own parameters."""
        resolve = self.vocabulary.resolve
        values = []
        for draw in self._draws:
            try:
                value = evaluate(
                    node,
                    _remembered(lambda n, d=draw: d.value(resolve(n.text), convention)),
                    lambda p, d=draw: d.partial(resolve(p.num.text), resolve(p.den.text)),
                )
            except FormulaError as err:
                if not values:  # at the question's own parameters
                    message = f"This has no value here: {err.message}."
                    return self._wrong("formula", err.code, message)
                value = math.nan
            values.append(value)
        return values

    def _formula_holds(self, values) -> bool:
        """At the question's values within rtol, and exactly (1e-6) at every other draw."""
        exact = min(self.rtol, 1e-6)
        return all(
            agrees(v, d.expected, exact if k else self.rtol)
            for k, (v, d) in enumerate(zip(values, self._draws, strict=True))
        )

    def _judge_formula(self, node, partials, interpreted) -> Feedback:
        resolve = self.vocabulary.resolve
        problems = []
        for num_text, den_text in dict.fromkeys((p.num.text, p.den.text) for p in partials):
            num, den = resolve(num_text), resolve(den_text)
            problem = self._partial_problem(num, den) or self._use_problem(num, den)
            if problem is not None:
                problems.append(problem)
        for name in dict.fromkeys(n.text for n in walk(node) if isinstance(n, Name)):
            problem = self._use_problem(resolve(name))
            if problem is not None:
                problems.append(problem)
        if problems:
            # one message per problem, however many names make it (E_o1 and E_o2)
            problems = list({p.message: p for p in problems}.values())
            return self._feedback("formula", problems, interpreted)
        draws = self._draws
        deltas = [n.text for n in walk(node) if isinstance(n, Name) and self._is_delta(n)]
        conventions = self._conventions(deltas)
        tried = {}
        for convention in conventions:  # a delta may be meant in either convention
            values = tried[convention] = self._formula_values(node, convention)
            if isinstance(values, Feedback) or self._formula_holds(values):
                break
        else:
            convention = conventions[0]
            values = tried[convention]  # each reading is evaluated once
        if isinstance(values, Feedback):
            return replace(values, interpreted=interpreted)
        note = self._convention_note(deltas, convention, {}) if deltas else ""
        note = "\n" + note if note else ""  # a graph's deltas have one reading: nothing to say
        value = values[0]
        if not math.isfinite(value):
            return self._wrong("formula", "not_finite", NOT_FINITE, interpreted, value=value)
        if not agrees(value, self.expected, self.rtol):
            lead = f"Your formula gives {value:.6g} here, which is not"
            problem = self._guess(values, lead)
            problems = [problem]
            if problem.code == "wrong_value":  # no slip explains the value: read its structure
                problems = self._structure_problems(node, convention, lead) or problems
            problems += [Problem("delta_convention", note.strip())] if note else []
            return self._feedback("formula", problems, interpreted, value=value)
        tol = min(self.rtol, 1e-6)
        for draw, v in zip(draws[1:], values[1:], strict=True):
            if not agrees(v, draw.expected, tol):
                return self._wrong(
                    "formula",
                    "matches_only_here",
                    f"Your formula gives the right value for these {self._numbers[0]}, but not for "
                    f"others: with other {self._numbers[1]} it gives {v:.6g} where "
                    f"{self.prompt} is {draw.expected:.6g}. A formula must hold whatever the "
                    f"{self._numbers[0]} are; a number typed in place of a quantity only fits "
                    "these values.",
                    interpreted,
                    value=value,
                )
        others = (
            f" and at {len(draws) - 1} other random choices of the {self._numbers[1]}"
            if len(draws) > 1
            else ""
        )
        return self._right(
            "formula",
            f"Correct: your formula equals {self.prompt} here ({value:.9g}){others}.{note}",
            interpreted,
            value,
        )

    def _structure_problems(self, node, convention: str, lead: str) -> list[Problem] | None:
        """What a marker would circle in a wrong formula (see :mod:`.structure`), or None
        where its structure is not recognised; a question that has no structure to read
        (a loss, a delta, an update) keeps the value-based diagnosis."""
        return None

    def _values_at_draws(self, node, convention: str) -> np.ndarray:
        """A formula's (or a part's) value at every draw; FormulaError where it has none."""
        resolve = self.vocabulary.resolve
        return np.array(
            [
                evaluate(
                    node,
                    _remembered(lambda n, d=draw: d.value(resolve(n.text), convention)),
                    lambda p, d=draw: d.partial(resolve(p.num.text), resolve(p.den.text)),
                )
                for draw in self._draws
            ]
        )

    # ------------------------------------------------------------ helpers
    @property
    def _numbers(self) -> tuple[str, str]:
        """What a formula must hold for: (these ..., other ...)."""
        if self.net is None:
            return "values", "leaves' values"
        return "weights", "weights, inputs and targets"

    def _guess(self, values: list[float], lead: str) -> Problem:
        """The slip behind a wrong value, verified at the draws; lead + ' dL/dp.' starts it.

        ``values``: a number's one value, or a formula's value at each draw.
        """
        base = self.asked.base(self._draws[0])
        problem = hints.diagnose(values, self._draws, self._slips, self.prompt, self.rtol, base)
        message = f"{lead} {self.prompt}."
        if problem.code != "wrong_value" or "happens to equal" in problem.message:
            message += " " + problem.message.removeprefix(f"This is not {self.prompt}. ")
        return Problem(problem.code, message)

    def _constant(self, name: Name) -> float:
        """A name inside a plain number can only be a constant (pi, e)."""
        return CONSTANTS[self.vocabulary.resolve(name.text).name]

    def _shown_name(self, text: str) -> str:
        entry = self.vocabulary.resolve(text)
        return entry.name if entry is not None else text

    def _right(self, kind: str, message: str, interpreted: str, value: float) -> Feedback:
        return self._feedback(kind, [], interpreted, message=message, value=value)

    def _wrong(self, kind: str, code: str, message: str, interpreted=None, **extra) -> Feedback:
        return self._feedback(kind, [Problem(code, message)], interpreted, **extra)

    def _feedback(
        self, kind, problems, interpreted=None, *, message=None, position=None, value=None
    ) -> Feedback:
        problems = problems[:MAX_LISTED]
        if message is None:  # the first problems that fit in a few lines; details has all
            shown = [p.message for p in problems[:3]]
            room = MAX_MESSAGE_CHARS - len("\n(and 12 more)")
            while len(shown) > 1 and len("\n".join(shown)) > room:
                shown.pop()
            message = "\n".join(shown)
            if len(problems) > len(shown):
                message += f"\n(and {len(problems) - len(shown)} more)"
        return Feedback(
            correct=not problems,
            message=message,
            interpreted=interpreted,
            kind=kind,
            problems=tuple(p.code for p in problems),
            details=tuple(p.message for p in problems),
            position=position,
            value=value,
            expected=self.expected,
        )


@contextmanager
def _collector_paused():
    """Python's cycle collector paused while one answer is read and judged.

    A long answer makes up to ~100,000 small objects (tokens, tree nodes, strings), none of
    them in a reference cycle; each 700 allocations start a collection, and every so often
    a full one walks every object of the kernel, which in a notebook with data loaded costs
    far more than reading the answer (a third of a 10,000-character preview's time here).
    The objects are freed by reference counting as usual; a collection runs after, as due.
    """
    if not gc.isenabled():  # paused by the caller, or by another thread's check
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _too_big_message(size: Extent) -> str:
    """Why an expansion is refused: too many terms, or products far longer than a path."""
    if size.terms > MAX_TERMS:
        return (
            f"This sum has more than {MAX_TERMS} terms once the brackets are multiplied "
            "out; write the sum over paths more directly."
        )
    return (
        f"Multiplied out, this answer has {size.terms:,} products of up to {size.longest:,} "
        f"factors ({size.factors:,} factors in all, more than the {MAX_FACTORS:,} read): a "
        "chain-rule product has one factor per step of its path, so write one short product "
        "per path."
    )


def _remembered(value_of):
    """value_of(name), looked up once per name text: a long formula repeats its names."""
    known: dict[str, float] = {}

    def value(name) -> float:
        found = known.get(name.text)
        if found is None:
            found = known[name.text] = value_of(name)
        return found

    return value


def _no_partial(node) -> float:
    raise FormulaError("syntax_error", "a derivative cannot stand in a plain number")


def graph_of(net, x, t):
    """(graph, net, x, t): a computation graph alone (net, x and t None), or a network's
    question's network and example (graph None; a network's graph gives its own)."""
    if not isinstance(net, Graph):
        return None, net, x, t
    if net.net is not None:  # a network's graph: its network, at its example
        return None, net.net, net.x if x is None else x, net.t if t is None else t
    if x is not None or t is not None:
        raise validation.fail(
            "x and t", "None for a computation graph (its leaves have their values)", (x, t)
        )
    return net, None, None, None


def _vector(values, argname: str) -> np.ndarray:
    vector = validation.float_array(values, argname)
    validation.check_finite(vector, argname)
    return vector


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _caret(text: str, pos: int, width: int = 60) -> str:
    """The text around pos with a caret under it."""
    line = text.replace("\n", " ").replace("\t", " ")
    start = max(0, min(pos - width // 2, len(line) - width))
    end = min(len(line), start + width)
    before = "…" if start > 0 else ""
    after = "…" if end < len(line) else ""
    return f"  {before}{line[start:end]}{after}\n  {' ' * (len(before) + pos - start)}^"
