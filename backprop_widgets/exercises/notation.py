"""Textbook notations that need the network to be read: a generic activation f at a net input.

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
from .chain_graph import Problem
from .parser import Call, Compare, Name, Neg, Partial, Power, Product, Sum, walk

# Activations whose slope at a unit depends on that unit's own net input alone.
_ELEMENTWISE_SIGMOID = "sigmoid"
_NOT_ELEMENTWISE = ("softmax",)


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
    return any(isinstance(n, Call) and n.func in ("act", "sigma") for n in walk(node))


def _activation_of_units(net) -> dict[str, str]:
    """Each neuron's activation: {'h1': 'tanh', 'o1': 'sigmoid', ...}."""
    out = {}
    for layer, activation in zip(net.node_names[1:], net.activation, strict=True):
        for unit in layer:
            out[unit] = activation
    return out


def _generic(call: Call, arg, vocabulary, activations):
    """(the rewritten node, a note) for a generic activation; a Problem; or None to keep."""
    if call.func not in ("act", "sigma"):
        return None
    entry = vocabulary.resolve(arg.text) if isinstance(arg, Name) else None
    unit = entry.name.removeprefix(NET_PREFIX) if entry is not None and entry.kind == "net" else None
    written = _written(call, arg)
    if call.func == "sigma":
        # σ is the sigmoid; only σ' at a unit of another activation is Nielsen's generic σ'.
        # sigmoid' and logistic' name the function itself, whatever the unit is.
        if call.typed != "sigma" or unit is None or call.order == 0:
            return None
        if activations.get(unit) == _ELEMENTWISE_SIGMOID:
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


def _slope(unit: str, net_input: str, arg: Name, pos: int) -> Partial:
    """d unit / d net_input: the activation's slope at the unit, as a local derivative."""
    return Partial(Name(unit, pos), Name(net_input, arg.pos), pos, pos)


def _written(call: Call, arg) -> str:
    typed = "σ" if call.typed == "sigma" else call.typed
    symbol = (typed or {"act": "f", "sigma": "σ"}[call.func]) + "′" * call.order
    inner = arg.text if isinstance(arg, Name) else "…"
    return f"{symbol}({inner})"
