"""Split a typed answer into tokens: numbers, names, operators, brackets, ∂ and \\frac.

One left-to-right pass with anchored regular expressions, so the work is linear in the
length of the text. Three notations are read into the same tokens:

- ASCII: ``dh1/dw1 * do1/dh1``, ``sigma'(net_h1)``, ``4.38568e-4``, ``x**2``;
- Unicode: ``∂h1/∂w1``, ``−`` (minus), ``×`` ``·`` ``÷``, ``σ``, ``h₁``, ``10⁻⁴``, ``y′``;
- LaTeX: ``\\frac{\\partial h_1}{\\partial w_1}``, ``h_{1}``, ``\\cdot``, ``\\times``,
  ``\\left( \\right)``, ``\\sigma``, ``\\mathrm{net}_{h1}``, ``y^{\\prime}``.

Before reading, the text is normalised (:func:`normalize`): NFKC, so that full-width digits
from an input method (``４.３８５６８e-4``) and mathematical letters (``𝑤₁``) read as plain
ones, and invisible marks pasted with a number (zero-width spaces and joiners, direction
marks and overrides, a byte-order mark) are removed. Superscripts, subscripts and primes are
kept as typed: ``10⁻⁴`` is an exponent and ``h₁`` a subscript, not ``10-4`` and ``h1``'s
digit run.

Scientific notation is one number: ``4.386e-4``, ``4.386E-4``, ``4.386x10^-4``,
``4.386 × 10^(-4)``, ``4.386·10⁻⁴``, ``4.386 \\times 10^{-4}``; so ``1/4.386×10^-4`` divides
by 0.0004386, as it is meant. A plain ``*`` keeps its arithmetic reading (``4.386*10**-4``
is a product, with the usual precedence). ``x`` counts as a times sign here only when it
touches both the number and the 10 (``4.386x10^-4``): with spaces, ``4.386 x 10^-4`` is
read by :func:`~.parser.parse`, which asks when the network has a quantity named x.

Every position in a token (and in an :class:`AnswerSyntaxError`) is a 0-based index into
the text exactly as typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from ..core.ops import OPERATIONS

NUM, NAME, PARTIAL, FRAC, OP, OPEN, CLOSE, EQ, CMP, SUM_OVER, NABLA, END = (
    "number", "name", "partial", "frac", "operator", "open", "close", "equals", "compare",
    "sum over", "nabla", "end",
)  # fmt: skip

CLOSING = {"(": ")", "[": "]", "{": "}"}

# One character for one character, so that positions in the translated text are
# positions in the typed text.
_SAME_WIDTH = str.maketrans(
    {
        **dict.fromkeys("\u2212\u2010\u2011\u2012\u2013\u2014\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00d7\u00b7\u22c5\u2219\u2217\u2715\u2716\u2062\uff0a", "*"),
        **dict.fromkeys("\u00f7\u2215\u2044", "/"),
        **dict.fromkeys("\u2032\u2019\u02b9", "'"),
        **dict.fromkeys("\U0001d715\U0001d6db\U0001d74f\U0001d789\U0001d7c3", "\u2202"),
        "\uff08": "(", "\uff09": ")", "\uff0b": "+", "\uff1d": "=", "\u2044": "/",
    }
)  # fmt: skip

_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = "0123456789"
# Name characters; an underscore that opens a LaTeX subscript (_{ or _\) is left for _tail.
_NAME_CHARS = re.compile(r"(?:[A-Za-z0-9]|_(?![{\\]))+")
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
# What may continue a name (see _tail): name characters, subscript digits, _{, primes.
_TAIL_START = _NAME_START | frozenset("0123456789₀₁₂₃₄₅₆₇₈₉'^")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUPERSCRIPT_DIGITS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹")
_PRIMES = ("'", "^{\\prime}", "^\\prime", "^{'}", "^{\\prime\\prime}")

_FRAC_COMMANDS = {"frac", "dfrac", "tfrac"}
_TIMES_COMMANDS = {"cdot", "times", "ast", "cdotp", "bullet"}
_SKIPPED_COMMANDS = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "Biggl", "Biggr", "quad", "qquad", "displaystyle", "textstyle",
    ",", ";", ":", "!", " ",
}  # fmt: skip
# Commands read as names: the registry's function names that are LaTeX words (\\sigma, \\exp,
# \\log, \\ln, \\tanh, and \\relu or \\gelu as some students write them), and the reader's own.
_NAME_COMMANDS = {
    typed
    for op in OPERATIONS.values()
    if op.name in ("exp", "log") or op.kind == "activation"
    for typed in op.typed_names
    if typed.isascii() and typed.isalpha()
} | {"pi", "sqrt", "delta", "phi", "varphi", "cosh", "sinh"}
# Comparisons, as in the indicator (net_h1 > 0) of relu's slope
_COMPARE_COMMANDS = {"gt": ">", "lt": "<", "geq": ">=", "ge": ">=", "leq": "<=", "le": "<="}
_GREEK = {"σ": "sigma", "π": "pi", "δ": "delta", "φ": "phi", "ϕ": "phi"}
_WRAPPER_COMMANDS = {"mathrm", "text", "operatorname", "mathit", "textrm", "mathbf", "rm"}
_INDICATOR_COMMANDS = {"mathbb", "mathbf", "mathds", "mathbbm"}


class AnswerSyntaxError(Exception):
    """The text cannot be read. ``position`` is a 0-based index into the typed text."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message = message
        self.position = position


