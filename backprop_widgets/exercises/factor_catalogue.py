"""What a factor of a gradient formula may be: every quantity of the graph, with its values.

A :class:`Catalogue` holds, at every draw (the question's numbers and the random re-draws),
the values of the quantities a group of a formula's factors may be: the graph's local
derivatives (edges), the totals d end / dX, and the slips the operation registry lists for
a unit (the sigmoid's slope at a tanh unit). :mod:`.factor_match` groups a product's
factors and asks it which quantity each group is; :mod:`.structure` says what differs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..core.chain_rule import LOSS_NODE, NET_PREFIX
from ..core.ops import ACTIVATIONS, LOSSES, Activation

MAX_WEIGHED = 3_000  # groups of factors compared with the graph in one formula, all products
TOL = 1e-6  # a formula is exact: its factors agree with the graph's to this at every draw
L = LOSS_NODE


@dataclass(frozen=True)
class Known:
    """One quantity of the graph a group of factors may be.

    ``what`` is ("edge", num, den), ("total", node) or ("slip", unit, code).
    """

    what: tuple
    text: str  # how it is written for a student: w5, h1, h1(1 − h1), o1 − t1, dL/dh1


@dataclass
class Slot:
    """A group of typed factors and the quantities it is (empty: none)."""

    written: str
    values: np.ndarray
    known: list[tuple[Known, float]] = field(default_factory=list)  # (quantity, scale)
    nodes: tuple = ()  # the typed factors

    def is_(self, what: tuple) -> float | None:
        for k, scale in self.known:
            if k.what == what:
                return scale
        return None


class Catalogue:
    """Every quantity a factor of a gradient formula may be, with its values at the draws.

    A network's draws give its pre-activation graph, its units' activations and its loss;
    any other computation graph's draws give its operation nodes, whose activations (a
    sigmoid or tanh node) are its units.
    """

    def __init__(self, draws):
        self.draws = draws
        pre = draws[0].pre
        self.pre = pre
        self.end = pre.end
        self.network = draws[0].net
        self.unit_word = "unit" if self.network is not None else "node"
        # a graph's edges are matched up to a constant factor: (y - t) is d(y - t)²/d(y - t)
        self.scaled = self.network is None
        self.activations, self.slope_input = self._units()
        self.loss = LOSSES[self.network.loss_name] if self.network is not None else None
        items = self._edges() + self._totals() + self._slips()
        if self.network is not None:
            items += self._loss_differences(items)
        self._seen: dict[bytes, list[tuple[Known, float]]] = {}
        self.weighed = MAX_WEIGHED  # what is left of the formula's budget of groups
        self.items = [k for k, _ in items]
        self.matrix = np.array([v for _, v in items]) if items else np.zeros((0, len(draws)))
        self._output = {
            unit: self._vector(lambda d, u=unit: d.pre.value(u)) for unit in self.activations
        }

    def _units(self) -> tuple[dict[str, Activation], dict[str, str]]:
        """Each unit's activation and the node its slope is taken at (net_h1, or z)."""
        if self.network is not None:
            net = self.network
            ops = {
                unit: ACTIVATIONS[act]
                for layer, act in zip(net.node_names[1:], net.activation, strict=True)
                for unit in layer
            }
            return ops, {unit: NET_PREFIX + unit for unit in ops}
        ops, inputs = {}, {}
        for node in self.pre.node_names:
            op = self.pre.operation(node)
            if isinstance(op, Activation) and op.elementwise:
                ops[node], inputs[node] = op, self.pre.parents(node)[0]
        return ops, inputs

    def _edges(self) -> list[tuple[Known, np.ndarray]]:
        out = []
        pre = self.pre
        for num in pre.node_names:
            for den in pre.parents(num):
                values = self._vector(lambda d, n=num, p=den: d.pre.local(n, p))
                if np.all(values == 1.0) or (self.scaled and _constant(values)):
                    continue  # a bias's dnet/db, linear's slope, a graph's 0.5: never written
                out.append((Known(("edge", num, den), self.edge_text(num, den)), values))
        return out

    def _totals(self) -> list[tuple[Known, np.ndarray]]:
        out = []
        for node in self.pre.node_names:
            if node != self.end and self.pre.kind(node) not in ("input", "constant"):
                values = self._vector(lambda d, n=node: d.pre.gradient(n))
                out.append((Known(("total", node), f"d{self.end}/d{node}"), values))
        return out

    def _slips(self) -> list[tuple[Known, np.ndarray]]:
        out = []
        for unit, op in self.activations.items():
            if not op.elementwise:
                continue
            z = self.slope_input[unit]
            for slip in op.slips:
                values = self._vector(
                    lambda d, u=unit, s=slip, z=z: s.at(d.pre.value(z), d.pre.value(u))
                )
                text = _with_output(slip.written, unit)
                out.append((Known(("slip", unit, slip.code), text), values))
        return out

    def _loss_differences(self, items) -> list[tuple[Known, np.ndarray]]:
        """o_k - t_k: the loss's derivative up to its constant (mse's 2/K), or dL/dnet_o_k."""
        out = []
        net = self.network
        for output, target in zip(net.output_names, net.target_names, strict=True):
            diff = self._vector(lambda d, o=output, t=target: d.pre.value(o) - d.targets[t])
            for known, values in items:
                if known.what in (("edge", L, output), ("total", NET_PREFIX + output)):
                    ratio = _constant_ratio(diff, values)
                    if ratio is not None and abs(ratio - 1.0) > TOL:
                        out.append((Known(known.what, f"{output} − {target}"), values * ratio))
        return out

    def _vector(self, at) -> np.ndarray:
        out = []
        for d in self.draws:
            try:
                out.append(float(at(d)))
            except (KeyError, ZeroDivisionError, ValueError):
                out.append(math.nan)
        return np.array(out)

    def match(self, values: np.ndarray) -> list[tuple[Known, float]]:
        """The quantities (and the scale they carry: the sign, or a graph's constant) equal
        to values at every draw."""
        return self.match_many(values[None, :])[0]

    def match_many(self, rows: np.ndarray) -> list[list[tuple[Known, float]]]:
        """:meth:`match` for every row of a (groups, draws) array, in one comparison; a row
        seen before (the same factor in another product) is not compared again."""
        keys = [row.tobytes() for row in rows]
        fresh = [k for k, key in enumerate(keys) if key not in self._seen]
        if fresh:
            for k, found in zip(fresh, self._compare(rows[fresh]), strict=True):
                self._seen[keys[k]] = found
        return [self._seen[key] for key in keys]

    def _compare(self, rows: np.ndarray) -> list[list[tuple[Known, float]]]:
        m = self.matrix[None, :, :]
        v = rows[:, None, :]
        usable = np.all(np.isfinite(rows), axis=1) & ~np.all(np.abs(rows) < 1e-12, axis=1)
        out: list[list[tuple[Known, float]]] = [[] for _ in range(len(rows))]
        if self.scaled:
            with np.errstate(all="ignore"):
                ratio = v / m
            first = ratio[:, :, :1]
            hits = np.all(np.abs(ratio - first) <= TOL * np.abs(first) + 1e-12, axis=2)
            hits &= np.all(np.abs(m) > 1e-12, axis=2) & (np.abs(first[:, :, 0]) > 1e-12)
            for g, i in zip(*np.nonzero(hits), strict=True):
                if usable[g]:
                    out[g].append((self.items[i], float(ratio[g, i, 0])))
            return out
        room = TOL * np.abs(m) + 1e-12
        for sign in (1.0, -1.0):
            hits = np.all(np.abs(m - sign * v) <= room, axis=2)
            for g, i in zip(*np.nonzero(hits), strict=True):
                if usable[g]:
                    out[g].append((self.items[i], sign))
        return out

    def part_of_slope(self, values: np.ndarray) -> tuple[str, str] | None:
        """(unit, the rest) when these values are one part of a unit's slope (h1 of
        h1(1 − h1): the rest is 1 − h1; 1 − h1 of tanh's (1 − h1)(1 + h1)), or None. Both
        parts are checked at every draw."""
        for unit, a in self._output.items():
            slope = self._slope_values(unit)
            if slope is None:
                continue
            parts = {unit: a, f"1 − {unit}": 1.0 - a, f"1 + {unit}": 1.0 + a}
            if not any(_same(values, p) for p in parts.values()):
                continue
            rest = next((t for t, p in parts.items() if _same(values * p, slope)), None)
            if rest is not None:
                return unit, rest
        return None

    def _slope_values(self, unit: str) -> np.ndarray | None:
        what = ("edge", unit, self.slope_input[unit])
        for k, row in zip(self.items, self.matrix, strict=True):
            if k.what == what:
                return row
        return None

    # ------------------------------------------------------------ words
    def edge_text(self, num: str, den: str) -> str:
        pre = self.pre
        if self.network is None:
            return pre.local_text(num, den)
        if num == L:
            return _loss_text(self.loss, den, self.network, len(self.network.output_names))
        if pre.kind(num) == "net":
            if den in pre.parameter_names:
                source = self.network.parameter_info(den).source
                return source or "1"
            return pre.weight_between(den, num) or f"d{num}/d{den}"
        unit = num
        op = self.activations.get(unit)
        if op is None:
            return f"d{num}/d{den}"
        if not op.elementwise:
            other = den.removeprefix(NET_PREFIX)
            return f"{unit}(1 − {unit})" if other == unit else f"−{unit}·{other}"
        return slope_words(op, unit)

    def unit_of(self, what: tuple) -> str | None:
        """The unit whose slope a quantity is, or None."""
        if what[0] == "slip":
            return what[1]
        if what[0] == "edge" and self.slope_input.get(what[1]) == what[2]:
            return what[1]
        return None

    def is_weight(self, what: tuple) -> bool:
        return (
            self.network is not None
            and what[0] == "edge"
            and self.pre.kind(what[1]) == "net"
            and what[2] not in self.pre.parameter_names
        )

    def is_source(self, what: tuple) -> bool:
        return (
            self.network is not None and what[0] == "edge" and what[2] in self.pre.parameter_names
        )

    def is_loss_edge(self, what: tuple) -> bool:
        return self.network is not None and what[0] == "edge" and what[1] == L

    def shown(self, path) -> tuple[str, ...]:
        """A path as a student draws it: a network's net inputs left out."""
        if self.network is None:
            return tuple(path)
        return tuple(n for n in path if not n.startswith(NET_PREFIX))

    def slope_at(self, unit: str) -> str:
        """σ′(net_h1), tanh′(z): the slope's symbol at the node it is taken at."""
        return f"{self.activations[unit].slope_symbol}({self.slope_input[unit]})"

    def known(self, what: tuple) -> Known | None:
        return next((k for k in self.items if k.what == what), None)


