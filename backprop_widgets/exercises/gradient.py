"""dL/dw for one parameter: the question that takes chain-rule sums.

:class:`GradientQuestion` adds to :class:`~.question.Question` what only a gradient has: the
core's chain rule for the parameter, the judge of chain-rule sums (:mod:`.leibniz`), deltas in
either convention inside them, and the totals a formula may use.
"""

from __future__ import annotations

from ..core import numbers as fmt
from ..core import validation
from ..core.chain_rule import LEVELS, LOSS_NODE
from ..core.errors import BackpropInputError
from ..core.graph import Graph
from . import structure
from .asked import Gradient
from .chain_graph import ChainGraph, Problem, path_text
from .chain_problems import check_factor, total_problem
from .layers import gradient_of, upstream
from .leibniz import judge
from .parser import Name, Partial
from .question import GRAPH_KINDS, KINDS, Feedback, Question, graph_of
from .vocabulary import Entry


class GradientQuestion(Question):
    """Ask for dL/dp of one parameter at one example; check typed answers.

    Parameters
    ----------
    net : Network or Graph
        Copied: later changes to ``net`` do not change the question. Any computation graph
        (``bw.expression``, ``bw.trace``, ``bw.Graph(value)``) asks for d(end)/d(node) at its
        leaves' values: ``GradientQuestion(graph, "x")``; a network's graph
        (``net.graph(x, t)``) is its network's question at its example.
    param : str
        The parameter asked about, such as ``"w1"``; on a graph, any node but the end
        (a leaf such as ``"x"``, or an intermediate node).
    x, t : array-like
        One input and its target (a network's question only).
    rtol : float
        Relative tolerance for a number (default 0.1 %). A number correctly rounded to at
        least 3 significant figures also counts, whatever its leading digit.
    sig_figs : int or None
        Ask instead for the value correctly rounded to this many significant figures (or
        more); ``rtol`` then applies to formulas only. See :attr:`tolerance_text`.
    level : {None, "neuron", "pre-activation"}
        For chain-rule answers: None accepts either level and mixtures; a level reports
        factors of the other level as ``wrong_level``. A graph has one level: None.
    accept : tuple of str
        Which kinds of answer count: any of "number", "chain_rule", "formula".
    draws : int
        Extra random draws of parameters, input and target at which a formula must agree
        (made once, when the question is built).
    seed : int
        Seed for those draws (the verdict on an answer never changes).
    full_expansion : bool
        Ask for the chain written out to local derivatives: a correct answer that keeps a
        total (dL/dh1, delta_h1) is then "right so far" (``expand_further``), not correct.

    Examples
    --------
    >>> import backprop_widgets as bw
    >>> net, x, t = bw.presets.mazur()
    >>> q = GradientQuestion(net, "w1", x, t)
    >>> q.check("dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)").correct
    True
    >>> q.check("0.000438568").correct
    True
    >>> q.check("dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2").problems[0]
    'parameter_as_function'

    Any computation graph, CS231n's circuit:

    >>> g = bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
    >>> q = GradientQuestion(g, "x")
    >>> q.check("dq/dx * df/dq").correct, q.check("z").correct, q.check("-4").correct
    (True, True, True)
    >>> print(q.check("dq/dx * dz/dq * df/dz").details[0])
    z is an input: nothing flows into it, so dz/dq is not a step of the graph. ...
    """

    def __init__(
        self,
        net,
        param: str,
        x=None,
        t=None,
        *,
        rtol: float = 1e-3,
        sig_figs: int | None = None,
        level: str | None = None,
        accept=KINDS,
        draws: int = 5,
        seed: int = 0,
        full_expansion: bool = False,
    ):
        graph, network, _, _ = graph_of(net, x, t)
        end = LOSS_NODE
        if graph is not None:
            _check_node(graph, param)
            end = graph.end
            if level is not None:
                raise BackpropInputError(
                    f"level must be None for a computation graph (it has one level); got {level!r}"
                )
        elif param not in network.parameter_names:
            network.parameter_info(param)  # raises the core's 'unknown parameter' error
        level = validation.one_of(level, LEVELS, "level", allow_none=True)
        full_expansion = validation.flag(full_expansion, "full_expansion")
        super().__init__(
            net, x, t, Gradient(param, end), rtol=rtol, sig_figs=sig_figs, accept=accept,
            draws=draws, seed=seed,
        )  # fmt: skip
        self.param = param
        self.level = level
        self.full_expansion = full_expansion
        self._options |= {"level": level, "full_expansion": full_expansion}
        graph = self._pre if level == "pre-activation" else self._neuron
        self.chain_rule = graph.chain_rule(param)
        self._graph = ChainGraph(self.net, self._neuron, self._pre, param)
        self._end = self._pre.end

    def _rebuilt(self, net, x, t) -> GradientQuestion:
        return GradientQuestion(net, self.param, x, t, **self._options)

    def solution(self) -> str:
        """The sum over paths and its value, for an instructor or a 'show answer' button."""
        text = (
            self.chain_rule.text() if self.chain_rule.enumerated else self.chain_rule.delta_text()
        )
        return f"{self.prompt} = {text} = {self.expected:.9g}"

    def hints(self) -> list[str]:
        """Which paths there are, one path's factors, the value: plain text."""
        cr = self.chain_rule
        count = f"{cr.path_count} path{'s' if cr.path_count != 1 else ''}"
        first = [f"{self.prompt} adds one product of local derivatives for each of the {count} "
                 f"from {self.param} to {self._end}."]  # fmt: skip
        if cr.enumerated:
            first.append(
                f"Along {path_text(cr.paths[0])}: {' * '.join(f.text() for f in cr.terms[0])}."
            )
        else:
            first.append(f"Backprop's form: {cr.delta_text().splitlines()[0]}.")
        first.append(f"Here {self.prompt} = {fmt.plain(self.expected, 6)}.")
        return first

    def _left_side_problem(self, side):
        """dL/dw1 = ... (or CS231n's dw1 = ...): None when side is the question written out,
        a Feedback when it names another parameter, False when it is not a left side at all."""
        den = self._left_side(side)
        if den is None:
            return False
        if den != self.param:
            typed = (
                f" (CS231n's {side.text})"
                if isinstance(side, Name) and "^" not in side.text
                else ""
            )
            return self._wrong(
                "invalid",
                "wrong_parameter",
                f"The left side is d{self._end}/d{den}{typed}, but the question asks for "
                f"{self.prompt}.",
            )
        return None

    def _left_side(self, node) -> str | None:
        """The parameter p of a side that reads dL/dp, or CS231n's dp on a network; else None."""
        if isinstance(node, Name) and self.net is not None:
            name = gradient_of(node.text, self.vocabulary, self.net)
            kind = self.vocabulary.resolve(name).kind if name is not None else None
            return name if kind == "parameter" else None
        if isinstance(node, Name):  # a graph's dx = ...: CS231n's ∂f/∂x, any node but f
            if self.vocabulary.resolve("d") is not None:
                return None  # dx could be d·x: the reader asks
            return upstream(node.text, self.vocabulary)
        if not isinstance(node, Partial):
            return None
        num = self.vocabulary.resolve(node.num.text)
        den = self.vocabulary.resolve(node.den.text)
        if (
            num is not None
            and den is not None
            and num.name == self._end
            and (den.kind == "parameter" or (self.net is None and den.name == self.param))
        ):
            return den.name
        return None

    def _factor(self, factor, convention: str) -> tuple[Entry, Entry]:
        """A factor as (numerator, denominator) entries; a delta as dL/d(node or net input)."""
        resolve = self.vocabulary.resolve
        if isinstance(factor, Partial):
            return resolve(factor.num.text), resolve(factor.den.text)
        graph = self._pre
        node = resolve(factor.text).node
        if convention == "net":
            node = graph.net_input_of(node) or node
        return Entry(self._end, "loss"), Entry(node, graph.kind(node))

    def _partial_problem(self, num, den):
        if num.kind in ("loss", "loss_share") and den.kind in GRAPH_KINDS:
            return total_problem(num, den, self._graph)
        return check_factor(num, den, [], self._graph)

    def _structure_problems(self, node, convention, lead):
        paths = self._graph.paths["pre-activation"]
        found = structure.diagnose_gradient(
            node,
            self.param,
            self._draws,
            lambda n: self._values_at_draws(n, convention),
            self._shown_name,
            paths,
        )
        return _lead(found, lead, self.prompt) if found else None

    def _judge_chain(self, terms, interpreted) -> Feedback:
        if self._graph.paths["pre-activation"] is None:
            return self._wrong(
                "chain_rule",
                "too_many_paths",
                f"{self.prompt} has {self.chain_rule.path_count} paths, too many to write out: "
                "answer with a number or a formula.",
                interpreted,
            )
        deltas = list(dict.fromkeys(f.text for term in terms for f in term if isinstance(f, Name)))
        verdicts = {}
        for convention in self._conventions(deltas):
            entries = [[self._factor(f, convention) for f in term] for term in terms]
            verdicts[convention] = judge(entries, self._graph, self.level)
            if verdicts[convention].correct:
                break
        convention = min(
            verdicts, key=lambda c: (not verdicts[c].correct, len(verdicts[c].problems))
        )
        verdict = verdicts[convention]
        note = self._convention_note(deltas, convention, verdicts)
        if not verdict.correct:
            problems = list(verdict.problems)
            if note:
                problems.append(Problem("delta_convention", note))
            return self._feedback("chain_rule", problems, interpreted, value=verdict.value)
        if self.full_expansion and verdict.totals:
            totals = ", ".join(verdict.totals)
            return self._wrong(
                "chain_rule",
                "expand_further",
                f"Right so far: this is {self.prompt} ({verdict.value:.9g}). Now expand "
                f"{totals} into local derivatives, one edge per factor, all the way to L.",
                interpreted,
                value=verdict.value,
            )
        paths = self.chain_rule.paths
        listed = "; ".join(path_text(p) for p in paths[:6]) + ("; ..." if len(paths) > 6 else "")
        count = "the path" if len(paths) == 1 else f"each of the {len(paths)} paths"
        how = (
            f" ({', '.join(verdict.totals)} standing for every path below {'its' if len(verdict.totals) == 1 else 'their'} node)"
            if verdict.totals
            else ""
        )
        message = (
            f"Correct: {self.prompt} adds one product of local derivatives for {count} from "
            f"{self.param} to {self._end} ({listed}), and your answer covers each once{how}. Here it "
            f"equals {verdict.value:.9g}."
        )
        if note:
            message += "\n" + note
        message += "".join("\n" + line for line in verdict.notes[:1])  # one line says it
        return self._right("chain_rule", message, interpreted, verdict.value)


