"""Textbook notations that need the network to be read: Σ over a layer, a generic activation.

A sum over an index (:func:`expand_index_sums`): ``Σ_k ∂L/∂o_k ∂o_k/∂h1 ∂h1/∂w1`` (also
``∑``, ``\\sum_k``, ``\\sum_{k=1}^{2}``) stands for one term per unit of the layer its
names run over: here o1 and o2, the names o1, o2 that ``o_k`` becomes. Every name ending
in ``_k`` must run over the same units (``o_k`` and ``net_o_k`` do; ``o_k`` and ``h_k``
of layers of different sizes do not), and a written range must name only units that
exist; otherwise the answer is refused with the reason (``index_range``), never guessed.

Nielsen writes σ(z) and σ'(z) for whatever activation a layer has, and many courses write
f(net_h1), f'(net_h1), g'(z_h1) or φ'(z). Such a call names no function of its own: it is the
unit's activation, so :func:`read_generic` rewrites it before judging, into the quantities
the checker already knows:

- ``f(net_h1)`` is the neuron ``h1``;
- ``f'(net_h1)`` is h1's slope, the local derivative ``dh1/dnet_h1`` (tanh's 1 - h1² at a
  tanh unit, relu's step at a relu unit, ...).

``σ``/``sigma`` keep meaning the sigmoid, except ``σ'`` at a net input of a unit that is not
a sigmoid, which is read as that unit's slope, and the feedback says so ("read as"). A
generic f needs a net input of a unit with a slope of its own: anywhere else (f(w1), a
softmax unit, whose outputs share their net inputs) the answer is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.chain_rule import NET_PREFIX
from ..core.ops import ACTIVATIONS, typed_name
from .chain_graph import Problem
from .parser import (
    Call,
    Compare,
    IndexSum,
    Name,
    Neg,
    Partial,
    Power,
    Product,
    Sum,
    walk,
)
from .tokens import name_key

# The sigmoid (Nielsen's σ); which activations have no slope of a unit's own (softmax): both
# from the core's registry.
_SIGMOID = typed_name("σ").name
_NOT_ELEMENTWISE = tuple(name for name, op in ACTIVATIONS.items() if not op.elementwise)
# Nodes an expanded sum over indices may have: 10,000 characters of Σ_k nested in each other
# would otherwise multiply out exponentially.
MAX_EXPANDED = 2_000  # a real answer's sums over layers expand to a hundred or two


@dataclass(frozen=True)
class Reading:
    """A tree with the generic activations rewritten, what was read how, or why not."""

    node: object
    notes: tuple[str, ...] = ()
    problem: Problem | None = None


def read_generic(node, vocabulary, net) -> Reading:
    """Rewrite f(net_h1), f'(net_h1) (and σ' at a unit that is not a sigmoid)."""
    activations = _activation_of_units(net)
    notes: dict[str, None] = {}
    problems: list[Problem] = []

    def rewrite(n):
        if isinstance(n, Call):
            arg = rewrite(n.arg)
            found = _generic(n, arg, vocabulary, activations)
            if isinstance(found, Problem):
                problems.append(found)
                return replace(n, arg=arg)
            if found is None:
                return replace(n, arg=arg)
            new, note = found
            if note:
                notes[note] = None
            return new
        if isinstance(n, Sum):
            return Sum(tuple((sign, rewrite(t)) for sign, t in n.terms))
        if isinstance(n, Product):
            return Product(tuple((op, rewrite(f)) for op, f in n.factors))
        if isinstance(n, Power):
            return replace(n, base=rewrite(n.base), exponent=rewrite(n.exponent))
        if isinstance(n, Neg):
            return replace(n, operand=rewrite(n.operand))
        if isinstance(n, Compare):
            return replace(n, left=rewrite(n.left), right=rewrite(n.right))
        return n

    if not _has_calls(node):
        return Reading(node)
    new = rewrite(node)  # the parser bounds nesting, so recursion is bounded too
    return Reading(new, tuple(notes), problems[0] if problems else None)


def _has_calls(node) -> bool:
    for n in walk(node):  # a loop, not any(genexpr): one call less per node of a long answer
        if isinstance(n, Call) and (n.func == "act" or n.func in ACTIVATIONS):
            return True
    return False


def _has_index_sums(node) -> bool:
    for n in walk(node):  # noqa: SIM110 - a loop: one call less per node
        if isinstance(n, IndexSum):
            return True
    return False


def _activation_of_units(net) -> dict[str, str]:
    """Each neuron's activation: {'h1': 'tanh', 'o1': 'sigmoid', ...}."""
    out = {}
    for layer, activation in zip(net.node_names[1:], net.activation, strict=True):
        for unit in layer:
            out[unit] = activation
    return out