def slope_words(op, unit: str) -> str:
    """A unit's slope as written with its output where the registry can (h1(1 − h1), 1)."""
    if op.slope_of_output:
        return op.slope_of_output.format(a=unit)
    return f"{op.slope_symbol}(net_{unit})"


def _with_output(written: str, unit: str) -> str:
    return re.sub(r"(?<![A-Za-z0-9_])a(?![A-Za-z0-9_])", unit, written)


def _loss_text(loss, output: str, net, n_outputs: int) -> str:
    """dL/do_k as the registry writes it, in this output's names: o1 − t1, 2 (o1 − t1) / 2."""
    target = net.target_names[net.output_names.index(output)]
    rhs = loss.derivative_plain.partition("=")[2].strip() or f"dL/d{output}"
    rhs = re.sub(r"\by_k\b", output, rhs)
    rhs = re.sub(r"\bt_k\b", target, rhs)
    return re.sub(r"\bK\b", str(n_outputs), rhs)


def _constant_ratio(a: np.ndarray, b: np.ndarray) -> float | None:
    with np.errstate(all="ignore"):
        r = a / b
    r = r[np.isfinite(r)]
    if r.size < 2 or not np.all(np.abs(r - r[0]) <= 1e-9 * abs(r[0]) + 1e-12):
        return None
    return float(r[0])


def _constant(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - values[0]) <= TOL * abs(values[0]) + 1e-12))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.abs(a - b) <= TOL * np.abs(b) + 1e-12))
