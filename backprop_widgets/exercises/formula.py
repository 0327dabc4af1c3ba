"""Formulas in the network's quantities, judged by their values at several parameter draws.

Vocabulary of a formula answer
------------------------------
Names (``h_1``, ``h_{1}`` and ``h1`` are the same; a wrong upper/lower case is accepted
when it matches only one name)

- inputs and neurons by their names (``i1``, ``h1``, ``o1``; ``x``, ``h``, ``y'``): their
  values for the example; ``out_h1`` is ``h1``;
- net inputs ``net_h1`` (the weighted sum before the activation, ``\\mathrm{net}_{h1}``);
- parameters ``w1 ... b1 ...`` and targets (``t1``, ``y``) by name;
- ``L`` the loss (also ``E``, ``E_total``, Nielsen's ``C``, 3Blue1Brown's ``C0``); a bare
  ``E`` used as a value is asked about (the loss or Euler's number?); constants ``pi``
  (``π``) and ``e``;
- deltas ``delta_h1`` (``δ_h1``, ``\\delta_{h_1}``): dL/dh1, or in Mazur's and Nielsen's
  convention dL/dnet_h1; a formula is accepted when it holds in either;
- Leibniz factors: an edge ``dh1/dw1`` is its local derivative, ``dL/dh1`` the total
  derivative of L and ``dE_o1/dh1`` that of output o1's share; dL/d(parameter) and totals
  at nodes the parameter does not reach are rejected, as are other fractions, with the
  chain-rule diagnosis.

Sums over a layer: ``Σ_k (o_k - t_k) ...``, ``\\sum_{k=1}^{2} ...`` are expanded over the
units the index runs over (:mod:`.notation`).

Numbers: ``0.5``, ``.5``, ``4.4e-4``, ``4.4E-4``, ``4.4 × 10⁻⁴``, ``4.4x10^-4``,
``4.4·10^(-4)`` (one number each); ``−`` is minus; full-width digits read as digits.

Operators: ``+ -`` (also ``−``), ``* × · ⋅ \\cdot \\times`` or nothing (``2 h1``),
``/ ÷ \\div`` and ``\\frac{a}{b}``, powers ``^`` or ``**`` (right-associative, ``²`` works),
brackets ``( ) [ ] { } \\left( \\right)``.

Functions, applied as ``f(z)`` (or ``\\sigma z``), and their first derivatives ``f'(z)``:

- ``sigma``, ``sigmoid``, ``logistic``, ``σ``, ``\\sigma``: 1/(1 + e^-z);
  sigma'(z) = sigma(z)(1 - sigma(z));
- ``tanh``: tanh'(z) = 1 - tanh(z)^2;
- ``relu``: max(0, z); relu'(z) = 1 if z > 0 else 0, also written ``H(z)`` (Heaviside,
  also ``step``, ``heaviside``), ``(z > 0)``, ``1(z > 0)``, ``\\mathbb{1}[z > 0]``: a
  comparison in brackets is 1 when it holds, else 0;
- ``sech``, ``cosh``, ``sinh``: tanh'(z) = sech²(z) = ``sech(z)^2``; ``f^2(z)`` is f(z)²;
- generic ``f``, ``g``, ``φ`` (and ``σ`` at a unit that is not a sigmoid, as Nielsen
  writes it) at a net input: ``f(net_h1)`` is h1, ``f'(net_h1)`` its activation's slope;
- ``gelu`` (x Φ(x), PyTorch's default) and ``gelu_tanh`` (its tanh approximation), with
  ``gelu'(z)`` their slope; ``linear``/``identity``; ``softmax(net_o1)`` at a softmax unit
  is that unit (:mod:`.notation`);
- ``exp``, ``log`` (natural; also ``ln``), ``sqrt``, with their usual derivatives.

Every function that is an operation of the core's registry (:mod:`backprop_widgets.core.ops`)
takes its names, value and derivative from there.

How it is judged
----------------
The formula and dL/dp are computed at the question's parameters and at ``draws`` more
random draws of every parameter, input and target (seeded, so the verdict never changes).
It is correct when it agrees here within ``rtol`` and at every other draw within
``min(rtol, 1e-6)`` (a formula is exact), so a formula that only matches here, such as the
number typed as ``0.000438 * w1 / w1``, is rejected (``matches_only_here``).
Nothing is ever run as code: the tree from :mod:`.parser` is walked by :func:`evaluate`,
and overflow gives ``inf`` instead of an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..core.errors import BackpropInputError
from ..core.ops import OPERATIONS
from .parser import FUNCTIONS as PARSER_FUNCTIONS
from .parser import (
    Call,
    Compare,
    Differential,
    IndexSum,
    Name,
    Neg,
    Num,
    Partial,
    Power,
    Product,
    Sum,
)
from .vocabulary import CONSTANTS, Entry


class FormulaError(Exception):
    """A value that does not exist (log of a negative number, division by zero)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _log(z: float) -> float:
    if z <= 0:
        raise FormulaError(
            "domain_error", f"log({_fmt(z)}) does not exist: log needs a positive number"
        )
    return math.log(z)


