"""The exercise's HTML: pure functions of the question and the feedback, testable without a
browser. :mod:`.exercise` sends them to the page, formulas typeset as MathML by :func:`typeset`."""

from __future__ import annotations

import html
import re

from ..core import numbers
from ..core.chain_rule import latex_name
from ..exercises import Feedback, GradientQuestion
from .mathml import html_with_math
from .panels import d, delta_symbol, panel_html

PATHS_LISTED = 8  # hint 1 lists at most this many paths, then says how many more
SHOWN_CHARS = 80  # typed text shown around a syntax error's position

_INVALID_KINDS = ("invalid", "empty")

MAX_PARAMETERS_LISTED = 24  # beyond this the diagram (with weight values) is the list


# --------------------------------------------------------------------------------------------
# HTML: pure functions of the question and the feedback, testable without a browser.
# User-typed text is always HTML-escaped and put in <code> (or <pre>), which typeset() leaves
# as text, so a typed "$" or "\(" cannot turn into math.
# --------------------------------------------------------------------------------------------

_VERBATIM = re.compile(r"(<code\b[^>]*>.*?</code>|<pre\b[^>]*>.*?</pre>)", re.S)
# \displaystyle in an inline formula: a fraction at full size, in the line
_DISPLAY_INLINE = re.compile(
    r'(<math display="inline" alttext="\\displaystyle[^"]*">)(.*?)(</math>)', re.S
)


def typeset(page: str) -> str:
    """The HTML with its $...$ and $$...$$ formulas as MathML, except inside <code> and <pre>
    (what a student typed, quoted as text)."""
    parts = _VERBATIM.split(page)
    # split() with one group: the verbatim parts are at the odd indices
    out = "".join(part if i % 2 else html_with_math(part) for i, part in enumerate(parts))
    return _DISPLAY_INLINE.sub(r'\1<mstyle displaystyle="true">\2</mstyle>\3', out)


_LOSS_LATEX = {
    "half_sse": r"\tfrac{1}{2} \sum_k (t_k - y_k)^2",
    "mse": r"\frac{1}{K} \sum_k (t_k - y_k)^2",
    "bce": r"-\frac{1}{K} \sum_k \left[t_k \log y_k + (1 - t_k) \log (1 - y_k)\right]",
    "cross_entropy": r"-\sum_k t_k \log y_k",
}


def _number(value: float) -> str:
    return numbers.latex(value, 6, bracket_negative=False)


def _math(latex: str, display: bool = False) -> str:
    """LaTeX inside HTML: escaped, since node names may hold < or &; typeset() reads the
    decoded text, so the formula is unchanged."""
    body = html.escape(latex, quote=False)
    return f"$\\displaystyle {body}$" if display else f"${body}$"


def loss_latex(net) -> str:
    """L written with the network's own output and target names where that stays short."""
    name = net.loss_name
    generic = _LOSS_LATEX.get(name, r"\mathrm{" + name + "}")
    pairs = list(zip(net.target_names, net.output_names, strict=True))
    if name != "half_sse" or len(pairs) > 3:
        return generic
    squares = [f"({latex_name(t)} - {latex_name(y)})^2" for t, y in pairs]
    if len(squares) == 1:
        return rf"\tfrac{{1}}{{2}} {squares[0]}"
    return rf"\tfrac{{1}}{{2}} \left[{' + '.join(squares)}\right]"


def _activations(net) -> str:
    acts = net.activation
    if len(set(acts)) == 1:
        return f"{acts[0].capitalize()} neurons"
    hidden = ", ".join(acts[:-1]).capitalize()
    return f"{hidden} hidden layer{'s' if len(acts) > 2 else ''}, {acts[-1]} output"


def _graph_example(question) -> str:
    """A graph question's example: every leaf's value and what each node computes."""
    graph = question.graph
    leaves = [n for n in graph.node_names + graph.parameter_names
              if not graph.parents(n) and graph.kind(n) != "constant"]  # fmt: skip
    values = ", ".join(_math(f"{latex_name(n)} = {_number(graph.value(n))}") for n in leaves)
    steps = ", ".join(
        _math(f"{latex_name(n)} = {graph.formula(n, latex=True)}")
        for n in graph.node_names
        if graph.parents(n)
    )
    return f'<p class="bpw-example">At {values}, with {steps}.</p>'


