"""Formulas as MathML, written in Python: the same typesetting in every host, with nothing loaded.

Every formula the package shows is LaTeX that the package itself writes (fractions of
partials, sub- and superscripts, Greek letters, \\operatorname, aligned rows, cases), so a
small reader of that subset turns it into MathML, which every current browser draws
natively and screen readers read. No host MathJax, no KaTeX bundle in each widget, no CDN.

:func:`html_with_math` replaces ``$$...$$`` (display) and ``$...$`` / ``\\(...\\)`` (inline)
in HTML by ``<math>`` elements, each carrying its LaTeX as ``alttext``. Text it cannot read
is shown as text: typesetting never raises.

>>> to_mathml(r"\\frac{\\partial L}{\\partial w_{1}}")[:60]
'<math display="inline" alttext="\\\\frac{\\\\partial L}{\\\\partial w_{1}}"><mrow><mfr'
"""

from __future__ import annotations

import html
import re

SYMBOLS = {
    # Greek letters and other identifiers
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ",
    "phi": "ϕ", "varphi": "φ", "Phi": "Φ", "Delta": "Δ", "Sigma": "Σ", "nabla": "∇",
    "partial": "∂", "infty": "∞", "ell": "ℓ",
}  # fmt: skip
OPERATORS = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "dots": "…", "ldots": "…", "cdots": "⋯", "prime": "′", "sum": "∑",
    "prod": "∏", "mid": "∣", "lbrace": "{", "rbrace": "}", "{": "{", "}": "}", "|": "‖",
    "langle": "⟨", "rangle": "⟩",
}  # fmt: skip
FUNCTIONS = {"log", "ln", "exp", "tanh", "sinh", "cosh", "sin", "cos", "max", "min", "sech"}
SPACES = {
    "quad": "1em",
    "qquad": "2em",
    ",": "0.17em",
    ";": "0.28em",
    ":": "0.22em",
    " ": "0.25em",
    "!": "0",
}
FRACTIONS = {"frac", "tfrac", "dfrac"}
IGNORED = {
    "displaystyle",
    "textstyle",
    "limits",
    "nolimits",
    "big",
    "Big",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
}
TEXT_FONTS = {"mathrm": "normal", "operatorname": "normal", "text": None, "textrm": None,
              "mathbb": "double-struck", "mathbf": "bold", "mathit": "italic", "boldsymbol": "bold-italic"}  # fmt: skip

_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|[0-9]+(?:\.[0-9]+)?|\s+|.", re.S)


def _tokens(latex: str) -> list[str]:
    return [t for t in _TOKEN.findall(latex) if not t.isspace() or t == "\\ "]


