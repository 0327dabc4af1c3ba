"""Values that remember how they were computed (micrograd's ``Value``), and the nodes of the
graph that ends at one. The registry (:mod:`.ops`) computes each value and local derivative;
:class:`~.graph.Graph` takes the nodes. A micrograd expression is rebuilt as Values here too.
"""

from __future__ import annotations

import math
import numbers as _numbers

from . import validation
from .errors import BackpropInputError
from .node import Node, merged_edges
from .ops import OPERATIONS

LEAF_KINDS = ("input", "parameter", "constant")


class Value:
    """A scalar that remembers how it was computed, as micrograd's ``Value`` does.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.data
    -12.0

    Operators ``+ - * /``, ``**`` with a constant exponent and unary ``-`` mix freely with
    plain numbers; ``.exp() .log() .sigmoid() .tanh() .relu() .gelu()`` apply the
    registry's operations. Name an intermediate with ``name=`` or ``.named("q")``; nodes
    left unnamed are called n1, n2, ... in the graph. ``kind="parameter"`` marks a leaf as a
    parameter (a weight) rather than an input.
    """

    __slots__ = ("_constants", "_inputs", "_kind", "_op", "data", "name")

    def __init__(self, data, name: str | None = None, *, kind: str = "input"):
        self.data = checked_number(data, "data")
        self.name = _checked_name(name)
        validation.one_of(kind, LEAF_KINDS, "kind")
        self._kind, self._op, self._inputs, self._constants = kind, None, (), {}

    @classmethod
    def _apply(cls, op_name: str, inputs, name=None, **constants) -> Value:
        op = OPERATIONS[op_name]
        out = cls.__new__(cls)
        out.data = float(op.forward(*(v.data for v in inputs), **constants))
        out.name = _checked_name(name)
        out._kind, out._op, out._inputs, out._constants = (
            "operation",
            op_name,
            tuple(inputs),
            constants,
        )
        return out

    @property
    def kind(self) -> str:
        """input, parameter or constant for a leaf; operation for a computed value."""
        return self._kind

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def named(self, name: str) -> Value:
        """Give this value a name in the graph (returns it, so ``(x + y).named("q")`` reads)."""
        self.name = _checked_name(name)
        return self

    # arithmetic, each the registry's operation
    def __add__(self, other):
        return Value._apply("add", (self, _as_value(other)))

    def __radd__(self, other):
        return Value._apply("add", (_as_value(other), self))

    def __sub__(self, other):
        return Value._apply("subtract", (self, _as_value(other)))

    def __rsub__(self, other):
        return Value._apply("subtract", (_as_value(other), self))

    def __mul__(self, other):
        return Value._apply("multiply", (self, _as_value(other)))

    def __rmul__(self, other):
        return Value._apply("multiply", (_as_value(other), self))

    def __truediv__(self, other):
        return Value._apply("divide", (self, _as_value(other)))

    def __rtruediv__(self, other):
        return Value._apply("divide", (_as_value(other), self))

    def __pow__(self, exponent):
        if isinstance(exponent, Value) or not _is_number(exponent):
            raise BackpropInputError(
                f"exponent must be a plain number (x ** 2, x ** -1); got {exponent!r}"
            )
        return Value._apply("power", (self,), exponent=checked_number(exponent, "exponent"))

    def __neg__(self):
        return Value._apply("negate", (self,))

    def exp(self, name=None):
        return Value._apply("exp", (self,), name)

    def log(self, name=None):
        return Value._apply("log", (self,), name)

    def sigmoid(self, name=None):
        return Value._apply("sigmoid", (self,), name)

    def tanh(self, name=None):
        return Value._apply("tanh", (self,), name)

    def relu(self, name=None):
        return Value._apply("relu", (self,), name)

    def gelu(self, name=None, approximate: str = "none"):
        """GELU, exact (erf) as PyTorch's default, or ``approximate="tanh"``."""
        validation.one_of(approximate, ("none", "tanh"), "approximate")
        return Value._apply("gelu" if approximate == "none" else "gelu_tanh", (self,), name)

    def __bool__(self):
        # `if v:` on a Value is almost always a slip for `if v.data:`; say so.
        raise BackpropInputError("a Value has no truth value: compare v.data instead")

    def __repr__(self) -> str:
        label = f", {self.name!r}" if self.name else ""
        return f"Value({self.data:.6g}{label})"


