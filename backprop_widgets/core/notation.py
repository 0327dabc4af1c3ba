"""How names and local derivatives are written: plain text and LaTeX.

The same strings appear in the diagram, the formulas and typed answers: ``h1``, ``net_h1``
(a net input), ``delta_h1`` (dL/dh1), ``E_o1`` (the share of a summed loss that o1 carries).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import numbers

LOSS_NODE = "L"
NET_PREFIX = "net_"
DELTA_PREFIX = "delta_"
SHARE_PREFIX = "E_"  # E_o1: the part of a summed loss that output o1 carries

# Characters a node name may hold that LaTeX reads as commands or alignment.
_LATEX_SPECIAL = {c: "\\" + c for c in "_&%#$"}


def latex_name(name: str) -> str:
    """LaTeX for a node or parameter name: h1 -> h_{1}, net_h1 -> \\mathrm{net}_{h1}.

    A delta and a loss share get their textbook forms: delta_h1 -> \\delta_{h_{1}},
    E_o1 -> E_{o_{1}}.
    """
    if _is_number(name):  # a constant of a graph is named by its value: 0.5, -3, 1e-08
        return name
    for prefix, command in ((DELTA_PREFIX, r"\delta"), (SHARE_PREFIX, "E")):
        if name.startswith(prefix) and len(name) > len(prefix):
            return command + "_{" + latex_name(name[len(prefix) :]) + "}"
    if name.startswith(NET_PREFIX):
        return r"\mathrm{net}_{" + name[len(NET_PREFIX) :] + "}"
    head, sep, tail = name.partition("_")
    if sep and _is_indexed(head) and _is_indexed(tail):  # w1_i1, a product node: w₁i₁
        return latex_name(head) + latex_name(tail)
    stem = name.rstrip("0123456789")
    digits = name[len(stem) :]
    stem = "".join(_LATEX_SPECIAL.get(c, c) for c in stem)
    return f"{stem}_{{{digits}}}" if digits and stem else stem or digits


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_indexed(part: str) -> bool:
    """A letter stem with a number, as h1 or w12 (a name latex_name writes as h_{1})."""
    stem = part.rstrip("0123456789")
    return stem.isalpha() and len(stem) < len(part)


@dataclass(frozen=True)
class Factor:
    """One local derivative d num / d den on a path, with its value at this example."""

    num: str
    den: str
    value: float

    def text(self) -> str:
        return f"d{self.num}/d{self.den}"

    def latex(self) -> str:
        return rf"\frac{{\partial {latex_name(self.num)}}}{{\partial {latex_name(self.den)}}}"

    def __str__(self) -> str:
        return self.text()


def delta_symbol(node: str) -> str:
    return DELTA_PREFIX + node


@dataclass(frozen=True)
class DeltaEquation:
    """delta_node = d end / d node = sum over children c of (dc/d node) * delta_c."""

    node: str
    value: float
    terms: tuple[tuple[Factor, str], ...]  # (dc/d node, c); empty for the end itself
    child_deltas: tuple[float, ...] = ()  # delta_c of each term's child (1 for the end)
    end: str = LOSS_NODE

    def text(self, digits: int | None = None) -> str:
        if not self.terms:
            return f"d{self.end}/d{self.node} = 1"
        if [c for _, c in self.terms] == [
            self.end
        ]:  # one edge into the end: its delta is that edge
            value = self.terms[0][0].text() if digits is None else numbers.plain(self.value, digits)
            return f"{delta_symbol(self.node)} = {value}"
        if digits is None:
            body = " + ".join(
                f"{f.text()} * {delta_symbol(c)}" if c != self.end else f.text()
                for f, c in self.terms
            )
        else:
            body = " + ".join(
                numbers.signed(f.value, digits)
                if c == self.end
                else f"{numbers.signed(f.value, digits)} * {numbers.signed(delta, digits)}"
                for (f, c), delta in zip(self.terms, self.child_deltas, strict=True)
            )
            body += f" = {numbers.plain(self.value, digits)}"
        return f"{delta_symbol(self.node)} = {body}"
