"""Names that count layers: Nielsen's a^l_j, 3Blue1Brown's a^(L), and CS231n's dh1.

Nielsen (*Neural Networks and Deep Learning*, chapter 2) numbers layers from the input,
which is layer 1, and units from 1: ``a^l_j`` is the activation of unit j of layer l,
``z^l_j`` its net input, ``b^l_j`` its bias, ``δ^l_j = ∂C/∂z^l_j`` (the delta of the net
input, whatever convention the package uses elsewhere), and ``w^l_{jk}`` the weight from
unit k of layer l−1 to unit j of layer l. ``L`` is the last layer (``a^L_1``,
``a^{L-1}_2``). On Mazur's 2-2-2 network a^1_1 = i1, a^2_1 = h1, a^3_1 = o1,
w^2_{12} = w2 and w^3_{21} = w7.

3Blue1Brown (*Backpropagation calculus*) counts back from the last layer, in brackets:
``a^(L)``, ``a^(L-1)``, ``z^(L)``, ``w^(L)``, ``b^(L)``; on a network with one unit per
layer these need no subscript. On a wider layer a subscript says which unit, and the video
numbers units from 0: ``a^(L)_0`` is o1. ``a^(L)_1`` alone could be o1 (counted from 1 as
the network's names are) or o2 (from 0), so the answer is asked which, unless another of
its names settles it (an index 0, or one as large as the layer).

CS231n's code calls the gradient of the loss with respect to h1 ``dh1``: ``dh1/dw1 * dh1``
is a local gradient times the upstream gradient, read as ``∂h1/∂w1 · ∂L/∂h1``, and ``dw1``
is ∂L/∂w1 as a whole. Only where it cannot be a Leibniz factor: ``(dh1)/(dw1)`` is asked.

Where a name could be two things (``b_1^2``: b1 squared, or Nielsen's b^2_1), or stands
for any layer or unit (``a^l_j`` outside a sum over j), the answer is asked or refused with
the reason, never guessed. :func:`read_layers` rewrites the names into the network's own
(h1, net_h1, w5, ∂L/∂net_o1) before judging and says how each was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..core.chain_rule import LOSS_NODE, NET_PREFIX
from .chain_graph import Problem
from .notation import MAX_EXPANDED, Reading, _map  # one tree walker for every reader
from .notation import _substitute as _plain_substitute
from .parser import IndexSum, Name, Partial, Product, Sum, walk

NIELSEN, BROWN, CS231N = "Nielsen", "3Blue1Brown", "CS231n"
_TEXT = re.compile(
    r"(?P<d>d?)(?P<stem>a|z|w|b|delta)"
    r"(?:\^\{(?P<sup>[^{}]*)\}(?:_\{(?P<sub>[^{}]*)\})?|_\{(?P<sub1>[^{}]*)\}\^\{(?P<sup1>[^{}]*)\})"
)
_BACK = re.compile(r"\(?L(?:-(?P<back>[0-9]+))?\)?")
_WORDS = {"a": "activation", "z": "net input", "b": "bias", "w": "weight", "delta": "delta"}


@dataclass(frozen=True)
class Layered:
    """A layer-numbered name as typed: its stem, layer, indices, and whose notation it is."""

    text: str
    stem: str  # a, z, w, b, delta
    layer: str  # 2, L, L-1, (L), (L-1), (2), l
    indices: tuple[str, ...]  # ("1",), ("1", "1"), ("j",), ()
    sub_first: bool
    differential: bool  # da^2_1: CS231n's gradient of a^2_1

    @property
    def book(self) -> str:
        return BROWN if self.layer.startswith("(") else NIELSEN

    @property
    def shown(self) -> str:
        """As a student would type it: a^2_1, w^3_{11}, a^(L-1), δ^3_1."""
        stem = ("d" if self.differential else "") + ("δ" if self.stem == "delta" else self.stem)
        layer = (
            self.layer if len(self.layer) == 1 or self.layer[0] == "(" else "{" + self.layer + "}"
        )
        sub = "".join(self.indices) if "," not in self.text else ",".join(self.indices)
        sub = "" if not sub else "_" + (sub if len(sub) == 1 else "{" + sub + "}")
        return f"{stem}{sub}^{layer}" if self.sub_first else f"{stem}^{layer}{sub}"


def parse_layered(text: str) -> Layered | None:
    """The parts of a name the tokenizer wrote as a^{2}_{1} or a_{1}^{2}; None otherwise."""
    m = _TEXT.fullmatch(text)
    if m is None:
        return None
    sub_first = m.group("sup") is None
    layer = m.group("sup1") if sub_first else m.group("sup")
    sub = (m.group("sub1") if sub_first else m.group("sub")) or ""
    indices = tuple(sub.split(",")) if "," in sub else tuple(sub)
    if len(sub) == 2 and sub.isdigit() and m.group("stem") != "w":
        indices = (sub,)  # a^2_{11}: unit 11
    return Layered(text, m.group("stem"), layer, indices, sub_first, m.group("d") == "d")


@dataclass(frozen=True)
class Meaning:
    """What a layer-numbered name is on one network: a name of it (h1, net_h1, w5, b1), or,
    for a delta, ∂L/∂(net input); or the Problem that keeps it from being read."""

    name: str | None = None
    delta: bool = False
    problem: Problem | None = None


class Layers:
    """One network's layers as the textbooks count them."""

    def __init__(self, net):
        self.net = net
        self.layers = net.node_names
        self._bias = {}
        for b in net.bias_names:
            for unit in net.parameter_info(b).targets:
                self._bias.setdefault(unit, b)

    def layer_index(self, item: Layered) -> int | Problem:
        """The 0-based position in node_names of the layer the name counts."""
        layer, n = item.layer, len(self.layers)
        if layer.isdigit():
            k = int(layer) - 1
            if not 0 <= k < n:
                return _problem(
                    "layer_index",
                    f"{item.shown}: Nielsen counts the input layer as layer 1, so this "
                    f"network has layers 1 to {n} ({self.listed()}).",
                )
            return k
        back = _BACK.fullmatch(layer)
        if back is None:
            if layer.strip("()").isdigit():
                return _problem(
                    "ambiguous_name",
                    f"{item.shown}: a layer number in brackets counts the input as layer 0 "
                    "in 3Blue1Brown's videos and as layer 1 in other courses. Which did you "
                    "mean? Write the layer as Nielsen does, without brackets (the input layer "
                    f"is 1: {self.listed()}), or count back from the last: a^(L), a^(L-1).",
                )
            return _problem(
                "layer_index",
                f"{item.shown}: {layer} stands for any layer; write the layer's number "
                f"as Nielsen does (the input layer is 1: {self.listed()}) or L for the last.",
            )
        k = n - 1 - int(back.group("back") or 0)
        if k < 0:
            return _problem(
                "layer_index",
                f"{item.shown}: this network has {n} layers, so L-{n - 1} is its input layer "
                f"and there is no layer before it ({self.listed()}).",
            )
        return k

    def listed(self) -> str:
        return "; ".join(f"{k + 1}: {', '.join(layer)}" for k, layer in enumerate(self.layers))

    def unit(self, item: Layered, k: int, index: str, base: int | None) -> str | Problem:
        """The unit of layer k an index names (1-based for Nielsen, per ``base`` else)."""
        units = self.layers[k]
        if index is None:
            if len(units) == 1:
                return units[0]
            first = "0" if item.book == BROWN else "1"
            return _problem(
                "ambiguous_name",
                f"{item.shown} names one unit only where its layer has one; this layer has "
                f"{', '.join(units)}. Which did you mean? Add the unit as a subscript "
                f"({_with_index(item, first)} for {units[0]}), or write {units[0]}.",
            )
        if not index.isdigit():
            return _problem(
                "layer_index",
                f"{item.shown}: {index} stands for any unit; write the unit's number "
                f"({_with_index(item, '1')}), or sum over it (Σ_{index} …).",
            )
        if base is None:
            return _problem(
                "ambiguous_name",
                f"{item.shown}: 3Blue1Brown numbers a layer's units from 0, this network's "
                f"names from 1, so it could be {_name_at(units, index, 0)} or "
                f"{_name_at(units, index, 1)}. Which did you mean? Write "
                f"{_with_index(item, '0')} for {units[0]} (counting from 0, as in the video), "
                f"or {units[0]} itself.",
            )
        j = int(index) - base
        if not 0 <= j < len(units):
            return _problem(
                "layer_index",
                f"{item.shown}: layer {k + 1} has units {base} to {len(units) - 1 + base} "
                f"({', '.join(units)}), counted from {base}.",
            )
        return units[j]

    def meaning(self, item: Layered, base: int | None = 1) -> Meaning:
        """What the name is on this network (``base``: how a 3Blue1Brown index counts)."""
        k = self.layer_index(item)
        if isinstance(k, Problem):
            return Meaning(problem=k)
        base = 1 if item.book == NIELSEN else base
        if item.stem == "w":
            return self._weight(item, k, base)
        if k == 0 and item.stem != "a":
            return Meaning(
                problem=Problem(
                    "layer_index",
                    f"{item.shown}: layer {1 if item.book == NIELSEN else 'L-' + str(len(self.layers) - 1)} "
                    f"is the input layer ({', '.join(self.layers[0])}): its units have no "
                    f"{_WORDS[item.stem]}.",
                )
            )
        if len(item.indices) > 1:
            return Meaning(
                problem=Problem(
                    "layer_index",
                    f"{item.shown}: a {_WORDS[item.stem]} has one index, its unit "
                    f"({_with_index(item, '1')}).",
                )
            )
        unit = self.unit(item, k, item.indices[0] if item.indices else None, base)
        if isinstance(unit, Problem):
            return Meaning(problem=unit)
        if item.stem == "a":
            return Meaning(unit)
        if item.stem == "z":
            return Meaning(NET_PREFIX + unit)
        if item.stem == "delta":
            return Meaning(NET_PREFIX + unit, delta=True)
        bias = self._bias.get(unit)
        if bias is None:
            return Meaning(
                problem=Problem("layer_index", f"{item.shown}: this network has no biases.")
            )
        return Meaning(bias)

    def _weight(self, item: Layered, k: int, base: int) -> Meaning:
        if k == 0:
            return Meaning(
                problem=Problem(
                    "layer_index",
                    f"{item.shown}: no weight leads into the input layer; w^l_{{jk}} joins "
                    "unit k of layer l−1 to unit j of layer l (w^2_{11} is the first weight).",
                )
            )
        if len(item.indices) not in (0, 2):
            return Meaning(
                problem=Problem(
                    "layer_index",
                    f"{item.shown}: a weight has two indices, w^l_{{jk}} from unit k of layer "
                    "l−1 to unit j of layer l (w^2_{11}, or w^{2}_{1,2}).",
                )
            )
        j, i = item.indices or (None, None)
        target = self.unit(item, k, j, base)
        if isinstance(target, Problem):
            return Meaning(problem=target)
        source = self.unit(item, k - 1, i, base)
        if isinstance(source, Problem):
            return Meaning(problem=source)
        return Meaning(self.net.weight_between(source, target))