def _is_number(x) -> bool:
    return isinstance(x, _numbers.Real) and not isinstance(x, bool)


def checked_number(x, argname: str) -> float:
    if not _is_number(x) or not math.isfinite(float(x)):
        raise BackpropInputError(f"{argname} must be a finite number; got {x!r}")
    return float(x)


def _checked_name(name) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or not name.isidentifier():
        raise BackpropInputError(
            f"name must be a short identifier such as 'x', 'q' or 'h1'; got {name!r}"
        )
    return name


def _as_value(x) -> Value:
    if isinstance(x, Value):
        return x
    if _is_number(x):
        out = Value(x, kind="constant")
        return out
    raise BackpropInputError(
        f"a Value can be combined with another Value or a plain number; got {type(x).__name__}"
    )


def nodes_of_value(end: Value) -> tuple[list[Node], str]:
    """The nodes below ``end`` in an order where each follows its inputs, named."""
    order: list[Value] = []
    seen: set[int] = set()
    stack = [(end, False)]
    while stack:  # iterative post-order: deep chains do not exhaust Python's stack
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
            continue
        if id(v) in seen:
            continue
        seen.add(id(v))
        stack.append((v, True))
        stack.extend((u, False) for u in reversed(v._inputs) if id(u) not in seen)
    names: dict[int, str] = {}
    owner: dict[str, Value] = {}
    for v in order:
        if v.name is not None:
            if v.name in owner and owner[v.name] is not v:
                raise BackpropInputError(
                    f"two different values are both named {v.name!r}: give each node its own name"
                )
            owner[v.name] = v
            names[id(v)] = v.name
    counter = 0
    for v in order:
        if id(v) in names:
            continue
        if v._kind == "constant":
            base = _fmt_constant(v.data)
            name, k = base, 1
            while name in owner:
                k += 1
                name = f"{base}_{k}"
        else:
            counter += 1
            name = f"n{counter}"
            while name in owner:
                counter += 1
                name = f"n{counter}"
        owner[name] = v
        names[id(v)] = name
    nodes = []
    for v in order:
        if v._op is None:
            nodes.append(Node(names[id(v)], v._kind, v.data))
            continue
        op = OPERATIONS[v._op]
        partials = op.partials([u.data for u in v._inputs], v.data, **v._constants)
        inputs, locals_ = merged_edges([names[id(u)] for u in v._inputs], partials)
        args = tuple(names[id(u)] for u in v._inputs)
        nodes.append(
            Node(
                names[id(v)], "operation", v.data, v._op, inputs, locals_, dict(v._constants), args
            )
        )
    return nodes, names[id(end)]


def _fmt_constant(x: float) -> str:
    text = f"{x:g}"
    return text if "e" not in text else repr(x)


_MICROGRAD_OPS = {
    "+": "add",
    "*": "multiply",
    "exp": "exp",
    "tanh": "tanh",
    "ReLU": "relu",
    "relu": "relu",
}


def from_micrograd(root) -> Value:
    """Rebuild a micrograd expression as Values (the same numbers, the registry's ops)."""
    for attr in ("data", "_prev", "_op"):
        if not hasattr(root, attr):
            raise BackpropInputError(
                f"value must be a micrograd Value (with data, _prev and _op); {type(root).__name__} has no {attr}"
            )
    built: dict[int, Value] = {}
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
            continue
        if id(v) in seen:
            continue
        seen.add(id(v))
        stack.append((v, True))
        stack.extend((u, False) for u in v._prev if id(u) not in seen)
    for v in order:
        label = getattr(v, "label", "") or None
        label = label if label and label.isidentifier() else None
        prev = [built[id(u)] for u in v._prev]
        op = v._op or ""
        if not prev:
            built[id(v)] = Value(float(v.data), label)
            continue
        if op in ("+", "*") and len(prev) == 1:  # a + a, a * a: micrograd's _prev is a set
            prev = prev * 2
        if op.startswith("**"):
            out = Value._apply("power", prev, label, exponent=float(op[2:]))
        elif op in _MICROGRAD_OPS:
            out = Value._apply(_MICROGRAD_OPS[op], prev, label)
        else:
            raise BackpropInputError(f"micrograd operation {op!r} is not one this package knows")
        built[id(v)] = out
    return built[id(root)]