def _sqrt(z: float) -> float:
    if z < 0:
        raise FormulaError(
            "domain_error", f"sqrt({_fmt(z)}) does not exist: sqrt needs a number ≥ 0"
        )
    return math.sqrt(z)


def _reciprocal(z: float) -> float:
    if z == 0:
        raise FormulaError("division_by_zero", "a division by zero")
    return 1.0 / z


def _step(z: float) -> float:
    # Heaviside's step as relu's slope: 0 at the kink, as the core and PyTorch take it
    return 1.0 if z > 0 else 0.0


def _sech(z: float) -> float:
    # sech z = 2 / (e^z + e^-z), 0 where cosh overflows
    return 0.0 if abs(z) > 700 else 1.0 / math.cosh(z)


def _cosh(z: float) -> float:
    return math.inf if abs(z) > 700 else math.cosh(z)


def _sinh(z: float) -> float:
    return math.copysign(math.inf, z) if abs(z) > 700 else math.sinh(z)


def _registry_function(op) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """(f, f') of a registry operation of one number, as plain floats; overflow gives inf."""
    if op.kind == "activation":

        def forward(z: float) -> float:
            with np.errstate(all="ignore"):
                return float(op.forward(z))

        def slope(z: float) -> float:
            with np.errstate(all="ignore"):
                return float(op.local(z, op.forward(z)))

        return forward, slope

    def value(z: float) -> float:
        with np.errstate(all="ignore"):
            return float(op.forward(z))

    def derivative(z: float) -> float:
        with np.errstate(all="ignore"):
            return float(op.partials((z,), op.forward(z))[0])

    return value, derivative


def _positive(f: Callable[[float], float]) -> Callable[[float], float]:
    """f, refused with the reason for z <= 0 (log and its derivative) instead of nan."""

    def guarded(z: float) -> float:
        _log(z)  # raises FormulaError for z <= 0
        return f(z)

    return guarded


# name -> (f, f'). Every operation of the core's registry that a formula may apply to one
# number comes from the registry (its forward and local derivative, with the same numerics
# as backprop); only the reader's own vocabulary (sqrt, Heaviside's step, sech, cosh, sinh)
# is defined here.
FUNCTIONS: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    name: _registry_function(OPERATIONS[name])
    for name in set(PARSER_FUNCTIONS.values())
    if name in OPERATIONS and getattr(OPERATIONS[name], "elementwise", True)
}
# log needs a positive number: say so instead of returning nan
FUNCTIONS["log"] = (_positive(FUNCTIONS["log"][0]), _positive(FUNCTIONS["log"][1]))
FUNCTIONS |= {
    "sqrt": (_sqrt, lambda z: 0.5 * _reciprocal(_sqrt(z))),  # sqrt' = 1 / (2 sqrt z)
    "step": (_step, lambda z: 0.0),  # H' = 0 away from the kink
    "sech": (_sech, lambda z: -_sech(z) * math.tanh(z)),  # sech' = -sech tanh
    "cosh": (_cosh, _sinh),
    "sinh": (_sinh, _cosh),
}
_COMPARE = {
    "<": lambda a, b: a < b, ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
}  # fmt: skip


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _power(base: float, exponent: float) -> float:
    try:
        return math.pow(base, exponent)
    except OverflowError:
        negative = base < 0 and exponent == int(exponent) and int(exponent) % 2 == 1
        return -math.inf if negative else math.inf
    except ValueError:
        if base == 0:
            raise FormulaError(
                "division_by_zero", "0 to a negative power divides by zero"
            ) from None
        raise FormulaError(
            "domain_error",
            f"{_fmt(base)}^{_fmt(exponent)}: a negative number to a fractional power",
        ) from None


