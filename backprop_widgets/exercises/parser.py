"""Read tokens into a small expression tree, by recursive descent; nothing is ever run.

Grammar (lowest precedence first)::

    answer  := side ('=' side)*
    side    := product (('+' | '-') product)*
    product := unary (('*' | '/' | <nothing>) unary)*       # 2x and ∂a/∂b ∂b/∂c multiply
    unary   := ('-' | '+') unary | power
    power   := primary ('^' unary)?                          # right-associative: 2^3^2 = 2^9
    primary := number | name | function ['^' unary] ('(' group ')' | unary) | '(' group ')'
             | '{' group '}' | \\frac{side}{side} | leibniz
    group   := side [('<' | '>' | '<=' | '>=') side]            # (net_h1 > 0) is 1 or 0
    primary := ... | 'Σ_k' product                               # the rest of the product
    leibniz := diff '/' diff | \\frac{diff}{diff}
    diff    := '∂' name | 'd' name | d<name>                  # ∂h1, d h1, dh1

A Leibniz fraction is one atom, so ``∂h1/∂w1 ∂o1/∂h1`` is a product of two factors, not
``((∂h1/∂w1) ∂o1) / ∂h1``. ``dh1`` reads as a differential only when it is not itself a
known name and it stands in a fraction of differentials.

Sums and products are stored flat (one node for ``a + b + c``), so a long answer makes
a wide tree, not a deep one; nesting (brackets, signs, powers, calls) is limited to
:data:`MAX_DEPTH` levels, so reading is linear in the length and never exhausts the stack.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, field

from ..core.ops import OPERATIONS
from .tokens import (
    CLOSE,
    CLOSING,
    CMP,
    END,
    EQ,
    FRAC,
    NABLA,
    NAME,
    NUM,
    OP,
    OPEN,
    PARTIAL,
    SUM_OVER,
    AnswerSyntaxError,
    Token,
    name_key,
    tokenize,
    where,
)

MAX_DEPTH = 60

# Function names as typed (lower case, without primes) -> the canonical name. Every
# operation of the core's registry a student may apply to one number (an elementwise
# activation, exp, log; softmax, read at a unit by .notation) is listed under its typed
# names and canonical registry name: nothing here repeats what an operation is.
FUNCTIONS = {
    typed: op.name
    for op in OPERATIONS.values()
    if op.name in ("exp", "log") or op.kind == "activation"
    for typed in op.typed_names
}
# Reader vocabulary that is not an operation of the graph: sqrt, Heaviside's step (relu's
# slope), sech/cosh/sinh (tanh's slope as sech²), and "act", a textbook's generic
# activation f(net_h1) or f'(net_h1): the unit's own activation and slope (read by
# .notation). sigma is also read that way at a unit whose activation is not the sigmoid
# (Nielsen's generic σ).
FUNCTIONS |= {
    "sqrt": "sqrt", "heaviside": "step", "step": "step", "sech": "sech", "cosh": "cosh",
    "sinh": "sinh", "f": "act", "g": "act", "phi": "act", "varphi": "act",
}  # fmt: skip
CASED_FUNCTIONS = {"H": "step"}


@dataclass(frozen=True)
class Num:
    value: float
    text: str
    pos: int


@dataclass(frozen=True)
class Name:
    text: str
    pos: int

    @property
    def key(self) -> str:
        return name_key(self.text)


@dataclass(frozen=True)
class Partial:
    """A Leibniz factor d num / d den."""

    num: Name
    den: Name
    pos: int
    end: int
    typed: str = field(default="", compare=False)  # "∇" for Goodfellow's ∇_{den} num


@dataclass(frozen=True)
class Differential:
    """``∂h1`` on its own; only valid as half of a fraction."""

    name: Name
    pos: int


@dataclass(frozen=True)
class Call:
    func: str  # canonical: a registry operation (sigmoid, tanh, exp, ...), sqrt, step, act
    order: int  # 0 for f(z), 1 for f'(z)
    arg: object
    pos: int
    # the name as typed, without primes: sigma and sigmoid differ in notation, not in value
    typed: str = field(default="", compare=False)


@dataclass(frozen=True)
class Neg:
    operand: object
    pos: int


@dataclass(frozen=True)
class Sum:
    terms: tuple  # ((sign, node), ...) with sign "+" or "-"


@dataclass(frozen=True)
class Product:
    factors: tuple  # ((op, node), ...) with op "*", "/" or "" (implicit); the first op is "*"


@dataclass(frozen=True)
class Compare:
    """``(left > right)``: 1 when it holds, else 0 (the indicator in relu' = (z > 0))."""

    left: object
    op: str  # one of < > <= >=
    right: object
    pos: int


@dataclass(frozen=True)
class IndexSum:
    """``Σ_k summand``: a sum over an index that ranges over one layer's units (``o_k``).

    ``low`` and ``high`` when the range is written (``Σ_{k=1}^{2}``); :mod:`.notation`
    expands it with the network's names before judging.
    """

    index: str
    low: int | None
    high: int | None
    summand: object
    pos: int


@dataclass(frozen=True)
class Power:
    base: object
    exponent: object
    pos: int


def parse(text: str, known: Collection[str] = ()) -> list:
    """The sides of the answer (one unless it contains '='). Raises AnswerSyntaxError.

    ``known`` holds the keys (see :func:`~.tokens.name_key`) of names that must not be
    read as a ``d``-differential: if the network had a node ``dx``, ``dx/dw1`` would
    be a division.

    >>> parse("dh1/dw1 * 2")[0].factors[1]
    ('*', Num(value=2.0, text='2', pos=10))
    """
    known = frozenset(known)
    return _Parser(_read_times_and_groups(tokenize(text), known), known).answer()


_AFTER_A_NUMBER = frozenset((NAME, NUM))  # x in 8.095 x 10^-3; a second number (digit groups)


def _read_times_and_groups(tokens: list[Token], known: frozenset[str]) -> list[Token]:
    """Two readings a student means but the grammar would get wrong.

    ``8.095 x 10^-3``: an ``x`` between numbers is a times sign, unless the network has a
    quantity named x; then the student is asked which was meant. ``0.000 438 568``: numbers
    side by side are digit groups, never a product, and are refused with the reason.
    """
    out: list[Token] = []
    previous = ""
    for k, tok in enumerate(tokens):
        kind, previous = previous, tok.kind  # kind: the kind of the token before
        if kind != NUM or previous not in _AFTER_A_NUMBER:  # most tokens: copied in one step
            out.append(tok)
            continue
        before = tokens[k - 1] if k > 0 else None
        after = tokens[k + 1] if k + 1 < len(tokens) else None
        between_numbers = (
            before is not None and after is not None and before.kind == NUM and after.kind == NUM
        )
        if tok.kind == NAME and tok.text in ("x", "X") and between_numbers:
            if name_key(tok.text) in known:
                raise AnswerSyntaxError(
                    f"'{tok.text}' between two numbers {where(tok.pos)} could be a times sign "
                    f"or this network's {tok.text}: write * (or ×) for times, or "
                    f"{before.text} * {tok.text} * {after.text} to use {tok.text}",
                    tok.pos,
                )
            tok = Token(OP, "*", tok.pos, tok.end)
        elif (
            tok.kind == NUM
            and before is not None
            and before.kind == NUM
            and not (k > 1 and tokens[k - 2].pos == before.pos)  # 1²1: ^ and ² at one place
        ):
            run, j = [before, tok], k + 1
            while tokens[j].kind == NUM:  # the last token is END, never a number
                run.append(tokens[j])
                j += 1
            typed = " ".join(t.text for t in run)
            raise AnswerSyntaxError(
                f"two numbers side by side {where(before.pos)} ('{typed}'): digits grouped "
                "with spaces are not read, since they could also be a product; write the "
                f"number without spaces ({''.join(t.text for t in run)}), or * to multiply",
                before.pos,
            )
        out.append(tok)
    return out


def walk(node):
    """Every node of the tree, parents before children (iterative: no recursion limit)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        if type(node) in _LEAVES:  # most nodes of a long answer: no children to look for
            continue
        if isinstance(node, Sum):
            stack.extend(n for _, n in reversed(node.terms))
        elif isinstance(node, Product):
            stack.extend(n for _, n in reversed(node.factors))
        elif isinstance(node, Power):
            stack.extend((node.exponent, node.base))
        elif isinstance(node, Compare):
            stack.extend((node.right, node.left))
        elif isinstance(node, IndexSum):
            stack.append(node.summand)
        elif isinstance(node, (Neg,)):
            stack.append(node.operand)
        elif isinstance(node, Call):
            stack.append(node.arg)


_LEAVES = frozenset((Num, Name, Partial, Differential))


@functools.lru_cache(maxsize=1024)
def function_of(text: str) -> tuple[str, int] | None:
    """(canonical function, derivative order) for a function name such as ``σ'``."""
    bare = text.rstrip("'")
    func = FUNCTIONS.get(bare.lower()) or CASED_FUNCTIONS.get(bare)
    return (func, len(text) - len(bare)) if func else None


def _describe(tok: Token) -> str:
    if tok.kind == END:
        return "the end of the answer"
    return f"{tok.text!r} {where(tok.pos)}"


_OPERANDS = frozenset(
    (NUM, NAME, PARTIAL, FRAC, OPEN, SUM_OVER, NABLA)
)  # kinds that start an operand


class _Parser:
    def __init__(self, tokens: list[Token], known: frozenset[str]):
        self.toks = tokens
        self.i = 0
        self.known = known
        self.depth = 0

    # ------------------------------------------------------------ helpers
    def peek(self, k: int = 0) -> Token:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else self.toks[-1]  # past the end: END

    def advance(self) -> Token:
        tok = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def is_op(self, tok: Token, ops: str) -> bool:
        return tok.kind == OP and tok.text in ops

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerSyntaxError(
                f"the answer is nested too deeply (more than {MAX_DEPTH} levels of brackets, "
                f"signs or powers) {where(self.peek().pos)}",
                self.peek().pos,
            )

    def starts_operand(self, tok: Token) -> bool:
        return tok.kind in _OPERANDS

    # ------------------------------------------------------------ grammar
    def answer(self) -> list:
        sides = [self.side()]
        while self.peek().kind == EQ:
            self.advance()
            sides.append(self.side())
        tok = self.peek()
        if tok.kind != END:
            if tok.kind == CLOSE:
                raise AnswerSyntaxError(
                    f"unexpected {tok.text!r} {where(tok.pos)}: there is no open bracket to close",
                    tok.pos,
                )
            raise AnswerSyntaxError(f"unexpected {_describe(tok)}", tok.pos)
        return sides

    def side(self):
        terms = [("+", self.product())]
        while self.is_op(self.peek(), "+-"):
            terms.append((self.advance().text, self.product()))
        return terms[0][1] if len(terms) == 1 else Sum(tuple(terms))

    def product(self):
        factors = [("*", self.unary())]
        toks = self.toks
        while True:
            tok = toks[self.i]
            if tok.kind == OP and tok.text in ("*", "/"):
                self.advance()
                factors.append((tok.text, self.factor()))
            elif tok.kind in _OPERANDS:
                factors.append(("", self.factor()))
            else:
                break
        return factors[0][1] if len(factors) == 1 else Product(tuple(factors))

    def factor(self):
        """A later factor of a product: :meth:`unary`, with a shortcut for a plain number or
        name not raised to a power (most factors of a long product), read in a few steps."""
        atom = self.atom()
        if atom is None:
            return self.unary()
        nxt = self.toks[self.i + 1]
        if not (nxt.kind == OP and nxt.text == "^"):
            self.i += 1
            return atom
        self.enter()  # x^2, x²: as unary and power would read it
        self.i += 2
        exponent = self.plain_exponent()
        node = Power(atom, exponent if exponent is not None else self.unary(), nxt.pos)
        self.depth -= 1
        return node

    def plain_exponent(self):
        """x^2, x^(2), x², x^-1, x⁻¹: an exponent that is an atom, perhaps signed, bare or
        alone in brackets, and not itself raised to a power, read and moved past; else None,
        not moving. The depth allowed is :meth:`unary`'s, which reads every other exponent."""
        toks, start = self.toks, self.i
        i, depth = start, self.depth + 1  # the exponent's own unary
        bracket = toks[i].kind == OPEN
        if bracket:
            i, depth = i + 1, depth + 1  # the unary of the product inside
        sign = toks[i]
        signed = sign.kind == OP and sign.text in ("+", "-")
        if signed:
            i, depth = i + 1, depth + 1
        if depth > MAX_DEPTH:
            return None
        self.i = i
        atom = self.atom()
        end = i + 1
        if atom is not None and bracket:
            closing = toks[end]
            if closing.kind == CLOSE and closing.text == CLOSING[toks[start].text]:
                end += 1
            else:
                atom = None
        if atom is None or (toks[end].kind == OP and toks[end].text == "^"):
            self.i = start
            return None
        self.i = end
        return Neg(atom, sign.pos) if signed and sign.text == "-" else atom

    def atom(self) -> Num | Name | None:
        """The number or plain name at the current token (not a function, not the start of
        a Leibniz fraction), without moving on; else None."""
        tok = self.toks[self.i]
        if tok.kind == NUM:
            return Num(tok.value, tok.text, tok.pos)
        if (
            tok.kind == NAME
            and not self.may_start_leibniz(tok)
            and (function_of(tok.text) is None or tok.key in self.known)
        ):
            return Name(tok.text, tok.pos)
        return None

    def unary(self):
        self.enter()
        tok = self.peek()
        if self.is_op(tok, "+-"):
            self.advance()
            operand = self.unary()
            node = Neg(operand, tok.pos) if tok.text == "-" else operand
        else:
            node = self.power()
        self.depth -= 1
        return node

    def power(self):
        base = self.primary()
        tok = self.peek()
        if self.is_op(tok, "^"):
            self.advance()
            return Power(base, self.unary(), tok.pos)
        return base

    def primary(self):
        tok = self.peek()
        leibniz = self.leibniz() if self.may_start_leibniz(tok) else None
        if leibniz is not None:
            node = leibniz
        elif tok.kind == NUM:
            self.advance()
            node = Num(tok.value, tok.text, tok.pos)
        elif tok.kind == SUM_OVER:
            node = self.index_sum()
        elif tok.kind == NABLA:
            node = self.nabla()
        elif tok.kind == NAME:
            node = self.name_or_call()
        elif tok.kind == OPEN:
            node = self.group()
        elif tok.kind == FRAC:
            node = self.frac()
        elif tok.kind == PARTIAL:
            raise AnswerSyntaxError(
                f"∂ {where(tok.pos)} must start a fraction of two differentials, like ∂h1/∂w1",
                tok.pos,
            )
        elif tok.kind == CLOSE:
            raise AnswerSyntaxError(
                f"unexpected {tok.text!r} {where(tok.pos)}: something is missing before it",
                tok.pos,
            )
        elif tok.kind == END:
            before = self.toks[self.i - 1] if self.i > 0 else None
            after = f" after {before.text!r}" if before is not None else ""
            raise AnswerSyntaxError(
                f"the answer ends too early: something is missing{after} {where(tok.pos)}",
                tok.pos,
            )
        else:
            raise AnswerSyntaxError(
                f"unexpected {_describe(tok)}: a number, a name or a bracket should come here",
                tok.pos,
            )
        return node

    def name_or_call(self):
        tok = self.advance()
        func = function_of(tok.text)
        if func is None or tok.key in self.known:
            return Name(tok.text, tok.pos)
        name, order = func
        if tok.text in CASED_FUNCTIONS and self.peek().kind != OPEN:
            return Name(tok.text, tok.pos)  # H alone is a name; only H(...) is the step
        if order > 1:
            raise AnswerSyntaxError(
                f"{tok.text} {where(tok.pos)}: only first derivatives such as {name}' are "
                "supported",
                tok.pos,
            )
        exponent = None
        if self.is_op(self.peek(), "^"):  # sech²(z), tanh^2(z): the power of the value
            self.advance()
            exponent = self.unary()
        nxt = self.peek()
        if nxt.kind == OPEN:
            arg = self.group()
        elif self.starts_operand(nxt):
            arg = self.unary()
        else:
            raise AnswerSyntaxError(
                f"{tok.text} {where(tok.pos)} needs an argument in brackets, "
                f"as in {tok.text}(net_h1)",
                tok.pos,
            )
        call = Call(name, order, arg, tok.pos, tok.text.rstrip("'"))
        return call if exponent is None else Power(call, exponent, tok.pos)

    def group(self):
        toks, i = self.toks, self.i
        if (  # (2), the exponent of x²: one atom in brackets, read directly
            toks[i + 1].kind in (NUM, NAME)
            and toks[i + 2].kind == CLOSE
            and toks[i + 2].text == CLOSING[toks[i].text]
            and self.depth < MAX_DEPTH
        ):
            self.i = i + 1
            atom = self.atom()
            if atom is not None:
                self.i = i + 3
                return atom
            self.i = i
        open_tok = self.advance()
        if self.peek().kind == CLOSE:
            raise AnswerSyntaxError(f"empty brackets {where(open_tok.pos)}", open_tok.pos)
        inner = self.side()
        cmp = self.peek()
        if cmp.kind == CMP:  # (net_h1 > 0): only inside brackets, where it is unambiguous
            self.advance()
            inner = Compare(inner, cmp.text, self.side(), cmp.pos)
        self.close(open_tok)
        return inner

    def close(self, open_tok: Token) -> None:
        tok = self.peek()
        want = CLOSING[open_tok.text]
        if tok.kind == CLOSE and tok.text == want:
            self.advance()
            return
        if tok.kind == CLOSE:
            raise AnswerSyntaxError(
                f"the bracket {open_tok.text!r} {where(open_tok.pos)} is closed by "
                f"{tok.text!r} {where(tok.pos)}; expected {want!r}",
                tok.pos,
            )
        if tok.kind == END:
            raise AnswerSyntaxError(
                f"the bracket {open_tok.text!r} opened {where(open_tok.pos)} is never closed",
                open_tok.pos,
            )
        raise AnswerSyntaxError(
            f"unexpected {_describe(tok)}: expected {want!r} to close the bracket "
            f"{open_tok.text!r} {where(open_tok.pos)}",
            tok.pos,
        )

    def index_sum(self) -> IndexSum:
        """Σ_k and the rest of the product after it, its summand (up to the next + or -)."""
        tok = self.advance()
        index, _, rest = tok.text.partition("=")
        index, _, high = index.partition("^")
        low, _, high2 = rest.partition("^")
        high = high or high2
        summand = self.product()
        return IndexSum(
            index, int(low) if low else None, int(high) if high else None, summand, tok.pos
        )

    def frac(self):
        frac_tok = self.advance()
        halves = []
        for _ in range(2):
            tok = self.peek()
            if not (tok.kind == OPEN and tok.text == "{"):
                raise AnswerSyntaxError(
                    f"\\frac {where(frac_tok.pos)} needs two groups in braces, "
                    "as in \\frac{\\partial h_1}{\\partial w_1}",
                    frac_tok.pos,
                )
            diff = self.differential(self.i + 1)
            if diff is not None and self.toks[diff[1]].kind == CLOSE:
                self.i = diff[1]
                self.close(tok)
                halves.append(Differential(diff[0], tok.pos))
            else:
                halves.append(self.group())
        num, den = halves
        if isinstance(num, Differential) and isinstance(den, Differential):
            return Partial(num.name, den.name, frac_tok.pos, self.toks[self.i - 1].end)
        if isinstance(num, Differential) or isinstance(den, Differential):
            odd = num if isinstance(num, Differential) else den
            raise AnswerSyntaxError(
                f"∂{odd.name.text} {where(odd.pos)} must be paired with a differential in the "
                "other half of the fraction, as in \\frac{\\partial h_1}{\\partial w_1}",
                odd.pos,
            )
        return Product((("*", num), ("/", den)))

    def nabla(self) -> Partial:
        """Goodfellow's ∇_{w1} J: ∂J/∂w1, the name after ∇ differentiated by its subscript."""
        tok = self.advance()
        found = self.bare_name(self.i)
        if found is None:
            nxt = self.peek()
            raise AnswerSyntaxError(
                f"∇_{tok.text} {where(tok.pos)} needs the quantity it differentiates after it, "
                f"as in ∇_{{{tok.text}}} J; found {_describe(nxt)}",
                nxt.pos,
            )
        name, self.i = found
        return Partial(name, Name(tok.text, tok.pos), tok.pos, self.toks[self.i - 1].end, "∇")

    # ------------------------------------------------------------ Leibniz
    def may_start_leibniz(self, tok: Token) -> bool:
        """A cheap test first: only ∂, d, or a d-name followed by '/' can start a fraction
        of differentials (a 10,000-factor product asks this once per factor)."""
        if tok.kind == PARTIAL:
            return True
        if tok.kind != NAME or not tok.text.startswith("d"):
            return False
        nxt = self.peek(1)
        if tok.text == "d":  # d h1 / d w1, d(h1)/d(w1)
            return nxt.kind in (NAME, OPEN)
        return nxt.kind == OP and nxt.text == "/"

    def leibniz(self) -> Partial | None:
        """``∂a/∂b``, ``da/db`` or ``d a / d b`` starting here, as one atom; else None."""
        top = self.differential(self.i)
        if top is None or not self.is_op(self.toks[top[1]], "/"):
            return None
        bottom = self.differential(top[1] + 1)
        if bottom is None:
            if self.toks[self.i].kind == PARTIAL:
                tok = self.toks[top[1] + 1]
                raise AnswerSyntaxError(
                    f"expected a differential such as ∂w1 after '/' {where(tok.pos)}", tok.pos
                )
            return None
        start = self.toks[self.i].pos
        self.i = bottom[1]
        return Partial(top[0], bottom[0], start, self.toks[self.i - 1].end)

    def differential(self, i: int) -> tuple[Name, int] | None:
        """A differential at token i: (the differentiated name, index after it), or None."""
        toks = self.toks
        tok = toks[i]
        if tok.kind == PARTIAL:
            found = self.bare_name(i + 1)
            if found is None:
                nxt = toks[min(i + 1, len(toks) - 1)]
                raise AnswerSyntaxError(
                    f"expected a name after ∂ {where(tok.pos)}, as in ∂h1; found {_describe(nxt)}",
                    nxt.pos,
                )
            return found
        if tok.kind != NAME or tok.key in self.known or not tok.text.startswith("d"):
            return None
        if tok.text == "d":
            return self.bare_name(i + 1)
        rest = tok.text[1:]
        if not rest[0].isalpha() and rest[0] != "_":
            return None
        return Name(rest, tok.pos + 1), i + 1

    def bare_name(self, i: int) -> tuple[Name, int] | None:
        """A name at token i, possibly in brackets: h1, (h1), {h_1}."""
        toks = self.toks
        if toks[i].kind == NAME:
            return Name(toks[i].text, toks[i].pos), i + 1
        if (
            toks[i].kind == OPEN
            and i + 2 < len(toks)
            and toks[i + 1].kind == NAME
            and toks[i + 2].kind == CLOSE
            and toks[i + 2].text == CLOSING[toks[i].text]
        ):
            return Name(toks[i + 1].text, toks[i + 1].pos), i + 3
        return None
