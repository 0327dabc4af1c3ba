"""Write an answer's expression tree back as LaTeX: how the checker read it."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from ..core.chain_rule import latex_name
from ..core.ops import OPERATIONS
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

# The reader's own functions; a registry operation is written with the registry's LaTeX.
_FUNCTIONS = {
    "sqrt": r"\sqrt", "step": "H", "sech": r"\operatorname{sech}", "cosh": r"\cosh",
    "sinh": r"\sinh", "act": "f",
}  # fmt: skip
_COMPARISONS = {"<": "<", ">": ">", "<=": r"\le", ">=": r"\ge"}
_CONSTANTS = {"pi": r"\pi"}

# Binding strength of each kind of node: a child binding less than its parent is bracketed.
_SUM, _PRODUCT, _NEG, _POWER, _ATOM = range(5)


@functools.lru_cache(maxsize=1024)  # a long answer repeats its numbers: each written once
def number_latex(value: float) -> str:
    """0.000438568 -> 4.38568 \\times 10^{-4}; plain digits for everyday sizes."""
    if value == 2:  # x², the most common exponent
        return "2"
    if value == 0 or 1e-3 <= abs(value) < 1e6 or not math.isfinite(value):
        return f"{value:.10g}".replace("inf", r"\infty")
    mantissa, exponent = f"{value:.9e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _operation_latex(op, order: int, arg: str) -> str:
    """A registry operation applied to arg, in the registry's LaTeX: \\sigma(z), e^{z}, and
    its slope symbol (\\sigma', \\tanh', \\mathrm{GELU}') for f'(z)."""
    head, paren, _ = op.latex.partition("({0})")
    head = head.replace("{{", "{").replace("}}", "}") if paren else rf"\operatorname{{{op.symbol}}}"
    if order:
        symbol = getattr(op, "slope_symbol_latex", "") or head + "'"
        return rf"{symbol}\left({arg}\right)"
    if op.latex == "{0}":  # the identity
        return rf"\left({arg}\right)"
    if paren or op.arity != 1:
        return rf"{head}\left({arg}\right)"
    return op.write([arg if "^" in op.latex else rf"\left({arg}\right)"], latex=True)


def to_latex(node, name: Callable[[str], str] | None = None) -> str:
    """LaTeX of a tree from :func:`~.parser.parse`.

    ``name`` maps a typed name to the name to show (for example ``out_h1`` -> ``h1``);
    by default names are shown as typed.
    """
    show = name or (lambda text: text)
    return _Writer(show).write(node)


class _Writer:
    def __init__(self, show: Callable[[str], str]):
        self.show = show
        self.names: dict[str, str] = {}  # a name repeated 10,000 times is written once

    def name(self, text: str) -> str:
        written = self.names.get(text)
        if written is None:
            shown = self.show(text)
            if "^" in shown:  # a layer-numbered name, already LaTeX: a^{2}_{1}, delta^{3}_{1}
                written = self.names[text] = _layered_latex(shown)
                return written
            written = self.names[text] = _CONSTANTS.get(shown) or latex_name(shown)
        return written

    def write(self, node) -> str:
        kind = type(node)  # the common leaves first, without a chain of isinstance tests
        if kind is Name:
            return self.name(node.text)
        if kind is Num:
            return number_latex(node.value)
        if kind is Power:
            return f"{self.wrap(node.base, _ATOM)}^{{{self.write(node.exponent)}}}"
        if isinstance(node, Num):
            return number_latex(node.value)
        if isinstance(node, Name):
            return self.name(node.text)
        if isinstance(node, Partial):
            return (
                rf"\frac{{\partial {self.name(node.num.text)}}}"
                rf"{{\partial {self.name(node.den.text)}}}"
            )
        if isinstance(node, Differential):
            return rf"\partial {self.name(node.name.text)}"
        if isinstance(node, Call):
            if node.func in OPERATIONS:
                return _operation_latex(OPERATIONS[node.func], node.order, self.write(node.arg))
            func = _FUNCTIONS[node.func] + "'" * node.order
            if node.func == "sqrt":
                return rf"{func}{{{self.write(node.arg)}}}"
            return rf"{func}\left({self.write(node.arg)}\right)"
        if isinstance(node, IndexSum):
            low = "" if node.low is None else f"={node.low}"
            high = "" if node.high is None else f"^{{{node.high}}}"
            return rf"\sum_{{{node.index}{low}}}{high} {self.wrap(node.summand, _PRODUCT)}"
        if isinstance(node, Compare):
            return f"{self.write(node.left)} {_COMPARISONS[node.op]} {self.write(node.right)}"
        if isinstance(node, Neg):
            return "-" + self.wrap(node.operand, _POWER)
        if isinstance(node, Power):
            return f"{self.wrap(node.base, _ATOM)}^{{{self.write(node.exponent)}}}"
        if isinstance(node, Sum):
            out = [self.wrap(node.terms[0][1], _PRODUCT)]
            for sign, term in node.terms[1:]:
                out += (f" {sign} ", self.wrap(term, _PRODUCT))
            return "".join(out)
        if isinstance(node, Product):
            return self.product(node)
        return "?"

    def product(self, node: Product) -> str:
        """One fraction: the factors multiplied over the factors divided by.

        ``a/b*c/d`` is ``\\frac{a c}{b d}``, exactly its value; one \\frac, not one per
        division, so that a long chain of divisions is written in linear time and shown flat.
        """
        top = [factor for op, factor in node.factors if op != "/"]
        bottom = [factor for op, factor in node.factors if op == "/"]
        if not bottom:
            return self.times(top)
        under = self.write(bottom[0]) if len(bottom) == 1 else self.times(bottom)
        return rf"\frac{{{self.times(top)}}}{{{under}}}"

    def times(self, factors: list) -> str:
        out = [self.wrap(factors[0], _NEG)]  # joined once: linear however long
        for factor in factors[1:]:
            if isinstance(factor, Partial):
                out += (" ", self.write(factor))
            else:
                out += (r" \cdot ", self.wrap(factor, _POWER))
        return "".join(out)

    def wrap(self, node, least: int) -> str:
        text = self.write(node)
        return rf"\left({text}\right)" if _strength(node) < least else text


def _layered_latex(text: str) -> str:
    """a^{2}_{1} as it is; δ for delta; a d-name (CS231n's da^{2}_{1}) with an upright d."""
    head = "\\mathrm{d}" if text.startswith("d") and not text.startswith("delta") else ""
    body = text[1:] if head else text
    return head + (r"\delta " + body[5:] if body.startswith("delta") else body)


def _strength(node) -> int:
    kind = type(node)
    if kind is Name or (kind is Num and node.value >= 0):  # most nodes of a long answer
        return _ATOM
    if isinstance(node, (Sum, Compare, IndexSum)):  # shown in brackets inside a product
        return _SUM
    if isinstance(node, Product):
        return _PRODUCT
    if isinstance(node, Neg):
        return _NEG
    if isinstance(node, Power):
        return _POWER
    if isinstance(node, Num) and node.value < 0:
        return _NEG
    return _ATOM