def prompt_html(question) -> str:
    """What is asked, at which example, in which network, and how to write an answer."""
    net = question.net
    if net is None:
        return _graph_prompt_html(question)
    inputs = r",\ ".join(
        f"{latex_name(n)} = {_number(v)}"
        for n, v in zip(net.input_names, question.x.ravel(), strict=True)
    )
    targets = r",\ ".join(
        f"{latex_name(n)} = {_number(v)}"
        for n, v in zip(net.target_names, question.t.ravel(), strict=True)
    )
    kinds = {
        "number": "a number",
        "formula": "a formula",
        "chain_rule": "a chain-rule sum such as <code>dA/dB * dB/dC + ...</code>",
    }
    forms = [kinds[k] for k in ("number", "formula", "chain_rule") if k in question.accept]
    forms_text = forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]
    # the student's own numbers: every weight and bias, while there are few enough to read
    parameters = net.parameters()
    # one formula per parameter: the line wraps between them, never inside a scroller
    weights = (
        ", ".join(_math(f"{latex_name(n)} = {_number(v)}") for n, v in parameters.items())
        if len(parameters) <= MAX_PARAMETERS_LISTED
        else ""
    )
    p = html.escape(question.param if isinstance(question, GradientQuestion) else question.prompt)
    note = getattr(question, "note", "")  # a convention or a learning rate the prompt must state
    note = note if isinstance(note, str) else ""
    return "\n".join(
        [
            f'<div class="bpw-prompt-box" data-param="{p}">',
            f'<p class="bpw-question">What is {_math(question.prompt_latex)} at this example?'
            + (f" {html.escape(note)}" if note else "")
            + "</p>",
            f'<p class="bpw-example">Input {_math(inputs)}; target {_math(targets)}. '
            f"{html.escape(_activations(net))}; {_math('L = ' + loss_latex(net))}.</p>",
            (f'<p class="bpw-parameters">Parameters {weights}.</p>' if weights else ""),
            f'<p class="bpw-howto">Answer with {forms_text}, using the names on the '
            "diagram; press <b>Enter</b> or <b>Check</b>."
            + (f" {html.escape(question.tolerance_text)}" if "number" in question.accept else "")
            + "</p>",
            "</div>",
        ]
    )


