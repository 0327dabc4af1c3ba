"""Rewrite an answer's layer-numbered names into the network's own, saying how each was read.

:func:`read_layers` turns Nielsen's a^2_1, 3Blue1Brown's a^(L) and CS231n's dh1 (see
:mod:`.layers`, which counts the layers and units they name) into h1, net_h1, w5 and
∂L/∂net_o1 before the answer is judged, expands Σ_k over the units of a layer where
Nielsen's weights use k, and writes one "read as" line per convention. Where a name could
be two things (``b_1^2``: b1 squared, or Nielsen's b^2_1), or stands for any layer or unit
(``a^l_j`` outside a sum over j), the answer is asked or refused with the reason, never
guessed. Goodfellow's h^(k) makes the answer's a^(k) his net input; his J and ∇_{w1} J get a
"read as" line. CS231n's dW (a whole matrix's gradient) is refused with the one weight asked
for; on any computation graph CS231n's dq is ∂f/∂q (asked about where d is a node: d·q?).
"""

from __future__ import annotations

from dataclasses import replace

from ..core.chain_rule import LOSS_NODE, NET_PREFIX
from .chain_graph import Problem
from .layers import (
    BROWN,
    CS231N,
    GOODFELLOW,
    NIELSEN,
    Layered,
    Layers,
    Meaning,
    parse_layered,
    upstream,
    whole_matrix,
)
from .notation import MAX_EXPANDED, Reading, _map  # one tree walker for every reader
from .notation import _substitute as _plain_substitute
from .parser import IndexSum, Name, Partial, Product, Sum, walk


def read_layers(node, vocabulary, net, param: str | None = None) -> Reading:
    """Rewrite layer-numbered names and CS231n's d-names into the network's own quantities.

    >>> import backprop_widgets as bw
    >>> net, x, t = bw.presets.mazur()
    >>> from backprop_widgets.exercises.parser import parse
    >>> r = read_layers(parse("a^2_1")[0], None, net)
    >>> r.node.text, r.notes[0][:40]
    ('h1', "Read with Nielsen's layer numbers (the i")
    """
    reader = _Reader(vocabulary, net, param)
    if not reader.has_any(node):  # (a graph's dc where d is a node is asked about)
        return Reading(node, problem=reader.problem)
    reader.settle_base(node)
    if reader.problem is None:
        new = reader.rewrite(node)
    if reader.problem is not None:
        return Reading(node, problem=reader.problem)
    return Reading(new, reader.notes())