def _problem(code: str, message: str) -> Problem:
    return Problem(code, message)


def _name_at(units: list[str], index: str, base: int) -> str:
    j = int(index) - base
    return units[j] if 0 <= j < len(units) else f"no unit (the layer has {len(units)})"


def _with_index(item: Layered, index: str) -> str:
    sub = index + index if item.stem == "w" else index
    stem = "δ" if item.stem == "delta" else item.stem
    layer = item.layer if len(item.layer) == 1 or item.layer[0] == "(" else "{" + item.layer + "}"
    return f"{stem}^{layer}_{sub if len(sub) == 1 else '{' + sub + '}'}"


# ---------------------------------------------------------------- reading an answer
def read_layers(node, vocabulary, net) -> Reading:
    """Rewrite layer-numbered names and CS231n's d-names into the network's own quantities.

    >>> import backprop_widgets as bw
    >>> net, x, t = bw.presets.mazur()
    >>> from backprop_widgets.exercises.parser import parse
    >>> r = read_layers(parse("a^2_1")[0], None, net)
    >>> r.node.text, r.notes[0][:40]
    ('h1', "Read with Nielsen's layer numbers (the i")
    """
    reader = _Reader(vocabulary, net)
    if not reader.has_any(node):
        return Reading(node)
    reader.settle_base(node)
    if reader.problem is None:
        new = reader.rewrite(node)
    if reader.problem is not None:
        return Reading(node, problem=reader.problem)
    return Reading(new, reader.notes())