def _check_node(graph: Graph, name) -> None:
    """The asked node must be a node of the graph other than its end (and not a constant)."""
    if not isinstance(name, str) or name not in graph or graph.kind(name) == "constant":
        known = [n for n in (*graph.node_names, *graph.parameter_names)
                 if graph.kind(n) != "constant" and n != graph.end]  # fmt: skip
        raise BackpropInputError(
            f"param must be a node of the graph other than its end {graph.end!r} "
            f"({', '.join(known)}); got {name!r}"
        )
    if name == graph.end:
        raise BackpropInputError(
            f"param must be a node other than the end {graph.end!r}: d{graph.end}/d{graph.end} is 1"
        )


def _lead(problems: list[Problem], lead: str, prompt: str) -> list[Problem]:
    """The first problem's message after the formula's value: what it gives, then why."""
    first = problems[0]
    return [Problem(first.code, f"{lead} {prompt}. {first.message}"), *problems[1:]]


def check_answer(net, param: str, x, t, answer, **options) -> Feedback:
    """Check one answer in one call: ``GradientQuestion(net, param, x, t, **options).check(a)``.

    >>> import backprop_widgets as bw
    >>> net, x, t = bw.presets.mazur()
    >>> check_answer(net, "w5", x, t, "0.082167041").correct
    True
    """
    return GradientQuestion(net, param, x, t, **options).check(answer)
