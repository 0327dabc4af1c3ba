"""Names that count layers: Nielsen's a^l_j, 3Blue1Brown's a^(L), Goodfellow's h^(k), CS231n's dh1.

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

Goodfellow (*Deep Learning*, 6.5, Algorithms 6.3 and 6.4) writes h^(k) for the activation
of layer k, with the input as h^(0), and a^(k) for its net input (pre-activation); his units
count from 1 (``h^(1)_2`` is h2 on Mazur's network). Since 3Blue1Brown's a is an activation,
``a^(1)`` is read as Goodfellow's only where the answer also writes an h^(k); on its own it is
asked about (:mod:`.layer_reader`). His cost J and gradient ∇_{w1} J (= ∂J/∂w1) are read by
the vocabulary and the parser.

This module counts: what one such name is on one network (:class:`Layers`, and
:func:`entry_name`, :func:`gradient_of` for a name on its own), or the Problem that keeps it
from being read (a layer or unit that does not exist, a unit index that could count from 0
or 1). :mod:`.layer_reader` rewrites a whole answer's names with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.chain_rule import NET_PREFIX
from .chain_graph import Problem, elided

NIELSEN, BROWN, CS231N, GOODFELLOW = "Nielsen", "3Blue1Brown", "CS231n", "Goodfellow"
_TEXT = re.compile(
    r"(?P<d>d?)(?P<stem>a|z|w|b|delta|h)"
    r"(?:\^\{(?P<sup>[^{}]*)\}(?:_\{(?P<sub>[^{}]*)\})?|_\{(?P<sub1>[^{}]*)\}\^\{(?P<sup1>[^{}]*)\})"
)
_BACK = re.compile(r"\(?L(?:-(?P<back>[0-9]+))?\)?")
_WORDS = {"a": "activation", "z": "net input", "b": "bias", "w": "weight", "delta": "delta",
          "h": "activation"}  # fmt: skip


@dataclass(frozen=True)
class Layered:
    """A layer-numbered name as typed: its stem, layer, indices, and whose notation it is."""

    text: str
    stem: str  # a, z, w, b, delta
    layer: str  # 2, L, L-1, (L), (L-1), (2), l
    indices: tuple[str, ...]  # ("1",), ("1", "1"), ("j",), ()
    sub_first: bool
    differential: bool  # da^2_1: CS231n's gradient of a^2_1
    goodfellow: bool = False  # a^(k) read as Goodfellow's (the answer also writes h^(k))

    @property
    def book(self) -> str:
        if self.stem == "h" or self.goodfellow:
            return GOODFELLOW
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
        if item.book == GOODFELLOW and layer.strip("()").isdigit():
            k = int(layer.strip("()"))
            if not 0 <= k < n:
                return _problem(
                    "layer_index",
                    f"{item.shown}: Goodfellow counts the input as h^(0), so this network has "
                    f"layers 0 to {n - 1} ({self.listed(0)}).",
                )
            return k
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

    def listed(self, first: int = 1) -> str:
        """The layers and their units, numbered from ``first`` (Nielsen's 1, Goodfellow's 0)."""
        return "; ".join(f"{k + first}: {', '.join(layer)}" for k, layer in enumerate(self.layers))

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
        base = 1 if item.book in (NIELSEN, GOODFELLOW) else base
        if item.stem == "w":
            return self._weight(item, k, base)
        activation = "h" if item.book == GOODFELLOW else "a"  # Goodfellow's a is the net input
        if k == 0 and item.stem != activation:
            number = {NIELSEN: "1", GOODFELLOW: "(0)"}.get(item.book, f"L-{len(self.layers) - 1}")
            word = "net input" if item.stem == "a" else _WORDS[item.stem]
            return Meaning(
                problem=Problem(
                    "layer_index",
                    f"{item.shown}: layer {number} is the input layer "
                    f"({', '.join(self.layers[0])}): its units have no {word}.",
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
        if item.stem == activation:
            return Meaning(unit)
        if item.stem in ("z", "a"):  # a: Goodfellow's net input (pre-activation)
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


def upstream(text: str, vocabulary) -> str | None:
    """CS231n's d-name: dh1 -> h1 when dh1 is no name of the network and h1 is a quantity
    of it (an input, a neuron, a net input or a parameter; any node of a graph but its
    end: dq is ∂f/∂q); None otherwise."""
    if len(text) < 2 or text[0] != "d" or vocabulary is None:
        return None
    if vocabulary.resolve(text) is not None:
        return None
    entry = vocabulary.resolve(text[1:])
    if entry is None or entry.kind not in ("input", "neuron", "net", "parameter", "operation"):
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


def whole_matrix(text: str, net, param: str | None) -> str:
    """What a marker writes beside CS231n's dW where one weight's gradient is asked.

    >>> import backprop_widgets as bw
    >>> print(whole_matrix("dW", bw.presets.mazur()[0], "w5").split("(w5 ")[1])
    joins h1 to o1: it is one entry of W2, the matrix of the weights into layer 3 (o1, o2): w5, w6, w7, w8.)
    """
    head = f"{text} is CS231n's gradient of a whole weight matrix (∂L/∂W, one number per weight); "
    if param is None or param not in net.parameter_names:
        return head + "name one weight instead: dw1 is ∂L/∂w1."
    info = net.parameter_info(param)
    head += f"this question asks for one {info.kind}, {param}: write d{param} or ∂L/∂{param}."
    if info.kind != "weight":
        return head
    matrix = [w for w in net.weight_names if net.parameter_info(w).layer == info.layer]
    units = ", ".join(net.node_names[info.layer])
    return head + (
        f" ({param} joins {info.source} to {info.targets[0]}: it is one entry of W{info.layer}, "
        f"the matrix of the weights into layer {info.layer + 1} ({units}): "
        f"{elided(matrix, ', ', 'weights')}.)"
    )