def evaluate(
    node,
    name_value: Callable[[Name], float],
    partial_value: Callable[[Partial], float],
) -> float:
    """The value of a parsed tree. Raises FormulaError; overflow gives inf, never raises."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return name_value(node)
    if isinstance(node, Partial):
        return partial_value(node)
    if isinstance(node, Neg):
        return -evaluate(node.operand, name_value, partial_value)
    if isinstance(node, Sum):
        total = 0.0
        for sign, term in node.terms:
            value = evaluate(term, name_value, partial_value)
            total = total + value if sign == "+" else total - value
        return total
    if isinstance(node, Product):
        total = 1.0
        for op, factor in node.factors:
            value = evaluate(factor, name_value, partial_value)
            if op == "/":
                if value == 0:
                    raise FormulaError("division_by_zero", "a division by zero")
                total = total / value
            else:
                total = total * value
        return total
    if isinstance(node, Power):
        return _power(
            evaluate(node.base, name_value, partial_value),
            evaluate(node.exponent, name_value, partial_value),
        )
    if isinstance(node, Compare):
        left = evaluate(node.left, name_value, partial_value)
        right = evaluate(node.right, name_value, partial_value)
        return 1.0 if _COMPARE[node.op](left, right) else 0.0
    if isinstance(node, Call):
        if node.func == "act":  # left only when .notation could not place it: never here
            raise FormulaError("syntax_error", "a generic activation f needs a net input")
        if node.func not in FUNCTIONS:  # softmax: read at a unit by .notation, or refused
            raise FormulaError(
                "syntax_error",
                f"{node.func} of one number has no value: it needs every net input of its layer",
            )
        arg = evaluate(node.arg, name_value, partial_value)
        if math.isnan(arg):
            return math.nan
        return FUNCTIONS[node.func][node.order](arg)
    if isinstance(node, IndexSum):  # expanded by .notation first; never evaluated as such
        raise FormulaError("syntax_error", f"the sum over {node.index} could not be expanded")
    if isinstance(node, Differential):
        raise FormulaError(
            "syntax_error", f"∂{node.name.text} on its own is not a quantity; write a fraction"
        )
    raise FormulaError("syntax_error", "this part of the answer has no value")


class Draw:
    """One choice of parameters, input and target, with everything a formula can name.

    ``Draw(net, x, t, asked)`` for a network; ``Draw.of_graph(graph, asked)`` for any
    computation graph (``net`` is then None, and every name is a node of ``pre``).
    """

    def __init__(self, net, x, t, asked):
        self.net = net
        self.x, self.t = x, t
        self.pre = net.graph(x, t, level="pre-activation")  # every node's value is here
        self.parameters = net.parameters()
        self.targets = dict(zip(net.target_names, np.atleast_1d(t).tolist(), strict=True))
        self.expected = asked.value(self)  # the asked quantity (see .asked) at this draw

    @classmethod
    def of_graph(cls, graph, asked) -> Draw:
        draw = cls.__new__(cls)
        draw.net, draw.x, draw.t = None, None, None
        draw.pre = graph
        draw.parameters = {p: graph.value(p) for p in graph.parameter_names}
        draw.targets = {}
        draw.expected = asked.value(draw)
        return draw

    def value(self, entry: Entry, convention: str = "node") -> float:
        """A name's value; a delta in the given convention (see ComputationGraph.delta)."""
        if entry.kind == "parameter":
            return self.parameters[entry.name]
        if entry.kind == "target":
            return self.targets[entry.name]
        if entry.kind == "constant":
            return CONSTANTS[entry.name]
        if entry.kind == "delta":
            return self.pre.delta(entry.node, convention)
        if entry.kind == "loss_share":
            raise FormulaError(
                "not_a_quantity",
                f"{entry.name}, one output's share of the loss, is used here only in "
                f"derivatives such as d{entry.name}/d{entry.node}",
            )
        return self.pre.value(entry.name)

    def partial(self, num: Entry, den: Entry) -> float:
        """An edge's local derivative (either level), dL/d(anything) as the total
        derivative, or dE_o1/d(node), one output's share of it."""
        if num.kind == "loss_share":
            return self.pre.loss_share(num.node, den.name)
        try:
            return self.pre.derivative(num.name, den.name)
        except KeyError:
            raise FormulaError(
                "not_an_edge", f"d{num.name}/d{den.name} is not an edge of the graph"
            ) from None