class _Reader:
    def __init__(self, vocabulary, net, param=None):
        self.vocabulary = vocabulary
        self.net = net
        self.param = param
        self.layers = Layers(net) if net is not None else None  # a graph has no layers
        self.end = vocabulary.end if vocabulary is not None else LOSS_NODE
        self.goodfellow = False  # the answer writes Goodfellow's h^(k): a^(k) is his too
        self.read: dict[str, dict[str, str]] = {}  # book -> {as typed: as read}
        self.problem: Problem | None = None
        self.base: int | None = None
        self.bound: set[str] = set()
        self.sums: dict[str, str] = {}  # Σ_k -> "k = 1, 2": sums this reader expanded
        self.budget = MAX_EXPANDED

    # -------------------------------------------------------- which names there are
    def has_any(self, node) -> bool:
        layered = self.layers is not None
        for n in walk(node):
            if isinstance(n, Name) and (
                ("^" in n.text and layered)
                or n.text in _WHOLE_MATRIX
                or self._upstream(n.text) is not None
                or self._alias(n.text)
            ):
                return True
            if isinstance(n, Partial) and (
                (("^" in n.num.text or "^" in n.den.text) and layered)
                or n.typed
                or self._alias(n.num.text)
            ):
                return True
        return False

    def _alias(self, text: str) -> bool:
        """Goodfellow's J for the cost (the loss), where the network has no J of its own."""
        return text == "J" and self.vocabulary is not None and self.vocabulary.is_loss_alias(text)

    def settle_base(self, node) -> None:
        """How 3Blue1Brown's unit indices count in this answer: from 0 when one of them is
        0, from 1 when one is as large as its layer; both is refused, neither left None."""
        evidence = set()
        for n in walk(node):
            if isinstance(n, IndexSum):
                self.bound.add(n.index)
            names = (
                (n.num, n.den) if isinstance(n, Partial) else (n,) if isinstance(n, Name) else ()
            )
            for name in names:
                item = parse_layered(name.text) if self.layers is not None else None
                if item is not None and item.stem == "h":
                    self.goodfellow = True
                if item is None or item.book != BROWN:
                    continue
                k = self.layers.layer_index(item)
                if isinstance(k, Problem):
                    continue
                sizes = [len(self.layers.layers[k])] + (
                    [len(self.layers.layers[k - 1])] if item.stem == "w" and k > 0 else []
                )
                for index, size in zip(item.indices, sizes, strict=False):
                    if index == "0":
                        evidence.add(0)
                    elif index.isdigit() and int(index) == size:
                        evidence.add(1)
        if len(evidence) == 2:
            self.problem = Problem(
                "ambiguous_name",
                "This answer's 3Blue1Brown indices count units from 0 in one name (an index "
                "0) and from 1 in another (an index as large as its layer). Count from 0 "
                "throughout, as the video does (a^(L)_0 is the first unit).",
            )
        elif evidence:
            self.base = evidence.pop()
        if self.goodfellow:
            self.base = 1  # Goodfellow's units count from 1, and a^(k) is his

    # -------------------------------------------------------- rewriting
    def rewrite(self, node):
        if self.problem is not None:
            return node
        if isinstance(node, Name):
            return self._name(node)
        if isinstance(node, Partial):
            return self._partial(node)
        if isinstance(node, Product):
            self._check_division(node)
        if isinstance(node, IndexSum) and self._weights_use(node):
            expanded = self._expand(node)
            if expanded is not None:
                return self.rewrite(expanded)
        return _children(node, self.rewrite)

    def _weights_use(self, node: IndexSum) -> bool:
        """Whether Nielsen's weights in the summand use the sum's index (w^3_{k1}): such a
        sum is expanded here; any other Σ is left to .notation's (over o_k, net_o_k)."""
        for n in walk(node.summand):
            if isinstance(n, Name) and "^" in n.text:
                item = parse_layered(n.text)
                if (
                    item
                    and item.stem == "w"
                    and item.book == NIELSEN
                    and node.index in item.indices
                ):
                    return True
        return False

    def _expand(self, node: IndexSum):
        """Σ_k δ^3_k w^3_{k1}: one term per unit k of the layer the weights' index runs over."""
        sizes = set()
        for n in walk(node.summand):
            names = (
                (n.num, n.den) if isinstance(n, Partial) else (n,) if isinstance(n, Name) else ()
            )
            for name in names:
                item = parse_layered(name.text) if "^" in name.text else None
                if item is None or node.index not in item.indices:
                    continue
                k = self.layers.layer_index(item)
                if isinstance(k, Problem):
                    self.problem = k
                    return None
                at = item.indices.index(node.index)
                layer = k - 1 if item.stem == "w" and at == 1 else k
                sizes.add((len(self.layers.layers[layer]), layer))
        counts = {size for size, _ in sizes}
        if len(counts) != 1:
            listed = " and ".join(
                f"{size} units in layer {layer + 1}" for size, layer in sorted(sizes)
            )
            self.problem = Problem(
                "index_range",
                f"Σ_{node.index} is ambiguous: {node.index} runs over {listed}. Write the "
                "sum over one layer's units.",
            )
            return None
        n = counts.pop()
        values = [str(v) for v in range(1, n + 1)]
        if node.low is not None or node.high is not None:
            values = [str(v) for v in range(node.low or 1, (node.high or n) + 1)]
            if not set(values) <= {str(v) for v in range(1, n + 1)}:
                self.problem = Problem(
                    "index_range",
                    f"Σ_{node.index} from {values[0]} to {values[-1]}: the layer has units 1 to {n}.",
                )
                return None
        # the work is proportional to the nodes made: nested sums would multiply out
        self.budget -= sum(1 for _ in walk(node.summand)) * len(values)
        if self.budget < 0:
            self.problem = Problem(
                "too_many_terms",
                "These sums over indices expand to far more terms than a gradient has; "
                "write the sum over one layer's units at a time.",
            )
            return None
        self.sums[f"Σ_{node.index}"] = f"{node.index} = {', '.join(values)}"
        terms = [("+", _substitute(node.summand, node.index, v)) for v in values]
        return terms[0][1] if len(terms) == 1 else Sum(tuple(terms))

    def _name(self, name: Name):
        if self._alias(name.text):
            self._note(GOODFELLOW, "J", self.end)
            return name
        if name.text in _WHOLE_MATRIX and self.layers is not None:
            self.problem = Problem("whole_matrix", whole_matrix(name.text, self.net, self.param))
            return name
        if "^" in name.text and (item := parse_layered(name.text)) is not None:
            if item.differential:
                return self._cs231n(name, self._meaning(item, name))
            meaning = self._meaning(item, name)
            if meaning is None:
                return name
            if meaning.delta:
                self._note(item.book, item.shown, f"∂{LOSS_NODE}/∂{meaning.name}")
                return Partial(
                    Name(LOSS_NODE, name.pos), Name(meaning.name, name.pos), name.pos, name.pos
                )
            self._note(item.book, item.shown, meaning.name)
            return Name(meaning.name, name.pos)
        upstream = self._upstream(name.text)
        if upstream is not None:
            return self._cs231n(name, upstream)
        return name

    def _partial(self, node: Partial):
        if node.typed == "∇":
            num, den = self._own(node.num.text), self._own(node.den.text)
            self._note(GOODFELLOW, f"∇_{den} {node.num.text}", f"∂{num}/∂{den}")
        if self._alias(node.num.text):
            self._note(GOODFELLOW, "J", self.end)
        if self.layers is None:
            return node
        halves = []
        for half in (node.num, node.den):
            item = parse_layered(half.text) if "^" in half.text else None
            if item is None:
                halves.append(half)
                continue
            meaning = self._meaning(item, half)
            if meaning is None:
                return node
            if meaning.delta:
                self.problem = Problem(
                    "layer_index",
                    f"{item.shown} is itself a derivative, ∂C/∂{_z_of(item)} (Nielsen's δ); "
                    "differentiate the quantities it is made of instead.",
                )
                return node
            self._note(item.book, item.shown, meaning.name)
            halves.append(Name(meaning.name, half.pos))
        return replace(node, num=halves[0], den=halves[1])

    def _meaning(self, item: Layered, name: Name) -> Meaning | None:
        if self.goodfellow and item.layer.startswith("("):
            item = replace(item, goodfellow=True)
        elif item.stem == "a" and item.layer.strip("()").isdigit() and item.layer[0] == "(":
            self.problem = self._goodfellow_or_brown(item)
            return None
        letters = [i for i in item.indices if not i.isdigit()]
        if letters and all(i in self.bound for i in letters):
            return self._indexed(item, letters[0])
        plain = item.stem + "".join(item.indices)
        if item.sub_first and self.vocabulary and self.vocabulary.resolve(plain) is not None:
            nielsen = replace(item, sub_first=False)
            self.problem = Problem(
                "ambiguous_name",
                f"{item.shown} could be {plain} to the power {item.layer} or Nielsen's "
                f"{nielsen.shown} (layer {item.layer}, written with the layer first). Which "
                f"did you mean? Write {plain}^{item.layer} for the power, {nielsen.shown} "
                "for Nielsen's.",
            )
            return None
        meaning = self.layers.meaning(item, self.base)
        if meaning.problem is not None:
            self.problem = meaning.problem
            return None
        return meaning

    def _indexed(self, item: Layered, letter: str) -> Meaning | None:
        """a^2_k inside Σ_k: h_k, for the sum over indices to expand (when the layer's
        units are named h1, h2, ...)."""
        k = self.layers.layer_index(item)
        if isinstance(k, Problem):
            self.problem = k
            return None
        units = self.layers.layers[k]
        stem = units[0].rstrip("0123456789")
        if item.stem in ("b", "w") or units != [f"{stem}{n}" for n in range(1, len(units) + 1)]:
            self.problem = Problem(
                "index_range",
                f"{item.shown} inside Σ_{letter}: write each term with the unit's number "
                f"({', '.join(units)}) instead.",
            )
            return None
        name = f"{stem}_{letter}"
        self._note(item.book, item.shown, name)
        if item.stem == "a":
            return Meaning(name)
        return Meaning(NET_PREFIX + name, delta=item.stem == "delta")

    def _upstream(self, text: str) -> str | None:
        name = upstream(text, self.vocabulary)
        if name is not None and self.layers is None and self.vocabulary.resolve("d"):
            # colah's dc where d is a node: d·c, or CS231n's ∂e/∂c?
            self.problem = self.problem or Problem(
                "ambiguous_name",
                f"{text} could be d·{text[1:]} (d is a node of this graph) or CS231n's "
                f"{text}, the gradient ∂{self.end}/∂{text[1:]}. Which did you mean? Write "
                f"d*{text[1:]} for the product, ∂{self.end}/∂{text[1:]} for the gradient.",
            )
            return None
        return name

    def _own(self, text: str) -> str:
        """The network's (or graph's) own name for a typed one: J -> L, w_1 -> w1."""
        entry = self.vocabulary.resolve(text) if self.vocabulary is not None else None
        return entry.name if entry is not None else text

    def _goodfellow_or_brown(self, item: Layered) -> Problem:
        """a^(1): Goodfellow's net input of layer 1, or the activation, as 3Blue1Brown's a?"""
        good = self.layers.meaning(replace(item, goodfellow=True), 1)
        if good.problem is not None:
            return good.problem
        k = int(item.layer.strip("()"))
        h = replace(item, stem="h").shown
        return Problem(
            "ambiguous_name",
            f"{item.shown} could be Goodfellow's a^({k}), a net input (pre-activation), "
            f"counting the input as layer 0, h^(0) (here {good.name}), or an activation, as "
            "3Blue1Brown writes a^(L), a^(L-1). Which did you mean? Write Goodfellow's "
            f"{h} for the activation beside it (a^({k}) is then the net input), or count "
            "back from the last layer as 3Blue1Brown does: a^(L), a^(L-1).",
        )

    def _cs231n(self, name: Name, meaning):
        if meaning is None:
            return name
        if isinstance(meaning, Meaning):
            if meaning.delta:
                self.problem = Problem(
                    "layer_index", f"{name.text}: Nielsen's δ is already a gradient."
                )
                return name
            meaning = meaning.name
        self._note(CS231N, name.text if "^" not in name.text else _shown(name.text),
                   f"∂{self.end}/∂{meaning}")  # fmt: skip
        return Partial(Name(self.end, name.pos), Name(meaning, name.pos), name.pos, name.pos)

    def _check_division(self, node: Product) -> None:
        """(dh1)/(dw1): a ratio of CS231n gradients, or a Leibniz factor in brackets?"""
        factors = node.factors
        for k, (op, factor) in enumerate(factors):
            if not isinstance(factor, Name) or self._upstream(factor.text) is None:
                continue
            divided = op == "/" or (k + 1 < len(factors) and factors[k + 1][0] == "/")
            if divided:
                other = factors[k + 1][1] if op != "/" else factors[k - 1][1]
                other_text = other.text if isinstance(other, Name) else "…"
                self.problem = Problem(
                    "ambiguous_name",
                    f"{factor.text} next to a division by {other_text if op != '/' else factor.text}: "
                    f"is it the local derivative d{factor.text[1:]}/d… (write it as one fraction, "
                    f"without brackets: dh1/dw1), or CS231n's {factor.text}, the gradient "
                    f"∂L/∂{factor.text[1:]}? A ratio of two gradients is no step of the chain "
                    "rule; write the upstream gradient as a factor (dh1/dw1 * dh1).",
                )
                return

    def _note(self, book: str, typed: str, read: str) -> None:
        if book == BROWN and self.goodfellow:  # a^(k) beside h^(k): Goodfellow's net input
            book = GOODFELLOW
        self.read.setdefault(book, {})[typed] = read

    def notes(self) -> tuple[str, ...]:
        out = []
        for book, pairs in self.read.items():
            listed = ", ".join(f"{typed} = {read}" for typed, read in list(pairs.items())[:4])
            if len(pairs) > 4:
                listed += ", …"
            out.append(_INTRO[book](self) + listed + ".")
        if self.sums:
            out.append(
                "; ".join(f"{sign} is read over {values}" for sign, values in self.sums.items())
                + " (the units of the layer its weights' index runs over)."
            )
        return tuple(out)


