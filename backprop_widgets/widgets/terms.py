"""PathTerms: the products of a chain-rule sum as chips; hover one to light its path.

A small view used by the explorer: Python sends each product's label and value, both as
text (numbers written by :mod:`backprop_widgets.core.numbers`); the JavaScript
(``static/terms.js``) reports which chip is under the pointer (``active``) or pinned by a
click (``pinned``); the explorer lights that path on the diagram.
"""

from __future__ import annotations

import pathlib

import anywidget
import traitlets

from ..core import numbers
from ..core.chain_rule import ChainRule
from .static_files import styles

STATIC = pathlib.Path(__file__).parent.parent / "static"


class TermsState(traitlets.HasTraits):
    """One chip per path of a :class:`ChainRule`; ``active`` is the lit path (-1: all).

    The traits and their logic, for the widget that draws them with static/terms.js (the
    explorer, or :class:`PathTerms` alone)."""

    terms = traitlets.List().tag(sync=True)
    active = traitlets.Int(-1).tag(sync=True)
    pinned = traitlets.Int(-1).tag(sync=True)
    # chips past this many wait behind a "+N more" chip (0: all shown)
    open_count = traitlets.Int(0).tag(sync=True)
    _paths: tuple[tuple[str, ...], ...] = ()  # the chips' paths, set by show_terms

    def show_terms(
        self, chain: ChainRule | None, limit: int, short_after: int, open_count: int
    ) -> None:
        """Chips for the chain's products (none above ``limit`` paths).

        Past ``short_after`` paths a chip names its route (w1 → h1 → j3 → o1 → L) rather than
        the product, and chips past ``open_count`` wait behind a "+N more" chip. A pinned chip
        stays pinned while the paths are the same ones (a training refresh changes only the
        values); other paths start with nothing lit."""
        if chain is None or not chain.enumerated or chain.path_count > limit:
            paths, terms = (), []
        else:
            paths = tuple(chain.paths)
            short = len(paths) > short_after
            terms = [
                {
                    "label": " → ".join(path)
                    if short
                    else " · ".join(f"∂{f.num}/∂{f.den}" for f in term),
                    "value": f"= {numbers.plain(value)}",
                }
                for path, term, value in zip(paths, chain.terms, chain.term_values(), strict=True)
            ]
        same = paths == self._paths
        self._paths = paths  # before `active` changes: its observers ask path_index()
        with self.hold_sync():
            if not same:
                self.pinned = -1
                self.active = -1
            self.open_count = open_count if len(terms) > open_count else 0
            self.terms = terms

    def path_index(self) -> int | None:
        """The lit path's index into the chain's paths, or None for all of them.

        ``active`` comes from the browser and may be stale (a chip hovered just before the
        paths changed): an index that is not one of the current chips means none."""
        index = self.active
        return index if 0 <= index < len(self._paths) else None


class PathTerms(TermsState, anywidget.AnyWidget):
    """The chips alone, as a widget of their own."""

    _esm = STATIC / "terms.js"
    _css = styles("theme.css", "terms.css")

    def show(self, chain: ChainRule | None, limit: int, short_after: int, open_count: int) -> None:
        self.show_terms(chain, limit, short_after, open_count)