def make_draws(net, x, t, asked, count: int, seed: int) -> list[Draw]:
    """The question's own draw first, then ``count`` random ones (seeded)."""
    draws = [Draw(net, x, t, asked)]
    rng = np.random.default_rng(seed)
    n_out = len(net.target_names)
    for _ in range(count):
        other = net.copy()
        other.set_parameters({p: float(rng.normal(0.0, 0.8)) for p in net.parameter_names})
        x2 = rng.uniform(-1.0, 1.0, size=np.shape(x))
        t2 = rng.uniform(0.05, 0.95, size=n_out)
        if net.loss_name == "cross_entropy":
            t2 = t2 / t2.sum()
        try:
            draws.append(Draw(other, x2, t2, asked))
        except BackpropInputError:  # a loss that wants other targets: keep the example's
            draws.append(Draw(other, x, t, asked))
    return draws


GRAPH_DRAW_ATTEMPTS = 50


def make_graph_draws(graph, asked, count: int, seed: int) -> list[Draw]:
    """A computation graph's draws: its own values first, then ``count`` random ones (seeded),
    each a new value in [-1.5, 1.5] for every input and parameter leaf, rebuilt with
    :meth:`~backprop_widgets.core.graph.Graph.with_values`. A draw where an operation leaves
    its domain (the log of a negative number, a division by zero: a value that is not
    finite) is drawn again."""
    draws = [Draw.of_graph(graph, asked)]
    rng = np.random.default_rng(seed)
    leaves = [n for n in (*graph.node_names, *graph.parameter_names)
              if graph.kind(n) in ("input", "parameter")]  # fmt: skip
    for _ in range(count):
        for _attempt in range(GRAPH_DRAW_ATTEMPTS):
            values = {n: float(rng.uniform(-1.5, 1.5)) for n in leaves}
            other = finite_graph(graph, values)
            if other is not None:
                break
        else:
            other = graph  # no draw in the domain: judge at the question's own values
        draws.append(Draw.of_graph(other, asked))
    return draws


def finite_graph(graph, values: dict):
    """graph.with_values(**values), or None where a value or a local derivative is not
    finite (an operation outside its domain)."""
    try:
        with np.errstate(all="ignore"):
            other = graph.with_values(**values)
    except (ArithmeticError, ValueError, BackpropInputError):
        return None
    numbers = [other.value(n) for n in (*other.node_names, *other.parameter_names)]
    numbers += list(other.gradients().values())
    if not all(math.isfinite(v) for v in numbers):
        return None
    return other


def agrees(value: float, expected: float, rtol: float) -> bool:
    """value == expected within rtol (and 1e-12 absolute, for an expected 0)."""
    return math.isfinite(value) and abs(value - expected) <= rtol * abs(expected) + 1e-12


def rounds_to(value: float, expected: float, digits: int) -> bool:
    """Whether value is expected correctly rounded to ``digits`` significant figures or more.

    >>> rounds_to(0.101, 0.1005, 3), rounds_to(0.1, 0.1005, 3)
    (True, False)
    """
    if not (math.isfinite(value) and math.isfinite(expected)):
        return False
    for n in range(digits, 18):
        rounded = float(f"{expected:.{n - 1}e}")
        # the typed text is the rounded value; 1e-12 relative absorbs its float reading
        if abs(value - rounded) <= 1e-12 * max(abs(rounded), 1e-300):
            return True
    return False