class _Reader:
    def __init__(self, latex: str):
        self.toks = _tokens(latex)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> str | None:
        tok = self.peek()
        self.i += 1
        return tok

    # a row: atoms until a closing brace, an alignment mark or the end of an environment
    def row(self, stop=("}",)) -> str:
        out: list[str] = []
        while (tok := self.peek()) is not None and tok not in stop:
            if tok in ("&", "\\\\") or tok == r"\end":
                break
            self.take()
            if tok in ("^", "_"):
                base = out.pop() if out else "<mrow></mrow>"
                out.append(self.scripts(base, tok))
                continue
            after_operator = not out or (
                out[-1].startswith("<mo") and not out[-1].endswith((")</mo>", "]</mo>", "|</mo>"))
            )
            if tok == "-" and after_operator and (self.peek() or "")[:1].isdigit():
                out.append(f"<mn>−{self.take()}</mn>")  # a negative number: -0.2171, no gap
                continue
            if tok == "'":
                base = out.pop() if out else "<mrow></mrow>"
                out.append(f"<msup>{base}<mo>′</mo></msup>")
                continue
            out.append(self.atom(tok))
        return "<mrow>" + "".join(out) + "</mrow>"

    def scripts(self, base: str, first: str) -> str:
        sub = sup = None
        kind = first
        while True:
            arg = self.argument()
            if kind == "_":
                sub = arg
            else:
                sup = arg
            nxt = self.peek()
            if nxt in ("^", "_") and ((nxt == "^" and sup is None) or (nxt == "_" and sub is None)):
                kind = self.take()
                continue
            break
        if sub is not None and sup is not None:
            return f"<msubsup>{base}{sub}{sup}</msubsup>"
        return f"<msub>{base}{sub}</msub>" if sub is not None else f"<msup>{base}{sup}</msup>"

    def argument(self) -> str:
        """One braced group or one token: what a script, a fraction or a root takes."""
        tok = self.take()
        if tok is None:
            return "<mrow></mrow>"
        if tok == "{":
            inner = self.row()
            if self.peek() == "}":
                self.take()
            return inner
        return self.atom(tok)

    def raw_group(self) -> str:
        """The text of a braced group, unread (for \\text, \\operatorname, environments)."""
        if self.peek() != "{":
            tok = self.take()
            return tok or ""
        self.take()
        depth, parts = 1, []
        while (tok := self.take()) is not None:
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    break
            parts.append(tok)
        return "".join(parts)

    def atom(self, tok: str) -> str:
        if tok == "{":
            inner = self.row()
            if self.peek() == "}":
                self.take()
            return inner
        if tok[0].isdigit():
            return f"<mn>{tok}</mn>"
        if tok.startswith("\\"):
            return self.command(tok[1:])
        if tok.isalpha():
            return f"<mi>{_esc(tok)}</mi>"
        if tok in "()[]":
            return f'<mo stretchy="false">{tok}</mo>'
        if tok == "-":
            return "<mo>−</mo>"
        if tok == "}":
            return ""
        return f"<mo>{_esc(tok)}</mo>" if not tok.isspace() else ""

    def command(self, name: str) -> str:
        if name in FRACTIONS:
            num, den = self.argument(), self.argument()
            style = ' displaystyle="false"' if name == "tfrac" else ""
            frac = f"<mfrac>{num}{den}</mfrac>"
            return f"<mstyle{style}>{frac}</mstyle>" if style else frac
        if name == "sqrt":
            return f"<msqrt>{self.argument()}</msqrt>"
        if name == "partial":  # upright, as printed: ∂, not the italic 𝜕 of a variable
            return '<mi mathvariant="normal">∂</mi>'
        if name in SYMBOLS:
            return f"<mi>{SYMBOLS[name]}</mi>"
        if name in OPERATORS:
            return f"<mo>{OPERATORS[name]}</mo>"
        if name in FUNCTIONS:
            return f"<mi>{name}</mi>"
        if name in SPACES:
            return f'<mspace width="{SPACES[name]}"/>'
        if name in IGNORED:
            return ""
        if name in TEXT_FONTS:
            text = html.unescape(self.raw_group()).replace("\\_", "_").replace("\\", "")
            variant = TEXT_FONTS[name]
            if variant is None:
                return f"<mtext>{_esc(text)}</mtext>"
            return f'<mi mathvariant="{variant}">{_esc(text)}</mi>'
        if name == "left":
            # the bracketed part is one row, so its brackets stretch to its height
            opening = _delimiter(self.take())
            inner = self.row(stop=(r"\right",))
            closing = ""
            if self.peek() == r"\right":
                self.take()
                closing = _delimiter(self.take())
            return f"<mrow>{_fence(opening)}{inner}{_fence(closing)}</mrow>"
        if name == "right":  # a \right with no \left: its bracket, as typed
            return _fence(_delimiter(self.take()))
        if name == "begin":
            return self.environment(self.raw_group())
        if name in ("{", "}", "_", "&", "%", "#", "$"):
            return f"<mo>{_esc(name)}</mo>" if name in "{}" else f"<mi>{_esc(name)}</mi>"
        return f"<mtext>\\{_esc(name)}</mtext>"  # unknown: shown as typed, never raised

    def environment(self, env: str) -> str:
        rows, cells = [], []
        while True:
            cell = self.row(stop=())
            cells.append(cell)
            tok = self.take()
            if tok == "&":
                continue
            if tok == "\\\\":
                rows.append(cells)
                cells = []
                if self.peek() == "[":  # \\[4pt]: a gap, not content
                    while self.take() not in (None, "]"):
                        pass
                continue
            if tok == r"\end":
                self.raw_group()
            rows.append(cells)
            break
        # aligned: the left sides flush right, the "= ..." flush left, as LaTeX sets them
        # (columnalign is not MathML Core: the cells carry CSS)
        sides = ("right", "left") if env.startswith("align") else ("left", "left")
        body = "".join(
            "<mtr>"
            + "".join(
                f'<mtd style="text-align:{sides[min(i, 1)]};padding:2px 0">{c}</mtd>'
                for i, c in enumerate(row)
            )
            + "</mtr>"
            for row in rows
            if any(c != "<mrow></mrow>" for c in row)
        )
        table = f'<mtable displaystyle="true">{body}</mtable>'
        if env.startswith("cases"):
            return f"<mrow><mo>{{</mo>{table}</mrow>"
        return table


def _delimiter(token: str | None) -> str:
    token = token or ""
    return {"\\{": "{", "\\}": "}", ".": "", "\\|": "‖", "\\langle": "⟨", "\\rangle": "⟩"}.get(
        token, token
    )


def _fence(delim: str) -> str:
    return f'<mo fence="true" stretchy="true">{_esc(delim)}</mo>' if delim else ""


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


# Characters XML (and so MathML in any host) does not allow: control characters, surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def to_mathml(latex: str, display: bool = False) -> str:
    """One formula as a ``<math>`` element, its LaTeX kept as ``alttext``."""
    latex = _NOT_XML.sub("", latex)
    reader = _Reader(latex)
    parts = [reader.row(stop=())]
    # a stray closing token (an unmatched } or \right) is skipped, and reading goes on
    while reader.peek() is not None:
        tok = reader.take()
        if tok in ("&", "\\\\"):
            continue
        parts.append(reader.row(stop=()))
    mode = "block" if display else "inline"
    alt = html.escape(latex, quote=True)
    return f'<math display="{mode}" alttext="{alt}">' + "".join(parts) + "</math>"


_MATH = re.compile(r"\$\$(.+?)\$\$|\\\((.+?)\\\)|(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.S)


def html_with_math(text: str) -> str:
    """HTML whose ``$$...$$``, ``$...$`` and ``\\(...\\)`` formulas are MathML.

    The formulas inside the HTML are HTML-escaped LaTeX (a node named ``<i>h`` arrives as
    ``&lt;i&gt;h``), so each is unescaped before it is read and escaped again in MathML.
    """

    def replace(match: re.Match) -> str:
        display, inline_paren, inline = match.groups()
        latex = html.unescape(display or inline_paren or inline)
        return to_mathml(latex, display=display is not None)

    return _MATH.sub(replace, text)