class _Reader:
    def __init__(self, vocabulary, net):
        self.vocabulary = vocabulary
        self.layers = Layers(net)
        self.read: dict[str, dict[str, str]] = {}  # book -> {as typed: as read}
        self.problem: Problem | None = None
        self.base: int | None = None
        self.bound: set[str] = set()
        self.sums: dict[str, str] = {}  # Σ_k -> "k = 1, 2": sums this reader expanded
        self.budget = MAX_EXPANDED

    # -------------------------------------------------------- which names there are
    def has_any(self, node) -> bool:
        for n in walk(node):
            if isinstance(n, Name) and ("^" in n.text or self._upstream(n.text) is not None):
                return True
            if isinstance(n, Partial) and ("^" in n.num.text or "^" in n.den.text):
                return True
        return False

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
                item = parse_layered(name.text)
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
        return upstream(text, self.vocabulary)

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
                   f"∂{LOSS_NODE}/∂{meaning}")  # fmt: skip
        return Partial(Name(LOSS_NODE, name.pos), Name(meaning, name.pos), name.pos, name.pos)

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


def _cs231n_intro(reader) -> str:
    return (
        "Read as CS231n's code names gradients (dh1 holds ∂L/∂h1, the upstream gradient; "
        "dh1/dw1 stays the local derivative): "
    )