class Token(NamedTuple):
    """One token. For a name, ``text`` is the name with LaTeX braces removed (``h_1``).

    A tuple, not a dataclass: a 10,000-character answer makes thousands of tokens, and a
    tuple is built several times faster.
    """

    kind: str
    text: str
    pos: int
    end: int
    value: float = 0.0

    @property
    def key(self) -> str:
        return name_key(self.text)


def name_key(text: str) -> str:
    """How names are compared: ``h_{1}``, ``h_1`` and ``h1`` are the same name."""
    return text.replace("_", "")


def where(pos: int) -> str:
    return f"at character {pos + 1}"


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text``, ending with an END token. Raises :class:`AnswerSyntaxError`.

    >>> [t.text for t in tokenize("∂h₁/∂w₁ · 2")]
    ['∂', 'h1', '/', '∂', 'w1', '*', '2', '']
    """
    normal, origin = normalize(text)
    if origin is None:
        return _read(normal)
    try:
        tokens = _read(normal)
    except AnswerSyntaxError as err:
        # the reader counted in the normalised text: say where in the typed one
        typed = origin[min(err.position, len(normal))]
        message = err.message.replace(where(err.position), where(typed))
        raise AnswerSyntaxError(message, typed) from None
    return [tok._replace(pos=origin[tok.pos], end=origin[tok.end]) for tok in tokens]


# Read by the tokenizer itself, so kept out of NFKC (which makes 10⁻⁴ into 10-4).
_KEPT = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻₀₁₂₃₄₅₆₇₈₉")
_INVISIBLE_TIMES = "\u2062"  # a times sign, kept as one (see _SAME_WIDTH)


def normalize(text: str) -> tuple[str, list[int] | None]:
    """NFKC without superscripts and subscripts, invisible marks removed; and where each
    character of the result (and its end) was typed, or None when nothing moved.

    >>> normalize("４.３８e-4")[0], normalize("0.5\u200f")
    ('4.38e-4', ('0.5', [0, 1, 2, 4]))
    """
    if text.isascii():
        return text, None
    # each distinct character normalised once: 10,000 typed σ are one look-up, not 10,000
    normal = {c: _normal_char(c) for c in set(text)}
    if all(len(part) == 1 for part in normal.values()):
        if all(c == part for c, part in normal.items()):
            return text, None
        return text.translate(str.maketrans(normal)), None
    parts = [normal[c] for c in text]
    origin = [k for k, part in enumerate(parts) for _ in part]
    origin.append(len(text))
    return "".join(parts), origin


@functools.lru_cache(maxsize=4096)
def _normal_char(c: str) -> str:
    """One typed character, normalised: '' for an invisible mark, else its NFKC form."""
    if c.isascii() or c in _KEPT or c == _INVISIBLE_TIMES:
        return c
    if unicodedata.category(c) == "Cf":  # format characters: zero-width, direction marks, BOM
        return ""
    return unicodedata.normalize("NFKC", c)


# One character, one token, whatever follows: the kind of each such character.
_SIMPLE = {
    **dict.fromkeys("+-/^", OP), **dict.fromkeys("([{", OPEN), **dict.fromkeys(")]}", CLOSE),
    "=": EQ, "\u2202": PARTIAL,
}  # fmt: skip
_new = tuple.__new__  # Token(...) without its keyword handling: the tokenizer's inner loop


def _read(text: str) -> list[Token]:
    """The tokens of a normalised text; positions index that text."""
    s = text.translate(_SAME_WIDTH)
    n = len(s)
    out: list[Token] = []
    i = 0
    while i < n:
        c = s[i]
        simple = _SIMPLE.get(c)
        if simple is not None:  # an operator or bracket: one token, found in one look-up
            out.append(_new(Token, (simple, c, i, i + 1, 0.0)))
            i += 1
        elif c.isspace():
            i += 1
        elif c in _DIGITS or (c == "." and _digit_at(s, i + 1)):
            tok = _number(s, text, i)
            out.append(tok)
            i = tok.end
        elif c in _NAME_START or c in _GREEK:
            head = _GREEK.get(c)
            j = i + 1
            if head is None:
                m = _NAME_CHARS.match(s, i)
                head, j = (m.group(), m.end()) if m else (c, i + 1)
            name, j = _tail(s, j, head)
            out.append(_new(Token, (NAME, name, i, j, 0.0)))
            i = j
        elif c in _ONE_SUPERSCRIPT and (i + 1 == n or s[i + 1] not in _ONE_SUPERSCRIPT):
            digit = _ONE_SUPERSCRIPT[c]  # x²: the common case, as _superscript reads it
            if digit is None:
                i = _superscript(s, i, out)
            else:
                out += (
                    _new(Token, (OP, "^", i, i + 1, 0.0)),
                    _new(Token, (NUM, digit, i, i + 1, float(digit))),
                )
                i += 1
        elif c == "\u2202":
            out.append(Token(PARTIAL, c, i, i + 1))
            i += 1
        elif c == "*" and s.startswith("**", i):
            out.append(Token(OP, "^", i, i + 2))
            i += 2
        elif c in "+-*/^":
            out.append(Token(OP, c, i, i + 1))
            i += 1
        elif c in "([{":
            out.append(Token(OPEN, c, i, i + 1))
            i += 1
        elif c in ")]}":
            out.append(Token(CLOSE, c, i, i + 1))
            i += 1
        elif c == "∇":
            tok = _nabla(s, i, i + 1)
            out.append(tok)
            i = tok.end
        elif c in "Σ∑":
            tok = _sum_over(s, i, i + 1)
            out.append(tok)
            i = tok.end
        elif c in "<>≤≥":
            j = i + 2 if s.startswith("=", i + 1) and c in "<>" else i + 1
            op = {"≤": "<=", "≥": ">="}.get(c, s[i:j])
            out.append(Token(CMP, op, i, j))
            i = j
        elif c == "=":
            out.append(Token(EQ, c, i, i + 1))
            i += 1
        elif c == "\\":
            i = _command(s, i, out)
        elif c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻":
            i = _superscript(s, i, out)
        elif c == "'":
            raise AnswerSyntaxError(
                f"unexpected quote ' {where(i)}: a ' may only follow a name, as a "
                "derivative mark (sigma'(z)) or in a node name (y')",
                i,
            )
        elif c == "," and out and out[-1].kind == NUM and _digit_at(s, i + 1):
            raise AnswerSyntaxError(
                f"unexpected ',' {where(i)}: use a point for decimals (0.5, not 0,5)", i
            )
        else:
            raise AnswerSyntaxError(f"unexpected character {c!r} {where(i)}", i)
    out.append(Token(END, "", n, n))
    return out


# "× 10^-4" after a mantissa: a times sign (x touching both sides; or × · ⋅ \times \cdot,
# checked in the typed text since the translation made them all *), then a power of 10.
_TIMES_TEN = re.compile(
    r"(?:[xX]|\s*(?:\*|\\times|\\cdot)\s*)10\s*(?:"
    r"(?:\^|\*\*)\s*(?:\(\s*(?P<p>[+-]?[0-9]+)\s*\)|\{\s*(?P<b>[+-]?[0-9]+)\s*\}|(?P<n>[+-]?[0-9]+))"
    r"|(?P<sup>[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))(?![0-9.⁰¹²³⁴⁵⁶⁷⁸⁹])"
)
_SCIENTIFIC_TIMES = frozenset("xX×·⋅∙\\")
_SCIENTIFIC_START = frozenset("xX*\\")  # what may follow a mantissa in _TIMES_TEN (or a space)


def _number(s: str, typed: str, i: int) -> Token:
    """A number at s[i], with its exponent: 4.386e-4, or 4.386 × 10^-4 read as one number.

    ``typed`` is the text before the one-for-one translation, where × and * still differ.
    """
    m = _NUMBER.match(s, i)
    text, end = m.group(), m.end()
    if end == len(s) or not (s[end] in _SCIENTIFIC_START or s[end].isspace()):
        return _new(Token, (NUM, text, i, end, float(text)))  # most numbers: no × 10^n after
    sci = None if "e" in text.lower() else _TIMES_TEN.match(s, end)
    if sci is not None:
        written = sci.group()
        sign = typed[end + len(written) - len(written.lstrip())]  # the times sign as typed
        if sign not in _SCIENTIFIC_TIMES:
            sci = None
    if sci is not None:
        exponent = sci.group("p") or sci.group("b") or sci.group("n")
        if exponent is None:
            exponent = sci.group("sup").translate(_SUPERSCRIPTS)
        value = float(f"{text}e{exponent}")
        return Token(NUM, s[i : sci.end()], i, sci.end(), value)
    return Token(NUM, text, i, end, float(text))


def _digit_at(s: str, i: int) -> bool:
    return i < len(s) and s[i] in _DIGITS


def _tail(s: str, i: int, name: str) -> tuple[str, int]:
    """Continue a name: more name characters, subscripts (_1, _{1}, ₁) and primes."""
    n = len(s)
    if i < n and s[i] not in _TAIL_START:  # the common case: the name ends here
        if s[i] in _SUPERSCRIPT_DIGITS and name in _LAYER_STEMS:  # a²₁; a² is a square
            return _unicode_layered(s, i, name) or (name, i)
        return name, i
    if i < n and s[i] in _SUBSCRIPT_CHARS and name in _LAYER_STEMS:  # a₁², w₁₁³, δ₁³
        layered = _unicode_sub_first(s, i, name)
        if layered is not None:
            return layered
    while i < n:
        m = None if name.endswith("'") else _NAME_CHARS.match(s, i)
        if m:
            name += m.group()
            i = m.end()
        elif s[i] in "₀₁₂₃₄₅₆₇₈₉" and not name.endswith("'"):
            name += s[i].translate(_SUBSCRIPT_DIGITS)
            i += 1
        elif s.startswith("_{", i) or s.startswith("_\\", i):
            layered = _layered_first_sub(s, i, name) if name in _LAYER_STEMS else None
            if layered is not None:  # w_{1,1}^{3}: Nielsen's weight, its subscript first
                return layered
            sub, i = _subscript(s, i + 1)
            name += "_" + sub
        elif s[i] in "'^":  # every prime starts with one of these
            prime = next((p for p in _PRIMES if s.startswith(p, i)), None)
            if prime is None:
                return _layered(s, i, name) or (name, i)
            name += "''" if prime.count("prime") == 2 else "'"
            i += len(prime)
        else:
            break
    return name, i


# ---------------------------------------------------------------- layer-numbered names
# Nielsen's a^l_j, z^l_j, δ^l_j, b^l_j, w^l_{jk} (and a_j^l, as LaTeX allows), 3Blue1Brown's
# a^(L), a^(L-1)_k: one name each, in one written form, a^{2}_{1} or a_{1}^{2} (the order
# typed, since a subscript first can also be a name squared: b_1^2). .layers reads them
# with the network; d-prefixed stems are their differentials (dz^3_1/dw^3_{11}).
_LAYER_STEMS = frozenset(d + stem for d in ("", "d") for stem in ("a", "z", "w", "b", "delta"))
# Goodfellow's activation h^(k): a layer-numbered name only with its layer in brackets
_BRACKETED_STEMS = frozenset(("h", "dh"))
_LAYER = r"(?:[0-9]+|[Ll](?:\s*-\s*[0-9]+)?|\(\s*(?:[0-9]+|L(?:\s*-\s*[0-9]+)?)\s*\))"
_INDEX = r"[0-9A-Za-z]{1,2}(?:\s*,\s*[0-9A-Za-z])?"
# ^2 ^L ^(L-1) ^{2} ^{L-1} ^{(L)}: a bare digit is one digit, and not a number's start (a^2.5)
_LAYER_SUP = re.compile(
    r"\^\s*(?:\{\s*(?P<braced>" + _LAYER + r")\s*\}"
    r"|(?P<paren>\(\s*(?:[0-9]+|L(?:\s*-\s*[0-9]+)?)\s*\))|(?P<bare>[0-9Ll])(?![0-9.]))"
)
_LAYER_SUB = re.compile(
    r"_\s*(?:\{\s*(?P<braced>" + _INDEX + r")\s*\}|(?P<bare>[0-9]{1,2}|[a-z]{1,2}))"
)
_NAMED_SUB = re.compile(r"(?P<stem>d?(?:a|z|w|b|delta))_(?P<sub>[0-9]{1,2}|[a-z]{1,2})")


def _layer_text(stem: str, sup: str | None, sub: str | None, sub_first: bool) -> str:
    sup = re.sub(r"\s+", "", sup or "")
    sub = None if sub is None else re.sub(r"\s+", "", sub)
    if sub is None:
        return f"{stem}^{{{sup}}}"
    return f"{stem}_{{{sub}}}^{{{sup}}}" if sub_first else f"{stem}^{{{sup}}}_{{{sub}}}"


def _layered(s: str, i: int, name: str) -> tuple[str, int] | None:
    """A layer-numbered name whose ^ is at s[i], or None (a power: a^2, h1^2)."""
    if name in _LAYER_STEMS or name in _BRACKETED_STEMS:
        stem, sub, sub_first = name, None, False
    else:
        named = _NAMED_SUB.fullmatch(name)
        if named is None:
            return None
        stem, sub, sub_first = named.group("stem"), named.group("sub"), True
    sup = _LAYER_SUP.match(s, i)
    if sup is None:
        return None
    layer = sup.group("braced") or sup.group("paren") or sup.group("bare")
    if stem in _BRACKETED_STEMS and not layer.startswith("("):
        return None  # h^2 is a square; Goodfellow's layers are in brackets, h^(2)
    j = sup.end()
    if sub is None:
        after = _LAYER_SUB.match(s, j)
        if after is not None:
            sub, j = after.group("braced") or after.group("bare"), after.end()
        elif layer[0].isdigit():
            return None  # a^2 alone is a square; only a^2_1 names a unit
    elif not _one_index_each(stem, sub):
        return None  # w_1^2: one index, so w1 squared; a_{11}^2 names no unit
    return _layer_text(stem, layer, sub, sub_first), j


_UNICODE_LAYERED = re.compile(r"(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)(?P<sub>[₀₁₂₃₄₅₆₇₈₉]{1,2})(?![₀₁₂₃₄₅₆₇₈₉])")


def _unicode_layered(s: str, i: int, stem: str) -> tuple[str, int] | None:
    """a²₁, δ³₁, w³₁₁ (superscript digits, then subscript digits) at s[i]: Nielsen's a^2_1,
    read here, before the digits merge into a name; None for a power (a², w² alone)."""
    m = _UNICODE_LAYERED.match(s, i)
    if m is None:
        return None
    layer = m.group("sup").translate(_SUPERSCRIPTS)
    return _layer_text(stem, layer, m.group("sub").translate(_SUBSCRIPT_DIGITS), False), m.end()


_UNICODE_SUB_FIRST = re.compile(
    r"(?P<sub>[₀₁₂₃₄₅₆₇₈₉]{1,2})(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)(?![⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉])"
)
_SUBSCRIPT_CHARS = frozenset("₀₁₂₃₄₅₆₇₈₉")


def _unicode_sub_first(s: str, i: int, stem: str) -> tuple[str, int] | None:
    """a₁², w₁₁³, δ₁³ (subscript digits, then superscript digits) at s[i]: Nielsen's a^2_1
    written subscript first, as a_1^2; None for a power of a one-index weight (w₁² is w1
    squared) or a name that continues. Whether a₁² is a1 squared where the network has a1
    is for the reader to ask (see .layer_reader)."""
    m = _UNICODE_SUB_FIRST.match(s, i)
    if m is None:
        return None
    sub = m.group("sub").translate(_SUBSCRIPT_DIGITS)
    if not _one_index_each(stem, sub):
        return None
    layer = m.group("sup").translate(_SUPERSCRIPTS)
    return _layer_text(stem, layer, sub, True), m.end()


def _layered_first_sub(s: str, i: int, stem: str) -> tuple[str, int] | None:
    """w_{1,1}^{3}: a braced subscript (with a comma, which names never have), then ^."""
    sub = _LAYER_SUB.match(s, i)
    if sub is None or sub.group("braced") is None or "," not in sub.group("braced"):
        return None
    sup = _LAYER_SUP.match(s, sub.end())
    if sup is None:
        return None
    layer = sup.group("braced") or sup.group("paren") or sup.group("bare")
    return _layer_text(stem, layer, sub.group("braced"), True), sup.end()


def _one_index_each(stem: str, sub: str) -> bool:
    """A weight has two indices (j, k), every other quantity one."""
    return (len(sub) == 2) == stem.endswith("w")


def _subscript(s: str, i: int) -> tuple[str, int]:
    """Read ``{h_{1}}`` or ``\\text{total}`` starting at s[i]; return its letters and the end."""
    start = i
    if s[i] == "\\":
        m = _COMMAND.match(s, i)
        if not m or m.group(1) not in _WRAPPER_COMMANDS or not s.startswith("{", m.end()):
            raise AnswerSyntaxError(f"cannot read the subscript {where(start)}", start)
        i = m.end()
    depth, text = 0, ""
    n = len(s)
    while i < n:
        c = s[i]
        if c == "{":
            depth += 1
            i += 1
        elif c == "}":
            depth -= 1
            i += 1
            if depth == 0:
                return text, i
        elif (c.isascii() and c.isalnum()) or c in "_'":
            text += c
            i += 1
        elif c.isspace():
            i += 1
        elif c == "\\":
            m = _COMMAND.match(s, i)
            word = m.group(1) if m else ""
            if word == "prime":
                text += "'"
            elif word not in _WRAPPER_COMMANDS:
                raise AnswerSyntaxError(f"unexpected \\{word} in a subscript {where(i)}", i)
            i = m.end()
        else:
            raise AnswerSyntaxError(f"unexpected {c!r} in a subscript {where(i)}", i)
    raise AnswerSyntaxError(f"the subscript opened {where(start)} is never closed with }}", start)


def _command(s: str, i: int, out: list[Token]) -> int:
    """One LaTeX command starting at s[i] (a backslash); append its token; return the end."""
    m = _COMMAND.match(s, i)
    if not m:
        raise AnswerSyntaxError(f"a backslash at the end of the answer {where(i)}", i)
    word, j = m.group(1), m.end()
    if word in _FRAC_COMMANDS:
        out.append(Token(FRAC, "\\frac", i, j))
    elif word == "partial":
        out.append(Token(PARTIAL, "\u2202", i, j))
    elif word in _TIMES_COMMANDS:
        out.append(Token(OP, "*", i, j))
    elif word == "div":
        out.append(Token(OP, "/", i, j))
    elif word in _SKIPPED_COMMANDS:
        pass
    elif word == "nabla":
        tok = _nabla(s, i, j)
        out.append(tok)
        j = tok.end
    elif word == "sum":
        tok = _sum_over(s, i, j)
        out.append(tok)
        j = tok.end
    elif word in _COMPARE_COMMANDS:
        out.append(Token(CMP, _COMPARE_COMMANDS[word], i, j))
    elif word in _INDICATOR_COMMANDS and re.match(r"\{\s*1\s*\}", s[j : j + 8]):
        close = s.index("}", j) + 1  # \mathbb{1}: the indicator's 1, a plain 1
        out.append(Token(NUM, "1", i, close, 1.0))
        j = close
    elif word in _NAME_COMMANDS:
        name, j = _tail(s, j, word)
        out.append(Token(NAME, name, i, j))
    elif word in _WRAPPER_COMMANDS:
        if not s.startswith("{", j):
            raise AnswerSyntaxError(f"\\{word} needs braces, as in \\{word}{{net}} {where(i)}", i)
        close = s.find("}", j)
        inner = s[j + 1 : close] if close > 0 else ""
        if close < 0 or not re.fullmatch(r"\s*[A-Za-z][A-Za-z0-9_]*\s*", inner):
            raise AnswerSyntaxError(f"cannot read \\{word}{{...}} {where(i)}", i)
        name, j = _tail(s, close + 1, inner.strip())
        out.append(Token(NAME, name, i, j))
    else:
        raise AnswerSyntaxError(f"unknown LaTeX command \\{word} {where(i)}", i)
    return j


# Σ_k, Σ_{k}, Σ_{k=1}^{2}, \sum\limits_{k=1}^2: the index, and the range when it is written
_SUM_INDEX = re.compile(
    r"\s*(?:\\limits\s*)?_\s*(?:\{\s*(?P<braced>[A-Za-z])\s*(?:=\s*(?P<low>[0-9]+)\s*)?\}"
    r"|(?P<bare>[A-Za-z]))(?:\s*\^\s*(?:\{\s*(?P<high>[0-9]+)\s*\}|(?P<high2>[0-9])))?"
)


def _sum_over(s: str, i: int, j: int) -> Token:
    """A sum over an index at s[i] (its symbol ends at j): text 'k', 'k=1' or 'k=1^2'."""
    m = _SUM_INDEX.match(s, j)
    if m is None:
        raise AnswerSyntaxError(
            f"Σ {where(i)} needs its index, as in Σ_k ∂L/∂o_k ∂o_k/∂h1 (the index ranges "
            "over the units of one layer)",
            i,
        )
    text = m.group("braced") or m.group("bare")
    if m.group("low"):
        text += "=" + m.group("low")
    high = m.group("high") or m.group("high2")
    if high:
        text += "^" + high
    return Token(SUM_OVER, text, i, m.end())


# ∇_w1, ∇_{w_1}, \nabla_{w_1}: Goodfellow's gradient with respect to the subscript
_NABLA_SUB = re.compile(r"\s*_\s*")


def _nabla(s: str, i: int, j: int) -> Token:
    """Goodfellow's ∇_{w1} at s[i] (its symbol ends at j): a token whose text is the
    subscript, the quantity differentiated by; the parser reads ∇_{w1} J as ∂J/∂w1."""
    m = _NABLA_SUB.match(s, j)
    if m is not None:
        k = m.end()
        if s.startswith("{", k) or s.startswith("\\", k):
            sub, end = _subscript(s, k)
            return Token(NABLA, sub, i, end)
        name = _NAME_CHARS.match(s, k) if k < len(s) and s[k] in _NAME_START else None
        if name is not None:
            sub, end = _tail(s, name.end(), name.group())
            return Token(NABLA, sub, i, end)
    raise AnswerSyntaxError(
        f"∇ {where(i)} needs what it differentiates by as a subscript, as in ∇_{{w1}} J "
        "(Goodfellow's ∂J/∂w1)",
        i,
    )


# a superscript character -> its digit (None for a sign)
_ONE_SUPERSCRIPT = {c: (None if c in "⁺⁻" else str(k)) for k, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")}
_SIGNED_DIGITS = re.compile(r"([+-]?)([0-9]+)")


def _superscript(s: str, i: int, out: list[Token]) -> int:
    """10⁻⁴ reads as 10^-4: emit ^ [sign] number, all at one place (the parser's digit
    groups check knows a superscript by that: 10⁻⁴3 is a product)."""
    j = i
    while j < len(s) and s[j] in "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻":
        j += 1
    plain = s[i:j].translate(_SUPERSCRIPTS)
    m = _SIGNED_DIGITS.fullmatch(plain)
    if not m:
        shown = s[i:j] if j - i <= 12 else s[i : i + 11] + "…"  # a message stays one line
        raise AnswerSyntaxError(f"cannot read the superscript {shown!r} {where(i)}", i)
    out.append(Token(OP, "^", i, j))
    if m.group(1):
        out.append(Token(OP, m.group(1), i, i))
    out.append(Token(NUM, m.group(2), i, j, float(m.group(2))))
    return j
