"""A computation graph from text, for exercise authors: ``bw.expression("q = x + y; f = q * z")``.

The statements are read by the answer reader's parser (nothing is ever run as Python) and
built as :class:`~backprop_widgets.core.graph.Value` operations, so the graph has the
registry's operations, local derivatives and notation. The last statement's name is the end.
"""

from __future__ import annotations

import math

from ..core.errors import BackpropInputError
from ..core.graph import Graph, Value
from ..core.ops import OPERATIONS
from .parser import Call, Differential, Name, Neg, Num, Partial, Power, Product, Sum, parse
from .tokens import AnswerSyntaxError, name_key


def expression(text: str, **values) -> Graph:
    """The graph of ``name = formula`` statements (``;`` or new lines between them).

    Every name on a right-hand side is a leaf given as a keyword (``x=-2``) or a name an
    earlier statement defined; functions are the registry's operations of one number
    (sigma, exp, log, tanh, relu, gelu, gelu_tanh, linear) and sqrt, with
    + - * / ^ and brackets.

    >>> g = expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
    >>> g.gradients()["x"]
    -4.0
    """
    if not isinstance(text, str) or not text.strip():
        raise BackpropInputError(
            f"text must be statements such as 'q = x + y; f = q * z'; got {text!r}"
        )
    statements = [s.strip() for s in text.replace("\n", ";").split(";") if s.strip()]
    leaves = {
        name_key(k): Value(v, k) if not isinstance(v, Value) else v for k, v in values.items()
    }
    defined: dict[str, Value] = {}
    later = {}
    for k, statement in enumerate(statements, start=1):
        name, sep, _ = statement.partition("=")
        if sep:
            later.setdefault(name_key(name.strip()), k)
    last = None
    for k, statement in enumerate(statements, start=1):
        where = f"statement {k} ({statement!r})"
        name, sep, formula = (part.strip() for part in statement.partition("="))
        if not sep or not name.isidentifier() or not formula:
            raise BackpropInputError(f"{where} must read 'name = formula', e.g. 'q = x + y'")
        key = name_key(name)
        if key in leaves:
            raise BackpropInputError(
                f"{where} redefines {name}, which is a leaf given as {name}=..."
            )
        if key in defined:
            raise BackpropInputError(f"{where} redefines {name}: each name is defined once")
        try:
            sides = parse(formula, known=set(leaves) | set(defined) | set(later))
        except AnswerSyntaxError as err:
            raise BackpropInputError(f"{where} cannot be read: {err.message}") from None
        if len(sides) != 1:
            raise BackpropInputError(f"{where} has more than one '=': one definition per statement")
        scope = {**leaves, **defined}
        value = _build(sides[0], scope, later, k, where)
        if not isinstance(value, Value):
            value = Value(value, kind="constant")
        if value.name is not None or value.kind == "constant" or value.is_leaf:
            value = Value._apply("add", (value,))  # f = x: f is a node of its own, x stays x
        defined[key] = value.named(name)
        last = defined[key]
    return Graph(last)


def _build(node, scope, later, k, where):
    """A parse tree as Values (or a plain float for a constant part)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        key = node.key
        if key in scope:
            return scope[key]
        if later.get(key, 0) >= k:
            raise BackpropInputError(
                f"{where} uses {node.text} before it is defined (statement {later[key]}): "
                "a computation graph has no cycles, so define each name before using it"
            )
        known = ", ".join(sorted(v.name or k for k, v in scope.items())) or "none"
        raise BackpropInputError(
            f"{where} uses the unknown name {node.text!r}; known names: {known} "
            "(give a leaf as a keyword, e.g. expression(..., x=1.5))"
        )
    if isinstance(node, Neg):
        return -_build(node.operand, scope, later, k, where)
    if isinstance(node, Sum):
        total = None
        for sign, term in node.terms:
            v = _build(term, scope, later, k, where)
            total = (
                (v if sign == "+" else -v)
                if total is None
                else (total + v if sign == "+" else total - v)
            )
        return total
    if isinstance(node, Product):
        out = None
        for op, factor in node.factors:
            v = _build(factor, scope, later, k, where)
            out = v if out is None else (out / v if op == "/" else out * v)
        return out
    if isinstance(node, Power):
        exponent = _build(node.exponent, scope, later, k, where)
        if isinstance(exponent, Value):
            raise BackpropInputError(f"{where}: an exponent must be a number, as in x^2")
        base = _build(node.base, scope, later, k, where)
        return base**exponent
    if isinstance(node, Call):
        op = OPERATIONS.get(node.func)
        if (op is None or op.arity != 1) and node.func != "sqrt":  # the reader knows more
            raise BackpropInputError(f"{where}: {node.func} is not an operation of the graph")
        if node.order:
            raise BackpropInputError(
                f"{where}: a derivative such as {node.func}' is not an operation of the graph"
            )
        arg = _build(node.arg, scope, later, k, where)
        if not isinstance(arg, Value):
            return _constant_call(node.func, arg, where)
        if node.func == "sqrt":
            return arg**0.5
        return Value._apply(op.name, (arg,))
    if isinstance(node, (Partial, Differential)):
        raise BackpropInputError(
            f"{where}: a derivative (d.../d...) is not an operation of the graph"
        )
    raise BackpropInputError(f"{where} holds something that is not a formula")


def _constant_call(func: str, x: float, where: str) -> float:
    if func == "sqrt":
        if x < 0:
            raise BackpropInputError(f"{where} takes the square root of {x:g}, which is negative")
        return math.sqrt(x)
    return float(OPERATIONS[func].forward(x))
