"""The names an answer may use for one network, their aliases, and 'did you mean' help."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..core.chain_rule import LOSS_NODE, NET_PREFIX
from .parser import FUNCTIONS
from .tokens import name_key

# The loss in the textbooks: Mazur's E and E_total, Nielsen's C, 3Blue1Brown's C0 (C_0),
# Goodfellow's cost J (Deep Learning, 6.5).
LOSS_ALIASES = ("E", "E_total", "E_tot", "Loss", "loss", "C", "C0", "Cost", "cost", "J")
# Names a textbook may mean in two ways, as typed (case matters): the checker asks which
# was meant instead of guessing. E is Mazur's loss, and Euler's number in 1/(1+E^(-z)).
TWO_READINGS = {
    "E": (
        "E could be the loss (E = E_total = L, as in Mazur's walkthrough) or Euler's number "
        "e = 2.718…, as in 1/(1+E^(-net_o1)). Which did you mean? Write L (or E_total) for "
        "the loss, and e (or exp(…)) for Euler's number."
    ),
}
# y, y1, y_1, y_{1}: the target or the output? (asked, see Vocabulary.two_readings)
_Y = re.compile(r"y(?:_?\{?([0-9]+)\}?)?")
CONSTANTS = {"pi": 3.141592653589793, "e": 2.718281828459045}

_KIND_WORDS = {
    "input": "inputs",
    "neuron": "neurons",
    "net": "net inputs",
    "parameter": "parameters",
    "target": "targets",
    "loss": "loss",
}
_GRAPH_WORDS = {"input": "inputs", "operation": "nodes", "parameter": "parameters", "loss": "end"}


@dataclass(frozen=True)
class Entry:
    """What a typed name stands for: the network's own name and its kind.

    kind is one of "input", "net", "neuron", "loss", "parameter", "target", "constant",
    "delta" (``delta_h1``: the delta of ``node``, in either convention) or "loss_share"
    (``E_o1``: the part of a summed loss that output ``node`` carries).
    """

    name: str
    kind: str
    node: str | None = None


LOSS_ENTRY = Entry(LOSS_NODE, "loss")


class Vocabulary:
    r"""Names of one network at both levels: nodes, ``net_`` inputs, parameters, targets, L.

    Aliases: ``out_h1`` and ``a_h1`` for ``h1``, ``z_h1`` for ``net_h1`` (the 2-2-2
    walkthrough's and the textbooks' spellings); ``E``, ``E_total``, ``C``, ``C0`` for ``L``
    (Mazur, Nielsen, 3Blue1Brown; a bare ``E`` used as a value is asked about, see
    :data:`TWO_READINGS`); ``E_o1`` for
    output o1's share of the loss; ``target_o1`` for o1's target; ``delta_h1`` (``δ_h1``,
    ``\delta_{h_1}``) for a delta. Subscripts and underscores do not matter (``h_{1}`` is
    ``h1``). A name that matches nothing exactly may still match one name ignoring case
    (``l`` -> ``L``).
    """

    def __init__(self, net, pre_graph):
        self._entries: dict[str, Entry] = {}
        self._order: list[Entry] = []
        self._what = "network" if net is not None else "graph"
        self._net = net
        self._layered: dict[str, Entry | None] = {}
        if net is None:
            self._of_graph(pre_graph)
            return
        for node in pre_graph.node_names:
            self._add(node, Entry(node, pre_graph.kind(node)), listed=True)
        for p in net.parameter_names:
            self._add(p, Entry(p, "parameter"), listed=True)
        for t in net.target_names:
            self._add(t, Entry(t, "target"), listed=True)
        for layer in net.node_names[1:]:
            for node in layer:
                self._add("out_" + node, Entry(node, "neuron"))
                self._add("a_" + node, Entry(node, "neuron"))
                self._add("z_" + node, Entry(NET_PREFIX + node, "net"))
        for output, target in zip(net.output_names, net.target_names, strict=True):
            self._add("target_" + output, Entry(target, "target"))
            self._add("E_" + output, Entry("E_" + output, "loss_share", output))
        for node in pre_graph.node_names:
            if node != LOSS_NODE:
                self._add("delta_" + node, Entry("delta_" + node, "delta", node))
        for alias in LOSS_ALIASES:
            self._add(alias, Entry(LOSS_NODE, "loss"))
        for const in CONSTANTS:
            self._add(const, Entry(const, "constant"))
        self._fold()

    def _of_graph(self, graph) -> None:
        """Any computation graph's names: its leaves (constants aside: a number is typed as a
        number) and nodes, the end (kind "loss": every chain ends there, and the loss's
        aliases name it when it is called L), and delta_q for every other node."""
        for name in [*graph.node_names, *graph.parameter_names]:
            kind = graph.kind(name)
            if kind == "constant":
                continue
            self._add(name, Entry(name, "loss" if name == graph.end else kind), listed=True)
        for name in graph.node_names:
            if name != graph.end and graph.kind(name) != "constant":
                self._add("delta_" + name, Entry("delta_" + name, "delta", name))
        if graph.end == LOSS_NODE:
            for alias in LOSS_ALIASES:
                self._add(alias, Entry(LOSS_NODE, "loss"))
        for const in CONSTANTS:
            self._add(const, Entry(const, "constant"))
        self._fold()

    def _fold(self) -> None:
        self._folded: dict[str, list[Entry]] = {}
        for key, entry in self._entries.items():
            folded = self._folded.setdefault(key.lower(), [])
            if entry not in folded:
                folded.append(entry)

    def _add(self, text: str, entry: Entry, listed: bool = False) -> None:
        key = name_key(text)
        if key not in self._entries:  # the network's own names win over aliases
            self._entries[key] = entry
            if listed:
                self._order.append(entry)

    @property
    def end(self) -> str:
        """What every derivative ends at: a network's L, a graph's end (f, e)."""
        return next((e.name for e in self._order if e.kind == "loss"), LOSS_NODE)

    def is_loss_alias(self, text: str) -> bool:
        """Whether a typed name is one of the textbooks' names for the loss (J, C, E_total),
        not the network's own quantity of that name."""
        entry = self._entries.get(name_key(text))
        return entry is not None and entry.kind == "loss" and entry.name != name_key(text)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self._entries)

    def resolve(self, text: str) -> Entry | None:
        """The entry for a typed name, or None."""
        key = name_key(text)
        if key in self._entries:
            return self._entries[key]
        folded = self._folded.get(key.lower(), [])
        if len(folded) == 1:
            return folded[0]
        if "^" in text and self._net is not None:  # a^2_1, w^3_{11}: Nielsen's, 3Blue1Brown's
            if text not in self._layered:
                from .layers import entry_name  # layers reads chain_graph, which reads this

                name = entry_name(text, self._net)
                self._layered[text] = None if name is None else self._entries[name_key(name)]
            return self._layered[text]
        return None

    def two_readings(self, text: str) -> str | None:
        """The question to ask when a name typed on its own could mean two things, else None.

        Only for an alias: a network whose own node is named E means that node. And y (y1,
        y_1) on a network that has no quantity of that name: the target or the output?
        """
        question = TWO_READINGS.get(text)
        if question is not None:
            return question if self._entries.get(name_key(text)) == LOSS_ENTRY else None
        return self._target_or_output(text)

    def _target_or_output(self, text: str) -> str | None:
        """3Blue1Brown writes the target y (C0 = (a^(L) − y)²); other courses write the
        network's output y (and the target t, or y for the output and ŷ ...). Ask which."""
        m = _Y.fullmatch(text)
        if m is None or self._net is None or name_key(text) in self._entries:
            return None
        targets, outputs = self._net.target_names, self._net.output_names
        k = int(m.group(1)) if m.group(1) else None
        if k is not None and 1 <= k <= len(targets):
            targets, outputs = [targets[k - 1]], [outputs[k - 1]]
        target, output = " or ".join(targets), " or ".join(outputs)
        return (
            f"{text} is no name of this network: it could be the target (as in 3Blue1Brown's "
            f"C0 = (a^(L) − y)², here {target}) or the network's output (as other courses "
            f"write y, here {output}). Which did you mean? Write {target} for the target, {output} "
            "for the output."
        )

    def describe(self) -> str:
        """'inputs i1, i2; neurons h1, ...; parameters w1, ...; targets t1, t2; loss L'."""
        groups: dict[str, list[str]] = {}
        for entry in self._order:
            groups.setdefault(entry.kind, []).append(entry.name)
        words = _KIND_WORDS if self._what == "network" else _GRAPH_WORDS
        parts = [
            f"{words[kind]} {_short(names)}"
            for kind in ("input", "neuron", "net", "operation", "parameter", "target", "loss")
            if (names := groups.get(kind))
        ]
        return "; ".join(parts)

    def suggest(self, text: str) -> str | None:
        """The closest known name (or function), for 'did you mean ...?'."""
        pool = [e.name for e in self._order] + [
            "out_" + e.name for e in self._order if e.kind == "neuron"
        ]
        pool += sorted(set(FUNCTIONS))
        by_key = {name_key(p): p for p in pool}
        match = difflib.get_close_matches(name_key(text), list(by_key), n=1, cutoff=0.6)
        return by_key[match[0]] if match else None

    def unknown_message(self, text: str) -> str:
        close = self.suggest(text)
        hint = f" Did you mean {close}?" if close else ""
        return f"I don't know the name '{text}'.{hint} This {self._what}'s names are: {self.describe()}."


def _short(names: list[str], limit: int = 10) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[: limit - 1]) + f", ..., {names[-1]}"