def _nielsen(reader) -> str:
    return (
        "Read with Nielsen's layer numbers (the input layer is layer 1, units count from 1; "
        "w^l_{jk} is the weight from unit k of layer l−1 to unit j of layer l; "
        "δ^l_j = ∂C/∂z^l_j, the delta of the net input): "
    )


def _brown(reader) -> str:
    count = {0: "; units count from 0, as in the video", 1: "; units count from 1"}
    return (
        "Read as 3Blue1Brown writes them (L is the last layer, L-1 the one before"
        f"{count.get(reader.base, '')}): "
    )


def _goodfellow(reader) -> str:
    return (
        "Read as Goodfellow writes it (Deep Learning, 6.5: J is the cost, ∇_x J = ∂J/∂x; "
        "h^(k) is layer k's activation and a^(k) its net input, the input is h^(0)): "
    )


def _cs231n_intro(reader) -> str:
    return (
        "Read as CS231n's code names gradients (dh1 holds ∂L/∂h1, the upstream gradient; "
        "dh1/dw1 stays the local derivative): "
    )


_INTRO = {NIELSEN: _nielsen, BROWN: _brown, CS231N: _cs231n_intro, GOODFELLOW: _goodfellow}
_WHOLE_MATRIX = frozenset(("dW", "dw"))  # CS231n's dW: a whole matrix's gradient