def _generic(call: Call, arg, vocabulary, activations):
    """(the rewritten node, a note) for a generic activation; a Problem; or None to keep."""
    if call.func != "act" and call.func not in ACTIVATIONS:
        return None
    entry = vocabulary.resolve(arg.text) if isinstance(arg, Name) else None
    unit = (
        entry.name.removeprefix(NET_PREFIX) if entry is not None and entry.kind == "net" else None
    )
    written = _written(call, arg)
    if call.func in ACTIVATIONS and call.func != _SIGMOID:
        return _named(call, arg, entry, unit, written, activations)
    if call.func == _SIGMOID:
        # σ is the sigmoid; only σ' at a unit of another activation is Nielsen's generic σ'.
        # sigmoid' and logistic' name the function itself, whatever the unit is.
        if call.typed != "sigma" or unit is None or call.order == 0:
            return None
        if activations.get(unit) == _SIGMOID:
            return None
        if activations.get(unit) in _NOT_ELEMENTWISE:
            return None  # the sigmoid's slope, as written; judged (and diagnosed) as such
        note = (
            f"{written} is read as the slope of {unit}'s activation ({activations[unit]}′ at "
            f"{entry.name}), as Nielsen writes σ′ for any activation."
        )
        return _slope(unit, entry.name, arg, call.pos), note
    if unit is None:
        return Problem(
            "generic_activation",
            f"{written} stands for a unit's activation, so it needs that unit's net input: "
            "write f(net_h1) for h1 and f'(net_h1) for its slope (or name the function, "
            "as in tanh'(net_h1)).",
        )
    if activations.get(unit) in _NOT_ELEMENTWISE:
        return Problem(
            "generic_activation",
            f"{written}: {unit} is a {activations[unit]} unit, whose output depends on every "
            "net input of its layer, so it has no slope of its own; write the local "
            f"derivatives d{unit}/dnet_... instead.",
        )
    if call.order == 0:
        return Name(unit, call.pos), f"{written} is read as {unit} ({activations[unit]})."
    note = f"{written} is read as the slope of {unit}'s activation, {activations[unit]}′."
    return _slope(unit, entry.name, arg, call.pos), note


def _named(call: Call, arg, entry, unit, written, activations):
    """An activation named by its registry name (tanh, gelu, softmax, ...).

    It means itself, except: softmax(net_o1) at a softmax unit is that unit (a softmax has
    no value of one number), and a name of the same function as the unit's (gelu at a
    gelu_tanh unit, the same symbol in the registry) is read as the unit's own.
    """
    op = ACTIVATIONS[call.func]
    own = ACTIVATIONS.get(activations.get(unit, ""))
    if not op.elementwise:
        if own is not op:
            return Problem(
                "generic_activation",
                f"{written}: {op.name} needs every net input of its layer; write the unit "
                f"it gives (such as o1 for softmax(net_o1)) at a {op.name} layer.",
            )
        if call.order:
            return Problem(
                "generic_activation",
                f"{written}: {unit} is a {own.name} unit, whose output depends on every net "
                "input of its layer, so it has no slope of its own; write the local "
                f"derivatives d{unit}/dnet_... instead.",
            )
        return Name(unit, call.pos), f"{written} is read as {unit}."
    if own is None or own is op or own.symbol != op.symbol:
        return None
    what = f"{unit}'s activation, {own.name}"
    if call.order == 0:
        return Name(unit, call.pos), f"{written} is read as {what}."
    return _slope(unit, entry.name, arg, call.pos), f"{written} is read as the slope of {what}."


def _slope(unit: str, net_input: str, arg: Name, pos: int) -> Partial:
    """d unit / d net_input: the activation's slope at the unit, as a local derivative."""
    return Partial(Name(unit, pos), Name(net_input, arg.pos), pos, pos)


def _written(call: Call, arg) -> str:
    typed = "σ" if call.typed == "sigma" else call.typed
    symbol = (typed or {"act": "f"}.get(call.func, call.func)) + "′" * call.order
    inner = arg.text if isinstance(arg, Name) else "…"
    return f"{symbol}({inner})"