_INTRO = {NIELSEN: _nielsen, BROWN: _brown, CS231N: _cs231n_intro}


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


def upstream(text: str, vocabulary) -> str | None:
    """CS231n's d-name: dh1 -> h1 when dh1 is no name of the network and h1 is a quantity
    of it (an input, a neuron, a net input or a parameter); None otherwise."""
    if len(text) < 2 or text[0] != "d" or vocabulary is None:
        return None
    if vocabulary.resolve(text) is not None:
        return None
    entry = vocabulary.resolve(text[1:])
    if entry is None or entry.kind not in ("input", "neuron", "net", "parameter"):
        return None
    return entry.name


def gradient_of(text: str, vocabulary, net) -> str | None:
    """The quantity q of a name that stands for ∂L/∂q as a whole: CS231n's dw1 (-> w1), or
    a layer-numbered name written as a differential, dw^3_{11} (-> w5); None otherwise.

    >>> import backprop_widgets as bw
    >>> net, x, t = bw.presets.mazur()
    >>> q = bw.GradientQuestion(net, "w1", x, t)
    >>> gradient_of("dw1", q.vocabulary, net), gradient_of("dw^{3}_{11}", q.vocabulary, net)
    ('w1', 'w5')
    """
    name = upstream(text, vocabulary)
    if name is not None or "^" not in text:
        return name
    item = parse_layered(text)
    if item is None or not item.differential or item.stem == "delta":
        return None
    return Layers(net).meaning(item, None).name


def entry_name(text: str, net) -> str | None:
    """The network's name for a layer-numbered name that means one thing on its own
    (a^2_1 -> h1, w^3_{11} -> w5); None for a delta, an ambiguous or a wrong name."""
    item = parse_layered(text)
    if item is None or item.differential or item.stem == "delta":
        return None
    if item.sub_first and item.stem + "".join(item.indices) in net.parameter_names:
        return None  # b_1^2 may be b1 squared: read_layers asks
    meaning = Layers(net).meaning(item, None)
    return meaning.name