def _shown(text: str) -> str:
    item = parse_layered(text)
    return text if item is None else item.shown


def _z_of(item: Layered) -> str:
    return _shown(item.text.replace("delta", "z", 1))


def _substitute(node, index: str, value: str):
    """The summand at index = value: in layer-numbered names (w^3_{k1} -> w^3_{21}) and in
    the network's names ending in _k (o_k -> o2, through .notation)."""

    def rename(name: Name) -> Name:
        item = parse_layered(name.text) if "^" in name.text else None
        if item is None or index not in item.indices:
            return name
        indices = tuple(value if i == index else i for i in item.indices)
        sub = (
            ",".join(indices)
            if "," in name.text or any(len(i) > 1 for i in indices)
            else "".join(indices)
        )
        stem = ("d" if item.differential else "") + item.stem
        text = (
            f"{stem}_{{{sub}}}^{{{item.layer}}}"
            if item.sub_first
            else f"{stem}^{{{item.layer}}}_{{{sub}}}"
        )
        return Name(text, name.pos)

    def visit(n):
        if isinstance(n, Name):
            return rename(n)
        if isinstance(n, Partial):
            return replace(n, num=rename(n.num), den=rename(n.den))
        if isinstance(n, IndexSum) and n.index == index:
            return n
        return None

    return _plain_substitute(_map(node, visit), index, value)


def _children(node, visit):
    """The node with visit applied to each child (a Sum's terms, a Product's factors, ...)."""
    return _map(node, lambda n: None if n is node else visit(n))