def _typed_with_mark(text: str, pos: int) -> str:
    """The typed text (clipped around pos) as <code>, with the character at pos marked."""
    line = text.replace("\n", " ").replace("\t", " ")
    pos = max(0, min(pos, len(line)))
    start = max(0, min(pos - SHOWN_CHARS // 2, len(line) - SHOWN_CHARS))
    end = min(len(line), start + SHOWN_CHARS)
    before = ("…" if start else "") + line[start:pos]
    here = line[pos : pos + 1] if pos < len(line) else " "
    after = line[pos + 1 : end] + ("…" if end < len(line) else "")
    return (
        f'<code class="bpw-typed">{html.escape(before)}'
        f'<mark class="bpw-here">{html.escape(here)}</mark>{html.escape(after)}</code>'
    )


def _reason(detail: str) -> str:
    """'I could not read this answer: the answer ends too early ...' -> the reason only."""
    head = detail.split("\n", 1)[0]
    return re.sub(r"^I could not read this answer: ", "", head).rstrip(".")


# Past this much LaTeX a preview is not typeset (about 40 fractions: more than any answer a
# student reads back at a glance, and each keystroke's message stays a few kB).
MAX_PREVIEW_LATEX = 2_500


def preview_html(text: str, fb: Feedback | None) -> str:
    """How the answer being typed is read: its LaTeX, or gently where reading stopped."""
    if not text.strip() or fb is None:
        return (
            '<div class="bpw-preview-box" data-state="empty">'
            '<span class="bpw-preview-label">read as:</span> '
            '<span class="bpw-muted">your answer, as the checker reads it, appears here</span>'
            "</div>"
        )
    if fb.interpreted is not None and len(fb.interpreted) > MAX_PREVIEW_LATEX:
        # 10,000 typed factors would be 120 kB of LaTeX and far more of MathML per keystroke:
        # say how it was read in words instead, and let Enter judge it
        return (
            '<div class="bpw-preview-box" data-state="long">'
            '<span class="bpw-preview-label">read as:</span> '
            f'<span class="bpw-muted">a formula of {len(text):,} characters, too long to show as '
            "it is typed; press <b>Enter</b> to check it</span></div>"
        )
    if fb.interpreted is not None:
        return (
            '<div class="bpw-preview-box" data-state="read">'
            '<span class="bpw-preview-label">read as:</span> '
            f'<span class="bpw-math">{_math(fb.interpreted, display=True)}</span></div>'
        )
    if fb.position is not None:
        unfinished = fb.position >= len(text.rstrip())
        note = (
            "not finished yet…"
            if unfinished
            else f"reading stops at character {fb.position + 1}: "
            f'<code class="bpw-prose">{html.escape(_reason(fb.message))}</code>'
        )
        return (
            f'<div class="bpw-preview-box" data-state="syntax" data-position="{fb.position}">'
            f'<span class="bpw-preview-label">read as:</span> {_typed_with_mark(text, fb.position)}'
            f' <span class="bpw-muted">{note}</span></div>'
        )
    return (
        '<div class="bpw-preview-box" data-state="unreadable">'
        '<span class="bpw-preview-label">read as:</span> '
        f'<code class="bpw-prose bpw-muted">{html.escape(_reason(fb.message))}</code></div>'
    )


_CODE_PREFIX = re.compile(r"^([^\s:]{1,40}/[^\s:]{1,40}): ")


def _detail_html(detail: str, fb: Feedback, text: str, code: str) -> str:
    head, _, rest = detail.partition("\n")
    head = html.escape(head)
    head = _CODE_PREFIX.sub(lambda m: f"<code>{m.group(1)}</code>: ", head)
    if code == "syntax_error" and fb.position is not None:
        return f"{head}<br>{_typed_with_mark(text, fb.position)}"
    if rest.strip():
        return f"{head}<pre>{html.escape(rest)}</pre>"
    return head


def feedback_html(fb: Feedback, text: str, attempt: int, hints_left: int = 0) -> str:
    """The verdict in colour: green when right, red when wrong, amber when it could not be read.

    ``<div class="bpw-verdict bpw-correct|bpw-incorrect" data-verdict=...>``; several problems are
    listed one per item.
    """
    if fb.correct:
        tone, title = "bpw-correct", "✓ Correct"
    elif fb.kind in _INVALID_KINDS:
        tone, title = (
            "bpw-incorrect bpw-unreadable",
            ("Nothing to check yet" if fb.kind == "empty" else "? I could not read this answer"),
        )
    else:
        tone, title = "bpw-incorrect bpw-wrong", "✗ Not yet"
    verdict = "correct" if fb.correct else "incorrect"
    details = fb.details or (fb.message,)
    codes = fb.problems or ("",) * len(details)
    items = [_detail_html(x, fb, text, c) for x, c in zip(details, codes, strict=False)]
    if fb.correct:  # the title already says "Correct"
        message = re.sub(r"^Correct:\s*", "", fb.message)
        # capitalise a word ("your formula" -> "Your formula"), never a name ("dL/dw1", "h1")
        if re.match(r"[a-z]{2,}\b", message) and not re.match(r"d[A-Za-z]\w*/", message):
            message = message[:1].upper() + message[1:]
        body = f"<p>{html.escape(message)}</p>"
    elif len(items) > 1:
        body = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    else:
        body = f"<p>{items[0]}</p>"
    nudge = ""
    if not fb.correct and fb.kind != "empty" and hints_left:
        nudge = (
            f'<p class="bpw-nudge">Stuck? <b>Hint</b> gives a little more each time '
            f"({hints_left} left).</p>"
        )
    count = f'<span class="bpw-attempt">attempt {attempt}</span>' if attempt else ""
    problems = html.escape(" ".join(fb.problems))
    return (
        f'<div class="bpw-verdict {tone}" data-verdict="{verdict}" data-kind="{fb.kind}" '
        f'data-problems="{problems}">'
        f'<div class="bpw-verdict-title">{title}{count}</div>{body}{nudge}</div>'
    )


def _path_text(path) -> str:
    return " → ".join(html.escape(n) for n in path)


def hints_html(question: GradientQuestion, used: int) -> str:
    """Hints 1..used: which paths there are; one path's factors; the value to reach."""
    cr = question.chain_rule
    p = question.param
    end = cr.end  # L for a network; a graph's own end (f, e)
    lhs = d(end, p)
    items = []
    if used >= 1:
        count = cr.path_count
        paths = "path" if count == 1 else "paths"
        if cr.enumerated:
            listed = cr.paths[:PATHS_LISTED]
            more = f" and {count - len(listed)} more" if count > len(listed) else ""
            firsts = list(dict.fromkeys(path[1] for path in cr.paths))
            shared = (
                f" {html.escape(p)} is used by {len(firsts)} nodes "
                f"({', '.join(html.escape(n) for n in firsts)}): each use starts its own paths."
                if len(firsts) > 1
                else ""
            )
            route = "".join(f"<li><code>{_path_text(path)}</code></li>" for path in listed)
            items.append(
                f"There {'is' if count == 1 else 'are'} {count} {paths} from "
                f"{html.escape(p)} to {html.escape(end)}:<ul>{route}</ul>{more}{shared} "
                "Write one product of local derivatives per path, and add the products."
            )
        else:
            items.append(
                f"There are {count} paths from {html.escape(p)} to {html.escape(end)}, too many to write out. "
                "Backprop never lists them: it gives each neuron one delta, "
                "&delta; = &part;L/&part;neuron."
            )
    if used >= 2:
        if cr.enumerated:
            path, term = cr.paths[0], cr.terms[0]
            product = " ".join(f.latex() for f in term)
            items.append(
                f"Along <code>{_path_text(path)}</code> the product is "
                f"{_math(product, display=True)}: one factor per step, each the derivative of a "
                "node by the node (or parameter) just before it. "
                + ("The other paths work the same way." if cr.path_count > 1 else "")
            )
        else:
            firsts = cr.graph.parameter_targets(p)
            sum_ = " + ".join(rf"{d(n, p)} \, {delta_symbol(n)}" for n, _ in firsts)
            items.append(
                f"Grouped by the first node after {html.escape(p)}: "
                f"{_math(f'{lhs} = {sum_}', display=True)}"
            )
    if used >= 3:
        close = (
            f"{html.escape(question.tolerance_text)} But try to find the sum that gives it."
            if "number" in question.accept
            else "A number alone does not count here: find the sum that gives it."
        )
        value = numbers.latex(question.expected, 6)
        items.append(f"At this example {_math(f'{lhs} = {value}', display=True)}. {close}")
    if not items:
        return ""
    body = "".join(f'<li data-hint="{i + 1}">{item}</li>' for i, item in enumerate(items))
    return f'<div class="bpw-hints" data-hints="{used}"><b>Hints</b><ol>{body}</ol></div>'


def plain_hints_html(hints: list[str], used: int) -> str:
    """Hints 1..used of a question that writes its own (plain text, escaped)."""
    shown = hints[:used]
    if not shown:
        return ""
    body = "".join(
        f'<li data-hint="{i + 1}"><code class="bpw-prose">{html.escape(h)}</code></li>'
        for i, h in enumerate(shown)
    )
    return f'<div class="bpw-hints" data-hints="{used}"><b>Hints</b><ol>{body}</ol></div>'


def solution_html(question) -> str:
    """A gradient's: the explorer's full expansion of dL/dp and the sum as one would type
    it; another question's: its solution() text."""
    typed = html.escape(question.solution())
    worked = panel_html(question.chain_rule) if isinstance(question, GradientQuestion) else ""
    return (
        '<div class="bpw-solution-box"><p class="bpw-gave-up">The solution '
        "(this exercise now counts as given up; you can still check answers).</p>"
        f"{worked}"
        f'<p>As you would type it:</p><pre class="bpw-typed">{typed}</pre></div>'
    )


def _graph_prompt_html(question) -> str:
    """The prompt of a question on any computation graph (f = (x + y) z, a residual block)."""
    kinds = {
        "number": "a number",
        "formula": "a formula",
        "chain_rule": "a chain-rule sum such as <code>dA/dB * dB/dC + ...</code>",
    }
    forms = [kinds[k] for k in ("number", "formula", "chain_rule") if k in question.accept]
    forms_text = forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]
    p = html.escape(getattr(question, "param", question.prompt))
    note = getattr(question, "note", "")  # a learning rate, what a delta means
    note = f" {html.escape(note)}" if isinstance(note, str) and note else ""
    return "\n".join(
        [
            f'<div class="bpw-prompt-box" data-param="{p}">',
            f'<p class="bpw-question">What is {_math(question.prompt_latex)} at this example?{note}</p>',
            _graph_example(question),
            f'<p class="bpw-howto">Answer with {forms_text}, using the names on the '
            "diagram; press <b>Enter</b> or <b>Check</b>."
            + (f" {html.escape(question.tolerance_text)}" if "number" in question.accept else "")
            + "</p>",
            "</div>",
        ]
    )