# ---------------------------------------------------------------- Σ over a layer
class _Refused(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def expand_index_sums(node, vocabulary, net=None) -> Reading:
    """Each ``Σ_k summand`` as the sum of the summand at every unit ``o_k`` runs over."""
    if not _has_index_sums(node):
        return Reading(node)
    expander = _Expander(vocabulary)
    try:
        new = _map(node, expander.visit)
    except _Refused as refused:
        return Reading(node, problem=refused.problem)
    return Reading(new, tuple(expander.notes))


def _map(node, visit):
    """The tree with visit(n) in place of each node visit handles (visit returns None to
    go on into its children)."""
    done = visit(node)
    if done is not None:
        return done
    if isinstance(node, Sum):
        return Sum(tuple((sign, _map(t, visit)) for sign, t in node.terms))
    if isinstance(node, Product):
        return Product(tuple((op, _map(f, visit)) for op, f in node.factors))
    if isinstance(node, Power):
        return replace(node, base=_map(node.base, visit), exponent=_map(node.exponent, visit))
    if isinstance(node, Neg):
        return replace(node, operand=_map(node.operand, visit))
    if isinstance(node, Call):
        return replace(node, arg=_map(node.arg, visit))
    if isinstance(node, Compare):
        return replace(node, left=_map(node.left, visit), right=_map(node.right, visit))
    if isinstance(node, IndexSum):
        return replace(node, summand=_map(node.summand, visit))
    return node


class _Expander:
    """Expands the sums over indices of one answer, within :data:`MAX_EXPANDED` nodes."""

    def __init__(self, vocabulary):
        self.vocabulary = vocabulary
        self.budget = MAX_EXPANDED
        self.notes: dict[str, None] = {}
        self._units: dict[str, list[str]] = {}

    def visit(self, node):
        if not isinstance(node, IndexSum):
            return None
        units = _index_range(node, self.vocabulary, self.units)
        # the work is proportional to the nodes made, so the budget bounds it
        self.budget -= sum(1 for _ in walk(node.summand)) * len(units)
        if self.budget < 0:
            raise _Refused(
                Problem(
                    "too_many_terms",
                    "These sums over indices expand to far more terms than a gradient has; "
                    "write the sum over one layer's units at a time.",
                )
            )
        listed = ", ".join(units)
        self.notes[
            f"Σ_{node.index} is read over {node.index} = {listed} ({', '.join(units.values())})."
        ] = None
        terms = [
            ("+", _map(_substitute(node.summand, node.index, value), self.visit)) for value in units
        ]
        return terms[0][1] if len(terms) == 1 else Sum(tuple(terms))

    def units(self, stem: str) -> list[str]:
        """The numbers n for which stem + n is a name of the network (o -> ['1', '2'])."""
        if stem not in self._units:
            key = name_key(stem)
            found = [
                known[len(key) :]
                for known in self.vocabulary.keys
                if known.startswith(key)
                and known[len(key) :].isdigit()
                and self.vocabulary.resolve(stem + known[len(key) :])
            ]
            self._units[stem] = sorted(found, key=int)
        return self._units[stem]


def _indexed(text: str, index: str) -> str | None:
    """The name's stem when it ends in the index (o_k -> o, net_o_k -> net_o), else None."""
    tail = "_" + index
    return text[: -len(tail)] if text.endswith(tail) and len(text) > len(tail) else None


def _substitute(node, index: str, value: str):
    def rename(name: Name) -> Name:
        stem = _indexed(name.text, index)
        return name if stem is None else Name(stem + value, name.pos)

    def visit(n):
        if isinstance(n, Name):
            return rename(n)
        if isinstance(n, Partial):
            return replace(n, num=rename(n.num), den=rename(n.den))
        if isinstance(n, IndexSum) and n.index == index:
            return n  # an inner sum over the same letter has its own index
        return None

    return _map(node, visit)


def _index_range(node: IndexSum, vocabulary, units) -> dict[str, str]:
    """{value: the units it names} for the index, from the names that end in it."""
    stems = []
    for n in walk(node.summand):
        names = (n.num, n.den) if isinstance(n, Partial) else (n,) if isinstance(n, Name) else ()
        stems += [s for s in (_indexed(x.text, node.index) for x in names) if s is not None]
    stems = list(dict.fromkeys(stems))
    sign = "Σ_" + node.index
    if not stems:
        raise _Refused(
            Problem(
                "index_range",
                f"{sign}: no name in the sum ends in _{node.index}, so the sum over "
                f"{node.index} has nothing to run over (write o_{node.index} for the units "
                f"o1, o2, ...).",
            )
        )
    ranges = {stem: units(stem) for stem in stems}
    empty = [stem for stem, values in ranges.items() if not values]
    if empty:
        raise _Refused(
            Problem(
                "index_range",
                f"{sign}: {empty[0]}_{node.index} names no units of this network "
                f"({vocabulary.describe()}).",
            )
        )
    if node.low is not None or node.high is not None:
        written = _written_range(node, ranges)
        if written is not None:
            return written
    first = next(iter(ranges.values()))
    for stem, values in ranges.items():
        if values != first:
            a, b = stems[0], stem
            raise _Refused(
                Problem(
                    "index_range",
                    f"{sign} is ambiguous: {a}_{node.index} runs over "
                    f"{_listed(a, first)} but {b}_{node.index} over {_listed(b, values)}. "
                    f"Write the sum over one layer, or give the range (Σ_{{{node.index}=1}}^{{n}}).",
                )
            )
    return {v: name_of(stems[0], v) for v in first}


def _written_range(node: IndexSum, ranges) -> dict[str, str] | None:
    low = 1 if node.low is None else node.low
    high = node.high
    if high is None:
        return None
    values = [str(v) for v in range(low, high + 1)][:64]
    for stem, known in ranges.items():
        missing = [v for v in values if v not in known]
        if missing:
            raise _Refused(
                Problem(
                    "index_range",
                    f"Σ_{node.index} from {low} to {high}: {stem}{missing[0]} is not a unit "
                    f"of this network ({_listed(stem, known)} are).",
                )
            )
    return {v: name_of(next(iter(ranges)), v) for v in values}


def name_of(stem: str, value: str) -> str:
    return stem + value


def _listed(stem: str, values) -> str:
    return ", ".join(stem + v for v in values)
